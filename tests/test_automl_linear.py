"""quantumpanarchy.automl's linear models against scikit-learn's on its bundled data sets (the
same coefficients, to the solvers' tolerances, and scores within a point), scikit-learn's own
estimator checks, and bad input."""

from __future__ import annotations

import pickle
import warnings
from typing import Any

import numpy as np
import pytest
from quantumpanarchy import automl, performance
from quantumpanarchy.exceptions import InvalidInputError, NotFittedError

sklearn = pytest.importorskip("sklearn")
from sklearn import datasets  # noqa: E402
from sklearn import linear_model as lm  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.model_selection import cross_val_score, train_test_split  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.estimator_checks import check_estimator  # noqa: E402

REGRESSORS: list[tuple[Any, Any]] = [
    (automl.LinearRegression(), lm.LinearRegression()),
    (automl.LinearRegression(fit_intercept=False), lm.LinearRegression(fit_intercept=False)),
    (automl.Ridge(alpha=0.5), lm.Ridge(alpha=0.5)),
    (automl.Ridge(alpha=30.0, fit_intercept=False), lm.Ridge(alpha=30.0, fit_intercept=False)),
    (automl.Lasso(alpha=0.1), lm.Lasso(alpha=0.1)),
    (automl.ElasticNet(alpha=0.01, l1_ratio=0.3), lm.ElasticNet(alpha=0.01, l1_ratio=0.3)),
    (automl.ElasticNet(alpha=1.0, l1_ratio=0.0, tol=1e-8), lm.ElasticNet(alpha=1.0, l1_ratio=0.0, tol=1e-8)),
]


def held_out(loader: Any) -> tuple[Any, Any, Any, Any]:
    X, y = loader(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0)
    return X_train, X_test, y_train, y_test


@pytest.mark.parametrize(("ours", "theirs"), REGRESSORS, ids=lambda e: repr(e))
def test_regressors_equal_scikit_learns_on_diabetes(ours: Any, theirs: Any) -> None:
    X_train, X_test, y_train, y_test = held_out(datasets.load_diabetes)
    a, b = ours.fit(X_train, y_train), theirs.fit(X_train, y_train)
    scale = np.max(np.abs(b.coef_)) + 1.0
    assert np.max(np.abs(a.coef_ - b.coef_)) <= 1e-6 * scale
    assert a.intercept_ == pytest.approx(b.intercept_, rel=1e-8, abs=1e-6 * scale)
    assert a.score(X_test, y_test) == pytest.approx(b.score(X_test, y_test), abs=1e-6)
    np.testing.assert_allclose(a.predict(X_test), b.predict(X_test), rtol=1e-8, atol=1e-6 * scale)


@pytest.mark.parametrize("loader", [datasets.load_breast_cancer, datasets.load_wine, datasets.load_digits])
@pytest.mark.parametrize("C", [0.05, 1.0])
def test_logistic_regression_equals_scikit_learns(loader: Any, C: float) -> None:
    X_train, X_test, y_train, y_test = held_out(loader)
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    # tight tolerances: both solvers then reach the one minimiser of the strictly convex objective
    a = automl.LogisticRegression(C=C, max_iter=5000, tol=1e-10).fit(X_train, y_train)
    b = lm.LogisticRegression(C=C, max_iter=5000, tol=1e-10).fit(X_train, y_train)
    np.testing.assert_array_equal(a.classes_, b.classes_)
    np.testing.assert_allclose(a.predict_proba(X_test), b.predict_proba(X_test), atol=1e-4)
    assert abs(a.score(X_test, y_test) - b.score(X_test, y_test)) <= 0.01
    # scikit-learn's defaults (tol 1e-4, 100 iterations) score within a point too
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        c = automl.LogisticRegression(C=C).fit(X_train, y_train)
        d = lm.LogisticRegression(C=C).fit(X_train, y_train)
    assert abs(c.score(X_test, y_test) - d.score(X_test, y_test)) <= 0.01


