"""decision.QERC: echo-state network + ridge readout, against reservoirpy (the anchor).

Evidence: one-step-ahead Mackey–Glass (τ = 17) NRMSE against reservoirpy's ``Reservoir >> Ridge``
with the same hyper-parameters; the same weights give reservoirpy's predictions to 1e-8;
classification of regimes (per sequence and per step) and of sklearn's digits; determinism
across thread counts; bad inputs; pickling; scikit-learn's ``clone``.
"""

from __future__ import annotations

import asyncio
import copy
import pickle
import threading
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pytest
from quantumpanarchy import InvalidInputError, NotFittedError, QuantumPanarchyError, performance
from quantumpanarchy.decision import QERC

reservoirpy = pytest.importorskip("reservoirpy")
rpy_nodes = pytest.importorskip("reservoirpy.nodes")
rpy_mat_gen = pytest.importorskip("reservoirpy.mat_gen")
rpy_datasets = pytest.importorskip("reservoirpy.datasets")
sk_base = pytest.importorskip("sklearn.base")
sk_datasets = pytest.importorskip("sklearn.datasets")
sk_metrics = pytest.importorskip("sklearn.metrics")

# reservoirpy < 0.4 logs through `verbosity`; 0.4 removed it (and prints nothing).
_verbosity = getattr(reservoirpy, "verbosity", None)
if _verbosity is not None:
    _verbosity(0)

FloatArray = npt.NDArray[np.float64]


def nrmse(pred: FloatArray, truth: FloatArray) -> float:
    return float(np.sqrt(np.mean((pred - truth) ** 2)) / np.std(truth))


@pytest.fixture(scope="module")
def mackey_glass() -> FloatArray:
    series: FloatArray = np.asarray(rpy_datasets.mackey_glass(2200, tau=17), dtype=np.float64)
    return series


def regimes(n: int, seed: int) -> tuple[list[FloatArray], npt.NDArray[np.str_]]:
    """Return series of three risk regimes: calm (σ = 0.5), volatile (σ = 1.5) and mean-reverting
    (AR(1) with φ = −0.7, σ = 0.9), 60 to 120 steps each."""
    rng = np.random.default_rng(seed)
    names = np.array(["calm", "volatile", "reverting"])
    X, y = [], []
    for i in range(n):
        k = i % 3
        noise = rng.normal(scale=(0.5, 1.5, 0.9)[k], size=int(rng.integers(60, 120)))
        phi = (0.0, 0.0, -0.7)[k]
        r = np.empty_like(noise)
        prev = 0.0
        for t, e in enumerate(noise):
            prev = phi * prev + e
            r[t] = prev
        X.append(r)
        y.append(names[k])
    return X, np.array(y)


def switching(T: int, seed: int) -> tuple[FloatArray, npt.NDArray[np.int64]]:
    """Return returns whose volatility switches between 0.5 and 2.0 (a persistent Markov chain)
    and the regime of every step."""
    rng = np.random.default_rng(seed)
    state = np.cumsum(rng.random(T) < 0.02) % 2
    return rng.normal(size=T) * np.where(state == 1, 2.0, 0.5), state.astype(np.int64)


# -- evidence against the anchor ---------------------------------------------------------------

# Hyper-parameters shared by both libraries (reservoirpy's names: units, sr, lr, Ridge(ridge), warmup).
MG: dict[str, Any] = {"n_reservoir": 200, "spectral_radius": 1.25, "leak_rate": 0.3, "ridge": 1e-7, "washout": 100}


