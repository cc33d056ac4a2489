//! `quantumpanarchy.infrastructure` bindings: the decision cache and the circuit breaker. The
//! Python pieces (`CachePriority`, `CacheStats`, `cached`, the breaker's listener base class and
//! its asynchronous and decorator forms) are in `python/quantumpanarchy/_infrastructure/`.

mod breaker;
mod cache;

use pyo3::prelude::*;

#[pymodule(gil_used = false, submodule)]
pub mod infrastructure {
    use pyo3::prelude::*;

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.add_class::<super::cache::PyDecisionCache>()?;
        m.add_class::<super::breaker::PyCircuitBreaker>()?;
        m.add_class::<super::breaker::PyGuardedFunction>()?;
        Ok(())
    }
}
