"""scikit-learn's estimator-parameter protocol, shared by the decision engines: the parameters are
the constructor's arguments, stored as attributes of the same names."""

from __future__ import annotations

import inspect
import math
import numbers
import operator
from typing import Any, TypeVar

import numpy as np

from ..exceptions import InvalidInputError, InvalidTypeError

_P = TypeVar("_P", bound="Params")


def check_int(value: Any, name: str, low: int | None = None) -> int:
    """``value`` as an int: integers of any kind, or a float holding a whole number; not bools.
    A value of another type raises :class:`InvalidTypeError`, one below ``low``
    :class:`InvalidInputError`."""
    if isinstance(value, (bool, np.bool_)):
        raise InvalidTypeError(f"{name} must be an integer, got {value!r}")
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        number = int(value)
    else:
        try:
            number = operator.index(value)
        except TypeError:
            raise InvalidTypeError(f"{name} must be an integer, got {value!r}") from None
    if low is not None and number < low:
        raise InvalidInputError(f"{name} must be at least {low}, got {number}")
    return number


def check_native_int(value: Any, name: str) -> int:
    """:func:`check_int` for a setting passed to native code, which checks its range: values of
    2**64 or more are refused here, before they overflow the native conversion."""
    number = check_int(value, name)
    if abs(number) >= 2**64:
        raise InvalidInputError(f"{name} is too large: {number}")
    return number


def check_real(value: Any, name: str) -> float:
    """``value`` as a float: any real number (numpy's included), not bools or strings (those
    raise :class:`InvalidTypeError`)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidTypeError(f"{name} must be a real number, got {_short(value)}")
    try:
        return float(value)
    except OverflowError:  # an int beyond float range (10**400)
        raise InvalidInputError(f"{name} is too large for a float: {_short(value)}") from None


def check_finite_real(value: Any, name: str) -> float:
    """:func:`check_real`, finite: NaN and ±inf raise :class:`InvalidInputError`."""
    v = check_real(value, name)
    if not math.isfinite(v):
        raise InvalidInputError(f"{name} must be finite, got {v}")
    return v


def check_probability(value: Any, name: str) -> float:
    """:func:`check_real` strictly between 0 and 1 (a tail probability such as a VaR's alpha)."""
    v = check_real(value, name)
    if not 0.0 < v < 1.0:
        raise InvalidInputError(f"{name} must be in (0, 1), got {v}")
    return v


def _short(value: Any) -> str:
    """``repr(value)``, its middle elided past 40 characters (an int of 400 digits, say)."""
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:18]}...{text[-18:]} ({len(text)} characters)"


def same(a: Any, b: Any) -> bool:
    """Equal and of the same type (so ``1`` and ``1.0``, or ``0`` and ``False``, differ)."""
    try:
        return bool(a is b or (type(a) is type(b) and a == b))
    except (TypeError, ValueError):  # arrays and the like: compare as different
        return False


class Params:
    """``get_params``/``set_params`` (so ``sklearn.base.clone`` works) and a repr listing the
    arguments that differ from their defaults. ``set_params`` runs :meth:`_check_params` and puts
    every value back if it raises, then calls :meth:`_params_changed`."""

    @classmethod
    def _param_defaults(cls) -> dict[str, Any]:
        """Each constructor argument with its default (``inspect.Parameter.empty`` when required)."""
        params = inspect.signature(cls.__init__).parameters.values()
        return {p.name: p.default for p in params if p.name != "self" and p.kind is not p.VAR_KEYWORD}

    def _check_params(self) -> None:
        """Raise ``InvalidInputError`` for a bad configuration (engines that check later need not)."""

    def _params_changed(self, old: dict[str, Any]) -> None:
        """React to accepted changes (``old`` holds the previous values)."""

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor's arguments (scikit-learn's protocol; ``deep`` has nothing to recurse into)."""
        return {name: getattr(self, name) for name in self._param_defaults()}

    def set_params(self: _P, **params: Any) -> _P:
        """Change constructor arguments: checked together, and nothing changes if one is invalid."""
        valid = list(self._param_defaults())
        unknown = sorted(set(params) - set(valid))
        if unknown:
            raise InvalidInputError(f"unknown parameter(s) {unknown} for {type(self).__name__}; valid: {valid}")
        old = self.get_params()
        for name, value in params.items():
            setattr(self, name, value)
        try:
            self._check_params()
        except Exception:
            for name, value in old.items():
                setattr(self, name, value)
            raise
        self._params_changed(old)
        return self

    def __repr__(self) -> str:
        defaults = self._param_defaults()
        changed = [f"{k}={v!r}" for k, v in self.get_params().items() if not same(v, defaults[k])]
        return f"{type(self).__name__}({', '.join(changed)})"
