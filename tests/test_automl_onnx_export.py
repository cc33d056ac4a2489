"""ONNX export of the AutoML models: the protobuf writer against the ``onnx`` package's parser,
and every exported model run by OnnxModel (tract) and onnxruntime against the model's own
predict / predict_proba on scikit-learn's data sets, in float32 and float64; labels that are not
integers, unsupported and unfitted models, PBitAutoML's export, no ``onnx`` needed to export."""

from __future__ import annotations

import subprocess
import sys
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from quantumpanarchy import automl
from quantumpanarchy._automl import protobuf as pb
from quantumpanarchy._automl.learners import Scaled
from quantumpanarchy.exceptions import InvalidInputError, InvalidTypeError, NotFittedError
from quantumpanarchy.intelligence import OnnxModel

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
pytest.importorskip("sklearn")
from onnx import helper, numpy_helper  # noqa: E402
from sklearn import datasets  # noqa: E402

Array = npt.NDArray[Any]
CANCER = datasets.load_breast_cancer(return_X_y=True)
WINE = datasets.load_wine(return_X_y=True)
DIABETES = datasets.load_diabetes(return_X_y=True)
# rtol per dtype; the atol is for probabilities near 0, whose relative error grows as they shrink
TOLERANCE = {"float32": (1e-4, 1e-6), "float64": (1e-9, 1e-12)}


def run_both(data: bytes, X: Array) -> tuple[list[Array], list[Array]]:
    """The outputs of OnnxModel (tract) and of onnxruntime on ``X``."""
    ours = OnnxModel(data).run(None, {"X": X})
    theirs = ort.InferenceSession(data, providers=["CPUExecutionProvider"]).run(None, {"X": X})
    return ours, theirs


def check(data: bytes) -> Any:
    proto = onnx.load_model_from_string(data)
    onnx.checker.check_model(proto, full_check=True)
    return proto


def assert_labels(label: Array, expected: Array, proba: Array) -> None:
    """Labels equal to the model's, but for rows whose top two probabilities (nearly) tie, where
    rounding the weights may pick the other."""
    top2 = np.sort(proba, axis=1)[:, -2:]
    clear = top2[:, 1] - top2[:, 0] > 1e-4
    assert np.array_equal(label[clear], expected[clear])


def fitted(model: Any, data: tuple[Array, Array]) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence warnings change nothing here
        return model.fit(*data)


REGRESSORS: dict[str, Callable[[], Any]] = {
    "LinearRegression": automl.LinearRegression,
    "Ridge": lambda: automl.Ridge(alpha=0.5),
    "Lasso": lambda: automl.Lasso(alpha=0.1),
    "ElasticNet": lambda: automl.ElasticNet(alpha=0.01, l1_ratio=0.3),
    "Scaled(Ridge)": lambda: Scaled(automl.Ridge(alpha=2.0)),
    "Scaled(ElasticNet)": lambda: Scaled(automl.ElasticNet(alpha=0.05, max_iter=5000)),
}
CLASSIFIERS: dict[str, tuple[Callable[[], Any], tuple[Array, Array]]] = {
    "Scaled(LogisticRegression)-binary": (lambda: Scaled(automl.LogisticRegression(C=0.5)), CANCER),
    "Scaled(LogisticRegression)-multinomial": (lambda: Scaled(automl.LogisticRegression(max_iter=500)), WINE),
    "LogisticRegression-multinomial": (lambda: automl.LogisticRegression(max_iter=1000), WINE),
    "GaussianNB-binary": (automl.GaussianNB, CANCER),
    "GaussianNB-multinomial": (automl.GaussianNB, WINE),
    "GaussianNB-smoothed": (lambda: automl.GaussianNB(var_smoothing=1e-3), WINE),
    # a class with prior 0: its log prior is −inf, its probability 0 everywhere
    "GaussianNB-zero-prior": (lambda: automl.GaussianNB(priors=[0.5, 0.0, 0.5]), WINE),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(REGRESSORS))
