//! Tabular temporal-difference control: Q-learning, SARSA and Expected SARSA on a Q table, with
//! ε-greedy exploration on stable-baselines3's linear schedule, and the native episode loop.

use super::env::TabularEnv;
use crate::control::Control;
use crate::error::{try_vec, Error, Result};
use crate::rng::Stream;

/// The agent's stream of a seed: not stream 0, which a built-in environment seeded with the same
/// number uses (exploration and slips would otherwise draw the same numbers).
const AGENT_STREAM: u64 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    QLearning,
    Sarsa,
    ExpectedSarsa,
}

impl Algorithm {
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "q_learning" => Ok(Self::QLearning),
            "sarsa" => Ok(Self::Sarsa),
            "expected_sarsa" => Ok(Self::ExpectedSarsa),
            _ => Err(Error::InvalidInput(format!(
                "algorithm must be 'q_learning', 'sarsa' or 'expected_sarsa', got {name:?}"
            ))),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::QLearning => "q_learning",
            Self::Sarsa => "sarsa",
            Self::ExpectedSarsa => "expected_sarsa",
        }
    }
}

/// Step size, discount and the ε schedule: ε falls linearly from `eps_start` to `eps_end` over
/// the first `eps_fraction` of a `learn` call, then stays at `eps_end`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    pub learning_rate: f64,
    pub gamma: f64,
    pub eps_start: f64,
    pub eps_end: f64,
    pub eps_fraction: f64,
}

impl Params {
    pub fn check(&self) -> Result<()> {
        let in_unit = |v: f64, name: &str| {
            if (0.0..=1.0).contains(&v) {
                Ok(())
            } else {
                Err(Error::InvalidInput(format!("{name} must be in [0, 1], got {v}")))
            }
        };
        if !(self.learning_rate > 0.0 && self.learning_rate <= 1.0) {
            return Err(Error::InvalidInput(format!("learning_rate must be in (0, 1], got {}", self.learning_rate)));
        }
        in_unit(self.gamma, "gamma")?;
        in_unit(self.eps_start, "exploration_initial_eps")?;
        in_unit(self.eps_end, "exploration_final_eps")?;
        in_unit(self.eps_fraction, "exploration_fraction")
    }

    /// ε after `progress` (0 to 1) of a run.
    pub fn epsilon_at(&self, progress: f64) -> f64 {
        if progress >= self.eps_fraction {
            return self.eps_end;
        }
        self.eps_start + (self.eps_end - self.eps_start) * (progress / self.eps_fraction)
    }
}

/// How long a native `learn` runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    Steps(u64),
    Episodes(u64),
}

/// What a native `learn` did: the return and length of every finished episode.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    pub episode_returns: Vec<f64>,
    pub episode_lengths: Vec<u64>,
    pub timesteps: u64,
}

#[derive(Debug, Clone)]
pub struct Agent {
    algorithm: Algorithm,
    params: Params,
    states: usize,
    actions: usize,
    q: Vec<f64>,
    rng: Stream,
    epsilon: f64,
}

impl Agent {
    pub fn new(algorithm: Algorithm, params: Params, states: usize, actions: usize, seed: u64) -> Result<Self> {
        params.check()?;
        if states == 0 || actions == 0 {
            return Err(Error::InvalidInput(format!(
                "the spaces must have at least one state and one action, got {states} states and {actions} actions"
            )));
        }
        let cells =
            states.checked_mul(actions).ok_or_else(|| Error::ResourceLimit("the Q table is too large".into()))?;
        let q = try_vec(cells, 0.0, "the Q table")?;
        Ok(Self {
            algorithm,
            params,
            states,
            actions,
            q,
            rng: Stream::new(seed, AGENT_STREAM),
            epsilon: params.eps_start,
        })
    }

    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    pub fn params(&self) -> Params {
        self.params
    }

    pub fn shape(&self) -> (usize, usize) {
        (self.states, self.actions)
    }

    pub fn q(&self) -> &[f64] {
        &self.q
    }

    pub fn epsilon(&self) -> f64 {
        self.epsilon
    }

    pub fn set_epsilon(&mut self, eps: f64) -> Result<()> {
        if !(0.0..=1.0).contains(&eps) {
            return Err(Error::InvalidInput(format!("epsilon must be in [0, 1], got {eps}")));
        }
        self.epsilon = eps;
        Ok(())
    }

    /// Sets ε from the schedule at `progress` of a run.
    pub fn set_progress(&mut self, progress: f64) {
        self.epsilon = self.params.epsilon_at(progress.clamp(0.0, 1.0));
    }

    pub fn set_q(&mut self, q: Vec<f64>) -> Result<()> {
        if q.len() != self.q.len() {
            return Err(Error::InvalidInput(format!(
                "the Q table must have {}x{} values, got {}",
                self.states,
                self.actions,
                q.len()
            )));
        }
        crate::error::check_finite_matrix(&q, self.actions, "q_table")?;
        self.q = q;
        Ok(())
    }

