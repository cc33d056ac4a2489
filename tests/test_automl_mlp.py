"""quantumpanarchy.automl's multi-layer perceptrons against scikit-learn's on its bundled data sets
(scores over a few seeds, and the same training run from the same initial weights), scikit-learn's
own estimator checks, determinism across thread counts, pickling and bad input."""

from __future__ import annotations

import itertools
import pickle
import warnings
from typing import Any

import numpy as np
import pytest
from quantumpanarchy import automl, performance
from quantumpanarchy.exceptions import InvalidInputError, NotFittedError

pytest.importorskip("sklearn")
from sklearn import datasets, neural_network
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import check_estimator

LOADERS = [datasets.load_breast_cancer, datasets.load_wine, datasets.load_digits]
SEEDS = range(4)


def split(loader: Any, scale_y: bool = False) -> tuple[Any, Any, Any, Any]:
    X, y = loader(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0)
    scaler = StandardScaler().fit(X_train)
    if scale_y:
        mean, std = y_train.mean(), y_train.std()
        y_train, y_test = (y_train - mean) / std, (y_test - mean) / std
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


def mean_scores(ours: Any, theirs: Any, data: tuple[Any, Any, Any, Any]) -> tuple[float, float]:
    X_train, X_test, y_train, y_test = data
    a, b = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for seed in SEEDS:
            a.append(ours.set_params(random_state=seed).fit(X_train, y_train).score(X_test, y_test))
            b.append(theirs.set_params(random_state=seed).fit(X_train, y_train).score(X_test, y_test))
    return float(np.mean(a)), float(np.mean(b))


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize(
    "params",
    [{}, {"hidden_layer_sizes": (32, 16), "activation": "tanh", "alpha": 1e-2, "solver": "lbfgs", "max_iter": 300}],
    ids=["adam", "lbfgs"],
)
def test_classifier_scores_as_scikit_learns(loader: Any, params: dict[str, Any]) -> None:
    ours, theirs = automl.MLPClassifier(**params), neural_network.MLPClassifier(**params)
    a, b = mean_scores(ours, theirs, split(loader))
    assert abs(a - b) <= 0.01, (a, b)


@pytest.mark.parametrize(
    "params",
    [
        {"hidden_layer_sizes": (64,), "learning_rate_init": 0.01, "alpha": 1.0},
        {"hidden_layer_sizes": (16,), "activation": "logistic", "solver": "lbfgs", "alpha": 10.0},
    ],
    ids=["adam", "lbfgs"],
)
def test_regressor_scores_as_scikit_learns(params: dict[str, Any]) -> None:
    ours, theirs = automl.MLPRegressor(**params), neural_network.MLPRegressor(**params)
    a, b = mean_scores(ours, theirs, split(datasets.load_diabetes, scale_y=True))
    assert abs(a - b) <= 0.01, (a, b)


def test_early_stopping_scores_as_scikit_learns() -> None:
    # on digits: the held-out part (126 rows) is large enough for the stopping epoch to be stable
    params: dict[str, Any] = {"hidden_layer_sizes": (64,), "early_stopping": True}
    ours, theirs = automl.MLPClassifier(**params), neural_network.MLPClassifier(**params)
    a, b = mean_scores(ours, theirs, split(datasets.load_digits))
    assert abs(a - b) <= 0.01, (a, b)
    assert ours.validation_scores_ is not None and ours.best_loss_ is None
    assert ours.best_validation_score_ == max(ours.validation_scores_)


def glorot(units: list[int], seed: int) -> tuple[list[Any], list[Any]]:
    rng = np.random.default_rng(seed)
    coefs, intercepts = [], []
    for fan_in, fan_out in itertools.pairwise(units):
        bound = np.sqrt(6.0 / (fan_in + fan_out))
        coefs.append(rng.uniform(-bound, bound, (fan_in, fan_out)))
        intercepts.append(rng.uniform(-bound, bound, fan_out))
    return coefs, intercepts


def theirs_from(model: Any, X: Any, y: Any, init: tuple[list[Any], list[Any]]) -> Any:
    """scikit-learn's model trained from the weights ``init`` (a warm start over a one-epoch fit
    that sets up its state)."""
    max_iter = model.max_iter
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.set_params(max_iter=1).fit(X, y)
        model.coefs_ = [c.copy() for c in init[0]]
        model.intercepts_ = [b.copy() for b in init[1]]
        # forget the first fit's record, which its stopping rule would otherwise compare with
        model.loss_curve_, model.best_loss_, model._no_improvement_count = [], np.inf, 0
        model.set_params(max_iter=max_iter, warm_start=True).fit(X, y)
    return model


@pytest.mark.parametrize("loader", [datasets.load_wine, datasets.load_breast_cancer, datasets.load_diabetes])
def test_the_same_start_gives_scikit_learns_adam_run(loader: Any) -> None:
    regression = loader is datasets.load_diabetes
    X_train, _, y_train, _ = split(loader, scale_y=regression)
    classes = len(np.unique(y_train))
    outputs = 1 if regression or classes == 2 else classes
    init = glorot([X_train.shape[1], 12, 7, outputs], 5)
    params = {"hidden_layer_sizes": (12, 7), "shuffle": False, "max_iter": 15, "batch_size": 50, "alpha": 0.01}
    kind = "MLPRegressor" if regression else "MLPClassifier"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = getattr(automl, kind)(**params)._fit(X_train, y_train, init=init)
    theirs = theirs_from(getattr(neural_network, kind)(**params), X_train, y_train, init)
    # a deterministic run (no shuffling): the same steps, up to rounding
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-9)
    for a, b in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-10)


