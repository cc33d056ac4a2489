"""Pickling, multiprocessing, threads, determinism across thread counts, GIL release and Ctrl-C
for ``quantumpanarchy.core``.

Contract (SPEC, cross-cutting): every public class is picklable; objects are safe to share
between threads; the same seed gives bit-identical results whatever the number of threads; the
GIL is released around native work; long native loops check for ``KeyboardInterrupt``.
"""

from __future__ import annotations

import copy
import multiprocessing
import operator
import pickle
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from interrupts import interrupt_after
from quantumpanarchy import performance
from quantumpanarchy.core import (
    BoltzmannSampler,
    IsingEnergy,
    Observables,
    ParallelTempering,
    PBit,
    PBitNetwork,
    SampleSet,
    Temperature,
    TemperingResult,
)

FloatArray = npt.NDArray[np.float64]
PROTOCOLS = [2, pickle.HIGHEST_PROTOCOL]


def lattice(side: int, seed: int | None = 1) -> PBitNetwork:
    """Ferromagnetic periodic side x side lattice, each bond once."""
    idx = np.arange(side * side).reshape(side, side)
    rows = np.concatenate([idx.ravel(), idx.ravel()])
    cols = np.concatenate([np.roll(idx, -1, axis=1).ravel(), np.roll(idx, -1, axis=0).ravel()])
    return PBitNetwork.from_sparse(rows, cols, np.ones(len(rows)), num_pbits=side * side, seed=seed)


def spin_glass(n: int, seed: int) -> PBitNetwork:
    rng = np.random.default_rng(seed)
    upper = np.triu(rng.normal(size=(n, n)), 1)
    return PBitNetwork.from_dense(upper + upper.T, rng.normal(size=n), seed=seed)


def networks() -> dict[str, PBitNetwork]:
    dimod_net: list[tuple[str, PBitNetwork]] = []
    try:
        import dimod
    except ImportError:  # pragma: no cover - dimod is a test dependency
        pass
    else:
        bqm = dimod.BinaryQuadraticModel(
            {"a": 1.0, "b": -2.0, "c": 0.5}, {("a", "b"): 3.0, ("b", "c"): -1.0}, 1.5, "BINARY"
        )
        dimod_net.append(("dimod-binary-labels", PBitNetwork.from_dimod(bqm, seed=4)))
    return {
        "dense": spin_glass(8, seed=1),
        "sparse": lattice(4, seed=2),
        "qubo": PBitNetwork.from_qubo(np.random.default_rng(3).normal(size=(5, 5)), seed=3),
        "ising-offset": PBitNetwork.from_ising({0: 0.5, 2: -1.0}, {(0, 1): 1.0, (1, 2): -0.5}, offset=2.5, seed=5),
        **dict(dimod_net),
    }


def assert_same_tempering(a: TemperingResult, b: TemperingResult) -> None:
    for field in ("betas", "energies", "magnetizations", "swap_acceptance", "best_state", "final_states"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field), err_msg=field)
    assert a.best_energy == b.best_energy
    assert a.observables == b.observables


# --------------------------------------------------------------------------------------------
# pickling and copying


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_pbit_pickles_with_its_random_stream(protocol: int) -> None:
    p = PBit(bias=0.3, beta=1.7, seed=5)
    p.sample_many(13)  # advance the stream
    for q in (pickle.loads(pickle.dumps(p, protocol)), copy.deepcopy(p), copy.copy(p)):
        assert isinstance(q, PBit) and q is not p
        assert (q.bias, q.beta) == (0.3, 1.7)
        assert q.probability_up(0.2) == p.probability_up(0.2)
    a, b = pickle.loads(pickle.dumps(p, protocol)), copy.deepcopy(p)
    expected = p.sample_many(200)
    np.testing.assert_array_equal(a.sample_many(200), expected)
    np.testing.assert_array_equal(b.sample_many(200), expected)


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_temperature_pickles(protocol: int) -> None:
    for t in (Temperature.geometric(5.0, 0.1, 17), Temperature.from_betas([0.0, 0.5, 3.0])):
        for u in (pickle.loads(pickle.dumps(t, protocol)), copy.deepcopy(t)):
            assert u == t
            np.testing.assert_array_equal(u.betas(), t.betas())
            assert len(u) == len(t)


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("kind", ["dense", "sparse", "qubo", "ising-offset", "dimod-binary-labels"])
def test_network_pickles_completely(kind: str, protocol: int) -> None:
    nets = networks()
    if kind not in nets:
        pytest.skip("dimod is not installed")
    net = nets[kind]
    net.sweep(0.5, num_sweeps=3)  # a state and a random stream that are not the initial ones
    for other in (pickle.loads(pickle.dumps(net, protocol)), copy.deepcopy(net)):
        assert isinstance(other, PBitNetwork) and other is not net
        np.testing.assert_array_equal(other.state, net.state)
        assert other.state.dtype == np.int8
        j, h = net.to_dense()
        j2, h2 = other.to_dense()
        np.testing.assert_array_equal(j2, j)
        np.testing.assert_array_equal(h2, h)
        assert other.vartype == net.vartype and other.variables == net.variables
        assert other.offset == net.offset and other.num_couplings == net.num_couplings
        assert other.energy() == net.energy()
        assert other.anneal(num_reads=4, num_sweeps=30, seed=9) == net.anneal(num_reads=4, num_sweeps=30, seed=9)
    # the network's own random stream travels too: seed=None calls continue identically
    a, b = pickle.loads(pickle.dumps(net, protocol)), copy.deepcopy(net)
    expected = net.anneal(num_reads=3, num_sweeps=10)
    assert a.anneal(num_reads=3, num_sweeps=10) == expected
    assert b.anneal(num_reads=3, num_sweeps=10) == expected
    assert a.sweep(0.7, 2) == net.sweep(0.7, 2)
    np.testing.assert_array_equal(a.state, net.state)


