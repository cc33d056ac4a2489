//! Simulated annealing of many independent reads, in parallel over reads.
//!
//! Read `r` draws from random stream `r` of the seed, so the samples are bit-identical whatever
//! the number of threads.

use super::engine::{Engine, Layout};
use super::kernel::{Chain, Method};
use super::lanes::{f32_is_exact, LaneFloat, LaneGroup, LaneModel};
use super::model::IsingModel;
use crate::backend::Backend;
use crate::control::Control;
use crate::error::Result;
use crate::rng::{Stream, LANES};
use crate::{ensure, parallel};
use rayon::prelude::*;

#[derive(Debug, Clone)]
pub struct AnnealParams {
    /// One β per step; each step runs `sweeps_per_beta` sweeps.
    pub betas: Vec<f64>,
    pub sweeps_per_beta: usize,
    pub num_reads: usize,
    pub seed: u64,
    pub method: Method,
    /// `num_reads × n` starting states in model order; random states when `None`.
    pub initial_states: Option<Vec<i8>>,
}

impl AnnealParams {
    pub fn validate(&self, model: &IsingModel) -> Result<()> {
        ensure!(!self.betas.is_empty(), "the schedule is empty");
        ensure!(self.sweeps_per_beta > 0, "num_sweeps_per_beta must be positive, got 0");
        ensure!(self.num_reads > 0, "num_reads must be positive, got 0");
        let bytes = self.num_reads as u128 * model.n() as u128;
        crate::error::check_alloc::<i8>(2 * bytes, &format!("{} reads of {} p-bits", self.num_reads, model.n()))?;
        if let Some(init) = &self.initial_states {
            let n = model.n();
            ensure!(
                init.len() == self.num_reads * n,
                "initial_states must hold num_reads ({}) states of {n} spins, got {} values",
                self.num_reads,
                init.len()
            );
            for s in init.chunks(n) {
                model.check_state(s)?;
            }
        }
        Ok(())
    }

    /// Total sweeps over all reads: the progress unit.
    pub fn total_sweeps(&self) -> u64 {
        (self.betas.len() * self.sweeps_per_beta * self.num_reads) as u64
    }
}

/// Final states of the reads (model order, `reads × n`) and their energies (with the offset).
#[derive(Debug, Clone, PartialEq)]
pub struct Samples {
    pub n: usize,
    pub states: Vec<i8>,
    pub energies: Vec<f64>,
}

impl Samples {
    /// Energies from the model for states in model order (exact, O(couplings) per state).
    pub fn from_states(model: &IsingModel, states: Vec<i8>) -> Self {
        let n = model.n();
        let energies = states.par_chunks(n).map(|s| model.energy(s)).collect();
        Self { n, states, energies }
    }

    pub fn num_reads(&self) -> usize {
        self.energies.len()
    }
}

/// The starting state of read `r` in engine order (drawn from `stream` when none is given).
pub(crate) fn initial_chain(engine: &Engine, params: &AnnealParams, n: usize, r: usize, stream: &mut Stream) -> Chain {
    match &params.initial_states {
        Some(init) => {
            let mut s = vec![0i8; n];
            engine.to_engine(&init[r * n..(r + 1) * n], &mut s);
            Chain::new(engine, s, stream)
        }
        None => Chain::random(engine, stream),
    }
}

/// Anneal on the given backend. Reads not started when the control's deadline passes are
/// skipped (the result then holds fewer reads); a cancelled run returns `Err(Interrupted)`.
pub fn anneal(
    model: &IsingModel,
    engine: &Engine,
    params: &AnnealParams,
    backend: Backend,
    control: &Control,
) -> Result<Samples> {
    params.validate(model)?;
    control.add_total(params.total_sweeps());
    let states = match backend {
        Backend::Cpu => anneal_cpu(engine, params, control)?,
        #[cfg(feature = "cuda")]
        Backend::Cuda => crate::backend::cuda::anneal(engine, params, control)?,
        #[cfg(not(feature = "cuda"))]
        Backend::Cuda => return Err(crate::error::Error::BackendUnavailable("this build has no CUDA backend".into())),
    };
    let n = model.n();
    let mut model_states = vec![0i8; states.len()];
    for (src, dst) in states.chunks(n).zip(model_states.chunks_mut(n)) {
        engine.to_model(src, dst);
    }
    Ok(Samples::from_states(model, model_states))
}

