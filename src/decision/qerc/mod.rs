//! QERC: reservoir computing (an echo-state network) with a ridge readout, for regression and
//! classification of time series.
//!
//! A fixed random [`Reservoir`] of leaky tanh units turns an input series u[1..T] into states
//! x[1..T]; only the linear [`Readout`] on top is trained, by ridge regression. Two layouts:
//!
//! - per step: every step t ≥ washout of every training sequence is one training row [x[t]; u[t]]
//!   (u only with `input_to_readout`) with its own target (one-step-ahead forecasting, labelling
//!   each step with a regime);
//! - per sequence ([`Pooling`]): each sequence is one row, its last state or the mean of its
//!   states from the washout on, with one target (classifying whole sequences).
//!
//! Every sequence starts from the zero state unless a starting state is given. Sequences run in
//! parallel, each with the same arithmetic it would get alone, so results never depend on the
//! thread count. Classification fits the readout to one-hot targets and then the inverse
//! temperature that turns scores into probabilities, on leave-one-out scores
//! ([`readout::fit_temperature`], [`readout::leave_one_out`]).

mod cholesky;
pub mod readout;
pub mod reservoir;
pub mod spectral;

use crate::control::Control;
use crate::error::{check_alloc, check_finite_shaped, Result};
use ndarray::{s, Array2, ArrayView2, ArrayViewMut2, Axis};
use rayon::prelude::*;
pub use readout::Readout;
pub use reservoir::{Reservoir, ReservoirSpec};

/// How a whole sequence becomes one readout row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pooling {
    /// The state after the last step.
    Last,
    /// The mean of the states from step `washout` on.
    Mean,
}

/// What the readout reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// Steps dropped at the start of every sequence while the reservoir forgets its start.
    pub washout: usize,
    /// `None`: one row per step; `Some`: one row per sequence.
    pub pooling: Option<Pooling>,
    /// Append the input u[t] to the state x[t] (reservoirpy's `input_to_readout`).
    pub input_to_readout: bool,
}

impl Layout {
    /// Readout features for a reservoir of `n` units and `d` inputs.
    pub fn n_features(&self, n: usize, d: usize) -> usize {
        n + if self.input_to_readout { d } else { 0 }
    }
}

/// Training targets: one matrix (T_i×q) per sequence for the per-step layout, or one row per
/// sequence (k×q) for the pooled one.
#[derive(Debug, Clone)]
pub enum Targets<'a> {
    PerStep(Vec<ArrayView2<'a, f64>>),
    PerSequence(ArrayView2<'a, f64>),
}

/// A fitted readout and what came with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Fitted {
    pub readout: Readout,
    /// Inverse temperature of the class probabilities (classification only).
    pub beta: Option<f64>,
    /// The reservoir state after the last training sequence.
    pub final_state: Vec<f64>,
    /// Training rows the readout saw.
    pub n_rows: usize,
}

/// Readout outputs: per step, one T_i×q matrix per sequence; per sequence, one k×q matrix.
#[derive(Debug, Clone, PartialEq)]
pub enum Outputs {
    PerStep(Vec<Array2<f64>>),
    PerSequence(Array2<f64>),
}

fn name(what: &str, i: usize, count: usize) -> String {
    if count == 1 {
        what.to_string()
    } else {
        format!("{what}[{i}]")
    }
}

