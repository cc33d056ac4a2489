//! Regression over a window: LINEARREG, LINEARREG_SLOPE, LINEARREG_ANGLE, LINEARREG_INTERCEPT,
//! TSF, and BETA and CORREL of two series.

use super::state::{state, Ring};
use super::Machine;
use super::{lanes, prefetch};
use crate::control::Control;
use crate::error::Result;

/// What a least-squares line over the window gives.
#[derive(Clone, Copy, Debug)]
pub enum Line {
    Value,
    Slope,
    Angle,
    Intercept,
    Forecast,
}

impl Line {
    /// The output from the slope `m` and intercept `b` over `pf` bars (TA-Lib calls `fma` for
    /// the value and the forecast).
    #[inline(always)]
    fn at(self, m: f64, b: f64, pf: f64) -> f64 {
        match self {
            Line::Value => m.mul_add(pf - 1.0, b),
            Line::Slope => m,
            Line::Angle => m.atan() * (180.0 / std::f64::consts::PI),
            Line::Intercept => b,
            Line::Forecast => m.mul_add(pf, b),
        }
    }
}

/// TA-Lib 0.8's running sums of a regression window (values `y` at ages `p - 1` for the oldest
/// down to 0): `Σy`, `Σ age·y`, and `Σ|y|`, which judges when the sums have lost digits.
#[derive(Clone, Copy, Debug, Default)]
pub struct Fit {
    sy: f64,
    sxy: f64,
    sa: f64,
}
state!(Fit { sy, sxy, sa });

/// The window's constants: `p`, `Σx`, and the divisor `(Σx)² - p·Σx²`, as TA-Lib rounds them.
#[derive(Clone, Copy, Debug)]
struct Axis {
    pf: f64,
    sx: f64,
    divisor: f64,
}

impl Axis {
    fn new(p: usize) -> Self {
        let pf = p as f64;
        let pp = pf * (p - 1) as f64;
        let sx = pp * 0.5;
        let sxx = (2 * p - 1) as f64 * pp / 6.0;
        Self { pf, sx, divisor: sx * sx - pf * sxx }
    }

    /// The slope and intercept of the line through the sums.
    #[inline(always)]
    fn line(&self, f: &Fit) -> (f64, f64) {
        let m = (self.pf * f.sxy - self.sx * f.sy) / self.divisor;
        (m, (f.sy - m * self.sx) / self.pf)
    }
}

impl Fit {
    /// The sums over the window `w` (oldest first), taken afresh.
    fn restart(w: impl ExactSizeIterator<Item = f64>) -> Self {
        let mut f = Self::default();
        let mut age = w.len() as f64;
        for v in w {
            age -= 1.0;
            f.sy += v;
            f.sa += v.abs();
            f.sxy += age * v;
        }
        f
    }

    /// Moves the window on by `new`, dropping `old`: `true` where TA-Lib restarts instead (the
    /// value leaving weighs over 100 times the absolute sum that stays; not where it is NaN),
    /// the sums then left for the restart to replace.
    #[inline(always)]
    fn step(&mut self, pf: f64, new: f64, old: f64) -> bool {
        self.sa = (self.sa - old.abs()) + new.abs();
        let restart = (pf * old).abs() > self.sa * 100.0;
        self.sxy = (self.sxy + self.sy) - pf * old;
        self.sy = (self.sy - old) + new;
        restart
    }
}

/// LINEARREG and its slope, angle and intercept, and TSF: the least-squares line of each window
/// of `p` values against their bar numbers, from TA-Lib 0.8's running sums ([`Fit`]), restarted
/// every `32 · p` bars or where they lose digits. The window (and the value before it), the sums,
/// and the bars left before the next planned restart.
#[derive(Clone, Debug)]
pub struct LinearReg {
    p: usize,
    what: Line,
    ring: Ring,
    fit: Fit,
    left: usize,
}
state!(LinearReg { ring, fit, left });

impl LinearReg {
    pub fn new(p: usize, what: Line) -> Self {
        Self { p, what, ring: Ring::new(p + 1), fit: Fit::default(), left: 0 }
    }
}

