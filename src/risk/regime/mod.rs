//! Market regimes: a hidden Markov model with Gaussian emissions (hmmlearn's `GaussianHMM`),
//! fitted by Baum–Welch (EM) with a scaled forward–backward pass, decoded by Viterbi in log
//! space, its states ordered by volatility after every fit (state 0 has the smallest covariance
//! trace).
//!
//! Observations are a row-major `T × d` matrix, cut into sequences by `lengths`.
//! - [`model`]: the parameters ([`Hmm`]), their checks, the emission densities.
//! - [`forward_backward`]: the scaled forward–backward pass (log-likelihood, posteriors, the
//!   sufficient statistics of one sequence) and Viterbi.
//! - [`em`]: Baum–Welch with hmmlearn's M-step (Dirichlet priors on the start and transition
//!   probabilities, normal / inverse-gamma (Wishart) priors on means and covariances), the
//!   variance floor and the ordering by volatility.
//! - [`init`]: seeded k-means++ and local-volatility quantile initialisation.

pub mod em;
pub mod forward_backward;
pub mod init;
pub mod model;

pub use em::{fit, FitOptions, FitResult, InitMethod, Priors};
pub use forward_backward::{posteriors, score, viterbi};
pub use model::{sample, Covariance, Hmm, Observations};

/// The largest number of states a model may have.
pub const MAX_STATES: usize = 64;
/// The largest number of features (columns of the observations).
pub const MAX_FEATURES: usize = 256;
