//! How a pattern runs: block by block over the bars, its running totals ([`Totals`]) carried
//! from one block to the next, so that one pattern ([`super::run_into`]) or many side by side
//! over the same block of bars ([`super::candlesticks`]) give the same totals, hence the same
//! output.

use super::bars::{Bars, BLOCK};
use super::totals::{Avg, Threshold, Totals};

/// The builds of the block loops, slowest first. All give the same bits: the same operations
/// in the same order (Rust never fuses a multiply and an add on its own), only wider vectors.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Build {
    Baseline,
    /// AVX2 and FMA: four bars per instruction.
    Avx2,
    /// AVX-512F as well: eight.
    Avx512,
}

/// The fastest build this CPU runs (in tests, at most [`CAP`]).
#[inline(always)]
pub(crate) fn build() -> Build {
    use crate::backend::cpu_features as cpu;
    let best = match (cpu::has_avx2_fma(), cpu::has_avx512f()) {
        (false, _) => Build::Baseline,
        (true, false) => Build::Avx2,
        (true, true) => Build::Avx512,
    };
    #[cfg(test)]
    let best = best.min(match CAP.load(std::sync::atomic::Ordering::Relaxed) {
        0 => Build::Baseline,
        1 => Build::Avx2,
        _ => Build::Avx512,
    });
    best
}

/// Set by tests to compare the slower builds with the fastest (0, 1, 2: [`Build`]'s order). Any
/// test may then run a slower build, which gives the same output.
#[cfg(test)]
pub(crate) static CAP: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(2);

/// A pattern part-way through the bars.
pub(crate) trait Scan: Send {
    /// Evaluates the next `out.len() <= BLOCK` bars, from bar `from` on, into `out`, once
    /// `totals` has computed the block they are in ([`Totals::advance`]). The blocks must follow
    /// each other from the pattern's first bar.
    fn block(&mut self, b: &Bars<'_>, totals: &Totals, from: usize, out: &mut [i32]);
}

/// A pattern's per-bar evaluation (a trait method, not a closure, so that it is inlined into the
/// block's loop, and the loop vectorised, however long the expression).
pub(crate) trait Eval<const N: usize>: Send {
    /// The output at bar `i` from the bars, the pattern's averages and the penetration.
    fn eval(b: &Bars<'_>, avgs: &[Threshold<'_>; N], penetration: f64, i: usize) -> i32;
}

/// A pattern made of `N` averages and a branch-free expression of the bar (see [`scan`]).
pub(crate) struct Scanner<F, const N: usize> {
    pub avgs: [Avg; N],
    pub penetration: f64,
    pub pattern: std::marker::PhantomData<F>,
}

/// The expression over the block's bars: a loop the compiler vectorises.
#[inline(always)]
fn run_block<F: Eval<N>, const N: usize>(
    s: &Scanner<F, N>,
    b: &Bars<'_>,
    totals: &Totals,
    from: usize,
    out: &mut [i32],
) {
    debug_assert!(out.len() <= BLOCK);
    let avgs = s.avgs.each_ref().map(|a| totals.view(a));
    for (j, slot) in out.iter_mut().take(BLOCK).enumerate() {
        *slot = F::eval(b, &avgs, s.penetration, from + j);
    }
}

/// [`run_block`] compiled for AVX2 ([`Build::Avx2`]).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn run_block_avx2<F: Eval<N>, const N: usize>(
    s: &Scanner<F, N>,
    b: &Bars<'_>,
    totals: &Totals,
    from: usize,
    out: &mut [i32],
) {
    run_block(s, b, totals, from, out);
}

/// [`run_block`] compiled for AVX-512 ([`Build::Avx512`]).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma,avx512f")]
unsafe fn run_block_avx512<F: Eval<N>, const N: usize>(
    s: &Scanner<F, N>,
    b: &Bars<'_>,
    totals: &Totals,
    from: usize,
    out: &mut [i32],
) {
    run_block(s, b, totals, from, out);
}

impl<F: Eval<N>, const N: usize> Scan for Scanner<F, N> {
    fn block(&mut self, b: &Bars<'_>, totals: &Totals, from: usize, out: &mut [i32]) {
        match build() {
            // SAFETY: the CPU has AVX-512F, AVX2 and FMA (checked by `build`).
            #[cfg(target_arch = "x86_64")]
            Build::Avx512 => unsafe { run_block_avx512(self, b, totals, from, out) },
            // SAFETY: the CPU has AVX2 and FMA (checked by `build`).
            #[cfg(target_arch = "x86_64")]
            Build::Avx2 => unsafe { run_block_avx2(self, b, totals, from, out) },
            _ => run_block(self, b, totals, from, out),
        }
    }
}

/// One for each identifier (counts a macro's repetitions).
macro_rules! one {
    ($x:ident) => {
        1usize
    };
}
pub(crate) use one;

/// A pattern as a boxed [`Scan`]: `scan!(b, p, [a1, a2], |i| expr)` evaluates `expr` (an `i32`)
/// at every bar `i` with the bars `b`, the penetration `p` and the averages `a1`, `a2` (local
/// [`Avg`]s, read as `a1.at(b, i)`). The expression must not branch on the bar (use `&`, `|`
/// and selects, not `&&`, `||` and `if` chains over loads), so that it vectorises.
macro_rules! scan {
    ($b:ident, $p:ident, [$($a:ident),*], |$i:ident| $body:expr) => {{
        const N: usize = 0 $(+ $crate::signal::candles::scan::one!($a))*;
        struct Pattern;
        impl $crate::signal::candles::scan::Eval<N> for Pattern {
            #[inline(always)]
            #[allow(unused_variables)]
            fn eval(
                $b: &Bars<'_>,
                [$($a),*]: &[$crate::signal::candles::totals::Threshold<'_>; N],
                $p: f64,
                $i: usize,
            ) -> i32 {
                $body
            }
        }
        Box::new($crate::signal::candles::scan::Scanner { avgs: [$($a),*], penetration: $p, pattern: std::marker::PhantomData::<Pattern> })
            as Box<dyn $crate::signal::candles::scan::Scan>
    }};
}
pub(crate) use scan;