impl Machine for LinearReg {
    const IN: usize = 1;
    const OUT: usize = 1;
    #[inline]
    fn step(&mut self, x: &[f64], out: &mut [f64]) {
        self.ring.push(x[0]);
        let (p, ring) = (self.p, &self.ring);
        if ring.len() < p {
            out[0] = f64::NAN;
            return;
        }
        let running = self.left > 0 && {
            self.left -= 1;
            !self.fit.step(p as f64, x[0], ring.get(0))
        };
        if !running {
            self.fit = Fit::restart((0..p).map(|i| ring.back(p - 1 - i)));
            self.left = lanes::segment(p) - 1;
        }
        let axis = Axis::new(p);
        let (m, b) = axis.line(&self.fit);
        out[0] = self.what.at(m, b, axis.pf);
    }
    fn batch(&mut self, ins: &[&[f64]], outs: &mut [&mut [f64]], control: &Control) -> Result<()> {
        let (x, out) = (ins[0], &mut *outs[0]);
        let p = self.p;
        let n = x.len();
        out[..(p - 1).min(n)].fill(f64::NAN);
        let axis = Axis::new(p);
        // One instance per kind, so the lanes' loop does not branch on it.
        macro_rules! run {
            ($line:expr) => {
                lanes::restarted(&Windows { x, p, axis, line: $line }, &mut out[..n], control)
            };
        }
        match self.what {
            Line::Value => run!(|m, b, pf| Line::Value.at(m, b, pf)),
            Line::Slope => run!(|m, b, pf| Line::Slope.at(m, b, pf)),
            Line::Angle => run!(|m, b, pf| Line::Angle.at(m, b, pf)),
            Line::Intercept => run!(|m, b, pf| Line::Intercept.at(m, b, pf)),
            Line::Forecast => run!(|m, b, pf| Line::Forecast.at(m, b, pf)),
        }
    }
}

/// LINEARREG's windows over a whole series, for [`lanes::restarted`].
struct Windows<'a, F> {
    x: &'a [f64],
    p: usize,
    axis: Axis,
    line: F,
}

impl<F: Fn(f64, f64, f64) -> f64> Windows<'_, F> {
    #[inline(always)]
    fn value(&self, f: &Fit) -> f64 {
        let (m, b) = self.axis.line(f);
        (self.line)(m, b, self.axis.pf)
    }
}

impl<F: Fn(f64, f64, f64) -> f64> lanes::Restarted for Windows<'_, F> {
    type Sums = Fit;
    fn period(&self) -> usize {
        self.p
    }
    /// TA-Lib computes the first window afresh: a restart.
    fn first(&self) -> Option<Fit> {
        None
    }
    fn prefetch(&self, bars: std::ops::Range<usize>) {
        prefetch::read_l2(self.x, bars.start.saturating_sub(self.p)..bars.end);
    }
    fn restart(&self, t: usize) -> (f64, Fit) {
        let f = Fit::restart(self.x[t + 1 - self.p..=t].iter().copied());
        (self.value(&f), f)
    }
    /// Four lanes' chains at a time, interleaved in scalar code ([`lanes::by_fours`]).
    #[inline(always)]
    fn steps<const K: usize>(&self, sums: &mut [Fit; K], at: [usize; K], n: usize, out: &mut [f64]) -> [usize; K] {
        lanes::by_fours(self, sums, at, n, out)
    }
}

impl<F: Fn(f64, f64, f64) -> f64> lanes::Chains for Windows<'_, F> {
    /// [`lanes::Restarted::steps`] for `L` lanes side by side, in blocks of bars: each lane's
    /// sums are kept bar by bar, so that the lines (two divisions a bar) vectorise along them.
    #[inline(always)]
    fn chains<const L: usize>(&self, sums: &mut [Fit; L], at: [usize; L], n: usize, out: &mut [f64]) -> [usize; L] {
        const C: usize = 64;
        let (x, p, pf) = (self.x, self.p, self.axis.pf);
        let mut first = [n; L];
        let (mut ys, mut xys) = ([[0.0; C]; L], [[0.0; C]; L]);
        let mut hit = [[false; C]; L];
        let mut f = *sums;
        let mut j0 = 0;
        while j0 < n {
            let c = C.min(n - j0);
            let new: [&[f64]; L] = std::array::from_fn(|k| &x[at[k] + j0..at[k] + j0 + c]);
            let old: [&[f64]; L] = std::array::from_fn(|k| &x[at[k] + j0 - p..at[k] + j0 - p + c]);
            // The restarts asked for are looked for after the block, so the block's loop is
            // only arithmetic.
            let mut any = false;
            for j in 0..c {
                for k in 0..L {
                    let restart = f[k].step(pf, new[k][j], old[k][j]);
                    (ys[k][j], xys[k][j], hit[k][j]) = (f[k].sy, f[k].sxy, restart);
                    any |= restart;
                }
            }
            if any {
                for k in 0..L {
                    if let Some(j) = hit[k][..c].iter().position(|&h| h) {
                        first[k] = first[k].min(j0 + j);
                    }
                }
            }
            for k in 0..L {
                let t = at[k] + j0;
                for ((o, &sy), &sxy) in out[t..t + c].iter_mut().zip(&ys[k][..c]).zip(&xys[k][..c]) {
                    *o = self.value(&Fit { sy, sxy, sa: 0.0 });
                }
            }
            j0 += c;
            if L == 1 && first[0] < n {
                break;
            }
        }
        *sums = f;
        first
    }
}

