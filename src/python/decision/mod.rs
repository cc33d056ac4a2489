//! `quantumpanarchy.decision` bindings, one file per engine. The Python classes users see are
//! in `python/quantumpanarchy/_decision/` and re-exported by `quantumpanarchy.decision`.

mod iqad;
mod nqo;
mod qaoa;
mod qar;
mod qerc;

use pyo3::prelude::*;

#[pymodule(gil_used = false, submodule)]
pub mod decision {
    #[rustfmt::skip]
    #[pymodule_export]
    use super::qaoa::{
        qaoa_expectations, qaoa_portfolio, qaoa_probabilities, qaoa_sample, qaoa_validate,
    };

    /// Largest register the QAOA simulator accepts.
    #[pymodule_export]
    const QAOA_MAX_QUBITS: usize = crate::decision::qaoa::cost::MAX_QUBITS;

    #[pymodule_export]
    use super::iqad::PyIqadModel;

    #[pymodule_export]
    use super::qerc::{qerc_fit, qerc_predict, qerc_reservoir};

    #[pymodule_export]
    use super::qar::{qar_decide, qar_fit, qar_limits, qar_prior};

    #[pymodule_export]
    use super::nqo::nqo_minimize;
}
