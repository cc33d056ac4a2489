"""Generalized Pareto (peaks over threshold) and GEV (block maxima) fits by maximum likelihood."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import numpy.typing as npt

from .._decision._params import check_finite_real, check_int, check_real
from .._native import blackswan as _native
from ..exceptions import InvalidInputError
from ._common import values_1d

__all__ = ["GEVFit", "GPDFit", "block_maxima", "fit_gev", "fit_gpd"]

DEFAULT_THRESHOLD_QUANTILE: float = float(_native.default_quantile())


def _stderr(cov: list[float] | None, i: int, d: int) -> float | None:
    return None if cov is None else math.sqrt(cov[i * d + i])


@dataclasses.dataclass(frozen=True)
class GPDFit:
    """A generalized Pareto distribution fitted to the exceedances of a threshold (Coles'
    convention: ``xi > 0`` is a heavy tail).

    The exceedances ``y = x - threshold`` of the values ``x > threshold`` follow
    ``P(Y > y) = (1 + xi * y / sigma) ** (-1 / xi)`` (``exp(-y / sigma)`` at ``xi = 0``).

    Attributes
    ----------
    xi, sigma : float
        Shape and scale.
    threshold : float
        The threshold ``u``.
    num_exceedances, num_observations : int
        ``N_u`` (values above ``u``) and ``n`` (all values); ``N_u / n`` is the exceedance rate.
    xi_stderr, sigma_stderr : float or None
        Standard errors from the inverse observed information (the Hessian of the
        log-likelihood at the optimum); ``None`` when they do not exist: ``xi <= -0.5``, where the
        MLE is not asymptotically normal, or a fit on the boundary ``xi = -1``.
    loglik : float or None
        Log-likelihood of the exceedances at the optimum (``None`` for a fit made with
        :meth:`from_scipy`, which holds no data).
    cov : tuple of 4 floats or None
        Covariance of ``(xi, sigma)``, row-major.
    boundary : bool
        True when the fit lies on the constraint ``xi = -1`` (the likelihood is unbounded for
        ``xi < -1``; this fit has ``sigma = max(y)``).
    exceedances : numpy.ndarray
        The exceedances ``y`` the fit was made on (kept for profile-likelihood and bootstrap
        intervals; empty for a fit made with :meth:`from_scipy`).
    """

    xi: float
    sigma: float
    threshold: float
    num_exceedances: int
    num_observations: int
    xi_stderr: float | None
    sigma_stderr: float | None
    loglik: float | None
    cov: tuple[float, float, float, float] | None = None
    boundary: bool = False
    exceedances: npt.NDArray[np.float64] = dataclasses.field(
        default_factory=lambda: np.empty(0), repr=False, compare=False
    )

    @property
    def exceedance_rate(self) -> float:
        """``N_u / n``, the fraction of observations above the threshold."""
        return self.num_exceedances / self.num_observations

    def to_scipy(self) -> tuple[float, float, float]:
        """``(c, loc, scale)`` for :data:`scipy.stats.genpareto` describing the values above the
        threshold: ``c = xi``, ``loc = threshold``, ``scale = sigma``. (The exceedances
        ``x - threshold`` themselves are ``genpareto(c, 0, scale)``, which is what
        ``genpareto.fit(y, floc=0)`` fits.)"""
        return (self.xi, self.threshold, self.sigma)

    @classmethod
    def from_scipy(
        cls, c: float, loc: float, scale: float, num_exceedances: int = 1, num_observations: int = 1
    ) -> GPDFit:
        """A fit from scipy's ``genpareto(c, loc, scale)`` parameters (``loc`` is the threshold).
        It holds no data: only point return levels (``ci=None``) can be computed from it."""
        xi, u, sigma = check_finite_real(c, "c"), check_finite_real(loc, "loc"), check_finite_real(scale, "scale")
        if sigma <= 0:
            raise InvalidInputError(f"scale must be positive, got {sigma}")
        n_u = check_int(num_exceedances, "num_exceedances", 1)
        n = check_int(num_observations, "num_observations", n_u)
        return cls(xi, sigma, u, n_u, n, None, None, None, None, False)

    def to_dict(self) -> dict[str, Any]:
        """The scalar fields as a dict (the exceedances are left out)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "exceedances"}


