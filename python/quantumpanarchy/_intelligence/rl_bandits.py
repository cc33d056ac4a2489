"""Multi-armed bandits: :class:`EpsilonGreedy`, :class:`UCB1`, :class:`ThompsonSampling`
(Beta–Bernoulli or Gaussian) and the contextual :class:`LinUCB`, each with ``select`` /
``update`` for an online loop and a native ``run`` over a matrix of rewards. See
``docs/intelligence-rl.md``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .._decision._params import check_finite_real, check_int, check_real
from .._native import intelligence as _native
from .._validation import as_float_array
from ..exceptions import InvalidInputError, InvalidTypeError

__all__ = ["UCB1", "BanditRun", "EpsilonGreedy", "LinUCB", "ThompsonSampling"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class BanditRun:
    """What a ``run`` played: ``arms[t]`` and the reward ``rewards[t]`` it paid.

    Attributes
    ----------
    arms : numpy.ndarray of int64
    rewards : numpy.ndarray of float64
    """

    arms: IntArray
    rewards: FloatArray

    def __len__(self) -> int:
        return len(self.arms)

    @property
    def total_reward(self) -> float:
        return float(self.rewards.sum())

    def regret(self, means: Any) -> FloatArray:
        """Cumulative pseudo-regret Σ_t (max_a μ_a − μ_{arm_t}) for arms of true means ``means``."""
        mu = as_float_array(means, "means", 1, False)
        if len(self.arms) and int(self.arms.max()) >= mu.shape[0]:
            raise InvalidInputError(f"means has {mu.shape[0]} arms but arm {int(self.arms.max())} was played")
        out: FloatArray = np.cumsum(mu.max() - mu[self.arms])
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"arms": self.arms, "rewards": self.rewards}

    def __repr__(self) -> str:
        return f"BanditRun(rounds={len(self.arms)}, total_reward={self.total_reward:.6g})"


def _arms(n_arms: Any) -> int:
    n = check_int(n_arms, "n_arms", 1)
    if n > 2**24:
        raise InvalidInputError(f"n_arms must be at most {2**24}, got {n}")
    return n


def _seed(seed: Any) -> int | None:
    if seed is None:
        return None
    s = check_int(seed, "seed", 0)
    if s >= 2**64:
        raise InvalidInputError(f"seed must be below 2**64, got {s}")
    return s


def _arm(arm: Any, n: int) -> int:
    if isinstance(arm, np.ndarray) and arm.shape == ():
        arm = arm.item()
    a = check_int(arm, "arm")
    if not 0 <= a < n:
        raise InvalidInputError(f"arm must be in [0, {n}), got {a}")
    return a


def _reward(reward: Any) -> float:
    return check_finite_real(reward, "reward")


class _Bandit:
    """select / update / run over a native ``BanditCore``."""

    _policy: str
    _core: Any

    def _make(self, n_arms: Any, p1: float, p2: float, seed: Any) -> None:
        self.n_arms = _arms(n_arms)
        self.seed = _seed(seed)
        self._core = _native.BanditCore(self._policy, self.n_arms, p1, p2, self.seed)

    @property
    def counts(self) -> IntArray:
        """Pulls of each arm so far."""
        out: IntArray = self._core.counts()
        return out

    @property
    def values(self) -> FloatArray:
        """Mean reward of each arm so far (0 for an arm never pulled)."""
        out: FloatArray = self._core.values()
        return out

    def select(self) -> int:
        """The arm to pull next."""
        return int(self._core.select())

    def update(self, arm: int, reward: float) -> None:
        """Record that ``arm`` paid ``reward`` (finite)."""
        self._core.update(_arm(arm, self.n_arms), _reward(reward))

    def run(self, rewards: Any, horizon: int | None = None) -> BanditRun:
        """Play ``horizon`` rounds.

        Parameters
        ----------
        rewards : array-like of shape (T, n_arms), or callable
            A matrix: round t pays ``rewards[t, arm]`` for the arm played, and the whole loop runs
            natively (the GIL released). A callable ``rewards(arm) -> float`` is called once per
            round from Python.
        horizon : int, optional
            Rounds to play: at most T for a matrix (default T); required with a callable.
        """
        if callable(rewards):
            if horizon is None:
                raise InvalidInputError("horizon is required when rewards is a callable")
            return _callable_run(self.select, self.update, rewards, check_int(horizon, "horizon", 0))
        matrix = _matrix(rewards, self.n_arms, horizon)
        arms = np.asarray(self._core.run(matrix), dtype=np.int64)
        return BanditRun(arms, matrix[np.arange(len(arms)), arms])

    def __getstate__(self) -> dict[str, Any]:
        return {"core": self._core.state(), "seed": self.seed}

    def __setstate__(self, state: dict[str, Any]) -> None:
        core = state["core"]
        self._core = _native.BanditCore.from_state(core)
        self.n_arms = len(core[3])
        self.seed = state["seed"]


def _matrix(rewards: Any, n_arms: int, horizon: int | None) -> FloatArray:
    m = as_float_array(rewards, "rewards", 2, True)
    if m.shape[1] != n_arms:
        raise InvalidInputError(f"rewards must have shape (T, {n_arms}), got {m.shape}")
    if horizon is not None:
        h = check_int(horizon, "horizon", 0)
        if h > m.shape[0]:
            raise InvalidInputError(f"horizon {h} is longer than the {m.shape[0]} rows of rewards")
        m = m[:h]
    return np.ascontiguousarray(m)


def _callable_run(
    select: Callable[[], int], update: Callable[[int, float], None], fn: Callable[[int], Any], horizon: int
) -> BanditRun:
    arms = np.empty(horizon, dtype=np.int64)
    paid = np.empty(horizon, dtype=np.float64)
    for t in range(horizon):
        a = select()
        r = _reward(fn(a))
        update(a, r)
        arms[t], paid[t] = a, r
    return BanditRun(arms, paid)


class EpsilonGreedy(_Bandit):
    """ε-greedy: a uniformly random arm with probability ε, else the arm of best mean so far
    (ties broken at random).

    Parameters
    ----------
    n_arms : int
    epsilon : float, default 0.1
        In [0, 1].
    seed : int, optional

    Examples
    --------
    >>> bandit = EpsilonGreedy(3, epsilon=0.1, seed=0)
    >>> arm = bandit.select()
    >>> bandit.update(arm, 1.0)
    >>> int(bandit.counts.sum())
    1
    """

    _policy = "epsilon_greedy"

    def __init__(self, n_arms: int, epsilon: float = 0.1, seed: int | None = None) -> None:
        self.epsilon = check_real(epsilon, "epsilon")
        self._make(n_arms, self.epsilon, 0.0, seed)

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        self.epsilon = float(state["core"][1])

    def __repr__(self) -> str:
        return f"EpsilonGreedy(n_arms={self.n_arms}, epsilon={self.epsilon}, pulls={int(self.counts.sum())})"


class UCB1(_Bandit):
    """UCB1 (Auer, Cesa-Bianchi and Fischer 2002): every arm once, then the arm of largest
    ``mean + c·√(ln t / n_arm)``; c = √2 is UCB1 for rewards in [0, 1], with regret O(log T).

    Parameters
    ----------
    n_arms : int
    c : float, default √2
        Exploration weight, ≥ 0.
    seed : int, optional
        Breaks ties.
    """

    _policy = "ucb1"

    def __init__(self, n_arms: int, c: float = math.sqrt(2.0), seed: int | None = None) -> None:
        self.c = check_real(c, "c")
        self._make(n_arms, self.c, 0.0, seed)

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        self.c = float(state["core"][1])

    def __repr__(self) -> str:
        return f"UCB1(n_arms={self.n_arms}, c={self.c:.6g}, pulls={int(self.counts.sum())})"


class ThompsonSampling(_Bandit):
    """Thompson sampling: play the arm whose posterior draw is largest.

    ``likelihood="bernoulli"``: a Beta(alpha, beta) prior on each arm's success probability;
    rewards in [0, 1] (a reward r strictly between counts as a success with probability r).
    ``likelihood="gaussian"``: draws from N(mean, sigma² / (n + 1)) (Agrawal and Goyal), any
    finite rewards.

    Parameters
    ----------
    n_arms : int
    likelihood : {"bernoulli", "gaussian"}, default "bernoulli"
    alpha, beta : float, default 1.0
        The Beta prior (bernoulli), > 0.
    sigma : float, default 1.0
        The reward noise scale (gaussian), > 0.
    seed : int, optional
    """

    _policy = "bernoulli"

    def __init__(
        self,
        n_arms: int,
        likelihood: str = "bernoulli",
        alpha: float = 1.0,
        beta: float = 1.0,
        sigma: float = 1.0,
        seed: int | None = None,
    ) -> None:
        if not isinstance(likelihood, str):
            raise InvalidTypeError(f"likelihood must be a string, got {type(likelihood).__name__}")
        if likelihood not in ("bernoulli", "gaussian"):
            raise InvalidInputError(f"likelihood must be 'bernoulli' or 'gaussian', got {likelihood!r}")
        self.likelihood = likelihood
        self.alpha, self.beta = check_real(alpha, "alpha"), check_real(beta, "beta")
        self.sigma = check_real(sigma, "sigma")
        self._policy = likelihood
        p1, p2 = (self.alpha, self.beta) if likelihood == "bernoulli" else (self.sigma, 0.0)
        self._make(n_arms, p1, p2, seed)

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        state["params"] = (self.likelihood, self.alpha, self.beta, self.sigma)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        self.likelihood, self.alpha, self.beta, self.sigma = state["params"]
        self._policy = self.likelihood

    def __repr__(self) -> str:
        return f"ThompsonSampling(n_arms={self.n_arms}, likelihood={self.likelihood!r}, pulls={int(self.counts.sum())})"


class LinUCB:
    """LinUCB with disjoint linear models (Li et al. 2010): arm a keeps a ridge regression of
    reward on context, θ_a = A_a⁻¹ b_a with A_a = I + Σ x xᵀ, and is scored
    θ_aᵀx + alpha·√(xᵀ A_a⁻¹ x).

    A context is ``n_features`` values shared by the arms, or an ``(n_arms, n_features)``
    array (one row per arm).

    Parameters
    ----------
    n_arms, n_features : int
    alpha : float, default 1.0
        Width of the confidence bonus, ≥ 0.
    seed : int, optional
        Breaks ties.
    """

    def __init__(self, n_arms: int, n_features: int, alpha: float = 1.0, seed: int | None = None) -> None:
        self.n_arms = _arms(n_arms)
        self.n_features = check_int(n_features, "n_features", 1)
        if self.n_features > 4096:
            raise InvalidInputError(f"n_features must be at most 4096, got {self.n_features}")
        self.alpha = check_real(alpha, "alpha")
        self.seed = _seed(seed)
        self._core = _native.LinUCBCore(self.n_arms, self.n_features, self.alpha, self.seed)

    @property
    def counts(self) -> IntArray:
        out: IntArray = self._core.counts()
        return out

    @property
    def values(self) -> FloatArray:
        out: FloatArray = self._core.values()
        return out

    @property
    def theta(self) -> FloatArray:
        """The ridge estimates θ_a, shape (n_arms, n_features)."""
        out: FloatArray = self._core.theta()
        return out

    def _context(self, context: Any) -> FloatArray:
        x = as_float_array(context, "context", -1, False)
        if x.shape not in ((self.n_features,), (self.n_arms, self.n_features)):
            raise InvalidInputError(
                f"context must have shape ({self.n_features},) or ({self.n_arms}, {self.n_features}), got {x.shape}"
            )
        return np.ascontiguousarray(x).ravel()

    def select(self, context: Any) -> int:
        """The arm to pull in ``context``."""
        return int(self._core.select(self._context(context)))

    def update(self, arm: int, reward: float, context: Any) -> None:
        """Record that ``arm`` paid ``reward`` in ``context``."""
        self._core.update(_arm(arm, self.n_arms), _reward(reward), self._context(context))

    def run(self, contexts: Any, rewards: Any) -> BanditRun:
        """Play one round per row: ``contexts`` of shape (T, n_features) or (T, n_arms,
        n_features), ``rewards`` of shape (T, n_arms); natively, with the GIL released."""
        x = as_float_array(contexts, "contexts", (2 if np.ndim(contexts) == 2 else 3), True)
        r = _matrix(rewards, self.n_arms, None)
        if x.shape[0] != r.shape[0] or x.shape[1:] not in ((self.n_features,), (self.n_arms, self.n_features)):
            raise InvalidInputError(
                f"contexts must have shape ({r.shape[0]}, {self.n_features}) or "
                f"({r.shape[0]}, {self.n_arms}, {self.n_features}), got {x.shape}"
            )
        arms = np.asarray(self._core.run(np.ascontiguousarray(x).ravel(), r), dtype=np.int64)
        return BanditRun(arms, r[np.arange(len(arms)), arms])

    def __getstate__(self) -> dict[str, Any]:
        return {"core": self._core.state(), "seed": self.seed}

    def __setstate__(self, state: dict[str, Any]) -> None:
        core = state["core"]
        self._core = _native.LinUCBCore.from_state(core)
        self.alpha, self.n_arms, self.n_features = float(core[0]), int(core[1]), int(core[2])
        self.seed = state["seed"]

    def __repr__(self) -> str:
        return f"LinUCB(n_arms={self.n_arms}, n_features={self.n_features}, alpha={self.alpha})"
