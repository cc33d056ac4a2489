"""``PBitAutoML``: the AutoML engine users call, with SPEC's names (``fit(dataset) ->
AutoMLResult``) and FLAML's (``fit(X, y, time_budget=..., metric=...)``, ``best_config``,
``best_estimator``, ``best_loss``, ``model``, ``predict``, ``predict_proba``)."""

from __future__ import annotations

import contextlib
import dataclasses
import math
import time
import warnings
from collections.abc import Iterator
from typing import Any, overload

import numpy as np
import numpy.typing as npt

from .. import _async
from .._decision._estimator import check_samples, real_array
from .._decision._params import check_int, check_real
from .._progress import make as make_progress
from ..exceptions import InvalidInputError, NotFittedError
from . import learners as learner_table
from . import onnx_export
from ._base import class_codes, real_target
from .evaluate import Evaluator, stratified_order
from .metrics import Metric, metric_for
from .results import AutoMLConfig, AutoMLResult, Dataset, Leaderboard, TaskType
from .search import Budget, Search, rung_sizes
from .space import Numeric
from .timeseries import Forecaster, RollingOrigin, fit_forecaster

__all__ = ["PBitAutoML"]

# FLAML's names for settings, as keywords of fit
_FLAML = {"time_budget": "timeout_minutes", "max_iter": "max_trials"}
CELLS_FOR_CV = 100_000
FloatArray = npt.NDArray[np.float64]  # below this many cells (rows × features) "auto" cross-validates


def _finite_target(y: Any, n: int) -> npt.NDArray[Any]:
    target = np.asarray(y.to_numpy() if hasattr(y, "to_numpy") else y)
    if target.ndim == 2 and target.shape[1] == 1:
        target = target.ravel()
    if target.ndim != 1:
        raise InvalidInputError(f"y must be 1-D (one target per sample), got shape {target.shape}")
    if len(target) != n:
        raise InvalidInputError(
            f"Found input variables with inconsistent numbers of samples: X has {n}, y has {len(target)}"
        )
    if target.dtype.kind in "fc" and not np.isfinite(target).all():
        raise InvalidInputError("y contains NaN or infinity: targets must be finite")
    return target


def _features(X: Any) -> npt.NDArray[np.float64]:
    arr = np.asarray(real_array(X, "X"), dtype=np.float64)
    check_samples(arr, "X", "PBitAutoML")
    if not np.isfinite(arr).all():
        raise InvalidInputError("X contains NaN or infinity: the models need finite features")
    return arr


@contextlib.contextmanager
def quiet_models() -> Iterator[None]:
    """The candidates' warnings silenced, as FLAML does: a configuration that stops at its
    ``max_iter`` (a convergence warning) is scored like any other, and many trials would repeat
    the warning. Set once around the whole search: ``catch_warnings`` is not thread-safe, and
    trials run on several threads."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # scikit-learn's ConvergenceWarning is one
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def _lags(max_lags: int) -> Numeric:
    """The forecaster's lag count, searched on 1..max_lags (a power-of-two grid of levels)."""
    return Numeric("lags", 1, max_lags, math.floor(math.log2(max_lags)), integer=True)


def _series_scorer(data: Dataset, config: AutoMLConfig, metric: Metric) -> RollingOrigin:
    series = np.asarray(_finite_target(data.y_train, len(np.asarray(data.y_train))), dtype=np.float64)
    exog = None if data.X_train is None else _features(data.X_train)
    if exog is not None and len(exog) != len(series):
        raise InvalidInputError(f"X has {len(exog)} rows but the series y has {len(series)} steps")
    windows, horizon = config.n_splits, config.horizon
    needed = windows * horizon + config.max_lags + 2
    if len(series) < needed:
        raise InvalidInputError(
            f"the series has {len(series)} steps: a rolling origin of {windows} windows of horizon {horizon} "
            f"after {config.max_lags} lags needs at least {needed}"
        )
    return RollingOrigin(series, exog, metric, horizon, windows)


