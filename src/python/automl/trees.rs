//! Bindings: decision trees and forests (`automl::tree`, `automl::forest`). A fit returns the
//! nodes as numpy arrays in a dict; the estimator classes in
//! `python/quantumpanarchy/_automl/trees.py` keep (and pickle) them and pass them back to predict.

use crate::automl::forest::{self, Sampling};
use crate::automl::tree::{self, Criterion, Nodes, Params, Splitter};
use crate::python::args::{self, PyInt};
use crate::python::run::run_long;
use numpy::{PyArray1, PyArray2, ToPyArray};
use pyo3::prelude::*;
use pyo3::types::PyDict;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(forest_fit, m)?)?;
    m.add_function(wrap_pyfunction!(forest_predict, m)?)?;
    Ok(())
}

/// Grow `n_estimators` trees on `x` and `y` (class indices in 0..`classes`, or real targets for
/// `classes == 0`); `bootstrap` is the number of rows each tree draws with replacement, None for
/// every row once. Returns the dict of node arrays: `offsets`, `children_left`, `children_right`,
/// `feature`, `threshold`, `value`, `n_node_samples`, `weighted_n_node_samples`, `impurity`,
/// `feature_importances`.
#[pyfunction]
#[pyo3(signature = (
    x, y, classes, criterion, splitter, max_depth, min_samples_split, min_samples_leaf, max_features,
    min_impurity_decrease, n_estimators, bootstrap, seed
))]
#[allow(clippy::too_many_arguments)]
pub fn forest_fit<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    y: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = args::int)] classes: PyInt,
    #[pyo3(from_py_with = args::text)] criterion: &str,
    #[pyo3(from_py_with = args::text)] splitter: &str,
    #[pyo3(from_py_with = args::opt_int)] max_depth: Option<PyInt>,
    #[pyo3(from_py_with = args::int)] min_samples_split: PyInt,
    #[pyo3(from_py_with = args::int)] min_samples_leaf: PyInt,
    #[pyo3(from_py_with = args::int)] max_features: PyInt,
    #[pyo3(from_py_with = args::real)] min_impurity_decrease: f64,
    #[pyo3(from_py_with = args::int)] n_estimators: PyInt,
    #[pyo3(from_py_with = args::opt_int)] bootstrap: Option<PyInt>,
    seed: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let k = args::count(classes, "classes", 0)?;
    let params = Params {
        criterion: Criterion::parse(criterion, k > 0)?,
        splitter: Splitter::parse(splitter)?,
        max_depth: max_depth.map(|v| args::count(v, "max_depth", 1)).transpose()?.unwrap_or(usize::MAX),
        min_samples_split: args::count(min_samples_split, "min_samples_split", 2)?,
        min_samples_leaf: args::count(min_samples_leaf, "min_samples_leaf", 1)?,
        min_impurity_decrease,
        max_features: args::count(max_features, "max_features", 1)?,
    };
    let sampling = Sampling {
        n_estimators: args::count(n_estimators, "n_estimators", 1)?,
        bootstrap: bootstrap.map(|v| args::count(v, "max_samples", 1)).transpose()?,
    };
    let seed = crate::rng::resolve_seed(args::seed(seed)?);
    let (x, y) = (args::real_2d(x, "X")?, args::real_1d(y, "y")?);
    let (xv, yv) = (x.view()?, y.view()?);
    let fit = run_long(py, None, |c| {
        let data = tree::Data::new(xv.view(), yv.view(), k)?;
        forest::fit(&data, &params, sampling, seed, c)
    })?;
    let nodes = fit.nodes;
    let width = k.max(1);
    let value = ndarray::Array2::from_shape_vec((nodes.len(), width), nodes.value).expect("nodes × width");
    let out = PyDict::new(py);
    out.set_item("offsets", PyArray1::from_vec(py, fit.offsets))?;
    out.set_item("children_left", PyArray1::from_vec(py, nodes.left))?;
    out.set_item("children_right", PyArray1::from_vec(py, nodes.right))?;
    out.set_item("feature", PyArray1::from_vec(py, nodes.feature))?;
    out.set_item("threshold", PyArray1::from_vec(py, nodes.threshold))?;
    out.set_item("value", value.to_pyarray(py))?;
    out.set_item("n_node_samples", PyArray1::from_vec(py, nodes.n_node_samples))?;
    out.set_item("weighted_n_node_samples", PyArray1::from_vec(py, nodes.weighted_n_node_samples))?;
    out.set_item("impurity", PyArray1::from_vec(py, nodes.impurity))?;
    out.set_item("feature_importances", PyArray1::from_vec(py, fit.importances))?;
    Ok(out)
}

/// The mean over the trees of the leaf values the rows of `x` reach (rows × values per node).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub fn forest_predict<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    offsets: &Bound<'py, PyAny>,
    children_left: &Bound<'py, PyAny>,
    children_right: &Bound<'py, PyAny>,
    feature: &Bound<'py, PyAny>,
    threshold: &Bound<'py, PyAny>,
    value: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let x = args::real_2d(x, "X")?;
    let xv = x.view()?;
    let offsets = args::index_1d(offsets, "offsets")?;
    let left = args::index_1d(children_left, "children_left")?;
    let right = args::index_1d(children_right, "children_right")?;
    let feature = args::index_1d(feature, "feature")?;
    let threshold = args::real_1d(threshold, "threshold")?.to_vec()?;
    let value = args::real_2d(value, "value")?;
    let vv = value.view()?;
    let nodes = Nodes {
        offsets: &offsets,
        left: &left,
        right: &right,
        feature: &feature,
        threshold: &threshold,
        value: vv.view(),
    };
    let out = run_long(py, None, |c| nodes.predict(xv.view(), c))?;
    Ok(out.to_pyarray(py))
}
