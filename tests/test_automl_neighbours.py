"""quantumpanarchy.automl's k nearest neighbours and Gaussian naive Bayes against scikit-learn's on
its bundled data sets, scikit-learn's own estimator checks, and bad input."""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import pytest
from quantumpanarchy import automl, performance
from quantumpanarchy.exceptions import InvalidInputError, NotFittedError

pytest.importorskip("sklearn")
from sklearn import datasets, naive_bayes, neighbors
from sklearn.model_selection import train_test_split
from sklearn.utils.estimator_checks import check_estimator

LOADERS = [datasets.load_breast_cancer, datasets.load_wine, datasets.load_digits]


def split(loader: Any) -> tuple[Any, Any, Any, Any]:
    X, y = loader(return_X_y=True)
    parts: tuple[Any, Any, Any, Any] = tuple(train_test_split(X, y, test_size=0.3, random_state=0))
    return parts


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize("weights", ["uniform", "distance"])
@pytest.mark.parametrize("k", [1, 5, 15])
def test_knn_classifier_scores_as_scikit_learns(loader: Any, weights: str, k: int) -> None:
    X_train, X_test, y_train, y_test = split(loader)
    a = automl.KNeighborsClassifier(k, weights=weights).fit(X_train, y_train)
    b = neighbors.KNeighborsClassifier(k, weights=weights, algorithm="brute").fit(X_train, y_train)
    # integer-valued features (digits) tie distances; a tie may take another neighbour than
    # scikit-learn's argpartition does, so the comparison is of scores, and of probabilities
    # where no distance ties
    assert abs(a.score(X_test, y_test) - b.score(X_test, y_test)) <= 0.01
    if loader is not datasets.load_digits:
        np.testing.assert_allclose(a.predict_proba(X_test), b.predict_proba(X_test), atol=1e-9)
        dist_a, idx_a = a.kneighbors(X_test[:20])
        dist_b, idx_b = b.kneighbors(X_test[:20])
        np.testing.assert_array_equal(idx_a, idx_b)
        np.testing.assert_allclose(dist_a, dist_b, rtol=1e-7, atol=1e-7)


@pytest.mark.parametrize("weights", ["uniform", "distance"])
def test_knn_regressor_predicts_as_scikit_learns(weights: str) -> None:
    X_train, X_test, y_train, y_test = split(datasets.load_diabetes)
    a = automl.KNeighborsRegressor(7, weights=weights).fit(X_train, y_train)
    b = neighbors.KNeighborsRegressor(7, weights=weights, algorithm="brute").fit(X_train, y_train)
    np.testing.assert_allclose(a.predict(X_test), b.predict(X_test), rtol=1e-6)
    assert a.score(X_test, y_test) == pytest.approx(b.score(X_test, y_test), abs=1e-6)
    # a query equal to a training row takes its target alone under distance weights
    if weights == "distance":
        assert a.predict(X_train[:3]) == pytest.approx(y_train[:3])


@pytest.mark.parametrize("loader", LOADERS)
def test_gaussian_nb_equals_scikit_learns(loader: Any) -> None:
    X_train, X_test, y_train, y_test = split(loader)
    a = automl.GaussianNB().fit(X_train, y_train)
    b = naive_bayes.GaussianNB().fit(X_train, y_train)
    np.testing.assert_allclose(a.theta_, b.theta_, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(a.var_, b.var_, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(a.predict_proba(X_test), b.predict_proba(X_test), atol=1e-9)
    assert a.score(X_test, y_test) == b.score(X_test, y_test)
    priors = np.full(len(a.classes_), 1.0 / len(a.classes_))
    c = automl.GaussianNB(priors=priors).fit(X_train, y_train)
    d = naive_bayes.GaussianNB(priors=priors).fit(X_train, y_train)
    np.testing.assert_allclose(c.predict_log_proba(X_test), d.predict_log_proba(X_test), rtol=1e-9, atol=1e-9)


def test_the_same_bits_on_any_thread_count_and_after_pickling(restore_threads: None) -> None:
    X, y = datasets.load_digits(return_X_y=True)
    outs = []
    for threads in (1, 2):
        performance.set_num_threads(threads)
        model = automl.KNeighborsClassifier(4, weights="distance").fit(X[:1200], y[:1200])
        outs.append(model.predict_proba(X[1200:]))
    assert outs[0].tobytes() == outs[1].tobytes()
    again = pickle.loads(pickle.dumps(model))
    assert again.predict_proba(X[1200:]).tobytes() == outs[1].tobytes()


def test_bad_input_is_refused_clearly() -> None:
    X, y = datasets.load_wine(return_X_y=True)
    with pytest.raises(NotFittedError):
        automl.GaussianNB().predict(X)
    with pytest.raises(InvalidInputError, match="n_neighbors <= n_samples_fit"):
        automl.KNeighborsClassifier(500).fit(X, y).predict(X)
    with pytest.raises(InvalidInputError, match="weights"):
        automl.KNeighborsRegressor(weights="gaussian").fit(X, y)
    with pytest.raises(InvalidInputError, match="priors"):
        automl.GaussianNB(priors=[0.5, 0.6, 0.1]).fit(X, y)
    bad = X.copy()
    bad[0, 0] = np.inf
    with pytest.raises(InvalidInputError, match="inf"):
        automl.KNeighborsClassifier().fit(X, y).predict(bad)


@pytest.mark.filterwarnings("ignore:Estimator .* does not inherit from `sklearn.base.BaseEstimator`:UserWarning")
@pytest.mark.parametrize(
    "estimator",
    [automl.KNeighborsClassifier(), automl.KNeighborsRegressor(), automl.GaussianNB()],
    ids=lambda e: type(e).__name__,
)
def test_scikit_learns_estimator_checks_pass(estimator: Any) -> None:
    results = check_estimator(estimator, on_fail=None, on_skip=None)
    failed = [r for r in results if r["status"] == "failed"]
    assert not failed, [(r["check_name"], str(r["exception"])[:300]) for r in failed]
