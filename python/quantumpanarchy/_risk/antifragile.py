"""Antifragility: barbell allocation, convexity of returns, and opportunity scores.

Definitions (the contract; see ``docs/risk-antifragile.md``):

- **skewness**: ``m3 / m2**1.5`` with population moments (``scipy.stats.skew(r)``).
- **tail ratio**: with ``k = max(1, ceil(tail * n))`` and ``med`` the median of the returns,
  ``(mean of the k largest - med) / (med - mean of the k smallest)``: 1 for symmetric tails,
  above 1 when gains run further than losses.
- **gain/pain**: ``sum(max(r, 0)) / sum(max(-r, 0))`` (the Omega ratio at 0); None without losses.
- **convexity to a market**: the least-squares fit ``r = alpha + beta m + gamma m**2``
  (``np.polyfit(m, r, 2)``): ``gamma > 0`` convex (gains accelerate with the market's moves
  either way, as a long straddle's), ``gamma < 0`` concave (a short put's); with its standard
  error, t-statistic and two-sided p-value on ``n - 3`` degrees of freedom, and R².
- **opportunity score**: the weighted mean (default: equal weights) of three components in
  (0, 1), each 1/2 when neutral: convexity ``1 / (1 + exp(-skewness))``, asymmetry
  ``tail_ratio / (1 + tail_ratio)``, volatility ``historical / (historical + current)`` (optionality
  is cheap when current volatility is below its history).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from .._decision._params import check_real
from .._native import risk as _native
from ..exceptions import InvalidInputError, InvalidTypeError

__all__ = ["AntifragileAnalyzer", "Convexity", "Opportunity", "measure_convexity"]

_PUBLIC = "quantumpanarchy.risk"


def _values(x: Any) -> Any:
    """pandas Series values as numpy (the native conversion reads arrays and lists)."""
    if type(x).__module__.startswith("pandas") and hasattr(x, "to_numpy"):
        return x.to_numpy()
    return x


@dataclasses.dataclass(frozen=True)
class Convexity:
    """Convexity and asymmetry of returns (see the module's definitions).

    ``gamma`` … ``r_squared`` describe the quadratic fit on the market and are None when no
    market returns were given; ``gamma_se``, ``gamma_t`` and ``gamma_pvalue`` are also None for a
    perfect fit (residual sum of squares at most 1e-20 of the total). ``gain_pain`` is None when there are no losses.
    """

    skewness: float
    tail_ratio: float
    gain_pain: float | None
    n: int
    gamma: float | None = None
    gamma_se: float | None = None
    gamma_t: float | None = None
    gamma_pvalue: float | None = None
    beta: float | None = None
    alpha: float | None = None
    r_squared: float | None = None

    @property
    def is_convex(self) -> bool | None:
        """``gamma > 0`` (None without a market)."""
        return None if self.gamma is None else self.gamma > 0

    def to_dict(self) -> dict[str, Any]:
        """The fields as a plain dict."""
        return dataclasses.asdict(self)

    def __repr__(self) -> str:
        head = f"Convexity(skewness={self.skewness:.4g}, tail_ratio={self.tail_ratio:.4g}"
        if self.gamma is not None:
            t = "None" if self.gamma_t is None else f"{self.gamma_t:.3g}"
            head += f", gamma={self.gamma:.4g}, gamma_t={t}"
        return head + f", n={self.n})"


@dataclasses.dataclass(frozen=True)
class Opportunity:
    """An opportunity's score in [0, 1] and why.

    ``convexity`` is the skewness of the simple returns of the price path (a convex payoff of a
    symmetric driver is right-skewed); ``tail_ratio`` as defined in the module;
    ``volatility_ratio`` is current / historical volatility. ``score`` is the weighted mean of
    ``convexity_score``, ``asymmetry_score`` and ``volatility_score``.
    """

    symbol: str
    score: float
    convexity: float
    tail_ratio: float
    volatility_ratio: float
    convexity_score: float
    asymmetry_score: float
    volatility_score: float
    n_returns: int

    def to_dict(self) -> dict[str, Any]:
        """The fields as a plain dict."""
        return dataclasses.asdict(self)

    def __repr__(self) -> str:
        return (
            f"Opportunity(symbol={self.symbol!r}, score={self.score:.4f}, convexity={self.convexity:.4g}, "
            f"tail_ratio={self.tail_ratio:.4g}, volatility_ratio={self.volatility_ratio:.4g})"
        )


def _tail(tail: Any) -> float:
    t = check_real(tail, "tail")
    if not 0.0 < t <= 0.5:
        raise InvalidInputError(f"tail must be in (0, 0.5] (the fraction of returns in each tail), got {t}")
    return t


def measure_convexity(returns: Any, market_returns: Any = None, *, tail: float = 0.05) -> Convexity:
    """Convexity and asymmetry of ``returns``.

    Parameters
    ----------
    returns : array-like or pandas Series
        1-D returns (finite, at least 3; at least 4 with a market).
    market_returns : array-like or pandas Series, optional
        The market's returns over the same periods: adds the quadratic fit
        ``r = alpha + beta m + gamma m**2`` (``gamma``, its standard error, t-statistic and
        p-value, ``beta``, ``alpha``, ``r_squared``).
    tail : float
        Fraction of the returns in each tail for the tail ratio, in (0, 0.5].

    Returns
    -------
    Convexity

    Raises
    ------
    InvalidInputError
        Non-finite or too few returns, constant returns, lengths that differ, a market with
        fewer than three distinct values.

    Examples
    --------
    >>> import numpy as np
    >>> from quantumpanarchy.risk import measure_convexity
    >>> m = np.linspace(-0.05, 0.05, 101)
    >>> straddle = np.abs(m) - 0.02
    >>> c = measure_convexity(straddle, m)
    >>> c.gamma > 0, c.is_convex
    (True, True)
    """
    out = _native.antifragile_convexity(
        _values(returns), None if market_returns is None else _values(market_returns), _tail(tail)
    )
    return Convexity(**out)


class AntifragileAnalyzer:
    """Barbell allocation and opportunity scores (Taleb's barbell: most capital safe, a small
    share in convex bets).

    Parameters
    ----------
    safe_fraction : float
        Share of capital in the safe leg, in [0, 1].
    tail : float
        Fraction of returns in each tail for tail ratios, in (0, 0.5].
    score_weights : tuple of 3 floats
        Weights of the convexity, asymmetry and volatility components of
        :meth:`score_opportunity` (non-negative, positive sum; normalised).

    Examples
    --------
    >>> from quantumpanarchy.risk import AntifragileAnalyzer
    >>> AntifragileAnalyzer.conservative().calculate_barbell_allocation(1_000_000)
    (900000.0, 100000.0)
    """

    def __init__(
        self,
        safe_fraction: float = 0.9,
        *,
        tail: float = 0.05,
        score_weights: tuple[float, float, float] = (1.0, 1.0, 1.0),
    ) -> None:
        f = check_real(safe_fraction, "safe_fraction")
        t = _tail(tail)
        if isinstance(score_weights, (str, bytes)) or not hasattr(score_weights, "__len__") or len(score_weights) != 3:
            raise InvalidTypeError(f"score_weights must be three numbers, got {score_weights!r:.60}")
        w = tuple(check_real(v, "score_weights") for v in score_weights)
        _native.antifragile_check(f, t, w)
        self._safe_fraction = f
        self._tail = t
        self._weights: tuple[float, float, float] = (w[0], w[1], w[2])

    @classmethod
    def conservative(cls) -> AntifragileAnalyzer:
        """90% safe, 10% speculative."""
        return cls(0.9)

    @classmethod
    def moderate(cls) -> AntifragileAnalyzer:
        """70% safe, 30% speculative."""
        return cls(0.7)

    @classmethod
    def aggressive(cls) -> AntifragileAnalyzer:
        """50% safe, 50% speculative."""
        return cls(0.5)

    @property
    def safe_fraction(self) -> float:
        """Share of capital in the safe leg."""
        return self._safe_fraction

    @property
    def speculative_fraction(self) -> float:
        """``1 - safe_fraction``."""
        return 1.0 - self._safe_fraction

    @property
    def tail(self) -> float:
        """Tail fraction of the tail ratio."""
        return self._tail

    @property
    def score_weights(self) -> tuple[float, float, float]:
        """Weights of the convexity, asymmetry and volatility components."""
        return self._weights

    def calculate_barbell_allocation(self, capital: float) -> tuple[float, float]:
        """``(safe, speculative)`` amounts of ``capital`` (finite, non-negative); they sum to it."""
        safe, spec = _native.antifragile_barbell(check_real(capital, "capital"), self._safe_fraction)
        return float(safe), float(spec)

    def measure_convexity(self, returns: Any, market_returns: Any = None) -> Convexity:
        """:func:`measure_convexity` with this analyzer's ``tail``."""
        return measure_convexity(returns, market_returns, tail=self._tail)

    def score_opportunity(
        self, symbol: str, prices: Any, current_volatility: float, historical_volatility: float
    ) -> Opportunity:
        """Score a price path in [0, 1] (see the module's definition).

        Parameters
        ----------
        symbol : str
            The instrument's name (kept on the result).
        prices : array-like or pandas Series
            At least 4 positive prices, oldest first.
        current_volatility, historical_volatility : float
            The instrument's volatility now (≥ 0) and its historical level (> 0), in the same
            units (annualised or not).

        Returns
        -------
        Opportunity
        """
        if not isinstance(symbol, str):
            raise InvalidTypeError(f"symbol must be a string, got {type(symbol).__name__}")
        cur = check_real(current_volatility, "current_volatility")
        hist = check_real(historical_volatility, "historical_volatility")
        out = _native.antifragile_score(_values(prices), cur, hist, self._tail, self._weights)
        return Opportunity(symbol=symbol, **out)

    def __repr__(self) -> str:
        extra = "" if self._tail == 0.05 else f", tail={self._tail!r}"
        if self._weights != (1.0, 1.0, 1.0):
            extra += f", score_weights={self._weights!r}"
        return f"AntifragileAnalyzer(safe_fraction={self._safe_fraction!r}{extra})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AntifragileAnalyzer):
            return NotImplemented
        return (self._safe_fraction, self._tail, self._weights) == (other._safe_fraction, other._tail, other._weights)

    def __hash__(self) -> int:
        return hash((self._safe_fraction, self._tail, self._weights))


for _cls in (AntifragileAnalyzer, Convexity, Opportunity):
    _cls.__module__ = _PUBLIC
measure_convexity.__module__ = _PUBLIC
del _cls
