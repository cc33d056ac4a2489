//! The surrogate: a radial-basis-function network fitted to the evaluated points.
//!
//! s(u) = Σ_j λ_j φ(‖u − c_j‖) + a₀ + aᵀu with the cubic unit φ(r) = r³: one hidden layer of
//! radial units centred on the evaluated points and a linear output layer with a linear skip
//! connection (the polynomial tail). The weights interpolate the data: they solve the symmetric
//! saddle-point system
//!
//! ```text
//! [ Φ + ηI  P ] [λ]   [y]
//! [ Pᵀ      0 ] [a] = [0]      Φ_ij = ‖c_i − c_j‖³, P = [1 c]
//! ```
//!
//! (Powell 1992; the surrogate of Gutmann 2001 and Regis & Shoemaker 2007), solved by LAPACK's
//! symmetric-indefinite factorisation through ndarray-linalg. The cubic kernel is conditionally
//! positive definite of order two, so with a linear tail and distinct points in general position
//! the system is non-singular; a tiny ridge η (on both diagonal blocks, the tail's with the
//! opposite sign) keeps near-duplicate points and degenerate layouts harmless.
//!
//! Values are capped at their median before fitting (Regis & Shoemaker: the surrogate then spends
//! its flexibility on the good half instead of on steep walls) and standardised, so predictions
//! are in units of the spread of the capped values.

use crate::error::{Error, Result};
use ndarray::{Array1, Array2};
use ndarray_linalg::SolveH;

/// Ridges tried in turn until the solve is accurate.
const RIDGES: [f64; 4] = [1e-10, 1e-7, 1e-4, 1e-1];

#[derive(Debug, Clone, PartialEq)]
pub struct Rbf {
    d: usize,
    centers: Vec<f64>,
    lambda: Vec<f64>,
    /// a₀, then a₁..a_d when the tail is linear.
    tail: Vec<f64>,
    /// Smallest standardised fitted value (the surrogate's value at the best centre).
    y_min: f64,
}

#[inline]
fn cube(r2: f64) -> f64 {
    let r2 = r2.max(0.0);
    r2 * r2.sqrt()
}

impl Rbf {
    /// Fits the network to `values` (finite) at `centers` (row-major k × d, distinct).
    pub fn fit(centers: Vec<f64>, values: &[f64], d: usize) -> Result<Self> {
        let k = values.len();
        crate::ensure!(k >= 1 && centers.len() == k * d, "a surrogate needs centres and values to match");
        let y = standardise(values);
        let y_min = y.iter().copied().fold(f64::INFINITY, f64::min);
        // a linear tail needs d + 1 points in general position; with fewer, a constant
        let p = if k > d + 1 { d + 1 } else { 1 };
        let m = k + p;
        let mut a = Array2::<f64>::zeros((m, m));
        for i in 0..k {
            let ci = &centers[i * d..(i + 1) * d];
            for j in 0..i {
                let v = cube(super::design::sq_dist(ci, &centers[j * d..(j + 1) * d]));
                a[[i, j]] = v;
                a[[j, i]] = v;
            }
            a[[i, k]] = 1.0;
            a[[k, i]] = 1.0;
            for t in 1..p {
                a[[i, k + t]] = ci[t - 1];
                a[[k + t, i]] = ci[t - 1];
            }
        }
        let scale = a.iter().fold(1.0f64, |s, v| s.max(v.abs()));
        let mut b = Array1::<f64>::zeros(m);
        b.slice_mut(ndarray::s![..k]).assign(&Array1::from(y.clone()));
        for ridge in RIDGES {
            let mut ar = a.clone();
            // the ridge also regularises the tail block, so that centres on a hyperplane (a
            // constant integer variable, trials along one axis) leave the tail determined
            for i in 0..k {
                ar[[i, i]] = ridge * scale;
            }
            for i in k..m {
                ar[[i, i]] = -ridge * scale;
            }
            let Ok(sol) = ar.solveh(&b) else { continue };
            if !sol.iter().all(|v| v.is_finite()) {
                continue;
            }
            // accept only an accurate solve (near-duplicate centres make it ill-conditioned)
            let worst = (0..m)
                .map(|i| (ar.row(i).iter().zip(&sol).map(|(a, x)| a * x).sum::<f64>() - b[i]).abs())
                .fold(0.0f64, f64::max);
            if worst <= 1e-6 * (1.0 + y.iter().fold(0.0f64, |s, v| s.max(v.abs()))) {
                let sol = sol.to_vec();
                return Ok(Self { d, centers, lambda: sol[..k].to_vec(), tail: sol[k..].to_vec(), y_min });
            }
        }
        Err(Error::Internal(format!("the surrogate system of {k} points could not be solved")))
    }

    pub fn len(&self) -> usize {
        self.lambda.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lambda.is_empty()
    }

    pub fn centers(&self) -> &[f64] {
        &self.centers
    }

    pub fn y_min(&self) -> f64 {
        self.y_min
    }

