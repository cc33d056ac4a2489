"""ONNX export of the fitted models of :mod:`quantumpanarchy.automl`: :func:`to_onnx` writes
the model's file with this package's own protobuf writer (no ``onnx`` package needed), using
only standard ``ai.onnx`` operators, so that :class:`quantumpanarchy.intelligence.OnnxModel`
(tract) and onnxruntime both run it.

More model classes plug in with one function each::

    @exporter(MyModel)
    def _my_model(model: MyModel, g: GraphBuilder, x: str) -> Regression | Classification:
        ...  # add nodes reading ``x`` (samples × features), return the output's names
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from .._decision._params import check_int
from ..exceptions import InvalidInputError
from . import protobuf as pb
from .learners import Scaled
from .linear import ElasticNet, Lasso, LinearRegression, LogisticRegression, Ridge
from .naive_bayes import GaussianNB
from .timeseries import Forecaster

__all__ = ["to_onnx"]

# opset 17 / IR 8: onnxruntime and tract-onnx 0.23 both run it, and every operator used here
# (Softmax on one axis since opset 13) has its current meaning there
OPSET = 17
IR_VERSION = 8
INPUT = "X"
BATCH = "N"


@dataclass(frozen=True)
class Regression:
    """A regressor's graph: ``value`` names its (samples × 1) prediction."""

    value: str


@dataclass(frozen=True)
class Classification:
    """A classifier's graph: ``probabilities`` names its (samples × classes) probabilities in
    ``classes`` order; ``decision``, when given, names the scores whose row-wise argmax is the
    model's ``predict`` (the probabilities' otherwise)."""

    probabilities: str
    classes: npt.NDArray[Any]
    decision: str | None = None


class GraphBuilder:
    """The nodes and initialisers of one graph under construction, its floats all of ``dtype``."""

    def __init__(self, dtype: np.dtype[Any]) -> None:
        self.dtype = dtype
        self.nodes: list[tuple[str, list[str], list[str], dict[str, pb.AttributeValue]]] = []
        self.initializers: dict[str, npt.NDArray[Any]] = {}
        self._count = 0

    def _name(self, hint: str) -> str:
        self._count += 1
        return f"{hint}_{self._count}"

    def constant(self, hint: str, array: Any) -> str:
        """An initialiser holding ``array``: floats cast to the graph's dtype, ints to int64."""
        arr = np.asarray(array)
        arr = arr.astype(np.int64 if arr.dtype.kind in "iub" else self.dtype)
        name = self._name(hint)
        self.initializers[name] = arr
        return name

    def op(self, op_type: str, *inputs: str, hint: str | None = None, **attrs: pb.AttributeValue) -> str:
        """One node of ``op_type`` with one output, whose name it returns."""
        out = self._name(hint or op_type.lower())
        self.nodes.append((op_type, list(inputs), [out], attrs))
        return out

    def affine(self, x: str, weights: npt.NDArray[Any], bias: npt.NDArray[Any], hint: str = "scores") -> str:
        """x · weights + bias (weights features × outputs, bias of the outputs)."""
        product = self.op("MatMul", x, self.constant("coef", weights))
        return self.op("Add", product, self.constant("intercept", bias), hint=hint)

    def export(self, model: Any, x: str) -> Regression | Classification:
        """The graph of ``model`` reading ``x``: the exporter registered for its class (or the
        nearest base class)."""
        return _exporter_for(model)(model, self, x)

    def rename(self, old: str, new: str) -> None:
        """Give the value ``old`` the graph-output name ``new``."""
        if old in self.initializers or old == INPUT:
            self.nodes.append(("Identity", [old], [new], {}))
            return
        for _, inputs, outputs, _ in self.nodes:
            inputs[:] = [new if i == old else i for i in inputs]
            outputs[:] = [new if o == old else o for o in outputs]


Exporter = Callable[[Any, GraphBuilder, str], Regression | Classification]
_EXPORTERS: dict[type, Exporter] = {}
F = TypeVar("F", bound=Exporter)


def exporter(*classes: type) -> Callable[[F], F]:
    """Register the decorated function as the exporter of ``classes`` (and their subclasses
    without one of their own)."""

    def register(function: F) -> F:
        for cls in classes:
            _EXPORTERS[cls] = function
        return function

    return register


def _exporter_for(model: Any) -> Exporter:
    for cls in type(model).__mro__:
        if cls in _EXPORTERS:
            return _EXPORTERS[cls]
    supported = ", ".join(sorted(c.__name__ for c in _EXPORTERS))
    raise InvalidInputError(f"to_onnx cannot export a {type(model).__name__}: the supported models are {supported}")


