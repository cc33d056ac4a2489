//! Host side of the QAOA statevector on the GPU (kernels in `qaoa.cu`, which describes the passes).
//! The cost diagonal is uploaded once and the state stays on the device, so each of an optimiser's
//! thousands of evaluations costs its kernel launches and a copy of at most 1024 partial sums.
//!
//! Results agree with the CPU simulator (`decision::qaoa::statevector`) to about 1e-15 relative
//! (the GPU's `sincos` and fused multiply-adds round differently from the CPU's own sin/cos), and
//! are the same from run to run: every sum is taken in an order fixed by n alone.

use super::super::cost::MAX_QUBITS;
use super::super::statevector::{check_angles, check_cost, check_phases, AngleSets};
use crate::backend::cuda::{
    driver_error, gib, grid_1d, guarded, on_error, CudaFunction, CudaSlice, CudaStream, CudaViewMut, Device,
    DriverError, KernelCell, LaunchConfig, Program, PushKernelArg,
};
use crate::control::Control;
use crate::error::{check_alloc, try_collect, try_vec, Error, Result};
use std::sync::Arc;

/// The kernels of `qaoa.cu` on device 0, compiled and loaded on first use.
static KERNELS: KernelCell<Kernels> =
    KernelCell::new(Program::new("quantumpanarchy_qaoa.cu", include_str!("qaoa.cu")), |device, module| {
        Ok(Kernels {
            device,
            low: module.function("qaoa_low")?,
            high: module.function("qaoa_high")?,
            sum: module.function("qaoa_sum")?,
            probabilities: module.function("qaoa_probabilities")?,
        })
    });

struct Kernels {
    device: &'static Device,
    low: CudaFunction,
    high: CudaFunction,
    sum: CudaFunction,
    probabilities: CudaFunction,
}

/// log2 of the tile of `qaoa_low`: 2^11 amplitudes are 32 KiB of shared memory (below the 48 KiB
/// every device grants without opting in) and 256 threads of 2^RBITS amplitudes.
const TILE_BITS: usize = 11;
/// Qubits per register round of `qaoa_low` and per pass of `qaoa_high` (`RBITS`, `GBITS` in qaoa.cu).
const RBITS: usize = 3;
const GBITS: usize = 5;
/// Threads per block of `qaoa_high`, `qaoa_sum` and `qaoa_probabilities` (at most `MAX_THREADS`).
const BLOCK: usize = 256;
/// `qaoa_sum` adds the per-block partial sums in runs down to at most this many values.
const SUM_FAN_OUT: usize = 1024;
/// Amplitudes per chunk when copying probabilities back (32 MiB of doubles on the device).
const PROBABILITY_CHUNK: usize = 1 << 22;

/// A QAOA statevector simulator resident on device 0: the cost diagonal, the state (2^n complex
/// amplitudes) and the reduction buffers stay allocated between evaluations.
pub struct QaoaSimulator {
    gpu: &'static Kernels,
    stream: Arc<CudaStream>,
    n: usize,
    /// Tile bits of the low pass: min(n, TILE_BITS).
    k: usize,
    cost: CudaSlice<f64>,
    /// (re, im) pairs, read by the kernels as double2.
    state: CudaSlice<f64>,
    /// One sum of |a|²c per block of the last pass.
    partials: CudaSlice<f64>,
    /// The partial sums added in runs, for the host to add.
    sums: CudaSlice<f64>,
    /// max |C(x)|, for refusing γ whose phases overflow.
    max_abs: f64,
    /// "needs about X GiB on the GPU (...)", quoted when the device runs out of memory.
    estimate: String,
}

impl std::fmt::Debug for QaoaSimulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QaoaSimulator").field("n", &self.n).field("tile_bits", &self.k).finish_non_exhaustive()
    }
}

/// The passes of one layer and the reduction, as functions of n alone.
#[derive(Debug, Clone, Copy)]
struct Shape {
    n: usize,
    k: usize,
}

