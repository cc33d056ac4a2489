//! CART decision trees as scikit-learn grows them (depth first, left child first): at each node
//! the split of the largest impurity decrease over up to `max_features` features drawn without
//! replacement. The `best` splitter sorts the node's values of a feature and tries every threshold
//! midway between two distinct neighbours; the `random` splitter (extra trees) tries one threshold
//! drawn uniformly between the feature's minimum and maximum in the node.
//!
//! Features are split as float32, as scikit-learn's trees split them (its thresholds are
//! midpoints between float32 values, and it compares float32 inputs with them at predict), which
//! also halves the memory the split search reads.
//!
//! Samples carry integer weights (a bootstrap's draw counts; 1 without bootstrap): a sample drawn
//! twice counts twice in the impurities, once in `n_node_samples` and `min_samples_leaf`, as in
//! scikit-learn, and no copy of the data is made. Class counts are then whole numbers, so their
//! sums and sums of squares are exact in f64.
//!
//! A fitted tree is flat arrays indexed by node, as scikit-learn's `tree_`: children (−1 at a
//! leaf), split feature (−2 at a leaf) and threshold (a sample goes left when its value is at most
//! the threshold), per-node value (class probabilities, or the mean target), sample counts and
//! impurity.

use super::data::{check_x, check_xy, classes};
use crate::control::Control;
use crate::error::{try_vec, try_with_capacity, Result};
use crate::rng::Stream;
use ndarray::{Array2, ArrayView1, ArrayView2};
use rayon::prelude::*;

/// Feature values closer than this are treated as equal (no threshold between them), as in
/// scikit-learn, so that rounding in the data does not create splits.
const FEATURE_THRESHOLD: f64 = 1e-7;
/// Impurities and improvements below this are zero.
const EPSILON: f64 = f64::EPSILON;
/// A leaf's marks in `children` and `feature`.
pub const LEAF: i64 = -1;
pub const NO_FEATURE: i64 = -2;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Criterion {
    Gini,
    /// Shannon entropy in bits (scikit-learn's `entropy` and `log_loss`).
    Entropy,
    SquaredError,
}

impl Criterion {
    pub fn parse(name: &str, classify: bool) -> Result<Self> {
        match (name, classify) {
            ("gini", true) => Ok(Self::Gini),
            ("entropy" | "log_loss", true) => Ok(Self::Entropy),
            ("squared_error", false) => Ok(Self::SquaredError),
            (_, true) => Err(crate::invalid!("criterion must be 'gini', 'entropy' or 'log_loss', got {name:?}")),
            (_, false) => Err(crate::invalid!("criterion must be 'squared_error', got {name:?}")),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Splitter {
    Best,
    Random,
}

impl Splitter {
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "best" => Ok(Self::Best),
            "random" => Ok(Self::Random),
            _ => Err(crate::invalid!("splitter must be 'best' or 'random', got {name:?}")),
        }
    }
}

/// Growth settings, counts resolved (the Python layer turns fractions and names into counts).
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    pub criterion: Criterion,
    pub splitter: Splitter,
    /// `usize::MAX` for no limit.
    pub max_depth: usize,
    pub min_samples_split: usize,
    pub min_samples_leaf: usize,
    pub min_impurity_decrease: f64,
    /// Features tried per node, in 1..=d.
    pub max_features: usize,
}

impl Params {
    pub fn check(&self, d: usize) -> Result<()> {
        crate::ensure!(self.max_depth >= 1, "max_depth must be at least 1, got {}", self.max_depth);
        crate::ensure!(
            self.min_samples_split >= 2,
            "min_samples_split must be at least 2, got {}",
            self.min_samples_split
        );
        crate::ensure!(
            self.min_samples_leaf >= 1,
            "min_samples_leaf must be at least 1, got {}",
            self.min_samples_leaf
        );
        crate::ensure!(
            self.min_impurity_decrease.is_finite() && self.min_impurity_decrease >= 0.0,
            "min_impurity_decrease must be a finite number >= 0, got {}",
            self.min_impurity_decrease
        );
        crate::ensure!(
            (1..=d).contains(&self.max_features),
            "max_features must resolve to a number of features in 1..={d}, got {}",
            self.max_features
        );
        Ok(())
    }
}