@dataclasses.dataclass(frozen=True)
class GEVFit:
    """A generalized extreme value distribution fitted to block maxima (Coles' convention:
    ``xi > 0`` is a heavy, Fréchet-type tail).

    ``G(z) = exp(-(1 + xi * (z - mu) / sigma) ** (-1 / xi))`` (Gumbel ``exp(-exp(-(z - mu) /
    sigma))`` at ``xi = 0``).

    **scipy's** ``genextreme`` **uses the opposite sign:** ``c = -xi``. :meth:`to_scipy` returns
    ``(c, loc, scale) = (-xi, mu, sigma)``.

    Attributes
    ----------
    xi, mu, sigma : float
        Shape, location and scale.
    xi_stderr, mu_stderr, sigma_stderr : float or None
        Standard errors from the inverse observed information (``None`` for ``xi <= -0.5``).
    loglik : float or None
        Log-likelihood at the optimum (``None`` for a fit made with :meth:`from_scipy`).
    num_blocks : int
        Number of block maxima.
    cov : tuple of 9 floats or None
        Covariance of ``(mu, sigma, xi)``, row-major.
    block_maxima : numpy.ndarray
        The data the fit was made on.
    """

    xi: float
    mu: float
    sigma: float
    xi_stderr: float | None
    mu_stderr: float | None
    sigma_stderr: float | None
    loglik: float | None
    num_blocks: int
    cov: tuple[float, ...] | None = None
    block_maxima: npt.NDArray[np.float64] = dataclasses.field(
        default_factory=lambda: np.empty(0), repr=False, compare=False
    )

    def to_scipy(self) -> tuple[float, float, float]:
        """``(c, loc, scale) = (-xi, mu, sigma)`` for :data:`scipy.stats.genextreme` (note the
        sign: scipy's ``c`` is ``-xi``)."""
        return (-self.xi, self.mu, self.sigma)

    @classmethod
    def from_scipy(cls, c: float, loc: float, scale: float) -> GEVFit:
        """A fit from scipy's ``genextreme(c, loc, scale)`` (so ``xi = -c``). It holds no data:
        only point return levels can be computed from it."""
        xi = -check_finite_real(c, "c")
        mu, sigma = check_finite_real(loc, "loc"), check_finite_real(scale, "scale")
        if sigma <= 0:
            raise InvalidInputError(f"scale must be positive, got {sigma}")
        return cls(xi, mu, sigma, None, None, None, None, 0, None)

    def to_dict(self) -> dict[str, Any]:
        """The scalar fields as a dict (the data are left out)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "block_maxima"}


def fit_gpd(data: Any, threshold: float | None = None, method: str = "mle") -> GPDFit:
    """Fit a generalized Pareto distribution to the exceedances of ``threshold`` by maximum
    likelihood (peaks over threshold).

    Parameters
    ----------
    data : array-like or pandas.Series
        Observations (for a loss tail: losses as positive numbers). Must be finite.
    threshold : float, optional
        The threshold ``u``; the exceedances are ``x - u`` for ``x > u``. Default: the 95%
        quantile of ``data`` (``numpy.quantile(data, 0.95)``, linear interpolation).
    method : {"mle"}
        Maximum likelihood (the only method).

    Returns
    -------
    GPDFit
        ``xi`` (> 0: heavy tail), ``sigma``, standard errors, log-likelihood, counts.

    Raises
    ------
    InvalidInputError
        NaN/inf in ``data``, fewer than 10 exceedances, exceedances that are all equal, an
        unknown method.

    Notes
    -----
    The likelihood is maximised over ``theta = xi / sigma`` after profiling out ``xi``
    (Grimshaw's reduction), then solved to machine precision by Brent's method; it is the MLE
    that ``scipy.stats.genpareto.fit(y, floc=0)`` approximates. ``xi`` is constrained to
    ``xi >= -1`` (below, the likelihood is unbounded).

    Examples
    --------
    >>> import numpy as np
    >>> from quantumpanarchy.blackswan import fit_gpd
    >>> x = np.random.default_rng(0).standard_t(3, size=20_000)
    >>> fit = fit_gpd(x)
    >>> 0.1 < fit.xi < 0.6
    True
    """
    if method != "mle":
        raise InvalidInputError(f"method must be 'mle', got {method!r}")
    x = values_1d(data, "data")
    u = None if threshold is None else check_real(threshold, "threshold")
    d = _native.gpd_fit(x, u)
    cov = None if d["cov"] is None else tuple(d["cov"])
    return GPDFit(
        xi=d["xi"],
        sigma=d["sigma"],
        threshold=d["threshold"],
        num_exceedances=d["num_exceedances"],
        num_observations=d["num_observations"],
        xi_stderr=_stderr(d["cov"], 0, 2),
        sigma_stderr=_stderr(d["cov"], 1, 2),
        loglik=d["loglik"],
        cov=cov,
        boundary=d["boundary"],
        exceedances=d["exceedances"],
    )


def fit_gev(block_maxima: Any) -> GEVFit:
    """Fit a GEV distribution to block maxima by maximum likelihood.

    Parameters
    ----------
    block_maxima : array-like or pandas.Series
        One maximum per block (see :func:`block_maxima`); at least 10, finite, not all equal.

    Returns
    -------
    GEVFit
        ``xi`` (Coles' sign: > 0 heavy tail), ``mu``, ``sigma``, standard errors, log-likelihood.
        ``fit.to_scipy()`` gives scipy's ``genextreme`` parameters, whose ``c`` is ``-xi``.

    Raises
    ------
    InvalidInputError
        NaN/inf, fewer than 10 maxima, all equal.

    Notes
    -----
    Starts from probability-weighted moments, then Nelder–Mead and Newton polishing; the fit is
    constrained to ``xi > -1`` (below, the likelihood is unbounded).

    Examples
    --------
    >>> import numpy as np
    >>> from quantumpanarchy.blackswan import block_maxima, fit_gev
    >>> x = np.random.default_rng(1).gumbel(size=100 * 50)
    >>> fit = fit_gev(block_maxima(x, 50))
    >>> abs(fit.xi) < 0.2
    True
    """
    x = values_1d(block_maxima, "block_maxima")
    d = _native.gev_fit(x)
    cov = None if d["cov"] is None else tuple(d["cov"])
    return GEVFit(
        xi=d["xi"],
        mu=d["mu"],
        sigma=d["sigma"],
        xi_stderr=_stderr(d["cov"], 2, 3),
        mu_stderr=_stderr(d["cov"], 0, 3),
        sigma_stderr=_stderr(d["cov"], 1, 3),
        loglik=d["loglik"],
        num_blocks=len(x),
        cov=cov,
        block_maxima=x,
    )


def block_maxima(data: Any, block_size: int) -> npt.NDArray[np.float64]:
    """The maximum of each block of ``block_size`` consecutive observations (a trailing partial
    block is dropped).

    Parameters
    ----------
    data : array-like or pandas.Series
        Observations, finite.
    block_size : int
        Observations per block (e.g. 252 trading days for annual maxima).

    Returns
    -------
    numpy.ndarray
        ``len(data) // block_size`` maxima.

    Raises
    ------
    InvalidInputError
        ``block_size`` below 1 or larger than the data.

    Examples
    --------
    >>> from quantumpanarchy.blackswan import block_maxima
    >>> block_maxima([1.0, 3.0, 2.0, 5.0, 4.0], 2).tolist()
    [3.0, 5.0]
    """
    x = values_1d(data, "data")
    b = check_int(block_size, "block_size", 1)
    if b > len(x):
        raise InvalidInputError(f"block_size ({b}) is larger than the data ({len(x)} values)")
    m = len(x) // b
    return np.asarray(x[: m * b].reshape(m, b).max(axis=1), dtype=np.float64)
