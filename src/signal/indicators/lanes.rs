//! Sums over every bar's window, vectorised across neighbouring bars: lane `l` holds bar
//! `t + l`'s sums, each added in the bar-by-bar machine's order, so each bar gets the machine's
//! bits (only independent bars share an instruction). The machines sum each window afresh
//! (TA-Lib 0.8's running sums agree with that to about 1e-11), so the work is O(period) a bar
//! and SIMD is what makes it fast.

use super::spans;
use super::volatility::root;
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

/// The population variance of each window of `p` values, by two passes (mean, then squared
/// deviations), as `Moments::var_two_pass` takes it.
pub struct Variance<'a> {
    pub x: &'a [f64],
    pub p: usize,
    pub out: &'a mut [f64],
}

impl Bars for Variance<'_> {
    #[inline(always)]
    fn bars<const L: usize>(&mut self, t: usize) {
        self.out[t..t + L].copy_from_slice(&variances::<L>(self.x, self.p, t));
    }
}

/// The variances of the windows of `p` values ending at bars `t..t + L`.
#[inline(always)]
fn variances<const L: usize>(x: &[f64], p: usize, t: usize) -> [f64; L] {
    let pf = p as f64;
    let w = &x[t + 1 - p..t + L];
    let mut mean = [0.0; L];
    for j in 0..p {
        let v = &w[j..j + L];
        for l in 0..L {
            mean[l] += v[l];
        }
    }
    for m in &mut mean {
        *m /= pf;
    }
    let mut acc = [0.0; L];
    for j in 0..p {
        let v = &w[j..j + L];
        for l in 0..L {
            let d = v[l] - mean[l];
            acc[l] += d * d;
        }
    }
    for a in &mut acc {
        *a /= pf;
    }
    acc
}

/// BBANDS's bands about the average `mid`: `mid ± root(variance) * k`.
pub struct Bands<'a> {
    pub x: &'a [f64],
    pub p: usize,
    pub mid: &'a [f64],
    pub upper: &'a mut [f64],
    pub lower: &'a mut [f64],
    pub up: f64,
    pub dn: f64,
}

impl Bars for Bands<'_> {
    #[inline(always)]
    fn bars<const L: usize>(&mut self, t: usize) {
        let var = variances::<L>(self.x, self.p, t);
        let mid = &self.mid[t..t + L];
        let (upper, lower) = (&mut self.upper[t..t + L], &mut self.lower[t..t + L]);
        for l in 0..L {
            let sd = root(var[l]);
            upper[l] = mid[l] + sd * self.up;
            lower[l] = mid[l] - sd * self.dn;
        }
    }
}

/// Pearson's correlation of each window of `p` pairs from deviations about the window's means,
/// as `Correl::step` takes it.
pub struct Correlation<'a> {
    pub x: &'a [f64],
    pub y: &'a [f64],
    pub p: usize,
    pub out: &'a mut [f64],
}

impl Bars for Correlation<'_> {
    #[inline(always)]
    fn bars<const L: usize>(&mut self, t: usize) {
        let (p, pf) = (self.p, self.p as f64);
        let wx = &self.x[t + 1 - p..t + L];
        let wy = &self.y[t + 1 - p..t + L];
        let (mut mx, mut my) = ([0.0; L], [0.0; L]);
        for j in 0..p {
            let (a, b) = (&wx[j..j + L], &wy[j..j + L]);
            for l in 0..L {
                mx[l] += a[l];
                my[l] += b[l];
            }
        }
        for l in 0..L {
            mx[l] /= pf;
            my[l] /= pf;
        }
        let (mut sxx, mut syy, mut sxy) = ([0.0; L], [0.0; L], [0.0; L]);
        for j in 0..p {
            let (a, b) = (&wx[j..j + L], &wy[j..j + L]);
            for l in 0..L {
                let dx = a[l] - mx[l];
                let dy = b[l] - my[l];
                sxx[l] += dx * dx;
                syy[l] += dy * dy;
                sxy[l] += dx * dy;
            }
        }
        for (l, o) in self.out[t..t + L].iter_mut().enumerate() {
            let v = sxx[l] * syy[l];
            *o = if v > 0.0 { sxy[l] / v.sqrt() } else { 0.0 };
        }
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
        let y: Vec<f64> = x.iter().rev().map(|v| v * 1.5 - 3.0).collect();
        let n = x.len();
        for p in [1, 2, 3, 7, 30, 200] {
            let mut want = vec![vec![f64::NAN; n]; 3];
            let mut got = want.clone();
            let first = p - 1;
            {
                let [a, b, c] = &mut want[..] else { unreachable!() };
                run_span(&mut Variance { x: &x, p, out: a }, first, n);
                run_span(&mut Correlation { x: &x, y: &y, p, out: b }, first, n);
                if p > 1 {
                    run_span(&mut Regression::<_, true> { x: &x, p, out: c, line: |m, b| b + m * 3.0 }, first, n);
                }
            }
            {
                let [a, b, c] = &mut got[..] else { unreachable!() };
                let control = Control::new();
                run(&mut Variance { x: &x, p, out: a }, first, n, &control).unwrap();
                run(&mut Correlation { x: &x, y: &y, p, out: b }, first, n, &control).unwrap();
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
