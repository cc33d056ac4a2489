//! QAR: a Boltzmann machine that turns market factors into Buy / Sell / Hold decisions.
//!
//! Units: `n` factor p-bits x_i ∈ {−1, +1} (spins 0..n) and one decision p-bit d (spin n;
//! +1 = buy, −1 = sell). A factor value f_i ∈ [0, 1] becomes u_i = 2 f_i − 1 and the field
//! h_i = g_i u_i + c_i on its p-bit (gain g_i, offset c_i). In the physics convention of `core`,
//!
//!   E(x, d) = −Σ_i h_i x_i − Σ_{i<j} J_ij x_i x_j − d (b + Σ_i W_i x_i),
//!
//! and the machine is sampled at inverse temperature β: p(x, d | f) ∝ exp(−β E(x, d)). The
//! thermal vote is the decision unit's magnetisation ⟨d⟩ = P(buy) − P(sell), and the action is
//! Buy when P(buy) ≥ threshold, Sell when P(sell) = 1 − P(buy) ≥ threshold, Hold otherwise
//! (threshold ∈ (½, 1], so at most one side qualifies).
//!
//! P(buy) is computed exactly by enumerating all 2^(n+1) states with `core::exact` for small
//! machines, or estimated by p-bit Gibbs sampling with `core`'s kernel. A chain of the whole
//! machine would do, in principle, but its decision unit freezes once the votes are strong (it
//! keeps whichever side it starts on), so the factor p-bits are sampled with the decision unit
//! clamped instead, at a ladder of clamp values from sell to buy, and Bennett's acceptance ratio
//! between neighbours adds up to ln Z_buy − ln Z_sell = ln P(buy)/P(sell) (see [`ladder`]).

pub mod fit;
pub mod optimize;

use crate::control::Control;
use crate::core::engine::Engine;
use crate::core::exact;
use crate::core::kernel::{Chain, Method};
use crate::core::model::IsingModel;
use crate::error::{check_alloc, check_finite, check_finite_matrix, check_symmetric, try_with_capacity, Error, Result};
use crate::rng::{mix64, Stream};
pub(crate) use crate::special::expit as sigmoid;
use crate::{ensure, parallel};
use rayon::prelude::*;

/// The prior's field gain: a factor at 1 (or 0) puts a field of ±2 on its p-bit.
pub const PRIOR_GAIN: f64 = 2.0;
/// The prior's total factor–decision coupling Σ_i W_i, shared equally by the factors.
pub const PRIOR_VOTE: f64 = 2.0;
/// The prior's total factor–factor coupling per factor, Σ_j J_ij, shared equally (herding).
pub const PRIOR_HERDING: f64 = 0.25;
/// Largest machine whose states are enumerated (factors plus the decision unit ≤ 24 spins).
pub const MAX_EXACT_FACTORS: usize = exact::MAX_SPINS - 1;
/// With `exact` unspecified, machines up to this many factors are enumerated (2^13 states,
/// about the work of a thousand Gibbs sweeps) and larger ones are sampled.
pub const AUTO_EXACT_FACTORS: usize = 12;
/// Largest number of factors a machine may have.
pub const MAX_FACTORS: usize = 4096;
/// Most steps of the λ ladder of sampled decisions (see [`ladder`]).
pub const MAX_LADDER_STEPS: usize = 64;
/// Chains recompute their fields from the spins this often (no rounding drift).
const REFRESH_SWEEPS: usize = 4096;
/// Spin updates between two checks for Ctrl-C during a burn-in.
const CHECK_UPDATES: usize = 1 << 20;
/// Largest β·(energy scale) accepted: beyond it β·E overflows (−βE and its exponentials are
/// what P(buy) is computed from), so P(buy) would come out NaN.
pub const MAX_BETA_ENERGY: f64 = 1e300;

/// The machine's parameters: everything `fit` learns.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    /// g_i: field per unit of u_i = 2 f_i − 1.
    pub gains: Vec<f64>,
    /// c_i: field at f_i = ½.
    pub biases: Vec<f64>,
    /// W_i: factor–decision couplings (the votes).
    pub weights: Vec<f64>,
    /// J_ij: factor–factor couplings, n×n row-major, symmetric with a zero diagonal.
    pub couplings: Vec<f64>,
    /// b: field on the decision unit.
    pub decision_bias: f64,
}

