//! The alternatives' log-densities (continuous) and log-probabilities (discrete) on the tail's
//! support, normalised exactly on [x_min, x_max] (to infinity without x_max).
//!
//! Discrete forms, as powerlaw 2.0.0 defines them: the exponential and the truncated power law
//! are x's weight over the sum of the weights of the integers in the support (powerlaw's closed
//! forms stop one integer short of x_max; the sums here include it); the stretched exponential and
//! the lognormal are the continuous law rounded to the nearest integer, P(x − ½ < X < x + ½) over
//! P(x_min − ½ < X < x_max + ½), with the interval masses taken without cancellation.

use super::alternatives::Alternative;
use super::logspecial::{ln_erfc, ln_erfc_diff, ln_one_minus_exp, ln_upper_gamma};
use crate::error::{try_with_capacity, Result};
use std::f64::consts::{PI, SQRT_2};

/// Where the tail lives: the reals or the integers from `xmin`, up to `xmax` when given.
#[derive(Debug, Clone, Copy)]
pub struct Support {
    pub xmin: f64,
    pub xmax: Option<f64>,
    pub discrete: bool,
}

/// Integers the discrete truncated power law sums term by term before Euler–Maclaurin takes over.
const DIRECT_TERMS: usize = 4096;

/// One alternative on one support, with what its normalisation reuses across parameter values.
pub struct Model {
    dist: Alternative,
    s: Support,
    /// ln k for the integers k = x_min, x_min + 1, … summed directly (discrete truncated power law).
    ln_k: Vec<f64>,
}

impl Model {
    pub fn new(dist: Alternative, s: Support) -> Result<Self> {
        crate::ensure!(dist != Alternative::PowerLaw, "the power law's likelihood is the fit's own");
        let mut ln_k = Vec::new();
        if s.discrete && dist == Alternative::TruncatedPowerLaw {
            let span = s.xmax.map_or(DIRECT_TERMS, |t| ((t - s.xmin) as usize + 1).min(DIRECT_TERMS));
            ln_k = try_with_capacity(span, "the truncated power law's terms")?;
            ln_k.extend((0..span).map(|j| (s.xmin + j as f64).ln()));
        }
        Ok(Self { dist, s, ln_k })
    }