/// The targets: class indices in 0..k, or real values.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    Classes { labels: Vec<u32>, k: usize },
    Values(Vec<f64>),
}

impl Target {
    /// Values per node: the number of classes, or 1 for a regression.
    pub fn width(&self) -> usize {
        match self {
            Self::Classes { k, .. } => *k,
            Self::Values(_) => 1,
        }
    }
}

/// Training data: the features as float32 column by column (one contiguous run per feature, the
/// order the split search reads them in) and the targets.
#[derive(Debug, Clone, PartialEq)]
pub struct Data {
    cols: Vec<f32>,
    pub n: usize,
    pub d: usize,
    pub target: Target,
}

impl Data {
    /// `k` classes (`y` holds class indices), or a regression for `k == 0`.
    pub fn new(x: ArrayView2<'_, f64>, y: ArrayView1<'_, f64>, k: usize) -> Result<Self> {
        check_xy(x, y)?;
        let (n, d) = x.dim();
        crate::ensure!(n <= u32::MAX as usize, "at most 2**32 - 1 samples are supported, got {n}");
        let mut cols = try_with_capacity(n * d, &format!("the features of {n} samples × {d} features"))?;
        check_f32(x)?;
        for col in x.columns() {
            cols.extend(col.iter().map(|&v| v as f32));
        }
        let target = if k == 0 {
            Target::Values(y.to_vec())
        } else {
            Target::Classes { labels: classes(y, k)?.into_iter().map(|c| c as u32).collect(), k }
        };
        Ok(Self { cols, n, d, target })
    }

    #[inline]
    fn col(&self, f: usize) -> &[f32] {
        &self.cols[f * self.n..(f + 1) * self.n]
    }
}

/// Refuse (finite) values beyond float32's range, which the trees cannot split on.
fn check_f32(x: ArrayView2<'_, f64>) -> Result<()> {
    if let Some(((i, j), v)) = x.indexed_iter().find(|(_, v)| v.abs() > f32::MAX as f64) {
        return Err(crate::invalid!(
            "X holds a value too large for dtype('float32'), which the trees split on: {v} at X[{i},{j}]"
        ));
    }
    Ok(())
}

/// A fitted tree (or trees, concatenated with children indices global): node-indexed arrays.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Tree {
    pub left: Vec<i64>,
    pub right: Vec<i64>,
    pub feature: Vec<i64>,
    pub threshold: Vec<f64>,
    /// nodes × width, row-major.
    pub value: Vec<f64>,
    pub n_node_samples: Vec<i64>,
    pub weighted_n_node_samples: Vec<f64>,
    pub impurity: Vec<f64>,
}

impl Tree {
    pub fn len(&self) -> usize {
        self.left.len()
    }

    pub fn is_empty(&self) -> bool {
        self.left.is_empty()
    }

    /// Impurity decrease per feature, weighted by the nodes' sample weights and normalised to sum
    /// to 1 (all zeros for a tree that is one leaf), as scikit-learn's `feature_importances_`.
    pub fn importances(&self, d: usize) -> Vec<f64> {
        let mut out = vec![0.0; d];
        for node in 0..self.len() {
            if self.left[node] == LEAF {
                continue;
            }
            let (l, r) = (self.left[node] as usize, self.right[node] as usize);
            let w = &self.weighted_n_node_samples;
            out[self.feature[node] as usize] +=
                w[node] * self.impurity[node] - w[l] * self.impurity[l] - w[r] * self.impurity[r];
        }
        let total: f64 = out.iter().sum();
        if total > 0.0 {
            out.iter_mut().for_each(|v| *v /= total);
        }
        out
    }
}

/// A node's weighted target statistics: class counts, or (Σw·y, Σw·y²).
#[derive(Debug, Clone)]
struct Stats {
    n: usize,
    w: f64,
    sums: Vec<f64>,
}

