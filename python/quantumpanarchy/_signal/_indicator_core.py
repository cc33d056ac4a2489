"""What the indicator functions and the streaming handles share: parameter checks, the native
call over 1-D or 2-D input with pandas labels kept, and the stream handle's base class."""

from __future__ import annotations

import math
from typing import Any, ClassVar, TypeAlias

import numpy as np
import numpy.typing as npt

from .._decision._params import check_int, check_real
from .._frame import Aligned, aligned, as_frame
from .._native import signal as _native
from ..exceptions import InvalidInputError

__all__ = ["Aligned", "ArrayLike", "StreamBase", "_call", "_int", "_matype", "_real"]

#: A 1-D or 2-D array-like, a pandas Series or DataFrame.
ArrayLike: TypeAlias = Any


def _int(value: Any, name: str) -> float:
    """An integer parameter (TA-Lib's range is checked natively)."""
    if type(value) is int and -(2**53) <= value <= 2**53:  # the common case, checked first
        return float(value)
    number = check_int(value, name)
    if abs(number) > 2**53:
        raise InvalidInputError(f"{name} is out of range: {number}")
    return float(number)


def _matype(value: Any, name: str) -> float:
    """A moving-average type: an int 0..8, or talib's ``MA_Type`` members (ints)."""
    return _int(value, name)


def _real(value: Any, name: str) -> float:
    """A real parameter: finite (NaN and ±inf raise :class:`InvalidInputError`)."""
    v = check_real(value, name)
    if not math.isfinite(v):
        raise InvalidInputError(f"{name} must be a finite number, got {v}")
    return v


def _call(name: str, inputs: tuple[Any, ...], params: tuple[float, ...]) -> Aligned | tuple[Aligned, ...]:
    """Runs indicator ``name`` natively and shapes the outputs as the first input came."""
    for x in inputs:
        if type(x) is not np.ndarray:
            return _labelled(name, inputs, params)
    # numpy in, numpy out, the common case: no labels to keep, so no frames to build.
    return _outputs(_native.indicator(name, inputs, params))


def _labelled(name: str, inputs: tuple[Any, ...], params: tuple[float, ...]) -> Aligned | tuple[Aligned, ...]:
    """:func:`_call` for pandas (or list) inputs: the outputs carry the first input's labels."""
    frames = [as_frame(x, "input") for x in inputs]
    outs = _outputs(_native.indicator(name, tuple(f.values for f in frames), params))
    if isinstance(outs, tuple):
        return tuple(aligned(frames[0], o) for o in outs)
    return aligned(frames[0], outs)


def _outputs(
    result: npt.NDArray[np.float64] | tuple[npt.NDArray[np.float64], ...],
) -> npt.NDArray[np.float64] | tuple[npt.NDArray[np.float64], ...]:
    """The native result as the outputs: (bars,) for one output over 1-D inputs, a tuple of them
    for several, (series, outputs, bars) for 2-D inputs (each output then bars × series)."""
    if isinstance(result, tuple) or result.ndim == 1:
        return result
    outs = tuple(result[:, k, :].T for k in range(result.shape[1]))
    return outs[0] if len(outs) == 1 else outs


def _rebuild(cls: type[StreamBase], params: dict[str, float], state: list[float], value: Any) -> StreamBase:
    """Unpickles a handle: the class, its parameters and its state as plain numbers."""
    obj = cls.__new__(cls)
    obj._params = dict(params)
    obj._native = _native.IndicatorStream(cls._name, list(params.values()))
    obj._native.set_state(list(state))
    obj._value = value
    return obj


class StreamBase:
    """A streaming indicator (see the subclasses in ``signal.stream``)."""

    _name: ClassVar[str]
    _inputs: ClassVar[tuple[str, ...]]
    _outputs: ClassVar[tuple[str, ...]]

    def __init__(self, history: tuple[ArrayLike, ...], params: dict[str, float]) -> None:
        self._params = params
        self._native = _native.IndicatorStream(self._name, list(params.values()))
        nan = math.nan
        self._value: Any = nan if len(self._outputs) == 1 else (nan,) * len(self._outputs)
        if history:
            if len(history) != len(self._inputs):
                raise InvalidInputError(
                    f"{self._name}'s history is {len(self._inputs)} arrays ({', '.join(self._inputs)}), "
                    f"got {len(history)}"
                )
            cols = [
                np.asarray(as_frame(h, n).values, dtype=np.float64) for h, n in zip(history, self._inputs, strict=True)
            ]
            if any(c.ndim != 1 for c in cols) or len({c.shape[0] for c in cols}) != 1:
                raise InvalidInputError(f"{self._name}'s history must be 1-D arrays of one length")
            if cols[0].shape[0]:
                outs = self._native.update_many(np.stack(cols))
                last = tuple(float(v) for v in outs[:, -1])
                self._value = last[0] if len(last) == 1 else last

    def _update(self, *bar: float) -> Any:
        self._value = self._native.update(*bar)
        return self._value

    def _peek(self, *bar: float) -> Any:
        return self._native.peek(*bar)

    @property
    def value(self) -> Any:
        """The last output (NaN before the first bar and during the look-back)."""
        return self._value

    @property
    def params(self) -> dict[str, float]:
        """The parameters, by TA-Lib's names."""
        return dict(self._params)

    def copy(self) -> Any:
        """An independent handle in the same state."""
        obj = type(self).__new__(type(self))
        obj._params = dict(self._params)
        obj._native = self._native.copy()
        obj._value = self._value
        return obj

    def __copy__(self) -> Any:
        return self.copy()

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        return self.copy()

    def __getstate__(self) -> dict[str, Any]:
        return {"params": dict(self._params), "state": self._native.state(), "value": self._value}

    def __reduce__(self) -> tuple[Any, ...]:
        s = self.__getstate__()
        return (_rebuild, (type(self), s["params"], s["state"], s["value"]))

    def __repr__(self) -> str:
        params = ", ".join(
            f"{k}={int(v) if float(v).is_integer() and k != 'vfactor' else v}" for k, v in self._params.items()
        )
        return f"stream.{self._name}({params}, value={self._value!r})"
