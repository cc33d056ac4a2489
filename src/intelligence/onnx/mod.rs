//! ONNX inference on tract (`quantumpanarchy.intelligence.OnnxModel`): a model read once from its
//! bytes, its graph inputs and outputs described as onnxruntime describes them, and runs on plans
//! that tract optimised for the concrete input shapes they were asked with.
//!
//! tract optimises a graph only when its shapes are concrete, so one [`plan::Plans`] per model keeps
//! the optimised plans of the last few input-shape signatures (a model called with batch 1 and
//! batch 1024 keeps both), and a call on a known signature goes straight to its plan.

mod io;
mod load;
mod ml;
mod model;
mod plan;

pub use io::{Dim, IoInfo};
pub use model::OnnxModel;
pub use tract_onnx::prelude::{DatumType, Tensor};
