"""Conversion of array-like arguments, shared by every submodule (the Rust bindings call these).

Errors are :class:`InvalidInputError` naming the argument; float64 arrays pass without a copy.
The bindings read float16/float32/float64 numpy arrays themselves and call these for the rest.
"""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from .exceptions import InvalidInputError, ResourceLimitError

F = TypeVar("F", bound=Callable[..., Any])


@contextlib.contextmanager
def memory_for(name: str) -> Iterator[None]:
    """numpy's ``MemoryError`` (a conversion too large for memory) as ``ResourceLimitError``
    naming the argument, so callers see one exception class for memory whatever failed."""
    try:
        yield
    except ResourceLimitError:
        raise
    except MemoryError as exc:
        raise ResourceLimitError(f"converting {name} needs more memory than can be allocated here: {exc}") from None


def _names_memory(f: F) -> F:
    """Run ``f(x, name, ...)`` under :func:`memory_for` ``(name)``."""

    @functools.wraps(f)
    def wrapper(x: Any, name: str, *args: Any) -> Any:
        with memory_for(name):
            return f(x, name, *args)

    return wrapper  # type: ignore[return-value]


@_names_memory
def as_array(x: Any, name: str) -> npt.NDArray[Any]:
    """``np.asarray(x)``; what numpy cannot make an array of (ragged lists and the like) raises
    ``InvalidInputError`` naming ``name``, and what does not fit in memory ``ResourceLimitError``."""
    try:
        return np.asarray(x)
    except (ValueError, TypeError) as exc:
        raise InvalidInputError(f"{name} must be array-like: {exc}") from None


def is_sparse(x: Any) -> bool:
    """Whether ``x`` is a scipy.sparse matrix or array. scipy is optional and never imported
    here: a scipy sparse object exists only once ``scipy.sparse`` is loaded."""
    sparse = sys.modules.get("scipy.sparse")
    return sparse is not None and bool(sparse.issparse(x))


def _as_numeric(x: Any, name: str) -> npt.NDArray[Any]:
    """``x`` as an array of booleans, integers or floats. Object arrays are refused, even of
    numbers: numpy would turn a None among them into NaN without a word. (The estimators'
    ``real_array`` converts numeric object arrays, as scikit-learn's ``check_array`` does.)"""
    arr = as_array(x, name)
    if arr.dtype.kind not in "fiub":
        raise InvalidInputError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    return arr


@_names_memory
def as_float_array(x: Any, name: str, ndim: int, allow_empty: bool) -> npt.NDArray[np.float64]:
    """``x`` as a float64 array with ``ndim`` dimensions (``ndim=-1``: 1-D or 2-D)."""
    arr = _as_numeric(x, name)
    if arr.dtype.kind == "b":
        raise InvalidInputError(f"{name} must hold real numbers, got booleans")
    if ndim == -1:
        if arr.ndim not in (1, 2):
            raise InvalidInputError(f"{name} must be 1-D or 2-D, got shape {arr.shape}")
    elif arr.ndim != ndim:
        raise InvalidInputError(f"{name} must be {ndim}-D, got shape {arr.shape}")
    if arr.size == 0 and not allow_empty:
        raise InvalidInputError(f"{name} must not be empty, got shape {arr.shape}")
    return arr.astype(np.float64, copy=False)


@_names_memory
def as_index_array(x: Any, name: str) -> npt.NDArray[np.int64]:
    """``x`` as 1-D int64 indices; floats must hold whole numbers."""
    arr = _as_numeric(x, name)
    if arr.ndim != 1:
        raise InvalidInputError(f"{name} must be 1-D, got shape {arr.shape}")
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
            raise InvalidInputError(f"{name} must hold whole-number indices")
    elif arr.dtype.kind == "b":
        raise InvalidInputError(f"{name} must hold integer indices, got booleans")
    elif arr.dtype.kind == "u" and arr.size and arr.max() > np.iinfo(np.int64).max:
        raise InvalidInputError(f"{name} holds an index too large for any network: {arr.max()}")
    return arr.astype(np.int64, copy=False)


#: Spins converted per numpy pass in :func:`as_spin_array` (a few milliseconds each).
SPIN_BLOCK = 1 << 22


@_names_memory
def as_spin_array(x: Any, name: str, binary: bool) -> npt.NDArray[np.int8]:
    """One state (1-D) or a batch (2-D) as int8 spins ±1; with ``binary``, 0/1 are accepted
    too (0 means -1), but not mixed with -1."""
    arr = _as_numeric(x, name)
    if arr.ndim not in (1, 2):
        raise InvalidInputError(f"{name} must be 1-D (one state) or 2-D (one per row), got shape {arr.shape}")
    if arr.size == 0:
        raise InvalidInputError(f"{name} must not be empty")
    if arr.dtype.kind == "b":
        raise InvalidInputError(f"{name} must hold spins -1/+1, got booleans")
    # Convert and check with a few linear passes (np.unique would sort the whole batch), a block
    # of rows at a time: one numpy pass over 10**9 spins takes about a second and ignores Ctrl-C,
    # which Python answers between blocks.
    out = np.empty(arr.shape, dtype=np.int8)
    step = max(1, SPIN_BLOCK // (arr.shape[1] if arr.ndim == 2 else 1))
    exact, low, high, zeros = True, 1, -1, 0
    for start in range(0, arr.shape[0], step):
        block, copy = arr[start : start + step], out[start : start + step]
        with np.errstate(invalid="ignore", over="ignore"):
            np.copyto(copy, block, casting="unsafe")
        exact = exact and (arr.dtype == np.int8 or bool(np.array_equal(copy, block)))
        low, high = min(low, int(copy.min())), max(high, int(copy.max()))
        zeros += copy.size - int(np.count_nonzero(copy))
    if not exact or low < -1 or high > 1 or (zeros and (not binary or low == -1)):
        _refuse_spins(arr, name, binary)
    if zeros:  # bits 0/1: 2x - 1, in place on the copy
        out *= 2
        out -= 1
    return out


def _refuse_spins(arr: npt.NDArray[Any], name: str, binary: bool) -> None:
    """The ``InvalidInputError`` for spins that are not all -1/+1 (or, with ``binary``, 0/1),
    showing up to five offending values."""
    allowed = [-1, 1] + ([0] if binary else [])
    bad = np.unique(arr[~np.isin(arr, allowed)].ravel()[:1000]).tolist()[:5]
    what = "spins -1/+1 or bits 0/1" if binary else "spins -1/+1"
    raise InvalidInputError(f"{name} must hold {what}, found {bad if bad else [0, -1]}")


def sparse_coo(x: Any) -> tuple[int, Any, Any, Any] | None:
    """``(n, row, col, data)`` of a square scipy.sparse matrix or array ``x`` (its COO form,
    duplicates kept: the core adds them up), or None when ``x`` is not one (see :func:`is_sparse`).
    """
    if not is_sparse(x):
        return None
    shape = tuple(x.shape)
    if len(shape) != 2 or shape[0] != shape[1]:
        raise InvalidInputError(f"J must be square, got shape {shape}")
    coo = x.tocoo(copy=False)
    return int(shape[0]), coo.row, coo.col, coo.data
