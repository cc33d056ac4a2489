"""Checks of the exact-Ising test helpers (tests/exact_ising.py) against published/derived tables.

These test the reference implementation itself, not the library: the physics tests are only as
good as these numbers. Values: research/physics-references.md, tables B2 and B3 (Kaufman 1949 /
Ferdinand & Fisher 1969 evaluated at 40 digits and cross-checked against Beale's 32x32 density
of states), and brute-force enumeration done here.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from exact_ising import (
    K_C,
    T_C,
    all_states,
    boltzmann,
    dense_energies,
    enumerate_thermo,
    kaufman_log_z,
    kaufman_thermo,
    onsager_energy,
    state_codes,
    torus_dense,
    torus_edges,
    torus_energies,
    yang_magnetization,
)


def test_critical_point_constants() -> None:
    assert K_C == pytest.approx(0.440686793509772, abs=1e-14)
    assert T_C == pytest.approx(2.26918531421302, abs=1e-13)
    # Onsager's self-duality: sinh(2 K_c) = 1.
    assert math.sinh(2.0 * K_C) == pytest.approx(1.0, abs=1e-15)


# Table B3 at T_c: L, u, c, lnZ/N.
CRITICAL_TABLE = [
    (4, -1.56562378764, 0.7832668259, 0.97011971617221),
    (8, -1.49158910744, 1.14555924, 0.93971532482921),
    (16, -1.45306485281, 1.498704959, 0.93219631498099),
    (32, -1.43365846615, 1.84676759, 0.93032039018412),
    (64, -1.42393838983, 2.192211393, 0.92985163169429),
    (128, -1.41907627208, 2.536331335, 0.92973445577019),
]


@pytest.mark.parametrize(("size", "u", "c", "log_z_per_spin"), CRITICAL_TABLE)
def test_kaufman_at_critical_point_matches_table(size: int, u: float, c: float, log_z_per_spin: float) -> None:
    thermo = kaufman_thermo(size, size, K_C)
    assert thermo.energy == pytest.approx(u, abs=2e-11)
    # the table prints c to 8-10 significant digits
    assert thermo.specific_heat == pytest.approx(c, rel=2e-9)
    assert thermo.log_z / size**2 == pytest.approx(log_z_per_spin, abs=2e-14)


# Table B3 off the critical point: (T, L, u, c).
OFF_CRITICAL_TABLE = [
    (2.0, 8, -1.74568317029, 0.7141226029),
    (2.0, 16, -1.74553066899, 0.7255087677),
    (2.0, 32, -1.74556452703, 0.7248739782),
    (2.0, 64, -1.74556457531, 0.7248714486),
    (2.5, 8, -1.22232064325, 1.100475889),
    (2.5, 16, -1.13131798441, 1.064976883),
    (2.5, 32, -1.10729166098, 0.8858125011),
    (2.5, 64, -1.10608299247, 0.8618550832),
    (3.0, 8, -0.841315427852, 0.4839664714),
    (3.0, 16, -0.81768936787, 0.4043325742),
    (3.0, 32, -0.817309738934, 0.4013819475),
    (3.0, 64, -0.817309592502, 0.4013795759),
]


@pytest.mark.parametrize(("temperature", "size", "u", "c"), OFF_CRITICAL_TABLE)
def test_kaufman_off_critical_matches_table(temperature: float, size: int, u: float, c: float) -> None:
    thermo = kaufman_thermo(size, size, 1.0 / temperature)
    assert thermo.energy == pytest.approx(u, abs=2e-11)
    assert thermo.specific_heat == pytest.approx(c, rel=2e-9)


# Tiny lattices, table B3 (brute force = Kaufman): side, K, lnZ, u, c.
TINY_TABLE = [
    (2, K_C, 4.3820266346739, -1.697056275, 0.40394609),
    (3, K_C, 9.0202134009443, -1.611246382, 0.62873611),
    (4, K_C, 15.521915458755, -1.565623788, 0.78326683),
    (4, 0.3, 12.785523325714, -0.8440540736, 0.44099265),
    (4, 0.6, 20.056532884347, -1.908069528, 0.3155538),
]


@pytest.mark.parametrize(("size", "k", "log_z", "u", "c"), TINY_TABLE)
def test_tiny_lattices_kaufman_and_enumeration_match_table(
    size: int, k: float, log_z: float, u: float, c: float
) -> None:
    thermo = kaufman_thermo(size, size, k)
    assert thermo.log_z == pytest.approx(log_z, abs=1e-12)
    assert thermo.energy == pytest.approx(u, abs=1e-9)
    assert thermo.specific_heat == pytest.approx(c, abs=1e-8)
    enumerated = enumerate_thermo(torus_energies(size), size * size, k)
    assert enumerated.log_z == pytest.approx(log_z, abs=1e-12)
    assert enumerated.energy == pytest.approx(u, abs=1e-9)
    assert enumerated.specific_heat == pytest.approx(c, abs=1e-8)
    # Z2 symmetry without a field
    assert abs(enumerated.magnetization) < 1e-12


@pytest.mark.parametrize(("rows", "cols"), [(2, 3), (3, 2), (2, 4), (4, 2), (3, 4), (4, 3), (2, 5)])
@pytest.mark.parametrize("k", [0.2, 0.44, 0.7])
def test_kaufman_rectangular_torus_equals_enumeration(rows: int, cols: int, k: float) -> None:
    thermo = kaufman_thermo(rows, cols, k)
    enumerated = enumerate_thermo(torus_energies(rows, cols), rows * cols, k)
    assert thermo.log_z == pytest.approx(enumerated.log_z, abs=1e-12)
    assert thermo.energy == pytest.approx(enumerated.energy, abs=1e-12)
    assert thermo.specific_heat == pytest.approx(enumerated.specific_heat, abs=1e-11)


def test_signed_gamma0_above_critical_point() -> None:
    # Above T_c the signed gamma_0 is negative; the formula must still give the brute-force lnZ
    # (an arccosh-based gamma_0 would not). K = 0.2 is far above T_c.
    assert 2 * 0.2 + math.log(math.tanh(0.2)) < 0
    assert kaufman_log_z(4, 4, 0.2) == pytest.approx(enumerate_thermo(torus_energies(4), 16, 0.2).log_z, abs=1e-12)


# Table B2: Onsager u and Yang m for the infinite lattice.
@pytest.mark.parametrize(
    ("temperature", "u", "m"),
    [
        (1.5, -1.95111657308, 0.986499602621),
        (2.0, -1.74556457531, 0.911319377877),
        (2.2, -1.5464891441, 0.784755131384),
        (2.5, -1.10607920375, 0.0),
        (3.0, -0.817309592502, 0.0),
    ],
)
def test_onsager_and_yang_match_table(temperature: float, u: float, m: float) -> None:
    assert onsager_energy(1.0 / temperature) == pytest.approx(u, abs=2e-11)
    assert yang_magnetization(1.0 / temperature) == pytest.approx(m, abs=2e-12)


@pytest.mark.parametrize("temperature", [1.5, 2.0, 3.0])
def test_large_torus_approaches_onsager_off_criticality(temperature: float) -> None:
    # finite-size corrections are exponentially small away from T_c
    assert kaufman_thermo(64, 64, 1.0 / temperature).energy == pytest.approx(
        onsager_energy(1.0 / temperature), abs=1e-10
    )


def test_finite_size_gap_at_critical_point_is_large() -> None:
    # Why samplers are tested against the finite lattice: at T_c, L=32 is far from -sqrt 2.
    assert kaufman_thermo(32, 32, K_C).energy + math.sqrt(2.0) == pytest.approx(-0.0194449, abs=1e-6)


def test_enumeration_helpers_are_consistent() -> None:
    states = all_states(5)
    assert states.dtype == np.int8 and states.shape == (32, 5)
    np.testing.assert_array_equal(state_codes(states), np.arange(32))
    # bit i of index is 1 when spin i is +1
    assert list(states[0b00101]) == [1, -1, 1, -1, -1]
    # dense-matrix energies equal the bond-list energies (side 2 counts doubled bonds: ground -8)
    for side in (2, 3, 4):
        n = side * side
        dense = torus_dense(side)
        e_dense = dense_energies(dense, np.zeros(n), all_states(n))
        np.testing.assert_allclose(e_dense, torus_energies(side), atol=1e-12)
        assert torus_energies(side).min() == -2 * n
    i, j = torus_edges(4, 3)
    assert len(i) == 24 and np.all(i != j)
    p = boltzmann(np.array([0.0, 1.0, 2.0]), math.log(2.0))
    np.testing.assert_allclose(p, np.array([4.0, 2.0, 1.0]) / 7.0, rtol=1e-14)