def test_mackey_glass_one_step_ahead_matches_reservoirpy(mackey_glass: FloatArray) -> None:
    """One-step-ahead prediction of Mackey–Glass (τ = 17): train on 1500 steps, predict 700.

    Both reservoirs have 200 units, spectral radius 1.25, leak rate 0.3, connectivity 0.1, dense
    uniform input weights (scaling 1) and a uniform bias in [−1, 1], ridge 1e-7 and a washout of
    100 steps. The two libraries draw different random matrices, so the NRMSE is compared as the
    median over three seeds each: ours must be within 1.5× of reservoirpy's. Why 1.5×: across
    seeds each library's NRMSE varies by about ±20% (2.1e-3 to 2.4e-3 for both on five seeds), so
    a correct ESN passes with a wide margin, while a wrong one (no leak, wrong radius, a broken
    readout) is off by an order of magnitude.
    """
    x = mackey_glass
    xtr, ytr, xte, yte = x[:1499], x[1:1500], x[1499:2199], x[1500:2200]
    ours, theirs = [], []
    for seed in range(3):
        model = QERC(**MG, seed=seed).fit(xtr, ytr)
        ours.append(nrmse(model.predict(xte, reset=False), yte))
        reservoir = rpy_nodes.Reservoir(
            MG["n_reservoir"],
            lr=MG["leak_rate"],
            sr=MG["spectral_radius"],
            input_scaling=1.0,
            rc_connectivity=0.1,
            input_connectivity=1.0,
            Win=rpy_mat_gen.uniform,
            bias=rpy_mat_gen.uniform,
            seed=seed,
        )
        esn = reservoir >> rpy_nodes.Ridge(ridge=MG["ridge"])
        esn.fit(xtr, ytr, warmup=MG["washout"])
        theirs.append(nrmse(esn.run(xte), yte))
    ours_median, theirs_median = float(np.median(ours)), float(np.median(theirs))
    print(f"\nMackey-Glass one-step NRMSE, seeds 0-2: QERC {ours} (median {ours_median:.3e})")
    print(f"                                  reservoirpy {theirs} (median {theirs_median:.3e})")
    assert ours_median <= 1.5 * theirs_median
    assert max(ours) < 0.01


def test_same_weights_give_reservoirpy_predictions(mackey_glass: FloatArray) -> None:
    """Our fitted W_, Win_ and bias_ loaded into reservoirpy: its states and ridge readout give
    our predictions, so the update rule, the washout and the readout (with its intercept) are
    reservoirpy's exactly."""
    x = mackey_glass
    model = QERC(n_reservoir=80, spectral_radius=1.1, leak_rate=0.4, ridge=1e-5, washout=50, seed=3)
    model.fit(x[:799], x[1:800])
    assert np.max(np.abs(np.linalg.eigvals(model.W_))) == pytest.approx(1.1, rel=1e-12)
    reservoir = rpy_nodes.Reservoir(W=model.W_, Win=model.Win_, bias=model.bias_, lr=0.4)
    esn = reservoir >> rpy_nodes.Ridge(ridge=1e-5)
    esn.fit(x[:799], x[1:800], warmup=50)
    theirs = esn.run(x[799:1199])
    ours = model.predict(x[799:1199], reset=False)
    print(f"\nsame weights: max |QERC - reservoirpy| = {np.max(np.abs(ours - theirs)):.2e}")
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-8)


# -- classification ----------------------------------------------------------------------------


def test_classifies_regime_sequences() -> None:
    X, y = regimes(240, 0)
    X_test, y_test = regimes(120, 1)
    cases: list[tuple[Literal["mean", "last"], float]] = [("mean", 0.95), ("last", 0.75)]
    for pooling, floor in cases:
        model = QERC(n_reservoir=100, leak_rate=0.5, washout=10, ridge=1e-4, pooling=pooling, seed=0)
        model.fit(X, y)
        accuracy = model.score(X_test, y_test)
        print(f"\nregimes ({pooling} state): accuracy {accuracy:.3f} (chance 1/3)")
        assert accuracy >= floor
        assert list(model.classes_) == ["calm", "reverting", "volatile"]
        proba = model.predict_proba(X_test)
        assert proba.shape == (120, 3)
        np.testing.assert_allclose(proba.sum(axis=1), 1.0)
        np.testing.assert_array_equal(model.classes_[proba.argmax(axis=1)], model.predict(X_test))
        assert 1e-2 <= model.temperature_ <= 1e3


