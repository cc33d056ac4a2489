"""Make the CUDA libraries that the ``cuda`` extra installs visible to the native loader.

The CUDA backend opens NVRTC by its soname at run time; pip's ``nvidia-cuda-nvrtc-cu12`` puts
it under ``site-packages/nvidia/cuda_nvrtc/lib``, where the dynamic loader does not look.
Loading it once with RTLD_GLOBAL makes the later lookup by soname find it.
"""

from __future__ import annotations

import ctypes
import importlib.util
from pathlib import Path


def preload() -> None:
    """Load the pip-installed NVRTC if there is one; otherwise do nothing."""
    try:
        spec = importlib.util.find_spec("nvidia.cuda_nvrtc")
    except (ImportError, ValueError):
        return
    if spec is None or not spec.submodule_search_locations:
        return
    for root in spec.submodule_search_locations:
        for lib in sorted(Path(root, "lib").glob("libnvrtc.so*")):
            try:
                ctypes.CDLL(str(lib), mode=ctypes.RTLD_GLOBAL)
            except OSError:
                continue
            return
