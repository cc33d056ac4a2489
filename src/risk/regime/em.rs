//! Baum–Welch (EM) for a Gaussian HMM with hmmlearn's M-step.
//!
//! With `γ`, `ξ` the posteriors of the E-step, the M-step is hmmlearn's (`GaussianHMM._do_mstep`):
//! - start / transitions: `max(prior - 1 + counts, 0)` normalised (a Dirichlet prior; a zero
//!   probability stays zero);
//! - means: `(w_μ μ₀ + Σγx) / (w_μ + Σγ)`;
//! - diagonal variances: `(Ψ + w_μ (μ-μ₀)² + Σγx² - 2μΣγx + μ²Σγ) / max(max(w_Σ - 1, 0) + Σγ, 1e-5)`;
//! - full covariances: `(Ψ + w_μ (μ-μ₀)(μ-μ₀)ᵀ + Σγxxᵀ - Σγx μᵀ - μ Σγxᵀ + μμᵀ Σγ) / (max(w_Σ - d, 0) + Σγ)`
//!   (Ψ a scalar is added to every entry, as hmmlearn broadcasts it);
//!
//! then each variance (diagonal entry) is floored at `min_covar`, so a state that collapses onto a
//! few observations cannot drive a variance to zero (hmmlearn applies `min_covar` only when it
//! initialises the covariances; in a fit that stays clear of the floor the two agree).
//! The observations are centred on their mean first (the means are shifted back at the end),
//! which leaves the estimates unchanged and keeps the sums of squares accurate.

use super::forward_backward::{estep, Stats};
use super::init;
use super::model::{cholesky, Covariance, Hmm, Observations};
use super::{MAX_FEATURES, MAX_STATES};
use crate::control::Control;
use crate::error::{try_collect, Result};
use crate::{ensure, invalid};

/// How the parameters not given explicitly are initialised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InitMethod {
    /// Means from seeded k-means++ (10 restarts, the lowest inertia kept, as hmmlearn's KMeans);
    /// every covariance the data's covariance plus `min_covar`; transitions from the k-means
    /// labels' consecutive pairs (add-one smoothed); uniform start.
    KMeans,
    /// States from quantiles of a local volatility (a centred 21-step mean of the squared
    /// standardised deviations): means and covariances of each quantile group, transitions from
    /// the groups' consecutive pairs; uniform start. Deterministic.
    Volatility,
}

impl InitMethod {
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "kmeans" => Ok(Self::KMeans),
            "volatility" => Ok(Self::Volatility),
            other => Err(invalid!("init must be 'kmeans' or 'volatility', got {other:?}")),
        }
    }
}

/// hmmlearn's priors, and the variance floor.
#[derive(Debug, Clone, PartialEq)]
pub struct Priors {
    /// Dirichlet concentration of the start probabilities (1: none).
    pub startprob: f64,
    /// Dirichlet concentration of each row of the transition matrix (1: none).
    pub transmat: f64,
    /// Prior mean of every state's mean.
    pub means_prior: f64,
    /// Its weight (0: none).
    pub means_weight: f64,
    /// Ψ: added to the scatter of every state. `None`: 1e-2 × each feature's variance on the
    /// diagonal (scale-free); a number: added to every entry (hmmlearn's 1e-2 by default there).
    pub covars_prior: Option<f64>,
    /// The prior's weight (hmmlearn's `covars_weight`, 1 by default).
    pub covars_weight: f64,
    /// Floor on every variance, also added to the initial covariances. `None`: 1e-3 × each
    /// feature's variance.
    pub min_covar: Option<f64>,
}

impl Default for Priors {
    fn default() -> Self {
        Self {
            startprob: 1.0,
            transmat: 1.0,
            means_prior: 0.0,
            means_weight: 0.0,
            covars_prior: None,
            covars_weight: 1.0,
            min_covar: None,
        }
    }
}

impl Priors {
    fn validate(&self) -> Result<()> {
        for (name, v) in [("startprob_prior", self.startprob), ("transmat_prior", self.transmat)] {
            ensure!(v.is_finite() && v > 0.0, "{name} must be finite and positive, got {v}");
        }
        ensure!(self.means_prior.is_finite(), "means_prior must be finite, got {}", self.means_prior);
        for (name, v) in [("means_weight", self.means_weight), ("covars_weight", self.covars_weight)] {
            ensure!(v.is_finite() && v >= 0.0, "{name} must be finite and non-negative, got {v}");
        }
        if let Some(v) = self.covars_prior {
            ensure!(v.is_finite() && v >= 0.0, "covars_prior must be finite and non-negative, got {v}");
        }
        if let Some(v) = self.min_covar {
            ensure!(v.is_finite() && v > 0.0, "min_covar must be finite and positive, got {v}");
        }
        Ok(())
    }
}

