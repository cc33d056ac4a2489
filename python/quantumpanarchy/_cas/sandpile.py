"""The Bak–Tang–Wiesenfeld sandpile: grains added at random sites of an L×L grid with open
boundaries, each addition's avalanche recorded (size, area, duration). See ``docs/cas.md``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .._decision._params import check_int
from .._native import cas as _native

__all__ = ["AvalancheRecord", "Sandpile"]

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class AvalancheRecord:
    """The avalanches of one :meth:`Sandpile.drive`, one entry per added grain (0 where the grain
    toppled nothing).

    Attributes
    ----------
    sizes : numpy.ndarray of int64
        Topplings caused by the grain (a site toppling twice counts twice).
    areas : numpy.ndarray of int64
        Distinct sites that toppled.
    durations : numpy.ndarray of int64
        Generations of the parallel update: in each, every site holding 4 or more grains at its
        start topples once.
    """

    sizes: IntArray
    areas: IntArray
    durations: IntArray

    def __len__(self) -> int:
        return len(self.sizes)

    def to_dict(self) -> dict[str, IntArray]:
        """The three arrays by name."""
        return {"sizes": self.sizes, "areas": self.areas, "durations": self.durations}

    def __repr__(self) -> str:
        n = len(self.sizes)
        mean = float(self.sizes.mean()) if n else 0.0
        return f"AvalancheRecord(grains={n}, mean_size={mean:.4g}, max_size={int(self.sizes.max()) if n else 0})"


class Sandpile:
    """The BTW sandpile on an L×L grid with open boundaries.

    A site holding 4 or more grains topples: it loses 4 and each of its (up to 4) lattice
    neighbours gains one; grains pushed over the edge leave the pile. :meth:`drive` adds grains one
    at a time at uniformly random sites (a seeded stream) and relaxes the pile after each.

    Parameters
    ----------
    L : int
        Side of the grid, 1 to 32768.
    seed : int, optional
        Seed of the stream of sites; None draws one from the operating system.

    Raises
    ------
    InvalidInputError
        ``L`` outside [1, 32768] or a negative seed.

    Examples
    --------
    >>> pile = Sandpile(16, seed=1)
    >>> record = pile.drive(1000)
    >>> len(record.sizes), int(pile.grid.max()) <= 3
    (1000, True)
    """

    __slots__ = ("_core",)

    def __init__(self, L: int, seed: int | None = None) -> None:
        L = check_int(L, "L", 1)
        if seed is not None:
            seed = check_int(seed, "seed")
        self._core = _native.SandpileCore(L, seed)

    @property
    def L(self) -> int:  # noqa: N802 - the physics name
        """Side of the grid."""
        return int(self._core.side)

    @property
    def grains(self) -> int:
        """Grains added so far."""
        return int(self._core.grains)

    @property
    def grid(self) -> IntArray:
        """A copy of the heights (L×L, values 0 to 3 between drives)."""
        flat: IntArray = self._core.grid()
        return flat.reshape(self.L, self.L)

    def drive(self, num_grains: int) -> AvalancheRecord:
        """Add ``num_grains`` grains, relaxing after each, and record every avalanche.

        The pile keeps its state between calls: two drives of n and m grains give the same
        records and grid as one drive of n + m. Ctrl-C interrupts a long drive and leaves the pile
        as it was before the call.

        Parameters
        ----------
        num_grains : int
            Grains to add (≥ 0).

        Returns
        -------
        AvalancheRecord
            ``sizes``, ``areas``, ``durations``: one int64 entry per grain.

        Raises
        ------
        InvalidInputError
            A negative ``num_grains``.
        """
        num_grains = check_int(num_grains, "num_grains", 0)
        sizes, areas, durations = self._core.drive(num_grains)
        return AvalancheRecord(sizes, areas, durations)

    def __getstate__(self) -> tuple[int, bytes, tuple[int, ...], int]:
        side, grid, rng, grains = self._core.state()
        return (int(side), bytes(grid), tuple(int(v) for v in rng), int(grains))

    def __setstate__(self, state: Any) -> None:
        side, grid, rng, grains = state
        self._core = _native.SandpileCore.from_state(side, list(grid), list(rng), grains)

    def __repr__(self) -> str:
        return f"Sandpile(L={self.L}, grains={self.grains}, mean_height={float(self.grid.mean()):.4g})"
