//! Asking for memory ahead of its use. A batch pass that works in short bursts at several
//! places (lanes a segment apart, a chunk's doubling passes) leaves the hardware prefetcher
//! nothing to follow, and on a machine whose L3 cache is shared the arrays of a million bars
//! come from memory: these requests, one per cache line, bring them in beforehand.

use std::ops::Range;

/// `x` into the L1 cache, for reading.
#[inline(always)]
pub fn read_l1(x: &[f64]) {
    #[cfg(target_arch = "x86_64")]
    for line in x.chunks(8) {
        // SAFETY: a prefetch reads nothing and cannot fault; the address lies in `x`.
        unsafe { std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(line.as_ptr().cast()) };
    }
}

/// `x[bars]` (clipped to `x`) into the L2 cache, for reading.
#[inline(always)]
pub fn read_l2(x: &[f64], bars: Range<usize>) {
    #[cfg(target_arch = "x86_64")]
    for line in x[bars.start.min(x.len())..bars.end.min(x.len())].chunks(8) {
        // SAFETY: as in `read_l1`.
        unsafe { std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T1 }>(line.as_ptr().cast()) };
    }
}

/// `x[bars]` (clipped to `x`) into the L2 cache, for writing: owned before the stores come.
#[inline(always)]
pub fn write_l2(x: &[f64], bars: Range<usize>) {
    #[cfg(target_arch = "x86_64")]
    for line in x[bars.start.min(x.len())..bars.end.min(x.len())].chunks(8) {
        // SAFETY: as in `read_l1`.
        unsafe { std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_ET1 }>(line.as_ptr().cast()) };
    }
}
