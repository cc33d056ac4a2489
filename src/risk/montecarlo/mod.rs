//! Monte Carlo VaR and CVaR: correlated normal or multivariate Student-t scenarios of the assets'
//! returns, each priced into a loss by a [`Position`], reduced to the loss distribution's
//! upper-tail quantile (VaR) and tail mean (CVaR) with their Monte Carlo standard errors.
//!
//! - Scenario `i` is a pure function of `(seed, i)`: its normals come from the counter-based
//!   generator of [`crate::philox`] (counter `(i, pair, stream)`), so the same seed gives the same
//!   bits on any number of threads, and on the GPU ([`cuda`]), which runs the same arithmetic.
//! - Scenarios are generated and priced in chunks ([`engine`]): only the 1-D loss vector is held
//!   (8 bytes a scenario), never the scenario matrix, unless [`simulate_returns`] asks for it.
//! - The covariance is factored by a pivoted Cholesky decomposition ([`factor`]) that accepts a
//!   singular positive semi-definite matrix and refuses one with a negative eigenvalue.
//! - The tail statistics and their standard errors are in [`tail`].

pub mod engine;
pub mod factor;
#[cfg(target_arch = "x86_64")]
mod simd;
pub mod tail;

#[cfg(feature = "cuda")]
pub mod cuda;

use crate::backend::{self, Backend, Choice};
use crate::control::Control;
use crate::error::{check_finite, check_finite_matrix, Error, Result};

pub use engine::{Linear, Position};
pub use factor::Factor;
pub use tail::{Tail, TailPart};

/// The scenario distribution of the assets' one-period returns.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Distribution {
    /// Multivariate normal N(μ, Σ).
    Normal,
    /// Multivariate Student t with `dof` ν > 2 degrees of freedom, scaled so that its covariance
    /// is Σ (scale matrix Σ(ν − 2)/ν).
    StudentT { dof: f64 },
}

impl Distribution {
    /// `"normal"` or `"student_t"` (with `dof`, required for it and refused for the normal).
    pub fn parse(name: &str, dof: Option<f64>) -> Result<Self> {
        match (name, dof) {
            ("normal", None) => Ok(Self::Normal),
            ("normal", Some(_)) => Err(crate::invalid!("dof applies to distribution='student_t' only; leave it None")),
            ("student_t", None) => Err(crate::invalid!("distribution='student_t' needs dof (degrees of freedom > 2)")),
            ("student_t", Some(nu)) => {
                crate::ensure!(nu.is_finite() && nu > 2.0, "dof must be a finite number > 2, got {nu}");
                Ok(Self::StudentT { dof: nu })
            }
            (other, _) => Err(crate::invalid!("distribution must be 'normal' or 'student_t', got {other:?}")),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::StudentT { .. } => "student_t",
        }
    }
}

/// Marsaglia–Tsang constants of the Gamma(ν/2, 1) draw of a Student-t scenario: d = ν/2 − 1/3,
/// c = 1/√(9d).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GammaConst {
    pub nu: f64,
    pub d: f64,
    pub c: f64,
}

impl GammaConst {
    fn new(nu: f64) -> Self {
        let d = nu / 2.0 - 1.0 / 3.0;
        Self { nu, d, c: 1.0 / (9.0 * d).sqrt() }
    }
}

/// Everything a scenario depends on, validated and precomputed: scenario `i`'s return of asset `a`
/// is `mean_h[a] + g_i · Σ_{k < len[a]} rows[a·rank + k] · z_{i,k}`, with `z_i` its standard
/// normals and `g_i` = 1 (normal) or √(ν / W_i), W_i ~ χ²_ν (Student t).
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub num_assets: usize,
    pub rank: usize,
    /// h·μ, per asset.
    pub mean_h: Vec<f64>,
    /// √h · (scale) · the Cholesky factor, one row of `rank` per asset in asset order.
    pub rows: Vec<f64>,
    /// The number of leading entries of each row that may be non-zero (its summation length).
    pub len: Vec<u32>,
    pub gamma: Option<GammaConst>,
    pub key: [u32; 2],
    pub distribution: Distribution,
}

impl Model {
    /// Validates `mean` (n), `cov` (n × n, row-major) and `horizon`, and factors the covariance.
    pub fn new(mean: &[f64], cov: &[f64], horizon: f64, distribution: Distribution, seed: u64) -> Result<Self> {
        let n = mean.len();
        crate::ensure!(n > 0, "mean must have at least one asset");
        crate::ensure!(
            cov.len() == n * n,
            "cov must be {n} x {n} (one row and column per asset of mean), got {} values",
            cov.len()
        );
        check_finite(mean, "mean")?;
        check_finite_matrix(cov, n, "cov")?;
        crate::ensure!(horizon.is_finite() && horizon > 0.0, "horizon must be a finite number > 0, got {horizon}");
        let f = Factor::new(cov, n)?;
        let scale = match distribution {
            Distribution::Normal => horizon.sqrt(),
            Distribution::StudentT { dof } => horizon.sqrt() * ((dof - 2.0) / dof).sqrt(),
        };
        let rows: Vec<f64> = f.rows.iter().map(|v| v * scale).collect();
        let mean_h: Vec<f64> = mean.iter().map(|m| horizon * m).collect();
        crate::ensure!(
            rows.iter().chain(&mean_h).all(|v| v.is_finite()),
            "mean, cov and horizon overflow double precision when scaled (h·mean, √h·chol(cov)); rescale the returns"
        );
        let gamma = match distribution {
            Distribution::Normal => None,
            Distribution::StudentT { dof } => Some(GammaConst::new(dof)),
        };
        let len = f.len.iter().map(|&l| l as u32).collect();
        Ok(Self { num_assets: n, rank: f.rank, mean_h, rows, len, gamma, key: crate::philox::key(seed), distribution })
    }
}

