//! `quantumpanarchy.cas` bindings, one file per part. The Python names users see are in `python/quantumpanarchy/_cas/`, re-exported by `quantumpanarchy.cas`.

mod powerlaw;
mod sandpile;
mod soc;

use pyo3::prelude::*;

#[pymodule(gil_used = false, submodule)]
pub mod cas {
    use pyo3::prelude::*;

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        super::powerlaw::register(m)?;
        super::sandpile::register(m)?;
        super::soc::register(m)?;
        Ok(())
    }
}
