"""Cases for the fuzz test: hostile calls to every public entry point, as Python source.

A case is source text (``setup`` statements, then one ``call``), run by ``tests/fuzz_runner.py`` in a
forked child under a memory limit. Source text makes every failure its own reproducer. The
strategies mix hostile values (huge, negative, 2**31, 2**63 and 2**200 counts, bools for ints,
1e308/-0.0/NaN/inf/10**400 floats, lone surrogates and empty strings, ragged lists, object arrays,
broadcast views of 10**9-10**10 elements, wrong dtypes and shapes, huge index arrays, None) into
valid calls, and sometimes call a method on a pickled round trip of the object.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

RUNNER = Path(__file__).with_name("fuzz_runner.py")

# One hostile value in this many parameters, on average.
HOSTILE_ODDS = 4


@dataclasses.dataclass(frozen=True)
class Case:
    """One call: ``setup`` (statements) then ``call`` (an expression or statement); ``check`` runs
    afterwards on the same objects (is the object intact?). ``expect`` lists the outcome kinds a
    regression example must have (e.g. ``raised InvalidInputError``); ``None`` takes any pass."""

    call: str
    setup: str = ""
    check: str = ""
    allow_inf: bool = False
    allow_nan: bool = False  # NaN is a documented result (a statistic of a column with no data)
    mem_gib: float = 3.0
    interrupt_at: float | None = None
    expect: tuple[str, ...] | None = None
    name: str = ""

    def reproducer(self) -> str:
        body = "; ".join(part for part in (self.setup, self.call) if part)
        limit = f"import resource; resource.setrlimit(resource.RLIMIT_AS, ({self.mem_gib:g} * 2**30,) * 2); "
        return f'cd tests && python -c "{limit}from fuzz_runner import *; {body}"'.replace("\\", "\\\\")


class Runner:
    """A ``fuzz_runner.py`` process: imports quantumpanarchy once, forks a child per case."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[str] | None = None

    def start(self) -> None:
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", PYTHONFAULTHANDLER="1")
        self.proc = subprocess.Popen(
            [sys.executable, str(RUNNER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=RUNNER.parent,
        )
        answer = self._ask({"ping": True})
        assert answer["ok"], "the fuzz runner holds threads after importing quantumpanarchy"

    def _ask(self, request: dict[str, Any]) -> dict[str, Any]:
        assert self.proc is not None and self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the fuzz runner died (rc {self.proc.wait()})")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def run(self, case: Case, timeout: float = 1.0, grace: float = 1.5, threads: int = 1) -> dict[str, Any]:
        """The outcome of ``case`` (``ok``, ``kind``, ``detail``, ``elapsed``, ``output``)."""
        if self.proc is None or self.proc.poll() is not None:
            self.start()
        request = {
            **dataclasses.asdict(case),
            "timeout": timeout,
            "grace": grace,
            "threads": threads,
        }
        return self._ask(request)

    def close(self) -> None:
        if self.proc is not None:
            with self.proc:  # closes the pipes and waits
                assert self.proc.stdin is not None
                self.proc.stdin.close()
            self.proc = None


def describe(case: Case, outcome: dict[str, Any]) -> str:
    """A failure as a report: the kind, the detail, the reproducer and the child's last output."""
    lines = [f"[{outcome['kind']}] {outcome['detail'].strip()}", f"  reproduce: {case.reproducer()}"]
    if case.interrupt_at is not None:
        lines.append(f"  (SIGINT sent {case.interrupt_at:g} s after the call started)")
    if outcome.get("output"):
        lines.append("  output: " + outcome["output"][-600:].replace("\n", "\n          "))
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Values, as source text.

COUNTS_HOSTILE = [
    "-1",
    "0",
    "2**31",
    "2**63",
    "2**200",
    "-(2**63)",
    "True",
    "False",
    "1.5",
    "float('nan')",
    "'3'",
    "None",
    "np.int64(2**62)",
    "np.uint64(2**64 - 1)",
    "10**9",
    "[3]",
]
# Counts that are valid but mean hours of work (Ctrl-C ends them).
COUNTS_LONG = ["2**31", "10**9"]
REALS_HOSTILE = [
    "1e308",
    "-1e308",
    "-0.0",
    "0.0",
    "float('nan')",
    "float('inf')",
    "-float('inf')",
    "10**400",
    "-(10**400)",
    "5e-324",
    "True",
    "'1.0'",
    "None",
    "np.float32('nan')",
    "np.longdouble('1e4000')",
    "1j",
    "2**63",
    "[1.0]",
]
STRINGS_HOSTILE = ["''", "'\\ud800'", "'no'", "' x'", "None", "1", "True", "b'gibbs'", "'gibbs\\x00'", "'x' * 10**6"]
SEEDS_HOSTILE = ["-1", "2**64", "2**200", "1.5", "'1'", "True", "float('nan')", "np.int8(-3)"]


def vectors_hostile(n: int) -> list[str]:
    """Hostile values for a float vector of length n."""
    return [
        "np.broadcast_to(0.0, (10**9,))",
        "np.broadcast_to(1.0, (10**10,))",
        "np.broadcast_to(np.float32(0.5), (10**9,))",
        "np.broadcast_to(np.float16(1), (3 * 10**9,))",
        "[1.0, [2.0]]",
        f"[[1.0]] * {n}",
        f"np.zeros({n}, dtype=object)",
        f"np.array([None] * {n})",
        f"np.array(['a'] * {n})",
        f"np.zeros(({n}, {n}, 2))",
        f"np.zeros({n + 1})",
        "np.zeros(0)",
        "[]",
        f"np.full({n}, np.nan)",
        f"np.full({n}, -np.inf)",
        f"np.full({n}, 1e308)",
        f"np.zeros({n}, dtype=complex)",
        f"np.ones({n}, dtype=bool)",
        f"np.zeros({2 * n})[::2]",
        f"np.full({n}, 2**62)",
        f"np.zeros({n}, dtype='datetime64[s]')",
        f"np.zeros({n}, dtype=np.longdouble)",
        "'abc'",
        "{1: 2}",
        "5.0",
        "None",
        f"np.ma.masked_all({n})",
    ]


def matrices_hostile(n: int) -> list[str]:
    """Hostile values for a float n x n matrix."""
    return [
        "np.broadcast_to(0.0, (10**5, 10**5))",
        "np.broadcast_to(np.float32(1), (10**5, 10**5))",
        "np.broadcast_to(np.float16(0), (2 * 10**5, 10**5))",
        "np.broadcast_to(0.0, (10**9, 2))",
        "np.broadcast_to(0.0, (3, 10**9))",
        "[[1.0], [1.0, 2.0]]",
        "[[0.0, 1.0], 2.0]",
        f"np.zeros(({n}, {n}), dtype=object)",
        f"np.full(({n}, {n}), '1')",
        f"np.zeros(({n}, {n}, {n}))",
        f"np.zeros({n})",
        f"np.zeros(({n}, {n + 1}))",
        "np.zeros((0, 0))",
        "[[]]",
        "[]",
        f"np.full(({n}, {n}), np.nan)",
        f"np.full(({n}, {n}), np.inf)",
        f"np.full(({n}, {n}), 1e308)",
        f"np.full(({n}, {n}), -1e308)",
        f"np.ones(({n}, {n}), dtype=complex)",
        f"np.ones(({n}, {n}), dtype=bool)",
        f"np.asfortranarray(sym({n}))",
        f"sym({2 * n})[::2, ::2]",
        f"np.triu(np.ones(({n}, {n})))",
        f"sym({n}, scale=1e300)",
        "np.eye(2, dtype=np.float16) * 65504",
        "'abc'",
        "None",
        "{(0, 1): float('nan')}",
        "{(0, 0): 1e308, (0, 1): -1e308}",
        "{('a', '\\ud800'): 1.0}",
        "{(0,): 1.0}",
    ]


def indices_hostile(n: int) -> list[str]:
    """Hostile values for an index vector."""
    return [
        "np.broadcast_to(np.int64(0), (10**9,))",
        "np.broadcast_to(np.int32(1), (10**9,))",
        "np.broadcast_to(0, (10**10,))",
        "np.array([2**63 - 1])",
        "np.array([-1])",
        f"np.array([{n}])",
        "np.array([0.5])",
        "np.array([2**64 - 1], dtype=np.uint64)",
        "[0, [1]]",
        "np.array([True])",
        "np.array(['0'])",
        "None",
        "[]",
    ]


def states_hostile(n: int) -> list[str]:
    """Hostile values for spin states (rows of +-1)."""
    return [
        f"np.broadcast_to(np.int8(1), (10**9, {n}))",
        f"np.broadcast_to(1.0, (10**9, {n}))",
        f"np.zeros({n}, dtype=np.int8)",
        f"np.full({n}, 2, dtype=np.int8)",
        f"np.full({n}, 1.5)",
        f"np.full({n}, np.nan)",
        f"np.ones({n + 1}, dtype=np.int8)",
        f"np.ones((2, 2, {n}), dtype=np.int8)",
        f"[[1] * {n}, [1]]",
        f"np.ones({n}, dtype=object)",
        f"np.ones({n}, dtype=bool)",
        "np.ones((0, 0), dtype=np.int8)",
        "'++'",
        "None",
    ]


def data_hostile(rows: int, cols: int) -> list[str]:
    """Hostile values for a 2-D data matrix X (rows x cols) of the estimators."""
    return [
        f"np.broadcast_to(0.5, ({rows}, 10**7))",
        "np.broadcast_to(0.5, (10**9, 2))",
        "np.broadcast_to(0.5, (10**5, 10**5))",
        "[[0.1, 0.2], [0.3]]",
        f"np.full(({rows}, {cols}), np.nan)",
        f"np.full(({rows}, {cols}), 1e308)",
        f"np.full(({rows}, {cols}), -1e308)",
        f"np.zeros(({rows}, {cols}))",
        f"np.zeros(({rows}, {cols}), dtype=object)",
        f"np.zeros(({rows}, {cols}), dtype=complex)",
        f"np.zeros(({rows}, {cols}, 2))",
        f"np.zeros({rows})",
        "np.zeros((0, 2))",
        "np.zeros((2, 0))",
        "[[]]",
        "[]",
        "None",
        "'abc'",
        f"np.full(({rows}, {cols}), '0.5')",
        f"np.random.default_rng(0).random(({rows}, {cols})) * 1e300",
    ]


def pick(valid: st.SearchStrategy[str], hostile: Sequence[str]) -> st.SearchStrategy[str]:
    """Mostly a valid value, one time in HOSTILE_ODDS a hostile one."""
    return st.integers(0, HOSTILE_ODDS - 1).flatmap(lambda k: st.sampled_from(list(hostile)) if k == 0 else valid)


def ints(lo: int, hi: int) -> st.SearchStrategy[str]:
    return st.integers(lo, hi).map(str)


def reals(lo: float, hi: float) -> st.SearchStrategy[str]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False).map(lambda x: repr(float(x)))


def count(lo: int, hi: int) -> st.SearchStrategy[str]:
    return pick(ints(lo, hi), COUNTS_HOSTILE)


def real(lo: float, hi: float) -> st.SearchStrategy[str]:
    return pick(reals(lo, hi), REALS_HOSTILE)


def option(*choices: str) -> st.SearchStrategy[str]:
    return pick(st.sampled_from([repr(c) for c in choices]), STRINGS_HOSTILE)


def seed() -> st.SearchStrategy[str]:
    return pick(st.one_of(st.just("None"), ints(0, 2**32)), SEEDS_HOSTILE)


def flag() -> st.SearchStrategy[str]:
    return pick(st.sampled_from(["True", "False"]), ["'no'", "'False'", "0", "1", "2", "None", "np.bool_(True)"])


def vector(n: int, lo: float = -2.0, hi: float = 2.0) -> st.SearchStrategy[str]:
    valid = st.integers(0, 1000).map(lambda s: f"np.random.default_rng({s}).uniform({lo}, {hi}, {n})")
    return pick(valid, vectors_hostile(n))


def matrix(n: int) -> st.SearchStrategy[str]:
    return pick(st.integers(0, 1000).map(lambda s: f"sym({n}, {s})"), matrices_hostile(n))


def states(n: int) -> st.SearchStrategy[str]:
    def valid(rows: int, s: int) -> str:
        return f"np.random.default_rng({s}).choice(np.array([-1, 1], dtype=np.int8), ({rows}, {n}))"

    return pick(st.builds(valid, st.integers(1, 4), st.integers(0, 1000)), states_hostile(n))


def data(rows: int, cols: int, lo: float = 0.0, hi: float = 1.0) -> st.SearchStrategy[str]:
    valid = st.integers(0, 1000).map(lambda s: f"np.random.default_rng({s}).uniform({lo}, {hi}, ({rows}, {cols}))")
    return pick(valid, data_hostile(rows, cols))


@st.composite
def kwargs(draw: st.DrawFn, /, **params: st.SearchStrategy[str]) -> str:
    """Keyword arguments, each one present or left out."""
    parts = [f"{name}={draw(value)}" for name, value in params.items() if draw(st.booleans())]
    return ", ".join(parts)


def maybe_rt(name: str) -> st.SearchStrategy[str]:
    """The object itself, or (sometimes) a pickled round trip of it."""
    return st.sampled_from([name, name, name, f"rt({name})"])


# --------------------------------------------------------------------------------------------
# Entry points. Each strategy draws a Case.

CaseStrategy = Callable[[], st.SearchStrategy[Case]]


@st.composite
def small_network(draw: st.DrawFn) -> tuple[str, int]:
    """Setup source for a network ``net`` and its size (mostly small and valid)."""
    n = draw(st.integers(1, 6))
    s = draw(st.integers(0, 1000))
    kind = draw(st.sampled_from(["dense", "dense", "sparse", "empty", "qubo", "big"]))
    if kind == "dense":
        return f"net = core.PBitNetwork.from_dense(sym({n}, {s}), np.full({n}, 0.1), seed={s})", n
    if kind == "sparse":
        return f"net = core.PBitNetwork.from_sparse(scipy.sparse.coo_array(sym({n}, {s})), seed={s})", n
    if kind == "qubo":
        return f"net = core.PBitNetwork.from_qubo(sym({n}, {s}) + np.eye({n}), seed={s})", n
    if kind == "big":
        return "net = core.PBitNetwork(10**5, seed=1)", 10**5
    return f"net = core.PBitNetwork({n}, seed={s})", n


@st.composite
def pbit(draw: st.DrawFn) -> Case:
    setup = f"p = core.PBit({draw(kwargs(bias=real(-3, 3), beta=real(0, 5), seed=seed()))})"
    obj = draw(maybe_rt("p"))
    call = draw(
        st.sampled_from(
            [
                f"{obj}.probability_up({draw(real(-5, 5))})",
                f"{obj}.sample({draw(real(-5, 5))})",
                f"{obj}.sample_many({draw(count(0, 50))}, {draw(real(-5, 5))})",
                f"({obj}.bias, {obj}.beta)",
            ]
        )
    )
    return Case(call, setup, check="p.sample()")


@st.composite
def temperature(draw: st.DrawFn) -> Case:
    steps = count(1, 50)
    t = real(0.01, 10)
    make = draw(
        st.sampled_from(
            [
                f"core.Temperature.linear({draw(t)}, {draw(t)}, {draw(steps)})",
                f"core.Temperature.geometric({draw(t)}, {draw(t)}, {draw(steps)})",
                f"core.Temperature.exponential({draw(t)}, {draw(t)}, {draw(steps)}, rate={draw(real(0.1, 10))})",
                f"core.Temperature.constant({draw(t)}, {draw(steps)})",
                f"core.Temperature.from_betas({draw(vector(draw(st.integers(1, 5)), 0.0, 5.0))})",
                f"core.Temperature.from_beta_range({draw(real(0.01, 1))}, {draw(real(1, 10))}, {draw(steps)}, "
                f"schedule_type={draw(option('geometric', 'linear'))})",
            ]
        )
    )
    use = draw(st.sampled_from(["{}", "{}.temperatures()", "{}.betas()", "len({})", "list({})", "rt({}) == {}"]))
    # a schedule at T = 0 has beta = inf, which is documented
    return Case(use.format(make, make), allow_inf=True)


@st.composite
def network_constructors(draw: st.DrawFn) -> Case:
    n = draw(st.integers(1, 6))
    s = seed()
    call = draw(
        st.sampled_from(
            [
                f"core.PBitNetwork({draw(count(0, 8))}, seed={draw(s)})",
                f"core.PBitNetwork.from_dense({draw(matrix(n))}, {draw(st.just('None') | vector(n))}, seed={draw(s)})",
                f"core.PBitNetwork.from_qubo({draw(matrix(n))}, seed={draw(s)})",
                f"core.PBitNetwork.from_ising({draw(vector(n))}, {draw(ising_couplings(n))}, "
                f"offset={draw(real(-5, 5))}, seed={draw(s)})",
                f"core.PBitNetwork.from_sparse({draw(indices(n))}, {draw(indices(n))}, {draw(vector(2))}, "
                f"{draw(kwargs(h=vector(n), num_pbits=count(n, n + 2), seed=s))})",
                f"core.PBitNetwork.from_sparse({draw(sparse_matrices(n))}, "
                f"{draw(kwargs(h=vector(n), num_pbits=count(n, n + 2)))})",
                f"core.PBitNetwork.from_dimod({draw(bqms(n))}, seed={draw(s)})",
            ]
        )
    )
    return Case(f"rt({call}).energy()")


def indices(n: int) -> st.SearchStrategy[str]:
    valid = st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).map(lambda ij: f"np.array([{ij[0]}, {ij[1]}])")
    return pick(valid, indices_hostile(n))


