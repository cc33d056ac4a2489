//! The bars a pattern reads, the candle quantities TA-Lib's macros compute from them, and the
//! running totals behind every "long", "short", "near", ... comparison.
//!
//! Every accessor here is the same floating-point expression as TA-Lib's macro of that name
//! (`TA_REALBODY`, `TA_UPPERSHADOW`, `TA_CANDLERANGE`, `TA_CANDLEAVERAGE`, ...), so that each
//! comparison sees the bits TA-Lib sees.

use super::settings::RangeType;

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
