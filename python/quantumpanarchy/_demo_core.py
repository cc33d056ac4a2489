"""The demonstration's sections on ``quantumpanarchy.core``: a portfolio QUBO solved by annealing,
then sampled as a Boltzmann machine and by parallel tempering, each checked against enumeration."""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

from ._demo_market import YEAR, FloatArray, Market
from ._demo_text import count, heading, item, say
from .core import BoltzmannSampler, ParallelTempering, PBitNetwork

#: Up to this many assets the demo checks its answers against all 2^n portfolios.
MAX_ENUMERATED = 20


@dataclass(frozen=True)
class Portfolio:
    """The problem every section shares: the market's yearly statistics and the QUBO built on them."""

    names: list[str]
    mu: FloatArray  # mean yearly returns
    cov: FloatArray  # covariance of yearly returns
    budget: int
    penalty: float
    network: PBitNetwork

    @cached_property
    def optimum(self) -> float | None:
        """The lowest energy over all 2^n portfolios (None beyond ``MAX_ENUMERATED`` assets)."""
        n = len(self.mu)
        return float(np.min(self.network.energy(all_states(n)))) if n <= MAX_ENUMERATED else None

    def label(self, x: npt.NDArray[np.int8]) -> str:
        return ", ".join(self.names[i] for i in np.flatnonzero(x)) or "(none)"

    def performance(self, x: npt.NDArray[np.int8]) -> str:
        """The equal-weight portfolio's yearly return, risk and Sharpe ratio, in words."""
        w = x.astype(np.float64) / max(1, int(x.sum()))
        ret, risk = float(self.mu @ w), float(np.sqrt(w @ self.cov @ w))
        sharpe = f"{ret / risk:.2f}" if risk > 0 else "n/a"
        return f"return {ret:+.2%} a year, risk {risk:.2%} a year, Sharpe ratio (return / risk) {sharpe}"


def portfolio_qubo(mu: FloatArray, cov: FloatArray, budget: int, risk_aversion: float, penalty: float) -> FloatArray:
    """Q with xᵀQx = risk_aversion·xᵀΣx − μᵀx + penalty·(Σx − budget)² − penalty·budget²."""
    n = len(mu)
    return risk_aversion * cov - np.diag(mu) + penalty * (np.ones((n, n)) - 2 * budget * np.eye(n))


def portfolio(market: Market, budget: int, seed: int) -> Portfolio:
    mu = market.returns.mean(axis=0) * YEAR
    cov = np.atleast_2d(np.cov(market.returns, rowvar=False) * YEAR)
    budget = min(max(1, budget), len(mu))
    # Just enough penalty to make every optimum hold `budget` assets: a larger one walls the
    # feasible portfolios off from each other and slows annealing down.
    penalty = 0.5 * (np.abs(mu).max() + np.abs(cov).max() * budget)
    q = portfolio_qubo(mu, cov, budget, 1.0, penalty)
    return Portfolio(market.names, mu, cov, budget, float(penalty), PBitNetwork.from_qubo(q, seed=seed))


def all_states(n: int) -> npt.NDArray[np.int8]:
    """Every 0/1 state of n bits, row k holding the bits of k (bit i = p-bit i, as
    ``BoltzmannSampler.exact_distribution`` orders them)."""
    codes = np.arange(2**n, dtype=np.int64)
    return ((codes[:, None] >> np.arange(n)) & 1).astype(np.int8)


def energy_scale(p: Portfolio) -> float:
    """Energy scale of trading one asset for another: the cold end of a schedule must resolve it."""
    return float(np.std(p.mu) + np.std(np.diag(p.cov))) or 1.0


def annealing_section(p: Portfolio, reads: int, sweeps: int, seed: int) -> npt.NDArray[np.int8]:
    """Anneal the QUBO, report the best portfolio and check it by enumeration; returns it."""
    n, b = len(p.mu), p.budget
    heading(f"1. Portfolio selection by simulated annealing: choose {b} of the {count(n, 'asset')}")
    say(
        "Each asset is a p-bit, a probabilistic bit x_i (1 = hold the asset; the held assets get equal "
        "weights). A QUBO (quadratic unconstrained binary optimisation) gives every portfolio x an energy"
    )
    say(f"E(x) = xᵀΣx − μᵀx + P·(Σᵢ xᵢ − {b})² − P·{b}²", indent=4)
    say(
        f"with μ the assets' mean yearly returns, Σ their covariance and P = {p.penalty:.3g} a penalty for not "
        f"holding exactly {b} (the constant −P·{b}² comes with the matrix form and changes no comparison). Lower "
        "energy means more return for less risk: the best portfolio is the one with the lowest energy."
    )
    hot, _ = p.network.default_beta_range()
    start = time.perf_counter()
    result = p.network.anneal(num_reads=reads, num_sweeps=sweeps, seed=seed, beta_range=(hot, 50 / energy_scale(p)))
    elapsed = time.perf_counter() - start
    say(
        f"Annealing: {reads} independent runs ('reads') of {sweeps} sweeps (a sweep updates every p-bit once), "
        f"each cooling from random flipping to greedy descent: {elapsed * 1e3:.0f} ms, "
        f"{result.info['timing']['spin_updates_per_s'] / 1e6:.0f} million p-bit updates per second."
    )
    best = result.first
    hits = int(np.isclose(result.energies, best.energy).sum())
    item("best found", f"{p.label(best.sample)}, energy {best.energy:.6f} ({hits} of the {reads} reads ended there)")
    item("", p.performance(best.sample))
    start = time.perf_counter()
    exact = p.optimum
    elapsed = time.perf_counter() - start
    if exact is not None:
        verdict = (
            "annealing found the best portfolio."
            if np.isclose(best.energy, exact)
            else f"annealing missed it by {best.energy - exact:.6f} (more reads or sweeps would help)."
        )
        item(
            "exact check",
            f"the lowest energy among all 2^{n} = {2**n:,} portfolios, enumerated in {elapsed * 1e3:.0f} ms, is "
            f"{exact:.6f}: {verdict}",
        )
    return best.sample