/// What [`fit`] is asked to do.
#[derive(Debug, Clone)]
pub struct FitOptions {
    pub k: usize,
    pub cov: Covariance,
    /// At most this many EM iterations (0: return the starting model).
    pub n_iter: usize,
    /// Stop once an iteration gains less log-likelihood than this (hmmlearn's `tol`; negative or
    /// −inf: run every iteration).
    pub tol: f64,
    pub init: InitMethod,
    pub seed: u64,
    pub priors: Priors,
    /// Starting parameters; those left `None` come from `init`.
    pub startprob: Option<Vec<f64>>,
    pub transmat: Option<Vec<f64>>,
    pub means: Option<Vec<f64>>,
    pub covars: Option<Vec<f64>>,
}

/// A fitted model (states ordered by volatility) and how EM went.
#[derive(Debug, Clone)]
pub struct FitResult {
    pub model: Hmm,
    /// The log-likelihood before each M-step (hmmlearn's `monitor_.history`).
    pub history: Vec<f64>,
    pub n_iter: usize,
    /// True when the last iteration gained less than `tol`.
    pub converged: bool,
}

/// The per-feature means and (population) variances.
fn moments(x: &[f64], d: usize) -> (Vec<f64>, Vec<f64>) {
    let n = (x.len() / d) as f64;
    let mut mean = vec![0.0; d];
    for row in x.chunks_exact(d) {
        mean.iter_mut().zip(row).for_each(|(m, v)| *m += v);
    }
    mean.iter_mut().for_each(|m| *m /= n);
    let mut var = vec![0.0; d];
    for row in x.chunks_exact(d) {
        var.iter_mut().zip(row).zip(&mean).for_each(|((s, v), m)| *s += (v - m) * (v - m));
    }
    var.iter_mut().for_each(|s| *s /= n);
    (mean, var)
}

/// Fits a Gaussian HMM by Baum–Welch.
pub fn fit(obs: &Observations<'_>, opts: &FitOptions, control: &Control) -> Result<FitResult> {
    let (k, d) = (opts.k, obs.d);
    ensure!((1..=MAX_STATES).contains(&k), "num_regimes must be between 1 and {MAX_STATES}, got {k}");
    ensure!(d <= MAX_FEATURES, "X may have at most {MAX_FEATURES} features, got {d}");
    ensure!(!opts.tol.is_nan() && opts.tol < f64::INFINITY, "tol must be a number below inf, got {}", opts.tol);
    opts.priors.validate()?;
    let t = obs.len();
    ensure!(t >= k, "X has {t} observations, fewer than the {k} states to fit");
    let (center, var) = moments(obs.x, d);
    if let Some(f) = var.iter().position(|&v| v.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater)) {
        return Err(invalid!(
            "X is constant{}: a regime model needs observations that vary",
            if d > 1 { format!(" in feature {f}") } else { String::new() }
        ));
    }
    ensure!(var.iter().all(|v| v.is_finite()), "X is too large in magnitude: its variance overflows");
    // centred copy
    let xc = try_collect(obs.x.iter().enumerate().map(|(i, v)| v - center[i % d]), "a centred copy of X")?;
    let cobs = Observations { x: &xc, d, lengths: obs.lengths };
    let floor: Vec<f64> = match opts.priors.min_covar {
        Some(v) => vec![v; d],
        None => var.iter().map(|v| 1e-3 * v).collect(),
    };
    let mut psi = vec![0.0; d * d];
    match opts.priors.covars_prior {
        Some(v) => psi.iter_mut().for_each(|p| *p = v),
        None => (0..d).for_each(|f| psi[f * d + f] = 1e-2 * var[f]),
    }
    let means_prior: Vec<f64> = center.iter().map(|c| opts.priors.means_prior - c).collect();

    let mut m = start(&cobs, opts, &center, &floor, control)?;
    let mut history = Vec::new();
    let mut converged = false;
    let mut n_iter = 0;
    for _ in 0..opts.n_iter {
        control.check()?;
        let stats = estep(&m, &cobs, control)?;
        history.push(stats.loglik);
        mstep(&mut m, &stats, &opts.priors, &means_prior, &psi, &floor)?;
        n_iter += 1;
        control.advance(1);
        if let [.., a, b] = history[..] {
            if b - a < opts.tol {
                converged = true;
                break;
            }
        }
    }
    for (s, mu) in m.means.chunks_exact_mut(d).enumerate() {
        let _ = s;
        mu.iter_mut().zip(&center).for_each(|(v, c)| *v += c);
    }
    let order = m.volatility_order();
    Ok(FitResult { model: m.permuted(&order), history, n_iter, converged })
}

