//! A smoothing recurrence over a long series in two halves on two threads, bit for bit the
//! serial run.
//!
//! EMAs and Wilder's averages shrink any difference in their state by a constant factor each
//! bar, so two runs from different states meet, bit for bit, once the difference falls under
//! an ulp: within about `36 / ln(1 / factor)` bars (18 periods for an EMA, 36 for Wilder's).
//! The second half starts from a state guessed from the inputs `burn` bars before it. Its
//! state at the half is then compared with the first half's, every bit: equal states give
//! equal values from there on; on a mismatch (a NaN, a burn-in too short) the second half is
//! run again from the first half's state. Correct in every case; faster where the guess meets.

use std::ops::Range;

use crate::control::Control;
use crate::error::{Error, Result};

/// Bars from which a recurrence runs in two halves (the second thread's start-up and burn-in
/// are then a few per cent of its half).
pub const SPLIT_BARS: usize = 1 << 17;

/// A recurrence with an `S`-float state that forgets where it started.
pub trait Forgets<const S: usize>: Sync {
    /// Bars after which a run from [`Forgets::guess`] is expected to hold the true state.
    fn burn(&self) -> usize;
    /// A state after bar `bar`, from the inputs alone.
    fn guess(&self, bar: usize) -> [f64; S];
    /// Runs from `state` over `bars`, writing each output's values for them (`outs[k][i]` for
    /// bar `bars.start + i`) when asked; returns the state after the last bar.
    fn run(
        &self,
        state: [f64; S],
        bars: Range<usize>,
        outs: Option<&mut [&mut [f64]]>,
        control: &Control,
    ) -> Result<[f64; S]>;
}

/// `r.run(state, bars, outs)`, in two halves on two threads where [`split_here`] says so.
pub fn run<const S: usize>(
    r: &impl Forgets<S>,
    state: [f64; S],
    bars: Range<usize>,
    outs: &mut [&mut [f64]],
    control: &Control,
) -> Result<()> {
    let burn = r.burn();
    if !split_here(bars.len(), 4 * burn) {
        r.run(state, bars, Some(outs), control)?;
        return Ok(());
    }
    #[cfg(test)]
    SPLITS.with(|n| n.set(n.get() + 1));
    let half = bars.len() / 2;
    let m = bars.start + half;
    let (mut left, mut right): (Vec<&mut [f64]>, Vec<&mut [f64]>) =
        outs.iter_mut().map(|o| std::mem::take(o).split_at_mut(half)).unzip();
    let (end, (guess, _)) = on_two_threads(
        || r.run(state, bars.start..m, Some(&mut left), control),
        || -> Result<_> {
            let guess = r.run(r.guess(m - burn), m - burn + 1..m, None, control)?;
            Ok((guess, r.run(guess, m..bars.end, Some(&mut right), control)?))
        },
    )?;
    if end.map(f64::to_bits) != guess.map(f64::to_bits) {
        #[cfg(test)]
        RERUNS.with(|n| n.set(n.get() + 1));
        r.run(end, m..bars.end, Some(&mut right), control)?;
    }
    Ok(())
}

/// Fills `out` (bars `0..out.len()`) by `f(lo, part)`, which fills `part` with bars
/// `lo..lo + part.len()`: in two halves on two threads where long (as [`run`] decides). For
/// values that depend on a window of bars alone (MOM, MIDPOINT, WILLR), not on a state.
pub fn windows(out: &mut [f64], f: impl Fn(usize, &mut [f64]) -> Result<()> + Sync) -> Result<()> {
    let n = out.len();
    if !split_here(n, 0) {
        return f(0, out);
    }
    let (left, right) = out.split_at_mut(n / 2);
    on_two_threads(|| f(0, left), || f(n / 2, right)).map(|_| ())
}

/// Whether `bars` bars (at least `least`) run in two halves: long, a pool of two threads or
/// more, and a caller that is not one of them (a batch over many series keeps one thread a
/// series).
fn split_here(bars: usize, least: usize) -> bool {
    bars >= SPLIT_BARS.max(least) && rayon::current_thread_index().is_none() && crate::parallel::num_threads() >= 2
}

