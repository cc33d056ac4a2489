//! MAMA(close, fastlimit, slowlimit): Ehlers' MESA adaptive moving average, by TA-Lib's
//! Hilbert-transform recurrences (odd and even bars kept apart, as TA-Lib keeps them).

use super::state::{state, Ring};
use super::{spans, Machine};
use crate::control::Control;
use crate::error::Result;

const A: f64 = 0.0962;
const B: f64 = 0.5769;
/// TA-Lib's `180 / (4 atan(1))`: `4 atan(1)` is π to the last bit (a test checks it), so it
/// need not be computed per bar.
const RAD2DEG: f64 = 180.0 / std::f64::consts::PI;

/// One of TA-Lib's Hilbert transform filters, with its odd and even halves.
#[derive(Clone, Debug)]
struct Hilbert {
    odd: Vec<f64>,
    even: Vec<f64>,
    prev_odd: f64,
    prev_even: f64,
    prev_in_odd: f64,
    prev_in_even: f64,
}
state!(Hilbert { odd, even, prev_odd, prev_even, prev_in_odd, prev_in_even });

impl Hilbert {
    fn new() -> Self {
        Self {
            odd: vec![0.0; 3],
            even: vec![0.0; 3],
            prev_odd: 0.0,
            prev_even: 0.0,
            prev_in_odd: 0.0,
            prev_in_even: 0.0,
        }
    }
    #[inline]
    fn apply(&mut self, even: bool, idx: usize, input: f64, adjusted: f64) -> f64 {
        let (buf, prev, prev_in) = if even {
            (&mut self.even, &mut self.prev_even, &mut self.prev_in_even)
        } else {
            (&mut self.odd, &mut self.prev_odd, &mut self.prev_in_odd)
        };
        let h = A * input;
        let mut r = 0.0 - buf[idx];
        buf[idx] = h;
        r += h;
        r -= *prev;
        *prev = B * *prev_in;
        r += *prev;
        *prev_in = input;
        r *= adjusted;
        r
    }
}

/// The MAMA state machine: `next(x)` gives `(mama, fama)` from bar 32 on.
#[derive(Clone, Debug)]
pub struct Mama {
    fast: f64,
    slow: f64,
    n: usize,
    ring: Ring,
    wma_sub: f64,
    wma_sum: f64,
    trailing: f64,
    hilbert_idx: usize,
    detrender: Hilbert,
    q1: Hilbert,
    ji: Hilbert,
    jq: Hilbert,
    period: f64,
    prev_q2: f64,
    prev_i2: f64,
    re: f64,
    im: f64,
    mama: f64,
    fama: f64,
    i1_even_prev3: f64,
    i1_odd_prev3: f64,
    i1_even_prev2: f64,
    i1_odd_prev2: f64,
    prev_phase: f64,
}
state!(Mama {
    n,
    ring,
    wma_sub,
    wma_sum,
    trailing,
    hilbert_idx,
    detrender,
    q1,
    ji,
    jq,
    period,
    prev_q2,
    prev_i2,
    re,
    im,
    mama,
    fama,
    i1_even_prev3,
    i1_odd_prev3,
    i1_even_prev2,
    i1_odd_prev2,
    prev_phase
});

impl Mama {
    pub fn new(fast: f64, slow: f64) -> Self {
        Self {
            fast,
            slow,
            n: 0,
            ring: Ring::new(4),
            wma_sub: 0.0,
            wma_sum: 0.0,
            trailing: 0.0,
            hilbert_idx: 0,
            detrender: Hilbert::new(),
            q1: Hilbert::new(),
            ji: Hilbert::new(),
            jq: Hilbert::new(),
            period: 0.0,
            prev_q2: 0.0,
            prev_i2: 0.0,
            re: 0.0,
            im: 0.0,
            mama: 0.0,
            fama: 0.0,
            i1_even_prev3: 0.0,
            i1_odd_prev3: 0.0,
            i1_even_prev2: 0.0,
            i1_odd_prev2: 0.0,
            prev_phase: 0.0,
        }
    }

