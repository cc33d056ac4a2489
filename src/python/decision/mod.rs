//! `quantumpanarchy.decision` bindings, one file per engine. The Python classes users see are
//! in `python/quantumpanarchy/_decision/` and re-exported by `quantumpanarchy.decision`.

mod nqo;

use pyo3::prelude::*;

#[pymodule(gil_used = false, submodule)]
pub mod decision {
    #[pymodule_export]
    use super::nqo::nqo_minimize;
}
