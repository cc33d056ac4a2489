//! The parameters of a Gaussian HMM, their checks, and the emission log-densities.

use super::{MAX_FEATURES, MAX_STATES};
use crate::control::Control;
use crate::error::{check_finite_matrix, try_vec, Result};
use crate::rng::Stream;
use crate::{ensure, invalid};
use std::f64::consts::PI;

/// The form of each state's covariance matrix (hmmlearn's `covariance_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Covariance {
    /// Independent features: `d` variances per state.
    Diag,
    /// A full `d × d` covariance matrix per state.
    Full,
}

impl Covariance {
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "diag" => Ok(Self::Diag),
            "full" => Ok(Self::Full),
            other => Err(invalid!("covariance_type must be 'diag' or 'full', got {other:?}")),
        }
    }

    /// Values per state: `d` (diagonal) or `d²` (full).
    pub fn per_state(self, d: usize) -> usize {
        match self {
            Self::Diag => d,
            Self::Full => d * d,
        }
    }
}

/// A Gaussian HMM of `k` states over `d` features. Matrices are row-major: `transmat[i*k + j]` is
/// P(next = j | now = i); `means[s*d + f]`; `covars[s*d + f]` (diagonal) or `covars[s*d*d + f*d + g]`
/// (full).
#[derive(Debug, Clone, PartialEq)]
pub struct Hmm {
    pub k: usize,
    pub d: usize,
    pub cov: Covariance,
    pub startprob: Vec<f64>,
    pub transmat: Vec<f64>,
    pub means: Vec<f64>,
    pub covars: Vec<f64>,
}

/// Probabilities that must sum to one: within this of 1 (numpy's `allclose`, as hmmlearn checks).
const SUM_TOL: f64 = 1e-6;

impl Hmm {
    /// Checks shapes, probabilities and covariances.
    pub fn validate(&self) -> Result<()> {
        let (k, d) = (self.k, self.d);
        ensure!((1..=MAX_STATES).contains(&k), "the number of states must be between 1 and {MAX_STATES}, got {k}");
        ensure!(
            (1..=MAX_FEATURES).contains(&d),
            "the number of features must be between 1 and {MAX_FEATURES}, got {d}"
        );
        ensure!(self.startprob.len() == k, "startprob must have {k} values, got {}", self.startprob.len());
        ensure!(self.transmat.len() == k * k, "transmat must be {k}×{k}, got {} values", self.transmat.len());
        ensure!(self.means.len() == k * d, "means must be {k}×{d}, got {} values", self.means.len());
        let per = self.cov.per_state(d);
        ensure!(self.covars.len() == k * per, "covars must hold {} values, got {}", k * per, self.covars.len());
        check_probabilities(&self.startprob, k, "startprob")?;
        check_probabilities(&self.transmat, k, "transmat")?;
        check_finite_matrix(&self.means, d, "means")?;
        check_finite_matrix(&self.covars, per, "covars")?;
        for s in 0..k {
            let c = &self.covars[s * per..(s + 1) * per];
            match self.cov {
                Covariance::Diag => {
                    if let Some(f) = c.iter().position(|&v| v <= 0.0) {
                        return Err(invalid!("covars must be positive: state {s}, feature {f} has variance {}", c[f]));
                    }
                }
                Covariance::Full => {
                    crate::error::check_symmetric(c, d, 1e-8, &format!("covars[{s}]"))?;
                    cholesky(c, d).ok_or_else(|| invalid!("covars[{s}] must be positive definite"))?;
                }
            }
        }
        Ok(())
    }

    /// The trace of state `s`'s covariance (its total variance), which orders the regimes.
    pub fn total_variance(&self, s: usize) -> f64 {
        let d = self.d;
        match self.cov {
            Covariance::Diag => self.covars[s * d..(s + 1) * d].iter().sum(),
            Covariance::Full => (0..d).map(|f| self.covars[s * d * d + f * d + f]).sum(),
        }
    }

