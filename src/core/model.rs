//! The Ising model in the physics convention used throughout `core`:
//! E(s) = -Σ_{i<j} J_ij s_i s_j - Σ_i h_i s_i + offset, s_i ∈ {-1, +1}.
//!
//! Couplings are stored symmetric (both J_ij and J_ji), dense row-major for dense problems and
//! CSR for sparse ones; the form is chosen from the density so callers need not care.

use super::entries::{check_diagonal, check_lengths, symmetric_pair, Entries, PairRule};
use crate::control::Control;
use crate::error::{check_finite, check_finite_matrix, try_vec, try_with_capacity, Result};
use crate::{ensure, invalid};

/// Above this fill fraction a coupling matrix is kept dense: row sweeps then beat CSR gathers.
const DENSE_FILL: f64 = 0.10;

/// Edges or p-bits handled between two looks for Ctrl-C (a few milliseconds of work).
const CHECK_EVERY: usize = 1 << 20;

/// Symmetric CSR adjacency: row i lists (j, J_ij) for every j ≠ i with J_ij ≠ 0, sorted by j.
#[derive(Debug, Clone, PartialEq)]
pub struct Csr {
    pub indptr: Vec<usize>,
    pub indices: Vec<u32>,
    pub data: Vec<f64>,
}

impl Csr {
    pub fn row(&self, i: usize) -> (&[u32], &[f64]) {
        let r = self.indptr[i]..self.indptr[i + 1];
        (&self.indices[r.clone()], &self.data[r])
    }

    fn empty(n: usize) -> Self {
        Self { indptr: vec![0; n + 1], indices: Vec::new(), data: Vec::new() }
    }

    /// Build from undirected upper-triangle edges (i < j), already merged and non-zero.
    fn from_upper(n: usize, edges: &[(u32, u32, f64)], control: &Control) -> Result<Self> {
        let mut deg = try_vec(n, 0usize, "the couplings' row lengths")?;
        for &(i, j, _) in edges {
            deg[i as usize] += 1;
            deg[j as usize] += 1;
        }
        let mut indptr = try_vec(n + 1, 0usize, "the couplings' row pointers")?;
        for i in 0..n {
            indptr[i + 1] = indptr[i] + deg[i];
        }
        let mut fill = deg;
        fill.copy_from_slice(&indptr[..n]);
        let mut indices = try_vec(indptr[n], 0u32, "the couplings' column indices")?;
        let mut data = try_vec(indptr[n], 0.0f64, "the couplings")?;
        // Edges are sorted by (i, j): pushing j into row i and i into row j keeps rows sorted.
        for (k, &(i, j, w)) in edges.iter().enumerate() {
            if k % CHECK_EVERY == 0 {
                control.check()?;
            }
            let (iu, ju) = (i as usize, j as usize);
            indices[fill[iu]] = j;
            data[fill[iu]] = w;
            fill[iu] += 1;
            indices[fill[ju]] = i;
            data[fill[ju]] = w;
            fill[ju] += 1;
        }
        let mut csr = Self { indptr, indices, data };
        csr.sort_rows();
        Ok(csr)
    }

    fn sort_rows(&mut self) {
        for i in 0..self.indptr.len() - 1 {
            let r = self.indptr[i]..self.indptr[i + 1];
            if self.indices[r.clone()].windows(2).all(|w| w[0] < w[1]) {
                continue;
            }
            let mut pairs: Vec<(u32, f64)> =
                self.indices[r.clone()].iter().copied().zip(self.data[r.clone()].iter().copied()).collect();
            pairs.sort_by_key(|p| p.0);
            for (k, (j, w)) in r.zip(pairs) {
                self.indices[k] = j;
                self.data[k] = w;
            }
        }
    }

