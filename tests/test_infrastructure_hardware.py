"""HardwareManager: this machine's devices and the reasons for the missing ones, load balancing
under each strategy, pickling, and threads sharing one manager.

The strategy tests balance over made-up ``Device`` records (a CPU and two GPUs), so they mean
something on a machine with only a CPU; the record of the CPU is checked against what the OS
says, independently of the library."""

from __future__ import annotations

import os
import pickle
import re
import threading
from collections import Counter
from pathlib import Path

import pytest
from quantumpanarchy import performance
from quantumpanarchy.exceptions import InvalidInputError, InvalidTypeError, ResourceLimitError
from quantumpanarchy.infrastructure import Device, HardwareManager, LoadBalancingStrategy

CUDA_AVAILABLE = performance.cuda_is_available()
needs_cuda = pytest.mark.skipif(not CUDA_AVAILABLE, reason="no CUDA device available")

RR, LL, MA = LoadBalancingStrategy.RoundRobin, LoadBalancingStrategy.LeastLoaded, LoadBalancingStrategy.MemoryAware


def fleet() -> list[Device]:
    """A CPU with 64 GiB and two GPUs of 16 and 40 GiB."""
    return [
        Device(type="cpu", index=0, name="test CPU", memory_gb=64.0, cores=8, usable_cores=8, simd=("avx2",)),
        Device(type="cuda", index=0, name="small GPU", memory_gb=16.0, cores=40, compute_capability=(8, 6), mig=False),
        Device(type="cuda", index=1, name="big GPU", memory_gb=40.0, cores=108, compute_capability=(8, 0), mig=False),
    ]


def os_memory_gib() -> float:
    """MemTotal of /proc/meminfo (else sysconf), or a smaller cgroup limit, in GiB."""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        match = re.search(r"^MemTotal:\s+(\d+) kB", meminfo.read_text(), re.M)
        assert match is not None
        total = int(match.group(1)) * 1024
    else:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    for limit_file in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        text = Path(limit_file).read_text().strip() if Path(limit_file).exists() else ""
        if text.isdigit():
            total = min(total, int(text))
            break
    return total / 2**30


# --- this machine -------------------------------------------------------------------------------


def test_the_cpu_record_matches_the_os() -> None:
    devices = HardwareManager().get_available_devices()
    cpu = devices[0]
    assert cpu.type == "cpu" and cpu.index == 0 and cpu.id == "cpu:0"
    assert [d for d in devices if d.type == "cpu"] == [cpu]
    assert cpu.cores == os.cpu_count()
    if hasattr(os, "sched_getaffinity"):
        assert cpu.usable_cores is not None and 1 <= cpu.usable_cores <= len(os.sched_getaffinity(0))
    assert cpu.memory_gb is not None
    assert cpu.memory_gb == pytest.approx(os_memory_gib(), rel=0.02)
    assert list(cpu.simd) == performance.cpu_features()
    if Path("/proc/cpuinfo").exists():
        names = re.findall(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)
        if names:
            assert cpu.name == names[0].strip()
    assert cpu.name
    assert (cpu.compute_capability, cpu.driver_version, cpu.runtime_version, cpu.mig) == (None, None, None, None)


def test_missing_backends_come_with_their_reasons() -> None:
    reasons = HardwareManager().unavailable()
    assert "no ROCm/HIP backend" in reasons["rocm"] and "not supported" in reasons["rocm"]
    assert "no Metal backend" in reasons["metal"] and "not supported" in reasons["metal"]
    assert reasons["rocm"] == performance.backend_info()["unsupported"]["rocm"]
    if CUDA_AVAILABLE:
        assert "cuda" not in reasons
    else:
        # The reason is the backend's own: about the build or the driver.
        assert reasons["cuda"] == performance.backend_info()["cuda"]["reason"]
        if performance.HAS_CUDA:
            assert re.search(r"driver|device|NVRTC", reasons["cuda"])
        else:
            assert "cuda" in reasons["cuda"].lower()


def test_without_cuda_only_the_cpu_is_listed() -> None:
    if CUDA_AVAILABLE:
        pytest.skip("CUDA is available here")
    manager = HardwareManager()
    assert [d.type for d in manager.get_available_devices()] == ["cpu"]
    with pytest.raises(InvalidInputError, match="no cuda device"):
        manager.select_device(device_type="cuda")


