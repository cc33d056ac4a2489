//! Indicators of a window's highest and lowest values: MIDPOINT, MIDPRICE, WILLR, AROON,
//! AROONOSC, STOCHF, STOCH and STOCHRSI.

use super::average::{Ma, Value};
use super::extremes::{ages, blocks_extreme, highest_lowest, newer_max, newer_min, tracked, Extreme, OnNan};
use super::momentum::{Rsi, Wilder};
use super::state::{state, Loader, Ring, Save};
use super::{halves, Machine};
use crate::control::Control;
use crate::error::{try_vec, Result};
use std::collections::VecDeque;

/// The last `p` bars' highs and lows (MIDPOINT, MIDPRICE, WILLR). The highest and lowest come
/// from monotone queues (O(1) amortised); a window holding a NaN is taken as TA-Lib's MAX and
/// MIN take it ([`blocks_extreme`]).
#[derive(Clone, Debug)]
pub struct Window {
    hi: Ring,
    lo: Ring,
    t: usize,
    nans: usize,
    maxq: VecDeque<(usize, f64)>,
    minq: VecDeque<(usize, f64)>,
}

impl Save for Window {
    fn save(&self, out: &mut Vec<f64>) {
        self.hi.save(out);
        self.lo.save(out);
        self.t.save(out);
    }
    /// The queues are a function of the window: rebuilt from it.
    fn load(&mut self, from: &mut Loader<'_>) -> Result<()> {
        self.hi.load(from)?;
        self.lo.load(from)?;
        self.t.load(from)?;
        let n = self.hi.len();
        if self.lo.len() != n || self.t < n {
            return Err(crate::invalid!("the saved stream state holds a broken window"));
        }
        self.maxq.clear();
        self.minq.clear();
        self.nans = 0;
        for i in 0..n {
            let index = self.t - n + i;
            self.enqueue(index, self.hi.get(i), self.lo.get(i));
        }
        Ok(())
    }
}

impl Window {
    pub fn new(p: usize) -> Self {
        Self { hi: Ring::new(p), lo: Ring::new(p), t: 0, nans: 0, maxq: VecDeque::new(), minq: VecDeque::new() }
    }

    /// The window's length.
    pub fn period(&self) -> usize {
        self.hi.buf_len()
    }

    #[inline]
    fn enqueue(&mut self, index: usize, h: f64, l: f64) {
        self.nans += usize::from(h.is_nan()) + usize::from(l.is_nan());
        if !h.is_nan() {
            while self.maxq.back().is_some_and(|&(_, v)| v <= h) {
                self.maxq.pop_back();
            }
            self.maxq.push_back((index, h));
        }
        if !l.is_nan() {
            while self.minq.back().is_some_and(|&(_, v)| v >= l) {
                self.minq.pop_back();
            }
            self.minq.push_back((index, l));
        }
    }

    /// `(highest, lowest)` once `p` bars were seen.
    #[inline]
    pub fn next(&mut self, h: f64, l: f64) -> Option<(f64, f64)> {
        let p = self.hi.buf_len();
        if self.hi.is_full() {
            let (oh, ol) = (self.hi.get(0), self.lo.get(0));
            self.nans -= usize::from(oh.is_nan()) + usize::from(ol.is_nan());
        }
        self.hi.push(h);
        self.lo.push(l);
        let index = self.t;
        self.t += 1;
        self.enqueue(index, h, l);
        let oldest = self.t.saturating_sub(p);
        while self.maxq.front().is_some_and(|&(i, _)| i < oldest) {
            self.maxq.pop_front();
        }
        while self.minq.front().is_some_and(|&(i, _)| i < oldest) {
            self.minq.pop_front();
        }
        if !self.hi.is_full() {
            return None;
        }
        if self.nans == 0 {
            if let (Some(&(_, hi)), Some(&(_, lo))) = (self.maxq.front(), self.minq.front()) {
                return Some((hi, lo));
            }
        }
        let r = self.t % p;
        let (hi, lo) = (&self.hi, &self.lo);
        Some((blocks_extreme(p, r, |i| hi.get(i), newer_max), blocks_extreme(p, r, |i| lo.get(i), newer_min)))
    }
}

