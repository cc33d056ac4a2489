"""Tabular agents and the built-in FrozenLake: gymnasium's transition model, learning to the
value-iteration optimum, the Python loop on gymnasium's own FrozenLake-v1, seeds, save/load,
pickling and bad input."""

from __future__ import annotations

import asyncio
import pickle
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import numpy.typing as npt
import pytest
from gymnasium.utils.env_checker import check_env
from interrupts import assert_interrupted
from quantumpanarchy.exceptions import InvalidInputError, InvalidTypeError, ResourceLimitError
from quantumpanarchy.intelligence import ExpectedSarsa, FrozenLakeEnv, QLearning, Sarsa, ThompsonSampling

Model = dict[int, dict[int, list[tuple[float, int, float, bool]]]]
AGENTS = [QLearning, Sarsa, ExpectedSarsa]


def distribution(outcomes: list[Any]) -> dict[tuple[int, float, bool], float]:
    """The outcomes of one (state, action) merged by (next state, reward, terminated)."""
    merged: dict[tuple[int, float, bool], float] = defaultdict(float)
    for p, s, r, t in outcomes:
        merged[(int(s), float(r), bool(t))] += float(p)
    return dict(merged)


def success_probability(model: Model, policy: npt.NDArray[np.int64]) -> float:
    """Exact probability that ``policy`` reaches the goal from state 0 (no time limit): the
    absorbing Markov chain's x = P x + b, b the one-step probability of the goal reward."""
    n = len(model)
    a = np.eye(n)
    b = np.zeros(n)
    for s in range(n):
        for p, s2, r, terminated in model[s][int(policy[s])]:
            b[s] += p * r
            if not terminated:
                a[s, s2] -= p
    return float(np.linalg.solve(a, b)[0])


def optimal_success(model: Model) -> float:
    """The largest probability of reaching the goal from state 0, by value iteration (γ = 1)."""
    n = len(model)
    v = np.zeros(n)
    for _ in range(2000):
        q = np.array(
            [[sum(p * (r + (0.0 if t else v[s2])) for p, s2, r, t in model[s][a]) for a in range(4)] for s in range(n)]
        )
        v = q.max(axis=1)
    return float(v[0])


@pytest.mark.parametrize("slippery", [True, False])
@pytest.mark.parametrize("map_name", ["4x4", "8x8"])
def test_transitions_equal_gymnasiums_frozenlake(map_name: str, slippery: bool) -> None:
    ours = FrozenLakeEnv(map_name=map_name, is_slippery=slippery).P
    theirs = gym.make("FrozenLake-v1", map_name=map_name, is_slippery=slippery).unwrapped.P  # type: ignore[attr-defined]
    assert len(ours) == len(theirs)
    for s in theirs:
        for a in range(4):
            assert distribution(ours[s][a]) == pytest.approx(distribution(theirs[s][a]))


def test_custom_maps_rates_and_rewards_equal_gymnasium() -> None:
    desc = ["SFH", "FFF", "HFG", "FFH"]
    kw: dict[str, Any] = {"desc": desc, "is_slippery": True, "success_rate": 0.6, "reward_schedule": (2, -1, 0)}
    ours = FrozenLakeEnv(**kw).P
    theirs = gym.make("FrozenLake-v1", **kw).unwrapped.P  # type: ignore[attr-defined]
    for s in theirs:
        for a in range(4):
            assert distribution(ours[s][a]) == pytest.approx(distribution(theirs[s][a]))


def test_step_frequencies_follow_the_model() -> None:
    env = FrozenLakeEnv(is_slippery=True)
    env.reset(seed=5)
    counts: dict[int, int] = defaultdict(int)
    n = 30_000
    for _ in range(n):
        env.reset()
        s, *_ = env.step(1)  # down from the start: left (stay), down, right
        counts[s] += 1
    for s in (0, 4, 1):
        assert abs(counts[s] / n - 1 / 3) < 0.015


def test_check_env_passes_for_the_builtin_frozenlake() -> None:
    check_env(gym.make("quantumpanarchy/FrozenLake-v1").unwrapped)
    check_env(FrozenLakeEnv(map_name="8x8", render_mode="ansi"), skip_render_check=True)
    env = FrozenLakeEnv(render_mode="ansi")
    env.reset(seed=0)
    assert env.render() == "[S] F  F  F \n F  H  F  H \n F  F  F  H \n H  F  F  G \n"


def test_episodes_are_truncated_at_the_time_limit() -> None:
    env = FrozenLakeEnv(is_slippery=False)
    env.reset(seed=0)
    results = [env.step(0) for _ in range(100)]
    assert not any(r[3] for r in results[:-1]) and results[-1][3]
    assert FrozenLakeEnv(map_name="8x8").max_episode_steps == 200


