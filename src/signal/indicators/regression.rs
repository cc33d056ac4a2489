//! Regression over a window: LINEARREG, LINEARREG_SLOPE, LINEARREG_ANGLE, LINEARREG_INTERCEPT,
//! TSF (TA-Lib sums the window afresh at each bar), and BETA and CORREL of two series.

use super::average::is_zero;
use super::lanes::{self, Correlation, Regression};
use super::state::{state, Ring};
use super::{spans, Machine};
use crate::control::Control;
use crate::error::Result;

/// What a least-squares line over the window gives.
#[derive(Clone, Copy, Debug)]
pub enum Line {
    Value,
    Slope,
    Angle,
    Intercept,
    Forecast,
}

#[derive(Clone, Debug)]
pub struct LinearReg {
    p: usize,
    what: Line,
    ring: Ring,
}
state!(LinearReg { ring });

impl LinearReg {
    pub fn new(p: usize, what: Line) -> Self {
        Self { p, what, ring: Ring::new(p) }
    }
}

impl Machine for LinearReg {
    const IN: usize = 1;
    const OUT: usize = 1;
    #[inline]
    fn step(&mut self, x: &[f64], out: &mut [f64]) {
        self.ring.push(x[0]);
        if !self.ring.is_full() {
            out[0] = f64::NAN;
            return;
        }
        let p = self.p;
        let pf = p as f64;
        let sum_x = pf * (p - 1) as f64 * 0.5;
        let sum_x_sqr = (p * (p - 1) * (2 * p - 1) / 6) as f64;
        let divisor = sum_x * sum_x - pf * sum_x_sqr;
        let (mut sum_xy, mut sum_y) = (0.0, 0.0);
        for i in (0..p).rev() {
            let v = self.ring.back(i);
            sum_y += v;
            sum_xy += i as f64 * v;
        }
        let m = (pf * sum_xy - sum_x * sum_y) / divisor;
        let b = (sum_y - m * sum_x) / pf;
        out[0] = self.what.at(m, b, pf);
    }
    fn batch(&mut self, ins: &[&[f64]], outs: &mut [&mut [f64]], control: &Control) -> Result<()> {
        let (x, out) = (ins[0], &mut *outs[0]);
        let (p, pf) = (self.p, self.p as f64);
        out[..(p - 1).min(x.len())].fill(f64::NAN);
        // One closure per kind, so the lanes loop does not branch on it.
        macro_rules! run {
            ($b:literal, $line:expr) => {
                lanes::run(&mut Regression::<_, $b> { x, p, out, line: $line }, p - 1, x.len(), control)
            };
        }
        match self.what {
            Line::Value => run!(true, |m, b| Line::Value.at(m, b, pf)),
            Line::Slope => run!(false, |m, b| Line::Slope.at(m, b, pf)),
            Line::Angle => run!(false, |m, b| Line::Angle.at(m, b, pf)),
            Line::Intercept => run!(false, |m, b| Line::Intercept.at(m, b, pf)),
            Line::Forecast => run!(true, |m, b| Line::Forecast.at(m, b, pf)),
        }
    }
}

impl Line {
    /// The output from the slope `m` and intercept `b` over `pf` bars.
    #[inline(always)]
    fn at(self, m: f64, b: f64, pf: f64) -> f64 {
        match self {
            Line::Value => b + m * (pf - 1.0),
            Line::Slope => m,
            Line::Angle => m.atan() * (180.0 / std::f64::consts::PI),
            Line::Intercept => b,
            Line::Forecast => b + m * pf,
        }
    }
}

/// BETA(real0, real1, timeperiod): the regression slope of real1's returns on real0's.
#[derive(Clone, Debug)]
pub struct Beta {
    p: usize,
    n: usize,
    last_x: f64,
    last_y: f64,
    xs: Ring,
    ys: Ring,
    sxx: f64,
    sx: f64,
    sxy: f64,
    sy: f64,
}
state!(Beta { n, last_x, last_y, xs, ys, sxx, sx, sxy, sy });

impl Beta {
    pub fn new(p: usize) -> Self {
        Self {
            p,
            n: 0,
            last_x: 0.0,
            last_y: 0.0,
            xs: Ring::new(p + 1),
            ys: Ring::new(p + 1),
            sxx: 0.0,
            sx: 0.0,
            sxy: 0.0,
            sy: 0.0,
        }
    }
}

#[inline]
fn ret(v: f64, last: f64) -> f64 {
    if !is_zero(last) {
        (v - last) / last
    } else {
        0.0
    }
}

