//! FrozenLake with gymnasium FrozenLake-v1's transition model: a grid of start (S), frozen (F),
//! hole (H) and goal (G) cells; actions 0 left, 1 down, 2 right, 3 up; a move into the edge stays
//! put; on a slippery lake the intended move happens with probability `success_rate` and each
//! perpendicular one with half the rest; entering G or H ends the episode, with the reward of the
//! entered cell from `reward_schedule` (goal, hole, frozen); G and H are absorbing.

use super::env::{Step, TabularEnv};
use crate::error::{Error, Result};
use crate::rng::Stream;

pub const MAP_4X4: [&str; 4] = ["SFFF", "FHFH", "FFFH", "HFFG"];
pub const MAP_8X8: [&str; 8] =
    ["SFFFFFFF", "FFFFFFFF", "FFFHFFFF", "FFFFFHFF", "FFFHFFFF", "FHHFFFHF", "FHFFHFHF", "FFFHFFFG"];

/// Most cells a map may have (a Q table of 4 actions per cell stays far below a gigabyte).
pub const MAX_CELLS: usize = 1 << 24;

/// One possible result of an action: gymnasium's `(prob, next_state, reward, terminated)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    pub prob: f64,
    pub next: usize,
    pub reward: f64,
    pub terminated: bool,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub desc: Vec<String>,
    pub slippery: bool,
    pub success_rate: f64,
    /// Rewards for entering a goal, a hole, any other cell.
    pub reward_schedule: [f64; 3],
    /// Steps after which an episode is truncated.
    pub max_steps: usize,
}

#[derive(Debug, Clone)]
pub struct FrozenLake {
    config: Config,
    rows: usize,
    cols: usize,
    cells: Vec<u8>,
    /// Outcomes of action `a` in state `s` at `model[4 s + a]`, in gymnasium's order.
    model: Vec<Vec<Outcome>>,
    starts: Vec<usize>,
    state: usize,
    steps: usize,
    rng: Stream,
}

fn check_desc(desc: &[String]) -> Result<(usize, usize, Vec<u8>)> {
    let rows = desc.len();
    let cols = desc.first().map_or(0, |r| r.len());
    if rows == 0 || cols == 0 {
        return Err(Error::InvalidInput("desc must be a non-empty list of non-empty rows".into()));
    }
    if rows.saturating_mul(cols) > MAX_CELLS {
        return Err(Error::InvalidInput(format!("desc has {rows}x{cols} cells, more than the {MAX_CELLS} allowed")));
    }
    let mut cells = Vec::with_capacity(rows * cols);
    for (i, row) in desc.iter().enumerate() {
        if row.len() != cols {
            return Err(Error::InvalidInput(format!(
                "desc rows must all have the same length: row 0 has {cols} cells, row {i} has {}",
                row.chars().count()
            )));
        }
        for (j, c) in row.bytes().enumerate() {
            if !matches!(c, b'S' | b'F' | b'H' | b'G') {
                return Err(Error::InvalidInput(format!(
                    "desc may hold only the letters S, F, H and G: desc[{i}][{j}] is {:?}",
                    row.chars().nth(j).unwrap_or('?')
                )));
            }
            cells.push(c);
        }
    }
    if !cells.contains(&b'S') {
        return Err(Error::InvalidInput("desc needs at least one start cell 'S'".into()));
    }
    Ok((rows, cols, cells))
}

impl FrozenLake {
    pub fn new(config: Config, seed: u64) -> Result<Self> {
        let (rows, cols, cells) = check_desc(&config.desc)?;
        if !(0.0..=1.0).contains(&config.success_rate) {
            return Err(Error::InvalidInput(format!("success_rate must be in [0, 1], got {}", config.success_rate)));
        }
        if let Some(r) = config.reward_schedule.iter().find(|r| !r.is_finite()) {
            return Err(Error::InvalidInput(format!("reward_schedule must be finite, got {r}")));
        }
        if config.max_steps == 0 {
            return Err(Error::InvalidInput("max_episode_steps must be at least 1".into()));
        }
        let starts: Vec<usize> = (0..cells.len()).filter(|&s| cells[s] == b'S').collect();
        let mut lake = Self {
            config,
            rows,
            cols,
            cells,
            model: Vec::new(),
            starts,
            state: 0,
            steps: 0,
            rng: Stream::new(seed, 0),
        };
        lake.model = lake.build_model();
        lake.state = lake.starts[0];
        Ok(lake)
    }

    fn moved(&self, s: usize, direction: usize) -> usize {
        let (mut r, mut c) = (s / self.cols, s % self.cols);
        match direction {
            0 => c = c.saturating_sub(1),
            1 => r = (r + 1).min(self.rows - 1),
            2 => c = (c + 1).min(self.cols - 1),
            _ => r = r.saturating_sub(1),
        }
        r * self.cols + c
    }

    fn outcome(&self, prob: f64, s: usize, direction: usize) -> Outcome {
        let next = self.moved(s, direction);
        let [goal, hole, frozen] = self.config.reward_schedule;
        let (reward, terminated) = match self.cells[next] {
            b'G' => (goal, true),
            b'H' => (hole, true),
            _ => (frozen, false),
        };
        Outcome { prob, next, reward, terminated }
    }

