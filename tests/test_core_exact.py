"""Sampling and annealing on small networks checked against exact enumeration.

* ``exact_distribution()`` equals an independent numpy brute-force Boltzmann distribution.
* Sampled state frequencies (``BoltzmannSampler.sample``) match the exact distribution in total
  variation (TV) distance, with a threshold derived from the TV that a perfect i.i.d. sampler of the
  same size would show, and a power check proving the same threshold rejects a wrong target.
* Annealing finds the enumerated ground state.

State-index convention: bit i of the index is 1 when spin i is +1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pytest
from exact_ising import all_states, boltzmann, dense_energies, state_codes
from quantumpanarchy.core import BoltzmannSampler, Method, PBitNetwork

FloatArray = npt.NDArray[np.float64]

SEEDS = [0, 1, 2]
METHODS: list[Method] = ["gibbs", "metropolis"]


@dataclass(frozen=True)
class Instance:
    """A small Ising model in the physics convention, with how to build it in the library."""

    kind: str  # "dense" (from_dense, all-to-all) or "sparse" (from_sparse, a few edges)
    j: FloatArray
    h: FloatArray
    beta: float

    @property
    def n(self) -> int:
        return int(self.h.shape[0])

    def network(self) -> PBitNetwork:
        if self.kind == "dense":
            return PBitNetwork.from_dense(self.j, self.h)
        rows, cols = np.nonzero(np.triu(self.j, 1))
        return PBitNetwork.from_sparse(rows, cols, self.j[rows, cols], h=self.h, num_pbits=self.n)

    def energies(self) -> FloatArray:
        return dense_energies(self.j, self.h, all_states(self.n))


def dense_instance(seed: int, n: int = 10, beta: float = 2.0) -> Instance:
    """All-to-all SK-like couplings J_ij ~ N(0, 1/n) and fields h_i ~ N(0, 0.25)."""
    rng = np.random.default_rng(seed)
    upper = np.triu(rng.normal(0.0, 1.0, (n, n)), 1) / np.sqrt(n)
    return Instance("dense", upper + upper.T, rng.normal(0.0, 0.5, n), beta)


def sparse_instance(seed: int, n: int = 16, num_edges: int = 11, beta: float = 1.5) -> Instance:
    """``num_edges`` random edges (fill under 10%: CSR storage), random-sign |J| in [0.5, 1.5]."""
    rng = np.random.default_rng(seed)
    iu, ju = np.triu_indices(n, 1)
    pick = rng.choice(len(iu), size=num_edges, replace=False)
    j = np.zeros((n, n))
    w = rng.choice([-1.0, 1.0], num_edges) * rng.uniform(0.5, 1.5, num_edges)
    j[iu[pick], ju[pick]] = w
    j[ju[pick], iu[pick]] = w
    return Instance("sparse", j, rng.normal(0.0, 1.0, n), beta)


def make_instance(kind: str, seed: int) -> Instance:
    return dense_instance(seed) if kind == "dense" else sparse_instance(seed)


def tv_distance(p: FloatArray, q: FloatArray) -> float:
    return 0.5 * float(np.abs(p - q).sum())


def empirical_distribution(states: npt.NDArray[np.int8], n: int) -> FloatArray:
    counts = np.bincount(state_codes(states), minlength=1 << n)
    return np.asarray(counts / counts.sum(), dtype=np.float64)


def iid_tv(p: FloatArray, size: int, reps: int = 64, seed: int = 12345) -> float:
    """Mean TV between ``p`` and the empirical distribution of ``size`` i.i.d. draws from it."""
    rng = np.random.default_rng(seed)
    return float(np.mean([tv_distance(rng.multinomial(size, p) / size, p) for _ in range(reps)]))


# ---------------------------------------------------------------------------------------------
# exact_distribution() against numpy brute force
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["dense", "sparse"])
@pytest.mark.parametrize("seed", SEEDS)
def test_exact_distribution_equals_numpy_brute_force(kind: str, seed: int) -> None:
    inst = make_instance(kind, seed)
    net = inst.network()
    assert net.num_pbits == inst.n
    assert net.is_dense == (kind == "dense"), "the instance is meant to exercise this storage"
    # the network holds exactly the couplings and fields it was given (physics convention)
    j, h = net.to_dense()
    np.testing.assert_allclose(j, inst.j, rtol=0, atol=1e-14)
    np.testing.assert_allclose(h, inst.h, rtol=0, atol=1e-14)
    # energies of a few states agree with the brute-force formula
    states = all_states(inst.n)
    energies = inst.energies()
    for code in (0, 1, 5, (1 << inst.n) - 1, 777):
        assert float(net.energy(states[code])) == pytest.approx(energies[code], abs=1e-12)
    # the distribution, from the caller's (J, h) and from the network's own to_dense()
    p_lib = BoltzmannSampler(net, inst.beta).exact_distribution()
    assert p_lib.shape == (1 << inst.n,)
    np.testing.assert_allclose(p_lib, boltzmann(energies, inst.beta), rtol=1e-11, atol=1e-15)
    np.testing.assert_allclose(p_lib, boltzmann(dense_energies(j, h, states), inst.beta), rtol=1e-11, atol=1e-15)
    # a different beta gives a different distribution (the check above is not vacuous)
    p_other = BoltzmannSampler(net, 0.5 * inst.beta).exact_distribution()
    assert tv_distance(p_lib, p_other) > 0.05


def test_exact_distribution_index_convention() -> None:
    # One spin with a strong positive field: +1 is likely, and its index is 1 (bit 0 set).
    # Two coupled spins with a field on spin 1 only: index 0b10 (spin 1 up, spin 0 down) is
    # distinguishable from 0b01.
    net = PBitNetwork.from_dense(np.array([[0.0, -1.0], [-1.0, 0.0]]), np.array([0.0, 2.0]))
    p = BoltzmannSampler(net, 1.0).exact_distribution()
    # E(s0, s1) = s0 s1 - 2 s1:
    # (-,-): 1 + 2 = 3, (+,-): -1 + 2 = 1, (-,+): -1 - 2 = -3, (+,+): 1 - 2 = -1
    expected = np.exp(-np.array([3.0, 1.0, -3.0, -1.0]))
    np.testing.assert_allclose(p, expected / expected.sum(), rtol=1e-13)


# ---------------------------------------------------------------------------------------------
# Sampled distribution against the exact one
# ---------------------------------------------------------------------------------------------

NUM_CHAINS = 8
SAMPLES_PER_CHAIN = 50_000  # 400k samples in all
THIN = 3
TV_FACTOR = 3.0


def sampled_distribution(inst: Instance, method: Method, seed: int) -> tuple[FloatArray, int]:
    sampler = BoltzmannSampler(inst.network(), inst.beta, method=method)
    states = sampler.sample(SAMPLES_PER_CHAIN, burn_in=200, thin=THIN, num_chains=NUM_CHAINS, seed=seed)
    assert states.dtype == np.int8
    assert states.shape == (NUM_CHAINS * SAMPLES_PER_CHAIN, inst.n)
    assert set(np.unique(states).tolist()) <= {-1, 1}
    return empirical_distribution(states, inst.n), states.shape[0]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("kind", ["dense", "sparse"])
@pytest.mark.parametrize("seed", SEEDS)
def test_sampled_distribution_matches_exact(method: Method, kind: str, seed: int) -> None:
    inst = make_instance(kind, seed)
    p_exact = boltzmann(inst.energies(), inst.beta)
    p_hat, size = sampled_distribution(inst, method, 100 + seed)
    expected = iid_tv(p_exact, size)
    threshold = TV_FACTOR * expected
    observed = tv_distance(p_hat, p_exact)
    assert observed < threshold, (
        f"TV(sampled, exact) = {observed:.4f} but a correct sampler of {size} samples gives "
        f"~{expected:.4f} (threshold {threshold:.4f})"
    )
    # Power: the same statistic against the Boltzmann distribution at a 15% different beta
    # (here from the library's own exact_distribution) is far above the threshold.
    p_wrong = BoltzmannSampler(inst.network(), 1.15 * inst.beta).exact_distribution()
    assert tv_distance(p_hat, p_wrong) > 2.0 * threshold


@pytest.mark.parametrize("kind", ["dense", "sparse"])
def test_tv_threshold_rejects_a_wrong_sampler(kind: str) -> None:
    """A sampler drawing perfectly from the wrong beta (+15%) fails the threshold used above."""
    inst = make_instance(kind, 0)
    energies = inst.energies()
    p_exact = boltzmann(energies, inst.beta)
    size = NUM_CHAINS * SAMPLES_PER_CHAIN
    threshold = TV_FACTOR * iid_tv(p_exact, size)
    rng = np.random.default_rng(7)
    for wrong_beta in (0.85 * inst.beta, 1.15 * inst.beta):
        draws = rng.multinomial(size, boltzmann(energies, wrong_beta)) / size
        assert tv_distance(draws, p_exact) > 2.0 * threshold
    # while a perfect sampler of the right distribution passes it
    draws = rng.multinomial(size, p_exact) / size
    assert tv_distance(draws, p_exact) < threshold


@pytest.mark.parametrize("method", METHODS)
def test_sampled_single_spin_marginals(method: Method) -> None:
    """<s_i> from samples matches the exact marginals to within 5 standard errors."""
    inst = dense_instance(3)
    p_exact = boltzmann(inst.energies(), inst.beta)
    exact_mean = p_exact @ all_states(inst.n).astype(np.float64)
    sampler = BoltzmannSampler(inst.network(), inst.beta, method=method)
    states = sampler.sample(20_000, burn_in=200, thin=2, num_chains=4, seed=5).astype(np.float64)
    # standard error from 40 batch means (each batch within one chain, chains stored in turn)
    batches = states.reshape(40, -1, inst.n).mean(axis=1)
    err = batches.std(axis=0, ddof=1) / np.sqrt(40)
    diff = np.abs(states.mean(axis=0) - exact_mean)
    assert np.all(diff < np.maximum(5.0 * err, 2e-3)), (diff, err)
    assert np.max(np.abs(exact_mean)) > 0.2  # the fields make the marginals non-trivial


# ---------------------------------------------------------------------------------------------
# Annealing finds the exact ground state
# ---------------------------------------------------------------------------------------------


def ground_state_instance(kind: str, seed: int) -> Instance:
    if kind == "dense":
        rng = np.random.default_rng(1000 + seed)
        n = 16
        upper = np.triu(rng.normal(0.0, 1.0, (n, n)), 1)
        return Instance("dense", upper + upper.T, rng.normal(0.0, 0.3, n), 1.0)
    return sparse_instance(1000 + seed)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("kind", ["dense", "sparse"])
@pytest.mark.parametrize("seed", SEEDS)
def test_anneal_finds_enumerated_ground_state(method: Method, kind: str, seed: int) -> None:
    inst = ground_state_instance(kind, seed)
    energies = inst.energies()
    e_min = float(energies.min())
    ground = all_states(inst.n)[int(np.argmin(energies))]
    result = inst.network().anneal(num_reads=16, num_sweeps=1000, seed=seed, method=method)
    assert len(result) == 16
    assert result.samples.shape == (16, inst.n)
    # reported energies are the energies of the reported samples
    np.testing.assert_allclose(result.energies, dense_energies(inst.j, inst.h, result.samples), rtol=0, atol=1e-9)
    best = result.best()
    assert best.energy == pytest.approx(e_min, abs=1e-9)
    assert result.first.energy == pytest.approx(e_min, abs=1e-9)  # dimod: first = lowest energy
    np.testing.assert_array_equal(best.sample, ground)  # fields make the ground state unique
    assert float(np.min(result.energies)) == pytest.approx(e_min, abs=1e-9)


def test_ground_state_instances_are_not_trivial() -> None:
    """A random state, or a greedy descent from one, is usually not the ground state here."""
    inst = ground_state_instance("dense", 0)
    energies = inst.energies()
    e_min = float(energies.min())
    assert float(np.median(energies)) > e_min + 10.0
    # distinct single-flip local minima exist (so reaching the minimum needs more than descent)
    states = all_states(inst.n)
    fields = states.astype(np.float64) @ inst.j + inst.h
    local_min = np.all(states * fields >= 0, axis=1)
    assert int(local_min.sum()) >= 3