@pytest.mark.cuda
@needs_cuda
def test_cuda_devices_are_the_drivers() -> None:
    info = performance.backend_info()["cuda"]
    gpus = [d for d in HardwareManager().get_available_devices() if d.type == "cuda"]
    assert [g.index for g in gpus] == [d["ordinal"] for d in info["devices"]]
    for gpu, dev in zip(gpus, info["devices"], strict=True):
        assert gpu.name == dev["name"] and gpu.compute_capability == tuple(dev["compute_capability"])
        assert gpu.memory_gb is not None and gpu.memory_gb == pytest.approx(dev["memory_gb"]) and gpu.memory_gb > 0.5
        assert gpu.cores == dev["multiprocessors"] and gpu.mig is dev["mig"]
        assert gpu.driver_version is not None and re.fullmatch(r"\d+\.\d+", gpu.driver_version)
        assert gpu.runtime_version is not None and re.fullmatch(r"\d+\.\d+", gpu.runtime_version)
    manager = HardwareManager(strategy=MA)
    assert manager.select_device(memory_gb=0.25, device_type="cuda").type == "cuda"


# --- strategies -----------------------------------------------------------------------------------


def test_round_robin_cycles_through_the_devices() -> None:
    manager = HardwareManager(fleet())
    assert manager.strategy is RR
    picks = [manager.select_device().id for _ in range(7)]
    assert picks == ["cpu:0", "cuda:0", "cuda:1", "cpu:0", "cuda:0", "cuda:1", "cpu:0"]
    assert manager.loads() == [3, 2, 2]
    # Only the devices of a type, still in turn; a device without the memory is skipped.
    assert [manager.select_device(device_type="cuda").id for _ in range(3)] == ["cuda:0", "cuda:1", "cuda:0"]
    assert manager.select_device(memory_gb=20.0, device_type="cuda").id == "cuda:1"


def test_least_loaded_picks_the_least_loaded_device() -> None:
    manager = HardwareManager(fleet(), strategy=LL)
    cpu, small, big = manager.get_available_devices()
    assert [manager.select_device() for _ in range(3)] == [cpu, small, big]
    manager.release(small)
    assert manager.loads() == [1, 0, 1]
    assert manager.select_device() == small
    assert manager.select_device() == cpu  # all at 1 again: the first listed
    manager.release(big)
    assert manager.select_device() == big
    manager.release(cpu)
    manager.release(cpu)
    assert manager.loads() == [0, 1, 1]
    assert [manager.select_device() for _ in range(2)] == [cpu, cpu]  # 0,1,1 → 1,1,1 → 2,1,1
    assert manager.select_device() == small
    assert manager.loads() == [2, 2, 1]
    with pytest.raises(InvalidInputError, match="no outstanding work"):
        HardwareManager(fleet(), strategy=LL).release(cpu)


def test_memory_aware_filters_by_free_memory_and_prefers_the_most() -> None:
    manager = HardwareManager(fleet(), strategy="memory_aware")
    cpu, small, big = manager.get_available_devices()
    assert manager.strategy is MA
    assert manager.select_device(memory_gb=30.0) == cpu  # 64 free
    assert manager.free_memory_gb() == [34.0, 16.0, 40.0]
    assert manager.select_device(memory_gb=10.0) == big  # 34, 16, 40: the most
    assert manager.select_device(memory_gb=20.0) == cpu  # 34, 16, 30
    assert manager.select_device(memory_gb=15.0, device_type="cuda") == big  # 16 vs 30
    assert manager.free_memory_gb() == [14.0, 16.0, 15.0]
    assert manager.select_device(memory_gb=15.5) == small  # only the small GPU has that much
    with pytest.raises(ResourceLimitError, match=r"no device has 20 GiB") as info:
        manager.select_device(memory_gb=20.0)
    assert "cuda:1 has 15.000 of 40.000 GiB free" in str(info.value)
    manager.release(cpu, memory_gb=30.0)
    assert manager.select_device(memory_gb=20.0) == cpu
    with pytest.raises(InvalidInputError, match="only"):
        manager.release(small, memory_gb=16.0)
    assert manager.loads() == [2, 1, 2]  # a refused release changes nothing


def test_memory_is_respected_by_every_strategy_and_unknown_memory_never_fits() -> None:
    devices = [*fleet(), Device(type="cpu", index=1, name="mystery", memory_gb=None, cores=1)]
    for strategy in LoadBalancingStrategy:
        manager = HardwareManager(devices, strategy=strategy)
        chosen = [manager.select_device(memory_gb=30.0).id for _ in range(3)]
        assert Counter(chosen) == Counter({"cpu:0": 2, "cuda:1": 1}), strategy
        with pytest.raises(ResourceLimitError, match=r"cpu:1's memory is not known"):
            manager.select_device(memory_gb=30.0)
    manager = HardwareManager(devices, strategy=MA)
    assert manager.select_device().id == "cpu:0"  # unknown memory ranks last
    assert manager.free_memory_gb()[3] is None


