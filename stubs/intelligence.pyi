"""Intelligence: ONNX inference in Rust and reinforcement-learning agents with a trading environment."""

# Everything is typed where it is implemented (python/quantumpanarchy/_intelligence/, one module
# per part); this stub re-exports it, one line per name, grouped by part.

from ._intelligence.onnx import NodeArg as NodeArg
from ._intelligence.onnx import OnnxModel as OnnxModel

__all__: list[str] = [
    "NodeArg",
    "OnnxModel",
]
