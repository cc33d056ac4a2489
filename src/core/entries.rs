//! Couplings given entry by entry, `(i, j, value)` as in COO form, merged into the sorted list of
//! undirected edges a model is built from.
//!
//! The merge is linear in the number of entries: a counting sort by the smaller index of each
//! pair, then a stable sort of each (short) bucket, so duplicates add up in the order given. It
//! holds 16 bytes per entry and two integers per p-bit, never an n×n buffer: millions of edges
//! stay fast and lean.

use crate::control::Control;
use crate::error::{check_alloc, not_finite, try_vec, Result};
use crate::{ensure, invalid};

/// Entries handled between two looks for Ctrl-C (a few milliseconds of work).
const CHECK_EVERY: usize = 1 << 20;

/// What the entries of one pair mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PairRule {
    /// Terms of one coupling: `(i, j)` and `(j, i)` entries all add up (dimod's convention).
    /// Self-couplings are refused.
    Add,
    /// Entries of a symmetric J, read as `from_dense` reads it: repeated entries of one position
    /// add up (as scipy.sparse sums duplicates); a pair given in one triangle only is that
    /// coupling; given in both, the two must agree ([`symmetric_pair`]) and count once. A zero
    /// entry is no entry, so the result depends on J's values only, not on how it is stored. The
    /// diagonal must be zero.
    Symmetric,
}

/// The coupling of a pair stated twice, `J[a,b] = x` and `J[b,a] = y`: they must agree to a
/// relative 1e-12 (rounding noise of a computed J), and the pair is their mean.
pub fn symmetric_pair(a: usize, b: usize, x: f64, y: f64) -> Result<f64> {
    let tol = 1e-12 * x.abs().max(y.abs()).max(1e-300);
    ensure!((x - y).abs() <= tol, "J must be symmetric: J[{a},{b}] = {x} but J[{b},{a}] = {y}");
    // x + (y - x) / 2 rather than (x + y) / 2: exact when x == y and no overflow near f64::MAX
    Ok(x + 0.5 * (y - x))
}

/// Triplets `(rows, cols, values)` must have one length.
pub fn check_lengths(rows: usize, cols: usize, values: usize) -> Result<()> {
    ensure!(
        rows == cols && cols == values,
        "rows, cols and values must have the same length, got {rows}, {cols} and {values}"
    );
    Ok(())
}

/// `J[a,a]` (the sum of a diagonal position's entries) must be zero, as in `from_dense`.
pub fn check_diagonal(a: usize, value: f64) -> Result<()> {
    ensure!(value == 0.0, "J must have a zero diagonal (no self-coupling), J[{a},{a}] = {value}");
    Ok(())
}

/// The number of p-bits coupling entries imply when nothing else says: one more than their
/// largest index. Only indices that some network can have count (0 to
/// `IsingModel::MAX_PBITS - 1`; any other counts as 0), so a negative or too-large index is
/// reported by [`Entries::collect`] as out of range at its entry rather than taken as the size of
/// the network. No indices at all imply 0 p-bits, which `IsingModel::check_size` refuses.
pub fn implied_size(indices: impl IntoIterator<Item = i64>) -> usize {
    let possible = 0..super::model::IsingModel::MAX_PBITS as i64;
    let size = |i: i64| if possible.contains(&i) { i as usize + 1 } else { 1 };
    indices.into_iter().map(size).max().unwrap_or(0)
}

/// Coupling entries checked and bucketed by the smaller index of their pair, ready to merge.
///
/// Reading the caller's arrays ([`Entries::collect`]) and merging ([`Entries::merge`]) are two
/// steps so a binding can read Python-owned memory with the interpreter held and merge without it.
#[derive(Debug, Clone)]
pub struct Entries {
    n: usize,
    rule: PairRule,
    /// Bucket a is `slots[start[a]..start[a + 1]]`.
    start: Vec<usize>,
    /// `(key, value)` per entry in the order given; key = 2b + 1 for an entry of pair (a, b),
    /// b ≥ a, given in the lower triangle under `Symmetric`, else 2b.
    slots: Vec<(u64, f64)>,
}

