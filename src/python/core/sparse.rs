//! `PBitNetwork.from_sparse`'s input: a scipy.sparse matrix or array, or COO triplets, read in
//! place and merged as entries of a symmetric J (see `core::entries::PairRule::Symmetric`).

use crate::core::entries::{check_lengths, implied_size, Entries, PairRule};
use crate::core::model::IsingModel;
use crate::error::{check_alloc, try_vec, Error};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

use super::network::fields;
use crate::python::args::{self, PyInt};
use crate::python::run::{run_long, with_signals};

/// The model of `from_sparse(J, cols, values, /, h, num_pbits, seed)`: `J` a scipy.sparse matrix
/// or array (then alone: h, num_pbits and seed come by keyword), or the rows of COO triplets
/// `(J, cols, values)` (then h, num_pbits and seed may follow them positionally).
#[allow(non_snake_case)]
pub fn sparse_model(
    py: Python<'_>,
    J: &Bound<'_, PyAny>,
    cols: Option<&Bound<'_, PyAny>>,
    values: Option<&Bound<'_, PyAny>>,
    h: Option<&Bound<'_, PyAny>>,
    num_pbits: Option<PyInt>,
) -> PyResult<IsingModel> {
    let coo = py.import("quantumpanarchy._validation")?.call_method1("sparse_coo", (J,))?;
    if !coo.is_none() && (cols.is_some() || values.is_some()) {
        return Err(PyTypeError::new_err(
            "from_sparse() takes a scipy.sparse J as its only positional argument: pass h, num_pbits and seed by \
             keyword (from_sparse(J, h=h))",
        ));
    }
    let num_pbits = num_pbits.map(|n| args::count(n, "num_pbits", 1)).transpose()?;
    let h = fields(h, num_pbits)?;
    let (rows, cols, values, n) = if !coo.is_none() {
        let (n, row, col, data): (usize, Bound<'_, PyAny>, Bound<'_, PyAny>, Bound<'_, PyAny>) = coo.extract()?;
        if let Some(m) = num_pbits.filter(|&m| m != n) {
            return Err(Error::InvalidInput(format!("num_pbits ({m}) must match J's shape ({n}, {n})")).into());
        }
        let values = args::real_1d_or_empty(&data, "J")?;
        check_slots(values.len())?;
        (args::indices(&row, "J's rows")?, args::indices(&col, "J's cols")?, values, n)
    } else {
        let (Some(cols), Some(values)) = (cols, values) else {
            return Err(Error::InvalidInput(format!(
                "J must be a scipy.sparse matrix or array, got {} (use from_dense for a dense J, or give rows, \
                 cols and values)",
                args::type_name(J)
            ))
            .into());
        };
        let rows = args::indices(J, "rows")?;
        let cols = args::indices(cols, "cols")?;
        let values = args::real_1d_or_empty(values, "values")?;
        check_lengths(rows.len(), cols.len(), values.len())?;
        check_slots(rows.len())?;
        let n = match (num_pbits, &h) {
            (Some(n), _) => n,
            (None, Some(h)) => h.len(),
            (None, None) => implied_size(rows.iter().chain(cols.iter())),
        };
        (rows, cols, values, n)
    };
    IsingModel::check_size(n)?;
    let h = h.map_or_else(|| try_vec(n, 0.0, "the fields"), Ok)?;
    // Read the caller's arrays once, with the GIL held (looking for Ctrl-C as it goes); merge
    // and build without it, on a worker that Ctrl-C cancels.
    let entries = rows.iter().zip(cols.iter()).zip(values.iter()).map(|((i, j), v)| (i, j, v));
    let entries = with_signals(py, |interrupted| Entries::collect(n, entries, PairRule::Symmetric, interrupted))?;
    run_long(py, None, |control| IsingModel::from_entries(entries, &h, control))
}

/// Every entry takes a slot while merging: a count that cannot fit is refused before seconds of
/// reading 10**9 entries.
fn check_slots(m: usize) -> PyResult<()> {
    Ok(check_alloc::<(u64, f64)>(m as u128, &format!("merging {m} coupling entries"))?)
}