def greedy_episode_return(agent: Any, env: Any) -> float:
    s, _ = env.reset(seed=0)
    total = 0.0
    for _ in range(100):
        s, r, terminated, truncated, _ = env.step(agent.predict(s)[0])
        total += float(r)
        if terminated or truncated:
            break
    return total


@pytest.mark.parametrize("cls", AGENTS)
def test_every_agent_solves_the_deterministic_lake(cls: type[QLearning]) -> None:
    for seed in range(3):
        agent = cls(FrozenLakeEnv(is_slippery=False), learning_rate=0.2, gamma=0.9, exploration_fraction=0.5, seed=seed)
        agent.learn(total_timesteps=30_000)
        assert greedy_episode_return(agent, FrozenLakeEnv(is_slippery=False)) == 1.0


def test_q_learning_reaches_the_optimum_on_the_slippery_lake() -> None:
    env = FrozenLakeEnv(is_slippery=True)
    best = optimal_success(env.P)
    assert best == pytest.approx(14 / 17, abs=1e-9)  # the known optimum of the 4x4 lake
    for seed in range(3):
        agent = QLearning(
            FrozenLakeEnv(is_slippery=True),
            learning_rate=0.02,
            gamma=0.99,
            exploration_fraction=0.5,
            exploration_final_eps=0.1,
            seed=seed,
        ).learn(total_timesteps=1_000_000)
        assert success_probability(env.P, agent.q_table.argmax(axis=1)) >= best - 0.05


@pytest.mark.parametrize("cls", [Sarsa, ExpectedSarsa])
def test_on_policy_agents_learn_the_slippery_lake(cls: type[QLearning]) -> None:
    env = FrozenLakeEnv(is_slippery=True)
    agent = cls(env, learning_rate=0.05, gamma=0.999, exploration_fraction=0.5, exploration_final_eps=0.1, seed=1)
    agent.learn(total_timesteps=500_000)
    # the uniformly random policy succeeds about 1.4% of the time; these learn the safe route
    assert success_probability(env.P, agent.q_table.argmax(axis=1)) >= optimal_success(env.P) - 0.1


def test_agents_learn_gymnasiums_own_frozenlake_through_the_python_loop() -> None:
    det = gym.make("FrozenLake-v1", is_slippery=False)
    agent = QLearning(det, learning_rate=0.2, gamma=0.9, exploration_fraction=0.5, seed=0).learn(total_timesteps=20_000)
    assert greedy_episode_return(agent, det) == 1.0
    slip = gym.make("FrozenLake-v1", is_slippery=True)
    model: Model = slip.unwrapped.P  # type: ignore[attr-defined]
    q = QLearning(slip, learning_rate=0.1, gamma=0.99, exploration_fraction=0.5, exploration_final_eps=0.1, seed=0)
    q.learn(total_timesteps=100_000)
    assert success_probability(model, q.q_table.argmax(axis=1)) >= optimal_success(model) - 0.05
    s = Sarsa(det, learning_rate=0.2, gamma=0.9, exploration_fraction=0.5, seed=0).learn(num_episodes=2_000)
    assert greedy_episode_return(s, det) == 1.0
    assert len(s.episode_returns) == 2_000


def test_native_and_python_loops_give_the_same_table() -> None:
    """The two loops make the same draws in the same order, so they agree exactly."""
    for cls in AGENTS:
        a = cls(FrozenLakeEnv(), learning_rate=0.3, seed=4).learn(total_timesteps=5_000)
        b = cls(FrozenLakeEnv(), learning_rate=0.3, seed=4).learn(total_timesteps=5_000, native=False)
        np.testing.assert_array_equal(a.q_table, b.q_table)
        np.testing.assert_array_equal(a.episode_returns, b.episode_returns)
        c = cls(FrozenLakeEnv(), seed=4).learn(num_episodes=300)
        d = cls(FrozenLakeEnv(), seed=4).learn(num_episodes=300, native=False)
        np.testing.assert_array_equal(c.q_table, d.q_table)
        assert c.num_timesteps == d.num_timesteps == int(c.episode_lengths.sum())


def test_same_seed_same_table_and_different_seeds_differ() -> None:
    tables = [QLearning(FrozenLakeEnv(), seed=s).learn(total_timesteps=20_000).q_table for s in (7, 7, 8)]
    np.testing.assert_array_equal(tables[0], tables[1])
    assert not np.array_equal(tables[0], tables[2])


