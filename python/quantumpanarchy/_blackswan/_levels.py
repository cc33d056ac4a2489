"""Return levels with confidence intervals, and EVT value at risk / expected shortfall."""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from .._decision._params import check_int, check_probability
from .._native import blackswan as _native
from ..exceptions import InvalidInputError, InvalidTypeError
from ._common import periods_1d
from ._fits import GEVFit, GPDFit

__all__ = ["ReturnLevel", "evt_es", "evt_var", "return_level"]

Value = float | npt.NDArray[np.float64]


class ReturnLevel(NamedTuple):
    """A return level and its confidence interval (floats for a scalar period, arrays for an
    array of periods; ``lower``/``upper`` are ``None`` when no interval was asked for)."""

    level: Value
    lower: Value | None
    upper: Value | None


_CIS = ("delta", "profile", "bootstrap")


def return_level(
    fit: GPDFit | GEVFit,
    period: Any,
    ci: str | None = "delta",
    alpha: float = 0.05,
    seed: int | None = None,
    num_bootstrap: int = 1000,
    bootstrap: str = "parametric",
    progress: Any = False,
) -> ReturnLevel:
    """The level exceeded on average once per ``period``, with a ``1 - alpha`` confidence
    interval.

    Parameters
    ----------
    fit : GPDFit or GEVFit
        A peaks-over-threshold fit (``period`` counts **observations**: 252 × 100 is the
        100-year level of daily data) or a block-maxima fit (``period`` counts **blocks**).
    period : float or array-like
        Return period(s), each above 1; an array gives arrays.
    ci : {"delta", "profile", "bootstrap"} or None
        ``"delta"``: normal interval from the delta method with the full covariance (for POT it
        includes the binomial variance of the exceedance rate ζ = N_u/n, as Coles §4.4.1 does).
        ``"profile"``: where the profile log-likelihood of the level falls ``chi2_1(1 - alpha)/2``
        below its maximum (ζ held fixed); a side on which it never falls is ``inf``.
        ``"bootstrap"``: percentile interval of ``num_bootstrap`` refits, computed in parallel.
        ``None``: the level only.
    alpha : float
        ``1 - alpha`` is the coverage (0.05 → a 95% interval). pyextremes' ``alpha`` is the
        coverage itself (0.95).
    seed : int, optional
        Seed of the bootstrap: replicate ``r`` uses random stream ``(seed, r)``, so the interval
        is the same on any number of threads.
    num_bootstrap : int
        Bootstrap replicates (at least 10).
    bootstrap : {"parametric", "nonparametric"}
        ``"parametric"``: samples simulated from the fit (for POT the number of exceedances is
        drawn from Binomial(n, ζ) too). ``"nonparametric"``: the exceedances (block maxima)
        resampled with replacement, ζ fixed, as pyextremes does.
    progress : bool or callable
        Progress bar for the profile and bootstrap intervals.

    Returns
    -------
    ReturnLevel
        ``(level, lower, upper)``.

    Raises
    ------
    InvalidInputError
        ``period <= 1`` (or, for POT, a period shorter than ``n / N_u``, whose level lies below
        the threshold), ``alpha`` outside (0, 1), an unknown ``ci``; a delta interval for a fit
        without standard errors (ξ <= -0.5); a profile or bootstrap interval for a fit made by
        ``from_scipy`` (no data).
    InvalidTypeError
        ``fit`` is not a ``GPDFit`` or ``GEVFit``.

    Examples
    --------
    >>> import numpy as np
    >>> from quantumpanarchy.blackswan import fit_gpd, return_level
    >>> losses = np.random.default_rng(3).standard_t(4, size=10_000)
    >>> fit = fit_gpd(losses)
    >>> rl = return_level(fit, 10_000, ci="delta")
    >>> bool(rl.lower < rl.level < rl.upper)
    True
    """
    if not isinstance(fit, (GPDFit, GEVFit)):
        raise InvalidTypeError(f"fit must be a GPDFit or GEVFit, got {type(fit).__name__}")
    periods, scalar = periods_1d(period)
    a = check_probability(alpha, "alpha")
    if ci is not None and ci not in _CIS:
        raise InvalidInputError(f"ci must be None, 'delta', 'profile' or 'bootstrap', got {ci!r}")
    if bootstrap not in ("parametric", "nonparametric"):
        raise InvalidInputError(f"bootstrap must be 'parametric' or 'nonparametric', got {bootstrap!r}")
    nb = check_int(num_bootstrap, "num_bootstrap", 10)
    mode = "none" if ci is None else ci
    cov = None if fit.cov is None else list(fit.cov)
    if isinstance(fit, GPDFit):
        data = fit.exceedances
        if len(data) == 0:
            return _point_only(fit, periods, scalar, mode)
        level, lower, upper = _native.gpd_return_levels(
            data, fit.num_observations, fit.threshold, fit.xi, fit.sigma, _ll(fit), cov,
            periods, mode, a, nb, seed, bootstrap, progress,
        )  # fmt: skip
    else:
        data = fit.block_maxima
        if len(data) == 0:
            return _point_only(fit, periods, scalar, mode)
        level, lower, upper = _native.gev_return_levels(
            data, fit.mu, fit.sigma, fit.xi, _ll(fit), cov, periods, mode, a, nb, seed, bootstrap, progress
        )
    if mode == "none":
        return ReturnLevel(float(level[0]) if scalar else level, None, None)
    if scalar:
        return ReturnLevel(float(level[0]), float(lower[0]), float(upper[0]))
    return ReturnLevel(level, lower, upper)


