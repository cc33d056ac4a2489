"""The 2D square-lattice ferromagnet on a torus: Monte Carlo observables against exact results.

References (tests/exact_ising.py, checked in tests/test_exact_ising_reference.py):
* energy per spin: the exact finite L x L torus (Kaufman / Ferdinand-Fisher), not Onsager's
  infinite lattice (at T_c the L=16 value differs from -sqrt 2 by 0.039, far more than an
  error bar);
* <|m|> on a 4x4 torus: exact enumeration of all 2^16 states;
* <|m|> on L=64 below T_c: Yang's spontaneous magnetisation (finite-size effects are
  exponentially small at T <= 2.0, L = 64).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from exact_ising import (
    T_C,
    enumerate_thermo,
    kaufman_thermo,
    onsager_energy,
    torus_dense,
    torus_edges,
    torus_energies,
    yang_magnetization,
)
from quantumpanarchy.core import BoltzmannSampler, Method, Observables, PBitNetwork

METHODS: list[Method] = ["gibbs", "metropolis"]


def lattice(side: int) -> PBitNetwork:
    """Ferromagnetic (J = +1) periodic side x side lattice, each of the 2N bonds given once."""
    rows, cols = torus_edges(side)
    return PBitNetwork.from_sparse(rows, cols, np.ones(len(rows)), num_pbits=side * side)


def within(value: float, reference: float, error: float, floor: float, sigmas: float = 4.0) -> bool:
    return abs(value - reference) <= max(sigmas * error, floor)


def check_error_bar(obs: Observables, name: str, value_error: float, lower: float, upper: float) -> None:
    """A jackknife error must be finite, not smaller than an i.i.d. bound allows, and useful."""
    assert math.isfinite(value_error), f"{name} error is not finite"
    assert value_error >= lower, f"{name} error {value_error:.2e} below the i.i.d. bound {lower:.2e}"
    assert value_error <= upper, f"{name} error {value_error:.2e} is too large to test anything ({upper:.2e})"


def test_lattice_network_is_the_torus() -> None:
    net = lattice(4)
    j, h = net.to_dense()
    np.testing.assert_array_equal(j, torus_dense(4))
    np.testing.assert_array_equal(h, np.zeros(16))
    assert net.num_couplings == 32
    assert float(net.energy(np.ones(16, dtype=np.int8))) == -32.0
    checker = np.where((np.arange(16) // 4 + np.arange(16) % 4) % 2 == 0, 1, -1).astype(np.int8)
    assert float(net.energy(checker)) == 32.0


# ---------------------------------------------------------------------------------------------
# Energy per spin on L = 32 against the exact finite lattice
# ---------------------------------------------------------------------------------------------

SIDE = 32
# temperature -> (num_samples per chain, burn_in); thin = 1, 4 chains. Sweeps are chosen so the
# error bar (~1e-3 at T_c, a few 1e-4 elsewhere) is well below the distance to the
# infinite-lattice value at T_c (0.019 for L = 32).
ENERGY_RUNS: dict[float, tuple[int, int]] = {
    2.0: (20_000, 4_000),
    T_C: (40_000, 10_000),
    2.5: (20_000, 4_000),
    3.0: (10_000, 1_000),
}


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("temperature", list(ENERGY_RUNS))
def test_energy_matches_exact_finite_lattice(method: Method, temperature: float) -> None:
    num_samples, burn_in = ENERGY_RUNS[temperature]
    beta = 1.0 / temperature
    exact = kaufman_thermo(SIDE, SIDE, beta)
    n = SIDE * SIDE
    sampler = BoltzmannSampler(lattice(SIDE), beta, method=method)
    obs = sampler.observables(num_samples=num_samples, burn_in=burn_in, thin=1, num_chains=4, seed=11)
    assert obs.num_spins == n
    assert obs.beta == pytest.approx(beta)
    assert obs.num_samples >= num_samples
    # the energy
    assert within(obs.energy, exact.energy, obs.energy_error, floor=5e-4), (
        f"T={temperature:.4f} {method}: e = {obs.energy:.5f} +- {obs.energy_error:.5f}, exact {exact.energy:.5f}"
    )
    # its error bar: never below the i.i.d. standard error sqrt(Var(e) / samples) (with 30% slack
    # for the jackknife's own noise), and small enough to be a real test
    iid = math.sqrt(exact.specific_heat * temperature**2 / n / obs.num_samples)
    check_error_bar(obs, "energy", obs.energy_error, lower=0.7 * iid, upper=4e-3)
    # and consistent with the reported autocorrelation time: error ~ iid * sqrt(tau_int)
    assert obs.tau_energy >= 1.0 and math.isfinite(obs.tau_energy)
    ratio = obs.energy_error / (iid * math.sqrt(obs.tau_energy))
    assert 0.6 < ratio < 1.6, f"error / (iid sqrt(tau)) = {ratio:.2f}, tau = {obs.tau_energy:.1f}"
    # the specific heat (a fluctuation, so a looser check)
    assert within(
        obs.specific_heat,
        exact.specific_heat,
        obs.specific_heat_error,
        floor=0.02 * exact.specific_heat,
        sigmas=5.0,
    ), (
        f"T={temperature:.4f} {method}: "
        f"c = {obs.specific_heat:.4f} +- {obs.specific_heat_error:.4f}, "
        f"exact {exact.specific_heat:.4f}"
    )
    assert obs.specific_heat_error <= 0.05 * exact.specific_heat


@pytest.mark.parametrize("method", METHODS)
def test_critical_energy_resolves_the_finite_size_shift(method: Method) -> None:
    """At T_c on L=16 the sampler must be told apart from Onsager's infinite-lattice -sqrt 2."""
    side = 16  # finite-size shift 0.039
    sampler = BoltzmannSampler(lattice(side), 1.0 / T_C, method=method)
    obs = sampler.observables(num_samples=20_000, burn_in=4_000, thin=1, num_chains=4, seed=3)
    finite = kaufman_thermo(side, side, 1.0 / T_C).energy
    assert abs(obs.energy - finite) < abs(obs.energy + math.sqrt(2.0)) / 3.0
    assert abs(obs.energy + math.sqrt(2.0)) > 6.0 * obs.energy_error


