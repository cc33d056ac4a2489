//! Single-spin-flip sweeps: Metropolis and Gibbs (heat bath, the p-bit rule).
//!
//! A [`Chain`] keeps its spins, the local fields I_i = h_i + Σ_j J_ij s_j, its energy and
//! magnetisation up to date incrementally: a flip of spin i adds 2 J_ki s_i to the field of
//! each neighbour k. Deciding a flip then costs one comparison against a uniform.
//!
//! Sparse models are swept colour class by colour class in blocks of [`LANES`] p-bits that share
//! no coupling, so their acceptance tests are independent and vectorise; dense models are swept
//! in order, eight spins decided at a time speculatively ([`DenseChain32`] keeps f32 fields
//! where that is exact). Models whose scaled fields are small integers look flip probabilities
//! up in a per-β table instead of evaluating an exponential. The same arithmetic runs in the
//! baseline and the AVX2 build of the kernel (no FMA contraction; tables give the same bits as
//! the exponential), so results are bit-identical on every CPU.

use super::engine::{Dense, Engine, Layout};
use super::lanes::LaneFloat;
use super::model::Csr;
use crate::backend::cpu_features;
use crate::rng::{LaneUniforms, Stream, LANES};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Metropolis,
    Gibbs,
}

impl Method {
    pub fn parse(name: &str) -> crate::Result<Self> {
        match name.to_ascii_lowercase().as_str() {
            "metropolis" => Ok(Self::Metropolis),
            "gibbs" | "heat-bath" | "heatbath" | "pbit" | "p-bit" => Ok(Self::Gibbs),
            other => Err(crate::invalid!("method must be 'gibbs' or 'metropolis', got {other:?}")),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Metropolis => "metropolis",
            Self::Gibbs => "gibbs",
        }
    }
}

/// exp(x) for f32 with relative error below 5e-7 on [-80, 87] (inputs are clamped to
/// [-87, 87]). Cody–Waite range reduction plus a degree-6 Taylor polynomial; plain arithmetic
/// only, so every build gives the same bits.
#[inline(always)]
pub fn exp_f32(x: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    const LN2_HI: f32 = 0.693_359_4; // exactly representable head of ln 2
    const LN2_LO: f32 = -2.121_944_4e-4; // ln 2 - LN2_HI
    const ROUND: f32 = 12_582_912.0; // 1.5 * 2^23: adding it rounds to an integer
    let x = x.clamp(-87.0, 87.0);
    let shifted = x * LOG2E + ROUND;
    let k = shifted - ROUND;
    // The integer k sits in the low mantissa bits of `shifted`: integer arithmetic on the bits
    // avoids a float-to-int conversion, so the whole function vectorises.
    let ki = shifted.to_bits().wrapping_sub(ROUND.to_bits()) as i32;
    let f = (x - k * LN2_HI) - k * LN2_LO; // |f| <= ln2 / 2
                                           // Taylor series of e^f to degree 6: truncation error below 2e-7 for |f| <= 0.347.
    let p = 1.0 + f * (1.0 + f * (0.5 + f * (1.0 / 6.0 + f * (1.0 / 24.0 + f * (1.0 / 120.0 + f * (1.0 / 720.0))))));
    p * f32::from_bits(((ki + 127) as u32) << 23)
}

/// The largest scaled field magnitude a 16-entry table covers (values -8..=7).
pub(crate) const TABLE_RADIUS: f64 = 7.0;

/// Flip probabilities at one β, indexed by s·I·scale + 8 (an integer in 0..16): computed with
/// exactly the arithmetic of the direct path, so both give the same bits.
pub(crate) struct Table<T> {
    pub p: [f32; 16],
    pub scale: T,
}

impl<T: LaneFloat> Table<T> {
    pub fn new<const GIBBS: bool>(scale: T, two_beta: T) -> Self {
        let p = std::array::from_fn(|k| {
            // s·I = v / scale exactly (scale is a power of two)
            let v = T::from_f64(k as f64 - 8.0) * T::from_f64(1.0 / scale.to_f64());
            flip_probability::<GIBBS>((two_beta * v).to_f32())
        });
        Self { p, scale }
    }
}

