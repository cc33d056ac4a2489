"""dimod-style input (BQMs, ``(h, J)`` and ``Q`` dicts) as arrays for the Rust core.

Every function returns ``(vartype, variables, linear, rows, cols, quad, offset)`` in dimod's
convention, E = Σ linear_i v_i + Σ_k quad_k v_{rows_k} v_{cols_k} + offset; the core converts
to its physics convention. Labels are kept so results can be reported against them.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from ._validation import as_array, memory_for
from .exceptions import InvalidInputError

Arrays = tuple[
    str,
    list[Hashable],
    npt.NDArray[np.float64],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.float64],
    float,
]


def _order(labels: Iterable[Hashable]) -> list[Hashable]:
    seen = list(dict.fromkeys(labels))
    if all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in seen):
        return sorted(seen, key=lambda v: int(cast(int, v)))
    return seen


def _real(value: Any, what: str) -> float:
    """A bias as a float, or InvalidInputError naming it."""
    if isinstance(value, (complex, np.complexfloating, str, bytes)):
        raise InvalidInputError(f"{what} must be a real number, got {value!r}")
    try:
        return float(value)
    except OverflowError:
        raise InvalidInputError(f"{what} must be within float range (|x| < 1.8e308)") from None
    except (TypeError, ValueError):
        raise InvalidInputError(f"{what} must be a real number, got {value!r}") from None


def _pairs(J: Any, name: str) -> list[tuple[Hashable, Hashable, float]]:
    if not isinstance(J, Mapping):
        raise InvalidInputError(f"{name} must be a dict {{(u, v): bias}}, got {type(J).__name__}")
    out = []
    for key, bias in J.items():
        if not (isinstance(key, tuple) and len(key) == 2):
            raise InvalidInputError(f"{name} keys must be pairs (u, v), got {key!r}")
        out.append((key[0], key[1], _real(bias, f"{name}[{key!r}]")))
    return out


def _assemble(
    vartype: str, linear: Mapping[Hashable, float], quad: list[tuple[Hashable, Hashable, float]], offset: float
) -> Arrays:
    variables = _order([*linear, *(u for u, _, _ in quad), *(v for _, v, _ in quad)])
    if not variables:
        raise InvalidInputError("the problem has no variables")
    index = {v: k for k, v in enumerate(variables)}
    lin = np.zeros(len(variables))
    for v, b in linear.items():
        lin[index[v]] += b
    rows = np.array([index[u] for u, _, _ in quad], dtype=np.int64)
    cols = np.array([index[v] for _, v, _ in quad], dtype=np.int64)
    vals = np.array([b for _, _, b in quad], dtype=np.float64)
    return vartype, variables, lin, rows, cols, vals, float(offset)


def _sequence(h: Any) -> list[Any]:
    arr = as_array(h, "h")
    if arr.ndim != 1:
        raise InvalidInputError(f"h must be a dict or 1-D, got shape {arr.shape}")
    return list(arr.tolist())


def ising_dicts_to_arrays(h: Any, J: Any, offset: float) -> Arrays:
    """dimod's ``sample_ising(h, J)`` input: h a dict or a sequence (index labels)."""
    with memory_for("h"):  # numpy's or Python's MemoryError as ResourceLimitError naming h
        items = h.items() if isinstance(h, Mapping) else enumerate(_sequence(h))
        linear = {k: _real(v, f"h[{k!r}]") for k, v in items}
    with memory_for("J"):
        quad = _pairs(J, "J")
    for u, v, _ in quad:
        if u == v:
            raise InvalidInputError(f"J has a self-coupling on {u!r}; a spin cannot couple to itself")
    with memory_for("h and J"):
        return _assemble("SPIN", linear, quad, _real(offset, "offset"))


def qubo_dict_to_arrays(Q: Any) -> Arrays:
    """dimod's ``sample_qubo(Q)`` input: {(u, v): bias}, (u, u) entries are linear."""
    linear: dict[Hashable, float] = {}
    quad = []
    with memory_for("Q"):
        for u, v, b in _pairs(Q, "Q"):
            if u == v:
                linear[u] = linear.get(u, 0.0) + b
            else:
                quad.append((u, v, b))
        return _assemble("BINARY", linear, quad, 0.0)


def bqm_to_arrays(bqm: Any) -> Arrays:
    """A dimod BinaryQuadraticModel (or anything with its ``vartype``, ``variables`` and
    ``to_numpy_vectors``)."""
    try:
        vartype = bqm.vartype.name
        variables = list(bqm.variables)
        lin, (irow, icol, qdata), offset = bqm.to_numpy_vectors(variable_order=variables)
    except AttributeError as exc:
        raise InvalidInputError(f"expected a dimod BinaryQuadraticModel, got {type(bqm).__name__}") from exc
    if vartype not in ("SPIN", "BINARY"):
        raise InvalidInputError(f"unsupported vartype {vartype!r}")
    if not variables:
        raise InvalidInputError("the BQM has no variables")
    with memory_for("the BQM"):
        return (
            vartype,
            variables,
            np.asarray(lin, dtype=np.float64),
            np.asarray(irow, dtype=np.int64),
            np.asarray(icol, dtype=np.int64),
            np.asarray(qdata, dtype=np.float64),
            _real(offset, "the BQM's offset"),
        )
