//! `quantumpanarchy.decision`: decision engines.
//! Pure Rust; bindings live in `crate::python::decision`.

pub mod nqo;
pub mod qaoa;
