//! A circuit breaker (Nygard's pattern, with pybreaker's rules): closed, it lets calls through
//! and counts consecutive failures; `failure_threshold` of them open it; open, it refuses calls
//! until `timeout` seconds have passed, then lets one trial call through (half-open); a failed
//! trial opens it again, and `success_threshold` successful ones in a row close it.
//!
//! The state and a generation number share one atomic word, so a call in the closed state costs
//! one atomic load to admit and, after a success with no failure counted, one more; everything
//! else takes a short lock. A call's outcome counts only in the state it was admitted in: when
//! the breaker changed state while the call ran (another thread tripped it, or a manual
//! `open()`), the outcome is not counted. The caller supplies the time ([`Admission::NeedsTime`]
//! asks for it only where it matters), and reports state changes ([`Transition`]) to whoever
//! listens.

use crate::error::{Error, Result};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

/// The three states, named as pybreaker names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Closed,
    Open,
    HalfOpen,
}

impl State {
    pub fn name(self) -> &'static str {
        match self {
            State::Closed => "closed",
            State::Open => "open",
            State::HalfOpen => "half-open",
        }
    }

    pub fn parse(name: &str) -> Result<State> {
        match name {
            "closed" => Ok(State::Closed),
            "open" => Ok(State::Open),
            "half-open" => Ok(State::HalfOpen),
            _ => Err(Error::InvalidInput(format!("unknown state {name:?}: expected closed, open or half-open"))),
        }
    }

    fn bits(self) -> u64 {
        self as u64
    }

    fn of(word: u64) -> State {
        match word & 3 {
            0 => State::Closed,
            1 => State::Open,
            _ => State::HalfOpen,
        }
    }
}

/// A change of state, for the listeners (a manual transition may go to the same state).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub from: State,
    pub to: State,
}

/// The permission for one call: the state (and generation) it was admitted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket(u64);

impl Ticket {
    pub fn state(self) -> State {
        State::of(self.0)
    }

    /// The ticket as a number (for the Python side of asynchronous calls) and back.
    pub fn to_bits(self) -> u64 {
        self.0
    }

    pub fn from_bits(bits: u64) -> Ticket {
        Ticket(bits)
    }
}

/// Why a call was refused.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Refusal {
    /// Open: `remaining` seconds until a trial call is let through.
    Open { remaining: f64 },
    /// Half-open, and the trial call is still running.
    TrialRunning,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Admission {
    Admitted(Ticket, Option<Transition>),
    Refused(Refusal),
    /// The breaker is open and no time was given: call again with the time.
    NeedsTime,
}

/// The thresholds and the open timeout (seconds).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    pub failure_threshold: u64,
    pub success_threshold: u64,
    pub timeout: f64,
}

impl Settings {
    pub fn new(failure_threshold: u64, success_threshold: u64, timeout: f64) -> Result<Settings> {
        Ok(Settings {
            failure_threshold: check_threshold(failure_threshold, "failure_threshold")?,
            success_threshold: check_threshold(success_threshold, "success_threshold")?,
            timeout: check_timeout(timeout)?,
        })
    }
}

fn check_threshold(n: u64, name: &str) -> Result<u64> {
    if n == 0 {
        return Err(Error::InvalidInput(format!("{name} must be at least 1, got 0")));
    }
    Ok(n)
}

/// An open timeout in seconds: finite and not negative.
pub fn check_timeout(seconds: f64) -> Result<f64> {
    if !(seconds.is_finite() && seconds >= 0.0) {
        return Err(Error::InvalidInput(format!(
            "the timeout must be a finite, non-negative duration, got {} ms",
            seconds * 1e3
        )));
    }
    Ok(seconds)
}

/// What a pickle keeps: the state, the counters, and for how long it has been open.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Snapshot {
    pub state: State,
    pub fail_counter: u64,
    pub success_counter: u64,
    pub open_for: f64,
}

struct Inner {
    settings: Settings,
    opened_at: f64,
    /// Half-open with a trial call in flight.
    trial: bool,
}

pub struct Breaker {
    /// generation << 2 | state
    word: AtomicU64,
    fail: AtomicU64,
    success: AtomicU64,
    inner: Mutex<Inner>,
}

