//! VaR backtests: Kupiec's proportion-of-failures test, Christoffersen's independence and
//! conditional-coverage tests, and the Basel traffic light.
//!
//! Likelihoods use the limit 0·log 0 = 0, so sequences without exceptions, or without some kind of
//! transition, have finite statistics.

use crate::control::Control;
use crate::error::Result;
use crate::special::{chi2_sf, inc_beta};

/// What a hit sequence holds: its length, its exceptions and its transitions (n_ij: a day in
/// state i followed by a day in state j; 1 is an exception).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub n: u64,
    pub x: u64,
    pub n00: u64,
    pub n01: u64,
    pub n10: u64,
    pub n11: u64,
}

/// Counts a hit sequence (`true`: the loss exceeded the VaR), checking the control now and then.
pub fn count(hits: impl Iterator<Item = bool>, control: &Control) -> Result<Counts> {
    let mut c = Counts::default();
    let mut previous: Option<bool> = None;
    for (k, h) in hits.enumerate() {
        if k % (1 << 20) == 0 {
            control.check()?;
        }
        c.n += 1;
        c.x += u64::from(h);
        match (previous, h) {
            (Some(false), false) => c.n00 += 1,
            (Some(false), true) => c.n01 += 1,
            (Some(true), false) => c.n10 += 1,
            (Some(true), true) => c.n11 += 1,
            (None, _) => {}
        }
        previous = Some(h);
    }
    Ok(c)
}

/// a·ln(b) with 0·ln 0 = 0.
fn xlogy(a: f64, b: f64) -> f64 {
    if a == 0.0 {
        0.0
    } else {
        a * b.ln()
    }
}

/// The log-likelihood of `k1` successes and `k0` failures under the probability `p`.
fn bernoulli_ll(k0: f64, k1: f64, p: f64) -> f64 {
    xlogy(k0, 1.0 - p) + xlogy(k1, p)
}

/// A likelihood-ratio statistic, never below 0 (rounding can make it −1e-16).
fn lr(restricted: f64, unrestricted: f64) -> f64 {
    (-2.0 * (restricted - unrestricted)).max(0.0)
}

/// Kupiec's POF statistic: −2 ln[(1−α)^{n−x} α^x / ((1−x/n)^{n−x} (x/n)^x)] ~ χ²(1).
pub fn kupiec(c: &Counts, alpha: f64) -> Result<(f64, f64)> {
    crate::risk::var::check_alpha(alpha)?;
    crate::ensure!(c.n > 0, "hits must not be empty");
    let (n, x) = (c.n as f64, c.x as f64);
    let stat = lr(bernoulli_ll(n - x, x, alpha), bernoulli_ll(n - x, x, x / n));
    Ok((stat, chi2_sf(stat, 1.0)))
}

/// Christoffersen's tests: (conditional coverage statistic and p-value, independence statistic and
/// p-value, Kupiec's POF statistic and p-value).
pub fn christoffersen(c: &Counts, alpha: f64) -> Result<[f64; 6]> {
    crate::ensure!(c.n >= 2, "hits must hold at least 2 observations for the independence test, got {}", c.n);
    let (pof, pof_p) = kupiec(c, alpha)?;
    let (n00, n01, n10, n11) = (c.n00 as f64, c.n01 as f64, c.n10 as f64, c.n11 as f64);
    let pi0 = if n00 + n01 > 0.0 { n01 / (n00 + n01) } else { 0.0 };
    let pi1 = if n10 + n11 > 0.0 { n11 / (n10 + n11) } else { 0.0 };
    let pi = (n01 + n11) / (n00 + n01 + n10 + n11);
    let restricted = bernoulli_ll(n00 + n10, n01 + n11, pi);
    let unrestricted = bernoulli_ll(n00, n01, pi0) + bernoulli_ll(n10, n11, pi1);
    let ind = lr(restricted, unrestricted);
    let cc = pof + ind;
    Ok([cc, chi2_sf(cc, 2.0), ind, chi2_sf(ind, 1.0), pof, pof_p])
}

/// P(X ≤ k) for X ~ Binomial(n, p).
pub fn binomial_cdf(k: u64, n: u64, p: f64) -> f64 {
    if k >= n {
        return 1.0;
    }
    // P(X ≤ k) = I_{1−p}(n − k, k + 1)
    inc_beta((n - k) as f64, (k + 1) as f64, 1.0 - p)
}

/// The Basel traffic-light zone of `exceptions` in `n` observations of a VaR at level `alpha`:
/// green while P(X ≤ exceptions) < 95%, yellow while < 99.99%, red beyond.
pub fn traffic_light(exceptions: u64, n: u64, alpha: f64) -> Result<(&'static str, f64)> {
    crate::risk::var::check_alpha(alpha)?;
    crate::ensure!(n > 0, "num_observations must be at least 1");
    crate::ensure!(exceptions <= n, "num_exceptions ({exceptions}) cannot exceed num_observations ({n})");
    let p = binomial_cdf(exceptions, n, alpha);
    let zone = if p < 0.95 {
        "green"
    } else if p < 0.9999 {
        "yellow"
    } else {
        "red"
    };
    Ok((zone, p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basel_table() {
        for k in 0..=4 {
            assert_eq!(traffic_light(k, 250, 0.01).unwrap().0, "green", "{k}");
        }
        for k in 5..=9 {
            assert_eq!(traffic_light(k, 250, 0.01).unwrap().0, "yellow", "{k}");
        }
        for k in 10..=20 {
            assert_eq!(traffic_light(k, 250, 0.01).unwrap().0, "red", "{k}");
        }
        assert!((traffic_light(4, 250, 0.01).unwrap().1 - 0.8922).abs() < 1e-4);
    }

    #[test]
    fn zero_exceptions_are_finite() {
        let hits = [false; 100];
        let c = count(hits.iter().copied(), &Control::new()).unwrap();
        let (s, p) = kupiec(&c, 0.01).unwrap();
        assert!((s - (-2.0 * 100.0 * 0.99f64.ln())).abs() < 1e-12);
        assert!(p > 0.0 && p < 1.0);
        let r = christoffersen(&c, 0.01).unwrap();
        assert_eq!(r[2], 0.0);
    }
}
