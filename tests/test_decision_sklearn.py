"""scikit-learn compatibility of the decision estimators (IQAD, QERC, QAR): its common checks
(``check_estimator``), its tools (cross-validation, grid search, pipelines, ``is_*``), its input
conventions, feature names, and a ``NotFittedError`` that is also scikit-learn's. A subprocess
checks that everything works, unchanged, when scikit-learn cannot be imported."""

from __future__ import annotations

import pickle
import subprocess
import sys
import textwrap
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from quantumpanarchy import InvalidInputError, InvalidTypeError, NotFittedError
from quantumpanarchy.decision import IQAD, QAR, QERC

pytest.importorskip("sklearn", minversion="1.6")  # __sklearn_tags__ is scikit-learn 1.6's protocol
pd = pytest.importorskip("pandas")

import sklearn.exceptions  # noqa: E402
from scipy import sparse  # noqa: E402
from sklearn.base import clone, is_classifier, is_outlier_detector, is_regressor  # noqa: E402
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold, cross_val_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.estimator_checks import (  # noqa: E402
    check_dataframe_column_names_consistency,
    check_estimator,
)
from sklearn.utils.validation import check_is_fitted  # noqa: E402

FloatArray = npt.NDArray[np.float64]

# Rows of one series are time steps: the reservoir state carries each step into the next.
SEQUENCE_MODEL = {
    "check_methods_sample_order_invariance": (
        "rows of a series are time steps and the reservoir carries its state from one to the next, "
        "so reordering the rows changes the predictions"
    ),
    "check_methods_subset_invariance": (
        "rows of a series are time steps: predicting a subset runs the reservoir over another "
        "series, whose states (and so predictions) differ"
    ),
    "check_fit1d": "a 1-D X is one series with a single feature (one value per time step), not an error",
}

# QAR reads exactly num_pbits factor scores in [0, 1] and knows three labels; the common checks
# draw data of their own width and range, so every check that fits or predicts on it is refused
# with QAR's InvalidInputError. (Even with num_pbits matched to each check's width, the [0, 1]
# range alone fails them.)
_QAR_DATA = (
    "draws X of its own width (QAR has num_pbits factors) with values outside [0, 1] "
    "(QAR's factors are scores in [0, 1]), which QAR refuses"
)
_QAR_LABELS = _QAR_DATA + ", and labels other than buy / sell / hold (+1 / -1 / 0)"
QAR_DOMAIN = {
    name: _QAR_DATA
    for name in (
        "check_estimators_overwrite_params",
        "check_dont_overwrite_parameters",
        "check_estimators_fit_returns_self",
        "check_readonly_memmap_input",
        "check_n_features_in_after_fitting",
        "check_positive_only_tag_during_fit",
        "check_estimators_dtypes",
        "check_pipeline_consistency",
        "check_estimators_nan_inf",
        "check_estimators_pickle",
        "check_f_contiguous_array_estimator",
        "check_classifier_data_not_an_array",
        "check_non_transformer_estimators_n_iter",
        "check_methods_sample_order_invariance",
        "check_methods_subset_invariance",
        "check_fit2d_1sample",
        "check_fit2d_1feature",
        "check_dict_unchanged",
        "check_fit_idempotent",
        "check_fit_check_is_fitted",
        "check_n_features_in",
        "check_fit2d_predict1d",
    )
} | {
    name: _QAR_LABELS
    for name in (
        "check_fit_score_takes_y",
        "check_dtype_object",
        "check_classifiers_one_label",
        "check_classifiers_classes",
        "check_classifiers_train",
        "check_classifiers_regression_target",
        "check_supervised_y_2d",
    )
}

CONFIGS: list[tuple[str, Any, dict[str, str]]] = [
    ("IQAD", IQAD(n_epochs=2, seed=0), {}),
    ("QERC-classifier", QERC(n_reservoir=20, seed=0, task="classification"), SEQUENCE_MODEL),
    ("QERC-regressor", QERC(n_reservoir=20, seed=0, task="regression"), SEQUENCE_MODEL),
    ("QERC-auto", QERC(n_reservoir=20, seed=0), SEQUENCE_MODEL),
    ("QAR", QAR(seed=0, max_iter=5), QAR_DOMAIN),
]


@pytest.mark.filterwarnings("ignore:Estimator .* does not inherit from `sklearn.base.BaseEstimator`:UserWarning")
@pytest.mark.parametrize(("estimator", "expected"), [c[1:] for c in CONFIGS], ids=[c[0] for c in CONFIGS])
def test_check_estimator(estimator: Any, expected: dict[str, str]) -> None:
    """Every common check passes, except exactly the listed ones, for the reason written there."""
    results = check_estimator(estimator, expected_failed_checks=expected, on_fail=None, on_skip=None)
    assert len(results) >= 40  # the API, data and per-type checks all ran
    failed = [f"{r['check_name']}: {r['exception']!r}" for r in results if r["status"] == "failed"]
    assert not failed, "\n".join(failed)
    assert {r["check_name"] for r in results if r["status"] == "xfail"} == set(expected)
    # only array-API checks may skip (they need SCIPY_ARRAY_API)
    assert {r["check_name"] for r in results if r["status"] == "skipped"} <= {"check_array_api_input"}


