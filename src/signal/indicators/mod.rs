//! TA-Lib's indicators as state machines: one machine per indicator takes one bar and gives
//! that bar's outputs (NaN during TA-Lib's look-back). A batch call runs the machine over the
//! array in a tight loop and a stream feeds it bar by bar, so the two agree bit for bit. Every
//! machine repeats TA-Lib's own arithmetic (its seeding, its running sums, its order of
//! operations), so the numbers equal the C library's.
//!
//! TA-Lib's Python wrapper starts each computation at the first bar where no input is NaN; a
//! [`Stream`] and [`run_columns`] do the same.

pub(crate) mod state;

mod average;
mod directional;
mod extremes;
mod halves;
mod lanes;
mod mama;
mod momentum;
mod oscillator;
mod prefetch;
mod range;
mod regression;
mod spec;
mod volatility;
mod volume;
#[cfg(test)]
mod window_tests;

pub use spec::{build, spec, Param, ParamKind, Spec, SPECS};
pub use state::{Loader, Save};

use crate::control::Control;
use crate::error::{Error, Result};
use rayon::prelude::*;

/// The most inputs (high, low, close, volume) and outputs (three) of any indicator.
pub const MAX_IN: usize = 4;
pub const MAX_OUT: usize = 3;

/// One indicator's state machine, fed one bar at a time.
pub trait Machine: Clone + Send + Sync + Save + 'static {
    /// Inputs per bar, in TA-Lib's order (high, low, close, volume).
    const IN: usize;
    /// Outputs per bar, in TA-Lib's order.
    const OUT: usize;
    /// The outputs for the bar `x` (NaN during the look-back).
    fn step(&mut self, x: &[f64], out: &mut [f64]);

    /// Runs the machine over whole series: `ins[j]` is input `j`, `outs[k]` output `k`, all of
    /// one length, no leading NaN bar. The default feeds [`Machine::step`] bar by bar; a machine
    /// overrides it with a loop over the arrays that does the same arithmetic in the same order
    /// (the stream-equals-batch tests check the bits), looking at `control` between [`spans`].
    fn batch(&mut self, ins: &[&[f64]], outs: &mut [&mut [f64]], control: &Control) -> Result<()> {
        let len = ins.first().map_or(0, |s| s.len());
        let mut x = [0.0; MAX_IN];
        let mut y = [0.0; MAX_OUT];
        for span in spans(len) {
            control.check()?;
            for i in span {
                for j in 0..Self::IN {
                    x[j] = ins[j][i];
                }
                self.step(&x[..Self::IN], &mut y[..Self::OUT]);
                for k in 0..Self::OUT {
                    outs[k][i] = y[k];
                }
            }
        }
        Ok(())
    }
}

/// `0..len` in pieces of [`CHUNK`] bars: a batch loop looks for Ctrl-C before each.
pub fn spans(len: usize) -> impl Iterator<Item = std::ops::Range<usize>> {
    (0..len).step_by(CHUNK).map(move |s| s..(s + CHUNK).min(len))
}

/// A [`Machine`] behind a pointer: what a stream holds and a batch call clones per series.
pub trait Indicator: Send + Sync {
    fn inputs(&self) -> usize;
    fn outputs(&self) -> usize;
    fn step(&mut self, x: &[f64], out: &mut [f64]);
    /// Runs over whole series (`ins[j]`: input `j`; `outs[k]`: output `k`, same length), from
    /// the first bar where no input is NaN (NaN before it), as TA-Lib's wrapper does.
    fn run(&mut self, ins: &[&[f64]], outs: &mut [&mut [f64]], control: &Control) -> Result<()>;
    fn save(&self, out: &mut Vec<f64>);
    fn load(&mut self, from: &mut Loader<'_>) -> Result<()>;
    fn clone_box(&self) -> Box<dyn Indicator>;
}

/// Bars between two looks for Ctrl-C in a long series.
const CHUNK: usize = 1 << 16;

/// The first bar where none of `ins` is NaN (`len` if there is none).
pub fn first_valid(ins: &[&[f64]]) -> usize {
    let len = ins.first().map_or(0, |s| s.len());
    (0..len).find(|&i| ins.iter().all(|s| !s[i].is_nan())).unwrap_or(len)
}

impl<M: Machine> Indicator for M {
    fn inputs(&self) -> usize {
        M::IN
    }
    fn outputs(&self) -> usize {
        M::OUT
    }
    fn step(&mut self, x: &[f64], out: &mut [f64]) {
        Machine::step(self, x, out)
    }
    fn run(&mut self, ins: &[&[f64]], outs: &mut [&mut [f64]], control: &Control) -> Result<()> {
        let len = ins.first().map_or(0, |s| s.len());
        let begin = first_valid(ins);
        let mut tails_in = [&[][..]; MAX_IN];
        for (t, s) in tails_in.iter_mut().zip(ins) {
            *t = &s[begin..];
        }
        let mut tails_out: [&mut [f64]; MAX_OUT] = Default::default();
        for (t, o) in tails_out.iter_mut().zip(outs.iter_mut()) {
            o[..begin].fill(f64::NAN);
            *t = &mut o[begin..len];
        }
        Machine::batch(self, &tails_in[..M::IN], &mut tails_out[..M::OUT], control)
    }
    fn save(&self, out: &mut Vec<f64>) {
        Save::save(self, out)
    }
    fn load(&mut self, from: &mut Loader<'_>) -> Result<()> {
        Save::load(self, from)
    }
    fn clone_box(&self) -> Box<dyn Indicator> {
        Box::new(self.clone())
    }
}

/// A streaming indicator: bars before the first one without NaN are skipped (NaN out), as
/// TA-Lib's wrapper skips them in a batch call.
pub struct Stream {
    machine: Box<dyn Indicator>,
    started: bool,
}

impl Clone for Stream {
    fn clone(&self) -> Self {
        Self { machine: self.machine.clone_box(), started: self.started }
    }
}

impl Stream {
    pub fn new(name: &str, params: &[f64]) -> Result<Self> {
        Ok(Self { machine: build(name, params)?, started: false })
    }

