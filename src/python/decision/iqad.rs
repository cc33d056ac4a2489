//! `IqadModel`: the fitted state behind `quantumpanarchy.decision.IQAD` (the Python class in
//! `python/quantumpanarchy/_decision/iqad.py` holds the hyper-parameters and calls these).

use crate::decision::iqad::preprocess::Preprocessor;
use crate::decision::iqad::rbm::Rbm;
use crate::decision::iqad::train::Velocity;
use crate::decision::iqad::{Config, Iqad, Window};
use crate::error::Error;
use crate::parallel;
use crate::rng::resolve_seed;
use numpy::ndarray::{Array1, Array2};
use numpy::{IntoPyArray, PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use std::sync::RwLock;

use crate::python::args::{self, PyInt};
use crate::python::lock;
use crate::python::run::run_long;

/// Version of the pickled state (bump when its keys change).
const STATE_VERSION: u32 = 1;

/// A fitted IQAD detector (preprocessing, RBM, momentum, threshold window). Safe to share
/// between threads: scoring takes a shared lock, `update` an exclusive one.
#[pyclass(module = "quantumpanarchy._native.decision", name = "IqadModel", frozen)]
pub struct PyIqadModel {
    inner: RwLock<Iqad>,
}

fn threads(num_threads: Option<PyInt>) -> PyResult<Option<usize>> {
    num_threads.map(|t| args::count(t, "num_threads", 1)).transpose()
}

fn matrix<'py>(py: Python<'py>, values: &[f64], cols: usize) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let rows = values.len().checked_div(cols).unwrap_or(0);
    Array2::from_shape_vec((rows, cols), values.to_vec())
        .map(|a| a.into_pyarray(py))
        .map_err(|e| Error::Internal(format!("matrix shape: {e}")).into())
}

fn vector<'py>(py: Python<'py>, values: &[f64]) -> Bound<'py, PyArray1<f64>> {
    Array1::from_vec(values.to_vec()).into_pyarray(py)
}

#[pymethods]
impl PyIqadModel {
    /// Fits a model to the rows of `x` (hyper-parameters already type-checked by the Python class;
    /// ranges are checked here).
    #[staticmethod]
    #[pyo3(signature = (
        x, *, n_hidden, learning_rate, n_epochs, batch_size, cd_steps, persistent, momentum, l2,
        visible_sigma, whiten, contamination, window, seed, num_threads = None, progress = None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn fit(
        py: Python<'_>,
        x: &Bound<'_, PyAny>,
        #[pyo3(from_py_with = args::int)] n_hidden: PyInt,
        learning_rate: f64,
        #[pyo3(from_py_with = args::int)] n_epochs: PyInt,
        #[pyo3(from_py_with = args::int)] batch_size: PyInt,
        #[pyo3(from_py_with = args::int)] cd_steps: PyInt,
        persistent: bool,
        momentum: f64,
        l2: f64,
        visible_sigma: f64,
        whiten: bool,
        contamination: f64,
        #[pyo3(from_py_with = args::opt_int)] window: Option<PyInt>,
        seed: Option<&Bound<'_, PyAny>>,
        #[pyo3(from_py_with = args::opt_int)] num_threads: Option<PyInt>,
        progress: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let config = Config {
            n_hidden: args::count(n_hidden, "n_hidden", 1)?,
            learning_rate,
            n_epochs: args::count(n_epochs, "n_epochs", 0)?,
            batch_size: args::count(batch_size, "batch_size", 1)?,
            cd_steps: args::count(cd_steps, "cd_steps", 1)?,
            persistent,
            momentum,
            l2,
            visible_sigma,
            whiten,
            contamination,
            window: window.map(|w| args::count(w, "window", 1)).transpose()?,
        };
        config.validate()?;
        let threads = threads(num_threads)?;
        let seed = resolve_seed(args::seed(seed)?);
        let x = args::real_2d(x, "X")?;
        let x = x.view()?;
        let view = x.view();
        let cb = args::progress(py, progress, "IQAD.fit", "batch")?;
        let out = run_long(py, cb.as_ref(), |control| {
            parallel::with_threads(threads, || Iqad::fit(view, config, seed, control))?
        });
        args::close_progress(cb)?;
        Ok(Self { inner: RwLock::new(out?) })
    }