    fn find(&self, i: usize, j: usize) -> Option<usize> {
        let (cols, _) = self.row(i);
        cols.binary_search(&(j as u32)).ok().map(|k| self.indptr[i] + k)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Couplings {
    /// Full symmetric n×n matrix, row-major, zero diagonal.
    Dense(Vec<f64>),
    Sparse(Csr),
}

#[derive(Debug, Clone, PartialEq)]
pub struct IsingModel {
    h: Vec<f64>,
    couplings: Couplings,
    offset: f64,
}

impl IsingModel {
    /// The most p-bits a network may have: indices are u32, and `u32::MAX` marks "none".
    pub const MAX_PBITS: usize = u32::MAX as usize - 1;

    /// `n` spins, no fields, no couplings.
    pub fn empty(n: usize) -> Result<Self> {
        Self::check_size(n)?;
        Ok(Self { h: vec![0.0; n], couplings: Couplings::Sparse(Csr::empty(n)), offset: 0.0 })
    }

    /// Whether a network of `n` p-bits is supported and fits in memory (checked before any
    /// per-p-bit buffer is allocated).
    pub fn check_size(n: usize) -> Result<()> {
        ensure!(n > 0, "a network needs at least one p-bit, got 0");
        ensure!(n <= Self::MAX_PBITS, "at most {} p-bits are supported, got {n}", Self::MAX_PBITS);
        // fields, CSR row pointers and a state: 17 bytes per p-bit
        crate::error::check_alloc::<u8>(17 * n as u128, &format!("a network of {n} p-bits"))
    }

    /// From a full symmetric matrix `j` (row-major n×n, zero diagonal) and fields `h`.
    pub fn from_dense(n: usize, j: &[f64], h: &[f64]) -> Result<Self> {
        ensure!(j.len() == n * n, "J must be {n}x{n} ({} values), got {} values", n * n, j.len());
        let mut copy = try_with_capacity(j.len(), &format!("a {n}x{n} coupling matrix"))?;
        copy.extend_from_slice(j);
        Self::from_dense_vec(n, copy, h)
    }

    /// [`Self::from_dense`] taking the matrix by value: it becomes the model's own (no copy).
    pub fn from_dense_vec(n: usize, mut j: Vec<f64>, h: &[f64]) -> Result<Self> {
        let mut m = Self::empty(n)?;
        ensure!(j.len() == n * n, "J must be {n}x{n} ({} values), got {} values", n * n, j.len());
        m.set_fields(h)?;
        check_finite_matrix(&j, n, "J")?;
        let mut nnz = 0usize;
        for a in 0..n {
            check_diagonal(a, j[a * n + a])?;
            for b in a + 1..n {
                let w = symmetric_pair(a, b, j[a * n + b], j[b * n + a])?;
                j[a * n + b] = w;
                j[b * n + a] = w;
                nnz += usize::from(w != 0.0);
            }
        }
        if (nnz as f64) < DENSE_FILL * (n * (n - 1) / 2).max(1) as f64 {
            let mut edges = try_with_capacity(nnz, "the couplings")?;
            edges.extend(
                (0..n)
                    .flat_map(|a| (a + 1..n).map(move |b| (a, b)))
                    .filter(|&(a, b)| j[a * n + b] != 0.0)
                    .map(|(a, b)| (a as u32, b as u32, j[a * n + b])),
            );
            m.couplings = Couplings::Sparse(Csr::from_upper(n, &edges, &Control::new())?);
        } else {
            m.couplings = Couplings::Dense(j);
        }
        Ok(m)
    }

    /// From coupling entries: each `(rows[k], cols[k], values[k])` adds `values[k]` to the
    /// undirected coupling between the two spins (so `(i, j)` and `(j, i)` entries add up, as in
    /// dimod). Self-couplings are rejected.
    pub fn from_edges(n: usize, rows: &[i64], cols: &[i64], values: &[f64], h: &[f64]) -> Result<Self> {
        check_lengths(rows.len(), cols.len(), values.len())?;
        let entries = rows.iter().zip(cols).zip(values).map(|((&i, &j), &v)| (i, j, v));
        let entries = Entries::collect(n, entries, PairRule::Add, || Ok(()))?;
        Self::from_entries(entries, h, &Control::new())
    }

    /// From checked coupling entries (see [`Entries`] and [`PairRule`]) and fields `h`;
    /// `Err(Interrupted)` soon after `control` is cancelled.
    pub fn from_entries(entries: Entries, h: &[f64], control: &Control) -> Result<Self> {
        let n = entries.n();
        let mut m = Self::empty(n)?;
        m.set_fields(h)?;
        let merged = entries.merge(control)?;
        if merged.len() as f64 >= DENSE_FILL * (n * (n - 1) / 2).max(1) as f64 && n <= 1 << 15 {
            let mut dense = try_vec(n * n, 0.0, &format!("a {n}x{n} coupling matrix"))?;
            for (k, &(a, b, w)) in merged.iter().enumerate() {
                if k % CHECK_EVERY == 0 {
                    control.check()?;
                }
                dense[a as usize * n + b as usize] = w;
                dense[b as usize * n + a as usize] = w;
            }
            m.couplings = Couplings::Dense(dense);
        } else {
            m.couplings = Couplings::Sparse(Csr::from_upper(n, &merged, control)?);
        }
        Ok(m)
    }

    pub fn n(&self) -> usize {
        self.h.len()
    }

    pub fn h(&self) -> &[f64] {
        &self.h
    }

    pub fn couplings(&self) -> &Couplings {
        &self.couplings
    }

    pub fn offset(&self) -> f64 {
        self.offset
    }

    pub fn set_offset(&mut self, offset: f64) -> Result<()> {
        ensure!(offset.is_finite(), "offset must be finite, got {offset}");
        self.offset = offset;
        Ok(())
    }

    pub fn is_dense(&self) -> bool {
        matches!(self.couplings, Couplings::Dense(_))
    }

    pub fn set_fields(&mut self, h: &[f64]) -> Result<()> {
        let n = self.n();
        ensure!(h.len() == n, "h must have one field per p-bit ({n}), got {}", h.len());
        check_finite(h, "h")?;
        self.h.copy_from_slice(h);
        Ok(())
    }

    fn check_index(&self, i: i64) -> Result<usize> {
        let n = self.n();
        ensure!((0..n as i64).contains(&i), "p-bit index {i} out of range for {n} p-bits");
        Ok(i as usize)
    }

    pub fn set_field(&mut self, i: i64, h: f64) -> Result<()> {
        let i = self.check_index(i)?;
        ensure!(h.is_finite(), "field must be finite, got {h}");
        self.h[i] = h;
        Ok(())
    }

    pub fn coupling(&self, i: i64, j: i64) -> Result<f64> {
        let (i, j) = (self.check_index(i)?, self.check_index(j)?);
        Ok(match &self.couplings {
            Couplings::Dense(d) => d[i * self.n() + j],
            Couplings::Sparse(c) => c.find(i, j).map_or(0.0, |k| c.data[k]),
        })
    }

    /// Set J_ij = J_ji = w (replacing the old value).
    pub fn set_coupling(&mut self, i: i64, j: i64, w: f64) -> Result<()> {
        let (a, b) = (self.check_index(i)?, self.check_index(j)?);
        ensure!(a != b, "a p-bit cannot couple to itself (i = j = {a})");
        ensure!(w.is_finite(), "coupling must be finite, got {w}");
        let n = self.n();
        match &mut self.couplings {
            Couplings::Dense(d) => {
                d[a * n + b] = w;
                d[b * n + a] = w;
            }
            Couplings::Sparse(c) => match (c.find(a, b), c.find(b, a)) {
                (Some(x), Some(y)) => {
                    c.data[x] = w;
                    c.data[y] = w;
                }
                _ if w == 0.0 => {}
                _ => {
                    let mut edges = self.upper_edges();
                    edges.push((a.min(b) as u32, a.max(b) as u32, w));
                    edges.sort_by_key(|e| (e.0, e.1));
                    self.couplings = Couplings::Sparse(Csr::from_upper(n, &edges, &Control::new())?);
                }
            },
        }
        Ok(())
    }

    /// Undirected couplings (i < j, J_ij ≠ 0), sorted.
    pub fn upper_edges(&self) -> Vec<(u32, u32, f64)> {
        let n = self.n();
        match &self.couplings {
            Couplings::Dense(d) => (0..n)
                .flat_map(|a| (a + 1..n).map(move |b| (a, b)))
                .filter(|&(a, b)| d[a * n + b] != 0.0)
                .map(|(a, b)| (a as u32, b as u32, d[a * n + b]))
                .collect(),
            Couplings::Sparse(c) => (0..n)
                .flat_map(|a| {
                    let (cols, vals) = c.row(a);
                    cols.iter().zip(vals).filter(move |(&b, _)| b as usize > a).map(move |(&b, &w)| (a as u32, b, w))
                })
                .collect(),
        }
    }

    pub fn num_couplings(&self) -> usize {
        match &self.couplings {
            Couplings::Dense(d) => d.iter().filter(|w| **w != 0.0).count() / 2,
            Couplings::Sparse(c) => c.indices.len() / 2,
        }
    }

    /// The full symmetric matrix (row-major), allocated fallibly: a large sparse network's
    /// dense form may not fit in memory (`ResourceLimit`).
    pub fn to_dense(&self) -> Result<Vec<f64>> {
        let n = self.n();
        let what = format!("the dense {n}x{n} coupling matrix");
        let len = n.checked_mul(n).ok_or_else(|| crate::error::too_big::<f64>(n as u128 * n as u128, &what))?;
        Ok(match &self.couplings {
            Couplings::Dense(d) => {
                let mut copy = try_with_capacity(len, &what)?;
                copy.extend_from_slice(d);
                copy
            }
            Couplings::Sparse(c) => {
                let mut d = try_vec(len, 0.0, &what)?;
                for i in 0..n {
                    let (cols, vals) = c.row(i);
                    for (&j, &w) in cols.iter().zip(vals) {
                        d[i * n + j as usize] = w;
                    }
                }
                d
            }
        })
    }

    /// Check a state's length and values.
    pub fn check_state(&self, s: &[i8]) -> Result<()> {
        let n = self.n();
        ensure!(s.len() == n, "a state needs one spin per p-bit ({n}), got {}", s.len());
        if let Some(k) = s.iter().position(|&v| v != 1 && v != -1) {
            return Err(invalid!("spins must be -1 or +1, found {} at position {k}", s[k]));
        }
        Ok(())
    }

    /// I_i = h_i + Σ_j J_ij s_j (no validation: callers check the state first).
    pub fn local_field(&self, s: &[i8], i: usize) -> f64 {
        let n = self.n();
        self.h[i]
            + match &self.couplings {
                Couplings::Dense(d) => d[i * n..(i + 1) * n].iter().zip(s).map(|(w, &x)| w * x as f64).sum::<f64>(),
                Couplings::Sparse(c) => {
                    let (cols, vals) = c.row(i);
                    cols.iter().zip(vals).map(|(&j, w)| w * s[j as usize] as f64).sum::<f64>()
                }
            }
    }

    pub fn local_fields(&self, s: &[i8], out: &mut [f64]) {
        for (i, o) in out.iter_mut().enumerate() {
            *o = self.local_field(s, i);
        }
    }

    /// E(s), including the offset.
    pub fn energy(&self, s: &[i8]) -> f64 {
        // E = -Σ_i s_i (h_i + ½ Σ_j J_ij s_j) + offset
        let mut e = 0.0;
        for i in 0..self.n() {
            let coupled = self.local_field(s, i) - self.h[i];
            e -= s[i] as f64 * (self.h[i] + 0.5 * coupled);
        }
        e + self.offset
    }

    /// E(s with spin i flipped) - E(s) = 2 s_i I_i.
    pub fn delta_energy(&self, s: &[i8], i: usize) -> f64 {
        2.0 * s[i] as f64 * self.local_field(s, i)
    }

    /// Rows `0..n` in blocks of about [`CHECK_EVERY`] couplings, `control` checked before each.
    fn row_blocks<'a>(&'a self, control: &'a Control) -> impl Iterator<Item = Result<std::ops::Range<usize>>> + 'a {
        let n = self.n();
        let rows = match &self.couplings {
            Couplings::Dense(_) => (CHECK_EVERY / n).max(1),
            Couplings::Sparse(c) => (CHECK_EVERY * n / (n + c.indices.len())).clamp(1, n),
        };
        (0..n).step_by(rows).map(move |a| control.check().map(|()| a..(a + rows).min(n)))
    }

    /// Largest |ΔE| any single flip can have: 2 max_i (|h_i| + Σ_j |J_ij|); `Err(Interrupted)`
    /// soon after `control` is cancelled.
    pub fn max_delta_energy(&self, control: &Control) -> Result<f64> {
        let n = self.n();
        let row_abs = |i: usize| -> f64 {
            match &self.couplings {
                Couplings::Dense(d) => d[i * n..(i + 1) * n].iter().map(|w| w.abs()).sum(),
                Couplings::Sparse(c) => c.row(i).1.iter().map(|w| w.abs()).sum(),
            }
        };
        let mut max = 0.0f64;
        for rows in self.row_blocks(control) {
            max = rows?.map(|i| self.h[i].abs() + row_abs(i)).fold(max, f64::max);
        }
        Ok(2.0 * max)
    }

    /// The smallest non-zero bias scale: each p-bit's smallest non-zero |h_i| or |J_ij|, then
    /// `(min over p-bits, number of p-bits at that minimum)`; `None` when every bias is zero.
    /// `Err(Interrupted)` soon after `control` is cancelled.
    pub fn min_bias(&self, control: &Control) -> Result<Option<(f64, usize)>> {
        let n = self.n();
        let smallest = |i: usize| -> f64 {
            let row = match &self.couplings {
                Couplings::Dense(d) => &d[i * n..(i + 1) * n],
                Couplings::Sparse(c) => c.row(i).1,
            };
            row.iter()
                .chain(std::iter::once(&self.h[i]))
                .map(|w| w.abs())
                .filter(|w| *w > 0.0)
                .fold(f64::INFINITY, f64::min)
        };
        let (mut min, mut count) = (f64::INFINITY, 0usize);
        for rows in self.row_blocks(control) {
            for m in rows?.map(smallest) {
                if m < min {
                    (min, count) = (m, 1);
                } else if m == min && m.is_finite() {
                    count += 1;
                }
            }
        }
        Ok(min.is_finite().then_some((min, count)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brute_energy(n: usize, j: &[f64], h: &[f64], s: &[i8]) -> f64 {
        let mut e = 0.0;
        for a in 0..n {
            e -= h[a] * s[a] as f64;
            for b in a + 1..n {
                e -= j[a * n + b] * (s[a] * s[b]) as f64;
            }
        }
        e
    }

    #[test]
    fn dense_and_sparse_agree() {
        let n = 5;
        let mut j = vec![0.0; n * n];
        for (a, b, w) in [(0, 1, 1.5), (1, 2, -0.5), (0, 4, 2.0), (3, 4, 0.25)] {
            j[a * n + b] = w;
            j[b * n + a] = w;
        }
        let h = [0.1, -0.2, 0.3, 0.0, 0.5];
        let dense = IsingModel::from_dense(n, &j, &h).unwrap();
        let sparse =
            IsingModel::from_edges(n, &[0, 2, 0, 4, 4], &[1, 1, 4, 3, 3], &[1.5, -0.5, 2.0, 0.125, 0.125], &h).unwrap();
        assert_eq!(dense.to_dense().unwrap(), j);
        assert_eq!(sparse.to_dense().unwrap(), j);
        for code in 0..1u32 << n {
            let s: Vec<i8> = (0..n).map(|i| if code >> i & 1 == 1 { 1 } else { -1 }).collect();
            let e = brute_energy(n, &j, &h, &s);
            assert!((dense.energy(&s) - e).abs() < 1e-12);
            assert!((sparse.energy(&s) - e).abs() < 1e-12);
            for i in 0..n {
                let mut t = s.clone();
                t[i] = -t[i];
                let de = brute_energy(n, &j, &h, &t) - e;
                assert!((sparse.delta_energy(&s, i) - de).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn rejects_bad_input() {
        assert!(IsingModel::empty(0).is_err());
        assert!(IsingModel::from_dense(2, &[0.0, 1.0, 2.0, 0.0], &[0.0, 0.0]).is_err());
        assert!(IsingModel::from_dense(2, &[1.0, 1.0, 1.0, 0.0], &[0.0, 0.0]).is_err());
        assert!(IsingModel::from_dense(2, &[0.0, f64::NAN, f64::NAN, 0.0], &[0.0, 0.0]).is_err());
        assert!(IsingModel::from_dense(2, &[0.0; 4], &[0.0]).is_err());
        assert!(IsingModel::from_edges(2, &[0], &[2], &[1.0], &[0.0, 0.0]).is_err());
        assert!(IsingModel::from_edges(2, &[1], &[1], &[1.0], &[0.0, 0.0]).is_err());
        let m = IsingModel::empty(3).unwrap();
        assert!(m.check_state(&[1, -1]).is_err());
        assert!(m.check_state(&[1, 0, 1]).is_err());
        assert!(m.check_state(&[1, -1, 1]).is_ok());
    }

    #[test]
    fn set_coupling_updates_both_forms() {
        let mut m = IsingModel::empty(4).unwrap();
        m.set_coupling(0, 3, 2.0).unwrap();
        m.set_coupling(3, 0, -1.0).unwrap();
        m.set_coupling(1, 2, 0.5).unwrap();
        assert_eq!(m.coupling(0, 3).unwrap(), -1.0);
        assert_eq!(m.coupling(2, 1).unwrap(), 0.5);
        assert_eq!(m.num_couplings(), 2);
        assert!(m.set_coupling(1, 1, 1.0).is_err());
        assert!(m.set_coupling(0, 9, 1.0).is_err());
    }
}
