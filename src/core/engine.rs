//! The sampling engine: an [`IsingModel`] laid out for fast sweeps.
//!
//! Sparse models are renumbered so that every colour class is one contiguous index range; a
//! sweep then walks memory in order and a whole block of same-coloured p-bits is decided at once
//! (see `kernel`). Dense models keep their order and update sequentially.

use super::coloring;
use super::model::{Couplings, Csr, IsingModel};
use crate::control::Control;
use std::ops::Range;

/// A dense coupling matrix, row-major, in the smallest type that holds it exactly: a dense sweep
/// is bound by reading coupling rows and writing fields.
#[derive(Debug, Clone)]
pub enum Dense {
    F64(Vec<f64>),
    /// Every value is exactly an f32.
    F32(Vec<f32>),
    /// Small integer couplings after scaling (±J, SK with ±1/√N, integer QUBOs): `w` holds
    /// 2·J·scale, which is what a flip adds to a neighbour's scaled field, and every scaled
    /// field fits an i16 (see [`Engine::exact_field_scale`]).
    I8 {
        w: Vec<i8>,
        scale: f64,
    },
}

impl Dense {
    fn new(j: &[f64]) -> Self {
        if j.iter().all(|&w| (w as f32) as f64 == w) {
            Self::F32(j.iter().map(|&w| w as f32).collect())
        } else {
            Self::F64(j.to_vec())
        }
    }

    /// The i8 form when the model's couplings narrow (see [`narrow_couplings`]).
    fn narrowed(self, field_scale: Option<(f64, f64)>) -> Self {
        match (narrow_couplings(&self.to_f64(), field_scale), field_scale) {
            (Some(w), Some((scale, _))) => Self::I8 { w, scale },
            _ => self,
        }
    }

    /// The matrix in f64 (borrowed when it is stored so).
    pub fn to_f64(&self) -> std::borrow::Cow<'_, [f64]> {
        match self {
            Self::F64(j) => std::borrow::Cow::Borrowed(j),
            Self::F32(j) => std::borrow::Cow::Owned(j.iter().map(|&w| w as f64).collect()),
            Self::I8 { w, scale } => std::borrow::Cow::Owned(w.iter().map(|&w| w as f64 / (2.0 * scale)).collect()),
        }
    }

    /// Σ_j J_ij s_j for row `i` of an n×n matrix.
    fn row_dot(&self, i: usize, n: usize, s: &[i8]) -> f64 {
        let row = i * n..(i + 1) * n;
        match self {
            Self::F64(j) => j[row].iter().zip(s).map(|(w, &x)| w * x as f64).sum(),
            Self::F32(j) => j[row].iter().zip(s).map(|(&w, &x)| w as f64 * x as f64).sum(),
            Self::I8 { w, scale } => {
                w[row].iter().zip(s).map(|(&w, &x)| w as i64 * x as i64).sum::<i64>() as f64 / (2.0 * scale)
            }
        }
    }
}

/// The p-bits ordered by colour, in index order within a colour (a counting sort: linear).
fn by_colour(colour: &[u32]) -> Vec<u32> {
    let classes = colour.iter().max().map_or(0, |&c| c as usize + 1);
    let mut start = vec![0usize; classes + 1];
    for &c in colour {
        start[c as usize + 1] += 1;
    }
    for c in 0..classes {
        start[c + 1] += start[c];
    }
    let mut perm = vec![0u32; colour.len()];
    for (v, &c) in colour.iter().enumerate() {
        perm[start[c as usize]] = v as u32;
        start[c as usize] += 1;
    }
    perm
}

/// Couplings as 2·J·scale in i8 (what a flip adds to a neighbour's scaled field), for models
/// with exact fields (`field_scale`, see [`Engine::exact_field_scale`]) whose scaled fields all
/// fit an i16 and whose 2·J·scale all fit an i8; `None` otherwise.
pub(crate) fn narrow_couplings(values: &[f64], field_scale: Option<(f64, f64)>) -> Option<Vec<i8>> {
    let (scale, radius) = field_scale?;
    let fits = |w: f64| (2.0 * w * scale).abs() <= i8::MAX as f64;
    (radius <= i16::MAX as f64 && values.iter().all(|&w| fits(w)))
        .then(|| values.iter().map(|&w| (2.0 * w * scale) as i8).collect())
}

