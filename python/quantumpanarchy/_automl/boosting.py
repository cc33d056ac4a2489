"""Histogram-based gradient-boosted trees in Rust with scikit-learn's estimator API:
``HistGradientBoostingRegressor`` and ``HistGradientBoostingClassifier``. The fitted forest is
kept as flat numpy arrays on the estimator (so it pickles and clones), and predicted in Rust."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from .._decision._params import check_int, check_real
from .._native import automl as _native
from ..exceptions import InvalidInputError
from ._base import FloatArray, Model, accuracy, class_codes, r2, real_target

__all__ = ["HistGradientBoostingClassifier", "HistGradientBoostingRegressor"]

IntArray = npt.NDArray[np.int64]

#: scikit-learn turns early stopping on by itself above this many samples
_AUTO_EARLY_STOPPING = 10_000


class _Boosting(Model):
    """What both estimators share: settings, the fit, raw predictions."""

    n_iter_: int
    n_trees_per_iteration_: int
    train_score_: FloatArray
    validation_score_: FloatArray
    do_early_stopping_: bool
    _forest: tuple[IntArray, FloatArray, IntArray, IntArray, FloatArray, IntArray, FloatArray]

    def __init__(
        self,
        loss: str,
        *,
        learning_rate: float = 0.1,
        max_iter: int = 100,
        max_leaf_nodes: int | None = 31,
        max_depth: int | None = None,
        min_samples_leaf: int = 20,
        l2_regularization: float = 0.0,
        max_bins: int = 255,
        early_stopping: str | bool = "auto",
        validation_fraction: float | None = 0.1,
        n_iter_no_change: int = 10,
        tol: float = 1e-7,
        random_state: int | None = None,
    ) -> None:
        self.loss = loss
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.max_leaf_nodes = max_leaf_nodes
        self.max_depth = max_depth
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.max_bins = max_bins
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.random_state = random_state

    @property
    def seed(self) -> int | None:
        """The ``random_state``: the base class's tags read it."""
        return self.random_state

    _LOSS = ""

    def _fit(self, arr: npt.NDArray[Any], target: FloatArray, classes: int, names: Any, extra: dict[str, Any]) -> None:
        """Check the settings, fit, keep the forest and ``extra`` fitted attributes."""
        if self.loss != self._LOSS:
            raise InvalidInputError(f"loss must be {self._LOSS!r} (the one implemented), got {self.loss!r}")
        lr = check_real(self.learning_rate, "learning_rate")
        if not (math.isfinite(lr) and lr > 0):
            raise InvalidInputError(f"learning_rate must be positive, got {lr}")
        max_iter = check_int(self.max_iter, "max_iter", 1)
        leaves = None if self.max_leaf_nodes is None else check_int(self.max_leaf_nodes, "max_leaf_nodes", 2)
        depth = None if self.max_depth is None else check_int(self.max_depth, "max_depth", 1)
        min_leaf = check_int(self.min_samples_leaf, "min_samples_leaf", 1)
        l2 = check_real(self.l2_regularization, "l2_regularization")
        if not (math.isfinite(l2) and l2 >= 0):
            raise InvalidInputError(f"l2_regularization must be non-negative, got {l2}")
        bins = check_int(self.max_bins, "max_bins", 2)
        if bins > 255:
            raise InvalidInputError(f"max_bins must be at most 255, got {bins}")
        if self.early_stopping == "auto":
            early = arr.shape[0] > _AUTO_EARLY_STOPPING
        elif isinstance(self.early_stopping, (bool, np.bool_)):
            early = bool(self.early_stopping)
        else:
            raise InvalidInputError(f"early_stopping must be 'auto', True or False, got {self.early_stopping!r}")
        fraction = (
            None if self.validation_fraction is None else check_real(self.validation_fraction, "validation_fraction")
        )
        if fraction is not None and not 0.0 < fraction < 1.0:
            raise InvalidInputError(f"validation_fraction must be in (0, 1) or None, got {fraction}")
        patience = check_int(self.n_iter_no_change, "n_iter_no_change", 1)
        tol = check_real(self.tol, "tol")
        if not (math.isfinite(tol) and tol >= 0):
            raise InvalidInputError(f"tol must be non-negative, got {tol}")
        seed = None if self.random_state is None else check_int(self.random_state, "random_state", 0)
        data = np.asarray(arr, dtype=np.float64)
        if not np.isfinite(data).all():
            raise InvalidInputError(
                "Input X contains NaN or infinity: missing values are not supported by this model, impute them first"
            )
        out = _native.hist_gbt_fit(
            data, target, classes, lr, max_iter, leaves, depth, min_leaf, l2, bins, early, fraction, patience, tol, seed
        )
        fitted: dict[str, Any] = {
            "_forest": tuple(out[:7]),
            "n_iter_": int(out[7]),
            "train_score_": out[8],
            "validation_score_": out[9],
            "do_early_stopping_": early,
            "n_trees_per_iteration_": len(out[6]),
        }
        fitted.update(extra)
        self._keep(fitted, arr.shape[1], names)

    def _predict(self, X: Any, proba: bool) -> FloatArray:
        arr = self._x(X)
        data = np.asarray(arr, dtype=np.float64)
        if not np.isfinite(data).all():
            raise InvalidInputError(
                "Input X contains NaN or infinity: missing values are not supported by this model, impute them first"
            )
        out: FloatArray = _native.hist_gbt_predict(data, *self._forest, proba)
        return out