def test_regressors_run_as_the_model_predicts(name: str, dtype: str) -> None:
    model = fitted(REGRESSORS[name](), DIABETES)
    data = automl.to_onnx(model, dtype=dtype)
    check(data)
    X = DIABETES[0]
    rtol, _ = TOLERANCE[dtype]
    for out in run_both(data, X.astype(dtype)):
        (value,) = out
        assert value.dtype == np.dtype(dtype) and value.shape == (len(X), 1)
        np.testing.assert_allclose(value[:, 0], model.predict(X), rtol=rtol)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(CLASSIFIERS))
def test_classifiers_run_as_the_model_predicts(name: str, dtype: str) -> None:
    factory, dataset = CLASSIFIERS[name]
    model = fitted(factory(), dataset)
    data = automl.to_onnx(model, dtype=dtype)
    check(data)
    X = dataset[0]
    proba, expected = model.predict_proba(X), model.predict(X)
    rtol, atol = TOLERANCE[dtype]
    for label, probabilities in run_both(data, X.astype(dtype)):
        assert label.dtype == np.int64 and label.shape == (len(X),)
        assert probabilities.dtype == np.dtype(dtype) and probabilities.shape == proba.shape
        np.testing.assert_allclose(probabilities, proba, rtol=rtol, atol=atol)
        assert_labels(label, expected, proba)


def test_the_graph_declares_skl2onnx_names_and_a_dynamic_batch() -> None:
    model = fitted(automl.GaussianNB(), WINE)
    onnx_model = OnnxModel(automl.to_onnx(model, n_features=13))
    assert automl.to_onnx.__module__ == "quantumpanarchy.automl"
    (x,) = onnx_model.get_inputs()
    assert (x.name, x.shape, x.type) == ("X", ["N", 13], "tensor(float)")
    outputs = onnx_model.get_outputs()
    assert [(o.name, o.shape, o.type) for o in outputs] == [
        ("label", ["N"], "tensor(int64)"),
        ("probabilities", ["N", 3], "tensor(float)"),
    ]
    regressor = OnnxModel(automl.to_onnx(fitted(automl.Ridge(), DIABETES), dtype="float64"))
    assert [(o.name, o.shape, o.type) for o in regressor.get_outputs()] == [("variable", ["N", 1], "tensor(double)")]
    proto = check(automl.to_onnx(model))
    assert proto.producer_name == "quantumpanarchy"
    assert [(o.domain, o.version) for o in proto.opset_import] == [("", 17)]
    # one row and many rows through the same model (tract plans per shape)
    for rows in (1, 7, 178):
        label, _ = onnx_model.run(None, {"X": WINE[0][:rows].astype(np.float32)})
        assert label.shape == (rows,)


def test_labels_map_to_integer_classes_and_index_other_ones() -> None:
    X, y = WINE
    # integer labels that are not 0..K-1 come back as themselves
    model = fitted(automl.GaussianNB(), (X, y * 10 - 5))
    for label, _ in run_both(automl.to_onnx(model), X.astype(np.float32)):
        assert np.array_equal(label, model.predict(X))
    # string labels: the graph gives the index into classes_
    names = np.array(["barolo", "grignolino", "barbera"])[y]
    model = fitted(Scaled(automl.LogisticRegression()), (X, names))
    for label, _ in run_both(automl.to_onnx(model), X.astype(np.float32)):
        assert np.array_equal(model.classes_[label], model.predict(X))
    # float labels with integer values are integers
    model = fitted(automl.LogisticRegression(max_iter=1000), (CANCER[0], CANCER[1].astype(np.float64)))
    label, _ = OnnxModel(automl.to_onnx(model)).run(None, {"X": CANCER[0].astype(np.float32)})
    assert set(np.unique(label)) <= {0, 1}