/// The last `w` bars' highs and lows with TA-Lib's running extremes ([`Extreme`]): STOCH's
/// windows (`NEWEST` false) and AROON's (true).
#[derive(Clone, Debug)]
pub struct Tracker<const NEWEST: bool> {
    hi: Ring,
    lo: Ring,
    t: usize,
    max: Extreme,
    min: Extreme,
}

impl<const NEWEST: bool> Save for Tracker<NEWEST> {
    fn save(&self, out: &mut Vec<f64>) {
        self.hi.save(out);
        self.lo.save(out);
        self.t.save(out);
        self.max.save(out);
        self.min.save(out);
    }
    fn load(&mut self, from: &mut Loader<'_>) -> Result<()> {
        self.hi.load(from)?;
        self.lo.load(from)?;
        self.t.load(from)?;
        self.max.load(from)?;
        self.min.load(from)?;
        let n = self.hi.len();
        if self.lo.len() != n || self.t < n || self.max.bar() >= self.t.max(1) || self.min.bar() >= self.t.max(1) {
            return Err(crate::invalid!("the saved stream state holds a broken window"));
        }
        Ok(())
    }
}

impl<const NEWEST: bool> Tracker<NEWEST> {
    pub fn new(w: usize) -> Self {
        Self { hi: Ring::new(w), lo: Ring::new(w), t: 0, max: Extreme::default(), min: Extreme::default() }
    }

    /// The window's length.
    pub fn period(&self) -> usize {
        self.hi.buf_len()
    }

    /// The highest and lowest (with their bars, counted from the first) once `w` bars were seen.
    #[inline]
    pub fn next(&mut self, h: f64, l: f64) -> Option<(Extreme, Extreme)> {
        self.hi.push(h);
        self.lo.push(l);
        self.t += 1;
        if !self.hi.is_full() {
            return None;
        }
        let today = self.t - 1;
        let trailing = today + 1 - self.period();
        let (hi, lo) = (&self.hi, &self.lo);
        self.max.step::<true, NEWEST>(trailing, today, |i| hi.get(i - trailing));
        self.min.step::<false, NEWEST>(trailing, today, |i| lo.get(i - trailing));
        Some((self.max, self.min))
    }

    /// Calls `emit(t0, highest, lowest)` over whole series as [`highest_lowest`] does (the
    /// extremes of each window), or where a NaN makes TA-Lib's order of scanning matter, `emit(t, ..)` a bar at a time from TA-Lib's running extremes. Gives
    /// the first bar with a value.
    fn series(
        &self,
        h: &[f64],
        l: &[f64],
        control: &Control,
        mut emit: impl FnMut(usize, &[f64], &[f64]),
    ) -> Result<usize> {
        let p = self.period();
        if !highest_lowest(h, l, p, 0, OnNan::Stop, control, &mut emit)? {
            tracked::<NEWEST>(h, l, p, control, |t, hi, lo| emit(t, &[hi.value()], &[lo.value()]))?;
        }
        Ok((p - 1).min(h.len()))
    }
}

/// MIDPOINT(close, timeperiod).
#[derive(Clone, Debug)]
pub struct Midpoint(pub Window);
state!(Midpoint { 0 });

impl Machine for Midpoint {
    const IN: usize = 1;
    const OUT: usize = 1;
    #[inline]
    fn step(&mut self, x: &[f64], out: &mut [f64]) {
        out[0] = self.0.next(x[0], x[0]).map_or(f64::NAN, |(h, l)| (h + l) / 2.0);
    }
    fn batch(&mut self, ins: &[&[f64]], outs: &mut [&mut [f64]], control: &Control) -> Result<()> {
        midpoints(&self.0, ins[0], ins[0], outs[0], control)
    }
}

/// `(highest + lowest) / 2` of each window, over whole series.
fn midpoints(w: &Window, h: &[f64], l: &[f64], out: &mut [f64], control: &Control) -> Result<()> {
    by_window(w.period(), h, l, out, control, |hi, lo, _| (hi + lo) / 2.0)
}