impl Shape {
    fn new(n: usize) -> Self {
        Self { n, k: n.min(TILE_BITS) }
    }

    fn high_passes(self) -> usize {
        (self.n - self.k).div_ceil(GBITS)
    }

    /// Threads of `qaoa_high` (2^(n − GBITS)) and their block size.
    fn high_threads(self) -> (usize, usize) {
        let threads = 1usize << self.n.saturating_sub(GBITS);
        (threads, threads.min(BLOCK))
    }

    /// Blocks of the last pass of an evaluation, each of which writes one partial sum.
    fn partials(self) -> usize {
        if self.n > self.k {
            let (threads, block) = self.high_threads();
            threads / block
        } else {
            1 << (self.n - self.k)
        }
    }

    /// Partial sums per run of `qaoa_sum`, and the number of runs.
    fn sum_runs(self) -> (usize, usize) {
        let parts = self.partials();
        let per = parts.div_ceil(SUM_FAN_OUT);
        (per, parts.div_ceil(per))
    }

    fn device_bytes(self) -> u64 {
        let len = 1u64 << self.n;
        24 * len + 8 * (self.partials() + self.sum_runs().1) as u64 + 8 * len.min(PROBABILITY_CHUNK as u64)
    }
}

/// Bytes an evaluation at depth `layers` on `n` qubits moves between the GPU's memory and its
/// chips, by the count in qaoa.cu (depth 0 runs one layer with zero angles): the numerator of its
/// memory-bandwidth roofline.
pub fn qaoa_bytes_per_evaluation(n: usize, layers: usize) -> u64 {
    let shape = Shape::new(n);
    let p = layers.max(1) as u64;
    (1u64 << n) * (24 + 40 * (p - 1) + 32 * p * shape.high_passes() as u64 + 8)
}

impl QaoaSimulator {
    /// Uploads the cost diagonal (2^n finite values, index bit i = qubit i) to device 0 and
    /// allocates the state. `BackendUnavailable` without a usable device, `ResourceLimit` (with
    /// the estimate) when the register does not fit in the GPU's free memory.
    pub fn new(cost: &[f64]) -> Result<Self> {
        guarded(|| Self::create(cost))
    }

    fn create(cost: &[f64]) -> Result<Self> {
        let n = check_cost(cost)?;
        if n > MAX_QUBITS {
            return Err(Error::ResourceLimit(format!("QAOA simulates at most {MAX_QUBITS} qubits, got {n}")));
        }
        let gpu = KERNELS.get()?;
        let shape = Shape::new(n);
        let need = shape.device_bytes();
        let memory = gpu.device.memory()?;
        let estimate = format!(
            "a QAOA statevector on {n} qubits needs about {} on the GPU (state {}, cost diagonal {}); {}",
            gib(need),
            gib(16 << n),
            gib(8 << n),
            memory.describe()
        );
        if need > memory.usable() {
            return Err(Error::ResourceLimit(format!("this register does not fit in GPU memory: {estimate}")));
        }
        let fail = |what| on_error(what, &estimate);
        let stream = gpu.device.context().new_stream().map_err(fail("creating a stream"))?;
        let cost_dev = stream.clone_htod(cost).map_err(fail("uploading the cost diagonal"))?;
        let state = stream.alloc_zeros::<f64>(2 << n).map_err(fail("allocating the state"))?;
        let partials = stream.alloc_zeros::<f64>(shape.partials()).map_err(fail("allocating the partial sums"))?;
        let sums = stream.alloc_zeros::<f64>(shape.sum_runs().1).map_err(fail("allocating the partial sums"))?;
        let max_abs = cost.iter().fold(0.0f64, |m, c| m.max(c.abs()));
        Ok(Self { gpu, stream, n, k: shape.k, cost: cost_dev, state, partials, sums, max_abs, estimate })
    }

    pub fn num_qubits(&self) -> usize {
        self.n
    }