/// What a Monte Carlo VaR run returns.
#[derive(Debug, Clone, PartialEq)]
pub struct McResult {
    pub tail: Tail,
    pub num_scenarios: usize,
    pub backend: Backend,
    /// The scenario matrix (num_scenarios × num_assets, row-major) when it was asked for.
    pub scenarios: Option<Vec<f64>>,
}

/// Work units (multiply-adds) of `num_scenarios` scenarios, for the choice of backend.
fn work(model: &Model, num_scenarios: usize) -> f64 {
    num_scenarios as f64 * (model.num_assets * (model.rank + 1) + 8 * model.rank) as f64
}

/// `auto` sends runs of at least this many multiply-adds to the GPU (about 10^5 scenarios of 20
/// assets), below which the launch and the copy back cost more than they save.
const AUTO_GPU_WORK: f64 = 5e7;

/// Which backend runs `num_scenarios` scenarios of `model`, checking what the GPU supports.
pub fn choose_backend(choice: Choice, model: &Model, num_scenarios: usize) -> Result<Backend> {
    let b = backend::resolve(Some(choice), work(model, num_scenarios), AUTO_GPU_WORK)?;
    #[cfg(feature = "cuda")]
    if b == Backend::Cuda && model.rank > cuda::MAX_RANK {
        if choice == Choice::Cuda {
            return Err(Error::BackendUnavailable(format!(
                "the CUDA Monte Carlo kernel handles covariances of rank at most {}, this one has rank {}: use \
                 backend='cpu'",
                cuda::MAX_RANK,
                model.rank
            )));
        }
        return Ok(Backend::Cpu);
    }
    Ok(b)
}

/// The losses of scenarios `0..num_scenarios` on `backend` (linear `position` on the GPU), and the
/// scenario matrix when `keep_scenarios`.
fn simulate(
    model: &Model,
    position: &Linear,
    num_scenarios: usize,
    backend: Backend,
    keep_scenarios: bool,
    control: &Control,
) -> Result<(Vec<f64>, Option<Vec<f64>>)> {
    control.add_total(num_scenarios as u64);
    match backend {
        Backend::Cpu => engine::simulate(model, position, num_scenarios, keep_scenarios, control),
        #[cfg(feature = "cuda")]
        Backend::Cuda => cuda::simulate(model, position, num_scenarios, keep_scenarios, control),
        #[cfg(not(feature = "cuda"))]
        Backend::Cuda => Err(Error::Internal("the CUDA backend was chosen in a build without it".into())),
    }
}

/// Monte Carlo VaR and CVaR at level `alpha` of the linear position `weights` (loss −w·x).
#[allow(clippy::too_many_arguments)]
pub fn monte_carlo_var(
    model: &Model,
    weights: &[f64],
    alpha: f64,
    num_scenarios: usize,
    choice: Choice,
    keep_scenarios: bool,
    control: &Control,
) -> Result<McResult> {
    tail::check_alpha(alpha)?;
    crate::ensure!(num_scenarios >= 2, "num_scenarios must be at least 2, got {num_scenarios}");
    let position = Linear::new(weights, model.num_assets)?;
    let backend = choose_backend(choice, model, num_scenarios)?;
    let (losses, scenarios) = simulate(model, &position, num_scenarios, backend, keep_scenarios, control)?;
    control.check()?;
    let tail = tail::summarize(&losses, alpha)?;
    Ok(McResult { tail, num_scenarios, backend, scenarios })
}

/// The [`TailPart`] of scenarios `first..first + count` of a [`monte_carlo_var`] run of `total`
/// scenarios, on the CPU: parts of consecutive ranges, simulated apart, [`tail::merge`] into that
/// run's VaR and CVaR bit for bit (on either backend: both draw the same scenarios). `keep_all`
/// keeps every loss, for when the merge found a part's bound too high. A `count` of 0 checks the
/// arguments only.
#[allow(clippy::too_many_arguments)]
pub fn monte_carlo_var_part(
    model: &Model,
    weights: &[f64],
    alpha: f64,
    first: usize,
    count: usize,
    total: usize,
    keep_all: bool,
    control: &Control,
) -> Result<TailPart> {
    tail::check_alpha(alpha)?;
    crate::ensure!(total >= 2, "num_scenarios must be at least 2, got {total}");
    let position = Linear::new(weights, model.num_assets)?;
    crate::ensure!(
        first.checked_add(count).is_some_and(|end| end <= total),
        "scenarios {first}..{first}+{count} lie outside the run's {total}"
    );
    control.add_total(count as u64);
    let (losses, _) = engine::simulate_range(model, &position, first as u64, count, false, control)?;
    control.check()?;
    tail::part(&losses, first, total, alpha, keep_all)
}

/// The scenario matrix (num_scenarios × num_assets, row-major): the returns [`monte_carlo_var`]
/// prices for the same model (seed included), bit for bit.
pub fn simulate_returns(model: &Model, num_scenarios: usize, choice: Choice, control: &Control) -> Result<Vec<f64>> {
    crate::ensure!(num_scenarios >= 1, "num_scenarios must be at least 1, got {num_scenarios}");
    let position = Linear::new(&vec![0.0; model.num_assets], model.num_assets)?;
    let backend = choose_backend(choice, model, num_scenarios)?;
    let (_, scenarios) = simulate(model, &position, num_scenarios, backend, true, control)?;
    scenarios.ok_or_else(|| Error::Internal("the scenario matrix was not kept".into()))
}

#[cfg(test)]
mod tests;
