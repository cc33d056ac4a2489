//! Moving averages: SMA, EMA, WMA, DEMA, TEMA, TRIMA, KAMA, T3 and MA(matype), each a value
//! machine (`next(x) -> Option<f64>`, `None` during the look-back) that the other indicators
//! reuse, and an indicator machine over one input.

use super::mama::Mama;
use super::state::{state, Ring, Save};
use super::{halves, lanes, prefetch};
use super::{spans, Machine, MAX_IN, MAX_OUT};
use crate::control::Control;
use crate::error::Result;
use std::ops::Range;

/// Feeds the first `n` bars (all, if fewer) to `step`: a batch loop leaves the look-back and
/// the seeding to the machine's own code and takes over, with the machine's state, from the bar
/// this gives.
pub fn warm_up<M: Machine>(
    m: &mut M,
    ins: &[&[f64]],
    outs: &mut [&mut [f64]],
    n: usize,
    control: &Control,
) -> Result<usize> {
    let n = n.min(ins[0].len());
    let (mut x, mut y) = ([0.0; MAX_IN], [0.0; MAX_OUT]);
    for span in spans(n) {
        control.check()?;
        for i in span {
            for j in 0..M::IN {
                x[j] = ins[j][i];
            }
            m.step(&x[..M::IN], &mut y[..M::OUT]);
            for k in 0..M::OUT {
                outs[k][i] = y[k];
            }
        }
    }
    Ok(n)
}

/// Runs a block (returning a value) compiled twice: with FMA, chosen where the CPU has it, so
/// that the `mul_add`s inlined into it are single instructions, and without, where they are
/// calls to libm's `fma` (the same bits: both round once). TA-Lib's own build fuses some
/// multiply-adds (its FMA clones, which the CPU-independent `mul_add` reproduces), so the loops
/// that repeat them run here. Each copy is a closure called once, which LLVM inlines into the
/// function that carries the feature; it takes what it uses by value (`move`), so the loop's
/// state lives in registers rather than behind a reference.
macro_rules! with_fma {
    ($body:block) => {{
        #[cfg(target_arch = "x86_64")]
        let fused = std::arch::is_x86_feature_detected!("fma");
        #[cfg(not(target_arch = "x86_64"))]
        let fused = false;
        if fused {
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "fma")]
            unsafe fn fma_on<R>(f: impl FnOnce() -> R) -> R {
                f()
            }
            #[cfg(not(target_arch = "x86_64"))]
            unsafe fn fma_on<R>(f: impl FnOnce() -> R) -> R {
                f()
            }
            // SAFETY: the CPU has FMA (checked just above).
            unsafe { fma_on(move || $body) }
        } else {
            (move || $body)()
        }
    }};
}
pub(crate) use with_fma;

/// Like [`with_fma!`], for loops with a vectorisable part (a division per bar, say, done four
/// bars at a time beside a serial chain): the block compiled for AVX2 and FMA where the CPU has
/// them, else as it is. Inside it, `FMA` says whether the build has fused multiply-adds (for
/// [`crate::signal::quotient::divide_all`]). Both builds give the same bits: the same
/// operations in the same order, only wider vectors. Not AVX-512: its build of these loops
/// ran ADOSC 1.5x slower than the AVX2 one on an AMD EPYC (Zen 5), measured.
macro_rules! with_wide {
    ($body:block) => {{
        #[cfg(target_arch = "x86_64")]
        let wide = crate::backend::cpu_features::has_avx2_fma();
        #[cfg(not(target_arch = "x86_64"))]
        let wide = false;
        if wide {
            // SAFETY: the CPU has AVX2 and FMA (checked just above).
            #[cfg(target_arch = "x86_64")]
            unsafe {
                $crate::signal::indicators::average::built_for!("avx2,fma", true, $body)
            }
            #[cfg(not(target_arch = "x86_64"))]
            unreachable!("AVX2 is x86's")
        } else {
            fn plain<R>(f: impl FnOnce() -> R) -> R {
                f()
            }
            plain(move || {
                #[allow(dead_code)]
                const FMA: bool = false;
                $body
            })
        }
    }};
}

/// [`with_wide!`]'s block inlined into a function compiled with `$features` (unsafe: the caller
/// checks that the CPU has them), with `FMA` defined as `$fma` inside it.
macro_rules! built_for {
    ($features:literal, $fma:literal, $body:block) => {{
        #[target_feature(enable = $features)]
        unsafe fn wide<R>(f: impl FnOnce() -> R) -> R {
            f()
        }
        wide(move || {
            #[allow(dead_code)]
            const FMA: bool = $fma;
            $body
        })
    }};
}
pub(crate) use built_for;
pub(crate) use with_wide;

/// Bars per group in the loops that split a bar's work into parts computed for a whole group
/// at once (vectorised) around a serial chain: small enough that the CPU runs the next group's
/// vector divisions while the chain goes through this one's bars, large enough to be a loop
/// that the compiler vectorises (rather than unrolls).
pub const GROUP: usize = 32;

