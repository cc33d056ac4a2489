"""Load the native extension, and tell it where the shared libraries it opens later are when the
dynamic loader would not find them by itself.

* OpenBLAS: the released wheel carries its own copy (``quantumpanarchy.libs/``, found through
  the extension's rpath). A build from source (``pip install .``) links the ``scipy-openblas32``
  package's library instead; when the loader cannot find it, it is loaded from that package here.
* NVRTC: the CUDA backend opens it itself, when CUDA is first used, ``libnvrtc.so.13`` or
  ``libnvrtc.so.12``, whichever suits the driver (``src/backend/cuda/nvrtc.rs``). pip's NVIDIA
  wheels put it where the loader does not look (``nvidia/cu13/lib`` for CUDA 13,
  ``nvidia/cuda_nvrtc/lib`` for CUDA 12), so those folders are found here, without importing or
  loading anything, and handed to the native side, which tries them before the loader's path.
  Nothing is loaded at import: a machine without a GPU never opens NVRTC.
"""

from __future__ import annotations

import ctypes
import importlib
import importlib.util
from collections.abc import Iterator
from pathlib import Path

# pip's NVRTC packages, newest CUDA first, and the name of NVRTC itself in their lib/ folder.
_NVRTC_PACKAGES = (("nvidia.cu13", "libnvrtc.so.13"), ("nvidia.cuda_nvrtc", "libnvrtc.so.12"))


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


def nvrtc_dirs() -> list[str]:
    """The lib/ folders of the pip-installed NVRTC packages that hold NVRTC (CUDA 13 first, then
    CUDA 12); empty without any."""
    return [
        str(folder)
        for package, name in _NVRTC_PACKAGES
        for folder in _package_lib_folders(package)
        if (folder / name).is_file()
    ]


def hand_over_nvrtc_dirs() -> None:
    """Give the native side (loaded by ``load_native``) the folders of ``nvrtc_dirs``, before
    anything asks it about CUDA."""
    native = importlib.import_module("quantumpanarchy._native")
    native.performance._set_nvrtc_dirs(nvrtc_dirs())


def _package_library(package: str, pattern: str) -> Path | None:
    """The first file matching ``pattern`` in ``package``'s ``lib/`` folder."""
    for folder in _package_lib_folders(package):
        found = sorted(folder.glob(pattern))
        if found:
            return found[0]
    return None


def _package_lib_folders(package: str) -> Iterator[Path]:
    """The ``lib/`` folders of ``package``, found without importing it (its ``__init__`` may be
    heavy or absent); none where it is not installed."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return
    if spec is None or not spec.submodule_search_locations:
        return
    for root in spec.submodule_search_locations:
        folder = Path(root, "lib")
        if folder.is_dir():
            yield folder