class HistGradientBoostingRegressor(_Boosting):
    """Histogram-based gradient-boosted trees for regression, as scikit-learn's
    ``HistGradientBoostingRegressor(loss="squared_error")``: each feature is cut into at most
    ``max_bins`` quantile bins; each iteration adds one tree grown best-first (the leaf whose
    split gains most is split next) up to ``max_leaf_nodes`` leaves, within ``max_depth`` and
    ``min_samples_leaf``, its leaves shrunk by ``learning_rate``; ``l2_regularization`` damps the
    gains and leaf values. Starting from the mean target.

    ``early_stopping`` (``"auto"``: on above 10 000 samples) holds out a ``random_state``-seeded
    ``validation_fraction`` of the rows (``None``: it watches the training loss) and stops once
    the loss has not improved by ``tol`` over ``n_iter_no_change`` iterations. ``train_score_`` and
    ``validation_score_`` hold minus the loss before and after each iteration (the training score
    is kept even without early stopping, on every training row).

    Missing values (NaN) are not supported: impute them first (they raise ``InvalidInputError``).
    scikit-learn's ``quantile``, ``max_features``, ``categorical_features``, ``monotonic_cst``,
    ``interaction_cst``, ``warm_start``, ``scoring`` (always the loss), ``verbose`` and
    ``sample_weight`` are absent; ``validation_fraction`` is a fraction (or None), not a count.

    Examples
    --------
    >>> import numpy as np
    >>> from quantumpanarchy.automl import HistGradientBoostingRegressor
    >>> X = np.linspace(0, 6, 200).reshape(-1, 1)
    >>> model = HistGradientBoostingRegressor(max_iter=50, min_samples_leaf=5).fit(X, np.sin(X[:, 0]))
    >>> model.score(X, np.sin(X[:, 0])) > 0.99
    True
    """

    def __init__(
        self,
        loss: str = "squared_error",
        *,
        learning_rate: float = 0.1,
        max_iter: int = 100,
        max_leaf_nodes: int | None = 31,
        max_depth: int | None = None,
        min_samples_leaf: int = 20,
        l2_regularization: float = 0.0,
        max_bins: int = 255,
        early_stopping: str | bool = "auto",
        validation_fraction: float | None = 0.1,
        n_iter_no_change: int = 10,
        tol: float = 1e-7,
        random_state: int | None = None,
    ) -> None:
        super().__init__(
            loss,
            learning_rate=learning_rate,
            max_iter=max_iter,
            max_leaf_nodes=max_leaf_nodes,
            max_depth=max_depth,
            min_samples_leaf=min_samples_leaf,
            l2_regularization=l2_regularization,
            max_bins=max_bins,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            random_state=random_state,
        )

    _LOSS = "squared_error"

    def _sklearn_type(self) -> str | None:
        return "regressor"

    def fit(self, X: Any, y: Any) -> HistGradientBoostingRegressor:
        arr, target, names = self._xy(X, y)
        self._fit(arr, real_target(target), 0, names, {})
        return self

    def predict(self, X: Any) -> FloatArray:
        """The baseline plus every tree's leaf value for each row of ``X``."""
        out: FloatArray = self._predict(X, False)[:, 0]
        return out

    def score(self, X: Any, y: Any) -> float:
        """R² of :meth:`predict` on ``X`` against ``y``."""
        return r2(self.predict(X), y)


