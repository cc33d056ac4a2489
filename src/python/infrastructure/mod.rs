//! `quantumpanarchy.infrastructure` bindings: the decision cache, the circuit breaker and the
//! hardware manager. The Python pieces (`CachePriority`, `CacheStats`, `cached`, the breaker's
//! listener base class and its asynchronous and decorator forms, `Device` and
//! `LoadBalancingStrategy`) are in `python/quantumpanarchy/_infrastructure/`.

mod breaker;
mod cache;
mod hardware;

use pyo3::prelude::*;

#[pymodule(gil_used = false, submodule)]
pub mod infrastructure {
    use pyo3::prelude::*;

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.add_class::<super::cache::PyDecisionCache>()?;
        m.add_class::<super::breaker::PyCircuitBreaker>()?;
        m.add_class::<super::breaker::PyGuardedFunction>()?;
        m.add_class::<super::hardware::PyHardwareManager>()?;
        Ok(())
    }
}