    /// Prepares |ψ(γ, β)⟩ on the device.
    pub fn evolve(&mut self, gammas: &[f64], betas: &[f64]) -> Result<()> {
        guarded(|| {
            check_angles(gammas, betas)?;
            self.launch_layers(gammas, betas, false)?;
            self.stream.synchronize().map_err(self.fail("running the QAOA kernels"))
        })
    }

    /// ⟨ψ(γ, β)|C|ψ(γ, β)⟩.
    pub fn expectation(&mut self, gammas: &[f64], betas: &[f64]) -> Result<f64> {
        guarded(|| {
            check_angles(gammas, betas)?;
            self.launch_layers(gammas, betas, true)?;
            let (gpu, stream, shape) = (self.gpu, &self.stream, Shape::new(self.n));
            launch_sum(gpu, stream, shape, &self.partials, &mut self.sums.as_view_mut())?;
            let sums = self.stream.clone_dtoh(&self.sums).map_err(self.fail("running the QAOA kernels"))?;
            Ok(add_in_order(&sums))
        })
    }

    /// ⟨C⟩ for each angle set, each the value [`QaoaSimulator::expectation`] gives; the sets run
    /// one after the other with a single copy back at the end, checking `control` between them.
    pub fn expectations(&mut self, sets: &AngleSets<'_>, control: Option<&Control>) -> Result<Vec<f64>> {
        guarded(|| {
            if sets.is_empty() {
                return Ok(Vec::new());
            }
            let shape = Shape::new(self.n);
            let runs = shape.sum_runs().1;
            let total = sets.len().saturating_mul(runs);
            check_alloc::<f64>(total as u128, "the partial sums of a batch of QAOA evaluations")?;
            let mut all = self.stream.alloc_zeros::<f64>(total).map_err(self.fail("allocating the partial sums"))?;
            for (s, (g, b)) in sets.iter().enumerate() {
                control.map_or(Ok(()), Control::check)?;
                self.launch_layers(g, b, true)?;
                let mut slot = all.slice_mut(s * runs..(s + 1) * runs);
                launch_sum(self.gpu, &self.stream, shape, &self.partials, &mut slot)?;
            }
            let sums = self.stream.clone_dtoh(&all).map_err(self.fail("running the QAOA kernels"))?;
            try_collect(sums.chunks(runs).map(add_in_order), "the values of a batch of QAOA evaluations")
        })
    }

    /// |ψ_x|² for every x, of the state the last evaluation left (zero before the first one).
    pub fn probabilities(&self) -> Result<Vec<f64>> {
        guarded(|| {
            let len = 1usize << self.n;
            let chunk = len.min(PROBABILITY_CHUNK);
            let mut scratch =
                self.stream.alloc_zeros::<f64>(chunk).map_err(self.fail("allocating the probabilities"))?;
            let mut out = try_vec(len, 0.0f64, "the QAOA probabilities")?;
            for (index, dst) in out.chunks_mut(chunk).enumerate() {
                let (offset, count) = (index * chunk, dst.len());
                let psi = self.state.slice(2 * offset..2 * (offset + count));
                let count64 = count as u64;
                let cfg = grid_1d(count, BLOCK as u32);
                let mut b = self.stream.launch_builder(&self.gpu.probabilities);
                b.arg(&psi).arg(&count64).arg(&mut scratch);
                // SAFETY: the arguments match `qaoa_probabilities(const double2*, u64 len, double*)`;
                // psi holds `count` (re, im) pairs and scratch at least `count` doubles.
                unsafe { b.launch(cfg) }.map_err(self.fail("launching qaoa_probabilities"))?;
                self.stream.memcpy_dtoh(&scratch.slice(0..count), dst).map_err(self.fail("copying probabilities"))?;
            }
            Ok(out)
        })
    }

    /// Theoretical peak memory bandwidth of the device in bytes/s, when the driver reports it.
    pub fn peak_bandwidth(&self) -> Option<f64> {
        self.gpu.device.peak_bandwidth()
    }

