//! QAOA: statevector simulation of the quantum approximate optimisation algorithm.

pub mod cost;
pub mod optimize;
pub mod portfolio;
pub mod statevector;
