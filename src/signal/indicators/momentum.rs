//! Momentum: RSI and CMO (Wilder's smoothing of gains and losses), MOM, ROC, MACD, APO and PPO.

use super::average::{clear_of_zero, ema_step, is_zero, warm_up, with_fma, with_wide, Ema, Ma, Value};
use super::state::{state, Ring};
use super::{halves, spans, Machine};
use crate::control::Control;
use crate::error::{try_vec, Result};
use std::ops::Range;

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

/// Wilder-smoothed average gain and loss over `p` changes: RSI and CMO. TA-Lib 0.8.1 smooths
/// them differently: CMO divides by the period; RSI multiplies by its inverse and splits each
/// change `d` into `up = max(d, 0)` and `up - d` (its compiled loop, read from the library).
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

    /// `(gain, loss)` once `p` changes were seen; `RSI` picks RSI's arithmetic.
    #[inline]
    pub fn next<const RSI: bool>(&mut self, x: f64) -> Option<(f64, f64)> {
        if self.n == 0 {
            self.prev_value = x;
            self.n = 1;
            return None;
        }
        let d = x - self.prev_value;
        self.prev_value = x;
        if self.n <= self.p {
            if RSI {
                let up = if 0.0 < d { d } else { 0.0 };
                self.gain += up;
                self.loss += up - d;
            } else if d < 0.0 {
                self.loss -= d;
            } else {
                self.gain += d;
            }
            self.n += 1;
            if self.n <= self.p {
                return None;
            }
            if RSI {
                let inv = 1.0 / self.p as f64;
                self.loss *= inv;
                self.gain *= inv;
            } else {
                self.loss /= self.p as f64;
                self.gain /= self.p as f64;
            }
            return Some((self.gain, self.loss));
        }
        (self.gain, self.loss) = self.smooth::<RSI>(self.gain, self.loss, d);
        Some((self.gain, self.loss))
    }

    /// One change `d` once seeded, without a branch on its sign (for CMO, adding -0.0 or
    /// subtracting 0.0 leaves a value as it is, so each side gets the bits of TA-Lib's branch).
    #[inline(always)]
    fn smooth<const RSI: bool>(&self, gain: f64, loss: f64, d: f64) -> (f64, f64) {
        let (p, pm1) = (self.p as f64, self.p as f64 - 1.0);
        if RSI {
            let inv = 1.0 / p;
            let up = if 0.0 < d { d } else { 0.0 };
            (((gain * pm1) + up) * inv, ((up - d) + (loss * pm1)) * inv)
        } else {
            // A branch, as TA-Lib's loop has: the side a change leaves alone skips the add
            // (the chains are a multiply, an add and a division long), where a branch-free
            // form adds a zero on every bar. A mispredicted sign costs less than that: it
            // depends on the inputs alone and is known long before the chains reach it.
            let (mut gain, mut loss) = (gain * pm1, loss * pm1);
            if d < 0.0 {
                loss -= d;
                keep_branch();
            } else {
                gain += d;
            }
            (apart(gain / p), apart(loss / p))
        }
    }

    /// `f(gain, loss)` over a whole series from the fresh state (NaN during the look-back): the
    /// seeding by `next`, then [`Wilder::smooth`] over the array.
    #[inline]
    fn series<const RSI: bool>(
        &mut self,
        x: &[f64],
        out: &mut [f64],
        control: &Control,
        f: impl Fn(f64, f64) -> f64 + Sync,
    ) -> Result<()> {
        let start = (self.p + 1).min(x.len());
        for span in spans(start) {
            control.check()?;
            for i in span {
                out[i] = self.next::<RSI>(x[i]).map_or(f64::NAN, |(g, l)| f(g, l));
            }
        }
        let run = WilderRun::<RSI, _> { w: self, x, f };
        let state = [self.prev_value, self.gain, self.loss];
        halves::run(&run, state, start..x.len(), &mut [&mut out[start..]], control)
    }
}

/// Wilder's smoothing of gains and losses once seeded, `f` of them a bar (state: the last
/// price, the average gain and loss).
struct WilderRun<'a, const RSI: bool, F> {
    w: &'a Wilder,
    x: &'a [f64],
    f: F,
}