/// `out[i] = post(chain(term(x_i)), x_i)`, `x_i` the bar `i` of every input (each at least as
/// long as `out`): `term` and `post` need no other bar and run over [`GROUP`] bars at a time
/// (the compiler vectorises them, each of their `J` and `K` values kept in its own array),
/// `chain` is a serial recurrence fed every bar's terms in order.
#[inline(always)]
pub fn around_chain<const I: usize, const J: usize, const K: usize>(
    ins: [&[f64]; I],
    out: &mut [f64],
    term: impl Fn([f64; I]) -> [f64; J],
    mut chain: impl FnMut([f64; J]) -> [f64; K],
    post: impl Fn([f64; K], [f64; I]) -> f64,
) {
    let n = out.len();
    let ins = ins.map(|s| &s[..n]);
    let groups = ins.map(|s| s.as_chunks::<GROUP>().0);
    let (whole, rest) = out.as_chunks_mut::<GROUP>();
    for (j, o) in whole.iter_mut().enumerate() {
        let x = groups.map(|g| &g[j]);
        let mut t = [[0.0; GROUP]; J];
        for k in 0..GROUP {
            let v = term(x.map(|x| x[k]));
            for (t, v) in t.iter_mut().zip(v) {
                t[k] = v;
            }
        }
        let mut u = [[0.0; GROUP]; K];
        for k in 0..GROUP {
            let v = chain(std::array::from_fn(|m| t[m][k]));
            for (u, v) in u.iter_mut().zip(v) {
                u[k] = v;
            }
        }
        for (k, o) in o.iter_mut().enumerate() {
            *o = post(std::array::from_fn(|m| u[m][k]), x.map(|x| x[k]));
        }
    }
    let done = n - rest.len();
    for (i, o) in rest.iter_mut().enumerate() {
        let x = ins.map(|s| s[done + i]);
        *o = post(chain(term(x)), x);
    }
}

/// [`warm_up`] for a value machine.
fn warm_value<V: Value>(v: &mut V, x: &[f64], out: &mut [f64], n: usize, control: &Control) -> Result<usize> {
    let n = n.min(x.len());
    for span in spans(n) {
        control.check()?;
        for i in span {
            out[i] = v.value(x[i]).unwrap_or(f64::NAN);
        }
    }
    Ok(n)
}

/// TA-Lib's `TA_IS_ZERO`.
#[inline]
pub fn is_zero(v: f64) -> bool {
    -0.00000001 < v && v < 0.00000001
}

/// TA-Lib's compiled `!TA_IS_ZERO(v)` where a NaN takes the zero branch (found with NaN
/// bars: CMO, the DIs, DX and ULTOSC give TA-Lib's "zero" value for a NaN sum; its build tests
/// `v` outside the band, not "not inside" it).
#[inline]
pub fn clear_of_zero(v: f64) -> bool {
    v <= -0.00000001 || 0.00000001 <= v
}

/// TA-Lib's `TA_IS_ZERO_OR_NEG`.
#[inline]
pub fn is_zero_or_neg(v: f64) -> bool {
    v < 0.00000001
}

/// TA-Lib's `PER_TO_K`.
#[inline]
pub fn per_to_k(period: usize) -> f64 {
    2.0 / ((period + 1) as f64)
}

/// Simple moving average: a running sum of the window, divided by the period.
#[derive(Clone, Debug)]
pub struct Sma {
    p: usize,
    ring: Ring,
    sum: f64,
}
state!(Sma { ring, sum });

impl Sma {
    pub fn new(p: usize) -> Self {
        Self { p, ring: Ring::new(p), sum: 0.0 }
    }
    #[inline]
    pub fn next(&mut self, x: f64) -> Option<f64> {
        self.sum += x;
        self.ring.push(x);
        if self.ring.len() < self.p {
            return None;
        }
        let total = self.sum;
        self.sum -= self.ring.get(0);
        Some(total / self.p as f64)
    }
}

/// Exponential moving average with TA-Lib's default seeding: the SMA of the first `p` values,
/// then `prev + (x - prev) * k`.
#[derive(Clone, Debug)]
pub struct Ema {
    p: usize,
    k: f64,
    n: usize,
    sum: f64,
    prev: f64,
}
state!(Ema { n, sum, prev });

impl Ema {
    pub fn new(p: usize) -> Self {
        Self::with_k(p, per_to_k(p))
    }
    pub fn with_k(p: usize, k: f64) -> Self {
        Self { p, k, n: 0, sum: 0.0, prev: 0.0 }
    }
    #[inline]
    pub fn next(&mut self, x: f64) -> Option<f64> {
        if self.n < self.p {
            self.sum += x;
            self.n += 1;
            if self.n < self.p {
                return None;
            }
            self.prev = self.sum / self.p as f64;
            return Some(self.prev);
        }
        self.prev = ema_step(self.prev, x, self.k);
        Some(self.prev)
    }
    /// The smoothing factor and the last value: what a fused loop carries on from.
    pub fn carried(&self) -> (f64, f64) {
        (self.k, self.prev)
    }
}

/// The EMA's next value as TA-Lib's build computes it: `(x - prev) * k + prev` in one
/// rounding (its FMA clone of TA_EMA, which TA_MA and the EMA-based indicators also use).
#[inline(always)]
pub fn ema_step(prev: f64, x: f64, k: f64) -> f64 {
    (x - prev).mul_add(k, prev)
}

/// One stage of T3 and ADOSC's EMAs as TA-Lib's build fuses it: `prev * (1 - k) + k * x`.
#[inline(always)]
pub fn ema_blend(prev: f64, x: f64, k: f64, one_minus_k: f64) -> f64 {
    prev.mul_add(one_minus_k, k * x)
}

/// Weighted moving average (weights 1..p, the newest heaviest) by TA-Lib's running sums.
#[derive(Clone, Debug)]
pub struct Wma {
    p: usize,
    ring: Ring,
    n: usize,
    sum: f64,
    sub: f64,
    trailing: f64,
    /// Outputs by running sums before the next one summed afresh.
    left: usize,
}
state!(Wma { ring, n, sum, sub, trailing, left });

