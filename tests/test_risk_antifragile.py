"""Antifragility: barbell allocation, convexity (against numpy/scipy formulas), opportunity
scores."""

from __future__ import annotations

import math
import pickle
from typing import Any

import numpy as np
import pytest
from quantumpanarchy.exceptions import InvalidInputError, InvalidTypeError
from quantumpanarchy.risk import AntifragileAnalyzer, Convexity, Opportunity, measure_convexity
from scipy import stats


def test_presets_and_barbell() -> None:
    for make, safe in (
        (AntifragileAnalyzer.conservative, 0.9),
        (AntifragileAnalyzer.moderate, 0.7),
        (AntifragileAnalyzer.aggressive, 0.5),
    ):
        a = make()
        assert a.safe_fraction == safe and a.speculative_fraction == pytest.approx(1 - safe)
        s, p = a.calculate_barbell_allocation(1_000_000)
        assert s == pytest.approx(safe * 1_000_000) and s + p == 1_000_000
    assert AntifragileAnalyzer(0.8).calculate_barbell_allocation(0) == (0.0, 0.0)
    assert AntifragileAnalyzer(1.0).calculate_barbell_allocation(10) == (10.0, 0.0)
    assert AntifragileAnalyzer(0.0).calculate_barbell_allocation(10) == (0.0, 10.0)


@pytest.mark.parametrize("bad", [-0.1, 1.01, float("nan"), float("inf"), 10**400])
def test_bad_fractions(bad: Any) -> None:
    with pytest.raises(InvalidInputError):
        AntifragileAnalyzer(bad)


def test_bad_constructor_and_capital() -> None:
    with pytest.raises(InvalidTypeError):
        AntifragileAnalyzer("0.9")  # type: ignore[arg-type]
    with pytest.raises(InvalidTypeError):
        AntifragileAnalyzer(True)
    with pytest.raises(InvalidInputError):
        AntifragileAnalyzer(tail=0.0)
    with pytest.raises(InvalidInputError):
        AntifragileAnalyzer(tail=0.6)
    with pytest.raises(InvalidInputError):
        AntifragileAnalyzer(score_weights=(0.0, 0.0, 0.0))
    with pytest.raises(InvalidInputError):
        AntifragileAnalyzer(score_weights=(1.0, -1.0, 1.0))
    with pytest.raises(InvalidTypeError):
        AntifragileAnalyzer(score_weights=(1.0, 1.0))  # type: ignore[arg-type]
    a = AntifragileAnalyzer()
    for capital in (-1.0, float("nan"), float("inf")):
        with pytest.raises(InvalidInputError):
            a.calculate_barbell_allocation(capital)
    with pytest.raises(InvalidTypeError):
        a.calculate_barbell_allocation("100")  # type: ignore[arg-type]


def _ols_gamma(r: np.ndarray, m: np.ndarray) -> tuple[float, float, float]:
    """γ, its standard error and t by the textbook formulas (numpy)."""
    X = np.column_stack([np.ones_like(m), m, m * m])
    coef, *_ = np.linalg.lstsq(X, r, rcond=None)
    resid = r - X @ coef
    s2 = resid @ resid / (len(r) - 3)
    se = math.sqrt(s2 * np.linalg.inv(X.T @ X)[2, 2])
    return coef[2], se, coef[2] / se


def test_convexity_matches_polyfit_and_ols() -> None:
    rng = np.random.default_rng(0)
    m = rng.normal(0.0005, 0.012, 1000)
    r = 0.0002 + 0.8 * m + 4.0 * m**2 + rng.normal(0, 0.004, 1000)
    c = measure_convexity(r, m)
    gamma, beta, alpha = np.polyfit(m, r, 2)
    assert c.gamma == pytest.approx(gamma, rel=1e-9)
    assert c.beta == pytest.approx(beta, rel=1e-9)
    assert c.alpha == pytest.approx(alpha, rel=1e-7, abs=1e-12)
    _, se, t = _ols_gamma(r, m)
    assert c.gamma_se == pytest.approx(se, rel=1e-8)
    assert c.gamma_t == pytest.approx(t, rel=1e-8)
    assert c.gamma_pvalue == pytest.approx(2 * stats.t.sf(abs(t), 997), rel=1e-6)
    fitted = np.polyval([gamma, beta, alpha], m)
    r2 = 1 - np.sum((r - fitted) ** 2) / np.sum((r - r.mean()) ** 2)
    assert c.r_squared == pytest.approx(r2, rel=1e-10)
    assert c.skewness == pytest.approx(stats.skew(r), rel=1e-10)