def test_digits_rows_as_sequences() -> None:
    """sklearn's 8×8 digits, each image a sequence of 8 rows of 8 pixels (a 3-D array)."""
    digits = sk_datasets.load_digits()
    X, y = digits.images / 16.0, digits.target
    model = QERC(n_reservoir=300, leak_rate=0.5, ridge=1e-3, seed=0).fit(X[:1200], y[:1200])
    proba = model.predict_proba(X[1200:])
    accuracy = model.score(X[1200:], y[1200:])
    confidence = float(proba.max(axis=1).mean())
    print(f"\ndigits: accuracy {accuracy:.3f} (chance 0.1), mean confidence {confidence:.3f}")
    assert accuracy >= 0.9
    # leave-one-out temperature: confidence close to the accuracy, not over-confident
    assert abs(confidence - accuracy) < 0.05
    assert model.predict(X[1200:1201]).shape == (1,)


def test_labels_every_step_with_its_volatility_regime() -> None:
    x, state = switching(4000, 0)
    x_test, state_test = switching(2000, 1)
    model = QERC(n_reservoir=100, leak_rate=0.3, washout=50, ridge=1e-4, seed=1).fit(x, state)
    assert model.task_ == "classification"
    accuracy = model.score(x_test, state_test)
    print(f"\nper-step volatility regime: accuracy {accuracy:.3f} (chance 0.5)")
    assert accuracy >= 0.85
    assert model.predict(x_test).shape == (2000,)
    assert model.predict_proba(x_test).shape == (2000, 2)


# -- shapes and layouts ------------------------------------------------------------------------


def test_input_layouts_and_output_shapes(mackey_glass: FloatArray) -> None:
    x = mackey_glass[:600, 0]
    y2 = np.column_stack([x[1:], x[:-1] ** 2])
    model = QERC(n_reservoir=50, washout=20, seed=4).fit(x[:-1], y2)
    assert model.n_features_in_ == 1 and model.n_outputs_ == 2
    assert model.predict(x[:-1]).shape == (599, 2)
    # a list of sequences with a target per step: a list of predictions, each as long as its input
    seqs = [x[:300], x[300:]]
    targets = [s**2 for s in seqs]
    multi = QERC(n_reservoir=50, washout=20, seed=4, input_to_readout=True).fit(seqs, targets)
    out = multi.predict(seqs)
    assert isinstance(out, list) and [o.shape for o in out] == [(300,), (300,)]
    assert multi.Wout_.shape == (51, 1)
    assert multi.score(seqs, targets) > 0.99
    # equal-length sequences as a 3-D array; targets whose first two axes match are per step
    cube = np.stack([x[:200], x[200:400]])[:, :, None]
    per_step = QERC(n_reservoir=30, seed=1).fit(cube, cube[:, :, 0] * 2)
    assert per_step.predict(cube).shape == (2, 200)
    # pandas and float32 are accepted; the same numbers give the same predictions
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"a": x[:-1], "b": x[1:]})
    a = QERC(n_reservoir=30, seed=2).fit(frame, x[1:])
    b = QERC(n_reservoir=30, seed=2).fit(frame.to_numpy(), x[1:])
    np.testing.assert_array_equal(a.predict(frame), b.predict(frame.to_numpy()))
    c = QERC(n_reservoir=30, seed=2).fit(frame.to_numpy(dtype=np.float32), x[1:])
    assert c.n_features_in_ == 2


def test_sequence_regression_and_r2_like_sklearn() -> None:
    rng = np.random.default_rng(5)
    X = [rng.normal(size=(int(rng.integers(20, 40)), 2)) for _ in range(80)]
    y = np.array([s[:, 0].mean() - s[:, 1].std() for s in X])
    model = QERC(n_reservoir=60, leak_rate=1.0, input_scaling=0.5, ridge=1e-3, input_to_readout=True, seed=0)
    model.fit(X[:60], y[:60])
    pred = model.predict(X[60:])
    assert pred.shape == (20,)
    assert model.score(X[60:], y[60:]) == pytest.approx(sk_metrics.r2_score(y[60:], pred), rel=1e-12)
    assert model.score(X[60:], y[60:]) > 0.5
    with pytest.raises(InvalidInputError, match="one target per sequence"):
        model.predict(X[0])
    assert model.predict([X[0]]).shape == (1,)


