//! Antifragility: barbell allocation, convexity of returns (to a market and on their own), and
//! an opportunity score. The definitions (also in `docs/risk-antifragile.md`):
//!
//! - skewness: the moment ratio `m₃ / m₂^{3/2}` with population moments (scipy's
//!   `skew(bias=True)`);
//! - tail ratio: with `k = max(1, ⌈q n⌉)` and `med` the median, `(mean of the k largest − med) /
//!   (med − mean of the k smallest)`: 1 for symmetric tails, above 1 when gains run further than
//!   losses (location-free);
//! - gain/pain: `Σ max(r, 0) / Σ max(−r, 0)` (Omega at 0);
//! - convexity to a market: the least-squares fit `r = a + β m + γ m²`; `γ` (> 0 convex, < 0
//!   concave), its standard error, t-statistic and two-sided p-value on `n − 3` degrees of freedom,
//!   and the fit's R²;
//! - opportunity score: the weighted mean of three components in (0, 1): convexity
//!   `1 / (1 + e^{−skew})`, asymmetry `tr / (1 + tr)` and volatility `σ_hist / (σ_hist + σ_now)`
//!   (cheap optionality when the current volatility is below the historical one); each is ½ at
//!   neutral.

use crate::error::{check_finite, try_collect, Result};
use crate::{ensure, invalid};

/// `(safe, speculative)` amounts of `capital` for a barbell with `safe_fraction` in the safe leg.
pub fn barbell(capital: f64, safe_fraction: f64) -> Result<(f64, f64)> {
    check_fraction(safe_fraction)?;
    ensure!(capital.is_finite() && capital >= 0.0, "capital must be finite and non-negative, got {capital}");
    let safe = capital * safe_fraction;
    Ok((safe, capital - safe))
}

/// `safe_fraction` in [0, 1].
pub fn check_fraction(safe_fraction: f64) -> Result<()> {
    ensure!(
        (0.0..=1.0).contains(&safe_fraction),
        "safe_fraction must be in [0, 1] (the share of capital in the safe leg), got {safe_fraction}"
    );
    Ok(())
}

/// The tail fraction `q` of the tail ratio, in (0, 0.5].
pub fn check_tail(tail: f64) -> Result<()> {
    ensure!(tail > 0.0 && tail <= 0.5, "tail must be in (0, 0.5] (the fraction of returns in each tail), got {tail}");
    Ok(())
}

/// Measures of asymmetry of returns alone.
#[derive(Debug, Clone, PartialEq)]
pub struct Asymmetry {
    pub skewness: f64,
    pub tail_ratio: f64,
    /// `None` when there are no losses (the ratio is unbounded).
    pub gain_pain: Option<f64>,
    pub n: usize,
}

/// Skewness, tail ratio and gain/pain of `r` (finite, at least 3 values, not constant).
pub fn asymmetry(r: &[f64], tail: f64) -> Result<Asymmetry> {
    check_tail(tail)?;
    check_finite(r, "returns")?;
    let n = r.len();
    ensure!(n >= 3, "returns must hold at least 3 values, got {n}");
    let mean = r.iter().sum::<f64>() / n as f64;
    let (mut m2, mut m3) = (0.0, 0.0);
    for &v in r {
        let z = v - mean;
        m2 += z * z;
        m3 += z * z * z;
    }
    let (m2, m3) = (m2 / n as f64, m3 / n as f64);
    ensure!(m2 > 0.0 && m2.is_finite(), "returns are constant (or overflow): their asymmetry is undefined");
    let skewness = m3 / m2.powf(1.5);
    ensure!(skewness.is_finite(), "returns are too large in magnitude: their skewness overflows");
    let mut sorted = try_collect(r.iter().copied(), "a sorted copy of the returns")?;
    sorted.sort_by(f64::total_cmp);
    let median = if n % 2 == 1 { sorted[n / 2] } else { 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]) };
    let k = ((tail * n as f64).ceil() as usize).clamp(1, n);
    let low = sorted[..k].iter().sum::<f64>() / k as f64;
    let high = sorted[n - k..].iter().sum::<f64>() / k as f64;
    let (up, down) = (high - median, median - low);
    if down.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
        return Err(invalid!(
            "the lowest {k} returns equal the median: the tail ratio is undefined (use a larger tail or more varied returns)"
        ));
    }
    let tail_ratio = up / down;
    ensure!(tail_ratio.is_finite(), "returns are too large in magnitude: the tail ratio overflows");
    let gains: f64 = r.iter().map(|v| v.max(0.0)).sum();
    let pains: f64 = r.iter().map(|v| (-v).max(0.0)).sum();
    let gain_pain = (pains > 0.0).then(|| gains / pains).filter(|v| v.is_finite());
    Ok(Asymmetry { skewness, tail_ratio, gain_pain, n })
}

