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
/// blocks give its error.
pub fn jackknife(blocks: &[Vec<f64>], full: &[f64], f: impl Fn(&[f64]) -> f64) -> Estimate {
    let nb = blocks.len();
    let nq = full.len();
    let total: Vec<f64> = (0..nq).map(|q| blocks.iter().map(|b| b[q]).sum::<f64>()).collect();
    let value = f(full);
    if nb < 2 {
        return Estimate { value, error: f64::NAN };
    }
    let leave_out: Vec<f64> = blocks
        .iter()
        .map(|b| {
            let m: Vec<f64> = (0..nq).map(|q| (total[q] - b[q]) / (nb - 1) as f64).collect();
            f(&m)
        })
        .collect();
    let mean = leave_out.iter().sum::<f64>() / nb as f64;
    let var = leave_out.iter().map(|x| (x - mean).powi(2)).sum::<f64>() * (nb - 1) as f64 / nb as f64;
    Estimate { value, error: var.sqrt() }
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
    }
}
