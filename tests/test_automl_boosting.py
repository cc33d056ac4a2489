"""quantumpanarchy.automl's histogram-based gradient boosting against scikit-learn's on its bundled
data sets, scikit-learn's own estimator checks, determinism across thread counts, early stopping,
pickling and bad input."""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import pytest
from quantumpanarchy import automl, performance
from quantumpanarchy.exceptions import InvalidInputError, NotFittedError

pytest.importorskip("sklearn")
from sklearn import datasets, ensemble
from sklearn.model_selection import train_test_split
from sklearn.utils.estimator_checks import check_estimator

LOADERS = [datasets.load_breast_cancer, datasets.load_wine, datasets.load_digits]


def split(loader: Any) -> tuple[Any, Any, Any, Any]:
    X, y = loader(return_X_y=True)
    parts: tuple[Any, Any, Any, Any] = tuple(train_test_split(X, y, test_size=0.3, random_state=0))
    return parts


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize(
    "params",
    [{}, {"max_leaf_nodes": 8, "max_depth": 3, "min_samples_leaf": 5, "l2_regularization": 1.0, "max_bins": 32}],
    ids=["defaults", "small-trees"],
)
def test_classifier_scores_as_scikit_learns(loader: Any, params: dict[str, Any]) -> None:
    X_train, X_test, y_train, y_test = split(loader)
    settings = {"max_iter": 60, "early_stopping": False, **params}
    a = automl.HistGradientBoostingClassifier(**settings).fit(X_train, y_train)
    b = ensemble.HistGradientBoostingClassifier(**settings).fit(X_train, y_train)
    assert abs(a.score(X_test, y_test) - b.score(X_test, y_test)) <= 0.01
    assert a.n_iter_ == b.n_iter_ == 60
    np.testing.assert_array_equal(a.classes_, b.classes_)
    # the same algorithm: the probabilities agree closely (float32 gradients, so not to the bit)
    assert np.mean(np.abs(a.predict_proba(X_test) - b.predict_proba(X_test))) < 0.01


@pytest.mark.parametrize("params", [{}, {"max_leaf_nodes": 15, "max_depth": 4, "l2_regularization": 2.0}])
def test_regressor_predicts_as_scikit_learns(params: dict[str, Any]) -> None:
    X_train, X_test, y_train, y_test = split(datasets.load_diabetes)
    settings = {"early_stopping": False, **params}
    a = automl.HistGradientBoostingRegressor(**settings).fit(X_train, y_train)
    b = ensemble.HistGradientBoostingRegressor(**settings).fit(X_train, y_train)
    assert abs(a.score(X_test, y_test) - b.score(X_test, y_test)) <= 0.01
    pa, pb = a.predict(X_test), b.predict(X_test)
    # ours explain theirs: R² of our predictions against scikit-learn's
    assert 1.0 - np.sum((pa - pb) ** 2) / np.sum((pb - pb.mean()) ** 2) > 0.99
    np.testing.assert_allclose(a.predict(X_train), b.predict(X_train), rtol=0.05, atol=2.0)


def test_training_loss_decreases() -> None:
    X, y = datasets.load_wine(return_X_y=True)
    model = automl.HistGradientBoostingClassifier(max_iter=30, early_stopping=False).fit(X, y)
    assert len(model.train_score_) == 31 and len(model.validation_score_) == 0
    assert np.all(np.diff(model.train_score_) > 0)
    X, y = datasets.load_diabetes(return_X_y=True)
    reg = automl.HistGradientBoostingRegressor(max_iter=30, early_stopping=False).fit(X, y)
    assert np.all(np.diff(reg.train_score_) > 0)
    # the last training score is minus half the mean squared error of the fitted predictions
    assert reg.train_score_[-1] == pytest.approx(-0.5 * np.mean((reg.predict(X) - y) ** 2), rel=1e-9)


