//! `quantumpanarchy.intelligence`: ONNX inference and reinforcement learning (agents, bandits, a
//! trading environment). Plain Rust, no PyO3: the bindings are in `src/python/intelligence/`.
//! One module per part, listed here.

pub mod onnx;
pub mod rl;
