//! Patterns of two bars.

use super::bars::Bars;
use super::scan::{scan, Scan};
use super::settings::CandleSetting::*;
use super::settings::CandleSettings;
use super::sign;
use super::totals::{Threshold, Totals};

pub(super) fn counterattack(
    b: &Bars<'_>,
    s: &CandleSettings,
    _p: f64,
    start: usize,
    totals: &mut Totals,
) -> Box<dyn Scan> {
    let eq = totals.avg(b, s, Equal, 1, start);
    let bl1 = totals.avg(b, s, BodyLong, 1, start);
    let bl0 = totals.avg(b, s, BodyLong, 0, start);
    scan!(b, _p, [eq, bl1, bl0], |i| {
        let hit = (b.color(i - 1) == -b.color(i))
            & ((b.body(i - 1) > bl1.at(b, i))
                & (b.body(i) > bl0.at(b, i))
                & (b.c(i) <= b.c(i - 1) + eq.at(b, i))
                & (b.c(i) >= b.c(i - 1) - eq.at(b, i)));
        sign(hit, b.color(i))
    })
}

pub(super) fn darkcloudcover(
    b: &Bars<'_>,
    s: &CandleSettings,
    p: f64,
    start: usize,
    totals: &mut Totals,
) -> Box<dyn Scan> {
    let bl = totals.avg(b, s, BodyLong, 1, start);
    scan!(b, p, [bl], |i| {
        let hit = ((b.white(i - 1))
            & (b.black(i))
            & (b.o(i) > b.h(i - 1))
            & (b.c(i) > b.o(i - 1))
            & (b.c(i) < b.c(i - 1) - b.body(i - 1) * p))
            & (b.body(i - 1) > bl.at(b, i));
        sign(hit, -1)
    })
}

pub(super) fn dojistar(b: &Bars<'_>, s: &CandleSettings, _p: f64, start: usize, totals: &mut Totals) -> Box<dyn Scan> {
    let bl = totals.avg(b, s, BodyLong, 1, start);
    let bd = totals.avg(b, s, BodyDoji, 0, start);
    scan!(b, _p, [bl, bd], |i| {
        let hit = ((b.white(i - 1)) & (b.body_gap_up(i, i - 1)) | (b.black(i - 1)) & (b.body_gap_down(i, i - 1)))
            & ((b.body(i - 1) > bl.at(b, i)) & (b.body(i) <= bd.at(b, i)));
        sign(hit, -b.color(i - 1))
    })
}

pub(super) fn engulfing(
    _b: &Bars<'_>,
    _s: &CandleSettings,
    _p: f64,
    _start: usize,
    _totals: &mut Totals,
) -> Box<dyn Scan> {
    scan!(b, _p, [], |i| {
        let (o, c, o1, c1) = (b.o(i), b.c(i), b.o(i - 1), b.c(i - 1));
        let hit = (b.white(i)) & (b.black(i - 1)) & ((c >= o1) & (o < c1) | (c > o1) & (o <= c1))
            | (b.black(i)) & (b.white(i - 1)) & ((o >= c1) & (c < o1) | (o > c1) & (c <= o1));
        if !hit {
            0
        } else if (o != c1) & (c != o1) {
            b.color(i) * 100
        } else {
            b.color(i) * 80
        }
    })
}

/// Harami and harami cross: a long body, then a small one (`small` decides how small) inside it.
fn harami_like(b: &Bars<'_>, bl: &Threshold<'_>, small: &Threshold<'_>, i: usize) -> i32 {
    let base = (b.body(i - 1) > bl.at(b, i)) & (b.body(i) <= small.at(b, i));
    let strict = (b.top(i) < b.top(i - 1)) & (b.bottom(i) > b.bottom(i - 1));
    let loose = (b.top(i) <= b.top(i - 1)) & (b.bottom(i) >= b.bottom(i - 1));
    let size = if strict {
        100
    } else if loose {
        80
    } else {
        0
    };
    if base {
        -b.color(i - 1) * size
    } else {
        0
    }
}

