//! What the native episode loop needs from an environment with finitely many states and actions.

use crate::error::Result;

/// One transition's outcome, as gymnasium's `step` returns it (less the info dict).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Step {
    pub next: usize,
    pub reward: f64,
    pub terminated: bool,
    pub truncated: bool,
}

/// An environment with `Discrete` observation and action spaces, stepped natively.
pub trait TabularEnv {
    fn num_states(&self) -> usize;
    fn num_actions(&self) -> usize;
    /// Starts an episode (without reseeding) and returns its first state.
    fn reset(&mut self) -> usize;
    /// Takes `action` (checked by the caller to be below `num_actions`).
    fn step(&mut self, action: usize) -> Result<Step>;
}