    #[inline]
    pub fn next(&mut self, x: f64) -> Option<(f64, f64)> {
        let today = self.n;
        self.n += 1;
        self.ring.push(x);
        if today < 3 {
            self.wma_sub += x;
            self.wma_sum += x * (today + 1) as f64;
            return None;
        }
        let adjusted = 0.075 * self.period + 0.54;
        self.wma_sub += x;
        self.wma_sub -= self.trailing;
        self.wma_sum += x * 4.0;
        self.trailing = self.ring.get(0);
        let smoothed = self.wma_sum * 0.1;
        self.wma_sum -= self.wma_sub;
        if today < 12 {
            return None;
        }
        let rad2deg = RAD2DEG;
        let even = today.is_multiple_of(2);
        let idx = self.hilbert_idx;
        let detrender = self.detrender.apply(even, idx, smoothed, adjusted);
        let q1 = self.q1.apply(even, idx, detrender, adjusted);
        let i1_prev3 = if even { self.i1_even_prev3 } else { self.i1_odd_prev3 };
        let ji = self.ji.apply(even, idx, i1_prev3, adjusted);
        let jq = self.jq.apply(even, idx, q1, adjusted);
        if even {
            self.hilbert_idx += 1;
            if self.hilbert_idx == 3 {
                self.hilbert_idx = 0;
            }
        }
        let q2 = 0.2 * (q1 + ji) + 0.8 * self.prev_q2;
        let i2 = 0.2 * (i1_prev3 - jq) + 0.8 * self.prev_i2;
        if even {
            self.i1_odd_prev3 = self.i1_odd_prev2;
            self.i1_odd_prev2 = detrender;
        } else {
            self.i1_even_prev3 = self.i1_even_prev2;
            self.i1_even_prev2 = detrender;
        }
        let phase = if i1_prev3 != 0.0 { (q1 / i1_prev3).atan() * rad2deg } else { 0.0 };
        let mut delta = self.prev_phase - phase;
        self.prev_phase = phase;
        if delta < 1.0 {
            delta = 1.0;
        }
        let mut alpha = if delta > 1.0 {
            let a = self.fast / delta;
            if a < self.slow {
                self.slow
            } else {
                a
            }
        } else {
            self.fast
        };
        self.mama = alpha * x + (1.0 - alpha) * self.mama;
        alpha *= 0.5;
        self.fama = alpha * self.mama + (1.0 - alpha) * self.fama;
        let out = (today >= 32).then_some((self.mama, self.fama));
        self.re = 0.2 * (i2 * self.prev_i2 + q2 * self.prev_q2) + 0.8 * self.re;
        self.im = 0.2 * (i2 * self.prev_q2 - q2 * self.prev_i2) + 0.8 * self.im;
        self.prev_q2 = q2;
        self.prev_i2 = i2;
        let last = self.period;
        if self.im != 0.0 && self.re != 0.0 {
            self.period = 360.0 / ((self.im / self.re).atan() * rad2deg);
        }
        let hi = 1.5 * last;
        if self.period > hi {
            self.period = hi;
        }
        let lo = 0.67 * last;
        if self.period < lo {
            self.period = lo;
        }
        self.period = self.period.clamp(6.0, 50.0);
        self.period = 0.2 * self.period + 0.8 * last;
        out
    }
}

impl Machine for Mama {
    const IN: usize = 1;
    const OUT: usize = 2;
    #[inline]
    fn step(&mut self, x: &[f64], out: &mut [f64]) {
        match self.next(x[0]) {
            Some((m, f)) => {
                out[0] = m;
                out[1] = f;
            }
            None => out.fill(f64::NAN),
        }
    }

    /// `next` on a local copy of the machine (its state kept in registers where it fits).
    fn batch(&mut self, ins: &[&[f64]], outs: &mut [&mut [f64]], control: &Control) -> Result<()> {
        let [mama, fama] = outs else { unreachable!("MAMA has two outputs") };
        let x = ins[0];
        let mut st = self.clone();
        for span in spans(x.len()) {
            control.check()?;
            for i in span {
                (mama[i], fama[i]) = st.next(x[i]).unwrap_or((f64::NAN, f64::NAN));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn rad2deg_is_talibs() {
        assert_eq!(super::RAD2DEG.to_bits(), (180.0 / (4.0 * 1.0f64.atan())).to_bits());
    }
}
