//! Thermodynamic observables per spin, from sampled chains (with jackknife error bars) or from
//! exact enumeration (no error).

use super::exact;
use super::model::IsingModel;
use super::sampler::ChainRun;
use super::stats::{block_means, integrated_autocorr_time, jackknife, Estimate};
use crate::error::Result;

/// Blocks per run used for jackknife errors (split over the chains).
const JACKKNIFE_BLOCKS: usize = 32;

/// Per-spin observables at inverse temperature `beta`:
/// energy e = ⟨E⟩/N (E with the model offset, as the caller stated the problem), magnetisation ⟨m⟩ and ⟨|m|⟩ with m = M/N, specific heat
/// c = β² N (⟨e²⟩ − ⟨e⟩²) and susceptibility χ = β N (⟨m²⟩ − ⟨|m|⟩²).
#[derive(Debug, Clone, PartialEq)]
pub struct Observables {
    pub beta: f64,
    pub num_spins: usize,
    pub num_samples: usize,
    pub energy: Estimate,
    pub magnetization: Estimate,
    pub abs_magnetization: Estimate,
    pub specific_heat: Estimate,
    pub susceptibility: Estimate,
    /// Integrated autocorrelation times (in samples) of the energy and of |m|.
    pub tau_energy: f64,
    pub tau_abs_magnetization: f64,
}

/// From sampled chains. Energies are those of the problem as the caller stated it (the model
/// offset included), per p-bit.
pub fn from_chains(run: &ChainRun, beta: f64) -> Observables {
    let n = run.n as f64;
    let e: Vec<f64> = run.energies.iter().map(|x| x / n).collect();
    let m = &run.magnetizations;
    let quantities = vec![
        e.clone(),
        e.iter().map(|x| x * x).collect(),
        m.clone(),
        m.iter().map(|x| x.abs()).collect(),
        m.iter().map(|x| x * x).collect(),
    ];
    let per_chain = JACKKNIFE_BLOCKS.div_ceil(run.num_chains).max(2);
    let blocks = block_means(&quantities, run.num_chains, run.num_samples, per_chain);
    let full: Vec<f64> = quantities.iter().map(|q| q.iter().sum::<f64>() / q.len() as f64).collect();
    Observables {
        beta,
        num_spins: run.n,
        num_samples: run.energies.len(),
        energy: jackknife(&blocks, &full, |q| q[0]),
        magnetization: jackknife(&blocks, &full, |q| q[2]),
        abs_magnetization: jackknife(&blocks, &full, |q| q[3]),
        specific_heat: jackknife(&blocks, &full, |q| beta * beta * n * (q[1] - q[0] * q[0])),
        susceptibility: jackknife(&blocks, &full, |q| beta * n * (q[4] - q[3] * q[3])),
        tau_energy: integrated_autocorr_time(&chunks(&quantities[0], run.num_samples)),
        tau_abs_magnetization: integrated_autocorr_time(&chunks(&quantities[3], run.num_samples)),
    }
}

fn chunks(q: &[f64], len: usize) -> Vec<&[f64]> {
    q.chunks(len).collect()
}

/// Exact values by enumeration (N ≤ 24).
pub fn exact(model: &IsingModel, beta: f64) -> Result<Observables> {
    let p = exact::distribution(model, beta)?;
    let energies = exact::energies(model)?;
    let n = model.n();
    let nf = n as f64;
    let (mut e1, mut e2, mut m1, mut ma, mut m2) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for (code, (&pk, &ek)) in p.iter().zip(&energies).enumerate() {
        let e = ek / nf;
        let m = (2.0 * (code as u64).count_ones() as f64 - nf) / nf;
        e1 += pk * e;
        e2 += pk * e * e;
        m1 += pk * m;
        ma += pk * m.abs();
        m2 += pk * m * m;
    }
    let exact = |value: f64| Estimate { value, error: 0.0 };
    Ok(Observables {
        beta,
        num_spins: n,
        num_samples: 0,
        energy: exact(e1),
        magnetization: exact(m1),
        abs_magnetization: exact(ma),
        specific_heat: exact(beta * beta * nf * (e2 - e1 * e1)),
        susceptibility: exact(beta * nf * (m2 - ma * ma)),
        tau_energy: 0.0,
        tau_abs_magnetization: 0.0,
    })
}
