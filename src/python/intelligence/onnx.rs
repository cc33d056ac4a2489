//! Bindings: ONNX inference behind `quantumpanarchy.intelligence.OnnxModel` (typed class in
//! `python/quantumpanarchy/_intelligence/onnx.py`). Arrays in are copied once into tract's
//! tensors, outputs once into new numpy arrays; the run itself releases the GIL.

use crate::error::Error;
use crate::intelligence::onnx::{DatumType, Dim, IoInfo, OnnxModel, Tensor};
use crate::python::args::type_name;
use crate::python::run::detach;
use numpy::{Element, PyArray, PyArrayDyn, PyArrayMethods, PyUntypedArray, PyUntypedArrayMethods};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};
use std::sync::Arc;
use tract_onnx::prelude::{Datum, TVec};

#[pyclass(module = "quantumpanarchy._native.intelligence", name = "OnnxModelCore", frozen)]
pub struct PyOnnxModel {
    inner: Arc<OnnxModel>,
    /// The input names as interned Python strings: the dict lookups of every `run` use them
    /// rather than building a string per input per call.
    input_names: Vec<Py<PyString>>,
}

/// (name, shape with ints, names and None as onnxruntime shows them, type text).
type Record = (String, Option<Vec<Py<PyAny>>>, String);

fn record(py: Python<'_>, info: &IoInfo) -> PyResult<Record> {
    let shape = match &info.shape {
        Some(dims) => Some(
            dims.iter()
                .map(|d| match d {
                    Dim::Fixed(n) => Ok(n.into_pyobject(py)?.into_any().unbind()),
                    Dim::Named(s) => Ok(PyString::new(py, s).into_any().unbind()),
                    Dim::Unknown => Ok(py.None()),
                })
                .collect::<PyResult<_>>()?,
        ),
        None => None,
    };
    Ok((info.name.clone(), shape, info.type_text.clone()))
}

fn names(infos: &[IoInfo]) -> String {
    let n: Vec<String> = infos.iter().map(|i| format!("'{}'", i.name)).collect();
    format!("[{}]", n.join(", "))
}

/// The array's values as a tensor of element type `T` (one copy, in row-major order whatever
/// the array's strides).
fn tensor_of<T: Element + Datum + Copy>(a: &Bound<'_, PyArrayDyn<T>>) -> Result<Tensor, Error> {
    let ro = a.try_readonly().map_err(|e| Error::InvalidInput(format!("the array cannot be read: {e}")))?;
    let view = ro.as_array();
    match view.as_slice() {
        Some(s) => Tensor::from_shape(view.shape(), s).map_err(|e| Error::Internal(format!("{e:#}"))),
        None => Ok(Tensor::from(view.to_owned())),
    }
}

/// The element types inputs may have: those numpy and tract share that models take.
macro_rules! input_types {
    ($obj:expr, $($t:ty),*) => {{
        $(if $obj.cast::<PyArrayDyn<$t>>().is_ok() {
            Some(<$t as Datum>::datum_type())
        } else)* { None }
    }};
}

fn datum_of(a: &Bound<'_, PyAny>) -> Option<DatumType> {
    input_types!(a, f32, f64, i64, i32, bool, u8, i8, i16, u16, u32, u64)
}

fn to_tensor(a: &Bound<'_, PyAny>, dt: DatumType) -> Result<Tensor, Error> {
    macro_rules! read {
        ($($t:ty),*) => {
            $(if dt == <$t as Datum>::datum_type() {
                return tensor_of(a.cast::<PyArrayDyn<$t>>().map_err(|e| Error::Internal(e.to_string()))?);
            })*
        };
    }
    read!(f32, f64, i64, i32, bool, u8, i8, i16, u16, u32, u64);
    Err(Error::Internal(format!("no reader for {dt:?}")))
}

fn to_numpy<'py>(py: Python<'py>, t: &Tensor) -> PyResult<Bound<'py, PyAny>> {
    macro_rules! write {
        ($($t:ty),*) => {
            $(if t.datum_type() == <$t as Datum>::datum_type() {
                let view = t.to_plain_array_view::<$t>().map_err(|e| Error::Internal(format!("{e:#}")))?;
                return Ok(PyArray::from_array(py, &view).into_any());
            })*
        };
    }
    write!(f32, f64, i64, i32, bool, u8, i8, i16, u16, u32, u64);
    if t.datum_type() == DatumType::String {
        // onnxruntime returns string tensors as numpy object arrays of str.
        let view = t.to_plain_array_view::<String>().map_err(|e| Error::Internal(format!("{e:#}")))?;
        let objects = view.map(|s| PyString::new(py, s).unbind());
        return Ok(PyArray::from_owned_object_array(py, objects).into_any());
    }
    Err(Error::InvalidType(format!(
        "the model returned a tensor of {:?}, which has no numpy equivalent here",
        t.datum_type()
    ))
    .into())
}