@pytest.mark.parametrize("loader", [datasets.load_wine, datasets.load_diabetes])
def test_lbfgs_from_the_same_start_reaches_scikit_learns_loss(loader: Any) -> None:
    regression = loader is datasets.load_diabetes
    X_train, X_test, y_train, y_test = split(loader, scale_y=regression)
    outputs = 1 if regression else 3
    init = glorot([X_train.shape[1], 8, outputs], 1)
    params = {"hidden_layer_sizes": (8,), "solver": "lbfgs", "alpha": 1.0, "max_iter": 2000, "tol": 1e-8}
    kind = "MLPRegressor" if regression else "MLPClassifier"
    ours = getattr(automl, kind)(**params)._fit(X_train, y_train, init=init)
    theirs = theirs_from(getattr(neural_network, kind)(**params), X_train, y_train, init)
    # scipy's L-BFGS-B stops a little earlier (its tests differ in detail): ours ends at least as low
    assert ours.loss_ == pytest.approx(theirs.loss_, rel=1e-2) and ours.loss_ <= theirs.loss_ * (1 + 1e-6)
    if not regression:  # the regressors end at nearby points of about equal loss but different R²
        assert ours.score(X_test, y_test) == pytest.approx(theirs.score(X_test, y_test), abs=0.01)


def test_the_same_bits_on_any_thread_count_and_after_pickling(restore_threads: None) -> None:
    X_train, X_test, y_train, _ = split(datasets.load_digits)
    outs = []
    for threads in (1, 2):
        performance.set_num_threads(threads)
        model = automl.MLPClassifier((32,), max_iter=20, early_stopping=True, random_state=3)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X_train, y_train)
        outs.append(model.predict_proba(np.vstack([X_test] * 3)))
    assert outs[0].tobytes() == outs[1].tobytes()
    again = pickle.loads(pickle.dumps(model))
    assert again.predict_proba(np.vstack([X_test] * 3)).tobytes() == outs[1].tobytes()
    assert [c.shape for c in again.coefs_] == [(64, 32), (32, 10)]
    assert again.n_layers_ == 3 and again.n_outputs_ == 10 and again.out_activation_ == "softmax"
    assert len(again.validation_scores_) == again.n_iter_ and again.best_loss_ is None


def test_convergence_is_warned_as_scikit_learn_does() -> None:
    X_train, _, y_train, _ = split(datasets.load_wine)
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        automl.MLPClassifier(max_iter=3, random_state=0).fit(X_train, y_train)
    with pytest.warns(ConvergenceWarning, match="lbfgs failed to converge"):
        automl.MLPClassifier(solver="lbfgs", max_iter=3, random_state=0).fit(X_train, y_train)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model = automl.MLPClassifier(learning_rate_init=0.01, random_state=0).fit(X_train, y_train)
    # stopped by n_iter_no_change epochs without a tol improvement, as scikit-learn's (58 epochs)
    assert model.n_iter_ < 100 and model.loss_ == model.loss_curve_[-1] == pytest.approx(min(model.loss_curve_))


def test_bad_input_is_refused_clearly() -> None:
    X, y = datasets.load_wine(return_X_y=True)
    with pytest.raises(NotFittedError):
        automl.MLPClassifier().predict(X)
    with pytest.raises(NotFittedError):
        automl.MLPRegressor().predict(X)
    refused: list[tuple[dict[str, Any], str]] = [
        ({"activation": "softplus"}, "activation"),
        ({"solver": "sgd"}, "sgd"),
        ({"hidden_layer_sizes": (10, 0)}, "hidden_layer_sizes"),
        ({"alpha": -1.0}, "alpha"),
        ({"batch_size": "big"}, "batch_size"),
        ({"beta_1": 1.0}, "beta_1"),
        ({"early_stopping": True, "validation_fraction": 0.0}, "validation_fraction"),
        ({"learning_rate_init": 0.0}, "learning_rate_init"),
    ]
    for bad, match in refused:
        with pytest.raises(InvalidInputError, match=match):
            automl.MLPClassifier(**bad).fit(X, y)
    bad_x = X.copy()
    bad_x[0, 0] = np.nan
    with pytest.raises(InvalidInputError, match="NaN"):
        automl.MLPRegressor(max_iter=5).fit(bad_x, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fitted = automl.MLPRegressor(max_iter=2).fit(X, y)
    with pytest.raises(InvalidInputError, match="features"):
        fitted.predict(X[:, :5])
    with pytest.raises(InvalidInputError, match="2 classes"):
        automl.MLPClassifier().fit(X, np.zeros(len(X)))


@pytest.mark.filterwarnings("ignore:Estimator .* does not inherit from `sklearn.base.BaseEstimator`:UserWarning")
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # some checks' data sets take longer
@pytest.mark.parametrize(
    "estimator",
    [automl.MLPClassifier(max_iter=100), automl.MLPRegressor(max_iter=100)],
    ids=lambda e: type(e).__name__,
)
def test_scikit_learns_estimator_checks_pass(estimator: Any) -> None:
    results = check_estimator(estimator, on_fail=None, on_skip=None)
    failed = [r for r in results if r["status"] == "failed"]
    assert not failed, [(r["check_name"], str(r["exception"])[:300]) for r in failed]
