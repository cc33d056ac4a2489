"""The demonstration's signal and criticality sections (``quantumpanarchy`` command): the annealed
portfolio's daily bars read with ``quantumpanarchy.signal`` (TA-Lib's indicators and candlesticks,
a stream, chart patterns, Fibonacci levels), then its returns with ``quantumpanarchy.cas`` (power
laws, self-organised criticality) beside the sandpile's exact answer."""

from __future__ import annotations

import time
from collections import Counter

import numpy as np

from . import cas, signal
from ._demo_market import FloatArray, Market
from ._demo_risk import weights_of
from ._demo_text import count, heading, item, say

#: Relative gap of the simulated opens and the spread of the simulated highs and lows around the
#: day's open and close (fractions of the price).
GAP, WICK = 0.002, 0.004
#: The sandpile's side and the grains it is driven with (half of them burn in).
SANDPILE_L, SANDPILE_GRAINS = 32, 40_000


def bars(market: Market, chosen: np.ndarray, seed: int) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """The portfolio's daily bars: a one-asset CSV's own, or else the close is the portfolio's
    value (100 at the start), the open the previous close moved by a small gap, and the high and
    low reach beyond them (seeded)."""
    if market.ohlc is not None:
        return market.ohlc
    r = market.returns @ weights_of(market, chosen)
    close: FloatArray = 100.0 * np.cumprod(1.0 + r, dtype=np.float64)
    rng = np.random.default_rng([seed, 11])
    previous = np.concatenate(([100.0], close[:-1]))
    open_: FloatArray = previous * np.exp(GAP * rng.standard_normal(len(r)))
    high: FloatArray = np.maximum(open_, close) * np.exp(np.abs(WICK * rng.standard_normal(len(r))))
    low: FloatArray = np.minimum(open_, close) * np.exp(-np.abs(WICK * rng.standard_normal(len(r))))
    return open_, high, low, close


def signal_section(market: Market, chosen: np.ndarray, seed: int) -> None:
    heading("6. Signals: TA-Lib's indicators and candlesticks, chart patterns, Fibonacci levels")
    o, h, lo, c = bars(market, chosen, seed)
    made = (
        "your CSV's open, high, low and close"
        if market.ohlc is not None
        else "the close is the annealed portfolio's value, the open, high and low are simulated around it (seeded)"
    )
    say(
        f"{count(len(c), 'daily bar')}: {made}. quantumpanarchy.signal gives TA-Lib's functions under TA-Lib's "
        "names and arguments, with the same numbers (the tests compare them with TA-Lib itself)."
    )
    indicators(h, lo, c)
    candles(o, h, lo, c)
    chart(o, h, lo, c)
    fibonacci(c)


def indicators(h: FloatArray, lo: FloatArray, c: FloatArray) -> None:
    rsi = signal.RSI(c, timeperiod=14)
    _, _, hist = signal.MACD(c)
    upper, middle, lower = signal.BBANDS(c, timeperiod=20)
    atr = signal.ATR(h, lo, c, timeperiod=14)
    position = (c[-1] - lower[-1]) / (upper[-1] - lower[-1])
    item(
        "indicators",
        f"on the last day RSI(14) {rsi[-1]:.1f} (above 70 overbought, below 30 oversold), MACD histogram "
        f"{hist[-1]:+.3f} ({'rising' if hist[-1] > 0 else 'falling'} momentum), the close {position:.0%} of the "
        f"way up its 20-day Bollinger band ({lower[-1]:.2f} to {upper[-1]:.2f}, middle {middle[-1]:.2f}), average "
        f"true range {atr[-1]:.2f} ({atr[-1] / c[-1]:.1%} of the price).",
    )
    stream = signal.stream.RSI(timeperiod=14)
    last = [stream.update(x) for x in c][-1]
    item(
        "streaming",
        f"signal.stream.RSI fed the closes one at a time ends at {last:.6f}: bit for bit the batch value "
        f"({'equal' if last == rsi[-1] else 'DIFFERENT'}), as a live feed needs.",
    )


def candles(o: FloatArray, h: FloatArray, lo: FloatArray, c: FloatArray) -> None:
    start = time.perf_counter()
    table = signal.candlesticks(o, h, lo, c)
    took = time.perf_counter() - start
    fired = (table != 0).sum(axis=0)
    top = sorted(zip(fired, signal.CANDLESTICK_NAMES, strict=True), reverse=True)[:4]
    today = [name for name, v in zip(signal.CANDLESTICK_NAMES, table[-1], strict=True) if v != 0]
    item(
        "candlesticks",
        f"all 61 TA-Lib patterns over every bar in one call ({took * 1e3:.1f} ms): {int((fired > 0).sum())} "
        f"patterns fired, most often {', '.join(f'{name[3:]} ({n})' for n, name in top)}. On the last bar: "
        f"{', '.join(today) if today else 'none'}.",
    )


