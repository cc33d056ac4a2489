//! Multi-layer perceptrons as scikit-learn's `MLPClassifier` and `MLPRegressor` fit them: fully
//! connected layers `a ↦ f(a·W + b)`, Glorot-uniform initial weights, and the mean loss (squared
//! error / 2 with an identity output; log loss with a logistic output for two classes, a softmax
//! for more) plus alpha/(2·n_batch)·Σ‖W‖². Trained by Adam on shuffled mini-batches (with
//! scikit-learn's stopping rules: `n_iter_no_change` epochs without a `tol` improvement of the
//! training loss or, with early stopping, of the held-out score) or by L-BFGS on the full data.
//!
//! Every matrix product is one BLAS call (OpenBLAS runs single-threaded, `src/lapack.rs`), and
//! batches follow one after another, so a seed gives the same bits on any number of threads.
//! Prediction splits the rows into fixed blocks on the rayon pool; each row's output depends on
//! that row alone.

use super::data::{check_x, check_xy, classes};
use super::lbfgs::{self, Options};
use crate::control::Control;
use crate::error::Result;
use crate::rng::Stream;
use crate::special::expit as sigmoid;
use ndarray::linalg::general_mat_mul;
use ndarray::{s, Array1, Array2, ArrayView2, ArrayViewMut2, Axis};
use rayon::prelude::*;

/// The hidden layers' activation function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    Identity,
    Logistic,
    Tanh,
    Relu,
}

impl Activation {
    pub fn parse(name: &str) -> Result<Self> {
        Ok(match name {
            "identity" => Self::Identity,
            "logistic" => Self::Logistic,
            "tanh" => Self::Tanh,
            "relu" => Self::Relu,
            _ => {
                return Err(crate::invalid!(
                    "activation must be 'identity', 'logistic', 'tanh' or 'relu', got {name:?}"
                ))
            }
        })
    }

    fn apply(self, v: &mut [f64]) {
        match self {
            Self::Identity => {}
            Self::Logistic => v.iter_mut().for_each(|x| *x = sigmoid(*x)),
            Self::Tanh => v.iter_mut().for_each(|x| *x = x.tanh()),
            Self::Relu => v.iter_mut().for_each(|x| *x = x.max(0.0)),
        }
    }

    /// `delta` times the derivative, written in terms of the activation's value `a`.
    fn backprop(self, delta: &mut [f64], a: &[f64]) {
        match self {
            Self::Identity => {}
            Self::Logistic => delta.iter_mut().zip(a).for_each(|(d, a)| *d *= a * (1.0 - a)),
            Self::Tanh => delta.iter_mut().zip(a).for_each(|(d, a)| *d *= 1.0 - a * a),
            Self::Relu => delta.iter_mut().zip(a).for_each(|(d, a)| {
                if *a == 0.0 {
                    *d = 0.0
                }
            }),
        }
    }
}

/// The output layer's function, which fixes the loss: squared error for identity, log loss for
/// the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    Identity,
    Logistic,
    Softmax,
}

impl Output {
    pub fn parse(name: &str) -> Result<Self> {
        Ok(match name {
            "identity" => Self::Identity,
            "logistic" => Self::Logistic,
            "softmax" => Self::Softmax,
            _ => {
                return Err(crate::invalid!("out_activation must be 'identity', 'logistic' or 'softmax', got {name:?}"))
            }
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Identity => "identity",
            Self::Logistic => "logistic",
            Self::Softmax => "softmax",
        }
    }

    /// Applies the function to each row of `z` (rows × outputs).
    fn apply(self, z: &mut ArrayViewMut2<'_, f64>) {
        match self {
            Self::Identity => {}
            Self::Logistic => z.mapv_inplace(sigmoid),
            Self::Softmax => {
                for mut row in z.rows_mut() {
                    let top = row.iter().fold(f64::NEG_INFINITY, |m, v| m.max(*v));
                    row.mapv_inplace(|v| (v - top).exp());
                    let sum = row.sum();
                    row.mapv_inplace(|v| v / sum);
                }
            }
        }
    }

    /// The mean loss of outputs `p` against targets `y` (scikit-learn's: probabilities clipped
    /// to [eps, 1 − eps]; the squared error averaged over every output too).
    fn loss(self, p: ArrayView2<'_, f64>, y: ArrayView2<'_, f64>) -> f64 {
        let rows = p.nrows() as f64;
        let clip = |v: f64| v.clamp(f64::EPSILON, 1.0 - f64::EPSILON);
        let xlogy = |t: f64, q: f64| if t == 0.0 { 0.0 } else { t * q.ln() };
        let total: f64 = match self {
            Self::Identity => {
                let s: f64 = p.iter().zip(y).map(|(a, b)| (a - b) * (a - b)).sum();
                return s / (2.0 * p.len() as f64);
            }
            Self::Logistic => p.iter().zip(y).map(|(&q, &t)| xlogy(t, clip(q)) + xlogy(1.0 - t, 1.0 - clip(q))).sum(),
            Self::Softmax => p.iter().zip(y).map(|(&q, &t)| xlogy(t, clip(q))).sum(),
        };
        -total / rows
    }
}

/// How the weights are fitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Solver {
    Adam,
    Lbfgs,
}