/// The error for a feed whose keys are not the model's inputs: the first key that is not an
/// input, else the first input with no key.
fn feed_error(feed: &Bound<'_, PyDict>, declared: &[IoInfo]) -> PyErr {
    for (k, _) in feed.iter() {
        let known = k.extract::<String>().ok().is_some_and(|k| declared.iter().any(|i| i.name == k));
        if !known {
            let shown = k.repr().map_or_else(|_| "?".to_string(), |r| r.to_string());
            return Error::InvalidInput(format!("unknown input {shown}: the model's inputs are {}", names(declared)))
                .into();
        }
    }
    match declared.iter().find(|i| !feed.contains(&i.name).unwrap_or(false)) {
        Some(i) => {
            Error::InvalidInput(format!("missing input '{}': the model's inputs are {}", i.name, names(declared)))
        }
        None => Error::Internal("a feed of the model's inputs was refused".into()),
    }
    .into()
}

#[pymethods]
impl PyOnnxModel {
    #[new]
    fn new(py: Python<'_>, data: &Bound<'_, PyBytes>) -> PyResult<Self> {
        let bytes = data.as_bytes().to_vec();
        let model = detach(py, move || OnnxModel::from_bytes(bytes))?;
        let input_names = model.inputs().iter().map(|i| PyString::intern(py, &i.name).unbind()).collect();
        Ok(Self { inner: Arc::new(model), input_names })
    }

    /// The model's file, as given.
    fn model_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.inner.bytes())
    }

    fn inputs(&self, py: Python<'_>) -> PyResult<Vec<Record>> {
        self.inner.inputs().iter().map(|i| record(py, i)).collect()
    }

    fn outputs(&self, py: Python<'_>) -> PyResult<Vec<Record>> {
        self.inner.outputs().iter().map(|i| record(py, i)).collect()
    }

    /// Optimised plans held in the model's cache (one per input signature seen, bounded).
    fn cached_plans(&self) -> usize {
        self.inner.cached_plans()
    }

    /// `InferenceSession.run(output_names, input_feed)`: the named outputs (all, in order, for
    /// None) as numpy arrays.
    fn run<'py>(
        &self,
        py: Python<'py>,
        output_names: Option<&Bound<'py, PyAny>>,
        inputs: &Bound<'py, PyAny>,
    ) -> PyResult<Vec<Bound<'py, PyAny>>> {
        let model = &self.inner;
        let feed = inputs.cast::<PyDict>().map_err(|_| {
            Error::InvalidType(format!("inputs must be a dict of input name to numpy array, got {}", type_name(inputs)))
        })?;
        let wanted: Option<Vec<usize>> = match output_names {
            None => None,
            Some(o) if o.is_none() => None,
            Some(o) => {
                if o.is_instance_of::<PyString>() {
                    return Err(
                        Error::InvalidType("output_names must be a list of names or None, got a str".into()).into()
                    );
                }
                let mut ix = Vec::new();
                for n in o.try_iter()? {
                    let n = n?;
                    let n: &str = &n
                        .extract::<String>()
                        .map_err(|_| Error::InvalidType(format!("output names must be str, got {}", type_name(&n))))?;
                    let k = model.outputs().iter().position(|i| i.name == n).ok_or_else(|| {
                        Error::InvalidInput(format!(
                            "unknown output '{n}': the model's outputs are {}",
                            names(model.outputs())
                        ))
                    })?;
                    ix.push(k);
                }
                Some(ix)
            }
        };
        let declared = model.inputs();
        if feed.len() != declared.len() {
            return Err(feed_error(feed, declared));
        }
        let mut tensors: TVec<Tensor> = TVec::with_capacity(declared.len());
        for (ix, (info, key)) in declared.iter().zip(&self.input_names).enumerate() {
            let Some(value) = feed.get_item(key.bind(py))? else {
                return Err(feed_error(feed, declared));
            };
            let array = value.cast::<PyUntypedArray>().map_err(|_| {
                Error::InvalidType(format!("input '{}' must be a numpy array, got {}", info.name, type_name(&value)))
            })?;
            let dt = datum_of(&value).ok_or_else(|| {
                Error::InvalidType(format!(
                    "input '{}' expects {}, got an array of dtype {}",
                    info.name,
                    info.type_text,
                    array.dtype()
                ))
            })?;
            model.check_input(ix, dt, array.shape())?;
            tensors.push(to_tensor(&value, dt)?);
        }
        let model = Arc::clone(model);
        let outs = detach(py, move || model.run(tensors))?;
        match wanted {
            None => outs.iter().map(|t| to_numpy(py, t)).collect(),
            Some(ix) => ix.into_iter().map(|k| to_numpy(py, &outs[k])).collect(),
        }
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyOnnxModel>()?;
    Ok(())
}
