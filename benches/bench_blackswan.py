#!/usr/bin/env python
"""blackswan (EVT) against its anchors, measured in one process.

* GPD fit of 10^5 samples: ``fit_gpd(x, threshold=0.0)`` against
  ``scipy.stats.genpareto.fit(x, floc=0)``, ``x = genpareto.rvs(c=0.2, size=100_000,
  random_state=default_rng(7))`` (anchor-baselines.md §4 (c); target ≥ 20×).
* GPD fit of the S&P 500 exceedances (u = 95% quantile of L = -diff(log Close), 252 values):
  ``fit_gpd(L)`` against ``genpareto.fit(y, floc=0)`` and pyextremes' POT
  (``EVA(...).get_extremes('POT', threshold=u, r='1h'); fit_model()``).
* Return-level bootstrap interval on the S&P fit: ours (nonparametric, as pyextremes) with 1000
  replicates against pyextremes' ``get_return_value(..., alpha=0.95, n_samples=1000)`` (its
  bootstrap refits with scipy, a fresh model each time so that its cache does not answer).

Run ``python benches/bench_blackswan.py [--quick]``.
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np
import numpy.typing as npt
from _timing import timed
from quantumpanarchy import blackswan as bs
from quantumpanarchy import performance
from scipy import stats

F64 = npt.NDArray[np.float64]


def sp500() -> F64:
    from arch.data import sp500 as data

    close = data.load()["Close"].to_numpy()
    return np.asarray(-np.diff(np.log(close)), dtype=np.float64)


def pyextremes_model(L: F64, u: float) -> Any:
    import pandas as pd
    from pyextremes import EVA

    model = EVA(pd.Series(L, index=pd.date_range("2000-01-01", periods=len(L), freq="D")))
    model.get_extremes("POT", threshold=u, r="1h")
    model.fit_model()
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and replicates")
    args = parser.parse_args()
    reps = 3 if args.quick else 9
    nboot = 200 if args.quick else 1000
    rows: list[tuple[str, float, float, str]] = []

    x = stats.genpareto.rvs(c=0.2, size=100_000, random_state=np.random.default_rng(7))
    ours = timed(lambda: bs.fit_gpd(x, threshold=0.0), reps * 3)
    theirs = timed(lambda: stats.genpareto.fit(x, floc=0), max(reps // 3, 1))
    f = bs.fit_gpd(x, threshold=0.0)
    c, _, s = stats.genpareto.fit(x, floc=0)
    note = f"xi {f.xi:.6f} vs c {c:.6f}; loglik gain {f.loglik - stats.genpareto.logpdf(x, c, 0, s).sum():.2e}"
    rows.append(("GPD fit, 10^5 samples vs scipy floc=0", ours, theirs, note))

    L = sp500()
    u = float(np.quantile(L, 0.95))
    y = L[L > u] - u
    ours = timed(lambda: bs.fit_gpd(L), reps * 5)
    theirs = timed(lambda: stats.genpareto.fit(y, floc=0), reps * 2)
    rows.append(("GPD fit, S&P 252 exceedances vs scipy", ours, theirs, "threshold = 95% quantile, inside ours"))
    theirs = timed(lambda: pyextremes_model(L, u), reps)
    rows.append(("GPD fit, S&P vs pyextremes POT", ours, theirs, "pyextremes: extremes + MLE fit"))

    fit = bs.fit_gpd(L)
    periods = np.array([252.0, 2520.0, 25200.0])
    ours = timed(
        lambda: bs.return_level(fit, periods, ci="bootstrap", bootstrap="nonparametric", num_bootstrap=nboot, seed=1),
        reps,
    )

    def pyx() -> None:
        pyextremes_model(L, u).get_return_value(
            return_period=periods, return_period_size="1D", alpha=0.95, n_samples=nboot
        )

    theirs = timed(pyx, 1)
    rows.append((f"return-level bootstrap, {nboot} replicates vs pyextremes", ours, theirs, "3 periods"))
    ours_p = timed(lambda: bs.return_level(fit, periods, ci="profile"), reps)
    rows.append(("return-level profile interval (3 periods) vs pyextremes bootstrap", ours_p, theirs, ""))

    print(f"threads: {performance.get_num_threads()}")
    print(f"{'workload':64} {'ours ms':>10} {'anchor ms':>11} {'ratio':>8}  note")
    for name, a, b, note in rows:
        print(f"{name:64} {a * 1e3:10.3f} {b * 1e3:11.3f} {b / a:7.1f}x  {note}")


if __name__ == "__main__":
    main()
