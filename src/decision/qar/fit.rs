//! Learning the machine's parameters by maximum conditional likelihood.
//!
//! Each training row k has factor values f_k and a target t_k = P(buy) wanted: 1 for Buy, 0 for
//! Sell, ½ for Hold. The loss is the cross-entropy of the machine's P_k = P(buy | f_k) against
//! t_k plus an L2 pull towards the prior,
//!
//!   L(θ) = −(1/m) Σ_k [t_k ln P_k + (1 − t_k) ln(1 − P_k)] + (α/2)‖θ − θ_prior‖²,
//!
//! and for a Boltzmann machine whose energy is linear in θ (E = −θ·φ(x, d)) with the factor
//! p-bits hidden, ∂/∂θ of the k-th term is −β (t_k − P_k)(⟨φ⟩_{d=+1} − ⟨φ⟩_{d=−1}), the
//! difference of the statistics with the decision unit clamped to buy and to sell.
//!
//! Exact fits enumerate the factor states of every row (`core::exact`), then minimise L with
//! L-BFGS. Sampled fits run persistent Gibbs chains per row (`core`'s kernel) along the same λ
//! ladder as sampled decisions: the chains clamped to buy and to sell estimate the statistics,
//! all of them together P_k, and Adam follows the noisy gradient.

use super::optimize::{adam, lbfgs, Minimum};
use super::{
    check_factors, exact_halves, ladder, ladder_log_odds, log_add, num_params, sigmoid, ClampedRun, Params, Settings,
};
use crate::control::Control;
use crate::error::{check_finite, Result};
use crate::rng::Stream;
use crate::{ensure, parallel};
use rayon::prelude::*;

/// Recorded sweeps per chain and iteration of a sampled fit.
pub const FIT_SAMPLES: usize = 16;
/// Adam's initial step size for sampled fits.
pub const ADAM_RATE: f64 = 0.05;
/// Rows are processed in at most this many fixed chunks, summed in order (thread-independent).
const MAX_CHUNKS: usize = 64;
/// Bound on the f64s of per-chunk state-weight buffers of exact fits (256 MiB).
const WEIGHT_BUDGET: usize = 1 << 25;

