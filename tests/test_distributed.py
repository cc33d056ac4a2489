"""quantumpanarchy.distributed: the local path (no Dask needed) and a real 2-process LocalCluster,
whose results must equal one machine's bit for bit for the same seed, also when a worker is
killed in the middle of a run."""

from __future__ import annotations

import doctest
import os
import signal as os_signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, cast

import numpy as np
import pandas as pd
import pytest
from quantumpanarchy import distributed as qp_distributed
from quantumpanarchy import performance, risk, signal
from quantumpanarchy.core import PBitNetwork, SampleSet
from quantumpanarchy.distributed import anneal_many, indicators_many, monte_carlo_var_many, problem_seeds
from quantumpanarchy.exceptions import InvalidInputError, InvalidTypeError

MEAN = [0.0005, 0.0002, 0.0001]
COV = [[4e-4, 1e-4, 5e-5], [1e-4, 2e-4, 2e-5], [5e-5, 2e-5, 1e-4]]
WEIGHTS = [[0.5, 0.3, 0.2], [1.0, 0.0, 0.0], [0.2, 0.2, 0.6], [0.0, 0.5, 0.5]]


def dense_problem(n: int, seed: int) -> PBitNetwork:
    rng = np.random.default_rng(seed)
    J = rng.normal(size=(n, n))
    J = (J + J.T) / 2
    np.fill_diagonal(J, 0.0)
    return PBitNetwork.from_dense(J, rng.normal(size=n))


def sparse_problem(n: int, seed: int) -> PBitNetwork:
    """A ring with random couplings: sparse, so its reads run in lane groups."""
    rng = np.random.default_rng(seed)
    rows = np.arange(n)
    return PBitNetwork.from_sparse(rows, (rows + 1) % n, rng.choice([-1.0, 1.0], size=n), num_pbits=n)


def problems() -> list[PBitNetwork]:
    shared = dense_problem(24, 100)
    return [dense_problem(16, 1), sparse_problem(40, 2), shared, shared, dense_problem(8, 3), shared]


def assert_same_sets(a: list[SampleSet], b: list[SampleSet]) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        assert x == y
        assert x.samples.tobytes() == y.samples.tobytes()
        assert x.energies.tobytes() == y.energies.tobytes()
        assert x.info["seed"] == y.info["seed"]


# --- without Dask -----------------------------------------------------------------------------


def test_problem_seeds_are_spawned_children_and_stable_under_more_problems() -> None:
    seeds = problem_seeds(7, 5)
    assert seeds[:3] == problem_seeds(7, 3)
    assert len(set(seeds)) == 5 and all(0 <= s < 2**64 for s in seeds)
    expected = [int(c.generate_state(1, dtype=np.uint64)[0]) for c in np.random.SeedSequence(7).spawn(5)]
    assert seeds == expected
    assert problem_seeds(8, 5) != seeds
    assert problem_seeds(7, 0) == []
    assert problem_seeds(None, 2) != problem_seeds(None, 2)  # fresh entropy


@pytest.mark.parametrize("bad", [-1, 2**64])
def test_out_of_range_seeds_are_invalid_input(bad: int) -> None:
    with pytest.raises(InvalidInputError):
        problem_seeds(bad, 2)
    with pytest.raises(InvalidInputError):
        anneal_many([dense_problem(4, 0)], seed=bad, num_reads=1, num_sweeps=1)
    with pytest.raises(InvalidInputError):
        monte_carlo_var_many(MEAN, COV, WEIGHTS, seed=bad, num_scenarios=100)