/// `out[t] = value(highest, lowest, t)` of each bar's window of `p` (NaN in the look-back),
/// over whole series, in halves on two threads where long; NaN windows as [`Window::next`]
/// takes them.
fn by_window(
    p: usize,
    h: &[f64],
    l: &[f64],
    out: &mut [f64],
    control: &Control,
    value: impl Fn(f64, f64, usize) -> f64 + Sync,
) -> Result<()> {
    halves::windows(out, |first, part| {
        let (from, end) = (first.saturating_sub(p - 1), first + part.len());
        let warm = (p - 1).saturating_sub(first).min(part.len());
        part[..warm].fill(f64::NAN);
        highest_lowest(&h[from..end], &l[from..end], p, from, OnNan::Blocks, control, |t0, hi, lo| {
            let t = from + t0;
            for (i, ((o, &hi), &lo)) in part[t - first..].iter_mut().zip(hi).zip(lo).enumerate() {
                *o = value(hi, lo, t + i);
            }
        })?;
        Ok(())
    })
}

/// MIDPRICE(high, low, timeperiod).
#[derive(Clone, Debug)]
pub struct Midprice(pub Window);
state!(Midprice { 0 });

impl Machine for Midprice {
    const IN: usize = 2;
    const OUT: usize = 1;
    #[inline]
    fn step(&mut self, x: &[f64], out: &mut [f64]) {
        out[0] = self.0.next(x[0], x[1]).map_or(f64::NAN, |(h, l)| (h + l) / 2.0);
    }
    fn batch(&mut self, ins: &[&[f64]], outs: &mut [&mut [f64]], control: &Control) -> Result<()> {
        midpoints(&self.0, ins[0], ins[1], outs[0], control)
    }
}

/// WILLR(high, low, close, timeperiod).
#[derive(Clone, Debug)]
pub struct Willr(pub Window);
state!(Willr { 0 });

impl Machine for Willr {
    const IN: usize = 3;
    const OUT: usize = 1;
    #[inline]
    fn step(&mut self, x: &[f64], out: &mut [f64]) {
        out[0] = match self.0.next(x[0], x[1]) {
            Some((h, l)) => willr(h, l, x[2]),
            None => f64::NAN,
        };
    }
    fn batch(&mut self, ins: &[&[f64]], outs: &mut [&mut [f64]], control: &Control) -> Result<()> {
        let c = ins[2];
        by_window(self.0.period(), ins[0], ins[1], outs[0], control, |h, l, t| willr(h, l, c[t]))
    }
}

/// WILLR of a window's highest and lowest and the close: TA-Lib 0.8.1 holds it to [-100, 0]
/// (a close outside the window's range, where a NaN high or low was passed over).
#[inline(always)]
fn willr(h: f64, l: f64, c: f64) -> f64 {
    let diff = h - l;
    let v = if diff != 0.0 { -100.0 * ((h - c) / diff) } else { 0.0 };
    // NaN stays NaN, -0 stays -0: compared, not rounded through min and max.
    v.clamp(-100.0, 0.0)
}

/// AROON(high, low, timeperiod): aroondown, aroonup; and AROONOSC (up minus down).
#[derive(Clone, Debug)]
pub struct Aroon {
    p: usize,
    osc: bool,
    window: Tracker<true>,
}
state!(Aroon { window });

impl Aroon {
    pub fn new(p: usize, osc: bool) -> Self {
        Self { p, osc, window: Tracker::new(p + 1) }
    }
}

