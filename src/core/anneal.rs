//! Simulated annealing of many independent reads, in parallel over reads.
//!
//! Read `r` draws from random stream `r` of the seed, so the samples are bit-identical whatever
//! the number of threads.

use super::engine::{Engine, Layout};
use super::fast_sparse::{FastSparseChain, NarrowCouplings};
use super::kernel::{Chain, FastDenseChain, Method};
use super::lanes::{LaneFloat, LaneGroup, LaneModel};
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

/// The starting state of read `r` in engine order: the caller's, or drawn from `stream`.
pub(crate) fn initial_state(engine: &Engine, params: &AnnealParams, r: usize, stream: &mut Stream) -> Vec<i8> {
    let n = engine.n();
    match &params.initial_states {
        Some(init) => {
            let mut s = vec![0i8; n];
            engine.to_engine(&init[r * n..(r + 1) * n], &mut s);
            s
        }
        None => (0..n).map(|_| stream.spin()).collect(),
    }
}

/// Anneal on the given backend. Reads not started when the control's deadline passes are
/// skipped (the result then holds fewer reads, at least one); a cancelled run returns
/// `Err(Interrupted)`.
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
        Backend::Cuda => super::cuda::anneal(engine, params, control)?,
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

/// Engine-order final states of all reads that ran, concatenated. The work units are lane
/// groups of up to [`LANES`] reads (sparse problems) and one chain for each other read; the
/// split depends on `num_reads` only, and a group's sweeps on the model only (see
/// `lanes::BLOCK`), so a read's result never depends on the thread count.
fn anneal_cpu(engine: &Engine, params: &AnnealParams, control: &Control) -> Result<Vec<i8>> {
    let groups = match engine.layout {
        // A group costs about as much as two to four single chains, so the reads left after
        // the full groups get a group of their own (its spare lanes run and are dropped) when
        // there are at least half a group of them.
        Layout::Sparse { .. } => params.num_reads / LANES + usize::from(params.num_reads % LANES >= LANES / 2),
        Layout::Dense(_) => 0,
    };
    let f32_lanes = groups > 0 && engine.f32_fields_exact();
    let chains = params.num_reads - (groups * LANES).min(params.num_reads);
    let kind = if chains == 0 {
        ChainKind::Plain
    } else if FastDenseChain::supports(engine) {
        ChainKind::FastDense
    } else {
        NarrowCouplings::new(engine).map_or(ChainKind::Plain, ChainKind::FastSparse)
    };
    log::debug!(
        "anneal: {} p-bits, {} reads x {} sweeps ({}): {groups} lane groups ({}), {chains} chains ({})",
        engine.n(),
        params.num_reads,
        params.betas.len() * params.sweeps_per_beta,
        params.method.name(),
        if f32_lanes { "f32" } else { "f64" },
        kind.name(),
    );
    if f32_lanes {
        anneal_units::<f32>(engine, params, control, groups, &kind)
    } else {
        anneal_units::<f64>(engine, params, control, groups, &kind)
    }
}

/// How reads outside lane groups run: narrow fields where they are exact (the same trajectory
/// as the f64 chain, bit for bit, with fewer bytes per flip), else the f64 [`Chain`].
enum ChainKind {
    Plain,
    FastDense,
    FastSparse(NarrowCouplings),
}

impl ChainKind {
    fn name(&self) -> &'static str {
        match self {
            Self::Plain => "f64 fields",
            Self::FastDense => "narrow dense",
            Self::FastSparse(_) => "i16 fields, i8 couplings",
        }
    }
}

fn anneal_units<T: LaneFloat>(
    engine: &Engine,
    params: &AnnealParams,
    control: &Control,
    groups: usize,
    kind: &ChainKind,
) -> Result<Vec<i8>> {
    let model = (groups > 0).then(|| LaneModel::<T>::new(engine));
    let grouped = (groups * LANES).min(params.num_reads);
    let units = groups + params.num_reads - grouped;
    let run_unit = |u: usize| -> Result<Vec<Vec<i8>>> {
        // the first unit always runs, so a run returns at least one read
        if u > 0 && control.time_is_up() {
            return Ok(Vec::new());
        }
        match &model {
            Some(model) if u < groups => run_group(engine, model, params, control, u),
            _ => run_chain(engine, params, control, grouped + u - groups, kind).map(|s| vec![s]),
        }
    };
    let done: Vec<Vec<Vec<i8>>> =
        parallel::install(|| (0..units).into_par_iter().map(run_unit).collect::<Result<Vec<_>>>())??;
    Ok(done.into_iter().flatten().flatten().collect())
}

