"""``HardwareManager``'s Python parts: the ``Device`` record and ``LoadBalancingStrategy``. The
manager itself (discovery, the choice of a device, the load accounting) is native."""

from __future__ import annotations

import dataclasses
import enum
import math
from typing import Any, Literal

from .._decision._params import check_int, check_real
from ..exceptions import InvalidInputError, InvalidTypeError

__all__ = ["Device", "LoadBalancingStrategy"]


class LoadBalancingStrategy(str, enum.Enum):
    """How ``HardwareManager.select_device`` picks the device for the next piece of work, among
    the devices (of the requested type) whose free memory covers the request:

    * ``RoundRobin``: each device in turn, in ``get_available_devices()`` order.
    * ``LeastLoaded``: the device with the fewest pieces of work selected and not yet released.
    * ``MemoryAware``: the device with the most free memory (its memory less the ``memory_gb``
      reserved by unreleased selections); devices of unknown memory come last.

    Ties go to the device listed first. The members are strings (``'round_robin'``, ...), and
    ``set_load_balancing_strategy`` also takes those strings or the member names."""

    RoundRobin = "round_robin"
    LeastLoaded = "least_loaded"
    MemoryAware = "memory_aware"

    def __str__(self) -> str:
        return self.value


def _check_text(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise InvalidTypeError(f"Device {name} must be a str, got {type(value).__name__}")
    try:
        value.encode()
    except UnicodeEncodeError:
        raise InvalidInputError(f"Device {name} must be text without lone surrogates") from None
    return value


def _check_optional_text(value: Any, name: str) -> str | None:
    return None if value is None else _check_text(value, name)


@dataclasses.dataclass(frozen=True)
class Device:
    """One device found by ``HardwareManager.get_available_devices()``.

    type: ``'cpu'`` or ``'cuda'``. index: its position among devices of its type (the CUDA
    ordinal; 0 for the CPU). name: the CPU model (``/proc/cpuinfo``) or the GPU's name.
    memory_gb: GiB; for the CPU the physical memory this process may use (the machine's total, or
    a smaller cgroup limit), for a GPU its total memory; None where the OS does not tell.
    cores: the CPU's logical processors online (``os.cpu_count()``), or the GPU's streaming
    multiprocessors. usable_cores: the processors this process may run on (CPU affinity and
    cgroup quota); None for GPUs. simd: the CPU's SIMD extensions (as
    ``performance.cpu_features()``). compute_capability: (major, minor) of a GPU.
    driver_version: the CUDA driver's version ("12.4"). runtime_version: the version of NVRTC,
    which compiles the kernels (the backend does not use libcudart). mig: whether the GPU is a
    MIG slice (None for the CPU).
    """

    type: Literal["cpu", "cuda"]
    index: int
    name: str
    memory_gb: float | None
    cores: int
    usable_cores: int | None = None
    simd: tuple[str, ...] = ()
    compute_capability: tuple[int, int] | None = None
    driver_version: str | None = None
    runtime_version: str | None = None
    mig: bool | None = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        if not isinstance(self.type, str) or self.type not in ("cpu", "cuda"):
            if not isinstance(self.type, str):
                raise InvalidTypeError(f"Device type must be 'cpu' or 'cuda', got {type(self.type).__name__}")
            raise InvalidInputError(f"Device type must be 'cpu' or 'cuda', got {self.type!r}")
        set_(self, "type", str(self.type))
        set_(self, "index", check_int(self.index, "index", 0))
        set_(self, "name", _check_text(self.name, "name"))
        if self.memory_gb is not None:
            memory = check_real(self.memory_gb, "memory_gb")
            if not (math.isfinite(memory) and memory >= 0.0):
                raise InvalidInputError(f"Device memory_gb must be finite and >= 0, got {memory!r}")
            set_(self, "memory_gb", memory)
        set_(self, "cores", check_int(self.cores, "cores", 0))
        if self.usable_cores is not None:
            set_(self, "usable_cores", check_int(self.usable_cores, "usable_cores", 0))
        if isinstance(self.simd, str) or not isinstance(self.simd, (tuple, list)):
            raise InvalidTypeError(f"Device simd must be a tuple of str, got {type(self.simd).__name__}")
        set_(self, "simd", tuple(_check_text(f, "simd") for f in self.simd))
        if self.compute_capability is not None:
            cc = self.compute_capability
            if isinstance(cc, str) or not isinstance(cc, (tuple, list)) or len(cc) != 2:
                raise InvalidTypeError(f"Device compute_capability must be (major, minor), got {cc!r}")
            set_(self, "compute_capability", (check_int(cc[0], "major", 0), check_int(cc[1], "minor", 0)))
        set_(self, "driver_version", _check_optional_text(self.driver_version, "driver_version"))
        set_(self, "runtime_version", _check_optional_text(self.runtime_version, "runtime_version"))
        if self.mig is not None and not isinstance(self.mig, bool):
            raise InvalidTypeError(f"Device mig must be a bool or None, got {type(self.mig).__name__}")

    @property
    def id(self) -> str:
        """``'cpu:0'``, ``'cuda:1'``: the type and index."""
        return f"{self.type}:{self.index}"

    def to_dict(self) -> dict[str, Any]:
        """The record as a dict."""
        return dataclasses.asdict(self)