    /// The prediction at `u` given the squared distances `r2` from `u` to the centres.
    #[inline]
    pub fn predict_sq(&self, r2: &[f64], u: &[f64]) -> f64 {
        // four independent sums (a fixed order, so results do not depend on the CPU) let the
        // square roots run in vector form
        let mut acc = [0.0f64; 4];
        let (lc, rc) = (self.lambda.chunks_exact(4), r2[..self.lambda.len()].chunks_exact(4));
        let (lr, rr) = (lc.remainder(), rc.remainder());
        for (l, r) in lc.zip(rc) {
            for j in 0..4 {
                acc[j] += l[j] * cube(r[j]);
            }
        }
        let tail: f64 = lr.iter().zip(rr).map(|(l, &r)| l * cube(r)).sum();
        let radial = (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail;
        let linear: f64 = self.tail[1..].iter().zip(u).map(|(a, x)| a * x).sum();
        radial + self.tail[0] + linear
    }

    /// The prediction at `u` (standardised units).
    pub fn predict(&self, u: &[f64]) -> f64 {
        let r2: Vec<f64> = self.centers.chunks(self.d).map(|c| super::design::sq_dist(c, u)).collect();
        self.predict_sq(&r2, u)
    }
}

/// Values capped at their median, then centred and scaled to unit spread.
fn standardise(values: &[f64]) -> Vec<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[sorted.len() / 2];
    let capped: Vec<f64> = values.iter().map(|&v| v.min(median)).collect();
    let n = capped.len() as f64;
    let mean = capped.iter().sum::<f64>() / n;
    let sd = (capped.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n).sqrt();
    let sd = if sd > 0.0 && sd.is_finite() { sd } else { 1.0 };
    capped.iter().map(|v| (v - mean) / sd).collect()
}

#[cfg(test)]
mod tests {
    use super::super::design::initial_design;
    use super::*;

    #[test]
    fn interpolates_the_capped_values() {
        let d = 3;
        let pts = initial_design(30, d, 1);
        let lin = |u: &[f64]| 2.0 * u[0] - u[1] + 0.5 * u[2] + 1.0;
        let values: Vec<f64> = pts.chunks(d).map(lin).collect();
        // the network interpolates the capped, standardised values exactly
        let rbf = Rbf::fit(pts.clone(), &values, d).unwrap();
        let std = standardise(&values);
        for (c, y) in pts.chunks(d).zip(&std) {
            assert!((rbf.predict(c) - y).abs() < 1e-6, "{} vs {y}", rbf.predict(c));
        }
        assert!((rbf.y_min() - std.iter().copied().fold(f64::INFINITY, f64::min)).abs() < 1e-15);
    }

    #[test]
    fn approximates_a_smooth_function_between_the_points() {
        let d = 2;
        let pts = initial_design(60, d, 3);
        // below the median nothing is capped: check the good half of a quadratic bowl
        let bowl = |u: &[f64]| (u[0] - 0.3).powi(2) + (u[1] - 0.6).powi(2);
        let values: Vec<f64> = pts.chunks(d).map(bowl).collect();
        let rbf = Rbf::fit(pts, &values, d).unwrap();
        // the surrogate's minimum over a grid lies near the bowl's centre
        let mut best = (f64::INFINITY, [0.0, 0.0]);
        for i in 0..=50 {
            for j in 0..=50 {
                let u = [i as f64 / 50.0, j as f64 / 50.0];
                let s = rbf.predict(&u);
                if s < best.0 {
                    best = (s, u);
                }
            }
        }
        assert!((best.1[0] - 0.3).abs() < 0.06 && (best.1[1] - 0.6).abs() < 0.06, "{best:?}");
    }

    #[test]
    fn few_points_and_duplicates_still_fit() {
        // fewer points than a linear tail needs: constant tail
        let rbf = Rbf::fit(vec![0.1, 0.2, 0.9, 0.4], &[1.0, 3.0], 2).unwrap();
        assert_eq!(rbf.len(), 2);
        assert!(rbf.predict(&[0.1, 0.2]) < rbf.predict(&[0.9, 0.4]));
        // two identical centres: the ridge keeps the system solvable
        let pts = vec![0.5, 0.5, 0.5, 0.5, 0.1, 0.9, 0.8, 0.2, 0.3, 0.3];
        let rbf = Rbf::fit(pts, &[1.0, 1.0, 2.0, 0.0, 0.5], 2).unwrap();
        assert!(rbf.predict(&[0.4, 0.4]).is_finite());
        // every centre on one line (the second coordinate constant): the tail is degenerate
        let pts: Vec<f64> = (0..8).flat_map(|k| [k as f64 / 8.0, 0.3]).collect();
        let values: Vec<f64> = (0..8).map(|k| ((k as f64 - 3.0) / 8.0).powi(2)).collect();
        let rbf = Rbf::fit(pts, &values, 2).unwrap();
        assert!(rbf.predict(&[3.0 / 8.0, 0.3]) < rbf.predict(&[7.0 / 8.0, 0.3]));
    }
}
