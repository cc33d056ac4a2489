"""decision.QAOA: exact against Qiskit's statevector (and qiskit-aer), the p=1 MaxCut closed
form (R11), the portfolio optimiser on random and real (skfolio S&P 500) data, the API contract
and bad inputs."""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import pickle
import warnings
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from quantumpanarchy import performance
from quantumpanarchy.core import SampleSet
from quantumpanarchy.decision import QAOA, PortfolioAllocation, QAOAParameters
from quantumpanarchy.exceptions import BackendUnavailableError, InvalidInputError, ResourceLimitError

FloatArray = npt.NDArray[np.float64]
qiskit = pytest.importorskip("qiskit")


def qubo_operator(Q: FloatArray) -> Any:
    """C(x) = xᵀQx as a Qiskit SparsePauliOp, with x_i = (1 − Z_i)/2 on qubit i."""
    from qiskit.quantum_info import SparsePauliOp

    n = len(Q)
    Q = (Q + Q.T) / 2
    terms: list[tuple[str, list[int], float]] = []
    const = 0.0
    for i, j in itertools.product(range(n), repeat=2):
        q = float(Q[i, j])
        if i == j:
            const += q / 2
            terms.append(("Z", [i], -q / 2))
        else:
            const += q / 4
            terms += [("Z", [i], -q / 4), ("Z", [j], -q / 4), ("ZZ", [i, j], q / 4)]
    terms.append(("I", [0], const))
    return SparsePauliOp.from_sparse_list(terms, num_qubits=n).simplify()


def qiskit_circuit(Q: FloatArray, gammas: FloatArray, betas: FloatArray) -> tuple[Any, Any]:
    """Qiskit's QAOA ansatz for C with the angles bound, and the operator C."""
    from qiskit.circuit.library import qaoa_ansatz

    op = qubo_operator(Q)
    ansatz = qaoa_ansatz(op, reps=len(gammas))
    values = {}
    for par in ansatz.parameters:
        k = int(par.name.split("[")[1].rstrip("]"))
        values[par] = betas[k] if par.name.startswith("β") else gammas[k]
    return ansatz.assign_parameters(values), op


def qiskit_expectation(Q: FloatArray, gammas: FloatArray, betas: FloatArray) -> tuple[float, FloatArray]:
    from qiskit.quantum_info import Statevector

    circuit, op = qiskit_circuit(Q, gammas, betas)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy sparse-efficiency notes from the exact evolution
        sv = Statevector(circuit)
    return float(sv.expectation_value(op).real), sv.probabilities()


def random_qubo(n: int, seed: int) -> FloatArray:
    return np.random.default_rng(seed).normal(size=(n, n))


def brute_force(Q: FloatArray) -> FloatArray:
    n = len(Q)
    x = (np.arange(2**n)[:, None] >> np.arange(n)) & 1
    return np.asarray(np.einsum("ki,ij,kj->k", x, Q, x), dtype=np.float64)


# --- exactness -------------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "p"), [(1, 1), (2, 3), (3, 1), (4, 2), (6, 3), (9, 2)])
def test_expectation_matches_qiskit_statevector(n: int, p: int) -> None:
    rng = np.random.default_rng(100 * n + p)
    Q = rng.normal(size=(n, n))
    g, b = rng.uniform(-1.5, 1.5, p), rng.uniform(-1.5, 1.5, p)
    ref, ref_probs = qiskit_expectation(Q, g, b)
    qaoa = QAOA(n)
    assert qaoa.expectation(Q, g, b) == pytest.approx(ref, abs=1e-10)
    np.testing.assert_allclose(qaoa.probabilities(Q, g, b), ref_probs, atol=1e-12)


def test_expectation_matches_qiskit_aer() -> None:
    aer = pytest.importorskip("qiskit_aer")
    from qiskit import transpile
    from qiskit.quantum_info import Statevector

    n, p = 12, 2
    rng = np.random.default_rng(7)
    Q = rng.normal(size=(n, n))
    g, b = rng.uniform(-1, 1, p), rng.uniform(-1, 1, p)
    circuit, op = qiskit_circuit(Q, g, b)
    sim = aer.AerSimulator(method="statevector", precision="double")
    circuit = transpile(circuit, sim)
    circuit.save_statevector()
    state = Statevector(sim.run(circuit).result().get_statevector())
    ref = float(state.expectation_value(op).real)
    assert QAOA(n).expectation(Q, g, b) == pytest.approx(ref, abs=1e-10)