/// Engine-order final states of all reads that ran, concatenated. Sparse problems with several
/// reads run them in lane groups; the rest run one chain per read.
fn anneal_cpu(engine: &Engine, params: &AnnealParams, control: &Control) -> Result<Vec<i8>> {
    if matches!(engine.layout, Layout::Sparse { .. }) && lanes_pay_off(params.num_reads) {
        return anneal_lanes(engine, params, control);
    }
    anneal_cpu_chains(engine, params, control)
}

/// One chain per read, in parallel over reads.
fn anneal_cpu_chains(engine: &Engine, params: &AnnealParams, control: &Control) -> Result<Vec<i8>> {
    let n = engine.n();
    let run_read = |r: usize| -> Result<Option<Vec<i8>>> {
        if control.time_is_up() {
            return Ok(None);
        }
        let mut stream = Stream::new(params.seed, r as u64);
        let mut chain = initial_chain(engine, params, n, r, &mut stream);
        for &beta in &params.betas {
            control.check()?;
            chain.sweep(engine, beta, params.method, params.sweeps_per_beta);
            control.advance(params.sweeps_per_beta as u64);
        }
        Ok(Some(chain.s))
    };
    let reads: Vec<Option<Vec<i8>>> =
        parallel::install(|| (0..params.num_reads).into_par_iter().map(run_read).collect::<Result<Vec<_>>>())??;
    Ok(reads.into_iter().flatten().flatten().collect())
}

/// Lane groups win once 60% of their lanes carry a read (a partly filled group costs as much as
/// a full one, and a full one runs about 1.7x the updates per second of one chain per read);
/// the choice depends on `num_reads` only, never on the thread count.
fn lanes_pay_off(num_reads: usize) -> bool {
    num_reads >= LANES && 5 * num_reads >= 3 * LANES * num_reads.div_ceil(LANES)
}

/// Reads in groups of [`LANES`], one group per task, with fields in f32 where that is exact;
/// padding lanes of the last group run on streams no read uses and are dropped.
fn anneal_lanes(engine: &Engine, params: &AnnealParams, control: &Control) -> Result<Vec<i8>> {
    if f32_is_exact(engine) {
        anneal_lanes_in::<f32>(engine, params, control)
    } else {
        anneal_lanes_in::<f64>(engine, params, control)
    }
}

