//! Patterns of three bars.

use super::bars::Bars;
use super::scan::{scan, Scan};
use super::settings::CandleSetting::*;
use super::settings::CandleSettings;
use super::sign;
use super::totals::{Threshold, Totals};

pub(super) fn two_crows(b: &Bars<'_>, s: &CandleSettings, _p: f64, start: usize, totals: &mut Totals) -> Box<dyn Scan> {
    let bl = totals.avg(b, s, BodyLong, 2, start);
    scan!(b, _p, [bl], |i| {
        let hit = ((b.white(i - 2))
            & (b.black(i - 1))
            & (b.body_gap_up(i - 1, i - 2))
            & (b.black(i))
            & (b.o(i) < b.o(i - 1))
            & (b.o(i) > b.c(i - 1))
            & (b.c(i) > b.o(i - 2))
            & (b.c(i) < b.c(i - 2)))
            & (b.body(i - 2) > bl.at(b, i));
        sign(hit, -1)
    })
}

pub(super) fn three_black_crows(
    b: &Bars<'_>,
    s: &CandleSettings,
    _p: f64,
    start: usize,
    totals: &mut Totals,
) -> Box<dyn Scan> {
    let vs2 = totals.avg(b, s, ShadowVeryShort, 2, start);
    let vs1 = totals.avg(b, s, ShadowVeryShort, 1, start);
    let vs0 = totals.avg(b, s, ShadowVeryShort, 0, start);
    scan!(b, _p, [vs2, vs1, vs0], |i| {
        let hit = ((b.white(i - 3))
            & (b.black(i - 2))
            & (b.black(i - 1))
            & (b.black(i))
            & (b.o(i - 1) < b.o(i - 2))
            & (b.o(i - 1) > b.c(i - 2))
            & (b.o(i) < b.o(i - 1))
            & (b.o(i) > b.c(i - 1))
            & (b.h(i - 3) > b.c(i - 2))
            & (b.c(i - 2) > b.c(i - 1))
            & (b.c(i - 1) > b.c(i)))
            & ((b.lower(i - 2) < vs2.at(b, i)) & (b.lower(i - 1) < vs1.at(b, i)) & (b.lower(i) < vs0.at(b, i)));
        sign(hit, -1)
    })
}

pub(super) fn three_inside(
    b: &Bars<'_>,
    s: &CandleSettings,
    _p: f64,
    start: usize,
    totals: &mut Totals,
) -> Box<dyn Scan> {
    let bl = totals.avg(b, s, BodyLong, 2, start);
    let bs = totals.avg(b, s, BodyShort, 1, start);
    scan!(b, _p, [bl, bs], |i| {
        let hit = ((b.top(i - 1) < b.top(i - 2))
            & (b.bottom(i - 1) > b.bottom(i - 2))
            & ((b.white(i - 2)) & (b.black(i)) & (b.c(i) < b.o(i - 2))
                | (b.black(i - 2)) & (b.white(i)) & (b.c(i) > b.o(i - 2))))
            & ((b.body(i - 2) > bl.at(b, i)) & (b.body(i - 1) <= bs.at(b, i)));
        sign(hit, -b.color(i - 2))
    })
}

pub(super) fn three_outside(
    _b: &Bars<'_>,
    _s: &CandleSettings,
    _p: f64,
    _start: usize,
    _totals: &mut Totals,
) -> Box<dyn Scan> {
    scan!(b, _p, [], |i| {
        let hit = (b.white(i - 1))
            & (b.black(i - 2))
            & (b.c(i - 1) > b.o(i - 2))
            & (b.o(i - 1) < b.c(i - 2))
            & (b.c(i) > b.c(i - 1))
            | (b.black(i - 1))
                & (b.white(i - 2))
                & (b.o(i - 1) > b.c(i - 2))
                & (b.c(i - 1) < b.o(i - 2))
                & (b.c(i) < b.c(i - 1));
        sign(hit, b.color(i - 1))
    })
}