    /// F(v) of each row of `x` (higher: less likely under the model).
    #[pyo3(signature = (x, num_threads = None))]
    fn free_energy<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        #[pyo3(from_py_with = args::opt_int)] num_threads: Option<PyInt>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let threads = threads(num_threads)?;
        let x = args::real_2d(x, "X")?;
        let x = x.view()?;
        let view = x.view();
        let g = lock::read(py, &self.inner);
        let model: &Iqad = &g;
        // a large X takes seconds: interruptible
        let f =
            run_long(py, None, |control| parallel::with_threads(threads, || model.free_energy_until(view, control))?)?;
        Ok(f.into_pyarray(py))
    }

    /// Online CD steps on the rows of `x`; the threshold follows the window of recent rows.
    #[pyo3(signature = (x, num_threads = None))]
    fn update(
        &self,
        py: Python<'_>,
        x: &Bound<'_, PyAny>,
        #[pyo3(from_py_with = args::opt_int)] num_threads: Option<PyInt>,
    ) -> PyResult<()> {
        let threads = threads(num_threads)?;
        let x = args::real_2d(x, "X")?;
        let x = x.view()?;
        let view = x.view();
        let mut g = lock::write(py, &self.inner);
        let model: &mut Iqad = &mut g;
        run_long(py, None, |control| parallel::with_threads(threads, || model.update(view, control))?)
    }

    /// The fitted attributes as a dict of numpy arrays and numbers.
    fn attributes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        attributes(py, &lock::read(py, &self.inner))
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let g = lock::read(py, &self.inner);
        format!(
            "IqadModel(n_features={}, n_hidden={}, n_steps={}, offset={})",
            g.n_features(),
            g.rbm.n_hidden,
            g.steps,
            g.offset
        )
    }

    /// Everything needed to continue exactly where this model is (for pickling).
    fn state<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let g = lock::read(py, &self.inner);
        let d = g.n_features();
        let c = &g.config;
        let s = attributes(py, &g)?;
        s.set_item("version", STATE_VERSION)?;
        s.set_item("n_hidden", c.n_hidden)?;
        s.set_item("learning_rate", c.learning_rate)?;
        s.set_item("n_epochs", c.n_epochs)?;
        s.set_item("batch_size", c.batch_size)?;
        s.set_item("cd_steps", c.cd_steps)?;
        s.set_item("persistent", c.persistent)?;
        s.set_item("momentum", c.momentum)?;
        s.set_item("l2", c.l2)?;
        s.set_item("visible_sigma", c.visible_sigma)?;
        s.set_item("whiten", c.whiten)?;
        s.set_item("contamination", c.contamination)?;
        s.set_item("window", c.window)?;
        s.set_item("velocity_weights", matrix(py, &g.velocity.weights, g.rbm.n_hidden)?)?;
        s.set_item("velocity_visible_bias", vector(py, &g.velocity.visible_bias))?;
        s.set_item("velocity_hidden_bias", vector(py, &g.velocity.hidden_bias))?;
        match &g.chains {
            Some(ch) => s.set_item("chains", matrix(py, ch, d)?)?,
            None => s.set_item("chains", py.None())?,
        }
        s.set_item("window_capacity", g.window.capacity)?;
        s.set_item("window_next", g.window.next)?;
        s.set_item("window_data", matrix(py, &g.window.rows, d)?)?;
        Ok(s)
    }

    /// A model from [`state`](Self::state)'s dict; everything is checked.
    #[staticmethod]
    fn from_state(state: &Bound<'_, PyDict>) -> PyResult<Self> {
        let model = from_state(state).map_err(|e| Error::InvalidInput(format!("not a valid IqadModel state: {e}")))?;
        Ok(Self { inner: RwLock::new(model) })
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let from_state = py.get_type::<Self>().getattr("from_state")?;
        let state = slf.get().state(py)?;
        Ok((from_state, PyTuple::new(py, [state])?))
    }
}

