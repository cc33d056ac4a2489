"""Intelligence: ONNX inference in Rust and reinforcement-learning agents with a trading environment."""

# Everything is typed where it is implemented (python/quantumpanarchy/_intelligence/, one module
# per part); this stub re-exports it, one line per name, grouped by part.

from ._intelligence.onnx import NodeArg as NodeArg
from ._intelligence.onnx import OnnxModel as OnnxModel
from ._intelligence.rl_agents import ExpectedSarsa as ExpectedSarsa
from ._intelligence.rl_agents import QLearning as QLearning
from ._intelligence.rl_agents import Sarsa as Sarsa
from ._intelligence.rl_bandits import UCB1 as UCB1
from ._intelligence.rl_bandits import BanditRun as BanditRun
from ._intelligence.rl_bandits import EpsilonGreedy as EpsilonGreedy
from ._intelligence.rl_bandits import LinUCB as LinUCB
from ._intelligence.rl_bandits import ThompsonSampling as ThompsonSampling
from ._intelligence.rl_envs import FrozenLakeEnv as FrozenLakeEnv
from ._intelligence.rl_envs import TradingEnv as TradingEnv

__all__: list[str] = [
    "UCB1",
    "BanditRun",
    "EpsilonGreedy",
    "ExpectedSarsa",
    "FrozenLakeEnv",
    "LinUCB",
    "NodeArg",
    "OnnxModel",
    "QLearning",
    "Sarsa",
    "ThompsonSampling",
    "TradingEnv",
]
