"""quantumpanarchy.blackswan: fits against scipy, levels against pyextremes, diagnostics by hand,
bad inputs, threads, Ctrl-C, pickling."""

from __future__ import annotations

import math
import pickle

import numpy as np
import numpy.typing as npt
import pytest
from interrupts import assert_interrupted
from quantumpanarchy import blackswan as bs
from quantumpanarchy import performance
from quantumpanarchy.exceptions import InvalidInputError, InvalidTypeError
from scipy import stats

F64 = npt.NDArray[np.float64]


def sp500_losses() -> F64:
    arch_data = pytest.importorskip("arch.data.sp500")
    close = arch_data.load()["Close"].to_numpy()
    return np.asarray(-np.diff(np.log(close)), dtype=np.float64)


def gpd_loglik(y: F64, xi: float, sigma: float) -> float:
    return float(stats.genpareto.logpdf(y, xi, 0.0, sigma).sum())


# ---------------------------------------------------------------- GPD against scipy


@pytest.mark.parametrize("xi", [-0.3, 0.0, 0.2, 0.5])
@pytest.mark.parametrize("n", [100, 1000, 20_000])
def test_fit_gpd_matches_scipy(xi: float, n: int) -> None:
    y = stats.genpareto.rvs(c=xi, size=n, random_state=np.random.default_rng(int(1000 * xi) + n + 1000))
    ours = bs.fit_gpd(y, threshold=0.0)
    c, loc, scale = stats.genpareto.fit(y, floc=0)
    assert loc == 0.0 and ours.num_exceedances == n
    ll_ours = gpd_loglik(y, ours.xi, ours.sigma)
    ll_scipy = gpd_loglik(y, c, scale)
    assert ll_ours == pytest.approx(ours.loglik, rel=1e-10, abs=1e-9)
    close = abs(ours.xi - c) <= 1e-4 * max(abs(c), 1e-2) and abs(ours.sigma / scale - 1) <= 1e-4
    assert close or ll_ours >= ll_scipy - 1e-9, (ours, c, scale, ll_ours, ll_scipy)
    # the fit is a stationary point: nudging either parameter lowers the likelihood
    for dx, ds in ((1e-5, 0), (-1e-5, 0), (0, 1e-5), (0, -1e-5)):
        assert gpd_loglik(y, ours.xi + dx, ours.sigma * (1 + ds)) <= ll_ours + 1e-9


def test_fit_gpd_sp500_anchor() -> None:
    L = sp500_losses()
    fit = bs.fit_gpd(L)
    u = np.quantile(L, 0.95)
    assert fit.threshold == u
    assert fit.num_exceedances == 252 and fit.num_observations == len(L) == 5030
    # the anchor is scipy's optimum (c = 0.168108, scale = 0.00856034), found by Nelder-Mead with
    # xtol 1e-4; ours solves the likelihood equations to machine precision: xi = 0.1681286, a
    # log-likelihood 4.7e-8 higher
    assert fit.xi == pytest.approx(0.168108, rel=2e-4)
    assert fit.sigma == pytest.approx(0.00856034, rel=2e-5)
    y = L[L > u] - u
    c, _loc, scale = stats.genpareto.fit(y, floc=0)
    assert fit.loglik is not None and fit.loglik >= gpd_loglik(y, c, scale)
    assert fit.xi == pytest.approx(c, rel=2e-4) and fit.sigma == pytest.approx(scale, rel=2e-5)
    assert fit.to_scipy() == (fit.xi, u, fit.sigma)
    # to_scipy describes the values above the threshold
    cs, ls, ss = fit.to_scipy()
    x = L[L > u]
    assert float(stats.genpareto.logpdf(x, cs, ls, ss).sum()) == pytest.approx(fit.loglik, rel=1e-10)
    assert fit.xi_stderr is not None and 0.03 < fit.xi_stderr < 0.15


def test_gpd_stderr_match_numerical_hessian() -> None:
    y = stats.genpareto.rvs(c=0.2, size=2000, random_state=np.random.default_rng(5))
    fit = bs.fit_gpd(y, threshold=0.0)
    h = np.array([1e-4, 1e-4 * fit.sigma])
    p = np.array([fit.xi, fit.sigma])

    def ll(q: F64) -> float:
        return gpd_loglik(y, float(q[0]), float(q[1]))

    hess = np.zeros((2, 2))
    for i in range(2):
        for j in range(2):
            ei, ej = np.eye(2)[i] * h[i], np.eye(2)[j] * h[j]
            hess[i, j] = (ll(p + ei + ej) - ll(p + ei - ej) - ll(p - ei + ej) + ll(p - ei - ej)) / (4 * h[i] * h[j])
    cov = np.linalg.inv(-hess)
    assert fit.cov is not None
    np.testing.assert_allclose(np.array(fit.cov).reshape(2, 2), cov, rtol=1e-3)
    assert fit.xi_stderr == pytest.approx(math.sqrt(cov[0, 0]), rel=1e-3)


