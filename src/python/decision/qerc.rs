//! `QERC` bindings: three stateless functions over a reservoir that the Python class keeps as
//! numpy arrays (so that pickling, `clone` and `get_params` stay plain Python). The public class
//! is `quantumpanarchy._decision.qerc.QERC`.

use crate::decision::qerc::{self, Layout, Outputs, Pooling, Readout, Reservoir, ReservoirSpec, Targets};
use crate::error::Error;
use crate::rng::resolve_seed;
use numpy::ndarray::{Array1, ArrayView2, CowArray, Ix2};
use numpy::{IntoPyArray, PyArray1};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};

use crate::python::args::{self, PyInt, Reals};
use crate::python::run::run_long;

fn corrupted(what: &str) -> PyErr {
    Error::InvalidInput(format!("the fitted reservoir is corrupted: {what}")).into()
}

fn item<'py>(d: &Bound<'py, PyDict>, key: &str) -> PyResult<Bound<'py, PyAny>> {
    d.get_item(key)?.ok_or_else(|| corrupted(&format!("'{key}' is missing")))
}

/// The reservoir from the arrays `qerc_reservoir` returned.
fn reservoir(d: &Bound<'_, PyDict>) -> PyResult<Reservoir> {
    let indptr = args::index_1d(&item(d, "indptr")?, "indptr")?;
    let indices = args::index_1d(&item(d, "indices")?, "indices")?;
    let values = args::real_1d_or_empty(&item(d, "data")?, "data")?.to_vec()?;
    let w_in = args::real_2d(&item(d, "Win")?, "Win")?;
    let (n, dim) = (w_in.shape()[0], w_in.shape()[1]);
    let w_in = w_in.to_vec()?;
    let bias = args::real_1d(&item(d, "bias")?, "bias")?.to_vec()?;
    let leak_rate: f64 = item(d, "leak_rate")?.extract()?;
    let indptr =
        indptr.into_iter().map(usize::try_from).collect::<Result<Vec<_>, _>>().map_err(|_| corrupted("indptr"))?;
    let indices =
        indices.into_iter().map(u32::try_from).collect::<Result<Vec<_>, _>>().map_err(|_| corrupted("indices"))?;
    Ok(Reservoir::from_parts(n, dim, indptr, indices, values, w_in, bias, leak_rate)?)
}

fn layout(washout: PyInt, pooling: Option<&str>, input_to_readout: bool) -> PyResult<Layout> {
    let pooling = match pooling {
        None => None,
        Some("mean") => Some(Pooling::Mean),
        Some("last") => Some(Pooling::Last),
        Some(other) => {
            return Err(Error::InvalidInput(format!("pooling must be 'mean' or 'last', got {other:?}")).into())
        }
    };
    Ok(Layout { washout: args::count(washout, "washout", 0)?, pooling, input_to_readout })
}

/// A list of 2-D real arrays (named `what[i]`).
fn arrays<'py>(list: &Bound<'py, PyList>, what: &str) -> PyResult<Vec<Reals<'py, Ix2>>> {
    list.iter().enumerate().map(|(i, a)| args::real_2d(&a, &format!("{what}[{i}]"))).collect()
}

