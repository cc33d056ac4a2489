//! A Gaussian–Bernoulli restricted Boltzmann machine with p-bit hidden units.
//!
//! Visible units v ∈ ℝ^d are Gaussian with a fixed standard deviation σ, hidden units h ∈ {0,1}^m
//! are p-bits. In the parametrisation of Hinton's practical guide (§13.2),
//!
//!   E(v, h) = Σ_i (v_i − b_i)² / (2σ²) − Σ_j c_j h_j − Σ_ij (v_i / σ) W_ij h_j,
//!
//! so P(h_j = 1 | v) = sigmoid(c_j + Σ_i v_i W_ij / σ), v | h ~ N(b + σ W h, σ² I), and summing h
//! out gives the free energy
//!
//!   F(v) = Σ_i (v_i − b_i)² / (2σ²) − Σ_j softplus(c_j + Σ_i v_i W_ij / σ),
//!
//! with p(v) ∝ exp(−F(v)): the higher F, the less likely v is under the model.
//!
//! A hidden p-bit with input x fires as h = [tanh(x/2) > r], r ~ U(−1, 1): the core's p-bit rule
//! s = sgn(tanh(β·I) − r) with β·I = x/2, so that P(h = 1) = (1 + tanh(x/2))/2 = sigmoid(x).

use crate::rng::Stream;
pub use crate::special::{expit as sigmoid, softplus};

/// The machine's parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Rbm {
    pub n_visible: usize,
    pub n_hidden: usize,
    /// Standard deviation of the Gaussian visible units.
    pub sigma: f64,
    /// Row-major n_visible × n_hidden.
    pub weights: Vec<f64>,
    /// b, one per visible unit.
    pub visible_bias: Vec<f64>,
    /// c, one per hidden unit.
    pub hidden_bias: Vec<f64>,
}

/// One hidden p-bit draw for input `x` with the uniform `u` ∈ [0, 1): 1.0 or 0.0.
#[inline]
pub fn pbit(x: f64, u: f64) -> f64 {
    if (0.5 * x).tanh() > 2.0 * u - 1.0 {
        1.0
    } else {
        0.0
    }
}

/// A standard normal pair by Box–Muller.
pub fn gaussian_pair(stream: &mut Stream) -> (f64, f64) {
    let u1 = 1.0 - stream.next_f64(); // (0, 1]
    let u2 = stream.next_f64();
    let r = (-2.0 * u1.ln()).sqrt();
    let t = std::f64::consts::TAU * u2;
    (r * t.cos(), r * t.sin())
}

impl Rbm {
    /// Weights N(0, 0.01²) from `stream` (Hinton's guide §8), visible biases `visible_bias`
    /// (the data mean), hidden biases 0.
    pub fn init(n_hidden: usize, sigma: f64, visible_bias: Vec<f64>, stream: &mut Stream) -> Self {
        let n_visible = visible_bias.len();
        let mut weights = vec![0.0; n_visible * n_hidden];
        for pair in weights.chunks_mut(2) {
            let (a, b) = gaussian_pair(stream);
            pair[0] = 0.01 * a;
            if let Some(w) = pair.get_mut(1) {
                *w = 0.01 * b;
            }
        }
        Self { n_visible, n_hidden, sigma, weights, visible_bias, hidden_bias: vec![0.0; n_hidden] }
    }

    /// The hidden units' inputs x_j = c_j + Σ_i v_i W_ij / σ for one visible row.
    pub fn hidden_input(&self, v: &[f64], out: &mut [f64]) {
        let m = self.n_hidden;
        out.fill(0.0);
        for (vi, row) in v.iter().zip(self.weights.chunks_exact(m)) {
            out.iter_mut().zip(row).for_each(|(o, w)| *o += vi * w);
        }
        let inv = 1.0 / self.sigma;
        out.iter_mut().zip(&self.hidden_bias).for_each(|(o, c)| *o = c + *o * inv);
    }