@pytest.mark.parametrize("estimator", [IQAD(n_epochs=2, seed=0), QERC(n_reservoir=20, seed=0, task="regression")])
def test_feature_names_as_scikit_learn_keeps_and_checks_them(estimator: Any) -> None:
    check_dataframe_column_names_consistency(type(estimator).__name__, estimator)


def series(n: int = 240) -> tuple[FloatArray, FloatArray]:
    t = np.arange(n) * 0.1
    return np.column_stack([np.sin(t), np.cos(0.7 * t)]), np.sin(t + 0.3)


def test_estimator_types() -> None:
    X, y = series()
    assert is_outlier_detector(IQAD())
    assert is_classifier(QERC(task="classification")) and not is_regressor(QERC(task="classification"))
    assert is_regressor(QERC(task="regression")) and not is_classifier(QERC(task="regression"))
    # task="auto" is undecided until fit has seen y
    assert not is_classifier(QERC()) and not is_regressor(QERC())
    assert is_regressor(QERC(n_reservoir=20, seed=0).fit(X, y))
    assert is_classifier(QERC(n_reservoir=20, seed=0).fit(X, y > 0))
    assert is_classifier(QAR())
    assert is_regressor(make_pipeline(StandardScaler(), QERC(task="regression")))
    # scikit-learn before 1.6 reads _estimator_type instead of the tags
    assert [e._estimator_type for e in (IQAD(), QERC(task="regression"), QERC(), QAR())] == [
        "outlier_detector",
        "regressor",
        None,
        "classifier",
    ]


def test_cross_val_score_is_the_score_of_each_fold() -> None:
    X, y = series()
    model = QERC(n_reservoir=30, washout=5, seed=1, task="regression")
    scores = cross_val_score(model, X, y, cv=KFold(3))
    by_hand = [clone(model).fit(X[train], y[train]).score(X[test], y[test]) for train, test in KFold(3).split(X)]
    np.testing.assert_allclose(scores, by_hand)
    labels = np.where(y > 0, "up", "down")
    clf = QERC(n_reservoir=30, seed=1, task="classification")
    losses = cross_val_score(clf, X, labels, cv=3, scoring="neg_log_loss")  # needs predict_proba
    folds = StratifiedKFold(3).split(X, labels)  # a classifier gets stratified folds
    by_hand = []
    for train, test in folds:
        proba = clone(clf).fit(X[train], labels[train]).predict_proba(X[test])
        by_hand.append(np.mean(np.log(proba[np.arange(len(test)), (labels[test] == "up").astype(int)])))
    np.testing.assert_allclose(losses, by_hand, rtol=1e-9)  # log_loss sums in its own order


def test_grid_search_refits_the_best_parameters() -> None:
    X, y = series()
    grid = GridSearchCV(
        QERC(n_reservoir=30, seed=2, task="regression"), {"ridge": [1e-6, 1e3], "leak_rate": [0.3, 1.0]}, cv=3
    )
    grid.fit(X, y)
    assert len(grid.cv_results_["params"]) == 4
    assert grid.best_params_["ridge"] == 1e-6  # a readout shrunk to zero explains nothing
    best = QERC(n_reservoir=30, seed=2, task="regression", **grid.best_params_).fit(X, y)
    np.testing.assert_array_equal(grid.predict(X), best.predict(X))


def test_pipelines_fit_and_predict() -> None:
    X, y = series()
    pipe = make_pipeline(StandardScaler(), QERC(n_reservoir=30, seed=3))
    assert pipe.fit(X, y) is pipe
    alone = QERC(n_reservoir=30, seed=3).fit(StandardScaler().fit_transform(X), y)
    np.testing.assert_allclose(pipe.predict(X), alone.predict(StandardScaler().fit_transform(X)))
    rng = np.random.default_rng(3)
    rows = rng.normal(size=(200, 4))
    detector = make_pipeline(StandardScaler(), IQAD(n_epochs=3, seed=3)).fit(rows)
    assert set(np.unique(detector.predict(rows))) == {-1, 1}
    history = rng.random((90, 3))
    outcomes = np.where(history[:, 0] > 0.6, "buy", np.where(history[:, 0] < 0.4, "sell", "hold"))
    scores = cross_val_score(QAR(num_pbits=3, seed=3, max_iter=30), history, outcomes, cv=3)
    assert scores.shape == (3,) and np.all(scores > 0.5)


