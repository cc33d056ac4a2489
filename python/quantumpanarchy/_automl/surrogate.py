"""The search's surrogate: a quadratic function of a configuration's bits, learned from the trials so
far by Bayesian linear regression, whose posterior draw is the energy of a Boltzmann distribution
that ``core``'s annealer samples (Thompson sampling over binary spaces, as BOCS does).

Features of a configuration: its bits (canonical form, so a parameter bit is on only with its
learner), the products of pairs of bits of the same learner, and one indicator per rung above the
first (a smaller training sample has a larger loss; the rung terms absorb that, so trials of every
rung teach the surrogate). A second regression of log seconds on the same features makes the
energy cost-aware: cheap configurations are favoured while most of the budget is left.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .._native import automl as _native
from .space import Encoding, constraints

FloatArray = npt.NDArray[np.float64]


class Surrogate:
    """Quadratic features of configurations and the QUBO of a coefficient vector."""

    def __init__(self, encoding: Encoding, rungs: int) -> None:
        self.encoding = encoding
        self.rungs = rungs
        pairs = []
        for _, bits in encoding.groups():
            pairs += [(i, j) for a, i in enumerate(bits) for j in bits[a + 1 :]]
        self.pairs = np.asarray(pairs, dtype=np.intp).reshape(-1, 2)
        self.size = encoding.size + len(self.pairs) + max(rungs - 1, 0)

    def features(self, bits: npt.NDArray[np.int8], rung: npt.NDArray[np.intp]) -> FloatArray:
        x = bits.astype(np.float64)
        parts = [x, x[:, self.pairs[:, 0]] * x[:, self.pairs[:, 1]]]
        if self.rungs > 1:
            parts.append((rung[:, None] == np.arange(1, self.rungs)[None, :]).astype(np.float64))
        return np.hstack(parts)

    def fit(self, phi: FloatArray, target: FloatArray, rng: np.random.Generator | None = None) -> FloatArray:
        """Coefficients for the standardised ``target``: a posterior draw given ``rng``, the
        posterior mean otherwise. The prior is a unit-variance Gaussian, pairs four times tighter
        (interactions are rarer); the noise variance comes from the residuals (native:
        ``automl::bayes``)."""
        prior = np.ones(phi.shape[1])
        prior[self.encoding.size : self.encoding.size + len(self.pairs)] = 4.0
        z = None if rng is None else rng.standard_normal(phi.shape[1])
        mean, draw = _native.bayes_posterior(phi, target, prior, z)
        out: FloatArray = mean if draw is None else draw
        return out

    def qubo(self, coef: FloatArray) -> FloatArray:
        """The upper-triangular QUBO of the configuration part of ``coef`` (rungs dropped)."""
        n = self.encoding.size
        q = np.diag(coef[:n]).astype(np.float64)
        np.add.at(q, (self.pairs[:, 0], self.pairs[:, 1]), coef[n : n + len(self.pairs)])
        return q


def energy_with_constraints(q: FloatArray, encoding: Encoding) -> FloatArray:
    """``q`` plus the canonical-form penalties, weighted above anything a bit flip can gain."""
    gain = np.abs(q).sum(axis=0) + np.abs(q).sum(axis=1)
    out: FloatArray = q + constraints(encoding, 1.0 + 2.0 * float(gain.max()))
    return out
