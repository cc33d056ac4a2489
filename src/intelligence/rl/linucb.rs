//! LinUCB with disjoint linear models (Li, Chu, Langford and Schapire 2010, algorithm 1): arm a
//! keeps A_a = I + Σ x xᵀ and b_a = Σ r x, and is scored θ_aᵀx + α·√(xᵀA_a⁻¹x) with θ_a = A_a⁻¹b_a.
//! A_a⁻¹ is kept up to date by the Sherman–Morrison formula, O(d²) per update.

use super::bandits::{argmax_random_tie, check_arms};
use crate::control::Control;
use crate::error::{check_finite, try_vec, try_with_capacity, Error, Result};
use crate::rng::Stream;

/// Most context features.
pub const MAX_FEATURES: usize = 1 << 12;

#[derive(Debug, Clone)]
pub struct LinUcb {
    alpha: f64,
    arms: usize,
    dim: usize,
    /// A_a⁻¹, row-major d×d per arm.
    a_inv: Vec<f64>,
    b: Vec<f64>,
    counts: Vec<u64>,
    sums: Vec<f64>,
    rng: Stream,
}

/// Saved parts of a [`LinUcb`]: alpha, arms, dim, A⁻¹, b, counts, sums, generator state.
pub type Parts = (f64, usize, usize, Vec<f64>, Vec<f64>, Vec<u64>, Vec<f64>, [u64; 4]);

impl LinUcb {
    pub fn new(arms: usize, dim: usize, alpha: f64, seed: u64) -> Result<Self> {
        check_arms(arms)?;
        if dim == 0 || dim > MAX_FEATURES {
            return Err(Error::InvalidInput(format!("n_features must be in [1, {MAX_FEATURES}], got {dim}")));
        }
        if !(alpha.is_finite() && alpha >= 0.0) {
            return Err(Error::InvalidInput(format!("alpha must be finite and >= 0, got {alpha}")));
        }
        let cells = arms
            .checked_mul(dim * dim)
            .ok_or_else(|| Error::ResourceLimit("LinUCB's matrices are too large".into()))?;
        let mut a_inv = try_vec(cells, 0.0, "LinUCB's matrices")?;
        for block in a_inv.chunks_exact_mut(dim * dim) {
            for i in 0..dim {
                block[i * dim + i] = 1.0;
            }
        }
        Ok(Self {
            alpha,
            arms,
            dim,
            a_inv,
            b: try_vec(arms * dim, 0.0, "LinUCB's vectors")?,
            counts: try_vec(arms, 0, "LinUCB's counts")?,
            sums: try_vec(arms, 0.0, "LinUCB's sums")?,
            rng: Stream::new(seed, 0),
        })
    }

    pub fn from_parts(p: Parts) -> Result<Self> {
        let (alpha, arms, dim, a_inv, b, counts, sums, rng) = p;
        let mut me = Self::new(arms, dim, alpha, 0)?;
        if a_inv.len() != me.a_inv.len() || b.len() != me.b.len() || counts.len() != arms || sums.len() != arms {
            return Err(Error::InvalidInput("LinUCB's saved arrays do not match its sizes".into()));
        }
        check_finite(&a_inv, "A_inv")?;
        check_finite(&b, "b")?;
        (me.a_inv, me.b, me.counts, me.sums, me.rng) = (a_inv, b, counts, sums, Stream::from_state(rng));
        Ok(me)
    }

    pub fn parts(&self) -> Parts {
        (
            self.alpha,
            self.arms,
            self.dim,
            self.a_inv.clone(),
            self.b.clone(),
            self.counts.clone(),
            self.sums.clone(),
            self.rng.state(),
        )
    }

    pub fn arms(&self) -> usize {
        self.arms
    }

    pub fn dim(&self) -> usize {
        self.dim
    }

    pub fn alpha(&self) -> f64 {
        self.alpha
    }

    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    pub fn values(&self) -> Vec<f64> {
        self.counts.iter().zip(&self.sums).map(|(&n, &s)| if n == 0 { 0.0 } else { s / n as f64 }).collect()
    }

    /// θ_a = A_a⁻¹ b_a for every arm, row-major arms × d.
    pub fn theta(&self) -> Vec<f64> {
        let d = self.dim;
        let mut out = vec![0.0; self.arms * d];
        for a in 0..self.arms {
            let m = &self.a_inv[a * d * d..(a + 1) * d * d];
            for i in 0..d {
                out[a * d + i] = (0..d).map(|j| m[i * d + j] * self.b[a * d + j]).sum();
            }
        }
        out
    }

    /// Checks a context: `d` features shared by every arm, or `arms × d` (one row per arm).
    /// Returns whether it is shared.
    pub fn check_context(&self, x: &[f64]) -> Result<bool> {
        let shared = if x.len() == self.dim {
            true
        } else if x.len() == self.arms * self.dim {
            false
        } else {
            return Err(Error::InvalidInput(format!(
                "context must have {} features (shared by the arms) or shape ({}, {}), got {} values",
                self.dim,
                self.arms,
                self.dim,
                x.len()
            )));
        };
        check_finite(x, "context")?;
        Ok(shared)
    }