impl Stats {
    fn of(data: &Data, weights: &[u32], samples: &[u32]) -> Self {
        let mut sums;
        let mut w = 0.0;
        match &data.target {
            Target::Classes { labels, k } => {
                sums = vec![0.0; *k];
                for &i in samples {
                    let wi = weights[i as usize] as f64;
                    sums[labels[i as usize] as usize] += wi;
                    w += wi;
                }
            }
            Target::Values(y) => {
                sums = vec![0.0; 2];
                for &i in samples {
                    let (wi, yi) = (weights[i as usize] as f64, y[i as usize]);
                    sums[0] += wi * yi;
                    sums[1] += wi * yi * yi;
                    w += wi;
                }
            }
        }
        Self { n: samples.len(), w, sums }
    }

    fn impurity(&self, criterion: Criterion) -> f64 {
        impurity(criterion, &self.sums, self.w)
    }

    /// The node's value: class probabilities, or the mean.
    fn value(&self, criterion: Criterion, out: &mut Vec<f64>) {
        match criterion {
            Criterion::SquaredError => out.push(self.sums[0] / self.w),
            _ => out.extend(self.sums.iter().map(|c| c / self.w)),
        }
    }
}

fn impurity(criterion: Criterion, sums: &[f64], w: f64) -> f64 {
    match criterion {
        Criterion::Gini => 1.0 - sums.iter().map(|c| c * c).sum::<f64>() / (w * w),
        Criterion::Entropy => sums.iter().filter(|c| **c > 0.0).map(|c| -(c / w) * (c / w).log2()).sum(),
        Criterion::SquaredError => {
            let mean = sums[0] / w;
            sums[1] / w - mean * mean
        }
    }
}

/// −(w_l·H_l + w_r·H_r) with entropies in bits: what the best entropy split maximises.
fn entropy_proxy(left: &[f64], wl: f64, right: &[f64], wr: f64) -> f64 {
    let part = |s: &[f64], w: f64| s.iter().filter(|c| **c > 0.0).map(|c| c * (c / w).log2()).sum::<f64>();
    part(left, wl) + part(right, wr)
}

/// The chosen split of a node.
#[derive(Debug, Clone, Copy)]
struct Split {
    feature: usize,
    threshold: f64,
    proxy: f64,
}

/// A sample's value of the feature being scanned, with what the scan needs of it in the same
/// 16 bytes (no lookups while scanning): its class (or its index, for a regression) and weight.
#[derive(Debug, Clone, Copy)]
struct Entry {
    v: f32,
    tag: u32,
    w: u32,
}

/// Per-tree scratch space, reused from node to node.
struct Scratch {
    pairs: Vec<Entry>,
    left: Vec<f64>,
    right: Vec<f64>,
    features: Vec<usize>,
}

/// A node waiting to be grown.
struct Pending {
    start: usize,
    end: usize,
    depth: usize,
    parent: Option<(usize, bool)>,
    stats: Stats,
}

