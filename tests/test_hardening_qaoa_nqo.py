"""Hostile input for ``decision.QAOA`` and ``decision.NQO`` (issue 9): oversized requests raise
instead of aborting, out-of-range settings are ``InvalidInputError`` before anything is allocated,
no truthy non-boolean counts as a flag, and every long native loop answers Ctrl-C promptly."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from interrupts import assert_interrupted
from limited import raised_under_limit
from quantumpanarchy.decision import NQO, QAOA
from quantumpanarchy.exceptions import InvalidInputError

FloatArray = npt.NDArray[np.float64]


def sphere(x: FloatArray) -> float:
    return float(np.sum(x * x))


def random_qubo(n: int, seed: int) -> FloatArray:
    a = np.random.default_rng(seed).normal(size=(n, n))
    out: FloatArray = (a + a.T) / 2
    return out


# --------------------------------------------------------------------------------------------
# oversized requests under a 3 GiB address-space limit: a clear exception, never an abort


MU, COV = "np.linspace(0.01, 0.04, 4)", "np.eye(4) * 0.01"


@pytest.mark.skipif(sys.platform != "linux", reason="needs RLIMIT_AS")
@pytest.mark.parametrize(
    ("call", "raised"),
    [
        pytest.param(
            "QAOA(3, 1).expectation(np.broadcast_to(0.0, (10**5, 10**5)), [0.1], [0.1])",
            "ResourceLimitError",
            id="expectation-Q-10**5",
        ),
        pytest.param(
            "QAOA(3, 1).probabilities(np.broadcast_to(0.0, (10**5, 10**5)), [0.1], [0.1])",
            "ResourceLimitError",
            id="probabilities-Q-10**5",
        ),
        pytest.param(
            "QAOA(3, 1).sample_qubo(np.broadcast_to(0.0, (10**5, 10**5)), gammas=[0.1], betas=[0.1])",
            "ResourceLimitError",
            id="sample_qubo-Q-10**5",
        ),
        pytest.param(
            "QAOA(3, 1).expectation({(k, k): 1.0 for k in range(10**5)}, [0.1], [0.1])",
            "ResourceLimitError",
            id="expectation-dict-10**5-variables",
        ),
        pytest.param(
            "QAOA(3, 2).expectation(np.eye(3), np.broadcast_to(0.1, (10**8, 2)), np.full((1, 2), 0.1))",
            "InvalidInputError",
            id="expectation-gamma-rows-mismatch",
        ),
        pytest.param(
            "QAOA(3, 2).expectation(np.eye(3), np.broadcast_to(0.1, (10**8, 2)), np.broadcast_to(0.1, (10**8, 3)))",
            "InvalidInputError",
            id="expectation-layers-mismatch",
        ),
        pytest.param(
            "QAOA(3, 2).expectation(np.eye(3), *[np.broadcast_to(0.1, (2 * 10**8, 2))] * 2)",
            "ResourceLimitError",
            id="expectation-2e8-rows",
        ),
        pytest.param(
            "QAOA(3, 1).probabilities(np.eye(3), *[np.broadcast_to(0.1, (10**9,))] * 2)",
            "ResourceLimitError",
            id="probabilities-10**9-layers",
        ),
        pytest.param(
            "QAOA(3, 1).sample_qubo(np.eye(3), gammas=[0.1], betas=[0.1], shots=2**40)",
            "ResourceLimitError",
            id="sample_qubo-shots-2**40",
        ),
        pytest.param(
            f"QAOA(4, 1, restarts=10**8).optimize({MU}, {COV})",
            "KeyboardInterrupt",
            id="optimize-restarts-10**8",
        ),
        pytest.param(
            "NQO(maxfun=40, num_chains=2**31).minimize(lambda x: float(sum(x * x)), [(-1, 1), (-1, 1)])",
            "InvalidInputError",
            id="nqo-num_chains-2**31",
        ),
        pytest.param(
            "NQO(maxfun=40, num_sweeps=2**40).minimize(lambda x: float(sum(x * x)), [(-1, 1), (-1, 1)])",
            "InvalidInputError",
            id="nqo-num_sweeps-2**40",
        ),
    ],
)
def test_oversized_requests_raise_instead_of_aborting(call: str, raised: str) -> None:
    name, detail = raised_under_limit(call, interrupt_after=3.0)
    assert name == raised, detail


# --------------------------------------------------------------------------------------------
# settings: checked where they are made, never a stray OverflowError/UnicodeEncodeError/InternalError


@pytest.mark.parametrize(
    ("kwargs", "word"),
    [
        ({"num_layers": 2**63}, "num_layers"),
        ({"num_layers": 65}, "num_layers"),
        ({"num_layers": 2**200}, "num_layers"),
        ({"num_layers": True}, "num_layers"),
        ({"restarts": True}, "restarts"),
        ({"restarts": 2**63}, "restarts"),
        ({"maxiter": 2**63}, "maxiter"),
        ({"maxiter": 2**200}, "maxiter"),
        ({"shots": False}, "shots"),
        ({"budget": True}, "budget"),
        ({"penalty": 10**400}, "penalty"),
        ({"optimizer": "\ud800"}, "optimizer"),
        ({"backend": "\ud800"}, "backend"),
    ],
)
def test_qaoa_settings_are_checked_in_the_constructor(kwargs: dict[str, Any], word: str) -> None:
    with pytest.raises(InvalidInputError, match=word):
        QAOA(3, **kwargs)
    qaoa = QAOA(3)
    with pytest.raises(InvalidInputError, match=word):
        qaoa.set_params(**kwargs)
    assert qaoa.get_params() == QAOA(3).get_params(), "a refused set_params changes nothing"


@pytest.mark.parametrize(
    ("call", "error"),
    [
        pytest.param(lambda q: q.expectation({(0, 1): 10**400}, [0.1], [0.1]), InvalidInputError, id="bias-10**400"),
        pytest.param(
            lambda q: q.optimize(np.linspace(0.1, 0.3, 3), np.eye(3), 10**400), InvalidInputError, id="risk_tolerance"
        ),
        pytest.param(lambda q: q.optimize([[0.1], [0.2, 0.3], [0.4]], np.eye(3)), InvalidInputError, id="ragged-mu"),
        pytest.param(lambda q: q.expectation([[1.0, 2.0], [3.0]], [0.1], [0.1]), InvalidInputError, id="ragged-Q"),
        pytest.param(lambda q: q.sample_qubo(np.eye(3), shots=True), InvalidInputError, id="shots-bool"),
    ],
)
def test_qaoa_call_arguments_raise_our_errors(call: Callable[[QAOA], object], error: type[Exception]) -> None:
    with pytest.raises(error):
        call(QAOA(3))


def test_qaoa_batches_keep_their_results() -> None:
    Q = random_qubo(4, 1)
    qaoa = QAOA(4)
    G, B = np.full((3, 2), 0.2), np.full((3, 2), 0.4)
    batch = qaoa.expectation(Q, G, B)
    assert isinstance(batch, np.ndarray) and batch.shape == (3,)
    one = qaoa.expectation(Q, G[0], B[0])
    assert isinstance(one, float) and batch[0] == one
    s = qaoa.sample_qubo(Q, gammas=G[0], betas=B[0], shots=5000)
    assert int(s.num_occurrences.sum()) == 5000 and len(s) == len(np.unique(s.samples, axis=0))


NQO_BAD: list[Any] = [
    pytest.param({"num_chains": 2**63}, {}, id="num_chains-2**63"),
    pytest.param({"num_chains": 4097}, {}, id="num_chains-4097"),
    pytest.param({}, {"maxfun": 2**200}, id="maxfun-2**200"),
    pytest.param({"integrality": "no"}, {}, id="integrality-string"),
    pytest.param({"integrality": ["a", "b"]}, {}, id="integrality-strings"),
    pytest.param({"integrality": [[1, 0], [1]]}, {}, id="integrality-ragged"),
    pytest.param({"integrality": [2, 0]}, {}, id="integrality-2"),
    pytest.param({"vectorized": "no"}, {}, id="vectorized-string"),
    pytest.param({"local_method": "\ud800"}, {}, id="local_method-surrogate"),
    pytest.param({"method": "\ud800"}, {}, id="method-surrogate"),
    pytest.param({}, {"bounds": [(-1, 10**400), (-1, 1)]}, id="bounds-10**400"),
    pytest.param({}, {"x0": [0.0, 10**400]}, id="x0-10**400"),
]


@pytest.mark.parametrize(("kwargs", "call"), NQO_BAD)
def test_nqo_settings_raise_invalid_input(kwargs: dict[str, Any], call: dict[str, Any]) -> None:
    bounds = call.pop("bounds", [(-1, 1), (-1, 1)])
    with pytest.raises(InvalidInputError):
        NQO(**{"maxfun": 20, **kwargs}).minimize(sphere, bounds, **call)


def test_nqo_flags_still_accept_booleans() -> None:
    res = NQO(maxfun=30, seed=1, integrality=np.array([True, False])).minimize(sphere, [(-3, 3), (-1, 1)])
    assert float(res.x[0]).is_integer()
    assert NQO(maxfun=30, seed=1, integrality=np.bool_(False)).minimize(sphere, [(-1, 1)]).nfev == 30
    numpy_true: Any = np.bool_(True)  # numpy's bool is a flag too
    res = NQO(maxfun=20, seed=1, vectorized=numpy_true).minimize(lambda X: np.sum(X * X, axis=1), [(-1, 1)])
    assert res.nfev == 20


# --------------------------------------------------------------------------------------------
# Ctrl-C: every long native loop stops within a bound, and the object still works afterwards


def _seconds_of(work: Callable[[int], object], seconds: float, unit: int) -> int:
    """How many units of ``work`` take about ``seconds`` (timed on ``unit`` of them)."""
    start = time.perf_counter()
    work(unit)
    return max(unit, int(unit * seconds / max(time.perf_counter() - start, 1e-6)))


@pytest.mark.timeout(300)
def test_ctrl_c_interrupts_a_batch_of_expectations() -> None:
    Q, qaoa = random_qubo(12, 3), QAOA(12)

    def batch(m: int) -> object:
        return qaoa.expectation(Q, np.full((m, 2), 0.3), np.full((m, 2), 0.2))

    rows = _seconds_of(batch, 6.0, 2000)
    assert_interrupted(lambda: batch(rows), "a batch of expectations")
    assert qaoa.expectation(Q, [0.3, 0.3], [0.2, 0.2]) == QAOA(12).expectation(Q, [0.3, 0.3], [0.2, 0.2])


@pytest.mark.timeout(300)
@pytest.mark.parametrize("which", ["probabilities", "sample_qubo", "expectation"])
def test_ctrl_c_interrupts_one_long_evaluation(which: str) -> None:
    n = 22
    Q, qaoa = random_qubo(n, 4), QAOA(n)

    def run(layers: int) -> object:
        g, b = np.full(layers, 0.1), np.full(layers, 0.2)
        if which == "sample_qubo":
            return qaoa.sample_qubo(Q, gammas=g, betas=b, shots=10)
        return getattr(qaoa, which)(Q, g, b)

    layers = _seconds_of(run, 6.0, 4)
    assert_interrupted(lambda: run(layers), which)
    assert qaoa.expectation(Q[:4, :4], [0.1], [0.2]) == QAOA(4).expectation(Q[:4, :4], [0.1], [0.2])


@pytest.mark.timeout(300)
def test_ctrl_c_interrupts_optimize_with_many_restarts() -> None:
    mu, cov = np.linspace(0.01, 0.06, 6), np.eye(6) * 0.01
    qaoa = QAOA(6, 1, restarts=10**7, maxiter=50, seed=1)
    assert_interrupted(lambda: qaoa.optimize(mu, cov), "optimize with 10**7 restarts")
    small = qaoa.set_params(restarts=1).optimize(mu, cov)
    assert small.bitstring == QAOA(6, 1, restarts=1, maxiter=50, seed=1).optimize(mu, cov).bitstring


@pytest.mark.timeout(300)
def test_ctrl_c_interrupts_a_large_nqo_round() -> None:
    opt = NQO(maxfun=60, num_chains=4096, num_sweeps=4000, seed=0)
    assert_interrupted(lambda: opt.minimize(sphere, [(-1, 1)] * 4), "an NQO round of 4096 chains")
    small = opt.set_params(num_chains=4, num_sweeps=10)
    assert small.minimize(sphere, [(-1, 1)] * 2).fun == NQO(maxfun=60, seed=0).minimize(sphere, [(-1, 1)] * 2).fun


@pytest.mark.timeout(120)
def test_ctrl_c_inside_fun_propagates_unchanged() -> None:
    calls = []

    def slow(x: FloatArray) -> float:
        calls.append(1)
        time.sleep(0.02)
        return sphere(x)

    assert_interrupted(lambda: NQO(maxfun=10**6, seed=0).minimize(slow, [(-1, 1)] * 2), "NQO calling fun")
    assert calls, "fun ran before the interrupt"


# --------------------------------------------------------------------------------------------
# decision2: an NQO search with nothing left to propose stops; QAOA phases never overflow to NaN


@pytest.mark.parametrize("bits", [1, 2])
def test_nqo_stops_when_no_new_point_can_be_proposed(bits: int) -> None:
    # with 1 or 2 bits per variable the proposals run out long before maxfun; the search spun
    # for ever instead (a child process, so that a regression fails by its timeout, not a hang)
    code = (
        "from quantumpanarchy.decision import minimize_nqo; "
        f"r = minimize_nqo(lambda x: float((x**2).sum()), [(-1, 1)], bits={bits}, maxfun=500); "
        "print(r.nfev, r.success, r.fun); print(r.message)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    first, message = proc.stdout.splitlines()[:2]
    nfev, success, fun = first.split()
    assert int(nfev) < 500 and success == "True" and float(fun) < 1e-6, proc.stdout
    assert message.startswith("no new point to evaluate"), message


@pytest.mark.parametrize(
    ("method", "gammas", "betas"),
    [
        ("expectation", [1e308], [0.1]),
        ("expectation", [[0.1], [-1e308]], [[0.1], [0.1]]),
        ("probabilities", [0.1, 1e308], [0.1, 0.2]),
    ],
)
def test_qaoa_refuses_gammas_whose_phase_overflows(method: str, gammas: Any, betas: Any) -> None:
    q = QAOA(3, len(np.atleast_2d(gammas)[0]))
    with pytest.raises(InvalidInputError, match=r"gammas\[\d\] = -?1e308 is too large"):
        getattr(q, method)(np.eye(3), gammas, betas)


def test_qaoa_huge_but_finite_phases_are_computed() -> None:
    q = QAOA(3, 1)
    assert np.isfinite(q.expectation(np.eye(3), [1e300], [0.1]))
    p = q.probabilities(np.eye(3), [1e300], [0.1])
    assert np.all(np.isfinite(p)) and abs(p.sum() - 1.0) < 1e-12
