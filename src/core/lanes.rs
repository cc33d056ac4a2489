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
use crate::backend::cpu_features;
use crate::rng::{LaneUniforms, Stream, LANES};
use std::ops::{Add, Mul, Neg};

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

/// Couplings and fields in the lane float type, shared by every group of one run.
pub struct LaneModel<T> {
    /// Colour classes (engine order): p-bits of one class share no coupling.
    classes: Vec<std::ops::Range<usize>>,
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
        assert!(classes.iter().all(|c| c.start <= c.end && c.end <= engine.n()));
        // The sweep's unchecked neighbour loads rely on these (Engine::new guarantees them).
        let n = engine.n();
        assert!(csr.indptr.len() == n + 1 && csr.indptr.windows(2).all(|w| w[0] <= w[1]));
        assert!(csr.indptr[n] == csr.indices.len() && csr.indices.iter().all(|&j| (j as usize) < n));
        Self {
            classes: classes.clone(),
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
}

/// `LANES` replicas of one model, in engine order.
#[derive(Debug, Clone)]
pub struct LaneGroup<T> {
    s: Vec<T>,
    rng: LaneUniforms,
}

impl<T: LaneFloat> LaneGroup<T> {
    /// Lane r starts from `states[r]` (engine order) and draws from `streams[r]`.
    pub fn new(states: &[Vec<i8>; LANES], streams: &mut [Stream; LANES]) -> Self {
        let n = states[0].len();
        let mut s = vec![T::from_f64(0.0); n * LANES];
        for (r, state) in states.iter().enumerate() {
            for (i, &x) in state.iter().enumerate() {
                s[i * LANES + r] = T::from_f64(x as f64);
            }
        }
        Self { s, rng: LaneUniforms::from_streams(streams) }
    }

    /// Replica `r`'s spins, engine order.
    pub fn state(&self, r: usize) -> Vec<i8> {
        self.s.iter().skip(r).step_by(LANES).map(|x| x.to_spin()).collect()
    }