def test_bad_arguments_are_refused_with_the_projects_exceptions() -> None:
    net = dense_problem(4, 0)
    with pytest.raises(InvalidTypeError, match="sequence of PBitNetwork"):
        anneal_many(net, seed=1)  # type: ignore[arg-type]
    with pytest.raises(InvalidTypeError, match=r"problems\[1\]"):
        anneal_many([net, "net"], seed=1)  # type: ignore[list-item]
    with pytest.raises(InvalidTypeError, match="seed"):
        anneal_many([net], seed=True)
    with pytest.raises(InvalidTypeError, match="client"):
        anneal_many([net], client=object(), seed=1, num_reads=1, num_sweeps=1)
    with pytest.raises(InvalidInputError, match="2-D"):
        monte_carlo_var_many(MEAN, COV, np.array([0.5, 0.3, 0.2]), seed=1)
    with pytest.raises(InvalidTypeError, match="weights"):
        monte_carlo_var_many(MEAN, COV, 3.0, seed=1)
    # a 10**9-row view is read row by row: the first row's shape is refused, nothing is copied
    with pytest.raises(InvalidInputError):
        monte_carlo_var_many(MEAN, COV, np.broadcast_to(0.0, (10**9, 2)), seed=1, num_scenarios=100)
    frame = pd.DataFrame(WEIGHTS, columns=["a", "b", "c"])
    by_row = monte_carlo_var_many(pd.Series(MEAN, index=frame.columns), COV, frame, seed=2, num_scenarios=1000)
    assert by_row == monte_carlo_var_many(MEAN, COV, WEIGHTS, seed=2, num_scenarios=1000)
    assert anneal_many([], seed=1) == []


def test_local_anneal_many_is_each_problem_annealed_with_its_seed() -> None:
    probs = problems()
    kwargs: dict[str, Any] = {"num_reads": 13, "num_sweeps": 200}
    got = anneal_many(probs, seed=42, **kwargs)
    seeds = problem_seeds(42, len(probs))
    expected = [p.anneal(seed=s, **kwargs) for p, s in zip(probs, seeds, strict=True)]
    assert_same_sets(got, expected)
    # the shared network's three listings are three independent chunks, not one repeated
    assert not np.array_equal(got[2].samples, got[3].samples)
    assert anneal_many(probs, seed=43, **kwargs)[0] != got[0]


