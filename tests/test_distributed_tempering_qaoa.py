"""quantumpanarchy.distributed.tempering_many and qaoa_grid: the local path equals the direct calls
bit for bit, and a 2-process LocalCluster equals the local path (also when a worker is killed in
the middle of a run, and whatever the chunking of the angle sets)."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from quantumpanarchy import performance
from quantumpanarchy.core import Method, ParallelTempering, PBitNetwork, TemperingResult
from quantumpanarchy.decision import QAOA
from quantumpanarchy.distributed import problem_seeds, qaoa_grid, tempering_many
from quantumpanarchy.exceptions import InvalidInputError, InvalidTypeError, ResourceLimitError
from test_distributed import dense_problem, run_while_killing_a_worker, sparse_problem

BETAS = np.geomspace(0.1, 2.0, 5)
RUN: dict[str, Any] = {"num_samples": 150, "burn_in": 20}


def glasses() -> list[PBitNetwork]:
    shared = dense_problem(10, 100)
    return [dense_problem(6, 1), sparse_problem(24, 2), shared, shared, dense_problem(8, 3), shared]


def tempering_bits(r: TemperingResult) -> tuple[Any, ...]:
    arrays = (r.betas, r.energies, r.magnetizations, r.swap_acceptance, r.best_state, r.final_states)
    return (*(a.tobytes() for a in arrays), r.best_energy, [o.to_dict() for o in r.observables])


def assert_same_runs(a: list[TemperingResult], b: list[TemperingResult]) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        assert type(x) is TemperingResult and type(y) is TemperingResult
        assert tempering_bits(x) == tempering_bits(y)


def qubo(n: int, seed: int) -> npt.NDArray[np.float64]:
    return np.random.default_rng(seed).normal(size=(n, n))


def one_batch(Q: Any, gammas: Any, betas: Any) -> npt.NDArray[np.float64]:
    """The reference: one QAOA.expectation call on all the angle sets, (m, p)."""
    n = len({v for key in Q for v in key}) if isinstance(Q, dict) else np.shape(Q)[0]
    return np.asarray(QAOA(num_assets=n).expectation(Q, gammas, betas), dtype=np.float64)


# --- without Dask -----------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["metropolis", "gibbs"])
def test_local_tempering_many_is_each_run_with_its_seed(method: Method) -> None:
    probs = glasses()
    got = tempering_many(probs, BETAS, seed=42, method=method, **RUN)
    seeds = problem_seeds(42, len(probs))
    expected = [
        ParallelTempering(p, BETAS, method=method, seed=s).run(**RUN) for p, s in zip(probs, seeds, strict=True)
    ]
    assert_same_runs(got, expected)
    # the shared network's three listings are three independent runs, not one repeated
    assert got[2].energies.tobytes() != got[3].energies.tobytes()
    assert tempering_bits(tempering_many(probs, BETAS, seed=43, **RUN)[0]) != tempering_bits(got[0])


@pytest.mark.usefixtures("restore_threads")
def test_tempering_many_and_qaoa_grid_do_not_depend_on_the_thread_count() -> None:
    probs, Q = glasses(), qubo(6, 5)
    G, B = np.random.default_rng(2).uniform(0, np.pi, (2, 9, 2))
    outputs = []
    for threads in (1, 2, 3):
        performance.set_num_threads(threads)
        runs = tempering_many(probs, BETAS, seed=5, **RUN)
        outputs.append(([tempering_bits(r) for r in runs], qaoa_grid(Q, G, B).tobytes()))
    assert outputs[0] == outputs[1] == outputs[2]


def test_tempering_many_refuses_bad_inputs_before_running_anything() -> None:
    net = dense_problem(4, 0)
    with pytest.raises(InvalidTypeError, match="sequence of PBitNetwork"):
        tempering_many(net, BETAS, seed=1, **RUN)  # type: ignore[arg-type]
    with pytest.raises(InvalidTypeError, match=r"problems\[1\]"):
        tempering_many([net, "net"], BETAS, seed=1, **RUN)  # type: ignore[list-item]
    with pytest.raises(InvalidInputError, match="at least two betas"):
        tempering_many([net], [1.0], seed=1, **RUN)
    with pytest.raises(InvalidInputError, match="finite"):
        tempering_many([net], [0.5, np.nan], seed=1, **RUN)
    with pytest.raises(InvalidInputError, match="method"):
        tempering_many([net], BETAS, seed=1, method="swendsen", **RUN)  # type: ignore[arg-type]
    with pytest.raises(InvalidTypeError, match="num_sweeps"):
        tempering_many([net], BETAS, seed=1, num_samples=10, num_sweeps=5)
    with pytest.raises(InvalidTypeError, match="num_samples"):
        tempering_many([net], BETAS, seed=1)
    with pytest.raises(InvalidInputError):
        tempering_many([net], BETAS, seed=-1, **RUN)
    with pytest.raises(InvalidTypeError, match="client"):
        tempering_many([net], BETAS, client=object(), seed=1, **RUN)
    # bad betas fail even with no problem to run, and with a client that is never asked
    with pytest.raises(InvalidInputError, match="betas"):
        tempering_many([], [[0.5, 1.0]], client=object(), seed=1, **RUN)
    assert tempering_many([], BETAS, seed=1, **RUN) == []


@pytest.mark.parametrize("per_task", [None, 1, 3, 35])
def test_local_qaoa_grid_is_one_expectation_batch_whatever_the_chunking(per_task: int | None) -> None:
    Q = qubo(5, 0)
    gammas, betas = np.linspace(-1.0, 2.5, 7), np.linspace(0.0, 1.5, 5)
    landscape = qaoa_grid(Q, gammas, betas, angle_sets_per_task=per_task)
    assert landscape.shape == (7, 5) and landscape.dtype == np.float64
    G2, B2 = np.meshgrid(gammas, betas, indexing="ij")
    expected = one_batch(Q, G2.reshape(-1, 1), B2.reshape(-1, 1)).reshape(7, 5)
    assert landscape.tobytes() == expected.tobytes()
    # a batch is each angle set on its own: the same bits as one call per set
    assert landscape[4, 2] == QAOA(num_assets=5).expectation(Q, [gammas[4]], [betas[2]])
    # m angle sets of depth 3
    rng = np.random.default_rng(1)
    G, B = rng.uniform(0, np.pi, (11, 3)), rng.uniform(0, np.pi / 2, (11, 3))
    values = qaoa_grid(Q, G, B, angle_sets_per_task=per_task)
    assert values.shape == (11,)
    assert values.tobytes() == one_batch(Q, G, B).tobytes()


def test_qaoa_grid_takes_what_expectation_takes() -> None:
    # a dimod-style dict (variables in order of first appearance) and an int matrix as a list
    Q = {("a", "a"): -1.0, ("a", "b"): 2.0, ("b", "c"): 1.5, ("c", "c"): -0.5}
    gammas, betas = np.array([[0.3], [1.1], [2.0]]), np.array([[0.2], [0.7], [1.3]])
    assert qaoa_grid(Q, gammas, betas, angle_sets_per_task=2).tobytes() == one_batch(Q, gammas, betas).tobytes()
    ints = [[-2, 1, 0], [0, -1, 3], [0, 0, 1]]
    assert qaoa_grid(ints, gammas, betas).tobytes() == one_batch(ints, gammas, betas).tobytes()
    # float32 angles and lists are the same angles in float64
    g32 = np.array([0.25, 0.5], dtype=np.float32)
    assert qaoa_grid(ints, g32, [0.125]).tobytes() == qaoa_grid(ints, g32.astype(np.float64), [0.125]).tobytes()


def test_qaoa_grid_refuses_bad_inputs_with_the_projects_exceptions() -> None:
    Q = qubo(3, 0)
    with pytest.raises(InvalidInputError, match=r"shapes \(4,\) and \(2, 1\)"):
        qaoa_grid(Q, np.zeros(4), np.zeros((2, 1)))
    with pytest.raises(InvalidInputError, match=r"shapes \(2, 3\) and \(2, 2\)"):
        qaoa_grid(Q, np.zeros((2, 3)), np.zeros((2, 2)))
    with pytest.raises(InvalidInputError, match=r"shapes \(2, 2, 1\)"):
        qaoa_grid(Q, np.zeros((2, 2, 1)), np.zeros((2, 2, 1)))
    with pytest.raises(InvalidInputError, match="empty"):
        qaoa_grid(Q, np.zeros(0), np.zeros(3))
    with pytest.raises(InvalidInputError, match="gammas must be finite"):
        qaoa_grid(Q, [0.1, np.inf], [0.2])
    with pytest.raises(InvalidInputError, match="real numbers"):
        qaoa_grid(Q, ["a"], [0.2])
    with pytest.raises(InvalidInputError, match="square"):
        qaoa_grid(np.ones((3, 2)), [0.1], [0.2])
    with pytest.raises(InvalidInputError, match="Q must be finite"):
        qaoa_grid(np.full((2, 2), np.nan), [0.1], [0.2])
    with pytest.raises(InvalidInputError, match="at least 1"):
        qaoa_grid(Q, [0.1], [0.2], angle_sets_per_task=0)
    with pytest.raises(InvalidTypeError, match="angle_sets_per_task"):
        qaoa_grid(Q, [0.1], [0.2], angle_sets_per_task=1.5)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="backend"):
        qaoa_grid(Q, [0.1], [0.2], backend="tpu")  # type: ignore[arg-type]
    with pytest.raises(InvalidTypeError, match="client"):
        qaoa_grid(Q, [0.1], [0.2], client=object())
    # the register QAOA(num_assets=40) refuses, before any angle set is built
    with pytest.raises(ResourceLimitError, match="40 qubits"):
        qaoa_grid(np.eye(40), np.zeros(10**6), np.zeros(10**6))


# --- on a LocalCluster of 2 worker processes --------------------------------------------------


def test_tempering_many_on_the_cluster_equals_one_machine(client: Any) -> None:
    probs = glasses()
    on_cluster = tempering_many(probs, BETAS, client=client, seed=7, method="gibbs", **RUN)
    assert_same_runs(on_cluster, tempering_many(probs, BETAS, seed=7, method="gibbs", **RUN))
    assert tempering_many([], BETAS, client=client, seed=7, **RUN) == []


def test_qaoa_grid_on_the_cluster_equals_one_machine_whatever_the_chunking(client: Any) -> None:
    Q = qubo(6, 3)
    gammas, betas = np.linspace(0.0, np.pi, 9), np.linspace(0.0, np.pi / 2, 4)
    local = qaoa_grid(Q, gammas, betas)
    for per_task in (None, 1, 3, 36):
        assert qaoa_grid(Q, gammas, betas, client, angle_sets_per_task=per_task).tobytes() == local.tobytes()
    rng = np.random.default_rng(4)
    G, B = rng.uniform(0, np.pi, (10, 2)), rng.uniform(0, np.pi / 2, (10, 2))
    assert qaoa_grid(Q, G, B, client, angle_sets_per_task=3).tobytes() == one_batch(Q, G, B).tobytes()
    Qd = {(0, 0): 1.0, (0, 1): -2.0, (1, 1): 0.5}
    assert qaoa_grid(Qd, gammas, betas, client).tobytes() == qaoa_grid(Qd, gammas, betas).tobytes()


def test_tempering_many_survives_a_worker_killed_mid_run(client: Any) -> None:
    shared = dense_problem(128, 7)
    probs = [dense_problem(128, k) for k in range(4)] + [shared] * 4  # about 0.5 s each on a core
    betas = np.geomspace(0.05, 2.0, 16)
    kwargs: dict[str, Any] = {"num_samples": 25_000, "burn_in": 10}
    expected = tempering_many(probs, betas, seed=2024, **kwargs)
    got = run_while_killing_a_worker(client, lambda: tempering_many(probs, betas, client=client, seed=2024, **kwargs))
    assert_same_runs(got, expected)
