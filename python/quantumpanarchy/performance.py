"""Backends (CPU with rayon, CUDA when built with it and a device is present), threads, CPU
features, and a quick benchmark of the main kernels on this machine."""

from __future__ import annotations

import time
from typing import Any, Literal

import numpy as np

from ._decision._params import check_int
from ._help import public_dir
from ._native import performance as _perf
from .exceptions import InvalidTypeError

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
__dir__ = public_dir(__all__)

BackendName = Literal["cpu", "cuda", "auto"]

HAS_CUDA: bool = _perf.HAS_CUDA
available_backends = _perf.available_backends
backend_info = _perf.backend_info
cpu_features = _perf.cpu_features
cuda_is_available = _perf.cuda_is_available
get_backend = _perf.get_backend
get_num_threads = _perf.get_num_threads
_natives = (available_backends, backend_info, cpu_features, cuda_is_available, get_backend, get_num_threads)
for _f in _natives:
    _f.__module__ = __name__  # native functions report their native module


def set_backend(name: BackendName) -> None:
    """Set the process-wide default backend; "cuda" raises BackendUnavailableError with the
    reason when no CUDA device can be used."""
    if not isinstance(name, str):
        raise InvalidTypeError(f"set_backend() argument 'name' must be 'cpu', 'cuda' or 'auto', got {name!r}")
    _perf.set_backend(name)


def set_num_threads(n: int) -> None:
    """Size the worker pool (0 = all cores). Results do not depend on the thread count."""
    _perf.set_num_threads(check_int(n, "n", 0))


def _lattice(side: int) -> tuple[np.ndarray[Any, np.dtype[np.int64]], np.ndarray[Any, np.dtype[np.int64]]]:
    idx = np.arange(side * side).reshape(side, side)
    rows = np.concatenate([idx.ravel(), idx.ravel()])
    cols = np.concatenate([np.roll(idx, -1, axis=1).ravel(), np.roll(idx, -1, axis=0).ravel()])
    return rows.astype(np.int64), cols.astype(np.int64)


def benchmark(repeats: int = 3, *, verbose: bool = True) -> list[dict[str, Any]]:
    """Time the annealing kernels on this machine (2-D lattice L=64, SK N=512) for every
    available backend; print a table and return its rows (best of ``repeats``)."""
    from .core import PBitNetwork

    rows, cols = _lattice(64)
    lattice = PBitNetwork.from_sparse(rows, cols, np.ones(len(rows)), seed=1)
    rng = np.random.default_rng(42)
    signs = np.triu(rng.choice([-1.0, 1.0], size=(512, 512)), 1)
    sk = PBitNetwork.from_dense((signs + signs.T) / np.sqrt(512), seed=1)
    cases = [("lattice L=64 (sparse)", lattice, (0.1, 3.0)), ("SK N=512 (dense)", sk, (0.1, 10.0))]
    table = []
    for name, net, beta_range in cases:
        for backend in available_backends():
            best = float("inf")
            for _ in range(max(1, repeats)):
                start = time.perf_counter()
                net.anneal(num_reads=8, num_sweeps=200, beta_range=beta_range, seed=0, backend=backend)  # type: ignore[arg-type]
                best = min(best, time.perf_counter() - start)
            updates = net.num_pbits * 200 * 8
            table.append({"kernel": name, "backend": backend, "seconds": best, "updates_per_s": updates / best})
    if verbose:
        print(f"{'kernel':<24} {'backend':<8} {'time [ms]':>10} {'spin updates/s':>16}")
        for r in table:
            print(f"{r['kernel']:<24} {r['backend']:<8} {1e3 * r['seconds']:>10.2f} {r['updates_per_s']:>16.3e}")
    return table
