"""Value at risk and expected shortfall (CVaR) as positive losses: historical, Gaussian, Student t
and Cornish–Fisher; per column, for a weighted portfolio, and over rolling windows.

Sign convention: ``var`` and ``cvar`` report **losses as positive numbers** (a VaR of 0.03 is a
3% loss, exceeded with probability ``alpha``). empyrical's ``value_at_risk`` and
``conditional_value_at_risk`` (in :mod:`quantumpanarchy.risk` too) report the return quantile
instead, negative for a loss. See ``docs/risk-var.md`` for the formulas.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

from .._decision._params import check_int, check_probability
from .._frame import Aligned, Frame, PerColumn, aligned, as_frame, per_column
from .._native import risk as _native
from ..exceptions import InvalidInputError, InvalidTypeError

__all__ = ["StudentTFit", "cvar", "fit_student_t", "rolling_cvar", "rolling_var", "var"]

_METHODS = ("historical", "gaussian", "student_t", "cornish_fisher")

_PARAMS = """returns : array-like, pandas Series or DataFrame
        Simple returns, 1-D or 2-D (observations × assets); NaN marks a missing observation and is
        dropped.
    alpha : float, default 0.05
        The tail probability, in (0, 1): 0.05 is the 95% VaR.
    method : {"historical", "gaussian", "student_t", "cornish_fisher"}, default "historical"
        historical: numpy's linear quantile q of the returns. gaussian: the sample mean μ and
        standard deviation σ (ddof=1). student_t: a location-scale t fitted by maximum likelihood.
        cornish_fisher: μ, σ and the Cornish–Fisher quantile with the sample skewness and excess
        kurtosis (see ``docs/risk-var.md``).
    weights : array-like, optional
        Portfolio weights, one per column: the measure is then that of the portfolio returns
        ``returns @ weights`` (a row with a NaN is dropped), a float."""
_RAISES = """InvalidInputError
        Empty returns, ±inf in the returns, alpha outside (0, 1), an unknown method, weights of
        the wrong length or not finite, returns whose moments overflow float64."""


def _method(method: Any) -> str:
    if not isinstance(method, str):
        raise InvalidTypeError(f"method must be a string, got {type(method).__name__}")
    if method not in _METHODS:
        raise InvalidInputError(f"method must be one of {', '.join(map(repr, _METHODS))}, got {method[:40]!r}")
    return method


def _weights(weights: Any) -> Any:
    if weights is None:
        return None
    return as_frame(weights, "weights").values


def _measure(returns: Any, alpha: float, method: str, weights: Any, cvar: bool) -> PerColumn:
    a, m = check_probability(alpha, "alpha"), _method(method)
    frame = as_frame(returns)
    w = _weights(weights)
    result = _native.var_columns(frame.values, a, m, cvar, w)
    if w is not None:
        return float(result)
    return per_column(frame, result)


def var(
    returns: Any,
    alpha: float = 0.05,
    method: Literal["historical", "gaussian", "student_t", "cornish_fisher"] = "historical",
    weights: Any = None,
) -> PerColumn:
    """Value at risk at level ``alpha``, as a positive loss.

    historical: VaR = −q, q = ``np.quantile(returns, alpha)`` (linear interpolation).
    gaussian: VaR = −(μ + σ z_α), z_α = Φ⁻¹(α).
    student_t: VaR = −(loc + scale · t_ν⁻¹(α)) with (ν, loc, scale) the maximum-likelihood fit.
    cornish_fisher: VaR = −(μ + σ z_cf), z_cf = z + (z²−1)S/6 + (z³−3z)K/24 − (2z³−5z)S²/36, S the
    sample skewness and K the excess kurtosis (moment estimators).

    Parameters
    ----------
    {params}

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        A float for 1-D returns, a Series or weights; one value per column for 2-D returns (a
        Series keyed by the columns for a DataFrame). Positive for a loss. NaN for a column with
        too few present returns (historical 1, gaussian and cornish_fisher 2, student_t 3) and,
        for student_t, for a constant column.

    Raises
    ------
    {raises}

    Examples
    --------
    >>> import numpy as np
    >>> r = np.random.default_rng(0).normal(0.0, 0.01, 10_000)
    >>> 0.015 < var(r, 0.05, "gaussian") < 0.018
    True
    """
    return _measure(returns, alpha, method, weights, cvar=False)


def cvar(
    returns: Any,
    alpha: float = 0.05,
    method: Literal["historical", "gaussian", "student_t", "cornish_fisher"] = "historical",
    weights: Any = None,
) -> PerColumn:
    """Expected shortfall (CVaR) at level ``alpha``, as a positive loss.

    historical: CVaR = −mean of the returns ≤ q, q the linear ``alpha`` quantile (so at least one
    return, and every return equal to q, is in the tail).
    gaussian: CVaR = −μ + σ φ(z_α)/α.
    student_t: CVaR = −loc + scale · (ν + t_α²)/(ν − 1) · f_ν(t_α)/α, t_α = t_ν⁻¹(α), f_ν the
    standard t density; refused (InvalidInputError) when the fitted ν ≤ 1 (infinite mean).
    cornish_fisher: the modified expected shortfall of Boudt, Peterson & Croux (2008),
    CVaR = −(μ + σ E_G), E_G = (1/α) ∫_{−∞}^{z_cf} x f(x) dx with the Edgeworth density
    f(x) = φ(x)[1 + S/6 He₃(x) + K/24 He₄(x) + S²/72 He₆(x)].

    Parameters
    ----------
    {params}

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        As :func:`var`.

    Raises
    ------
    {raises}

    Examples
    --------
    >>> import numpy as np
    >>> r = np.random.default_rng(0).normal(0.0, 0.01, 10_000)
    >>> bool(cvar(r) > var(r))
    True
    """
    return _measure(returns, alpha, method, weights, cvar=True)


def _rolling(returns: Any, window: int, alpha: float, method: str, weights: Any, cvar: bool) -> Aligned:
    a, m = check_probability(alpha, "alpha"), _method(method)
    w_len = check_int(window, "window", 2)
    frame = as_frame(returns)
    w = _weights(weights)
    result = _native.rolling_var_columns(frame.values, w_len, a, m, cvar, w)
    if w is not None and frame.is_dataframe:
        return aligned(Frame(None, frame.index, None, None), result)
    return aligned(frame, result)


def rolling_var(
    returns: Any,
    window: int,
    alpha: float = 0.05,
    method: Literal["historical", "gaussian", "student_t", "cornish_fisher"] = "historical",
    weights: Any = None,
) -> Aligned:
    """:func:`var` over the rolling windows of ``window`` observations ending at each row.

    The result is aligned with the input: the first ``window − 1`` values are NaN (as pandas'
    ``rolling``), and a Series or DataFrame keeps its index and columns (with ``weights``, one
    portfolio series). A window's measure is over its present (non-NaN) returns; NaN when it has
    too few. The historical method keeps each window sorted (an insertion and a removal per
    step), so long series are fast.

    Parameters
    ----------
    {params}
    window : int
        Observations per window, at least 2 and at most the number of rows.

    Returns
    -------
    numpy.ndarray, pandas.Series or pandas.DataFrame

    Raises
    ------
    {raises}
        Also a window below 2 or above the number of observations.

    Examples
    --------
    >>> import numpy as np
    >>> r = np.random.default_rng(0).normal(0.0, 0.01, 500)
    >>> out = rolling_var(r, 250)
    >>> bool(np.isnan(out[248])), bool(out[249] > 0)
    (True, True)
    """
    return _rolling(returns, window, alpha, method, weights, cvar=False)


def rolling_cvar(
    returns: Any,
    window: int,
    alpha: float = 0.05,
    method: Literal["historical", "gaussian", "student_t", "cornish_fisher"] = "historical",
    weights: Any = None,
) -> Aligned:
    """:func:`cvar` over rolling windows, aligned with the input as :func:`rolling_var`.

    Parameters
    ----------
    {params}
    window : int
        Observations per window, at least 2 and at most the number of rows.

    Returns
    -------
    numpy.ndarray, pandas.Series or pandas.DataFrame

    Raises
    ------
    {raises}
        Also a window below 2 or above the number of observations.

    Examples
    --------
    >>> import numpy as np
    >>> r = np.random.default_rng(0).normal(0.0, 0.01, 500)
    >>> bool(rolling_cvar(r, 250)[-1] > rolling_var(r, 250)[-1])
    True
    """
    return _rolling(returns, window, alpha, method, weights, cvar=True)


@dataclasses.dataclass(frozen=True)
class StudentTFit:
    """A location-scale Student t fitted by maximum likelihood: ``dof`` (ν), ``loc``, ``scale``
    and the log-likelihood ``loglik``. ``to_scipy()`` gives scipy's ``(df, loc, scale)``."""

    dof: float
    loc: float
    scale: float
    loglik: float

    def to_scipy(self) -> tuple[float, float, float]:
        """``(df, loc, scale)`` as ``scipy.stats.t`` takes them."""
        return (self.dof, self.loc, self.scale)

    def to_dict(self) -> dict[str, float]:
        return dataclasses.asdict(self)


def fit_student_t(returns: Any) -> StudentTFit:
    """The maximum-likelihood location-scale Student t of 1-D returns (NaN dropped), as
    ``method="student_t"`` uses it.

    The profile likelihood of ν (maximised over loc and scale by the EM iteration) is scanned on a
    grid of log ν in [0.2, 10⁴] and refined by golden-section search.

    Parameters
    ----------
    returns : array-like
        1-D returns.

    Returns
    -------
    StudentTFit

    Raises
    ------
    InvalidInputError
        Fewer than 3 present returns, constant returns, ±inf, or input that is not 1-D.

    Examples
    --------
    >>> import numpy as np
    >>> fit = fit_student_t(np.random.default_rng(1).standard_t(4, 5000) * 0.01)
    >>> 3 < fit.dof < 6
    True
    """
    fit = _native.fit_student_t(as_frame(returns).values)
    if fit is None:
        raise InvalidInputError("a Student t fit needs at least 3 present returns that are not all equal")
    return StudentTFit(*fit)


for _f in (var, cvar, rolling_var, rolling_cvar):
    if _f.__doc__:
        _f.__doc__ = _f.__doc__.replace("{params}", _PARAMS).replace("{raises}", _RAISES)
