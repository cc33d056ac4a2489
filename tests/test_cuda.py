"""The CUDA backend against the CPU reference physics (GPU tests: skipped without a device).

* A 2D periodic ferromagnet anneals to its ground state, -2 per spin.
* Gibbs and Metropolis sampling at a fixed beta (a constant schedule: one sample per read) match
  the exact Boltzmann distribution in total-variation distance, for a sparse (CSR, colour
  classes) and a dense (sequential tile) network.
* The same seed gives identical samples; another seed does not.
* Without a device, ``backend="cuda"`` raises ``BackendUnavailableError`` with the reason.

State-index convention: bit i of the index is 1 when spin i is +1.
"""

from __future__ import annotations

import ctypes
import importlib
import sys
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt
import pytest
import quantumpanarchy
from quantumpanarchy import _libraries
from quantumpanarchy.core import BoltzmannSampler, Method, PBitNetwork, Temperature
from quantumpanarchy.performance import backend_info

CUDA_AVAILABLE = bool(backend_info()["cuda"]["available"])
BACKEND: Final = "cuda"
METHODS: list[Method] = ["gibbs", "metropolis"]

needs_cuda = pytest.mark.skipif(not CUDA_AVAILABLE, reason="no CUDA device available")
pytestmark = pytest.mark.cuda


def ferromagnet_2d(side: int) -> PBitNetwork:
    """Periodic side x side square lattice, J = +1 (ferromagnetic in the physics convention)."""
    idx = np.arange(side * side).reshape(side, side)
    rows = np.concatenate([idx.ravel(), idx.ravel()])
    cols = np.concatenate([np.roll(idx, -1, axis=0).ravel(), np.roll(idx, -1, axis=1).ravel()])
    return PBitNetwork.from_sparse(rows, cols, np.ones(rows.size))


def sparse_network() -> PBitNetwork:
    """12 p-bits, 6 random edges (fill under 10%: CSR storage, 2 colour classes), strong fields."""
    rng = np.random.default_rng(2)
    n, edges = 12, 6
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    pick = rng.choice(len(pairs), edges, replace=False)
    rows = np.array([pairs[k][0] for k in pick])
    cols = np.array([pairs[k][1] for k in pick])
    values = rng.choice([-1.0, 1.0], edges) * rng.uniform(0.5, 1.0, edges)
    return PBitNetwork.from_sparse(rows, cols, values, h=rng.normal(0.0, 2.0, n), num_pbits=n)


def dense_network() -> PBitNetwork:
    """10 p-bits, all-to-all SK-like couplings J_ij ~ N(0, 1/n), fields h_i ~ N(0, 1)."""
    rng = np.random.default_rng(1)
    n = 10
    upper = np.triu(rng.normal(0.0, 1.0, (n, n)), 1) / np.sqrt(n)
    return PBitNetwork.from_dense(upper + upper.T, rng.normal(0.0, 1.0, n))


def empirical(samples: npt.ArrayLike, n: int) -> npt.NDArray[np.float64]:
    s = np.asarray(samples)
    codes = ((s > 0).astype(np.int64) << np.arange(n)).sum(axis=1)
    return np.bincount(codes, minlength=1 << n) / len(codes)


def total_variation(p: npt.NDArray[np.float64], q: npt.NDArray[np.float64]) -> float:
    return 0.5 * float(np.abs(p - q).sum())


@needs_cuda
def test_ferromagnet_reaches_ground_state() -> None:
    side = 32
    net = ferromagnet_2d(side)
    assert not net.is_dense
    for method in METHODS:
        result = net.anneal(num_reads=64, seed=3, num_sweeps=4000, method=method, backend=BACKEND)
        per_spin = np.asarray(result.energies) / (side * side)
        assert per_spin.min() >= -2.0 - 1e-9
        assert np.mean(np.isclose(per_spin, -2.0)) >= 0.75, (method, per_spin)


