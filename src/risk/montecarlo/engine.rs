//! The CPU scenario engine: scenarios are generated in blocks of [`LANES`] (structure of arrays,
//! so every step is a loop over scenarios that the compiler vectorises), priced into losses by a
//! [`Position`], and dropped; rayon runs chunks of [`CHUNK`] scenarios, each of which checks the
//! control first. Every scenario's numbers are drawn by counter ([`crate::philox`]), so neither
//! the chunking nor the thread count changes a bit.
//!
//! The arithmetic, operation by operation, is that of the CUDA kernel (`cuda/mc.cu`):
//!
//! 1. normals: pair `j` of scenario `i` is Box–Muller of the Philox block of counter
//!    `(i mod 2^32, i div 2^32, j, 0)`: `z[2j]`, `z[2j+1]`, for the `rank` normals;
//! 2. Student t only: `g = √(ν / W)` with `W = 2·Gamma(ν/2)` drawn by Marsaglia–Tsang, attempt `t`
//!    using the blocks of counter `(i lo, i hi, 2t, 1)` (a normal) and `(…, 2t + 1, 1)` (a uniform);
//!    `g = 1` for the normal;
//! 3. returns: `acc = 0; acc = fma(rows[a][k], z[k], acc)` for `k < len[a]`;
//!    `x[a] = mean_h[a] + g·acc`;
//! 4. the linear position: `s = 0; s = s + w[a]·x[a]` for `a = 0, 1, …`; `loss = −s`.

use super::{GammaConst, Model};
use crate::control::Control;
use crate::error::{try_vec, Result};
use crate::philox::{ln, normal_pair, philox4x32, uniform_open0};
use rayon::prelude::*;

/// Scenarios per vectorised block.
pub const LANES: usize = 32;
/// Scenarios per parallel work unit (and per Ctrl-C check: a few milliseconds).
pub const CHUNK: usize = 1 << 13;

/// What a scenario's asset returns are worth: the loss of each scenario of a block. The engine is
/// written against this trait so that non-linear positions (options priced on the scenario) can
/// plug in; the GPU kernel implements [`Linear`] only.
pub trait Position: Sync {
    fn num_assets(&self) -> usize;
    /// `x` holds the block's returns by asset (`x[a·LANES + s]`: asset `a`, scenario `s`); write
    /// the losses of its first `lanes` scenarios to `out`.
    fn losses(&self, x: &[f64], lanes: usize, out: &mut [f64]);
}

/// A linear position: loss = −w·x (weights as fractions of the portfolio's value, so the loss is a
/// fraction of it too).
#[derive(Debug, Clone, PartialEq)]
pub struct Linear {
    pub weights: Vec<f64>,
}

impl Linear {
    pub fn new(weights: &[f64], num_assets: usize) -> Result<Self> {
        crate::ensure!(
            weights.len() == num_assets,
            "weights must have one value per asset ({num_assets}), got {}",
            weights.len()
        );
        crate::error::check_finite(weights, "weights")?;
        Ok(Self { weights: weights.to_vec() })
    }
}

impl Position for Linear {
    fn num_assets(&self) -> usize {
        self.weights.len()
    }

    #[inline(always)]
    fn losses(&self, x: &[f64], lanes: usize, out: &mut [f64]) {
        let mut acc = [0.0f64; LANES];
        for (a, &w) in self.weights.iter().enumerate() {
            let xa: &[f64; LANES] = x[a * LANES..(a + 1) * LANES].try_into().expect("a block of LANES returns");
            for s in 0..LANES {
                acc[s] += w * xa[s];
            }
        }
        for (o, v) in out.iter_mut().zip(acc).take(lanes) {
            *o = -v;
        }
    }
}