impl Breaker {
    pub fn new(settings: Settings) -> Breaker {
        Breaker {
            word: AtomicU64::new(State::Closed.bits()),
            fail: AtomicU64::new(0),
            success: AtomicU64::new(0),
            inner: Mutex::new(Inner { settings, opened_at: 0.0, trial: false }),
        }
    }

    /// The lock guards no invariant that a panic could break half-way (every update is a few
    /// plain stores), so a poisoned lock is used as it is.
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn state(&self) -> State {
        State::of(self.word.load(Ordering::Acquire))
    }

    /// Whether calls are let through without asking for the time (closed).
    pub fn is_closed(&self) -> bool {
        self.state() == State::Closed
    }

    pub fn fail_counter(&self) -> u64 {
        self.fail.load(Ordering::Relaxed)
    }

    pub fn success_counter(&self) -> u64 {
        self.success.load(Ordering::Relaxed)
    }

    pub fn settings(&self) -> Settings {
        self.lock().settings
    }

    pub fn set_failure_threshold(&self, n: u64) -> Result<()> {
        self.lock().settings.failure_threshold = check_threshold(n, "failure_threshold")?;
        Ok(())
    }

    pub fn set_success_threshold(&self, n: u64) -> Result<()> {
        self.lock().settings.success_threshold = check_threshold(n, "success_threshold")?;
        Ok(())
    }

    pub fn set_timeout(&self, seconds: f64) -> Result<()> {
        self.lock().settings.timeout = check_timeout(seconds)?;
        Ok(())
    }

    /// Moves to `to` under the lock: a new generation; counters reset as pybreaker resets them
    /// (the success counter on every change, the failure counter when closing).
    fn set_state(&self, inner: &mut Inner, to: State) -> Transition {
        let old = self.word.load(Ordering::Relaxed);
        self.success.store(0, Ordering::Relaxed);
        if to == State::Closed {
            self.fail.store(0, Ordering::Relaxed);
        }
        inner.trial = false;
        let generation = (old >> 2).wrapping_add(1);
        self.word.store(generation << 2 | to.bits(), Ordering::Release);
        Transition { from: State::of(old), to }
    }

    /// May a call go ahead? Closed: yes (one atomic load). Open: once `timeout` has passed since
    /// it opened (`now` is needed), the call is the trial and the breaker is half-open. Half-open:
    /// one trial at a time.
    pub fn admit(&self, now: Option<f64>) -> Admission {
        let word = self.word.load(Ordering::Acquire);
        if State::of(word) == State::Closed {
            return Admission::Admitted(Ticket(word), None);
        }
        let mut inner = self.lock();
        let word = self.word.load(Ordering::Relaxed);
        match State::of(word) {
            State::Closed => Admission::Admitted(Ticket(word), None),
            State::HalfOpen if inner.trial => Admission::Refused(Refusal::TrialRunning),
            State::HalfOpen => {
                inner.trial = true;
                Admission::Admitted(Ticket(word), None)
            }
            State::Open => {
                let Some(now) = now else { return Admission::NeedsTime };
                // pybreaker refuses while now < opened_at + timeout
                let due = inner.opened_at + inner.settings.timeout;
                if now < due {
                    return Admission::Refused(Refusal::Open { remaining: due - now });
                }
                let change = self.set_state(&mut inner, State::HalfOpen);
                inner.trial = true;
                Admission::Admitted(Ticket(self.word.load(Ordering::Relaxed)), Some(change))
            }
        }
    }

    /// The admitted call succeeded (or failed with an excluded error, which pybreaker counts as
    /// a success): the failure counter restarts; half-open, the success counter grows and closes
    /// the breaker at `success_threshold`.
    pub fn succeeded(&self, ticket: Ticket) -> Option<Transition> {
        match ticket.state() {
            State::Closed => {
                if self.fail.load(Ordering::Relaxed) != 0 {
                    let _inner = self.lock();
                    if self.word.load(Ordering::Relaxed) == ticket.0 {
                        self.fail.store(0, Ordering::Relaxed);
                    }
                }
                None
            }
            State::HalfOpen => {
                let mut inner = self.lock();
                if self.word.load(Ordering::Relaxed) != ticket.0 {
                    return None;
                }
                inner.trial = false;
                self.fail.store(0, Ordering::Relaxed);
                let successes = self.success.load(Ordering::Relaxed) + 1;
                self.success.store(successes, Ordering::Relaxed);
                (successes >= inner.settings.success_threshold).then(|| self.set_state(&mut inner, State::Closed))
            }
            State::Open => None,
        }
    }