def test_gpd_no_stderr_below_minus_half_and_boundary() -> None:
    y = stats.genpareto.rvs(c=-0.7, size=3000, random_state=np.random.default_rng(2))
    fit = bs.fit_gpd(y, threshold=0.0)
    assert fit.xi < -0.5 and fit.xi_stderr is None and fit.sigma_stderr is None
    u = np.linspace(0.001, 1, 200)  # uniform: xi = -1
    f = bs.fit_gpd(u, threshold=0.0)
    assert f.xi <= -0.95 and f.xi >= -1.0
    # scipy's unconstrained fit wanders past xi = -1, where the likelihood is unbounded
    c, _, scale = stats.genpareto.fit(u, floc=0)
    assert c < -1 or gpd_loglik(u, f.xi, f.sigma) >= gpd_loglik(u, c, scale) - 1e-9


def test_fit_gpd_thread_count_is_bit_identical() -> None:
    x = stats.genpareto.rvs(c=0.2, size=100_000, random_state=np.random.default_rng(7))
    before = performance.get_num_threads()
    try:
        performance.set_num_threads(1)
        one = bs.fit_gpd(x, threshold=0.0)
        performance.set_num_threads(2)
        two = bs.fit_gpd(x, threshold=0.0)
    finally:
        performance.set_num_threads(before)
    assert one == two
    c, _, s = stats.genpareto.fit(x, floc=0)
    assert gpd_loglik(x, one.xi, one.sigma) >= gpd_loglik(x, c, s) - 1e-9


def test_inputs_any_dtype_layout_and_pandas() -> None:
    pd = pytest.importorskip("pandas")
    x = stats.genpareto.rvs(c=0.2, size=4000, random_state=np.random.default_rng(1))
    ref = bs.fit_gpd(x.astype(np.float32).astype(np.float64))
    assert bs.fit_gpd(x.astype(np.float32)) == ref
    assert bs.fit_gpd(np.repeat(x, 2)[::2]) == bs.fit_gpd(x)
    assert bs.fit_gpd(pd.Series(x)) == bs.fit_gpd(x)
    assert bs.fit_gpd(list(x)) == bs.fit_gpd(x)


# ---------------------------------------------------------------- GEV against scipy


@pytest.mark.parametrize("xi", [-0.3, 0.0, 0.2, 0.5])
@pytest.mark.parametrize("n", [50, 500])
def test_fit_gev_matches_scipy(xi: float, n: int) -> None:
    x = stats.genextreme.rvs(
        c=-xi, loc=3.0, scale=2.0, size=n, random_state=np.random.default_rng(n + int(10 * xi) + 10)
    )
    ours = bs.fit_gev(x)
    c, loc, scale = stats.genextreme.fit(x)
    ll_ours = float(stats.genextreme.logpdf(x, *ours.to_scipy()).sum())
    ll_scipy = float(stats.genextreme.logpdf(x, c, loc, scale).sum())
    assert ll_ours == pytest.approx(ours.loglik, rel=1e-10)
    close = np.allclose([ours.xi, ours.mu, ours.sigma], [-c, loc, scale], rtol=1e-4, atol=1e-5)
    assert close or ll_ours >= ll_scipy - 1e-9, (ours, (c, loc, scale), ll_ours, ll_scipy)
    assert ours.to_scipy()[0] == -ours.xi
    assert ours.xi_stderr is not None or ours.xi <= -0.5


def test_block_maxima_and_gev_roundtrip() -> None:
    x = np.arange(10.0)
    np.testing.assert_array_equal(bs.block_maxima(x, 3), [2.0, 5.0, 8.0])
    with pytest.raises(InvalidInputError):
        bs.block_maxima(x, 11)
    fit = bs.GEVFit.from_scipy(-0.1, 1.0, 2.0)
    assert fit.xi == 0.1 and fit.to_scipy() == (-0.1, 1.0, 2.0)
    level = bs.return_level(fit, 100, ci=None).level
    assert level == pytest.approx(stats.genextreme.isf(0.01, -0.1, 1.0, 2.0), rel=1e-12)