def sparse_matrices(n: int) -> st.SearchStrategy[str]:
    """scipy.sparse input (hostile ones that scipy itself accepts)."""
    valid = st.integers(0, 1000).map(lambda s: f"scipy.sparse.coo_array(sym({n}, {s}))")
    hostile = [
        "scipy.sparse.coo_array((10**9, 10**9))",
        "scipy.sparse.coo_array((2**31, 2**31))",
        f"scipy.sparse.csr_array(({n}, {n + 1}))",
        "scipy.sparse.coo_array((np.array([np.nan]), (np.array([0]), np.array([1]))), shape=(2, 2))",
        "scipy.sparse.coo_array((np.array([1e308, 1e308]), (np.array([0, 0]), np.array([1, 1]))), shape=(2, 2))",
        f"scipy.sparse.eye_array({n}, dtype=complex)",
        f"scipy.sparse.random_array(({n}, {n}), density=0.5, rng=0)",
    ]
    return pick(valid, hostile)


def bqms(n: int) -> st.SearchStrategy[str]:
    """dimod models (hostile ones that dimod itself accepts)."""
    valid = st.integers(0, 1000).map(
        lambda s: (
            f"dimod.BQM(np.random.default_rng({s}).normal(size={n}), {{(0, {n - 1}): 0.5}} if {n} > 1 else {{}}, "
            "0.1, 'SPIN')"
        )
    )
    hostile = [
        "dimod.BQM({0: float('nan')}, {}, 0.0, 'SPIN')",
        "dimod.BQM({0: 1.0}, {}, float('inf'), 'BINARY')",
        "dimod.BQM({'\\ud800': 1.0, '': 2.0}, {('\\ud800', ''): 1.0}, 0.0, 'SPIN')",
        "dimod.BQM({0: 1e308, 1: -1e308}, {(0, 1): 1e308}, 0.0, 'SPIN')",
        "dimod.BQM('BINARY')",
        "dimod.BQM({(0, 1): 1.0, 'a': 2.0, 1.5: 3.0}, {}, 0.0, 'SPIN')",
        "dimod.generators.ran_r(1, 64, seed=1)",
    ]
    return pick(valid, hostile)


def ising_couplings(n: int) -> st.SearchStrategy[str]:
    valid = st.integers(0, max(0, n - 2)).map(lambda i: f"{{({i}, {i + 1}): 0.5}}")
    hostile = [*matrices_hostile(n)[-4:], "{(0, 0): 1.0}", f"{{(0, {n + 5}): 1.0}}", "[(0, 1, 1.0)]", "None"]
    return pick(valid, hostile)


@st.composite
def network_methods(draw: st.DrawFn) -> Case:
    setup, n = draw(small_network())
    net = draw(maybe_rt("net"))
    i, j = count(0, min(n, 6) - 1), count(0, min(n, 6) - 1)
    anneal_kwargs = kwargs(
        num_reads=count(1, 4),
        num_sweeps=pick(ints(0, 50), COUNTS_HOSTILE + COUNTS_LONG),
        seed=seed(),
        beta_range=pick(st.just("[0.1, 3.0]"), ["[3.0, 0.1]", "[0.0, 1e308]", "[float('nan'), 1.0]", "[1.0]"]),
        beta_schedule_type=option("geometric", "linear"),
        num_sweeps_per_beta=count(1, 3),
        initial_states_generator=option("none", "tile", "random"),
        randomize_order=flag(),
        first_read=pick(ints(0, 64), [*COUNTS_HOSTILE, "2**64 - 2", "2**64"]),
        method=option("metropolis", "gibbs"),
        time_limit=real(0.01, 1.0),
        num_threads=count(1, 2),
    )
    custom = f"beta_schedule_type='custom', beta_schedule={draw(vector(3, 0.0, 3.0))}"
    n_state = min(n, 6)
    call = draw(
        st.sampled_from(
            [
                f"{net}.set_coupling({draw(i)}, {draw(j)}, {draw(real(-2, 2))})",
                f"{net}.coupling({draw(i)}, {draw(j)})",
                f"{net}.set_field({draw(i)}, {draw(real(-2, 2))})",
                f"{net}.to_dense()",
                f"{net}.edges()",
                f"{net}.energy({draw(st.just('None') | states(n_state))})",
                f"{net}.local_fields({draw(st.just('None') | states(n_state))})",
                f"{net}.magnetization()",
                f"{net}.randomize({draw(seed())})",
                f"{net}.sweep({draw(real(0, 3))}, {draw(pick(ints(0, 20), COUNTS_HOSTILE + COUNTS_LONG))}, "
                f"{draw(option('gibbs', 'metropolis'))})",
                f"{net}.default_beta_range()",
                f"core.default_beta_range({net})",
                f"{net}.num_colors()",
                f"{net}.anneal({draw(anneal_kwargs)})",
                f"{net}.anneal({custom}, num_reads={draw(count(1, 3))})",
                f"{net}.anneal(core.Temperature.linear(2.0, 0.1, {draw(count(1, 20))}), {draw(count(1, 3))}, 1)",
                f"run_async({net}.anneal_async({draw(anneal_kwargs)}))",
                f"{net}.anneal(initial_states={draw(states(n_state))}, num_sweeps=5)",
                f"setattr({net}, 'state', {draw(states(n_state))})",
                f"({net}.num_pbits, {net}.num_couplings, {net}.is_dense, {net}.offset, len({net}))",
                f"({net}.fields, {net}.state, {net}.vartype, {net}.variables[:3])",
            ]
        )
    )
    return Case(call, setup, check="net.energy()", allow_inf=True)


@st.composite
def ising_energy(draw: st.DrawFn) -> Case:
    n = draw(st.integers(1, 6))
    J, h = draw(matrix(n)), draw(st.just("None") | vector(n))
    call = draw(
        st.sampled_from(
            [
                f"core.IsingEnergy.energy({J}, {h}, {draw(states(n))})",
                f"core.IsingEnergy.local_fields({J}, {h}, {draw(states(n))})",
                f"core.IsingEnergy.delta_energy({J}, {h}, {draw(states(n))}, {draw(count(0, n - 1))})",
                f"core.IsingEnergy.qubo_to_ising({J})",
                f"core.IsingEnergy.ising_to_qubo({J}, {h})",
            ]
        )
    )
    return Case(call)


@st.composite
def boltzmann(draw: st.DrawFn) -> Case:
    setup, n = draw(small_network())
    args = draw(kwargs(method=option("gibbs", "metropolis"), seed=seed()))
    setup += f"; bs = core.BoltzmannSampler(net, {draw(real(0.0, 3.0))}{', ' + args if args else ''})"
    bs = draw(maybe_rt("bs"))
    work = pick(ints(1, 50), COUNTS_HOSTILE + COUNTS_LONG)
    run_kwargs = draw(
        kwargs(burn_in=work, thin=count(1, 3), num_chains=count(1, 3), seed=seed(), initial_states=states(min(n, 6)))
    )
    series = pick(
        st.integers(0, 1000).map(lambda s: f"np.random.default_rng({s}).normal(size=50)"),
        vectors_hostile(50),
    )
    call = draw(
        st.sampled_from(
            [
                f"{bs}.sample({draw(work)}, {run_kwargs})",
                f"{bs}.observables({draw(work)}, {run_kwargs})",
                f"run_async({bs}.sample_async({draw(work)}))",
                f"run_async({bs}.observables_async({draw(work)}, num_chains={draw(count(1, 3))}))",
                f"{bs}.exact_distribution()",
                f"{bs}.exact_observables()",
                f"core.BoltzmannSampler.autocorrelation_time({draw(series)})",
                f"core.integrated_autocorrelation_time({draw(series)})",
                f"({bs}.network.num_pbits, {bs}.beta, {bs}.method)",
            ]
        )
    )
    return Case(call, setup, check="bs.sample(2, burn_in=1)")


@st.composite
def tempering(draw: st.DrawFn) -> Case:
    setup, _ = draw(small_network())
    betas = draw(vector(draw(st.integers(1, 4)), 0.05, 3.0))
    setup += f"; pt = core.ParallelTempering(net, {betas}, {draw(kwargs(method=option('metropolis', 'gibbs')))})"
    work = pick(ints(1, 50), COUNTS_HOSTILE + COUNTS_LONG)
    pt = draw(maybe_rt("pt"))
    args = draw(kwargs(burn_in=work, swap_interval=count(1, 3), seed=seed()))
    call = draw(st.sampled_from([f"{pt}.run({draw(work)}, {args})", f"{pt}.betas"]))
    return Case(call, setup, check="pt.run(2, burn_in=1)")


@st.composite
def sample_set(draw: st.DrawFn) -> Case:
    rows, n = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    samples = draw(pick(st.just(f"np.ones(({rows}, {n}), dtype=np.int8)"), states_hostile(n)))
    energies = draw(vector(rows))
    args = draw(
        kwargs(
            num_occurrences=pick(st.just(f"np.ones({rows}, dtype=np.int64)"), vectors_hostile(rows)),
            vartype=option("SPIN", "BINARY"),
            variables=pick(st.just(f"list('abcdef'[:{n}])"), ["'ab'", "None", "[[]]", "['\\ud800'] * 8", "1"]),
        )
    )
    setup = f"ss = core.SampleSet({samples}, {energies}{', ' + args if args else ''})"
    use = draw(
        st.sampled_from(
            [
                "ss.first",
                f"ss.lowest({draw(count(1, 3))})",
                "ss.aggregate()",
                "ss.to_dict()",
                "list(ss)",
                "rt(ss) == ss",
                "ss.to_pandas().shape",
                "ss.to_dimod()",
            ]
        )
    )
    return Case(use, setup)


