//! `quantumpanarchy.automl` bindings, one file per part. The Python names users see are in
//! `python/quantumpanarchy/_automl/`, re-exported by `quantumpanarchy.automl`.

mod linear;
mod mlp;
mod neighbours;

use pyo3::prelude::*;

#[pymodule(gil_used = false, submodule)]
pub mod automl {
    use pyo3::prelude::*;

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        super::linear::register(m)?;
        super::mlp::register(m)?;
        super::neighbours::register(m)?;
        Ok(())
    }
}
