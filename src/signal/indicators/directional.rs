//! Wilder's directional movement: PLUS_DI, MINUS_DI, DX, ADX, ADXR, in TA-Lib's order of
//! operations (sums of the first `p - 1` moves, then `x - x / p + new`).

use super::average::{clear_of_zero, is_zero, warm_up};
use super::state::{state, Ring};
use super::volatility::true_range;
use super::{spans, Machine};
use crate::control::Control;
use crate::error::Result;

/// Smoothed +DM, -DM and true range.
#[derive(Clone, Debug)]
pub struct Movement {
    p: usize,
    n: usize,
    prev_high: f64,
    prev_low: f64,
    prev_close: f64,
    plus: f64,
    minus: f64,
    tr: f64,
}
state!(Movement { n, prev_high, prev_low, prev_close, plus, minus, tr });

/// What one bar's move gives.
pub struct Move {
    pub plus: f64,
    pub minus: f64,
    pub tr: f64,
    /// The bar's own +DM / -DM (for the period-1 DIs).
    pub diff_p: f64,
    pub diff_m: f64,
    pub range: f64,
}

impl Movement {
    pub fn new(p: usize) -> Self {
        Self { p, n: 0, prev_high: 0.0, prev_low: 0.0, prev_close: 0.0, plus: 0.0, minus: 0.0, tr: 0.0 }
    }
    /// The smoothed sums once `p` bars were seen (bar `p` and later).
    #[inline]
    pub fn next(&mut self, h: f64, l: f64, c: f64) -> Option<Move> {
        if self.n == 0 {
            self.n = 1;
            self.prev_high = h;
            self.prev_low = l;
            self.prev_close = c;
            return None;
        }
        if self.n < self.p {
            let (dp, dm, range) = self.bar(h, l, c);
            self.minus += dm;
            self.plus += dp;
            self.tr += range;
            self.n += 1;
            return None;
        }
        Some(self.steady(h, l, c))
    }

    /// A bar's +DM, -DM (the one that does not count is -0.0, which adding leaves any sum as it
    /// is, so there is no branch on the direction) and true range.
    #[inline(always)]
    fn bar(&mut self, h: f64, l: f64, c: f64) -> (f64, f64, f64) {
        let diff_p = h - self.prev_high;
        self.prev_high = h;
        let diff_m = self.prev_low - l;
        self.prev_low = l;
        let range = true_range(h, l, self.prev_close);
        self.prev_close = c;
        let minus = diff_m > 0.0 && diff_p < diff_m;
        let plus = !minus && diff_p > 0.0 && diff_p > diff_m;
        (if plus { diff_p } else { -0.0 }, if minus { diff_m } else { -0.0 }, range)
    }

    /// A bar once the sums are seeded (`n == p`).
    #[inline(always)]
    pub fn steady(&mut self, h: f64, l: f64, c: f64) -> Move {
        let p = self.p as f64;
        let (dp, dm, range) = self.bar(h, l, c);
        self.minus = (self.minus - self.minus / p) + dm;
        self.plus = (self.plus - self.plus / p) + dp;
        self.tr = self.tr - self.tr / p + range;
        Move { plus: self.plus, minus: self.minus, tr: self.tr, diff_p: dp, diff_m: dm, range }
    }
}

/// Runs `finish` on each bar's smoothed sums: the seeding by `step` (the first `p` bars),
/// then [`Movement::steady`] on a local copy of the machine (kept in registers).
fn movement_batch<M: Machine>(
    m: &mut M,
    p: usize,
    ins: &[&[f64]],
    outs: &mut [&mut [f64]],
    control: &Control,
    mut finish: impl FnMut(&mut M, f64, f64, f64) -> f64,
) -> Result<()> {
    let start = warm_up(m, ins, outs, p, control)?;
    let (h, l, c, out) = (ins[0], ins[1], ins[2], &mut *outs[0]);
    let mut st = m.clone();
    for span in spans(h.len()) {
        control.check()?;
        for i in span.start.max(start)..span.end.max(start) {
            out[i] = finish(&mut st, h[i], l[i], c[i]);
        }
    }
    Ok(())
}

/// `(minusDI, plusDI)` of smoothed sums, `None` when the true range is (TA-Lib's) zero.
#[inline]
fn dis(m: &Move) -> Option<(f64, f64)> {
    if !clear_of_zero(m.tr) {
        return None;
    }
    Some((100.0 * (m.minus / m.tr), 100.0 * (m.plus / m.tr)))
}

/// DX of smoothed sums, `None` when TA-Lib keeps the previous value.
#[inline]
fn dx(m: &Move) -> Option<f64> {
    let (minus, plus) = dis(m)?;
    let t = minus + plus;
    if !clear_of_zero(t) {
        return None;
    }
    Some(100.0 * ((minus - plus).abs() / t))
}

/// PLUS_DI / MINUS_DI(high, low, close, timeperiod).
#[derive(Clone, Debug)]
pub struct Di {
    plus: bool,
    p: usize,
    mv: Movement,
}
state!(Di { mv });

