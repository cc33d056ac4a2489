#!/usr/bin/env python
"""quantumpanarchy.intelligence.OnnxModel (tract, Rust) against onnxruntime, measured in one process.

A small MLP built with onnx.helper (64 float inputs → 128 → 128 → 10, Relu, Softmax) and the
same shape of network converted from scikit-learn's MLPClassifier by skl2onnx (which adds ArgMax,
ArrayFeatureExtractor and casts for the labels), run at batch 1 (where per-call overhead
dominates) and batch 1024. onnxruntime runs with its default threads and with one intra-op
thread (tract runs on the calling thread). Each figure is the minimum over calls taken in turns
with ours (``_timing.paired``); the ratio is onnxruntime's time over ours (> 1: we are faster).

Run ``python benches/bench_intelligence_onnx.py [--quick]``.
"""

from __future__ import annotations

import argparse
import itertools
import warnings
from typing import Any

import numpy as np
import onnxruntime as ort
from _timing import paired
from onnx import TensorProto, helper, numpy_helper
from quantumpanarchy.intelligence import OnnxModel


def helper_mlp(rng: np.random.Generator) -> bytes:
    sizes = [64, 128, 128, 10]
    nodes, inits, last = [], [], "x"
    for k, (a, b) in enumerate(itertools.pairwise(sizes)):
        inits += [
            numpy_helper.from_array((rng.normal(size=(a, b)) / np.sqrt(a)).astype(np.float32), f"w{k}"),
            numpy_helper.from_array(rng.normal(size=b).astype(np.float32) * 0.1, f"b{k}"),
        ]
        nodes += [
            helper.make_node("MatMul", [last, f"w{k}"], [f"m{k}"]),
            helper.make_node("Add", [f"m{k}", f"b{k}"], [f"a{k}"]),
        ]
        last = f"a{k}"
        if k < len(sizes) - 2:
            nodes.append(helper.make_node("Relu", [last], [f"r{k}"]))
            last = f"r{k}"
    nodes.append(helper.make_node("Softmax", [last], ["y"], axis=-1))
    graph = helper.make_graph(
        nodes,
        "mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 64])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 10])],
        initializer=inits,
    )
    data: bytes = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]).SerializeToString()
    return data


def sklearn_mlp(rng: np.random.Generator) -> bytes:
    from skl2onnx import to_onnx
    from sklearn.neural_network import MLPClassifier

    x = rng.normal(size=(500, 64)).astype(np.float32)
    y = np.digitize(x[:, 0] + x[:, 1], [-1.0, 0.0, 1.0])
    model = MLPClassifier((128, 128), max_iter=30, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(x, y)
        data: bytes = to_onnx(model, x[:1], options={id(model): {"zipmap": False}}).SerializeToString()
    return data


def session(data: bytes, threads: int) -> Any:
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    return ort.InferenceSession(data, sess_options=opts, providers=["CPUExecutionProvider"])


def row(name: str, ours: OnnxModel, sessions: tuple[Any, Any], feed: dict[str, Any], repeats: int) -> str:
    """One table row: ours against onnxruntime with default threads, then with one."""
    t_ours, t_ort = paired(lambda: ours.run(None, feed), lambda: sessions[0].run(None, feed), repeats)
    t_ours1, t_ort1 = paired(lambda: ours.run(None, feed), lambda: sessions[1].run(None, feed), repeats)
    t_ours = min(t_ours, t_ours1)
    batch = len(next(iter(feed.values())))
    return (
        f"{name:>14} {batch:>6} {t_ours * 1e6:>10.1f} {t_ort * 1e6:>10.1f} {t_ort / t_ours:>6.2f}× "
        f"{t_ort1 * 1e6:>10.1f} {t_ort1 / t_ours:>6.2f}×"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    repeats = {1: 300 if args.quick else 2000, 1024: 30 if args.quick else 200}
    print("OnnxModel (tract) against onnxruntime; ratio = onnxruntime time / ours")
    print(f"{'model':>14} {'batch':>6} {'ours µs':>10} {'ort µs':>10} {'ratio':>7} {'ort-1t µs':>10} {'ratio':>7}")
    for name, data in (("mlp (helper)", helper_mlp(rng)), ("MLPClassifier", sklearn_mlp(rng))):
        ours = OnnxModel(data)
        key = ours.get_inputs()[0].name
        ort_default, ort_single = session(data, 0), session(data, 1)
        for batch in (1, 1024):
            feed = {key: rng.normal(size=(batch, 64)).astype(np.float32)}
            for a, b in zip(ours.run(None, feed), ort_default.run(None, feed), strict=True):
                np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
            print(row(name, ours, (ort_default, ort_single), feed, repeats[batch]))


if __name__ == "__main__":
    main()
