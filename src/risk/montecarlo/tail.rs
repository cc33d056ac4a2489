//! The loss distribution's tail from a sample of losses L₁…Lₙ (positive = money lost).
//!
//! - **VaR** at level α is the sample quantile at p = 1 − α by linear interpolation, exactly as
//!   `np.quantile(losses, 1 - alpha)` computes it (virtual index (n − 1)p, numpy's `_lerp`), found
//!   by selection (`select_nth_unstable`), not by sorting, among the losses above a bound that a
//!   strided sample places below every order statistic needed (one parallel pass copies them; a
//!   bound that turns out too high is replaced by −∞, so the values are exact either way).
//! - **CVaR** is the mean of the losses ≥ VaR.
//! - **VaR standard error**: the asymptotic one of a sample quantile, √(α(1 − α)/n) / f̂(VaR), with
//!   the density f̂ at VaR by the Siddiqui–Bloch–Gastwirth difference quotient
//!   f̂ = (p₊ − p₋) / (Q(p₊) − Q(p₋)), p± = p ± hₙ clipped to [0, 1], and hₙ the Hall–Sheather
//!   bandwidth hₙ = n^(−1/3) z₀.₉₇₅^(2/3) (1.5 φ(z_p)² / (2z_p² + 1))^(1/3) (as statsmodels'
//!   `QuantReg` uses it). A degenerate sample (Q(p₊) = Q(p₋)) has standard error 0.
//! - **CVaR standard error**: the asymptotic one of the Rockafellar–Uryasev estimator
//!   VaR + mean(max(L − VaR, 0))/α, whose variance is Var(max(L − VaR, 0)) / (n α²):
//!   √(s²/n)/α with s² the sample variance (n − 1) of the excesses max(Lᵢ − VaR, 0).
//!
//! Every sum is taken over fixed chunks of that copy added in order, so the results do not depend
//! on the thread count.

use crate::error::{try_with_capacity, Result};
use crate::risk::stats::{lerp, quantile_index};
use crate::special::{norm_pdf, norm_ppf};
use rayon::prelude::*;

/// The tail statistics of a loss sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tail {
    pub var: f64,
    pub cvar: f64,
    pub var_stderr: f64,
    pub cvar_stderr: f64,
    /// The number of losses ≥ VaR (the CVaR's sample).
    pub tail_count: usize,
    /// f̂(VaR), the density estimate of the VaR standard error (inf for a degenerate sample).
    pub density: f64,
}

/// `Err(InvalidInput)` unless 0 < alpha < 1.
pub fn check_alpha(alpha: f64) -> Result<()> {
    crate::ensure!(alpha > 0.0 && alpha < 1.0, "alpha must be in (0, 1) (e.g. 0.05 for 95% VaR), got {alpha}");
    Ok(())
}

/// Order statistics of `v` (which is reordered) at the strictly ascending indices `ks`, each
/// found by selection within the part the previous selection left above it.
fn order_stats(v: &mut [f64], ks: &[usize]) -> Vec<f64> {
    let mut base = 0;
    ks.iter()
        .map(|&k| {
            let x = *v[base..].select_nth_unstable_by(k - base, f64::total_cmp).1;
            base = k + 1;
            x
        })
        .collect()
}

/// Chunk of the ordered sums.
const SUM_CHUNK: usize = 1 << 15;

/// Σ f(x) over `v` in fixed chunks (Neumaier-compensated within each, chunks added in order).
fn chunked_sum(v: &[f64], f: impl Fn(f64) -> Option<f64> + Sync) -> (f64, usize) {
    let parts: Vec<(f64, f64, usize)> = v
        .par_chunks(SUM_CHUNK)
        .map(|c| {
            let (mut s, mut comp, mut count) = (0.0f64, 0.0f64, 0usize);
            for &x in c {
                if let Some(y) = f(x) {
                    let t = s + y;
                    comp += if s.abs() >= y.abs() { (s - t) + y } else { (y - t) + s };
                    s = t;
                    count += 1;
                }
            }
            (s, comp, count)
        })
        .collect();
    let (mut s, mut comp, mut count) = (0.0f64, 0.0f64, 0usize);
    for (ps, pc, pn) in parts {
        let t = s + ps;
        comp += if s.abs() >= ps.abs() { (s - t) + ps } else { (ps - t) + s };
        s = t;
        comp += pc;
        count += pn;
    }
    (s + comp, count)
}