    /// The model with its states renumbered: new state `i` is old state `order[i]`.
    pub fn permuted(&self, order: &[usize]) -> Hmm {
        let (k, d, per) = (self.k, self.d, self.cov.per_state(self.d));
        let mut out = self.clone();
        for (i, &oi) in order.iter().enumerate() {
            out.startprob[i] = self.startprob[oi];
            for (j, &oj) in order.iter().enumerate() {
                out.transmat[i * k + j] = self.transmat[oi * k + oj];
            }
            out.means[i * d..(i + 1) * d].copy_from_slice(&self.means[oi * d..(oi + 1) * d]);
            out.covars[i * per..(i + 1) * per].copy_from_slice(&self.covars[oi * per..(oi + 1) * per]);
        }
        out
    }

    /// The state order by increasing total variance (ties keep their order).
    pub fn volatility_order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.k).collect();
        let v: Vec<f64> = (0..self.k).map(|s| self.total_variance(s)).collect();
        order.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
        order
    }

    /// The emission densities, factorised once per parameter set.
    pub fn emissions(&self) -> Result<Emissions> {
        Emissions::new(self)
    }
}

/// `rows` rows of `k` non-negative probabilities that each sum to one.
fn check_probabilities(p: &[f64], k: usize, name: &str) -> Result<()> {
    for (r, row) in p.chunks(k).enumerate() {
        if let Some(j) = row.iter().position(|v| !(v.is_finite() && *v >= 0.0)) {
            let at = if p.len() == k { format!("{name}[{j}]") } else { format!("{name}[{r},{j}]") };
            return Err(invalid!("{name} must hold probabilities in [0, 1]: {at} is {}", row[j]));
        }
        let sum: f64 = row.iter().sum();
        if (sum - 1.0).abs() > SUM_TOL {
            let which = if p.len() == k { String::new() } else { format!(" (row {r})") };
            return Err(invalid!("{name} must sum to 1{which}, got {sum}"));
        }
    }
    Ok(())
}

/// The lower Cholesky factor of the symmetric `d × d` matrix `a`, or `None` unless it is positive
/// definite.
pub fn cholesky(a: &[f64], d: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; d * d];
    for i in 0..d {
        for j in 0..=i {
            let mut s = a[i * d + j];
            for p in 0..j {
                s -= l[i * d + p] * l[j * d + p];
            }
            if i == j {
                if !(s > 0.0 && s.is_finite()) {
                    return None;
                }
                l[i * d + i] = s.sqrt();
            } else {
                l[i * d + j] = s / l[j * d + j];
            }
        }
    }
    Some(l)
}

/// Each state's Gaussian, ready to evaluate: `ln N(x; μ, Σ) = norm - ½ (x-μ)ᵀ Σ⁻¹ (x-μ)`.
pub struct Emissions {
    k: usize,
    d: usize,
    cov: Covariance,
    means: Vec<f64>,
    /// Diagonal: 1/σ² per state and feature. Full: the lower Cholesky factors.
    factors: Vec<f64>,
    norm: Vec<f64>,
}

impl Emissions {
    fn new(m: &Hmm) -> Result<Self> {
        let (k, d) = (m.k, m.d);
        let per = m.cov.per_state(d);
        let mut factors = Vec::with_capacity(k * per);
        let mut norm = Vec::with_capacity(k);
        let base = -0.5 * d as f64 * (2.0 * PI).ln();
        for s in 0..k {
            let c = &m.covars[s * per..(s + 1) * per];
            match m.cov {
                Covariance::Diag => {
                    // hmmlearn evaluates max(σ², tiny) so a zero variance gives no NaN; ours are
                    // floored to be positive.
                    let c: Vec<f64> = c.iter().map(|&v| v.max(f64::MIN_POSITIVE)).collect();
                    norm.push(base - 0.5 * c.iter().map(|v| v.ln()).sum::<f64>());
                    factors.extend(c.iter().map(|v| 1.0 / v));
                }
                Covariance::Full => {
                    let l = cholesky(c, d).ok_or_else(|| invalid!("covars[{s}] must be positive definite"))?;
                    norm.push(base - (0..d).map(|f| l[f * d + f].ln()).sum::<f64>());
                    factors.extend_from_slice(&l);
                }
            }
        }
        Ok(Self { k, d, cov: m.cov, means: m.means.clone(), factors, norm })
    }

