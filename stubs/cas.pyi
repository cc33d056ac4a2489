"""Complex adaptive systems: power-law fitting with the ``powerlaw`` package's names and numbers,
the Bak–Tang–Wiesenfeld sandpile, and self-organised criticality in price series."""

# Everything is typed where it is implemented (python/quantumpanarchy/_cas/, one module per
# part); this stub re-exports it, one line per name, grouped by part.

from ._cas.powerlaw import PowerLawFit as PowerLawFit
from ._cas.powerlaw import hurwitz_zeta as hurwitz_zeta
from ._cas.sandpile import AvalancheRecord as AvalancheRecord
from ._cas.sandpile import Sandpile as Sandpile
from ._cas.soc import Avalanche as Avalanche
from ._cas.soc import SOCEngine as SOCEngine

__all__: list[str] = [
    "Avalanche",
    "AvalancheRecord",
    "PowerLawFit",
    "SOCEngine",
    "Sandpile",
    "hurwitz_zeta",
]
