//! Simulated annealing of many independent reads, in parallel over reads.
//!
//! Read `r` draws from random stream `r` of the seed, so the samples are bit-identical whatever
//! the number of threads. An optional [`ReadHook`] (dwave-samplers' `interrupt_function`) is
//! consulted after each read in read order and can end the run; the result is then the reads up
//! to that one, whichever reads the threads had finished or started.

use super::engine::{Engine, Layout};
use super::fast_sparse::{FastSparseChain, NarrowCouplings};
use super::kernel::{Chain, FastDenseChain, Method};
use super::lanes::{LaneFloat, LaneGroup, LaneModel};
use super::model::IsingModel;
use crate::backend::{self, Backend, Choice};
use crate::control::Control;
use crate::error::Result;
use crate::rng::{Stream, LANES};
use crate::{ensure, parallel};
use rayon::prelude::*;
use std::sync::Mutex;

#[derive(Debug, Clone)]
pub struct AnnealParams {
    /// One β per step; each step runs `sweeps_per_beta` sweeps. No step at all leaves every
    /// read at its starting state. β = +∞ takes every flip that lowers the energy and no other.
    pub betas: Vec<f64>,
    pub sweeps_per_beta: usize,
    pub num_reads: usize,
    pub seed: u64,
    /// The index of this run's first read in a larger run of the same seed: read `r` draws from
    /// stream `first_read + r`, so reads `a..b` of a run can be annealed elsewhere (a `first_read`
    /// that is a multiple of [`LANES`] keeps the lane groups of sparse problems, and so the bits).
    pub first_read: u64,
    pub method: Method,
    /// Starting states in model order for the first reads (at most `num_reads` rows of `n`);
    /// the other reads start from random states drawn from their own streams.
    pub initial_states: Option<Vec<i8>>,
    /// Each sweep makes n updates of spins drawn uniformly with replacement (dwave-samplers'
    /// `randomize_order`) instead of visiting every spin once in the kernels' fixed order.
    pub randomize_order: bool,
}

/// `auto` sends annealing runs of at least this many spin updates to the GPU.
pub const CUDA_AUTO_UPDATES: f64 = 2e8;

/// The backend a run goes to: `requested`, or the process default when `None` (see
/// [`backend::resolve`]), `auto` choosing CUDA for runs of [`CUDA_AUTO_UPDATES`] spin updates or
/// more. Two kinds of run are the CPU's: no sweeps at all (the starting states are the result)
/// and random-order sweeps (the CUDA kernels sweep in colour order), which `auto` keeps on the CPU
/// and `cuda` refuses.
pub fn resolve(params: &AnnealParams, n: usize, requested: Option<Choice>) -> Result<Backend> {
    if params.betas.is_empty() {
        return Ok(Backend::Cpu);
    }
    if params.randomize_order {
        return match requested.unwrap_or_else(backend::current_choice) {
            Choice::Cuda => Err(random_order_on_cuda()),
            _ => Ok(Backend::Cpu),
        };
    }
    if params.first_read > 0 {
        return match requested.unwrap_or_else(backend::current_choice) {
            Choice::Cuda => Err(first_read_on_cuda()),
            _ => Ok(Backend::Cpu),
        };
    }
    backend::resolve(requested, n as f64 * params.total_sweeps() as f64, CUDA_AUTO_UPDATES)
}

fn first_read_on_cuda() -> crate::error::Error {
    crate::error::Error::BackendUnavailable(
        "first_read > 0 runs on the CPU only (the CUDA kernels number their reads from 0): use backend='cpu'".into(),
    )
}

fn random_order_on_cuda() -> crate::error::Error {
    crate::error::Error::BackendUnavailable(
        "randomize_order=True runs on the CPU only (the CUDA kernels sweep in colour order): \
         use backend='cpu' or 'auto'"
            .into(),
    )
}

/// Called after each read, in read order, one call at a time; `true` ends the run after that
/// read (dwave-samplers' `interrupt_function`).
pub type ReadHook<'a> = &'a (dyn Fn() -> bool + Sync);

