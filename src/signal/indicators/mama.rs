//! MAMA(close, fastlimit, slowlimit): Ehlers' MESA adaptive moving average, as TA-Lib's FMA
//! build computes it (decoded from `TA_MAMA.fma`; `mul_add` gives the same bits on every CPU).
//!
//! From bar 12 (a 4-bar WMA of the input warms up first), bar `t` takes:
//! - `smoothed`, the WMA by TA-Lib's running sums;
//! - four Hilbert filters `((((0 − A·v₆) + A·v₀) − B·v₄) + B·v₂)·adj` of a value `v` at bars
//!   `t, t−2, t−4, t−6` (TA-Lib's separate odd and even buffers amount to this), with
//!   `adj = fma(0.075, period, 0.54)`: the detrender of `smoothed`, Q1 of the detrender, jI of
//!   I1 (the detrender 3 bars back) and jQ of Q1;
//! - `Q2 = fma(0.2, Q1 + jI, 0.8·Q2')`, `I2 = fma(0.2, I1 − jQ, 0.8·I2')`,
//!   `Re = fma(0.8, Re', 0.2·fma(I2, I2', Q2·Q2'))`, `Im = fma(0.8, Im', 0.2·(I2·Q2' − Q2·I2'))`;
//! - the next period, `360 / (atan(Im/Re)·180/π)` (the last one where Im or Re is 0) kept
//!   within 0.67 and 1.5 times the last, then within 6 and 50, then `fma(0.2, it, 0.8·last)`;
//! - the phase `atan(Q1/I1)·180/π` (0 where I1 is 0) and `delta`, the last phase less this one:
//!   `alpha` is `fast` where `delta ≤ 1` (or NaN), else `fast/delta` but at least `slow`;
//! - `mama = fma(1 − alpha, mama', alpha·x)`, `fama = fma(1 − alpha/2, fama', alpha/2·mama)`.
//!
//! Speed: the period is a serial chain through an atan and two divisions per bar; the phase
//! is not on it, and where the phase's atan decides nothing (`delta` clearly below 1 or clearly
//! past `fast/slow`, nine bars in ten) an approximation settles `alpha` (the same bits). The
//! phase work runs a group after the chain, and each group's averages beside the next group's
//! chain, where the CPU fits them into the chain's waits.

use super::average::{with_fma, with_wide};
use super::state::state;
use super::{spans, Machine};
use crate::control::Control;
use crate::error::Result;

const A: f64 = 0.0962;
const B: f64 = 0.5769;
/// TA-Lib's `180 / (4 atan(1))`: `4 atan(1)` is π to the last bit (a test checks it), so it
/// need not be computed per bar.
const RAD2DEG: f64 = 180.0 / std::f64::consts::PI;
/// Bars of history the filters read: jI reaches the detrender 3 + 6 bars back.
const H: usize = 9;
/// Bars per group in a batch: what runs between two groups' chains costs about the same however
/// long they are (64 bars run 5% faster than 32, longer ones no faster).
const GROUP: usize = 64;
/// Bars of input history: the WMA's trailing value is 4 bars back.
const W: usize = 4;
/// Where the first output is (TA-Lib's look-back) and where the Hilbert filters start.
const LOOKBACK: usize = 32;
const WARM: usize = 12;
/// How far (degrees) an approximate `delta` must be from where `alpha` changes form for the
/// approximation to settle `alpha`: its error is under 2e-4 degrees (a test checks the phase's).
const MARGIN: f64 = 0.01;
/// `atan(z)/z` on `0 ≤ z ≤ 1` as a polynomial in `z²` (a least-squares fit, refined towards
/// the least largest error): `|z·P(z²) − atan z| < 1.7e-6`.
const ATAN: [f64; 6] = [
    0.9999772172453129,
    -0.33262278949016194,
    0.19354015443299272,
    -0.11642596405546896,
    0.05264682480430548,
    -0.011718941683778433,
];

/// TA-Lib's Hilbert filter of `v` at `j` (bars `j, j−2, j−4, j−6`), before the `adj` factor.
#[inline(always)]
fn hilbert(v: &[f64], j: usize) -> f64 {
    (((0.0 - A * v[j - 6]) + A * v[j]) - B * v[j - 4]) + B * v[j - 2]
}

/// TA-Lib's phase (degrees) of a bar with these Q1 and I1.
#[inline]
fn phase(q1: f64, i1: f64) -> f64 {
    if i1 != 0.0 {
        (q1 / i1).atan() * RAD2DEG
    } else {
        0.0
    }
}