impl<const RSI: bool, F: Fn(f64, f64) -> f64 + Sync> halves::Forgets<3> for WilderRun<'_, RSI, F> {
    /// The averages keep `(p - 1) / p` of a difference a bar: under an ulp of them within
    /// about 37 periods from a start at 0.
    fn burn(&self) -> usize {
        48 * self.w.p + 64
    }
    fn guess(&self, bar: usize) -> [f64; 3] {
        [self.x[bar], 0.0, 0.0]
    }
    fn run(
        &self,
        state: [f64; 3],
        bars: Range<usize>,
        outs: Option<&mut [&mut [f64]]>,
        control: &Control,
    ) -> Result<[f64; 3]> {
        let (this, x, f) = (self.w, &self.x[bars], &self.f);
        // The two chains over a block of bars, then `f` (a division) along the block,
        // vectorised: beside the chains its divisions would hold up theirs.
        with_wide!({
            const B: usize = 64;
            let [mut prev, mut gain, mut loss] = state;
            let (mut gains, mut losses) = ([0.0; B], [0.0; B]);
            for span in spans(x.len()) {
                control.check()?;
                let Some([ref mut out]) = outs else {
                    for &v in &x[span] {
                        (gain, loss) = this.smooth::<RSI>(gain, loss, v - prev);
                        prev = v;
                    }
                    continue;
                };
                for (o, x) in out[span.clone()].chunks_mut(B).zip(x[span].chunks(B)) {
                    for ((&v, g), l) in x.iter().zip(&mut gains).zip(&mut losses) {
                        (gain, loss) = this.smooth::<RSI>(gain, loss, v - prev);
                        prev = v;
                        (*g, *l) = (gain, loss);
                    }
                    for ((o, &g), &l) in o.iter_mut().zip(&gains).zip(&losses) {
                        *o = f(g, l);
                    }
                }
            }
            Ok([prev, gain, loss])
        })
    }
}

/// Nothing, which the compiler may not move or remove: in one arm of an `if`, it keeps the
/// `if` a branch (not both arms computed and one selected).
#[inline(always)]
fn keep_branch() {
    #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
    // SAFETY: an empty instruction sequence reads and writes nothing.
    unsafe {
        std::arch::asm!("", options(nomem, nostack, preserves_flags))
    };
}

/// `x`, as the compiler cannot see through: two chains that each end in one are not packed
/// into one vector (one division for both), which would tie each to the other's latency.
#[inline(always)]
fn apart(mut x: f64) -> f64 {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: an empty instruction sequence leaves the register as it is.
    unsafe {
        std::arch::asm!("/* {0} */", inout(xmm_reg) x, options(pure, nomem, nostack, preserves_flags))
    };
    x
}

/// RSI of the smoothed gain and loss, as TA-Lib 0.8.1 computes it.
#[inline]
fn rsi(g: f64, l: f64) -> f64 {
    let t = l + g;
    let v = (g / t) * 100.0;
    if t > 0.0 {
        v
    } else {
        0.0
    }
}

/// CMO of the smoothed gain and loss.
#[inline]
fn cmo(g: f64, l: f64) -> f64 {
    let t = g + l;
    let v = 100.0 * ((g - l) / t);
    if clear_of_zero(t) {
        v
    } else {
        0.0
    }
}

/// RSI(close, timeperiod).
#[derive(Clone, Debug)]
pub struct Rsi(pub Wilder);
state!(Rsi { 0 });

impl Rsi {
    #[inline]
    pub fn next(&mut self, x: f64) -> Option<f64> {
        self.0.next::<true>(x).map(|(g, l)| rsi(g, l))
    }
}

/// RSI as a value machine: its `series` is the fast loop composites (STOCHRSI) run.
impl Value for Rsi {
    #[inline]
    fn value(&mut self, x: f64) -> Option<f64> {
        self.next(x)
    }
    fn series(&mut self, x: &[f64], out: &mut [f64], control: &Control) -> Result<()> {
        self.0.series::<true>(x, out, control, rsi)
    }
}

impl Machine for Rsi {
    const IN: usize = 1;
    const OUT: usize = 1;
    #[inline]
    fn step(&mut self, x: &[f64], out: &mut [f64]) {
        out[0] = self.next(x[0]).unwrap_or(f64::NAN);
    }
    fn batch(&mut self, ins: &[&[f64]], outs: &mut [&mut [f64]], control: &Control) -> Result<()> {
        self.series(ins[0], outs[0], control)
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
        out[0] = self.0.next::<false>(x[0]).map_or(f64::NAN, |(g, l)| cmo(g, l));
    }
    fn batch(&mut self, ins: &[&[f64]], outs: &mut [&mut [f64]], control: &Control) -> Result<()> {
        self.0.series::<false>(ins[0], outs[0], control, cmo)
    }
}

/// MOM(close, timeperiod) and ROC(close, timeperiod): against the value `p` bars back.
#[derive(Clone, Debug)]
pub struct Change {
    p: usize,
    percent: bool,
    ring: Ring,
}
state!(Change { ring });

impl Change {
    pub fn new(p: usize, percent: bool) -> Self {
        Self { p, percent, ring: Ring::new(p + 1) }
    }
}

