//! ONNX-ML `TreeEnsembleRegressor` (ai.onnx.ml opset 1 and 3 attributes, float thresholds): the
//! parser's builder, the inference-time rules and the typed operator that evaluates
//! [`Forest`] over a batch of rows.

use super::forest::{Aggregate, Forest, Mode, NodeSpec, PostTransform, WeightSpec};
use ndarray::{Array2, Ix2};
use tract_onnx::model::ParsingContext;
use tract_onnx::pb::NodeProto;
use tract_onnx::tract_hir::internal::*;

pub fn build(_ctx: &ParsingContext, node: &NodeProto) -> TractResult<(Box<dyn InferenceOp>, Vec<String>)> {
    if let Some(a) = node.attribute.iter().find(|a| a.name.ends_with("_as_tensor")) {
        bail!("attribute {} (double-precision thresholds) is not supported", a.name);
    }
    let ids: Vec<i64> = node.get_attr_vec("nodes_nodeids")?;
    let n = ids.len();
    let same_len = |name: &str, len: usize| node.expect_attr(name, len == n, || format!("{n} values, got {len}"));
    let trees: Vec<i64> = node.get_attr_vec("nodes_treeids")?;
    let features: Vec<i64> = node.get_attr_vec("nodes_featureids")?;
    let thresholds: Vec<f32> = node.get_attr_opt_vec("nodes_values")?.unwrap_or_else(|| vec![0.0; n]);
    let true_ids: Vec<i64> = node.get_attr_vec("nodes_truenodeids")?;
    let false_ids: Vec<i64> = node.get_attr_vec("nodes_falsenodeids")?;
    let modes: TVec<&str> = node.get_attr_tvec("nodes_modes")?;
    let nan_true: Vec<i64> = node.get_attr_opt_vec("nodes_missing_value_tracks_true")?.unwrap_or_else(|| vec![0; n]);
    for (name, len) in [
        ("nodes_treeids", trees.len()),
        ("nodes_featureids", features.len()),
        ("nodes_values", thresholds.len()),
        ("nodes_truenodeids", true_ids.len()),
        ("nodes_falsenodeids", false_ids.len()),
        ("nodes_modes", modes.len()),
        ("nodes_missing_value_tracks_true", nan_true.len()),
    ] {
        same_len(name, len)?;
    }
    let mut nodes = Vec::with_capacity(n);
    for k in 0..n {
        let mode = Mode::parse(modes[k]).ok_or_else(|| format_err!("unknown node mode {}", modes[k]))?;
        nodes.push(NodeSpec {
            tree: trees[k],
            id: ids[k],
            mode,
            feature: features[k],
            threshold: thresholds[k] as f64,
            nan_true: nan_true[k] != 0,
            true_id: true_ids[k],
            false_id: false_ids[k],
        });
    }
    let t_trees: Vec<i64> = node.get_attr_vec("target_treeids")?;
    let t_nodes: Vec<i64> = node.get_attr_vec("target_nodeids")?;
    let t_ids: Vec<i64> = node.get_attr_vec("target_ids")?;
    let t_weights: Vec<f32> = node.get_attr_vec("target_weights")?;
    let m = t_trees.len();
    node.expect(
        t_nodes.len() == m && t_ids.len() == m && t_weights.len() == m,
        "target_treeids, target_nodeids, target_ids and target_weights of one length",
    )?;
    let leaves = (0..m)
        .map(|k| WeightSpec { tree: t_trees[k], node: t_nodes[k], target: t_ids[k], weight: t_weights[k] as f64 })
        .collect();
    let n_targets: i64 = node.get_attr_opt("n_targets")?.unwrap_or(1);
    node.expect_attr("n_targets", (1..=1 << 20).contains(&n_targets), "between 1 and 2^20")?;
    let aggregate = match node.get_attr_opt("aggregate_function")?.unwrap_or("SUM") {
        "SUM" => Aggregate::Sum,
        "AVERAGE" => Aggregate::Average,
        "MIN" => Aggregate::Min,
        "MAX" => Aggregate::Max,
        other => bail!("unknown aggregate_function {other}"),
    };
    let post = match node.get_attr_opt("post_transform")?.unwrap_or("NONE") {
        "NONE" => PostTransform::None,
        "LOGISTIC" => PostTransform::Logistic,
        "SOFTMAX" => PostTransform::Softmax,
        other => bail!("post_transform {other} is not supported"),
    };
    let base: Vec<f64> =
        node.get_attr_opt_vec::<f32>("base_values")?.unwrap_or_default().into_iter().map(f64::from).collect();
    let forest =
        Forest::new(nodes, leaves, n_targets as usize, aggregate, base, post).map_err(|e| format_err!("{e}"))?;
    Ok((expand(TreeRegressor { forest: Arc::new(forest) }), vec![]))
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct TreeRegressor {
    forest: Arc<Forest>,
}

impl Expansion for TreeRegressor {
    fn name(&self) -> StaticName {
        "TreeEnsembleRegressor".into()
    }

    fn rules<'r, 'p: 'r, 's: 'r>(
        &'s self,
        s: &mut Solver<'r>,
        inputs: &'p [TensorProxy],
        outputs: &'p [TensorProxy],
    ) -> InferenceResult {
        check_input_arity(inputs, 1)?;
        check_output_arity(outputs, 1)?;
        s.equals(&inputs[0].rank, 2)?;
        s.equals(&outputs[0].datum_type, DatumType::F32)?;
        s.equals(&outputs[0].rank, 2)?;
        s.equals(&outputs[0].shape[0], &inputs[0].shape[0])?;
        s.equals(&outputs[0].shape[1], self.forest.n_targets().to_dim())?;
        Ok(())
    }

    fn wire(&self, prefix: &str, model: &mut TypedModel, inputs: &[OutletId]) -> TractResult<TVec<OutletId>> {
        model.wire_node(prefix, ForestOp { forest: self.forest.clone() }, inputs)
    }
}

