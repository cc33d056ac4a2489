"""Decision trees, random forests and extra trees in Rust with scikit-learn's estimator API:
``DecisionTreeClassifier``, ``DecisionTreeRegressor``, ``RandomForestClassifier``,
``RandomForestRegressor``, ``ExtraTreesClassifier`` and ``ExtraTreesRegressor``.

Trees are grown as scikit-learn grows them (CART, depth first; at each node the best split over
up to ``max_features`` features drawn without replacement). A forest's trees are grown in
parallel, tree ``t`` drawing from its own random stream of ``random_state``, so the same
``random_state`` gives the same forest whatever the number of threads. The fitted nodes are numpy
arrays in ``nodes_`` (so models pickle and clone), passed back to Rust to predict.

Absent scikit-learn options: ``sample_weight``, ``class_weight``, ``min_weight_fraction_leaf``,
``max_leaf_nodes``, ``ccp_alpha``, ``monotonic_cst``, missing values (NaN is refused), multi-output
targets, ``oob_score``, ``warm_start``, ``n_jobs`` (the thread count is
``quantumpanarchy.performance.set_num_threads``'s), ``estimators_`` (a forest's trees are its
``nodes_``, split by ``nodes_["offsets"]``), ``apply`` and ``decision_path``.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np
import numpy.typing as npt

from .._decision._params import check_int, check_native_int, check_real
from .._native import automl as _native
from ..exceptions import InvalidInputError
from ._base import FloatArray, Model, accuracy, class_codes, r2, real_target

__all__ = [
    "DecisionTreeClassifier",
    "DecisionTreeRegressor",
    "ExtraTreesClassifier",
    "ExtraTreesRegressor",
    "RandomForestClassifier",
    "RandomForestRegressor",
]

_CLASSIFY_CRITERIA = ("gini", "entropy", "log_loss")
_NODE_ARRAYS = ("offsets", "children_left", "children_right", "feature", "threshold", "value")


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _max_features(value: Any, d: int) -> int:
    """scikit-learn's ``max_features`` as a count of features in 1..=d."""
    if value is None:
        return d
    if isinstance(value, str):
        if value == "sqrt":
            return max(1, int(math.sqrt(d)))
        if value == "log2":
            return max(1, int(math.log2(d)))
        raise InvalidInputError(f"max_features must be None, 'sqrt', 'log2', an int or a float, got {value!r}")
    if _is_int(value):
        count = int(value)
        if not 1 <= count <= d:
            raise InvalidInputError(f"max_features must be in (0, n_features={d}], got {count}")
        return count
    if _is_real(value):
        share = float(value)
        if not 0.0 < share <= 1.0:
            raise InvalidInputError(f"max_features as a float must be in (0.0, 1.0], got {share}")
        return max(1, int(share * d))
    raise InvalidInputError(f"max_features must be None, 'sqrt', 'log2', an int or a float, got {value!r}")


def _samples(value: Any, name: str, n: int, low: int, open_top: bool) -> int:
    """``min_samples_split`` / ``min_samples_leaf``: an int of at least ``low``, or a float share
    of the ``n`` samples (in (0, 1], or (0, 1) with ``open_top``), rounded up."""
    if _is_int(value):
        return check_int(value, name, low)
    if _is_real(value):
        share = float(value)
        if not (0.0 < share < 1.0 or (share == 1.0 and not open_top)):
            top = "1.0)" if open_top else "1.0]"
            raise InvalidInputError(f"{name} as a float must be in (0.0, {top}, got {share}")
        return max(low, math.ceil(share * n))
    raise InvalidInputError(f"{name} must be an int or a float, got {value!r}")


def _random_state(value: Any) -> int | None:
    """``random_state`` as the native seed: None, a non-negative int, or a numpy ``RandomState``
    (one draw from it, as scikit-learn takes its trees' seeds)."""
    if value is None:
        return None
    if isinstance(value, np.random.RandomState):
        return int(value.randint(np.iinfo(np.int32).max))
    seed = check_native_int(value, "random_state")
    if seed < 0:
        raise InvalidInputError(f"random_state must be None or a non-negative int, got {seed}")
    return seed