/// `Err(InvalidInput)` unless β times the largest |E(x, d)| any factor values can give is at
/// most [`MAX_BETA_ENERGY`] (see there).
pub fn check_beta_scale(params: &Params, beta: f64) -> Result<()> {
    let n = params.n();
    let fields: f64 = (0..n).map(|i| params.gains[i].abs() + params.biases[i].abs() + params.weights[i].abs()).sum();
    let pairs: f64 = params.couplings.iter().map(|j| j.abs()).sum::<f64>() / 2.0;
    let scale = fields + pairs + params.decision_bias.abs();
    ensure!(
        beta * scale <= MAX_BETA_ENERGY,
        "beta = {beta:?} is too large for this machine: β times its energy scale ({scale:.3e}) overflows; \
         use a beta of at most {:.3e}",
        MAX_BETA_ENERGY / scale
    );
    Ok(())
}

/// Whether `n` factors are enumerated exactly: as asked, or automatically by size.
pub fn use_exact(n: usize, requested: Option<bool>) -> bool {
    requested.unwrap_or(n <= AUTO_EXACT_FACTORS)
}

pub fn check_num_factors(n: usize) -> Result<()> {
    ensure!((1..=MAX_FACTORS).contains(&n), "num_pbits must be between 1 and {MAX_FACTORS}, got {n}");
    Ok(())
}

impl Params {
    /// The default machine: every factor votes equally (W_i = PRIOR_VOTE / n) and factors herd
    /// mildly (J_ij = PRIOR_HERDING / (n − 1)); no biases.
    pub fn prior(n: usize) -> Result<Self> {
        check_num_factors(n)?;
        let herd = if n > 1 { PRIOR_HERDING / (n - 1) as f64 } else { 0.0 };
        let couplings = (0..n * n).map(|k| if k / n == k % n { 0.0 } else { herd }).collect();
        Ok(Self {
            gains: vec![PRIOR_GAIN; n],
            biases: vec![0.0; n],
            weights: vec![PRIOR_VOTE / n as f64; n],
            couplings,
            decision_bias: 0.0,
        })
    }

    pub fn n(&self) -> usize {
        self.gains.len()
    }

    pub fn validate(&self) -> Result<()> {
        let n = self.n();
        check_num_factors(n)?;
        ensure!(self.biases.len() == n, "biases must have {n} values (one per factor), got {}", self.biases.len());
        ensure!(self.weights.len() == n, "weights must have {n} values (one per factor), got {}", self.weights.len());
        ensure!(
            self.couplings.len() == n * n,
            "couplings must be {n}x{n} ({} values), got {} values",
            n * n,
            self.couplings.len()
        );
        check_finite(&self.gains, "gains")?;
        check_finite(&self.biases, "biases")?;
        check_finite(&self.weights, "weights")?;
        check_finite_matrix(&self.couplings, n, "couplings")?;
        ensure!(self.decision_bias.is_finite(), "decision_bias must be finite, got {}", self.decision_bias);
        if let Some(i) = (0..n).find(|&i| self.couplings[i * n + i] != 0.0) {
            return Err(invalid_diag(i, self.couplings[i * n + i]));
        }
        check_symmetric(&self.couplings, n, 1e-12, "couplings")
    }

    /// The (n+1)-spin Ising model for the factor values `f` (unchecked: see [`check_factors`]).
    pub fn model(&self, f: &[f64]) -> Result<IsingModel> {
        let n = self.n();
        let m = n + 1;
        let mut j = vec![0.0; m * m];
        for i in 0..n {
            j[i * m..i * m + n].copy_from_slice(&self.couplings[i * n..(i + 1) * n]);
            j[i * m + n] = self.weights[i];
            j[n * m + i] = self.weights[i];
        }
        let mut h = self.fields(f);
        h.push(self.decision_bias);
        IsingModel::from_dense(m, &j, &h)
    }

    /// h_i = g_i (2 f_i − 1) + c_i.
    pub fn fields(&self, f: &[f64]) -> Vec<f64> {
        (0..self.n()).map(|i| self.gains[i] * (2.0 * f[i] - 1.0) + self.biases[i]).collect()
    }

    /// Each factor's evidence for buying, in nats of log-odds: ln cosh(β(h_i + W_i)) −
    /// ln cosh(β(h_i − W_i)), what factor i alone adds to ln P(buy)/P(sell) through its p-bit.
    /// Without factor–factor couplings the log-odds are exactly 2βb + Σ_i evidence_i.
    pub fn evidence(&self, f: &[f64], beta: f64) -> Vec<f64> {
        self.fields(f)
            .iter()
            .zip(&self.weights)
            .map(|(&h, &w)| ln_cosh(beta * (h + w)) - ln_cosh(beta * (h - w)))
            .collect()
    }

    /// The parameters as one vector: gains, biases, weights, J_ij for i < j (row by row), b.
    pub fn to_vec(&self) -> Vec<f64> {
        let n = self.n();
        let mut v = Vec::with_capacity(num_params(n));
        v.extend_from_slice(&self.gains);
        v.extend_from_slice(&self.biases);
        v.extend_from_slice(&self.weights);
        for i in 0..n {
            v.extend_from_slice(&self.couplings[i * n + i + 1..(i + 1) * n]);
        }
        v.push(self.decision_bias);
        v
    }

