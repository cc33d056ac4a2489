"""Linear models in Rust with scikit-learn's estimator API and objectives: ``LinearRegression``,
``Ridge``, ``Lasso``, ``ElasticNet`` and ``LogisticRegression`` (L-BFGS, multinomial for more
than two classes). Each can be used on its own (``fit``, ``predict``, ``score``, ``get_params``,
``set_params``, cloned, pickled) and is one of the models the AutoML search tries."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import numpy.typing as npt

from .._decision._estimator import Estimator, check_samples, real_array, sklearn_warning
from .._decision._params import check_int, check_real
from .._native import automl as _native
from ..exceptions import InvalidInputError, NotFittedError

__all__ = ["ElasticNet", "Lasso", "LinearRegression", "LogisticRegression", "Ridge"]

FloatArray = npt.NDArray[np.float64]


class _Linear(Estimator):
    """What the linear models share: input checks, the fitted state, scikit-learn's tags."""

    seed: Any = None  # deterministic: the fit has no randomness

    def __sklearn_is_fitted__(self) -> bool:
        return "coef_" in self.__dict__

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


def _real_target(target: npt.NDArray[Any]) -> FloatArray:
    if target.dtype.kind not in "fiub":
        try:
            return target.astype(np.float64)
        except (TypeError, ValueError):
            raise InvalidInputError(f"y must hold real numbers for a regressor, got dtype {target.dtype}") from None
    values: FloatArray = target.astype(np.float64)
    return values


class _Regressor(_Linear):
    coef_: FloatArray
    intercept_: float

    def _sklearn_type(self) -> str | None:
        return "regressor"

    def predict(self, X: Any) -> FloatArray:
        """X·coef_ + intercept_."""
        arr = self._x(X)
        out: FloatArray = _native.linear_predict(arr, self.coef_, self.intercept_)
        return out

    def score(self, X: Any, y: Any) -> float:
        """R² of the predictions of ``X`` against ``y`` (scikit-learn's ``r2_score``)."""
        truth = _real_target(np.asarray(y)).ravel()
        pred = self.predict(X)
        if len(truth) != len(pred):
            raise InvalidInputError(f"X has {len(pred)} samples but y has {len(truth)}")
        resid = float(np.sum((truth - pred) ** 2))
        total = float(np.sum((truth - truth.mean()) ** 2))
        if total == 0.0:
            return 1.0 if resid == 0.0 else 0.0
        return 1.0 - resid / total


class LinearRegression(_Regressor):
    """Ordinary least squares, as scikit-learn's ``LinearRegression``: the minimum-norm solution
    when features are collinear.

    Examples
    --------
    >>> import numpy as np
    >>> from quantumpanarchy.automl import LinearRegression
    >>> X = np.array([[1.0, 2.0], [2.0, 0.0], [3.0, 1.0], [4.0, 3.0]])
    >>> model = LinearRegression().fit(X, X @ [2.0, -1.0] + 0.5)
    >>> np.round(model.coef_, 6).tolist(), round(model.intercept_, 6)
    ([2.0, -1.0], 0.5)
    """

    def __init__(self, fit_intercept: bool = True) -> None:
        self.fit_intercept = fit_intercept

    def fit(self, X: Any, y: Any) -> LinearRegression:
        arr, target, names = self._xy(X, y)
        coef, intercept = _native.least_squares_fit(arr, _real_target(target), 0.0, bool(self.fit_intercept))
        self._keep({"coef_": coef, "intercept_": intercept}, arr.shape[1], names)
        return self


class Ridge(_Regressor):
    """Ridge regression, as scikit-learn's ``Ridge``: minimises ‖y − Xw − b‖² + alpha·‖w‖² (the
    intercept is not penalised)."""

    def __init__(self, alpha: float = 1.0, fit_intercept: bool = True) -> None:
        self.alpha = alpha
        self.fit_intercept = fit_intercept

    def fit(self, X: Any, y: Any) -> Ridge:
        alpha = check_real(self.alpha, "alpha")
        arr, target, names = self._xy(X, y)
        coef, intercept = _native.least_squares_fit(arr, _real_target(target), alpha, bool(self.fit_intercept))
        self._keep({"coef_": coef, "intercept_": intercept}, arr.shape[1], names)
        return self


class ElasticNet(_Regressor):
    """The elastic net, as scikit-learn's ``ElasticNet``: minimises
    (1/2n)‖y − Xw − b‖² + alpha·l1_ratio·‖w‖₁ + (alpha·(1 − l1_ratio)/2)·‖w‖² by cyclic
    coordinate descent, stopping on the duality gap (``tol`` relative to ‖y − ȳ‖²)."""

    n_iter_: int
    dual_gap_: float

    def __init__(
        self,
        alpha: float = 1.0,
        l1_ratio: float = 0.5,
        fit_intercept: bool = True,
        max_iter: int = 1000,
        tol: float = 1e-4,
    ) -> None:
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol

    def _l1_ratio(self) -> float:
        return check_real(self.l1_ratio, "l1_ratio")

    def fit(self, X: Any, y: Any) -> ElasticNet:
        alpha, ratio = check_real(self.alpha, "alpha"), self._l1_ratio()
        max_iter, tol = check_int(self.max_iter, "max_iter", 1), check_real(self.tol, "tol")
        arr, target, names = self._xy(X, y)
        coef, intercept, n_iter, gap, converged = _native.elastic_net_fit(
            arr, _real_target(target), alpha, ratio, bool(self.fit_intercept), max_iter, tol
        )
        if not converged:
            warnings.warn(
                f"Objective did not converge: the duality gap is {gap:.3g} after {n_iter} iterations; "
                "increase max_iter or scale the features",
                sklearn_warning("ConvergenceWarning"),
                stacklevel=2,
            )
        self._keep({"coef_": coef, "intercept_": intercept, "n_iter_": n_iter, "dual_gap_": gap}, arr.shape[1], names)
        return self