@pytest.mark.parametrize("method", METHODS)
def test_energy_error_bars_are_calibrated(method: Method) -> None:
    """Over 32 independent runs, (e - exact) / error has a mean square near 1.

    Errors that ignore autocorrelation (too small by sqrt(tau) ~ 3-4) give ~10; errors 3x too
    large give ~0.1. For calibrated errors the statistic is ~chi^2_32 / 32, inside [0.35, 2.2]
    with probability > 99.9%.
    """
    side, temperature, runs = 16, 2.5, 32
    exact = kaufman_thermo(side, side, 1.0 / temperature).energy
    sampler = BoltzmannSampler(lattice(side), 1.0 / temperature, method=method)
    z = []
    for k in range(runs):
        obs = sampler.observables(num_samples=5_000, burn_in=2_000, thin=1, num_chains=2, seed=1000 + k)
        z.append((obs.energy - exact) / obs.energy_error)
    mean_square = float(np.mean(np.square(z)))
    assert 0.35 < mean_square < 2.2, f"mean (deviation / error)^2 = {mean_square:.2f}"


def test_tau_grows_towards_the_critical_point() -> None:
    """Critical slowing down: the energy autocorrelation time at T_c exceeds that at T = 3."""
    net = lattice(16)
    hot = BoltzmannSampler(net, 1.0 / 3.0, method="metropolis").observables(10_000, 1_000, 1, 4, seed=1)
    crit = BoltzmannSampler(net, 1.0 / T_C, method="metropolis").observables(10_000, 2_000, 1, 4, seed=1)
    assert crit.tau_energy > 2.0 * hot.tau_energy
    assert crit.energy_error > hot.energy_error


# ---------------------------------------------------------------------------------------------
# 4 x 4 torus: sampled and exact observables against enumeration
# ---------------------------------------------------------------------------------------------

SMALL_TEMPERATURES = [1.5, 2.0, T_C, 3.0, 5.0]


