//! Single-spin-flip sweeps: Metropolis and Gibbs (heat bath, the p-bit rule).
//!
//! A [`Chain`] keeps its spins, the local fields I_i = h_i + Σ_j J_ij s_j, its energy and
//! magnetisation up to date incrementally: a flip of spin i adds 2 J_ki s_i to the field of
//! each neighbour k. Deciding a flip then costs one comparison against a uniform.
//!
//! Sparse models are swept colour class by colour class in blocks of [`LANES`] p-bits that share
//! no coupling, so their acceptance tests are independent and vectorise; dense models are swept
//! in order, eight spins decided at a time speculatively ([`FastDenseChain`] keeps f32 or
//! scaled i16 fields where that is exact). Models whose scaled fields are small integers look flip probabilities
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

/// ln(x) for f32 x > 0 (normal), absolute error below 2e-7 for x in (0, 1]: the exponent, plus
/// 2·atanh((m−1)/(m+1)) to degree 9 for the mantissa m in [√½, √2). Plain arithmetic only, so
/// every build gives the same bits.
#[inline(always)]
pub fn ln_f32(x: f32) -> f32 {
    const LN2_HI: f32 = 0.693_359_4;
    const LN2_LO: f32 = -2.121_944_4e-4;
    const SQRT_HALF_BITS: i32 = 0x3f35_04f3;
    let bits = x.to_bits() as i32;
    let e = bits.wrapping_sub(SQRT_HALF_BITS) >> 23; // floor(log2(x / √½))
    let m = f32::from_bits(bits.wrapping_sub(e << 23) as u32);
    let z = (m - 1.0) / (m + 1.0);
    let z2 = z * z;
    let lnm = 2.0 * z * (1.0 + z2 * (1.0 / 3.0 + z2 * (1.0 / 5.0 + z2 * (1.0 / 7.0 + z2 * (1.0 / 9.0)))));
    let e = e as f32;
    e * LN2_HI + (lnm + e * LN2_LO)
}

/// Flip thresholds for uniforms u in [0, 1) (on a 2^-24 grid, shifted to the cell midpoints so
/// that u is never 0): a p-bit whose flip costs x = β·ΔE flips iff x < t. Metropolis:
/// t = −ln u, so P(flip) = min(1, e^−x); Gibbs: t = ln((1−u)/u), so P(flip) = 1/(1 + e^x).
/// A block that must be re-tested after each flip (dense sweeps) then costs one comparison per
/// test instead of an exponential.
#[allow(clippy::needless_range_loop)]
#[inline(always)]
pub(crate) fn flip_thresholds<const GIBBS: bool>(u: &[f32; LANES]) -> [f32; LANES] {
    const HALF_CELL: f32 = 1.0 / (1u32 << 25) as f32;
    let mut t = [0.0f32; LANES];
    for l in 0..LANES {
        let u = u[l] + HALF_CELL;
        t[l] = if GIBBS { ln_f32((1.0 - u) / u) } else { -ln_f32(u) };
    }
    t
}

/// The largest scaled field magnitude a 16-entry table covers (values -8..=7).
pub(crate) const TABLE_RADIUS: f64 = 7.0;

/// Flip probabilities at one β, indexed by s·I·scale + 8 (an integer in 0..16): computed with
/// exactly the arithmetic of the direct path, so both give the same bits.
#[derive(Clone, Copy)]
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
        // SAFETY: AVX2 is true only on paths entered through an `avx2` target-feature function
        // after run-time detection of AVX2; the loads and the store cover exactly the arrays given.
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

