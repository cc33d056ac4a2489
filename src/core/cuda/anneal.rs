//! Host side of GPU annealing: upload the engine, size batches of reads to the free device
//! memory, launch the kernels of `anneal.cu` a chunk of β steps at a time (polling the control
//! between launches), and read the final spins back.

use crate::backend::cuda::{
    allow_shared, gib, grid_1d, on_error, to_u32, CudaFunction, CudaSlice, CudaStream, Device, DriverError, KernelCell,
    LaunchConfig, Memory, Program, PushKernelArg, MAX_GRID_X, MAX_GRID_Y,
};
use crate::control::Control;
use crate::core::anneal::initial_state;
use crate::core::engine::{Engine, Layout};
use crate::core::kernel::Method;
use crate::core::AnnealParams;
use crate::error::{Error, Result};
use crate::rng::{mix64, Stream};
use std::borrow::Cow;
use std::sync::Arc;

/// The kernels of `anneal.cu` on device 0, compiled and loaded on first use.
pub(super) static KERNELS: KernelCell<Kernels> =
    KernelCell::new(Program::new("quantumpanarchy_anneal.cu", include_str!("anneal.cu")), |device, module| {
        Ok(Kernels {
            device,
            random_spins: module.function("random_spins")?,
            sparse_block: module.function("sparse_block")?,
            sparse_class: module.function("sparse_class")?,
            dense_block: module.function("dense_block")?,
        })
    });

pub(super) struct Kernels {
    device: &'static Device,
    random_spins: CudaFunction,
    sparse_block: CudaFunction,
    sparse_class: CudaFunction,
    dense_block: CudaFunction,
}

/// Spins decided in order by one warp of the dense kernel (`TILE` in anneal.cu).
const TILE: usize = 32;
const DENSE_THREADS: u32 = 256;
const CLASS_THREADS: u32 = 256;
/// Shared memory of the dense kernel besides F and S: the J tile and the tile's flips.
const DENSE_SHARED_BASE: usize = (TILE * TILE + TILE) * 8;
/// Rough cost units (≈ spin updates) per launch, a few tens of ms of GPU time: short enough for
/// Ctrl-C and progress bars to feel immediate, long enough to hide launch overheads.
const WORK_PER_LAUNCH: f64 = 1.0e9;
/// Shared memory kept free for the kernels' static `__shared__` variables.
const STATIC_SHARED: usize = 256;

/// How the sweeps are mapped onto the GPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    /// Sparse, one block per read running whole chunks of sweeps; spins in shared memory if `shared`.
    SparseBlock { shared: bool },
    /// Sparse, one launch per colour class with a thread per spin (large models, few reads).
    SparseClass,
    /// Dense, one block per read; fields and spins in shared memory if `shared`.
    DenseBlock { shared: bool },
}

/// The model as the kernels read it.
enum Model {
    Sparse {
        indptr: CudaSlice<u64>,
        indices: CudaSlice<u32>,
        data: CudaSlice<f64>,
        class_start: CudaSlice<u32>,
        classes: Vec<(u32, u32)>,
    },
    Dense {
        j: CudaSlice<f64>,
    },
}

pub(super) fn run(engine: &Engine, params: &AnnealParams, control: &Control) -> Result<Vec<i8>> {
    run_with(engine, params, control, None)
}

