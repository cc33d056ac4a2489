//! The covariance factor of the scenarios: a pivoted Cholesky decomposition PᵀΣP = LLᵀ (the
//! diagonal pivoting of LAPACK's `dpstrf`), which stops at the numerical rank r, so a singular
//! positive semi-definite Σ (a redundant asset, a zero-variance asset) gets an exact n × r factor.
//!
//! The decomposition stops once every remaining diagonal entry of the Schur complement is at most
//! `tol = n·ε·max Σ_ii` (dpstrf's default). Σ is accepted as positive semi-definite when every entry
//! of that remaining complement is within `64·tol` of zero; otherwise (a negative pivot, or an
//! off-diagonal entry a positive semi-definite matrix cannot have) it has a negative eigenvalue
//! beyond round-off, which the error reports.

use crate::error::{check_symmetric, try_vec, Result};
use ndarray::Array2;
use ndarray_linalg::{EigValsh, UPLO};

/// `Σ = F Fᵀ` with `F` = `rows` (n × rank, asset order): row `a` has `len[a]` leading entries that
/// may be non-zero (it is row `piv⁻¹(a)` of the lower-trapezoidal L).
#[derive(Debug, Clone, PartialEq)]
pub struct Factor {
    pub n: usize,
    pub rank: usize,
    pub rows: Vec<f64>,
    pub len: Vec<usize>,
}

/// Relative asymmetry accepted in a covariance (round-off of `np.cov` and of products).
const SYMMETRY_RTOL: f64 = 1e-9;

impl Factor {
    /// Factors the row-major n × n `cov` (finite values, checked by the caller).
    pub fn new(cov: &[f64], n: usize) -> Result<Self> {
        check_symmetric(cov, n, SYMMETRY_RTOL, "cov")?;
        let mut a = try_vec(n * n, 0.0, "the covariance factor")?;
        // the symmetric part, in the lower triangle
        for i in 0..n {
            for j in 0..=i {
                a[i * n + j] = 0.5 * cov[i * n + j] + 0.5 * cov[j * n + i];
            }
        }
        let max_diag = (0..n).map(|i| a[i * n + i]).fold(0.0f64, f64::max);
        let tol = n as f64 * f64::EPSILON * max_diag;
        let mut perm: Vec<usize> = (0..n).collect();
        let mut rank = n;
        for k in 0..n {
            let mut p = k;
            for i in k + 1..n {
                if a[i * n + i] > a[p * n + p] {
                    p = i;
                }
            }
            if a[p * n + p] <= tol {
                rank = k;
                break;
            }
            swap_sym(&mut a, n, k, p);
            perm.swap(k, p);
            let d = a[k * n + k].sqrt();
            a[k * n + k] = d;
            for i in k + 1..n {
                a[i * n + k] /= d;
            }
            for j in k + 1..n {
                let ljk = a[j * n + k];
                for i in j..n {
                    a[i * n + j] -= a[i * n + k] * ljk;
                }
            }
        }
        crate::ensure!(
            a.iter().all(|v| v.is_finite()),
            "cov is too large to factor in double precision (its Cholesky factor overflows); rescale the returns"
        );
        let worst = (rank..n)
            .flat_map(|i| (rank..=i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * n + j].abs())
            .fold(0.0, f64::max);
        if worst > 64.0 * tol {
            return Err(not_psd(cov, n, 64.0 * tol));
        }
        let mut rows = try_vec(n * rank, 0.0, "the covariance factor")?;
        let mut len = vec![0; n];
        for (k, &asset) in perm.iter().enumerate() {
            let l = (k + 1).min(rank);
            len[asset] = l;
            rows[asset * rank..asset * rank + l].copy_from_slice(&a[k * n..k * n + l]);
        }
        Ok(Self { n, rank, rows, len })
    }
}