/// Probability of flipping a spin whose flip costs x = β·ΔE. At β = +∞, x is +∞ for a flip
/// raising the energy and NaN (∞·0) for a free one: neither flips, only downhill moves do (as
/// in dwave-samplers), where the clamped exponential alone would give them about 1e-38 and (for
/// Metropolis, as max(NaN, 0) is 0) 1.
#[inline(always)]
pub(crate) fn flip_probability<const GIBBS: bool>(x: f32) -> f32 {
    let p = if GIBBS { 1.0 / (1.0 + exp_f32(x)) } else { exp_f32(-x.max(0.0)) };
    if x < f32::INFINITY {
        p
    } else {
        0.0
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

    /// `num_sweeps` sweeps of n updates each at inverse temperature `beta`, every update at a
    /// spin drawn uniformly (with replacement) from `picks`: dwave-samplers' `randomize_order`,
    /// ergodic and in detailed balance at every β, unlike a fixed order. Returns the number of
    /// flips.
    pub fn sweep_random(
        &mut self,
        engine: &Engine,
        beta: f64,
        method: Method,
        num_sweeps: usize,
        picks: &mut Stream,
    ) -> u64 {
        let n = engine.n();
        let mut flips = 0;
        for _ in 0..num_sweeps {
            for _ in 0..n {
                let i = picks.below(n as u64) as usize;
                let x = (2.0 * beta * self.s[i] as f64 * self.fields[i]) as f32;
                let p = match method {
                    Method::Gibbs => flip_probability::<true>(x),
                    Method::Metropolis => flip_probability::<false>(x),
                };
                if self.rng.uniform() < p {
                    match &engine.layout {
                        Layout::Sparse { csr, .. } => flip_sparse(self, csr, i),
                        Layout::Dense(d) => flip_dense(self, d, i),
                    }
                    flips += 1;
                }
            }
        }
        flips
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
    let table = |gibbs: bool| sparse_table(e, gibbs, beta);
    let mut flips = 0;
    match (&e.layout, m) {
        (Layout::Sparse { csr, classes }, Method::Gibbs) => {
            let t = table(true);
            for _ in 0..num_sweeps {
                flips += sweep_sparse::<_, true, AVX2>(&mut ChainOn { c, csr }, classes, beta, t.as_ref());
            }
        }
        (Layout::Sparse { csr, classes }, Method::Metropolis) => {
            let t = table(false);
            for _ in 0..num_sweeps {
                flips += sweep_sparse::<_, false, AVX2>(&mut ChainOn { c, csr }, classes, beta, t.as_ref());
            }
        }
        (Layout::Dense(d), _) => {
            for _ in 0..num_sweeps {
                flips += match (d, m) {
                    (Dense::F64(j), Method::Gibbs) => chain_dense::<f64, true>(c, j, 2.0, beta),
                    (Dense::F64(j), Method::Metropolis) => chain_dense::<f64, false>(c, j, 2.0, beta),
                    (Dense::F32(j), Method::Gibbs) => chain_dense::<f32, true>(c, j, 2.0, beta),
                    (Dense::F32(j), Method::Metropolis) => chain_dense::<f32, false>(c, j, 2.0, beta),
                    (Dense::I8 { w, scale }, Method::Gibbs) => chain_dense::<i8, true>(c, w, 1.0 / scale, beta),
                    (Dense::I8 { w, scale }, Method::Metropolis) => chain_dense::<i8, false>(c, w, 1.0 / scale, beta),
                };
            }
        }
    }
    flips
}

/// The per-β flip-probability table of a model whose scaled fields are small integers (none
/// for other models): sparse sweeps then look flip probabilities up instead of an exp.
pub(crate) fn sparse_table(e: &Engine, gibbs: bool, beta: f64) -> Option<Table<f64>> {
    let (scale, radius) = e.exact_field_scale()?;
    (radius <= TABLE_RADIUS).then(|| {
        if gibbs {
            Table::new::<true>(scale, 2.0 * beta)
        } else {
            Table::new::<false>(scale, 2.0 * beta)
        }
    })
}

/// A dense sweep over spins `s` with local fields stored as `F` (`value` gives a field's value)
/// and couplings `j` stored as `W`: a flip of spin k from `old` adds row k · (−old·unit) to the
/// fields. Sequential in spin order, but decided [`LANES`] spins at a time: all lanes are tested
/// against the current fields, the first flip is applied to the block's own fields, and the
/// lanes after it are tested again with the same uniforms; the block's flips reach the other
/// fields in one pass at its end, in flip order. That is exactly the one-spin-at-a-time chain,
/// bit for bit (spin i always meets uniform i, and every field sees the same additions in the
/// same order), while a block costs one vector of thresholds ([`flip_thresholds`]), one
/// comparison per flip, and one pass over the fields for up to four flips.
/// `on_flip(old spin, its field)` runs before each flip.
#[allow(clippy::needless_range_loop, clippy::too_many_arguments)]
#[inline(always)]
fn sweep_dense<F: DenseField, W: Copy + Into<F>, const GIBBS: bool>(
    s: &mut [i8],
    fields: &mut [F],
    rng: &mut LaneUniforms,
    beta: f64,
    j: &[W],
    unit: F,
    value: impl Fn(F) -> f64,
    mut on_flip: impl FnMut(i8, f64),
) -> u64 {
    let n = s.len();
    assert!(fields.len() == n && j.len() == n * n);
    let mut flips = 0;
    let mut i = 0;
    while i < n {
        let width = (n - i).min(LANES);
        let t = flip_thresholds::<GIBBS>(&rng.next_lanes());
        let mut local = [fields[i]; LANES];
        local[..width].copy_from_slice(&fields[i..i + width]);
        let mut done: [(usize, F); LANES] = [(0, unit); LANES];
        let mut count = 0;
        let mut next = 0; // lanes before `next` are decided
        while next < width {
            // only the undecided lanes: they are few at high acceptance
            let test = |l: usize| ((2.0 * beta * s[i + l] as f64 * value(local[l])) as f32) < t[l];
            let Some(l) = (next..width).find(|&l| test(l)) else { break };
            let k = i + l;
            let old = s[k];
            on_flip(old, value(local[l]));
            s[k] = -old;
            let d = F::from(-old) * unit;
            let row = &j[k * n + i..k * n + i + width];
            match <&[W; LANES]>::try_from(row) {
                Ok(row) => (0..LANES).for_each(|x| local[x] += row[x].into() * d),
                Err(_) => local.iter_mut().zip(row).for_each(|(f, &w)| *f += w.into() * d),
            }
            done[count] = (k, d);
            count += 1;
            next = l + 1;
        }
        add_rows(fields, j, &done[..count]);
        flips += count as u64;
        i += width;
    }
    flips
}

/// Field types of dense sweeps: f64, f32 (exact fields) and i16 (scaled integer fields).
trait DenseField: Copy + From<i8> + std::ops::AddAssign + std::ops::Mul<Output = Self> {}
impl DenseField for f64 {}
impl DenseField for f32 {}
impl DenseField for i16 {}

/// `fields += Σ row_k · d_k` over `flips` = [(k, d_k)], added in order, four rows per pass.
#[inline(always)]
fn add_rows<F: DenseField, W: Copy + Into<F>>(fields: &mut [F], j: &[W], flips: &[(usize, F)]) {
    let n = fields.len();
    let row = |k: usize| &j[k * n..(k + 1) * n];
    let mut rest = flips;
    while rest.len() >= 4 {
        add_k_rows(fields, std::array::from_fn::<_, 4, _>(|r| (row(rest[r].0), rest[r].1)));
        rest = &rest[4..];
    }
    match rest {
        [a, b, c] => add_k_rows(fields, [(row(a.0), a.1), (row(b.0), b.1), (row(c.0), c.1)]),
        [a, b] => add_k_rows(fields, [(row(a.0), a.1), (row(b.0), b.1)]),
        [a] => add_k_rows(fields, [(row(a.0), a.1)]),
        _ => {}
    }
}

/// One vectorised pass adding K rows (each times its factor) to the fields.
#[allow(clippy::needless_range_loop)]
#[inline(always)]
fn add_k_rows<F: DenseField, W: Copy + Into<F>, const K: usize>(fields: &mut [F], rows: [(&[W], F); K]) {
    let n = fields.len();
    let w: [&[W]; K] = rows.map(|(r, _)| &r[..n]);
    let d: [F; K] = rows.map(|(_, d)| d);
    for x in 0..n {
        let mut acc = fields[x];
        for r in 0..K {
            acc += w[r][x].into() * d[r];
        }
        fields[x] = acc;
    }
}

/// Fields of a [`FastDenseChain`], in the narrowest exact type for the engine's layout.
#[derive(Debug, Clone)]
enum FastFields {
    /// f32 couplings ([`Dense::F32`]) with exact f32 fields.
    F32(Vec<f32>),
    /// Scaled integer fields for [`Dense::I8`] couplings, with 1/scale.
    I16(Vec<i16>, f64),
}

/// A chain of a dense model whose local fields are exact in f32 ([`Engine::f32_fields_exact`]):
/// the same trajectory as [`Chain`], bit for bit, with narrower fields and coupling rows (f32,
/// or i16 fields and i8 rows), so a flip moves a half or a quarter of the bytes. Used for
/// annealing, which needs no running energy.
#[derive(Debug, Clone)]
pub struct FastDenseChain {
    pub s: Vec<i8>,
    fields: FastFields,
    rng: LaneUniforms,
}

impl FastDenseChain {
    /// Same draws from `stream` as [`Chain::new`]. Panics unless the engine is dense with exact
    /// f32 fields and f32 or i8 couplings.
    pub fn new(engine: &Engine, s: Vec<i8>, stream: &mut Stream) -> Self {
        assert!(engine.f32_fields_exact());
        let mut f = vec![0.0; engine.n()];
        engine.fields(&s, &mut f);
        let fields = match &engine.layout {
            Layout::Dense(Dense::F32(_)) => FastFields::F32(f.iter().map(|&x| x as f32).collect()),
            Layout::Dense(Dense::I8 { scale, .. }) => {
                FastFields::I16(f.iter().map(|&x| (x * scale) as i16).collect(), 1.0 / scale)
            }
            _ => panic!("FastDenseChain needs f32 or i8 dense couplings"),
        };
        Self { s, fields, rng: LaneUniforms::new(stream) }
    }

    /// Whether the engine's layout has a fast dense chain.
    pub fn supports(engine: &Engine) -> bool {
        engine.f32_fields_exact() && matches!(engine.layout, Layout::Dense(Dense::F32(_) | Dense::I8 { .. }))
    }

    pub fn sweep(&mut self, engine: &Engine, beta: f64, method: Method, num_sweeps: usize) {
        #[cfg(target_arch = "x86_64")]
        if cpu_features::has_avx2() {
            // SAFETY: AVX2 support was just checked at run time.
            return unsafe { sweep_fast_dense_avx2(self, engine, beta, method, num_sweeps) };
        }
        sweep_fast_dense(self, engine, beta, method, num_sweeps)
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn sweep_fast_dense_avx2(c: &mut FastDenseChain, e: &Engine, beta: f64, m: Method, k: usize) {
    sweep_fast_dense(c, e, beta, m, k)
}

#[inline(always)]
fn sweep_fast_dense(c: &mut FastDenseChain, e: &Engine, beta: f64, m: Method, num_sweeps: usize) {
    let (s, rng) = (&mut c.s, &mut c.rng);
    for _ in 0..num_sweeps {
        match (&e.layout, &mut c.fields, m) {
            (Layout::Dense(Dense::F32(j)), FastFields::F32(f), Method::Gibbs) => {
                sweep_dense::<f32, f32, true>(s, f, rng, beta, j, 2.0, f64::from, |_, _| {})
            }
            (Layout::Dense(Dense::F32(j)), FastFields::F32(f), Method::Metropolis) => {
                sweep_dense::<f32, f32, false>(s, f, rng, beta, j, 2.0, f64::from, |_, _| {})
            }
            (Layout::Dense(Dense::I8 { w, .. }), FastFields::I16(f, inv), Method::Gibbs) => {
                let inv = *inv;
                sweep_dense::<i16, i8, true>(s, f, rng, beta, w, 1, |x| x as f64 * inv, |_, _| {})
            }
            (Layout::Dense(Dense::I8 { w, .. }), FastFields::I16(f, inv), Method::Metropolis) => {
                let inv = *inv;
                sweep_dense::<i16, i8, false>(s, f, rng, beta, w, 1, |x| x as f64 * inv, |_, _| {})
            }
            _ => unreachable!("the fields were made for this layout in FastDenseChain::new"),
        };
    }
}

/// A dense sweep of a [`Chain`], keeping its energy and magnetisation. A flip changes the f64
/// fields by row · (−old·unit): J·(−2·old), or w·(−old/scale) for the i8 form (w = 2·J·scale);
/// both products are exact, so every storage gives the same fields.
#[inline(always)]
fn chain_dense<W: Copy + Into<f64>, const GIBBS: bool>(c: &mut Chain, j: &[W], unit: f64, beta: f64) -> u64 {
    let (mut energy, mut magnetization) = (c.energy, c.magnetization);
    let flips = sweep_dense::<f64, W, GIBBS>(
        &mut c.s,
        &mut c.fields,
        &mut c.rng,
        beta,
        j,
        unit,
        |x| x,
        |old, f| {
            energy += 2.0 * old as f64 * f;
            magnetization -= 2 * old as i64;
        },
    );
    (c.energy, c.magnetization) = (energy, magnetization);
    flips
}

/// Flip spin `i` of a dense chain: its row of couplings times −2·old (−old/scale for the i8
/// form, whose rows hold 2·J·scale) goes to every field, as in [`chain_dense`].
fn flip_dense(c: &mut Chain, d: &Dense, i: usize) {
    let old = flip_spin(c, i);
    let fields = c.fields.as_mut_slice();
    match d {
        Dense::F64(j) => add_rows(fields, j, &[(i, -2.0 * old as f64)]),
        Dense::F32(j) => add_rows(fields, j, &[(i, -2.0 * old as f64)]),
        Dense::I8 { w, scale } => add_rows(fields, w, &[(i, -old as f64 / scale)]),
    }
}

/// Flip spin `i`, keeping the chain's energy and magnetisation (its neighbours' fields are the
/// caller's); returns the spin's old value.
#[inline(always)]
fn flip_spin(c: &mut Chain, i: usize) -> i8 {
    let old = c.s[i];
    c.energy += 2.0 * old as f64 * c.fields[i];
    c.s[i] = -old;
    c.magnetization -= 2 * old as i64;
    old
}

/// Flip spin `i` and push the change of its coupling to its neighbours' fields.
#[inline(always)]
fn flip_sparse(c: &mut Chain, csr: &Csr, i: usize) {
    let old = flip_spin(c, i);
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

/// Flip decisions for a block of independent p-bits as a bit mask (bit l = lane l flips), to
/// visit only the flips.
#[allow(clippy::needless_range_loop)]
#[inline(always)]
fn decide_block<const GIBBS: bool, const AVX2: bool>(
    s: &[i8; LANES],
    f: &[f64; LANES],
    u: &[f32; LANES],
    beta: f64,
    table: Option<&Table<f64>>,
) -> u32 {
    let s: [f64; LANES] = std::array::from_fn(|l| s[l] as f64);
    let p = flip_probabilities::<f64, GIBBS, AVX2>(&s, f, 2.0 * beta, table);
    let mut mask = 0u32;
    for l in 0..LANES {
        mask |= u32::from(u[l] < p[l]) << l;
    }
    mask
}

/// What a colour-blocked sparse sweep needs from a chain: spins, fields (as f64 values) and
/// flips that push the change to the neighbours' fields. [`Chain`] keeps f64 fields and its
/// energy; [`FastSparseChain`] keeps scaled i16 fields for annealing.
pub(crate) trait SparseState {
    fn spins(&self) -> &[i8];
    /// The fields of p-bits `start..start + LANES`.
    fn block_fields(&self, start: usize) -> [f64; LANES];
    fn field(&self, i: usize) -> f64;
    fn flip(&mut self, i: usize);
    fn rng(&mut self) -> &mut LaneUniforms;
}

/// A [`Chain`] with the couplings it is swept over.
struct ChainOn<'a> {
    c: &'a mut Chain,
    csr: &'a Csr,
}

impl SparseState for ChainOn<'_> {
    fn spins(&self) -> &[i8] {
        &self.c.s
    }
    #[inline(always)]
    fn block_fields(&self, start: usize) -> [f64; LANES] {
        *block(&self.c.fields, start)
    }
    #[inline(always)]
    fn field(&self, i: usize) -> f64 {
        self.c.fields[i]
    }
    #[inline(always)]
    fn flip(&mut self, i: usize) {
        flip_sparse(self.c, self.csr, i)
    }
    #[inline(always)]
    fn rng(&mut self) -> &mut LaneUniforms {
        &mut self.c.rng
    }
}

// Lane loops index several arrays in step; indices are the clearest form.
#[allow(clippy::needless_range_loop)]
#[inline(always)]
pub(crate) fn sweep_sparse<S: SparseState, const GIBBS: bool, const AVX2: bool>(
    c: &mut S,
    classes: &[std::ops::Range<usize>],
    beta: f64,
    t: Option<&Table<f64>>,
) -> u64 {
    let mut flips = 0;
    for class in classes {
        let mut start = class.start;
        // Two blocks per step: same-coloured p-bits share no coupling, so both blocks are decided
        // before either's flips are applied, and the CPU overlaps the two acceptance tests.
        while start + 2 * LANES <= class.end {
            let (u, v) = (c.rng().next_lanes(), c.rng().next_lanes());
            let (fa, fb) = (c.block_fields(start), c.block_fields(start + LANES));
            let a = decide_block::<GIBBS, AVX2>(block(c.spins(), start), &fa, &u, beta, t);
            let b = decide_block::<GIBBS, AVX2>(block(c.spins(), start + LANES), &fb, &v, beta, t);
            flips += apply_flips(c, start, a) + apply_flips(c, start + LANES, b);
            start += 2 * LANES;
        }
        while start < class.end {
            let width = (class.end - start).min(LANES);
            let u = c.rng().next_lanes();
            let mut mask = 0u32;
            if width == LANES {
                mask = decide_block::<GIBBS, AVX2>(block(c.spins(), start), &c.block_fields(start), &u, beta, t);
            } else {
                for l in 0..width {
                    let x = (beta * 2.0 * c.spins()[start + l] as f64 * c.field(start + l)) as f32;
                    mask |= u32::from(u[l] < flip_probability::<GIBBS>(x)) << l;
                }
            }
            flips += apply_flips(c, start, mask);
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
fn apply_flips<S: SparseState>(c: &mut S, start: usize, mut mask: u32) -> u64 {
    let count = mask.count_ones() as u64;
    // Same-coloured p-bits share no coupling: their flips do not change each other's fields.
    while mask != 0 {
        let i = start + mask.trailing_zeros() as usize;
        mask &= mask - 1;
        c.flip(i);
    }
    count
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::core::engine::Dense;
    use crate::core::model::IsingModel;

    /// An l×l torus with ±1 couplings (one of them `big` if given) and fields in {-1, 0, 1}:
    /// scaled fields within the flip table unless `big` is large.
    pub(crate) fn glass(l: usize, big: Option<f64>) -> Engine {
        let (mut r, mut c, mut w) = (vec![], vec![], vec![]);
        let mut st = Stream::new(4, 0);
        for i in 0..l * l {
            let (y, x) = (i / l, i % l);
            r.extend([i as i64, i as i64]);
            c.extend([(y * l + (x + 1) % l) as i64, (((y + 1) % l) * l + x) as i64]);
            w.extend([if st.below(2) == 0 { 1.0 } else { -1.0 }, 1.0]);
        }
        if let Some(b) = big {
            w[0] = b;
        }
        let h: Vec<f64> = (0..l * l).map(|i| (i % 3) as f64 - 1.0).collect();
        Engine::new(&IsingModel::from_edges(l * l, &r, &c, &w, &h).unwrap())
    }

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
    fn ln_is_accurate_and_thresholds_give_the_flip_probabilities() {
        let mut x = 1e-8f32;
        while x < 4.0 {
            let err = (ln_f32(x) as f64 - (x as f64).ln()).abs();
            assert!(err < 2e-7 * (x as f64).ln().abs().max(1.0), "x={x} err={err}");
            x *= 1.0007;
        }
        assert_eq!(ln_f32(1.0), 0.0);
        // over the whole 2^-24 grid in steps, the fraction of uniforms whose threshold exceeds x
        // is the flip probability
        for x in [-0.5f32, 0.0, 0.3, 1.0, 2.5, 6.0] {
            let (mut m, mut g, mut total) = (0u64, 0u64, 0u64);
            for k in (0..1u32 << 24).step_by(61) {
                let u = [k as f32 / (1u32 << 24) as f32; LANES];
                m += u64::from(x < flip_thresholds::<false>(&u)[0]);
                g += u64::from(x < flip_thresholds::<true>(&u)[0]);
                total += 1;
            }
            let (pm, pg) = (m as f64 / total as f64, g as f64 / total as f64);
            let x = x as f64;
            assert!((pm - (-x).exp().min(1.0)).abs() < 1e-4, "metropolis x={x}: {pm}");
            assert!((pg - 1.0 / (1.0 + x.exp())).abs() < 1e-4, "gibbs x={x}: {pg}");
        }
    }

    #[test]
    fn table_and_direct_decisions_give_the_same_chain() {
        let engine = glass(12, None);
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
                    let Layout::Sparse { csr, classes } = &engine.layout else { unreachable!() };
                    let on = &mut ChainOn { c: &mut chain, csr };
                    for _ in 0..10 {
                        match (gibbs, avx2) {
                            (true, true) => sweep_sparse::<_, true, true>(on, classes, beta, t),
                            (true, false) => sweep_sparse::<_, true, false>(on, classes, beta, t),
                            (false, true) => sweep_sparse::<_, false, true>(on, classes, beta, t),
                            (false, false) => sweep_sparse::<_, false, false>(on, classes, beta, t),
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
    fn narrow_dense_chains_follow_the_f64_chain_exactly() {
        let n = 40;
        // ±0.25 couplings narrow to i8 rows and i16 fields; one coupling of 40 (2·J·scale = 320
        // is no i8) keeps them f32.
        for big in [None, Some(40.0)] {
            let mut st = Stream::new(8, 0);
            let mut j = vec![0.0; n * n];
            for a in 0..n {
                for b in a + 1..n {
                    let w = if st.next_u64() >> 63 == 0 { 0.25 } else { -0.25 };
                    j[a * n + b] = w;
                    j[b * n + a] = w;
                }
            }
            if let Some(w) = big {
                (j[1], j[n]) = (w, w);
            }
            let h: Vec<f64> = (0..n).map(|i| (i % 5) as f64 - 2.0).collect();
            let engine = Engine::new(&IsingModel::from_dense(n, &j, &h).unwrap());
            assert!(FastDenseChain::supports(&engine));
            let Layout::Dense(d) = &engine.layout else { unreachable!() };
            assert_eq!(matches!(d, Dense::I8 { .. }), big.is_none());
            // the same model with f64 couplings, for the reference chain
            let mut wide = engine.clone();
            wide.layout = Layout::Dense(Dense::F64(d.to_f64().into_owned()));
            assert_eq!(d.to_f64().as_ref(), j.as_slice());
            for method in [Method::Metropolis, Method::Gibbs] {
                let s0: Vec<i8> = (0..n).map(|_| st.spin()).collect();
                let mut a = Chain::new(&wide, s0.clone(), &mut Stream::new(3, 1));
                let mut b = Chain::new(&engine, s0.clone(), &mut Stream::new(3, 1));
                let mut c = FastDenseChain::new(&engine, s0, &mut Stream::new(3, 1));
                for beta in [0.05, 0.3, 1.0, 4.0] {
                    a.sweep(&wide, beta, method, 25);
                    b.sweep(&engine, beta, method, 25);
                    c.sweep(&engine, beta, method, 25);
                    assert_eq!(a.s, b.s);
                    assert_eq!(a.s, c.s);
                    assert_eq!(a.energy, b.energy);
                }
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