/// Grow one tree on the samples of positive weight. `rng` draws the features tried at each node
/// (and the random splitter's thresholds).
pub fn grow(data: &Data, weights: &[u32], params: &Params, rng: &mut Stream, control: &Control) -> Result<Tree> {
    params.check(data.d)?;
    crate::ensure!(weights.len() == data.n, "{} sample weights for {} samples", weights.len(), data.n);
    let mut samples: Vec<u32> = try_with_capacity(data.n, "the sample indices of a tree")?;
    samples.extend((0..data.n as u32).filter(|&i| weights[i as usize] > 0));
    crate::ensure!(!samples.is_empty(), "a tree needs at least one sample of positive weight");
    let width = data.target.width();
    let mut scratch = Scratch {
        pairs: try_with_capacity(samples.len(), "the sort buffer of a tree")?,
        left: vec![0.0; width.max(2)],
        right: vec![0.0; width.max(2)],
        features: (0..data.d).collect(),
    };
    let mut tree = Tree::default();
    let root = Stats::of(data, weights, &samples);
    let w_root = root.w;
    let mut stack = vec![Pending { start: 0, end: samples.len(), depth: 0, parent: None, stats: root }];
    while let Some(node) = stack.pop() {
        control.check()?;
        let id = tree.len();
        if let Some((parent, is_left)) = node.parent {
            if is_left {
                tree.left[parent] = id as i64;
            } else {
                tree.right[parent] = id as i64;
            }
        }
        let imp = node.stats.impurity(params.criterion);
        tree.left.push(LEAF);
        tree.right.push(LEAF);
        tree.feature.push(NO_FEATURE);
        tree.threshold.push(NO_FEATURE as f64);
        node.stats.value(params.criterion, &mut tree.value);
        tree.n_node_samples.push(node.stats.n as i64);
        tree.weighted_n_node_samples.push(node.stats.w);
        tree.impurity.push(imp);
        let n = node.end - node.start;
        if node.depth >= params.max_depth
            || n < params.min_samples_split
            || n < 2 * params.min_samples_leaf
            || imp <= EPSILON
        {
            continue;
        }
        let part = &mut samples[node.start..node.end];
        let Some(split) = find_split(data, weights, part, &node.stats, params, rng, &mut scratch) else {
            continue;
        };
        // samples at or below the threshold first
        let col = data.col(split.feature);
        let mut mid = 0;
        for j in 0..part.len() {
            if f64::from(col[part[j] as usize]) <= split.threshold {
                part.swap(mid, j);
                mid += 1;
            }
        }
        let (ls, rs) = (Stats::of(data, weights, &part[..mid]), Stats::of(data, weights, &part[mid..]));
        let (il, ir) = (ls.impurity(params.criterion), rs.impurity(params.criterion));
        let improvement = node.stats.w / w_root * (imp - rs.w / node.stats.w * ir - ls.w / node.stats.w * il);
        if improvement + EPSILON < params.min_impurity_decrease {
            continue;
        }
        tree.feature[id] = split.feature as i64;
        tree.threshold[id] = split.threshold;
        let depth = node.depth + 1;
        let (start, end) = (node.start, node.end);
        stack.push(Pending { start: start + mid, end, depth, parent: Some((id, false)), stats: rs });
        stack.push(Pending { start, end: start + mid, depth, parent: Some((id, true)), stats: ls });
    }
    Ok(tree)
}

/// The best split of the node holding `part`, or None when no feature splits it while keeping
/// `min_samples_leaf` samples on each side. Features are drawn without replacement until
/// `max_features` have been tried and one of them was not constant in the node.
fn find_split(
    data: &Data,
    weights: &[u32],
    part: &[u32],
    stats: &Stats,
    params: &Params,
    rng: &mut Stream,
    scratch: &mut Scratch,
) -> Option<Split> {
    let d = data.d;
    let mut best: Option<Split> = None;
    let (mut visited, mut non_constant) = (0, 0);
    for i in 0..d {
        if visited >= params.max_features && non_constant > 0 {
            break;
        }
        let j = i + rng.below((d - i) as u64) as usize;
        scratch.features.swap(i, j);
        let f = scratch.features[i];
        visited += 1;
        let col = data.col(f);
        let (lo, hi) = gather(data, weights, part, col, &mut scratch.pairs);
        if hi <= lo + FEATURE_THRESHOLD {
            continue;
        }
        non_constant += 1;
        let found = match params.splitter {
            Splitter::Best => best_threshold(data, stats, params, f, scratch),
            Splitter::Random => {
                let mut t = lo + rng.next_f64() * (hi - lo);
                if t >= hi {
                    t = lo;
                }
                random_threshold(data, stats, params, f, t, scratch)
            }
        };
        if let Some(s) = found {
            if best.is_none_or(|b| s.proxy > b.proxy) {
                best = Some(s);
            }
        }
    }
    best
}

