"""Intelligence: ONNX inference in Rust and reinforcement-learning agents with a trading environment.

This namespace is part of the public layout; its engines arrive in later releases, so it
exports nothing yet."""

from ._help import public_dir

__all__: list[str] = []
__dir__ = public_dir(__all__)
