//! Parallel tempering (replica exchange): one chain per β, neighbouring βs swap configurations
//! with the Metropolis rule min(1, exp[(β_k − β_{k+1})(E_k − E_{k+1})]).
//!
//! Replica r draws from stream r and the swaps from stream R, so results do not depend on how
//! the replica sweeps are scheduled over threads.

use super::engine::Engine;
use super::kernel::{Chain, Method};
use super::model::IsingModel;
use crate::control::Control;
use crate::error::Result;
use crate::rng::Stream;
use crate::{ensure, parallel};
use rayon::prelude::*;

/// Below this many spin updates per round, sweeping replicas in parallel costs more than it saves.
const PARALLEL_MIN_UPDATES: usize = 1 << 15;

/// Spin updates between two interrupt checks inside a round (well under a millisecond).
const CHECK_UPDATES: usize = 1 << 18;

#[derive(Debug, Clone)]
pub struct TemperingParams {
    pub betas: Vec<f64>,
    pub method: Method,
    /// Rounds recorded after burn-in; each round is `swap_interval` sweeps then one swap pass.
    pub num_samples: usize,
    pub burn_in: usize,
    pub swap_interval: usize,
    pub seed: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TemperingRun {
    /// `energies[k * num_samples + t]`: energy at β_k in recorded round t (offset included).
    pub energies: Vec<f64>,
    pub magnetizations: Vec<f64>,
    /// Acceptance rate of swaps between β_k and β_{k+1}.
    pub swap_acceptance: Vec<f64>,
    pub best_state: Vec<i8>,
    pub best_energy: f64,
    /// The configuration held at each β at the end (model order, `len(betas) × n`).
    pub final_states: Vec<i8>,
}

impl TemperingParams {
    pub fn validate(&self) -> Result<()> {
        ensure!(self.betas.len() >= 2, "parallel tempering needs at least two betas, got {}", self.betas.len());
        super::schedule::check_betas(&self.betas, "betas", false)?;
        ensure!(self.num_samples > 0, "num_samples must be positive, got 0");
        ensure!(self.swap_interval > 0, "swap_interval must be positive, got 0");
        let series = self.betas.len() as u128 * self.num_samples as u128;
        crate::error::check_alloc::<f64>(2 * series, &format!("{series} recorded samples"))?;
        Ok(())
    }
}

pub fn run(model: &IsingModel, engine: &Engine, p: &TemperingParams, control: &Control) -> Result<TemperingRun> {
    p.validate()?;
    let n = model.n();
    let r = p.betas.len();
    let rounds = p.burn_in + p.num_samples;
    let sweeps_per_round = p.swap_interval.saturating_mul(r);
    control.add_total(rounds.saturating_mul(sweeps_per_round) as u64);
    let mut chains: Vec<Chain> = (0..r).map(|k| Chain::random(engine, &mut Stream::new(p.seed, k as u64))).collect();
    let mut swap_rng = Stream::new(p.seed, r as u64);
    // slot_of[k] = index of the chain currently at β_k
    let mut slot: Vec<usize> = (0..r).collect();
    let (mut tried, mut accepted) = (vec![0u64; r - 1], vec![0u64; r - 1]);
    let mut energies = vec![0.0; r * p.num_samples];
    let mut mags = vec![0.0; r * p.num_samples];
    let mut best_energy = f64::INFINITY;
    let mut best_state = vec![0i8; n];
    let parallel_sweeps = n.saturating_mul(sweeps_per_round) >= PARALLEL_MIN_UPDATES;
    let chunk = (CHECK_UPDATES / n.max(1)).max(1);
    for round in 0..rounds {
        control.check()?;
        let mut beta_of_chain = vec![0.0; r];
        for (k, &c) in slot.iter().enumerate() {
            beta_of_chain[c] = p.betas[k];
        }
        let sweep = |(c, chain): (usize, &mut Chain)| {
            // a long swap_interval in chunks, so that Ctrl-C is seen within a round
            let mut left = p.swap_interval;
            while left > 0 && !control.is_cancelled() {
                let k = left.min(chunk);
                chain.sweep(engine, beta_of_chain[c], p.method, k);
                left -= k;
            }
            if round % 64 == 63 {
                chain.refresh(engine);
            }
        };
        if parallel_sweeps {
            parallel::install(|| chains.par_iter_mut().enumerate().for_each(sweep))?;
        } else {
            chains.iter_mut().enumerate().for_each(sweep);
        }
        control.check()?;
        control.advance(sweeps_per_round as u64);
        for chain in &chains {
            if chain.energy < best_energy {
                best_energy = chain.energy;
                engine.to_model(&chain.s, &mut best_state);
            }
        }
        // Alternate even and odd pairs so every pair is tried every other round.
        for k in (round % 2..r - 1).step_by(2) {
            let (a, b) = (slot[k], slot[k + 1]);
            let x = (p.betas[k] - p.betas[k + 1]) * (chains[a].energy - chains[b].energy);
            tried[k] += 1;
            if x >= 0.0 || swap_rng.next_f64() < x.exp() {
                slot.swap(k, k + 1);
                accepted[k] += 1;
            }
        }
        if round >= p.burn_in {
            let t = round - p.burn_in;
            for (k, &c) in slot.iter().enumerate() {
                energies[k * p.num_samples + t] = chains[c].energy + model.offset();
                mags[k * p.num_samples + t] = chains[c].magnetization as f64 / n as f64;
            }
        }
    }
    let mut final_states = vec![0i8; r * n];
    for (k, &c) in slot.iter().enumerate() {
        engine.to_model(&chains[c].s, &mut final_states[k * n..(k + 1) * n]);
    }
    Ok(TemperingRun {
        energies,
        magnetizations: mags,
        swap_acceptance: tried
            .iter()
            .zip(&accepted)
            .map(|(&t, &a)| if t == 0 { 0.0 } else { a as f64 / t as f64 })
            .collect(),
        best_energy: model.energy(&best_state),
        best_state,
        final_states,
    })
}
