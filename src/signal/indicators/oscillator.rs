//! CCI, MFI, ULTOSC and SAR, in TA-Lib's order of operations.

use super::average::{around_chain, is_zero, warm_up, with_fma, with_wide};
use super::state::{state, Ring};
use super::{spans, Machine};
use crate::control::Control;
use crate::error::{try_vec, Result};
use crate::signal::quotient::divide_all;

/// CCI(high, low, close, timeperiod): the typical price against its mean deviation, the
/// window summed in TA-Lib's circular-buffer order.
#[derive(Clone, Debug)]
pub struct Cci {
    p: usize,
    ring: Ring,
}
state!(Cci { ring });

impl Cci {
    pub fn new(p: usize) -> Self {
        Self { p, ring: Ring::new(p) }
    }
}

impl Machine for Cci {
    const IN: usize = 3;
    const OUT: usize = 1;
    #[inline]
    fn step(&mut self, x: &[f64], out: &mut [f64]) {
        let last = (x[0] + x[1] + x[2]) / 3.0;
        self.ring.push(last);
        out[0] = if self.ring.is_full() { cci(self.ring.slots(), last) } else { f64::NAN };
    }

    /// The same window in a plain array: the bar `i` goes to slot `i % p`, where the ring
    /// puts it, so the sums run in the same order. Bars go in pairs: the second one's window is
    /// the first's with one slot replaced, and summing both in one pass gives the CPU two
    /// independent chains of additions.
    fn batch(&mut self, ins: &[&[f64]], outs: &mut [&mut [f64]], control: &Control) -> Result<()> {
        let p = self.p;
        let mut buf = try_vec(p, 0.0, "the CCI window")?;
        let (h, l, c, out) = (ins[0], ins[1], ins[2], &mut *outs[0]);
        let tp = |i: usize| (h[i] + l[i] + c[i]) / 3.0;
        let warm = (p - 1).min(h.len());
        for i in 0..warm {
            buf[i] = tp(i);
            out[i] = f64::NAN;
        }
        let pf = p as f64;
        for span in spans(h.len()) {
            control.check()?;
            let mut i = span.start.max(warm);
            let mut slot = i % p;
            while i + 1 < span.end {
                let next = if slot + 1 == p { 0 } else { slot + 1 };
                let (t0, t1) = (tp(i), tp(i + 1));
                buf[slot] = t0;
                let (mut a0, mut a1) = (0.0, 0.0);
                for (s, &v) in buf.iter().enumerate() {
                    a0 += v;
                    a1 += if s == next { t1 } else { v };
                }
                a0 /= pf;
                a1 /= pf;
                let (mut d0, mut d1) = (0.0, 0.0);
                for (s, &v) in buf.iter().enumerate() {
                    d0 += (v - a0).abs();
                    d1 += ((if s == next { t1 } else { v }) - a1).abs();
                }
                out[i] = cci_of(t0, a0, d0, pf);
                out[i + 1] = cci_of(t1, a1, d1, pf);
                buf[next] = t1;
                slot = if next + 1 == p { 0 } else { next + 1 };
                i += 2;
            }
            if i < span.end {
                let t = tp(i);
                buf[slot] = t;
                out[i] = cci(&buf, t);
            }
        }
        Ok(())
    }
}

/// CCI of the window (in slot order) and its newest typical price.
#[inline]
fn cci(buf: &[f64], last: f64) -> f64 {
    let p = buf.len() as f64;
    let mut avg = 0.0;
    for &v in buf {
        avg += v;
    }
    avg /= p;
    let mut dev = 0.0;
    for &v in buf {
        dev += (v - avg).abs();
    }
    cci_of(last, avg, dev, p)
}

/// CCI of the newest typical price, the window's mean and its sum of absolute deviations.
#[inline(always)]
fn cci_of(last: f64, avg: f64, dev: f64, p: f64) -> f64 {
    let t = last - avg;
    if t != 0.0 && dev != 0.0 {
        t / (0.015 * (dev / p))
    } else {
        0.0
    }
}

/// MFI(high, low, close, volume, timeperiod).
#[derive(Clone, Debug)]
pub struct Mfi {
    p: usize,
    n: usize,
    prev: f64,
    pos: Ring,
    neg: Ring,
    pos_sum: f64,
    neg_sum: f64,
}
state!(Mfi { n, prev, pos, neg, pos_sum, neg_sum });

impl Mfi {
    pub fn new(p: usize) -> Self {
        Self { p, n: 0, prev: 0.0, pos: Ring::new(p), neg: Ring::new(p), pos_sum: 0.0, neg_sum: 0.0 }
    }
}

