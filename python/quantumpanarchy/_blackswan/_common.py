"""Argument checks shared by the blackswan functions."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from .._decision._params import check_real
from .._validation import as_float_array, memory_for
from ..exceptions import InvalidInputError


def values_1d(data: Any, name: str) -> npt.NDArray[np.float64]:
    """``data`` (array-like, pandas Series) as a non-empty 1-D float64 array, finite."""
    if type(data).__module__.startswith("pandas"):
        data = data.to_numpy()
    arr = as_float_array(data, name, 1, False)
    with memory_for(name):  # a broadcast view of 10**9 values fails here at once, not in a slow scan
        arr = np.ascontiguousarray(arr)
    bad = ~np.isfinite(arr)
    if bad.any():
        i = int(np.argmax(bad))
        what = "NaN" if np.isnan(arr[i]) else ("inf" if arr[i] > 0 else "-inf")
        raise InvalidInputError(f"{name} must be finite: {name}[{i}] is {what}")
    return arr


def periods_1d(period: Any) -> tuple[npt.NDArray[np.float64], bool]:
    """``period`` as a 1-D float array and whether it was a scalar."""
    if type(period).__module__.startswith("pandas"):
        period = period.to_numpy()
    if isinstance(period, (bool, np.bool_)):
        raise InvalidInputError(f"period must be a number or an array of numbers, got {period!r}")
    scalar = np.ndim(period) == 0
    if scalar:
        arr = np.array([check_real(period, "period")], dtype=np.float64)
    else:
        arr = as_float_array(period, "period", 1, False)
    bad = ~(np.isfinite(arr) & (arr > 1.0))
    if bad.any():
        i = int(np.argmax(bad))
        raise InvalidInputError(f"period must be finite and above 1, got {arr[i]}")
    return arr, scalar
