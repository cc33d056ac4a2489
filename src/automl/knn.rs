//! k nearest neighbours by brute force (Euclidean), as scikit-learn's `KNeighborsClassifier` and
//! `KNeighborsRegressor` with `algorithm="brute"`: squared distances ‖q‖² − 2q·x + ‖x‖² by blocks
//! of queries (a matrix product each), the k smallest selected per query, nearest first (ties by
//! training order). Blocks of queries run in parallel; each query's answer is independent of them.

use super::data::check_x;
use crate::control::Control;
use crate::error::Result;
use ndarray::{s, Array1, Array2, ArrayView2};
use rayon::prelude::*;

/// Queries per block.
const BLOCK: usize = 256;

/// The training rows and their squared norms.
#[derive(Debug, Clone, PartialEq)]
pub struct Index {
    pub x: Array2<f64>,
    pub norms: Array1<f64>,
}

impl Index {
    pub fn new(x: ArrayView2<'_, f64>) -> Result<Self> {
        let (n, d) = x.dim();
        crate::ensure!(n >= 1 && d >= 1, "X must have at least one sample and one feature, got shape ({n}, {d})");
        check_x(x, d)?;
        let x = x.as_standard_layout().into_owned();
        let norms = x.rows().into_iter().map(|r| r.dot(&r)).collect();
        Ok(Self { x, norms })
    }

    /// For each query row: the `k` nearest training rows (indices, distances), nearest first.
    pub fn kneighbors(
        &self,
        q: ArrayView2<'_, f64>,
        k: usize,
        control: &Control,
    ) -> Result<(Array2<usize>, Array2<f64>)> {
        check_x(q, self.x.ncols())?;
        let n = self.x.nrows();
        crate::ensure!(k >= 1 && k <= n, "n_neighbors must be in 1..={n} (the training samples), got {k}");
        let m = q.nrows();
        let blocks: Vec<Result<(Vec<usize>, Vec<f64>)>> = crate::parallel::install(|| {
            (0..m.div_ceil(BLOCK))
                .into_par_iter()
                .map(|b| {
                    control.check()?;
                    let qb = q.slice(s![b * BLOCK..(b * BLOCK + BLOCK).min(m), ..]);
                    let cross: Array2<f64> = qb.dot(&self.x.t());
                    let (mut ib, mut db) = (Vec::with_capacity(qb.nrows() * k), Vec::with_capacity(qb.nrows() * k));
                    let mut top: Vec<(f64, usize)> = Vec::with_capacity(k + 1);
                    for (qr, cr) in qb.rows().into_iter().zip(cross.rows()) {
                        let qn = qr.dot(&qr);
                        nearest(cr.iter().zip(&self.norms).map(|(c, xn)| (qn - 2.0 * c + xn).max(0.0)), k, &mut top);
                        ib.extend(top.iter().map(|t| t.1));
                        db.extend(top.iter().map(|t| t.0.sqrt()));
                    }
                    Ok((ib, db))
                })
                .collect()
        })?;
        let (mut idx, mut dist) = (Vec::with_capacity(m * k), Vec::with_capacity(m * k));
        for b in blocks {
            let (ib, db) = b?;
            idx.extend(ib);
            dist.extend(db);
        }
        let idx = Array2::from_shape_vec((m, k), idx).expect("k per query");
        let dist = Array2::from_shape_vec((m, k), dist).expect("k per query");
        Ok((idx, dist))
    }
}

/// The `k` smallest of `squared` as (value, index), smallest first, ties in index order: one
/// pass keeping the best `k` sorted, where a candidate costs one comparison once the list is full.
fn nearest(squared: impl Iterator<Item = f64>, k: usize, top: &mut Vec<(f64, usize)>) {
    top.clear();
    for (j, d2) in squared.enumerate() {
        if top.len() == k && d2 >= top[k - 1].0 {
            continue; // later indices lose ties: not better than the current k-th
        }
        let at = top.partition_point(|t| t.0 <= d2);
        if top.len() == k {
            top.pop();
        }
        top.insert(at, (d2, j));
    }
}