impl Machine for Mfi {
    const IN: usize = 4;
    const OUT: usize = 1;
    #[inline]
    fn step(&mut self, x: &[f64], out: &mut [f64]) {
        let tp = (x[0] + x[1] + x[2]) / 3.0;
        out[0] = f64::NAN;
        if self.n == 0 {
            self.prev = tp;
            self.n = 1;
            return;
        }
        if self.n > self.p {
            self.pos_sum -= self.pos.get(0);
            self.neg_sum -= self.neg.get(0);
        }
        let d = tp - self.prev;
        self.prev = tp;
        let (p, n) = flows(d, tp * x[3]);
        self.pos.push(p);
        self.neg.push(n);
        self.pos_sum += p;
        self.neg_sum += n;
        if self.n < self.p {
            self.n += 1;
            return;
        }
        self.n = self.p + 1;
        out[0] = mfi(self.pos_sum, self.neg_sum);
    }

    /// The look-back by `step`, then the flows in plain arrays: the bar `i`'s flow goes to
    /// slot `(i - 1) % p`, where the rings hold it, and leaves it `p` bars later.
    fn batch(&mut self, ins: &[&[f64]], outs: &mut [&mut [f64]], control: &Control) -> Result<()> {
        let p = self.p;
        let start = warm_up(self, ins, outs, p + 1, control)?;
        let (mut pos, mut neg) = (try_vec(p, 0.0, "the MFI window")?, try_vec(p, 0.0, "the MFI window")?);
        pos[..self.pos.len()].copy_from_slice(self.pos.slots());
        neg[..self.neg.len()].copy_from_slice(self.neg.slots());
        let (mut prev, mut pos_sum, mut neg_sum) = (self.prev, self.pos_sum, self.neg_sum);
        let (h, l, c, v, out) = (ins[0], ins[1], ins[2], ins[3], &mut *outs[0]);
        let mut slot = 0;
        for span in spans(h.len()) {
            control.check()?;
            for i in span.start.max(start)..span.end.max(start) {
                pos_sum -= pos[slot];
                neg_sum -= neg[slot];
                let tp = (h[i] + l[i] + c[i]) / 3.0;
                let d = tp - prev;
                prev = tp;
                let (up, down) = flows(d, tp * v[i]);
                pos[slot] = up;
                neg[slot] = down;
                pos_sum += up;
                neg_sum += down;
                slot += 1;
                if slot == p {
                    slot = 0;
                }
                out[i] = mfi(pos_sum, neg_sum);
            }
        }
        Ok(())
    }
}

/// The positive and negative money flow of a change `d` in the typical price.
#[inline]
fn flows(d: f64, flow: f64) -> (f64, f64) {
    (if d > 0.0 { flow } else { 0.0 }, if d < 0.0 { flow } else { 0.0 })
}

/// MFI of the windows' sums.
#[inline]
fn mfi(pos: f64, neg: f64) -> f64 {
    let t = pos + neg;
    let v = 100.0 * (pos / t);
    if t < 1.0 {
        0.0
    } else {
        v
    }
}

/// ULTOSC(high, low, close, timeperiod1, timeperiod2, timeperiod3): the three windows sorted
/// (weights 4, 2, 1 from the shortest), each sum started where TA-Lib starts it.
#[derive(Clone, Debug)]
pub struct Ultosc {
    periods: [usize; 3],
    longest: usize,
    n: usize,
    prev_close: f64,
    a: Ring,
    b: Ring,
    sums: Vec<f64>,
}
state!(Ultosc { n, prev_close, a, b, sums });

impl Ultosc {
    pub fn new(p1: usize, p2: usize, p3: usize) -> Self {
        let mut periods = [p1, p2, p3];
        periods.sort_unstable();
        let longest = periods[2];
        Self {
            periods,
            longest,
            n: 0,
            prev_close: 0.0,
            a: Ring::new(longest + 1),
            b: Ring::new(longest + 1),
            sums: vec![0.0; 6],
        }
    }
}

impl Machine for Ultosc {
    const IN: usize = 3;
    const OUT: usize = 1;
    #[inline]
    fn step(&mut self, x: &[f64], out: &mut [f64]) {
        out[0] = f64::NAN;
        let bar = self.n;
        if bar == 0 {
            self.prev_close = x[2];
            self.n = 1;
            return;
        }
        let (cmtl, tr) = ult_bar(x[0], x[1], x[2], self.prev_close);
        self.prev_close = x[2];
        self.a.push(cmtl);
        self.b.push(tr);
        if self.n <= self.longest {
            self.n += 1;
        }
        let m = self.longest;
        for (k, &p) in self.periods.iter().enumerate() {
            if bar + p > m {
                self.sums[2 * k] += cmtl;
                self.sums[2 * k + 1] += tr;
            }
        }
        if bar < m {
            return;
        }
        out[0] = ultosc(&self.sums);
        for (k, &p) in self.periods.iter().enumerate() {
            self.sums[2 * k] -= self.a.back(p - 1);
            self.sums[2 * k + 1] -= self.b.back(p - 1);
        }
    }

