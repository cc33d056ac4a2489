"""quantumpanarchy.automl's decision trees, random forests and extra trees against scikit-learn's on
its bundled data sets, scikit-learn's own estimator checks, reproducibility and bad input."""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import pytest
from quantumpanarchy import automl, performance
from quantumpanarchy.exceptions import InvalidInputError, NotFittedError

pytest.importorskip("sklearn")
from sklearn import datasets, ensemble, tree
from sklearn.model_selection import KFold, train_test_split
from sklearn.utils.estimator_checks import check_estimator

CLASSIFY = [datasets.load_breast_cancer, datasets.load_wine, datasets.load_digits]


def split(loader: Any) -> tuple[Any, Any, Any, Any]:
    X, y = loader(return_X_y=True)
    parts: tuple[Any, Any, Any, Any] = tuple(train_test_split(X, y, test_size=0.3, random_state=0))
    return parts


# Settings where no two candidate splits of a node gain the same on breast cancer's training part
# (deeper Gini trees meet such ties, which each side breaks by its own random feature order).
@pytest.mark.parametrize(("criterion", "depth"), [("gini", 1), ("entropy", 1), ("entropy", 2), ("entropy", 6)])
def test_a_shallow_classification_tree_is_scikit_learns(criterion: str, depth: int) -> None:
    X_train, X_test, y_train, _ = split(datasets.load_breast_cancer)
    a = automl.DecisionTreeClassifier(criterion=criterion, max_depth=depth, random_state=0).fit(X_train, y_train)
    b = tree.DecisionTreeClassifier(criterion=criterion, max_depth=depth, random_state=0).fit(X_train, y_train)
    np.testing.assert_array_equal(a.nodes_["feature"], b.tree_.feature)
    np.testing.assert_array_equal(a.nodes_["threshold"], b.tree_.threshold)
    np.testing.assert_array_equal(a.nodes_["n_node_samples"], b.tree_.n_node_samples)
    np.testing.assert_allclose(a.nodes_["impurity"], b.tree_.impurity, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(a.predict_proba(X_test), b.predict_proba(X_test), atol=1e-12)
    np.testing.assert_allclose(a.feature_importances_, b.feature_importances_, atol=1e-12)
    assert a.get_depth() == b.get_depth() and a.get_n_leaves() == b.get_n_leaves()


@pytest.mark.parametrize("settings", [{"max_depth": 3}, {"max_depth": 6, "min_samples_leaf": 5}])
def test_a_shallow_regression_tree_is_scikit_learns(settings: dict[str, Any]) -> None:
    X_train, X_test, y_train, _ = split(datasets.load_diabetes)
    a = automl.DecisionTreeRegressor(random_state=0, **settings).fit(X_train, y_train)
    b = tree.DecisionTreeRegressor(random_state=0, **settings).fit(X_train, y_train)
    np.testing.assert_array_equal(a.nodes_["feature"], b.tree_.feature)
    np.testing.assert_array_equal(a.nodes_["threshold"], b.tree_.threshold)
    np.testing.assert_allclose(a.predict(X_test), b.predict(X_test), rtol=1e-12)
    np.testing.assert_allclose(a.feature_importances_, b.feature_importances_, atol=1e-10)


def cv_scores(ours: Any, theirs: Any, X: Any, y: Any, folds: int = 5, repeats: int = 1) -> tuple[float, float]:
    """Mean held-out score of each over shuffled folds (``repeats`` times, each fit with its own
    ``random_state``, the same on both sides), so that neither one test sample nor one model's
    luck decides."""
    a, b = [], []
    for r in range(repeats):
        for i, (train, test) in enumerate(KFold(folds, shuffle=True, random_state=r).split(X)):
            seed = r * folds + i
            a.append(ours.set_params(random_state=seed).fit(X[train], y[train]).score(X[test], y[test]))
            b.append(theirs.set_params(random_state=seed).fit(X[train], y[train]).score(X[test], y[test]))
    return float(np.mean(a)), float(np.mean(b))


@pytest.mark.parametrize("loader", CLASSIFY)
def test_full_classification_trees_score_as_scikit_learns(loader: Any) -> None:
    X, y = loader(return_X_y=True)
    a, b = cv_scores(automl.DecisionTreeClassifier(), tree.DecisionTreeClassifier(), X, y, folds=10, repeats=5)
    # grown to purity, ties between equal splits go by each side's random feature order: one tree
    # is noisy, so the means are over many fits
    assert abs(a - b) <= 0.01, (a, b)


@pytest.mark.parametrize("loader", CLASSIFY)
@pytest.mark.parametrize("kind", ["RandomForestClassifier", "ExtraTreesClassifier"])
def test_forest_classifiers_score_as_scikit_learns(loader: Any, kind: str) -> None:
    X, y = loader(return_X_y=True)
    ours, theirs = getattr(automl, kind)(n_estimators=100), getattr(ensemble, kind)(n_estimators=100, n_jobs=-1)
    a, b = cv_scores(ours, theirs, X, y)
    assert abs(a - b) <= 0.01, (a, b)


@pytest.mark.parametrize("kind", ["RandomForestRegressor", "ExtraTreesRegressor"])
@pytest.mark.parametrize("settings", [{}, {"max_features": "sqrt", "min_samples_leaf": 3}])
def test_forest_regressors_score_as_scikit_learns(kind: str, settings: dict[str, Any]) -> None:
    X, y = datasets.load_diabetes(return_X_y=True)
    ours = getattr(automl, kind)(n_estimators=100, **settings)
    theirs = getattr(ensemble, kind)(n_estimators=100, n_jobs=-1, **settings)
    a, b = cv_scores(ours, theirs, X, y)
    assert abs(a - b) <= 0.01, (a, b)


def test_bootstrap_settings_score_as_scikit_learns() -> None:
    X, y = datasets.load_wine(return_X_y=True)
    for settings in ({"max_samples": 0.5}, {"bootstrap": False, "max_features": 2}, {"criterion": "entropy"}):
        a, b = cv_scores(
            automl.RandomForestClassifier(n_estimators=100, **settings),
            ensemble.RandomForestClassifier(n_estimators=100, n_jobs=-1, **settings),
            X,
            y,
        )
        assert abs(a - b) <= 0.02, (settings, a, b)


@pytest.mark.parametrize("kind", ["RandomForestClassifier", "ExtraTreesRegressor", "DecisionTreeClassifier"])
def test_the_same_bits_on_any_thread_count_and_after_pickling(kind: str, restore_threads: None) -> None:
    X, y = datasets.load_digits(return_X_y=True)
    outs, fits = [], []
    for threads in (1, 2):
        performance.set_num_threads(threads)
        settings: dict[str, Any] = {} if kind.startswith("Decision") else {"n_estimators": 30}
        model = getattr(automl, kind)(random_state=7, max_features="sqrt", **settings).fit(X[:1200], y[:1200])
        fits.append(model.nodes_)
        outs.append(model.predict_proba(X[1200:]) if hasattr(model, "predict_proba") else model.predict(X[1200:]))
    assert outs[0].tobytes() == outs[1].tobytes()
    assert all(fits[0][k].tobytes() == fits[1][k].tobytes() for k in fits[0])
    again = pickle.loads(pickle.dumps(model))
    assert again.predict(X[1200:]).tobytes() == model.predict(X[1200:]).tobytes()
    other = getattr(automl, kind)(random_state=8, max_features="sqrt", **settings).fit(X[:1200], y[:1200])
    assert other.nodes_["threshold"].tobytes() != model.nodes_["threshold"].tobytes()


def test_importances_and_node_arrays_hold_together() -> None:
    X, y = datasets.load_wine(return_X_y=True)
    forest = automl.ExtraTreesClassifier(n_estimators=5, max_depth=3, random_state=0).fit(X, y)
    nodes = forest.nodes_
    assert len(nodes["offsets"]) == 6 and nodes["offsets"][-1] == len(nodes["feature"])
    assert nodes["value"].shape == (len(nodes["feature"]), 3)
    np.testing.assert_allclose(nodes["value"].sum(axis=1), 1.0)
    assert forest.feature_importances_.sum() == pytest.approx(1.0)
    assert forest.n_classes_ == 3 and forest.classes_.tolist() == [0, 1, 2]
    # a single leaf: no importances, as scikit-learn's
    stump = automl.DecisionTreeRegressor().fit(X, np.ones(len(X)))
    assert stump.get_n_leaves() == 1 and stump.get_depth() == 0
    assert stump.feature_importances_.tolist() == [0.0] * X.shape[1]


def test_bad_input_is_refused_clearly() -> None:
    X, y = datasets.load_wine(return_X_y=True)
    with pytest.raises(NotFittedError):
        automl.RandomForestClassifier().predict(X)
    with pytest.raises(NotFittedError):
        automl.DecisionTreeRegressor().get_depth()
    bad = X.copy()
    bad[3, 2] = np.nan
    for model in (automl.DecisionTreeClassifier(), automl.ExtraTreesRegressor(n_estimators=3)):
        with pytest.raises(InvalidInputError, match="NaN"):
            model.fit(bad, y)
    with pytest.raises(InvalidInputError, match="inconsistent numbers of samples"):
        automl.RandomForestRegressor().fit(X, y[:-1])
    cases: list[tuple[Any, str]] = [
        (automl.DecisionTreeClassifier(criterion="squared_error"), "criterion"),
        (automl.DecisionTreeRegressor(criterion="gini"), "criterion"),
        (automl.DecisionTreeClassifier(splitter="middle"), "splitter"),
        (automl.DecisionTreeClassifier(max_depth=0), "max_depth"),
        (automl.DecisionTreeClassifier(min_samples_split=1), "min_samples_split"),
        (automl.DecisionTreeClassifier(min_samples_leaf=0.0), "min_samples_leaf"),
        (automl.DecisionTreeClassifier(max_features=14), "max_features"),
        (automl.DecisionTreeClassifier(max_features="half"), "max_features"),
        (automl.DecisionTreeClassifier(min_impurity_decrease=-1.0), "min_impurity_decrease"),
        (automl.DecisionTreeClassifier(random_state=-1), "random_state"),
        (automl.RandomForestClassifier(n_estimators=0), "n_estimators"),
        (automl.RandomForestClassifier(max_samples=1000), "max_samples"),
        (automl.ExtraTreesClassifier(max_samples=0.5), "max_sample"),
    ]
    huge = X.copy()
    huge[0, 0] = 1e300
    cases.append((automl.DecisionTreeRegressor(), "too large"))
    for model, name in cases:
        with pytest.raises(InvalidInputError, match=name):
            model.fit(huge if name == "too large" else X, y)
    fitted = automl.DecisionTreeClassifier(random_state=0).fit(X, y)
    with pytest.raises(InvalidInputError, match="features"):
        fitted.predict(X[:, :5])
    # an edited pickle whose nodes loop is refused, not followed for ever
    fitted.nodes_["children_left"][1:] = 0
    with pytest.raises(InvalidInputError):
        fitted.predict(X)


@pytest.mark.filterwarnings("ignore:Estimator .* does not inherit from `sklearn.base.BaseEstimator`:UserWarning")
@pytest.mark.parametrize(
    "estimator",
    [
        automl.DecisionTreeClassifier(),
        automl.DecisionTreeRegressor(),
        automl.RandomForestClassifier(n_estimators=10),
        automl.RandomForestRegressor(n_estimators=10),
        automl.ExtraTreesClassifier(n_estimators=10),
        automl.ExtraTreesRegressor(n_estimators=10),
    ],
    ids=lambda e: type(e).__name__,
)
def test_scikit_learns_estimator_checks_pass(estimator: Any) -> None:
    results = check_estimator(estimator, on_fail=None, on_skip=None)
    failed = [r for r in results if r["status"] == "failed"]
    assert not failed, [(r["check_name"], str(r["exception"])[:300]) for r in failed]