/// √(ν / W), W = 2·Gamma(ν/2, 1) ~ χ²_ν, for scenario `i` (Marsaglia and Tsang, "A simple method
/// for generating gamma variables", 2000; shape ν/2 > 1). A proposal whose v = (1 + c x)³ is not
/// a normal double above 1e-300 is rejected (the exact test rejects it too: x ≤ −1/c ≤ −2.4).
#[inline(always)]
pub fn chi_factor(g: &GammaConst, key: [u32; 2], i: u64) -> f64 {
    let (lo, hi) = (i as u32, (i >> 32) as u32);
    let mut t: u32 = 0;
    loop {
        let (x, _) = normal_pair(philox4x32([lo, hi, 2 * t, 1], key));
        let b = philox4x32([lo, hi, 2 * t + 1, 1], key);
        t = t.wrapping_add(1);
        let v1 = 1.0 + g.c * x;
        if v1 <= 0.0 {
            continue;
        }
        let v = v1 * v1 * v1;
        if v < 1e-300 {
            continue;
        }
        let u = uniform_open0(b[0], b[1]);
        let x2 = x * x;
        if u < 1.0 - 0.0331 * (x2 * x2) || ln(u) < 0.5 * x2 + g.d * (1.0 - v + ln(v)) {
            let w = 2.0 * (g.d * v);
            return (g.nu / w).sqrt();
        }
    }
}

/// Scratch space of one block.
struct Block {
    z: Vec<f64>,
    x: Vec<f64>,
    g: [f64; LANES],
    loss: [f64; LANES],
}

impl Block {
    fn new(model: &Model) -> Self {
        // a few KiB per thread, bounded by the covariance the caller already holds
        Self {
            z: vec![0.0; model.rank.div_ceil(2) * 2 * LANES],
            x: vec![0.0; model.num_assets * LANES],
            g: [1.0; LANES],
            loss: [0.0; LANES],
        }
    }
}

/// The vector instructions the normals are drawn with (the same bits with any of them).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Isa {
    Scalar,
    #[cfg(target_arch = "x86_64")]
    Avx2,
    #[cfg(target_arch = "x86_64")]
    Avx512,
}

impl Isa {
    fn detect() -> Self {
        #[cfg(target_arch = "x86_64")]
        {
            use crate::backend::cpu_features::{has_avx2_fma, has_avx512f};
            if has_avx512f() {
                return Isa::Avx512;
            }
            if has_avx2_fma() {
                return Isa::Avx2;
            }
        }
        Isa::Scalar
    }
}

