"""distribution_compare on discrete fits and with xmax, against the powerlaw package (2.0.0) and
against reference likelihoods computed here with mpmath and scipy.

Our alternatives are normalised exactly on the tail's support [x_min, x_max]. Where powerlaw
normalises the same way (every alternative on a discrete fit without xmax; the rounded stretched
exponential and lognormal with xmax), R and p agree with powerlaw's to 2e-3 unless our fit is more
likely than powerlaw's by more than 1e-3 (its Nelder–Mead stops at tol 1e-4, short of the optimum,
mostly where a lognormal or stretched exponential heads for its power-law limit). Everywhere our
log-likelihood at our fit is at least the exact log-likelihood at powerlaw's parameters. powerlaw's
discrete exponential and truncated power law stop their sums one integer short of xmax, and its
continuous alternatives ignore xmax in their normalisation: there only the likelihoods are compared.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from quantumpanarchy.cas import PowerLawFit
from quantumpanarchy.exceptions import InvalidInputError
from test_cas_powerlaw import pl_fit

powerlaw = pytest.importorskip("powerlaw")
mpmath = pytest.importorskip("mpmath")
special = pytest.importorskip("scipy.special")

ALTERNATIVES = ["exponential", "lognormal", "truncated_power_law", "stretched_exponential"]


def tail_of(x: Any, xmin: float, xmax: float | None) -> np.ndarray:
    t = np.asarray(x, dtype=float)
    return t[(t >= xmin) & (t <= (np.inf if xmax is None else xmax))]


def power_law_loglik(fit: PowerLawFit) -> float:
    """The power law's log-likelihood at our alpha, on the tail (exact normalisation)."""
    t, a = fit.data, fit.alpha
    if fit.discrete:
        z = special.zeta(a, fit.xmin) - (special.zeta(a, fit.xmax + 1) if fit.xmax else 0.0)
        return float(-a * np.log(t).sum() - len(t) * np.log(z))
    if fit.xmax:
        c = (1 - a) / (fit.xmax ** (1 - a) - fit.xmin ** (1 - a))
    else:
        c = (a - 1) * fit.xmin ** (a - 1)
    return float(len(t) * np.log(c) - a * np.log(t).sum())


def mp(v: float) -> Any:
    return mpmath.mpf(float(v))


def discrete_loglik(dist: str, params: list[float], t: np.ndarray, xmin: float, xmax: float | None) -> float:
    """The exact discrete log-likelihood, in multiple precision: exponential and truncated power law
    normalised by their sums over the integers in [xmin, xmax]; the stretched exponential and the
    lognormal rounded to the nearest integer (powerlaw's forms)."""
    vals, counts = np.unique(t, return_counts=True)
    if dist in ("exponential", "truncated_power_law"):
        a, lam = (0.0, params[0]) if dist == "exponential" else params
        z = mpmath.exp(-mp(lam))
        total = mpmath.lerchphi(z, mp(a), mp(xmin))
        if xmax is not None:
            total -= z ** mp(xmax + 1 - xmin) * mpmath.lerchphi(z, mp(a), mp(xmax + 1))
        logs = [-mp(a) * mpmath.log(mp(v)) - mp(lam) * mp(v - xmin) - mpmath.log(total) for v in vals]
        return float(sum(c * v for v, c in zip(logs, counts, strict=True)))
    if dist == "stretched_exponential":
        lam, b = params

        def surv(y: float) -> Any:
            return mpmath.exp(-((mp(lam) * mp(y)) ** mp(b)))
    else:
        mu, s = params

        def surv(y: float) -> Any:
            return mpmath.erfc((mpmath.log(mp(y)) - mp(mu)) / (mp(s) * mpmath.sqrt(2))) / 2

    norm = surv(xmin - 0.5) - (surv(xmax + 0.5) if xmax is not None else 0)
    return float(sum(c * mpmath.log((surv(v - 0.5) - surv(v + 0.5)) / norm) for v, c in zip(vals, counts, strict=True)))


