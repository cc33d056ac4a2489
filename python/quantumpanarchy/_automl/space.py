"""The search space of :class:`~quantumpanarchy.automl.PBitAutoML` and its encoding as p-bits.

Each learner (a model family) has hyper-parameters that are either numeric, on a grid of
``2**bits`` levels (log-spaced where the scale is multiplicative) whose level index is Gray-coded,
so that neighbouring levels differ in one bit, or categorical, one-hot. A configuration is one
binary vector: one bit per learner (exactly one set), then each learner's bits. The bits of a
learner that is not chosen are all 0 (the *canonical* form): the surrogate's coefficients on them
then mean "the effect when this learner is chosen", and the penalties of :func:`constraints` keep
the annealer's samples canonical.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ..exceptions import InvalidInputError

Bits = npt.NDArray[np.int8]
Config = dict[str, Any]


@dataclass(frozen=True)
class Numeric:
    """A numeric hyper-parameter on ``2**bits`` levels from ``low`` to ``high``."""

    name: str
    low: float
    high: float
    bits: int
    log: bool = False
    integer: bool = False

    def __post_init__(self) -> None:
        if self.integer and (1 << self.bits) > self.high - self.low + 1:
            raise InvalidInputError(
                f"{self.name}: {1 << self.bits} integer levels do not fit in [{self.low}, {self.high}]"
            )

    def levels(self) -> list[Any]:
        count = 1 << self.bits
        if self.log:
            grid = np.geomspace(self.low, self.high, count)
        else:
            grid = np.linspace(self.low, self.high, count)
        if not self.integer:
            return [float(v) for v in grid]
        out: list[Any] = []
        for v in grid:  # distinct levels: where rounding would repeat one, the next integer up
            out.append(max(round(v), out[-1] + 1) if out else round(v))
        return out

    @property
    def width(self) -> int:
        return self.bits

    def encode(self, value: Any) -> list[int]:
        levels = np.asarray(self.levels(), dtype=np.float64)
        scale = np.log(levels) if self.log else levels
        target = math.log(float(value)) if self.log else float(value)
        level = int(np.argmin(np.abs(scale - target)))
        gray = level ^ (level >> 1)
        return [(gray >> b) & 1 for b in reversed(range(self.bits))]

    def decode(self, bits: Sequence[int]) -> Any:
        gray = 0
        for b in bits:
            gray = (gray << 1) | int(b)
        level, shift = gray, gray >> 1
        while shift:
            level ^= shift
            shift >>= 1
        return self.levels()[level]


@dataclass(frozen=True)
class Categorical:
    """A categorical hyper-parameter, one bit per choice (exactly one set)."""

    name: str
    choices: tuple[Any, ...]

    @property
    def width(self) -> int:
        return len(self.choices)

    def encode(self, value: Any) -> list[int]:
        if value not in self.choices:
            raise InvalidInputError(f"{self.name}={value!r} is not one of {list(self.choices)}")
        return [int(value == c) for c in self.choices]

    def decode(self, bits: Sequence[int]) -> Any:
        on = [i for i, b in enumerate(bits) if b]
        return self.choices[on[0] if on else 0]


Param = Numeric | Categorical


@dataclass(frozen=True)
class Learner:
    """A model family the search may choose: its searched hyper-parameters, its starting
    configuration (cheap, as FLAML's low-cost initial points), its fixed arguments per task, and a
    relative cost that orders the first trials (cheap first), scaled by ``grows``."""

    name: str
    model: str
    build: Callable[[Config, int], Any]
    params: tuple[Param, ...]
    start: Mapping[str, Any]
    cost: float
    scaled: bool = False
    grows: tuple[str, ...] = ()  # parameters the fit's time grows in proportion to

    def log_cost(self, config: Config) -> float:
        """A deterministic estimate of the log time of ``config`` relative to the cheapest
        learner's start (measured seconds would make seeded searches unrepeatable)."""
        lows = {p.name: p.low for p in self.params if isinstance(p, Numeric)}
        return math.log(self.cost) + sum(math.log(float(config[g]) / lows[g]) for g in self.grows)

    def make(self, config: Config, seed: int) -> Any:
        return self.build(config, seed)


@dataclass(frozen=True)
class Encoding:
    """The bit layout of configurations over ``learners``."""

    learners: tuple[Learner, ...]

    @property
    def offsets(self) -> list[int]:
        """Where each learner's parameter bits start (after the learner-choice bits)."""
        out, at = [], len(self.learners)
        for learner in self.learners:
            out.append(at)
            at += sum(p.width for p in learner.params)
        return out

    @property
    def size(self) -> int:
        return len(self.learners) + sum(p.width for lr in self.learners for p in lr.params)

    def index(self, name: str) -> int:
        for k, learner in enumerate(self.learners):
            if learner.name == name:
                return k
        raise InvalidInputError(f"unknown learner {name!r}: choose from {[lr.name for lr in self.learners]}")

    def encode(self, name: str, config: Mapping[str, Any]) -> Bits:
        k = self.index(name)
        bits = np.zeros(self.size, dtype=np.int8)
        bits[k] = 1
        at = self.offsets[k]
        for p in self.learners[k].params:
            bits[at : at + p.width] = p.encode(config[p.name])
            at += p.width
        return bits

    def decode(self, bits: Bits) -> tuple[Learner, Config]:
        """The learner and configuration of ``bits``; a vector that is not canonical (possible
        only where the annealer stopped above its penalties) reads as its first chosen learner."""
        chosen = [k for k in range(len(self.learners)) if bits[k]]
        k = chosen[0] if chosen else 0
        learner, at, config = self.learners[k], self.offsets[k], {}
        for p in learner.params:
            config[p.name] = p.decode(bits[at : at + p.width].tolist())
            at += p.width
        return learner, config

    def canonical(self, bits: Bits) -> Bits:
        learner, config = self.decode(bits)
        return self.encode(learner.name, config)

    def groups(self) -> list[tuple[int, list[int]]]:
        """For each learner: its choice bit and its parameter bits."""
        out = []
        for k, learner in enumerate(self.learners):
            at = self.offsets[k]
            width = sum(p.width for p in learner.params)
            out.append((k, list(range(at, at + width))))
        return out

    def onehots(self) -> list[tuple[int, list[int]]]:
        """Each categorical parameter's bits with its learner's choice bit."""
        out = []
        for k, learner in enumerate(self.learners):
            at = self.offsets[k]
            for p in learner.params:
                if isinstance(p, Categorical):
                    out.append((k, list(range(at, at + p.width))))
                at += p.width
        return out


def constraints(encoding: Encoding, weight: float) -> npt.NDArray[np.float64]:
    """A QUBO (upper-triangular) that is 0 exactly on canonical vectors and at least ``weight``
    elsewhere: one learner chosen, (Σe − 1)²; each parameter bit off unless its learner is chosen,
    p·(1 − e); each categorical one-hot when its learner is chosen and off otherwise, (Σc − e)²."""
    n = encoding.size
    q = np.zeros((n, n))

    def square(ones: list[int], minus: int | None) -> None:
        # (Σ x_i − y)² with y = 1 (minus None) or y = x_minus, x² = x for bits; constants dropped
        for a, i in enumerate(ones):
            q[i, i] += weight * (1.0 - (2.0 if minus is None else 0.0))
            for j in ones[a + 1 :]:
                q[min(i, j), max(i, j)] += 2.0 * weight
            if minus is not None:
                q[min(i, minus), max(i, minus)] -= 2.0 * weight
        if minus is not None:
            q[minus, minus] += weight

    square(list(range(len(encoding.learners))), None)
    for k, bits in encoding.groups():
        for i in bits:
            q[i, i] += weight
            q[min(i, k), max(i, k)] -= weight
    for k, bits in encoding.onehots():
        square(bits, k)
        # the p·(1 − e) terms above already count these bits once; (Σc − e)² alone suffices
        for i in bits:
            q[i, i] -= weight
            q[min(i, k), max(i, k)] += weight
    return q