/// Sample size of [`lower_bound`].
const SAMPLE: usize = 1 << 13;

/// A value at most the `k`-th smallest of `losses` (0-based) with near certainty: an order
/// statistic of a strided sample, several standard deviations of its rank below `k`'s (−∞ for
/// small inputs or a `k` near the bottom).
fn lower_bound(losses: &[f64], k: usize) -> f64 {
    let n = losses.len();
    let stride = n / SAMPLE;
    if stride < 4 {
        return f64::NEG_INFINITY;
    }
    let mut sample: Vec<f64> = losses.iter().step_by(stride).copied().collect();
    let m = sample.len() as f64;
    let p = k as f64 / n as f64;
    let rank = (p * m - 6.0 * (m * p * (1.0 - p)).sqrt() - 8.0).floor();
    if rank < 0.0 {
        return f64::NEG_INFINITY;
    }
    *sample.select_nth_unstable_by(rank as usize, f64::total_cmp).1
}

/// The losses ≥ a bound below the `k`-th smallest, in their order, and the number below it.
fn upper_part(losses: &[f64], k: usize) -> Result<(Vec<f64>, usize)> {
    let bound = lower_bound(losses, k);
    let parts: Vec<(usize, Vec<f64>)> = losses
        .par_chunks(SUM_CHUNK)
        .map(|c| {
            let above: Vec<f64> = c.iter().copied().filter(|&x| x >= bound).collect();
            (c.len() - above.len(), above)
        })
        .collect();
    let below: usize = parts.iter().map(|p| p.0).sum();
    if below > k {
        // the sample misled the bound (vanishingly rare): every loss is a candidate
        let mut all = try_with_capacity(losses.len(), "a copy of the losses")?;
        all.extend_from_slice(losses);
        return Ok((all, 0));
    }
    let mut upper = try_with_capacity(losses.len() - below, "the upper part of the losses")?;
    for (_, p) in &parts {
        upper.extend_from_slice(p);
    }
    Ok((upper, below))
}

