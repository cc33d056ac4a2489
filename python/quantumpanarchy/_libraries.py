"""Load the native extension and the shared libraries it needs that the dynamic loader would not
find by itself.

* OpenBLAS: the released wheel carries its own copy (``quantumpanarchy.libs/``, found through
  the extension's rpath). A build from source (``pip install .``) links the ``scipy-openblas32``
  package's library instead; when the loader cannot find it, it is loaded from that package here.
* NVRTC: the CUDA backend opens it by soname at run time, ``libnvrtc.so.13`` or
  ``libnvrtc.so.12``, whichever suits the driver (``src/backend/cuda/nvrtc.rs``), and pip's
  NVIDIA wheels put it where the loader does not look (``nvidia/cu13/lib`` for CUDA 13,
  ``nvidia/cuda_nvrtc/lib`` for CUDA 12). A library loaded once is found by its soname later.
  Each is loaded ``RTLD_LOCAL``, so that two versions in one process never bind each other's
  symbols.
"""

from __future__ import annotations

import ctypes
import importlib
import importlib.util
from pathlib import Path

# pip's NVRTC packages and the file names in their lib/ folder, newest CUDA first.
_NVRTC_PACKAGES = (("nvidia.cu13", "libnvrtc.so.13*"), ("nvidia.cuda_nvrtc", "libnvrtc.so.12*"))


def load_native() -> None:
    """Import ``quantumpanarchy._native``, loading scipy-openblas32's OpenBLAS first if a build
    from source needs it."""
    try:
        importlib.import_module("quantumpanarchy._native")
    except ImportError as exc:
        if "libscipy_openblas" not in str(exc):
            raise
        library = _package_library("scipy_openblas32", "libscipy_openblas*.so")
        if library is None:
            raise ImportError(
                "this build of quantumpanarchy was made from source and loads OpenBLAS from the "
                "scipy-openblas32 package, which is not installed: pip install scipy-openblas32"
            ) from exc
        ctypes.CDLL(str(library), mode=ctypes.RTLD_GLOBAL)
        importlib.import_module("quantumpanarchy._native")


def preload_nvrtc() -> None:
    """Load every pip-installed NVRTC (CUDA 13, CUDA 12); without any, do nothing."""
    for package, pattern in _NVRTC_PACKAGES:
        library = _package_library(package, pattern)
        if library is None:
            continue
        try:
            ctypes.CDLL(str(library))
        except OSError:
            continue


def _package_library(package: str, pattern: str) -> Path | None:
    """The first file matching ``pattern`` in ``package``'s ``lib/`` folder, without importing
    the package (its ``__init__`` may be heavy or absent)."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for root in spec.submodule_search_locations:
        found = sorted(Path(root, "lib").glob(pattern))
        if found:
            return found[0]
    return None