/// The table index of a scaled field value `x` (an integer in -8..=7 held in an f32): the
/// integer sits in the low mantissa bits of `x + 1.5·2^23`, so plain integer arithmetic on the
/// bits recovers it. (A float-to-int cast saturates, and that does not vectorise.)
#[inline(always)]
pub(crate) fn table_index(x: f32) -> i32 {
    const ROUND: f32 = 12_582_912.0;
    ((x + ROUND).to_bits().wrapping_sub(ROUND.to_bits()) as i32 + 8) & 15
}

/// `table[k[l]]` for every lane (k in 0..16).
#[allow(clippy::needless_range_loop)]
#[inline(always)]
pub(crate) fn lookup<const AVX2: bool>(table: &[f32; 16], k: &[i32; LANES]) -> [f32; LANES] {
    #[cfg(target_arch = "x86_64")]
    if AVX2 {
        use std::arch::x86_64::*;
        let mut out = [0.0f32; LANES];
        // SAFETY: AVX2 is true only on the path entered through `sweep_avx2`, which runs after
        // run-time detection of AVX2; the loads and the store cover exactly the arrays given.
        unsafe {
            let lo = _mm256_loadu_ps(table.as_ptr());
            let hi = _mm256_loadu_ps(table.as_ptr().add(8));
            let idx = _mm256_loadu_si256(k.as_ptr().cast());
            let high = _mm256_castsi256_ps(_mm256_cmpgt_epi32(idx, _mm256_set1_epi32(7)));
            let p = _mm256_blendv_ps(_mm256_permutevar8x32_ps(lo, idx), _mm256_permutevar8x32_ps(hi, idx), high);
            _mm256_storeu_ps(out.as_mut_ptr(), p);
        }
        return out;
    }
    let mut out = [0.0f32; LANES];
    for l in 0..LANES {
        out[l] = table[k[l] as usize & 15];
    }
    out
}

/// Probability of flipping a spin whose flip costs x = β·ΔE.
#[inline(always)]
pub(crate) fn flip_probability<const GIBBS: bool>(x: f32) -> f32 {
    if GIBBS {
        1.0 / (1.0 + exp_f32(x))
    } else {
        exp_f32(-x.max(0.0))
    }
}

/// One Markov chain (a read, a replica) in engine order.
#[derive(Debug, Clone)]
pub struct Chain {
    pub s: Vec<i8>,
    pub fields: Vec<f64>,
    /// Energy without the model offset, kept up to date by the flips.
    pub energy: f64,
    pub magnetization: i64,
    rng: LaneUniforms,
}

impl Chain {
    /// A chain at an engine-order state, drawing from `stream`.
    pub fn new(engine: &Engine, s: Vec<i8>, stream: &mut Stream) -> Self {
        let mut fields = vec![0.0; engine.n()];
        engine.fields(&s, &mut fields);
        let energy = engine.energy_from_fields(&s, &fields);
        let magnetization = s.iter().map(|&x| x as i64).sum();
        Self { s, fields, energy, magnetization, rng: LaneUniforms::new(stream) }
    }

    /// A chain at a uniformly random state.
    pub fn random(engine: &Engine, stream: &mut Stream) -> Self {
        let s = (0..engine.n()).map(|_| stream.spin()).collect();
        Self::new(engine, s, stream)
    }

    /// Recompute fields and energy from the spins (clears rounding drift after many flips).
    pub fn refresh(&mut self, engine: &Engine) {
        engine.fields(&self.s, &mut self.fields);
        self.energy = engine.energy_from_fields(&self.s, &self.fields);
    }

