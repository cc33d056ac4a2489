"""PBitAutoML's parts (the p-bit encoding, its penalties, the surrogate, the metrics) and the
search: seeded runs repeat, parallel trials change nothing, the surrogate finds better
configurations than random ones, FLAML's and SPEC's names, time series, bad input."""

from __future__ import annotations

import asyncio
import itertools
import math
import pickle
from typing import Any

import numpy as np
import pytest
from quantumpanarchy import automl
from quantumpanarchy._automl import learners, metrics, space, surrogate
from quantumpanarchy._automl.search import Budget, Search
from quantumpanarchy.exceptions import InvalidInputError, NotFittedError

pytest.importorskip("sklearn")
from sklearn import datasets
from sklearn import metrics as skm
from sklearn.model_selection import train_test_split


def toy_learner(name: str, params: tuple[Any, ...]) -> space.Learner:
    return space.Learner(
        name,
        name,
        lambda config, seed: None,
        params,
        {p.name: p.levels()[0] if isinstance(p, space.Numeric) else p.choices[0] for p in params},
        1.0,
    )


TOY = space.Encoding(
    (
        toy_learner("a", (space.Numeric("x", 1.0, 8.0, 3, integer=True), space.Categorical("c", ("p", "q", "r")))),
        toy_learner("b", (space.Numeric("y", 1e-3, 1.0, 2, log=True),)),
    )
)


def test_gray_code_neighbours_differ_in_one_bit_and_round_trip() -> None:
    p = space.Numeric("n", 1, 128, 4, log=True, integer=True)
    codes = [p.encode(v) for v in p.levels()]
    assert [p.decode(c) for c in codes] == p.levels()
    for u, v in itertools.pairwise(codes):
        assert sum(a != b for a, b in zip(u, v, strict=False)) == 1


def test_penalties_vanish_exactly_on_canonical_vectors() -> None:
    weight = 3.0
    q = space.constraints(TOY, weight)
    canonical = set()
    for name, params in (("a", ("x", "c")), ("b", ("y",))):
        learner = TOY.learners[TOY.index(name)]
        grids = [p.levels() if isinstance(p, space.Numeric) else list(p.choices) for p in learner.params]
        for values in itertools.product(*grids):
            canonical.add(TOY.encode(name, dict(zip(params, values, strict=False))).tobytes())
    for bits in itertools.product((0, 1), repeat=TOY.size):
        x = np.asarray(bits, dtype=np.int8)
        energy = float(x @ q @ x) + weight  # the dropped constant of (Σe − 1)²
        if x.tobytes() in canonical:
            assert energy == pytest.approx(0.0)
        else:
            assert energy >= weight - 1e-9


def test_surrogate_posterior_mean_recovers_a_quadratic() -> None:
    rng = np.random.default_rng(1)
    model = surrogate.Surrogate(TOY, rungs=1)
    rows = np.asarray([TOY.canonical(rng.integers(0, 2, TOY.size).astype(np.int8)) for _ in range(200)])
    truth = rng.normal(size=model.size)
    phi = model.features(rows, np.zeros(len(rows), dtype=np.intp))
    target = phi @ truth
    fitted = phi @ model.fit(phi, target)
    assert np.corrcoef(fitted, target)[0, 1] > 0.99
    x = rows[0].astype(np.float64)
    assert x @ model.qubo(truth) @ x == pytest.approx(phi[0] @ truth)


class Quadratic:
    """A scorer whose loss is a fixed random quadratic of the configuration's bits."""

    def __init__(self, encoding: space.Encoding, seed: int) -> None:
        rng = np.random.default_rng(seed)
        self.encoding = encoding
        self.q = np.triu(rng.normal(size=(encoding.size, encoding.size)))
        self.metric = metrics.REGRESSION["mse"]

    def loss_of(self, bits: Any) -> float:
        x = np.asarray(bits, dtype=np.float64)
        return float(x @ self.q @ x)

    def evaluate(
        self, learner: space.Learner, config: space.Config, size: int, seed: int
    ) -> tuple[float, float, str | None]:
        return self.loss_of(self.encoding.encode(learner.name, config)), 0.01, None


def big_space() -> space.Encoding:
    learners = tuple(
        toy_learner(
            f"m{k}",
            (space.Numeric("u", 0.0, 1.0, 3), space.Numeric("v", 0.0, 1.0, 3), space.Categorical("w", ("a", "b", "c"))),
        )
        for k in range(3)
    )
    return space.Encoding(learners)


def all_canonical(encoding: space.Encoding) -> list[Any]:
    out = []
    for learner in encoding.learners:
        grids = [p.levels() if isinstance(p, space.Numeric) else list(p.choices) for p in learner.params]
        for values in itertools.product(*grids):
            out.append(encoding.encode(learner.name, dict(zip([p.name for p in learner.params], values, strict=False))))
    return out


