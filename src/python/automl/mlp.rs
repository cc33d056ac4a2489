//! Bindings: multi-layer perceptrons (`automl::mlp`). A fit returns the weights and scikit-learn's
//! record of the run as a dict; the estimator classes in `python/quantumpanarchy/_automl/mlp.py`
//! hold them (and pickle them) and pass them back to predict.

use crate::automl::mlp::{self, Activation, Network, Output, Settings, Solver, Task};
use crate::python::args::{self, PyInt};
use crate::python::run::{run_long, run_sized};
use numpy::{PyArray2, ToPyArray};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

/// A network's `(coefs, intercepts)` as Python passes them: lists of numpy arrays.
type Layers<'py> = (Vec<Bound<'py, PyAny>>, Vec<Bound<'py, PyAny>>);

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(mlp_fit, m)?)?;
    m.add_function(wrap_pyfunction!(mlp_predict, m)?)?;
    Ok(())
}

fn network(
    coefs: &[Bound<'_, PyAny>],
    intercepts: &[Bound<'_, PyAny>],
    activation: Activation,
    output: Output,
) -> PyResult<Network> {
    let coefs = coefs.iter().map(|c| Ok(args::real_2d(c, "coefs_")?.view()?.into_owned())).collect::<PyResult<_>>()?;
    let intercepts = intercepts
        .iter()
        .map(|b| Ok(ndarray::Array1::from(args::real_1d(b, "intercepts_")?.to_vec()?)))
        .collect::<PyResult<_>>()?;
    Ok(Network { coefs, intercepts, activation, output })
}

/// Fits a network on `y` (real targets for `classes = 0`, else class indices in 0..classes),
/// from `init = (coefs, intercepts)` if given: a dict of the fitted state as scikit-learn names it
/// (`coefs_`, `intercepts_`, `n_iter_`, `loss_`, `loss_curve_`, `best_loss_`,
/// `validation_scores_`, `best_validation_score_`, `t_`, `out_activation_`) and `converged`.
#[pyfunction]
#[pyo3(signature = (
    x, y, classes, hidden, activation, solver, alpha, batch_size, learning_rate_init, max_iter,
    shuffle, tol, n_iter_no_change, early_stopping, validation_fraction, beta_1, beta_2, epsilon,
    max_fun, seed=None, init=None
))]
#[allow(clippy::too_many_arguments)]
pub fn mlp_fit<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    y: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = args::int)] classes: PyInt,
    hidden: Vec<PyInt>,
    #[pyo3(from_py_with = args::text)] activation: &str,
    #[pyo3(from_py_with = args::text)] solver: &str,
    #[pyo3(from_py_with = args::real)] alpha: f64,
    #[pyo3(from_py_with = args::opt_int)] batch_size: Option<PyInt>,
    #[pyo3(from_py_with = args::real)] learning_rate_init: f64,
    #[pyo3(from_py_with = args::int)] max_iter: PyInt,
    shuffle: bool,
    #[pyo3(from_py_with = args::real)] tol: f64,
    #[pyo3(from_py_with = args::int)] n_iter_no_change: PyInt,
    early_stopping: bool,
    #[pyo3(from_py_with = args::real)] validation_fraction: f64,
    #[pyo3(from_py_with = args::real)] beta_1: f64,
    #[pyo3(from_py_with = args::real)] beta_2: f64,
    #[pyo3(from_py_with = args::real)] epsilon: f64,
    #[pyo3(from_py_with = args::int)] max_fun: PyInt,
    seed: Option<&Bound<'py, PyAny>>,
    init: Option<Layers<'py>>,
) -> PyResult<Bound<'py, PyDict>> {
    let task = match args::count(classes, "classes", 0)? {
        0 => Task::Regression,
        k => Task::Classes(k),
    };
    let s = Settings {
        hidden: hidden.into_iter().map(|h| args::count(h, "hidden_layer_sizes", 1)).collect::<PyResult<_>>()?,
        activation: Activation::parse(activation)?,
        solver: Solver::parse(solver)?,
        alpha,
        batch_size: batch_size.map(|b| args::count(b, "batch_size", 1)).transpose()?,
        learning_rate_init,
        max_iter: args::count(max_iter, "max_iter", 1)?,
        shuffle,
        tol,
        n_iter_no_change: args::count(n_iter_no_change, "n_iter_no_change", 1)?,
        early_stopping,
        validation_fraction,
        beta_1,
        beta_2,
        epsilon,
        max_fun: args::count(max_fun, "max_fun", 1)?,
        seed: crate::rng::resolve_seed(args::seed(seed)?),
    };
    // the output function is the task's; the initial network only supplies the weights
    let init = init.map(|(c, b)| network(&c, &b, s.activation, Output::Identity)).transpose()?;
    let (x, y) = (args::real_2d(x, "X")?, args::real_1d(y, "y")?);
    let (xv, yv) = (x.view()?, y.view()?);
    let f = run_long(py, None, |c| mlp::fit(xv.view(), yv.view(), task, &s, init.as_ref(), c))?;
    let out = PyDict::new(py);
    let coefs = PyList::new(py, f.network.coefs.iter().map(|w| w.to_pyarray(py)))?;
    let intercepts = PyList::new(py, f.network.intercepts.iter().map(|b| b.to_pyarray(py)))?;
    out.set_item("coefs_", coefs)?;
    out.set_item("intercepts_", intercepts)?;
    out.set_item("n_iter_", f.n_iter)?;
    out.set_item("loss_", f.loss)?;
    out.set_item("t_", f.t)?;
    out.set_item("out_activation_", f.network.output.name())?;
    out.set_item("converged", f.converged)?;
    if s.solver == Solver::Adam {
        out.set_item("loss_curve_", f.loss_curve)?;
        out.set_item("best_loss_", f.best_loss)?;
        out.set_item("validation_scores_", s.early_stopping.then_some(f.validation_scores))?;
        out.set_item("best_validation_score_", f.best_validation_score)?;
    }
    Ok(out)
}

/// The output layer's values for `x` under a fitted network (rows × outputs).
#[pyfunction]
pub fn mlp_predict<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    coefs: Vec<Bound<'py, PyAny>>,
    intercepts: Vec<Bound<'py, PyAny>>,
    #[pyo3(from_py_with = args::text)] activation: &str,
    #[pyo3(from_py_with = args::text)] output: &str,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let net = network(&coefs, &intercepts, Activation::parse(activation)?, Output::parse(output)?)?;
    let x = args::real_2d(x, "X")?;
    let xv = x.view()?;
    let units = (xv.len() as u64).saturating_mul(net.coefs.iter().map(|w| w.ncols() as u64).sum());
    let out = run_sized(py, units, |_| net.predict(xv.view()))?;
    Ok(out.to_pyarray(py))
}