def test_continuing_the_state(mackey_glass: FloatArray) -> None:
    x = mackey_glass[:, 0]
    model = QERC(n_reservoir=60, leak_rate=0.3, spectral_radius=1.1, washout=50, seed=6).fit(x[:500], x[1:501])
    fitted_state = model.state_.copy()
    whole = model.predict(x[500:800], reset=False)
    model.state_ = fitted_state.copy()
    first = model.predict(x[500:650], reset=False)
    second = model.predict(x[650:800], reset=False)
    np.testing.assert_array_equal(np.concatenate([first, second]), whole)
    # reset=True (the default) is pure: same input, same output, state_ untouched
    state = model.state_.copy()
    np.testing.assert_array_equal(model.predict(x[500:800]), model.predict(x[500:800]))
    np.testing.assert_array_equal(model.state_, state)
    np.testing.assert_array_equal(model.reset().state_, np.zeros(60))
    np.testing.assert_array_equal(model.predict(x[500:800], reset=False), model.predict(x[500:800]))


# -- contract: determinism, errors, pickling, sklearn ------------------------------------------


def test_seeded_results_do_not_depend_on_threads() -> None:
    """600 units at connectivity 0.5 (W has 180 000 nonzeros, so every step runs its rows in
    parallel) and 12 sequences fitted in parallel."""
    rng = np.random.default_rng(7)
    X = [rng.normal(size=(60, 2)) for _ in range(12)]
    y = [np.cumsum(s[:, 0]) for s in X]
    results = []
    before = performance.get_num_threads()
    try:
        for threads in (1, 2, 3):
            performance.set_num_threads(threads)
            model = QERC(n_reservoir=600, connectivity=0.5, seed=11, washout=5).fit(X, y)
            results.append((model.W_, model.Wout_, np.concatenate(model.predict(X))))
    finally:
        performance.set_num_threads(before)
    for other in results[1:]:
        for a, b in zip(results[0], other, strict=True):
            np.testing.assert_array_equal(a, b)
    unseeded = [QERC(n_reservoir=20).fit(X, y).Win_ for _ in range(2)]
    assert not np.array_equal(unseeded[0], unseeded[1])
    assert not np.array_equal(QERC(n_reservoir=20, seed=1).fit(X, y).W_, QERC(n_reservoir=20, seed=2).fit(X, y).W_)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"spectral_radius": 0.0}, "spectral_radius"),
        ({"spectral_radius": -1.0}, "spectral_radius"),
        ({"spectral_radius": float("nan")}, "spectral_radius"),
        ({"leak_rate": 0.0}, "leak_rate"),
        ({"leak_rate": 1.5}, "leak_rate"),
        ({"n_reservoir": 0}, "n_reservoir"),
        ({"n_reservoir": 2.5}, "n_reservoir"),
        ({"connectivity": 0.0}, "connectivity"),
        ({"input_connectivity": 2.0}, "input_connectivity"),
        ({"input_scaling": 0.0}, "input_scaling"),
        ({"bias_scaling": -0.1}, "bias_scaling"),
        ({"ridge": -1e-3}, "ridge"),
        ({"washout": -1}, "washout"),
        ({"task": "ranking"}, "task"),
        ({"pooling": "max"}, "pooling"),
        ({"seed": -3}, "seed must be a non-negative integer below 2\\*\\*64, got -3"),
        ({"seed": "7"}, "seed must be an int or None, got str"),
        ({"seed": 1.0}, "seed must be an int or None, got float"),
        ({"washout": 2.5}, "washout"),
        ({"input_to_readout": "yes"}, "input_to_readout"),
    ],
)
def test_bad_hyper_parameters_are_refused_at_fit(params: dict[str, Any], match: str) -> None:
    x = np.sin(np.arange(50) * 0.1)
    # stored as given (scikit-learn's convention: neither the constructor nor set_params raises)
    for model in (QERC(**params), QERC().set_params(**params)):
        assert {k: model.get_params()[k] for k in params} == params
        with pytest.raises(InvalidInputError, match=match):
            model.fit(x, x)
        assert not hasattr(model, "Wout_")


