//! Monte Carlo statistics: integrated autocorrelation time and jackknife error bars.

/// A value with its one-standard-error uncertainty.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub value: f64,
    pub error: f64,
}

/// Integrated autocorrelation time τ_int = 1 + 2 Σ_t ρ(t) of one or more equally long series,
/// with Sokal's automatic window (the smallest M with M ≥ c·τ(M), c = 5). The autocovariance
/// is averaged over the series, each about its own mean. Returns 1 for constant series.
pub fn integrated_autocorr_time(series: &[&[f64]]) -> f64 {
    const C: f64 = 5.0;
    let len = series.iter().map(|s| s.len()).min().unwrap_or(0);
    if len < 2 {
        return 1.0;
    }
    let centred: Vec<Vec<f64>> = series
        .iter()
        .map(|s| {
            let m = s[..len].iter().sum::<f64>() / len as f64;
            s[..len].iter().map(|x| x - m).collect()
        })
        .collect();
    let autocov = |t: usize| -> f64 {
        centred.iter().map(|x| x[..len - t].iter().zip(&x[t..]).map(|(a, b)| a * b).sum::<f64>()).sum::<f64>()
            / (centred.len() * len) as f64
    };
    let c0 = autocov(0);
    if c0 <= 0.0 {
        return 1.0;
    }
    let mut tau = 1.0;
    for t in 1..len {
        tau += 2.0 * autocov(t) / c0;
        if t as f64 >= C * tau {
            break;
        }
    }
    tau.max(1.0)
}

/// Jackknife over blocks. `blocks[b][q]` is the mean of quantity `q` over block `b` (all
/// blocks of equal size); `f` maps the vector of quantity means to the estimate. The value is
/// `f(full)`, with `full` the means over every sample (blocks may leave a remainder out); the
/// blocks give its error, 0 when there is a single block (a single sample: nothing to estimate
/// an error from, and a NaN would poison every sum it enters).
pub fn jackknife(blocks: &[Vec<f64>], full: &[f64], f: impl Fn(&[f64]) -> f64) -> Estimate {
    let nb = blocks.len();
    let nq = full.len();
    let total: Vec<f64> = (0..nq).map(|q| blocks.iter().map(|b| b[q]).sum::<f64>()).collect();
    let value = f(full);
    if nb < 2 {
        return Estimate { value, error: 0.0 };
    }
    let leave_out = blocks.iter().map(|b| {
        let m: Vec<f64> = (0..nq).map(|q| (total[q] - b[q]) / (nb - 1) as f64).collect();
        f(&m)
    });
    jackknife_error(value, leave_out.collect())
}

/// The jackknife estimate from its leave-one-block-out values.
fn jackknife_error(value: f64, leave_out: Vec<f64>) -> Estimate {
    let nb = leave_out.len() as f64;
    let mean = leave_out.iter().sum::<f64>() / nb;
    let var = leave_out.iter().map(|x| (x - mean).powi(2)).sum::<f64>() * (nb - 1.0) / nb;
    Estimate { value, error: var.sqrt() }
}

/// `g(Var x)` with its jackknife error over the blocks of [`block_means`]. Every variance is a
/// mean of squared deviations from its own mean (never ⟨x²⟩ − ⟨x⟩², which cancels and can come
/// out negative), of `x` shifted by its minimum so that equal values give exactly 0. A variance
/// over all blocks but one combines the blocks' own variances and the spread of their means.
pub fn variance_jackknife(
    x: &[f64],
    num_chains: usize,
    len: usize,
    per_chain: usize,
    g: impl Fn(f64) -> f64,
) -> Estimate {
    let low = x.iter().copied().fold(f64::INFINITY, f64::min);
    let d: Vec<f64> = x.iter().map(|v| v - low).collect();
    let value = g(moments(&d).1);
    let per_chain = per_chain.clamp(1, len.max(1));
    let size = len / per_chain;
    let blocks: Vec<(f64, f64)> = (0..num_chains)
        .flat_map(|c| (0..per_chain).map(move |b| c * len + b * size..c * len + (b + 1) * size))
        .map(|r| moments(&d[r]))
        .collect();
    let nb = blocks.len() as f64;
    if blocks.len() < 2 {
        return Estimate { value, error: 0.0 };
    }
    let mu = blocks.iter().map(|b| b.0).sum::<f64>() / nb;
    let within: f64 = blocks.iter().map(|b| b.1).sum();
    let between: f64 = blocks.iter().map(|b| (b.0 - mu).powi(2)).sum();
    let leave_out = blocks.iter().map(|&(m, w)| {
        // Σ_{b≠k} (μ_b − μ_S)² = Σ_b (μ_b − μ)² − (μ_k − μ)² nb/(nb − 1); ≥ 0 but for rounding
        let spread = (between - (m - mu).powi(2) * nb / (nb - 1.0)).max(0.0);
        g(((within - w).max(0.0) + spread) / (nb - 1.0))
    });
    jackknife_error(value, leave_out.collect())
}

