"""Kelly sizing (quantumpanarchy.risk.kelly_fraction, kelly_continuous, kelly_portfolio).

Evidence: every closed form equals a numerical maximisation of the expected log growth
(scipy.optimize): E[log(1 + f X)] of the bet, r + f(mu - r) - f² sigma² / 2 for one asset, and
r + w'(mu - r) - w' Sigma w / 2 for the portfolio (and a Monte Carlo estimate of the discrete-time
growth of a small-step lognormal market agrees with the portfolio's growth rate). Bad inputs raise
InvalidInputError.
"""

from __future__ import annotations

import pickle

import numpy as np
import numpy.typing as npt
import pytest
from quantumpanarchy import risk
from quantumpanarchy.exceptions import InvalidInputError
from scipy import optimize

FloatArray = npt.NDArray[np.float64]


@pytest.mark.parametrize(("p", "b"), [(0.6, 1.0), (0.3, 4.0), (0.55, 2.5), (0.9, 0.2), (0.51, 1.0)])
def test_bet_matches_the_maximum_of_expected_log_growth(p: float, b: float) -> None:
    f = risk.kelly_fraction(p, b)
    assert f == pytest.approx(p - (1 - p) / b, abs=1e-15)

    def neg_growth(x: float) -> float:
        return float(-(p * np.log1p(x * b) + (1 - p) * np.log1p(-x)))

    best = optimize.minimize_scalar(
        neg_growth, bounds=(-1 / b + 1e-12, 1 - 1e-12), method="bounded", options={"xatol": 1e-12}
    )
    assert f == pytest.approx(best.x, abs=1e-6)


def test_negative_edge_means_do_not_bet() -> None:
    assert risk.kelly_fraction(0.4, 1.0) == pytest.approx(-0.2)
    assert risk.kelly_fraction(0.5, 1.0) == 0.0
    assert risk.kelly_fraction(1.0, 3.0) == 1.0
    assert risk.kelly_fraction(0.0, 3.0) == pytest.approx(-1 / 3)


@pytest.mark.parametrize(("mu", "sigma", "r"), [(0.08, 0.2, 0.02), (0.03, 0.15, 0.04), (0.5, 1.0, 0.0)])
def test_continuous_matches_the_maximum_of_growth(mu: float, sigma: float, r: float) -> None:
    f = risk.kelly_continuous(mu, sigma, r)
    best = optimize.minimize_scalar(lambda x: -(r + x * (mu - r) - 0.5 * x * x * sigma * sigma))
    assert f == pytest.approx(best.x, rel=1e-7, abs=1e-9)
    assert risk.kelly_continuous(mu, sigma) == pytest.approx((mu) / sigma**2)


def market(n: int, seed: int) -> tuple[FloatArray, FloatArray]:
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(n, n + 5)) * 0.2
    cov = a @ a.T / (n + 5) + 0.01 * np.eye(n)
    mean = rng.normal(0.06, 0.05, size=n)
    return mean, cov


@pytest.mark.parametrize(
    ("n", "seed", "r", "fraction"), [(1, 1, 0.0, 1.0), (3, 2, 0.01, 1.0), (8, 3, 0.02, 0.5), (20, 4, 0.0, 0.25)]
)
def test_portfolio_matches_the_maximum_of_growth(n: int, seed: int, r: float, fraction: float) -> None:
    mean, cov = market(n, seed)
    k = risk.kelly_portfolio(mean, cov, r=r, fraction=fraction)

    def growth(w: FloatArray) -> float:
        return float(r + w @ (mean - r) - 0.5 * w @ cov @ w)

    best = optimize.minimize(
        lambda w: -growth(w), np.zeros(n), jac=lambda w: -((mean - r) - cov @ w), method="BFGS", options={"gtol": 1e-12}
    )
    np.testing.assert_allclose(k.weights, fraction * best.x, rtol=1e-6, atol=1e-8)
    assert k.growth_rate == pytest.approx(growth(np.asarray(k.weights)), rel=1e-12, abs=1e-15)
    assert k.leverage == pytest.approx(np.abs(k.weights).sum(), rel=1e-14)
    if fraction == 1.0:
        assert k.growth_rate == pytest.approx(-best.fun, rel=1e-9)
    # fractional Kelly: f (2 - f) of the full growth above r
    full = risk.kelly_portfolio(mean, cov, r=r)
    assert k.growth_rate - r == pytest.approx(fraction * (2 - fraction) * (full.growth_rate - r), rel=1e-10)