fn anneal_lanes_in<T: LaneFloat>(engine: &Engine, params: &AnnealParams, control: &Control) -> Result<Vec<i8>> {
    let n = engine.n();
    let reads = params.num_reads;
    let model = LaneModel::<T>::new(engine);
    let run_group = |g: usize| -> Result<Option<Vec<Vec<i8>>>> {
        if control.time_is_up() {
            return Ok(None);
        }
        let ids: [u64; LANES] = std::array::from_fn(|l| (g * LANES + l) as u64);
        let mut streams: [Stream; LANES] = std::array::from_fn(|l| Stream::new(params.seed, ids[l]));
        let states: [Vec<i8>; LANES] = std::array::from_fn(|l| {
            let r = ids[l] as usize;
            match &params.initial_states {
                Some(init) if r < reads => {
                    let mut s = vec![0i8; n];
                    engine.to_engine(&init[r * n..(r + 1) * n], &mut s);
                    s
                }
                _ => (0..n).map(|_| streams[l].spin()).collect(),
            }
        });
        let mut group = LaneGroup::<T>::new(&states, &mut streams);
        let active = (reads - g * LANES).min(LANES);
        for &beta in &params.betas {
            control.check()?;
            group.sweep(&model, beta, params.method, params.sweeps_per_beta);
            control.advance((params.sweeps_per_beta * active) as u64);
        }
        Ok(Some((0..active).map(|l| group.state(l)).collect()))
    };
    let groups: Vec<Option<Vec<Vec<i8>>>> =
        parallel::install(|| (0..reads.div_ceil(LANES)).into_par_iter().map(run_group).collect::<Result<Vec<_>>>())??;
    Ok(groups.into_iter().flatten().flatten().flatten().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::schedule::Schedule;

    fn ferromagnet_ring(n: usize) -> IsingModel {
        let rows: Vec<i64> = (0..n as i64).collect();
        let cols: Vec<i64> = (0..n as i64).map(|i| (i + 1) % n as i64).collect();
        IsingModel::from_edges(n, &rows, &cols, &vec![1.0; n], &vec![0.0; n]).unwrap()
    }

    fn params(seed: u64, method: Method) -> AnnealParams {
        AnnealParams {
            betas: Schedule::from_beta_range(0.1, 5.0, 200, "geometric").unwrap().betas().to_vec(),
            sweeps_per_beta: 1,
            num_reads: 6,
            seed,
            method,
            initial_states: None,
        }
    }

    #[test]
    fn finds_ferromagnetic_ground_state_deterministically() {
        let model = ferromagnet_ring(64);
        let engine = Engine::new(&model);
        for method in [Method::Metropolis, Method::Gibbs] {
            let a = anneal(&model, &engine, &params(11, method), Backend::Cpu, &Control::new()).unwrap();
            assert!(a.energies.iter().cloned().fold(f64::INFINITY, f64::min) <= -60.0);
            crate::parallel::set_num_threads(1).unwrap();
            let b = anneal(&model, &engine, &params(11, method), Backend::Cpu, &Control::new()).unwrap();
            crate::parallel::set_num_threads(0).unwrap();
            assert_eq!(a, b);
        }
    }

    #[test]
    fn lane_groups_are_deterministic_and_find_the_ground_state() {
        let model = ferromagnet_ring(64);
        let engine = Engine::new(&model);
        let mut p = params(5, Method::Metropolis);
        p.num_reads = 22; // two full groups and a partial one (not used by lanes_pay_off alone)
        assert!(lanes_pay_off(16) && lanes_pay_off(10) && !lanes_pay_off(9) && !lanes_pay_off(4));
        let a = anneal_lanes(&engine, &p, &Control::new()).unwrap();
        crate::parallel::set_num_threads(1).unwrap();
        let b = anneal_lanes(&engine, &p, &Control::new()).unwrap();
        crate::parallel::set_num_threads(0).unwrap();
        assert_eq!(a, b);
        let samples = anneal(&model, &engine, &p, Backend::Cpu, &Control::new()).unwrap();
        assert_eq!(samples.num_reads(), 22);
        // Same quality as one chain per read: a 1-D ring keeps a few domain walls after a
        // short anneal, in both kernels alike.
        let chains = Samples::from_states(&model, {
            let mut out = Vec::new();
            for s in anneal_cpu_chains(&engine, &p, &Control::new()).unwrap().chunks(64) {
                let mut m = vec![0i8; 64];
                engine.to_model(s, &mut m);
                out.extend(m);
            }
            out
        });
        let mean = |e: &[f64]| e.iter().sum::<f64>() / e.len() as f64;
        let (a, b) = (mean(&samples.energies), mean(&chains.energies));
        assert!((a - b).abs() < 4.0, "lanes {a} vs chains {b}");
        assert!(samples.energies.iter().cloned().fold(f64::INFINITY, f64::min) <= -60.0);
    }

    #[test]
    fn cancellation_is_reported() {
        let model = ferromagnet_ring(8);
        let engine = Engine::new(&model);
        let control = Control::new();
        control.cancel();
        let err = anneal(&model, &engine, &params(1, Method::Gibbs), Backend::Cpu, &control).unwrap_err();
        assert_eq!(err, crate::error::Error::Interrupted);
    }
}