    pub fn inputs(&self) -> usize {
        self.machine.inputs()
    }

    pub fn outputs(&self) -> usize {
        self.machine.outputs()
    }

    /// Feeds one bar (`x.len() == inputs()`), writing its outputs (`out.len() == outputs()`).
    pub fn update(&mut self, x: &[f64], out: &mut [f64]) {
        if !self.started {
            if x.iter().any(|v| v.is_nan()) {
                out.fill(f64::NAN);
                return;
            }
            self.started = true;
        }
        self.machine.step(x, out);
    }

    /// The state as plain numbers.
    pub fn state(&self) -> Vec<f64> {
        let mut out = vec![f64::from(u8::from(self.started))];
        self.machine.save(&mut out);
        out
    }

    /// Restores what [`Stream::state`] gave, for a stream built with the same parameters.
    pub fn set_state(&mut self, state: &[f64]) -> Result<()> {
        let mut from = Loader::new(state);
        let mut started = false;
        started.load(&mut from)?;
        let mut machine = self.machine.clone_box();
        machine.load(&mut from)?;
        from.finish()?;
        self.machine = machine;
        self.started = started;
        Ok(())
    }
}

/// Runs the indicator over `cols` series of `rows` bars, in parallel over series, into `out`
/// (`cols × outputs × rows` values, every one written): series after series, each output's
/// `rows` values, `[c][k][r]`. `input(j, c, buf)` gives input `j` of series `c` (it may fill
/// `buf`, `rows` long, and return it).
pub fn run_columns<'a, F>(
    name: &str,
    params: &[f64],
    rows: usize,
    cols: usize,
    input: F,
    control: &Control,
    out: &mut [f64],
) -> Result<()>
where
    F: Fn(usize, usize, &mut Vec<f64>) -> Option<&'a [f64]> + Sync,
{
    let proto = build(name, params)?;
    let n_out = proto.outputs();
    let block = rows * n_out;
    if out.len() != block * cols {
        return Err(Error::Internal(format!(
            "{name}'s output holds {} values, not {cols} × {n_out} × {rows}",
            out.len()
        )));
    }
    if block == 0 {
        return Ok(());
    }
    let one = |c: usize, dst: &mut [f64]| -> Result<()> {
        let mut outs: Vec<&mut [f64]> = dst.chunks_mut(rows).collect();
        run_one(&*proto, c, &input, control, &mut outs)
    };
    if cols == 1 {
        one(0, out)
    } else {
        out.par_chunks_mut(block).enumerate().try_for_each(|(c, dst)| one(c, dst))
    }
}

/// [`run_columns`] for one series (`input(j, 0, buf)`) into one slice per output, each `rows`
/// long.
pub fn run_series<'a, F>(name: &str, params: &[f64], input: F, control: &Control, outs: &mut [&mut [f64]]) -> Result<()>
where
    F: Fn(usize, usize, &mut Vec<f64>) -> Option<&'a [f64]>,
{
    let proto = build(name, params)?;
    if outs.len() != proto.outputs() {
        return Err(Error::Internal(format!("{name} has {} outputs, not {}", proto.outputs(), outs.len())));
    }
    run_one(&*proto, 0, &input, control, outs)
}

