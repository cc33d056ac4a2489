//! The running totals behind every "long", "short", "near", ... comparison, shared between the
//! averages (and the patterns) that have the same one.
//!
//! A total is one of TA-Lib's `...PeriodTotal` variables: the sum of a range over the
//! `avg_period` positions before position `p` (position = bar - k for an average at offset `k`),
//! kept as TA-Lib keeps it: summed in order from the function's first position, `origin`, then
//! one `+= (new - old)` per position, so that its rounding, and so every comparison, is
//! TA-Lib's. Its values depend on the range type, the period and the origin, never on the
//! factor: averages (of one pattern or of several) with the same three read one [`Total`].

use super::bars::{Bars, BLOCK};
use super::scan::{build, Build};
use super::settings::{CandleSetting, CandleSettings, RangeType};
use crate::signal::quotient::divide_all;

/// How far before a block's first bar a total's positions are kept: the 5-bar patterns read
/// bar `i - 4`, and the modified hikkake's total, at offset 2, starts three bars before its
/// first bar (its warm-up reads positions down to `start - 5`).
pub const KMAX: usize = 5;

/// Positions a total's buffer holds: the block's and the `KMAX` before it.
const SPAN: usize = KMAX + BLOCK;

/// One running total, block by block: `base[p + KMAX - from]` is `total(p) / period` (the
/// range at `p` where the period is 0) for the positions `from - KMAX..from + len` of the block
/// last computed.
struct Total {
    rt: RangeType,
    period: usize,
    /// The next position to compute (the origin before the first block).
    next: usize,
    total: f64,
    /// The length of the block last computed (0 before the first).
    last: usize,
    /// Where the positions this block computed begin in `base` (None: none computed).
    first: Option<usize>,
    base: [f64; SPAN],
}

/// What identifies a total: range type, period, origin.
pub type Key = (u8, usize, usize);

/// An average as a pattern reads it: a total, the offset `k`, and the setting's factor.
#[derive(Clone, Copy)]
pub struct Avg {
    total: usize,
    k: usize,
    factor: f64,
    half: f64,
}

/// An average over the block last computed ([`Totals::view`]).
#[derive(Clone, Copy)]
pub struct Threshold<'a> {
    base: &'a [f64; SPAN],
    /// `from + k`: bar `i` reads `base[i + KMAX - lo]`.
    lo: usize,
    factor: f64,
    half: f64,
}

impl Threshold<'_> {
    /// `TA_CANDLEAVERAGE(SET, total, i - k)` at bar `i` of the block.
    #[inline(always)]
    pub fn at(&self, _b: &Bars<'_>, i: usize) -> f64 {
        debug_assert!(i + KMAX >= self.lo && i + KMAX - self.lo < SPAN);
        // SAFETY: a block's patterns read the bars `from - (KMAX - k) <= i < from + len` with
        // `len <= BLOCK` and `k <= KMAX` ([`Totals::avg`]) (all but the modified hikkake's
        // warm-up only the block's own), so `0 <= i + KMAX - (from + k) < KMAX + BLOCK`.
        let base = unsafe { *self.base.get_unchecked(i + KMAX - self.lo) };
        // `x / 2.0` and `x * 0.5` are the same correctly rounded number.
        self.factor * base * self.half
    }
}

/// The totals of one pattern, or of a group of patterns run side by side.
#[derive(Default)]
pub struct Totals {
    totals: Vec<Total>,
    /// The first bar of the block last computed.
    from: usize,
}

