"""OnnxModel (tract) against onnxruntime on models made here: scikit-learn models converted by
skl2onnx (the ai.onnx.ml operators, ours and tract's) and graphs built with onnx.helper; bad
models and bad inputs; threads and pickling."""

from __future__ import annotations

import pickle
import threading
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from quantumpanarchy.exceptions import InvalidInputError, InvalidTypeError, QuantumPanarchyError
from quantumpanarchy.intelligence import NodeArg, OnnxModel

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
skl2onnx = pytest.importorskip("skl2onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402
from sklearn.ensemble import (  # noqa: E402
    GradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.linear_model import LinearRegression, LogisticRegression  # noqa: E402
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import MinMaxScaler, StandardScaler  # noqa: E402
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor  # noqa: E402

Array = npt.NDArray[Any]
RNG = np.random.default_rng(7)
X = RNG.normal(size=(200, 5)).astype(np.float32)
Y_REG = X @ np.array([1.0, -2.0, 0.5, 0.0, 3.0], dtype=np.float32) + 0.1 * RNG.normal(size=200).astype(np.float32)
Y_BIN = (X[:, 0] + X[:, 1] > 0).astype(np.int64)
Y_3 = np.digitize(X[:, 0] - X[:, 2], [-0.5, 0.5]).astype(np.int64)


def ort_session(data: bytes) -> Any:
    return ort.InferenceSession(data, providers=["CPUExecutionProvider"])


def convert(model: Any, x: Array) -> bytes:
    """skl2onnx's conversion, with probabilities as a tensor (no ZipMap) for classifiers."""
    final = model.steps[-1][1] if hasattr(model, "steps") else model
    options = {id(final): {"zipmap": False}} if hasattr(final, "predict_proba") else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        proto = skl2onnx.to_onnx(model, x[:1], options=options)
    data: bytes = proto.SerializeToString()
    return data


def assert_same(data: bytes, feed: dict[str, Array], rtol: float = 1e-5, atol: float = 1e-6) -> list[Array]:
    ours = OnnxModel(data).run(None, feed)
    theirs = ort_session(data).run(None, feed)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs, strict=True):
        assert a.dtype == b.dtype and a.shape == b.shape
        if a.dtype.kind in "iub":
            np.testing.assert_array_equal(a, b)
        else:
            np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)
    return ours


SKLEARN = [
    ("linear_regression", lambda: LinearRegression(), Y_REG),
    ("logistic_binary", lambda: LogisticRegression(), Y_BIN),
    ("logistic_3_classes", lambda: LogisticRegression(), Y_3),
    ("decision_tree_classifier", lambda: DecisionTreeClassifier(max_depth=5, random_state=0), Y_3),
    ("random_forest_classifier", lambda: RandomForestClassifier(12, max_depth=6, random_state=0), Y_BIN),
    ("decision_tree_regressor", lambda: DecisionTreeRegressor(max_depth=6, random_state=0), Y_REG),
    ("random_forest_regressor", lambda: RandomForestRegressor(12, max_depth=6, random_state=0), Y_REG),
    ("gradient_boosting_regressor", lambda: GradientBoostingRegressor(n_estimators=20, random_state=0), Y_REG),
    ("mlp_classifier", lambda: MLPClassifier((16, 8), max_iter=300, random_state=0), Y_3),
    ("mlp_regressor", lambda: MLPRegressor(hidden_layer_sizes=(16,), max_iter=300, random_state=0), Y_REG),
    ("standard_scaler_pipeline", lambda: make_pipeline(StandardScaler(), LogisticRegression()), Y_3),
    ("minmax_scaler_pipeline", lambda: make_pipeline(MinMaxScaler(), LinearRegression()), Y_REG),
]


@pytest.mark.parametrize(("make", "y"), [s[1:] for s in SKLEARN], ids=[s[0] for s in SKLEARN])
def test_sklearn_models_match_onnxruntime(make: Any, y: Array) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = make().fit(X, y)
    data = convert(model, X)
    name = OnnxModel(data).get_inputs()[0].name
    for batch in (X[:1], X[:7], X):
        assert_same(data, {name: batch})
    # The labels are scikit-learn's own predictions too.
    ours = OnnxModel(data).run(None, {name: X})
    if hasattr(model, "predict_proba"):
        agree = np.mean(ours[0] == model.predict(X))
        assert agree > 0.97
        np.testing.assert_allclose(ours[1], model.predict_proba(X), rtol=1e-4, atol=1e-5)
    else:
        np.testing.assert_allclose(ours[0].ravel(), model.predict(X), rtol=1e-4, atol=1e-4)