impl Solver {
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "adam" => Ok(Self::Adam),
            "lbfgs" => Ok(Self::Lbfgs),
            _ => Err(crate::invalid!("solver must be 'adam' or 'lbfgs', got {name:?}")),
        }
    }
}

/// What is learnt: a real target, or class indices 0..k.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    Regression,
    Classes(usize),
}

/// Settings of a fit (scikit-learn's names; `batch_size: None` is "auto", min(200, n)).
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub hidden: Vec<usize>,
    pub activation: Activation,
    pub solver: Solver,
    pub alpha: f64,
    pub batch_size: Option<usize>,
    pub learning_rate_init: f64,
    pub max_iter: usize,
    pub shuffle: bool,
    pub tol: f64,
    pub n_iter_no_change: usize,
    pub early_stopping: bool,
    pub validation_fraction: f64,
    pub beta_1: f64,
    pub beta_2: f64,
    pub epsilon: f64,
    pub max_fun: usize,
    pub seed: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            hidden: vec![100],
            activation: Activation::Relu,
            solver: Solver::Adam,
            alpha: 1e-4,
            batch_size: None,
            learning_rate_init: 1e-3,
            max_iter: 200,
            shuffle: true,
            tol: 1e-4,
            n_iter_no_change: 10,
            early_stopping: false,
            validation_fraction: 0.1,
            beta_1: 0.9,
            beta_2: 0.999,
            epsilon: 1e-8,
            max_fun: 15000,
            seed: 0,
        }
    }
}

/// A fitted network: `coefs[i]` is (fan_in × fan_out), as scikit-learn's `coefs_`.
#[derive(Debug, Clone, PartialEq)]
pub struct Network {
    pub coefs: Vec<Array2<f64>>,
    pub intercepts: Vec<Array1<f64>>,
    pub activation: Activation,
    pub output: Output,
}

/// A fit: the network and scikit-learn's record of the run.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    pub network: Network,
    pub n_iter: usize,
    pub loss: f64,
    /// The training loss after each epoch (Adam).
    pub loss_curve: Vec<f64>,
    /// The lowest training loss (Adam without early stopping).
    pub best_loss: Option<f64>,
    /// The held-out score after each epoch (early stopping).
    pub validation_scores: Vec<f64>,
    pub best_validation_score: Option<f64>,
    /// Training samples seen (Adam).
    pub t: usize,
    /// False when `max_iter` (or `max_fun`) ran out before a stopping rule held.
    pub converged: bool,
}

/// Where each layer's weights and intercepts sit in the flat parameter vector (all weight
/// matrices row-major, then all intercepts: scikit-learn's packing for L-BFGS).
struct Layout {
    units: Vec<usize>,
    w: Vec<usize>,
    b: Vec<usize>,
    len: usize,
}

impl Layout {
    fn new(units: Vec<usize>) -> Result<Self> {
        let layers = units.len() - 1;
        let mut at: u128 = 0;
        let mut w = vec![];
        for i in 0..layers {
            w.push(at as usize);
            at += units[i] as u128 * units[i + 1] as u128;
            crate::error::check_alloc::<f64>(at, "the network's weights")?;
        }
        let mut b = vec![];
        for &u in &units[1..] {
            b.push(at as usize);
            at += u as u128;
        }
        crate::error::check_alloc::<f64>(at * 4, "the network's weights, gradient and Adam's moments")?;
        Ok(Self { units, w, b, len: at as usize })
    }

    fn layers(&self) -> usize {
        self.units.len() - 1
    }

