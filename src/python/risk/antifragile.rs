//! Bindings: antifragility: barbell allocation, opportunity scores, convexity.

use pyo3::prelude::*;

/// Adds this part's functions and classes to the `risk` module.
pub fn register(_m: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(())
}
