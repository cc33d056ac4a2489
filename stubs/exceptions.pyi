"""The exception hierarchy of quantumpanarchy (the Rust core raises these)."""

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
    """An argument has a type that cannot be used (also a ``TypeError``)."""

class NotFittedError(InvalidInputError, AttributeError):
    """An estimator was used before ``fit`` (also scikit-learn's ``NotFittedError`` while it is loaded)."""

class BackendUnavailableError(QuantumPanarchyError, RuntimeError):
    """A backend was requested that this build or machine cannot provide."""

class ResourceLimitError(QuantumPanarchyError, MemoryError):
    """The problem would not fit in memory or exceeds a documented size limit."""

class CircuitOpenError(QuantumPanarchyError, RuntimeError):
    """A circuit breaker refused a call, or the call's failure has just opened it."""

class InternalError(QuantumPanarchyError, RuntimeError):
    """A broken invariant inside quantumpanarchy: always a bug, please report it."""