/// Fill `pairs` with the node's values of a feature (column `col`); returns their range.
fn gather(data: &Data, weights: &[u32], part: &[u32], col: &[f32], pairs: &mut Vec<Entry>) -> (f64, f64) {
    pairs.clear();
    match &data.target {
        Target::Classes { labels, .. } => pairs.extend(part.iter().map(|&s| Entry {
            v: col[s as usize],
            tag: labels[s as usize],
            w: weights[s as usize],
        })),
        Target::Values(_) => {
            pairs.extend(part.iter().map(|&s| Entry { v: col[s as usize], tag: s, w: weights[s as usize] }))
        }
    }
    // plain comparisons in registers (the values are finite): f32::min's NaN handling costs here
    let (mut lo, mut hi) = (f32::INFINITY, f32::NEG_INFINITY);
    for e in pairs.iter() {
        lo = if e.v < lo { e.v } else { lo };
        hi = if e.v > hi { e.v } else { hi };
    }
    (f64::from(lo), f64::from(hi))
}

/// Sort the node's values of feature `f` (gathered by [`gather`]) and scan the thresholds
/// between distinct values.
fn best_threshold(data: &Data, stats: &Stats, params: &Params, f: usize, scratch: &mut Scratch) -> Option<Split> {
    let pairs = &mut scratch.pairs;
    pairs.sort_unstable_by(|a, b| a.v.total_cmp(&b.v));
    let n = pairs.len();
    let msl = params.min_samples_leaf;
    let mut best: Option<(f64, usize)> = None;
    let (mut wl, mut wr) = (0.0, stats.w);
    match (&data.target, params.criterion) {
        (Target::Classes { .. }, criterion) => {
            let (left, right) = (&mut scratch.left, &mut scratch.right);
            left.iter_mut().for_each(|v| *v = 0.0);
            right[..stats.sums.len()].copy_from_slice(&stats.sums);
            // Σ counts² on each side, kept exactly (whole numbers) for the Gini proxy
            let (mut sql, mut sqr) = (0.0, stats.sums.iter().map(|c| c * c).sum::<f64>());
            for p in 0..n - 1 {
                let Entry { v, tag, w } = pairs[p];
                let (c, w) = (tag as usize, w as f64);
                sql += w * (2.0 * left[c] + w);
                sqr += w * (w - 2.0 * right[c]);
                left[c] += w;
                right[c] -= w;
                wl += w;
                wr -= w;
                if f64::from(pairs[p + 1].v) <= f64::from(v) + FEATURE_THRESHOLD || p + 1 < msl || n - p - 1 < msl {
                    continue;
                }
                let proxy = match criterion {
                    Criterion::Entropy => entropy_proxy(left, wl, right, wr),
                    _ => sql / wl + sqr / wr,
                };
                if best.is_none_or(|b| proxy > b.0) {
                    best = Some((proxy, p + 1));
                }
            }
        }
        (Target::Values(y), _) => {
            let (mut sl, total) = (0.0, stats.sums[0]);
            for p in 0..n - 1 {
                let Entry { v, tag, w } = pairs[p];
                let w = w as f64;
                sl += w * y[tag as usize];
                wl += w;
                wr -= w;
                if f64::from(pairs[p + 1].v) <= f64::from(v) + FEATURE_THRESHOLD || p + 1 < msl || n - p - 1 < msl {
                    continue;
                }
                let sr = total - sl;
                let proxy = sl * sl / wl + sr * sr / wr;
                if best.is_none_or(|b| proxy > b.0) {
                    best = Some((proxy, p + 1));
                }
            }
        }
    }
    best.map(|(proxy, pos)| {
        let (a, b) = (f64::from(pairs[pos - 1].v), f64::from(pairs[pos].v));
        let mut threshold = a / 2.0 + b / 2.0;
        if threshold >= b || !threshold.is_finite() {
            threshold = a;
        }
        Split { feature: f, threshold, proxy }
    })
}