def continuous_loglik(dist: str, params: list[float], t: np.ndarray, xmin: float, xmax: float | None) -> float:
    """The exact continuous log-likelihood, truncated to [xmin, xmax], in multiple precision."""
    p = [mp(v) for v in params]

    def surv(y: float) -> Any:  # the unnormalised survival function
        y = mp(y)
        if dist == "exponential":
            return mpmath.exp(-p[0] * y)
        if dist == "stretched_exponential":
            return mpmath.exp(-((p[0] * y) ** p[1]))
        if dist == "truncated_power_law":
            return p[1] ** (p[0] - 1) * mpmath.gammainc(1 - p[0], p[1] * y)
        return mpmath.erfc((mpmath.log(y) - p[0]) / (p[1] * mpmath.sqrt(2))) / 2

    def logpdf(v: float) -> Any:  # the matching unnormalised log-density
        v = mp(v)
        if dist == "exponential":
            return mpmath.log(p[0]) - p[0] * v
        if dist == "stretched_exponential":
            return mpmath.log(p[1] * p[0]) + (p[1] - 1) * mpmath.log(p[0] * v) - (p[0] * v) ** p[1]
        if dist == "truncated_power_law":
            return -p[0] * mpmath.log(v) - p[1] * v
        z = (mpmath.log(v) - p[0]) / p[1]
        return -mpmath.log(v * p[1] * mpmath.sqrt(2 * mpmath.pi)) - z * z / 2

    norm = surv(xmin) - (surv(xmax) if xmax is not None else 0)
    return float(sum(logpdf(v) for v in t) - len(t) * mpmath.log(norm))


def exact_loglik(fit: PowerLawFit, dist: str, params: list[float]) -> float:
    ref = discrete_loglik if fit.discrete else continuous_loglik
    with mpmath.workdps(30):
        return ref(dist, [float(p) for p in params], tail_of(fit.data, fit.xmin, fit.xmax), fit.xmin, fit.xmax)


def discrete_samples() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(5)
    return {
        "discrete_power_law": np.floor((1.0 - rng.random(3000)) ** (-1.0 / 1.5)),
        "geometric": rng.geometric(0.15, 3000).astype(float),
        "discretised_lognormal": np.maximum(np.round(rng.lognormal(1.5, 1.0, 3000)), 1.0),
        "words": powerlaw.load_test_dataset("words"),
    }


def check_against_powerlaw(ours: PowerLawFit, theirs: Any, alt: str, same_normalisation: bool) -> None:
    r, p = ours.distribution_compare("power_law", alt)
    params = list(ours.fitted_parameters(alt).values())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r_pl, p_pl = theirs.distribution_compare("power_law", alt)
        their_params = list(getattr(theirs, alt).parameters.values())
        delattr(theirs, alt)  # powerlaw refits lazily; keep the cached fit as it was
    ll = power_law_loglik(ours) - r  # our alternative's log-likelihood, from R
    # Our likelihood is the exact one (reference in multiple precision) ...
    assert ll == pytest.approx(exact_loglik(ours, alt, params), rel=1e-9, abs=1e-7)
    # ... and our fit is at least as likely as powerlaw's under it.
    ll_theirs = exact_loglik(ours, alt, their_params)
    assert ll >= ll_theirs - 1e-7 * max(1.0, abs(ll)), (alt, ll, ll_theirs)
    assert 0.0 <= p <= 1.0
    if same_normalisation and ll - ll_theirs <= 1e-3:
        # powerlaw reached the same optimum: the same R and p.
        assert abs(r - r_pl) <= 2e-3 * max(1.0, abs(r_pl)), (alt, r, r_pl)
        assert abs(p - p_pl) <= 2e-3, (alt, p, p_pl)


@pytest.mark.parametrize("alt", ALTERNATIVES)
@pytest.mark.parametrize("name", list(discrete_samples()))
def test_discrete_alternatives_against_powerlaw(name: str, alt: str) -> None:
    x = discrete_samples()[name]
    ours = PowerLawFit(x, discrete=True)
    theirs = pl_fit(x, discrete=True, xmin=ours.xmin, estimate_discrete=False)
    check_against_powerlaw(ours, theirs, alt, same_normalisation=True)


