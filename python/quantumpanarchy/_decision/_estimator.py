"""scikit-learn's estimator conventions for the decision engines that learn from data (IQAD, QERC,
QAR), without importing scikit-learn: its tags (built only when scikit-learn asks for them), input
checks that fail with the messages its common checks look for, and ``n_features_in_`` /
``feature_names_in_`` kept and checked as ``sklearn.utils.validation.validate_data`` does."""

from __future__ import annotations

import abc
import functools
import sys
import types
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from .._validation import as_array, is_sparse
from ..exceptions import InvalidInputError, InvalidTypeError
from ._params import Params

__all__ = ["Estimator", "available_if", "check_samples", "real_array", "sklearn_warning"]

_MAX_NAMES_SHOWN = 5
_F = TypeVar("_F", bound=Callable[..., Any])


def sklearn_warning(name: str) -> type[Warning]:
    """scikit-learn's warning class ``name`` while scikit-learn is loaded (its checks look for
    it), else ``UserWarning``, the base of each of them."""
    category: type[Warning] = getattr(sys.modules.get("sklearn.exceptions"), name, UserWarning)
    return category


class _AvailableIf:
    """A method that instances have only while ``check(instance)`` holds, so that ``hasattr``
    answers as scikit-learn's ``available_if`` makes it answer (``predict_proba`` exists on
    classifiers only); on the class it is the plain function, for introspection."""

    def __init__(self, method: Callable[..., Any], check: Callable[[Any], str | None]) -> None:
        self.method = method
        self.check = check
        functools.update_wrapper(self, method)  # type: ignore[arg-type]

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self.method
        reason = self.check(instance)
        if reason is not None:
            raise AttributeError(reason)
        return types.MethodType(self.method, instance)


def available_if(check: Callable[[Any], str | None]) -> Callable[[_F], _F]:
    """Decorate a method that exists only while ``check(self)`` returns None (else it returns
    why not: the message of the ``AttributeError``)."""

    def wrap(method: _F) -> _F:
        conditional: _F = _AvailableIf(method, check)  # type: ignore[assignment]
        return conditional

    return wrap


def real_array(x: Any, name: str) -> npt.NDArray[Any]:
    """``x`` as a numpy array of real numbers (floats or integers), refused as scikit-learn's
    ``check_array`` refuses it: sparse matrices (dense data is needed), complex numbers,
    booleans, strings; an object array of numbers becomes float64. Other arrays are returned as
    they are, float16/float32 included, for the native code to read in place (no float64 copy).
    Shape and finiteness are checked later."""
    if is_sparse(x):
        raise InvalidInputError(
            f"{name} is a sparse matrix, but dense data is required: pass {name}.toarray() to convert it"
        )
    arr = as_array(x, name)
    if arr.dtype.kind == "c":
        raise InvalidInputError(f"Complex data not supported: {name} must hold real numbers, got dtype {arr.dtype}")
    if arr.dtype.kind == "O":
        try:
            arr = arr.astype(np.float64)
        except TypeError as exc:
            raise InvalidTypeError(f"{name} must hold real numbers: {exc}") from None
        except ValueError as exc:
            raise InvalidInputError(f"{name} must hold real numbers: {exc}") from None
    if arr.dtype.kind not in "fiu":
        found = "booleans" if arr.dtype.kind == "b" else f"dtype {arr.dtype}"
        raise InvalidInputError(f"{name} must hold real numbers, got {found}")
    return arr


def check_samples(arr: npt.NDArray[Any], name: str, owner: str, min_samples: int = 1) -> None:
    """``arr`` must be 2-D (samples × features) with ``min_samples`` rows and a column."""
    if arr.ndim != 2:
        hint = (
            f". Reshape your data with {name}.reshape(-1, 1) if it has a single feature or "
            f"{name}.reshape(1, -1) if it is a single sample"
            if arr.ndim == 1
            else ""
        )
        raise InvalidInputError(f"{name} must be 2-D (samples × features), got shape {arr.shape}{hint}")
    n_samples, n_features = arr.shape
    for count, what, needed in ((n_samples, "sample", min_samples), (n_features, "feature", 1)):
        if count < needed:
            raise InvalidInputError(
                f"{name} has {count} {what}(s) (shape={arr.shape}) while a minimum of {needed} is required by {owner}"
            )


def _column_names(X: Any) -> npt.NDArray[np.object_] | None:
    """A DataFrame's column names when they are all strings (scikit-learn keeps no others)."""
    columns = getattr(X, "columns", None)
    if columns is None or not hasattr(X, "to_numpy"):
        return None
    names = np.asarray(columns, dtype=object)
    strings = [isinstance(v, str) for v in names]
    if all(strings):
        return names
    if any(strings):
        raise InvalidTypeError(
            "feature names must all be strings or none of them: convert them with X.columns = X.columns.astype(str)"
        )
    return None