/// Float64 forms of `arrays`: the caller's float64 memory, widened copies of float16/float32.
fn widened<'a>(arrays: &'a [Reals<'_, Ix2>]) -> Result<Vec<CowArray<'a, f64, Ix2>>, crate::error::Error> {
    arrays.iter().map(Reals::view).collect()
}

fn views<'a>(arrays: &'a [CowArray<'_, f64, Ix2>]) -> Vec<ArrayView2<'a, f64>> {
    arrays.iter().map(|a| a.view()).collect()
}

/// A random reservoir as a dict of arrays: W in CSR (`indptr`, `indices`, `data`), `Win`,
/// `bias`, `leak_rate`.
#[pyfunction]
#[pyo3(signature = (n_reservoir, n_features, spectral_radius, leak_rate, input_scaling, connectivity, input_connectivity, bias_scaling, seed = None))]
#[allow(clippy::too_many_arguments)]
pub fn qerc_reservoir<'py>(
    py: Python<'py>,
    n_reservoir: PyInt,
    n_features: PyInt,
    spectral_radius: f64,
    leak_rate: f64,
    input_scaling: f64,
    connectivity: f64,
    input_connectivity: f64,
    bias_scaling: f64,
    seed: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let spec = ReservoirSpec {
        n_reservoir: args::count(n_reservoir, "n_reservoir", 1)?,
        spectral_radius,
        leak_rate,
        input_scaling,
        connectivity,
        input_connectivity,
        bias_scaling,
    };
    let d = args::count(n_features, "the number of input features", 1)?;
    let seed = resolve_seed(args::seed(seed)?);
    // generating a large reservoir (its spectral radius) takes seconds: interruptible
    let r = run_long(py, None, |control| Reservoir::generate(&spec, d, seed, control))?;
    let out = PyDict::new(py);
    let indptr: Vec<i64> = r.indptr().iter().map(|&p| p as i64).collect();
    let indices: Vec<i32> = r.indices().iter().map(|&c| c as i32).collect();
    out.set_item("indptr", indptr.into_pyarray(py))?;
    out.set_item("indices", indices.into_pyarray(py))?;
    out.set_item("data", PyArray1::from_slice(py, r.values()))?;
    let w_in = numpy::ndarray::Array2::from_shape_vec((r.n(), d), r.w_in().to_vec())
        .map_err(|e| Error::Internal(format!("Win shape: {e}")))?;
    out.set_item("Win", w_in.into_pyarray(py))?;
    out.set_item("bias", PyArray1::from_slice(py, r.bias()))?;
    out.set_item("leak_rate", r.leak_rate())?;
    Ok(out)
}

/// Fits the readout. `y` is a list of 2-D target arrays (one per sequence) when `pooling` is
/// None, else one 2-D array with a row per sequence. Returns `(Wout, intercept, beta, state,
/// n_rows)`; `beta` (the probability inverse temperature) is None unless `classification`.
#[pyfunction]
#[pyo3(signature = (reservoir, X, y, washout, pooling, input_to_readout, ridge, classification))]
#[allow(non_snake_case, clippy::too_many_arguments)]
pub fn qerc_fit<'py>(
    py: Python<'py>,
    reservoir: &Bound<'py, PyDict>,
    X: &Bound<'py, PyList>,
    y: &Bound<'py, PyAny>,
    washout: PyInt,
    pooling: Option<&str>,
    input_to_readout: bool,
    ridge: f64,
    classification: bool,
) -> PyResult<Bound<'py, PyTuple>> {
    let res = self::reservoir(reservoir)?;
    let layout = layout(washout, pooling, input_to_readout)?;
    let xs = arrays(X, "X")?;
    let (per_step, per_sequence) = match layout.pooling {
        None => (arrays(y.cast::<PyList>()?, "y")?, None),
        Some(_) => (Vec::new(), Some(args::real_2d(y, "y")?)),
    };
    let (xs, per_step, per_sequence) =
        (widened(&xs)?, widened(&per_step)?, per_sequence.as_ref().map(Reals::view).transpose()?);
    let inputs = views(&xs);
    let targets = match &per_sequence {
        None => Targets::PerStep(views(&per_step)),
        Some(t) => Targets::PerSequence(t.view()),
    };
    let fitted =
        run_long(py, None, |control| qerc::fit(&res, &inputs, &targets, &layout, ridge, classification, control))?;
    let readout = fitted.readout;
    PyTuple::new(
        py,
        [
            readout.w_out.into_pyarray(py).into_any(),
            readout.intercept.into_pyarray(py).into_any(),
            fitted.beta.into_pyobject(py)?.into_any(),
            fitted.final_state.into_pyarray(py).into_any(),
            fitted.n_rows.into_pyobject(py)?.into_any(),
        ],
    )
}

/// Readout outputs for `X`: a list of 2-D arrays (one per sequence, every step) when `pooling`
/// is None, else one 2-D array with a row per sequence; and the final reservoir state. `state`
/// (a single sequence only) is where the reservoir starts instead of zero.
#[pyfunction]
#[pyo3(signature = (reservoir, Wout, intercept, X, washout, pooling, input_to_readout, state = None))]
#[allow(non_snake_case, clippy::too_many_arguments)]
pub fn qerc_predict<'py>(
    py: Python<'py>,
    reservoir: &Bound<'py, PyDict>,
    Wout: &Bound<'py, PyAny>,
    intercept: &Bound<'py, PyAny>,
    X: &Bound<'py, PyList>,
    washout: PyInt,
    pooling: Option<&str>,
    input_to_readout: bool,
    state: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyTuple>> {
    let res = self::reservoir(reservoir)?;
    let w_out = args::real_2d(Wout, "Wout")?.view()?.into_owned();
    let intercept = Array1::from(args::real_1d(intercept, "intercept")?.to_vec()?);
    let readout = Readout::from_parts(w_out, intercept)?;
    let layout = layout(washout, pooling, input_to_readout)?;
    let start = state.map(|s| args::real_1d(s, "state")).transpose()?.map(|s| s.to_vec()).transpose()?;
    let xs = arrays(X, "X")?;
    let xs = widened(&xs)?;
    let inputs = views(&xs);
    let (outputs, last) =
        run_long(py, None, |control| qerc::predict(&res, &readout, &inputs, &layout, start.as_deref(), control))?;
    let outputs = match outputs {
        Outputs::PerStep(outs) => PyList::new(py, outs.into_iter().map(|o| o.into_pyarray(py)))?.into_any(),
        Outputs::PerSequence(out) => out.into_pyarray(py).into_any(),
    };
    PyTuple::new(py, [outputs, last.into_pyarray(py).into_any()])
}