pub(super) fn harami(b: &Bars<'_>, s: &CandleSettings, _p: f64, start: usize, totals: &mut Totals) -> Box<dyn Scan> {
    let bl = totals.avg(b, s, BodyLong, 1, start);
    let bs = totals.avg(b, s, BodyShort, 0, start);
    scan!(b, _p, [bl, bs], |i| harami_like(b, bl, bs, i))
}

pub(super) fn haramicross(
    b: &Bars<'_>,
    s: &CandleSettings,
    _p: f64,
    start: usize,
    totals: &mut Totals,
) -> Box<dyn Scan> {
    let bl = totals.avg(b, s, BodyLong, 1, start);
    let bd = totals.avg(b, s, BodyDoji, 0, start);
    scan!(b, _p, [bl, bd], |i| harami_like(b, bl, bd, i))
}

pub(super) fn homingpigeon(
    b: &Bars<'_>,
    s: &CandleSettings,
    _p: f64,
    start: usize,
    totals: &mut Totals,
) -> Box<dyn Scan> {
    let bl = totals.avg(b, s, BodyLong, 1, start);
    let bs = totals.avg(b, s, BodyShort, 0, start);
    scan!(b, _p, [bl, bs], |i| {
        let hit = ((b.black(i - 1)) & (b.black(i)) & (b.o(i) < b.o(i - 1)) & (b.c(i) > b.c(i - 1)))
            & ((b.body(i - 1) > bl.at(b, i)) & (b.body(i) <= bs.at(b, i)));
        sign(hit, 1)
    })
}

pub(super) fn inneck(b: &Bars<'_>, s: &CandleSettings, _p: f64, start: usize, totals: &mut Totals) -> Box<dyn Scan> {
    let eq = totals.avg(b, s, Equal, 1, start);
    let bl = totals.avg(b, s, BodyLong, 1, start);
    scan!(b, _p, [eq, bl], |i| {
        let hit = ((b.black(i - 1)) & (b.white(i)) & (b.o(i) < b.l(i - 1)) & (b.c(i) >= b.c(i - 1)))
            & ((b.body(i - 1) > bl.at(b, i)) & (b.c(i) <= b.c(i - 1) + eq.at(b, i)));
        sign(hit, -1)
    })
}

/// Kicking: two marubozu of opposite colours with a gap between them.
fn kicking_like(
    b: &Bars<'_>,
    vs1: &Threshold<'_>,
    vs0: &Threshold<'_>,
    bl1: &Threshold<'_>,
    bl0: &Threshold<'_>,
    i: usize,
) -> bool {
    (b.color(i - 1) == -b.color(i))
        & (b.body(i - 1) > bl1.at(b, i))
        & (b.upper(i - 1) < vs1.at(b, i))
        & (b.lower(i - 1) < vs1.at(b, i))
        & (b.body(i) > bl0.at(b, i))
        & (b.upper(i) < vs0.at(b, i))
        & (b.lower(i) < vs0.at(b, i))
        & ((b.black(i - 1)) & (b.gap_up(i, i - 1)) | (b.white(i - 1)) & (b.gap_down(i, i - 1)))
}

pub(super) fn kicking(b: &Bars<'_>, s: &CandleSettings, _p: f64, start: usize, totals: &mut Totals) -> Box<dyn Scan> {
    let vs1 = totals.avg(b, s, ShadowVeryShort, 1, start);
    let vs0 = totals.avg(b, s, ShadowVeryShort, 0, start);
    let bl1 = totals.avg(b, s, BodyLong, 1, start);
    let bl0 = totals.avg(b, s, BodyLong, 0, start);
    scan!(b, _p, [vs1, vs0, bl1, bl0], |i| sign(kicking_like(b, vs1, vs0, bl1, bl0, i), b.color(i)))
}

pub(super) fn kickingbylength(
    b: &Bars<'_>,
    s: &CandleSettings,
    _p: f64,
    start: usize,
    totals: &mut Totals,
) -> Box<dyn Scan> {
    let vs1 = totals.avg(b, s, ShadowVeryShort, 1, start);
    let vs0 = totals.avg(b, s, ShadowVeryShort, 0, start);
    let bl1 = totals.avg(b, s, BodyLong, 1, start);
    let bl0 = totals.avg(b, s, BodyLong, 0, start);
    scan!(b, _p, [vs1, vs0, bl1, bl0], |i| {
        let longer = if b.body(i) > b.body(i - 1) { b.color(i) } else { b.color(i - 1) };
        sign(kicking_like(b, vs1, vs0, bl1, bl0, i), longer)
    })
}

