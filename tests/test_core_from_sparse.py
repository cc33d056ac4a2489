"""``PBitNetwork.from_sparse`` reads J as ``from_dense`` reads it, in every form it takes.

J is symmetric and J[i, j] is the coupling of i and j. Given sparsely, repeated entries of one
position add up (as scipy.sparse sums duplicates), a pair stated in one triangle only is that
coupling, and a pair stated in both must agree and counts once. The same J in any form must give
the same network: the same couplings, fields, energies and (with a seed) annealing results.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from quantumpanarchy.core import PBitNetwork
from quantumpanarchy.exceptions import InvalidInputError

sp: Any = pytest.importorskip("scipy.sparse")

FloatArray = npt.NDArray[np.float64]
N = 14


def problem() -> tuple[FloatArray, FloatArray]:
    """A symmetric J with a zero diagonal and fields h, both in quarters (exact in float16)."""
    rng = np.random.default_rng(11)
    upper = np.triu(rng.integers(-8, 9, (N, N)) / 4 * (rng.random((N, N)) < 0.3), 1)
    return upper + upper.T, rng.integers(-4, 5, N) / 4


J, H = problem()


def coo_parts(m: FloatArray) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], FloatArray]:
    r, c = np.nonzero(m)
    return r, c, m[r, c]


def with_duplicates(m: FloatArray) -> Any:
    """J as a COO matrix whose upper entries come in two halves and lower ones once, shuffled."""
    r, c, v = coo_parts(np.triu(m))
    rl, cl, vl = coo_parts(np.tril(m))
    rows, cols = np.concatenate([r, r, rl]), np.concatenate([c, c, cl])
    values = np.concatenate([v / 2, v / 2, vl])
    order = np.random.default_rng(3).permutation(len(values))
    return sp.coo_matrix((values[order], (rows[order], cols[order])), shape=m.shape)


def with_zeros(m: FloatArray) -> Any:
    """The upper triangle of J as COO, with explicit zeros stored on the diagonal and below it."""
    r, c, v = coo_parts(np.triu(m))
    rows, cols = np.concatenate([r, np.arange(N), c]), np.concatenate([c, np.arange(N), r])
    return sp.coo_matrix((np.concatenate([v, np.zeros(N + len(v))]), (rows, cols)), shape=m.shape)


SCIPY_FORMS: dict[str, Callable[[FloatArray], Any]] = {
    "coo_matrix": sp.coo_matrix,
    "coo_array": sp.coo_array,
    "csr_matrix": sp.csr_matrix,
    "csr_array": sp.csr_array,
    "csc_matrix": sp.csc_matrix,
    "csc_array": sp.csc_array,
    "bsr_array": sp.bsr_array,
    "dok_matrix": sp.dok_matrix,
    "lil_array": sp.lil_array,
    "dia_matrix": sp.dia_matrix,
    "upper-only": lambda m: sp.triu(m, format="csr"),
    "lower-only": lambda m: sp.tril(m, format="csc"),
    "upper-only-array": lambda m: sp.csr_array(np.triu(m)),
    "duplicates": with_duplicates,
    "explicit-zeros": lambda m: with_zeros(m),
}


def same_network(net: PBitNetwork, ref: PBitNetwork) -> None:
    np.testing.assert_array_equal(net.to_dense()[0], ref.to_dense()[0])
    np.testing.assert_array_equal(net.fields, ref.fields)
    assert net.num_couplings == ref.num_couplings and net.is_dense == ref.is_dense
    states = np.where(np.random.default_rng(5).random((64, N)) < 0.5, 1, -1).astype(np.int8)
    np.testing.assert_array_equal(net.energy(states), ref.energy(states))
    np.testing.assert_array_equal(net.local_fields(states), ref.local_fields(states))
    a, b = net.anneal(num_reads=4, num_sweeps=60, seed=9), ref.anneal(num_reads=4, num_sweeps=60, seed=9)
    np.testing.assert_array_equal(a.samples, b.samples)
    np.testing.assert_array_equal(a.energies, b.energies)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("form", list(SCIPY_FORMS))
def test_scipy_sparse_means_what_from_dense_means(form: str, dtype: type[np.floating[Any]]) -> None:
    matrix = SCIPY_FORMS[form](J).astype(dtype)
    same_network(PBitNetwork.from_sparse(matrix, h=H, seed=1), PBitNetwork.from_dense(J, H, seed=1))


def triplet_forms(dtype: type[np.floating[Any]]) -> dict[str, tuple[Any, Any, Any]]:
    """The upper triangle, the lower one and both, as triplets of several layouts and index types."""
    r, c, v = coo_parts(J)
    ru, cu, vu = coo_parts(np.triu(J))
    v = v.astype(dtype)
    strided = np.zeros(2 * len(v), dtype=dtype)
    strided[::2] = v
    f_ordered = np.asfortranarray(np.column_stack([r, c, v]).astype(dtype))
    c_ordered = np.column_stack([r, c, v]).astype(dtype)  # its columns are strided
    return {
        "both-int64": (r.astype(np.int64), c.astype(np.int64), v),
        "both-int32": (r.astype(np.int32), c.astype(np.int32), v),
        "upper": (ru, cu, vu.astype(dtype)),
        "lower": (cu, ru, vu.astype(dtype)),
        "strided-values": (r, c, strided[::2]),
        "f-ordered-columns": (f_ordered[:, 0], f_ordered[:, 1], f_ordered[:, 2]),
        "c-ordered-columns": (c_ordered[:, 0], c_ordered[:, 1], c_ordered[:, 2]),
        "lists": (r.tolist(), c.tolist(), v.tolist()),
        "reversed": (r[::-1], c[::-1], v[::-1]),
    }


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("form", list(triplet_forms(np.float64)))
def test_triplets_mean_what_from_dense_means(form: str, dtype: type[np.floating[Any]]) -> None:
    rows, cols, values = triplet_forms(dtype)[form]
    net = PBitNetwork.from_sparse(rows, cols, values, h=H.astype(dtype), num_pbits=N, seed=1)
    same_network(net, PBitNetwork.from_dense(J, H, seed=1))


def test_a_pair_in_both_triangles_counts_once() -> None:
    both = PBitNetwork.from_sparse([0, 1], [1, 0], [1.5, 1.5])
    assert both.coupling(0, 1) == 1.5 and both.num_pbits == 2
    # repeated entries of one position add up before the triangles are compared
    dup = PBitNetwork.from_sparse([0, 0, 1], [1, 1, 0], [1.0, 0.5, 1.5])
    assert dup.coupling(0, 1) == 1.5
    # within from_dense's symmetry tolerance: accepted, as from_dense accepts it
    near = 1.0 + 1e-13
    assert PBitNetwork.from_sparse([0, 1], [1, 0], [1.0, near]).coupling(0, 1) == pytest.approx(1.0)
    PBitNetwork.from_dense(np.array([[0.0, 1.0], [near, 0.0]]))


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: PBitNetwork.from_sparse([0, 1], [1, 0], [1.0, 2.0]), id="triplets"),
        pytest.param(lambda: PBitNetwork.from_sparse(sp.csr_array(np.array([[0, 1.0], [2.0, 0]]))), id="csr"),
        pytest.param(lambda: PBitNetwork.from_sparse([1, 0, 0], [0, 1, 1], [1.0, 1.5, 0.5]), id="duplicates"),
    ],
)
def test_triangles_that_disagree_are_refused(make: Callable[[], PBitNetwork]) -> None:
    with pytest.raises(InvalidInputError, match=r"J must be symmetric: J\[0,1\] = (1|2) but J\[1,0\] = (1|2)"):
        make()
    with pytest.raises(InvalidInputError, match=r"J\[0,1\] = 1 but J\[1,0\] = 2"):
        PBitNetwork.from_dense(np.array([[0, 1.0], [2.0, 0]]))


def test_diagonal_is_handled_as_from_dense_handles_it() -> None:
    with pytest.raises(InvalidInputError, match=r"zero diagonal.*J\[1,1\] = 0.5"):
        PBitNetwork.from_sparse(sp.coo_array(np.diag([0.0, 0.5])))
    with pytest.raises(InvalidInputError, match=r"zero diagonal.*J\[1,1\] = 0.5"):
        PBitNetwork.from_dense(np.diag([0.0, 0.5]))
    # repeated diagonal entries that cancel leave a zero diagonal
    assert PBitNetwork.from_sparse([0, 1, 1], [1, 1, 1], [1.0, 0.5, -0.5]).num_couplings == 1


def test_non_finite_entries_are_named() -> None:
    with pytest.raises(InvalidInputError, match=r"J must be finite: J\[2,0\] is NaN"):
        PBitNetwork.from_sparse(sp.coo_matrix(([np.nan], ([2], [0])), shape=(3, 3)))
    with pytest.raises(InvalidInputError, match=r"J\[0,1\] is inf, the sum of its repeated entries"):
        PBitNetwork.from_sparse([0, 0], [1, 1], [1.7e308, 1.7e308])


def test_arguments() -> None:
    csr = sp.csr_matrix(J)
    # A scipy.sparse J comes alone, as the stub says: h, num_pbits and seed by keyword. Triplets
    # may be followed by them positionally, as from_sparse(rows, cols, values, h, num_pbits, seed)
    # always allowed.
    np.testing.assert_array_equal(PBitNetwork.from_sparse(csr, h=H).fields, H)
    assert PBitNetwork.from_sparse(csr, num_pbits=N).num_pbits == N
    assert PBitNetwork.from_sparse([0], [1], [1.0], [0.5, 0.0, 0.0], None, 3).fields[0] == 0.5
    by_position = PBitNetwork.from_sparse([0], [1], [1.0], None, 4, 7)
    assert by_position.num_pbits == 4
    assert by_position.anneal(num_reads=2, num_sweeps=5) == PBitNetwork.from_sparse(
        [0], [1], [1.0], num_pbits=4, seed=7
    ).anneal(num_reads=2, num_sweeps=5)
    with pytest.raises(InvalidInputError, match=r"num_pbits \(15\) must match J's shape \(14, 14\)"):
        PBitNetwork.from_sparse(csr, num_pbits=N + 1)
    with pytest.raises(InvalidInputError, match=r"J must be square, got shape \(2, 3\)"):
        PBitNetwork.from_sparse(sp.csr_array(np.ones((2, 3))))
    with pytest.raises(InvalidInputError, match=r"scipy\.sparse matrix or array.*from_dense"):
        PBitNetwork.from_sparse(J)  # type: ignore[call-overload]
    with pytest.raises(InvalidInputError, match=r"scipy\.sparse matrix or array.*rows, cols and values"):
        PBitNetwork.from_sparse([0], [1])  # type: ignore[call-overload]
    keywords = r"scipy\.sparse J as its only positional argument: pass h, num_pbits and seed by keyword"
    with pytest.raises(TypeError, match=keywords):
        PBitNetwork.from_sparse(csr, H)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match=keywords):
        PBitNetwork.from_sparse(csr, H, None, 1)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match=keywords):
        PBitNetwork.from_sparse(csr, H, h=H)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="multiple values for argument 'h'"):
        PBitNetwork.from_sparse([0], [1], [1.0], H, h=H)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match=r"from_sparse\(\) takes from 1 to 6 positional arguments but 7 were given"):
        PBitNetwork.from_sparse([0], [1], [1.0], None, None, None, 1)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match=r"from_sparse\(\) missing 1 required positional argument: 'J'"):
        PBitNetwork.from_sparse()  # type: ignore[call-overload]
    # pyo3 names the argument in a note on the TypeError
    with pytest.raises(TypeError, match=r"'str' object cannot be .*\nwhile processing 'num_pbits'"):
        PBitNetwork.from_sparse(csr, num_pbits="14")  # type: ignore[call-overload]
    with pytest.raises(TypeError, match=r"'float' object cannot be .*\nwhile processing 'num_pbits'"):
        PBitNetwork.from_sparse([0], [1], [1.0], None, 3.0)  # type: ignore[call-overload]
    with pytest.raises(InvalidInputError, match="J must hold real numbers"):
        PBitNetwork.from_sparse(sp.csr_array(np.array([[0, 1j], [1j, 0]])))


@pytest.mark.parametrize(
    ("rows", "cols", "match"),
    [
        ([-1], [0], r"at entry 0: \(-1, 0\) for 1 p-bits"),
        ([0, -3], [1, -2], r"at entry 1: \(-3, -2\) for 2 p-bits"),
        ([0, 1], [1, 2**63 - 1], r"at entry 1: \(1, 9223372036854775807\) for 2 p-bits"),
        ([2**40], [1], r"at entry 0: \(1099511627776, 1\) for 2 p-bits"),
        (np.array([3, -(2**31)], dtype=np.int32), np.array([0, 1], dtype=np.int32), r"at entry 1: .* for 4 p-bits"),
    ],
)
def test_impossible_indices_are_out_of_range_at_their_entry(rows: Any, cols: Any, match: str) -> None:
    """Without num_pbits or h the size is one more than the largest index a network can have; a
    negative or too-large index is then reported where it is, not taken as the size."""
    with pytest.raises(InvalidInputError, match=f"^coupling index out of range {match}$"):
        PBitNetwork.from_sparse(rows, cols, np.ones(len(rows)))


def test_no_entries_is_no_network() -> None:
    with pytest.raises(InvalidInputError, match="at least one p-bit"):
        PBitNetwork.from_sparse([], [], [])
    assert PBitNetwork.from_sparse([], [], [], num_pbits=3).num_couplings == 0


def test_scipy_is_not_imported_by_the_package() -> None:
    code = "import sys, quantumpanarchy, quantumpanarchy.core, quantumpanarchy.decision; print('scipy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_millions_of_entries() -> None:
    """A ring of 10^6 p-bits stated in both triangles (2·10^6 entries, int32 indices, float32)."""
    n = 1_000_000
    i = np.arange(n, dtype=np.int32)
    j = (i + 1) % n
    ring = sp.coo_array(
        (np.ones(2 * n, dtype=np.float32), (np.concatenate([i, j]), np.concatenate([j, i]))), shape=(n, n)
    )
    net = PBitNetwork.from_sparse(ring.tocsr(), seed=0)
    assert net.num_pbits == n and net.num_couplings == n and not net.is_dense
    assert net.coupling(n - 1, 0) == 1.0 and net.coupling(5, 6) == 1.0 and net.coupling(5, 7) == 0.0
    assert net.energy(np.ones(n, dtype=np.int8)) == -n