class _Trees(Model):
    """What the six models share: parameter checks, the native fit and predict."""

    nodes_: dict[str, npt.NDArray[Any]]
    feature_importances_: FloatArray
    _splitter = "best"

    # set by the subclasses' constructors
    criterion: str
    max_depth: int | None
    min_samples_split: int | float
    min_samples_leaf: int | float
    max_features: int | float | str | None
    min_impurity_decrease: float
    random_state: int | None

    @property
    def seed(self) -> Any:
        """``random_state``: what the base class's tags read."""
        return self.random_state

    def _sampling(self, n: int) -> tuple[int, int | None]:
        """``(n_estimators, rows drawn per tree or None)``: one tree on every row."""
        return 1, None

    def _grow(self, X: Any, y: Any, classify: bool) -> tuple[npt.NDArray[Any], Any]:
        arr, target, names = self._xy(X, y)
        n, d = arr.shape
        criterion = self.criterion
        if classify and criterion not in _CLASSIFY_CRITERIA:
            raise InvalidInputError(f"criterion must be 'gini', 'entropy' or 'log_loss', got {criterion!r}")
        if not classify and criterion != "squared_error":
            raise InvalidInputError(f"criterion must be 'squared_error', got {criterion!r}")
        splitter = getattr(self, "splitter", self._splitter)
        if splitter not in ("best", "random"):
            raise InvalidInputError(f"splitter must be 'best' or 'random', got {splitter!r}")
        max_depth = None if self.max_depth is None else check_int(self.max_depth, "max_depth", 1)
        split = _samples(self.min_samples_split, "min_samples_split", n, 2, open_top=False)
        leaf = _samples(self.min_samples_leaf, "min_samples_leaf", n, 1, open_top=True)
        features = _max_features(self.max_features, d)
        decrease = check_real(self.min_impurity_decrease, "min_impurity_decrease")
        if not decrease >= 0.0:
            raise InvalidInputError(f"min_impurity_decrease must be >= 0, got {decrease}")
        trees, draws = self._sampling(n)
        seed = _random_state(self.random_state)
        if classify:
            classes, codes = class_codes(target, minimum=1)
            k, values = len(classes), codes.astype(np.float64)
        else:
            classes, k, values = None, 0, real_target(target)
        fit = _native.forest_fit(
            arr, values, k, criterion, splitter, max_depth, split, leaf, features, decrease, trees, draws, seed
        )
        importances = fit.pop("feature_importances")
        state: dict[str, Any] = {"nodes_": fit, "feature_importances_": importances}
        if classes is not None:
            state["classes_"] = classes
            state["n_classes_"] = len(classes)
        self._keep(state, d, names)
        return arr, classes

    def _values(self, X: Any) -> FloatArray:
        """The mean leaf value over the trees (rows × classes, or rows × 1)."""
        arr = self._x(X)
        nodes = self.nodes_
        out: FloatArray = _native.forest_predict(arr, *(nodes[name] for name in _NODE_ARRAYS))
        return out


class _Classifier(_Trees):
    classes_: npt.NDArray[Any]
    n_classes_: int

    def _sklearn_type(self) -> str | None:
        return "classifier"

    def fit(self, X: Any, y: Any) -> Any:
        """Grow the tree(s) on ``X`` (samples × features) and class labels ``y``."""
        self._grow(X, y, classify=True)
        return self

    def predict_proba(self, X: Any) -> FloatArray:
        """Class probabilities (samples × classes, in the order of ``classes_``): the class
        shares of the leaf each row reaches, averaged over the trees."""
        return self._values(X)

    def predict(self, X: Any) -> npt.NDArray[Any]:
        """The most probable class; ties go to the first in ``classes_``."""
        best = np.argmax(self.predict_proba(X), axis=1)  # checks that the model is fitted first
        labels: npt.NDArray[Any] = self.classes_[best]
        return labels

    def score(self, X: Any, y: Any) -> float:
        """Mean accuracy of :meth:`predict` on ``X`` against ``y``."""
        return accuracy(self.predict(X), y)


