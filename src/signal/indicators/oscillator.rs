//! CCI, MFI, ULTOSC and SAR, in TA-Lib's order of operations.

use super::average::{around_chain, clear_of_zero, warm_up, with_fma, with_wide};
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

/// MFI(high, low, close, volume, timeperiod), as TA-Lib 0.8 runs it (decoded from TA_MFI):
/// running sums of the positive and negative money flows over a ring of `p` bars; a typical
/// price within 1e-14 of the previous one (relative to both) is no change and gives no flow, and
/// after `p` bars in a row without flow (no change, or a money flow of zero) both sums restart at
/// exactly zero, shedding what rounding (or a NaN) left in them.
#[derive(Clone, Debug)]
pub struct Mfi {
    p: usize,
    n: usize,
    prev: f64,
    pos: Ring,
    neg: Ring,
    pos_sum: f64,
    neg_sum: f64,
    /// Bars in a row without money flow, up to `p`.
    idle: usize,
}
state!(Mfi { n, prev, pos, neg, pos_sum, neg_sum, idle });

impl Mfi {
    pub fn new(p: usize) -> Self {
        Self { p, n: 0, prev: 0.0, pos: Ring::new(p), neg: Ring::new(p), pos_sum: 0.0, neg_sum: 0.0, idle: 0 }
    }
}

impl Machine for Mfi {
    const IN: usize = 4;
    const OUT: usize = 1;
    #[inline]
    fn step(&mut self, x: &[f64], out: &mut [f64]) {
        let tp = typical(x[0], x[1], x[2]);
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
        let f = flows(tp, self.prev, x[3]);
        self.prev = tp;
        self.pos.push(f.0);
        self.neg.push(f.1);
        add_flows(&mut self.pos_sum, &mut self.neg_sum, &mut self.idle, f, self.p);
        if self.n < self.p {
            self.n += 1;
            return;
        }
        self.n = self.p + 1;
        out[0] = mfi(self.pos_sum, self.neg_sum);
    }

    /// The look-back by `step`, then [`around_chain`]: a bar's flows (from its typical price and
    /// the previous bar's) and the MFI of the sums for a group of bars at once, vectorised, the
    /// sums bar by bar between. TA-Lib branches on the direction of each change, which the CPU
    /// cannot predict; in a loop of one bar at a time the compiler makes branches of our selects
    /// too, in the vectorised pass they stay selects. The bar `i`'s flows go to slot
    /// `(i - 1) % p` of plain arrays, where the rings hold them, and leave it `p` bars later.
    fn batch(&mut self, ins: &[&[f64]], outs: &mut [&mut [f64]], control: &Control) -> Result<()> {
        let p = self.p;
        let start = warm_up(self, ins, outs, p + 1, control)?;
        let (mut pos, mut neg) = (try_vec(p, 0.0, "the MFI window")?, try_vec(p, 0.0, "the MFI window")?);
        pos[..self.pos.len()].copy_from_slice(self.pos.slots());
        neg[..self.neg.len()].copy_from_slice(self.neg.slots());
        let (pos_sum, neg_sum, idle) = (self.pos_sum, self.neg_sum, self.idle);
        let (h, l, c, v, out) = (ins[0], ins[1], ins[2], ins[3], &mut *outs[0]);
        with_wide!({
            let (mut pos, mut neg, mut pos_sum, mut neg_sum, mut idle) = (pos, neg, pos_sum, neg_sum, idle);
            let mut slot = 0;
            for span in spans(h.len()) {
                control.check()?;
                let s = span.start.max(start)..span.end.max(start);
                if s.is_empty() {
                    continue;
                }
                let before = s.start - 1..s.end - 1;
                let ins = [
                    &h[s.clone()],
                    &l[s.clone()],
                    &c[s.clone()],
                    &v[s.clone()],
                    &h[before.clone()],
                    &l[before.clone()],
                    &c[before],
                ];
                let term = |[h, l, c, v, hp, lp, cp]: [f64; 7]| {
                    let (up, down, none) = flows(typical(h, l, c), typical(hp, lp, cp), v);
                    [up, down, f64::from(u8::from(none))]
                };
                let chain = |[up, down, none]: [f64; 3]| {
                    pos_sum -= pos[slot];
                    neg_sum -= neg[slot];
                    (pos[slot], neg[slot]) = (up, down);
                    add_flows(&mut pos_sum, &mut neg_sum, &mut idle, (up, down, none != 0.0), p);
                    slot += 1;
                    if slot == p {
                        slot = 0;
                    }
                    [pos_sum, neg_sum]
                };
                around_chain(ins, &mut out[s], term, chain, |[a, b], _| mfi(a, b));
            }
            Ok(())
        })
    }
}

/// A bar's typical price.
#[inline(always)]
fn typical(h: f64, l: f64, c: f64) -> f64 {
    (h + l + c) / 3.0
}