/// The quadratic fit `r = a + β m + γ m²`.
#[derive(Debug, Clone, PartialEq)]
pub struct Quadratic {
    pub alpha: f64,
    pub beta: f64,
    pub gamma: f64,
    /// The standard error of γ, `None` for a perfect fit (residuals below 1e-10 of the returns'
    /// spread: RSS ≤ 1e-20 TSS).
    pub gamma_se: Option<f64>,
    pub gamma_t: Option<f64>,
    pub gamma_pvalue: Option<f64>,
    pub r_squared: f64,
}

#[allow(clippy::needless_range_loop)] // index loops mirror the factorisation's formulas
/// Solves the symmetric positive definite 3×3 system `g x = b` by Cholesky; `None` if singular.
fn solve3(g: &[[f64; 3]; 3], b: [f64; 3]) -> Option<[f64; 3]> {
    let mut l = [[0.0; 3]; 3];
    for i in 0..3 {
        for j in 0..=i {
            let mut s = g[i][j];
            for p in 0..j {
                s -= l[i][p] * l[j][p];
            }
            if i == j {
                // relative pivot: a tiny one means the regressors are (nearly) collinear
                if s.partial_cmp(&(1e-10 * g[i][i])) != Some(std::cmp::Ordering::Greater) {
                    return None;
                }
                l[i][i] = s.sqrt();
            } else {
                l[i][j] = s / l[j][j];
            }
        }
    }
    let mut y = [0.0; 3];
    for i in 0..3 {
        y[i] = (b[i] - (0..i).map(|p| l[i][p] * y[p]).sum::<f64>()) / l[i][i];
    }
    let mut x = [0.0; 3];
    for i in (0..3).rev() {
        x[i] = (y[i] - (i + 1..3).map(|p| l[p][i] * x[p]).sum::<f64>()) / l[i][i];
    }
    Some(x)
}

/// Least squares of `r` on `[1, m, m²]`, with `m` standardised inside for accuracy.
pub fn quadratic_fit(r: &[f64], m: &[f64]) -> Result<Quadratic> {
    let n = r.len();
    ensure!(m.len() == n, "market_returns must have as many values as returns ({n}), got {}", m.len());
    check_finite(m, "market_returns")?;
    check_finite(r, "returns")?;
    ensure!(n >= 4, "the quadratic fit needs at least 4 returns, got {n}");
    let nf = n as f64;
    let mbar = m.iter().sum::<f64>() / nf;
    let s = (m.iter().map(|v| (v - mbar) * (v - mbar)).sum::<f64>() / nf).sqrt();
    ensure!(s > 0.0 && s.is_finite(), "market_returns must vary (and not overflow) for a convexity fit");
    let z = |v: f64| (v - mbar) / s;
    let mut g = [[0.0; 3]; 3];
    let mut b = [0.0; 3];
    for (&ri, &mi) in r.iter().zip(m) {
        let zi = z(mi);
        let row = [1.0, zi, zi * zi];
        for p in 0..3 {
            b[p] += row[p] * ri;
            for q in 0..3 {
                g[p][q] += row[p] * row[q];
            }
        }
    }
    let c = solve3(&g, b)
        .ok_or_else(|| invalid!("market_returns must take at least three distinct values for a quadratic fit"))?;
    let rbar = r.iter().sum::<f64>() / nf;
    let (mut rss, mut tss) = (0.0, 0.0);
    for (&ri, &mi) in r.iter().zip(m) {
        let zi = z(mi);
        let e = ri - (c[0] + c[1] * zi + c[2] * zi * zi);
        rss += e * e;
        tss += (ri - rbar) * (ri - rbar);
    }
    ensure!(rss.is_finite() && tss.is_finite(), "returns are too large in magnitude for a quadratic fit");
    // (G⁻¹)₂₂ from solving G x = e₂
    let inv22 = solve3(&g, [0.0, 0.0, 1.0]).map(|x| x[2]).unwrap_or(f64::NAN);
    let dof = (n - 3) as f64;
    let s2 = rss / dof;
    let se_c = (s2 * inv22).sqrt();
    let (gamma, beta, alpha) =
        (c[2] / (s * s), c[1] / s - 2.0 * c[2] * mbar / (s * s), c[0] - c[1] * mbar / s + c[2] * mbar * mbar / (s * s));
    // residuals at rounding level (below 1e-10 of the returns' spread): a perfect fit
    let perfect = rss <= 1e-20 * tss;
    let gamma_se = (!perfect && se_c > 0.0 && se_c.is_finite()).then(|| se_c / (s * s));
    let gamma_t = gamma_se.map(|se| gamma / se).filter(|t| t.is_finite());
    let gamma_pvalue = gamma_t.map(|t| 2.0 * crate::special::t_cdf(-t.abs(), dof));
    let r_squared = if tss > 0.0 { 1.0 - rss / tss } else { 1.0 };
    ensure!(
        [alpha, beta, gamma].iter().all(|v| v.is_finite()),
        "the quadratic fit overflowed: rescale returns or market_returns"
    );
    Ok(Quadratic { alpha, beta, gamma, gamma_se, gamma_t, gamma_pvalue, r_squared })
}