def test_unsupported_unfitted_and_bad_arguments_are_refused() -> None:
    X, y = WINE
    for model in (automl.KNeighborsClassifier(), Scaled(automl.KNeighborsRegressor())):
        fitted(model, (X, y))
        with pytest.raises(InvalidInputError, match=r"KNeighbors\w+.*GaussianNB.*LogisticRegression"):
            automl.to_onnx(model)
    with pytest.raises(InvalidInputError, match="object"):
        automl.to_onnx(object())
    with pytest.raises(NotFittedError):
        automl.to_onnx(automl.Ridge())
    with pytest.raises(NotFittedError):
        automl.to_onnx(Scaled(automl.GaussianNB()))
    model = fitted(automl.GaussianNB(), (X, y))
    for dtype in ("float16", "int64", "double precision", None):
        with pytest.raises(InvalidInputError, match="dtype"):
            automl.to_onnx(model, dtype=dtype)
    with pytest.raises(InvalidInputError, match="13 features"):
        automl.to_onnx(model, n_features=4)
    text: Any = "13"
    with pytest.raises(InvalidTypeError):
        automl.to_onnx(model, n_features=text)
    assert automl.to_onnx(model, dtype=np.float64) == automl.to_onnx(model, dtype="float64")


def test_pbit_automl_exports_its_best_model() -> None:
    X, y = CANCER
    engine = automl.PBitAutoML().fit(X, y, max_iter=6, seed=0, estimator_list=["lrl2", "gaussian_nb"])
    for dtype in ("float32", "float64"):
        data = engine.to_onnx(dtype=dtype)
        assert data == automl.to_onnx(engine, dtype=dtype) == automl.to_onnx(engine.model, dtype=dtype)
        check(data)
        rtol, atol = TOLERANCE[dtype]
        proba = engine.predict_proba(X)
        for label, probabilities in run_both(data, X.astype(dtype)):
            np.testing.assert_allclose(probabilities, proba, rtol=rtol, atol=atol)
            assert_labels(label, engine.predict(X), proba)
    Xd, yd = DIABETES
    regression = automl.PBitAutoML("regression").fit(Xd, yd, max_iter=6, seed=0, estimator_list=["ridge", "enet"])
    for (value,) in run_both(regression.to_onnx(), Xd.astype(np.float32)):
        np.testing.assert_allclose(value[:, 0], regression.predict(Xd), rtol=1e-4)


def test_time_series_and_unfitted_engines_are_refused() -> None:
    with pytest.raises(NotFittedError):
        automl.PBitAutoML().to_onnx()
    t = np.arange(120, dtype=np.float64)
    series = np.sin(2 * np.pi * t / 12) + 0.01 * t
    engine = automl.PBitAutoML(automl.TaskType.TimeSeries).fit(
        None, series, period=6, max_iter=2, seed=0, estimator_list=["ridge"]
    )
    with pytest.raises(InvalidInputError, match="recursive"):
        engine.to_onnx()
    # its one-step model is an ordinary regressor
    check(automl.to_onnx(engine.model.model))


def test_exporting_needs_no_onnx_package() -> None:
    code = (
        "import sys; sys.modules['onnx'] = None; sys.modules['onnxruntime'] = None\n"
        "import numpy as np\n"
        "from quantumpanarchy.automl import GaussianNB, to_onnx\n"
        "from quantumpanarchy.intelligence import OnnxModel\n"
        "X = np.array([[0.0, 1.0], [0.2, 0.8], [3.0, 2.0], [3.1, 2.2]])\n"
        "model = GaussianNB().fit(X, [4, 4, 7, 7])\n"
        "print(OnnxModel(to_onnx(model)).run(['label'], {'X': X.astype(np.float32)})[0].tolist())\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[4, 4, 7, 7]"


# --- the protobuf writer -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        (0, b"\x00"),
        (1, b"\x01"),
        (127, b"\x7f"),
        (128, b"\x80\x01"),
        (300, b"\xac\x02"),
        (2**63 - 1, b"\xff" * 8 + b"\x7f"),
        (-1, b"\xff" * 9 + b"\x01"),
    ],
)
def test_varints_are_protobufs(value: int, encoded: bytes) -> None:
    assert pb.varint(value) == encoded


