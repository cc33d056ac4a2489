//! The power-law fit: x_min by minimum KS distance over every candidate (in parallel, with exact
//! pruning), alpha by maximum likelihood (closed form for continuous data, the exact
//! Hurwitz-zeta likelihood for discrete data), its standard error and the KS distance D.

use super::sample::Sample;
use super::zeta::{hurwitz_zeta, hurwitz_zeta_ds};
use crate::control::Control;
use crate::ensure;
use crate::error::{try_with_capacity, Error, Result};
use crate::optim::brent_root;
use rayon::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};

/// How the data are fitted.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Options {
    pub discrete: bool,
    /// A fixed x_min; `None` chooses it by minimum KS distance.
    pub xmin: Option<f64>,
    /// Values above `xmax` are dropped and the distributions are truncated there (a fitted
    /// discrete `PowerLaw` holds its integer part).
    pub xmax: Option<f64>,
}

/// A fitted power law.
#[derive(Debug, Clone)]
pub struct PowerLaw {
    /// Every value (after the x_max cut), sorted.
    pub sample: Sample,
    pub options: Options,
    pub xmin: f64,
    pub alpha: f64,
    /// Standard error of alpha: (alpha − 1) / √n.
    pub sigma: f64,
    /// The KS distance between the tail and the fitted power law (powerlaw's definition).
    pub d: f64,
    /// Index of the first tail value in `sample.x`.
    pub tail_start: usize,
    /// Values dropped by the x_max cut.
    pub n_above_max: usize,
    /// No candidate x_min gave a valid fit (alpha ≥ 3 everywhere): x_min then minimises D over all.
    pub noise_flag: bool,
}

impl PowerLaw {
    pub fn tail(&self) -> &[f64] {
        &self.sample.x[self.tail_start..]
    }

    /// Number of tail values within [xmin, xmax].
    pub fn n(&self) -> usize {
        self.sample.len() - self.tail_start
    }

    /// ln p(x) of the fitted power law at each tail value.
    pub fn loglikelihoods(&self) -> Vec<f64> {
        let a = self.alpha;
        let tail = &self.sample.ln_x[self.tail_start..];
        let ln_c = if self.options.discrete {
            -normaliser(a, self.xmin, self.options.xmax).ln()
        } else {
            match self.options.xmax {
                Some(xmax) => ((1.0 - a) / (xmax.powf(1.0 - a) - self.xmin.powf(1.0 - a))).ln(),
                None => (a - 1.0).ln() + (a - 1.0) * self.xmin.ln(),
            }
        };
        tail.iter().map(|l| ln_c - a * l).collect()
    }
}

/// Σ_{k=xmin}^{xmax} k^(−α) (the discrete normaliser; to infinity without xmax).
fn normaliser(alpha: f64, xmin: f64, xmax: Option<f64>) -> f64 {
    let z = hurwitz_zeta(alpha, xmin);
    match xmax {
        Some(t) => z - hurwitz_zeta(alpha, t + 1.0),
        None => z,
    }
}

/// Largest alpha the discrete search considers.
const ALPHA_CAP: f64 = 64.0;

/// The exact discrete maximum-likelihood alpha: the root of E_α[ln X] = `mean_ln` for the
/// discrete power law on the integers from `xmin` (to `xmax`), found by Brent's method on the
/// Hurwitz-zeta score. Clamped to (1, 64].
pub fn discrete_alpha(mean_ln: f64, xmin: f64, xmax: Option<f64>) -> f64 {
    let score = |a: f64| {
        let (z, dz) = hurwitz_zeta_ds(a, xmin);
        let (z, dz) = match xmax {
            Some(t) => {
                let (zt, dzt) = hurwitz_zeta_ds(a, t + 1.0);
                (z - zt, dz - dzt)
            }
            None => (z, dz),
        };
        -dz / z - mean_ln
    };
    let lo = 1.0 + 1e-9;
    let at_lo = score(lo);
    if at_lo.is_nan() || at_lo <= 0.0 {
        return lo;
    }
    let mut hi = 2.0;
    let mut at_hi = score(hi);
    while at_hi > 0.0 {
        if hi >= ALPHA_CAP {
            return ALPHA_CAP;
        }
        hi = (hi * 2.0).min(ALPHA_CAP);
        at_hi = score(hi);
    }
    // The score is a plain function: the root finder's error path is never taken.
    brent_root(&mut |a| Ok(score(a)), lo, hi, at_lo, at_hi, 1e-13).unwrap_or(hi)
}