    /// Queues every pass of the layers (depth 0: one layer with zero angles, i.e. |+⟩^n); with
    /// `reduce`, the last pass writes the per-block sums of |a|²c.
    fn launch_layers(&mut self, gammas: &[f64], betas: &[f64], reduce: bool) -> Result<()> {
        check_phases(gammas, self.max_abs)?;
        let layers = gammas.len().max(1);
        let shape = Shape::new(self.n);
        let (n, k) = (self.n as u32, self.k as u32);
        let amp = 0.5f64.powf(self.n as f64 / 2.0);
        let low = LaunchConfig {
            grid_dim: (1 << (self.n - self.k), 1, 1),
            block_dim: (1 << (self.k - self.k.min(RBITS)), 1, 1),
            shared_mem_bytes: (16usize << self.k) as u32,
        };
        let (threads, block) = shape.high_threads();
        let high = LaunchConfig {
            grid_dim: ((threads / block) as u32, 1, 1),
            block_dim: (block as u32, 1, 1),
            shared_mem_bytes: 0,
        };
        for layer in 0..layers {
            let (gamma, beta) = if gammas.is_empty() { (0.0, 0.0) } else { (gammas[layer], betas[layer]) };
            let (cb, sb) = (beta.cos(), beta.sin());
            let last = reduce && layer + 1 == layers;
            let fresh = i32::from(layer == 0);
            let reduce_low = i32::from(last && self.n == self.k);
            let mut b = self.stream.launch_builder(&self.gpu.low);
            b.arg(&mut self.state).arg(&self.cost).arg(&k).arg(&gamma).arg(&cb).arg(&sb);
            b.arg(&fresh).arg(&amp).arg(&reduce_low).arg(&mut self.partials);
            // SAFETY: the arguments match `qaoa_low` in qaoa.cu in order and type; the state holds
            // 2^n amplitudes and the cost 2^n values, which the 2^(n−k) tiles of 2^k cover exactly;
            // the block has 2^(k − min(k, RBITS)) ≤ 256 threads and 16·2^k bytes of shared memory
            // (≤ 32 KiB), and `partials` holds one value per block when `reduce_low` is set.
            unsafe { b.launch(low) }.map_err(self.fail("launching qaoa_low"))?;
            let mut lo = self.k;
            while lo < self.n {
                let m = GBITS.min(self.n - lo);
                let reduce_high = i32::from(last && lo + m == self.n);
                let (lo32, m32) = (lo as u32, m as u32);
                let mut b = self.stream.launch_builder(&self.gpu.high);
                b.arg(&mut self.state).arg(&self.cost).arg(&n).arg(&lo32).arg(&m32).arg(&cb).arg(&sb);
                b.arg(&reduce_high).arg(&mut self.partials);
                // SAFETY: the arguments match `qaoa_high` in qaoa.cu in order and type; n > k ≥
                // GBITS, so the 2^(n − GBITS) threads each own 2^GBITS distinct amplitudes of the
                // 2^n, with the group [lo, lo + m) inside the register; `partials` holds one value
                // per block when `reduce_high` is set.
                unsafe { b.launch(high) }.map_err(self.fail("launching qaoa_high"))?;
                lo += m;
            }
        }
        Ok(())
    }

    fn fail(&self, what: &'static str) -> impl Fn(DriverError) -> Error + '_ {
        on_error(what, &self.estimate)
    }
}

/// Adds runs of the per-block partial sums into `out` (one value per run).
fn launch_sum(
    gpu: &Kernels,
    stream: &Arc<CudaStream>,
    shape: Shape,
    partials: &CudaSlice<f64>,
    out: &mut CudaViewMut<'_, f64>,
) -> Result<()> {
    let (per, runs) = shape.sum_runs();
    let (len, per64, runs64) = (shape.partials() as u64, per as u64, runs as u64);
    let cfg = grid_1d(runs, BLOCK as u32);
    let mut b = stream.launch_builder(&gpu.sum);
    b.arg(partials).arg(&len).arg(&per64).arg(&mut *out).arg(&runs64);
    // SAFETY: the arguments match `qaoa_sum(const double*, u64 len, u64 per, double*, u64 outs)`;
    // partials holds `len` values and out `runs` = ⌈len / per⌉.
    unsafe { b.launch(cfg) }.map(|_| ()).map_err(|e| driver_error(e, "launching qaoa_sum", "a few KiB of partial sums"))
}

/// Left to right, so the result depends on n alone.
fn add_in_order(values: &[f64]) -> f64 {
    values.iter().fold(0.0, |acc, v| acc + v)
}

#[cfg(test)]
mod tests {
    use super::super::super::cost::{cost_diagonal, tests::random_symmetric};
    use super::super::super::statevector::Simulator;
    use super::*;
    use crate::backend::cuda::status;
    use crate::rng::Stream;

