"""The demonstration's decision section (``quantumpanarchy`` command): the decision engines on the
demo's market, each beside a baseline or an exact answer."""

from __future__ import annotations

import itertools
import time

import numpy as np
import numpy.typing as npt

from ._demo_core import Portfolio
from ._demo_market import YEAR, FloatArray, Market
from ._demo_text import count, heading, item, say
from .decision import IQAD, NQO, QAOA, QAR, QERC

#: QAOA simulates 2^n amplitudes: the demo keeps it to a size that runs in about a second.
QAOA_ASSETS = 12
#: The share of days the learning engines train on; they are scored on the rest.
TRAIN = 0.7
#: QERC's forecast horizon in trading days (two weeks).
HORIZON = 10
#: NQO's problem size: few enough assets to find the exact optimum by trying every subset.
NQO_ASSETS = 6


def decision_section(market: Market, p: Portfolio, annealed: npt.NDArray[np.int8], seed: int) -> None:
    heading("3. Decision engines on the same market")
    qaoa_section(p, annealed, seed)
    qar_section(market, seed)
    iqad_section(market, seed)
    qerc_section(market, seed)
    nqo_section(p, seed)


def qaoa_section(p: Portfolio, annealed: npt.NDArray[np.int8], seed: int) -> None:
    """QAOA on the portfolio problem (the assets with the best return/risk when there are many)."""
    keep = np.sort(np.argsort(-p.mu / np.sqrt(np.diag(p.cov)), kind="stable")[:QAOA_ASSETS])
    n = len(keep)
    budget = min(p.budget, n)
    qaoa = QAOA(n, num_layers=3, budget=budget, seed=seed)
    start = time.perf_counter()
    r = qaoa.optimize(p.mu[keep], p.cov[np.ix_(keep, keep)], risk_tolerance=0.5)
    elapsed = time.perf_counter() - start
    which = f"all {n} assets" if n == len(p.names) else f"the {n} assets with the best return/risk"
    say(
        f"QAOA, the quantum approximate optimisation algorithm, simulated exactly (a statevector of 2^{n} "
        f"amplitudes) on {which}. Its 3 circuit layers ('p = 3') have 6 angles, which a classical optimiser "
        f"tuned in {r.nfev} circuit evaluations ({elapsed * 1e3:.0f} ms). It minimises its own scaling of the "
        f"problem, E(x) = ½·xᵀΣx − ½·μᵀx + {r.penalty:.3g}·(Σᵢ xᵢ − {budget})²."
    )
    chosen = np.zeros(len(p.names), dtype=np.int8)
    chosen[keep[[int(str(i)) for i in r.selected]]] = 1
    same = np.array_equal(chosen, annealed)
    item(
        "chosen",
        f"{p.label(chosen)}, the most likely measurement"
        + (": the same portfolio annealing found" if same else f"; {p.performance(chosen)}"),
    )
    verdict = (
        "optimal."
        if np.isclose(r.energy, r.optimal_energy)
        else "not optimal. With 3 layers the probability stays spread over many portfolios, so the most likely "
        "one need not be the best; measuring many times and keeping the best (QAOA(shots=...)) helps: 1,000 "
        f"measurements include the best portfolio with probability {1 - (1 - r.optimum_probability) ** 1000:.0%}."
    )
    exact = f"the exact minimum over all {2**n:,} portfolios is {r.optimal_energy:.6f}"
    item("energy", f"{r.energy:.6f}; {exact}: {verdict}")
    depths = ", ".join(f"{e:.3f}" for e in r.expectation_by_depth)
    layers = ", ".join(str(k + 1) for k in range(len(r.expectation_by_depth)))
    item("mean energy", f"{depths} after {layers} layers: the average energy of a measurement (lower is better)")
    if r.approximation_ratio is not None:
        item(
            "approx ratio",
            f"{r.approximation_ratio:.3f}: where that average lies between the worst portfolio (0) and the best (1). "
            "The penalty makes the worst very bad, so the ratio flatters; the probabilities say more:",
        )
    item(
        "measurement",
        f"one measurement gives the best portfolio with p = {r.optimum_probability:.3f} "
        f"({r.optimum_probability * 2**n:.0f} times a random guess of 1 in {2**n:,}) and a portfolio of "
        f"{count(budget, 'asset')} with p = {r.feasible_probability:.3f}.",
    )


def _squash(z: FloatArray) -> FloatArray:
    """A z-score into [0, 1]."""
    return np.asarray(1.0 / (1.0 + np.exp(-z)), dtype=np.float64)


def market_factors(index: FloatArray) -> FloatArray:
    """Daily factors in [0, 1] from an index's returns: 20-day momentum, 5-day momentum, and
    calm (low 20-day volatility against its long-run level). Row t uses returns up to day t."""
    r = np.asarray(index, dtype=np.float64)
    c = np.concatenate([[0.0], np.cumsum(r)])
    days = np.arange(20, len(r) + 1)
    mom20, mom5 = c[days] - c[days - 20], c[days] - c[days - 5]
    vol = np.array([r[t - 20 : t].std() for t in days]) + 1e-12
    long_run = r.std() + 1e-12
    return np.column_stack(
        [_squash(mom20 / (vol * np.sqrt(20))), _squash(mom5 / (vol * np.sqrt(5))), _squash(3 * (1 - vol / long_run))]
    )


