//! The graph's inputs and outputs as the ONNX file declares them: names, element types and
//! shapes with their symbolic dimensions, written the way onnxruntime's `NodeArg` shows them.

use tract_onnx::pb::{tensor_shape_proto::dimension::Value as DimValue, type_proto, ValueInfoProto};
use tract_onnx::prelude::DatumType;

/// One dimension of a declared shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dim {
    Fixed(i64),
    /// A named (symbolic) dimension, such as a batch dimension `"N"`.
    Named(String),
    /// A dimension the file leaves unknown (onnxruntime shows it as `None`).
    Unknown,
}

/// A graph input or output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IoInfo {
    pub name: String,
    /// onnxruntime's type text: `tensor(float)`, `tensor(int64)`, ...
    pub type_text: String,
    /// The element type of a tensor of a type tract can hold; `None` for other types.
    pub datum_type: Option<DatumType>,
    /// `None` where the file declares no shape (any rank).
    pub shape: Option<Vec<Dim>>,
}

/// ONNX `TensorProto.DataType` codes: (code, onnxruntime's name, tract's element type).
const ELEMENT_TYPES: [(i32, &str, Option<DatumType>); 13] = [
    (1, "float", Some(DatumType::F32)),
    (2, "uint8", Some(DatumType::U8)),
    (3, "int8", Some(DatumType::I8)),
    (4, "uint16", Some(DatumType::U16)),
    (5, "int16", Some(DatumType::I16)),
    (6, "int32", Some(DatumType::I32)),
    (7, "int64", Some(DatumType::I64)),
    (8, "string", Some(DatumType::String)),
    (9, "bool", Some(DatumType::Bool)),
    (10, "float16", Some(DatumType::F16)),
    (11, "double", Some(DatumType::F64)),
    (12, "uint32", Some(DatumType::U32)),
    (13, "uint64", Some(DatumType::U64)),
];

fn element(code: i32) -> (String, Option<DatumType>) {
    match ELEMENT_TYPES.iter().find(|(c, _, _)| *c == code) {
        Some((_, name, dt)) => (name.to_string(), *dt),
        None => (format!("unknown element type {code}"), None),
    }
}

/// onnxruntime's name of a datum type (`tensor(float)` for f32), for error messages.
pub fn type_text_of(dt: DatumType) -> String {
    match ELEMENT_TYPES.iter().find(|(_, _, d)| *d == Some(dt)) {
        Some((_, name, _)) => format!("tensor({name})"),
        None => format!("{dt:?}"),
    }
}

impl IoInfo {
    pub fn from_proto(v: &ValueInfoProto) -> IoInfo {
        let value = v.r#type.as_ref().and_then(|t| t.value.as_ref());
        let (type_text, datum_type, shape) = match value {
            Some(type_proto::Value::TensorType(t)) => {
                let shape = t.shape.as_ref().map(|s| {
                    s.dim
                        .iter()
                        .map(|d| match &d.value {
                            Some(DimValue::DimValue(n)) => Dim::Fixed(*n),
                            Some(DimValue::DimParam(p)) if !p.is_empty() => Dim::Named(p.clone()),
                            _ => Dim::Unknown,
                        })
                        .collect()
                });
                let (name, dt) = element(t.elem_type);
                (format!("tensor({name})"), dt, shape)
            }
            // tract's ONNX schema knows tensor types only: sequences and maps (ZipMap's output)
            // come through as no type at all.
            None => ("non-tensor".to_string(), None, None),
        };
        IoInfo { name: v.name.clone(), type_text, datum_type, shape }
    }
}
