//! Replica-parallel sweeps: [`LANES`] independent reads advance together, one SIMD lane each.
//!
//! Spins are stored lane-minor as floats (`s[i * LANES + r]` = ±1), so the spins of p-bit i's
//! neighbours in all replicas are one contiguous vector and each neighbour adds one multiply and
//! one add. Each p-bit's local field is pulled when it is visited: no field bookkeeping and no
//! scattered writes, so the cost per update does not grow with the acceptance rate. Fields are
//! computed in f32 when that is exact for the model (see [`Engine::f32_fields_exact`]) and in f64 otherwise.
//! Used to anneal many reads of sparse problems. Replica r draws only from its own random stream,
//! so its trajectory does not depend on which group or thread runs it.

use super::engine::{Engine, Layout};
use super::kernel::{flip_probabilities, Method, Table, TABLE_RADIUS};
use super::phases::{Phases, MAX_BLOCKS};
use crate::backend::cpu_features;
use crate::rng::{LaneUniforms, Stream, LANES};
use std::ops::{Add, Mul, Neg, Range};

/// The float type fields are computed in.
pub trait LaneFloat: Copy + Send + Sync + Add<Output = Self> + Mul<Output = Self> + Neg<Output = Self> {
    fn from_f64(x: f64) -> Self;
    fn to_f64(self) -> f64;
    fn to_f32(self) -> f32;
    fn to_spin(self) -> i8;
}

impl LaneFloat for f32 {
    #[inline(always)]
    fn from_f64(x: f64) -> Self {
        x as f32
    }
    fn to_f64(self) -> f64 {
        self as f64
    }
    #[inline(always)]
    fn to_f32(self) -> f32 {
        self
    }
    fn to_spin(self) -> i8 {
        if self > 0.0 {
            1
        } else {
            -1
        }
    }
}

impl LaneFloat for f64 {
    #[inline(always)]
    fn from_f64(x: f64) -> Self {
        x
    }
    fn to_f64(self) -> f64 {
        self
    }
    #[inline(always)]
    fn to_f32(self) -> f32 {
        self as f32
    }
    fn to_spin(self) -> i8 {
        if self > 0.0 {
            1
        } else {
            -1
        }
    }
}

/// The most p-bits in one block (but for classes of over 16 million p-bits, which are cut into
/// [`MAX_BLOCKS`]). A colour class is cut into blocks that each draw from their own random
/// streams, so the blocks of a class can be swept by different threads with the same result as
/// one thread: the cut depends on the model alone. 256 p-bits × 8 lanes take a microsecond or
/// two, enough to pay for handing a block to another thread.
pub const BLOCK: usize = 256;

/// Couplings and fields in the lane float type, shared by every group of one run.
pub struct LaneModel<T> {
    /// Consecutive p-bits of one colour class, [`BLOCK`] of them at most.
    blocks: Vec<Range<usize>>,
    /// For each colour class (engine order; its p-bits share no coupling), its range in `blocks`.
    classes: Vec<Range<usize>>,
    indptr: Vec<usize>,
    indices: Vec<u32>,
    data: Vec<T>,
    h: Vec<T>,
    /// For models whose fields are integers of magnitude ≤ 7 after scaling by `lookup`: flip
    /// probabilities come from a per-β table of the 16 possible values instead of an exp.
    lookup: Option<T>,
}

