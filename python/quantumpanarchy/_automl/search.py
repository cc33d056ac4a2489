"""The search of :class:`~quantumpanarchy.automl.PBitAutoML`: batches of configurations sampled
from a Boltzmann distribution over their p-bit encoding, whose energy is a posterior draw of the
surrogate of the validation loss (plus a cost term while most of the budget is left), each batch
run through successive halving (all on the smallest rung, the best third on three times the rows,
and so on up to every row)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .. import _async
from ..core import PBitNetwork
from .metrics import Metric
from .results import Trial
from .space import Bits, Config, Encoding, Learner
from .surrogate import Surrogate, energy_with_constraints


class Scorer(Protocol):
    """Scores a configuration trained on ``size`` rows: (loss, seconds, error)."""

    metric: Metric

    def evaluate(self, learner: Learner, config: Config, size: int, seed: int) -> tuple[float, float, str | None]: ...


SMALLEST_RUNG = 300  # rows: below this a subsample says little about the full-data loss


def rung_sizes(n: int, eta: int) -> list[int]:
    """Training rows per rung, the last all ``n``: each ``eta`` times the one below, the first at
    least :data:`SMALLEST_RUNG`."""
    sizes = [n]
    while sizes[0] // eta >= SMALLEST_RUNG:
        sizes.insert(0, sizes[0] // eta)
    return sizes


@dataclass
class Budget:
    """Trials left and the wall-clock deadline (a trial starts only before it)."""

    max_trials: int
    deadline: float
    started: float
    used: int = 0

    def left(self) -> int:
        return max(self.max_trials - self.used, 0) if time.monotonic() < self.deadline else 0

    def fraction_left(self) -> float:
        """The smaller of the trials and the time left, as fractions; time in steps of an
        eighth, so that a search bounded by its trials well within its time repeats exactly."""
        by_trials = 1.0 - self.used / self.max_trials
        span = self.deadline - self.started
        by_time = 1.0 - (time.monotonic() - self.started) / span if math.isfinite(span) else 1.0
        return max(0.0, min(by_trials, math.ceil(by_time * 8.0) / 8.0))


class Search:
    """One run of the search over ``learners`` with ``evaluator``."""

    def __init__(
        self,
        learners: list[Learner],
        evaluator: Scorer,
        sizes: list[int],
        seed: int,
        eta: int,
        batch: int,
        workers: int,
        progress: Callable[[int, int], object] | None,
    ) -> None:
        self.encoding = Encoding(tuple(learners))
        self.evaluator = evaluator
        self.sizes = sizes
        self.surrogate = Surrogate(self.encoding, len(self.sizes))
        self.seed, self.eta, self.batch, self.workers = seed, eta, batch, workers
        self.rng = np.random.default_rng(seed)
        self.progress = progress
        self.trials: list[Trial] = []
        self.bits: list[Bits] = []  # of each trial
        self.seen: set[bytes] = set()

    # --- proposing -------------------------------------------------------------------------

    def _random(self) -> Bits:
        k = int(self.rng.integers(len(self.encoding.learners)))
        bits = np.zeros(self.encoding.size, dtype=np.int8)
        bits[k] = 1
        _, params = self.encoding.groups()[k]
        bits[params] = self.rng.integers(0, 2, len(params))
        return self.encoding.canonical(bits)

    def _sampled(self, count: int, cost_weight: float) -> list[Bits]:
        """Up to ``count`` unseen configurations, lowest energy first, from annealing the Boltzmann
        distribution of a posterior draw of the loss surrogate (plus the cost surrogate)."""
        if len(self.trials) < 2:
            return []
        rows = np.asarray(self.bits)
        rung = np.asarray([t.rung for t in self.trials], dtype=np.intp)
        phi = self.surrogate.features(rows, rung)
        losses = np.asarray([t.loss for t in self.trials])
        finite = np.isfinite(losses)
        if finite.sum() < 2:
            return []
        worst = losses[finite].max() + losses[finite].std() + 1e-9
        coef = self.surrogate.fit(phi, np.where(finite, losses, worst), self.rng)
        if cost_weight > 0.0:
            costs = np.asarray([self._learner(t.learner).log_cost(t.config) for t in self.trials])
            if costs.std() > 0.0:
                coef = coef + cost_weight * self.surrogate.fit(phi, costs)
        q = self.surrogate.qubo(coef)
        network = PBitNetwork.from_qubo(energy_with_constraints(q, self.encoding))
        draw = int(self.rng.integers(2**62))
        samples = network.anneal(num_reads=4 * self.batch, num_sweeps=400, seed=draw).samples
        found: dict[bytes, tuple[float, Bits]] = {}
        for row in np.asarray(samples):
            bits = self.encoding.canonical(((row > 0) if row.min() < 0 else row).astype(np.int8))
            key = bits.tobytes()
            if key not in self.seen and key not in found:
                x = bits.astype(np.float64)
                found[key] = (float(x @ q @ x), bits)
        return [b for _, b in sorted(found.values(), key=lambda e: e[0])][:count]

    def propose(self, cost_weight: float) -> list[Bits]:
        """The next batch: untried learners' starting points first (cheapest first), then
        surrogate samples, one random configuration in each batch for exploration."""
        out: list[Bits] = []
        keys: set[bytes] = set()

        def add(bits: Bits) -> None:
            key = bits.tobytes()
            if key not in self.seen and key not in keys and len(out) < self.batch:
                out.append(bits)
                keys.add(key)

        for learner in self.encoding.learners:
            add(self.encoding.encode(learner.name, learner.start))
        if len(out) < self.batch - 1:
            for bits in self._sampled(self.batch - 1 - len(out), cost_weight):
                add(bits)
        for _ in range(100):
            if len(out) >= self.batch:
                break
            add(self._random())
        return out

    # --- running ---------------------------------------------------------------------------

    def _run(self, batch: list[Bits], rung: int, budget: Budget) -> list[tuple[Bits, float]]:
        """Evaluate ``batch`` on ``rung`` (as many as the budget allows), trials in parallel,
        recorded in batch order."""
        batch = batch[: budget.left()]
        first = len(self.trials)
        size = self.sizes[rung]

        def one(i: int) -> tuple[float, float, str | None] | None:
            if time.monotonic() >= budget.deadline:
                return None
            _async.check()
            learner, config = self.encoding.decode(batch[i])
            seed = (self.seed * 1_000_003 + first + i) % (2**31)
            return self.evaluator.evaluate(learner, config, size, seed)

        if self.workers > 1 and len(batch) > 1:
            with ThreadPoolExecutor(max_workers=self.workers) as pool:
                results = list(pool.map(one, range(len(batch))))
        else:
            results = [one(i) for i in range(len(batch))]
        out = []
        for bits, res in zip(batch, results, strict=False):
            if res is None:
                continue
            loss, seconds, error = res
            learner, config = self.encoding.decode(bits)
            metric = self.evaluator.metric
            score = (1.0 - loss if metric.greater_is_better else loss) if math.isfinite(loss) else float("nan")
            self.trials.append(Trial(len(self.trials), learner.name, config, rung, size, loss, score, seconds, error))
            self.bits.append(bits)
            if rung == 0:
                self.seen.add(bits.tobytes())
            out.append((bits, loss))
            budget.used += 1
            if self.progress is not None:
                self.progress(budget.used, budget.max_trials)
        return out

    def run(self, budget: Budget) -> None:
        while budget.left() > 0:
            batch = self.propose(cost_weight=0.5 * budget.fraction_left())
            if not batch:  # every configuration of the space has been tried
                break
            scored = self._run(batch, 0, budget)
            for rung in range(1, len(self.sizes)):
                ranked = sorted((r for r in scored if math.isfinite(r[1])), key=lambda r: r[1])
                keep = [bits for bits, _ in ranked[: max(1, math.ceil(len(batch) / self.eta**rung))]]
                if not keep or budget.left() == 0:
                    break
                scored = self._run(keep, rung, budget)

    def _learner(self, name: str) -> Learner:
        return self.encoding.learners[self.encoding.index(name)]

    def best(self) -> tuple[Learner, Config, Trial] | None:
        """The best trial on the highest rung any finite trial reached."""
        finite = [t for t in self.trials if math.isfinite(t.loss)]
        if not finite:
            return None
        top = max(t.rung for t in finite)
        trial = min((t for t in finite if t.rung == top), key=lambda t: (t.loss, t.trial))
        return self._learner(trial.learner), dict(trial.config), trial