def test_surrogate_guided_search_beats_random_search() -> None:
    # ten random quadratic losses over 3 learners × 192 configurations; 64 trials each
    ours, random = [], []
    for seed in range(10):
        encoding = big_space()
        scorer = Quadratic(encoding, seed)
        every = all_canonical(encoding)
        losses = np.sort([scorer.loss_of(b) for b in every])
        search = Search(list(encoding.learners), scorer, [1], seed, 3, 8, 1, None)
        search.run(Budget(64, math.inf, 0.0))
        assert len(search.trials) == 64
        ours.append(int(np.searchsorted(losses, min(t.loss for t in search.trials))))
        drawn = np.random.default_rng(seed).choice(len(every), 64, replace=False)
        random.append(int(np.searchsorted(losses, min(scorer.loss_of(every[i]) for i in drawn))))
    # the best found ranks near the top (random search: about 6 on average, up to 18)
    assert max(ours) <= 4 and np.mean(ours) < 0.5 * np.mean(random), (ours, random)


def test_metrics_equal_scikit_learns() -> None:
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 3, 200)
    proba = rng.dirichlet(np.ones(3), 200)
    pred = proba.argmax(axis=1)
    c = metrics.CLASSIFICATION
    assert c["accuracy"].score(truth, pred) == pytest.approx(skm.accuracy_score(truth, pred))
    assert c["log_loss"].score(truth, proba) == pytest.approx(skm.log_loss(truth, proba))
    assert c["roc_auc"].score(truth, proba) == pytest.approx(skm.roc_auc_score(truth, proba, multi_class="ovr"))
    assert c["f1"].score(truth, pred) == pytest.approx(skm.f1_score(truth, pred, average="macro"))
    binary, p2 = truth % 2, np.round(proba[:, :2] / proba[:, :2].sum(1, keepdims=True), 2)  # rounded: ties
    assert c["roc_auc"].score(binary, p2) == pytest.approx(skm.roc_auc_score(binary, p2[:, 1]))
    assert c["f1"].score(binary, pred % 2) == pytest.approx(skm.f1_score(binary, pred % 2))
    y, yhat = rng.normal(size=100), rng.normal(size=100)
    r = metrics.REGRESSION
    assert r["r2"].score(y, yhat) == pytest.approx(skm.r2_score(y, yhat))
    assert r["mse"].score(y, yhat) == pytest.approx(skm.mean_squared_error(y, yhat))
    assert r["mae"].score(y, yhat) == pytest.approx(skm.mean_absolute_error(y, yhat))
    assert r["mape"].score(y, yhat) == pytest.approx(skm.mean_absolute_percentage_error(y, yhat))
    assert c["accuracy"].loss(truth, pred) == pytest.approx(1.0 - skm.accuracy_score(truth, pred))


def cancer() -> tuple[Any, Any, Any, Any]:
    X, y = datasets.load_breast_cancer(return_X_y=True)
    parts: tuple[Any, Any, Any, Any] = tuple(train_test_split(X, y, test_size=0.25, random_state=0))
    return parts


def trial_rows(board: automl.Leaderboard) -> list[tuple[Any, ...]]:
    return [(t.learner, sorted(t.config.items()), t.rung, t.sample_size, t.loss) for t in board]


def test_seeded_searches_repeat_and_parallel_trials_change_nothing() -> None:
    X, _, y, _ = cancer()
    runs = [
        automl.PBitAutoML().fit(automl.Dataset(X, y), max_iter=20, seed=7, n_concurrent_trials=workers)
        for workers in (1, 1, 2)
    ]
    assert len(runs[0].leaderboard) == 20
    assert trial_rows(runs[0].leaderboard) == trial_rows(runs[1].leaderboard) == trial_rows(runs[2].leaderboard)
    assert runs[0].best_params == runs[2].best_params


def test_flaml_names_spec_names_and_the_leaderboard() -> None:
    X_train, X_test, y_train, y_test = cancer()
    labels = np.where(y_train == 1, "benign", "malignant")
    engine = automl.PBitAutoML(task_type=automl.TaskType.Classification)
    with pytest.raises(NotFittedError):
        engine.predict(X_test)
    assert engine.fit(X_train, labels, max_iter=16, seed=0, metric="log_loss") is engine
    assert engine.best_estimator in {lr.name for lr in learners.learners("classification")}
    assert set(engine.predict(X_test)) <= {"benign", "malignant"}
    proba = engine.predict_proba(X_test)
    assert proba.shape == (len(X_test), 2) and np.allclose(proba.sum(axis=1), 1.0)
    assert engine.classes_.tolist() == ["benign", "malignant"]
    fitted = engine.result_
    assert fitted is not None
    top = max(t.rung for t in fitted.leaderboard)
    assert engine.best_loss == min(t.loss for t in fitted.leaderboard if t.rung == top)
    frame = engine.leaderboard()
    assert list(frame.columns)[:4] == ["trial", "learner", "config", "rung"] and len(frame) == 16
    assert frame["loss"].iloc[0] == engine.best_loss
    result = automl.PBitAutoML(config=automl.AutoMLConfig(max_trials=12, seed=0)).fit(
        automl.Dataset(X_train, y_train, X_test, y_test)
    )
    assert isinstance(result, automl.AutoMLResult)
    assert (
        result.test_score == result.score == pytest.approx(float(np.mean(result.best_model.predict(X_test) == y_test)))
    )
    again = pickle.loads(pickle.dumps(engine))
    np.testing.assert_array_equal(again.predict(X_test), engine.predict(X_test))
    assert result.to_dict()["best_estimator"] == result.best_estimator


