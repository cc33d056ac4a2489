//! The geometric rules of each pattern over a window of consecutive zig-zag pivots. A rule set
//! returns a [`Candidate`]: the pattern's boundary lines, its height, a rule score in [0.5, 1]
//! (how well its equalities hold) and a fit score (how well its pivots lie on its lines); the
//! breakout, target and confidence are added in [`super::resolve`]. The rules are written down in
//! `docs/signal-patterns.md`; "within tolerance" below means a difference of at most
//! `tolerance × level`, where `level` is the mean price of the window's pivots.

use super::fit::{roundness, Line};
use super::pivots::Pivot;
use super::{Bars, Kind, Settings};

/// A pattern found by its rules, before the breakout is looked for.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub kind: Kind,
    /// Position of the first pivot in the pivot list, and how many pivots define the pattern.
    pub first: usize,
    pub count: usize,
    /// A close above `upper` is a bullish breakout, one below `lower` a bearish one.
    pub upper: Line,
    pub lower: Line,
    /// The lines reported (neckline, boundaries).
    pub shown: Vec<Line>,
    pub height: f64,
    pub rule: f64,
    pub fit: f64,
    /// The pattern's direction when its rules fix it (`None`: set by the breakout).
    pub bullish: Option<bool>,
    /// The direction of a pattern whose rules do not fix one when no breakout came.
    pub fallback_bullish: bool,
}

/// What every rule set reads.
pub struct Ctx<'a> {
    pub bars: Bars<'a>,
    pub pivots: &'a [Pivot],
    pub tol: f64,
    pub min_duration: usize,
    pub settings: &'a Settings,
}

/// The score of an equality `|a - b| <= limit`: 1 when exact, 0.5 at the limit, `None` beyond.
fn equal(a: f64, b: f64, limit: f64) -> Option<f64> {
    let err = (a - b).abs() / limit;
    (err <= 1.0).then_some(1.0 - 0.5 * err)
}

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

/// How well a fitted line's points lie on it: 1 − ½·min(1, rms / (tolerance × level)); a line
/// through two points scores 1.
fn line_fit(line: &Line, tol_abs: f64) -> f64 {
    if line.points <= 2 {
        1.0
    } else {
        1.0 - 0.5 * (line.rms / tol_abs).min(1.0)
    }
}

/// Whether the legs between consecutive pivots are balanced: the longest (in bars) at most
/// [`LEG_RATIO`] times the shortest.
fn balanced(w: &[Pivot]) -> bool {
    let legs = w.windows(2).map(|p| p[1].index - p[0].index);
    let (lo, hi) = legs.fold((usize::MAX, 0), |(lo, hi), l| (lo.min(l), hi.max(l)));
    hi <= LEG_RATIO * lo
}

/// A flag's channel is as wide at its end as at its start within this factor; a pennant's is
/// narrower than its start by more.
pub const FLAG_RATIO: f64 = 1.5;

/// The longest leg of a pattern may be this many times its shortest.
pub const LEG_RATIO: usize = 4;

/// Whether consecutive points follow a line's direction: `dir` 1 rising (each above the one
/// before by at least `t / 2`), -1 falling (below it by at least `t / 2`), 0 flat (each within `t` of
/// the fitted line).
fn follows(points: &[(usize, f64)], line: &Line, dir: i8, t: f64) -> bool {
    match dir {
        0 => points.iter().all(|&(x, y)| (y - line.at(x as f64)).abs() <= t),
        1 => points.windows(2).all(|p| p[1].1 >= p[0].1 + t / 2.0),
        _ => points.windows(2).all(|p| p[1].1 <= p[0].1 - t / 2.0),
    }
}