/// Mean and variance (mean of squared deviations from the mean) of `x`; (0, 0) when empty.
fn moments(x: &[f64]) -> (f64, f64) {
    if x.is_empty() {
        return (0.0, 0.0);
    }
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    (mean, x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n)
}

/// Split each chain's series into `per_chain` equal blocks and average the given quantities of
/// each block: `quantities[q][c * len + k]` is quantity q of sample k of chain c.
pub fn block_means(quantities: &[Vec<f64>], num_chains: usize, len: usize, per_chain: usize) -> Vec<Vec<f64>> {
    let per_chain = per_chain.clamp(1, len.max(1));
    let size = len / per_chain;
    let mut blocks = Vec::with_capacity(num_chains * per_chain);
    for c in 0..num_chains {
        for b in 0..per_chain {
            let r = c * len + b * size..c * len + (b + 1) * size;
            blocks.push(quantities.iter().map(|q| q[r.clone()].iter().sum::<f64>() / size as f64).collect());
        }
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Stream;

    #[test]
    fn ar1_autocorrelation_time() {
        // AR(1) with coefficient a has τ_int = (1 + a) / (1 - a).
        let a = 0.8;
        let mut s = Stream::new(3, 0);
        let mut x = 0.0;
        let series: Vec<f64> = (0..200_000)
            .map(|_| {
                let g = (-2.0 * s.next_f64().max(1e-300).ln()).sqrt() * (std::f64::consts::TAU * s.next_f64()).cos();
                x = a * x + g;
                x
            })
            .collect();
        let tau = integrated_autocorr_time(&[&series]);
        assert!((tau - 9.0).abs() < 0.8, "tau = {tau}");
        assert_eq!(integrated_autocorr_time(&[&[1.0, 1.0, 1.0]]), 1.0);
    }

    #[test]
    fn jackknife_of_the_mean_is_the_standard_error() {
        let blocks: Vec<Vec<f64>> = (0..10).map(|k| vec![k as f64]).collect();
        let e = jackknife(&blocks, &[4.5], |m| m[0]);
        assert!((e.value - 4.5).abs() < 1e-12);
        // standard error of the mean of 0..9: sd (ddof=1) / sqrt(10)
        let sd = (blocks.iter().map(|b| (b[0] - 4.5f64).powi(2)).sum::<f64>() / 9.0).sqrt();
        assert!((e.error - sd / 10f64.sqrt()).abs() < 1e-12);
        assert_eq!(jackknife(&blocks[..1], &[0.0], |m| m[0]).error, 0.0);
    }

    #[test]
    fn variance_jackknife_matches_the_direct_leave_out_variances() {
        let mut s = Stream::new(5, 0);
        let x: Vec<f64> = (0..120).map(|_| 1e6 + s.next_f64()).collect();
        let e = variance_jackknife(&x, 2, 60, 3, |v| v);
        let var = |v: &[f64]| {
            let m = v.iter().sum::<f64>() / v.len() as f64;
            v.iter().map(|a| (a - m).powi(2)).sum::<f64>() / v.len() as f64
        };
        assert!((e.value - var(&x)).abs() < 1e-12);
        let leave_out: Vec<f64> = (0..6)
            .map(|k| var(&x.iter().enumerate().filter(|(i, _)| i / 20 != k).map(|(_, &v)| v).collect::<Vec<_>>()))
            .collect();
        assert!((e.error - jackknife_error(var(&x), leave_out).error).abs() < 1e-12);
        // equal values: exactly zero, whatever g amplifies; one sample: no NaN
        let same = variance_jackknife(&[0.1; 9], 3, 3, 2, |v| v * 1e300);
        assert_eq!((same.value, same.error), (0.0, 0.0));
        assert_eq!(variance_jackknife(&[0.3], 1, 1, 2, |v| v), Estimate { value: 0.0, error: 0.0 });
    }
}