/// [`phase`] within 1e-4 degrees, or NaN where an input is not finite; no libm call and no
/// branch, so a loop of them is vectorised.
#[inline(always)]
fn rough_phase(q1: f64, i1: f64) -> f64 {
    let (a, b) = (q1.abs(), i1.abs());
    let steep = a > b;
    let (num, den) = if steep { (b, a) } else { (a, b) };
    let z = num / den;
    let u = z * z;
    let p = ATAN[..5].iter().rev().fold(ATAN[5], |p, &c| p * u + c);
    let angle = if steep { std::f64::consts::FRAC_PI_2 - z * p } else { z * p };
    let signed = f64::from_bits(angle.to_bits() ^ ((q1.to_bits() ^ i1.to_bits()) & (1 << 63)));
    let deg = if a < f64::INFINITY && b < f64::INFINITY { signed * RAD2DEG } else { f64::NAN };
    if i1 == 0.0 {
        0.0
    } else {
        deg
    }
}

/// TA-Lib's alpha from the phase change (`fast` where it is at most 1 or NaN).
#[inline]
fn alpha_of(delta: f64, fast: f64, slow: f64) -> f64 {
    let delta = if delta < 1.0 { 1.0 } else { delta };
    if delta > 1.0 {
        let a = fast / delta;
        if a < slow {
            slow
        } else {
            a
        }
    } else {
        fast
    }
}

/// The next period from the last and the smoothed Re and Im, TA-Lib's comparisons in its order.
#[inline(always)]
fn next_period(last: f64, re: f64, im: f64) -> f64 {
    let mut p = if im != 0.0 && re != 0.0 { 360.0 / ((im / re).atan() * RAD2DEG) } else { last };
    let hi = 1.5 * last;
    if p > hi {
        p = hi;
    }
    let lo = 0.67 * last;
    if p < lo {
        p = lo;
    }
    0.2f64.mul_add(p.clamp(6.0, 50.0), 0.8 * last)
}

/// One bar of MAMA and FAMA.
#[inline(always)]
fn average((mama, fama): (f64, f64), alpha: f64, x: f64) -> (f64, f64) {
    let mama = (1.0 - alpha).mul_add(mama, alpha * x);
    let half = alpha * 0.5;
    (mama, (1.0 - half).mul_add(fama, half * mama))
}

/// What the period's recurrence carries from bar to bar: TA-Lib's WMA sums, Q2, I2, Re, Im
/// and the period.
#[derive(Clone, Copy, Debug, Default)]
struct Chain {
    wma_sub: f64,
    wma_sum: f64,
    period: f64,
    q2: f64,
    i2: f64,
    re: f64,
    im: f64,
}
state!(Chain { wma_sub, wma_sum, period, q2, i2, re, im });

impl Chain {
    /// Bar `j` of the histories (`x` its input, `trailing` the input 4 bars back): its smoothed
    /// value, detrender and Q1 into them, and the period for the next bar.
    #[inline(always)]
    fn bar(&mut self, x: f64, trailing: f64, smoothed: &mut [f64], detrender: &mut [f64], q1s: &mut [f64], j: usize) {
        self.wma_sub = (self.wma_sub + x) - trailing;
        let sum = self.wma_sum + x * 4.0;
        smoothed[j] = sum * 0.1;
        self.wma_sum = sum - self.wma_sub;
        let adj = 0.075f64.mul_add(self.period, 0.54);
        let det = hilbert(smoothed, j) * adj;
        detrender[j] = det;
        let q1 = hilbert(detrender, j) * adj;
        q1s[j] = q1;
        let i1 = detrender[j - 3];
        let ji = hilbert(detrender, j - 3) * adj;
        let jq = hilbert(q1s, j) * adj;
        let (q2, i2) = (self.q2, self.i2);
        let q2_now = 0.2f64.mul_add(q1 + ji, 0.8 * q2);
        let i2_now = 0.2f64.mul_add(i1 - jq, 0.8 * i2);
        self.re = 0.8f64.mul_add(self.re, 0.2 * i2_now.mul_add(i2, q2_now * q2));
        self.im = 0.8f64.mul_add(self.im, 0.2 * (i2_now * q2 - q2_now * i2));
        (self.q2, self.i2) = (q2_now, i2_now);
        self.period = next_period(self.period, self.re, self.im);
    }
}

