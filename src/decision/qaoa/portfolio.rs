//! Mean–variance portfolio selection with a budget, as a QUBO.
//!
//! Convention: with t = `risk_tolerance` ∈ [0, 1], the objective over x ∈ {0,1}ⁿ is
//!
//!   E(x) = (1 − t)·xᵀΣx − t·μᵀx + A·(Σ_i x_i − B)²,
//!
//! so t = 0 minimises variance alone, t = 1 maximises return alone, and the default t = 0.5
//! weighs both equally (Qiskit's `PortfolioOptimization` with risk factor q = (1 − t)/t, up to
//! the overall scale t). E(x) = xᵀQx + offset for the symmetric Q built here.

use crate::error::{check_finite, check_finite_matrix, check_symmetric, Result};

/// Relative tolerance for the symmetry and positive-semidefiniteness checks of Σ.
const COV_RTOL: f64 = 1e-9;

/// A validated mean–variance problem.
#[derive(Debug, Clone, PartialEq)]
pub struct Portfolio {
    pub returns: Vec<f64>,
    /// Row-major n×n covariance.
    pub covariance: Vec<f64>,
    pub risk_tolerance: f64,
    pub budget: usize,
    pub penalty: f64,
}

/// xᵀQx + offset = E(x) for every x.
#[derive(Debug, Clone, PartialEq)]
pub struct Qubo {
    pub n: usize,
    pub q: Vec<f64>,
    pub offset: f64,
}

impl Portfolio {
    /// Validates the inputs. `budget` defaults to ⌈n/2⌉ and `penalty` to [`default_penalty`].
    pub fn new(
        returns: &[f64],
        covariance: &[f64],
        risk_tolerance: f64,
        budget: Option<usize>,
        penalty: Option<f64>,
    ) -> Result<Self> {
        let n = returns.len();
        crate::ensure!(n >= 1, "returns must not be empty");
        crate::ensure!(
            covariance.len() == n * n,
            "covariance must be {n}×{n} to match {n} returns, got {} entries",
            covariance.len()
        );
        check_finite(returns, "returns")?;
        check_finite_matrix(covariance, n, "covariance")?;
        crate::ensure!((0.0..=1.0).contains(&risk_tolerance), "risk_tolerance must be in [0, 1], got {risk_tolerance}");
        check_covariance(covariance, n)?;
        check_budget_penalty(n, budget, penalty)?;
        let budget = budget.unwrap_or(n.div_ceil(2));
        let penalty = penalty.unwrap_or_else(|| default_penalty(returns, covariance, risk_tolerance));
        Ok(Self { returns: returns.to_vec(), covariance: covariance.to_vec(), risk_tolerance, budget, penalty })
    }

    pub fn n(&self) -> usize {
        self.returns.len()
    }

    /// E(x) evaluated directly.
    pub fn objective(&self, x: u64) -> f64 {
        let n = self.n();
        let t = self.risk_tolerance;
        let var = super::cost::evaluate(&self.covariance, n, x);
        let ret: f64 = (0..n).filter(|i| (x >> i) & 1 == 1).map(|i| self.returns[i]).sum();
        let k = x.count_ones() as f64 - self.budget as f64;
        (1.0 - t) * var - t * ret + self.penalty * k * k
    }

    /// The QUBO: x_i² = x_i puts the linear terms on the diagonal, and
    /// A(Σx − B)² = A·Σ_ij x_i x_j − 2AB·Σ_i x_i + AB².
    pub fn qubo(&self) -> Qubo {
        let n = self.n();
        let (t, a, b) = (self.risk_tolerance, self.penalty, self.budget as f64);
        let mut q: Vec<f64> = self.covariance.iter().map(|s| (1.0 - t) * s + a).collect();
        for i in 0..n {
            q[i * n + i] += -t * self.returns[i] - 2.0 * a * b;
        }
        // exact symmetry, whatever rounding the input carried
        for i in 0..n {
            for j in 0..i {
                let m = 0.5 * (q[i * n + j] + q[j * n + i]);
                q[i * n + j] = m;
                q[j * n + i] = m;
            }
        }
        Qubo { n, q, offset: a * b * b }
    }
}

/// Checks a budget (1..=n) and a penalty (finite, ≥ 0) when given.
pub fn check_budget_penalty(n: usize, budget: Option<usize>, penalty: Option<f64>) -> Result<()> {
    if let Some(b) = budget {
        crate::ensure!((1..=n).contains(&b), "budget must be between 1 and {n}, got {b}");
    }
    if let Some(a) = penalty {
        crate::ensure!(a.is_finite() && a >= 0.0, "penalty must be finite and non-negative, got {a}");
    }
    Ok(())
}

/// The default budget penalty A = 1.1·R (R > 0; A = 1 when R = 0), with
/// R = (1 − t)·Σ_ij |Σ_ij| + t·Σ_i |μ_i|.
///
/// Why it suffices: f(x) = (1 − t)xᵀΣx − t·μᵀx varies by at most R over all x, and a bitstring
/// that misses the budget pays A·(Σx − B)² ≥ A. So E(violator) ≥ min f + A > max f ≥ E(any
/// feasible x): every budget-violating x is worse than every feasible one, the best included.
pub fn default_penalty(returns: &[f64], covariance: &[f64], risk_tolerance: f64) -> f64 {
    let t = risk_tolerance;
    let r =
        (1.0 - t) * covariance.iter().map(|v| v.abs()).sum::<f64>() + t * returns.iter().map(|v| v.abs()).sum::<f64>();
    if r > 0.0 {
        1.1 * r
    } else {
        1.0
    }
}

