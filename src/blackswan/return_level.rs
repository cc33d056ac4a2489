//! Return levels and their confidence intervals: the delta method, profile likelihood and a
//! parallel, seeded bootstrap.
//!
//! Peaks over threshold (Coles §4.3.3): with exceedance rate ζ = N_u/n, the level exceeded on
//! average once every `m` observations is `x_m = u + σ/ξ((mζ)^ξ − 1)` (`u + σ ln(mζ)` at ξ = 0).
//! Block maxima (Coles §3.3.3): the level exceeded by a block maximum with probability `1/T` is
//! `z_T = μ + σ/ξ((−ln(1 − 1/T))^(−ξ) − 1)`. Both are `base + σ l expm1(ξl)/(ξl)` with
//! `l = ln(mζ)` or `l = −ln(−ln(1 − 1/T))`, evaluated continuously through ξ = 0.

use rayon::prelude::*;

use super::gev::{self, GevFit};
use super::gpd::{self, GpdFit};
use super::math::{expm1_ratio, expm1_ratio_slope, level, sorted_quantile};
use crate::control::Control;
use crate::error::{check_alloc, try_collect, Result};
use crate::optim::{brent_min, brent_root, nelder_mead};
use crate::rng::Stream;
use crate::special::{chi2_1_ppf, norm_ppf};
use crate::{ensure, invalid};

/// A fitted model with the data it was fitted to.
pub enum Model<'a> {
    /// Peaks over threshold: exceedances `y` of `threshold` among `num_obs` observations.
    Pot { y: &'a [f64], num_obs: usize, threshold: f64, fit: GpdFit },
    /// Block maxima `x`.
    Bm { x: &'a [f64], fit: GevFit },
}

/// How to compute the interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Ci {
    None,
    Delta,
    Profile,
    /// `num` replicates from stream `seed`; parametric (simulated from the fit) or by resampling
    /// the exceedances / block maxima with replacement (as pyextremes does).
    Bootstrap {
        num: usize,
        seed: u64,
        parametric: bool,
    },
}

/// Levels and interval bounds, one per period.
#[derive(Debug, Clone, PartialEq)]
pub struct Levels {
    pub level: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
}

impl Model<'_> {
    fn xi(&self) -> f64 {
        match self {
            Model::Pot { fit, .. } => fit.xi,
            Model::Bm { fit, .. } => fit.xi,
        }
    }

    fn sigma(&self) -> f64 {
        match self {
            Model::Pot { fit, .. } => fit.sigma,
            Model::Bm { fit, .. } => fit.sigma,
        }
    }

    fn base(&self) -> f64 {
        match self {
            Model::Pot { threshold, .. } => *threshold,
            Model::Bm { fit, .. } => fit.mu,
        }
    }

    fn loglik(&self) -> f64 {
        match self {
            Model::Pot { fit, .. } => fit.loglik,
            Model::Bm { fit, .. } => fit.loglik,
        }
    }

    /// The exceedance rate ζ = N_u/n of a POT model.
    fn rate(&self) -> f64 {
        match self {
            Model::Pot { y, num_obs, .. } => y.len() as f64 / *num_obs as f64,
            Model::Bm { .. } => 1.0,
        }
    }

    /// `l` for a period (validated).
    fn l_of(&self, period: f64) -> Result<f64> {
        ensure!(period.is_finite() && period > 1.0, "period must be a finite number above 1, got {period}");
        match self {
            Model::Pot { y, num_obs, .. } => {
                let mz = period * self.rate();
                ensure!(
                    mz > 1.0,
                    "period must exceed the mean spacing of the exceedances, n/N_u = {}/{} = {}: the return level of \
                     period {period} lies below the threshold",
                    num_obs,
                    y.len(),
                    *num_obs as f64 / y.len() as f64
                );
                Ok(mz.ln())
            }
            Model::Bm { .. } => Ok(-(-(-1.0 / period).ln_1p()).ln()),
        }
    }
}

