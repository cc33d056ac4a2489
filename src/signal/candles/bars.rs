//! The bars a pattern reads, the candle quantities TA-Lib's macros compute from them, and the
//! running totals behind every "long", "short", "near", ... comparison.
//!
//! Every accessor here is the same floating-point expression as TA-Lib's macro of that name
//! (`TA_REALBODY`, `TA_UPPERSHADOW`, `TA_CANDLERANGE`, `TA_CANDLEAVERAGE`, ...), so that each
//! comparison sees the bits TA-Lib sees.

use super::settings::{CandleSetting, CandleSettings, RangeType};

/// Open, high, low and close of the same length.
#[derive(Clone, Copy)]
pub struct Bars<'a> {
    pub o: &'a [f64],
    pub h: &'a [f64],
    pub l: &'a [f64],
    pub c: &'a [f64],
}

impl<'a> Bars<'a> {
    /// The four series; they must have the same length (the callers check it first).
    pub fn new(o: &'a [f64], h: &'a [f64], l: &'a [f64], c: &'a [f64]) -> Self {
        let n = o.len().min(h.len()).min(l.len()).min(c.len());
        Self { o: &o[..n], h: &h[..n], l: &l[..n], c: &c[..n] }
    }

    #[inline(always)]
    pub fn len(&self) -> usize {
        self.o.len()
    }

    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        self.o.is_empty()
    }

    /// The bars from `from` on.
    pub fn tail(&self, from: usize) -> Self {
        Self { o: &self.o[from..], h: &self.h[from..], l: &self.l[from..], c: &self.c[from..] }
    }

    #[inline(always)]
    pub fn o(&self, i: usize) -> f64 {
        debug_assert!(i < self.o.len());
        // SAFETY: the four slices have the same length (`new`, `tail`), and every index a kernel
        // reads is `i - k` with `lookback <= start <= i < len` and `k <= lookback`
        // ([`super::run_into`] asserts the bounds once per call).
        unsafe { *self.o.get_unchecked(i) }
    }
    #[inline(always)]
    pub fn h(&self, i: usize) -> f64 {
        debug_assert!(i < self.h.len());
        // SAFETY: the four slices have the same length (`new`, `tail`), and every index a kernel
        // reads is `i - k` with `lookback <= start <= i < len` and `k <= lookback`
        // ([`super::run_into`] asserts the bounds once per call).
        unsafe { *self.h.get_unchecked(i) }
    }
    #[inline(always)]
    pub fn l(&self, i: usize) -> f64 {
        debug_assert!(i < self.l.len());
        // SAFETY: the four slices have the same length (`new`, `tail`), and every index a kernel
        // reads is `i - k` with `lookback <= start <= i < len` and `k <= lookback`
        // ([`super::run_into`] asserts the bounds once per call).
        unsafe { *self.l.get_unchecked(i) }
    }
    #[inline(always)]
    pub fn c(&self, i: usize) -> f64 {
        debug_assert!(i < self.c.len());
        // SAFETY: the four slices have the same length (`new`, `tail`), and every index a kernel
        // reads is `i - k` with `lookback <= start <= i < len` and `k <= lookback`
        // ([`super::run_into`] asserts the bounds once per call).
        unsafe { *self.c.get_unchecked(i) }
    }

    /// `TA_CANDLECOLOR`: 1 for white (close >= open), -1 otherwise (NaN included).
    #[inline(always)]
    pub fn color(&self, i: usize) -> i32 {
        if self.c(i) >= self.o(i) {
            1
        } else {
            -1
        }
    }
    #[inline(always)]
    pub fn white(&self, i: usize) -> bool {
        self.c(i) >= self.o(i)
    }
    #[inline(always)]
    pub fn black(&self, i: usize) -> bool {
        // Not `c < o`: a NaN makes TA-Lib's colour -1 (black).
        !self.white(i)
    }

    /// `TA_REALBODY`.
    #[inline(always)]
    pub fn body(&self, i: usize) -> f64 {
        (self.c(i) - self.o(i)).abs()
    }
    /// `TA_UPPERSHADOW`.
    #[inline(always)]
    pub fn upper(&self, i: usize) -> f64 {
        self.h(i) - if self.c(i) >= self.o(i) { self.c(i) } else { self.o(i) }
    }
    /// `TA_LOWERSHADOW`.
    #[inline(always)]
    pub fn lower(&self, i: usize) -> f64 {
        (if self.c(i) >= self.o(i) { self.o(i) } else { self.c(i) }) - self.l(i)
    }
    /// `TA_HIGHLOWRANGE`.
    #[inline(always)]
    pub fn hl(&self, i: usize) -> f64 {
        self.h(i) - self.l(i)
    }
    /// Top of the real body, `fmax(open, close)`.
    #[inline(always)]
    pub fn top(&self, i: usize) -> f64 {
        self.o(i).max(self.c(i))
    }
    /// Bottom of the real body, `fmin(open, close)`.
    #[inline(always)]
    pub fn bottom(&self, i: usize) -> f64 {
        self.o(i).min(self.c(i))
    }
    /// `TA_REALBODYGAPUP(i2, i1)`.
    #[inline(always)]
    pub fn body_gap_up(&self, i2: usize, i1: usize) -> bool {
        self.bottom(i2) > self.top(i1)
    }
    /// `TA_REALBODYGAPDOWN(i2, i1)`.
    #[inline(always)]
    pub fn body_gap_down(&self, i2: usize, i1: usize) -> bool {
        self.top(i2) < self.bottom(i1)
    }
    /// `TA_CANDLEGAPUP(i2, i1)`.
    #[inline(always)]
    pub fn gap_up(&self, i2: usize, i1: usize) -> bool {
        self.l(i2) > self.h(i1)
    }
    /// `TA_CANDLEGAPDOWN(i2, i1)`.
    #[inline(always)]
    pub fn gap_down(&self, i2: usize, i1: usize) -> bool {
        self.h(i2) < self.l(i1)
    }

    /// `TA_CANDLERANGE`: the range a setting of type `rt` averages.
    #[inline(always)]
    pub fn range(&self, rt: RangeType, i: usize) -> f64 {
        match rt {
            RangeType::RealBody => self.body(i),
            RangeType::HighLow => self.hl(i),
            RangeType::Shadows => self.upper(i) + self.lower(i),
        }
    }
}