def qar_section(market: Market, seed: int) -> None:
    """QAR learns from the equal-weight index whether the next day went up, down or nowhere,
    scored against a coin flip on days it never saw."""
    index = market.returns.mean(axis=1)
    factors = market_factors(index)
    x = factors[:-1]
    nxt = index[20:]
    band = 0.25 * index.std()
    outcomes = np.where(nxt > band, "buy", np.where(nxt < -band, "sell", "hold"))
    split = int(TRAIN * len(x))
    print()
    say(
        "QAR, a Boltzmann machine that votes Buy, Sell or Hold, reads three factors of the equal-weight index "
        "(20-day momentum, 5-day momentum, and calm: low recent volatility) and learns whether the next day "
        "rose (Buy), fell (Sell) or stayed within ±0.25 standard deviations (Hold)."
    )
    qar = QAR(num_pbits=3, seed=seed, factor_names=["momentum_20d", "momentum_5d", "calm"])
    untrained = qar.log_likelihood(x[split:], outcomes[split:])
    start = time.perf_counter()
    qar.fit(x[:split], outcomes[:split])
    elapsed = time.perf_counter() - start
    held_out = qar.log_likelihood(x[split:], outcomes[split:])
    coin = float(np.log(0.5))  # P(buy) = 1/2 every day, whatever happened
    item(
        "score",
        f"trained on {split} days in {elapsed * 1e3:.0f} ms. On the {len(x) - split} days it never saw, the "
        f"log-likelihood of what happened is {held_out:.3f} per day (higher is better; untrained {untrained:.3f}, "
        f"a coin flip {coin:.3f}).",
    )
    beats = held_out > coin
    if market.synthetic:
        verdict = (
            f"It scores {held_out - coin:.3f} above the coin flip, which is chance: in this market the next day's "
            "direction is independent of the past."
            if beats
            else "It does not beat a coin flip, and should not: in this market the next day's direction is "
            "independent of the past."
        )
    else:
        verdict = (
            "It beats a coin flip on days it never saw." if beats else "It does not beat a coin flip on these data."
        )
    item("verdict", verdict)
    item(
        "today",
        f"{qar.decide(factors[-1]).reasoning} (A factor's log-odds is its evidence for buying, negative for "
        "selling, 0 for none.)",
    )


def iqad_section(market: Market, seed: int) -> None:
    """IQAD learns what a normal day of the cross-section looks like; the demo hides a few days
    that break the assets' usual co-movement and checks that it finds them."""
    returns = market.returns
    days, n = returns.shape
    print()
    say(
        f"IQAD learns what a normal day of the returns of {count(n, 'asset')} looks like (a restricted "
        "Boltzmann machine of p-bits) and flags the 2% least typical days."
    )
    planted = np.array([], dtype=np.int64)
    if n >= 4:
        rng = np.random.default_rng(seed)
        planted = np.sort(rng.choice(days, 5, replace=False))
        pattern = np.where(np.arange(n) % 2 == 0, 1.5, -1.5) * returns.std(axis=0)
        returns = returns.copy()
        returns[planted] = pattern
        say(
            f"To check it, {len(planted)} days of a copy of the market were replaced by days on which "
            f"{market.names[0]}, {market.names[2]}, ... rose and {market.names[1]}, {market.names[3]}, ... fell by "
            "1.5 standard deviations each: not extreme asset by asset, but against the way the assets usually "
            "move together."
        )
    model = IQAD(n_hidden=8, n_epochs=30, contamination=0.02, seed=seed)
    start = time.perf_counter()
    flagged = model.fit_predict(returns) == -1
    elapsed = time.perf_counter() - start
    text = f"fitted in {elapsed * 1e3:.0f} ms; flagged {int(flagged.sum())} of {days} days"
    if len(planted):
        rank = np.empty(days, dtype=np.int64)
        rank[np.argsort(model.score_samples(returns), kind="stable")] = np.arange(1, days + 1)
        text += (
            f", among them {int(flagged[planted].sum())} of the {len(planted)} planted days (ranked "
            f"{', '.join(str(int(k)) for k in np.sort(rank[planted]))} from most unusual)"
        )
    others = flagged.copy()
    others[planted] = False
    move = np.abs(returns.mean(axis=1))
    if others.any() and (~flagged).any():
        seen, usual = float(move[others].mean()), float(move[~flagged].mean())
        text += (
            f". On the flagged days{' that were not planted' if len(planted) else ''} the index moved {seen:.2%} "
            f"on average (up or down), against {usual:.2%} on the other days"
            + (": big market moves are unusual days too." if seen > 1.5 * usual else ".")
        )
    item("result", text)


