//! Bindings: k nearest neighbours (`automl::knn`) and Gaussian naive Bayes
//! (`automl::naive_bayes`). The estimator classes are in `python/quantumpanarchy/_automl/`.

use crate::automl::{data, knn, naive_bayes};
use crate::python::args::{self, PyInt};
use crate::python::run::run_long;
use numpy::{PyArray2, ToPyArray};
use pyo3::prelude::*;

/// `(indices, distances)` of the neighbours, one row per query.
type Neighbours<'py> = (Bound<'py, PyArray2<i64>>, Bound<'py, PyArray2<f64>>);
/// `(theta, var, log_prior, epsilon)` of a Gaussian naive Bayes fit.
type NbFit<'py> = (Bound<'py, PyArray2<f64>>, Bound<'py, PyArray2<f64>>, Vec<f64>, f64);

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(kneighbors, m)?)?;
    m.add_function(wrap_pyfunction!(kneighbors_vote, m)?)?;
    m.add_function(wrap_pyfunction!(kneighbors_mean, m)?)?;
    m.add_function(wrap_pyfunction!(gaussian_nb_fit, m)?)?;
    m.add_function(wrap_pyfunction!(gaussian_nb_log_proba, m)?)?;
    Ok(())
}

/// For each row of `query`, the `k` nearest rows of `train`: `(indices, distances)`, nearest first.
#[pyfunction]
pub fn kneighbors<'py>(
    py: Python<'py>,
    train: &Bound<'py, PyAny>,
    query: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = args::int)] k: PyInt,
) -> PyResult<Neighbours<'py>> {
    let k = args::count(k, "n_neighbors", 1)?;
    let (train, query) = (args::real_2d(train, "X")?, args::real_2d(query, "X")?);
    let (tv, qv) = (train.view()?, query.view()?);
    let (idx, dist) = run_long(py, None, |c| knn::Index::new(tv.view())?.kneighbors(qv.view(), k, c))?;
    Ok((idx.mapv(|i| i as i64).to_pyarray(py), dist.to_pyarray(py)))
}

/// Class shares among the `k` nearest rows of `train` for each row of `query` (queries ×
/// `classes`); `codes` are the training rows' class indices.
#[pyfunction]
pub fn kneighbors_vote<'py>(
    py: Python<'py>,
    train: &Bound<'py, PyAny>,
    query: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = args::int)] k: PyInt,
    codes: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = args::int)] classes: PyInt,
    by_distance: bool,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let (k, classes) = (args::count(k, "n_neighbors", 1)?, args::count(classes, "classes", 1)?);
    let (train, query, codes) = (args::real_2d(train, "X")?, args::real_2d(query, "X")?, args::real_1d(codes, "y")?);
    let (tv, qv, cv) = (train.view()?, query.view()?, codes.view()?);
    let proba = run_long(py, None, |c| {
        crate::ensure!(cv.len() == tv.nrows(), "{} class codes for {} training rows", cv.len(), tv.nrows());
        let codes = data::classes(cv.view(), classes)?;
        let (idx, dist) = knn::Index::new(tv.view())?.kneighbors(qv.view(), k, c)?;
        Ok(knn::vote(&idx, &dist, &codes, classes, by_distance))
    })?;
    Ok(proba.to_pyarray(py))
}

/// The (weighted) mean of `y` over the `k` nearest rows of `train` for each row of `query`.
#[pyfunction]
pub fn kneighbors_mean<'py>(
    py: Python<'py>,
    train: &Bound<'py, PyAny>,
    query: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = args::int)] k: PyInt,
    y: &Bound<'py, PyAny>,
    by_distance: bool,
) -> PyResult<Vec<f64>> {
    let k = args::count(k, "n_neighbors", 1)?;
    let (train, query, y) = (args::real_2d(train, "X")?, args::real_2d(query, "X")?, args::real_1d(y, "y")?);
    let (tv, qv, yv) = (train.view()?, query.view()?, y.view()?);
    run_long(py, None, |c| {
        crate::ensure!(yv.len() == tv.nrows(), "{} targets for {} training rows", yv.len(), tv.nrows());
        let (idx, dist) = knn::Index::new(tv.view())?.kneighbors(qv.view(), k, c)?;
        Ok(knn::average(&idx, &dist, &yv.to_vec(), by_distance))
    })
}

/// Gaussian naive Bayes on class indices: `(theta, var, log_prior, epsilon)`.
#[pyfunction]
pub fn gaussian_nb_fit<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    y: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = args::int)] classes: PyInt,
    priors: Option<&Bound<'py, PyAny>>,
    #[pyo3(from_py_with = args::real)] var_smoothing: f64,
) -> PyResult<NbFit<'py>> {
    let k = args::count(classes, "classes", 1)?;
    let (x, y) = (args::real_2d(x, "X")?, args::real_1d(y, "y")?);
    let priors = priors.map(|p| args::real_1d(p, "priors")?.to_vec().map_err(PyErr::from)).transpose()?;
    let (xv, yv) = (x.view()?, y.view()?);
    let m = run_long(py, None, |_| naive_bayes::fit(xv.view(), yv.view(), k, priors.as_deref(), var_smoothing))?;
    Ok((m.theta.to_pyarray(py), m.var.to_pyarray(py), m.log_prior, m.epsilon))
}

/// log P(class | x) of each row under a fitted model's `theta`, `var` and `log_prior`.
#[pyfunction]
pub fn gaussian_nb_log_proba<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    theta: &Bound<'py, PyAny>,
    var: &Bound<'py, PyAny>,
    log_prior: Vec<f64>,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let x = args::real_2d(x, "X")?;
    let xv = x.view()?;
    let model = naive_bayes::GaussianNb {
        theta: args::real_2d(theta, "theta")?.view()?.into_owned(),
        var: args::real_2d(var, "var")?.view()?.into_owned(),
        log_prior,
        epsilon: 0.0,
    };
    let out = run_long(py, None, |_| model.predict_log_proba(xv.view()))?;
    Ok(out.to_pyarray(py))
}
