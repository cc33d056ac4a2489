//! Bindings: performance statistics with empyrical's definitions.

use pyo3::prelude::*;

/// Adds this part's functions and classes to the `risk` module.
pub fn register(_m: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(())
}