impl<T: LaneFloat> LaneModel<T> {
    /// Panics on a dense engine: lane groups are for sparse couplings.
    pub fn new(engine: &Engine) -> Self {
        let Layout::Sparse { csr, classes } = &engine.layout else { panic!("lane groups need a sparse engine") };
        // The sweep's unchecked neighbour loads rely on these (Engine::new guarantees them),
        // and its parallel blocks on no p-bit having a neighbour in its own class.
        let n = engine.n();
        assert!(csr.indptr.len() == n + 1 && csr.indptr.windows(2).all(|w| w[0] <= w[1]));
        assert!(csr.indptr[n] == csr.indices.len() && csr.indices.iter().all(|&j| (j as usize) < n));
        let mut blocks = Vec::new();
        let mut class_blocks = Vec::with_capacity(classes.len());
        for class in classes {
            assert!(class.start <= class.end && class.end <= n);
            let own = |j: &u32| class.contains(&(*j as usize));
            assert!(class.clone().all(|i| !csr.indices[csr.indptr[i]..csr.indptr[i + 1]].iter().any(own)));
            let k = class.len().div_ceil(BLOCK).min(MAX_BLOCKS);
            let first = blocks.len();
            blocks.extend((0..k).map(|b| class.start + class.len() * b / k..class.start + class.len() * (b + 1) / k));
            class_blocks.push(first..blocks.len());
        }
        Self {
            blocks,
            classes: class_blocks,
            indptr: csr.indptr.clone(),
            indices: csr.indices.clone(),
            data: csr.data.iter().map(|&w| T::from_f64(w)).collect(),
            h: engine.h.iter().map(|&x| T::from_f64(x)).collect(),
            lookup: engine.exact_field_scale().filter(|&(_, r)| r <= TABLE_RADIUS).map(|(s, _)| T::from_f64(s)),
        }
    }

    pub fn n(&self) -> usize {
        self.h.len()
    }

    /// Whether threads should share this model's sweeps: when its colour classes have 8 blocks
    /// (2048 p-bits) or more on average. A smaller class takes a few microseconds, and waiting
    /// for a helper's last block then costs more than the help saves (measured on MaxCut with
    /// 2000 p-bits in four classes: 0.85 times the speed of one thread).
    pub fn worth_sharing(&self) -> bool {
        self.blocks.len() >= 8 * self.classes.len()
    }
}

/// `LANES` replicas of one model, in engine order.
#[derive(Debug, Clone)]
pub struct LaneGroup<T> {
    s: Vec<T>,
    /// One generator per block of the model; lane l of each draws from replica l's stream only.
    rngs: Vec<LaneUniforms>,
}

impl<T: LaneFloat> LaneGroup<T> {
    /// Lane r starts from `states[r]` (engine order) and draws from `streams[r]`.
    pub fn new(model: &LaneModel<T>, states: &[Vec<i8>; LANES], streams: &mut [Stream; LANES]) -> Self {
        let n = model.n();
        assert!(states.iter().all(|s| s.len() == n));
        let mut s = vec![T::from_f64(0.0); n * LANES];
        for (r, state) in states.iter().enumerate() {
            for (i, &x) in state.iter().enumerate() {
                s[i * LANES + r] = T::from_f64(x as f64);
            }
        }
        let rngs = model.blocks.iter().map(|_| LaneUniforms::from_streams(streams)).collect();
        Self { s, rngs }
    }

    /// Replica `r`'s spins, engine order.
    pub fn state(&self, r: usize) -> Vec<i8> {
        self.s.iter().skip(r).step_by(LANES).map(|x| x.to_spin()).collect()
    }

    /// `num_sweeps` sweeps of every replica at inverse temperature `beta`, on this thread.
    pub fn sweep(&mut self, model: &LaneModel<T>, beta: f64, rule: Method, num_sweeps: usize) {
        self.with_sweeper(model, 0, |sweeper| sweeper.sweep(beta, rule, num_sweeps))
    }