impl Totals {
    /// The average of `which` at offset `k` for a pattern whose first output is bar `start`:
    /// an existing total where one has the same range type, period and origin.
    pub fn avg(&mut self, b: &Bars<'_>, s: &CandleSettings, which: CandleSetting, k: usize, start: usize) -> Avg {
        assert!(k <= KMAX, "an average at offset {k}");
        let set = s.get(which);
        let origin = start - k;
        let same =
            |t: &Total| t.rt == set.range_type && t.period == set.avg_period && (t.period == 0 || t.next == origin);
        let index = match self.totals.iter().position(same) {
            Some(i) => {
                // A range (period 0) is shared from the earliest position any average reads.
                let t = &mut self.totals[i];
                t.next = t.next.min(origin);
                i
            }
            None => {
                let mut total = 0.0;
                if set.avg_period > 0 {
                    for j in origin - set.avg_period..origin {
                        total += b.range(set.range_type, j);
                    }
                }
                let period = set.avg_period;
                self.totals.push(Total {
                    rt: set.range_type,
                    period,
                    next: origin,
                    total,
                    last: 0,
                    first: None,
                    base: [0.0; SPAN],
                });
                self.totals.len() - 1
            }
        };
        let half = if set.range_type == RangeType::Shadows { 0.5 } else { 1.0 };
        Avg { total: index, k, factor: set.factor, half }
    }

    /// What identifies each total (range type, period, origin; the origin of a range is 0),
    /// in order.
    pub fn keys(&self) -> Vec<Key> {
        let mut keys: Vec<_> =
            self.totals.iter().map(|t| (t.rt as u8, t.period, if t.period == 0 { 0 } else { t.next })).collect();
        keys.sort_unstable();
        keys
    }

    /// `avg` over the block last computed.
    #[inline(always)]
    pub fn view(&self, avg: &Avg) -> Threshold<'_> {
        let t = &self.totals[avg.total];
        Threshold { base: &t.base, lo: self.from + avg.k, factor: avg.factor, half: avg.half }
    }

    /// Computes every total over the positions of the block `from..from + len` (`len <= BLOCK`)
    /// and the `KMAX` before it. The blocks must follow each other, and the first must start
    /// at most `KMAX` positions after the earliest origin.
    pub fn advance(&mut self, b: &Bars<'_>, from: usize, len: usize) {
        match build() {
            // SAFETY: the CPU has AVX-512F, AVX2 and FMA (checked by `build`).
            #[cfg(target_arch = "x86_64")]
            Build::Avx512 => unsafe { self.advance_avx512(b, from, len) },
            // SAFETY: the CPU has AVX2 and FMA (checked by `build`).
            #[cfg(target_arch = "x86_64")]
            Build::Avx2 => unsafe { self.advance_avx2(b, from, len) },
            _ => self.advance_with::<false>(b, from, len),
        }
    }

    /// [`Totals::advance`] compiled for AVX2: the same operations in the same order.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn advance_avx2(&mut self, b: &Bars<'_>, from: usize, len: usize) {
        self.advance_with::<true>(b, from, len);
    }

    /// [`Totals::advance`] compiled for AVX-512.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma,avx512f")]
    unsafe fn advance_avx512(&mut self, b: &Bars<'_>, from: usize, len: usize) {
        self.advance_with::<true>(b, from, len);
    }

    #[inline(always)]
    fn advance_with<const FMA: bool>(&mut self, b: &Bars<'_>, from: usize, len: usize) {
        let len = len.min(BLOCK);
        let to = from + len;
        self.from = from;
        for t in &mut self.totals {
            t.first = None;
            if t.next >= to {
                continue; // not started yet
            }
            // The KMAX positions before the block, from the end of the last one.
            if t.last > 0 {
                t.base.copy_within(t.last..t.last + KMAX, 0);
            }
            // The blocks follow each other, and the first starts at most KMAX positions after
            // the origin, so `from <= next + KMAX`.
            assert!(t.next + KMAX >= from);
            let first = t.next + KMAX - from;
            match t.rt {
                RangeType::RealBody => changes(&mut t.base[first..KMAX + len], t.next, t.period, |i| b.body(i)),
                RangeType::HighLow => changes(&mut t.base[first..KMAX + len], t.next, t.period, |i| b.hl(i)),
                RangeType::Shadows => {
                    changes(&mut t.base[first..KMAX + len], t.next, t.period, |i| b.upper(i) + b.lower(i))
                }
            }
            t.first = Some(first);
            t.next = to;
            t.last = len;
        }
        // The sums: those that go on from the last block side by side, up to eight at a time,
        // so that their independent additions overlap; a total's first block alone.
        let mut going: [Option<&mut Total>; 8] = Default::default();
        let mut count = 0;
        for t in self.totals.iter_mut().filter(|t| t.period != 0) {
            match t.first {
                Some(KMAX) => {
                    going[count] = Some(t);
                    count += 1;
                    if count == going.len() {
                        accumulate::<FMA>(&mut going, KMAX + len);
                        count = 0;
                    }
                }
                Some(_) => accumulate::<FMA>(&mut [Some(t)], KMAX + len),
                None => {}
            }
        }
        accumulate::<FMA>(&mut going[..count], KMAX + len);
    }
}