/// A price's return on the one before it, `(v - last) / last`, or 0 where the price before is 0
/// (TA_BETA tests it exactly, not with TA-Lib's epsilon): divided in any case, then chosen, so
/// that a loop of them vectorises with plain loads (not loads masked by the test, which stall).
#[inline(always)]
fn ret(v: f64, last: f64) -> f64 {
    let r = (v - last) / last;
    if last == 0.0 {
        0.0
    } else {
        r
    }
}

/// BETA's steps over [`Co`]'s sums, as TA-Lib 0.8's TA_BETA (built without FMA) runs them over
/// the window's returns `x` (real0's) and `y` (real1's).
/// Restarted about the window's mean returns every `32 · p` bars, or sooner where `p·Σx² − (Σx)²`
/// is under a millionth of `p·Σx²`, or where the square of the last deviation removed, of
/// either series, exceeds 1000 times the sum of squares that stays.
impl Co {
    /// The slope `(p·Σxy − Σx·Σy) / (p·Σx² − (Σx)²)` as a numerator and divisor, `(0, 1)` where
    /// the divisor is not over `1e-14·p·Σx²` (NaN sums included): TA-Lib then gives 0.
    #[inline(always)]
    fn slope(&self, pf: f64) -> [f64; 2] {
        let nxx = pf * self.sxx;
        let vx = nxx - self.sx * self.sx;
        if vx > 1e-14 * nxx {
            [self.sxy * pf - self.sx * self.sy, vx]
        } else {
            [0.0, 1.0]
        }
    }

    /// The slope over the window `w` (oldest first) and the sums after it without its oldest
    /// pair, taken afresh about the window's mean returns (TA-Lib leaves the returns after a
    /// zero price out of the mean: the same as adding their 0, as the sum starts at +0).
    fn beta_restart(pf: f64, w: impl Iterator<Item = (f64, f64)> + Clone) -> ([f64; 2], Self) {
        let (mut mx, mut my) = (0.0, 0.0);
        for (x, y) in w.clone() {
            mx += x;
            my += y;
        }
        let (rx, ry) = (mx / pf, my / pf);
        let (ox, oy) = w.clone().next().unwrap_or((0.0, 0.0));
        let mut s = Self { rx, ry, ..Self::default() };
        for (x, y) in w {
            s.add(x - rx, y - ry);
        }
        let q = s.slope(pf);
        s.remove(ox - rx, oy - ry);
        (q, s)
    }

    /// Adds the pair `(x, y)`, gives the window's slope, drops `(ox, oy)` (the window's
    /// oldest); `true` where TA-Lib restarts at this bar instead.
    #[inline(always)]
    fn beta_step(&mut self, pf: f64, x: f64, y: f64, ox: f64, oy: f64) -> ([f64; 2], bool) {
        self.add(x - self.rx, y - self.ry);
        let nxx = pf * self.sxx;
        let restart =
            (1e-6 * nxx > nxx - self.sx * self.sx) | (self.qx > 1000.0 * self.sxx) | (self.qy > 1000.0 * self.syy);
        let q = self.slope(pf);
        self.remove(ox - self.rx, oy - self.ry);
        (q, restart)
    }
}

/// BETA(real0, real1, timeperiod): the regression slope of real1's returns on real0's over the
/// last `p` returns, from TA-Lib's running sums ([`Co`]); the last prices, the window's
/// returns, the sums, and the bars left before the next planned restart.
#[derive(Clone, Debug)]
pub struct Beta {
    p: usize,
    started: bool,
    last_x: f64,
    last_y: f64,
    xs: Ring,
    ys: Ring,
    sums: Co,
    left: usize,
}
state!(Beta { started, last_x, last_y, xs, ys, sums, left });

