//! Multi-armed bandits: ε-greedy, UCB1 and Thompson sampling (Beta–Bernoulli or Gaussian), with
//! a native loop over a matrix of rewards.

use super::sample;
use crate::control::Control;
use crate::error::{try_vec, try_with_capacity, Error, Result};
use crate::rng::Stream;

/// Most arms a bandit may have.
pub const MAX_ARMS: usize = 1 << 24;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Policy {
    /// A uniformly random arm with probability ε, else the best mean so far.
    EpsilonGreedy { epsilon: f64 },
    /// Every arm once, then the largest mean + c·√(ln t / n) (c = √2 is Auer et al.'s UCB1).
    Ucb1 { c: f64 },
    /// Beta(α + successes, β + failures) draws; a reward r in [0, 1] counts as a success with
    /// probability r (Agrawal and Goyal's trick for non-binary rewards).
    BetaThompson { alpha: f64, beta: f64 },
    /// N(mean, σ² / (n + 1)) draws (Agrawal and Goyal's Gaussian Thompson sampling).
    GaussianThompson { sigma: f64 },
}

impl Policy {
    pub fn check(&self) -> Result<()> {
        let bad = |m: String| Err(Error::InvalidInput(m));
        match *self {
            Policy::EpsilonGreedy { epsilon } if !(0.0..=1.0).contains(&epsilon) => {
                bad(format!("epsilon must be in [0, 1], got {epsilon}"))
            }
            Policy::Ucb1 { c } if !(c.is_finite() && c >= 0.0) => bad(format!("c must be finite and >= 0, got {c}")),
            Policy::BetaThompson { alpha, beta }
                if !(alpha.is_finite() && alpha > 0.0 && beta.is_finite() && beta > 0.0) =>
            {
                bad(format!("the Beta prior needs alpha > 0 and beta > 0 (finite), got alpha={alpha}, beta={beta}"))
            }
            Policy::GaussianThompson { sigma } if !(sigma.is_finite() && sigma > 0.0) => {
                bad(format!("sigma must be finite and > 0, got {sigma}"))
            }
            _ => Ok(()),
        }
    }
}

pub fn check_arms(arms: usize) -> Result<()> {
    if arms == 0 || arms > MAX_ARMS {
        return Err(Error::InvalidInput(format!("n_arms must be in [1, {MAX_ARMS}], got {arms}")));
    }
    Ok(())
}

#[derive(Debug, Clone)]
pub struct Bandit {
    policy: Policy,
    counts: Vec<u64>,
    sums: Vec<f64>,
    successes: Vec<f64>,
    rng: Stream,
}

/// Index of a uniformly random maximum of `score(arm)` over `arms` arms.
pub(crate) fn argmax_random_tie(arms: usize, rng: &mut Stream, mut score: impl FnMut(usize) -> f64) -> usize {
    let (mut best, mut top, mut ties) = (0, f64::NEG_INFINITY, 0u64);
    for a in 0..arms {
        let v = score(a);
        if v > top {
            (best, top, ties) = (a, v, 1);
        } else if v == top {
            // reservoir sampling over the tied arms: each is kept with probability 1/ties
            ties += 1;
            if rng.below(ties) == 0 {
                best = a;
            }
        }
    }
    best
}

impl Bandit {
    pub fn new(policy: Policy, arms: usize, seed: u64) -> Result<Self> {
        policy.check()?;
        check_arms(arms)?;
        Ok(Self {
            policy,
            counts: try_vec(arms, 0, "the bandit's counts")?,
            sums: try_vec(arms, 0.0, "the bandit's sums")?,
            successes: try_vec(arms, 0.0, "the bandit's successes")?,
            rng: Stream::new(seed, 0),
        })
    }

    /// A bandit from its saved parts (see the getters).
    pub fn from_parts(
        policy: Policy,
        counts: Vec<u64>,
        sums: Vec<f64>,
        successes: Vec<f64>,
        rng: [u64; 4],
    ) -> Result<Self> {
        policy.check()?;
        check_arms(counts.len())?;
        if sums.len() != counts.len() || successes.len() != counts.len() {
            return Err(Error::InvalidInput("a bandit's saved arrays must have one value per arm".into()));
        }
        crate::error::check_finite(&sums, "sums")?;
        Ok(Self { policy, counts, sums, successes, rng: Stream::from_state(rng) })
    }

    pub fn policy(&self) -> Policy {
        self.policy
    }

    pub fn arms(&self) -> usize {
        self.counts.len()
    }

    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    pub fn sums(&self) -> &[f64] {
        &self.sums
    }

    pub fn successes(&self) -> &[f64] {
        &self.successes
    }

    pub fn rng_state(&self) -> [u64; 4] {
        self.rng.state()
    }

    /// Mean reward of each arm so far (0 for an arm never pulled).
    pub fn values(&self) -> Vec<f64> {
        self.counts.iter().zip(&self.sums).map(|(&n, &s)| if n == 0 { 0.0 } else { s / n as f64 }).collect()
    }

    fn mean(&self, a: usize) -> f64 {
        match self.counts[a] {
            0 => 0.0,
            n => self.sums[a] / n as f64,
        }
    }