def _table_scorer(
    X: FloatArray,
    target: npt.NDArray[Any],
    codes: npt.NDArray[Any] | None,
    config: AutoMLConfig,
    metric: Metric,
    seed: int,
) -> Evaluator:
    """Cross-validation (or a held-out part, on large data) over a seeded order of the rows,
    stratified by class for classification."""
    rng = np.random.default_rng(seed)
    if codes is not None:
        y: npt.NDArray[Any] = codes.astype(np.intp)
        order = stratified_order(y, rng)
    else:
        y = real_target(target)
        order = rng.permutation(len(X)).astype(np.intp)
    method = config.eval_method
    if method == "auto":
        method = "cv" if X.size < CELLS_FOR_CV else "holdout"
    folds = config.n_splits if method == "cv" else 1
    holdout = order[len(order) - max(1, round(config.holdout_fraction * len(order))) :]
    if folds == 1:
        order = order[: len(order) - len(holdout)]
    if len(order) < folds * 2:
        raise InvalidInputError(f"{len(order)} training rows are too few for {folds}-fold cross-validation")
    classes = 0 if codes is None else int(codes.max()) + 1
    return Evaluator(X, y, metric, classes, order, folds, holdout)


class PBitAutoML:
    """Model search by Boltzmann sampling of p-bit-encoded configurations.

    Each configuration (a learner and its hyper-parameters: categorical ones one-hot, numeric
    ones Gray-coded on a grid) is a vector of p-bits. A Bayesian quadratic surrogate of the
    validation loss, learned from the trials so far, is drawn from its posterior and becomes the
    energy of a Boltzmann distribution that ``core``'s annealer samples; its low-energy states
    are the next batch (Thompson sampling). Cheap configurations come first (the learners'
    starting points, then a cost term that fades as the budget is spent), and each batch goes
    through successive halving: all on a subsample, the best third on three times the rows, up to
    every row. Losses are cross-validated (k-fold, stratified for classification; a held-out part
    on large data; a rolling origin for time series). The best configuration is refitted on all
    the training rows.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from quantumpanarchy.automl import PBitAutoML
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> automl = PBitAutoML().fit(X, y, max_iter=12, seed=0, estimator_list=["lrl2", "gaussian_nb"])
    >>> automl.best_estimator in {"lrl2", "gaussian_nb"}, automl.best_loss < 0.1
    (True, True)
    """

    def __init__(
        self,
        task_type: TaskType | str = TaskType.Classification,
        config: AutoMLConfig | None = None,
        **settings: Any,
    ) -> None:
        self.task_type = TaskType.of(task_type)
        self.config = (config or AutoMLConfig()).replace(**self._renamed(settings))
        self.result_: AutoMLResult | None = None
        self._model: Any = None
        self._classes: npt.NDArray[Any] | None = None
        self._metric = metric_for(self.task_type.value, self.config.metric)

    def __repr__(self) -> str:
        state = f", best_estimator={self.best_estimator!r}" if self.result_ is not None else ""
        return f"PBitAutoML(task_type={self.task_type.value!r}{state})"

    @staticmethod
    def _renamed(settings: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for key, value in settings.items():
            if value is None:
                continue
            if key == "time_budget":
                out["timeout_minutes"] = check_real(value, "time_budget") / 60.0
            else:
                out[_FLAML.get(key, key)] = value
        return out

    # --- fitting ---------------------------------------------------------------------------

    @overload
    def fit(
        self,
        X: Dataset,
        y: None = None,
        *,
        task: TaskType | str | None = None,
        period: int | None = None,
        **settings: Any,
    ) -> AutoMLResult: ...
    @overload
    def fit(
        self,
        X: Any = None,
        y: Any = None,
        *,
        task: TaskType | str | None = None,
        period: int | None = None,
        **settings: Any,
    ) -> PBitAutoML: ...
    def fit(
        self,
        X: Any = None,
        y: Any = None,
        *,
        task: TaskType | str | None = None,
        period: int | None = None,
        **settings: Any,
    ) -> AutoMLResult | PBitAutoML:
        """Search on ``X``/``y`` (or a :class:`Dataset` as the first argument) and refit the best
        model on every training row. Returns the :class:`AutoMLResult` when given a Dataset, this
        engine otherwise (FLAML's and scikit-learn's habit)."""
        dataset = X if isinstance(X, Dataset) else Dataset(X, y)
        if task is not None:
            self.task_type = TaskType.of(task)
        if period is not None:
            settings["horizon"] = period
        config = self.config.replace(**self._renamed(settings))
        self.result_ = self._search(dataset, config)
        return self.result_ if isinstance(X, Dataset) else self

    async def fit_async(self, X: Any = None, y: Any = None, **settings: Any) -> Any:
        """:meth:`fit` off the event loop; cancelling the awaiting task stops the search between
        trials."""
        return await _async.to_thread(self.fit, X, y, **settings)

    def _checked(self, config: AutoMLConfig) -> tuple[int, float, int]:
        max_trials = check_int(config.max_trials, "max_trials", 1)
        minutes = check_real(config.timeout_minutes, "timeout_minutes (time_budget)")
        if not minutes > 0.0:
            raise InvalidInputError(f"the time budget must be positive, got {minutes * 60.0} s")
        for name, low in (
            ("n_splits", 2),
            ("eta", 2),
            ("batch", 2),
            ("n_concurrent_trials", 1),
            ("horizon", 1),
            ("max_lags", 1),
        ):
            check_int(getattr(config, name), name, low)
        if config.eval_method not in ("auto", "cv", "holdout"):
            raise InvalidInputError(f"eval_method must be 'auto', 'cv' or 'holdout', got {config.eval_method!r}")
        if not 0.0 < check_real(config.holdout_fraction, "holdout_fraction") < 1.0:
            raise InvalidInputError(f"holdout_fraction must be in (0, 1), got {config.holdout_fraction}")
        seed = config.seed
        if seed is None:
            seed = int(np.random.SeedSequence().entropy % (2**31))  # type: ignore[operator]
        return max_trials, minutes, check_int(seed, "seed", 0)

    def _search(self, data: Dataset, config: AutoMLConfig) -> AutoMLResult:
        started = time.monotonic()
        max_trials, minutes, seed = self._checked(config)
        task = self.task_type
        metric = metric_for(task.value, config.metric)
        self._metric = metric
        table = learner_table.select(
            "classification" if task is TaskType.Classification else "regression", config.estimator_list
        )
        self._classes = None
        if task is TaskType.TimeSeries:
            table = [learner_table.with_param(lr, _lags(config.max_lags)) for lr in table]
            scorer: Any = _series_scorer(data, config, metric)
            sizes = [len(scorer.y)]
        else:
            X = _features(data.X_train)
            target = _finite_target(data.y_train, len(X))
            codes = None
            if task is TaskType.Classification:
                self._classes, codes = class_codes(target, minimum=2)
            scorer = _table_scorer(X, target, codes, config, metric, seed)
            sizes = rung_sizes(len(scorer.order), config.eta)
        progress = make_progress(config.progress, "PBitAutoML", "trial")
        search = Search(table, scorer, sizes, seed, config.eta, config.batch, config.n_concurrent_trials, progress)
        budget = Budget(max_trials, started + minutes * 60.0, started)
        try:
            with quiet_models():
                search.run(budget)
        finally:
            if progress is not None and hasattr(progress, "close"):
                progress.close()
        best = search.best()
        if best is None:
            errors = sorted({t.error for t in search.trials if t.error})
            raise InvalidInputError(f"no trial succeeded within the budget ({len(search.trials)} trials): {errors[:3]}")
        learner, params, trial = best
        with quiet_models():
            if task is TaskType.TimeSeries:
                self._model = fit_forecaster(learner, params, scorer.y, scorer.exog, config.horizon, seed)
            else:
                self._model = learner.make(params, seed).fit(X, target)
        self.result_ = AutoMLResult(
            self._model,
            params,
            trial.score,
            Leaderboard(search.trials),
            learner.name,
            trial.loss,
            metric.name,
            time.monotonic() - started,
        )
        if data.X_test is not None and data.y_test is not None:
            test = self.score(data.X_test, data.y_test)
            self.result_ = dataclasses.replace(self.result_, score=test, test_score=test)
        return self.result_

    # --- the fitted engine (FLAML's names) -------------------------------------------------------

    def _result(self) -> AutoMLResult:
        if self.result_ is None:
            raise NotFittedError("this PBitAutoML is not fitted yet: call fit first")
        return self.result_

    @property
    def best_estimator(self) -> str:
        """The best learner's name (FLAML's ``best_estimator``)."""
        return self._result().best_estimator

    @property
    def best_config(self) -> dict[str, Any]:
        return dict(self._result().best_params)

    @property
    def best_loss(self) -> float:
        return self._result().best_loss

    @property
    def model(self) -> Any:
        """The best model, refitted on every training row."""
        self._result()
        return self._model

    def to_onnx(self, dtype: str = "float32") -> bytes:
        """The best model as an ONNX file (bytes), as :func:`~quantumpanarchy.automl.to_onnx`
        writes it: input ``"X"``; outputs ``"variable"`` for regression, ``"label"`` and
        ``"probabilities"`` for classification (columns in the order of ``model.classes_``).

        Raises
        ------
        InvalidInputError
            A time-series search (its forecast feeds each step's prediction back as the next
            step's lag: a loop over the horizon, not a single graph; ``to_onnx(self.model.model)``
            exports the one-step model where its learner is supported), or a best learner
            without an exporter (the message lists the supported models).
        NotFittedError
            Before :meth:`fit`.
        """
        return onnx_export.to_onnx(self, dtype=dtype)

    def leaderboard(self) -> Any:
        """Every trial as a pandas DataFrame (pandas needed), best first on the highest rung."""
        return self._result().leaderboard.to_pandas()

    def predict(self, X: Any = None) -> Any:
        """Predictions of the best model; for time series, the forecast of ``X`` steps (default
        the horizon) or of the steps whose exogenous rows ``X`` holds."""
        model = self.model
        if isinstance(model, Forecaster):
            return model.predict(X)
        return model.predict(_features(X))

    def predict_proba(self, X: Any) -> Any:
        """Class probabilities of the best classifier, columns in the order of ``classes_``."""
        if self.task_type is not TaskType.Classification:
            raise InvalidInputError("predict_proba is for classification: this search was a " + self.task_type.value)
        model = self.model
        proba = np.asarray(model.predict_proba(_features(X)))
        classes = self.classes_
        full = np.zeros((len(proba), len(classes)))
        full[:, np.searchsorted(classes, np.asarray(model.classes_))] = proba
        return full

    @property
    def classes_(self) -> npt.NDArray[Any]:
        self._result()
        if self._classes is None:
            raise InvalidInputError("classes_ is for classification")
        return self._classes

    def score(self, X: Any, y: Any, metric: Any = None) -> float:
        """The metric (the search's, or ``metric``) of the best model on ``X``/``y``; for time
        series ``X`` is as in :meth:`predict` and ``y`` the true future values."""
        self._result()
        chosen = self._metric if metric is None else metric_for(self.task_type.value, metric)
        if chosen.needs == "proba":
            truth = np.searchsorted(self.classes_, np.asarray(y))
            return float(chosen.score(truth, self.predict_proba(X)))
        return float(chosen.score(np.asarray(y), self.predict(X)))
