"""The exception hierarchy of quantumpanarchy, defined once (the Rust core raises these).

Every exception derives from :class:`QuantumPanarchyError` and from the builtin a caller
would expect, so ``except ValueError`` keeps working for bad input.
"""

from __future__ import annotations

import functools
import sys
from typing import Any

from ._help import public_dir

__all__ = [
    "BackendUnavailableError",
    "CircuitOpenError",
    "InternalError",
    "InvalidInputError",
    "InvalidTypeError",
    "NotFittedError",
    "QuantumPanarchyError",
    "ResourceLimitError",
]


class QuantumPanarchyError(Exception):
    """Base class of every error raised by quantumpanarchy."""


class InvalidInputError(QuantumPanarchyError, ValueError):
    """An argument is malformed: NaN/inf, wrong shape or dtype, out of range, asymmetric, ..."""


class InvalidTypeError(InvalidInputError, TypeError):
    """An argument has a type that cannot be used: a float where an integer is needed, a value
    that must be callable, a dict inside an array of numbers. Also a ``TypeError``, as Python's
    own functions, numpy, scikit-learn and dwave-samplers raise there."""


class NotFittedError(InvalidInputError, AttributeError):
    """An estimator was used before ``fit`` (scikit-learn's ``NotFittedError`` has the same bases).

    While scikit-learn is loaded, the error raised is also an instance of
    ``sklearn.exceptions.NotFittedError``, so scikit-learn's tools recognise it.
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> NotFittedError:
        # Decided when the error is made, from sys.modules: code that can catch or test for
        # scikit-learn's class has imported sklearn.exceptions already, and programs that never
        # use scikit-learn do not pay for importing it.
        loaded = sys.modules.get("sklearn.exceptions")
        if cls is NotFittedError and loaded is not None:
            cls = _with_sklearn_base(loaded.NotFittedError)
        error: NotFittedError = super().__new__(cls, *args, **kwargs)
        return error

    def __reduce__(self) -> tuple[Any, ...]:
        # rebuilt through __new__, so the receiving process applies its own rule (and the class
        # made below, which no module attribute names, is never looked up by name)
        return (NotFittedError, self.args, self.__dict__ or None)


@functools.cache
def _with_sklearn_base(sklearn_error: type[Exception]) -> type[NotFittedError]:
    """Our NotFittedError that is also scikit-learn's (one class per scikit-learn class)."""
    combined = type("NotFittedError", (NotFittedError, sklearn_error), {"__doc__": NotFittedError.__doc__})
    combined.__module__ = __name__
    return combined


class BackendUnavailableError(QuantumPanarchyError, RuntimeError):
    """A backend was requested (e.g. ``"cuda"``) that this build or machine cannot provide."""


class ResourceLimitError(QuantumPanarchyError, MemoryError):
    """The problem would not fit in memory or exceeds a documented size limit."""


class CircuitOpenError(QuantumPanarchyError, RuntimeError):
    """A circuit breaker refused a call: it is open (or half-open with its trial call still
    running), or the call's failure has just opened it (the failure is the ``__cause__``).
    pybreaker's ``CircuitBreakerError``; also importable from ``quantumpanarchy.infrastructure``."""


class InternalError(QuantumPanarchyError, RuntimeError):
    """A broken invariant inside quantumpanarchy: always a bug, please report it."""


__dir__ = public_dir(__all__)