def realised_vol(r: FloatArray, start: npt.NDArray[np.int64], days: int) -> FloatArray:
    """Yearly volatility √(252·mean r²) of r over each window [start, start + days)."""
    c = np.concatenate([[0.0], np.cumsum(r**2)])
    return np.asarray(np.sqrt((c[start + days] - c[start]) / days * YEAR), dtype=np.float64)


def qerc_section(market: Market, seed: int) -> None:
    """QERC forecasts the index's volatility over the next two weeks from its daily moves,
    against 'the next two weeks = the last two weeks' and 'always the training average'."""
    index = market.returns.mean(axis=1)
    scale = float(index.std()) or 1.0
    steps = np.arange(len(index) - HORIZON)  # step s has seen days 0..s and forecasts s+1..s+HORIZON
    x = np.abs(index[steps] / scale)[:, None]
    future = realised_vol(index, steps + 1, HORIZON)
    split = int(TRAIN * len(steps))
    print()
    say(
        "QERC, reservoir computing: a fixed random network of 100 leaky units that keeps a fading memory of "
        "its inputs, of which only a linear readout is trained. It reads the index's daily move (its size, "
        f"|return|) and forecasts the index's volatility over the next {HORIZON} days (per year)."
    )
    model = QERC(n_reservoir=100, spectral_radius=0.9, leak_rate=0.2, ridge=1.0, washout=50, seed=seed)
    start = time.perf_counter()
    model.fit(x[:split], future[:split] / (scale * np.sqrt(YEAR)))
    elapsed = time.perf_counter() - start
    pred = np.asarray(model.predict(x[split:], reset=False)).ravel() * scale * np.sqrt(YEAR)
    test = steps[split:]
    last = realised_vol(index, test + 1 - HORIZON, HORIZON)  # the HORIZON days up to s
    truth = future[split:]

    def rmse(forecast: FloatArray | float) -> float:
        return float(np.sqrt(np.mean((forecast - truth) ** 2)))

    ours, naive, average = rmse(pred), rmse(last), rmse(float(future[:split].mean()))
    item(
        "forecast",
        f"trained on {split} days in {elapsed * 1e3:.0f} ms. Error on the last {len(test)} days (root mean "
        f"square, in volatility points): QERC {ours:.2%}, 'the next {HORIZON} days = the last {HORIZON}' "
        f"{naive:.2%}, 'always the training average' {average:.2%}.",
    )
    if ours < min(naive, average):
        verdict = "QERC beats both simple forecasts"
        if market.synthetic:
            verdict += ": volatility clusters in this market, and the reservoir's memory of recent moves picks it up."
    else:
        rival = "the naive forecast" if ours >= naive else "the training average"
        verdict = f"QERC does not beat {rival} here: it learned no more than that forecast already knows."
    item("verdict", verdict)


def best_long_only_sharpe(mu: FloatArray, cov: FloatArray) -> float | None:
    """The highest Sharpe ratio of a long-only portfolio, exactly: the optimum is the tangency
    portfolio Σ_S⁻¹μ_S of its own support S, so the best of the subsets whose tangency weights are
    all positive is it. None when no asset has a positive mean return."""
    best = None
    for size in range(1, len(mu) + 1):
        for s in map(list, itertools.combinations(range(len(mu)), size)):
            w = np.linalg.solve(cov[np.ix_(s, s)], mu[s])
            if np.all(w > 0):
                sharpe = float(mu[s] @ w / np.sqrt(w @ cov[np.ix_(s, s)] @ w))
                best = sharpe if best is None else max(best, sharpe)
    return best


def nqo_section(p: Portfolio, seed: int) -> None:
    """NQO finds long-only weights with the best Sharpe ratio, a black box to it, checked against
    the exact optimum."""
    n = min(len(p.mu), NQO_ASSETS)
    m, c = p.mu[:n], p.cov[:n, :n]

    def sharpe(w: FloatArray) -> float:
        w = (np.abs(w) + 1e-9) / float(np.abs(w).sum() + n * 1e-9)  # the all-zero corner is equal weights
        return float(w @ m) / float(np.sqrt(w @ c @ w))

    assets = f"{p.names[0]} to {p.names[n - 1]}" if n > 1 else p.names[0]
    print()
    say(
        "NQO, a black-box optimiser (p-bit annealing guided by a surrogate model), searches long-only weights "
        f"of {assets} for the highest Sharpe ratio (yearly return / risk), seeing only the ratio of each weight "
        "vector it tries."
    )
    start = time.perf_counter()
    r = NQO(maxfun=100 * n, seed=seed).minimize(lambda w: -sharpe(w), [(0.0, 1.0)] * n)
    elapsed = time.perf_counter() - start
    exact = best_long_only_sharpe(m, c)
    best = (
        f"the best possible is {exact:.4f} (found exactly by trying the tangency portfolio of each of the "
        f"{count(2**n - 1, 'subset')} of assets)"
        if exact is not None
        else "no long-only portfolio has a positive expected return here"
    )
    item(
        "result",
        f"Sharpe ratio {-r.fun:.4f} after {r.nfev} evaluations ({elapsed * 1e3:.0f} ms); {best}; equal weights give "
        f"{sharpe(np.ones(n, dtype=np.float64)):.4f}.",
    )