impl Wma {
    pub fn new(p: usize) -> Self {
        Self { p, ring: Ring::new(p), n: 0, sum: 0.0, sub: 0.0, trailing: 0.0, left: wma_run(p) }
    }
    #[inline]
    pub fn next(&mut self, x: f64) -> Option<f64> {
        self.ring.push(x);
        if self.n + 1 < self.p {
            self.n += 1;
            self.sub += x;
            self.sum += x * (self.n as f64);
            return None;
        }
        let divider = ((self.p * (self.p + 1)) >> 1) as f64;
        if self.left == 0 {
            self.left = wma_run(self.p);
            let (sub, sum) = wma_sums((0..self.p).map(|j| self.ring.get(j)));
            self.trailing = self.ring.get(0);
            self.sub = sub;
            self.sum = sum - sub;
            return Some(sum / divider);
        }
        self.left -= 1;
        self.sub += x;
        self.sub -= self.trailing;
        self.sum += x * self.p as f64;
        self.trailing = self.ring.get(0);
        let out = self.sum / divider;
        self.sum -= self.sub;
        Some(out)
    }
}

/// TA-Lib 0.8.1 bounds the running sums' drift: after `8 p - 1` outputs by running sums, one
/// output is computed from the window afresh ([`wma_sums`]), and the count starts again.
fn wma_run(p: usize) -> usize {
    8 * p - 1
}

/// The window's plain sum and its weighted sum (weights 1 for the oldest to `p` for the newest),
/// added up oldest first as TA-Lib does.
fn wma_sums(window: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut sub, mut sum) = (0.0, 0.0);
    for (j, v) in window.enumerate() {
        sub += v;
        sum += v * (j + 1) as f64;
    }
    (sub, sum)
}

/// Double EMA: `2 EMA - EMA(EMA)`.
#[derive(Clone, Debug)]
pub struct Dema {
    e1: Ema,
    e2: Ema,
}
state!(Dema { e1, e2 });

impl Dema {
    pub fn new(p: usize) -> Self {
        Self { e1: Ema::new(p), e2: Ema::new(p) }
    }
    #[inline]
    pub fn next(&mut self, x: f64) -> Option<f64> {
        let a = self.e1.next(x)?;
        let b = self.e2.next(a)?;
        Some((2.0 * a) - b)
    }
}

/// Triple EMA: `3 EMA - 3 EMA(EMA) + EMA(EMA(EMA))`.
#[derive(Clone, Debug)]
pub struct Tema {
    e1: Ema,
    e2: Ema,
    e3: Ema,
}
state!(Tema { e1, e2, e3 });

impl Tema {
    pub fn new(p: usize) -> Self {
        Self { e1: Ema::new(p), e2: Ema::new(p), e3: Ema::new(p) }
    }
    #[inline]
    pub fn next(&mut self, x: f64) -> Option<f64> {
        let a = self.e1.next(x)?;
        let b = self.e2.next(a)?;
        let c = self.e3.next(b)?;
        Some(c + ((3.0 * a) - (3.0 * b)))
    }
}

/// Triangular moving average by TA-Lib's numerator updates (odd and even periods differ).
#[derive(Clone, Debug)]
pub struct Trima {
    p: usize,
    ring: Ring,
    numerator: f64,
    sub: f64,
    add: f64,
}
state!(Trima { ring, numerator, sub, add });

impl Trima {
    pub fn new(p: usize) -> Self {
        Self { p, ring: Ring::new(p + 1), numerator: 0.0, sub: 0.0, add: 0.0 }
    }
    fn factor(&self) -> f64 {
        let i = self.p >> 1;
        let f = if self.p % 2 == 1 { (i + 1) * (i + 1) } else { i * (i + 1) };
        1.0 / f as f64
    }
    #[inline]
    pub fn next(&mut self, x: f64) -> Option<f64> {
        let p = self.p;
        let half = p >> 1;
        let odd = p % 2 == 1;
        let seen = self.ring.len();
        self.ring.push(x);
        if seen + 1 < p {
            return None;
        }
        if seen + 1 == p {
            // The window is x[0..p]: first output from scratch.
            let middle = if odd { half } else { half - 1 };
            let (mut num, mut sub, mut add) = (0.0, 0.0, 0.0);
            for i in (0..=middle).rev() {
                sub += self.ring.get(i);
                num += sub;
            }
            for i in middle + 1..p {
                add += self.ring.get(i);
                num += add;
            }
            self.numerator = num;
            self.sub = sub;
            self.add = add;
            return Some(num * self.factor());
        }
        // The ring holds p + 1 values: the old trailing one first, `x` last.
        let old = self.ring.get(0);
        let mid = if odd { self.ring.get(1 + half) } else { self.ring.get(half) };
        self.numerator -= self.sub;
        self.sub -= old;
        self.sub += mid;
        if odd {
            self.numerator += self.add;
            self.add -= mid;
        } else {
            self.add -= mid;
            self.numerator += self.add;
        }
        self.add += x;
        self.numerator += x;
        Some(self.numerator * self.factor())
    }
}

/// Kaufman's adaptive moving average (fast 2, slow 30), by TA-Lib's running sum of changes.
#[derive(Clone, Debug)]
pub struct Kama {
    p: usize,
    ring: Ring,
    sum: f64,
    prev: f64,
}
state!(Kama { ring, sum, prev });

impl Kama {
    pub fn new(p: usize) -> Self {
        Self { p, ring: Ring::new(p + 1), sum: 0.0, prev: 0.0 }
    }
    #[inline]
    pub fn next(&mut self, x: f64) -> Option<f64> {
        let seen = self.ring.len();
        if seen < self.p {
            if seen > 0 {
                self.sum += (self.ring.back(0) - x).abs();
            }
            self.ring.push(x);
            return None;
        }
        let roc;
        if seen == self.p {
            self.sum += (self.ring.back(0) - x).abs();
            self.prev = self.ring.back(0);
            roc = x - self.ring.get(0);
        } else {
            let trailing = self.ring.get(0);
            let t2 = self.ring.get(1);
            roc = x - t2;
            self.sum -= (trailing - t2).abs();
            self.sum += (x - self.ring.back(0)).abs();
        }
        self.ring.push(x);
        self.prev = kama_step(self.sum, roc, x, self.prev);
        Some(self.prev)
    }
}