#[derive(Debug, Clone, PartialEq)]
pub struct FitOptions {
    pub max_iter: usize,
    /// L2 strength α of the pull towards the prior.
    pub alpha: f64,
    /// Gradient tolerance of exact fits (max |∂L/∂θ|).
    pub tol: f64,
    pub seed: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FitResult {
    pub params: Params,
    pub n_iter: usize,
    /// `None` for sampled fits (no convergence test on noisy gradients).
    pub converged: Option<bool>,
    /// L(θ) after each iteration (estimates for sampled fits).
    pub loss_curve: Vec<f64>,
    /// Mean ln-likelihood per row, (1/m) Σ [t ln P + (1 − t) ln(1 − P)], at the prior and at
    /// the fitted parameters (exact fits); sampled fits report the estimates of their first and
    /// last steps.
    pub prior_log_likelihood: f64,
    pub log_likelihood: f64,
}

/// Fits a machine of `n` factors to the row-major `m × n` factor matrix `f` and targets `t`.
pub fn fit(n: usize, f: &[f64], t: &[f64], s: &Settings, opts: &FitOptions, control: &Control) -> Result<FitResult> {
    let prior = Params::prior(n)?;
    s.validate(n)?;
    super::check_beta_scale(&prior, s.beta)?;
    check_factors(f, n)?;
    let m = f.len() / n;
    ensure!(m >= 1, "history must have at least one row");
    ensure!(t.len() == m, "outcomes must have one label per row of history ({m}), got {}", t.len());
    check_finite(t, "outcome targets")?;
    ensure!(t.iter().all(|v| (0.0..=1.0).contains(v)), "outcome targets must be in [0, 1]");
    ensure!(opts.max_iter >= 1, "max_iter must be at least 1, got 0");
    ensure!(opts.alpha.is_finite() && opts.alpha >= 0.0, "alpha must be finite and non-negative, got {}", opts.alpha);
    ensure!(opts.tol.is_finite() && opts.tol >= 0.0, "tol must be finite and non-negative, got {}", opts.tol);
    control.add_total(opts.max_iter as u64);
    let theta0 = prior.to_vec();
    let data = Data { n, m, f, t, beta: s.beta };
    let regularised = |theta: &[f64], (nll, mut g): (f64, Vec<f64>)| {
        let mut penalty = 0.0;
        for ((gk, x), x0) in g.iter_mut().zip(theta).zip(&theta0) {
            penalty += (x - x0) * (x - x0);
            *gk += opts.alpha * (x - x0);
        }
        (nll + 0.5 * opts.alpha * penalty, g)
    };
    let (minimum, prior_nll, final_nll): (Minimum, f64, f64) = if s.exact {
        let prior_nll = data.exact_objective(&theta0, false)?.0;
        let objective = |theta: &[f64]| -> Result<(f64, Vec<f64>)> {
            control.check()?;
            Ok(regularised(theta, data.exact_objective(theta, true)?))
        };
        let minimum = lbfgs(objective, theta0.clone(), opts.max_iter, opts.tol, control)?;
        let final_nll = data.exact_objective(&minimum.x, false)?.0;
        (minimum, prior_nll, final_nll)
    } else {
        let mut chains = Persistent::new(m);
        let mut first = None;
        let mut last_nll = f64::NAN;
        let step = |theta: &[f64], iter: usize| -> Result<(f64, Vec<f64>)> {
            let burn_in = if iter == 0 { s.burn_in } else { 0 };
            let (nll, g) =
                data.sampled_objective(theta, &mut chains, s.beta, burn_in, opts.seed, iter as u64, control)?;
            first.get_or_insert(nll);
            last_nll = nll;
            Ok(regularised(theta, (nll, g)))
        };
        let minimum = adam(step, theta0.clone(), opts.max_iter, ADAM_RATE, control)?;
        (minimum, first.unwrap_or(f64::NAN), last_nll)
    };
    Ok(FitResult {
        params: Params::from_vec(n, &minimum.x),
        n_iter: minimum.n_iter,
        converged: minimum.converged,
        loss_curve: minimum.history,
        prior_log_likelihood: -prior_nll,
        log_likelihood: -final_nll,
    })
}

struct Data<'a> {
    n: usize,
    m: usize,
    f: &'a [f64],
    t: &'a [f64],
    beta: f64,
}

/// Row chunks: a fixed split of `m` rows into at most `max_chunks` runs of equal length.
fn chunk_len(m: usize, max_chunks: usize) -> usize {
    m.div_ceil(max_chunks.clamp(1, m))
}

/// −[t ln P + (1 − t) ln(1 − P)] from the log-odds ln P/(1 − P), without cancellation.
fn cross_entropy(t: f64, log_odds: f64) -> f64 {
    // ln P = −ln(1 + e^{−z}), ln(1 − P) = −ln(1 + e^{z})
    let softplus = |z: f64| if z > 0.0 { z + (-z).exp().ln_1p() } else { z.exp().ln_1p() };
    t * softplus(-log_odds) + (1.0 - t) * softplus(log_odds)
}

/// Parameter-vector offsets (see [`Params::to_vec`]).
struct Layout {
    n: usize,
}

impl Layout {
    fn gain(&self, i: usize) -> usize {
        i
    }
    fn bias(&self, i: usize) -> usize {
        self.n + i
    }
    fn weight(&self, i: usize) -> usize {
        2 * self.n + i
    }
    fn decision_bias(&self) -> usize {
        num_params(self.n) - 1
    }

