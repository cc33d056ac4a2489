//! `quantumpanarchy.core` bindings.

mod anneal;
mod energy;
mod network;
mod pbit;
mod results;
mod sampler;
mod schedule;
mod sparse;
mod tempering;

use pyo3::prelude::*;

#[pymodule(gil_used = false, submodule)]
pub mod core {
    #[rustfmt::skip]
    #[pymodule_export]
    use super::{
        energy::PyIsingEnergy,
        network::PyPBitNetwork,
        pbit::PyPBit,
        sampler::PyBoltzmannSampler,
        schedule::PyTemperature,
        tempering::PyParallelTempering,
        sampler::integrated_autocorrelation_time,
    };

    /// Largest network `exact_distribution()` enumerates (2^24 states).
    #[pymodule_export]
    const MAX_EXACT_PBITS: usize = crate::core::exact::MAX_SPINS;
}
