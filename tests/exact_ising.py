"""Exact reference values for Ising models, independent of the library under test.

* The exact partition function of the ferromagnetic square-lattice Ising model on a finite
  n x m torus (Kaufman 1949; Ferdinand & Fisher, Phys. Rev. 185, 832 (1969)), evaluated with
  mpmath, and its derivatives (energy and specific heat per spin) by high-precision numerical
  differentiation of ln Z.
* The infinite-lattice closed forms of Onsager (energy, specific heat) and Yang (spontaneous
  magnetisation).
* Brute-force enumeration over all 2^N states for tiny systems (numpy), for a lattice or for a
  general dense (J, h) model in the physics convention
  E(s) = -sum_{i<j} J_ij s_i s_j - sum_i h_i s_i.

State-index convention shared with the library: bit i of the index is 1 when spin i is +1.

Units: J = k_B = 1, H = -sum over the 2N bonds of the torus of s_i s_j, K = beta J = 1/T,
u = <H>/N, c = Var(H)/(N T^2) = K^2 d^2 ln Z / dK^2 / N.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import mpmath  # type: ignore[import-untyped,unused-ignore]
import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
SpinArray = npt.NDArray[np.int8]

#: Critical coupling K_c = ln(1 + sqrt 2) / 2 and temperature T_c = 1 / K_c.
K_C: float = math.log1p(math.sqrt(2.0)) / 2.0
T_C: float = 1.0 / K_C

_DPS = 60  # working precision (decimal digits) of the finite-lattice formula


# --------------------------------------------------------------------------------------------
# Exact finite torus (Kaufman / Ferdinand-Fisher)
# --------------------------------------------------------------------------------------------


def _kaufman_log_z_mp(n: int, m: int, k: Any) -> Any:
    """ln Z of the n x m torus at coupling k (an mpmath number); evaluated at the ambient precision.

    Z = 1/2 (2 sinh 2K)^{nm/2} (Z1 + Z2 + Z3 + Z4) with
    Z1 = prod_{r=0}^{n-1} 2 cosh(m g_{2r+1}/2), Z2 = prod 2 sinh(m g_{2r+1}/2),
    Z3 = prod 2 cosh(m g_{2r}/2),               Z4 = prod 2 sinh(m g_{2r}/2),
    cosh g_l = cosh 2K coth 2K - cos(pi l / n) for l >= 1, and g_0 = 2K + ln tanh K *with its sign*.
    """
    mp = mpmath.mp
    two_k = 2 * k
    a = mp.cosh(two_k) * mp.coth(two_k)
    half_m = mp.mpf(m) / 2

    def gamma(idx: int) -> Any:
        if idx == 0:
            return two_k + mp.log(mp.tanh(k))
        return mp.acosh(a - mp.cos(mp.pi * idx / n))

    odd = [gamma(2 * r + 1) for r in range(n)]
    even = [gamma(2 * r) for r in range(n)]
    z1 = mp.fprod(2 * mp.cosh(half_m * g) for g in odd)
    z2 = mp.fprod(2 * mp.sinh(half_m * g) for g in odd)
    z3 = mp.fprod(2 * mp.cosh(half_m * g) for g in even)
    z4 = mp.fprod(2 * mp.sinh(half_m * g) for g in even)
    total = z1 + z2 + z3 + z4
    return mp.log(mp.mpf(1) / 2) + mp.mpf(n * m) / 2 * mp.log(2 * mp.sinh(two_k)) + mp.log(total)


def kaufman_log_z(n: int, m: int, k: float) -> float:
    """Exact ln Z of the ferromagnetic n x m torus at coupling K = beta J (K > 0)."""
    if n < 1 or m < 1 or not k > 0:
        raise ValueError("need n, m >= 1 and K > 0")
    with mpmath.workdps(_DPS):
        return float(_kaufman_log_z_mp(n, m, mpmath.mpf(k)))


@dataclass(frozen=True)
class LatticeThermo:
    """Exact per-spin thermodynamics of a finite torus at coupling K."""

    k: float
    log_z: float  # ln Z (total, not per spin)
    energy: float  # u = <H>/N
    specific_heat: float  # c = K^2 Var(H) / N


def kaufman_thermo(n: int, m: int, k: float) -> LatticeThermo:
    """u and c per spin of the n x m torus at coupling K from derivatives of the exact ln Z.

    d lnZ/dK = <sum s_i s_j> = -<H>, so u = -(1/N) d lnZ/dK and c = (K^2/N) d^2 lnZ/dK^2.
    The derivatives are taken by mpmath's finite differences at 60 digits (far more than the
    15 digits a double keeps), so the result is exact to double precision.
    """
    if n < 1 or m < 1 or not k > 0:
        raise ValueError("need n, m >= 1 and K > 0")
    num = n * m
    with mpmath.workdps(_DPS):
        kk = mpmath.mpf(k)

        def f(x: Any) -> Any:
            return _kaufman_log_z_mp(n, m, x)

        log_z = f(kk)
        d1 = mpmath.diff(f, kk, 1)
        d2 = mpmath.diff(f, kk, 2)
        return LatticeThermo(
            k=k,
            log_z=float(log_z),
            energy=float(-d1 / num),
            specific_heat=float(kk * kk * d2 / num),
        )


# --------------------------------------------------------------------------------------------
# Infinite lattice (Onsager, Yang)
# --------------------------------------------------------------------------------------------


def onsager_energy(k: float) -> float:
    """Onsager's energy per spin of the infinite square lattice at coupling K (K != K_c)."""
    with mpmath.workdps(30):
        kk = mpmath.mpf(k)
        t = mpmath.tanh(2 * kk)
        kappa = 2 * mpmath.sinh(2 * kk) / mpmath.cosh(2 * kk) ** 2
        ell = mpmath.ellipk(kappa**2)
        return float(-mpmath.coth(2 * kk) * (1 + 2 / mpmath.pi * (2 * t**2 - 1) * ell))


