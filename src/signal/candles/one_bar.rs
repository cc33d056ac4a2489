//! Patterns of one bar (some compare with the bar before: hammer, hanging man, inverted hammer,
//! shooting star).

use super::bars::Bars;
use super::scan::{scan, Scan};
use super::settings::CandleSetting::*;
use super::settings::{CandleSettings, RangeType};
use super::sign;
use super::totals::Totals;

pub(super) fn belthold(b: &Bars<'_>, s: &CandleSettings, _p: f64, start: usize, totals: &mut Totals) -> Box<dyn Scan> {
    let bl = totals.avg(b, s, BodyLong, 0, start);
    let vs = totals.avg(b, s, ShadowVeryShort, 0, start);
    scan!(b, _p, [bl, vs], |i| {
        let hit = (b.body(i) > bl.at(b, i))
            & ((b.white(i)) & (b.lower(i) < vs.at(b, i)) | (b.black(i)) & (b.upper(i) < vs.at(b, i)));
        sign(hit, b.color(i))
    })
}

pub(super) fn closingmarubozu(
    b: &Bars<'_>,
    s: &CandleSettings,
    _p: f64,
    start: usize,
    totals: &mut Totals,
) -> Box<dyn Scan> {
    let bl = totals.avg(b, s, BodyLong, 0, start);
    let vs = totals.avg(b, s, ShadowVeryShort, 0, start);
    scan!(b, _p, [bl, vs], |i| {
        let hit = (b.body(i) > bl.at(b, i))
            & ((b.white(i)) & (b.upper(i) < vs.at(b, i)) | (b.black(i)) & (b.lower(i) < vs.at(b, i)));
        sign(hit, b.color(i))
    })
}

pub(super) fn doji(b: &Bars<'_>, s: &CandleSettings, _p: f64, start: usize, totals: &mut Totals) -> Box<dyn Scan> {
    let bd = totals.avg(b, s, BodyDoji, 0, start);
    scan!(b, _p, [bd], |i| sign(b.body(i) <= bd.at(b, i), 1))
}

/// [`doji`] alone as one loop, as TA-Lib writes it: a pattern of one running total is bound by
/// that total's additions, and here the comparison and the store overlap with them instead of
/// following in passes of their own. The same operations in the same order as the block form
/// (a test compares the two), so the same output.
pub(super) fn doji_fused(b: &Bars<'_>, s: &CandleSettings, start: usize, out: &mut [i32]) {
    #[cfg(target_arch = "x86_64")]
    if super::scan::build() >= super::scan::Build::Avx2 {
        // SAFETY: the CPU has AVX2 and FMA (checked by `build`).
        return unsafe { doji_fused_avx2(b, s, start, out) };
    }
    doji_fused_with(b, s, start, out);
}

/// [`doji_fused_with`] compiled for AVX2 (the same operations, so the same bits).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn doji_fused_avx2(b: &Bars<'_>, s: &CandleSettings, start: usize, out: &mut [i32]) {
    doji_fused_with(b, s, start, out);
}

#[inline(always)]
fn doji_fused_with(b: &Bars<'_>, s: &CandleSettings, start: usize, out: &mut [i32]) {
    let set = s.get(BodyDoji);
    let (rt, period, factor) = (set.range_type, set.avg_period, set.factor);
    let half = if rt == RangeType::Shadows { 0.5 } else { 1.0 };
    let n = b.len().min(out.len());
    if period == 0 {
        for (i, o) in out.iter_mut().enumerate().take(n).skip(start) {
            *o = sign(b.body(i) <= factor * b.range(rt, i) * half, 1);
        }
        return;
    }
    match rt {
        RangeType::RealBody => doji_loop(b, start, period, (factor, half), out, |i| b.body(i)),
        RangeType::HighLow => doji_loop(b, start, period, (factor, half), out, |i| b.hl(i)),
        RangeType::Shadows => doji_loop(b, start, period, (factor, half), out, |i| b.upper(i) + b.lower(i)),
    }
}

/// [`doji_fused`]'s loop for one range type (`range`, chosen outside the loop).
#[inline(always)]
fn doji_loop(b: &Bars<'_>, start: usize, period: usize, fh: (f64, f64), out: &mut [i32], range: impl Fn(usize) -> f64) {
    let (factor, half) = fh;
    let mut total = 0.0;
    for j in start - period..start {
        total += range(j);
    }
    let pf = period as f64;
    let n = b.len().min(out.len());
    // A plain range zipped in (not `enumerate().take().skip()`, whose state the compiler kept
    // in memory, on the loop's critical path).
    for (o, i) in out[start..n].iter_mut().zip(start..) {
        *o = sign(b.body(i) <= factor * (total / pf) * half, 1);
        total += range(i) - range(i - period);
    }
}