impl AnnealParams {
    pub fn validate(&self, model: &IsingModel) -> Result<()> {
        ensure!(self.sweeps_per_beta > 0, "num_sweeps_per_beta must be positive, got 0");
        ensure!(self.num_reads > 0, "num_reads must be positive, got 0");
        ensure!(
            self.first_read.checked_add(self.num_reads as u64).is_some(),
            "first_read + num_reads must be below 2**64, got first_read={} and num_reads={}",
            self.first_read,
            self.num_reads
        );
        super::schedule::check_betas(&self.betas, "betas", true)?;
        // What a run keeps per read: its state twice (working copy and result), its energy and
        // the SampleSet's count; an eighth more leaves room for the small allocations that follow
        // (which abort, not raise, once memory has run out).
        let bytes = self.num_reads as u128 * (2 * model.n() as u128 + 16);
        crate::error::check_alloc::<u8>(
            bytes + bytes / 8,
            &format!("{} reads of {} p-bits", self.num_reads, model.n()),
        )?;
        if let Some(init) = &self.initial_states {
            let n = model.n();
            ensure!(
                init.len() % n == 0 && init.len() / n <= self.num_reads,
                "initial_states must hold at most num_reads ({}) states of {n} spins, got {} values",
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
        Some(init) if (r + 1) * n <= init.len() => {
            let mut s = vec![0i8; n];
            engine.to_engine(&init[r * n..(r + 1) * n], &mut s);
            s
        }
        _ => (0..n).map(|_| stream.spin()).collect(),
    }
}

/// Anneal on the given backend. Reads not started when the control's deadline passes are
/// skipped (the result then holds fewer reads, at least one); a cancelled run returns
/// `Err(Interrupted)`. With `after_read`, the result is the reads up to the one after which it
/// returned true (or up to the first read skipped for the deadline).
pub fn anneal(
    model: &IsingModel,
    engine: &Engine,
    params: &AnnealParams,
    backend: Backend,
    control: &Control,
    after_read: Option<ReadHook<'_>>,
) -> Result<Samples> {
    params.validate(model)?;
    control.add_total(params.total_sweeps());
    // Without sweeps the starting states are the result: nothing to run on a device.
    let backend = if params.betas.is_empty() { Backend::Cpu } else { backend };
    let states = match backend {
        Backend::Cpu => anneal_cpu(engine, params, control, after_read)?,
        #[cfg(feature = "cuda")]
        Backend::Cuda => {
            if params.randomize_order {
                return Err(random_order_on_cuda());
            }
            if params.first_read > 0 {
                return Err(first_read_on_cuda());
            }
            // The GPU finishes its reads together: the hook is consulted after they all ran.
            let mut states = super::cuda::anneal(engine, params, control)?;
            if let Some(hook) = after_read {
                // one unit holding every read
                let kept = InOrder::new(hook, 1).finished(0, states.len() / engine.n(), control);
                states.truncate(kept * engine.n());
            }
            states
        }
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
fn anneal_cpu(
    engine: &Engine,
    params: &AnnealParams,
    control: &Control,
    after_read: Option<ReadHook<'_>>,
) -> Result<Vec<i8>> {
    let groups = match engine.layout {
        // Random-order sweeps run as chains only.
        _ if params.randomize_order => 0,
        // A group costs about as much as two to four single chains, so the reads left after
        // the full groups get a group of their own (its spare lanes run and are dropped) when
        // there are at least half a group of them.
        Layout::Sparse { .. } => params.num_reads / LANES + usize::from(params.num_reads % LANES >= LANES / 2),
        Layout::Dense(_) => 0,
    };
    let f32_lanes = groups > 0 && engine.f32_fields_exact();
    let chains = params.num_reads - (groups * LANES).min(params.num_reads);
    let kind = if params.randomize_order {
        ChainKind::RandomOrder
    } else if chains == 0 {
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
    let units = Units { groups, grouped: (groups * LANES).min(params.num_reads), kind };
    if f32_lanes {
        anneal_units::<f32>(engine, params, control, &units, after_read)
    } else {
        anneal_units::<f64>(engine, params, control, &units, after_read)
    }
}

/// How reads outside lane groups run: narrow fields where they are exact (the same trajectory
/// as the f64 chain, bit for bit, with fewer bytes per flip), else the f64 [`Chain`]; with
/// `randomize_order`, f64 chains updating randomly drawn spins.
enum ChainKind {
    Plain,
    FastDense,
    FastSparse(NarrowCouplings),
    RandomOrder,
}

impl ChainKind {
    fn name(&self) -> &'static str {
        match self {
            Self::Plain => "f64 fields",
            Self::FastDense => "narrow dense",
            Self::FastSparse(_) => "i16 fields, i8 couplings",
            Self::RandomOrder => "f64 fields, random order",
        }
    }
}

/// The work units of a run: `groups` lane groups holding reads `0..grouped`, then one chain
/// (of `kind`) per read.
struct Units {
    groups: usize,
    grouped: usize,
    kind: ChainKind,
}

fn anneal_units<T: LaneFloat>(
    engine: &Engine,
    params: &AnnealParams,
    control: &Control,
    units: &Units,
    after_read: Option<ReadHook<'_>>,
) -> Result<Vec<i8>> {
    let Units { groups, grouped, ref kind } = *units;
    let model = (groups > 0).then(|| LaneModel::<T>::new(engine));
    let count = groups + params.num_reads - grouped;
    let in_order = after_read.map(|hook| InOrder::new(hook, count));
    let run_unit = |u: usize| -> Result<Vec<Vec<i8>>> {
        // the first unit always runs, so a run returns at least one read
        if u > 0 && (control.time_is_up() || control.is_stopped()) {
            return Ok(Vec::new());
        }
        let states = match &model {
            Some(model) if u < groups => run_group(engine, model, params, control, u)?,
            _ => vec![run_chain(engine, params, control, grouped + u - groups, kind)?],
        };
        if let Some(in_order) = &in_order {
            in_order.finished(u, states.len(), control);
        }
        Ok(states)
    };
    let done: Vec<Vec<Vec<i8>>> =
        parallel::install(|| (0..count).into_par_iter().map(run_unit).collect::<Result<Vec<_>>>())??;
    let mut states: Vec<i8> = done.into_iter().flatten().flatten().collect();
    if let Some(in_order) = &in_order {
        // reads past the last one reported may have been cut short by the stop
        states.truncate(in_order.reported() * engine.n());
    }
    Ok(states)
}

/// Reads handed to a [`ReadHook`] in read order as the work units holding them finish (units
/// cover consecutive reads in unit order); once the hook says stop, nothing more is reported
/// and the control is told to stop. One thread at a time reports, and it calls the hook without
/// holding the lock: a hook that runs parallel work of its own may have this thread finish
/// another unit meanwhile, which then only records it.
struct InOrder<'a> {
    hook: ReadHook<'a>,
    state: Mutex<Reported>,
}

#[derive(Default)]
struct Reported {
    /// The number of reads of each finished unit.
    finished: Vec<Option<usize>>,
    /// The next read to report is read `in_unit` of unit `unit`.
    unit: usize,
    in_unit: usize,
    /// Reads reported so far.
    reads: usize,
    reporting: bool,
    stopped: bool,
}

impl<'a> InOrder<'a> {
    fn new(hook: ReadHook<'a>, units: usize) -> Self {
        Self { hook, state: Mutex::new(Reported { finished: vec![None; units], ..Reported::default() }) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Reported> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Unit `u` finished with `reads` reads: report every read now due (unless another thread
    /// is reporting); returns how many reads have been reported so far.
    fn finished(&self, u: usize, reads: usize, control: &Control) -> usize {
        let mut st = self.lock();
        st.finished[u] = Some(reads);
        if st.reporting {
            return st.reads;
        }
        st.reporting = true;
        while !st.stopped && st.unit < st.finished.len() {
            let Some(count) = st.finished[st.unit] else { break };
            if st.in_unit == count {
                (st.unit, st.in_unit) = (st.unit + 1, 0);
                continue;
            }
            st.in_unit += 1;
            st.reads += 1;
            drop(st);
            let stop = (self.hook)();
            st = self.lock();
            if stop {
                st.stopped = true;
                control.stop();
            }
        }
        st.reporting = false;
        st.reads
    }

    fn reported(&self) -> usize {
        self.lock().reads
    }
}

/// Read `r` as one chain.
fn run_chain(engine: &Engine, params: &AnnealParams, control: &Control, r: usize, kind: &ChainKind) -> Result<Vec<i8>> {
    let mut stream = Stream::new(params.seed, params.first_read + r as u64);
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
        ChainKind::RandomOrder => {
            // the spins to update are drawn from the rest of the read's stream
            let mut chain = Chain::new(engine, s, &mut stream);
            run_schedule(params, control, 1, |beta| {
                chain.sweep_random(engine, beta, m, k, &mut stream);
            })?;
            Ok(chain.s)
        }
    }
}

/// Run `sweep(beta)` for every step of the schedule, checking for cancellation between steps;
/// `reads` is how many reads each call advances (for progress). After a stop the steps left
/// are skipped: the reads being annealed then come after the last one reported, and are dropped.
fn run_schedule(params: &AnnealParams, control: &Control, reads: usize, mut sweep: impl FnMut(f64)) -> Result<()> {
    for &beta in &params.betas {
        control.check()?;
        if control.is_stopped() {
            break;
        }
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
    let mut streams: [Stream; LANES] =
        std::array::from_fn(|l| Stream::new(params.seed, params.first_read + (g * LANES + l) as u64));
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

    fn run(model: &IsingModel, engine: &Engine, p: &AnnealParams) -> Samples {
        anneal(model, engine, p, Backend::Cpu, &Control::new(), None).unwrap()
    }

    /// [`run`] in a pool of its own of `threads` threads (scoped: tests running at the same time
    /// keep theirs).
    fn run_on(threads: usize, model: &IsingModel, engine: &Engine, p: &AnnealParams) -> Samples {
        parallel::with_threads(Some(threads), || run(model, engine, p)).unwrap()
    }

    fn params(seed: u64, method: Method) -> AnnealParams {
        AnnealParams {
            betas: Schedule::from_beta_range(0.1, 5.0, 200, "geometric").unwrap().betas().to_vec(),
            sweeps_per_beta: 1,
            num_reads: 6,
            seed,
            first_read: 0,
            method,
            initial_states: None,
            randomize_order: false,
        }
    }

    #[test]
    fn finds_ferromagnetic_ground_state_deterministically() {
        let model = ferromagnet_ring(64);
        let engine = Engine::new(&model);
        for method in [Method::Metropolis, Method::Gibbs] {
            let a = run(&model, &engine, &params(11, method));
            assert!(a.energies.iter().cloned().fold(f64::INFINITY, f64::min) <= -60.0);
            let b = run_on(1, &model, &engine, &params(11, method));
            assert_eq!(a, b);
        }
    }

    #[test]
    fn lane_groups_match_chains_in_quality_and_are_deterministic() {
        let model = ferromagnet_ring(64);
        let engine = Engine::new(&model);
        let mut p = params(5, Method::Metropolis);
        p.num_reads = 19; // two lane groups and three chains
        let a = run(&model, &engine, &p);
        let b = run_on(1, &model, &engine, &p);
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
        let runs: Vec<Samples> = [1, 2, 3].iter().map(|&t| run_on(t, &model, &engine, &p)).collect();
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
        let full = run(&model, &engine, &p);
        p.num_reads = 13; // one full group and one with five of its eight lanes used
        let part = run(&model, &engine, &p);
        assert_eq!(part.num_reads(), 13);
        assert_eq!(part.states, full.states[..13 * 64]);
        assert_eq!(part.energies, full.energies[..13]);
    }

    #[test]
    fn reads_from_first_read_on_are_those_of_the_whole_run() {
        // a sparse ring: lane groups of 8 reads, a part group and chains, depending on the count
        let model = ferromagnet_ring(64);
        let engine = Engine::new(&model);
        for total in [19, 21, 24] {
            let mut p = params(4, Method::Metropolis);
            p.num_reads = total;
            let whole = run(&model, &engine, &p);
            let mut states = Vec::new();
            for first in (0..total).step_by(8) {
                p.first_read = first as u64;
                p.num_reads = (total - first).min(8);
                states.extend(run(&model, &engine, &p).states);
            }
            assert_eq!(states, whole.states, "{total} reads");
        }
    }

    #[test]
    fn cancellation_is_reported() {
        let model = ferromagnet_ring(8);
        let engine = Engine::new(&model);
        let control = Control::new();
        control.cancel();
        let err = anneal(&model, &engine, &params(1, Method::Gibbs), Backend::Cpu, &control, None).unwrap_err();
        assert_eq!(err, crate::error::Error::Interrupted);
    }

    #[test]
    fn given_states_start_the_first_reads_and_zero_sweeps_keep_them() {
        let model = ferromagnet_ring(16);
        let engine = Engine::new(&model);
        let mut p = params(4, Method::Metropolis);
        p.num_reads = 12; // one lane group and four chains
        let given: Vec<i8> = (0..3 * 16).map(|i| if i % 3 == 0 { 1 } else { -1 }).collect();
        p.initial_states = Some(given.clone());
        p.betas.clear();
        let out = run(&model, &engine, &p);
        assert_eq!(out.states[..3 * 16], given[..]);
        // the other reads start from their streams' random states, as without given states
        p.initial_states = None;
        let random = run(&model, &engine, &p);
        assert_eq!(out.states[3 * 16..], random.states[3 * 16..]);
        assert_eq!(out.energies[0], model.energy(&given[..16]));
        p.initial_states = Some(vec![1; 13 * 16]);
        assert!(p.validate(&model).is_err(), "more states than reads");
    }

    #[test]
    fn random_order_sweeps_anneal_and_do_not_depend_on_threads() {
        for model in [ferromagnet_ring(48), {
            let n = 12;
            let j: Vec<f64> = (0..n * n).map(|k| if k / n == k % n { 0.0 } else { 1.0 }).collect();
            IsingModel::from_dense(n, &j, &[0.0; 12]).unwrap()
        }] {
            let engine = Engine::new(&model);
            for method in [Method::Metropolis, Method::Gibbs] {
                let mut p = params(6, method);
                p.randomize_order = true;
                p.num_reads = 10;
                let a = run(&model, &engine, &p);
                let b = run_on(1, &model, &engine, &p);
                assert_eq!(a, b);
                // the ground state of the complete graph; at most two domain walls on the ring
                let (ground, slack) = if model.is_dense() { (-66.0, 0.0) } else { (-48.0, 4.0) };
                let best = a.energies.iter().cloned().fold(f64::INFINITY, f64::min);
                assert!(best <= ground + slack, "{method:?}: {:?}", a.energies);
                p.randomize_order = false;
                assert_ne!(a, run(&model, &engine, &p));
            }
        }
    }

    #[test]
    fn an_infinite_beta_takes_exactly_the_downhill_flips() {
        // independent spins: fields +1, -1 and 0 (no flip at zero cost either)
        let model =
            IsingModel::from_edges(30, &[], &[], &[], &(0..30).map(|i| (i % 3) as f64 - 1.0).collect::<Vec<_>>())
                .unwrap();
        let engine = Engine::new(&model);
        let start: Vec<i8> = (0..30).map(|i| if i % 2 == 0 { 1 } else { -1 }).collect();
        // the ground state, with spins of zero field left as they started
        let want: Vec<i8> = (0..30).map(|i| [-1, start[i], 1][i % 3]).collect();
        for (method, randomize_order, reads) in
            [(Method::Metropolis, false, 9), (Method::Gibbs, false, 1), (Method::Metropolis, true, 1)]
        {
            let mut p = params(2, method);
            p.betas = vec![f64::INFINITY; 3]; // odd: a free spin flipping every sweep would end flipped
            p.num_reads = reads;
            p.randomize_order = randomize_order;
            p.initial_states = Some(start.repeat(reads));
            let out = run(&model, &engine, &p);
            assert!(out.states.chunks(30).all(|s| s == want), "{method:?} random order {randomize_order}");
        }
    }

    #[test]
    fn a_hook_ends_the_run_after_the_read_it_says_so() {
        let model = ferromagnet_ring(40);
        let engine = Engine::new(&model);
        let mut p = params(9, Method::Metropolis);
        p.num_reads = 30; // three lane groups and six chains
        let all = run(&model, &engine, &p);
        for stop_after in [1, 5, 8, 26, 30] {
            for threads in [1, 3] {
                let calls = std::sync::atomic::AtomicUsize::new(0);
                let hook = || calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1 == stop_after;
                let hooked = || anneal(&model, &engine, &p, Backend::Cpu, &Control::new(), Some(&hook)).unwrap();
                let out = parallel::with_threads(Some(threads), hooked).unwrap();
                assert_eq!(out.num_reads(), stop_after);
                assert_eq!(out.states[..], all.states[..stop_after * 40]);
                assert_eq!(calls.into_inner(), stop_after);
            }
        }
    }

    #[test]
    fn runs_without_sweeps_or_in_random_order_are_the_cpus() {
        let model = ferromagnet_ring(8);
        let mut p = params(1, Method::Metropolis);
        for requested in [Some(Choice::Cpu), Some(Choice::Auto)] {
            assert_eq!(resolve(&p, 1 << 30, requested).unwrap(), Backend::Cpu, "{requested:?}");
        }
        p.randomize_order = true;
        // `auto` keeps random order on the CPU even for work far above the threshold
        assert_eq!(resolve(&p, 1 << 30, Some(Choice::Auto)).unwrap(), Backend::Cpu);
        let refused = resolve(&p, 8, Some(Choice::Cuda)).unwrap_err();
        assert!(refused.to_string().contains("randomize_order"), "{refused}");
        let err = anneal(&model, &Engine::new(&model), &p, Backend::Cuda, &Control::new(), None).unwrap_err();
        assert!(matches!(err, crate::error::Error::BackendUnavailable(_)), "{err:?}");
        p.betas.clear(); // no sweeps: the starting states are the result, even when CUDA is asked for
        assert_eq!(resolve(&p, 8, Some(Choice::Cuda)).unwrap(), Backend::Cpu);
    }
}
