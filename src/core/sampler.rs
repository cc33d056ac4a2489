//! Boltzmann sampling at fixed β: many independent Markov chains, in parallel over chains.

use super::anneal::{initial_state, AnnealParams};
use super::engine::Engine;
use super::kernel::Method;
use super::model::IsingModel;
use crate::control::Control;
use crate::error::{Error, Result};
use crate::rng::Stream;
use crate::{ensure, parallel};
use rayon::prelude::*;

/// Recorded states above this many bytes are refused up front rather than failing midway.
const MAX_RECORD_BYTES: usize = 1 << 34;
/// Fields are recomputed from the spins this often, so rounding drift never accumulates.
const REFRESH_SWEEPS: usize = 4096;

#[derive(Debug, Clone)]
pub struct ChainParams {
    pub beta: f64,
    pub method: Method,
    pub num_chains: usize,
    /// Samples recorded per chain.
    pub num_samples: usize,
    /// Sweeps discarded before the first sample.
    pub burn_in: usize,
    /// Sweeps between recorded samples (≥ 1).
    pub thin: usize,
    pub seed: u64,
    pub record_states: bool,
    /// `num_chains × n` starting states in model order; random when `None`.
    pub initial_states: Option<Vec<i8>>,
}

/// Per-sample series, chain-major: index `c * num_samples + k`.
#[derive(Debug, Clone, PartialEq)]
pub struct ChainRun {
    pub n: usize,
    pub num_chains: usize,
    pub num_samples: usize,
    /// Recorded states (model order), empty unless `record_states`.
    pub states: Vec<i8>,
    /// Energies including the model offset.
    pub energies: Vec<f64>,
    /// Magnetisation per spin, M / n.
    pub magnetizations: Vec<f64>,
    /// The last state of each chain (model order), to continue sampling from.
    pub final_states: Vec<i8>,
}

impl ChainParams {
    pub fn validate(&self, model: &IsingModel) -> Result<()> {
        ensure!(self.beta.is_finite() && self.beta >= 0.0, "beta must be finite and non-negative, got {}", self.beta);
        ensure!(self.num_chains > 0, "num_chains must be positive, got 0");
        ensure!(self.num_samples > 0, "num_samples must be positive, got 0");
        ensure!(self.thin > 0, "thin must be positive, got 0");
        let series = self.num_chains as u128 * self.num_samples as u128;
        crate::error::check_alloc::<f64>(2 * series, &format!("{series} recorded samples"))?;
        if self.record_states {
            let bytes = self.num_chains.saturating_mul(self.num_samples).saturating_mul(model.n());
            if bytes > MAX_RECORD_BYTES {
                return Err(Error::ResourceLimit(format!(
                    "recording {} chains x {} samples x {} spins needs {:.1} GiB; record fewer samples or use observables()",
                    self.num_chains,
                    self.num_samples,
                    model.n(),
                    bytes as f64 / (1u64 << 30) as f64
                )));
            }
        }
        // Starting states are checked exactly as annealing checks them.
        self.as_anneal().validate(model)
    }

    fn as_anneal(&self) -> AnnealParams {
        AnnealParams {
            betas: vec![self.beta],
            sweeps_per_beta: 1,
            num_reads: self.num_chains,
            seed: self.seed,
            first_read: 0,
            method: self.method,
            initial_states: self.initial_states.clone(),
            randomize_order: false,
        }
    }

    pub fn total_sweeps(&self) -> u64 {
        ((self.burn_in + self.num_samples * self.thin) * self.num_chains) as u64
    }
}

struct OneChain {
    states: Vec<i8>,
    energies: Vec<f64>,
    magnetizations: Vec<f64>,
    last: Vec<i8>,
}

pub fn run_chains(model: &IsingModel, engine: &Engine, p: &ChainParams, control: &Control) -> Result<ChainRun> {
    p.validate(model)?;
    log::debug!(
        "sampling: {} p-bits at beta {}, {} chains x ({} burn-in + {} samples x {} sweeps), {}",
        model.n(),
        p.beta,
        p.num_chains,
        p.burn_in,
        p.num_samples,
        p.thin,
        p.method.name()
    );
    control.add_total(p.total_sweeps());
    let n = model.n();
    let anneal_params = p.as_anneal();
    let offset = model.offset();
    let run = |c: usize| -> Result<OneChain> {
        let mut stream = Stream::new(p.seed, c as u64);
        let s = initial_state(engine, &anneal_params, c, &mut stream);
        let mut chain = super::kernel::Chain::new(engine, s, &mut stream);
        let mut since_refresh = 0usize;
        let mut advance = |chain: &mut super::kernel::Chain, sweeps: usize| -> Result<()> {
            let mut left = sweeps;
            while left > 0 {
                control.check()?;
                let step = left.min(64);
                chain.sweep(engine, p.beta, p.method, step);
                control.advance(step as u64);
                left -= step;
                since_refresh += step;
                if since_refresh >= REFRESH_SWEEPS {
                    chain.refresh(engine);
                    since_refresh = 0;
                }
            }
            Ok(())
        };
        advance(&mut chain, p.burn_in)?;
        let mut out = OneChain {
            states: Vec::with_capacity(if p.record_states { p.num_samples * n } else { 0 }),
            energies: Vec::with_capacity(p.num_samples),
            magnetizations: Vec::with_capacity(p.num_samples),
            last: vec![0; n],
        };
        let mut model_state = vec![0i8; n];
        for _ in 0..p.num_samples {
            advance(&mut chain, p.thin)?;
            out.energies.push(chain.energy + offset);
            out.magnetizations.push(chain.magnetization as f64 / n as f64);
            if p.record_states {
                engine.to_model(&chain.s, &mut model_state);
                out.states.extend_from_slice(&model_state);
            }
        }
        engine.to_model(&chain.s, &mut out.last);
        Ok(out)
    };
    let chains: Vec<OneChain> =
        parallel::install(|| (0..p.num_chains).into_par_iter().map(run).collect::<Result<Vec<_>>>())??;
    let mut result = ChainRun {
        n,
        num_chains: p.num_chains,
        num_samples: p.num_samples,
        states: Vec::new(),
        energies: Vec::new(),
        magnetizations: Vec::new(),
        final_states: Vec::new(),
    };
    for c in chains {
        result.states.extend(c.states);
        result.energies.extend(c.energies);
        result.magnetizations.extend(c.magnetizations);
        result.final_states.extend(c.last);
    }
    Ok(result)
}