    /// The admitted call failed: one more failure; at `failure_threshold` (closed) or on a failed
    /// trial (half-open) the breaker opens at `now`. `Err(())` asks for the time: nothing changed.
    #[allow(clippy::result_unit_err)]
    pub fn failed(&self, ticket: Ticket, now: Option<f64>) -> std::result::Result<Option<Transition>, ()> {
        let mut inner = self.lock();
        if self.word.load(Ordering::Relaxed) != ticket.0 {
            return Ok(None);
        }
        let failures = self.fail.load(Ordering::Relaxed) + 1;
        let trips = match ticket.state() {
            State::Closed => failures >= inner.settings.failure_threshold,
            State::HalfOpen => true,
            State::Open => false,
        };
        if !trips {
            self.fail.store(failures, Ordering::Relaxed);
            return Ok(None);
        }
        let now = now.ok_or(())?;
        self.fail.store(failures, Ordering::Relaxed);
        inner.opened_at = now;
        Ok(Some(self.set_state(&mut inner, State::Open)))
    }

    /// The admitted call ended in a way that says nothing about the service (Ctrl-C, a
    /// cancelled task): a trial's turn passes to the next call, nothing is counted.
    pub fn released(&self, ticket: Ticket) {
        if ticket.state() == State::HalfOpen {
            let mut inner = self.lock();
            if self.word.load(Ordering::Relaxed) == ticket.0 {
                inner.trial = false;
            }
        }
    }

    /// Opens the breaker now (a manual trip): calls are refused for `timeout` from `now`.
    pub fn open(&self, now: f64) -> Transition {
        let mut inner = self.lock();
        inner.opened_at = now;
        self.set_state(&mut inner, State::Open)
    }

    /// Half-opens the breaker: the next call is a trial.
    pub fn half_open(&self) -> Transition {
        self.set_state(&mut self.lock(), State::HalfOpen)
    }

    /// Closes the breaker and resets both counters.
    pub fn close(&self) -> Transition {
        self.set_state(&mut self.lock(), State::Closed)
    }

    /// Seconds until an open breaker lets a trial through (0 when not open or already due).
    pub fn remaining(&self, now: f64) -> f64 {
        let inner = self.lock();
        match self.state() {
            State::Open => (inner.opened_at + inner.settings.timeout - now).max(0.0),
            _ => 0.0,
        }
    }

    pub fn snapshot(&self, now: f64) -> Snapshot {
        let inner = self.lock();
        Snapshot {
            state: self.state(),
            fail_counter: self.fail_counter(),
            success_counter: self.success_counter(),
            open_for: now - inner.opened_at,
        }
    }