    fn w<'a>(&self, p: &'a [f64], i: usize) -> ArrayView2<'a, f64> {
        let shape = (self.units[i], self.units[i + 1]);
        ArrayView2::from_shape(shape, &p[self.w[i]..self.w[i] + shape.0 * shape.1]).expect("layer shape")
    }

    fn w_mut<'a>(&self, p: &'a mut [f64], i: usize) -> ArrayViewMut2<'a, f64> {
        let shape = (self.units[i], self.units[i + 1]);
        ArrayViewMut2::from_shape(shape, &mut p[self.w[i]..self.w[i] + shape.0 * shape.1]).expect("layer shape")
    }

    fn b<'a>(&self, p: &'a [f64], i: usize) -> &'a [f64] {
        &p[self.b[i]..self.b[i] + self.units[i + 1]]
    }

    /// Glorot-uniform weights and intercepts, bound sqrt(6 / (fan_in + fan_out)) (factor 2 in
    /// place of 6 for logistic units), one random stream per layer.
    fn init(&self, activation: Activation, seed: u64) -> Vec<f64> {
        let mut p = vec![0.0; self.len];
        let factor = if activation == Activation::Logistic { 2.0 } else { 6.0 };
        for i in 0..self.layers() {
            let (fan_in, fan_out) = (self.units[i], self.units[i + 1]);
            let bound = (factor / (fan_in + fan_out) as f64).sqrt();
            let mut rng = Stream::new(seed, i as u64);
            let mut draw = || bound * (2.0 * rng.next_f64() - 1.0);
            p[self.w[i]..self.w[i] + fan_in * fan_out].iter_mut().for_each(|v| *v = draw());
            p[self.b[i]..self.b[i] + fan_out].iter_mut().for_each(|v| *v = draw());
        }
        p
    }

    fn network(&self, p: &[f64], activation: Activation, output: Output) -> Network {
        let layers = 0..self.layers();
        Network {
            coefs: layers.clone().map(|i| self.w(p, i).to_owned()).collect(),
            intercepts: layers.map(|i| Array1::from(self.b(p, i).to_vec())).collect(),
            activation,
            output,
        }
    }

    fn pack(&self, net: &Network) -> Result<Vec<f64>> {
        crate::ensure!(
            net.coefs.len() == self.layers() && net.intercepts.len() == self.layers(),
            "the initial network must have {} layers",
            self.layers()
        );
        let mut p = vec![0.0; self.len];
        for i in 0..self.layers() {
            let shape = (self.units[i], self.units[i + 1]);
            crate::ensure!(
                net.coefs[i].dim() == shape && net.intercepts[i].len() == shape.1,
                "initial layer {i} must be {shape:?} with {} intercepts",
                shape.1
            );
            self.w_mut(&mut p, i).assign(&net.coefs[i]);
            p[self.b[i]..self.b[i] + shape.1].iter_mut().zip(&net.intercepts[i]).for_each(|(a, b)| *a = *b);
        }
        Ok(p)
    }
}

/// Activations and deltas of each layer for up to `rows` rows.
struct Work {
    acts: Vec<Array2<f64>>,
    deltas: Vec<Array2<f64>>,
}

impl Work {
    fn new(layout: &Layout, rows: usize) -> Result<Self> {
        let mut work = Self::forward_only(layout, rows)?;
        work.deltas = work.acts.clone();
        Ok(work)
    }

    /// Activations alone, for prediction.
    fn forward_only(layout: &Layout, rows: usize) -> Result<Self> {
        let cells: u128 = layout.units[1..].iter().map(|&u| u as u128 * rows as u128).sum();
        crate::error::check_alloc::<f64>(2 * cells, "the network's activations")?;
        let acts: Vec<Array2<f64>> = layout.units[1..].iter().map(|&u| Array2::zeros((rows, u))).collect();
        Ok(Self { acts, deltas: vec![] })
    }
}

/// Forward pass of `x`'s rows: `work.acts[i][..rows]` holds layer i's output.
fn forward(layout: &Layout, p: &[f64], act: Activation, out: Output, x: ArrayView2<'_, f64>, work: &mut Work) {
    let rows = x.nrows();
    let last = layout.layers() - 1;
    for i in 0..=last {
        let (done, rest) = work.acts.split_at_mut(i);
        let mut z = rest[0].slice_mut(s![..rows, ..]);
        match i {
            0 => general_mat_mul(1.0, &x, &layout.w(p, 0), 0.0, &mut z),
            _ => general_mat_mul(1.0, &done[i - 1].slice(s![..rows, ..]), &layout.w(p, i), 0.0, &mut z),
        }
        let b = layout.b(p, i);
        for mut row in z.rows_mut() {
            let row = row.as_slice_mut().expect("rows of a standard-layout buffer");
            row.iter_mut().zip(b).for_each(|(v, bi)| *v += bi);
            if i < last {
                act.apply(row);
            }
        }
        if i == last {
            out.apply(&mut z);
        }
    }
}

