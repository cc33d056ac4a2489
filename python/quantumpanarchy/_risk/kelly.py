"""Kelly sizing: the fraction of capital that maximises the expected logarithm of wealth.

See ``docs/risk-kelly.md``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import numpy as np
import numpy.typing as npt

from .._native import risk as _native
from ..exceptions import InvalidInputError

__all__ = ["KellyPortfolio", "kelly_continuous", "kelly_fraction", "kelly_portfolio"]

FloatArray = npt.NDArray[np.float64]


def kelly_fraction(p: float, b: float) -> float:
    """Kelly fraction of a single bet: ``f* = p - (1 - p) / b``.

    The bet is won with probability ``p`` and then pays ``b`` per unit staked; otherwise the
    stake is lost. Staking ``f*`` of capital maximises ``p·log(1 + f b) + (1 - p)·log(1 - f)``.

    Parameters
    ----------
    p : float
        Probability of winning, in [0, 1].
    b : float
        Net odds (> 0): the win per unit staked (``b = 1`` for an even-money bet).

    Returns
    -------
    float
        ``f*``. A negative value means the bet has a negative edge: do not bet.

    Raises
    ------
    InvalidInputError
        ``p`` outside [0, 1], ``b`` not finite and positive.

    Examples
    --------
    >>> from quantumpanarchy import risk
    >>> round(risk.kelly_fraction(0.6, 1.0), 12)
    0.2
    """
    result: float = _native.kelly_fraction(p, b)
    return result


def kelly_continuous(mu: float, sigma: float, r: float = 0.0) -> float:
    """Kelly fraction of a continuous-time asset: ``f* = (mu - r) / sigma**2``.

    It maximises the log growth ``r + f (mu - r) - f² sigma² / 2`` of a portfolio holding ``f``
    of its capital in an asset with drift ``mu`` and volatility ``sigma``, the rest at ``r``.

    Parameters
    ----------
    mu : float
        Drift (expected return per period).
    sigma : float
        Volatility per period, > 0.
    r : float, default 0.0
        Risk-free rate per period.

    Returns
    -------
    float
        ``f*`` (above 1: leverage; below 0: a short position).

    Raises
    ------
    InvalidInputError
        Non-finite inputs, ``sigma <= 0``.

    Examples
    --------
    >>> from quantumpanarchy import risk
    >>> round(risk.kelly_continuous(0.08, 0.2, r=0.02), 12)
    1.5
    """
    result: float = _native.kelly_continuous(mu, sigma, r)
    return result


@dataclasses.dataclass(frozen=True, eq=False)
class KellyPortfolio:
    """The result of :func:`kelly_portfolio`; unpacks as ``weights, growth_rate, leverage``.

    Attributes
    ----------
    weights : numpy.ndarray or pandas.Series
        ``fraction · Σ⁻¹(μ - r)``, fractions of capital per asset (a Series keyed by the assets
        when ``mean`` or ``cov`` was labelled). They need not sum to one: the rest is held at ``r``
        (or borrowed at it, when they sum to more).
    growth_rate : float
        Expected continuous-time log growth ``r + wᵀ(μ - r) - wᵀΣw / 2`` at these weights.
    leverage : float
        Gross exposure ``Σ|wᵢ|``.
    fraction : float
        The Kelly fraction applied (1 = full Kelly).
    """

    weights: Any
    growth_rate: float
    leverage: float
    fraction: float

    def __iter__(self) -> Iterator[Any]:
        return iter((self.weights, self.growth_rate, self.leverage))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, KellyPortfolio):
            return NotImplemented
        return np.array_equal(np.asarray(self.weights), np.asarray(other.weights)) and (
            self.growth_rate,
            self.leverage,
            self.fraction,
        ) == (other.growth_rate, other.leverage, other.fraction)

    __hash__ = None  # type: ignore[assignment]

    def to_dict(self) -> dict[str, Any]:
        """The fields as a dict."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


def _labels(mean: Any, cov: Any) -> list[Any] | None:
    names: list[Any] | None = None
    if type(mean).__module__.startswith("pandas") and hasattr(mean, "index"):
        names = list(mean.index)
    if type(cov).__module__.startswith("pandas") and hasattr(cov, "columns"):
        cols = list(cov.columns)
        if list(cov.index) != cols:
            raise InvalidInputError("cov's index and columns must list the same assets in the same order")
        if names is not None and names != cols:
            raise InvalidInputError("mean's index and cov's columns must list the same assets in the same order")
        names = cols
    return names


def kelly_portfolio(mean: Any, cov: Any, r: float = 0.0, fraction: float = 1.0) -> KellyPortfolio:
    """Kelly weights of a portfolio: ``fraction · Σ⁻¹(mean - r)``.

    They maximise the continuous-time expected log growth ``r + wᵀ(μ - r) - wᵀΣw / 2``;
    ``fraction`` < 1 gives fractional Kelly (½ for half Kelly: three quarters of the growth at a
    quarter of the variance).

    Parameters
    ----------
    mean : array-like or pandas.Series, shape (n,)
        Expected returns per period.
    cov : array-like or pandas.DataFrame, shape (n, n)
        Their covariance: symmetric positive definite.
    r : float, default 0.0
        Risk-free rate per period.
    fraction : float, default 1.0
        Kelly fraction, > 0.

    Returns
    -------
    KellyPortfolio
        ``weights``, ``growth_rate``, ``leverage`` (and ``fraction``); unpackable as
        ``w, g, lev = kelly_portfolio(...)``.

    Raises
    ------
    InvalidInputError
        Bad shapes, NaN or inf, a singular (or not positive definite, or not symmetric) ``cov``.

    Examples
    --------
    >>> from quantumpanarchy import risk
    >>> k = risk.kelly_portfolio([0.10, 0.05], [[0.04, 0.0], [0.0, 0.01]])
    >>> k.weights.round(12).tolist(), round(k.growth_rate, 12)
    ([2.5, 5.0], 0.25)
    """
    names = _labels(mean, cov)
    m = mean.to_numpy(dtype=np.float64) if type(mean).__module__.startswith("pandas") else mean
    c = cov.to_numpy(dtype=np.float64) if type(cov).__module__.startswith("pandas") else cov
    w, growth, leverage = _native.kelly_portfolio_weights(m, c, r, fraction)
    weights: Any = w
    if names is not None:
        import pandas as pd

        weights = pd.Series(w, index=names, name="kelly_weight")
    return KellyPortfolio(weights=weights, growth_rate=growth, leverage=leverage, fraction=float(fraction))