/// VaR, CVaR and their standard errors at level `alpha` of the finite `losses`.
pub fn summarize(losses: &[f64], alpha: f64) -> Result<Tail> {
    check_alpha(alpha)?;
    let n = losses.len();
    crate::ensure!(n >= 2, "at least 2 losses are needed, got {n}");
    let p = 1.0 - alpha;
    let nf = n as f64;
    let zp = norm_ppf(p);
    let z = norm_ppf(0.975);
    let h =
        nf.powf(-1.0 / 3.0) * z.powf(2.0 / 3.0) * (1.5 * norm_pdf(zp).powi(2) / (2.0 * zp * zp + 1.0)).powf(1.0 / 3.0);
    let (p_lo, p_hi) = ((p - h).max(0.0), (p + h).min(1.0));
    let q = [quantile_index(n, p_lo), quantile_index(n, p), quantile_index(n, p_hi)];
    let mut ks: Vec<usize> = q.iter().flat_map(|&(a, b, _)| [a, b]).collect();
    ks.sort_unstable();
    ks.dedup();
    // every order statistic needed, and every loss ≥ VaR, lies in the upper part
    let (mut upper, below) = crate::parallel::install(|| upper_part(losses, ks[0]))??;
    let shifted: Vec<usize> = ks.iter().map(|k| k - below).collect();
    let stats = order_stats(&mut upper, &shifted);
    let at = |k: usize| stats[ks.binary_search(&k).expect("the order statistic was selected")];
    let value = |(a, b, t): (usize, usize, f64)| lerp(at(a), at(b), t);
    let var = value(q[1]);
    let spread = value(q[2]) - value(q[0]);
    let density = if spread > 0.0 { (p_hi - p_lo) / spread } else { f64::INFINITY };
    let var_stderr = (alpha * (1.0 - alpha) / nf).sqrt() / density;

    let upper = &upper[..];
    let (sum, count) = crate::parallel::install(|| chunked_sum(upper, |x| (x >= var).then_some(x)))?;
    let cvar = sum / count as f64;
    let (excess, _) = crate::parallel::install(|| chunked_sum(upper, |x| (x > var).then_some(x - var)))?;
    let mean_excess = excess / nf;
    let (dev2, tail) = crate::parallel::install(|| {
        chunked_sum(upper, |x| (x > var).then_some((x - var - mean_excess) * (x - var - mean_excess)))
    })?;
    let s2 = (dev2 + (n - tail) as f64 * mean_excess * mean_excess) / (nf - 1.0);
    let cvar_stderr = (s2 / nf).sqrt() / alpha;
    crate::ensure!(
        [var, cvar, var_stderr, cvar_stderr].iter().all(|v| v.is_finite()),
        "the loss sample overflows double precision in its tail statistics; rescale the inputs"
    );
    Ok(Tail { var, cvar, var_stderr, cvar_stderr, tail_count: count, density })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numpy_quantile(v: &[f64], p: f64) -> f64 {
        let mut s = v.to_vec();
        s.sort_by(f64::total_cmp);
        let (a, b, t) = quantile_index(s.len(), p);
        lerp(s[a], s[b], t)
    }

    #[test]
    fn quantile_matches_a_sort_and_cvar_is_the_tail_mean() {
        let v: Vec<f64> = (0..1001).map(|i| ((i * 7919) % 1001) as f64 / 10.0 - 3.0).collect();
        for alpha in [0.01, 0.05, 0.1, 0.5, 0.999] {
            let w = v.clone();
            let t = summarize(&w, alpha).unwrap();
            assert_eq!(t.var, numpy_quantile(&v, 1.0 - alpha));
            let tail: Vec<f64> = v.iter().copied().filter(|&x| x >= t.var).collect();
            assert_eq!(t.tail_count, tail.len());
            let mean = tail.iter().sum::<f64>() / tail.len() as f64;
            assert!((t.cvar - mean).abs() <= 1e-13 * mean.abs().max(1.0));
            assert!(t.var_stderr > 0.0 && t.cvar_stderr > 0.0);
        }
        // ties and a constant sample
        let c = vec![2.5; 100];
        let t = summarize(&c, 0.05).unwrap();
        assert_eq!((t.var, t.cvar, t.var_stderr, t.cvar_stderr, t.tail_count), (2.5, 2.5, 0.0, 0.0, 100));
        assert!(summarize(&[1.0], 0.05).is_err());
        assert!(summarize(&[1.0, 2.0], 1.0).is_err());
    }

    #[test]
    fn large_samples_select_within_the_upper_part() {
        // pseudo-random losses, and a sample whose strided positions hold the largest values (the
        // bound then lies above the order statistics and the fallback takes every loss)
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let random: Vec<f64> = (0..200_000)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 11) as f64 / (1u64 << 53) as f64 - 0.3
            })
            .collect();
        let rigged: Vec<f64> = (0..40_000).map(|i| if i % 4 == 0 { 1e3 + i as f64 } else { (i % 97) as f64 }).collect();
        for v in [&random, &rigged] {
            for alpha in [0.001, 0.05, 0.5, 0.9] {
                let t = summarize(v, alpha).unwrap();
                assert_eq!(t.var, numpy_quantile(v, 1.0 - alpha), "alpha {alpha}");
                let tail: Vec<f64> = v.iter().copied().filter(|&x| x >= t.var).collect();
                assert_eq!(t.tail_count, tail.len());
                let mean = tail.iter().sum::<f64>() / tail.len() as f64;
                assert!((t.cvar - mean).abs() <= 1e-12 * mean.abs().max(1.0));
            }
        }
        assert_eq!(upper_part(&rigged, 10_000).unwrap().1, 0, "the rigged sample takes the fallback");
    }
}
