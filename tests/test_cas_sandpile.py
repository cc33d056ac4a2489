"""The BTW sandpile: at stationarity the mean avalanche size (topplings per added grain) equals
Dhar's exact value, the mean row sum of the inverse toppling matrix, within 4 batch-means standard
errors for L = 16, 32, 64; records, state, seeding, pickling, bad input and Ctrl-C."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from interrupts import assert_interrupted
from quantumpanarchy.cas import AvalancheRecord, Sandpile
from quantumpanarchy.exceptions import InvalidInputError, InvalidTypeError

sparse = pytest.importorskip("scipy.sparse")
linalg = pytest.importorskip("scipy.sparse.linalg")


def dhar_mean_size(L: int) -> float:
    """Mean over sites of the row sums of Δ⁻¹ (Δ = 4 on the diagonal, −1 per lattice neighbour,
    open boundaries): the expected topplings caused by a grain added at a uniform site."""
    one = sparse.diags([-np.ones(L - 1), 2 * np.ones(L), -np.ones(L - 1)], [-1, 0, 1])
    eye = sparse.identity(L)
    delta = (sparse.kron(one, eye) + sparse.kron(eye, one)).tocsc()
    return float(linalg.spsolve(delta, np.ones(L * L)).mean())


@pytest.mark.parametrize(("L", "grains"), [(16, 200_000), (32, 200_000), (64, 200_000)])
def test_mean_size_equals_dhar(L: int, grains: int) -> None:
    pile = Sandpile(L, seed=L)
    pile.drive(6 * L * L)  # burn-in: the mean height reaches its stationary 2.125 after ~2.1 L² grains
    sizes = pile.drive(grains).sizes
    batches = sizes.reshape(40, -1).mean(axis=1)
    mean = batches.mean()
    se = batches.std(ddof=1) / np.sqrt(len(batches))
    exact = dhar_mean_size(L)
    assert abs(mean - exact) < 4 * se, (L, mean, exact, se)
    assert se < 0.05 * exact


def test_records_state_and_seeding() -> None:
    a, b = Sandpile(24, seed=5), Sandpile(24, seed=5)
    r = a.drive(5000)
    assert isinstance(r, AvalancheRecord) and len(r) == 5000
    for arr in (r.sizes, r.areas, r.durations):
        assert arr.dtype == np.int64 and arr.shape == (5000,)
    assert np.all(r.areas <= r.sizes) and np.all(r.durations <= r.sizes)
    assert np.all((r.sizes == 0) == (r.durations == 0))
    first = b.drive(2000)
    second = b.drive(3000)
    np.testing.assert_array_equal(np.concatenate([first.sizes, second.sizes]), r.sizes)
    np.testing.assert_array_equal(a.grid, b.grid)
    assert a.grid.shape == (24, 24) and a.grid.max() <= 3
    g = a.grid
    g[:] = 0  # a copy
    assert a.grid.max() > 0
    assert a.grains == 5000
    c = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(c.drive(100).sizes, a.drive(100).sizes)
    assert "Sandpile(L=24" in repr(a) and "AvalancheRecord(" in repr(r)
    assert not np.array_equal(Sandpile(24, seed=6).drive(5000).sizes, r.sizes)


def test_bad_input() -> None:
    with pytest.raises(InvalidInputError):
        Sandpile(0)
    with pytest.raises(InvalidInputError):
        Sandpile(1 << 16)
    with pytest.raises(InvalidTypeError):
        Sandpile(4.5)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        Sandpile(4, seed=-1)
    with pytest.raises(InvalidInputError):
        Sandpile(4).drive(-1)
    assert len(Sandpile(4).drive(0)) == 0


def test_ctrl_c_long_drive_leaves_the_pile() -> None:
    pile = Sandpile(256, seed=1)
    pile.drive(1000)
    before = pile.grid
    assert_interrupted(lambda: pile.drive(10**9), "a long sandpile drive")
    np.testing.assert_array_equal(pile.grid, before)
    assert pile.grains == 1000