def test_pickled_copy_is_independent() -> None:
    net = spin_glass(6, seed=2)
    net.state = -np.ones(6, dtype=np.int8)
    w = net.coupling(0, 1)
    for other in (pickle.loads(pickle.dumps(net)), copy.deepcopy(net)):
        other.set_coupling(0, 1, 42.0)
        other.state = np.ones(6, dtype=np.int8)
        assert other.coupling(1, 0) == 42.0
        assert net.coupling(0, 1) == w
        np.testing.assert_array_equal(net.state, -np.ones(6))


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_samplers_pickle(protocol: int) -> None:
    net = spin_glass(7, seed=3)
    bs = BoltzmannSampler(net, 0.8, method="metropolis", seed=6)
    for other in (pickle.loads(pickle.dumps(bs, protocol)), copy.deepcopy(bs)):
        assert isinstance(other, BoltzmannSampler)
        assert other.beta == 0.8 and other.method == "metropolis"
        np.testing.assert_array_equal(other.network.to_dense()[0], net.to_dense()[0])
        np.testing.assert_array_equal(other.sample(30, burn_in=5, num_chains=2), bs.sample(30, burn_in=5, num_chains=2))
        assert other.observables(100, burn_in=5, num_chains=2, seed=1) == bs.observables(
            100, burn_in=5, num_chains=2, seed=1
        )
    pt = ParallelTempering(net, [0.2, 0.6, 1.5], method="gibbs", seed=7)
    for other_pt in (pickle.loads(pickle.dumps(pt, protocol)), copy.deepcopy(pt)):
        assert isinstance(other_pt, ParallelTempering)
        np.testing.assert_array_equal(other_pt.betas, pt.betas)
        assert_same_tempering(other_pt.run(40, burn_in=5), pt.run(40, burn_in=5))


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_results_pickle(protocol: int) -> None:
    net = spin_glass(6, seed=4)
    ss = net.anneal(num_reads=5, num_sweeps=20, seed=1)
    for other in (pickle.loads(pickle.dumps(ss, protocol)), copy.deepcopy(ss)):
        assert isinstance(other, SampleSet)
        assert other == ss and other.info == ss.info
        assert other.samples.dtype == np.int8 and other.energies.dtype == np.float64
    obs = BoltzmannSampler(net, 0.5, seed=2).observables(100, burn_in=5, num_chains=2)
    for other_obs in (pickle.loads(pickle.dumps(obs, protocol)), copy.deepcopy(obs)):
        assert isinstance(other_obs, Observables)
        assert other_obs == obs and other_obs.to_dict() == obs.to_dict()
    res = ParallelTempering(net, [0.3, 1.0], seed=3).run(30, burn_in=5)
    for other_res in (pickle.loads(pickle.dumps(res, protocol)), copy.deepcopy(res)):
        assert isinstance(other_res, TemperingResult)
        assert_same_tempering(other_res, res)
        assert other_res.to_dict() == res.to_dict()


