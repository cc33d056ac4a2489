//! IQAD: anomaly detection with a p-bit restricted Boltzmann machine.
//!
//! Features are standardised and (by default) whitened ([`preprocess`]), a Gaussian–Bernoulli RBM
//! with p-bit hidden units is trained on them by contrastive divergence ([`rbm`], [`train`]), and
//! the anomaly score of a row is its free energy F(v): p(v) ∝ exp(−F(v)), so rare rows have a high
//! free energy. The decision threshold is the `contamination` quantile of the training rows'
//! scores (scikit-learn's `offset_`), and streaming [`Iqad::update`] keeps learning and moves the
//! threshold with a window of recent rows.

pub mod preprocess;
pub mod rbm;
pub mod train;

use crate::control::Control;
use crate::ensure;
use crate::error::{check_alloc, try_vec, try_with_capacity, Error, Result};
use ndarray::ArrayView2;
use preprocess::Preprocessor;
use rayon::prelude::*;
use rbm::Rbm;
use train::{StepParams, StreamKind, Velocity};

/// Rows per work unit when scoring (rows are independent: any split gives the same numbers).
const SCORE_ROWS: usize = 128;
/// Epochs run with momentum min(0.5, momentum) before switching to `momentum` (Hinton §9).
const WARMUP_EPOCHS: usize = 5;
const WARMUP_MOMENTUM: f64 = 0.5;
/// Rows in the threshold window when `window` is not given (or fewer, when training had fewer):
/// a 10 % quantile of 2048 scores is within ~0.7 % in rank, and rescoring them after every
/// update costs about a millisecond at 30 features.
pub const DEFAULT_WINDOW: usize = 2048;
/// Training has diverged once a parameter exceeds this in magnitude: on whitened features a
/// working RBM's weights and biases are of order 1–10, and beyond this free energies are
/// ~1e12 and their differences rounding noise (Hinton's guide: divergence is a too-large
/// learning rate).
pub const DIVERGED: f64 = 1e6;

/// Hyper-parameters (names as in the Python class).
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub n_hidden: usize,
    pub learning_rate: f64,
    pub n_epochs: usize,
    pub batch_size: usize,
    /// k of CD-k (Gibbs steps per negative sample).
    pub cd_steps: usize,
    /// Persistent CD (Tieleman 2008): negative chains carried over from step to step.
    pub persistent: bool,
    pub momentum: f64,
    /// L2 weight decay on the weights.
    pub l2: f64,
    /// Standard deviation σ of the Gaussian visible units, in (whitened) feature units.
    pub visible_sigma: f64,
    pub whiten: bool,
    /// Expected fraction of outliers, in (0, 0.5].
    pub contamination: f64,
    /// Rows the threshold is computed from after `update` (the most recent ones); `None`: the
    /// training set's size, at most [`DEFAULT_WINDOW`].
    pub window: Option<usize>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            n_hidden: 16,
            learning_rate: 0.01,
            n_epochs: 50,
            batch_size: 32,
            cd_steps: 1,
            persistent: false,
            momentum: 0.9,
            l2: 1e-4,
            visible_sigma: 0.5,
            whiten: true,
            contamination: 0.1,
            window: None,
        }
    }
}

