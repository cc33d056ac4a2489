//! Cooperative cancellation and progress for long native loops.
//!
//! Domain code polls [`Control::check`] between sweeps (cheap: two relaxed atomic loads) and
//! reports progress with [`Control::advance`]. The binding layer owns the other side: it turns
//! Ctrl-C into [`Control::cancel`] and reads [`Control::progress`] to drive a progress bar.

use crate::error::{Error, Result};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

#[derive(Debug, Default)]
pub struct Control {
    cancelled: AtomicBool,
    stopped: AtomicBool,
    done: AtomicU64,
    total: AtomicU64,
    deadline: Option<Instant>,
}

impl Control {
    pub fn new() -> Self {
        Self::default()
    }

    /// A control that also stops (as [`Control::time_is_up`]) once `deadline` has passed.
    pub fn with_deadline(deadline: Option<Instant>) -> Self {
        Self { deadline, ..Self::default() }
    }

    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }

    /// True once the optional deadline has passed; runs then stop early and keep what they have.
    pub fn time_is_up(&self) -> bool {
        self.deadline.is_some_and(|d| Instant::now() >= d)
    }

    /// Ask a run to stop early without an error: what it has finished so far is its result
    /// (an annealing run whose `interrupt_function` returned true).
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::Relaxed);
    }

    pub fn is_stopped(&self) -> bool {
        self.stopped.load(Ordering::Relaxed)
    }

    /// `Err(Interrupted)` once cancelled.
    pub fn check(&self) -> Result<()> {
        if self.is_cancelled() {
            Err(Error::Interrupted)
        } else {
            Ok(())
        }
    }

    pub fn add_total(&self, units: u64) {
        self.total.fetch_add(units, Ordering::Relaxed);
    }

    pub fn advance(&self, units: u64) {
        self.done.fetch_add(units, Ordering::Relaxed);
    }

    /// `(done, total)` work units so far.
    pub fn progress(&self) -> (u64, u64) {
        (self.done.load(Ordering::Relaxed), self.total.load(Ordering::Relaxed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cancel_and_progress() {
        let c = Control::new();
        assert!(c.check().is_ok());
        c.add_total(10);
        c.advance(3);
        assert_eq!(c.progress(), (3, 10));
        c.cancel();
        assert_eq!(c.check(), Err(Error::Interrupted));
        assert!(!c.time_is_up());
        assert!(!c.is_stopped());
        c.stop();
        assert!(c.is_stopped());
        assert!(Control::with_deadline(Some(Instant::now())).time_is_up());
    }
}
