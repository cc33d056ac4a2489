//! The scaled forward–backward pass and Viterbi decoding.
//!
//! Emission densities are shifted by their largest value at each step before exponentiation,
//! and the forward variables are normalised at each step (the scale `c_t`), so nothing
//! underflows however long the sequence: `ln L = Σ_t (ln c_t + shift_t)`. Viterbi runs in log
//! space. Sequences are processed in parallel (each is independent) and their results are
//! combined in sequence order, so the result does not depend on the thread count.

use super::model::{Covariance, Emissions, Hmm, Observations};
use crate::control::Control;
use crate::error::{try_vec, Error, Result};
use crate::invalid;
use rayon::prelude::*;

/// Steps between two Ctrl-C checks: about 4 M operations.
fn check_every(m: &Hmm) -> usize {
    let per_step = m.k * m.k + m.k * m.cov.per_state(m.d) + 1;
    ((1usize << 22) / per_step).max(1)
}

/// The sufficient statistics of the E-step (summed over sequences).
#[derive(Debug, Clone, PartialEq)]
pub struct Stats {
    pub loglik: f64,
    /// Σ over sequences of the posterior of the first observation.
    pub start: Vec<f64>,
    /// Σ_t ξ_t(i, j): expected transition counts.
    pub trans: Vec<f64>,
    /// Σ_t γ_t(s).
    pub post: Vec<f64>,
    /// Σ_t γ_t(s) x_t.
    pub obs: Vec<f64>,
    /// Σ_t γ_t(s) x_t² (diagonal) or Σ_t γ_t(s) x_t x_tᵀ (full).
    pub obs2: Vec<f64>,
}

impl Stats {
    fn zeros(m: &Hmm) -> Self {
        let (k, d) = (m.k, m.d);
        Self {
            loglik: 0.0,
            start: vec![0.0; k],
            trans: vec![0.0; k * k],
            post: vec![0.0; k],
            obs: vec![0.0; k * d],
            obs2: vec![0.0; k * m.cov.per_state(d)],
        }
    }

    fn add(&mut self, o: &Stats) {
        self.loglik += o.loglik;
        let pairs = [
            (&mut self.start, &o.start),
            (&mut self.trans, &o.trans),
            (&mut self.post, &o.post),
            (&mut self.obs, &o.obs),
            (&mut self.obs2, &o.obs2),
        ];
        for (a, b) in pairs {
            a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        }
    }
}

/// The forward pass over one sequence `x` (`n` rows): fills `b` with the shifted emission
/// probabilities, `alpha` with the normalised forward variables and `scale` with `c_t`; returns
/// the log-likelihood.
fn forward(
    m: &Hmm,
    em: &Emissions,
    x: &[f64],
    b: &mut [f64],
    alpha: &mut [f64],
    scale: &mut [f64],
    control: &Control,
) -> Result<f64> {
    let (k, d) = (m.k, m.d);
    let n = x.len() / d;
    let every = check_every(m);
    let mut work = vec![0.0; d];
    let mut loglik = 0.0;
    for t in 0..n {
        if t % every == 0 {
            control.check()?;
        }
        let bt = &mut b[t * k..(t + 1) * k];
        em.log_densities(&x[t * d..(t + 1) * d], bt, &mut work);
        let shift = bt.iter().fold(f64::NEG_INFINITY, |a, &v| a.max(v));
        bt.iter_mut().for_each(|v| *v = (*v - shift).exp());
        let (prev, cur) = alpha.split_at_mut(t * k);
        let at = &mut cur[..k];
        if t == 0 {
            at.iter_mut().zip(&m.startprob).zip(bt.iter()).for_each(|((a, p), e)| *a = p * e);
        } else {
            let ap = &prev[(t - 1) * k..];
            at.iter_mut().for_each(|a| *a = 0.0);
            for (i, &ai) in ap.iter().enumerate() {
                if ai == 0.0 {
                    continue;
                }
                let row = &m.transmat[i * k..(i + 1) * k];
                at.iter_mut().zip(row).for_each(|(a, &p)| *a += ai * p);
            }
            at.iter_mut().zip(bt.iter()).for_each(|(a, &e)| *a *= e);
        }
        let c: f64 = at.iter().sum();
        if !(c > 0.0 && c.is_finite() && shift.is_finite()) {
            return Err(impossible(t));
        }
        let inv = 1.0 / c;
        at.iter_mut().for_each(|a| *a *= inv);
        scale[t] = c;
        loglik += c.ln() + shift;
    }
    Ok(loglik)
}