impl Config {
    pub fn validate(&self) -> Result<()> {
        ensure!(self.n_hidden >= 1, "n_hidden must be at least 1, got {}", self.n_hidden);
        ensure!(
            self.learning_rate.is_finite() && self.learning_rate > 0.0,
            "learning_rate must be positive and finite, got {}",
            self.learning_rate
        );
        ensure!(self.batch_size >= 1, "batch_size must be at least 1, got {}", self.batch_size);
        ensure!(
            self.batch_size <= train::CHUNK * train::MAX_CHUNKS,
            "batch_size must be at most {}, got {}",
            train::CHUNK * train::MAX_CHUNKS,
            self.batch_size
        );
        ensure!(self.cd_steps >= 1, "cd_steps must be at least 1, got {}", self.cd_steps);
        // reconstruction_error_ keeps one f64 per epoch: beyond this no address space holds it
        let max_epochs = isize::MAX as usize / size_of::<f64>();
        ensure!(self.n_epochs <= max_epochs, "n_epochs must be at most {max_epochs}, got {}", self.n_epochs);
        ensure!((0.0..1.0).contains(&self.momentum), "momentum must be in [0, 1), got {}", self.momentum);
        ensure!(self.l2.is_finite() && self.l2 >= 0.0, "l2 must be non-negative and finite, got {}", self.l2);
        ensure!(
            self.visible_sigma.is_finite() && self.visible_sigma > 0.0,
            "visible_sigma must be positive and finite, got {}",
            self.visible_sigma
        );
        ensure!(
            self.contamination > 0.0 && self.contamination <= 0.5,
            "contamination must be in (0, 0.5], got {}",
            self.contamination
        );
        ensure!(self.window != Some(0), "window must be at least 1 (or None), got 0");
        Ok(())
    }

    fn step_params(&self, momentum: f64) -> StepParams {
        StepParams { learning_rate: self.learning_rate, momentum, l2: self.l2, cd_steps: self.cd_steps }
    }
}

/// The most recent visible rows (a ring buffer), for the threshold after `update`.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    pub capacity: usize,
    /// Row-major rows, at most `capacity` of them.
    pub rows: Vec<f64>,
    /// Where the next row goes once the window is full.
    pub next: usize,
}

impl Window {
    fn push(&mut self, rows: &[f64], d: usize) {
        for row in rows.chunks_exact(d) {
            if self.rows.len() < self.capacity * d {
                self.rows.extend_from_slice(row);
            } else {
                self.rows[self.next * d..(self.next + 1) * d].copy_from_slice(row);
                self.next = (self.next + 1) % self.capacity;
            }
        }
    }
}

/// A fitted detector.
#[derive(Debug, Clone, PartialEq)]
pub struct Iqad {
    pub config: Config,
    pub prep: Preprocessor,
    pub rbm: Rbm,
    pub velocity: Velocity,
    /// Persistent chains (row-major, visible layer), with `config.persistent`.
    pub chains: Option<Vec<f64>>,
    pub window: Window,
    /// The resolved seed: every draw comes from a stream of it.
    pub seed: u64,
    /// Gradient steps taken so far (fit and updates); numbers the next step's streams.
    pub steps: u64,
    /// Epochs run by `fit`.
    pub epochs: usize,
    /// scikit-learn's `offset_`: rows with −F(v) below it are outliers.
    pub offset: f64,
    /// Mean squared one-step reconstruction error per epoch.
    pub reconstruction_error: Vec<f64>,
}

/// numpy's `percentile(values, 100 * fraction)` (method "linear"), to the last bit.
pub fn percentile(values: &mut [f64], fraction: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    let q = (100.0 * fraction) / 100.0;
    let virtual_index = (n - 1) as f64 * q;
    if virtual_index >= (n - 1) as f64 {
        return values[n - 1];
    }
    let lo = virtual_index.floor();
    let gamma = virtual_index - lo;
    let (a, b) = (values[lo as usize], values[lo as usize + 1]);
    let diff = b - a;
    if gamma >= 0.5 {
        b - diff * (1.0 - gamma)
    } else {
        a + diff * gamma
    }
}