/// The return levels of `periods` (observations for POT, blocks for block maxima) with intervals
/// of coverage `1 − alpha`.
pub fn return_levels(model: &Model<'_>, periods: &[f64], ci: Ci, alpha: f64, control: &Control) -> Result<Levels> {
    ensure!(alpha > 0.0 && alpha < 1.0, "alpha must be in (0, 1), got {alpha}");
    let ls = try_collect(periods.iter().map(|&p| model.l_of(p)), "the return levels")?
        .into_iter()
        .collect::<Result<Vec<_>>>()?;
    let (xi, sigma, base) = (model.xi(), model.sigma(), model.base());
    let level_v = try_collect(ls.iter().map(|&l| level(base, sigma, xi, l)), "the return levels")?;
    let (lower, upper) = match ci {
        Ci::None => (Vec::new(), Vec::new()),
        Ci::Delta => delta(model, &ls, &level_v, alpha)?,
        Ci::Profile => {
            let mut lo = try_collect(std::iter::repeat_n(0.0, ls.len()), "the interval bounds")?;
            let mut hi = lo.clone();
            for (k, &l) in ls.iter().enumerate() {
                control.check()?;
                (lo[k], hi[k]) = profile(model, l, level_v[k], alpha, control)?;
            }
            (lo, hi)
        }
        Ci::Bootstrap { num, seed, parametric } => bootstrap(model, &ls, num, seed, parametric, alpha, control)?,
    };
    Ok(Levels { level: level_v, lower, upper })
}

/// The gradient of a level in the model's parameters: POT (ζ, ξ, σ), block maxima (μ, σ, ξ).
fn delta(model: &Model<'_>, ls: &[f64], levels: &[f64], alpha: f64) -> Result<(Vec<f64>, Vec<f64>)> {
    let z = norm_ppf(1.0 - alpha / 2.0);
    let (xi, sigma) = (model.xi(), model.sigma());
    let none = || {
        invalid!(
            "the delta-method interval needs standard errors, which do not exist for this fit (xi = {xi} <= -0.5, or \
             an information matrix that is not positive definite): use ci=\"profile\" or ci=\"bootstrap\""
        )
    };
    let mut lo = try_collect(std::iter::repeat_n(0.0, ls.len()), "the interval bounds")?;
    let mut hi = lo.clone();
    for (k, &l) in ls.iter().enumerate() {
        let d_sigma = l * expm1_ratio(xi * l);
        let d_xi = sigma * l * l * expm1_ratio_slope(xi * l);
        let var = match model {
            Model::Pot { fit, num_obs, .. } => {
                let c = fit.cov.ok_or_else(none)?;
                let zeta = model.rate();
                let d_zeta = sigma * (xi * l).exp() / zeta;
                d_zeta * d_zeta * zeta * (1.0 - zeta) / *num_obs as f64
                    + d_xi * d_xi * c[0]
                    + 2.0 * d_xi * d_sigma * c[1]
                    + d_sigma * d_sigma * c[3]
            }
            Model::Bm { fit, .. } => {
                let c = fit.cov.ok_or_else(none)?;
                let g = [1.0, d_sigma, d_xi];
                (0..3).flat_map(|i| (0..3).map(move |j| (i, j))).map(|(i, j)| g[i] * g[j] * c[i * 3 + j]).sum()
            }
        };
        let se = var.max(0.0).sqrt();
        lo[k] = levels[k] - z * se;
        hi[k] = levels[k] + z * se;
    }
    Ok((lo, hi))
}