impl Entries {
    /// Checks and buckets the entries `(i, j, value)` of an `n`-p-bit model read by `rule`. The
    /// iterator is walked twice (count, then place), so the caller's arrays need no copy;
    /// `interrupted` is called every [`CHECK_EVERY`] entries (a binding reading Python-owned
    /// memory with the interpreter held looks for Ctrl-C there) and its error ends the walk.
    pub fn collect<I>(n: usize, entries: I, rule: PairRule, mut interrupted: impl FnMut() -> Result<()>) -> Result<Self>
    where
        I: IntoIterator<Item = (i64, i64, f64)>,
        I::IntoIter: Clone,
    {
        super::model::IsingModel::check_size(n)?;
        let entries = entries.into_iter();
        let mut start = try_vec(n + 1, 0usize, &format!("bucketing the entries of {n} p-bits"))?;
        let mut count = 0usize;
        for (k, (i, j, v)) in entries.clone().enumerate() {
            if k % CHECK_EVERY == 0 {
                interrupted()?;
            }
            let range = 0..n as i64;
            ensure!(
                range.contains(&i) && range.contains(&j),
                "coupling index out of range at entry {k}: ({i}, {j}) for {n} p-bits"
            );
            ensure!(
                rule == PairRule::Symmetric || i != j,
                "self-coupling at entry {k}: ({i}, {i}); a p-bit cannot couple to itself"
            );
            if !v.is_finite() {
                return Err(not_finite("J", &format!("J[{i},{j}]"), v));
            }
            start[i.min(j) as usize + 1] += 1;
            count += 1;
        }
        for a in 0..n {
            start[a + 1] += start[a];
        }
        check_alloc::<(u64, f64)>(count as u128, &format!("merging {count} coupling entries"))?;
        let mut slots = vec![(0u64, 0.0f64); count];
        let mut fill = start.clone();
        for (k, (i, j, v)) in entries.enumerate() {
            if k % CHECK_EVERY == 0 {
                interrupted()?;
            }
            let (a, b) = (i.min(j) as usize, i.max(j) as u64);
            let lower = u64::from(rule == PairRule::Symmetric && i > j);
            slots[fill[a]] = (2 * b + lower, v);
            fill[a] += 1;
        }
        Ok(Self { n, rule, start, slots })
    }

    pub fn n(&self) -> usize {
        self.n
    }

    /// Sorted undirected edges `(a, b, J_ab)`, `a < b`, non-zero, one per pair;
    /// `Err(Interrupted)` soon after `control` is cancelled.
    pub fn merge(mut self, control: &Control) -> Result<Vec<(u32, u32, f64)>> {
        let n = self.n;
        let mut edges = Vec::new();
        let mut unchecked = 0usize;
        for a in 0..n {
            let bucket = &mut self.slots[self.start[a]..self.start[a + 1]];
            unchecked += bucket.len() + 1;
            if unchecked >= CHECK_EVERY {
                control.check()?;
                unchecked = 0;
            }
            // stable: repeated entries add up in the order given, whatever the sort does
            if bucket.len() <= CHECK_EVERY {
                bucket.sort_by_key(|e| e.0);
            } else {
                sort_long(bucket, control)?;
            }
            let mut k = 0;
            while k < bucket.len() {
                let b = bucket[k].0 / 2;
                let (mut upper, mut lower) = (0.0, 0.0);
                while k < bucket.len() && bucket[k].0 / 2 == b {
                    match bucket[k].0 % 2 {
                        0 => upper += bucket[k].1,
                        _ => lower += bucket[k].1,
                    }
                    k += 1;
                }
                let b = b as usize;
                for (sum, (r, c)) in [(upper, (a, b)), (lower, (b, a))] {
                    if !sum.is_finite() {
                        let err = not_finite("J", &format!("J[{r},{c}]"), sum);
                        return Err(invalid!("{err}, the sum of its repeated entries"));
                    }
                }
                let w = match self.rule {
                    PairRule::Add => upper + lower,
                    PairRule::Symmetric if a == b => {
                        check_diagonal(a, upper)?;
                        0.0
                    }
                    PairRule::Symmetric if upper == 0.0 => lower,
                    PairRule::Symmetric if lower == 0.0 => upper,
                    PairRule::Symmetric => symmetric_pair(a, b, upper, lower)?,
                };
                if w != 0.0 {
                    edges.push((a as u32, b as u32, w));
                }
            }
        }
        Ok(edges)
    }
}