/// [`run`], optionally forcing a mode (tests compare the modes, which must agree bit for bit).
pub(super) fn run_with(
    engine: &Engine,
    params: &AnnealParams,
    control: &Control,
    force: Option<Mode>,
) -> Result<Vec<i8>> {
    let gpu = KERNELS.get()?;
    control.check()?;
    let n = engine.n();
    let plan = Plan::new(&Limits::of(gpu.device)?, engine, params, force)?;
    let fail = |what: &'static str| plan.fail(what);
    let stream = gpu.device.context().new_stream().map_err(fail("creating a stream"))?;
    let model = upload_model(&stream, engine, &fail)?;
    let h = stream.clone_htod(&engine.h).map_err(fail("uploading the fields"))?;
    let betas = stream.clone_htod(&params.betas).map_err(fail("uploading the schedule"))?;
    let mut spins = stream.alloc_zeros::<i8>(plan.batch * n).map_err(fail("allocating the spins"))?;
    let field_len = if matches!(plan.mode, Mode::DenseBlock { shared: false }) { plan.batch * n } else { 1 };
    let mut fields = stream.alloc_zeros::<f64>(field_len).map_err(fail("allocating the fields"))?;

    let mut out: Vec<i8> = Vec::with_capacity(params.num_reads * n);
    let mut read0 = 0;
    while read0 < params.num_reads {
        // as on the CPU, the first batch always runs
        if read0 > 0 && control.time_is_up() {
            break;
        }
        let reads = plan.batch.min(params.num_reads - read0);
        let batch = Batch { read0: read0 as u32, reads: reads as u32 };
        init_spins(gpu, &stream, engine, params, &plan, batch, &mut spins)?;
        let mut step = 0;
        while step < params.betas.len() {
            control.check()?;
            let end = (step + plan.steps_per_launch).min(params.betas.len());
            let steps = Steps { begin: step as u32, end: end as u32 };
            match &model {
                Model::Sparse { indptr, indices, data, class_start, classes } => {
                    let sparse = SparseArgs { indptr, indices, data, h: &h };
                    if plan.mode == Mode::SparseClass {
                        launch_sparse_class(gpu, &stream, &plan, &sparse, classes, params, batch, steps, &mut spins)?;
                    } else {
                        launch_sparse_block(
                            gpu,
                            &stream,
                            &plan,
                            &sparse,
                            class_start,
                            &betas,
                            batch,
                            steps,
                            &mut spins,
                        )?;
                    }
                }
                Model::Dense { j } => {
                    launch_dense(gpu, &stream, &plan, j, &h, &betas, batch, steps, &mut spins, &mut fields)?;
                }
            }
            // Wait here so that progress is real and a Ctrl-C is seen within one launch.
            stream.synchronize().map_err(fail("running the annealing kernel"))?;
            control.advance((reads * (end - step) * params.sweeps_per_beta) as u64);
            step = end;
        }
        let done = stream.clone_dtoh(&spins.slice(0..reads * n)).map_err(fail("copying the states back"))?;
        out.extend_from_slice(&done);
        read0 += reads;
    }
    Ok(out)
}

/// What a plan depends on in the device.
#[derive(Debug, Clone, Copy)]
struct Limits {
    multiprocessors: usize,
    /// Largest dynamic shared memory a block may opt in to.
    max_shared_bytes: usize,
    memory: Memory,
}

impl Limits {
    fn of(device: &Device) -> Result<Self> {
        Ok(Self {
            multiprocessors: device.multiprocessors,
            max_shared_bytes: device.max_shared_bytes,
            memory: device.memory()?,
        })
    }
}

/// Launch shape and memory budget of one run.
#[derive(Debug)]
struct Plan {
    mode: Mode,
    n: u32,
    sweeps_per_beta: u32,
    gibbs: i32,
    /// Philox key, from the seed.
    key: (u32, u32),
    /// Reads resident on the device at once.
    batch: usize,
    steps_per_launch: usize,
    block_threads: u32,
    shared_bytes: usize,
    /// "about X GiB (...)": quoted when the device runs out of memory.
    estimate: String,
}

#[derive(Clone, Copy)]
struct Batch {
    read0: u32,
    reads: u32,
}

#[derive(Clone, Copy)]
struct Steps {
    begin: u32,
    end: u32,
}

