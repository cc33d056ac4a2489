"""Self-organised criticality in a price series: avalanches of large changes, a criticality index
and the probability of a transition into (or continuation of) an avalanche. See ``docs/cas.md``."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._decision._params import check_finite_real, check_int
from .._validation import as_array, as_float_array
from ..exceptions import InvalidInputError
from .powerlaw import PowerLawFit

__all__ = ["Avalanche", "SOCEngine"]

#: The avalanche-size exponent of a critical (mean-field) branching process.
CRITICAL_EXPONENT = 1.5
#: Fewest avalanches (with 4 distinct sizes) for the exponent to enter the criticality index.
MIN_AVALANCHES_FOR_FIT = 10


@dataclass(frozen=True)
class Avalanche:
    """A run of consecutive changes whose absolute value exceeds the threshold.

    Attributes
    ----------
    start : int
        Index of its first change within the current window (0 = the oldest change kept).
    duration : int
        Number of changes in the run.
    size : float
        Sum of the absolute changes in the run.
    """

    start: int
    duration: int
    size: float

    def to_dict(self) -> dict[str, Any]:
        """The fields by name."""
        return {"start": self.start, "duration": self.duration, "size": self.size}


_MAX_HISTORY = 2**62


class SOCEngine:
    """Avalanches of large changes in a stream of price changes, and how critical they look.

    The engine keeps the last ``max_history`` changes. An *event* is a change with
    ``|change| > avalanche_threshold``; an *avalanche* is a maximal run of consecutive events, of
    size Σ|change| and duration its length.

    Criticality index (in [0, 1], 1 = critical), from the window's events and avalanches:

    - branching ratio σ = (events followed by an event) / (events followed by any change): the
      mean number of above-threshold successors of an above-threshold event (each change has one
      successor). A critical branching process has σ = 1.
    - exponent τ: the continuous power-law exponent of the avalanche sizes fitted by
      :class:`PowerLawFit` with x_min fixed at the smallest size (defined with at least 10
      avalanches of 4 or more distinct sizes). A mean-field critical branching process has τ = 3/2.
    - ``b = max(0, 1 − |σ − 1|)`` and ``e = max(0, 1 − |τ − 3/2| / (3/2))``; the index is
      ``(b + e) / 2`` when τ is defined, else ``b``; 0 with no events.

    Transition probability: the estimated probability that the next change is an event given
    whether the latest one was, from the window's transition counts with Laplace's rule:
    ``(n(event → event) + 1) / (n(event → any) + 2)`` after an event, and
    ``(n(quiet → event) + 1) / (n(quiet → any) + 2)`` after a quiet change (1/2 with no history).

    Parameters
    ----------
    avalanche_threshold : float, default 0.05
        Absolute change above which a change is an event (≥ 0).
    max_history : int, default 1000
        Number of most recent changes kept (≥ 2).

    Raises
    ------
    InvalidInputError
        A negative or non-finite threshold, or ``max_history < 2``.

    Examples
    --------
    >>> import numpy as np
    >>> engine = SOCEngine(avalanche_threshold=0.02, max_history=500)
    >>> engine.update_batch(np.random.default_rng(0).standard_t(3, 500) * 0.01)
    >>> 0.0 <= engine.get_criticality_index() <= 1.0
    True
    """

    __slots__ = ("_changes", "avalanche_threshold", "max_history")

    def __init__(self, avalanche_threshold: float = 0.05, max_history: int = 1000) -> None:
        threshold = check_finite_real(avalanche_threshold, "avalanche_threshold")
        if threshold < 0.0:
            raise InvalidInputError(f"avalanche_threshold must be non-negative, got {threshold}")
        self.avalanche_threshold = threshold
        self.max_history = check_int(max_history, "max_history", 2)
        if self.max_history > _MAX_HISTORY:  # deque's maxlen is a C ssize_t
            raise InvalidInputError(f"max_history must be at most 2**62, got {self.max_history}")
        self._changes: deque[float] = deque(maxlen=self.max_history)

    def update(self, change: float) -> None:
        """Append one change (a finite number) to the window.

        Raises
        ------
        InvalidInputError
            NaN or ±inf.
        """
        self._changes.append(check_finite_real(change, "change"))

    def update_batch(self, changes: Any) -> None:
        """Append changes in order (array-like or pandas Series, 1-D, finite).

        Raises
        ------
        InvalidInputError
            A non-1-D input, NaN or ±inf.
        """
        raw = changes.to_numpy() if hasattr(changes, "to_numpy") and hasattr(changes, "index") else changes
        arr = as_array(raw, "changes")
        if arr.ndim != 1:
            raise InvalidInputError(f"changes must be 1-D, got shape {arr.shape}")
        # Only the last max_history changes are kept: convert and check those alone.
        tail = as_float_array(arr[-self.max_history :], "changes", 1, True)
        finite = np.isfinite(tail)
        if not finite.all():
            bad = len(arr) - len(tail) + int(np.argmin(finite))
            raise InvalidInputError(f"changes must be finite: changes[{bad}] is {tail[bad - len(arr) + len(tail)]}")
        self._changes.extend(tail.tolist())

    @property
    def history(self) -> np.ndarray[Any, np.dtype[np.float64]]:
        """The changes in the window, oldest first (a copy)."""
        return np.array(self._changes, dtype=np.float64)

    def _events(self) -> np.ndarray[Any, np.dtype[np.bool_]]:
        events: np.ndarray[Any, np.dtype[np.bool_]] = np.abs(self.history) > self.avalanche_threshold
        return events

    def avalanches(self) -> list[Avalanche]:
        """Every avalanche in the window, oldest first."""
        x = np.abs(self.history)
        ev = x > self.avalanche_threshold
        if not ev.any():
            return []
        edges = np.diff(np.concatenate(([0], ev.astype(np.int8), [0])))
        starts = np.flatnonzero(edges == 1)
        ends = np.flatnonzero(edges == -1)
        return [Avalanche(int(s), int(e - s), float(x[s:e].sum())) for s, e in zip(starts, ends, strict=True)]

    def get_avalanches(self, limit: int = 10) -> list[Avalanche]:
        """The ``limit`` largest avalanches in the window, largest size first (ties: older first).

        Raises
        ------
        InvalidInputError
            ``limit < 0``.
        """
        limit = check_int(limit, "limit", 0)
        return sorted(self.avalanches(), key=lambda a: (-a.size, a.start))[:limit]

    def branching_ratio(self) -> float:
        """(events followed by an event) / (events followed by any change); NaN without one."""
        ev = self._events()
        parents = ev[:-1]
        if not parents.any():
            return float("nan")
        return float((parents & ev[1:]).sum() / parents.sum())

    def avalanche_exponent(self) -> float:
        """The power-law exponent τ of the avalanche sizes (x_min = the smallest size), or NaN with
        fewer than 10 avalanches or 4 distinct sizes."""
        sizes = np.array([a.size for a in self.avalanches()])
        if len(sizes) < MIN_AVALANCHES_FOR_FIT or len(np.unique(sizes)) < 4:
            return float("nan")
        return PowerLawFit(sizes, xmin=float(sizes.min())).alpha

    def get_criticality_index(self) -> float:
        """The criticality index in [0, 1] defined in the class docstring."""
        ev = self._events()
        if not ev.any():
            return 0.0
        sigma = self.branching_ratio()
        b = 0.0 if np.isnan(sigma) else max(0.0, 1.0 - abs(sigma - 1.0))
        tau = self.avalanche_exponent()
        if np.isnan(tau):
            return b
        e = max(0.0, 1.0 - abs(tau - CRITICAL_EXPONENT) / CRITICAL_EXPONENT)
        return 0.5 * (b + e)

    def predict_transition_probability(self) -> float:
        """P(next change is an event | whether the latest was), by Laplace's rule (class docstring)."""
        ev = self._events()
        if len(ev) == 0:
            return 0.5
        prev, nxt = ev[:-1], ev[1:]
        state = bool(ev[-1])
        from_state = prev == state
        return float(((from_state & nxt).sum() + 1) / (from_state.sum() + 2))

    def reset(self) -> None:
        """Forget the window."""
        self._changes.clear()

    def __getstate__(self) -> tuple[float, int, list[float]]:
        return (self.avalanche_threshold, self.max_history, list(self._changes))

    def __setstate__(self, state: Any) -> None:
        threshold, max_history, changes = state
        self.avalanche_threshold = float(threshold)
        self.max_history = int(max_history)
        self._changes = deque(changes, maxlen=self.max_history)

    def __repr__(self) -> str:
        return (
            f"SOCEngine(avalanche_threshold={self.avalanche_threshold}, max_history={self.max_history}, "
            f"changes={len(self._changes)})"
        )