/// ROC of a value against the one `p` bars back (a select, so the loop vectorises).
#[inline]
fn roc(x: f64, old: f64) -> f64 {
    let v = ((x / old) - 1.0) * 100.0;
    if old != 0.0 {
        v
    } else {
        0.0
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
            } else {
                roc(x, old)
            }
        };
    }

    fn batch(&mut self, ins: &[&[f64]], outs: &mut [&mut [f64]], control: &Control) -> Result<()> {
        let (x, p, percent) = (ins[0], self.p, self.percent);
        halves::windows(outs[0], |lo, out| {
            let warm = p.saturating_sub(lo).min(out.len());
            out[..warm].fill(f64::NAN);
            for span in spans(out.len()) {
                control.check()?;
                let s = span.start.max(warm)..span.end.max(warm);
                if s.is_empty() {
                    continue;
                }
                let (now, then) = (&x[lo + s.start..lo + s.end], &x[lo + s.start - p..lo + s.end - p]);
                if percent {
                    for (o, (&v, &old)) in out[s].iter_mut().zip(now.iter().zip(then)) {
                        *o = roc(v, old);
                    }
                } else {
                    for (o, (&v, &old)) in out[s].iter_mut().zip(now.iter().zip(then)) {
                        *o = v - old;
                    }
                }
            }
            Ok(())
        })
    }
}

/// MACD(close, fastperiod, slowperiod, signalperiod) and MACDEXT with any moving averages:
/// macd, signal, hist. The fast average starts where the slow one's first output needs it.
#[derive(Clone, Debug)]
pub struct Macd {
    fast: Late<Ma>,
    slow: Ma,
    signal: Ma,
    /// The first bar where both averages have a value.
    first: usize,
}
state!(Macd { fast, slow, signal });

/// The first bar where a late-started fast average and the slow one both have a value.
fn both_from(fast: &Late<Ma>, slow: &Ma) -> usize {
    (fast.skip + fast.inner.lookback()).max(slow.lookback())
}

impl Macd {
    /// TA-Lib's MACD: EMAs, the periods swapped when slow < fast.
    pub fn ema(fast: usize, slow: usize, signal: usize) -> Self {
        let (fast, slow) = if slow < fast { (slow, fast) } else { (fast, slow) };
        let (fast, slow) = (Late::new(slow - fast, Ma::Ema(Ema::new(fast))), Ma::Ema(Ema::new(slow)));
        Self { first: both_from(&fast, &slow), fast, slow, signal: Ma::Ema(Ema::new(signal)) }
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
        let (fast, slow) = (Late::new(skip, Ma::new(fast.0, fast.1)?), Ma::new(slow.0, slow.1)?);
        Ok(Self { first: both_from(&fast, &slow), fast, slow, signal: Ma::new(signal.0, signal.1)? })
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

    /// EMAs (MACD): the seeding by `step`, then the three recurrences in one loop. Other
    /// averages: each one's series over the array, the signal's over the difference.
    fn batch(&mut self, ins: &[&[f64]], outs: &mut [&mut [f64]], control: &Control) -> Result<()> {
        let [macd, sig, hist] = outs else { unreachable!("MACD has three outputs") };
        let (x, len) = (ins[0], ins[0].len());
        let ready = self.first + self.signal.lookback();
        if let (Ma::Ema(_), Ma::Ema(_), Ma::Ema(_)) = (&self.fast.inner, &self.slow, &self.signal) {
            let start = warm_up(self, ins, &mut [&mut **macd, &mut **sig, &mut **hist], ready + 1, control)?;
            let (Ma::Ema(f), Ma::Ema(s), Ma::Ema(g)) = (&self.fast.inner, &self.slow, &self.signal) else {
                unreachable!("checked above")
            };
            let ((kf, f), (ks, s), (kg, g)) = (f.carried(), s.carried(), g.carried());
            let periods = self.slow.lookback() + self.signal.lookback() + 2;
            let run = MacdRun { x, k: [kf, ks, kg], burn: 20 * periods + 64 };
            let outs = &mut [&mut macd[start..], &mut sig[start..], &mut hist[start..]];
            return halves::run(&run, [f, s, g], start..len, outs, control);
        }
        let skip = self.fast.skip.min(len);
        macd[..skip].fill(f64::NAN);
        self.fast.inner.series(&x[skip..], &mut macd[skip..], control)?;
        self.slow.series(x, sig, control)?;
        let first = self.first.min(len);
        for (m, &s) in macd[first..].iter_mut().zip(&sig[first..]) {
            *m -= s;
        }
        self.signal.series(&macd[first..], &mut sig[first..], control)?;
        let ready = ready.min(len);
        for o in [&mut **macd, &mut **sig, &mut **hist] {
            o[..ready].fill(f64::NAN);
        }
        for ((h, &m), &s) in hist[ready..].iter_mut().zip(&macd[ready..]).zip(&sig[ready..]) {
            *h = m - s;
        }
        Ok(())
    }
}

/// MACD's three EMAs (fast and slow of the price, the signal of their difference) once all
/// are seeded; `k`: their smoothing constants.
struct MacdRun<'a> {
    x: &'a [f64],
    k: [f64; 3],
    burn: usize,
}

