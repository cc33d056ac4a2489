"""decision.Annealing: dimod conformance, ground states by enumeration, dwave-samplers' arguments."""

from __future__ import annotations

import asyncio
import pickle
import unittest
from typing import Any

import dimod as _dimod
import numpy as np
import pytest
from quantumpanarchy import InvalidInputError, InvalidTypeError
from quantumpanarchy.core import PBitNetwork, SampleSet, Temperature
from quantumpanarchy.decision import Annealing

# dimod ships partial annotations; its test helpers and solvers are untyped.
dimod: Any = _dimod


@dimod.testing.load_sampler_bqm_tests(Annealing(num_reads=3, num_sweeps=50, seed=1))
class TestDimodConformance(unittest.TestCase):
    def test_sampler_api(self) -> None:
        dimod.testing.assert_sampler_api(Annealing())


@pytest.mark.parametrize("seed", range(6))
def test_finds_ground_states_of_small_problems(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 10
    bqm = dimod.generators.gnp_random_bqm(n, 0.5, "SPIN" if seed % 2 else "BINARY", random_state=seed)
    bqm.offset = float(rng.normal())
    exact = dimod.ExactSolver().sample(bqm).first.energy
    got = Annealing(num_reads=10, num_sweeps=500, seed=seed).sample(bqm)
    assert isinstance(got, dimod.SampleSet)
    assert got.vartype is bqm.vartype
    dimod.testing.assert_sampleset_energies(got, bqm)
    assert got.first.energy == pytest.approx(exact, abs=1e-9)


def test_sample_ising_and_qubo_match_enumeration() -> None:
    h = {"a": 0.5, "b": -1.0, "c": 0.25}
    J = {("a", "b"): -1.0, ("b", "c"): 1.5, ("a", "c"): 0.75}
    sampler = Annealing(num_reads=8, num_sweeps=300, seed=2)
    ising = sampler.sample_ising(h, J)
    assert isinstance(ising, dimod.SampleSet)
    assert ising.first.energy == pytest.approx(dimod.ExactSolver().sample_ising(h, J).first.energy)
    Q = np.array([[-1.0, 2.0, 0.0], [0.0, -1.0, 2.0], [0.0, 0.0, -1.0]])
    qubo = sampler.sample_qubo(Q)
    assert qubo.vartype is dimod.BINARY
    assert qubo.first.energy == pytest.approx(-2.0)  # x = (1, 0, 1)
    assert qubo.first.sample == {0: 1, 1: 0, 2: 1}
    as_dict = sampler.sample_qubo({(0, 0): -1.0, (0, 1): 2.0, (1, 1): -1.0, (1, 2): 2.0, (2, 2): -1.0})
    assert as_dict.first.sample == {0: 1, 1: 0, 2: 1}
    with pytest.raises(InvalidInputError, match="square"):
        sampler.sample_qubo(np.ones((2, 3)))


def test_a_network_gives_a_native_sample_set() -> None:
    net = PBitNetwork.from_ising({0: 1.0}, {(0, 1): -1.0})
    out = Annealing(num_reads=2, num_sweeps=20, seed=1).sample(net)
    assert isinstance(out, SampleSet)
    assert out.best().energy == pytest.approx(-2.0)


def test_seeded_results_do_not_depend_on_threads_or_calls() -> None:
    side = 64  # 4096 spins: a lane group whose sweeps idle threads help with
    idx = np.arange(side * side).reshape(side, side)
    rows = np.concatenate([idx.ravel(), idx.ravel()])
    cols = np.concatenate([np.roll(idx, -1, axis=1).ravel(), np.roll(idx, -1, axis=0).ravel()])
    net = PBitNetwork.from_sparse(rows, cols, np.ones(len(rows)), num_pbits=side * side)
    sampler = Annealing(num_reads=9, num_sweeps=40, seed=5)
    one = sampler.sample(net, num_threads=1)
    two = sampler.sample(net, num_threads=2)
    assert one == two
    assert sampler.sample(net, num_threads=2) == two


def test_dwave_argument_names() -> None:
    bqm = dimod.generators.ran_r(1, 16, seed=3)
    sampler = Annealing(seed=4)
    base = sampler.sample(bqm, num_reads=4, num_sweeps=100, beta_range=(0.1, 4.0), beta_schedule_type="linear")
    assert len(base) == 4
    custom = sampler.sample(bqm, num_reads=4, beta_schedule_type="custom", beta_schedule=np.linspace(0.1, 4.0, 100))
    same = sampler.sample(bqm, num_reads=4, schedule=Temperature.from_betas(np.linspace(0.1, 4.0, 100)))
    np.testing.assert_array_equal(custom.record.sample, same.record.sample)
    np.testing.assert_array_equal(base.record.sample, custom.record.sample)  # the same linear betas
    gibbs = sampler.sample(bqm, num_reads=4, num_sweeps=100, proposal_acceptance_criteria="Gibbs")
    assert gibbs.info["method"] == "gibbs"
    init = np.ones((4, 16), dtype=np.int8)
    assert len(sampler.sample(bqm, num_reads=4, num_sweeps=10, initial_states=init)) == 4


# (dwave-samplers' own arguments are refused in tests/test_decision_annealing_dwave.py)
@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"randomize_orders": True}, "unknown argument"),
        ({"beta_schedule": [0.1, 1.0]}, "beta_schedule"),
        ({"time_limit": 0.0}, "time_limit"),
        ({"time_limit": float("nan")}, "time_limit"),
        ({"num_threads": 0}, "num_threads"),
        ({"num_sweeps": -1}, "num_sweeps"),
    ],
)
def test_bad_arguments_are_refused(kwargs: dict[str, object], match: str) -> None:
    bqm = dimod.generators.ran_r(1, 5, seed=0)
    with pytest.raises(InvalidInputError, match=match):
        Annealing(seed=1).sample(bqm, **bad(kwargs))