@st.composite
def performance_calls(draw: st.DrawFn) -> Case:
    call = draw(
        st.sampled_from(
            [
                f"performance.set_backend({draw(option('cpu', 'auto'))})",
                "performance.get_backend()",
                f"performance.set_num_threads({draw(count(0, 2))}); performance.get_num_threads()",
                "performance.cpu_features()",
                "performance.cuda_is_available()",
                "performance.backend_info()",
                "performance.available_backends()",
                f"performance.benchmark({draw(pick(ints(1, 1), COUNTS_HOSTILE))}, verbose=False)",
            ]
        )
    )
    return Case(call)


@st.composite
def annealing(draw: st.DrawFn) -> Case:
    n = draw(st.integers(1, 5))
    options = kwargs(
        num_reads=count(1, 3),
        num_sweeps=pick(ints(0, 50), COUNTS_HOSTILE + COUNTS_LONG),
        seed=seed(),
        beta_range=pick(st.just("[0.1, 3.0]"), ["[3.0, 0.1]", "[float('nan'), 1.0]", "[1.0]", "'ab'"]),
        beta_schedule_type=option("geometric", "linear"),
        proposal_acceptance_criteria=option("Metropolis", "Gibbs"),
        initial_states_generator=option("none", "tile", "random"),
        num_threads=count(1, 2),
        randomize_order=flag(),
        time_limit=real(0.01, 1.0),
    )
    setup = f"a = decision.Annealing({draw(options)})"
    sampler = draw(maybe_rt("a"))
    call = draw(
        st.sampled_from(
            [
                f"{sampler}.sample({draw(bqms(n))}, {draw(options)})",
                f"{sampler}.sample(core.PBitNetwork.from_dense(sym({n})), {draw(options)})",
                f"{sampler}.sample_ising({draw(vector(n))}, {draw(ising_couplings(n))}, {draw(options)})",
                f"{sampler}.sample_qubo({draw(matrix(n))}, {draw(options)})",
                f"run_async({sampler}.sample_qubo_async({draw(matrix(n))}, {draw(options)}))",
                f"{sampler}.remove_unknown_kwargs(num_reads=1, bogus=2)",
                f"({sampler}.parameters, {sampler}.properties)",
            ]
        )
    )
    return Case(call, setup, check="a.sample_qubo({(0, 0): -1.0})", allow_inf=True)


@st.composite
def qaoa(draw: st.DrawFn) -> Case:
    assets = draw(st.integers(2, 5))
    args = draw(
        kwargs(
            num_layers=count(1, 3),
            budget=count(1, assets),
            penalty=real(0.1, 10),
            optimizer=option("nelder-mead", "cobyla", "powell", "spsa"),
            maxiter=count(1, 30),
            shots=count(1, 100),
            seed=seed(),
            restarts=count(1, 2),
            backend=option("cpu", "auto"),
        )
    )
    setup = f"q = decision.QAOA({draw(count(assets, assets))}{', ' + args if args else ''})"
    angles = draw(st.integers(1, 3))
    gammas = pick(st.just(f"np.full({angles}, 0.3)"), vectors_hostile(angles) + matrices_hostile(angles))
    betas = pick(st.just(f"np.full({angles}, 0.2)"), vectors_hostile(angles) + matrices_hostile(angles))
    returns = draw(vector(assets, 0.0, 0.2))
    cov = draw(pick(st.just(f"np.eye({assets}) * 0.01 + 0.001 * sym({assets})"), matrices_hostile(assets)))
    obj = draw(maybe_rt("q"))
    Q = draw(matrix(draw(st.integers(1, 5))))
    call = draw(
        st.sampled_from(
            [
                f"{obj}.optimize({returns}, {cov}, {draw(real(0, 1))})",
                f"{obj}.expectation({Q}, {draw(gammas)}, {draw(betas)})",
                f"{obj}.probabilities({Q}, {draw(gammas)}, {draw(betas)})",
                f"{obj}.sample_qubo({Q}, {draw(kwargs(gammas=gammas, betas=betas, shots=count(1, 50)))})",
                f"run_async({obj}.sample_qubo_async({Q}, shots={draw(count(1, 20))}))",
            ]
        )
    )
    return Case(call, setup, check="q.expectation(np.eye(2), [0.1], [0.2])")


@st.composite
def qar(draw: st.DrawFn) -> Case:
    k = draw(st.integers(1, 4))
    args = draw(
        kwargs(
            num_pbits=count(k, k),
            energy_threshold=real(0, 1),
            beta=real(0.01, 5),
            num_samples=pick(ints(1, 200), COUNTS_HOSTILE + COUNTS_LONG),
            seed=seed(),
            burn_in=count(0, 50),
            exact=pick(st.sampled_from(["True", "False", "None"]), ["'no'", "0", "2"]),
            factor_names=pick(st.just(f"list('abcd'[:{k}])"), ["['a', 'a']", "['\\ud800']", "'ab'", "[1, 2]"]),
            max_iter=pick(ints(1, 50), COUNTS_HOSTILE),
            alpha=real(0, 1),
            tol=real(1e-9, 1e-2),
        )
    )
    setup = f"m = decision.QAR({args})"
    rows = draw(st.integers(1, 30))
    X = draw(data(rows, k))
    outcomes = pick(
        st.integers(0, 100).map(lambda s: f"np.random.default_rng({s}).choice(['buy', 'sell', 'hold'], {rows})"),
        [f"['buy'] * {rows + 1}", f"[2] * {rows}", f"['\\ud800'] * {rows}", f"[None] * {rows}", "[]", "'buy'"],
    )
    obj = draw(maybe_rt("m"))
    factors = pick(st.just(f"[0.5] * {k}"), [*vectors_hostile(k), "{'\\ud800': 0.5}", "{'zz': 0.5}"])
    call = draw(
        st.sampled_from(
            [
                f"{obj}.decide({draw(factors)})",
                f"{obj}.decide_batch({X})",
                f"{obj}.fit({X}, {draw(outcomes)})",
                f"{obj}.fit({X}, {draw(outcomes)}).decide([0.5] * {k})",
                f"{obj}.predict({X})",
                f"{obj}.probability_buy({X})",
                f"{obj}.score({X}, {draw(outcomes)})",
                f"{obj}.log_likelihood({X}, {draw(outcomes)})",
                f"run_async({obj}.decide_async({draw(factors)}))",
                f"decision.Action({draw(pick(st.sampled_from(['1', '-1', '0', repr('BUY')]), STRINGS_HOSTILE))})",
            ]
        )
    )
    return Case(call, setup, check=f"m.decide([0.5] * {k})")


@st.composite
def iqad(draw: st.DrawFn) -> Case:
    args = draw(
        kwargs(
            n_hidden=count(1, 8),
            learning_rate=real(1e-4, 0.1),
            n_epochs=pick(ints(1, 5), COUNTS_HOSTILE + COUNTS_LONG),
            batch_size=count(1, 16),
            cd_steps=pick(ints(1, 3), COUNTS_HOSTILE + COUNTS_LONG),
            persistent=flag(),
            momentum=real(0, 0.99),
            l2=real(0, 1e-2),
            visible_sigma=real(0.1, 2),
            whiten=flag(),
            contamination=real(0.01, 0.5),
            window=pick(st.just("None") | ints(2, 50), COUNTS_HOSTILE),
            seed=seed(),
            num_threads=count(1, 2),
        )
    )
    setup = f"m = decision.IQAD({args})"
    rows, cols = draw(st.integers(2, 40)), draw(st.integers(1, 4))
    X = draw(data(rows, cols, -1, 1))
    obj = draw(maybe_rt("m"))
    fitted = f"{obj}.fit(np.random.default_rng(0).normal(size=(30, {cols})))"
    call = draw(
        st.sampled_from(
            [
                f"{obj}.fit({X})",
                f"{obj}.fit({X}).score_samples({X})",
                f"{obj}.fit_predict({X})",
                f"{obj}.partial_fit({X})",
                f"{obj}.update({X})",
                f"{fitted}.free_energy({X})",
                f"{fitted}.score_samples({X})",
                f"{fitted}.decision_function({X})",
                f"{fitted}.predict({X})",
                f"{fitted}.update({X}).threshold_",
                f"run_async({obj}.fit_async({X}))",
            ]
        )
    )
    return Case(call, setup, check=f"m.fit(np.random.default_rng(1).normal(size=(10, {cols})))")


@st.composite
def qerc(draw: st.DrawFn) -> Case:
    args = draw(
        kwargs(
            n_reservoir=pick(ints(2, 30), COUNTS_HOSTILE),
            spectral_radius=real(0.1, 1.5),
            leak_rate=real(0.01, 1),
            input_scaling=real(0.1, 2),
            connectivity=real(0.01, 1),
            input_connectivity=real(0.01, 1),
            bias_scaling=real(0, 2),
            ridge=real(1e-9, 1),
            washout=count(0, 3),
            input_to_readout=flag(),
            task=option("auto", "regression", "classification"),
            pooling=option("mean", "last"),
            seed=seed(),
        )
    )
    setup = f"m = decision.QERC({args})"
    rows, cols = draw(st.integers(5, 40)), draw(st.integers(1, 3))
    X = draw(data(rows, cols, -1, 1))
    y = draw(vector(rows))
    obj = draw(maybe_rt("m"))
    fitted = f"{obj}.fit(np.random.default_rng(0).normal(size=(40, {cols})), np.random.default_rng(1).normal(size=40))"
    call = draw(
        st.sampled_from(
            [
                f"{obj}.fit({X}, {y})",
                f"{obj}.fit([np.zeros(({rows}, {cols}))] * 4, ['a', 'b', 'a', 'b']).predict_proba({X})",
                f"{fitted}.predict({X}, reset={draw(flag())})",
                f"{fitted}.score({X}, {y})",
                f"{fitted}.reset().W_",
                f"run_async({obj}.fit_async({X}, {y}))",
            ]
        )
    )
    return Case(call, setup, check=f"m.fit(np.zeros((10, {cols})), np.arange(10.0))")


@st.composite
def nqo(draw: st.DrawFn) -> Case:
    d = draw(st.integers(1, 3))
    args = draw(
        kwargs(
            maxfun=pick(ints(5, 60), COUNTS_HOSTILE + COUNTS_LONG),
            n_initial=count(2, 10),
            seed=seed(),
            integrality=pick(st.just(f"[True] + [False] * {d - 1}"), [*STRINGS_HOSTILE, *vectors_hostile(d)]),
            local_method=option("bfgs", "nelder-mead", "none"),
            batch_size=count(1, 8),
            bits=count(1, 12),
            num_chains=pick(ints(1, 4), COUNTS_HOSTILE + COUNTS_LONG),
            num_sweeps=pick(ints(1, 10), COUNTS_HOSTILE + COUNTS_LONG),
            method=option("gibbs", "metropolis"),
            vectorized=flag(),
            num_threads=count(1, 2),
        )
    )
    bounds = pick(
        st.just(f"[(-1.0, 1.0)] * {d}"),
        [
            "[]",
            "[(1.0, -1.0)]",
            "[(0.0, float('nan'))]",
            "[(-1e308, 1e308)]",
            "[(0, 1, 2)]",
            "[(0.0, 10**400)]",
            "np.broadcast_to([-1.0, 1.0], (10**8, 2))",
            "None",
            "'ab'",
        ],
    )
    fun = draw(
        st.sampled_from(
            [
                "sphere",
                "lambda x: float('nan')",
                "lambda x: -float('inf')",
                "lambda x: 1e308 * np.sum(x)",
                "lambda x: None",
                "lambda x: np.zeros(2)",
                "lambda x: 1j",
                "lambda x: np.float32(np.sum(x))",
            ]
        )
    )
    more = draw(kwargs(x0=vector(d, -1, 1), maxfun=count(5, 40)))
    obj = draw(maybe_rt(f"decision.NQO({args})"))
    call = draw(
        st.sampled_from(
            [
                f"{obj}.minimize({fun}, {draw(bounds)}{', ' + more if more else ''})",
                f"decision.minimize_nqo({fun}, {draw(bounds)}, {args})",
                f"run_async({obj}.minimize_async({fun}, {draw(bounds)}))",
            ]
        )
    )
    # NaN and +inf from fun are documented (they count as +inf): the result may hold inf
    return Case(call, allow_inf=True)


# --------------------------------------------------------------------------------------------
# risk: performance statistics, VaR/CVaR, backtests. A documented NaN (a column without data,
# zero volatility, no drawdown) may come from degenerate data or a hostile parameter: those cases
# allow NaN; valid returns (20-60 rows of noise) with valid parameters must give finite numbers.


def flagged(valid: st.SearchStrategy[str], hostile: Sequence[str]) -> st.SearchStrategy[tuple[str, bool]]:
    """:func:`pick`, also saying whether the hostile value was drawn."""
    return st.integers(0, HOSTILE_ODDS - 1).flatmap(
        lambda k: st.sampled_from(list(hostile)).map(lambda v: (v, True)) if k == 0 else valid.map(lambda v: (v, False))
    )


RISK_DEGENERATE = [
    "np.full(30, np.nan)",
    "np.zeros(30)",
    "np.full(30, 0.01)",
    "np.array([0.01])",
    "np.array([[0.01, np.nan]])",
    "np.full((30, 3), np.nan)",
    "pd.DataFrame(np.full((30, 2), np.nan), columns=['a', 'b'])",
    "pd.Series([0.01, np.nan, -0.02])",
    "np.full(30, 1e300)",
    "np.array([-1.0, 0.5, 0.2])",
    "np.broadcast_to(0.001, (10**9,))",
    "np.broadcast_to(0.001, (10**5, 10**5))",
    "np.array([0.01, -0.02], dtype=np.float16)",
]