    /// Run `schedule` with a [`Sweeper`] of this group, whose sweeps up to `helpers` idle
    /// threads of the current rayon pool help with; the result is the same with any number.
    pub fn with_sweeper<R: Send>(
        &mut self,
        model: &LaneModel<T>,
        helpers: usize,
        schedule: impl FnOnce(&Sweeper<'_, '_, T>) -> R + Send,
    ) -> R {
        assert!(self.s.len() == model.n() * LANES && self.rngs.len() == model.blocks.len());
        let (spins, rngs) = (Shared(self.s.as_mut_ptr()), Shared(self.rngs.as_mut_ptr()));
        let work = |step: &Step<T>, b: usize| {
            // SAFETY: `spins` points at n·LANES values and `rngs` at one generator per block
            // (asserted above), and `self` stays borrowed until this returns. During a phase
            // (one colour class) block b is run once, and nothing else accesses its generator
            // or spins: each block writes only its own p-bits and reads only p-bits of other
            // classes (checked in `LaneModel::new`), which no block writes in this phase.
            unsafe { step.run(spins, model, model.blocks[b].clone(), &mut *rngs.at(b)) }
        };
        Phases::run(helpers, &work, |phases| schedule(&Sweeper { phases, model }))
    }
}

/// Sweeps of one lane group, shared by the threads that help it.
pub struct Sweeper<'a, 'w, T> {
    phases: &'a Phases<'w, Step<T>>,
    model: &'a LaneModel<T>,
}

impl<T: LaneFloat> Sweeper<'_, '_, T> {
    /// `num_sweeps` sweeps of every replica at inverse temperature `beta`, one colour class at
    /// a time.
    pub fn sweep(&self, beta: f64, rule: Method, num_sweeps: usize) {
        let two_beta = T::from_f64(2.0 * beta);
        let table = self.model.lookup.map(|s| match rule {
            Method::Gibbs => Table::new::<true>(s, two_beta),
            Method::Metropolis => Table::new::<false>(s, two_beta),
        });
        // (+1, −1), opaque to the optimiser: a spin times a sign it cannot see is a full vector
        // store, while a conditional negation becomes a masked store, which is microcoded and
        // many times slower on AMD cores.
        let signs = std::hint::black_box((T::from_f64(1.0), T::from_f64(-1.0)));
        let step = Step { two_beta, table, signs, gibbs: rule == Method::Gibbs, avx2: avx2() };
        for _ in 0..num_sweeps {
            for class in &self.model.classes {
                self.phases.phase(step, class.clone());
            }
        }
    }
}

fn avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    return cpu_features::has_avx2();
    #[cfg(not(target_arch = "x86_64"))]
    false
}

/// A group's spins or generators, shared by the threads that sweep the blocks of one class.
struct Shared<X>(*mut X);

impl<X> Clone for Shared<X> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<X> Copy for Shared<X> {}

impl<X> Shared<X> {
    /// The `k`-th element. (A method, so that closures capture the whole `Shared`, not its
    /// raw pointer field.)
    fn at(self, k: usize) -> *mut X {
        self.0.wrapping_add(k)
    }
}

// SAFETY: blocks of one class touch disjoint spins and generators, or only read (see
// `LaneGroup::with_sweeper`).
unsafe impl<X: Send> Send for Shared<X> {}
// SAFETY: as for Send.
unsafe impl<X: Send> Sync for Shared<X> {}

/// What every block of a sweep at one β needs.
#[derive(Clone, Copy)]
pub struct Step<T> {
    two_beta: T,
    table: Option<Table<T>>,
    signs: (T, T),
    gibbs: bool,
    avx2: bool,
}