/// The fitted CDF of the tail from a candidate x_min, as powerlaw evaluates it.
#[derive(Debug, Clone, Copy)]
enum Model {
    /// 1 − (x/xmin)^(−β), divided by its value at xmax when truncated.
    Continuous { beta: f64, ln_xmin: f64, norm: f64 },
    /// (ζ(α, xmin) − ζ(α, x)) / (ζ(α, xmin) − ζ(α, xmax)) (or / ζ(α, xmin)).
    Discrete { alpha: f64, z_min: f64, norm: f64 },
}

impl Model {
    #[inline]
    fn cdf(&self, x: f64, ln_x: f64) -> f64 {
        match *self {
            Model::Continuous { beta, ln_xmin, norm } => -(-beta * (ln_x - ln_xmin)).exp_m1() / norm,
            Model::Discrete { alpha, z_min, norm } => (z_min - hurwitz_zeta(alpha, x)) / norm,
        }
    }
}

/// A candidate's alpha, whether powerlaw counts its fit as valid, and its CDF.
fn candidate(sample: &Sample, k: usize, xmin: f64, opts: &Options) -> (f64, bool, Model) {
    let m = (sample.len() - k) as f64;
    let ln_xmin = xmin.ln();
    let log_sum = sample.tail_log_sum(k, ln_xmin);
    if opts.discrete {
        let alpha = discrete_alpha(log_sum / m + ln_xmin, xmin, opts.xmax);
        // powerlaw: the closed-form estimate (x_min ≥ 10, no x_max) is valid below 3; its numerical
        // fit is flagged within 0.01 of its range [0, 3].
        let limit = if xmin >= 10.0 && opts.xmax.is_none() { 3.0 } else { 2.99 };
        let valid = alpha > 1.01 && alpha < limit;
        let z_min = hurwitz_zeta(alpha, xmin);
        let norm = match opts.xmax {
            Some(t) => z_min - hurwitz_zeta(alpha, t),
            None => z_min,
        };
        (alpha, valid, Model::Discrete { alpha, z_min, norm })
    } else {
        let alpha = 1.0 + m / log_sum;
        let beta = alpha - 1.0;
        let norm = match opts.xmax {
            Some(t) => -(-beta * (t.ln() - ln_xmin)).exp_m1(),
            None => 1.0,
        };
        (alpha, alpha.is_finite() && alpha < 3.0, Model::Continuous { beta, ln_xmin, norm })
    }
}

