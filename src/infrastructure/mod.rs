//! `quantumpanarchy.infrastructure`: the engines behind the services that call the analytics many
//! times a second. A priority LRU cache with per-entry expiry ([`cache`]), a circuit breaker
//! ([`breaker`]), and hardware discovery with load balancing over the devices ([`hardware`]).
//! Plain Rust, no PyO3: the bindings are in `src/python/infrastructure/`, which supply the keys'
//! hashes and comparisons and the clock.

pub mod breaker;
pub mod cache;
pub mod hardware;

use std::sync::OnceLock;
use std::time::Instant;

/// Seconds on a monotonic clock (from the first call in this process): the default clock of the
/// cache and the breaker. Only differences of its readings mean anything.
pub fn monotonic() -> f64 {
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_secs_f64()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_monotonic_clock_never_goes_back() {
        let a = super::monotonic();
        let b = super::monotonic();
        assert!(a >= 0.0 && b >= a);
    }
}