    /// The look-back by `step`, then the sums with the bars' two terms kept in power-of-two
    /// rings (bar `t`'s at `t & mask`), read back where each window ends.
    fn batch(&mut self, ins: &[&[f64]], outs: &mut [&mut [f64]], control: &Control) -> Result<()> {
        let m = self.longest;
        let start = warm_up(self, ins, outs, m + 1, control)?;
        let (h, l, c, out) = (ins[0], ins[1], ins[2], &mut *outs[0]);
        let size = (m + 1).next_power_of_two();
        let mask = size - 1;
        let (mut a, mut b) = (try_vec(size, 0.0, "ULTOSC's window")?, try_vec(size, 0.0, "ULTOSC's window")?);
        // The terms of bars 1..start, which the machine's rings hold oldest first.
        for t in 1..start {
            (a[t & mask], b[t & mask]) = (self.a.get(t - 1), self.b.get(t - 1));
        }
        let mut sums = [0.0; 6];
        sums.copy_from_slice(&self.sums);
        let [p0, p1, p2] = self.periods;
        with_wide!({
            let (mut a, mut b, mut sums) = (a, b, sums);
            for span in spans(h.len()) {
                control.check()?;
                let span = span.start.max(start)..span.end.max(start);
                // Blocks that stay in the first-level cache between the passes.
                for s in span.clone().step_by(BLOCK).map(|s| s..(s + BLOCK).min(span.end)) {
                    let mut i = s.start;
                    let chain = |t: [f64; 2]| {
                        i += 1;
                        ult_sums(&mut sums, t, i - 1, [p0, p1, p2], &mut a, &mut b, mask)
                    };
                    let ins = [&h[s.clone()], &l[s.clone()], &c[s.clone()], &c[s.start - 1..s.end - 1]];
                    let term = |[h, l, c, pc]: [f64; 4]| {
                        let (a, b) = ult_bar(h, l, c, pc);
                        [a, b]
                    };
                    let out = &mut out[s];
                    around_chain(ins, out, term, chain, |sums, _| weighted(&sums));
                    divide_all::<FMA>(out, 7.0);
                    out.iter_mut().for_each(|o| *o *= 100.0);
                }
            }
            Ok(())
        })
    }
}

/// Bars per block in the loops that make a pass over a block's outputs after the serial one.
const BLOCK: usize = 256;

/// Bar `i`'s terms `[ta, tb]` into the rings and the sums: the sums with them (what this bar's
/// output takes), and the sums left for the next bar (each window's oldest terms taken out).
#[inline(always)]
fn ult_sums(
    sums: &mut [f64; 6],
    [ta, tb]: [f64; 2],
    i: usize,
    periods: [usize; 3],
    a: &mut [f64],
    b: &mut [f64],
    mask: usize,
) -> [f64; 6] {
    // Cut to `mask + 1` values, so that the compiler sees every `& mask` index in bounds.
    let (a, b) = (&mut a[..=mask], &mut b[..=mask]);
    (a[i & mask], b[i & mask]) = (ta, tb);
    for k in 0..3 {
        sums[2 * k] += ta;
        sums[2 * k + 1] += tb;
    }
    let now = *sums;
    for (k, p) in periods.into_iter().enumerate() {
        let at = (i + 1 - p) & mask;
        sums[2 * k] -= a[at];
        sums[2 * k + 1] -= b[at];
    }
    now
}

/// A bar's buying pressure (close less the true low) and true range, given the previous close.
#[inline]
fn ult_bar(h: f64, l: f64, c: f64, pc: f64) -> (f64, f64) {
    let true_low = if l < pc { l } else { pc };
    let cmtl = c - true_low;
    let mut tr = h - l;
    let t = (pc - h).abs();
    if t > tr {
        tr = t;
    }
    let t = (pc - l).abs();
    if t > tr {
        tr = t;
    }
    (cmtl, tr)
}

/// ULTOSC of the three windows' sums (shortest first, weights 4, 2, 1).
#[inline]
fn ultosc(sums: &[f64]) -> f64 {
    100.0 * (weighted(sums) / 7.0)
}

/// The sum of the windows' weighted ratios that ULTOSC takes the seventh of.
#[inline(always)]
fn weighted(sums: &[f64]) -> f64 {
    let mut o = 0.0;
    for (k, w) in [4.0, 2.0, 1.0].into_iter().enumerate() {
        let (a, b) = (sums[2 * k], sums[2 * k + 1]);
        let v = w * (a / b);
        // Adding -0.0 leaves the sum as it is (no branch).
        o += if !is_zero(b) { v } else { -0.0 };
    }
    o
}

