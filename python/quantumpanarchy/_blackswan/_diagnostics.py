"""Tail-index and threshold diagnostics: Hill's estimator and plot, mean residual life, parameter
stability."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import numpy.typing as npt

from .._decision._params import check_int, check_probability
from .._native import blackswan as _native
from .._validation import as_index_array
from ..exceptions import InvalidInputError
from ._common import values_1d

__all__ = [
    "HillEstimate",
    "HillPlot",
    "MeanResidualLife",
    "ParameterStability",
    "hill",
    "hill_plot",
    "mean_residual_life",
    "parameter_stability",
]

F64 = npt.NDArray[np.float64]


def _to_pandas(obj: Any, index: str) -> Any:
    import pandas as pd

    cols = {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
    return pd.DataFrame(cols).set_index(index)


def _z(alpha: float) -> float:
    from statistics import NormalDist, StatisticsError

    try:
        return NormalDist().inv_cdf(1 - alpha / 2)
    except StatisticsError:  # 1 - alpha/2 rounds to 1: alpha below about 1e-16
        raise InvalidInputError(f"alpha is too small for a normal quantile, got {alpha!r}") from None


@dataclasses.dataclass(frozen=True)
class HillEstimate:
    """Hill's estimate of the tail index from the ``k`` largest values.

    ``xi = (1/k) sum_{i<k} ln x_(i) - ln x_(k)`` (decreasing order statistics, 0-based), so the
    tail is Pareto-like with ``P(X > x) ~ x**(-alpha)``, ``alpha = 1/xi``; ``stderr = xi/sqrt(k)``
    (the asymptotic standard error).
    """

    xi: float
    alpha: float
    k: int
    stderr: float
    num_observations: int

    def to_dict(self) -> dict[str, Any]:
        """The fields as a dict."""
        return dataclasses.asdict(self)


def hill(data: Any, k: int | None = None) -> HillEstimate:
    """Hill's estimator of the (right) tail index.

    Parameters
    ----------
    data : array-like or pandas.Series
        Observations; the ``k + 1`` largest must be positive (pass losses for a loss tail).
    k : int, optional
        Number of upper order statistics, ``2 <= k < n``. Default ``floor(sqrt(n))`` (a common
        rule of thumb; look at :func:`hill_plot` for a stable region).

    Returns
    -------
    HillEstimate
        ``xi``, ``alpha = 1/xi``, ``k``, ``stderr``.

    Raises
    ------
    InvalidInputError
        ``k`` out of range, non-positive upper order statistics, NaN/inf.

    Examples
    --------
    >>> from quantumpanarchy.blackswan import hill
    >>> h = hill([1.0, 10.0, 2.0, 5.0, 3.0, 8.0], k=3)
    >>> round(h.xi, 6)  # (ln 10 + ln 8 + ln 5)/3 - ln 3
    0.823959
    """
    x = values_1d(data, "data")
    n = len(x)
    kk = max(2, math.isqrt(n)) if k is None else check_int(k, "k", 2)
    if kk >= n:
        raise InvalidInputError(f"k must be between 2 and n - 1 = {n - 1}, got {kk}")
    xi = float(_native.hill_curve(x, np.array([kk], dtype=np.int64))[0])
    if not xi > 0:
        raise InvalidInputError(f"Hill's estimate is {xi} <= 0: the upper tail is not heavy at k = {kk}")
    return HillEstimate(xi=xi, alpha=1.0 / xi, k=kk, stderr=xi / math.sqrt(kk), num_observations=n)


@dataclasses.dataclass(frozen=True)
class HillPlot:
    """Hill's estimates over ``k`` (a Hill plot), with ``1 - alpha`` normal intervals
    ``xi ± z xi/sqrt(k)``."""

    k: npt.NDArray[np.int64]
    xi: F64
    lower: F64
    upper: F64

    def to_dict(self) -> dict[str, Any]:
        """The arrays as a dict."""
        return dataclasses.asdict(self)

    def to_pandas(self) -> Any:
        """A pandas DataFrame indexed by ``k``."""
        return _to_pandas(self, "k")


def hill_plot(data: Any, k_values: Any = None, alpha: float = 0.05) -> HillPlot:
    """Hill's estimates for many ``k`` at the cost of one sort.

    Parameters
    ----------
    data : array-like or pandas.Series
    k_values : array-like of int, optional
        Each ``2 <= k < n``; default ``2 .. min(n - 1, 1000)`` (stopping before a non-positive
        order statistic).
    alpha : float
        Interval level.

    Returns
    -------
    HillPlot

    Examples
    --------
    >>> import numpy as np
    >>> from quantumpanarchy.blackswan import hill_plot
    >>> x = np.random.default_rng(2).pareto(2.0, size=5000) + 1.0
    >>> hp = hill_plot(x, [50, 100, 200])
    >>> bool(np.all(np.abs(hp.xi - 0.5) < 0.15))
    True
    """
    x = values_1d(data, "data")
    a = check_probability(alpha, "alpha")
    n = len(x)
    if k_values is None:
        npos = int(np.count_nonzero(x > 0))
        top = min(n - 1, 1000, npos - 1)
        if top < 2:
            raise InvalidInputError("a Hill plot needs at least 3 positive values")
        ks = np.arange(2, top + 1, dtype=np.int64)
    else:
        ks = as_index_array(k_values, "k_values")
        if ks.ndim != 1 or len(ks) == 0:
            raise InvalidInputError("k_values must be a non-empty 1-D array of ints")
        bad = (ks < 2) | (ks >= n)
        if bad.any():
            raise InvalidInputError(f"k_values must be between 2 and n - 1 = {n - 1}, got {int(ks[np.argmax(bad)])}")
    xi = np.asarray(_native.hill_curve(x, ks), dtype=np.float64)
    half = _z(a) * np.abs(xi) / np.sqrt(ks)
    return HillPlot(k=ks, xi=xi, lower=xi - half, upper=xi + half)


@dataclasses.dataclass(frozen=True)
class MeanResidualLife:
    """The mean excess ``e(u) = mean(x - u | x > u)`` over thresholds, with normal ``1 - alpha``
    intervals ``e ± z sd/sqrt(N_u)`` (Coles §4.3.1). Above a threshold where the GPD holds it is
    linear in ``u`` (slope ``xi/(1 - xi)``)."""

    threshold: F64
    mean_excess: F64
    lower: F64
    upper: F64
    num_exceedances: npt.NDArray[np.int64]

    def to_dict(self) -> dict[str, Any]:
        """The arrays as a dict."""
        return dataclasses.asdict(self)

    def to_pandas(self) -> Any:
        """A pandas DataFrame indexed by threshold."""
        return _to_pandas(self, "threshold")


def _thresholds(x: F64, thresholds: Any, min_exceed: int) -> F64:
    if thresholds is None:
        s = np.sort(x)
        if len(s) <= min_exceed:
            raise InvalidInputError(f"the default thresholds need more than {min_exceed} observations, got {len(s)}")
        lo, hi = float(np.quantile(x, 0.5)), float(s[-min_exceed - 1])
        if not hi > lo:
            raise InvalidInputError("the data have no spread above their median: pass thresholds explicitly")
        return np.linspace(lo, hi, 50)
    if isinstance(thresholds, (int, float)) and not isinstance(thresholds, bool):
        thresholds = [thresholds]
    return values_1d(thresholds, "thresholds")


def mean_residual_life(data: Any, thresholds: Any = None, alpha: float = 0.05) -> MeanResidualLife:
    """Mean residual life (mean excess) plot data.

    Parameters
    ----------
    data : array-like or pandas.Series
    thresholds : array-like, optional
        Default: 50 thresholds from the median to the value with 10 values above it.
    alpha : float
        Interval level.

    Returns
    -------
    MeanResidualLife

    Raises
    ------
    InvalidInputError
        A threshold with fewer than 2 values above it (at or above the maximum).

    Examples
    --------
    >>> import numpy as np
    >>> from quantumpanarchy.blackswan import mean_residual_life
    >>> x = np.random.default_rng(0).exponential(size=20_000)
    >>> mrl = mean_residual_life(x, [0.5, 1.0, 2.0])
    >>> bool(np.all(np.abs(mrl.mean_excess - 1.0) < 0.1))  # memoryless
    True
    """
    x = values_1d(data, "data")
    a = check_probability(alpha, "alpha")
    u = _thresholds(x, thresholds, 10)
    m, lo, hi, c = _native.mean_residual_life(x, u, a)
    return MeanResidualLife(u, m, lo, hi, np.asarray(c, dtype=np.int64))


@dataclasses.dataclass(frozen=True)
class ParameterStability:
    """GPD fits over a grid of thresholds (Coles §4.3.4): above a threshold where the GPD holds,
    ``xi`` and the modified scale ``sigma_star = sigma - xi*u`` are constant. Intervals are normal
    ``1 - alpha`` intervals (delta method for ``sigma_star``); NaN where standard errors do not
    exist (``xi <= -0.5``)."""

    threshold: F64
    xi: F64
    xi_lower: F64
    xi_upper: F64
    sigma: F64
    sigma_star: F64
    sigma_star_lower: F64
    sigma_star_upper: F64
    num_exceedances: npt.NDArray[np.int64]

    def to_dict(self) -> dict[str, Any]:
        """The arrays as a dict."""
        return dataclasses.asdict(self)

    def to_pandas(self) -> Any:
        """A pandas DataFrame indexed by threshold."""
        return _to_pandas(self, "threshold")


def parameter_stability(
    data: Any, thresholds: Any = None, alpha: float = 0.05, progress: Any = False
) -> ParameterStability:
    """Fit a GPD over each threshold (in parallel) to check where ``xi`` and ``sigma_star`` settle.

    Parameters
    ----------
    data : array-like or pandas.Series
    thresholds : array-like, optional
        Default: 50 thresholds from the median to the value with 30 values above it.
    alpha : float
        Interval level.
    progress : bool or callable

    Returns
    -------
    ParameterStability

    Raises
    ------
    InvalidInputError
        A threshold with fewer than 10 exceedances.

    Examples
    --------
    >>> import numpy as np
    >>> from quantumpanarchy.blackswan import parameter_stability
    >>> x = np.random.default_rng(0).pareto(4.0, size=20_000)
    >>> ps = parameter_stability(x, [0.5, 1.0])
    >>> ps.xi.shape
    (2,)
    """
    x = values_1d(data, "data")
    a = check_probability(alpha, "alpha")
    u = _thresholds(x, thresholds, 30)
    xi, se_xi, sigma, star, se_star, c = _native.parameter_stability(x, u, progress)
    z = _z(a)
    return ParameterStability(
        threshold=u,
        xi=xi,
        xi_lower=xi - z * se_xi,
        xi_upper=xi + z * se_xi,
        sigma=sigma,
        sigma_star=star,
        sigma_star_lower=star - z * se_star,
        sigma_star_upper=star + z * se_star,
        num_exceedances=np.asarray(c, dtype=np.int64),
    )