pub(super) fn three_stars_in_south(
    b: &Bars<'_>,
    s: &CandleSettings,
    _p: f64,
    start: usize,
    totals: &mut Totals,
) -> Box<dyn Scan> {
    let bl = totals.avg(b, s, BodyLong, 2, start);
    let sl = totals.avg(b, s, ShadowLong, 2, start);
    let vs1 = totals.avg(b, s, ShadowVeryShort, 1, start);
    let vs0 = totals.avg(b, s, ShadowVeryShort, 0, start);
    let bs = totals.avg(b, s, BodyShort, 0, start);
    scan!(b, _p, [bl, sl, vs1, vs0, bs], |i| {
        let hit = ((b.black(i - 2))
            & (b.black(i - 1))
            & (b.black(i))
            & (b.body(i - 1) < b.body(i - 2))
            & (b.o(i - 1) > b.c(i - 2))
            & (b.o(i - 1) <= b.h(i - 2))
            & (b.l(i - 1) < b.c(i - 2))
            & (b.l(i - 1) >= b.l(i - 2))
            & (b.l(i) > b.l(i - 1))
            & (b.h(i) < b.h(i - 1)))
            & ((b.body(i - 2) > bl.at(b, i))
                & (b.lower(i - 2) > sl.at(b, i))
                & (b.lower(i - 1) > vs1.at(b, i))
                & (b.body(i) < bs.at(b, i))
                & (b.lower(i) < vs0.at(b, i))
                & (b.upper(i) < vs0.at(b, i)));
        sign(hit, 1)
    })
}

pub(super) fn three_white_soldiers(
    b: &Bars<'_>,
    s: &CandleSettings,
    _p: f64,
    start: usize,
    totals: &mut Totals,
) -> Box<dyn Scan> {
    let vs2 = totals.avg(b, s, ShadowVeryShort, 2, start);
    let vs1 = totals.avg(b, s, ShadowVeryShort, 1, start);
    let vs0 = totals.avg(b, s, ShadowVeryShort, 0, start);
    let near2 = totals.avg(b, s, Near, 2, start);
    let near1 = totals.avg(b, s, Near, 1, start);
    let far2 = totals.avg(b, s, Far, 2, start);
    let far1 = totals.avg(b, s, Far, 1, start);
    let bs = totals.avg(b, s, BodyShort, 0, start);
    scan!(b, _p, [vs2, vs1, vs0, near2, near1, far2, far1, bs], |i| {
        let hit = ((b.white(i - 2))
            & (b.white(i - 1))
            & (b.white(i))
            & (b.c(i) > b.c(i - 1))
            & (b.c(i - 1) > b.c(i - 2))
            & (b.o(i - 1) > b.o(i - 2))
            & (b.o(i) > b.o(i - 1)))
            & ((b.upper(i - 2) < vs2.at(b, i))
                & (b.upper(i - 1) < vs1.at(b, i))
                & (b.upper(i) < vs0.at(b, i))
                & (b.o(i - 1) <= b.c(i - 2) + near2.at(b, i))
                & (b.o(i) <= b.c(i - 1) + near1.at(b, i))
                & (b.body(i - 1) > b.body(i - 2) - far2.at(b, i))
                & (b.body(i) > b.body(i - 1) - far1.at(b, i))
                & (b.body(i) > bs.at(b, i)));
        sign(hit, 1)
    })
}