    fn build_model(&self) -> Vec<Vec<Outcome>> {
        let fail = (1.0 - self.config.success_rate) / 2.0;
        let mut model = Vec::with_capacity(self.cells.len() * 4);
        for s in 0..self.cells.len() {
            for a in 0..4 {
                model.push(if matches!(self.cells[s], b'G' | b'H') {
                    vec![Outcome { prob: 1.0, next: s, reward: 0.0, terminated: true }]
                } else if self.config.slippery {
                    [(a + 3) % 4, a, (a + 1) % 4]
                        .iter()
                        .map(|&d| self.outcome(if d == a { self.config.success_rate } else { fail }, s, d))
                        .collect()
                } else {
                    vec![self.outcome(1.0, s, a)]
                });
            }
        }
        model
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn shape(&self) -> (usize, usize) {
        (self.rows, self.cols)
    }

    pub fn cells(&self) -> &[u8] {
        &self.cells
    }

    /// The outcomes of `action` in `state` (gymnasium's `P[state][action]`).
    pub fn outcomes(&self, state: usize, action: usize) -> &[Outcome] {
        &self.model[state * 4 + action]
    }

    pub fn state(&self) -> usize {
        self.state
    }

    pub fn steps(&self) -> usize {
        self.steps
    }

    pub fn reseed(&mut self, seed: u64) {
        self.rng = Stream::new(seed, 0);
    }

    pub fn rng_state(&self) -> [u64; 4] {
        self.rng.state()
    }

    /// Puts back a position saved with [`FrozenLake::state`], [`FrozenLake::steps`] and
    /// [`FrozenLake::rng_state`].
    pub fn restore(&mut self, state: usize, steps: usize, rng: [u64; 4]) -> Result<()> {
        if state >= self.cells.len() {
            return Err(Error::InvalidInput(format!("state {state} is outside the map of {} cells", self.cells.len())));
        }
        self.state = state;
        self.steps = steps;
        self.rng = Stream::from_state(rng);
        Ok(())
    }

    /// Index of the outcome a uniform `u` in [0, 1) picks: the first whose cumulative
    /// probability exceeds `u` (the last one when rounding leaves the sum short of 1).
    fn pick(outcomes: &[Outcome], u: f64) -> usize {
        let mut acc = 0.0;
        for (k, o) in outcomes.iter().enumerate() {
            acc += o.prob;
            if u < acc {
                return k;
            }
        }
        outcomes.len() - 1
    }

    /// One step: the new state, reward, terminated, truncated and the outcome's probability.
    pub fn step_with_prob(&mut self, action: usize) -> Result<(Step, f64)> {
        if action >= 4 {
            return Err(Error::InvalidInput(format!("action must be in [0, 4), got {action}")));
        }
        let outcomes = &self.model[self.state * 4 + action];
        let k = if outcomes.len() == 1 { 0 } else { Self::pick(outcomes, self.rng.next_f64()) };
        let o = outcomes[k];
        self.state = o.next;
        self.steps += 1;
        let truncated = !o.terminated && self.steps >= self.config.max_steps;
        Ok((Step { next: o.next, reward: o.reward, terminated: o.terminated, truncated }, o.prob))
    }
}

impl TabularEnv for FrozenLake {
    fn num_states(&self) -> usize {
        self.cells.len()
    }

    fn num_actions(&self) -> usize {
        4
    }

    fn reset(&mut self) -> usize {
        self.steps = 0;
        self.state = match self.starts.len() {
            1 => self.starts[0],
            n => self.starts[self.rng.below(n as u64) as usize],
        };
        self.state
    }

    fn step(&mut self, action: usize) -> Result<Step> {
        self.step_with_prob(action).map(|(s, _)| s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lake(slippery: bool) -> FrozenLake {
        let desc = MAP_4X4.iter().map(|s| s.to_string()).collect();
        let config =
            Config { desc, slippery, success_rate: 1.0 / 3.0, reward_schedule: [1.0, 0.0, 0.0], max_steps: 100 };
        FrozenLake::new(config, 1).unwrap()
    }

    #[test]
    fn the_model_matches_gymnasiums_rules() {
        let l = lake(true);
        // from the start, "left" slips up/left (stays) or down
        let o = l.outcomes(0, 0);
        assert_eq!(o.iter().map(|o| o.next).collect::<Vec<_>>(), vec![0, 0, 4]);
        assert!(o.iter().all(|o| (o.prob - 1.0 / 3.0).abs() < 1e-15));
        // entering the goal pays 1 and ends; holes and the goal are absorbing
        assert_eq!(l.outcomes(14, 2)[1], Outcome { prob: 1.0 / 3.0, next: 15, reward: 1.0, terminated: true });
        assert_eq!(l.outcomes(5, 3), &[Outcome { prob: 1.0, next: 5, reward: 0.0, terminated: true }]);
        let d = lake(false);
        assert_eq!(d.outcomes(0, 2), &[Outcome { prob: 1.0, next: 1, reward: 0.0, terminated: false }]);
    }

    #[test]
    fn episodes_truncate_and_bad_maps_are_refused() {
        let mut l = lake(false);
        l.reset();
        let mut last = None;
        for _ in 0..100 {
            last = Some(l.step(0).unwrap());
        }
        assert!(last.unwrap().truncated);
        assert!(l.step(4).is_err());
        let bad = |desc: &[&str]| {
            let c = Config {
                desc: desc.iter().map(|s| s.to_string()).collect(),
                slippery: true,
                success_rate: 0.5,
                reward_schedule: [1.0, 0.0, 0.0],
                max_steps: 10,
            };
            FrozenLake::new(c, 0).is_err()
        };
        assert!(bad(&[]));
        assert!(bad(&["SF", "F"]));
        assert!(bad(&["SX"]));
        assert!(bad(&["FF"]));
        assert!(!bad(&["SG"]));
    }
}