@pytest.mark.parametrize(
    "array",
    [
        np.arange(6, dtype=np.float32).reshape(2, 3),
        np.array([[1.5, -2.25], [1e300, -0.0]]).T,  # not C-contiguous
        np.array([-(2**62), -1, 0, 7], dtype=np.int64),
        np.array([1.0, 2.0], dtype=">f8"),  # big-endian in, little-endian raw_data out
        np.array(3.5, dtype=np.float32),  # a scalar: no dims
        np.zeros((0, 4), dtype=np.float64),
    ],
)
def test_tensors_parse_to_the_same_array(array: Array) -> None:
    proto = onnx.TensorProto()
    proto.ParseFromString(pb.tensor("w", array))
    assert proto.name == "w"
    back = numpy_helper.to_array(proto)
    assert back.shape == array.shape and back.dtype == array.dtype.newbyteorder("=")
    assert np.array_equal(back, array)


def test_attributes_of_every_kind_parse() -> None:
    values: dict[str, Any] = {
        "i": -3,
        "f": 0.25,
        "s": "text",
        "t": np.array([1, 2], dtype=np.int64),
        "ints": [1, -2, 300],
        "floats": [0.5, -1.5],
        "strings": ["a", "bc"],
    }
    proto = onnx.NodeProto()
    proto.ParseFromString(pb.node("Foo", ["x", "y"], ["z"], "foo_0", values, domain="com.example"))
    assert (list(proto.input), list(proto.output), proto.name, proto.op_type, proto.domain) == (
        ["x", "y"],
        ["z"],
        "foo_0",
        "Foo",
        "com.example",
    )
    got = {a.name: helper.get_attribute_value(a) for a in proto.attribute}
    assert got["i"] == -3 and got["f"] == 0.25 and got["s"] == b"text"
    assert got["ints"] == [1, -2, 300] and got["floats"] == [0.5, -1.5] and got["strings"] == [b"a", b"bc"]
    assert np.array_equal(numpy_helper.to_array(got["t"]), [1, 2])
    kinds = {a.name: a.type for a in proto.attribute}
    assert kinds == {
        "i": onnx.AttributeProto.INT,
        "f": onnx.AttributeProto.FLOAT,
        "s": onnx.AttributeProto.STRING,
        "t": onnx.AttributeProto.TENSOR,
        "ints": onnx.AttributeProto.INTS,
        "floats": onnx.AttributeProto.FLOATS,
        "strings": onnx.AttributeProto.STRINGS,
    }


def test_a_hand_built_model_checks_and_runs() -> None:
    nodes = [pb.node("Add", ["X", "b"], ["Y"], "add", None)]
    graph = pb.graph(
        nodes,
        "g",
        [pb.tensor("b", np.array([1.0, 2.0], dtype=np.float32))],
        [pb.value_info("X", pb.FLOAT, ["N", 2])],
        [pb.value_info("Y", pb.FLOAT, ["N", 2])],
    )
    data = pb.model(graph, 17, 8, "1.2.3")
    proto = check(data)
    assert proto.ir_version == 8 and proto.producer_version == "1.2.3" and proto.graph.name == "g"
    dims = proto.graph.input[0].type.tensor_type.shape.dim
    assert (dims[0].dim_param, dims[1].dim_value) == ("N", 2)
    X = np.array([[1.0, 1.0], [0.0, -2.0]], dtype=np.float32)
    for (y,) in run_both(data, X):
        assert np.array_equal(y, X + np.array([1.0, 2.0], dtype=np.float32))
