//! Spectral radius of the reservoir matrix: max |λ| over the eigenvalues of W.
//!
//! Up to [`ARNOLDI_MAX`] units it comes from the Arnoldi process on the sparse W: k steps build
//! an orthonormal Krylov basis V and the small Hessenberg matrix H = VᵀWV, whose largest-modulus
//! eigenvalue (LAPACK on k×k, milliseconds) approximates W's. The process restarts from that
//! Ritz vector until its residual ‖Wx − λx‖ = |h_{k+1,k}·y_k| is below [`ARNOLDI_RTOL`]·|λ|,
//! doubling k every [`RESTARTS_PER_DIM`] restarts (at k = n it is exact). On random reservoir
//! matrices this agrees with LAPACK's `dgeev` on dense W to about 1e-14 (see the tests), and
//! unlike one `dgeev` call (seconds at 2000 units) it checks for Ctrl-C after every product.
//! Beyond that, power iteration: with
//! v_{s+1} = W·v_s / ‖W·v_s‖, the mean of log ‖W·v_s‖ over the second half of K steps tends to
//! log ρ (Gelfand's formula) even when the largest eigenvalues are a complex pair or ±ρ, with an
//! error that shrinks like 1/K. K doubles from [`POWER_MIN_STEPS`] until two successive
//! estimates agree to [`POWER_RTOL`] (or [`POWER_MAX_STEPS`] is reached); on random reservoir
//! matrices the result is within 1e-4 of the exact one, usually far closer (see the tests), more
//! than enough for a hyper-parameter that sets the memory of the reservoir.

use super::reservoir::Reservoir;
use crate::control::Control;
use crate::error::{try_vec, Error, Result};
use crate::rng::Stream;
use ndarray::Array2;
use ndarray_linalg::Eig;
use rayon::prelude::*;

/// Largest n for the Arnoldi computation (power iteration beyond).
pub const ARNOLDI_MAX: usize = 2000;
/// Krylov dimension of the first Arnoldi passes, and the passes run before it doubles.
const KRYLOV_DIM: usize = 64;
const RESTARTS_PER_DIM: usize = 16;
/// Relative residual at which the dominant Ritz value is taken as converged.
const ARNOLDI_RTOL: f64 = 1e-13;
/// A radius below this fraction of ‖W‖_F is rounding noise of a nilpotent W (a Jordan block's
/// zero eigenvalue comes out as ~ε^(1/b)·‖W‖): it is reported as 0. Random reservoirs of up to
/// [`ARNOLDI_MAX`] units have ρ/‖W‖_F ≥ 1/√n > 0.02.
const NILPOTENT_RATIO: f64 = 1e-4;
const POWER_MIN_STEPS: usize = 256;
const POWER_MAX_STEPS: usize = 1 << 13;
const POWER_RTOL: f64 = 1e-7;
/// Rows per parallel task in a power-iteration product, and the work (nonzeros) from which the
/// product runs in parallel.
const MATVEC_ROWS: usize = 512;
const PARALLEL_MATVEC_WORK: usize = 1 << 17;

/// max |λ| over the eigenvalues of the reservoir's W; `Err(Interrupted)` once `control` is
/// cancelled (it is checked after every product with W).
pub fn spectral_radius(r: &Reservoir, control: &Control) -> Result<f64> {
    if r.n() <= ARNOLDI_MAX {
        arnoldi(r, control)
    } else {
        power(r, control)
    }
}