/// Steps 1–3 for scenarios `first..first + lanes` into `b.x` (lanes past `lanes` hold garbage).
#[inline(always)]
fn returns_generic(model: &Model, first: u64, lanes: usize, b: &mut Block, isa: Isa) {
    let key = model.key;
    for j in 0..model.rank.div_ceil(2) {
        let (z0, z1) = b.z[2 * j * LANES..(2 * j + 2) * LANES].split_at_mut(LANES);
        match isa {
            // SAFETY: `Isa::detect` checked the instruction set at run time.
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => unsafe { super::simd::normal_pairs_avx512(first, j as u32, key, z0, z1) },
            // SAFETY: as above.
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => unsafe { super::simd::normal_pairs_avx2(first, j as u32, key, z0, z1) },
            Isa::Scalar => {
                for s in 0..LANES {
                    let i = first + s as u64;
                    let (a, c) = normal_pair(philox4x32([i as u32, (i >> 32) as u32, j as u32, 0], key));
                    z0[s] = a;
                    z1[s] = c;
                }
            }
        }
    }
    match &model.gamma {
        None => b.g = [1.0; LANES],
        Some(g) => {
            for s in 0..lanes {
                b.g[s] = chi_factor(g, key, first + s as u64);
            }
        }
    }
    let r = model.rank;
    for a in 0..model.num_assets {
        // local accumulators, which the compiler keeps in registers across the row
        let mut acc = [0.0f64; LANES];
        let row = &model.rows[a * r..a * r + model.len[a] as usize];
        for (k, &f) in row.iter().enumerate() {
            let z: &[f64; LANES] = b.z[k * LANES..(k + 1) * LANES].try_into().expect("a block of LANES normals");
            for s in 0..LANES {
                acc[s] = f.mul_add(z[s], acc[s]);
            }
        }
        let m = model.mean_h[a];
        let x: &mut [f64; LANES] = (&mut b.x[a * LANES..(a + 1) * LANES]).try_into().expect("a block of LANES returns");
        for s in 0..LANES {
            x[s] = m + b.g[s] * acc[s];
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn returns_avx2(model: &Model, first: u64, lanes: usize, b: &mut Block) {
    returns_generic(model, first, lanes, b, Isa::Avx2)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn returns_avx512(model: &Model, first: u64, lanes: usize, b: &mut Block) {
    returns_generic(model, first, lanes, b, Isa::Avx512)
}

/// Steps 1–3, vectorised with the widest instructions the CPU has (the same bits whichever runs:
/// the fused multiply-adds are the written ones, with or without hardware FMA).
fn returns(model: &Model, first: u64, lanes: usize, b: &mut Block, isa: Isa) {
    match isa {
        // SAFETY: `Isa::detect` checked the instruction set at run time.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 => unsafe { returns_avx512(model, first, lanes, b) },
        // SAFETY: as above.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => unsafe { returns_avx2(model, first, lanes, b) },
        Isa::Scalar => returns_generic(model, first, lanes, b, Isa::Scalar),
    }
}

/// The losses of scenarios `0..num_scenarios`, and the scenario matrix (row-major, one row per
/// scenario) when `keep_scenarios`. Both are allocated fallibly; the control is checked before
/// every chunk and advanced by its scenarios.
pub fn simulate(
    model: &Model,
    position: &dyn Position,
    num_scenarios: usize,
    keep_scenarios: bool,
    control: &Control,
) -> Result<(Vec<f64>, Option<Vec<f64>>)> {
    simulate_range(model, position, 0, num_scenarios, keep_scenarios, control)
}

/// [`simulate`] of scenarios `first..first + num_scenarios` only: the same bits as those rows of
/// a run from 0 (scenario `i` draws from counter `i`), for a range simulated apart.
pub fn simulate_range(
    model: &Model,
    position: &dyn Position,
    first: u64,
    num_scenarios: usize,
    keep_scenarios: bool,
    control: &Control,
) -> Result<(Vec<f64>, Option<Vec<f64>>)> {
    let origin = first;
    crate::ensure!(origin.checked_add(num_scenarios as u64).is_some(), "scenarios {origin}.. run past 2^64 scenarios");
    let d = model.num_assets;
    crate::ensure!(position.num_assets() == d, "the position has {} assets, the model {d}", position.num_assets());
    let mut scenarios = match keep_scenarios {
        true => {
            let cells = num_scenarios.checked_mul(d).ok_or_else(|| {
                crate::error::too_big::<f64>(num_scenarios as u128 * d as u128, "the scenario matrix")
            })?;
            Some(try_vec(cells, 0.0, format!("the scenario matrix ({num_scenarios} x {d})").as_str())?)
        }
        false => None,
    };
    let mut losses = try_vec(num_scenarios, 0.0, format!("the loss vector of {num_scenarios} scenarios").as_str())?;
    let isa = Isa::detect();
    let run_chunk = |c: usize, out: &mut [f64], rows: Option<&mut [f64]>| -> Result<()> {
        control.check()?;
        let mut b = Block::new(model);
        let mut rows = rows;
        for (k, dst) in out.chunks_mut(LANES).enumerate() {
            let first = origin + (c * CHUNK + k * LANES) as u64;
            let lanes = dst.len();
            returns(model, first, lanes, &mut b, isa);
            position.losses(&b.x, lanes, &mut b.loss);
            dst.copy_from_slice(&b.loss[..lanes]);
            if let Some(rows) = rows.as_deref_mut() {
                let block = &mut rows[k * LANES * d..(k * LANES + lanes) * d];
                for (s, row) in block.chunks_mut(d).enumerate() {
                    for (a, v) in row.iter_mut().enumerate() {
                        *v = b.x[a * LANES + s];
                    }
                }
            }
        }
        if let Some(bad) = out.iter().position(|v| !v.is_finite()) {
            return Err(crate::invalid!(
                "scenario {} has a non-finite loss ({}): the returns overflow double precision; rescale mean, cov or \
                 weights",
                origin + (c * CHUNK + bad) as u64,
                out[bad]
            ));
        }
        control.advance(out.len() as u64);
        Ok(())
    };
    crate::parallel::install(|| match scenarios.as_deref_mut() {
        None => losses.par_chunks_mut(CHUNK).enumerate().try_for_each(|(c, out)| run_chunk(c, out, None)),
        Some(m) => losses
            .par_chunks_mut(CHUNK)
            .zip(m.par_chunks_mut(CHUNK * d.max(1)))
            .enumerate()
            .try_for_each(|(c, (out, rows))| run_chunk(c, out, Some(rows))),
    })??;
    Ok((losses, scenarios))
}
