//! `PBitNetwork`: an Ising model with a current state, its constructors and annealing.

use crate::core::kernel::{Chain, Method};
use crate::core::model::{Couplings, IsingModel};
use crate::core::qubo;
use crate::core::schedule::default_beta_range;
use crate::core::Engine;
use crate::error::{check_finite, try_vec, Error};
use crate::rng::{resolve_seed, Stream};
use numpy::ndarray::Array2;
use numpy::{IntoPyArray, PyArray1, PyArray2};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use super::anneal::AnnealArgs;
use super::results;
use super::sparse::sparse_model;
use crate::python::args::{self, PyInt};
use crate::python::lock;
use crate::python::run::run_long;

/// Stream id of a network's own random stream (reads use ids 0, 1, ...).
const NETWORK_STREAM: u64 = u64::MAX;

/// How the caller stated the problem: spins (±1) or binary variables (0/1, x = (1 + s) / 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vartype {
    Spin,
    Binary,
}

impl Vartype {
    pub fn name(self) -> &'static str {
        match self {
            Self::Spin => "SPIN",
            Self::Binary => "BINARY",
        }
    }

    fn parse(name: &str) -> PyResult<Self> {
        match name.to_ascii_uppercase().as_str() {
            "SPIN" => Ok(Self::Spin),
            "BINARY" => Ok(Self::Binary),
            other => Err(Error::InvalidInput(format!("vartype must be 'SPIN' or 'BINARY', got {other:?}")).into()),
        }
    }

    /// Spins as the caller's variables (in place).
    pub fn present(self, states: &mut [i8]) {
        if self == Self::Binary {
            states.iter_mut().for_each(|s| *s = (*s + 1) / 2);
        }
    }
}

pub struct Inner {
    pub model: Arc<IsingModel>,
    engine: Option<Arc<Engine>>,
    /// Current state, spins in model order.
    pub state: Vec<i8>,
    stream: Stream,
    pub vartype: Vartype,
    /// Variable labels (a Python list) when the problem came with labels (dimod, dicts).
    variables: Option<Py<PyAny>>,
}

/// A network of coupled p-bits (an Ising model in the physics convention) with a current state.
#[pyclass(module = "quantumpanarchy.core", name = "PBitNetwork", frozen)]
pub struct PyPBitNetwork {
    inner: RwLock<Inner>,
}

/// A consistent view for one native call: the model, its engine and the caller's vartype.
pub struct Snapshot {
    pub model: Arc<IsingModel>,
    pub engine: Arc<Engine>,
    pub vartype: Vartype,
}

impl PyPBitNetwork {
    pub fn build(model: IsingModel, seed: Option<u64>, vartype: Vartype, variables: Option<Py<PyAny>>) -> Self {
        let mut stream = Stream::new(resolve_seed(seed), NETWORK_STREAM);
        let state = (0..model.n()).map(|_| stream.spin()).collect();
        Self { inner: RwLock::new(Inner { model: Arc::new(model), engine: None, state, stream, vartype, variables }) }
    }

