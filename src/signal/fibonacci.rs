//! Fibonacci retracement and extension levels of the most recent swing.
//!
//! Swings (also in `docs/signal-fibonacci.md`): bar `i` is a swing high when its price is above
//! every price of the `window` bars before it and at least every price of the `window` bars after
//! it (so of equal highs the earliest counts), a swing low likewise with below/at most; only bars
//! with a full window on both sides qualify. The pair: for the latest swing `b`, the latest swing
//! of the other kind before it whose distance from `b` is at least `min_size` relative to the low
//! (`(high − low) ≥ min_size × |low|`, the high above the low); if there is none, the swing before
//! `b` is tried, and so on. The swing of `b`'s kind is then the most extreme of that kind after `a`
//! up to `b` (the highest high or lowest low, the earliest of equals). The trend is up when the
//! low came first.

use crate::control::Control;
use crate::error::{check_finite, try_vec, try_with_capacity, Result};

pub const RETRACEMENTS: [f64; 7] = [0.0, 0.236, 0.382, 0.5, 0.618, 0.786, 1.0];
pub const EXTENSIONS: [f64; 5] = [1.272, 1.414, 1.618, 2.0, 2.618];

/// A swing point: bar index and price.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Swing {
    pub index: usize,
    pub price: f64,
}

/// The levels of one swing pair.
#[derive(Debug, Clone, PartialEq)]
pub struct Levels {
    pub high: Swing,
    pub low: Swing,
    /// True when the low came before the high.
    pub up: bool,
    pub retracements: Vec<(f64, f64)>,
    pub extensions: Vec<(f64, f64)>,
}

/// `out[j] = max(p[j..j + w])` (or min with `max = false`), by a monotone deque.
fn sliding(p: &[f64], w: usize, max: bool) -> Result<Vec<f64>> {
    let n = p.len();
    let mut out = try_with_capacity(n + 1 - w, "the sliding extremes")?;
    let mut dq: std::collections::VecDeque<usize> = std::collections::VecDeque::new();
    let better = |a: f64, b: f64| if max { a >= b } else { a <= b };
    for i in 0..n {
        while dq.back().is_some_and(|&k| better(p[i], p[k])) {
            dq.pop_back();
        }
        dq.push_back(i);
        if dq.front().is_some_and(|&k| k + w <= i) {
            dq.pop_front();
        }
        if i + 1 >= w {
            out.push(p[*dq.front().unwrap_or(&i)]);
        }
    }
    Ok(out)
}

/// The swing highs and lows of `prices` (indices, ascending), `window` bars each side.
pub fn swings(prices: &[f64], window: usize) -> Result<(Vec<usize>, Vec<usize>)> {
    let n = prices.len();
    let (mut highs, mut lows) = (Vec::new(), Vec::new());
    if window == 0 || n < 2 * window + 1 {
        return Ok((highs, lows));
    }
    let mx = sliding(prices, window, true)?;
    let mn = sliding(prices, window, false)?;
    for i in window..n - window {
        let p = prices[i];
        if p > mx[i - window] && p >= mx[i + 1] {
            highs.push(i);
        } else if p < mn[i - window] && p <= mn[i + 1] {
            lows.push(i);
        }
    }
    Ok((highs, lows))
}