def test_straddle_is_convex_short_put_concave() -> None:
    m = np.random.default_rng(1).normal(0, 0.02, 500)
    straddle = np.abs(m) - 0.015
    short_put = 0.004 - np.maximum(-m, 0)
    long_call = np.maximum(m, 0) - 0.008
    c = measure_convexity(straddle, m)
    assert c.gamma is not None and c.gamma_t is not None
    assert c.gamma > 0 and c.gamma_t > 10 and c.is_convex
    p = measure_convexity(short_put, m)
    assert p.gamma is not None and p.gamma_t is not None
    assert p.gamma < 0 and p.gamma_t < -10 and p.is_convex is False
    assert (measure_convexity(long_call, m).gamma or 0.0) > 0
    # a linear position has no convexity to speak of
    lin = measure_convexity(0.5 * m + np.random.default_rng(2).normal(0, 1e-3, 500), m)
    assert lin.gamma_t is not None and lin.gamma_pvalue is not None
    assert abs(lin.gamma_t) < 4
    assert lin.gamma_pvalue > 1e-4
    # the option payoffs are right-skewed (long convexity) and left-skewed (short)
    assert c.skewness > 0 and p.skewness < 0


def test_asymmetry_without_market() -> None:
    rng = np.random.default_rng(3)
    r = rng.standard_t(4, 777) * 0.01
    c = measure_convexity(r, tail=0.1)
    assert c.gamma is None and c.is_convex is None and c.beta is None
    assert c.skewness == pytest.approx(stats.skew(r), rel=1e-10)
    k = math.ceil(0.1 * len(r))
    s = np.sort(r)
    med = np.median(r)
    assert c.tail_ratio == pytest.approx((s[-k:].mean() - med) / (med - s[:k].mean()), rel=1e-12)
    assert c.gain_pain == pytest.approx(np.maximum(r, 0).sum() / np.maximum(-r, 0).sum(), rel=1e-12)
    assert c.n == 777
    assert measure_convexity([0.01, 0.02, 0.03]).gain_pain is None  # no losses
    # pandas and float32 work
    pd = pytest.importorskip("pandas")
    assert measure_convexity(pd.Series(r)).skewness == c.skewness
    assert measure_convexity(r.astype(np.float32)).skewness == pytest.approx(c.skewness, rel=1e-5)


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (([0.1, 0.2],), "at least 3"),
        (([0.1, 0.1, 0.1, 0.1],), "constant"),
        (([0.1, float("nan"), 0.2],), "NaN"),
        (([0.1, 0.2, 0.3, 0.4], [0.1, 0.2]), "as many"),
        (([0.1, 0.2, 0.3, 0.4, 0.5], [0.1, 0.1, 0.2, 0.2, 0.1]), "three distinct"),
        (([0.1, 0.2, 0.3, 0.4, 0.5], [0.1] * 5), "vary"),
        (([0.1, -0.2, 0.3], [0.1, 0.2, 0.3]), "at least 4"),
        (([[0.1, 0.2], [0.3, 0.4]],), "1-D"),
        (([],), "empty"),
    ],
)
def test_convexity_bad_inputs(args: Any, match: Any) -> None:
    with pytest.raises(InvalidInputError, match=match):
        measure_convexity(*args)