    /// The network's data; hold the guard only for Rust work, never across Python calls.
    pub fn read(&self, py: Python<'_>) -> RwLockReadGuard<'_, Inner> {
        lock::read(py, &self.inner)
    }

    fn write(&self, py: Python<'_>) -> RwLockWriteGuard<'_, Inner> {
        lock::write(py, &self.inner)
    }

    /// The model and its sampling engine (built once, with the GIL released, and cached).
    pub fn snapshot(&self, py: Python<'_>) -> PyResult<Snapshot> {
        {
            let g = self.read(py);
            if let Some(engine) = &g.engine {
                return Ok(Snapshot { model: g.model.clone(), engine: engine.clone(), vartype: g.vartype });
            }
        }
        let model = self.read(py).model.clone();
        // colouring and renumbering millions of couplings takes seconds: Ctrl-C must reach it
        let engine = Arc::new(run_long(py, None, |control| Engine::try_new(&model, control))?);
        let mut g = self.write(py);
        if Arc::ptr_eq(&g.model, &model) {
            g.engine = Some(engine.clone());
        }
        Ok(Snapshot { model, engine, vartype: g.vartype })
    }

    /// A seed drawn from the network's own stream, for calls given `seed=None`.
    pub fn next_seed(&self, py: Python<'_>) -> u64 {
        self.write(py).stream.next_u64()
    }

    fn edit(&self, py: Python<'_>, f: impl FnOnce(&mut IsingModel) -> crate::Result<()>) -> PyResult<()> {
        let mut g = self.write(py);
        f(Arc::make_mut(&mut g.model))?;
        g.engine = None;
        Ok(())
    }

    /// Caller-stated states (1-D or 2-D) as spins, each checked against the model.
    pub fn states_arg(&self, obj: &Bound<'_, PyAny>, name: &str) -> PyResult<(Vec<i8>, Option<usize>)> {
        let (binary, n) = {
            let g = self.read(obj.py());
            (g.vartype == Vartype::Binary, g.model.n())
        };
        let wrong = |shape: String| {
            Error::InvalidInput(format!("{name} must have {n} values per state (one per p-bit), got shape {shape}"))
        };
        // a numpy array's shape is checked before it is converted: a wrong-shaped broadcast view
        // of 10**9 states is an error about its shape, not a copy
        if let Some(shape) = args::array_shape(obj).filter(|s| matches!(s.len(), 1 | 2) && s[s.len() - 1] != n) {
            return Err(wrong(args::shape_text(&shape)).into());
        }
        let (s, rows) = args::spins(obj, name, binary)?;
        if s.len() != rows.unwrap_or(1) * n {
            return Err(
                wrong(rows.map_or(format!("({},)", s.len()), |r| format!("({r}, {})", s.len() / r.max(1)))).into()
            );
        }
        Ok((s, rows))
    }

    /// `initial_states` for `count` chains: one row (used by every chain) or one per chain.
    pub fn initial_states_arg(
        &self,
        obj: Option<&Bound<'_, PyAny>>,
        count: usize,
        count_name: &str,
    ) -> PyResult<Option<Vec<i8>>> {
        let Some(obj) = obj.filter(|o| !o.is_none()) else { return Ok(None) };
        let (s, rows) = self.states_arg(obj, "initial_states")?;
        self.broadcast_states(s, rows, count, count_name).map(Some)
    }

    /// States from [`Self::states_arg`] for `count` chains: one row is used by every chain.
    pub fn broadcast_states(
        &self,
        s: Vec<i8>,
        rows: Option<usize>,
        count: usize,
        count_name: &str,
    ) -> PyResult<Vec<i8>> {
        match rows.unwrap_or(1) {
            1 => Ok(s.repeat(count)),
            r if r == count => Ok(s),
            r => {
                Err(Error::InvalidInput(format!("initial_states must have 1 or {count_name} ({count}) rows, got {r}"))
                    .into())
            }
        }
    }

    pub fn variables_list<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let (variables, n) = {
            let g = self.read(py);
            (g.variables.as_ref().map(|v| v.clone_ref(py)), g.model.n())
        };
        match variables {
            Some(v) => Ok(v.into_bound(py)),
            None => Ok(PyList::new(py, 0..n)?.into_any()),
        }
    }
}

/// A model from a symmetric J (zero diagonal) and optional fields h, built with the GIL released.
#[allow(non_snake_case)]
pub fn dense_model(py: Python<'_>, J: &Bound<'_, PyAny>, h: Option<&Bound<'_, PyAny>>) -> PyResult<IsingModel> {
    let j = args::real_2d(J, "J")?;
    let r = args::square(j.shape(), "J")?;
    let h = fields(h, Some(r))?.map_or_else(|| try_vec(r, 0.0, "the fields"), Ok)?;
    let dense = j.to_vec()?;
    crate::python::run::detach(py, || IsingModel::from_dense_vec(r, dense, &h))
}

/// The fields `h`, when given; with `n`, their length is checked before they are copied (a
/// wrong-shaped h is an error about its shape, however large).
pub fn fields(h: Option<&Bound<'_, PyAny>>, n: Option<usize>) -> PyResult<Option<Vec<f64>>> {
    let Some(h) = h.filter(|h| !h.is_none()) else { return Ok(None) };
    let h = args::real_1d(h, "h")?;
    if let Some(n) = n.filter(|&n| n != h.len()) {
        return Err(Error::InvalidInput(format!("h must have one field per p-bit ({n}), got {}", h.len())).into());
    }
    Ok(Some(h.to_vec()?))
}

/// A model from dimod-convention arrays: E = Σ lin_i v_i + Σ_k quad_k v_{r_k} v_{c_k} + offset,
/// v spins (SPIN) or bits (BINARY); converted to the physics convention.
fn model_from_dimod_arrays(
    vartype: Vartype,
    linear: &[f64],
    rows: &[i64],
    cols: &[i64],
    quad: &[f64],
    offset: f64,
) -> crate::Result<IsingModel> {
    let n = linear.len();
    crate::ensure!(n > 0, "the problem has no variables");
    // indexed by position, as the arrays from `_interop` hold them (not by variable label)
    check_finite(linear, "linear biases")?;
    check_finite(quad, "quadratic biases")?;
    let (h, j, offset) = match vartype {
        Vartype::Spin => (linear.iter().map(|x| -x).collect(), quad.iter().map(|x| -x).collect(), offset),
        Vartype::Binary => {
            let (h, j, extra) = qubo::sparse_qubo_to_ising(linear, rows, cols, quad)?;
            (h, j, offset + extra)
        }
    };
    let mut model = IsingModel::from_edges(n, rows, cols, &j, &h)?;
    model.set_offset(offset)?;
    Ok(model)
}

/// `(vartype, variables, linear, rows, cols, quad, offset)` from `quantumpanarchy._interop`.
type InteropParts<'py> =
    (String, Bound<'py, PyAny>, Bound<'py, PyAny>, Bound<'py, PyAny>, Bound<'py, PyAny>, Bound<'py, PyAny>, f64);
/// What `__reduce__` stores: edges, fields, offset, vartype, labels, state, RNG state.
type PickledParts<'py> = (
    Bound<'py, PyAny>,
    Bound<'py, PyAny>,
    Bound<'py, PyAny>,
    Bound<'py, PyAny>,
    f64,
    String,
    Option<Bound<'py, PyAny>>,
    Bound<'py, PyAny>,
    [u64; 4],
);
/// `(J, h)` as arrays.
type DenseArrays<'py> = (Bound<'py, PyArray2<f64>>, Bound<'py, PyArray1<f64>>);
/// `(rows, cols, values)` of the couplings.
type EdgeArrays<'py> = (Bound<'py, PyArray1<i64>>, Bound<'py, PyArray1<i64>>, Bound<'py, PyArray1<f64>>);