/// Convexity of returns: their asymmetry, and the quadratic fit on a market when one is given.
#[derive(Debug, Clone, PartialEq)]
pub struct Convexity {
    pub asymmetry: Asymmetry,
    pub market: Option<Quadratic>,
}

pub fn convexity(r: &[f64], market: Option<&[f64]>, tail: f64) -> Result<Convexity> {
    let market = market.map(|m| quadratic_fit(r, m)).transpose()?;
    Ok(Convexity { asymmetry: asymmetry(r, tail)?, market })
}

/// An opportunity's score and its parts.
#[derive(Debug, Clone, PartialEq)]
pub struct Opportunity {
    pub score: f64,
    /// The convexity proxy of a lone price path: the skewness of its simple returns.
    pub convexity: f64,
    pub tail_ratio: f64,
    pub volatility_ratio: f64,
    pub convexity_score: f64,
    pub asymmetry_score: f64,
    pub volatility_score: f64,
    pub n_returns: usize,
}

/// Scores the price path `prices` (positive, at least 4) given its current and historical
/// volatility, with component `weights` (convexity, asymmetry, volatility).
pub fn score_opportunity(
    prices: &[f64],
    current_volatility: f64,
    historical_volatility: f64,
    tail: f64,
    weights: [f64; 3],
) -> Result<Opportunity> {
    check_weights(weights)?;
    check_tail(tail)?;
    ensure!(
        current_volatility.is_finite() && current_volatility >= 0.0,
        "current_volatility must be finite and non-negative, got {current_volatility}"
    );
    ensure!(
        historical_volatility.is_finite() && historical_volatility > 0.0,
        "historical_volatility must be finite and positive, got {historical_volatility}"
    );
    check_finite(prices, "prices")?;
    ensure!(prices.len() >= 4, "prices must hold at least 4 values (3 returns), got {}", prices.len());
    if let Some(i) = prices.iter().position(|&p| p <= 0.0) {
        return Err(invalid!("prices must be positive: prices[{i}] is {}", prices[i]));
    }
    let r = try_collect(prices.windows(2).map(|w| w[1] / w[0] - 1.0), "the returns")?;
    let a = asymmetry(&r, tail)?;
    let convexity_score = 1.0 / (1.0 + (-a.skewness).exp());
    let asymmetry_score = a.tail_ratio / (1.0 + a.tail_ratio);
    let volatility_ratio = current_volatility / historical_volatility;
    ensure!(
        volatility_ratio.is_finite(),
        "current_volatility / historical_volatility overflows ({current_volatility} / {historical_volatility})"
    );
    let volatility_score = 1.0 / (1.0 + volatility_ratio);
    let parts = [convexity_score, asymmetry_score, volatility_score];
    let wsum: f64 = weights.iter().sum();
    let score = parts.iter().zip(weights).map(|(c, w)| c * w).sum::<f64>() / wsum;
    Ok(Opportunity {
        score: score.clamp(0.0, 1.0),
        convexity: a.skewness,
        tail_ratio: a.tail_ratio,
        volatility_ratio,
        convexity_score,
        asymmetry_score,
        volatility_score,
        n_returns: r.len(),
    })
}