def test_expectation_of_the_plus_state_is_the_mean_of_c() -> None:
    Q = random_qubo(7, 3)
    assert QAOA(7).expectation(Q, [0.0], [0.0]) == pytest.approx(brute_force(Q).mean(), abs=1e-12)


def test_p1_maxcut_closed_form_on_the_cube() -> None:
    """R11: triangle-free 3-regular graph at γ = arctan(1/√2), β = π/8 (in the MaxCut sign
    convention, C = Σ_edges (x_i − x_j)² is maximised, so the angles flip sign)."""
    edges = [(a, b) for a in range(8) for b in range(a + 1, 8) if bin(a ^ b).count("1") == 1]
    Q = np.zeros((8, 8))
    for i, j in edges:  # (x_i − x_j)² = x_i + x_j − 2 x_i x_j
        Q[i, i] += 1
        Q[j, j] += 1
        Q[i, j] -= 1
        Q[j, i] -= 1
    gamma, beta = math.atan(1 / math.sqrt(2)), math.pi / 8
    value = QAOA(8).expectation(Q, [-gamma], [-beta])
    assert value == pytest.approx(8.3094010768, abs=1e-9)
    assert value / len(edges) == pytest.approx(0.5 + 1 / (3 * math.sqrt(3)), abs=1e-12)


def test_batched_angles_equal_one_at_a_time() -> None:
    Q = random_qubo(10, 11)
    rng = np.random.default_rng(2)
    G, B = rng.uniform(-1, 1, (17, 3)), rng.uniform(-1, 1, (17, 3))
    qaoa = QAOA(10)
    batch = qaoa.expectation(Q, G, B)
    assert isinstance(batch, np.ndarray) and batch.shape == (17,)
    one = [qaoa.expectation(Q, g, b) for g, b in zip(G, B, strict=True)]
    np.testing.assert_array_equal(batch, one)


def test_dict_and_asymmetric_q_mean_what_they_say() -> None:
    Q = np.triu(random_qubo(5, 4))
    g, b = [0.3, -0.2], [0.5, 0.1]
    qaoa = QAOA(5)
    sym = qaoa.expectation((Q + Q.T) / 2, g, b)
    assert qaoa.expectation(Q, g, b) == pytest.approx(sym, abs=1e-12)
    as_dict = {(i, j): Q[i, j] for i in range(5) for j in range(i, 5)}
    assert qaoa.expectation(as_dict, g, b) == pytest.approx(sym, abs=1e-12)


def test_results_do_not_depend_on_the_thread_count(restore_threads: None) -> None:
    Q = random_qubo(16, 5)  # past the parallel threshold (15 qubits)
    qaoa = QAOA(16, num_layers=1, maxiter=20, restarts=0, seed=3)
    runs = []
    for threads in (1, 2):
        performance.set_num_threads(threads)
        runs.append((qaoa.expectation(Q, [0.2, 0.1], [0.3, 0.7]), qaoa.sample_qubo(Q, shots=500)))
    assert runs[0][0] == runs[1][0]
    assert runs[0][1] == runs[1][1]


# --- sampling --------------------------------------------------------------------------------


def test_sample_qubo_with_given_angles_follows_the_state() -> None:
    Q = random_qubo(4, 8)
    g, b = np.array([0.4, 0.8]), np.array([0.6, 0.2])
    qaoa = QAOA(4, seed=1)
    s = qaoa.sample_qubo(Q, gammas=g, betas=b, shots=40_000)
    assert isinstance(s, SampleSet) and s.vartype == "BINARY"
    assert int(s.num_occurrences.sum()) == 40_000
    np.testing.assert_allclose(s.energies, np.einsum("ki,ij,kj->k", s.samples, Q, s.samples), atol=1e-12)
    index = (s.samples.astype(np.int64) << np.arange(4)).sum(axis=1)
    freq = np.zeros(16)
    freq[index] = s.num_occurrences / 40_000
    probs = qaoa.probabilities(Q, g, b)
    assert np.abs(freq - probs).max() < 5 * math.sqrt(0.25 / 40_000)
    assert s.info["expectation"] == pytest.approx(qaoa.expectation(Q, g, b), abs=1e-12)