    pub fn rng_state(&self) -> [u64; 4] {
        self.rng.state()
    }

    pub fn set_rng_state(&mut self, s: [u64; 4]) {
        self.rng = Stream::from_state(s);
    }

    pub fn reseed(&mut self, seed: u64) {
        self.rng = Stream::new(seed, AGENT_STREAM);
    }

    pub fn check_state(&self, s: usize) -> Result<()> {
        if s < self.states {
            Ok(())
        } else {
            Err(Error::InvalidInput(format!("observation must be in [0, {}), got {s}", self.states)))
        }
    }

    pub fn check_action(&self, a: usize) -> Result<()> {
        if a < self.actions {
            Ok(())
        } else {
            Err(Error::InvalidInput(format!("action must be in [0, {}), got {a}", self.actions)))
        }
    }

    fn row(&self, s: usize) -> &[f64] {
        &self.q[s * self.actions..(s + 1) * self.actions]
    }

    /// The first action of largest value (numpy's `argmax`): what `predict` returns.
    pub fn greedy(&self, s: usize) -> usize {
        let row = self.row(s);
        let mut best = 0;
        for (a, &v) in row.iter().enumerate() {
            if v > row[best] {
                best = a;
            }
        }
        best
    }

    /// A uniformly random action among those of largest value: while the table is still flat,
    /// a fixed tie-break would send every episode the same way.
    fn greedy_random_tie(&mut self, s: usize) -> usize {
        let top = self.row(s).iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let ties = self.row(s).iter().filter(|&&v| v == top).count() as u64;
        let mut k = if ties > 1 { self.rng.below(ties) } else { 0 };
        for (a, &v) in self.row(s).iter().enumerate() {
            if v == top {
                if k == 0 {
                    return a;
                }
                k -= 1;
            }
        }
        self.greedy(s)
    }

    /// An ε-greedy action at the current ε.
    pub fn act(&mut self, s: usize) -> usize {
        if self.epsilon > 0.0 && self.rng.next_f64() < self.epsilon {
            self.rng.below(self.actions as u64) as usize
        } else {
            self.greedy_random_tie(s)
        }
    }

    /// E[Q(s, A)] under the ε-greedy policy (the greedy mass spread over tied maxima changes
    /// nothing: they have the same value).
    fn expected_value(&self, s: usize) -> f64 {
        let row = self.row(s);
        let top = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let mean = row.iter().sum::<f64>() / self.actions as f64;
        self.epsilon * mean + (1.0 - self.epsilon) * top
    }

    /// One TD update of Q(s, a) after reward `r` and next state `s2`; SARSA needs the next
    /// action `a2` (ignored when the episode terminated). Returns the TD error.
    pub fn update(
        &mut self,
        s: usize,
        a: usize,
        r: f64,
        s2: usize,
        terminated: bool,
        a2: Option<usize>,
    ) -> Result<f64> {
        self.check_state(s)?;
        self.check_action(a)?;
        self.check_state(s2)?;
        if !r.is_finite() {
            return Err(Error::InvalidInput(format!("reward must be finite, got {r}")));
        }
        let next = if terminated {
            0.0
        } else {
            match self.algorithm {
                Algorithm::QLearning => self.row(s2).iter().copied().fold(f64::NEG_INFINITY, f64::max),
                Algorithm::ExpectedSarsa => self.expected_value(s2),
                Algorithm::Sarsa => {
                    let a2 = a2.ok_or_else(|| Error::InvalidInput("SARSA needs the next action".into()))?;
                    self.check_action(a2)?;
                    self.q[s2 * self.actions + a2]
                }
            }
        };
        let k = s * self.actions + a;
        let delta = r + self.params.gamma * next - self.q[k];
        let updated = self.q[k] + self.params.learning_rate * delta;
        if !updated.is_finite() {
            return Err(Error::InvalidInput(format!(
                "the Q table would overflow at [{s},{a}]: rewards too large for gamma {}",
                self.params.gamma
            )));
        }
        self.q[k] = updated;
        Ok(delta)
    }