/// The fitted attributes of `g` as a dict.
fn attributes<'py>(py: Python<'py>, g: &Iqad) -> PyResult<Bound<'py, PyDict>> {
    let (d, m) = (g.n_features(), g.rbm.n_hidden);
    let out = PyDict::new(py);
    out.set_item("weights", matrix(py, &g.rbm.weights, m)?)?;
    out.set_item("visible_bias", vector(py, &g.rbm.visible_bias))?;
    out.set_item("hidden_bias", vector(py, &g.rbm.hidden_bias))?;
    out.set_item("mean", vector(py, &g.prep.mean))?;
    out.set_item("scale", vector(py, &g.prep.scale))?;
    match &g.prep.whitening {
        Some(w) => out.set_item("whitening", matrix(py, w, d)?)?,
        None => out.set_item("whitening", py.None())?,
    }
    out.set_item("offset", g.offset)?;
    out.set_item("n_features", d)?;
    out.set_item("n_iter", g.epochs)?;
    out.set_item("n_steps", g.steps)?;
    out.set_item("reconstruction_error", vector(py, &g.reconstruction_error))?;
    out.set_item("seed", g.seed)?;
    out.set_item("window_rows", g.window.rows.len() / d)?;
    Ok(out)
}

fn get<'py>(state: &Bound<'py, PyDict>, key: &str) -> PyResult<Bound<'py, PyAny>> {
    state.get_item(key)?.ok_or_else(|| Error::InvalidInput(format!("missing {key:?}")).into())
}

fn f64s(state: &Bound<'_, PyDict>, key: &str) -> PyResult<Vec<f64>> {
    let v = get(state, key)?;
    if let Ok(a) = v.cast::<PyArray2<f64>>() {
        let a: PyReadonlyArray2<f64> = a.readonly();
        return Ok(a.as_array().iter().copied().collect());
    }
    let a: PyReadonlyArray1<f64> = v.cast::<PyArray1<f64>>()?.readonly();
    Ok(a.as_array().to_vec())
}

fn optional_f64s(state: &Bound<'_, PyDict>, key: &str) -> PyResult<Option<Vec<f64>>> {
    if get(state, key)?.is_none() {
        return Ok(None);
    }
    f64s(state, key).map(Some)
}

fn from_state(state: &Bound<'_, PyDict>) -> PyResult<Iqad> {
    let version: u32 = get(state, "version")?.extract()?;
    if version != STATE_VERSION {
        return Err(Error::InvalidInput(format!("state version {version}, this build reads {STATE_VERSION}")).into());
    }
    let config = Config {
        n_hidden: get(state, "n_hidden")?.extract()?,
        learning_rate: get(state, "learning_rate")?.extract()?,
        n_epochs: get(state, "n_epochs")?.extract()?,
        batch_size: get(state, "batch_size")?.extract()?,
        cd_steps: get(state, "cd_steps")?.extract()?,
        persistent: get(state, "persistent")?.extract()?,
        momentum: get(state, "momentum")?.extract()?,
        l2: get(state, "l2")?.extract()?,
        visible_sigma: get(state, "visible_sigma")?.extract()?,
        whiten: get(state, "whiten")?.extract()?,
        contamination: get(state, "contamination")?.extract()?,
        window: get(state, "window")?.extract()?,
    };
    let prep =
        Preprocessor::from_parts(f64s(state, "mean")?, f64s(state, "scale")?, optional_f64s(state, "whitening")?)?;
    let d = prep.n_features();
    let rbm = Rbm {
        n_visible: d,
        n_hidden: config.n_hidden,
        sigma: config.visible_sigma,
        weights: f64s(state, "weights")?,
        visible_bias: f64s(state, "visible_bias")?,
        hidden_bias: f64s(state, "hidden_bias")?,
    };
    let velocity = Velocity {
        weights: f64s(state, "velocity_weights")?,
        visible_bias: f64s(state, "velocity_visible_bias")?,
        hidden_bias: f64s(state, "velocity_hidden_bias")?,
    };
    let window = Window {
        capacity: get(state, "window_capacity")?.extract()?,
        rows: f64s(state, "window_data")?,
        next: get(state, "window_next")?.extract()?,
    };
    let model = Iqad {
        config,
        prep,
        rbm,
        velocity,
        chains: optional_f64s(state, "chains")?,
        window,
        seed: get(state, "seed")?.extract()?,
        steps: get(state, "n_steps")?.extract()?,
        epochs: get(state, "n_iter")?.extract()?,
        offset: get(state, "offset")?.extract()?,
        reconstruction_error: f64s(state, "reconstruction_error")?,
    };
    model.check()?;
    Ok(model)
}