pub(super) fn abandoned_baby(
    b: &Bars<'_>,
    s: &CandleSettings,
    p: f64,
    start: usize,
    totals: &mut Totals,
) -> Box<dyn Scan> {
    let bl = totals.avg(b, s, BodyLong, 2, start);
    let bd = totals.avg(b, s, BodyDoji, 1, start);
    let bs = totals.avg(b, s, BodyShort, 0, start);
    scan!(b, p, [bl, bd, bs], |i| {
        let hit = ((b.white(i - 2))
            & (b.black(i))
            & (b.c(i) < b.c(i - 2) - b.body(i - 2) * p)
            & (b.gap_up(i - 1, i - 2))
            & (b.gap_down(i, i - 1))
            | (b.black(i - 2))
                & (b.white(i))
                & (b.c(i) > b.c(i - 2) + b.body(i - 2) * p)
                & (b.gap_down(i - 1, i - 2))
                & (b.gap_up(i, i - 1)))
            & ((b.body(i - 2) > bl.at(b, i)) & (b.body(i - 1) <= bd.at(b, i)) & (b.body(i) > bs.at(b, i)));
        sign(hit, b.color(i))
    })
}

pub(super) fn advance_block(
    b: &Bars<'_>,
    s: &CandleSettings,
    _p: f64,
    start: usize,
    totals: &mut Totals,
) -> Box<dyn Scan> {
    let ss2 = totals.avg(b, s, ShadowShort, 2, start);
    let ss1 = totals.avg(b, s, ShadowShort, 1, start);
    let ss0 = totals.avg(b, s, ShadowShort, 0, start);
    let sl0 = totals.avg(b, s, ShadowLong, 0, start);
    let near2 = totals.avg(b, s, Near, 2, start);
    let near1 = totals.avg(b, s, Near, 1, start);
    let far2 = totals.avg(b, s, Far, 2, start);
    let far1 = totals.avg(b, s, Far, 1, start);
    let bl = totals.avg(b, s, BodyLong, 2, start);
    scan!(b, _p, [ss2, ss1, ss0, sl0, near2, near1, far2, far1, bl], |i| {
        let (b2, b1, b0) = (b.body(i - 2), b.body(i - 1), b.body(i));
        let hit = ((b.white(i - 2))
            & (b.white(i - 1))
            & (b.white(i))
            & (b.c(i) > b.c(i - 1))
            & (b.c(i - 1) > b.c(i - 2))
            & (b.o(i - 1) > b.o(i - 2))
            & (b.o(i) > b.o(i - 1)))
            & ((b.o(i - 1) <= b.c(i - 2) + near2.at(b, i))
                & (b.o(i) <= b.c(i - 1) + near1.at(b, i))
                & (b2 > bl.at(b, i))
                & (b.upper(i - 2) < ss2.at(b, i))
                & ((b1 < b2 - far2.at(b, i)) & (b0 < b1 + near1.at(b, i))
                    | (b0 < b1 - far1.at(b, i))
                    | (b0 < b1) & (b1 < b2) & ((b.upper(i) > ss0.at(b, i)) | (b.upper(i - 1) > ss1.at(b, i)))
                    | (b0 < b1) & (b.upper(i) > sl0.at(b, i))));
        sign(hit, -1)
    })
}

/// Evening star and evening doji star (`star` is BodyShort or BodyDoji).
fn evening(b: &Bars<'_>, bl: &Threshold<'_>, star: &Threshold<'_>, bs: &Threshold<'_>, p: f64, i: usize) -> bool {
    (b.body(i - 2) > bl.at(b, i))
        & (b.white(i - 2))
        & (b.body(i - 1) <= star.at(b, i))
        & (b.body_gap_up(i - 1, i - 2))
        & (b.body(i) > bs.at(b, i))
        & (b.black(i))
        & (b.c(i) < b.c(i - 2) - b.body(i - 2) * p)
}

/// Morning star and morning doji star.
fn morning(b: &Bars<'_>, bl: &Threshold<'_>, star: &Threshold<'_>, bs: &Threshold<'_>, p: f64, i: usize) -> bool {
    (b.body(i - 2) > bl.at(b, i))
        & (b.black(i - 2))
        & (b.body(i - 1) <= star.at(b, i))
        & (b.body_gap_down(i - 1, i - 2))
        & (b.body(i) > bs.at(b, i))
        & (b.white(i))
        & (b.c(i) > b.c(i - 2) + b.body(i - 2) * p)
}