/// D of the tail from index k by branch and bound, or `None` as soon as it is known to exceed
/// `bound`. Between two evaluated distinct values a < b the empirical CDF lies in [e_a, e_b] and
/// the (non-decreasing) fitted CDF in [F_a, F_b], so |F − e| ≤ max(F_b − e_a, e_b − F_a) there:
/// a gap whose bound cannot beat the largest value found so far is never evaluated. The result is
/// the same number a pass over every distinct value gives (the largest evaluated |F − e|, at the
/// same point), found with a few hundred evaluations instead of one per distinct value.
fn distance(sample: &Sample, model: &Model, k: usize, bound: f64) -> Option<f64> {
    let m = (sample.len() - k) as f64;
    let from = sample.uniq_from(k);
    let uniq = &sample.uniq[from..];
    let count = uniq.len();
    // Slack for rounding in the fitted CDF's monotonicity.
    let slack = match model {
        Model::Continuous { .. } => 1e-15,
        Model::Discrete { .. } => 1e-12,
    };
    let point = |p: usize| -> (f64, f64) {
        let u = uniq[p];
        (model.cdf(sample.x[u], sample.ln_x[u]), (u - k) as f64 / m)
    };
    let mut d: f64 = 0.0;
    if count <= 128 {
        for p in 0..count {
            let (f, e) = point(p);
            d = d.max((f - e).abs());
        }
        return (d <= bound).then_some(d);
    }
    const GRID: usize = 64;
    let mut stack: Vec<(usize, f64, f64, usize, f64, f64)> = Vec::with_capacity(128);
    let mut prev: Option<(usize, f64, f64)> = None;
    for g in 0..=GRID {
        let p = (count - 1) * g / GRID;
        let (f, e) = point(p);
        d = d.max((f - e).abs());
        if let Some((pa, fa, ea)) = prev {
            if p > pa + 1 {
                stack.push((pa, fa, ea, p, f, e));
            }
        }
        prev = Some((p, f, e));
    }
    if d > bound {
        return None;
    }
    while let Some((pa, fa, ea, pb, fb, eb)) = stack.pop() {
        let ub = (fb - ea).max(eb - fa) + slack;
        if ub <= d {
            continue;
        }
        if pb - pa <= 8 {
            for p in pa + 1..pb {
                let (f, e) = point(p);
                d = d.max((f - e).abs());
            }
            if d > bound {
                return None;
            }
            continue;
        }
        let mid = (pa + pb) / 2;
        let (f, e) = point(mid);
        d = d.max((f - e).abs());
        if d > bound {
            return None;
        }
        stack.push((pa, fa, ea, mid, f, e));
        stack.push((mid, f, e, pb, fb, eb));
    }
    Some(d)
}

fn fetch_min(best: &AtomicU64, d: f64) {
    best.fetch_min(d.to_bits(), Ordering::Relaxed);
}

fn load(best: &AtomicU64) -> f64 {
    f64::from_bits(best.load(Ordering::Relaxed))
}

/// The candidate index of minimum D (ties: the smallest x_min), over valid fits only or all.
fn scan(
    sample: &Sample,
    cands: &[usize],
    opts: &Options,
    valid_only: bool,
    control: &Control,
) -> Result<Option<usize>> {
    let best = AtomicU64::new(f64::INFINITY.to_bits());
    let eval = |k: usize, prune: bool| -> Option<(f64, usize)> {
        let (_, valid, model) = candidate(sample, k, sample.x[k], opts);
        if valid_only && !valid {
            return None;
        }
        let bound = if prune { load(&best) } else { f64::INFINITY };
        let d = distance(sample, &model, k, bound)?;
        if d.is_nan() {
            return None;
        }
        fetch_min(&best, d);
        Some((d, k))
    };
    let better = |a: Option<(f64, usize)>, b: Option<(f64, usize)>| match (a, b) {
        (Some(x), Some(y)) => Some(if (y.0, y.1) < (x.0, x.1) { y } else { x }),
        (x, None) => x,
        (None, y) => y,
    };
    // Seed the bound with a spread of candidates evaluated in full.
    let stride = (cands.len() / 64).max(1);
    let seeded: Vec<Option<(f64, usize)>> = cands.par_iter().step_by(stride).map(|&k| eval(k, false)).collect();
    control.check()?;
    let mut found = seeded.into_iter().fold(None, better);
    let rest = cands
        .par_chunks(64)
        .map(|chunk| -> Result<Option<(f64, usize)>> {
            control.check()?;
            Ok(chunk.iter().map(|&k| eval(k, true)).fold(None, better))
        })
        .try_reduce(|| None, |a, b| Ok(better(a, b)))?;
    found = better(found, rest);
    Ok(found.map(|(_, k)| k))
}