/// The profile log-likelihood of the level `x` at `l`: the likelihood maximised over the other
/// parameters with the level held at `x`.
fn profile_loglik(model: &Model<'_>, l: f64, x: f64, warm: &mut Vec<f64>, control: &Control) -> Result<f64> {
    match model {
        Model::Pot { y, threshold, fit, .. } => {
            let span = x - threshold;
            if span <= 0.0 {
                return Ok(f64::NEG_INFINITY);
            }
            let neg = |xi: f64| {
                let v = -gpd::loglik(y, xi, span / (l * expm1_ratio(xi * l)));
                Ok(if v.is_nan() { f64::INFINITY } else { v })
            };
            let (lo, hi) = (-0.999, (fit.xi + 3.0).clamp(2.0, 20.0));
            let grid: Vec<f64> = (0..=40).map(|k| lo + (hi - lo) * k as f64 / 40.0).collect();
            let vals = grid.iter().map(|&g| neg(g)).collect::<Result<Vec<f64>>>()?;
            let best = (0..grid.len()).min_by(|&a, &b| vals[a].total_cmp(&vals[b])).unwrap_or(0);
            if !vals[best].is_finite() {
                return Ok(f64::NEG_INFINITY);
            }
            let (a, b) = (grid[best.saturating_sub(1)], grid[(best + 1).min(grid.len() - 1)]);
            let (_, v) = brent_min(&mut |xi| neg(xi), a, b, 1e-10)?;
            Ok(-v.min(vals[best]))
        }
        Model::Bm { x: data, .. } => {
            let neg = |p: &[f64]| {
                let sigma = p[0].exp();
                let mu = x - sigma * l * expm1_ratio(p[1] * l);
                -gev::loglik(data, mu, sigma, p[1])
            };
            let start = warm.clone();
            let (p, v) = nelder_mead(&neg, &start, &[0.1, 0.1], 1e-11, 1e-8, 4000, control)?;
            let (p2, v2) = nelder_mead(&neg, &p, &[0.02, 0.02], 1e-11, 1e-8, 4000, control)?;
            let (p, v) = if v2 <= v { (p2, v2) } else { (p, v) };
            if v.is_finite() {
                *warm = p;
            }
            Ok(-v)
        }
    }
}

/// The profile-likelihood interval of the level `x_hat` at `l`: where the profile log-likelihood
/// falls `χ²₁(1 − α)/2` below its maximum. A side on which it never falls so far is unbounded
/// (±inf).
fn profile(model: &Model<'_>, l: f64, x_hat: f64, alpha: f64, control: &Control) -> Result<(f64, f64)> {
    let target = model.loglik() - chi2_1_ppf(1.0 - alpha) / 2.0;
    let start = match model {
        Model::Bm { fit, .. } => vec![fit.sigma.ln(), fit.xi],
        Model::Pot { .. } => vec![],
    };
    let floor = -1e200;
    let g = |x: f64, warm: &mut Vec<f64>| -> Result<f64> {
        control.check()?;
        let v = profile_loglik(model, l, x, warm, control)? - target;
        Ok(if v.is_finite() { v } else { floor })
    };
    let d = (x_hat - model.base()).abs().max(model.sigma()) * 0.05;
    let bound = |sign: f64| -> Result<f64> {
        let mut warm_side = start.clone();
        let (mut inner, mut g_inner) = (x_hat, chi2_1_ppf(1.0 - alpha) / 2.0);
        for k in 0..60 {
            let mut x = x_hat + sign * d * 2f64.powi(k);
            if let Model::Pot { threshold, .. } = model {
                if sign < 0.0 && x <= *threshold {
                    x = threshold + (inner - threshold) * 1e-9;
                }
            }
            let gx = g(x, &mut warm_side)?;
            if gx < 0.0 {
                let mut w = warm_side.clone();
                let mut f = |t: f64| g(t, &mut w);
                let tol = 1e-9 * x_hat.abs().max(d);
                return brent_root(&mut f, inner, x, g_inner, gx, tol);
            }
            (inner, g_inner) = (x, gx);
        }
        Ok(sign * f64::INFINITY)
    };
    let lower = bound(-1.0)?;
    let upper = bound(1.0)?;
    Ok((lower, upper))
}

