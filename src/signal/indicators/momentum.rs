//! Momentum: RSI and CMO (Wilder's smoothing of gains and losses), MOM, ROC, MACD, APO and PPO.

use super::average::{is_zero, Ema, Ma};
use super::state::{state, Ring};
use super::Machine;
use crate::error::Result;

/// A value machine that ignores its first `skip` inputs: TA-Lib starts an inner average where
/// the outer indicator's first output needs it, not at the first bar.
#[derive(Clone, Debug)]
pub struct Late<A> {
    skip: usize,
    seen: usize,
    pub inner: A,
}

impl<A: super::state::Save> super::state::Save for Late<A> {
    fn save(&self, out: &mut Vec<f64>) {
        self.seen.save(out);
        self.inner.save(out);
    }
    fn load(&mut self, from: &mut super::Loader<'_>) -> Result<()> {
        self.seen.load(from)?;
        self.inner.load(from)
    }
}

impl<A> Late<A> {
    pub fn new(skip: usize, inner: A) -> Self {
        Self { skip, seen: 0, inner }
    }
    /// `false` while the input is still to be skipped.
    #[inline]
    pub fn take(&mut self) -> bool {
        if self.seen < self.skip {
            self.seen += 1;
            false
        } else {
            true
        }
    }
}

/// Wilder-smoothed average gain and loss over `p` changes: RSI and CMO.
#[derive(Clone, Debug)]
pub struct Wilder {
    p: usize,
    n: usize,
    prev_value: f64,
    gain: f64,
    loss: f64,
}
state!(Wilder { n, prev_value, gain, loss });

impl Wilder {
    pub fn new(p: usize) -> Self {
        Self { p, n: 0, prev_value: 0.0, gain: 0.0, loss: 0.0 }
    }
    /// `(gain, loss)` once `p` changes were seen.
    #[inline]
    pub fn next(&mut self, x: f64) -> Option<(f64, f64)> {
        let p = self.p as f64;
        if self.n == 0 {
            self.prev_value = x;
            self.n = 1;
            return None;
        }
        let d = x - self.prev_value;
        self.prev_value = x;
        if self.n <= self.p {
            if d < 0.0 {
                self.loss -= d;
            } else {
                self.gain += d;
            }
            self.n += 1;
            if self.n <= self.p {
                return None;
            }
            self.loss /= p;
            self.gain /= p;
            return Some((self.gain, self.loss));
        }
        self.loss *= p - 1.0;
        self.gain *= p - 1.0;
        if d < 0.0 {
            self.loss -= d;
        } else {
            self.gain += d;
        }
        self.loss /= p;
        self.gain /= p;
        Some((self.gain, self.loss))
    }
}

/// RSI(close, timeperiod).
#[derive(Clone, Debug)]
pub struct Rsi(pub Wilder);
state!(Rsi { 0 });

impl Rsi {
    #[inline]
    pub fn next(&mut self, x: f64) -> Option<f64> {
        let (g, l) = self.0.next(x)?;
        let t = g + l;
        Some(if !is_zero(t) { 100.0 * (g / t) } else { 0.0 })
    }
}

impl Machine for Rsi {
    const IN: usize = 1;
    const OUT: usize = 1;
    #[inline]
    fn step(&mut self, x: &[f64], out: &mut [f64]) {
        out[0] = self.next(x[0]).unwrap_or(f64::NAN);
    }
}

/// CMO(close, timeperiod).
#[derive(Clone, Debug)]
pub struct Cmo(pub Wilder);
state!(Cmo { 0 });

impl Machine for Cmo {
    const IN: usize = 1;
    const OUT: usize = 1;
    #[inline]
    fn step(&mut self, x: &[f64], out: &mut [f64]) {
        out[0] = match self.0.next(x[0]) {
            Some((g, l)) => {
                let t = g + l;
                if !is_zero(t) {
                    100.0 * ((g - l) / t)
                } else {
                    0.0
                }
            }
            None => f64::NAN,
        };
    }
}

/// MOM(close, timeperiod) and ROC(close, timeperiod): against the value `p` bars back.
#[derive(Clone, Debug)]
pub struct Change {
    percent: bool,
    ring: Ring,
}
state!(Change { ring });

impl Change {
    pub fn new(p: usize, percent: bool) -> Self {
        Self { percent, ring: Ring::new(p + 1) }
    }
}