impl Plan {
    fn new(limits: &Limits, engine: &Engine, params: &AnnealParams, force: Option<Mode>) -> Result<Self> {
        let n = engine.n();
        let n32 = to_u32(n, "the number of p-bits")?;
        let sweeps_per_beta = to_u32(params.sweeps_per_beta, "num_sweeps_per_beta")?;
        to_u32(params.betas.len(), "the schedule length")?;
        to_u32(params.num_reads, "num_reads")?;
        let sms = limits.multiprocessors;
        let (mode, static_bytes, block_threads, cost) = match &engine.layout {
            Layout::Sparse { csr, classes } => {
                let nnz = csr.indices.len();
                let shared_fits = n.next_multiple_of(16) + STATIC_SHARED <= limits.max_shared_bytes;
                let mode = force.unwrap_or(if params.num_reads < 2 * sms && n >= 1 << 15 {
                    Mode::SparseClass
                } else {
                    Mode::SparseBlock { shared: shared_fits }
                });
                let widest = classes.iter().map(|c| c.len()).max().unwrap_or(1);
                let threads = match mode {
                    Mode::SparseClass => CLASS_THREADS,
                    _ => widest.next_multiple_of(32).clamp(64, 512) as u32,
                };
                let bytes = (n + 1) * 8 + nnz * 12 + n * 8 + (classes.len() + 1) * 4;
                (mode, bytes, threads, 1.0 + nnz as f64 / (8.0 * n as f64))
            }
            Layout::Dense(_) => {
                let shared_fits =
                    DENSE_SHARED_BASE + (n * 9).next_multiple_of(16) + STATIC_SHARED <= limits.max_shared_bytes;
                let mode = force.unwrap_or(Mode::DenseBlock { shared: shared_fits });
                (mode, n * n * 8 + n * 8, DENSE_THREADS, 1.0 + n as f64 / 64.0)
            }
        };
        let dense_mode = matches!(mode, Mode::DenseBlock { .. });
        if dense_mode != matches!(engine.layout, Layout::Dense(_)) {
            return Err(Error::Internal(format!("{mode:?} does not fit the engine's layout")));
        }
        let shared_bytes = match mode {
            Mode::SparseBlock { shared: true } => n.next_multiple_of(16),
            Mode::SparseBlock { shared: false } | Mode::SparseClass => 0,
            Mode::DenseBlock { shared } => DENSE_SHARED_BASE + if shared { (n * 9).next_multiple_of(16) } else { 0 },
        };
        if shared_bytes + STATIC_SHARED > limits.max_shared_bytes {
            return Err(Error::Internal(format!(
                "{mode:?} needs {shared_bytes} B of shared memory per block, the device allows {}",
                limits.max_shared_bytes
            )));
        }
        let per_read = n + if matches!(mode, Mode::DenseBlock { shared: false }) { n * 8 } else { 0 };
        let static_bytes = (static_bytes + params.betas.len() * 8) as u64;
        let budget = limits.memory.usable();
        let need_all = static_bytes + (per_read * params.num_reads) as u64;
        let estimate = format!(
            "about {} for the model plus {} per read, {} for all {} reads; {}",
            gib(static_bytes),
            gib(per_read as u64),
            gib(need_all),
            params.num_reads,
            limits.memory.describe()
        );
        if static_bytes + per_read as u64 > budget {
            return Err(Error::ResourceLimit(format!("this model does not fit in GPU memory: {estimate}")));
        }
        // One block per read in x, or reads in y for the per-class kernel.
        let max_grid = if mode == Mode::SparseClass { MAX_GRID_Y } else { MAX_GRID_X };
        let batch = (((budget - static_bytes) / per_read as u64) as usize).min(params.num_reads).min(max_grid).max(1);
        // Fewer resident blocks than the GPU can run at once do the same work more slowly.
        let occupancy = match mode {
            Mode::SparseClass => 1.0,
            _ => (batch as f64 / (4 * sms) as f64).min(1.0),
        };
        let per_step = batch as f64 * n as f64 * params.sweeps_per_beta as f64 * cost / occupancy;
        let steps_per_launch = ((WORK_PER_LAUNCH / per_step) as usize).clamp(1, params.betas.len());
        let key = mix64(params.seed ^ 0x7150_6269_7473_4355);
        Ok(Self {
            mode,
            n: n32,
            sweeps_per_beta,
            gibbs: i32::from(params.method == Method::Gibbs),
            key: (key as u32, (key >> 32) as u32),
            batch,
            steps_per_launch,
            block_threads,
            shared_bytes,
            estimate,
        })
    }