def test_tree_regressor_sends_nan_where_onnxruntime_does() -> None:
    model = RandomForestRegressor(8, max_depth=5, random_state=1).fit(X, Y_REG)
    data = convert(model, X)
    x = X[:20].copy()
    x[::3, 0] = np.nan
    x[1::4, 4] = np.nan
    assert_same(data, {"X": x})


def test_tree_regressor_with_several_targets_and_min_max_aggregates() -> None:
    tree = DecisionTreeRegressor(max_depth=4, random_state=0).fit(X, np.c_[Y_REG, -Y_REG, X[:, 3]])
    data = convert(tree, X)
    assert_same(data, {"X": X})
    # The same trees with other aggregate functions and base values, through the attributes.
    proto = onnx.load_from_string(data)
    node = proto.graph.node[0]
    for aggregate in ("MIN", "MAX", "AVERAGE"):
        for attr in node.attribute:
            if attr.name == "aggregate_function":
                attr.s = aggregate.encode()
        node.attribute.extend([helper.make_attribute("base_values", [0.5, -1.0, 2.0])])
        assert_same(proto.SerializeToString(), {"X": X[:30]})
        del node.attribute[-1]


def graph_model(nodes: list[Any], inputs: list[Any], outputs: list[Any], inits: list[Any] | None = None) -> bytes:
    graph = helper.make_graph(nodes, "g", inputs, outputs, initializer=inits or [])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    data: bytes = model.SerializeToString()
    return data


def value(name: str, elem: int, shape: list[Any]) -> Any:
    return helper.make_tensor_value_info(name, elem, shape)


