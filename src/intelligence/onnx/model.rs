//! [`OnnxModel`]: a parsed model, its declared inputs and outputs, and its plan cache.

use super::io::{type_text_of, Dim, IoInfo};
use super::load;
use super::plan::{Plan, Plans, Signature};
use crate::error::{Error, Result};
use std::collections::HashSet;
use std::sync::Arc;
use tract_onnx::prelude::*;

pub struct OnnxModel {
    /// The file as given: what a pickle carries.
    bytes: Arc<[u8]>,
    inputs: Vec<IoInfo>,
    outputs: Vec<IoInfo>,
    model: InferenceModel,
    plans: Plans,
}

impl std::fmt::Debug for OnnxModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OnnxModel").field("inputs", &self.inputs).field("outputs", &self.outputs).finish()
    }
}

impl OnnxModel {
    /// The model serialised in `bytes`: `InvalidInput` for bytes that are not a model, a model
    /// using an operator tract cannot run (named with its node), or a graph tract cannot read.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<OnnxModel> {
        let onnx = load::parser();
        let mut proto = load::decode(&onnx, &bytes)?;
        let graph = proto.graph.as_mut().ok_or_else(|| Error::InvalidInput("the ONNX model has no graph".into()))?;
        load::check_operators(&onnx, graph)?;
        load::relabel_binary_trees(graph);
        let graph = &*graph;
        // Graph inputs with an initialiser are weights (older exporters list them as inputs), as
        // tract and onnxruntime treat them.
        let weights: HashSet<&str> = graph.initializer.iter().map(|t| t.name.as_str()).collect();
        let inputs: Vec<IoInfo> =
            graph.input.iter().filter(|i| !weights.contains(i.name.as_str())).map(IoInfo::from_proto).collect();
        let outputs: Vec<IoInfo> = graph.output.iter().map(IoInfo::from_proto).collect();
        let model = load::to_model(&onnx, &proto)?;
        let sources = model.input_outlets().map(<[_]>::len).unwrap_or(usize::MAX);
        if sources != inputs.len() {
            return Err(Error::InvalidInput(format!(
                "the ONNX graph declares {} inputs but reads {sources} values nobody computes",
                inputs.len()
            )));
        }
        Ok(OnnxModel { bytes: bytes.into(), inputs, outputs, model, plans: Plans::default() })
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn inputs(&self) -> &[IoInfo] {
        &self.inputs
    }

    pub fn outputs(&self) -> &[IoInfo] {
        &self.outputs
    }

    /// Optimised plans cached now.
    pub fn cached_plans(&self) -> usize {
        self.plans.len()
    }

    /// Checks a value of element type `dt` and `shape` for input `ix` against the declaration:
    /// `InvalidType` for another element type, `InvalidInput` for another rank or a fixed
    /// dimension of another length (symbolic and unknown dimensions take any length).
    pub fn check_input(&self, ix: usize, dt: DatumType, shape: &[usize]) -> Result<()> {
        let info = &self.inputs[ix];
        let name = &info.name;
        match info.datum_type {
            Some(want) if want == dt => {}
            _ => {
                return Err(Error::InvalidType(format!(
                    "input '{name}' expects {}, got an array of {}",
                    info.type_text,
                    type_text_of(dt)
                )))
            }
        }
        if let Some(dims) = &info.shape {
            if dims.len() != shape.len() {
                return Err(Error::InvalidInput(format!(
                    "input '{name}' has rank {} (shape {}), got an array of shape {shape:?}",
                    dims.len(),
                    shape_text(dims)
                )));
            }
            for (axis, (d, &n)) in dims.iter().zip(shape).enumerate() {
                if let Dim::Fixed(want) = d {
                    if *want != n as i64 {
                        return Err(Error::InvalidInput(format!(
                            "input '{name}' has shape {}: dimension {axis} must be {want}, got an array of shape {shape:?}",
                            shape_text(dims)
                        )));
                    }
                }
            }
        }
        Ok(())
    }

    fn optimise(&self, key: &Signature) -> Result<Plan> {
        let fail = |e: TractError| {
            let shapes: Vec<String> = key.iter().map(|(dt, s)| format!("{} {s:?}", type_text_of(*dt))).collect();
            Error::InvalidInput(format!("the ONNX model cannot run on inputs of [{}]: {e:#}", shapes.join(", ")))
        };
        let mut model = self.model.clone();
        for (ix, (dt, shape)) in key.iter().enumerate() {
            model.set_input_fact(ix, InferenceFact::dt_shape(*dt, shape.clone())).map_err(fail)?;
        }
        model.into_optimized().and_then(|m| m.into_runnable()).map_err(fail)
    }

    /// Every output of the graph, in order, for `feed` (one tensor per input, in order, each
    /// passed by [`check_input`](Self::check_input)). The first call with a new signature
    /// optimises the graph for it.
    pub fn run(&self, feed: TVec<Tensor>) -> Result<TVec<TValue>> {
        if feed.len() != self.inputs.len() {
            return Err(Error::Internal(format!("{} inputs fed for {}", feed.len(), self.inputs.len())));
        }
        let same = |key: &Signature| {
            key.iter().zip(&feed).all(|((dt, shape), t)| *dt == t.datum_type() && shape.as_slice() == t.shape())
        };
        let key = || feed.iter().map(|t| (t.datum_type(), t.shape().into())).collect();
        let plan = self.plans.get_or_build(same, key, |k| self.optimise(k))?;
        let failed = |e: TractError| Error::InvalidInput(format!("the ONNX model failed: {e:#}"));
        let mut out = plan.run(feed.into_iter().map(Tensor::into_tvalue).collect()).map_err(failed)?;
        // tract computes some integer outputs (shapes, indices) as symbolic dimensions (TDim):
        // they leave as the element type the graph declares.
        for (value, info) in out.iter_mut().zip(&self.outputs) {
            if let Some(dt) = info.datum_type.filter(|&dt| dt != value.datum_type()) {
                *value = value.cast_to_dt(dt).map_err(failed)?.into_owned().into_tvalue();
            }
        }
        Ok(out)
    }
}

fn shape_text(dims: &[Dim]) -> String {
    let d: Vec<String> = dims
        .iter()
        .map(|d| match d {
            Dim::Fixed(n) => n.to_string(),
            Dim::Named(s) => s.clone(),
            Dim::Unknown => "?".into(),
        })
        .collect();
    format!("[{}]", d.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_not_a_model() {
        let e = OnnxModel::from_bytes(b"definitely not protobuf \xff\xff".to_vec()).unwrap_err();
        assert!(matches!(e, Error::InvalidInput(m) if m.starts_with("not a valid ONNX model")));
        assert!(OnnxModel::from_bytes(vec![]).is_err());
    }
}