    pub fn select(&mut self) -> usize {
        let arms = self.arms();
        match self.policy {
            Policy::EpsilonGreedy { epsilon } => {
                if epsilon > 0.0 && self.rng.next_f64() < epsilon {
                    self.rng.below(arms as u64) as usize
                } else {
                    let means = self.values();
                    argmax_random_tie(arms, &mut self.rng, |a| means[a])
                }
            }
            Policy::Ucb1 { c } => {
                if let Some(a) = self.counts.iter().position(|&n| n == 0) {
                    return a;
                }
                let ln_t = (self.counts.iter().sum::<u64>() as f64).ln();
                let (counts, sums) = (&self.counts, &self.sums);
                argmax_random_tie(arms, &mut self.rng, |a| {
                    let n = counts[a] as f64;
                    sums[a] / n + c * (ln_t / n).sqrt()
                })
            }
            Policy::BetaThompson { alpha, beta } => {
                let draws: Vec<f64> = (0..arms)
                    .map(|a| {
                        let s = self.successes[a];
                        sample::beta(&mut self.rng, alpha + s, beta + self.counts[a] as f64 - s)
                    })
                    .collect();
                argmax_random_tie(arms, &mut self.rng, |a| draws[a])
            }
            Policy::GaussianThompson { sigma } => {
                let draws: Vec<f64> = (0..arms)
                    .map(|a| {
                        let sd = sigma / (self.counts[a] as f64 + 1.0).sqrt();
                        self.mean(a) + sd * sample::normal(&mut self.rng)
                    })
                    .collect();
                argmax_random_tie(arms, &mut self.rng, |a| draws[a])
            }
        }
    }

    pub fn update(&mut self, arm: usize, reward: f64) -> Result<()> {
        if arm >= self.arms() {
            return Err(Error::InvalidInput(format!("arm must be in [0, {}), got {arm}", self.arms())));
        }
        if !reward.is_finite() {
            return Err(Error::InvalidInput(format!("reward must be finite, got {reward}")));
        }
        if !(self.sums[arm] + reward).is_finite() {
            return Err(Error::InvalidInput(format!("the rewards of arm {arm} sum beyond float range")));
        }
        if let Policy::BetaThompson { .. } = self.policy {
            if !(0.0..=1.0).contains(&reward) {
                return Err(Error::InvalidInput(format!(
                    "Beta-Bernoulli Thompson sampling needs rewards in [0, 1], got {reward}"
                )));
            }
            let success = if reward == 0.0 || reward == 1.0 { reward } else { f64::from(self.rng.next_f64() < reward) };
            self.successes[arm] += success;
        }
        self.counts[arm] += 1;
        self.sums[arm] += reward;
        Ok(())
    }

    /// Plays `horizon` rounds against the row-major `horizon × arms` matrix of rewards (round t
    /// pays `rewards[t][arm]` for the arm played). Returns the arms played.
    pub fn run(&mut self, rewards: &[f64], horizon: usize, control: &Control) -> Result<Vec<u32>> {
        let arms = self.arms();
        if rewards.len() != horizon.saturating_mul(arms) {
            return Err(Error::InvalidInput(format!(
                "rewards must have shape ({horizon}, {arms}), got {} values",
                rewards.len()
            )));
        }
        crate::error::check_finite_matrix(rewards, arms, "rewards")?;
        if let Policy::BetaThompson { .. } = self.policy {
            if let Some(k) = rewards.iter().position(|r| !(0.0..=1.0).contains(r)) {
                return Err(Error::InvalidInput(format!(
                    "Beta-Bernoulli Thompson sampling needs rewards in [0, 1], got {} at {}",
                    rewards[k],
                    crate::error::element("rewards", &[horizon, arms], k)
                )));
            }
        }
        control.add_total(horizon as u64);
        let mut played = try_with_capacity(horizon, "the arms played")?;
        for (t, row) in rewards.chunks_exact(arms).enumerate() {
            if t % 1024 == 0 {
                control.check()?;
            }
            let a = self.select();
            self.update(a, row[a])?;
            played.push(a as u32);
        }
        control.advance(horizon as u64);
        Ok(played)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pseudo-regret of `policy` on Bernoulli arms with means `p` over `t` rounds.
    fn regret(policy: Policy, p: &[f64], t: usize, seed: u64) -> f64 {
        let mut env = Stream::new(seed, 9);
        let rewards: Vec<f64> = (0..t * p.len()).map(|k| f64::from(env.next_f64() < p[k % p.len()])).collect();
        let mut b = Bandit::new(policy, p.len(), seed).unwrap();
        let played = b.run(&rewards, t, &Control::new()).unwrap();
        let best = p.iter().copied().fold(0.0, f64::max);
        played.iter().map(|&a| best - p[a as usize]).sum()
    }

    #[test]
    fn ucb_and_thompson_regret_is_sublinear() {
        let p = [0.3, 0.5, 0.6];
        for policy in [Policy::Ucb1 { c: 2f64.sqrt() }, Policy::BetaThompson { alpha: 1.0, beta: 1.0 }] {
            let r1 = regret(policy, &p, 5_000, 1);
            let r4 = regret(policy, &p, 20_000, 1);
            assert!(r4 - r1 < 0.3 * (0.1 * 15_000.0), "{policy:?}: {r1} {r4}");
        }
    }

    #[test]
    fn updates_and_bad_input() {
        let mut b = Bandit::new(Policy::EpsilonGreedy { epsilon: 0.0 }, 3, 0).unwrap();
        b.update(1, 2.0).unwrap();
        b.update(1, 4.0).unwrap();
        assert_eq!(b.values(), vec![0.0, 3.0, 0.0]);
        assert_eq!(b.select(), 1);
        assert!(b.update(3, 1.0).is_err());
        assert!(b.update(0, f64::NAN).is_err());
        assert!(Bandit::new(Policy::Ucb1 { c: -1.0 }, 3, 0).is_err());
        assert!(Bandit::new(Policy::Ucb1 { c: 1.0 }, 0, 0).is_err());
        let mut t = Bandit::new(Policy::BetaThompson { alpha: 1.0, beta: 1.0 }, 2, 0).unwrap();
        assert!(t.update(0, 1.5).is_err());
        assert!(t.run(&[0.0, 2.0], 1, &Control::new()).is_err());
    }
}
