"""Hostile input to ``quantumpanarchy.core`` (issue 9): no abort, no stray exception class, no
silent NaN/inf, and prompt Ctrl-C.

Oversized requests run in a child process under an address-space limit, so that an abort on a
failed allocation (rc -6) is a test failure instead of the end of the test run.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from interrupts import assert_interrupted, interrupt_after
from limited import raised_under_limit
from quantumpanarchy.core import (
    MAX_EXACT_PBITS,
    BoltzmannSampler,
    IsingEnergy,
    ParallelTempering,
    PBit,
    PBitNetwork,
    SampleSet,
    Temperature,
)
from quantumpanarchy.exceptions import InvalidInputError, InvalidTypeError

BIG = "np.broadcast_to(0.0, (10**5, 10**5))"


def bad(value: object) -> Any:
    """An argument of a type or range the stubs rule out, passed on purpose."""
    return value


@pytest.mark.skipif(sys.platform != "linux", reason="needs RLIMIT_AS")
@pytest.mark.parametrize(
    ("call", "gib", "expected", "message"),
    [
        # buffers sized n*n from a broadcast view of 10**10 values
        (f"PBitNetwork.from_dense({BIG})", 3, "ResourceLimitError", "GiB"),
        (f"PBitNetwork.from_qubo({BIG})", 3, "ResourceLimitError", "GiB"),
        (f"IsingEnergy.energy({BIG}, None, np.ones(10**5, np.int8))", 3, "ResourceLimitError", "GiB"),
        (f"IsingEnergy.qubo_to_ising({BIG})", 3, "ResourceLimitError", "GiB"),
        (
            f"from quantumpanarchy.decision import Annealing; Annealing().sample_qubo({BIG})",
            3,
            "ResourceLimitError",
            "GiB",
        ),
        ("PBitNetwork(10**5).to_dense()", 3, "ResourceLimitError", "dense 100000x100000"),
        # a vector whose length another argument fixes is checked before it is copied
        (
            "PBitNetwork.from_dense(np.zeros((3, 3)), h=np.broadcast_to(0.0, 10**9))",
            3,
            "InvalidInputError",
            "h must have one field per p-bit (3), got 1000000000",
        ),
        (
            "PBitNetwork.from_sparse([0], [1], [1.0], h=np.broadcast_to(0.0, 10**9), num_pbits=3)",
            3,
            "InvalidInputError",
            "h must have one field per p-bit (3), got 1000000000",
        ),
        # numpy's own MemoryError while converting an argument
        (
            "PBitNetwork.from_sparse(np.broadcast_to(np.int8(0), 10**9), np.broadcast_to(np.int8(1), 10**9), "
            "np.broadcast_to(1.0, 10**9))",
            3,
            "ResourceLimitError",
            "rows",
        ),
        # the case: numpy's 3.2 GB matrix (calloc, untouched) fits under 5 GiB, our copy does not
        ("PBitNetwork.from_dense(np.zeros((20000, 20000)))", 5, "ResourceLimitError", "(20000, 20000)"),
        # numpy's 3.2 GB matrix and our one copy fit under 7 GiB; the engine's buffers do not
        pytest.param(
            "J = np.ones((20000, 20000)); np.fill_diagonal(J, 0.0); net = PBitNetwork.from_dense(J); del J; "
            "net.anneal(num_reads=1, num_sweeps=1)",
            7,
            "ResourceLimitError",
            "sampling engine",
            marks=pytest.mark.slow,
        ),
    ],
    ids=[
        "from_dense-broadcast",
        "from_qubo-broadcast",
        "energy-broadcast",
        "qubo_to_ising-broadcast",
        "annealing-broadcast",
        "to_dense",
        "from_dense-long-h",
        "from_sparse-long-h",
        "from_sparse-index-conversion",
        "from_dense-20000-copy",
        "dense-20000",
    ],
)
def test_oversized_requests_raise_under_a_memory_limit(call: str, gib: int, expected: str, message: str) -> None:
    name, detail = raised_under_limit(call, gib)
    assert name == expected, detail
    assert message in detail, detail


HUGE_INT = 2**200
HUGE_REAL = 10**400


def net3() -> PBitNetwork:
    return PBitNetwork.from_dense(np.array([[0.0, 1.0, 0.0], [1.0, 0.0, -1.0], [0.0, -1.0, 0.0]]), seed=1)


@pytest.mark.parametrize(
    "call",
    [
        lambda: PBit(bias=bad(HUGE_REAL)),
        lambda: PBit(beta=bad(HUGE_REAL)),
        lambda: PBit().probability_up(bad(-HUGE_REAL)),
        lambda: Temperature.linear(bad(HUGE_REAL), 1.0, 3),
        lambda: Temperature.from_beta_range(0.1, bad(HUGE_REAL), 3),
        lambda: net3().set_coupling(0, 1, bad(HUGE_REAL)),
        lambda: net3().sweep(bad(HUGE_REAL)),
        lambda: net3().anneal(num_reads=1, num_sweeps=2, time_limit=bad(HUGE_REAL)),
        lambda: BoltzmannSampler(net3(), bad(HUGE_REAL)),
        lambda: PBitNetwork.from_ising([0.0, 0.0], {(0, 1): 1.0}, offset=bad(HUGE_REAL)),
        lambda: PBitNetwork.from_ising({0: bad(HUGE_REAL)}, {(0, 1): 1.0}),
    ],
    ids=[
        "pbit-bias",
        "pbit-beta",
        "probability_up",
        "temperature",
        "beta_range",
        "set_coupling",
        "sweep-beta",
        "time_limit",
        "sampler-beta",
        "offset",
        "h-dict",
    ],
)
def test_reals_beyond_float_range_are_invalid_input(call: Callable[[], object]) -> None:
    with pytest.raises(InvalidInputError, match="float range"):
        call()


@pytest.mark.parametrize(
    "call",
    [
        lambda: PBitNetwork(bad(HUGE_INT)),
        lambda: PBitNetwork(bad(-HUGE_INT)),
        lambda: net3().sweep(1.0, num_sweeps=bad(HUGE_INT)),
        lambda: net3().anneal(num_reads=bad(HUGE_INT)),
        lambda: net3().coupling(bad(HUGE_INT), 0),
        lambda: BoltzmannSampler(net3(), 1.0).sample(bad(HUGE_INT)),
        lambda: Temperature.constant(1.0, bad(HUGE_INT)),
        lambda: PBitNetwork.from_sparse([0], [1], [1.0], num_pbits=bad(HUGE_INT)),
        lambda: PBitNetwork(bad(True)),
        lambda: net3().anneal(num_sweeps=bad(True)),
    ],
    ids=[
        "num_pbits",
        "num_pbits-negative",
        "num_sweeps",
        "num_reads",
        "index",
        "num_samples",
        "steps",
        "from_sparse-num_pbits",
        "bool-num_pbits",
        "bool-num_sweeps",
    ],
)
def test_ints_beyond_range_and_bools_are_invalid_input(call: Callable[[], object]) -> None:
    with pytest.raises(InvalidInputError, match=r"too large|at least|out of range|bool"):
        call()


LONE = "\udc80"


@pytest.mark.parametrize(
    "call",
    [
        lambda: net3().sweep(1.0, method=bad(LONE)),
        lambda: net3().anneal(num_reads=1, num_sweeps=2, method=bad(LONE)),
        lambda: net3().anneal(num_reads=1, num_sweeps=2, beta_schedule_type=bad(LONE)),
        lambda: net3().anneal(num_reads=1, num_sweeps=2, initial_states_generator=bad(LONE)),
        lambda: net3().anneal(num_reads=1, num_sweeps=2, backend=bad(LONE)),
        lambda: BoltzmannSampler(net3(), 1.0, method=bad(LONE)),
        lambda: ParallelTempering(net3(), [0.5, 1.0], method=bad(LONE)),
        lambda: Temperature.from_beta_range(0.1, 1.0, 3, bad(LONE)),
    ],
    ids=["sweep", "anneal-method", "schedule-type", "generator", "backend", "sampler", "tempering", "beta-range"],
)
def test_option_strings_that_are_not_text_are_invalid_input(call: Callable[[], object]) -> None:
    with pytest.raises(InvalidInputError, match=r"must be|unknown|expected|one of"):
        call()


def test_ragged_lists_are_invalid_input() -> None:
    with pytest.raises(InvalidInputError, match="h must be array-like"):
        PBitNetwork.from_ising(bad([[1, 2], [3]]), {(0, 1): 1.0})
    with pytest.raises(InvalidInputError, match="J must be array-like"):
        PBitNetwork.from_dense(bad([[0.0, 1.0], [1.0]]))


def frustrated() -> PBitNetwork:
    """Four antiferromagnetic p-bits: six degenerate ground states."""
    return PBitNetwork.from_dense(-np.ones((4, 4)) + np.eye(4), seed=3)


def assert_sane(obs: Any) -> None:
    values = obs.to_dict()
    for name in ("energy", "magnetization", "abs_magnetization", "specific_heat", "susceptibility"):
        assert np.isfinite(values[name]), f"{name} = {values[name]}"
        assert np.isfinite(values[f"{name}_error"]), f"{name}_error = {values[f'{name}_error']}"
    assert obs.specific_heat >= 0.0 and obs.susceptibility >= 0.0, obs


@pytest.mark.parametrize("beta", [1e160, 1e300])
def test_observables_stay_finite_at_huge_beta(beta: float) -> None:
    sampler = BoltzmannSampler(frustrated(), beta, seed=1)
    for obs in (sampler.observables(num_samples=2000, burn_in=10, num_chains=2), sampler.exact_observables()):
        assert_sane(obs)
        assert obs.energy == pytest.approx(-0.5)
        assert obs.specific_heat == 0.0
    p = sampler.exact_distribution()
    assert np.all(np.isfinite(p)) and p.sum() == pytest.approx(1.0)
    result = ParallelTempering(frustrated(), [1.0, beta], seed=2).run(500, burn_in=10)
    for obs in result.observables:
        assert_sane(obs)


def test_observables_are_unchanged_at_ordinary_beta() -> None:
    """The stable forms agree with the textbook ones where those are accurate."""
    net = PBitNetwork.from_dense(np.array([[0.0, 0.7, -0.2], [0.7, 0.0, 0.4], [-0.2, 0.4, 0.0]]), [0.1, 0.0, -0.3])
    exact = BoltzmannSampler(net, 0.8).exact_observables()
    p = BoltzmannSampler(net, 0.8).exact_distribution()
    codes = np.arange(8)
    spins = np.where((codes[:, None] >> np.arange(3)) & 1, 1, -1).astype(np.int8)
    e = net.energy(spins) / 3
    a = np.abs(spins.mean(axis=1))
    assert exact.specific_heat == pytest.approx(0.8**2 * 3 * (p @ e**2 - (p @ e) ** 2), rel=1e-9)
    assert exact.susceptibility == pytest.approx(0.8 * 3 * (p @ a**2 - (p @ a) ** 2), rel=1e-9)


# --------------------------------------------------------------------------------------------
# Ctrl-C during long batched calls


N_DENSE = 3000


def _dense_j() -> Any:
    rng = np.random.default_rng(0)
    j = rng.normal(size=(N_DENSE, N_DENSE))
    j = (j + j.T) / 2
    np.fill_diagonal(j, 0.0)
    return j


def _batch(rows: int) -> Any:
    return np.where(np.random.default_rng(1).random((rows, N_DENSE)) < 0.5, -1, 1).astype(np.int8)


@pytest.mark.skipif(sys.platform == "win32", reason="interrupt_main timing")
@pytest.mark.parametrize("which", ["IsingEnergy.energy", "IsingEnergy.local_fields", "energy", "local_fields"])
def test_ctrl_c_interrupts_batched_energies(which: str) -> None:
    j = _dense_j()
    net = PBitNetwork.from_dense(j, seed=1)
    start = time.perf_counter()
    net.energy(_batch(20))
    rate = 20 / (time.perf_counter() - start)
    # about six seconds of native work; at most 3000 rows, so that converting them (in Python,
    # where Ctrl-C is always prompt) takes a small part of the 0.3 s before the interrupt
    states = _batch(max(100, min(3000, int(6.0 * rate))))
    calls: dict[str, Callable[[], object]] = {
        "IsingEnergy.energy": lambda: IsingEnergy.energy(j, None, states),
        "IsingEnergy.local_fields": lambda: IsingEnergy.local_fields(j, None, states),
        "energy": lambda: net.energy(states),
        "local_fields": lambda: net.local_fields(states),
    }
    cleanup = interrupt_after(0.3)
    start = time.perf_counter()
    try:
        with pytest.raises(KeyboardInterrupt):
            calls[which]()
        elapsed = time.perf_counter() - start
    finally:
        cleanup()
    assert elapsed < 1.8, f"{which} took {elapsed:.2f} s to notice the interrupt"
    # still works afterwards
    small = states[:3]
    np.testing.assert_allclose(net.energy(small), IsingEnergy.energy(j, None, small))


# --------------------------------------------------------------------------------------------
# Ctrl-C while building networks and in the other long core loops; lengths checked before copies


N_SPARSE = 10**6
M_SPARSE = 2 * 10**7  # a few seconds of merging on two slow cores


def _random_entries() -> tuple[Any, Any, Any]:
    rng = np.random.default_rng(5)
    rows = rng.integers(0, N_SPARSE, M_SPARSE, dtype=np.int32)
    cols = (rows + rng.integers(1, N_SPARSE, M_SPARSE, dtype=np.int32)) % N_SPARSE
    return rows, cols.astype(np.int32), np.ones(M_SPARSE)


def _star_entries() -> tuple[Any, Any, Any]:
    """One p-bit coupled to all others, every coupling given many times: one long bucket."""
    cols = np.random.default_rng(6).integers(1, N_SPARSE, M_SPARSE, dtype=np.int32)
    return np.zeros(M_SPARSE, np.int32), cols, np.ones(M_SPARSE)


@pytest.mark.skipif(sys.platform == "win32", reason="interrupt_main timing")
@pytest.mark.parametrize("entries", [_random_entries, _star_entries], ids=["random", "star"])
def test_ctrl_c_interrupts_from_sparse(entries: Callable[[], tuple[Any, Any, Any]]) -> None:
    rows, cols, values = entries()
    assert_interrupted(lambda: PBitNetwork.from_sparse(rows, cols, values, num_pbits=N_SPARSE), "from_sparse")
    small = PBitNetwork.from_sparse(rows[:1000], cols[:1000], values[:1000], num_pbits=N_SPARSE)
    assert small.num_couplings > 0


@pytest.mark.skipif(sys.platform == "win32", reason="interrupt_main timing")
def test_ctrl_c_interrupts_colouring_a_large_sparse_network() -> None:
    net = PBitNetwork.from_sparse(*_random_entries(), num_pbits=N_SPARSE, seed=1)
    couplings, energy = net.num_couplings, net.energy()
    assert_interrupted(net.num_colors, "num_colors")
    # nothing was cached half-built: the network is as it was
    assert (net.num_couplings, net.energy()) == (couplings, energy)
    hot, cold = net.default_beta_range()
    assert 0.0 < hot <= cold


def _max_exact() -> BoltzmannSampler:
    n = MAX_EXACT_PBITS
    j = np.random.default_rng(7).normal(size=(n, n))
    j = (j + j.T) / 2
    np.fill_diagonal(j, 0.0)
    return BoltzmannSampler(PBitNetwork.from_dense(j, seed=1), 0.5)


@pytest.mark.skipif(sys.platform == "win32", reason="interrupt_main timing")
@pytest.mark.parametrize("which", ["exact_distribution", "exact_observables"])
def test_ctrl_c_interrupts_exact_enumeration(which: str) -> None:
    sampler = _max_exact()
    # A tenth of a second in: the whole enumeration takes 0.3 s on a fast core (Zen 4).
    assert_interrupted(getattr(sampler, which), which, delay=0.1)
    assert np.isfinite(sampler.exact_observables().energy)


@pytest.mark.skipif(sys.platform != "linux", reason="needs RLIMIT_AS")
@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            "PBitNetwork(3).anneal(num_reads=1, num_sweeps=2, beta_range=np.broadcast_to(1.0, 10**9))",
            "beta_range must hold two numbers, got 1000000000",
        ),
        (
            "PBitNetwork(3).energy(np.broadcast_to(np.int8(1), (10**6, 10**4)))",
            "state must have 3 values per state (one per p-bit), got shape (1000000, 10000)",
        ),
        (
            "PBitNetwork(3).anneal(num_reads=1, num_sweeps=2, initial_states=np.broadcast_to(np.int8(1), 10**10))",
            "initial_states must have 3 values per state (one per p-bit), got shape (10000000000,)",
        ),
        (
            "IsingEnergy.energy(np.zeros((3, 3)), None, np.broadcast_to(np.int8(1), (10**6, 10**4)))",
            "each state must have 3 spins (J is 3x3)",
        ),
    ],
    ids=["beta_range", "energy-states", "initial_states", "IsingEnergy-states"],
)
def test_lengths_fixed_by_another_argument_are_checked_before_copying(call: str, message: str) -> None:
    name, detail = raised_under_limit(call)
    assert name == "InvalidInputError", detail
    assert message in detail, detail


# --------------------------------------------------------------------------------------------
# core3: SampleSet and dimod-style input under a memory limit, Ctrl-C in PBit.sample_many and in
# the *_async methods, NaN-free observables for one sample or a beta near float max, wrong types


@pytest.mark.skipif(sys.platform != "linux", reason="needs RLIMIT_AS")
@pytest.mark.parametrize(
    ("call", "expected", "message"),
    [
        (
            "SampleSet(np.broadcast_to(np.int8(1), (10**9, 3)), np.broadcast_to(0.0, (10**9,)))",
            "ResourceLimitError",
            "a SampleSet of 1000000000 rows of 3 variables needs 17.7 GiB",
        ),
        (
            "SampleSet(np.ones((3, 3), np.int8), np.zeros(3), num_occurrences=np.broadcast_to(0.0, (10**9,)))",
            "InvalidInputError",
            "num_occurrences must have shape (3,)",
        ),
        (
            "SampleSet(np.broadcast_to(np.int8(1), (4 * 10**8, 3)), np.broadcast_to(0.0, (4 * 10**8,)), "
            "num_occurrences=np.broadcast_to(1.0, (4 * 10**8,)))",
            "ResourceLimitError",
            "num_occurrences",
        ),
        (
            "PBitNetwork.from_ising(np.broadcast_to(0.0, (10**9,)), {(0, 0): 1e308, (0, 1): -1e308})",
            "ResourceLimitError",
            "converting h",
        ),
    ],
    ids=["sampleset-default-occurrences", "sampleset-long-occurrences", "sampleset-occurrences-cast", "from_ising-h"],
)
def test_python_side_copies_raise_resource_limit(call: str, expected: str, message: str) -> None:
    name, detail = raised_under_limit(call)
    assert name == expected, detail
    assert message in detail, detail


def _sigint_main_after(delay: float) -> Callable[[], None]:
    """A real SIGINT to the main thread after ``delay`` s (``interrupt_main`` does not wake an
    event loop blocked in select, as a terminal's Ctrl-C does); returns the cleanup."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    main = threading.main_thread().ident
    assert main is not None
    timer = threading.Timer(delay, signal.pthread_kill, (main, signal.SIGINT))
    timer.start()

    def cleanup() -> None:
        timer.cancel()
        signal.signal(signal.SIGINT, previous)

    return cleanup


@pytest.mark.skipif(sys.platform == "win32", reason="interrupt_main timing")
def test_ctrl_c_interrupts_sample_many() -> None:
    pbit = PBit(beta=1.0, seed=2)
    cleanup = interrupt_after(0.3)
    start = time.perf_counter()
    try:
        with pytest.raises(KeyboardInterrupt):
            pbit.sample_many(2**31)  # about 10 s of draws
        elapsed = time.perf_counter() - start
    finally:
        cleanup()
    assert elapsed < 1.8, f"sample_many took {elapsed:.2f} s to notice the interrupt"
    assert set(pbit.sample_many(2_000_000).tolist()) == {-1, 1}


@pytest.mark.skipif(sys.platform == "win32", reason="interrupt_main timing")
def test_ctrl_c_interrupts_tempering_with_a_huge_swap_interval() -> None:
    net = PBitNetwork.from_dense(np.ones((4, 4)) - np.eye(4), seed=1)
    pt = ParallelTempering(net, [0.5, 1.0, 2.0], seed=2)
    cleanup = interrupt_after(0.3)
    start = time.perf_counter()
    try:
        with pytest.raises(KeyboardInterrupt):
            pt.run(2, burn_in=0, swap_interval=2**63)  # one round of 2**63 sweeps per replica
        elapsed = time.perf_counter() - start
    finally:
        cleanup()
    assert elapsed < 1.8, f"tempering took {elapsed:.2f} s to notice the interrupt"
    assert len(pt.run(3, burn_in=1).observables) == 3


def _chain_net() -> PBitNetwork:
    return PBitNetwork.from_dense(np.ones((50, 50)) - np.eye(50), seed=1)


def _long_async_calls(net: PBitNetwork) -> dict[str, Callable[[], Any]]:
    """Coroutines of about ten seconds of native work or more (minutes here, unless stopped)."""
    sampler = BoltzmannSampler(net, 0.5, seed=1)
    return {
        "anneal_async": lambda: net.anneal_async(num_reads=10**5, num_sweeps=10**4),
        "sample_async": lambda: sampler.sample_async(10, burn_in=10**9),
        "observables_async": lambda: sampler.observables_async(10, burn_in=10**9),
    }


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to the main thread")
@pytest.mark.parametrize("which", ["anneal_async", "sample_async", "observables_async"])
def test_ctrl_c_under_asyncio_run_stops_the_native_worker(which: str) -> None:
    import asyncio

    net = _chain_net()
    call = _long_async_calls(net)[which]
    cleanup = _sigint_main_after(0.3)
    start = time.perf_counter()
    try:
        # asyncio.run waits for its executor's threads: it returns only once the worker stopped
        with pytest.raises(KeyboardInterrupt):
            asyncio.run(call())
        elapsed = time.perf_counter() - start
    finally:
        cleanup()
    assert elapsed < 1.8, f"{which} under asyncio.run took {elapsed:.2f} s to stop after Ctrl-C"
    assert isinstance(net.anneal(num_reads=2, num_sweeps=10, seed=1).first.energy, float)


@pytest.mark.parametrize("which", ["anneal_async", "sample_async", "observables_async"])
def test_a_cancelled_async_call_stops_its_native_worker(which: str) -> None:
    import asyncio

    net = _chain_net()
    call = _long_async_calls(net)[which]
    start = time.perf_counter()
    with pytest.raises(TimeoutError):
        asyncio.run(asyncio.wait_for(call(), 0.3))
    elapsed = time.perf_counter() - start
    assert elapsed < 1.8, f"{which} ran on for {elapsed:.2f} s after its task was cancelled"


def _finite_observables(obs: Any) -> None:
    values = obs.to_dict()
    for name, value in values.items():
        assert np.isfinite(value), f"{name} = {value}"
    assert obs.specific_heat >= 0.0 and obs.susceptibility >= 0.0, obs


def test_a_single_sample_has_zero_error_bars_not_nan() -> None:
    net = PBitNetwork.from_dense(np.ones((3, 3)) - np.eye(3), seed=0)
    result = ParallelTempering(net, [0.1, 1.0], seed=1).run(1)
    for obs in result.observables:
        _finite_observables(obs)
        assert obs.energy_error == 0.0 and obs.specific_heat_error == 0.0
    one = BoltzmannSampler(net, 0.5, seed=1).observables(1, num_chains=1)
    _finite_observables(one)


@pytest.mark.parametrize("num_samples", [1, 100])
def test_observables_at_beta_near_float_max_are_finite(num_samples: int) -> None:
    """β N overflows at β = 1e308; a zero variance still gives a zero susceptibility."""
    net = PBitNetwork.from_dense(np.ones((3, 3)) - np.eye(3), seed=0)
    sampler = BoltzmannSampler(net, 1e308, seed=1)
    obs = sampler.observables(num_samples)
    _finite_observables(obs)
    assert (obs.specific_heat, obs.susceptibility) == (0.0, 0.0)
    _finite_observables(sampler.exact_observables())
    assert "1e308" in repr(sampler)


def test_specific_heat_is_the_variance_about_the_mean() -> None:
    """c = β² N Var(e) and χ = β N Var(|m|), with numpy's two-pass variances of the samples."""
    j = np.random.default_rng(3).normal(size=(6, 6)) * (1 - np.eye(6))
    net = PBitNetwork.from_dense((j + j.T) / 2, seed=0)
    result = ParallelTempering(net, [0.3, 0.9, 2.0], seed=4).run(400, burn_in=20)
    for k, obs in enumerate(result.observables):
        beta = result.betas[k]
        e = result.energies[k] / 6
        a = np.abs(result.magnetizations[k])
        assert obs.specific_heat == pytest.approx(beta**2 * 6 * np.var(e), rel=1e-9, abs=1e-300)
        assert obs.susceptibility == pytest.approx(beta * 6 * np.var(a), rel=1e-9, abs=1e-300)


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: PBitNetwork(bad(2**200)), InvalidInputError),
        (lambda: PBitNetwork(3).set_field(bad(2**200), 1.0), InvalidInputError),
        (lambda: SampleSet(np.ones((2, 2), np.int8), [0.0, 1.0], variables=bad(1)), InvalidTypeError),
        (lambda: SampleSet(np.ones((2, 2), np.int8), [0.0, 1.0], info=bad(5)), InvalidTypeError),
        (lambda: SampleSet(np.ones((2, 2), np.int8), [0.0, 1.0]).lowest(bad("2")), InvalidTypeError),
        (lambda: SampleSet(np.ones((2, 2), np.int8), [0.0, 1.0]).lowest(bad(1.5)), InvalidTypeError),
        (lambda: SampleSet(bad([[300, 1]]), [0.0]), InvalidInputError),
        (lambda: SampleSet(np.ones((1, 2), np.int8), [0.0], num_occurrences=bad([float("nan")])), InvalidInputError),
        (lambda: SampleSet(np.ones((1, 2), np.int8), [0.0], vartype=bad(["SPIN"])), InvalidInputError),
        (lambda: SampleSet(np.ones((1, 2), np.int8), [-np.inf]), InvalidInputError),
        (lambda: SampleSet(np.full((1, 2), 0.5), [0.0]), InvalidInputError),
    ],
    ids=[
        "num_pbits-2**200",
        "set_field-2**200",
        "variables-int",
        "info-int",
        "lowest-str",
        "lowest-float",
        "samples-out-of-int8",
        "occurrences-nan",
        "vartype-list",
        "energies-inf",
        "samples-half",
    ],
)
def test_wrong_types_and_values_in_python_code_are_ours(call: Callable[[], object], error: type) -> None:
    with pytest.raises(error):
        call()


@pytest.mark.timeout(120)
def test_ctrl_c_interrupts_building_a_long_schedule() -> None:
    """A schedule of 10**8 sweeps takes seconds to compute before the first sweep: it is built
    under the run's Ctrl-C watch (it used to hold the interrupt for about 2 s)."""
    net = PBitNetwork.from_dense(np.ones((20, 20)) - np.eye(20), seed=0)
    assert_interrupted(lambda: net.anneal(num_reads=1, num_sweeps=10**8), "building a 10**8-step schedule")
    assert_interrupted(
        lambda: net.anneal(num_reads=1, num_sweeps=10**8, beta_schedule_type="linear", beta_range=(0.1, 2.0)),
        "building a 10**8-step linear schedule",
    )
    small = net.anneal(num_reads=2, num_sweeps=10, seed=1)
    assert small == PBitNetwork.from_dense(np.ones((20, 20)) - np.eye(20), seed=0).anneal(
        num_reads=2, num_sweeps=10, seed=1
    )
