//! Bindings: antifragility: barbell allocation, opportunity scores, convexity. Behind the Python
//! class `quantumpanarchy.risk.AntifragileAnalyzer` (python/quantumpanarchy/_risk/antifragile.py).

use crate::risk::antifragile as af;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::python::args;
use crate::python::run::detach;

/// Checks an analyzer's settings: `safe_fraction` in [0, 1], `tail` in (0, 0.5], `weights`.
#[pyfunction]
pub fn antifragile_check(
    #[pyo3(from_py_with = args::real)] safe_fraction: f64,
    #[pyo3(from_py_with = args::real)] tail: f64,
    weights: (f64, f64, f64),
) -> PyResult<()> {
    af::check_fraction(safe_fraction)?;
    af::check_tail(tail)?;
    af::check_weights([weights.0, weights.1, weights.2])?;
    Ok(())
}

/// `(safe, speculative)` amounts of `capital`.
#[pyfunction]
pub fn antifragile_barbell(
    #[pyo3(from_py_with = args::real)] capital: f64,
    #[pyo3(from_py_with = args::real)] safe_fraction: f64,
) -> PyResult<(f64, f64)> {
    Ok(af::barbell(capital, safe_fraction)?)
}

/// Asymmetry of `returns` and, with `market_returns`, the quadratic fit on the market.
#[pyfunction]
#[pyo3(signature = (returns, market_returns, tail))]
pub fn antifragile_convexity<'py>(
    py: Python<'py>,
    returns: &Bound<'py, PyAny>,
    market_returns: Option<&Bound<'py, PyAny>>,
    #[pyo3(from_py_with = args::real)] tail: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let r = args::real_1d(returns, "returns")?.to_vec()?;
    let m = match market_returns.filter(|o| !o.is_none()) {
        Some(o) => Some(args::real_1d(o, "market_returns")?.to_vec()?),
        None => None,
    };
    let c = detach(py, || af::convexity(&r, m.as_deref(), tail))?;
    let d = PyDict::new(py);
    d.set_item("skewness", c.asymmetry.skewness)?;
    d.set_item("tail_ratio", c.asymmetry.tail_ratio)?;
    d.set_item("gain_pain", c.asymmetry.gain_pain)?;
    d.set_item("n", c.asymmetry.n)?;
    if let Some(q) = c.market {
        d.set_item("gamma", q.gamma)?;
        d.set_item("gamma_se", q.gamma_se)?;
        d.set_item("gamma_t", q.gamma_t)?;
        d.set_item("gamma_pvalue", q.gamma_pvalue)?;
        d.set_item("beta", q.beta)?;
        d.set_item("alpha", q.alpha)?;
        d.set_item("r_squared", q.r_squared)?;
    }
    Ok(d)
}

/// The opportunity score of a price path and its components.
#[pyfunction]
#[pyo3(signature = (prices, current_volatility, historical_volatility, tail, weights))]
pub fn antifragile_score<'py>(
    py: Python<'py>,
    prices: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = args::real)] current_volatility: f64,
    #[pyo3(from_py_with = args::real)] historical_volatility: f64,
    #[pyo3(from_py_with = args::real)] tail: f64,
    weights: (f64, f64, f64),
) -> PyResult<Bound<'py, PyDict>> {
    let p = args::real_1d(prices, "prices")?.to_vec()?;
    let w = [weights.0, weights.1, weights.2];
    let o = detach(py, || af::score_opportunity(&p, current_volatility, historical_volatility, tail, w))?;
    let d = PyDict::new(py);
    d.set_item("score", o.score)?;
    d.set_item("convexity", o.convexity)?;
    d.set_item("tail_ratio", o.tail_ratio)?;
    d.set_item("volatility_ratio", o.volatility_ratio)?;
    d.set_item("convexity_score", o.convexity_score)?;
    d.set_item("asymmetry_score", o.asymmetry_score)?;
    d.set_item("volatility_score", o.volatility_score)?;
    d.set_item("n_returns", o.n_returns)?;
    Ok(d)
}

/// Adds this part's functions and classes to the `risk` module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(antifragile_check, m)?)?;
    m.add_function(wrap_pyfunction!(antifragile_barbell, m)?)?;
    m.add_function(wrap_pyfunction!(antifragile_convexity, m)?)?;
    m.add_function(wrap_pyfunction!(antifragile_score, m)?)?;
    Ok(())
}