def test_opportunity_score_components() -> None:
    rng = np.random.default_rng(4)
    prices = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, 250)))
    a = AntifragileAnalyzer()
    o = a.score_opportunity("XYZ", prices, 0.15, 0.25)
    r = prices[1:] / prices[:-1] - 1
    skew = stats.skew(r)
    assert o.convexity == pytest.approx(skew, rel=1e-9)
    assert o.convexity_score == pytest.approx(1 / (1 + math.exp(-skew)), rel=1e-12)
    assert o.asymmetry_score == pytest.approx(o.tail_ratio / (1 + o.tail_ratio), rel=1e-12)
    assert o.volatility_score == pytest.approx(0.25 / 0.40, rel=1e-12)
    assert o.volatility_ratio == pytest.approx(0.6)
    assert o.score == pytest.approx((o.convexity_score + o.asymmetry_score + o.volatility_score) / 3, rel=1e-12)
    assert 0 <= o.score <= 1 and o.symbol == "XYZ" and o.n_returns == 249
    # cheap optionality scores higher; weights pick components
    assert a.score_opportunity("XYZ", prices, 0.10, 0.30).score > a.score_opportunity("XYZ", prices, 0.30, 0.10).score
    only_vol = AntifragileAnalyzer(score_weights=(0, 0, 2)).score_opportunity("XYZ", prices, 0.1, 0.3)
    assert only_vol.score == pytest.approx(0.75)
    # a right-skewed (convex) path outscores its mirror image at equal volatility
    jumps = np.where(rng.random(250) < 0.03, 0.08, -0.0025) + rng.normal(0, 0.002, 250)
    up = 100 * np.cumprod(1 + jumps)
    down = 100 * np.cumprod(1 - jumps)
    assert a.score_opportunity("U", up, 0.2, 0.2).score > a.score_opportunity("D", down, 0.2, 0.2).score


def test_opportunity_bad_inputs() -> None:
    a = AntifragileAnalyzer()
    p = [100.0, 101.0, 99.0, 102.0, 103.0]
    with pytest.raises(InvalidInputError, match="positive"):
        a.score_opportunity("X", [100.0, 0.0, 99.0, 102.0], 0.1, 0.2)
    with pytest.raises(InvalidInputError, match="at least 4"):
        a.score_opportunity("X", [100.0, 101.0, 99.0], 0.1, 0.2)
    with pytest.raises(InvalidInputError, match="historical_volatility"):
        a.score_opportunity("X", p, 0.1, 0.0)
    with pytest.raises(InvalidInputError, match="current_volatility"):
        a.score_opportunity("X", p, -0.1, 0.2)
    with pytest.raises(InvalidInputError):
        a.score_opportunity("X", p, float("nan"), 0.2)
    with pytest.raises(InvalidTypeError):
        a.score_opportunity(3, p, 0.1, 0.2)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        a.score_opportunity("X", [100.0, float("inf"), 99.0, 98.0], 0.1, 0.2)


def test_results_pickle_and_print() -> None:
    a = AntifragileAnalyzer(0.85, tail=0.1)
    assert repr(a) == "AntifragileAnalyzer(safe_fraction=0.85, tail=0.1)"
    assert pickle.loads(pickle.dumps(a)) == a and hash(a) == hash(AntifragileAnalyzer(0.85, tail=0.1))
    m = np.linspace(-0.03, 0.03, 61)
    c = a.measure_convexity(np.abs(m) - 0.01, m)
    assert isinstance(c, Convexity) and pickle.loads(pickle.dumps(c)) == c
    assert "gamma=" in repr(c) and c.to_dict()["gamma"] == c.gamma
    o = a.score_opportunity("ABC", 100 + np.sin(np.arange(40)), 0.1, 0.2)
    assert isinstance(o, Opportunity) and pickle.loads(pickle.dumps(o)) == o
    assert repr(o).startswith("Opportunity(symbol='ABC', score=")
    assert set(o.to_dict()) >= {
        "symbol",
        "score",
        "convexity",
        "convexity_score",
        "asymmetry_score",
        "volatility_score",
    }
    # an exact quadratic: a perfect fit has no t-statistic
    q = measure_convexity(0.001 + 0.5 * m + 3 * m**2, m)
    assert q.gamma == pytest.approx(3.0, rel=1e-9) and q.gamma_t is None and q.gamma_se is None
