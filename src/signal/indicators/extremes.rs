//! The highest and lowest of every bar's window over whole arrays: the batch side of
//! [`Window`](super::range::Window), giving its numbers bit for bit.

use super::prefetch;
use crate::control::Control;
use crate::error::{try_vec, Result};

/// The larger of two values, the newer (`b`) when they are equal (+0 and -0 included), as the
/// window's monotone queue keeps the newest of equal values. One `maxsd` on x86.
#[inline(always)]
pub fn newer_max(older: f64, newer: f64) -> f64 {
    if older > newer {
        older
    } else {
        newer
    }
}

/// The smaller of two values, the newer when they are equal.
#[inline(always)]
pub fn newer_min(older: f64, newer: f64) -> f64 {
    if older < newer {
        older
    } else {
        newer
    }
}

/// Bars whose windows one pass handles (with the `p - 1` bars before them): small enough that
/// the pass's buffers stay in the L1 cache (512 ran MIDPRICE 10-30% faster than 1024 here).
const CHUNK: usize = 512;

/// What [`highest_lowest`] does with a window that holds a NaN.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnNan {
    /// Its value as TA-Lib's MAX and MIN give it ([`blocks_extreme`]).
    Blocks,
    /// Stop before the chunk that holds it (the caller takes another road).
    Stop,
}

/// Calls `emit(t0, hi, lo)` for consecutive runs of bars `t0..t0 + hi.len()` covering
/// `p - 1..len`: `hi[i]` and `lo[i]` are the highest of `h` and the lowest of `l` over the
/// window of `p` bars ending at `t0 + i`, exactly what `Window::next` gives (the newest of
/// equal values, as its monotone queue keeps them). A window holding a NaN is as `on_nan`
/// says (`h[0]` being bar `base` of the series). `false` where it stopped at a NaN.
#[allow(clippy::too_many_arguments)]
pub fn highest_lowest<F: FnMut(usize, &[f64], &[f64])>(
    h: &[f64],
    l: &[f64],
    p: usize,
    base: usize,
    on_nan: OnNan,
    control: &Control,
    emit: F,
) -> Result<bool> {
    #[cfg(target_arch = "x86_64")]
    {
        use crate::backend::cpu_features as cpu;
        if cpu::has_avx512f() {
            // SAFETY: AVX-512F support was just checked at run time.
            return unsafe { highest_lowest_avx512(h, l, p, base, on_nan, control, emit) };
        }
        if cpu::has_avx2() {
            // SAFETY: AVX2 support was just checked at run time.
            return unsafe { highest_lowest_avx2(h, l, p, base, on_nan, control, emit) };
        }
    }
    highest_lowest_in(h, l, p, base, on_nan, control, emit)
}