    fn angles(p: usize, rng: &mut Stream) -> (Vec<f64>, Vec<f64>) {
        let g = (0..p).map(|_| 2.0 * rng.next_f64() - 1.0).collect();
        let b = (0..p).map(|_| 2.0 * rng.next_f64() - 1.0).collect();
        (g, b)
    }

    /// Runs qaoa.cu on the CPU under the fiber emulation (`qaoa_check.cpp`), with the host logic
    /// of this file transcribed, against the CPU simulator's ⟨C⟩ and statevector for n = 1..15,
    /// p = 0..3, tile sizes that give no, one and two high-qubit passes (full and partial groups;
    /// one to four blocks of 256 threads) and two fan-ins of the partial sums. Needs g++; skipped
    /// without it.
    #[test]
    #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
    fn qaoa_kernels_pass_the_cpu_emulation() {
        use crate::backend::cuda::emulate::{assert_passes, Check};
        use std::fmt::Write;
        let mut cases = String::new();
        let mut rng = Stream::new(77, 0);
        for n in [1, 2, 3, 4, 5, 6, 7, 9, 11, 12, 13, 14, 15] {
            let cost = cost_diagonal(&random_symmetric(n, 300 + n as u64), n).unwrap();
            for p in 0..=3 {
                let (g, b) = angles(p, &mut rng);
                let mut sim = Simulator::new(cost.as_slice()).unwrap();
                let e = sim.expectation(&g, &b).unwrap();
                let list = |v: &[f64]| v.iter().map(|x| format!("{x:e}")).collect::<Vec<_>>().join(" ");
                writeln!(cases, "{n} {p}\n{}\n{}\n{e:e}\n{}", list(&g), list(&b), list(&cost)).unwrap();
                let state: Vec<f64> = sim.state().iter().flat_map(|a| [a.re, a.im]).collect();
                writeln!(cases, "{}", list(&state)).unwrap();
            }
        }
        let path = std::env::temp_dir().join(format!("quantumpanarchy-qaoa-cases-{}.txt", std::process::id()));
        std::fs::write(&path, cases).unwrap();
        let check = Check {
            kernel_file: "qaoa_emulated.cu",
            kernels: KERNELS.program().source,
            program: include_str!("qaoa_check.cpp"),
        };
        let ran = std::panic::catch_unwind(|| assert_passes(&check, &[path.as_path()]));
        std::fs::remove_file(&path).ok();
        if let Err(failure) = ran {
            std::panic::resume_unwind(failure);
        }
    }

    /// NVRTC alone, no device needed: the kernels compile (skipped without NVRTC).
    #[test]
    fn kernels_compile_with_nvrtc() {
        crate::backend::cuda::assert_compiles(KERNELS.program());
    }

    #[test]
    fn shapes_and_traffic() {
        // n ≤ 11: the tile is the whole register, one pass per layer and one partial sum
        let s = Shape::new(9);
        assert_eq!((s.k, s.high_passes(), s.partials(), s.sum_runs()), (9, 0, 1, (1, 1)));
        // n = 28: 17 high qubits in 4 passes; 2^23 threads in blocks of 256 write 2^15 partials,
        // added 32 at a time into 1024 values
        let s = Shape::new(28);
        assert_eq!((s.k, s.high_passes(), s.partials(), s.sum_runs()), (11, 4, 1 << 15, (32, 1024)));
        assert_eq!(qaoa_bytes_per_evaluation(28, 2), (1u64 << 28) * (24 + 40 + 32 * 2 * 4 + 8));
        assert_eq!(qaoa_bytes_per_evaluation(5, 0), 32 << 5);
        assert_eq!(Shape::new(20).sum_runs(), (1, 128));
    }