class HistGradientBoostingClassifier(_Boosting):
    """Histogram-based gradient-boosted trees for classification, as scikit-learn's
    ``HistGradientBoostingClassifier(loss="log_loss")``: the binomial log loss with one tree per
    iteration for two classes, the multinomial (softmax) one with a tree per class and iteration
    beyond; starting from the log-odds of the class frequencies. Trees, binning, early stopping
    (the held-out rows drawn at random, not stratified) and the absent options are as in
    :class:`HistGradientBoostingRegressor`; ``class_weight`` is absent too.

    Examples
    --------
    >>> from quantumpanarchy.automl import HistGradientBoostingClassifier
    >>> X = [[float(i)] for i in range(60)]
    >>> y = ["low"] * 30 + ["high"] * 30
    >>> clf = HistGradientBoostingClassifier(max_iter=20, min_samples_leaf=5).fit(X, y)
    >>> clf.predict([[3.0], [50.0]]).tolist()
    ['low', 'high']
    """

    classes_: npt.NDArray[Any]

    def __init__(
        self,
        loss: str = "log_loss",
        *,
        learning_rate: float = 0.1,
        max_iter: int = 100,
        max_leaf_nodes: int | None = 31,
        max_depth: int | None = None,
        min_samples_leaf: int = 20,
        l2_regularization: float = 0.0,
        max_bins: int = 255,
        early_stopping: str | bool = "auto",
        validation_fraction: float | None = 0.1,
        n_iter_no_change: int = 10,
        tol: float = 1e-7,
        random_state: int | None = None,
    ) -> None:
        super().__init__(
            loss,
            learning_rate=learning_rate,
            max_iter=max_iter,
            max_leaf_nodes=max_leaf_nodes,
            max_depth=max_depth,
            min_samples_leaf=min_samples_leaf,
            l2_regularization=l2_regularization,
            max_bins=max_bins,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            random_state=random_state,
        )

    _LOSS = "log_loss"

    def _sklearn_type(self) -> str | None:
        return "classifier"

    def fit(self, X: Any, y: Any) -> HistGradientBoostingClassifier:
        arr, target, names = self._xy(X, y)
        classes, codes = class_codes(target, minimum=2)
        self._fit(arr, codes.astype(np.float64), len(classes), names, {"classes_": classes})
        return self

    def decision_function(self, X: Any) -> FloatArray:
        """The raw scores: (samples,) for two classes (positive favours ``classes_[1]``), else
        (samples, classes)."""
        raw = self._predict(X, False)
        out: FloatArray = raw[:, 0] if raw.shape[1] == 1 else raw
        return out

    def predict_proba(self, X: Any) -> FloatArray:
        """Class probabilities (samples × classes, in ``classes_`` order)."""
        return self._predict(X, True)

    def predict(self, X: Any) -> npt.NDArray[Any]:
        """The most probable class of each row."""
        best = np.argmax(self.predict_proba(X), axis=1)
        labels: npt.NDArray[Any] = self.classes_[best]
        return labels

    def score(self, X: Any, y: Any) -> float:
        """Mean accuracy of :meth:`predict` on ``X`` against ``y``."""
        return accuracy(self.predict(X), y)