def test_sample_qubo_tunes_angles_and_finds_the_minimum() -> None:
    Q = random_qubo(6, 21)
    qaoa = QAOA(6, num_layers=3, seed=5)
    s = qaoa.sample_qubo(Q)
    assert s.info["optimal_energy"] == pytest.approx(brute_force((Q + Q.T) / 2).min(), abs=1e-12)
    assert s.first.energy == pytest.approx(s.info["optimal_energy"], abs=1e-12)
    assert len(s.info["gammas"]) == 3 and s.info["nfev"] > 0
    assert s == qaoa.sample_qubo(Q), "same seed, same samples"
    labelled = qaoa.sample_qubo({("a", "b"): 2.0, ("a", "a"): -1.0, ("b", "b"): -1.0})
    assert labelled.variables == ["a", "b"]
    assert labelled.first.energy == -1.0


# --- portfolio -------------------------------------------------------------------------------


def random_portfolio(n: int, seed: int) -> tuple[FloatArray, FloatArray]:
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(n, 2 * n))
    return rng.normal(0.08, 0.05, n), a @ a.T / (2 * n) * 0.04


def portfolio_energies(mu: FloatArray, cov: FloatArray, t: float, budget: int, penalty: float) -> FloatArray:
    n = len(mu)
    x = ((np.arange(2**n)[:, None] >> np.arange(n)) & 1).astype(float)
    return np.asarray(
        (1 - t) * np.einsum("ki,ij,kj->k", x, cov, x) - t * x @ mu + penalty * (x.sum(1) - budget) ** 2,
        dtype=np.float64,
    )


def test_portfolio_allocation_is_consistent_with_brute_force() -> None:
    mu, cov = random_portfolio(8, 1)
    r = QAOA(8, num_layers=2, seed=0).optimize(mu, cov, risk_tolerance=0.4)
    assert isinstance(r, PortfolioAllocation) and isinstance(r.parameters, QAOAParameters)
    e = portfolio_energies(mu, cov, 0.4, r.budget, r.penalty)
    assert r.budget == 4
    assert r.optimal_energy == pytest.approx(e.min(), abs=1e-12)
    assert r.energy == pytest.approx(e[r.bitstring], abs=1e-12)
    assert r.approximation_ratio == pytest.approx((e.max() - r.expectation) / (e.max() - e.min()), abs=1e-9)
    w = np.zeros(8)
    w[[int(str(a)) for a in r.selected]] = 1 / len(r.selected)
    np.testing.assert_allclose(r.weights, w)
    assert r.expected_return == pytest.approx(w @ mu)
    assert r.risk == pytest.approx(math.sqrt(w @ cov @ w))
    assert r.sharpe_ratio == pytest.approx(r.expected_return / r.risk)
    assert len(r.parameters.gammas) == len(r.parameters.betas) == 2
    # ⟨E⟩ at the reported angles, through the QUBO written out by hand: x_i² = x_i puts the
    # linear terms on the diagonal and A·B² is the constant
    t, a, k = 0.4, r.penalty, r.budget
    Q = (1 - t) * cov - t * np.diag(mu) + a * (np.ones((8, 8)) - 2 * k * np.eye(8))
    g, b = r.parameters
    assert QAOA(8).expectation(Q, g, b) + a * k * k == pytest.approx(r.expectation, abs=1e-10)
    probs = QAOA(8).probabilities(Q, g, b)
    assert r.optimum_probability == pytest.approx(probs[np.argmin(e)], abs=1e-14)
    sizes = np.array([bin(x).count("1") for x in range(256)])
    assert r.feasible_probability == pytest.approx(probs[sizes == k].sum(), abs=1e-12)


def test_approximation_ratio_grows_with_depth() -> None:
    mu, cov = random_portfolio(7, 3)
    ratios = []
    for p in (1, 2, 3):
        r = QAOA(7, num_layers=p, seed=2).optimize(mu, cov)
        assert r.approximation_ratio is not None
        ratios.append(r.approximation_ratio)
        assert all(b <= a + 1e-12 for a, b in itertools.pairwise(r.expectation_by_depth))
    assert ratios[0] <= ratios[1] + 1e-12 <= ratios[2] + 2e-12
    assert ratios[2] > ratios[0] + 0.01, ratios


