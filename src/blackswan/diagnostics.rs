//! Tail-index and threshold diagnostics: Hill's estimator, the mean residual life (mean excess)
//! function and the stability of GPD fits over a grid of thresholds.

use rayon::prelude::*;

use super::gpd;
use super::{check_data, check_sample};
use crate::control::Control;
use crate::error::{check_alloc, try_collect, Result};
use crate::special::norm_ppf;
use crate::{ensure, invalid};

/// `data` sorted in decreasing order (a copy).
fn sorted_desc(data: &[f64]) -> Result<Vec<f64>> {
    check_data(data, "data")?;
    let mut v = try_collect(data.iter().copied(), "a sorted copy of the data")?;
    v.par_sort_unstable_by(|a, b| b.total_cmp(a));
    Ok(v)
}

/// Hill's estimate from the decreasing order statistics `s` with `k` upper values:
/// `ξ = (1/k) Σ_{i<k} ln s_i − ln s_k`.
fn hill_sorted(s: &[f64], k: usize, prefix: Option<&[f64]>) -> Result<f64> {
    ensure!(k >= 2 && k < s.len(), "k must be between 2 and n - 1 = {}, got {k}", s.len() - 1);
    ensure!(
        s[k] > 0.0,
        "Hill's estimator needs the k + 1 = {} largest values to be positive; the ({})-th largest is {}",
        k + 1,
        k + 1,
        s[k]
    );
    let sum = match prefix {
        Some(p) => p[k],
        None => s[..k].iter().map(|v| v.ln()).sum::<f64>(),
    };
    Ok(sum / k as f64 - s[k].ln())
}

/// Hill's estimate with `k` upper order statistics.
pub fn hill(data: &[f64], k: usize) -> Result<f64> {
    let s = sorted_desc(data)?;
    hill_sorted(&s, k, None)
}

/// Hill's estimates for each `k` of `ks` (one sort, prefix sums of the logs).
pub fn hill_curve(data: &[f64], ks: &[usize]) -> Result<Vec<f64>> {
    let s = sorted_desc(data)?;
    let kmax = ks.iter().copied().max().unwrap_or(0).min(s.len() - 1);
    let mut prefix = try_collect(std::iter::repeat_n(0.0, kmax + 1), "the Hill curve")?;
    for i in 0..kmax {
        prefix[i + 1] = prefix[i] + if s[i] > 0.0 { s[i].ln() } else { f64::NAN };
    }
    try_collect(ks.iter().map(|&k| hill_sorted(&s, k, Some(&prefix))), "the Hill curve")?.into_iter().collect()
}

/// The mean excess over each threshold: `(mean, lower, upper, count)` with the normal interval
/// `mean ± z_{1−α/2} sd/√count` (sd with ddof = 1).
pub fn mean_residual_life(data: &[f64], thresholds: &[f64], alpha: f64, control: &Control) -> Result<[Vec<f64>; 4]> {
    ensure!(alpha > 0.0 && alpha < 1.0, "alpha must be in (0, 1), got {alpha}");
    check_data(thresholds, "thresholds")?;
    check_alloc::<[f64; 4]>(thresholds.len() as u128, "the mean residual life")?;
    let s = sorted_desc(data)?;
    let z = norm_ppf(1.0 - alpha / 2.0);
    let rows: Vec<[f64; 4]> = thresholds
        .par_iter()
        .map(|&u| {
            control.check()?;
            let c = s.partition_point(|&v| v > u);
            if c < 2 {
                return Err(invalid!(
                    "threshold {u} has {c} exceedance(s); the mean residual life needs at least 2 (the largest value is {})",
                    s[0]
                ));
            }
            let y = &s[..c];
            let m = y.iter().map(|v| v - u).sum::<f64>() / c as f64;
            let var = y.iter().map(|v| (v - u - m) * (v - u - m)).sum::<f64>() / (c - 1) as f64;
            let half = z * (var / c as f64).sqrt();
            Ok([m, m - half, m + half, c as f64])
        })
        .collect::<Result<_>>()?;
    Ok(transpose(&rows))
}

fn transpose<const K: usize>(rows: &[[f64; K]]) -> [Vec<f64>; K] {
    std::array::from_fn(|j| rows.iter().map(|r| r[j]).collect())
}

/// GPD fits over each threshold: `(xi, xi_stderr, sigma, sigma_star, sigma_star_stderr, count)`,
/// with the modified scale σ* = σ − ξu (constant above a threshold where the GPD holds) and its
/// delta-method standard error. A standard error that does not exist (ξ ≤ −0.5) is NaN.
pub fn parameter_stability(data: &[f64], thresholds: &[f64], control: &Control) -> Result<[Vec<f64>; 6]> {
    check_data(thresholds, "thresholds")?;
    check_alloc::<[f64; 6]>(thresholds.len() as u128, "the parameter stability table")?;
    let s = sorted_desc(data)?;
    control.add_total(thresholds.len() as u64);
    let rows: Vec<[f64; 6]> = thresholds
        .par_iter()
        .map(|&u| {
            control.check()?;
            let c = s.partition_point(|&v| v > u);
            let y = try_collect(s[..c].iter().map(|v| v - u), "the exceedances")?;
            check_sample(&y, "exceedances", &gpd::too_few_hint(u))?;
            let f = gpd::fit(&y, control)?;
            control.advance(1);
            let (se_xi, se_star) = match f.cov {
                Some(v) => (v[0].sqrt(), (v[3] - 2.0 * u * v[1] + u * u * v[0]).max(0.0).sqrt()),
                None => (f64::NAN, f64::NAN),
            };
            Ok([f.xi, se_xi, f.sigma, f.sigma - f.xi * u, se_star, c as f64])
        })
        .collect::<Result<_>>()?;
    Ok(transpose(&rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hill_by_hand() {
        let d = [1.0, 10.0, 2.0, 5.0, 3.0, 8.0];
        // sorted: 10, 8, 5, 3, 2, 1; k = 3: (ln 10 + ln 8 + ln 5)/3 - ln 3
        let want = (10f64.ln() + 8f64.ln() + 5f64.ln()) / 3.0 - 3f64.ln();
        assert!((hill(&d, 3).unwrap() - want).abs() < 1e-15);
        let c = hill_curve(&d, &[2, 3, 5]).unwrap();
        assert!((c[1] - want).abs() < 1e-15);
        assert!(hill(&d, 6).is_err() && hill(&d, 1).is_err());
        assert!(hill(&[-1.0, -2.0, -3.0, 4.0], 2).is_err());
    }

    #[test]
    fn mean_excess_by_hand() {
        let d = [1.0, 2.0, 3.0, 4.0, 5.0];
        let [m, lo, hi, c] = mean_residual_life(&d, &[2.5], 0.05, &Control::new()).unwrap();
        assert_eq!(c[0], 3.0);
        assert!((m[0] - 1.5).abs() < 1e-15);
        assert!(lo[0] < m[0] && hi[0] > m[0]);
        assert!(mean_residual_life(&d, &[4.5], 0.05, &Control::new()).is_err());
    }
}
