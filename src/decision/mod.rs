//! `quantumpanarchy.decision`: decision engines.
//! Pure Rust; bindings live in `crate::python::decision`.

pub mod iqad;
pub mod nqo;
pub mod qaoa;
pub mod qar;
pub mod qerc;
