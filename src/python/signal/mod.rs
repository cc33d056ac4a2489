//! `quantumpanarchy.signal` bindings, one file per part. The Python names users see are in `python/quantumpanarchy/_signal/`, re-exported by `quantumpanarchy.signal`.

mod candles;
mod chart;
mod fibonacci;
mod indicators;

use pyo3::prelude::*;

#[pymodule(gil_used = false, submodule)]
pub mod signal {
    use pyo3::prelude::*;

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        super::candles::register(m)?;
        super::chart::register(m)?;
        super::fibonacci::register(m)?;
        super::indicators::register(m)?;
        Ok(())
    }
}
