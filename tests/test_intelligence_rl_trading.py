"""TradingEnv: gymnasium's checker, rewards and costs against a numpy account, position limits,
features in the observation, registration, pickling, bad input, and the package importing
without gymnasium."""

from __future__ import annotations

import math
import pickle
import subprocess
import sys
from typing import Any

import gymnasium as gym
import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
from gymnasium.utils.env_checker import check_env
from quantumpanarchy.exceptions import InvalidInputError, InvalidTypeError
from quantumpanarchy.intelligence import FrozenLakeEnv, QLearning, TradingEnv


def prices(n: int = 300, seed: int = 0) -> npt.NDArray[np.float64]:
    rng = np.random.default_rng(seed)
    return 100 * np.exp(np.cumsum(rng.normal(0.0, 0.01, n)))


def test_check_env_passes() -> None:
    p = prices()
    check_env(gym.make("quantumpanarchy/TradingEnv-v0", prices=p).unwrapped)
    feats = np.column_stack([np.log(p), np.arange(len(p), dtype=float)])
    kwargs: dict[str, Any] = {"prices": p, "features": feats, "window": 5, "positions": None, "reward": "sharpe"}
    check_env(gym.make("quantumpanarchy/TradingEnv-v0", **kwargs).unwrapped)


def replay(env: TradingEnv, actions: list[int]) -> tuple[list[float], list[dict[str, Any]]]:
    env.reset(seed=0)
    rewards, infos = [], []
    for a in actions:
        _, r, terminated, truncated, info = env.step(a)
        rewards.append(float(r))
        infos.append(info)
        if terminated or truncated:
            break
    return rewards, infos


@pytest.mark.parametrize("reward", ["pnl", "log_return", "differential_sharpe"])
def test_rewards_match_a_numpy_account(reward: str) -> None:
    p = prices(60, seed=1)
    window, cost, eta = 4, 0.002, 0.05
    env = TradingEnv(p, window=window, transaction_cost=cost, reward=reward, sharpe_eta=eta)
    actions = [int(a) for a in np.random.default_rng(2).integers(0, 3, size=len(p))]
    rewards, infos = replay(env, actions)
    assert len(rewards) == len(p) - 1 - window == env.episode_length
    position, equity, a_ema, b_ema = 0.0, 1.0, 0.0, 0.0
    for k, (got, info) in enumerate(zip(rewards, infos, strict=True)):
        t = window + k
        new = (-1.0, 0.0, 1.0)[actions[k]]
        period = new * (p[t + 1] / p[t] - 1) - cost * abs(new - position)
        if reward == "pnl":
            want = equity * period
        elif reward == "log_return":
            want = math.log1p(period)
        else:
            da, db = period - a_ema, period**2 - b_ema
            var = b_ema - a_ema**2
            want = (b_ema * da - 0.5 * a_ema * db) / var**1.5 if var > 1e-12 else 0.0
            a_ema, b_ema = a_ema + eta * da, b_ema + eta * db
        position, equity = new, equity * (1 + period)
        assert got == pytest.approx(want, rel=1e-9, abs=1e-12)
        assert info["equity"] == pytest.approx(equity, rel=1e-12)
        assert info["position"] == new and info["t"] == t + 1


def test_costs_position_limits_and_observations() -> None:
    p = np.array([10.0, 11.0, 12.0, 12.0, 12.0, 12.0, 12.0])
    feats = np.arange(7.0)
    env = TradingEnv(p, feats, window=2, positions=None, trade_size=0.5, max_position=1.0, transaction_cost=0.01)
    obs, info = env.reset(seed=0)
    # two log returns up to t = 2, features 1 and 2, flat
    np.testing.assert_allclose(obs, [math.log(1.1), math.log(12 / 11), 1.0, 2.0, 0.0], rtol=1e-6)
    assert obs.dtype == np.float32 and info["t"] == 2
    positions = [env.step(2)[4]["position"] for _ in range(3)]
    assert positions == [0.5, 1.0, 1.0]  # buy, buy, then held at the limit
    _, _, _, truncated, info = env.step(0)
    assert info["position"] == 0.5 and info["cost"] == pytest.approx(0.005) and truncated
    with pytest.raises(InvalidInputError, match="reset"):
        env.step(1)