    #[test]
    fn without_a_device_the_simulator_is_unavailable() {
        if status().available {
            return;
        }
        let err = QaoaSimulator::new(&[0.0, 1.0, 2.0, 3.0]).unwrap_err();
        assert!(matches!(err, Error::BackendUnavailable(_)), "{err:?}");
        // input errors come first
        assert!(matches!(QaoaSimulator::new(&[0.0, 1.0, 2.0]), Err(Error::InvalidInput(_))));
    }

    /// Needs a GPU: ⟨C⟩ agrees with the CPU simulator to 1e-10 for n = 10, 16, 22 and p = 1..3,
    /// the batch gives the single values, repeated runs are bit-identical, probabilities match.
    #[test]
    fn gpu_expectations_match_the_cpu() {
        if !status().available {
            return;
        }
        let mut rng = Stream::new(5, 0);
        for n in [10, 16, 22] {
            let cost = cost_diagonal(&random_symmetric(n, n as u64), n).unwrap();
            let mut cpu = Simulator::new(cost.as_slice()).unwrap();
            let mut gpu = QaoaSimulator::new(&cost).unwrap();
            assert_eq!(gpu.num_qubits(), n);
            let mut params = Vec::new();
            for p in 1..=3 {
                let (g, b) = angles(p, &mut rng);
                let want = cpu.expectation(&g, &b).unwrap();
                let got = gpu.expectation(&g, &b).unwrap();
                let scale = cost.iter().fold(1.0f64, |m, c| m.max(c.abs()));
                assert!((got - want).abs() <= 1e-10 * scale, "n={n} p={p}: GPU {got}, CPU {want}");
                assert_eq!(got.to_bits(), gpu.expectation(&g, &b).unwrap().to_bits(), "n={n} p={p}: not repeatable");
                let probs = gpu.probabilities().unwrap();
                let worst =
                    probs.iter().zip(cpu.probabilities().unwrap()).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
                assert!(worst < 1e-12, "n={n} p={p}: probabilities differ by {worst:e}");
                params.push((g, b, got));
            }
            for (g, b, single) in &params {
                // a batch of the set twice, at its own depth
                let (g2, b2) = ([g.as_slice(), g].concat(), [b.as_slice(), b].concat());
                let sets = AngleSets::new(&g2, &b2, g.len()).unwrap();
                let batch = gpu.expectations(&sets, None).unwrap();
                for got in &batch {
                    assert_eq!(single.to_bits(), got.to_bits(), "n={n}: batch differs from single evaluations");
                }
            }
            // depth 0 is |+⟩^n: the mean of the cost
            let mean = cost.iter().sum::<f64>() / cost.len() as f64;
            assert!((gpu.expectation(&[], &[]).unwrap() - mean).abs() < 1e-12 * cost.len() as f64);
        }
        assert!(matches!(
            QaoaSimulator::new(&[0.0, 1.0]).unwrap().expectation(&[0.1], &[]),
            Err(Error::InvalidInput(_))
        ));
    }

    /// Needs a GPU: a register far beyond the device's memory is a resource limit with the estimate.
    #[test]
    fn gpu_too_large_registers_are_resource_limits() {
        if !status().available {
            return;
        }
        // the check runs before any allocation, from the length alone: a 2^33 cost diagonal is
        // 64 GiB of host memory, so fake the shape instead of building one
        let need = Shape::new(40).device_bytes();
        assert!(need > 1 << 44);
        assert!(need > KERNELS.get().unwrap().device.memory().unwrap().free);
    }
}
