"""VaR backtests: Kupiec's proportion-of-failures test, Christoffersen's independence and
conditional-coverage tests, and the Basel traffic light.

A hit sequence marks the days whose loss exceeded the VaR (``True``/1) — see
:func:`var_exceptions`. Likelihoods use the limit 0·log 0 = 0, so a sequence without exceptions,
or without some kind of transition, has finite statistics. See ``docs/risk-var.md``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from .._decision._params import check_int, check_probability
from .._frame import as_frame
from .._native import risk as _native
from ..exceptions import InvalidInputError

__all__ = [
    "ChristoffersenResult",
    "KupiecResult",
    "christoffersen_test",
    "kupiec_test",
    "traffic_light",
    "var_exceptions",
]


def _hits(hits: Any) -> Any:
    """A hit sequence for the native code: numpy bool arrays as they are, lists of bools as a
    bool array, anything else as real values (which must be 0 or 1)."""
    values = as_frame(hits, "hits").values
    if isinstance(values, (list, tuple)) and values and all(isinstance(h, (bool, np.bool_)) for h in values):
        return np.asarray(values, dtype=bool)
    return values


@dataclasses.dataclass(frozen=True)
class KupiecResult:
    """Kupiec's proportion-of-failures test. Unpacks as ``(statistic, pvalue)``.

    ``statistic`` is LR_pof = −2 ln[(1−α)^{n−x} α^x] + 2 ln[(1−x/n)^{n−x} (x/n)^x], χ²(1) under
    the null that exceptions occur with probability α; ``pvalue`` its upper tail.
    """

    statistic: float
    pvalue: float
    num_observations: int
    num_exceptions: int
    alpha: float

    def __iter__(self) -> Iterator[float]:
        return iter((self.statistic, self.pvalue))

    def __len__(self) -> int:
        return 2

    def __getitem__(self, k: int) -> float:
        return (self.statistic, self.pvalue)[k]

    def to_dict(self) -> dict[str, float | int]:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class ChristoffersenResult:
    """Christoffersen's tests. Unpacks as ``(statistic, pvalue)`` of the conditional-coverage
    test, LR_cc = LR_pof + LR_ind ~ χ²(2).

    ``independence_statistic`` is LR_ind = −2 ln[(1−π)^{n00+n10} π^{n01+n11}] +
    2 ln[(1−π0)^{n00} π0^{n01} (1−π1)^{n10} π1^{n11}] ~ χ²(1), with π0 = n01/(n00+n01),
    π1 = n11/(n10+n11), π = (n01+n11)/(n−1), n_ij the number of days in state i followed by a
    day in state j (1: an exception). ``pof_statistic`` and ``pof_pvalue`` are Kupiec's test.
    """

    statistic: float
    pvalue: float
    independence_statistic: float
    independence_pvalue: float
    pof_statistic: float
    pof_pvalue: float
    num_observations: int
    num_exceptions: int
    transitions: tuple[int, int, int, int]
    alpha: float

    def __iter__(self) -> Iterator[float]:
        return iter((self.statistic, self.pvalue))

    def __len__(self) -> int:
        return 2

    def __getitem__(self, k: int) -> float:
        return (self.statistic, self.pvalue)[k]

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def kupiec_test(hits: Any, alpha: float = 0.05) -> KupiecResult:
    """Kupiec's proportion-of-failures (POF) test of a VaR's exception rate.

    Parameters
    ----------
    hits : array-like of bool or 0/1
        One entry per day: True (1) where the loss exceeded the VaR.
    alpha : float, default 0.05
        The VaR's tail probability, in (0, 1): the expected exception rate.

    Returns
    -------
    KupiecResult
        ``statistic, pvalue = kupiec_test(...)`` unpacks; also ``num_observations`` and
        ``num_exceptions``. With no exceptions the statistic is −2 n ln(1 − α) (0·log 0 = 0).

    Raises
    ------
    InvalidInputError
        Empty hits, values other than 0/1 (NaN included), alpha outside (0, 1).

    Examples
    --------
    >>> stat, p = kupiec_test([0] * 95 + [1] * 5, 0.05)
    >>> round(stat, 6), round(p, 6)
    (0.0, 1.0)
    """
    a = check_probability(alpha, "alpha")
    stat, p, n, x = _native.kupiec(_hits(hits), a)
    return KupiecResult(stat, p, n, x, a)


def christoffersen_test(hits: Any, alpha: float = 0.05) -> ChristoffersenResult:
    """Christoffersen's conditional-coverage test (exception rate and independence together).

    Parameters
    ----------
    hits : array-like of bool or 0/1
        One entry per day: True (1) where the loss exceeded the VaR; at least 2.
    alpha : float, default 0.05
        The VaR's tail probability, in (0, 1).

    Returns
    -------
    ChristoffersenResult
        ``statistic, pvalue = christoffersen_test(...)`` unpacks the conditional-coverage test;
        the independence and POF parts are attributes. Missing transitions use 0·log 0 = 0.

    Raises
    ------
    InvalidInputError
        Fewer than 2 hits, values other than 0/1, alpha outside (0, 1).

    Examples
    --------
    >>> r = christoffersen_test([0, 0, 1, 0, 0, 0, 1, 1, 0, 0] * 10, 0.05)
    >>> r.independence_statistic >= 0
    True
    """
    a = check_probability(alpha, "alpha")
    (cc, cc_p, ind, ind_p, pof, pof_p), (n, x, n00, n01, n10, n11) = _native.christoffersen(_hits(hits), a)
    return ChristoffersenResult(cc, cc_p, ind, ind_p, pof, pof_p, n, x, (n00, n01, n10, n11), a)


def traffic_light(
    num_exceptions: int, num_observations: int = 250, alpha: float = 0.01
) -> Literal["green", "yellow", "red"]:
    """The Basel traffic-light zone of a VaR backtest.

    With X ~ Binomial(num_observations, alpha): green while P(X ≤ num_exceptions) < 95%, yellow
    while it is < 99.99%, red beyond. For 250 days at 1%: 0–4 exceptions green, 5–9 yellow, 10 or
    more red.

    Parameters
    ----------
    num_exceptions : int
        Days whose loss exceeded the VaR, 0 to ``num_observations``.
    num_observations : int, default 250
        Days in the backtest.
    alpha : float, default 0.01
        The VaR's tail probability, in (0, 1).

    Returns
    -------
    {"green", "yellow", "red"}

    Raises
    ------
    InvalidInputError
        Negative counts, more exceptions than observations, alpha outside (0, 1).
    InvalidTypeError
        Counts that are not integers (bools included).

    Examples
    --------
    >>> [traffic_light(k) for k in (4, 5, 9, 10)]
    ['green', 'yellow', 'yellow', 'red']
    """
    k = check_int(num_exceptions, "num_exceptions", 0)
    n = check_int(num_observations, "num_observations", 1)
    zone, _ = _native.traffic_light(k, n, check_probability(alpha, "alpha"))
    result: Literal["green", "yellow", "red"] = zone
    return result


def var_exceptions(returns: Any, var: Any) -> npt.NDArray[np.bool_]:
    """The hit sequence of a VaR: True where the loss −return exceeded the VaR (a positive loss,
    as :func:`var` and :func:`rolling_var` give it). NaN in either (a warm-up window) is no hit.

    Parameters
    ----------
    returns : array-like
        1-D returns.
    var : float or array-like
        The VaR, one per day (aligned with the returns) or one for all days.

    Returns
    -------
    numpy.ndarray of bool

    Raises
    ------
    InvalidInputError
        Arrays of different lengths, or that are not 1-D real arrays.

    Examples
    --------
    >>> var_exceptions([-0.03, 0.01, -0.01], 0.02).tolist()
    [True, False, False]
    """
    r = np.asarray(as_frame(returns).values)
    v = np.asarray(as_frame(var, "var").values)
    if r.dtype.kind not in "fiu" or v.dtype.kind not in "fiu":
        raise InvalidInputError("returns and var must hold real numbers")
    if r.ndim != 1 or v.ndim > 1 or (v.ndim == 1 and v.shape != r.shape):
        raise InvalidInputError(
            f"returns must be 1-D and var a number or of the same length, got {r.shape} and {v.shape}"
        )
    with np.errstate(invalid="ignore"):
        out: npt.NDArray[np.bool_] = np.asarray(-r > v, dtype=bool)
    return out
