"""A small writer of the protobuf wire format and of the ONNX messages a model export needs, so
that :func:`~quantumpanarchy.automl.to_onnx` works without the ``onnx`` package.

Each message is built as ``bytes`` (its fields in field-number order of the writing, which
protobuf readers accept in any order). Field numbers are those of ``onnx/onnx.proto3``."""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

# wire types
_VARINT, _I64, _LEN, _I32 = 0, 1, 2, 5

# TensorProto.DataType
FLOAT, INT64, DOUBLE = 1, 7, 11
_DATA_TYPES = {np.dtype(np.float32): FLOAT, np.dtype(np.int64): INT64, np.dtype(np.float64): DOUBLE}

# AttributeProto.AttributeType
_A_FLOAT, _A_INT, _A_STRING, _A_TENSOR, _A_FLOATS, _A_INTS, _A_STRINGS = 1, 2, 3, 4, 6, 7, 8

AttributeValue = float | int | str | bytes | npt.NDArray[np.generic] | Sequence[float] | Sequence[int] | Sequence[str]


def varint(value: int) -> bytes:
    """``value`` as a base-128 varint; negatives as their 64-bit two's complement (10 bytes), as
    protobuf writes int32/int64."""
    value &= (1 << 64) - 1
    out = bytearray()
    while True:
        low = value & 0x7F
        value >>= 7
        if value:
            out.append(low | 0x80)
        else:
            out.append(low)
            return bytes(out)


def _key(field: int, wire: int) -> bytes:
    return varint((field << 3) | wire)


def int_field(field: int, value: int) -> bytes:
    """An int32/int64/enum field."""
    return _key(field, _VARINT) + varint(value)


def bytes_field(field: int, value: bytes | str) -> bytes:
    """A length-delimited field: a string (UTF-8), bytes or an embedded message."""
    data = value.encode("utf-8") if isinstance(value, str) else value
    return _key(field, _LEN) + varint(len(data)) + data


def float_field(field: int, value: float) -> bytes:
    """A ``float`` (fixed32) field."""
    return _key(field, _I32) + struct.pack("<f", value)


def packed_ints(field: int, values: Iterable[int]) -> bytes:
    """A packed repeated int64 field (proto3's default encoding of repeated scalars)."""
    return bytes_field(field, b"".join(varint(v) for v in values))


def packed_floats(field: int, values: Sequence[float]) -> bytes:
    """A packed repeated float field."""
    return bytes_field(field, struct.pack(f"<{len(values)}f", *values))


# --- the ONNX messages -----------------------------------------------------------------------------


def tensor(name: str, array: npt.NDArray[np.generic]) -> bytes:
    """TensorProto: ``array`` (float32, float64 or int64) as little-endian ``raw_data``."""
    arr = np.asarray(array)
    native = arr.dtype.newbyteorder("=")
    data_type = _DATA_TYPES[native]
    raw = arr.astype(native.newbyteorder("<"), copy=False).tobytes(order="C")
    return packed_ints(1, arr.shape) + int_field(2, data_type) + bytes_field(8, name) + bytes_field(9, raw)


def attribute(name: str, value: AttributeValue) -> bytes:
    """AttributeProto, its type read from ``value``: int, float, str/bytes, a numpy array (a
    tensor), or a list of ints, floats or strings."""
    head = bytes_field(1, name)
    if isinstance(value, bool | int | np.integer):
        return head + int_field(20, _A_INT) + int_field(3, int(value))
    if isinstance(value, float | np.floating):
        return head + int_field(20, _A_FLOAT) + float_field(2, float(value))
    if isinstance(value, str | bytes):
        return head + int_field(20, _A_STRING) + bytes_field(4, value)
    if isinstance(value, np.ndarray):
        return head + int_field(20, _A_TENSOR) + bytes_field(5, tensor("", value))
    items: list[Any] = list(value)
    if items and all(isinstance(v, str | bytes) for v in items):
        return head + int_field(20, _A_STRINGS) + b"".join(bytes_field(9, v) for v in items)
    if all(isinstance(v, bool | int | np.integer) for v in items):
        return head + int_field(20, _A_INTS) + packed_ints(8, (int(v) for v in items))
    return head + int_field(20, _A_FLOATS) + packed_floats(7, [float(v) for v in items])


def node(
    op_type: str,
    inputs: Sequence[str],
    outputs: Sequence[str],
    name: str,
    attributes: dict[str, AttributeValue] | None = None,
    domain: str = "",
) -> bytes:
    """NodeProto."""
    out = b"".join(bytes_field(1, i) for i in inputs) + b"".join(bytes_field(2, o) for o in outputs)
    out += bytes_field(3, name) + bytes_field(4, op_type)
    out += b"".join(bytes_field(5, attribute(k, v)) for k, v in (attributes or {}).items())
    if domain:
        out += bytes_field(7, domain)
    return out


def value_info(name: str, elem_type: int, shape: Sequence[int | str]) -> bytes:
    """ValueInfoProto of a tensor: ``shape`` holds ints (``dim_value``) and names
    (``dim_param``, a dynamic dimension such as the batch ``"N"``)."""
    dims = b"".join(
        bytes_field(1, bytes_field(2, d) if isinstance(d, str) else int_field(1, d)) for d in shape
    )  # TensorShapeProto.dim: Dimension{dim_value = 1 | dim_param = 2}
    tensor_type = int_field(1, elem_type) + bytes_field(2, dims)  # TypeProto.Tensor
    return bytes_field(1, name) + bytes_field(2, bytes_field(1, tensor_type))  # TypeProto.tensor_type = 1


def graph(
    nodes: Sequence[bytes],
    name: str,
    initializers: Sequence[bytes],
    inputs: Sequence[bytes],
    outputs: Sequence[bytes],
) -> bytes:
    """GraphProto of serialised nodes, initialisers (TensorProto) and inputs/outputs
    (ValueInfoProto)."""
    out = b"".join(bytes_field(1, n) for n in nodes) + bytes_field(2, name)
    out += b"".join(bytes_field(5, t) for t in initializers)
    out += b"".join(bytes_field(11, v) for v in inputs) + b"".join(bytes_field(12, v) for v in outputs)
    return out


def model(graph_bytes: bytes, opset: int, ir_version: int, producer_version: str = "") -> bytes:
    """ModelProto of one graph importing the default domain (ai.onnx) at ``opset``."""
    out = int_field(1, ir_version) + bytes_field(2, "quantumpanarchy")
    if producer_version:
        out += bytes_field(3, producer_version)
    out += bytes_field(7, graph_bytes)
    return out + bytes_field(8, bytes_field(1, "") + int_field(2, opset))  # OperatorSetIdProto