/// Validate and prepare the data: finite, positive, rounded when discrete, cut at xmax.
fn prepare(data: &[f64], opts: &Options) -> Result<(Vec<f64>, usize)> {
    ensure!(!data.is_empty(), "data must not be empty");
    for (i, &v) in data.iter().enumerate() {
        ensure!(v.is_finite(), "data must be finite: data[{i}] is {v}");
        ensure!(v > 0.0, "data must be positive (a power law lives on x > 0): data[{i}] is {v}");
    }
    if let Some(t) = opts.xmax {
        ensure!(t.is_finite() && t > 0.0, "xmax must be a positive finite number, got {t}");
    }
    if let Some(t) = opts.xmin {
        ensure!(t.is_finite() && t > 0.0, "xmin must be a positive finite number, got {t}");
    }
    if let (Some(lo), Some(hi)) = (opts.xmin, opts.xmax) {
        ensure!(lo < hi, "xmin ({lo}) must be below xmax ({hi})");
    }
    let mut kept = try_with_capacity(data.len(), "the data")?;
    let mut above = 0usize;
    for &v in data {
        let v = if opts.discrete { v.round_ties_even() } else { v };
        if opts.discrete && v < 1.0 {
            return Err(Error::InvalidInput(format!("discrete data must be positive integers; {v} rounds below 1")));
        }
        match opts.xmax {
            Some(t) if v > t => above += 1,
            _ => kept.push(v),
        }
    }
    ensure!(kept.len() >= 2, "too few points to fit: {} at or below xmax", kept.len());
    Ok((kept, above))
}

/// Fit a power law to `data` (positive, finite) as `powerlaw.Fit(data, discrete, xmin, xmax)`.
pub fn fit(data: &[f64], opts: Options, control: &Control) -> Result<PowerLaw> {
    let (kept, n_above_max) = prepare(data, &opts)?;
    let sample = Sample::new(kept)?;
    // A discrete tail ends at the integer part of xmax: every sum over the support (ζ(α, xmax + 1)
    // and the alternatives') takes it from here. powerlaw uses a fractional xmax as given, which
    // shifts its Hurwitz-zeta sums off the integers.
    let opts = Options { xmax: opts.xmax.map(|t| if opts.discrete { t.floor() } else { t }), ..opts };
    if let (Some(lo), Some(hi)) = (opts.xmin, opts.xmax) {
        ensure!(lo < hi, "xmin ({lo}) must be below the integer part of xmax ({hi}) on a discrete fit");
    }
    fit_sample(sample, opts, n_above_max, control)
}