def test_bad_defaults_fail_at_construction() -> None:
    unknown: Any = {"interrupt": lambda: False}
    with pytest.raises(InvalidInputError, match="unknown argument"):
        Annealing(**unknown)
    with pytest.raises(InvalidTypeError, match="num_reads"):
        Annealing(num_reads=bad(2.0))
    with pytest.raises(InvalidInputError, match="expected a dimod BQM"):
        Annealing().sample({"a": 1})


def bad(value: object) -> Any:
    """An argument of a type the annotations rule out, passed on purpose."""
    return value


def test_a_schedule_per_call_replaces_the_constructors_schedule_of_the_other_kind() -> None:
    bqm = dimod.generators.ran_r(1, 8, seed=1)
    shaped = Annealing(num_sweeps=300, beta_range=(0.2, 3.0), seed=2)
    custom = shaped.sample(bqm, beta_schedule_type="custom", beta_schedule=[0.5, 1.0])
    assert custom.info["num_sweeps"] == 2 and custom.info["beta_range"] == (0.5, 1.0)
    stepwise = Annealing(beta_schedule_type="custom", beta_schedule=[0.5, 1.0], seed=2)
    ranged = stepwise.sample(bqm, beta_range=(0.1, 2.0))
    assert ranged.info["num_sweeps"] == 1000 and ranged.info["beta_schedule_type"] == "geometric"
    assert stepwise.sample(bqm, beta_schedule_type="linear", num_sweeps=10).info["num_sweeps"] == 10
    # within one call, dwave-samplers' rules hold
    with pytest.raises(InvalidInputError, match="num_sweeps"):
        shaped.sample(bqm, beta_schedule_type="custom", beta_schedule=[0.5, 1.0], num_sweeps=300)


def test_time_limit_keeps_at_least_one_read() -> None:
    net = PBitNetwork.from_dense(np.ones((400, 400)) - np.eye(400))
    out = Annealing(num_reads=64, num_sweeps=2000, seed=1).sample(net, time_limit=1e-6, num_threads=1)
    assert 1 <= len(out) < 64


def test_pickle_repr_and_async() -> None:
    sampler = Annealing(num_reads=3, num_sweeps=50, seed=9, beta_range=(0.1, 3.0))
    clone = pickle.loads(pickle.dumps(sampler))
    assert repr(clone) == repr(sampler) == "Annealing(num_sweeps=50, num_reads=3, seed=9, beta_range=(0.1, 3.0))"
    bqm = dimod.generators.ran_r(1, 8, seed=2)
    want = sampler.sample(bqm)
    got = asyncio.run(clone.sample_async(bqm))
    np.testing.assert_array_equal(want.record.sample, got.record.sample)
    assert asyncio.run(clone.sample_qubo_async({(0, 0): -1.0})).first.energy == -1.0


def test_works_inside_dimod_composites() -> None:
    bqm = dimod.generators.ran_r(1, 10, seed=6)
    composite = dimod.TruncateComposite(Annealing(num_reads=6, num_sweeps=200, seed=3), n=2)
    out = composite.sample(bqm)
    assert len(out) == 2
    dimod.testing.assert_sampleset_energies(out, bqm)
    assert out.first.energy == pytest.approx(dimod.ExactSolver().sample(bqm).first.energy)