/// The mean loss plus alpha/(2·rows)·Σ‖W‖² on `x`'s rows against targets `y`, and its gradient
/// in `grad` (scikit-learn's backpropagation).
#[allow(clippy::too_many_arguments)]
fn loss_grad(
    layout: &Layout,
    p: &[f64],
    grad: &mut [f64],
    act: Activation,
    out: Output,
    alpha: f64,
    x: ArrayView2<'_, f64>,
    y: ArrayView2<'_, f64>,
    work: &mut Work,
) -> f64 {
    let rows = x.nrows();
    let nf = rows as f64;
    forward(layout, p, act, out, x, work);
    let last = layout.layers() - 1;
    let prediction = work.acts[last].slice(s![..rows, ..]);
    let mut loss = out.loss(prediction, y);
    let w2: f64 = p[..layout.b[0]].iter().map(|v| v * v).sum();
    loss += 0.5 * alpha * w2 / nf;
    // the output delta is p − y for each output/loss pair used (canonical links)
    {
        let mut d = work.deltas[last].slice_mut(s![..rows, ..]);
        d.assign(&prediction);
        d -= &y;
    }
    for i in (0..=last).rev() {
        let delta = work.deltas[i].slice(s![..rows, ..]);
        let start = layout.w[i];
        let size = layout.units[i] * layout.units[i + 1];
        let mut gw = ArrayViewMut2::from_shape((layout.units[i], layout.units[i + 1]), &mut grad[start..start + size])
            .expect("layer shape");
        gw.assign(&layout.w(p, i));
        let input = if i == 0 { x } else { work.acts[i - 1].slice(s![..rows, ..]) };
        // (aᵀδ + alpha·W) / rows
        general_mat_mul(1.0 / nf, &input.t(), &delta, alpha / nf, &mut gw);
        let gb = delta.sum_axis(Axis(0));
        grad[layout.b[i]..layout.b[i] + layout.units[i + 1]].iter_mut().zip(&gb).for_each(|(g, v)| *g = v / nf);
        if i > 0 {
            let (lower, upper) = work.deltas.split_at_mut(i);
            let mut prev = lower[i - 1].slice_mut(s![..rows, ..]);
            general_mat_mul(1.0, &upper[0].slice(s![..rows, ..]), &layout.w(p, i).t(), 0.0, &mut prev);
            let a = work.acts[i - 1].slice(s![..rows, ..]);
            act.backprop(prev.as_slice_mut().expect("standard layout"), a.as_slice().expect("standard layout"));
        }
    }
    loss
}

/// Adam's moments and step count (Kingma & Ba), updating the flat parameters elementwise.
struct Adam {
    m: Vec<f64>,
    v: Vec<f64>,
    t: i32,
    lr: f64,
    beta_1: f64,
    beta_2: f64,
    epsilon: f64,
}

impl Adam {
    fn new(len: usize, s: &Settings) -> Self {
        let (lr, beta_1, beta_2, epsilon) = (s.learning_rate_init, s.beta_1, s.beta_2, s.epsilon);
        Self { m: vec![0.0; len], v: vec![0.0; len], t: 0, lr, beta_1, beta_2, epsilon }
    }

    fn step(&mut self, p: &mut [f64], g: &[f64]) {
        self.t = self.t.saturating_add(1);
        let (b1, b2, eps) = (self.beta_1, self.beta_2, self.epsilon);
        let lr = self.lr * (1.0 - b2.powi(self.t)).sqrt() / (1.0 - b1.powi(self.t));
        for (((p, g), m), v) in p.iter_mut().zip(g).zip(&mut self.m).zip(&mut self.v) {
            *m = b1 * *m + (1.0 - b1) * g;
            *v = b2 * *v + (1.0 - b2) * g * g;
            *p -= lr * *m / (v.sqrt() + eps);
        }
    }
}

/// The targets as the output layer sees them (rows × outputs): the real target, a 0/1 column
/// for two classes, one-hot rows for more.
fn targets(y: &[f64], task: Task) -> Result<Array2<f64>> {
    Ok(match task {
        Task::Regression => Array2::from_shape_vec((y.len(), 1), y.to_vec()).expect("one column"),
        Task::Classes(2) => Array2::from_shape_fn((y.len(), 1), |(i, _)| if y[i] == 1.0 { 1.0 } else { 0.0 }),
        Task::Classes(k) => {
            crate::error::check_alloc::<f64>(y.len() as u128 * k as u128, "the one-hot targets")?;
            let mut t = Array2::zeros((y.len(), k));
            y.iter().enumerate().for_each(|(i, &c)| t[[i, c as usize]] = 1.0);
            t
        }
    })
}

/// Rows `idx` of `a` into the first rows of `buf`.
fn gather(a: ArrayView2<'_, f64>, idx: &[usize], buf: &mut Array2<f64>) {
    for (r, &i) in idx.iter().enumerate() {
        buf.row_mut(r).assign(&a.row(i));
    }
}

fn fisher_yates(v: &mut [usize], rng: &mut Stream) {
    for i in (1..v.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        v.swap(i, j);
    }
}