/// The MAMA state machine: `next(x)` gives `(mama, fama)` from bar 32 on. Its histories hold
/// the last bars oldest first; a batch runs a group of bars after them in longer arrays.
#[derive(Clone, Debug)]
pub struct Mama {
    fast: f64,
    slow: f64,
    /// Below it, an approximate `delta` gives `alpha = fast`; past `above`, `slow`.
    below: f64,
    above: f64,
    n: usize,
    inputs: [f64; W],
    chain: Chain,
    smoothed: [f64; H],
    detrender: [f64; H],
    q1: [f64; H],
    phase: f64,
    mama: f64,
    fama: f64,
}
state!(Mama { n, inputs, chain, smoothed, detrender, q1, phase, mama, fama });

impl Mama {
    pub fn new(fast: f64, slow: f64) -> Self {
        // `alpha` is `slow` where `delta` is past both 1 and `fast/slow` (past 1, a `fast` at
        // most `slow` gives `fast/delta` below `slow`). Parameters out of TA-Lib's range leave
        // every alpha to the exact phases.
        let ratio = fast / slow;
        let (below, above) = if fast > 0.0 && slow > 0.0 && ratio.is_finite() {
            (1.0 - MARGIN, ratio.max(1.0) * (1.0 + MARGIN) + MARGIN)
        } else {
            (f64::NEG_INFINITY, f64::INFINITY)
        };
        Self {
            fast,
            slow,
            below,
            above,
            n: 0,
            inputs: [0.0; W],
            chain: Chain::default(),
            smoothed: [0.0; H],
            detrender: [0.0; H],
            q1: [0.0; H],
            phase: 0.0,
            mama: 0.0,
            fama: 0.0,
        }
    }

    /// One bar, by TA-Lib's phase (built for the CPU's FMA, like a batch).
    #[inline]
    pub fn next(&mut self, x: f64) -> Option<(f64, f64)> {
        if self.n < WARM {
            self.warm(x);
            return None;
        }
        let m = &mut *self;
        with_wide!({ m.bar(x) });
        (self.n > LOOKBACK).then_some((self.mama, self.fama))
    }

    /// One bar of the WMA's warm-up, TA-Lib's sums (the first bar is the sums, not added to 0).
    fn warm(&mut self, x: f64) {
        let (n, c) = (self.n, &mut self.chain);
        if n == 0 {
            (c.wma_sub, c.wma_sum) = (x, x);
        } else if n < 3 {
            c.wma_sub += x;
            c.wma_sum += x * (n + 1) as f64;
        } else {
            c.wma_sub = (c.wma_sub + x) - self.inputs[0];
            c.wma_sum = (c.wma_sum + x * 4.0) - c.wma_sub;
        }
        self.push(x);
    }

    fn push(&mut self, x: f64) {
        self.inputs.copy_within(1.., 0);
        self.inputs[W - 1] = x;
        self.n += 1;
    }

    /// One bar past the warm-up: the chain on the histories and one more slot, the phase.
    #[inline(always)]
    fn bar(&mut self, x: f64) {
        let (mut smoothed, mut detrender, mut q1s) = ([0.0; H + 1], [0.0; H + 1], [0.0; H + 1]);
        smoothed[..H].copy_from_slice(&self.smoothed);
        detrender[..H].copy_from_slice(&self.detrender);
        q1s[..H].copy_from_slice(&self.q1);
        self.chain.bar(x, self.inputs[0], &mut smoothed, &mut detrender, &mut q1s, H);
        let now = phase(q1s[H], detrender[H - 3]);
        let alpha = alpha_of(self.phase - now, self.fast, self.slow);
        self.phase = now;
        (self.mama, self.fama) = average((self.mama, self.fama), alpha, x);
        self.smoothed.copy_from_slice(&smoothed[1..]);
        self.detrender.copy_from_slice(&detrender[1..]);
        self.q1.copy_from_slice(&q1s[1..]);
        self.push(x);
    }

    /// Runs the machine over `x`, the outputs into `mama` and `fama` (NaN in the look-back).
    #[inline(always)]
    fn run(&mut self, x: &[f64], mama: &mut [f64], fama: &mut [f64]) {
        let n0 = self.n;
        let warm = WARM.saturating_sub(n0).min(x.len());
        x[..warm].iter().for_each(|&v| self.warm(v));
        if warm < x.len() {
            self.groups(&x[warm..], &mut mama[warm..], &mut fama[warm..]);
        }
        let lead = LOOKBACK.saturating_sub(n0).min(x.len());
        mama[..lead].fill(f64::NAN);
        fama[..lead].fill(f64::NAN);
    }

