#!/usr/bin/env python
"""risk statistics against their anchors, measured in one process.

* The 20 performance statistics on 500 assets × 2500 days (seeded synthetic returns, 0.1% NaN):
  ``quantumpanarchy.risk`` (one native call per statistic for the whole 2-D array) against
  empyrical-reloaded on the same data, given its fastest correct form: one 2-D call where
  empyrical takes a 2-D array and gets the per-column answer, else a loop over columns. Each row
  checks that both give the same numbers (1e-10 relative) before timing.
* Historical VaR/CVaR of the 20 S&P 500 stocks of skfolio (log returns, 95% and 99%), against the
  NumPy of anchor-baselines.md section 4 (a): ``np.quantile(losses, [0.95, 0.99], axis=0)`` and the
  mean of the losses at or beyond each VaR.

numpy's OpenBLAS runs one thread here (unless OPENBLAS_NUM_THREADS is set): after a BLAS call
its threads spin-wait for work and take a core from whatever runs next, which slowed both columns
of this table (empyrical by about 30%, ours by up to 3× on 2 cores). Neither side's statistics
need BLAS threads.

Run ``python benches/bench_risk_stats.py [--quick] [--threads N]``.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy loads OpenBLAS (see above)

import argparse
import importlib.metadata
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
from _timing import timed_range
from quantumpanarchy import performance, risk

FloatArray = npt.NDArray[np.float64]


def workload(rows: int = 2500, cols: int = 500) -> tuple[FloatArray, FloatArray]:
    rng = np.random.default_rng(20261207)
    x = rng.normal(0.0003, 0.015, (rows, cols)) + 0.004 * rng.standard_t(4, (rows, cols))
    x[rng.random(x.shape) < 0.001] = np.nan
    f = np.nanmean(x, axis=1) + rng.normal(0.0, 0.002, rows)
    return x, f


def per_column(fn: Callable[..., Any], x: FloatArray, *args: Any) -> FloatArray:
    return np.array([fn(x[:, j], *args) for j in range(x.shape[1])])


def statistics_table(repeats: int) -> list[tuple[str, str, tuple[float, float], tuple[float, float]]]:
    import empyrical.stats as es

    x, f = workload()
    f2 = f[:, None]
    cases: list[tuple[str, Callable[[], Any], Callable[[], Any], str]] = [
        ("sharpe_ratio", lambda: risk.sharpe_ratio(x), lambda: es.sharpe_ratio(x), "2-D"),
        ("sortino_ratio", lambda: risk.sortino_ratio(x), lambda: es.sortino_ratio(x), "2-D"),
        ("max_drawdown", lambda: risk.max_drawdown(x), lambda: es.max_drawdown(x), "2-D"),
        ("calmar_ratio", lambda: risk.calmar_ratio(x), lambda: per_column(es.calmar_ratio, x), "loop"),
        ("omega_ratio", lambda: risk.omega_ratio(x), lambda: per_column(es.omega_ratio, x), "loop"),
        ("annual_return", lambda: risk.annual_return(x), lambda: es.annual_return(x), "2-D"),
        ("annual_volatility", lambda: risk.annual_volatility(x), lambda: es.annual_volatility(x), "2-D"),
        ("downside_risk", lambda: risk.downside_risk(x), lambda: es.downside_risk(x), "2-D"),
        ("value_at_risk", lambda: risk.value_at_risk(x), lambda: per_column(es.value_at_risk, x), "loop"),
        (
            "conditional_value_at_risk",
            lambda: risk.conditional_value_at_risk(x),
            lambda: per_column(es.conditional_value_at_risk, x),
            "loop",
        ),
        ("drawdown_series", lambda: risk.drawdown_series(x), lambda: es.drawdown_series(x), "2-D"),
        ("cum_returns_final", lambda: risk.cum_returns_final(x), lambda: es.cum_returns_final(x), "2-D"),
        ("tail_ratio", lambda: risk.tail_ratio(x), lambda: per_column(es.tail_ratio, x), "loop"),
        (
            "stability_of_timeseries",
            lambda: risk.stability_of_timeseries(x),
            lambda: per_column(es.stability_of_timeseries, x),
            "loop",
        ),
        ("excess_sharpe", lambda: risk.excess_sharpe(x, f), lambda: es.excess_sharpe(x, f2), "2-D"),
        ("alpha", lambda: risk.alpha(x, f), lambda: per_column(es.alpha, x, f), "loop"),
        ("beta", lambda: risk.beta(x, f), lambda: es.beta(x, f), "2-D"),
        ("up_capture", lambda: risk.up_capture(x, f), lambda: per_column(es.up_capture, x, f), "loop"),
        ("down_capture", lambda: risk.down_capture(x, f), lambda: per_column(es.down_capture, x, f), "loop"),
        ("cum_returns", lambda: risk.cum_returns(x), lambda: es.cum_returns(x), "2-D"),
    ]
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, ours, theirs, how in cases:
            a, b = np.asarray(ours(), dtype=float), np.asarray(theirs(), dtype=float).reshape(np.shape(ours()))
            ok = np.isclose(a, b, rtol=1e-10, atol=0.0, equal_nan=True) | (a == b)
            assert ok.all(), f"{name}: results differ from empyrical"
            rows.append((name, how, timed_range(ours, repeats), timed_range(theirs, max(1, repeats // 3))))
    return rows


def var_table(repeats: int) -> list[tuple[str, tuple[float, float], tuple[float, float]]]:
    from skfolio.datasets import load_sp500_dataset

    prices = load_sp500_dataset().to_numpy()
    r = np.diff(np.log(prices), axis=0)
    losses = -r

    def numpy_hist() -> tuple[FloatArray, FloatArray]:
        var = np.quantile(losses, [0.95, 0.99], axis=0)
        cvar = np.array([[losses[losses[:, j] >= v[j], j].mean() for j in range(losses.shape[1])] for v in var])
        return var, cvar

    def ours() -> tuple[FloatArray, FloatArray]:
        v = np.array([risk.var(r, 0.05), risk.var(r, 0.01)])
        c = np.array([risk.cvar(r, 0.05), risk.cvar(r, 0.01)])
        return v, c

    (v1, c1), (v2, c2) = ours(), numpy_hist()
    # np.quantile of the losses at 0.95 is minus the 0.05 quantile of the returns up to rounding
    assert np.allclose(v1, v2, rtol=1e-12) and np.allclose(c1, c2, rtol=1e-12)
    return [
        ("historical VaR+CVaR 95/99%, 20 stocks", timed_range(ours, repeats * 5), timed_range(numpy_hist, repeats * 5))
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--threads", type=int, default=2, help="native threads (default 2)")
    args = parser.parse_args()
    repeats = 3 if args.quick else 9
    performance.set_num_threads(args.threads)
    print(
        f"quantumpanarchy risk statistics, {args.threads} native threads; "
        f"empyrical-reloaded {importlib.metadata.version('empyrical-reloaded')}, numpy {np.__version__}"
    )
    print("\n20 statistics, 2500 days x 500 assets (0.1% NaN)")
    print(
        f"{'statistic':26s} {'empyrical as':>12s} {'ours ms median [min]':>22s} "
        f"{'empyrical ms median [min]':>26s} {'ratio (min)':>12s}"
    )
    total = [0.0, 0.0, 0.0, 0.0]
    for name, how, ours, theirs in statistics_table(repeats):
        for k, v in enumerate((*ours, *theirs)):
            total[k] += v
        print(
            f"{name:26s} {how:>12s} {ours[0] * 1e3:11.2f} [{ours[1] * 1e3:7.2f}] "
            f"{theirs[0] * 1e3:15.2f} [{theirs[1] * 1e3:7.2f}] {theirs[0] / ours[0]:5.1f}x ({theirs[1] / ours[1]:.1f}x)"
        )
    print(
        f"{'total (20 statistics)':26s} {'':>12s} {total[0] * 1e3:11.2f} [{total[1] * 1e3:7.2f}] "
        f"{total[2] * 1e3:15.2f} [{total[3] * 1e3:7.2f}] {total[2] / total[0]:5.1f}x ({total[3] / total[1]:.1f}x)"
    )
    print("\nhistorical VaR/CVaR against NumPy (anchor-baselines (a))")
    for name, ours, theirs in var_table(repeats):
        print(
            f"{name:40s} ours {ours[0] * 1e3:7.3f} [{ours[1] * 1e3:7.3f}] ms  "
            f"numpy {theirs[0] * 1e3:7.3f} [{theirs[1] * 1e3:7.3f}] ms  "
            f"{theirs[0] / ours[0]:5.1f}x ({theirs[1] / ours[1]:.1f}x)"
        )
    performance.set_num_threads(0)


if __name__ == "__main__":
    main()
