"""Environments stepped in Rust with gymnasium's API: :class:`FrozenLakeEnv` (gymnasium
FrozenLake-v1's transition model) and :class:`TradingEnv` (positions over a price series).

With gymnasium installed they are ``gymnasium.Env`` subclasses with ``gymnasium.spaces`` spaces,
registered as ``quantumpanarchy/FrozenLake-v1`` and ``quantumpanarchy/TradingEnv-v0``; without
it they keep the same API on a small built-in base and spaces. See ``docs/intelligence-rl.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, SupportsFloat

import numpy as np
import numpy.typing as npt

from .._decision._params import check_finite_real, check_int, check_real
from .._native import intelligence as _native
from .._validation import as_float_array
from ..exceptions import InvalidInputError, InvalidTypeError

__all__ = ["FrozenLakeEnv", "TradingEnv"]

MAPS: dict[str, list[str]] = {
    "4x4": ["SFFF", "FHFH", "FFFH", "HFFG"],
    "8x8": ["SFFFFFFF", "FFFFFFFF", "FFFHFFFF", "FFFFFHFF", "FFFHFFFF", "FHHFFFHF", "FHFFHFHF", "FFFHFFFG"],
}


class _Discrete:
    """``gymnasium.spaces.Discrete`` where gymnasium is not installed: ``{0, ..., n-1}``."""

    def __init__(self, n: int, seed: int | None = None) -> None:
        self.n = n
        self.start = 0
        self.shape: tuple[int, ...] = ()
        self.dtype = np.dtype(np.int64)
        self._rng = np.random.default_rng(seed)

    def seed(self, seed: int | None = None) -> None:
        self._rng = np.random.default_rng(seed)

    def sample(self) -> np.int64:
        drawn: np.int64 = np.int64(int(self._rng.integers(self.n)))
        return drawn

    def contains(self, x: Any) -> bool:
        try:
            return bool(0 <= int(x) < self.n and int(x) == x)
        except (TypeError, ValueError):
            return False

    def __repr__(self) -> str:
        return f"Discrete({self.n})"


class _Box:
    """``gymnasium.spaces.Box`` where gymnasium is not installed: finite float32 vectors."""

    def __init__(self, size: int) -> None:
        self.shape = (size,)
        self.dtype = np.dtype(np.float32)
        self.low = np.full(size, np.finfo(np.float32).min, dtype=np.float32)
        self.high = np.full(size, np.finfo(np.float32).max, dtype=np.float32)
        self._rng = np.random.default_rng()

    def seed(self, seed: int | None = None) -> None:
        self._rng = np.random.default_rng(seed)

    def sample(self) -> npt.NDArray[np.float32]:
        return self._rng.standard_normal(self.shape).astype(np.float32)

    def contains(self, x: Any) -> bool:
        a = np.asarray(x)
        return bool(a.shape == self.shape and np.all(np.isfinite(a)))

    def __repr__(self) -> str:
        return f"Box(float32 range, {self.shape}, float32)"


class _PlainEnv:
    """The part of ``gymnasium.Env`` the environments use, where gymnasium is not installed."""

    metadata: dict[str, Any] = {"render_modes": []}  # noqa: RUF012 - gymnasium.Env's attribute
    spec: Any = None
    render_mode: str | None = None
    _np_random: np.random.Generator | None = None

    @property
    def np_random(self) -> np.random.Generator:
        if self._np_random is None:
            self._np_random = np.random.default_rng()
        return self._np_random

    @property
    def unwrapped(self) -> Any:
        return self

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> Any:
        if seed is not None:
            self._np_random = np.random.default_rng(seed)
        return None

    def close(self) -> None:
        return None


try:
    import gymnasium as _gym
    from gymnasium import spaces as _spaces

    _Base: Any = _gym.Env
    HAS_GYMNASIUM = True
except ImportError:  # gymnasium is optional: the environments keep its API without it
    _Base = _PlainEnv
    HAS_GYMNASIUM = False


def _discrete(n: int) -> Any:
    return _spaces.Discrete(n) if HAS_GYMNASIUM else _Discrete(n)


#: The observation bound: every float32 value (observations are checked to fit in float32).
F32_MAX = float(np.finfo(np.float32).max)


def _box(size: int) -> Any:
    if HAS_GYMNASIUM:
        return _spaces.Box(low=-F32_MAX, high=F32_MAX, shape=(size,), dtype=np.float32)
    return _Box(size)


def _check_render_mode(render_mode: Any) -> str | None:
    if render_mode not in (None, "ansi"):
        raise InvalidInputError(f"render_mode must be None or 'ansi', got {render_mode!r}")
    return None if render_mode is None else "ansi"


def _reset_seed(seed: Any) -> int | None:
    """A ``reset`` seed checked as the library checks seeds (gymnasium's own check raises its
    own error type)."""
    return None if seed is None else check_int(seed, "seed", 0)


def _native_seed(env: Any, seed: int | None) -> int | None:
    """The seed for the native generator at a reset: the caller's, or on a first reset without
    one, a draw from the (entropy-seeded) ``np_random``; None keeps the stream going."""
    if seed is not None:
        return seed % 2**64
    if not env._seeded:
        return int(env.np_random.integers(2**63))
    return None


def _action(action: Any, n: int) -> int:
    if isinstance(action, np.ndarray) and action.shape == ():
        action = action.item()
    a = check_int(action, "action")
    if not 0 <= a < n:
        raise InvalidInputError(f"action must be in [0, {n}), got {a}")
    return a


class FrozenLakeEnv(_Base):  # type: ignore[misc]
    """FrozenLake with gymnasium FrozenLake-v1's transition model, stepped in Rust.

    The agent crosses a frozen lake from S to G over frozen cells F, avoiding holes H. Actions:
    0 left, 1 down, 2 right, 3 up; a move into the edge stays put. On a slippery lake the
    intended move happens with probability ``success_rate`` and each perpendicular move with half
    the rest. Entering G pays ``reward_schedule[0]``, entering H ``reward_schedule[1]``, any other
    cell ``reward_schedule[2]``; entering G or H ends the episode. Observations are
    ``row * ncol + col``. The episode is truncated after ``max_episode_steps`` steps (gymnasium
    applies the same limit through ``gymnasium.make``'s ``TimeLimit``).

    Parameters
    ----------
    render_mode : {None, "ansi"}
        ``"ansi"``: :meth:`render` returns the map as text with the agent's cell in brackets.
    desc : sequence of str, optional
        A custom map, one string per row over the letters S, F, H, G (at least one S).
    map_name : {"4x4", "8x8"}, default "4x4"
        gymnasium's maps, used when ``desc`` is None.
    is_slippery : bool, default True
    success_rate : float, default 1/3
        Probability of the intended move on a slippery lake, in [0, 1].
    reward_schedule : (float, float, float), default (1, 0, 0)
        Rewards for entering a goal, a hole, any other cell.
    max_episode_steps : int, optional
        Default 100 for maps of at most 16 cells (FrozenLake-v1), 200 for larger ones
        (FrozenLake8x8-v1).

    Raises
    ------
    InvalidInputError
        A ragged map, a letter other than S/F/H/G, no start cell, an unknown ``map_name``, a
        ``success_rate`` outside [0, 1], non-finite rewards, ``max_episode_steps`` < 1.

    Examples
    --------
    >>> env = FrozenLakeEnv(is_slippery=False)
    >>> env.reset(seed=0)
    (0, {'prob': 1.0})
    >>> env.step(2)[:3]
    (1, 0.0, False)
    """

    metadata: dict[str, Any] = {"render_modes": ["ansi"], "render_fps": 4}  # noqa: RUF012 - gymnasium.Env's attribute

    def __init__(
        self,
        render_mode: str | None = None,
        desc: Sequence[str] | None = None,
        map_name: str = "4x4",
        is_slippery: bool = True,
        success_rate: float = 1.0 / 3.0,
        reward_schedule: tuple[float, float, float] = (1.0, 0.0, 0.0),
        max_episode_steps: int | None = None,
    ) -> None:
        self.render_mode = _check_render_mode(render_mode)
        if desc is None:
            if not isinstance(map_name, str) or map_name not in MAPS:
                raise InvalidInputError(f"map_name must be '4x4' or '8x8' (or give desc), got {map_name!r}")
            rows = list(MAPS[map_name])
        else:
            if isinstance(desc, (str, bytes)) or not hasattr(desc, "__iter__"):
                raise InvalidTypeError(f"desc must be a sequence of row strings, got {type(desc).__name__}")
            rows = [r.decode() if isinstance(r, bytes) else r for r in (_row(x) for x in desc)]
        schedule = tuple(check_finite_real(v, "reward_schedule") for v in _sequence(reward_schedule, "reward_schedule"))
        if len(schedule) != 3:
            raise InvalidInputError(f"reward_schedule must hold 3 rewards (goal, hole, frozen), got {len(schedule)}")
        rate = check_real(success_rate, "success_rate")
        cells = len(rows) * (len(rows[0]) if rows else 0)
        limit = (
            (100 if cells <= 16 else 200)
            if max_episode_steps is None
            else check_int(max_episode_steps, "max_episode_steps", 1)
        )
        self._args: dict[str, Any] = {
            "desc": rows,
            "is_slippery": bool(is_slippery),
            "success_rate": rate,
            "reward_schedule": schedule,
            "max_episode_steps": limit,
        }
        self._core = _native.FrozenLakeCore(rows, bool(is_slippery), rate, list(schedule), limit, 0)
        self._seeded = False
        self.desc = np.asarray(rows, dtype="c")
        self.nrow, self.ncol = (int(v) for v in self._core.shape)
        self.observation_space = _discrete(self.nrow * self.ncol)
        self.action_space = _discrete(4)
        self.lastaction: int | None = None

    @property
    def max_episode_steps(self) -> int:
        """Steps after which an episode is truncated."""
        return int(self._args["max_episode_steps"])

    @property
    def is_slippery(self) -> bool:
        return bool(self._args["is_slippery"])

    @property
    def s(self) -> int:
        """The current state."""
        return int(self._core.state)

    @property
    def P(self) -> dict[int, dict[int, list[tuple[float, int, float, bool]]]]:  # noqa: N802 - gymnasium's name
        """The transition model as gymnasium's ``P``: ``P[s][a]`` lists ``(prob, next_state,
        reward, terminated)``."""
        model = self._core.model()
        return {s: {a: [tuple(t) for t in outs] for a, outs in enumerate(acts)} for s, acts in enumerate(model)}

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
        """Start an episode; ``seed`` reseeds the slips (as gymnasium's ``reset(seed=...)``)."""
        seed = _reset_seed(seed)
        super().reset(seed=seed)
        native = _native_seed(self, seed)
        if native is not None:
            self._core.reseed(native)
            self._seeded = True
        self.lastaction = None
        return int(self._core.reset()), {"prob": 1.0}

    def step(self, action: Any) -> tuple[int, float, bool, bool, dict[str, Any]]:
        """Take ``action``: ``(observation, reward, terminated, truncated, {"prob": p})``."""
        a = _action(action, 4)
        s, r, terminated, truncated, p = self._core.step(a)
        self.lastaction = a
        return int(s), float(r), bool(terminated), bool(truncated), {"prob": float(p)}

    def render(self) -> str | None:
        """The map as text with the agent's cell in brackets (``render_mode="ansi"``)."""
        if self.render_mode is None:
            return None
        s = self.s
        lines = []
        for r in range(self.nrow):
            row = self._args["desc"][r]
            lines.append("".join(f"[{c}]" if r * self.ncol + k == s else f" {c} " for k, c in enumerate(row)))
        return "\n".join(lines) + "\n"

    def __getstate__(self) -> dict[str, Any]:
        return {
            "args": self._args,
            "render_mode": self.render_mode,
            "position": self._core.position(),
            "seeded": self._seeded,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        FrozenLakeEnv.__init__(self, render_mode=state["render_mode"], **state["args"])
        s, steps, rng = state["position"]
        self._core.restore(s, steps, list(rng))
        self._seeded = state["seeded"]

    def __repr__(self) -> str:
        return (
            f"FrozenLakeEnv(map={self.nrow}x{self.ncol}, is_slippery={self.is_slippery}, "
            f"max_episode_steps={self.max_episode_steps})"
        )


def _sequence(x: Any, name: str) -> list[Any]:
    """``x`` as a list, or :class:`InvalidTypeError` for what is not a sequence of values."""
    if isinstance(x, (str, bytes, dict)) or not hasattr(x, "__iter__"):
        raise InvalidTypeError(f"{name} must be a sequence of numbers, got {type(x).__name__}")
    return list(np.asarray(x).ravel()) if isinstance(x, np.ndarray) else list(x)


def _row(x: Any) -> str:
    if isinstance(x, bytes):
        return x.decode("ascii", errors="replace")
    if isinstance(x, str):
        return x
    if isinstance(x, (list, tuple, np.ndarray)):
        return "".join(c.decode() if isinstance(c, bytes) else str(c) for c in x)
    raise InvalidTypeError(f"desc rows must be strings, got {type(x).__name__}")


_REWARDS = ("pnl", "log_return", "differential_sharpe", "sharpe")


class TradingEnv(_Base):  # type: ignore[misc]
    """Trading one asset over a price series, stepped in Rust.

    At step t (price index t, from ``window`` to the end of the series) the agent chooses a
    position p' for the next period; it pays ``transaction_cost · |p' − p|`` (a fraction of
    equity) and earns ``p' · (P[t+1]/P[t] − 1)``. Equity starts at 1 and compounds. An episode
    ends (truncated) at the end of the series or after ``max_episode_steps``; it terminates if the
    account is wiped out (growth factor ≤ 1e-8 in one step).

    Observation (float32 vector, a ``Box``): the last ``window`` log returns ln(P[i]/P[i−1]) up to
    t, the ``window`` rows of ``features`` up to t (row-major), then the current position.

    Parameters
    ----------
    prices : array-like, 1-D
        Positive, finite prices; at least ``window + 2`` of them.
    features : array-like, optional
        Extra observations, one row per price (1-D: one feature), finite.
    window : int, default 10
        Number of past returns (and feature rows) observed, ≥ 1.
    positions : sequence of float or None, default (-1, 0, 1)
        Action k sets the position to ``positions[k]`` (short / flat / long); each must lie
        within ±``max_position``. None: three actions sell / hold / buy of ``trade_size`` units,
        the position clipped to ±``max_position``.
    trade_size : float, default 1.0
        Units traded by sell / buy when ``positions`` is None.
    max_position : float, default 1.0
        The position limit.
    transaction_cost : float, default 0.001
        Proportional cost per unit of position traded, in [0, 1).
    reward : {"pnl", "log_return", "differential_sharpe"}, default "pnl"
        The change of equity; the log growth of equity (ln 1e-8 on a wipe-out); or Moody and
        Saffell's differential Sharpe ratio of the period returns (``"sharpe"`` also names it),
        0 until the returns have some spread.
    sharpe_eta : float, default 0.01
        The moving averages' rate for the differential Sharpe ratio, in (0, 1].
    max_episode_steps : int, optional
        Steps after which an episode is truncated (default: the rest of the series).
    render_mode : {None, "ansi"}

    Raises
    ------
    InvalidInputError
        Empty, non-finite or non-positive prices, too short a series, features of the wrong
        length or non-finite, an unknown reward, out-of-range parameters, positions beyond the
        limit.

    Examples
    --------
    >>> env = TradingEnv([100.0, 101.0, 102.0, 101.0, 103.0], window=2, transaction_cost=0.0)
    >>> obs, info = env.reset(seed=0)
    >>> obs.shape
    (3,)
    >>> round(env.step(2)[1], 6)   # long for the move from 102 to 101
    -0.009804
    """

    metadata: dict[str, Any] = {"render_modes": ["ansi"], "render_fps": 4}  # noqa: RUF012 - gymnasium.Env's attribute

    def __init__(
        self,
        prices: Any,
        features: Any = None,
        *,
        window: int = 10,
        positions: Sequence[float] | None = (-1.0, 0.0, 1.0),
        trade_size: float = 1.0,
        max_position: float = 1.0,
        transaction_cost: float = 0.001,
        reward: str = "pnl",
        sharpe_eta: float = 0.01,
        max_episode_steps: int | None = None,
        render_mode: str | None = None,
    ) -> None:
        self.render_mode = _check_render_mode(render_mode)
        p = as_float_array(prices, "prices", 1, False)
        if features is None:
            f = np.zeros((p.shape[0], 0))
        else:
            f = as_float_array(features, "features", -1, True)
            if f.ndim == 1:
                f = f.reshape(-1, 1)
        if not isinstance(reward, str):
            raise InvalidTypeError(f"reward must be a string, got {type(reward).__name__}")
        if reward not in _REWARDS:
            raise InvalidInputError(f"reward must be 'pnl', 'log_return' or 'differential_sharpe', got {reward!r}")
        w = check_int(window, "window", 1)
        if w + 2 > p.shape[0]:
            raise InvalidInputError(
                f"prices needs at least window + 2 = {w + 2} values (window returns and one step), got {p.shape[0]}"
            )
        pos = None if positions is None else [check_real(v, "positions") for v in _sequence(positions, "positions")]
        steps = None if max_episode_steps is None else check_int(max_episode_steps, "max_episode_steps", 1)
        if steps is not None:
            steps = min(steps, p.shape[0])  # a limit beyond the series is the series' end
        args: dict[str, Any] = {
            "window": w,
            "positions": pos,
            "trade_size": check_real(trade_size, "trade_size"),
            "max_position": check_real(max_position, "max_position"),
            "transaction_cost": check_real(transaction_cost, "transaction_cost"),
            "reward": reward,
            "sharpe_eta": check_real(sharpe_eta, "sharpe_eta"),
            "max_episode_steps": steps,
        }
        # observations are float32: values beyond its range would leave the observation space
        if f.size and np.all(np.isfinite(f)) and float(np.abs(f).max()) > F32_MAX:
            raise InvalidInputError("features must fit in float32 (|x| < 3.4e38): observations are float32")
        if abs(args["max_position"]) > F32_MAX:
            raise InvalidInputError(f"max_position must fit in float32, got {args['max_position']}")
        if f.shape[0] != p.shape[0]:
            raise InvalidInputError(f"features must have one row per price ({p.shape[0]}), got shape {f.shape}")
        self._core = _native.TradingCore(
            p,
            f,
            w,
            pos,
            args["trade_size"],
            args["max_position"],
            args["transaction_cost"],
            reward,
            args["sharpe_eta"],
            steps,
        )
        self._args = args
        self._seeded = False
        self.observation_space = _box(int(self._core.obs_len))
        self.action_space = _discrete(int(self._core.n_actions))

    @property
    def prices(self) -> npt.NDArray[np.float64]:
        """A copy of the price series."""
        out: npt.NDArray[np.float64] = self._core.prices()
        return out

    @property
    def episode_length(self) -> int:
        """Steps an episode takes when the account survives."""
        return int(self._core.episode_length)

    def _info(self, position: float, equity: float, cost: float, period: float, t: int) -> dict[str, Any]:
        return {"position": position, "equity": equity, "cost": cost, "period_return": period, "t": t}

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[npt.NDArray[np.float32], dict[str, Any]]:
        """Start an episode at price index ``window``, flat, with equity 1."""
        super().reset(seed=_reset_seed(seed))
        self._seeded = True  # the episode's start does not depend on a generator
        obs = self._core.reset()
        return obs, self._info(0.0, 1.0, 0.0, 0.0, int(self._args["window"]))

    def step(self, action: Any) -> tuple[npt.NDArray[np.float32], SupportsFloat, bool, bool, dict[str, Any]]:
        """Take ``action``: ``(observation, reward, terminated, truncated, info)``; ``info`` holds
        ``position``, ``equity``, ``cost``, ``period_return`` and ``t``."""
        a = _action(action, int(self._core.n_actions))
        obs, reward, terminated, truncated, (pos, equity, cost, period, t) = self._core.step(a)
        return obs, float(reward), bool(terminated), bool(truncated), self._info(pos, equity, cost, period, int(t))

    def render(self) -> str | None:
        """One line: price index, price, position and equity (``render_mode="ansi"``)."""
        if self.render_mode is None:
            return None
        t, position, equity, *_ = self._core.position()
        price = float(self.prices[t])
        return f"t={t} price={price:.6g} position={position:+.4g} equity={equity:.6g}\n"

    def __getstate__(self) -> dict[str, Any]:
        return {
            "prices": self._core.prices(),
            "features": self._core.features(),
            "args": self._args,
            "render_mode": self.render_mode,
            "position": self._core.position(),
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        feats = state["features"]
        TradingEnv.__init__(
            self, state["prices"], feats if feats.shape[1] else None, render_mode=state["render_mode"], **state["args"]
        )
        self._core.restore(tuple(state["position"]))

    def __repr__(self) -> str:
        a = self._args
        n = len(self.prices)
        return (
            f"TradingEnv(prices={n}, window={a['window']}, actions={int(self._core.n_actions)}, "
            f"transaction_cost={a['transaction_cost']}, reward={a['reward']!r})"
        )


def _register() -> None:
    """Register the environments with gymnasium under the ``quantumpanarchy/`` namespace."""
    if not HAS_GYMNASIUM:
        return
    for env_id, entry in (
        ("quantumpanarchy/FrozenLake-v1", "quantumpanarchy.intelligence:FrozenLakeEnv"),
        ("quantumpanarchy/TradingEnv-v0", "quantumpanarchy.intelligence:TradingEnv"),
    ):
        if env_id not in _gym.registry:
            _gym.register(id=env_id, entry_point=entry)


_register()
