//! The highest and lowest of every bar's window over whole arrays: the batch side of
//! [`Window`](super::range::Window), giving its numbers bit for bit.

use super::spans;
use crate::control::Control;
use crate::error::Result;

/// The larger of two values, the newer (`b`) when they are equal (+0 and -0 included), as the
/// window's monotone queue keeps the newest of equal values. One `maxsd` on x86.
#[inline(always)]
fn newer_max(older: f64, newer: f64) -> f64 {
    if older > newer {
        older
    } else {
        newer
    }
}

/// The smaller of two values, the newer when they are equal.
#[inline(always)]
fn newer_min(older: f64, newer: f64) -> f64 {
    if older < newer {
        older
    } else {
        newer
    }
}

/// `out[t]` for `t >= p - 1`: `keep` folded over `x[t + 1 - p..=t]` (meaningful for windows
/// without NaN; [`fix_nan_windows`] redoes the others). Van Herk / Gil-Werman: cut the series
/// into blocks of `p` bars; a window is a suffix of one block and a prefix of the next, so two
/// passes (suffixes right to left, prefixes left to right) give every window in O(1) per bar
/// whatever the period. `keep` must be associative (ties to the newer value are).
#[inline(always)]
fn sliding(x: &[f64], p: usize, out: &mut [f64], init: f64, keep: impl Fn(f64, f64) -> f64) {
    let n = x.len();
    if p == 0 || n < p {
        return;
    }
    // Pass 1: the suffix of the block from bar j, stored at out[j + p - 1], the bar whose window
    // starts at j (only windows that end inside the series are needed: j <= n - p).
    for b in (0..=n - p).step_by(p) {
        let block = &x[b..b + p];
        let dst = &mut out[b + p - 1..(b + 2 * p - 1).min(n)];
        let mut s = init;
        for (k, &v) in block.iter().enumerate().rev() {
            s = keep(v, s);
            if let Some(d) = dst.get_mut(k) {
                *d = s;
            }
        }
    }
    // Pass 2: prefixes within each block, each combined with the suffix stored at its bar.
    for (xs, os) in x.chunks(p).zip(out.chunks_mut(p)) {
        let mut pre = init;
        for (&v, o) in xs.iter().zip(os) {
            pre = keep(pre, v);
            *o = keep(*o, pre);
        }
    }
}

/// `hi[t]`, `lo[t]` for `t >= p - 1`: the highest of `h` and the lowest of `l` over the window
/// of `p` bars ending at `t`, exactly what `Window::next` gives (the queue's values where the
/// window holds no NaN, the rescan in TA-Lib's order where it does). Bars before `p - 1` hold
/// anything.
pub fn highest_lowest(h: &[f64], l: &[f64], p: usize, hi: &mut [f64], lo: &mut [f64], control: &Control) -> Result<()> {
    control.check()?;
    sliding(h, p, hi, f64::NEG_INFINITY, newer_max);
    sliding(l, p, lo, f64::INFINITY, newer_min);
    fix_nan_windows(h, l, p, hi, lo, control)
}

/// Redoes the windows holding a NaN (in `h` or `l`) as `Window::next` does: a scan from the
/// oldest bar keeping strictly greater (smaller) values, so NaN compares as TA-Lib compares it.
fn fix_nan_windows(h: &[f64], l: &[f64], p: usize, hi: &mut [f64], lo: &mut [f64], control: &Control) -> Result<()> {
    let nan = |v: f64| usize::from(v.is_nan());
    if p == 0 || !h.iter().chain(l).any(|v| v.is_nan()) {
        return Ok(());
    }
    let mut nans = 0;
    for span in spans(h.len()) {
        control.check()?;
        for t in span {
            nans += nan(h[t]) + nan(l[t]);
            if t >= p {
                nans -= nan(h[t - p]) + nan(l[t - p]);
            }
            if t + 1 < p || nans == 0 {
                continue;
            }
            let s = t + 1 - p;
            let (mut highest, mut lowest) = (h[s], l[s]);
            for i in s + 1..=t {
                if l[i] < lowest {
                    lowest = l[i];
                }
                if h[i] > highest {
                    highest = h[i];
                }
            }
            hi[t] = highest;
            lo[t] = lowest;
        }
    }
    Ok(())
}

/// Calls `emit(t, bars since the highest, bars since the lowest)` for every `t >= w - 1`, over
/// the window of `w` bars ending at `t`, the newest of equal values: what `Window::ages` gives.
/// TA-Lib's way: follow the extreme's index and rescan only when it leaves the window; a window
/// holding a NaN is scanned as `Window::ages` scans it.
pub fn ages(h: &[f64], l: &[f64], w: usize, control: &Control, mut emit: impl FnMut(usize, usize, usize)) -> Result<()> {
    let nan = |v: f64| usize::from(v.is_nan());
    let (mut hidx, mut lidx) = (None, None);
    let mut nans = 0;
    for span in spans(h.len()) {
        control.check()?;
        for t in span {
            nans += nan(h[t]) + nan(l[t]);
            if t >= w {
                nans -= nan(h[t - w]) + nan(l[t - w]);
            }
            if t + 1 < w {
                continue;
            }
            let s = t + 1 - w;
            if nans > 0 {
                (hidx, lidx) = (None, None);
                let (hi, lo) = scan_ages(&h[s..=t], &l[s..=t]);
                emit(t, hi, lo);
                continue;
            }
            let hi = match hidx {
                Some(i) if i >= s && h[t] < h[i] => i,
                Some(i) if i >= s => t,
                _ => t - scan_ages(&h[s..=t], &l[s..=t]).0,
            };
            let lo = match lidx {
                Some(i) if i >= s && l[t] > l[i] => i,
                Some(i) if i >= s => t,
                _ => t - scan_ages(&h[s..=t], &l[s..=t]).1,
            };
            (hidx, lidx) = (Some(hi), Some(lo));
            emit(t, t - hi, t - lo);
        }
    }
    Ok(())
}

/// `Window::ages` on one window: a scan from the oldest bar keeping the newest of equal values.
fn scan_ages(h: &[f64], l: &[f64]) -> (usize, usize) {
    let n = h.len();
    let (mut hi, mut lo) = (0, 0);
    let (mut highest, mut lowest) = (h[0], l[0]);
    for i in 1..n {
        if l[i] <= lowest {
            lowest = l[i];
            lo = i;
        }
        if h[i] >= highest {
            highest = h[i];
            hi = i;
        }
    }
    (n - 1 - hi, n - 1 - lo)
}