# ---------------------------------------------------------------- return levels


def test_return_levels_match_scipy_quantiles() -> None:
    L = sp500_losses()
    fit = bs.fit_gpd(L)
    m = np.array([100.0, 252.0 * 10, 252.0 * 100])
    rl = bs.return_level(fit, m, ci=None)
    zeta = fit.num_exceedances / fit.num_observations
    want = fit.threshold + stats.genpareto.isf(1 / (m * zeta), fit.xi, 0, fit.sigma)
    np.testing.assert_allclose(rl.level, want, rtol=1e-12)
    assert rl.lower is None
    # continuous through xi = 0
    f0 = bs.GPDFit.from_scipy(0.0, 1.0, 2.0, 10, 1000)
    f1 = bs.GPDFit.from_scipy(1e-9, 1.0, 2.0, 10, 1000)
    assert bs.return_level(f0, 1000, ci=None).level == pytest.approx(1 + 2 * math.log(10), rel=1e-12)
    assert bs.return_level(f1, 1000, ci=None).level == pytest.approx(1 + 2 * math.log(10), rel=1e-8)


def _pyextremes_model(L: F64, u: float):  # type: ignore[no-untyped-def]
    pd = pytest.importorskip("pandas")
    pyx = pytest.importorskip("pyextremes")
    series = pd.Series(L, index=pd.date_range("2000-01-01", periods=len(L), freq="D"))
    model = pyx.EVA(series)
    model.get_extremes("POT", threshold=u, r="1h")
    model.fit_model()
    # a return-period unit of (n-1)/n days makes pyextremes' rate N_u / n per unit, as ours
    unit = pd.Timedelta(days=(len(L) - 1) / len(L))
    return model, unit


def test_return_levels_agree_with_pyextremes() -> None:
    L = sp500_losses()
    fit = bs.fit_gpd(L)
    model, unit = _pyextremes_model(L, fit.threshold)
    assert len(model.extremes) == fit.num_exceedances
    periods = np.array([252.0, 2520.0, 25200.0])
    theirs, lo, hi = model.get_return_value(return_period=periods, return_period_size=unit, alpha=0.95, n_samples=100)
    ours = bs.return_level(fit, periods, ci="bootstrap", bootstrap="nonparametric", seed=1, num_bootstrap=400)
    np.testing.assert_allclose(ours.level, theirs, rtol=1e-4)
    assert ours.lower is not None and ours.upper is not None
    # both are percentile intervals of a nonparametric bootstrap (theirs with 100 replicates)
    np.testing.assert_allclose(ours.lower, lo, rtol=0.15)
    np.testing.assert_allclose(ours.upper, hi, rtol=0.3)
    for ci in ("delta", "profile", "bootstrap"):
        r = bs.return_level(fit, periods, ci=ci, seed=2)
        assert r.lower is not None and r.upper is not None
        assert np.all(r.lower < r.level) and np.all(r.level < r.upper)
        np.testing.assert_allclose(r.lower, lo, rtol=0.3)
        np.testing.assert_allclose(r.upper, hi, rtol=0.5)


def test_profile_bounds_sit_on_the_chi2_cutoff() -> None:
    y = stats.genpareto.rvs(c=0.1, size=300, random_state=np.random.default_rng(4))
    fit = bs.fit_gpd(y, threshold=0.0)
    # with n = num_exceedances the rate is 1 and the level is a plain GPD quantile
    r = bs.return_level(fit, 1000.0, ci="profile", alpha=0.05)
    assert isinstance(r.lower, float) and isinstance(r.upper, float)
    cutoff = fit.loglik - stats.chi2.ppf(0.95, 1) / 2
    ell = math.log(1000.0)

    def profile(x: float) -> float:
        xis = np.linspace(-0.9, 1.5, 4001)
        sig = x * xis / np.expm1(xis * ell)
        return max(gpd_loglik(y, a, s) if s > 0 else -np.inf for a, s in zip(xis, sig, strict=True))

    assert profile(r.lower) == pytest.approx(cutoff, abs=2e-3)
    assert profile(r.upper) == pytest.approx(cutoff, abs=2e-3)


