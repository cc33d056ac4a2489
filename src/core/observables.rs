//! Thermodynamic observables per spin, from sampled chains (with jackknife error bars) or from
//! exact enumeration (no error).

use super::exact;
use super::model::IsingModel;
use super::sampler::ChainRun;
use super::stats::{block_means, integrated_autocorr_time, jackknife, variance_jackknife, Estimate};
use crate::error::{Error, Result};

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
/// offset included), per p-bit. `Err(InvalidInput)` when a result overflows float64 (a huge β
/// times a non-zero variance), never an inf or NaN observable.
pub fn from_chains(run: &ChainRun, beta: f64) -> Result<Observables> {
    let n = run.n as f64;
    let e: Vec<f64> = run.energies.iter().map(|x| x / n).collect();
    let m = &run.magnetizations;
    let a: Vec<f64> = m.iter().map(|x| x.abs()).collect();
    let quantities = [e, m.clone(), a];
    let per_chain = JACKKNIFE_BLOCKS.div_ceil(run.num_chains).max(2);
    let blocks = block_means(&quantities, run.num_chains, run.num_samples, per_chain);
    let full: Vec<f64> = quantities.iter().map(|q| mean(q)).collect();
    let variance =
        |q: &[f64], g: &dyn Fn(f64) -> f64| variance_jackknife(q, run.num_chains, run.num_samples, per_chain, g);
    let obs = Observables {
        beta,
        num_spins: run.n,
        num_samples: run.energies.len(),
        energy: jackknife(&blocks, &full, |q| q[0]),
        magnetization: jackknife(&blocks, &full, |q| q[1]),
        abs_magnetization: jackknife(&blocks, &full, |q| q[2]),
        specific_heat: variance(&quantities[0], &|v| specific_heat(beta, n, v)),
        susceptibility: variance(&quantities[2], &|v| susceptibility(beta, n, v)),
        tau_energy: integrated_autocorr_time(&chunks(&quantities[0], run.num_samples)),
        tau_abs_magnetization: integrated_autocorr_time(&chunks(&quantities[2], run.num_samples)),
    };
    obs.check_finite()
}

fn mean(q: &[f64]) -> f64 {
    q.iter().sum::<f64>() / q.len() as f64
}

/// c = β² N Var(e), as N (β σ)²: β² alone overflows for β > 1e154 even when c does not, and
/// a zero variance gives zero at any β (never inf · 0 = NaN). Variances are never negative.
fn specific_heat(beta: f64, n: f64, var: f64) -> f64 {
    if var == 0.0 {
        return 0.0;
    }
    n * (beta * var.sqrt()).powi(2)
}

/// χ = β N Var(|m|) (= ⟨m²⟩ − ⟨|m|⟩²); zero for a zero variance at any β (β N alone
/// overflows for β near 1e308, and inf · 0 is NaN).
fn susceptibility(beta: f64, n: f64, var: f64) -> f64 {
    if var == 0.0 {
        return 0.0;
    }
    beta * (n * var)
}

impl Observables {
    /// `Err(InvalidInput)` naming the first observable that overflowed float64.
    fn check_finite(self) -> Result<Self> {
        let fields = [
            ("energy", self.energy),
            ("magnetization", self.magnetization),
            ("abs_magnetization", self.abs_magnetization),
            ("specific_heat", self.specific_heat),
            ("susceptibility", self.susceptibility),
        ];
        for (name, e) in fields {
            if !e.value.is_finite() || !e.error.is_finite() {
                return Err(Error::InvalidInput(format!(
                    "the {name} at beta = {:?} overflows float64 (β times the spread of the sampled states is \
                     too large); use a smaller beta",
                    self.beta
                )));
            }
        }
        Ok(self)
    }
}

fn chunks(q: &[f64], len: usize) -> Vec<&[f64]> {
    q.chunks(len).collect()
}

/// Exact values by enumeration (N ≤ 24); `Err(Interrupted)` soon after `control` is cancelled.
pub fn exact(model: &IsingModel, beta: f64, control: &crate::control::Control) -> Result<Observables> {
    let energies = exact::energies_checked(model, control)?;
    control.check()?;
    let p = exact::distribution_of(&energies, beta)?;
    control.check()?;
    let n = model.n();
    let nf = n as f64;
    let m_of = |code: usize| (2.0 * (code as u64).count_ones() as f64 - nf) / nf;
    // Energies above the lowest (see `from_chains`): degenerate ground states then add exactly
    // nothing to the variance, which β² would otherwise amplify from rounding noise.
    let e_min = energies.iter().copied().fold(f64::INFINITY, f64::min);
    let (mut de1, mut m1, mut ma) = (0.0, 0.0, 0.0);
    for (code, (&pk, &ek)) in p.iter().zip(&energies).enumerate() {
        de1 += pk * (ek - e_min) / nf;
        m1 += pk * m_of(code);
        ma += pk * m_of(code).abs();
    }
    let e1 = e_min / nf + de1;
    // |m| likewise above its lowest value among the states that have any probability
    let a_min = p.iter().enumerate().filter(|(_, &pk)| pk > 0.0).map(|(c, _)| m_of(c).abs()).fold(1.0, f64::min);
    let da1: f64 = p.iter().enumerate().map(|(c, &pk)| pk * (m_of(c).abs() - a_min)).sum();
    control.check()?;
    let (mut var_e, mut var_a) = (0.0, 0.0);
    for (code, (&pk, &ek)) in p.iter().zip(&energies).enumerate() {
        var_e += pk * ((ek - e_min) / nf - de1).powi(2);
        var_a += pk * (m_of(code).abs() - a_min - da1).powi(2);
    }
    let exact = |value: f64| Estimate { value, error: 0.0 };
    Observables {
        beta,
        num_spins: n,
        num_samples: 0,
        energy: exact(e1),
        magnetization: exact(m1),
        abs_magnetization: exact(ma),
        specific_heat: exact(specific_heat(beta, nf, var_e)),
        susceptibility: exact(susceptibility(beta, nf, var_a)),
        tau_energy: 0.0,
        tau_abs_magnetization: 0.0,
    }
    .check_finite()
}