impl<'a> Ctx<'a> {
    fn window(&self, s: usize, k: usize) -> Option<&'a [Pivot]> {
        let w = self.pivots.get(s..s + k)?;
        (w[k - 1].index - w[0].index >= self.min_duration).then_some(w)
    }

    /// [`Ctx::window`] whose legs are [`balanced`].
    fn balanced_window(&self, s: usize, k: usize) -> Option<&'a [Pivot]> {
        self.window(s, k).filter(|w| balanced(w))
    }

    fn level(w: &[Pivot]) -> f64 {
        w.iter().map(|p| p.price).sum::<f64>() / w.len() as f64
    }

    /// Whether price came into the window from below: the close half the window's length
    /// before its first pivot is under `mid` (`None` when that bar is before the data).
    fn came_from_below(&self, w: &[Pivot], mid: f64) -> Option<bool> {
        let x0 = w[0].index;
        let back = (w[w.len() - 1].index - x0).div_ceil(2).max(1);
        let j = x0.checked_sub(back)?;
        Some(self.bars.close[j] < mid)
    }

    /// Every pattern whose first pivot is `s`.
    pub fn at(&self, s: usize, out: &mut Vec<Candidate>) {
        let st = self.settings;
        use Kind::*;
        let any = |ks: &[Kind]| ks.iter().any(|&k| st.wants(k));
        if any(&[HeadAndShoulders, InverseHeadAndShoulders]) {
            out.extend(self.head_and_shoulders(s));
        }
        if any(&[DoubleTop, DoubleBottom]) {
            out.extend(self.double(s));
        }
        if any(&[TripleTop, TripleBottom]) {
            out.extend(self.triple(s));
        }
        if any(&[
            AscendingTriangle,
            DescendingTriangle,
            SymmetricalTriangle,
            RisingWedge,
            FallingWedge,
            BroadeningTop,
            BroadeningBottom,
            RectangleTop,
            RectangleBottom,
        ]) {
            out.extend(self.boundaries(s, 5));
            out.extend(self.boundaries(s, 6));
        }
        if any(&[BullFlag, BearFlag, BullPennant, BearPennant]) {
            out.extend(self.flag(s));
        }
        if any(&[CupAndHandle, InverseCupAndHandle]) {
            out.extend(self.cup(s));
        }
        if any(&[RoundingBottom, RoundingTop]) {
            out.extend(self.rounding(s));
        }
        if any(&[DiamondTop, DiamondBottom]) {
            out.extend(self.diamond(s));
        }
        out.retain(|c| st.wants(c.kind));
    }

    /// Head and shoulders: peak (left shoulder), trough, peak (head), trough, peak (right
    /// shoulder); the head above both shoulders by more than the tolerance, the shoulders equal
    /// within it, the two neckline troughs within twice it. Mirrored for the inverse.
    fn head_and_shoulders(&self, s: usize) -> Option<Candidate> {
        let w = self.balanced_window(s, 5)?;
        let top = w[0].peak;
        let g = if top { 1.0 } else { -1.0 };
        let level = Self::level(w);
        let t = self.tol * level;
        let v: Vec<f64> = w.iter().map(|p| g * p.price).collect();
        if v[2] - v[0].max(v[4]) <= t {
            return None;
        }
        let shoulders = equal(v[0], v[4], t)?;
        let neck_level = equal(v[1], v[3], 2.0 * t)?;
        let mut neck = Line::fit(&[(w[1].index, w[1].price), (w[3].index, w[3].price)]);
        neck.x0 = w[0].index;
        neck.x1 = w[4].index;
        let head = Line::flat(w[2].price, w[0].index, w[4].index);
        let height = (w[2].price - neck.at(w[2].index as f64)).abs();
        let (upper, lower) = if top { (head, neck) } else { (neck, head) };
        Some(Candidate {
            kind: if top { Kind::HeadAndShoulders } else { Kind::InverseHeadAndShoulders },
            first: s,
            count: 5,
            upper,
            lower,
            shown: vec![neck],
            height,
            rule: (shoulders + neck_level) / 2.0,
            fit: 1.0,
            bullish: Some(!top),
            fallback_bullish: !top,
        })
    }

    /// Double top: peak, trough, peak with the peaks equal within the tolerance, and neither the
    /// peak before nor the peak after equal to them too (that is a triple top). Mirrored for the
    /// double bottom. The neckline is horizontal at the trough.
    fn double(&self, s: usize) -> Option<Candidate> {
        let w = self.balanced_window(s, 3)?;
        let top = w[0].peak;
        let level = Self::level(w);
        let t = self.tol * level;
        let m = (w[0].price + w[2].price) / 2.0;
        let score = equal(w[0].price, w[2].price, t)?;
        let repeats = |p: Option<&Pivot>| p.is_some_and(|p| (p.price - m).abs() <= t);
        if repeats(s.checked_sub(2).and_then(|i| self.pivots.get(i))) || repeats(self.pivots.get(s + 4)) {
            return None;
        }
        let (x0, x1) = (w[0].index, w[2].index);
        let neck = Line::flat(w[1].price, x0, x1);
        let extreme = Line::flat(if top { w[0].price.max(w[2].price) } else { w[0].price.min(w[2].price) }, x0, x1);
        let (upper, lower) = if top { (extreme, neck) } else { (neck, extreme) };
        Some(Candidate {
            kind: if top { Kind::DoubleTop } else { Kind::DoubleBottom },
            first: s,
            count: 3,
            upper,
            lower,
            shown: vec![neck],
            height: (m - w[1].price).abs(),
            rule: score,
            fit: 1.0,
            bullish: Some(!top),
            fallback_bullish: !top,
        })
    }

    /// Triple top: peak, trough, peak, trough, peak with every peak within the tolerance of their
    /// mean, and the two troughs within twice the tolerance (the neckline through them). Mirrored
    /// for the triple bottom.
    fn triple(&self, s: usize) -> Option<Candidate> {
        let w = self.balanced_window(s, 5)?;
        let top = w[0].peak;
        let level = Self::level(w);
        let t = self.tol * level;
        let tops = [w[0].price, w[2].price, w[4].price];
        let m = mean(&tops);
        let worst = tops.iter().map(|p| (p - m).abs()).fold(0.0, f64::max);
        let peaks = equal(worst, 0.0, t)?;
        let neck_level = equal(w[1].price, w[3].price, 2.0 * t)?;
        let mut neck = Line::fit(&[(w[1].index, w[1].price), (w[3].index, w[3].price)]);
        neck.x0 = w[0].index;
        neck.x1 = w[4].index;
        let mut edge = Line::fit(&[(w[0].index, tops[0]), (w[2].index, tops[1]), (w[4].index, tops[2])]);
        let fit = line_fit(&edge, t);
        edge.x0 = w[0].index;
        let (upper, lower) = if top { (edge, neck) } else { (neck, edge) };
        Some(Candidate {
            kind: if top { Kind::TripleTop } else { Kind::TripleBottom },
            first: s,
            count: 5,
            upper,
            lower,
            shown: vec![neck, edge],
            height: (m - neck.at(w[2].index as f64)).abs(),
            rule: (peaks + neck_level) / 2.0,
            fit,
            bullish: Some(!top),
            fallback_bullish: !top,
        })
    }

    /// Triangles, wedges and broadening formations over 5 pivots, rectangles over 6: an upper line
    /// fitted by least squares to the peaks, a lower one to the troughs, each line's slope as its
    /// relative change over the window (`slope × bars / level`) called flat within the tolerance,
    /// rising above it, falling below minus it; converging when the upper line's relative slope is
    /// under the lower's by more than the tolerance, diverging when above it by more.
    fn boundaries(&self, s: usize, k: usize) -> Option<Candidate> {
        let w = self.balanced_window(s, k)?;
        let level = Self::level(w);
        let t = self.tol * level;
        let tol = self.tol;
        let highs: Vec<(usize, f64)> = w.iter().filter(|p| p.peak).map(|p| (p.index, p.price)).collect();
        let lows: Vec<(usize, f64)> = w.iter().filter(|p| !p.peak).map(|p| (p.index, p.price)).collect();
        let (x0, x1) = (w[0].index, w[k - 1].index);
        let span = (x1 - x0) as f64;
        let mut upper = Line::fit(&highs);
        let mut lower = Line::fit(&lows);
        (upper.x0, upper.x1, lower.x0, lower.x1) = (x0, x1, x0, x1);
        let w0 = upper.at(x0 as f64) - lower.at(x0 as f64);
        let w1 = upper.at(x1 as f64) - lower.at(x1 as f64);
        if w0 <= 0.0 || w1 <= 0.0 {
            return None;
        }
        let su = upper.slope * span / level;
        let sl = lower.slope * span / level;
        let flat = |x: f64| x.abs() <= tol;
        let conv = su - sl;
        let fit = (line_fit(&upper, t) + line_fit(&lower, t)) / 2.0;
        let flatness = |x: f64| 1.0 - 0.5 * (x.abs() / tol).min(1.0);
        let mid = (upper.at(x0 as f64) + lower.at(x0 as f64)) / 2.0;
        use Kind::*;
        let (kind, rule, bullish) = if k == 6 {
            if !(flat(su) && flat(sl)) {
                return None;
            }
            let below = self.came_from_below(w, mid)?;
            (if below { RectangleTop } else { RectangleBottom }, (flatness(su) + flatness(sl)) / 2.0, Some(!below))
        } else if flat(su) && sl > tol && conv < -tol {
            (AscendingTriangle, flatness(su), Some(true))
        } else if su < -tol && flat(sl) && conv < -tol {
            (DescendingTriangle, flatness(sl), Some(false))
        } else if su < -tol && sl > tol {
            (SymmetricalTriangle, 1.0, None)
        } else if su > tol && sl > tol && conv < -tol {
            (RisingWedge, 1.0, Some(false))
        } else if su < -tol && sl < -tol && conv < -tol {
            (FallingWedge, 1.0, Some(true))
        } else if su > tol && sl < -tol {
            let below = self.came_from_below(w, mid)?;
            (if below { BroadeningTop } else { BroadeningBottom }, 1.0, Some(!below))
        } else {
            return None;
        };
        let dir = |x: f64| {
            if flat(x) {
                0
            } else if x > 0.0 {
                1
            } else {
                -1
            }
        };
        if !(follows(&highs, &upper, dir(su), t) && follows(&lows, &lower, dir(sl), t)) {
            return None;
        }
        let fallback_bullish = bullish.unwrap_or_else(|| self.came_from_below(w, mid).unwrap_or(true));
        Some(Candidate {
            kind,
            first: s,
            count: k,
            upper,
            lower,
            shown: vec![upper, lower],
            height: w0.max(w1),
            rule,
            fit,
            bullish,
            fallback_bullish,
        })
    }

    /// Flags and pennants: a pole (trough to peak for the bullish ones) then four pivots of
    /// consolidation (peak, trough, peak, trough) with balanced legs, whose swings stay within the
    /// upper half of the pole (its second peak not above the pole's top), whose length is at least
    /// the pole's, and whose two lines (through its peaks and through its troughs) are about
    /// parallel (the channel's width at its last pivot within a factor 1.5 of its width at its
    /// first) with their mean slope against the pole (flag), or converge (narrower by more than
    /// that factor) with the upper falling and the lower rising (pennant). Mirrored for the
    /// bearish ones.
    fn flag(&self, s: usize) -> Option<Candidate> {
        let w = self.window(s, 5)?;
        if !balanced(&w[1..]) {
            return None;
        }
        let bull = !w[0].peak;
        let g = if bull { 1.0 } else { -1.0 };
        let v: Vec<f64> = w.iter().map(|p| g * p.price).collect();
        let pole = v[1] - v[0];
        if pole <= 0.0 || v[3] > v[1] || v[2].min(v[4]) < v[1] - 0.5 * pole {
            return None;
        }
        if w[1].index - w[0].index > w[4].index - w[1].index {
            return None;
        }
        let mut up = Line::fit(&[(w[1].index, w[1].price), (w[3].index, w[3].price)]);
        let mut lo = Line::fit(&[(w[2].index, w[2].price), (w[4].index, w[4].price)]);
        (up.x0, up.x1, lo.x0, lo.x1) = (w[1].index, w[4].index, w[1].index, w[4].index);
        let (hi_line, lo_line) = if bull { (up, lo) } else { (lo, up) };
        let (x1, x4) = (w[1].index as f64, w[4].index as f64);
        let (w_start, w_end) = (hi_line.at(x1) - lo_line.at(x1), hi_line.at(x4) - lo_line.at(x4));
        if w_start <= 0.0 || w_end <= 0.0 {
            return None;
        }
        let ratio = w_end / w_start;
        let mid_slope = (hi_line.slope + lo_line.slope) / 2.0;
        use Kind::*;
        let (kind, rule) = if (FLAG_RATIO.recip()..=FLAG_RATIO).contains(&ratio) && g * mid_slope < 0.0 {
            (if bull { BullFlag } else { BearFlag }, 1.0 - 0.5 * ratio.ln().abs() / FLAG_RATIO.ln())
        } else if ratio < FLAG_RATIO.recip() && hi_line.slope < 0.0 && lo_line.slope > 0.0 {
            (if bull { BullPennant } else { BearPennant }, 1.0)
        } else {
            return None;
        };
        Some(Candidate {
            kind,
            first: s,
            count: 5,
            upper: hi_line,
            lower: lo_line,
            shown: vec![hi_line, lo_line],
            height: pole.abs(),
            rule,
            fit: 1.0,
            bullish: Some(bull),
            fallback_bullish: bull,
        })
    }

    /// Cup and handle: peak (left rim), trough (bottom), peak (right rim), trough (handle low):
    /// rims equal within the tolerance; the closes from rim to rim round (a parabola fits them with
    /// R² ≥ 0.5 and at least 40 % of them lie in the third of the depth nearest the bottom); the
    /// handle retraces at most half the depth and its down-leg lasts at most half the cup.
    /// Mirrored for the inverse.
    fn cup(&self, s: usize) -> Option<Candidate> {
        let w = self.window(s, 4)?;
        if !balanced(&w[..3]) {
            return None;
        }
        let bottom = w[0].peak;
        let g = if bottom { 1.0 } else { -1.0 };
        let level = Self::level(w);
        let t = self.tol * level;
        let rims = equal(w[0].price, w[2].price, t)?;
        let rim = (w[0].price + w[2].price) / 2.0;
        let depth = g * (rim - w[1].price);
        if depth <= 0.0 || g * (w[2].price - w[3].price) > 0.5 * depth {
            return None;
        }
        if 2 * (w[3].index - w[2].index) > w[2].index - w[0].index {
            return None;
        }
        let (r2, near) = roundness(&self.bars.close[w[0].index..=w[2].index], w[1].price, rim, bottom);
        if r2 < 0.5 || near < 0.4 {
            return None;
        }
        let mut rim_line = Line::fit(&[(w[0].index, w[0].price), (w[2].index, w[2].price)]);
        rim_line.x1 = w[3].index;
        let handle = Line::flat(w[3].price, w[2].index, w[3].index);
        let (upper, lower) = if bottom { (rim_line, handle) } else { (handle, rim_line) };
        Some(Candidate {
            kind: if bottom { Kind::CupAndHandle } else { Kind::InverseCupAndHandle },
            first: s,
            count: 4,
            upper,
            lower,
            shown: vec![rim_line],
            height: depth,
            rule: rims,
            fit: r2,
            bullish: Some(bottom),
            fallback_bullish: bottom,
        })
    }

    /// Rounding bottom: peak, trough, peak with the closes between the two peaks round (a parabola
    /// fits them with R² ≥ 0.6 and at least 45 % lie in the third of the depth nearest the bottom,
    /// the depth measured from the lower rim). The neckline is horizontal at the right rim.
    /// Mirrored for the rounding top.
    fn rounding(&self, s: usize) -> Option<Candidate> {
        let w = self.balanced_window(s, 3)?;
        let bottom = w[0].peak;
        let rim = if bottom { w[0].price.min(w[2].price) } else { w[0].price.max(w[2].price) };
        let (r2, near) = roundness(&self.bars.close[w[0].index..=w[2].index], w[1].price, rim, bottom);
        if r2 < 0.6 || near < 0.45 {
            return None;
        }
        let (x0, x1) = (w[0].index, w[2].index);
        let neck = Line::flat(w[2].price, x0, x1);
        let extreme = Line::flat(w[1].price, x0, x1);
        let (upper, lower) = if bottom { (neck, extreme) } else { (extreme, neck) };
        Some(Candidate {
            kind: if bottom { Kind::RoundingBottom } else { Kind::RoundingTop },
            first: s,
            count: 3,
            upper,
            lower,
            shown: vec![neck],
            height: (w[2].price - w[1].price).abs(),
            rule: ((near - 0.45) / 0.55 * 0.5 + 0.5).min(1.0),
            fit: r2,
            bullish: Some(bottom),
            fallback_bullish: bottom,
        })
    }

    /// Diamond: six pivots whose three peaks and three troughs first widen (the second peak above
    /// the first and the second trough below the first, each by more than the tolerance) then
    /// narrow (the third peak below the second, the third trough above the second, likewise). A
    /// diamond top when price came in from below its midline, a bottom from above.
    fn diamond(&self, s: usize) -> Option<Candidate> {
        let w = self.balanced_window(s, 6)?;
        let level = Self::level(w);
        let t = self.tol * level;
        let h: Vec<&Pivot> = w.iter().filter(|p| p.peak).collect();
        let l: Vec<&Pivot> = w.iter().filter(|p| !p.peak).collect();
        let widens = h[1].price > h[0].price + t && l[1].price < l[0].price - t;
        let narrows = h[2].price < h[1].price - t && l[2].price > l[1].price + t;
        if !(widens && narrows) {
            return None;
        }
        let seg = |a: &Pivot, b: &Pivot| Line::fit(&[(a.index, a.price), (b.index, b.price)]);
        let (ul, ur, ll, lr) = (seg(h[0], h[1]), seg(h[1], h[2]), seg(l[0], l[1]), seg(l[1], l[2]));
        let mid = (h[0].price + l[0].price) / 2.0;
        let below = self.came_from_below(w, mid)?;
        Some(Candidate {
            kind: if below { Kind::DiamondTop } else { Kind::DiamondBottom },
            first: s,
            count: 6,
            upper: ur,
            lower: lr,
            shown: vec![ul, ur, ll, lr],
            height: h[1].price - l[1].price,
            rule: 1.0,
            fit: 1.0,
            bullish: Some(!below),
            fallback_bullish: !below,
        })
    }
}