@pytest.mark.parametrize("num_reads", [35, 37, 8, 3])  # 35: three chains after the lane groups; 37: a part group
def test_first_read_numbers_the_reads_so_chunks_concatenate_to_the_whole_run(num_reads: int) -> None:
    for net in (dense_problem(12, 5), sparse_problem(64, 6)):
        whole = net.anneal(num_reads=num_reads, num_sweeps=150, seed=99, backend="cpu")
        for chunk in (8, 16, 24):
            parts = [
                net.anneal(num_reads=min(chunk, num_reads - a), num_sweeps=150, seed=99, first_read=a, backend="cpu")
                for a in range(0, num_reads, chunk)
            ]
            assert np.concatenate([p.samples for p in parts]).tobytes() == whole.samples.tobytes()
            assert np.concatenate([p.energies for p in parts]).tobytes() == whole.energies.tobytes()
            chunked = anneal_many([net], seed=3, reads_per_chunk=chunk, num_reads=num_reads, num_sweeps=150)
            assert_same_sets(chunked, [net.anneal(seed=problem_seeds(3, 1)[0], num_reads=num_reads, num_sweeps=150)])
            assert chunked[0].info["chunks"] == -(-num_reads // chunk)


def test_reads_per_chunk_refuses_what_does_not_split() -> None:
    net = dense_problem(6, 0)
    with pytest.raises(InvalidInputError, match="multiple of 8"):
        anneal_many([net], seed=1, reads_per_chunk=12, num_reads=24)
    with pytest.raises(InvalidInputError, match="needs num_reads"):
        anneal_many([net], seed=1, reads_per_chunk=8)
    for bad in ({"time_limit": 1.0}, {"first_read": 0}, {"initial_states": np.ones(6, dtype=np.int8)}):
        with pytest.raises(InvalidInputError, match="cannot split"):
            anneal_many([net], seed=1, reads_per_chunk=8, num_reads=16, **bad)
    with pytest.raises(InvalidInputError, match="first_read"):
        net.anneal(num_reads=2, first_read=2**64 - 1, seed=1)
    with pytest.raises(InvalidInputError, match="first_read"):
        net.anneal(num_reads=2, first_read=-1, seed=1)


def test_local_monte_carlo_var_many_is_monte_carlo_var_of_each_portfolio() -> None:
    got = monte_carlo_var_many(MEAN, COV, WEIGHTS, seed=9, num_scenarios=20_000, alpha=0.01)
    expected = [risk.monte_carlo_var(MEAN, COV, w, seed=9, num_scenarios=20_000, alpha=0.01) for w in WEIGHTS]
    assert got == expected
    unseeded = monte_carlo_var_many(MEAN, COV, WEIGHTS, num_scenarios=1000)
    assert len({r.seed for r in unseeded}) == 1  # one seed drawn for all: common random numbers


BLOCK = 2**15  # the tail's summation block: ranges of scenarios start at its multiples


@pytest.mark.parametrize("dist", [{}, {"distribution": "student_t", "dof": 4.0}])
def test_scenarios_cut_into_ranges_merge_into_the_one_call(dist: dict[str, Any]) -> None:
    for total in (3 * BLOCK, 3 * BLOCK + 1, 100_003):
        kwargs: dict[str, Any] = {"num_scenarios": total, "alpha": 0.01, "horizon": 5.0, **dist}
        whole = [risk.monte_carlo_var(MEAN, COV, w, seed=4, backend="cpu", **kwargs) for w in WEIGHTS]
        for size in (BLOCK, 2 * BLOCK, 2**20):
            split = monte_carlo_var_many(MEAN, COV, WEIGHTS, seed=4, scenarios_per_chunk=size, **kwargs)
            assert split == whole, (total, size)
            assert [(r.var, r.cvar, r.cvar_stderr) for r in split] == [(r.var, r.cvar, r.cvar_stderr) for r in whole]


def test_a_range_whose_bound_left_out_a_loss_is_made_again_with_every_loss(monkeypatch: pytest.MonkeyPatch) -> None:
    from quantumpanarchy._risk.montecarlo import var_part as real_part

    calls: list[bool] = []

    def part(*args: Any, keep_all: bool = False, **kwargs: Any) -> Any:
        calls.append(keep_all)
        made = real_part(*args, keep_all=keep_all, **kwargs)
        if not keep_all and made[1] > 0:  # pretend the bound was too high: a loss left out above the VaR
            return (
                made[0],
                made[1],
                made[2] + 1,
                np.inf,
                made[4][1:],
                made[5] - np.eye(1, len(made[5]), dtype=np.uint64)[0],
            )
        return made

    monkeypatch.setattr("quantumpanarchy._distributed.montecarlo.var_part", part)
    kwargs: dict[str, Any] = {"num_scenarios": 3 * BLOCK, "alpha": 0.05}
    got = monte_carlo_var_many(MEAN, COV, WEIGHTS[:2], seed=6, scenarios_per_chunk=BLOCK, **kwargs)
    assert got == [risk.monte_carlo_var(MEAN, COV, w, seed=6, **kwargs) for w in WEIGHTS[:2]]
    assert calls.count(True) == 2 * 3  # every range of both portfolios, made again


def test_scenarios_per_chunk_refuses_what_does_not_split() -> None:
    with pytest.raises(InvalidInputError, match="multiple of 32768"):
        monte_carlo_var_many(MEAN, COV, WEIGHTS, seed=1, scenarios_per_chunk=10_000)
    with pytest.raises(InvalidInputError, match="return_scenarios"):
        monte_carlo_var_many(MEAN, COV, WEIGHTS, seed=1, scenarios_per_chunk=BLOCK, return_scenarios=True)
    with pytest.raises(InvalidInputError, match="backend"):
        monte_carlo_var_many(MEAN, COV, WEIGHTS, seed=1, scenarios_per_chunk=BLOCK, backend="cuda")
    with pytest.raises(InvalidInputError, match="weights"):  # checked before any range runs
        monte_carlo_var_many(MEAN, COV, [[1.0, 0.0]], seed=1, scenarios_per_chunk=BLOCK, num_scenarios=10**9)
    with pytest.raises(InvalidTypeError):
        monte_carlo_var_many(MEAN, COV, WEIGHTS, seed=1, scenarios_per_chunk=cast(Any, "big"))


def ohlcv(seed: int, bars: int = 300) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, bars)))
    spread = np.abs(rng.normal(0, 0.5, bars))
    index = pd.date_range("2024-01-01", periods=bars, freq="D")
    columns: dict[str, Any] = {"high": close + spread, "low": close - spread, "close": close}
    columns["volume"] = rng.uniform(1e5, 1e6, bars)
    frame: pd.DataFrame = pd.DataFrame(columns, index=index)
    return frame


