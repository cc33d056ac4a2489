"""The exception hierarchy of quantumpanarchy, defined once (the Rust core raises these).

Every exception derives from :class:`QuantumPanarchyError` and from the builtin a caller
would expect, so ``except ValueError`` keeps working for bad input.
"""

from __future__ import annotations

__all__ = [
    "BackendUnavailableError",
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
    """An argument has the wrong type (a float where an integer is needed, a value that must be
    callable): caught by ``except TypeError``, as Python's own functions and dwave-samplers raise."""


class NotFittedError(InvalidInputError, AttributeError):
    """An estimator was used before ``fit`` (scikit-learn's ``NotFittedError`` has the same bases)."""


class BackendUnavailableError(QuantumPanarchyError, RuntimeError):
    """A backend was requested (e.g. ``"cuda"``) that this build or machine cannot provide."""


class ResourceLimitError(QuantumPanarchyError, MemoryError):
    """The problem would not fit in memory or exceeds a documented size limit."""


class InternalError(QuantumPanarchyError, RuntimeError):
    """A broken invariant inside quantumpanarchy: always a bug, please report it."""