/// KAMA's next value (multiply-adds fused as in TA-Lib's build) from the sum of changes, the change over the period and the input.
#[inline]
fn kama_step(sum: f64, roc: f64, x: f64, prev: f64) -> f64 {
    let const_max = 2.0 / (30.0 + 1.0);
    let const_diff = 2.0 / (2.0 + 1.0) - const_max;
    let ratio = (roc / sum).abs();
    let er = if sum <= roc || is_zero(sum) { 1.0 } else { ratio };
    let mut sc = er.mul_add(const_diff, const_max);
    sc *= sc;
    (x - prev).mul_add(sc, prev)
}

/// Tillson's T3: six EMAs chained (each seeded by the mean of its first `p` inputs), combined
/// with the volume factor's coefficients.
#[derive(Clone, Debug)]
pub struct T3 {
    p: usize,
    k: f64,
    c: [f64; 4],
    e: Vec<f64>,
    sums: Vec<f64>,
    counts: Vec<usize>,
}
state!(T3 { e, sums, counts });

impl T3 {
    pub fn new(p: usize, v: f64) -> Self {
        let t = v * v;
        let c1 = -(t * v);
        let c2 = 3.0 * (t - c1);
        let c3 = -6.0 * t - 3.0 * (v - c1);
        let c4 = 1.0 + 3.0 * v - c1 + 3.0 * t;
        Self {
            p,
            k: 2.0 / (p as f64 + 1.0),
            c: [c1, c2, c3, c4],
            e: vec![0.0; 6],
            sums: vec![0.0; 6],
            counts: vec![0; 6],
        }
    }
    #[inline]
    pub fn next(&mut self, x: f64) -> Option<f64> {
        let (k, one_minus_k) = (self.k, 1.0 - self.k);
        let mut v = x;
        for s in 0..6 {
            if self.counts[s] == self.p {
                self.e[s] = ema_blend(self.e[s], v, k, one_minus_k);
            } else {
                self.sums[s] += v;
                self.counts[s] += 1;
                if self.counts[s] < self.p {
                    return None;
                }
                self.e[s] = self.sums[s] / self.p as f64;
            }
            v = self.e[s];
        }
        Some(t3_out(self.c, &self.e))
    }
}

/// T3's value of its EMAs, `c1 e6 + c2 e5 + c3 e4 + c4 e3` fused as TA-Lib's build fuses it.
#[inline(always)]
fn t3_out([c1, c2, c3, c4]: [f64; 4], e: &[f64]) -> f64 {
    c4.mul_add(e[2], c3.mul_add(e[3], c1.mul_add(e[5], c2 * e[4])))
}

/// TA-Lib's `MA` by `matype` (0 SMA, 1 EMA, 2 WMA, 3 DEMA, 4 TEMA, 5 TRIMA, 6 KAMA, 7 MAMA, 8
/// T3 with volume factor 0.7); a period of 1 copies the input, as `TA_MA` does.
#[derive(Clone, Debug)]
pub enum Ma {
    Copy,
    Sma(Sma),
    Ema(Ema),
    Wma(Wma),
    Dema(Dema),
    Tema(Tema),
    Trima(Trima),
    Kama(Kama),
    Mama(Box<Mama>),
    T3(T3),
}

impl Ma {
    pub fn new(p: usize, matype: usize) -> Result<Self> {
        if p == 1 {
            return Ok(Ma::Copy);
        }
        Ok(match matype {
            0 => Ma::Sma(Sma::new(p)),
            1 => Ma::Ema(Ema::new(p)),
            2 => Ma::Wma(Wma::new(p)),
            3 => Ma::Dema(Dema::new(p)),
            4 => Ma::Tema(Tema::new(p)),
            5 => Ma::Trima(Trima::new(p)),
            6 => Ma::Kama(Kama::new(p)),
            7 => Ma::Mama(Box::new(Mama::new(0.5, 0.05))),
            8 => Ma::T3(T3::new(p, 0.7)),
            _ => return Err(crate::invalid!("matype must be between 0 and 8, got {matype}")),
        })
    }
    /// Bars before the first value (TA-Lib's look-back).
    pub fn lookback(&self) -> usize {
        match self {
            Ma::Copy => 0,
            Ma::Sma(m) => m.p - 1,
            Ma::Ema(m) => m.p - 1,
            Ma::Wma(m) => m.p - 1,
            Ma::Dema(m) => 2 * (m.e1.p - 1),
            Ma::Tema(m) => 3 * (m.e1.p - 1),
            Ma::Trima(m) => m.p - 1,
            Ma::Kama(m) => m.p,
            Ma::Mama(_) => 32,
            Ma::T3(m) => 6 * (m.p - 1),
        }
    }
    #[inline]
    pub fn next(&mut self, x: f64) -> Option<f64> {
        match self {
            Ma::Copy => Some(x),
            Ma::Sma(m) => m.next(x),
            Ma::Ema(m) => m.next(x),
            Ma::Wma(m) => m.next(x),
            Ma::Dema(m) => m.next(x),
            Ma::Tema(m) => m.next(x),
            Ma::Trima(m) => m.next(x),
            Ma::Kama(m) => m.next(x),
            Ma::Mama(m) => m.next(x).map(|(mama, _)| mama),
            Ma::T3(m) => m.next(x),
        }
    }
}

