//! `quantumpanarchy.automl`: the models the search tries, each usable alone (scikit-learn's
//! estimator API is in `python/quantumpanarchy/_automl/`), and what they share. Plain Rust, no
//! PyO3: the bindings are in `src/python/automl/`.

pub mod bayes;
pub mod binning;
pub mod data;
pub mod elastic_net;
pub mod forest;
pub mod hist_gbt;
pub mod knn;
pub mod lbfgs;
pub mod linear;
pub mod logistic;
pub mod mlp;
pub mod naive_bayes;
pub mod tree;