impl Machine for Beta {
    const IN: usize = 2;
    const OUT: usize = 1;
    #[inline]
    fn step(&mut self, v: &[f64], out: &mut [f64]) {
        out[0] = f64::NAN;
        self.xs.push(v[0]);
        self.ys.push(v[1]);
        if self.n == 0 {
            self.n = 1;
            self.last_x = v[0];
            self.last_y = v[1];
            return;
        }
        let x = ret(v[0], self.last_x);
        self.last_x = v[0];
        let y = ret(v[1], self.last_y);
        self.last_y = v[1];
        self.sxx += x * x;
        self.sx += x;
        self.sxy += x * y;
        self.sy += y;
        if self.n < self.p {
            self.n += 1;
            return;
        }
        // The trailing return, from the window's two oldest prices.
        let tx = ret(self.xs.get(1), self.xs.get(0));
        let ty = ret(self.ys.get(1), self.ys.get(0));
        let n = self.p as f64;
        let t = n * self.sxx - self.sx * self.sx;
        out[0] = if !is_zero(t) { (n * self.sxy - self.sx * self.sy) / t } else { 0.0 };
        self.sxx -= tx * tx;
        self.sx -= tx;
        self.sxy -= tx * ty;
        self.sy -= ty;
    }
    /// The step's running sums over the arrays (the window's two oldest prices are `t - p` and
    /// `t - p + 1`).
    fn batch(&mut self, ins: &[&[f64]], outs: &mut [&mut [f64]], control: &Control) -> Result<()> {
        let (a, b, out) = (ins[0], ins[1], &mut *outs[0]);
        let (p, n) = (self.p, self.p as f64);
        let (mut sxx, mut sx, mut sxy, mut sy) = (0.0, 0.0, 0.0, 0.0);
        if let Some(o) = out.first_mut() {
            *o = f64::NAN;
        }
        for span in spans(a.len()) {
            control.check()?;
            for t in span.start.max(1)..span.end {
                let x = ret(a[t], a[t - 1]);
                let y = ret(b[t], b[t - 1]);
                sxx += x * x;
                sx += x;
                sxy += x * y;
                sy += y;
                if t < p {
                    out[t] = f64::NAN;
                    continue;
                }
                let tx = ret(a[t - p + 1], a[t - p]);
                let ty = ret(b[t - p + 1], b[t - p]);
                let d = n * sxx - sx * sx;
                out[t] = if !is_zero(d) { (n * sxy - sx * sy) / d } else { 0.0 };
                sxx -= tx * tx;
                sx -= tx;
                sxy -= tx * ty;
                sy -= ty;
            }
        }
        Ok(())
    }
}

/// CORREL(real0, real1, timeperiod): Pearson's correlation over the window, from deviations
/// about the window's means (TA-Lib 0.8 agrees with this to about 1e-11, where running sums of
/// products lose digits on trending prices).
#[derive(Clone, Debug)]
pub struct Correl {
    p: usize,
    xs: Ring,
    ys: Ring,
}
state!(Correl { xs, ys });

impl Correl {
    pub fn new(p: usize) -> Self {
        Self { p, xs: Ring::new(p), ys: Ring::new(p) }
    }
}

impl Machine for Correl {
    const IN: usize = 2;
    const OUT: usize = 1;
    #[inline]
    fn step(&mut self, v: &[f64], out: &mut [f64]) {
        self.xs.push(v[0]);
        self.ys.push(v[1]);
        if !self.xs.is_full() {
            out[0] = f64::NAN;
            return;
        }
        let p = self.p as f64;
        let (mut mx, mut my) = (0.0, 0.0);
        for i in 0..self.p {
            mx += self.xs.get(i);
            my += self.ys.get(i);
        }
        mx /= p;
        my /= p;
        let (mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0);
        for i in 0..self.p {
            let dx = self.xs.get(i) - mx;
            let dy = self.ys.get(i) - my;
            sxx += dx * dx;
            syy += dy * dy;
            sxy += dx * dy;
        }
        let t = sxx * syy;
        out[0] = if t > 0.0 { sxy / t.sqrt() } else { 0.0 };
    }
    fn batch(&mut self, ins: &[&[f64]], outs: &mut [&mut [f64]], control: &Control) -> Result<()> {
        let (x, y, out) = (ins[0], ins[1], &mut *outs[0]);
        let p = self.p;
        out[..(p - 1).min(x.len())].fill(f64::NAN);
        lanes::run(&mut Correlation { x, y, p, out }, p - 1, x.len(), control)
    }
}