fn impossible(t: usize) -> Error {
    invalid!(
        "observation {t} has zero probability under the model (every state that can be reached there gives it \
         zero density): check the transition matrix and the covariances"
    )
}

/// The backward pass after [`forward`]: calls `on_gamma(t, γ_t)` for `t = n-1, ..., 0` and, when
/// `xi` is given, adds the expected transition counts to it.
fn backward(
    m: &Hmm,
    b: &[f64],
    alpha: &[f64],
    scale: &[f64],
    mut xi: Option<&mut [f64]>,
    control: &Control,
    mut on_gamma: impl FnMut(usize, &[f64]),
) -> Result<()> {
    let k = m.k;
    let n = scale.len();
    let every = check_every(m);
    let mut beta = vec![1.0; k];
    let mut next = vec![0.0; k];
    let mut gamma = vec![0.0; k];
    let mut tmp = vec![0.0; k];
    for t in (0..n).rev() {
        if t % every == 0 {
            control.check()?;
        }
        let at = &alpha[t * k..(t + 1) * k];
        let mut sum = 0.0;
        for s in 0..k {
            gamma[s] = at[s] * beta[s];
            sum += gamma[s];
        }
        let inv = 1.0 / sum;
        gamma.iter_mut().for_each(|g| *g *= inv);
        on_gamma(t, &gamma);
        if t == 0 {
            break;
        }
        // tmp_j = b_t(j) β_t(j) / c_t
        let bt = &b[t * k..(t + 1) * k];
        let inv_c = 1.0 / scale[t];
        for j in 0..k {
            tmp[j] = bt[j] * beta[j] * inv_c;
        }
        let ap = &alpha[(t - 1) * k..t * k];
        for i in 0..k {
            let row = &m.transmat[i * k..(i + 1) * k];
            let mut acc = 0.0;
            for j in 0..k {
                acc += row[j] * tmp[j];
            }
            next[i] = acc;
            if let Some(xi) = xi.as_deref_mut() {
                let ai = ap[i];
                let xrow = &mut xi[i * k..(i + 1) * k];
                for j in 0..k {
                    xrow[j] += ai * row[j] * tmp[j];
                }
            }
        }
        std::mem::swap(&mut beta, &mut next);
    }
    Ok(())
}

/// Work space for one sequence of `n` steps.
struct Lattice {
    b: Vec<f64>,
    alpha: Vec<f64>,
    scale: Vec<f64>,
}

impl Lattice {
    fn new(n: usize, k: usize) -> Result<Self> {
        let what = "the forward-backward lattice";
        Ok(Self { b: try_vec(n * k, 0.0, what)?, alpha: try_vec(n * k, 0.0, what)?, scale: try_vec(n, 0.0, what)? })
    }
}