/// A random split into (training, held-out) row indices, ceil(fraction·n) held out; stratified
/// by class (largest remainders) for a classifier.
fn split(
    n: usize,
    labels: Option<(&[f64], usize)>,
    fraction: f64,
    rng: &mut Stream,
) -> Result<(Vec<usize>, Vec<usize>)> {
    let n_val = (fraction * n as f64).ceil() as usize;
    crate::ensure!(
        n_val >= 2 && n_val < n,
        "The validation set is too small: early_stopping holds out {n_val} of {n} samples \
         (validation_fraction = {fraction}); increase validation_fraction or the size of the data set"
    );
    let mut order: Vec<usize> = (0..n).collect();
    fisher_yates(&mut order, rng);
    let Some((y, k)) = labels else {
        let val = order[..n_val].to_vec();
        return Ok((order[n_val..].to_vec(), val));
    };
    let mut counts = vec![0usize; k];
    y.iter().for_each(|&c| counts[c as usize] += 1);
    let exact: Vec<f64> = counts.iter().map(|&c| c as f64 * n_val as f64 / n as f64).collect();
    let mut take: Vec<usize> = exact.iter().map(|e| e.floor() as usize).collect();
    let mut by_remainder: Vec<usize> = (0..k).collect();
    by_remainder
        .sort_by(|&a, &b| (exact[b] - exact[b].floor()).total_cmp(&(exact[a] - exact[a].floor())).then(a.cmp(&b)));
    let short = n_val - take.iter().sum::<usize>();
    let room: Vec<usize> = by_remainder.into_iter().filter(|&c| take[c] < counts[c]).take(short).collect();
    room.iter().for_each(|&c| take[c] += 1);
    let (mut train, mut val) = (vec![], vec![]);
    for i in order {
        let c = y[i] as usize;
        if take[c] > 0 {
            take[c] -= 1;
            val.push(i);
        } else {
            train.push(i);
        }
    }
    Ok((train, val))
}

/// Accuracy (classes) or R² (regression) of outputs `p` against targets `y`.
fn score(p: ArrayView2<'_, f64>, y: ArrayView2<'_, f64>, out: Output) -> f64 {
    let n = p.nrows() as f64;
    match out {
        Output::Identity => {
            let mean = y.sum() / y.len() as f64;
            let resid: f64 = p.iter().zip(y).map(|(a, b)| (a - b) * (a - b)).sum();
            let total: f64 = y.iter().map(|b| (b - mean) * (b - mean)).sum();
            match total {
                0.0 if resid == 0.0 => 1.0,
                0.0 => 0.0,
                _ => 1.0 - resid / total,
            }
        }
        Output::Logistic => p.iter().zip(y).filter(|(q, t)| (**q > 0.5) == (**t == 1.0)).count() as f64 / n,
        Output::Softmax => {
            let hits = p.rows().into_iter().zip(y.rows()).filter(|(q, t)| t[argmax(q.iter())] == 1.0).count();
            hits as f64 / n
        }
    }
}

fn argmax<'a>(v: impl Iterator<Item = &'a f64>) -> usize {
    let mut best = (0, f64::NEG_INFINITY);
    for (i, &x) in v.enumerate() {
        if x > best.1 {
            best = (i, x);
        }
    }
    best.0
}

fn check_settings(s: &Settings) -> Result<()> {
    crate::ensure!(s.hidden.iter().all(|&h| h >= 1), "hidden_layer_sizes must be > 0, got {:?}", s.hidden);
    crate::ensure!(s.alpha.is_finite() && s.alpha >= 0.0, "alpha must be a finite number >= 0, got {}", s.alpha);
    crate::ensure!(s.max_iter >= 1, "max_iter must be at least 1, got {}", s.max_iter);
    crate::ensure!(s.tol.is_finite() && s.tol >= 0.0, "tol must be a finite number >= 0, got {}", s.tol);
    if s.solver == Solver::Lbfgs {
        crate::ensure!(s.max_fun >= 1, "max_fun must be at least 1, got {}", s.max_fun);
        return Ok(());
    }
    crate::ensure!(
        s.learning_rate_init.is_finite() && s.learning_rate_init > 0.0,
        "learning_rate_init must be a finite number > 0, got {}",
        s.learning_rate_init
    );
    crate::ensure!(s.n_iter_no_change >= 1, "n_iter_no_change must be at least 1, got {}", s.n_iter_no_change);
    for (name, v) in [("beta_1", s.beta_1), ("beta_2", s.beta_2)] {
        crate::ensure!((0.0..1.0).contains(&v), "{name} must be in [0, 1), got {v}");
    }
    crate::ensure!(s.epsilon.is_finite() && s.epsilon > 0.0, "epsilon must be a finite number > 0, got {}", s.epsilon);
    crate::ensure!(
        !s.early_stopping || (s.validation_fraction > 0.0 && s.validation_fraction < 1.0),
        "validation_fraction must be in (0, 1), got {}",
        s.validation_fraction
    );
    if let Some(b) = s.batch_size {
        crate::ensure!(b >= 1, "batch_size must be at least 1, got {b}");
    }
    Ok(())
}

