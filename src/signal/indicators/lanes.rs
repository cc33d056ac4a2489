//! Sums over every bar's window, vectorised across neighbouring bars: lane `l` holds bar
//! `t + l`'s sums, each added in the bar-by-bar machine's order, so each bar gets the machine's
//! bits (only independent bars share an instruction). The machines sum each window afresh
//! (TA-Lib 0.8's running sums agree with that to about 1e-11), so the work is O(period) a bar
//! and SIMD is what makes it fast. And [`Restarted`]: TA-Lib's own running sums, whose lanes
//! are whole stretches of bars between two of its recomputations.

use super::spans;
use crate::control::Control;
use crate::error::Result;

/// Bars computed together: two AVX-512 vectors (four AVX2 ones), so each sum has independent
/// chains to overlap; the divisions, not the sums, set the pace for short windows.
const LANES: usize = 16;

/// A per-bar window computation.
pub trait Bars {
    /// Writes the outputs of bars `t..t + L` (each window ends at its bar).
    fn bars<const L: usize>(&mut self, t: usize);
}

/// Runs `b` over bars `first..len`, `LANES` at a time (the rest one by one), with AVX-512 or
/// AVX2 where the CPU has them, looking for Ctrl-C between spans.
pub fn run<B: Bars>(b: &mut B, first: usize, len: usize, control: &Control) -> Result<()> {
    for span in spans(len) {
        control.check()?;
        let start = span.start.max(first);
        if start >= span.end {
            continue;
        }
        #[cfg(target_arch = "x86_64")]
        if crate::backend::cpu_features::has_avx512f() {
            // SAFETY: AVX-512F support was just checked at run time.
            unsafe { run_avx512(b, start, span.end) };
            continue;
        }
        #[cfg(target_arch = "x86_64")]
        if crate::backend::cpu_features::has_avx2() {
            // SAFETY: AVX2 support was just checked at run time.
            unsafe { run_avx2(b, start, span.end) };
            continue;
        }
        run_span(b, start, span.end);
    }
    Ok(())
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn run_avx2<B: Bars>(b: &mut B, start: usize, end: usize) {
    run_span(b, start, end)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn run_avx512<B: Bars>(b: &mut B, start: usize, end: usize) {
    run_span(b, start, end)
}

#[inline(always)]
fn run_span<B: Bars>(b: &mut B, start: usize, end: usize) {
    let mut t = start;
    while t + LANES <= end {
        b.bars::<LANES>(t);
        t += LANES;
    }
    while t < end {
        b.bars::<1>(t);
        t += 1;
    }
}

/// Sums that TA-Lib 0.8 runs over a window about a shift and recomputes from the window
/// itself (a restart) every `32 · p` bars, or sooner where they have lost too many digits (VAR,
/// STDDEV, BBANDS, CORREL). Between two restarts the sums are one serial chain, and a restart
/// depends on its window alone, so the chains of successive `32 · p`-bar segments can run side
/// by side in SIMD lanes on the guess that no early restart comes; where one does, the work from it on
/// is done again from there. Every bar gets the bar-by-bar machine's bits.
pub trait Restarted {
    /// One chain's sums.
    type Sums: Copy;
    fn period(&self) -> usize;
    /// The sums before the first window's last bar, bar `p - 1`.
    fn first(&self) -> Self::Sums;
    /// Bar `t`'s output and the sums after it, recomputed from its window.
    fn restart(&self, t: usize) -> (f64, Self::Sums);
    /// Runs lane `k` from `sums[k]` over bars `at[k]..at[k] + n` into `out`, and gives the
    /// offset of each lane's first bar that asks for a restart (`n`: none); the outputs from
    /// there on are left to be overwritten. With one lane it may stop soon after that bar.
    fn steps<const K: usize>(
        &self,
        sums: &mut [Self::Sums; K],
        at: [usize; K],
        n: usize,
        out: &mut [f64],
    ) -> [usize; K];
}

/// The bars from one planned restart to the next.
pub const fn segment(p: usize) -> usize {
    32 * p
}

/// Writes bars `p - 1..` of `out` from `r` (the caller fills the look-back).
pub fn restarted<R: Restarted>(r: &R, out: &mut [f64], control: &Control) -> Result<()> {
    #[cfg(target_arch = "x86_64")]
    if crate::backend::cpu_features::has_avx512f() {
        // SAFETY: AVX-512F support was just checked at run time.
        return unsafe { restarted_avx512(r, out, control) };
    }
    #[cfg(target_arch = "x86_64")]
    if crate::backend::cpu_features::has_avx2() {
        // SAFETY: AVX2 support was just checked at run time.
        return unsafe { restarted_avx2(r, out, control) };
    }
    restarted_in(r, out, control)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn restarted_avx2<R: Restarted>(r: &R, out: &mut [f64], control: &Control) -> Result<()> {
    restarted_in(r, out, control)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn restarted_avx512<R: Restarted>(r: &R, out: &mut [f64], control: &Control) -> Result<()> {
    restarted_in(r, out, control)
}

#[inline(always)]
fn restarted_in<R: Restarted>(r: &R, out: &mut [f64], control: &Control) -> Result<()> {
    let (p, n) = (r.period(), out.len());
    if n < p {
        return Ok(());
    }
    let seg = segment(p);
    // `b`: the first of a segment's `seg - 1` running bars, the restart after them at `b + seg - 1`.
    let mut b = p - 1;
    let mut sums = r.first();
    // After a wasted guess, the next segments one at a time, more of them each time it recurs.
    let (mut calm, mut backoff) = (0usize, 1usize);
    while b < n {
        control.check()?;
        let fits = |k: usize| calm == 0 && b + k * seg <= n;
        let ((t, early), k) = if fits(16) {
            (group::<R, 16>(r, b, sums, seg - 1, out), 16)
        } else if fits(8) {
            (group::<R, 8>(r, b, sums, seg - 1, out), 8)
        } else if fits(4) {
            (group::<R, 4>(r, b, sums, seg - 1, out), 4)
        } else if fits(2) {
            (group::<R, 2>(r, b, sums, seg - 1, out), 2)
        } else {
            (group::<R, 1>(r, b, sums, (seg - 1).min(n - b), out), 1)
        };
        if k > 1 {
            (calm, backoff) = if early { (backoff, (backoff * 2).min(64)) } else { (0, 1) };
        } else {
            calm = calm.saturating_sub(1);
        }
        if t < n {
            let (v, s) = r.restart(t);
            out[t] = v;
            sums = s;
        }
        b = t + 1;
    }
    Ok(())
}

/// `K` segments from bar `b` (`len` running bars each, the first from `sums`, the others from
/// restarts): the bar of the next restart, and whether it came early.
#[inline(always)]
fn group<R: Restarted, const K: usize>(r: &R, b: usize, sums: R::Sums, len: usize, out: &mut [f64]) -> (usize, bool) {
    let seg = segment(r.period());
    let mut st = [sums; K];
    let mut at = [b; K];
    for k in 1..K {
        at[k] = b + k * seg;
        let (v, s) = r.restart(at[k] - 1);
        out[at[k] - 1] = v;
        st[k] = s;
    }
    let first = r.steps::<K>(&mut st, at, len, out);
    match (0..K).find(|&k| first[k] < len) {
        Some(k) => (at[k] + first[k], true),
        None => (at[K - 1] + len, false),
    }
}

/// The least-squares line of each window of `p` values against 0..p (oldest first), its
/// slope `m` and intercept `b` as `LinearReg::step` takes them, given to `line(m, b)`
/// (`B`: put a barrier before `line`, for the lines that LLVM otherwise scalarises).
pub struct Regression<'a, F, const B: bool> {
    pub x: &'a [f64],
    pub p: usize,
    pub out: &'a mut [f64],
    pub line: F,
}

impl<F: Fn(f64, f64) -> f64, const B: bool> Bars for Regression<'_, F, B> {
    #[inline(always)]
    fn bars<const L: usize>(&mut self, t: usize) {
        let p = self.p;
        let pf = p as f64;
        let sum_x = pf * (p - 1) as f64 * 0.5;
        let sum_x_sqr = (p * (p - 1) * (2 * p - 1) / 6) as f64;
        let divisor = sum_x * sum_x - pf * sum_x_sqr;
        let w = &self.x[t + 1 - p..t + L];
        let (mut sum_y, mut sum_xy) = ([0.0; L], [0.0; L]);
        for j in 0..p {
            let v = &w[j..j + L];
            let i = (p - 1 - j) as f64;
            for l in 0..L {
                sum_y[l] += v[l];
                sum_xy[l] += i * v[l];
            }
        }
        // Loops over whole lanes, so the divisions vectorise whatever `line` does.
        let mut m = [0.0; L];
        for l in 0..L {
            m[l] = (pf * sum_xy[l] - sum_x * sum_y[l]) / divisor;
        }
        let mut b = [0.0; L];
        for l in 0..L {
            b[l] = (sum_y[l] - m[l] * sum_x) / pf;
        }
        if B {
            // An optimisation barrier: where `line` reads both, LLVM otherwise turns the
            // divisions above (the bottleneck) into scalar ones.
            (m, b) = std::hint::black_box((m, b));
        }
        for (l, o) in self.out[t..t + L].iter_mut().enumerate() {
            *o = (self.line)(m[l], b[l]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every vector path the CPU offers gives the baseline build's bits.
    #[test]
    fn simd_paths_equal_the_baseline() {
        let x: Vec<f64> = (0..5_000).map(|i| ((i * 7919 % 1000) as f64 * 0.37).sin() * 100.0 + 100.0).collect();
        let n = x.len();
        for p in [1, 2, 3, 7, 30, 200] {
            let mut want = vec![vec![f64::NAN; n]; 3];
            let mut got = want.clone();
            let first = p - 1;
            {
                let [_, _, c] = &mut want[..] else { unreachable!() };
                if p > 1 {
                    run_span(&mut Regression::<_, true> { x: &x, p, out: c, line: |m, b| b + m * 3.0 }, first, n);
                }
            }
            {
                let [_, _, c] = &mut got[..] else { unreachable!() };
                let control = Control::new();
                if p > 1 {
                    run(&mut Regression::<_, true> { x: &x, p, out: c, line: |m, b| b + m * 3.0 }, first, n, &control)
                        .unwrap();
                }
            }
            for (w, g) in want.iter().zip(&got) {
                assert!(w.iter().zip(g).all(|(a, b)| a.to_bits() == b.to_bits()), "p = {p}");
            }
        }
    }
}