    /// Maps a driver error met while doing `what` to the crate's error, quoting the estimate.
    fn fail(&self, what: &'static str) -> impl Fn(DriverError) -> Error + '_ {
        on_error(what, &self.estimate)
    }

    fn block_launch(&self, reads: u32) -> LaunchConfig {
        LaunchConfig {
            grid_dim: (reads, 1, 1),
            block_dim: (self.block_threads, 1, 1),
            shared_mem_bytes: self.shared_bytes as u32,
        }
    }
}

fn upload_model<F>(stream: &Arc<CudaStream>, engine: &Engine, fail: &impl Fn(&'static str) -> F) -> Result<Model>
where
    F: Fn(DriverError) -> Error,
{
    match &engine.layout {
        Layout::Sparse { csr, classes } => {
            let indptr: Vec<u64> = csr.indptr.iter().map(|&p| p as u64).collect();
            let mut starts: Vec<u32> = classes.iter().map(|c| c.start as u32).collect();
            starts.push(engine.n() as u32);
            Ok(Model::Sparse {
                indptr: stream.clone_htod(&indptr).map_err(fail("uploading the couplings"))?,
                // A zero-byte allocation is an error in CUDA: pad a model without couplings.
                indices: stream.clone_htod(&*nonempty(&csr.indices)).map_err(fail("uploading the couplings"))?,
                data: stream.clone_htod(&*nonempty(&csr.data)).map_err(fail("uploading the couplings"))?,
                class_start: stream.clone_htod(&starts).map_err(fail("uploading the colour classes"))?,
                classes: classes.iter().map(|c| (c.start as u32, c.end as u32)).collect(),
            })
        }
        Layout::Dense(j) => {
            Ok(Model::Dense { j: stream.clone_htod(&*j.to_f64()).map_err(fail("uploading the couplings"))? })
        }
    }
}

/// Start states of a batch: random from the seed on the device, or, when the caller gave states,
/// built on the host: the caller's (model order → engine order) for the reads they cover, and
/// for the others the random states the CPU would start those reads from.
fn init_spins(
    gpu: &Kernels,
    stream: &Arc<CudaStream>,
    engine: &Engine,
    params: &AnnealParams,
    plan: &Plan,
    batch: Batch,
    spins: &mut CudaSlice<i8>,
) -> Result<()> {
    let n = engine.n();
    let (read0, reads) = (batch.read0 as usize, batch.reads as usize);
    if params.initial_states.is_some() {
        let mut host = Vec::with_capacity(reads * n);
        for r in read0..read0 + reads {
            host.extend(initial_state(engine, params, r, &mut Stream::new(params.seed, r as u64)));
        }
        return stream.memcpy_htod(&host, spins).map_err(plan.fail("uploading the initial states"));
    }
    let total = reads * n;
    // a grid-stride kernel: enough blocks to fill the GPU
    let blocks = total.div_ceil(256).clamp(1, gpu.device.multiprocessors * 32) as u32;
    let cfg = LaunchConfig { grid_dim: (blocks, 1, 1), block_dim: (256, 1, 1), shared_mem_bytes: 0 };
    let (k0, k1) = plan.key;
    let mut b = stream.launch_builder(&gpu.random_spins);
    b.arg(&mut *spins).arg(&plan.n).arg(&batch.reads).arg(&batch.read0).arg(&k0).arg(&k1);
    // SAFETY: the arguments match `random_spins(signed char*, u32 n, u32 reads, u32 read0, u32 k0,
    // u32 k1)` in order and type, and `spins` holds at least reads * n values.
    unsafe { b.launch(cfg) }.map_err(plan.fail("launching random_spins"))?;
    Ok(())
}

struct SparseArgs<'a> {
    indptr: &'a CudaSlice<u64>,
    indices: &'a CudaSlice<u32>,
    data: &'a CudaSlice<f64>,
    h: &'a CudaSlice<f64>,
}

#[allow(clippy::too_many_arguments)]
fn launch_sparse_block(
    gpu: &Kernels,
    stream: &Arc<CudaStream>,
    plan: &Plan,
    m: &SparseArgs,
    class_start: &CudaSlice<u32>,
    betas: &CudaSlice<f64>,
    batch: Batch,
    steps: Steps,
    spins: &mut CudaSlice<i8>,
) -> Result<()> {
    allow_shared(&gpu.sparse_block, plan.shared_bytes)?;
    let num_classes = (class_start.len() - 1) as u32;
    let shared = i32::from(plan.mode == Mode::SparseBlock { shared: true });
    let (k0, k1) = plan.key;
    let mut b = stream.launch_builder(&gpu.sparse_block);
    b.arg(&mut *spins).arg(&plan.n).arg(m.indptr).arg(m.indices).arg(m.data).arg(m.h).arg(class_start);
    b.arg(&num_classes).arg(betas).arg(&steps.begin).arg(&steps.end).arg(&plan.sweeps_per_beta);
    b.arg(&k0).arg(&k1).arg(&batch.read0).arg(&plan.gibbs).arg(&shared);
    // SAFETY: the arguments match `sparse_block` in anneal.cu in order and type; the CSR arrays
    // hold n + 1 / nnz / nnz values with indices < n, class_start holds num_classes + 1 bounds
    // ending at n, betas covers steps.end, spins holds batch.reads rows of n, and the shared
    // memory requested (plan.shared_bytes) covers n bytes when `shared` is set.
    unsafe { b.launch(plan.block_launch(batch.reads)) }.map_err(plan.fail("launching sparse_block"))?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn launch_sparse_class(
    gpu: &Kernels,
    stream: &Arc<CudaStream>,
    plan: &Plan,
    m: &SparseArgs,
    classes: &[(u32, u32)],
    params: &AnnealParams,
    batch: Batch,
    steps: Steps,
    spins: &mut CudaSlice<i8>,
) -> Result<()> {
    let (k0, k1) = plan.key;
    for step in steps.begin..steps.end {
        let beta = params.betas[step as usize];
        for w in 0..plan.sweeps_per_beta {
            let sweep = step as u64 * plan.sweeps_per_beta as u64 + w as u64;
            for &(begin, end) in classes {
                let spins_of_class = grid_1d((end - begin) as usize, CLASS_THREADS);
                let cfg = LaunchConfig { grid_dim: (spins_of_class.grid_dim.0, batch.reads, 1), ..spins_of_class };
                let mut b = stream.launch_builder(&gpu.sparse_class);
                b.arg(&mut *spins).arg(&plan.n).arg(m.indptr).arg(m.indices).arg(m.data).arg(m.h);
                b.arg(&begin).arg(&end).arg(&beta).arg(&sweep).arg(&k0).arg(&k1).arg(&batch.read0).arg(&plan.gibbs);
                // SAFETY: the arguments match `sparse_class` in anneal.cu in order and type; the
                // CSR arrays are as for sparse_block, [begin, end) is a colour class within n, and
                // spins holds batch.reads (= grid y <= 65535) rows of n.
                unsafe { b.launch(cfg) }.map_err(plan.fail("launching sparse_class"))?;
            }
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn launch_dense(
    gpu: &Kernels,
    stream: &Arc<CudaStream>,
    plan: &Plan,
    j: &CudaSlice<f64>,
    h: &CudaSlice<f64>,
    betas: &CudaSlice<f64>,
    batch: Batch,
    steps: Steps,
    spins: &mut CudaSlice<i8>,
    fields: &mut CudaSlice<f64>,
) -> Result<()> {
    allow_shared(&gpu.dense_block, plan.shared_bytes)?;
    let shared = i32::from(plan.mode == Mode::DenseBlock { shared: true });
    let (k0, k1) = plan.key;
    let mut b = stream.launch_builder(&gpu.dense_block);
    b.arg(&mut *spins).arg(&mut *fields).arg(&plan.n).arg(j).arg(h).arg(betas);
    b.arg(&steps.begin).arg(&steps.end).arg(&plan.sweeps_per_beta).arg(&k0).arg(&k1).arg(&batch.read0);
    b.arg(&plan.gibbs).arg(&shared);
    // SAFETY: the arguments match `dense_block` in anneal.cu in order and type; J holds n * n
    // values, h n, betas covers steps.end, spins batch.reads rows of n, fields batch.reads rows of
    // n when `shared` is 0 (unused otherwise), and plan.shared_bytes covers the J tile, the tile
    // flips and, when `shared` is 1, n doubles plus n bytes (the block is 256 threads, >= a warp).
    unsafe { b.launch(plan.block_launch(batch.reads)) }.map_err(plan.fail("launching dense_block"))?;
    Ok(())
}

fn nonempty<T: Copy + Default>(v: &[T]) -> Cow<'_, [T]> {
    if v.is_empty() {
        Cow::Owned(vec![T::default()])
    } else {
        Cow::Borrowed(v)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{params, ring};
    use super::*;
    use crate::core::model::IsingModel;

    /// A device like an H100's: 132 SMs, 227 KiB of opt-in shared memory, `free` bytes free of 80 GiB.
    fn limits(free: u64) -> Limits {
        Limits { multiprocessors: 132, max_shared_bytes: 227 * 1024, memory: Memory { free, total: 80 << 30 } }
    }

    #[test]
    fn plans_pick_the_mode_by_layout_size_and_reads() {
        let gibbs = |reads| params(reads, Method::Gibbs);
        let small = Engine::new(&ring(64));
        let plan = Plan::new(&limits(70 << 30), &small, &gibbs(8), None).unwrap();
        assert_eq!(
            (plan.mode, plan.batch, plan.shared_bytes, plan.block_threads),
            (Mode::SparseBlock { shared: true }, 8, 64, 64)
        );
        assert_eq!(plan.gibbs, 1);
        // few reads of a large model: one launch per colour class, a thread per spin
        let large = Engine::new(&ring(1 << 16));
        assert_eq!(Plan::new(&limits(70 << 30), &large, &gibbs(8), None).unwrap().mode, Mode::SparseClass);
        // many reads whose spins do not fit in shared memory: one block per read, spins in global memory
        let small_shared = Limits { max_shared_bytes: 48 * 1024, ..limits(70 << 30) };
        let plan = Plan::new(&small_shared, &large, &gibbs(1000), None).unwrap();
        assert_eq!((plan.mode, plan.shared_bytes), (Mode::SparseBlock { shared: false }, 0));

        let n = 40;
        let j: Vec<f64> = (0..n * n).map(|k| if k / n == k % n { 0.0 } else { 0.025 }).collect();
        let dense = Engine::new(&IsingModel::from_dense(n, &j, &vec![0.0; n]).unwrap());
        let plan = Plan::new(&limits(70 << 30), &dense, &params(8, Method::Metropolis), None).unwrap();
        assert_eq!(
            (plan.mode, plan.shared_bytes, plan.gibbs),
            (Mode::DenseBlock { shared: true }, DENSE_SHARED_BASE + 368, 0)
        );
        // a mode of the other layout is a bug, never a launch
        let wrong = Plan::new(&limits(70 << 30), &small, &gibbs(8), Some(Mode::DenseBlock { shared: true }));
        assert!(matches!(wrong, Err(Error::Internal(_))), "{wrong:?}");
    }

    #[test]
    fn batches_fit_the_memory_and_the_grid() {
        let engine = Engine::new(&ring(64));
        let gibbs = |reads| params(reads, Method::Gibbs);
        // memory for more reads than a grid has blocks in x (2^31 - 1), or in y for the per-class kernel
        let plan = Plan::new(&limits(1 << 40), &engine, &gibbs(3_000_000_000), None).unwrap();
        assert_eq!(plan.batch, MAX_GRID_X);
        let plan = Plan::new(&limits(1 << 40), &engine, &gibbs(100_000), Some(Mode::SparseClass)).unwrap();
        assert_eq!(plan.batch, MAX_GRID_Y);
        // 1000 reads of 64 spins, memory for about half of them besides the headroom and the model
        let headroom = (80u64 << 30) / 50;
        let plan = Plan::new(&limits(headroom + 40_000), &engine, &gibbs(1000), None).unwrap();
        assert!(plan.batch > 100 && plan.batch < 1000, "{}", plan.batch);
        // not one read fits: a resource limit with the estimate
        let err = Plan::new(&limits(headroom), &engine, &gibbs(1000), None).unwrap_err();
        assert!(
            matches!(&err, Error::ResourceLimit(m) if m.contains("does not fit") && m.contains("free of")),
            "{err:?}"
        );
    }
}