def test_changing_the_strategy_keeps_the_loads() -> None:
    manager = HardwareManager(fleet())
    big = manager.get_available_devices()[2]
    manager.select_device()
    manager.select_device()
    manager.set_load_balancing_strategy(LL)
    assert manager.strategy is LL and manager.loads() == [1, 1, 0]
    assert manager.select_device() == big
    for name in ("RoundRobin", "round_robin", "MEMORY_AWARE", LoadBalancingStrategy.LeastLoaded):
        manager.set_load_balancing_strategy(name)
    assert manager.strategy is LL
    with pytest.raises(InvalidInputError, match="strategy"):
        manager.set_load_balancing_strategy("random")
    with pytest.raises(InvalidTypeError, match="strategy"):
        manager.set_load_balancing_strategy(1)  # type: ignore[arg-type]


def test_bad_arguments_raise_the_projects_errors() -> None:
    manager = HardwareManager(fleet())
    for memory in (float("nan"), float("inf"), -1.0):
        with pytest.raises(InvalidInputError, match="memory_gb"):
            manager.select_device(memory_gb=memory)
    with pytest.raises(InvalidInputError):
        manager.select_device(memory_gb=10**400)
    with pytest.raises(InvalidInputError, match="'cpu' or 'cuda'"):
        manager.select_device(device_type="rocm")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="at least one device"):
        HardwareManager([])
    with pytest.raises(InvalidTypeError, match="Device"):
        HardwareManager(["cpu"])  # type: ignore[list-item]
    with pytest.raises(InvalidTypeError, match="sequence of Device"):
        HardwareManager(fleet()[0])  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="not one of"):
        manager.release(Device(type="cuda", index=7, name="elsewhere", memory_gb=1.0, cores=1))
    with pytest.raises(InvalidTypeError, match="must be a Device"):
        manager.release("cpu:0")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="'cpu' or 'cuda'"):
        Device(type="tpu", index=0, name="x", memory_gb=1.0, cores=1)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="memory_gb"):
        Device(type="cpu", index=0, name="x", memory_gb=float("nan"), cores=1)
    with pytest.raises(InvalidTypeError):
        Device(type="cpu", index=True, name="x", memory_gb=1.0, cores=1)
    with pytest.raises(InvalidInputError):
        Device(type="cpu", index=-1, name="x", memory_gb=1.0, cores=1)


# --- pickling, repr, threads -----------------------------------------------------------------------


def test_pickling_and_repr() -> None:
    given = HardwareManager(fleet(), strategy=MA)
    given.select_device(memory_gb=1.0)
    copy = pickle.loads(pickle.dumps(given))
    assert copy.get_available_devices() == fleet() and copy.strategy is MA
    assert copy.loads() == [0, 0, 0]  # outstanding work stays with the original
    found = pickle.loads(pickle.dumps(HardwareManager()))
    assert found.get_available_devices() == HardwareManager().get_available_devices()
    device = fleet()[2]
    assert pickle.loads(pickle.dumps(device)) == device
    assert pickle.loads(pickle.dumps(LL)) is LL
    text = repr(given)
    assert text.startswith("HardwareManager(strategy=LoadBalancingStrategy.MemoryAware")
    assert "cuda:1 (big GPU)" in text and "loads=[1, 0, 0]" in text
    assert repr(device).startswith("Device(type='cuda', index=1, name='big GPU'")
    for obj in (HardwareManager, Device, LoadBalancingStrategy):
        assert obj.__module__ == "quantumpanarchy.infrastructure"
    assert device.to_dict()["compute_capability"] == (8, 0)
    assert str(RR) == "round_robin" and RR == "round_robin"


def test_threads_sharing_a_manager_keep_exact_counts() -> None:
    manager = HardwareManager(fleet(), strategy=LL)
    devices = manager.get_available_devices()
    per_thread, threads, need = 2000, 4, 2.0**-7  # a power of 2: the sums are exact
    barrier = threading.Barrier(threads)
    seen: list[Counter[str]] = []
    lock = threading.Lock()

    def work() -> None:
        counts: Counter[str] = Counter()
        barrier.wait()
        for i in range(per_thread):
            d = manager.select_device(memory_gb=need)
            counts[d.id] += 1
            if i % 2:
                manager.release(d, memory_gb=need)
        with lock:
            seen.append(counts)

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    total = sum(seen, Counter())
    assert sum(total.values()) == per_thread * threads
    loads = manager.loads()
    assert sum(loads) == per_thread * threads // 2
    # Least loaded keeps the outstanding work within one piece across the devices.
    assert max(loads) - min(loads) <= threads
    free = manager.free_memory_gb()
    for device, load, left in zip(devices, loads, free, strict=True):
        assert device.memory_gb is not None and left == device.memory_gb - need * load
