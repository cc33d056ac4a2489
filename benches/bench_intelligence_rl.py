#!/usr/bin/env python
"""quantumpanarchy.intelligence's reinforcement learning against plain numpy/Python loops,
measured in one process (steps or rounds per second; ratios against the anchor of each row).

* Tabular Q-learning on the 4x4 slippery FrozenLake, the same algorithm and schedule (ε-greedy,
  linear ε decay, α = 0.02, γ = 0.99) in four ways: a plain Python loop with a numpy Q table on
  gymnasium's FrozenLake-v1 (the anchor: what users write today), our agent stepping
  gymnasium's FrozenLake-v1 from Python, our agent on our FrozenLakeEnv through the Python loop,
  and our native loop (episodes in Rust, GIL released), also for ten times the steps. Each row
  also reports the exact success probability of the learned greedy policy (policy evaluation on
  the known model), so speed is not bought with a worse policy.
* Bandits, 4 Bernoulli arms: a numpy UCB1 / Beta-Thompson loop (the anchor) against our native
  ``run`` over the same reward matrix.

Run ``python benches/bench_intelligence_rl.py [--quick]``.
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable
from typing import Any

import gymnasium as gym
import numpy as np
import numpy.typing as npt
from quantumpanarchy.intelligence import UCB1, FrozenLakeEnv, QLearning, ThompsonSampling

ALPHA, GAMMA, EPS0, EPS1, FRACTION = 0.02, 0.99, 1.0, 0.1, 0.5


def numpy_q_learning(env: Any, steps: int, seed: int) -> npt.NDArray[np.float64]:
    """Q-learning as a numpy user writes it (the anchor)."""
    rng = np.random.default_rng(seed)
    q = np.zeros((env.observation_space.n, env.action_space.n))
    s, _ = env.reset(seed=seed)
    for t in range(steps):
        eps = EPS0 + (EPS1 - EPS0) * min(1.0, t / (FRACTION * steps))
        if rng.random() < eps:
            a = int(rng.integers(4))
        else:
            row = q[s]
            a = int(rng.choice(np.flatnonzero(row == row.max())))
        s2, r, terminated, truncated, _ = env.step(a)
        target = r + (0.0 if terminated else GAMMA * q[s2].max())
        q[s, a] += ALPHA * (target - q[s, a])
        s = env.reset()[0] if terminated or truncated else s2
    return q


def success(model: Any, policy: npt.NDArray[np.int64]) -> float:
    n = len(model)
    a, b = np.eye(n), np.zeros(n)
    for s in range(n):
        for p, s2, r, terminated in model[s][int(policy[s])]:
            b[s] += p * r
            if not terminated:
                a[s, s2] -= p
    return float(np.linalg.solve(a, b)[0])


def agent(env: Any, seed: int) -> QLearning:
    return QLearning(
        env,
        learning_rate=ALPHA,
        gamma=GAMMA,
        exploration_initial_eps=EPS0,
        exploration_final_eps=EPS1,
        exploration_fraction=FRACTION,
        seed=seed,
    )


def timed(fn: Callable[[], npt.NDArray[np.float64]]) -> tuple[float, npt.NDArray[np.float64]]:
    t0 = time.perf_counter()
    q = fn()
    return time.perf_counter() - t0, q


def numpy_ucb(rewards: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    horizon, k = rewards.shape
    counts, sums = np.zeros(k), np.zeros(k)
    arms = np.empty(horizon, dtype=np.int64)
    for t in range(horizon):
        if t < k:
            a = t
        else:
            a = int(np.argmax(sums / counts + math.sqrt(2.0) * np.sqrt(math.log(t) / counts)))
        counts[a] += 1
        sums[a] += rewards[t, a]
        arms[t] = a
    return arms


def numpy_thompson(rewards: npt.NDArray[np.float64], seed: int) -> npt.NDArray[np.int64]:
    rng = np.random.default_rng(seed)
    horizon, k = rewards.shape
    wins, losses = np.ones(k), np.ones(k)
    arms = np.empty(horizon, dtype=np.int64)
    for t in range(horizon):
        a = int(np.argmax(rng.beta(wins, losses)))
        wins[a] += rewards[t, a]
        losses[a] += 1 - rewards[t, a]
        arms[t] = a
    return arms


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    steps = 50_000 if args.quick else 200_000
    native_steps = 10 * steps
    model = gym.make("FrozenLake-v1").unwrapped.P  # type: ignore[attr-defined]

    rows: list[tuple[str, int, float, float]] = []
    dt, q = timed(lambda: numpy_q_learning(gym.make("FrozenLake-v1"), steps, 0))
    rows.append(("numpy loop, gymnasium FrozenLake-v1 (anchor)", steps, dt, success(model, q.argmax(1))))
    dt, q = timed(lambda: agent(gym.make("FrozenLake-v1"), 0).learn(total_timesteps=steps).q_table)
    rows.append(("QLearning, gymnasium FrozenLake-v1 (Python loop)", steps, dt, success(model, q.argmax(1))))
    dt, q = timed(lambda: agent(FrozenLakeEnv(), 0).learn(total_timesteps=steps, native=False).q_table)
    rows.append(("QLearning, FrozenLakeEnv (Python loop)", steps, dt, success(model, q.argmax(1))))
    dt, q = timed(lambda: agent(FrozenLakeEnv(), 0).learn(total_timesteps=steps).q_table)
    rows.append(("QLearning, FrozenLakeEnv (native loop)", steps, dt, success(model, q.argmax(1))))
    dt, q = timed(lambda: agent(FrozenLakeEnv(), 0).learn(total_timesteps=native_steps).q_table)
    rows.append(("QLearning, FrozenLakeEnv (native loop, 10x steps)", native_steps, dt, success(model, q.argmax(1))))
    anchor = rows[0][1] / rows[0][2]
    print(f"Q-learning, FrozenLake 4x4 slippery (optimum success {14 / 17:.3f})")
    print(f"{'':50} {'steps':>9} {'steps/s':>11} {'ratio':>8} {'success':>8}")
    for name, n, dt, ok in rows:
        print(f"{name:50} {n:>9} {n / dt:>11.3g} {n / dt / anchor:>7.1f}× {ok:>8.3f}")

    horizon = 20_000 if args.quick else 100_000
    means = np.array([0.2, 0.4, 0.5, 0.6])
    rewards = (np.random.default_rng(1).random((horizon, 4)) < means).astype(np.float64)
    print(f"\nbandits, 4 Bernoulli arms, {horizon} rounds (regret: Σ best mean − mean played)")
    print(f"{'':36} {'rounds/s':>11} {'ratio':>8} {'regret':>8}")
    Arms = Callable[[], npt.NDArray[np.int64]]
    cases: list[tuple[str, Arms, Arms]] = [
        ("UCB1", lambda: numpy_ucb(rewards), lambda: UCB1(4, seed=0).run(rewards).arms),
        ("Thompson (Beta)", lambda: numpy_thompson(rewards, 0), lambda: ThompsonSampling(4, seed=0).run(rewards).arms),
    ]
    for name, numpy_fn, ours_fn in cases:
        t0 = time.perf_counter()
        theirs = numpy_fn()
        t_theirs = time.perf_counter() - t0
        t0 = time.perf_counter()
        ours = ours_fn()
        t_ours = time.perf_counter() - t0
        measured = ((f"{name}, numpy loop (anchor)", theirs, t_theirs), (f"{name}, native run", ours, t_ours))
        for label, arms, dt in measured:
            regret = float(np.sum(means.max() - means[arms]))
            print(f"{label:36} {horizon / dt:>11.3g} {t_theirs / dt:>7.1f}× {regret:>8.1f}")


if __name__ == "__main__":
    main()