def yang_magnetization(k: float) -> float:
    """Yang's spontaneous magnetisation [1 - sinh^-4(2K)]^(1/8) for K > K_c, 0 otherwise."""
    if k <= K_C:
        return 0.0
    return float((1.0 - math.sinh(2.0 * k) ** -4) ** 0.125)


# --------------------------------------------------------------------------------------------
# Lattices and brute-force enumeration
# --------------------------------------------------------------------------------------------


def torus_edges(rows: int, cols: int | None = None) -> tuple[IntArray, IntArray]:
    """The 2N nearest-neighbour bonds (right and down) of a rows x cols torus, each listed once.

    Site (r, c) has index r * cols + c. On a torus of side 2 the two bonds between the same pair
    of sites are both listed (they are distinct bonds of the lattice).
    """
    cols = rows if cols is None else cols
    r, c = np.meshgrid(np.arange(rows), np.arange(cols), indexing="ij")
    site = (r * cols + c).ravel()
    right = (r * cols + (c + 1) % cols).ravel()
    down = (((r + 1) % rows) * cols + c).ravel()
    i = np.concatenate([site, site]).astype(np.int64)
    j = np.concatenate([right, down]).astype(np.int64)
    return i, j


def all_states(n: int) -> SpinArray:
    """All 2^n spin configurations, row k having s_i = +1 exactly when bit i of k is set."""
    if not 0 < n <= 22:
        raise ValueError("enumeration is for 1..22 spins")
    codes = np.arange(1 << n, dtype=np.int64)
    bits = (codes[:, None] >> np.arange(n, dtype=np.int64)[None, :]) & 1
    return (2 * bits - 1).astype(np.int8)


def state_codes(states: SpinArray) -> IntArray:
    """Index of each row of ``states`` (bit i set when s_i = +1)."""
    s = np.asarray(states)
    weights = np.int64(1) << np.arange(s.shape[1], dtype=np.int64)
    codes: IntArray = ((s == 1).astype(np.int64) * weights[None, :]).sum(axis=1)
    return codes


def dense_energies(j: FloatArray, h: FloatArray, states: SpinArray) -> FloatArray:
    """Energies -sum_{i<j} J_ij s_i s_j - sum_i h_i s_i (physics) of each row of ``states``."""
    s = np.asarray(states, dtype=np.float64)
    return np.asarray(-0.5 * np.einsum("ki,ij,kj->k", s, j, s) - s @ h, dtype=np.float64)


def boltzmann(energies: FloatArray, beta: float) -> FloatArray:
    """Normalised exp(-beta E) over the given energies."""
    w = np.exp(-beta * (energies - energies.min()))
    return np.asarray(w / w.sum(), dtype=np.float64)


@dataclass(frozen=True)
class EnumeratedThermo:
    """Exact per-spin observables of a small system by enumeration (library's definitions)."""

    beta: float
    log_z: float
    energy: float  # <E>/N
    specific_heat: float  # beta^2 N (<e^2> - <e>^2), e = E/N
    magnetization: float  # <m>, m = M/N
    abs_magnetization: float  # <|m|>
    susceptibility: float  # beta N (<m^2> - <|m|>^2)


def enumerate_thermo(energies: FloatArray, n: int, beta: float) -> EnumeratedThermo:
    """Observables at ``beta`` from the energies of all 2^n states in index order."""
    states = all_states(n)
    m = states.astype(np.float64).mean(axis=1)
    e = energies / n
    e_min = float(energies.min())
    w = np.exp(-beta * (energies - e_min))
    z = float(w.sum())
    p = w / z
    e1 = float(p @ e)
    e2 = float(p @ (e * e))
    m1 = float(p @ m)
    ma = float(p @ np.abs(m))
    m2 = float(p @ (m * m))
    return EnumeratedThermo(
        beta=beta,
        log_z=math.log(z) - beta * e_min,
        energy=e1,
        specific_heat=beta * beta * n * (e2 - e1 * e1),
        magnetization=m1,
        abs_magnetization=ma,
        susceptibility=beta * n * (m2 - ma * ma),
    )


def torus_energies(rows: int, cols: int | None = None, coupling: float = 1.0) -> FloatArray:
    """Energies -coupling * sum_bonds s_i s_j of all 2^N states of a small torus (index order)."""
    cols = rows if cols is None else cols
    i, j = torus_edges(rows, cols)
    states = all_states(rows * cols).astype(np.int64)
    bond_sum = (states[:, i] * states[:, j]).sum(axis=1)
    return np.asarray(-coupling * bond_sum, dtype=np.float64)


def torus_dense(rows: int, cols: int | None = None, coupling: float = 1.0) -> FloatArray:
    """The symmetric coupling matrix of the torus (doubled bonds of a side-2 torus add up)."""
    cols = rows if cols is None else cols
    i, j = torus_edges(rows, cols)
    n = rows * cols
    mat = np.zeros((n, n), dtype=np.float64)
    np.add.at(mat, (i, j), coupling)
    np.add.at(mat, (j, i), coupling)
    return mat