def test_whole_number_floats_are_the_integers_they_hold() -> None:
    x = np.sin(np.arange(80) * 0.1)
    as_ints = QERC(n_reservoir=20, washout=5, seed=2).fit(x[:-1], x[1:])
    as_floats = QERC(n_reservoir=20.0, washout=5.0, seed=2).fit(x[:-1], x[1:])  # type: ignore[arg-type]
    np.testing.assert_array_equal(as_floats.Wout_, as_ints.Wout_)
    np.testing.assert_array_equal(as_floats.predict(x), as_ints.predict(x))
    np.testing.assert_array_equal(as_floats.predict(x, reset=False), as_ints.predict(x, reset=False))
    assert as_floats.score(x[:-1], x[1:]) == as_ints.score(x[:-1], x[1:])
    assert as_floats.get_params()["n_reservoir"] == 20.0  # stored as given
    seqs = [x[:40, None], x[40:, None]]
    pooled_ints = QERC(n_reservoir=20, washout=4, seed=3).fit(seqs, [0.5, 1.5])
    pooled_floats = QERC(n_reservoir=20.0, washout=4.0, seed=3).fit(seqs, [0.5, 1.5])  # type: ignore[arg-type]
    np.testing.assert_array_equal(pooled_floats.predict(seqs), pooled_ints.predict(seqs))


def test_bad_data_is_refused() -> None:
    x = np.sin(np.arange(100) * 0.1)
    fresh = QERC(n_reservoir=20, seed=0)
    with pytest.raises(NotFittedError, match="not fitted"):
        fresh.predict(x)
    with pytest.raises(NotFittedError, match="not fitted"):
        fresh.predict_proba(x)
    bad_x = x.copy()
    bad_x[10] = np.nan
    with pytest.raises(InvalidInputError, match=r"X must be finite: X\[10,0\] is NaN"):
        fresh.fit(bad_x, x)
    with pytest.raises(InvalidInputError, match=r"y must be finite"):
        fresh.fit(x, np.where(np.arange(100) == 3, np.inf, x))
    with pytest.raises(InvalidInputError, match="100 steps but y has 99"):
        fresh.fit(x, x[:-1])
    with pytest.raises(InvalidInputError, match=r"washout \(100\) must be smaller than the length of X"):
        QERC(n_reservoir=20, washout=100).fit(x, x)
    with pytest.raises(InvalidInputError, match=r"X\[1\]"):
        QERC(n_reservoir=20, washout=30).fit([x, x[:20]], [x, x[:20]])
    with pytest.raises(InvalidInputError, match="at least two classes"):
        fresh.fit(x, np.zeros(100, dtype=int))
    with pytest.raises(InvalidInputError, match="3 sequences but y has 2 rows"):
        fresh.fit([x, x, x], np.array([0, 1]))
    with pytest.raises(InvalidInputError, match="X must be"):
        fresh.fit(np.zeros((2, 2, 2, 2)), np.zeros(2))
    with pytest.raises(InvalidInputError, match=r"X has 0 sample\(s\)"):
        fresh.fit(np.zeros((0, 1)), np.zeros(0))
    with pytest.raises(InvalidInputError, match="requires y to be passed"):
        fresh.fit(x, None)
    with pytest.raises(InvalidInputError, match="Unknown label type: y holds continuous values"):
        QERC(n_reservoir=20, task="classification").fit(x, x)
    with pytest.raises(InvalidInputError, match="1-D or 2-D targets"):
        fresh.fit(x, 3.0)
    with pytest.raises(InvalidInputError, match="1-D or 2-D targets"):
        fresh.fit([x, x], [x, x[:, None]])
    with pytest.raises(InvalidInputError, match="array-like"):
        fresh.fit(x[:2], [[1.0], [2.0, 3.0]])
    model = QERC(n_reservoir=20, seed=0).fit(x, x)
    with pytest.raises(InvalidInputError, match="X has 2 features, but QERC is expecting 1 features as input"):
        model.predict(np.column_stack([x, x]))
    with pytest.raises(AttributeError, match="predict_proba needs a classifier"):
        model.predict_proba(x)  # a regressor has no predict_proba (scikit-learn's convention)
    assert not hasattr(model, "predict_proba")
    assert hasattr(QERC(task="auto"), "predict_proba")  # until fit shows what y holds
    with pytest.raises(InvalidInputError, match="reset=False"):
        model.predict([x, x], reset=False)
    with pytest.raises(InvalidInputError, match="unknown parameter"):
        model.set_params(units=10)
    # every error is a QuantumPanarchyError and a ValueError
    assert issubclass(InvalidInputError, QuantumPanarchyError) and issubclass(InvalidInputError, ValueError)


