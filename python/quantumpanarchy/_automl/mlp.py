"""Multi-layer perceptrons in Rust with scikit-learn's estimator API: ``MLPClassifier`` and
``MLPRegressor`` (Adam on mini-batches or L-BFGS; forward and backward passes as BLAS matrix
products). The fitted weights are numpy arrays on the estimator, as scikit-learn's ``coefs_`` and
``intercepts_``."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import numpy.typing as npt

from .._decision._estimator import sklearn_warning
from .._decision._params import check_int, check_native_int, check_real
from .._native import automl as _native
from ..exceptions import InvalidInputError
from ._base import FloatArray, Model, accuracy, class_codes, r2, real_target

__all__ = ["MLPClassifier", "MLPRegressor"]

_ACTIVATIONS = ("identity", "logistic", "tanh", "relu")
_SOLVERS = ("adam", "lbfgs")


class _MLP(Model):
    coefs_: list[FloatArray]
    intercepts_: list[FloatArray]
    n_iter_: int
    loss_: float
    t_: int
    loss_curve_: list[float]
    best_loss_: float | None
    validation_scores_: list[float] | None
    best_validation_score_: float | None
    n_layers_: int
    n_outputs_: int
    out_activation_: str

    def __init__(
        self,
        hidden_layer_sizes: int | tuple[int, ...] | list[int] = (100,),
        activation: str = "relu",
        *,
        solver: str = "adam",
        alpha: float = 0.0001,
        batch_size: int | str = "auto",
        learning_rate_init: float = 0.001,
        max_iter: int = 200,
        shuffle: bool = True,
        random_state: int | None = None,
        tol: float = 1e-4,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        n_iter_no_change: int = 10,
        max_fun: int = 15000,
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun

    @property
    def seed(self) -> int | None:
        """The ``random_state`` (read-only)."""
        return self.random_state

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.non_deterministic = self.random_state is None
        return tags

    def _hidden(self) -> list[int]:
        sizes = self.hidden_layer_sizes
        if isinstance(sizes, (str, bytes)):
            raise InvalidInputError(f"hidden_layer_sizes must be an int or a sequence of ints, got {sizes!r}")
        listed = list(sizes) if hasattr(sizes, "__iter__") else [sizes]
        return [check_int(h, "hidden_layer_sizes", 1) for h in listed]

    def _run(self, arr: npt.NDArray[Any], y: FloatArray, classes: int, init: Any) -> dict[str, Any]:
        if self.activation not in _ACTIVATIONS:
            raise InvalidInputError(f"activation must be one of {_ACTIVATIONS}, got {self.activation!r}")
        if self.solver not in _SOLVERS:
            raise InvalidInputError(
                f"solver must be 'adam' or 'lbfgs' (scikit-learn's 'sgd' is not implemented), got {self.solver!r}"
            )
        if isinstance(self.batch_size, str) and self.batch_size == "auto":
            batch: int | None = None
        elif isinstance(self.batch_size, str):
            raise InvalidInputError(f"batch_size must be 'auto' or an int >= 1, got {self.batch_size!r}")
        else:
            batch = check_int(self.batch_size, "batch_size", 1)
            if batch > len(arr):
                warnings.warn(
                    "Got `batch_size` less than 1 or larger than sample size. It is going to be clipped",
                    UserWarning,
                    stacklevel=3,
                )
        seed = None if self.random_state is None else check_native_int(self.random_state, "random_state")
        fitted: dict[str, Any] = _native.mlp_fit(
            arr,
            y,
            classes,
            self._hidden(),
            self.activation,
            self.solver,
            check_real(self.alpha, "alpha"),
            batch,
            check_real(self.learning_rate_init, "learning_rate_init"),
            check_int(self.max_iter, "max_iter", 1),
            bool(self.shuffle),
            check_real(self.tol, "tol"),
            check_int(self.n_iter_no_change, "n_iter_no_change", 1),
            bool(self.early_stopping),
            check_real(self.validation_fraction, "validation_fraction"),
            check_real(self.beta_1, "beta_1"),
            check_real(self.beta_2, "beta_2"),
            check_real(self.epsilon, "epsilon"),
            check_int(self.max_fun, "max_fun", 1),
            seed,
            init,
        )
        if not fitted.pop("converged"):
            n_iter = fitted["n_iter_"]
            message = (
                f"lbfgs failed to converge after {n_iter} iterations: increase max_iter or scale the features"
                if self.solver == "lbfgs"
                else f"Stochastic Optimizer: Maximum iterations ({n_iter}) reached and the optimization "
                "hasn't converged yet."
            )
            warnings.warn(message, sklearn_warning("ConvergenceWarning"), stacklevel=4)
        fitted["n_layers_"] = len(fitted["coefs_"]) + 1
        fitted["n_outputs_"] = fitted["coefs_"][-1].shape[1]
        return fitted

    def _outputs(self, X: Any) -> FloatArray:
        arr = self._x(X)
        out: FloatArray = _native.mlp_predict(arr, self.coefs_, self.intercepts_, self.activation, self.out_activation_)
        return out


class MLPClassifier(_MLP):
    """A multi-layer perceptron classifier, as scikit-learn's ``MLPClassifier``: hidden layers of
    ``activation`` units, a logistic output for two classes and a softmax for more, minimising
    the log loss + alpha/(2·n)·Σ‖W‖² by ``solver="adam"`` (mini-batches of ``batch_size``,
    stopping after ``n_iter_no_change`` epochs without a ``tol`` improvement of the training loss,
    or of the held-out accuracy with ``early_stopping``) or ``solver="lbfgs"`` (full batch).
    Initial weights are Glorot-uniform, drawn from ``random_state``; the same ``random_state``
    gives the same model on any number of threads.

    scikit-learn's ``solver="sgd"`` and its options (``learning_rate``, ``power_t``,
    ``momentum``, ``nesterovs_momentum``), ``warm_start``, ``verbose``, ``partial_fit`` and
    multi-label targets are absent.

    Examples
    --------
    >>> import numpy as np
    >>> from quantumpanarchy.automl import MLPClassifier
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]] * 10)
    >>> y = ["same", "diff", "diff", "same"] * 10
    >>> clf = MLPClassifier((8,), activation="tanh", solver="lbfgs", random_state=0).fit(X, y)
    >>> clf.predict([[0.0, 1.0], [1.0, 1.0]]).tolist()
    ['diff', 'same']
    """

    classes_: npt.NDArray[Any]

    def _sklearn_type(self) -> str | None:
        return "classifier"

    def fit(self, X: Any, y: Any) -> MLPClassifier:
        """Fit the network to ``X`` (samples × features) and the class labels ``y``."""
        return self._fit(X, y)

    def _fit(self, X: Any, y: Any, init: Any = None) -> MLPClassifier:
        """:meth:`fit`, from ``init = (coefs, intercepts)`` instead of random weights if given."""
        self._hidden()
        arr, target, names = self._xy(X, y)
        classes, codes = class_codes(target, minimum=2)
        fitted = self._run(arr, codes.astype(np.float64), len(classes), init)
        fitted["classes_"] = classes
        self._keep(fitted, arr.shape[1], names)
        return self

    def predict_proba(self, X: Any) -> FloatArray:
        """Class probabilities (samples × classes, in ``classes_`` order)."""
        p = self._outputs(X)
        if p.shape[1] == 1:
            both: FloatArray = np.hstack([1.0 - p, p])
            return both
        return p

    def predict_log_proba(self, X: Any) -> FloatArray:
        """The log of :meth:`predict_proba`."""
        with np.errstate(divide="ignore"):
            out: FloatArray = np.log(self.predict_proba(X))
        return out

    def predict(self, X: Any) -> npt.NDArray[Any]:
        """The most probable class of each row (for two classes: the second when its probability
        is above one half)."""
        p = self._outputs(X)
        best = (p[:, 0] > 0.5).astype(np.intp) if p.shape[1] == 1 else np.argmax(p, axis=1)
        labels: npt.NDArray[Any] = self.classes_[best]
        return labels

    def score(self, X: Any, y: Any) -> float:
        """Mean accuracy of :meth:`predict` on ``X`` against ``y``."""
        return accuracy(self.predict(X), y)


class MLPRegressor(_MLP):
    """A multi-layer perceptron regressor, as scikit-learn's ``MLPRegressor``: hidden layers of
    ``activation`` units and an identity output, minimising the squared error / 2 +
    alpha/(2·n)·Σ‖W‖² (``loss="squared_error"``, first as in scikit-learn's signature) by
    ``solver="adam"`` (``early_stopping`` watches the held-out R²) or ``solver="lbfgs"``. The
    options absent are those of :class:`MLPClassifier`, ``loss="poisson"`` and multi-output
    targets.
    """

    def __init__(
        self,
        loss: str = "squared_error",
        hidden_layer_sizes: int | tuple[int, ...] | list[int] = (100,),
        activation: str = "relu",
        *,
        solver: str = "adam",
        alpha: float = 0.0001,
        batch_size: int | str = "auto",
        learning_rate_init: float = 0.001,
        max_iter: int = 200,
        shuffle: bool = True,
        random_state: int | None = None,
        tol: float = 1e-4,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        n_iter_no_change: int = 10,
        max_fun: int = 15000,
    ) -> None:
        super().__init__(
            hidden_layer_sizes,
            activation,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate_init=learning_rate_init,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
        )
        self.loss = loss

    def _sklearn_type(self) -> str | None:
        return "regressor"

    def fit(self, X: Any, y: Any) -> MLPRegressor:
        """Fit the network to ``X`` (samples × features) and the real targets ``y``."""
        return self._fit(X, y)

    def _fit(self, X: Any, y: Any, init: Any = None) -> MLPRegressor:
        """:meth:`fit`, from ``init = (coefs, intercepts)`` instead of random weights if given."""
        if self.loss != "squared_error":
            raise InvalidInputError(
                f"loss must be 'squared_error' (scikit-learn's 'poisson' is not implemented), got {self.loss!r}"
            )
        self._hidden()
        arr, target, names = self._xy(X, y)
        fitted = self._run(arr, real_target(target), 0, init)
        self._keep(fitted, arr.shape[1], names)
        return self

    def predict(self, X: Any) -> FloatArray:
        """The network's output for each row of ``X``."""
        out: FloatArray = self._outputs(X)[:, 0]
        return out

    def score(self, X: Any, y: Any) -> float:
        """R² of :meth:`predict` on ``X`` against ``y``."""
        return r2(self.predict(X), y)