@st.composite
def risk_returns(draw: st.DrawFn) -> tuple[str, bool, int, int]:
    """Returns source, whether it is degenerate or hostile, its rows and columns."""
    rows, cols = draw(st.integers(20, 60)), draw(st.integers(1, 4))
    form = draw(st.sampled_from(["1d", "2d", "frame", "series", "f32", "fortran"]))
    rng = f"np.random.default_rng({draw(st.integers(0, 1000))})"
    valid = {
        "1d": f"{rng}.normal(0.0005, 0.01, {rows})",
        "2d": f"{rng}.normal(0.0005, 0.01, ({rows}, {cols}))",
        "frame": f"pd.DataFrame({rng}.normal(0.0005, 0.01, ({rows}, {cols})))",
        "series": f"pd.Series({rng}.normal(0.0005, 0.01, {rows}))",
        "f32": f"{rng}.normal(0.0005, 0.01, ({rows}, {cols})).astype(np.float32)",
        "fortran": f"np.asfortranarray({rng}.normal(0.0005, 0.01, ({rows}, {cols})))",
    }[form]
    if form in ("1d", "series"):
        cols = 1
    hostile = [*RISK_DEGENERATE, *vectors_hostile(rows), *data_hostile(rows, cols)]
    source, bad = draw(flagged(st.just(valid), hostile))
    return source, bad, rows, cols


RISK_UNARY: dict[str, dict[str, Callable[[], st.SearchStrategy[str]]]] = {
    "sharpe_ratio": {"risk_free": lambda: real(-0.001, 0.001)},
    "sortino_ratio": {"required_return": lambda: real(-0.001, 0.001)},
    "downside_risk": {"required_return": lambda: real(-0.001, 0.001)},
    "annual_volatility": {"alpha": lambda: real(1.0, 3.0)},
    "annual_return": {},
    "cum_returns_final": {"starting_value": lambda: real(0.0, 100.0)},
    "max_drawdown": {},
    "calmar_ratio": {},
    "omega_ratio": {"risk_free": lambda: real(-0.001, 0.001), "required_return": lambda: real(0.0, 0.1)},
    "value_at_risk": {"cutoff": lambda: real(0.01, 0.5)},
    "conditional_value_at_risk": {"cutoff": lambda: real(0.01, 0.5)},
    "tail_ratio": {},
    "stability_of_timeseries": {},
}
RISK_PERIODS = {"period": lambda: option("daily", "weekly", "monthly", "quarterly", "yearly")}


@st.composite
def risk_param_kwargs(draw: st.DrawFn, params: dict[str, Callable[[], st.SearchStrategy[str]]]) -> tuple[str, bool]:
    parts, bad = [], False
    for name, strategy in params.items():
        if draw(st.booleans()):
            value = draw(strategy())
            bad = bad or not _is_valid_number(value)
            parts.append(f"{name}={value}")
    return ", ".join(parts), bad


def _is_valid_number(source: str) -> bool:
    """Whether a drawn parameter is one of the valid values (a plain finite literal or an option)."""
    hostile = set(REALS_HOSTILE) | set(STRINGS_HOSTILE) | set(COUNTS_HOSTILE)
    return source not in hostile


@st.composite
def risk_statistics(draw: st.DrawFn) -> Case:
    data, bad, _, _ = draw(risk_returns())
    name = draw(st.sampled_from(sorted(RISK_UNARY)))
    params = dict(RISK_UNARY[name])
    if name not in (
        "cum_returns_final",
        "max_drawdown",
        "value_at_risk",
        "conditional_value_at_risk",
        "tail_ratio",
        "stability_of_timeseries",
        "omega_ratio",
    ):
        params.update(RISK_PERIODS)
        params["annualization"] = lambda: real(1.0, 365.0)
    args, hostile_param = draw(risk_param_kwargs(params))
    call = f"risk.{name}({data}{', ' + args if args else ''})"
    return Case(call, allow_nan=bad or hostile_param)


@st.composite
def risk_benchmark_statistics(draw: st.DrawFn) -> Case:
    data, bad, rows, cols = draw(risk_returns())
    name = draw(st.sampled_from(["excess_sharpe", "alpha", "beta", "up_capture", "down_capture"]))
    factor, bad_factor = draw(
        flagged(
            st.integers(0, 1000).map(lambda s: f"np.random.default_rng({s + 5000}).normal(0.0004, 0.01, {rows})"),
            [*vectors_hostile(rows), "0.001", f"np.zeros(({rows}, {cols}))", "pd.Series([0.01, 0.02])"],
        )
    )
    params: dict[str, Callable[[], st.SearchStrategy[str]]] = {}
    if name == "alpha":
        params = {"risk_free": lambda: real(-0.001, 0.001), **RISK_PERIODS}
    elif name in ("up_capture", "down_capture"):
        params = dict(RISK_PERIODS)
    args, hostile_param = draw(risk_param_kwargs(params))
    call = f"risk.{name}({data}, {factor}{', ' + args if args else ''})"
    return Case(call, allow_nan=bad or bad_factor or hostile_param)


@st.composite
def risk_paths(draw: st.DrawFn) -> Case:
    data, bad, _, _ = draw(risk_returns())
    call = draw(
        st.sampled_from(
            [f"risk.drawdown_series({data})", f"risk.cum_returns({data}, starting_value={draw(real(0.0, 10.0))})"]
        )
    )
    return Case(call, allow_nan=bad)


@st.composite
def risk_var(draw: st.DrawFn) -> Case:
    data, bad, _, cols = draw(risk_returns())
    fn = draw(st.sampled_from(["var", "cvar"]))
    method = draw(option("historical", "gaussian", "student_t", "cornish_fisher"))
    alpha = draw(real(0.01, 0.5))
    weights, bad_w = draw(
        flagged(st.sampled_from(["None", f"np.full({cols}, {1.0 / cols!r})"]), [*vectors_hostile(cols), "[1.0] * 9"])
    )
    call = f"risk.{fn}({data}, {alpha}, {method}, weights={weights})"
    # student_t: a constant window has no fit (documented NaN)
    return Case(call, allow_nan=bad or bad_w)


@st.composite
def risk_rolling(draw: st.DrawFn) -> Case:
    data, _, rows, _ = draw(risk_returns())
    fn = draw(st.sampled_from(["rolling_var", "rolling_cvar"]))
    window = draw(pick(ints(2, rows), [*COUNTS_HOSTILE, *COUNTS_LONG]))
    method = draw(option("historical", "gaussian", "student_t", "cornish_fisher"))
    call = f"risk.{fn}({data}, {window}, {draw(real(0.01, 0.5))}, {method})"
    # the first window - 1 values are NaN by definition (aligned with the input)
    return Case(call, allow_nan=True)


@st.composite
def risk_backtests(draw: st.DrawFn) -> Case:
    n = draw(st.integers(2, 300))
    hits = draw(
        pick(
            st.integers(0, 1000).map(lambda s: f"np.random.default_rng({s}).random({n}) < 0.05"),
            [
                "np.broadcast_to(np.array(True), (10**11,))",
                "np.broadcast_to(1.0, (10**9,))",
                "[0, 2]",
                "[0.0, np.nan]",
                "[True]",
                "[]",
                "np.zeros((3, 3), dtype=bool)",
                "np.array(['1', '0'])",
                f"np.zeros({n}, dtype=bool)",
                f"np.ones({n}, dtype=bool)",
                f"[0, 1] * {n}",
                "None",
            ],
        )
    )
    alpha = draw(real(0.001, 0.5))
    call = draw(
        st.sampled_from(
            [
                f"risk.kupiec_test({hits}, {alpha})",
                f"tuple(risk.christoffersen_test({hits}, {alpha}))",
                f"risk.christoffersen_test({hits}, {alpha}).to_dict()",
                f"risk.traffic_light({draw(count(0, 20))}, {draw(count(1, 500))}, {alpha})",
                f"risk.var_exceptions({draw(vector(n, -0.05, 0.05))}, {draw(real(0.0, 0.05))})",
                f"risk.fit_student_t({draw(vector(n, -0.05, 0.05))})",
                f"risk.annualization_factor({draw(option('daily', 'monthly'))}, "
                f"{draw(st.just('None') | real(1, 365))})",
            ]
        )
    )
    return Case(call)


# risk: Monte Carlo VaR and Kelly sizing


def psd(n: int) -> st.SearchStrategy[str]:
    """A covariance (symmetric positive semi-definite, daily-return sized), or a hostile matrix."""
    valid = st.integers(0, 1000).map(
        lambda s: f"(lambda a: a @ a.T * 1e-4 / {n})(np.random.default_rng({s}).normal(size=({n}, {n})))"
    )
    return pick(valid, [*matrices_hostile(n), f"-np.eye({n})", f"np.ones(({n}, {n}))", f"sym({n}, 1)"])


@st.composite
def monte_carlo(draw: st.DrawFn) -> Case:
    n = draw(st.integers(1, 4))
    mean, cov, weights = draw(vector(n, -0.01, 0.01)), draw(psd(n)), draw(vector(n, -1.0, 1.0))
    common = dict(
        horizon=real(0.1, 10),
        distribution=option("normal", "student_t"),
        dof=pick(st.one_of(st.just("None"), reals(2.1, 50)), REALS_HOSTILE),
        seed=seed(),
        backend=option("auto", "cpu", "cuda"),
        progress=pick(st.sampled_from(["False", "None", "lambda d, t: None"]), ["'yes'", "1", "True"]),
    )
    scenarios = pick(ints(2, 20_000), COUNTS_HOSTILE + COUNTS_LONG)
    var_args = draw(kwargs(alpha=real(0, 1), num_scenarios=scenarios, return_scenarios=flag(), **common))
    sim_args = draw(kwargs(**common))
    call = draw(
        st.sampled_from(
            [
                f"risk.monte_carlo_var({mean}, {cov}, {weights}, {var_args})",
                f"rt(risk.monte_carlo_var({mean}, {cov}, {weights}, {var_args})).to_dict()",
                f"risk.simulate_returns({mean}, {cov}, {draw(scenarios)}, {sim_args})",
            ]
        )
    )
    return Case(call)


@st.composite
def distributed_calls(draw: st.DrawFn) -> Case:
    """quantumpanarchy.distributed on its local path (client=None): no Dask in the fuzz runner."""
    setup, _ = draw(small_network())
    listings = draw(st.sampled_from(["[net]", "[net, net]", "[net] * 3", "[]", "net", "[net, 1]", "(net,)"]))
    anneal_args = draw(
        kwargs(
            num_reads=count(1, 20),
            num_sweeps=count(0, 20),
            method=option("metropolis", "gibbs"),
            reads_per_chunk=pick(st.sampled_from(["None", "8", "16"]), [*COUNTS_HOSTILE, "12", "8.0", "'8'"]),
        )
    )
    n = draw(st.integers(1, 3))
    mean, cov = draw(vector(n, -0.01, 0.01)), draw(psd(n))
    weights = draw(pick(st.sampled_from([f"np.eye({n})", f"np.full((2, {n}), 0.5)"]), matrices_hostile(n)))
    mc_args = draw(
        kwargs(
            alpha=real(0, 1),
            num_scenarios=pick(ints(2, 5000), COUNTS_HOSTILE),
            scenarios_per_chunk=pick(st.sampled_from(["None", "2**15"]), [*COUNTS_HOSTILE, "1000", "2.0**15"]),
        )
    )
    client = draw(pick(st.just("None"), ["1", "'tcp://127.0.0.1:8786'", "object()"]))
    betas = draw(pick(st.sampled_from(["[0.5, 1.0]", "np.linspace(0.1, 2.0, 4)"]), vectors_hostile(3)))
    pt_args = draw(
        kwargs(num_samples=pick(ints(1, 20), COUNTS_HOSTILE), burn_in=count(0, 5), method=option("metropolis", "gibbs"))
    )
    qubits = draw(st.integers(1, 3))
    angles = draw(pick(st.sampled_from(["[0.1, 0.2]", "[[0.1], [0.3]]", "np.zeros((2, 2))"]), vectors_hostile(2)))
    qaoa_args = draw(kwargs(angle_sets_per_task=pick(st.sampled_from(["None", "1", "2"]), COUNTS_HOSTILE)))
    name = draw(option("SMA", "ATR", "MACD", "OBV", "BBANDS"))
    series = draw(vector(40, 90.0, 110.0))
    valid = f"np.random.default_rng({draw(st.integers(0, 1000))}).uniform(90.0, 110.0, 40)"  # pandas copies its input
    symbols = draw(
        st.sampled_from(
            [
                f"{{'A': {series}, 'B': {series}}}",
                f"{{'A': pd.DataFrame({{'high': {valid}, 'low': {valid}, 'close': {valid}}})}}",
                f"pd.DataFrame({{'A': {valid}, 'B': {valid}}})",
                f"{{'A': {{'close': {series}, 'volume': {series}}}}}",
                "{}",
                f"[{series}]",
            ]
        )
    )
    params = draw(kwargs(timeperiod=count(1, 50)))
    call = draw(
        st.sampled_from(
            [
                f"distributed.anneal_many({listings}, {client}, {draw(seed())}, {anneal_args})",
                f"[s.to_dict() for s in distributed.anneal_many({listings}, seed={draw(seed())}, {anneal_args})]",
                f"distributed.problem_seeds({draw(seed())}, {draw(count(0, 5))})",
                f"distributed.monte_carlo_var_many({mean}, {cov}, {weights}, {client}, {draw(seed())}, {mc_args})",
                f"distributed.tempering_many({listings}, {betas}, {client}, {draw(seed())}, {pt_args})",
                f"distributed.qaoa_grid({draw(psd(qubits))}, {angles}, {angles}, {client}, {qaoa_args})",
            ]
        )
    )
    if draw(st.integers(0, 4)) == 0:
        # NaN is the indicators' documented look-back; inf passes through from hostile bars
        call = f"distributed.indicators_many({name}, {symbols}, {client}, {params})"
        return Case(call, setup, allow_nan=True, allow_inf=True)
    return Case(call, setup)


