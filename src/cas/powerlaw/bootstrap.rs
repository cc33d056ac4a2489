//! The Clauset–Shalizi–Newman semi-parametric bootstrap: synthetic data sets draw each value
//! from the fitted power law with probability n_tail / n, else uniformly from the observed values
//! below x_min; each is fitted as the data were (x_min chosen again unless it was fixed), and p is
//! the fraction of synthetic KS distances at least the observed one.

use super::fit::{fit_sample, Options, PowerLaw};
use super::sample::Sample;
use super::zeta::hurwitz_zeta;
use crate::control::Control;
use crate::error::{check_alloc, try_with_capacity, Error, Result};
use crate::rng::Stream;
use rayon::prelude::*;

/// One draw from the fitted power law, by inversion of its CDF.
struct Tail {
    alpha: f64,
    xmin: f64,
    xmax: Option<f64>,
    discrete: bool,
    /// Continuous: 1 − (xmax/xmin)^(1−α) (or 1). Discrete: Σ_{k ≥ xmin} k^(−α) within xmax.
    mass: f64,
}

impl Tail {
    fn new(fit: &PowerLaw) -> Self {
        let (alpha, xmin, xmax) = (fit.alpha, fit.xmin, fit.options.xmax);
        let mass = if fit.options.discrete {
            hurwitz_zeta(alpha, xmin) - xmax.map_or(0.0, |t| hurwitz_zeta(alpha, t + 1.0))
        } else {
            xmax.map_or(1.0, |t| -(-(alpha - 1.0) * (t / xmin).ln()).exp_m1())
        };
        Self { alpha, xmin, xmax, discrete: fit.options.discrete, mass }
    }

    /// Mass beyond integer x (Σ_{k > x} k^(−α), within xmax).
    fn beyond(&self, x: f64) -> f64 {
        hurwitz_zeta(self.alpha, x + 1.0) - self.xmax.map_or(0.0, |t| hurwitz_zeta(self.alpha, t + 1.0))
    }

    fn draw(&self, s: &mut Stream) -> f64 {
        let r = 1.0 - s.next_f64(); // in (0, 1]
        let beta = self.alpha - 1.0;
        if !self.discrete {
            return self.xmin * (1.0 - (1.0 - r) * self.mass).powf(-1.0 / beta);
        }
        // The smallest integer x ≥ xmin whose mass beyond is at most r × total.
        let target = r * self.mass;
        let cap = self.xmax.unwrap_or(1e15).min(1e15);
        let guess = ((self.xmin - 0.5) * r.powf(-1.0 / beta) + 0.5).round().clamp(self.xmin, cap);
        let (mut lo, mut hi) = (guess - 1.0, guess);
        let mut step = 1.0;
        while lo >= self.xmin && self.beyond(lo) <= target {
            hi = lo;
            lo = (lo - step).max(self.xmin - 1.0);
            step *= 2.0;
        }
        step = 1.0;
        while hi < cap && self.beyond(hi) > target {
            lo = hi;
            hi = (hi + step).min(cap);
            step *= 2.0;
        }
        while hi - lo > 1.0 {
            let mid = (0.5 * (lo + hi)).floor();
            if mid >= self.xmin && self.beyond(mid) <= target {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        hi
    }
}

/// (p, the synthetic KS distances) from `num_sims` synthetic data sets; simulation i uses the
/// stream `Stream::new(seed, i)`, so the result does not depend on the number of threads. A
/// synthetic set that cannot be fitted (too few distinct values) counts as D = +inf.
pub fn goodness_of_fit(fit: &PowerLaw, num_sims: usize, seed: u64, control: &Control) -> Result<(f64, Vec<f64>)> {
    check_alloc::<f64>(num_sims as u128, "the synthetic KS distances")?;
    check_alloc::<f64>(2 * fit.sample.len() as u128, "a synthetic data set")?;
    let tail = Tail::new(fit);
    let n = fit.sample.len();
    let k = fit.tail_start;
    let body = &fit.sample.x[..k];
    let fixed = fit.options.xmin.is_some();
    let size = if fixed { n - k } else { n };
    let p_tail = (n - k) as f64 / n as f64;
    let opts: Options = fit.options;
    control.add_total(num_sims as u64);
    let ds: Vec<f64> = (0..num_sims)
        .into_par_iter()
        .map(|i| -> Result<f64> {
            control.check()?;
            let mut s = Stream::new(seed, i as u64);
            let mut data = try_with_capacity(size, "a synthetic data set")?;
            for _ in 0..size {
                let from_tail = fixed || body.is_empty() || s.next_f64() < p_tail;
                data.push(if from_tail { tail.draw(&mut s) } else { body[s.below(body.len() as u64) as usize] });
            }
            let sample = Sample::new(data)?;
            let d = match fit_sample(sample, opts, 0, control) {
                Ok(f) => f.d,
                Err(Error::InvalidInput(_)) => f64::INFINITY,
                Err(e) => return Err(e),
            };
            control.advance(1);
            Ok(d)
        })
        .collect::<Result<Vec<f64>>>()?;
    let above = ds.iter().filter(|&&d| d >= fit.d).count();
    Ok((above as f64 / num_sims as f64, ds))
}
