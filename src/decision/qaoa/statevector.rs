//! QAOA statevector: |ψ(γ, β)⟩ = Π_k e^{−iβ_k Σ_i X_i} e^{−iγ_k C} |+⟩^{⊗n}, layer 1 first
//! (Qiskit's `QAOAAnsatz` convention; e^{−iβX} = cos β·I − i sin β·X on each qubit).
//!
//! The state is cut into chunks of 2^14 amplitudes (256 KiB, cache-sized). One pass per layer
//! applies the cost phase and the mixer on every qubit whose pair stride fits inside a chunk,
//! chunk by chunk; each higher qubit gets its own pass over pairs of chunks. Chunks run in
//! parallel from 15 qubits on. Every amplitude gets the same arithmetic whatever the schedule,
//! and sums are reduced per chunk then in chunk order, so results are bit-identical for any
//! thread count.

use super::cost::check_memory;
use crate::control::Control;
use crate::error::{try_collect, try_vec, try_with_capacity, Result};
use crate::rng::Stream;
use rayon::prelude::*;
use std::borrow::Cow;

/// log2 of the chunk size in amplitudes.
const CHUNK_BITS: usize = 14;
const CHUNK: usize = 1 << CHUNK_BITS;
/// Shots drawn per random stream when sampling (streams are per block, not per thread).
const SHOT_BLOCK: usize = 4096;

/// A complex amplitude.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct C64 {
    pub re: f64,
    pub im: f64,
}

impl C64 {
    #[inline(always)]
    pub fn norm_sqr(self) -> f64 {
        self.re * self.re + self.im * self.im
    }
}

/// Checks a cost diagonal (2^n finite values, n ≥ 1); returns n.
pub(crate) fn check_cost(cost: &[f64]) -> Result<usize> {
    crate::ensure!(
        cost.len() >= 2 && cost.len().is_power_of_two(),
        "the cost diagonal must have 2^n entries with n ≥ 1, got {}",
        cost.len()
    );
    crate::ensure!(cost.iter().all(|c| c.is_finite()), "the cost diagonal must be finite");
    Ok(cost.len().trailing_zeros() as usize)
}

/// Checks the angles of one evaluation (the cost was checked once, by [`Simulator::new`]).
pub(crate) fn check_angles(gammas: &[f64], betas: &[f64]) -> Result<()> {
    crate::ensure!(
        gammas.len() == betas.len(),
        "gammas and betas must have the same length (one pair per layer), got {} and {}",
        gammas.len(),
        betas.len()
    );
    crate::error::check_finite(gammas, "gammas")?;
    crate::error::check_finite(betas, "betas")
}

/// Refuses γ whose phases γ·C(x) overflow (|γ|·max|C| = inf): e^{−iγC} would be NaN, and no
/// reduction mod 2π can recover an angle that f64 cannot hold.
pub(crate) fn check_phases(gammas: &[f64], max_abs_cost: f64) -> Result<()> {
    match gammas.iter().position(|g| !(g.abs() * max_abs_cost).is_finite()) {
        None => Ok(()),
        Some(k) => Err(crate::invalid!(
            "gammas[{k}] = {:e} is too large: the phase γ·C(x) overflows for a cost of magnitude {:e} \
             (|γ|·max|C| must stay below 1.8e308)",
            gammas[k],
            max_abs_cost
        )),
    }
}

/// m angle sets of `layers` layers each, row-major: set k is `gammas[k·p..(k+1)·p]` with
/// `betas[k·p..(k+1)·p]`. Flat, so a batch of millions of sets is two allocations, not millions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AngleSets<'a> {
    gammas: &'a [f64],
    betas: &'a [f64],
    layers: usize,
}

impl<'a> AngleSets<'a> {
    /// Checks that both hold the same whole number of sets of `layers` finite angles.
    pub fn new(gammas: &'a [f64], betas: &'a [f64], layers: usize) -> Result<Self> {
        check_angles(gammas, betas)?;
        crate::ensure!(
            gammas.len().is_multiple_of(layers.max(1)),
            "{} angles do not make whole sets of {layers} layers",
            gammas.len()
        );
        Ok(Self { gammas, betas, layers })
    }

    /// One set of angles (any depth, zero included).
    pub fn one(gammas: &'a [f64], betas: &'a [f64]) -> Result<Self> {
        check_angles(gammas, betas)?;
        Ok(Self { gammas, betas, layers: gammas.len() })
    }