pub(super) fn evening_doji_star(
    b: &Bars<'_>,
    s: &CandleSettings,
    p: f64,
    start: usize,
    totals: &mut Totals,
) -> Box<dyn Scan> {
    let bl = totals.avg(b, s, BodyLong, 2, start);
    let bd = totals.avg(b, s, BodyDoji, 1, start);
    let bs = totals.avg(b, s, BodyShort, 0, start);
    scan!(b, p, [bl, bd, bs], |i| sign(evening(b, bl, bd, bs, p, i), -1))
}

pub(super) fn evening_star(
    b: &Bars<'_>,
    s: &CandleSettings,
    p: f64,
    start: usize,
    totals: &mut Totals,
) -> Box<dyn Scan> {
    let bl = totals.avg(b, s, BodyLong, 2, start);
    let bs1 = totals.avg(b, s, BodyShort, 1, start);
    let bs0 = totals.avg(b, s, BodyShort, 0, start);
    scan!(b, p, [bl, bs1, bs0], |i| sign(evening(b, bl, bs1, bs0, p, i), -1))
}

pub(super) fn morning_doji_star(
    b: &Bars<'_>,
    s: &CandleSettings,
    p: f64,
    start: usize,
    totals: &mut Totals,
) -> Box<dyn Scan> {
    let bl = totals.avg(b, s, BodyLong, 2, start);
    let bd = totals.avg(b, s, BodyDoji, 1, start);
    let bs = totals.avg(b, s, BodyShort, 0, start);
    scan!(b, p, [bl, bd, bs], |i| sign(morning(b, bl, bd, bs, p, i), 1))
}

pub(super) fn morning_star(
    b: &Bars<'_>,
    s: &CandleSettings,
    p: f64,
    start: usize,
    totals: &mut Totals,
) -> Box<dyn Scan> {
    let bl = totals.avg(b, s, BodyLong, 2, start);
    let bs1 = totals.avg(b, s, BodyShort, 1, start);
    let bs0 = totals.avg(b, s, BodyShort, 0, start);
    scan!(b, p, [bl, bs1, bs0], |i| sign(morning(b, bl, bs1, bs0, p, i), 1))
}

pub(super) fn gap_side_side_white(
    b: &Bars<'_>,
    s: &CandleSettings,
    _p: f64,
    start: usize,
    totals: &mut Totals,
) -> Box<dyn Scan> {
    let near = totals.avg(b, s, Near, 1, start);
    let eq = totals.avg(b, s, Equal, 1, start);
    scan!(b, _p, [near, eq], |i| {
        let up = b.body_gap_up(i - 1, i - 2);
        let hit = (((up) & (b.body_gap_up(i, i - 2)) | (b.body_gap_down(i - 1, i - 2)) & (b.body_gap_down(i, i - 2)))
            & (b.white(i - 1))
            & (b.white(i)))
            & ((b.body(i) >= b.body(i - 1) - near.at(b, i))
                & (b.body(i) <= b.body(i - 1) + near.at(b, i))
                & (b.o(i) >= b.o(i - 1) - eq.at(b, i))
                & (b.o(i) <= b.o(i - 1) + eq.at(b, i)));
        sign(hit, if up { 1 } else { -1 })
    })
}

