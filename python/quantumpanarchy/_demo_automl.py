"""The demonstration's AutoML section: PBitAutoML forecasts the annealed portfolio's volatility."""

from __future__ import annotations

import numpy as np

from . import automl
from ._demo_market import Market
from ._demo_risk import weights_of
from ._demo_text import count, heading, item, say

HORIZON = 5  # trading days forecast at once
WINDOW = 5  # days in each volatility point: the mean absolute daily return


def automl_section(market: Market, chosen: np.ndarray, seed: int) -> None:
    heading("8. AutoML: forecasting the portfolio's volatility")
    r = market.returns @ weights_of(market, chosen)
    days = len(r) // WINDOW * WINDOW
    vol = np.abs(r[len(r) - days :]).reshape(-1, WINDOW).mean(axis=1) * np.sqrt(252 * np.pi / 2)
    if len(vol) < 60:
        say(f"The market has {count(len(r), 'day')}: too few weeks to forecast; this section is skipped.")
        return
    train, truth = vol[:-HORIZON], vol[-HORIZON:]
    say(
        f"Volatility clusters, so it can be forecast: the series is the portfolio's annualised volatility over "
        f"{count(len(vol), 'week')} ({WINDOW}-day blocks). PBitAutoML searches learners and their "
        f"hyper-parameters, lags included, by sampling a Boltzmann distribution over their p-bit encoding whose "
        f"energy is a surrogate of the rolling-origin forecast error; the last {HORIZON} weeks are held out."
    )
    engine = automl.PBitAutoML(automl.TaskType.TimeSeries).fit(
        None, train, period=HORIZON, max_iter=24, seed=seed, estimator_list=["ridge", "enet", "kneighbor"], metric="mae"
    )
    forecast = engine.predict()
    naive = np.full(HORIZON, train[-1])
    mean = np.full(HORIZON, train.mean())
    config = ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in engine.best_config.items())
    trials = len(engine.result_.leaderboard) if engine.result_ is not None else 0
    item("search", f"{engine.best_estimator} ({config}), the best of {count(trials, 'trial')}")
    item(
        "forecast",
        f"the next {HORIZON} weeks {', '.join(f'{v:.1%}' for v in forecast)}; held out "
        f"{', '.join(f'{v:.1%}' for v in truth)}",
    )
    err = [float(np.mean(np.abs(f - truth))) for f in (forecast, naive, mean)]
    item(
        "error",
        f"mean absolute error {err[0]:.2%} against {err[1]:.2%} for last week's value and {err[2]:.2%} for the "
        "long-run mean (one held-out stretch: a single draw, not a verdict)",
    )
