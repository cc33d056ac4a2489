"""A streaming detector of observations beyond a fitted return level."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from .._decision._params import check_int, check_probability, check_real
from ..exceptions import InvalidInputError
from ._common import values_1d
from ._fits import GPDFit, fit_gpd
from ._levels import return_level

__all__ = ["BlackSwanDetector"]


class BlackSwanDetector:
    """Flags observations beyond the ``return_period`` return level of a peaks-over-threshold fit.

    ``fit(history)`` fits a GPD to the history's exceedances of the threshold and computes the
    level exceeded on average once every ``return_period`` observations; ``update(x)`` flags the
    new observations above it and appends them to the history. With ``refit_every=N`` the model
    is refitted on the whole history (the fit's history plus every update) after each ``N``
    updated observations; observations are flagged against the level in force when they arrive.
    Pass losses (positive = bad) to watch a loss tail; pass ``-returns`` for crashes.

    Parameters
    ----------
    return_period : float
        In observations (> 1): 2520 flags, on average, one day in ten years of daily data.
    threshold : float, optional
        Fixed POT threshold; default: the ``threshold_quantile`` quantile of the history.
    threshold_quantile : float
        Used when ``threshold`` is None (default 0.95).
    refit_every : int, optional
        Refit after this many updated observations (default: never).

    Examples
    --------
    >>> import numpy as np
    >>> from quantumpanarchy.blackswan import BlackSwanDetector
    >>> rng = np.random.default_rng(0)
    >>> det = BlackSwanDetector(return_period=1000).fit(rng.standard_normal(5000))
    >>> det.update([0.1, 12.0]).tolist()
    [False, True]
    >>> det.flagged_indices.tolist()
    [1]
    """

    def __init__(
        self,
        return_period: float = 1000.0,
        threshold: float | None = None,
        threshold_quantile: float = 0.95,
        refit_every: int | None = None,
    ) -> None:
        rp = check_real(return_period, "return_period")
        if not (np.isfinite(rp) and rp > 1):
            raise InvalidInputError(f"return_period must be a finite number above 1, got {rp}")
        q = check_probability(threshold_quantile, "threshold_quantile")
        u = None if threshold is None else check_real(threshold, "threshold")
        if u is not None and not np.isfinite(u):
            raise InvalidInputError(f"threshold must be finite, got {u}")
        self.return_period = rp
        self.threshold = u
        self.threshold_quantile = q
        self.refit_every = None if refit_every is None else check_int(refit_every, "refit_every", 1)
        self._history: npt.NDArray[np.float64] = np.empty(0)
        self._fit: GPDFit | None = None
        self._level = float("nan")
        self._flags: list[npt.NDArray[np.bool_]] = []
        self._values: list[npt.NDArray[np.float64]] = []
        self._since_fit = 0

    def _refit(self) -> None:
        h = self._history
        u = self.threshold if self.threshold is not None else float(np.quantile(h, self.threshold_quantile))
        fit = fit_gpd(h, threshold=u)
        level = return_level(fit, self.return_period, ci=None).level
        self._fit, self._level, self._since_fit = fit, float(level), 0

    def fit(self, history: Any) -> BlackSwanDetector:
        """Fit the tail model on ``history`` (array-like) and reset the flags; returns ``self``."""
        self._history = values_1d(history, "history").copy()
        self._flags, self._values = [], []
        self._refit()
        return self

    def _require_fit(self) -> GPDFit:
        if self._fit is None:
            raise InvalidInputError("the detector is not fitted: call fit(history) first")
        return self._fit

    def update(self, x: Any) -> Any:
        """Flag new observation(s): a bool for a scalar, a bool array for an array. The values
        join the history (used by the next refit)."""
        self._require_fit()
        scalar = np.ndim(x) == 0
        values = values_1d([check_real(x, "x")] if scalar else x, "x")
        out = np.zeros(len(values), dtype=bool)
        start = 0
        while start < len(values):
            stop = len(values)
            if self.refit_every is not None:
                stop = min(stop, start + self.refit_every - self._since_fit)
            chunk = values[start:stop]
            out[start:stop] = chunk > self._level
            self._history = np.concatenate([self._history, chunk])
            self._since_fit += len(chunk)
            start = stop
            if self.refit_every is not None and self._since_fit >= self.refit_every:
                self._refit()
        self._flags.append(out)
        self._values.append(values)
        return bool(out[0]) if scalar else out

    @property
    def level(self) -> float:
        """The return level in force."""
        self._require_fit()
        return self._level

    @property
    def fit_(self) -> GPDFit:
        """The current GPD fit."""
        return self._require_fit()

    @property
    def flags(self) -> npt.NDArray[np.bool_]:
        """One bool per observation passed to :meth:`update` since :meth:`fit`."""
        return np.concatenate(self._flags) if self._flags else np.zeros(0, dtype=bool)

    @property
    def flagged_indices(self) -> npt.NDArray[np.int64]:
        """Positions (among the updated observations) of the flagged ones."""
        return np.flatnonzero(self.flags).astype(np.int64)

    @property
    def flagged_values(self) -> npt.NDArray[np.float64]:
        """The flagged observations."""
        values = np.concatenate(self._values) if self._values else np.zeros(0)
        return np.asarray(values[self.flags], dtype=np.float64)

    def to_dict(self) -> dict[str, Any]:
        """Settings and state as a dict."""
        return {
            "return_period": self.return_period,
            "threshold": self.threshold,
            "threshold_quantile": self.threshold_quantile,
            "refit_every": self.refit_every,
            "level": None if self._fit is None else self._level,
            "num_updates": len(self.flags),
            "num_flagged": int(self.flags.sum()),
        }

    def __repr__(self) -> str:
        state = "unfitted" if self._fit is None else f"level={self._level:.6g}, flagged={int(self.flags.sum())}"
        return f"BlackSwanDetector(return_period={self.return_period:g}, {state})"