    /// The inverse of [`Params::to_vec`].
    pub fn from_vec(n: usize, v: &[f64]) -> Self {
        assert_eq!(v.len(), num_params(n), "parameter vector of the wrong length");
        let mut couplings = vec![0.0; n * n];
        let mut k = 3 * n;
        for i in 0..n {
            for j in i + 1..n {
                couplings[i * n + j] = v[k];
                couplings[j * n + i] = v[k];
                k += 1;
            }
        }
        Self {
            gains: v[..n].to_vec(),
            biases: v[n..2 * n].to_vec(),
            weights: v[2 * n..3 * n].to_vec(),
            couplings,
            decision_bias: v[k],
        }
    }
}

fn invalid_diag(i: usize, v: f64) -> Error {
    crate::invalid!("couplings must have a zero diagonal (a factor cannot couple to itself), couplings[{i},{i}] = {v}")
}

/// Length of [`Params::to_vec`]: 3n + n(n−1)/2 + 1.
pub fn num_params(n: usize) -> usize {
    3 * n + n * (n.saturating_sub(1)) / 2 + 1
}

/// ln cosh x without overflow: |x| + ln(1 + e^(−2|x|)) − ln 2.
pub fn ln_cosh(x: f64) -> f64 {
    let a = x.abs();
    a + (-2.0 * a).exp().ln_1p() - std::f64::consts::LN_2
}

/// How decisions are computed.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub beta: f64,
    /// P(buy) or P(sell) needed to act, in (½, 1].
    pub threshold: f64,
    /// Recorded Gibbs sweeps per decision (sampling only).
    pub num_samples: usize,
    /// Sweeps discarded first (sampling only).
    pub burn_in: usize,
    /// Enumerate all states instead of sampling.
    pub exact: bool,
}

impl Settings {
    pub fn validate(&self, n: usize) -> Result<()> {
        ensure!(self.beta.is_finite() && self.beta > 0.0, "beta must be finite and positive, got {}", self.beta);
        ensure!(
            self.threshold > 0.5 && self.threshold <= 1.0,
            "energy_threshold must be in (0.5, 1] (P(buy) or P(sell) needed to act), got {}",
            self.threshold
        );
        ensure!(self.num_samples >= 1, "num_samples must be at least 1, got 0");
        if self.exact && n > MAX_EXACT_FACTORS {
            return Err(Error::ResourceLimit(format!(
                "exact enumeration is limited to {MAX_EXACT_FACTORS} factors (2^{} states); this machine has {n}: use exact=False",
                MAX_EXACT_FACTORS + 1
            )));
        }
        Ok(())
    }
}

/// Buy, sell or hold, as the sign of a trading signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Buy,
    Sell,
    Hold,
}

impl Action {
    /// Buy when P(buy) ≥ threshold, Sell when 1 − P(buy) ≥ threshold, Hold otherwise.
    pub fn from_probability(p_buy: f64, threshold: f64) -> Self {
        if p_buy >= threshold {
            Self::Buy
        } else if 1.0 - p_buy >= threshold {
            Self::Sell
        } else {
            Self::Hold
        }
    }

    /// +1 (buy), −1 (sell), 0 (hold).
    pub fn signal(self) -> i8 {
        match self {
            Self::Buy => 1,
            Self::Sell => -1,
            Self::Hold => 0,
        }
    }
}

/// One decision.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// ln P(buy)/P(sell) (exact, or Bennett's estimate), and P(buy) = σ(log_odds).
    pub log_odds: f64,
    pub p_buy: f64,
    /// ⟨E⟩: the thermal mean energy (exact) or the mean over the sampled states.
    pub energy: f64,
    /// See [`Params::evidence`].
    pub evidence: Vec<f64>,
    pub action: Action,
}

/// `Err(InvalidInput)` unless every value of the row-major `rows × n` matrix is in [0, 1].
pub fn check_factors(f: &[f64], n: usize) -> Result<()> {
    ensure!(n > 0 && f.len().is_multiple_of(n), "factors must have {n} columns, got {} values", f.len());
    if let Some(k) = f.iter().position(|v| !(0.0..=1.0).contains(v)) {
        let what = if f[k].is_finite() { "outside [0, 1]" } else { "not finite" };
        return Err(crate::invalid!(
            "factors must be finite values in [0, 1]; factor {} of row {} is {} ({what})",
            k % n,
            k / n,
            f[k]
        ));
    }
    Ok(())
}

