//! Patterns of four or five bars, and the two hikkake patterns, which carry a state from bar to
//! bar (a pattern waits up to three bars for its confirmation).

use super::bars::{Bars, BLOCK};
use super::scan::{scan, Scan};
use super::settings::CandleSetting::*;
use super::settings::CandleSettings;
use super::sign;
use super::totals::{Avg, Totals};

pub(super) fn three_line_strike(
    b: &Bars<'_>,
    s: &CandleSettings,
    _p: f64,
    start: usize,
    totals: &mut Totals,
) -> Box<dyn Scan> {
    let near3 = totals.avg(b, s, Near, 3, start);
    let near2 = totals.avg(b, s, Near, 2, start);
    scan!(b, _p, [near3, near2], |i| {
        let hit = ((b.color(i - 3) == b.color(i - 2))
            & (b.color(i - 2) == b.color(i - 1))
            & (b.color(i) == -b.color(i - 1))
            & ((b.white(i - 1))
                & (b.c(i - 1) > b.c(i - 2))
                & (b.c(i - 2) > b.c(i - 3))
                & (b.o(i) > b.c(i - 1))
                & (b.c(i) < b.o(i - 3))
                | (b.black(i - 1))
                    & (b.c(i - 1) < b.c(i - 2))
                    & (b.c(i - 2) < b.c(i - 3))
                    & (b.o(i) < b.c(i - 1))
                    & (b.c(i) > b.o(i - 3))))
            & ((b.o(i - 2) >= b.bottom(i - 3) - near3.at(b, i))
                & (b.o(i - 2) <= b.top(i - 3) + near3.at(b, i))
                & (b.o(i - 1) >= b.bottom(i - 2) - near2.at(b, i))
                & (b.o(i - 1) <= b.top(i - 2) + near2.at(b, i)));
        sign(hit, b.color(i - 1))
    })
}

pub(super) fn breakaway(b: &Bars<'_>, s: &CandleSettings, _p: f64, start: usize, totals: &mut Totals) -> Box<dyn Scan> {
    let bl = totals.avg(b, s, BodyLong, 4, start);
    scan!(b, _p, [bl], |i| {
        let hit = ((b.color(i - 4) == b.color(i - 3))
            & (b.color(i - 3) == b.color(i - 1))
            & (b.color(i - 1) == -b.color(i))
            & ((b.black(i - 4))
                & (b.body_gap_down(i - 3, i - 4))
                & (b.h(i - 2) < b.h(i - 3))
                & (b.l(i - 2) < b.l(i - 3))
                & (b.h(i - 1) < b.h(i - 2))
                & (b.l(i - 1) < b.l(i - 2))
                & (b.c(i) > b.o(i - 3))
                & (b.c(i) < b.c(i - 4))
                | (b.white(i - 4))
                    & (b.body_gap_up(i - 3, i - 4))
                    & (b.h(i - 2) > b.h(i - 3))
                    & (b.l(i - 2) > b.l(i - 3))
                    & (b.h(i - 1) > b.h(i - 2))
                    & (b.l(i - 1) > b.l(i - 2))
                    & (b.c(i) < b.o(i - 3))
                    & (b.c(i) > b.c(i - 4))))
            & (b.body(i - 4) > bl.at(b, i));
        sign(hit, b.color(i))
    })
}

pub(super) fn conceal_baby_swallow(
    b: &Bars<'_>,
    s: &CandleSettings,
    _p: f64,
    start: usize,
    totals: &mut Totals,
) -> Box<dyn Scan> {
    let vs3 = totals.avg(b, s, ShadowVeryShort, 3, start);
    let vs2 = totals.avg(b, s, ShadowVeryShort, 2, start);
    let vs1 = totals.avg(b, s, ShadowVeryShort, 1, start);
    scan!(b, _p, [vs3, vs2, vs1], |i| {
        let hit = ((b.black(i - 3))
            & (b.black(i - 2))
            & (b.black(i - 1))
            & (b.black(i))
            & (b.body_gap_down(i - 1, i - 2))
            & (b.h(i - 1) > b.c(i - 2))
            & (b.h(i) > b.h(i - 1))
            & (b.l(i) < b.l(i - 1)))
            & ((b.lower(i - 3) < vs3.at(b, i))
                & (b.upper(i - 3) < vs3.at(b, i))
                & (b.lower(i - 2) < vs2.at(b, i))
                & (b.upper(i - 2) < vs2.at(b, i))
                & (b.upper(i - 1) > vs1.at(b, i)));
        sign(hit, 1)
    })
}

