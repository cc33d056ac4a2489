//! `IsingEnergy`: batched energies, local fields and QUBO ↔ Ising conversion for dense (J, h).

use crate::core::model::IsingModel;
use crate::core::qubo;
use crate::error::Error;
use numpy::{PyArray1, PyArray2};
use pyo3::prelude::*;

use super::network::{dense_model, map_rows};
use super::results;
use crate::python::args::{self, PyInt};

/// Batched energies and conversions for dense (J, h) in the physics convention.
#[pyclass(module = "quantumpanarchy.core", name = "IsingEnergy", frozen)]
pub struct PyIsingEnergy;

#[allow(non_snake_case)]
fn model(J: &Bound<'_, PyAny>, h: Option<&Bound<'_, PyAny>>) -> PyResult<IsingModel> {
    dense_model(J.py(), J, h)
}

fn states(m: &IsingModel, obj: &Bound<'_, PyAny>) -> PyResult<(Vec<i8>, Option<usize>)> {
    let n = m.n();
    // checked before the conversion copies a (possibly huge, broadcast) array
    if args::array_shape(obj).is_some_and(|s| matches!(s.len(), 1 | 2) && s[s.len() - 1] != n) {
        return Err(Error::InvalidInput(format!("each state must have {n} spins (J is {n}x{n})")).into());
    }
    let (s, rows) = args::spins(obj, "states", false)?;
    if s.len() != rows.unwrap_or(1) * n {
        return Err(Error::InvalidInput(format!("each state must have {n} spins (J is {n}x{n})")).into());
    }
    Ok((s, rows))
}

#[pymethods]
#[allow(non_snake_case)]
impl PyIsingEnergy {
    /// E(s) for one state (→ float) or each row of a 2-D batch (→ array).
    #[staticmethod]
    fn energy<'py>(
        J: &Bound<'py, PyAny>,
        h: Option<&Bound<'py, PyAny>>,
        states: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = J.py();
        let m = model(J, h)?;
        let (s, rows) = self::states(&m, states)?;
        let e = map_rows(py, &m, &s, 1, |x, o| o[0] = m.energy(x))?;
        Ok(match rows {
            None => e[0].into_pyobject(py)?.into_any(),
            Some(_) => PyArray1::from_vec(py, e).into_any(),
        })
    }

    /// I = h + J s for one state or each row of a batch.
    #[staticmethod]
    fn local_fields<'py>(
        J: &Bound<'py, PyAny>,
        h: Option<&Bound<'py, PyAny>>,
        states: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = J.py();
        let m = model(J, h)?;
        let n = m.n();
        let (s, rows) = self::states(&m, states)?;
        let out = map_rows(py, &m, &s, n, |x, o| m.local_fields(x, o))?;
        results::rows_or_vector(py, out, rows, n)
    }

    /// E(s with spin i flipped) − E(s) = 2 s_i I_i, per state.
    #[staticmethod]
    fn delta_energy<'py>(
        J: &Bound<'py, PyAny>,
        h: Option<&Bound<'py, PyAny>>,
        states: &Bound<'py, PyAny>,
        #[pyo3(from_py_with = args::int)] i: PyInt,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = J.py();
        let m = model(J, h)?;
        let n = m.n();
        if !(0..n as PyInt).contains(&i) {
            return Err(Error::InvalidInput(format!("index {i} out of range for {n} spins")).into());
        }
        let (s, rows) = self::states(&m, states)?;
        let d: Vec<f64> = s.chunks(n).map(|x| m.delta_energy(x, i as usize)).collect();
        Ok(match rows {
            None => d[0].into_pyobject(py)?.into_any(),
            Some(_) => PyArray1::from_vec(py, d).into_any(),
        })
    }

    /// `(J, h, offset)` with xᵀQx = −Σ_{i<j} J_ij s_i s_j − Σ h_i s_i + offset, x = (1 + s)/2.
    #[staticmethod]
    #[allow(clippy::type_complexity)]
    fn qubo_to_ising<'py>(
        Q: &Bound<'py, PyAny>,
    ) -> PyResult<(Bound<'py, PyArray2<f64>>, Bound<'py, PyArray1<f64>>, f64)> {
        let py = Q.py();
        let q = args::real_2d(Q, "Q")?;
        let r = args::square(q.shape(), "Q")?;
        let (j, h, off) = qubo::qubo_to_ising(r, &q.to_vec()?)?;
        Ok((results::matrix(py, j, r, r)?, PyArray1::from_vec(py, h), off))
    }

    /// `(Q, offset)` (Q symmetric) with −Σ_{i<j} J_ij s_i s_j − Σ h_i s_i = xᵀQx + offset.
    #[staticmethod]
    #[pyo3(signature = (J, h = None))]
    fn ising_to_qubo<'py>(
        J: &Bound<'py, PyAny>,
        h: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<(Bound<'py, PyArray2<f64>>, f64)> {
        let py = J.py();
        let m = model(J, h)?;
        let n = m.n();
        let (q, off) = qubo::ising_to_qubo(n, &m.to_dense()?, m.h())?;
        Ok((results::matrix(py, q, n, n)?, off))
    }
}