/// The random stream seed of a row: a hash of the seed and the factor values, so a decision
/// depends on its factors alone, not on its position in a batch or on the thread count.
pub fn row_seed(seed: u64, f: &[f64]) -> u64 {
    f.iter().fold(mix64(seed ^ 0x51AB_0A12_DEC1_5101), |h, &v| mix64(h ^ (v + 0.0).to_bits()))
}

/// Decisions for the rows of the row-major `rows × n` matrix `f`, in parallel over rows.
pub fn decide(params: &Params, s: &Settings, f: &[f64], seed: u64, control: &Control) -> Result<Vec<Evaluation>> {
    params.validate()?;
    let n = params.n();
    s.validate(n)?;
    check_beta_scale(params, s.beta)?;
    check_factors(f, n)?;
    if !s.exact {
        // each row in flight keeps a slope per sample and rung of the ladder
        let per_row = s.num_samples as u128 * (MAX_LADDER_STEPS as u128 + 1);
        check_alloc::<f64>(per_row * parallel::num_threads() as u128, "the sampled decisions")?;
    }
    control.add_total((f.len() / n) as u64);
    let one = |row: &[f64]| -> Result<Evaluation> {
        control.check()?;
        let (log_odds, energy) = if s.exact {
            exact_vote(&params.model(row)?, s.beta)?
        } else {
            sampled_vote(params, row, s, row_seed(seed, row), control)?
        };
        control.advance(1);
        let p_buy = sigmoid(log_odds);
        Ok(Evaluation {
            log_odds,
            p_buy,
            energy,
            evidence: params.evidence(row, s.beta),
            action: Action::from_probability(p_buy, s.threshold),
        })
    };
    parallel::install(|| f.par_chunks(n).map(one).collect::<Result<Vec<_>>>())?
}

/// Log-partition functions of the two halves of an enumerated machine whose last spin is the
/// decision unit: (ln Σ_{d=+1} e^{−βE}, ln Σ_{d=−1} e^{−βE}) and the log-weights −βE of every
/// state (bit i of the state index set ⇔ spin i is +1).
pub(crate) fn exact_halves(model: &IsingModel, beta: f64) -> Result<(f64, f64, Vec<f64>)> {
    let energies = exact::energies(model)?;
    let half = energies.len() / 2;
    let logw: Vec<f64> = energies.iter().map(|e| -beta * e).collect();
    Ok((log_sum_exp(&logw[half..]), log_sum_exp(&logw[..half]), logw))
}

pub(crate) fn log_sum_exp(v: &[f64]) -> f64 {
    let top = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    top + v.iter().map(|x| (x - top).exp()).sum::<f64>().ln()
}

/// (ln P(buy)/P(sell), ⟨E⟩) by enumeration.
fn exact_vote(model: &IsingModel, beta: f64) -> Result<(f64, f64)> {
    let (zp, zm, logw) = exact_halves(model, beta)?;
    let log_z = log_add(zp, zm);
    let mean_energy = logw.iter().map(|&lw| (lw - log_z).exp() * (-lw / beta)).sum();
    Ok((zp - zm, mean_energy))
}

/// ln(e^a + e^b).
pub(crate) fn log_add(a: f64, b: f64) -> f64 {
    let top = a.max(b);
    top + ((a - top).exp() + (b - top).exp()).ln()
}

/// (ln P(buy)/P(sell), ⟨E⟩) from Gibbs samples along the λ ladder (see [`ladder`] and
/// [`bennett`]).
fn sampled_vote(params: &Params, f: &[f64], s: &Settings, seed: u64, control: &Control) -> Result<(f64, f64)> {
    let h = params.fields(f);
    let run = ClampedRun { params, beta: s.beta, burn_in: s.burn_in, samples: s.num_samples, control };
    let lambdas = ladder(params, s.beta);
    let last = lambdas.len() - 1;
    let mut slopes = Vec::with_capacity(lambdas.len());
    for _ in &lambdas {
        slopes.push(try_with_capacity::<f64>(s.num_samples, "the sampled slopes")?);
    }
    let mut energy = [0.0; 2];
    for (k, &lambda) in lambdas.iter().enumerate() {
        let mut stream = Stream::new(seed, k as u64);
        let end = [0, last].iter().position(|&e| e == k);
        run.run(&h, lambda, None, &mut stream, |x, e| {
            slopes[k].push(run.slope(x));
            if let Some(side) = end {
                energy[side] += e;
            }
        })?;
    }
    let log_odds = ladder_log_odds(&lambdas, &slopes);
    let p = sigmoid(log_odds);
    let k = s.num_samples as f64;
    // E(x, ±1) = E_clamped(x) ∓ b: the clamped machines carry ±W_i in their fields only
    let b = params.decision_bias;
    Ok((log_odds, p * (energy[1] / k - b) + (1.0 - p) * (energy[0] / k + b)))
}