pub(super) fn ladder_bottom(
    b: &Bars<'_>,
    s: &CandleSettings,
    _p: f64,
    start: usize,
    totals: &mut Totals,
) -> Box<dyn Scan> {
    let vs = totals.avg(b, s, ShadowVeryShort, 1, start);
    scan!(b, _p, [vs], |i| {
        let hit = ((b.black(i - 4))
            & (b.black(i - 3))
            & (b.black(i - 2))
            & (b.o(i - 4) > b.o(i - 3))
            & (b.o(i - 3) > b.o(i - 2))
            & (b.c(i - 4) > b.c(i - 3))
            & (b.c(i - 3) > b.c(i - 2))
            & (b.black(i - 1))
            & (b.white(i))
            & (b.o(i) > b.o(i - 1))
            & (b.c(i) > b.h(i - 1)))
            & (b.upper(i - 1) > vs.at(b, i));
        sign(hit, 1)
    })
}

pub(super) fn mat_hold(b: &Bars<'_>, s: &CandleSettings, p: f64, start: usize, totals: &mut Totals) -> Box<dyn Scan> {
    let bl4 = totals.avg(b, s, BodyLong, 4, start);
    let bs3 = totals.avg(b, s, BodyShort, 3, start);
    let bs2 = totals.avg(b, s, BodyShort, 2, start);
    let bs1 = totals.avg(b, s, BodyShort, 1, start);
    scan!(b, p, [bl4, bs3, bs2, bs1], |i| {
        let floor = b.c(i - 4) - b.body(i - 4) * p;
        let hit = ((b.white(i - 4))
            & (b.black(i - 3))
            & (b.white(i))
            & (b.body_gap_up(i - 3, i - 4))
            & (b.bottom(i - 2) < b.c(i - 4))
            & (b.bottom(i - 1) < b.c(i - 4))
            & (b.bottom(i - 2) > floor)
            & (b.bottom(i - 1) > floor)
            & (b.top(i - 2) < b.o(i - 3))
            & (b.top(i - 1) < b.top(i - 2))
            & (b.o(i) > b.c(i - 1))
            & (b.c(i) > b.h(i - 3).max(b.h(i - 2)).max(b.h(i - 1))))
            & ((b.body(i - 4) > bl4.at(b, i))
                & (b.body(i - 3) < bs3.at(b, i))
                & (b.body(i - 2) < bs2.at(b, i))
                & (b.body(i - 1) < bs1.at(b, i)));
        sign(hit, 1)
    })
}

pub(super) fn rise_fall_three_methods(
    b: &Bars<'_>,
    s: &CandleSettings,
    _p: f64,
    start: usize,
    totals: &mut Totals,
) -> Box<dyn Scan> {
    let bl4 = totals.avg(b, s, BodyLong, 4, start);
    let bs3 = totals.avg(b, s, BodyShort, 3, start);
    let bs2 = totals.avg(b, s, BodyShort, 2, start);
    let bs1 = totals.avg(b, s, BodyShort, 1, start);
    let bl0 = totals.avg(b, s, BodyLong, 0, start);
    scan!(b, _p, [bl4, bs3, bs2, bs1, bl0], |i| {
        // Colours as booleans and `d = ±1.0` as a select (no integer conversions, so that the
        // loop vectorises): `col == -color` is "the colours differ", and `x * d` is exact.
        let (w4, w3, w2, w1, w0) = (b.white(i - 4), b.white(i - 3), b.white(i - 2), b.white(i - 1), b.white(i));
        let d = if w4 { 1.0 } else { -1.0 };
        let hit = ((w4 != w3)
            & (w3 == w2)
            & (w2 == w1)
            & (w1 != w0)
            & (b.bottom(i - 3) < b.h(i - 4))
            & (b.top(i - 3) > b.l(i - 4))
            & (b.bottom(i - 2) < b.h(i - 4))
            & (b.top(i - 2) > b.l(i - 4))
            & (b.bottom(i - 1) < b.h(i - 4))
            & (b.top(i - 1) > b.l(i - 4))
            & (b.c(i - 2) * d < b.c(i - 3) * d)
            & (b.c(i - 1) * d < b.c(i - 2) * d)
            & (b.o(i) * d > b.c(i - 1) * d)
            & (b.c(i) * d > b.c(i - 4) * d))
            & ((b.body(i - 4) > bl4.at(b, i))
                & (b.body(i - 3) < bs3.at(b, i))
                & (b.body(i - 2) < bs2.at(b, i))
                & (b.body(i - 1) < bs1.at(b, i))
                & (b.body(i) > bl0.at(b, i)));
        sign(hit, if w4 { 1 } else { -1 })
    })
}

/// The state the hikkake patterns carry: the bar of the last pattern and its sign (x100).
struct Hikkake {
    idx: usize,
    result: i32,
}