SYMBOLS = {f"S{k:02d}": ohlcv(k) for k in range(11)}


def assert_same_outputs(a: Any, b: Any) -> None:
    """Equal bit for bit (NaN where NaN), as arrays, Series or tuples of them."""
    if isinstance(a, tuple):
        assert isinstance(b, tuple) and len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            assert_same_outputs(x, y)
        return
    assert type(a) is type(b)
    if isinstance(a, (pd.Series, pd.DataFrame)):
        pd.testing.assert_index_equal(a.index, b.index)
    x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    assert x.shape == y.shape and x.tobytes() == y.tobytes()


def test_local_indicators_many_is_the_indicator_of_each_symbol() -> None:
    atr = indicators_many("ATR", SYMBOLS, timeperiod=10)
    assert list(atr) == list(SYMBOLS)
    for symbol, frame in SYMBOLS.items():
        assert_same_outputs(atr[symbol], signal.ATR(frame["high"], frame["low"], frame["close"], timeperiod=10))
    closes = {s: f["close"].to_numpy() for s, f in SYMBOLS.items()}
    macd = indicators_many("MACD", closes, fastperiod=5, slowperiod=13)
    assert_same_outputs(macd["S03"], signal.MACD(closes["S03"], fastperiod=5, slowperiod=13))
    wide = pd.DataFrame({s: f["close"] for s, f in SYMBOLS.items()})
    assert_same_outputs(indicators_many("RSI", wide, timeperiod=7), signal.RSI(wide, timeperiod=7))
    with pytest.raises(InvalidInputError, match="unknown indicator"):
        indicators_many("NOPE", closes)
    with pytest.raises(InvalidInputError, match="lacks"):
        indicators_many("OBV", {"X": SYMBOLS["S00"][["close"]]})
    with pytest.raises(InvalidInputError, match="needs"):
        indicators_many("ATR", closes)
    with pytest.raises(InvalidInputError, match="needs"):
        indicators_many("ATR", wide)
    with pytest.raises(InvalidTypeError):
        indicators_many("SMA", [1.0, 2.0])
    with pytest.raises(InvalidTypeError):
        indicators_many(3, closes)  # type: ignore[arg-type]