def test_portfolio_growth_agrees_with_a_simulated_market() -> None:
    # small steps of a lognormal market: the realised mean log growth of the Kelly-rebalanced
    # portfolio per unit time approaches the continuous-time growth rate
    mean, cov = market(3, 9)
    k = risk.kelly_portfolio(mean, cov)
    dt, steps = 1 / 250, 200_000
    rng = np.random.default_rng(1)
    chol = np.linalg.cholesky(cov)
    # log returns of dS/S = mu dt + L dW, so the simple returns have mean mu dt
    x = (mean - 0.5 * np.diag(cov)) * dt + rng.standard_normal((steps, 3)) @ chol.T * np.sqrt(dt)
    simple = np.expm1(x)
    g = np.log1p(simple @ k.weights).mean() / dt
    se = np.log1p(simple @ k.weights).std() / np.sqrt(steps) / dt
    assert abs(g - k.growth_rate) < 4 * se + 0.02 * abs(k.growth_rate)


def test_labels_result_and_unpacking() -> None:
    pd = pytest.importorskip("pandas")
    mean, cov = market(3, 5)
    names = ["x", "y", "z"]
    k = risk.kelly_portfolio(pd.Series(mean, index=names), pd.DataFrame(cov, index=names, columns=names), r=0.01)
    assert isinstance(k.weights, pd.Series) and list(k.weights.index) == names
    w, g, lev = k
    assert g == k.growth_rate and lev == k.leverage and w is k.weights
    plain = risk.kelly_portfolio(mean, cov, r=0.01)
    assert isinstance(plain.weights, np.ndarray)
    np.testing.assert_array_equal(plain.weights, k.weights.to_numpy())
    assert pickle.loads(pickle.dumps(plain)) == plain
    assert type(plain).__module__ == "quantumpanarchy.risk"
    assert set(plain.to_dict()) == {"weights", "growth_rate", "leverage", "fraction"}
    assert "growth_rate=" in repr(plain)
    assert risk.kelly_portfolio(mean.tolist(), cov.astype(np.float32), r=0.01).weights.shape == (3,)


def test_bad_inputs() -> None:
    with pytest.raises(InvalidInputError, match="singular"):
        risk.kelly_portfolio([0.1, 0.1], [[1.0, 1.0], [1.0, 1.0]])
    with pytest.raises(InvalidInputError, match="singular"):
        risk.kelly_portfolio([0.1, 0.1, 0.1], [[1.0, 0.0, 1.0], [0.0, 1.0, 1.0], [1.0, 1.0, 2.0]])
    with pytest.raises(InvalidInputError, match=r"singular|positive definite"):
        risk.kelly_portfolio([0.1, 0.1], [[1.0, 2.0], [2.0, 1.0]])
    with pytest.raises(InvalidInputError, match="symmetric"):
        risk.kelly_portfolio([0.1, 0.1], [[1.0, 0.5], [0.0, 1.0]])
    with pytest.raises(InvalidInputError, match="shape"):
        risk.kelly_portfolio([0.1, 0.1], [[1.0]])
    with pytest.raises(InvalidInputError, match="NaN"):
        risk.kelly_portfolio([0.1, np.nan], np.eye(2))
    with pytest.raises(InvalidInputError, match="fraction"):
        risk.kelly_portfolio([0.1, 0.1], np.eye(2), fraction=0.0)
    with pytest.raises(InvalidInputError, match="r must"):
        risk.kelly_portfolio([0.1, 0.1], np.eye(2), r=np.inf)
    for p, b in [(1.5, 1.0), (-0.1, 1.0), (np.nan, 1.0), (0.5, 0.0), (0.5, -1.0), (0.5, np.inf)]:
        with pytest.raises(InvalidInputError):
            risk.kelly_fraction(p, b)
    for mu, sigma in [(0.1, 0.0), (0.1, -1.0), (np.nan, 0.2), (0.1, np.inf), (1.0, 1e-200)]:
        with pytest.raises(InvalidInputError):
            risk.kelly_continuous(mu, sigma)
    with pytest.raises(InvalidInputError):
        risk.kelly_fraction(10**400, 1.0)
