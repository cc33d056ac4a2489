"""What the models of :mod:`quantumpanarchy.automl` share: scikit-learn's input checks and fitted
state (through the decision engines' :class:`Estimator`), label encoding and the default scores."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import numpy.typing as npt

from .._decision._estimator import Estimator, check_samples, real_array, sklearn_warning
from ..exceptions import InvalidInputError, NotFittedError

FloatArray = npt.NDArray[np.float64]


class Model(Estimator):
    """A model fitted on (X, y): input checks, the fitted state (``n_features_in_`` is set last by
    :meth:`_keep`), scikit-learn's tags."""

    seed: Any = None  # deterministic: the fit has no randomness

    def __sklearn_is_fitted__(self) -> bool:
        return "n_features_in_" in self.__dict__

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        return tags

    def _fitted(self) -> None:
        if not self.__sklearn_is_fitted__():
            raise NotFittedError(
                f"this {type(self).__name__} instance is not fitted yet: call fit(X, y) before using it"
            )

    def _xy(self, X: Any, y: Any) -> tuple[npt.NDArray[Any], npt.NDArray[Any], Any]:
        """``X`` (samples × features) and ``y`` checked for ``fit``, and X's feature names."""
        if y is None:
            raise InvalidInputError(f"{type(self).__name__} requires y to be passed, but the target y is None")
        arr = real_array(X, "X")
        check_samples(arr, "X", type(self).__name__)
        target = np.asarray(y.to_numpy() if hasattr(y, "to_numpy") else y)
        if target.ndim == 2 and target.shape[1] == 1:
            warnings.warn(
                "A column-vector y was passed when a 1d array was expected. Please change the shape of y to "
                "(n_samples,), for example using ravel().",
                sklearn_warning("DataConversionWarning"),
                stacklevel=3,
            )
            target = target.ravel()
        if target.ndim != 1:
            raise InvalidInputError(f"y must be 1-D (one target per sample), got shape {target.shape}")
        if len(target) != arr.shape[0]:
            raise InvalidInputError(
                f"Found input variables with inconsistent numbers of samples: X has {arr.shape[0]}, y has {len(target)}"
            )
        return arr, target, self._input_names(X, reset=True)

    def _x(self, X: Any) -> npt.NDArray[Any]:
        """``X`` checked for prediction by the fitted model."""
        self._fitted()
        arr = real_array(X, "X")
        if arr.ndim != 2:
            check_samples(arr, "X", type(self).__name__)
        self._check_input(X, arr.shape[1])
        return arr

    def _keep(self, fitted: dict[str, Any], n_features: int, names: Any) -> None:
        fitted["n_features_in_"] = n_features
        self.__dict__.update(fitted)
        self._keep_names(names)


def real_target(target: npt.NDArray[Any]) -> FloatArray:
    """A regressor's target as float64, finite."""
    try:
        values: FloatArray = target.astype(np.float64)
    except (TypeError, ValueError):
        raise InvalidInputError(f"y must hold real numbers for a regressor, got dtype {target.dtype}") from None
    if not np.isfinite(values).all():
        raise InvalidInputError("Input y contains NaN or infinity: a regressor's targets must be finite")
    return values


def class_codes(target: npt.NDArray[Any], minimum: int) -> tuple[npt.NDArray[Any], npt.NDArray[np.intp]]:
    """The sorted class labels of ``target`` and each sample's index among them; at least
    ``minimum`` classes."""
    if target.dtype.kind == "f" and not np.isfinite(target).all():
        raise InvalidInputError("Input y contains NaN or infinity: class labels must be finite")
    try:
        classes, codes = np.unique(target, return_inverse=True)
    except TypeError as exc:
        raise InvalidInputError(f"y's class labels must be comparable: {exc}") from None
    if target.dtype.kind == "f" and not np.all(classes == np.round(classes)):
        raise InvalidInputError("Unknown label type: y holds continuous values; a classifier needs class labels")
    if len(classes) < minimum:
        raise InvalidInputError(
            f"This solver needs samples of at least {minimum} classes in the data, but the data contains only one "
            f"class: {classes[0]!r}"
        )
    return classes, codes


def r2(pred: FloatArray, y: Any) -> float:
    """scikit-learn's ``r2_score`` of ``pred`` against ``y``."""
    truth = real_target(np.asarray(y)).ravel()
    if len(truth) != len(pred):
        raise InvalidInputError(f"X has {len(pred)} samples but y has {len(truth)}")
    resid = float(np.sum((truth - pred) ** 2))
    total = float(np.sum((truth - truth.mean()) ** 2))
    if total == 0.0:
        return 1.0 if resid == 0.0 else 0.0
    return 1.0 - resid / total


def accuracy(pred: npt.NDArray[Any], y: Any) -> float:
    """The fraction of ``pred`` equal to ``y``."""
    truth = np.asarray(y)
    if len(truth) != len(pred):
        raise InvalidInputError(f"X has {len(pred)} samples but y has {len(truth)}")
    return float(np.mean(pred == truth))