def test_the_docstring_examples_run_as_written() -> None:
    result = doctest.testmod(qp_distributed, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted >= 8


def test_the_local_path_does_not_import_dask() -> None:
    code = (
        "import sys, numpy as np\n"
        "from quantumpanarchy.core import PBitNetwork\n"
        "from quantumpanarchy.distributed import anneal_many, monte_carlo_var_many, qaoa_grid, tempering_many\n"
        "net = PBitNetwork.from_dense(np.ones((3, 3)) - np.eye(3))\n"
        "anneal_many([net], seed=1, num_reads=2, num_sweeps=5)\n"
        "monte_carlo_var_many([0.0], [[1e-4]], [[1.0]], seed=1, num_scenarios=100)\n"
        "monte_carlo_var_many([0.0], [[1e-4]], [[1.0]], seed=1, num_scenarios=100, scenarios_per_chunk=2**15)\n"
        "tempering_many([net, net], [0.5, 1.0], seed=1, num_samples=5, burn_in=1)\n"
        "qaoa_grid(np.eye(2), [0.1, 0.2], [0.3], angle_sets_per_task=1)\n"
        "dask = [m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')]\n"
        "assert not dask, dask\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


# --- on a LocalCluster of 2 worker processes --------------------------------------------------


def test_anneal_many_on_the_cluster_equals_one_machine(client: Any) -> None:
    probs = problems()
    kwargs: dict[str, Any] = {"num_reads": 13, "num_sweeps": 200}
    on_cluster = anneal_many(probs, client=client, seed=42, **kwargs)
    assert_same_sets(on_cluster, anneal_many(probs, seed=42, **kwargs))
    assert all(type(s) is SampleSet for s in on_cluster)
    # both workers took part, and each worker process sized its native pool to its share
    pools = client.run(performance.get_num_threads)
    assert len(pools) == 2
    cores = len(os.sched_getaffinity(0))
    assert set(pools.values()) == {max(1, cores // 2)} or cores < 2


def test_reads_split_over_the_cluster_equal_one_anneal_call(client: Any) -> None:
    probs = [dense_problem(20, 1), sparse_problem(48, 2), dense_problem(20, 1)]
    kwargs: dict[str, Any] = {"num_reads": 45, "num_sweeps": 300}
    one_call = [p.anneal(seed=s, backend="cpu", **kwargs) for p, s in zip(probs, problem_seeds(21, 3), strict=True)]
    for chunk in (8, 32):
        assert_same_sets(anneal_many(probs, client=client, seed=21, reads_per_chunk=chunk, **kwargs), one_call)


def test_monte_carlo_var_many_on_the_cluster_equals_one_machine(client: Any) -> None:
    kwargs: dict[str, Any] = {"num_scenarios": 50_000, "alpha": 0.025, "distribution": "student_t", "dof": 5.0}
    on_cluster = monte_carlo_var_many(MEAN, COV, WEIGHTS, client=client, seed=11, **kwargs)
    local = [risk.monte_carlo_var(MEAN, COV, w, seed=11, **kwargs) for w in WEIGHTS]
    assert on_cluster == local
    assert [r.var for r in on_cluster] == [r.var for r in local]  # the floats, bit for bit
    assert all(type(r) is risk.MonteCarloVaR for r in on_cluster)


def test_scenarios_split_over_the_cluster_equal_one_call(client: Any) -> None:
    kwargs: dict[str, Any] = {"num_scenarios": 200_001, "alpha": 0.01, "distribution": "student_t", "dof": 6.0}
    local = [risk.monte_carlo_var(MEAN, COV, w, seed=12, **kwargs) for w in WEIGHTS]
    for size in (BLOCK, 3 * BLOCK):
        assert (
            monte_carlo_var_many(MEAN, COV, WEIGHTS, client=client, seed=12, scenarios_per_chunk=size, **kwargs)
            == local
        )


def test_indicators_many_on_the_cluster_equals_one_machine(client: Any) -> None:
    local = indicators_many("ADX", SYMBOLS, timeperiod=9)
    on_cluster = indicators_many("ADX", SYMBOLS, client=client, timeperiod=9)
    assert list(on_cluster) == list(local)
    for symbol in SYMBOLS:
        assert_same_outputs(on_cluster[symbol], local[symbol])
    wide = pd.DataFrame({s: f["close"] for s, f in SYMBOLS.items()})
    assert_same_outputs(indicators_many("BBANDS", wide, client=client), signal.BBANDS(wide))
    assert_same_outputs(indicators_many("SMA", wide, client=client, timeperiod=5), signal.SMA(wide, timeperiod=5))
    assert indicators_many("SMA", {}, client=client) == {}


def test_thread_based_workers_share_this_process_pool_and_leave_its_size() -> None:
    """Workers that are threads of this process: the one native pool serves them all, so no
    helper resizes it (one worker process on the host), and the results are still one machine's."""
    distributed = pytest.importorskip("distributed")
    before = performance.get_num_threads()
    with (
        distributed.LocalCluster(
            n_workers=2, processes=False, threads_per_worker=2, dashboard_address=":0", silence_logs=50
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        probs = problems()
        got = anneal_many(probs, client=c, seed=8, num_reads=9, num_sweeps=100)
        assert set(c.run(os.getpid).values()) == {os.getpid()}
    assert_same_sets(got, anneal_many(probs, seed=8, num_reads=9, num_sweeps=100))
    assert performance.get_num_threads() == before


def run_while_killing_a_worker(client: Any, work: Callable[[], Any]) -> Any:
    """Run ``work`` in a thread; once both workers are busy, SIGKILL one worker process. Returns
    what ``work`` returned; fails if no worker was busy to kill or the kill did not happen."""
    pids_before: dict[str, int] = client.run(os.getpid)
    out: dict[str, Any] = {}

    def target() -> None:
        try:
            out["result"] = work()
        except BaseException as e:  # reported by the main thread
            out["error"] = e

    thread = threading.Thread(target=target)
    thread.start()
    victim = None
    deadline = time.monotonic() + 30
    while victim is None and time.monotonic() < deadline and thread.is_alive():
        busy = [a for a, tasks in client.processing().items() if tasks]
        if len(busy) == 2:
            victim = busy[0]
        else:
            time.sleep(0.01)
    assert victim is not None, "the workers never got busy at the same time: no worker was killed"
    os.kill(pids_before[victim], os_signal.SIGKILL)
    thread.join(timeout=300)
    assert not thread.is_alive()
    if "error" in out:
        raise out["error"]
    client.wait_for_workers(2, timeout=60)
    pids_after: dict[str, int] = client.run(os.getpid)
    assert pids_before[victim] not in pids_after.values()  # the worker really died and was replaced
    return out["result"]


def test_anneal_many_survives_a_worker_killed_mid_run(client: Any) -> None:
    shared = dense_problem(128, 7)
    probs = [dense_problem(128, k) for k in range(6)] + [shared] * 6  # about 0.5 s each on a core
    kwargs: dict[str, Any] = {"num_reads": 24, "num_sweeps": 20_000}
    expected = anneal_many(probs, seed=2024, **kwargs)
    got = run_while_killing_a_worker(client, lambda: anneal_many(probs, client=client, seed=2024, **kwargs))
    assert_same_sets(got, expected)


def test_monte_carlo_var_many_survives_a_worker_killed_mid_run(client: Any) -> None:
    weights = np.random.default_rng(3).dirichlet(np.ones(3), size=12)
    kwargs: dict[str, Any] = {"num_scenarios": 16_000_000}  # about 0.5 s a portfolio on a core
    expected = monte_carlo_var_many(MEAN, COV, weights, seed=5, **kwargs)
    got = run_while_killing_a_worker(
        client, lambda: monte_carlo_var_many(MEAN, COV, weights, client=client, seed=5, **kwargs)
    )
    assert got == expected


def test_scenarios_split_over_the_cluster_survive_a_worker_killed_mid_run(client: Any) -> None:
    kwargs: dict[str, Any] = {"num_scenarios": 24_000_000, "alpha": 0.01}  # 24 ranges of about 30 ms
    expected = [risk.monte_carlo_var(MEAN, COV, w, seed=8, **kwargs) for w in WEIGHTS[:2]]
    got = run_while_killing_a_worker(
        client,
        lambda: monte_carlo_var_many(
            MEAN, COV, WEIGHTS[:2], client=client, seed=8, scenarios_per_chunk=2**20, **kwargs
        ),
    )
    assert got == expected
