//! Volatility: TRANGE, ATR, NATR (Wilder's smoothing), BBANDS, STDDEV and VAR (TA-Lib's running
//! sums of deviations, recentred now and then).

use super::average::{around_chain, is_zero, with_wide, Ma, Value};
use super::state::{state, Ring};
use super::{halves, lanes, prefetch};
use super::{spans, Machine};
use crate::control::Control;
use crate::error::Result;
use std::ops::Range;

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
        let run = AtrRun { ins: [h, l, c], p, normalized };
        halves::run(&run, [prev], p + 1..n, &mut [&mut out[p + 1..]], control)
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

/// Wilder's smoothing of the true ranges once seeded (state: the ATR).
struct AtrRun<'a> {
    ins: [&'a [f64]; 3],
    p: usize,
    normalized: bool,
}

impl halves::Forgets<1> for AtrRun<'_> {
    /// Wilder's average keeps `(p - 1) / p` of a difference a bar: under an ulp within about
    /// 36 periods.
    fn burn(&self) -> usize {
        40 * self.p + 64
    }
    fn guess(&self, bar: usize) -> [f64; 1] {
        let [h, l, c] = self.ins;
        [true_range(h[bar], l[bar], c[bar - 1])]
    }
    fn run(
        &self,
        [prev]: [f64; 1],
        bars: Range<usize>,
        outs: Option<&mut [&mut [f64]]>,
        control: &Control,
    ) -> Result<[f64; 1]> {
        let (ins, p, normalized) = (self.ins, self.p, self.normalized);
        with_wide!({ smooth(prev, p, normalized, ins, bars, outs, control).map(|prev| [prev]) })
    }
}

/// Wilder's smoothing of the true ranges over `bars` (bar `bars.start` at `out[0]`, when
/// given) from the average `prev` before them: the true ranges and NATR's divisions a group of
/// bars at a time, the chain between them. Returns the last average.
#[inline(always)]
fn smooth(
    mut prev: f64,
    p: usize,
    normalized: bool,
    [h, l, c]: [&[f64]; 3],
    bars: Range<usize>,
    out: Option<&mut [&mut [f64]]>,
    control: &Control,
) -> Result<f64> {
    let (keep, take) = smoothing(p);
    for span in spans(bars.len()) {
        control.check()?;
        let (s, e) = (bars.start + span.start, bars.start + span.end);
        let Some([ref mut out]) = out else {
            for t in s..e {
                prev = wilder(prev, true_range(h[t], l[t], c[t - 1]), keep, take);
            }
            continue;
        };
        let bars = [&h[s..e], &l[s..e], &c[s - 1..e - 1], &c[s..e]];
        let term = |[h, l, pc, _]: [f64; 4]| [true_range(h, l, pc)];
        let chain = |[tr]: [f64; 1]| {
            prev = wilder(prev, tr, keep, take);
            [prev]
        };
        if normalized {
            around_chain(bars, &mut out[span], term, chain, |[atr], x| per_close(atr, x[3]));
        } else {
            around_chain(bars, &mut out[span], term, chain, |[atr], _| atr);
        }
    }
    Ok(prev)
}

/// VAR's sums about a shift: TA-Lib 0.8 sums the deviations from `shift` and their squares,
/// and recentres (a restart: the shift becomes the window's mean, the sums are taken afresh)
/// every `32 · p` bars, or sooner where the variance is under a millionth of the mean square
/// or the value leaving holds over a million times what stays. Its TA_VAR is built without
/// FMA and TA_BBANDS's FMA clone fuses nothing here, so neither does this.
#[derive(Clone, Copy, Debug, Default)]
pub struct Dev {
    shift: f64,
    s1: f64,
    s2: f64,
}
state!(Dev { shift, s1, s2 });

impl Dev {
    /// The sums over `w`, the first window but its last value, about `shift`, its first.
    fn first(shift: f64, w: impl Iterator<Item = f64>) -> Self {
        let (mut s1, mut s2) = (0.0, 0.0);
        for v in w {
            let d = v - shift;
            s1 += d;
            s2 += d * d;
        }
        Self { shift, s1, s2 }
    }

