//! From candidates to patterns: the breakout, the measured-move target, the confidence score,
//! the `min_confidence` filter, and the resolution of overlapping detections.
//!
//! * **Breakout**: the first bar after the last pivot, within as many bars as the pattern lasts
//!   (at least `min_duration`), whose close is above the upper line (bullish) or below the lower
//!   line (bearish), the lines extended. A pattern whose rules fix its direction has a breakout
//!   only if that first crossing is in its direction; a crossing the other way is a failure.
//!   A symmetrical triangle takes the direction of its first crossing (without one, that of the
//!   move into it).
//! * **Target**: the breakout line's price at the breakout bar (at the last pivot when there is
//!   none yet) plus the pattern's height for a bullish pattern, minus it for a bearish one.
//! * **Confidence**: `0.4 × rule + 0.3 × fit + 0.3 × breakout`, with `breakout` 1 for a
//!   confirmed breakout, 0.5 while none came within the horizon (or the data ended) and 0 for a
//!   failure.
//! * **Overlaps**: candidates are ranked by pivot count (more pivots first), then a fixed order
//!   of types (diamonds, head and shoulders, flags and pennants, cups, triple tops/bottoms,
//!   rectangles, triangles, wedges, broadening formations, double tops/bottoms, rounding), then
//!   confidence, then position; in that order one is kept unless a kept one of the same type
//!   shares two of its pivots, or one of another type shares three.

use super::rules::{Candidate, Ctx};
use super::{Bars, Found, Pivot, Settings};
use crate::control::Control;
use crate::error::{try_collect, try_with_capacity, Result};
use rayon::prelude::*;

/// Pivot positions handed to one parallel task.
const PIVOTS_PER_TASK: usize = 2048;

fn finish(c: Candidate, bars: Bars<'_>, pivots: &[Pivot], settings: &Settings, control: &Control) -> Result<Found> {
    let start = pivots[c.first].index;
    let end = pivots[c.first + c.count - 1].index;
    let horizon = (end - start).max(settings.min_duration);
    let last = (end + horizon).min(bars.len().saturating_sub(1));
    let mut crossed: Option<(usize, bool)> = None;
    for j in end + 1..=last {
        if (j - end).is_multiple_of(1 << 20) {
            control.check()?;
        }
        let x = j as f64;
        let close = bars.close[j];
        if close > c.upper.at(x) {
            crossed = Some((j, true));
            break;
        }
        if close < c.lower.at(x) {
            crossed = Some((j, false));
            break;
        }
    }
    let (bullish, breakout, score) = match (c.bullish, crossed) {
        (Some(b), Some((j, up))) if up == b => (b, Some(j), 1.0),
        (Some(b), Some(_)) => (b, None, 0.0),
        (Some(b), None) => (b, None, 0.5),
        (None, Some((j, up))) => (up, Some(j), 1.0),
        (None, None) => (c.fallback_bullish, None, 0.5),
    };
    let at = breakout.unwrap_or(end) as f64;
    let target = if bullish { c.upper.at(at) + c.height } else { c.lower.at(at) - c.height };
    let confidence = (0.4 * c.rule + 0.3 * c.fit + 0.3 * score).clamp(0.0, 1.0);
    Ok(Found {
        kind: c.kind,
        start,
        end,
        first_pivot: c.first,
        pivot_count: c.count,
        lines: c.shown,
        breakout,
        target,
        bullish,
        confidence,
    })
}

/// Candidates at every pivot (in parallel), finished, filtered and resolved.
pub fn detect_on(bars: Bars<'_>, pivots: &[Pivot], settings: &Settings, control: &Control) -> Result<Vec<Found>> {
    let ctx = Ctx { bars, pivots, tol: settings.tolerance, min_duration: settings.min_duration, settings };
    let tasks = pivots.len().div_ceil(PIVOTS_PER_TASK);
    let parts: Vec<Vec<Found>> = crate::parallel::install(|| {
        (0..tasks)
            .into_par_iter()
            .map(|t| -> Result<Vec<Found>> {
                control.check()?;
                let mut out = Vec::new();
                let mut here = Vec::new();
                for s in t * PIVOTS_PER_TASK..((t + 1) * PIVOTS_PER_TASK).min(pivots.len()) {
                    here.clear();
                    ctx.at(s, &mut here);
                    for c in here.drain(..) {
                        let f = finish(c, bars, pivots, settings, control)?;
                        if f.confidence >= settings.min_confidence {
                            out.push(f);
                        }
                    }
                }
                Ok(out)
            })
            .collect::<Result<Vec<_>>>()
    })??;
    let total: usize = parts.iter().map(Vec::len).sum();
    let mut all = try_with_capacity(total, "the chart-pattern candidates")?;
    for p in parts {
        all.extend(p);
    }
    control.check()?;
    resolve(all, pivots.len())
}