def _listed(names: list[Any]) -> str:
    shown = "".join(f"- {v}\n" for v in names[:_MAX_NAMES_SHOWN])
    return shown + ("- ...\n" if len(names) > _MAX_NAMES_SHOWN else "")


class Estimator(Params, abc.ABC):
    """The scikit-learn side shared by the estimators. Subclasses say what kind of estimator
    they are (:meth:`_sklearn_type`) and whether they are fitted (``__sklearn_is_fitted__``),
    and call :meth:`_input_names` / :meth:`_check_input` on the data they are given. As
    scikit-learn requires, they store their parameters as given (no ``_check_params``: neither
    the constructor nor ``set_params`` raises) and check them when they use them."""

    seed: Any  # every estimator takes a seed; without one its results vary between fits
    n_features_in_: int
    feature_names_in_: npt.NDArray[np.object_]

    @abc.abstractmethod
    def _sklearn_type(self) -> str | None:
        """``"classifier"``, ``"regressor"``, ``"outlier_detector"`` or None (undecided)."""

    @abc.abstractmethod
    def __sklearn_is_fitted__(self) -> bool:
        """Whether ``fit`` has run (scikit-learn's ``check_is_fitted`` asks)."""

    @property
    def _estimator_type(self) -> str | None:
        """What scikit-learn before 1.6 reads in ``is_classifier`` and ``is_regressor``."""
        return self._sklearn_type()

    def __sklearn_tags__(self) -> Any:
        """scikit-learn's estimator tags (scikit-learn ≥ 1.6 calls this; only it does, so it is
        imported here): dense 2-D real input without NaN, the kind from :meth:`_sklearn_type`."""
        from sklearn.utils import ClassifierTags, InputTags, RegressorTags, Tags, TargetTags

        kind = self._sklearn_type()
        return Tags(
            estimator_type=kind,
            target_tags=TargetTags(required=kind in ("classifier", "regressor")),
            classifier_tags=ClassifierTags() if kind == "classifier" else None,
            regressor_tags=RegressorTags() if kind == "regressor" else None,
            non_deterministic=self.seed is None,
            input_tags=InputTags(),
        )

    def _input_names(self, X: Any, reset: bool) -> npt.NDArray[np.object_] | None:
        """``X``'s feature names. With ``reset`` (fit) they are returned for the caller to keep
        in ``feature_names_in_`` once the fit succeeds; otherwise they are checked against it:
        different names raise, names on one side only warn, as scikit-learn does."""
        names = _column_names(X)
        if reset:
            return names
        fitted = self.__dict__.get("feature_names_in_")
        owner = type(self).__name__
        if fitted is None and names is not None:
            warnings.warn(f"X has feature names, but {owner} was fitted without feature names", UserWarning, 3)
        elif fitted is not None and names is None:
            warnings.warn(
                f"X does not have valid feature names, but {owner} was fitted with feature names", UserWarning, 3
            )
        elif fitted is not None and names is not None and list(fitted) != list(names):
            unseen = sorted(set(names) - set(fitted))
            missing = sorted(set(fitted) - set(names))
            message = "The feature names should match those that were passed during fit.\n"
            if unseen:
                message += "Feature names unseen at fit time:\n" + _listed(unseen)
            if missing:
                message += "Feature names seen at fit time, yet now missing:\n" + _listed(missing)
            if not unseen and not missing:
                message += "Feature names must be in the same order as they were in fit.\n"
            raise InvalidInputError(message)
        return names

    def _check_input(self, X: Any, n_features: int, flat: bool = False) -> None:
        """Data given after fit: its feature names (see :meth:`_input_names`) and its number of
        features, ``n_features`` (``flat``: it came as a 1-D array)."""
        self._input_names(X, reset=False)
        expected = self.n_features_in_
        if n_features != expected:
            owner = type(self).__name__
            hint = ". X came 1-D: Reshape your data with X.reshape(1, -1) if it is a single sample" if flat else ""
            raise InvalidInputError(
                f"X has {n_features} features, but {owner} is expecting {expected} features as input{hint}"
            )

    def _keep_names(self, names: npt.NDArray[np.object_] | None) -> None:
        """Set (or drop) ``feature_names_in_`` after a successful fit."""
        if names is None:
            self.__dict__.pop("feature_names_in_", None)
        else:
            self.feature_names_in_ = names