/// The starting model (centred): the given parameters, the rest from the init method.
fn start(obs: &Observations<'_>, opts: &FitOptions, center: &[f64], floor: &[f64], control: &Control) -> Result<Hmm> {
    let (k, d) = (opts.k, obs.d);
    let need_init =
        opts.startprob.is_none() || opts.transmat.is_none() || opts.means.is_none() || opts.covars.is_none();
    let mut m = if need_init {
        match opts.init {
            InitMethod::KMeans => init::kmeans(obs, k, opts.cov, floor, opts.seed, control)?,
            InitMethod::Volatility => init::volatility(obs, k, opts.cov, floor, control)?,
        }
    } else {
        Hmm {
            k,
            d,
            cov: opts.cov,
            startprob: vec![1.0 / k as f64; k],
            transmat: vec![1.0 / k as f64; k * k],
            means: vec![0.0; k * d],
            covars: vec![1.0; k * opts.cov.per_state(d)],
        }
    };
    if let Some(p) = &opts.startprob {
        m.startprob = p.clone();
    }
    if let Some(p) = &opts.transmat {
        m.transmat = p.clone();
    }
    if let Some(p) = &opts.means {
        ensure!(p.len() == k * d, "means_init must be {k}×{d}, got {} values", p.len());
        m.means = p.iter().enumerate().map(|(i, v)| v - center[i % d]).collect();
    }
    if let Some(p) = &opts.covars {
        m.covars = p.clone();
    }
    m.validate().map_err(|e| invalid!("the starting parameters are invalid: {e}"))?;
    Ok(m)
}

/// hmmlearn's M-step, then the variance floor.
#[allow(clippy::needless_range_loop)] // index loops mirror hmmlearn's formulas
fn mstep(m: &mut Hmm, st: &Stats, pr: &Priors, mp: &[f64], psi: &[f64], floor: &[f64]) -> Result<()> {
    let (k, d) = (m.k, m.d);
    dirichlet_update(&mut m.startprob, &st.start, pr.startprob);
    for i in 0..k {
        dirichlet_update(&mut m.transmat[i * k..(i + 1) * k], &st.trans[i * k..(i + 1) * k], pr.transmat);
    }
    let mw = pr.means_weight;
    for s in 0..k {
        let den = mw + st.post[s];
        if den == 0.0 {
            continue; // a state with no weight at all keeps its mean
        }
        for f in 0..d {
            let v = (mw * mp[f] + st.obs[s * d + f]) / den;
            ensure!(v.is_finite(), "the mean of state {s} overflowed: rescale X or the priors");
            m.means[s * d + f] = v;
        }
    }
    match m.cov {
        Covariance::Diag => {
            for s in 0..k {
                let (mu, post) = (&m.means[s * d..(s + 1) * d], st.post[s]);
                let den = ((pr.covars_weight - 1.0).max(0.0) + post).max(1e-5);
                for f in 0..d {
                    let (o, o2) = (st.obs[s * d + f], st.obs2[s * d + f]);
                    let md = mu[f] - mp[f];
                    let c_n = mw * md * md + o2 - 2.0 * mu[f] * o + mu[f] * mu[f] * post;
                    let v = (psi[f * d + f] + c_n) / den;
                    ensure!(v.is_finite(), "the variance of state {s} overflowed: rescale X or lower covars_prior");
                    m.covars[s * d + f] = v.max(floor[f]);
                }
            }
        }
        Covariance::Full => {
            let dd = d * d;
            for s in 0..k {
                let mu = m.means[s * d..(s + 1) * d].to_vec();
                let post = st.post[s];
                let den = ((pr.covars_weight - d as f64).max(0.0) + post).max(1e-5);
                let o = &st.obs[s * d..(s + 1) * d];
                let s2 = &st.obs2[s * dd..(s + 1) * dd];
                let mut c = vec![0.0; dd];
                for f in 0..d {
                    for g in 0..d {
                        let c_n = mw * (mu[f] - mp[f]) * (mu[g] - mp[g]) + s2[f * d + g] - o[f] * mu[g] - mu[f] * o[g]
                            + mu[f] * mu[g] * post;
                        c[f * d + g] = (psi[f * d + g] + c_n) / den;
                    }
                }
                for f in 0..d {
                    for g in 0..f {
                        let v = 0.5 * (c[f * d + g] + c[g * d + f]);
                        c[f * d + g] = v;
                        c[g * d + f] = v;
                    }
                    c[f * d + f] = c[f * d + f].max(floor[f]);
                }
                ensure!(
                    c.iter().all(|v| v.is_finite()),
                    "the covariance of state {s} overflowed: rescale X or lower covars_prior"
                );
                // A scatter that lost definiteness to rounding: add the floor until it is definite.
                let mut bump = 1.0;
                while cholesky(&c, d).is_none() {
                    ensure!(
                        bump < 1e6,
                        "the covariance of state {s} is not positive definite: check X for collinear features"
                    );
                    for f in 0..d {
                        c[f * d + f] += bump * floor[f];
                    }
                    bump *= 10.0;
                }
                m.covars[s * dd..(s + 1) * dd].copy_from_slice(&c);
            }
        }
    }
    Ok(())
}