/// Neighbour weights: 1 each (`uniform`), or 1/distance (`distance`) where a query that matches
/// training rows exactly gives those weight 1 and the others 0 (scikit-learn's rule).
pub fn weights(dist: &Array2<f64>, by_distance: bool) -> Array2<f64> {
    if !by_distance {
        return Array2::ones(dist.raw_dim());
    }
    let mut w = Array2::<f64>::zeros(dist.raw_dim());
    for (d, mut o) in dist.rows().into_iter().zip(w.rows_mut()) {
        if d.iter().any(|v| *v == 0.0) {
            o.iter_mut().zip(d).for_each(|(w, v)| *w = if *v == 0.0 { 1.0 } else { 0.0 });
        } else {
            o.iter_mut().zip(d).for_each(|(w, v)| *w = 1.0 / v);
        }
    }
    w
}

/// Each query's class shares among its neighbours (queries × `n_classes`), weighted as
/// [`weights`] says; `codes` holds each training row's class index.
pub fn vote(
    idx: &Array2<usize>,
    dist: &Array2<f64>,
    codes: &[usize],
    n_classes: usize,
    by_distance: bool,
) -> Array2<f64> {
    let w = weights(dist, by_distance);
    let mut proba = Array2::<f64>::zeros((idx.nrows(), n_classes));
    for ((i, wr), mut out) in idx.rows().into_iter().zip(w.rows()).zip(proba.rows_mut()) {
        i.iter().zip(wr).for_each(|(j, v)| out[codes[*j]] += v);
        let total: f64 = out.sum();
        out.mapv_inplace(|v| v / total);
    }
    proba
}

/// Each query's weighted mean of its neighbours' targets `y`.
pub fn average(idx: &Array2<usize>, dist: &Array2<f64>, y: &[f64], by_distance: bool) -> Vec<f64> {
    let w = weights(dist, by_distance);
    idx.rows()
        .into_iter()
        .zip(w.rows())
        .map(|(i, wr)| i.iter().zip(wr).map(|(j, v)| y[*j] * v).sum::<f64>() / wr.sum())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn neighbours_are_nearest_first_with_ties_in_training_order() {
        let x = array![[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [3.0, 3.0], [1.0, 0.0]];
        let idx = Index::new(x.view()).unwrap();
        let (i, d) = idx.kneighbors(array![[0.9, 0.0], [3.0, 3.0]].view(), 3, &Control::new()).unwrap();
        assert_eq!(i.row(0).to_vec(), vec![1, 4, 0]);
        assert!((d[[0, 0]] - 0.1).abs() < 1e-12 && (d[[0, 2]] - 0.9).abs() < 1e-12);
        assert_eq!(i[[1, 0]], 3);
        let w = weights(&d, true);
        assert_eq!(w.row(1).to_vec(), vec![1.0, 0.0, 0.0]);
        // an exact match takes all the weight; uniform weights count heads
        let codes = [0, 1, 1, 2, 1];
        assert_eq!(vote(&i, &d, &codes, 3, true).row(1).to_vec(), vec![0.0, 0.0, 1.0]);
        let uniform = vote(&i, &d, &codes, 3, false);
        assert!((uniform[[0, 1]] - 2.0 / 3.0).abs() < 1e-15 && (uniform[[0, 0]] - 1.0 / 3.0).abs() < 1e-15);
        let ys = [0.0, 1.0, 2.0, 3.0, 5.0];
        assert_eq!(average(&i, &d, &ys, true)[1], 3.0);
        assert!((average(&i, &d, &ys, false)[0] - 2.0).abs() < 1e-15);
        assert!(idx.kneighbors(x.view(), 6, &Control::new()).is_err());
    }
}