/// The E-step statistics of one sequence.
fn sequence_stats(m: &Hmm, em: &Emissions, x: &[f64], control: &Control) -> Result<Stats> {
    let (k, d) = (m.k, m.d);
    let n = x.len() / d;
    let mut lat = Lattice::new(n, k)?;
    let mut st = Stats::zeros(m);
    st.loglik = forward(m, em, x, &mut lat.b, &mut lat.alpha, &mut lat.scale, control)?;
    let full = m.cov == Covariance::Full;
    let per = m.cov.per_state(d);
    let Stats { start, trans, post, obs, obs2, .. } = &mut st;
    let xi = (n > 1).then_some(trans.as_mut_slice());
    backward(m, &lat.b, &lat.alpha, &lat.scale, xi, control, |t, g| {
        let row = &x[t * d..(t + 1) * d];
        if t == 0 {
            start.iter_mut().zip(g).for_each(|(a, &v)| *a += v);
        }
        for s in 0..k {
            let w = g[s];
            post[s] += w;
            let o = &mut obs[s * d..(s + 1) * d];
            o.iter_mut().zip(row).for_each(|(a, &v)| *a += w * v);
            let o2 = &mut obs2[s * per..(s + 1) * per];
            if full {
                for f in 0..d {
                    let wf = w * row[f];
                    o2[f * d..(f + 1) * d].iter_mut().zip(row).for_each(|(a, &v)| *a += wf * v);
                }
            } else {
                o2.iter_mut().zip(row).for_each(|(a, &v)| *a += w * v * v);
            }
        }
    })?;
    Ok(st)
}

/// The E-step over every sequence: the summed sufficient statistics and log-likelihood.
pub fn estep(m: &Hmm, obs: &Observations<'_>, control: &Control) -> Result<Stats> {
    let em = m.emissions()?;
    let seqs = obs.sequences();
    let parts: Vec<Result<Stats>> = crate::parallel::install(|| {
        seqs.par_iter().with_max_len(1).map(|x| sequence_stats(m, &em, x, control)).collect()
    })?;
    let mut total = Stats::zeros(m);
    for p in parts {
        total.add(&p?);
    }
    Ok(total)
}

/// The log-likelihood of one sequence by a forward pass that keeps only the current step (no
/// lattice: O(k) memory).
fn loglik_only(m: &Hmm, em: &Emissions, x: &[f64], control: &Control) -> Result<f64> {
    let (k, d) = (m.k, m.d);
    let every = check_every(m);
    let (mut work, mut b) = (vec![0.0; d], vec![0.0; k]);
    let (mut prev, mut cur) = (vec![0.0; k], vec![0.0; k]);
    let mut loglik = 0.0;
    for (t, row) in x.chunks_exact(d).enumerate() {
        if t % every == 0 {
            control.check()?;
        }
        em.log_densities(row, &mut b, &mut work);
        let shift = b.iter().fold(f64::NEG_INFINITY, |a, &v| a.max(v));
        b.iter_mut().for_each(|v| *v = (*v - shift).exp());
        if t == 0 {
            cur.iter_mut().zip(&m.startprob).zip(&b).for_each(|((a, p), e)| *a = p * e);
        } else {
            cur.iter_mut().for_each(|a| *a = 0.0);
            for (i, &ai) in prev.iter().enumerate() {
                if ai != 0.0 {
                    cur.iter_mut().zip(&m.transmat[i * k..(i + 1) * k]).for_each(|(a, &p)| *a += ai * p);
                }
            }
            cur.iter_mut().zip(&b).for_each(|(a, &e)| *a *= e);
        }
        let c: f64 = cur.iter().sum();
        if !(c > 0.0 && c.is_finite() && shift.is_finite()) {
            return Err(impossible(t));
        }
        let inv = 1.0 / c;
        cur.iter_mut().for_each(|a| *a *= inv);
        loglik += c.ln() + shift;
        std::mem::swap(&mut prev, &mut cur);
    }
    Ok(loglik)
}

/// `out` cut into consecutive mutable chunks of `lengths[i] * width` values.
fn split_by<'a, T>(mut out: &'a mut [T], lengths: &[usize], width: usize) -> Vec<&'a mut [T]> {
    let mut parts = Vec::with_capacity(lengths.len());
    for &n in lengths {
        let (head, tail) = out.split_at_mut(n * width);
        parts.push(head);
        out = tail;
    }
    parts
}

