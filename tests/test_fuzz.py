"""Our own fuzz test: hostile calls to every public entry point, each in a forked child under a
3 GiB address-space limit (issue 9). A call must return finite numbers or raise one of the project's
exceptions; an abort, a hang that Ctrl-C does not end, a PanicException or a stray exception fails.

The quick form (a fixed, derandomized set of cases, about half a minute) and the issue's findings
run in the default suite. The long form is marked ``slow`` (``pytest -m slow tests/test_fuzz.py``):
thousands of random cases (``QP_FUZZ_EXAMPLES``, ``QP_FUZZ_SEED``), the same calls from 4 threads
sharing one object, and Ctrl-C at random moments of long calls. Cases are built in
``tests/fuzz_cases.py`` and run by ``tests/fuzz_runner.py``; every failure prints its reproducer.
"""

from __future__ import annotations

import collections
import dataclasses
import faulthandler
import os
import random
import sys
from collections.abc import Iterator

import pytest
from conftest import WATCHDOG_S
from fuzz_cases import REGRESSIONS, Case, Runner, cases, describe, long_cases, method_cases
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork, RLIMIT_AS and /proc: Linux")

QUICK_EXAMPLES = 160
LONG_EXAMPLES = int(os.environ.get("QP_FUZZ_EXAMPLES", "3000"))


@pytest.fixture(scope="module")
def runner() -> Iterator[Runner]:
    r = Runner()
    r.start()
    yield r
    r.close()


