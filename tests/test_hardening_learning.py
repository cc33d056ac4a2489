"""Hardening of the learning engines (IQAD, QERC, QAR) against hostile input (issue 9): oversized
requests raise instead of aborting, every long native loop answers Ctrl-C promptly, and no
result is a silent NaN or inf."""

from __future__ import annotations

import importlib
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from interrupts import assert_interrupted, interrupt_after
from limited import raised_under_limit
from quantumpanarchy.decision import IQAD, QAR, QERC
from quantumpanarchy.exceptions import InvalidInputError, ResourceLimitError

# --------------------------------------------------------------------------------------------
# oversized requests: a clear exception under an address-space limit, not an abort


@pytest.mark.skipif(sys.platform != "linux", reason="needs RLIMIT_AS")
@pytest.mark.parametrize(
    ("call", "expected"),
    [
        pytest.param("IQAD(n_epochs=2**31).fit(rng.random((50, 3)))", "ResourceLimitError", id="iqad-n_epochs-2**31"),
        pytest.param("IQAD(n_epochs=2**63).fit(rng.random((50, 3)))", "InvalidInputError", id="iqad-n_epochs-2**63"),
        pytest.param("IQAD(n_hidden=2**31).fit(rng.random((50, 3)))", "ResourceLimitError", id="iqad-n_hidden-2**31"),
        pytest.param(
            "IQAD(n_epochs=1).fit(np.broadcast_to(0.0, (2, 10**5)))", "ResourceLimitError", id="iqad-whiten-wide"
        ),
        pytest.param(
            "QERC().fit(np.broadcast_to(0.0, (60, 10**7)), np.zeros(60))", "ResourceLimitError", id="qerc-wide-view"
        ),
        pytest.param(
            "QERC(n_reservoir=2 * 10**4, connectivity=1e-5).fit(rng.random((3, 2)), rng.random(3))",
            "ResourceLimitError",
            id="qerc-readout-gram",
        ),
        pytest.param(
            "QAR(num_pbits=3, exact=False, num_samples=2**31).decide([0.9, 0.1, 0.5])",
            "ResourceLimitError",
            id="qar-num_samples-2**31",
        ),
        pytest.param(
            "QAR(num_pbits=3, exact=False, num_samples=2**63).decide([0.9, 0.1, 0.5])",
            "ResourceLimitError",
            id="qar-num_samples-2**63",
        ),
        # decision2: y's length is checked against X before anything copies y
        pytest.param(
            "QERC().fit(np.broadcast_to(0.5, (5, 10**7)), np.broadcast_to(0.0, (10**9,)))",
            "InvalidInputError",
            id="qerc-y-10**9-against-5-steps",
        ),
        pytest.param(
            "QERC(task='classification').fit(np.broadcast_to(0.5, (3, 5, 2)), np.broadcast_to(1, (10**9,)))",
            "InvalidInputError",
            id="qerc-y-10**9-against-3-sequences",
        ),
    ],
)
def test_oversized_request_raises_instead_of_aborting(call: str, expected: str) -> None:
    name, detail = raised_under_limit(call)
    assert name == expected, detail


# --------------------------------------------------------------------------------------------
# Ctrl-C: every long native loop stops within a bound and leaves the object usable


@pytest.fixture
def rows() -> np.ndarray:
    return np.random.default_rng(1).random((50, 3))


@pytest.mark.timeout(120)
def test_ctrl_c_interrupts_iqad_fit_inside_a_long_gibbs_chain(rows: np.ndarray) -> None:
    model = IQAD(n_epochs=2, seed=0).fit(rows)
    before = model.score_samples(rows)
    model.set_params(cd_steps=2**31)
    assert_interrupted(lambda: model.fit(rows), "IQAD(cd_steps=2**31).fit")
    # the failed fit left the fitted model as it was, and it still fits and scores
    np.testing.assert_array_equal(model.score_samples(rows), before)
    model.set_params(cd_steps=1)
    assert np.isfinite(model.fit(rows).score_samples(rows)).all()