@pytest.mark.parametrize("optimizer", ["nelder-mead", "cobyla"])
def test_both_optimizers_beat_the_uniform_superposition(optimizer: str) -> None:
    mu, cov = random_portfolio(6, 9)
    r = QAOA(6, num_layers=2, optimizer=optimizer, seed=4).optimize(mu, cov)  # type: ignore[arg-type]
    e = portfolio_energies(mu, cov, 0.5, r.budget, r.penalty)
    assert r.expectation < e.mean() - 0.5 * (e.mean() - e.min())
    assert r.approximation_ratio is not None and r.approximation_ratio > 0.75


def test_real_data_portfolio_from_skfolio() -> None:
    datasets = pytest.importorskip("skfolio.datasets")
    prices = datasets.load_sp500_dataset().iloc[:, :10]
    returns = prices.pct_change().dropna()
    mu, cov = returns.mean() * 252, returns.cov() * 252
    qaoa = QAOA(10, num_layers=3, budget=4, seed=0)
    r = qaoa.optimize(mu, cov, risk_tolerance=0.5)
    e = portfolio_energies(mu.to_numpy(), cov.to_numpy(), 0.5, 4, r.penalty)
    assert r.assets == list(prices.columns)
    assert set(r.selected) <= set(prices.columns)
    assert r.optimal_energy == pytest.approx(e.min(), abs=1e-12)
    assert r.approximation_ratio is not None and r.approximation_ratio > 0.8, r.approximation_ratio
    # the chosen portfolio is among the best few of the C(10, 4) = 210 feasible ones
    feasible = np.sort(e[[k for k in range(2**10) if bin(k).count("1") == 4]])
    assert r.energy <= feasible[min(9, len(feasible) - 1)] + 1e-12
    print(f"\nskfolio 10 assets, budget 4, p=3: ratio {r.approximation_ratio:.4f}, selected {r.selected}")


def test_shots_pick_the_best_measured_bitstring() -> None:
    mu, cov = random_portfolio(6, 13)
    r = QAOA(6, num_layers=2, shots=2000, seed=6).optimize(mu, cov)
    assert r.energy == pytest.approx(r.optimal_energy, abs=1e-12)


# --- contract --------------------------------------------------------------------------------


def test_pickling_params_repr_and_to_dict() -> None:
    qaoa = QAOA(6, num_layers=1, optimizer="cobyla", seed=3, restarts=1)
    clone = pickle.loads(pickle.dumps(qaoa))
    assert clone == qaoa and repr(clone) == repr(qaoa)
    assert clone.get_params()["optimizer"] == "cobyla"
    assert qaoa.set_params(num_layers=2) is qaoa and qaoa.num_layers == 2
    mu, cov = random_portfolio(6, 2)
    r = qaoa.optimize(mu, cov)
    again = pickle.loads(pickle.dumps(r))
    assert again.to_dict() == r.to_dict()
    json.dumps(r.to_dict())
    assert type(r).__module__ == "quantumpanarchy.decision"


def test_async_variants_give_the_sync_results() -> None:
    mu, cov = random_portfolio(5, 6)
    qaoa = QAOA(5, num_layers=1, seed=9)
    Q = random_qubo(5, 6)

    async def main() -> tuple[PortfolioAllocation, SampleSet]:
        return await asyncio.gather(qaoa.optimize_async(mu, cov), qaoa.sample_qubo_async(Q, shots=100))

    r, s = asyncio.run(main())
    assert r.to_dict() == qaoa.optimize(mu, cov).to_dict()
    assert s == qaoa.sample_qubo(Q, shots=100)


def test_progress_reports_depths() -> None:
    calls: list[tuple[int, int]] = []
    mu, cov = random_portfolio(5, 1)
    QAOA(5, num_layers=3, seed=1).optimize(mu, cov, progress=lambda d, t: calls.append((d, t)))
    assert calls[-1] == (3, 3)


def test_pandas_and_list_inputs() -> None:
    pd = pytest.importorskip("pandas")
    mu, cov = random_portfolio(4, 5)
    names = ["AAA", "BBB", "CCC", "DDD"]
    qaoa = QAOA(4, seed=1)
    a = qaoa.optimize(pd.Series(mu, index=names), pd.DataFrame(cov, index=names, columns=names))
    b = qaoa.optimize(mu.tolist(), cov.tolist())
    assert a.selected == [names[int(str(i))] for i in b.selected]
    assert a.energy == b.energy


