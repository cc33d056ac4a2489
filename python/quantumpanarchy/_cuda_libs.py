"""Make the NVRTC that the ``cuda`` extra installs visible to the native loader.

The CUDA backend opens NVRTC by its soname at run time, ``libnvrtc.so.13`` or ``libnvrtc.so.12``,
whichever suits the driver (``src/backend/cuda/nvrtc.rs``). pip's wheels put it where the dynamic
loader does not look: ``nvidia/cu13/lib`` (``nvidia-cuda-nvrtc``, CUDA 13) and
``nvidia/cuda_nvrtc/lib`` (``nvidia-cuda-nvrtc-cu12``). A library loaded once is found by its
soname later. Each is loaded with RTLD_LOCAL, so that two versions in one process never bind each
other's symbols.
"""

from __future__ import annotations

import ctypes
import importlib.util
from pathlib import Path

# The pip packages that ship NVRTC, CUDA 13's layout first.
PACKAGES = ("nvidia.cu13", "nvidia.cuda_nvrtc")


def preload() -> None:
    """Load every pip-installed NVRTC (one per package); without any, do nothing."""
    for package in PACKAGES:
        for lib in _libraries(package):
            try:
                ctypes.CDLL(str(lib))
            except OSError:
                continue
            break


def _libraries(package: str) -> list[Path]:
    """The NVRTC libraries in ``package``'s ``lib`` folders (not its builtins)."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return []
    if spec is None or not spec.submodule_search_locations:
        return []
    roots = spec.submodule_search_locations
    return [lib for root in roots for lib in sorted(Path(root, "lib").glob("libnvrtc.so*"))]
