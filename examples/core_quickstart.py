"""Anneal a small spin glass, check it against exact enumeration, and sample it at finite β."""

from __future__ import annotations

import numpy as np
from quantumpanarchy.core import BoltzmannSampler, PBitNetwork


def main() -> None:
    rng = np.random.default_rng(0)
    n = 14
    J = np.triu(rng.normal(size=(n, n)), 1)
    net = PBitNetwork.from_dense(J + J.T, h=rng.normal(size=n) * 0.1, seed=0)
    best = net.anneal(num_reads=20, num_sweeps=500, seed=0).first
    codes = np.arange(2**n)
    states = np.where((codes[:, None] >> np.arange(n)) & 1, 1, -1).astype(np.int8)
    exact = float(np.min(net.energy(states)))
    print(f"annealed {best.energy:.6f}, exact ground state {exact:.6f}")
    sampler = BoltzmannSampler(net, beta=0.5, seed=0)
    obs = sampler.observables(num_samples=20000, num_chains=4)
    print(
        f"sampled energy/spin {obs.energy:.5f} ± {obs.energy_error:.1g}, exact {sampler.exact_observables().energy:.5f}"
    )


if __name__ == "__main__":
    main()
