//! QAOA: statevector simulation of the quantum approximate optimisation algorithm, and a
//! portfolio optimiser built on it.

pub mod cost;
#[cfg(feature = "cuda")]
pub mod cuda;
pub mod engine;
pub mod optimize;
mod phase;
pub mod portfolio;
pub mod statevector;

use crate::backend::Choice;
use crate::control::Control;
use crate::error::Result;
use crate::rng::Stream;
use engine::{Engine, Evaluate};
use optimize::{Method, OptimizeResult, Options};
use portfolio::Portfolio;

/// How the angles are tuned.
#[derive(Debug, Clone, PartialEq)]
pub struct Qaoa {
    /// Depth p ≥ 1.
    pub num_layers: usize,
    pub optimizer: Method,
    /// Iterations per optimiser run (evaluations are capped at twice this).
    pub maxiter: usize,
    /// Random starts at depth 1 (besides the fixed one); deeper layers start from depth p − 1.
    pub restarts: usize,
    /// `None`: report the most probable bitstring; `Some(k)`: the lowest-energy of k shots.
    pub shots: Option<usize>,
    pub seed: u64,
}

impl Default for Qaoa {
    fn default() -> Self {
        Self { num_layers: 2, optimizer: Method::NelderMead, maxiter: 500, restarts: 3, shots: None, seed: 0 }
    }
}

/// The chosen allocation and how QAOA got there.
#[derive(Debug, Clone, PartialEq)]
pub struct PortfolioAllocation {
    /// Bit i set when asset i is selected.
    pub bitstring: u64,
    pub selected: Vec<bool>,
    /// Equal weights over the selected assets (all zero when none is selected).
    pub weights: Vec<f64>,
    /// wᵀμ.
    pub expected_return: f64,
    /// sqrt(wᵀΣw).
    pub risk: f64,
    /// expected_return / risk, no risk-free rate (0 when both are 0, ±inf when only risk is).
    pub sharpe_ratio: f64,
    /// E(x) of the chosen bitstring, penalty included.
    pub energy: f64,
    /// ⟨ψ|E|ψ⟩ at the final angles.
    pub expectation: f64,
    /// Exact minimum of E over all 2^n bitstrings.
    pub optimal_energy: f64,
    /// (E_max − ⟨E⟩)/(E_max − E_min) over all bitstrings: 1 when the state sits on the optimum,
    /// 0 on the worst bitstring; `None` when E is constant.
    pub approximation_ratio: Option<f64>,
    pub gammas: Vec<f64>,
    pub betas: Vec<f64>,
    /// ⟨E⟩ after each depth 1..=p.
    pub expectation_by_depth: Vec<f64>,
    pub nfev: usize,
    /// Probability of measuring an optimal bitstring (all of them, if there are ties).
    pub optimum_probability: f64,
    /// Probability of measuring a bitstring that holds exactly `budget` assets.
    pub feasible_probability: f64,
}

/// Tuned angles: the final (γ, β), ⟨C⟩ after each depth and the evaluations spent.
#[derive(Debug, Clone, PartialEq)]
pub struct Tuned {
    pub gammas: Vec<f64>,
    pub betas: Vec<f64>,
    pub by_depth: Vec<f64>,
    pub nfev: usize,
}

/// Deepest circuit tuned: 2p angles make the optimisers' simplices (2p + 1)·2p values, and
/// COBYLA inverts a 2p × 2p matrix per step (about 0.1 s at this depth), between two checks for
/// Ctrl-C. Depths used in practice are far below.
pub const MAX_LAYERS: usize = 64;
/// Largest `maxiter` and `restarts`: far beyond any run that ends, and small enough that
/// counts derived from them (evaluations = 2·maxiter) cannot overflow.
pub const MAX_COUNT: usize = u32::MAX as usize;

impl Qaoa {
    /// `Err(InvalidInput)` for a setting out of range (before anything is allocated).
    pub fn validate(&self) -> Result<()> {
        crate::ensure!(
            (1..=MAX_LAYERS).contains(&self.num_layers),
            "num_layers must be between 1 and {MAX_LAYERS}, got {}",
            self.num_layers
        );
        crate::ensure!(
            (1..=MAX_COUNT).contains(&self.maxiter),
            "maxiter must be between 1 and {MAX_COUNT}, got {}",
            self.maxiter
        );
        crate::ensure!(self.restarts <= MAX_COUNT, "restarts must be at most {MAX_COUNT}, got {}", self.restarts);
        crate::ensure!(self.shots != Some(0), "shots must be at least 1 when given");
        Ok(())
    }