impl Save for Ma {
    fn save(&self, out: &mut Vec<f64>) {
        match self {
            Ma::Copy => {}
            Ma::Sma(m) => m.save(out),
            Ma::Ema(m) => m.save(out),
            Ma::Wma(m) => m.save(out),
            Ma::Dema(m) => m.save(out),
            Ma::Tema(m) => m.save(out),
            Ma::Trima(m) => m.save(out),
            Ma::Kama(m) => m.save(out),
            Ma::Mama(m) => m.save(out),
            Ma::T3(m) => m.save(out),
        }
    }
    fn load(&mut self, from: &mut super::Loader<'_>) -> Result<()> {
        match self {
            Ma::Copy => Ok(()),
            Ma::Sma(m) => m.load(from),
            Ma::Ema(m) => m.load(from),
            Ma::Wma(m) => m.load(from),
            Ma::Dema(m) => m.load(from),
            Ma::Tema(m) => m.load(from),
            Ma::Trima(m) => m.load(from),
            Ma::Kama(m) => m.load(from),
            Ma::Mama(m) => m.load(from),
            Ma::T3(m) => m.load(from),
        }
    }
}

/// Any value machine as a one-input, one-output indicator.
#[derive(Clone, Debug)]
pub struct Single<A>(pub A);

/// A value machine: one number in, one number out once past the look-back.
pub trait Value: Clone + Send + Sync + Save + 'static {
    fn value(&mut self, x: f64) -> Option<f64>;

    /// The values over a whole series from the fresh state (NaN during the look-back): what
    /// [`Value::value`] gives bar by bar, which is the default. A machine overrides it with a
    /// loop over the array doing the same arithmetic in the same order (the tests compare the
    /// bits). The state afterwards is unspecified.
    fn series(&mut self, x: &[f64], out: &mut [f64], control: &Control) -> Result<()> {
        for span in spans(x.len()) {
            control.check()?;
            for i in span {
                out[i] = self.value(x[i]).unwrap_or(f64::NAN);
            }
        }
        Ok(())
    }
}

impl Value for Ma {
    #[inline]
    fn value(&mut self, x: f64) -> Option<f64> {
        self.next(x)
    }

    /// Each average's own series.
    fn series(&mut self, x: &[f64], out: &mut [f64], control: &Control) -> Result<()> {
        match self {
            Ma::Copy => {
                out.copy_from_slice(x);
                Ok(())
            }
            Ma::Sma(m) => m.series(x, out, control),
            Ma::Ema(m) => m.series(x, out, control),
            Ma::Wma(m) => m.series(x, out, control),
            Ma::Dema(m) => m.series(x, out, control),
            Ma::Tema(m) => m.series(x, out, control),
            Ma::Trima(m) => m.series(x, out, control),
            Ma::Kama(m) => m.series(x, out, control),
            Ma::Mama(m) => m.series(x, out, control),
            Ma::T3(m) => m.series(x, out, control),
        }
    }
}

impl Value for Mama {
    #[inline]
    fn value(&mut self, x: f64) -> Option<f64> {
        self.next(x).map(|(mama, _)| mama)
    }

    /// MAMA's own batch, its FAMA line left in scratch.
    fn series(&mut self, x: &[f64], out: &mut [f64], control: &Control) -> Result<()> {
        let mut fama = vec![0.0; x.len()];
        super::Machine::batch(self, &[x], &mut [&mut out[..x.len()], &mut fama], control)
    }
}

impl Value for Wma {
    #[inline]
    fn value(&mut self, x: f64) -> Option<f64> {
        self.next(x)
    }

    /// TA-Lib's running sums over the array (the trailing value read from it, not a ring) up
    /// to the first window summed afresh, then [`lanes::restarted`] from there.
    fn series(&mut self, x: &[f64], out: &mut [f64], control: &Control) -> Result<()> {
        let p = self.p;
        let start = warm_value(self, x, out, p - 1, control)?;
        let (pf, divider) = (p as f64, ((p * (p + 1)) >> 1) as f64);
        let mut sums = WmaSums { sub: self.sub, sum: self.sum };
        let (mut trailing, mut left) = (self.trailing, self.left);
        for i in start..x.len() {
            if left == 0 {
                let windows = WmaWindows { x: &x[i + 1 - p..], p, pf, divider };
                return lanes::restarted(&windows, &mut out[i + 1 - p..x.len()], control);
            }
            left -= 1;
            out[i] = sums.step(x[i], trailing, pf) / divider;
            trailing = x[i + 1 - p];
        }
        Ok(())
    }
}

/// WMA's running sums between two windows summed afresh: the window's sum, and its weighted
/// sum less that (the weights one lower, ready for the next bar).
#[derive(Clone, Copy, Debug)]
pub struct WmaSums {
    sub: f64,
    sum: f64,
}

impl WmaSums {
    /// One bar by the running sums, in TA-Lib's order: `new` comes in, `old` (the value `p`
    /// bars back) leaves; gives the weighted sum before the divider.
    #[inline(always)]
    fn step(&mut self, new: f64, old: f64, pf: f64) -> f64 {
        self.sub += new;
        self.sub -= old;
        self.sum += new * pf;
        let raw = self.sum;
        self.sum -= self.sub;
        raw
    }
}

/// WMA over a series whose bar `p - 1` is summed afresh, for [`lanes::restarted`].
struct WmaWindows<'a> {
    x: &'a [f64],
    p: usize,
    pf: f64,
    divider: f64,
}

