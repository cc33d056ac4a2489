//! Bindings: TA-Lib's indicators over 1-D or 2-D arrays (one native call, parallel over the
//! columns) and their streaming handles. The typed public functions and classes are in
//! `python/quantumpanarchy/_signal/indicators.py` and `stream.py`.

use crate::error::Error;
use crate::python::args::{self, Reals};
use crate::python::fresh::filled;
use crate::python::run::run_sized;
use crate::signal::indicators::{self as ind, Stream};
use numpy::ndarray::{Axis, Ix2, IxDyn};
use numpy::IntoPyArray;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

/// Runs indicator `name` over `inputs` (all 1-D of one length, or all 2-D of one shape: bars ×
/// series); the result has shape (bars,) for one output over 1-D inputs, a tuple of such
/// arrays for several, (series, outputs, bars) for 2-D inputs.
#[pyfunction]
#[pyo3(signature = (name, inputs, params))]
pub fn indicator<'py>(
    py: Python<'py>,
    #[pyo3(from_py_with = args::text)] name: &str,
    inputs: &Bound<'py, PyTuple>,
    params: Vec<f64>,
) -> PyResult<Bound<'py, PyAny>> {
    let spec = ind::spec(name)?;
    if inputs.len() != spec.inputs.len() {
        return Err(
            Error::InvalidInput(format!("{name} takes {} inputs, got {}", spec.inputs.len(), inputs.len())).into()
        );
    }
    let mut reals: Vec<Reals<'py, IxDyn>> = Vec::with_capacity(inputs.len());
    for (obj, input_name) in inputs.iter().zip(spec.inputs) {
        reals.push(args::reals::<IxDyn>(&obj, input_name, true)?);
    }
    let shape = reals[0].shape().to_vec();
    if shape.len() != 1 && shape.len() != 2 {
        return Err(Error::InvalidInput(format!(
            "{} must be 1-D (bars) or 2-D (bars × series), got {} dimensions",
            spec.inputs[0],
            shape.len()
        ))
        .into());
    }
    for (r, input_name) in reals.iter().zip(spec.inputs).skip(1) {
        if r.shape() != shape.as_slice() {
            return Err(Error::InvalidInput(format!(
                "{input_name} has shape {} but {} has shape {}",
                args::shape_text(r.shape()),
                spec.inputs[0],
                args::shape_text(&shape)
            ))
            .into());
        }
    }
    let (rows, cols) = if shape.len() == 1 { (shape[0], 1) } else { (shape[0], shape[1]) };
    let views = reals.iter().map(|r| r.view()).collect::<Result<Vec<_>, _>>()?;
    // Every input as bars × series (a 1-D one as one column), with fixed dimensions so that a
    // strided column is gathered by a tight loop.
    let views = views
        .iter()
        .map(|v| {
            let v = v.view();
            let v = if v.ndim() == 1 { v.insert_axis(Axis(1)) } else { v };
            v.into_dimensionality::<Ix2>().map_err(|e| Error::Internal(format!("an indicator input: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let n_out = spec.outputs.len();
    let units = (rows as u64).saturating_mul(cols as u64).saturating_mul(8);
    // Input `j` of series `c`: borrowed where contiguous, else gathered into `buf`.
    let input = |j: usize, c: usize, buf: &mut Vec<f64>| {
        let col = views[j].column(c);
        if let Some(s) = col.to_slice() {
            return Some(s);
        }
        buf.clear();
        buf.extend(col.iter().copied());
        None
    };
    const WHAT: &str = "the indicator's output";
    if shape.len() == 1 && n_out > 1 {
        let rows = crate::python::fresh::filled_rows(py, n_out, rows, WHAT, |outs| {
            run_sized(py, units, |control| ind::run_series(name, &params, input, control, outs))
        })?;
        return Ok(PyTuple::new(py, rows)?.into_any());
    }
    let fill = |out: &mut [f64]| {
        run_sized(py, units, |control| {
            let run = |out: &mut [f64]| ind::run_columns(name, &params, rows, cols, input, control, out);
            // One series runs on this thread: handing it to the pool would cost more than a
            // short series takes.
            if cols == 1 {
                run(out)
            } else {
                crate::parallel::install(|| run(out))?
            }
        })
    };
    if shape.len() == 1 {
        Ok(filled(py, rows, false, WHAT, fill)?.into_any())
    } else {
        Ok(filled(py, (cols, n_out, rows), false, WHAT, fill)?.into_any())
    }
}

/// The indicators' declarations: `(name, inputs, [(param, default, kind, min, max)], outputs)`.
#[pyfunction]
pub fn indicator_specs(py: Python<'_>) -> PyResult<Bound<'_, PyList>> {
    let items = PyList::empty(py);
    for s in ind::SPECS {
        let params = PyList::empty(py);
        for p in s.params {
            let (kind, lo, hi) = match p.kind {
                ind::ParamKind::Int { min, max } => ("int", min as f64, max as f64),
                ind::ParamKind::Real { min, max } => ("real", min, max),
                ind::ParamKind::MaType => ("matype", 0.0, 8.0),
            };
            params.append((p.name, p.default, kind, lo, hi))?;
        }
        items.append((s.name, s.inputs.to_vec(), params, s.outputs.to_vec()))?;
    }
    Ok(items)
}

/// One indicator fed bar by bar.
#[pyclass(module = "quantumpanarchy._native.signal", name = "IndicatorStream")]
pub struct PyStream {
    inner: Stream,
}

fn result<'py>(py: Python<'py>, out: &[f64]) -> PyResult<Bound<'py, PyAny>> {
    if out.len() == 1 {
        Ok(out[0].into_pyobject(py)?.into_any())
    } else {
        Ok(PyTuple::new(py, out)?.into_any())
    }
}

impl PyStream {
    fn bar(&self, values: &Bound<'_, PyTuple>) -> PyResult<[f64; ind::MAX_IN]> {
        let n = self.inner.inputs();
        if values.len() != n {
            return Err(Error::InvalidInput(format!("update takes {n} values (one bar), got {}", values.len())).into());
        }
        let mut x = [0.0; ind::MAX_IN];
        for (slot, v) in x.iter_mut().zip(values.iter()) {
            *slot = args::real(&v)?;
        }
        Ok(x)
    }
}

#[pymethods]
impl PyStream {
    #[new]
    fn new(#[pyo3(from_py_with = args::text)] name: &str, params: Vec<f64>) -> PyResult<Self> {
        Ok(Self { inner: Stream::new(name, &params)? })
    }

    /// Feeds one bar; returns its output (a float, or a tuple of floats).
    #[pyo3(signature = (*values))]
    fn update<'py>(&mut self, py: Python<'py>, values: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, PyAny>> {
        let x = self.bar(values)?;
        let mut y = [0.0; ind::MAX_OUT];
        let n_out = self.inner.outputs();
        self.inner.update(&x[..self.inner.inputs()], &mut y[..n_out]);
        result(py, &y[..n_out])
    }

    /// The output the bar would give, the state unchanged.
    #[pyo3(signature = (*values))]
    fn peek<'py>(&self, py: Python<'py>, values: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, PyAny>> {
        let x = self.bar(values)?;
        let mut y = [0.0; ind::MAX_OUT];
        let n_out = self.inner.outputs();
        let mut probe = self.inner.clone();
        probe.update(&x[..self.inner.inputs()], &mut y[..n_out]);
        result(py, &y[..n_out])
    }

    /// Feeds many bars (`values`: inputs × bars, 2-D), returning outputs × bars.
    fn update_many<'py>(&mut self, py: Python<'py>, values: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let reals = args::reals::<IxDyn>(values, "values", true)?;
        let view = reals.view()?;
        let (n_in, n_out) = (self.inner.inputs(), self.inner.outputs());
        if view.ndim() != 2 || view.shape()[0] != n_in {
            return Err(Error::InvalidInput(format!(
                "values must have shape ({n_in}, bars), got {}",
                args::shape_text(view.shape())
            ))
            .into());
        }
        let bars = view.shape()[1];
        let mut out = crate::error::try_vec(n_out * bars, 0.0, "the stream's outputs")?;
        let mut x = [0.0; ind::MAX_IN];
        let mut y = [0.0; ind::MAX_OUT];
        for t in 0..bars {
            for (j, slot) in x.iter_mut().enumerate().take(n_in) {
                *slot = view[[j, t]];
            }
            self.inner.update(&x[..n_in], &mut y[..n_out]);
            for k in 0..n_out {
                out[k * bars + t] = y[k];
            }
        }
        let a = numpy::ndarray::Array2::from_shape_vec((n_out, bars), out)
            .map_err(|e| Error::Internal(format!("stream outputs: {e}")))?;
        Ok(a.into_pyarray(py).into_any())
    }

    /// The state as plain numbers.
    fn state(&self) -> Vec<f64> {
        self.inner.state()
    }

    /// Restores a state from [`PyStream::state`].
    fn set_state(&mut self, state: Vec<f64>) -> PyResult<()> {
        Ok(self.inner.set_state(&state)?)
    }

    fn copy(&self) -> Self {
        Self { inner: self.inner.clone() }
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(indicator, m)?)?;
    m.add_function(wrap_pyfunction!(indicator_specs, m)?)?;
    m.add_class::<PyStream>()?;
    Ok(())
}