/// The proxy of splitting at threshold `t` on feature `f` (gathered by [`gather`]), if both
/// sides keep enough samples.
fn random_threshold(
    data: &Data,
    stats: &Stats,
    params: &Params,
    f: usize,
    t: f64,
    scratch: &mut Scratch,
) -> Option<Split> {
    let pairs = &scratch.pairs;
    let (mut nl, mut wl) = (0usize, 0.0);
    let proxy_of = |nl: usize, wl: f64| {
        let nr = pairs.len() - nl;
        (nl >= params.min_samples_leaf && nr >= params.min_samples_leaf).then_some(stats.w - wl)
    };
    let proxy = match &data.target {
        Target::Classes { .. } => {
            let left = &mut scratch.left;
            left.iter_mut().for_each(|v| *v = 0.0);
            // branch-free: which side a sample falls is a coin toss the branch predictor loses
            for e in pairs {
                let w = if f64::from(e.v) <= t { e.w } else { 0 };
                left[e.tag as usize] += w as f64;
                wl += w as f64;
                nl += (w > 0) as usize;
            }
            let wr = proxy_of(nl, wl)?;
            let k = stats.sums.len();
            for ((r, total), l) in scratch.right.iter_mut().zip(&stats.sums).zip(left.iter()) {
                *r = total - l;
            }
            let (left, right) = (&scratch.left[..k], &scratch.right[..k]);
            match params.criterion {
                Criterion::Entropy => entropy_proxy(left, wl, right, wr),
                _ => left.iter().map(|c| c * c).sum::<f64>() / wl + right.iter().map(|c| c * c).sum::<f64>() / wr,
            }
        }
        Target::Values(y) => {
            let mut sl = 0.0;
            for e in pairs {
                let w = if f64::from(e.v) <= t { e.w as f64 } else { 0.0 };
                sl += w * y[e.tag as usize];
                wl += w;
                nl += (w > 0.0) as usize;
            }
            let wr = proxy_of(nl, wl)?;
            let sr = stats.sums[0] - sl;
            sl * sl / wl + sr * sr / wr
        }
    };
    Some(Split { feature: f, threshold: t, proxy })
}

/// Rows predicted per parallel block.
const BLOCK: usize = 128;
/// Rows that walk a tree together.
const LANES: usize = 8;

/// A fitted forest's arrays as predict reads them (one tree is a forest of one).
#[derive(Debug, Clone, Copy)]
pub struct Nodes<'a> {
    /// Each tree's first node, then the node count: trees + 1 entries.
    pub offsets: &'a [i64],
    pub left: &'a [i64],
    pub right: &'a [i64],
    pub feature: &'a [i64],
    pub threshold: &'a [f64],
    /// nodes × width.
    pub value: ArrayView2<'a, f64>,
}