pub(super) fn identical_three_crows(
    b: &Bars<'_>,
    s: &CandleSettings,
    _p: f64,
    start: usize,
    totals: &mut Totals,
) -> Box<dyn Scan> {
    let vs2 = totals.avg(b, s, ShadowVeryShort, 2, start);
    let vs1 = totals.avg(b, s, ShadowVeryShort, 1, start);
    let vs0 = totals.avg(b, s, ShadowVeryShort, 0, start);
    let eq2 = totals.avg(b, s, Equal, 2, start);
    let eq1 = totals.avg(b, s, Equal, 1, start);
    scan!(b, _p, [vs2, vs1, vs0, eq2, eq1], |i| {
        let hit =
            ((b.black(i - 2)) & (b.black(i - 1)) & (b.black(i)) & (b.c(i - 2) > b.c(i - 1)) & (b.c(i - 1) > b.c(i)))
                & ((b.lower(i - 2) < vs2.at(b, i))
                    & (b.lower(i - 1) < vs1.at(b, i))
                    & (b.lower(i) < vs0.at(b, i))
                    & (b.o(i - 1) <= b.c(i - 2) + eq2.at(b, i))
                    & (b.o(i - 1) >= b.c(i - 2) - eq2.at(b, i))
                    & (b.o(i) <= b.c(i - 1) + eq1.at(b, i))
                    & (b.o(i) >= b.c(i - 1) - eq1.at(b, i)));
        sign(hit, -1)
    })
}

pub(super) fn stalled_pattern(
    b: &Bars<'_>,
    s: &CandleSettings,
    _p: f64,
    start: usize,
    totals: &mut Totals,
) -> Box<dyn Scan> {
    let bl2 = totals.avg(b, s, BodyLong, 2, start);
    let bl1 = totals.avg(b, s, BodyLong, 1, start);
    let bs = totals.avg(b, s, BodyShort, 0, start);
    let vs = totals.avg(b, s, ShadowVeryShort, 1, start);
    let near2 = totals.avg(b, s, Near, 2, start);
    let near1 = totals.avg(b, s, Near, 1, start);
    scan!(b, _p, [bl2, bl1, bs, vs, near2, near1], |i| {
        let hit = ((b.white(i - 2))
            & (b.white(i - 1))
            & (b.white(i))
            & (b.c(i) > b.c(i - 1))
            & (b.c(i - 1) > b.c(i - 2))
            & (b.o(i - 1) > b.o(i - 2)))
            & ((b.body(i - 2) > bl2.at(b, i))
                & (b.body(i - 1) > bl1.at(b, i))
                & (b.upper(i - 1) < vs.at(b, i))
                & (b.o(i - 1) <= b.c(i - 2) + near2.at(b, i))
                & (b.body(i) < bs.at(b, i))
                & (b.o(i) >= b.c(i - 1) - b.body(i) - near1.at(b, i)));
        sign(hit, -1)
    })
}

pub(super) fn stick_sandwich(
    b: &Bars<'_>,
    s: &CandleSettings,
    _p: f64,
    start: usize,
    totals: &mut Totals,
) -> Box<dyn Scan> {
    let eq = totals.avg(b, s, Equal, 2, start);
    scan!(b, _p, [eq], |i| {
        let hit = ((b.black(i - 2)) & (b.white(i - 1)) & (b.black(i)) & (b.l(i - 1) > b.c(i - 2)))
            & ((b.c(i) <= b.c(i - 2) + eq.at(b, i)) & (b.c(i) >= b.c(i - 2) - eq.at(b, i)));
        sign(hit, 1)
    })
}

pub(super) fn tasuki_gap(
    b: &Bars<'_>,
    s: &CandleSettings,
    _p: f64,
    start: usize,
    totals: &mut Totals,
) -> Box<dyn Scan> {
    let near = totals.avg(b, s, Near, 1, start);
    scan!(b, _p, [near], |i| {
        let hit = (b.body_gap_up(i - 1, i - 2))
            & (b.white(i - 1))
            & (b.black(i))
            & (b.o(i) < b.c(i - 1))
            & (b.o(i) > b.o(i - 1))
            & (b.c(i) < b.o(i - 1))
            & (b.c(i) > b.top(i - 2))
            & ((b.body(i - 1) - b.body(i)).abs() < near.at(b, i))
            | (b.body_gap_down(i - 1, i - 2))
                & (b.black(i - 1))
                & (b.white(i))
                & (b.o(i) < b.o(i - 1))
                & (b.o(i) > b.c(i - 1))
                & (b.c(i) > b.o(i - 1))
                & (b.c(i) < b.bottom(i - 2))
                & ((b.body(i - 1) - b.body(i)).abs() < near.at(b, i));
        sign(hit, b.color(i - 1))
    })
}