def test_backends() -> None:
    Q = random_qubo(6, 2)
    g, b = [0.3, 0.1], [0.2, 0.5]
    cpu = QAOA(6, backend="cpu").expectation(Q, g, b)
    assert cpu == QAOA(6).expectation(Q, g, b) == QAOA(6, backend="auto").expectation(Q, g, b)
    if performance.backend_info()["cuda"]["available"]:
        assert QAOA(6, backend="cuda").expectation(Q, g, b) == pytest.approx(cpu, abs=1e-10)
    else:
        with pytest.raises(BackendUnavailableError, match="CUDA"):
            QAOA(6, backend="cuda").expectation(Q, g, b)
    with pytest.raises(InvalidInputError, match="backend"):
        QAOA(6, backend="tpu")  # type: ignore[arg-type]


# --- bad inputs ------------------------------------------------------------------------------


def test_too_many_qubits_is_refused_with_the_estimate() -> None:
    with pytest.raises(ResourceLimitError, match=r"40 qubits needs 32768\.0 GiB"):
        QAOA(40)
    with pytest.raises(ResourceLimitError, match="GiB"):
        QAOA(4).expectation(np.zeros((36, 36)), [0.1], [0.1])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"num_assets": 0}, "num_assets"),
        ({"num_layers": 0}, "num_layers"),
        ({"optimizer": "bfgs"}, "optimizer"),
        ({"optimizer": 3}, "optimizer"),
        ({"maxiter": 0}, "maxiter"),
        ({"shots": 0}, "shots"),
        ({"seed": -1}, "seed"),
        ({"budget": 9}, "budget"),
        ({"budget": 0}, "budget"),
        ({"penalty": -1.0}, "penalty"),
        ({"penalty": float("nan")}, "penalty"),
        ({"restarts": -1}, "restarts"),
    ],
)
def test_bad_configurations_raise(kwargs: dict[str, Any], match: str) -> None:
    args: dict[str, Any] = {"num_assets": 4} | kwargs
    with pytest.raises(InvalidInputError, match=match):
        QAOA(**args)
    qaoa = QAOA(4)
    if "num_assets" not in kwargs:
        with pytest.raises(InvalidInputError, match=match):
            qaoa.set_params(**kwargs)
        assert qaoa == QAOA(4), "a refused set_params changes nothing"


def test_bad_problem_inputs_raise() -> None:
    mu, cov = random_portfolio(4, 1)
    qaoa = QAOA(4)
    bad_cov = cov.copy()
    bad_cov[0, 1] += 1.0
    not_psd = np.diag([1.0, -1.0, 1.0, 1.0])
    cases: list[tuple[Any, Any, float, str]] = [
        (mu[:3], cov, 0.5, "num_assets=4"),
        (mu, cov[:3, :3], 0.5, "covariance must be 4×4"),
        (np.r_[mu[:3], np.nan], cov, 0.5, "returns must be finite"),
        (mu, bad_cov, 0.5, "symmetric"),
        (mu, not_psd, 0.5, "positive semidefinite"),
        (mu, cov, 1.5, "risk_tolerance"),
        ("abcd", cov, 0.5, "returns"),
    ]
    for m, c, t, match in cases:
        with pytest.raises(InvalidInputError, match=match):
            qaoa.optimize(m, c, t)
    Q = random_qubo(3, 1)
    bad_problems: list[tuple[Any, Any, Any, str]] = [
        (np.ones((2, 3)), [0.1], [0.1], "square"),
        (np.full((2, 2), np.inf), [0.1], [0.1], "finite"),
        (Q, [0.1, 0.2], [0.1], "same length|betas"),
        (Q, [[0.1]] * 2, [[0.1]] * 3, "2 gamma sets but 3 beta sets"),
        (Q, [np.nan], [0.1], "gammas"),
        (Q, [], [], "gammas"),
        ({}, [0.1], [0.1], "empty"),
        ({(0, 1, 2): 1.0}, [0.1], [0.1], "pairs"),
    ]
    for q, g, b, match in bad_problems:
        with pytest.raises(InvalidInputError, match=match):
            qaoa.expectation(q, g, b)
    with pytest.raises(InvalidInputError, match="both gammas and betas"):
        qaoa.sample_qubo(Q, gammas=[0.1])
    with pytest.raises(InvalidInputError, match="shots"):
        qaoa.sample_qubo(Q, shots=0)
