//! Volume and bar-shape indicators: OBV, AD, ADOSC, BOP.

use super::average::{is_zero_or_neg, per_to_k};
use super::state::state;
use super::Machine;

/// OBV(close, volume).
#[derive(Clone, Debug)]
pub struct Obv {
    started: bool,
    obv: f64,
    prev: f64,
}
state!(Obv { started, obv, prev });

impl Obv {
    pub fn new() -> Self {
        Self { started: false, obv: 0.0, prev: 0.0 }
    }
}

impl Machine for Obv {
    const IN: usize = 2;
    const OUT: usize = 1;
    #[inline]
    fn step(&mut self, x: &[f64], out: &mut [f64]) {
        let (c, v) = (x[0], x[1]);
        if !self.started {
            self.started = true;
            self.obv = v;
        } else if c > self.prev {
            self.obv += v;
        } else if c < self.prev {
            self.obv -= v;
        }
        self.prev = c;
        out[0] = self.obv;
    }
}

/// The accumulation/distribution line's next value.
#[inline]
fn ad_step(ad: f64, h: f64, l: f64, c: f64, v: f64) -> f64 {
    let t = h - l;
    if t > 0.0 {
        ad + (((c - l) - (h - c)) / t) * v
    } else {
        ad
    }
}

/// AD(high, low, close, volume).
#[derive(Clone, Debug)]
pub struct Ad {
    ad: f64,
}
state!(Ad { ad });

impl Ad {
    pub fn new() -> Self {
        Self { ad: 0.0 }
    }
}

impl Machine for Ad {
    const IN: usize = 4;
    const OUT: usize = 1;
    #[inline]
    fn step(&mut self, x: &[f64], out: &mut [f64]) {
        self.ad = ad_step(self.ad, x[0], x[1], x[2], x[3]);
        out[0] = self.ad;
    }
}

/// ADOSC(high, low, close, volume, fastperiod, slowperiod): two EMAs of AD seeded by its first
/// value, output once the slower look-back has passed.
#[derive(Clone, Debug)]
pub struct Adosc {
    fk: f64,
    sk: f64,
    lookback: usize,
    n: usize,
    ad: f64,
    fast: f64,
    slow: f64,
}
state!(Adosc { n, ad, fast, slow });

impl Adosc {
    pub fn new(fast: usize, slow: usize) -> Self {
        Self {
            fk: per_to_k(fast),
            sk: per_to_k(slow),
            lookback: fast.max(slow) - 1,
            n: 0,
            ad: 0.0,
            fast: 0.0,
            slow: 0.0,
        }
    }
}

impl Machine for Adosc {
    const IN: usize = 4;
    const OUT: usize = 1;
    #[inline]
    fn step(&mut self, x: &[f64], out: &mut [f64]) {
        self.ad = ad_step(self.ad, x[0], x[1], x[2], x[3]);
        if self.n == 0 {
            self.fast = self.ad;
            self.slow = self.ad;
        } else {
            self.fast = (self.fk * self.ad) + ((1.0 - self.fk) * self.fast);
            self.slow = (self.sk * self.ad) + ((1.0 - self.sk) * self.slow);
        }
        out[0] = if self.n >= self.lookback { self.fast - self.slow } else { f64::NAN };
        if self.n < self.lookback {
            self.n += 1;
        }
    }
}

/// BOP(open, high, low, close).
#[derive(Clone, Debug)]
pub struct Bop;

impl super::state::Save for Bop {
    fn save(&self, _out: &mut Vec<f64>) {}
    fn load(&mut self, _from: &mut super::Loader<'_>) -> crate::error::Result<()> {
        Ok(())
    }
}

impl Machine for Bop {
    const IN: usize = 4;
    const OUT: usize = 1;
    #[inline]
    fn step(&mut self, x: &[f64], out: &mut [f64]) {
        let t = x[1] - x[2];
        out[0] = if is_zero_or_neg(t) { 0.0 } else { (x[3] - x[0]) / t };
    }
}