def test_regression_search_on_diabetes_scores_like_ridge() -> None:
    X, y = datasets.load_diabetes(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)
    engine = automl.PBitAutoML("regression").fit(X_train, y_train, max_iter=24, seed=0)
    assert engine.score(X_test, y_test) > 0.3  # ridge reaches about 0.36 on this split
    assert engine.result_ is not None and engine.result_.metric == "r2"


def test_time_budget_stops_the_search_within_a_trial() -> None:
    X, _, y, _ = cancer()
    engine = automl.PBitAutoML().fit(X, y, time_budget=0.5, max_iter=10_000, seed=0)
    assert engine.result_ is not None
    assert 1 <= len(engine.result_.leaderboard) < 10_000


def seasonal(n: int, seed: int) -> Any:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return 10.0 + 3.0 * np.sin(2 * np.pi * t / 12) + 0.02 * t + rng.normal(0, 0.3, n)


def test_time_series_forecasts_beat_the_last_value() -> None:
    series = seasonal(240, 0)
    train, future = series[:228], series[228:]
    engine = automl.PBitAutoML(automl.TaskType.TimeSeries).fit(
        None, train, period=12, max_iter=16, seed=0, estimator_list=["ridge", "enet"]
    )
    forecast = engine.predict()
    assert forecast.shape == (12,)
    naive = np.full(12, train[-1])
    assert np.mean(np.abs(forecast - future)) < 0.5 * np.mean(np.abs(naive - future))
    assert engine.best_config["lags"] >= 1
    assert engine.predict(3).shape == (3,)


def test_bad_input_is_refused_clearly() -> None:
    X, _, y, _ = cancer()
    engine = automl.PBitAutoML()
    with pytest.raises(InvalidInputError, match="inconsistent numbers of samples"):
        engine.fit(X, y[:-1], max_iter=2)
    with pytest.raises(InvalidInputError, match="NaN"):
        automl.PBitAutoML("regression").fit(X, np.where(np.arange(len(y)) == 3, np.nan, y), max_iter=2)
    with pytest.raises(InvalidInputError, match="time budget"):
        engine.fit(X, y, time_budget=0)
    with pytest.raises(InvalidInputError, match="unknown metric"):
        engine.fit(X, y, metric="precision_at_7")
    with pytest.raises(InvalidInputError, match="unknown learner"):
        engine.fit(X, y, estimator_list=["xgboost"])
    with pytest.raises(InvalidInputError, match="unknown task"):
        automl.PBitAutoML("clustering")
    with pytest.raises(InvalidInputError, match="unknown AutoML setting"):
        engine.fit(X, y, time_budjet=3)
    with pytest.raises(InvalidInputError, match="max_trials"):
        engine.fit(X, y, max_iter=0)
    with pytest.raises(InvalidInputError, match="NaN"):
        engine.fit(np.where(X > 1e3, np.nan, X), y, max_iter=2)
    with pytest.raises(InvalidInputError, match=r"at least 2 classes|only one class"):
        engine.fit(X, np.zeros(len(y)), max_iter=2)


def test_progress_reports_every_trial_and_fit_async_gives_the_same_search() -> None:
    X, _, y, _ = cancer()
    seen: list[tuple[int, int]] = []
    engine = automl.PBitAutoML().fit(X, y, max_iter=10, seed=3, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(k, 10) for k in range(1, 11)]
    later = asyncio.run(automl.PBitAutoML().fit_async(X, y, max_iter=10, seed=3))
    assert engine.result_ is not None and later.result_ is not None
    assert trial_rows(later.result_.leaderboard) == trial_rows(engine.result_.leaderboard)


def test_a_failing_learner_scores_inf_with_its_reason() -> None:
    X, _, y, _ = cancer()
    few = X[:12], y[:12]  # 12 rows: 5 folds leave 9 or 10 to train on, fewer than 64 neighbours
    engine = automl.PBitAutoML().fit(*few, max_iter=30, seed=0, estimator_list=["kneighbor"])
    assert engine.result_ is not None
    failed = [t for t in engine.result_.leaderboard if not math.isfinite(t.loss)]
    assert failed and all(t.error and "n_neighbors" in t.error for t in failed)
    assert math.isfinite(engine.best_loss)
