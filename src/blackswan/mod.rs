//! `quantumpanarchy.blackswan`: extreme value theory (peaks over threshold with the generalized
//! Pareto distribution, block maxima with the GEV, Hill's estimator, EVT VaR/ES, return levels
//! with intervals). Plain Rust, no PyO3: the bindings are in `src/python/blackswan.rs`.
//!
//! Conventions are Coles' (*An Introduction to Statistical Modeling of Extreme Values*, 2001):
//! the shape ξ > 0 is a heavy tail, for the GPD and the GEV alike.

pub mod diagnostics;
pub mod gev;
pub mod gpd;
pub mod math;
pub mod return_level;

use crate::error::{check_finite, try_collect, Result};
use crate::{ensure, invalid};

/// The fewest exceedances (GPD) or block maxima (GEV) a fit accepts.
pub const MIN_POINTS: usize = 10;

/// `Err(InvalidInput)` unless `data` is non-empty and finite.
pub fn check_data(data: &[f64], name: &str) -> Result<()> {
    ensure!(!data.is_empty(), "{name} must not be empty");
    check_finite(data, name)
}

/// The `q`-quantile of `data` by linear interpolation between order statistics (numpy's default
/// `np.quantile(data, q)`), in O(n) time on a copy.
pub fn quantile(data: &[f64], q: f64) -> Result<f64> {
    ensure!(!data.is_empty(), "cannot take a quantile of empty data");
    ensure!((0.0..=1.0).contains(&q), "the quantile level must be in [0, 1], got {q}");
    let mut v = try_collect(data.iter().copied(), "a copy of the data")?;
    let n = v.len();
    let h = (n - 1) as f64 * q;
    let lo = (h.floor() as usize).min(n - 1);
    let (_, &mut a, rest) = v.select_nth_unstable_by(lo, f64::total_cmp);
    let frac = h - lo as f64;
    if frac == 0.0 || rest.is_empty() {
        return Ok(a);
    }
    let b = rest.iter().copied().fold(f64::INFINITY, f64::min);
    Ok(a + frac * (b - a))
}

/// The exceedances `x - u` of the values `x > u`.
pub fn exceedances(data: &[f64], threshold: f64) -> Result<Vec<f64>> {
    let count = data.iter().filter(|&&x| x > threshold).count();
    let mut y = crate::error::try_with_capacity(count, "the exceedances")?;
    y.extend(data.iter().filter(|&&x| x > threshold).map(|&x| x - threshold));
    Ok(y)
}

/// `Err(InvalidInput)` unless `y` has enough distinct points to fit a two-parameter tail.
pub fn check_sample(y: &[f64], what: &str, hint: &str) -> Result<()> {
    ensure!(y.len() >= MIN_POINTS, "a fit needs at least {MIN_POINTS} {what}, got {}{hint}", y.len());
    let (lo, hi) = y.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
    if lo == hi {
        return Err(invalid!("the {what} are all equal ({lo}): a constant sample has no tail to fit"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_matches_numpy_linear() {
        let d = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0];
        // np.quantile(d, 0.95) = 7.949999999999999
        assert!((quantile(&d, 0.95).unwrap() - 7.95).abs() < 1e-12);
        assert_eq!(quantile(&d, 0.0).unwrap(), 1.0);
        assert_eq!(quantile(&d, 1.0).unwrap(), 9.0);
        assert!((quantile(&d, 0.5).unwrap() - 3.5).abs() < 1e-15);
    }

    #[test]
    fn constant_and_small_samples_are_refused() {
        assert!(check_sample(&[1.0; 20], "exceedances", "").is_err());
        assert!(check_sample(&[1.0, 2.0], "exceedances", "").is_err());
        assert!(check_data(&[], "data").is_err());
        assert!(check_data(&[f64::NAN], "data").is_err());
    }
}