/// Swaps rows and columns `k < p` of the symmetric matrix kept in the lower triangle of `a`
/// (rows and columns ≥ k; columns < k of L swap with the rows).
fn swap_sym(a: &mut [f64], n: usize, k: usize, p: usize) {
    if k == p {
        return;
    }
    for j in 0..k {
        a.swap(k * n + j, p * n + j);
    }
    a.swap(k * n + k, p * n + p);
    for i in k + 1..p {
        // (i, k) ↔ (p, i)
        a.swap(i * n + k, p * n + i);
    }
    for i in p + 1..n {
        a.swap(i * n + k, i * n + p);
    }
}

/// The error for a covariance with a negative eigenvalue, quoting the smallest one.
fn not_psd(cov: &[f64], n: usize, tol: f64) -> crate::Error {
    let smallest = Array2::from_shape_vec((n, n), cov.to_vec())
        .ok()
        .and_then(|m| m.eigvalsh(UPLO::Lower).ok())
        .and_then(|w| w.iter().copied().reduce(f64::min));
    match smallest {
        Some(w) => crate::invalid!(
            "cov is not positive semi-definite: its smallest eigenvalue is {w:.6e} (round-off allows down to \
             -{tol:.1e}); a covariance matrix must have no negative eigenvalue"
        ),
        None => {
            crate::invalid!("cov is not positive semi-definite (its Cholesky factorisation found a negative pivot)")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// F Fᵀ as a dense row-major matrix.
    fn product(f: &Factor) -> Vec<f64> {
        let (n, r) = (f.n, f.rank);
        let mut out = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                out[i * n + j] = (0..r).map(|k| f.rows[i * r + k] * f.rows[j * r + k]).sum();
            }
        }
        out
    }

    fn close(a: &[f64], b: &[f64], tol: f64) -> bool {
        a.iter().zip(b).all(|(x, y)| (x - y).abs() <= tol)
    }

    #[test]
    fn full_rank_reconstructs() {
        let cov = [4.0, 1.2, -0.6, 1.2, 2.0, 0.3, -0.6, 0.3, 1.0];
        let f = Factor::new(&cov, 3).unwrap();
        assert_eq!(f.rank, 3);
        assert!(close(&product(&f), &cov, 1e-14));
        // the first pivot is the largest variance: asset 0's row has one entry
        assert_eq!(f.len, vec![1, 2, 3]);
    }

    #[test]
    fn singular_psd_is_accepted() {
        // asset 2 = asset 0 + asset 1; asset 3 has no variance
        let (a, b, c) = (1.0, 0.5, 2.0);
        let cov = [a, b, a + b, 0.0, b, c, b + c, 0.0, a + b, b + c, a + 2.0 * b + c, 0.0, 0.0, 0.0, 0.0, 0.0];
        let f = Factor::new(&cov, 4).unwrap();
        assert_eq!(f.rank, 2);
        assert!(close(&product(&f), &cov, 1e-14));
        assert_eq!(f.len[3], 2);
        assert!(f.rows[3 * 2..].iter().all(|&v| v == 0.0));
        let zero = Factor::new(&[0.0; 4], 2).unwrap();
        assert_eq!(zero.rank, 0);
    }

    #[test]
    fn indefinite_and_asymmetric_are_refused() {
        let e = Factor::new(&[1.0, 2.0, 2.0, 1.0], 2).unwrap_err().to_string();
        assert!(e.contains("not positive semi-definite") && e.contains("-1.0"), "{e}");
        let e = Factor::new(&[0.0, 1.0, 1.0, 0.0], 2).unwrap_err().to_string();
        assert!(e.contains("not positive semi-definite"), "{e}");
        let e = Factor::new(&[-1.0, 0.0, 0.0, -2.0], 2).unwrap_err().to_string();
        assert!(e.contains("not positive semi-definite"), "{e}");
        let e = Factor::new(&[1.0, 0.5, 0.4, 1.0], 2).unwrap_err().to_string();
        assert!(e.contains("symmetric"), "{e}");
        // round-off below zero is accepted
        let eps = 1e-17;
        assert!(Factor::new(&[1.0, 1.0, 1.0, 1.0 - eps], 2).is_ok());
        let e = Factor::new(&[1.0, 1.0, 1.0, 1.0 - 1e-9], 2).unwrap_err().to_string();
        assert!(e.contains("not positive semi-definite"), "{e}");
    }
}
