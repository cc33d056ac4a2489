"""Gaussian naive Bayes in Rust with scikit-learn's estimator API (``GaussianNB``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from .._decision._params import check_real
from .._native import automl as _native
from ..exceptions import InvalidInputError
from ._base import FloatArray, Model, accuracy, class_codes

__all__ = ["GaussianNB"]


class GaussianNB(Model):
    """Gaussian naive Bayes, as scikit-learn's ``GaussianNB``: per class, independent normal
    features with the class's means (``theta_``) and variances (``var_``, each plus ``epsilon_`` =
    ``var_smoothing`` times the largest feature variance), and the class frequencies as priors
    unless ``priors`` are given.

    Examples
    --------
    >>> from quantumpanarchy.automl import GaussianNB
    >>> nb = GaussianNB().fit([[1.0], [1.2], [0.9], [5.0], [5.3], [4.8]], [0, 0, 0, 1, 1, 1])
    >>> nb.predict([[1.1], [4.9]]).tolist()
    [0, 1]
    """

    classes_: npt.NDArray[Any]
    theta_: FloatArray
    var_: FloatArray
    class_prior_: FloatArray
    epsilon_: float

    def __init__(self, priors: Any = None, var_smoothing: float = 1e-9) -> None:
        self.priors = priors
        self.var_smoothing = var_smoothing

    def _sklearn_type(self) -> str | None:
        return "classifier"

    def fit(self, X: Any, y: Any) -> GaussianNB:
        smoothing = check_real(self.var_smoothing, "var_smoothing")
        arr, target, names = self._xy(X, y)
        if len(arr) == 1:
            raise InvalidInputError("GaussianNB estimates variances: n_samples = 1 gives none (every variance is 0)")
        classes, codes = class_codes(target, minimum=1)
        priors = None if self.priors is None else np.asarray(self.priors, dtype=np.float64)
        theta, var, log_prior, epsilon = _native.gaussian_nb_fit(
            arr, codes.astype(np.float64), len(classes), priors, smoothing
        )
        fitted = {
            "classes_": classes,
            "theta_": theta,
            "var_": var,
            "class_prior_": np.exp(np.asarray(log_prior)),
            "epsilon_": epsilon,
        }
        self._keep(fitted, arr.shape[1], names)
        return self

    def predict_log_proba(self, X: Any) -> FloatArray:
        """log P(class | x) of each row (samples × classes)."""
        arr = self._x(X)
        with np.errstate(divide="ignore"):
            log_prior = list(np.log(self.class_prior_))
        out: FloatArray = _native.gaussian_nb_log_proba(arr, self.theta_, self.var_, log_prior)
        return out

    def predict_proba(self, X: Any) -> FloatArray:
        """P(class | x) of each row (samples × classes)."""
        out: FloatArray = np.exp(self.predict_log_proba(X))
        return out

    def predict(self, X: Any) -> npt.NDArray[Any]:
        """The most probable class of each row."""
        best = np.argmax(self.predict_log_proba(X), axis=1)
        labels: npt.NDArray[Any] = self.classes_[best]
        return labels

    def score(self, X: Any, y: Any) -> float:
        """Mean accuracy of :meth:`predict` on ``X`` against ``y``."""
        return accuracy(self.predict(X), y)