def boltzmann_section(p: Portfolio, seed: int) -> None:
    """Sample the same QUBO at a fixed temperature, compare with the exact Boltzmann distribution,
    and run parallel tempering."""
    n, b = len(p.mu), p.budget
    heading("2. The same QUBO as a Boltzmann machine: which portfolios are likely at a fixed temperature")
    beta = 2.0 / energy_scale(p)
    say(
        "Instead of cooling to the bottom, the p-bits keep flipping at a fixed inverse temperature β ('beta', "
        "1/temperature), and each portfolio turns up with probability exp(−β·E)/Z (Z makes them sum to 1). "
        f"A large β favours the lowest energies; β = 0 makes all portfolios equally likely. Here β = {beta:.3g}: "
        f"a portfolio whose energy is higher by 1/β = {1 / beta:.3g} is e ≈ 2.7 times rarer."
    )
    sampler = BoltzmannSampler(p.network, beta=beta, seed=seed)
    start = time.perf_counter()
    samples = sampler.sample(num_samples=10000, burn_in=500, thin=10, num_chains=8)
    elapsed = time.perf_counter() - start
    keys, counts = np.unique(samples, axis=0, return_counts=True)
    freq = counts / len(samples)
    order = np.argsort(-counts, kind="stable")[:5]
    exact = n <= MAX_ENUMERATED
    say(
        f"{len(samples):,} samples (8 independent chains, keeping every 10th sweep) in {elapsed * 1e3:.0f} ms; "
        f"{(samples.sum(axis=1) == b).mean():.1%} of them hold exactly {count(b, 'asset')}. The most frequent"
        + (f", with the exact probability exp(−β·E)/Z from all {2**n:,} portfolios:" if exact else ":")
    )
    probs = sampler.exact_distribution() if exact else None
    print(f"    {'sampled':>8} {'exact' if exact else '':>8}   {'energy':>10}   portfolio")
    for k in order:
        e = float(p.network.energy(keys[k]))
        code = int(keys[k] @ (1 << np.arange(n)))
        ex = f"{probs[code]:8.3f}" if probs is not None else " " * 8
        print(f"    {freq[k]:8.3f} {ex}   {e:10.5f}   {p.label(keys[k])}")
    if probs is not None:
        say(
            "The sampled frequencies approach the exact probabilities as the samples grow. The best portfolio is "
            f"the single most likely one, yet has only p = {probs.max():.3f}: at this β the probability is spread "
            "over many near-optimal portfolios; a larger β (as annealing reaches when it cools) concentrates it."
        )
    obs = sampler.observables(num_samples=20000, burn_in=500, num_chains=4)
    exact_energy = f"; the exact value is {sampler.exact_observables().energy:.5f}" if exact else ""
    say(
        f"Mean energy per p-bit, the average energy ⟨E⟩ divided by the {n} p-bits (physics' usual per-spin "
        f"scale), from {obs.num_samples:,} more samples: {obs.energy:.5f} ± {obs.energy_error:.5f} (one standard "
        f"error){exact_energy}. A chain's successive samples stay correlated for about {obs.tau_energy:.1f} "
        "sweeps (its autocorrelation time); the error bar allows for that."
    )
    hot, _ = p.network.default_beta_range()
    betas = np.geomspace(hot, 50 / energy_scale(p), 12)
    start = time.perf_counter()
    pt = ParallelTempering(p.network, betas, seed=seed).run(num_samples=3000, burn_in=300)
    elapsed = time.perf_counter() - start
    optimum, found = p.optimum, ""
    if optimum is not None:
        found = ", the exact optimum" if np.isclose(pt.best_energy, optimum) else f" (the optimum is {optimum:.6f})"
    say(
        f"Parallel tempering: {len(betas)} copies of the p-bits at β from {betas[0]:.3g} (hot) to {betas[-1]:.3g} "
        "(cold) swap states now and then, so the cold copies escape local minima. In "
        f"{elapsed * 1e3:.0f} ms the lowest energy seen is {pt.best_energy:.6f}{found}; "
        f"{pt.swap_acceptance.min():.0%} to {pt.swap_acceptance.max():.0%} of the proposed swaps between "
        "neighbouring temperatures were accepted (near 0% would mean the temperatures are too far apart)."
    )
