"""The metrics :class:`~quantumpanarchy.automl.PBitAutoML` optimises, under FLAML's names, each
turned into a loss to minimise as FLAML does: ``1 − score`` for scores where higher is better
(accuracy, r2, roc_auc, f1), the value itself for errors (log_loss, mse, rmse, mae, mape)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ..exceptions import InvalidInputError
from ._base import accuracy, r2

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Metric:
    """``score(y_true, prediction)``; ``needs`` says what the prediction is: "label" (predict),
    "proba" (predict_proba, columns in class order) or "value" (a regressor's predict)."""

    name: str
    needs: str
    score: Callable[[Any, Any], float]
    greater_is_better: bool

    def loss(self, truth: Any, prediction: Any) -> float:
        value = float(self.score(truth, prediction))
        return 1.0 - value if self.greater_is_better else value


def _accuracy(truth: Any, pred: Any) -> float:
    return accuracy(np.asarray(pred), truth)


def _log_loss(codes: Any, proba: Any) -> float:
    p = np.clip(np.asarray(proba, dtype=np.float64), 1e-15, 1.0)
    p = p / p.sum(axis=1, keepdims=True)
    return float(-np.mean(np.log(p[np.arange(len(p)), np.asarray(codes)])))


def _auc_binary(positive: npt.NDArray[np.bool_], score: FloatArray) -> float:
    # the Mann–Whitney statistic with average ranks for ties
    order = np.argsort(score, kind="mergesort")
    ranks = np.empty(len(score))
    sorted_scores = score[order]
    start = 0
    while start < len(score):
        stop = start
        while stop + 1 < len(score) and sorted_scores[stop + 1] == sorted_scores[start]:
            stop += 1
        ranks[order[start : stop + 1]] = 0.5 * (start + stop) + 1.0
        start = stop + 1
    n_pos = int(positive.sum())
    n_neg = len(positive) - n_pos
    if n_pos == 0 or n_neg == 0:
        return 0.5
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def _roc_auc(codes: Any, proba: Any) -> float:
    # binary: of the second class's probability; multiclass: one-vs-rest, averaged (macro)
    codes, proba = np.asarray(codes), np.asarray(proba, dtype=np.float64)
    if proba.shape[1] == 2:
        return _auc_binary(codes == 1, proba[:, 1])
    present = [c for c in range(proba.shape[1]) if np.any(codes == c)]
    return float(np.mean([_auc_binary(codes == c, proba[:, c]) for c in present]))


def _f1(truth: Any, pred: Any) -> float:
    # binary: of the larger label; multiclass: the macro average over the labels seen
    truth, pred = np.asarray(truth), np.asarray(pred)
    labels = np.unique(np.concatenate([truth, pred]))
    chosen = labels[-1:] if len(labels) <= 2 else labels
    scores = []
    for label in chosen:
        tp = float(np.sum((pred == label) & (truth == label)))
        fp = float(np.sum((pred == label) & (truth != label)))
        fn = float(np.sum((pred != label) & (truth == label)))
        scores.append(0.0 if tp == 0.0 else 2.0 * tp / (2.0 * tp + fp + fn))
    return float(np.mean(scores))


def _r2(truth: Any, pred: Any) -> float:
    return r2(np.asarray(pred, dtype=np.float64), truth)


def _mse(truth: Any, pred: Any) -> float:
    return float(np.mean((np.asarray(truth, dtype=np.float64) - np.asarray(pred, dtype=np.float64)) ** 2))


def _mae(truth: Any, pred: Any) -> float:
    return float(np.mean(np.abs(np.asarray(truth, dtype=np.float64) - np.asarray(pred, dtype=np.float64))))


def _mape(truth: Any, pred: Any) -> float:
    truth = np.asarray(truth, dtype=np.float64)
    denom = np.maximum(np.abs(truth), np.finfo(np.float64).eps)
    return float(np.mean(np.abs(truth - np.asarray(pred, dtype=np.float64)) / denom))


CLASSIFICATION = {
    "accuracy": Metric("accuracy", "label", _accuracy, True),
    "log_loss": Metric("log_loss", "proba", _log_loss, False),
    "roc_auc": Metric("roc_auc", "proba", _roc_auc, True),
    "f1": Metric("f1", "label", _f1, True),
}
REGRESSION = {
    "r2": Metric("r2", "value", _r2, True),
    "mse": Metric("mse", "value", _mse, False),
    "rmse": Metric("rmse", "value", lambda t, p: float(np.sqrt(_mse(t, p))), False),
    "mae": Metric("mae", "value", _mae, False),
    "mape": Metric("mape", "value", _mape, False),
}


def metric_for(task: str, metric: Any) -> Metric:
    """The metric named ``metric`` for ``task`` ("auto" or None: accuracy, or r2; mape for time
    series as FLAML), or a callable ``loss(y_true, y_pred) -> float`` to minimise."""
    table = CLASSIFICATION if task == "classification" else REGRESSION
    if metric is None or metric == "auto":
        metric = {"classification": "accuracy", "regression": "r2"}.get(task, "mape")
    if callable(metric):
        needs = "label" if task == "classification" else "value"
        return Metric(getattr(metric, "__name__", "custom"), needs, metric, False)
    if not isinstance(metric, str) or metric not in table:
        raise InvalidInputError(f"unknown metric {metric!r} for {task}: choose from {sorted(table)} or pass a callable")
    return table[metric]
