//! Swing pivots by a percentage zig-zag on highs and lows.
//!
//! The rule (also in `docs/signal-patterns.md`): a peak is a bar's **high**, a trough a bar's
//! **low**. While an up-leg runs, the candidate peak is the highest high since the leg began (a
//! later equal high does not replace it: ties keep the earlier bar). A bar that does not make a
//! new high confirms the candidate as a peak when its low is at or below `peak × (1 − threshold)`;
//! that bar is the pivot's confirmation bar and starts the down-leg with its low as the candidate
//! trough. Down-legs mirror this (a new low is strictly lower; a trough is confirmed by a high at
//! or above `trough × (1 + threshold)`). Before the first pivot both the highest high and the
//! lowest low are tracked; whichever reversal happens first is confirmed, and when one bar
//! reverses both (an earlier outside bar) the larger relative reversal wins (the peak on a tie).
//! The last, still unconfirmed extreme is not a pivot. Pivots alternate peak, trough, peak, ...

use crate::control::Control;
use crate::error::{try_with_capacity, Result};

/// One swing pivot: bar `index`, its `price` (the high of a peak, the low of a trough), whether
/// it is a peak, and the bar whose price move confirmed it (`confirmed > index`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pivot {
    pub index: usize,
    pub price: f64,
    pub peak: bool,
    pub confirmed: usize,
}

/// Bars checked between two looks at the control.
const CHUNK: usize = 1 << 20;

/// The zig-zag pivots of `high`/`low` (same length, positive prices) with a relative reversal
/// `threshold` in (0, 1).
pub fn zigzag(high: &[f64], low: &[f64], threshold: f64, control: &Control) -> Result<Vec<Pivot>> {
    let n = high.len().min(low.len());
    let mut pivots = try_with_capacity(n / 8 + 4, "the zig-zag pivots")?;
    if n == 0 {
        return Ok(pivots);
    }
    let down = 1.0 - threshold;
    let up = 1.0 + threshold;
    // 0: no pivot yet; 1: up-leg (candidate peak `c`); -1: down-leg (candidate trough `c`).
    let mut state = 0i8;
    let (mut hi, mut lo, mut c) = (0usize, 0usize, 0usize);
    for i in 0..n {
        if i % CHUNK == CHUNK - 1 {
            control.check()?;
        }
        match state {
            0 => {
                if high[i] > high[hi] {
                    hi = i;
                }
                if low[i] < low[lo] {
                    lo = i;
                }
                let from_peak = hi < i && low[i] <= high[hi] * down;
                let from_trough = lo < i && high[i] >= low[lo] * up;
                let peak_first = match (from_peak, from_trough) {
                    (true, true) => (high[hi] - low[i]) / high[hi] >= (high[i] - low[lo]) / low[lo],
                    (p, _) => p,
                };
                if from_peak && peak_first {
                    pivots.push(Pivot { index: hi, price: high[hi], peak: true, confirmed: i });
                    state = -1;
                    c = i;
                } else if from_trough {
                    pivots.push(Pivot { index: lo, price: low[lo], peak: false, confirmed: i });
                    state = 1;
                    c = i;
                }
            }
            1 => {
                if high[i] > high[c] {
                    c = i;
                } else if low[i] <= high[c] * down {
                    pivots.push(Pivot { index: c, price: high[c], peak: true, confirmed: i });
                    state = -1;
                    c = i;
                }
            }
            _ => {
                if low[i] < low[c] {
                    c = i;
                } else if high[i] >= low[c] * up {
                    pivots.push(Pivot { index: c, price: low[c], peak: false, confirmed: i });
                    state = 1;
                    c = i;
                }
            }
        }
    }
    Ok(pivots)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(h: &[f64], l: &[f64], t: f64) -> Vec<(usize, f64, bool, usize)> {
        zigzag(h, l, t, &Control::new()).unwrap().iter().map(|p| (p.index, p.price, p.peak, p.confirmed)).collect()
    }

    #[test]
    fn alternating_swings() {
        let h = [10.0, 11.0, 12.0, 11.0, 10.5, 11.0, 13.0, 12.0, 11.0];
        let l = [9.5, 10.5, 11.5, 10.0, 9.9, 10.5, 12.5, 11.0, 10.0];
        // 10% reversal: peak 12 at bar 2 confirmed when a low <= 10.8 (bar 3, low 10.0)...
        // 10% reversal: bar 1's high 11 >= 9.5 * 1.1 confirms the trough at bar 0 first.
        let p = run(&h, &l, 0.1);
        assert_eq!(p[0], (0, 9.5, false, 1));
        // peak 12 at bar 2 confirmed by a low <= 10.8 (bar 3).
        assert_eq!(p[1], (2, 12.0, true, 3));
        // trough candidate bar 3 (10.0), then bar 4 (9.9, lower); confirmed by a high >= 10.89 (bar 5).
        assert_eq!(p[2], (4, 9.9, false, 5));
        assert_eq!(p[3], (6, 13.0, true, 7));
        assert_eq!(p.len(), 4);
    }

    #[test]
    fn ties_keep_the_earlier_bar() {
        let h = [10.0, 12.0, 12.0, 10.0];
        let l = [9.0, 11.0, 11.0, 9.0];
        let p = run(&h, &l, 0.1);
        assert_eq!(p[1].0, 1);
    }

    #[test]
    fn first_pivot_can_be_a_trough() {
        let h = [10.0, 9.0, 8.0, 9.5];
        let l = [9.8, 8.5, 7.5, 9.0];
        let p = run(&h, &l, 0.2);
        assert_eq!(p, vec![(0, 10.0, true, 2), (2, 7.5, false, 3)]);
    }

    #[test]
    fn flat_series_has_no_pivots() {
        let h = [10.0; 50];
        assert!(run(&h, &h, 0.01).is_empty());
    }
}
