"""Backends (CPU with rayon, CUDA when built with it and a device is present), threads, CPU
features, and a quick benchmark of the main kernels on this machine."""

from typing import Any, Final, Literal

__all__ = [
    "HAS_CUDA",
    "BackendName",
    "available_backends",
    "backend_info",
    "benchmark",
    "cpu_features",
    "cuda_is_available",
    "get_backend",
    "get_num_threads",
    "set_backend",
    "set_num_threads",
]

BackendName = Literal["cpu", "cuda", "auto"]

HAS_CUDA: Final[bool]
"""Whether this build contains the CUDA backend (it may still be unavailable at run time)."""

def available_backends() -> list[str]:
    """Backends usable here, "cpu" first."""

def set_backend(name: BackendName) -> None:
    """Set the process-wide default backend; "cuda" raises BackendUnavailableError with the
    reason when no CUDA device can be used."""

def get_backend() -> BackendName: ...
def set_num_threads(n: int) -> None:
    """Size the worker pool (0 = all cores). Results do not depend on the thread count."""

def get_num_threads() -> int: ...
def cpu_features() -> list[str]: ...
def cuda_is_available() -> bool: ...
def backend_info() -> dict[str, Any]:
    """Selection, CPU (threads, SIMD, kernel variant), CUDA (available, reason, driver, NVRTC,
    devices) and the unsupported backends (ROCm, Metal) with the reason."""

def benchmark(repeats: int = 3, *, verbose: bool = True) -> list[dict[str, Any]]:
    """Time the annealing kernels on this machine for every available backend."""