fn interop(py: Python<'_>) -> PyResult<Bound<'_, PyModule>> {
    py.import("quantumpanarchy._interop")
}

/// Build from the tuple `(vartype, variables, linear, rows, cols, quad, offset)` that the
/// `_interop` helpers return for dimod BQMs and dicts.
fn from_interop(parts: &Bound<'_, PyAny>, seed: Option<u64>) -> PyResult<PyPBitNetwork> {
    let (vartype, variables, linear, rows, cols, quad, offset): InteropParts<'_> = parts.extract()?;
    let vartype = Vartype::parse(&vartype)?;
    let linear = args::real_1d_or_empty(&linear, "linear biases")?.to_vec()?;
    let rows = args::index_1d(&rows, "quadratic rows")?;
    let cols = args::index_1d(&cols, "quadratic cols")?;
    let quad = args::real_1d_or_empty(&quad, "quadratic biases")?.to_vec()?;
    let model = model_from_dimod_arrays(vartype, &linear, &rows, &cols, &quad, offset)?;
    let variables = if variables.is_none() { None } else { Some(variables.unbind()) };
    Ok(PyPBitNetwork::build(model, seed, vartype, variables))
}

#[pymethods]
impl PyPBitNetwork {
    #[new]
    #[pyo3(signature = (num_pbits, seed = None))]
    fn new(#[pyo3(from_py_with = args::int)] num_pbits: PyInt, seed: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let n = args::count(num_pbits, "num_pbits", 1)?;
        Ok(Self::build(IsingModel::empty(n)?, args::seed(seed)?, Vartype::Spin, None))
    }

    /// From a symmetric coupling matrix J (zero diagonal) and optional fields h.
    #[staticmethod]
    #[pyo3(signature = (J, h = None, seed = None))]
    #[allow(non_snake_case)]
    fn from_dense(
        py: Python<'_>,
        J: &Bound<'_, PyAny>,
        h: Option<&Bound<'_, PyAny>>,
        seed: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        Ok(Self::build(dense_model(py, J, h)?, args::seed(seed)?, Vartype::Spin, None))
    }

    /// From a symmetric J as a scipy.sparse matrix or array, or as COO triplets (rows, cols,
    /// values), meaning what `from_dense` means for the same J: repeated entries add up, a pair
    /// given in one triangle only is that coupling, one given in both must agree and counts once.
    /// A scipy.sparse J comes alone (h, num_pbits and seed by keyword); triplets may be followed
    /// by h, num_pbits and seed positionally.
    #[staticmethod]
    #[pyo3(signature = (J, cols = None, values = None, /, h = None, num_pbits = None, seed = None))]
    #[allow(non_snake_case)]
    fn from_sparse(
        py: Python<'_>,
        J: &Bound<'_, PyAny>,
        cols: Option<&Bound<'_, PyAny>>,
        values: Option<&Bound<'_, PyAny>>,
        h: Option<&Bound<'_, PyAny>>,
        #[pyo3(from_py_with = args::opt_int)] num_pbits: Option<PyInt>,
        seed: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let model = sparse_model(py, J, cols, values, h, num_pbits)?;
        Ok(Self::build(model, args::seed(seed)?, Vartype::Spin, None))
    }

    /// From a QUBO, E(x) = xᵀQx: a square matrix, or a dict {(i, j): Q_ij} (labels allowed).
    #[staticmethod]
    #[pyo3(signature = (Q, seed = None))]
    #[allow(non_snake_case)]
    fn from_qubo(py: Python<'_>, Q: &Bound<'_, PyAny>, seed: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let seed = args::seed(seed)?;
        if Q.hasattr("items")? {
            return from_interop(&interop(py)?.call_method1("qubo_dict_to_arrays", (Q,))?, seed);
        }
        let q = args::real_2d(Q, "Q")?;
        let r = args::square(q.shape(), "Q")?;
        let dense = q.to_vec()?;
        let model = crate::python::run::detach(py, || -> crate::Result<IsingModel> {
            let (j, h, offset) = qubo::qubo_to_ising(r, &dense)?;
            drop(dense);
            let mut m = IsingModel::from_dense_vec(r, j, &h)?;
            m.set_offset(offset)?;
            Ok(m)
        })?;
        Ok(Self::build(model, seed, Vartype::Binary, None))
    }

    /// From dimod-style Ising input (dimod's signs: E = Σ h_i s_i + Σ J_ij s_i s_j + offset).
    #[staticmethod]
    #[pyo3(signature = (h, J, offset = 0.0, seed = None))]
    #[allow(non_snake_case)]
    fn from_ising(
        py: Python<'_>,
        h: &Bound<'_, PyAny>,
        J: &Bound<'_, PyAny>,
        #[pyo3(from_py_with = args::real)] offset: f64,
        seed: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        from_interop(&interop(py)?.call_method1("ising_dicts_to_arrays", (h, J, offset))?, args::seed(seed)?)
    }

    /// From a dimod BinaryQuadraticModel (SPIN or BINARY), keeping its variable labels.
    #[staticmethod]
    #[pyo3(signature = (bqm, seed = None))]
    fn from_dimod(py: Python<'_>, bqm: &Bound<'_, PyAny>, seed: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        from_interop(&interop(py)?.call_method1("bqm_to_arrays", (bqm,))?, args::seed(seed)?)
    }

    /// Number of p-bits (spins).
    #[getter]
    fn num_pbits(&self, py: Python<'_>) -> usize {
        self.read(py).model.n()
    }

    fn __len__(&self, py: Python<'_>) -> usize {
        self.read(py).model.n()
    }

    /// Number of non-zero couplings J_ij with i < j.
    #[getter]
    fn num_couplings(&self, py: Python<'_>) -> usize {
        self.read(py).model.num_couplings()
    }

    /// Whether couplings are stored as a dense matrix (else CSR), chosen from the density.
    #[getter]
    fn is_dense(&self, py: Python<'_>) -> bool {
        self.read(py).model.is_dense()
    }

    /// "SPIN" (states are ±1) or "BINARY" (states are 0/1, for QUBO input).
    #[getter]
    fn vartype(&self, py: Python<'_>) -> &'static str {
        self.read(py).vartype.name()
    }

    /// Constant energy term (from QUBO or dimod input), included in every energy.
    #[getter]
    fn offset(&self, py: Python<'_>) -> f64 {
        self.read(py).model.offset()
    }

    /// Variable labels (dimod or dict input), else `list(range(num_pbits))`.
    #[getter]
    fn variables<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.variables_list(py)?.call_method0("copy")
    }

    /// Fields h (physics convention), a copy.
    #[getter]
    fn fields<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        let h = self.read(py).model.h().to_vec();
        PyArray1::from_vec(py, h)
    }

    /// The current state in the caller's variables (spins, or bits for QUBO input), a copy.
    #[getter]
    fn state<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<i8>> {
        let s = {
            let g = self.read(py);
            let mut s = g.state.clone();
            g.vartype.present(&mut s);
            s
        };
        PyArray1::from_vec(py, s)
    }

    #[setter]
    fn set_state(&self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let (s, rows) = self.states_arg(value, "state")?;
        if rows.is_some() {
            return Err(Error::InvalidInput("state must be 1-D (one value per p-bit)".into()).into());
        }
        self.write(py).state = s;
        Ok(())
    }

    /// Set J_ij = J_ji = w (physics convention).
    fn set_coupling(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = args::int)] i: PyInt,
        #[pyo3(from_py_with = args::int)] j: PyInt,
        #[pyo3(from_py_with = args::real)] w: f64,
    ) -> PyResult<()> {
        let (i, j) = (args::index(i)?, args::index(j)?);
        self.edit(py, |m| m.set_coupling(i, j, w))
    }

    /// J_ij (physics convention; 0 when the p-bits are not coupled).
    fn coupling(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = args::int)] i: PyInt,
        #[pyo3(from_py_with = args::int)] j: PyInt,
    ) -> PyResult<f64> {
        Ok(self.read(py).model.coupling(args::index(i)?, args::index(j)?)?)
    }

    /// Set the field h_i (physics convention).
    fn set_field(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = args::int)] i: PyInt,
        #[pyo3(from_py_with = args::real)] h: f64,
    ) -> PyResult<()> {
        let i = args::index(i)?;
        self.edit(py, |m| m.set_field(i, h))
    }

    /// `(J, h)`: the full symmetric coupling matrix and the fields (physics convention).
    fn to_dense<'py>(&self, py: Python<'py>) -> PyResult<DenseArrays<'py>> {
        let model = self.read(py).model.clone();
        let n = model.n();
        let dense = crate::python::run::detach(py, || model.to_dense())?;
        let j = Array2::from_shape_vec((n, n), dense).map_err(|e| Error::Internal(e.to_string()))?;
        Ok((j.into_pyarray(py), PyArray1::from_slice(py, model.h())))
    }

    /// `(rows, cols, values)` of the couplings with rows < cols.
    fn edges<'py>(&self, py: Python<'py>) -> EdgeArrays<'py> {
        let model = self.read(py).model.clone();
        edge_arrays(py, &model)
    }

    /// Energy of the current state, of one state, or of each row of a 2-D batch.
    #[pyo3(signature = (state = None))]
    fn energy<'py>(&self, py: Python<'py>, state: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        let model = self.read(py).model.clone();
        match state {
            Some(s) if !s.is_none() => {
                let (s, rows) = self.states_arg(s, "state")?;
                let e = map_rows(py, &model, &s, 1, |x, o| o[0] = model.energy(x))?;
                Ok(match rows {
                    None => e[0].into_pyobject(py)?.into_any(),
                    Some(_) => PyArray1::from_vec(py, e).into_any(),
                })
            }
            _ => {
                let s = self.read(py).state.clone();
                Ok(model.energy(&s).into_pyobject(py)?.into_any())
            }
        }
    }

    /// Local fields I = h + J s of the current state, one state, or a 2-D batch.
    #[pyo3(signature = (state = None))]
    fn local_fields<'py>(&self, py: Python<'py>, state: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        let model = self.read(py).model.clone();
        let n = model.n();
        let (s, rows) = match state {
            Some(s) if !s.is_none() => self.states_arg(s, "state")?,
            _ => (self.read(py).state.clone(), None),
        };
        let out = map_rows(py, &model, &s, n, |x, o| model.local_fields(x, o))?;
        results::rows_or_vector(py, out, rows, n)
    }

    /// Mean spin of the current state.
    fn magnetization(&self, py: Python<'_>) -> f64 {
        let g = self.read(py);
        g.state.iter().map(|&s| s as f64).sum::<f64>() / g.state.len() as f64
    }

    /// Draw a new uniformly random state (from `seed`, or the network's stream).
    #[pyo3(signature = (seed = None))]
    fn randomize(&self, py: Python<'_>, seed: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let seed = args::seed(seed)?;
        let mut g = self.write(py);
        let mut stream = match seed {
            Some(s) => Stream::new(s, NETWORK_STREAM),
            None => Stream::new(g.stream.next_u64(), NETWORK_STREAM),
        };
        g.state = (0..g.model.n()).map(|_| stream.spin()).collect();
        Ok(())
    }

    /// Update the current state by `num_sweeps` sweeps at β; returns the number of flips.
    #[pyo3(signature = (beta, num_sweeps = 1, method = "gibbs"))]
    fn sweep(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = args::real)] beta: f64,
        #[pyo3(from_py_with = args::int)] num_sweeps: PyInt,
        #[pyo3(from_py_with = args::text)] method: &str,
    ) -> PyResult<u64> {
        if !(beta.is_finite() && beta >= 0.0) {
            return Err(Error::InvalidInput(format!("beta must be finite and non-negative, got {beta}")).into());
        }
        let num_sweeps = args::count(num_sweeps, "num_sweeps", 0)?;
        let method = Method::parse(method)?;
        let snap = self.snapshot(py)?;
        let (state, seed) = {
            let mut g = self.write(py);
            (g.state.clone(), g.stream.next_u64())
        };
        let (new_state, flips) = run_long(py, None, |control| {
            let e = &snap.engine;
            let mut s = vec![0i8; e.n()];
            e.to_engine(&state, &mut s);
            let mut chain = Chain::new(e, s, &mut Stream::new(seed, 0));
            let mut flips = 0;
            for chunk in (0..num_sweeps).step_by(64).map(|k| (num_sweeps - k).min(64)) {
                control.check()?;
                flips += chain.sweep(e, beta, method, chunk);
            }
            let mut out = vec![0i8; e.n()];
            e.to_model(&chain.s, &mut out);
            Ok((out, flips))
        })?;
        self.write(py).state = new_state;
        Ok(flips)
    }

    /// dwave-samplers' default β range for this network: (hot, cold).
    fn default_beta_range(&self, py: Python<'_>) -> PyResult<(f64, f64)> {
        let model = self.read(py).model.clone();
        run_long(py, None, |control| default_beta_range(&model, control))
    }

    /// Number of colour classes used for parallel updates (N for dense networks).
    fn num_colors(&self, py: Python<'_>) -> PyResult<usize> {
        Ok(self.snapshot(py)?.engine.num_colors())
    }

    /// Simulated annealing of `num_reads` independent reads; see the stub for the arguments.
    #[pyo3(signature = (
        schedule = None, num_reads = None, seed = None, *, num_sweeps = None, beta_range = None,
        beta_schedule_type = "geometric", beta_schedule = None, num_sweeps_per_beta = 1, initial_states = None,
        initial_states_generator = None, randomize_order = false, method = "metropolis", interrupt_function = None,
        backend = None, progress = None, time_limit = None, num_threads = None, first_read = 0
    ))]
    #[allow(clippy::too_many_arguments)]
    fn anneal<'py>(
        &self,
        py: Python<'py>,
        schedule: Option<&Bound<'py, PyAny>>,
        #[pyo3(from_py_with = args::opt_int)] num_reads: Option<PyInt>,
        seed: Option<&Bound<'py, PyAny>>,
        #[pyo3(from_py_with = args::opt_int)] num_sweeps: Option<PyInt>,
        beta_range: Option<&Bound<'py, PyAny>>,
        #[pyo3(from_py_with = args::text)] beta_schedule_type: &str,
        beta_schedule: Option<&Bound<'py, PyAny>>,
        #[pyo3(from_py_with = args::int)] num_sweeps_per_beta: PyInt,
        initial_states: Option<&Bound<'py, PyAny>>,
        #[pyo3(from_py_with = args::opt_text)] initial_states_generator: Option<&str>,
        randomize_order: bool,
        #[pyo3(from_py_with = args::text)] method: &str,
        interrupt_function: Option<&Bound<'py, PyAny>>,
        #[pyo3(from_py_with = args::opt_text)] backend: Option<&str>,
        progress: Option<&Bound<'py, PyAny>>,
        #[pyo3(from_py_with = args::opt_real)] time_limit: Option<f64>,
        #[pyo3(from_py_with = args::opt_int)] num_threads: Option<PyInt>,
        #[pyo3(from_py_with = args::int)] first_read: PyInt,
    ) -> PyResult<Bound<'py, PyAny>> {
        let args = AnnealArgs {
            schedule,
            num_reads,
            seed,
            num_sweeps,
            beta_range,
            beta_schedule_type,
            beta_schedule,
            num_sweeps_per_beta,
            initial_states,
            initial_states_generator,
            randomize_order,
            method,
            interrupt_function,
            backend,
            progress,
            time_limit,
            num_threads,
            first_read,
        };
        super::anneal::run(self, py, args)
    }

    /// `anneal(...)` off the event loop: returns a coroutine (asyncio.to_thread).
    #[pyo3(signature = (*args, **kwargs), text_signature = "(self, /, schedule=None, num_reads=None, seed=None, *, \
        num_sweeps=None, beta_range=None, beta_schedule_type='geometric', beta_schedule=None, num_sweeps_per_beta=1, \
        initial_states=None, initial_states_generator=None, randomize_order=False, method='metropolis', \
        interrupt_function=None, backend=None, time_limit=None, num_threads=None, first_read=0)")]
    fn anneal_async<'py>(
        slf: &Bound<'py, Self>,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        results::to_thread(slf.getattr("anneal")?, args, kwargs)
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let g = self.read(py);
        format!(
            "PBitNetwork(num_pbits={}, num_couplings={}, {}, vartype={})",
            g.model.n(),
            g.model.num_couplings(),
            if g.model.is_dense() { "dense" } else { "sparse" },
            g.vartype.name()
        )
    }

    /// Pickle as (rows, cols, values, h, offset, vartype, variables, state, rng state).
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        // One consistent copy, taken under the lock; the Python objects are built after it.
        let (model, vartype, variables, state, rng) = {
            let g = slf.get().read(py);
            (
                g.model.clone(),
                g.vartype,
                g.variables.as_ref().map(|v| v.clone_ref(py)),
                g.state.clone(),
                g.stream.state(),
            )
        };
        let (rows, cols, vals) = edge_arrays(py, &model);
        let parts = (
            rows,
            cols,
            vals,
            PyArray1::from_slice(py, model.h()),
            model.offset(),
            vartype.name(),
            variables.map(|v| v.into_bound(py)),
            PyArray1::from_vec(py, state),
            rng,
        );
        Ok((py.get_type::<Self>().getattr("_from_parts")?, PyTuple::new(py, [parts.into_pyobject(py)?])?))
    }

    #[staticmethod]
    fn _from_parts(parts: &Bound<'_, PyTuple>) -> PyResult<Self> {
        let (rows, cols, vals, h, offset, vartype, variables, state, rng): PickledParts<'_> = parts.extract()?;
        let h = args::real_1d(&h, "h")?.to_vec()?;
        let vals = args::real_1d_or_empty(&vals, "values")?.to_vec()?;
        let mut model = IsingModel::from_edges(
            h.len(),
            &args::index_1d(&rows, "rows")?,
            &args::index_1d(&cols, "cols")?,
            &vals,
            &h,
        )?;
        model.set_offset(offset)?;
        let (state, _) = args::spins(&state, "state", false)?;
        model.check_state(&state)?;
        let net = Self::build(model, Some(0), Vartype::parse(&vartype)?, variables.map(Bound::unbind));
        {
            let mut g = net.write(parts.py());
            g.state = state;
            g.stream = Stream::from_state(rng);
        }
        Ok(net)
    }
}