/// The bridge from selling to buying: λ_0 = −1 < λ_1 < … < λ_K = +1, where machine λ is the
/// factor p-bits with fields h_i + λ·W_i (the decision unit clamped to sell at −1 and to buy at
/// +1). Adjacent machines differ by Δλ·β(b + Σ_i W_i x_i) in log-weight, so K = ⌈β Σ_i |W_i|⌉
/// steps (at least 1, at most [`MAX_LADDER_STEPS`]) keep that difference within a few nats and
/// the sample sets of neighbours overlapping.
pub fn ladder(params: &Params, beta: f64) -> Vec<f64> {
    let span = beta * params.weights.iter().map(|w| w.abs()).sum::<f64>();
    let steps = (span.ceil() as usize).clamp(1, MAX_LADDER_STEPS);
    (0..=steps).map(|k| -1.0 + 2.0 * k as f64 / steps as f64).collect()
}

/// ln Z(+1) − ln Z(−1) = ln P(buy)/P(sell), summed over the ladder's steps by [`bennett`];
/// `slopes[k]` holds y(x) = β(b + Σ_i W_i x_i) for the states sampled at λ_k.
pub fn ladder_log_odds(lambdas: &[f64], slopes: &[Vec<f64>]) -> f64 {
    (0..lambdas.len() - 1).map(|k| bennett(&slopes[k + 1], &slopes[k], lambdas[k + 1] - lambdas[k])).sum()
}

/// Gibbs runs of a machine with the decision unit clamped, on `core`'s p-bit kernel.
pub(crate) struct ClampedRun<'a> {
    pub params: &'a Params,
    pub beta: f64,
    pub burn_in: usize,
    pub samples: usize,
    /// Checked between sweeps: `run` returns `Err(Interrupted)` once it is cancelled.
    pub control: &'a Control,
}

impl ClampedRun<'_> {
    /// Runs the factor p-bits with fields h_i + λ·W_i and couplings J (an Ising model of n
    /// spins): from `state` (model order) when given with `resume`, else from a random state;
    /// `burn_in` sweeps, then `samples` sweeps with `visit(state in model order, energy of this
    /// model)` after each. The final state is written back to `state`.
    pub fn run(
        &self,
        h: &[f64],
        lambda: f64,
        state: Option<(&mut [i8], bool)>,
        stream: &mut Stream,
        mut visit: impl FnMut(&[i8], f64),
    ) -> Result<()> {
        let p = self.params;
        let n = p.n();
        let fields: Vec<f64> = h.iter().zip(&p.weights).map(|(a, w)| a + lambda * w).collect();
        let model = IsingModel::from_dense(n, &p.couplings, &fields)?;
        let engine = Engine::new(&model);
        let mut chain = match &state {
            Some((start, true)) => {
                let mut s = vec![0i8; n];
                engine.to_engine(start, &mut s);
                Chain::new(&engine, s, stream)
            }
            _ => Chain::random(&engine, stream),
        };
        let mut x = vec![0i8; n];
        gibbs(&engine, &mut chain, self.beta, self.burn_in, self.samples, self.control, |c| {
            engine.to_model(&c.s, &mut x);
            visit(&x, c.energy);
        })?;
        if let Some((out, _)) = state {
            engine.to_model(&chain.s, out);
        }
        Ok(())
    }

    /// y(x) = β(b + Σ_i W_i x_i) = ∂/∂λ of the log-weight; y(x) = ½ ln p(x, buy)/p(x, sell).
    pub fn slope(&self, x: &[i8]) -> f64 {
        let p = self.params;
        self.beta * (p.decision_bias + p.weights.iter().zip(x).map(|(w, &v)| w * v as f64).sum::<f64>())
    }
}

