"""Input and output shapes shared by the functions of `risk` and `signal`.

One rule for every statistic: 1-D returns (or a pandas Series) give a float; 2-D returns
(observations × assets) give one value per column as a numpy array, or a pandas Series keyed by
the columns when a DataFrame came in. Results aligned with the input (rolling statistics,
drawdown curves) keep the input's shape, and a Series or DataFrame keeps its index and columns.

pandas is optional: it is never imported here, only recognised (an object whose type comes from
a ``pandas`` module) and, when one came in, used from ``sys.modules`` to build the result.
"""

from __future__ import annotations

import dataclasses
import numbers
import sys
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np
import numpy.typing as npt

from ._decision._params import check_finite_real
from .exceptions import InvalidInputError, InvalidTypeError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Aligned", "Frame", "PerColumn", "aligned", "as_frame", "is_pandas", "per_column", "secondary"]

FloatArray: TypeAlias = npt.NDArray[np.float64]
# One value per column: a float (1-D input), an array (2-D), a Series keyed by the columns (DataFrame).
# Typed as Any: the input's shape, which the type system does not see, decides which.
PerColumn: TypeAlias = Any
# Aligned with the input: an array of its shape, or a Series/DataFrame with its index (and columns).
Aligned: TypeAlias = Any


def is_pandas(x: object) -> bool:
    """Whether ``x`` is a pandas object (pandas is not imported to find out)."""
    return type(x).__module__.startswith("pandas")


@dataclasses.dataclass(frozen=True)
class Frame:
    """An array argument as the native code reads it (``values``: a numpy array, or whatever the
    native conversion accepts, such as a list), and the pandas labels its results get."""

    values: Any
    index: Any = None
    columns: Any = None
    name: Any = None

    @property
    def is_dataframe(self) -> bool:
        return self.columns is not None

    @property
    def is_series(self) -> bool:
        return self.index is not None and self.columns is None


def _pandas_values(x: Any, name: str) -> Any:
    """A pandas object's values as numpy, without a copy where pandas holds one float block;
    nullable and object columns become float64 with NaN for missing values, or are refused."""
    values = x.to_numpy()
    if values.dtype.kind in "fiu":
        return values
    try:
        return x.to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"{name} must hold real numbers: {exc}") from None


def as_frame(x: Any, name: str = "returns") -> Frame:
    """``x`` (array-like, Series or DataFrame) as a :class:`Frame`."""
    if is_pandas(x):
        ndim = getattr(x, "ndim", None)
        if ndim == 2 and hasattr(x, "columns"):
            return Frame(_pandas_values(x, name), x.index, x.columns)
        if ndim == 1 and hasattr(x, "index"):
            return Frame(_pandas_values(x, name), x.index, None, getattr(x, "name", None))
    return Frame(x)


def _pandas() -> Any:
    """The pandas module, already imported by whoever passed a pandas object."""
    return sys.modules["pandas"]


def per_column(frame: Frame, result: float | FloatArray) -> PerColumn:
    """A native per-column result in the shape ``frame`` asks for."""
    if isinstance(result, float):
        return result
    if frame.is_dataframe:
        series: pd.Series[float] = _pandas().Series(result, index=frame.columns)
        return series
    return result


def aligned(frame: Frame, result: FloatArray) -> Aligned:
    """A native result of the input's shape, labelled as the input was."""
    if frame.is_dataframe:
        out: pd.DataFrame = _pandas().DataFrame(result, index=frame.index, columns=frame.columns)
        return out
    if frame.is_series:
        series: pd.Series[float] = _pandas().Series(result, index=frame.index, name=frame.name)
        return series
    return result


def secondary(frame: Frame, x: Any, name: str) -> Any:
    """A second array argument (benchmark returns, a risk-free series) for the native code: a
    pandas object is first aligned to the returns' index when both have one (missing dates
    become NaN, as empyrical's alignment makes them); numbers pass as floats."""
    if isinstance(x, (bool, np.bool_)):
        raise InvalidTypeError(f"{name} must be a number or an array, got {x!r}")
    if isinstance(x, numbers.Real):
        return check_finite_real(x, name)
    if is_pandas(x):
        if frame.index is not None and hasattr(x, "index") and hasattr(x, "reindex"):
            if not x.index.equals(frame.index):
                try:
                    x = x.reindex(frame.index)
                except (TypeError, ValueError) as exc:
                    raise InvalidInputError(f"{name} cannot be aligned with the returns: {exc}") from None
        return as_frame(x, name).values
    return x
