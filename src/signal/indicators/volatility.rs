//! Volatility: TRANGE, ATR, NATR (Wilder's smoothing), BBANDS, STDDEV and VAR (TA-Lib's running
//! sums of values and squares).

use super::average::{around_chain, is_zero, with_wide, Ma, Value};
use super::lanes::{self, Bands, Variance};
use super::state::{state, Ring};
use super::{spans, Machine};
use crate::control::Control;
use crate::error::Result;

/// TA-Lib's true range of a bar given the previous close.
#[inline]
pub fn true_range(high: f64, low: f64, prev_close: f64) -> f64 {
    let mut greatest = high - low;
    let v2 = (prev_close - high).abs();
    if v2 > greatest {
        greatest = v2;
    }
    let v3 = (prev_close - low).abs();
    if v3 > greatest {
        greatest = v3;
    }
    greatest
}

/// TRANGE(high, low, close).
#[derive(Clone, Debug)]
pub struct Trange {
    started: bool,
    prev_close: f64,
}
state!(Trange { started, prev_close });

impl Trange {
    pub fn new() -> Self {
        Self { started: false, prev_close: 0.0 }
    }
    #[inline]
    pub fn next(&mut self, h: f64, l: f64, c: f64) -> Option<f64> {
        let was = self.started;
        let prev = self.prev_close;
        self.started = true;
        self.prev_close = c;
        was.then(|| true_range(h, l, prev))
    }
}

impl Machine for Trange {
    const IN: usize = 3;
    const OUT: usize = 1;
    #[inline]
    fn step(&mut self, x: &[f64], out: &mut [f64]) {
        out[0] = self.next(x[0], x[1], x[2]).unwrap_or(f64::NAN);
    }
    fn batch(&mut self, ins: &[&[f64]], outs: &mut [&mut [f64]], _: &Control) -> Result<()> {
        true_ranges(ins, outs[0]);
        Ok(())
    }
}

