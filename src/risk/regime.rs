//! Market regimes: a Gaussian hidden Markov model.
