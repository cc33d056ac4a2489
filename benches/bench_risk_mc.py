#!/usr/bin/env python
"""Monte Carlo VaR against the same computation in NumPy, measured in one process.

Workload (anchor-baselines.md section 4 (b)): the 20 stocks of ``skfolio.datasets.
load_sp500_dataset()`` (8312 daily log returns; a synthetic market of the same shape where skfolio
is missing), mean ``mu`` and covariance ``S`` (ddof=1), equal weights, 10**6 scenarios:

* NumPy: ``Z = default_rng(2025).standard_normal((10**6, 20))``, ``X = mu + Z @ cholesky(S).T``,
  ``loss = -X @ w``, ``np.quantile(loss, 0.95)`` and the mean of ``loss >= VaR``;
* quantumpanarchy: ``risk.monte_carlo_var(mu, S, w, alpha=0.05, num_scenarios=10**6,
  backend="cpu")`` on 1 and 2 threads (the same steps, fused: the scenario matrix is never held),
  and with ``backend="cuda"`` when a GPU is present, with the kernel against its RNG roofline
  (the same normals drawn and summed, no factor, no position) and the memory roofline.

Run ``python benches/bench_risk_mc.py [--quick] [--scenarios N]``.
"""

from __future__ import annotations

import argparse

import numpy as np
from _timing import timed
from quantumpanarchy import performance, risk
from quantumpanarchy._native import risk as _native
from quantumpanarchy.exceptions import BackendUnavailableError


def market() -> tuple[np.ndarray, np.ndarray, str]:
    try:
        from skfolio.datasets import load_sp500_dataset

        prices = load_sp500_dataset().to_numpy()
        source = "skfolio S&P 500, 20 stocks"
    except ImportError:
        rng = np.random.default_rng(0)
        prices = np.exp(np.cumsum(rng.normal(0.0003, 0.015, size=(8313, 20)) @ (0.5 * np.eye(20) + 0.025), axis=0))
        source = "synthetic (skfolio missing)"
    r = np.diff(np.log(prices), axis=0)
    return r.mean(axis=0), np.cov(r, rowvar=False), source


def numpy_mc(mu: np.ndarray, S: np.ndarray, w: np.ndarray, n: int) -> tuple[float, float]:
    lc = np.linalg.cholesky(S)
    z = np.random.default_rng(2025).standard_normal((n, len(mu)))
    x = mu + z @ lc.T
    loss = -(x @ w)
    var = float(np.quantile(loss, 0.95))
    return var, float(loss[loss >= var].mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 repeats instead of 7")
    parser.add_argument("--scenarios", type=int, default=1_000_000)
    args = parser.parse_args()
    repeats = 3 if args.quick else 7
    n = args.scenarios
    mu, S, source = market()
    w = np.full(len(mu), 1.0 / len(mu))
    before = performance.get_num_threads()
    print(f"Monte Carlo VaR/CVaR 95%: {n} scenarios x {len(mu)} assets ({source}), median of {repeats}")
    rows = []
    try:
        t_np = timed(lambda: numpy_mc(mu, S, w, n), repeats)
        var_np, cvar_np = numpy_mc(mu, S, w, n)
        for threads in (1, 2):
            performance.set_num_threads(threads)
            t = timed(lambda: risk.monte_carlo_var(mu, S, w, num_scenarios=n, seed=2025, backend="cpu"), repeats)
            rows.append((f"cpu, {threads} thread{'s' if threads > 1 else ''}", t, t_np))
        r = risk.monte_carlo_var(mu, S, w, num_scenarios=n, seed=2025, backend="cpu")
        gpu = None
        try:
            t_gpu = timed(lambda: risk.monte_carlo_var(mu, S, w, num_scenarios=n, seed=2025, backend="cuda"), repeats)
            rows.append(("cuda (losses copied back, tail on the CPU)", t_gpu, t_np))
            g = risk.monte_carlo_var(mu, S, w, num_scenarios=n, seed=2025, backend="cuda")
            big = 100 * n
            rng_s, full_s = _native.mc_gpu_roofline(mu, S, w, big, "normal", None)
            gpu = (g, big, rng_s, full_s)
        except BackendUnavailableError as e:
            print(f"(no GPU row: {e})")
    finally:
        performance.set_num_threads(before)
    print(f"{'run':48s} {'ours ms':>9s} {'numpy ms':>9s} {'speed-up':>9s}")
    for name, t, base in rows:
        print(f"{name:48s} {t * 1e3:9.1f} {base * 1e3:9.1f} {base / t:8.1f}x")
    print(
        f"results: ours VaR {r.var:.6f} ± {r.var_stderr:.6f}, CVaR {r.cvar:.6f} ± {r.cvar_stderr:.6f}; "
        f"numpy VaR {var_np:.6f}, CVaR {cvar_np:.6f}"
    )
    if gpu is not None:
        g, big, rng_s, full_s = gpu
        same = (g.var, g.cvar) == (r.var, r.cvar)
        normals = big * len(mu)
        print(f"GPU bits equal to the CPU's: {same}")
        print(
            f"GPU kernel alone, {big} scenarios: {full_s * 1e3:.1f} ms ({big / full_s / 1e9:.2f} G scenarios/s); "
            f"RNG roofline (the same {normals} normals drawn and summed): {rng_s * 1e3:.1f} ms "
            f"({normals / rng_s / 1e9:.1f} G normals/s): kernel / RNG = {full_s / rng_s:.2f}"
        )
        info = performance.backend_info().get("cuda", {})
        print(
            f"memory roofline: 8 bytes a scenario written ({8 * big / full_s / 1e9:.1f} GB/s achieved); "
            f"device: {info.get('devices', '?')}"
        )


if __name__ == "__main__":
    main()