    /// Puts back what [`Self::snapshot`] took (on a breaker made with the same settings).
    pub fn restore(&self, s: Snapshot, now: f64) {
        let mut inner = self.lock();
        inner.opened_at = now - s.open_for;
        self.set_state(&mut inner, s.state);
        self.fail.store(s.fail_counter, Ordering::Relaxed);
        self.success.store(s.success_counter, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn breaker(failures: u64, successes: u64, timeout: f64) -> Breaker {
        Breaker::new(Settings::new(failures, successes, timeout).unwrap())
    }

    fn admitted(a: Admission) -> Ticket {
        match a {
            Admission::Admitted(t, _) => t,
            other => panic!("expected admission, got {other:?}"),
        }
    }

    #[test]
    fn trips_after_the_threshold_and_recovers_through_half_open() {
        let b = breaker(3, 2, 10.0);
        for k in 1..=2 {
            let t = admitted(b.admit(None));
            assert_eq!(b.failed(t, None), Ok(None));
            assert_eq!(b.fail_counter(), k);
        }
        // a success restarts the count
        assert_eq!(b.succeeded(admitted(b.admit(None))), None);
        assert_eq!(b.fail_counter(), 0);
        for _ in 0..2 {
            b.failed(admitted(b.admit(None)), None).unwrap();
        }
        let t = admitted(b.admit(None));
        assert_eq!(b.failed(t, None), Err(()), "the trip needs the time");
        assert_eq!(b.fail_counter(), 2, "and changed nothing without it");
        let trip = b.failed(t, Some(100.0)).unwrap();
        assert_eq!(trip, Some(Transition { from: State::Closed, to: State::Open }));
        assert_eq!((b.state(), b.fail_counter()), (State::Open, 3));
        assert_eq!(b.admit(None), Admission::NeedsTime);
        assert_eq!(b.admit(Some(105.0)), Admission::Refused(Refusal::Open { remaining: 5.0 }));
        // due at exactly opened_at + timeout
        let Admission::Admitted(trial, change) = b.admit(Some(110.0)) else { panic!() };
        assert_eq!(change, Some(Transition { from: State::Open, to: State::HalfOpen }));
        assert_eq!(b.admit(Some(110.0)), Admission::Refused(Refusal::TrialRunning));
        assert_eq!(b.succeeded(trial), None);
        assert_eq!((b.state(), b.success_counter(), b.fail_counter()), (State::HalfOpen, 1, 0));
        let closing = b.succeeded(admitted(b.admit(None)));
        assert_eq!(closing, Some(Transition { from: State::HalfOpen, to: State::Closed }));
        assert_eq!((b.state(), b.success_counter(), b.fail_counter()), (State::Closed, 0, 0));
    }

    #[test]
    fn a_failed_trial_opens_again_and_a_released_one_passes_its_turn() {
        let b = breaker(1, 1, 0.0);
        b.failed(admitted(b.admit(None)), Some(1.0)).unwrap();
        let trial = admitted(b.admit(Some(1.0)));
        b.released(trial);
        let trial = admitted(b.admit(Some(1.0)));
        let change = b.failed(trial, Some(2.0)).unwrap();
        assert_eq!(change, Some(Transition { from: State::HalfOpen, to: State::Open }));
        assert_eq!(b.fail_counter(), 2);
    }

    #[test]
    fn outcomes_of_calls_admitted_before_a_change_are_not_counted() {
        let b = breaker(2, 1, 5.0);
        let early = admitted(b.admit(None));
        b.failed(admitted(b.admit(None)), None).unwrap();
        b.open(0.0);
        assert_eq!(b.failed(early, Some(1.0)), Ok(None));
        assert_eq!(b.succeeded(early), None);
        assert_eq!((b.state(), b.fail_counter()), (State::Open, 1));
        assert_eq!(b.close(), Transition { from: State::Open, to: State::Closed });
        assert_eq!(b.fail_counter(), 0);
        assert_eq!(b.half_open(), Transition { from: State::Closed, to: State::HalfOpen });
        assert_eq!(b.admit(None).clone(), Admission::Admitted(Ticket(b.word.load(Ordering::Relaxed)), None));
    }

    #[test]
    fn settings_are_checked_and_a_snapshot_restores() {
        assert!(Settings::new(0, 1, 1.0).is_err());
        assert!(Settings::new(1, 0, 1.0).is_err());
        for t in [-1.0, f64::NAN, f64::INFINITY] {
            assert!(Settings::new(1, 1, t).is_err());
        }
        let b = breaker(1, 1, 30.0);
        assert!(b.set_failure_threshold(0).is_err());
        b.failed(admitted(b.admit(None)), Some(10.0)).unwrap();
        let s = b.snapshot(12.0);
        assert_eq!(s, Snapshot { state: State::Open, fail_counter: 1, success_counter: 0, open_for: 2.0 });
        let c = breaker(1, 1, 30.0);
        c.restore(s, 1000.0);
        assert_eq!(c.remaining(1000.0), 28.0);
        assert_eq!((c.state(), c.fail_counter()), (State::Open, 1));
        assert_eq!(State::parse("half-open").unwrap(), State::HalfOpen);
        assert!(State::parse("ajar").is_err());
    }
}