impl lanes::Restarted for WmaWindows<'_> {
    type Sums = WmaSums;
    fn period(&self) -> usize {
        self.p
    }
    fn segment(&self) -> usize {
        wma_run(self.p) + 1
    }
    fn first(&self) -> Option<WmaSums> {
        None
    }
    fn prefetch(&self, bars: std::ops::Range<usize>) {
        prefetch::read_l2(self.x, bars.start.saturating_sub(self.p)..bars.end);
    }
    fn restart(&self, t: usize) -> (f64, WmaSums) {
        let (sub, sum) = wma_sums(self.x[t + 1 - self.p..=t].iter().copied());
        (sum / self.divider, WmaSums { sub, sum: sum - sub })
    }
    #[inline(always)]
    fn steps<const K: usize>(&self, sums: &mut [WmaSums; K], at: [usize; K], n: usize, out: &mut [f64]) -> [usize; K] {
        lanes::by_fours(self, sums, at, n, out)
    }
}

impl lanes::Chains for WmaWindows<'_> {
    /// `L` lanes' sums side by side, in blocks of bars; the divisions follow along the bars,
    /// vectorised. No restart comes early.
    #[inline(always)]
    fn chains<const L: usize>(&self, sums: &mut [WmaSums; L], at: [usize; L], n: usize, out: &mut [f64]) -> [usize; L] {
        const C: usize = 64;
        let (x, p, pf) = (self.x, self.p, self.pf);
        let mut raw = [[0.0; C]; L];
        let mut s = *sums;
        let mut j0 = 0;
        while j0 < n {
            let c = C.min(n - j0);
            let new: [&[f64]; L] = std::array::from_fn(|k| &x[at[k] + j0..at[k] + j0 + c]);
            let old: [&[f64]; L] = std::array::from_fn(|k| &x[at[k] + j0 - p..at[k] + j0 - p + c]);
            for j in 0..c {
                for k in 0..L {
                    raw[k][j] = s[k].step(new[k][j], old[k][j], pf);
                }
            }
            for k in 0..L {
                let t = at[k] + j0;
                for (o, &r) in out[t..t + c].iter_mut().zip(&raw[k][..c]) {
                    *o = r / self.divider;
                }
            }
            j0 += c;
        }
        *sums = s;
        [n; L]
    }
}

impl Value for Dema {
    #[inline]
    fn value(&mut self, x: f64) -> Option<f64> {
        self.next(x)
    }

    /// Both EMAs in one loop once seeded (two independent chains side by side).
    fn series(&mut self, x: &[f64], out: &mut [f64], control: &Control) -> Result<()> {
        let start = warm_value(self, x, out, 2 * (self.e1.p - 1) + 1, control)?;
        let k = self.e1.k;
        let cascade =
            Cascade { x, p: self.e1.p, step: |e, v| ema_step(e, v, k), value: |&[a, b]: &[f64; 2]| (2.0 * a) - b };
        halves::run(&cascade, [self.e1.prev, self.e2.prev], start..x.len(), &mut [&mut out[start..]], control)
    }
}

impl Value for Tema {
    #[inline]
    fn value(&mut self, x: f64) -> Option<f64> {
        self.next(x)
    }

    /// The three EMAs in one loop once seeded.
    fn series(&mut self, x: &[f64], out: &mut [f64], control: &Control) -> Result<()> {
        let start = warm_value(self, x, out, 3 * (self.e1.p - 1) + 1, control)?;
        let k = self.e1.k;
        let value = |&[a, b, c]: &[f64; 3]| c + ((3.0 * a) - (3.0 * b));
        let cascade = Cascade { x, p: self.e1.p, step: |e, v| ema_step(e, v, k), value };
        let state = [self.e1.prev, self.e2.prev, self.e3.prev];
        halves::run(&cascade, state, start..x.len(), &mut [&mut out[start..]], control)
    }
}

/// `S` EMAs of one period, each of the one before and the first of the price, once all are
/// seeded: DEMA's, TEMA's and T3's loops. `step(e, v)` is one EMA's step from `e` by `v`,
/// `value` the output of the EMAs' values.
struct Cascade<'a, St, Out> {
    x: &'a [f64],
    p: usize,
    step: St,
    value: Out,
}

impl<const S: usize, St, Out> halves::Forgets<S> for Cascade<'_, St, Out>
where
    St: Fn(f64, f64) -> f64 + Sync,
    Out: Fn(&[f64; S]) -> f64 + Sync,
{
    /// Each EMA meets within 18 periods of its input meeting (see [`EmaRun`]).
    fn burn(&self) -> usize {
        20 * self.p * S + 64
    }
    fn guess(&self, bar: usize) -> [f64; S] {
        [self.x[bar]; S]
    }
    fn run(
        &self,
        state: [f64; S],
        bars: Range<usize>,
        outs: Option<&mut [&mut [f64]]>,
        control: &Control,
    ) -> Result<[f64; S]> {
        let (x, step, value) = (&self.x[bars], &self.step, &self.value);
        with_fma!({
            // The loop's state as the block's own local (kept in registers).
            let mut e = state;
            let mut next = |v: f64| {
                e[0] = step(e[0], v);
                for j in 1..S {
                    e[j] = step(e[j], e[j - 1]);
                }
                value(&e)
            };
            for span in spans(x.len()) {
                control.check()?;
                match outs {
                    Some([ref mut out]) => {
                        for (o, &v) in out[span.clone()].iter_mut().zip(&x[span]) {
                            *o = next(v);
                        }
                    }
                    _ => x[span].iter().for_each(|&v| _ = next(v)),
                }
            }
            Ok(e)
        })
    }
}

impl Value for Trima {
    #[inline]
    fn value(&mut self, x: f64) -> Option<f64> {
        self.next(x)
    }