@pytest.mark.parametrize("temperature", SMALL_TEMPERATURES)
def test_exact_observables_4x4_equal_enumeration(temperature: float) -> None:
    beta = 1.0 / temperature
    ref = enumerate_thermo(torus_energies(4), 16, beta)
    obs = BoltzmannSampler(lattice(4), beta).exact_observables()
    assert obs.num_spins == 16
    assert obs.beta == pytest.approx(beta, abs=1e-15)
    assert obs.energy == pytest.approx(ref.energy, abs=1e-10)
    assert obs.abs_magnetization == pytest.approx(ref.abs_magnetization, abs=1e-10)
    assert obs.magnetization == pytest.approx(ref.magnetization, abs=1e-10)
    assert obs.specific_heat == pytest.approx(ref.specific_heat, abs=1e-10)
    assert obs.susceptibility == pytest.approx(ref.susceptibility, abs=1e-10)
    assert obs.energy_error == 0.0 and obs.abs_magnetization_error == 0.0


def test_exact_observables_4x4_equal_kaufman() -> None:
    """Two independent exact routes (the library's enumeration and Kaufman's formula) agree."""
    for k in (0.3, 0.6):
        obs = BoltzmannSampler(lattice(4), k).exact_observables()
        ref = kaufman_thermo(4, 4, k)
        assert obs.energy == pytest.approx(ref.energy, abs=1e-10)
        assert obs.specific_heat == pytest.approx(ref.specific_heat, abs=1e-10)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("temperature", [1.5, T_C, 3.0])
def test_abs_magnetization_4x4_matches_enumeration(method: Method, temperature: float) -> None:
    beta = 1.0 / temperature
    ref = enumerate_thermo(torus_energies(4), 16, beta)
    obs = BoltzmannSampler(lattice(4), beta, method=method).observables(
        num_samples=50_000, burn_in=1_000, thin=1, num_chains=4, seed=21
    )
    assert within(obs.abs_magnetization, ref.abs_magnetization, obs.abs_magnetization_error, floor=5e-4), (
        f"<|m|> = {obs.abs_magnetization:.5f} +- {obs.abs_magnetization_error:.5f}, exact {ref.abs_magnetization:.5f}"
    )
    assert within(obs.energy, ref.energy, obs.energy_error, floor=1e-3)
    assert within(
        obs.susceptibility,
        ref.susceptibility,
        obs.susceptibility_error,
        floor=0.02 * ref.susceptibility,
        sigmas=5,
    )
    assert obs.abs_magnetization_error <= 5e-3
    assert obs.energy_error <= 5e-3


# ---------------------------------------------------------------------------------------------
# Spontaneous magnetisation on L = 64 against Yang
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("temperature", [1.5, 2.0])
def test_abs_magnetization_matches_yang(method: Method, temperature: float) -> None:
    side = 64
    n = side * side
    beta = 1.0 / temperature
    chains, per_chain = 4, 1_000
    sampler = BoltzmannSampler(lattice(side), beta, method=method)
    # Ordered start: a random start can freeze into a long-lived two-domain stripe state below
    # T_c, which is physics, not a sampler error; from all-up the chain equilibrates quickly.
    states = sampler.sample(
        per_chain,
        burn_in=500,
        thin=2,
        num_chains=chains,
        seed=5,
        initial_states=np.ones((chains, n), dtype=np.int8),
    )
    assert states.shape == (chains * per_chain, n)
    abs_m = np.abs(states.sum(axis=1, dtype=np.int64)) / n
    grid = states.reshape(-1, side, side).astype(np.int16)
    bonds = grid * (np.roll(grid, 1, axis=1) + np.roll(grid, 1, axis=2))
    energy = -bonds.sum(axis=(1, 2), dtype=np.int64) / n
    blocks = abs_m.reshape(32, -1).mean(axis=1)
    error = float(blocks.std(ddof=1) / math.sqrt(len(blocks)))
    m_yang = yang_magnetization(beta)
    assert abs(float(abs_m.mean()) - m_yang) <= max(4.0 * error, 3e-4), (
        f"<|m|> = {abs_m.mean():.5f} +- {error:.5f}, Yang {m_yang:.5f}"
    )
    assert error < 2e-3
    # the energy of the same samples matches Onsager (= the L=64 torus to 1e-10 here)
    e_blocks = energy.reshape(32, -1).mean(axis=1)
    e_error = float(e_blocks.std(ddof=1) / math.sqrt(len(e_blocks)))
    assert abs(float(energy.mean()) - onsager_energy(beta)) <= max(4.0 * e_error, 5e-4)