/// `(first(), second())`, the second on a scoped thread of its own (a sleeping pool thread woke
/// too late to help in about half of the calls: rayon's join, measured); a panic there is an
/// internal error, not a crash.
fn on_two_threads<A: Send, B: Send>(
    first: impl FnOnce() -> Result<A>,
    second: impl FnOnce() -> Result<B> + Send,
) -> Result<(A, B)> {
    std::thread::scope(|s| {
        let other = s.spawn(second);
        let a = first();
        let b = other.join().unwrap_or_else(|_| Err(Error::Internal("a series' second half failed".into())));
        Ok((a?, b?))
    })
}

#[cfg(test)]
thread_local! {
    /// Series this thread split, and second halves it ran again (their guess had not met the
    /// true state): the tests check that the burn-ins are long enough on market-like series.
    pub static SPLITS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    pub static RERUNS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

#[cfg(test)]
mod tests {
    use super::super::{build, run_checked, Indicator};
    use super::{RERUNS, SPLITS, SPLIT_BARS};
    use crate::control::Control;

    /// High, low and close of a random walk with 1% daily moves.
    fn walk(n: usize) -> [Vec<f64>; 3] {
        let mut s = 7u64;
        let mut u = || {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((s >> 11) as f64) / ((1u64 << 53) as f64)
        };
        let (mut h, mut l, mut c) = (Vec::new(), Vec::new(), Vec::new());
        let mut close = 100.0;
        for _ in 0..n {
            close *= 1.0 + 0.02 * (u() - 0.5);
            h.push(close * (1.0 + 0.01 * u()));
            l.push(close * (1.0 - 0.01 * u()));
            c.push(close);
        }
        [h, l, c]
    }

    /// Each split recurrence, over a series long enough to split, meets its guess within the
    /// burn-in (no second half run again) and gives what `step` gives bar by bar.
    #[test]
    fn guesses_meet_and_halves_equal_steps() {
        if crate::parallel::num_threads() < 2 {
            return; // one core: nothing splits (CI and this machine have two)
        }
        let [h, l, c] = walk(SPLIT_BARS + 1000);
        let cases: [(&str, &[&[f64]]); 10] = [
            ("EMA", &[&[2.0], &[30.0], &[200.0]]),
            ("DEMA", &[&[2.0], &[30.0], &[200.0]]),
            ("TEMA", &[&[2.0], &[30.0], &[200.0]]),
            ("T3", &[&[2.0, 0.7], &[5.0, 0.7], &[50.0, 0.0]]),
            ("MACD", &[&[12.0, 26.0, 9.0], &[2.0, 3.0, 2.0], &[50.0, 200.0, 30.0]]),
            ("ATR", &[&[2.0], &[14.0], &[200.0]]),
            ("NATR", &[&[14.0]]),
            ("RSI", &[&[2.0], &[14.0], &[200.0]]),
            ("CMO", &[&[2.0], &[14.0], &[200.0]]),
            ("STOCHRSI", &[&[14.0, 5.0, 3.0, 0.0]]),
        ];
        for (name, params) in cases {
            for p in params {
                let proto = build(name, p).unwrap();
                let ins: Vec<&[f64]> = match proto.inputs() {
                    1 => vec![&c],
                    3 => vec![&h, &l, &c],
                    _ => vec![&h, &l, &c, &c],
                };
                let (splits, reruns) = (SPLITS.with(|n| n.get()), RERUNS.with(|n| n.get()));
                let outs = run_checked(&mut *proto.clone_box(), &ins, &Control::new()).unwrap();
                assert!(SPLITS.with(|n| n.get()) > splits, "{name} {p:?}: not split");
                assert_eq!(RERUNS.with(|n| n.get()), reruns, "{name} {p:?}: a second half ran again");
                let mut m: Box<dyn Indicator> = proto.clone_box();
                let (mut x, mut y) = (vec![0.0; ins.len()], vec![0.0; outs.len()]);
                for t in 0..c.len() {
                    for (xj, s) in x.iter_mut().zip(&ins) {
                        *xj = s[t];
                    }
                    m.step(&x, &mut y);
                    for (k, o) in outs.iter().enumerate() {
                        assert!(y[k].to_bits() == o[t].to_bits(), "{name} {p:?} bar {t} output {k}");
                    }
                }
            }
        }
    }
}
