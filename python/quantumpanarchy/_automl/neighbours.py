"""k nearest neighbours in Rust with scikit-learn's estimator API: ``KNeighborsClassifier`` and
``KNeighborsRegressor`` (Euclidean distance, brute force: a matrix product per block of queries,
blocks in parallel)."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from .._decision._params import check_int
from .._native import automl as _native
from ..exceptions import InvalidInputError
from ._base import FloatArray, Model, accuracy, class_codes, r2, real_target

__all__ = ["KNeighborsClassifier", "KNeighborsRegressor"]

_WEIGHTS = ("uniform", "distance")


class _Neighbours(Model):
    _train: FloatArray

    def __init__(self, n_neighbors: int = 5, weights: str = "uniform") -> None:
        self.n_neighbors = n_neighbors
        self.weights = weights

    def _settings(self) -> tuple[int, bool]:
        k = check_int(self.n_neighbors, "n_neighbors", 1)
        if self.weights not in _WEIGHTS:
            raise InvalidInputError(f"weights must be 'uniform' or 'distance', got {self.weights!r}")
        return k, self.weights == "distance"

    def _store(self, X: Any, y: Any) -> tuple[npt.NDArray[Any], Any]:
        """Check the settings, keep a float64 copy of ``X`` (``n_neighbors`` is checked against
        the samples when querying, as scikit-learn does)."""
        self._settings()
        arr, target, names = self._xy(X, y)
        train = np.array(arr, dtype=np.float64, order="C")
        if not np.isfinite(train).all():
            raise InvalidInputError("Input X contains NaN or infinity: the training rows must be finite")
        self._train = train
        return target, names

    def kneighbors(self, X: Any, n_neighbors: int | None = None) -> tuple[FloatArray, npt.NDArray[np.int64]]:
        """The distances to the nearest training rows of each row of ``X`` and their indices,
        nearest first (scikit-learn's ``kneighbors(X, return_distance=True)``)."""
        arr = self._x(X)
        k = self._settings()[0] if n_neighbors is None else check_int(n_neighbors, "n_neighbors", 1)
        self._check_k(k, len(arr))
        idx, dist = _native.kneighbors(self._train, arr, k)
        return dist, idx

    def _query(self, X: Any) -> tuple[FloatArray, int, bool]:
        """``X`` checked, and the settings, with ``n_neighbors`` checked against the samples."""
        arr = self._x(X)
        k, by_distance = self._settings()
        self._check_k(k, len(arr))
        return arr, k, by_distance

    def _check_k(self, k: int, queries: int) -> None:
        n = len(self._train)
        if k > n:
            raise InvalidInputError(
                f"Expected n_neighbors <= n_samples_fit, but n_neighbors = {k}, n_samples_fit = {n}, "
                f"n_samples = {queries}"
            )


class KNeighborsClassifier(_Neighbours):
    """The majority (or distance-weighted) vote of the ``n_neighbors`` nearest training rows, as
    scikit-learn's ``KNeighborsClassifier(algorithm="brute")``; ``weights="distance"`` weighs by
    1/distance, and exact matches take all the weight.

    Examples
    --------
    >>> from quantumpanarchy.automl import KNeighborsClassifier
    >>> clf = KNeighborsClassifier(n_neighbors=3).fit([[0.0], [1.0], [2.0], [10.0], [11.0]], list("aaabb"))
    >>> clf.predict([[0.5], [10.4]]).tolist()
    ['a', 'b']
    """

    classes_: npt.NDArray[Any]
    _codes: npt.NDArray[np.intp]

    def _sklearn_type(self) -> str | None:
        return "classifier"

    def fit(self, X: Any, y: Any) -> KNeighborsClassifier:
        target, names = self._store(X, y)
        classes, codes = class_codes(target, minimum=1)
        self._keep({"classes_": classes, "_codes": codes, "_train": self._train}, self._train.shape[1], names)
        return self

    def predict_proba(self, X: Any) -> FloatArray:
        """The weighted share of each class among the neighbours (samples × classes)."""
        arr, k, by_distance = self._query(X)
        out: FloatArray = _native.kneighbors_vote(
            self._train, arr, k, self._codes.astype(np.float64), len(self.classes_), by_distance
        )
        return out

    def predict(self, X: Any) -> npt.NDArray[Any]:
        """The class with the most (weighted) votes; ties go to the first class in ``classes_``."""
        best = np.argmax(self.predict_proba(X), axis=1)
        labels: npt.NDArray[Any] = self.classes_[best]
        return labels

    def score(self, X: Any, y: Any) -> float:
        """Mean accuracy of :meth:`predict` on ``X`` against ``y``."""
        return accuracy(self.predict(X), y)


class KNeighborsRegressor(_Neighbours):
    """The (distance-weighted) mean target of the ``n_neighbors`` nearest training rows, as
    scikit-learn's ``KNeighborsRegressor(algorithm="brute")``."""

    _y: FloatArray

    def _sklearn_type(self) -> str | None:
        return "regressor"

    def fit(self, X: Any, y: Any) -> KNeighborsRegressor:
        target, names = self._store(X, y)
        self._keep({"_y": real_target(target), "_train": self._train}, self._train.shape[1], names)
        return self

    def predict(self, X: Any) -> FloatArray:
        """The weighted mean of the neighbours' targets."""
        arr, k, by_distance = self._query(X)
        return np.asarray(_native.kneighbors_mean(self._train, arr, k, self._y, by_distance))

    def score(self, X: Any, y: Any) -> float:
        """R² of :meth:`predict` on ``X`` against ``y``."""
        return r2(self.predict(X), y)