/// Fits a network to `x` (n × d) and `y` (real targets, or class indices 0..k), from `init` if
/// given (a network of the same shape) or Glorot-uniform weights drawn from `s.seed`.
pub fn fit(
    x: ArrayView2<'_, f64>,
    y: ndarray::ArrayView1<'_, f64>,
    task: Task,
    s: &Settings,
    init: Option<&Network>,
    control: &Control,
) -> Result<Fit> {
    check_xy(x, y)?;
    check_settings(s)?;
    let (n, d) = x.dim();
    let labels_in = y;
    let y: Vec<f64> = y.to_vec();
    let (outputs, out) = match task {
        Task::Regression => (1, Output::Identity),
        Task::Classes(k) => {
            crate::ensure!(k >= 2, "a classifier needs at least 2 classes, got {k}");
            classes(labels_in, k)?;
            if k == 2 {
                (1, Output::Logistic)
            } else {
                (k, Output::Softmax)
            }
        }
    };
    let mut units = vec![d];
    units.extend(&s.hidden);
    units.push(outputs);
    let layout = Layout::new(units)?;
    let mut p = match init {
        Some(net) => layout.pack(net)?,
        None => layout.init(s.activation, s.seed),
    };
    let t = targets(&y, task)?;
    match s.solver {
        Solver::Lbfgs => {
            let mut work = Work::new(&layout, n)?;
            let opts =
                Options { max_iter: s.max_iter, max_fun: s.max_fun, gtol: s.tol, ftol: 1e7 * f64::EPSILON, memory: 10 };
            let mut objective = |theta: &[f64], g: &mut [f64]| -> Result<f64> {
                Ok(loss_grad(&layout, theta, g, s.activation, out, s.alpha, x, t.view(), &mut work))
            };
            let r = lbfgs::minimize(&mut objective, p, opts, control)?;
            Ok(Fit {
                network: layout.network(&r.x, s.activation, out),
                n_iter: r.iterations,
                loss: r.f,
                loss_curve: vec![],
                best_loss: None,
                validation_scores: vec![],
                best_validation_score: None,
                t: 0,
                converged: r.converged,
            })
        }
        Solver::Adam => {
            let labels = match task {
                Task::Classes(k) => Some((&y[..], k)),
                Task::Regression => None,
            };
            let (train, val) = match s.early_stopping {
                true => split(n, labels, s.validation_fraction, &mut Stream::new(s.seed, 1 << 32))?,
                false => ((0..n).collect(), vec![]),
            };
            let n_train = train.len();
            let batch = s.batch_size.map_or(n_train.min(200), |b| b.min(n_train));
            let mut work = Work::new(&layout, batch)?;
            let (mut xb, mut yb) = (Array2::zeros((batch, d)), Array2::zeros((batch, outputs)));
            let (x_val, y_val) = if val.is_empty() {
                (Array2::zeros((0, d)), Array2::zeros((0, outputs)))
            } else {
                let (mut xv, mut yv) = (Array2::zeros((val.len(), d)), Array2::zeros((val.len(), outputs)));
                gather(x, &val, &mut xv);
                gather(t.view(), &val, &mut yv);
                (xv, yv)
            };
            let mut val_work = if val.is_empty() { None } else { Some(Work::forward_only(&layout, val.len())?) };
            let mut order = train;
            let mut rng = Stream::new(s.seed, (1 << 32) + 1);
            let mut adam = Adam::new(layout.len, s);
            let mut grad = vec![0.0; layout.len];
            let (mut curve, mut scores) = (vec![], vec![]);
            let (mut best_loss, mut best_score, mut best_p) = (f64::INFINITY, f64::NEG_INFINITY, None);
            let (mut stale, mut seen, mut converged) = (0usize, 0usize, false);
            for _ in 0..s.max_iter {
                control.check()?;
                if s.shuffle {
                    fisher_yates(&mut order, &mut rng);
                }
                let mut total = 0.0;
                for idx in order.chunks(batch) {
                    let r = idx.len();
                    gather(x, idx, &mut xb);
                    gather(t.view(), idx, &mut yb);
                    let (xr, yr) = (xb.slice(s![..r, ..]), yb.slice(s![..r, ..]));
                    let l = loss_grad(&layout, &p, &mut grad, s.activation, out, s.alpha, xr, yr, &mut work);
                    adam.step(&mut p, &grad);
                    total += l * r as f64;
                }
                seen += n_train;
                let loss = total / n_train as f64;
                crate::ensure!(
                    loss.is_finite(),
                    "the training loss became {loss}: lower learning_rate_init or scale the features"
                );
                curve.push(loss);
                // scikit-learn's rule: count the epochs since the last improvement by more than tol
                if let Some(vw) = val_work.as_mut() {
                    forward(&layout, &p, s.activation, out, x_val.view(), vw);
                    let sc = score(vw.acts[layout.layers() - 1].view(), y_val.view(), out);
                    scores.push(sc);
                    stale = if sc < best_score + s.tol { stale + 1 } else { 0 };
                    if sc > best_score {
                        best_score = sc;
                        best_p = Some(p.clone());
                    }
                } else {
                    stale = if loss > best_loss - s.tol { stale + 1 } else { 0 };
                    best_loss = best_loss.min(loss);
                }
                if stale > s.n_iter_no_change {
                    converged = true;
                    break;
                }
            }
            if let Some(bp) = best_p {
                p = bp;
            }
            let early = s.early_stopping;
            Ok(Fit {
                network: layout.network(&p, s.activation, out),
                n_iter: curve.len(),
                loss: *curve.last().expect("at least one epoch"),
                best_loss: (!early).then_some(best_loss),
                best_validation_score: early.then_some(best_score),
                loss_curve: curve,
                validation_scores: scores,
                t: seen,
                converged,
            })
        }
    }
}