class _Regressor(_Trees):
    def _sklearn_type(self) -> str | None:
        return "regressor"

    def fit(self, X: Any, y: Any) -> Any:
        """Grow the tree(s) on ``X`` (samples × features) and real targets ``y``."""
        self._grow(X, y, classify=False)
        return self

    def predict(self, X: Any) -> FloatArray:
        """The mean target of the leaf each row reaches, averaged over the trees."""
        out: FloatArray = self._values(X)[:, 0]
        return out

    def score(self, X: Any, y: Any) -> float:
        """R² of :meth:`predict` on ``X`` against ``y``."""
        return r2(self.predict(X), y)


class _SingleTree(_Trees):
    def get_depth(self) -> int:
        """The depth of the tree (0 for a single leaf)."""
        self._fitted()
        left, right = self.nodes_["children_left"], self.nodes_["children_right"]
        depth = np.zeros(len(left), dtype=np.int64)
        for node in range(len(left)):  # children come after their parent
            if left[node] >= 0:
                depth[left[node]] = depth[right[node]] = depth[node] + 1
        return int(depth.max())

    def get_n_leaves(self) -> int:
        """The number of leaves."""
        self._fitted()
        return int(np.count_nonzero(self.nodes_["children_left"] < 0))


class _Forest(_Trees):
    n_estimators: int
    bootstrap: bool
    max_samples: int | float | None

    def _set(
        self,
        n_estimators: int,
        criterion: str,
        max_depth: int | None,
        min_samples_split: int | float,
        min_samples_leaf: int | float,
        max_features: int | float | str | None,
        min_impurity_decrease: float,
        bootstrap: bool,
        random_state: int | None,
        max_samples: int | float | None,
    ) -> None:
        """Store the constructor's arguments as given (scikit-learn's rule: checked at fit)."""
        self.n_estimators = n_estimators
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.max_features = max_features
        self.min_impurity_decrease = min_impurity_decrease
        self.bootstrap = bootstrap
        self.random_state = random_state
        self.max_samples = max_samples

    def _sampling(self, n: int) -> tuple[int, int | None]:
        trees = check_int(self.n_estimators, "n_estimators", 1)
        if not self.bootstrap:
            if self.max_samples is not None:
                raise InvalidInputError(
                    "`max_sample` cannot be set if `bootstrap=False`. Either switch to `bootstrap=True` or set "
                    "`max_sample=None`."
                )
            return trees, None
        value = self.max_samples
        if value is None:
            return trees, n
        if _is_int(value):
            draws = check_int(value, "max_samples", 1)
            if draws > n:
                raise InvalidInputError(f"`max_samples` must be <= n_samples={n} but got value {draws}")
            return trees, draws
        if _is_real(value) and 0.0 < float(value) <= 1.0:
            return trees, max(round(n * float(value)), 1)
        raise InvalidInputError(f"max_samples must be None, an int >= 1 or a float in (0.0, 1.0], got {value!r}")