impl halves::Forgets<3> for MacdRun<'_> {
    /// The slow EMA meets within 18 of its periods, the signal 18 of its own after that.
    fn burn(&self) -> usize {
        self.burn
    }
    fn guess(&self, bar: usize) -> [f64; 3] {
        [self.x[bar], self.x[bar], 0.0]
    }
    fn run(
        &self,
        state: [f64; 3],
        bars: Range<usize>,
        outs: Option<&mut [&mut [f64]]>,
        control: &Control,
    ) -> Result<[f64; 3]> {
        let (x, [kf, ks, kg]) = (&self.x[bars], self.k);
        with_fma!({
            let [mut f, mut s, mut g] = state;
            for span in spans(x.len()) {
                control.check()?;
                match outs {
                    Some([ref mut macd, ref mut sig, ref mut hist]) => {
                        let outs =
                            macd[span.clone()].iter_mut().zip(&mut sig[span.clone()]).zip(&mut hist[span.clone()]);
                        for (((m_out, g_out), h_out), &v) in outs.zip(&x[span]) {
                            f = ema_step(f, v, kf);
                            s = ema_step(s, v, ks);
                            let m = f - s;
                            g = ema_step(g, m, kg);
                            *m_out = m;
                            *g_out = g;
                            *h_out = m - g;
                        }
                    }
                    _ => {
                        for &v in &x[span] {
                            f = ema_step(f, v, kf);
                            s = ema_step(s, v, ks);
                            g = ema_step(g, f - s, kg);
                        }
                    }
                }
            }
            Ok([f, s, g])
        })
    }
}

/// APO(close, fastperiod, slowperiod, matype) and PPO (in percent of the slow average).
#[derive(Clone, Debug)]
pub struct Po {
    percent: bool,
    fast: Late<Ma>,
    slow: Ma,
    /// The first bar where both averages have a value.
    first: usize,
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
        let (fast, slow) = (Late::new(skip, Ma::new(fast, matype)?), Ma::new(slow, matype)?);
        Ok(Self { percent, first: both_from(&fast, &slow), fast, slow })
    }

    /// The oscillator of the two averages' values.
    #[inline]
    fn of(&self, f: f64, s: f64) -> f64 {
        if !self.percent {
            return f - s;
        }
        let v = ((f - s) / s) * 100.0;
        if !is_zero(s) {
            v
        } else {
            0.0
        }
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
            (Some(f), Some(s)) => self.of(f, s),
            _ => f64::NAN,
        };
    }

    /// EMAs: the seeding by `step`, then both recurrences in one loop. Other averages: each
    /// one's series over the array.
    fn batch(&mut self, ins: &[&[f64]], outs: &mut [&mut [f64]], control: &Control) -> Result<()> {
        let (x, len) = (ins[0], ins[0].len());
        if let (Ma::Ema(_), Ma::Ema(_)) = (&self.fast.inner, &self.slow) {
            let start = warm_up(self, ins, outs, self.first + 1, control)?;
            let (Ma::Ema(f), Ma::Ema(s)) = (&self.fast.inner, &self.slow) else { unreachable!("checked above") };
            let ((kf, f), (ks, s)) = (f.carried(), s.carried());
            let (out, po) = (&mut *outs[0], &*self);
            return with_fma!({
                let (mut f, mut s) = (f, s);
                for span in spans(len) {
                    control.check()?;
                    let r = span.start.max(start)..span.end.max(start);
                    for (o, &v) in out[r.clone()].iter_mut().zip(&x[r]) {
                        f = ema_step(f, v, kf);
                        s = ema_step(s, v, ks);
                        *o = po.of(f, s);
                    }
                }
                Ok(())
            });
        }
        let skip = self.fast.skip.min(len);
        let mut fast = try_vec(len - skip, 0.0, "the fast average")?;
        self.fast.inner.series(&x[skip..], &mut fast, control)?;
        let out = &mut *outs[0];
        self.slow.series(x, out, control)?;
        let first = self.first.min(len);
        out[..first].fill(f64::NAN);
        for (o, &f) in out[first..].iter_mut().zip(&fast[first - skip..]) {
            *o = self.of(f, *o);
        }
        Ok(())
    }
}