impl Machine for Aroon {
    const IN: usize = 2;
    const OUT: usize = 2;
    #[inline]
    fn step(&mut self, x: &[f64], out: &mut [f64]) {
        out.fill(f64::NAN);
        if let Some((hi, lo)) = self.window.next(x[0], x[1]) {
            let today = self.window.t - 1;
            let (hi_age, lo_age) = (today - hi.bar(), today - lo.bar());
            let factor = 100.0 / self.p as f64;
            let p = self.p as f64;
            let down = factor * (p - lo_age as f64);
            let up = factor * (p - hi_age as f64);
            if self.osc {
                // TA-Lib: factor * (index of the highest - index of the lowest).
                out[0] = factor * ((lo_age as f64) - (hi_age as f64));
            } else {
                out[0] = down;
                out[1] = up;
            }
        }
    }
    fn batch(&mut self, ins: &[&[f64]], outs: &mut [&mut [f64]], control: &Control) -> Result<()> {
        let (first, rest) = outs.split_at_mut(1);
        let (a, b) = (&mut *first[0], &mut *rest[0]);
        a.fill(f64::NAN);
        b.fill(f64::NAN);
        let factor = 100.0 / self.p as f64;
        let p = self.p as f64;
        let osc = self.osc;
        let mut emit = |t: usize, hi_age: usize, lo_age: usize| {
            if osc {
                a[t] = factor * ((lo_age as f64) - (hi_age as f64));
            } else {
                a[t] = factor * (p - lo_age as f64);
                b[t] = factor * (p - hi_age as f64);
            }
        };
        // A NaN: TA-Lib's running extremes over the whole series (where it meets the NaN
        // depends on all that came before).
        if !ages(ins[0], ins[1], self.p + 1, control, &mut emit)? {
            tracked::<true>(ins[0], ins[1], self.p + 1, control, |t, hi, lo| emit(t, t - hi.bar(), t - lo.bar()))?;
        }
        Ok(())
    }
}

/// The fast %K of a window: `100 ((close - lowest) / (highest - lowest))` (0 for a flat window),
/// in TA-Lib 0.8's order of operations.
#[inline]
fn fast_k(h: f64, l: f64, c: f64) -> f64 {
    let diff = h - l;
    if diff != 0.0 {
        100.0 * ((c - l) / diff)
    } else {
        0.0
    }
}

/// STOCHF(high, low, close, fastk_period, fastd_period, fastd_matype): fastk, fastd; with an
/// RSI in front, STOCHRSI(close, timeperiod, fastk_period, fastd_period, fastd_matype).
#[derive(Clone, Debug)]
pub struct Stochf {
    rsi: Option<Rsi>,
    window: Tracker<false>,
    d: Ma,
}
state!(Stochf { rsi, window, d });

impl Stochf {
    pub fn new(k: usize, d: usize, matype: usize) -> Result<Self> {
        Ok(Self { rsi: None, window: Tracker::new(k), d: Ma::new(d, matype)? })
    }
    pub fn rsi(p: usize, k: usize, d: usize, matype: usize) -> Result<Self> {
        Ok(Self { rsi: Some(Rsi(Wilder::new(p))), window: Tracker::new(k), d: Ma::new(d, matype)? })
    }
}

impl<T: super::state::Save> super::state::Save for Option<T> {
    fn save(&self, out: &mut Vec<f64>) {
        if let Some(t) = self {
            t.save(out)
        }
    }
    fn load(&mut self, from: &mut super::Loader<'_>) -> Result<()> {
        match self {
            Some(t) => t.load(from),
            None => Ok(()),
        }
    }
}