    #[allow(clippy::needless_range_loop)] // index loops over states and features
    /// `out[s] = ln N(x; μ_s, Σ_s)` for the observation `x` (length d); `work` holds `d` values.
    #[inline]
    pub fn log_densities(&self, x: &[f64], out: &mut [f64], work: &mut [f64]) {
        let (k, d) = (self.k, self.d);
        match self.cov {
            Covariance::Diag => {
                for s in 0..k {
                    let mu = &self.means[s * d..(s + 1) * d];
                    let inv = &self.factors[s * d..(s + 1) * d];
                    let mut q = 0.0;
                    for f in 0..d {
                        let z = x[f] - mu[f];
                        q += z * z * inv[f];
                    }
                    out[s] = self.norm[s] - 0.5 * q;
                }
            }
            Covariance::Full => {
                for s in 0..k {
                    let mu = &self.means[s * d..(s + 1) * d];
                    let l = &self.factors[s * d * d..(s + 1) * d * d];
                    // forward substitution: L z = x - μ, then q = |z|²
                    let mut q = 0.0;
                    for i in 0..d {
                        let mut v = x[i] - mu[i];
                        for j in 0..i {
                            v -= l[i * d + j] * work[j];
                        }
                        v /= l[i * d + i];
                        work[i] = v;
                        q += v * v;
                    }
                    out[s] = self.norm[s] - 0.5 * q;
                }
            }
        }
    }
}

/// Observations: a row-major `T × d` matrix cut into sequences of `lengths` (summing to `T`).
#[derive(Debug, Clone, Copy)]
pub struct Observations<'a> {
    pub x: &'a [f64],
    pub d: usize,
    pub lengths: &'a [usize],
}

impl<'a> Observations<'a> {
    /// Checks the shape, the lengths and that every value is finite.
    pub fn new(x: &'a [f64], d: usize, lengths: &'a [usize]) -> Result<Self> {
        ensure!(d >= 1 && x.len().is_multiple_of(d), "observations must be a matrix of {d} columns");
        let t = x.len() / d;
        ensure!(t >= 1, "observations must not be empty");
        ensure!(!lengths.is_empty(), "lengths must not be empty");
        ensure!(lengths.iter().all(|&n| n >= 1), "lengths must be positive, got {lengths:?}");
        let total = lengths.iter().try_fold(0usize, |a, &n| a.checked_add(n));
        ensure!(total == Some(t), "lengths must sum to the number of observations ({t})");
        crate::error::check_finite_shaped(x, &[t, d], "X")?;
        Ok(Self { x, d, lengths })
    }

    pub fn len(&self) -> usize {
        self.x.len() / self.d
    }

    pub fn is_empty(&self) -> bool {
        self.x.is_empty()
    }

    /// The sequences, as row-major slices.
    pub fn sequences(&self) -> Vec<&'a [f64]> {
        let mut out = Vec::with_capacity(self.lengths.len());
        let mut start = 0;
        for &n in self.lengths {
            out.push(&self.x[start * self.d..(start + n) * self.d]);
            start += n;
        }
        out
    }
}