impl Beta {
    pub fn new(p: usize) -> Self {
        Self {
            p,
            started: false,
            last_x: 0.0,
            last_y: 0.0,
            xs: Ring::new(p),
            ys: Ring::new(p),
            sums: Co::default(),
            left: 0,
        }
    }
}

impl Machine for Beta {
    const IN: usize = 2;
    const OUT: usize = 1;
    #[inline]
    fn step(&mut self, v: &[f64], out: &mut [f64]) {
        out[0] = f64::NAN;
        let started = std::mem::replace(&mut self.started, true);
        let (lx, ly) = (std::mem::replace(&mut self.last_x, v[0]), std::mem::replace(&mut self.last_y, v[1]));
        if !started {
            return;
        }
        self.xs.push(ret(v[0], lx));
        self.ys.push(ret(v[1], ly));
        if !self.xs.is_full() {
            return;
        }
        let (p, xs, ys) = (self.p, &self.xs, &self.ys);
        let pf = p as f64;
        let window = || (0..p).map(|i| (xs.get(i), ys.get(i)));
        let oldest = (xs.get(0), ys.get(0));
        if self.left == 0 {
            self.sums = Co::first(oldest, window().take(p - 1));
            self.left = lanes::segment(p);
        }
        let (mut q, early) = self.sums.beta_step(pf, xs.back(0), ys.back(0), oldest.0, oldest.1);
        if early || {
            self.left -= 1;
            self.left == 0
        } {
            (q, self.sums) = Co::beta_restart(pf, window());
            self.left = lanes::segment(p);
        }
        out[0] = q[0] / q[1];
    }
    /// The sums in lanes over the returns (bar `t`'s window: prices `t - p..=t`).
    fn batch(&mut self, ins: &[&[f64]], outs: &mut [&mut [f64]], control: &Control) -> Result<()> {
        let (a, b, out) = (ins[0], ins[1], &mut *outs[0]);
        let p = self.p;
        let n = a.len().min(b.len());
        out[..p.min(n)].fill(f64::NAN);
        if n <= p {
            return Ok(());
        }
        lanes::restarted(&PricePairs { a: &a[..n], b: &b[..n], p, pf: p as f64 }, &mut out[1..n], control)
    }
}

/// `to[j][k]`: the return from `w[j]` to `w[j + 1]`.
#[inline(always)]
fn returns<const K: usize>(to: &mut [[f64; K]], k: usize, w: &[f64]) {
    for ((d, &v), &last) in to.iter_mut().zip(&w[1..]).zip(w) {
        d[k] = ret(v, last);
    }
}

/// BETA over whole series, for [`lanes::restarted`]: its bar `t` is the return from price `t`
/// to `t + 1`. The returns are taken where needed, not kept: an array of them costs more in
/// memory traffic and page faults than the divisions again.
struct PricePairs<'a> {
    a: &'a [f64],
    b: &'a [f64],
    p: usize,
    pf: f64,
}

impl PricePairs<'_> {
    /// The returns of both series at bars `w`.
    fn returns(&self, w: std::ops::Range<usize>) -> impl Iterator<Item = (f64, f64)> + Clone + '_ {
        w.map(|t| (ret(self.a[t + 1], self.a[t]), ret(self.b[t + 1], self.b[t])))
    }
}

