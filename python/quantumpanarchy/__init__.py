"""QuantumPanarchy: probabilistic computing (p-bits, Ising/Boltzmann machines, annealing) and
quantitative-finance analytics, on a Rust core with CPU and CUDA backends.

Submodules: ``core``, ``decision``, ``risk``, ``blackswan``, ``signal``, ``cas``,
``infrastructure``, ``automl``, ``intelligence``, ``crypto``, ``performance``.
Rust log records reach Python's ``logging`` under the logger ``quantumpanarchy``.
"""

from __future__ import annotations

from . import _cuda_libs

_cuda_libs.preload()  # before anything asks the native side about CUDA

from . import (  # noqa: E402
    automl,
    blackswan,
    cas,
    core,
    crypto,
    decision,
    infrastructure,
    intelligence,
    performance,
    risk,
    signal,
)
from ._native import __version__  # noqa: E402
from .exceptions import (  # noqa: E402
    BackendUnavailableError,
    InternalError,
    InvalidInputError,
    InvalidTypeError,
    NotFittedError,
    QuantumPanarchyError,
    ResourceLimitError,
)

__all__ = [
    "BackendUnavailableError",
    "InternalError",
    "InvalidInputError",
    "InvalidTypeError",
    "NotFittedError",
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