/// A bar's positive and negative money flow (`volume * tp`), and whether it has none, given the
/// previous typical price. As in TA-Lib: a change within 1e-14 of the two prices' magnitudes is
/// none (both flows +0), a NaN change counts as a rise.
#[inline(always)]
fn flows(tp: f64, prev: f64, volume: f64) -> (f64, f64, bool) {
    let d = tp - prev;
    let flat = 1e-14 * (tp.abs() + prev.abs()) >= d.abs();
    let flow = volume * tp;
    let up = if flat || d < 0.0 { 0.0 } else { flow };
    let down = if !flat && d < 0.0 { flow } else { 0.0 };
    (up, down, flat || flow == 0.0)
}

/// A bar's flows into the sums; `idle` counts the bars in a row without flow, and at `p` of them
/// TA-Lib sets both sums to zero.
#[inline(always)]
fn add_flows(pos_sum: &mut f64, neg_sum: &mut f64, idle: &mut usize, (up, down, none): (f64, f64, bool), p: usize) {
    *pos_sum += up;
    *neg_sum += down;
    *idle = if none { *idle + 1 } else { 0 };
    if *idle >= p {
        restart(pos_sum, neg_sum, idle, p);
    }
}

/// What `add_flows` does after `p` bars without flow: out of line, so that the compiler keeps a
/// branch (taken about never) rather than a select on the sums' chain of dependencies.
#[cold]
#[inline(never)]
fn restart(pos_sum: &mut f64, neg_sum: &mut f64, idle: &mut usize, p: usize) {
    (*pos_sum, *neg_sum, *idle) = (0.0, 0.0, p);
}

/// MFI of the windows' sums, as TA-Lib guards it: 0 where the total is not positive, the
/// positive sum held to `[0, total]` (rounding leaves it a little outside).
#[inline]
fn mfi(pos: f64, neg: f64) -> f64 {
    let total = pos + neg;
    let pos = if pos < 0.0 {
        0.0
    } else if total < pos {
        total
    } else {
        pos
    };
    if total <= 0.0 {
        0.0
    } else {
        100.0 * (pos / total)
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
        o += if clear_of_zero(b) { v } else { -0.0 };
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
        out[0] = if self.long { self.advance::<true>(h, l).0 } else { self.advance::<false>(h, l).0 };
    }

    /// The first two bars by `step`, then runs of bars in one direction on a local copy (kept
    /// in registers). TA-Lib's loop, too, keeps the direction in where it runs: one loop per
    /// direction, each jumping into the other at a reversal.
    fn batch(&mut self, ins: &[&[f64]], outs: &mut [&mut [f64]], control: &Control) -> Result<()> {
        let start = warm_up(self, ins, outs, 2, control)?;
        let (h, l, out) = (ins[0], ins[1], &mut *outs[0]);
        let sar = self.clone();
        with_fma!({
            let mut sar = sar;
            for span in spans(h.len()) {
                control.check()?;
                let mut i = span.start.max(start);
                while i < span.end {
                    let s = i..span.end;
                    let (h, l, out) = (&h[s.clone()], &l[s.clone()], &mut out[s]);
                    i += if sar.long { sar.trend::<true>(h, l, out) } else { sar.trend::<false>(h, l, out) };
                }
            }
            Ok(())
        })
    }
}

impl Sar {
    /// Bars in the direction `LONG` until the first reversal (included) or the end: how many.
    #[inline(always)]
    fn trend<const LONG: bool>(&mut self, h: &[f64], l: &[f64], out: &mut [f64]) -> usize {
        for (i, ((o, &h), &l)) in out.iter_mut().zip(h).zip(l).enumerate() {
            let (v, reversed) = self.advance::<LONG>(h, l);
            *o = v;
            if reversed {
                return i + 1;
            }
        }
        out.len()
    }

    /// One bar once the direction (`LONG`, which `self.long` holds) is set: the stop it gives,
    /// and whether the direction turned. Long and short are mirror images: the trend side (the
    /// high when long) gives the extreme point, the stop side (the low) the reversal and the
    /// clamp.
    #[inline(always)]
    fn advance<const LONG: bool>(&mut self, h: f64, l: f64) -> (f64, bool) {
        let (prev_high, prev_low) = (self.new_high, self.new_low);
        self.new_high = h;
        self.new_low = l;
        let (trend, stop, prev_trend, prev_stop) =
            if LONG { (h, l, prev_high, prev_low) } else { (l, h, prev_low, prev_high) };
        if reached(LONG, stop, self.sar) {
            // The new direction's stop side is the old trend side.
            let bound = tighter(!LONG, prev_trend, trend);
            let out = clamp(!LONG, self.ep, bound);
            self.long = !LONG;
            self.af = self.acc;
            self.ep = stop;
            self.sar = clamp(!LONG, (self.ep - out).mul_add(self.af, out), bound);
            return (out, true);
        }
        let out = self.sar;
        // TA-Lib branches on a new extreme point (a third of the bars, unpredictably): the CPU
        // mispredicts that branch often, a select costs nothing, and the bits are the same.
        let new = beyond(LONG, trend, self.ep);
        let mut af = self.af + self.acc;
        if af > self.max {
            af = self.max;
        }
        self.ep = if new { trend } else { self.ep };
        self.af = if new { af } else { self.af };
        // The stop's two clamps (to the previous bar's stop side, then to this one's) are one
        // clamp to the tighter of the two, found off the chain of dependencies through the stop.
        let bound = tighter(LONG, prev_stop, stop);
        self.sar = clamp(LONG, (self.ep - self.sar).mul_add(self.af, self.sar), bound);
        (out, false)
    }
}