@pytest.mark.timeout(120)
@pytest.mark.parametrize("persistent", [False, True])
def test_ctrl_c_interrupts_iqad_update(rows: np.ndarray, persistent: bool) -> None:
    model = IQAD(n_epochs=0, cd_steps=2**31, persistent=persistent, seed=0).fit(rows)
    before = (model.offset_, model.n_steps_, model.score_samples(rows))
    assert_interrupted(lambda: model.partial_fit(rows), "IQAD.partial_fit")
    after = (model.offset_, model.n_steps_, model.score_samples(rows))
    assert after[:2] == before[:2]
    np.testing.assert_array_equal(after[2], before[2])


@pytest.mark.timeout(120)
def test_ctrl_c_interrupts_iqad_scoring_of_a_large_input() -> None:
    model = IQAD(n_epochs=1, n_hidden=4096, seed=0).fit(np.random.default_rng(2).random((100, 8)))
    big = np.broadcast_to(np.linspace(0.0, 1.0, 8), (10**6, 8))  # about 3·10**10 multiply-adds
    assert_interrupted(lambda: model.score_samples(big), "IQAD.score_samples")
    assert np.isfinite(model.score_samples(big[:10])).all()


@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    ("n_reservoir", "steps"),
    [
        pytest.param(2000, 3000, id="arnoldi-and-readout"),
        pytest.param(3000, 10, id="power-iteration"),
    ],
)
def test_ctrl_c_interrupts_qerc_fit(n_reservoir: int, steps: int) -> None:
    rng = np.random.default_rng(3)
    model = QERC(n_reservoir=n_reservoir, seed=0)
    assert_interrupted(lambda: model.fit(rng.random((steps, 3)), rng.random(steps)), f"QERC({n_reservoir}).fit")
    assert not model.__sklearn_is_fitted__()
    small = QERC(n_reservoir=20, seed=0).fit(rng.random((30, 3)), rng.random(30))
    assert np.isfinite(small.predict(rng.random((5, 3)))).all()


@pytest.mark.timeout(120)
def test_ctrl_c_interrupts_qerc_readout_of_long_series() -> None:
    rng = np.random.default_rng(4)
    model = QERC(n_reservoir=400, connectivity=0.5, seed=0).fit(rng.random((300, 2)), rng.random(300))
    state = model.state_.copy()
    long = np.broadcast_to(0.5, (10**7, 2))
    assert_interrupted(lambda: model.predict(long, reset=False), "QERC.predict")
    np.testing.assert_array_equal(model.state_, state)
    assert np.isfinite(model.predict(rng.random((5, 2)))).all()


@pytest.mark.timeout(120)
def test_ctrl_c_interrupts_qar_sampling_burn_in() -> None:
    qar = QAR(num_pbits=16, exact=False, burn_in=10**12, seed=0)
    assert_interrupted(lambda: qar.decide(np.full(16, 0.7)), "QAR.decide")
    assert_interrupted(lambda: qar.decide_batch(np.full((4, 16), 0.7)), "QAR.decide_batch")
    rng = np.random.default_rng(5)
    history, outcomes = rng.random((8, 16)), rng.choice([-1, 0, 1], 8)
    assert_interrupted(lambda: qar.fit(history, outcomes), "QAR.fit")
    qar.set_params(burn_in=10)
    assert qar.decide(np.full(16, 0.7)).action.name in {"Buy", "Sell", "Hold"}


# --------------------------------------------------------------------------------------------
# no silent NaN or inf


@pytest.mark.parametrize("exact", [True, False])
def test_qar_refuses_a_beta_that_overflows(exact: bool) -> None:
    with pytest.raises(InvalidInputError, match="beta"):
        QAR(num_pbits=3, beta=1e308, exact=exact, seed=0).decide([0.9, 0.1, 0.5])
    with pytest.raises(InvalidInputError, match="beta"):
        QAR(num_pbits=3, beta=1e308, exact=exact, seed=0).fit(np.random.default_rng(6).random((6, 3)), [1, -1] * 3)
    # a large but representable beta gives a definite, finite decision
    d = QAR(num_pbits=3, beta=1e200, exact=exact, seed=0).decide([0.9, 0.9, 0.9])
    assert d.action.name == "Buy" and np.isfinite(d.confidence) and np.isfinite(d.energy)


