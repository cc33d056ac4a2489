//! `quantumpanarchy.intelligence` bindings, one file per part (listed here and registered in
//! `init`). The Python names users see are in `python/quantumpanarchy/_intelligence/`,
//! re-exported by `quantumpanarchy.intelligence`.

mod onnx;

use pyo3::prelude::*;

#[pymodule(gil_used = false, submodule)]
pub mod intelligence {
    use pyo3::prelude::*;

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        super::onnx::register(m)?;
        Ok(())
    }
}