pub(super) fn dragonflydoji(
    b: &Bars<'_>,
    s: &CandleSettings,
    _p: f64,
    start: usize,
    totals: &mut Totals,
) -> Box<dyn Scan> {
    let bd = totals.avg(b, s, BodyDoji, 0, start);
    let vs = totals.avg(b, s, ShadowVeryShort, 0, start);
    scan!(b, _p, [bd, vs], |i| {
        sign((b.body(i) <= bd.at(b, i)) & (b.upper(i) < vs.at(b, i)) & (b.lower(i) > vs.at(b, i)), 1)
    })
}

pub(super) fn gravestonedoji(
    b: &Bars<'_>,
    s: &CandleSettings,
    _p: f64,
    start: usize,
    totals: &mut Totals,
) -> Box<dyn Scan> {
    let bd = totals.avg(b, s, BodyDoji, 0, start);
    let vs = totals.avg(b, s, ShadowVeryShort, 0, start);
    scan!(b, _p, [bd, vs], |i| {
        sign((b.body(i) <= bd.at(b, i)) & (b.lower(i) < vs.at(b, i)) & (b.upper(i) > vs.at(b, i)), 1)
    })
}

pub(super) fn hammer(b: &Bars<'_>, s: &CandleSettings, _p: f64, start: usize, totals: &mut Totals) -> Box<dyn Scan> {
    let bs = totals.avg(b, s, BodyShort, 0, start);
    let sl = totals.avg(b, s, ShadowLong, 0, start);
    let vs = totals.avg(b, s, ShadowVeryShort, 0, start);
    let near = totals.avg(b, s, Near, 1, start);
    scan!(b, _p, [bs, sl, vs, near], |i| {
        let hit = (b.body(i) < bs.at(b, i))
            & (b.lower(i) > sl.at(b, i))
            & (b.upper(i) < vs.at(b, i))
            & (b.bottom(i) <= b.l(i - 1) + near.at(b, i));
        sign(hit, 1)
    })
}

pub(super) fn hangingman(
    b: &Bars<'_>,
    s: &CandleSettings,
    _p: f64,
    start: usize,
    totals: &mut Totals,
) -> Box<dyn Scan> {
    let bs = totals.avg(b, s, BodyShort, 0, start);
    let sl = totals.avg(b, s, ShadowLong, 0, start);
    let vs = totals.avg(b, s, ShadowVeryShort, 0, start);
    let near = totals.avg(b, s, Near, 1, start);
    scan!(b, _p, [bs, sl, vs, near], |i| {
        let hit = (b.body(i) < bs.at(b, i))
            & (b.lower(i) > sl.at(b, i))
            & (b.upper(i) < vs.at(b, i))
            & (b.bottom(i) >= b.h(i - 1) - near.at(b, i));
        sign(hit, -1)
    })
}

pub(super) fn highwave(b: &Bars<'_>, s: &CandleSettings, _p: f64, start: usize, totals: &mut Totals) -> Box<dyn Scan> {
    let bs = totals.avg(b, s, BodyShort, 0, start);
    let vl = totals.avg(b, s, ShadowVeryLong, 0, start);
    scan!(b, _p, [bs, vl], |i| {
        let hit = (b.body(i) < bs.at(b, i)) & (b.upper(i) > vl.at(b, i)) & (b.lower(i) > vl.at(b, i));
        sign(hit, b.color(i))
    })
}

pub(super) fn invertedhammer(
    b: &Bars<'_>,
    s: &CandleSettings,
    _p: f64,
    start: usize,
    totals: &mut Totals,
) -> Box<dyn Scan> {
    let bs = totals.avg(b, s, BodyShort, 0, start);
    let sl = totals.avg(b, s, ShadowLong, 0, start);
    let vs = totals.avg(b, s, ShadowVeryShort, 0, start);
    scan!(b, _p, [bs, sl, vs], |i| {
        let hit = (b.body_gap_down(i, i - 1))
            & ((b.body(i) < bs.at(b, i)) & (b.upper(i) > sl.at(b, i)) & (b.lower(i) < vs.at(b, i)));
        sign(hit, 1)
    })
}

pub(super) fn longleggeddoji(
    b: &Bars<'_>,
    s: &CandleSettings,
    _p: f64,
    start: usize,
    totals: &mut Totals,
) -> Box<dyn Scan> {
    let bd = totals.avg(b, s, BodyDoji, 0, start);
    let sl = totals.avg(b, s, ShadowLong, 0, start);
    scan!(b, _p, [bd, sl], |i| {
        sign((b.body(i) <= bd.at(b, i)) & ((b.lower(i) > sl.at(b, i)) | (b.upper(i) > sl.at(b, i))), 1)
    })
}