def test_delta_interval_by_hand() -> None:
    L = sp500_losses()
    fit = bs.fit_gpd(L)
    assert fit.cov is not None
    m, n = 2520.0, fit.num_observations
    zeta = fit.num_exceedances / n
    xi, s = fit.xi, fit.sigma

    def level(p: F64) -> float:
        return float(fit.threshold + p[2] / p[1] * ((m * p[0]) ** p[1] - 1))

    p = np.array([zeta, xi, s])
    g = np.array([(level(p + h) - level(p - h)) / (2 * h.sum()) for h in np.diag([1e-7, 1e-6, 1e-8])])
    V = np.zeros((3, 3))
    V[0, 0] = zeta * (1 - zeta) / n
    V[1:, 1:] = np.array(fit.cov).reshape(2, 2)
    se = math.sqrt(g @ V @ g)
    r = bs.return_level(fit, m, ci="delta", alpha=0.1)
    assert r.lower == pytest.approx(level(p) - stats.norm.ppf(0.95) * se, rel=1e-5)
    assert r.upper == pytest.approx(level(p) + stats.norm.ppf(0.95) * se, rel=1e-5)


def test_bootstrap_is_seeded_and_thread_independent() -> None:
    L = sp500_losses()
    fit = bs.fit_gpd(L)
    before = performance.get_num_threads()
    try:
        performance.set_num_threads(1)
        one = bs.return_level(fit, [2520.0, 25200.0], ci="bootstrap", seed=5, num_bootstrap=200)
        performance.set_num_threads(2)
        two = bs.return_level(fit, [2520.0, 25200.0], ci="bootstrap", seed=5, num_bootstrap=200)
    finally:
        performance.set_num_threads(before)
    for a, b in zip(one, two, strict=True):
        np.testing.assert_array_equal(a, b)
    other = bs.return_level(fit, [2520.0, 25200.0], ci="bootstrap", seed=6, num_bootstrap=200)
    assert other.lower is not None and one.lower is not None
    assert not np.array_equal(other.lower, one.lower)


def test_gev_return_levels_and_intervals() -> None:
    x = stats.genextreme.rvs(c=-0.1, loc=10, scale=2, size=80, random_state=np.random.default_rng(8))
    fit = bs.fit_gev(x)
    T = np.array([10.0, 100.0])
    want = stats.genextreme.isf(1 / T, *fit.to_scipy())
    for ci in ("delta", "profile", "bootstrap"):
        r = bs.return_level(fit, T, ci=ci, seed=1, num_bootstrap=200)
        np.testing.assert_allclose(r.level, want, rtol=1e-12)
        assert r.lower is not None and r.upper is not None
        assert np.all(r.lower < r.level) and np.all(r.level < r.upper)


def _coverage(num: int, ci: str, num_bootstrap: int) -> float:
    rng = np.random.default_rng(123)
    xi, sigma, zeta, n, m = 0.2, 1.0, 0.05, 4000, 2000.0
    truth = sigma / xi * ((m * zeta) ** xi - 1)
    hits = 0
    for i in range(num):
        above = rng.random(n) < zeta
        x = np.where(above, stats.genpareto.rvs(c=xi, scale=sigma, size=n, random_state=rng), -rng.random(n))
        fit = bs.fit_gpd(x, threshold=0.0)
        r = bs.return_level(fit, m, ci=ci, alpha=0.1, seed=i, num_bootstrap=num_bootstrap)
        assert r.lower is not None and r.upper is not None
        hits += r.lower <= truth <= r.upper
    return hits / num


@pytest.mark.parametrize("ci", ["delta", "profile", "bootstrap"])
def test_interval_coverage_small(ci: str) -> None:
    cov = _coverage(40, ci, 200)
    assert 0.7 <= cov <= 1.0, cov


@pytest.mark.slow
@pytest.mark.parametrize("ci", ["delta", "profile", "bootstrap"])
def test_interval_coverage_500(ci: str) -> None:
    cov = _coverage(500, ci, 400)
    # nominal 90%; the binomial sd over 500 datasets is 1.3%
    assert 0.85 <= cov <= 0.95, cov


# ---------------------------------------------------------------- VaR / ES