    /// Bars from 12 on, [`GROUP`] at a time: each group's chain, beside it the previous
    /// group's averages, then the group's alphas.
    #[inline(always)]
    fn groups(&mut self, x: &[f64], out_mama: &mut [f64], out_fama: &mut [f64]) {
        let mut inputs = [0.0; W + GROUP];
        let mut smoothed = [0.0; H + GROUP];
        let mut detrender = [0.0; H + GROUP];
        let mut q1s = [0.0; H + GROUP];
        inputs[..W].copy_from_slice(&self.inputs);
        smoothed[..H].copy_from_slice(&self.smoothed);
        detrender[..H].copy_from_slice(&self.detrender);
        q1s[..H].copy_from_slice(&self.q1);
        let mut chain = self.chain;
        let mut avg = (self.mama, self.fama);
        let mut alpha = [0.0; GROUP];
        // The bars (from `due`, `due_len` of them) whose averages wait for the next group.
        let (mut due, mut due_len) = (0, 0);
        let mut settle = |t: usize, alpha: f64, avg: &mut (f64, f64)| {
            *avg = average(*avg, alpha, x[t]);
            (out_mama[t], out_fama[t]) = *avg;
        };
        for (c, xs) in x.chunks(GROUP).enumerate() {
            let g = xs.len().min(GROUP);
            for k in 0..g {
                if k < due_len {
                    settle(due + k, alpha[k], &mut avg);
                }
                inputs[W + k] = xs[k];
                chain.bar(xs[k], inputs[k], &mut smoothed, &mut detrender, &mut q1s, H + k);
            }
            (g..due_len).for_each(|k| settle(due + k, alpha[k], &mut avg));
            self.alphas(&detrender, &q1s, g, &mut alpha);
            (due, due_len) = (c * GROUP, g);
            inputs.copy_within(g..g + W, 0);
            for h in [&mut smoothed, &mut detrender, &mut q1s] {
                h.copy_within(g..g + H, 0);
            }
        }
        (0..due_len).for_each(|k| settle(due + k, alpha[k], &mut avg));
        self.inputs.copy_from_slice(&inputs[..W]);
        self.smoothed.copy_from_slice(&smoothed[..H]);
        self.detrender.copy_from_slice(&detrender[..H]);
        self.q1.copy_from_slice(&q1s[..H]);
        self.chain = chain;
        // The last bar's phase, which `next` takes for the bar after.
        self.phase = phase(q1s[H - 1], detrender[H - 4]);
        (self.mama, self.fama) = avg;
        self.n += x.len();
    }

    /// The alphas of a group's `g` bars (at `H..H + g` in the histories, the bar before at
    /// `H − 1`): by approximate phases where `delta` is clearly on one side, else by TA-Lib's
    /// phases.
    #[inline(always)]
    fn alphas(&self, detrender: &[f64; H + GROUP], q1s: &[f64; H + GROUP], g: usize, alpha: &mut [f64; GROUP]) {
        let (fast, slow) = (self.fast, self.slow);
        let mut rough = [0.0; GROUP + 1];
        for (k, r) in rough.iter_mut().enumerate().take(g + 1) {
            *r = rough_phase(q1s[H - 1 + k], detrender[H - 4 + k]);
        }
        let mut open = [false; GROUP];
        for k in 0..g {
            let delta = rough[k] - rough[k + 1];
            let below = delta < self.below;
            alpha[k] = if below { fast } else { slow };
            open[k] = !(below | (delta > self.above));
        }
        let (mut list, mut count) = ([0u8; GROUP], 0);
        for (k, &o) in open.iter().enumerate().take(g) {
            list[count] = k as u8;
            count += usize::from(o);
        }
        // TA-Lib's phases for the open bars and the bars before them (each computed once).
        let mut known = (usize::MAX, 0.0);
        for &k in &list[..count] {
            let j = H + usize::from(k);
            let before = if known.0 == j - 1 { known.1 } else { phase(q1s[j - 1], detrender[j - 4]) };
            let now = phase(q1s[j], detrender[j - 3]);
            known = (j, now);
            alpha[usize::from(k)] = alpha_of(before - now, fast, slow);
        }
    }
}

impl Machine for Mama {
    const IN: usize = 1;
    const OUT: usize = 2;
    #[inline]
    fn step(&mut self, x: &[f64], out: &mut [f64]) {
        (out[0], out[1]) = self.next(x[0]).unwrap_or((f64::NAN, f64::NAN));
    }