/// The true range of every bar into `out` (NaN for the first, which has no previous close).
fn true_ranges(ins: &[&[f64]], out: &mut [f64]) {
    #[cfg(target_arch = "x86_64")]
    if crate::backend::cpu_features::has_avx2() {
        // SAFETY: AVX2 support was just checked at run time.
        return unsafe { true_ranges_avx2(ins, out) };
    }
    true_ranges_in(ins, out)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn true_ranges_avx2(ins: &[&[f64]], out: &mut [f64]) {
    true_ranges_in(ins, out)
}

#[inline(always)]
fn true_ranges_in(ins: &[&[f64]], out: &mut [f64]) {
    let n = out.len();
    if n == 0 {
        return;
    }
    out[0] = f64::NAN;
    let (h, l, prev) = (&ins[0][1..n], &ins[1][1..n], &ins[2][..n - 1]);
    for (((o, &h), &l), &prev) in out[1..].iter_mut().zip(h).zip(l).zip(prev) {
        *o = true_range(h, l, prev);
    }
}

/// Wilder's weights `(p - 1) / p` and `1 - (p - 1) / p`, as TA-Lib 0.8 computes them.
#[inline]
fn smoothing(p: usize) -> (f64, f64) {
    let keep = (p - 1) as f64 / p as f64;
    (keep, 1.0 - keep)
}

/// One step of Wilder's smoothing as TA-Lib 0.8.1's FMA build takes it (`prev * keep + tr *
/// take`, the multiply-add fused): bit for bit TA-Lib's ATR and NATR. `mul_add` rounds once on
/// every CPU (in software where there is no FMA).
#[inline(always)]
fn wilder(prev: f64, tr: f64, keep: f64, take: f64) -> f64 {
    prev.mul_add(keep, tr * take)
}

/// ATR(high, low, close, timeperiod) and, normalised by the close, NATR.
#[derive(Clone, Debug)]
pub struct Atr {
    p: usize,
    normalized: bool,
    tr: Trange,
    n: usize,
    sum: f64,
    prev: f64,
}
state!(Atr { tr, n, sum, prev });

impl Atr {
    pub fn new(p: usize, normalized: bool) -> Self {
        Self { p, normalized, tr: Trange::new(), n: 0, sum: 0.0, prev: 0.0 }
    }
    #[inline]
    pub fn next(&mut self, h: f64, l: f64, c: f64) -> Option<f64> {
        let tr = self.tr.next(h, l, c)?;
        if self.p <= 1 {
            return Some(tr);
        }
        if self.n < self.p {
            self.sum += tr;
            self.n += 1;
            if self.n < self.p {
                return None;
            }
            self.prev = self.sum / self.p as f64;
        } else {
            let (keep, take) = smoothing(self.p);
            self.prev = wilder(self.prev, tr, keep, take);
        }
        Some(if self.normalized { per_close(self.prev, c) } else { self.prev })
    }
}

impl Machine for Atr {
    const IN: usize = 3;
    const OUT: usize = 1;
    #[inline]
    fn step(&mut self, x: &[f64], out: &mut [f64]) {
        out[0] = self.next(x[0], x[1], x[2]).unwrap_or(f64::NAN);
    }
    /// The step's arithmetic over the arrays (see `smooth`).
    fn batch(&mut self, ins: &[&[f64]], outs: &mut [&mut [f64]], control: &Control) -> Result<()> {
        let out = &mut *outs[0];
        let (p, n) = (self.p, out.len());
        if p <= 1 {
            true_ranges(ins, out);
            return Ok(());
        }
        out[..(p + 1).min(n)].fill(f64::NAN);
        if n <= p {
            return Ok(());
        }
        let (h, l, c) = (ins[0], ins[1], ins[2]);
        let mut sum = 0.0;
        for t in 1..=p {
            sum += true_range(h[t], l[t], c[t - 1]);
        }
        let prev = sum / p as f64;
        let normalized = self.normalized;
        out[p] = if normalized { per_close(prev, c[p]) } else { prev };
        with_wide!({ smooth(prev, p, normalized, ins, out, control) })
    }
}

/// NATR's ATR as a percentage of the close (0 where the close is 0).
#[inline(always)]
fn per_close(atr: f64, close: f64) -> f64 {
    if !is_zero(close) {
        (atr / close) * 100.0
    } else {
        0.0
    }
}

/// Wilder's smoothing of the true ranges from bar `p + 1` on into `out`, from the average
/// `prev` at bar `p`: the true ranges and NATR's divisions eight bars at a time, the chain
/// between them.
#[inline(always)]
fn smooth(mut prev: f64, p: usize, normalized: bool, ins: &[&[f64]], out: &mut [f64], control: &Control) -> Result<()> {
    let (h, l, c) = (ins[0], ins[1], ins[2]);
    let (keep, take) = smoothing(p);
    for span in spans(out.len()) {
        control.check()?;
        let (s, e) = (span.start.max(p + 1).min(span.end), span.end);
        let bars = [&h[s..e], &l[s..e], &c[s - 1..e - 1], &c[s..e]];
        let term = |[h, l, pc, _]: [f64; 4]| [true_range(h, l, pc)];
        let chain = |[tr]: [f64; 1]| {
            prev = wilder(prev, tr, keep, take);
            [prev]
        };
        if normalized {
            around_chain(bars, &mut out[s..e], term, chain, |[atr], x| per_close(atr, x[3]));
        } else {
            around_chain(bars, &mut out[s..e], term, chain, |[atr], _| atr);
        }
    }
    Ok(())
}

/// A window of the last `p` values.
#[derive(Clone, Debug)]
pub struct Moments {
    p: usize,
    ring: Ring,
}
state!(Moments { ring });

impl Moments {
    pub fn new(p: usize) -> Self {
        Self { p, ring: Ring::new(p) }
    }
    /// The window's population variance by two passes (mean, then squared deviations): what
    /// TA-Lib 0.8's VAR and STDDEV agree with to about 1e-12, where the running sums lose
    /// digits to cancellation.
    #[inline]
    pub fn var_two_pass(&mut self, x: f64) -> Option<f64> {
        self.ring.push(x);
        if !self.ring.is_full() {
            return None;
        }
        let p = self.p as f64;
        let mut mean = 0.0;
        for i in 0..self.p {
            mean += self.ring.get(i);
        }
        mean /= p;
        let mut acc = 0.0;
        for i in 0..self.p {
            let d = self.ring.get(i) - mean;
            acc += d * d;
        }
        Some(acc / p)
    }
}

/// VAR(close, timeperiod, nbdev) (TA-Lib ignores `nbdev` here) and STDDEV(close, timeperiod, nbdev).
#[derive(Clone, Debug)]
pub struct Var {
    moments: Moments,
    stddev: Option<f64>,
}
state!(Var { moments });

impl Var {
    pub fn variance(p: usize) -> Self {
        Self { moments: Moments::new(p), stddev: None }
    }
    pub fn stddev(p: usize, nbdev: f64) -> Self {
        Self { moments: Moments::new(p), stddev: Some(nbdev) }
    }
}

impl Machine for Var {
    const IN: usize = 1;
    const OUT: usize = 1;
    #[inline]
    fn step(&mut self, x: &[f64], out: &mut [f64]) {
        out[0] = match (self.moments.var_two_pass(x[0]), self.stddev) {
            (None, _) => f64::NAN,
            (Some(v), None) => v,
            (Some(v), Some(k)) => root(v) * k,
        };
    }
    fn batch(&mut self, ins: &[&[f64]], outs: &mut [&mut [f64]], control: &Control) -> Result<()> {
        let (x, out) = (ins[0], &mut *outs[0]);
        let p = self.moments.p;
        out[..(p - 1).min(x.len())].fill(f64::NAN);
        lanes::run(&mut Variance { x, p, out }, p - 1, x.len(), control)?;
        if let Some(k) = self.stddev {
            for o in out.iter_mut().skip(p - 1) {
                *o = root(*o) * k;
            }
        }
        Ok(())
    }
}

/// The standard deviation of a variance as TA-Lib 0.8 takes it: the square root of a positive
/// variance, 0 otherwise.
#[inline]
pub fn root(var: f64) -> f64 {
    if var > 0.0 {
        var.sqrt()
    } else {
        0.0
    }
}

/// BBANDS(close, timeperiod, nbdevup, nbdevdn, matype): upper, middle, lower. The deviation is
/// STDDEV's, which TA-Lib starts where the moving average's first output is.
#[derive(Clone, Debug)]
pub struct Bbands {
    up: f64,
    dn: f64,
    ma: Ma,
    moments: Moments,
    skip: usize,
    seen: usize,
}
state!(Bbands { ma, moments, seen });

impl Bbands {
    pub fn new(p: usize, up: f64, dn: f64, matype: usize, ma_lookback: usize) -> crate::error::Result<Self> {
        let skip = ma_lookback.saturating_sub(p - 1);
        Ok(Self { up, dn, ma: Ma::new(p, matype)?, moments: Moments::new(p), skip, seen: 0 })
    }
}

impl Machine for Bbands {
    const IN: usize = 1;
    const OUT: usize = 3;
    #[inline]
    fn step(&mut self, x: &[f64], out: &mut [f64]) {
        let x = x[0];
        let mid = self.ma.next(x);
        let sd = if self.seen < self.skip {
            self.seen += 1;
            None
        } else {
            self.moments.var_two_pass(x).map(root)
        };
        match (mid, sd) {
            (Some(mid), Some(sd)) => {
                out[0] = mid + sd * self.up;
                out[1] = mid;
                out[2] = mid - sd * self.dn;
            }
            _ => out.fill(f64::NAN),
        }
    }
    /// The average's series, the deviation of each window from the first bar the step feeds
    /// its window (`skip`), combined where both are ready.
    fn batch(&mut self, ins: &[&[f64]], outs: &mut [&mut [f64]], control: &Control) -> Result<()> {
        let x = ins[0];
        let n = x.len();
        let p = self.moments.p;
        let [upper, middle, lower] = outs else {
            return Err(crate::error::Error::Internal("BBANDS has three outputs".into()));
        };
        let mut probe = self.ma.clone();
        let ma_ready = (0..n).take_while(|_| probe.value(0.0).is_none()).count();
        self.ma.series(x, middle, control)?;
        let ready = ma_ready.max(self.skip + p - 1).min(n);
        let (up, dn) = (self.up, self.dn);
        lanes::run(&mut Bands { x, p, mid: middle, upper, lower, up, dn }, ready, n, control)?;
        for ((u, m), l) in upper.iter_mut().zip(middle.iter_mut()).zip(lower.iter_mut()).take(ready) {
            (*u, *m, *l) = (f64::NAN, f64::NAN, f64::NAN);
        }
        Ok(())
    }
}