impl lanes::Restarted for PricePairs<'_> {
    type Sums = Co;
    fn period(&self) -> usize {
        self.p
    }
    fn first(&self) -> Option<Co> {
        let shift = self.returns(0..1).next().unwrap_or((0.0, 0.0));
        Some(Co::first(shift, self.returns(0..self.p - 1)))
    }
    fn prefetch(&self, bars: std::ops::Range<usize>) {
        let window = bars.start.saturating_sub(self.p + 1)..bars.end;
        prefetch::read_l2(self.a, window.clone());
        prefetch::read_l2(self.b, window);
    }
    fn restart(&self, t: usize) -> (f64, Co) {
        let (q, s) = Co::beta_restart(self.pf, self.returns(t + 1 - self.p..t + 1));
        (q[0] / q[1], s)
    }
    /// The lanes' returns and slopes go through blocks laid out bar by bar, lane by lane, so
    /// that the sums of all lanes are vectors, and so are the block's divisions. Not
    /// [`lanes::by_fours`]: a bar here is some 35 operations on nine sums, which vectors over all
    /// the lanes outrun even with the scattered stores into the blocks (measured on Zen 5: 1.9x
    /// TA-Lib at period 5, where four chains interleaved in scalar code were 1.0x).
    #[inline(always)]
    fn steps<const K: usize>(&self, sums: &mut [Co; K], at: [usize; K], n: usize, out: &mut [f64]) -> [usize; K] {
        const C: usize = 32;
        let (a, b, back, pf) = (self.a, self.b, self.p - 1, self.pf);
        let mut first = [n; K];
        let mut nx = [[0.0; K]; C];
        let (mut ny, mut ox, mut oy, mut num, mut den) = (nx, nx, nx, nx, nx);
        let mut hit = [[false; K]; C];
        // The sums field by field, each a vector over the lanes.
        let mut f: [[f64; K]; 9] = std::array::from_fn(|i| std::array::from_fn(|k| sums[k].fields()[i]));
        let mut j0 = 0;
        while j0 < n {
            let c = C.min(n - j0);
            for (k, &at) in at.iter().enumerate() {
                let (t, o) = (at + j0, at + j0 - back);
                let from = [(a, t), (b, t), (a, o), (b, o)];
                for (to, (s, i)) in [&mut nx, &mut ny, &mut ox, &mut oy].into_iter().zip(from) {
                    // Whole vectors of returns where the prices go on (those past `c` unused),
                    // so that the loop's scalar tail does not run.
                    match s.get(i..i + c.next_multiple_of(8) + 1) {
                        Some(w) => returns(to, k, w),
                        None => returns(to, k, &s[i..i + c + 1]),
                    }
                }
            }
            // The restarts asked for are looked for after the block, so the block's loop is
            // only arithmetic.
            let mut any = false;
            for j in 0..c {
                for k in 0..K {
                    let mut s = Co::from_fields(std::array::from_fn(|i| f[i][k]));
                    let ([u, v], early) = s.beta_step(pf, nx[j][k], ny[j][k], ox[j][k], oy[j][k]);
                    for (fi, v) in f.iter_mut().zip(s.fields()) {
                        fi[k] = v;
                    }
                    (num[j][k], den[j][k], hit[j][k]) = (u, v, early);
                    any |= early;
                }
            }
            for (u, v) in num.as_flattened_mut().iter_mut().zip(den.as_flattened()) {
                *u /= v;
            }
            lanes::finish_block(&num[..c], &hit[..c], any, at, j0, &mut first, out);
            j0 += c;
            if K == 1 && first[0] < n {
                break;
            }
        }
        *sums = std::array::from_fn(|k| Co::from_fields(std::array::from_fn(|i| f[i][k])));
        first
    }
}

/// CORREL's sums about a shift, as TA-Lib 0.8's TA_CORREL (built without FMA) runs them: the
/// deviations of both series from their shifts, their squares and products; recentred (a
/// restart) every `32 · p` bars, or sooner where either variance is under a millionth of its
/// sum of squares or the last pair to leave held over a million times what stays. BETA keeps
/// the same sums over returns, with its own tests ([`Co::beta_step`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct Co {
    rx: f64,
    ry: f64,
    sx: f64,
    sy: f64,
    sxx: f64,
    syy: f64,
    sxy: f64,
    /// The squares of the last deviations removed, checked at the next bar.
    qx: f64,
    qy: f64,
}
state!(Co { rx, ry, sx, sy, sxx, syy, sxy, qx, qy });

/// The correlation from the window's variances and covariance (times `p`), or 0 where a
/// variance is too small to trust; clipped to [-1, 1] (NaN passes).
#[inline(always)]
fn pearson(vx: f64, vy: f64, cov: f64, sxx: f64, syy: f64) -> f64 {
    let v = vx * vy;
    if vx > 1e-14 * sxx && vy > 1e-14 * syy && v > 0.0 {
        (cov / v.sqrt()).clamp(-1.0, 1.0)
    } else {
        0.0
    }
}