    /// Tunes (γ, β) for ⟨C⟩ of the cost diagonal in `sim`, depth by depth: depth 1 from a fixed
    /// start and `restarts` random ones; depth p + 1 from the INTERP guess and from the depth-p
    /// optimum padded with a zero layer (which reproduces the depth-p state, so ⟨C⟩ never gets
    /// worse with depth). `sim` is a [`statevector::Simulator`] or an [`Engine`] on any backend.
    pub fn tune(&self, sim: &mut impl Evaluate, control: &Control) -> Result<Tuned> {
        self.validate()?;
        let c = sim.cost();
        let mean = c.iter().sum::<f64>() / c.len() as f64;
        let sd = (c.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / c.len() as f64).sqrt();
        // γ is measured against the spread of C: γ·sd of order 1 turns the phases over once.
        let gscale = if sd > 0.0 { 1.0 / sd } else { 1.0 };
        let opts = Options {
            maxiter: self.maxiter,
            maxfev: 2 * self.maxiter, // at most 2·MAX_COUNT: no overflow
            initial_step: 0.1,
            xatol: 1e-6,
            fatol: 1e-10 * (1.0 + sd),
            rhoend: 1e-6,
        };
        control.add_total(self.num_layers as u64);
        // angles are optimised in units of (gscale, 1): x = (γ/gscale..., β...)
        let mut objective = |x: &[f64]| -> Result<f64> {
            control.check()?;
            let p = x.len() / 2;
            let g: Vec<f64> = x[..p].iter().map(|v| v * gscale).collect();
            sim.expectation(&g, &x[p..])
        };
        let mut rng = Stream::new(self.seed, 0);
        // drawn one at a time: memory does not grow with `restarts`
        let random = (0..self.restarts).map(|_| vec![0.05 + 1.45 * rng.next_f64(), 0.05 + 0.75 * rng.next_f64()]);
        let starts = std::iter::once(vec![0.5, std::f64::consts::PI / 8.0]).chain(random);
        let mut nfev = 0usize;
        let mut best: OptimizeResult = optimize::minimize_with_restarts(self.optimizer, &mut objective, starts, &opts)?;
        nfev = nfev.saturating_add(best.nfev);
        let mut by_depth = vec![best.fun];
        control.advance(1);
        for p in 1..self.num_layers {
            let (g, b) = best.x.split_at(p);
            let interp: Vec<f64> = optimize::interp(g).into_iter().chain(optimize::interp(b)).collect();
            let padded: Vec<f64> = g.iter().chain(&[0.0]).chain(b).chain(&[0.0]).copied().collect();
            let r = optimize::minimize_with_restarts(self.optimizer, &mut objective, [interp, padded], &opts)?;
            nfev = nfev.saturating_add(r.nfev);
            best = r;
            by_depth.push(best.fun);
            control.advance(1);
        }
        let p = self.num_layers;
        let gammas = best.x[..p].iter().map(|v| v * gscale).collect();
        Ok(Tuned { gammas, betas: best.x[p..].to_vec(), by_depth, nfev })
    }

    /// Runs QAOA on the mean–variance QUBO of `problem` (see [`portfolio`] for the objective), on
    /// the CPU.
    pub fn optimize_portfolio(&self, problem: &Portfolio, control: &Control) -> Result<PortfolioAllocation> {
        self.optimize_portfolio_on(problem, Some(Choice::Cpu), control)
    }