    /// Adds −β c (statistics difference) for one row to `g`: the linear terms from the clamped
    /// means m± (model order), and the pair terms from `pairs` (ΔS_ij for i < j, row by row)
    /// when given.
    fn add_row(&self, g: &mut [f64], scale: f64, u: &[f64], mp: &[f64], mm: &[f64], pairs: Option<&[f64]>) {
        for i in 0..self.n {
            let diff = mp[i] - mm[i];
            g[self.gain(i)] += scale * u[i] * diff;
            g[self.bias(i)] += scale * diff;
            g[self.weight(i)] += scale * (mp[i] + mm[i]);
        }
        g[self.decision_bias()] += scale * 2.0;
        if let Some(pairs) = pairs {
            for (gk, d) in g[3 * self.n..self.decision_bias()].iter_mut().zip(pairs) {
                *gk += scale * d;
            }
        }
    }
}

impl Data<'_> {
    fn row(&self, k: usize) -> &[f64] {
        &self.f[k * self.n..(k + 1) * self.n]
    }

    fn u(&self, k: usize) -> Vec<f64> {
        self.row(k).iter().map(|v| 2.0 * v - 1.0).collect()
    }

    /// The mean cross-entropy and (when `with_gradient`) its gradient, by enumeration.
    fn exact_objective(&self, theta: &[f64], with_gradient: bool) -> Result<(f64, Vec<f64>)> {
        let n = self.n;
        let params = Params::from_vec(n, theta);
        let states = 1usize << n;
        let layout = Layout { n };
        let len = chunk_len(self.m, MAX_CHUNKS.min((WEIGHT_BUDGET / states).max(1)));
        // Per chunk: the summed loss, the linear-term gradient, and per factor state s the
        // summed weight w(s) = Σ_k c_k (p_k(s | buy) − p_k(s | sell)), from which the pair
        // gradient follows in one pass over the states.
        let chunk = |c: usize| -> Result<(f64, Vec<f64>, Vec<f64>)> {
            let mut g = vec![0.0; num_params(n)];
            let mut w = if with_gradient { vec![0.0; states] } else { Vec::new() };
            let mut loss = 0.0;
            let (mut mp, mut mm) = (vec![0.0; n], vec![0.0; n]);
            for k in c * len..((c + 1) * len).min(self.m) {
                let model = params.model(self.row(k))?;
                let (zp, zm, logw) = exact_halves(&model, self.beta)?;
                loss += cross_entropy(self.t[k], zp - zm);
                if !with_gradient {
                    continue;
                }
                let c_k = self.t[k] - (zp - log_add(zp, zm)).exp();
                clamped_means(&logw[states..], zp, &mut mp);
                clamped_means(&logw[..states], zm, &mut mm);
                layout.add_row(&mut g, -self.beta * c_k, &self.u(k), &mp, &mm, None);
                for (s, ws) in w.iter_mut().enumerate() {
                    *ws += c_k * ((logw[states + s] - zp).exp() - (logw[s] - zm).exp());
                }
            }
            Ok((loss, g, w))
        };
        let parts =
            parallel::install(|| (0..self.m.div_ceil(len)).into_par_iter().map(chunk).collect::<Result<Vec<_>>>())??;
        let mut loss = 0.0;
        let mut g = vec![0.0; num_params(n)];
        let mut w = vec![0.0; if with_gradient { states } else { 0 }];
        for (l, gc, wc) in parts {
            loss += l;
            g.iter_mut().zip(&gc).for_each(|(a, b)| *a += b);
            w.iter_mut().zip(&wc).for_each(|(a, b)| *a += b);
        }
        if with_gradient {
            pair_gradient(n, &w, -self.beta, &mut g[3 * n..num_params(n) - 1]);
        }
        let inv = 1.0 / self.m as f64;
        g.iter_mut().for_each(|v| *v *= inv);
        Ok((loss * inv, g))
    }

    /// Estimates of the mean cross-entropy and its gradient from persistent Gibbs chains: per row,
    /// one chain per machine of the λ ladder ([`ladder`]); those clamped to buy and to sell give
    /// the statistics ⟨φ⟩_±, and all of them together ln P_k/(1 − P_k).
    #[allow(clippy::too_many_arguments)]
    fn sampled_objective(
        &self,
        theta: &[f64],
        chains: &mut Persistent,
        beta: f64,
        burn_in: usize,
        seed: u64,
        iter: u64,
        control: &Control,
    ) -> Result<(f64, Vec<f64>)> {
        let n = self.n;
        let params = Params::from_vec(n, theta);
        let layout = Layout { n };
        let len = chunk_len(self.m, MAX_CHUNKS);
        let npairs = n * n.saturating_sub(1) / 2;
        let lambdas = ladder(&params, beta);
        let rungs = lambdas.len();
        let fresh = ClampedRun { params: &params, beta, burn_in, samples: FIT_SAMPLES, control };
        let resumed = ClampedRun { burn_in: 0, ..fresh };
        let chunk = |(c, (states, started)): (usize, (&mut [Vec<i8>], &mut [usize]))| -> Result<(f64, Vec<f64>)> {
            let mut g = vec![0.0; num_params(n)];
            let mut loss = 0.0;
            for (r, k) in (c * len..((c + 1) * len).min(self.m)).enumerate() {
                control.check()?;
                let h = params.fields(self.row(k));
                if states[r].len() < rungs * n {
                    states[r].resize(rungs * n, 1);
                }
                let mut slopes = vec![Vec::with_capacity(FIT_SAMPLES); rungs];
                // statistics at the sell end (side 0) and the buy end (side 1)
                let mut stats: [(Vec<f64>, Vec<f64>); 2] = std::array::from_fn(|_| (vec![0.0; n], vec![0.0; npairs]));
                for (q, &lambda) in lambdas.iter().enumerate() {
                    let mut stream = Stream::new(seed, (iter * self.m as u64 + k as u64) * rungs as u64 + q as u64);
                    let run = if q < started[r] { &resumed } else { &fresh };
                    let end = [0, rungs - 1].iter().position(|&e| e == q);
                    let state = Some((&mut states[r][q * n..(q + 1) * n], q < started[r]));
                    run.run(&h, lambda, state, &mut stream, |x, _| {
                        slopes[q].push(run.slope(x));
                        let Some(side) = end else { return };
                        let (means, pairs) = &mut stats[side];
                        let mut p = 0;
                        for i in 0..n {
                            means[i] += x[i] as f64;
                            for j in i + 1..n {
                                pairs[p] += (x[i] * x[j]) as f64;
                                p += 1;
                            }
                        }
                    })?;
                }
                started[r] = started[r].max(rungs);
                let log_odds = ladder_log_odds(&lambdas, &slopes);
                loss += cross_entropy(self.t[k], log_odds);
                let c_k = self.t[k] - sigmoid(log_odds);
                let inv = 1.0 / FIT_SAMPLES as f64;
                let [(mm, sm), (mp, sp)] = stats.map(|(m, s)| (m.iter().map(|v| v * inv).collect::<Vec<f64>>(), s));
                let dpairs: Vec<f64> = sp.iter().zip(&sm).map(|(a, b)| (a - b) * inv).collect();
                layout.add_row(&mut g, -self.beta * c_k, &self.u(k), &mp, &mm, Some(&dpairs));
            }
            Ok((loss, g))
        };
        let parts = parallel::install(|| {
            chains
                .states
                .par_chunks_mut(len)
                .zip(chains.started.par_chunks_mut(len))
                .enumerate()
                .map(chunk)
                .collect::<Result<Vec<_>>>()
        })??;
        let mut loss = 0.0;
        let mut g = vec![0.0; num_params(n)];
        for (l, gc) in parts {
            loss += l;
            g.iter_mut().zip(&gc).for_each(|(a, b)| *a += b);
        }
        let inv = 1.0 / self.m as f64;
        g.iter_mut().for_each(|v| *v *= inv);
        Ok((loss * inv, g))
    }
}

