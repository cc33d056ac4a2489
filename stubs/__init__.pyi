"""QuantumPanarchy: probabilistic computing and quantitative-finance analytics on a Rust core."""

from . import (
    automl as automl,
    blackswan as blackswan,
    cas as cas,
    core as core,
    crypto as crypto,
    decision as decision,
    infrastructure as infrastructure,
    intelligence as intelligence,
    performance as performance,
    risk as risk,
    signal as signal,
)
from .exceptions import (
    BackendUnavailableError as BackendUnavailableError,
    InternalError as InternalError,
    InvalidInputError as InvalidInputError,
    QuantumPanarchyError as QuantumPanarchyError,
    ResourceLimitError as ResourceLimitError,
)

__version__: str

__all__ = [
    "BackendUnavailableError",
    "InternalError",
    "InvalidInputError",
    "QuantumPanarchyError",
    "ResourceLimitError",
    "__version__",
    "automl",
    "blackswan",
    "cas",
    "core",
    "crypto",
    "decision",
    "infrastructure",
    "intelligence",
    "performance",
    "risk",
    "signal",
]