#[derive(Debug, Clone)]
pub enum Layout {
    /// Full symmetric matrix, row-major.
    Dense(Dense),
    /// Renumbered CSR plus the colour classes as index ranges.
    Sparse { csr: Csr, classes: Vec<Range<usize>> },
}

#[derive(Debug, Clone)]
pub struct Engine {
    pub h: Vec<f64>,
    pub layout: Layout,
    /// `perm[k]` is the model index of engine index `k`.
    pub perm: Vec<u32>,
    /// See [`Engine::exact_field_scale`] (computed once).
    field_scale: Option<(f64, f64)>,
}

impl Engine {
    /// [`Engine::new`], or `Err(ResourceLimit)` when its buffers would not fit in memory: a
    /// probe for the largest moment of the build (a dense matrix is copied, narrowed through an
    /// f64 copy, then kept in f32 or i8), so that building it cannot abort the process.
    /// `Err(Interrupted)` soon after `control` is cancelled (colouring and renumbering a network
    /// of millions of couplings takes seconds).
    pub fn try_new(model: &IsingModel, control: &Control) -> crate::error::Result<Self> {
        let n = model.n() as u128;
        let (bytes, what) = match model.couplings() {
            Couplings::Dense(_) => (12 * n * n + 32 * n, format!("the sampling engine of a dense {n}x{n} network")),
            Couplings::Sparse(g) => {
                (40 * n + 24 * g.indices.len() as u128, format!("the sampling engine of a network of {n} p-bits"))
            }
        };
        crate::error::check_alloc::<u8>(bytes, &what)?;
        Self::build(model, control)
    }

    pub fn new(model: &IsingModel) -> Self {
        Self::build(model, &Control::new()).expect("a control nobody cancels never interrupts")
    }

    fn build(model: &IsingModel, control: &Control) -> crate::error::Result<Self> {
        const CHECK_EVERY: usize = 1 << 20;
        let n = model.n();
        Ok(match model.couplings() {
            Couplings::Dense(d) => {
                let mut e = Self {
                    h: model.h().to_vec(),
                    layout: Layout::Dense(Dense::new(d)),
                    perm: (0..n as u32).collect(),
                    field_scale: None,
                }
                .with_field_scale(control)?;
                if let Layout::Dense(d) = e.layout {
                    e.layout = Layout::Dense(d.narrowed(e.field_scale));
                }
                e
            }
            Couplings::Sparse(g) => {
                let colour = coloring::color(n, g, control)?;
                control.check()?;
                let perm = by_colour(&colour);
                control.check()?;
                let mut inv = vec![0u32; n];
                for (k, &v) in perm.iter().enumerate() {
                    inv[v as usize] = k as u32;
                }
                let mut classes: Vec<Range<usize>> = Vec::new();
                for k in 0..n {
                    let c = colour[perm[k] as usize];
                    match classes.last_mut() {
                        Some(r) if colour[perm[r.start] as usize] == c => r.end = k + 1,
                        _ => classes.push(k..k + 1),
                    }
                }
                let mut indptr = Vec::with_capacity(n + 1);
                let mut indices = Vec::with_capacity(g.indices.len());
                let mut data = Vec::with_capacity(g.data.len());
                indptr.push(0);
                let mut unchecked = 0usize;
                for &v in &perm {
                    unchecked += g.indptr[v as usize + 1] - g.indptr[v as usize] + 1;
                    if unchecked >= CHECK_EVERY {
                        control.check()?;
                        unchecked = 0;
                    }
                    let (cols, vals) = g.row(v as usize);
                    let mut row: Vec<(u32, f64)> =
                        cols.iter().map(|&c| inv[c as usize]).zip(vals.iter().copied()).collect();
                    row.sort_by_key(|p| p.0);
                    for (c, w) in row {
                        indices.push(c);
                        data.push(w);
                    }
                    indptr.push(indices.len());
                }
                let h = perm.iter().map(|&v| model.h()[v as usize]).collect();
                // The kernel's unchecked neighbour updates rely on these invariants.
                assert!(indices.iter().all(|&j| (j as usize) < n), "CSR column index out of range");
                assert!(indptr.windows(2).all(|w| w[0] <= w[1]) && indptr[n] == indices.len());
                Self {
                    h,
                    layout: Layout::Sparse { csr: Csr { indptr, indices, data }, classes },
                    perm,
                    field_scale: None,
                }
                .with_field_scale(control)?
            }
        })
    }