@needs_cuda
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("kind", ["sparse", "dense"])
def test_fixed_beta_sampling_matches_exact_distribution(kind: str, method: Method) -> None:
    net = sparse_network() if kind == "sparse" else dense_network()
    assert net.is_dense == (kind == "dense")
    beta, reads = 1.5, 20000
    result = net.anneal(Temperature.constant(1.0 / beta, 100), num_reads=reads, seed=11, method=method, backend=BACKEND)
    q = empirical(result.samples, net.num_pbits)
    p = BoltzmannSampler(net, beta).exact_distribution()
    # i.i.d. exact draws of this size sit near 0.02 here; a wrong temperature is far off.
    assert total_variation(p, q) < 0.05
    assert total_variation(BoltzmannSampler(net, 0.5 * beta).exact_distribution(), q) > 0.1


@needs_cuda
@pytest.mark.parametrize("kind", ["sparse", "dense"])
def test_same_seed_same_samples(kind: str) -> None:
    net = sparse_network() if kind == "sparse" else dense_network()
    schedule = Temperature.geometric(5.0, 0.2, 50)

    def run(seed: int) -> npt.NDArray[np.int8]:
        return np.asarray(net.anneal(schedule, num_reads=256, seed=seed, method="gibbs", backend=BACKEND).samples)

    first = run(7)
    assert np.array_equal(first, run(7))
    assert not np.array_equal(first, run(8))


@pytest.mark.skipif(CUDA_AVAILABLE, reason="a CUDA device is available")
def test_cuda_without_device_raises() -> None:
    net = ferromagnet_2d(4)
    with pytest.raises(quantumpanarchy.BackendUnavailableError) as err:
        net.anneal(num_reads=2, seed=1, backend="cuda")
    assert "cuda" in str(err.value).lower()


def test_pip_nvrtc_folders_of_cuda_12_and_13_are_handed_over(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both pip layouts are searched, CUDA 13 first, and the folders that hold NVRTC itself are
    handed to the native side: not a folder with NVRTC's builtins alone, and nothing is loaded
    (no device needed: the libraries are stand-ins)."""
    for folder, name, builtins in (
        ("cu13", "libnvrtc.so.13", "libnvrtc-builtins.so.13.5"),
        ("cuda_nvrtc", "libnvrtc.so.12", "libnvrtc-builtins.so.12.9"),
    ):
        lib = tmp_path / "site" / "nvidia" / folder / "lib"
        lib.mkdir(parents=True)
        (lib / name).touch()
        (lib / builtins).touch()
    # earlier on the path, the same namespace package with the builtins library alone
    decoy = tmp_path / "decoy" / "nvidia" / "cu13" / "lib"
    decoy.mkdir(parents=True)
    (decoy / "libnvrtc-builtins.so.13.5").touch()
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.syspath_prepend(str(tmp_path / "decoy"))
    monkeypatch.delitem(sys.modules, "nvidia", raising=False)
    loaded: list[str] = []
    monkeypatch.setattr(ctypes, "CDLL", lambda path, *args, **kwargs: loaded.append(Path(path).name))
    handed: list[list[str]] = []
    native = importlib.import_module("quantumpanarchy._native")
    monkeypatch.setattr(native.performance, "_set_nvrtc_dirs", handed.append)
    try:
        _libraries.hand_over_nvrtc_dirs()
    finally:
        sys.modules.pop("nvidia", None)  # the stand-in namespace package
    site = tmp_path / "site" / "nvidia"
    assert handed == [[str(site / "cu13" / "lib"), str(site / "cuda_nvrtc" / "lib")]]
    assert loaded == []


def test_the_native_side_takes_the_folders() -> None:
    """The private setter the package calls at import accepts a list of folders (before CUDA is
    first used they are searched; later they change nothing), and nothing else."""
    native = importlib.import_module("quantumpanarchy._native")
    native.performance._set_nvrtc_dirs(_libraries.nvrtc_dirs())
    with pytest.raises(TypeError):
        native.performance._set_nvrtc_dirs("nvidia/cu13/lib")
