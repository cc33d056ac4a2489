"""The demonstration's decision section (``quantumpanarchy`` command): the decision engines on the
demo's market."""

from __future__ import annotations

import time

import numpy as np
import numpy.typing as npt

from .decision import IQAD, NQO, QAOA, QAR, QERC

FloatArray = npt.NDArray[np.float64]

#: QAOA simulates 2^n amplitudes: the demo keeps it to a size that runs in about a second.
QAOA_ASSETS = 12


def qaoa_section(names: list[str], mu: FloatArray, cov: FloatArray, budget: int, seed: int) -> None:
    """QAOA on the portfolio problem (the assets with the best return/risk when there are many)."""
    keep = np.sort(np.argsort(-mu / np.sqrt(np.diag(cov)))[:QAOA_ASSETS])
    n = len(keep)
    budget = min(budget, n)
    qaoa = QAOA(n, num_layers=3, budget=budget, seed=seed)
    start = time.perf_counter()
    r = qaoa.optimize(mu[keep], cov[np.ix_(keep, keep)], risk_tolerance=0.5)
    elapsed = time.perf_counter() - start
    subset = "" if n == len(names) else f" (the {n} with the best return/risk)"
    print(f"QAOA p=3 statevector on {n} assets{subset}: {r.nfev} circuit evaluations in {elapsed * 1e3:.0f} ms")
    print(f"selected      : {', '.join(names[keep[int(str(i))]] for i in r.selected)}")
    print(f"expected ret. : {r.expected_return:+.2%} per year   risk: {r.risk:.2%}   Sharpe: {r.sharpe_ratio:.2f}")
    ratio = f"{r.approximation_ratio:.3f}" if r.approximation_ratio is not None else "n/a"
    verdict = "optimal" if np.isclose(r.energy, r.optimal_energy) else "suboptimal"
    print(
        f"energy        : {r.energy:.6f} vs exact {r.optimal_energy:.6f} -> {verdict}; "
        f"<E> by depth {', '.join(f'{e:.4f}' for e in r.expectation_by_depth)}; approximation ratio {ratio}"
    )
    print(
        f"measurement   : optimum with p = {r.optimum_probability:.3f} "
        f"({r.optimum_probability * 2**n:.0f}x uniform), {budget} assets with p = {r.feasible_probability:.3f}"
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


def qar_section(returns: FloatArray, seed: int) -> None:
    """QAR learns from the equal-weight index whether the next day went up, down or nowhere."""
    index = returns.mean(axis=1)
    factors = market_factors(index)[:-1]
    nxt = index[20:]
    band = 0.25 * index.std()
    outcomes = np.where(nxt > band, "buy", np.where(nxt < -band, "sell", "hold"))
    split = int(0.7 * len(factors))
    qar = QAR(num_pbits=3, seed=seed, factor_names=["momentum_20d", "momentum_5d", "calm"])
    prior = qar.log_likelihood(factors[split:], outcomes[split:])
    start = time.perf_counter()
    qar.fit(factors[:split], outcomes[:split])
    elapsed = time.perf_counter() - start
    held_out = qar.log_likelihood(factors[split:], outcomes[split:])
    today = qar.decide(market_factors(index)[-1])
    print(
        f"QAR  on the equal-weight index: fitted on {split} days in {elapsed * 1e3:.0f} ms; held-out log-likelihood "
        f"{prior:.3f} (prior) -> {held_out:.3f} (fitted)"
    )
    print(f"     today: {today.action.name} (P(buy) = {today.probability_buy:.3f}); {today.reasoning}")


def iqad_section(dates: int, returns: FloatArray, seed: int) -> None:
    """IQAD learns what a normal day of the cross-section looks like and flags the unusual ones."""
    model = IQAD(n_hidden=8, n_epochs=30, contamination=0.02, seed=seed)
    start = time.perf_counter()
    flags = model.fit_predict(returns)
    elapsed = time.perf_counter() - start
    worst = np.argsort(model.score_samples(returns))[:3]
    moves = ", ".join(f"day {d} (index {returns[d].mean():+.2%})" for d in worst)
    print(
        f"IQAD on {dates} days x {returns.shape[1]} assets: fitted in {elapsed * 1e3:.0f} ms, "
        f"{int((flags == -1).sum())} days flagged; most unusual: {moves}"
    )


def qerc_section(returns: FloatArray, seed: int) -> None:
    """QERC forecasts tomorrow's 20-day realised volatility of the index from today's |return| and
    volatility, against the persistence forecast (tomorrow = today)."""
    index = returns.mean(axis=1)
    vol = np.array([index[t - 20 : t].std() for t in range(20, len(index) + 1)])
    scale = vol.mean()
    x = np.column_stack([np.abs(index[19:-1]) / scale, vol[:-1] / scale])
    y = vol[1:] / scale
    split = int(0.7 * len(y))
    model = QERC(n_reservoir=100, spectral_radius=0.9, leak_rate=0.5, ridge=1e-5, washout=50, seed=seed)
    start = time.perf_counter()
    model.fit(x[:split], y[:split])
    elapsed = time.perf_counter() - start
    pred = np.asarray(model.predict(x[split:], reset=False))
    rmse = float(np.sqrt(np.mean((pred - y[split:]) ** 2))) * scale
    persistence = float(np.sqrt(np.mean((x[split:, 1] - y[split:]) ** 2))) * scale
    print(
        f"QERC forecasting tomorrow's 20-day volatility: trained in {elapsed * 1e3:.0f} ms; held-out RMSE "
        f"{rmse:.3%} vs {persistence:.3%} for 'tomorrow = today'"
    )


def nqo_section(mu: FloatArray, cov: FloatArray, seed: int) -> None:
    """NQO finds continuous long-only weights with the best Sharpe ratio (a black box to it) and is
    checked against the closed-form tangency portfolio when that one is long-only."""
    n = min(len(mu), 6)
    m, c = mu[:n], cov[:n, :n]

    def neg_sharpe(w: FloatArray) -> float:
        w = (np.abs(w) + 1e-9) / float(np.abs(w).sum() + n * 1e-9)  # the all-zero corner is equal weights
        return -float(w @ m) / float(np.sqrt(w @ c @ w))

    start = time.perf_counter()
    r = NQO(maxfun=100 * n, seed=seed).minimize(neg_sharpe, [(0.0, 1.0)] * n)
    elapsed = time.perf_counter() - start
    tangency = np.asarray(np.linalg.solve(c, m), dtype=np.float64)
    exact = f"equal weights {-neg_sharpe(np.ones(n, dtype=np.float64)):.4f}"
    if np.all(tangency > 0):
        exact += f", closed form {-neg_sharpe(tangency):.4f}"
    print(
        f"NQO  long-only max-Sharpe weights over {n} assets: Sharpe {-r.fun:.4f} ({exact}) "
        f"in {r.nfev} evaluations, {elapsed * 1e3:.0f} ms"
    )