    pub fn n(&self) -> usize {
        self.h.len()
    }

    /// Number of colour classes (1 per p-bit for dense models, which update sequentially).
    pub fn num_colors(&self) -> usize {
        match &self.layout {
            Layout::Dense(_) => self.n(),
            Layout::Sparse { classes, .. } => classes.len(),
        }
    }

    /// Model-order state → engine order.
    pub fn to_engine(&self, model_state: &[i8], out: &mut [i8]) {
        for (k, &v) in self.perm.iter().enumerate() {
            out[k] = model_state[v as usize];
        }
    }

    /// Engine-order state → model order.
    pub fn to_model(&self, engine_state: &[i8], out: &mut [i8]) {
        for (k, &v) in self.perm.iter().enumerate() {
            out[v as usize] = engine_state[k];
        }
    }

    /// Local fields I = h + J s for an engine-order state.
    pub fn fields(&self, s: &[i8], out: &mut [f64]) {
        let n = self.n();
        out.copy_from_slice(&self.h);
        match &self.layout {
            Layout::Dense(d) => {
                for (i, o) in out.iter_mut().enumerate() {
                    *o += d.row_dot(i, n, s);
                }
            }
            Layout::Sparse { csr, .. } => {
                for (i, o) in out.iter_mut().enumerate() {
                    let (cols, vals) = csr.row(i);
                    *o += cols.iter().zip(vals).map(|(&j, w)| w * s[j as usize] as f64).sum::<f64>();
                }
            }
        }
    }

    /// Whether every local field is computed exactly in f32: all fields and couplings are integer
    /// multiples of one power of two 2^-k (k ≤ 20) and every |h_i| + Σ_j |J_ij| stays below
    /// 2^24·2^-k, so every partial sum is an exactly representable f32 (lattices, MaxCut, ±J,
    /// SK with ±1/√N for N a power of 4, integer QUBOs). Kernels then compute fields in f32, at
    /// twice the SIMD width, with the same values as in f64.
    pub fn f32_fields_exact(&self) -> bool {
        self.exact_field_scale().is_some()
    }

    /// For models with exact f32 fields: `(2^k, R)` where every field times 2^k is an integer
    /// of magnitude at most R (see [`Engine::f32_fields_exact`]).
    pub fn exact_field_scale(&self) -> Option<(f64, f64)> {
        self.field_scale
    }

    fn with_field_scale(mut self, control: &Control) -> crate::error::Result<Self> {
        self.field_scale = self.compute_field_scale(control)?;
        Ok(self)
    }

    /// Each candidate scale is one pass over the couplings: `control` is checked between them.
    fn compute_field_scale(&self, control: &Control) -> crate::error::Result<Option<(f64, f64)>> {
        let n = self.n();
        let dense = match &self.layout {
            Layout::Dense(d) => Some(d.to_f64()),
            Layout::Sparse { .. } => None,
        };
        let rows: Vec<&[f64]> = match (&self.layout, &dense) {
            (Layout::Sparse { csr, .. }, _) => (0..n).map(|i| csr.row(i).1).collect(),
            (_, Some(d)) => d.chunks(n).collect(),
            (Layout::Dense(_), None) => unreachable!("dense couplings were just converted"),
        };
        let limit = (1u64 << 24) as f64;
        let exact_at = |s: f64| {
            control.check().map(|()| {
                self.h.iter().chain(rows.iter().copied().flatten()).all(|&v| {
                    let x = v * s;
                    x == x.round() && x.abs() < limit
                })
            })
        };
        let mut found = None;
        for s in (0..=20).map(|k| (1u64 << k) as f64) {
            if exact_at(s)? {
                found = Some(s);
                break;
            }
        }
        let Some(scale) = found else { return Ok(None) };
        let radius = rows
            .iter()
            .zip(&self.h)
            .map(|(row, h)| (h.abs() + row.iter().map(|w| w.abs()).sum::<f64>()) * scale)
            .fold(0.0, f64::max);
        Ok((radius < limit).then_some((scale, radius)))
    }

    /// Energy without offset, from a state and its local fields: -Σ s_i (h_i + I_i) / 2.
    pub fn energy_from_fields(&self, s: &[i8], fields: &[f64]) -> f64 {
        -0.5 * s.iter().zip(fields).zip(&self.h).map(|((&x, f), h)| x as f64 * (f + h)).sum::<f64>()
    }
}