def test_a_wipe_out_terminates_the_episode() -> None:
    env = TradingEnv([1.0, 1.0, 1.0, 2.5, 3.0], window=2, positions=(-1.0,), reward="log_return")
    env.reset()
    _, reward, terminated, truncated, info = env.step(0)
    assert terminated and not truncated and info["equity"] == 0.0
    assert reward == pytest.approx(math.log(1e-8))


def test_pandas_input_pickling_and_max_steps() -> None:
    p = pd.Series(prices(50), index=pd.date_range("2024-01-01", periods=50))
    env = TradingEnv(p, window=3, max_episode_steps=10)
    env.reset(seed=1)
    env.step(2)
    twin = pickle.loads(pickle.dumps(env))
    a = [env.step(1)[1] for _ in range(5)]
    b = [twin.step(1)[1] for _ in range(5)]
    assert a == b
    steps = 1 + 5
    while not env.step(0)[3]:
        steps += 1
    assert steps + 1 == 10
    assert "TradingEnv(prices=50" in repr(env)


def test_environments_are_registered_with_gymnasium() -> None:
    env = gym.make("quantumpanarchy/TradingEnv-v0", prices=prices(40), window=3)
    assert isinstance(env.unwrapped, TradingEnv)
    lake = gym.make("quantumpanarchy/FrozenLake-v1", is_slippery=False)
    assert isinstance(lake.unwrapped, FrozenLakeEnv)
    # gymnasium.make's checking wrappers do not stop the native loop
    QLearning(lake, seed=0).learn(total_timesteps=1_000, native=True)


def test_bad_input_raises_the_projects_errors() -> None:
    p = prices(30)
    for args, kwargs in (
        (([],), {}),
        (([1.0, np.nan, 2.0, 3.0],), {"window": 1}),
        (([1.0, np.inf, 2.0, 3.0],), {"window": 1}),
        (([1.0, -2.0, 2.0, 3.0],), {"window": 1}),
        (([1.0, 2.0, 3.0],), {"window": 2}),
        ((np.ones((5, 2)),), {}),
        ((p,), {"window": 0}),
        ((p,), {"reward": "alpha"}),
        ((p,), {"reward": "sharpe", "sharpe_eta": 0.0}),
        ((p,), {"transaction_cost": -0.1}),
        ((p,), {"transaction_cost": 1.0}),
        ((p,), {"positions": (-2.0, 0.0, 2.0)}),
        ((p,), {"positions": ()}),
        ((p,), {"positions": (0.0, np.nan)}),
        ((p,), {"max_position": 0.0}),
        ((p,), {"positions": None, "trade_size": -1.0}),
        ((p,), {"max_episode_steps": 0}),
        ((p, np.ones(29)), {}),
        ((p, np.full(30, np.nan)), {}),
        ((p, np.full(30, 1e300)), {}),
    ):
        with pytest.raises(InvalidInputError):
            TradingEnv(*args, **kwargs)
    with pytest.raises(InvalidTypeError):
        TradingEnv(p, reward=3)  # type: ignore[arg-type]
    with pytest.raises(InvalidTypeError):
        TradingEnv(p, window=2.5)  # type: ignore[arg-type]
    env = TradingEnv(p)
    env.reset()
    for action in (3, -1, 1.5, "buy"):
        with pytest.raises(InvalidInputError):
            env.step(action)


def test_the_package_imports_without_gymnasium() -> None:
    code = (
        "import sys; sys.modules['gymnasium'] = None\n"
        "import numpy as np\n"
        "from quantumpanarchy.intelligence import FrozenLakeEnv, QLearning, TradingEnv\n"
        "env = FrozenLakeEnv(is_slippery=False)\n"
        "agent = QLearning(env, learning_rate=0.2, gamma=0.9, exploration_fraction=0.5, seed=0)\n"
        "agent.learn(total_timesteps=20_000)\n"
        "t = TradingEnv(np.linspace(1, 2, 30), window=3)\n"
        "obs, _ = t.reset(seed=0)\n"
        "assert t.observation_space.contains(obs) and t.action_space.n == 3\n"
        "print(agent.predict(14)[0], type(env).__mro__[1].__name__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["2", "_PlainEnv"]