    /// Learns on `env` for `budget` steps or episodes, natively. Every episode starts with a
    /// reset; a step budget may end inside an episode, which is then not counted as finished.
    pub fn learn<E: TabularEnv>(&mut self, env: &mut E, budget: Budget, control: &Control) -> Result<Summary> {
        if env.num_states() != self.states || env.num_actions() != self.actions {
            return Err(Error::InvalidInput(format!(
                "the environment has {} states and {} actions but the agent was made for {} and {}",
                env.num_states(),
                env.num_actions(),
                self.states,
                self.actions
            )));
        }
        let (total, by_steps) = match budget {
            Budget::Steps(n) => (n, true),
            Budget::Episodes(n) => (n, false),
        };
        control.add_total(total);
        let mut out = Summary::default();
        let mut done_units = 0u64;
        while done_units < total {
            let mut s = env.reset();
            self.set_progress(done_units as f64 / total as f64);
            let mut a = self.act(s);
            let (mut ret, mut len) = (0.0, 0u64);
            loop {
                let step = env.step(a)?;
                ret += step.reward;
                len += 1;
                out.timesteps += 1;
                if by_steps {
                    done_units += 1;
                    control.advance(1);
                    self.set_progress(done_units as f64 / total as f64);
                }
                if out.timesteps % 4096 == 0 {
                    control.check()?;
                }
                let ended = step.terminated || step.truncated;
                let a2 = if ended { None } else { Some(self.act(step.next)) };
                // SARSA bootstraps from the action it will take; after a truncation there is
                // none, so it draws one to bootstrap from.
                let boot = match (a2, self.algorithm, step.terminated) {
                    (None, Algorithm::Sarsa, false) => Some(self.act(step.next)),
                    _ => a2,
                };
                self.update(s, a, step.reward, step.next, step.terminated, boot)?;
                if ended {
                    out.episode_returns.push(ret);
                    out.episode_lengths.push(len);
                    if !by_steps {
                        done_units += 1;
                        control.advance(1);
                    }
                    break;
                }
                if by_steps && done_units >= total {
                    break;
                }
                s = step.next;
                a = a2.unwrap_or(0);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::super::frozen_lake::{Config, FrozenLake, MAP_4X4};
    use super::*;

    fn params() -> Params {
        Params { learning_rate: 0.2, gamma: 0.9, eps_start: 1.0, eps_end: 0.05, eps_fraction: 0.5 }
    }

    fn lake() -> FrozenLake {
        let desc = MAP_4X4.iter().map(|s| s.to_string()).collect();
        let c =
            Config { desc, slippery: false, success_rate: 1.0 / 3.0, reward_schedule: [1.0, 0.0, 0.0], max_steps: 100 };
        FrozenLake::new(c, 3).unwrap()
    }

    #[test]
    fn every_algorithm_solves_the_deterministic_lake() {
        for algo in [Algorithm::QLearning, Algorithm::Sarsa, Algorithm::ExpectedSarsa] {
            let mut agent = Agent::new(algo, params(), 16, 4, 11).unwrap();
            let mut env = lake();
            agent.learn(&mut env, Budget::Steps(20_000), &Control::new()).unwrap();
            let mut s = env.reset();
            let mut reward = 0.0;
            for _ in 0..20 {
                let step = env.step(agent.greedy(s)).unwrap();
                reward += step.reward;
                s = step.next;
                if step.terminated {
                    break;
                }
            }
            assert_eq!(reward, 1.0, "{algo:?}");
        }
    }

    #[test]
    fn updates_follow_their_targets() {
        let p = Params { learning_rate: 1.0, gamma: 0.5, eps_start: 0.0, eps_end: 0.0, eps_fraction: 0.0 };
        let mut q = Agent::new(Algorithm::QLearning, p, 2, 2, 0).unwrap();
        q.set_q(vec![0.0, 0.0, 2.0, 4.0]).unwrap();
        q.update(0, 1, 1.0, 1, false, None).unwrap();
        assert_eq!(q.q()[1], 3.0);
        let mut s = Agent::new(Algorithm::Sarsa, p, 2, 2, 0).unwrap();
        s.set_q(vec![0.0, 0.0, 2.0, 4.0]).unwrap();
        s.update(0, 1, 1.0, 1, false, Some(0)).unwrap();
        assert_eq!(s.q()[1], 2.0);
        let mut e = Agent::new(Algorithm::ExpectedSarsa, p, 2, 2, 0).unwrap();
        e.set_q(vec![0.0, 0.0, 2.0, 4.0]).unwrap();
        e.set_epsilon(0.5).unwrap();
        e.update(0, 1, 1.0, 1, false, None).unwrap();
        // 0.5 * mean(2, 4) + 0.5 * 4 = 3.5, halved by gamma
        assert_eq!(e.q()[1], 1.0 + 0.5 * 3.5);
        assert!(q.update(0, 0, f64::NAN, 1, false, None).is_err());
        assert!(q.update(2, 0, 0.0, 1, false, None).is_err());
    }

    #[test]
    fn bad_parameters_are_refused() {
        let mut p = params();
        p.gamma = 1.5;
        assert!(Agent::new(Algorithm::QLearning, p, 4, 4, 0).is_err());
        p = params();
        p.learning_rate = 0.0;
        assert!(Agent::new(Algorithm::QLearning, p, 4, 4, 0).is_err());
        assert!(Agent::new(Algorithm::QLearning, params(), 0, 4, 0).is_err());
        assert!(Algorithm::parse("dqn").is_err());
    }
}