/// Symmetric within `COV_RTOL` of its largest entry, and positive semidefinite up to the same
/// relative tolerance (a Cholesky factorisation of Σ + COV_RTOL·max|Σ|·I succeeds).
fn check_covariance(cov: &[f64], n: usize) -> Result<()> {
    check_symmetric(cov, n, COV_RTOL, "covariance")?;
    let scale = cov.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let shift = COV_RTOL * scale.max(f64::MIN_POSITIVE);
    let mut l = vec![0.0; n * n];
    for j in 0..n {
        let d = cov[j * n + j] + shift - (0..j).map(|k| l[j * n + k] * l[j * n + k]).sum::<f64>();
        crate::ensure!(d > 0.0, "covariance must be positive semidefinite (it fails at row {j})");
        let d = d.sqrt();
        l[j * n + j] = d;
        for i in j + 1..n {
            let s = cov[i * n + j] - (0..j).map(|k| l[i * n + k] * l[j * n + k]).sum::<f64>();
            l[i * n + j] = s / d;
        }
    }
    Ok(())
}

/// Exact minimum of E by enumeration (n ≤ 20): (bitstring, E).
pub fn exact_optimum(p: &Portfolio) -> Result<(u64, f64)> {
    let n = p.n();
    crate::ensure!(n <= 20, "exact enumeration is limited to 20 assets, got {n}");
    let qubo = p.qubo();
    let c = super::cost::cost_diagonal(&qubo.q, n)?;
    let (x, e) = c.iter().enumerate().min_by(|a, b| a.1.total_cmp(b.1)).expect("2^n ≥ 2 states");
    Ok((x as u64, e + qubo.offset))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::rng::Stream;

    /// μ and a PSD Σ = GᵀG/n from a seeded random G.
    pub(crate) fn random_problem(n: usize, seed: u64) -> (Vec<f64>, Vec<f64>) {
        let mut s = Stream::new(seed, 0);
        let mu: Vec<f64> = (0..n).map(|_| 0.05 + 0.1 * s.next_f64()).collect();
        let g: Vec<f64> = (0..n * n).map(|_| 0.2 * (s.next_f64() - 0.5)).collect();
        let mut cov = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                cov[i * n + j] = (0..n).map(|k| g[k * n + i] * g[k * n + j]).sum::<f64>() / n as f64;
            }
        }
        (mu, cov)
    }

    #[test]
    fn qubo_equals_the_objective_for_every_bitstring() {
        for (n, t, budget) in [(1, 0.5, 1), (4, 0.3, 2), (6, 0.5, 3), (7, 1.0, 5), (5, 0.0, 1)] {
            let (mu, cov) = random_problem(n, n as u64 * 7 + 1);
            let p = Portfolio::new(&mu, &cov, t, Some(budget), None).unwrap();
            let qubo = p.qubo();
            let c = crate::decision::qaoa::cost::cost_diagonal(&qubo.q, n).unwrap();
            for (x, cx) in c.iter().enumerate() {
                let e = p.objective(x as u64);
                assert!(
                    (cx + qubo.offset - e).abs() < 1e-12 * (1.0 + e.abs()),
                    "n={n} x={x}: {} vs {e}",
                    cx + qubo.offset
                );
            }
        }
    }

    #[test]
    fn default_penalty_makes_every_violator_worse_than_every_feasible_choice() {
        for seed in 0..5 {
            let n = 6;
            let (mut mu, cov) = random_problem(n, seed);
            // large returns: the regime where a weak penalty would let x = all ones win
            mu.iter_mut().for_each(|m| *m *= 50.0);
            let p = Portfolio::new(&mu, &cov, 0.9, Some(2), None).unwrap();
            let worst_feasible =
                (0..1u64 << n).filter(|x| x.count_ones() == 2).map(|x| p.objective(x)).fold(f64::MIN, f64::max);
            let best_violator =
                (0..1u64 << n).filter(|x| x.count_ones() != 2).map(|x| p.objective(x)).fold(f64::MAX, f64::min);
            assert!(best_violator > worst_feasible, "seed {seed}");
            let (x, _) = exact_optimum(&p).unwrap();
            assert_eq!(x.count_ones(), 2);
        }
    }

    #[test]
    fn bad_inputs_are_errors() {
        let (mu, cov) = random_problem(3, 1);
        assert!(Portfolio::new(&[], &[], 0.5, None, None).is_err());
        assert!(Portfolio::new(&mu, &cov[..8], 0.5, None, None).is_err());
        assert!(Portfolio::new(&[f64::NAN, 0.1, 0.1], &cov, 0.5, None, None).is_err());
        assert!(Portfolio::new(&mu, &cov, 1.5, None, None).is_err());
        assert!(Portfolio::new(&mu, &cov, 0.5, Some(0), None).is_err());
        assert!(Portfolio::new(&mu, &cov, 0.5, Some(4), None).is_err());
        assert!(Portfolio::new(&mu, &cov, 0.5, None, Some(-1.0)).is_err());
        let mut asym = cov.clone();
        asym[1] += 0.01;
        assert!(Portfolio::new(&mu, &asym, 0.5, None, None).is_err());
        // indefinite: correlation above 1
        assert!(Portfolio::new(&[0.1, 0.1], &[1.0, 2.0, 2.0, 1.0], 0.5, None, None).is_err());
        // singular but PSD is fine
        assert!(Portfolio::new(&[0.1, 0.1], &[1.0, 1.0, 1.0, 1.0], 0.5, None, None).is_ok());
        assert_eq!(Portfolio::new(&mu, &cov, 0.5, None, None).unwrap().budget, 2);
    }
}