/// Bennett's acceptance ratio (1976): Δ = ln Z_B/Z_A between two machines whose log-weights
/// differ by a(x) = ln p̃_B(x)/p̃_A(x) = `scale`·y(x), from y of states sampled from B (`y_b`)
/// and from A (`y_a`). For every Δ, Z_B·E_B[σ(Δ − a)] = e^Δ·Z_A·E_A[σ(a − Δ)]; the estimate is
/// the Δ at which the two sample means agree (the minimum-variance choice for equal sample
/// counts), found by Newton's method kept inside a bracket.
pub fn bennett(y_b: &[f64], y_a: &[f64], scale: f64) -> f64 {
    // g(Δ) = mean_A σ(a − Δ) − mean_B σ(Δ − a): 1 at −∞, −1 at +∞, decreasing; g and g′ in one pass
    let g_and_slope = |d: f64| {
        let mut sums = [0.0; 4];
        for (k, (ys, sign)) in [(y_a, 1.0), (y_b, -1.0)].into_iter().enumerate() {
            for &y in ys {
                let s = sigmoid(sign * (scale * y - d));
                sums[2 * k] += s;
                sums[2 * k + 1] += s * (1.0 - s);
            }
        }
        let (na, nb) = (y_a.len() as f64, y_b.len() as f64);
        (sums[0] / na - sums[2] / nb, -sums[1] / na - sums[3] / nb)
    };
    let (lo, hi) = y_b
        .iter()
        .chain(y_a)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &y| (l.min(scale * y), h.max(scale * y)));
    let (mut lo, mut hi) = (lo - 50.0, hi + 50.0);
    let mean = |v: &[f64]| scale * v.iter().sum::<f64>() / v.len() as f64;
    let mut d = 0.5 * (mean(y_b) + mean(y_a));
    for _ in 0..100 {
        let (g, slope) = g_and_slope(d);
        if g == 0.0 {
            break;
        }
        if g > 0.0 {
            lo = d;
        } else {
            hi = d;
        }
        let newton = d - g / slope;
        let next = if newton > lo && newton < hi { newton } else { 0.5 * (lo + hi) };
        let step = (next - d).abs();
        d = next;
        if step < 1e-10 * (1.0 + d.abs()) || hi - lo < 1e-12 {
            break;
        }
    }
    d
}

