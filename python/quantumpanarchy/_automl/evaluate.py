"""How one trial is scored: the rows it may use (a fixed, seeded order of the training rows, so a
rung of successive halving is a prefix of it), the folds (k-fold, stratified for classification,
or one held-out part on large data), and the mean validation loss of a configuration over them."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .metrics import Metric
from .space import Config, Learner

IntArray = npt.NDArray[np.intp]


def stratified_order(codes: IntArray, rng: np.random.Generator) -> IntArray:
    """A permutation of the rows whose every prefix holds each class in about its share: each
    class's rows, shuffled, placed at evenly spaced fractional positions, then merged."""
    key = np.empty(len(codes))
    for c in np.unique(codes):
        rows = np.flatnonzero(codes == c)
        rng.shuffle(rows)
        key[rows] = (np.arange(len(rows)) + rng.uniform(0.0, 1.0)) / len(rows)
    return np.argsort(key, kind="stable")


def fold_of(codes: IntArray | None, count: int, k: int) -> IntArray:
    """Fold labels of the first ``count`` rows of the order: a row's rank within its class (or its
    position, for regression) modulo ``k``, so every fold holds each class in about its share."""
    if codes is None:
        out: IntArray = np.arange(count) % k
        return out
    folds = np.empty(count, dtype=np.intp)
    for c in np.unique(codes[:count]):
        rows = np.flatnonzero(codes[:count] == c)
        folds[rows] = np.arange(len(rows)) % k
    return folds


@dataclass
class Evaluator:
    """Scores configurations on ``X``/``y`` (classification targets as class codes 0..K−1)."""

    X: npt.NDArray[np.float64]
    y: npt.NDArray[Any]
    metric: Metric
    n_classes: int  # 0 for regression
    order: IntArray  # the seeded row order; rungs are its prefixes
    folds: int  # k for k-fold; 1 for one held-out part
    holdout: IntArray  # the held-out rows when folds == 1

    def rows(self, size: int) -> IntArray:
        out: IntArray = self.order[:size]
        return out

    def _loss(self, model: Any, X: Any, y: Any) -> float:
        if self.metric.needs == "proba":
            proba = model.predict_proba(X)
            full = np.zeros((len(X), self.n_classes))
            full[:, np.asarray(model.classes_, dtype=np.intp)] = proba
            return self.metric.loss(y, full)
        return self.metric.loss(y, model.predict(X))

    def evaluate(self, learner: Learner, config: Config, size: int, seed: int) -> tuple[float, float, str | None]:
        """The mean validation loss of ``config`` trained on the first ``size`` rows of the order."""
        rows = self.rows(size)

        def losses() -> list[float]:
            if self.folds == 1:
                model = learner.make(config, seed).fit(self.X[rows], self.y[rows])
                return [self._loss(model, self.X[self.holdout], self.y[self.holdout])]
            codes = self.y[rows] if self.n_classes else None
            fold = fold_of(codes, len(rows), self.folds)
            out = []
            for f in range(self.folds):
                train, test = rows[fold != f], rows[fold == f]
                model = learner.make(config, seed).fit(self.X[train], self.y[train])
                out.append(self._loss(model, self.X[test], self.y[test]))
            return out

        return timed_loss(losses)


def timed_loss(losses: Callable[[], list[float]]) -> tuple[float, float, str | None]:
    """The mean of ``losses()``, the seconds it took, and why it is ``inf`` where it failed (a
    model that cannot fit this data, or a loss that is not finite)."""
    start = time.perf_counter()
    try:
        values = losses()
    except (ArithmeticError, ValueError, RuntimeError) as exc:
        return float("inf"), time.perf_counter() - start, f"{type(exc).__name__}: {exc}"
    loss = float(np.mean(values))
    if not np.isfinite(loss):
        return float("inf"), time.perf_counter() - start, "the validation loss is not finite"
    return loss, time.perf_counter() - start, None