impl Iqad {
    /// Learns the preprocessing and the RBM from the rows of `x` (n ≥ 2, finite), then the
    /// threshold. Checks `control` between minibatches and reports one unit per minibatch.
    pub fn fit(x: ArrayView2<'_, f64>, config: Config, seed: u64, control: &Control) -> Result<Self> {
        config.validate()?;
        let (n, d) = x.dim();
        ensure!(n >= 1 && d >= 1, "X must not be empty, got shape ({n}, {d})");
        ensure!(n >= 2, "X needs at least 2 samples to learn a distribution, got 1");
        let m = config.n_hidden;
        check_alloc::<f64>(3 * d as u128 * m as u128, &format!("an RBM with {d} visible and {m} hidden units"))?;
        // the preprocessed copy of X: refused before seconds of passes over a huge X
        check_alloc::<f64>(n as u128 * d as u128, &format!("preprocessing {n}×{d} values"))?;
        let prep = Preprocessor::fit(x, config.whiten, control)?;
        let data = prep.transform_until(x, control)?;
        let mut mean = vec![0.0; d];
        for row in data.chunks_exact(d) {
            mean.iter_mut().zip(row).for_each(|(m, v)| *m += v / n as f64);
        }
        let mut init = train::stream(seed, StreamKind::Init, 0);
        let mut rbm = Rbm::init(m, config.visible_sigma, mean, &mut init);
        let mut velocity = Velocity::zeros(&rbm);
        let mut chains = config.persistent.then(|| {
            let count = config.batch_size.min(n);
            let mut rows = Vec::with_capacity(count * d);
            for _ in 0..count {
                let r = init.below(n as u64) as usize;
                rows.extend_from_slice(&data[r * d..(r + 1) * d]);
            }
            rows
        });
        let batches = n.div_ceil(config.batch_size);
        control.add_total((config.n_epochs as u64).saturating_mul(batches as u64));
        let mut order: Vec<usize> = (0..n).collect();
        let mut batch = try_with_capacity(config.batch_size.min(n) * d, "a minibatch")?;
        // one value per epoch, kept as reconstruction_error_: refuse an impossible n_epochs now
        let mut reconstruction_error = try_with_capacity(
            config.n_epochs,
            &format!("the per-epoch reconstruction errors of {} epochs", config.n_epochs),
        )?;
        let mut steps = 0u64;
        for epoch in 0..config.n_epochs {
            let momentum = if epoch < WARMUP_EPOCHS { config.momentum.min(WARMUP_MOMENTUM) } else { config.momentum };
            let params = config.step_params(momentum);
            let mut shuffle = train::stream(seed, StreamKind::Shuffle, epoch as u64);
            for i in (1..n).rev() {
                order.swap(i, shuffle.below(i as u64 + 1) as usize);
            }
            let mut sq_error = 0.0;
            for idx in order.chunks(config.batch_size) {
                control.check()?;
                batch.clear();
                idx.iter().for_each(|&r| batch.extend_from_slice(&data[r * d..(r + 1) * d]));
                sq_error +=
                    train::step(&mut rbm, &mut velocity, chains.as_deref_mut(), &batch, &params, seed, steps, control)?;
                steps += 1;
                control.advance(1);
            }
            ensure_not_diverged(&rbm)?;
            reconstruction_error.push(sq_error / n as f64);
        }
        let capacity = config.window.unwrap_or(n.min(DEFAULT_WINDOW));
        let keep = capacity.min(n);
        let window = Window { capacity, rows: data[(n - keep) * d..].to_vec(), next: 0 };
        let mut model = Self {
            config,
            prep,
            rbm,
            velocity,
            chains,
            window,
            seed,
            steps,
            epochs: reconstruction_error.len(),
            offset: 0.0,
            reconstruction_error,
        };
        model.offset = model.offset_over(&data, control)?;
        Ok(model)
    }

    pub fn n_features(&self) -> usize {
        self.prep.n_features()
    }

    /// F(v) of already transformed rows; `Err(InvalidInput)` naming the first row whose free
    /// energy overflows (finite input far outside the fitted scale), never an inf or NaN score.
    fn free_energy_rows(&self, rows: &[f64], control: &Control) -> Result<Vec<f64>> {
        let d = self.n_features();
        let mut out = try_vec(rows.len() / d, 0.0, "the scores")?;
        out.par_chunks_mut(SCORE_ROWS).zip(rows.par_chunks(SCORE_ROWS * d)).try_for_each(|(o, rows)| {
            control.check()?;
            let mut scratch = vec![0.0; self.rbm.n_hidden];
            for (o, v) in o.iter_mut().zip(rows.chunks_exact(d)) {
                *o = self.rbm.free_energy(v, &mut scratch);
            }
            Ok::<(), Error>(())
        })?;
        match out.iter().position(|f| !f.is_finite()) {
            Some(i) => Err(crate::invalid!(
                "the free energy of row {i} of X overflows ({}): its values are too large for the \
                 fitted model's scale",
                out[i]
            )),
            None => Ok(out),
        }
    }