impl Co {
    #[inline(always)]
    fn fields(&self) -> [f64; 9] {
        [self.rx, self.ry, self.sx, self.sy, self.sxx, self.syy, self.sxy, self.qx, self.qy]
    }
    #[inline(always)]
    fn field(&self, i: usize) -> f64 {
        self.fields()[i]
    }
    #[inline(always)]
    fn from_fields([rx, ry, sx, sy, sxx, syy, sxy, qx, qy]: [f64; 9]) -> Self {
        Self { rx, ry, sx, sy, sxx, syy, sxy, qx, qy }
    }

    /// The sums over `w`, the first window but its last pair, about `(rx, ry)`, its first.
    fn first((rx, ry): (f64, f64), w: impl Iterator<Item = (f64, f64)>) -> Self {
        let mut c = Self { rx, ry, ..Self::default() };
        for (a, b) in w {
            c.add(a - rx, b - ry);
        }
        c
    }

    #[inline(always)]
    fn add(&mut self, dx: f64, dy: f64) {
        self.sx += dx;
        self.sxx += dx * dx;
        self.sy += dy;
        self.syy += dy * dy;
        self.sxy += dx * dy;
    }

    /// Takes the oldest pair (`ex`, `ey` from the shifts) out of the sums.
    #[inline(always)]
    fn remove(&mut self, ex: f64, ey: f64) {
        let (qx, qy) = (ex * ex, ey * ey);
        self.sx -= ex;
        self.sy -= ey;
        self.sxx -= qx;
        self.syy -= qy;
        self.sxy -= ex * ey;
        (self.qx, self.qy) = (qx, qy);
    }

    /// The correlation of the window `w` (oldest first) and the sums after it without its
    /// oldest pair, taken afresh about the window's means; negative variances count as 0.
    fn restart(inv: f64, w: impl Iterator<Item = (f64, f64)> + Clone) -> (f64, Self) {
        let (mut mx, mut my) = (0.0, 0.0);
        for (a, b) in w.clone() {
            mx += a;
            my += b;
        }
        let (rx, ry) = (mx * inv, my * inv);
        let (ox, oy) = w.clone().next().unwrap_or((0.0, 0.0));
        let mut c = Self { rx, ry, ..Self::default() };
        for (a, b) in w {
            c.add(a - rx, b - ry);
        }
        let vx = c.sxx - c.sx * c.sx * inv;
        let vy = c.syy - c.sy * c.sy * inv;
        let cov = c.sxy - c.sx * c.sy * inv;
        let zero = |v: f64| if v < 0.0 { 0.0 } else { v };
        let r = pearson(zero(vx), zero(vy), cov, c.sxx, c.syy);
        c.remove(ox - rx, oy - ry);
        (r, c)
    }

    /// Adds the pair `(x, y)`, gives the window's correlation, drops `(ox, oy)` (the window's
    /// oldest); `true` where TA-Lib restarts at this bar instead.
    #[inline(always)]
    fn step(&mut self, inv: f64, x: f64, y: f64, ox: f64, oy: f64) -> (f64, bool) {
        let (dx, dy) = (x - self.rx, y - self.ry);
        self.add(dx, dy);
        let vx = self.sxx - self.sx * self.sx * inv;
        let vy = self.syy - self.sy * self.sy * inv;
        let restart =
            (1e-6 * self.sxx > vx) | (1e-6 * self.syy > vy) | (self.qx > 1e6 * self.sxx) | (self.qy > 1e6 * self.syy);
        let cov = self.sxy - self.sx * self.sy * inv;
        let r = pearson(vx, vy, cov, self.sxx, self.syy);
        self.remove(ox - self.rx, oy - self.ry);
        (r, restart)
    }
}

/// CORREL(real0, real1, timeperiod): Pearson's correlation over the window, from TA-Lib's
/// running sums ([`Co`]); the window, the sums, and the bars left before the next planned restart.
#[derive(Clone, Debug)]
pub struct Correl {
    p: usize,
    xs: Ring,
    ys: Ring,
    co: Co,
    left: usize,
}
state!(Correl { xs, ys, co, left });

impl Correl {
    pub fn new(p: usize) -> Self {
        Self { p, xs: Ring::new(p), ys: Ring::new(p), co: Co::default(), left: 0 }
    }
}