/// `burn_in` Gibbs sweeps of `chain` at `beta`, then `samples` sweeps with `visit` called
/// after each (core's p-bit kernel does the sweeping); `control` is checked every
/// [`CHECK_UPDATES`] spin updates or so.
pub(crate) fn gibbs(
    engine: &Engine,
    chain: &mut Chain,
    beta: f64,
    burn_in: usize,
    samples: usize,
    control: &Control,
    mut visit: impl FnMut(&Chain),
) -> Result<()> {
    // burn-in sweeps run in blocks of a power of two dividing REFRESH_SWEEPS, so refreshes
    // fall after the same sweeps as in one block of REFRESH_SWEEPS (same results)
    let per_check = (CHECK_UPDATES / engine.n().saturating_mul(engine.n()).max(1)).clamp(1, REFRESH_SWEEPS);
    let block = 1usize << per_check.ilog2();
    let mut since_refresh = 0;
    let mut sweep = |chain: &mut Chain, k: usize| {
        chain.sweep(engine, beta, Method::Gibbs, k);
        since_refresh += k;
        if since_refresh >= REFRESH_SWEEPS {
            chain.refresh(engine);
            since_refresh = 0;
        }
    };
    let mut left = burn_in;
    while left > 0 {
        control.check()?;
        let k = left.min(block);
        sweep(chain, k);
        left -= k;
    }
    for _ in 0..samples {
        control.check()?;
        sweep(chain, 1);
        visit(chain);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn settings(exact: bool) -> Settings {
        Settings { beta: 1.0, threshold: 0.65, num_samples: 4000, burn_in: 100, exact }
    }

    /// P(buy) by direct summation over all states, the energy written out term by term.
    fn brute_p_buy(p: &Params, f: &[f64], beta: f64) -> f64 {
        let n = p.n();
        let h = p.fields(f);
        let (mut zp, mut z) = (0.0, 0.0);
        for code in 0..1usize << (n + 1) {
            let x: Vec<f64> = (0..=n).map(|i| if code >> i & 1 == 1 { 1.0 } else { -1.0 }).collect();
            let d = x[n];
            let mut e = -p.decision_bias * d;
            for i in 0..n {
                e -= h[i] * x[i] + p.weights[i] * x[i] * d;
                for j in i + 1..n {
                    e -= p.couplings[i * n + j] * x[i] * x[j];
                }
            }
            let w = (-beta * e).exp();
            z += w;
            if d > 0.0 {
                zp += w;
            }
        }
        zp / z
    }

    fn random_params(n: usize, seed: u64) -> Params {
        let mut s = Stream::new(seed, 0);
        let mut r = || 2.0 * s.next_f64() - 1.0;
        let mut p = Params::prior(n).unwrap();
        for i in 0..n {
            p.gains[i] = 2.0 * r();
            p.biases[i] = 0.5 * r();
            p.weights[i] = r();
            for j in i + 1..n {
                let w = 0.4 * r();
                p.couplings[i * n + j] = w;
                p.couplings[j * n + i] = w;
            }
        }
        p.decision_bias = 0.3 * r();
        p
    }

    #[test]
    fn exact_vote_matches_brute_force() {
        for (n, seed) in [(1, 1), (3, 2), (6, 3)] {
            let p = random_params(n, seed);
            let f: Vec<f64> = (0..n).map(|i| (i as f64 + 0.5) / n as f64).collect();
            let got = decide(&p, &settings(true), &f, 0, &Control::new()).unwrap();
            let want = brute_p_buy(&p, &f, 1.0);
            assert!((got[0].p_buy - want).abs() < 1e-12, "n={n}: {} vs {want}", got[0].p_buy);
        }
    }

    #[test]
    fn sampling_agrees_with_enumeration() {
        let p = random_params(5, 11);
        let f = [0.9, 0.2, 0.6, 0.75, 0.4];
        let exact = decide(&p, &settings(true), &f, 0, &Control::new()).unwrap()[0].clone();
        let mut s = settings(false);
        s.num_samples = 40_000;
        let sampled = decide(&p, &s, &f, 3, &Control::new()).unwrap()[0].clone();
        assert!((exact.p_buy - sampled.p_buy).abs() < 0.01, "{} vs {}", exact.p_buy, sampled.p_buy);
        assert!((exact.energy - sampled.energy).abs() < 0.05, "{} vs {}", exact.energy, sampled.energy);
        assert_eq!(exact.evidence, sampled.evidence);
    }

    #[test]
    fn sampling_stays_accurate_when_votes_are_strong() {
        // Strong votes freeze a free chain's decision unit (it keeps the side it starts on);
        // the clamped chains with Bennett's ratio do not depend on that.
        let n = 5;
        let mut p = random_params(n, 21);
        for i in 0..n {
            p.gains[i] = 2.5;
            p.weights[i] = if i == 2 { -1.5 } else { 1.5 };
        }
        let mut st = Stream::new(8, 0);
        let rows: Vec<f64> = (0..n * 40).map(|_| st.next_f64()).collect();
        let exact = decide(&p, &settings(true), &rows, 0, &Control::new()).unwrap();
        let mut s = settings(false);
        s.num_samples = 1000;
        let sampled = decide(&p, &s, &rows, 5, &Control::new()).unwrap();
        let worst = exact.iter().zip(&sampled).map(|(a, b)| (a.p_buy - b.p_buy).abs()).fold(0.0, f64::max);
        assert!(worst < 0.03, "largest |P_sampled - P_exact| = {worst}");
        let agree = exact.iter().zip(&sampled).filter(|(a, b)| a.action == b.action).count();
        assert!(agree >= 37, "{agree} of 40 actions agree");
        // The reason for the ladder: one chain of the whole machine, started with every spin up,
        // stays on the buy side where the exact answer is far from it.
        let free_chain_error = |k: usize| {
            let model = p.model(&rows[k * n..(k + 1) * n]).unwrap();
            let chain = crate::core::sampler::ChainParams {
                beta: 1.0,
                method: Method::Gibbs,
                num_chains: 1,
                num_samples: 1000,
                burn_in: 100,
                thin: 1,
                seed: 1,
                record_states: true,
                initial_states: Some(vec![1; n + 1]),
            };
            let engine = Engine::new(&model);
            let run = crate::core::sampler::run_chains(&model, &engine, &chain, &Control::new()).unwrap();
            let buys = run.states.chunks(n + 1).filter(|s| s[n] == 1).count() as f64 / 1000.0;
            (buys - exact[k].p_buy).abs()
        };
        let free_worst = (0..40).map(free_chain_error).fold(0.0, f64::max);
        assert!(free_worst > 0.15 && free_worst > 5.0 * worst, "free chain {free_worst}, ladder {worst}");
    }

    #[test]
    fn bennett_recovers_known_free_energy_differences() {
        // one spin at β = 2: p̃(x, buy) = e^{β(h + w)x}, p̃(x, sell) = e^{β(h − w)x}, so
        // ln Z_buy/Z_sell = ln cosh β(h + w) − ln cosh β(h − w) and a(x) = 2βwx
        let (h, w, beta) = (0.3_f64, 0.8_f64, 2.0);
        let want = ln_cosh(beta * (h + w)) - ln_cosh(beta * (h - w));
        // exact quantiles of P(x = +1) = σ(2β·field) stand in for samples
        let draws = |field: f64| -> Vec<f64> {
            (0..4000)
                .map(|k| if (k as f64 + 0.5) / 4000.0 < sigmoid(2.0 * beta * field) { 1.0 } else { -1.0 })
                .collect()
        };
        let got = bennett(&draws(h + w), &draws(h - w), 2.0 * beta * w);
        assert!((got - want).abs() < 2e-3, "{got} vs {want}");
        assert!(bennett(&[5.0; 3], &[-5.0; 3], 1.0).is_finite());
    }

    #[test]
    fn the_prior_buys_high_sells_low_holds_the_middle() {
        for n in [1, 2, 8, 20] {
            let p = Params::prior(n).unwrap();
            let s = settings(n <= AUTO_EXACT_FACTORS);
            let rows: Vec<f64> = [1.0, 0.0, 0.5].iter().flat_map(|&v| vec![v; n]).collect();
            let out = decide(&p, &s, &rows, 1, &Control::new()).unwrap();
            let actions: Vec<Action> = out.iter().map(|e| e.action).collect();
            assert_eq!(actions, [Action::Buy, Action::Sell, Action::Hold], "n={n}");
            if s.exact {
                assert!((out[2].p_buy - 0.5).abs() < 1e-12);
                assert!((out[0].p_buy + out[1].p_buy - 1.0).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn p_buy_rises_with_every_factor_under_the_prior() {
        let n = 4;
        let p = Params::prior(n).unwrap();
        let grid = [0.0, 0.2, 0.4, 0.5, 0.6, 0.8, 1.0];
        for base in [0.1, 0.5, 0.9] {
            for i in 0..n {
                let rows: Vec<f64> =
                    grid.iter().flat_map(|&v| (0..n).map(move |k| if k == i { v } else { base })).collect();
                let out = decide(&p, &settings(true), &rows, 0, &Control::new()).unwrap();
                assert!(out.windows(2).all(|w| w[1].p_buy > w[0].p_buy), "factor {i}, base {base}");
            }
        }
    }

    #[test]
    fn evidence_is_the_log_odds_without_couplings() {
        let mut p = random_params(4, 5);
        p.couplings.iter_mut().for_each(|w| *w = 0.0);
        let f = [0.1, 0.7, 0.5, 0.95];
        let beta = 0.8;
        let mut s = settings(true);
        s.beta = beta;
        let e = decide(&p, &s, &f, 0, &Control::new()).unwrap().remove(0);
        let log_odds = (e.p_buy / (1.0 - e.p_buy)).ln();
        let sum: f64 = 2.0 * beta * p.decision_bias + e.evidence.iter().sum::<f64>();
        assert!((log_odds - sum).abs() < 1e-10, "{log_odds} vs {sum}");
    }

    #[test]
    fn sampled_decisions_depend_on_seed_and_factors_only() {
        let p = random_params(6, 9);
        let mut s = settings(false);
        s.num_samples = 300;
        let mut st = Stream::new(4, 4);
        let rows: Vec<f64> = (0..6 * 40).map(|_| st.next_f64()).collect();
        let one = parallel::with_threads(Some(1), || decide(&p, &s, &rows, 7, &Control::new())).unwrap().unwrap();
        let three = parallel::with_threads(Some(3), || decide(&p, &s, &rows, 7, &Control::new())).unwrap().unwrap();
        assert_eq!(one, three);
        let alone = decide(&p, &s, &rows[6 * 17..6 * 18], 7, &Control::new()).unwrap();
        assert_eq!(alone[0], one[17]);
        let other = decide(&p, &s, &rows, 8, &Control::new()).unwrap();
        assert_ne!(other, one);
    }

    #[test]
    fn parameter_vectors_round_trip() {
        let p = random_params(5, 2);
        let v = p.to_vec();
        assert_eq!(v.len(), num_params(5));
        assert_eq!(Params::from_vec(5, &v), p);
        assert_eq!(num_params(1), 4);
    }

    #[test]
    fn bad_input_is_refused() {
        let p = Params::prior(3).unwrap();
        let c = Control::new();
        assert!(decide(&p, &settings(true), &[0.5, 0.5], 0, &c).is_err());
        assert!(decide(&p, &settings(true), &[0.5, 1.5, 0.5], 0, &c).is_err());
        assert!(decide(&p, &settings(true), &[0.5, f64::NAN, 0.5], 0, &c).is_err());
        assert!(decide(&p, &settings(true), &[-0.0, 0.0, 1.0], 0, &c).is_ok());
        for t in [0.5, 1.01, f64::NAN] {
            let mut s = settings(true);
            s.threshold = t;
            assert!(decide(&p, &s, &[0.5; 3], 0, &c).is_err(), "threshold {t}");
        }
        let mut s = settings(true);
        s.beta = 0.0;
        assert!(decide(&p, &s, &[0.5; 3], 0, &c).is_err());
        let mut asym = p.clone();
        asym.couplings[1] = 3.0;
        assert!(asym.validate().is_err());
        let mut diag = p.clone();
        diag.couplings[0] = 1.0;
        assert!(diag.validate().is_err());
        assert!(Params::prior(0).is_err());
        let big = Params::prior(30).unwrap();
        assert!(matches!(decide(&big, &settings(true), &[0.5; 30], 0, &c), Err(Error::ResourceLimit(_))));
    }
}