pub(super) fn matchinglow(
    b: &Bars<'_>,
    s: &CandleSettings,
    _p: f64,
    start: usize,
    totals: &mut Totals,
) -> Box<dyn Scan> {
    let eq = totals.avg(b, s, Equal, 1, start);
    scan!(b, _p, [eq], |i| {
        let hit = ((b.black(i - 1)) & (b.black(i)))
            & ((b.c(i) <= b.c(i - 1) + eq.at(b, i)) & (b.c(i) >= b.c(i - 1) - eq.at(b, i)));
        sign(hit, 1)
    })
}

pub(super) fn onneck(b: &Bars<'_>, s: &CandleSettings, _p: f64, start: usize, totals: &mut Totals) -> Box<dyn Scan> {
    let eq = totals.avg(b, s, Equal, 1, start);
    let bl = totals.avg(b, s, BodyLong, 1, start);
    scan!(b, _p, [eq, bl], |i| {
        let hit = ((b.black(i - 1)) & (b.white(i)) & (b.o(i) < b.l(i - 1)))
            & ((b.body(i - 1) > bl.at(b, i))
                & (b.c(i) <= b.l(i - 1) + eq.at(b, i))
                & (b.c(i) >= b.l(i - 1) - eq.at(b, i)));
        sign(hit, -1)
    })
}

pub(super) fn piercing(b: &Bars<'_>, s: &CandleSettings, _p: f64, start: usize, totals: &mut Totals) -> Box<dyn Scan> {
    let bl1 = totals.avg(b, s, BodyLong, 1, start);
    let bl0 = totals.avg(b, s, BodyLong, 0, start);
    scan!(b, _p, [bl1, bl0], |i| {
        let hit = ((b.black(i - 1))
            & (b.white(i))
            & (b.o(i) < b.l(i - 1))
            & (b.c(i) < b.o(i - 1))
            & (b.c(i) > b.c(i - 1) + b.body(i - 1) * 0.5))
            & ((b.body(i - 1) > bl1.at(b, i)) & (b.body(i) > bl0.at(b, i)));
        sign(hit, 1)
    })
}

pub(super) fn separatinglines(
    b: &Bars<'_>,
    s: &CandleSettings,
    _p: f64,
    start: usize,
    totals: &mut Totals,
) -> Box<dyn Scan> {
    let vs = totals.avg(b, s, ShadowVeryShort, 0, start);
    let bl = totals.avg(b, s, BodyLong, 0, start);
    let eq = totals.avg(b, s, Equal, 1, start);
    scan!(b, _p, [vs, bl, eq], |i| {
        let hit = (b.color(i - 1) == -b.color(i))
            & ((b.o(i) <= b.o(i - 1) + eq.at(b, i))
                & (b.o(i) >= b.o(i - 1) - eq.at(b, i))
                & (b.body(i) > bl.at(b, i))
                & ((b.white(i)) & (b.lower(i) < vs.at(b, i)) | (b.black(i)) & (b.upper(i) < vs.at(b, i))));
        sign(hit, b.color(i))
    })
}

pub(super) fn thrusting(b: &Bars<'_>, s: &CandleSettings, _p: f64, start: usize, totals: &mut Totals) -> Box<dyn Scan> {
    let eq = totals.avg(b, s, Equal, 1, start);
    let bl = totals.avg(b, s, BodyLong, 1, start);
    scan!(b, _p, [eq, bl], |i| {
        let hit =
            ((b.black(i - 1)) & (b.white(i)) & (b.o(i) < b.l(i - 1)) & (b.c(i) <= b.c(i - 1) + b.body(i - 1) * 0.5))
                & ((b.body(i - 1) > bl.at(b, i)) & (b.c(i) > b.c(i - 1) + eq.at(b, i)));
        sign(hit, -1)
    })
}
