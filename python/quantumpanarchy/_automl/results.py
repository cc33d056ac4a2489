"""What a search gives back: the task types, the configuration, the data set, one row per trial
(the leaderboard) and the result."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any, overload

from ..exceptions import InvalidInputError

__all__ = ["AutoMLConfig", "AutoMLResult", "Dataset", "Leaderboard", "TaskType", "Trial"]


class TaskType(str, enum.Enum):
    """What is learned: class labels, real targets, or a series' next values (FLAML's task names)."""

    Classification = "classification"
    Regression = "regression"
    TimeSeries = "ts_forecast"

    @classmethod
    def of(cls, value: Any) -> TaskType:
        if isinstance(value, cls):
            return value
        names = {
            "classification": cls.Classification,
            "regression": cls.Regression,
            "ts_forecast": cls.TimeSeries,
            "timeseries": cls.TimeSeries,
            "forecast": cls.TimeSeries,
        }
        if isinstance(value, str) and value.lower() in names:
            return names[value.lower()]
        raise InvalidInputError(f"unknown task {value!r}: choose from {[t.value for t in cls]}")


@dataclass(frozen=True)
class AutoMLConfig:
    """Settings of a search (each can also be given to :meth:`PBitAutoML.fit` by FLAML's name:
    ``time_budget`` in seconds for ``timeout_minutes``, ``max_iter`` for ``max_trials``).

    ``max_trials`` counts evaluations (one configuration on one rung of successive halving);
    ``eval_method`` "auto" cross-validates with ``n_splits`` folds below 100,000 cells (rows ×
    features) and holds out ``holdout_fraction`` of the rows above; ``eta`` is successive
    halving's factor (a third of each batch goes up a rung, on three times the rows); ``batch``
    configurations are proposed at a time; ``n_concurrent_trials`` run at once; ``horizon`` and
    ``max_lags`` shape time-series forecasting."""

    max_trials: int = 100
    timeout_minutes: float = 60.0
    metric: str | Callable[[Any, Any], float] | None = None
    seed: int | None = None
    estimator_list: Sequence[str] | str = "auto"
    eval_method: str = "auto"
    n_splits: int = 5
    holdout_fraction: float = 0.1
    eta: int = 3
    batch: int = 8
    n_concurrent_trials: int = 1
    horizon: int = 1
    max_lags: int = 16
    progress: bool | Callable[[int, int], object] = False

    def replace(self, **changes: Any) -> AutoMLConfig:
        unknown = set(changes) - set(self.__dataclass_fields__)
        if unknown:
            raise InvalidInputError(f"unknown AutoML setting(s) {sorted(unknown)}")
        return AutoMLConfig(**{**asdict(self), **changes})


@dataclass(frozen=True)
class Dataset:
    """Training data and, optionally, test data the result is scored on."""

    X_train: Any
    y_train: Any
    X_test: Any = None
    y_test: Any = None


@dataclass(frozen=True)
class Trial:
    """One evaluation: a learner's configuration trained on ``sample_size`` rows (rung ``rung`` of
    successive halving), its validation ``loss`` (``inf`` if it failed: ``error`` says why) and
    ``score`` under the metric, and the wall seconds it took."""

    trial: int
    learner: str
    config: dict[str, Any]
    rung: int
    sample_size: int
    loss: float
    score: float
    seconds: float
    error: str | None = None


class Leaderboard(Sequence[Trial]):
    """Every trial, in the order they were proposed; :meth:`to_pandas` is the leaderboard table
    (sorted by rung, highest first, then loss)."""

    def __init__(self, trials: Sequence[Trial]) -> None:
        self._trials = tuple(trials)

    @overload
    def __getitem__(self, i: int) -> Trial: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[Trial]: ...
    def __getitem__(self, i: int | slice) -> Trial | Sequence[Trial]:
        return self._trials[i]

    def __len__(self) -> int:
        return len(self._trials)

    def __iter__(self) -> Iterator[Trial]:
        return iter(self._trials)

    def __repr__(self) -> str:
        return f"Leaderboard({len(self)} trials)"

    def to_dict(self) -> list[dict[str, Any]]:
        return [asdict(t) for t in self._trials]

    def to_pandas(self) -> Any:
        try:
            import pandas as pd
        except ImportError:
            raise ImportError("Leaderboard.to_pandas() needs pandas: pip install pandas") from None
        frame = pd.DataFrame(self.to_dict())
        if frame.empty:
            return frame
        return frame.sort_values(["rung", "loss", "trial"], ascending=[False, True, True], kind="stable").reset_index(
            drop=True
        )


@dataclass(frozen=True)
class AutoMLResult:
    """The search's outcome: the best model refitted on all training rows (``best_model``), its
    learner and hyper-parameters, ``score`` (the metric on the test set when one was given, the
    validation score otherwise), and the leaderboard of every trial."""

    best_model: Any
    best_params: dict[str, Any]
    score: float
    leaderboard: Leaderboard
    best_estimator: str = ""
    best_loss: float = float("inf")
    metric: str = ""
    seconds: float = 0.0
    test_score: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "best_estimator": self.best_estimator,
            "best_params": dict(self.best_params),
            "score": self.score,
            "best_loss": self.best_loss,
            "metric": self.metric,
            "seconds": self.seconds,
            "test_score": self.test_score,
            "trials": self.leaderboard.to_dict(),
        }

    def to_pandas(self) -> Any:
        return self.leaderboard.to_pandas()

    def __repr__(self) -> str:
        return (
            f"AutoMLResult(best_estimator={self.best_estimator!r}, best_params={self.best_params!r}, "
            f"score={self.score:.6g}, trials={len(self.leaderboard)})"
        )