/// A bucketed entry: `(key, value)`, see [`Entries`].
type Slot = (u64, f64);

/// The stable sort by key of a bucket too long to sort between two looks for Ctrl-C (one p-bit
/// coupled to millions): runs of [`CHECK_EVERY`] entries sorted one at a time, then merged
/// pairwise, bottom-up, through a scratch buffer, with a look every [`CHECK_EVERY`] entries.
fn sort_long(bucket: &mut [(u64, f64)], control: &Control) -> Result<()> {
    for run in bucket.chunks_mut(CHECK_EVERY) {
        control.check()?;
        run.sort_by_key(|e| e.0);
    }
    let len = bucket.len();
    let mut scratch = try_vec(len, (0u64, 0.0f64), &format!("sorting {len} coupling entries of one p-bit"))?;
    let (mut src, mut dst): (&mut [Slot], &mut [Slot]) = (bucket, &mut scratch);
    let mut in_bucket = true;
    let mut width = CHECK_EVERY;
    while width < len {
        for (from, to) in src.chunks(2 * width).zip(dst.chunks_mut(2 * width)) {
            let (left, right) = from.split_at(width.min(from.len()));
            merge_runs(left, right, to, control)?;
        }
        std::mem::swap(&mut src, &mut dst);
        in_bucket = !in_bucket;
        width *= 2;
    }
    if !in_bucket {
        dst.copy_from_slice(src);
    }
    Ok(())
}

