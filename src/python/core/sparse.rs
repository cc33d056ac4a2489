//! `PBitNetwork.from_sparse`'s input: a scipy.sparse matrix or array, or COO triplets, read in
//! place and merged as entries of a symmetric J (see `core::entries::PairRule::Symmetric`).

use crate::core::entries::{check_lengths, Entries, PairRule};
use crate::core::model::IsingModel;
use crate::error::Error;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use super::network::fields;
use crate::python::args::{self, PyInt};

/// What `from_sparse`'s positional arguments held.
enum SparseInput<'py> {
    /// A scipy.sparse matrix or array: `(n, row, col, data)` of its COO form.
    Matrix(usize, Bound<'py, PyAny>, Bound<'py, PyAny>, Bound<'py, PyAny>),
    Triplets(Bound<'py, PyAny>, Bound<'py, PyAny>, Bound<'py, PyAny>),
}

/// Sorts `from_sparse(J, h)` from `from_sparse(rows, cols, values, h, num_pbits, seed)`; the
/// optional trailing positionals fill `extra` (h, num_pbits, seed) unless given by keyword too.
fn sparse_input<'py>(
    args: &Bound<'py, PyTuple>,
    extra: [&mut Option<Bound<'py, PyAny>>; 3],
) -> PyResult<SparseInput<'py>> {
    const USAGE: &str = "from_sparse(J, *, h=None, num_pbits=None, seed=None) with J a scipy.sparse matrix or \
                         array, or from_sparse(rows, cols, values, *, h=None, num_pbits=None, seed=None)";
    let first = args.get_item(0).map_err(|_| PyTypeError::new_err(format!("expected {USAGE}")))?;
    let coo = args.py().import("quantumpanarchy._validation")?.call_method1("sparse_coo", (&first,))?;
    let (input, rest) = if coo.is_none() {
        if args.len() < 3 {
            return Err(Error::InvalidInput(format!(
                "J must be a scipy.sparse matrix or array, got {} (use from_dense for a dense J, or give \
                 rows, cols and values)",
                args::type_name(&first)
            ))
            .into());
        }
        (SparseInput::Triplets(first, args.get_item(1)?, args.get_item(2)?), 3)
    } else {
        let (n, row, col, data): (usize, _, _, _) = coo.extract()?;
        (SparseInput::Matrix(n, row, col, data), 1)
    };
    let trailing = args.len() - rest;
    let allowed = if rest == 1 { 1 } else { 3 };
    if trailing > allowed {
        return Err(PyTypeError::new_err(format!("too many positional arguments ({}): expected {USAGE}", args.len())));
    }
    for (k, (slot, name)) in extra.into_iter().zip(["h", "num_pbits", "seed"]).take(trailing).enumerate() {
        if slot.is_some() {
            return Err(PyTypeError::new_err(format!("from_sparse() got multiple values for argument '{name}'")));
        }
        *slot = Some(args.get_item(rest + k)?);
    }
    Ok(input)
}

/// The model of `from_sparse(*args, h=, num_pbits=, seed=)` and the seed argument (`keywords` holds
/// h, num_pbits and seed as given by keyword).
pub fn sparse_model<'py>(
    py: Python<'py>,
    args: &Bound<'py, PyTuple>,
    keywords: [Option<Bound<'py, PyAny>>; 3],
) -> PyResult<(IsingModel, Option<Bound<'py, PyAny>>)> {
    let [mut h, mut num_pbits, mut seed] = keywords;
    let input = sparse_input(args, [&mut h, &mut num_pbits, &mut seed])?;
    let num_pbits = match num_pbits.filter(|n| !n.is_none()) {
        Some(n) => Some(args::count(n.extract::<PyInt>()?, "num_pbits", 1)?),
        None => None,
    };
    let h = fields(h.as_ref())?;
    let (rows, cols, values, n) = match input {
        SparseInput::Matrix(n, row, col, data) => {
            if let Some(m) = num_pbits.filter(|&m| m != n) {
                return Err(Error::InvalidInput(format!("num_pbits ({m}) must match J's shape ({n}, {n})")).into());
            }
            let values = args::real_1d_or_empty(&data, "J")?;
            (args::indices(&row, "J's rows")?, args::indices(&col, "J's cols")?, values, n)
        }
        SparseInput::Triplets(rows, cols, values) => {
            let rows = args::indices(&rows, "rows")?;
            let cols = args::indices(&cols, "cols")?;
            let values = args::real_1d_or_empty(&values, "values")?;
            check_lengths(rows.len(), cols.len(), values.len())?;
            let n = match (num_pbits, &h) {
                (Some(n), _) => n,
                (None, Some(h)) => h.len(),
                (None, None) => rows.iter().chain(cols.iter()).max().map_or(0, |m| (m.max(-1) + 1) as usize),
            };
            (rows, cols, values, n)
        }
    };
    IsingModel::check_size(n)?;
    let h = h.unwrap_or_else(|| vec![0.0; n]);
    // Read the caller's arrays once, with the GIL held; merge and build without it.
    let entries = rows.iter().zip(cols.iter()).zip(values.iter()).map(|((i, j), v)| (i, j, v));
    let entries = Entries::collect(n, entries, PairRule::Symmetric)?;
    Ok((py.detach(|| IsingModel::from_entries(entries, &h))?, seed))
}