/// `p ← normalise(max(prior - 1 + counts, 0))`, zeros kept zero; a row with nothing left keeps
/// its old values.
fn dirichlet_update(p: &mut [f64], counts: &[f64], prior: f64) {
    let new: Vec<f64> =
        p.iter().zip(counts).map(|(&old, &c)| if old == 0.0 { 0.0 } else { (prior - 1.0 + c).max(0.0) }).collect();
    let sum: f64 = new.iter().sum();
    if sum > 0.0 && sum.is_finite() {
        p.iter_mut().zip(&new).for_each(|(a, &b)| *a = b / sum);
    }
}

#[cfg(test)]
mod tests {
    use super::super::forward_backward::score;
    use super::super::model::sample;
    use super::*;

    fn truth() -> Hmm {
        Hmm {
            k: 3,
            d: 1,
            cov: Covariance::Diag,
            startprob: vec![1.0, 0.0, 0.0],
            transmat: vec![0.97, 0.02, 0.01, 0.03, 0.95, 0.02, 0.02, 0.08, 0.90],
            means: vec![0.05, 0.0, -0.2],
            covars: vec![0.5, 2.0, 8.0],
        }
    }

    fn options(init: InitMethod) -> FitOptions {
        FitOptions {
            k: 3,
            cov: Covariance::Diag,
            n_iter: 200,
            tol: 1e-6,
            init,
            seed: 11,
            priors: Priors::default(),
            startprob: None,
            transmat: None,
            means: None,
            covars: None,
        }
    }

    #[test]
    fn recovers_a_known_model_and_raises_the_likelihood() {
        let (x, states) = sample(&truth(), 5000, 5, &Control::new()).unwrap();
        let lengths = [x.len()];
        let obs = Observations::new(&x, 1, &lengths).unwrap();
        for init in [InitMethod::KMeans, InitMethod::Volatility] {
            let r = fit(&obs, &options(init), &Control::new()).unwrap();
            assert!(r.history.windows(2).all(|w| w[1] >= w[0] - 1e-8), "EM must not lose likelihood");
            let v = &r.model.covars;
            assert!(v[0] < v[1] && v[1] < v[2], "ordered by volatility: {v:?}");
            for (est, tru) in v.iter().zip([0.5, 2.0, 8.0]) {
                assert!((est / tru - 1.0).abs() < 0.25, "{init:?}: {v:?}");
            }
            let (_, path) = super::super::viterbi(&r.model, &obs, &Control::new()).unwrap();
            let acc = path.iter().zip(&states).filter(|(a, b)| a == b).count() as f64 / 5000.0;
            assert!(acc > 0.85, "{init:?}: accuracy {acc}");
            let ll = score(&r.model, &obs, &Control::new()).unwrap();
            assert!(ll >= *r.history.last().unwrap() - 1e-8);
        }
    }

    #[test]
    fn degenerate_inputs_are_refused() {
        let x = vec![1.0; 50];
        let lengths = [50];
        let obs = Observations::new(&x, 1, &lengths).unwrap();
        assert!(fit(&obs, &options(InitMethod::KMeans), &Control::new()).unwrap_err().to_string().contains("constant"));
        let x = [1.0, 2.0];
        let lengths = [2];
        let obs = Observations::new(&x, 1, &lengths).unwrap();
        assert!(fit(&obs, &options(InitMethod::KMeans), &Control::new()).unwrap_err().to_string().contains("fewer"));
        assert!(Observations::new(&[1.0, f64::NAN], 1, &lengths).is_err());
    }

    #[test]
    fn a_collapsing_state_is_floored() {
        // Many repeated values invite a state to sit on them with zero variance.
        let mut x: Vec<f64> = (0..200).map(|i| ((i * 37) % 101) as f64 / 10.0).collect();
        x.extend(std::iter::repeat_n(3.0, 100));
        let lengths = [x.len()];
        let obs = Observations::new(&x, 1, &lengths).unwrap();
        let mut o = options(InitMethod::KMeans);
        o.priors.covars_prior = Some(0.0);
        let r = fit(&obs, &o, &Control::new()).unwrap();
        let (_, var) = moments(&x, 1);
        assert!(r.model.covars.iter().all(|&v| v >= 1e-3 * var[0] * (1.0 - 1e-12)), "{:?}", r.model.covars);
        assert!(r.history.iter().all(|v| v.is_finite()));
    }
}
