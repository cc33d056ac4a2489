"""Contract tests of the public API of ``quantumpanarchy.core`` and ``quantumpanarchy.performance``.

Every check compares the library with an independent reference: a formula written out in numpy,
exhaustive enumeration of small state spaces, or dimod's own energies for dimod-style input.
Sizes are small so the whole file runs in a few seconds.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import itertools
import math
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
import quantumpanarchy
from quantumpanarchy import performance
from quantumpanarchy.core import (
    MAX_EXACT_PBITS,
    BoltzmannSampler,
    IsingEnergy,
    Method,
    Observables,
    ParallelTempering,
    PBit,
    PBitNetwork,
    Sample,
    SampleSet,
    ScheduleType,
    Temperature,
    TemperingResult,
    Vartype,
    default_beta_range,
    integrated_autocorrelation_time,
)
from quantumpanarchy.exceptions import (
    BackendUnavailableError,
    InvalidInputError,
    QuantumPanarchyError,
)

FloatArray = npt.NDArray[np.float64]
SpinArray = npt.NDArray[np.int8]

# The stub shipped next to the installed module describes the runtime being tested; the
# repository's stubs/ copy is the fallback (they are the same file in a release).
_SHIPPED = Path(quantumpanarchy.core.__file__).with_suffix(".pyi")
STUB = _SHIPPED if _SHIPPED.exists() else Path(__file__).resolve().parents[1] / "stubs" / "core.pyi"
ANNEAL_INFO_KEYS = {"beta_range", "num_sweeps", "method", "backend", "seed", "timing"}


# --------------------------------------------------------------------------------------------
# references


def spin_states(n: int) -> SpinArray:
    """All 2^n spin states, one per row."""
    return np.array(list(itertools.product([-1, 1], repeat=n)), dtype=np.int8).reshape(-1, n)


def bit_states(n: int) -> SpinArray:
    """All 2^n binary states, one per row."""
    return np.array(list(itertools.product([0, 1], repeat=n)), dtype=np.int8).reshape(-1, n)


def ising_energy(j: FloatArray, h: FloatArray, s: npt.NDArray[Any]) -> FloatArray:
    """Physics convention, E = -1/2 sᵀJs - h·s, for each row of ``s``."""
    x = np.atleast_2d(s).astype(np.float64)
    return np.asarray(-0.5 * np.einsum("ki,ij,kj->k", x, j, x) - x @ h, dtype=np.float64)


def qubo_energy(q: FloatArray, x: npt.NDArray[Any]) -> FloatArray:
    xf = np.atleast_2d(x).astype(np.float64)
    return np.asarray(np.einsum("ki,ij,kj->k", xf, q, xf), dtype=np.float64)


def random_couplings(n: int, seed: int, density: float = 1.0) -> tuple[FloatArray, FloatArray]:
    rng = np.random.default_rng(seed)
    upper = np.triu(rng.normal(size=(n, n)) * (rng.random((n, n)) < density), 1)
    return upper + upper.T, rng.normal(size=n)


def ring(n: int, seed: int | None = None) -> PBitNetwork:
    """Ferromagnetic ring, each bond once."""
    rows = np.arange(n)
    return PBitNetwork.from_sparse(rows, (rows + 1) % n, np.ones(n), num_pbits=n, seed=seed)


# --------------------------------------------------------------------------------------------
# public names, docstrings, stubs

CORE_NAMES = [
    "PBit",
    "Temperature",
    "PBitNetwork",
    "IsingEnergy",
    "BoltzmannSampler",
    "ParallelTempering",
    "SampleSet",
    "Sample",
    "Observables",
    "TemperingResult",
    "default_beta_range",
    "integrated_autocorrelation_time",
]


@pytest.mark.parametrize("name", CORE_NAMES)
def test_public_name_lives_in_quantumpanarchy_core(name: str) -> None:
    import quantumpanarchy.core as core

    assert name in core.__all__
    obj = getattr(core, name)
    assert obj.__module__ == "quantumpanarchy.core"


def test_literal_aliases_and_constants() -> None:
    assert set(typing.get_args(Method)) == {"gibbs", "metropolis"}
    assert set(typing.get_args(ScheduleType)) == {"geometric", "linear"}
    assert set(typing.get_args(Vartype)) == {"SPIN", "BINARY"}
    assert MAX_EXACT_PBITS == 24
    assert quantumpanarchy.core is __import__("quantumpanarchy.core", fromlist=["x"])


@pytest.mark.parametrize(
    "cls",
    [
        PBit,
        Temperature,
        PBitNetwork,
        IsingEnergy,
        BoltzmannSampler,
        ParallelTempering,
        SampleSet,
        Observables,
        TemperingResult,
    ],
)
def test_classes_have_docstrings(cls: type) -> None:
    assert cls.__doc__ is not None and len(cls.__doc__.strip()) > 20


def test_public_methods_have_docstrings() -> None:
    missing = []
    for cls in (
        PBit,
        Temperature,
        PBitNetwork,
        IsingEnergy,
        BoltzmannSampler,
        ParallelTempering,
        SampleSet,
        Observables,
        TemperingResult,
    ):
        for attr in dir(cls):
            member = getattr(cls, attr)
            if attr.startswith("_") or not callable(member):
                continue
            if not (member.__doc__ or "").strip():
                missing.append(f"{cls.__name__}.{attr}")
    assert missing == []


def _stub_tree() -> ast.Module:
    return ast.parse(STUB.read_text(encoding="utf-8"))


def _stub_params(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    a = fn.args
    names = [p.arg for p in [*a.posonlyargs, *a.args, *a.kwonlyargs]]
    return [n for n in names if n not in ("self", "cls")]


def _runtime_params(obj: Any) -> list[str]:
    return [p for p in inspect.signature(obj).parameters if p not in ("self", "cls")]


def _stub_members() -> list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    out: list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]] = []
    for node in _stub_tree().body:
        if isinstance(node, ast.ClassDef):
            for f in node.body:
                if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    out.append((node.name, f))
    return out


def test_every_stub_name_exists_at_runtime() -> None:
    import quantumpanarchy.core as core

    missing = []
    for node in _stub_tree().body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)) and not hasattr(core, node.name):
            missing.append(node.name)
    for cls_name, f in _stub_members():
        if not hasattr(getattr(core, cls_name), f.name):
            missing.append(f"{cls_name}.{f.name}")
    assert missing == []


def _is_overload(f: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(isinstance(d, ast.Name) and d.id == "overload" for d in f.decorator_list)


def _runtime_by_kind(obj: Any) -> tuple[int, list[str]]:
    """How many positional-only parameters ``obj`` has, and the names it takes by keyword."""
    params = inspect.signature(obj).parameters.values()
    positional_only = sum(p.kind == p.POSITIONAL_ONLY for p in params)
    return positional_only, [p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]


def test_stub_signatures_match_runtime_for_sync_callables() -> None:
    import quantumpanarchy.core as core

    differ = []
    for cls_name, f in _stub_members():
        if isinstance(f, ast.AsyncFunctionDef):
            continue
        if _is_overload(f):  # each form fits the positional-only slots; the keywords must match
            positional_only, runtime_keywords = _runtime_by_kind(getattr(getattr(core, cls_name), f.name))
            if len(f.args.posonlyargs) > positional_only:
                differ.append(f"{cls_name}.{f.name}: {len(f.args.posonlyargs)} positional-only in the stub")
            if runtime_keywords != [a.arg for a in [*f.args.args, *f.args.kwonlyargs]]:
                differ.append(f"{cls_name}.{f.name}: runtime keywords {runtime_keywords}")
            continue
        if f.name.startswith("__") and f.name not in ("__new__", "__init__"):
            continue
        cls = getattr(core, cls_name)
        obj = cls if f.name in ("__new__", "__init__") else inspect.getattr_static(cls, f.name)
        if isinstance(obj, property) or type(obj).__name__ == "getset_descriptor":
            continue
        obj = cls if f.name in ("__new__", "__init__") else getattr(cls, f.name)
        if _runtime_params(obj) != _stub_params(f):
            differ.append(f"{cls_name}.{f.name}: runtime {_runtime_params(obj)} stub {_stub_params(f)}")
    for node in _stub_tree().body:
        if isinstance(node, ast.FunctionDef):
            if _runtime_params(getattr(core, node.name)) != _stub_params(node):
                differ.append(node.name)
    assert differ == []


def test_async_signatures_match_stub() -> None:
    import quantumpanarchy.core as core

    differ = []
    for cls_name, f in _stub_members():
        if isinstance(f, ast.AsyncFunctionDef):
            runtime = _runtime_params(getattr(getattr(core, cls_name), f.name))
            if runtime != _stub_params(f):
                differ.append(f"{cls_name}.{f.name}: {runtime}")
    assert differ == []


def test_runtime_has_no_public_methods_missing_from_stub() -> None:
    import quantumpanarchy.core as core

    stubbed: dict[str, set[str]] = {}
    for cls_name, f in _stub_members():
        stubbed.setdefault(cls_name, set()).add(f.name)
    for node in _stub_tree().body:
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    stubbed.setdefault(node.name, set()).add(item.target.id)
    extra = []
    for cls_name, names in stubbed.items():
        cls = getattr(core, cls_name)
        for attr in dir(cls):
            if attr.startswith("_") or attr in names:
                continue
            if cls_name == "Sample" and attr in ("count", "index"):
                continue  # tuple methods
            extra.append(f"{cls_name}.{attr}")
    assert extra == []


# --------------------------------------------------------------------------------------------
# PBit


@pytest.mark.parametrize(
    ("bias", "beta", "inp"),
    [(0.0, 1.0, 0.0), (0.3, 1.2, -0.7), (-1.5, 0.5, 0.25), (2.0, 3.0, -2.5), (0.7, 0.0, 4.0)],
)
def test_pbit_probability_up_formula(bias: float, beta: float, inp: float) -> None:
    p = PBit(bias=bias, beta=beta, seed=0)
    assert p.bias == bias and p.beta == beta
    expected = (1.0 + math.tanh(beta * (inp + bias))) / 2.0
    assert p.probability_up(inp) == pytest.approx(expected, abs=1e-15)


def test_pbit_probability_up_default_input_and_extremes() -> None:
    assert PBit(bias=0.4, beta=2.0).probability_up() == pytest.approx((1 + math.tanh(0.8)) / 2)
    assert PBit(beta=0.0).probability_up(5.0) == 0.5
    assert PBit(beta=1e6).probability_up(1.0) == 1.0
    assert PBit(beta=1e6).probability_up(-1.0) == 0.0


@pytest.mark.parametrize(("bias", "beta", "inp"), [(0.3, 1.2, 0.1), (-0.8, 0.7, 0.2), (0.0, 1.0, 0.0)])
def test_pbit_sample_frequencies(bias: float, beta: float, inp: float) -> None:
    p_up = (1.0 + math.tanh(beta * (inp + bias))) / 2.0
    n = 40_000
    s = PBit(bias=bias, beta=beta, seed=11).sample_many(n, inp)
    freq = float(np.mean(s == 1))
    sigma = math.sqrt(p_up * (1 - p_up) / n)
    assert abs(freq - p_up) < 5 * sigma + 1e-12
    one_by_one = PBit(bias=bias, beta=beta, seed=12)
    draws = [one_by_one.sample(inp) for _ in range(4000)]
    assert set(draws) <= {-1, 1}
    assert abs(draws.count(1) / 4000 - p_up) < 5 * math.sqrt(p_up * (1 - p_up) / 4000) + 1e-12


def test_pbit_sample_many_dtype_shape_and_seed() -> None:
    a = PBit(bias=0.1, seed=3).sample_many(500)
    assert a.dtype == np.int8 and a.shape == (500,)
    assert set(np.unique(a).tolist()) == {-1, 1}
    np.testing.assert_array_equal(a, PBit(bias=0.1, seed=3).sample_many(500))
    assert not np.array_equal(a, PBit(bias=0.1, seed=4).sample_many(500))
    empty = PBit(seed=1).sample_many(0)
    assert empty.dtype == np.int8 and empty.shape == (0,)


def test_pbit_repr() -> None:
    r = repr(PBit(bias=0.25, beta=2.0))
    assert r.startswith("PBit(") and "0.25" in r and "2" in r


# --------------------------------------------------------------------------------------------
# Temperature


def test_temperature_linear() -> None:
    t = Temperature.linear(10.0, 1.0, 7)
    np.testing.assert_allclose(t.temperatures(), np.linspace(10.0, 1.0, 7), rtol=1e-14)
    assert len(t) == 7


def test_temperature_geometric() -> None:
    t = Temperature.geometric(8.0, 0.5, 9)
    np.testing.assert_allclose(t.temperatures(), np.geomspace(8.0, 0.5, 9), rtol=1e-13)
    ratios = t.temperatures()[1:] / t.temperatures()[:-1]
    np.testing.assert_allclose(ratios, ratios[0], rtol=1e-12)


def test_temperature_exponential() -> None:
    t_start, t_end, steps = 5.0, 0.5, 20
    fast = Temperature.exponential(t_start, t_end, steps, rate=8.0).temperatures()
    slow = Temperature.exponential(t_start, t_end, steps, rate=1.0).temperatures()
    default = Temperature.exponential(t_start, t_end, steps).temperatures()
    lin = np.linspace(t_start, t_end, steps)
    for temps in (fast, slow, default):
        assert temps.shape == (steps,)
        assert temps[0] == pytest.approx(t_start) and temps[-1] == pytest.approx(t_end)
        assert np.all(np.diff(temps) < 0)
        assert np.all(temps[1:-1] < lin[1:-1])  # cools faster than linear early on
    assert np.all(fast[1:-1] < slow[1:-1])  # a larger rate spends longer near t_end
    f = np.linspace(0.0, 1.0, steps)
    r = 5.0
    documented = t_end + (t_start - t_end) * (np.exp(-r * f) - np.exp(-r)) / (1 - np.exp(-r))
    np.testing.assert_allclose(default, documented, rtol=1e-12)


def test_temperature_constant_and_from_betas() -> None:
    c = Temperature.constant(2.5, 4)
    np.testing.assert_array_equal(c.temperatures(), np.full(4, 2.5))
    np.testing.assert_allclose(c.betas(), np.full(4, 0.4), rtol=1e-15)
    betas = np.array([0.1, 0.3, 0.9, 2.7])
    b = Temperature.from_betas(betas)
    np.testing.assert_array_equal(b.betas(), betas)
    np.testing.assert_allclose(b.temperatures(), 1.0 / betas, rtol=1e-15)
    assert Temperature.from_betas([0.5, 1.0]).betas().tolist() == [0.5, 1.0]


@pytest.mark.parametrize("kind", ["geometric", "linear"])
def test_temperature_from_beta_range(kind: ScheduleType) -> None:
    t = Temperature.from_beta_range(0.2, 5.0, 11, kind)
    expected = np.geomspace(0.2, 5.0, 11) if kind == "geometric" else np.linspace(0.2, 5.0, 11)
    np.testing.assert_allclose(t.betas(), expected, rtol=1e-13)
    default = Temperature.from_beta_range(0.2, 5.0, 11)
    np.testing.assert_allclose(default.betas(), np.geomspace(0.2, 5.0, 11), rtol=1e-13)


def test_temperature_len_iteration_and_betas_are_inverse() -> None:
    t = Temperature.geometric(3.0, 0.3, 6)
    assert len(t) == 6
    assert list(t) == t.temperatures().tolist()
    assert all(isinstance(x, float) for x in t)
    np.testing.assert_allclose(t.betas(), 1.0 / t.temperatures(), rtol=1e-15)
    assert t.betas().dtype == np.float64 and t.temperatures().dtype == np.float64


def test_temperature_equality_and_repr() -> None:
    assert Temperature.linear(4.0, 1.0, 5) == Temperature.linear(4.0, 1.0, 5)
    assert Temperature.linear(4.0, 1.0, 5) != Temperature.linear(4.0, 1.0, 6)
    assert Temperature.linear(4.0, 1.0, 5) != Temperature.geometric(4.0, 1.0, 5)
    assert "Temperature" in repr(Temperature.constant(1.0, 3))


def test_anneal_follows_a_temperature_schedule() -> None:
    net = ring(6, seed=0)
    sched = Temperature.from_betas([0.1, 0.4, 1.6])
    ss = net.anneal(sched, num_reads=2, seed=1, num_sweeps_per_beta=3)
    assert ss.info["num_sweeps"] == 9
    assert ss.info["beta_range"] == pytest.approx((0.1, 1.6))


# --------------------------------------------------------------------------------------------
# PBitNetwork: constructors


def test_new_network_defaults() -> None:
    net = PBitNetwork(5, seed=2)
    assert net.num_pbits == 5 and len(net) == 5
    assert net.num_couplings == 0
    assert net.vartype == "SPIN" and net.offset == 0.0
    assert net.variables == [0, 1, 2, 3, 4]
    np.testing.assert_array_equal(net.fields, np.zeros(5))
    s = net.state
    assert s.dtype == np.int8 and s.shape == (5,) and set(s.tolist()) <= {-1, 1}
    np.testing.assert_array_equal(s, PBitNetwork(5, seed=2).state)
    assert "PBitNetwork" in repr(net) and "5" in repr(net)


def test_from_dense_energies_equal_reference() -> None:
    j, h = random_couplings(5, seed=1)
    net = PBitNetwork.from_dense(j, h, seed=0)
    jj, hh = net.to_dense()
    np.testing.assert_array_equal(jj, j)
    np.testing.assert_array_equal(hh, h)
    np.testing.assert_array_equal(net.fields, h)
    s = spin_states(5)
    np.testing.assert_allclose(net.energy(s), ising_energy(j, h, s), rtol=1e-12, atol=1e-12)
    assert net.num_couplings == int(np.count_nonzero(np.triu(j, 1)))
    no_h = PBitNetwork.from_dense(j)
    np.testing.assert_array_equal(no_h.fields, np.zeros(5))


def test_from_sparse_sums_duplicates_and_counts_both_triangles_once() -> None:
    rows = [0, 1, 0, 2, 3, 3]
    cols = [1, 0, 1, 3, 2, 2]
    vals = [1.0, 3.5, 2.5, -0.75, -1.0, 0.25]  # J[0,1] = 1 + 2.5 = J[1,0]; J[3,2] = -1 + 0.25 = J[2,3]
    net = PBitNetwork.from_sparse(rows, cols, vals, h=[0.1, 0.0, -0.2, 0.3])
    assert net.num_pbits == 4
    assert net.coupling(0, 1) == 3.5 and net.coupling(1, 0) == 3.5
    assert net.coupling(2, 3) == -0.75
    assert net.num_couplings == 2
    j = np.zeros((4, 4))
    j[0, 1] = j[1, 0] = 3.5
    j[2, 3] = j[3, 2] = -0.75
    s = spin_states(4)
    np.testing.assert_allclose(net.energy(s), ising_energy(j, np.array([0.1, 0.0, -0.2, 0.3]), s), atol=1e-12)
    r, c, v = net.edges()
    assert r.dtype == np.int64 and c.dtype == np.int64 and v.dtype == np.float64
    assert sorted(zip(r.tolist(), c.tolist(), v.tolist(), strict=True)) == [(0, 1, 3.5), (2, 3, -0.75)]


def test_from_sparse_sizes() -> None:
    assert PBitNetwork.from_sparse([0], [3], [1.0]).num_pbits == 4
    assert PBitNetwork.from_sparse([0], [1], [1.0], num_pbits=6).num_pbits == 6
    assert PBitNetwork.from_sparse([0], [1], [1.0], h=np.zeros(3)).num_pbits == 3
    assert PBitNetwork.from_sparse([], [], [], num_pbits=3).num_couplings == 0


def test_from_sparse_equals_from_dense() -> None:
    j, h = random_couplings(7, seed=5, density=0.5)
    r, c = np.nonzero(np.triu(j, 1))
    sparse = PBitNetwork.from_sparse(r, c, j[r, c], h=h, num_pbits=7)
    dense = PBitNetwork.from_dense(j, h)
    np.testing.assert_allclose(sparse.to_dense()[0], j)
    s = spin_states(7)
    np.testing.assert_allclose(sparse.energy(s), dense.energy(s), atol=1e-12)


def test_from_qubo_matrix_energies_are_xtqx() -> None:
    q = np.random.default_rng(3).normal(size=(5, 5))  # not symmetric on purpose
    net = PBitNetwork.from_qubo(q, seed=1)
    assert net.vartype == "BINARY"
    assert set(net.state.tolist()) <= {0, 1}
    x = bit_states(5)
    np.testing.assert_allclose(net.energy(x), qubo_energy(q, x), rtol=1e-12, atol=1e-12)
    assert net.energy(x[7]) == pytest.approx(float(qubo_energy(q, x[7])[0]), abs=1e-12)


def test_from_qubo_dict_energies() -> None:
    dimod = pytest.importorskip("dimod")
    qd = {(0, 0): 1.0, (0, 1): -2.0, (1, 2): 0.5, (2, 2): -1.0, (1, 0): 0.25, (2, 3): 1.5}
    net = PBitNetwork.from_qubo(qd)
    assert net.vartype == "BINARY" and net.variables == [0, 1, 2, 3]
    x = bit_states(4)
    direct = np.array([sum(b * row[u] * row[v] for (u, v), b in qd.items()) for row in x])
    np.testing.assert_allclose(net.energy(x), direct, atol=1e-12)
    bqm = dimod.BinaryQuadraticModel.from_qubo(qd)
    np.testing.assert_allclose(net.energy(x), bqm.energies((x, [0, 1, 2, 3])), atol=1e-12)
    # the stub types Q dicts as {(int, int): float}, but labels are documented as allowed
    labelled = PBitNetwork.from_qubo({("a", "a"): 1.0, ("a", "b"): -3.0})
    assert labelled.variables == ["a", "b"]
    assert labelled.energy([1, 1]) == pytest.approx(-2.0)


def test_from_ising_uses_dimod_signs() -> None:
    dimod = pytest.importorskip("dimod")
    h = {0: 0.5, 1: -1.0, 2: 0.2}
    j = {(0, 1): 1.0, (1, 2): -0.7, (0, 2): 0.3}
    net = PBitNetwork.from_ising(h, j, offset=0.25)
    bqm = dimod.BinaryQuadraticModel.from_ising(h, j, offset=0.25)
    s = spin_states(3)
    np.testing.assert_allclose(net.energy(s), bqm.energies((s, [0, 1, 2])), atol=1e-12)
    assert net.vartype == "SPIN" and net.offset == pytest.approx(0.25)
    # physics convention internally: J_phys = -J_dimod, h_phys = -h_dimod
    assert net.coupling(0, 1) == pytest.approx(-1.0)
    np.testing.assert_allclose(net.fields, [-0.5, 1.0, -0.2])
    as_list = PBitNetwork.from_ising([0.5, -1.0, 0.2], j, offset=0.25)
    np.testing.assert_allclose(as_list.energy(s), net.energy(s), atol=1e-12)


@pytest.mark.parametrize("vartype", ["SPIN", "BINARY"])
def test_from_dimod_energies_equal_bqm(vartype: str) -> None:
    dimod = pytest.importorskip("dimod")
    linear = {"a": 1.0, "b": -2.0, "c": 0.5, "d": 0.0}
    quad = {("a", "b"): 3.0, ("b", "c"): -1.0, ("a", "d"): 0.75}
    bqm = dimod.BinaryQuadraticModel(linear, quad, 1.5, vartype)
    net = PBitNetwork.from_dimod(bqm, seed=3)
    assert net.vartype == vartype
    assert net.variables == list(bqm.variables)
    states = spin_states(4) if vartype == "SPIN" else bit_states(4)
    np.testing.assert_allclose(net.energy(states), bqm.energies((states, net.variables)), atol=1e-12)
    ss = net.anneal(num_reads=6, num_sweeps=30, seed=2)
    assert ss.vartype == vartype and ss.variables == net.variables
    np.testing.assert_allclose(ss.energies, bqm.energies((ss.samples, ss.variables)), atol=1e-12)


# --------------------------------------------------------------------------------------------
# PBitNetwork: state, couplings, energy


def test_state_get_and_set() -> None:
    net = PBitNetwork(4, seed=0)
    net.state = [1, -1, -1, 1]
    np.testing.assert_array_equal(net.state, [1, -1, -1, 1])
    got = net.state
    got[0] = -1  # a copy: the network does not change
    np.testing.assert_array_equal(net.state, [1, -1, -1, 1])
    net.state = np.array([-1.0, -1.0, 1.0, 1.0])
    np.testing.assert_array_equal(net.state, [-1, -1, 1, 1])
    assert net.magnetization() == 0.0
    net.state = np.ones(4, dtype=np.int64)
    assert net.magnetization() == 1.0
    q = PBitNetwork.from_qubo(np.eye(3))
    q.state = [0, 1, 1]
    np.testing.assert_array_equal(q.state, [0, 1, 1])
    assert q.energy() == pytest.approx(2.0)


def test_set_coupling_is_symmetric() -> None:
    net = PBitNetwork(4, seed=0)
    net.set_coupling(2, 0, -1.25)
    assert net.coupling(0, 2) == -1.25 and net.coupling(2, 0) == -1.25
    net.set_field(3, 0.5)
    j, h = net.to_dense()
    np.testing.assert_array_equal(j, j.T)
    assert j[0, 2] == -1.25 and j[2, 0] == -1.25 and np.count_nonzero(j) == 2
    np.testing.assert_array_equal(h, [0, 0, 0, 0.5])
    s = spin_states(4)
    np.testing.assert_allclose(net.energy(s), ising_energy(j, h, s), atol=1e-12)
    net.set_coupling(0, 2, 0.0)
    assert net.coupling(2, 0) == 0.0
    net.set_coupling(1, 3, 2.0)
    net.set_coupling(1, 3, 3.0)  # overwrite, not add
    assert net.coupling(3, 1) == 3.0


def test_energy_of_current_one_and_many_states() -> None:
    j, h = random_couplings(6, seed=2)
    net = PBitNetwork.from_dense(j, h, seed=4)
    e_now = net.energy()
    assert isinstance(e_now, float)
    assert e_now == pytest.approx(float(ising_energy(j, h, net.state)[0]), abs=1e-12)
    one = net.energy(np.array([1, -1, 1, 1, -1, -1], dtype=np.int8))
    assert isinstance(one, float)
    batch = spin_states(6)[::5]
    many = net.energy(batch)
    assert isinstance(many, np.ndarray) and many.shape == (len(batch),) and many.dtype == np.float64
    np.testing.assert_allclose(many, ising_energy(j, h, batch), atol=1e-12)
    np.testing.assert_allclose(many, [net.energy(row) for row in batch], atol=0)
    # lists, float arrays and Fortran order give the same numbers
    np.testing.assert_allclose(net.energy(np.asfortranarray(batch.astype(np.float32))), many)
    assert net.energy(batch[3].tolist()) == many[3]


def test_local_fields() -> None:
    j, h = random_couplings(5, seed=8)
    net = PBitNetwork.from_dense(j, h, seed=1)
    s = spin_states(5)[[3, 17, 30]]
    lf = net.local_fields(s)
    assert lf.shape == (3, 5)
    np.testing.assert_allclose(lf, s @ j + h, atol=1e-12)
    np.testing.assert_allclose(net.local_fields(s[1]), j @ s[1] + h, atol=1e-12)
    np.testing.assert_allclose(net.local_fields(), j @ net.state + h, atol=1e-12)


def test_sweep_changes_state_and_is_reproducible() -> None:
    for method in ("gibbs", "metropolis"):
        m: Method = "gibbs" if method == "gibbs" else "metropolis"
        a = ring(40, seed=9)
        b = ring(40, seed=9)
        before = a.state
        flips_a = a.sweep(0.2, num_sweeps=3, method=m)
        flips_b = b.sweep(0.2, num_sweeps=3, method=m)
        assert flips_a > 0 and not np.array_equal(a.state, before)
        assert flips_a == flips_b
        np.testing.assert_array_equal(a.state, b.state)
        c = ring(40, seed=10)
        c.sweep(0.2, num_sweeps=3, method=m)
        assert not np.array_equal(a.state, c.state)


def test_sweep_zero_and_cold_ground_state() -> None:
    net = ring(10, seed=1)
    s = net.state
    assert net.sweep(1.0, num_sweeps=0) == 0
    np.testing.assert_array_equal(net.state, s)
    net.state = np.ones(10, dtype=np.int8)
    assert net.sweep(50.0, num_sweeps=5, method="metropolis") == 0
    np.testing.assert_array_equal(net.state, np.ones(10))


def test_randomize_and_default_beta_range() -> None:
    net = ring(30, seed=1)
    net.randomize(seed=5)
    s = net.state
    net.randomize(seed=5)
    np.testing.assert_array_equal(net.state, s)
    net.randomize()
    assert not np.array_equal(net.state, s)
    hot, cold = net.default_beta_range()
    assert 0 < hot < cold
    assert default_beta_range(net) == (hot, cold)
    assert net.num_colors() >= 2


# --------------------------------------------------------------------------------------------
# annealing


def test_anneal_returns_consistent_sample_set() -> None:
    j, h = random_couplings(8, seed=4)
    net = PBitNetwork.from_dense(j, h, seed=2)
    ss = net.anneal(num_reads=5, seed=3, num_sweeps=40)
    assert isinstance(ss, SampleSet)
    assert ss.samples.shape == (5, 8) and ss.samples.dtype == np.int8
    assert ss.energies.shape == (5,) and ss.energies.dtype == np.float64
    np.testing.assert_array_equal(ss.num_occurrences, np.ones(5))
    assert ss.num_occurrences.dtype == np.int64
    assert set(np.unique(ss.samples).tolist()) <= {-1, 1}
    np.testing.assert_allclose(ss.energies, net.energy(ss.samples), atol=1e-12)
    for row, e in zip(ss.samples, ss.energies, strict=True):
        assert net.energy(row) == pytest.approx(e, abs=1e-12)
    assert ss.vartype == "SPIN" and ss.variables == list(range(8))
    assert ANNEAL_INFO_KEYS <= set(ss.info)
    assert ss.info["num_sweeps"] == 40 and ss.info["seed"] == 3
    assert ss.info["method"] == "metropolis" and ss.info["backend"] == "cpu"
    assert {"sampling_s", "spin_updates_per_s"} <= set(ss.info["timing"])
    lo, hi = ss.info["beta_range"]
    assert (lo, hi) == pytest.approx(net.default_beta_range())


def test_anneal_seed_and_options() -> None:
    j, h = random_couplings(30, seed=6)
    net = PBitNetwork.from_dense(j, h, seed=2)
    a = net.anneal(num_reads=4, seed=7, num_sweeps=10)
    assert a == net.anneal(num_reads=4, seed=7, num_sweeps=10)
    assert a != net.anneal(num_reads=4, seed=8, num_sweeps=10)
    lin = net.anneal(
        num_reads=2,
        seed=7,
        num_sweeps=12,
        beta_range=(0.5, 2.0),
        beta_schedule_type="linear",
        num_sweeps_per_beta=3,
        method="gibbs",
    )
    assert lin.info["beta_range"] == (0.5, 2.0) and lin.info["num_sweeps"] == 12
    assert lin.info["method"] == "gibbs"
    np.testing.assert_allclose(lin.energies, net.energy(lin.samples), atol=1e-12)


def test_anneal_initial_states_are_used() -> None:
    net = ring(12, seed=3)
    ground = np.ones(12, dtype=np.int8)
    cold = net.anneal(num_reads=3, seed=1, num_sweeps=5, beta_range=(100.0, 100.0), initial_states=ground)
    np.testing.assert_array_equal(cold.samples, np.ones((3, 12)))
    starts = np.array([ground, -ground], dtype=np.int8)
    per_read = net.anneal(num_reads=2, seed=1, num_sweeps=5, beta_range=(100.0, 100.0), initial_states=starts)
    np.testing.assert_array_equal(per_read.samples, starts)


def test_anneal_finds_ground_state_of_small_problem() -> None:
    j, h = random_couplings(9, seed=12)
    net = PBitNetwork.from_dense(j, h, seed=0)
    ground = ising_energy(j, h, spin_states(9)).min()
    ss = net.anneal(num_reads=10, seed=1, num_sweeps=300)
    assert ss.first.energy == pytest.approx(ground, abs=1e-9)


def test_anneal_binary_problem_reports_bits() -> None:
    q = np.random.default_rng(2).normal(size=(6, 6))
    net = PBitNetwork.from_qubo(q, seed=0)
    ss = net.anneal(num_reads=4, num_sweeps=50, seed=1)
    assert ss.vartype == "BINARY" and set(np.unique(ss.samples).tolist()) <= {0, 1}
    np.testing.assert_allclose(ss.energies, qubo_energy(q, ss.samples), atol=1e-12)
    assert ss.first.energy == pytest.approx(qubo_energy(q, bit_states(6)).min(), abs=1e-9)


# --------------------------------------------------------------------------------------------
# SampleSet


def small_sample_set() -> SampleSet:
    samples = np.array([[1, -1, 1], [-1, -1, 1], [1, -1, 1], [1, 1, 1], [-1, -1, 1]], dtype=np.int8)
    energies = np.array([0.5, -2.0, 0.5, 3.0, -2.0])
    return SampleSet(samples, energies, vartype="SPIN", variables=["x", "y", "z"], info={"k": 1})


def test_sample_set_basic_api() -> None:
    ss = small_sample_set()
    assert len(ss) == 5 and ss.num_variables == 3
    first = ss.first
    assert isinstance(first, Sample)
    assert first.energy == -2.0 and first.sample.tolist() == [-1, -1, 1] and first.num_occurrences == 1
    best = ss.best()
    assert best.energy == first.energy and best.num_occurrences == first.num_occurrences
    np.testing.assert_array_equal(best.sample, first.sample)
    rows = list(ss)
    assert len(rows) == 5 and all(isinstance(r, Sample) for r in rows)
    assert [r.energy for r in rows] == [0.5, -2.0, 0.5, 3.0, -2.0]
    np.testing.assert_array_equal(rows[3].sample, [1, 1, 1])


def test_sample_set_lowest_is_sorted() -> None:
    ss = small_sample_set()
    low = ss.lowest(3)
    assert isinstance(low, SampleSet) and len(low) == 3
    assert low.energies.tolist() == [-2.0, -2.0, 0.5]
    assert np.all(np.diff(low.energies) >= 0)
    assert ss.lowest().energies.tolist() == [-2.0]
    assert len(ss.lowest(0)) == 0
    assert len(ss.lowest(100)) == 5
    assert low.variables == ["x", "y", "z"]


def test_sample_set_aggregate_merges_duplicates() -> None:
    ss = small_sample_set()
    agg = ss.aggregate()
    assert len(agg) == 3
    assert int(agg.num_occurrences.sum()) == 5
    as_dict = {tuple(r.sample.tolist()): (r.energy, r.num_occurrences) for r in agg}
    assert as_dict == {(1, -1, 1): (0.5, 2), (-1, -1, 1): (-2.0, 2), (1, 1, 1): (3.0, 1)}
    again = agg.aggregate()
    assert again == agg


def test_sample_set_to_pandas() -> None:
    pd = pytest.importorskip("pandas")
    df = small_sample_set().to_pandas()
    assert list(df.columns) == ["x", "y", "z", "energy", "num_occurrences"]
    assert len(df) == 5
    assert df["energy"].tolist() == [0.5, -2.0, 0.5, 3.0, -2.0]
    assert df["x"].tolist() == [1, -1, 1, 1, -1]
    assert isinstance(df, pd.DataFrame)


def test_sample_set_to_dimod_round_trip() -> None:
    dimod = pytest.importorskip("dimod")
    bqm = dimod.BinaryQuadraticModel({"a": 1.0, "b": -0.5, "c": 0.2}, {("a", "b"): -1.0, ("b", "c"): 0.7}, 0.3, "SPIN")
    net = PBitNetwork.from_dimod(bqm, seed=1)
    ss = net.anneal(num_reads=6, num_sweeps=20, seed=4)
    d = ss.to_dimod()
    assert isinstance(d, dimod.SampleSet)
    assert list(d.variables) == ss.variables and d.vartype == dimod.SPIN
    np.testing.assert_array_equal(d.record.sample, ss.samples)
    np.testing.assert_array_equal(d.record.energy, ss.energies)
    np.testing.assert_array_equal(d.record.num_occurrences, ss.num_occurrences)
    np.testing.assert_allclose(bqm.energies(d), ss.energies, atol=1e-12)
    back = SampleSet(
        d.record.sample, d.record.energy, d.record.num_occurrences, vartype="SPIN", variables=list(d.variables)
    )
    assert back == ss


def test_sample_set_to_dict_equality_and_repr() -> None:
    ss = small_sample_set()
    d = ss.to_dict()
    assert d["samples"] == ss.samples.tolist() and d["energies"] == ss.energies.tolist()
    assert d["num_occurrences"] == [1] * 5 and d["vartype"] == "SPIN"
    assert d["variables"] == ["x", "y", "z"] and d["info"] == {"k": 1}
    assert ss == small_sample_set()
    other = small_sample_set()
    other.energies = other.energies + 1.0
    assert ss != other
    assert ss != "not a sample set"
    assert ss != SampleSet(ss.samples, ss.energies, vartype="BINARY", variables=["x", "y", "z"])
    r = repr(ss)
    assert "SampleSet" in r and "5" in r and "-2" in r
    html = getattr(ss, "_repr_html_")()  # noqa: B009 - notebook hook, not in the stub
    assert "<table" in html and "<th>x</th>" in html and "energy" in html


def test_sample_set_defaults() -> None:
    ss = SampleSet([[1, -1], [-1, -1]], [0.0, 1.0])
    assert ss.variables == [0, 1] and ss.vartype == "SPIN" and ss.info == {}
    np.testing.assert_array_equal(ss.num_occurrences, [1, 1])


# --------------------------------------------------------------------------------------------
# IsingEnergy


def test_ising_energy_batched_equals_loop() -> None:
    j, h = random_couplings(6, seed=21)
    s = spin_states(6)
    batched = IsingEnergy.energy(j, h, s)
    assert batched.shape == (64,)
    loop = np.array([IsingEnergy.energy(j, h, row) for row in s])
    np.testing.assert_array_equal(batched, loop)
    np.testing.assert_allclose(batched, ising_energy(j, h, s), atol=1e-12)
    np.testing.assert_allclose(IsingEnergy.energy(j, None, s), ising_energy(j, np.zeros(6), s), atol=1e-12)


def test_ising_energy_local_fields_and_delta() -> None:
    j, h = random_couplings(5, seed=22)
    s = spin_states(5)
    np.testing.assert_allclose(IsingEnergy.local_fields(j, h, s), s @ j + h, atol=1e-12)
    e = ising_energy(j, h, s)
    for i in range(5):
        flipped = s.copy()
        flipped[:, i] *= -1
        d = IsingEnergy.delta_energy(j, h, s, i)
        np.testing.assert_allclose(d, ising_energy(j, h, flipped) - e, atol=1e-12)
        one = IsingEnergy.delta_energy(j, h, s[9], i)
        assert one == pytest.approx(float(ising_energy(j, h, flipped[9])[0] - e[9]), abs=1e-12)


def test_qubo_ising_conversions_round_trip() -> None:
    q = np.random.default_rng(23).normal(size=(5, 5))
    j, h, off = IsingEnergy.qubo_to_ising(q)
    np.testing.assert_array_equal(j, j.T)
    assert np.all(np.diag(j) == 0)
    x = bit_states(5)
    s = (2 * x - 1).astype(np.int8)
    np.testing.assert_allclose(qubo_energy(q, x), ising_energy(j, h, s) + off, atol=1e-12)
    q2, off2 = IsingEnergy.ising_to_qubo(j, h)
    np.testing.assert_allclose(q2, q2.T, atol=0)
    np.testing.assert_allclose(ising_energy(j, h, s), qubo_energy(q2, x) + off2, atol=1e-12)
    np.testing.assert_allclose(q2, (q + q.T) / 2, atol=1e-12)
    assert off + off2 == pytest.approx(0.0, abs=1e-12)
    q3, off3 = IsingEnergy.ising_to_qubo(j)
    np.testing.assert_allclose(ising_energy(j, np.zeros(5), s), qubo_energy(q3, x) + off3, atol=1e-12)


# --------------------------------------------------------------------------------------------
# BoltzmannSampler, observables, autocorrelation, tempering


def test_boltzmann_sampler_sample_shape() -> None:
    net = ring(7, seed=1)
    bs = BoltzmannSampler(net, 0.6, seed=4)
    assert bs.beta == 0.6 and bs.method == "gibbs" and bs.network.num_pbits == 7
    x = bs.sample(25, burn_in=5, thin=2, num_chains=3)
    assert x.shape == (75, 7) and x.dtype == np.int8
    assert set(np.unique(x).tolist()) <= {-1, 1}
    # the constructor's seed is used when the call gives none
    np.testing.assert_array_equal(x, BoltzmannSampler(net, 0.6, seed=4).sample(25, 5, 2, 3))
    y = bs.sample(25, burn_in=5, thin=2, num_chains=3, seed=99)
    np.testing.assert_array_equal(y, bs.sample(25, burn_in=5, thin=2, num_chains=3, seed=99))
    assert not np.array_equal(x, y)
    q = PBitNetwork.from_qubo(np.eye(3) - 1, seed=0)
    bits = BoltzmannSampler(q, 1.0, method="metropolis", seed=1).sample(10, num_chains=2)
    assert bits.shape == (20, 3) and set(np.unique(bits).tolist()) <= {0, 1}


def test_boltzmann_sampler_initial_states() -> None:
    net = ring(6, seed=0)
    ones = np.ones(6, dtype=np.int8)
    x = BoltzmannSampler(net, 200.0, method="metropolis", seed=1).sample(
        3, burn_in=0, num_chains=2, initial_states=ones
    )
    np.testing.assert_array_equal(x, np.ones((6, 6)))


def test_observables_fields() -> None:
    net = ring(8, seed=1)
    obs = BoltzmannSampler(net, 0.5, seed=2).observables(400, burn_in=50, num_chains=2)
    assert isinstance(obs, Observables)
    assert obs.beta == 0.5 and obs.num_spins == 8 and obs.num_samples == 800
    values = obs.to_dict()
    assert set(values) == {f.name for f in __import__("dataclasses").fields(Observables)}
    for name, v in values.items():
        assert math.isfinite(v), name
        if name.endswith("_error"):
            assert v >= 0, name
    assert -1.0 <= obs.energy <= 0.0  # ferromagnetic ring: -1 <= E/N <= 1, and hot-ish here
    assert 0.0 <= obs.abs_magnetization <= 1.0 and abs(obs.magnetization) <= obs.abs_magnetization
    assert obs.specific_heat >= 0 and obs.susceptibility >= 0
    assert obs.tau_energy >= 0.5 and obs.tau_abs_magnetization >= 0.5
    assert "Observables" in repr(obs)
    # the exact answer for a ring: <E>/N = -tanh(beta) (+ O(tanh^N))
    exact = BoltzmannSampler(net, 0.5).exact_observables()
    assert exact.energy_error == 0.0
    assert abs(obs.energy - exact.energy) < 5 * obs.energy_error + 1e-3


def test_exact_distribution_sums_to_one_and_is_boltzmann() -> None:
    j, h = random_couplings(6, seed=31)
    net = PBitNetwork.from_dense(j, h)
    p = BoltzmannSampler(net, 0.7).exact_distribution()
    assert p.shape == (64,) and p.dtype == np.float64
    assert p.sum() == pytest.approx(1.0, abs=1e-12)
    codes = np.arange(64)
    states = np.where((codes[:, None] >> np.arange(6)) & 1, 1, -1).astype(np.int8)
    w = np.exp(-0.7 * (ising_energy(j, h, states) - ising_energy(j, h, states).min()))
    np.testing.assert_allclose(p, w / w.sum(), rtol=1e-10, atol=1e-15)


def test_integrated_autocorrelation_time() -> None:
    rng = np.random.default_rng(0)
    white = rng.normal(size=50_000)
    assert integrated_autocorrelation_time(white) == pytest.approx(1.0, abs=0.1)
    phi = 0.8
    ar = np.empty(100_000)
    ar[0] = 0.0
    noise = rng.normal(size=ar.size)
    for k in range(1, ar.size):
        ar[k] = phi * ar[k - 1] + noise[k]
    expected = (1 + phi) / (1 - phi)
    assert integrated_autocorrelation_time(ar) == pytest.approx(expected, rel=0.15)
    assert integrated_autocorrelation_time(ar.reshape(4, -1)) == pytest.approx(expected, rel=0.15)
    assert integrated_autocorrelation_time(ar.tolist()[:1000]) > 2.0
    # the sampler's static method is the same estimator
    assert BoltzmannSampler.autocorrelation_time(ar) == integrated_autocorrelation_time(ar)
    assert BoltzmannSampler.autocorrelation_time(white) == pytest.approx(1.0, abs=0.1)


def test_parallel_tempering_result() -> None:
    j, h = random_couplings(7, seed=41)
    net = PBitNetwork.from_dense(j, h, seed=2)
    betas = np.array([0.1, 0.4, 1.0, 2.5])
    pt = ParallelTempering(net, betas, seed=5)
    np.testing.assert_array_equal(pt.betas, betas)
    res = pt.run(60, burn_in=10, swap_interval=2)
    assert isinstance(res, TemperingResult)
    np.testing.assert_array_equal(res.betas, betas)
    assert res.energies.shape == (4, 60) and res.magnetizations.shape == (4, 60)
    assert res.swap_acceptance.shape == (3,)
    assert np.all((res.swap_acceptance >= 0) & (res.swap_acceptance <= 1))
    assert res.best_state.shape == (7,) and res.best_state.dtype == np.int8
    assert res.final_states.shape == (4, 7)
    assert res.best_energy == pytest.approx(net.energy(res.best_state), abs=1e-12)
    assert res.best_energy <= res.energies.min() + 1e-12
    assert res.best_energy == pytest.approx(ising_energy(j, h, spin_states(7)).min(), abs=1e-9)
    assert np.all(np.abs(res.magnetizations) <= 1.0)
    assert len(res.observables) == 4
    assert [o.beta for o in res.observables] == betas.tolist()
    assert set(res.to_dict()) >= {"betas", "swap_acceptance", "best_state", "best_energy", "observables"}
    assert "TemperingResult" in repr(res)
    again = ParallelTempering(net, betas, seed=5).run(60, burn_in=10, swap_interval=2)
    np.testing.assert_array_equal(again.energies, res.energies)


def test_tempering_observables_agree_with_recorded_energies() -> None:
    net = PBitNetwork.from_ising({0: 0.5, 1: -0.3, 2: 0.1}, {(0, 1): 1.0, (1, 2): -0.5}, offset=3.0, seed=1)
    res = ParallelTempering(net, [0.5, 1.0], seed=2).run(500, burn_in=10)
    for k, obs in enumerate(res.observables):
        assert obs.energy == pytest.approx(res.energies[k].mean() / net.num_pbits, rel=1e-9)


def test_exact_observables_energy_includes_offset() -> None:
    net = PBitNetwork.from_qubo(np.array([[1.0, -2.0], [0.0, 0.5]]))
    bs = BoltzmannSampler(net, 1.0)
    p = bs.exact_distribution()
    bits = np.array([[0, 0], [1, 0], [0, 1], [1, 1]], dtype=np.int8)  # bit i of the index <-> p-bit i
    mean_e = float(np.sum(p * net.energy(bits))) / 2
    assert bs.exact_observables().energy == pytest.approx(mean_e, abs=1e-12)


# --------------------------------------------------------------------------------------------
# async and progress


def test_async_variants_equal_sync() -> None:
    j, h = random_couplings(10, seed=51)
    net = PBitNetwork.from_dense(j, h, seed=1)
    sync = net.anneal(num_reads=4, num_sweeps=50, seed=3, method="gibbs")
    got = asyncio.run(net.anneal_async(num_reads=4, num_sweeps=50, seed=3, method="gibbs"))
    assert got == sync
    assert asyncio.run(net.anneal_async(None, 4, 3, num_sweeps=50, method="gibbs")) == sync
    bs = BoltzmannSampler(net, 0.8, seed=2)
    np.testing.assert_array_equal(
        asyncio.run(bs.sample_async(40, burn_in=5, num_chains=2, seed=6)),
        bs.sample(40, burn_in=5, num_chains=2, seed=6),
    )
    assert asyncio.run(bs.observables_async(200, burn_in=10, num_chains=2, seed=6)) == bs.observables(
        200, burn_in=10, num_chains=2, seed=6
    )


def test_anneal_async_does_not_block_the_event_loop() -> None:
    rows = np.arange(2000)
    net = PBitNetwork.from_sparse(rows, (rows + 1) % 2000, np.ones(2000), seed=1)

    async def main() -> tuple[int, float]:
        ticks = 0
        done = False

        async def ticker() -> None:
            nonlocal ticks
            while not done:
                ticks += 1
                await asyncio.sleep(0.005)

        task = asyncio.create_task(ticker())
        loop = asyncio.get_running_loop()
        start = loop.time()
        await net.anneal_async(num_reads=4, num_sweeps=40_000, seed=1)
        elapsed = loop.time() - start
        done = True
        await task
        return ticks, elapsed

    ticks, elapsed = asyncio.run(main())
    assert elapsed > 0.05
    assert ticks >= max(3, int(0.3 * elapsed / 0.005))


def _recorder() -> tuple[list[tuple[int, int]], Callable[[int, int], None]]:
    calls: list[tuple[int, int]] = []

    def cb(done: int, total: int) -> None:
        calls.append((done, total))

    return calls, cb


def test_progress_callable_receives_done_and_total() -> None:
    net = ring(300, seed=1)
    calls, cb = _recorder()
    ss = net.anneal(num_reads=4, num_sweeps=10_000, seed=2, progress=cb)
    assert calls, "the callback was never called"
    assert calls[-1][0] == calls[-1][1] and calls[-1][1] > 0
    assert all(t == calls[-1][1] for _, t in calls)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert ss == net.anneal(num_reads=4, num_sweeps=10_000, seed=2)  # progress changes nothing
    bs = BoltzmannSampler(net, 0.5, seed=1)
    for run in (
        lambda c: bs.sample(50, burn_in=5, num_chains=2, progress=c),
        lambda c: bs.observables(50, burn_in=5, num_chains=2, progress=c),
        lambda c: ParallelTempering(net, [0.2, 0.5], seed=1).run(50, burn_in=5, progress=c),
    ):
        calls, cb = _recorder()
        run(cb)
        assert calls and calls[-1][0] == calls[-1][1] > 0


def test_progress_true_shows_a_bar(capsys: pytest.CaptureFixture[str]) -> None:
    net = ring(50, seed=1)
    ss = net.anneal(num_reads=2, num_sweeps=200, seed=2, progress=True)
    assert ss == net.anneal(num_reads=2, num_sweeps=200, seed=2, progress=False)
    err = capsys.readouterr().err
    assert "anneal" in err
    BoltzmannSampler(net, 0.5, seed=1).sample(20, burn_in=2, progress=True)
    ParallelTempering(net, [0.2, 0.5], seed=1).run(20, burn_in=2, progress=True)
    capsys.readouterr()


def test_progress_callback_exception_propagates() -> None:
    net = ring(400, seed=1)

    def boom(done: int, total: int) -> None:
        raise ZeroDivisionError("from the callback")

    with pytest.raises(ZeroDivisionError, match="from the callback"):
        net.anneal(num_reads=4, num_sweeps=400_000, seed=1, progress=boom)
    assert len(net.anneal(num_reads=2, num_sweeps=5, seed=1)) == 2


# --------------------------------------------------------------------------------------------
# performance


def test_available_backends_and_set_backend() -> None:
    backends = performance.available_backends()
    assert backends[0] == "cpu" and set(backends) <= {"cpu", "cuda"}
    assert ("cuda" in backends) == performance.cuda_is_available()
    previous = performance.get_backend()
    try:
        performance.set_backend("cpu")
        assert performance.get_backend() == "cpu"
        assert performance.backend_info()["backend"] == "cpu"
        assert ring(5).anneal(num_sweeps=5, seed=1).info["backend"] == "cpu"
        performance.set_backend("auto")
        assert performance.get_backend() == "auto"
    finally:
        performance.set_backend(previous)


def test_set_backend_cuda_without_cuda_raises() -> None:
    if performance.cuda_is_available():
        pytest.skip("CUDA is available here")
    previous = performance.get_backend()
    with pytest.raises(BackendUnavailableError) as info:
        performance.set_backend("cuda")
    reason = performance.backend_info()["cuda"]["reason"]
    assert isinstance(reason, str) and reason
    assert reason in str(info.value)
    assert isinstance(info.value, RuntimeError) and isinstance(info.value, QuantumPanarchyError)
    assert info.type is quantumpanarchy.BackendUnavailableError
    assert performance.get_backend() == previous


def test_anneal_on_cuda_without_cuda_raises() -> None:
    if performance.cuda_is_available():
        pytest.skip("CUDA is available here")
    net = ring(8, seed=0)
    with pytest.raises(BackendUnavailableError, match="CUDA"):
        net.anneal(num_sweeps=10, seed=1, backend="cuda")
    assert net.anneal(num_sweeps=10, seed=1, backend="auto").info["backend"] == "cpu"
    assert net.anneal(num_sweeps=10, seed=1, backend="cpu").info["backend"] == "cpu"


def test_anneal_on_cuda_matches_cpu_energies() -> None:
    if not performance.cuda_is_available():
        pytest.skip("no CUDA device")
    j, h = random_couplings(16, seed=3)
    net = PBitNetwork.from_dense(j, h, seed=0)
    ss = net.anneal(num_reads=8, num_sweeps=100, seed=1, backend="cuda")
    assert ss.info["backend"] == "cuda"
    np.testing.assert_allclose(ss.energies, net.energy(ss.samples), atol=1e-9)


def test_backend_info_keys() -> None:
    info = performance.backend_info()
    assert {"backend", "available", "has_cuda_build", "cpu", "cuda"} <= set(info)
    assert {"threads", "simd", "kernel"} <= set(info["cpu"])
    assert {"available", "reason", "driver_version", "devices"} <= set(info["cuda"])
    assert info["available"] == performance.available_backends()
    assert info["has_cuda_build"] is performance.HAS_CUDA
    assert info["cuda"]["available"] is performance.cuda_is_available()
    assert isinstance(info["cuda"]["devices"], list)
    if not performance.HAS_CUDA:
        assert performance.cuda_is_available() is False
    assert "nvrtc_version" in info["cuda"]
    assert all("mig" in d for d in info["cuda"]["devices"])


def test_rocm_and_metal_are_reported_unsupported() -> None:
    unsupported = performance.backend_info()["unsupported"]
    assert set(unsupported) == {"rocm", "metal"}
    assert "no ROCm/HIP backend" in unsupported["rocm"] and "no Metal backend" in unsupported["metal"]
    assert "rocm" not in performance.available_backends() and "metal" not in performance.available_backends()
    for name, key in (("rocm", "rocm"), ("ROCm", "rocm"), ("hip", "rocm"), ("metal", "metal"), ("mps", "metal")):
        with pytest.raises(InvalidInputError) as info:
            performance.set_backend(name)  # type: ignore[arg-type]
        assert unsupported[key] in str(info.value)


def test_has_cuda_is_bool_and_cpu_features() -> None:
    assert isinstance(performance.HAS_CUDA, bool)
    feats = performance.cpu_features()
    assert isinstance(feats, list) and all(isinstance(f, str) for f in feats)
    assert feats == performance.backend_info()["cpu"]["simd"]


def test_set_and_get_num_threads() -> None:
    previous = performance.get_num_threads()
    assert isinstance(previous, int) and previous >= 1
    try:
        performance.set_num_threads(1)
        assert performance.get_num_threads() == 1
        assert performance.backend_info()["cpu"]["threads"] == 1
        performance.set_num_threads(3)
        assert performance.get_num_threads() == 3
        assert len(ring(20).anneal(num_reads=4, num_sweeps=5, seed=1)) == 4
        performance.set_num_threads(0)
        assert performance.get_num_threads() >= 1
    finally:
        performance.set_num_threads(previous)
    assert performance.get_num_threads() == previous


@pytest.mark.parametrize(
    "name",
    [
        "available_backends",
        "backend_info",
        "benchmark",
        "cpu_features",
        "cuda_is_available",
        "get_backend",
        "get_num_threads",
        "set_backend",
        "set_num_threads",
    ],
)
def test_performance_names_live_in_quantumpanarchy_performance(name: str) -> None:
    assert name in performance.__all__
    assert getattr(performance, name).__module__ == "quantumpanarchy.performance"


def test_bad_backend_name_is_invalid_input() -> None:
    with pytest.raises(InvalidInputError, match="backend"):
        performance.set_backend("tpu")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="backend"):
        ring(4).anneal(num_sweeps=2, backend="tpu")  # type: ignore[arg-type]