def chart(o: FloatArray, h: FloatArray, lo: FloatArray, c: FloatArray) -> None:
    detector = signal.PatternDetector()
    found = detector.detect_all((o, h, lo, c))
    kinds = Counter(p.pattern_type.value for p in found)
    summary = ", ".join(f"{k.replace('_', ' ')} ({n})" for k, n in kinds.most_common(4))
    item(
        "chart",
        f"swing pivots by a zig-zag (a reversal of 5% confirms a peak or trough), then {len(kinds)} kinds of "
        f"classic chart pattern among {count(len(found), 'pattern')} with confidence at least 0.70"
        + (f": {summary}." if found else "."),
    )
    for p in sorted(found, key=lambda p: p.end)[-2:]:
        broke = f"broke out on day {p.breakout}" if p.breakout is not None else "no breakout yet"
        item(
            "",
            f"{p.pattern_type.value.replace('_', ' ')} on days {p.start}-{p.end}, {p.direction}, {broke}, "
            f"measured-move target {p.target_price:.2f}, confidence {p.confidence:.2f}",
        )


def fibonacci(c: FloatArray) -> None:
    levels = signal.FibonacciAnalyzer().analyze(c)
    name, ratio, price, distance = levels.nearest_level()
    item(
        "Fibonacci",
        f"the latest swing: high {levels.swing_high.price:.2f} on day {levels.swing_high.index}, low "
        f"{levels.swing_low.price:.2f} on day {levels.swing_low.index} ({levels.trend} swing); the close "
        f"{c[-1]:.2f} is {distance:.2f} from the nearest level, the {ratio:g} {name} at {price:.2f}.",
    )


def criticality_section(market: Market, chosen: np.ndarray, seed: int) -> None:
    heading("7. Criticality: power laws and avalanches")
    r = market.returns @ weights_of(market, chosen)
    losses = np.abs(market.returns).ravel()
    fit = cas.PowerLawFit(losses)
    r_ln, p_ln = fit.distribution_compare("power_law", "lognormal")
    r_exp, p_exp = fit.distribution_compare("power_law", "exponential")
    say(
        "quantumpanarchy.cas fits power laws with the powerlaw package's estimators and numbers (the tests "
        "compare them), choosing x_min by the smallest Kolmogorov-Smirnov distance D."
    )
    item(
        "power law",
        f"the sizes of all assets' daily moves, fitted as P(x) ∝ x^−α above x_min {fit.xmin:.4f}: α = "
        f"{fit.alpha:.2f} ± {fit.sigma:.2f} ({count(fit.n_tail, 'move')} in the tail, D = {fit.D:.3f}). Against "
        f"a lognormal: R = {r_ln:+.2f}, p = {p_ln:.2f}; against an exponential: R = {r_exp:+.2f}, p = {p_exp:.2f} "
        f"(R > 0 favours the power law; p < 0.1 makes the sign significant). {_verdict(r_ln, p_ln)}",
    )
    threshold = float(2 * np.std(r))
    engine = cas.SOCEngine(avalanche_threshold=threshold, max_history=len(r))
    engine.update_batch(r)
    avalanches = engine.avalanches()
    item(
        "avalanches",
        f"runs of days moving more than {threshold:.2%} (2 standard deviations): {len(avalanches)} in the "
        f"portfolio; criticality index {engine.get_criticality_index():.2f} (1 at a critical branching process), "
        f"chance that the next day starts or continues one {engine.predict_transition_probability():.1%}.",
    )
    sandpile(seed)


def _verdict(r: float, p: float) -> str:
    if p >= 0.1:
        return "The data cannot tell a power law from a lognormal here."
    if r > 0:
        return "A power law describes the tail better than a lognormal: heavy tails."
    return "A lognormal describes the tail better: these moves are not power-law distributed."


def sandpile(seed: int) -> None:
    pile = cas.Sandpile(SANDPILE_L, seed=seed)
    pile.drive(SANDPILE_GRAINS // 2)
    sizes = pile.drive(SANDPILE_GRAINS // 2).sizes
    exact = _dhar_mean_size(SANDPILE_L)
    item(
        "sandpile",
        f"the Bak-Tang-Wiesenfeld model on a {SANDPILE_L}x{SANDPILE_L} grid, the textbook self-organised "
        f"critical system: {SANDPILE_GRAINS // 2:,} grains after a burn-in gave avalanches of {sizes.mean():.1f} "
        f"topplings on average (the largest {sizes.max():,}); Dhar's theorem gives exactly {exact:.1f}.",
    )


def _dhar_mean_size(side: int) -> float:
    """The stationary mean avalanche size of the open-boundary sandpile: the mean row sum of
    the inverse toppling matrix (4 on the diagonal, -1 to each lattice neighbour)."""
    one = 2 * np.eye(side) - np.eye(side, k=1) - np.eye(side, k=-1)
    toppling = np.kron(one, np.eye(side)) + np.kron(np.eye(side), one)
    return float(np.linalg.solve(toppling, np.ones(side * side)).mean())