def test_a_failed_fit_leaves_the_model_as_it_was() -> None:
    x = np.sin(np.arange(200) * 0.2)
    model = QERC(n_reservoir=30, seed=1).fit(x, np.cos(np.arange(200) * 0.2))
    before = model.predict(x)
    wout = model.Wout_.copy()
    with pytest.raises(InvalidInputError):
        model.fit(np.column_stack([x, x]), x[:50])
    with pytest.raises(InvalidInputError):
        model.fit(x, np.full(200, np.nan))
    np.testing.assert_array_equal(model.Wout_, wout)
    np.testing.assert_array_equal(model.predict(x), before)


def test_pickle_copy_clone_and_params() -> None:
    X, y = regimes(60, 3)
    model = QERC(n_reservoir=40, leak_rate=0.5, washout=5, seed=8).fit(X, y)
    for restored in (pickle.loads(pickle.dumps(model, protocol=p)) for p in (2, pickle.HIGHEST_PROTOCOL)):
        assert type(restored) is QERC
        np.testing.assert_array_equal(restored.predict_proba(X), model.predict_proba(X))
        np.testing.assert_array_equal(restored.predict(X), model.predict(X))
        np.testing.assert_array_equal(restored.state_, model.state_)
    np.testing.assert_array_equal(copy.deepcopy(model).predict(X), model.predict(X))
    assert QERC.__module__ == "quantumpanarchy.decision"
    assert repr(model) == "QERC(n_reservoir=40, leak_rate=0.5, washout=5, seed=8)"
    assert repr(QERC()) == "QERC()"
    cloned = sk_base.clone(model)
    assert cloned.get_params() == model.get_params()
    assert not hasattr(cloned, "Wout_")
    np.testing.assert_array_equal(cloned.fit(X, y).predict_proba(X), model.predict_proba(X))
    assert model.set_params(ridge=0.5) is model and model.ridge == 0.5
    # a changed parameter waits for the next fit
    np.testing.assert_array_equal(model.predict(X), cloned.predict(X))


def test_async_and_threads_share_a_model(mackey_glass: FloatArray) -> None:
    x = mackey_glass[:400, 0]
    model = asyncio.run(QERC(n_reservoir=40, seed=2).fit_async(x[:-1], x[1:]))
    want = model.predict(x)
    np.testing.assert_array_equal(asyncio.run(model.predict_async(x)), want)
    X, y = regimes(30, 4)
    clf = QERC(n_reservoir=30, seed=2).fit(X, y)
    np.testing.assert_array_equal(asyncio.run(clf.predict_proba_async(X)), clf.predict_proba(X))
    got: list[FloatArray] = []
    threads = [threading.Thread(target=lambda: got.append(model.predict(x))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == 4
    for g in got:
        np.testing.assert_array_equal(g, want)
