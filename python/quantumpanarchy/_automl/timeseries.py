"""Time-series forecasting for :class:`~quantumpanarchy.automl.PBitAutoML`: a regression learner on
lag features (the last ``lags`` values, plus exogenous columns of the same step), forecasting
``horizon`` steps recursively (each forecast becomes the next step's first lag), and scored with a
rolling origin: the last ``windows`` × ``horizon`` steps are forecast ``horizon`` at a time, each
from a model trained on everything before its origin."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ..exceptions import InvalidInputError
from .evaluate import timed_loss
from .metrics import Metric
from .space import Config, Learner

FloatArray = npt.NDArray[np.float64]


def lag_rows(y: FloatArray, exog: FloatArray | None, lags: int, stop: int) -> tuple[FloatArray, FloatArray]:
    """Features (last ``lags`` values, newest first, then the step's exogenous columns) and target
    of every step ``lags <= t < stop``."""
    steps = np.arange(lags, stop)
    X = np.stack([y[steps - k] for k in range(1, lags + 1)], axis=1)
    if exog is not None:
        X = np.hstack([X, exog[steps]])
    return X, y[steps]


def forecast(model: Any, history: FloatArray, exog: FloatArray | None, lags: int, steps: int) -> FloatArray:
    """``steps`` values after ``history``, each predicted from the ``lags`` before it (earlier
    forecasts included); ``exog`` holds the exogenous rows of the forecast steps."""
    values = list(history[-lags:])
    out = np.empty(steps)
    for s in range(steps):
        row = np.asarray(values[::-1][:lags], dtype=np.float64)
        if exog is not None:
            row = np.concatenate([row, exog[s]])
        out[s] = float(np.asarray(model.predict(row[None, :]))[0])
        values.append(out[s])
    return out


@dataclass
class Forecaster:
    """A fitted forecaster: ``predict(steps)`` (or the exogenous rows of the steps to forecast)
    gives the values after the training series."""

    model: Any
    lags: int
    horizon: int
    history: FloatArray
    n_exog: int

    def predict(self, X: Any = None) -> FloatArray:
        if X is None or isinstance(X, (int, np.integer)):
            steps = self.horizon if X is None else int(X)
            if self.n_exog:
                raise InvalidInputError(
                    f"this forecaster uses {self.n_exog} exogenous column(s): pass their future rows"
                )
            exog = None
        else:
            exog = np.asarray(X, dtype=np.float64).reshape(-1, self.n_exog or 1)
            if not self.n_exog:
                raise InvalidInputError("this forecaster has no exogenous columns: pass the number of steps")
            steps = len(exog)
        if steps < 1:
            raise InvalidInputError(f"the number of steps to forecast must be at least 1, got {steps}")
        return forecast(self.model, self.history, exog, self.lags, steps)


def fit_forecaster(
    learner: Learner, config: Config, y: FloatArray, exog: FloatArray | None, horizon: int, seed: int
) -> Forecaster:
    lags = int(config["lags"])
    X, target = lag_rows(y, exog, lags, len(y))
    model = learner.make(config, seed).fit(X, target)
    return Forecaster(model, lags, horizon, y.copy(), 0 if exog is None else exog.shape[1])


@dataclass
class RollingOrigin:
    """Scores forecasting configurations on the series ``y`` by a rolling origin."""

    y: FloatArray
    exog: FloatArray | None
    metric: Metric
    horizon: int
    windows: int
    n_classes: int = 0

    def origins(self) -> list[int]:
        return [len(self.y) - (self.windows - w) * self.horizon for w in range(self.windows)]

    def evaluate(self, learner: Learner, config: Config, size: int, seed: int) -> tuple[float, float, str | None]:
        """The mean loss of the forecasts from every origin (``size`` is unused: one rung)."""
        lags = int(config["lags"])

        def losses() -> list[float]:
            out = []
            for origin in self.origins():
                if origin - lags < 2:
                    raise InvalidInputError(f"too few steps before origin {origin} for {lags} lags")
                X, target = lag_rows(self.y, self.exog, lags, origin)
                model = learner.make(config, seed).fit(X, target)
                future = None if self.exog is None else self.exog[origin : origin + self.horizon]
                pred = forecast(model, self.y[:origin], future, lags, self.horizon)
                out.append(self.metric.loss(self.y[origin : origin + self.horizon], pred))
            return out

        return timed_loss(losses)
