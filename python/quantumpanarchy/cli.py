"""The demonstration: ``python -m quantumpanarchy`` (also the ``quantumpanarchy`` command).

On a seeded synthetic market (or your CSV of close prices) it builds a portfolio-selection QUBO,
anneals it and checks the answer by enumeration, samples the same model as a Boltzmann machine,
then runs the decision engines (QAOA, QAR, IQAD, QERC, NQO), each beside a baseline or an exact
answer, measures the chosen portfolio's risk (statistics, VaR four ways and by Monte Carlo, a VaR
backtest, Kelly sizing, regimes, convexity) and its tail risk (extreme value theory), reads its
daily bars with TA-Lib's indicators and candlesticks, chart patterns and Fibonacci levels, tests its
returns for power laws and avalanches beside the sandpile's exact answer, and explains every number
it prints.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from . import __version__, performance
from ._demo_automl import automl_section
from ._demo_core import annealing_section, boltzmann_section, portfolio
from ._demo_decision import decision_section
from ._demo_market import YEAR, csv_market, describe, synthetic_market
from ._demo_risk import risk_section, tail_section
from ._demo_signal import criticality_section, signal_section
from ._demo_text import say
from ._help import public_dir

__all__ = ["main"]
__dir__ = public_dir(__all__)


def _count(minimum: int) -> Callable[[str], int]:
    """An argparse type: an integer of at least ``minimum``."""

    def integer(text: str) -> int:  # argparse names the type by this name: "invalid integer value"
        value = int(text)
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    return integer


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="quantumpanarchy", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seed", type=int, default=7, help="seed of the market and of every sampler (default 7)")
    parser.add_argument(
        "--csv",
        metavar="FILE",
        help="use daily close prices from FILE (a header row, then one column per asset or a Close column; "
        "Date/Open/High/Low/Volume columns are skipped) instead of the synthetic market",
    )
    parser.add_argument("--assets", type=_count(4), default=16, help="synthetic assets (default 16)")
    parser.add_argument(
        "--days", type=_count(300), default=10 * YEAR, help=f"synthetic trading days (default {10 * YEAR})"
    )
    parser.add_argument("--budget", type=_count(1), default=4, help="number of assets to select (default 4)")
    parser.add_argument("--reads", type=_count(1), default=64, help="annealing reads (default 64)")
    parser.add_argument("--sweeps", type=_count(1), default=2000, help="sweeps per read (default 2000)")
    parser.add_argument("--version", action="version", version=f"quantumpanarchy {__version__}")
    args = parser.parse_args(argv)
    try:
        _report(args)
    except BrokenPipeError:  # `quantumpanarchy | head`: the reader left, stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return 0


def _report(args: argparse.Namespace) -> None:
    info = performance.backend_info()
    print(
        f"QuantumPanarchy {__version__} demonstration. Backends here: {', '.join(info['available'])}; the CPU "
        f"runs {info['cpu']['threads']} threads with its {info['cpu']['kernel']} kernels."
    )
    say("The same --seed gives the same numbers at any thread count; only the timings vary.")
    market = csv_market(args.csv) if args.csv else synthetic_market(args.assets, args.days, args.seed)
    describe(market, args.seed)
    p = portfolio(market, args.budget, args.seed)
    annealed = annealing_section(p, args.reads, args.sweeps, args.seed)
    boltzmann_section(p, args.seed)
    decision_section(market, p, annealed, args.seed)
    risk_section(market, annealed, args.seed)
    tail_section(market, annealed, args.seed)
    signal_section(market, annealed, args.seed)
    criticality_section(market, annealed, args.seed)
    automl_section(market, annealed, args.seed)