@st.composite
def kelly(draw: st.DrawFn) -> Case:
    n = draw(st.integers(1, 4))
    call = draw(
        st.sampled_from(
            [
                f"risk.kelly_fraction({draw(real(0, 1))}, {draw(real(0.01, 10))})",
                f"risk.kelly_continuous({draw(real(-1, 1))}, {draw(real(0.01, 1))}, {draw(real(-0.1, 0.1))})",
                f"risk.kelly_portfolio({draw(vector(n, -0.1, 0.1))}, {draw(psd(n))}, "
                f"{draw(kwargs(r=real(-0.1, 0.1), fraction=real(0.1, 2)))})",
                f"rt(risk.kelly_portfolio({draw(vector(n, -0.1, 0.1))}, np.eye({n}) * 0.04)).to_dict()",
            ]
        )
    )
    return Case(call)


@st.composite
def candle(draw: st.DrawFn) -> Case:
    # low in [0, 1], open and close in [1, 2], high in [3, 4]: consistent unless a value is hostile
    low, high = draw(real(0, 1)), draw(real(3, 4))
    fields = f"{draw(real(1, 2))}, {high}, {low}, {draw(real(1, 2))}"
    call = draw(
        st.sampled_from(
            [
                f"signal.Candle({fields}, volume={draw(real(0, 1e6))})",
                f"rt(signal.Candle({fields})).to_dict()",
                f"signal.Candle({fields}).body",
            ]
        )
    )
    return Case(call)


# blackswan: data are heavy-tailed draws; hostile values come from the shared pools.
TAILS = "np.random.default_rng({}).standard_t(3, 2000)"


def tails() -> st.SearchStrategy[str]:
    return pick(st.integers(0, 1000).map(TAILS.format), [*vectors_hostile(2000), "np.ones(2000)", "[1.0] * 5"])


@st.composite
def blackswan_fits(draw: st.DrawFn) -> Case:
    threshold = pick(st.sampled_from(["None", "1.0", "2.5"]), [*REALS_HOSTILE, "100.0", "-1e308"])
    calls = [
        f"blackswan.fit_gpd({draw(tails())}, {kwargs_text(draw, threshold=threshold, method=option('mle'))})",
        f"blackswan.fit_gev(blackswan.block_maxima({draw(tails())}, {draw(count(1, 100))}))",
        f"blackswan.fit_gev({draw(vector(60, 0.0, 5.0))})",
        f"blackswan.block_maxima({draw(tails())}, {draw(count(1, 3000))})",
        f"blackswan.GPDFit.from_scipy({draw(real(-1, 1))}, {draw(real(-1, 1))}, {draw(real(0.1, 2))}, "
        f"{draw(count(1, 10))}, {draw(count(10, 100))})",
        f"blackswan.GEVFit.from_scipy({draw(real(-1, 1))}, {draw(real(-1, 1))}, {draw(real(0.1, 2))})",
    ]
    return Case(draw(st.sampled_from(calls)))


def kwargs_text(draw: st.DrawFn, **params: st.SearchStrategy[str]) -> str:
    return draw(kwargs(**params))


@st.composite
def blackswan_diagnostics(draw: st.DrawFn) -> Case:
    grid = pick(st.just("[0.5, 1.0, 1.5]"), [*vectors_hostile(3), "[100.0]", "[]"])
    alpha = real(0.01, 0.5)
    calls = [
        f"blackswan.hill({draw(tails())}, {draw(pick(st.sampled_from(['None', '10', '100']), COUNTS_HOSTILE))})",
        f"blackswan.hill_plot({draw(tails())}, {draw(pick(st.just('[2, 10, 50]'), indices_hostile(3)))})",
        f"blackswan.mean_residual_life({draw(tails())}, {draw(grid)}, alpha={draw(alpha)})",
    ]
    if draw(st.booleans()):
        return Case(draw(st.sampled_from(calls)))
    call = f"blackswan.parameter_stability({draw(tails())}, {draw(grid)}, alpha={draw(alpha)})"
    return Case(call, allow_nan=True)  # NaN bounds where xi <= -0.5 (documented)


@st.composite
def blackswan_levels(draw: st.DrawFn) -> Case:
    setup = (
        f"g = blackswan.fit_gpd({TAILS.format(draw(st.integers(0, 100)))}); "
        "e = blackswan.fit_gev(blackswan.block_maxima(np.random.default_rng(1).gumbel(size=2000), 40))"
    )
    fit = draw(st.sampled_from(["g", "e", "rt(g)", "rt(e)", "None", "'g'"]))
    period = pick(st.sampled_from(["1000.0", "[100.0, 5000.0]", "50"]), [*REALS_HOSTILE, "[1.0]", "np.zeros(3)"])
    options = kwargs_text(
        draw,
        ci=pick(st.sampled_from(["None", "'delta'", "'profile'", "'bootstrap'"]), STRINGS_HOSTILE),
        alpha=real(0.01, 0.5),
        seed=seed(),
        num_bootstrap=pick(ints(10, 60), COUNTS_HOSTILE),
        bootstrap=option("parametric", "nonparametric"),
    )
    calls = [
        f"blackswan.return_level({fit}, {draw(period)}, {options})",
        f"blackswan.evt_var(g, {draw(real(0.0001, 0.04))}, {draw(pick(st.just('None'), COUNTS_HOSTILE))})",
        f"blackswan.evt_es(g, {draw(real(0.0001, 0.04))})",
    ]
    # a profile side on which the likelihood never falls to the cutoff is documented as +-inf
    return Case(draw(st.sampled_from(calls)), setup, allow_inf=True)


@st.composite
def blackswan_detector(draw: st.DrawFn) -> Case:
    options = kwargs_text(
        draw,
        return_period=real(2, 10**4),
        threshold=pick(st.just("None"), REALS_HOSTILE),
        threshold_quantile=real(0.5, 0.99),
        refit_every=pick(st.sampled_from(["None", "5"]), COUNTS_HOSTILE),
    )
    setup = f"d = blackswan.BlackSwanDetector({options}).fit({TAILS.format(draw(st.integers(0, 100)))})"
    update = draw(pick(st.sampled_from(["3.0", "[0.1, 50.0]", "np.arange(20.0)"]), REALS_HOSTILE + vectors_hostile(3)))
    call = draw(st.sampled_from([f"d.update({update})", f"rt(d).update({update})", "d.level", "d.flags", "repr(d)"]))
    return Case(call, setup, "d.update(1.0); d.to_dict()")


# --- risk: market regimes (RegimeModel, detect_regime, MarketRegime) -------------------------

LENGTHS_HOSTILE = ["[0]", "[-1]", "[2**63]", "[1.5]", "'a'", "[[1]]", "[]", "True", "[10**9]", "[2**200]"]


@st.composite
def regime_model(draw: st.DrawFn) -> Case:
    k = draw(st.integers(1, 4))
    d = draw(st.integers(1, 2))
    rows = draw(st.integers(4, 60))
    args = draw(
        kwargs(
            num_regimes=count(k, k),
            covariance_type=option("diag", "full"),
            n_iter=pick(ints(0, 20), COUNTS_HOSTILE + COUNTS_LONG),
            tol=real(0, 1),
            seed=seed(),
            init=option("kmeans", "volatility"),
            min_covar=pick(st.sampled_from(["None", "1e-3", "1e-6"]), REALS_HOSTILE),
            covars_prior=pick(st.sampled_from(["None", "1e-2", "0.0"]), REALS_HOSTILE),
            covars_weight=real(0, 3),
            means_prior=real(-1, 1),
            means_weight=real(0, 2),
            startprob_prior=real(0.5, 3),
            transmat_prior=real(0.5, 3),
            startprob_init=pick(st.just(f"np.full({k}, 1 / {k})"), vectors_hostile(k)),
            transmat_init=pick(st.just(f"np.full(({k}, {k}), 1 / {k})"), matrices_hostile(k)),
            means_init=pick(st.just(f"np.linspace(-1, 1, {k * d}).reshape({k}, {d})"), data_hostile(k, d)),
            covars_init=pick(st.just(f"np.ones(({k}, {d}))"), data_hostile(k, d)),
        )
    )
    X = draw(data(rows, d, -1, 1))
    half = rows // 2
    lengths = draw(pick(st.sampled_from(["None", f"[{half}, {rows - half}]", f"[{rows}]"]), LENGTHS_HOSTILE))
    obj = draw(maybe_rt(f"risk.RegimeModel({args})"))
    call = draw(
        st.sampled_from(
            [
                f"{obj}.fit({X})",
                f"{obj}.fit({X}, {lengths})",
                f"{obj}.fit({X}).predict({X}, {lengths})",
                f"{obj}.fit({X}).predict_proba({X})",
                f"{obj}.fit({X}).score({X}, {lengths})",
                f"{obj}.fit({X}).decode({X})",
                f"{obj}.fit({X}).regimes({X})",
                f"{obj}.fit({X}).sample({draw(count(1, 50))}, {draw(seed())})",
                f"rt({obj}.fit({X})).score_samples({X})",
                f"risk.detect_regime({X}, {draw(count(2, 3))}, {draw(seed())})",
                f"risk.MarketRegime({draw(option('normal', 'Volatile', 'CRISIS'))})",
            ]
        )
    )
    return Case(call)


@st.composite
def regime_methods(draw: st.DrawFn) -> Case:
    """Methods of a fitted model (shared by threads in the threads mode)."""
    kind = draw(st.sampled_from(["diag", "full"]))
    setup = (
        f"m = risk.RegimeModel(3, covariance_type={kind!r}, n_iter=5, seed=0)"
        ".fit(np.random.default_rng(0).normal(size=(80, 2)))"
    )
    rows = draw(st.integers(1, 40))
    X = draw(data(rows, 2, -1, 1))
    obj = draw(maybe_rt("m"))
    call = draw(
        st.sampled_from(
            [
                f"{obj}.predict({X})",
                f"{obj}.predict_proba({X})",
                f"{obj}.score({X})",
                f"{obj}.decode({X}, {draw(pick(st.just(f'[{rows}]'), LENGTHS_HOSTILE))})",
                f"{obj}.regimes({X})",
                f"{obj}.score_samples({X})",
                f"{obj}.sample({draw(pick(ints(1, 100), COUNTS_HOSTILE + COUNTS_LONG))}, {draw(seed())})",
                f"{obj}.covars_",
                f"{obj}.variances_",
            ]
        )
    )
    return Case(call, setup, check="m.score(np.zeros((3, 2)))")


# --- risk: antifragility (AntifragileAnalyzer, measure_convexity) --------------------------------


@st.composite
def antifragile(draw: st.DrawFn) -> Case:
    args = draw(
        kwargs(
            safe_fraction=real(0, 1),
            tail=real(0.01, 0.5),
            score_weights=pick(
                st.just("(1.0, 2.0, 0.5)"),
                ["(1,)", "(np.nan, 1, 1)", "(-1, 1, 1)", "'abc'", "None", "(10**400, 1, 1)", "(0, 0, 0)", "(1j, 1, 1)"],
            ),
        )
    )
    maker = draw(
        st.sampled_from(
            [
                f"risk.AntifragileAnalyzer({args})",
                "risk.AntifragileAnalyzer.conservative()",
                "risk.AntifragileAnalyzer.moderate()",
                "risk.AntifragileAnalyzer.aggressive()",
            ]
        )
    )
    setup = f"a = {maker}"
    n = draw(st.integers(1, 40))
    returns = draw(vector(n, -0.05, 0.05))
    market = draw(pick(st.sampled_from(["None", f"np.random.default_rng(7).normal(0, 0.01, {n})"]), vectors_hostile(n)))
    prices = draw(vector(n, 50, 150))
    symbol = draw(pick(st.just("'ABC'"), STRINGS_HOSTILE))
    obj = draw(maybe_rt("a"))
    call = draw(
        st.sampled_from(
            [
                f"{obj}.calculate_barbell_allocation({draw(real(0, 1e9))})",
                f"{obj}.score_opportunity({symbol}, {prices}, {draw(real(0, 1))}, {draw(real(0, 1))})",
                f"{obj}.measure_convexity({returns}, {market})",
                f"risk.measure_convexity({returns}, {market}, tail={draw(real(0.01, 0.5))})",
                f"({obj}.safe_fraction, {obj}.speculative_fraction, repr({obj}))",
            ]
        )
    )
    return Case(call, setup, check="a.calculate_barbell_allocation(1.0)")


# cas (issue 11): power-law fits, the sandpile, the SOC engine.
CAS = "from quantumpanarchy import cas"


def heavy_tail(n: int) -> st.SearchStrategy[str]:
    pareto = st.integers(0, 1000).map(lambda s: f"(1.0 - np.random.default_rng({s}).random({n})) ** -0.7")
    # Integer tails for discrete fits: a floored Pareto, a geometric, one value repeated but for a few.
    counts = st.sampled_from(
        [
            f"np.floor((1.0 - np.random.default_rng(3).random({n})) ** -0.7)",
            f"np.random.default_rng(4).geometric(0.2, {n}).astype(float)",
            f"np.r_[np.ones({n}), 2.0, 3.0, 7.0, 50.0]",
        ]
    )
    return pick(st.one_of(pareto, counts), [*vectors_hostile(n), f"np.arange({n}) % 3", "[1.0, 2.0, 3.0]"])


