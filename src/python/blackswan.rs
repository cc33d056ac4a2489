//! `quantumpanarchy.blackswan` bindings. The Python classes users see are in
//! `python/quantumpanarchy/blackswan.py` (and `_blackswan/`).

use pyo3::prelude::*;

#[pymodule(gil_used = false, submodule)]
pub mod blackswan {
    use pyo3::prelude::*;

    #[pymodule_init]
    fn init(_m: &Bound<'_, PyModule>) -> PyResult<()> {
        Ok(())
    }
}
