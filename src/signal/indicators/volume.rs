//! Volume and bar-shape indicators: OBV, AD, ADOSC, BOP.

use super::average::{around_chain, ema_blend, is_zero_or_neg, per_to_k, warm_up, with_wide};
use super::state::state;
use super::{spans, Machine};
use crate::control::Control;
use crate::error::Result;

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

    /// The first bar by `step`, then without branches: a rise adds the volume, a fall
    /// subtracts it (a real subtraction, which keeps a NaN volume's sign as `step` does), and
    /// the other side adds -0.0 or subtracts 0.0, which leave any value as it is.
    fn batch(&mut self, ins: &[&[f64]], outs: &mut [&mut [f64]], control: &Control) -> Result<()> {
        let start = warm_up(self, ins, outs, 1, control)?;
        let (c, v, out) = (ins[0], ins[1], &mut *outs[0]);
        let (mut obv, mut prev) = (self.obv, self.prev);
        for span in spans(c.len()) {
            control.check()?;
            let span = span.start.max(start)..span.end.max(start);
            for ((o, &c), &v) in out[span.clone()].iter_mut().zip(&c[span.clone()]).zip(&v[span]) {
                obv = (obv + if c > prev { v } else { -0.0 }) - if c < prev { v } else { 0.0 };
                prev = c;
                *o = obv;
            }
        }
        Ok(())
    }
}

/// A bar's money flow as the accumulation/distribution line adds it: -0.0 for a bar without
/// range, which leaves any value as it is (no branch in the loop).
#[inline(always)]
fn ad_term([h, l, c, v]: [f64; 4]) -> [f64; 1] {
    let t = h - l;
    let flow = (((c - l) - (h - c)) / t) * v;
    [if t > 0.0 { flow } else { -0.0 }]
}

/// The accumulation/distribution line's next value.
#[inline]
fn ad_step(ad: f64, h: f64, l: f64, c: f64, v: f64) -> f64 {
    ad + ad_term([h, l, c, v])[0]
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

    fn batch(&mut self, ins: &[&[f64]], outs: &mut [&mut [f64]], control: &Control) -> Result<()> {
        let (h, l, c, v) = (ins[0], ins[1], ins[2], ins[3]);
        let ad = self.ad;
        // The flows' divisions eight bars at a time, the running sum beside them.
        with_wide!({
            let mut ad = ad;
            for s in spans(h.len()) {
                control.check()?;
                let ins = [&h[s.clone()], &l[s.clone()], &c[s.clone()], &v[s.clone()]];
                let chain = |[f]: [f64; 1]| {
                    ad += f;
                    [ad]
                };
                around_chain(ins, &mut outs[0][s], ad_term, chain, |[a], _| a);
            }
            Ok(())
        })
    }
}

/// ADOSC(high, low, close, volume, fastperiod, slowperiod): two EMAs of AD seeded by its first
/// value (fused as TA-Lib's build fuses them), output once the slower look-back has passed.
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
            self.fast = ema_blend(self.fast, self.ad, self.fk, 1.0 - self.fk);
            self.slow = ema_blend(self.slow, self.ad, self.sk, 1.0 - self.sk);
        }
        out[0] = if self.n >= self.lookback { self.fast - self.slow } else { f64::NAN };
        if self.n < self.lookback {
            self.n += 1;
        }
    }

    /// The look-back by `step`, then the same recurrences over the arrays.
    fn batch(&mut self, ins: &[&[f64]], outs: &mut [&mut [f64]], control: &Control) -> Result<()> {
        let start = warm_up(self, ins, outs, self.lookback + 1, control)?;
        let (h, l, c, v) = (ins[0], ins[1], ins[2], ins[3]);
        let (fk, sk) = (self.fk, self.sk);
        let (ad, fast, slow) = (self.ad, self.fast, self.slow);
        with_wide!({
            let (mut ad, mut fast, mut slow) = (ad, fast, slow);
            for s in spans(h.len()) {
                control.check()?;
                let s = s.start.max(start)..s.end.max(start);
                let ins = [&h[s.clone()], &l[s.clone()], &c[s.clone()], &v[s.clone()]];
                let chain = |[f]: [f64; 1]| {
                    ad += f;
                    fast = ema_blend(fast, ad, fk, 1.0 - fk);
                    slow = ema_blend(slow, ad, sk, 1.0 - sk);
                    [fast - slow]
                };
                around_chain(ins, &mut outs[0][s], ad_term, chain, |[o], _| o);
            }
            Ok(())
        })
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
        out[0] = bop(x[0], x[1], x[2], x[3]);
    }

    fn batch(&mut self, ins: &[&[f64]], outs: &mut [&mut [f64]], control: &Control) -> Result<()> {
        for span in spans(ins[0].len()) {
            control.check()?;
            let s = span.clone();
            let bars = ins[0][s.clone()].iter().zip(&ins[1][s.clone()]).zip(&ins[2][s.clone()]).zip(&ins[3][s]);
            for (o, (((&op, &h), &l), &c)) in outs[0][span].iter_mut().zip(bars) {
                *o = bop(op, h, l, c);
            }
        }
        Ok(())
    }
}

/// The balance of power of one bar (a select, so the batch loop vectorises).
#[inline]
fn bop(open: f64, high: f64, low: f64, close: f64) -> f64 {
    let t = high - low;
    let v = (close - open) / t;
    if is_zero_or_neg(t) {
        0.0
    } else {
        v
    }
}