/// The typed operator: `[N, F]` rows of any real or integer type in, `[N, targets]` float scores out.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ForestOp {
    forest: Arc<Forest>,
}

impl Op for ForestOp {
    fn name(&self) -> StaticName {
        "TreeEnsembleRegressor".into()
    }

    op_as_typed_op!();
}

impl EvalOp for ForestOp {
    op_out_of_plan!();

    fn eval(&self, _ctx: &EvalContext, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let input = args_1!(inputs);
        // Float features widen to f64 exactly, so comparisons with the float thresholds are
        // the ones onnxruntime makes in float.
        let x = input.cast_to::<f64>()?;
        let x = x.to_plain_array_view::<f64>()?.into_dimensionality::<Ix2>()?;
        let (rows, width) = x.dim();
        ensure!(
            width >= self.forest.n_features(),
            "TreeEnsembleRegressor reads feature {} of rows of {width}",
            self.forest.n_features() - 1
        );
        let targets = self.forest.n_targets();
        let mut out = Array2::<f32>::zeros((rows, targets));
        let mut row = vec![0.0f64; width];
        for (x, mut o) in x.outer_iter().zip(out.outer_iter_mut()) {
            row.iter_mut().zip(x.iter()).for_each(|(r, v)| *r = *v);
            let o = o.as_slice_mut().expect("a row of a fresh standard-layout array");
            self.forest.eval_row(&row, o).map_err(|e| format_err!("{e}"))?;
        }
        Ok(tvec!(Tensor::from(out).into_tvalue()))
    }
}

impl TypedOp for ForestOp {
    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        ensure!(inputs[0].rank() == 2, "TreeEnsembleRegressor needs a 2-D input");
        Ok(tvec!(f32::fact(&[inputs[0].shape[0].clone(), self.forest.n_targets().to_dim()])))
    }

    as_op!();
}