/// Rows per block of a prediction.
const BLOCK: usize = 512;

impl Network {
    /// Checks the layer shapes chain: (d × h₁), (h₁ × h₂), ..., with matching intercepts.
    pub fn check(&self) -> Result<()> {
        crate::ensure!(!self.coefs.is_empty(), "a network needs at least one layer");
        crate::ensure!(self.coefs.len() == self.intercepts.len(), "one intercept vector per layer is needed");
        for (i, (w, b)) in self.coefs.iter().zip(&self.intercepts).enumerate() {
            crate::ensure!(w.ncols() == b.len(), "layer {i} has {} units but {} intercepts", w.ncols(), b.len());
            if i > 0 {
                let prev = self.coefs[i - 1].ncols();
                crate::ensure!(
                    w.nrows() == prev,
                    "layer {i} takes {} inputs, the layer before gives {prev}",
                    w.nrows()
                );
            }
            crate::ensure!(w.iter().chain(b).all(|v| v.is_finite()), "layer {i}'s weights must be finite");
        }
        Ok(())
    }

    /// The output layer's values for `x`'s rows (rows × outputs): the prediction of a regressor,
    /// the probabilities of the positive class (one output) or of each class.
    pub fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        self.check()?;
        check_x(x, self.coefs[0].nrows())?;
        let mut units = vec![self.coefs[0].nrows()];
        units.extend(self.coefs.iter().map(|w| w.ncols()));
        let layout = Layout::new(units)?;
        let mut p = vec![0.0; layout.len];
        for (i, (w, b)) in self.coefs.iter().zip(&self.intercepts).enumerate() {
            layout.w_mut(&mut p, i).assign(w);
            p[layout.b[i]..layout.b[i] + b.len()].iter_mut().zip(b).for_each(|(a, v)| *a = *v);
        }
        let n = x.nrows();
        let outputs = *layout.units.last().expect("output units");
        crate::error::check_alloc::<f64>(n as u128 * outputs as u128, "the predictions")?;
        let rows = BLOCK.min(n.max(1));
        let blocks: Vec<Array2<f64>> = crate::parallel::install(|| {
            (0..n.div_ceil(BLOCK))
                .into_par_iter()
                .map(|c| -> Result<Array2<f64>> {
                    let mut work = Work::forward_only(&layout, rows)?;
                    let xb = x.slice(s![c * BLOCK..((c + 1) * BLOCK).min(n), ..]);
                    forward(&layout, &p, self.activation, self.output, xb, &mut work);
                    let last = work.acts.pop().expect("an output layer");
                    Ok(if last.nrows() == xb.nrows() { last } else { last.slice(s![..xb.nrows(), ..]).to_owned() })
                })
                .collect::<Result<Vec<_>>>()
        })??;
        let mut result = Array2::zeros((n, outputs));
        for (c, b) in blocks.iter().enumerate() {
            result.slice_mut(s![c * BLOCK..c * BLOCK + b.nrows(), ..]).assign(b);
        }
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array1;

    fn rings() -> (Array2<f64>, Array1<f64>) {
        // three classes on noisy concentric rings: not linearly separable
        let (mut rows, mut y) = (vec![], vec![]);
        for i in 0..300 {
            let t = i as f64 * 0.61803 * std::f64::consts::TAU;
            let class = i % 3;
            let r = 1.0 + class as f64 + 0.3 * (i as f64 * 1.7).sin();
            rows.push([r * t.cos(), r * t.sin()]);
            y.push(class as f64);
        }
        (Array2::from(rows), Array1::from(y))
    }