class DecisionTreeClassifier(_SingleTree, _Classifier):
    """A classification tree, as scikit-learn's ``DecisionTreeClassifier``: ``criterion`` "gini",
    "entropy" or "log_loss" (entropy in bits); ``splitter="best"`` tries every threshold midway
    between distinct sorted values, ``"random"`` one uniform threshold per feature; nodes split
    while they hold ``min_samples_split`` samples, are impure, stay above ``max_depth`` and gain
    at least ``min_impurity_decrease`` (weighted as scikit-learn's); each leaf keeps
    ``min_samples_leaf`` samples. ``max_features`` (None, "sqrt", "log2", int, float) features are
    drawn per node; ties between equally good splits go by that random order, so set
    ``random_state`` for a reproducible tree. ``feature_importances_`` are the normalised impurity
    decreases. See the module docstring for the absent options.

    Examples
    --------
    >>> from quantumpanarchy.automl import DecisionTreeClassifier
    >>> clf = DecisionTreeClassifier(random_state=0).fit([[0.0], [1.0], [2.0], [3.0]], ["a", "a", "b", "b"])
    >>> clf.predict([[0.4], [2.6]]).tolist(), clf.get_depth()
    (['a', 'b'], 1)
    """

    def __init__(
        self,
        criterion: str = "gini",
        splitter: str = "best",
        max_depth: int | None = None,
        min_samples_split: int | float = 2,
        min_samples_leaf: int | float = 1,
        max_features: int | float | str | None = None,
        random_state: int | None = None,
        min_impurity_decrease: float = 0.0,
    ) -> None:
        self.criterion = criterion
        self.splitter = splitter
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.max_features = max_features
        self.random_state = random_state
        self.min_impurity_decrease = min_impurity_decrease

    def fit(self, X: Any, y: Any) -> DecisionTreeClassifier:
        """Grow the tree on ``X`` (samples × features) and class labels ``y``."""
        self._grow(X, y, classify=True)
        return self


class DecisionTreeRegressor(_SingleTree, _Regressor):
    """A regression tree, as scikit-learn's ``DecisionTreeRegressor`` with
    ``criterion="squared_error"``: leaves predict their mean target. The other settings are
    :class:`DecisionTreeClassifier`'s."""

    def __init__(
        self,
        criterion: str = "squared_error",
        splitter: str = "best",
        max_depth: int | None = None,
        min_samples_split: int | float = 2,
        min_samples_leaf: int | float = 1,
        max_features: int | float | str | None = None,
        random_state: int | None = None,
        min_impurity_decrease: float = 0.0,
    ) -> None:
        self.criterion = criterion
        self.splitter = splitter
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.max_features = max_features
        self.random_state = random_state
        self.min_impurity_decrease = min_impurity_decrease

    def fit(self, X: Any, y: Any) -> DecisionTreeRegressor:
        """Grow the tree on ``X`` (samples × features) and real targets ``y``."""
        self._grow(X, y, classify=False)
        return self


class RandomForestClassifier(_Forest, _Classifier):
    """A random forest, as scikit-learn's ``RandomForestClassifier``: ``n_estimators`` trees,
    each grown (best splits over ``max_features`` random features per node) on a bootstrap
    sample of ``max_samples`` rows (all rows when ``bootstrap=False``); ``predict_proba`` is the
    mean of the trees' class probabilities. Trees are grown in parallel and the forest is the
    same bits for a given ``random_state`` whatever the thread count. The tree settings are
    :class:`DecisionTreeClassifier`'s.

    Examples
    --------
    >>> import numpy as np
    >>> from quantumpanarchy.automl import RandomForestClassifier
    >>> X = np.random.default_rng(0).normal(size=(200, 3))
    >>> clf = RandomForestClassifier(n_estimators=20, random_state=0).fit(X, X[:, 0] > 0)
    >>> clf.score(X, X[:, 0] > 0) > 0.95, int(np.argmax(clf.feature_importances_))
    (True, 0)
    """

    def __init__(
        self,
        n_estimators: int = 100,
        criterion: str = "gini",
        max_depth: int | None = None,
        min_samples_split: int | float = 2,
        min_samples_leaf: int | float = 1,
        max_features: int | float | str | None = "sqrt",
        min_impurity_decrease: float = 0.0,
        bootstrap: bool = True,
        random_state: int | None = None,
        max_samples: int | float | None = None,
    ) -> None:
        self._set(
            n_estimators,
            criterion,
            max_depth,
            min_samples_split,
            min_samples_leaf,
            max_features,
            min_impurity_decrease,
            bootstrap,
            random_state,
            max_samples,
        )

    def fit(self, X: Any, y: Any) -> RandomForestClassifier:
        """Grow the forest on ``X`` (samples × features) and class labels ``y``."""
        self._grow(X, y, classify=True)
        return self