/// Read `r` as one chain.
fn run_chain(engine: &Engine, params: &AnnealParams, control: &Control, r: usize, kind: &ChainKind) -> Result<Vec<i8>> {
    let mut stream = Stream::new(params.seed, r as u64);
    let s = initial_state(engine, params, r, &mut stream);
    let (m, k) = (params.method, params.sweeps_per_beta);
    match kind {
        ChainKind::FastDense => {
            let mut chain = FastDenseChain::new(engine, s, &mut stream);
            run_schedule(params, control, 1, |beta| chain.sweep(engine, beta, m, k))?;
            Ok(chain.s)
        }
        ChainKind::FastSparse(w) => {
            let mut chain = FastSparseChain::new(engine, w, s, &mut stream);
            run_schedule(params, control, 1, |beta| chain.sweep(engine, w, beta, m, k))?;
            Ok(chain.s)
        }
        ChainKind::Plain => {
            let mut chain = Chain::new(engine, s, &mut stream);
            run_schedule(params, control, 1, |beta| {
                chain.sweep(engine, beta, m, k);
            })?;
            Ok(chain.s)
        }
    }
}

/// Run `sweep(beta)` for every step of the schedule, checking for cancellation between steps;
/// `reads` is how many reads each call advances (for progress).
fn run_schedule(params: &AnnealParams, control: &Control, reads: usize, mut sweep: impl FnMut(f64)) -> Result<()> {
    for &beta in &params.betas {
        control.check()?;
        sweep(beta);
        control.advance((params.sweeps_per_beta * reads) as u64);
    }
    Ok(())
}

/// Reads `g·LANES .. (g+1)·LANES` as one lane group; in the last group, lanes past `num_reads`
/// rerun the group's first read from another stream and are dropped. Threads with nothing else
/// to do help with the blocks of its sweeps.
fn run_group<T: LaneFloat>(
    engine: &Engine,
    model: &LaneModel<T>,
    params: &AnnealParams,
    control: &Control,
    g: usize,
) -> Result<Vec<Vec<i8>>> {
    let reads = (params.num_reads - g * LANES).min(LANES);
    let mut streams: [Stream; LANES] = std::array::from_fn(|l| Stream::new(params.seed, (g * LANES + l) as u64));
    let states: [Vec<i8>; LANES] =
        std::array::from_fn(|l| initial_state(engine, params, g * LANES + l.min(reads - 1), &mut streams[l]));
    let mut group = LaneGroup::<T>::new(model, &states, &mut streams);
    let helpers = if model.worth_sharing() { rayon::current_num_threads() - 1 } else { 0 };
    let (method, k) = (params.method, params.sweeps_per_beta);
    group.with_sweeper(model, helpers, |sweeper| {
        run_schedule(params, control, reads, |beta| sweeper.sweep(beta, method, k))
    })?;
    Ok((0..reads).map(|l| group.state(l)).collect())
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
    fn lane_groups_match_chains_in_quality_and_are_deterministic() {
        let model = ferromagnet_ring(64);
        let engine = Engine::new(&model);
        let mut p = params(5, Method::Metropolis);
        p.num_reads = 19; // two lane groups and three chains
        let a = anneal(&model, &engine, &p, Backend::Cpu, &Control::new()).unwrap();
        crate::parallel::set_num_threads(1).unwrap();
        let b = anneal(&model, &engine, &p, Backend::Cpu, &Control::new()).unwrap();
        crate::parallel::set_num_threads(0).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.num_reads(), 19);
        // A 1-D ring keeps a few domain walls after a short anneal, in both kernels alike.
        let mean = |e: &[f64]| e.iter().sum::<f64>() / e.len() as f64;
        let (lanes, chains) = (mean(&a.energies[..16]), mean(&a.energies[16..]));
        assert!((lanes - chains).abs() < 6.0, "lanes {lanes} vs chains {chains}");
        assert!(a.energies.iter().cloned().fold(f64::INFINITY, f64::min) <= -60.0);
    }

    #[test]
    fn sweeps_shared_by_threads_give_the_same_samples() {
        // 4096 p-bits: each colour class is cut into 8 blocks, and idle threads help with the
        // blocks of each group's sweeps.
        let model = ferromagnet_ring(4096);
        let engine = Engine::new(&model);
        assert!(LaneModel::<f32>::new(&engine).worth_sharing());
        let mut p = params(3, Method::Metropolis);
        p.num_reads = 19; // two groups and three chains
        let mut runs = Vec::new();
        for threads in [1, 2, 3] {
            crate::parallel::set_num_threads(threads).unwrap();
            runs.push(anneal(&model, &engine, &p, Backend::Cpu, &Control::new()).unwrap());
        }
        crate::parallel::set_num_threads(0).unwrap();
        assert_eq!(runs[0], runs[1]);
        assert_eq!(runs[0], runs[2]);
        assert!(runs[0].energies.iter().all(|&e| e < -3000.0), "{:?}", runs[0].energies);
    }

    #[test]
    fn a_partly_filled_group_gives_its_reads_what_a_full_one_does() {
        let model = ferromagnet_ring(64);
        let engine = Engine::new(&model);
        let mut p = params(8, Method::Gibbs);
        p.num_reads = 16;
        let full = anneal(&model, &engine, &p, Backend::Cpu, &Control::new()).unwrap();
        p.num_reads = 13; // one full group and one with five of its eight lanes used
        let part = anneal(&model, &engine, &p, Backend::Cpu, &Control::new()).unwrap();
        assert_eq!(part.num_reads(), 13);
        assert_eq!(part.states, full.states[..13 * 64]);
        assert_eq!(part.energies, full.energies[..13]);
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