/// Series `c` of `input` through a copy of `proto` into `outs`.
fn run_one<'a, F>(proto: &dyn Indicator, c: usize, input: &F, control: &Control, outs: &mut [&mut [f64]]) -> Result<()>
where
    F: Fn(usize, usize, &mut Vec<f64>) -> Option<&'a [f64]>,
{
    control.check()?;
    let n_in = proto.inputs();
    let mut bufs: Vec<Vec<f64>> = (0..n_in).map(|_| Vec::new()).collect();
    let mut slices: Vec<&[f64]> = Vec::with_capacity(n_in);
    // Borrowed columns first, copies into `bufs` for the strided ones.
    let borrowed: Vec<Option<&'a [f64]>> = (0..n_in).map(|j| input(j, c, &mut bufs[j])).collect();
    for (j, b) in borrowed.into_iter().enumerate() {
        match b {
            Some(s) => slices.push(s),
            None => slices.push(&bufs[j]),
        }
    }
    let mut m = proto.clone_box();
    m.run(&slices, outs, control)
}

/// Columns of `b` (high, low, close, volume, open) as the inputs of indicator `spec`.
#[cfg(test)]
pub(crate) fn test_inputs<'a>(spec: &Spec, b: &'a [Vec<f64>]) -> Vec<&'a [f64]> {
    spec.inputs
        .iter()
        .map(|name| match *name {
            "high" => &b[0][..],
            "low" => &b[1][..],
            "close" | "real0" => &b[2][..],
            "volume" => &b[3][..],
            _ => &b[4][..],
        })
        .collect()
}

/// Runs `m` over `ins` into outputs filled with a NaN no indicator makes, and checks that every
/// value was written (the binding gives [`run_columns`] uninitialised memory).
#[cfg(test)]
pub(crate) fn run_checked(m: &mut dyn Indicator, ins: &[&[f64]], control: &Control) -> Result<Vec<Vec<f64>>> {
    const UNWRITTEN: u64 = 0x7ff8_5eed_5eed_5eed;
    let n = ins.first().map_or(0, |s| s.len());
    let mut outs = vec![vec![f64::from_bits(UNWRITTEN); n]; m.outputs()];
    let mut slices: Vec<&mut [f64]> = outs.iter_mut().map(|o| &mut o[..]).collect();
    m.run(ins, &mut slices, control)?;
    for (k, o) in outs.iter().enumerate() {
        assert!(o.iter().all(|v| v.to_bits() != UNWRITTEN), "output {k} of {n} bars has an unwritten value");
    }
    Ok(outs)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bars with a wandering level (for every indicator's inputs: high, low, close, volume, ...).
    fn bars(n: usize) -> Vec<Vec<f64>> {
        let mut s = 12345u64;
        let mut u = || {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((s >> 11) as f64) / ((1u64 << 53) as f64)
        };
        let mut close = 100.0;
        let (mut o, mut h, mut l, mut c, mut v) = (vec![], vec![], vec![], vec![], vec![]);
        for _ in 0..n {
            let open = close;
            close *= 1.0 + 0.02 * (u() - 0.5);
            o.push(open);
            h.push(open.max(close) * (1.0 + 0.01 * u()));
            l.push(open.min(close) * (1.0 - 0.01 * u()));
            c.push(close);
            v.push((1000.0 * u()).floor());
        }
        vec![h, l, c, v, o]
    }

    #[test]
    fn stream_equals_batch_and_state_round_trips() {
        let b = bars(400);
        for spec in SPECS {
            let params: Vec<f64> = spec.params.iter().map(|p| p.default).collect();
            let ins = test_inputs(spec, &b);
            let n_out = spec.outputs.len();
            let outs = run_checked(&mut *build(spec.name, &params).unwrap(), &ins, &Control::new()).unwrap();
            let mut stream = Stream::new(spec.name, &params).unwrap();
            let mut y = vec![0.0; n_out];
            for t in 0..400 {
                if t == 200 {
                    let state = stream.state();
                    let mut fresh = Stream::new(spec.name, &params).unwrap();
                    fresh.set_state(&state).unwrap();
                    stream = fresh;
                }
                let x: Vec<f64> = ins.iter().map(|s| s[t]).collect();
                stream.update(&x, &mut y);
                for k in 0..n_out {
                    assert!(y[k].to_bits() == outs[k][t].to_bits(), "{} bar {t} output {k}", spec.name);
                }
            }
        }
    }

    #[test]
    fn parameters_are_checked() {
        assert!(build("RSI", &[1.0]).is_err());
        assert!(build("RSI", &[2.5]).is_err());
        assert!(build("RSI", &[]).is_err());
        assert!(build("MA", &[10.0, 9.0]).is_err());
        assert!(build("BBANDS", &[5.0, f64::NAN, 2.0, 0.0]).is_err());
        assert!(build("NOPE", &[]).is_err());
        assert!(build("SMA", &[100_000.0]).is_ok());
    }

    #[test]
    fn leading_nan_is_skipped() {
        let x = [f64::NAN, f64::NAN, 1.0, 2.0, 3.0, 4.0];
        let mut out = vec![0.0; 6];
        build("SMA", &[2.0]).unwrap().run(&[&x], &mut [&mut out], &Control::new()).unwrap();
        assert!(out[..3].iter().all(|v| v.is_nan()));
        assert_eq!(&out[3..], &[1.5, 2.5, 3.5]);
    }
}
