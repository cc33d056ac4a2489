"""Performance statistics with empyrical's names, arguments and numbers.

Each function computes what empyrical-reloaded's function of the same name computes, with the
same arguments (less empyrical's ``out`` buffer), in native code: one call for all the columns of
a 2-D input, in parallel over columns, reading the caller's memory where it lies.

Shapes: 1-D returns (or a Series) give a float; 2-D returns (observations × assets) give one value
per column, as a numpy array, or as a pandas Series keyed by the columns when a DataFrame came in
(empyrical returns an array there). A 2-D call is always the 1-D definition applied to each column.

Missing values: NaN marks a missing observation and follows empyrical's rules (nan-aware means
and deviations; compounded paths treat a NaN return as 0). ±inf in the returns is refused
(:class:`InvalidInputError`), as is input whose sums overflow float64. Empty input raises
:class:`InvalidInputError`. See ``docs/risk-statistics.md``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from .._decision._params import check_finite_real, check_real
from .._frame import Aligned, Frame, PerColumn, aligned, as_frame, per_column, secondary
from .._native import risk as _native
from ..exceptions import InvalidInputError, InvalidTypeError

__all__ = [
    "alpha",
    "annual_return",
    "annual_volatility",
    "annualization_factor",
    "beta",
    "calmar_ratio",
    "conditional_value_at_risk",
    "cum_returns",
    "cum_returns_final",
    "down_capture",
    "downside_risk",
    "drawdown_series",
    "excess_sharpe",
    "max_drawdown",
    "omega_ratio",
    "sharpe_ratio",
    "sortino_ratio",
    "stability_of_timeseries",
    "tail_ratio",
    "up_capture",
    "value_at_risk",
]

#: Periods per year of each ``period`` name (empyrical's ``ANNUALIZATION_FACTORS``).
PERIODS: dict[str, int] = {"daily": 252, "weekly": 52, "monthly": 12, "quarterly": 4, "yearly": 1}

_F = TypeVar("_F", bound=Callable[..., Any])

_SHAPES = """Returns ``float`` for 1-D returns or a Series; a numpy array with one value per column for
    2-D returns; a pandas Series keyed by the columns for a DataFrame."""
_RETURNS = """returns : array-like, pandas Series or DataFrame
        Simple (non-cumulative) returns, 1-D or 2-D (observations × assets); float16/32/64, any
        memory layout. NaN marks a missing observation."""
_PERIOD = """period : {"daily", "weekly", "monthly", "quarterly", "yearly"}, default "daily"
        The returns' frequency, used for annualising (252, 52, 12, 4, 1 periods per year).
    annualization : float, optional
        Periods per year, overriding ``period``."""
_RAISES = """InvalidInputError
        Empty returns, ±inf in the returns, input whose sums overflow float64, an unknown
        ``period``, a non-positive ``annualization``, or an array argument of the wrong length.
    InvalidTypeError
        A parameter of the wrong type (a string for a number, a bool)."""


def _doc(f: _F) -> _F:
    """Fill the shared paragraphs of a docstring."""
    if f.__doc__:
        f.__doc__ = (
            f.__doc__.replace("{shapes}", _SHAPES)
            .replace("{returns}", _RETURNS)
            .replace("{period}", _PERIOD)
            .replace("{raises}", _RAISES)
        )
    return f


def annualization_factor(period: str = "daily", annualization: float | None = None) -> float:
    """Periods per year: ``annualization`` when given, else the factor of ``period``.

    Parameters
    ----------
    period : {"daily", "weekly", "monthly", "quarterly", "yearly"}, default "daily"
        252, 52, 12, 4 and 1 periods per year, as empyrical's ``ANNUALIZATION_FACTORS``.
    annualization : float, optional
        A positive number of periods per year; overrides ``period``.

    Returns
    -------
    float

    Raises
    ------
    InvalidInputError
        An unknown period, or an annualization that is not a positive finite number.
    InvalidTypeError
        A period that is not a string, or an annualization that is not a number.

    Examples
    --------
    >>> annualization_factor("monthly")
    12.0
    """
    if annualization is not None:
        value = check_finite_real(annualization, "annualization")
        if value <= 0:
            raise InvalidInputError(f"annualization must be a positive number of periods per year, got {value}")
        return value
    if not isinstance(period, str):
        raise InvalidTypeError(f"period must be a string, got {period!r}"[:120])
    try:
        return float(PERIODS[period])
    except KeyError:
        names = "', '".join(PERIODS)
        raise InvalidInputError(f"period cannot be {period[:40]!r}: use '{names}'") from None


def _stat(
    returns: Any,
    stat: str,
    annualization: float = 252.0,
    offset: Any = None,
    factor: Any = None,
    param: float = 0.0,
    frame: Frame | None = None,
) -> PerColumn:
    frame = as_frame(returns) if frame is None else frame
    result = _native.stat_columns(frame.values, stat, annualization, offset, factor, param)
    return per_column(frame, result)


def _offset(frame: Frame, value: Any, name: str) -> Any:
    return secondary(frame, value, name)


def _factor(frame: Frame, factor_returns: Any, scalar_ok: bool = False) -> Any:
    if factor_returns is None:
        raise InvalidTypeError("factor_returns must be an array of benchmark returns, got None")
    if not scalar_ok and isinstance(factor_returns, (int, float)) and not isinstance(factor_returns, bool):
        raise InvalidTypeError("factor_returns must be an array of benchmark returns aligned with returns")
    return secondary(frame, factor_returns, "factor_returns")


@_doc
def sharpe_ratio(
    returns: Any, risk_free: Any = 0.0, period: str = "daily", annualization: float | None = None
) -> PerColumn:
    """Annualised Sharpe ratio: mean(r − rf) / std(r − rf) · √annualization.

    The mean and the standard deviation (ddof=1) skip NaN. As empyrical's, the deviation of a
    column whose present values are all equal is exactly 0 (not a rounding residue).

    Parameters
    ----------
    {returns}
    risk_free : float or array-like, default 0.0
        The per-period risk-free return: a number, or one value per observation (a Series is
        aligned with the returns' index), or an array of the returns' shape.
    {period}

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        {shapes} NaN when there are fewer than 2 observations (rows), when fewer than 2 are
        present in a column, or when all returns equal the risk-free rate; ±inf when all present
        excess returns are equal and non-zero (zero volatility), as empyrical.

    Raises
    ------
    {raises}

    Examples
    --------
    >>> import numpy as np
    >>> r = np.array([0.01, 0.02, -0.01, 0.005])
    >>> round(sharpe_ratio(r), 6)
    7.937254
    """
    frame = as_frame(returns)
    ann = annualization_factor(period, annualization)
    return _stat(returns, "sharpe_ratio", ann, _offset(frame, risk_free, "risk_free"), frame=frame)


@_doc
def sortino_ratio(
    returns: Any, required_return: Any = 0.0, period: str = "daily", annualization: float | None = None
) -> PerColumn:
    """Annualised Sortino ratio: mean(r − required) · annualization / downside_risk.

    Parameters
    ----------
    {returns}
    required_return : float or array-like, default 0.0
        The minimum acceptable per-period return (a number, or aligned values as ``risk_free``
        of :func:`sharpe_ratio`).
    {period}

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        {shapes} NaN when there are fewer than 2 observations or no present value; +inf (or
        −inf) when no return falls below ``required_return`` (zero downside risk), as empyrical.

    Raises
    ------
    {raises}

    Examples
    --------
    >>> import numpy as np
    >>> float(sortino_ratio(np.array([0.01, -0.02, 0.03, 0.01]))) > 0
    True
    """
    frame = as_frame(returns)
    ann = annualization_factor(period, annualization)
    off = _offset(frame, required_return, "required_return")
    return _stat(returns, "sortino_ratio", ann, off, frame=frame)


@_doc
def downside_risk(
    returns: Any, required_return: Any = 0.0, period: str = "daily", annualization: float | None = None
) -> PerColumn:
    """Annualised downside deviation: √mean(min(r − required, 0)²) · √annualization.

    The mean is over the present (non-NaN) observations, gains counting as 0.

    Parameters
    ----------
    {returns}
    required_return : float or array-like, default 0.0
        The minimum acceptable per-period return.
    {period}

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        {shapes} NaN for a column with no present value.

    Raises
    ------
    {raises}

    Examples
    --------
    >>> import numpy as np
    >>> round(downside_risk(np.array([0.01, -0.02]), annualization=1), 6)
    0.014142
    """
    frame = as_frame(returns)
    ann = annualization_factor(period, annualization)
    off = _offset(frame, required_return, "required_return")
    return _stat(returns, "downside_risk", ann, off, frame=frame)


@_doc
def annual_volatility(
    returns: Any, period: str = "daily", alpha: float = 2.0, annualization: float | None = None
) -> PerColumn:
    """Annualised volatility: std(r) (ddof=1, NaN skipped) · annualization^(1/alpha).

    Parameters
    ----------
    {returns}
    period : {"daily", "weekly", "monthly", "quarterly", "yearly"}, default "daily"
        The returns' frequency.
    alpha : float, default 2.0
        The scaling exponent (Lévy stability exponent; 2 is the square-root-of-time rule).
    annualization : float, optional
        Periods per year, overriding ``period``.

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        {shapes} NaN with fewer than 2 observations, or fewer than 2 present in a column.

    Raises
    ------
    {raises}

    Examples
    --------
    >>> import numpy as np
    >>> round(annual_volatility(np.array([0.01, -0.01]), annualization=1), 6)
    0.014142
    """
    ann = annualization_factor(period, annualization)
    a = check_real(alpha, "alpha")
    return _stat(returns, "annual_volatility", ann, param=a)


@_doc
def annual_return(returns: Any, period: str = "daily", annualization: float | None = None) -> PerColumn:
    """Compound annual growth rate: (Π(1 + r))^(annualization / n) − 1, n the number of rows.

    NaN returns count as 0 in the product (numpy's ``nanprod``) but count in ``n``, as empyrical.

    Parameters
    ----------
    {returns}
    {period}

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        {shapes} NaN when the compounded value is negative (a loss beyond −100%) and the
        exponent is not a whole number.

    Raises
    ------
    {raises}

    Examples
    --------
    >>> import numpy as np
    >>> round(annual_return(np.array([0.1, 0.1]), annualization=1), 6)
    0.1
    """
    ann = annualization_factor(period, annualization)
    return _stat(returns, "annual_return", ann)


@_doc
def cum_returns_final(returns: Any, starting_value: float = 0.0) -> PerColumn:
    """Total compounded return: Π(1 + r) − 1, or starting_value · Π(1 + r) when it is not 0.

    NaN returns count as 0.

    Parameters
    ----------
    {returns}
    starting_value : float, default 0.0
        0 gives the total return; another value gives the final value of that investment.

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        {shapes}

    Raises
    ------
    {raises}

    Examples
    --------
    >>> import numpy as np
    >>> round(cum_returns_final(np.array([0.1, 0.1])), 6)
    0.21
    """
    start = check_finite_real(starting_value, "starting_value")
    return _stat(returns, "cum_returns_final", param=start)


@_doc
def max_drawdown(returns: Any) -> PerColumn:
    """Maximum drawdown: the lowest point of :func:`drawdown_series` (≤ 0; −0.25 is a 25% fall).

    NaN returns count as 0, so a column of NaN has a drawdown of 0, as empyrical's.

    Parameters
    ----------
    {returns}

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        {shapes}

    Raises
    ------
    {raises}

    Examples
    --------
    >>> import numpy as np
    >>> round(max_drawdown(np.array([0.1, -0.5, 0.2])), 6)
    -0.5
    """
    return _stat(returns, "max_drawdown")


@_doc
def calmar_ratio(returns: Any, period: str = "daily", annualization: float | None = None) -> PerColumn:
    """Calmar ratio: :func:`annual_return` / |:func:`max_drawdown`|.

    Parameters
    ----------
    {returns}
    {period}

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        {shapes} NaN when there is no drawdown (the curve never falls) or the ratio is infinite.

    Raises
    ------
    {raises}

    Examples
    --------
    >>> import numpy as np
    >>> round(calmar_ratio(np.array([0.1, -0.5, 0.2]), annualization=3), 6)
    -0.68
    """
    ann = annualization_factor(period, annualization)
    return _stat(returns, "calmar_ratio", ann)


@_doc
def omega_ratio(
    returns: Any, risk_free: Any = 0.0, required_return: float = 0.0, annualization: float = 252
) -> PerColumn:
    """Omega ratio: Σ gains / Σ losses of r − risk_free − threshold, where the per-period
    threshold is (1 + required_return)^(1/annualization) − 1 (``required_return`` itself when
    ``annualization`` is 1).

    Parameters
    ----------
    {returns}
    risk_free : float or array-like, default 0.0
        The per-period risk-free return (a number, or aligned values).
    required_return : float, default 0.0
        The annual minimum acceptable return.
    annualization : float, default 252
        Periods per year used to turn ``required_return`` into a per-period threshold.

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        {shapes} NaN with fewer than 2 observations, when no return falls below the threshold
        (no losses), or when ``required_return`` ≤ −1, as empyrical.

    Raises
    ------
    {raises}

    Examples
    --------
    >>> import numpy as np
    >>> round(omega_ratio(np.array([0.02, -0.01, 0.01])), 6)
    3.0
    """
    frame = as_frame(returns)
    rr = check_finite_real(required_return, "required_return")
    ann = check_finite_real(annualization, "annualization")
    if ann <= 0:
        raise InvalidInputError(f"annualization must be a positive number of periods per year, got {ann}")
    if ann == 1:
        threshold = rr
    elif rr <= -1:
        threshold = float("nan")
    else:
        threshold = (1 + rr) ** (1.0 / ann) - 1
    return _stat(returns, "omega_ratio", ann, _offset(frame, risk_free, "risk_free"), param=threshold, frame=frame)


def _cutoff(cutoff: float) -> float:
    c = check_finite_real(cutoff, "cutoff")
    if not 0.0 <= c <= 1.0:
        raise InvalidInputError(f"cutoff must be between 0 and 1, got {c}")
    return c


@_doc
def value_at_risk(returns: Any, cutoff: float = 0.05) -> PerColumn:
    """Value at risk as empyrical defines it: the ``cutoff`` quantile of the returns
    (``np.percentile(returns, 100 * cutoff)``, linear interpolation).

    This is a **return**, negative for a loss (−0.03: a 3% loss is exceeded with probability
    ``cutoff``). :func:`var` gives the same risk as a positive loss.

    Parameters
    ----------
    {returns}
    cutoff : float, default 0.05
        The tail probability, in [0, 1].

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        {shapes} NaN for a column that holds a NaN (as ``np.percentile``, and so empyrical).

    Raises
    ------
    {raises}

    Examples
    --------
    >>> import numpy as np
    >>> round(value_at_risk(np.linspace(-0.05, 0.05, 101), 0.05), 6)
    -0.045
    """
    return _stat(returns, "value_at_risk", param=_cutoff(cutoff))


@_doc
def conditional_value_at_risk(returns: Any, cutoff: float = 0.05) -> PerColumn:
    """Conditional value at risk (expected shortfall) as empyrical defines it: the mean of the
    k + 1 lowest present returns, k = ⌊(n − 1) · cutoff⌋, n the number of present returns.

    This is a **return**, negative for a loss. :func:`cvar` gives the positive loss.

    Parameters
    ----------
    {returns}
    cutoff : float, default 0.05
        The tail probability, in [0, 1].

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        {shapes} NaN skipped (the result is that of the returns without their NaNs); NaN for a
        column with no present value.

    Raises
    ------
    {raises}

    Examples
    --------
    >>> import numpy as np
    >>> round(conditional_value_at_risk(np.linspace(-0.05, 0.05, 101), 0.05), 6)
    -0.0475
    """
    return _stat(returns, "conditional_value_at_risk", param=_cutoff(cutoff))


@_doc
def tail_ratio(returns: Any) -> PerColumn:
    """Tail ratio: |95th percentile| / |5th percentile| of the present returns.

    Parameters
    ----------
    {returns}

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        {shapes} NaN for a column with no present value; inf (or NaN) when the 5th percentile
        is 0.

    Raises
    ------
    {raises}

    Examples
    --------
    >>> import numpy as np
    >>> round(tail_ratio(np.linspace(-0.05, 0.10, 151)), 6)
    2.176471
    """
    return _stat(returns, "tail_ratio")


@_doc
def stability_of_timeseries(returns: Any) -> PerColumn:
    """R² of a least-squares line through the cumulative log returns Σ log(1 + r) (NaN
    returns dropped), against the observation number.

    Parameters
    ----------
    {returns}

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        {shapes} NaN with fewer than 2 present returns (empyrical raises for a column of NaN),
        or when the cumulative log return is flat (all returns 0), as scipy's ``linregress``.

    Raises
    ------
    {raises}

    Examples
    --------
    >>> import numpy as np
    >>> round(stability_of_timeseries(np.full(10, 0.01)), 6)
    1.0
    """
    return _stat(returns, "stability_of_timeseries")


@_doc
def excess_sharpe(returns: Any, factor_returns: Any) -> PerColumn:
    """Excess Sharpe: mean(r − f) / std(r − f) (ddof=1), not annualised: a simplified
    information ratio with the tracking error as denominator.

    Parameters
    ----------
    {returns}
    factor_returns : float or array-like
        Benchmark returns: a number, one value per observation, or an array of the returns' shape
        (a Series is aligned with the returns' index).

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        {shapes} NaN with fewer than 2 observations; ±inf when the active return is constant and
        not 0.

    Raises
    ------
    {raises}

    Examples
    --------
    >>> import numpy as np
    >>> round(excess_sharpe(np.array([0.01, 0.02, 0.03]), np.array([0.0, 0.01, 0.01])), 6)
    2.309401
    """
    frame = as_frame(returns)
    return _stat(returns, "excess_sharpe", factor=_factor(frame, factor_returns, scalar_ok=True), frame=frame)


@_doc
def beta(returns: Any, factor_returns: Any, risk_free: float = 0.0) -> PerColumn:
    """Beta: cov(f, r) / var(f) over the observations where both are present (population
    moments, as empyrical). ``risk_free`` is accepted and, as in empyrical, has no effect.

    Parameters
    ----------
    {returns}
    factor_returns : array-like
        Benchmark returns, one per observation (or of the returns' shape); a Series is aligned
        with the returns' index.
    risk_free : float, default 0.0
        Ignored (empyrical's signature).

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        {shapes} NaN with fewer than 2 observations, or when the benchmark's variance over the
        paired observations is below 1e-30.

    Raises
    ------
    {raises}

    Examples
    --------
    >>> import numpy as np
    >>> round(beta(np.array([0.02, -0.02, 0.04]), np.array([0.01, -0.01, 0.02])), 6)
    2.0
    """
    frame = as_frame(returns)
    check_finite_real(risk_free, "risk_free")
    return _stat(returns, "beta", factor=_factor(frame, factor_returns), frame=frame)


@_doc
def alpha(
    returns: Any,
    factor_returns: Any,
    risk_free: Any = 0.0,
    period: str = "daily",
    annualization: float | None = None,
) -> PerColumn:
    """Annualised alpha: (1 + mean((r − rf) − β (f − rf)))^annualization − 1, β from :func:`beta`.

    Parameters
    ----------
    {returns}
    factor_returns : array-like
        Benchmark returns, one per observation (or of the returns' shape).
    risk_free : float or array-like, default 0.0
        The per-period risk-free return.
    {period}

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        {shapes} NaN with fewer than 2 observations or when beta is NaN.

    Raises
    ------
    {raises}

    Examples
    --------
    >>> import numpy as np
    >>> round(alpha(np.array([0.03, -0.01, 0.05]), np.array([0.01, -0.01, 0.02]), annualization=1), 6)
    0.01
    """
    frame = as_frame(returns)
    ann = annualization_factor(period, annualization)
    off = _offset(frame, risk_free, "risk_free")
    return _stat(returns, "alpha", ann, off, _factor(frame, factor_returns), frame=frame)


def _capture(returns: Any, factor_returns: Any, period: str, annualization: float | None, stat: str) -> PerColumn:
    frame = as_frame(returns)
    ann = annualization_factor(period, annualization)
    return _stat(returns, stat, ann, factor=_factor(frame, factor_returns), frame=frame)


@_doc
def up_capture(
    returns: Any, factor_returns: Any, period: str = "daily", annualization: float | None = None
) -> PerColumn:
    """Up-market capture: :func:`annual_return` of the returns over :func:`annual_return` of the
    benchmark, both over the observations where the benchmark rose (and both are present).

    Parameters
    ----------
    {returns}
    factor_returns : array-like
        Benchmark returns, one per observation (or of the returns' shape).
    {period}

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        {shapes} NaN when the benchmark never rose.

    Raises
    ------
    {raises}

    Examples
    --------
    >>> import numpy as np
    >>> round(up_capture(np.array([0.02, -0.02]), np.array([0.01, -0.01]), annualization=1), 6)
    2.0
    """
    return _capture(returns, factor_returns, period, annualization, "up_capture")


@_doc
def down_capture(
    returns: Any, factor_returns: Any, period: str = "daily", annualization: float | None = None
) -> PerColumn:
    """Down-market capture: as :func:`up_capture`, over the observations where the benchmark fell.

    Parameters
    ----------
    {returns}
    factor_returns : array-like
        Benchmark returns, one per observation (or of the returns' shape).
    {period}

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        {shapes} NaN when the benchmark never fell.

    Raises
    ------
    {raises}

    Examples
    --------
    >>> import numpy as np
    >>> round(down_capture(np.array([0.02, -0.02]), np.array([0.01, -0.01]), annualization=1), 6)
    2.0
    """
    return _capture(returns, factor_returns, period, annualization, "down_capture")


@_doc
def cum_returns(returns: Any, starting_value: float = 0.0) -> Aligned:
    """Cumulative returns: Π(1 + r) − 1 up to each observation (× starting_value, without the
    −1, when starting_value is not 0). NaN returns count as 0.

    Parameters
    ----------
    {returns}
    starting_value : float, default 0.0
        0 gives cumulative returns; another value gives the value of that investment.

    Returns
    -------
    numpy.ndarray, pandas.Series or pandas.DataFrame
        Aligned with the input: the same shape; a Series or DataFrame keeps its index and columns.

    Raises
    ------
    {raises}

    Examples
    --------
    >>> import numpy as np
    >>> cum_returns(np.array([0.1, 0.1])).round(6).tolist()
    [0.1, 0.21]
    """
    start = check_finite_real(starting_value, "starting_value")
    frame = as_frame(returns)
    return aligned(frame, _native.path_columns(frame.values, "cum_returns", start))


@_doc
def drawdown_series(returns: Any) -> Aligned:
    """The underwater curve: (value − running peak) / running peak at each observation, where
    value = Π(1 + r) and the peak includes the starting value 1 (so a first loss is a drawdown).
    NaN returns count as 0. Values are ≤ 0.

    Parameters
    ----------
    {returns}

    Returns
    -------
    numpy.ndarray, pandas.Series or pandas.DataFrame
        Aligned with the input: the same shape; a Series or DataFrame keeps its index and columns.

    Raises
    ------
    {raises}

    Examples
    --------
    >>> import numpy as np
    >>> drawdown_series(np.array([0.1, -0.5, 0.2])).round(6).tolist()
    [0.0, -0.5, -0.4]
    """
    frame = as_frame(returns)
    return aligned(frame, _native.path_columns(frame.values, "drawdown_series"))