/// SAR(high, low, acceleration, maximum): the first direction from the first two bars'
/// minus-DM, as TA-Lib decides it; the step towards the extreme point is fused as in TA-Lib's
/// build.
#[derive(Clone, Debug)]
pub struct Sar {
    acc: f64,
    max: f64,
    n: usize,
    long: bool,
    af: f64,
    ep: f64,
    sar: f64,
    new_high: f64,
    new_low: f64,
}
state!(Sar { n, long, af, ep, sar, new_high, new_low });

impl Sar {
    pub fn new(acceleration: f64, maximum: f64) -> Self {
        let mut acc = acceleration;
        if acc > maximum {
            acc = maximum;
        }
        Self { acc, max: maximum, n: 0, long: true, af: acc, ep: 0.0, sar: 0.0, new_high: 0.0, new_low: 0.0 }
    }
}

impl Machine for Sar {
    const IN: usize = 2;
    const OUT: usize = 1;
    #[inline]
    fn step(&mut self, x: &[f64], out: &mut [f64]) {
        let (h, l) = (x[0], x[1]);
        if self.n == 0 {
            self.n = 1;
            self.new_high = h;
            self.new_low = l;
            out[0] = f64::NAN;
            return;
        }
        if self.n == 1 {
            self.n = 2;
            let diff_p = h - self.new_high;
            let diff_m = self.new_low - l;
            let minus_dm = diff_m > 0.0 && diff_p < diff_m;
            self.long = !minus_dm;
            if self.long {
                self.ep = h;
                self.sar = self.new_low;
            } else {
                self.ep = l;
                self.sar = self.new_high;
            }
            self.new_low = l;
            self.new_high = h;
        }
        out[0] = self.advance(h, l);
    }

    /// The first two bars by `step`, then `advance` on a local copy (kept in registers).
    fn batch(&mut self, ins: &[&[f64]], outs: &mut [&mut [f64]], control: &Control) -> Result<()> {
        let start = warm_up(self, ins, outs, 2, control)?;
        let (h, l, out) = (ins[0], ins[1], &mut *outs[0]);
        let sar = self.clone();
        with_fma!({
            let mut sar = sar;
            for span in spans(h.len()) {
                control.check()?;
                for i in span.start.max(start)..span.end.max(start) {
                    out[i] = sar.advance(h[i], l[i]);
                }
            }
            Ok(())
        })
    }
}

impl Sar {
    /// One bar once the direction is set: the stop it gives, and the next one.
    #[inline(always)]
    fn advance(&mut self, h: f64, l: f64) -> f64 {
        let (prev_low, prev_high) = (self.new_low, self.new_high);
        self.new_low = l;
        self.new_high = h;
        let (acc, max) = (self.acc, self.max);
        let out;
        if self.long {
            if self.new_low <= self.sar {
                self.long = false;
                self.sar = self.ep;
                if self.sar < prev_high {
                    self.sar = prev_high;
                }
                if self.sar < self.new_high {
                    self.sar = self.new_high;
                }
                out = self.sar;
                self.af = acc;
                self.ep = self.new_low;
                self.sar = (self.ep - self.sar).mul_add(self.af, self.sar);
                if self.sar < prev_high {
                    self.sar = prev_high;
                }
                if self.sar < self.new_high {
                    self.sar = self.new_high;
                }
            } else {
                out = self.sar;
                if self.new_high > self.ep {
                    self.ep = self.new_high;
                    self.af += acc;
                    if self.af > max {
                        self.af = max;
                    }
                }
                self.sar = (self.ep - self.sar).mul_add(self.af, self.sar);
                if self.sar > prev_low {
                    self.sar = prev_low;
                }
                if self.sar > self.new_low {
                    self.sar = self.new_low;
                }
            }
        } else if self.new_high >= self.sar {
            self.long = true;
            self.sar = self.ep;
            if self.sar > prev_low {
                self.sar = prev_low;
            }
            if self.sar > self.new_low {
                self.sar = self.new_low;
            }
            out = self.sar;
            self.af = acc;
            self.ep = self.new_high;
            self.sar = (self.ep - self.sar).mul_add(self.af, self.sar);
            if self.sar > prev_low {
                self.sar = prev_low;
            }
            if self.sar > self.new_low {
                self.sar = self.new_low;
            }
        } else {
            out = self.sar;
            if self.new_low < self.ep {
                self.ep = self.new_low;
                self.af += acc;
                if self.af > max {
                    self.af = max;
                }
            }
            self.sar = (self.ep - self.sar).mul_add(self.af, self.sar);
            if self.sar < prev_high {
                self.sar = prev_high;
            }
            if self.sar < self.new_high {
                self.sar = self.new_high;
            }
        }
        out
    }
}