/// The number of successes in `n` Bernoulli(`p`) trials, by geometric skipping (O(np) draws).
fn binomial(stream: &mut Stream, n: usize, p: f64) -> usize {
    if p >= 1.0 {
        return n;
    }
    let lq = (-p).ln_1p();
    let (mut pos, mut count) = (0.0f64, 0usize);
    loop {
        let v = 1.0 - stream.next_f64();
        pos += (v.ln() / lq).floor() + 1.0;
        if pos > n as f64 {
            return count;
        }
        count += 1;
    }
}

/// One bootstrap replicate's levels at `ls`, `None` when its refit fails.
fn replicate(
    model: &Model<'_>,
    ls: &[f64],
    stream: &mut Stream,
    parametric: bool,
    control: &Control,
) -> Result<Option<Vec<f64>>> {
    match model {
        Model::Pot { y, num_obs, threshold, fit } => {
            let n_u = if parametric { binomial(stream, *num_obs, model.rate()) } else { y.len() };
            let sample = if parametric {
                try_collect((0..n_u).map(|_| gpd::draw(stream, fit.xi, fit.sigma)), "a bootstrap sample")?
            } else {
                try_collect((0..n_u).map(|_| y[stream.below(y.len() as u64) as usize]), "a bootstrap sample")?
            };
            let f = match gpd::fit(&sample, control) {
                Ok(f) => f,
                Err(crate::Error::Interrupted) => return Err(crate::Error::Interrupted),
                Err(_) => return Ok(None),
            };
            let shift = (n_u as f64 / y.len() as f64).ln();
            Ok(Some(ls.iter().map(|&l| level(*threshold, f.sigma, f.xi, l + shift)).collect()))
        }
        Model::Bm { x, fit } => {
            let sample = if parametric {
                try_collect((0..x.len()).map(|_| gev::draw(stream, fit.mu, fit.sigma, fit.xi)), "a bootstrap sample")?
            } else {
                try_collect((0..x.len()).map(|_| x[stream.below(x.len() as u64) as usize]), "a bootstrap sample")?
            };
            match gev::fit(&sample, control) {
                Ok(f) => Ok(Some(ls.iter().map(|&l| level(f.mu, f.sigma, f.xi, l)).collect())),
                Err(crate::Error::Interrupted) => Err(crate::Error::Interrupted),
                Err(_) => Ok(None),
            }
        }
    }
}