@pytest.mark.parametrize("alt", ALTERNATIVES)
@pytest.mark.parametrize("name", ["discrete_power_law", "discretised_lognormal", "words"])
def test_discrete_alternatives_with_xmax(name: str, alt: str) -> None:
    x = discrete_samples()[name]
    xmax = float(np.floor(np.quantile(x, 0.99)))
    ours = PowerLawFit(x, discrete=True, xmax=xmax)
    theirs = pl_fit(x, discrete=True, xmin=ours.xmin, xmax=xmax, estimate_discrete=False)
    # powerlaw's rounded forms are normalised on [xmin - 1/2, xmax + 1/2] as ours; its sums stop
    # one integer short of xmax.
    check_against_powerlaw(ours, theirs, alt, same_normalisation=alt in ("lognormal", "stretched_exponential"))
    # A discrete tail ends at the integer part of xmax: a fractional xmax gives the same fit.
    frac = PowerLawFit(x, discrete=True, xmax=xmax + 0.7)
    assert (frac.xmin, frac.alpha, frac.D) == (ours.xmin, ours.alpha, ours.D)
    assert frac.distribution_compare("power_law", alt) == ours.distribution_compare("power_law", alt)


@pytest.mark.parametrize("alt", ALTERNATIVES)
def test_continuous_alternatives_with_xmax(alt: str) -> None:
    rng = np.random.default_rng(8)
    x = (1.0 - rng.random(2500)) ** (-1.0 / 1.4)
    x[:800] = rng.uniform(0.3, 2.0, 800)
    # A cut inside the data (powerlaw leaves its alternatives untruncated: likelihoods only) ...
    ours = PowerLawFit(x, xmax=40.0)
    check_against_powerlaw(ours, pl_fit(x, xmax=40.0), alt, same_normalisation=False)
    # ... and far above it, where truncating changes nothing: powerlaw's R and p.
    far = PowerLawFit(x, xmax=1e12)
    check_against_powerlaw(far, pl_fit(x, xmax=1e12), alt, same_normalisation=True)


def test_discrete_nested_and_exponential_closed_form() -> None:
    x = discrete_samples()["geometric"]
    fit = PowerLawFit(x, discrete=True)
    # The geometric law's maximum-likelihood lambda: ln(1 + 1 / (mean - xmin)).
    lam = fit.fitted_parameters("exponential")["Lambda"]
    assert lam == pytest.approx(np.log1p(1.0 / (fit.data.mean() - fit.xmin)), rel=1e-12)
    # The power law is nested in the truncated power law: R <= 0, the chi-square p.
    r, p = fit.distribution_compare("power_law", "truncated_power_law")
    assert r <= 1e-9
    assert p == pytest.approx(special.chdtrc(1, abs(2 * r)), rel=1e-9)
    # The comparison is antisymmetric; the alternatives on a geometric sample beat the power law.
    r2, p2 = fit.distribution_compare("exponential", "power_law")
    assert r2 == pytest.approx(-fit.distribution_compare("power_law", "exponential")[0])
    assert r2 > 0 and p2 < 0.05


def test_discrete_xmax_below_the_next_integer_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="integer part of xmax"):
        PowerLawFit([1.0, 2.0, 3.0, 3.0, 4.0], discrete=True, xmin=3.0, xmax=3.5)


@pytest.mark.parametrize("xmax", [None, 9.0])
def test_discrete_alternatives_refuse_a_one_value_tail(xmax: float | None) -> None:
    fit = PowerLawFit([1.0, 1.0, 2.0, 5.0, 5.0, 5.0, 5.0], discrete=True, xmin=5.0, xmax=xmax)
    for alt in ALTERNATIVES:
        with pytest.raises(InvalidInputError, match="every tail value equals xmin"):
            fit.distribution_compare("power_law", alt)
        with pytest.raises(InvalidInputError):
            fit.fitted_parameters(alt)
    # Two distinct values suffice.
    fit = PowerLawFit([1.0, 5.0, 5.0, 5.0, 6.0], discrete=True, xmin=5.0, xmax=xmax)
    for alt in ALTERNATIVES:
        r, p = fit.distribution_compare("power_law", alt)
        assert np.isfinite(r) and 0.0 <= p <= 1.0


def test_a_distribution_against_itself() -> None:
    fit = PowerLawFit(discrete_samples()["geometric"], discrete=True, xmax=40.0)
    for alt in ["power_law", *ALTERNATIVES]:
        assert fit.distribution_compare(alt, alt) == (0.0, 1.0)
        assert fit.distribution_compare(alt, alt, normalized_ratio=True) == (0.0, 1.0)
