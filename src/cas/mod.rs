//! `quantumpanarchy.cas`: power-law fitting (the `powerlaw` package's estimators), the BTW
//! sandpile and self-organised criticality in price series. Plain Rust, no PyO3: the bindings are
//! in `src/python/cas/`.

pub mod powerlaw;
pub mod sandpile;
pub mod soc;
