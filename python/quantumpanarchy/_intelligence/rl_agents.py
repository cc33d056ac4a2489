"""Tabular temporal-difference agents with stable-baselines3's shape: :class:`QLearning`,
:class:`Sarsa` and :class:`ExpectedSarsa` on any gymnasium environment with ``Discrete``
observation and action spaces. The update is native; on the built-in :class:`FrozenLakeEnv`
the whole episode loop is native too, with the GIL released. See ``docs/intelligence-rl.md``.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

import numpy as np
import numpy.typing as npt

from .. import _async, _progress
from .._decision._params import check_int, check_real
from .._native import intelligence as _native
from .._validation import as_float_array
from ..exceptions import InvalidInputError, InvalidTypeError
from .rl_envs import FrozenLakeEnv

__all__ = ["ExpectedSarsa", "QLearning", "Sarsa"]

_A = TypeVar("_A", bound="_TabularAgent")

#: Wrappers that gymnasium.make adds without changing the dynamics: with only these around a
#: built-in FrozenLakeEnv, learning may run natively.
_TRANSPARENT = ("OrderEnforcing", "PassiveEnvChecker", "EnvChecker")
_FORMAT = "quantumpanarchy.intelligence.tabular/1"


def _spaces(env: Any) -> tuple[int, int, int, int]:
    """``(n_states, obs_start, n_actions, act_start)`` of an environment's Discrete spaces."""
    if not (hasattr(env, "observation_space") and hasattr(env, "action_space")):
        raise InvalidTypeError(
            f"env must be a gymnasium environment (with observation_space and action_space), got {type(env).__name__}"
        )
    return (*_discrete(env.observation_space, "observation"), *_discrete(env.action_space, "action"))


def _discrete(space: Any, what: str) -> tuple[int, int]:
    """``(n, start)`` of a ``Discrete`` space, or :class:`InvalidTypeError`."""
    if type(space).__name__ not in ("Discrete", "_Discrete") or not hasattr(space, "n"):
        raise InvalidTypeError(
            f"tabular agents need a Discrete {what} space, got {space!r}: use a Discrete environment "
            "(FrozenLake, CliffWalking, Taxi, ...) or discretise the observations"
        )
    return int(space.n), int(getattr(space, "start", 0))


def _native_lake(env: Any) -> FrozenLakeEnv | None:
    """The built-in FrozenLakeEnv inside ``env`` when nothing between changes its dynamics."""
    while not isinstance(env, FrozenLakeEnv):
        if type(env).__name__ not in _TRANSPARENT or not hasattr(env, "env"):
            return None
        env = env.env
    return env