class RandomForestRegressor(_Forest, _Regressor):
    """A random forest of regression trees, as scikit-learn's ``RandomForestRegressor``
    (``criterion="squared_error"``, every feature tried per node by default); ``predict`` is the
    mean of the trees' predictions. See :class:`RandomForestClassifier`."""

    def __init__(
        self,
        n_estimators: int = 100,
        criterion: str = "squared_error",
        max_depth: int | None = None,
        min_samples_split: int | float = 2,
        min_samples_leaf: int | float = 1,
        max_features: int | float | str | None = 1.0,
        min_impurity_decrease: float = 0.0,
        bootstrap: bool = True,
        random_state: int | None = None,
        max_samples: int | float | None = None,
    ) -> None:
        self._set(
            n_estimators,
            criterion,
            max_depth,
            min_samples_split,
            min_samples_leaf,
            max_features,
            min_impurity_decrease,
            bootstrap,
            random_state,
            max_samples,
        )

    def fit(self, X: Any, y: Any) -> RandomForestRegressor:
        """Grow the forest on ``X`` (samples × features) and real targets ``y``."""
        self._grow(X, y, classify=False)
        return self


class ExtraTreesClassifier(_Forest, _Classifier):
    """Extremely randomised trees, as scikit-learn's ``ExtraTreesClassifier``: as
    :class:`RandomForestClassifier` but each feature tried at a node gets one threshold drawn
    uniformly between its minimum and maximum there, and trees use every row (``bootstrap=False``)
    by default."""

    _splitter = "random"

    def __init__(
        self,
        n_estimators: int = 100,
        criterion: str = "gini",
        max_depth: int | None = None,
        min_samples_split: int | float = 2,
        min_samples_leaf: int | float = 1,
        max_features: int | float | str | None = "sqrt",
        min_impurity_decrease: float = 0.0,
        bootstrap: bool = False,
        random_state: int | None = None,
        max_samples: int | float | None = None,
    ) -> None:
        self._set(
            n_estimators,
            criterion,
            max_depth,
            min_samples_split,
            min_samples_leaf,
            max_features,
            min_impurity_decrease,
            bootstrap,
            random_state,
            max_samples,
        )

    def fit(self, X: Any, y: Any) -> ExtraTreesClassifier:
        """Grow the forest on ``X`` (samples × features) and class labels ``y``."""
        self._grow(X, y, classify=True)
        return self


class ExtraTreesRegressor(_Forest, _Regressor):
    """Extremely randomised regression trees, as scikit-learn's ``ExtraTreesRegressor``: see
    :class:`ExtraTreesClassifier` (every feature tried per node by default)."""

    _splitter = "random"

    def __init__(
        self,
        n_estimators: int = 100,
        criterion: str = "squared_error",
        max_depth: int | None = None,
        min_samples_split: int | float = 2,
        min_samples_leaf: int | float = 1,
        max_features: int | float | str | None = 1.0,
        min_impurity_decrease: float = 0.0,
        bootstrap: bool = False,
        random_state: int | None = None,
        max_samples: int | float | None = None,
    ) -> None:
        self._set(
            n_estimators,
            criterion,
            max_depth,
            min_samples_split,
            min_samples_leaf,
            max_features,
            min_impurity_decrease,
            bootstrap,
            random_state,
            max_samples,
        )

    def fit(self, X: Any, y: Any) -> ExtraTreesRegressor:
        """Grow the forest on ``X`` (samples × features) and real targets ``y``."""
        self._grow(X, y, classify=False)
        return self