/// Keeps the best of overlapping detections (see the module's documentation), ordered by start.
fn resolve(mut all: Vec<Found>, pivot_count: usize) -> Result<Vec<Found>> {
    all.sort_by(|a, b| {
        b.pivot_count
            .cmp(&a.pivot_count)
            .then(a.kind.priority().cmp(&b.kind.priority()))
            .then(b.confidence.total_cmp(&a.confidence))
            .then(a.first_pivot.cmp(&b.first_pivot))
            .then(a.kind.cmp(&b.kind))
    });
    // Kept patterns by first pivot: conflicts are only possible within 6 positions.
    let mut by_first: Vec<Vec<u32>> = try_collect((0..pivot_count).map(|_| Vec::new()), "the pattern index")?;
    let mut keep = try_collect(all.iter().map(|_| false), "the pattern flags")?;
    for (i, f) in all.iter().enumerate() {
        let (s, e) = (f.first_pivot, f.first_pivot + f.pivot_count);
        let lo = s.saturating_sub(6);
        let hi = (s + 6).min(pivot_count.saturating_sub(1));
        let clash = (lo..=hi).any(|p| {
            by_first[p].iter().any(|&k| {
                let g = &all[k as usize];
                let (gs, ge) = (g.first_pivot, g.first_pivot + g.pivot_count);
                let shared = e.min(ge).saturating_sub(s.max(gs));
                if g.kind == f.kind {
                    shared >= 2
                } else {
                    shared >= 3
                }
            })
        });
        if !clash {
            keep[i] = true;
            by_first[s].push(i as u32);
        }
    }
    let mut kept: Vec<Found> = all.into_iter().zip(keep).filter_map(|(f, k)| k.then_some(f)).collect();
    kept.sort_by(|a, b| a.start.cmp(&b.start).then(a.end.cmp(&b.end)).then(a.kind.cmp(&b.kind)));
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::super::{detect, Kind, Settings};
    use super::*;

    /// Bars whose highs and lows run straight between the given pivots (close mid-bar).
    fn bars_through(points: &[(usize, f64)]) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let n = points.last().unwrap().0 + 1;
        let mut mid = vec![0.0; n];
        for w in points.windows(2) {
            let ((x0, y0), (x1, y1)) = (w[0], w[1]);
            for (x, m) in mid.iter_mut().enumerate().take(x1 + 1).skip(x0) {
                *m = y0 + (y1 - y0) * (x - x0) as f64 / (x1 - x0) as f64;
            }
        }
        let high: Vec<f64> = mid.iter().map(|m| m * 1.001).collect();
        let low: Vec<f64> = mid.iter().map(|m| m * 0.999).collect();
        (high, low, mid)
    }

    fn settings() -> Settings {
        Settings { threshold: 0.03, tolerance: 0.02, min_duration: 5, min_confidence: 0.0, kinds: u32::MAX }
    }

    #[test]
    fn finds_a_head_and_shoulders_with_its_breakout() {
        let pts = [
            (0, 90.0),
            (10, 100.0),
            (20, 108.0),
            (30, 100.0),
            (40, 115.0),
            (50, 100.5),
            (60, 108.5),
            (70, 100.0),
            (80, 80.0),
        ];
        let (h, l, c) = bars_through(&pts);
        let (pivots, found) = detect(Bars { high: &h, low: &l, close: &c }, &settings(), &Control::new()).unwrap();
        assert_eq!(pivots.len(), 6);
        let hs: Vec<&Found> = found.iter().filter(|f| f.kind == Kind::HeadAndShoulders).collect();
        assert_eq!(hs.len(), 1, "{found:?}");
        let f = hs[0];
        assert_eq!((f.start, f.end), (20, 60));
        assert!(!f.bullish);
        let b = f.breakout.unwrap();
        assert!(b > 60 && b < 75, "{b}");
        // Neckline ~100.2 at the breakout; head height 115.0*1.001 - neckline at bar 40.
        assert!(f.target < 90.0 && f.target > 80.0, "{}", f.target);
        assert!(f.confidence > 0.8);
    }

    #[test]
    fn finds_a_double_bottom() {
        let pts = [(0, 120.0), (10, 100.0), (20, 110.0), (30, 100.5), (40, 125.0)];
        let (h, l, c) = bars_through(&pts);
        let (_, found) = detect(Bars { high: &h, low: &l, close: &c }, &settings(), &Control::new()).unwrap();
        let d: Vec<&Found> = found.iter().filter(|f| f.kind == Kind::DoubleBottom).collect();
        assert_eq!(d.len(), 1, "{found:?}");
        assert!(d[0].bullish && d[0].breakout.is_some());
    }

    #[test]
    fn min_confidence_and_kinds_filter() {
        let pts = [(0, 120.0), (10, 100.0), (20, 110.0), (30, 100.5), (40, 125.0)];
        let (h, l, c) = bars_through(&pts);
        let mut st = settings();
        st.kinds = 1 << Kind::DoubleTop.code();
        let (_, found) = detect(Bars { high: &h, low: &l, close: &c }, &st, &Control::new()).unwrap();
        assert!(found.is_empty());
        let mut st = settings();
        st.min_confidence = 1.0;
        st.kinds = 1 << Kind::DoubleBottom.code();
        let (_, found) = detect(Bars { high: &h, low: &l, close: &c }, &st, &Control::new()).unwrap();
        assert!(found.iter().all(|f| f.confidence >= 1.0));
    }

    #[test]
    fn bad_bars_are_refused() {
        let h = [1.0, 2.0];
        let l = [1.0, 2.5];
        let c = [1.0, 2.0];
        assert!(detect(Bars { high: &h, low: &l, close: &c }, &settings(), &Control::new()).is_err());
        let mut st = settings();
        st.tolerance = 0.0;
        assert!(detect(Bars { high: &h, low: &h, close: &c }, &st, &Control::new()).is_err());
    }
}