    pub fn len(&self) -> usize {
        match self.layers {
            0 => usize::from(self.gammas.is_empty()),
            p => self.gammas.len() / p,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Set k as (gammas, betas).
    pub fn get(&self, k: usize) -> (&'a [f64], &'a [f64]) {
        let p = self.layers;
        (&self.gammas[k * p..(k + 1) * p], &self.betas[k * p..(k + 1) * p])
    }

    pub fn iter(&self) -> impl Iterator<Item = (&'a [f64], &'a [f64])> + '_ {
        (0..self.len()).map(|k| self.get(k))
    }
}

/// e^{−iβX} on the pair (a, b) = (amplitude with the bit clear, with it set).
#[inline(always)]
fn rotate(a: &mut C64, b: &mut C64, c: f64, s: f64) {
    let (ar, ai, br, bi) = (a.re, a.im, b.re, b.im);
    a.re = c * ar + s * bi;
    a.im = c * ai - s * br;
    b.re = c * br + s * ai;
    b.im = c * bi - s * ar;
}

/// e^{−iβX} on the pairs (lo[k], hi[k]): AVX2, two pairs per instruction, where the CPU has it.
/// Both paths do the same IEEE operations (products, then a sum or a difference), so they give
/// the same bits.
#[inline]
fn rotate_run(lo: &mut [C64], hi: &mut [C64], c: f64, s: f64) {
    #[cfg(target_arch = "x86_64")]
    if lo.len() >= 4 && crate::backend::cpu_features::has_avx2() {
        // SAFETY: AVX2 support was just checked at run time.
        return unsafe { rotate_run_avx2(lo, hi, c, s) };
    }
    for (a, b) in lo.iter_mut().zip(hi.iter_mut()) {
        rotate(a, b, c, s);
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn rotate_run_avx2(lo: &mut [C64], hi: &mut [C64], c: f64, s: f64) {
    use std::arch::x86_64::*;
    let n = lo.len().min(hi.len());
    let (vc, vs) = (_mm256_set1_pd(c), _mm256_set1_pd(s));
    // −0.0 in the imaginary slots: xor flips the sign of the s·re terms
    let flip = _mm256_setr_pd(0.0, -0.0, 0.0, -0.0);
    let (pa, pb) = (lo.as_mut_ptr() as *mut f64, hi.as_mut_ptr() as *mut f64);
    let mut k = 0;
    while k + 2 <= n {
        // SAFETY: C64 is two f64s; elements k and k + 1 of both slices are in bounds, so the
        // four doubles from 2k are too (unaligned loads and stores).
        unsafe {
            let a = _mm256_loadu_pd(pa.add(2 * k));
            let b = _mm256_loadu_pd(pb.add(2 * k));
            // (re, im) → (im, re) within each complex number
            let (a_sw, b_sw) = (_mm256_permute_pd(a, 0b0101), _mm256_permute_pd(b, 0b0101));
            // a.re = c·a.re + s·b.im, a.im = c·a.im − s·b.re (and the same with a and b swapped)
            let na = _mm256_add_pd(_mm256_mul_pd(vc, a), _mm256_xor_pd(_mm256_mul_pd(vs, b_sw), flip));
            let nb = _mm256_add_pd(_mm256_mul_pd(vc, b), _mm256_xor_pd(_mm256_mul_pd(vs, a_sw), flip));
            _mm256_storeu_pd(pa.add(2 * k), na);
            _mm256_storeu_pd(pb.add(2 * k), nb);
        }
        k += 2;
    }
    for (a, b) in lo[k..n].iter_mut().zip(hi[k..n].iter_mut()) {
        rotate(a, b, c, s);
    }
}

/// log2 of the L1-sized blocks (16 KiB) that take the phase and the mixer on their own qubits
/// before the chunk's remaining qubits are mixed.
const L1_BITS: usize = 10;

/// The mixer on qubits `from..to` of `amps`, one pass per qubit.
fn mix_low(amps: &mut [C64], (c, s): (f64, f64), from: usize, to: usize) {
    for q in from..to {
        let h = 1usize << q;
        for block in amps.chunks_exact_mut(2 * h) {
            let (lo, hi) = block.split_at_mut(h);
            rotate_run(lo, hi, c, s);
        }
    }
}

/// The cost phase and the mixer on qubits 0..bits of one chunk: phase and qubits 0..L1_BITS block
/// by block while each block sits in L1, then the remaining qubits over the chunk (in L2). Every
/// amplitude still gets the phase, then qubit 0, 1, … in order, as in one pass per qubit.
fn layer_on_chunk(amps: &mut [C64], cost: &[f64], gamma: f64, cs: (f64, f64), bits: usize, max_abs: f64) {
    let inner = bits.min(L1_BITS);
    for (block, c) in amps.chunks_mut(1 << inner).zip(cost.chunks(1 << inner)) {
        super::phase::apply(block, c, gamma, max_abs);
        mix_low(block, cs, 0, inner);
    }
    mix_low(amps, cs, inner, bits);
}

/// Amplitudes per tile of the high-qubit pass (1 KiB runs, long enough for the prefetcher).
const TILE: usize = 64;
/// High qubits mixed per pass: a work item then holds 2^8 tiles (256 KiB, cache-sized).
const GROUP: usize = 8;

/// The state's buffer shared by the work items of [`mix_high`], which touch disjoint amplitudes.
struct Amplitudes(*mut C64);
// SAFETY: the pointer is only dereferenced by `mix_high` items, which touch disjoint index sets.
unsafe impl Sync for Amplitudes {}

/// The mixer on the qubits chunk..n (strides of whole chunks), `GROUP` qubits per pass over the
/// state. A work item is one tile offset within a chunk and one setting of the high bits outside
/// the group: it mixes the group's 2^GROUP tiles together, qubit by qubit in ascending order, so
/// every amplitude sees the same operations in the same order as one pass per qubit would give.
fn mix_high(state: &mut [C64], n: usize, (c, s): (f64, f64), parallel: bool, cancelled: &(dyn Fn() -> bool + Sync)) {
    let high = n.saturating_sub(CHUNK_BITS);
    let ptr = Amplitudes(state.as_mut_ptr());
    let len = state.len();
    let mut first = 0;
    while first < high {
        let g = GROUP.min(high - first);
        let tiles = CHUNK / TILE;
        let items = tiles << (high - g);
        let ptr = &ptr;
        let item = move |k: usize| {
            // a pass over a large state takes seconds: stop early once cancelled (the state is
            // then garbage, and the caller reports the interruption)
            if cancelled() {
                return;
            }
            let (tile, rest) = (k % tiles, k / tiles);
            // chunk number with the group's bits clear and `rest` in the other high bits
            let base = (rest & ((1 << first) - 1)) | ((rest >> first) << (first + g));
            for j in 0..g {
                for v in (0..1usize << g).filter(|v| v & (1 << j) == 0) {
                    let lo = ((base | (v << first)) << CHUNK_BITS) + tile * TILE;
                    let hi = lo + (1 << (first + j + CHUNK_BITS));
                    debug_assert!(hi + TILE <= len);
                    // SAFETY: lo..lo+TILE and hi..hi+TILE lie inside the state (hi + TILE ≤ 2^n)
                    // and are disjoint; distinct items differ in the tile offset or in a high bit
                    // outside the group, so no two items (threads) touch the same amplitude.
                    let (a, b) = unsafe {
                        (
                            std::slice::from_raw_parts_mut(ptr.0.add(lo), TILE),
                            std::slice::from_raw_parts_mut(ptr.0.add(hi), TILE),
                        )
                    };
                    rotate_run(a, b, c, s);
                }
            }
        };
        if parallel {
            (0..items).into_par_iter().for_each(item);
        } else {
            (0..items).for_each(item);
        }
        first += g;
    }
}

/// A reusable workspace: the cost diagonal (owned or borrowed, never copied) and a state
/// buffer, so optimisation loops do not reallocate 2^n amplitudes per evaluation.
#[derive(Debug, Clone)]
pub struct Simulator<'c> {
    n: usize,
    cost: Cow<'c, [f64]>,
    state: Vec<C64>,
    parallel: bool,
    /// max |C(x)|, which picks the phase's sin/cos path; found once, not per evaluation.
    max_abs: f64,
    /// Checked between layers and chunks, so a long evaluation stops soon after a Ctrl-C.
    control: Option<&'c Control>,
}

impl<'c> Simulator<'c> {
    /// A simulator for the cost diagonal `cost` (2^n finite values, index bit i = qubit i).
    pub fn new(cost: impl Into<Cow<'c, [f64]>>) -> Result<Self> {
        let cost = cost.into();
        let n = check_cost(&cost)?;
        check_memory(n)?;
        let parallel = n > CHUNK_BITS;
        let max_abs = cost.iter().fold(0.0f64, |m, c| m.max(c.abs()));
        let state = try_vec(cost.len(), C64::default(), &format!("a QAOA statevector on {n} qubits"))?;
        Ok(Self { n, state, cost, parallel, max_abs, control: None })
    }

    /// This simulator, stopping with `Err(Interrupted)` soon after `control` is cancelled.
    pub fn with_control(mut self, control: &'c Control) -> Self {
        self.control = Some(control);
        self
    }

    fn check(&self) -> Result<()> {
        self.control.map_or(Ok(()), Control::check)
    }

    pub fn num_qubits(&self) -> usize {
        self.n
    }

    pub fn cost(&self) -> &[f64] {
        &self.cost
    }

    /// The statevector of the last [`Simulator::evolve`].
    pub fn state(&self) -> &[C64] {
        &self.state
    }

    /// Run the chunk passes in parallel (the default from 15 qubits on). Results do not change.
    pub fn set_parallel(&mut self, parallel: bool) {
        self.parallel = parallel;
    }

    /// Prepares |ψ(γ, β)⟩ in the workspace.
    pub fn evolve(&mut self, gammas: &[f64], betas: &[f64]) -> Result<()> {
        check_angles(gammas, betas)?;
        check_phases(gammas, self.max_abs)?;
        self.check()?;
        let control = self.control;
        let cancelled = move || control.is_some_and(Control::is_cancelled);
        let (state, cost, n, max_abs) = (&mut self.state, &self.cost, self.n, self.max_abs);
        if self.parallel {
            crate::parallel::install(|| evolve_into(state, cost, n, max_abs, gammas, betas, true, &cancelled))?;
        } else {
            evolve_into(state, cost, n, max_abs, gammas, betas, false, &cancelled);
        }
        self.check()
    }

    /// ⟨ψ(γ, β)|C|ψ(γ, β)⟩.
    pub fn expectation(&mut self, gammas: &[f64], betas: &[f64]) -> Result<f64> {
        self.evolve(gammas, betas)?;
        Ok(self.state_expectation())
    }

    /// ⟨ψ|C|ψ⟩ for the current state: per-chunk sums, then added in chunk order.
    fn state_expectation(&self) -> f64 {
        let partial =
            |(amps, cost): (&[C64], &[f64])| -> f64 { amps.iter().zip(cost).map(|(a, c)| a.norm_sqr() * c).sum() };
        let partials: Vec<f64> = if self.parallel {
            let job = || self.state.par_chunks(CHUNK).zip(self.cost.par_chunks(CHUNK)).map(partial).collect();
            crate::parallel::install(job).unwrap_or_else(|_| self.sequential_partials(partial))
        } else {
            self.sequential_partials(partial)
        };
        partials.iter().sum()
    }

    fn sequential_partials(&self, partial: impl Fn((&[C64], &[f64])) -> f64) -> Vec<f64> {
        self.state.chunks(CHUNK).zip(self.cost.chunks(CHUNK)).map(partial).collect()
    }

    /// |ψ_x|² for every x, of the current state.
    pub fn probabilities(&self) -> Result<Vec<f64>> {
        try_collect(self.state.iter().map(|a| a.norm_sqr()), &format!("the probabilities of {} qubits", self.n))
    }

    /// ⟨C⟩ for each (gammas, betas) pair. Small registers run the parameter sets in parallel (one
    /// sequential simulation each, on copies of this workspace); large ones run the sets in turn,
    /// each parallel over chunks. Either way each value is the one [`expectation`] gives. The
    /// state left behind is unspecified.
    pub fn expectations(&mut self, sets: &AngleSets<'_>) -> Result<Vec<f64>> {
        check_phases(sets.gammas, self.max_abs)?;
        let mut out = try_vec(sets.len(), 0.0, "the values of a batch of QAOA evaluations")?;
        if self.n > CHUNK_BITS {
            for (k, o) in out.iter_mut().enumerate() {
                let (g, b) = sets.get(k);
                *o = self.expectation(g, b)?;
            }
            return Ok(out);
        }
        let sim = &*self;
        // each evaluation checks the control, so a long batch stops soon after a Ctrl-C
        crate::parallel::install(|| {
            out.par_iter_mut().enumerate().try_for_each_init(
                || sim.clone(),
                |s, (k, o)| {
                    let (g, b) = sets.get(k);
                    *o = s.expectation(g, b)?;
                    Ok(())
                },
            )
        })??;
        Ok(out)
    }
}

/// Prepares the state; returns early, leaving garbage, once `cancelled()` (the caller checks).
#[allow(clippy::too_many_arguments)]
fn evolve_into(
    state: &mut [C64],
    cost: &[f64],
    n: usize,
    max_abs: f64,
    gammas: &[f64],
    betas: &[f64],
    parallel: bool,
    cancelled: &(dyn Fn() -> bool + Sync),
) {
    let amp = (0.5f64).powf(n as f64 / 2.0);
    state.fill(C64 { re: amp, im: 0.0 });
    let low = n.min(CHUNK_BITS);
    for (&gamma, &beta) in gammas.iter().zip(betas) {
        if cancelled() {
            return;
        }
        let cs = (beta.cos(), beta.sin());
        if parallel {
            state.par_chunks_mut(CHUNK).zip(cost.par_chunks(CHUNK)).for_each(|(amps, c)| {
                if !cancelled() {
                    layer_on_chunk(amps, c, gamma, cs, low, max_abs)
                }
            });
        } else {
            for (amps, c) in state.chunks_mut(CHUNK).zip(cost.chunks(CHUNK)) {
                layer_on_chunk(amps, c, gamma, cs, low, max_abs);
            }
        }
        mix_high(state, n, cs, parallel, cancelled);
    }
}

/// ⟨ψ(γ, β)|C|ψ(γ, β)⟩ for the cost diagonal `cost`.
pub fn expectation(cost: &[f64], gammas: &[f64], betas: &[f64]) -> Result<f64> {
    Simulator::new(cost)?.expectation(gammas, betas)
}

/// ⟨C⟩ for each angle set (see [`Simulator::expectations`]).
pub fn expectations(cost: &[f64], sets: &AngleSets<'_>) -> Result<Vec<f64>> {
    Simulator::new(cost)?.expectations(sets)
}

/// |ψ_x(γ, β)|² for every bitstring x.
pub fn probabilities(cost: &[f64], gammas: &[f64], betas: &[f64]) -> Result<Vec<f64>> {
    let mut sim = Simulator::new(cost)?;
    sim.evolve(gammas, betas)?;
    sim.probabilities()
}

/// `shots` bitstrings (as indices, bit i = qubit i) drawn from the distribution `probs`
/// (non-negative, any positive total). Shots come in blocks of 4096, each with its own stream
/// `(seed, block)`, so the draws depend on the seed alone.
pub fn sample(probs: &[f64], shots: usize, seed: u64) -> Result<Vec<u64>> {
    sample_until(probs, shots, seed, &Control::new())
}

/// [`sample`], stopping with `Err(Interrupted)` soon after `control` is cancelled.
pub fn sample_until(probs: &[f64], shots: usize, seed: u64, control: &Control) -> Result<Vec<u64>> {
    crate::ensure!(!probs.is_empty(), "cannot sample from an empty distribution");
    crate::ensure!(probs.iter().all(|p| p.is_finite() && *p >= 0.0), "probabilities must be finite and non-negative");
    let mut cumulative = try_with_capacity(probs.len(), "the cumulative table for sampling")?;
    let mut total = 0.0;
    for p in probs {
        total += p;
        cumulative.push(total);
    }
    crate::ensure!(total > 0.0, "probabilities must not all be zero");
    let last = probs.len() - 1;
    let mut out = try_vec(shots, 0u64, "the sampled bitstrings")?;
    crate::parallel::install(|| {
        out.par_chunks_mut(SHOT_BLOCK).enumerate().for_each(|(block, dst)| {
            if control.is_cancelled() {
                return;
            }
            let mut rng = Stream::new(seed, block as u64);
            for x in dst {
                let u = rng.next_f64() * total;
                // first x with cumulative[x] > u; zero-probability states are never drawn
                *x = cumulative.partition_point(|&c| c <= u).min(last) as u64;
            }
        })
    })?;
    control.check()?;
    Ok(out)
}

/// `shots` bitstrings measured from |ψ(γ, β)⟩.
pub fn sample_state(cost: &[f64], gammas: &[f64], betas: &[f64], shots: usize, seed: u64) -> Result<Vec<u64>> {
    sample(&probabilities(cost, gammas, betas)?, shots, seed)
}

#[cfg(test)]
mod tests {
    use super::super::cost::{cost_diagonal, tests::random_symmetric};
    use super::*;

    type M = Vec<Vec<(f64, f64)>>;

    fn mat_mul(a: &M, b: &M) -> M {
        let d = a.len();
        let mut out = vec![vec![(0.0, 0.0); d]; d];
        for i in 0..d {
            for k in 0..d {
                let (ar, ai) = a[i][k];
                for j in 0..d {
                    let (br, bi) = b[k][j];
                    out[i][j].0 += ar * br - ai * bi;
                    out[i][j].1 += ar * bi + ai * br;
                }
            }
        }
        out
    }

    fn kron(a: &M, b: &M) -> M {
        let (da, db) = (a.len(), b.len());
        let mut out = vec![vec![(0.0, 0.0); da * db]; da * db];
        for i in 0..da {
            for j in 0..da {
                for k in 0..db {
                    for l in 0..db {
                        let (ar, ai) = a[i][j];
                        let (br, bi) = b[k][l];
                        out[i * db + k][j * db + l] = (ar * br - ai * bi, ar * bi + ai * br);
                    }
                }
            }
        }
        out
    }

    /// e^{−iβ Σ X_i} as a dense Kronecker product of 2×2 blocks [[cos, −i sin], [−i sin, cos]]
    /// (the order of the factors does not matter: every factor is the same).
    fn dense_mixer(n: usize, beta: f64) -> M {
        let one = vec![vec![(beta.cos(), 0.0), (0.0, -beta.sin())], vec![(0.0, -beta.sin()), (beta.cos(), 0.0)]];
        (1..n).fold(one.clone(), |m, _| kron(&m, &one))
    }

    /// Dense reference: the state as a column, cost phase as a diagonal, mixer as a full matrix.
    fn reference_state(cost: &[f64], gammas: &[f64], betas: &[f64]) -> Vec<(f64, f64)> {
        let d = cost.len();
        let n = d.trailing_zeros() as usize;
        let mut psi = vec![vec![(0.0, 0.0); d]; d];
        for row in psi.iter_mut() {
            row[0] = (1.0 / (d as f64).sqrt(), 0.0);
        }
        for (&g, &b) in gammas.iter().zip(betas) {
            let phase: M = (0..d)
                .map(|i| {
                    let mut r = vec![(0.0, 0.0); d];
                    r[i] = ((g * cost[i]).cos(), -(g * cost[i]).sin());
                    r
                })
                .collect();
            psi = mat_mul(&dense_mixer(n, b), &mat_mul(&phase, &psi));
        }
        psi.iter().map(|r| r[0]).collect()
    }

    #[test]
    fn statevector_matches_dense_reference() {
        let mut rng = Stream::new(11, 0);
        for n in 1..=5 {
            let q = random_symmetric(n, 100 + n as u64);
            let cost = cost_diagonal(&q, n).unwrap();
            for p in 1..=3 {
                let gammas: Vec<f64> = (0..p).map(|_| 2.0 * rng.next_f64() - 1.0).collect();
                let betas: Vec<f64> = (0..p).map(|_| 2.0 * rng.next_f64() - 1.0).collect();
                let want = reference_state(&cost, &gammas, &betas);
                let mut sim = Simulator::new(cost.clone()).unwrap();
                sim.evolve(&gammas, &betas).unwrap();
                for (a, w) in sim.state().iter().zip(&want) {
                    assert!((a.re - w.0).abs() < 1e-12 && (a.im - w.1).abs() < 1e-12, "n={n} p={p}");
                }
                let e_want: f64 = want.iter().zip(&cost).map(|(w, c)| (w.0 * w.0 + w.1 * w.1) * c).sum();
                let e = expectation(&cost, &gammas, &betas).unwrap();
                assert!((e - e_want).abs() < 1e-12, "n={n} p={p}: {e} vs {e_want}");
            }
        }
    }

    /// The Qiskit convention on one qubit, by hand: C = x, so e^{−iγC}|+⟩ = (1, e^{−iγ})/√2,
    /// then e^{−iβX}: ψ_1 = (cos β e^{−iγ} − i sin β)/√2 and ⟨C⟩ = |ψ_1|² = (1 + sin 2β sin γ)/2.
    #[test]
    fn one_qubit_closed_form() {
        let (g, b) = (0.7, 0.3);
        let e = expectation(&[0.0, 1.0], &[g], &[b]).unwrap();
        let want = 0.5 * (1.0 + (2.0 * b).sin() * g.sin());
        assert!((e - want).abs() < 1e-15, "{e} vs {want}");
    }

    #[test]
    fn vector_and_scalar_rotations_give_the_same_bits() {
        let mut rng = Stream::new(3, 1);
        let mut draw = |len: usize| -> Vec<C64> {
            (0..len).map(|_| C64 { re: rng.next_f64() - 0.5, im: rng.next_f64() - 0.5 }).collect()
        };
        for len in [1, 2, 3, 4, 5, 64, 67] {
            let (mut lo, mut hi) = (draw(len), draw(len));
            let (mut lo_ref, mut hi_ref) = (lo.clone(), hi.clone());
            rotate_run(&mut lo, &mut hi, 0.8, -0.6);
            for (a, b) in lo_ref.iter_mut().zip(hi_ref.iter_mut()) {
                rotate(a, b, 0.8, -0.6);
            }
            assert_eq!((lo, hi), (lo_ref, hi_ref), "len {len}");
        }
    }

    /// C(x) = Σ h_i x_i keeps the state a product: P(x) = Π p_i^{x_i} (1 − p_i)^{1 − x_i} with
    /// p_i = (1 + sin 2β sin γh_i)/2 (the one-qubit closed form above). 23 qubits take the
    /// high-qubit mixer through two groups (8 + 1 qubits past the chunk).
    #[test]
    fn separable_cost_gives_the_product_state_on_large_registers() {
        let n = 23;
        let h: Vec<f64> = (0..n).map(|i| 0.3 + 0.17 * i as f64).collect();
        let q: Vec<f64> = (0..n * n).map(|k| if k / n == k % n { h[k / n] } else { 0.0 }).collect();
        let cost = super::super::cost::cost_diagonal(&q, n).unwrap();
        let (g, b) = (0.7f64, 0.3f64);
        let p: Vec<f64> = h.iter().map(|hi| 0.5 * (1.0 + (2.0 * b).sin() * (g * hi).sin())).collect();
        let mut sim = Simulator::new(cost.as_slice()).unwrap();
        let e = sim.expectation(&[g], &[b]).unwrap();
        let want: f64 = h.iter().zip(&p).map(|(hi, pi)| hi * pi).sum();
        assert!((e - want).abs() < 1e-11, "{e} vs {want}");
        let mut rng = Stream::new(5, 0);
        for _ in 0..2000 {
            let x = (rng.next_f64() * (1u64 << n) as f64) as usize;
            let prob: f64 = (0..n).map(|i| if (x >> i) & 1 == 1 { p[i] } else { 1.0 - p[i] }).product();
            let got = sim.state()[x].norm_sqr();
            assert!((got - prob).abs() <= 1e-12 * prob, "x={x}: {got} vs {prob}");
        }
    }

    /// MaxCut as a QUBO: cut(x) = Σ_edges x_i + x_j − 2 x_i x_j = xᵀQx with Q_ii = degree(i) and
    /// Q_ij = Q_ji = −1 per edge. ⟨C⟩ is then the expected cut.
    fn maxcut_q(n: usize, edges: &[(usize, usize)]) -> Vec<f64> {
        let mut q = vec![0.0; n * n];
        for &(i, j) in edges {
            q[i * n + i] += 1.0;
            q[j * n + j] += 1.0;
            q[i * n + j] -= 1.0;
            q[j * n + i] -= 1.0;
        }
        q
    }

    /// R11: p = 1 on triangle-free 3-regular graphs, per-edge ⟨C⟩ = 1/2 + 1/(3√3) at
    /// γ = arctan(1/√2), β = π/8 (Wang, Hadfield, Jiang, Rieffel 2018); the 3-cube totals
    /// 8.3094010768. Rings give 0.75 per edge at their optimum γ = π/4, β = π/8.
    #[test]
    fn r11_maxcut_on_the_cube_and_a_ring() {
        let cube: Vec<(usize, usize)> =
            (0..8).flat_map(|v| (0..3).map(move |b| (v, v ^ (1 << b)))).filter(|(a, b)| a < b).collect();
        assert_eq!(cube.len(), 12);
        let cost = cost_diagonal(&maxcut_q(8, &cube), 8).unwrap();
        assert_eq!(cost.iter().cloned().fold(0.0, f64::max), 12.0);
        let e = expectation(&cost, &[(1.0 / 2f64.sqrt()).atan()], &[std::f64::consts::PI / 8.0]).unwrap();
        assert!((e - 8.3094010768).abs() < 1e-9, "{e}");

        let ring: Vec<(usize, usize)> = (0..6).map(|i| (i, (i + 1) % 6)).collect();
        let cost = cost_diagonal(&maxcut_q(6, &ring), 6).unwrap();
        let e = expectation(&cost, &[std::f64::consts::PI / 4.0], &[std::f64::consts::PI / 8.0]).unwrap();
        assert!((e - 0.75 * 6.0).abs() < 1e-12, "{e}");
    }

    #[test]
    fn bit_identical_for_any_thread_count_and_schedule() {
        let n = 16;
        let cost = cost_diagonal(&random_symmetric(n, 5), n).unwrap();
        let (g, b) = ([0.31, -0.2], [0.45, 0.12]);
        crate::parallel::set_num_threads(1).unwrap();
        let one = expectation(&cost, &g, &b).unwrap();
        crate::parallel::set_num_threads(2).unwrap();
        let two = expectation(&cost, &g, &b).unwrap();
        let mut seq = Simulator::new(cost.clone()).unwrap();
        seq.set_parallel(false);
        let sequential = seq.expectation(&g, &b).unwrap();
        let (g2, b2) = ([g[0], g[1], 0.1, 0.0], [b[0], b[1], 0.2, 0.0]);
        let batch = expectations(&cost, &AngleSets::new(&g2, &b2, 2).unwrap()).unwrap();
        crate::parallel::set_num_threads(0).unwrap();
        assert_eq!(one.to_bits(), two.to_bits());
        assert_eq!(one.to_bits(), sequential.to_bits());
        assert_eq!(one.to_bits(), batch[0].to_bits());
        // and the parallel schedule is still the right state
        let dense_norm: f64 = seq.probabilities().unwrap().iter().sum();
        assert!((dense_norm - 1.0).abs() < 1e-12);
    }

    #[test]
    fn batch_equals_single_calls_for_small_registers() {
        let cost = cost_diagonal(&random_symmetric(6, 9), 6).unwrap();
        let params: Vec<(Vec<f64>, Vec<f64>)> =
            (0..7).map(|k| (vec![0.1 * k as f64, 0.3], vec![0.2, -0.05 * k as f64])).collect();
        let g: Vec<f64> = params.iter().flat_map(|p| p.0.clone()).collect();
        let b: Vec<f64> = params.iter().flat_map(|p| p.1.clone()).collect();
        let batch = expectations(&cost, &AngleSets::new(&g, &b, 2).unwrap()).unwrap();
        assert_eq!(batch.len(), 7);
        for ((g, b), e) in params.iter().zip(&batch) {
            assert_eq!(expectation(&cost, g, b).unwrap().to_bits(), e.to_bits());
        }
    }

    #[test]
    fn a_cancelled_control_stops_evaluations() {
        let cost = cost_diagonal(&random_symmetric(16, 2), 16).unwrap();
        let control = Control::new();
        let mut sim = Simulator::new(cost.as_slice()).unwrap().with_control(&control);
        assert!(sim.expectation(&[0.1], &[0.2]).is_ok());
        control.cancel();
        assert_eq!(sim.expectation(&[0.1], &[0.2]), Err(crate::error::Error::Interrupted));
        let small = cost_diagonal(&random_symmetric(4, 2), 4).unwrap();
        let mut sim = Simulator::new(small.as_slice()).unwrap().with_control(&control);
        let sets = AngleSets::new(&[0.1, 0.2], &[0.3, 0.4], 1).unwrap();
        assert_eq!(sim.expectations(&sets), Err(crate::error::Error::Interrupted));
    }

    #[test]
    fn probabilities_and_sampling() {
        let cost = cost_diagonal(&random_symmetric(4, 3), 4).unwrap();
        let p = probabilities(&cost, &[0.4], &[0.3]).unwrap();
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        let shots = 200_000;
        let a = sample_state(&cost, &[0.4], &[0.3], shots, 42).unwrap();
        let b = sample(&p, shots, 42).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, sample(&p, shots, 43).unwrap());
        let mut counts = [0usize; 16];
        a.iter().for_each(|&x| counts[x as usize] += 1);
        for (c, pi) in counts.iter().zip(&p) {
            let sd = (pi * (1.0 - pi) / shots as f64).sqrt();
            assert!((*c as f64 / shots as f64 - pi).abs() < 5.0 * sd + 1e-9, "{c} vs {pi}");
        }
        // a point mass is always drawn, a zero-probability state never
        assert!(sample(&[0.0, 0.0, 1.0, 0.0], 1000, 1).unwrap().iter().all(|&x| x == 2));
        assert!(sample(&[0.0, 0.0], 10, 1).is_err());
        assert!(sample(&[f64::NAN, 1.0], 10, 1).is_err());
    }

    #[test]
    fn bad_parameters_are_errors() {
        let cost = vec![0.0, 1.0, 2.0, 3.0];
        assert!(expectation(&cost, &[0.1, 0.2], &[0.3]).is_err());
        assert!(expectation(&cost, &[f64::NAN], &[0.3]).is_err());
        assert!(expectation(&[0.0, 1.0, 2.0], &[0.1], &[0.3]).is_err());
        assert!(expectation(&[], &[], &[]).is_err());
        assert!(expectation(&[0.0, f64::INFINITY], &[0.1], &[0.1]).is_err());
        assert!(AngleSets::new(&[0.1], &[], 1).is_err());
        assert!(AngleSets::new(&[0.1, 0.2, 0.3], &[0.1, 0.2, 0.3], 2).is_err());
        // γ·C overflowing is refused (it made NaN); huge but finite phases are computed
        let err = expectation(&cost, &[1e308], &[0.1]).unwrap_err();
        assert!(matches!(&err, crate::error::Error::InvalidInput(m) if m.contains("gammas[0]")), "{err}");
        assert!(probabilities(&cost, &[0.1, -1e308], &[0.1, 0.1]).is_err());
        assert!(expectations(&cost, &AngleSets::new(&[0.1, 1e308], &[0.1, 0.1], 1).unwrap()).is_err());
        assert!(expectation(&cost, &[1e300], &[0.1]).unwrap().is_finite());
    }
}