class _TabularAgent:
    """The shared engine of the three agents (the algorithm is the only difference)."""

    _algorithm: ClassVar[str]

    def __init__(
        self,
        env: Any,
        learning_rate: float = 0.1,
        gamma: float = 0.99,
        exploration_initial_eps: float = 1.0,
        exploration_final_eps: float = 0.05,
        exploration_fraction: float = 0.1,
        seed: int | None = None,
    ) -> None:
        if env is None:
            raise InvalidInputError(f"{type(self).__name__} needs an environment (load() restores one without)")
        n_states, self._obs_start, n_actions, self._act_start = _spaces(env)
        params = [
            check_real(v, name)
            for v, name in (
                (learning_rate, "learning_rate"),
                (gamma, "gamma"),
                (exploration_initial_eps, "exploration_initial_eps"),
                (exploration_final_eps, "exploration_final_eps"),
                (exploration_fraction, "exploration_fraction"),
            )
        ]
        self.seed = None if seed is None else check_int(seed, "seed", 0)
        if self.seed is not None and self.seed >= 2**64:
            raise InvalidInputError(f"seed must be below 2**64, got {self.seed}")
        self._core = _native.TabularCore(self._algorithm, n_states, n_actions, *params, self.seed)
        self.env: Any = env
        self.num_timesteps = 0
        self._env_seeded = False
        self.episode_returns: npt.NDArray[np.float64] = np.zeros(0)
        self.episode_lengths: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)

    # parameters, read back from the native state so they are never out of step with it
    def _params(self) -> tuple[float, float, float, float, float]:
        p = self._core.state()[1]
        return (float(p[0]), float(p[1]), float(p[2]), float(p[3]), float(p[4]))

    @property
    def learning_rate(self) -> float:
        return self._params()[0]

    @property
    def gamma(self) -> float:
        return self._params()[1]

    @property
    def exploration_initial_eps(self) -> float:
        return self._params()[2]

    @property
    def exploration_final_eps(self) -> float:
        return self._params()[3]

    @property
    def exploration_fraction(self) -> float:
        return self._params()[4]

    @property
    def exploration_rate(self) -> float:
        """The current ε (stable-baselines3's name)."""
        return float(self._core.epsilon)

    @property
    def q_table(self) -> npt.NDArray[np.float64]:
        """A copy of the Q table, shape (n_states, n_actions)."""
        q: npt.NDArray[np.float64] = self._core.q_table()
        return q

    @q_table.setter
    def q_table(self, value: Any) -> None:
        self._core.set_q_table(as_float_array(value, "q_table", 2, False))

    @property
    def n_states(self) -> int:
        return int(self._core.state()[2])

    @property
    def n_actions(self) -> int:
        return int(self._core.state()[3])

    def get_env(self) -> Any:
        return self.env

    def set_env(self, env: Any) -> None:
        """Use ``env`` from now on (its spaces must match the Q table)."""
        n_states, obs_start, n_actions, act_start = _spaces(env)
        if (n_states, n_actions) != (self.n_states, self.n_actions):
            raise InvalidInputError(
                f"the environment has {n_states} states and {n_actions} actions, the agent "
                f"{self.n_states} and {self.n_actions}"
            )
        self.env, self._obs_start, self._act_start = env, obs_start, act_start

    def _state(self, obs: Any) -> int:
        if isinstance(obs, np.ndarray) and obs.shape == ():
            obs = obs.item()
        s = check_int(obs, "observation") - self._obs_start
        if not 0 <= s < self.n_states:
            raise InvalidInputError(
                f"observation must be in [{self._obs_start}, {self._obs_start + self.n_states}), got {obs}"
            )
        return s

    def learn(
        self: _A,
        total_timesteps: int | None = None,
        *,
        num_episodes: int | None = None,
        native: bool | None = None,
        progress: bool | Callable[[int, int], object] = False,
    ) -> _A:
        """Learn for ``total_timesteps`` environment steps or ``num_episodes`` episodes.

        ε falls linearly from ``exploration_initial_eps`` to ``exploration_final_eps`` over the
        first ``exploration_fraction`` of this call, then stays. Every episode starts with a
        reset; with a seed, the first reset of the first call is ``env.reset(seed=seed)``.

        Parameters
        ----------
        total_timesteps, num_episodes : int
            Give exactly one (≥ 0).
        native : bool, optional
            None (default): run the whole loop in Rust when the environment is the built-in
            :class:`FrozenLakeEnv` (unwrapped, or inside gymnasium.make's checking wrappers),
            else step the environment from Python. False forces the Python loop; True requires
            the native one.
        progress : bool or callable, default False
            True shows a progress bar (tqdm where installed); a callable gets ``(done, total)``.

        Returns
        -------
        self
        """
        if (total_timesteps is None) == (num_episodes is None):
            raise InvalidInputError("give exactly one of total_timesteps and num_episodes")
        steps = None if total_timesteps is None else check_int(total_timesteps, "total_timesteps", 0)
        episodes = None if num_episodes is None else check_int(num_episodes, "num_episodes", 0)
        if (steps if steps is not None else episodes or 0) >= 2**63:
            raise InvalidInputError("total_timesteps and num_episodes must be below 2**63")
        if self.env is None:
            raise InvalidInputError("the agent has no environment: call set_env(env) first")
        lake = _native_lake(self.env)
        if native and lake is None:
            raise InvalidInputError("native=True needs the built-in FrozenLakeEnv (quantumpanarchy.intelligence)")
        first_seed = self.seed if (self.seed is not None and not self._env_seeded) else None
        self._env_seeded = True
        if lake is not None and native is not False:
            if first_seed is not None:
                lake.reset(seed=first_seed)
            returns, lengths, done = self._core.learn_lake(lake._core, steps, episodes, progress)
            self.episode_returns = np.asarray(returns, dtype=np.float64)
            self.episode_lengths = np.asarray(lengths, dtype=np.int64)
        else:
            bar = _progress.make(progress, "learn", "steps" if steps is not None else "episodes")
            try:
                done = self._python_learn(steps, episodes, first_seed, bar)
            finally:
                if bar is not None and hasattr(bar, "close"):
                    bar.close()
        self.num_timesteps += int(done)
        return self

    async def learn_async(
        self: _A,
        total_timesteps: int | None = None,
        *,
        num_episodes: int | None = None,
        native: bool | None = None,
        progress: bool | Callable[[int, int], object] = False,
    ) -> _A:
        """:meth:`learn` on a worker thread, off the event loop; cancelling the awaiting task
        stops it within about 100 ms (the agent keeps what it learned until then)."""
        return await _async.to_thread(
            self.learn, total_timesteps, num_episodes=num_episodes, native=native, progress=progress
        )

    def _python_learn(
        self, steps: int | None, episodes: int | None, first_seed: int | None, bar: Callable[[int, int], object] | None
    ) -> int:
        """The episode loop of ``TabularCore.learn_lake`` over a Python environment."""
        env, core, sarsa = self.env, self._core, self._algorithm == "sarsa"
        total = steps if steps is not None else episodes
        assert total is not None
        by_steps = steps is not None
        returns: list[float] = []
        lengths: list[int] = []
        units = timesteps = 0
        while units < total:
            obs, _ = env.reset(seed=first_seed) if first_seed is not None else env.reset()
            first_seed = None
            s = self._state(obs)
            core.set_progress(units / total)
            a = core.act(s)
            ret, length = 0.0, 0
            while True:
                obs, reward, terminated, truncated, _ = env.step(a + self._act_start)
                s2 = self._state(obs)
                r = check_real(reward, "reward")
                ret += r
                length += 1
                timesteps += 1
                if by_steps:
                    units += 1
                    core.set_progress(units / total)
                if timesteps % 1024 == 0:
                    _async.check()  # an awaiting learn_async task that was cancelled stops here
                    if bar is not None:
                        bar(units, total)
                ended = bool(terminated) or bool(truncated)
                a2 = None if ended else core.act(s2)
                boot = core.act(s2) if (ended and sarsa and not terminated) else a2
                core.update(s, a, r, s2, bool(terminated), boot)
                if ended:
                    returns.append(ret)
                    lengths.append(length)
                    if not by_steps:
                        units += 1
                    break
                if by_steps and units >= total:
                    break
                s, a = s2, a2 if a2 is not None else 0
        self.episode_returns = np.asarray(returns, dtype=np.float64)
        self.episode_lengths = np.asarray(lengths, dtype=np.int64)
        if bar is not None:
            bar(units, total)
        return timesteps

    def predict(
        self,
        observation: Any,
        state: Any = None,
        episode_start: Any = None,
        deterministic: bool = True,
    ) -> tuple[Any, None]:
        """The action for ``observation`` (an int, or an array of them): ``(action, None)`` as
        stable-baselines3 returns it. ``deterministic``: the greedy action (the first of the
        largest values); else ε-greedy at the current :attr:`exploration_rate`."""
        choose = self._core.greedy if deterministic else self._core.act
        if isinstance(observation, np.ndarray) and observation.ndim > 0:
            actions = [choose(self._state(o)) + self._act_start for o in observation.ravel()]
            return np.asarray(actions, dtype=np.int64).reshape(observation.shape), None
        return int(choose(self._state(observation)) + self._act_start), None

    def _saved(self) -> dict[str, Any]:
        algorithm, params, n_states, n_actions, _q, rng, eps = self._core.state()
        return {
            "format": _FORMAT,
            "algorithm": algorithm,
            "params": list(params),
            "shape": [int(n_states), int(n_actions)],
            "rng": [int(v) for v in rng],
            "epsilon": float(eps),
            "seed": self.seed,
            "num_timesteps": self.num_timesteps,
            "starts": [self._obs_start, self._act_start],
            "env_seeded": self._env_seeded,
        }

    def _restore(self, meta: dict[str, Any], q: npt.NDArray[np.float64]) -> None:
        n_states, n_actions = meta["shape"]
        state = (
            meta["algorithm"],
            tuple(meta["params"]),
            n_states,
            n_actions,
            q.ravel().tolist(),
            meta["rng"],
            meta["epsilon"],
        )
        self._core = _native.TabularCore.from_state(state)
        self.seed = meta["seed"]
        self.num_timesteps = int(meta["num_timesteps"])
        self._obs_start, self._act_start = meta["starts"]
        self._env_seeded = bool(meta["env_seeded"])
        self.env = None
        self.episode_returns = np.zeros(0)
        self.episode_lengths = np.zeros(0, dtype=np.int64)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the Q table, parameters and generator state to ``path`` (a numpy ``.npz``
        archive, written under exactly that name). The environment is not saved."""
        buf = io.BytesIO()
        np.savez(buf, q_table=self.q_table, meta=np.frombuffer(json.dumps(self._saved()).encode(), dtype=np.uint8))
        with open(path, "wb") as f:
            f.write(buf.getvalue())

    @classmethod
    def load(cls: type[_A], path: str | os.PathLike[str], env: Any = None) -> _A:
        """An agent saved by :meth:`save`; ``env`` (optional) becomes its environment."""
        if not isinstance(path, (str, os.PathLike)):
            raise InvalidTypeError(f"path must be a str or an os.PathLike, got {type(path).__name__}")
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(bytes(data["meta"]).decode())
                q = np.asarray(data["q_table"], dtype=np.float64)
        except (OSError, KeyError, ValueError) as exc:
            if isinstance(exc, FileNotFoundError):
                raise
            raise InvalidInputError(f"{os.fspath(path)!r} is not a saved tabular agent: {exc}") from None
        if meta.get("format") != _FORMAT:
            raise InvalidInputError(f"{os.fspath(path)!r} is not a saved tabular agent")
        if meta["algorithm"] != cls._algorithm:
            raise InvalidInputError(f"{os.fspath(path)!r} holds a {meta['algorithm']} agent, not {cls.__name__}")
        agent = cls.__new__(cls)
        agent._restore(meta, q)
        if env is not None:
            agent.set_env(env)
        return agent

    def __getstate__(self) -> dict[str, Any]:
        return {"meta": self._saved(), "q": self.q_table}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._restore(state["meta"], state["q"])

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(n_states={self.n_states}, n_actions={self.n_actions}, "
            f"learning_rate={self.learning_rate}, gamma={self.gamma}, num_timesteps={self.num_timesteps})"
        )


_DOC = """{summary}

    Parameters
    ----------
    env : gymnasium environment
        Any environment with ``Discrete`` observation and action spaces (``reset(seed=...)`` and
        the five-value ``step``), e.g. ``gymnasium.make("FrozenLake-v1")`` or the built-in
        :class:`FrozenLakeEnv`, on which learning runs natively.
    learning_rate : float, default 0.1
        Step size α in (0, 1].
    gamma : float, default 0.99
        Discount factor in [0, 1].
    exploration_initial_eps, exploration_final_eps : float, default 1.0 and 0.05
        ε at the start and the end of the schedule, in [0, 1].
    exploration_fraction : float, default 0.1
        Fraction of each ``learn`` call over which ε falls linearly (stable-baselines3's
        schedule), in [0, 1].
    seed : int, optional
        Seeds exploration and the environment's first reset; the same seed gives the same
        Q table.

    Raises
    ------
    InvalidTypeError
        An environment whose spaces are not ``Discrete``.
    InvalidInputError
        Parameters out of range.

    Examples
    --------
    >>> from quantumpanarchy.intelligence import FrozenLakeEnv
    >>> agent = {name}(FrozenLakeEnv(is_slippery=False), learning_rate=0.5, seed=0)
    >>> agent.learn(total_timesteps=20_000).predict(14)
    (2, None)
    """


class QLearning(_TabularAgent):
    __doc__ = _DOC.format(
        summary="Q-learning (Watkins): off-policy TD control, target r + γ·max_a' Q(s', a').", name="QLearning"
    )
    _algorithm = "q_learning"


class Sarsa(_TabularAgent):
    __doc__ = _DOC.format(
        summary="SARSA: on-policy TD control, target r + γ·Q(s', a') for the ε-greedy action a' taken next.",
        name="Sarsa",
    )
    _algorithm = "sarsa"


class ExpectedSarsa(_TabularAgent):
    __doc__ = _DOC.format(
        summary="Expected SARSA: target r + γ·E_π[Q(s', A)] under the current ε-greedy policy π.",
        name="ExpectedSarsa",
    )
    _algorithm = "expected_sarsa"