    fn offset_over(&self, rows: &[f64], control: &Control) -> Result<f64> {
        let mut scores: Vec<f64> = self.free_energy_rows(rows, control)?.into_iter().map(|f| -f).collect();
        Ok(percentile(&mut scores, self.config.contamination))
    }

    /// The free energy F(v) of each row of `x` (higher: more anomalous).
    pub fn free_energy(&self, x: ArrayView2<'_, f64>) -> Result<Vec<f64>> {
        self.free_energy_until(x, &Control::new())
    }

    /// [`Iqad::free_energy`], checking `control` between blocks of rows.
    pub fn free_energy_until(&self, x: ArrayView2<'_, f64>, control: &Control) -> Result<Vec<f64>> {
        let rows = self.prep.transform_until(x, control)?;
        self.free_energy_rows(&rows, control)
    }

    /// Online learning: CD steps on the rows of `x` (in their order, `batch_size` rows a step,
    /// the fitted hyper-parameters and the final momentum), then the rows join the window and the
    /// threshold is recomputed over the window. On error the model is left as it was.
    pub fn update(&mut self, x: ArrayView2<'_, f64>, control: &Control) -> Result<()> {
        let d = self.n_features();
        let rows = self.prep.transform_until(x, control)?;
        let mut rbm = self.rbm.clone();
        let mut velocity = self.velocity.clone();
        let mut chains = self.chains.clone();
        let params = self.config.step_params(self.config.momentum);
        let mut steps = self.steps;
        for batch in rows.chunks(self.config.batch_size * d) {
            control.check()?;
            train::step(&mut rbm, &mut velocity, chains.as_deref_mut(), batch, &params, self.seed, steps, control)?;
            steps += 1;
        }
        ensure_not_diverged(&rbm)?;
        let mut window = self.window.clone();
        window.push(&rows, d);
        let updated = Self { rbm, velocity, chains, steps, window, ..self.clone() };
        let offset = updated.offset_over(&updated.window.rows, control)?;
        *self = Self { offset, ..updated };
        Ok(())
    }

    /// Checks parts that came from outside (unpickling) against each other.
    pub fn check(&self) -> Result<()> {
        self.config.validate()?;
        let (d, m) = (self.n_features(), self.config.n_hidden);
        let r = &self.rbm;
        ensure!(r.n_visible == d && r.n_hidden == m, "the RBM's shape does not match the model");
        ensure!(
            r.weights.len() == d * m && r.visible_bias.len() == d && r.hidden_bias.len() == m,
            "weights_ must be {d}×{m}, visible_bias_ {d} and hidden_bias_ {m} long"
        );
        ensure!(r.sigma == self.config.visible_sigma, "the RBM's σ does not match visible_sigma");
        let v = &self.velocity;
        ensure!(
            v.weights.len() == d * m && v.visible_bias.len() == d && v.hidden_bias.len() == m,
            "the momentum buffers do not match the RBM's shape"
        );
        ensure!(r.is_finite(), "the model's parameters must be finite");
        match &self.chains {
            Some(c) => ensure!(
                self.config.persistent && !c.is_empty() && c.len() % d == 0,
                "the persistent chains do not match the model"
            ),
            None => ensure!(!self.config.persistent, "a persistent model needs its chains"),
        }
        let w = &self.window;
        ensure!(
            w.capacity >= 1
                && w.rows.len().is_multiple_of(d)
                && !w.rows.is_empty()
                && w.rows.len() <= w.capacity * d
                && w.next < w.capacity,
            "the threshold window does not match the model"
        );
        crate::error::check_finite_matrix(&w.rows, d, "the threshold window")?;
        ensure!(self.offset.is_finite(), "offset_ must be finite");
        Ok(())
    }
}

