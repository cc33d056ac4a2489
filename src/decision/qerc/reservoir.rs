//! The echo-state reservoir: n leaky tanh units with sparse random recurrent weights W scaled to
//! a chosen spectral radius, input weights W_in and a bias b. One step is
//!
//!   x[t] = (1 − a)·x[t−1] + a·tanh(W·x[t−1] + W_in·u[t] + b)
//!
//! (reservoirpy's `Reservoir` update), with leak rate a ∈ (0, 1].
//!
//! Generation: every row of W holds exactly k = round(connectivity·n) (at least 1) nonzeros at
//! distinct random columns, standard normal values, then W is rescaled so that its spectral
//! radius (largest |eigenvalue|) is `spectral_radius`. W_in is uniform in
//! [−input_scaling, input_scaling], each entry kept with probability `input_connectivity`, and b
//! is uniform in [−bias_scaling, bias_scaling]. Row i of W draws from random stream i of the
//! seed and row i of (W_in, b) from its own stream, so the reservoir depends on the seed alone,
//! never on the thread count, and W does not depend on the number of inputs.

use super::spectral;
use crate::control::Control;
use crate::error::{check_alloc, check_finite, check_finite_matrix, not_finite, Result};
use crate::rng::Stream;
use ndarray::ArrayView2;
use rayon::prelude::*;
use std::collections::HashSet;

/// Stream ids of the (W_in, b) rows start here; W's rows use ids 0..n.
const INPUT_STREAMS: u64 = 1 << 40;
/// A step runs its rows in parallel when it has at least this many multiply-adds.
const PARALLEL_STEP_WORK: usize = 1 << 17;
/// Rows per parallel task in a step.
const STEP_ROWS: usize = 256;
/// The largest reservoir accepted (indices are stored as u32).
pub const MAX_UNITS: usize = 1 << 24;

/// Hyper-parameters of a reservoir (reservoirpy's names in brackets).
#[derive(Debug, Clone, PartialEq)]
pub struct ReservoirSpec {
    /// Number of units n (`units`).
    pub n_reservoir: usize,
    /// Target spectral radius of W (`sr`).
    pub spectral_radius: f64,
    /// Leak rate a ∈ (0, 1] (`lr`).
    pub leak_rate: f64,
    /// Half-width of W_in's uniform distribution (`input_scaling`).
    pub input_scaling: f64,
    /// Fraction of nonzeros per row of W, in (0, 1] (`rc_connectivity`).
    pub connectivity: f64,
    /// Fraction of nonzeros of W_in, in (0, 1] (`input_connectivity`).
    pub input_connectivity: f64,
    /// Half-width of the bias's uniform distribution; 0 for no bias.
    pub bias_scaling: f64,
}

impl Default for ReservoirSpec {
    fn default() -> Self {
        Self {
            n_reservoir: 100,
            spectral_radius: 0.9,
            leak_rate: 1.0,
            input_scaling: 1.0,
            connectivity: 0.1,
            input_connectivity: 1.0,
            bias_scaling: 1.0,
        }
    }
}

impl ReservoirSpec {
    pub fn validate(&self) -> Result<()> {
        crate::ensure!(
            (1..=MAX_UNITS).contains(&self.n_reservoir),
            "n_reservoir must be between 1 and {MAX_UNITS}, got {}",
            self.n_reservoir
        );
        crate::ensure!(
            self.spectral_radius.is_finite() && self.spectral_radius > 0.0,
            "spectral_radius must be a positive finite number, got {}",
            self.spectral_radius
        );
        check_leak_rate(self.leak_rate)?;
        crate::ensure!(
            self.input_scaling.is_finite() && self.input_scaling > 0.0,
            "input_scaling must be a positive finite number, got {}",
            self.input_scaling
        );
        crate::ensure!(
            self.connectivity > 0.0 && self.connectivity <= 1.0,
            "connectivity must be in (0, 1], got {}",
            self.connectivity
        );
        crate::ensure!(
            self.input_connectivity > 0.0 && self.input_connectivity <= 1.0,
            "input_connectivity must be in (0, 1], got {}",
            self.input_connectivity
        );
        crate::ensure!(
            self.bias_scaling.is_finite() && self.bias_scaling >= 0.0,
            "bias_scaling must be a non-negative finite number, got {}",
            self.bias_scaling
        );
        Ok(())
    }