def _n_features(model: Any) -> int:
    if isinstance(model, Scaled):
        if not hasattr(model, "mean_"):
            _n_features(model.model)  # the inner model's "not fitted" error
        return len(model.mean_)
    if hasattr(model, "_fitted"):
        model._fitted()
    n = getattr(model, "n_features_in_", None)
    if n is None:
        raise InvalidInputError(f"this {type(model).__name__} is not fitted: fit it before exporting")
    return int(n)


def _float_dtype(dtype: Any) -> np.dtype[Any]:
    try:
        kind = None if dtype is None else np.dtype(dtype)  # np.dtype(None) would be float64
    except TypeError:
        kind = None
    for allowed in (np.dtype(np.float32), np.dtype(np.float64)):
        if kind is not None and kind == allowed:
            return allowed
    raise InvalidInputError(f"dtype must be 'float32' or 'float64', got {dtype!r}")


def _integer_labels(classes: npt.NDArray[Any]) -> npt.NDArray[np.int64] | None:
    """The class labels as int64 when they are integers (ints, bools, integral floats) that
    int64 holds; None otherwise."""
    if classes.dtype.kind not in "iubf":
        return None
    values = classes.astype(np.float64)
    if not np.all(values == np.round(values)) or np.abs(values).max(initial=0.0) >= 2.0**63:
        return None
    return classes.astype(np.int64)


def to_onnx(model: Any, n_features: int | None = None, dtype: Any = "float32") -> bytes:
    """A fitted model of :mod:`quantumpanarchy.automl` as an ONNX file (the bytes).

    The graph takes one input ``"X"`` (samples × features, of ``dtype``; the batch dimension is
    dynamic, named ``"N"``) and has skl2onnx's outputs: a regressor's ``"variable"``
    (samples × 1, ``dtype``); a classifier's ``"label"`` (samples, int64) and
    ``"probabilities"`` (samples × classes, ``dtype``, columns in ``classes_`` order). When the
    class labels are integers, ``"label"`` holds the labels themselves; otherwise (strings, say)
    it holds each row's class index into ``classes_`` (``model.classes_[label]`` gives the
    labels), since the graph keeps to numeric tensors. Only standard ``ai.onnx`` operators at
    opset 17 are used, so :class:`quantumpanarchy.intelligence.OnnxModel` and onnxruntime both
    run the file; writing it needs no ``onnx`` package.

    Parameters
    ----------
    model : fitted model
        ``LinearRegression``, ``Ridge``, ``Lasso``, ``ElasticNet``, ``LogisticRegression``,
        ``GaussianNB``, a model the AutoML search wrapped in standardisation, or a fitted
        :class:`PBitAutoML` (its best model).
    n_features : int, optional
        The number of features; checked against the model's when given.
    dtype : {"float32", "float64"}
        The element type of the input and of the float outputs. The weights are rounded to it:
        float32 agrees with the model's float64 predictions to about 1e-5 relative (a
        GaussianNB with a large spread of variances may want float64).

    Returns
    -------
    bytes
        The serialised ``ModelProto``: pass it to ``OnnxModel``, to
        ``onnxruntime.InferenceSession`` or write it to a ``.onnx`` file.

    Raises
    ------
    InvalidInputError
        A model of a class without an exporter (the message lists the supported ones), a
        ``dtype`` other than float32/float64, or ``n_features`` that differs from the model's.
    InvalidTypeError
        ``n_features`` that is not an integer.
    NotFittedError
        A model not fitted yet.

    Examples
    --------
    >>> import numpy as np
    >>> from quantumpanarchy.automl import Ridge, to_onnx
    >>> from quantumpanarchy.intelligence import OnnxModel
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0], [3.0, 1.0]])
    >>> model = Ridge(alpha=0.1).fit(X, X @ [1.0, 2.0])
    >>> onnx_model = OnnxModel(to_onnx(model))
    >>> out = onnx_model.run(None, {"X": X.astype(np.float32)})[0]
    >>> bool(np.allclose(out[:, 0], model.predict(X), rtol=1e-5))
    True
    """
    if type(model).__name__ == "PBitAutoML":  # matched by name: the engine imports this module
        model = model.model
    if isinstance(model, Forecaster):
        raise InvalidInputError(
            "a time-series forecaster cannot be exported to ONNX: its recursive forecast feeds each prediction "
            "back as the next step's lag, a loop over the horizon rather than a single graph (its one-step "
            "model, .model, can be exported where its learner is supported)"
        )
    float_type = _float_dtype(dtype)
    _exporter_for(model)  # an unsupported model fails before anything else is checked
    d = _n_features(model)
    if n_features is not None and check_int(n_features, "n_features", 1) != d:
        raise InvalidInputError(f"n_features is {n_features} but the {type(model).__name__} was fitted on {d} features")
    g = GraphBuilder(float_type)
    result = g.export(model, INPUT)
    elem = pb.FLOAT if float_type == np.float32 else pb.DOUBLE
    if isinstance(result, Regression):
        g.rename(result.value, "variable")
        outputs = [pb.value_info("variable", elem, [BATCH, 1])]
    else:
        k = len(result.classes)
        index = g.op("ArgMax", result.decision or result.probabilities, hint="index", axis=1, keepdims=0)
        labels = _integer_labels(result.classes)
        if labels is not None:
            index = g.op("Gather", g.constant("classes", labels), index, hint="label", axis=0)
        g.rename(index, "label")
        g.rename(result.probabilities, "probabilities")
        outputs = [pb.value_info("label", pb.INT64, [BATCH]), pb.value_info("probabilities", elem, [BATCH, k])]
    nodes = [pb.node(op, ins, outs, f"{op}_{i}", attrs) for i, (op, ins, outs, attrs) in enumerate(g.nodes)]
    inits = [pb.tensor(name, arr) for name, arr in g.initializers.items()]
    graph = pb.graph(nodes, type(model).__name__, inits, [pb.value_info(INPUT, elem, [BATCH, d])], outputs)
    from .. import __version__

    return pb.model(graph, OPSET, IR_VERSION, __version__)