impl Machine for Change {
    const IN: usize = 1;
    const OUT: usize = 1;
    #[inline]
    fn step(&mut self, x: &[f64], out: &mut [f64]) {
        let x = x[0];
        self.ring.push(x);
        out[0] = if !self.ring.is_full() {
            f64::NAN
        } else {
            let old = self.ring.get(0);
            if !self.percent {
                x - old
            } else if old != 0.0 {
                ((x / old) - 1.0) * 100.0
            } else {
                0.0
            }
        };
    }
}

/// MACD(close, fastperiod, slowperiod, signalperiod) and MACDEXT with any moving averages:
/// macd, signal, hist. The fast average starts where the slow one's first output needs it.
#[derive(Clone, Debug)]
pub struct Macd {
    fast: Late<Ma>,
    slow: Ma,
    signal: Ma,
}
state!(Macd { fast, slow, signal });

impl Macd {
    /// TA-Lib's MACD: EMAs, the periods swapped when slow < fast.
    pub fn ema(fast: usize, slow: usize, signal: usize) -> Self {
        let (fast, slow) = if slow < fast { (slow, fast) } else { (fast, slow) };
        Self {
            fast: Late::new(slow - fast, Ma::Ema(Ema::new(fast))),
            slow: Ma::Ema(Ema::new(slow)),
            signal: Ma::Ema(Ema::new(signal)),
        }
    }
    /// TA-Lib's MACDEXT: each average of its own type (`lookback` gives an average's look-back).
    pub fn ext(
        fast: (usize, usize),
        slow: (usize, usize),
        signal: (usize, usize),
        lookback: impl Fn(usize, usize) -> usize,
    ) -> Result<Self> {
        let (fast, slow) = if slow.0 < fast.0 { (slow, fast) } else { (fast, slow) };
        let (lf, ls) = (lookback(fast.0, fast.1), lookback(slow.0, slow.1));
        // MACDEXT computes both averages from the bar where the slower one starts.
        let skip = ls.saturating_sub(lf);
        Ok(Self {
            fast: Late::new(skip, Ma::new(fast.0, fast.1)?),
            slow: Ma::new(slow.0, slow.1)?,
            signal: Ma::new(signal.0, signal.1)?,
        })
    }
}

impl Machine for Macd {
    const IN: usize = 1;
    const OUT: usize = 3;
    #[inline]
    fn step(&mut self, x: &[f64], out: &mut [f64]) {
        let x = x[0];
        let f = if self.fast.take() { self.fast.inner.next(x) } else { None };
        let s = self.slow.next(x);
        out.fill(f64::NAN);
        if let (Some(f), Some(s)) = (f, s) {
            let m = f - s;
            if let Some(sig) = self.signal.next(m) {
                out[0] = m;
                out[1] = sig;
                out[2] = m - sig;
            }
        }
    }
}

/// APO(close, fastperiod, slowperiod, matype) and PPO (in percent of the slow average).
#[derive(Clone, Debug)]
pub struct Po {
    percent: bool,
    fast: Late<Ma>,
    slow: Ma,
}
state!(Po { fast, slow });

impl Po {
    pub fn new(
        fast: usize,
        slow: usize,
        matype: usize,
        percent: bool,
        lookback: impl Fn(usize, usize) -> usize,
    ) -> Result<Self> {
        let (fast, slow) = if slow < fast { (slow, fast) } else { (fast, slow) };
        let skip = lookback(slow, matype).saturating_sub(lookback(fast, matype));
        Ok(Self { percent, fast: Late::new(skip, Ma::new(fast, matype)?), slow: Ma::new(slow, matype)? })
    }
}

impl Machine for Po {
    const IN: usize = 1;
    const OUT: usize = 1;
    #[inline]
    fn step(&mut self, x: &[f64], out: &mut [f64]) {
        let x = x[0];
        let f = if self.fast.take() { self.fast.inner.next(x) } else { None };
        let s = self.slow.next(x);
        out[0] = match (f, s) {
            (Some(f), Some(s)) if self.percent => {
                if !is_zero(s) {
                    ((f - s) / s) * 100.0
                } else {
                    0.0
                }
            }
            (Some(f), Some(s)) => f - s,
            _ => f64::NAN,
        };
    }
}
