"""ONNX inference in Rust (tract) with onnxruntime's calling convention. See
``docs/intelligence-onnx.md``."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy.typing as npt

from .._native import intelligence as _native
from ..exceptions import InvalidInputError, InvalidTypeError

__all__ = ["NodeArg", "OnnxModel"]


@dataclass(frozen=True)
class NodeArg:
    """A graph input or output as onnxruntime's ``NodeArg`` describes it.

    Attributes
    ----------
    name : str
        The name ``run`` takes in its inputs dict and ``output_names``.
    shape : list of int, str or None, or None
        The declared shape: ints for fixed dimensions, the symbol's name (``"N"``) for a named
        dynamic dimension, None for an unnamed one; None where the file declares no shape.
    type : str
        onnxruntime's type text: ``"tensor(float)"``, ``"tensor(double)"``, ``"tensor(int64)"``, ...
    """

    name: str
    shape: list[int | str | None] | None
    type: str


def _records(raw: list[tuple[str, list[int | str | None] | None, str]]) -> list[NodeArg]:
    return [NodeArg(name, shape, type_) for name, shape, type_ in raw]


class OnnxModel:
    """An ONNX model run by tract (Rust), called as onnxruntime's ``InferenceSession``.

    Parameters
    ----------
    path_or_bytes : str, os.PathLike or bytes-like
        The ``.onnx`` file, or its contents (``model.SerializeToString()``). The model must hold
        its weights (no external data files).

    Raises
    ------
    InvalidInputError
        Bytes that are not an ONNX model, a graph tract cannot read, or an operator it does not
        implement: the message names the operator and its node. skl2onnx's ``ZipMap`` (a list
        of dicts of probabilities) is one: convert classifiers with
        ``options={id(model): {"zipmap": False}}``.
    InvalidTypeError
        ``path_or_bytes`` of another type.
    FileNotFoundError
        No file at the path.

    Notes
    -----
    tract optimises a graph for concrete input shapes, so the first call with a new input
    shape (a new batch size) optimises a plan for it, and the plans of the last 8 shapes are
    kept: later calls with those shapes go straight to inference. ``run`` releases the GIL, and
    one model may be called from many threads at once. A pickle carries the model's bytes.

    Examples
    --------
    >>> import numpy as np
    >>> from onnx import TensorProto, helper
    >>> x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3])
    >>> y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 3])
    >>> graph = helper.make_graph([helper.make_node("Relu", ["x"], ["y"])], "g", [x], [y])
    >>> model = OnnxModel(helper.make_model(graph).SerializeToString())
    >>> model.run(None, {"x": np.array([[-1.0, 0.5, 2.0]], dtype=np.float32)})[0]
    array([[0. , 0.5, 2. ]], dtype=float32)
    """

    __slots__ = ("_core",)

    def __init__(self, path_or_bytes: str | os.PathLike[str] | bytes | bytearray | memoryview) -> None:
        if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
            data = bytes(path_or_bytes)
        elif isinstance(path_or_bytes, (str, os.PathLike)):
            data = Path(path_or_bytes).read_bytes()
        else:
            name = type(path_or_bytes).__name__
            raise InvalidTypeError(f"path_or_bytes must be a path or the model's bytes, got {name}")
        self._core = _native.OnnxModelCore(data)

    def run(
        self,
        output_names: Sequence[str] | None,
        inputs: Mapping[str, npt.NDArray[Any]] | None = None,
        run_options: None = None,
        *,
        input_feed: Mapping[str, npt.NDArray[Any]] | None = None,
    ) -> list[npt.NDArray[Any]]:
        """Run the model, as ``InferenceSession.run``.

        Parameters
        ----------
        output_names : list of str or None
            The outputs to return, in this order; None returns every output in the graph's order.
        inputs : dict of str to numpy.ndarray
            One array per graph input, of the declared element type (float32 for
            ``tensor(float)``, float64 for ``tensor(double)``, int64, int32, bool, ...) and rank;
            dynamic dimensions (a batch dimension) take any length. NaN is data, as in onnxruntime.
        run_options : None
            Accepted for onnxruntime's signature; must be None.
        input_feed : dict of str to numpy.ndarray
            onnxruntime's name for ``inputs``, for callers that pass it by keyword; give one
            of the two.

        Returns
        -------
        list of numpy.ndarray
            The outputs' values (string tensors as object arrays of str).

        Raises
        ------
        InvalidInputError
            An unknown or missing input or output name, an array of another rank or a fixed
            dimension of another length, or a graph that fails on these shapes.
        InvalidTypeError
            An input that is not a numpy array or has another element type.
        """
        if run_options is not None:
            raise InvalidTypeError("run_options is not supported: pass None")
        if (inputs is None) == (input_feed is None):
            raise InvalidInputError("pass the input arrays once: as inputs (or positionally), or as input_feed")
        if inputs is None:
            inputs = input_feed
        if type(inputs) is not dict:
            if not isinstance(inputs, Mapping):
                raise InvalidTypeError(f"inputs must be a dict of name to array, got {type(inputs).__name__}")
            inputs = dict(inputs)
        out: list[npt.NDArray[Any]] = self._core.run(output_names, inputs)
        return out

    def get_inputs(self) -> list[NodeArg]:
        """The graph's inputs (its initialised weights left out), as onnxruntime lists them."""
        return _records(self._core.inputs())

    def get_outputs(self) -> list[NodeArg]:
        """The graph's outputs, in order."""
        return _records(self._core.outputs())

    @property
    def cached_plans(self) -> int:
        """How many input shapes have an optimised plan cached (at most 8)."""
        return int(self._core.cached_plans())

    def to_bytes(self) -> bytes:
        """The model's file, as it was given."""
        data: bytes = self._core.model_bytes()
        return data

    def __reduce__(self) -> tuple[type[OnnxModel], tuple[bytes]]:
        return (OnnxModel, (self.to_bytes(),))

    def __repr__(self) -> str:
        def show(args: list[NodeArg]) -> str:
            return ", ".join(f"{a.name}: {a.type}{a.shape if a.shape is not None else ''}" for a in args)

        return f"OnnxModel(inputs=[{show(self.get_inputs())}], outputs=[{show(self.get_outputs())}])"