@st.composite
def cas_powerlaw(draw: st.DrawFn) -> Case:
    kw = kwargs_text(
        draw,
        discrete=flag(),
        xmin=pick(st.sampled_from(["None", "1.5", "3.0"]), [*REALS_HOSTILE, "1e9"]),
        xmax=pick(st.sampled_from(["None", "50.0", "1e6"]), [*REALS_HOSTILE, "0.5"]),
    )
    fit = f"cas.PowerLawFit({draw(heavy_tail(400))}, {kw})"
    dist = pick(
        st.sampled_from(
            ["'power_law'", "'exponential'", "'lognormal'", "'truncated_power_law'", "'stretched_exponential'"]
        ),
        ["'gamma'", "None", "3", "''"],
    )
    calls = [
        fit,
        f"{fit}.distribution_compare({draw(dist)}, {draw(dist)}, normalized_ratio={draw(flag())})",
        f"{fit}.fitted_parameters({draw(dist)})",
        f"{fit}.goodness_of_fit(num_sims={draw(count(1, 20))}, seed={draw(seed())})",
        f"(lambda f: (f.to_dict(), repr(f), rt(f).alpha))({fit})",
        f"cas.hurwitz_zeta({draw(real(0.5, 50))}, {draw(real(0.0, 1e6))})",
    ]
    return Case(draw(st.sampled_from(calls)), CAS)


@st.composite
def cas_sandpile(draw: st.DrawFn) -> Case:
    side = pick(ints(1, 64), ["0", "-3", "2**40", "1.5", "'8'", "None", "True"])
    setup = f"{CAS}; p = cas.Sandpile({draw(side)}, seed={draw(seed())})"
    calls = [f"p.drive({draw(pick(ints(0, 3000), COUNTS_HOSTILE))}).to_dict()", "(p.grid, repr(p), rt(p).grains)"]
    return Case(draw(st.sampled_from(calls)), setup, check="p.drive(2)")


@st.composite
def cas_soc(draw: st.DrawFn) -> Case:
    kw = kwargs_text(draw, avalanche_threshold=real(0.0, 0.1), max_history=count(2, 500))
    setup = f"{CAS}; e = cas.SOCEngine({kw})"
    calls = [
        f"e.update_batch({draw(vector(300, -0.2, 0.2))})",
        f"e.update({draw(real(-1, 1))})",
        f"(e.update_batch({draw(vector(300, -0.2, 0.2))}), e.get_criticality_index(), "
        f"e.predict_transition_probability(), e.get_avalanches({draw(count(0, 20))}), rt(e))",
    ]
    return Case(draw(st.sampled_from(calls)), setup, allow_nan=True)


# signal indicators (issue 11): TA-Lib's indicators and their streams on short, hostile series.
SIGNAL_ONE_INPUT = ["SMA", "EMA", "WMA", "DEMA", "TEMA", "TRIMA", "KAMA", "T3", "RSI", "CMO", "MOM", "ROC"]
SIGNAL_ONE_INPUT += ["STDDEV", "VAR", "MIDPOINT", "LINEARREG", "TSF", "STOCHRSI", "BBANDS"]


@st.composite
def signal_indicators(draw: st.DrawFn) -> Case:
    n = draw(st.integers(0, 60))
    name = draw(st.sampled_from(SIGNAL_ONE_INPUT))
    period = draw(ints(-1, 70))
    if draw(st.booleans()):
        # a stream fed bar by bar (hostile values: the bar, the period)
        x = draw(vector(n, 1.0, 100.0))
        bar, bad = draw(flagged(st.just("float(v)"), ["float('nan')", "float('inf')", "None", "'1.0'", "10**400"]))
        call = f"[h.update({bar}) for h in [qs.stream.{name}(timeperiod={period})] for v in {x}]"
    else:
        x, bad = draw(flagged(vector(n, 1.0, 100.0), vectors_hostile(n)))
        call = f"qs.{name}({x}, timeperiod={period})"
    # NaN is the documented look-back (and what TA-Lib gives for NaN input)
    return Case(call, setup="from quantumpanarchy import signal as qs", allow_nan=True, allow_inf=bad)


# --- signal: candlestick patterns and candle settings --------------------------------------------

CANDLE_SETUP = "import quantumpanarchy.signal as qsig"
CANDLE_NAMES = [
    "CDLDOJI",
    "CDLENGULFING",
    "CDLHAMMER",
    "CDLMORNINGSTAR",
    "CDLHIKKAKEMOD",
    "CDLMATHOLD",
    "CDL3WHITESOLDIERS",
]


@st.composite
def candle_inputs(draw: st.DrawFn) -> tuple[str, bool]:
    """Four OHLC arguments as source (valid bars in several forms, or a hostile one among them)."""
    n = draw(st.integers(1, 60))
    rng = f"np.random.default_rng({draw(st.integers(0, 1000))})"
    bars = f"(c, c + r.random({n}), c - r.random({n}), c + r.normal(0, 0.5, {n}))"
    base = f"(lambda r: (lambda c: {bars})(100 + r.normal(0, 1, {n}).cumsum()))({rng})"
    form = draw(st.sampled_from(["arrays", "f32", "lists", "series", "2d"]))
    valid = {
        "arrays": f"*{base}",
        "f32": f"*(x.astype(np.float32) for x in {base})",
        "lists": f"*(x.tolist() for x in {base})",
        "series": f"*(pd.Series(x) for x in {base})",
        "2d": f"*(np.column_stack([x, x[::-1]]) for x in {base})",
    }[form]
    hostile = [f"{v}, {v}, {v}, {v}" for v in (*vectors_hostile(n), "np.full(30, np.nan)", "np.zeros(30)")]
    hostile.append(f"*{base}[:3], np.zeros({n + 1})")
    source, bad = draw(flagged(st.just(valid), hostile))
    return source, bad


@st.composite
def candle_patterns(draw: st.DrawFn) -> Case:
    args, _ = draw(candle_inputs())
    name = draw(st.sampled_from(CANDLE_NAMES))
    extra = ""
    if name in ("CDLMORNINGSTAR", "CDLMATHOLD") and draw(st.booleans()):
        extra = f", penetration={draw(pick(real(0.0, 1.0), REALS_HOSTILE))}"
    if draw(st.booleans()):
        period = draw(pick(ints(0, 20), COUNTS_HOSTILE))
        extra += f", settings={{'BodyLong': ('HighLow', {period}, {draw(pick(real(0.1, 2.0), REALS_HOSTILE))})}}"
    return Case(f"qsig.{name}({args}{extra})", CANDLE_SETUP)


@st.composite
def candle_table(draw: st.DrawFn) -> Case:
    args, _ = draw(candle_inputs())
    pen = draw(st.sampled_from(["", f", penetration={draw(pick(real(0.0, 1.0), REALS_HOSTILE))}"]))
    return Case(f"qsig.candlesticks({args}{pen})", CANDLE_SETUP)


@st.composite
def candle_settings(draw: st.DrawFn) -> Case:
    setting = draw(
        pick(
            st.sampled_from(["'BodyLong'", "'Near'", "0", "10", "qsig.CandleSetting.Equal"]),
            [*STRINGS_HOSTILE, *COUNTS_HOSTILE],
        )
    )
    rt = draw(
        pick(st.sampled_from(["'HighLow'", "0", "2", "qsig.RangeType.Shadows"]), [*STRINGS_HOSTILE, *COUNTS_HOSTILE])
    )
    period = draw(pick(ints(0, 30), COUNTS_HOSTILE))
    factor = draw(pick(real(0.0, 3.0), REALS_HOSTILE))
    call = draw(
        st.sampled_from(
            [
                f"qsig.set_candle_settings({setting}, {rt}, {period}, {factor}); "
                "qsig.restore_candle_default_settings()",
                f"qsig.CandleSettings({{{setting}: ({rt}, {period}, {factor})}})",
                f"qsig.restore_candle_default_settings({setting})",
            ]
        )
    )
    return Case(call, CANDLE_SETUP, check="qsig.get_candle_settings()")


# signal chart patterns and Fibonacci levels (issue 11): bars are a random walk's OHLC.
OHLC_BARS = (
    "(lambda c: np.column_stack([c, c * 1.01, c * 0.99, c]))"
    "(100 * np.exp(np.cumsum(np.random.default_rng({}).normal(0, 0.02, {}))))"
)


def ohlc_bars() -> st.SearchStrategy[str]:
    valid = st.tuples(st.integers(0, 1000), st.integers(1, 3000)).map(lambda a: OHLC_BARS.format(*a))
    hostile = [*data_hostile(50, 4), "np.full((50, 4), -1.0)", "np.broadcast_to(1.0, (10**8, 4))", "[]"]
    return pick(valid, hostile)


@st.composite
def chart_patterns(draw: st.DrawFn) -> Case:
    args = draw(
        kwargs(
            min_confidence=real(0, 1),
            min_duration=count(1, 50),
            tolerance=real(0.001, 0.2),
            threshold=real(0.005, 0.3),
        )
    )
    bars = draw(ohlc_bars())
    types = draw(pick(st.just("['double_top', 'head_and_shoulders']"), ["['nope']", "[1]", "'\\ud800'", "[]", "None"]))
    call = draw(
        st.sampled_from(
            [
                f"[p.to_dict() for p in rt(qs.PatternDetector({args})).detect_all({bars})]",
                f"qs.PatternDetector({args}).detect({bars}, types={types})",
                f"qs.PatternDetector({args}).pivots({bars}).to_dict()",
                f"qs.zigzag({bars}, threshold={draw(real(0.001, 0.5))})",
            ]
        )
    )
    return Case(call, setup="import quantumpanarchy.signal as qs")


@st.composite
def fibonacci_levels(draw: st.DrawFn) -> Case:
    args = draw(kwargs(swing_window=count(1, 40), min_swing_size=real(0.0001, 0.5)))
    n = draw(st.integers(1, 3000))
    prices = draw(
        pick(st.just(f"100 * np.exp(np.cumsum(np.random.default_rng({n}).normal(0, 0.02, {n})))"), vectors_hostile(n))
    )
    current = draw(pick(st.just("None"), ["np.nan", "10**400", "'abc'", "1e308"]))
    call = f"rt(qs.FibonacciAnalyzer({args})).analyze({prices}, current_price={current}).to_dict()"
    return Case(call, setup="import quantumpanarchy.signal as qs")


# infrastructure (issue 12): the decision cache, the circuit breaker and the hardware manager.
INFRA = "import time; from quantumpanarchy import infrastructure as infra"
CACHE_KEYS = ["'a'", "1", "(1, 'x')", "2.5", "-1", "None", "infra.CachePriority.Low"]
CACHE_KEYS_HOSTILE = ["[1]", "{}", "set()", "(1, [2])", "float('nan')", "'\\ud800'", "10**400", "b'a'", "np.zeros(3)"]
TIMERS_HOSTILE = ["3", "'x'", "lambda: float('nan')", "lambda: 'x'", "lambda: 10**400", "lambda: None"]


@st.composite
def decision_cache(draw: st.DrawFn) -> Case:
    # keys (NaN among them) come back as reprs: the harness would take a NaN key for a NaN result
    timer, odd_timer = draw(flagged(st.sampled_from(["None", "time.monotonic"]), TIMERS_HOSTILE))
    kw = kwargs_text(draw, ttl=pick(st.sampled_from(["None", "0.5", "60.0"]), REALS_HOSTILE))
    setup = f"{INFRA}; c = infra.DecisionCache({draw(count(1, 40))}, {kw}{', ' if kw else ''}timer={timer})"
    key = draw(pick(st.sampled_from(CACHE_KEYS), CACHE_KEYS_HOSTILE))
    priority = pick(
        st.sampled_from(["infra.CachePriority.Low", "infra.CachePriority.Critical", "1", "np.int64(3)"]),
        [*COUNTS_HOSTILE, "'High'", "4", "-1"],
    )
    ttl = pick(st.sampled_from(["None", "0.5", "100.0"]), REALS_HOSTILE)
    calls = [
        f"c.insert({key}, 1, {draw(priority)}, ttl={draw(ttl)})",
        f"(c.__setitem__({key}, 2), c.get({key}), {key} in c, len(c), c.stats().to_dict())",
        f"(c.setdefault({key}, 3), c.pop({key}, None), repr(c.items()), repr(c.expire()), c.currsize)",
        f"([c.insert(i, i, {draw(priority)}) for i in range(100)], c.popitem() if len(c) else None, repr(c))",
        f"(c.update({{{key}: 1}}, b=2), repr(list(c)), c.values(), c.clear())",
        f"infra.cached(c, ttl={draw(ttl)})(abs)({key} if isinstance({key}, (int, float)) else -1)",
        f"c.expire(time={draw(real(0.0, 1e6))})",
    ]
    if not odd_timer:
        calls.append(f"(c.__setitem__({key}, [1]), repr(rt(c).items()), rt(c).stats())")
    return Case(draw(st.sampled_from(calls)), setup, check="(c.get('a'), len(c))")


@st.composite
def circuit_breaker(draw: st.DrawFn) -> Case:
    clock, odd_clock = draw(flagged(st.sampled_from(["None", "time.monotonic"]), TIMERS_HOSTILE))
    kw = kwargs_text(
        draw,
        failure_threshold=count(1, 5),
        timeout_ms=real(0.0, 1e5),
        success_threshold=count(1, 3),
        name=pick(st.sampled_from(["'svc'", "None"]), STRINGS_HOSTILE),
        exclude=pick(st.sampled_from(["()", "[KeyError]", "[callable]"]), ["3", "[3]", "'x'", "[None]", "[int]"]),
        throw_new_error_on_trip=flag(),
    )
    setup = f"{INFRA}; b = infra.CircuitBreaker({kw}{', ' if kw else ''}clock={clock})"
    # a call that fails with one of the project's errors (counted as a failure)
    failing = "infra.DecisionCache, 0"
    calls = [
        "b.call(abs, -3)",
        f"b.execute({failing})",
        "(b.open(), b.current_state, b.half_open(), b.call(max, 1, 2), b.close(), b.fail_counter)",
        "run_async(b.call_async(asyncio.sleep, 0))",
        f"(b(abs)(-2), repr(b), b.success_counter, b.excluded_exceptions, b.call({failing}))",
        f"b.timeout_ms = {draw(real(0.0, 1e5))}",
        f"b.fail_max = {draw(count(1, 5))}",
        f"b.reset_timeout = {draw(real(0.0, 100.0))}",
        "(b.open(), b.call(abs, 1))",
    ]
    if not odd_clock:
        calls.append(f"(b.open(), rt(b).current_state, rt(b)(abs)(-1), b.call({failing}))")
    return Case(draw(st.sampled_from(calls)), setup, check="b.current_state")


