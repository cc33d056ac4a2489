"""Market regimes: RegimeModel (a Gaussian HMM) against hmmlearn's GaussianHMM, on data simulated
from a known 3-state model, and on S&P 500 returns."""

from __future__ import annotations

import itertools
import logging
import pickle
import time
import warnings
from typing import Any

import numpy as np
import pytest
from interrupts import assert_interrupted
from quantumpanarchy import performance
from quantumpanarchy.exceptions import InvalidInputError, InvalidTypeError
from quantumpanarchy.risk import MarketRegime, RegimeModel, detect_regime

# The known model, in percent returns: calm, volatile, crisis.
TRANSMAT = np.array([[0.97, 0.02, 0.01], [0.03, 0.95, 0.02], [0.02, 0.08, 0.90]])
MEANS = np.array([0.05, 0.0, -0.2])
SDS = np.array([0.7, 1.4, 2.8])


def simulate(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` returns and their states from the known 3-state Gaussian HMM (state 0 first)."""
    rng = np.random.default_rng(seed)
    u = rng.random(n)
    cum = np.cumsum(TRANSMAT, axis=1)
    states = np.empty(n, dtype=np.int64)
    states[0] = 0
    for t in range(1, n):
        states[t] = min(int(np.searchsorted(cum[states[t - 1]], u[t], side="right")), 2)
    return MEANS[states] + SDS[states] * rng.standard_normal(n), states


def accuracy(pred: np.ndarray, truth: np.ndarray, k: int = 3) -> float:
    """Decoding accuracy after the best matching of states."""
    return max(float(np.mean(np.asarray(p)[pred] == truth)) for p in itertools.permutations(range(k)))


@pytest.fixture(scope="module")
def hmmlearn_hmm() -> Any:
    hmm = pytest.importorskip("hmmlearn.hmm")
    logging.getLogger("hmmlearn").setLevel(logging.ERROR)  # its "not converging" chatter
    return hmm


def test_decoding_is_at_least_as_accurate_as_hmmlearn(hmmlearn_hmm: Any) -> None:
    ours: list[float] = []
    theirs: list[float] = []
    theirs_best: list[float] = []
    for rep in range(3):
        x, states = simulate(2000, rep)
        model = RegimeModel(3, seed=rep).fit(x)
        ours.append(accuracy(model.predict(x), states))
        fits = []
        for seed in range(3):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                h = hmmlearn_hmm.GaussianHMM(3, random_state=seed, n_iter=100).fit(x.reshape(-1, 1))
            fits.append((h.score(x.reshape(-1, 1)), accuracy(h.predict(x.reshape(-1, 1)), states)))
        theirs.extend(a for _, a in fits)
        theirs_best.append(max(fits)[1])  # the fit a user would keep: the highest likelihood
    print(
        f"accuracy: ours {np.mean(ours):.4f}, hmmlearn {np.mean(theirs):.4f}",
        f"(best-likelihood {np.mean(theirs_best):.4f})",
    )
    assert np.mean(ours) >= np.mean(theirs)
    assert np.mean(ours) >= np.mean(theirs_best) - 0.002
    assert min(ours) > 0.8


def _start(d: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(5)
    return {
        "startprob": np.array([0.4, 0.3, 0.3]),
        "transmat": np.array([[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8]]),
        "means": rng.normal(0, 0.1, (3, d)),
        "variances": np.array([0.5, 2.0, 6.0])[:, None] * np.ones(d),
    }


@pytest.mark.parametrize("covariance_type", ["diag", "full"])
@pytest.mark.parametrize("d", [1, 2])
def test_same_start_converges_to_hmmlearn(hmmlearn_hmm: Any, covariance_type: Any, d: Any) -> None:
    x1, states = simulate(1500, 11)
    if d == 1:
        x = x1.reshape(-1, 1)
    else:  # a second, correlated feature
        x = np.column_stack([x1, 0.6 * x1 + SDS[states] * np.random.default_rng(3).standard_normal(len(x1))])
    s = _start(d)
    if covariance_type == "diag":
        covars = s["variances"]
    else:
        covars = np.array([np.diag(v) + 0.1 * (1 - np.eye(d)) * v.min() for v in s["variances"]])
    h = hmmlearn_hmm.GaussianHMM(3, covariance_type=covariance_type, init_params="", n_iter=5000, tol=1e-10)
    h.startprob_, h.transmat_, h.means_, h.covars_ = s["startprob"], s["transmat"], s["means"], covars
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        h.fit(x)
    ours = RegimeModel(
        3,
        covariance_type=covariance_type,
        n_iter=5000,
        tol=1e-10,
        min_covar=1e-3,  # hmmlearn's defaults, in the data's units
        covars_prior=1e-2,
        startprob_init=s["startprob"],
        transmat_init=s["transmat"],
        means_init=s["means"],
        covars_init=covars,
    ).fit(x)
    assert ours.converged_
    ll_theirs, ll_ours = h.score(x), ours.score(x)
    print(
        f"{covariance_type} d={d}: |Δ log-likelihood| = {abs(ll_theirs - ll_ours):.2e},",
        f"iterations {h.monitor_.iter} / {ours.n_iter_}",
    )
    assert abs(ll_theirs - ll_ours) < 1e-6
    order = np.argsort(np.einsum("kii->k", h.covars_))  # ours are ordered by volatility
    np.testing.assert_allclose(ours.means_, h.means_[order], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours.covars_, h.covars_[order], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours.transmat_, h.transmat_[order][:, order], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours.startprob_, h.startprob_[order], atol=1e-6)
    # the same model decodes and smooths the same way
    np.testing.assert_allclose(ours.predict_proba(x), h.predict_proba(x)[:, order], atol=1e-5)
    np.testing.assert_array_equal(ours.predict(x), np.argsort(order)[h.predict(x)])


def test_history_matches_hmmlearn_iteration_by_iteration(hmmlearn_hmm: Any) -> None:
    x, _ = simulate(800, 2)
    x = x.reshape(-1, 1)
    s = _start(1)
    h = hmmlearn_hmm.GaussianHMM(3, init_params="", n_iter=20, tol=-np.inf)
    h.startprob_, h.transmat_, h.means_, h.covars_ = s["startprob"], s["transmat"], s["means"], s["variances"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        h.fit(x)
    ours = RegimeModel(
        3,
        n_iter=20,
        tol=-np.inf,
        min_covar=1e-3,
        covars_prior=1e-2,
        startprob_init=s["startprob"],
        transmat_init=s["transmat"],
        means_init=s["means"],
        covars_init=s["variances"],
    ).fit(x)
    assert ours.n_iter_ == 20 and len(ours.loglik_history_) == 20
    np.testing.assert_allclose(ours.loglik_history_, np.array(h.monitor_.history), rtol=0, atol=1e-8)
    assert np.all(np.diff(ours.loglik_history_) > -1e-8)  # EM never loses likelihood


def test_several_sequences(hmmlearn_hmm: Any) -> None:
    x, _ = simulate(1200, 4)
    x = x.reshape(-1, 1)
    lengths = [500, 300, 400]
    s = _start(1)
    kw: dict[str, Any] = dict(min_covar=1e-3, covars_prior=1e-2, n_iter=3000, tol=1e-10)
    h = hmmlearn_hmm.GaussianHMM(3, init_params="", n_iter=3000, tol=1e-10)
    h.startprob_, h.transmat_, h.means_, h.covars_ = s["startprob"], s["transmat"], s["means"], s["variances"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        h.fit(x, lengths)
    ours = RegimeModel(
        3,
        startprob_init=s["startprob"],
        transmat_init=s["transmat"],
        means_init=s["means"],
        covars_init=s["variances"],
        **kw,
    ).fit(x, lengths)
    assert abs(ours.score(x, lengths) - h.score(x, lengths)) < 1e-6
    # a sequence split changes the likelihood: transitions across the cut are not counted
    assert ours.score(x, lengths) != ours.score(x)
    assert ours.decode(x, lengths)[1].shape == (1200,)
    with pytest.raises(InvalidInputError, match="sum"):
        ours.score(x, [500, 300])
    with pytest.raises(InvalidInputError):
        ours.fit(x, [0, 1200])
    for bad in (np.broadcast_to(1, (10**9,)), [[600, 600]], [600.5, 599.5], [2**63, 1], [[1], [2, 3]], []):
        with pytest.raises(InvalidInputError):
            ours.score(x, bad)
    with pytest.raises(InvalidTypeError):
        ours.score(x, True)
    assert ours.score(x, [600.0, 600.0]) == ours.score(x, np.array([600, 600], dtype=np.uint16))


def test_states_are_ordered_by_volatility_and_named() -> None:
    x, states = simulate(3000, 8)
    model = RegimeModel(3, seed=1).fit(x)
    v = model.variances_[:, 0]
    assert np.all(np.diff(v) > 0)
    np.testing.assert_allclose(np.sqrt(v), SDS, rtol=0.2)
    names = model.regimes(x)
    assert set(names) <= set(MarketRegime)
    assert [MarketRegime.Normal, MarketRegime.Volatile, MarketRegime.Crisis][
        int(np.bincount(model.predict(x)).argmax())
    ] in names
    mapped = np.array([r.severity for r in names])
    np.testing.assert_array_equal(mapped, model.predict(x))
    assert accuracy(model.predict(x), states) > 0.8
    # identity: the decoded path is state-numbered by volatility, so no permutation is needed
    assert np.mean(model.predict(x) == states) > 0.8
    two = RegimeModel(2, seed=1).fit(x)
    assert set(two.regimes(x)) == {MarketRegime.Normal, MarketRegime.Crisis}
    with pytest.raises(InvalidInputError, match="2- or 3-state"):
        RegimeModel(4, seed=1).fit(x).regimes(x)


def test_market_regime_enum() -> None:
    assert MarketRegime("CRISIS") is MarketRegime.Crisis
    assert str(MarketRegime.Volatile) == "volatile" and repr(MarketRegime.Normal) == "MarketRegime.Normal"
    assert pickle.loads(pickle.dumps(MarketRegime.Crisis)) is MarketRegime.Crisis
    assert [m.severity for m in MarketRegime] == [0, 1, 2]
    with pytest.raises(InvalidInputError):
        MarketRegime("boom")
    with pytest.raises(ValueError):
        MarketRegime(10**400)


def test_detect_regime() -> None:
    x, states = simulate(2000, 9)
    labels = detect_regime(x, seed=0)
    assert len(labels) == 2000 and all(isinstance(v, MarketRegime) for v in labels)
    assert accuracy(np.array([v.severity for v in labels]), states) > 0.8
    assert detect_regime(x, 2, seed=0)[int(np.argmax(np.abs(x)))] is MarketRegime.Crisis
    with pytest.raises(InvalidInputError):
        detect_regime(x, num_regimes=5)
    with pytest.raises(InvalidTypeError):
        detect_regime(x, num_regimes=True)


def test_same_seed_same_model_on_one_or_two_threads() -> None:
    x, _ = simulate(3000, 10)
    x2 = np.column_stack([x, np.roll(x, 1)])
    before = performance.get_num_threads()
    try:
        fits = []
        for threads in (1, 2):
            performance.set_num_threads(threads)
            a = RegimeModel(3, init="kmeans", seed=42, n_iter=30).fit(x2, [1000, 1000, 1000])
            b = RegimeModel(3, covariance_type="full", seed=42, n_iter=30).fit(x2, [1500, 1500])
            fits.append((a, b))
    finally:
        performance.set_num_threads(before)
    for one, two in zip(*fits, strict=True):
        for name in ("startprob_", "transmat_", "means_", "covars_", "loglik_history_"):
            np.testing.assert_array_equal(getattr(one, name), getattr(two, name))
    # a different seed gives a different k-means start
    c = RegimeModel(3, init="kmeans", seed=43, n_iter=0).fit(x2)
    d = RegimeModel(3, init="kmeans", seed=42, n_iter=0).fit(x2)
    assert not np.array_equal(c.means_, d.means_) or not np.array_equal(c.transmat_, d.transmat_)


def test_a_million_steps() -> None:
    rng = np.random.default_rng(0)
    n = 1_000_000
    vol = np.where((np.arange(n) // 5000) % 4 == 3, 3.0, 1.0)
    x = rng.standard_normal(n) * vol
    model = RegimeModel(2, n_iter=5, seed=0).fit(x)
    assert np.all(np.isfinite(model.loglik_history_))
    ll = model.score(x)
    assert np.isfinite(ll) and -3e6 < ll < 0
    post = model.predict_proba(x)
    np.testing.assert_allclose(post.sum(axis=1), 1.0, atol=1e-12)
    assert np.mean(model.predict(x) == (vol > 1)) > 0.95


def test_ctrl_c_interrupts_long_fits() -> None:
    rng = np.random.default_rng(1)
    x = rng.standard_normal((400_000, 2))
    model = RegimeModel(8, covariance_type="full", n_iter=10_000, tol=-np.inf, seed=0)
    assert_interrupted(lambda: model.fit(x), "RegimeModel.fit")
    assert not hasattr(model, "means_")  # a failed fit leaves the model as it was
    small = model.set_params(num_regimes=2, n_iter=3).fit(x[:2000])
    assert np.isfinite(small.score(x[:2000]))


def test_pandas_and_dtypes() -> None:
    pd = pytest.importorskip("pandas")
    x, _ = simulate(1000, 12)
    idx = pd.date_range("2020-01-01", periods=1000, freq="D")
    series = pd.Series(x, index=idx)
    model = RegimeModel(3, seed=0).fit(series)
    pred = model.predict(series)
    assert isinstance(pred, pd.Series) and pred.index.equals(idx)
    proba = model.predict_proba(pd.DataFrame({"r": x}, index=idx))
    assert isinstance(proba, pd.DataFrame) and proba.shape == (1000, 3)
    np.testing.assert_array_equal(pred.to_numpy(), model.predict(x))
    m32 = RegimeModel(3, seed=0).fit(x.astype(np.float32))
    np.testing.assert_allclose(m32.means_, RegimeModel(3, seed=0).fit(x.astype(np.float32).astype(np.float64)).means_)
    strided = np.column_stack([x, x])[:, 0]
    np.testing.assert_array_equal(model.predict(strided), model.predict(x))
    assert model.score(list(x)) == model.score(x)


def test_pickle_repr_clone_and_sample() -> None:
    x, _ = simulate(1500, 13)
    model = RegimeModel(3, covariance_type="full", seed=3).fit(x)
    again = pickle.loads(pickle.dumps(model))
    assert again.score(x) == model.score(x)
    np.testing.assert_array_equal(again.predict(x), model.predict(x))
    assert repr(model) == "RegimeModel(covariance_type='full', seed=3)"
    assert RegimeModel(**model.get_params()).get_params() == model.get_params()
    xs, zs = model.sample(5000, seed=1)
    assert xs.shape == (5000, 1) and zs.shape == (5000,)
    xs2, _ = model.sample(5000, seed=1)
    np.testing.assert_array_equal(xs, xs2)
    for s in range(3):  # sampled states' spread follows the model's
        np.testing.assert_allclose(xs[zs == s, 0].std(), np.sqrt(model.variances_[s, 0]), rtol=0.15)
    model.set_params(num_regimes=2)  # a new number of states forgets the fit
    with pytest.raises(InvalidInputError, match="not fitted"):
        model.predict(x)


def test_n_iter_zero_keeps_the_start() -> None:
    x, _ = simulate(500, 14)
    s = _start(1)
    m = RegimeModel(
        3,
        n_iter=0,
        startprob_init=s["startprob"],
        transmat_init=s["transmat"],
        means_init=s["means"][:, 0],
        covars_init=s["variances"][:, 0],
    ).fit(x)
    assert m.n_iter_ == 0 and not m.converged_
    np.testing.assert_allclose(m.means_[:, 0], s["means"][:, 0], atol=1e-12)
    np.testing.assert_allclose(m.variances_[:, 0], s["variances"][:, 0])


@pytest.mark.parametrize(
    ("X", "kwargs", "match"),
    [
        (np.ones(100), {}, "constant"),
        (np.array([0.1, -0.2]), {}, "fewer"),
        (np.array([0.1, np.nan, 0.3, 0.2]), {"num_regimes": 2}, "NaN"),
        (np.array([0.1, np.inf, 0.3, 0.2]), {"num_regimes": 2}, "inf"),
        (np.zeros((0,)), {}, "empty"),
        (np.zeros((3, 2, 2)), {}, "1-D"),
        (np.random.default_rng(0).normal(size=50), {"covariance_type": "spherical"}, "covariance_type"),
        (np.random.default_rng(0).normal(size=50), {"init": "random"}, "init"),
        (np.random.default_rng(0).normal(size=50), {"num_regimes": 0}, "between"),
        (np.random.default_rng(0).normal(size=50), {"num_regimes": 65}, "between"),
        (np.random.default_rng(0).normal(size=50), {"tol": float("nan")}, "tol"),
        (np.random.default_rng(0).normal(size=50), {"min_covar": 0.0}, "min_covar"),
        (np.random.default_rng(0).normal(size=50), {"transmat_init": np.eye(2)}, "shape"),
        (np.random.default_rng(0).normal(size=50), {"transmat_init": np.full((3, 3), 0.5)}, "sum to 1"),
        (np.random.default_rng(0).normal(size=50), {"startprob_init": [1.0, 0.5, -0.5]}, "probabilities"),
        (np.random.default_rng(0).normal(size=50), {"covars_init": [1.0, -1.0, 2.0]}, "positive"),
        (np.random.default_rng(0).normal(size=50), {"means_init": [[0.0, 1.0]] * 3}, "shape"),
    ],
)
def test_bad_inputs(X: Any, kwargs: Any, match: Any) -> None:
    with pytest.raises(InvalidInputError, match=match):
        RegimeModel(**kwargs).fit(X)


def test_bad_types() -> None:
    x = np.random.default_rng(0).normal(size=50)
    for kwargs in ({"num_regimes": 2.5}, {"num_regimes": True}, {"n_iter": "10"}, {"tol": "small"}, {"seed": 1.5}):
        with pytest.raises(InvalidTypeError):
            RegimeModel(**kwargs).fit(x)
    with pytest.raises(InvalidInputError):
        RegimeModel(num_regimes=10**30).fit(x)
    with pytest.raises(InvalidInputError, match="not fitted"):
        RegimeModel().score(x)
    fitted = RegimeModel(2, seed=0).fit(x)
    with pytest.raises(InvalidInputError, match="features"):
        fitted.score(np.ones((10, 2)))
    # wrong shapes are refused before the data are copied
    start = time.perf_counter()
    for view in (np.broadcast_to(0.5, (27, 10**7)), np.broadcast_to(0.5, (10**4, 10**5))):
        with pytest.raises(InvalidInputError, match="features"):
            fitted.predict(view)
        with pytest.raises(InvalidInputError, match="features"):
            RegimeModel().fit(view)
    assert time.perf_counter() - start < 0.5
    with pytest.raises(InvalidInputError):
        fitted.sample(0)
    with pytest.raises(InvalidInputError):
        fitted.predict([0.1, float("nan")])


def test_sp500_crises() -> None:
    arch_data = pytest.importorskip("arch.data.sp500")
    prices = arch_data.load()["Adj Close"]
    returns = prices.pct_change().dropna()
    model = RegimeModel(3, seed=0).fit(100 * returns)
    labels = model.predict(100 * returns)
    crisis = labels == 2
    oct_2008 = crisis["2008-10-01":"2008-10-31"].mean()
    print(f"S&P 500 Crisis share: Oct 2008 {oct_2008:.2f}, all days {crisis.mean():.2f}")
    assert oct_2008 >= 0.5
    assert crisis.mean() < 0.2
    # the Crisis state is the most volatile and the Normal one the calmest, as ordered
    vol = np.sqrt(model.variances_[:, 0])
    assert vol[2] > 2 * vol[0]
    # returns in decimals give the same regimes (the default priors are scale-free)
    np.testing.assert_array_equal(RegimeModel(3, seed=0).fit(returns).predict(returns).to_numpy(), labels.to_numpy())