    /// ln p(x) as a function of (x, ln x) for parameters `p` (powerlaw's names and order); the
    /// normalisation is computed once here.
    pub fn log_density(&self, p: &[f64]) -> impl Fn(f64, f64) -> f64 + '_ {
        let Support { xmin, xmax, discrete } = self.s;
        let (p0, p1) = (p[0], p.get(1).copied().unwrap_or(f64::NAN));
        // The logarithm of the normalising constant, as the offset c (NaN for the power law, which
        // `new` refuses).
        let dist = self.dist;
        let c = match (dist, discrete) {
            (Alternative::PowerLaw, _) => f64::NAN,
            (Alternative::Exponential, false) => {
                let cut = xmax.map_or(0.0, |t| ln_one_minus_exp(p0 * (t - xmin)));
                p0.ln() - cut
            }
            (Alternative::Exponential, true) => {
                let cut = xmax.map_or(0.0, |t| ln_one_minus_exp(p0 * (t - xmin + 1.0)));
                ln_one_minus_exp(p0) - cut
            }
            (Alternative::StretchedExponential, false) => {
                let u0 = (p0 * xmin).powf(p1);
                let cut = xmax.map_or(0.0, |t| ln_one_minus_exp(u0 * (p1 * (t / xmin).ln()).exp_m1()));
                p1.ln() + p0.ln() + u0 - cut
            }
            (Alternative::StretchedExponential, true) => {
                let a0 = xmin - 0.5;
                let u0 = (p0 * a0).powf(p1);
                let cut = xmax.map_or(0.0, |t| ln_one_minus_exp(u0 * (p1 * ((t + 0.5) / a0).ln()).exp_m1()));
                u0 - cut
            }
            (Alternative::TruncatedPowerLaw, false) => {
                let a = 1.0 - p0;
                let g0 = ln_upper_gamma(a, p1 * xmin);
                let mass = xmax.map_or(g0, |t| g0 + ln_one_minus_exp(g0 - ln_upper_gamma(a, p1 * t)));
                a * p1.ln() - mass
            }
            (Alternative::TruncatedPowerLaw, true) => -self.ln_tpl_sum(p0, p1),
            (Alternative::Lognormal, false) => {
                let k = 1.0 / (p1 * SQRT_2);
                let z0 = (xmin.ln() - p0) * k;
                let mass = xmax.map_or_else(|| ln_erfc(z0), |t| ln_erfc_diff(z0, (t / xmin).ln() * k));
                -p1.ln() - 0.5 * (PI / 2.0).ln() - mass
            }
            (Alternative::Lognormal, true) => {
                let k = 1.0 / (p1 * SQRT_2);
                let a0 = xmin - 0.5;
                let z0 = (a0.ln() - p0) * k;
                let mass = xmax.map_or_else(|| ln_erfc(z0), |t| ln_erfc_diff(z0, ((t + 0.5) / a0).ln() * k));
                -mass
            }
        };
        move |x: f64, ln_x: f64| -> f64 {
            match (dist, discrete) {
                (Alternative::Exponential, false) => c + p0 * (xmin - x),
                (Alternative::Exponential, true) => c - p0 * (x - xmin),
                (Alternative::StretchedExponential, false) => c + (p1 - 1.0) * (p0.ln() + ln_x) - (p0 * x).powf(p1),
                (Alternative::StretchedExponential, true) => {
                    // P(x − ½ < X < x + ½) = e^(−u) (1 − e^(−Δu)), Δu = u ((1 + 1/a)^β − 1).
                    let a = x - 0.5;
                    let u = (p0 * a).powf(p1);
                    c - u + ln_one_minus_exp(u * (p1 * (1.0 / a).ln_1p()).exp_m1())
                }
                (Alternative::TruncatedPowerLaw, false) => c - p0 * ln_x - p1 * x,
                (Alternative::TruncatedPowerLaw, true) => c - p0 * ln_x - p1 * (x - xmin),
                (Alternative::Lognormal, false) => c - ln_x - (ln_x - p0) * (ln_x - p0) / (2.0 * p1 * p1),
                (Alternative::Lognormal, true) => {
                    let a = x - 0.5;
                    let k = 1.0 / (p1 * SQRT_2);
                    c + ln_erfc_diff((a.ln() - p0) * k, (1.0 / a).ln_1p() * k)
                }
                (Alternative::PowerLaw, _) => f64::NAN,
            }
        }
    }

    /// ln Σ_{k = x_min}^{x_max} k^(−α) e^(−λ (k − x_min)) (to infinity without x_max): the first
    /// integers term by term, the rest, when they still matter, by Euler–Maclaurin.
    fn ln_tpl_sum(&self, alpha: f64, lambda: f64) -> f64 {
        let Support { xmin, xmax, .. } = self.s;
        let ratio = -(-lambda).exp_m1();
        let mut sum = 0.0;
        for (j, lk) in self.ln_k.iter().enumerate() {
            let t = (-alpha * lk - lambda * j as f64).exp();
            sum += t;
            // α, λ > 0: the terms fall at least as e^(−λ), so the rest is below t / (1 − e^(−λ)).
            if t < 1e-17 * sum * ratio {
                return sum.ln();
            }
        }
        let n = xmin + self.ln_k.len() as f64;
        if xmax.is_some_and(|t| t < n) {
            return sum.ln();
        }
        // Here λ ≲ 0.01 and n ≥ 4096, so |d ln f / dk| ≲ 0.011 and three correction terms leave an
        // error below 1e-18 of f(n).
        let f = |k: f64| (-alpha * k.ln() - lambda * (k - xmin)).exp();
        // The odd derivatives f', f''', f⁽⁵⁾ from those of g = ln f.
        let odd = |k: f64| {
            let (g1, g2, g3) = (-alpha / k - lambda, alpha / (k * k), -2.0 * alpha / (k * k * k));
            let (g4, g5) = (6.0 * alpha / k.powi(4), -24.0 * alpha / k.powi(5));
            let d1 = g1;
            let d3 = g3 + 3.0 * g1 * g2 + g1 * g1 * g1;
            let d5 = g5
                + 5.0 * g4 * g1
                + 10.0 * g3 * g2
                + 10.0 * g3 * g1 * g1
                + 15.0 * g2 * g2 * g1
                + 10.0 * g2 * g1.powi(3)
                + g1.powi(5);
            let fk = f(k);
            [fk * d1, fk * d3, fk * d5]
        };
        const C: [f64; 3] = [1.0 / 12.0, -1.0 / 720.0, 1.0 / 30240.0];
        let a = 1.0 - alpha;
        let g_n = ln_upper_gamma(a, lambda * n);
        let mut integral = lambda * xmin - a * lambda.ln() + g_n;
        let mut tail = 0.5 * f(n) - C.iter().zip(odd(n)).map(|(c, d)| c * d).sum::<f64>();
        if let Some(t) = xmax {
            integral += ln_one_minus_exp(g_n - ln_upper_gamma(a, lambda * t));
            tail += 0.5 * f(t) + C.iter().zip(odd(t)).map(|(c, d)| c * d).sum::<f64>();
        }
        (sum + integral.exp() + tail).ln()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(dist: Alternative, xmin: f64, xmax: Option<f64>, discrete: bool) -> Model {
        Model::new(dist, Support { xmin, xmax, discrete }).unwrap()
    }

    /// Σ p(k) over the support's integers (brute force, to `upto` without x_max).
    fn total_mass(m: &Model, p: &[f64], upto: f64) -> f64 {
        let f = m.log_density(p);
        let end = m.s.xmax.unwrap_or(upto);
        let mut k = m.s.xmin;
        let mut s = 0.0;
        while k <= end {
            s += f(k, k.ln()).exp();
            k += 1.0;
        }
        s
    }

    #[test]
    fn discrete_laws_sum_to_one() {
        let cases: [(Alternative, &[f64]); 7] = [
            (Alternative::Exponential, &[0.3]),
            (Alternative::StretchedExponential, &[0.2, 0.7]),
            (Alternative::TruncatedPowerLaw, &[1.7, 0.05]),
            (Alternative::TruncatedPowerLaw, &[0.5, 0.02]),
            (Alternative::TruncatedPowerLaw, &[2.2, 0.001]),
            (Alternative::Lognormal, &[1.0, 1.2]),
            (Alternative::Lognormal, &[-2.0, 3.0]),
        ];
        for (dist, p) in cases {
            for (xmin, xmax) in [(1.0, None), (3.0, Some(40.0)), (7.0, Some(7.0e4))] {
                let m = model(dist, xmin, xmax, true);
                // Without x_max: far enough for the heavy ones (the rest is bounded analytically).
                let s = total_mass(&m, p, 2.0e6);
                let tol = if xmax.is_none() && dist == Alternative::Lognormal { 1e-7 } else { 1e-11 };
                assert!((s - 1.0).abs() < tol, "{dist:?} {p:?} {xmin} {xmax:?}: {s}");
            }
        }
    }

    #[test]
    fn euler_maclaurin_tail_equals_direct_sum() {
        // λ small enough that the direct loop hands over at x_min + 4096; against a long direct sum.
        for &(alpha, lambda, xmax) in &[(1.5, 1e-3, None), (0.7, 2e-3, None), (2.5, 5e-4, Some(30000.0))] {
            let m = model(Alternative::TruncatedPowerLaw, 2.0, xmax, true);
            let end = xmax.unwrap_or(200_000.0);
            let mut direct = 0.0;
            let mut k = 2.0f64;
            while k <= end {
                direct += (-alpha * k.ln() - lambda * (k - 2.0)).exp();
                k += 1.0;
            }
            if xmax.is_none() {
                // The rest beyond 200000 is below e^(−λ·2e5)/λ relative: negligible for these λ.
                assert!((-lambda * 2e5f64).exp() / lambda < 1e-14);
            }
            let got = m.ln_tpl_sum(alpha, lambda).exp();
            assert!((got / direct - 1.0).abs() < 1e-12, "{alpha} {lambda}: {got} {direct}");
        }
    }

    #[test]
    fn continuous_laws_integrate_to_one_with_xmax() {
        let cases: [(Alternative, &[f64]); 4] = [
            (Alternative::Exponential, &[0.3]),
            (Alternative::StretchedExponential, &[0.2, 0.7]),
            (Alternative::TruncatedPowerLaw, &[1.7, 0.05]),
            (Alternative::Lognormal, &[1.0, 1.2]),
        ];
        for (dist, p) in cases {
            let m = model(dist, 2.0, Some(30.0), false);
            let f = m.log_density(p);
            // Simpson on a log grid.
            let n = 20000;
            let (a, b) = (2f64.ln(), 30f64.ln());
            let h = (b - a) / n as f64;
            let g = |i: usize| {
                let l = a + h * i as f64;
                f(l.exp(), l).exp() * l.exp()
            };
            let s = (0..=n)
                .map(|i| {
                    g(i) * if i == 0 || i == n {
                        1.0
                    } else if i % 2 == 1 {
                        4.0
                    } else {
                        2.0
                    }
                })
                .sum::<f64>()
                * h
                / 3.0;
            assert!((s - 1.0).abs() < 1e-9, "{dist:?}: {s}");
        }
    }
}
