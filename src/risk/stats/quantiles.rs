//! Order statistics: numpy's linear quantile of a column's values, selected in place among a few
//! values near the wanted ranks, and numpy's `_lerp`.

use crate::error::Result;

/// numpy's linear quantile `q` of `n` values: the ranks (from 0) of the two it interpolates
/// between, and the weight of the second.
pub(crate) fn quantile_index(n: usize, q: f64) -> (usize, usize, f64) {
    let virtual_index = (n - 1) as f64 * q;
    let below = virtual_index.floor();
    let lo = (below as usize).min(n - 1);
    let hi = (lo + 1).min(n - 1);
    (lo, hi, virtual_index - below)
}

/// numpy's linear (default) quantile `q` in [0, 1] of the values `v` (not empty), selected in
/// place: `v` is reordered.
pub(super) fn quantile_select(v: &mut [f64], q: f64) -> f64 {
    let (lo, hi, gamma) = quantile_index(v.len(), q);
    let (start, part) = narrow(v, lo, hi);
    let (_, &mut a, rest) = part.select_nth_unstable_by(lo - start, f64::total_cmp);
    let b = if hi == lo { a } else { rest.iter().copied().fold(f64::INFINITY, f64::min) };
    lerp(a, b, gamma)
}

/// Values sampled by [`narrow`].
const SAMPLE: usize = 64;

/// The values of ranks `lo..=hi` of `v` (total order) brought together in a short part of it:
/// `(start, part)`, `part` being `v[..m]` reordered to hold exactly the ranks `start..start + m`.
/// The ranks of a tail quantile are near an end of `v`: one branch-free pass keeps the values on
/// that side of a pivot sampled from `v`, so that the selection sorts out a few hundred values
/// rather than all. The whole of `v` when the ranks are not near an end, or the sample misled.
pub(super) fn narrow(v: &mut [f64], lo: usize, hi: usize) -> (usize, &mut [f64]) {
    let n = v.len();
    if n < 8 * SAMPLE {
        return (0, v);
    }
    let mut sample: [f64; SAMPLE] = std::array::from_fn(|t| v[t * n / SAMPLE]);
    sample.sort_unstable_by(f64::total_cmp);
    // the sample's ranks that bracket the wanted ones, with a margin of 4
    let above = (hi + 1) * SAMPLE / n + 4;
    let below = (lo * SAMPLE / n).checked_sub(4);
    if above < SAMPLE / 4 {
        let pivot = sample[above];
        let m = partition(v, |x| x <= pivot);
        if m > hi {
            return (0, &mut v[..m]);
        }
    } else if let Some(r) = below.filter(|&r| r > SAMPLE * 3 / 4) {
        let pivot = sample[r];
        let m = partition(v, |x| x >= pivot);
        if n - m <= lo {
            return (n - m, &mut v[..m]);
        }
    }
    (0, v)
}

/// Moves the values that `keep` to the front of `v` (Lomuto's partition without a branch on the
/// data); their count. With no NaN, the values kept by `x <= p` are the smallest of `v` in the
/// total order too, and those kept by `x >= p` the largest.
fn partition(v: &mut [f64], keep: impl Fn(f64) -> bool) -> usize {
    let mut m = 0;
    for i in 0..v.len() {
        v.swap(i, m);
        m += usize::from(keep(v[m]));
    }
    m
}

/// numpy's `_lerp`: `a + (b - a) t`, or `b - (b - a)(1 - t)` for t ≥ 0.5 (monotone and exact at
/// both ends).
pub(crate) fn lerp(a: f64, b: f64, t: f64) -> f64 {
    let d = b - a;
    if t >= 0.5 {
        b - d * (1.0 - t)
    } else {
        a + d * t
    }
}

/// The present (non-NaN) values of a column, copied into `work`.
pub(super) fn present<'w>(x: &[f64], work: &'w mut Vec<f64>) -> Result<&'w mut [f64]> {
    work.clear();
    work.try_reserve_exact(x.len())
        .map_err(|_| crate::error::too_big::<f64>(x.len() as u128, "a copy of a column of returns"))?;
    work.extend(x.iter().copied().filter(|v| !v.is_nan()));
    Ok(work)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_matches_numpy_linear() {
        let mut v = vec![3.0, 1.0, 2.0, 4.0];
        // numpy: np.quantile([1,2,3,4], 0.25) = 1.75
        assert!((quantile_select(&mut v, 0.25) - 1.75).abs() < 1e-15);
        let mut w = vec![5.0];
        assert_eq!(quantile_select(&mut w, 0.05), 5.0);
    }

    #[test]
    fn narrowed_quantiles_are_the_sorted_ones() {
        let mut state = 7u64;
        for n in [511, 512, 2500, 10_000] {
            let v: Vec<f64> = (0..n)
                .map(|i| {
                    state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    // ties and signed zeros among noise; sorted and reversed runs
                    match i % 5 {
                        0 => ((state >> 40) % 7) as f64 - 3.0,
                        1 => {
                            if i % 2 == 0 {
                                0.0
                            } else {
                                -0.0
                            }
                        }
                        2 => i as f64,
                        3 => -(i as f64),
                        _ => (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5,
                    }
                })
                .collect();
            let mut sorted = v.clone();
            sorted.sort_unstable_by(f64::total_cmp);
            for q in [0.0, 0.01, 0.05, 0.1, 0.3, 0.5, 0.9, 0.95, 0.99, 1.0] {
                let (lo, hi, gamma) = quantile_index(n, q);
                let want = lerp(sorted[lo], sorted[hi], gamma);
                assert_eq!(quantile_select(&mut v.clone(), q).to_bits(), want.to_bits(), "n {n} q {q}");
                let mut w = v.clone();
                let (start, part) = narrow(&mut w, lo, hi);
                let mut got = part.to_vec();
                got.sort_unstable_by(f64::total_cmp);
                assert_eq!(got[..], sorted[start..start + got.len()], "n {n} q {q}");
            }
        }
    }
}