pub(super) fn tristar(b: &Bars<'_>, s: &CandleSettings, _p: f64, start: usize, totals: &mut Totals) -> Box<dyn Scan> {
    let bd = totals.avg(b, s, BodyDoji, 2, start);
    scan!(b, _p, [bd], |i| {
        let d = bd.at(b, i);
        let dojis = (b.body(i - 2) <= d) & (b.body(i - 1) <= d) & (b.body(i) <= d);
        let bear = b.body_gap_up(i - 1, i - 2) & (b.top(i) < b.top(i - 1));
        let bull = b.body_gap_down(i - 1, i - 2) & (b.bottom(i) > b.bottom(i - 1));
        // TA-Lib tests the bearish star first and lets the bullish one override it.
        let r = if bull {
            100
        } else if bear {
            -100
        } else {
            0
        };
        if dojis {
            r
        } else {
            0
        }
    })
}

pub(super) fn unique_three_river(
    b: &Bars<'_>,
    s: &CandleSettings,
    _p: f64,
    start: usize,
    totals: &mut Totals,
) -> Box<dyn Scan> {
    let bl = totals.avg(b, s, BodyLong, 2, start);
    let bs = totals.avg(b, s, BodyShort, 0, start);
    scan!(b, _p, [bl, bs], |i| {
        let hit = ((b.black(i - 2))
            & (b.black(i - 1))
            & (b.c(i - 1) > b.c(i - 2))
            & (b.o(i - 1) <= b.o(i - 2))
            & (b.l(i - 1) < b.l(i - 2))
            & (b.white(i))
            & (b.o(i) > b.l(i - 1)))
            & ((b.body(i - 2) > bl.at(b, i)) & (b.body(i) < bs.at(b, i)));
        sign(hit, 1)
    })
}

pub(super) fn upside_gap_two_crows(
    b: &Bars<'_>,
    s: &CandleSettings,
    _p: f64,
    start: usize,
    totals: &mut Totals,
) -> Box<dyn Scan> {
    let bl = totals.avg(b, s, BodyLong, 2, start);
    let bs = totals.avg(b, s, BodyShort, 1, start);
    scan!(b, _p, [bl, bs], |i| {
        let hit = ((b.white(i - 2))
            & (b.black(i - 1))
            & (b.body_gap_up(i - 1, i - 2))
            & (b.black(i))
            & (b.o(i) > b.o(i - 1))
            & (b.c(i) < b.c(i - 1))
            & (b.c(i) > b.c(i - 2)))
            & ((b.body(i - 2) > bl.at(b, i)) & (b.body(i - 1) <= bs.at(b, i)));
        sign(hit, -1)
    })
}

pub(super) fn xside_gap_three_methods(
    _b: &Bars<'_>,
    _s: &CandleSettings,
    _p: f64,
    _start: usize,
    _totals: &mut Totals,
) -> Box<dyn Scan> {
    scan!(b, _p, [], |i| {
        let hit = (b.color(i - 2) == b.color(i - 1))
            & (b.color(i - 1) == -b.color(i))
            & (b.o(i) < b.top(i - 1))
            & (b.o(i) > b.bottom(i - 1))
            & (b.c(i) < b.top(i - 2))
            & (b.c(i) > b.bottom(i - 2))
            & ((b.white(i - 2)) & (b.body_gap_up(i - 1, i - 2)) | (b.black(i - 2)) & (b.body_gap_down(i - 1, i - 2)));
        sign(hit, b.color(i - 2))
    })
}