    /// Nonzeros per row of W.
    pub fn row_degree(&self) -> usize {
        ((self.connectivity * self.n_reservoir as f64).round() as usize).clamp(1, self.n_reservoir)
    }
}

fn check_leak_rate(a: f64) -> Result<()> {
    crate::ensure!(a > 0.0 && a <= 1.0, "leak_rate must be in (0, 1], got {a}");
    Ok(())
}

/// A reservoir: W in compressed sparse rows, W_in row-major n×d, bias, leak rate.
#[derive(Debug, Clone, PartialEq)]
pub struct Reservoir {
    n: usize,
    d: usize,
    indptr: Vec<usize>,
    indices: Vec<u32>,
    values: Vec<f64>,
    w_in: Vec<f64>,
    bias: Vec<f64>,
    leak_rate: f64,
}

/// A standard normal draw (Box–Muller, cosine branch).
fn gaussian(s: &mut Stream) -> f64 {
    (-2.0 * s.next_f64().max(1e-300).ln()).sqrt() * (std::f64::consts::TAU * s.next_f64()).cos()
}

/// `k` distinct indices of 0..n, sorted (Floyd's algorithm: k draws whatever n).
fn distinct_sorted(s: &mut Stream, n: usize, k: usize) -> Vec<u32> {
    let mut chosen = HashSet::with_capacity(k);
    for j in n - k..n {
        let t = s.below(j as u64 + 1) as usize;
        if !chosen.insert(t) {
            chosen.insert(j);
        }
    }
    let mut cols: Vec<u32> = chosen.into_iter().map(|c| c as u32).collect();
    cols.sort_unstable();
    cols
}

impl Reservoir {
    /// A random reservoir for `n_inputs` input features, from `seed` alone.
    pub fn generate(spec: &ReservoirSpec, n_inputs: usize, seed: u64, control: &Control) -> Result<Self> {
        spec.validate()?;
        crate::ensure!(n_inputs >= 1, "the input must have at least one feature");
        let (n, k) = (spec.n_reservoir, spec.row_degree());
        check_alloc::<f64>(n as u128 * k as u128 * 2, "the reservoir matrix")?;
        check_alloc::<f64>(n as u128 * n_inputs as u128, "the input weights")?;
        let rows: Vec<(Vec<u32>, Vec<f64>)> = crate::parallel::install(|| {
            (0..n)
                .into_par_iter()
                .map(|i| {
                    let mut s = Stream::new(seed, i as u64);
                    let cols = distinct_sorted(&mut s, n, k);
                    let vals = cols.iter().map(|_| gaussian(&mut s)).collect();
                    (cols, vals)
                })
                .collect()
        })?;
        let inputs: Vec<(Vec<f64>, f64)> = crate::parallel::install(|| {
            (0..n)
                .into_par_iter()
                .map(|i| {
                    let mut s = Stream::new(seed, INPUT_STREAMS + i as u64);
                    let w = (0..n_inputs)
                        .map(|_| {
                            let keep = spec.input_connectivity >= 1.0 || s.next_f64() < spec.input_connectivity;
                            let v = (2.0 * s.next_f64() - 1.0) * spec.input_scaling;
                            if keep {
                                v
                            } else {
                                0.0
                            }
                        })
                        .collect();
                    (w, (2.0 * s.next_f64() - 1.0) * spec.bias_scaling)
                })
                .collect()
        })?;
        let mut indptr = Vec::with_capacity(n + 1);
        indptr.push(0);
        let (mut indices, mut values) = (Vec::with_capacity(n * k), Vec::with_capacity(n * k));
        for (cols, vals) in rows {
            indices.extend(cols);
            values.extend(vals);
            indptr.push(indices.len());
        }
        let (w_in, bias): (Vec<Vec<f64>>, Vec<f64>) = inputs.into_iter().unzip();
        let mut r =
            Self { n, d: n_inputs, indptr, indices, values, w_in: w_in.concat(), bias, leak_rate: spec.leak_rate };
        let rho = spectral::spectral_radius(&r, control)?;
        crate::ensure!(
            rho.is_finite() && rho > 1e-12,
            "the random reservoir matrix has spectral radius {rho} (it is nilpotent, too sparse to \
             scale): raise connectivity or n_reservoir, or try another seed"
        );
        let scale = spec.spectral_radius / rho;
        r.values.iter_mut().for_each(|v| *v *= scale);
        Ok(r)
    }