DEVICES = (
    "[infra.Device('cpu', 0, 'host', 64.0, 8), infra.Device('cuda', 0, 'gpu', 16.0, 40, compute_capability=(8, 0)),"
    " infra.Device('cuda', 1, 'gpu', 40.0, 108)]"
)
DEVICES_HOSTILE = [
    "[]",
    "3",
    "'cpu'",
    "[None]",
    "['cpu']",
    "infra.Device('cpu', 0, 'x', 1.0, 1)",
    "[infra.Device('cpu', 0, 'x', None, 1)]",
    "[infra.Device('cpu', 0, 'x', 1e308, 1)] * 1000",
    "iter([infra.Device('cuda', 2**63, '\\ud800', 1.0, 1)])",
    "[infra.Device('tpu', 0, 'x', 1.0, 1)]",
    "[infra.Device('cpu', -1, 'x', 1.0, 1)]",
    "[infra.Device('cpu', 0, 'x', float('nan'), 1)]",
    "[infra.Device('cpu', True, 'x', 1.0, 1)]",
    "[infra.Device('cpu', 0, 'x', 1.0, 1, simd='avx')]",
    "[infra.Device('cpu', 0, 'x', 1.0, 1, compute_capability=(1,))]",
    "[infra.Device('cpu', 0, 'x', 1.0, 1, mig='no')]",
    "[infra.Device('cpu', 0, 'x', 10**400, 1)]",
]
ALIEN = "infra.Device('cuda', 9, 'elsewhere', 1.0, 1)"
STRATEGIES = ["None", "infra.LoadBalancingStrategy.RoundRobin", "'least_loaded'", "'MemoryAware'"]
STRATEGIES_HOSTILE = ["'random'", "''", "'\\ud800'", "1", "True", "b'round_robin'", "infra.CachePriority.Low"]


@st.composite
def hardware_manager(draw: st.DrawFn) -> Case:
    devices = draw(pick(st.sampled_from(["None", DEVICES]), DEVICES_HOSTILE))
    strategy = draw(pick(st.sampled_from(STRATEGIES), STRATEGIES_HOSTILE))
    setup = f"{INFRA}; m = infra.HardwareManager({devices}, strategy={strategy})"
    memory = pick(st.sampled_from(["None", "0.0", "1.5", "20.0", "1e300"]), REALS_HOSTILE)
    kind = pick(st.sampled_from(["None", "'cpu'", "'cuda'"]), STRINGS_HOSTILE)
    calls = [
        f"m.select_device({draw(memory)}, {draw(kind)}).to_dict()",
        f"(lambda d: (m.release(d, {draw(memory)}), m.loads()))(m.select_device({draw(memory)}))",
        f"m.set_load_balancing_strategy({draw(pick(st.sampled_from(STRATEGIES[1:]), STRATEGIES_HOSTILE))})",
        f"m.release(m.get_available_devices()[-1], {draw(memory)})",
        f"m.release({draw(st.sampled_from(['None', '1', repr('cpu:0'), ALIEN]))})",
        "([m.select_device() for _ in range(50)], m.loads(), m.free_memory_gb(), repr(m), str(m.strategy))",
        "(m.unavailable(), [d.to_dict() for d in m.get_available_devices()])",
        f"(m.select_device({draw(memory)}), rt(m).loads(), repr(rt(m)), rt(m.get_available_devices()[0]))",
    ]
    return Case(draw(st.sampled_from(calls)), setup, check="(m.loads(), m.select_device().id)")


ENTRY_POINTS: dict[str, CaseStrategy] = {
    "PBit": pbit,
    "Temperature": temperature,
    "PBitNetwork constructors": network_constructors,
    "PBitNetwork methods": network_methods,
    "IsingEnergy": ising_energy,
    "BoltzmannSampler": boltzmann,
    "ParallelTempering": tempering,
    "SampleSet": sample_set,
    "performance": performance_calls,
    "Annealing": annealing,
    "QAOA": qaoa,
    "QAR": qar,
    "IQAD": iqad,
    "QERC": qerc,
    "NQO": nqo,
    "risk statistics": risk_statistics,
    "risk benchmark statistics": risk_benchmark_statistics,
    "risk paths": risk_paths,
    "risk VaR": risk_var,
    "risk rolling VaR": risk_rolling,
    "risk backtests": risk_backtests,
    "risk.monte_carlo_var": monte_carlo,
    "risk.kelly": kelly,
    "distributed (local path)": distributed_calls,
    "blackswan fits": blackswan_fits,
    "blackswan diagnostics": blackswan_diagnostics,
    "blackswan return levels": blackswan_levels,
    "BlackSwanDetector": blackswan_detector,
    "RegimeModel": regime_model,
    "RegimeModel methods": regime_methods,
    "AntifragileAnalyzer": antifragile,
    "Candle": candle,
    "cas.PowerLawFit": cas_powerlaw,
    "cas.Sandpile": cas_sandpile,
    "cas.SOCEngine": cas_soc,
    "signal indicators": signal_indicators,
    "signal candlestick patterns": candle_patterns,
    "signal.candlesticks": candle_table,
    "signal candle settings": candle_settings,
    "signal chart patterns": chart_patterns,
    "signal FibonacciAnalyzer": fibonacci_levels,
    "infrastructure.DecisionCache": decision_cache,
    "infrastructure.CircuitBreaker": circuit_breaker,
    "infrastructure.HardwareManager": hardware_manager,
}


def cases() -> st.SearchStrategy[Case]:
    """A case for any entry point."""
    return st.one_of([strategy() for strategy in ENTRY_POINTS.values()])


def method_cases() -> st.SearchStrategy[Case]:
    """Cases that call a method of an object built in ``setup`` (for the threads mode)."""
    shared = ["PBit", "PBitNetwork methods", "BoltzmannSampler", "ParallelTempering", "QAOA", "QAR", "IQAD"]
    shared += [
        "RegimeModel methods",
        "AntifragileAnalyzer",
        "infrastructure.DecisionCache",
        "infrastructure.CircuitBreaker",
        "infrastructure.HardwareManager",
    ]
    return st.one_of([ENTRY_POINTS[name]() for name in shared])


# --------------------------------------------------------------------------------------------
# The findings of issue 9, always run (each must end in the outcome listed).

MEMORY = ("raised ResourceLimitError", "raised InvalidInputError")
INVALID = ("raised InvalidInputError", "raised InvalidTypeError")
STOPPED = ("interrupted", "returned")
BIG = "np.broadcast_to(0.0, (10**5, 10**5))"
SPINS = "np.ones(10**5, dtype=np.int8)"
X = "np.random.default_rng(0).normal(size=(40, 3))"
FIT = "np.random.default_rng(0).normal(size=(200, 2)), np.random.default_rng(1).normal(size=200)"


def _case(name: str, call: str, expect: tuple[str, ...], **more: Any) -> Case:
    return Case(call, name=name, expect=expect, **more)