/// Merges two sorted runs into `out` (their total length), stably: on equal keys the left one
/// comes first.
fn merge_runs(left: &[(u64, f64)], right: &[(u64, f64)], out: &mut [(u64, f64)], control: &Control) -> Result<()> {
    let (mut l, mut r) = (0, 0);
    for block in out.chunks_mut(CHECK_EVERY) {
        control.check()?;
        for slot in block {
            let take_left = r == right.len() || (l < left.len() && left[l].0 <= right[r].0);
            if take_left {
                *slot = left[l];
                l += 1;
            } else {
                *slot = right[r];
                r += 1;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn merge(rule: PairRule, entries: &[(i64, i64, f64)]) -> Result<Vec<(u32, u32, f64)>> {
        Entries::collect(4, entries.iter().copied(), rule, || Ok(()))?.merge(&Control::new())
    }

    #[test]
    fn symmetric_entries_count_once_and_duplicates_add_up() {
        let upper = merge(PairRule::Symmetric, &[(0, 1, 2.0), (2, 3, -1.0)]).unwrap();
        let lower = merge(PairRule::Symmetric, &[(3, 2, -1.0), (1, 0, 2.0)]).unwrap();
        let both = merge(PairRule::Symmetric, &[(1, 0, 2.0), (0, 1, 2.0), (3, 2, -1.0), (2, 3, -1.0)]).unwrap();
        let dupes = merge(PairRule::Symmetric, &[(0, 1, 1.5), (1, 0, 2.0), (0, 1, 0.5), (2, 3, -1.0)]).unwrap();
        let expected = vec![(0, 1, 2.0), (2, 3, -1.0)];
        for got in [upper, lower, both, dupes] {
            assert_eq!(got, expected);
        }
        // an explicit zero is no entry; a zero diagonal entry is allowed
        let zeros = merge(PairRule::Symmetric, &[(0, 1, 2.0), (1, 0, 0.0), (2, 2, 0.0), (3, 1, 0.0)]).unwrap();
        assert_eq!(zeros, vec![(0, 1, 2.0)]);
    }

    #[test]
    fn symmetric_entries_that_disagree_are_refused() {
        let e = merge(PairRule::Symmetric, &[(0, 1, 2.0), (1, 0, 3.0)]).unwrap_err().to_string();
        assert_eq!(e, "J must be symmetric: J[0,1] = 2 but J[1,0] = 3");
        let e = merge(PairRule::Symmetric, &[(2, 2, 1.0), (2, 2, 0.5)]).unwrap_err().to_string();
        assert!(e.contains("J[2,2] = 1.5"), "{e}");
        let e = merge(PairRule::Symmetric, &[(3, 1, f64::NAN)]).unwrap_err().to_string();
        assert_eq!(e, "J must be finite: J[3,1] is NaN");
        let e = merge(PairRule::Symmetric, &[(3, 1, f64::MAX), (3, 1, f64::MAX)]).unwrap_err().to_string();
        assert!(e.contains("J[3,1] is inf"), "{e}");
        // within from_dense's tolerance: their mean
        let near = merge(PairRule::Symmetric, &[(0, 1, 1.0), (1, 0, 1.0 + 1e-15)]).unwrap();
        assert!((near[0].2 - 1.0).abs() < 1e-15);
    }

    #[test]
    fn implied_size_leaves_impossible_indices_to_the_range_check() {
        let max = crate::core::model::IsingModel::MAX_PBITS;
        assert_eq!(implied_size([]), 0);
        assert_eq!(implied_size([0, 3, 1]), 4);
        assert_eq!(implied_size([max as i64 - 1]), max);
        for (indices, size) in
            [(vec![-1, -5], 1), (vec![2, i64::MAX], 3), (vec![max as i64, 0], 1), (vec![i64::MIN], 1)]
        {
            assert_eq!(implied_size(indices.iter().copied()), size, "{indices:?}");
            let entries = [(indices[0], indices[1 % indices.len()], 1.0)];
            let e = Entries::collect(size, entries, PairRule::Symmetric, || Ok(())).unwrap_err().to_string();
            assert!(e.starts_with("coupling index out of range at entry 0:"), "{e}");
        }
    }

    #[test]
    fn a_long_bucket_is_sorted_stably_in_pieces() {
        // one p-bit coupled to 3.5 runs' worth of entries: several pieces and merge levels
        let len = 7 * CHECK_EVERY / 2;
        let mut bucket: Vec<(u64, f64)> = (0..len).map(|k| ((k as u64 * 7919) % 1000, k as f64)).collect();
        let mut expected = bucket.clone();
        expected.sort_by_key(|e| e.0);
        sort_long(&mut bucket, &Control::new()).unwrap();
        assert!(bucket == expected, "not the stable order");
        let cancelled = Control::new();
        cancelled.cancel();
        assert!(matches!(sort_long(&mut bucket, &cancelled), Err(crate::error::Error::Interrupted)));
    }

    #[test]
    fn added_entries_sum_in_either_orientation() {
        let got = merge(PairRule::Add, &[(1, 0, 1.0), (0, 1, 2.0), (3, 2, 1.0), (2, 3, -1.0)]).unwrap();
        assert_eq!(got, vec![(0, 1, 3.0)]);
        assert!(merge(PairRule::Add, &[(1, 1, 1.0)]).unwrap_err().to_string().contains("self-coupling"));
        assert!(merge(PairRule::Add, &[(0, 4, 1.0)]).unwrap_err().to_string().contains("out of range"));
        assert!(merge(PairRule::Symmetric, &[(-1, 0, 1.0)]).unwrap_err().to_string().contains("(-1, 0)"));
    }
}