    /// `num_sweeps` sweeps at inverse temperature `beta`; returns the number of flips.
    pub fn sweep(&mut self, engine: &Engine, beta: f64, method: Method, num_sweeps: usize) -> u64 {
        #[cfg(target_arch = "x86_64")]
        if cpu_features::has_avx2() {
            // SAFETY: AVX2 support was just checked at run time.
            return unsafe { sweep_avx2(self, engine, beta, method, num_sweeps) };
        }
        sweep_any::<false>(self, engine, beta, method, num_sweeps)
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn sweep_avx2(c: &mut Chain, e: &Engine, beta: f64, m: Method, k: usize) -> u64 {
    sweep_any::<true>(c, e, beta, m, k)
}

#[inline(always)]
/// `AVX2` is true only on the path entered through `sweep_avx2`, after run-time detection.
fn sweep_any<const AVX2: bool>(c: &mut Chain, e: &Engine, beta: f64, m: Method, num_sweeps: usize) -> u64 {
    // Sparse models with small integer fields test flips against a per-β table.
    let scale = e.exact_field_scale().filter(|&(_, r)| r <= TABLE_RADIUS).map(|(s, _)| s);
    let table = |gibbs: bool| {
        scale.map(|s| if gibbs { Table::new::<true>(s, 2.0 * beta) } else { Table::new::<false>(s, 2.0 * beta) })
    };
    let mut flips = 0;
    match (&e.layout, m) {
        (Layout::Sparse { .. }, Method::Gibbs) => {
            let t = table(true);
            for _ in 0..num_sweeps {
                flips += sweep_sparse::<true, AVX2>(c, e, beta, t.as_ref());
            }
        }
        (Layout::Sparse { .. }, Method::Metropolis) => {
            let t = table(false);
            for _ in 0..num_sweeps {
                flips += sweep_sparse::<false, AVX2>(c, e, beta, t.as_ref());
            }
        }
        (Layout::Dense(d), _) => {
            for _ in 0..num_sweeps {
                flips += match (d, m) {
                    (Dense::F64(j), Method::Gibbs) => chain_dense::<f64, true>(c, j, beta),
                    (Dense::F64(j), Method::Metropolis) => chain_dense::<f64, false>(c, j, beta),
                    (Dense::F32(j), Method::Gibbs) => chain_dense::<f32, true>(c, j, beta),
                    (Dense::F32(j), Method::Metropolis) => chain_dense::<f32, false>(c, j, beta),
                };
            }
        }
    }
    flips
}

/// A dense sweep over spins `s` with local fields of type `F` (f64, or f32 where that is
/// exact) and couplings stored as `W`. Sequential in spin order, but decided [`LANES`] spins at
/// a time: all lanes are tested against the current fields, the first flip is applied, and the
/// lanes after it are tested again with the same uniforms. That is exactly the
/// one-spin-at-a-time chain (spin i always meets uniform i), while at low acceptance a block
/// costs one vector test instead of eight. `on_flip(old spin, its field)` runs before each flip.
#[inline(always)]
fn sweep_dense<F, W, const GIBBS: bool>(
    s: &mut [i8],
    fields: &mut [F],
    rng: &mut LaneUniforms,
    j: &[W],
    beta: f64,
    mut on_flip: impl FnMut(i8, F),
) -> u64
where
    F: Copy + Into<f64> + From<f32> + std::ops::AddAssign + std::ops::Mul<Output = F>,
    W: Copy + Into<F>,
{
    let n = s.len();
    let mut flips = 0;
    let mut i = 0;
    while i < n {
        let width = (n - i).min(LANES);
        let u = rng.next_lanes();
        let mut next = 0; // lanes before `next` are decided
        while next < width {
            let mut sl = [1i8; LANES];
            let mut fl = [0.0f64; LANES];
            sl[..width].copy_from_slice(&s[i..i + width]);
            for (f, &x) in fl.iter_mut().zip(&fields[i..i + width]) {
                *f = x.into();
            }
            let flip = decide_lanes::<GIBBS, false>(&sl, &fl, &u, beta, None);
            let Some(l) = (next..width).find(|&l| flip[l]) else { break };
            let k = i + l;
            let old = s[k];
            on_flip(old, fields[k]);
            s[k] = -old;
            let d = F::from(-2.0 * old as f32);
            for (f, &w) in fields.iter_mut().zip(&j[k * n..(k + 1) * n]) {
                *f += w.into() * d;
            }
            flips += 1;
            next = l + 1;
        }
        i += width;
    }
    flips
}

/// A chain of a dense model whose local fields are exact in f32 ([`Engine::f32_fields_exact`]):
/// the same trajectory as [`Chain`], bit for bit, with coupling-row updates at twice the SIMD
/// width. Used for annealing, which needs no running energy.
#[derive(Debug, Clone)]
pub struct DenseChain32 {
    pub s: Vec<i8>,
    fields: Vec<f32>,
    rng: LaneUniforms,
}

impl DenseChain32 {
    /// Same draws from `stream` as [`Chain::new`]. Panics unless the engine is dense with f32
    /// couplings and exact f32 fields.
    pub fn new(engine: &Engine, s: Vec<i8>, stream: &mut Stream) -> Self {
        assert!(matches!(engine.layout, Layout::Dense(Dense::F32(_))) && engine.f32_fields_exact());
        let mut fields = vec![0.0; engine.n()];
        engine.fields(&s, &mut fields);
        Self { s, fields: fields.iter().map(|&f| f as f32).collect(), rng: LaneUniforms::new(stream) }
    }

    pub fn sweep(&mut self, engine: &Engine, beta: f64, method: Method, num_sweeps: usize) {
        #[cfg(target_arch = "x86_64")]
        if cpu_features::has_avx2() {
            // SAFETY: AVX2 support was just checked at run time.
            return unsafe { sweep_dense32_avx2(self, engine, beta, method, num_sweeps) };
        }
        sweep_dense32(self, engine, beta, method, num_sweeps)
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn sweep_dense32_avx2(c: &mut DenseChain32, e: &Engine, beta: f64, m: Method, k: usize) {
    sweep_dense32(c, e, beta, m, k)
}

#[inline(always)]
fn sweep_dense32(c: &mut DenseChain32, e: &Engine, beta: f64, m: Method, num_sweeps: usize) {
    let Layout::Dense(Dense::F32(j)) = &e.layout else { unreachable!("checked in DenseChain32::new") };
    for _ in 0..num_sweeps {
        match m {
            Method::Gibbs => sweep_dense::<f32, f32, true>(&mut c.s, &mut c.fields, &mut c.rng, j, beta, |_, _| {}),
            Method::Metropolis => {
                sweep_dense::<f32, f32, false>(&mut c.s, &mut c.fields, &mut c.rng, j, beta, |_, _| {})
            }
        };
    }
}

/// A dense sweep of a [`Chain`], keeping its energy and magnetisation.
#[inline(always)]
fn chain_dense<W: Copy + Into<f64>, const GIBBS: bool>(c: &mut Chain, j: &[W], beta: f64) -> u64 {
    let (mut energy, mut magnetization) = (c.energy, c.magnetization);
    let flips = sweep_dense::<f64, W, GIBBS>(&mut c.s, &mut c.fields, &mut c.rng, j, beta, |old, field| {
        energy += 2.0 * old as f64 * field;
        magnetization -= 2 * old as i64;
    });
    (c.energy, c.magnetization) = (energy, magnetization);
    flips
}

/// Flip spin `i` and push the change of its coupling to its neighbours' fields.
#[inline(always)]
fn flip_sparse(c: &mut Chain, csr: &Csr, i: usize) {
    let old = c.s[i];
    c.energy += 2.0 * old as f64 * c.fields[i];
    c.s[i] = -old;
    c.magnetization -= 2 * old as i64;
    let d = -2.0 * old as f64;
    let (start, end) = (csr.indptr[i], csr.indptr[i + 1]);
    assert!(end <= csr.indices.len() && end <= csr.data.len() && start <= end);
    let fields = c.fields.as_mut_slice();
    for k in start..end {
        // SAFETY: `k < end <= len` was asserted above, and `Engine::new` checked that every
        // column index is below n = fields.len(). This loop runs once per neighbour of every
        // accepted flip; checked indexing costs as much as the update itself.
        unsafe {
            let j = *csr.indices.get_unchecked(k) as usize;
            *fields.get_unchecked_mut(j) += *csr.data.get_unchecked(k) * d;
        }
    }
}

/// Flip probabilities of [`LANES`] independent p-bits with spins `s` and local fields `f`: from
/// the per-β table when there is one, else from the exponential (both give the same bits).
/// Shared by every kernel.
#[allow(clippy::needless_range_loop)]
#[inline(always)]
pub(crate) fn flip_probabilities<T: LaneFloat, const GIBBS: bool, const AVX2: bool>(
    s: &[T; LANES],
    f: &[T; LANES],
    two_beta: T,
    table: Option<&Table<T>>,
) -> [f32; LANES] {
    let mut p = [0.0f32; LANES];
    match table {
        Some(t) => {
            let mut k = [0i32; LANES];
            for l in 0..LANES {
                // s·I·scale is an integer in -7..=7; the mask keeps the index in bounds regardless
                k[l] = table_index((s[l] * f[l] * t.scale).to_f32());
            }
            p = lookup::<AVX2>(&t.p, &k);
        }
        None => {
            for l in 0..LANES {
                p[l] = flip_probability::<GIBBS>((two_beta * s[l] * f[l]).to_f32());
            }
        }
    }
    p
}

/// Flip decisions for a block of independent p-bits, one per lane.
#[inline(always)]
fn decide_lanes<const GIBBS: bool, const AVX2: bool>(
    s: &[i8; LANES],
    f: &[f64; LANES],
    u: &[f32; LANES],
    beta: f64,
    table: Option<&Table<f64>>,
) -> [bool; LANES] {
    let s: [f64; LANES] = std::array::from_fn(|l| s[l] as f64);
    let p = flip_probabilities::<f64, GIBBS, AVX2>(&s, f, 2.0 * beta, table);
    std::array::from_fn(|l| u[l] < p[l])
}

/// The decisions as a bit mask (bit l = lane l flips), to visit only the flips.
#[allow(clippy::needless_range_loop)]
#[inline(always)]
fn decide_block<const GIBBS: bool, const AVX2: bool>(
    s: &[i8; LANES],
    f: &[f64; LANES],
    u: &[f32; LANES],
    beta: f64,
    table: Option<&Table<f64>>,
) -> u32 {
    let flip = decide_lanes::<GIBBS, AVX2>(s, f, u, beta, table);
    let mut mask = 0u32;
    for l in 0..LANES {
        mask |= u32::from(flip[l]) << l;
    }
    mask
}

// Lane loops index several arrays in step; indices are the clearest form.
#[allow(clippy::needless_range_loop)]
#[inline(always)]
fn sweep_sparse<const GIBBS: bool, const AVX2: bool>(
    c: &mut Chain,
    e: &Engine,
    beta: f64,
    t: Option<&Table<f64>>,
) -> u64 {
    let Layout::Sparse { csr, classes } = &e.layout else { unreachable!("sparse sweep on a dense layout") };
    let mut flips = 0;
    for class in classes {
        let mut start = class.start;
        // Two blocks per step: same-coloured p-bits share no coupling, so both blocks are decided
        // before either's flips are applied, and the CPU overlaps the two acceptance tests.
        while start + 2 * LANES <= class.end {
            let (u, v) = (c.rng.next_lanes(), c.rng.next_lanes());
            let a = decide_block::<GIBBS, AVX2>(block(&c.s, start), block(&c.fields, start), &u, beta, t);
            let b =
                decide_block::<GIBBS, AVX2>(block(&c.s, start + LANES), block(&c.fields, start + LANES), &v, beta, t);
            flips += apply_flips(c, csr, start, a) + apply_flips(c, csr, start + LANES, b);
            start += 2 * LANES;
        }
        while start < class.end {
            let width = (class.end - start).min(LANES);
            let u = c.rng.next_lanes();
            let mut mask = 0u32;
            if width == LANES {
                mask = decide_block::<GIBBS, AVX2>(block(&c.s, start), block(&c.fields, start), &u, beta, t);
            } else {
                for l in 0..width {
                    let x = (beta * 2.0 * c.s[start + l] as f64 * c.fields[start + l]) as f32;
                    mask |= u32::from(u[l] < flip_probability::<GIBBS>(x)) << l;
                }
            }
            flips += apply_flips(c, csr, start, mask);
            start += width;
        }
    }
    flips
}

/// `LANES` values from `start`.
#[inline(always)]
fn block<T>(v: &[T], start: usize) -> &[T; LANES] {
    v[start..start + LANES].try_into().expect("block of LANES")
}

/// Flip the p-bits of a block whose bits are set in `mask`; returns how many.
#[inline(always)]
fn apply_flips(c: &mut Chain, csr: &Csr, start: usize, mut mask: u32) -> u64 {
    let count = mask.count_ones() as u64;
    // Same-coloured p-bits share no coupling: their flips do not change each other's fields.
    while mask != 0 {
        let i = start + mask.trailing_zeros() as usize;
        mask &= mask - 1;
        flip_sparse(c, csr, i);
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::IsingModel;

    #[test]
    fn exp_is_accurate() {
        let mut x = -80.0f32;
        while x <= 87.0 {
            let exact = (x as f64).exp();
            let rel = ((exp_f32(x) as f64) - exact).abs() / exact;
            assert!(rel < 5e-7, "x={x} rel={rel}");
            x += 0.037;
        }
        assert_eq!(exp_f32(0.0), 1.0);
        assert!(exp_f32(-1000.0) < 1e-37);
    }

    #[test]
    fn table_and_direct_decisions_give_the_same_chain() {
        // 2-D torus with ±1 couplings and small integer fields: scaled fields within the table
        let l = 12;
        let (mut r, mut c, mut w) = (vec![], vec![], vec![]);
        let mut st = Stream::new(4, 0);
        for i in 0..l * l {
            let (y, x) = (i / l, i % l);
            r.extend([i as i64, i as i64]);
            c.extend([(y * l + (x + 1) % l) as i64, (((y + 1) % l) * l + x) as i64]);
            w.extend([if st.below(2) == 0 { 1.0 } else { -1.0 }, 1.0]);
        }
        let h: Vec<f64> = (0..l * l).map(|i| (i % 3) as f64 - 1.0).collect();
        let engine = Engine::new(&IsingModel::from_edges(l * l, &r, &c, &w, &h).unwrap());
        let (scale, radius) = engine.exact_field_scale().unwrap();
        assert!(radius <= TABLE_RADIUS);
        for gibbs in [false, true] {
            let run = |use_table: bool, avx2: bool| {
                let mut chain = Chain::random(&engine, &mut Stream::new(9, 2));
                for beta in [0.1, 0.4, 1.0, 3.0] {
                    let t = if gibbs {
                        Table::new::<true>(scale, 2.0 * beta)
                    } else {
                        Table::new::<false>(scale, 2.0 * beta)
                    };
                    let t = use_table.then_some(&t);
                    for _ in 0..10 {
                        match (gibbs, avx2) {
                            (true, true) => sweep_sparse::<true, true>(&mut chain, &engine, beta, t),
                            (true, false) => sweep_sparse::<true, false>(&mut chain, &engine, beta, t),
                            (false, true) => sweep_sparse::<false, true>(&mut chain, &engine, beta, t),
                            (false, false) => sweep_sparse::<false, false>(&mut chain, &engine, beta, t),
                        };
                    }
                }
                chain.s
            };
            let direct = run(false, false);
            assert_eq!(run(true, false), direct);
            if cpu_features::has_avx2() {
                assert_eq!(run(true, true), direct);
            }
        }
    }

    #[test]
    fn dense_f32_chain_follows_the_f64_chain_exactly() {
        let n = 40;
        let mut st = Stream::new(8, 0);
        let mut j = vec![0.0; n * n];
        for a in 0..n {
            for b in a + 1..n {
                let w = if st.next_u64() >> 63 == 0 { 0.25 } else { -0.25 };
                j[a * n + b] = w;
                j[b * n + a] = w;
            }
        }
        let h: Vec<f64> = (0..n).map(|i| (i % 5) as f64 - 2.0).collect();
        let engine = Engine::new(&IsingModel::from_dense(n, &j, &h).unwrap());
        assert!(engine.f32_fields_exact());
        for method in [Method::Metropolis, Method::Gibbs] {
            let s0: Vec<i8> = (0..n).map(|_| st.spin()).collect();
            let mut a = Chain::new(&engine, s0.clone(), &mut Stream::new(3, 1));
            let mut b = DenseChain32::new(&engine, s0, &mut Stream::new(3, 1));
            for beta in [0.05, 0.3, 1.0, 4.0] {
                a.sweep(&engine, beta, method, 25);
                b.sweep(&engine, beta, method, 25);
                assert_eq!(a.s, b.s);
            }
        }
    }

    #[test]
    fn incremental_state_matches_recomputation() {
        for dense in [false, true] {
            let n = 60;
            let mut j = vec![0.0; n * n];
            let mut st = Stream::new(5, 0);
            for a in 0..n {
                for b in a + 1..n {
                    if dense || st.below(25) == 0 {
                        let w = st.next_f64() * 2.0 - 1.0;
                        j[a * n + b] = w;
                        j[b * n + a] = w;
                    }
                }
            }
            let h: Vec<f64> = (0..n).map(|_| st.next_f64() - 0.5).collect();
            let model = IsingModel::from_dense(n, &j, &h).unwrap();
            assert_eq!(model.is_dense(), dense);
            let engine = Engine::new(&model);
            for method in [Method::Metropolis, Method::Gibbs] {
                let mut c = Chain::random(&engine, &mut st);
                let flips = c.sweep(&engine, 0.7, method, 50);
                assert!(flips > 0);
                let mut fresh = c.clone();
                fresh.refresh(&engine);
                assert!((fresh.energy - c.energy).abs() < 1e-9);
                let mut orig = vec![0i8; n];
                engine.to_model(&c.s, &mut orig);
                assert!((model.energy(&orig) - c.energy).abs() < 1e-9);
                assert_eq!(c.magnetization, orig.iter().map(|&x| x as i64).sum::<i64>());
            }
        }
    }
}
