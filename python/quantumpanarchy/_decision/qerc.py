"""QERC: an echo-state network (reservoir computing) with a ridge readout, as a scikit-learn style
regressor and classifier of time series. The reservoir runs in Rust (``_native.decision``)."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from .. import _async
from .._native import decision as _native
from .._validation import as_array, as_float_array
from ..exceptions import InvalidInputError, NotFittedError
from ._estimator import Estimator, available_if, check_samples, real_array, sklearn_warning
from ._params import check_int, check_real

__all__ = ["QERC"]

FloatArray = npt.NDArray[np.float64]
# Input as real_array gave it: any real dtype, which the native code reads (float16/32/64 in place).
RealArray = npt.NDArray[Any]


# The real hyper-parameters: the range each must lie in (finite in every case), and how it is said.
_REAL_RANGES: dict[str, tuple[Callable[[float], bool], str]] = {
    "spectral_radius": (lambda v: v > 0, "a positive finite number"),
    "leak_rate": (lambda v: 0 < v <= 1, "in (0, 1]"),
    "input_scaling": (lambda v: v > 0, "a positive finite number"),
    "connectivity": (lambda v: 0 < v <= 1, "in (0, 1]"),
    "input_connectivity": (lambda v: 0 < v <= 1, "in (0, 1]"),
    "bias_scaling": (lambda v: v >= 0, "a non-negative finite number"),
    "ridge": (lambda v: v >= 0, "a non-negative finite number"),
}


def _check_config(params: dict[str, Any]) -> dict[str, Any]:
    """The hyper-parameters as the native code takes them: integers as ``int`` (a float holding a
    whole number included), reals as ``float``, ``input_to_readout`` as ``bool``. Raises
    InvalidInputError naming the first bad one. The seed is passed on as given: the native code
    checks it (``seed must be ...``), by the rule every other seed argument follows."""
    config = dict(params)
    config["n_reservoir"] = check_int(params["n_reservoir"], "n_reservoir", 1)
    config["washout"] = check_int(params["washout"], "washout", 0)
    for name, (within, what) in _REAL_RANGES.items():
        value = check_real(params[name], name)
        if not (math.isfinite(value) and within(value)):
            raise InvalidInputError(f"{name} must be {what}, got {params[name]!r}")
        config[name] = value
    if not isinstance(params["input_to_readout"], (bool, np.bool_)):
        raise InvalidInputError(f"input_to_readout must be True or False, got {params['input_to_readout']!r}")
    config["input_to_readout"] = bool(params["input_to_readout"])
    if params["task"] not in ("auto", "regression", "classification"):
        raise InvalidInputError(f"task must be 'auto', 'regression' or 'classification', got {params['task']!r}")
    if params["pooling"] not in ("mean", "last"):
        raise InvalidInputError(f"pooling must be 'mean' or 'last', got {params['pooling']!r}")
    return config


def _is_array(x: Any) -> bool:
    """An array (numpy, pandas, anything with ``__array__``) of at least one dimension."""
    return (isinstance(x, np.ndarray) or hasattr(x, "__array__") or hasattr(x, "to_numpy")) and np.ndim(x) >= 1


def _series(arr: RealArray, name: str) -> RealArray:
    """One sequence (1-D: one feature) as a 2-D array of steps × features (a view of ``arr``)."""
    steps = arr.reshape(-1, 1) if arr.ndim == 1 else arr
    check_samples(steps, name, "QERC")
    return steps


def _sequences(X: Any) -> tuple[list[RealArray], str]:
    """X as a list of 2-D real arrays (steps × features; views of the caller's data where it is a
    numpy array) and how it came: ``"single"`` (one series: 1-D or 2-D), ``"list"`` (a list or
    tuple of arrays) or ``"3d"`` (a 3-D array)."""
    if isinstance(X, (list, tuple)) and len(X) > 0 and all(_is_array(s) for s in X):
        parts = [(real_array(s, f"X[{i}]"), f"X[{i}]") for i, s in enumerate(X)]
        for arr, name in parts:
            if arr.ndim not in (1, 2):
                raise InvalidInputError(f"{name} must be 1-D or 2-D (steps × features), got shape {arr.shape}")
        return [_series(arr, name) for arr, name in parts], "list"
    arr = real_array(X, "X")
    if arr.ndim == 3:
        if 0 in arr.shape:
            raise InvalidInputError(f"X must not be empty, got shape {arr.shape}")
        return list(arr), "3d"
    if arr.ndim not in (1, 2):
        raise InvalidInputError(
            f"X must be 1-D or 2-D (one series: steps × features), 3-D or a list of 2-D arrays "
            f"(several sequences), got shape {arr.shape}"
        )
    return [_series(arr, "X")], "single"


def _per_step_targets(y: Any, seqs: list[RealArray], kind: str) -> list[Any] | None:
    """y as one array per sequence when it gives a target per step, else None."""
    if kind == "single":
        return [as_array(y, "y")]
    if isinstance(y, (list, tuple)):
        if len(y) == len(seqs) and all(_is_array(t) for t in y):
            parts = [as_array(t, f"y[{i}]") for i, t in enumerate(y)]
            if all(len(t) == len(s) for t, s in zip(parts, seqs, strict=True)):
                return parts
        return None
    arr = as_array(y, "y")
    if kind == "3d" and arr.ndim >= 2 and arr.shape[:2] == (len(seqs), len(seqs[0])):
        return list(arr)
    return None


def _joined(parts: list[Any]) -> Any:
    """The targets of every sequence as one array (one sequence's: that array, not a copy)."""
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def _labels(labels: npt.NDArray[Any], name: str) -> npt.NDArray[Any]:
    """Class labels as a 1-D array: a column vector is flattened with a warning (scikit-learn's
    ``DataConversionWarning``); floats must be finite whole numbers."""
    if labels.ndim == 2 and labels.shape[1] == 1:
        warnings.warn(
            f"A column-vector y was passed when a 1d array was expected: {name} is flattened "
            f"to one class label per row",
            sklearn_warning("DataConversionWarning"),
            stacklevel=3,
        )
        labels = labels.ravel()
    if labels.ndim != 1:
        raise InvalidInputError(
            f"{name} must hold one class label per row for classification, got shape {labels.shape}"
        )
    if labels.dtype.kind == "f":
        if not np.all(np.isfinite(labels)):
            raise InvalidInputError(f"{name} must not contain NaN or inf labels")
        if np.any(labels != np.round(labels)):
            raise InvalidInputError(
                f"Unknown label type: {name} holds continuous values, but classification needs "
                f"class labels (integers, whole-number floats, strings or booleans); "
                f"pass task='regression' to predict the values"
            )
    return labels


def _r2(truth: FloatArray, pred: FloatArray) -> float:
    """scikit-learn's ``r2_score`` (uniform average over outputs)."""
    truth, pred = truth.reshape(len(truth), -1), pred.reshape(len(pred), -1)
    ss_res = ((truth - pred) ** 2).sum(axis=0)
    ss_tot = ((truth - truth.mean(axis=0)) ** 2).sum(axis=0)
    scores = np.where(ss_tot > 0, 1 - ss_res / np.where(ss_tot > 0, ss_tot, 1), np.where(ss_res > 0, 0.0, 1.0))
    return float(scores.mean())


def _without_probabilities(model: QERC) -> str | None:
    """Why ``model`` has no ``predict_proba`` (it is a regressor), or None."""
    task = model.__dict__.get("task_", model.task)  # what the fitted model does, else what it will
    if isinstance(task, str) and task == "regression":
        return (
            "predict_proba needs a classifier: this QERC does regression (pass task='classification', "
            "or class labels as integers or strings)"
        )
    return None


class QERC(Estimator):
    """Reservoir computing (an echo-state network) with a ridge readout, for regression and
    classification of time series; scikit-learn's estimator API over reservoirpy's model.

    A fixed random reservoir of ``n_reservoir`` leaky tanh units runs over the input,
    ``x[t] = (1 - a)·x[t-1] + a·tanh(W·x[t-1] + Win·u[t] + b)`` from ``x = 0``; only the linear
    readout ``y[t] = Wout_ᵀ·x[t] + intercept_`` is trained, by ridge regression
    (``(XᵀX + ridge·I)·Wout = XᵀY`` on centred data, the intercept unpenalised).

    Parameters (reservoirpy's names in brackets)
    ----------
    n_reservoir : int, default 100
        Reservoir units (``units``).
    spectral_radius : float, default 0.9
        Largest |eigenvalue| of ``W`` (``sr``); computed to rounding (restarted Arnoldi) up to
        2000 units, by power iteration beyond.
    leak_rate : float in (0, 1], default 1.0
        Leak rate ``a`` (``lr``); small values give slow, long-memory units.
    input_scaling : float, default 1.0
        ``Win`` is uniform in ``[-input_scaling, input_scaling]``.
    connectivity : float in (0, 1], default 0.1
        Fraction of nonzeros in each row of ``W`` (``rc_connectivity``); values are normal.
    input_connectivity : float in (0, 1], default 1.0
        Fraction of nonzeros of ``Win`` (reservoirpy defaults to 0.1).
    bias_scaling : float, default 1.0
        The bias ``b`` is uniform in ``[-bias_scaling, bias_scaling]``; 0 for none.
    ridge : float, default 1e-6
        L2 penalty of the readout (``Ridge(ridge=)``).
    washout : int, default 0
        Steps dropped at the start of every training sequence (``warmup``); ``fit`` and
        ``score`` skip them, ``predict`` still returns them.
    input_to_readout : bool, default False
        The readout also reads ``u[t]`` (reservoirpy's ``ESN(input_to_readout=True)``).
    task : {"auto", "regression", "classification"}, default "auto"
        ``"auto"``: classification when ``y`` holds integers, booleans or strings, regression
        when it holds floats.
    pooling : {"mean", "last"}, default "mean"
        For one target per sequence: the readout reads the mean of the states after the
        washout, or the last state.
    seed : int or None
        Seed of the reservoir; the same seed gives bit-identical results for any thread count.

    Inputs: ``X`` is one series (``(n_steps,)`` or ``(n_steps, n_features)``; pandas accepted),
    or several sequences (a list of such arrays, or a 3-D array). ``y`` gives a target per step
    (an array of ``n_steps`` rows for one series; a list of them, or an array whose first two
    axes match a 3-D ``X``) or one per sequence (``n_sequences`` rows); sequence models need
    ``X`` as a list or 3-D array in ``predict`` too.

    For scikit-learn a QERC is a classifier (``task="classification"``) or a regressor
    (``task="regression"``); with ``task="auto"`` it is neither until ``fit`` has seen ``y``.
    The parameters are stored as given and checked at ``fit``. Rows of a single series are
    time steps, so a prediction depends on the rows before it.

    Classification fits the readout to one-hot targets; ``predict`` returns the class of the
    highest score and ``predict_proba`` ``softmax(scores / temperature_)``, where the
    temperature is fitted by maximum likelihood on the training rows (temperature scaling,
    bounded to [0.01, 1000]).

    Fitted attributes: ``W_`` (dense ``n_reservoir``² copy of the sparse matrix), ``Win_``,
    ``bias_``, ``Wout_``, ``intercept_``, ``state_`` (the reservoir state after the last
    training sequence, or after the last ``predict(..., reset=False)``), ``n_features_in_``,
    ``feature_names_in_`` (when ``X`` was a pandas DataFrame with string column names),
    ``n_outputs_``, ``task_``, and for classification ``classes_`` and ``temperature_``.
    """

    # fitted attributes, set by ``fit`` all at once
    Win_: FloatArray
    bias_: FloatArray
    Wout_: FloatArray
    intercept_: FloatArray
    state_: FloatArray
    n_features_in_: int
    n_outputs_: int
    task_: Literal["regression", "classification"]
    classes_: npt.NDArray[Any]
    temperature_: float
    _reservoir: dict[str, Any]
    _pooling: Literal["mean", "last"] | None
    _fit_params: dict[str, Any]
    _output_ndim: int

    def __init__(
        self,
        n_reservoir: int = 100,
        spectral_radius: float = 0.9,
        leak_rate: float = 1.0,
        input_scaling: float = 1.0,
        connectivity: float = 0.1,
        input_connectivity: float = 1.0,
        bias_scaling: float = 1.0,
        ridge: float = 1e-6,
        washout: int = 0,
        input_to_readout: bool = False,
        task: Literal["auto", "regression", "classification"] = "auto",
        pooling: Literal["mean", "last"] = "mean",
        seed: int | None = None,
    ) -> None:
        self.n_reservoir = n_reservoir
        self.spectral_radius = spectral_radius
        self.leak_rate = leak_rate
        self.input_scaling = input_scaling
        self.connectivity = connectivity
        self.input_connectivity = input_connectivity
        self.bias_scaling = bias_scaling
        self.ridge = ridge
        self.washout = washout
        self.input_to_readout = input_to_readout
        self.task = task
        self.pooling = pooling
        self.seed = seed

    # -- scikit-learn protocol -------------------------------------------------------------

    def _sklearn_type(self) -> str | None:
        task = self.task if self.task != "auto" else self.__dict__.get("task_")
        if isinstance(task, str):
            return {"classification": "classifier", "regression": "regressor"}.get(task)
        return None

    def __sklearn_is_fitted__(self) -> bool:
        """Whether ``fit`` has run (scikit-learn's ``check_is_fitted`` asks)."""
        return "_reservoir" in self.__dict__

    def __sklearn_tags__(self) -> Any:
        """Those of :class:`Estimator`; a regressor's ``y`` may have several columns."""
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = self._sklearn_type() == "regressor"
        return tags

    def fit(self, X: Any, y: Any) -> QERC:
        """Fit the readout on the reservoir's response to ``X`` (see the class docs for the
        shapes of ``X`` and ``y``). A failed call leaves the model as it was."""
        params = _check_config(self.get_params())
        if y is None:
            raise InvalidInputError("QERC requires y to be passed, but the target y is None")
        seqs, kind = _sequences(X)
        feature_names = self._input_names(X, reset=True)
        per_step = _per_step_targets(y, seqs, kind)
        # y's length is checked against X before anything copies it (a 10**9-long view of y)
        if per_step is not None and kind == "single" and np.ndim(per_step[0]) >= 1:
            if len(per_step[0]) != len(seqs[0]):
                raise InvalidInputError(f"X has {len(seqs[0])} steps but y has {len(per_step[0])} targets")
        if per_step is not None and ({t.ndim for t in per_step} - {1, 2} or len({t.ndim for t in per_step}) > 1):
            raise InvalidInputError("y must hold 1-D or 2-D targets per step, the same for every sequence")
        raw = _joined(per_step) if per_step is not None else as_array(y, "y")
        if raw.ndim == 0 or raw.size == 0:
            raise InvalidInputError(f"y must hold one target per step or per sequence, got shape {raw.shape}")
        if per_step is None and len(raw) != len(seqs):
            raise InvalidInputError(
                f"y must hold a target per step of each sequence or one per sequence: "
                f"{len(seqs)} sequences but y has {len(raw)} rows"
            )
        task = params["task"]
        if task == "auto":
            task = "classification" if raw.dtype.kind in "biuOSU" else "regression"
        fitted: dict[str, Any] = {"task_": task}
        target_names = ["y"] if per_step is None or len(per_step) == 1 else [f"y[{i}]" for i in range(len(per_step))]
        if task == "classification":
            if per_step is not None:
                per_step = [_labels(t, n) for t, n in zip(per_step, target_names, strict=True)]
                raw = _joined(per_step)
            else:
                raw = _labels(raw, "y")
            try:
                classes = np.unique(raw)
            except TypeError as exc:
                raise InvalidInputError(f"y's class labels must be comparable: {exc}") from None
            if len(classes) < 2:
                raise InvalidInputError(
                    f"classification needs at least two classes in y, got 1 class: {classes.tolist()}"
                )
            eye = np.eye(len(classes))

            def encode(labels: npt.NDArray[Any], name: str) -> RealArray:
                return eye[np.searchsorted(classes, labels)]

            fitted["classes_"] = classes
            fitted["_output_ndim"] = 1
        else:

            def encode(labels: npt.NDArray[Any], name: str) -> RealArray:
                t = real_array(labels, name)
                if t.ndim not in (1, 2):
                    raise InvalidInputError(f"{name} must be 1-D or 2-D, got shape {t.shape}")
                return t.reshape(-1, 1) if t.ndim == 1 else t

            fitted["_output_ndim"] = 1 if raw.ndim == 1 else 2
        if per_step is not None:
            targets: Any = [encode(t, n) for t, n in zip(per_step, target_names, strict=True)]
            pooling = None
        else:
            targets = encode(raw, "y")
            pooling = params["pooling"]
        reservoir = _native.qerc_reservoir(
            params["n_reservoir"],
            seqs[0].shape[1],
            params["spectral_radius"],
            params["leak_rate"],
            params["input_scaling"],
            params["connectivity"],
            params["input_connectivity"],
            params["bias_scaling"],
            params["seed"],
        )
        wout, intercept, beta, state, _ = _native.qerc_fit(
            reservoir,
            seqs,
            targets,
            params["washout"],
            pooling,
            params["input_to_readout"],
            params["ridge"],
            task == "classification",
        )
        fitted.update(
            {
                "_reservoir": reservoir,
                "_pooling": pooling,
                "_fit_params": params,
                "Win_": reservoir["Win"],
                "bias_": reservoir["bias"],
                "Wout_": wout,
                "intercept_": intercept,
                "state_": state,
                "n_features_in_": seqs[0].shape[1],
                "n_outputs_": wout.shape[1],
            }
        )
        if beta is not None:
            fitted["temperature_"] = 1.0 / beta
        if feature_names is not None:
            fitted["feature_names_in_"] = feature_names
        for name in ("classes_", "temperature_", "feature_names_in_"):
            self.__dict__.pop(name, None)
        self.__dict__.update(fitted)
        return self

    async def fit_async(self, X: Any, y: Any) -> QERC:
        """``fit`` off the event loop (the native work releases the GIL)."""
        return await _async.to_thread(self.fit, X, y)

    # -- prediction ------------------------------------------------------------------------

    def _check_fitted(self) -> None:
        if "_reservoir" not in self.__dict__:
            raise NotFittedError("this QERC instance is not fitted yet: call fit(X, y) first")

    def _inputs(self, X: Any) -> tuple[list[RealArray], str]:
        """``X`` as sequences for the fitted model (see :func:`_sequences`)."""
        self._check_fitted()
        seqs, kind = _sequences(X)
        widths = {s.shape[1] for s in seqs} - {self.n_features_in_}
        # a 1-D X is read as one feature; the error then says how to pass one step instead
        flat = bool(widths) and kind == "single" and np.asarray(X).ndim == 1
        self._check_input(X, min(widths, default=self.n_features_in_), flat=flat)
        return seqs, kind

    def _scores(self, seqs: list[RealArray], kind: str, reset: bool) -> list[FloatArray] | FloatArray:
        """Raw readout outputs: per step, one array per sequence; per sequence, one array."""
        if not isinstance(reset, (bool, np.bool_)):
            raise InvalidInputError(f"reset must be True or False, got {reset!r}")
        if self._pooling is not None and kind == "single":
            raise InvalidInputError(
                "this model was fitted with one target per sequence: pass X as a list of sequences "
                "or a 3-D array (e.g. [X] for a single sequence)"
            )
        start = None
        if not reset:
            if self._pooling is not None or kind != "single":
                raise InvalidInputError("reset=False continues a single series of a per-step model")
            start = self.state_
        params = self._fit_params
        out, state = _native.qerc_predict(
            self._reservoir,
            self.Wout_,
            self.intercept_,
            seqs,
            params["washout"],
            self._pooling,
            params["input_to_readout"],
            start,
        )
        if not reset:
            self.state_ = state
        scores: list[FloatArray] | FloatArray = out
        return scores

    @staticmethod
    def _shape(outs: list[Any], kind: str) -> Any:
        if kind == "single":
            return outs[0]
        if kind == "3d":
            return np.stack(outs)
        return outs

    def predict(self, X: Any, *, reset: bool = True) -> Any:
        """Predictions for ``X``: per step (the washout steps included) for a per-step model,
        one per sequence for a sequence model; class labels for classification.

        Every sequence starts from the zero state, as in ``fit``, so the same ``X`` always gives
        the same predictions. ``reset=False`` (one series, per-step models) starts from
        ``state_`` instead and leaves the final state there: a series that continues the
        training series or the previous call then runs on seamlessly.
        """
        seqs, kind = self._inputs(X)
        return self._predict(seqs, kind, reset)

    def _predict(self, seqs: list[RealArray], kind: str, reset: bool) -> Any:
        scores = self._scores(seqs, kind, reset)

        def label(s: FloatArray) -> npt.NDArray[Any]:
            if self.task_ == "classification":
                labels: npt.NDArray[Any] = self.classes_[np.argmax(s, axis=1)]
                return labels
            return s[:, 0] if self._output_ndim == 1 else s

        if isinstance(scores, np.ndarray):
            return label(scores)
        return self._shape([label(s) for s in scores], kind)

    @available_if(_without_probabilities)
    def predict_proba(self, X: Any, *, reset: bool = True) -> Any:
        """Class probabilities, ``softmax(scores / temperature_)``, columns in ``classes_``
        order; shaped like ``predict``'s output with a trailing class axis. Regressors (``task``
        ``"regression"``, or a fit that found ``y`` to be real values) have no ``predict_proba``."""
        seqs, kind = self._inputs(X)
        scores = self._scores(seqs, kind, reset)
        beta = 1.0 / self.temperature_

        def softmax(s: FloatArray) -> FloatArray:
            z = np.exp(beta * (s - s.max(axis=1, keepdims=True)))
            out: FloatArray = z / z.sum(axis=1, keepdims=True)
            return out

        if isinstance(scores, np.ndarray):
            return softmax(scores)
        return self._shape([softmax(s) for s in scores], kind)

    async def predict_async(self, X: Any, *, reset: bool = True) -> Any:
        """``predict`` off the event loop."""
        return await _async.to_thread(self.predict, X, reset=reset)

    async def predict_proba_async(self, X: Any, *, reset: bool = True) -> Any:
        """``predict_proba`` off the event loop."""
        return await _async.to_thread(self.predict_proba, X, reset=reset)

    def score(self, X: Any, y: Any) -> float:
        """R² (regression, averaged over outputs) or accuracy (classification), as
        scikit-learn's ``score``; per-step models skip each sequence's washout steps."""
        seqs, kind = self._inputs(X)
        pred = self._predict(seqs, kind, True)
        washout = self._fit_params["washout"]
        if self._pooling is None:
            truth = _per_step_targets(y, seqs, kind)
            if truth is None or len(truth) != len(seqs):
                raise InvalidInputError("y must hold a target per step of each sequence of X")
            preds = [pred] if kind == "single" else list(pred)
            for i, (t, s) in enumerate(zip(truth, seqs, strict=True)):
                if len(t) != len(s):
                    raise InvalidInputError(f"X[{i}] has {len(s)} steps but y[{i}] has {len(t)} targets")
            truth_all = np.concatenate([t[washout:] for t in truth])
            pred_all = np.concatenate([p[washout:] for p in preds])
        else:
            truth_all, pred_all = np.asarray(y), np.asarray(pred)
            if len(truth_all) != len(pred_all):
                raise InvalidInputError(f"X has {len(pred_all)} sequences but y has {len(truth_all)} targets")
        if self.task_ == "classification":
            return float(np.mean(_labels(truth_all, "y") == pred_all))
        return _r2(as_float_array(truth_all, "y", -1, False), np.asarray(pred_all, dtype=np.float64))

    # -- state -----------------------------------------------------------------------------

    def reset(self) -> QERC:
        """Set ``state_`` back to zero (the start of every sequence in ``fit``)."""
        self._check_fitted()
        self.state_ = np.zeros_like(self.state_)
        return self

    @property
    def W_(self) -> FloatArray:  # noqa: N802 (reservoirpy's and the literature's name for the matrix)
        """The recurrent weights as a dense ``n_reservoir × n_reservoir`` array (a copy)."""
        self._check_fitted()
        r = self._reservoir
        n = len(r["bias"])
        dense = np.zeros((n, n))
        rows = np.repeat(np.arange(n), np.diff(r["indptr"]))
        dense[rows, r["indices"]] = r["data"]
        return dense


QERC.__module__ = "quantumpanarchy.decision"