impl Di {
    pub fn new(p: usize, plus: bool) -> Self {
        Self { plus, p, mv: Movement::new(p.max(1)) }
    }
}

impl Machine for Di {
    const IN: usize = 3;
    const OUT: usize = 1;
    #[inline]
    fn step(&mut self, x: &[f64], out: &mut [f64]) {
        out[0] = self.mv.next(x[0], x[1], x[2]).map_or(f64::NAN, |m| self.of(&m));
    }
    fn batch(&mut self, ins: &[&[f64]], outs: &mut [&mut [f64]], control: &Control) -> Result<()> {
        movement_batch(self, self.mv.p, ins, outs, control, |d, h, l, c| {
            let m = d.mv.steady(h, l, c);
            d.of(&m)
        })
    }
}

impl Di {
    /// The DI of a bar's sums.
    #[inline(always)]
    fn of(&self, m: &Move) -> f64 {
        let sum = if self.plus { m.plus } else { m.minus };
        let one = if self.plus { m.diff_p } else { m.diff_m };
        if self.p <= 1 {
            if one > 0.0 && !is_zero(m.range) {
                one / m.range
            } else {
                0.0
            }
        } else if clear_of_zero(m.tr) {
            100.0 * (sum / m.tr)
        } else {
            0.0
        }
    }
}

/// DX(high, low, close, timeperiod).
#[derive(Clone, Debug)]
pub struct Dx {
    mv: Movement,
    prev: f64,
}
state!(Dx { mv, prev });

impl Dx {
    pub fn new(p: usize) -> Self {
        Self { mv: Movement::new(p), prev: f64::NAN }
    }
}

impl Machine for Dx {
    const IN: usize = 3;
    const OUT: usize = 1;
    #[inline]
    fn step(&mut self, x: &[f64], out: &mut [f64]) {
        out[0] = match self.mv.next(x[0], x[1], x[2]) {
            Some(m) => self.of(&m),
            None => f64::NAN,
        };
    }
    fn batch(&mut self, ins: &[&[f64]], outs: &mut [&mut [f64]], control: &Control) -> Result<()> {
        movement_batch(self, self.mv.p, ins, outs, control, |d, h, l, c| {
            let m = d.mv.steady(h, l, c);
            d.of(&m)
        })
    }
}

impl Dx {
    /// The DX of a bar's sums (the previous one where TA-Lib keeps it).
    #[inline(always)]
    fn of(&mut self, m: &Move) -> f64 {
        let first = self.prev.is_nan();
        self.prev = match dx(m) {
            Some(v) => v,
            None if first => 0.0,
            None => self.prev,
        };
        self.prev
    }
}

/// ADX(high, low, close, timeperiod) and, with `rating`, ADXR.
#[derive(Clone, Debug)]
pub struct Adx {
    p: usize,
    mv: Movement,
    n: usize,
    sum: f64,
    adx: f64,
    rating: Option<Ring>,
}
state!(Adx { mv, n, sum, adx, rating });

impl Adx {
    pub fn new(p: usize, rating: bool) -> Self {
        Self { p, mv: Movement::new(p), n: 0, sum: 0.0, adx: 0.0, rating: rating.then(|| Ring::new(p)) }
    }
    #[inline]
    fn next(&mut self, h: f64, l: f64, c: f64) -> Option<f64> {
        let m = self.mv.next(h, l, c)?;
        self.smooth(&m)
    }
    /// ADX of a bar's sums, once the DXs are averaged.
    #[inline(always)]
    fn smooth(&mut self, m: &Move) -> Option<f64> {
        let d = dx(m);
        if self.n < self.p {
            if let Some(d) = d {
                self.sum += d;
            }
            self.n += 1;
            if self.n < self.p {
                return None;
            }
            self.adx = self.sum / self.p as f64;
            return Some(self.adx);
        }
        if let Some(d) = d {
            self.adx = (self.adx * (self.p - 1) as f64 + d) / self.p as f64;
        }
        Some(self.adx)
    }
}

impl Machine for Adx {
    const IN: usize = 3;
    const OUT: usize = 1;
    #[inline]
    fn step(&mut self, x: &[f64], out: &mut [f64]) {
        let v = self.next(x[0], x[1], x[2]);
        out[0] = self.rate(v);
    }
    fn batch(&mut self, ins: &[&[f64]], outs: &mut [&mut [f64]], control: &Control) -> Result<()> {
        movement_batch(self, self.mv.p, ins, outs, control, |a, h, l, c| {
            let m = a.mv.steady(h, l, c);
            let v = a.smooth(&m);
            a.rate(v)
        })
    }
}

impl Adx {
    /// The output for an ADX value (ADXR: the mean with the one `p - 1` bars back).
    #[inline(always)]
    fn rate(&mut self, v: Option<f64>) -> f64 {
        match (v, &mut self.rating) {
            (None, _) => f64::NAN,
            (Some(v), None) => v,
            (Some(v), Some(ring)) => {
                ring.push(v);
                if ring.is_full() {
                    (v + ring.get(0)) / 2.0
                } else {
                    f64::NAN
                }
            }
        }
    }
}