impl<T: LaneFloat> Step<T> {
    /// Sweep one block with the kernel for this rule and CPU.
    /// SAFETY: as for [`sweep_block`].
    unsafe fn run(&self, s: Shared<T>, m: &LaneModel<T>, block: Range<usize>, rng: &mut LaneUniforms) {
        #[cfg(target_arch = "x86_64")]
        if self.avx2 {
            // SAFETY: `avx2` is set only after run-time detection of AVX2.
            return unsafe {
                if self.gibbs {
                    sweep_block_avx2::<T, true>(self, s, m, block, rng)
                } else {
                    sweep_block_avx2::<T, false>(self, s, m, block, rng)
                }
            };
        }
        // SAFETY: passed on from the caller.
        unsafe {
            if self.gibbs {
                sweep_block::<T, true, false>(self, s, m, block, rng)
            } else {
                sweep_block::<T, false, false>(self, s, m, block, rng)
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn sweep_block_avx2<T: LaneFloat, const GIBBS: bool>(
    step: &Step<T>,
    s: Shared<T>,
    m: &LaneModel<T>,
    block: Range<usize>,
    rng: &mut LaneUniforms,
) {
    // SAFETY: passed on from the caller.
    unsafe { sweep_block::<T, GIBBS, true>(step, s, m, block, rng) }
}

/// One pass over the p-bits of `block` (all of one colour class). Two p-bits are visited per
/// step: they share no coupling, so their field sums and acceptance tests are independent and
/// the CPU overlaps the two long dependency chains (the exp polynomial) instead of waiting on
/// each in turn. (Explicit pairs: a generic array of k p-bits compiled to much slower code.)
/// `AVX2` is true only on the path entered through `sweep_block_avx2`, after run-time detection.
///
/// SAFETY: `s` points at `m.n() · LANES` spins; `block` lies within one colour class of `m`;
/// while this runs nobody else reads `block`'s spins or writes any spin of another class.
#[inline(always)]
unsafe fn sweep_block<T: LaneFloat, const GIBBS: bool, const AVX2: bool>(
    step: &Step<T>,
    s: Shared<T>,
    m: &LaneModel<T>,
    block: Range<usize>,
    rng: &mut LaneUniforms,
) {
    assert!(block.end <= m.n() && m.indices.len() == m.data.len() && m.indptr.len() == m.n() + 1);
    let mut i = block.start;
    // SAFETY: field and update need i < n, see the assertion; the rest is passed on from the
    // caller.
    unsafe {
        while i + 1 < block.end {
            let (fa, fb) = (field(s, m, i), field(s, m, i + 1));
            let u = rng.next_lanes();
            let v = rng.next_lanes();
            update::<T, GIBBS, AVX2>(s, i, &fa, &u, step);
            update::<T, GIBBS, AVX2>(s, i + 1, &fb, &v, step);
            i += 2;
        }
        if i < block.end {
            let f = field(s, m, i);
            let u = rng.next_lanes();
            update::<T, GIBBS, AVX2>(s, i, &f, &u, step);
        }
    }
}

/// The local field of p-bit `i` in every lane: h_i + Σ_j J_ij s_j.
///
/// SAFETY: i < n, and `s` points at n·LANES spins of which none of i's neighbours is being
/// written. The other invariants for the unchecked loads (indptr.len() == n + 1 and h.len() ==
/// n, indptr is non-decreasing with indptr[n] == indices.len() == data.len(), every column index
/// j < n) are checked in `LaneModel::new`. These loads run once per p-bit and neighbour; bounds
/// checks would cost a third.
// Lane loops index several arrays in step; indices are the clearest form.
#[allow(clippy::needless_range_loop)]
#[inline(always)]
unsafe fn field<T: LaneFloat>(s: Shared<T>, m: &LaneModel<T>, i: usize) -> [T; LANES] {
    // SAFETY: see above.
    unsafe {
        let (mut f, start, end) =
            ([*m.h.get_unchecked(i); LANES], *m.indptr.get_unchecked(i), *m.indptr.get_unchecked(i + 1));
        for k in start..end {
            let j = *m.indices.get_unchecked(k) as usize;
            let w = *m.data.get_unchecked(k);
            let sj = &*s.at(j * LANES).cast::<[T; LANES]>();
            for l in 0..LANES {
                f[l] = f[l] + w * sj[l];
            }
        }
        f
    }
}

/// Test and apply the flips of p-bit `i` in every lane, from the table when there is one.
///
/// SAFETY: i < n, `s` points at n·LANES spins, and nobody else touches p-bit i's spins.
#[allow(clippy::needless_range_loop)]
#[inline(always)]
unsafe fn update<T: LaneFloat, const GIBBS: bool, const AVX2: bool>(
    s: Shared<T>,
    i: usize,
    f: &[T; LANES],
    u: &[f32; LANES],
    step: &Step<T>,
) {
    // SAFETY: see above.
    let si = unsafe { &mut *s.at(i * LANES).cast::<[T; LANES]>() };
    let p = flip_probabilities::<T, GIBBS, AVX2>(si, f, step.two_beta, step.table.as_ref());
    let (plus, minus) = step.signs;
    for l in 0..LANES {
        si[l] = si[l] * if u[l] < p[l] { minus } else { plus };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::IsingModel;

    fn ring(n: usize, h: f64) -> Engine {
        let rows: Vec<i64> = (0..n as i64).collect();
        let cols: Vec<i64> = (0..n as i64).map(|i| (i + 1) % n as i64).collect();
        let hs: Vec<f64> = (0..n).map(|i| (i % 3) as f64 * h).collect();
        Engine::new(&IsingModel::from_edges(n, &rows, &cols, &vec![1.0; n], &hs).unwrap())
    }

    fn run<T: LaneFloat>(engine: &Engine, seeds: [u64; LANES]) -> Vec<i8> {
        let n = engine.n();
        let model = LaneModel::<T>::new(engine);
        let mut streams: [Stream; LANES] = std::array::from_fn(|r| Stream::new(seeds[r], 0));
        let states: [Vec<i8>; LANES] = std::array::from_fn(|r| (0..n).map(|_| streams[r].spin()).collect());
        let mut g = LaneGroup::<T>::new(&model, &states, &mut streams);
        g.sweep(&model, 0.7, Method::Metropolis, 20);
        g.sweep(&model, 0.4, Method::Gibbs, 20);
        g.state(3)
    }

    #[test]
    fn lanes_are_independent_of_their_group() {
        let engine = ring(101, 0.1);
        let a = run::<f64>(&engine, [1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(a, run::<f64>(&engine, [9, 9, 9, 4, 9, 9, 9, 9]));
        assert_ne!(a, run::<f64>(&engine, [1, 2, 3, 5, 5, 6, 7, 8]));
    }

    #[test]
    fn table_and_direct_probabilities_give_the_same_trajectories() {
        let engine = ring(101, 1.0); // fields up to 2 + 2·1: a table applies
        let table = LaneModel::<f32>::new(&engine);
        assert!(table.lookup.is_some());
        let mut direct = LaneModel::<f32>::new(&engine);
        direct.lookup = None;
        for method in [Method::Metropolis, Method::Gibbs] {
            let run = |m: &LaneModel<f32>| {
                let mut streams: [Stream; LANES] = std::array::from_fn(|r| Stream::new(7, r as u64));
                let states: [Vec<i8>; LANES] = std::array::from_fn(|r| (0..101).map(|_| streams[r].spin()).collect());
                let mut g = LaneGroup::<f32>::new(m, &states, &mut streams);
                for beta in [0.1, 0.5, 1.3, 3.0] {
                    g.sweep(m, beta, method, 10);
                }
                (0..LANES).map(|r| g.state(r)).collect::<Vec<_>>()
            };
            assert_eq!(run(&table), run(&direct));
        }
    }

    #[test]
    fn f32_is_chosen_only_when_exact() {
        assert!(ring(101, 0.5).f32_fields_exact());
        assert!(!ring(101, 0.1).f32_fields_exact());
        // exact fields: f32 lanes follow the same trajectory as f64 lanes unless a decision
        // falls within the f32 rounding of β·ΔE, which these seeds do not hit
        let engine = ring(101, 0.5);
        assert_eq!(run::<f32>(&engine, [1; LANES]), run::<f64>(&engine, [1; LANES]));
    }
}
