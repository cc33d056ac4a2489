//! The QAOA cost diagonal C(x) = xᵀQx over all 2^n bitstrings, and the memory a run needs.
//!
//! Index convention (Qiskit's little-endian order): qubit i carries bit i of the index,
//! x_i = (index >> i) & 1.

use crate::error::{check_alloc, check_finite_matrix, check_symmetric, try_vec, Error, Result};

/// Largest register simulated; 2^34 amplitudes already need 512 GiB.
pub const MAX_QUBITS: usize = 34;

/// Relative tolerance for the symmetry check of Q.
const SYMMETRY_RTOL: f64 = 1e-10;

/// Bytes a run on `n` qubits allocates: the state (16·2^n), the cost diagonal (8·2^n) and the
/// cumulative table used for sampling or probabilities (8·2^n).
pub fn memory_bytes(n: usize) -> u128 {
    32u128 << n.min(100)
}

fn gib(bytes: u128) -> f64 {
    bytes as f64 / (1u64 << 30) as f64
}

/// `Err(ResourceLimit)` (with the estimate in GiB) unless a run on `n` qubits fits in memory.
pub fn check_memory(n: usize) -> Result<()> {
    crate::ensure!(n >= 1, "QAOA needs at least one qubit");
    let bytes = memory_bytes(n);
    if n > MAX_QUBITS {
        return Err(Error::ResourceLimit(format!(
            "a QAOA statevector on {n} qubits needs {:.1} GiB of memory; the limit is {MAX_QUBITS} qubits",
            gib(bytes)
        )));
    }
    check_alloc::<f64>(bytes / 8, &format!("a QAOA statevector on {n} qubits (state, cost diagonal, sampling table)"))
}

/// Checks that `q` is a finite, symmetric n×n row-major matrix with n ≥ 1.
pub fn validate_q(q: &[f64], n: usize) -> Result<()> {
    crate::ensure!(n >= 1, "Q must have at least one row, got an empty matrix");
    crate::ensure!(
        n.checked_mul(n) == Some(q.len()),
        "Q must be square: {n} rows need {} entries, got {}",
        n.saturating_mul(n),
        q.len()
    );
    check_finite_matrix(q, n, "Q")?;
    check_symmetric(q, n, SYMMETRY_RTOL, "Q")?;
    Ok(())
}

/// C(x) = xᵀQx for every index x < 2^n, for a symmetric row-major n×n `q`.
///
/// Built by doubling in O(2^n): c[x | 2^t] = c[x] + Q_tt + 2·s_t(x) for x < 2^t, where
/// s_t(x) = Σ_{j<t} Q_tj x_j is itself built by doubling in the upper half before it is used.
pub fn cost_diagonal(q: &[f64], n: usize) -> Result<Vec<f64>> {
    validate_q(q, n)?;
    check_memory(n)?;
    let mut c = try_vec(1usize << n, 0.0f64, &format!("the QAOA cost diagonal on {n} qubits"))?;
    for t in 0..n {
        let half = 1usize << t;
        let (low, high) = c[..2 * half].split_at_mut(half);
        // high[x] = s_t(x): high[0] = 0, then high[x + 2^j] = high[x] + Q_tj for x < 2^j.
        high[0] = 0.0;
        for j in 0..t {
            let w = q[t * n + j];
            let (src, dst) = high[..2 << j].split_at_mut(1 << j);
            for (d, s) in dst.iter_mut().zip(src.iter()) {
                *d = s + w;
            }
        }
        let diag = q[t * n + t];
        for (h, l) in high.iter_mut().zip(low.iter()) {
            *h = l + diag + 2.0 * *h;
        }
    }
    Ok(c)
}

/// xᵀQx for one bitstring, directly (O(n²)); the reference the diagonal is tested against.
pub fn evaluate(q: &[f64], n: usize, x: u64) -> f64 {
    let bit = |i: usize| ((x >> i) & 1) as f64;
    let mut e = 0.0;
    for i in 0..n {
        if bit(i) == 0.0 {
            continue;
        }
        for j in 0..n {
            e += q[i * n + j] * bit(j);
        }
    }
    e
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::rng::Stream;

    pub(crate) fn random_symmetric(n: usize, seed: u64) -> Vec<f64> {
        let mut s = Stream::new(seed, 0);
        let mut q = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..=i {
                let v = 2.0 * s.next_f64() - 1.0;
                q[i * n + j] = v;
                q[j * n + i] = v;
            }
        }
        q
    }

    #[test]
    fn doubling_matches_direct_evaluation() {
        for n in 1..=9 {
            let q = random_symmetric(n, n as u64);
            let c = cost_diagonal(&q, n).unwrap();
            assert_eq!(c.len(), 1 << n);
            for (x, &cx) in c.iter().enumerate() {
                let e = evaluate(&q, n, x as u64);
                assert!((cx - e).abs() < 1e-12, "n={n} x={x}: {cx} vs {e}");
            }
        }
    }

    #[test]
    fn bit_i_of_the_index_is_qubit_i() {
        // Only Q_22 = 1: C(x) = x_2, so index 4 (bit 2) costs 1 and index 1 costs 0.
        let mut q = vec![0.0; 9];
        q[8] = 1.0;
        let c = cost_diagonal(&q, 3).unwrap();
        assert_eq!(c, vec![0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0]);
    }

    #[test]
    fn bad_matrices_are_rejected() {
        assert!(cost_diagonal(&[], 0).is_err());
        assert!(cost_diagonal(&[1.0, 2.0, 3.0], 2).is_err());
        assert!(cost_diagonal(&[1.0, 2.0, 2.5, 1.0], 2).is_err());
        assert!(cost_diagonal(&[1.0, f64::NAN, f64::NAN, 1.0], 2).is_err());
        assert!(cost_diagonal(&[f64::INFINITY], 1).is_err());
        assert!(cost_diagonal(&[1.0, 2.0, 2.0, 1.0], 2).is_ok());
    }

    #[test]
    fn too_many_qubits_are_refused_with_the_estimate() {
        let n = 40;
        let q = vec![0.0; n * n];
        match cost_diagonal(&q, n) {
            Err(Error::ResourceLimit(msg)) => assert!(msg.contains("32768.0 GiB"), "{msg}"),
            other => panic!("expected ResourceLimit, got {other:?}"),
        }
        assert!(matches!(check_memory(MAX_QUBITS + 1), Err(Error::ResourceLimit(_))));
        assert_eq!(memory_bytes(20), 32 << 20);
    }
}