def fuzz(
    runner: Runner,
    strategy: st.SearchStrategy[Case],
    examples: int,
    *,
    timeout: float,
    seed: int | None = None,
    threads: int = 1,
) -> list[str]:
    """Run ``examples`` cases drawn from ``strategy`` (derandomized unless a ``seed`` is given);
    the reports of those that failed."""
    failures: list[str] = []
    seen: set[Case] = set()  # hypothesis draws some cases twice: run each once

    # No shrinking (each case is a process) and no database: every failure is reported as drawn.
    @settings(
        max_examples=examples,
        derandomize=seed is None,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def run(case: Case) -> None:
        if case in seen:
            return
        seen.add(case)
        # re-arm the suite's watchdog (tests/conftest.py) per case: the run is long, but each case
        # has its own timeout in the runner
        faulthandler.dump_traceback_later(WATCHDOG_S, exit=True, file=sys.stderr)
        outcome = runner.run(case, timeout=timeout, threads=threads)
        if not outcome["ok"]:
            failures.append(describe(case, outcome))

    (run if seed is None else hypothesis_seed(seed)(run))()
    return failures


def long_seed() -> int:
    """QP_FUZZ_SEED, or a random seed (reported with any failure, to repeat the run)."""
    return int(os.environ.get("QP_FUZZ_SEED", random.randrange(2**32)))


def summary(failures: list[str], examples: int, seed: int | None = None) -> str:
    kinds = collections.Counter(f[1 : f.index("]")] for f in failures)
    head = f"{len(failures)} of {examples} cases failed: " + ", ".join(f"{k} x{n}" for k, n in kinds.most_common())
    if seed is not None:
        head += f"\n(repeat with QP_FUZZ_SEED={seed})"
    return "\n\n".join([head, *failures])


# The harness itself: it must tell a failure from a pass.

HARNESS = [
    ("core.PBit(beta=-1.0)", True, "raised InvalidInputError"),
    ("core.PBitNetwork(3).sweep()", True, "raised TypeError (argument binding)"),
    ("core.PBitNetwork(3).energy()", True, "returned"),
    ("__import__('os').abort()", False, "killed by SIGABRT"),
    ("int('x')", False, "stray ValueError"),
    ("float('nan')", False, "non-finite result"),
    ("np.array([1.0, np.inf])", False, "non-finite result"),
    ("dimod.SampleSet.from_samples([[1]], 'SPIN', energy=[float('nan')])", False, "non-finite result"),
    ("decision.Annealing(num_reads=2).sample_qubo({(0, 0): -1.0})", True, "returned"),
    ("exceptions.InternalError('x')", True, "returned"),
    ("exec('raise exceptions.InternalError(1)')", False, "internal-error"),
    ("bytearray(4 << 30)", False, "stray MemoryError"),
    ("exec('raise KeyboardInterrupt')", False, "stray KeyboardInterrupt"),
    ("exec('raise SystemExit(3)')", False, "stray SystemExit"),
    ("__import__('time').sleep(30)", True, "interrupted"),
    ("__import__('signal').signal(2, 1); __import__('time').sleep(30)", False, "ignores Ctrl-C"),
    ("__import__('os')._exit(0)", False, "died"),
]


@pytest.mark.parametrize(("call", "ok", "kind"), HARNESS)
def test_the_harness_tells_failures_from_passes(runner: Runner, call: str, ok: bool, kind: str) -> None:
    outcome = runner.run(Case(call), timeout=0.5, grace=0.5)
    assert (outcome["ok"], outcome["kind"]) == (ok, kind), outcome


def test_the_harness_checks_the_object_after_the_call(runner: Runner) -> None:
    broken = Case("net.sweep(1.0)", setup="net = core.PBitNetwork(3)", check="int('x')")
    outcome = runner.run(broken)
    assert (outcome["ok"], outcome["kind"]) == (False, "stray ValueError"), outcome
    rejected = Case("net.energy()", setup="net = core.PBitNetwork(-1)", check="net.energy()")
    outcome = runner.run(rejected)
    assert (outcome["ok"], outcome["kind"]) == (True, "raised InvalidInputError"), outcome


def test_reproducers_are_self_contained() -> None:
    case = Case("core.PBitNetwork.from_dense(sym(3), h=np.full(3, np.nan))", setup="x = '\\ud800'")
    text = case.reproducer()
    assert text.startswith('cd tests && python -c "import resource; ')
    assert "from fuzz_runner import *; x = '\\\\ud800'; core.PBitNetwork.from_dense(" in text


# The findings of issue 9, always run.


@pytest.mark.parametrize("case", REGRESSIONS, ids=[case.name for case in REGRESSIONS])
def test_issue_9_findings_stay_fixed(runner: Runner, case: Case) -> None:
    outcome = runner.run(case, timeout=20.0)
    assert case.expect is not None
    assert outcome["ok"] and outcome["kind"] in case.expect, describe(case, outcome)


# The fuzz test.


def test_fuzz_quick(runner: Runner) -> None:
    """A fixed set of cases (derandomized), so that CI sees the same calls every run."""
    failures = fuzz(runner, cases(), QUICK_EXAMPLES, timeout=1.0)
    assert not failures, summary(failures, QUICK_EXAMPLES)


@pytest.mark.slow
@pytest.mark.timeout(0)
def test_fuzz_long(runner: Runner) -> None:
    """Thousands of random cases with a longer timeout."""
    seed = long_seed()
    failures = fuzz(runner, cases(), LONG_EXAMPLES, timeout=10.0, seed=seed)
    assert not failures, summary(failures, LONG_EXAMPLES, seed)


@pytest.mark.slow
@pytest.mark.timeout(0)
def test_fuzz_threads(runner: Runner) -> None:
    """The same method call from 4 threads at once on one shared object."""
    examples = max(LONG_EXAMPLES // 5, 50)
    seed = long_seed()
    failures = fuzz(runner, method_cases(), examples, timeout=10.0, seed=seed, threads=4)
    assert not failures, summary(failures, examples, seed)


@pytest.mark.slow
@pytest.mark.timeout(0)
def test_fuzz_ctrl_c(runner: Runner) -> None:
    """Ctrl-C at a random moment: KeyboardInterrupt within 1.5 s, and the object still works."""
    examples = max(LONG_EXAMPLES // 10, 50)
    interrupted = st.builds(
        lambda case, at: dataclasses.replace(case, interrupt_at=at),
        st.one_of(long_cases(), cases()),
        st.floats(0.02, 0.6),
    )
    seed = long_seed()
    failures = fuzz(runner, interrupted, examples, timeout=30.0, seed=seed)
    assert not failures, summary(failures, examples, seed)