/// Bars per block: the thresholds of a block are computed first (serially, in TA-Lib's order),
/// then the block's patterns are evaluated without branches from those buffers.
pub const BLOCK: usize = 256;

/// One of TA-Lib's `...PeriodTotal` variables kept bar by bar (see [`super::totals`] for the
/// block-by-block, shared ones): for the one pattern that reads its threshold within a serial
/// loop.
#[derive(Clone)]
pub struct Running {
    total: f64,
    k: usize,
    period: usize,
    period_f: f64,
    rt: RangeType,
    factor: f64,
    half: f64,
}

impl Running {
    /// The total for `which` at offset `k`, for a function whose first output is bar `start`.
    pub fn new(b: &Bars<'_>, s: &CandleSettings, which: CandleSetting, k: usize, start: usize) -> Self {
        let set = s.get(which);
        let mut total = 0.0;
        if set.avg_period > 0 {
            for j in start - set.avg_period..start {
                total += b.range(set.range_type, j - k);
            }
        }
        Self {
            total,
            k,
            period: set.avg_period,
            period_f: set.avg_period as f64,
            rt: set.range_type,
            factor: set.factor,
            // `x / 2.0` and `x * 0.5` are the same correctly rounded number.
            half: if set.range_type == RangeType::Shadows { 0.5 } else { 1.0 },
        }
    }

    /// `TA_CANDLEAVERAGE(SET, total, i - k)` at bar `i`, from the running total as it is now.
    #[inline(always)]
    pub fn now(&self, b: &Bars<'_>, i: usize) -> f64 {
        let base = if self.period != 0 { self.total / self.period_f } else { b.range(self.rt, i - self.k) };
        self.factor * base * self.half
    }

    /// Moves the window on after bar `i` was evaluated.
    #[inline(always)]
    pub fn step(&mut self, b: &Bars<'_>, i: usize) {
        if self.period != 0 {
            let j = i - self.k;
            self.total += b.range(self.rt, j) - b.range(self.rt, j - self.period);
        }
    }
}
