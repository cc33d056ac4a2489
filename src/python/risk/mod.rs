//! `quantumpanarchy.risk` bindings, one file per part. The Python functions and classes users
//! see are in `python/quantumpanarchy/_risk/` and re-exported by `quantumpanarchy.risk`.

mod antifragile;
mod backtest;
mod kelly;
mod montecarlo;
mod regime;
mod stats;
mod var;

use pyo3::prelude::*;

#[pymodule(gil_used = false, submodule)]
pub mod risk {
    use pyo3::prelude::*;

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        super::antifragile::register(m)?;
        super::backtest::register(m)?;
        super::kelly::register(m)?;
        super::montecarlo::register(m)?;
        super::regime::register(m)?;
        super::stats::register(m)?;
        super::var::register(m)?;
        Ok(())
    }
}