    /// The first value by `next`, then TA-Lib's numerator updates reading the array.
    fn series(&mut self, x: &[f64], out: &mut [f64], control: &Control) -> Result<()> {
        let p = self.p;
        let start = warm_value(self, x, out, p, control)?;
        let (half, odd, factor) = (p >> 1, p % 2 == 1, self.factor());
        // The middle value's offset from the oldest one (`i - p`) in the ring of p + 1.
        let mid_at = if odd { 1 + half } else { half };
        let (mut num, mut sub, mut add) = (self.numerator, self.sub, self.add);
        for span in spans(x.len()) {
            control.check()?;
            for i in span.start.max(start)..span.end.max(start) {
                let (old, mid, v) = (x[i - p], x[i - p + mid_at], x[i]);
                num -= sub;
                sub -= old;
                sub += mid;
                if odd {
                    num += add;
                    add -= mid;
                } else {
                    add -= mid;
                    num += add;
                }
                add += v;
                num += v;
                out[i] = num * factor;
            }
        }
        Ok(())
    }
}

impl Value for Kama {
    #[inline]
    fn value(&mut self, x: f64) -> Option<f64> {
        self.next(x)
    }

    /// The seeding by `next`, then the running sum of changes and the smoothing over the array.
    fn series(&mut self, x: &[f64], out: &mut [f64], control: &Control) -> Result<()> {
        let p = self.p;
        let start = warm_value(self, x, out, p + 1, control)?;
        let (sum, prev) = (self.sum, self.prev);
        with_fma!({
            let (mut sum, mut prev) = (sum, prev);
            for span in spans(x.len()) {
                control.check()?;
                for i in span.start.max(start)..span.end.max(start) {
                    let (v, trailing, t2, last) = (x[i], x[i - p - 1], x[i - p], x[i - 1]);
                    let roc = v - t2;
                    sum -= (trailing - t2).abs();
                    sum += (v - last).abs();
                    prev = kama_step(sum, roc, v, prev);
                    out[i] = prev;
                }
            }
            Ok(())
        })
    }
}

impl Value for T3 {
    #[inline]
    fn value(&mut self, x: f64) -> Option<f64> {
        self.next(x)
    }

    /// The six EMAs in one loop once all are seeded.
    fn series(&mut self, x: &[f64], out: &mut [f64], control: &Control) -> Result<()> {
        let start = warm_value(self, x, out, 6 * (self.p - 1) + 1, control)?;
        let (k, one_minus_k, c) = (self.k, 1.0 - self.k, self.c);
        let value = move |e: &[f64; 6]| t3_out(c, e);
        let cascade = Cascade { x, p: self.p, step: |e, v| ema_blend(e, v, k, one_minus_k), value };
        let state = std::array::from_fn(|j| self.e[j]);
        halves::run(&cascade, state, start..x.len(), &mut [&mut out[start..]], control)
    }
}

impl Value for Sma {
    #[inline]
    fn value(&mut self, x: f64) -> Option<f64> {
        self.next(x)
    }

    /// TA-Lib's loop: the total gains the new value, is read, then loses the oldest.
    fn series(&mut self, x: &[f64], out: &mut [f64], control: &Control) -> Result<()> {
        let (p, pf) = (self.p, self.p as f64);
        let warm = (p - 1).min(x.len());
        let mut sum = 0.0;
        for i in 0..warm {
            sum += x[i];
            out[i] = f64::NAN;
        }
        for span in spans(x.len()) {
            control.check()?;
            let (lo, hi) = (span.start.max(warm), span.end.max(warm));
            if lo == hi {
                continue; // a series shorter than the period
            }
            // Zipped slices: no bounds checks inside the loop.
            for ((o, &new), &old) in out[lo..hi].iter_mut().zip(&x[lo..hi]).zip(&x[lo + 1 - p..hi + 1 - p]) {
                sum += new;
                let total = sum;
                sum -= old;
                *o = total / pf;
            }
        }
        Ok(())
    }
}

impl Value for Ema {
    #[inline]
    fn value(&mut self, x: f64) -> Option<f64> {
        self.next(x)
    }

    /// The SMA of the first `p` values, then `prev + (x - prev) * k`.
    fn series(&mut self, x: &[f64], out: &mut [f64], control: &Control) -> Result<()> {
        let (p, k) = (self.p, self.k);
        let warm = (p - 1).min(x.len());
        let mut prev = 0.0;
        for i in 0..warm {
            prev += x[i];
            out[i] = f64::NAN;
        }
        if warm < x.len() {
            prev = (prev + x[warm]) / p as f64;
            out[warm] = prev;
        }
        let from = (warm + 1).min(x.len());
        halves::run(&EmaRun { x, k, burn: 20 * p + 64 }, [prev], from..x.len(), &mut [&mut out[from..]], control)
    }
}

/// An EMA's steps over `x` (state: the last value). Measured: from 200 guessed starts (the
/// price itself) at periods 12 to 200 on random-walk prices, every run met the true one
/// within 18 periods.
pub struct EmaRun<'a> {
    pub x: &'a [f64],
    pub k: f64,
    pub burn: usize,
}

impl halves::Forgets<1> for EmaRun<'_> {
    fn burn(&self) -> usize {
        self.burn
    }
    fn guess(&self, bar: usize) -> [f64; 1] {
        [self.x[bar]]
    }
    fn run(
        &self,
        [prev]: [f64; 1],
        bars: Range<usize>,
        outs: Option<&mut [&mut [f64]]>,
        control: &Control,
    ) -> Result<[f64; 1]> {
        let (x, k) = (&self.x[bars], self.k);
        with_fma!({
            let mut prev = prev;
            match outs {
                Some([out]) => {
                    for span in spans(x.len()) {
                        control.check()?;
                        for (o, &v) in out[span.clone()].iter_mut().zip(&x[span]) {
                            prev = ema_step(prev, v, k);
                            *o = prev;
                        }
                    }
                }
                _ => {
                    for span in spans(x.len()) {
                        control.check()?;
                        for &v in &x[span] {
                            prev = ema_step(prev, v, k);
                        }
                    }
                }
            }
            Ok([prev])
        })
    }
}