# --- the exporters -------------------------------------------------------------------------------


@exporter(LinearRegression, Ridge, Lasso, ElasticNet)
def _linear(model: Any, g: GraphBuilder, x: str) -> Regression:
    coef = np.asarray(model.coef_, dtype=np.float64).reshape(-1, 1)
    return Regression(g.affine(x, coef, np.array([model.intercept_], dtype=np.float64), hint="value"))


@exporter(LogisticRegression)
def _logistic(model: LogisticRegression, g: GraphBuilder, x: str) -> Classification:
    z = g.affine(x, np.asarray(model.coef_).T, np.asarray(model.intercept_))
    if len(model.classes_) == 2:
        # one score column: p = sigmoid(z) for classes_[1], 1 − p for classes_[0], as the model;
        # sigmoid as 1 / (1 + exp(−z)) since tract's Sigmoid has no float64 (exp(−z) = inf gives 0)
        one = g.constant("one", np.ones(1))
        p = g.op("Div", one, g.op("Add", one, g.op("Exp", g.op("Neg", z))), hint="sigmoid")
        q = g.op("Sub", one, p)
        return Classification(g.op("Concat", q, p, hint="proba", axis=1), model.classes_)
    return Classification(g.op("Softmax", z, hint="proba", axis=1), model.classes_)


@exporter(GaussianNB)
def _gaussian_nb(model: GaussianNB, g: GraphBuilder, x: str) -> Classification:
    # The joint log-likelihood, expanded as a quadratic in x so that it is two MatMuls:
    # log prior_c − ½Σ log 2πσ²_cj − ½Σ (x_j − θ_cj)²/σ²_cj. Centring x on the mean of the class
    # means first keeps the expansion from cancelling large terms (in float32 above all).
    theta, var = np.asarray(model.theta_, dtype=np.float64), np.asarray(model.var_, dtype=np.float64)
    centre = theta.mean(axis=0)
    t = theta - centre
    with np.errstate(divide="ignore"):
        log_prior = np.log(np.asarray(model.class_prior_, dtype=np.float64))
    const = log_prior - 0.5 * np.log(2.0 * np.pi * var).sum(axis=1) - 0.5 * (t * t / var).sum(axis=1)
    xc = g.op("Sub", x, g.constant("centre", centre))
    square = g.op("MatMul", g.op("Mul", xc, xc), g.constant("half_precision", (-0.5 / var).T))
    linear = g.affine(xc, (t / var).T, const, hint="linear")
    jll = g.op("Add", square, linear, hint="jll")
    # Softmax is the log-sum-exp normalisation exponentiated: exp(jll − logsumexp(jll))
    return Classification(g.op("Softmax", jll, hint="proba", axis=1), model.classes_, decision=jll)


@exporter(Scaled)
def _scaled(model: Scaled, g: GraphBuilder, x: str) -> Regression | Classification:
    centred = g.op("Sub", x, g.constant("mean", model.mean_))
    return g.export(model.model, g.op("Div", centred, g.constant("scale", model.scale_), hint="scaled"))
