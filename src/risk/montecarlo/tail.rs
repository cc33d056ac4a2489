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
//! Every sum is taken over fixed blocks of [`SUM_CHUNK`] scenarios added in order, so the results
//! depend neither on the thread count nor on how the scenarios were split: ranges of a sample
//! simulated apart give [`TailPart`]s that [`merge`] into the statistics of the whole, bit for bit.

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

/// Scenarios per summation block: every sum is taken block by block over the scenarios in order
/// (Neumaier-compensated within a block, blocks added in order), whatever the threads, and
/// whatever ranges of scenarios were simulated apart ([`part`], [`merge`]).
pub const SUM_CHUNK: usize = 1 << 15;

/// Σ f(x) over `blocks` (Neumaier-compensated within each, blocks added in order), and how many
/// terms there were.
fn blocked_sum(blocks: &[&[f64]], f: impl Fn(f64) -> Option<f64> + Sync) -> (f64, usize) {
    let parts: Vec<(f64, f64, usize)> = blocks
        .par_iter()
        .map(|c| {
            let (mut s, mut comp, mut count) = (0.0f64, 0.0f64, 0usize);
            for &x in c.iter() {
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

/// The quantile levels and order statistics the tail statistics of `n` losses at `alpha` read.
struct Needs {
    p_lo: f64,
    p_hi: f64,
    /// The (lower, upper, weight) indices of the quantiles at p_lo, p and p_hi.
    q: [(usize, usize, f64); 3],
    /// Their order statistics' indices, ascending, without repeats.
    ks: Vec<usize>,
}

fn needs(n: usize, alpha: f64) -> Needs {
    let p = 1.0 - alpha;
    let zp = norm_ppf(p);
    let z = norm_ppf(0.975);
    let h = (n as f64).powf(-1.0 / 3.0)
        * z.powf(2.0 / 3.0)
        * (1.5 * norm_pdf(zp).powi(2) / (2.0 * zp * zp + 1.0)).powf(1.0 / 3.0);
    let (p_lo, p_hi) = ((p - h).max(0.0), (p + h).min(1.0));
    let q = [quantile_index(n, p_lo), quantile_index(n, p), quantile_index(n, p_hi)];
    let mut ks: Vec<usize> = q.iter().flat_map(|&(a, b, _)| [a, b]).collect();
    ks.sort_unstable();
    ks.dedup();
    Needs { p_lo, p_hi, q, ks }
}

/// What the tail statistics need of the losses of one range of scenarios of a sample: the
/// losses at or above a bound, in scenario order. Parts of consecutive ranges, simulated apart
/// (on other threads, processes or machines), [`merge`] into the statistics of the whole sample,
/// bit for bit.
#[derive(Debug, Clone, PartialEq)]
pub struct TailPart {
    /// The range's first scenario: a multiple of [`SUM_CHUNK`].
    pub first: usize,
    /// Its scenarios: a multiple of [`SUM_CHUNK`] unless the range ends the sample.
    pub count: usize,
    /// The losses below the bound (left out), and the largest of them (−∞ when none).
    pub below: usize,
    pub max_below: f64,
    /// The losses at or above the bound, in scenario order.
    pub kept: Vec<f64>,
    /// How many of `kept` each summation block of the range holds, in order.
    pub per_block: Vec<usize>,
}

/// The part of the losses of scenarios `first..first + losses.len()` of a sample of `total` at
/// level `alpha`; `keep_all` keeps every loss (when [`merge`] found a bound too high).
pub fn part(losses: &[f64], first: usize, total: usize, alpha: f64, keep_all: bool) -> Result<TailPart> {
    check_alpha(alpha)?;
    let count = losses.len();
    crate::ensure!(total >= 2, "at least 2 losses are needed, got {total}");
    crate::ensure!(
        first.is_multiple_of(SUM_CHUNK)
            && first.checked_add(count).is_some_and(|end| end <= total)
            && (count.is_multiple_of(SUM_CHUNK) || first + count == total),
        "a part of the losses must start at a multiple of {SUM_CHUNK} and hold a multiple of {SUM_CHUNK} unless it \
         ends the sample; got {count} from {first} of {total}"
    );
    // the lowest order statistic needed, at this range's share of the sample
    let k = (needs(total, alpha).ks[0] as u128 * count as u128 / total as u128) as usize;
    let bound = if keep_all { f64::NEG_INFINITY } else { lower_bound(losses, k) };
    let blocks: Vec<(usize, f64, Vec<f64>)> = crate::parallel::install(|| {
        losses
            .par_chunks(SUM_CHUNK)
            .map(|c| {
                let (mut kept, mut max_below) = (Vec::new(), f64::NEG_INFINITY);
                for &x in c {
                    if x >= bound {
                        kept.push(x);
                    } else {
                        max_below = max_below.max(x);
                    }
                }
                (c.len() - kept.len(), max_below, kept)
            })
            .collect()
    })?;
    let below = blocks.iter().map(|b| b.0).sum();
    let max_below = blocks.iter().map(|b| b.1).fold(f64::NEG_INFINITY, f64::max);
    let mut kept = try_with_capacity(blocks.iter().map(|b| b.2.len()).sum(), "the upper part of the losses")?;
    for b in &blocks {
        kept.extend_from_slice(&b.2);
    }
    let per_block = blocks.iter().map(|b| b.2.len()).collect();
    Ok(TailPart { first, count, below, max_below, kept, per_block })
}

/// VaR, CVaR and their standard errors at level `alpha` of the sample whose consecutive ranges
/// are `parts`; `None` when a part's bound left out a loss the statistics need (then make every
/// part again with `keep_all`).
pub fn merge(parts: &[TailPart], alpha: f64) -> Result<Option<Tail>> {
    check_alpha(alpha)?;
    let mut n = 0usize;
    for p in parts {
        crate::ensure!(
            p.first == n
                && p.per_block.len() == p.count.div_ceil(SUM_CHUNK)
                && p.per_block.iter().sum::<usize>() == p.kept.len()
                && p.kept.len() + p.below == p.count,
            "the parts of a loss sample must be its consecutive ranges from scenario 0, each as `part` made it"
        );
        n += p.count;
    }
    crate::ensure!(n >= 2, "at least 2 losses are needed, got {n}");
    let need = needs(n, alpha);
    let below: usize = parts.iter().map(|p| p.below).sum();
    if below > need.ks[0] {
        return Ok(None);
    }
    // the order statistics, selected in a copy: the sums read the losses in scenario order
    let mut upper = try_with_capacity(n - below, "a copy of the upper part of the losses")?;
    for p in parts {
        upper.extend_from_slice(&p.kept);
    }
    let shifted: Vec<usize> = need.ks.iter().map(|k| k - below).collect();
    let stats = order_stats(&mut upper, &shifted);
    drop(upper);
    // a loss left out at or above the lowest order statistic needed would change it, or a sum
    let max_below = parts.iter().map(|p| p.max_below).fold(f64::NEG_INFINITY, f64::max);
    if max_below >= stats[0] {
        return Ok(None);
    }
    let at = |k: usize| stats[need.ks.binary_search(&k).expect("the order statistic was selected")];
    let value = |(a, b, t): (usize, usize, f64)| lerp(at(a), at(b), t);
    let var = value(need.q[1]);
    let spread = value(need.q[2]) - value(need.q[0]);
    let density = if spread > 0.0 { (need.p_hi - need.p_lo) / spread } else { f64::INFINITY };
    let nf = n as f64;
    let var_stderr = (alpha * (1.0 - alpha) / nf).sqrt() / density;

    let mut blocks: Vec<&[f64]> = Vec::new();
    for p in parts {
        let mut rest = &p.kept[..];
        for &len in &p.per_block {
            let (block, tail) = rest.split_at(len);
            blocks.push(block);
            rest = tail;
        }
    }
    let blocks = &blocks[..];
    let (sum, count) = crate::parallel::install(|| blocked_sum(blocks, |x| (x >= var).then_some(x)))?;
    let cvar = sum / count as f64;
    let (excess, _) = crate::parallel::install(|| blocked_sum(blocks, |x| (x > var).then_some(x - var)))?;
    let mean_excess = excess / nf;
    let (dev2, tail) = crate::parallel::install(|| {
        blocked_sum(blocks, |x| (x > var).then_some((x - var - mean_excess) * (x - var - mean_excess)))
    })?;
    let s2 = (dev2 + (n - tail) as f64 * mean_excess * mean_excess) / (nf - 1.0);
    let cvar_stderr = (s2 / nf).sqrt() / alpha;
    crate::ensure!(
        [var, cvar, var_stderr, cvar_stderr].iter().all(|v| v.is_finite()),
        "the loss sample overflows double precision in its tail statistics; rescale the inputs"
    );
    Ok(Some(Tail { var, cvar, var_stderr, cvar_stderr, tail_count: count, density }))
}

/// VaR, CVaR and their standard errors at level `alpha` of the finite `losses`.
pub fn summarize(losses: &[f64], alpha: f64) -> Result<Tail> {
    let n = losses.len();
    crate::ensure!(n >= 2, "at least 2 losses are needed, got {n}");
    for keep_all in [false, true] {
        if let Some(t) = merge(&[part(losses, 0, n, alpha, keep_all)?], alpha)? {
            return Ok(t);
        }
    }
    Err(crate::error::Error::Internal("the tail statistics left out a loss while keeping every one".into()))
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
        let rigged_part = part(&rigged, 0, rigged.len(), 0.75, false).unwrap();
        assert_eq!(merge(&[rigged_part], 0.75).unwrap(), None, "the rigged sample's bound is too high");
    }

    #[test]
    fn parts_merge_into_the_whole_bit_for_bit() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let v: Vec<f64> = (0..5 * SUM_CHUNK + 777)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let u = (state >> 11) as f64 / (1u64 << 53) as f64;
                (u / (1.0 - u)).ln()
            })
            .collect();
        let n = v.len();
        for alpha in [0.001, 0.05, 0.3] {
            let whole = summarize(&v, alpha).unwrap();
            for cuts in
                [vec![SUM_CHUNK], vec![2 * SUM_CHUNK, 3 * SUM_CHUNK], vec![SUM_CHUNK, 2 * SUM_CHUNK, 5 * SUM_CHUNK]]
            {
                let mut bounds = vec![0];
                bounds.extend(&cuts);
                bounds.push(n);
                let parts: Vec<TailPart> =
                    bounds.windows(2).map(|w| part(&v[w[0]..w[1]], w[0], n, alpha, false).unwrap()).collect();
                let merged = merge(&parts, alpha).unwrap().expect("the local bounds hold");
                assert_eq!(merged, whole, "alpha {alpha}, cuts {cuts:?}");
            }
        }
        // ranges not on block boundaries, out of order, or with a gap are refused
        assert!(part(&v[1..SUM_CHUNK + 1], 1, n, 0.05, false).is_err());
        assert!(part(&v[..SUM_CHUNK - 1], 0, n, 0.05, false).is_err());
        let a = part(&v[..SUM_CHUNK], 0, n, 0.05, false).unwrap();
        let b = part(&v[SUM_CHUNK..], SUM_CHUNK, n, 0.05, false).unwrap();
        assert!(merge(&[b.clone(), a.clone()], 0.05).is_err());
        assert!(merge(&[b], 0.05).is_err());
        let mut bad = a;
        bad.kept.pop();
        assert!(merge(&[bad], 0.05).is_err());
    }
}