    /// [`Qaoa::optimize_portfolio`] on the backend [`engine::resolve`] picks for `backend` (`None`:
    /// the process default).
    pub fn optimize_portfolio_on(
        &self,
        problem: &Portfolio,
        backend: Option<Choice>,
        control: &Control,
    ) -> Result<PortfolioAllocation> {
        self.validate()?;
        let n = problem.n();
        let qubo = problem.qubo();
        let diag = cost::cost_diagonal(&qubo.q, n)?;
        let (e_min, e_max) = diag.iter().fold((f64::MAX, f64::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
        let mut sim = Engine::new(diag, backend)?.with_control(control);
        let Tuned { gammas, betas, by_depth, nfev } = self.tune(&mut sim, control)?;
        let expectation = sim.expectation(&gammas, &betas)?;
        let probs = sim.probabilities()?;
        let bitstring = match self.shots {
            None => probs.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).map_or(0, |(x, _)| x as u64),
            Some(shots) => {
                let draws = statevector::sample(&probs, shots, self.seed)?;
                let cost = sim.cost();
                draws.into_iter().min_by(|&a, &b| cost[a as usize].total_cmp(&cost[b as usize])).unwrap_or(0)
            }
        };
        let selected: Vec<bool> = (0..n).map(|i| (bitstring >> i) & 1 == 1).collect();
        let k = bitstring.count_ones() as f64;
        let weights: Vec<f64> = selected.iter().map(|&s| if s { 1.0 / k } else { 0.0 }).collect();
        let expected_return: f64 = weights.iter().zip(&problem.returns).map(|(w, m)| w * m).sum();
        let variance: f64 =
            (0..n).map(|i| (0..n).map(|j| weights[i] * problem.covariance[i * n + j] * weights[j]).sum::<f64>()).sum();
        let risk = variance.max(0.0).sqrt();
        let sharpe_ratio = match (risk > 0.0, expected_return == 0.0) {
            (true, _) => expected_return / risk,
            (false, true) => 0.0,
            (false, false) => expected_return.signum() * f64::INFINITY,
        };
        let approximation_ratio = (e_max > e_min).then(|| (e_max - expectation) / (e_max - e_min));
        let cost = sim.cost();
        let optimum_probability = probs.iter().zip(cost).filter(|(_, &c)| c == e_min).map(|(p, _)| p).sum();
        let feasible_probability =
            (0u64..).zip(&probs).filter(|(x, _)| x.count_ones() as usize == problem.budget).map(|(_, p)| p).sum();
        Ok(PortfolioAllocation {
            bitstring,
            selected,
            weights,
            expected_return,
            risk,
            sharpe_ratio,
            energy: sim.cost()[bitstring as usize] + qubo.offset,
            expectation: expectation + qubo.offset,
            optimal_energy: e_min + qubo.offset,
            approximation_ratio,
            gammas,
            betas,
            expectation_by_depth: by_depth.iter().map(|e| e + qubo.offset).collect(),
            nfev,
            optimum_probability,
            feasible_probability,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::portfolio::tests::random_problem;
    use super::*;

    fn problem() -> Portfolio {
        let (mu, cov) = random_problem(6, 2024);
        Portfolio::new(&mu, &cov, 0.5, Some(3), None).unwrap()
    }

    #[test]
    fn approximation_ratio_grows_with_depth() {
        let p = problem();
        let mut ratios = Vec::new();
        for layers in 1..=3 {
            for optimizer in [Method::NelderMead, Method::Cobyla] {
                let q = Qaoa { num_layers: layers, optimizer, seed: 3, ..Qaoa::default() };
                let r = q.optimize_portfolio(&p, &Control::new()).unwrap();
                let ratio = r.approximation_ratio.unwrap();
                assert!((0.0..=1.0).contains(&ratio), "{ratio}");
                // ⟨E⟩ never increases from one depth to the next within a run
                assert!(r.expectation_by_depth.windows(2).all(|w| w[1] <= w[0] + 1e-12), "{r:?}");
                assert!((r.expectation - r.expectation_by_depth[layers - 1]).abs() < 1e-9);
                if optimizer == Method::NelderMead {
                    ratios.push(ratio);
                }
            }
        }
        assert!(ratios.windows(2).all(|w| w[1] >= w[0] - 1e-12), "{ratios:?}");
        assert!(ratios[2] > ratios[0], "{ratios:?}");
    }

    #[test]
    fn allocation_fields_are_consistent() {
        let p = problem();
        let q = Qaoa { num_layers: 2, seed: 1, ..Qaoa::default() };
        let r = q.optimize_portfolio(&p, &Control::new()).unwrap();
        let (x_opt, e_opt) = portfolio::exact_optimum(&p).unwrap();
        assert!((r.optimal_energy - e_opt).abs() < 1e-12);
        assert!((r.energy - p.objective(r.bitstring)).abs() < 1e-12);
        assert!(r.energy >= e_opt - 1e-12 && r.expectation >= e_opt - 1e-12);
        let k = r.selected.iter().filter(|&&s| s).count();
        assert_eq!(k as u32, r.bitstring.count_ones());
        assert!((r.weights.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!((r.sharpe_ratio - r.expected_return / r.risk).abs() < 1e-12);
        assert_eq!((r.gammas.len(), r.betas.len()), (2, 2));
        let probs =
            statevector::probabilities(&cost::cost_diagonal(&p.qubo().q, 6).unwrap(), &r.gammas, &r.betas).unwrap();
        assert!((r.optimum_probability - probs[x_opt as usize]).abs() < 1e-15);
        let feasible: f64 = (0..64).filter(|x: &usize| x.count_ones() == 3).map(|x| probs[x]).sum();
        assert!((r.feasible_probability - feasible).abs() < 1e-12);
        assert!(r.optimum_probability <= r.feasible_probability);
        // deterministic for a seed, and sampling mode returns the best sampled bitstring
        assert_eq!(r, q.optimize_portfolio(&p, &Control::new()).unwrap());
        let s = Qaoa { shots: Some(2000), ..q.clone() }.optimize_portfolio(&p, &Control::new()).unwrap();
        assert_eq!(s.bitstring, x_opt, "2000 shots of a tuned state should hit the optimum");
    }

    #[test]
    fn bad_configs_and_cancellation_are_errors() {
        let p = problem();
        let c = Control::new();
        assert!(Qaoa { num_layers: 0, ..Qaoa::default() }.optimize_portfolio(&p, &c).is_err());
        assert!(Qaoa { shots: Some(0), ..Qaoa::default() }.optimize_portfolio(&p, &c).is_err());
        for bad in [
            Qaoa { num_layers: MAX_LAYERS + 1, ..Qaoa::default() },
            Qaoa { maxiter: usize::MAX, ..Qaoa::default() },
            Qaoa { restarts: usize::MAX, ..Qaoa::default() },
        ] {
            assert!(matches!(bad.validate(), Err(crate::error::Error::InvalidInput(_))), "{bad:?}");
        }
        c.cancel();
        assert_eq!(Qaoa::default().optimize_portfolio(&p, &c), Err(crate::error::Error::Interrupted));
    }
}
