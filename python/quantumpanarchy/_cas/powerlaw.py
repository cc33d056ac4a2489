"""Power-law fitting with the ``powerlaw`` package's names and numbers.

:class:`PowerLawFit` is ``powerlaw.Fit`` for a power law: the same x_min (minimum Kolmogorov–Smirnov
distance over every candidate, chosen as powerlaw chooses it), alpha, its standard error
``sigma``, the KS distance ``D`` and the log-likelihood ratio test ``distribution_compare`` — plus
the Clauset–Shalizi–Newman bootstrap ``goodness_of_fit``, which powerlaw lacks. Discrete fits use
the exact Hurwitz-zeta likelihood; the alternatives take powerlaw's discrete forms and, with
``xmax``, are normalised on [x_min, x_max]. See ``docs/cas.md``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from .._decision._params import check_finite_real, check_int
from .._native import cas as _native
from ..exceptions import InvalidInputError, InvalidTypeError

__all__ = ["PowerLawFit", "hurwitz_zeta"]

#: The distributions :meth:`PowerLawFit.distribution_compare` knows, with their parameter names.
DISTRIBUTIONS: dict[str, tuple[str, ...]] = {
    "power_law": ("alpha",),
    "exponential": ("Lambda",),
    "stretched_exponential": ("Lambda", "beta"),
    "truncated_power_law": ("alpha", "Lambda"),
    "lognormal": ("mu", "sigma"),
}


def hurwitz_zeta(s: float, q: float) -> float:
    """The Hurwitz zeta function ζ(s, q) = Σ_{k≥0} (q + k)^(−s), as ``scipy.special.zeta(s, q)``.

    Parameters
    ----------
    s : float
        The exponent, > 1.
    q : float
        The offset, > 0.

    Returns
    -------
    float
        ζ(s, q) to about 1e-15 relative (Euler–Maclaurin summation).

    Raises
    ------
    InvalidInputError
        ``s <= 1`` or ``q <= 0`` (where the series diverges or is undefined), or a value beyond the
        largest float (q^(−s) overflows: q tiny).

    Examples
    --------
    >>> round(hurwitz_zeta(2.0, 1.0), 12)  # π²/6
    1.644934066848
    """
    s = check_finite_real(s, "s")
    q = check_finite_real(q, "q")
    if not (s > 1.0 and q > 0.0):
        raise InvalidInputError(f"hurwitz_zeta needs s > 1 and q > 0, got s={s}, q={q}")
    value = float(_native.hurwitz_zeta(s, q))
    if value == np.inf:
        raise InvalidInputError(f"hurwitz_zeta({s}, {q}) overflows a float: q = {q:e} is too small for s = {s}")
    return value


def _optional_positive(value: Any, name: str) -> float | None:
    if value is None:
        return None
    v = check_finite_real(value, name)
    if v <= 0.0:
        raise InvalidInputError(f"{name} must be positive, got {v}")
    return v


class PowerLawFit:
    """A power law fitted to data, with the ``powerlaw`` package's estimators and numbers.

    Parameters
    ----------
    data : array-like or pandas Series
        Positive finite values (1-D; float or int). Non-positive values, NaN and ±inf raise
        :class:`InvalidInputError` (powerlaw silently drops zeros and negatives; we refuse them).
    discrete : bool, default False
        Fit the discrete power law p(x) = x^(−α) / ζ(α, x_min) on the integers (values are rounded
        half to even, as powerlaw casts them), by the exact Hurwitz-zeta likelihood.
    xmin : float, optional
        A fixed x_min. Without it, x_min is the candidate minimising the KS distance ``D`` among
        every distinct value but the two largest, over the candidates whose fit powerlaw counts as
        valid (alpha < 3; discrete fits: 1.01 < alpha < 3, or < 2.99 where powerlaw fits
        numerically, below x_min = 10 or with ``xmax``).
    xmax : float, optional
        Values above ``xmax`` are dropped and the power law truncated there (its CDF and likelihood
        normalised to [x_min, x_max]); continuous alpha stays the closed form, as in powerlaw. A
        discrete fit ends at the integer part of ``xmax``.

    Attributes
    ----------
    alpha : float
        The maximum-likelihood exponent: 1 + n / Σ ln(x / x_min) for continuous data; the root of
        the Hurwitz-zeta score (maximising −α Σ ln x − n ln ζ(α, x_min)) for discrete data.
    xmin : float
        The lower bound of the power-law tail.
    sigma : float
        The standard error of alpha, (alpha − 1) / √n (powerlaw's ``sigma`` / ``standard_err``).
    D : float
        powerlaw's KS distance: the largest |F(x) − (#tail values < x) / n| over the distinct tail
        values x, F the fitted CDF.
    n : int
        Number of values in the tail [x_min, x_max].
    n_tail : int
        ``n`` plus the values dropped above ``xmax`` (powerlaw's ``n_tail``).
    noise_flag : bool
        True when no candidate x_min gave a valid fit (x_min then minimises D over all of them).

    Raises
    ------
    InvalidInputError
        Empty data, NaN/inf or non-positive values, fewer than 4 distinct values when x_min is
        chosen, fewer than 2 values at or above a given ``xmin``, ``xmin`` above the largest value.
    InvalidTypeError
        A non-numeric argument.

    Examples
    --------
    >>> import numpy as np
    >>> x = 1.0 / (1.0 - np.random.default_rng(0).random(2000)) ** (1 / 1.5)  # Pareto, alpha 2.5
    >>> fit = PowerLawFit(x)
    >>> round(fit.alpha, 1)
    2.5
    """

    __slots__ = ("_core", "_discrete", "_xmax", "_xmin_given")

    def __init__(self, data: Any, discrete: bool = False, xmin: float | None = None, xmax: float | None = None) -> None:
        if not isinstance(discrete, (bool, np.bool_)):
            raise InvalidTypeError(f"discrete must be a bool, got {discrete!r}")
        if isinstance(data, (str, bytes)):
            raise InvalidTypeError(f"data must be an array of numbers, got {type(data).__name__}")
        values = data.to_numpy() if hasattr(data, "to_numpy") and hasattr(data, "index") else data
        self._discrete = bool(discrete)
        self._xmin_given = _optional_positive(xmin, "xmin")
        self._xmax = _optional_positive(xmax, "xmax")
        self._core = _native.PowerLawCore(values, self._discrete, self._xmin_given, self._xmax)

    @property
    def alpha(self) -> float:
        """The maximum-likelihood exponent alpha."""
        return float(self._core.alpha)

    @property
    def xmin(self) -> float:
        """The lower bound of the power-law tail."""
        return float(self._core.xmin)

    @property
    def xmax(self) -> float | None:
        """The upper cut given, or None."""
        return self._xmax

    @property
    def discrete(self) -> bool:
        """Whether the discrete power law was fitted."""
        return self._discrete

    @property
    def fixed_xmin(self) -> bool:
        """Whether x_min was given (powerlaw's ``fixed_xmin``)."""
        return self._xmin_given is not None

    @property
    def sigma(self) -> float:
        """The standard error of alpha, (alpha − 1) / √n."""
        return float(self._core.sigma)

    @property
    def standard_err(self) -> float:
        """Another name for :attr:`sigma` (powerlaw's ``Power_Law.standard_err``)."""
        return self.sigma

    @property
    def D(self) -> float:  # noqa: N802 - powerlaw's name
        """powerlaw's KS distance between the tail and the fitted power law."""
        return float(self._core.D)

    @property
    def n(self) -> int:
        """Number of values in the tail [x_min, x_max]."""
        return int(self._core.n)

    @property
    def n_tail(self) -> int:
        """``n`` plus the values dropped above ``xmax``."""
        return int(self._core.n) + int(self._core.n_above_max)

    @property
    def noise_flag(self) -> bool:
        """True when no candidate x_min gave a valid fit."""
        return bool(self._core.noise_flag)

    @property
    def data(self) -> npt.NDArray[np.float64]:
        """The tail values, sorted (powerlaw's ``Fit.data``)."""
        out: npt.NDArray[np.float64] = self._core.tail()
        return out

    def distribution_compare(
        self, dist1: str, dist2: str, nested: bool | None = None, normalized_ratio: bool = False
    ) -> tuple[float, float]:
        """The log-likelihood ratio R of two distributions fitted to the tail, and its p-value.

        Both are fitted to the same tail [x_min, x_max] by maximum likelihood: the power law as
        above; ``exponential`` (closed form without ``xmax``: λ = 1 / (mean − x_min), or for
        discrete fits the geometric law's ln(1 + 1 / (mean − x_min))); ``stretched_exponential``,
        ``truncated_power_law`` (alpha in (0, 3), as powerlaw bounds it) and ``lognormal``
        numerically (Nelder–Mead from powerlaw's starting values, run to convergence, so their
        likelihood is at least powerlaw's). Discrete fits use powerlaw's discrete forms: the
        exponential and truncated power law normalised by their sums over the integers, the
        stretched exponential and lognormal rounded to the nearest integer. With ``xmax`` every
        distribution is normalised on [x_min, x_max] (a discrete tail ends at its integer part);
        powerlaw leaves its continuous alternatives untruncated and stops its discrete sums one
        integer short of ``xmax``, so there R and p differ from powerlaw's (docs/cas.md).

        Parameters
        ----------
        dist1, dist2 : {"power_law", "exponential", "stretched_exponential", "truncated_power_law", "lognormal"}
            The two distributions.
        nested : bool, optional
            Whether one is a special case of the other. None: when one name contains the other
            (power_law in truncated_power_law, exponential in stretched_exponential), as powerlaw.
        normalized_ratio : bool, default False
            Return R / √(n var) (Vuong's statistic) instead of R.

        Returns
        -------
        (R, p) : tuple of float
            R = Σ (ln p1(x) − ln p2(x)) over the tail (> 0 favours ``dist1``); p = erfc(|R| /
            √(2 n var)) (var the variance of the pointwise differences), or for nested pairs the
            chi-square(1) tail probability of 2|R|.

        Raises
        ------
        InvalidInputError
            An unknown distribution name, or an alternative on a tail of one repeated value
            (possible on a discrete fit), which has no maximum-likelihood fit.

        Examples
        --------
        >>> import numpy as np
        >>> x = 1.0 / (1.0 - np.random.default_rng(1).random(3000)) ** (1 / 1.5)
        >>> R, p = PowerLawFit(x).distribution_compare("power_law", "exponential")
        >>> R > 0
        True
        """
        r, p = self._compare(dist1, dist2, nested, normalized_ratio)[:2]
        return r, p

    def loglikelihood_ratio(
        self, dist1: str, dist2: str, nested: bool | None = None, normalized_ratio: bool = False
    ) -> tuple[float, float]:
        """Another name for :meth:`distribution_compare` (as in powerlaw)."""
        return self.distribution_compare(dist1, dist2, nested, normalized_ratio)

    def fitted_parameters(self, dist: str) -> dict[str, float]:
        """The maximum-likelihood parameters of ``dist`` on the tail, with powerlaw's names.

        Parameters
        ----------
        dist : str
            One of the names :meth:`distribution_compare` takes.

        Returns
        -------
        dict of str to float
            For example ``{"mu": ..., "sigma": ...}`` for ``"lognormal"``.

        Raises
        ------
        InvalidInputError
            An unknown name, or an alternative on a tail of one repeated value.
        """
        _, _, params, _ = self._compare(dist, "power_law", None, False)
        return dict(zip(DISTRIBUTIONS[dist], (float(v) for v in params), strict=True))

    def _compare(self, dist1: Any, dist2: Any, nested: Any, normalized_ratio: Any) -> tuple[float, float, Any, Any]:
        for name, value in (("dist1", dist1), ("dist2", dist2)):
            if not isinstance(value, str):
                raise InvalidTypeError(f"{name} must be a distribution name, got {value!r}")
        if nested is not None and not isinstance(nested, (bool, np.bool_)):
            raise InvalidTypeError(f"nested must be a bool or None, got {nested!r}")
        if not isinstance(normalized_ratio, (bool, np.bool_)):
            raise InvalidTypeError(f"normalized_ratio must be a bool, got {normalized_ratio!r}")
        nested = None if nested is None else bool(nested)
        r, p, a, b = self._core.compare(dist1, dist2, nested, bool(normalized_ratio))
        return float(r), float(p), a, b

    def goodness_of_fit(self, num_sims: int = 1000, seed: int | None = None) -> float:
        """The p-value of the power-law hypothesis by the Clauset–Shalizi–Newman bootstrap.

        Each of ``num_sims`` synthetic data sets has as many values as the data: each drawn from
        the fitted power law (above x_min) with probability n / (all values), else uniformly from
        the observed values below x_min. Each set is fitted as the data were (x_min chosen again,
        unless it was given) and p is the fraction of synthetic KS distances ≥ the observed D. A
        synthetic set that cannot be fitted counts as D = +inf. Parallel over simulations;
        simulation i uses its own seeded stream, so the same seed gives the same p on any number
        of threads. Ctrl-C interrupts it.

        Parameters
        ----------
        num_sims : int, default 1000
            Number of synthetic data sets (≥ 1). p has a standard error of at most 0.5 / √num_sims.
        seed : int, optional
            Seed of the synthetic draws; None draws one from the operating system.

        Returns
        -------
        float
            p in [0, 1]; p ≤ 0.1 rules the power law out (Clauset et al.'s convention).

        Raises
        ------
        InvalidInputError
            ``num_sims < 1`` or a negative seed.

        Examples
        --------
        >>> import numpy as np
        >>> x = 1.0 / (1.0 - np.random.default_rng(2).random(500)) ** (1 / 1.5)
        >>> p = PowerLawFit(x, xmin=1.0).goodness_of_fit(num_sims=50, seed=1)
        >>> 0.0 <= p <= 1.0
        True
        """
        num_sims = check_int(num_sims, "num_sims", 1)
        if seed is not None:
            seed = check_int(seed, "seed")
        p, _ = self._core.goodness_of_fit(num_sims, seed)
        return float(p)

    def to_dict(self) -> dict[str, Any]:
        """The fitted numbers as a dict."""
        return {
            "alpha": self.alpha,
            "xmin": self.xmin,
            "xmax": self.xmax,
            "sigma": self.sigma,
            "D": self.D,
            "n": self.n,
            "n_tail": self.n_tail,
            "discrete": self.discrete,
            "noise_flag": self.noise_flag,
        }

    def __repr__(self) -> str:
        return (
            f"PowerLawFit(alpha={self.alpha:.6g}, xmin={self.xmin:.6g}, sigma={self.sigma:.3g}, "
            f"D={self.D:.4g}, n_tail={self.n_tail}, discrete={self.discrete})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # The values kept (sorted) plus stand-ins for those dropped above xmax (only their count
        # matters): refitting them gives the same fit.
        kept: npt.NDArray[np.float64] = self._core.values()
        above = int(self._core.n_above_max)
        if above and self._xmax is not None:
            kept = np.concatenate([kept, np.full(above, np.nextafter(self._xmax, np.inf))])
        return (PowerLawFit, (kept, self._discrete, self._xmin_given, self._xmax))