/// Non-negative finite weights with a positive sum.
pub fn check_weights(w: [f64; 3]) -> Result<()> {
    ensure!(
        w.iter().all(|v| v.is_finite() && *v >= 0.0) && w.iter().sum::<f64>() > 0.0,
        "score_weights must be three finite non-negative numbers with a positive sum, got {w:?}"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn barbell_splits_capital() {
        assert_eq!(barbell(1000.0, 0.9).unwrap(), (900.0, 100.0));
        assert!(barbell(-1.0, 0.9).is_err());
        assert!(barbell(1.0, 1.5).is_err());
        assert!(barbell(f64::NAN, 0.5).is_err());
    }

    #[test]
    fn straddle_is_convex_and_short_put_concave() {
        let m: Vec<f64> = (0..201).map(|i| (i as f64 - 100.0) / 1000.0).collect();
        let straddle: Vec<f64> = m.iter().map(|v| v.abs() - 0.05).collect();
        let short_put: Vec<f64> = m.iter().map(|v| 0.01 - (-v).max(0.0)).collect();
        let c = quadratic_fit(&straddle, &m).unwrap();
        assert!(c.gamma > 0.0 && c.gamma_t.unwrap() > 10.0, "{c:?}");
        let p = quadratic_fit(&short_put, &m).unwrap();
        assert!(p.gamma < 0.0 && p.gamma_t.unwrap() < -10.0, "{p:?}");
        // an exact quadratic is recovered, and a perfect fit has no t-statistic
        let q: Vec<f64> = m.iter().map(|v| 0.001 + 0.5 * v + 3.0 * v * v).collect();
        let f = quadratic_fit(&q, &m).unwrap();
        assert!((f.gamma - 3.0).abs() < 1e-9 && (f.beta - 0.5).abs() < 1e-9 && (f.alpha - 0.001).abs() < 1e-12);
        assert!((f.r_squared - 1.0).abs() < 1e-12);
        assert!(quadratic_fit(&q, &[0.1; 201]).is_err());
    }

    #[test]
    fn asymmetry_of_known_samples() {
        let sym = [-2.0, -1.0, 0.0, 1.0, 2.0];
        let a = asymmetry(&sym, 0.2).unwrap();
        assert!(a.skewness.abs() < 1e-15 && (a.tail_ratio - 1.0).abs() < 1e-15 && a.gain_pain == Some(1.0));
        let right = [-1.0, -1.0, 0.0, 0.0, 5.0];
        let a = asymmetry(&right, 0.2).unwrap();
        assert!(a.skewness > 0.0 && a.tail_ratio == 5.0 && a.gain_pain == Some(2.5));
        assert!(asymmetry(&[1.0, 2.0, 3.0], 0.2).unwrap().gain_pain.is_none());
        assert!(asymmetry(&[1.0; 5], 0.2).is_err());
    }

    #[test]
    fn opportunity_scores_are_in_range_and_respond_to_volatility() {
        let p: Vec<f64> = (0..50).map(|i| 100.0 * (1.0 + 0.01 * ((i * 7) % 11) as f64 - 0.05)).collect();
        let cheap = score_opportunity(&p, 0.1, 0.3, 0.05, [1.0; 3]).unwrap();
        let dear = score_opportunity(&p, 0.3, 0.1, 0.05, [1.0; 3]).unwrap();
        assert!(cheap.score > dear.score && (0.0..=1.0).contains(&cheap.score));
        assert!((cheap.volatility_score - 0.75).abs() < 1e-15);
        assert!(score_opportunity(&[1.0, 2.0, -1.0, 3.0], 0.1, 0.1, 0.05, [1.0; 3]).is_err());
    }
}