impl Nodes<'_> {
    /// Check the structure (it may come from an edited pickle): children after their parent
    /// inside the same tree, so that every walk ends at a leaf; features below `d`.
    pub fn check(&self, d: usize) -> Result<()> {
        let m = self.left.len();
        crate::ensure!(
            [self.right.len(), self.feature.len(), self.threshold.len(), self.value.nrows()].iter().all(|&l| l == m),
            "the tree arrays must all hold one entry per node ({m})"
        );
        crate::ensure!(self.offsets.len() >= 2, "a forest needs at least one tree");
        crate::ensure!(d >= 1 && self.value.ncols() >= 1, "a forest needs features and at least one value per node");
        crate::ensure!(
            self.offsets[0] == 0 && *self.offsets.last().expect("two") == m as i64,
            "the tree offsets must run from 0 to the number of nodes ({m})"
        );
        for t in self.offsets.windows(2) {
            crate::ensure!(t[0] < t[1], "every tree needs at least one node");
            let (lo, hi) = (t[0], t[1]);
            for node in lo..hi {
                let i = node as usize;
                let (l, r) = (self.left[i], self.right[i]);
                if l == LEAF && r == LEAF {
                    continue;
                }
                crate::ensure!(
                    l > node && l < hi && r > node && r < hi,
                    "node {node} has children ({l}, {r}) outside its tree after it"
                );
                crate::ensure!(
                    (0..d as i64).contains(&self.feature[i]) && !self.threshold[i].is_nan(),
                    "node {node} splits on feature {} (of {d}) at {}",
                    self.feature[i],
                    self.threshold[i]
                );
            }
        }
        Ok(())
    }

    /// The mean over the trees of the value of the leaf each row of `x` reaches (rows × width),
    /// summed in tree order.
    pub fn predict(&self, x: ArrayView2<'_, f64>, control: &Control) -> Result<Array2<f64>> {
        let d = x.ncols();
        self.check(d)?;
        // one pass for the common case; the checks' own passes find what to report
        if !x.iter().all(|v| v.abs() <= f32::MAX as f64) {
            check_x(x, d)?;
            check_f32(x)?;
        }
        let (m, width, nodes) = (x.nrows(), self.value.ncols(), self.left.len());
        crate::ensure!(nodes < u32::MAX as usize, "at most 2**32 - 2 nodes are supported, got {nodes}");
        // one record per node, so that a step of the walk reads one cache line
        let mut steps: Vec<Step> = try_with_capacity(nodes, &format!("the {nodes} nodes of a forest"))?;
        steps.extend((0..nodes).map(|i| match self.left[i] {
            LEAF => Step { threshold: 0.0, left: 0, right: 0, feature: u32::MAX },
            left => Step {
                threshold: self.threshold[i],
                left: left as u32,
                right: self.right[i] as u32,
                feature: self.feature[i] as u32,
            },
        }));
        let trees = self.offsets.len() - 1;
        let mut out = try_vec(m * width, 0.0, &format!("predictions of {m} rows × {width} values"))?;
        crate::parallel::install(|| {
            out.par_chunks_mut(BLOCK * width).enumerate().try_for_each(|(b, chunk)| {
                control.check()?;
                let (first, rows) = (b * BLOCK, chunk.len() / width);
                // the block's rows rounded to float32 (the values the thresholds were chosen
                // between), contiguous
                let mut xs = Vec::with_capacity(rows * d);
                for r in 0..rows {
                    xs.extend(x.row(first + r).iter().map(|&v| f64::from(v as f32)));
                }
                for &root in &self.offsets[..trees] {
                    // LANES rows walk the tree together: their steps are independent, so the
                    // processor overlaps their memory reads instead of waiting on each in turn
                    for (rows, accs) in xs.chunks(LANES * d).zip(chunk.chunks_mut(LANES * width)) {
                        let lanes = accs.len() / width;
                        let mut at = [root as usize; LANES];
                        loop {
                            let mut moving = false;
                            for (l, node) in at.iter_mut().enumerate().take(lanes) {
                                let s = steps[*node];
                                if s.feature != u32::MAX {
                                    let v = rows[l * d + s.feature as usize];
                                    *node = if v <= s.threshold { s.left } else { s.right } as usize;
                                    moving = true;
                                }
                            }
                            if !moving {
                                break;
                            }
                        }
                        for (node, acc) in at.iter().zip(accs.chunks_mut(width)) {
                            acc.iter_mut().zip(self.value.row(*node)).for_each(|(a, v)| *a += v);
                        }
                    }
                }
                chunk.iter_mut().for_each(|a| *a /= trees as f64);
                Ok(())
            })
        })??;
        Ok(Array2::from_shape_vec((m, width), out).expect("rows × width"))
    }
}

/// A node as the walk reads it; a leaf has `feature == u32::MAX`.
#[derive(Debug, Clone, Copy)]
struct Step {
    threshold: f64,
    left: u32,
    right: u32,
    feature: u32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn params(criterion: Criterion) -> Params {
        Params {
            criterion,
            splitter: Splitter::Best,
            max_depth: usize::MAX,
            min_samples_split: 2,
            min_samples_leaf: 1,
            min_impurity_decrease: 0.0,
            max_features: 2,
        }
    }

