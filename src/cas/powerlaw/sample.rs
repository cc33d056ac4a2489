//! The sorted sample a fit works on, with what the x_min scan needs precomputed: logarithms,
//! double-double suffix sums of the logarithms, and the first index of each distinct value.

use crate::ensure;
use crate::error::{try_with_capacity, Result};

/// A sorted positive sample (after the x_max cut) and its scan tables.
#[derive(Debug, Clone)]
pub struct Sample {
    pub x: Vec<f64>,
    pub ln_x: Vec<f64>,
    /// Σ_{i ≥ k} ln x_i as a double-double (hi, lo), k = 0..=n.
    pub suffix: Vec<(f64, f64)>,
    /// Indices of the first occurrence of each distinct value, ascending.
    pub uniq: Vec<usize>,
    /// For every index, the first index holding the same value.
    pub first: Vec<u32>,
}

#[inline]
pub fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let bb = s - a;
    (s, (a - (s - bb)) + (b - bb))
}

#[inline]
pub fn dd_add(a: (f64, f64), b: f64) -> (f64, f64) {
    let (s, e) = two_sum(a.0, b);
    let lo = e + a.1;
    two_sum(s, lo)
}

impl Sample {
    /// Build from values already checked positive and finite; sorts them.
    pub fn new(mut x: Vec<f64>) -> Result<Self> {
        ensure!(x.len() < u32::MAX as usize, "at most 2**32 - 2 values can be fitted, got {}", x.len());
        x.sort_unstable_by(f64::total_cmp);
        let n = x.len();
        let mut ln_x = try_with_capacity(n, "logarithms")?;
        ln_x.extend(x.iter().map(|v| v.ln()));
        let mut suffix = try_with_capacity(n + 1, "suffix sums")?;
        suffix.resize(n + 1, (0.0, 0.0));
        let mut acc = (0.0, 0.0);
        for k in (0..n).rev() {
            acc = dd_add(acc, ln_x[k]);
            suffix[k] = acc;
        }
        let mut uniq = try_with_capacity(n, "distinct values")?;
        let mut first = try_with_capacity(n, "distinct values")?;
        for i in 0..n {
            if i == 0 || x[i] != x[i - 1] {
                uniq.push(i);
            }
            first.push(*uniq.last().unwrap_or(&0) as u32);
        }
        Ok(Self { x, ln_x, suffix, uniq, first })
    }

    pub fn len(&self) -> usize {
        self.x.len()
    }

    /// Σ_{i ≥ k} ln(x_i / x) for the tail from index k, accurate to a few ulps of the result.
    pub fn tail_log_sum(&self, k: usize, ln_xmin: f64) -> f64 {
        let m = (self.x.len() - k) as f64;
        let p = m * ln_xmin;
        let pe = m.mul_add(ln_xmin, -p);
        let s = self.suffix[k];
        let (h, e) = two_sum(s.0, -p);
        h + (e + s.1 - pe)
    }

    /// The first index whose value is ≥ v.
    pub fn lower_bound(&self, v: f64) -> usize {
        self.x.partition_point(|&y| y < v)
    }

    /// Position in `uniq` of the first distinct value at index ≥ k.
    pub fn uniq_from(&self, k: usize) -> usize {
        self.uniq.partition_point(|&u| u < k)
    }
}
