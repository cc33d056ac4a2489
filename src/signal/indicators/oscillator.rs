//! CCI, MFI, ULTOSC and SAR, in TA-Lib's order of operations.

use super::average::is_zero;
use super::state::{state, Ring};
use super::Machine;

/// CCI(high, low, close, timeperiod): the typical price against its mean deviation, the
/// window summed in TA-Lib's circular-buffer order.
#[derive(Clone, Debug)]
pub struct Cci {
    p: usize,
    ring: Ring,
}
state!(Cci { ring });

impl Cci {
    pub fn new(p: usize) -> Self {
        Self { p, ring: Ring::new(p) }
    }
}

impl Machine for Cci {
    const IN: usize = 3;
    const OUT: usize = 1;
    #[inline]
    fn step(&mut self, x: &[f64], out: &mut [f64]) {
        let last = (x[0] + x[1] + x[2]) / 3.0;
        self.ring.push(last);
        if !self.ring.is_full() {
            out[0] = f64::NAN;
            return;
        }
        let p = self.p as f64;
        let buf = self.ring.slots();
        let mut avg = 0.0;
        for &v in buf {
            avg += v;
        }
        avg /= p;
        let mut dev = 0.0;
        for &v in buf {
            dev += (v - avg).abs();
        }
        let t = last - avg;
        out[0] = if t != 0.0 && dev != 0.0 { t / (0.015 * (dev / p)) } else { 0.0 };
    }
}

/// MFI(high, low, close, volume, timeperiod).
#[derive(Clone, Debug)]
pub struct Mfi {
    p: usize,
    n: usize,
    prev: f64,
    pos: Ring,
    neg: Ring,
    pos_sum: f64,
    neg_sum: f64,
}
state!(Mfi { n, prev, pos, neg, pos_sum, neg_sum });

impl Mfi {
    pub fn new(p: usize) -> Self {
        Self { p, n: 0, prev: 0.0, pos: Ring::new(p), neg: Ring::new(p), pos_sum: 0.0, neg_sum: 0.0 }
    }
}

impl Machine for Mfi {
    const IN: usize = 4;
    const OUT: usize = 1;
    #[inline]
    fn step(&mut self, x: &[f64], out: &mut [f64]) {
        let tp = (x[0] + x[1] + x[2]) / 3.0;
        out[0] = f64::NAN;
        if self.n == 0 {
            self.prev = tp;
            self.n = 1;
            return;
        }
        if self.n > self.p {
            self.pos_sum -= self.pos.get(0);
            self.neg_sum -= self.neg.get(0);
        }
        let d = tp - self.prev;
        self.prev = tp;
        let flow = tp * x[3];
        let (p, n) = if d < 0.0 {
            (0.0, flow)
        } else if d > 0.0 {
            (flow, 0.0)
        } else {
            (0.0, 0.0)
        };
        self.pos.push(p);
        self.neg.push(n);
        self.pos_sum += p;
        self.neg_sum += n;
        if self.n < self.p {
            self.n += 1;
            return;
        }
        self.n = self.p + 1;
        let t = self.pos_sum + self.neg_sum;
        out[0] = if t < 1.0 { 0.0 } else { 100.0 * (self.pos_sum / t) };
    }
}

/// ULTOSC(high, low, close, timeperiod1, timeperiod2, timeperiod3): the three windows sorted
/// (weights 4, 2, 1 from the shortest), each sum started where TA-Lib starts it.
#[derive(Clone, Debug)]
pub struct Ultosc {
    periods: [usize; 3],
    longest: usize,
    n: usize,
    prev_close: f64,
    a: Ring,
    b: Ring,
    sums: Vec<f64>,
}
state!(Ultosc { n, prev_close, a, b, sums });

impl Ultosc {
    pub fn new(p1: usize, p2: usize, p3: usize) -> Self {
        let mut periods = [p1, p2, p3];
        periods.sort_unstable();
        let longest = periods[2];
        Self {
            periods,
            longest,
            n: 0,
            prev_close: 0.0,
            a: Ring::new(longest + 1),
            b: Ring::new(longest + 1),
            sums: vec![0.0; 6],
        }
    }
}