/// Checks the input sequences against the reservoir and the washout.
fn check_inputs(res: &Reservoir, inputs: &[ArrayView2<'_, f64>], layout: &Layout) -> Result<()> {
    crate::ensure!(!inputs.is_empty(), "X must hold at least one sequence");
    let k = inputs.len();
    for (i, x) in inputs.iter().enumerate() {
        let what = name("X", i, k);
        crate::ensure!(
            x.ncols() == res.n_inputs(),
            "{what} has {} features per step but the model has {}",
            x.ncols(),
            res.n_inputs()
        );
        crate::ensure!(
            x.nrows() > layout.washout,
            "washout ({}) must be smaller than the length of {what} ({} steps)",
            layout.washout,
            x.nrows()
        );
        check_finite_shaped(x, x.shape(), &what)?;
    }
    Ok(())
}

/// Runs one sequence from `state` and pools its features [x; u] (see [`Pooling`]).
fn pooled(
    res: &Reservoir,
    x: ArrayView2<'_, f64>,
    state: &mut Vec<f64>,
    layout: &Layout,
    pooling: Pooling,
    control: &Control,
) -> Result<Vec<f64>> {
    let p = layout.n_features(res.n(), res.n_inputs());
    let mut acc = vec![0.0; p];
    let last = x.nrows() - 1;
    res.run(x, state, control, |t, u, s| {
        let keep = match pooling {
            Pooling::Last => t == last,
            Pooling::Mean => t >= layout.washout,
        };
        if keep {
            let u: &[f64] = if layout.input_to_readout { u } else { &[] };
            acc.iter_mut().zip(s.iter().chain(u)).for_each(|(a, v)| *a += v);
        }
    })?;
    if pooling == Pooling::Mean {
        let count = (x.nrows() - layout.washout) as f64;
        acc.iter_mut().for_each(|a| *a /= count);
    }
    Ok(acc)
}

/// Fits the readout on the reservoir's response to `inputs`. With `classification`, the targets
/// are one-hot rows and the probability temperature is fitted too.
pub fn fit(
    res: &Reservoir,
    inputs: &[ArrayView2<'_, f64>],
    targets: &Targets<'_>,
    layout: &Layout,
    ridge: f64,
    classification: bool,
    control: &Control,
) -> Result<Fitted> {
    check_inputs(res, inputs, layout)?;
    crate::ensure!(ridge.is_finite() && ridge >= 0.0, "ridge must be a non-negative finite number, got {ridge}");
    let (n, p, k) = (res.n(), layout.n_features(res.n(), res.n_inputs()), inputs.len());
    let (mut features, y, final_state) = match (targets, layout.pooling) {
        (Targets::PerStep(ys), None) => {
            crate::ensure!(ys.len() == k, "y must hold one target array per sequence: {} for {k}", ys.len());
            let q = ys[0].ncols();
            for (i, (x, y)) in inputs.iter().zip(ys).enumerate() {
                crate::ensure!(
                    y.nrows() == x.nrows(),
                    "{} has {} steps but {} has {} targets",
                    name("X", i, k),
                    x.nrows(),
                    name("y", i, k),
                    y.nrows()
                );
                crate::ensure!(
                    y.ncols() == q,
                    "every target array must have {q} columns, {} has {}",
                    name("y", i, k),
                    y.ncols()
                );
                check_finite_shaped(y, y.shape(), &name("y", i, k))?;
            }
            let m: usize = inputs.iter().map(|x| x.nrows() - layout.washout).sum();
            check_alloc::<f64>(m as u128 * (p + q) as u128, "the reservoir states")?;
            let mut features = Array2::<f64>::zeros((m, p));
            let mut blocks: Vec<ArrayViewMut2<'_, f64>> = Vec::with_capacity(k);
            let mut rest = features.view_mut();
            for x in inputs {
                let (head, tail) = rest.split_at(Axis(0), x.nrows() - layout.washout);
                blocks.push(head);
                rest = tail;
            }
            let states = crate::parallel::install(|| {
                inputs
                    .par_iter()
                    .zip(blocks)
                    .map(|(x, mut block)| {
                        let mut state = vec![0.0; n];
                        res.run(*x, &mut state, control, |t, u, s| {
                            if t >= layout.washout {
                                let mut row = block.row_mut(t - layout.washout);
                                row.iter_mut().zip(s.iter().chain(u)).for_each(|(r, v)| *r = *v);
                            }
                        })?;
                        Ok(state)
                    })
                    .collect::<Result<Vec<_>>>()
            })??;
            let views: Vec<ArrayView2<'_, f64>> = ys.iter().map(|y| y.slice(s![layout.washout.., ..])).collect();
            let y = ndarray::concatenate(Axis(0), &views).map_err(|e| crate::invalid!("y: {e}"))?;
            (features, y, states.into_iter().last().unwrap_or_default())
        }
        (Targets::PerSequence(y), Some(pooling)) => {
            crate::ensure!(y.nrows() == k, "y must hold one target per sequence: {} for {k} sequences", y.nrows());
            check_finite_shaped(y, y.shape(), "y")?;
            let rows = pool_all(res, inputs, layout, pooling, None, control)?;
            check_alloc::<f64>(k as u128 * p as u128, "the pooled reservoir states")?;
            let features = Array2::from_shape_fn((k, p), |(i, j)| rows[i].0[j]);
            let last = rows.into_iter().last().map(|r| r.1).unwrap_or_default();
            (features, y.to_owned(), last)
        }
        _ => {
            return Err(crate::invalid!(
                "internal: per-step targets go with no pooling, per-sequence ones with pooling"
            ))
        }
    };
    let n_rows = features.nrows();
    let (readout, factor) = readout::fit_ridge(&mut features, y.view(), ridge, control)?;
    control.check()?;
    let beta = if classification {
        // scores = F·W_out + intercept = F_c·W_out + mean(Y), then their leave-one-out values
        let scores = features.dot(&readout.w_out) + &y.mean_axis(Axis(0)).unwrap_or_default();
        let loo = readout::leave_one_out(&scores, y.view(), &factor.leverages(features.view(), control)?);
        let labels: Vec<usize> = y
            .rows()
            .into_iter()
            .map(|r| r.iter().enumerate().fold((0, f64::NEG_INFINITY), |b, (j, &v)| if v > b.1 { (j, v) } else { b }).0)
            .collect();
        Some(readout::fit_temperature(loo.view(), &labels)?)
    } else {
        None
    };
    Ok(Fitted { readout, beta, final_state, n_rows })
}

/// Pooled features and final state of every sequence, in parallel.
fn pool_all(
    res: &Reservoir,
    inputs: &[ArrayView2<'_, f64>],
    layout: &Layout,
    pooling: Pooling,
    start: Option<&[f64]>,
    control: &Control,
) -> Result<Vec<(Vec<f64>, Vec<f64>)>> {
    crate::parallel::install(|| {
        inputs
            .par_iter()
            .map(|x| {
                let mut state = start.map_or_else(|| vec![0.0; res.n()], <[f64]>::to_vec);
                let f = pooled(res, *x, &mut state, layout, pooling, control)?;
                Ok((f, state))
            })
            .collect::<Result<Vec<_>>>()
    })?
}

/// Runs the fitted model on `inputs`, every sequence from `start` (the zero state when `None`;
/// a start is only accepted for a single sequence). Returns the outputs and the final state of
/// the last sequence. Per-step outputs cover every step, the washout included.
pub fn predict(
    res: &Reservoir,
    readout: &Readout,
    inputs: &[ArrayView2<'_, f64>],
    layout: &Layout,
    start: Option<&[f64]>,
    control: &Control,
) -> Result<(Outputs, Vec<f64>)> {
    let p = layout.n_features(res.n(), res.n_inputs());
    crate::ensure!(
        readout.n_features() == p,
        "Wout has {} rows but the reservoir gives {p} readout features",
        readout.n_features()
    );
    if let Some(s) = start {
        crate::ensure!(inputs.len() == 1, "a starting state applies to a single sequence, got {}", inputs.len());
        crate::ensure!(s.len() == res.n(), "the state must have {} entries, got {}", res.n(), s.len());
        crate::ensure!(s.iter().all(|v| v.is_finite()), "the state must be finite");
    }
    match layout.pooling {
        None => {
            let per_step = Layout { washout: 0, ..*layout };
            check_inputs(res, inputs, &per_step)?;
            let q = readout.n_outputs();
            let runs = crate::parallel::install(|| {
                inputs
                    .par_iter()
                    .map(|x| {
                        check_alloc::<f64>(x.nrows() as u128 * q as u128, "the predictions")?;
                        let mut out = Array2::<f64>::zeros((x.nrows(), q));
                        let mut state = start.map_or_else(|| vec![0.0; res.n()], <[f64]>::to_vec);
                        let mut buf = vec![0.0; q];
                        res.run(*x, &mut state, control, |t, u, s| {
                            let u: &[f64] = if layout.input_to_readout { u } else { &[] };
                            readout.apply(s, u, &mut buf);
                            out.row_mut(t).iter_mut().zip(&buf).for_each(|(o, v)| *o = *v);
                        })?;
                        Ok((out, state))
                    })
                    .collect::<Result<Vec<_>>>()
            })??;
            let (outs, states): (Vec<_>, Vec<_>) = runs.into_iter().unzip();
            Ok((Outputs::PerStep(outs), states.into_iter().last().unwrap_or_default()))
        }
        Some(pooling) => {
            check_inputs(res, inputs, layout)?;
            let rows = pool_all(res, inputs, layout, pooling, start, control)?;
            check_alloc::<f64>(rows.len() as u128 * readout.n_outputs() as u128, "the predictions")?;
            let mut out = Array2::<f64>::zeros((rows.len(), readout.n_outputs()));
            for (mut o, (f, _)) in out.rows_mut().into_iter().zip(&rows) {
                readout.apply(&f[..res.n()], &f[res.n()..], o.as_slice_mut().expect("a fresh row is contiguous"));
            }
            let last = rows.into_iter().last().map(|r| r.1).unwrap_or_default();
            Ok((Outputs::PerSequence(out), last))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{array, Array1};

    /// Mackey–Glass (τ = 17, β = 0.2, γ = 0.1, n = 10), Euler steps of 0.1 sampled every 1.
    fn mackey_glass(len: usize) -> Vec<f64> {
        let (tau, h, sub) = (17usize, 0.1, 10usize);
        let lag = tau * sub;
        let mut hist = vec![1.2; lag + 1];
        let mut out = Vec::with_capacity(len);
        let mut x: f64 = 1.2;
        for i in 0..(len + 100) * sub {
            let xt: f64 = hist[i % (lag + 1)];
            x += h * (0.2 * xt / (1.0 + xt.powi(10)) - 0.1 * x);
            hist[i % (lag + 1)] = x;
            if i % sub == sub - 1 && i / sub >= 100 {
                out.push(x);
            }
        }
        out
    }

    fn spec(n: usize) -> ReservoirSpec {
        ReservoirSpec { n_reservoir: n, leak_rate: 0.3, spectral_radius: 1.25, ..ReservoirSpec::default() }
    }

    #[test]
    fn one_step_ahead_mackey_glass() {
        let series = mackey_glass(2200);
        let x = Array2::from_shape_vec((2200, 1), series.clone()).unwrap();
        let res = Reservoir::generate(&spec(200), 1, 42, &Control::new()).unwrap();
        let layout = Layout { washout: 100, pooling: None, input_to_readout: false };
        let train_x = x.slice(s![..1499, ..]);
        let train_y = x.slice(s![1..1500, ..]);
        let fitted =
            fit(&res, &[train_x], &Targets::PerStep(vec![train_y]), &layout, 1e-7, false, &Control::new()).unwrap();
        assert_eq!(fitted.n_rows, 1399);
        let (out, _) = predict(
            &res,
            &fitted.readout,
            &[x.slice(s![1499..2199, ..])],
            &layout,
            Some(&fitted.final_state),
            &Control::new(),
        )
        .unwrap();
        let Outputs::PerStep(out) = out else { panic!("per-step outputs expected") };
        let truth = Array1::from(series[1500..2200].to_vec());
        let pred = out[0].column(0).to_owned();
        let nrmse = ((&pred - &truth).mapv(|e| e * e).mean().unwrap()).sqrt() / truth.std(0.0);
        assert!(nrmse < 0.02, "NRMSE {nrmse}");
    }

    #[test]
    fn sequences_give_the_same_results_alone_and_together() {
        let res = Reservoir::generate(&spec(30), 2, 7, &Control::new()).unwrap();
        let a = Array2::from_shape_fn((40, 2), |(t, j)| ((t + j) as f64 * 0.3).sin());
        let b = Array2::from_shape_fn((25, 2), |(t, j)| ((t * j) as f64 * 0.2).cos());
        let ya = a.column(0).to_owned().insert_axis(Axis(1));
        let yb = b.column(1).to_owned().insert_axis(Axis(1));
        let layout = Layout { washout: 5, pooling: None, input_to_readout: true };
        let c = Control::new();
        let fitted =
            fit(&res, &[a.view(), b.view()], &Targets::PerStep(vec![ya.view(), yb.view()]), &layout, 1e-3, false, &c)
                .unwrap();
        assert_eq!(fitted.n_rows, 35 + 20);
        assert_eq!(fitted.readout.n_features(), 32);
        let (both, _) = predict(&res, &fitted.readout, &[a.view(), b.view()], &layout, None, &c).unwrap();
        let (alone, last) = predict(&res, &fitted.readout, &[b.view()], &layout, None, &c).unwrap();
        let (Outputs::PerStep(both), Outputs::PerStep(alone)) = (both, alone) else { panic!() };
        assert_eq!(both[1], alone[0]);
        assert_eq!(last, fitted.final_state);
        // the same fit with 1 and 3 threads
        let again = crate::parallel::with_threads(Some(1), || {
            fit(&res, &[a.view(), b.view()], &Targets::PerStep(vec![ya.view(), yb.view()]), &layout, 1e-3, false, &c)
        })
        .unwrap()
        .unwrap();
        assert_eq!(again, fitted);
    }

    #[test]
    fn classifies_sequences_by_their_frequency() {
        let res =
            Reservoir::generate(&ReservoirSpec { n_reservoir: 50, ..ReservoirSpec::default() }, 1, 3, &Control::new())
                .unwrap();
        let make = |k: usize| -> Array2<f64> {
            let f = if k.is_multiple_of(2) { 0.15 } else { 0.45 };
            Array2::from_shape_fn((30 + k % 7, 1), |(t, _)| (f * t as f64 + k as f64).sin())
        };
        let seqs: Vec<Array2<f64>> = (0..40).map(make).collect();
        let views: Vec<_> = seqs.iter().map(|s| s.view()).collect();
        let y = Array2::from_shape_fn((40, 2), |(k, j)| if k % 2 == j { 1.0 } else { 0.0 });
        for pooling in [Pooling::Mean, Pooling::Last] {
            let layout = Layout { washout: 10, pooling: Some(pooling), input_to_readout: false };
            let c = Control::new();
            let fitted = fit(&res, &views, &Targets::PerSequence(y.view()), &layout, 1e-4, true, &c).unwrap();
            assert!(fitted.beta.unwrap() > readout::BETA_MIN);
            let test: Vec<Array2<f64>> = (100..140).map(make).collect();
            let tv: Vec<_> = test.iter().map(|s| s.view()).collect();
            let (Outputs::PerSequence(out), _) = predict(&res, &fitted.readout, &tv, &layout, None, &c).unwrap() else {
                panic!()
            };
            let correct = out.rows().into_iter().enumerate().filter(|(k, r)| (r[1] > r[0]) == (k % 2 == 1)).count();
            assert!(correct >= 38, "{pooling:?}: {correct}/40");
        }
    }

    fn per_step(y: &Array2<f64>) -> Targets<'_> {
        Targets::PerStep(vec![y.view()])
    }

    #[test]
    fn bad_inputs_are_errors() {
        let res = Reservoir::generate(&spec(10), 1, 1, &Control::new()).unwrap();
        let x = Array2::<f64>::zeros((10, 1));
        let y = Array2::<f64>::zeros((10, 1));
        let c = Control::new();
        let steps = Layout { washout: 0, pooling: None, input_to_readout: false };
        let try_fit = |l: &Layout, x: &Array2<f64>, y: &Targets<'_>| fit(&res, &[x.view()], y, l, 1e-6, false, &c);
        assert!(try_fit(&steps, &x, &per_step(&y)).is_ok());
        let e = try_fit(&Layout { washout: 10, ..steps }, &x, &per_step(&y)).unwrap_err();
        assert!(e.to_string().contains("washout (10) must be smaller than the length of X (10 steps)"), "{e}");
        let short = Array2::<f64>::zeros((9, 1));
        assert!(try_fit(&steps, &x, &per_step(&short)).unwrap_err().to_string().contains("9 targets"));
        let mut nan = x.clone();
        nan[[3, 0]] = f64::NAN;
        assert!(try_fit(&steps, &nan, &per_step(&y)).unwrap_err().to_string().contains("X[3,0] is NaN"));
        let wide = Array2::<f64>::zeros((10, 2));
        assert!(try_fit(&steps, &wide, &per_step(&y)).unwrap_err().to_string().contains("2 features"));
        assert!(fit(&res, &[x.view()], &per_step(&y), &steps, -1.0, false, &c).is_err());
        let pooled = Layout { pooling: Some(Pooling::Mean), ..steps };
        assert!(try_fit(&pooled, &x, &per_step(&y)).is_err());
        let two = array![[1.0], [2.0]];
        assert!(try_fit(&pooled, &x, &Targets::PerSequence(two.view())).is_err());
        let fitted = try_fit(&steps, &x, &per_step(&y)).unwrap();
        assert!(predict(&res, &fitted.readout, &[x.view(), x.view()], &steps, Some(&[0.0; 10]), &c).is_err());
        assert!(predict(&res, &fitted.readout, &[x.view()], &steps, Some(&[0.0; 3]), &c).is_err());
        let with_input = Layout { input_to_readout: true, ..steps };
        assert!(predict(&res, &fitted.readout, &[x.view()], &with_input, None, &c).is_err());
        c.cancel();
        assert_eq!(try_fit(&steps, &x, &per_step(&y)), Err(crate::error::Error::Interrupted));
    }
}