/// `(rows, cols, values)` of the couplings with rows < cols.
fn edge_arrays<'py>(py: Python<'py>, model: &IsingModel) -> EdgeArrays<'py> {
    let e = model.upper_edges();
    (
        PyArray1::from_iter(py, e.iter().map(|x| x.0 as i64)),
        PyArray1::from_iter(py, e.iter().map(|x| x.1 as i64)),
        PyArray1::from_iter(py, e.iter().map(|x| x.2)),
    )
}

/// For each state (length-`n` row of `s`), `f(state, out)` fills its `width` outputs; in
/// parallel, under `run_long` with a check for Ctrl-C between chunks of about 2^24 coupling
/// reads (a batch of large dense states can take minutes). The output is allocated fallibly.
pub fn map_rows(
    py: Python<'_>,
    model: &IsingModel,
    s: &[i8],
    width: usize,
    f: impl Fn(&[i8], &mut [f64]) + Sync + Send,
) -> PyResult<Vec<f64>> {
    use rayon::prelude::*;
    let n = model.n();
    let rows = s.len() / n;
    let row_cost = match model.couplings() {
        Couplings::Dense(_) => n.saturating_mul(n),
        Couplings::Sparse(c) => n + c.indices.len(),
    };
    let per_chunk = ((1usize << 24) / row_cost.max(1)).max(1);
    run_long(py, None, |control| {
        let mut out = try_vec(rows * width, 0.0, "the results")?;
        let pairs = s.chunks(n * per_chunk).zip(out.chunks_mut(width * per_chunk));
        for (states, outs) in pairs {
            control.check()?;
            crate::parallel::install(|| {
                states.par_chunks(n).zip(outs.par_chunks_mut(width)).for_each(|(x, o)| f(x, o))
            })?;
        }
        Ok(out)
    })
}