impl Machine for Ultosc {
    const IN: usize = 3;
    const OUT: usize = 1;
    #[inline]
    fn step(&mut self, x: &[f64], out: &mut [f64]) {
        out[0] = f64::NAN;
        let bar = self.n;
        if bar == 0 {
            self.prev_close = x[2];
            self.n = 1;
            return;
        }
        let (l, h, pc) = (x[1], x[0], self.prev_close);
        self.prev_close = x[2];
        let true_low = if l < pc { l } else { pc };
        let cmtl = x[2] - true_low;
        let mut tr = h - l;
        let t = (pc - h).abs();
        if t > tr {
            tr = t;
        }
        let t = (pc - l).abs();
        if t > tr {
            tr = t;
        }
        self.a.push(cmtl);
        self.b.push(tr);
        if self.n <= self.longest {
            self.n += 1;
        }
        let m = self.longest;
        for (k, &p) in self.periods.iter().enumerate() {
            if bar + p > m {
                self.sums[2 * k] += cmtl;
                self.sums[2 * k + 1] += tr;
            }
        }
        if bar < m {
            return;
        }
        let mut o = 0.0;
        for (k, w) in [4.0, 2.0, 1.0].into_iter().enumerate() {
            let (a, b) = (self.sums[2 * k], self.sums[2 * k + 1]);
            if !is_zero(b) {
                o += w * (a / b);
            }
        }
        for (k, &p) in self.periods.iter().enumerate() {
            self.sums[2 * k] -= self.a.back(p - 1);
            self.sums[2 * k + 1] -= self.b.back(p - 1);
        }
        out[0] = 100.0 * (o / 7.0);
    }
}

/// SAR(high, low, acceleration, maximum): the first direction from the first two bars'
/// minus-DM, as TA-Lib decides it.
#[derive(Clone, Debug)]
pub struct Sar {
    acc: f64,
    max: f64,
    n: usize,
    long: bool,
    af: f64,
    ep: f64,
    sar: f64,
    new_high: f64,
    new_low: f64,
}
state!(Sar { n, long, af, ep, sar, new_high, new_low });

impl Sar {
    pub fn new(acceleration: f64, maximum: f64) -> Self {
        let mut acc = acceleration;
        if acc > maximum {
            acc = maximum;
        }
        Self { acc, max: maximum, n: 0, long: true, af: acc, ep: 0.0, sar: 0.0, new_high: 0.0, new_low: 0.0 }
    }
}

impl Machine for Sar {
    const IN: usize = 2;
    const OUT: usize = 1;
    #[inline]
    fn step(&mut self, x: &[f64], out: &mut [f64]) {
        let (h, l) = (x[0], x[1]);
        if self.n == 0 {
            self.n = 1;
            self.new_high = h;
            self.new_low = l;
            out[0] = f64::NAN;
            return;
        }
        if self.n == 1 {
            self.n = 2;
            let diff_p = h - self.new_high;
            let diff_m = self.new_low - l;
            let minus_dm = diff_m > 0.0 && diff_p < diff_m;
            self.long = !minus_dm;
            if self.long {
                self.ep = h;
                self.sar = self.new_low;
            } else {
                self.ep = l;
                self.sar = self.new_high;
            }
            self.new_low = l;
            self.new_high = h;
        }
        let (prev_low, prev_high) = (self.new_low, self.new_high);
        self.new_low = l;
        self.new_high = h;
        let (acc, max) = (self.acc, self.max);
        if self.long {
            if self.new_low <= self.sar {
                self.long = false;
                self.sar = self.ep;
                if self.sar < prev_high {
                    self.sar = prev_high;
                }
                if self.sar < self.new_high {
                    self.sar = self.new_high;
                }
                out[0] = self.sar;
                self.af = acc;
                self.ep = self.new_low;
                self.sar += self.af * (self.ep - self.sar);
                if self.sar < prev_high {
                    self.sar = prev_high;
                }
                if self.sar < self.new_high {
                    self.sar = self.new_high;
                }
            } else {
                out[0] = self.sar;
                if self.new_high > self.ep {
                    self.ep = self.new_high;
                    self.af += acc;
                    if self.af > max {
                        self.af = max;
                    }
                }
                self.sar += self.af * (self.ep - self.sar);
                if self.sar > prev_low {
                    self.sar = prev_low;
                }
                if self.sar > self.new_low {
                    self.sar = self.new_low;
                }
            }
        } else if self.new_high >= self.sar {
            self.long = true;
            self.sar = self.ep;
            if self.sar > prev_low {
                self.sar = prev_low;
            }
            if self.sar > self.new_low {
                self.sar = self.new_low;
            }
            out[0] = self.sar;
            self.af = acc;
            self.ep = self.new_high;
            self.sar += self.af * (self.ep - self.sar);
            if self.sar > prev_low {
                self.sar = prev_low;
            }
            if self.sar > self.new_low {
                self.sar = self.new_low;
            }
        } else {
            out[0] = self.sar;
            if self.new_low < self.ep {
                self.ep = self.new_low;
                self.af += acc;
                if self.af > max {
                    self.af = max;
                }
            }
            self.sar += self.af * (self.ep - self.sar);
            if self.sar < prev_high {
                self.sar = prev_high;
            }
            if self.sar < self.new_high {
                self.sar = self.new_high;
            }
        }
    }
}