    /// A reservoir from its parts (as stored by a fitted model), checked.
    #[allow(clippy::too_many_arguments)]
    pub fn from_parts(
        n: usize,
        d: usize,
        indptr: Vec<usize>,
        indices: Vec<u32>,
        values: Vec<f64>,
        w_in: Vec<f64>,
        bias: Vec<f64>,
        leak_rate: f64,
    ) -> Result<Self> {
        crate::ensure!(
            (1..=MAX_UNITS).contains(&n),
            "the reservoir must have between 1 and {MAX_UNITS} units, got {n}"
        );
        crate::ensure!(d >= 1, "the reservoir must have at least one input");
        crate::ensure!(indptr.len() == n + 1, "W's indptr must have {} entries, got {}", n + 1, indptr.len());
        crate::ensure!(
            indptr[0] == 0 && indptr.windows(2).all(|w| w[0] <= w[1]) && indptr[n] == indices.len(),
            "W's indptr must rise from 0 to the number of nonzeros"
        );
        crate::ensure!(indices.len() == values.len(), "W's indices and values must have the same length");
        crate::ensure!(indices.iter().all(|&c| (c as usize) < n), "W's column indices must be below {n}");
        crate::ensure!(w_in.len() == n * d, "Win must be {n}×{d}, got {} entries", w_in.len());
        crate::ensure!(bias.len() == n, "bias must have {n} entries, got {}", bias.len());
        if let Some(k) = values.iter().position(|v| !v.is_finite()) {
            let row = indptr.partition_point(|&p| p <= k) - 1;
            return Err(not_finite("W", &format!("W[{row},{}]", indices[k]), values[k]));
        }
        check_finite_matrix(&w_in, d, "Win")?;
        check_finite(&bias, "bias")?;
        check_leak_rate(leak_rate)?;
        Ok(Self { n, d, indptr, indices, values, w_in, bias, leak_rate })
    }

    /// Number of units.
    pub fn n(&self) -> usize {
        self.n
    }

    /// Number of input features.
    pub fn n_inputs(&self) -> usize {
        self.d
    }

    pub fn indptr(&self) -> &[usize] {
        &self.indptr
    }

    pub fn indices(&self) -> &[u32] {
        &self.indices
    }

    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// W_in, row-major n×d.
    pub fn w_in(&self) -> &[f64] {
        &self.w_in
    }

    pub fn bias(&self) -> &[f64] {
        &self.bias
    }

    pub fn leak_rate(&self) -> f64 {
        self.leak_rate
    }

    /// Row i of W·x.
    #[inline]
    pub fn w_row_dot(&self, i: usize, x: &[f64]) -> f64 {
        let (lo, hi) = (self.indptr[i], self.indptr[i + 1]);
        self.indices[lo..hi].iter().zip(&self.values[lo..hi]).map(|(&c, v)| v * x[c as usize]).sum()
    }

    /// y = W·x.
    pub fn w_matvec(&self, x: &[f64], y: &mut [f64]) {
        for (i, yi) in y.iter_mut().enumerate() {
            *yi = self.w_row_dot(i, x);
        }
    }

    /// Units `first..first + out.len()` of the next state.
    #[inline]
    fn step_rows(&self, first: usize, u: &[f64], x: &[f64], out: &mut [f64]) {
        let a = self.leak_rate;
        for (r, o) in out.iter_mut().enumerate() {
            let i = first + r;
            let w_in = &self.w_in[i * self.d..(i + 1) * self.d];
            let drive: f64 = w_in.iter().zip(u).map(|(w, v)| w * v).sum();
            let pre = self.w_row_dot(i, x) + drive + self.bias[i];
            *o = (1.0 - a) * x[i] + a * pre.tanh();
        }
    }