/// `span[j] = range(first + j) - range(first + j - period)` (TA-Lib's parenthesised change of
/// a total), or `range(first + j)` where the period is 0.
#[inline(always)]
fn changes(span: &mut [f64], first: usize, period: usize, range: impl Fn(usize) -> f64) {
    if period == 0 {
        for (j, v) in span.iter_mut().enumerate() {
            *v = range(first + j);
        }
    } else {
        for (j, v) in span.iter_mut().enumerate() {
            *v = range(first + j) - range(first + j - period);
        }
    }
}

/// Turns the changes at `base[first..hi]` (`first` each total's own) of up to eight totals
/// into the averages `total(p) / period`, position by position (`total(p)` used, then
/// `total += change(p)`: TA-Lib's additions in TA-Lib's order), and empties `group`.
#[inline(always)]
fn accumulate<const FMA: bool>(group: &mut [Option<&mut Total>], hi: usize) {
    let mut taken = group.iter_mut().filter_map(Option::take);
    match [(); 8].map(|()| taken.next()) {
        [Some(a), None, ..] => sums::<_, FMA>([a], hi),
        [Some(a), Some(b), None, ..] => sums::<_, FMA>([a, b], hi),
        [Some(a), Some(b), Some(c), None, ..] => sums::<_, FMA>([a, b, c], hi),
        [Some(a), Some(b), Some(c), Some(d), None, ..] => sums::<_, FMA>([a, b, c, d], hi),
        [Some(a), Some(b), Some(c), Some(d), Some(e), None, ..] => sums::<_, FMA>([a, b, c, d, e], hi),
        [Some(a), Some(b), Some(c), Some(d), Some(e), Some(f), None, _] => sums::<_, FMA>([a, b, c, d, e, f], hi),
        [Some(a), Some(b), Some(c), Some(d), Some(e), Some(f), Some(g), None] => {
            sums::<_, FMA>([a, b, c, d, e, f, g], hi)
        }
        [Some(a), Some(b), Some(c), Some(d), Some(e), Some(f), Some(g), Some(h)] => {
            sums::<_, FMA>([a, b, c, d, e, f, g, h], hi)
        }
        _ => {}
    }
}

/// [`accumulate`] for `M` totals that start at the same place in their buffers.
#[inline(always)]
fn sums<const M: usize, const FMA: bool>(mut group: [&mut Total; M], hi: usize) {
    let lo = group[0].first.unwrap_or(KMAX);
    let mut sums = group.each_ref().map(|t| t.total);
    let periods = group.each_ref().map(|t| t.period as f64);
    let hi = hi.min(SPAN);
    let lo = lo.min(hi);
    // One or two chains leave time for a division per position within the latency of their
    // additions; more would wait on it, so they divide afterwards, a vector at a time.
    let divide_now = M <= 2;
    for j in lo..hi {
        for ((t, s), p) in group.iter_mut().zip(sums.iter_mut()).zip(periods) {
            let v = t.base[j];
            t.base[j] = if divide_now { *s / p } else { *s };
            *s += v;
        }
    }
    for ((t, s), p) in group.into_iter().zip(sums).zip(periods) {
        t.total = s;
        if !divide_now {
            divide_all::<FMA>(&mut t.base[lo..hi], p);
        }
    }
}
