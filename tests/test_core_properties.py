"""Property tests (hypothesis) of the energy identities and conversions of ``quantumpanarchy.core``.

References are written out in numpy: E(s) = -1/2 sᵀJs - h·s (physics convention, J symmetric with
a zero diagonal), C(x) = xᵀQx for QUBOs, and x = (1 + s)/2 between bits and spins.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from quantumpanarchy.core import IsingEnergy, PBitNetwork, SampleSet

FloatArray = npt.NDArray[np.float64]
SpinArray = npt.NDArray[np.int8]

# moderate example counts; no example database (nothing is written next to the tests)
PROPERTY = settings(max_examples=75, deadline=None, database=None)
FEW = settings(max_examples=30, deadline=None, database=None)

finite = st.floats(min_value=-10.0, max_value=10.0, allow_nan=False, allow_infinity=False, width=64)
# magnitudes the default annealing schedule can handle (see the tiny-field test below)
moderate = st.one_of(st.just(0.0), st.floats(1e-6, 10.0), st.floats(-10.0, -1e-6))


@st.composite
def ising(
    draw: st.DrawFn, min_n: int = 1, max_n: int = 9, elements: st.SearchStrategy[float] = finite
) -> tuple[FloatArray, FloatArray]:
    """A symmetric J with zero diagonal (sometimes sparse) and fields h."""
    n = draw(st.integers(min_n, max_n))
    a = draw(hnp.arrays(np.float64, (n, n), elements=elements))
    mask = draw(hnp.arrays(np.bool_, (n, n)))
    upper = np.triu(np.where(mask, a, 0.0), 1)
    h = draw(hnp.arrays(np.float64, (n,), elements=elements))
    return upper + upper.T, h


def spins(draw: st.DrawFn, n: int, rows: int | None = None) -> SpinArray:
    shape: tuple[int, ...] = (n,) if rows is None else (rows, n)
    bits = draw(hnp.arrays(np.bool_, shape))
    return np.where(bits, 1, -1).astype(np.int8)


@st.composite
def ising_and_states(draw: st.DrawFn) -> tuple[FloatArray, FloatArray, SpinArray]:
    j, h = draw(ising())
    rows = draw(st.integers(1, 12))
    return j, h, spins(draw, len(h), rows)


def reference(j: FloatArray, h: FloatArray, s: npt.NDArray[np.integer]) -> FloatArray:
    x = np.atleast_2d(s).astype(np.float64)
    return np.asarray(-0.5 * np.einsum("ki,ij,kj->k", x, j, x) - x @ h, dtype=np.float64)


def tolerance(j: FloatArray, h: FloatArray) -> float:
    return 1e-12 * (1.0 + float(np.abs(j).sum() + np.abs(h).sum()))


@PROPERTY
@given(ising_and_states())
def test_network_energy_equals_numpy_reference(problem: tuple[FloatArray, FloatArray, SpinArray]) -> None:
    j, h, s = problem
    net = PBitNetwork.from_dense(j, h)
    tol = tolerance(j, h)
    np.testing.assert_allclose(net.energy(s), reference(j, h, s), rtol=0, atol=tol)
    np.testing.assert_allclose(IsingEnergy.energy(j, h, s), reference(j, h, s), rtol=0, atol=tol)
    net.state = s[0]
    assert abs(net.energy() - reference(j, h, s[0])[0]) <= tol


@PROPERTY
@given(ising_and_states(), st.data())
def test_delta_energy_is_the_flip_difference(
    problem: tuple[FloatArray, FloatArray, SpinArray], data: st.DataObject
) -> None:
    j, h, s = problem
    i = data.draw(st.integers(0, len(h) - 1))
    flipped = s.copy()
    flipped[:, i] *= -1
    expected = reference(j, h, flipped) - reference(j, h, s)
    tol = 4 * tolerance(j, h)
    np.testing.assert_allclose(IsingEnergy.delta_energy(j, h, s, i), expected, rtol=0, atol=tol)
    assert abs(IsingEnergy.delta_energy(j, h, s[0], i) - expected[0]) <= tol
    # the same through the network: E(flip) - E
    net = PBitNetwork.from_dense(j, h)
    np.testing.assert_allclose(net.energy(flipped) - net.energy(s), expected, rtol=0, atol=tol)


@PROPERTY
@given(ising_and_states())
def test_energy_is_invariant_under_global_flip_without_fields(
    problem: tuple[FloatArray, FloatArray, SpinArray],
) -> None:
    j, h, s = problem
    zero = np.zeros_like(h)
    net = PBitNetwork.from_dense(j)
    e = net.energy(s)
    np.testing.assert_allclose(net.energy(-s), e, rtol=0, atol=tolerance(j, zero))
    np.testing.assert_allclose(IsingEnergy.energy(j, None, -s), e, rtol=0, atol=tolerance(j, zero))
    # with fields the flip changes E by 2 h·s exactly
    with_h = PBitNetwork.from_dense(j, h)
    np.testing.assert_allclose(with_h.energy(-s) - with_h.energy(s), 2 * (s @ h), rtol=0, atol=4 * tolerance(j, h))


@PROPERTY
@given(ising_and_states())
def test_batch_energy_equals_row_energies(problem: tuple[FloatArray, FloatArray, SpinArray]) -> None:
    j, h, s = problem
    net = PBitNetwork.from_dense(j, h)
    batch = net.energy(s)
    assert batch.shape == (len(s),)
    np.testing.assert_array_equal(batch, np.array([net.energy(row) for row in s]))
    np.testing.assert_array_equal(IsingEnergy.energy(j, h, s), [IsingEnergy.energy(j, h, row) for row in s])
    # local fields follow the same convention: I = h + J s, and E = -1/2 s·(I + h)
    lf = net.local_fields(s)
    np.testing.assert_allclose(lf, s @ j + h, rtol=0, atol=tolerance(j, h))
    np.testing.assert_allclose(-0.5 * np.einsum("ki,ki->k", s, lf + h), batch, rtol=0, atol=4 * tolerance(j, h))


@st.composite
def qubo_and_bits(draw: st.DrawFn) -> tuple[FloatArray, npt.NDArray[np.int8]]:
    n = draw(st.integers(1, 9))
    q = draw(hnp.arrays(np.float64, (n, n), elements=finite))
    rows = draw(st.integers(1, 12))
    x = draw(hnp.arrays(np.bool_, (rows, n))).astype(np.int8)
    return q, x


def qubo_value(q: FloatArray, x: npt.NDArray[np.int8]) -> FloatArray:
    xf = x.astype(np.float64)
    return np.asarray(np.einsum("ki,ij,kj->k", xf, q, xf), dtype=np.float64)


@PROPERTY
@given(qubo_and_bits())
def test_qubo_equals_ising_energy_plus_offset(problem: tuple[FloatArray, npt.NDArray[np.int8]]) -> None:
    q, x = problem
    j, h, offset = IsingEnergy.qubo_to_ising(q)
    np.testing.assert_array_equal(j, j.T)
    np.testing.assert_array_equal(np.diag(j), 0.0)
    s = (2 * x - 1).astype(np.int8)
    tol = 1e-12 * (1.0 + float(np.abs(q).sum()))
    np.testing.assert_allclose(reference(j, h, s) + offset, qubo_value(q, x), rtol=0, atol=tol)
    np.testing.assert_allclose(IsingEnergy.energy(j, h, s) + offset, qubo_value(q, x), rtol=0, atol=tol)
    # the network built from Q reports xᵀQx itself, in bits
    net = PBitNetwork.from_qubo(q)
    np.testing.assert_allclose(net.energy(x), qubo_value(q, x), rtol=0, atol=tol)


@PROPERTY
@given(qubo_and_bits())
def test_ising_to_qubo_inverts_qubo_to_ising(problem: tuple[FloatArray, npt.NDArray[np.int8]]) -> None:
    q, x = problem
    j, h, offset = IsingEnergy.qubo_to_ising(q)
    q2, offset2 = IsingEnergy.ising_to_qubo(j, h)
    tol = 1e-12 * (1.0 + float(np.abs(q).sum()))
    np.testing.assert_allclose(q2, (q + q.T) / 2, rtol=0, atol=tol)
    assert abs(offset + offset2) <= tol
    # and the energies agree: E_ising(s) = x'ᵀQ2x' + offset2
    s = (2 * x - 1).astype(np.int8)
    np.testing.assert_allclose(reference(j, h, s), qubo_value(q2, x) + offset2, rtol=0, atol=4 * tol)


@PROPERTY
@given(ising())
def test_ising_to_qubo_then_back_is_identity(problem: tuple[FloatArray, FloatArray]) -> None:
    j, h = problem
    q, off = IsingEnergy.ising_to_qubo(j, h)
    j2, h2, off2 = IsingEnergy.qubo_to_ising(q)
    tol = tolerance(j, h)
    np.testing.assert_allclose(j2, j, rtol=0, atol=tol)
    np.testing.assert_allclose(h2, h, rtol=0, atol=tol)
    assert abs(off + off2) <= 4 * tol


@st.composite
def sparse_entries(
    draw: st.DrawFn,
) -> tuple[FloatArray, FloatArray, npt.NDArray[np.int64], npt.NDArray[np.int64], FloatArray, SpinArray]:
    """A symmetric J, and COO entries stating it in any way ``from_sparse`` reads as that J: each
    coupling in the upper triangle, the lower one or both, or split into repeated entries; explicit
    zeros anywhere (the diagonal too); in any order."""
    j, h = draw(ising(min_n=2))
    n = len(h)
    entries: list[tuple[int, int, float]] = []
    for a in range(n):
        for b in range(a + 1, n):
            w = float(j[a, b])
            if w == 0.0:
                continue
            how = draw(st.sampled_from(["upper", "lower", "both", "split"]))
            if how == "split" and w / 2 + w / 2 == w:  # halves that add up exactly
                r, c = draw(st.sampled_from([(a, b), (b, a)]))
                entries += [(r, c, w / 2), (r, c, w / 2)]
                continue
            if how != "lower":
                entries.append((a, b, w))
            if how in ("lower", "both"):
                entries.append((b, a, w))
    zeros = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=n))
    entries += [(r, c, 0.0) for r, c in zeros]
    entries = draw(st.permutations(entries))
    rows = np.array([e[0] for e in entries], dtype=np.int64)
    cols = np.array([e[1] for e in entries], dtype=np.int64)
    values = np.array([e[2] for e in entries], dtype=np.float64)
    return j, h, rows, cols, values, spins(draw, n, draw(st.integers(1, 8)))


@PROPERTY
@given(sparse_entries())
def test_from_sparse_means_what_from_dense_means(
    problem: tuple[FloatArray, FloatArray, npt.NDArray[np.int64], npt.NDArray[np.int64], FloatArray, SpinArray],
) -> None:
    j, h, rows, cols, values, s = problem
    n = len(h)
    sparse_net = PBitNetwork.from_sparse(rows, cols, values, h=h, num_pbits=n)
    dense_net = PBitNetwork.from_dense(j, h)
    j_sparse, h_sparse = sparse_net.to_dense()
    np.testing.assert_array_equal(j_sparse, j)
    np.testing.assert_array_equal(h_sparse, h)
    assert sparse_net.num_couplings == dense_net.num_couplings
    np.testing.assert_array_equal(sparse_net.energy(s), dense_net.energy(s))
    np.testing.assert_array_equal(sparse_net.local_fields(s), dense_net.local_fields(s))
    np.testing.assert_allclose(sparse_net.energy(s), reference(j, h, s), rtol=0, atol=tolerance(j, h))
    er, ec, ev = sparse_net.edges()
    assert np.all(er < ec)
    rebuilt = np.zeros((n, n))
    rebuilt[er, ec] = ev
    np.testing.assert_allclose(rebuilt + rebuilt.T, j_sparse, rtol=0, atol=0)


# couplings near the underflow limit are left to the dedicated test below
@FEW
@given(ising(min_n=2, max_n=8, elements=moderate), st.integers(0, 2**32), st.sampled_from(["gibbs", "metropolis"]))
def test_anneal_energies_are_the_network_energies(
    problem: tuple[FloatArray, FloatArray], seed: int, method: str
) -> None:
    j, h = problem
    net = PBitNetwork.from_dense(j, h, seed=seed)
    ss = net.anneal(num_reads=3, num_sweeps=8, seed=seed, method="gibbs" if method == "gibbs" else "metropolis")
    assert ss.samples.shape == (3, len(h))
    np.testing.assert_allclose(ss.energies, reference(j, h, ss.samples), rtol=0, atol=4 * tolerance(j, h))
    assert ss.first.energy == ss.energies.min()


@pytest.mark.parametrize("h", [[5e-324, 5e-324], [1e-310, 1e-310], [1e-308, 1e-308], [1.0, 2.2250738585072014e-308]])
def test_anneal_with_tiny_fields_uses_a_finite_default_schedule(h: list[float]) -> None:
    """Found by hypothesis: valid (finite, non-NaN) fields that are merely tiny."""
    net = PBitNetwork.from_dense(np.zeros((2, 2)), h, seed=1)
    hot, cold = net.default_beta_range()
    assert np.isfinite(hot) and np.isfinite(cold)
    ss = net.anneal(num_reads=2, num_sweeps=5, seed=1)
    np.testing.assert_allclose(ss.energies, reference(np.zeros((2, 2)), np.array(h), ss.samples))


@FEW
@given(
    st.integers(1, 5).flatmap(
        lambda n: hnp.arrays(np.int8, st.tuples(st.integers(1, 15), st.just(n)), elements=st.sampled_from([-1, 1]))
    )
)
def test_sample_set_aggregate_and_lowest(samples: SpinArray) -> None:
    energies = -samples.sum(axis=1).astype(np.float64)
    ss = SampleSet(samples, energies)
    agg = ss.aggregate()
    assert int(agg.num_occurrences.sum()) == len(ss)
    assert len(agg) == len(np.unique(samples, axis=0))
    for row in agg:
        count = int(np.all(samples == row.sample, axis=1).sum())
        assert row.num_occurrences == count
        assert row.energy == -float(row.sample.sum())
    low = ss.lowest(len(ss))
    assert np.all(np.diff(low.energies) >= 0)
    assert sorted(map(tuple, low.samples.tolist())) == sorted(map(tuple, samples.tolist()))
