"""VaR and CVaR: historical against np.quantile, Gaussian and Student t against scipy.stats'
closed forms, the Student t fit against scipy.stats.t.fit, Cornish–Fisher against a direct
evaluation of the formulas (the Edgeworth integral by quadrature), portfolios, rolling forms
against pandas' rolling apply of the same function, and bad input."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
import scipy.integrate
import scipy.stats as ss
from quantumpanarchy import performance, risk
from quantumpanarchy.exceptions import InvalidInputError, InvalidTypeError, ResourceLimitError

METHODS = ["historical", "gaussian", "student_t", "cornish_fisher"]


@pytest.fixture(scope="module")
def sp500() -> pd.DataFrame:
    datasets = pytest.importorskip("skfolio.datasets")
    returns: pd.DataFrame = datasets.load_sp500_dataset().pct_change().dropna()
    return returns


@pytest.fixture(scope="module")
def normalish() -> npt.NDArray[np.float64]:
    """Returns with moderate skewness and kurtosis (where Cornish–Fisher holds)."""
    rng = np.random.default_rng(11)
    x: npt.NDArray[np.float64] = rng.normal(0.0005, 0.01, (3000, 4)) + 0.002 * rng.standard_t(8, (3000, 4))
    return x


@pytest.mark.parametrize("alpha", [0.01, 0.05, 0.1, 0.37])
def test_historical_equals_numpy_quantile(sp500: pd.DataFrame, alpha: float) -> None:
    x = sp500.to_numpy()
    q = np.quantile(x, alpha, axis=0)
    np.testing.assert_array_equal(risk.var(x, alpha), -q)
    want_cvar = np.array([-x[x[:, j] <= q[j], j].mean() for j in range(x.shape[1])])
    np.testing.assert_allclose(risk.cvar(x, alpha), want_cvar, rtol=1e-13)
    for j in range(3):
        assert risk.var(x[:, j], alpha) == -q[j]


def test_historical_cvar_includes_ties() -> None:
    r = np.array([-0.02, -0.02, -0.02, 0.01, 0.03, 0.04])
    q = np.quantile(r, 0.2)
    assert risk.cvar(r, 0.2) == pytest.approx(-r[r <= q].mean(), rel=1e-15)


def test_gaussian_closed_forms(sp500: pd.DataFrame) -> None:
    x = sp500.to_numpy()
    mu, sd = x.mean(axis=0), x.std(axis=0, ddof=1)
    for alpha in (0.01, 0.05):
        z = ss.norm.ppf(alpha)
        np.testing.assert_allclose(risk.var(x, alpha, "gaussian"), -(mu + sd * z), rtol=1e-12)
        np.testing.assert_allclose(risk.cvar(x, alpha, "gaussian"), -mu + sd * ss.norm.pdf(z) / alpha, rtol=1e-12)
        np.testing.assert_allclose(risk.var(x, alpha, "gaussian"), -ss.norm.ppf(alpha, mu, sd), rtol=1e-12)


def test_student_t_fit_is_at_least_scipys(sp500: pd.DataFrame) -> None:
    for j in (0, 7):
        r = sp500.to_numpy()[:, j]
        fit = risk.fit_student_t(r)
        df, loc, scale = ss.t.fit(r)
        assert fit.loglik >= ss.t.logpdf(r, df, loc, scale).sum() - 1e-6
        assert fit.loglik == pytest.approx(ss.t.logpdf(r, *fit.to_scipy()).sum(), rel=1e-12)
        assert fit.dof == pytest.approx(df, rel=1e-3)
        assert fit.loc == pytest.approx(loc, rel=1e-3, abs=1e-6)
        assert fit.scale == pytest.approx(scale, rel=1e-3)


def test_student_t_closed_forms(sp500: pd.DataFrame) -> None:
    r = sp500.to_numpy()[:, 2]
    fit = risk.fit_student_t(r)
    nu, loc, scale = fit.to_scipy()
    for alpha in (0.01, 0.05):
        t = ss.t.ppf(alpha, nu)
        assert risk.var(r, alpha, "student_t") == pytest.approx(-(loc + scale * t), rel=1e-10)
        want = -loc + scale * (nu + t**2) / (nu - 1) * ss.t.pdf(t, nu) / alpha
        assert risk.cvar(r, alpha, "student_t") == pytest.approx(want, rel=1e-10)
        # the same as the tail mean of the fitted distribution, by quadrature
        tail = scipy.integrate.quad(lambda v: v * ss.t.pdf(v, nu, loc, scale), -np.inf, ss.t.ppf(alpha, nu, loc, scale))
        assert risk.cvar(r, alpha, "student_t") == pytest.approx(-tail[0] / alpha, rel=1e-7)


def test_student_t_cvar_refuses_infinite_mean() -> None:
    cauchy = ss.cauchy.rvs(size=4000, random_state=np.random.default_rng(5)) * 0.01
    fit = risk.fit_student_t(cauchy)
    assert fit.dof < 1.2
    if fit.dof <= 1:
        with pytest.raises(InvalidInputError, match="degrees of freedom"):
            risk.cvar(cauchy, method="student_t")
    assert np.isfinite(risk.var(cauchy, method="student_t"))


def _cornish_fisher(r: npt.NDArray[np.float64], alpha: float) -> tuple[float, float]:
    """VaR and modified ES written out: Cornish–Fisher quantile, Edgeworth density integrated by quadrature."""
    mu, sd = r.mean(), r.std(ddof=1)
    s, k = ss.skew(r), ss.kurtosis(r)
    z = ss.norm.ppf(alpha)
    g = z + (z**2 - 1) * s / 6 + (z**3 - 3 * z) * k / 24 - (2 * z**3 - 5 * z) * s**2 / 36

    def density(v: float) -> float:
        he3, he4, he6 = v**3 - 3 * v, v**4 - 6 * v**2 + 3, v**6 - 15 * v**4 + 45 * v**2 - 15
        return float(ss.norm.pdf(v) * (1 + s / 6 * he3 + k / 24 * he4 + s**2 / 72 * he6))

    tail = scipy.integrate.quad(lambda v: v * density(v), -np.inf, g, epsabs=1e-13, epsrel=1e-12)[0]
    return -(mu + sd * g), -(mu + sd * tail / alpha)


@pytest.mark.parametrize("alpha", [0.01, 0.05])
def test_cornish_fisher_equals_direct_formula(normalish: npt.NDArray[np.float64], alpha: float) -> None:
    for j in range(normalish.shape[1]):
        r = normalish[:, j]
        var, es = _cornish_fisher(r, alpha)
        assert risk.var(r, alpha, "cornish_fisher") == pytest.approx(var, rel=1e-12)
        assert risk.cvar(r, alpha, "cornish_fisher") == pytest.approx(es, rel=1e-8)
    np.testing.assert_allclose(
        risk.var(normalish, alpha, "cornish_fisher"),
        [_cornish_fisher(normalish[:, j], alpha)[0] for j in range(4)],
        rtol=1e-12,
    )


def test_cornish_fisher_without_higher_moments_is_gaussian() -> None:
    # a sample symmetric about its mean with the normal's kurtosis: z_cf = z and ES = the normal's
    z = ss.norm.ppf((np.arange(20000) + 0.5) / 20000)
    r = 0.0004 + 0.01 * z
    assert risk.var(r, 0.05, "cornish_fisher") == pytest.approx(risk.var(r, 0.05, "gaussian"), rel=2e-3)


def test_cornish_fisher_refuses_expansion_outside_its_range(sp500: pd.DataFrame) -> None:
    # stock returns with an excess kurtosis of ~20: the modified ES would fall below the VaR
    with pytest.raises(InvalidInputError, match="Cornish-Fisher"):
        risk.cvar(sp500.iloc[:, 1], 0.05, "cornish_fisher")


@pytest.mark.parametrize("method", METHODS)
def test_portfolio_is_the_weighted_series(sp500: pd.DataFrame, method: str) -> None:
    x = sp500.to_numpy()[:, :6]
    w = np.array([0.3, 0.1, 0.2, 0.1, 0.2, 0.1])
    p = x @ w
    assert risk.var(x, 0.05, method, weights=w) == pytest.approx(risk.var(p, 0.05, method), rel=1e-12)  # type: ignore[arg-type]
    got = risk.var(sp500.iloc[:, :6], 0.05, method, weights=w)  # type: ignore[arg-type]
    assert isinstance(got, float)
    if method != "cornish_fisher":
        assert risk.cvar(x, 0.05, method, weights=w) == pytest.approx(risk.cvar(p, 0.05, method), rel=1e-12)  # type: ignore[arg-type]


def test_nan_is_dropped_and_shapes() -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(0, 0.01, (400, 3))
    x[::7, 0] = np.nan
    x[:, 2] = np.nan
    out = risk.var(x)
    assert out[0] == -np.nanquantile(x[:, 0], 0.05)
    assert np.isnan(out[2])  # a column without data: documented NaN
    df = pd.DataFrame(x, columns=["a", "b", "c"])
    s = risk.cvar(df, method="gaussian")
    assert isinstance(s, pd.Series) and list(s.index) == ["a", "b", "c"]
    assert isinstance(risk.var(df["a"]), float)
    # float32 and strided input read in place give the same as float64
    np.testing.assert_array_equal(risk.var(x.astype(np.float32)), risk.var(x.astype(np.float32).astype(np.float64)))
    np.testing.assert_array_equal(risk.var(np.asfortranarray(x)), risk.var(x))


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("measure", ["var", "cvar"])
def test_rolling_equals_pandas_rolling_apply(measure: str, method: str) -> None:
    rng = np.random.default_rng(4)
    n, window = 160 if method == "student_t" else 400, 60
    x = rng.normal(0.0003, 0.01, (n, 2)) + 0.002 * rng.standard_t(6, (n, 2))
    x[30, 1] = np.nan
    rolling = getattr(risk, f"rolling_{measure}")
    one = getattr(risk, measure)
    df = pd.DataFrame(x, columns=["p", "q"], index=pd.date_range("2020-01-01", periods=n))
    got = rolling(df, window, 0.05, method)
    assert isinstance(got, pd.DataFrame) and got.index.equals(df.index) and got.columns.equals(df.columns)
    want = df.rolling(window).apply(lambda w: one(w, 0.05, method), raw=True)
    # pandas' rolling leaves a window holding a NaN as NaN; ours drops the NaN: compare the others
    mask = want.notna().to_numpy()
    assert got.iloc[: window - 1].isna().all().all()
    np.testing.assert_allclose(got.to_numpy()[mask], want.to_numpy()[mask], rtol=1e-9)
    # a window with the NaN: the measure of its present values
    i = 70
    present = x[i - window + 1 : i + 1, 1]
    present = present[~np.isnan(present)]
    assert len(present) == window - 1
    np.testing.assert_allclose(got.iloc[i, 1], one(present, 0.05, method), rtol=1e-9)  # type: ignore[arg-type]
    arr = rolling(x[:, 0], window, 0.05, method)
    assert isinstance(arr, np.ndarray) and arr.shape == (n,)
    np.testing.assert_allclose(arr[window - 1 :], got.iloc[window - 1 :, 0].to_numpy(), rtol=1e-12)


def test_rolling_portfolio_and_threads() -> None:
    rng = np.random.default_rng(8)
    x = rng.normal(0, 0.01, (3000, 5))
    w = np.full(5, 0.2)
    np.testing.assert_allclose(risk.rolling_var(x, 250, weights=w), risk.rolling_var(x @ w, 250), rtol=1e-12)
    df = pd.DataFrame(x, index=pd.date_range("2000-01-01", periods=3000))
    s = risk.rolling_cvar(df, 250, weights=w)
    assert isinstance(s, pd.Series) and s.index.equals(df.index)
    results = []
    for threads in (1, 2):
        performance.set_num_threads(threads)
        results.append(risk.rolling_cvar(x, 100, method="gaussian"))
    performance.set_num_threads(0)
    np.testing.assert_array_equal(results[0], results[1])


@pytest.mark.parametrize(
    "call",
    [
        lambda: risk.var(np.zeros(0)),
        lambda: risk.var(np.zeros(10), alpha=0.0),
        lambda: risk.var(np.zeros(10), alpha=1.0),
        lambda: risk.var(np.zeros(10), alpha=-0.1),
        lambda: risk.cvar(np.zeros(10), alpha=float("nan")),
        lambda: risk.var(np.zeros(10), alpha=10**400),
        lambda: risk.var(np.zeros(10), method="montecarlo"),  # type: ignore[arg-type]
        lambda: risk.var(np.array([0.1, np.inf])),
        lambda: risk.var(np.zeros((10, 3)), weights=[0.5, 0.5]),
        lambda: risk.var(np.zeros((10, 2)), weights=[0.5, np.nan]),
        lambda: risk.var(np.zeros((2, 2, 2))),
        lambda: risk.var(np.array(["x", "y"])),
        lambda: risk.cvar(np.full(10, 1e308), method="gaussian"),
        lambda: risk.rolling_var(np.zeros(10), 11),
        lambda: risk.rolling_var(np.zeros(10), 1),
        lambda: risk.rolling_var(np.zeros(10), -5),
        lambda: risk.rolling_var(np.zeros(10), 2**70),
        lambda: risk.fit_student_t(np.zeros(10)),
        lambda: risk.fit_student_t([0.1, 0.2]),
    ],
)
def test_bad_input(call: Callable[[], Any]) -> None:
    with pytest.raises(InvalidInputError):
        call()


@pytest.mark.parametrize(
    "call",
    [
        lambda: risk.var(np.zeros(10), alpha="0.05"),  # type: ignore[arg-type]
        lambda: risk.var(np.zeros(10), method=None),  # type: ignore[arg-type]
        lambda: risk.rolling_var(np.zeros(10), 5.5),  # type: ignore[arg-type]
        lambda: risk.rolling_var(np.zeros(10), True),
    ],
)
def test_bad_types(call: Callable[[], Any]) -> None:
    with pytest.raises((InvalidTypeError, InvalidInputError)):
        call()


def test_huge_inputs_are_refused() -> None:
    with pytest.raises((ResourceLimitError, InvalidInputError)):
        risk.rolling_var(np.broadcast_to(0.0, (10**5, 10**5)), 10)


def test_rolling_var_answers_ctrl_c() -> None:
    from interrupts import assert_interrupted

    x = np.random.default_rng(0).normal(0, 0.01, 10**7)
    assert_interrupted(lambda: risk.rolling_var(x, 10**4), "rolling_var of 10**7 returns")
    assert_interrupted(lambda: risk.rolling_cvar(x[: 10**6], 10**4, method="gaussian"), "gaussian rolling_cvar")
    assert risk.rolling_var(x[:1000], 100)[-1] > 0