def test_evt_var_es_formulas() -> None:
    L = sp500_losses()
    fit = bs.fit_gpd(L)
    n, nu, u, xi, s = fit.num_observations, fit.num_exceedances, fit.threshold, fit.xi, fit.sigma
    for a in (0.01, 0.001):
        var = u + s / xi * ((n / nu * a) ** (-xi) - 1)
        assert bs.evt_var(fit, a) == pytest.approx(var, rel=1e-12)
        assert bs.evt_es(fit, a) == pytest.approx(var / (1 - xi) + (s - xi * u) / (1 - xi), rel=1e-12)
        assert bs.evt_var(fit, a) == pytest.approx(bs.return_level(fit, 1 / a, ci=None).level, rel=1e-12)
    # ES is the mean beyond VaR of the fitted tail
    var = bs.evt_var(fit, 0.001)
    tail = stats.genpareto(xi, u, s)
    es = tail.expect(lambda t: t, lb=var, conditional=True)
    assert bs.evt_es(fit, 0.001) == pytest.approx(es, rel=1e-6)
    f0 = bs.GPDFit.from_scipy(0.0, 1.0, 2.0, 50, 1000)
    assert bs.evt_var(f0, 0.01) == pytest.approx(1 + 2 * math.log(5), rel=1e-12)
    assert bs.evt_es(f0, 0.01) == pytest.approx(1 + 2 * math.log(5) + 2, rel=1e-12)
    with pytest.raises(InvalidInputError, match="exceedance rate"):
        bs.evt_var(fit, 0.2)
    with pytest.raises(InvalidInputError, match="infinite"):
        bs.evt_es(bs.GPDFit.from_scipy(1.2, 1.0, 2.0, 50, 1000), 0.01)
    for bad in (0.0, 1.0, -0.1, math.nan):
        with pytest.raises(InvalidInputError):
            bs.evt_var(fit, bad)


# ---------------------------------------------------------------- diagnostics


def test_hill_by_hand() -> None:
    x = np.random.default_rng(3).pareto(3.0, size=3000) + 1.0
    s = np.sort(x)[::-1]
    for k in (10, 100, 500):
        want = np.mean(np.log(s[:k])) - np.log(s[k])
        h = bs.hill(x, k)
        assert h.xi == pytest.approx(want, rel=1e-12)
        assert h.alpha == pytest.approx(1 / want) and h.stderr == pytest.approx(want / math.sqrt(k))
    assert bs.hill(x).k == math.isqrt(3000)
    hp = bs.hill_plot(x, [10, 100, 500])
    np.testing.assert_allclose(hp.xi, [bs.hill(x, k).xi for k in (10, 100, 500)], rtol=1e-12)
    assert abs(bs.hill(x, 500).xi - 1 / 3) < 0.05
    assert len(bs.hill_plot(x).k) == 999


def test_mean_residual_life_by_hand() -> None:
    x = np.random.default_rng(1).standard_t(4, size=5000)
    u = np.array([0.0, 1.0, 2.5])
    mrl = bs.mean_residual_life(x, u)
    for i, t in enumerate(u):
        e = x[x > t] - t
        assert mrl.mean_excess[i] == pytest.approx(e.mean(), rel=1e-12)
        half = stats.norm.ppf(0.975) * e.std(ddof=1) / math.sqrt(len(e))
        assert mrl.upper[i] == pytest.approx(e.mean() + half, rel=1e-10)
        assert mrl.num_exceedances[i] == len(e)
    assert len(bs.mean_residual_life(x).threshold) == 50
    with pytest.raises(InvalidInputError, match="exceedance"):
        bs.mean_residual_life(x, [x.max()])


def test_parameter_stability_matches_single_fits() -> None:
    L = sp500_losses()
    u = np.quantile(L, [0.9, 0.95, 0.97])
    ps = bs.parameter_stability(L, u)
    for i, t in enumerate(u):
        f = bs.fit_gpd(L, threshold=float(t))
        assert ps.xi[i] == pytest.approx(f.xi, rel=1e-9) and ps.sigma[i] == pytest.approx(f.sigma, rel=1e-9)
        assert ps.sigma_star[i] == pytest.approx(f.sigma - f.xi * t)
        assert f.xi_stderr is not None
        assert ps.xi_upper[i] == pytest.approx(f.xi + stats.norm.ppf(0.975) * f.xi_stderr, rel=1e-9)
    df = ps.to_pandas()
    assert list(df.index) == list(u)
    with pytest.raises(InvalidInputError, match="threshold"):
        bs.parameter_stability(L, [L.max() - 1e-12])


# ---------------------------------------------------------------- detector