/// y = W·x, rows in parallel for a large W (each row summed in the same order either way).
fn matvec(r: &Reservoir, x: &[f64], y: &mut [f64]) -> Result<()> {
    if r.values().len() >= PARALLEL_MATVEC_WORK {
        crate::parallel::install(|| {
            y.par_chunks_mut(MATVEC_ROWS).enumerate().for_each(|(c, chunk)| {
                for (k, out) in chunk.iter_mut().enumerate() {
                    *out = r.w_row_dot(c * MATVEC_ROWS + k, x);
                }
            })
        })
    } else {
        r.w_matvec(x, y);
        Ok(())
    }
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The starting vector of both methods: fixed, so the radius depends on W alone.
fn start_vector(n: usize) -> Vec<f64> {
    let mut s = Stream::new(0x5EED_5EED, 0);
    (0..n).map(|_| s.next_f64() - 0.5).collect()
}

/// Restarted Arnoldi (see the module docs).
fn arnoldi(r: &Reservoir, control: &Control) -> Result<f64> {
    let n = r.n();
    let mut start = start_vector(n);
    let mut k = KRYLOV_DIM.min(n);
    for pass in 1.. {
        let (rho, residual, next) = arnoldi_pass(r, &start, k, control)?;
        if residual <= ARNOLDI_RTOL * rho || k == n {
            let frobenius = norm(r.values());
            return Ok(if rho <= NILPOTENT_RATIO * frobenius { 0.0 } else { rho });
        }
        start = next;
        if pass % RESTARTS_PER_DIM == 0 {
            k = (2 * k).min(n);
        }
    }
    unreachable!("the Krylov dimension reaches n, where Arnoldi is exact")
}

/// k Arnoldi steps from `start`: (|λ| of the largest-modulus Ritz value λ, its residual
/// ‖Wx − λx‖, the real vector Re x + Im x of its Ritz vector x to restart from).
fn arnoldi_pass(r: &Reservoir, start: &[f64], k: usize, control: &Control) -> Result<(f64, f64, Vec<f64>)> {
    let n = r.n();
    let s0 = norm(start);
    if s0 == 0.0 || !s0.is_finite() {
        return Ok((0.0, 0.0, start.to_vec()));
    }
    let mut basis: Vec<Vec<f64>> = vec![start.iter().map(|x| x / s0).collect()];
    let mut h = Array2::<f64>::zeros((k + 1, k));
    let mut m = k;
    let mut w = try_vec(n, 0.0, "an Arnoldi vector")?;
    for j in 0..k {
        control.check()?;
        matvec(r, &basis[j], &mut w)?;
        let before = norm(&w);
        // modified Gram–Schmidt, twice (one pass loses orthogonality to rounding)
        for _ in 0..2 {
            for (i, v) in basis.iter().enumerate() {
                let c = dot(v, &w);
                h[[i, j]] += c;
                w.iter_mut().zip(v).for_each(|(w, v)| *w -= c * v);
            }
        }
        let after = norm(&w);
        h[[j + 1, j]] = after;
        if after <= 1e-13 * before || after == 0.0 {
            // the Krylov space is invariant: H's eigenvalues are exact eigenvalues of W
            m = j + 1;
            break;
        }
        basis.push(w.iter().map(|x| x / after).collect());
    }
    // a fresh standard-layout copy: LAPACK refuses the zero strides a 1×1 slice may have
    let (values, vectors) = Array2::from_shape_fn((m, m), |(i, j)| h[[i, j]])
        .eig()
        .map_err(|e| Error::Internal(format!("eigenvalues of the Arnoldi matrix: {e}")))?;
    let top = (0..m).max_by(|&a, &b| values[a].norm().total_cmp(&values[b].norm())).unwrap_or(0);
    let y = vectors.column(top);
    let residual =
        if m < k { 0.0 } else { h[[k, k - 1]] * y[k - 1].norm() / y.iter().map(|c| c.norm_sqr()).sum::<f64>().sqrt() };
    let mut next = vec![0.0; n];
    for (v, c) in basis.iter().zip(y) {
        next.iter_mut().zip(v).for_each(|(x, v)| *x += (c.re + c.im) * v);
    }
    Ok((values[top].norm(), residual, next))
}

/// Power iteration (see the module docs). Every product sums each row in the same order
/// whatever the thread count, so the estimate is bit-identical for any number of threads.
pub(super) fn power(r: &Reservoir, control: &Control) -> Result<f64> {
    let n = r.n();
    let mut v = start_vector(n);
    let v0 = norm(&v);
    v.iter_mut().for_each(|x| *x /= v0);
    let mut w = vec![0.0; n];
    // logs[s] = log ‖W v_s‖
    let mut logs: Vec<f64> = Vec::new();
    let mut previous: Option<f64> = None;
    let mut steps = POWER_MIN_STEPS;
    loop {
        while logs.len() < steps {
            control.check()?;
            matvec(r, &v, &mut w)?;
            let nw = norm(&w);
            if nw == 0.0 || !nw.is_finite() {
                // W^s v = 0: v lay in a nilpotent part; ρ cannot be seen from here
                return Ok(if nw == 0.0 { 0.0 } else { f64::INFINITY });
            }
            logs.push(nw.ln());
            for (x, y) in v.iter_mut().zip(&w) {
                *x = y / nw;
            }
        }
        let half = &logs[steps / 2..];
        let estimate = (half.iter().sum::<f64>() / half.len() as f64).exp();
        if let Some(p) = previous {
            if (estimate - p).abs() <= POWER_RTOL * estimate || steps >= POWER_MAX_STEPS {
                return Ok(estimate);
            }
        }
        previous = Some(estimate);
        steps *= 2;
    }
}

#[cfg(test)]
mod tests {
    use super::super::reservoir::ReservoirSpec;
    use super::*;
    use ndarray_linalg::EigVals;

    /// LAPACK's `dgeev` on W made dense: the reference.
    fn dense(r: &Reservoir) -> Result<f64> {
        let n = r.n();
        let mut w = Array2::<f64>::zeros((n, n));
        for i in 0..n {
            for p in r.indptr()[i]..r.indptr()[i + 1] {
                w[[i, r.indices()[p] as usize]] = r.values()[p];
            }
        }
        let eig = w.eigvals().map_err(|e| Error::Internal(format!("eigenvalues: {e}")))?;
        Ok(eig.iter().map(|z| z.norm()).fold(0.0, f64::max))
    }

    fn power(r: &Reservoir) -> Result<f64> {
        super::power(r, &Control::new())
    }

    fn arnoldi(r: &Reservoir) -> Result<f64> {
        super::arnoldi(r, &Control::new())
    }

    #[test]
    fn arnoldi_agrees_with_lapack_to_rounding() {
        for (n, c, seed) in [(1, 1.0, 1), (2, 1.0, 2), (50, 0.1, 3), (300, 1.0, 4), (700, 0.02, 5), (1500, 0.1, 6)] {
            let r = reservoir(n, c, seed);
            let unscaled = Reservoir::from_parts(
                n,
                1,
                r.indptr().to_vec(),
                r.indices().to_vec(),
                r.values().iter().map(|v| v * 3.7).collect(),
                r.w_in().to_vec(),
                r.bias().to_vec(),
                1.0,
            )
            .unwrap();
            let (d, a) = (dense(&unscaled).unwrap(), arnoldi(&unscaled).unwrap());
            assert!((a - d).abs() <= 1e-12 * d, "n={n} c={c}: Arnoldi {a} vs LAPACK {d}");
        }
    }

    #[test]
    fn a_cancelled_control_stops_both_methods() {
        let r = reservoir(300, 0.1, 7);
        let control = Control::new();
        control.cancel();
        assert_eq!(super::arnoldi(&r, &control), Err(Error::Interrupted));
        assert_eq!(super::power(&r, &control), Err(Error::Interrupted));
    }

    fn reservoir(n: usize, connectivity: f64, seed: u64) -> Reservoir {
        let spec = ReservoirSpec { n_reservoir: n, connectivity, spectral_radius: 1.0, ..ReservoirSpec::default() };
        Reservoir::generate(&spec, 1, seed, &Control::new()).unwrap()
    }

    #[test]
    fn power_iteration_agrees_with_the_dense_eigenvalues() {
        for (n, c, seed) in [(300, 0.1, 1), (500, 0.02, 2), (120, 1.0, 3)] {
            let r = reservoir(n, c, seed);
            let (d, p) = (dense(&r).unwrap(), power(&r).unwrap());
            assert!((d - 1.0).abs() < 1e-12, "scaled radius {d}");
            assert!((p - d).abs() < 1e-4 * d, "n={n} c={c}: power {p} vs dense {d}");
        }
    }

    #[test]
    fn known_spectra() {
        // a 3-cycle with weight 2: eigenvalues 2·(cube roots of unity), all of modulus 2
        let cycle =
            Reservoir::from_parts(3, 1, vec![0, 1, 2, 3], vec![1, 2, 0], vec![2.0; 3], vec![0.0; 3], vec![0.0; 3], 1.0)
                .unwrap();
        assert!((dense(&cycle).unwrap() - 2.0).abs() < 1e-12);
        assert!((arnoldi(&cycle).unwrap() - 2.0).abs() < 1e-12);
        assert!((power(&cycle).unwrap() - 2.0).abs() < 1e-9);
        // a rotation by 90° scaled by 3: eigenvalues ±3i
        let rot =
            Reservoir::from_parts(2, 1, vec![0, 1, 2], vec![1, 0], vec![-3.0, 3.0], vec![0.0; 2], vec![0.0; 2], 1.0)
                .unwrap();
        assert!((power(&rot).unwrap() - 3.0).abs() < 1e-9);
        assert!((arnoldi(&rot).unwrap() - 3.0).abs() < 1e-12);
        // nilpotent: strictly upper triangular
        let nil =
            Reservoir::from_parts(2, 1, vec![0, 1, 1], vec![1], vec![5.0], vec![0.0; 2], vec![0.0; 2], 1.0).unwrap();
        assert_eq!(dense(&nil).unwrap(), 0.0);
        assert_eq!(power(&nil).unwrap(), 0.0);
        assert_eq!(arnoldi(&nil).unwrap(), 0.0);
    }
}