impl Machine for Correl {
    const IN: usize = 2;
    const OUT: usize = 1;
    #[inline]
    fn step(&mut self, v: &[f64], out: &mut [f64]) {
        self.xs.push(v[0]);
        self.ys.push(v[1]);
        if !self.xs.is_full() {
            out[0] = f64::NAN;
            return;
        }
        let (p, xs, ys) = (self.p, &self.xs, &self.ys);
        let inv = 1.0 / p as f64;
        let window = || (0..p).map(|i| (xs.get(i), ys.get(i)));
        let oldest = (xs.get(0), ys.get(0));
        if self.left == 0 {
            self.co = Co::first(oldest, window().take(p - 1));
            self.left = lanes::segment(p);
        }
        let (mut r, early) = self.co.step(inv, v[0], v[1], oldest.0, oldest.1);
        if early || {
            self.left -= 1;
            self.left == 0
        } {
            (r, self.co) = Co::restart(inv, window());
            self.left = lanes::segment(p);
        }
        out[0] = r;
    }
    fn batch(&mut self, ins: &[&[f64]], outs: &mut [&mut [f64]], control: &Control) -> Result<()> {
        let (x, y, out) = (ins[0], ins[1], &mut *outs[0]);
        let p = self.p;
        let n = x.len().min(y.len());
        out[..(p - 1).min(n)].fill(f64::NAN);
        lanes::restarted(&Pairs { x, y, p, inv: 1.0 / p as f64 }, &mut out[..n], control)
    }
}

/// CORREL over whole series, for [`lanes::restarted`].
struct Pairs<'a> {
    x: &'a [f64],
    y: &'a [f64],
    p: usize,
    inv: f64,
}

impl lanes::Restarted for Pairs<'_> {
    type Sums = Co;
    fn period(&self) -> usize {
        self.p
    }
    fn first(&self) -> Option<Co> {
        let w = ..self.p - 1;
        Some(Co::first((self.x[0], self.y[0]), self.x[w].iter().copied().zip(self.y[w].iter().copied())))
    }
    fn prefetch(&self, bars: std::ops::Range<usize>) {
        let window = bars.start.saturating_sub(self.p)..bars.end;
        prefetch::read_l2(self.x, window.clone());
        prefetch::read_l2(self.y, window);
    }
    fn restart(&self, t: usize) -> (f64, Co) {
        let w = t + 1 - self.p..=t;
        Co::restart(self.inv, self.x[w.clone()].iter().copied().zip(self.y[w].iter().copied()))
    }
    /// The lanes' pairs and correlations go through blocks laid out bar by bar, lane by lane,
    /// so that the sums of all lanes are vectors.
    #[inline(always)]
    fn steps<const K: usize>(&self, sums: &mut [Co; K], at: [usize; K], n: usize, out: &mut [f64]) -> [usize; K] {
        const C: usize = 32;
        let (x, y, back, inv) = (self.x, self.y, self.p - 1, self.inv);
        let mut first = [n; K];
        let mut nx = [[0.0; K]; C];
        let (mut ny, mut ox, mut oy, mut r) = (nx, nx, nx, nx);
        let mut hit = [[false; K]; C];
        // The sums field by field, each a vector over the lanes.
        let mut f: [[f64; K]; 9] = std::array::from_fn(|i| std::array::from_fn(|k| sums[k].field(i)));
        let mut j0 = 0;
        while j0 < n {
            let c = C.min(n - j0);
            for k in 0..K {
                let t = at[k] + j0;
                let o = t - back;
                for j in 0..c {
                    (nx[j][k], ny[j][k], ox[j][k], oy[j][k]) = (x[t + j], y[t + j], x[o + j], y[o + j]);
                }
            }
            // The restarts asked for are looked for after the block, so the block's loop is
            // only arithmetic.
            let mut any = false;
            for j in 0..c {
                for k in 0..K {
                    let mut co = Co::from_fields(std::array::from_fn(|i| f[i][k]));
                    let (v, early) = co.step(inv, nx[j][k], ny[j][k], ox[j][k], oy[j][k]);
                    for (fi, v) in f.iter_mut().zip(co.fields()) {
                        fi[k] = v;
                    }
                    (r[j][k], hit[j][k]) = (v, early);
                    any |= early;
                }
            }
            lanes::finish_block(&r[..c], &hit[..c], any, at, j0, &mut first, out);
            j0 += c;
            if K == 1 && first[0] < n {
                break;
            }
        }
        *sums = std::array::from_fn(|k| Co::from_fields(std::array::from_fn(|i| f[i][k])));
        first
    }
}