def test_detector_flags_and_refits() -> None:
    rng = np.random.default_rng(0)
    det = bs.BlackSwanDetector(return_period=1000).fit(rng.standard_t(4, size=5000))
    level = det.level
    fit = bs.fit_gpd(det.fit_.exceedances + det.fit_.threshold, threshold=det.fit_.threshold)
    assert fit.xi == det.fit_.xi
    new = np.array([0.0, level * 1.01, level * 0.99, 50.0])
    np.testing.assert_array_equal(det.update(new), [False, True, False, True])
    assert det.update(100.0) is True
    np.testing.assert_array_equal(det.flagged_indices, [1, 3, 4])
    np.testing.assert_array_equal(det.flagged_values, [level * 1.01, 50.0, 100.0])
    clone = pickle.loads(pickle.dumps(det))
    assert clone.level == det.level and np.array_equal(clone.flags, det.flags)
    assert "BlackSwanDetector" in repr(det)
    refit = bs.BlackSwanDetector(return_period=500, refit_every=100).fit(rng.standard_normal(3000))
    first = refit.level
    refit.update(rng.standard_normal(250) * 3)
    assert refit.level != first and len(refit.flags) == 250
    with pytest.raises(InvalidInputError, match="not fitted"):
        bs.BlackSwanDetector().update(1.0)


# ---------------------------------------------------------------- bad inputs, pickling, Ctrl-C


def test_bad_inputs_raise_clear_errors() -> None:
    x = np.random.default_rng(0).standard_normal(1000)
    with pytest.raises(InvalidInputError, match="at least 10"):
        bs.fit_gpd(x, threshold=2.9)
    with pytest.raises(InvalidInputError, match=r"constant|equal"):
        bs.fit_gpd(np.ones(100), threshold=0.0)
    with pytest.raises(InvalidInputError, match="NaN"):
        bs.fit_gpd(np.r_[x, np.nan])
    with pytest.raises(InvalidInputError, match="empty"):
        bs.fit_gpd([])
    with pytest.raises(InvalidInputError, match="threshold"):
        bs.fit_gpd(x, threshold=math.inf)
    with pytest.raises(InvalidInputError, match="method"):
        bs.fit_gpd(x, method="pwm")
    with pytest.raises(InvalidInputError, match="at least 10"):
        bs.fit_gev(x[:5])
    with pytest.raises(InvalidInputError):
        bs.fit_gev(np.full(50, 3.0))
    fit = bs.fit_gpd(x)
    for period in (1.0, 0.5, -3.0, math.nan, math.inf):
        with pytest.raises(InvalidInputError, match="period"):
            bs.return_level(fit, period)
    with pytest.raises(InvalidInputError, match="period"):
        bs.return_level(fit, 10.0)  # shorter than n/N_u = 20
    for a in (0.0, 1.0, 1.5):
        with pytest.raises(InvalidInputError, match="alpha"):
            bs.return_level(fit, 100.0, alpha=a)
    with pytest.raises(InvalidInputError, match="ci"):
        bs.return_level(fit, 100.0, ci="exact")
    with pytest.raises(InvalidTypeError):
        bs.return_level("fit", 100.0)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="no data"):
        bs.return_level(bs.GPDFit.from_scipy(0.1, 0, 1, 10, 100), 100.0, ci="delta")
    with pytest.raises(InvalidInputError, match="k must"):
        bs.hill(x, 1000)
    with pytest.raises(InvalidInputError):
        bs.hill(-np.abs(x), 10)


def test_results_pickle_and_dict() -> None:
    fit = bs.fit_gpd(np.random.default_rng(0).standard_normal(2000))
    clone = pickle.loads(pickle.dumps(fit))
    assert clone == fit and np.array_equal(clone.exceedances, fit.exceedances)
    assert set(fit.to_dict()) >= {"xi", "sigma", "threshold", "xi_stderr", "loglik"}
    g = bs.fit_gev(bs.block_maxima(np.random.default_rng(0).gumbel(size=5000), 50))
    assert pickle.loads(pickle.dumps(g)) == g
    assert bs.fit_gpd.__module__ == "quantumpanarchy.blackswan"
    assert bs.GPDFit.__module__ == "quantumpanarchy.blackswan"
    assert "xi=" in repr(fit)


def test_ctrl_c_interrupts_bootstrap() -> None:
    y = stats.genpareto.rvs(c=0.2, size=20_000, random_state=np.random.default_rng(0))
    fit = bs.fit_gpd(y, threshold=0.0)
    assert_interrupted(
        lambda: bs.return_level(fit, 1e6, ci="bootstrap", num_bootstrap=1_000_000, seed=1), "GPD bootstrap"
    )
    assert bs.return_level(fit, 1e6, ci=None).level > 0