    /// The mean of v | h: b + σ W h.
    pub fn visible_mean(&self, h: &[f64], out: &mut [f64]) {
        for ((o, row), b) in out.iter_mut().zip(self.weights.chunks_exact(self.n_hidden)).zip(&self.visible_bias) {
            *o = b + self.sigma * row.iter().zip(h).map(|(w, h)| w * h).sum::<f64>();
        }
    }

    /// F(v) for one visible row; `scratch` holds n_hidden values.
    pub fn free_energy(&self, v: &[f64], scratch: &mut [f64]) -> f64 {
        self.hidden_input(v, scratch);
        let s2 = self.sigma * self.sigma;
        let quad: f64 = v.iter().zip(&self.visible_bias).map(|(v, b)| (v - b) * (v - b)).sum::<f64>() / (2.0 * s2);
        quad - scratch.iter().map(|&x| softplus(x)).sum::<f64>()
    }

    pub fn is_finite(&self) -> bool {
        self.weights.iter().chain(&self.visible_bias).chain(&self.hidden_bias).all(|v| v.is_finite())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// F(v) by summing exp(−E(v, h)) over all 2^m hidden states.
    #[allow(clippy::needless_range_loop)] // index loops mirror the energy's sums
    fn brute_free_energy(rbm: &Rbm, v: &[f64]) -> f64 {
        let m = rbm.n_hidden;
        let s2 = rbm.sigma * rbm.sigma;
        let quad: f64 = v.iter().zip(&rbm.visible_bias).map(|(v, b)| (v - b) * (v - b)).sum::<f64>() / (2.0 * s2);
        let mut z = 0.0;
        for bits in 0..1u32 << m {
            let h: Vec<f64> = (0..m).map(|j| ((bits >> j) & 1) as f64).collect();
            let mut e = quad;
            for j in 0..m {
                e -= rbm.hidden_bias[j] * h[j];
                for i in 0..rbm.n_visible {
                    e -= v[i] / rbm.sigma * rbm.weights[i * m + j] * h[j];
                }
            }
            z += (-e).exp();
        }
        -z.ln()
    }

    #[test]
    fn free_energy_matches_enumeration() {
        let mut s = Stream::new(4, 0);
        let mut rbm = Rbm::init(5, 0.7, vec![0.3, -0.2, 0.1], &mut s);
        rbm.weights.iter_mut().for_each(|w| *w *= 60.0);
        rbm.hidden_bias = vec![0.5, -1.0, 0.0, 2.0, -0.3];
        let mut scratch = vec![0.0; 5];
        for v in [[0.0, 0.0, 0.0], [1.5, -2.0, 0.4], [-3.0, 0.2, 5.0]] {
            let f = rbm.free_energy(&v, &mut scratch);
            let want = brute_free_energy(&rbm, &v);
            assert!((f - want).abs() < 1e-10 * (1.0 + want.abs()), "{f} vs {want}");
        }
    }

    #[test]
    fn pbit_fires_with_sigmoid_probability() {
        let mut s = Stream::new(9, 1);
        for x in [-2.0, 0.0, 0.7, 3.0] {
            let n = 100_000;
            let ones: f64 = (0..n).map(|_| pbit(x, s.next_f64())).sum();
            let p = sigmoid(x);
            assert!((ones / n as f64 - p).abs() < 4.0 * (p * (1.0 - p) / n as f64).sqrt() + 1e-9, "{x}");
        }
        assert_eq!(softplus(800.0), 800.0);
        assert!(softplus(-800.0) >= 0.0 && softplus(-800.0) < 1e-300);
        assert!((sigmoid(-800.0)).abs() < 1e-300 && sigmoid(800.0) == 1.0);
    }

    #[test]
    fn gaussian_pairs_have_unit_variance() {
        let mut s = Stream::new(2, 3);
        let n = 100_000;
        let (mut m1, mut m2) = (0.0, 0.0);
        for _ in 0..n {
            let (a, b) = gaussian_pair(&mut s);
            m1 += a + b;
            m2 += a * a + b * b;
        }
        assert!((m1 / (2 * n) as f64).abs() < 0.01);
        assert!((m2 / (2 * n) as f64 - 1.0).abs() < 0.02);
    }
}
