"""The demonstration runs end to end, explains what it prints, repeats no line, and gives the same
report for the same seed at any thread count."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from quantumpanarchy import performance
from quantumpanarchy.cli import main

SMALL = ["--assets", "8", "--budget", "3", "--reads", "8", "--sweeps", "200", "--days", "600", "--seed", "3"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(list(argv)) == 0
    return capsys.readouterr().out


def test_demo_reports_every_section_with_its_explanations(capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, *SMALL)
    expected = (
        # the market is introduced as synthetic and seeded, with its size and model
        "Synthetic and seeded (--seed 3)",
        "8 assets, A00 to A07, over 600 trading days",
        "GARCH(1,1)",
        # annealing, checked by enumeration
        "1. Portfolio selection by simulated annealing",
        "Lower energy means more return for less risk",
        "exact check",
        "annealing found the best portfolio",
        # the Boltzmann machine: beta, exact probabilities, energy per p-bit with its exact value
        "2. The same QUBO as a Boltzmann machine",
        "inverse temperature β ('beta', 1/temperature)",
        "exact probability exp(−β·E)/Z",
        "Mean energy per p-bit",
        "the exact value is",
        "autocorrelation time",
        "Parallel tempering",
        # the engines, each beside an exact answer or a baseline
        "3. Decision engines on the same market",
        "QAOA, the quantum approximate optimisation algorithm",
        "approx ratio",
        "one measurement gives the best portfolio with p =",
        "QAR, a Boltzmann machine that votes Buy, Sell or Hold",
        "a coin flip -0.693",
        "in this market the next day's direction is independent of the past",
        "IQAD learns what a normal day",
        "planted days",
        "QERC, reservoir computing",
        "'the next 10 days = the last 10'",
        "'always the training average'",
        "NQO, a black-box optimiser",
        "the best possible is",
        # risk of the annealed portfolio: statistics, VaR four ways and by Monte Carlo, a backtest
        "4. Risk of the annealed portfolio",
        "Sharpe ratio",
        "worst drawdown",
        "Cornish-Fisher",
        "correlated normal scenarios",
        "closed form within",
        "Kupiec's test",
        "Basel",
        "growth-optimal leverage",
        "3-state Gaussian hidden Markov model",
        "barbell",
        # tail risk by extreme value theory
        "5. Tail risk: extreme value theory",
        "generalized Pareto distribution",
        "profile-likelihood interval",
        "flagged",
        # signals: TA-Lib's functions, a stream, chart patterns, Fibonacci
        "6. Signals: TA-Lib's indicators and candlesticks",
        "RSI(14)",
        "bit for bit the batch value (equal)",
        "all 61 TA-Lib patterns",
        "zig-zag",
        "nearest level",
        # criticality: power law against its alternatives, avalanches, the sandpile against Dhar
        "7. Criticality: power laws and avalanches",
        "Against a lognormal: R =",
        "criticality index",
        "Dhar's theorem gives exactly",
        # AutoML: a seeded volatility forecast beside two baselines
        "8. AutoML: forecasting the portfolio's volatility",
        "p-bit encoding",
        "the best of 24 trials",
        "for last week's value",
    )
    missing = [text for text in expected if text not in " ".join(out.split())]
    assert not missing, out


def test_demo_repeats_no_line(capsys: pytest.CaptureFixture[str]) -> None:
    lines = [line.strip() for line in run(capsys, *SMALL).splitlines()]
    text = [line for line in lines if line and set(line) != {"-"}]
    repeated = {line for line in text if text.count(line) > 1}
    assert not repeated


def _without_timings(report: str) -> str:
    """The report's words with what may differ between runs (times, speeds, the thread count)
    masked; line breaks do not count, as a longer time can move them."""
    return re.sub(r"\d[\d,.]* (ms|million|threads)", r"_ \1", " ".join(report.split()))


def test_same_seed_same_report_at_any_thread_count(capsys: pytest.CaptureFixture[str], restore_threads: None) -> None:
    performance.set_num_threads(1)
    one = run(capsys, *SMALL)
    performance.set_num_threads(2)
    two = run(capsys, *SMALL)
    assert _without_timings(one) == _without_timings(two)
    assert _without_timings(one) != _without_timings(run(capsys, *SMALL[:-1], "4"))


def test_demo_runs_on_a_csv_of_close_prices(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    prices = 100 * np.cumprod(1 + rng.normal(0.0005, 0.01, (400, 4)), axis=0)
    path = tmp_path / "prices.csv"
    rows = [f"2020-{k:04d},{','.join(f'{v:.4f}' for v in row)},1000" for k, row in enumerate(prices)]
    path.write_text("Date,AAA,BBB,CCC,DDD,Volume\n" + "\n".join(rows) + "\n")
    out = run(capsys, "--csv", str(path), "--reads", "8", "--sweeps", "200")
    assert "Your prices" in out and "4 assets over 399 days" in out
    assert "Synthetic" not in out and "AAA" in out
    assert "simulated around it" in " ".join(out.split())  # several assets: the portfolio's bars are made up


def test_demo_reads_the_bars_of_a_one_asset_ohlc_csv(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    close = 100 * np.cumprod(1 + rng.normal(0.0005, 0.01, 400))
    open_ = close * (1 + rng.normal(0, 0.002, 400))
    high, low = np.maximum(open_, close) * 1.004, np.minimum(open_, close) * 0.996
    path = tmp_path / "bars.csv"
    rows = [
        f"2020-{k:04d},{o:.4f},{h:.4f},{lo:.4f},{c:.4f}"
        for k, (o, h, lo, c) in enumerate(zip(open_, high, low, close, strict=True))
    ]
    path.write_text("Date,Open,High,Low,Close\n" + "\n".join(rows) + "\n")
    out = " ".join(run(capsys, "--csv", str(path), "--reads", "8", "--sweeps", "200").split())
    assert "399 daily bars: your CSV's open, high, low and close" in out


@pytest.mark.parametrize("argv", [["--assets", "0"], ["--days", "10"], ["--reads", "-1"], ["--budget", "x"]])
def test_bad_arguments_are_refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "must be at least" in err or "invalid integer value" in err
