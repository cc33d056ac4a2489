//! How a pattern runs: block by block over the bars, its running totals ([`Totals`]) carried
//! from one block to the next, so that one pattern ([`super::run_into`]) or many side by side
//! over the same block of bars ([`super::candlesticks`]) give the same totals, hence the same
//! output.

use super::bars::{Bars, BLOCK};
use super::totals::{Avg, Threshold, Totals};

/// Whether the AVX2 builds may run: the CPU has AVX2 and FMA (and, in tests, the baseline
/// build is not being compared with them).
#[inline(always)]
pub(crate) fn avx2() -> bool {
    #[cfg(test)]
    if BASELINE.with(std::cell::Cell::get) {
        return false;
    }
    crate::backend::cpu_features::has_avx2_fma()
}

#[cfg(test)]
thread_local! {
    /// Set by tests to run the baseline build on an AVX2 machine.
    pub(crate) static BASELINE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

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

/// [`run_block`] compiled for AVX2: four bars per instruction. The same operations in the same
/// order as the baseline build (Rust never fuses a multiply and an add on its own), so the same
/// bits.
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

impl<F: Eval<N>, const N: usize> Scan for Scanner<F, N> {
    fn block(&mut self, b: &Bars<'_>, totals: &Totals, from: usize, out: &mut [i32]) {
        #[cfg(target_arch = "x86_64")]
        if avx2() {
            // SAFETY: the CPU has AVX2 and FMA (checked by `avx2`).
            return unsafe { run_block_avx2(self, b, totals, from, out) };
        }
        run_block(self, b, totals, from, out);
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
