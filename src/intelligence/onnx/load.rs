//! Reading a model: the protobuf decoded, every operator checked against what tract (with our
//! `ai.onnx.ml` additions) implements before tract builds anything, so an unsupported model fails
//! with the operator's name and node rather than an error from deep inside tract's analysis.

use super::ml;
use crate::error::{Error, Result};
use tract_onnx::pb::{attribute_proto::AttributeType, AttributeProto, GraphProto, ModelProto, NodeProto, TensorProto};
use tract_onnx::prelude::*;
use tract_onnx::Onnx;

/// Operator domains tract reads: the standard set, ONNX-ML and onnxruntime's contrib set. A node
/// of any other domain would otherwise be matched by its name alone (tract's register ignores
/// domains), so `com.example::Relu` would silently run as the standard `Relu`.
const DOMAINS: [&str; 4] = ["", "ai.onnx", "ai.onnx.ml", "com.microsoft"];

/// tract's ONNX parser with our operators registered.
pub fn parser() -> Onnx {
    let mut onnx = tract_onnx::onnx();
    ml::register(&mut onnx.op_register);
    onnx
}

/// The model protobuf in `bytes`, or `InvalidInput` saying it is not one.
pub fn decode(onnx: &Onnx, bytes: &[u8]) -> Result<ModelProto> {
    let proto = onnx
        .proto_model_for_read(&mut &bytes[..])
        .map_err(|e| Error::InvalidInput(format!("not a valid ONNX model ({} bytes): {e:#}", bytes.len())))?;
    if proto.graph.is_none() {
        return Err(Error::InvalidInput(format!("not a valid ONNX model ({} bytes): it has no graph", bytes.len())));
    }
    Ok(proto)
}

fn hint(op: &str) -> &'static str {
    match op {
        "ZipMap" => {
            ": it returns a sequence of maps; export scikit-learn classifiers with skl2onnx's \
             options={id(model): {\"zipmap\": False}} to get the probabilities as a tensor"
        }
        _ => "",
    }
}

/// `InvalidInput` naming the first node (in `graph` or a subgraph of it) whose operator is not
/// implemented.
pub fn check_operators(onnx: &Onnx, graph: &GraphProto) -> Result<()> {
    for node in &graph.node {
        let known = DOMAINS.contains(&node.domain.as_str()) && onnx.op_register.0.contains_key(&node.op_type);
        if !known {
            let domain = if node.domain.is_empty() { "ai.onnx" } else { &node.domain };
            let name = if node.name.is_empty() { node.output.first().map_or("", String::as_str) } else { &node.name };
            return Err(Error::InvalidInput(format!(
                "unsupported ONNX operator {domain}::{} in node '{name}': tract-onnx does not implement it{}",
                node.op_type,
                hint(&node.op_type)
            )));
        }
        for attr in &node.attribute {
            for g in attr.g.iter().chain(&attr.graphs) {
                check_operators(onnx, g)?;
            }
        }
    }
    Ok(())
}

/// The graph as tract's inference model (facts as the file declares them).
pub fn to_model(onnx: &Onnx, proto: &ModelProto) -> Result<InferenceModel> {
    onnx.model_for_proto_model(proto).map_err(|e| Error::InvalidInput(format!("cannot load the ONNX model: {e:#}")))
}

/// Rewires the label output of every two-class `TreeEnsembleClassifier` in the top graph as
/// `labels[argmax(probabilities)]`.
///
/// tract 0.23 takes the label of a binary ensemble (scores for one class only, as skl2onnx
/// writes random forests) as the argmax over that single score column, so it always answers
/// the first class; its probabilities are right. onnxruntime answers the second class when that
/// class's score is above 0.5 (above 0 for ensembles with negative weights, whose scores tract
/// and onnxruntime both then give as a pair summing to one after the logistic), ties going to
/// the first: exactly the argmax of the probability pair, first index on ties.
pub fn relabel_binary_trees(graph: &mut GraphProto) {
    let mut added_nodes = Vec::new();
    let mut added_inits = Vec::new();
    for node in graph.node.iter_mut().filter(|n| n.op_type == "TreeEnsembleClassifier" && n.output.len() == 2) {
        let attr = |name: &str| node.attribute.iter().find(|a| a.name == name);
        let labels = match (attr("classlabels_int64s"), attr("classlabels_strings")) {
            (Some(a), None) if a.ints.len() == 2 => {
                TensorProto { dims: vec![2], data_type: 7, int64_data: a.ints.clone(), ..Default::default() }
            }
            (None, Some(a)) if a.strings.len() == 2 => {
                TensorProto { dims: vec![2], data_type: 8, string_data: a.strings.clone(), ..Default::default() }
            }
            _ => continue,
        };
        let label = node.output[0].clone();
        if label.is_empty() || node.output[1].is_empty() {
            continue;
        }
        let stem = format!("{label}.qp_relabel");
        node.output[0] = format!("{stem}.tract_label");
        let (argmax, names) = (format!("{stem}.argmax"), format!("{stem}.classes"));
        added_inits.push(TensorProto { name: names.clone(), ..labels });
        let int = |name: &str, i: i64| AttributeProto {
            name: name.into(),
            r#type: AttributeType::Int as i32,
            i,
            ..Default::default()
        };
        added_nodes.push(NodeProto {
            name: format!("{stem}.argmax_node"),
            op_type: "ArgMax".into(),
            input: vec![node.output[1].clone()],
            output: vec![argmax.clone()],
            attribute: vec![int("axis", 1), int("keepdims", 0)],
            ..Default::default()
        });
        added_nodes.push(NodeProto {
            name: format!("{stem}.gather_node"),
            op_type: "Gather".into(),
            input: vec![names, argmax],
            output: vec![label],
            attribute: vec![int("axis", 0)],
            ..Default::default()
        });
    }
    graph.node.extend(added_nodes);
    graph.initializer.extend(added_inits);
}
