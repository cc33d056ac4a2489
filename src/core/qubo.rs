//! QUBO ↔ Ising conversion with the constant offset, via x_i = (1 + s_i) / 2.
//!
//! QUBO energy: C(x) = xᵀQx for any square Q (only the symmetric part matters; diagonal terms
//! are linear since x_i² = x_i). Ising energy: the physics convention of [`super::model`].

use crate::ensure;
use crate::error::Result;

/// Ising form of a QUBO: `(J, h, offset)` with J full symmetric row-major and zero diagonal,
/// such that xᵀQx = -Σ_{i<j} J_ij s_i s_j - Σ h_i s_i + offset.
pub fn qubo_to_ising(n: usize, q: &[f64]) -> Result<(Vec<f64>, Vec<f64>, f64)> {
    ensure!(n > 0, "Q must not be empty");
    ensure!(q.len() == n * n, "Q must be {n}x{n}, got {} values", q.len());
    crate::error::check_finite_matrix(q, n, "Q")?;
    // halves first: the sum of two entries near f64::MAX would overflow (the same bits otherwise)
    let sym = |a: usize, b: usize| 0.5 * q[a * n + b] + 0.5 * q[b * n + a];
    let mut j = crate::error::try_vec(n * n, 0.0, &format!("a {n}x{n} coupling matrix"))?;
    let mut h = vec![0.0; n];
    let mut offset = 0.0;
    for a in 0..n {
        let mut row = 0.0;
        for b in 0..n {
            let s = sym(a, b);
            row += s;
            if b != a {
                j[a * n + b] = -0.5 * s;
            }
            if b > a {
                offset += 0.5 * s;
            }
        }
        h[a] = -0.5 * row;
        offset += 0.5 * q[a * n + a];
    }
    ensure!(
        offset.is_finite() && h.iter().chain(&j).all(|v| v.is_finite()),
        "Q's entries are too large: the Ising fields or offset overflow a float; scale Q down"
    );
    Ok((j, h, offset))
}

/// QUBO form of an Ising model: `(Q, offset)` with Q symmetric, such that
/// -Σ_{i<j} J_ij s_i s_j - Σ h_i s_i = xᵀQx + offset. `j` must be symmetric with zero diagonal.
pub fn ising_to_qubo(n: usize, j: &[f64], h: &[f64]) -> Result<(Vec<f64>, f64)> {
    // Validation (symmetry, finiteness, diagonal) is the model's.
    let model = super::model::IsingModel::from_dense(n, j, h)?;
    let j = model.to_dense()?;
    let mut q = crate::error::try_vec(n * n, 0.0, &format!("a {n}x{n} QUBO matrix"))?;
    let mut offset = 0.0;
    for a in 0..n {
        let mut row = 0.0;
        for b in 0..n {
            if b != a {
                q[a * n + b] = -2.0 * j[a * n + b];
                row += j[a * n + b];
                if b > a {
                    offset -= j[a * n + b];
                }
            }
        }
        q[a * n + a] = 2.0 * row - 2.0 * h[a];
        offset += h[a];
    }
    Ok((q, offset))
}

/// Ising form (physics convention) of a sparse QUBO E(x) = Σ_i a_i x_i + Σ_k b_k x_{r_k} x_{c_k}
/// (r_k ≠ c_k): returns `(h, J_k for the same (r_k, c_k) entries, offset)`.
pub fn sparse_qubo_to_ising(
    linear: &[f64],
    rows: &[i64],
    cols: &[i64],
    quad: &[f64],
) -> Result<(Vec<f64>, Vec<f64>, f64)> {
    let n = linear.len();
    ensure!(rows.len() == cols.len() && cols.len() == quad.len(), "quadratic rows, cols and biases differ in length");
    let mut h: Vec<f64> = linear.iter().map(|a| -0.5 * a).collect();
    let mut offset = 0.5 * linear.iter().sum::<f64>();
    for k in 0..quad.len() {
        let (r, c) = (rows[k], cols[k]);
        ensure!(
            (0..n as i64).contains(&r) && (0..n as i64).contains(&c) && r != c,
            "invalid quadratic term ({r}, {c}) for {n} variables"
        );
        h[r as usize] -= 0.25 * quad[k];
        h[c as usize] -= 0.25 * quad[k];
        offset += 0.25 * quad[k];
    }
    Ok((h, quad.iter().map(|b| -0.25 * b).collect(), offset))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::IsingModel;

    #[test]
    fn round_trip_and_energies() {
        let n = 4;
        let q: Vec<f64> = (0..n * n).map(|k| ((k * 7 % 11) as f64 - 5.0) * 0.3).collect();
        let (j, h, off) = qubo_to_ising(n, &q).unwrap();
        let model = IsingModel::from_dense(n, &j, &h).unwrap();
        for code in 0..1u32 << n {
            let x: Vec<f64> = (0..n).map(|i| (code >> i & 1) as f64).collect();
            let s: Vec<i8> = x.iter().map(|&v| if v > 0.5 { 1 } else { -1 }).collect();
            let mut c = 0.0;
            for a in 0..n {
                for b in 0..n {
                    c += x[a] * q[a * n + b] * x[b];
                }
            }
            assert!((model.energy(&s) + off - c).abs() < 1e-12, "{code}");
        }
        let (q2, off2) = ising_to_qubo(n, &j, &h).unwrap();
        let (j3, h3, off3) = qubo_to_ising(n, &q2).unwrap();
        for k in 0..n * n {
            assert!((j3[k] - j[k]).abs() < 1e-12);
        }
        for k in 0..n {
            assert!((h3[k] - h[k]).abs() < 1e-12);
        }
        assert!((off3 + off2).abs() < 1e-12);
    }

    #[test]
    fn sparse_qubo_matches_dense() {
        let n = 3;
        // E(x) = 1.5 x0 - 2 x2 + 3 x0 x1 - x1 x2
        let (h, jv, off) = sparse_qubo_to_ising(&[1.5, 0.0, -2.0], &[0, 1], &[1, 2], &[3.0, -1.0]).unwrap();
        let model = IsingModel::from_edges(n, &[0, 1], &[1, 2], &jv, &h).unwrap();
        for code in 0..8u32 {
            let x: Vec<f64> = (0..n).map(|i| (code >> i & 1) as f64).collect();
            let s: Vec<i8> = x.iter().map(|&v| if v > 0.5 { 1 } else { -1 }).collect();
            let e = 1.5 * x[0] - 2.0 * x[2] + 3.0 * x[0] * x[1] - x[1] * x[2];
            assert!((model.energy(&s) + off - e).abs() < 1e-12);
        }
        assert!(sparse_qubo_to_ising(&[0.0; 2], &[0], &[0], &[1.0]).is_err());
    }
}
