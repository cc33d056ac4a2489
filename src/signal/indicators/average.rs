//! Moving averages: SMA, EMA, WMA, DEMA, TEMA, TRIMA, KAMA, T3 and MA(matype), each a value
//! machine (`next(x) -> Option<f64>`, `None` during the look-back) that the other indicators
//! reuse, and an indicator machine over one input.

use super::mama::Mama;
use super::state::{state, Ring, Save};
use super::{spans, Machine};
use crate::control::Control;
use crate::error::Result;

/// TA-Lib's `TA_IS_ZERO`.
#[inline]
pub fn is_zero(v: f64) -> bool {
    -0.00000001 < v && v < 0.00000001
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
        self.prev = ((x - self.prev) * self.k) + self.prev;
        Some(self.prev)
    }
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
}
state!(Wma { ring, n, sum, sub, trailing });

impl Wma {
    pub fn new(p: usize) -> Self {
        Self { p, ring: Ring::new(p), n: 0, sum: 0.0, sub: 0.0, trailing: 0.0 }
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
        self.sub += x;
        self.sub -= self.trailing;
        self.sum += x * self.p as f64;
        self.trailing = self.ring.get(0);
        let divider = ((self.p * (self.p + 1)) >> 1) as f64;
        let out = self.sum / divider;
        self.sum -= self.sub;
        Some(out)
    }
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
        let const_max = 2.0 / (30.0 + 1.0);
        let const_diff = 2.0 / (2.0 + 1.0) - const_max;
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
        let er = if self.sum <= roc || is_zero(self.sum) { 1.0 } else { (roc / self.sum).abs() };
        let mut sc = er * const_diff + const_max;
        sc *= sc;
        self.prev = (x - self.prev) * sc + self.prev;
        Some(self.prev)
    }
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
                self.e[s] = (k * v) + (one_minus_k * self.e[s]);
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
        let [c1, c2, c3, c4] = self.c;
        Some(c1 * self.e[5] + c2 * self.e[4] + c3 * self.e[3] + c4 * self.e[2])
    }
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

macro_rules! value {
    ($($t:ty),*) => {$(
        impl Value for $t {
            #[inline]
            fn value(&mut self, x: f64) -> Option<f64> {
                self.next(x)
            }
        }
    )*};
}
value!(Wma, Dema, Tema, Trima, Kama, T3, Ma);

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
            for i in span.start.max(warm)..span.end {
                sum += x[i];
                let total = sum;
                sum -= x[i + 1 - p];
                out[i] = total / pf;
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
        for span in spans(x.len()) {
            control.check()?;
            for i in span.start.max(warm + 1)..span.end {
                prev = ((x[i] - prev) * k) + prev;
                out[i] = prev;
            }
        }
        Ok(())
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