    /// The gradient against central differences of the loss.
    #[test]
    fn the_gradient_is_the_losss() {
        let (x, y) = rings();
        for (task, act) in [
            (Task::Classes(3), Activation::Tanh),
            (Task::Classes(2), Activation::Logistic),
            (Task::Regression, Activation::Relu),
            (Task::Regression, Activation::Identity),
        ] {
            let y = if task == Task::Classes(2) { y.mapv(|v| (v == 1.0) as u8 as f64) } else { y.clone() };
            let (outputs, out) = match task {
                Task::Classes(3) => (3, Output::Softmax),
                Task::Classes(_) => (1, Output::Logistic),
                Task::Regression => (1, Output::Identity),
            };
            let layout = Layout::new(vec![2, 5, 4, outputs]).unwrap();
            let p = layout.init(act, 7);
            let t = targets(y.as_slice().unwrap(), task).unwrap();
            let xs = x.slice(s![..40, ..]);
            let ts = t.slice(s![..40, ..]);
            let mut work = Work::new(&layout, 40).unwrap();
            let mut g = vec![0.0; layout.len];
            loss_grad(&layout, &p, &mut g, act, out, 0.3, xs, ts, &mut work);
            let mut scratch = vec![0.0; layout.len];
            for j in 0..layout.len {
                let h = 1e-6;
                let (mut a, mut b) = (p.clone(), p.clone());
                a[j] += h;
                b[j] -= h;
                let fa = loss_grad(&layout, &a, &mut scratch, act, out, 0.3, xs, ts, &mut work);
                let fb = loss_grad(&layout, &b, &mut scratch, act, out, 0.3, xs, ts, &mut work);
                let numeric = (fa - fb) / (2.0 * h);
                assert!(
                    (numeric - g[j]).abs() < 1e-6 * (1.0 + g[j].abs()),
                    "{task:?} {act:?} {j}: {numeric} vs {}",
                    g[j]
                );
            }
        }
    }

    #[test]
    fn both_solvers_learn_rings_and_a_seed_gives_the_same_bits_on_any_thread_count() {
        let (x, y) = rings();
        let c = Control::new();
        let s = Settings { hidden: vec![16, 16], max_iter: 300, seed: 3, ..Settings::default() };
        let run = || fit(x.view(), y.view(), Task::Classes(3), &s, None, &c).unwrap();
        let one = crate::parallel::with_threads(Some(1), run).unwrap();
        let two = crate::parallel::with_threads(Some(2), run).unwrap();
        assert_eq!(one, two);
        let acc = |f: &Fit| {
            let p = f.network.predict(x.view()).unwrap();
            score(p.view(), targets(y.as_slice().unwrap(), Task::Classes(3)).unwrap().view(), Output::Softmax)
        };
        assert!(acc(&one) > 0.9, "{}", acc(&one));
        assert_eq!(one.loss_curve.len(), one.n_iter);
        let lb = Settings { solver: Solver::Lbfgs, max_iter: 500, ..s.clone() };
        let f = fit(x.view(), y.view(), Task::Classes(3), &lb, None, &c).unwrap();
        assert!(acc(&f) > 0.95, "{}", acc(&f));
        // early stopping keeps the best held-out epoch
        let es = Settings { early_stopping: true, ..s.clone() };
        let f = fit(x.view(), y.view(), Task::Classes(3), &es, None, &c).unwrap();
        let best = f.validation_scores.iter().fold(f64::NEG_INFINITY, |m, v| m.max(*v));
        assert_eq!(f.best_validation_score, Some(best));
        // a regression through the same code
        let r = fit(x.view(), y.view(), Task::Regression, &s, None, &c).unwrap();
        assert!(r.loss < 0.1, "{}", r.loss);
        // bad settings and input
        let bad = Settings { hidden: vec![0], ..s.clone() };
        assert!(fit(x.view(), y.view(), Task::Classes(3), &bad, None, &c).is_err());
        assert!(fit(x.view(), y.view(), Task::Classes(2), &s, None, &c).is_err(), "class 2 is out of range");
        assert!(one.network.predict(Array2::zeros((3, 5)).view()).is_err());
        c.cancel();
        assert!(fit(x.view(), y.view(), Task::Classes(3), &s, None, &c).is_err());
    }

    #[test]
    fn the_split_is_stratified() {
        let y: Vec<f64> = (0..100).map(|i| if i < 80 { 0.0 } else { 1.0 }).collect();
        let (train, val) = split(100, Some((&y, 2)), 0.1, &mut Stream::new(1, 2)).unwrap();
        assert_eq!((train.len(), val.len()), (90, 10));
        assert_eq!(val.iter().filter(|&&i| y[i] == 1.0).count(), 2);
    }
}