def test_not_fitted_error_is_also_scikit_learns() -> None:
    X, _ = series(20)
    for call in (IQAD().predict, IQAD().score_samples, QERC().predict, QERC().predict_proba):
        with pytest.raises(sklearn.exceptions.NotFittedError) as caught:
            call(X)
        err = caught.value
        assert isinstance(err, NotFittedError) and isinstance(err, InvalidInputError)
        assert isinstance(err, ValueError) and isinstance(err, AttributeError)
        assert type(err).__name__ == "NotFittedError" and type(err).__module__ == "quantumpanarchy.exceptions"
        restored = pickle.loads(pickle.dumps(err))
        assert isinstance(restored, sklearn.exceptions.NotFittedError) and isinstance(restored, NotFittedError)
        assert restored.args == err.args
    for estimator in (IQAD(), QERC()):
        with pytest.raises(sklearn.exceptions.NotFittedError):
            check_is_fitted(estimator)
    check_is_fitted(QAR())  # its prior machine decides before any fit


def test_input_conventions() -> None:
    rng = np.random.default_rng(4)
    X = rng.normal(size=(60, 3))
    model = IQAD(n_epochs=2, seed=4)
    as_objects = clone(model).fit(X.astype(object)).score_samples(X.astype(object))
    np.testing.assert_array_equal(as_objects, clone(model).fit(X).score_samples(X))
    odd = X.astype(object)
    odd[0, 0] = {"not": "a number"}
    qerc = QERC()
    for estimator, fit in ((model, model.fit), (qerc, lambda a: qerc.fit(a, np.arange(60.0)))):
        with pytest.raises(InvalidTypeError, match="must be a string or a real number") as caught:
            fit(odd)
        assert isinstance(caught.value, TypeError) and isinstance(caught.value, InvalidInputError)
        with pytest.raises(InvalidInputError, match="sparse matrix, but dense data is required"):
            fit(sparse.csr_array(X))
        with pytest.raises(InvalidInputError, match="Complex data not supported"):
            fit(X + 1j)
        assert not estimator.__sklearn_is_fitted__()


@pytest.mark.parametrize(
    ("estimator", "params", "match"),
    [
        (IQAD, {"n_hidden": "4"}, "n_hidden must be an integer, got '4'"),
        (IQAD, {"n_epochs": True}, "n_epochs must be an integer, got True"),
        (IQAD, {"learning_rate": "0.1"}, "learning_rate must be a real number"),
        (QERC, {"n_reservoir": 2.5}, "n_reservoir must be an integer, got 2.5"),
        (QERC, {"ridge": None}, "ridge must be a real number, got None"),
        (QAR, {"num_pbits": 3, "num_samples": [5]}, r"num_samples must be an integer, got \[5\]"),
        (QAR, {"num_pbits": 3, "beta": np.bool_(True)}, "beta must be a real number"),
    ],
)
def test_hyper_parameters_of_the_wrong_type_raise_invalid_type_error(
    estimator: type[Any], params: dict[str, Any], match: str
) -> None:
    """A parameter of the wrong type is an InvalidTypeError (so also a TypeError, as scikit-learn's
    parameter checks raise); one of the right type out of range stays a plain InvalidInputError."""
    model = estimator(**params)
    X = np.random.default_rng(3).random((30, 3))
    with pytest.raises(InvalidTypeError, match=match) as caught:
        model.fit(X, np.arange(30.0) % 2)
    assert isinstance(caught.value, TypeError) and isinstance(caught.value, InvalidInputError)
    for out_of_range in (IQAD(n_hidden=0), QERC(n_reservoir=0), QAR(num_pbits=3, num_samples=0)):
        with pytest.raises(InvalidInputError) as refused:
            out_of_range.fit(X, np.arange(30.0) % 2)
        assert not isinstance(refused.value, TypeError)


def test_ragged_and_sparse_data_are_refused_alike() -> None:
    uses: dict[str, Any] = {
        "IQAD.fit": lambda X: IQAD(n_epochs=1).fit(X),
        "QERC.fit": lambda X: QERC(n_reservoir=5).fit(X, [0.0, 1.0]),
        "QAR.predict": lambda X: QAR(num_pbits=3).predict(X),
        "QAR.fit": lambda X: QAR(num_pbits=3).fit(X, ["buy", "sell"]),
    }
    for use in uses.values():
        with pytest.raises(InvalidInputError, match=r"^(X|history) must be array-like: "):
            use([[0.1, 0.2, 0.3], [0.4]])
        with pytest.raises(InvalidInputError, match="is a sparse matrix, but dense data is required"):
            use(sparse.csr_array(np.full((2, 3), 0.5)))