impl Hikkake {
    /// Whether bar `i` confirms the pending pattern (a close beyond the inside bar's range).
    #[inline(always)]
    fn confirms(&self, b: &Bars<'_>, i: usize) -> bool {
        i <= self.idx + 3
            && self.idx >= 1
            && (self.result > 0 && b.c(i) > b.h(self.idx - 1) || self.result < 0 && b.c(i) < b.l(self.idx - 1))
    }

    /// The output at bar `i` given whether a new pattern ends there.
    #[inline(always)]
    fn step(&mut self, b: &Bars<'_>, i: usize, pattern: bool) -> i32 {
        if pattern {
            self.result = if b.h(i) < b.h(i - 1) { 100 } else { -100 };
            self.idx = i;
            self.result
        } else if self.confirms(b, i) {
            self.idx = 0;
            self.result + if self.result > 0 { 100 } else { -100 }
        } else {
            0
        }
    }
}

#[inline(always)]
fn hikkake_at(b: &Bars<'_>, i: usize) -> bool {
    (b.h(i - 1) < b.h(i - 2))
        & (b.l(i - 1) > b.l(i - 2))
        & ((b.h(i) < b.h(i - 1)) & (b.l(i) < b.l(i - 1)) | (b.h(i) > b.h(i - 1)) & (b.l(i) > b.l(i - 1)))
}

/// The hikkake patterns' serial part: the block's pattern bars (found by a branch-free loop)
/// run through the state, bar by bar.
fn hikkake_block(st: &mut Hikkake, b: &Bars<'_>, from: usize, hits: &[bool], out: &mut [i32]) {
    for (j, (slot, &hit)) in out.iter_mut().zip(hits).enumerate() {
        *slot = st.step(b, from + j, hit);
    }
}

struct HikkakeScan {
    st: Hikkake,
}

impl Scan for HikkakeScan {
    fn block(&mut self, b: &Bars<'_>, _totals: &Totals, from: usize, out: &mut [i32]) {
        let mut hits = [false; BLOCK];
        for (j, hit) in hits.iter_mut().take(out.len()).enumerate() {
            *hit = hikkake_at(b, from + j);
        }
        hikkake_block(&mut self.st, b, from, &hits, out);
    }
}

pub(super) fn hikkake(b: &Bars<'_>, _s: &CandleSettings, _p: f64, start: usize, _totals: &mut Totals) -> Box<dyn Scan> {
    let mut st = Hikkake { idx: 0, result: 0 };
    for i in start - 3..start {
        st.step(b, i, hikkake_at(b, i));
    }
    Box::new(HikkakeScan { st })
}

/// The modified hikkake's pattern at bar `i`, given its "near" threshold there.
#[inline(always)]
fn hikkake_mod_at(b: &Bars<'_>, near: f64, i: usize) -> bool {
    (b.h(i - 2) < b.h(i - 3))
        & (b.l(i - 2) > b.l(i - 3))
        & (b.h(i - 1) < b.h(i - 2))
        & (b.l(i - 1) > b.l(i - 2))
        & ((b.h(i) < b.h(i - 1)) & (b.l(i) < b.l(i - 1)) & (b.c(i - 2) <= b.l(i - 2) + near)
            | (b.h(i) > b.h(i - 1)) & (b.l(i) > b.l(i - 1)) & (b.c(i - 2) >= b.h(i - 2) - near))
}

struct HikkakeModScan {
    st: Hikkake,
    near: Avg,
    /// The first bar; the three before it warm the state up in the first block.
    start: Option<usize>,
}

impl Scan for HikkakeModScan {
    fn block(&mut self, b: &Bars<'_>, totals: &Totals, from: usize, out: &mut [i32]) {
        let near = totals.view(&self.near);
        // TA-Lib starts this total three bars early and moves the state through those bars.
        if let Some(start) = self.start.take() {
            for i in start - 3..start {
                self.st.step(b, i, hikkake_mod_at(b, near.at(b, i), i));
            }
        }
        let mut hits = [false; BLOCK];
        for (j, hit) in hits.iter_mut().take(out.len()).enumerate() {
            *hit = hikkake_mod_at(b, near.at(b, from + j), from + j);
        }
        hikkake_block(&mut self.st, b, from, &hits, out);
    }
}

pub(super) fn hikkake_mod(
    b: &Bars<'_>,
    s: &CandleSettings,
    _p: f64,
    start: usize,
    totals: &mut Totals,
) -> Box<dyn Scan> {
    let near = totals.avg(b, s, Near, 2, start - 3);
    Box::new(HikkakeModScan { st: Hikkake { idx: 0, result: 0 }, near, start: Some(start) })
}