def test_the_same_bits_on_any_thread_count_and_after_pickling(restore_threads: None) -> None:
    X, y = datasets.load_digits(return_X_y=True)
    noisy = X + np.random.default_rng(0).normal(0, 0.5, X.shape)
    outs: list[tuple[Any, ...]] = []
    for threads in (1, 2):
        performance.set_num_threads(threads)
        model = automl.HistGradientBoostingClassifier(
            max_iter=15, early_stopping=True, validation_fraction=0.2, random_state=3
        ).fit(noisy[:1200], y[:1200])
        outs.append((model.predict_proba(noisy[1200:]), model.validation_score_))
        reg = automl.HistGradientBoostingRegressor(max_iter=20, early_stopping=True, random_state=3).fit(
            noisy, X[:, 20]
        )
        outs[-1] += (reg.predict(noisy),)
    for first, second in zip(outs[0], outs[1], strict=True):
        assert first.tobytes() == second.tobytes()
    again = pickle.loads(pickle.dumps(model))
    assert again.predict_proba(noisy[1200:]).tobytes() == outs[1][0].tobytes()
    other = automl.HistGradientBoostingClassifier(
        max_iter=15, early_stopping=True, validation_fraction=0.2, random_state=4
    ).fit(noisy[:1200], y[:1200])
    assert other.validation_score_.tobytes() != outs[1][1].tobytes()  # another held-out draw


def test_early_stopping_stops_on_a_large_noisy_set() -> None:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(12_000, 5))
    y = X[:, 0] + rng.normal(0, 3.0, len(X))
    model = automl.HistGradientBoostingRegressor(max_iter=300, random_state=0).fit(X, y)  # "auto": on
    assert model.do_early_stopping_
    assert 10 < model.n_iter_ < 300
    assert len(model.validation_score_) == model.n_iter_ + 1
    labels = (y > 0).astype(int)
    clf = automl.HistGradientBoostingClassifier(max_iter=300, early_stopping=True, random_state=0).fit(X, labels)
    assert clf.n_iter_ < 300
    off = automl.HistGradientBoostingRegressor(max_iter=40, early_stopping=False).fit(X[:3000], y[:3000])
    assert off.n_iter_ == 40 and not off.do_early_stopping_


def test_bad_input_is_refused_clearly() -> None:
    X, y = datasets.load_wine(return_X_y=True)
    with pytest.raises(NotFittedError):
        automl.HistGradientBoostingClassifier().predict(X)
    with pytest.raises(NotFittedError):
        automl.HistGradientBoostingRegressor().predict(X)
    bad = X.copy()
    bad[3, 2] = np.nan
    with pytest.raises(InvalidInputError, match="NaN"):
        automl.HistGradientBoostingClassifier().fit(bad, y)
    with pytest.raises(InvalidInputError, match="NaN"):
        automl.HistGradientBoostingClassifier(max_iter=2).fit(X, y).predict(bad)
    for params in (
        {"max_bins": 256},
        {"max_leaf_nodes": 1},
        {"learning_rate": 0.0},
        {"min_samples_leaf": 0},
        {"l2_regularization": -1.0},
        {"early_stopping": "sometimes"},
        {"validation_fraction": 1.5},
        {"loss": "absolute_error"},
    ):
        with pytest.raises(InvalidInputError):
            automl.HistGradientBoostingRegressor(**params).fit(X, y)
    with pytest.raises(InvalidInputError, match="class"):
        automl.HistGradientBoostingClassifier().fit(X, np.zeros(len(X)))
    with pytest.raises(InvalidInputError, match="features"):
        automl.HistGradientBoostingRegressor(max_iter=2).fit(X, y).predict(X[:, :5])


@pytest.mark.filterwarnings("ignore:Estimator .* does not inherit from `sklearn.base.BaseEstimator`:UserWarning")
@pytest.mark.parametrize(
    "estimator",
    [automl.HistGradientBoostingClassifier(), automl.HistGradientBoostingRegressor()],
    ids=lambda e: type(e).__name__,
)
def test_scikit_learns_estimator_checks_pass(estimator: Any) -> None:
    results = check_estimator(estimator, on_fail=None, on_skip=None)
    failed = [r for r in results if r["status"] == "failed"]
    assert not failed, [(r["check_name"], str(r["exception"])[:300]) for r in failed]