def _ll(fit: GPDFit | GEVFit) -> float:
    """The fit's log-likelihood (NaN, refused by the native layer, for a fit that has none)."""
    return math.nan if fit.loglik is None else fit.loglik


def _level(base: float, sigma: float, xi: float, ell: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """``base + sigma * l * expm1(xi l)/(xi l)``, continuous at ``xi l = 0``."""
    a = xi * ell
    ratio = np.where(np.abs(a) < 1e-10, 1.0 + a / 2.0, np.expm1(a) / np.where(a == 0, 1.0, a))
    return np.asarray(base + sigma * ell * ratio, dtype=np.float64)


def _point_only(fit: GPDFit | GEVFit, periods: npt.NDArray[np.float64], scalar: bool, mode: str) -> ReturnLevel:
    """Levels of a fit without data (``from_scipy``): no interval can be computed."""
    if mode != "none":
        raise InvalidInputError(
            "this fit holds no data (it was made by from_scipy): only ci=None is available; refit with "
            "fit_gpd/fit_gev for intervals"
        )
    if isinstance(fit, GPDFit):
        mz = periods * fit.exceedance_rate
        if (mz <= 1).any():
            raise InvalidInputError(
                f"period must exceed n/N_u = {1 / fit.exceedance_rate}: shorter periods have levels below the threshold"
            )
        level = _level(fit.threshold, fit.sigma, fit.xi, np.log(mz))
    else:
        level = _level(fit.mu, fit.sigma, fit.xi, -np.log(-np.log1p(-1.0 / periods)))
    return ReturnLevel(float(level[0]) if scalar else level, None, None)


def _var_parts(fit: GPDFit, alpha: float, num_observations: int | None) -> tuple[float, float]:
    if not isinstance(fit, GPDFit):
        raise InvalidTypeError(f"fit must be a GPDFit (a peaks-over-threshold fit), got {type(fit).__name__}")
    a = check_probability(alpha, "alpha")
    n = fit.num_observations if num_observations is None else check_int(num_observations, "num_observations", 1)
    if n < fit.num_exceedances:
        raise InvalidInputError(f"num_observations ({n}) is below the number of exceedances ({fit.num_exceedances})")
    zeta = fit.num_exceedances / n
    if a >= zeta:
        raise InvalidInputError(
            f"alpha ({a}) must be below the exceedance rate N_u/n = {zeta:.6g}: the quantile lies below the threshold, "
            "outside the range the tail fit describes (use a higher threshold or a smaller alpha)"
        )
    ell = math.log(zeta / a)
    var = float(_level(fit.threshold, fit.sigma, fit.xi, np.array([ell]))[0])
    return var, zeta


def evt_var(fit: GPDFit, alpha: float = 0.01, num_observations: int | None = None) -> float:
    """Value at risk from a peaks-over-threshold fit: the level exceeded with probability
    ``alpha`` (a tail probability, as in :func:`quantumpanarchy.risk.var`: 0.01 is the 99% VaR).

    ``VaR = u + sigma/xi * (((n/N_u) * alpha) ** (-xi) - 1)`` (``u + sigma * ln(N_u/(n alpha))``
    at ``xi = 0``), with the data as losses (positive = loss).

    Parameters
    ----------
    fit : GPDFit
        The tail fit (of losses).
    alpha : float
        Tail probability in (0, N_u/n).
    num_observations : int, optional
        ``n``; default ``fit.num_observations``.

    Returns
    -------
    float

    Raises
    ------
    InvalidInputError
        ``alpha`` outside (0, 1) or not below the exceedance rate.

    Examples
    --------
    >>> import numpy as np
    >>> from quantumpanarchy.blackswan import evt_var, fit_gpd
    >>> fit = fit_gpd(np.random.default_rng(0).standard_normal(50_000))
    >>> round(evt_var(fit, 0.01), 1)  # the normal 99% quantile is 2.33
    2.3
    """
    return _var_parts(fit, alpha, num_observations)[0]


def evt_es(fit: GPDFit, alpha: float = 0.01, num_observations: int | None = None) -> float:
    """Expected shortfall (the mean loss beyond :func:`evt_var`) from a peaks-over-threshold fit:
    ``ES = VaR/(1 - xi) + (sigma - xi*u)/(1 - xi)``. It is infinite for ``xi >= 1``, which raises.

    Parameters
    ----------
    fit : GPDFit
    alpha : float
        Tail probability in (0, N_u/n).
    num_observations : int, optional
        ``n``; default ``fit.num_observations``.

    Returns
    -------
    float

    Raises
    ------
    InvalidInputError
        ``xi >= 1`` (the mean of the tail is infinite), or a bad ``alpha``.

    Examples
    --------
    >>> import numpy as np
    >>> from quantumpanarchy.blackswan import evt_es, evt_var, fit_gpd
    >>> fit = fit_gpd(np.random.default_rng(0).standard_normal(50_000))
    >>> evt_es(fit, 0.01) > evt_var(fit, 0.01)
    True
    """
    var, _ = _var_parts(fit, alpha, num_observations)
    if fit.xi >= 1:
        raise InvalidInputError(f"the expected shortfall is infinite for xi >= 1 (this fit has xi = {fit.xi})")
    return (var + fit.sigma - fit.xi * fit.threshold) / (1.0 - fit.xi)
