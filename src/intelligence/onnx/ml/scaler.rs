//! ONNX-ML `Scaler`: `Y = (X - offset) * scale`, float output, `offset` and `scale` of length 1
//! (every column) or of the last dimension's length. Wired as tract's own subtract and multiply,
//! so the optimiser fuses it with what follows.

use tract_onnx::model::ParsingContext;
use tract_onnx::pb::NodeProto;
use tract_onnx::tract_hir::internal::*;

#[derive(Debug, Clone, PartialEq)]
struct Scaler {
    offset: Vec<f32>,
    scale: Vec<f32>,
}

pub fn build(_ctx: &ParsingContext, node: &NodeProto) -> TractResult<(Box<dyn InferenceOp>, Vec<String>)> {
    let offset: Vec<f32> = node.get_attr_opt_vec("offset")?.unwrap_or_else(|| vec![0.0]);
    let scale: Vec<f32> = node.get_attr_opt_vec("scale")?.unwrap_or_else(|| vec![1.0]);
    node.expect_attr("offset", !offset.is_empty(), "at least one value")?;
    node.expect_attr("scale", !scale.is_empty(), "at least one value")?;
    Ok((expand(Scaler { offset, scale }), vec![]))
}

impl Scaler {
    /// `values` as a constant of `rank` that broadcasts along the last axis of an input of
    /// `width` columns.
    fn constant(&self, values: &[f32], rank: usize, width: Option<usize>) -> TractResult<Arc<Tensor>> {
        if let (Some(w), true) = (width, values.len() > 1) {
            ensure!(values.len() == w, "Scaler has {} coefficients for {} columns", values.len(), w);
        }
        Ok(tensor1(values).broadcast_into_rank(rank.max(1))?.into_arc_tensor())
    }
}

impl Expansion for Scaler {
    fn name(&self) -> StaticName {
        "Scaler".into()
    }

    fn rules<'r, 'p: 'r, 's: 'r>(
        &'s self,
        s: &mut Solver<'r>,
        inputs: &'p [TensorProxy],
        outputs: &'p [TensorProxy],
    ) -> InferenceResult {
        check_input_arity(inputs, 1)?;
        check_output_arity(outputs, 1)?;
        s.equals(&outputs[0].datum_type, DatumType::F32)?;
        s.equals(&outputs[0].shape, &inputs[0].shape)?;
        Ok(())
    }

    fn wire(&self, prefix: &str, model: &mut TypedModel, inputs: &[OutletId]) -> TractResult<TVec<OutletId>> {
        let mut x = inputs[0];
        let fact = model.outlet_fact(x)?.clone();
        if fact.datum_type != f32::datum_type() {
            x = model.wire_node(format!("{prefix}.to_f32"), tract_core::ops::cast::cast(f32::datum_type()), &[x])?[0];
        }
        let rank = fact.rank();
        let width = fact.shape.last().and_then(|d| d.to_usize().ok());
        let offset = model.add_const(format!("{prefix}.offset"), self.constant(&self.offset, rank, width)?)?;
        let scale = model.add_const(format!("{prefix}.scale"), self.constant(&self.scale, rank, width)?)?;
        let y = model.wire_node(format!("{prefix}.sub"), tract_core::ops::math::sub(), &[x, offset])?[0];
        model.wire_node(format!("{prefix}.mul"), tract_core::ops::math::mul(), &[y, scale])
    }
}