def test_predict_shapes_and_exploration_schedule() -> None:
    agent = QLearning(FrozenLakeEnv(), exploration_fraction=0.5, seed=0)
    assert agent.exploration_rate == 1.0
    agent.learn(total_timesteps=1_000)
    assert agent.exploration_rate == 0.05
    action, state = agent.predict(0)
    assert isinstance(action, int) and state is None
    actions, _ = agent.predict(np.array([[0, 1], [2, 3]]))
    assert actions.shape == (2, 2) and actions.dtype == np.int64
    assert agent.predict(np.int64(3))[0] == int(agent.q_table[3].argmax())


def test_save_load_and_pickle_round_trip(tmp_path: Path) -> None:
    env = FrozenLakeEnv()
    agent = ExpectedSarsa(env, learning_rate=0.3, gamma=0.9, seed=3).learn(total_timesteps=5_000)
    path = tmp_path / "agent.qp"
    agent.save(path)
    assert path.exists()
    twin_env = pickle.loads(pickle.dumps(env))  # the same slips from here on
    loaded = ExpectedSarsa.load(path, env=twin_env)
    np.testing.assert_array_equal(loaded.q_table, agent.q_table)
    assert (loaded.learning_rate, loaded.gamma, loaded.num_timesteps) == (0.3, 0.9, 5_000)
    # the generator state travels too: both continue identically
    agent.learn(total_timesteps=2_000)
    loaded.learn(total_timesteps=2_000)
    np.testing.assert_array_equal(loaded.q_table, agent.q_table)
    copy = pickle.loads(pickle.dumps(agent))
    np.testing.assert_array_equal(copy.q_table, agent.q_table)
    assert copy.get_env() is None
    with pytest.raises(InvalidInputError, match="set_env"):
        copy.learn(total_timesteps=10)
    copy.set_env(env)
    copy.learn(total_timesteps=10)
    with pytest.raises(InvalidInputError, match="expected_sarsa"):
        QLearning.load(path)
    (tmp_path / "junk").write_bytes(b"not an archive")
    with pytest.raises(InvalidInputError):
        QLearning.load(tmp_path / "junk")
    assert "ExpectedSarsa(n_states=16" in repr(agent)


def test_environments_pickle_mid_episode() -> None:
    env = FrozenLakeEnv(is_slippery=True)
    env.reset(seed=2)
    env.step(2)
    twin = pickle.loads(pickle.dumps(env))
    assert twin.s == env.s
    assert [twin.step(1)[0] for _ in range(20)] == [env.step(1)[0] for _ in range(20)]


def test_bad_input_raises_the_projects_errors() -> None:
    env = FrozenLakeEnv()
    for kwargs in (
        {"learning_rate": 0.0},
        {"learning_rate": -0.1},
        {"learning_rate": float("nan")},
        {"gamma": 1.5},
        {"gamma": -0.1},
        {"exploration_initial_eps": 2.0},
        {"exploration_fraction": -1.0},
        {"seed": -1},
    ):
        with pytest.raises(InvalidInputError):
            QLearning(env, **kwargs)
    with pytest.raises(InvalidTypeError):
        QLearning(env, learning_rate="fast")  # type: ignore[arg-type]
    with pytest.raises(InvalidTypeError, match="Discrete"):
        QLearning(gym.make("CartPole-v1"))
    agent = QLearning(env, seed=0)
    with pytest.raises(InvalidInputError):
        agent.learn()
    with pytest.raises(InvalidInputError):
        agent.learn(total_timesteps=10, num_episodes=10)
    with pytest.raises(InvalidInputError):
        agent.learn(total_timesteps=-1)
    with pytest.raises(InvalidInputError, match="observation"):
        agent.predict(16)
    with pytest.raises(InvalidInputError):
        agent.predict(-1)
    with pytest.raises(InvalidInputError):
        agent.q_table = np.zeros((3, 3))
    with pytest.raises(InvalidInputError):
        agent.q_table = np.full((16, 4), np.nan)
    with pytest.raises(InvalidInputError, match="native"):
        QLearning(gym.make("FrozenLake-v1")).learn(total_timesteps=10, native=True)
    with pytest.raises(InvalidInputError):
        env.step(4)
    bad_lakes: list[dict[str, Any]] = [
        {"desc": ["SF", "F"]},
        {"desc": ["SX"]},
        {"desc": ["FF"]},
        {"desc": []},
        {"map_name": "5x5"},
        {"success_rate": 1.5},
        {"reward_schedule": (1.0, float("nan"), 0.0)},
        {"max_episode_steps": 0},
        {"render_mode": "human"},
    ]
    for kwargs in bad_lakes:
        with pytest.raises(InvalidInputError):
            FrozenLakeEnv(**kwargs)


