"""The learners :class:`~quantumpanarchy.automl.PBitAutoML` searches over, per task: each a model
of this package with the hyper-parameters worth tuning, their grids, a cheap starting point and a
prior cost. Names follow FLAML's estimator names where FLAML has the learner (``lrl2``, ``rf``,
``extra_tree``, ``kneighbor``, ``histgb``)."""

from __future__ import annotations

import dataclasses
import importlib
from typing import Any

import numpy as np

from ..exceptions import InvalidInputError
from .space import Categorical, Config, Learner, Numeric


def _model(name: str) -> Any:
    # the public module, imported at call time: it re-exports every model part, this included
    return getattr(importlib.import_module("quantumpanarchy.automl"), name)


class Scaled:
    """A model fitted on standardised features (each column centred and divided by its standard
    deviation, constant columns left at scale 1), as the linear, neighbour and network learners
    need; ``model`` is the fitted model inside."""

    def __init__(self, model: Any) -> None:
        self.model = model

    def __repr__(self) -> str:
        return f"Scaled({self.model!r})"

    def _t(self, X: Any) -> Any:
        return (np.asarray(X, dtype=np.float64) - self.mean_) / self.scale_

    def fit(self, X: Any, y: Any) -> Scaled:
        arr = np.asarray(X, dtype=np.float64)
        self.mean_ = arr.mean(axis=0)
        scale = arr.std(axis=0)
        self.scale_ = np.where(scale > 0.0, scale, 1.0)
        self.model.fit(self._t(arr), y)
        return self

    def predict(self, X: Any) -> Any:
        return self.model.predict(self._t(X))

    def predict_proba(self, X: Any) -> Any:
        return self.model.predict_proba(self._t(X))

    @property
    def classes_(self) -> Any:
        return self.model.classes_


def _build(cls: str, fixed: dict[str, Any], scaled: bool, seeded: bool) -> Any:
    def build(config: Config, seed: int) -> Any:
        kwargs = {**fixed, **config}
        kwargs.pop("lags", None)  # a forecaster's, not the model's
        if "hidden" in kwargs:  # one searched width for the hidden layer
            kwargs["hidden_layer_sizes"] = (kwargs.pop("hidden"),)
        if seeded:
            kwargs["random_state"] = seed
        model = _model(cls)(**kwargs)
        return Scaled(model) if scaled else model

    return build


def _learner(
    name: str,
    cls: str,
    params: tuple[Numeric | Categorical, ...],
    start: dict[str, Any],
    cost: float,
    fixed: dict[str, Any] | None = None,
    scaled: bool = False,
    seeded: bool = False,
    grows: tuple[str, ...] = (),
) -> Learner:
    return Learner(name, cls, _build(cls, fixed or {}, scaled, seeded), params, start, cost, scaled, grows)


def _trees(kind: str, cls: str) -> Learner:
    return _learner(
        kind,
        cls,
        (
            Numeric("n_estimators", 8, 256, 3, log=True, integer=True),
            Numeric("max_features", 0.1, 1.0, 3),
            Numeric("min_samples_leaf", 1, 16, 2, log=True, integer=True),
        ),
        {"n_estimators": 8, "max_features": 0.5, "min_samples_leaf": 1},
        3.0,
        seeded=True,
        grows=("n_estimators",),
    )


def _shared(task: str) -> list[Learner]:
    """The learners both tasks have, with the task's class names."""
    suffix = "Classifier" if task == "classification" else "Regressor"
    return [
        _learner(
            "kneighbor",
            f"KNeighbors{suffix}",
            (Numeric("n_neighbors", 1, 64, 3, log=True, integer=True), Categorical("weights", ("uniform", "distance"))),
            {"n_neighbors": 5, "weights": "uniform"},
            1.0,
            scaled=True,
        ),
        _trees("rf", f"RandomForest{suffix}"),
        _trees("extra_tree", f"ExtraTrees{suffix}"),
        _learner(
            "histgb",
            f"HistGradientBoosting{suffix}",
            (
                Numeric("learning_rate", 0.02, 0.5, 3, log=True),
                Numeric("max_iter", 16, 512, 3, log=True, integer=True),
                Numeric("max_leaf_nodes", 4, 128, 3, log=True, integer=True),
                Numeric("min_samples_leaf", 2, 64, 2, log=True, integer=True),
                Numeric("l2_regularization", 1e-3, 10.0, 2, log=True),
            ),
            {
                "learning_rate": 0.1,
                "max_iter": 16,
                "max_leaf_nodes": 16,
                "min_samples_leaf": 16,
                "l2_regularization": 1e-3,
            },
            4.0,
            fixed={"early_stopping": False},
            seeded=True,
            grows=("max_iter",),
        ),
        _learner(
            "mlp",
            f"MLP{suffix}",
            (
                Numeric("hidden", 16, 256, 2, log=True, integer=True),
                Numeric("alpha", 1e-5, 1.0, 3, log=True),
                Numeric("learning_rate_init", 1e-4, 1e-1, 2, log=True),
                Categorical("activation", ("relu", "tanh")),
            ),
            {"hidden": 64, "alpha": 1e-4, "learning_rate_init": 1e-3, "activation": "relu"},
            5.0,
            fixed={"max_iter": 200},
            scaled=True,
            seeded=True,
            grows=("hidden",),
        ),
    ]


def learners(task: str) -> list[Learner]:
    """Every learner for ``task`` ("classification" or "regression"), cheapest first."""
    if task == "classification":
        own = [
            _learner(
                "gaussian_nb",
                "GaussianNB",
                (Numeric("var_smoothing", 1e-11, 1e-1, 3, log=True),),
                {"var_smoothing": 1e-9},
                0.2,
            ),
            _learner(
                "lrl2",
                "LogisticRegression",
                (Numeric("C", 1e-3, 1e3, 4, log=True),),
                {"C": 1.0},
                1.0,
                fixed={"max_iter": 500},
                scaled=True,
            ),
        ]
    else:
        own = [
            _learner("ridge", "Ridge", (Numeric("alpha", 1e-4, 1e3, 4, log=True),), {"alpha": 1.0}, 0.2, scaled=True),
            _learner(
                "enet",
                "ElasticNet",
                (Numeric("alpha", 1e-4, 10.0, 4, log=True), Numeric("l1_ratio", 0.05, 1.0, 3)),
                {"alpha": 1e-2, "l1_ratio": 0.5},
                0.5,
                fixed={"max_iter": 5000},
                scaled=True,
            ),
        ]
    return sorted(own + _shared(task), key=lambda lr: lr.cost)


def with_param(learner: Learner, param: Numeric) -> Learner:
    """``learner`` with one more searched parameter (the forecaster's lags), started mid-grid."""
    levels = param.levels()
    start = {**learner.start, param.name: levels[len(levels) // 2]}
    return dataclasses.replace(learner, params=(*learner.params, param), start=start)


def select(task: str, names: Any) -> list[Learner]:
    """The learners ``names`` picks for ``task`` ("auto" or None: all), in cost order."""
    every = learners(task)
    if names is None or names == "auto":
        return every
    if isinstance(names, str) or not all(isinstance(n, str) for n in names):
        raise InvalidInputError(f"estimator_list must be 'auto' or a list of learner names, got {names!r}")
    known = {lr.name: lr for lr in every}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise InvalidInputError(f"unknown learner(s) {unknown} for {task}: choose from {sorted(known)}")
    if not names:
        raise InvalidInputError("estimator_list is empty: name at least one learner")
    return [known[n] for n in sorted(dict.fromkeys(names), key=lambda n: known[n].cost)]
