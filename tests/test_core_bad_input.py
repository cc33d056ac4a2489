"""Bad input to ``quantumpanarchy.core`` / ``performance``: the right exception, a useful message,
and no damage.

Each case asserts
* the exact class of the hierarchy (``InvalidInputError`` is also a ``ValueError``,
  ``ResourceLimitError`` a ``MemoryError``, ``BackendUnavailableError`` a ``RuntimeError``);
* a message that names the problem (a regular expression per case);
* that the object the call was made on is unchanged and still works: its state, couplings,
  fields, labels and even its random stream equal those of an untouched twin.

A ``pyo3_runtime.PanicException`` derives from ``BaseException``, so ``pytest.raises`` with an
``Exception`` subclass lets it through and the test errors: no input may panic.
Oversized requests run in a child process with an address-space limit, so that an abort on a
failed allocation is reported as a failure instead of killing the test run.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from limited import raised_under_limit
from quantumpanarchy import performance
from quantumpanarchy.core import (
    BoltzmannSampler,
    IsingEnergy,
    ParallelTempering,
    PBit,
    PBitNetwork,
    SampleSet,
    Temperature,
    integrated_autocorrelation_time,
)
from quantumpanarchy.exceptions import (
    BackendUnavailableError,
    InvalidInputError,
    QuantumPanarchyError,
    ResourceLimitError,
)

FloatArray = npt.NDArray[np.float64]
N = 5
J0: FloatArray = np.array(
    [
        [0.0, 1.0, 0.0, -0.5, 0.0],
        [1.0, 0.0, 2.0, 0.0, 0.0],
        [0.0, 2.0, 0.0, 0.3, -1.0],
        [-0.5, 0.0, 0.3, 0.0, 0.7],
        [0.0, 0.0, -1.0, 0.7, 0.0],
    ]
)
H0: FloatArray = np.array([0.1, -0.2, 0.0, 0.4, -0.3])
NAN = float("nan")
INF = float("inf")


def bad(value: object) -> Any:
    """An argument of a type the stubs rule out, passed on purpose."""
    return value


def make_net() -> PBitNetwork:
    return PBitNetwork.from_dense(J0, H0, seed=7)


def assert_same_network(net: PBitNetwork, twin: PBitNetwork) -> None:
    """``net`` (which saw a failed call) equals ``twin`` (which did not) in every respect."""
    np.testing.assert_array_equal(net.state, twin.state)
    j, h = net.to_dense()
    jt, ht = twin.to_dense()
    np.testing.assert_array_equal(j, jt)
    np.testing.assert_array_equal(h, ht)
    assert net.offset == twin.offset and net.vartype == twin.vartype
    assert net.variables == twin.variables and net.num_pbits == twin.num_pbits
    assert net.energy() == twin.energy()
    # still works, with the same results
    assert net.anneal(num_reads=3, num_sweeps=20, seed=11) == twin.anneal(num_reads=3, num_sweeps=20, seed=11)
    np.testing.assert_array_equal(net.local_fields(), twin.local_fields())
    assert isinstance(net.sweep(0.5), int)


def check_error(info: pytest.ExceptionInfo[QuantumPanarchyError], exc: type[QuantumPanarchyError]) -> None:
    err = info.value
    assert type(err) is exc, f"{type(err).__name__} raised, {exc.__name__} expected"
    assert isinstance(err, QuantumPanarchyError)
    if exc is InvalidInputError:
        assert isinstance(err, ValueError)
    if exc is ResourceLimitError:
        assert isinstance(err, MemoryError)
    if exc is BackendUnavailableError:
        assert isinstance(err, RuntimeError)
    assert len(str(err)) > 10


NetCall = Callable[[PBitNetwork], object]


def _set_state(value: Any) -> NetCall:
    def call(net: PBitNetwork) -> None:
        net.state = value

    return call


# (id, call on a network, exception class, pattern the message must match)
NETWORK_CASES: list[tuple[str, NetCall, type[QuantumPanarchyError], str]] = [
    # NaN / inf
    ("set_coupling-nan", lambda n: n.set_coupling(0, 1, NAN), InvalidInputError, "finite"),
    ("set_coupling-inf", lambda n: n.set_coupling(0, 1, -INF), InvalidInputError, "finite"),
    ("set_field-nan", lambda n: n.set_field(2, NAN), InvalidInputError, "finite"),
    ("set_field-inf", lambda n: n.set_field(2, INF), InvalidInputError, "finite"),
    ("sweep-beta-nan", lambda n: n.sweep(NAN), InvalidInputError, "beta"),
    ("sweep-beta-inf", lambda n: n.sweep(INF), InvalidInputError, "beta"),
    ("anneal-beta_range-nan", lambda n: n.anneal(beta_range=(NAN, 1.0)), InvalidInputError, "beta_range"),
    ("anneal-beta_range-inf", lambda n: n.anneal(beta_range=(0.1, INF)), InvalidInputError, "beta_range"),
    ("energy-state-nan", lambda n: n.energy([1, NAN, 1, 1, 1]), InvalidInputError, r"-1/\+1"),
    # negative temperatures / betas / steps / sweeps / reads
    ("sweep-negative-beta", lambda n: n.sweep(-1.0), InvalidInputError, "beta.*non-negative"),
    ("sweep-negative-sweeps", lambda n: n.sweep(1.0, num_sweeps=-1), InvalidInputError, "num_sweeps"),
    ("anneal-negative-reads", lambda n: n.anneal(num_reads=-1), InvalidInputError, "num_reads"),
    ("anneal-zero-reads", lambda n: n.anneal(num_reads=0), InvalidInputError, "num_reads"),
    ("anneal-negative-sweeps", lambda n: n.anneal(num_sweeps=-5), InvalidInputError, "num_sweeps"),
    # (num_sweeps=0 is valid, as in dwave-samplers: the reads keep their starting states)
    ("anneal-custom-without-schedule", lambda n: n.anneal(beta_schedule_type="custom"), InvalidInputError, "custom"),
    (
        "anneal-zero-sweeps-per-beta",
        lambda n: n.anneal(num_sweeps_per_beta=0),
        InvalidInputError,
        "num_sweeps_per_beta",
    ),
    (
        "anneal-sweeps-not-multiple",
        lambda n: n.anneal(num_sweeps=10, num_sweeps_per_beta=3),
        InvalidInputError,
        "multiple",
    ),
    ("anneal-negative-beta_range", lambda n: n.anneal(beta_range=(-0.1, 1.0)), InvalidInputError, "beta_range"),
    ("anneal-zero-beta_range", lambda n: n.anneal(beta_range=(0.0, 1.0)), InvalidInputError, "beta_range"),
    # out-of-range indices, self-couplings
    ("set_coupling-index-high", lambda n: n.set_coupling(0, N, 1.0), InvalidInputError, "out of range"),
    ("set_coupling-index-negative", lambda n: n.set_coupling(-1, 2, 1.0), InvalidInputError, "out of range"),
    ("set_coupling-self", lambda n: n.set_coupling(3, 3, 1.0), InvalidInputError, "itself"),
    ("set_field-index", lambda n: n.set_field(N, 1.0), InvalidInputError, "out of range"),
    ("coupling-index", lambda n: n.coupling(0, 17), InvalidInputError, "out of range"),
    # states of the wrong length or with values other than +-1
    ("state-too-short", _set_state([1, -1]), InvalidInputError, r"5 values.*\(2,\)"),
    ("state-too-long", _set_state(np.ones(N + 1)), InvalidInputError, "5 values"),
    ("state-2d", _set_state(np.ones((1, N))), InvalidInputError, "1-D"),
    ("state-zero", _set_state([1, 0, 1, 1, 1]), InvalidInputError, r"-1/\+1.*0"),
    ("state-two", _set_state([1, 2, 1, 1, 1]), InvalidInputError, r"-1/\+1.*2"),
    ("state-half", _set_state([1, 0.5, 1, 1, 1]), InvalidInputError, r"-1/\+1.*0\.5"),
    ("state-bool", _set_state([True, False, True, True, False]), InvalidInputError, r"-1/\+1"),
    ("state-str", _set_state(["a"] * N), InvalidInputError, "real numbers"),
    ("state-complex", _set_state(np.ones(N, dtype=complex)), InvalidInputError, "real numbers"),
    ("state-object", _set_state(np.array([1, None, 1, 1, 1], dtype=object)), InvalidInputError, "real numbers"),
    ("state-empty", _set_state([]), InvalidInputError, "empty"),
    ("energy-wrong-length", lambda n: n.energy([1, 1, 1]), InvalidInputError, "5 values"),
    ("energy-batch-wrong-width", lambda n: n.energy(np.ones((4, N - 1))), InvalidInputError, "5 values"),
    ("energy-3d", lambda n: n.energy(np.ones((2, 2, N))), InvalidInputError, "1-D.*2-D"),
    ("energy-empty-batch", lambda n: n.energy(np.ones((0, N))), InvalidInputError, "empty"),
    ("energy-values", lambda n: n.energy([3, 1, 1, 1, 1]), InvalidInputError, r"-1/\+1"),
    ("local_fields-wrong-length", lambda n: n.local_fields([1, 1]), InvalidInputError, "5 values"),
    ("initial_states-wrong-length", lambda n: n.anneal(initial_states=[1, 1, 1]), InvalidInputError, "initial_states"),
    (
        "initial_states-values",
        lambda n: n.anneal(initial_states=[1, 0, 1, 1, 1]),
        InvalidInputError,
        "initial_states.*-1/\\+1",
    ),
    # initial_states with the wrong number of rows
    (
        "initial_states-rows",
        lambda n: n.anneal(num_reads=3, initial_states=np.ones((2, N))),
        InvalidInputError,
        r"1 or num_reads \(3\) rows, got 2",
    ),
    # bad names
    (
        "anneal-method",
        lambda n: n.anneal(method=bad("annealing")),
        InvalidInputError,
        "method.*gibbs.*metropolis",
    ),
    (
        "sweep-method",
        lambda n: n.sweep(1.0, method=bad("wolff")),
        InvalidInputError,
        "method",
    ),
    (
        "anneal-backend",
        lambda n: n.anneal(backend=bad("tpu")),
        InvalidInputError,
        "backend.*tpu",
    ),
    (
        "anneal-schedule-type",
        lambda n: n.anneal(beta_schedule_type=bad("cubic")),
        InvalidInputError,
        "beta_schedule_type.*cubic",
    ),
    # seeds
    ("anneal-seed-negative", lambda n: n.anneal(seed=-1), InvalidInputError, "seed"),
    ("anneal-seed-too-large", lambda n: n.anneal(seed=2**64), InvalidInputError, "seed.*2\\*\\*64"),
    (
        "anneal-seed-float",
        lambda n: n.anneal(seed=bad(1.5)),
        InvalidInputError,
        "seed.*float",
    ),
    (
        "anneal-seed-str",
        lambda n: n.anneal(seed=bad("1")),
        InvalidInputError,
        "seed.*str",
    ),
    ("randomize-seed-negative", lambda n: n.randomize(seed=-3), InvalidInputError, "seed"),
    (
        "randomize-seed-float",
        lambda n: n.randomize(seed=bad(2.0)),
        InvalidInputError,
        "seed",
    ),
    # schedule together with num_sweeps / beta_range, or not a schedule
    (
        "schedule-and-num_sweeps",
        lambda n: n.anneal(Temperature.constant(1.0, 5), num_sweeps=5),
        InvalidInputError,
        "not both",
    ),
    (
        "schedule-and-beta_range",
        lambda n: n.anneal(Temperature.constant(1.0, 5), beta_range=(0.1, 1.0)),
        InvalidInputError,
        "not both",
    ),
    (
        "schedule-not-temperature",
        lambda n: n.anneal(bad([0.1, 1.0])),
        InvalidInputError,
        "Temperature",
    ),
    (
        "progress-not-callable",
        lambda n: n.anneal(progress=bad("yes")),
        InvalidInputError,
        "progress",
    ),
    # samplers built on the network
    ("sampler-negative-beta", lambda n: BoltzmannSampler(n, -1.0), InvalidInputError, "beta"),
    ("sampler-nan-beta", lambda n: BoltzmannSampler(n, NAN), InvalidInputError, "beta"),
    (
        "sampler-method",
        lambda n: BoltzmannSampler(n, 1.0, method=bad("wolff")),
        InvalidInputError,
        "method",
    ),
    ("sampler-seed", lambda n: BoltzmannSampler(n, 1.0, seed=-1), InvalidInputError, "seed"),
    ("sample-zero-samples", lambda n: BoltzmannSampler(n, 1.0).sample(0), InvalidInputError, "num_samples"),
    ("sample-negative-samples", lambda n: BoltzmannSampler(n, 1.0).sample(-4), InvalidInputError, "num_samples"),
    ("sample-negative-burn_in", lambda n: BoltzmannSampler(n, 1.0).sample(5, burn_in=-1), InvalidInputError, "burn_in"),
    ("sample-zero-thin", lambda n: BoltzmannSampler(n, 1.0).sample(5, thin=0), InvalidInputError, "thin"),
    ("sample-zero-chains", lambda n: BoltzmannSampler(n, 1.0).sample(5, num_chains=0), InvalidInputError, "num_chains"),
    ("sample-seed-too-large", lambda n: BoltzmannSampler(n, 1.0).sample(5, seed=2**70), InvalidInputError, "seed"),
    (
        "sample-initial_states-rows",
        lambda n: BoltzmannSampler(n, 1.0).sample(5, num_chains=3, initial_states=np.ones((2, N))),
        InvalidInputError,
        r"num_chains \(3\)",
    ),
    (
        "sample-initial_states-values",
        lambda n: BoltzmannSampler(n, 1.0).sample(5, initial_states=np.zeros(N)),
        InvalidInputError,
        "initial_states",
    ),
    (
        "sample-too-many-to-record",
        lambda n: BoltzmannSampler(n, 1.0).sample(10**12, num_chains=10**6),
        ResourceLimitError,
        "GiB",
    ),
    ("observables-zero-samples", lambda n: BoltzmannSampler(n, 1.0).observables(0), InvalidInputError, "num_samples"),
    (
        "observables-seed-str",
        lambda n: BoltzmannSampler(n, 1.0).observables(10, seed=bad("x")),
        InvalidInputError,
        "seed",
    ),
    ("tempering-one-beta", lambda n: ParallelTempering(n, [1.0]), InvalidInputError, "two betas"),
    ("tempering-empty-betas", lambda n: ParallelTempering(n, []), InvalidInputError, "empty"),
    ("tempering-negative-beta", lambda n: ParallelTempering(n, [0.5, -1.0]), InvalidInputError, "betas"),
    ("tempering-nan-beta", lambda n: ParallelTempering(n, [0.5, NAN]), InvalidInputError, "betas"),
    ("tempering-2d-betas", lambda n: ParallelTempering(n, [[0.5, 1.0]]), InvalidInputError, "1-D"),
    ("tempering-str-betas", lambda n: ParallelTempering(n, ["a", "b"]), InvalidInputError, "real numbers"),
    (
        "tempering-method",
        lambda n: ParallelTempering(n, [0.5, 1.0], method=bad("x")),
        InvalidInputError,
        "method",
    ),
    ("tempering-run-zero", lambda n: ParallelTempering(n, [0.5, 1.0]).run(0), InvalidInputError, "num_samples"),
    (
        "tempering-run-swap",
        lambda n: ParallelTempering(n, [0.5, 1.0]).run(5, swap_interval=0),
        InvalidInputError,
        "swap_interval",
    ),
    (
        "tempering-run-burn_in",
        lambda n: ParallelTempering(n, [0.5, 1.0]).run(5, burn_in=-2),
        InvalidInputError,
        "burn_in",
    ),
    ("tempering-run-seed", lambda n: ParallelTempering(n, [0.5, 1.0]).run(5, seed=-1), InvalidInputError, "seed"),
]


@pytest.mark.parametrize(("call", "exc", "pattern"), [pytest.param(c, e, p, id=i) for i, c, e, p in NETWORK_CASES])
def test_bad_input_on_a_network(call: NetCall, exc: type[QuantumPanarchyError], pattern: str) -> None:
    net, twin = make_net(), make_net()
    with pytest.raises(exc, match=pattern) as info:
        call(net)
    check_error(info, exc)
    assert_same_network(net, twin)


# Failed calls must not have side effects, not even on the network's own random stream (which
# calls with seed=None draw from): after a failed call, net.anneal() must equal twin.anneal().
STREAM_CASES: list[tuple[str, NetCall]] = [
    ("anneal-zero-reads", lambda n: n.anneal(num_reads=0)),
    ("anneal-method", lambda n: n.anneal(method=bad("x"))),
    ("anneal-backend", lambda n: n.anneal(backend=bad("tpu"))),
    ("anneal-seed", lambda n: n.anneal(seed=-1)),
    ("sweep-beta", lambda n: n.sweep(-1.0)),
    ("sample-zero", lambda n: BoltzmannSampler(n, 1.0).sample(0)),
    ("anneal-custom-negative-beta", lambda n: n.anneal(beta_schedule_type="custom", beta_schedule=[-1.0])),
    ("anneal-interrupt-not-callable", lambda n: n.anneal(interrupt_function=bad(3))),
    ("anneal-generator", lambda n: n.anneal(initial_states_generator=bad("x"))),
    ("anneal-beta_range", lambda n: n.anneal(beta_range=(-1.0, 1.0))),
    ("anneal-schedule-type", lambda n: n.anneal(beta_schedule_type=bad("x"))),
    ("anneal-initial_states", lambda n: n.anneal(initial_states=[1, 1])),
    ("anneal-schedule-and-sweeps", lambda n: n.anneal(Temperature.constant(1.0, 3), num_sweeps=3)),
    ("anneal-progress", lambda n: n.anneal(progress=bad("x"))),
    ("sample-too-large", lambda n: BoltzmannSampler(n, 1.0).sample(10**12, num_chains=10**6)),
]


@pytest.mark.parametrize("call", [pytest.param(c, id=i) for i, c in STREAM_CASES])
def test_failed_call_leaves_the_random_stream_alone(call: NetCall) -> None:
    net, twin = make_net(), make_net()
    with pytest.raises(QuantumPanarchyError):
        call(net)
    assert net.anneal(num_reads=3, num_sweeps=20) == twin.anneal(num_reads=3, num_sweeps=20)
    assert net.sweep(0.5) == twin.sweep(0.5)
    np.testing.assert_array_equal(net.state, twin.state)


def test_binary_network_state_checks() -> None:
    q = np.array([[1.0, -2.0, 0.0], [0.0, 0.5, 1.0], [0.0, 0.0, -1.0]])
    net, twin = PBitNetwork.from_qubo(q, seed=3), PBitNetwork.from_qubo(q, seed=3)
    for bad, pattern in [([0, 2, 1], r"bits 0/1.*2"), ([0, -1, 1], r"0/1.*0, -1"), ([1, 1], "3 values")]:
        with pytest.raises(InvalidInputError, match=pattern) as info:
            net.state = bad
        check_error(info, InvalidInputError)
        with pytest.raises(InvalidInputError, match=pattern):
            net.energy(bad)
    assert_same_network(net, twin)


def test_exact_enumeration_beyond_24_pbits_is_a_resource_limit() -> None:
    net = PBitNetwork(25, seed=1)
    net.set_coupling(0, 24, 1.0)
    bs = BoltzmannSampler(net, 0.5, seed=2)
    with pytest.raises(ResourceLimitError, match="24") as info:
        bs.exact_distribution()
    check_error(info, ResourceLimitError)
    assert isinstance(info.value, MemoryError)
    with pytest.raises(ResourceLimitError, match="25"):
        bs.exact_observables()
    # the sampler and the network still work
    assert bs.sample(3, burn_in=1).shape == (3, 25)
    assert net.coupling(24, 0) == 1.0


# --------------------------------------------------------------------------------------------
# constructors and free functions

Call = Callable[[], object]
SQUARE_ASYM: FloatArray = np.array([[0.0, 1.0], [2.0, 0.0]])
DIAG: FloatArray = np.array([[1.0, 1.0], [1.0, 0.0]])
NAN_J: FloatArray = np.array([[0.0, NAN], [NAN, 0.0]])
INF_J: FloatArray = np.array([[0.0, INF], [INF, 0.0]])
Z22: FloatArray = np.zeros((2, 2))

STANDALONE_CASES: list[tuple[str, Call, type[QuantumPanarchyError], str]] = [
    # NaN / inf couplings and fields
    ("from_dense-nan-J", lambda: PBitNetwork.from_dense(NAN_J), InvalidInputError, r"finite: J\[0,1\] is NaN"),
    ("from_dense-inf-J", lambda: PBitNetwork.from_dense(INF_J), InvalidInputError, r"finite: J\[0,1\] is inf"),
    ("from_dense-nan-h", lambda: PBitNetwork.from_dense(Z22, [0.0, NAN]), InvalidInputError, r"h\[1\] is NaN"),
    ("from_dense-inf-h", lambda: PBitNetwork.from_dense(Z22, [INF, 0.0]), InvalidInputError, r"h\[0\] is inf"),
    ("from_sparse-nan", lambda: PBitNetwork.from_sparse([2], [1], [NAN]), InvalidInputError, r"J\[2,1\] is NaN"),
    (
        "from_sparse-inf-h",
        lambda: PBitNetwork.from_sparse([0], [1], [1.0], h=[0.0, INF]),
        InvalidInputError,
        r"h must be finite: h\[1\] is inf",
    ),
    (
        "from_qubo-nan",
        lambda: PBitNetwork.from_qubo(np.array([[1.0, NAN], [0.0, 1.0]])),
        InvalidInputError,
        "Q.*finite",
    ),
    # dimod-style input: the biases are named by their position in the problem's arrays
    (
        "from_ising-nan-h",
        lambda: PBitNetwork.from_ising({0: NAN}, {(0, 1): 1.0}),
        InvalidInputError,
        r"^linear biases must be finite: linear biases\[0\] is NaN$",
    ),
    (
        "from_ising-inf-h-array",
        lambda: PBitNetwork.from_ising([0.0, INF], {(0, 1): 1.0}),
        InvalidInputError,
        r"^linear biases must be finite: linear biases\[1\] is inf$",
    ),
    (
        "from_ising-inf-J",
        lambda: PBitNetwork.from_ising({0: 1.0}, {(0, 1): 1.0, (1, 2): -INF}),
        InvalidInputError,
        r"^quadratic biases must be finite: quadratic biases\[1\] is -inf$",
    ),
    (
        "from_qubo-dict-nan",
        lambda: PBitNetwork.from_qubo({(0, 0): 1.0, (0, 1): NAN}),
        InvalidInputError,
        r"^quadratic biases must be finite: quadratic biases\[0\] is NaN$",
    ),
    (
        "from_ising-nan-offset",
        lambda: PBitNetwork.from_ising({0: 1.0}, {(0, 1): 1.0}, offset=NAN),
        InvalidInputError,
        "offset",
    ),
    ("energy-nan-J", lambda: IsingEnergy.energy(NAN_J, None, [1, 1]), InvalidInputError, "finite"),
    ("local_fields-inf-h", lambda: IsingEnergy.local_fields(Z22, [INF, 0.0], [1, 1]), InvalidInputError, "finite"),
    ("qubo_to_ising-inf", lambda: IsingEnergy.qubo_to_ising(np.array([[INF]])), InvalidInputError, "finite"),
    ("ising_to_qubo-nan", lambda: IsingEnergy.ising_to_qubo(NAN_J), InvalidInputError, "finite"),
    ("pbit-nan-bias", lambda: PBit(bias=NAN), InvalidInputError, "bias.*finite"),
    ("pbit-inf-beta", lambda: PBit(beta=INF), InvalidInputError, "beta"),
    ("pbit-nan-input", lambda: PBit().probability_up(NAN), InvalidInputError, "input.*finite"),
    ("pbit-inf-input", lambda: PBit().sample(INF), InvalidInputError, "input.*finite"),
    ("pbit-inf-input-many", lambda: PBit().sample_many(3, -INF), InvalidInputError, "input.*finite"),
    ("betas-nan", lambda: Temperature.from_betas([1.0, NAN]), InvalidInputError, "betas.*finite"),
    ("betas-inf", lambda: Temperature.from_betas([INF]), InvalidInputError, "betas.*finite"),
    ("linear-nan", lambda: Temperature.linear(NAN, 1.0, 3), InvalidInputError, "t_start"),
    ("geometric-inf", lambda: Temperature.geometric(1.0, INF, 3), InvalidInputError, "t_end"),
    ("exponential-rate-nan", lambda: Temperature.exponential(5.0, 1.0, 3, rate=NAN), InvalidInputError, "rate"),
    ("autocorr-nan", lambda: integrated_autocorrelation_time([1.0, NAN, 2.0]), InvalidInputError, "finite"),
    # non-square, non-symmetric, nonzero diagonal, wrong number of dimensions
    ("from_dense-non-square", lambda: PBitNetwork.from_dense(np.zeros((2, 3))), InvalidInputError, r"square.*\(2, 3\)"),
    ("from_dense-asymmetric", lambda: PBitNetwork.from_dense(SQUARE_ASYM), InvalidInputError, r"symmetric.*J\[0,1\]"),
    ("from_dense-diagonal", lambda: PBitNetwork.from_dense(DIAG), InvalidInputError, r"diagonal.*J\[0,0\]"),
    ("from_dense-1d", lambda: PBitNetwork.from_dense(np.zeros(4)), InvalidInputError, "2-D"),
    ("from_dense-3d", lambda: PBitNetwork.from_dense(np.zeros((2, 2, 2))), InvalidInputError, "2-D"),
    ("from_dense-ragged", lambda: PBitNetwork.from_dense([[0.0, 1.0], [1.0]]), InvalidInputError, "array-like"),
    (
        "from_dense-h-length",
        lambda: PBitNetwork.from_dense(Z22, [1.0, 2.0, 3.0]),
        InvalidInputError,
        r"h.*\(2\), got 3",
    ),
    ("from_dense-h-2d", lambda: PBitNetwork.from_dense(Z22, np.zeros((2, 1))), InvalidInputError, "h.*1-D"),
    ("from_qubo-non-square", lambda: PBitNetwork.from_qubo(np.zeros((2, 3))), InvalidInputError, "square"),
    ("energy-non-square", lambda: IsingEnergy.energy(np.zeros((3, 2)), None, [1, 1]), InvalidInputError, "square"),
    ("energy-asymmetric", lambda: IsingEnergy.energy(SQUARE_ASYM, None, [1, 1]), InvalidInputError, "symmetric"),
    ("energy-diagonal", lambda: IsingEnergy.energy(DIAG, None, [1, 1]), InvalidInputError, "diagonal"),
    (
        "local_fields-asymmetric",
        lambda: IsingEnergy.local_fields(SQUARE_ASYM, None, [1, 1]),
        InvalidInputError,
        "symmetric",
    ),
    ("ising_to_qubo-asymmetric", lambda: IsingEnergy.ising_to_qubo(SQUARE_ASYM), InvalidInputError, "symmetric"),
    ("qubo_to_ising-non-square", lambda: IsingEnergy.qubo_to_ising(np.zeros((2, 3))), InvalidInputError, "square"),
    ("energy-h-length", lambda: IsingEnergy.energy(Z22, [1.0], [1, 1]), InvalidInputError, "h"),
    # wrong dtypes
    (
        "from_dense-complex",
        lambda: PBitNetwork.from_dense(np.zeros((2, 2), dtype=complex)),
        InvalidInputError,
        "real numbers.*complex",
    ),
    ("from_dense-strings", lambda: PBitNetwork.from_dense([["0", "1"], ["1", "0"]]), InvalidInputError, "real numbers"),
    (
        "from_dense-object",
        lambda: PBitNetwork.from_dense(np.array([[0, None], [None, 0]], dtype=object)),
        InvalidInputError,
        "real numbers.*object",
    ),
    ("from_dense-bool", lambda: PBitNetwork.from_dense(np.zeros((2, 2), dtype=bool)), InvalidInputError, "booleans"),
    (
        "from_dense-h-complex",
        lambda: PBitNetwork.from_dense(Z22, np.ones(2, dtype=complex)),
        InvalidInputError,
        "h.*real numbers",
    ),
    (
        "from_sparse-rows-str",
        lambda: PBitNetwork.from_sparse(["a"], [1], [1.0]),
        InvalidInputError,
        "rows.*real numbers",
    ),
    ("from_sparse-rows-float", lambda: PBitNetwork.from_sparse([0.5], [1], [1.0]), InvalidInputError, "rows.*whole"),
    (
        "from_sparse-rows-bool",
        lambda: PBitNetwork.from_sparse([True], [False], [1.0]),
        InvalidInputError,
        "rows.*booleans",
    ),
    (
        "from_sparse-values-complex",
        lambda: PBitNetwork.from_sparse([0], [1], [1j]),
        InvalidInputError,
        "values.*real numbers",
    ),
    ("from_sparse-rows-2d", lambda: PBitNetwork.from_sparse([[0]], [[1]], [1.0]), InvalidInputError, "rows.*1-D"),
    (
        "from_qubo-complex",
        lambda: PBitNetwork.from_qubo(np.eye(2, dtype=complex)),
        InvalidInputError,
        "Q.*real numbers",
    ),
    (
        "energy-states-complex",
        lambda: IsingEnergy.energy(Z22, None, np.ones(2, dtype=complex)),
        InvalidInputError,
        "states.*real numbers",
    ),
    ("betas-complex", lambda: Temperature.from_betas([1j]), InvalidInputError, "betas.*real numbers"),
    ("betas-str", lambda: Temperature.from_betas(["a"]), InvalidInputError, "betas.*real numbers"),
    ("betas-2d", lambda: Temperature.from_betas(np.ones((2, 2))), InvalidInputError, "betas.*1-D"),
    ("autocorr-str", lambda: integrated_autocorrelation_time(["a", "b"]), InvalidInputError, "real numbers"),
    ("autocorr-3d", lambda: integrated_autocorrelation_time(np.ones((2, 2, 2))), InvalidInputError, "1-D or 2-D"),
    (
        "from_ising-J-not-dict",
        lambda: PBitNetwork.from_ising([0.0, 1.0], bad([(0, 1, 1.0)])),
        InvalidInputError,
        "dict",
    ),
    ("from_ising-h-2d", lambda: PBitNetwork.from_ising(np.zeros((2, 2)), {}), InvalidInputError, "h.*1-D"),
    (
        "from_qubo-bad-key",
        lambda: PBitNetwork.from_qubo(bad({(0, 1, 2): 1.0})),
        InvalidInputError,
        "pairs",
    ),
    ("from_dimod-not-bqm", lambda: PBitNetwork.from_dimod({"a": 1.0}), InvalidInputError, "dimod"),
    ("sample_set-shapes", lambda: SampleSet([[1, 1]], [1.0, 2.0]), InvalidInputError, "one energy per row"),
    (
        "sample_set-vartype",
        lambda: SampleSet([[1]], [0.0], vartype=bad("X")),
        InvalidInputError,
        "vartype",
    ),
    ("sample_set-variables", lambda: SampleSet([[1]], [0.0], variables=["a", "b"]), InvalidInputError, "variables"),
    (
        "sample_set-occurrences",
        lambda: SampleSet([[1]], [0.0], num_occurrences=[1, 2]),
        InvalidInputError,
        "num_occurrences",
    ),
    ("sample_set-lowest-negative", lambda: SampleSet([[1]], [0.0]).lowest(-1), InvalidInputError, "n"),
    ("sample_set-empty-first", lambda: SampleSet(np.zeros((0, 2)), []).first, InvalidInputError, "empty"),
    # empty networks
    ("network-zero-pbits", lambda: PBitNetwork(0), InvalidInputError, "num_pbits.*at least 1"),
    ("network-negative-pbits", lambda: PBitNetwork(-3), InvalidInputError, "num_pbits"),
    ("from_dense-empty", lambda: PBitNetwork.from_dense(np.zeros((0, 0))), InvalidInputError, "empty"),
    ("from_dense-empty-list", lambda: PBitNetwork.from_dense([]), InvalidInputError, "2-D|empty"),
    ("from_sparse-empty", lambda: PBitNetwork.from_sparse([], [], []), InvalidInputError, "at least one"),
    (
        "from_sparse-zero-pbits",
        lambda: PBitNetwork.from_sparse([], [], [], num_pbits=0),
        InvalidInputError,
        "num_pbits",
    ),
    ("from_qubo-empty", lambda: PBitNetwork.from_qubo(np.zeros((0, 0))), InvalidInputError, "empty"),
    ("from_qubo-empty-dict", lambda: PBitNetwork.from_qubo({}), InvalidInputError, "no variables"),
    ("from_ising-empty", lambda: PBitNetwork.from_ising({}, {}), InvalidInputError, "no variables"),
    ("energy-empty-J", lambda: IsingEnergy.energy(np.zeros((0, 0)), None, [1]), InvalidInputError, "empty"),
    ("energy-empty-states", lambda: IsingEnergy.energy(Z22, None, np.zeros((0, 2))), InvalidInputError, "empty"),
    ("betas-empty", lambda: Temperature.from_betas([]), InvalidInputError, "empty"),
    ("autocorr-empty", lambda: integrated_autocorrelation_time([]), InvalidInputError, "empty"),
    # negative temperatures / betas / steps
    ("linear-negative-t", lambda: Temperature.linear(-1.0, 0.1, 3), InvalidInputError, "t_start.*positive"),
    ("geometric-negative-t", lambda: Temperature.geometric(1.0, -1.0, 3), InvalidInputError, "t_end.*positive"),
    ("linear-zero-t", lambda: Temperature.linear(1.0, 0.0, 3), InvalidInputError, "t_end"),
    ("constant-negative-t", lambda: Temperature.constant(-2.0, 3), InvalidInputError, "positive"),
    ("linear-negative-steps", lambda: Temperature.linear(1.0, 0.1, -3), InvalidInputError, "steps.*at least 1"),
    ("geometric-zero-steps", lambda: Temperature.geometric(1.0, 0.1, 0), InvalidInputError, "steps"),
    ("exponential-negative-steps", lambda: Temperature.exponential(5.0, 1.0, -1), InvalidInputError, "steps"),
    ("exponential-negative-rate", lambda: Temperature.exponential(5.0, 1.0, 3, rate=-1.0), InvalidInputError, "rate"),
    ("constant-zero-steps", lambda: Temperature.constant(1.0, 0), InvalidInputError, "steps"),
    ("betas-negative", lambda: Temperature.from_betas([0.5, -1.0]), InvalidInputError, r"betas\[1\] = -1"),
    ("beta_range-negative", lambda: Temperature.from_beta_range(-0.1, 1.0, 3), InvalidInputError, "beta_range"),
    ("beta_range-steps", lambda: Temperature.from_beta_range(0.1, 1.0, -1), InvalidInputError, "steps"),
    (
        "beta_range-type",
        lambda: Temperature.from_beta_range(0.1, 1.0, 3, bad("cubic")),
        InvalidInputError,
        "cubic",
    ),
    ("pbit-negative-beta", lambda: PBit(beta=-1.0), InvalidInputError, "beta.*non-negative"),
    ("pbit-negative-n", lambda: PBit().sample_many(-1), InvalidInputError, "n must be at least 0"),
    # out-of-range indices, self-couplings
    (
        "from_sparse-index-high",
        lambda: PBitNetwork.from_sparse([0], [5], [1.0], num_pbits=3),
        InvalidInputError,
        r"out of range.*\(0, 5\)",
    ),
    (
        "from_sparse-index-negative",
        lambda: PBitNetwork.from_sparse([-1], [1], [1.0], num_pbits=3),
        InvalidInputError,
        "out of range",
    ),
    (
        "from_sparse-index-vs-h",
        lambda: PBitNetwork.from_sparse([0], [3], [1.0], h=[0.0, 0.0]),
        InvalidInputError,
        "out of range",
    ),
    (
        "from_sparse-self",
        lambda: PBitNetwork.from_sparse([0, 2], [1, 2], [1.0, 1.0]),
        InvalidInputError,
        r"zero diagonal \(no self-coupling\), J\[2,2\] = 1",
    ),
    ("from_sparse-lengths", lambda: PBitNetwork.from_sparse([0, 1], [1], [1.0]), InvalidInputError, "same length"),
    (
        "from_sparse-h-length",
        lambda: PBitNetwork.from_sparse([0], [1], [1.0], h=np.zeros(4), num_pbits=3),
        InvalidInputError,
        "h",
    ),
    ("from_ising-self", lambda: PBitNetwork.from_ising({0: 1.0}, {(0, 0): 1.0}), InvalidInputError, "self-coupling"),
    (
        "delta_energy-index-high",
        lambda: IsingEnergy.delta_energy(Z22, None, [1, 1], 2),
        InvalidInputError,
        "out of range",
    ),
    (
        "delta_energy-index-negative",
        lambda: IsingEnergy.delta_energy(Z22, None, [1, 1], -1),
        InvalidInputError,
        "out of range",
    ),
    # states of the wrong length / values
    ("energy-states-length", lambda: IsingEnergy.energy(Z22, None, [1, 1, 1]), InvalidInputError, "2 spins"),
    ("energy-states-values", lambda: IsingEnergy.energy(Z22, None, [1, 0]), InvalidInputError, r"-1/\+1"),
    (
        "delta_energy-states-values",
        lambda: IsingEnergy.delta_energy(Z22, None, [[1, 1], [1, 5]], 0),
        InvalidInputError,
        r"-1/\+1",
    ),
    # seeds
    ("network-seed-negative", lambda: PBitNetwork(3, seed=-1), InvalidInputError, "seed.*non-negative"),
    ("network-seed-too-large", lambda: PBitNetwork(3, seed=2**64), InvalidInputError, "seed"),
    (
        "network-seed-float",
        lambda: PBitNetwork(3, seed=bad(0.5)),
        InvalidInputError,
        "seed.*float",
    ),
    ("from_dense-seed", lambda: PBitNetwork.from_dense(Z22, seed=-5), InvalidInputError, "seed"),
    (
        "from_qubo-seed",
        lambda: PBitNetwork.from_qubo(np.eye(2), seed=bad("a")),
        InvalidInputError,
        "seed",
    ),
    ("pbit-seed-negative", lambda: PBit(seed=-1), InvalidInputError, "seed"),
    ("pbit-seed-float", lambda: PBit(seed=bad(1.0)), InvalidInputError, "seed"),
    # backends and threads
    (
        "set_backend-name",
        lambda: performance.set_backend(bad("tpu")),
        InvalidInputError,
        "backend.*tpu",
    ),
    ("set_num_threads-negative", lambda: performance.set_num_threads(-1), InvalidInputError, "at least 0"),
]


@pytest.mark.parametrize(("call", "exc", "pattern"), [pytest.param(c, e, p, id=i) for i, c, e, p in STANDALONE_CASES])
def test_bad_input(call: Call, exc: type[QuantumPanarchyError], pattern: str) -> None:
    backend, threads = performance.get_backend(), performance.get_num_threads()
    with pytest.raises(exc, match=pattern) as info:
        call()
    check_error(info, exc)
    assert performance.get_backend() == backend and performance.get_num_threads() == threads


def test_from_dimod_bad_biases() -> None:
    dimod = pytest.importorskip("dimod")
    nan_lin = dimod.BinaryQuadraticModel({0: 1.0, 1: NAN}, {(0, 1): 1.0}, 0.0, "SPIN")
    with pytest.raises(InvalidInputError, match="finite") as info:
        PBitNetwork.from_dimod(nan_lin)
    check_error(info, InvalidInputError)
    inf_offset = dimod.BinaryQuadraticModel({0: 1.0}, {(0, 1): 1.0}, INF, "SPIN")
    with pytest.raises(InvalidInputError, match="offset"):
        PBitNetwork.from_dimod(inf_offset)
    with pytest.raises(InvalidInputError, match="no variables"):
        PBitNetwork.from_dimod(dimod.BinaryQuadraticModel("SPIN"))


def test_pbit_is_usable_after_errors() -> None:
    p, twin = PBit(bias=0.2, beta=1.5, seed=9), PBit(bias=0.2, beta=1.5, seed=9)
    for bad in (
        lambda: p.probability_up(NAN),
        lambda: p.sample(INF),
        lambda: p.sample_many(-2),
        lambda: p.sample_many(4, NAN),
    ):
        with pytest.raises(InvalidInputError):
            bad()
    assert p.bias == 0.2 and p.beta == 1.5
    np.testing.assert_array_equal(p.sample_many(64), twin.sample_many(64))  # random stream untouched


def test_samplers_are_usable_after_errors() -> None:
    net = make_net()
    bs = BoltzmannSampler(net, 0.7, seed=3)
    good = bs.sample(10, burn_in=2, num_chains=2)
    for bad in (
        lambda: bs.sample(0),
        lambda: bs.sample(5, thin=0),
        lambda: bs.observables(5, num_chains=0),
        lambda: bs.sample(5, num_chains=2, initial_states=np.ones((3, N))),
    ):
        with pytest.raises(InvalidInputError):
            bad()
    np.testing.assert_array_equal(bs.sample(10, burn_in=2, num_chains=2), good)
    pt = ParallelTempering(net, [0.3, 1.0], seed=4)
    first = pt.run(20, burn_in=2)
    with pytest.raises(InvalidInputError):
        pt.run(20, swap_interval=-1)
    np.testing.assert_array_equal(pt.run(20, burn_in=2).energies, first.energies)


def test_set_backend_cuda_keeps_previous_backend() -> None:
    if performance.cuda_is_available():
        pytest.skip("CUDA is available here")
    before = performance.get_backend()
    with pytest.raises(BackendUnavailableError, match="CUDA") as info:
        performance.set_backend("cuda")
    check_error(info, BackendUnavailableError)
    assert performance.get_backend() == before
    net, twin = make_net(), make_net()
    with pytest.raises(BackendUnavailableError) as info2:
        net.anneal(backend="cuda")
    check_error(info2, BackendUnavailableError)
    assert_same_network(net, twin)


# --------------------------------------------------------------------------------------------
# inputs that once escaped the hierarchy (regression tests)

HUGE = 2**70


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda n: n.set_coupling(HUGE, 0, 1.0), id="set_coupling-huge-index"),
        pytest.param(lambda n: n.set_field(HUGE, 1.0), id="set_field-huge-index"),
        pytest.param(lambda n: n.anneal(num_reads=HUGE), id="anneal-huge-num_reads"),
        pytest.param(lambda n: n.sweep(1.0, num_sweeps=HUGE), id="sweep-huge-num_sweeps"),
        pytest.param(lambda n: BoltzmannSampler(n, 1.0).sample(HUGE), id="sample-huge-num_samples"),
    ],
)
def test_huge_integer_arguments_raise_invalid_input(call: NetCall) -> None:
    net, twin = make_net(), make_net()
    with pytest.raises(InvalidInputError) as info:
        call(net)
    check_error(info, InvalidInputError)
    assert_same_network(net, twin)


def test_huge_network_size_raises_in_hierarchy() -> None:
    with pytest.raises((InvalidInputError, ResourceLimitError)):
        PBitNetwork(HUGE)


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(
            lambda: PBitNetwork.from_ising(bad({0: "a"}), {(0, 1): 1.0}),
            id="from_ising-str-bias",
        ),
        pytest.param(
            lambda: PBitNetwork.from_ising({0: 1.0}, bad({(0, 1): "x"})),
            id="from_ising-str-coupling",
        ),
        pytest.param(
            lambda: PBitNetwork.from_qubo(bad({(0, 1): "a"})),
            id="from_qubo-str-bias",
        ),
        pytest.param(lambda: PBitNetwork.from_ising([1j, 0.0], {(0, 1): 1.0}), id="from_ising-complex-h"),
        pytest.param(
            lambda: PBitNetwork.from_qubo(bad({(0, 1): 1j})),
            id="from_qubo-complex-bias",
        ),
        pytest.param(lambda: SampleSet([["a"]], [0.0]), id="sample_set-str-samples"),
    ],
)
def test_non_numeric_dict_values_raise_invalid_input(call: Call) -> None:
    with pytest.raises(InvalidInputError, match=r"real|number|float"):
        call()


def test_nan_in_qubo_dict_is_reported_against_q() -> None:
    with pytest.raises(InvalidInputError, match=r"\bQ\b|quadratic"):
        PBitNetwork.from_qubo({(0, 0): 1.0, (0, 1): NAN})


def test_uint64_index_is_reported_as_given() -> None:
    big = np.array([2**63 + 5], dtype=np.uint64)
    with pytest.raises(InvalidInputError, match="9223372036854775813"):
        PBitNetwork.from_sparse(big, [1], [1.0], num_pbits=3)


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda: PBitNetwork(bad(2.5)), id="num_pbits-float"),
        pytest.param(lambda: PBitNetwork(bad("3")), id="num_pbits-str"),
        pytest.param(lambda: make_net().anneal(num_reads=bad(1.5)), id="num_reads-float"),
        pytest.param(lambda: make_net().anneal(beta_range=bad((1.0,))), id="beta_range-length"),
        pytest.param(lambda: BoltzmannSampler(bad("net"), 1.0), id="sampler-not-a-network"),
        pytest.param(lambda: ParallelTempering(bad(None), [0.1, 1.0]), id="tempering-not-a-network"),
    ],
)
def test_wrong_python_types_raise_ordinary_exceptions(call: Call) -> None:
    """Arguments of the wrong Python type: a TypeError/ValueError (or InvalidInputError), never a
    panic (``PanicException`` is a ``BaseException`` and would escape ``pytest.raises``)."""
    with pytest.raises((TypeError, ValueError)):
        call()


# --------------------------------------------------------------------------------------------
# oversized requests: a clear exception, not an abort of the process


@pytest.mark.skipif(sys.platform != "linux", reason="needs RLIMIT_AS")
@pytest.mark.parametrize(
    "call",
    [
        pytest.param("BoltzmannSampler(PBitNetwork(3), 1.0).sample(10**9, num_chains=10**4)", id="sample-recorded"),
        pytest.param("BoltzmannSampler(PBitNetwork(30), 1.0).exact_distribution()", id="exact-30"),
        pytest.param("PBitNetwork(2**32 - 2)", id="network-2**32"),
        pytest.param("PBitNetwork.from_sparse([2**40], [1], [1.0])", id="from_sparse-huge-index"),
        pytest.param("PBitNetwork.from_sparse([0], [1], [1.0], num_pbits=2**32 - 2)", id="from_sparse-num_pbits"),
        pytest.param(
            "BoltzmannSampler(PBitNetwork(3), 1.0).observables(num_samples=2**40, num_chains=2**20)",
            id="observables-samples",
        ),
        pytest.param("PBit().sample_many(2**40)", id="pbit-sample_many"),
        pytest.param("Temperature.constant(1.0, 2**40)", id="temperature-steps"),
        pytest.param("ParallelTempering(PBitNetwork(3), [0.1, 1.0]).run(2**40)", id="tempering-samples"),
    ],
)
def test_oversized_request_raises_instead_of_aborting(call: str) -> None:
    name, detail = raised_under_limit(call, gib=4)
    assert name in {"ResourceLimitError", "InvalidInputError"}, detail


def test_error_messages_are_specific() -> None:
    """The message states the offending value, not just that something was wrong."""
    with pytest.raises(InvalidInputError) as info:
        PBitNetwork.from_dense(np.array([[0.0, 1.5], [2.5, 0.0]]))
    assert "1.5" in str(info.value) and "2.5" in str(info.value)
    with pytest.raises(InvalidInputError) as info:
        Temperature.from_betas([0.1, 0.2, -7.0])
    assert "-7" in str(info.value) and "2" in str(info.value)
    with pytest.raises(InvalidInputError) as info:
        make_net().anneal(seed=-12345)
    assert "-12345" in str(info.value)
    assert not math.isnan(make_net().energy())