    fn predict(tree: &Tree, x: ArrayView2<'_, f64>, width: usize) -> Array2<f64> {
        let value = Array2::from_shape_vec((tree.len(), width), tree.value.clone()).unwrap();
        let offsets = [0, tree.len() as i64];
        let nodes = Nodes {
            offsets: &offsets,
            left: &tree.left,
            right: &tree.right,
            feature: &tree.feature,
            threshold: &tree.threshold,
            value: value.view(),
        };
        nodes.predict(x, &Control::new()).unwrap()
    }

    #[test]
    fn a_separable_problem_splits_once_at_the_midpoint() {
        let x = array![[0.0, 5.0], [1.0, 5.0], [2.0, 5.0], [3.0, 5.0]];
        let y = array![0.0, 0.0, 1.0, 1.0];
        let data = Data::new(x.view(), y.view(), 2).unwrap();
        for criterion in [Criterion::Gini, Criterion::Entropy] {
            let tree = grow(&data, &[1; 4], &params(criterion), &mut Stream::new(0, 0), &Control::new()).unwrap();
            assert_eq!(tree.len(), 3);
            assert_eq!((tree.feature[0], tree.threshold[0]), (0, 1.5));
            assert_eq!(tree.importances(2), vec![1.0, 0.0]);
            assert_eq!(predict(&tree, x.view(), 2).column(1).to_vec(), vec![0.0, 0.0, 1.0, 1.0]);
        }
    }

    #[test]
    fn weights_count_samples_in_impurity_but_not_in_leaf_sizes() {
        let x = array![[0.0], [1.0], [2.0]];
        let y = array![1.0, 2.0, 6.0];
        let data = Data::new(x.view(), y.view(), 0).unwrap();
        let mut p = params(Criterion::SquaredError);
        p.max_features = 1;
        p.max_depth = 1;
        let tree = grow(&data, &[3, 0, 1], &p, &mut Stream::new(0, 0), &Control::new()).unwrap();
        assert_eq!(tree.n_node_samples, vec![2, 1, 1]);
        assert_eq!(tree.weighted_n_node_samples, vec![4.0, 3.0, 1.0]);
        assert_eq!(tree.value[0], 9.0 / 4.0);
        assert_eq!(tree.threshold[0], 1.0);
        p.min_samples_leaf = 2;
        let leaf = grow(&data, &[3, 0, 1], &p, &mut Stream::new(0, 0), &Control::new()).unwrap();
        assert_eq!(leaf.len(), 1);
    }

    #[test]
    fn random_thresholds_lie_inside_the_node_range() {
        let x = array![[0.0], [1.0], [2.0], [3.0], [4.0], [5.0]];
        let y = array![0.0, 1.0, 0.0, 1.0, 0.0, 1.0];
        let data = Data::new(x.view(), y.view(), 2).unwrap();
        let mut p = params(Criterion::Gini);
        p.splitter = Splitter::Random;
        p.max_features = 1;
        let tree = grow(&data, &[1; 6], &p, &mut Stream::new(3, 1), &Control::new()).unwrap();
        assert!(tree.threshold[0] > 0.0 && tree.threshold[0] < 5.0);
        // grown to purity: the training rows are predicted exactly
        assert_eq!(predict(&tree, x.view(), 2).column(1).to_vec(), y.to_vec());
    }

    #[test]
    fn bad_structures_and_parameters_are_refused() {
        let x = array![[0.0], [1.0]];
        let data = Data::new(x.view(), array![0.0, 1.0].view(), 2).unwrap();
        let mut p = params(Criterion::Gini);
        assert!(grow(&data, &[1, 1], &p, &mut Stream::new(0, 0), &Control::new()).is_err()); // 2 features of 1
        p.max_features = 1;
        p.min_samples_split = 1;
        assert!(grow(&data, &[1, 1], &p, &mut Stream::new(0, 0), &Control::new()).is_err());
        let value = Array2::<f64>::zeros((2, 1));
        let nodes = Nodes {
            offsets: &[0, 2],
            left: &[1, -1],
            right: &[0, -1],
            feature: &[0, -2],
            threshold: &[0.0, -2.0],
            value: value.view(),
        };
        assert!(nodes.predict(x.view(), &Control::new()).is_err());
    }
}