def test_binary_scores_and_labels_follow_scikit_learns_conventions() -> None:
    X, y = datasets.load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    labels = np.where(y == 1, "benign", "malignant")
    a = automl.LogisticRegression(max_iter=1000, tol=1e-8).fit(X, labels)
    b = lm.LogisticRegression(max_iter=1000, tol=1e-8).fit(X, labels)
    assert a.coef_.shape == b.coef_.shape == (1, X.shape[1])
    assert a.decision_function(X).shape == (len(X),)
    np.testing.assert_allclose(a.decision_function(X), b.decision_function(X), atol=1e-3)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    np.testing.assert_allclose(np.exp(a.predict_log_proba(X[:5])), a.predict_proba(X[:5]))


def test_scikit_learn_tools_take_the_models() -> None:
    X, y = datasets.load_diabetes(return_X_y=True)
    ours = cross_val_score(make_pipeline(StandardScaler(), automl.Ridge(alpha=2.0)), X, y, cv=5)
    theirs = cross_val_score(make_pipeline(StandardScaler(), lm.Ridge(alpha=2.0)), X, y, cv=5)
    np.testing.assert_allclose(ours, theirs, rtol=1e-9)
    model = automl.ElasticNet(alpha=0.2)
    twin = clone(model).set_params(l1_ratio=0.9)
    assert twin.get_params()["l1_ratio"] == 0.9 and model.l1_ratio == 0.5


def test_fits_are_the_same_bits_on_any_thread_count_and_survive_pickling(restore_threads: None) -> None:
    X, y = datasets.load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    fits = []
    for threads in (1, 2):
        performance.set_num_threads(threads)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fits.append(automl.LogisticRegression(C=0.3).fit(X, y))
    assert fits[0].coef_.tobytes() == fits[1].coef_.tobytes()
    again = pickle.loads(pickle.dumps(fits[0]))
    assert again.predict_proba(X[:20]).tobytes() == fits[0].predict_proba(X[:20]).tobytes()


def test_bad_input_is_refused_clearly() -> None:
    X, y = datasets.load_diabetes(return_X_y=True)
    with pytest.raises(NotFittedError):
        automl.Ridge().predict(X)
    with pytest.raises(InvalidInputError, match="inconsistent numbers of samples"):
        automl.LinearRegression().fit(X, y[:-1])
    bad = X.copy()
    bad[3, 2] = np.nan
    with pytest.raises(InvalidInputError, match="NaN"):
        automl.Ridge().fit(bad, y)
    target = y.copy()
    target[7] = np.inf
    with pytest.raises(InvalidInputError, match="inf"):
        automl.Lasso().fit(X, target)
    with pytest.raises(InvalidInputError, match="alpha"):
        automl.Ridge(alpha=-1.0).fit(X, y)
    with pytest.raises(InvalidInputError, match="l1_ratio"):
        automl.ElasticNet(l1_ratio=2.0).fit(X, y)
    with pytest.raises(InvalidInputError, match="C must"):
        automl.LogisticRegression(C=0.0).fit(X, y > 100)
    with pytest.raises(InvalidInputError, match="at least 2 classes"):
        automl.LogisticRegression().fit(X, np.zeros(len(X)))
    with pytest.raises(InvalidInputError, match="features"):
        automl.Ridge().fit(X, y).predict(X[:, :3])
    with pytest.raises(InvalidInputError, match="target y is None"):
        automl.Ridge().fit(X, None)


ESTIMATORS = [
    automl.LinearRegression(),
    automl.Ridge(),
    automl.Lasso(alpha=0.01),
    automl.ElasticNet(alpha=0.01),
    automl.LogisticRegression(),
]


@pytest.mark.filterwarnings("ignore:Estimator .* does not inherit from `sklearn.base.BaseEstimator`:UserWarning")
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_scikit_learns_estimator_checks_pass(estimator: Any) -> None:
    results = check_estimator(estimator, on_fail=None, on_skip=None)
    failed = [r for r in results if r["status"] == "failed"]
    assert not failed, [(r["check_name"], str(r["exception"])[:300]) for r in failed]
