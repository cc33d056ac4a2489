"""Decision engines over the core: a dimod-compatible annealing sampler, a QAOA statevector simulator
for portfolio QUBOs, and learning engines (QAR, IQAD, QERC, NQO).

This namespace is part of the public layout; its engines arrive in later releases, so it
exports nothing yet."""

from __future__ import annotations

__all__: list[str] = []