    fn batch(&mut self, ins: &[&[f64]], outs: &mut [&mut [f64]], control: &Control) -> Result<()> {
        let [mama, fama] = outs else { unreachable!("MAMA has two outputs") };
        let (x, m) = (ins[0], &mut *self);
        // The whole run built with FMA (TA-Lib's fused operations, single instructions).
        with_fma!({
            for span in spans(x.len()) {
                control.check()?;
                m.run(&x[span.clone()], &mut mama[span.clone()], &mut fama[span]);
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rad2deg_is_talibs() {
        assert_eq!(RAD2DEG.to_bits(), (180.0 / (4.0 * 1.0f64.atan())).to_bits());
    }

    /// The approximate phase is within 1e-4 degrees of TA-Lib's (so an approximate `delta` is
    /// within 2e-4, far inside [`MARGIN`]), over every angle and over magnitudes far apart.
    #[test]
    fn rough_phase_is_close() {
        let mut worst = 0.0f64;
        for i in 0..=400_000 {
            let angle = (f64::from(i) / 400_000.0 - 0.5) * std::f64::consts::PI * 0.999_999;
            for scale in [1e-300, 1e-9, 1.0, 3.7e5, 1e300] {
                let (q1, i1) = (angle.sin() * scale, angle.cos() * scale);
                worst = worst.max((rough_phase(q1, i1) - phase(q1, i1)).abs());
                worst = worst.max((rough_phase(-q1, -i1) - phase(-q1, -i1)).abs());
            }
        }
        for z in (0..=1_000_000).map(|i| f64::from(i) / 1_000_000.0) {
            worst = worst.max((rough_phase(z, 1.0) - phase(z, 1.0)).abs());
            worst = worst.max((rough_phase(1.0, z) - phase(1.0, z)).abs());
        }
        assert!(worst < 1e-4, "{worst}");
        assert_eq!(rough_phase(f64::NAN, 0.0), 0.0);
        for (q1, i1) in [(f64::NAN, 1.0), (1.0, f64::NAN), (f64::INFINITY, 1.0), (1.0, f64::INFINITY)] {
            assert!(rough_phase(q1, i1).is_nan());
        }
    }

    /// Series whose phases sit on the edges of the approximation: flat stretches, spikes, NaN,
    /// and a sine whose phase advances about 1 degree a bar.
    fn edgy() -> Vec<f64> {
        let mut x: Vec<f64> = (0..3000).map(|i| 100.0 + (f64::from(i) * 0.0175).sin() * 5.0).collect();
        x.extend((0..500).map(|i| if i % 97 == 0 { 1e6 } else { 7.0 }));
        x.extend((0..500).map(|i| f64::from(i % 13) - 6.0));
        x[3200] = f64::NAN;
        x.extend((0..1000).map(|i| 100.0 + (f64::from(i) * 0.7).sin()));
        x
    }

    fn batch(m: &mut Mama, x: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let (mut mama, mut fama) = (vec![0.0; x.len()], vec![0.0; x.len()]);
        m.batch(&[x], &mut [&mut mama, &mut fama], &Control::new()).unwrap();
        (mama, fama)
    }

    const LIMITS: [(f64, f64); 4] = [(0.5, 0.05), (0.99, 0.01), (0.01, 0.99), (0.3, 0.3)];

    /// Alphas settled by the approximate phases are those of TA-Lib's phases (a machine with
    /// no margin takes TA-Lib's phase on every bar).
    #[test]
    fn approximation_changes_nothing() {
        let x = edgy();
        for (fast, slow) in LIMITS {
            let mut exact = Mama::new(fast, slow);
            (exact.below, exact.above) = (f64::NEG_INFINITY, f64::INFINITY);
            let (a, b) = (batch(&mut Mama::new(fast, slow), &x), batch(&mut exact, &x));
            for i in 0..x.len() {
                assert_eq!((a.0[i].to_bits(), a.1[i].to_bits()), (b.0[i].to_bits(), b.1[i].to_bits()), "bar {i}");
            }
        }
    }

    #[test]
    fn batch_equals_stream() {
        let x = edgy();
        for (fast, slow) in LIMITS {
            let (m, f) = batch(&mut Mama::new(fast, slow), &x);
            let mut stream = Mama::new(fast, slow);
            for (i, &v) in x.iter().enumerate() {
                let mut out = [0.0; 2];
                stream.step(&[v], &mut out);
                assert_eq!((out[0].to_bits(), out[1].to_bits()), (m[i].to_bits(), f[i].to_bits()), "bar {i}");
            }
        }
    }
}