/// Percentile bootstrap intervals: replicate `r` draws from `Stream::new(seed, r)`, so the
/// interval depends on the seed alone, never on the thread count.
fn bootstrap(
    model: &Model<'_>,
    ls: &[f64],
    num: usize,
    seed: u64,
    parametric: bool,
    alpha: f64,
    control: &Control,
) -> Result<(Vec<f64>, Vec<f64>)> {
    ensure!(num >= 10, "num_bootstrap must be at least 10, got {num}");
    check_alloc::<f64>((num as u128).saturating_mul(ls.len() as u128 + 3), "the bootstrap replicates")?;
    control.add_total(num as u64);
    let reps: Vec<Option<Vec<f64>>> = (0..num)
        .into_par_iter()
        .map(|r| {
            control.check()?;
            let mut stream = Stream::new(seed, r as u64);
            let out = replicate(model, ls, &mut stream, parametric, control);
            control.advance(1);
            out
        })
        .collect::<Result<_>>()?;
    let ok: Vec<&Vec<f64>> = reps.iter().flatten().collect();
    ensure!(
        ok.len() * 10 >= num * 9,
        "{} of {num} bootstrap refits failed (too few or constant exceedances in the resampled data): the fit is too \
         fragile for a bootstrap interval; use ci=\"delta\" or ci=\"profile\"",
        num - ok.len()
    );
    let mut lo = crate::error::try_with_capacity(ls.len(), "the interval bounds")?;
    let mut hi = crate::error::try_with_capacity(ls.len(), "the interval bounds")?;
    let mut column = try_collect(std::iter::repeat_n(0.0, ok.len()), "the bootstrap levels")?;
    for k in 0..ls.len() {
        for (c, rep) in column.iter_mut().zip(&ok) {
            *c = rep[k];
        }
        column.sort_by(f64::total_cmp);
        lo.push(sorted_quantile(&column, alpha / 2.0));
        hi.push(sorted_quantile(&column, 1.0 - alpha / 2.0));
    }
    Ok((lo, hi))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pot_sample(xi: f64, n_u: usize) -> Vec<f64> {
        let mut s = Stream::new(21, 0);
        (0..n_u).map(|_| gpd::draw(&mut s, xi, 1.0)).collect()
    }

    #[test]
    fn intervals_contain_the_level_and_agree_roughly() {
        let y = pot_sample(0.1, 300);
        let fit = gpd::fit(&y, &Control::new()).unwrap();
        let model = Model::Pot { y: &y, num_obs: 6000, threshold: 2.0, fit };
        let c = Control::new();
        let periods = [100.0, 1000.0];
        let d = return_levels(&model, &periods, Ci::Delta, 0.05, &c).unwrap();
        let p = return_levels(&model, &periods, Ci::Profile, 0.05, &c).unwrap();
        let b =
            return_levels(&model, &periods, Ci::Bootstrap { num: 200, seed: 3, parametric: true }, 0.05, &c).unwrap();
        for k in 0..2 {
            for r in [&d, &p, &b] {
                assert!(r.lower[k] < r.level[k] && r.level[k] < r.upper[k], "{r:?}");
            }
            let w = d.upper[k] - d.lower[k];
            assert!(((p.upper[k] - p.lower[k]) / w - 1.0).abs() < 0.6, "{d:?} {p:?}");
            assert!(((b.upper[k] - b.lower[k]) / w - 1.0).abs() < 0.6, "{d:?} {b:?}");
        }
        // the profile bounds are where the profile falls by chi2/2
        let target = model.loglik() - chi2_1_ppf(0.95) / 2.0;
        let l = model.l_of(100.0).unwrap();
        let at = profile_loglik(&model, l, p.upper[0], &mut vec![], &c).unwrap();
        assert!((at - target).abs() < 1e-6, "{at} vs {target}");
        // period 1/zeta is the threshold
        assert!(return_levels(&model, &[20.0], Ci::None, 0.05, &c).is_err());
    }

    #[test]
    fn bootstrap_is_thread_independent() {
        let y = pot_sample(0.2, 200);
        let fit = gpd::fit(&y, &Control::new()).unwrap();
        let model = Model::Pot { y: &y, num_obs: 4000, threshold: 0.0, fit };
        let ci = Ci::Bootstrap { num: 100, seed: 9, parametric: true };
        let run = |t| {
            crate::parallel::with_threads(Some(t), || return_levels(&model, &[500.0], ci, 0.1, &Control::new()))
                .unwrap()
                .unwrap()
        };
        assert_eq!(run(1), run(2));
    }

    #[test]
    fn gev_profile_and_delta() {
        let mut s = Stream::new(4, 4);
        let x: Vec<f64> = (0..200).map(|_| gev::draw(&mut s, 5.0, 1.0, 0.1)).collect();
        let c = Control::new();
        let fit = gev::fit(&x, &c).unwrap();
        let model = Model::Bm { x: &x, fit };
        let d = return_levels(&model, &[50.0], Ci::Delta, 0.05, &c).unwrap();
        let p = return_levels(&model, &[50.0], Ci::Profile, 0.05, &c).unwrap();
        assert!(p.lower[0] < d.level[0] && d.level[0] < p.upper[0]);
        assert!((p.lower[0] / d.lower[0] - 1.0).abs() < 0.2, "{d:?} {p:?}");
        assert!(binomial(&mut s, 1000, 1.0) == 1000 && binomial(&mut s, 1000, 0.0) == 0);
    }
}
