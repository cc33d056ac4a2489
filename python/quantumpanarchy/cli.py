"""The demonstration: ``python -m quantumpanarchy`` (also the ``quantumpanarchy`` command).

Builds a portfolio-selection QUBO from a seeded synthetic market (or your OHLC CSV), anneals
it, checks the answer against exact enumeration, samples the same model as a Boltzmann machine,
runs the decision engines on the same market, and prints a report with timings.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from . import __version__, performance
from ._demo_decision import iqad_section, nqo_section, qaoa_section, qar_section, qerc_section
from ._help import public_dir
from .core import BoltzmannSampler, ParallelTempering, PBitNetwork

__all__ = ["main"]
__dir__ = public_dir(__all__)

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Market:
    names: list[str]
    returns: FloatArray  # days × assets, daily simple returns


def synthetic_market(num_assets: int, num_days: int, seed: int) -> Market:
    """A one-factor market: each asset loads on a common factor plus its own noise."""
    rng = np.random.default_rng(seed)
    market = rng.normal(0.0003, 0.01, num_days)
    betas = rng.uniform(0.5, 1.5, num_assets)
    alphas = rng.normal(0.0002, 0.0004, num_assets)
    noise = rng.normal(0.0, 1.0, (num_days, num_assets)) * rng.uniform(0.005, 0.02, num_assets)
    returns = alphas + np.outer(market, betas) + noise
    return Market([f"A{k:02d}" for k in range(num_assets)], returns)


def csv_market(path: str) -> Market:
    """Close prices from a CSV with a header: one ``Close`` column (one asset) or one column per
    asset (every numeric column but Open/High/Low/Volume/Date)."""
    import csv

    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        raise SystemExit(f"{path}: no rows")
    skip = {"open", "high", "low", "volume", "date", "time", "timestamp", "adj close"}
    cols = [c for c in rows[0] if c and c.strip().lower() not in skip]
    prices = np.array([[float(r[c]) for c in cols] for r in rows], dtype=np.float64)
    if prices.shape[0] < 3 or not np.all(prices > 0):
        raise SystemExit(f"{path}: need at least 3 rows of positive prices")
    return Market(cols, prices[1:] / prices[:-1] - 1.0)


def portfolio_qubo(mu: FloatArray, cov: FloatArray, budget: int, risk_aversion: float, penalty: float) -> FloatArray:
    """Q with xᵀQx = risk_aversion·xᵀΣx − μᵀx + penalty·(Σx − budget)² − penalty·budget²."""
    n = len(mu)
    return risk_aversion * cov - np.diag(mu) + penalty * (np.ones((n, n)) - 2 * budget * np.eye(n))


def _line(title: str) -> None:
    print(f"\n{title}\n{'-' * len(title)}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="quantumpanarchy", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seed", type=int, default=7, help="seed of the market and of every sampler (default 7)")
    parser.add_argument("--csv", metavar="FILE", help="use close prices from FILE instead of the synthetic market")
    parser.add_argument("--assets", type=int, default=16, help="synthetic assets (default 16)")
    parser.add_argument("--budget", type=int, default=4, help="number of assets to select (default 4)")
    parser.add_argument("--reads", type=int, default=64, help="annealing reads (default 64)")
    parser.add_argument("--sweeps", type=int, default=2000, help="sweeps per read (default 2000)")
    parser.add_argument("--version", action="version", version=f"quantumpanarchy {__version__}")
    args = parser.parse_args(argv)

    info = performance.backend_info()
    print(
        f"QuantumPanarchy {__version__} — backends {info['available']}, "
        f"{info['cpu']['threads']} threads, CPU kernel {info['cpu']['kernel']}"
    )
    market = csv_market(args.csv) if args.csv else synthetic_market(args.assets, 1000, args.seed)
    n = len(market.names)
    budget = min(max(1, args.budget), n)
    mu = market.returns.mean(axis=0) * 252
    cov = np.cov(market.returns, rowvar=False) * 252
    cov = np.atleast_2d(cov)
    # Just enough penalty to make every optimum hold `budget` assets: a larger one walls the
    # feasible portfolios off from each other and slows annealing down.
    penalty = 0.5 * (np.abs(mu).max() + np.abs(cov).max() * budget)
    Q = portfolio_qubo(mu, cov, budget, 1.0, penalty)
    # Energy scale of trading one asset for another: the cold end must resolve it.
    scale = float(np.std(mu) + np.std(np.diag(cov))) or 1.0

    _line(f"Portfolio selection: choose {budget} of {n} assets (mean-variance QUBO)")
    net = PBitNetwork.from_qubo(Q, seed=args.seed)
    hot, _ = net.default_beta_range()
    start = time.perf_counter()
    result = net.anneal(num_reads=args.reads, num_sweeps=args.sweeps, seed=args.seed, beta_range=(hot, 50 / scale))
    anneal_s = time.perf_counter() - start
    best = result.first
    chosen = [market.names[i] for i in np.flatnonzero(best.sample)]
    w = best.sample.astype(np.float64) / max(1, int(best.sample.sum()))
    ret, risk = float(mu @ w), float(np.sqrt(w @ cov @ w))
    print(
        f"annealed {args.reads} reads x {args.sweeps} sweeps in {anneal_s * 1e3:.1f} ms "
        f"({result.info['timing']['spin_updates_per_s'] / 1e6:.1f} M p-bit updates/s)"
    )
    print(f"selected      : {', '.join(chosen)}")
    print(
        f"expected ret. : {ret:+.2%} per year   risk: {risk:.2%}   Sharpe: {ret / risk if risk else float('nan'):.2f}"
    )
    hits = int(np.isclose(result.energies, best.energy).sum())
    print(f"QUBO energy   : {best.energy:.6f}  (found by {hits}/{len(result)} reads)")
    if n <= 20:
        start = time.perf_counter()
        exact_min = float(np.min(net.energy(_all_states(n))))
        verdict = "optimal" if np.isclose(best.energy, exact_min) else "suboptimal"
        print(
            f"exact optimum : {exact_min:.6f}  (enumerated 2^{n} portfolios in "
            f"{(time.perf_counter() - start) * 1e3:.1f} ms) -> {verdict}"
        )

    _line("Boltzmann machine: which portfolios are likely at finite temperature")
    beta = 2.0 / scale
    sampler = BoltzmannSampler(net, beta=beta, seed=args.seed)
    start = time.perf_counter()
    samples = sampler.sample(num_samples=2000, burn_in=200, thin=2, num_chains=4)
    obs = sampler.observables(num_samples=4000, burn_in=200, num_chains=4)
    sample_s = time.perf_counter() - start
    keys, counts = np.unique(samples, axis=0, return_counts=True)
    order = np.argsort(-counts)[:5]
    print(
        f"beta = {beta:.3g}: {len(samples)} samples + observables in {sample_s * 1e3:.1f} ms; "
        f"{(samples.sum(axis=1) == budget).mean():.1%} of samples hold {budget} assets"
    )
    print(
        f"energy per p-bit {obs.energy:.5f} ± {obs.energy_error:.1g}, autocorrelation time {obs.tau_energy:.1f} samples"
    )
    for k in order:
        names = ", ".join(market.names[i] for i in np.flatnonzero(keys[k]))
        print(f"  p = {counts[k] / len(samples):6.3f}  E = {float(net.energy(keys[k])):+.5f}  [{names}]")
    betas = np.geomspace(hot, 50 / scale, 12)
    start = time.perf_counter()
    pt = ParallelTempering(net, betas, seed=args.seed).run(num_samples=3000, burn_in=300)
    print(
        f"parallel tempering over {len(betas)} temperatures in {(time.perf_counter() - start) * 1e3:.1f} ms: "
        f"best energy {pt.best_energy:.6f}, "
        f"swap acceptance {pt.swap_acceptance.min():.2f}-{pt.swap_acceptance.max():.2f}"
    )

    _line("Decision engines")
    qaoa_section(market.names, mu, cov, budget, args.seed)
    qar_section(market.returns, args.seed)
    iqad_section(len(market.returns), market.returns, args.seed)
    qerc_section(market.returns, args.seed)
    nqo_section(mu, cov, args.seed)
    return 0


def _all_states(n: int) -> npt.NDArray[np.int8]:
    codes = np.arange(2**n, dtype=np.int64)
    return ((codes[:, None] >> np.arange(n)) & 1).astype(np.int8)
