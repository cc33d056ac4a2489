//! Bindings: histogram-based gradient boosting (`automl::hist_gbt`). The fit returns the forest
//! as flat numpy arrays, which the estimator classes in `python/quantumpanarchy/_automl/
//! boosting.py` keep (and pickle) and pass back to predict.

use crate::automl::hist_gbt::{self, Forest, Loss, Settings};
use crate::python::args::{self, PyInt};
use crate::python::run::{run_long, run_sized};
use numpy::{PyArray1, PyArray2, ToPyArray};
use pyo3::prelude::*;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(hist_gbt_fit, m)?)?;
    m.add_function(wrap_pyfunction!(hist_gbt_predict, m)?)?;
    Ok(())
}

type I64s<'py> = Bound<'py, PyArray1<i64>>;
type F64s<'py> = Bound<'py, PyArray1<f64>>;
/// `(feature, threshold, left, right, value, offsets, baseline, n_iter, train_score,
/// validation_score)` of a fit.
type BoostFit<'py> =
    (I64s<'py>, F64s<'py>, I64s<'py>, I64s<'py>, F64s<'py>, I64s<'py>, F64s<'py>, usize, F64s<'py>, F64s<'py>);

fn opt_count(v: Option<PyInt>, name: &str, min: PyInt) -> PyResult<Option<usize>> {
    v.map(|v| args::count(v, name, min)).transpose()
}

/// Fit a forest on `x` and `y` (targets for `classes = 0`, else class indices 0..classes).
#[pyfunction]
#[pyo3(signature = (x, y, classes, learning_rate, max_iter, max_leaf_nodes, max_depth, min_samples_leaf,
    l2_regularization, max_bins, early_stopping, validation_fraction, n_iter_no_change, tol, random_state))]
#[allow(clippy::too_many_arguments)]
pub fn hist_gbt_fit<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    y: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = args::int)] classes: PyInt,
    #[pyo3(from_py_with = args::real)] learning_rate: f64,
    #[pyo3(from_py_with = args::int)] max_iter: PyInt,
    #[pyo3(from_py_with = args::opt_int)] max_leaf_nodes: Option<PyInt>,
    #[pyo3(from_py_with = args::opt_int)] max_depth: Option<PyInt>,
    #[pyo3(from_py_with = args::int)] min_samples_leaf: PyInt,
    #[pyo3(from_py_with = args::real)] l2_regularization: f64,
    #[pyo3(from_py_with = args::int)] max_bins: PyInt,
    early_stopping: bool,
    #[pyo3(from_py_with = args::opt_real)] validation_fraction: Option<f64>,
    #[pyo3(from_py_with = args::int)] n_iter_no_change: PyInt,
    #[pyo3(from_py_with = args::real)] tol: f64,
    random_state: Option<&Bound<'py, PyAny>>,
) -> PyResult<BoostFit<'py>> {
    let classes = args::count(classes, "classes", 0)?;
    let s = Settings {
        loss: if classes == 0 { Loss::SquaredError } else { Loss::LogLoss { classes } },
        learning_rate,
        max_iter: args::count(max_iter, "max_iter", 1)?,
        max_leaf_nodes: opt_count(max_leaf_nodes, "max_leaf_nodes", 2)?,
        max_depth: opt_count(max_depth, "max_depth", 1)?,
        min_samples_leaf: args::count(min_samples_leaf, "min_samples_leaf", 1)?,
        l2_regularization,
        max_bins: args::count(max_bins, "max_bins", 2)?,
        early_stopping,
        validation_fraction,
        n_iter_no_change: args::count(n_iter_no_change, "n_iter_no_change", 1)?,
        tol,
        seed: crate::rng::resolve_seed(args::seed(random_state)?),
    };
    let (x, y) = (args::real_2d(x, "X")?, args::real_1d(y, "y")?);
    let (xv, yv) = (x.view()?, y.view()?);
    let f = run_long(py, None, |c| hist_gbt::fit(xv.view(), yv.view(), &s, c))?;
    let t = f.forest;
    Ok((
        PyArray1::from_vec(py, t.feature),
        PyArray1::from_vec(py, t.threshold),
        PyArray1::from_vec(py, t.left),
        PyArray1::from_vec(py, t.right),
        PyArray1::from_vec(py, t.value),
        PyArray1::from_vec(py, t.offsets),
        PyArray1::from_vec(py, t.baseline),
        f.n_iter,
        PyArray1::from_vec(py, f.train_score),
        PyArray1::from_vec(py, f.validation_score),
    ))
}

/// Raw predictions (`proba = false`, rows × outputs) or class probabilities of a fitted forest.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub fn hist_gbt_predict<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    feature: &Bound<'py, PyAny>,
    threshold: &Bound<'py, PyAny>,
    left: &Bound<'py, PyAny>,
    right: &Bound<'py, PyAny>,
    value: &Bound<'py, PyAny>,
    offsets: &Bound<'py, PyAny>,
    baseline: &Bound<'py, PyAny>,
    proba: bool,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let forest = Forest {
        feature: args::index_1d(feature, "feature")?,
        threshold: args::real_1d_or_empty(threshold, "threshold")?.to_vec()?,
        left: args::index_1d(left, "left")?,
        right: args::index_1d(right, "right")?,
        value: args::real_1d_or_empty(value, "value")?.to_vec()?,
        offsets: args::index_1d(offsets, "offsets")?,
        baseline: args::real_1d(baseline, "baseline")?.to_vec()?,
    };
    let x = args::real_2d(x, "X")?;
    let xv = x.view()?;
    let units = (xv.nrows() as u64).saturating_mul(forest.offsets.len() as u64 * 8);
    let out = run_sized(py, units, |c| match proba {
        true => forest.predict_proba(xv.view(), c),
        false => forest.predict_raw(xv.view(), c),
    })?;
    Ok(out.to_pyarray(py))
}