def test_multiprocessing_spawn_pool_anneals_pickled_networks() -> None:
    net = spin_glass(10, seed=5)
    labelled = networks().get("dimod-binary-labels", lattice(3))
    jobs = [(net, 11), (net, 12), (labelled, 13)]
    expected = [n.anneal(num_reads=4, num_sweeps=40, seed=s) for n, s in jobs]
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        pending = [
            pool.apply_async(operator.methodcaller("anneal", num_reads=4, num_sweeps=40, seed=s), (n,)) for n, s in jobs
        ]
        got = [p.get(timeout=60) for p in pending]
    assert got == expected
    assert got[2].variables == labelled.variables and got[2].vartype == labelled.vartype


# --------------------------------------------------------------------------------------------
# threads


def run_in_threads(workers: list[Callable[[], None]], timeout: float = 60.0) -> None:
    """Start all workers together; re-raise the first exception any of them raised."""
    barrier = threading.Barrier(len(workers))
    errors: list[BaseException] = []

    def wrap(fn: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                barrier.wait()
                fn()
            except BaseException as exc:  # reported to the main thread
                errors.append(exc)

        return run

    threads = [threading.Thread(target=wrap(w)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    assert not any(t.is_alive() for t in threads), "a worker thread hung"
    if errors:
        raise errors[0]


def test_one_network_shared_by_four_threads() -> None:
    net = spin_glass(24, seed=6)
    j, h = net.to_dense()
    i_edit, j_edit = 0, 1
    w_edit = float(j[i_edit, j_edit])
    seeds = list(range(8))
    expected = {s: net.anneal(num_reads=3, num_sweeps=60, seed=s) for s in seeds}
    states = np.where(np.random.default_rng(0).random((16, 24)) < 0.5, 1, -1).astype(np.int8)
    expected_e = net.energy(states)
    got: dict[int, list[SampleSet]] = {s: [] for s in seeds}
    lock = threading.Lock()

    def annealer(offset: int) -> Callable[[], None]:
        def work() -> None:
            for k in range(12):
                s = seeds[(k + offset) % len(seeds)]
                ss = net.anneal(num_reads=3, num_sweeps=60, seed=s)
                with lock:
                    got[s].append(ss)

        return work

    def energies_and_sweeps() -> None:
        for _ in range(40):
            np.testing.assert_array_equal(net.energy(states), expected_e)
            assert net.sweep(0.3, num_sweeps=2) >= 0
            assert isinstance(net.energy(), float)
            assert set(np.unique(net.state).tolist()) <= {-1, 1}

    def editor() -> None:
        for _ in range(200):
            # re-setting the same value invalidates cached engines without changing the model
            net.set_coupling(i_edit, j_edit, w_edit)
            net.set_field(2, float(h[2]))
            assert net.coupling(j_edit, i_edit) == w_edit

    run_in_threads([annealer(0), annealer(3), energies_and_sweeps, editor])
    for s in seeds:
        assert got[s], f"seed {s} never ran"
        for ss in got[s]:
            assert ss == expected[s]
    np.testing.assert_array_equal(net.to_dense()[0], j)


@pytest.mark.timeout(120)
def test_validation_and_edits_in_threads_do_not_deadlock() -> None:
    """Validating a state runs Python code, so the interpreter may hand the GIL to an editor
    waiting for the network's lock while the validator holds it: waiting must release the GIL.
    A tiny switch interval makes those hand-offs happen on nearly every call."""
    net = spin_glass(24, seed=2)
    states = np.where(np.random.default_rng(1).random((16, 24)) < 0.5, 1, -1).astype(np.int8)
    expected = net.energy(states)
    sampler = BoltzmannSampler(net, beta=0.5)

    def validator() -> None:
        for _ in range(1500):
            np.testing.assert_array_equal(net.energy(states), expected)
            net.state = states[0]

    def reader() -> None:
        for _ in range(300):
            assert pickle.loads(pickle.dumps(net)).num_pbits == 24
            assert sampler.sample(num_samples=2, burn_in=0, num_chains=1, seed=0).shape == (2, 24)

    h3 = float(net.fields[3])

    def editor() -> None:
        for _ in range(3000):
            net.set_field(3, h3)  # the same value: takes the write lock, changes nothing

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        run_in_threads([validator, validator, reader, editor, editor])
    finally:
        sys.setswitchinterval(interval)


def test_samplers_shared_by_threads() -> None:
    net = lattice(6, seed=3)
    bs = BoltzmannSampler(net, 0.4, seed=1)
    pt = ParallelTempering(net, [0.2, 0.4, 0.6], seed=2)
    want_samples = bs.sample(50, burn_in=10, num_chains=2, seed=5)
    want_obs = bs.observables(200, burn_in=10, num_chains=2, seed=5)
    want_pt = pt.run(50, burn_in=5, seed=5)

    def sampler_work() -> None:
        for _ in range(6):
            np.testing.assert_array_equal(bs.sample(50, burn_in=10, num_chains=2, seed=5), want_samples)
            assert bs.observables(200, burn_in=10, num_chains=2, seed=5) == want_obs

    def tempering_work() -> None:
        for _ in range(6):
            assert_same_tempering(pt.run(50, burn_in=5, seed=5), want_pt)

    run_in_threads([sampler_work, sampler_work, tempering_work, tempering_work])


# --------------------------------------------------------------------------------------------
# determinism whatever the number of threads


def _outputs() -> dict[str, Any]:
    sparse = lattice(24, seed=1)  # 576 spins: big enough to be split between workers
    big = lattice(48, seed=2)
    dense = spin_glass(96, seed=3)
    q = np.random.default_rng(4).normal(size=(40, 40))
    states = np.where(np.random.default_rng(5).random((64, 96)) < 0.5, 1, -1).astype(np.int8)
    dj, dh = dense.to_dense()
    return {
        "anneal-sparse-metropolis": sparse.anneal(num_reads=8, num_sweeps=40, seed=11),
        "anneal-sparse-gibbs": sparse.anneal(num_reads=5, num_sweeps=40, seed=12, method="gibbs"),
        "anneal-one-big-read": big.anneal(num_reads=1, num_sweeps=30, seed=13),
        # a lane group and three chains of 4096 spins: idle threads help with the group's sweeps
        "anneal-shared-sweeps": lattice(64, seed=2).anneal(num_reads=11, num_sweeps=30, seed=13),
        "anneal-dense": dense.anneal(num_reads=6, num_sweeps=30, seed=14),
        "anneal-qubo": PBitNetwork.from_qubo(q).anneal(num_reads=6, num_sweeps=30, seed=15),
        "anneal-schedule": sparse.anneal(Temperature.linear(3.0, 0.5, 20), num_reads=7, seed=16, num_sweeps_per_beta=2),
        "sample": BoltzmannSampler(sparse, 0.4).sample(20, burn_in=10, num_chains=5, seed=17),
        "sample-dense-metropolis": BoltzmannSampler(dense, 0.3, method="metropolis").sample(
            10, burn_in=5, num_chains=3, seed=18
        ),
        "observables": BoltzmannSampler(sparse, 0.44).observables(200, burn_in=20, num_chains=4, seed=19),
        "tempering": ParallelTempering(sparse, [0.2, 0.3, 0.4, 0.5], seed=20).run(40, burn_in=10),
        "energy-batch": IsingEnergy.energy(dj, dh, states),
        "network-energy-batch": dense.energy(states),
    }


def _assert_same_outputs(a: dict[str, Any], b: dict[str, Any], label: str) -> None:
    for key, va in a.items():
        vb = b[key]
        if isinstance(va, TemperingResult):
            assert_same_tempering(va, vb)
        elif isinstance(va, np.ndarray):
            np.testing.assert_array_equal(va, vb, err_msg=f"{key} ({label})")
        else:
            assert va == vb, f"{key} differs ({label})"


@pytest.mark.usefixtures("restore_threads")
def test_results_do_not_depend_on_the_thread_count() -> None:
    performance.set_num_threads(1)
    assert performance.get_num_threads() == 1
    one = _outputs()
    performance.set_num_threads(2)
    assert performance.get_num_threads() == 2
    two = _outputs()
    _assert_same_outputs(one, two, "1 vs 2 threads")
    performance.set_num_threads(3)
    _assert_same_outputs(one, _outputs(), "1 vs 3 threads")


# --------------------------------------------------------------------------------------------
# the GIL is released during native work


def _count_while(work: Callable[[], object]) -> tuple[int, float]:
    """Run ``work`` in a thread and count the iterations of a pure-Python loop in this one."""
    done = threading.Event()
    errors: list[BaseException] = []

    def target() -> None:
        try:
            work()
        except BaseException as exc:
            errors.append(exc)
        finally:
            done.set()

    worker = threading.Thread(target=target)
    count = 0
    start = time.perf_counter()
    worker.start()
    while not done.is_set():
        count += 1
    elapsed = time.perf_counter() - start
    worker.join()
    if errors:
        raise errors[0]
    return count, elapsed


@pytest.mark.parametrize("which", ["anneal", "sweep", "sample", "tempering", "energy"])
def test_native_work_releases_the_gil(which: str) -> None:
    net = lattice(64, seed=1)
    states = np.where(np.random.default_rng(0).random((400, 4096)) < 0.5, 1, -1).astype(np.int8)
    work: dict[str, Callable[[], object]] = {
        "anneal": lambda: net.anneal(num_reads=4, num_sweeps=3000, seed=1),
        "sweep": lambda: net.sweep(0.4, num_sweeps=3000),
        "sample": lambda: BoltzmannSampler(net, 0.4, seed=1).observables(2500, burn_in=0, num_chains=2),
        "tempering": lambda: ParallelTempering(net, [0.3, 0.4], seed=1).run(2500, burn_in=0),
        "energy": lambda: [net.energy(states) for _ in range(10)],
    }
    count, elapsed = _count_while(work[which])
    # Holding the GIL for the whole call would leave this thread at a handful of iterations;
    # released, it runs millions of times per second.
    assert elapsed > 0.02, f"the {which} job was too short to tell ({elapsed:.3f} s)"
    assert count > max(10_000, 20_000 * elapsed), f"{count} iterations in {elapsed:.2f} s"


# --------------------------------------------------------------------------------------------
# Ctrl-C


def _interrupt_after(delay: float, how: str) -> Callable[[], None]:
    """Arrange a KeyboardInterrupt in the main thread after ``delay`` s; returns the cleanup."""
    if how == "interrupt_main":
        return interrupt_after(delay)

    def on_alarm(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous_alarm = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, delay)

    def cleanup_alarm() -> None:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous_alarm)

    return cleanup_alarm


def _long_calls(net: PBitNetwork) -> dict[str, Callable[[], object]]:
    """Each runs for well over ten seconds unless interrupted."""
    return {
        "anneal": lambda: net.anneal(num_reads=8, num_sweeps=200_000, seed=3),
        # thin keeps the recorded states small (4000 x 2 x 4096 bytes) while the work is long
        "sample": lambda: BoltzmannSampler(net, 0.4, seed=1).sample(4000, burn_in=0, thin=100, num_chains=2),
        "observables": lambda: BoltzmannSampler(net, 0.4, seed=1).observables(400_000, burn_in=0, num_chains=2),
        "tempering": lambda: ParallelTempering(net, [0.3, 0.4], seed=1).run(400_000, burn_in=0),
    }


HOWS = [
    "interrupt_main",
    pytest.param("setitimer", marks=pytest.mark.skipif(sys.platform == "win32", reason="no setitimer")),
]


@pytest.mark.timeout(120)
@pytest.mark.parametrize("how", HOWS)
@pytest.mark.parametrize("which", ["anneal", "sample", "observables", "tempering"])
def test_ctrl_c_interrupts_long_runs(which: str, how: str) -> None:
    net, twin = lattice(64, seed=1), lattice(64, seed=1)
    call = _long_calls(net)[which]
    cleanup = _interrupt_after(0.3, how)
    start = time.perf_counter()
    try:
        with pytest.raises(KeyboardInterrupt):
            call()
        elapsed = time.perf_counter() - start
    finally:
        cleanup()
    assert elapsed < 2.5, f"{which} took {elapsed:.2f} s to notice the interrupt"
    # the network is intact and works as before
    np.testing.assert_array_equal(net.state, twin.state)
    assert net.anneal(num_reads=2, num_sweeps=20, seed=4) == twin.anneal(num_reads=2, num_sweeps=20, seed=4)
    assert net.energy() == twin.energy()


@pytest.mark.timeout(120)
def test_ctrl_c_interrupts_a_long_sweep() -> None:
    net = lattice(64, seed=1)
    start = time.perf_counter()
    net.sweep(0.4, num_sweeps=2000)
    rate = 2000 / (time.perf_counter() - start)
    num_sweeps = int(4.0 * rate)  # about four seconds of work
    cleanup = _interrupt_after(0.3, "interrupt_main")
    start = time.perf_counter()
    try:
        with pytest.raises(KeyboardInterrupt):
            net.sweep(0.4, num_sweeps=num_sweeps)
        elapsed = time.perf_counter() - start
    finally:
        cleanup()
    assert elapsed < 1.5, f"sweep took {elapsed:.2f} s to notice the interrupt"
    assert set(np.unique(net.state).tolist()) <= {-1, 1}
    assert isinstance(net.sweep(0.4, num_sweeps=2), int)