impl Machine for Stochf {
    const IN: usize = 3;
    const OUT: usize = 2;
    #[inline]
    fn step(&mut self, x: &[f64], out: &mut [f64]) {
        out.fill(f64::NAN);
        let (h, l, c) = match &mut self.rsi {
            Some(r) => match r.next(x[0]) {
                Some(v) => (v, v, v),
                None => return,
            },
            None => (x[0], x[1], x[2]),
        };
        let Some((hi, lo)) = self.window.next(h, l) else { return };
        let k = fast_k(hi.value(), lo.value(), c);
        if let Some(d) = self.d.next(k) {
            out[0] = k;
            out[1] = d;
        }
    }
    fn batch(&mut self, ins: &[&[f64]], outs: &mut [&mut [f64]], control: &Control) -> Result<()> {
        let n = ins[0].len();
        let (first, rest) = outs.split_at_mut(1);
        let (k_out, d_out) = (&mut *first[0], &mut *rest[0]);
        let rsi;
        let (h, l, c, off) = match &mut self.rsi {
            Some(r) => {
                let mut probe = r.clone();
                let off = (0..n).take_while(|_| probe.next(0.0).is_none()).count();
                let mut buf = try_vec(n, 0.0, "the RSI")?;
                Machine::batch(r, &ins[..1], &mut [&mut buf[..]], control)?;
                rsi = buf;
                let s = &rsi[off..];
                (s, s, s, off)
            }
            None => (ins[0], ins[1], ins[2], 0),
        };
        k_out[..off].fill(f64::NAN);
        d_out[..off].fill(f64::NAN);
        let (k_out, d_out) = (&mut k_out[off..], &mut d_out[off..]);
        let start = fast_ks(&self.window, h, l, c, k_out, control)?;
        let ready = start + warmup(&self.d, n);
        self.d.series(&k_out[start..], &mut d_out[start..], control)?;
        let ready = ready.min(k_out.len());
        k_out[..ready].fill(f64::NAN);
        d_out[..ready].fill(f64::NAN);
        Ok(())
    }
}

/// The fast %K of each window into `k`, over whole series; gives the first bar with a value.
fn fast_ks(w: &Tracker<false>, h: &[f64], l: &[f64], c: &[f64], k: &mut [f64], control: &Control) -> Result<usize> {
    let start = w.series(h, l, control, |t0, hi, lo| {
        for (((k, &hi), &lo), &c) in k[t0..].iter_mut().zip(hi).zip(lo).zip(&c[t0..]) {
            *k = fast_k(hi, lo, c);
        }
    })?;
    k[..start].fill(f64::NAN);
    Ok(start)
}

/// Inputs a fresh value machine takes before its first output (a matter of the count alone).
fn warmup<V: Value>(v: &V, cap: usize) -> usize {
    let mut v = v.clone();
    (0..cap).take_while(|_| v.value(0.0).is_none()).count()
}

/// STOCH(high, low, close, fastk_period, slowk_period, slowk_matype, slowd_period,
/// slowd_matype): slowk, slowd.
#[derive(Clone, Debug)]
pub struct Stoch {
    window: Tracker<false>,
    k: Ma,
    d: Ma,
}
state!(Stoch { window, k, d });

impl Stoch {
    pub fn new(fastk: usize, slowk: usize, kt: usize, slowd: usize, dt: usize) -> Result<Self> {
        Ok(Self { window: Tracker::new(fastk), k: Ma::new(slowk, kt)?, d: Ma::new(slowd, dt)? })
    }
}

impl Machine for Stoch {
    const IN: usize = 3;
    const OUT: usize = 2;
    #[inline]
    fn step(&mut self, x: &[f64], out: &mut [f64]) {
        out.fill(f64::NAN);
        let Some((hi, lo)) = self.window.next(x[0], x[1]) else { return };
        let Some(k) = self.k.next(fast_k(hi.value(), lo.value(), x[2])) else { return };
        if let Some(d) = self.d.next(k) {
            out[0] = k;
            out[1] = d;
        }
    }
    fn batch(&mut self, ins: &[&[f64]], outs: &mut [&mut [f64]], control: &Control) -> Result<()> {
        let n = ins[0].len();
        let (first, rest) = outs.split_at_mut(1);
        let (k_out, d_out) = (&mut *first[0], &mut *rest[0]);
        let mut fast = try_vec(n, 0.0, "the fast %K")?;
        let start = fast_ks(&self.window, ins[0], ins[1], ins[2], &mut fast, control)?;
        let slow = (start + warmup(&self.k, n)).min(n);
        self.k.series(&fast[start..], &mut k_out[start..], control)?;
        let ready = (slow + warmup(&self.d, n)).min(n);
        self.d.series(&k_out[slow..], &mut d_out[slow..], control)?;
        k_out[..ready].fill(f64::NAN);
        d_out[..ready].fill(f64::NAN);
        Ok(())
    }
}