    /// `num_sweeps` sweeps of every replica at inverse temperature `beta`.
    pub fn sweep(&mut self, model: &LaneModel<T>, beta: f64, method: Method, num_sweeps: usize) {
        #[cfg(target_arch = "x86_64")]
        if cpu_features::has_avx2() {
            // SAFETY: AVX2 support was just checked at run time.
            return unsafe { sweep_avx2(self, model, beta, method, num_sweeps) };
        }
        sweep_any::<T, false>(self, model, beta, method, num_sweeps)
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn sweep_avx2<T: LaneFloat>(g: &mut LaneGroup<T>, m: &LaneModel<T>, beta: f64, r: Method, k: usize) {
    sweep_any::<T, true>(g, m, beta, r, k)
}

/// `AVX2` is true only on the path entered through `sweep_avx2`, after run-time detection.
#[inline(always)]
fn sweep_any<T: LaneFloat, const AVX2: bool>(
    g: &mut LaneGroup<T>,
    m: &LaneModel<T>,
    beta: f64,
    rule: Method,
    num_sweeps: usize,
) {
    let two_beta = T::from_f64(2.0 * beta);
    for _ in 0..num_sweeps {
        match (rule, m.lookup) {
            (Method::Gibbs, None) => sweep_once::<T, true, AVX2>(g, m, two_beta, None),
            (Method::Metropolis, None) => sweep_once::<T, false, AVX2>(g, m, two_beta, None),
            (Method::Gibbs, Some(s)) => {
                sweep_once::<T, true, AVX2>(g, m, two_beta, Some(&Table::new::<true>(s, two_beta)))
            }
            (Method::Metropolis, Some(s)) => {
                sweep_once::<T, false, AVX2>(g, m, two_beta, Some(&Table::new::<false>(s, two_beta)))
            }
        }
    }
}

/// One sweep in colour order. Two p-bits of one colour class are visited per step: they share
/// no coupling, so their field sums and acceptance tests are independent and the CPU overlaps
/// the two long dependency chains (the exp polynomial) instead of waiting on each in turn.
/// (Explicit pairs: a generic array of k p-bits compiled to much slower code.)
#[inline(always)]
fn sweep_once<T: LaneFloat, const GIBBS: bool, const AVX2: bool>(
    g: &mut LaneGroup<T>,
    m: &LaneModel<T>,
    two_beta: T,
    t: Option<&Table<T>>,
) {
    let n = m.n();
    assert!(g.s.len() == n * LANES && m.indices.len() == m.data.len() && m.indptr.len() == n + 1);
    // (+1, −1), opaque to the optimiser: a spin times a sign it cannot see is a full vector
    // store, while a conditional negation becomes a masked store, which is microcoded and many
    // times slower on AMD cores.
    let signs = std::hint::black_box((T::from_f64(1.0), T::from_f64(-1.0)));
    for class in &m.classes {
        let mut i = class.start;
        while i + 1 < class.end {
            let (fa, fb) = (field(g, m, i), field(g, m, i + 1));
            let u = g.rng.next_lanes();
            let v = g.rng.next_lanes();
            update::<T, GIBBS, AVX2>(g, i, &fa, &u, two_beta, t, signs);
            update::<T, GIBBS, AVX2>(g, i + 1, &fb, &v, two_beta, t, signs);
            i += 2;
        }
        if i < class.end {
            let f = field(g, m, i);
            let u = g.rng.next_lanes();
            update::<T, GIBBS, AVX2>(g, i, &f, &u, two_beta, t, signs);
        }
    }
}

/// The local field of p-bit `i` in every lane: h_i + Σ_j J_ij s_j.
// Lane loops index several arrays in step; indices are the clearest form.
#[allow(clippy::needless_range_loop)]
#[inline(always)]
fn field<T: LaneFloat>(g: &LaneGroup<T>, m: &LaneModel<T>, i: usize) -> [T; LANES] {
    // Invariants for the unchecked loads below: i < n (callers visit colour classes, checked in
    // `LaneModel::new`), indptr.len() == n + 1 and h.len() == n, indptr is non-decreasing with
    // indptr[n] == indices.len() == data.len(), every column index j < n, and s.len() ==
    // n * LANES (asserted in `sweep_once`). These loads run once per p-bit and neighbour;
    // bounds checks would cost a third.
    // SAFETY: i < n <= h.len() and i + 1 <= n < indptr.len(), see above.
    let (mut f, start, end) =
        unsafe { ([*m.h.get_unchecked(i); LANES], *m.indptr.get_unchecked(i), *m.indptr.get_unchecked(i + 1)) };
    for k in start..end {
        // SAFETY: k < indptr[n] == indices.len() == data.len() and j * LANES + LANES <= s.len(),
        // see above.
        unsafe {
            let j = *m.indices.get_unchecked(k) as usize;
            let w = *m.data.get_unchecked(k);
            let sj = g.s.get_unchecked(j * LANES..j * LANES + LANES);
            for l in 0..LANES {
                f[l] = f[l] + w * sj[l];
            }
        }
    }
    f
}

/// Test and apply the flips of p-bit `i` in every lane, from the table when there is one;
/// `signs` is (+1, −1) (see `sweep_once`).
#[allow(clippy::needless_range_loop)]
#[inline(always)]
fn update<T: LaneFloat, const GIBBS: bool, const AVX2: bool>(
    g: &mut LaneGroup<T>,
    i: usize,
    f: &[T; LANES],
    u: &[f32; LANES],
    two_beta: T,
    table: Option<&Table<T>>,
    signs: (T, T),
) {
    let si: &mut [T; LANES] = (&mut g.s[i * LANES..i * LANES + LANES]).try_into().expect("LANES spins");
    let p = flip_probabilities::<T, GIBBS, AVX2>(si, f, two_beta, table);
    let (plus, minus) = signs;
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
        let mut g = LaneGroup::<T>::new(&states, &mut streams);
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
                let mut g = LaneGroup::<f32>::new(&states, &mut streams);
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