def test_conv_relu_gemm_softmax_graph() -> None:
    w = RNG.normal(size=(4, 2, 3, 3)).astype(np.float32)
    b = RNG.normal(size=4).astype(np.float32)
    fc = RNG.normal(size=(4 * 6 * 6, 5)).astype(np.float32)
    nodes = [
        helper.make_node("Conv", ["x", "w", "b"], ["c"], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c"], ["r"]),
        helper.make_node("Reshape", ["r", "shape"], ["flat"]),
        helper.make_node("Gemm", ["flat", "fc", "fb"], ["g"], alpha=0.5, beta=2.0),
        helper.make_node("Softmax", ["g"], ["y"], axis=-1),
    ]
    inits = [
        numpy_helper.from_array(w, "w"),
        numpy_helper.from_array(b, "b"),
        numpy_helper.from_array(fc, "fc"),
        numpy_helper.from_array(np.full(5, 0.1, dtype=np.float32), "fb"),
        numpy_helper.from_array(np.array([-1, 4 * 6 * 6], dtype=np.int64), "shape"),
    ]
    data = graph_model(
        nodes, [value("x", TensorProto.FLOAT, ["batch", 2, 6, 6])], [value("y", TensorProto.FLOAT, ["batch", 5])], inits
    )
    for n in (1, 9):
        out = assert_same(data, {"x": RNG.normal(size=(n, 2, 6, 6)).astype(np.float32)})
        np.testing.assert_allclose(out[0].sum(axis=1), 1.0, rtol=1e-5)


def test_matmul_and_broadcasting_in_float64_and_int64() -> None:
    nodes = [
        helper.make_node("MatMul", ["a", "m"], ["p"]),
        helper.make_node("Add", ["p", "row"], ["s"]),
        helper.make_node("Mul", ["s", "col"], ["y"]),
        helper.make_node("Add", ["i", "k"], ["j"]),
    ]
    inputs = [
        value("a", TensorProto.DOUBLE, [None, 3]),
        value("row", TensorProto.DOUBLE, [1, 2]),
        value("col", TensorProto.DOUBLE, [None, 1]),
        value("i", TensorProto.INT64, ["n"]),
    ]
    outputs = [value("y", TensorProto.DOUBLE, [None, 2]), value("j", TensorProto.INT64, ["n"])]
    inits = [
        numpy_helper.from_array(RNG.normal(size=(3, 2)), "m"),
        numpy_helper.from_array(np.array([5], dtype=np.int64), "k"),
    ]
    data = graph_model(nodes, inputs, outputs, inits)
    feed = {
        "a": RNG.normal(size=(6, 3)),
        "row": np.array([[1.0, -1.0]]),
        "col": RNG.normal(size=(6, 1)),
        "i": np.arange(4, dtype=np.int64),
    }
    out = assert_same(data, feed, rtol=1e-12, atol=0)
    np.testing.assert_array_equal(out[1], np.arange(4) + 5)
    model = OnnxModel(data)
    assert model.get_inputs() == [
        NodeArg("a", [None, 3], "tensor(double)"),
        NodeArg("row", [1, 2], "tensor(double)"),
        NodeArg("col", [None, 1], "tensor(double)"),
        NodeArg("i", ["n"], "tensor(int64)"),
    ]
    assert [(o.name, o.shape, o.type) for o in model.get_outputs()] == [
        (o.name, o.shape, o.type) for o in ort_session(data).get_outputs()
    ]
    # output_names picks and orders outputs as onnxruntime does
    j, y = model.run(["j", "y"], feed)
    np.testing.assert_array_equal(j, out[1])
    np.testing.assert_array_equal(y, out[0])


def test_int32_and_bool_tensors() -> None:
    nodes = [helper.make_node("Mul", ["a", "a"], ["sq"]), helper.make_node("Not", ["b"], ["nb"])]
    inputs = [value("a", TensorProto.INT32, [None]), value("b", TensorProto.BOOL, [None])]
    outputs = [value("sq", TensorProto.INT32, [None]), value("nb", TensorProto.BOOL, [None])]
    data = graph_model(nodes, inputs, outputs)
    out = assert_same(data, {"a": np.array([-3, 4], dtype=np.int32), "b": np.array([True, False])})
    assert out[1].tolist() == [False, True]


def test_records_match_onnxruntime_and_plans_are_cached_per_shape() -> None:
    model = MLPClassifier((8,), max_iter=200, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, Y_3)
    data = convert(model, X)
    ours, theirs = OnnxModel(data), ort_session(data)
    for a, b in zip(ours.get_inputs() + ours.get_outputs(), theirs.get_inputs() + theirs.get_outputs(), strict=True):
        assert (a.name, a.shape, a.type) == (b.name, b.shape, b.type)
    assert ours.cached_plans == 0
    for n in (1, 3, 1, 3, 1):
        ours.run(None, {"X": X[:n]})
    assert ours.cached_plans == 2
    for n in range(1, 20):
        ours.run(None, {"X": X[:n]})
    assert ours.cached_plans == 8
    assert "OnnxModel(inputs=[X: tensor(float)" in repr(ours)


def test_path_and_bytes_give_the_same_model(tmp_path: Path) -> None:
    data = convert(LinearRegression().fit(X, Y_REG), X)
    path = tmp_path / "linear.onnx"
    path.write_bytes(data)
    expected = OnnxModel(data).run(None, {"X": X})[0]
    for source in (path, str(path), bytearray(data), memoryview(data)):
        np.testing.assert_array_equal(OnnxModel(source).run(None, {"X": X})[0], expected)
    # onnxruntime's keyword for the feed works too; giving the feed twice, or not at all, does not
    np.testing.assert_array_equal(OnnxModel(data).run(None, input_feed={"X": X})[0], expected)
    with pytest.raises(InvalidInputError, match="once"):
        OnnxModel(data).run(None, {"X": X}, input_feed={"X": X})
    with pytest.raises(InvalidInputError, match="once"):
        OnnxModel(data).run(None)
    with pytest.raises(FileNotFoundError):
        OnnxModel(tmp_path / "missing.onnx")
    with pytest.raises(InvalidTypeError, match="path_or_bytes"):
        OnnxModel(42)  # type: ignore[arg-type]


def test_malformed_bytes_are_a_clear_error() -> None:
    for junk in (b"", b"\x08\x07\x12garbage\xff\xff\xff", b"not a model at all"):
        with pytest.raises(InvalidInputError, match="ONNX model"):
            OnnxModel(junk)
    # valid protobuf but a broken graph: a node reads a value nobody makes
    broken = graph_model([helper.make_node("Relu", ["nowhere"], ["y"])], [], [value("y", TensorProto.FLOAT, [2])])
    with pytest.raises(InvalidInputError):
        OnnxModel(broken)


def test_unsupported_operator_is_named_with_its_node() -> None:
    node = helper.make_node("FluxCapacitor", ["x"], ["y"], domain="com.example", name="engine")
    graph = helper.make_graph([node], "g", [value("x", TensorProto.FLOAT, [2])], [value("y", TensorProto.FLOAT, [2])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.example", 1)])
    with pytest.raises(InvalidInputError, match=r"com\.example::FluxCapacitor in node 'engine'"):
        OnnxModel(model.SerializeToString())
    # a standard name in a foreign domain is not silently run as the standard operator
    node = helper.make_node("Relu", ["x"], ["y"], domain="com.example", name="fake_relu")
    graph = helper.make_graph([node], "g", [value("x", TensorProto.FLOAT, [2])], [value("y", TensorProto.FLOAT, [2])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.example", 1)])
    with pytest.raises(InvalidInputError, match=r"com\.example::Relu in node 'fake_relu'"):
        OnnxModel(model.SerializeToString())


def test_zipmap_is_unsupported_and_the_message_says_how_to_avoid_it() -> None:
    model = LogisticRegression().fit(X, Y_BIN)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = skl2onnx.to_onnx(model, X[:1]).SerializeToString()
    with pytest.raises(InvalidInputError, match=r"ZipMap.*zipmap"):
        OnnxModel(data)


def test_an_operator_attribute_tract_refuses_names_the_node() -> None:
    model = LinearRegression().fit(X, Y_REG)
    proto = onnx.load_from_string(convert(model, X))
    proto.graph.node[0].attribute.extend([helper.make_attribute("post_transform", "PROBIT")])
    proto.graph.node[0].name = "probit_regressor"
    with pytest.raises(InvalidInputError, match="probit_regressor"):
        OnnxModel(proto.SerializeToString())


def test_bad_inputs_are_clear_errors() -> None:
    data = convert(LinearRegression().fit(X, Y_REG), X)
    model = OnnxModel(data)
    with pytest.raises(InvalidInputError, match=r"unknown input 'x'.*'X'"):
        model.run(None, {"x": X})
    with pytest.raises(InvalidInputError, match="unknown input 'extra'"):
        model.run(None, {"X": X, "extra": X})
    with pytest.raises(InvalidInputError, match="missing input 'X'"):
        model.run(None, {})
    with pytest.raises(InvalidTypeError, match=r"expects tensor\(float\), got an array of tensor\(double\)"):
        model.run(None, {"X": X.astype(np.float64)})
    with pytest.raises(InvalidTypeError, match="dtype complex128"):
        model.run(None, {"X": X.astype(np.complex128)})
    with pytest.raises(InvalidInputError, match="rank 2"):
        model.run(None, {"X": X[0]})
    with pytest.raises(InvalidInputError, match="dimension 1 must be 5"):
        model.run(None, {"X": X[:, :3]})
    with pytest.raises(InvalidTypeError, match="numpy array"):
        model.run(None, {"X": X.tolist()})
    with pytest.raises(InvalidInputError, match="unknown output 'nope'"):
        model.run(["nope"], {"X": X})
    with pytest.raises(InvalidTypeError):
        model.run(None, [("X", X)])  # type: ignore[arg-type]
    # NaN is data, as in onnxruntime
    x = X[:3].copy()
    x[1, 2] = np.nan
    out = model.run(None, {"X": x})[0]
    assert np.isnan(out[1, 0]) and np.isfinite(out[[0, 2], 0]).all()
    # non-contiguous arrays are read as numpy indexes them
    np.testing.assert_array_equal(
        model.run(None, {"X": np.asfortranarray(X[::2])})[0], model.run(None, {"X": np.ascontiguousarray(X[::2])})[0]
    )
    assert issubclass(InvalidInputError, QuantumPanarchyError)


def test_concurrent_runs_give_the_same_outputs() -> None:
    model = MLPRegressor(hidden_layer_sizes=(32, 16), max_iter=100, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, Y_REG)
    onnx_model = OnnxModel(convert(model, X))
    batches = [X[: 1 + 13 * k] for k in range(6)]
    expected = [onnx_model.run(None, {"X": b})[0] for b in batches]
    failures: list[str] = []

    def work(seed: int) -> None:
        for r in range(40):
            k = (seed + r) % len(batches)
            got = onnx_model.run(None, {"X": batches[k]})[0]
            if not np.array_equal(got, expected[k]):
                failures.append(f"thread {seed} batch {k}")

    threads = [threading.Thread(target=work, args=(s,)) for s in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


def test_pickle_round_trip() -> None:
    model = OnnxModel(convert(RandomForestRegressor(5, max_depth=4, random_state=0).fit(X, Y_REG), X))
    clone = pickle.loads(pickle.dumps(model))
    assert clone.to_bytes() == model.to_bytes()
    np.testing.assert_array_equal(clone.run(None, {"X": X})[0], model.run(None, {"X": X})[0])
    assert OnnxModel.__module__ == "quantumpanarchy.intelligence"