REGRESSIONS = [
    # memory: aborts instead of ResourceLimitError
    _case(
        "from_dense 20000^2 under a limit", "core.PBitNetwork.from_dense(np.zeros((20000, 20000)))", MEMORY, mem_gib=5.0
    ),
    _case("from_dense 10^10 view", f"core.PBitNetwork.from_dense({BIG})", MEMORY),
    _case("from_qubo 10^10 view", f"core.PBitNetwork.from_qubo({BIG})", MEMORY),
    _case("IsingEnergy.energy 10^10 view", f"core.IsingEnergy.energy({BIG}, None, {SPINS})", MEMORY),
    _case("IsingEnergy.local_fields 10^10 view", f"core.IsingEnergy.local_fields({BIG}, None, {SPINS})", MEMORY),
    _case("IsingEnergy.delta_energy 10^10 view", f"core.IsingEnergy.delta_energy({BIG}, None, {SPINS}, 0)", MEMORY),
    _case("IsingEnergy.qubo_to_ising 10^10 view", f"core.IsingEnergy.qubo_to_ising({BIG})", MEMORY),
    _case("IsingEnergy.ising_to_qubo 10^10 view", f"core.IsingEnergy.ising_to_qubo({BIG})", MEMORY),
    _case("Annealing.sample_qubo 10^10 view", f"decision.Annealing().sample_qubo({BIG})", MEMORY),
    _case("QAOA.expectation 10^10 view", f"decision.QAOA(3).expectation({BIG}, [0.1], [0.2])", MEMORY),
    _case("QAOA.probabilities 10^10 view", f"decision.QAOA(3).probabilities({BIG}, [0.1], [0.2])", MEMORY),
    _case("QAOA.sample_qubo 10^10 view", f"decision.QAOA(3).sample_qubo({BIG})", MEMORY),
    _case("PBitNetwork(10^5).to_dense", "core.PBitNetwork(10**5).to_dense()", MEMORY),
    _case("NQO num_chains=2**31", "decision.NQO(maxfun=40, num_chains=2**31).minimize(sphere, [(-1, 1)] * 2)", MEMORY),
    _case("10^9 view for h", "core.PBitNetwork.from_dense(sym(3), np.broadcast_to(0.0, (10**9,)))", MEMORY),
    _case(
        "10^9 view for values",
        "core.PBitNetwork.from_sparse(np.array([0]), np.array([1]), np.broadcast_to(1.0, (10**9,)))",
        MEMORY,
    ),
    _case("10^9 view for betas", "core.Temperature.from_betas(np.broadcast_to(1.0, (10**9,)))", MEMORY),
    _case(
        "10^9 view for tempering betas",
        "core.ParallelTempering(core.PBitNetwork(3), np.broadcast_to(1.0, (10**9,)))",
        MEMORY,
    ),
    _case(
        "10^9 view for a beta schedule",
        "core.PBitNetwork(3).anneal(beta_schedule_type='custom', beta_schedule=np.broadcast_to(1.0, (10**9,)))",
        MEMORY,
    ),
    _case("IQAD n_epochs=2**31", f"decision.IQAD(n_epochs=2**31).fit({X})", (*MEMORY, "interrupted"), interrupt_at=3.0),
    _case(
        "QERC.fit on a (60, 10^7) view", "decision.QERC().fit(np.broadcast_to(0.5, (60, 10**7)), np.zeros(60))", MEMORY
    ),
    _case(
        "QAOA 10^8 gamma rows, one beta row",
        "decision.QAOA(3, 2).expectation(sym(3), np.broadcast_to(0.1, (10**8, 2)), [[0.2, 0.3]])",
        MEMORY,
    ),
    _case(
        "QAOA restarts=10^8",
        "decision.QAOA(4, 1, restarts=10**8).optimize(np.full(4, 0.1), np.eye(4) * 0.01)",
        (*MEMORY, "interrupted"),
        interrupt_at=3.0,
    ),
    _case(
        "10^9 index arrays",
        "core.PBitNetwork.from_sparse(np.broadcast_to(np.int32(0), (10**9,)), "
        "np.broadcast_to(np.int32(1), (10**9,)), np.broadcast_to(1.0, (10**9,)))",
        MEMORY,
    ),
    _case(
        "10^9 int64 index arrays",
        "core.PBitNetwork.from_sparse(np.broadcast_to(0, (10**9,)), np.broadcast_to(1, (10**9,)), "
        "np.broadcast_to(1.0, (10**9,)))",
        MEMORY,
    ),
    # counts out of range: InvalidInputError, not InternalError("capacity overflow")
    _case("IQAD n_epochs=2**63", f"decision.IQAD(n_epochs=2**63).fit({X})", INVALID),
    _case("NQO num_chains=2**63", "decision.NQO(num_chains=2**63).minimize(sphere, [(-1, 1)] * 2)", INVALID),
    _case("QAOA num_layers=2**63", "decision.QAOA(3, num_layers=2**63)", INVALID),
    _case("QAOA restarts=True", "decision.QAOA(3, restarts=True)", INVALID),
    _case("QAOA maxiter=2**63", "decision.QAOA(3, maxiter=2**63)", INVALID),
    # Ctrl-C: KeyboardInterrupt promptly, never a PanicException
    _case(
        "Ctrl-C while 10**9 int8 spins convert",
        "core.IsingEnergy.energy(sym(1, 2), None, np.broadcast_to(np.int8(1), (10**9, 1)))",
        ("interrupted", "returned", "raised ResourceLimitError"),
        interrupt_at=0.3,
    ),
    _case(
        "Ctrl-C in QERC(n_reservoir=2000).fit",
        f"decision.QERC(n_reservoir=2000).fit({FIT})",
        STOPPED,
        interrupt_at=0.3,
    ),
    _case(
        "Ctrl-C in IQAD(cd_steps=2**31).fit",
        f"m.fit({X})",
        STOPPED,
        interrupt_at=0.3,
        setup="m = decision.IQAD(cd_steps=2**31)",
        check=f"m.set_params(cd_steps=1).fit({X})",
    ),
    _case(
        "Ctrl-C in QERC spectral radius (3000 units)",
        f"decision.QERC(n_reservoir=3000).fit({FIT})",
        STOPPED,
        interrupt_at=0.3,
    ),
    _case(
        "Ctrl-C in batched QAOA expectations",
        "q.expectation(sym(16), np.full((2000, 4), 0.3), np.full((2000, 4), 0.2))",
        STOPPED,
        setup="q = decision.QAOA(16, 4)",
        check="q.expectation(sym(3), [0.1], [0.2])",
        interrupt_at=0.3,
    ),
    _case(
        "Ctrl-C in a large NQO run",
        "decision.NQO(maxfun=10**6, num_chains=512, num_sweeps=10000, bits=16, seed=0)"
        ".minimize(sphere, [(-1, 1)] * 50)",
        STOPPED,
        interrupt_at=0.3,
    ),
    # silent nonsense
    _case("QAR beta=1e308", "decision.QAR(beta=1e308).decide([0.5] * 8)", ("returned", *INVALID)),
    _case(
        "IQAD learning_rate=10: -inf scores",
        f"decision.IQAD(learning_rate=10.0, seed=0).fit({X}).score_samples({X})",
        INVALID,
    ),
    _case(
        "IQAD learning_rate=1: -5.7e206 scores, all inliers",
        f"decision.IQAD(learning_rate=1.0, seed=0).fit({X}).score_samples({X})",
        INVALID,
    ),
    _case(
        "BoltzmannSampler at beta=1e160",
        "core.BoltzmannSampler(core.PBitNetwork.from_dense(sym(6, 1)), 1e160, seed=1).observables(200, 20)",
        ("returned", *INVALID),
    ),
    _case(
        "exact observables at beta=1e160",
        "core.BoltzmannSampler(core.PBitNetwork.from_dense(sym(6, 1)), 1e160).exact_observables()",
        ("returned", *INVALID),
    ),
    _case("NQO integrality='no'", "decision.NQO(integrality='no').minimize(sphere, [(-1, 1)] * 2)", INVALID),
    # outside the hierarchy
    _case("float parameter 10**400", "core.PBit(bias=10**400)", INVALID),
    _case("beta 10**400", "core.BoltzmannSampler(core.PBitNetwork(3), 10**400)", INVALID),
    _case("QAR beta 10**400", "decision.QAR(beta=10**400).decide([0.5] * 8)", INVALID),
    _case("lone surrogate method", "core.PBitNetwork(3).sweep(1.0, 1, '\\ud800')", INVALID),
    _case("lone surrogate schedule type", "core.Temperature.from_beta_range(0.1, 1.0, 5, '\\ud800')", INVALID),
    _case("lone surrogate optimizer", "decision.QAOA(3, optimizer='\\ud800')", INVALID),
    _case("lone surrogate backend", "performance.set_backend('\\ud800')", INVALID),
    _case("ragged from_ising h", "core.PBitNetwork.from_ising([[1.0], [1.0, 2.0]], {})", INVALID),
    _case("ragged QAOA Q", "decision.QAOA(3).expectation([[0.0, 1.0], [1.0]], [0.1], [0.2])", INVALID),
    # decision2: the decision and performance findings of the fuzz run
    _case(
        "QAR num_samples=10**9", "decision.QAR(num_pbits=2, num_samples=10**9, exact=False).decide([0.5] * 2)", MEMORY
    ),
    _case(
        "IQAD scores on (2, 10^7) views",
        "decision.IQAD(n_hidden=1, n_epochs=0).fit(np.broadcast_to(0.5, (2, 10**7)))"
        ".score_samples(np.broadcast_to(0.5, (2, 10**7)))",
        MEMORY,
    ),
    _case(
        "NQO bits=2 out of proposals",
        "decision.minimize_nqo(sphere, [(-1, 1)], bits=2, maxfun=500)",
        ("returned",),
        interrupt_at=5.0,
    ),
    _case(
        "NQO bits=1 out of proposals",
        "decision.minimize_nqo(sphere, [(-1, 1)], bits=1, maxfun=500)",
        ("returned",),
        interrupt_at=5.0,
    ),
    _case("QAOA gamma 1e308", "decision.QAOA(3, 1).expectation(np.eye(3), [1e308], [0.1])", INVALID),
    _case("QAOA probabilities gamma 1e308", "decision.QAOA(3, 1).probabilities(np.eye(3), [-1e308], [0.1])", INVALID),
    _case("Annealing time_limit='1.0'", "decision.Annealing(time_limit='1.0')", INVALID),
    _case("Annealing generator b'gibbs'", "decision.Annealing(initial_states_generator=b'gibbs')", INVALID),
    _case("Annealing generator 'gibbs'", "decision.Annealing(initial_states_generator='gibbs')", INVALID),
    _case("Annealing progress=3", "decision.Annealing(progress=3)", INVALID),
    _case("Action('')", "decision.Action('')", INVALID),
    _case("set_backend(None)", "performance.set_backend(None)", INVALID),
    _case("set_num_threads(2**200)", "performance.set_num_threads(2**200)", INVALID),
    _case("set_num_threads(True)", "performance.set_num_threads(True)", INVALID),
    _case(
        "QERC y of 10^9 against 5 steps",
        "decision.QERC().fit(np.broadcast_to(0.5, (5, 10**7)), np.broadcast_to(0.0, (10**9,)))",
        INVALID,
    ),
    # core3: Python-side copies under the memory limit, Ctrl-C in sample_many and *_async, NaN-free
    # observables, wrong types in SampleSet
    _case(
        "SampleSet of 10^9 rows, default occurrences",
        "core.SampleSet(np.broadcast_to(np.int8(1), (10**9, 3)), np.broadcast_to(0.0, (10**9,)))",
        MEMORY,
    ),
    _case(
        "SampleSet with 10^9 num_occurrences",
        "core.SampleSet(np.ones((3, 3), np.int8), np.zeros(3), num_occurrences=np.broadcast_to(0.0, (10**9,)))",
        MEMORY,
    ),
    _case(
        "from_ising with a 10^9 view for h",
        "core.PBitNetwork.from_ising(np.broadcast_to(0.0, (10**9,)), {(0, 0): 1e308, (0, 1): -1e308})",
        MEMORY,
    ),
    _case(
        "Ctrl-C in PBit.sample_many(2**31)",
        "p.sample_many(2**31)",
        STOPPED,
        setup="p = core.PBit(beta=1.0)",
        check="p.sample_many(3)",
        interrupt_at=0.3,
    ),
    _case(
        "Ctrl-C in anneal_async under asyncio.run",
        "run_async(net.anneal_async(num_reads=10**5, num_sweeps=10**4))",
        STOPPED,
        setup="net = core.PBitNetwork.from_dense(sym(50, 1))",
        check="net.energy()",
        interrupt_at=0.3,
    ),
    _case(
        "Ctrl-C in sample_async under asyncio.run",
        "run_async(bs.sample_async(10, burn_in=10**9))",
        STOPPED,
        setup="bs = core.BoltzmannSampler(core.PBitNetwork.from_dense(sym(50, 1)), 0.5)",
        check="bs.sample(2)",
        interrupt_at=0.3,
    ),
    _case(
        "tempering with one sample: NaN error bars",
        "core.ParallelTempering(core.PBitNetwork.from_dense(sym(3)), [0.1, 1.0], seed=1).run(1)",
        ("returned",),
    ),
    _case(
        "observables at beta=1e308",
        "core.BoltzmannSampler(core.PBitNetwork.from_dense(np.ones((3, 3)) - np.eye(3)), 1e308, seed=1).observables(1)",
        ("returned",),
    ),
    _case(
        "SampleSet variables=1",
        "core.SampleSet(np.ones((2, 2), np.int8), [0.0, 1.0], variables=1)",
        INVALID,
    ),
    _case("SampleSet.lowest('2')", "core.SampleSet(np.ones((2, 2), np.int8), [0.0, 1.0]).lowest('2')", INVALID),
    _case("SampleSet samples of 300", "core.SampleSet([[300, 1]], [0.0])", INVALID),
    _case(
        "SampleSet of 10**9 rows",
        "core.SampleSet(np.broadcast_to(np.int8(1), (10**9, 1)), np.broadcast_to(0.0, (10**9,)))",
        MEMORY,
    ),
    _case(
        "local_fields of a 10^9-row broadcast batch (np.unique sorted it, deaf to Ctrl-C)",
        "core.IsingEnergy.local_fields(sym(3, 1), None, np.broadcast_to(np.int8(1), (10**9, 3)))",
        MEMORY,
    ),
    _case(
        "energy of a 3*10^8-row broadcast float batch",
        "core.IsingEnergy.energy(sym(3, 1), None, np.broadcast_to(1.0, (3 * 10**8, 3)))",
        ("returned", *MEMORY),
    ),
    _case(
        "SampleSet of a 10^9-row float view (checked before its copy, deaf to Ctrl-C)",
        "core.SampleSet(np.broadcast_to(1.0, (10**9, 3)), np.broadcast_to(0.0, (10**9,))).first",
        MEMORY,
    ),
    _case(
        "SampleSet with an energy of -inf", "core.SampleSet(np.ones((1, 3), np.int8), [-np.inf]).to_dimod()", INVALID
    ),
    _case(
        "Ctrl-C in tempering with swap_interval=2**63",
        "pt.run(39, burn_in=41, swap_interval=2**63, seed=1)",
        STOPPED,
        setup="pt = core.ParallelTempering(core.PBitNetwork.from_dense(sym(2, 500)), [0.5, 1.0, 2.0, 2.5])",
        check="pt.run(2)",
        interrupt_at=0.3,
    ),
    # integration: a run's whole footprint per read is estimated (1 p-bit, 10**9 reads aborted
    # in a small allocation once the states had taken the memory)
    _case(
        "anneal 10**9 reads of 1 p-bit",
        "core.PBitNetwork(1, seed=0).anneal(core.Temperature.geometric(1.0, 0.1, 10), 10**9, 1)",
        MEMORY,
    ),
    # cas: a discrete tail of one repeated value has no alternative fit (the power law's is bounded)
    _case(
        "distribution_compare on a one-value discrete tail",
        "cas.PowerLawFit([1.0, 1.0, 5.0, 5.0, 5.0], discrete=True, xmin=5.0)"
        ".distribution_compare('power_law', 'lognormal')",
        ("raised InvalidInputError",),
        setup=CAS,
    ),
    # cas: a distribution against itself, normalised (R = 0 and variance 0: was NaN)
    _case(
        "distribution_compare of a distribution with itself, normalised",
        "cas.PowerLawFit(np.r_[np.ones(400), 2.0, 3.0, 7.0, 50.0])"
        ".distribution_compare('exponential', 'exponential', normalized_ratio=True)",
        ("returned",),
        setup=CAS,
    ),
]


# --------------------------------------------------------------------------------------------
# Long calls (minutes unless interrupted), for the Ctrl-C mode; each checks its object afterwards.

LATTICE = "net = core.PBitNetwork.from_dense(sym(200, 1))"


@st.composite
def long_cases(draw: st.DrawFn) -> Case:
    big = draw(st.sampled_from(["10**7", "2**31", "10**9"]))
    xs = "np.random.default_rng(0).normal(size=(300, 4))"
    fit = "np.random.default_rng(0).normal(size=(400, 2)), np.random.default_rng(1).normal(size=400)"
    choices = [
        Case(f"net.anneal(num_reads=8, num_sweeps={big})", LATTICE, "net.energy()"),
        Case(f"net.sweep(0.5, {big})", LATTICE, "net.energy()"),
        Case(f"bs.sample(10, burn_in={big})", f"{LATTICE}; bs = core.BoltzmannSampler(net, 0.5)", "bs.sample(2)"),
        Case(
            f"bs.observables({big}, num_chains=4)", f"{LATTICE}; bs = core.BoltzmannSampler(net, 0.5)", "bs.sample(2)"
        ),
        Case(
            f"pt.run({big}, burn_in=10)", f"{LATTICE}; pt = core.ParallelTempering(net, [0.2, 0.5, 1.0])", "pt.run(2)"
        ),
        Case(f"a.sample_qubo(sym(100), num_sweeps={big})", "a = decision.Annealing()", "a.sample_qubo(sym(3))"),
        Case(f"m.fit({xs})", f"m = decision.IQAD(n_epochs={big})", f"m.set_params(n_epochs=1).fit({xs})"),
        Case(f"m.fit({xs})", f"m = decision.IQAD(cd_steps={big})", f"m.set_params(cd_steps=1).fit({xs})"),
        Case(f"m.fit({fit})", f"m = decision.QERC(n_reservoir={draw(st.sampled_from([1500, 3000]))})"),
        Case(
            "q.expectation(sym(16), np.full((5000, 4), 0.3), np.full((5000, 4), 0.2))",
            "q = decision.QAOA(16, 4)",
            "q.expectation(sym(3), [0.1], [0.2])",
        ),
        Case("q.optimize(np.full(14, 0.1), np.eye(14) * 0.01)", "q = decision.QAOA(14, 3, maxiter=10**6)"),
        Case(
            "m.fit(np.random.default_rng(0).random((500, 6)), ['buy', 'sell'] * 250)",
            f"m = decision.QAR(num_pbits=6, num_samples={big}, max_iter=10**6)",
            "m.decide([0.5] * 6)",
        ),
        Case(f"decision.NQO(maxfun={big}, num_chains=64, num_sweeps=1000).minimize(sphere, [(-1, 1)] * 20)"),
        Case(
            f"blackswan.return_level(g, 1e5, ci='bootstrap', num_bootstrap={big}, seed=1)",
            "g = blackswan.fit_gpd(np.random.default_rng(0).standard_t(3, 10**5))",
            "blackswan.return_level(g, 1e5, ci=None)",
        ),
        Case(
            "m.fit(np.random.default_rng(0).normal(size=(200000, 2)))",
            f"m = risk.RegimeModel(6, covariance_type='full', n_iter={big}, tol=0.0)",
            "m.set_params(n_iter=2).fit(np.random.default_rng(0).normal(size=(50, 2)))",
        ),
        Case(
            f"m.sample({big}, seed=1)",
            "m = risk.RegimeModel(2, n_iter=3, seed=0).fit(np.random.default_rng(0).normal(size=99))",
            "m.score(np.zeros(3))",
        ),
    ]
    return draw(st.sampled_from(choices))