pub(super) fn longline(b: &Bars<'_>, s: &CandleSettings, _p: f64, start: usize, totals: &mut Totals) -> Box<dyn Scan> {
    let bl = totals.avg(b, s, BodyLong, 0, start);
    let ss = totals.avg(b, s, ShadowShort, 0, start);
    scan!(b, _p, [bl, ss], |i| {
        let hit = (b.body(i) > bl.at(b, i)) & (b.upper(i) < ss.at(b, i)) & (b.lower(i) < ss.at(b, i));
        sign(hit, b.color(i))
    })
}

pub(super) fn marubozu(b: &Bars<'_>, s: &CandleSettings, _p: f64, start: usize, totals: &mut Totals) -> Box<dyn Scan> {
    let bl = totals.avg(b, s, BodyLong, 0, start);
    let vs = totals.avg(b, s, ShadowVeryShort, 0, start);
    scan!(b, _p, [bl, vs], |i| {
        let hit = (b.body(i) > bl.at(b, i)) & (b.upper(i) < vs.at(b, i)) & (b.lower(i) < vs.at(b, i));
        sign(hit, b.color(i))
    })
}

pub(super) fn rickshawman(
    b: &Bars<'_>,
    s: &CandleSettings,
    _p: f64,
    start: usize,
    totals: &mut Totals,
) -> Box<dyn Scan> {
    let bd = totals.avg(b, s, BodyDoji, 0, start);
    let sl = totals.avg(b, s, ShadowLong, 0, start);
    let near = totals.avg(b, s, Near, 0, start);
    scan!(b, _p, [bd, sl, near], |i| {
        let mid = b.l(i) + b.hl(i) / 2.0;
        let hit = (b.body(i) <= bd.at(b, i))
            & (b.lower(i) > sl.at(b, i))
            & (b.upper(i) > sl.at(b, i))
            & (b.bottom(i) <= mid + near.at(b, i))
            & (b.top(i) >= mid - near.at(b, i));
        sign(hit, 1)
    })
}

pub(super) fn shootingstar(
    b: &Bars<'_>,
    s: &CandleSettings,
    _p: f64,
    start: usize,
    totals: &mut Totals,
) -> Box<dyn Scan> {
    let bs = totals.avg(b, s, BodyShort, 0, start);
    let sl = totals.avg(b, s, ShadowLong, 0, start);
    let vs = totals.avg(b, s, ShadowVeryShort, 0, start);
    scan!(b, _p, [bs, sl, vs], |i| {
        let hit = (b.body_gap_up(i, i - 1))
            & ((b.body(i) < bs.at(b, i)) & (b.upper(i) > sl.at(b, i)) & (b.lower(i) < vs.at(b, i)));
        sign(hit, -1)
    })
}

pub(super) fn shortline(b: &Bars<'_>, s: &CandleSettings, _p: f64, start: usize, totals: &mut Totals) -> Box<dyn Scan> {
    let bs = totals.avg(b, s, BodyShort, 0, start);
    let ss = totals.avg(b, s, ShadowShort, 0, start);
    scan!(b, _p, [bs, ss], |i| {
        let hit = (b.body(i) < bs.at(b, i)) & (b.upper(i) < ss.at(b, i)) & (b.lower(i) < ss.at(b, i));
        sign(hit, b.color(i))
    })
}

pub(super) fn spinningtop(
    b: &Bars<'_>,
    s: &CandleSettings,
    _p: f64,
    start: usize,
    totals: &mut Totals,
) -> Box<dyn Scan> {
    let bs = totals.avg(b, s, BodyShort, 0, start);
    scan!(b, _p, [bs], |i| {
        let hit = ((b.upper(i) > b.body(i)) & (b.lower(i) > b.body(i))) & (b.body(i) < bs.at(b, i));
        sign(hit, b.color(i))
    })
}

pub(super) fn takuri(b: &Bars<'_>, s: &CandleSettings, _p: f64, start: usize, totals: &mut Totals) -> Box<dyn Scan> {
    let bd = totals.avg(b, s, BodyDoji, 0, start);
    let vs = totals.avg(b, s, ShadowVeryShort, 0, start);
    let vl = totals.avg(b, s, ShadowVeryLong, 0, start);
    scan!(b, _p, [bd, vs, vl], |i| {
        sign((b.body(i) <= bd.at(b, i)) & (b.upper(i) < vs.at(b, i)) & (b.lower(i) > vl.at(b, i)), 1)
    })
}