class NanRewards(gym.Wrapper[int, int, int, int]):
    def step(self, action: int) -> Any:
        obs, _, terminated, truncated, info = self.env.step(action)
        return obs, float("nan"), terminated, truncated, info


def test_a_nan_reward_from_a_user_environment_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="reward"):
        QLearning(NanRewards(gym.make("FrozenLake-v1")), seed=0).learn(total_timesteps=10)


def test_threads_share_nothing_and_give_the_sequential_tables() -> None:
    def table(seed: int) -> npt.NDArray[np.float64]:
        return QLearning(FrozenLakeEnv(), seed=seed).learn(total_timesteps=50_000).q_table

    sequential = [table(s) for s in range(4)]
    with ThreadPoolExecutor(4) as pool:
        threaded = list(pool.map(table, range(4)))
    for a, b in zip(sequential, threaded, strict=True):
        np.testing.assert_array_equal(a, b)


def test_progress_callbacks_and_learn_async() -> None:
    seen: list[tuple[int, int]] = []
    QLearning(FrozenLakeEnv(), seed=0).learn(
        total_timesteps=3_000, native=False, progress=lambda d, t: seen.append((d, t))
    )
    assert seen[-1] == (3_000, 3_000) and len(seen) >= 2
    seen.clear()
    QLearning(FrozenLakeEnv(), seed=0).learn(num_episodes=50, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (50, 50)
    with pytest.raises(InvalidInputError, match="progress"):
        QLearning(FrozenLakeEnv()).learn(total_timesteps=10, progress="yes")  # type: ignore[arg-type]
    agent = asyncio.run(QLearning(FrozenLakeEnv(), seed=9).learn_async(total_timesteps=20_000))
    np.testing.assert_array_equal(
        agent.q_table, QLearning(FrozenLakeEnv(), seed=9).learn(total_timesteps=20_000).q_table
    )


def test_extreme_counts_and_rewards_are_refused_cleanly() -> None:
    agent = QLearning(FrozenLakeEnv(), seed=0)
    with pytest.raises(InvalidInputError, match="2\\*\\*63"):
        agent.learn(total_timesteps=2**70)
    huge = FrozenLakeEnv(reward_schedule=(0.0, 0.0, 1e308), is_slippery=False)  # every step pays 1e308
    greedy = QLearning(huge, learning_rate=1.0, gamma=1.0, seed=0)
    with pytest.raises(InvalidInputError, match="overflow"):
        greedy.learn(total_timesteps=100_000)
    assert np.all(np.isfinite(greedy.q_table))


def test_ctrl_c_stops_a_long_native_learn_and_the_agent_stays_usable() -> None:
    env = FrozenLakeEnv(map_name="8x8")
    agent = QLearning(env, seed=0)
    # 10**11 steps take hours: only the interrupt ends this call
    assert_interrupted(lambda: agent.learn(total_timesteps=10**11), "QLearning.learn")
    agent.learn(total_timesteps=1_000)
    assert agent.predict(0)[0] in range(4)
    bandit = ThompsonSampling(2, seed=0)
    assert_interrupted(lambda: bandit.run(np.zeros((4_000_000, 2))), "ThompsonSampling.run", delay=0.5)


class Corridor(gym.Env[int, int]):
    """Three states numbered from 10 and two actions from -1 (gymnasium's ``start``): action 0
    moves right, -1 stays; the last state pays 1 and ends the episode."""

    observation_space = gym.spaces.Discrete(3, start=10)  # type: ignore[assignment]
    action_space = gym.spaces.Discrete(2, start=-1)  # type: ignore[assignment]

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
        super().reset(seed=seed)
        self.s = 10
        return self.s, {}

    def step(self, action: int) -> tuple[int, float, bool, bool, dict[str, Any]]:
        assert action in (-1, 0)
        self.s = min(12, self.s + (action + 1))
        return self.s, float(self.s == 12), self.s == 12, False, {}


class Huge(gym.Env[int, int]):
    observation_space = gym.spaces.Discrete(2**40)  # type: ignore[assignment]
    action_space = gym.spaces.Discrete(4)  # type: ignore[assignment]


def test_spaces_with_a_start_and_tables_too_large_for_memory() -> None:
    agent = QLearning(Corridor(), learning_rate=0.5, gamma=0.9, exploration_fraction=0.5, seed=0)
    agent.learn(total_timesteps=2_000)
    assert agent.predict(10) == (0, None)
    np.testing.assert_allclose(agent.q_table[:2, 1], [0.9, 1.0], atol=1e-6)
    with pytest.raises(ResourceLimitError, match="GiB"):
        QLearning(Huge())
