"""The demonstration's risk and tail-risk sections (``quantumpanarchy`` command): the annealed
portfolio measured with ``quantumpanarchy.risk`` and ``quantumpanarchy.blackswan``, each number
beside a closed form, a baseline or a backtest."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from . import blackswan, risk
from ._demo_market import YEAR, FloatArray, Market
from ._demo_text import count, heading, item, say
from .exceptions import InvalidInputError

#: The VaR level the sections use: the loss exceeded on 1 day in 100.
ALPHA = 0.01
#: Days of history behind each day's VaR in the backtest (a trading year).
WINDOW = YEAR
#: Monte Carlo scenarios: enough for a standard error a few percent of the VaR.
SCENARIOS = 1_000_000


def weights_of(market: Market, chosen: npt.NDArray[np.int8]) -> FloatArray:
    """Equal weights over the chosen assets (all assets when none was chosen)."""
    picked = chosen.astype(np.float64) if chosen.any() else np.ones(len(market.names))
    w: FloatArray = picked / picked.sum()
    return w


def risk_section(market: Market, chosen: npt.NDArray[np.int8], seed: int) -> None:
    heading("4. Risk of the annealed portfolio")
    w = weights_of(market, chosen)
    r = market.returns @ w
    names = ", ".join(market.names[i] for i in np.flatnonzero(w))
    say(
        f"The portfolio annealing chose ({names}), held in equal weights and rebalanced daily. Its daily returns "
        "are measured here with quantumpanarchy.risk: the statistics have empyrical's names, arguments and "
        "numbers; losses (VaR, CVaR) are positive numbers."
    )
    statistics(r)
    value_at_risk(market, w, r, seed)
    backtest(r)
    sizing(market, w, r, seed)


def statistics(r: FloatArray) -> None:
    item(
        "performance",
        f"{risk.annual_return(r):+.1%} a year (compounded), volatility {risk.annual_volatility(r):.1%}, Sharpe "
        f"ratio {risk.sharpe_ratio(r):.2f}, Sortino ratio {risk.sortino_ratio(r):.2f} (return over downside risk "
        f"only), worst drawdown {risk.max_drawdown(r):.1%} (the deepest fall from a peak), Calmar ratio "
        f"{risk.calmar_ratio(r):.2f} (yearly return over that drawdown)",
    )


def _method(r: FloatArray, method: str) -> str:
    var = float(risk.var(r, ALPHA, method))  # type: ignore[arg-type]
    try:
        cvar = f"{float(risk.cvar(r, ALPHA, method)):.2%}"  # type: ignore[arg-type]
    except InvalidInputError:  # Cornish-Fisher ES is undefined for very fat tails: said, not hidden
        cvar = "undefined (tails too fat for the expansion)"
    return f"VaR {var:.2%}, CVaR {cvar}"


def value_at_risk(market: Market, w: FloatArray, r: FloatArray, seed: int) -> None:
    say(
        f"Value at risk (VaR) at {ALPHA:.0%}: the daily loss exceeded on 1 day in {1 / ALPHA:.0f}; CVaR (expected "
        "shortfall): the mean loss on those days. Four ways to estimate them from the same history:"
    )
    for label, method, what in (
        ("historical", "historical", "the empirical quantile"),
        ("gaussian", "gaussian", "a normal distribution with the sample mean and volatility"),
        ("student_t", "student_t", "a Student t fitted by maximum likelihood (fat tails)"),
        ("C.-Fisher", "cornish_fisher", "Cornish-Fisher: the normal quantile corrected for skewness and kurtosis"),
    ):
        item(label, f"{_method(r, method)}: {what}")
    mean = market.returns.mean(axis=0)
    cov = np.atleast_2d(np.cov(market.returns, rowvar=False))
    mc = risk.monte_carlo_var(mean, cov, w, ALPHA, num_scenarios=SCENARIOS, seed=seed, backend="cpu")
    closed = float(risk.var(r, ALPHA, "gaussian"))
    gap = abs(mc.var - closed) / mc.var_stderr
    item(
        "Monte Carlo",
        f"VaR {mc.var:.2%} ± {mc.var_stderr:.3%}, CVaR {mc.cvar:.2%} ± {mc.cvar_stderr:.3%} from "
        f"{mc.num_scenarios:,} correlated normal scenarios of every asset's return (seeded, the same on any "
        f"thread count or GPU). It agrees with the gaussian line's closed form within {gap:.1f} standard "
        "errors, as it must: same model, simulated instead of solved.",
    )


def backtest(r: FloatArray) -> None:
    if len(r) < WINDOW + YEAR:
        return
    var = np.asarray(risk.rolling_var(r, WINDOW, ALPHA, "historical"))
    # day t is tested against the VaR of the window that ends the day before it
    hits = r[WINDOW:] < -var[WINDOW - 1 : -1]
    kupiec = risk.kupiec_test(hits, ALPHA)
    christoffersen = risk.christoffersen_test(hits, ALPHA)
    last = hits[-YEAR:]
    zone = risk.traffic_light(int(last.sum()), len(last), ALPHA)
    item(
        "backtest",
        f"the historical VaR of each day's past {WINDOW} days was exceeded on {int(hits.sum())} of "
        f"{count(len(hits), 'day')} (expected {ALPHA * len(hits):.0f}). Kupiec's test of that count: p = "
        f"{kupiec.pvalue:.2f}; Christoffersen's test, which also asks whether exceptions cluster: p = "
        f"{christoffersen.pvalue:.2f} (a p below 0.05 rejects the VaR model). The last year's "
        f"{int(last.sum())} exceptions put it in the Basel '{zone}' zone.",
    )


def sizing(market: Market, w: FloatArray, r: FloatArray, seed: int) -> None:
    mu, sigma = float(r.mean() * YEAR), float(r.std(ddof=1) * np.sqrt(YEAR))
    full = risk.kelly_continuous(mu, sigma)
    item(
        "Kelly",
        f"the growth-optimal leverage of this portfolio is (μ − r)/σ² = {full:.2f}× (μ {mu:+.1%}, σ {sigma:.1%} a "
        f"year); practitioners hold half of it or less, because μ is estimated with a large error.",
    )
    model = risk.RegimeModel(3, seed=seed).fit(r)
    regimes = model.predict(r)
    vols = np.sqrt(model.variances_[:, 0] * YEAR)
    shares = ", ".join(
        f"{name} {np.mean(regimes == k):.0%} of days (volatility {vol:.0%})"
        for k, (name, vol) in enumerate(zip(("Normal", "Volatile", "Crisis"), vols, strict=True))
    )
    item(
        "regimes",
        f"a 3-state Gaussian hidden Markov model (Baum-Welch, {model.n_iter_} iterations) finds {shares}. "
        + (
            "The synthetic market's volatility clusters (GARCH), so calm and turbulent spells are real here."
            if market.synthetic
            else "Regimes are ordered by volatility."
        ),
    )
    safe, speculative = risk.AntifragileAnalyzer.conservative().calculate_barbell_allocation(1_000_000)
    market_returns = market.returns.mean(axis=1)
    convex = risk.measure_convexity(r, market_returns)
    gamma, t = convex.gamma or 0.0, convex.gamma_t or 0.0
    if abs(t) < 2:
        verdict = "too small to tell from noise (|t| < 2): neither convex nor concave."
    else:
        verdict = "convex, it gains from large moves." if gamma > 0 else "concave, large moves hurt it."
    item(
        "antifragile",
        f"a conservative barbell puts {safe:,.0f} of 1,000,000 in the safe asset and {speculative:,.0f} in "
        f"convex bets. The portfolio's convexity to the market (γ of r = a + βm + γm²) is {gamma:+.2f} "
        f"(t = {t:+.1f}): {verdict}",
    )


def tail_section(market: Market, chosen: npt.NDArray[np.int8], seed: int) -> None:
    heading("5. Tail risk: extreme value theory")
    r = market.returns @ weights_of(market, chosen)
    losses = -r
    fit = blackswan.fit_gpd(losses)
    xi_se = f" ± {fit.xi_stderr:.2f}" if fit.xi_stderr is not None else ""
    say(
        "The worst days are too few for an empirical quantile: peaks over threshold fit a generalized Pareto "
        f"distribution to the {fit.num_exceedances} daily losses above {fit.threshold:.2%} (the 95% quantile). "
        f"Its shape ξ = {fit.xi:+.2f}{xi_se} says how heavy the tail is (ξ > 0: a power-law tail, "
        "ξ = 0: exponential, ξ < 0: bounded); scipy's genpareto calls it c."
    )
    for alpha in (0.01, 0.001):
        evt = blackswan.evt_var(fit, alpha)
        es = blackswan.evt_es(fit, alpha) if fit.xi < 1 else float("inf")
        gauss = float(risk.var(r, alpha, "gaussian"))
        item(
            f"VaR {1 - alpha:.1%}",
            f"EVT {evt:.2%} (expected shortfall {es:.2%}); a normal distribution says {gauss:.2%}",
        )
    years = 10
    level = blackswan.return_level(fit, years * YEAR, ci="profile")
    item(
        "return level",
        f"the daily loss exceeded once in {years} years on average: {level.level:.2%} (95% profile-likelihood "
        f"interval {level.lower:.2%} to {level.upper:.2%})",
    )
    split = int(0.7 * len(losses))
    detector = blackswan.BlackSwanDetector(return_period=YEAR).fit(losses[:split])
    flags = np.asarray(detector.update(losses[split:]))
    item(
        "detector",
        f"fitted on the first {count(split, 'day')}, it flagged {int(flags.sum())} of the remaining "
        f"{count(len(flags), 'day')} as beyond the once-a-year loss of {detector.level:.2%} (about "
        f"{len(flags) / YEAR:.1f} expected if the tail did not change)",
    )