/// Means ⟨x_i⟩ over the factor states of one clamped half: `logw[s]` are log-weights of the
/// factor states s (bit i set ⇔ x_i = +1) and `log_z` their log-sum.
fn clamped_means(logw: &[f64], log_z: f64, out: &mut [f64]) {
    out.iter_mut().for_each(|v| *v = 0.0);
    for (s, lw) in logw.iter().enumerate() {
        let p = (lw - log_z).exp();
        let mut bits = s;
        while bits != 0 {
            out[bits.trailing_zeros() as usize] += p;
            bits &= bits - 1;
        }
    }
    // Σ_s p(s) x_i(s) = 2 P(x_i = +1) − 1
    out.iter_mut().for_each(|v| *v = 2.0 * *v - 1.0);
}

/// `out[ij] += scale · Σ_s w(s) x_i(s) x_j(s)` for i < j (row by row).
fn pair_gradient(n: usize, w: &[f64], scale: f64, out: &mut [f64]) {
    let mut q = 0;
    for i in 0..n {
        for j in i + 1..n {
            let sum: f64 =
                w.iter().enumerate().map(|(s, ws)| if (s >> i ^ s >> j) & 1 == 0 { *ws } else { -*ws }).sum();
            out[q] += scale * sum;
            q += 1;
        }
    }
}

