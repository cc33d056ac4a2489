//! Bindings: what the AutoML search itself computes natively (`automl::bayes`, its surrogate's
//! posterior). The search is in `python/quantumpanarchy/_automl/search.py`.

use crate::automl::bayes;
use crate::python::args;
use crate::python::run::run_long;
use numpy::{PyArray1, ToPyArray};
use pyo3::prelude::*;

/// `(mean, draw)` of the surrogate's posterior; `draw` is None without `z`.
type Posterior<'py> = (Bound<'py, PyArray1<f64>>, Option<Bound<'py, PyArray1<f64>>>);

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(bayes_posterior, m)?)?;
    Ok(())
}

/// Bayesian linear regression of the standardised `y` on `phi` with prior precisions `prior`:
/// the posterior mean and, given standard normal `z`, a posterior draw.
#[pyfunction]
#[pyo3(signature = (phi, y, prior, z=None))]
pub fn bayes_posterior<'py>(
    py: Python<'py>,
    phi: &Bound<'py, PyAny>,
    y: &Bound<'py, PyAny>,
    prior: &Bound<'py, PyAny>,
    z: Option<&Bound<'py, PyAny>>,
) -> PyResult<Posterior<'py>> {
    let (phi, y, prior) = (args::real_2d(phi, "phi")?, args::real_1d(y, "y")?, args::real_1d(prior, "prior")?);
    let z = z.map(|z| args::real_1d(z, "z")).transpose()?;
    let (pv, yv, av) = (phi.view()?, y.view()?, prior.view()?);
    let zv = z.as_ref().map(|z| z.view()).transpose()?;
    let (mean, draw) =
        run_long(py, None, |_| bayes::posterior(pv.view(), yv.view(), av.view(), zv.as_ref().map(|z| z.view())))?;
    Ok((mean.to_pyarray(py), draw.map(|d| d.to_pyarray(py))))
}
