//! `quantumpanarchy.blackswan`: extreme value theory (peaks over threshold with the generalized
//! Pareto distribution, block maxima with the GEV, Hill's estimator, EVT VaR/ES, return levels
//! with intervals). Plain Rust, no PyO3: the bindings are in `src/python/blackswan.rs`.