def test_booleans_and_strings_are_not_real_data() -> None:
    flags = np.random.default_rng(2).random((20, 3)) < 0.5
    uses: dict[str, Any] = {
        "IQAD.fit": lambda X: IQAD(n_epochs=1).fit(X),
        "QERC.fit": lambda X: QERC(n_reservoir=5).fit(X, np.arange(20.0)),
        "QERC.fit-list": lambda X: QERC(n_reservoir=5).fit([X], [np.arange(20.0)]),
        "QAR.predict": lambda X: QAR(num_pbits=3).predict(X),
        "QAR.decide_batch": lambda X: QAR(num_pbits=3).decide_batch(X),
    }
    for name, use in uses.items():
        label = "X\\[0\\]" if name.endswith("-list") else "(X|matrix)"
        with pytest.raises(InvalidInputError, match=f"^{label} must hold real numbers, got booleans$"):
            use(flags)
        with pytest.raises(InvalidInputError, match=f"^{label} must hold real numbers, got dtype <U"):
            use(np.where(flags, "a", "b"))
    with pytest.raises(InvalidInputError, match=r"^factors must hold real numbers, got booleans$"):
        QAR(num_pbits=3).decide(flags[0])
    with pytest.raises(InvalidInputError, match=r"^y must hold real numbers, got booleans$"):
        QERC(n_reservoir=5, task="regression").fit(np.arange(20.0), flags[:, 0])
    # the same data as numbers is accepted
    IQAD(n_epochs=1).fit(flags.astype(np.float32))
    QAR(num_pbits=3).predict(flags.astype(np.int64))


def test_feature_names_are_kept_checked_and_pickled() -> None:
    rng = np.random.default_rng(5)
    frame = pd.DataFrame(rng.normal(size=(80, 3)), columns=["a", "b", "c"])
    model = IQAD(n_epochs=2, seed=5).fit(frame)
    np.testing.assert_array_equal(model.feature_names_in_, ["a", "b", "c"])
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.feature_names_in_, ["a", "b", "c"])
    with pytest.raises(InvalidInputError, match="Feature names must be in the same order"):
        restored.predict(frame[["c", "b", "a"]])
    with pytest.warns(UserWarning, match="X does not have valid feature names, but IQAD was fitted with"):
        model.predict(frame.to_numpy())
    assert not hasattr(model.fit(frame.to_numpy()), "feature_names_in_")
    with pytest.raises(InvalidInputError, match="must all be strings or none"):
        QERC().fit(pd.DataFrame(rng.normal(size=(20, 2)), columns=["a", 1]), np.arange(20.0))


def test_column_vector_labels_warn_and_are_flattened() -> None:
    X, y = series(100)
    labels = (y > 0).astype(int)
    flat = QERC(n_reservoir=20, seed=6).fit(X, labels)
    with pytest.warns(sklearn.exceptions.DataConversionWarning, match="A column-vector y was passed"):
        column = QERC(n_reservoir=20, seed=6).fit(X, labels[:, None])
    np.testing.assert_array_equal(column.predict(X), flat.predict(X))


def test_without_scikit_learn_everything_works_unchanged() -> None:
    """With scikit-learn unimportable: importing quantumpanarchy does not try to import it, the
    estimators fit, predict, clone-free copy and pickle, and NotFittedError is ours alone."""
    script = textwrap.dedent(
        """
        import copy, pickle, sys
        sys.modules["sklearn"] = None  # makes `import sklearn` fail, as if it were not installed
        import numpy as np
        import quantumpanarchy
        from quantumpanarchy import NotFittedError
        from quantumpanarchy.decision import IQAD, QAR, QERC
        X = np.random.default_rng(0).normal(size=(50, 2))
        try:
            QERC().predict(X)
        except NotFittedError as err:
            assert type(err) is NotFittedError, type(err).__mro__
        iqad = pickle.loads(pickle.dumps(IQAD(n_epochs=2, seed=0).fit(X)))
        assert iqad.predict(X).shape == (50,)
        qerc = copy.deepcopy(QERC(n_reservoir=10, seed=0).fit(X, X[:, 0] > 0))
        assert qerc.predict_proba(X).shape == (50, 2)
        assert QAR(num_pbits=2).fit(np.abs(np.tanh(X)), np.sign(X[:, 0])).predict(np.full((1, 2), 0.5)).shape == (1,)
        try:
            IQAD().__sklearn_tags__()
        except ImportError:
            pass
        else:
            raise AssertionError("tags need scikit-learn")
        print("ok", [m for m in sys.modules if m.startswith("sklearn")])
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok ['sklearn']", out.stdout  # only the blocking entry


def test_importing_quantumpanarchy_does_not_import_scikit_learn() -> None:
    script = "import sys, quantumpanarchy.decision; print(sorted(m for m in sys.modules if m.startswith('sklearn')))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