impl<A: Value> Save for Single<A> {
    fn save(&self, out: &mut Vec<f64>) {
        self.0.save(out)
    }
    fn load(&mut self, from: &mut super::Loader<'_>) -> Result<()> {
        self.0.load(from)
    }
}

impl<A: Value> Machine for Single<A> {
    const IN: usize = 1;
    const OUT: usize = 1;
    #[inline]
    fn step(&mut self, x: &[f64], out: &mut [f64]) {
        out[0] = self.0.value(x[0]).unwrap_or(f64::NAN);
    }
    fn batch(&mut self, ins: &[&[f64]], outs: &mut [&mut [f64]], control: &Control) -> Result<()> {
        self.0.series(ins[0], outs[0], control)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{build, run_checked, spec, Indicator, ParamKind};
    use crate::control::Control;

    /// Bars that wander, with flat runs, equal closes, zero ranges and NaN inside.
    fn bars(n: usize) -> Vec<Vec<f64>> {
        let mut s = 99u64;
        let mut u = || {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((s >> 11) as f64) / ((1u64 << 53) as f64)
        };
        let mut close = 50.0;
        let mut cols = vec![Vec::new(); 5];
        for i in 0..n {
            let open = close;
            if i % 97 >= 90 {
                close = open; // a flat run
            } else {
                close = (close * (1.0 + 0.03 * (u() - 0.5)) * 8.0).round() / 8.0;
            }
            let flat = i % 211 < 5;
            let (h, l) = if flat { (open, open) } else { (open.max(close) + u(), open.min(close) - u()) };
            let bar = [h, l, close, (1000.0 * u()).floor(), open];
            for (c, v) in cols.iter_mut().zip(bar) {
                c.push(v);
            }
        }
        for (k, c) in cols.iter_mut().enumerate() {
            for at in [1_000 + 7 * k, 40_000, 66_000 + k] {
                c[at] = f64::NAN;
            }
        }
        // NaN volumes on falling and rising bars (OBV subtracts or adds them).
        for at in (3_001..3_100).step_by(9) {
            cols[3][at] = f64::NAN;
        }
        cols
    }

    /// Parameter sets: the defaults, each period at 2, 3, 7 and 50 (where allowed), each matype.
    fn cases(name: &str) -> Vec<Vec<f64>> {
        let s = spec(name).unwrap();
        let base: Vec<f64> = s.params.iter().map(|p| p.default).collect();
        let mut out = vec![base.clone()];
        for (j, p) in s.params.iter().enumerate() {
            let values: Vec<f64> = match p.kind {
                ParamKind::Int { min, .. } => {
                    [2, 3, 7, 50].into_iter().filter(|&v| v >= min).map(|v| v as f64).collect()
                }
                ParamKind::MaType => (0..9).map(f64::from).collect(),
                ParamKind::Real { .. } => vec![],
            };
            for v in values {
                let mut c = base.clone();
                c[j] = v;
                out.push(c);
            }
        }
        out
    }

    /// The batch loops give what `step` gives bar by bar, bit for bit, across a span boundary.
    #[test]
    fn batch_equals_step_by_step() {
        let b = bars(70_000);
        let names = [
            "SMA", "EMA", "WMA", "DEMA", "TEMA", "TRIMA", "KAMA", "T3", "MA", "MACD", "MACDEXT", "APO", "PPO", "RSI",
            "CMO", "MOM", "ROC", "CCI", "MFI", "ULTOSC", "SAR", "ADX", "ADXR", "DX", "PLUS_DI", "MINUS_DI", "OBV",
            "AD", "ADOSC", "BOP", "MAMA",
        ];
        for name in names {
            let s = spec(name).unwrap();
            let ins: Vec<&[f64]> = s
                .inputs
                .iter()
                .map(|i| match *i {
                    "high" => &b[0][..],
                    "low" => &b[1][..],
                    "close" => &b[2][..],
                    "volume" => &b[3][..],
                    _ => &b[4][..],
                })
                .collect();
            for params in cases(name) {
                if spec(name)
                    .unwrap()
                    .params
                    .iter()
                    .zip(&params)
                    .any(|(p, &v)| matches!(p.kind, ParamKind::Int { min, .. } if v < min as f64))
                {
                    continue;
                }
                let Ok(proto) = build(name, &params) else { continue };
                let n_out = s.outputs.len();
                let outs = run_checked(&mut *proto.clone_box(), &ins, &Control::new()).unwrap();
                let mut m: Box<dyn Indicator> = proto.clone_box();
                let (mut x, mut y) = (vec![0.0; ins.len()], vec![0.0; n_out]);
                for t in 0..b[0].len() {
                    for (xj, s) in x.iter_mut().zip(&ins) {
                        *xj = s[t];
                    }
                    m.step(&x, &mut y);
                    for k in 0..n_out {
                        assert!(y[k].to_bits() == outs[k][t].to_bits(), "{name} {params:?} bar {t} output {k}");
                    }
                }
            }
        }
    }

    #[test]
    fn ma_lookback_is_specs() {
        for matype in 0..9 {
            for p in [1, 2, 3, 7, 50] {
                let ma = super::Ma::new(p, matype).unwrap();
                assert_eq!(ma.lookback(), super::super::spec::ma_lookback(p, matype), "{p} {matype}");
            }
        }
    }
}