/// `Err(InvalidInput)` once a parameter is not finite or beyond [`DIVERGED`].
fn ensure_not_diverged(rbm: &Rbm) -> Result<()> {
    let largest =
        rbm.weights.iter().chain(&rbm.visible_bias).chain(&rbm.hidden_bias).fold(0.0f64, |a, v| a.max(v.abs()));
    if rbm.is_finite() && largest <= DIVERGED {
        return Ok(());
    }
    let what = if largest.is_finite() { format!("reached {largest:.3e}") } else { "are no longer finite".into() };
    Err(Error::InvalidInput(format!(
        "training diverged (the RBM's parameters {what}): lower learning_rate or momentum"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Stream;
    use ndarray::Array2;

    /// Correlated Gaussian inliers (d = 4), then a few rows off the correlation.
    fn data(n: usize, seed: u64) -> Array2<f64> {
        let mut s = Stream::new(seed, 0);
        Array2::from_shape_fn((n, 4), |_| rbm::gaussian_pair(&mut s).0).dot(&ndarray::array![
            [1.0, 0.9, 0.8, 0.0],
            [0.0, 0.4, 0.3, 0.0],
            [0.0, 0.0, 0.3, 0.2],
            [0.0, 0.0, 0.0, 1.0]
        ])
    }

    fn small() -> Config {
        Config { n_epochs: 10, ..Config::default() }
    }

    #[test]
    fn outliers_get_higher_free_energy_and_the_threshold_flags_contamination() {
        let x = data(300, 1);
        let model = Iqad::fit(x.view(), small(), 4, &Control::new()).unwrap();
        let f = model.free_energy(x.view()).unwrap();
        let flagged = f.iter().filter(|&&e| -e < model.offset).count();
        assert_eq!(flagged, 30, "10% of the training rows are below the offset");
        // a row that breaks the correlation between features 0 and 1
        let odd = ndarray::array![[2.0, -2.0, 0.0, 0.0], [0.1, 0.1, 0.1, 0.1]];
        let fo = model.free_energy(odd.view()).unwrap();
        assert!(fo[0] > fo[1] + 10.0, "{fo:?}");
        assert!(-fo[0] < model.offset && -fo[1] > model.offset);
        assert_eq!(model.epochs, 10);
        assert_eq!(model.reconstruction_error.len(), 10);
        model.check().unwrap();
    }

    #[test]
    fn results_do_not_depend_on_the_thread_count() {
        let x = data(200, 2);
        let cfg = Config { persistent: true, cd_steps: 2, n_epochs: 3, n_hidden: 40, ..Config::default() };
        let fits: Vec<(Iqad, Vec<f64>)> = [1, 4]
            .into_iter()
            .map(|t| {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(t).build().unwrap();
                pool.install(|| {
                    let mut m = Iqad::fit(x.view(), cfg.clone(), 11, &Control::new()).unwrap();
                    m.update(x.slice(ndarray::s![..50, ..]), &Control::new()).unwrap();
                    let f = m.free_energy(x.view()).unwrap();
                    (m, f)
                })
            })
            .collect();
        assert_eq!(fits[0], fits[1]);
        let other = Iqad::fit(x.view(), cfg, 12, &Control::new()).unwrap();
        assert_ne!(other.rbm, fits[0].0.rbm);
    }

    #[test]
    fn update_learns_and_tracks_the_threshold() {
        let x = data(200, 3);
        let cfg = Config { window: Some(100), ..small() };
        let mut model = Iqad::fit(x.view(), cfg, 5, &Control::new()).unwrap();
        assert_eq!(model.window.rows.len(), 100 * 4);
        let before = model.clone();
        // the stream drifts: shifted rows
        let shifted = x.mapv(|v| v + 3.0);
        model.update(shifted.view(), &Control::new()).unwrap();
        assert_ne!(model.rbm, before.rbm);
        assert_eq!(model.steps, before.steps + 200u64.div_ceil(32));
        assert_eq!(model.window.rows.len(), 100 * 4);
        // the window now holds only shifted rows: the threshold is theirs
        let f = model.free_energy(shifted.slice(ndarray::s![100.., ..])).unwrap();
        let flagged = f.iter().filter(|&&e| -e < model.offset).count();
        assert_eq!(flagged, 10);
        // a failed update changes nothing
        let snapshot = model.clone();
        let bad = ndarray::array![[0.0, 0.0, f64::NAN, 0.0]];
        assert!(model.update(bad.view(), &Control::new()).is_err());
        let wide = Array2::<f64>::zeros((1, 5));
        assert!(model.update(wide.view(), &Control::new()).is_err());
        assert_eq!(model, snapshot);
    }

    #[test]
    fn bad_configurations_and_inputs() {
        let x = data(50, 4);
        let fit = |c: Config| Iqad::fit(x.view(), c, 0, &Control::new()).map(|_| ()).unwrap_err().to_string();
        assert!(fit(Config { n_hidden: 0, ..small() }).contains("n_hidden"));
        assert!(fit(Config { contamination: 0.0, ..small() }).contains("contamination"));
        assert!(fit(Config { contamination: 0.6, ..small() }).contains("contamination"));
        assert!(fit(Config { learning_rate: f64::NAN, ..small() }).contains("learning_rate"));
        assert!(fit(Config { momentum: 1.0, ..small() }).contains("momentum"));
        assert!(fit(Config { visible_sigma: 0.0, ..small() }).contains("visible_sigma"));
        assert!(fit(Config { window: Some(0), ..small() }).contains("window"));
        assert!(fit(Config { n_epochs: 1 << 62, ..small() }).contains("n_epochs must be at most"));
        let wild = Config { learning_rate: 1e10, momentum: 0.99, l2: 1.0, n_epochs: 50, ..small() };
        assert!(fit(wild).contains("diverged"));
        let one = x.slice(ndarray::s![..1, ..]);
        assert!(Iqad::fit(one, small(), 0, &Control::new()).is_err());
        let control = Control::new();
        control.cancel();
        assert_eq!(Iqad::fit(x.view(), small(), 0, &control).unwrap_err(), Error::Interrupted);
    }

    #[test]
    fn no_epochs_gives_the_whitened_gaussian() {
        let x = data(300, 6);
        let m = Iqad::fit(x.view(), Config { n_epochs: 0, ..Config::default() }, 1, &Control::new()).unwrap();
        let rows = m.prep.transform(x.view()).unwrap();
        let f = m.free_energy(x.view()).unwrap();
        // F ≈ |v|²/(2σ²) − m·log 2 with the tiny initial weights (softplus(x) ≈ log 2 + x/2)
        for (fv, v) in f.iter().zip(rows.chunks_exact(4)) {
            let norm2 = v.iter().map(|a| a * a).sum::<f64>();
            let want = norm2 / (2.0 * 0.25) - 16.0 * 2f64.ln();
            assert!((fv - want).abs() < 0.5 * (1.0 + norm2.sqrt()), "{fv} vs {want}");
        }
    }

    #[test]
    fn the_default_window_is_capped() {
        let x = data(3000, 7);
        let m = Iqad::fit(x.view(), Config { n_epochs: 0, ..Config::default() }, 1, &Control::new()).unwrap();
        assert_eq!((m.window.capacity, m.window.rows.len()), (DEFAULT_WINDOW, DEFAULT_WINDOW * 4));
        // the last training rows, in order
        assert_eq!(
            m.window.rows[..4],
            m.prep.transform(x.slice(ndarray::s![3000 - DEFAULT_WINDOW.., ..])).unwrap()[..4]
        );
    }

    #[test]
    fn percentile_matches_numpy() {
        // numpy.percentile([3, 1, 4, 1, 5, 9, 2, 6], 10) == 1.0; ..., 35) == 2.45
        let v = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0];
        assert_eq!(percentile(&mut v.clone(), 0.1), 1.0);
        assert!((percentile(&mut v.clone(), 0.35) - 2.45).abs() < 1e-12);
        assert_eq!(percentile(&mut v.clone(), 0.5), 3.5);
        assert_eq!(percentile(&mut [7.0], 0.3), 7.0);
    }
}