/// The persistent chain states of a sampled fit: per row, one state (n spins, model order) per
/// rung of the λ ladder, and how many of them have been started (the ladder can grow).
struct Persistent {
    states: Vec<Vec<i8>>,
    started: Vec<usize>,
}

impl Persistent {
    fn new(m: usize) -> Self {
        Self { states: vec![Vec::new(); m], started: vec![0; m] }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::settings;
    use super::*;

    /// A synthetic market: the outcome is Buy when a weighted sum of factors 0..3 (factor 2
    /// contrary) plus noise is high, Sell when low, Hold in between; factors 3.. are noise.
    fn market(n: usize, m: usize, seed: u64) -> (Vec<f64>, Vec<f64>) {
        let mut s = Stream::new(seed, 0);
        let mut f = Vec::with_capacity(m * n);
        let mut t = Vec::with_capacity(m);
        for _ in 0..m {
            let row: Vec<f64> = (0..n).map(|_| s.next_f64()).collect();
            let score = 2.0 * (row[0] - 0.5) + 1.5 * (row[1] - 0.5) - 2.0 * (row[2] - 0.5) + 0.3 * (s.next_f64() - 0.5);
            t.push(if score > 0.35 {
                1.0
            } else if score < -0.35 {
                0.0
            } else {
                0.5
            });
            f.extend(row);
        }
        (f, t)
    }

    fn opts() -> FitOptions {
        FitOptions { max_iter: 200, alpha: 1e-3, tol: 1e-6, seed: 3 }
    }

    #[test]
    fn exact_gradient_matches_finite_differences() {
        let n = 4;
        let (f, t) = market(n, 30, 1);
        let data = Data { n, m: 30, f: &f, t: &t, beta: 0.9 };
        let mut theta = Params::prior(n).unwrap().to_vec();
        let mut st = Stream::new(2, 0);
        theta.iter_mut().for_each(|v| *v += 0.6 * (st.next_f64() - 0.5));
        let (_, g) = data.exact_objective(&theta, true).unwrap();
        let h = 1e-6;
        for k in 0..theta.len() {
            let mut up = theta.clone();
            up[k] += h;
            let mut down = theta.clone();
            down[k] -= h;
            let fd = (data.exact_objective(&up, false).unwrap().0 - data.exact_objective(&down, false).unwrap().0)
                / (2.0 * h);
            assert!((fd - g[k]).abs() < 1e-7, "parameter {k}: finite difference {fd}, gradient {}", g[k]);
        }
    }

    #[test]
    fn exact_fit_beats_the_prior_on_held_out_rows() {
        let n = 6;
        let (f, t) = market(n, 600, 7);
        let (train, test) = (400, 200);
        let s = settings(true);
        let r = fit(n, &f[..train * n], &t[..train], &s, &opts(), &Control::new()).unwrap();
        assert!(r.log_likelihood > r.prior_log_likelihood + 0.1, "{r:?}");
        assert!(r.loss_curve.windows(2).all(|w| w[1] <= w[0]));
        let held_out = |p: &Params| {
            let test_data = Data { n, m: test, f: &f[train * n..], t: &t[train..], beta: s.beta };
            -test_data.exact_objective(&p.to_vec(), false).unwrap().0
        };
        let (before, after) = (held_out(&Params::prior(n).unwrap()), held_out(&r.params));
        assert!(after > before + 0.1, "held-out log-likelihood {before} -> {after}");
        // the contrary factor learns a negative effective vote, the noise factors small ones
        let vote = |i: usize| r.params.weights[i] * r.params.gains[i].signum();
        assert!(vote(0) > 0.0 && vote(1) > 0.0 && vote(2) < 0.0, "{:?}", r.params.weights);
        assert!((3..n).all(|i| vote(i).abs() < vote(0).abs()), "{:?}", r.params.weights);
    }

    #[test]
    fn sampled_fit_follows_the_exact_one() {
        let n = 4;
        let (f, t) = market(n, 300, 5);
        let mut s = settings(false);
        s.burn_in = 20;
        let o = FitOptions { max_iter: 60, ..opts() };
        let sampled = fit(n, &f, &t, &s, &o, &Control::new()).unwrap();
        assert_eq!(sampled.converged, None);
        let exact_ll = |p: &Params| {
            let d = Data { n, m: 300, f: &f, t: &t, beta: s.beta };
            -d.exact_objective(&p.to_vec(), false).unwrap().0
        };
        let (before, after) = (exact_ll(&Params::prior(n).unwrap()), exact_ll(&sampled.params));
        assert!(after > before + 0.1, "exact log-likelihood of the sampled fit: {before} -> {after}");
        let again = parallel::with_threads(Some(3), || fit(n, &f, &t, &s, &o, &Control::new())).unwrap().unwrap();
        assert_eq!(again, sampled);
    }

    #[test]
    fn fits_are_thread_independent_and_validated() {
        let n = 3;
        let (f, t) = market(n, 100, 2);
        let s = settings(true);
        let one = parallel::with_threads(Some(1), || fit(n, &f, &t, &s, &opts(), &Control::new())).unwrap().unwrap();
        let two = parallel::with_threads(Some(2), || fit(n, &f, &t, &s, &opts(), &Control::new())).unwrap().unwrap();
        assert_eq!(one, two);
        let c = Control::new();
        assert!(fit(n, &f, &t[1..], &s, &opts(), &c).is_err());
        assert!(fit(n, &f[1..], &t, &s, &opts(), &c).is_err());
        let mut bad = t.clone();
        bad[0] = 2.0;
        assert!(fit(n, &f, &bad, &s, &opts(), &c).is_err());
        assert!(fit(n, &f, &t, &s, &FitOptions { alpha: -1.0, ..opts() }, &c).is_err());
        assert!(fit(n, &f, &t, &s, &FitOptions { max_iter: 0, ..opts() }, &c).is_err());
        assert!(fit(n, &[], &[], &s, &opts(), &c).is_err());
        c.cancel();
        assert_eq!(fit(n, &f, &t, &s, &opts(), &c), Err(crate::Error::Interrupted));
    }

    #[test]
    fn cross_entropy_is_stable() {
        assert!((cross_entropy(1.0, 0.0) - std::f64::consts::LN_2).abs() < 1e-15);
        assert!(cross_entropy(1.0, 800.0) < 1e-300);
        assert!((cross_entropy(0.0, 800.0) - 800.0).abs() < 1e-9);
        assert!((cross_entropy(0.5, 0.0) - std::f64::consts::LN_2).abs() < 1e-15);
    }
}
