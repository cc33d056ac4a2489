//! QuantumPanarchy: probabilistic computing and quantitative-finance analytics.
//!
//! Domain code (`core`, `decision`, ...) is plain Rust with no PyO3 inside, a domain's GPU kernels
//! and their host code included (`core::cuda`, `decision::qaoa::cuda`); `backend` is the device
//! layer the domains build on, and uses none of them; `python` is the one binding layer, compiled
//! with the default `python` feature.

pub mod automl;
pub mod backend;
pub mod blackswan;
pub mod cas;
pub mod control;
pub mod core;
pub mod decision;
pub mod error;
pub mod infrastructure;
pub mod intelligence;
mod lapack;
pub mod optim;
pub mod parallel;
pub mod philox;
pub mod risk;
pub mod rng;
pub mod signal;
pub mod special;

#[cfg(feature = "python")]
mod python;

pub use error::{Error, Result};