    /// The variance of the window `w` (oldest first), and the sums about its mean without
    /// its oldest value, all taken afresh; a variance under 1e-12 of the mean square is 0.
    fn restart(inv: f64, w: impl Iterator<Item = f64> + Clone) -> (f64, Self) {
        let mut sum = 0.0;
        for v in w.clone() {
            sum += v;
        }
        let shift = sum * inv;
        let oldest = w.clone().next().unwrap_or(0.0);
        let (mut s1, mut s2) = (0.0, 0.0);
        for v in w {
            let d = v - shift;
            s1 += d;
            s2 += d * d;
        }
        let m = inv * s1;
        let mean_sq = inv * s2;
        let mut var = mean_sq - m * m;
        if var < mean_sq * 1e-12 {
            var = 0.0;
        }
        let e = oldest - shift;
        (var, Self { shift, s1: s1 - e, s2: s2 - e * e })
    }

    /// Adds `new`, gives the window's variance, drops `old` (the window's oldest); `true`
    /// where TA-Lib restarts at this bar instead.
    #[inline(always)]
    fn step(&mut self, inv: f64, new: f64, old: f64) -> (f64, bool) {
        let e = old - self.shift;
        let (s1, s2, kept) = self.advance(new, old);
        Self::judge(inv, s1, s2, kept, e * e)
    }

    /// The serial part of [`Dev::step`]: the sums with `new` in, and the sum of squares with
    /// `old` then out (the sums move on to the next window).
    #[inline(always)]
    fn advance(&mut self, new: f64, old: f64) -> (f64, f64, f64) {
        let d = new - self.shift;
        let s1 = self.s1 + d;
        let s2 = self.s2 + d * d;
        let e = old - self.shift;
        let kept = s2 - e * e;
        self.s1 = s1 - e;
        self.s2 = kept;
        (s1, s2, kept)
    }

    /// The rest of [`Dev::step`], needing nothing from the bars before: the variance from the
    /// sums `s1`, `s2` with the new value in, and whether TA-Lib restarts (`kept`: the sum of
    /// squares without the value leaving, `ee` that value's square).
    #[inline(always)]
    fn judge(inv: f64, s1: f64, s2: f64, kept: f64, ee: f64) -> (f64, bool) {
        let m = inv * s1;
        let var = inv * s2 - m * m;
        (var, (inv * kept * 1e-6 > var) | (ee > kept * 1e6))
    }
}

/// VAR's machine: the window, the sums, and the bars left before the next planned restart.
#[derive(Clone, Debug)]
pub struct Variance {
    p: usize,
    ring: Ring,
    dev: Dev,
    left: usize,
}
state!(Variance { ring, dev, left });

impl Variance {
    pub fn new(p: usize) -> Self {
        Self { p, ring: Ring::new(p), dev: Dev::default(), left: 0 }
    }
    #[inline]
    pub fn next(&mut self, x: f64) -> Option<f64> {
        self.ring.push(x);
        if !self.ring.is_full() {
            return None;
        }
        let (p, ring) = (self.p, &self.ring);
        let inv = 1.0 / p as f64;
        let window = || (0..p).map(|i| ring.get(i));
        if self.left == 0 {
            self.dev = Dev::first(ring.get(0), window().take(p - 1));
            self.left = lanes::segment(p);
        }
        let (mut var, early) = self.dev.step(inv, x, ring.get(0));
        if early || {
            self.left -= 1;
            self.left == 0
        } {
            (var, self.dev) = Dev::restart(inv, window());
            self.left = lanes::segment(p);
        }
        Some(var)
    }

    /// The variances of `x`'s windows into `out[p - 1..]` (the caller fills the look-back).
    fn series(&self, x: &[f64], out: &mut [f64], control: &Control) -> Result<()> {
        let p = self.p;
        lanes::restarted(&Windows { x, p, inv: 1.0 / p as f64 }, &mut out[..x.len()], control)
    }
}

