"""Linear models in Rust with scikit-learn's estimator API and objectives: ``LinearRegression``,
``Ridge``, ``Lasso``, ``ElasticNet`` and ``LogisticRegression`` (L-BFGS, multinomial for more
than two classes). Each can be used on its own (``fit``, ``predict``, ``score``, ``get_params``,
``set_params``, cloned, pickled) and is one of the models the AutoML search tries."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import numpy.typing as npt

from .._decision._estimator import sklearn_warning
from .._decision._params import check_int, check_real
from .._native import automl as _native
from ._base import Model, accuracy, class_codes, r2, real_target

__all__ = ["ElasticNet", "Lasso", "LinearRegression", "LogisticRegression", "Ridge"]

FloatArray = npt.NDArray[np.float64]


class _Regressor(Model):
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
        return r2(self.predict(X), y)


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
        coef, intercept = _native.least_squares_fit(arr, real_target(target), 0.0, bool(self.fit_intercept))
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
        coef, intercept = _native.least_squares_fit(arr, real_target(target), alpha, bool(self.fit_intercept))
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
            arr, real_target(target), alpha, ratio, bool(self.fit_intercept), max_iter, tol
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


class LogisticRegression(Model):
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
        classes, codes = class_codes(target, minimum=2)
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
        return accuracy(self.predict(X), y)
