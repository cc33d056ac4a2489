"""Intelligence: ONNX inference in Rust and reinforcement-learning agents with a trading environment.

This namespace is part of the public layout; its engines arrive in later releases, so it
exports nothing yet."""

from __future__ import annotations

__all__: list[str] = []
