"""decision.QAR: the market-decision Boltzmann machine.

References: P(buy) by brute-force enumeration written out in numpy (an independent oracle for the
exact path and, within sampling error, for the sampled one); scikit-learn's LogisticRegression on
the same synthetic market (what a data scientist would try first); real S&P 500 closes (arch's
``sp500`` when installed, else the copy bundled with skfolio) for a report-only sanity check.
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import pickle
import threading
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from quantumpanarchy import InvalidInputError, ResourceLimitError, performance
from quantumpanarchy.decision import QAR, Action, Decision
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression

FloatArray = npt.NDArray[np.float64]


def brute_p_buy(params: dict[str, Any], f: FloatArray, beta: float) -> float:
    """P(d = +1) by summing exp(-βE) over all 2^(n+1) states, E written out term by term."""
    g, c, w, J, b = (params[k] for k in ("gains", "biases", "weights", "couplings", "decision_bias"))
    n = len(g)
    h = g * (2.0 * f - 1.0) + c
    states = np.array(list(itertools.product([-1.0, 1.0], repeat=n)))
    pair = 0.5 * np.einsum("si,ij,sj->s", states, J, states)
    log_w = {d: beta * (states @ h + pair + d * (b + states @ w)) for d in (1.0, -1.0)}
    top = max(log_w[1.0].max(), log_w[-1.0].max())
    z_buy, z_sell = (float(np.exp(log_w[d] - top).sum()) for d in (1.0, -1.0))
    return z_buy / (z_buy + z_sell)


def market(m: int, seed: int, n: int = 6) -> tuple[FloatArray, npt.NDArray[np.str_]]:
    """Factors uniform in [0, 1]; the outcome depends on factors 0 and 1 (for) and 2 (contrary)
    plus noise: Buy above +0.25, Sell below -0.25, Hold between. Factors 3.. are irrelevant."""
    rng = np.random.default_rng(seed)
    X = rng.random((m, n))
    score = 2.0 * (X[:, 0] - 0.5) + 1.5 * (X[:, 1] - 0.5) - 1.5 * (X[:, 2] - 0.5) + 0.25 * rng.normal(size=m)
    return X, np.where(score > 0.25, "buy", np.where(score < -0.25, "sell", "hold"))


# ------------------------------------------------------------------------------------------
# the default machine


@pytest.mark.parametrize("n", [1, 3, 8, 16])
def test_prior_buys_high_sells_low_holds_the_middle(n: int) -> None:
    qar = QAR(num_pbits=n, seed=0)  # n = 16 is sampled (above the automatic exact limit)
    high, low, mid = qar.decide([1.0] * n), qar.decide([0.0] * n), qar.decide([0.5] * n)
    assert (high.action, low.action, mid.action) == (Action.Buy, Action.Sell, Action.Hold)
    assert high.exact == (n <= 12)
    assert high.probability_buy > 0.9 and low.probability_sell > 0.9
    assert abs(mid.vote) < 0.05
    assert high.confidence == max(high.probability_buy, high.probability_sell)
    assert high.signal == 1 and low.signal == -1 and mid.signal == 0


def test_exact_probabilities_match_brute_force() -> None:
    rng = np.random.default_rng(4)
    X, y = market(200, 9, n=5)
    for qar in (QAR(num_pbits=5, beta=0.7), QAR(num_pbits=5, beta=1.3, max_iter=30).fit(X, y)):
        params = qar.parameters()
        rows = rng.random((6, 5))
        got = qar.probability_buy(rows)
        want = [brute_p_buy(params, r, qar.beta) for r in rows]
        np.testing.assert_allclose(got, want, rtol=1e-11, atol=1e-14)


def test_sampling_agrees_with_enumeration_on_a_fitted_machine() -> None:
    X, y = market(400, 3, n=5)
    fitted = QAR(num_pbits=5, seed=1).fit(X, y)
    rows = np.random.default_rng(5).random((30, 5))
    exact = fitted.probability_buy(rows)
    sampled = clone(fitted).set_params(exact=False, num_samples=2000)
    for name in ("gains_", "biases_", "weights_", "couplings_", "decision_bias_"):
        setattr(sampled, name, getattr(fitted, name))
    got = sampled.probability_buy(rows)
    worst = float(np.max(np.abs(got - exact)))
    print(f"\nsampled vs exact P(buy) on a fitted machine: largest difference {worst:.4f} over 30 rows")
    assert worst < 0.03
    decisions = sampled.decide_batch(rows)
    assert not decisions[0].exact and all(np.isfinite(d.energy) for d in decisions)


def test_p_buy_rises_with_every_factor_on_a_grid() -> None:
    n = 5
    grid = np.linspace(0.0, 1.0, 11)
    bases = np.random.default_rng(0).random((4, n))
    exact, sampled = QAR(num_pbits=n), QAR(num_pbits=n, exact=False, num_samples=4000, seed=3)
    for base, i in itertools.product(bases, range(n)):
        rows = np.repeat(base[None, :], len(grid), axis=0)
        rows[:, i] = grid
        p = exact.probability_buy(rows)
        assert np.all(np.diff(p) > 0), (i, p)
        s = sampled.probability_buy(rows)
        assert np.all(np.diff(s) > -0.02), (i, s)  # non-decreasing within sampling error
        assert np.max(np.abs(s - p)) < 0.03


@settings(max_examples=40, deadline=None)
@given(
    base=st.lists(st.floats(0.0, 1.0), min_size=4, max_size=4),
    i=st.integers(0, 3),
    lo=st.floats(0.0, 1.0),
    hi=st.floats(0.0, 1.0),
)
def test_p_buy_is_monotone_in_each_factor(base: list[float], i: int, lo: float, hi: float) -> None:
    lo, hi = min(lo, hi), max(lo, hi)
    a, b = list(base), list(base)
    a[i], b[i] = lo, hi
    qar = QAR(num_pbits=4, beta=1.5)
    pa, pb = qar.probability_buy([a, b])
    assert pb >= pa - 1e-15


# ------------------------------------------------------------------------------------------
# learning


def test_fit_improves_held_out_agreement_with_outcomes() -> None:
    X_train, y_train = market(600, 1)
    X_test, y_test = market(1500, 2)
    qar = QAR(num_pbits=6, seed=3)
    prior_ll, prior_acc = qar.log_likelihood(X_test, y_test), qar.score(X_test, y_test)
    qar.fit(X_train, y_train)
    fit_ll, fit_acc = qar.log_likelihood(X_test, y_test), qar.score(X_test, y_test)
    sampled = QAR(num_pbits=6, seed=3, exact=False, max_iter=100).fit(X_train, y_train)
    s_ll, s_acc = sampled.log_likelihood(X_test, y_test), sampled.score(X_test, y_test)
    lr = LogisticRegression(max_iter=1000).fit(X_train, y_train)
    lr_acc = float(lr.score(X_test, y_test))
    proba = lr.predict_proba(X_test)
    t = np.array([{"buy": 1.0, "sell": 0.0, "hold": 0.5}[v] for v in y_test])
    p_lr = proba[:, list(lr.classes_).index("buy")] / (
        proba[:, list(lr.classes_).index("buy")] + proba[:, list(lr.classes_).index("sell")]
    )
    lr_ll = float(np.mean(t * np.log(p_lr) + (1 - t) * np.log(1 - p_lr)))
    print(
        "\nsynthetic market, 600 training rows, 1500 held out (mean log-likelihood / accuracy):"
        f"\n  prior machine        {prior_ll:8.4f} / {prior_acc:.3f}"
        f"\n  fitted (exact)       {fit_ll:8.4f} / {fit_acc:.3f}   ({qar.n_iter_} L-BFGS iterations)"
        f"\n  fitted (sampled)     {s_ll:8.4f} / {s_acc:.3f}   ({sampled.n_iter_} Adam steps)"
        f"\n  sklearn LogisticRegression (3 classes; buy-vs-sell odds) {lr_ll:8.4f} / {lr_acc:.3f}"
    )
    assert qar.converged_ and qar.exact_ and sampled.converged_ is None and not sampled.exact_
    assert qar.log_likelihood_ > qar.prior_log_likelihood_ + 0.3
    assert fit_ll > prior_ll + 0.3 and fit_acc > prior_acc + 0.25
    assert s_ll > prior_ll + 0.3 and s_acc > prior_acc + 0.25
    assert fit_acc > lr_acc - 0.03
    # the fitted machine has learnt which factors matter and which way
    lo = QAR(num_pbits=6).parameters()  # the prior, for comparison
    effect = []
    for i in range(6):
        up, down = X_test[:400].copy(), X_test[:400].copy()
        up[:, i], down[:, i] = 1.0, 0.0
        effect.append(float(np.mean(_log_odds(qar, up) - _log_odds(qar, down))))
    print("  effect of each factor 0 -> 1 on the log-odds:", np.round(effect, 2))
    assert effect[0] > 2 and effect[1] > 2 and effect[2] < -2
    assert all(abs(e) < 1.0 for e in effect[3:])
    assert lo["weights"][2] > 0  # the prior had factor 2 voting the wrong way


def squash(z: Any) -> Any:
    """The logistic function: a z-score onto (0, 1)."""
    return 1.0 / (1.0 + np.exp(-z))


def _log_odds(qar: QAR, X: FloatArray) -> FloatArray:
    p = np.asarray(qar.probability_buy(X))
    return np.asarray(np.log(p / (1 - p)))


def test_fit_accepts_every_label_form_and_names() -> None:
    X, y = market(150, 6, n=3)
    signals = np.array([Action(v).signal for v in y])
    forms: list[Any] = [y, [Action(v) for v in y], [v.upper() for v in y], signals, signals.astype(float)]
    fits = [QAR(num_pbits=3, max_iter=20).fit(X, labels) for labels in forms]
    for other in fits[1:]:
        np.testing.assert_array_equal(other.weights_, fits[0].weights_)
    frame = pd.DataFrame(X, columns=["mom", "rsi", "vol"], index=pd.date_range("2024-01-01", periods=150))
    named = QAR(num_pbits=3, max_iter=20).fit(frame, pd.Series(y, index=frame.index))
    np.testing.assert_array_equal(named.weights_, fits[0].weights_)
    assert list(named.feature_names_in_) == ["mom", "rsi", "vol"]
    # names route dict and Series factors, in any order
    d = named.decide({"vol": 0.2, "mom": 0.9, "rsi": 0.6})
    assert d == named.decide([0.9, 0.6, 0.2])
    assert d == named.decide(pd.Series({"rsi": 0.6, "vol": 0.2, "mom": 0.9}))
    assert set(d.contributions) == {"mom", "rsi", "vol"}
    shuffled = frame[["vol", "mom", "rsi"]]
    np.testing.assert_array_equal(named.predict(shuffled).to_numpy(), named.predict(frame).to_numpy())
    signal = named.predict(frame)
    assert isinstance(signal, pd.Series) and signal.index.equals(frame.index) and signal.dtype == np.int8
    assert named.names == ["mom", "rsi", "vol"]


def test_real_market_data_report() -> None:
    """Momentum / RSI-like factors of the S&P 500 predicting the next day's direction: reported,
    asserted only for sanity (daily direction is close to unpredictable)."""
    close: Any
    try:
        from arch.data import sp500

        close = sp500.load()["Adj Close"]
        source = "arch.data.sp500"
    except ImportError:
        datasets = pytest.importorskip("skfolio.datasets")
        close = datasets.load_sp500_index()["SP500"]
        source = "skfolio's bundled S&P 500 index"
    close = close.loc["2000":].astype(float)
    ret = np.log(close).diff()
    vol = ret.rolling(20).std()
    gain = ret.clip(lower=0).rolling(14).mean()
    loss = (-ret).clip(lower=0).rolling(14).mean()
    factors = pd.DataFrame(
        {
            "momentum_20d": squash(ret.rolling(20).sum() / (vol * np.sqrt(20))),
            "rsi_14": gain / (gain + loss),
            "reversal_5d": squash(-ret.rolling(5).sum() / (vol * np.sqrt(5))),
            "trend_50d": squash((close / close.rolling(50).mean() - 1.0) / (vol * np.sqrt(50))),
            "vol_regime": squash(np.log(vol / ret.rolling(100).std())),
        }
    )
    nxt = ret.shift(-1)
    band = 0.25 * vol
    labels = pd.Series(np.where(nxt > band, "buy", np.where(nxt < -band, "sell", "hold")), index=ret.index)
    ok = factors.notna().all(axis=1) & nxt.notna()
    factors, labels = factors[ok], labels[ok]
    cut = int(0.7 * len(factors))
    qar = QAR(num_pbits=5, seed=0)
    prior = qar.log_likelihood(factors[cut:], labels[cut:]), qar.score(factors[cut:], labels[cut:])
    qar.fit(factors[:cut], labels[:cut])
    fitted = qar.log_likelihood(factors[cut:], labels[cut:]), qar.score(factors[cut:], labels[cut:])
    base = float((labels[cut:] == labels[:cut].mode()[0]).mean())
    direction = np.sign(nxt[ok][cut:])
    calls = qar.predict(factors[cut:])
    hit = float((direction[calls != 0] == calls[calls != 0]).mean()) if (calls != 0).any() else float("nan")
    p_buy = qar.probability_buy(factors[cut:])
    print(
        f"\n{source}: {cut} training days, {len(factors) - cut} held out"
        f"\n  held-out log-likelihood {prior[0]:.4f} (prior) -> {fitted[0]:.4f} (fitted)"
        f"\n  held-out accuracy       {prior[1]:.3f} (prior) -> {fitted[1]:.3f} (fitted); majority label {base:.3f}"
        f"\n  direction hit rate on days the fitted machine trades: {hit:.3f} ({int((calls != 0).sum())} days);"
        f" held-out P(buy) in [{p_buy.min():.3f}, {p_buy.max():.3f}]"
    )
    assert qar.log_likelihood_ >= qar.prior_log_likelihood_
    assert np.isfinite(fitted[0]) and fitted[0] > prior[0] - 0.05


# ------------------------------------------------------------------------------------------
# determinism, threads, async


def test_seeded_decisions_do_not_depend_on_threads_or_position() -> None:
    before = performance.get_num_threads()
    try:
        _check_thread_independence()
    finally:
        performance.set_num_threads(before)


def _check_thread_independence() -> None:
    X = np.random.default_rng(1).random((64, 14))
    qar = QAR(num_pbits=14, num_samples=200, seed=11)  # 14 factors: sampled
    performance.set_num_threads(1)
    one = qar.decide_batch(X)
    performance.set_num_threads(2)
    two = qar.decide_batch(X)
    performance.set_num_threads(4)
    four = qar.decide_batch(X)
    assert one == two == four
    assert not one[0].exact
    assert qar.decide(X[17]) == one[17]
    assert qar.decide_batch(X[::-1])[::-1] == one
    assert QAR(num_pbits=14, num_samples=200, seed=12).decide_batch(X) != one
    fitted = [QAR(num_pbits=3, exact=False, max_iter=15, seed=2).fit(*market(120, 0, n=3)).weights_ for _ in range(2)]
    performance.set_num_threads(1)
    fitted.append(QAR(num_pbits=3, exact=False, max_iter=15, seed=2).fit(*market(120, 0, n=3)).weights_)
    np.testing.assert_array_equal(fitted[0], fitted[1])
    np.testing.assert_array_equal(fitted[0], fitted[2])


def test_async_and_threads_agree_with_sync() -> None:
    X, y = market(100, 2, n=4)
    qar = QAR(num_pbits=4, seed=5, exact=False, num_samples=300)
    want = qar.decide_batch(X[:8])

    async def main() -> tuple[Decision, list[Decision], QAR]:
        one = await qar.decide_async(X[3])
        batch = await qar.decide_batch_async(X[:8])
        fitted = await QAR(num_pbits=4, max_iter=10).fit_async(X, y)
        return one, batch, fitted

    one, batch, fitted = asyncio.run(main())
    assert one == want[3] and batch == want
    np.testing.assert_array_equal(fitted.weights_, QAR(num_pbits=4, max_iter=10).fit(X, y).weights_)
    results: list[list[Decision]] = []
    threads = [threading.Thread(target=lambda: results.append(qar.decide_batch(X[:8]))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [want] * 4


def test_progress_callback_sees_the_work() -> None:
    seen: list[tuple[int, int]] = []
    QAR(num_pbits=3, max_iter=5).fit(*market(50, 1, n=3), progress=lambda d, t: seen.append((d, t)))
    assert seen and seen[-1][1] == 5 and seen[-1][0] <= 5
    seen.clear()
    QAR(num_pbits=3).decide_batch(np.full((7, 3), 0.5), progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (7, 7)


# ------------------------------------------------------------------------------------------
# estimator protocol, pickling, results


def test_clone_params_pickle_and_repr() -> None:
    qar = QAR(num_pbits=3, energy_threshold=0.7, seed=4, factor_names=["a", "b", "c"], alpha=0.1)
    assert repr(qar) == "QAR(num_pbits=3, energy_threshold=0.7, seed=4, factor_names=['a', 'b', 'c'], alpha=0.1)"
    twin = clone(qar)
    assert twin.get_params() == qar.get_params() and not hasattr(twin, "weights_")
    X, y = market(80, 3, n=3)
    qar.fit(X, y)
    copy = pickle.loads(pickle.dumps(qar))
    np.testing.assert_array_equal(copy.couplings_, qar.couplings_)
    assert copy.decide([0.2, 0.9, 0.4]) == qar.decide([0.2, 0.9, 0.4])
    assert copy.decide([0.2, 0.9, 0.4]) != twin.decide([0.2, 0.9, 0.4])  # fitted vs prior
    assert qar.set_params(beta=2.0) is qar and qar.beta == 2.0 and hasattr(qar, "weights_")
    qar.set_params(num_pbits=4, factor_names=None)
    assert not hasattr(qar, "weights_")  # a different machine: the fit is gone
    d = copy.decide([0.9, 0.9, 0.1])
    assert pickle.loads(pickle.dumps(d)) == d
    assert hash(d) == hash(pickle.loads(pickle.dumps(d)))
    out = d.to_dict()
    assert out["action"] == d.action.value and out["vote"] == pytest.approx(d.vote)
    assert set(out) >= {"action", "confidence", "reasoning", "energy", "contributions"}
    assert d.reasoning.startswith(d.action.name) and "a " in d.reasoning
    assert QAR.__module__ == Action.__module__ == Decision.__module__ == "quantumpanarchy.decision"


def test_actions_parse_labels() -> None:
    assert Action("BUY") is Action("buy") is Action(1) is Action(1.0) is Action.Buy
    assert Action(-1) is Action.Sell and Action(0) is Action.Hold and Action(" Hold ") is Action.Hold
    assert [a.signal for a in Action] == [1, -1, 0]
    for bad in ("long", 2, True, None):
        with pytest.raises(ValueError):
            Action(bad)


def test_hold_is_the_undecided_middle_of_the_threshold() -> None:
    qar = QAR(num_pbits=1, energy_threshold=0.9)
    p = qar.probability_buy(np.linspace(0, 1, 41)[:, None])
    signals = qar.predict(np.linspace(0, 1, 41)[:, None])
    np.testing.assert_array_equal(signals, np.where(p >= 0.9, 1, np.where(1 - p >= 0.9, -1, 0)))
    assert QAR(num_pbits=1, energy_threshold=1.0).decide([1.0]).action is Action.Hold
    d = qar.decide([0.7])
    assert d.action is Action.Hold and d.confidence < 0.9 and "neither reaches 0.9" in d.reasoning


# ------------------------------------------------------------------------------------------
# bad input


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"num_pbits": 0}, "num_pbits"),
        ({"num_pbits": 2.5}, "num_pbits"),
        ({"num_pbits": 5000}, "num_pbits"),
        ({"energy_threshold": 0.5}, "energy_threshold"),
        ({"energy_threshold": 1.2}, "energy_threshold"),
        ({"energy_threshold": float("nan")}, "energy_threshold"),
        ({"beta": 0.0}, "beta"),
        ({"beta": float("inf")}, "beta"),
        ({"num_samples": 0}, "num_samples"),
        ({"burn_in": -1}, "burn_in"),
        ({"max_iter": 0}, "max_iter"),
        ({"alpha": -1.0}, "alpha"),
        ({"exact": "yes"}, "exact"),
        ({"seed": -3, "num_pbits": 3}, "seed must be a non-negative integer below 2\\*\\*64"),
        ({"seed": 1.0, "num_pbits": 3}, "seed must be an int or None, got float"),
        ({"seed": "7", "num_pbits": 3}, "seed must be an int or None, got str"),
        ({"factor_names": ["a", "a", "b"], "num_pbits": 3}, "distinct"),
        ({"factor_names": "abc", "num_pbits": 3}, "factor_names"),
    ],
)
def test_bad_hyper_parameters_are_refused_when_used(kwargs: dict[str, Any], match: str) -> None:
    X, y = market(20, 0, n=3)
    # stored as given (scikit-learn's convention: neither the constructor nor set_params raises)
    for qar in (QAR(**kwargs), QAR(num_pbits=3, factor_names=["x", "y", "z"]).set_params(**kwargs)):
        assert {k: qar.get_params()[k] for k in kwargs} == kwargs
        uses: list[Callable[[], object]] = [
            partial(qar.fit, X, y),
            partial(qar.decide, [0.5] * 3),
            partial(qar.predict, X),
        ]
        if "seed" not in kwargs:  # parameters() draws nothing; the seed is checked (natively) where it is used
            uses.append(qar.parameters)
        for use in uses:
            with pytest.raises(InvalidInputError, match=match):
                use()
        assert not hasattr(qar, "weights_")


def test_whole_number_floats_are_the_integers_they_hold() -> None:
    X, y = market(40, 2, n=3)
    as_ints = QAR(num_pbits=3, num_samples=50, burn_in=10, max_iter=5, seed=1, exact=False)
    as_floats = QAR(num_pbits=3.0, num_samples=50.0, burn_in=10.0, max_iter=5.0, seed=1, exact=False)  # type: ignore[arg-type]
    np.testing.assert_array_equal(as_floats.predict(X), as_ints.predict(X))
    np.testing.assert_array_equal(as_floats.parameters()["couplings"], as_ints.parameters()["couplings"])
    assert as_floats.names == as_ints.names == ["factor_0", "factor_1", "factor_2"]
    assert as_floats.decide([0.9, 0.9, 0.9]) == as_ints.decide([0.9, 0.9, 0.9])
    np.testing.assert_array_equal(as_floats.fit(X, y).weights_, as_ints.fit(X, y).weights_)
    np.testing.assert_array_equal(as_floats.probability_buy(X), as_ints.probability_buy(X))


def test_each_call_checks_the_parameters_and_reads_the_data_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from quantumpanarchy._decision import qar as module

    calls: collections.Counter[str] = collections.Counter()

    def counted(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            calls[name] += 1
            return function(*args, **kwargs)

        return call

    monkeypatch.setattr(QAR, "_validate_params", counted("parameters", QAR._validate_params))
    monkeypatch.setattr(module, "real_array", counted("arrays", vars(module)["real_array"]))
    X, y = market(30, 4, n=3)
    qar = QAR(num_pbits=3, max_iter=5, seed=0)
    uses: dict[str, Callable[[], object]] = {
        "fit": partial(qar.fit, X, y),
        "predict": partial(qar.predict, X),
        "probability_buy": partial(qar.probability_buy, X),
        "score": partial(qar.score, X, y),
        "log_likelihood": partial(qar.log_likelihood, X, y),
        "decide_batch": partial(qar.decide_batch, X[:4]),
        "decide": partial(qar.decide, X[0]),
        "decide-dict": partial(qar.decide, {"factor_0": 0.2, "factor_1": 0.9, "factor_2": 0.5}),
        "parameters": qar.parameters,
        "names": lambda: qar.names,
    }
    for name, use in uses.items():
        calls.clear()
        use()
        expected = {"parameters": 1} if name in ("parameters", "names") else {"parameters": 1, "arrays": 1}
        assert dict(calls) == expected, name


def test_bad_factors_and_outcomes_are_refused_and_leave_the_fit_alone() -> None:
    X, y = market(60, 1, n=3)
    qar = QAR(num_pbits=3, factor_names=["mom", "rsi", "vol"], max_iter=10).fit(X, y)
    weights = qar.weights_.copy()
    bad_factors: list[tuple[Any, str]] = [
        ([0.5, 1.2, 0.5], "'rsi' is 1.2"),
        ([0.5, float("nan"), 0.5], "in \\[0, 1\\]"),
        ([-0.1, 0.5, 0.5], "'mom'"),
        ([0.5, 0.5], "num_pbits \\(3\\)"),
        ([[0.5, 0.5, 0.5]], "1-D"),
        (["a", "b", "c"], "real numbers"),
        ({"mom": 0.5, "rsi": 0.5, "volume": 0.5}, "do not match"),
    ]
    for factors, match in bad_factors:
        with pytest.raises(InvalidInputError, match=match):
            qar.decide(factors)
    with pytest.raises(InvalidInputError, match="num_pbits"):
        qar.decide_batch(np.full((4, 2), 0.5))
    bad_fits: list[tuple[Any, Any, str]] = [
        (X, y[:-1], "one label per row"),
        (X[:, :2], y, "columns"),
        (X, np.where(y == "hold", "flat", y), "unknown outcome 'flat'"),
        (X, np.full(60, 2), "\\+1 \\(buy\\)"),
        (X, [True] * 60, "unknown outcome True"),
        (X + 1.0, y, "history must hold"),
        (np.empty((0, 3)), [], r"history has 0 sample\(s\)"),
        (X, None, "requires y to be passed"),
        (X, "buy", "sequence of labels"),
    ]
    for history, outcomes, match in bad_fits:
        with pytest.raises(InvalidInputError, match=match):
            qar.fit(history, outcomes)
    np.testing.assert_array_equal(qar.weights_, weights)
    with pytest.raises(InvalidInputError, match="do not match"):
        qar.fit(pd.DataFrame(X, columns=["a", "b", "c"]), y)
    with pytest.raises(ResourceLimitError, match="exact"):
        QAR(num_pbits=30, exact=True).decide([0.5] * 30)
    with pytest.raises(InvalidInputError, match="one label per row"):
        qar.log_likelihood(X, y[:5])