/// The total log-likelihood `ln p(X)` of every sequence (hmmlearn's `score`).
pub fn score(m: &Hmm, obs: &Observations<'_>, control: &Control) -> Result<f64> {
    m.validate()?;
    let em = m.emissions()?;
    let seqs = obs.sequences();
    let parts: Vec<Result<f64>> = crate::parallel::install(|| {
        seqs.par_iter().with_max_len(1).map(|x| loglik_only(m, &em, x, control)).collect()
    })?;
    parts.into_iter().sum()
}

/// The log-likelihood and the smoothed posteriors `P(state_t = s | X)` (row-major `T × k`).
pub fn posteriors(m: &Hmm, obs: &Observations<'_>, control: &Control) -> Result<(f64, Vec<f64>)> {
    m.validate()?;
    let (k, d) = (m.k, m.d);
    let em = m.emissions()?;
    let mut gamma = try_vec(obs.len() * k, 0.0, "the posteriors")?;
    let seqs = obs.sequences();
    let outs = split_by(&mut gamma, obs.lengths, k);
    let parts: Vec<Result<f64>> = crate::parallel::install(|| {
        seqs.par_iter()
            .zip(outs)
            .with_max_len(1)
            .map(|(x, out)| {
                let mut lat = Lattice::new(x.len() / d, k)?;
                let ll = forward(m, &em, x, &mut lat.b, &mut lat.alpha, &mut lat.scale, control)?;
                backward(m, &lat.b, &lat.alpha, &lat.scale, None, control, |t, g| {
                    out[t * k..(t + 1) * k].copy_from_slice(g)
                })?;
                Ok(ll)
            })
            .collect()
    })?;
    let ll = parts.into_iter().sum::<Result<f64>>()?;
    Ok((ll, gamma))
}

/// The most likely state path (Viterbi) and its log-probability, summed over sequences.
pub fn viterbi(m: &Hmm, obs: &Observations<'_>, control: &Control) -> Result<(f64, Vec<usize>)> {
    m.validate()?;
    let k = m.k;
    let em = m.emissions()?;
    let mut states = try_vec(obs.len(), 0usize, "the decoded states")?;
    let seqs = obs.sequences();
    let outs = split_by(&mut states, obs.lengths, 1);
    let log_a: Vec<f64> = m.transmat.iter().map(|p| p.ln()).collect();
    let log_pi: Vec<f64> = m.startprob.iter().map(|p| p.ln()).collect();
    let parts: Vec<Result<f64>> = crate::parallel::install(|| {
        seqs.par_iter()
            .zip(outs)
            .with_max_len(1)
            .map(|(x, out)| viterbi_one(m, &em, &log_a, &log_pi, x, out, control))
            .collect()
    })?;
    let lp = parts.into_iter().sum::<Result<f64>>()?;
    let _ = k;
    Ok((lp, states))
}

fn viterbi_one(
    m: &Hmm,
    em: &Emissions,
    log_a: &[f64],
    log_pi: &[f64],
    x: &[f64],
    out: &mut [usize],
    control: &Control,
) -> Result<f64> {
    let (k, d) = (m.k, m.d);
    let n = x.len() / d;
    let every = check_every(m);
    let mut back = try_vec(n * k, 0u8, "the Viterbi back-pointers")?;
    let mut delta = vec![0.0; k];
    let mut next = vec![0.0; k];
    let mut lb = vec![0.0; k];
    let mut work = vec![0.0; d];
    for t in 0..n {
        if t % every == 0 {
            control.check()?;
        }
        em.log_densities(&x[t * d..(t + 1) * d], &mut lb, &mut work);
        if t == 0 {
            for s in 0..k {
                delta[s] = log_pi[s] + lb[s];
            }
        } else {
            let bp = &mut back[t * k..(t + 1) * k];
            for j in 0..k {
                let (mut best, mut arg) = (f64::NEG_INFINITY, 0usize);
                for i in 0..k {
                    let v = delta[i] + log_a[i * k + j];
                    if v > best {
                        best = v;
                        arg = i;
                    }
                }
                next[j] = best + lb[j];
                bp[j] = arg as u8;
            }
            std::mem::swap(&mut delta, &mut next);
        }
        if delta.iter().all(|v| *v == f64::NEG_INFINITY) {
            return Err(impossible(t));
        }
    }
    let (mut best, mut s) = (f64::NEG_INFINITY, 0usize);
    for (i, &v) in delta.iter().enumerate() {
        if v > best {
            best = v;
            s = i;
        }
    }
    for t in (0..n).rev() {
        out[t] = s;
        if t > 0 {
            s = back[t * k + s] as usize;
        }
    }
    Ok(best)
}