/// Whether `x` lies beyond `y` in the direction (above it when long): false where either is NaN.
#[inline(always)]
fn beyond(long: bool, x: f64, y: f64) -> bool {
    if long {
        x > y
    } else {
        x < y
    }
}

/// Whether the stop side `x` reached the stop `sar` (at or below it when long): the reversal.
#[inline(always)]
fn reached(long: bool, x: f64, sar: f64) -> bool {
    if long {
        x <= sar
    } else {
        x >= sar
    }
}

/// `x` held back to `bound`: TA-Lib's `if (x > bound) x = bound` when long (`<` when short).
#[inline(always)]
fn clamp(long: bool, x: f64, bound: f64) -> f64 {
    if beyond(long, x, bound) {
        bound
    } else {
        x
    }
}

/// The bound that clamping to `a` then to `b` holds back to, bit for bit: the tighter of the two
/// (the lower when long), `a` on a tie, NaN skipped (a NaN bound never clamps), `b` if both are.
#[inline(always)]
fn tighter(long: bool, a: f64, b: f64) -> f64 {
    if beyond(long, a, b) || a.is_nan() {
        b
    } else {
        a
    }
}

#[cfg(test)]
mod tests {
    use super::super::{build, run_checked, Stream};
    use crate::control::Control;

    /// 70,000 bars (past one Ctrl-C span) with what MFI and SAR guard against: runs of flat bars
    /// and of zero volume longer than a period (MFI restarts its sums), typical prices a few ulps
    /// apart, signed zeros, a negative volume, NaN prices and volumes (the last one followed by a
    /// flat run: a NaN in MFI's sums until the restart sheds it), and an infinity.
    fn bars() -> [Vec<f64>; 4] {
        let mut s = 11u64;
        let mut u = || {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((s >> 11) as f64) / ((1u64 << 53) as f64)
        };
        let (mut h, mut l, mut c, mut v) = (vec![], vec![], vec![], vec![]);
        let mut close = 50.0;
        for i in 0..70_000 {
            let open = close;
            if i % 97 >= 60 {
                close = open;
            } else if i % 97 >= 45 {
                close = open + (u() * 600.0 - 300.0).round() * 1e-14 * open;
            } else {
                close *= 1.0 + 0.02 * (u() - 0.5);
            }
            let flat = i % 97 >= 60;
            h.push(if flat { open } else { open.max(close) * (1.0 + 0.01 * u()) });
            l.push(if flat { open } else { open.min(close) * (1.0 - 0.01 * u()) });
            c.push(close);
            v.push(if i % 301 < 70 { 0.0 } else { (1000.0 * u()).floor() });
        }
        for j in 0..30 {
            let z = if j % 3 == 0 { -0.0 } else { 0.0 };
            (h[20_000 + j], l[20_000 + j], c[20_000 + j]) = (z, -z, z);
        }
        v[25_000] = -500.0;
        // Late: SAR is NaN from an infinite extreme point on (as TA-Lib's).
        h[68_000] = f64::INFINITY;
        (h[40_000], l[45_000], v[50_000]) = (f64::NAN, f64::NAN, f64::NAN);
        for x in [&mut h, &mut l, &mut c] {
            let last = x[59_999];
            x[60_000..60_200].fill(last);
        }
        v[59_990] = f64::NAN;
        [h, l, c, v]
    }

    fn same(a: f64, b: f64) -> bool {
        a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
    }

    /// The batch loops (their vectorised parts and their runs of one direction) against `step`.
    #[test]
    fn mfi_and_sar_batch_equals_step_by_step() {
        let b = bars();
        let cases: [(&str, usize, &[f64]); 8] = [
            ("MFI", 4, &[2.0]),
            ("MFI", 4, &[3.0]),
            ("MFI", 4, &[14.0]),
            ("MFI", 4, &[50.0]),
            ("SAR", 2, &[0.02, 0.2]),
            ("SAR", 2, &[0.1, 0.05]),
            ("SAR", 2, &[0.0, 0.0]),
            ("SAR", 2, &[0.5, 1.0]),
        ];
        for (name, k, params) in cases {
            for n in [0, 1, 2, 3, 15, 16, 17, 100, b[0].len()] {
                let ins: Vec<&[f64]> = b[..k].iter().map(|x| &x[..n]).collect();
                let out = run_checked(&mut *build(name, params).unwrap(), &ins, &Control::new()).unwrap();
                let mut stream = Stream::new(name, params).unwrap();
                let mut y = [0.0];
                for t in 0..n {
                    let x: Vec<f64> = ins.iter().map(|s| s[t]).collect();
                    stream.update(&x, &mut y);
                    assert!(same(y[0], out[0][t]), "{name}{params:?} n={n} bar {t}: {} vs {}", y[0], out[0][t]);
                }
            }
        }
    }
}
