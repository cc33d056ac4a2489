"""Every RL entry point, fed values of the wrong type or range, raises the library's errors:
never a bare TypeError, AttributeError, OverflowError or gymnasium's own error."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from quantumpanarchy.exceptions import QuantumPanarchyError
from quantumpanarchy.intelligence import (
    UCB1,
    BanditRun,
    EpsilonGreedy,
    FrozenLakeEnv,
    LinUCB,
    QLearning,
    ThompsonSampling,
    TradingEnv,
)

WEIRD: list[Any] = [
    None,
    "x",
    [1],
    [[1.0]],
    -1,
    2**80,
    float("nan"),
    float("inf"),
    -0.5,
    True,
    np.float32(0.5),
    1e308,
    (),
    {},
    np.array([np.nan]),
]
PRICES = np.linspace(1.0, 2.0, 40)


def calls() -> list[tuple[str, Callable[[Any], object]]]:
    env = FrozenLakeEnv()
    env.reset(seed=0)
    market = TradingEnv(PRICES, window=3)
    market.reset(seed=0)
    return [
        ("QLearning(learning_rate)", lambda v: QLearning(env, learning_rate=v)),
        ("QLearning(gamma)", lambda v: QLearning(env, gamma=v)),
        ("QLearning(seed)", lambda v: QLearning(env, seed=v)),
        ("QLearning(exploration_fraction)", lambda v: QLearning(env, exploration_fraction=v)),
        ("QLearning(env)", lambda v: QLearning(v)),
        ("learn(total_timesteps)", lambda v: QLearning(env).learn(total_timesteps=v)),
        ("learn(num_episodes)", lambda v: QLearning(env).learn(num_episodes=v)),
        ("predict", lambda v: QLearning(env).predict(v)),
        ("q_table =", lambda v: setattr(QLearning(env), "q_table", v)),
        ("load", lambda v: QLearning.load(v)),
        ("FrozenLakeEnv(desc)", lambda v: FrozenLakeEnv(desc=v)),
        ("FrozenLakeEnv(map_name)", lambda v: FrozenLakeEnv(map_name=v)),
        ("FrozenLakeEnv(success_rate)", lambda v: FrozenLakeEnv(success_rate=v)),
        ("FrozenLakeEnv(max_episode_steps)", lambda v: FrozenLakeEnv(max_episode_steps=v)),
        ("FrozenLakeEnv(reward_schedule)", lambda v: FrozenLakeEnv(reward_schedule=v)),
        ("FrozenLakeEnv.step", lambda v: env.step(v)),
        ("FrozenLakeEnv.reset(seed)", lambda v: env.reset(seed=v)),
        ("TradingEnv(prices)", lambda v: TradingEnv(v)),
        ("TradingEnv(features)", lambda v: TradingEnv(PRICES, v)),
        ("TradingEnv(window)", lambda v: TradingEnv(PRICES, window=v)),
        ("TradingEnv(positions)", lambda v: TradingEnv(PRICES, positions=v)),
        ("TradingEnv(max_position)", lambda v: TradingEnv(PRICES, max_position=v)),
        ("TradingEnv(transaction_cost)", lambda v: TradingEnv(PRICES, transaction_cost=v)),
        ("TradingEnv(reward)", lambda v: TradingEnv(PRICES, reward=v)),
        ("TradingEnv(sharpe_eta)", lambda v: TradingEnv(PRICES, reward="sharpe", sharpe_eta=v)),
        ("TradingEnv(max_episode_steps)", lambda v: TradingEnv(PRICES, max_episode_steps=v)),
        ("TradingEnv.step", lambda v: market.step(v)),
        ("TradingEnv.reset(seed)", lambda v: market.reset(seed=v)),
        ("UCB1(n_arms)", lambda v: UCB1(v)),
        ("UCB1(c)", lambda v: UCB1(3, c=v)),
        ("EpsilonGreedy(epsilon)", lambda v: EpsilonGreedy(3, epsilon=v)),
        ("ThompsonSampling(alpha)", lambda v: ThompsonSampling(3, alpha=v)),
        ("ThompsonSampling(likelihood)", lambda v: ThompsonSampling(3, likelihood=v)),
        ("update(arm)", lambda v: UCB1(3).update(v, 1.0)),
        ("update(reward)", lambda v: ThompsonSampling(3).update(0, v)),
        ("run(rewards)", lambda v: UCB1(3).run(v)),
        ("run(horizon)", lambda v: UCB1(3).run(np.zeros((4, 3)), horizon=v)),
        ("LinUCB(n_features)", lambda v: LinUCB(2, v)),
        ("LinUCB(alpha)", lambda v: LinUCB(2, 2, alpha=v)),
        ("LinUCB.select", lambda v: LinUCB(2, 2).select(v)),
        ("LinUCB.update(reward)", lambda v: LinUCB(2, 2).update(0, v, [1, 1])),
        ("LinUCB.run(contexts)", lambda v: LinUCB(2, 2).run(v, np.zeros((3, 2)))),
        ("BanditRun.regret", lambda v: BanditRun(np.array([0]), np.array([1.0])).regret(v)),
    ]


def test_weird_values_raise_the_librarys_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # "x" as a path to load names no file here
    leaks = []
    for name, call in calls():
        for value in WEIRD:
            try:
                call(value)
            except (QuantumPanarchyError, FileNotFoundError):
                pass
            except Exception as exc:  # what leaks past the library's errors
                leaks.append(f"{name} with {value!r}: {type(exc).__name__}: {exc}")
    assert not leaks, "\n".join(leaks)