/// The levels of the most recent qualifying swing pair of `prices`.
pub fn analyze(prices: &[f64], window: usize, min_size: f64, control: &Control) -> Result<Levels> {
    crate::ensure!(window >= 1, "swing_window must be >= 1, got {window}");
    crate::ensure!(min_size.is_finite() && min_size > 0.0, "min_swing_size must be a positive number, got {min_size}");
    let need = 2 * window as u128 + 1;
    crate::ensure!(
        prices.len() as u128 >= need,
        "prices needs at least 2 * swing_window + 1 = {need} values to find a swing, got {}",
        prices.len()
    );
    check_finite(prices, "prices")?;
    let (highs, lows) = swings(prices, window)?;
    // All swings in time order, with their kind.
    let mut all = try_vec(highs.len() + lows.len(), (0usize, true), "the swings")?;
    let (mut a, mut b) = (0, 0);
    for slot in all.iter_mut() {
        let take_high = b >= lows.len() || (a < highs.len() && highs[a] < lows[b]);
        *slot = if take_high {
            a += 1;
            (highs[a - 1], true)
        } else {
            b += 1;
            (lows[b - 1], false)
        };
    }
    let big = |hi: f64, lo: f64| hi > lo && hi - lo >= min_size * lo.abs();
    let mut steps = 0u32;
    for (k, &(ib, is_high)) in all.iter().enumerate().rev() {
        let pb = prices[ib];
        let mut partner = None;
        for &(ia, h) in all[..k].iter().rev() {
            steps = steps.wrapping_add(1);
            if steps.is_multiple_of(1 << 16) {
                control.check()?;
            }
            let pa = prices[ia];
            if h != is_high && if is_high { big(pb, pa) } else { big(pa, pb) } {
                partner = Some((ia, h));
                break;
            }
        }
        if let Some((ia, _)) = partner {
            // The extreme swing of b's kind from a to b (the earliest of equals).
            let extreme =
                all[..=k].iter().filter(|&&(i, h)| h == is_high && i > ia).map(|&(i, _)| i).fold(ib, |best, i| {
                    let better = if is_high { prices[i] > prices[best] } else { prices[i] < prices[best] };
                    if better || (prices[i] == prices[best] && i < best) {
                        i
                    } else {
                        best
                    }
                });
            let (high, low) = if is_high { (extreme, ia) } else { (ia, extreme) };
            return Ok(levels(Swing { index: high, price: prices[high] }, Swing { index: low, price: prices[low] }));
        }
    }
    Err(crate::invalid!(
        "no swing high and low {window} bars apart differ by at least min_swing_size={min_size} of the low: \
         lower swing_window or min_swing_size, or pass a longer series"
    ))
}

/// The levels between a swing `high` and `low` (the trend is up when the low came first).
pub fn levels(high: Swing, low: Swing) -> Levels {
    let up = low.index < high.index;
    let range = high.price - low.price;
    let retracements =
        RETRACEMENTS.iter().map(|&r| (r, if up { high.price - r * range } else { low.price + r * range })).collect();
    let extensions =
        EXTENSIONS.iter().map(|&r| (r, if up { low.price + r * range } else { high.price - r * range })).collect();
    Levels { high, low, up, retracements, extensions }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swings_and_levels_by_hand() {
        // Low 100 at bar 2, high 150 at bar 6 (window 2).
        let p = [110.0, 105.0, 100.0, 120.0, 130.0, 140.0, 150.0, 145.0, 140.0, 142.0];
        let (h, l) = swings(&p, 2).unwrap();
        assert_eq!(h, vec![6]);
        assert_eq!(l, vec![2]);
        let lv = analyze(&p, 2, 0.02, &Control::new()).unwrap();
        assert!(lv.up);
        assert_eq!((lv.high.index, lv.low.index), (6, 2));
        assert_eq!(lv.retracements[3], (0.5, 125.0));
        assert!((lv.retracements[4].1 - (150.0 - 0.618 * 50.0)).abs() < 1e-12);
        assert!((lv.extensions[2].1 - (100.0 + 1.618 * 50.0)).abs() < 1e-12);
    }

    #[test]
    fn ties_count_the_earliest_and_small_swings_are_skipped() {
        let p = [1.0, 2.0, 5.0, 5.0, 2.0, 1.0, 0.5];
        let (h, _) = swings(&p, 2).unwrap();
        assert_eq!(h, vec![2]);
        let flat = [100.0, 100.5, 101.0, 100.5, 100.0, 100.4, 100.8, 100.4, 100.0];
        assert!(analyze(&flat, 1, 0.02, &Control::new()).is_err());
    }

    #[test]
    fn bad_input() {
        assert!(analyze(&[1.0, 2.0], 10, 0.02, &Control::new()).is_err());
        assert!(analyze(&[1.0, f64::NAN, 2.0], 1, 0.02, &Control::new()).is_err());
        assert!(analyze(&[1.0, 2.0, 1.0], 1, 0.0, &Control::new()).is_err());
    }
}