pub(super) fn fit_sample(sample: Sample, opts: Options, n_above_max: usize, control: &Control) -> Result<PowerLaw> {
    let n = sample.len();
    let (k, xmin, noise_flag) = match opts.xmin {
        Some(xmin) => {
            let max = sample.x[n - 1];
            ensure!(xmin <= max, "xmin ({xmin}) is larger than the largest value ({max})");
            let k = sample.lower_bound(xmin);
            ensure!(n - k >= 2, "too few points at or above xmin = {xmin}: {} (at least 2 are needed)", n - k);
            (k, xmin, false)
        }
        None => {
            let u = sample.uniq.len();
            ensure!(
                u >= 4,
                "too few distinct values to choose xmin: {u} (at least 4 are needed, as powerlaw needs 2 candidates)"
            );
            let cands = &sample.uniq[..u - 2];
            let (k, noise) = match scan(&sample, cands, &opts, true, control)? {
                Some(k) => (k, false),
                None => match scan(&sample, cands, &opts, false, control)? {
                    Some(k) => (k, true),
                    None => return Err(Error::InvalidInput("no candidate xmin gave a finite KS distance".into())),
                },
            };
            (k, sample.x[k], noise)
        }
    };
    let m = n - k;
    ensure!(
        sample.x[n - 1] > sample.x[k] || opts.discrete,
        "every value at or above xmin equals xmin: alpha is unbounded"
    );
    // alpha again from a compensated direct sum, then D in full.
    let ln_xmin = xmin.ln();
    let (mut s, mut c) = (0.0f64, 0.0f64);
    for &l in &sample.ln_x[k..] {
        let v = l - ln_xmin;
        let t = s + v;
        c += if s.abs() >= v.abs() { (s - t) + v } else { (v - t) + s };
        s = t;
    }
    let log_sum = s + c;
    let (alpha, _, _) = candidate(&sample, k, xmin, &opts);
    let alpha = if opts.discrete { alpha } else { 1.0 + m as f64 / log_sum };
    let model = if opts.discrete {
        candidate(&sample, k, xmin, &opts).2
    } else {
        let beta = alpha - 1.0;
        let norm = match opts.xmax {
            Some(t) => -(-beta * (t.ln() - ln_xmin)).exp_m1(),
            None => 1.0,
        };
        Model::Continuous { beta, ln_xmin, norm }
    };
    let d = distance(&sample, &model, k, f64::INFINITY).unwrap_or(f64::NAN);
    let sigma = (alpha - 1.0) / (m as f64).sqrt();
    Ok(PowerLaw { sample, options: opts, xmin, alpha, sigma, d, tail_start: k, n_above_max, noise_flag })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Stream;

    fn pareto(n: usize, alpha: f64, xmin: f64, seed: u64) -> Vec<f64> {
        let mut s = Stream::new(seed, 0);
        (0..n).map(|_| xmin * (1.0 - s.next_f64()).powf(-1.0 / (alpha - 1.0))).collect()
    }

    /// The unpruned scan: every candidate's D in full.
    fn brute(sample: &Sample, opts: &Options) -> usize {
        let cands = &sample.uniq[..sample.uniq.len() - 2];
        let mut best = (f64::INFINITY, 0);
        for &k in cands {
            let (_, valid, model) = candidate(sample, k, sample.x[k], opts);
            if !valid {
                continue;
            }
            let m = (sample.len() - k) as f64;
            let d = sample.uniq[sample.uniq_from(k)..]
                .iter()
                .map(|&u| (model.cdf(sample.x[u], sample.ln_x[u]) - (u - k) as f64 / m).abs())
                .fold(0.0, f64::max);
            // The branch and bound gives the same number.
            assert_eq!(distance(sample, &model, k, f64::INFINITY), Some(d));
            if d < best.0 {
                best = (d, k);
            }
        }
        best.1
    }

    #[test]
    fn pruned_scan_equals_brute_force() {
        for seed in 0..5 {
            let mut data = pareto(3000, 2.5, 1.0, seed);
            // A non-power-law body below 3.
            let mut s = Stream::new(seed, 9);
            for v in data.iter_mut().take(1500) {
                *v = 0.5 + 2.5 * s.next_f64();
            }
            let opts = Options::default();
            let f = fit(&data, opts, &Control::new()).unwrap();
            let sample = Sample::new({
                let mut d = data.clone();
                d.sort_by(f64::total_cmp);
                d
            })
            .unwrap();
            assert_eq!(f.tail_start, brute(&sample, &opts), "seed {seed}");
        }
    }

    #[test]
    fn discrete_alpha_maximises_the_likelihood() {
        let xs: Vec<f64> = pareto(2000, 2.3, 1.0, 3).iter().map(|v| v.floor()).collect();
        let xmin = 1.0;
        let mean_ln = xs.iter().map(|v| v.ln()).sum::<f64>() / xs.len() as f64;
        let a = discrete_alpha(mean_ln, xmin, None);
        let ll = |a: f64| -a * mean_ln - hurwitz_zeta(a, xmin).ln();
        assert!(ll(a) >= ll(a + 1e-5) && ll(a) >= ll(a - 1e-5));
    }
}