class Lasso(ElasticNet):
    """The lasso, as scikit-learn's ``Lasso``: the elastic net with ``l1_ratio = 1``."""

    def __init__(self, alpha: float = 1.0, fit_intercept: bool = True, max_iter: int = 1000, tol: float = 1e-4) -> None:
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol

    def _l1_ratio(self) -> float:
        return 1.0


class LogisticRegression(_Linear):
    """Logistic regression, as scikit-learn's ``LogisticRegression(solver="lbfgs")``: minimises
    the mean log loss + ‖W‖²/(2·C·n) (the intercepts not penalised), binary for two classes and
    multinomial (softmax) for more, by L-BFGS from zero.

    Examples
    --------
    >>> import numpy as np
    >>> from quantumpanarchy.automl import LogisticRegression
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> LogisticRegression(C=10.0).fit(X, ["no", "no", "yes", "yes"]).predict([[0.2], [2.8]]).tolist()
    ['no', 'yes']
    """

    coef_: FloatArray
    intercept_: FloatArray
    classes_: npt.NDArray[Any]
    n_iter_: npt.NDArray[np.int32]

    def __init__(self, C: float = 1.0, fit_intercept: bool = True, max_iter: int = 100, tol: float = 1e-4) -> None:
        self.C = C
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol

    def _sklearn_type(self) -> str | None:
        return "classifier"

    def fit(self, X: Any, y: Any) -> LogisticRegression:
        c, tol = check_real(self.C, "C"), check_real(self.tol, "tol")
        max_iter = check_int(self.max_iter, "max_iter", 1)
        arr, target, names = self._xy(X, y)
        if target.dtype.kind == "f" and not np.isfinite(target).all():
            raise InvalidInputError("Input y contains NaN or infinity: class labels must be finite")
        try:
            classes, codes = np.unique(target, return_inverse=True)
        except TypeError as exc:
            raise InvalidInputError(f"y's class labels must be comparable: {exc}") from None
        if target.dtype.kind == "f" and not np.all(classes == np.round(classes)):
            raise InvalidInputError("Unknown label type: y holds continuous values; a classifier needs class labels")
        if len(classes) < 2:
            raise InvalidInputError(
                f"This solver needs samples of at least 2 classes in the data, but the data contains only one class: "
                f"{classes[0]!r}"
            )
        coef, intercept, n_iter, converged = _native.logistic_fit(
            arr, codes.astype(np.float64), len(classes), c, bool(self.fit_intercept), max_iter, tol
        )
        if not converged:
            warnings.warn(
                f"lbfgs failed to converge after {n_iter} iterations: increase max_iter or scale the features",
                sklearn_warning("ConvergenceWarning"),
                stacklevel=2,
            )
        fitted = {
            "coef_": coef,
            "intercept_": intercept,
            "classes_": classes,
            "n_iter_": np.array([n_iter], dtype=np.int32),
        }
        self._keep(fitted, arr.shape[1], names)
        return self

    def decision_function(self, X: Any) -> FloatArray:
        """The scores: (samples,) for two classes (positive favours ``classes_[1]``), else
        (samples, classes)."""
        arr = self._x(X)
        z: FloatArray = _native.logistic_scores(arr, self.coef_, self.intercept_, len(self.classes_), False)
        return z[:, 0] if z.shape[1] == 1 else z

    def predict_proba(self, X: Any) -> FloatArray:
        """Class probabilities (samples × classes, in ``classes_`` order)."""
        arr = self._x(X)
        p: FloatArray = _native.logistic_scores(arr, self.coef_, self.intercept_, len(self.classes_), True)
        return p

    def predict_log_proba(self, X: Any) -> FloatArray:
        """The log of :meth:`predict_proba`."""
        out: FloatArray = np.log(self.predict_proba(X))
        return out

    def predict(self, X: Any) -> npt.NDArray[Any]:
        """The most probable class of each row."""
        best = np.argmax(self.predict_proba(X), axis=1)  # checks the fit before classes_ is read
        labels: npt.NDArray[Any] = self.classes_[best]
        return labels

    def score(self, X: Any, y: Any) -> float:
        """Mean accuracy of :meth:`predict` on ``X`` against ``y``."""
        truth = np.asarray(y)
        pred = self.predict(X)
        if len(truth) != len(pred):
            raise InvalidInputError(f"X has {len(pred)} samples but y has {len(truth)}")
        return float(np.mean(pred == truth))
