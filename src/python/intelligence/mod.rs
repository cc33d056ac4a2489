//! `quantumpanarchy.intelligence` bindings, one file per part (listed here and registered in
//! `init`). The Python names users see are in `python/quantumpanarchy/_intelligence/`,
//! re-exported by `quantumpanarchy.intelligence`.

mod onnx;
mod rl_agents;
mod rl_bandits;
mod rl_frozen_lake;
mod rl_trading;

use pyo3::prelude::*;

#[pymodule(gil_used = false, submodule)]
pub mod intelligence {
    use pyo3::prelude::*;

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        super::rl_agents::register(m)?;
        super::rl_bandits::register(m)?;
        super::rl_frozen_lake::register(m)?;
        super::rl_trading::register(m)?;
        super::onnx::register(m)?;
        Ok(())
    }
}