    /// One step: `out` = the state after `x` given input `u`. Every unit gets the same
    /// arithmetic whether the rows run in parallel or not.
    pub fn step(&self, u: &[f64], x: &[f64], out: &mut [f64]) {
        if self.values.len() + self.w_in.len() >= PARALLEL_STEP_WORK && self.n > STEP_ROWS {
            out.par_chunks_mut(STEP_ROWS).enumerate().for_each(|(c, chunk)| self.step_rows(c * STEP_ROWS, u, x, chunk));
        } else {
            self.step_rows(0, u, x, out);
        }
    }

    /// Runs the reservoir over `inputs` (rows = time steps, d columns) from `state`, calling
    /// `visit(t, u[t], x[t])` after each step; `state` ends as the last state.
    pub fn run(
        &self,
        inputs: ArrayView2<'_, f64>,
        state: &mut Vec<f64>,
        control: &Control,
        mut visit: impl FnMut(usize, &[f64], &[f64]),
    ) -> Result<()> {
        crate::ensure!(
            inputs.ncols() == self.d,
            "X has {} features per step but the model was fitted with {}",
            inputs.ncols(),
            self.d
        );
        crate::ensure!(state.len() == self.n, "the state must have {} entries, got {}", self.n, state.len());
        let mut next = vec![0.0; self.n];
        let mut u = vec![0.0; self.d];
        for (t, row) in inputs.rows().into_iter().enumerate() {
            control.check()?;
            u.iter_mut().zip(row.iter()).for_each(|(a, &b)| *a = b);
            self.step(&u, state, &mut next);
            std::mem::swap(state, &mut next);
            visit(t, &u, state);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    fn spec(n: usize) -> ReservoirSpec {
        ReservoirSpec { n_reservoir: n, ..ReservoirSpec::default() }
    }

    #[test]
    fn generation_is_seeded_and_scaled() {
        let s = ReservoirSpec { spectral_radius: 1.25, connectivity: 0.2, ..spec(60) };
        let a = Reservoir::generate(&s, 3, 11, &Control::new()).unwrap();
        assert_eq!(a, Reservoir::generate(&s, 3, 11, &Control::new()).unwrap());
        assert_ne!(a, Reservoir::generate(&s, 3, 12, &Control::new()).unwrap());
        // W does not depend on the number of inputs
        assert_eq!(a.values(), Reservoir::generate(&s, 5, 11, &Control::new()).unwrap().values());
        // every row has exactly k distinct sorted columns
        let k = s.row_degree();
        assert_eq!(k, 12);
        for i in 0..a.n() {
            let cols = &a.indices()[a.indptr()[i]..a.indptr()[i + 1]];
            assert_eq!(cols.len(), k);
            assert!(cols.windows(2).all(|w| w[0] < w[1]));
        }
        let rho = spectral::spectral_radius(&a, &Control::new()).unwrap();
        assert!((rho - 1.25).abs() < 1e-10, "{rho}");
        assert!(a.w_in().iter().all(|v| v.abs() <= 1.0) && a.bias().iter().all(|v| v.abs() <= 1.0));
        // input connectivity drops about that fraction of W_in
        let sparse =
            Reservoir::generate(&ReservoirSpec { input_connectivity: 0.25, ..spec(400) }, 4, 1, &Control::new())
                .unwrap();
        let kept = sparse.w_in().iter().filter(|v| **v != 0.0).count() as f64 / 1600.0;
        assert!((kept - 0.25).abs() < 0.05, "{kept}");
    }

    #[test]
    fn run_matches_the_dense_update() {
        let s = ReservoirSpec { leak_rate: 0.3, connectivity: 0.5, ..spec(20) };
        let r = Reservoir::generate(&s, 2, 5, &Control::new()).unwrap();
        let inputs = Array2::from_shape_fn((30, 2), |(t, j)| ((t * 7 + j * 3) as f64 * 0.37).sin());
        let mut dense = vec![0.0; 400];
        for i in 0..20 {
            for p in r.indptr()[i]..r.indptr()[i + 1] {
                dense[i * 20 + r.indices()[p] as usize] = r.values()[p];
            }
        }
        let mut state = vec![0.0; 20];
        let mut expected = vec![0.0; 20];
        let mut visited = 0;
        r.run(inputs.view(), &mut state, &Control::new(), |t, u, x| {
            let prev = expected.clone();
            for i in 0..20 {
                let mut pre = r.bias()[i];
                for j in 0..20 {
                    pre += dense[i * 20 + j] * prev[j];
                }
                for (j, uj) in u.iter().enumerate() {
                    pre += r.w_in()[i * 2 + j] * uj;
                }
                expected[i] = 0.7 * prev[i] + 0.3 * pre.tanh();
            }
            for (a, b) in x.iter().zip(&expected) {
                assert!((a - b).abs() < 1e-14, "step {t}: {a} vs {b}");
            }
            visited += 1;
        })
        .unwrap();
        assert_eq!(visited, 30);
        assert!(state.iter().zip(&expected).all(|(a, b)| (a - b).abs() < 1e-14));
    }

    #[test]
    fn parallel_steps_give_identical_states() {
        // big enough for the row-parallel step
        let s = ReservoirSpec { connectivity: 0.3, ..spec(800) };
        let r = Reservoir::generate(&s, 1, 3, &Control::new()).unwrap();
        assert!(r.values().len() >= PARALLEL_STEP_WORK);
        let inputs = Array2::from_shape_fn((20, 1), |(t, _)| (t as f64).cos());
        let mut by_threads = Vec::new();
        for threads in [1, 3] {
            let mut x = vec![0.0; 800];
            crate::parallel::with_threads(Some(threads), || {
                r.run(inputs.view(), &mut x, &Control::new(), |_, _, _| {})
            })
            .unwrap()
            .unwrap();
            by_threads.push(x);
        }
        let mut serial = vec![0.0; 800];
        let mut next = vec![0.0; 800];
        for row in inputs.rows() {
            r.step_rows(0, &[row[0]], &serial, &mut next);
            std::mem::swap(&mut serial, &mut next);
        }
        assert_eq!(by_threads[0], by_threads[1]);
        assert_eq!(by_threads[0], serial);
    }

    #[test]
    fn bad_specs_and_parts_are_errors() {
        for bad in [
            ReservoirSpec { spectral_radius: 0.0, ..spec(10) },
            ReservoirSpec { spectral_radius: f64::NAN, ..spec(10) },
            ReservoirSpec { leak_rate: 0.0, ..spec(10) },
            ReservoirSpec { leak_rate: 1.5, ..spec(10) },
            ReservoirSpec { connectivity: 0.0, ..spec(10) },
            ReservoirSpec { input_connectivity: 1.1, ..spec(10) },
            ReservoirSpec { input_scaling: -1.0, ..spec(10) },
            ReservoirSpec { bias_scaling: f64::INFINITY, ..spec(10) },
            spec(0),
        ] {
            assert!(Reservoir::generate(&bad, 1, 0, &Control::new()).is_err(), "{bad:?}");
        }
        let r = Reservoir::generate(&spec(4), 1, 0, &Control::new()).unwrap();
        let parts = |indices: Vec<u32>| {
            Reservoir::from_parts(
                4,
                1,
                r.indptr.clone(),
                indices,
                r.values.clone(),
                r.w_in.clone(),
                r.bias.clone(),
                1.0,
            )
        };
        assert_eq!(parts(r.indices.clone()).unwrap(), r);
        assert!(parts(vec![9; r.indices.len()]).is_err());
        assert!(
            Reservoir::from_parts(4, 1, vec![0, 0, 0, 0, 0], vec![], vec![], vec![0.0; 4], vec![0.0; 4], 1.0).is_ok()
        );
        assert!(Reservoir::from_parts(4, 1, vec![0, 1, 0, 0, 0], vec![0], vec![1.0], vec![0.0; 4], vec![0.0; 4], 1.0)
            .is_err());
        let mut state = vec![0.0; 3];
        assert!(r.run(Array2::zeros((2, 1)).view(), &mut state, &Control::new(), |_, _, _| {}).is_err());
        let mut state = vec![0.0; 4];
        assert!(r.run(Array2::zeros((2, 2)).view(), &mut state, &Control::new(), |_, _, _| {}).is_err());
    }
}
