//! `quantumpanarchy.automl` bindings, one file per part. The Python names users see are in
//! `python/quantumpanarchy/_automl/`, re-exported by `quantumpanarchy.automl`.

mod boosting;
mod linear;
mod mlp;
mod neighbours;
mod search;
mod trees;

use pyo3::prelude::*;

#[pymodule(gil_used = false, submodule)]
pub mod automl {
    use pyo3::prelude::*;

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        super::boosting::register(m)?;
        super::linear::register(m)?;
        super::mlp::register(m)?;
        super::neighbours::register(m)?;
        super::search::register(m)?;
        super::trees::register(m)?;
        Ok(())
    }
}
