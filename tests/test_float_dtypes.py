"""Every public entry point that takes a float array takes float16 and float32 too, in any layout,
and computes what it computes for the float64 values of those numbers.

Each case runs twice on the same numbers: once with the arrays in the dtype under test (C-ordered,
Fortran-ordered or strided) and once with ``x.astype(np.float64)``; the results must be identical.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from quantumpanarchy.core import (
    BoltzmannSampler,
    IsingEnergy,
    ParallelTempering,
    PBitNetwork,
    SampleSet,
    Temperature,
    integrated_autocorrelation_time,
)
from quantumpanarchy.decision import IQAD, NQO, QAOA, QAR, QERC, Annealing

FloatArray = npt.NDArray[np.float64]
Cast = Callable[[FloatArray], Any]
Case = Callable[[Cast], Any]

RNG = np.random.default_rng(7)
N = 6
UPPER = np.triu(RNG.normal(size=(N, N)), 1)
J = UPPER + UPPER.T
ROWS, COLS = np.nonzero(UPPER)
H = RNG.normal(size=N)
Q = RNG.normal(size=(4, 4))
Q_SYM = (Q + Q.T) / 2
STATES = np.where(RNG.random((5, N)) < 0.5, 1.0, -1.0)
BETAS = np.linspace(0.1, 1.5, 8)
SERIES = np.cumsum(RNG.normal(size=(2, 300)), axis=1)
RETURNS = np.array([0.10, 0.07, 0.12, 0.05])
COVARIANCE = np.array(
    [[0.09, 0.01, 0.02, 0.0], [0.01, 0.04, 0.0, 0.01], [0.02, 0.0, 0.16, 0.02], [0.0, 0.01, 0.02, 0.01]]
)
FACTORS = RNG.random((40, 3))
OUTCOMES = (FACTORS.mean(axis=1) > 0.5).astype(np.float64)
X = RNG.normal(size=(60, 3))
SEQUENCE = np.sin(np.linspace(0.0, 12.0, 80))[:, None] + 0.1 * RNG.normal(size=(80, 1))


def network() -> PBitNetwork:
    return PBitNetwork.from_dense(J, H, seed=3)


def with_state(state: Any) -> Any:
    net = network()
    net.state = state
    return net.state


def samples(s: SampleSet) -> tuple[Any, ...]:
    return s.samples, s.energies, s.num_occurrences


def dimod_samples(s: Any) -> tuple[Any, ...]:
    return s.record.sample, s.record.energy


def results(r: Any) -> tuple[Any, ...]:
    """The numbers a result object holds (arrays, floats), for comparison."""
    return tuple(v for v in vars(r).values() if isinstance(v, (np.ndarray, float, int, list)))


def quadratic(x: FloatArray) -> float:
    return float(np.sum((x - 0.3) ** 2))


CASES: dict[str, Case] = {
    # core
    "from_dense": lambda c: PBitNetwork.from_dense(c(J), c(H)).to_dense(),
    "from_sparse": lambda c: PBitNetwork.from_sparse(ROWS, COLS, c(UPPER[ROWS, COLS]), h=c(H), num_pbits=N).to_dense(),
    "from_qubo": lambda c: (lambda n: (*n.to_dense(), n.offset))(PBitNetwork.from_qubo(c(Q))),
    "from_ising-h": lambda c: PBitNetwork.from_ising(c(H), {(0, 1): 0.5}).to_dense(),
    "IsingEnergy.energy": lambda c: IsingEnergy.energy(c(J), c(H), c(STATES)),
    "IsingEnergy.local_fields": lambda c: IsingEnergy.local_fields(c(J), c(H), c(STATES)),
    "IsingEnergy.delta_energy": lambda c: IsingEnergy.delta_energy(c(J), c(H), c(STATES), 2),
    "IsingEnergy.qubo_to_ising": lambda c: IsingEnergy.qubo_to_ising(c(Q)),
    "IsingEnergy.ising_to_qubo": lambda c: IsingEnergy.ising_to_qubo(c(J), c(H)),
    "network.energy": lambda c: (network().energy(c(STATES)), network().local_fields(c(STATES[0]))),
    "network.state": lambda c: with_state(c(STATES[1])),
    "Temperature.from_betas": lambda c: Temperature.from_betas(c(BETAS)).betas(),
    "anneal-initial_states": lambda c: samples(
        network().anneal(Temperature.from_betas(c(BETAS)), num_reads=5, seed=1, initial_states=c(STATES))
    ),
    "BoltzmannSampler.sample-initial_states": lambda c: BoltzmannSampler(network(), 0.7, seed=2).sample(
        10, burn_in=5, num_chains=5, initial_states=c(STATES)
    ),
    "BoltzmannSampler.autocorrelation_time": lambda c: BoltzmannSampler.autocorrelation_time(c(SERIES)),
    "ParallelTempering-betas": lambda c: results(ParallelTempering(network(), c(BETAS), seed=4).run(20, burn_in=5)),
    "integrated_autocorrelation_time": lambda c: integrated_autocorrelation_time(c(SERIES[0])),
    # decision
    "QAOA.expectation": lambda c: QAOA(4, num_layers=2).expectation(c(Q), c(BETAS[:2]), c(BETAS[2:4])),
    "QAOA.expectation-sets": lambda c: QAOA(4).expectation(c(Q), c(BETAS.reshape(4, 2)), c(BETAS[::-1].reshape(4, 2))),
    "QAOA.probabilities": lambda c: QAOA(4, num_layers=1).probabilities(c(Q_SYM), c(BETAS[:1]), c(BETAS[1:2])),
    "QAOA.optimize": lambda c: results(
        QAOA(4, num_layers=1, budget=2, maxiter=20, seed=5, restarts=1).optimize(c(RETURNS), c(COVARIANCE))
    ),
    "QAOA.sample_qubo": lambda c: samples(
        QAOA(4, seed=6).sample_qubo(c(Q), gammas=c(BETAS[:2]), betas=c(BETAS[2:4]), shots=50)
    ),
    "QAR.fit-decide": lambda c: (
        lambda q: (q.weights_, q.couplings_, q.decide(c(FACTORS[0])).to_dict(), q.predict(c(FACTORS)))
    )(QAR(num_pbits=3, max_iter=10, seed=1).fit(c(FACTORS), c(OUTCOMES))),
    "IQAD.fit-score": lambda c: IQAD(n_hidden=4, n_epochs=3, seed=2).fit(c(X)).score_samples(c(X[:10])),
    "QERC.fit-predict": lambda c: (
        QERC(n_reservoir=20, seed=3, pooling="last")
        .fit([c(SEQUENCE[:40]), c(SEQUENCE[40:])], c(np.array([[0.5], [1.5]])))
        .predict([c(SEQUENCE[:40])])
    ),
    "QERC.fit-predict-steps": lambda c: (
        QERC(n_reservoir=20, seed=3, washout=5).fit(c(SEQUENCE[:-1]), c(SEQUENCE[1:])).predict(c(SEQUENCE[:20]))
    ),
    "Annealing.sample_qubo": lambda c: dimod_samples(
        Annealing(num_reads=4, seed=2).sample_qubo(
            c(Q), beta_schedule_type="custom", beta_schedule=c(BETAS), initial_states=c((STATES[:4, :4] + 1) / 2)
        )
    ),
    "Annealing.sample_ising-h": lambda c: dimod_samples(
        Annealing(num_reads=3, num_sweeps=20, seed=2).sample_ising(c(H), {(0, 1): -1.0, (2, 5): 0.5})
    ),
    "NQO.minimize": lambda c: results(
        NQO(maxfun=30, seed=4).minimize(quadratic, c(np.array([[-1.0, 1.0], [-2.0, 2.0]])), x0=c(np.array([0.5, 0.5])))
    ),
}


def casts(dtype: type[np.floating[Any]], layout: str) -> tuple[Cast, Cast]:
    """(to the dtype under test in `layout`, to the float64 values of those numbers)."""

    def lowered(x: FloatArray) -> Any:
        y = np.asarray(x).astype(dtype)
        if layout == "fortran":
            return np.asfortranarray(y)
        if layout == "strided" and y.ndim >= 1:
            wide = np.zeros((*y.shape[:-1], 2 * y.shape[-1]), dtype=dtype)
            wide[..., ::2] = y
            return wide[..., ::2]
        return y

    return lowered, lambda x: np.asarray(lowered(x)).astype(np.float64)


def same(a: Any, b: Any) -> None:
    if isinstance(a, (tuple, list)):
        assert isinstance(b, (tuple, list)) and len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            same(x, y)
    elif isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys()
        for k in a:
            same(a[k], b[k])
    else:
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


@pytest.mark.parametrize("layout", ["contiguous", "fortran", "strided"])
@pytest.mark.parametrize("dtype", [np.float16, np.float32])
@pytest.mark.parametrize("case", list(CASES))
def test_float_dtypes_compute_what_float64_computes(case: str, dtype: type[np.floating[Any]], layout: str) -> None:
    if case.startswith("Annealing."):
        pytest.importorskip("dimod")
    low, wide = casts(dtype, layout)
    same(CASES[case](low), CASES[case](wide))


def test_float16_is_read_without_a_float64_copy_in_python(monkeypatch: pytest.MonkeyPatch) -> None:
    """float16/32/64 numpy arrays never go through the Python conversion helper (wherever it is
    imported), in the core or in the estimators."""
    import quantumpanarchy._validation as validation

    def refuse(*args: Any) -> Any:
        raise AssertionError(f"converted in Python: {args[1]}")

    original = validation.as_float_array
    for module in list(sys.modules.values()):
        if module.__name__.startswith("quantumpanarchy") and getattr(module, "as_float_array", None) is original:
            monkeypatch.setattr(module, "as_float_array", refuse)
    for dtype in (np.float16, np.float32, np.float64):
        j = np.asfortranarray(J.astype(dtype))
        PBitNetwork.from_dense(j, H.astype(dtype)[::-1])
        PBitNetwork.from_sparse(ROWS, COLS, UPPER[ROWS, COLS].astype(dtype), num_pbits=N)
        IsingEnergy.qubo_to_ising(Q.astype(dtype))
        Temperature.from_betas(BETAS.astype(dtype)[::2])
        integrated_autocorrelation_time(SERIES.astype(dtype))
        QAOA(4, num_layers=1).expectation(Q.astype(dtype), BETAS[:1].astype(dtype), BETAS[1:2].astype(dtype))
        factors = np.asfortranarray(FACTORS.astype(dtype))
        qar = QAR(num_pbits=3, max_iter=5, seed=1).fit(factors, OUTCOMES)
        qar.predict(factors[::2])
        qar.decide(factors[0])
        qar.decide_batch(factors[:3])
        sequence = SEQUENCE.astype(dtype)
        QERC(n_reservoir=20, seed=3, washout=5).fit(sequence[:-1], sequence[1:]).predict(sequence[:20:2])
        pooled = QERC(n_reservoir=20, seed=3, pooling="last").fit([sequence[:40], sequence[40:]], [[0.5], [1.5]])
        pooled.predict(np.stack([sequence[:40], sequence[40:]]))
        QERC(n_reservoir=20, seed=3).fit(sequence[:, 0], (sequence[:, 0] > 0).astype(np.int64)).predict(sequence)
