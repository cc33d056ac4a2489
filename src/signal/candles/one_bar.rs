//! Patterns of one bar (some compare with the bar before: hammer, hanging man, inverted hammer,
//! shooting star).

use super::bars::Bars;
use super::scan::{scan, Scan};
use super::settings::CandleSetting::*;
use super::settings::CandleSettings;
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