/// VAR over a whole series, for [`lanes::restarted`].
struct Windows<'a> {
    x: &'a [f64],
    p: usize,
    inv: f64,
}

impl lanes::Restarted for Windows<'_> {
    type Sums = Dev;
    fn period(&self) -> usize {
        self.p
    }
    fn first(&self) -> Option<Dev> {
        Some(Dev::first(self.x[0], self.x[..self.p - 1].iter().copied()))
    }
    fn prefetch(&self, bars: std::ops::Range<usize>) {
        prefetch::read_l2(self.x, bars.start.saturating_sub(self.p)..bars.end);
    }
    fn restart(&self, t: usize) -> (f64, Dev) {
        Dev::restart(self.inv, self.x[t + 1 - self.p..=t].iter().copied())
    }
    /// Four lanes' chains at a time, interleaved in scalar code ([`lanes::by_fours`]).
    #[inline(always)]
    fn steps<const K: usize>(&self, sums: &mut [Dev; K], at: [usize; K], n: usize, out: &mut [f64]) -> [usize; K] {
        lanes::by_fours(self, sums, at, n, out)
    }
}

impl lanes::Chains for Windows<'_> {
    /// [`lanes::Restarted::steps`] for `L` lanes side by side, in blocks of bars: the chains
    /// keep their sums bar by bar, and the variances and the restart tests follow along the
    /// bars, vectorised.
    #[inline(always)]
    fn chains<const L: usize>(&self, sums: &mut [Dev; L], at: [usize; L], n: usize, out: &mut [f64]) -> [usize; L] {
        const C: usize = 64;
        let (x, back, inv) = (self.x, self.p - 1, self.inv);
        let mut first = [n; L];
        let (mut s1, mut s2, mut kept) = ([[0.0; C]; L], [[0.0; C]; L], [[0.0; C]; L]);
        let mut hit = [[false; C]; L];
        let mut d = *sums;
        let mut j0 = 0;
        while j0 < n {
            let c = C.min(n - j0);
            let new: [&[f64]; L] = std::array::from_fn(|k| &x[at[k] + j0..at[k] + j0 + c]);
            let old: [&[f64]; L] = std::array::from_fn(|k| &x[at[k] + j0 - back..at[k] + j0 - back + c]);
            for j in 0..c {
                for k in 0..L {
                    (s1[k][j], s2[k][j], kept[k][j]) = d[k].advance(new[k][j], old[k][j]);
                }
            }
            let mut any = false;
            for k in 0..L {
                let t = at[k] + j0;
                let shift = d[k].shift;
                let sums = s1[k][..c].iter().zip(&s2[k][..c]).zip(&kept[k][..c]);
                for ((((o, h), ((&a, &b), &r)), &v), _) in
                    out[t..t + c].iter_mut().zip(&mut hit[k][..c]).zip(sums).zip(old[k]).zip(0..c)
                {
                    let e = v - shift;
                    let (var, restart) = Dev::judge(inv, a, b, r, e * e);
                    (*o, *h) = (var, restart);
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
            j0 += c;
            if L == 1 && first[0] < n {
                break;
            }
        }
        *sums = d;
        first
    }
}

/// VAR(close, timeperiod, nbdev) (TA-Lib ignores `nbdev` here) and STDDEV(close, timeperiod,
/// nbdev): the square root of VAR's variance times `nbdev`.
#[derive(Clone, Debug)]
pub struct Var {
    var: Variance,
    stddev: Option<f64>,
}
state!(Var { var });

impl Var {
    pub fn variance(p: usize) -> Self {
        Self { var: Variance::new(p), stddev: None }
    }
    pub fn stddev(p: usize, nbdev: f64) -> Self {
        Self { var: Variance::new(p), stddev: Some(nbdev) }
    }
}

impl Machine for Var {
    const IN: usize = 1;
    const OUT: usize = 1;
    #[inline]
    fn step(&mut self, x: &[f64], out: &mut [f64]) {
        out[0] = match (self.var.next(x[0]), self.stddev) {
            (None, _) => f64::NAN,
            (Some(v), None) => v,
            (Some(v), Some(k)) => v.sqrt() * k,
        };
    }
    fn batch(&mut self, ins: &[&[f64]], outs: &mut [&mut [f64]], control: &Control) -> Result<()> {
        let (x, out) = (ins[0], &mut *outs[0]);
        let p = self.var.p;
        out[..(p - 1).min(x.len())].fill(f64::NAN);
        self.var.series(x, out, control)?;
        if let Some(k) = self.stddev {
            for o in out.iter_mut().skip(p - 1) {
                *o = o.sqrt() * k;
            }
        }
        Ok(())
    }
}

/// BBANDS(close, timeperiod, nbdevup, nbdevdn, matype): upper, middle, lower. The deviation is
/// VAR's square root, which TA-Lib starts where the moving average's first output is. TA-Lib's
/// FMA build fuses the upper band's multiply-add unless both widths are equal (then it takes
/// `k · sd` once for both bands).
#[derive(Clone, Debug)]
pub struct Bbands {
    up: f64,
    dn: f64,
    ma: Ma,
    var: Variance,
    skip: usize,
    seen: usize,
}
state!(Bbands { ma, var, seen });

impl Bbands {
    pub fn new(p: usize, up: f64, dn: f64, matype: usize, ma_lookback: usize) -> crate::error::Result<Self> {
        let skip = ma_lookback.saturating_sub(p - 1);
        Ok(Self { up, dn, ma: Ma::new(p, matype)?, var: Variance::new(p), skip, seen: 0 })
    }

    /// The bands about `mid` from the variance `var`.
    #[inline(always)]
    fn bands(&self, mid: f64, var: f64) -> (f64, f64) {
        let sd = var.sqrt();
        if self.up == self.dn {
            let w = self.up * sd;
            (mid + w, mid - w)
        } else {
            (self.up.mul_add(sd, mid), mid - self.dn * sd)
        }
    }
}

impl Machine for Bbands {
    const IN: usize = 1;
    const OUT: usize = 3;
    #[inline]
    fn step(&mut self, x: &[f64], out: &mut [f64]) {
        let x = x[0];
        let mid = self.ma.next(x);
        let var = if self.seen < self.skip {
            self.seen += 1;
            None
        } else {
            self.var.next(x)
        };
        match (mid, var) {
            (Some(mid), Some(var)) => {
                (out[0], out[2]) = self.bands(mid, var);
                out[1] = mid;
            }
            _ => out.fill(f64::NAN),
        }
    }
    /// The average's series, the variances of the windows from the first bar the step feeds
    /// its window (`skip`) in the upper band, then the bands where both are ready.
    fn batch(&mut self, ins: &[&[f64]], outs: &mut [&mut [f64]], control: &Control) -> Result<()> {
        let x = ins[0];
        let n = x.len();
        let p = self.var.p;
        let [upper, middle, lower] = outs else {
            return Err(crate::error::Error::Internal("BBANDS has three outputs".into()));
        };
        let mut probe = self.ma.clone();
        let ma_ready = (0..n).take_while(|_| probe.value(0.0).is_none()).count();
        self.ma.series(x, middle, control)?;
        let ready = ma_ready.max(self.skip + p - 1).min(n);
        if self.skip < n {
            self.var.series(&x[self.skip..], &mut upper[self.skip..], control)?;
        }
        let both = upper[ready..].iter_mut().zip(&middle[ready..]).zip(&mut lower[ready..]);
        if self.up == self.dn {
            // Its own loop, so the branch in `bands` goes.
            for ((u, &m), l) in both {
                let w = self.up * u.sqrt();
                (*u, *l) = (m + w, m - w);
            }
        } else {
            for ((u, &m), l) in both {
                (*u, *l) = self.bands(m, *u);
            }
        }
        for ((u, m), l) in upper.iter_mut().zip(middle.iter_mut()).zip(lower.iter_mut()).take(ready) {
            (*u, *m, *l) = (f64::NAN, f64::NAN, f64::NAN);
        }
        Ok(())
    }
}
