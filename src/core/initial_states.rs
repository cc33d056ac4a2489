//! Starting states of annealing reads from the states a caller gives, by dimod's `Initialized`
//! rules (the ones dwave-samplers' `SimulatedAnnealingSampler` follows): `num_reads` defaults to
//! the number of states given (or 1), extra states are dropped, and missing ones are an error
//! (`"none"`), the given ones again in order (`"tile"`), or random (`"random"`).

use crate::error::Result;
use crate::{ensure, invalid};

/// How missing starting states are made: dimod's `initial_states_generator`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Generator {
    /// Fewer states than reads is an error.
    None,
    /// The given states are repeated in order.
    Tile,
    /// Each read without a given state starts from a random one drawn from its own stream.
    Random,
}

impl Generator {
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "none" => Ok(Self::None),
            "tile" => Ok(Self::Tile),
            "random" => Ok(Self::Random),
            other => Err(invalid!("initial_states_generator must be 'none', 'tile' or 'random', got {other:?}")),
        }
    }
}

/// `num_reads` when the caller gives none: one read per given state, at least one.
pub fn default_num_reads(given: usize) -> usize {
    given.max(1)
}

/// The starting states of `num_reads` reads of `n` spins from `given` (row-major, whole rows):
/// the first `num_reads` of them, tiled up to `num_reads` rows for [`Generator::Tile`]. With
/// [`Generator::Random`] the result may hold fewer rows than reads; the reads past them start
/// from random states (see `anneal::initial_state`), and with no rows at all it is `None`, the
/// same as no states given (so a device draws them itself, as for a run without states).
pub fn expand(mut given: Vec<i8>, n: usize, num_reads: usize, generator: Generator) -> Result<Option<Vec<i8>>> {
    ensure!(n > 0 && given.len().is_multiple_of(n), "initial states must hold whole rows of {n} spins");
    let rows = given.len() / n;
    given.truncate(num_reads.saturating_mul(n));
    match generator {
        Generator::Random => {}
        Generator::None => ensure!(
            rows >= num_reads,
            "initial_states_generator='none' needs an initial state for each of the {num_reads} reads, got {rows}"
        ),
        Generator::Tile if rows < num_reads => {
            ensure!(rows > 0, "initial_states_generator='tile' needs at least one initial state to repeat");
            crate::error::check_alloc::<i8>(num_reads as u128 * n as u128, &format!("{num_reads} initial states"))?;
            let once = given.clone();
            given.extend(once.iter().cycle().take((num_reads - rows) * n));
        }
        Generator::Tile => {}
    }
    Ok((!given.is_empty()).then_some(given))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_of_dimods_initialized() {
        let two = vec![1, 1, -1, -1]; // two states of two spins
        assert_eq!(default_num_reads(0), 1);
        assert_eq!(default_num_reads(2), 2);
        for g in [Generator::None, Generator::Tile, Generator::Random] {
            assert_eq!(expand(two.clone(), 2, 1, g).unwrap(), Some(vec![1, 1]), "{g:?} truncates");
            assert_eq!(expand(two.clone(), 2, 2, g).unwrap(), Some(two.clone()));
        }
        let tiled = expand(two.clone(), 2, 5, Generator::Tile).unwrap();
        assert_eq!(tiled, Some(vec![1, 1, -1, -1, 1, 1, -1, -1, 1, 1]));
        assert_eq!(expand(two.clone(), 2, 5, Generator::Random).unwrap(), Some(two), "the rest are drawn later");
        assert!(expand(vec![1; 4], 2, 3, Generator::None).unwrap_err().to_string().contains("'none'"));
        assert!(expand(vec![], 2, 3, Generator::Tile).unwrap_err().to_string().contains("'tile'"));
        assert!(expand(vec![], 2, 3, Generator::Random).unwrap().is_none(), "no states: as if none were given");
        assert!(expand(vec![1, 1, 1], 2, 1, Generator::Random).is_err());
        assert_eq!(Generator::parse("tile").unwrap(), Generator::Tile);
        assert!(Generator::parse("Tile").is_err());
    }
}