    fn row<'a>(&self, x: &'a [f64], arm: usize) -> &'a [f64] {
        if x.len() == self.dim {
            x
        } else {
            &x[arm * self.dim..(arm + 1) * self.dim]
        }
    }

    fn score(&self, arm: usize, x: &[f64]) -> f64 {
        let d = self.dim;
        let m = &self.a_inv[arm * d * d..(arm + 1) * d * d];
        let b = &self.b[arm * d..(arm + 1) * d];
        let (mut mean, mut width) = (0.0, 0.0);
        for i in 0..d {
            let row = &m[i * d..(i + 1) * d];
            let mx: f64 = row.iter().zip(x).map(|(a, b)| a * b).sum();
            let mb: f64 = row.iter().zip(b).map(|(a, b)| a * b).sum();
            mean += x[i] * mb;
            width += x[i] * mx;
        }
        mean + self.alpha * width.max(0.0).sqrt()
    }

    /// The arm to play in `context` (checked with [`LinUcb::check_context`]).
    pub fn select(&mut self, context: &[f64]) -> Result<usize> {
        self.check_context(context)?;
        let scores: Vec<f64> = (0..self.arms).map(|a| self.score(a, self.row(context, a))).collect();
        Ok(argmax_random_tie(self.arms, &mut self.rng, |a| scores[a]))
    }

    pub fn update(&mut self, arm: usize, reward: f64, context: &[f64]) -> Result<()> {
        if arm >= self.arms {
            return Err(Error::InvalidInput(format!("arm must be in [0, {}), got {arm}", self.arms)));
        }
        if !reward.is_finite() {
            return Err(Error::InvalidInput(format!("reward must be finite, got {reward}")));
        }
        self.check_context(context)?;
        if !(self.sums[arm] + reward).is_finite() {
            return Err(Error::InvalidInput(format!("the rewards of arm {arm} sum beyond float range")));
        }
        let d = self.dim;
        let x = self.row(context, arm).to_vec();
        let m = &self.a_inv[arm * d * d..(arm + 1) * d * d];
        // A⁻¹ ← A⁻¹ − (A⁻¹x)(A⁻¹x)ᵀ / (1 + xᵀA⁻¹x), A⁻¹ being symmetric
        let u: Vec<f64> = (0..d).map(|i| m[i * d..(i + 1) * d].iter().zip(&x).map(|(a, b)| a * b).sum()).collect();
        let denom = 1.0 + x.iter().zip(&u).map(|(a, b)| a * b).sum::<f64>();
        let b: Vec<f64> = self.b[arm * d..(arm + 1) * d].iter().zip(&x).map(|(bi, xi)| bi + reward * xi).collect();
        // checked before anything changes: a context this large would leave NaN in the model
        if !denom.is_finite() || u.iter().chain(&b).any(|v| !v.is_finite()) {
            return Err(Error::InvalidInput(
                "context and reward are too large: the model's statistics would overflow".into(),
            ));
        }
        let m = &mut self.a_inv[arm * d * d..(arm + 1) * d * d];
        for i in 0..d {
            for j in 0..d {
                m[i * d + j] -= u[i] * u[j] / denom;
            }
        }
        self.b[arm * d..(arm + 1) * d].copy_from_slice(&b);
        self.counts[arm] += 1;
        self.sums[arm] += reward;
        Ok(())
    }

    /// Plays `horizon` rounds: round t sees `contexts[t]` (d values, or arms × d) and pays
    /// `rewards[t][arm]`. Returns the arms played.
    pub fn run(&mut self, contexts: &[f64], rewards: &[f64], horizon: usize, control: &Control) -> Result<Vec<u32>> {
        let per = if contexts.len() == horizon.saturating_mul(self.dim) {
            self.dim
        } else if contexts.len() == horizon.saturating_mul(self.arms * self.dim) {
            self.arms * self.dim
        } else {
            return Err(Error::InvalidInput(format!(
                "contexts must have shape ({horizon}, {d}) or ({horizon}, {a}, {d}), got {n} values",
                d = self.dim,
                a = self.arms,
                n = contexts.len()
            )));
        };
        if rewards.len() != horizon.saturating_mul(self.arms) {
            return Err(Error::InvalidInput(format!(
                "rewards must have shape ({horizon}, {}), got {} values",
                self.arms,
                rewards.len()
            )));
        }
        crate::error::check_finite_matrix(rewards, self.arms, "rewards")?;
        crate::error::check_finite_matrix(contexts, per, "contexts")?;
        let mut played = try_with_capacity(horizon, "the arms played")?;
        for t in 0..horizon {
            if t % 256 == 0 {
                control.check()?;
            }
            let x = &contexts[t * per..(t + 1) * per];
            let a = self.select(x)?;
            self.update(a, rewards[t * self.arms + a], x)?;
            played.push(a as u32);
        }
        control.advance(horizon as u64);
        Ok(played)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_a_linear_reward() {
        // arm a pays <theta_a, x> + noise; LinUCB should end up picking the better arm mostly
        let (arms, d, t) = (3, 4, 3000);
        let theta = [[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0]];
        let mut rng = Stream::new(1, 1);
        let mut ctx = Vec::new();
        let mut rewards = Vec::new();
        for _ in 0..t {
            let x: Vec<f64> = (0..d).map(|_| rng.next_f64()).collect();
            for th in &theta {
                rewards.push(th.iter().zip(&x).map(|(a, b)| a * b).sum::<f64>() + 0.1 * (rng.next_f64() - 0.5));
            }
            ctx.extend(x);
        }
        let mut lin = LinUcb::new(arms, d, 0.5, 3).unwrap();
        let played = lin.run(&ctx, &rewards, t, &Control::new()).unwrap();
        let late = (t - 1000..t)
            .filter(|&k| {
                let x = &ctx[k * d..(k + 1) * d];
                let best = (0..arms).max_by(|&a, &b| x[a].total_cmp(&x[b])).unwrap();
                played[k] as usize == best
            })
            .count();
        assert!(late > 900, "{late}");
        assert!(lin.select(&[1.0]).is_err());
        assert!(lin.update(0, 1.0, &[f64::NAN, 0.0, 0.0, 0.0]).is_err());
    }
}
