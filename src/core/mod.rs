//! `quantumpanarchy.core`: p-bits, Ising models, Boltzmann sampling and annealing.
//! Pure Rust; the Python bindings live in `crate::python::core`.

pub mod anneal;
pub mod coloring;
#[cfg(feature = "cuda")]
pub mod cuda;
pub mod engine;
pub mod entries;
pub mod exact;
pub mod fast_sparse;
pub mod initial_states;
pub mod kernel;
pub mod lanes;
pub mod model;
pub mod observables;
pub mod pbit;
pub mod phases;
pub mod qubo;
pub mod sampler;
pub mod schedule;
pub mod stats;
pub mod tempering;

pub use anneal::{anneal, AnnealParams, Samples};
pub use engine::Engine;
pub use kernel::Method;
pub use model::IsingModel;
