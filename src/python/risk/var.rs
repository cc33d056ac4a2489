//! Bindings: historical and parametric VaR and CVaR, rolling and portfolio forms.

use pyo3::prelude::*;

/// Adds this part's functions and classes to the `risk` module.
pub fn register(_m: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(())
}
