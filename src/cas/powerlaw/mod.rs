//! Power-law fitting with the `powerlaw` package's estimators (Alstott, Bullmore & Plenz 2014;
//! Clauset, Shalizi & Newman 2009): continuous and discrete maximum likelihood, x_min by minimum
//! Kolmogorov–Smirnov distance, the log-likelihood ratio test against alternative distributions
//! and the semi-parametric bootstrap goodness-of-fit test.

mod alternatives;
mod bootstrap;
mod density;
mod fit;
mod logspecial;
mod optimize;
mod sample;
pub mod zeta;

pub use alternatives::{compare, Alternative, Comparison};
pub use bootstrap::goodness_of_fit;
pub use fit::{discrete_alpha, fit, Options, PowerLaw};