#[cfg(test)]
mod tests {
    use super::super::model::sample;
    use super::*;

    fn model() -> Hmm {
        Hmm {
            k: 2,
            d: 1,
            cov: Covariance::Diag,
            startprob: vec![0.6, 0.4],
            transmat: vec![0.7, 0.3, 0.4, 0.6],
            means: vec![0.0, 2.0],
            covars: vec![1.0, 0.5],
        }
    }

    /// ln p(X) by summing over every state path.
    fn brute_force(m: &Hmm, x: &[f64]) -> f64 {
        let n = x.len();
        let em = m.emissions().unwrap();
        let mut total = 0.0;
        for path in 0..(1usize << n) {
            let s = |t: usize| (path >> t) & 1;
            let mut p = m.startprob[s(0)];
            let mut lb = [0.0; 2];
            for t in 0..n {
                if t > 0 {
                    p *= m.transmat[s(t - 1) * 2 + s(t)];
                }
                em.log_densities(&x[t..t + 1], &mut lb, &mut [0.0]);
                p *= lb[s(t)].exp();
            }
            total += p;
        }
        total.ln()
    }

    #[test]
    fn likelihood_and_posteriors_match_enumeration() {
        let m = model();
        let x = [0.1, 1.9, 2.5, -0.3, 0.7, 2.2];
        let lengths = [6];
        let obs = Observations::new(&x, 1, &lengths).unwrap();
        let c = Control::new();
        let ll = score(&m, &obs, &c).unwrap();
        assert!((ll - brute_force(&m, &x)).abs() < 1e-12, "{ll}");
        let (ll2, g) = posteriors(&m, &obs, &c).unwrap();
        assert!((ll - ll2).abs() < 1e-12);
        for t in 0..6 {
            assert!((g[2 * t] + g[2 * t + 1] - 1.0).abs() < 1e-12);
        }
        let (_, path) = viterbi(&m, &obs, &c).unwrap();
        assert_eq!(path, vec![0, 1, 1, 0, 0, 1]);
        // two sequences score as the sum of their parts
        let lengths2 = [2, 4];
        let obs2 = Observations::new(&x, 1, &lengths2).unwrap();
        let split = brute_force(&m, &x[..2]) + brute_force(&m, &x[2..]);
        assert!((score(&m, &obs2, &c).unwrap() - split).abs() < 1e-12);
    }

    #[test]
    fn a_million_steps_do_not_underflow() {
        let m = model();
        let (x, _) = sample(&m, 1_000_000, 3, &Control::new()).unwrap();
        let lengths = [x.len()];
        let obs = Observations::new(&x, 1, &lengths).unwrap();
        let ll = score(&m, &obs, &Control::new()).unwrap();
        assert!(ll.is_finite() && ll < 0.0 && ll > -3e6, "{ll}");
    }

    #[test]
    fn cancelled_work_stops() {
        let m = model();
        let x = vec![0.5; 10];
        let lengths = [10];
        let obs = Observations::new(&x, 1, &lengths).unwrap();
        let c = Control::new();
        c.cancel();
        assert_eq!(score(&m, &obs, &c), Err(Error::Interrupted));
    }
}
