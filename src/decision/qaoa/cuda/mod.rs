//! The QAOA statevector on the GPU: the kernels (`qaoa.cu`), their host code (`simulator.rs`) and
//! their CPU-emulation check (`qaoa_check.cpp`). The device, NVRTC and the emulation harness come
//! from `backend::cuda`.

mod simulator;

pub use simulator::{qaoa_bytes_per_evaluation, QaoaSimulator};
