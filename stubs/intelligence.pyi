"""Intelligence: ONNX inference in Rust and reinforcement-learning agents with a trading environment."""

__all__: list[str]