// The whole pass under the target feature, the caller's `emit` and the NaN scan included:
// each is inlined here, so vectorised as wide as the doubling.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[allow(clippy::too_many_arguments)]
unsafe fn highest_lowest_avx2<F: FnMut(usize, &[f64], &[f64])>(
    h: &[f64],
    l: &[f64],
    p: usize,
    base: usize,
    on_nan: OnNan,
    control: &Control,
    emit: F,
) -> Result<bool> {
    highest_lowest_in(h, l, p, base, on_nan, control, emit)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
#[allow(clippy::too_many_arguments)]
unsafe fn highest_lowest_avx512<F: FnMut(usize, &[f64], &[f64])>(
    h: &[f64],
    l: &[f64],
    p: usize,
    base: usize,
    on_nan: OnNan,
    control: &Control,
    emit: F,
) -> Result<bool> {
    highest_lowest_in(h, l, p, base, on_nan, control, emit)
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn highest_lowest_in<F: FnMut(usize, &[f64], &[f64])>(
    h: &[f64],
    l: &[f64],
    p: usize,
    base: usize,
    on_nan: OnNan,
    control: &Control,
    mut emit: F,
) -> Result<bool> {
    let n = h.len();
    if p == 0 || n < p {
        return Ok(true);
    }
    let c = CHUNK.max(p);
    let mut buf = try_vec(2 * (c + p - 1) + 2 * c, 0.0, "the windows' highest and lowest values")?;
    let (a, rest) = buf.split_at_mut(c + p - 1);
    let (b, rest) = rest.split_at_mut(c + p - 1);
    let (hi, lo) = rest.split_at_mut(c);
    let mut t0 = p - 1;
    while t0 < n {
        control.check()?;
        let t1 = (t0 + c).min(n);
        let (hs, ls) = (&h[t0 + 1 - p..t1], &l[t0 + 1 - p..t1]);
        let (hi, lo) = (&mut hi[..t1 - t0], &mut lo[..t1 - t0]);
        // The passes over a chunk are short bursts the hardware prefetcher does not see coming.
        let ahead = (t1 + c).min(n)..(t1 + 2 * c).min(n);
        prefetch::read_l1(&h[ahead.clone()]);
        doubling(hs, p, hi, a, b, newer_max);
        prefetch::read_l1(&l[ahead]);
        doubling(ls, p, lo, a, b, newer_min);
        if any_nan(hs) || any_nan(ls) {
            if on_nan == OnNan::Stop {
                return Ok(false);
            }
            fix_nan_windows(hs, ls, p, base + t0, hi, lo, control)?;
        }
        emit(t0, hi, lo);
        t0 = t1;
    }
    Ok(true)
}

/// `dst[i] = keep(src[i - w], src[i])` for `i >= w`.
#[inline(always)]
fn level(src: &[f64], dst: &mut [f64], w: usize, keep: impl Fn(f64, f64) -> f64) {
    for ((d, &older), &newer) in dst[w..].iter_mut().zip(src).zip(&src[w..]) {
        *d = keep(older, newer);
    }
}

/// `out[o]`: `keep` folded over `x[o..o + p]` (`x.len() == out.len() + p - 1`), by doubling:
/// windows of 1, 2, 4, ... bars, each level one vectorised pass over the previous, then the
/// window of `p` as two overlapping windows of the largest power of two up to `p` (an
/// overlap changes nothing: `keep(v, v) == v` and ties go to the newer value either way).
/// `a` and `b` are scratch, at least `x.len()` long.
#[inline(always)]
fn doubling(x: &[f64], p: usize, out: &mut [f64], a: &mut [f64], b: &mut [f64], keep: impl Fn(f64, f64) -> f64 + Copy) {
    let m = x.len();
    let (a, b) = (&mut a[..m], &mut b[..m]);
    // Where the current level lives: the input, `a` or `b`.
    let mut at = 0;
    let mut w = 1;
    if p >= 4 {
        // The first two levels in one pass: windows of 4 straight from the input.
        for ((((d, &x0), &x1), &x2), &x3) in a[3..].iter_mut().zip(x).zip(&x[1..]).zip(&x[2..]).zip(&x[3..]) {
            *d = keep(keep(x0, x1), keep(x2, x3));
        }
        (at, w) = (1, 4);
    }
    while 2 * w <= p {
        // The window of 2w bars ending at i, for i >= 2w - 1 (what lies before is never read).
        match at {
            0 => level(x, a, w, keep),
            1 => level(a, b, w, keep),
            _ => level(b, a, w, keep),
        }
        at = if at == 1 { 2 } else { 1 };
        w *= 2;
    }
    let src: &[f64] = match at {
        0 => x,
        1 => a,
        _ => b,
    };
    for ((o, &older), &newer) in out.iter_mut().zip(&src[w - 1..]).zip(&src[p - 1..]) {
        *o = keep(older, newer);
    }
}

/// Whether `x` holds a NaN: one vectorised pass, no early exit.
#[inline(always)]
fn any_nan(x: &[f64]) -> bool {
    x.iter().fold(false, |a, v| a | v.is_nan())
}

/// Redoes the windows holding a NaN (in `h` or `l`; `hi[o]` is the window `h[o..o + p]`,
/// ending at bar `t0 + o` of the series) as TA-Lib's MAX and MIN give them ([`blocks_extreme`]).
#[cold]
fn fix_nan_windows(
    h: &[f64],
    l: &[f64],
    p: usize,
    t0: usize,
    hi: &mut [f64],
    lo: &mut [f64],
    control: &Control,
) -> Result<()> {
    let nan = |v: f64| usize::from(v.is_nan());
    let mut nans: usize = h[..p - 1].iter().chain(&l[..p - 1]).map(|&v| nan(v)).sum();
    for o in 0..hi.len() {
        if o % CHUNK == 0 {
            control.check()?;
        }
        let e = o + p - 1;
        nans += nan(h[e]) + nan(l[e]);
        if nans > 0 {
            let r = (t0 + o + 1) % p;
            hi[o] = blocks_extreme(p, r, |i| h[o + i], newer_max);
            lo[o] = blocks_extreme(p, r, |i| l[o + i], newer_min);
        }
        nans -= nan(h[o]) + nan(l[o]);
    }
    Ok(())
}

/// TA-Lib 0.8.1's MAX (`keep` = [`newer_max`]) or MIN ([`newer_min`]) of a window of `p` bars
/// (`x(0)` the oldest) ending at bar `t` of the series, `r = (t + 1) % p`; decoded from its
/// compiled library. It cuts the series into blocks of `p` bars from its first, and a window is
/// the suffix of one block, scanned from the block's end back, and the prefix of the next,
/// scanned forward; each scan keeps `keep(value, so far)`. The same extreme either way, except
/// with a NaN: one met inside a scan is passed over, one that starts a scan stays to its end.
#[inline]
pub fn blocks_extreme(p: usize, r: usize, x: impl Fn(usize) -> f64, keep: impl Fn(f64, f64) -> f64) -> f64 {
    let back_from = if r == 0 { p - 1 } else { p - 1 - r };
    let mut back = x(back_from);
    for i in (0..back_from).rev() {
        back = keep(x(i), back);
    }
    if r == 0 {
        return back;
    }
    let mut forward = x(p - r);
    for i in p - r + 1..p {
        forward = keep(x(i), forward);
    }
    keep(forward, back)
}

/// TA-Lib's running extreme of a window (STOCH's and AROON's, read from their C and checked on
/// NaN bars): the bar of the highest (lowest) value is kept while it stays in the window, a
/// new bar takes its place on `>=` (`<=`), and when it leaves, the window is scanned afresh
/// from its oldest bar, keeping the newest of equal values if `NEWEST` (AROON), else the
/// oldest (STOCH). A NaN compares false everywhere, as in C.
#[derive(Clone, Copy, Debug, Default)]
pub struct Extreme {
    /// The bar of the extreme plus one (0: none yet).
    at: usize,
    value: f64,
}

impl Extreme {
    /// The extreme of bars `trailing..=today` (`x(i)`: bar `i`), from the one of the window before.
    #[inline]
    pub fn step<const MAX: bool, const NEWEST: bool>(
        &mut self,
        trailing: usize,
        today: usize,
        x: impl Fn(usize) -> f64,
    ) {
        let beats = |v: f64, best: f64, tie: bool| {
            if MAX {
                v > best || (tie && v == best)
            } else {
                v < best || (tie && v == best)
            }
        };
        if self.at > trailing {
            let v = x(today);
            if beats(v, self.value, true) {
                *self = Self { at: today + 1, value: v };
            }
            return;
        }
        let (mut at, mut value) = (trailing, x(trailing));
        for i in trailing + 1..=today {
            let v = x(i);
            if beats(v, value, NEWEST) {
                (at, value) = (i, v);
            }
        }
        *self = Self { at: at + 1, value };
    }

    pub fn value(&self) -> f64 {
        self.value
    }

    /// The extreme's bar (that of the last step's window).
    pub fn bar(&self) -> usize {
        self.at.saturating_sub(1)
    }
}

impl super::state::Save for Extreme {
    fn save(&self, out: &mut Vec<f64>) {
        self.at.save(out);
        self.value.save(out);
    }
    fn load(&mut self, from: &mut super::Loader<'_>) -> Result<()> {
        self.at.load(from)?;
        self.value.load(from)
    }
}

/// Calls `emit(t, highest, lowest)` for every bar `t >= w - 1` over the window of `w` bars
/// ending at `t`, by TA-Lib's running extremes ([`Extreme`]): the road for series that hold a
/// NaN, where the result depends on the order TA-Lib meets the bars in.
pub fn tracked<const NEWEST: bool>(
    h: &[f64],
    l: &[f64],
    w: usize,
    control: &Control,
    mut emit: impl FnMut(usize, &Extreme, &Extreme),
) -> Result<()> {
    let (mut hi, mut lo) = (Extreme::default(), Extreme::default());
    for span in super::spans(h.len()) {
        control.check()?;
        for t in span.start.max(w - 1)..span.end.max(w - 1) {
            let trailing = t + 1 - w;
            hi.step::<true, NEWEST>(trailing, t, |i| h[i]);
            lo.step::<false, NEWEST>(trailing, t, |i| l[i]);
            emit(t, &hi, &lo);
        }
    }
    Ok(())
}

/// Calls `emit(t, bars since the highest, bars since the lowest)` for every `t >= w - 1`, over
/// the window of `w` bars ending at `t`, the newest of equal values: what [`Extreme`] gives
/// with `NEWEST` over series without NaN. Doubling as [`highest_lowest`] does, carrying each
/// extreme's bar along. `false` where it stopped before a chunk holding a NaN.
pub fn ages<F: FnMut(usize, usize, usize)>(h: &[f64], l: &[f64], w: usize, control: &Control, emit: F) -> Result<bool> {
    #[cfg(target_arch = "x86_64")]
    {
        use crate::backend::cpu_features as cpu;
        if cpu::has_avx512f() {
            // SAFETY: AVX-512F support was just checked at run time.
            return unsafe { ages_avx512(h, l, w, control, emit) };
        }
        if cpu::has_avx2() {
            // SAFETY: AVX2 support was just checked at run time.
            return unsafe { ages_avx2(h, l, w, control, emit) };
        }
    }
    ages_in(h, l, w, control, emit)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn ages_avx2<F: FnMut(usize, usize, usize)>(
    h: &[f64],
    l: &[f64],
    w: usize,
    control: &Control,
    emit: F,
) -> Result<bool> {
    ages_in(h, l, w, control, emit)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn ages_avx512<F: FnMut(usize, usize, usize)>(
    h: &[f64],
    l: &[f64],
    w: usize,
    control: &Control,
    emit: F,
) -> Result<bool> {
    ages_in(h, l, w, control, emit)
}

#[inline(always)]
fn ages_in<F: FnMut(usize, usize, usize)>(
    h: &[f64],
    l: &[f64],
    w: usize,
    control: &Control,
    mut emit: F,
) -> Result<bool> {
    let n = h.len();
    if w == 0 || n < w {
        return Ok(true);
    }
    let c = CHUNK.max(w);
    let m = c + w - 1;
    let mut buf = try_vec(5 * m + 2 * c, 0.0, "the windows' extremes")?;
    let (iota, rest) = buf.split_at_mut(m);
    let (a, rest) = rest.split_at_mut(2 * m);
    let (b, rest) = rest.split_at_mut(2 * m);
    let (hi, lo) = rest.split_at_mut(c);
    for (i, v) in iota.iter_mut().enumerate() {
        *v = i as f64;
    }
    let mut t0 = w - 1;
    while t0 < n {
        control.check()?;
        let t1 = (t0 + c).min(n);
        let (hs, ls) = (&h[t0 + 1 - w..t1], &l[t0 + 1 - w..t1]);
        let (hi, lo) = (&mut hi[..t1 - t0], &mut lo[..t1 - t0]);
        where_both(hs, ls, w, iota, hi, lo, a, b);
        if any_nan(hs) || any_nan(ls) {
            return Ok(false);
        }
        for (o, (&hi, &lo)) in hi.iter().zip(lo.iter()).enumerate() {
            let last = o + w - 1;
            emit(t0 + o, last - hi as usize, last - lo as usize);
        }
        t0 = t1;
    }
    Ok(true)
}

/// `hi[o]`, `lo[o]`: where (an index into `h`, `l`, as f64) the newest highest of `h[o..o + p]`
/// and the newest lowest of `l[o..o + p]` are. `iota[i] == i`; `a` and `b` hold twice `h.len()`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn where_both(
    h: &[f64],
    l: &[f64],
    p: usize,
    iota: &[f64],
    hi: &mut [f64],
    lo: &mut [f64],
    a: &mut [f64],
    b: &mut [f64],
) {
    where_doubling(h, p, iota, hi, a, b, |older, newer| older > newer);
    where_doubling(l, p, iota, lo, a, b, |older, newer| older < newer);
}

/// [`doubling`] with each value's index along: `out[o]` is the index of the value that
/// `older_wins` keeps over the window `x[o..o + p]`. `a` and `b` hold values then indices.
#[inline(always)]
fn where_doubling(
    x: &[f64],
    p: usize,
    iota: &[f64],
    out: &mut [f64],
    a: &mut [f64],
    b: &mut [f64],
    older_wins: impl Fn(f64, f64) -> bool + Copy,
) {
    let m = x.len();
    let (av, ai) = a.split_at_mut(m);
    let (bv, bi) = b.split_at_mut(m);
    let (ai, bi) = (&mut ai[..m], &mut bi[..m]);
    // Where the current level lives: the input, `a` or `b`.
    let mut at = 0;
    let mut w = 1;
    while 2 * w <= p {
        match at {
            0 => where_level(x, &iota[..m], av, ai, w, older_wins),
            1 => where_level(av, ai, bv, bi, w, older_wins),
            _ => where_level(bv, bi, av, ai, w, older_wins),
        }
        at = if at == 1 { 2 } else { 1 };
        w *= 2;
    }
    let (sv, si): (&[f64], &[f64]) = match at {
        0 => (x, &iota[..m]),
        1 => (av, ai),
        _ => (bv, bi),
    };
    let pairs = sv[w - 1..].iter().zip(&si[w - 1..]).zip(sv[p - 1..].iter().zip(&si[p - 1..]));
    for (o, ((&ov, &oi), (&nv, &ni))) in out.iter_mut().zip(pairs) {
        *o = if older_wins(ov, nv) { oi } else { ni };
    }
}

/// One doubling level with indices: `(dv, di)[i]` from `(sv, si)[i - w]` and `(sv, si)[i]`.
#[inline(always)]
fn where_level(
    sv: &[f64],
    si: &[f64],
    dv: &mut [f64],
    di: &mut [f64],
    w: usize,
    older_wins: impl Fn(f64, f64) -> bool,
) {
    let older = sv.iter().zip(si);
    let newer = sv[w..].iter().zip(&si[w..]);
    for ((dv, di), ((&ov, &oi), (&nv, &ni))) in dv[w..].iter_mut().zip(&mut di[w..]).zip(older.zip(newer)) {
        let keep = older_wins(ov, nv);
        *dv = if keep { ov } else { nv };
        *di = if keep { oi } else { ni };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The doubling gives the monotone queue's extremes (ties to the newest, +0 against -0
    /// included) on every vector path, for periods around the powers of two and the chunk.
    #[test]
    fn doubling_equals_a_scan_on_every_path() {
        let n = 3_000;
        let h: Vec<f64> = (0..n).map(|i| [0.0, -0.0, 1.0, 2.0, 1.0, -0.0][i * 7 % 6] + ((i / 50) % 3) as f64).collect();
        let l: Vec<f64> = h.iter().map(|v| -v).collect();
        for p in [1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 50, 1_024, 1_025, 2_999, 3_000] {
            let m = n + 1 - p;
            let (mut a, mut b) = (vec![0.0; n], vec![0.0; n]);
            let mut got = [vec![0.0; m], vec![0.0; m], vec![0.0; m], vec![0.0; m]];
            {
                let [hi, lo, hi2, lo2] = &mut got;
                doubling(&h, p, hi, &mut a, &mut b, newer_max);
                doubling(&l, p, lo, &mut a, &mut b, newer_min);
                highest_lowest(&h, &l, p, 0, OnNan::Stop, &Control::new(), |t0, x, y| {
                    hi2[t0 + 1 - p..][..x.len()].copy_from_slice(x);
                    lo2[t0 + 1 - p..][..y.len()].copy_from_slice(y);
                })
                .unwrap();
            }
            let mut ages_got = vec![(0, 0); m];
            ages(&h, &l, p, &Control::new(), |t, a, b| ages_got[t + 1 - p] = (a, b)).unwrap();
            let mut tracked_got = vec![(0, 0); m];
            tracked::<true>(&h, &l, p, &Control::new(), |t, a, b| tracked_got[t + 1 - p] = (t - a.bar(), t - b.bar()))
                .unwrap();
            for o in 0..m {
                assert_eq!(ages_got[o], tracked_got[o], "ages, p = {p}, window {o}");
                let r = (o + p) % p;
                let blocks =
                    [blocks_extreme(p, r, |i| h[o + i], newer_max), blocks_extreme(p, r, |i| l[o + i], newer_min)];
                let w = o..o + p;
                let hi = h[w.clone()].iter().copied().reduce(|a, b| if b >= a { b } else { a }).unwrap();
                let lo = l[w].iter().copied().reduce(|a, b| if b <= a { b } else { a }).unwrap();
                for (g, want) in got.iter().zip([hi, lo, hi, lo]) {
                    assert_eq!(g[o].to_bits(), want.to_bits(), "p = {p}, window {o}");
                }
                // TA-Lib's blocks: the same value (which zero on a tie of +0 and -0 is theirs).
                assert!(blocks == [hi, lo], "blocks, p = {p}, window {o}");
            }
        }
    }
}