/// A standard normal variate by inversion (53-bit uniforms, never 0).
fn normal(rng: &mut Stream) -> f64 {
    let u = ((rng.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64);
    crate::special::norm_ppf(u)
}

/// A draw from the discrete distribution `p`.
fn categorical(rng: &mut Stream, p: &[f64]) -> usize {
    let u = rng.next_f64();
    let mut acc = 0.0;
    for (i, &pi) in p.iter().enumerate() {
        acc += pi;
        if u < acc {
            return i;
        }
    }
    // rounding left u above the last partial sum: the last state with any probability
    p.iter().rposition(|&v| v > 0.0).unwrap_or(0)
}

/// `n` observations (row-major `n × d`) and their states simulated from `m` with `seed`.
pub fn sample(m: &Hmm, n: usize, seed: u64, control: &Control) -> Result<(Vec<f64>, Vec<usize>)> {
    m.validate()?;
    let (k, d) = (m.k, m.d);
    let mut x = try_vec(n.checked_mul(d).ok_or_else(|| invalid!("n is too large: {n}"))?, 0.0, "the samples")?;
    let mut states = try_vec(n, 0usize, "the sampled states")?;
    let per = m.cov.per_state(d);
    let chol: Vec<Vec<f64>> = (0..k)
        .map(|s| match m.cov {
            Covariance::Diag => Some(m.covars[s * d..(s + 1) * d].iter().map(|v| v.sqrt()).collect()),
            Covariance::Full => cholesky(&m.covars[s * per..(s + 1) * per], d),
        })
        .collect::<Option<_>>()
        .ok_or_else(|| invalid!("covars must be positive definite"))?;
    let mut rng = Stream::new(seed, 0);
    let mut z = vec![0.0; d];
    let mut s = 0;
    for t in 0..n {
        if t % (1 << 16) == 0 {
            control.check()?;
        }
        s = if t == 0 {
            categorical(&mut rng, &m.startprob)
        } else {
            categorical(&mut rng, &m.transmat[s * k..(s + 1) * k])
        };
        states[t] = s;
        z.iter_mut().for_each(|v| *v = normal(&mut rng));
        let row = &mut x[t * d..(t + 1) * d];
        let c = &chol[s];
        for i in 0..d {
            let shock = match m.cov {
                Covariance::Diag => c[i] * z[i],
                Covariance::Full => (0..=i).map(|j| c[i * d + j] * z[j]).sum(),
            };
            row[i] = m.means[s * d + i] + shock;
        }
    }
    Ok((x, states))
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn two_state() -> Hmm {
        Hmm {
            k: 2,
            d: 1,
            cov: Covariance::Diag,
            startprob: vec![0.5, 0.5],
            transmat: vec![0.9, 0.1, 0.2, 0.8],
            means: vec![0.0, 1.0],
            covars: vec![1.0, 4.0],
        }
    }

    #[test]
    fn densities_match_the_closed_form() {
        let m = two_state();
        let e = m.emissions().unwrap();
        let mut out = [0.0; 2];
        e.log_densities(&[0.5], &mut out, &mut [0.0]);
        let expect = |mu: f64, v: f64| -0.5 * ((2.0 * PI * v).ln() + (0.5 - mu) * (0.5 - mu) / v);
        assert!((out[0] - expect(0.0, 1.0)).abs() < 1e-14);
        assert!((out[1] - expect(1.0, 4.0)).abs() < 1e-14);
        // a full model with a diagonal covariance gives the same densities
        let full = Hmm {
            d: 2,
            cov: Covariance::Full,
            means: vec![0.0, 0.0, 1.0, 1.0],
            covars: vec![1.0, 0.0, 0.0, 1.0, 4.0, 0.0, 0.0, 4.0],
            ..two_state()
        };
        let diag = Hmm { d: 2, means: vec![0.0, 0.0, 1.0, 1.0], covars: vec![1.0, 1.0, 4.0, 4.0], ..two_state() };
        let (mut a, mut b) = ([0.0; 2], [0.0; 2]);
        full.emissions().unwrap().log_densities(&[0.3, -0.7], &mut a, &mut [0.0; 2]);
        diag.emissions().unwrap().log_densities(&[0.3, -0.7], &mut b, &mut [0.0; 2]);
        assert!((a[0] - b[0]).abs() < 1e-13 && (a[1] - b[1]).abs() < 1e-13);
    }

    #[test]
    fn validation_and_order() {
        let mut m = two_state();
        assert!(m.validate().is_ok());
        m.transmat[0] = 0.95;
        assert!(m.validate().unwrap_err().to_string().contains("row 0"));
        let m = Hmm { covars: vec![4.0, 1.0], ..two_state() };
        assert_eq!(m.volatility_order(), vec![1, 0]);
        let p = m.permuted(&[1, 0]);
        assert_eq!(p.transmat, vec![0.8, 0.2, 0.1, 0.9]);
        assert_eq!(p.covars, vec![1.0, 4.0]);
        assert!(cholesky(&[1.0, 2.0, 2.0, 1.0], 2).is_none());
    }

    #[test]
    fn sampling_follows_the_model() {
        let m = two_state();
        let (x, s) = sample(&m, 20000, 7, &Control::new()).unwrap();
        let frac1 = s.iter().filter(|&&v| v == 1).count() as f64 / 20000.0;
        assert!((frac1 - 1.0 / 3.0).abs() < 0.03, "{frac1}");
        let mean1: f64 = x.iter().zip(&s).filter(|(_, &v)| v == 1).map(|(x, _)| x).sum::<f64>() / (frac1 * 20000.0);
        assert!((mean1 - 1.0).abs() < 0.1);
        assert_eq!(sample(&m, 100, 7, &Control::new()).unwrap(), sample(&m, 100, 7, &Control::new()).unwrap());
    }
}