def test_iqad_divergence_raises(rows: np.ndarray) -> None:
    for rate in (1e2, 1e10):
        with pytest.raises(InvalidInputError, match="diverged"):
            IQAD(learning_rate=rate, seed=0).fit(rows)


def test_iqad_scores_are_never_infinite(rows: np.ndarray) -> None:
    model = IQAD(n_epochs=5, seed=0).fit(rows)
    with pytest.raises(InvalidInputError, match="overflows"):
        model.score_samples(np.full((2, 3), 1e300))
    with pytest.raises(InvalidInputError, match="overflows"):
        model.predict(np.full((2, 3), -1e300))
    assert np.isfinite(model.score_samples(np.full((2, 3), 1e6))).all()


@pytest.mark.parametrize(
    "make",
    [
        lambda: QAR(num_pbits=3, beta=10**400).decide([0.5, 0.5, 0.5]),
        lambda: IQAD(learning_rate=10**400).fit(np.ones((5, 2))),
        lambda: QERC(ridge=10**400).fit(np.ones((5, 2)), np.ones(5)),
    ],
    ids=["qar-beta", "iqad-learning_rate", "qerc-ridge"],
)
def test_huge_float_parameters_are_invalid_input(make: Callable[[], Any]) -> None:
    with pytest.raises(InvalidInputError):
        make()


@pytest.mark.parametrize(
    "make",
    [
        lambda: IQAD(n_epochs=2**63),
        lambda: IQAD(cd_steps=2**64),
        lambda: IQAD(n_hidden=2**63),
        lambda: IQAD(batch_size=2**63),
        lambda: QERC(n_reservoir=2**63),
        lambda: QERC(washout=2**63),
    ],
    ids=["iqad-n_epochs", "iqad-cd_steps", "iqad-n_hidden", "iqad-batch_size", "qerc-n_reservoir", "qerc-washout"],
)
def test_out_of_range_counts_are_clear_errors(make: Callable[[], Any]) -> None:
    rng = np.random.default_rng(7)
    with pytest.raises((InvalidInputError, ResourceLimitError)):
        model = make()
        if isinstance(model, IQAD):
            model.fit(rng.random((20, 2)))
        else:
            model.fit(rng.random((20, 2)), rng.random(20))


@pytest.mark.parametrize("n", [1, 7, 300, 800])
def test_qerc_spectral_radius_matches_lapack(n: int) -> None:
    model = QERC(n_reservoir=n, spectral_radius=1.3, connectivity=0.05 if n > 100 else 1.0, seed=n)
    model.fit(np.random.default_rng(8).random((10, 1)), np.zeros(10))
    rho = np.abs(np.linalg.eigvals(model.W_)).max()
    assert abs(rho - 1.3) < 1e-11


@pytest.mark.timeout(120)
def test_ctrl_c_interrupts_qerc_ridge_solve(monkeypatch: pytest.MonkeyPatch) -> None:
    """The ridge solve over 7000 readout features (about 3 s in one LAPACK call before it was
    blocked) answers Ctrl-C. The interrupt is sent 0.6 s into the native fit, once the reservoir
    exists and the Gram product of the 2 training rows is done, so that it lands in the solve."""
    native = importlib.import_module("quantumpanarchy._native").decision
    native_fit = native.qerc_fit
    started: list[float] = []
    cleanups: list[Callable[[], None]] = []

    def fit_interrupted(*args: Any) -> Any:
        started.append(time.perf_counter())
        cleanups.append(interrupt_after(0.6))
        return native_fit(*args)

    monkeypatch.setattr(native, "qerc_fit", fit_interrupted)
    x, labels = np.random.default_rng(9).random((2, 2)), np.array([0, 1])
    model = QERC(n_reservoir=7000, connectivity=0.002, seed=0)
    try:
        with pytest.raises(KeyboardInterrupt):
            model.fit(x, labels)
        elapsed = time.perf_counter() - started[0]
    finally:
        for cleanup in cleanups:
            cleanup()
    assert elapsed < 0.6 + 1.5, f"the ridge solve took {elapsed:.2f} s to notice the interrupt"
    monkeypatch.undo()
    assert not model.__sklearn_is_fitted__()
    model.set_params(n_reservoir=50)
    assert set(model.fit(x, labels).predict(x)) <= {0, 1}
