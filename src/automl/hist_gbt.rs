//! Histogram-based gradient-boosted trees, as scikit-learn's `HistGradientBoostingRegressor`
//! (`squared_error`) and `HistGradientBoostingClassifier` (`log_loss`: one tree per iteration
//! for two classes, one per class and iteration under softmax beyond).
//!
//! Features are binned once (`binning`); each iteration computes every sample's gradient and
//! hessian (f32, as scikit-learn keeps them), then grows each tree best-first: the leaf whose best
//! split gains most is split next, until `max_leaf_nodes` leaves, within `max_depth`,
//! `min_samples_leaf` and a minimum hessian. A node's histogram holds (Σg, Σh, count) per feature
//! and bin; it is built feature by feature in parallel, each feature's sums in row order, so the
//! model is the same bits whatever the thread count. Of two children only the smaller is built
//! from its rows; the other is the parent's histogram minus it. Splits maximise
//! G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ); leaves take −G/(H+λ) times the learning rate.
//!
//! Early stopping holds out a seeded random `validation_fraction` of the rows and stops once the
//! validation loss has not improved by `tol` on any of the last `n_iter_no_change` iterations.

use super::binning;
use crate::control::Control;
use crate::error::Result;
use crate::rng::Stream;
use crate::special::expit;
use ndarray::{Array2, ArrayView1, ArrayView2};
use rayon::prelude::*;

/// The loss, and so the number of trees per iteration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loss {
    SquaredError,
    LogLoss { classes: usize },
}

impl Loss {
    /// Raw predictions (and trees) per iteration.
    pub fn outputs(self) -> usize {
        match self {
            Loss::SquaredError | Loss::LogLoss { classes: 2 } => 1,
            Loss::LogLoss { classes } => classes,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    pub loss: Loss,
    pub learning_rate: f64,
    pub max_iter: usize,
    pub max_leaf_nodes: Option<usize>,
    pub max_depth: Option<usize>,
    pub min_samples_leaf: usize,
    pub l2_regularization: f64,
    pub max_bins: usize,
    pub early_stopping: bool,
    /// The held-out share for early stopping; `None` stops on the training loss.
    pub validation_fraction: Option<f64>,
    pub n_iter_no_change: usize,
    pub tol: f64,
    pub seed: u64,
}

/// The fitted trees as flat arrays: node `i` splits on `feature[i]` (`x <= threshold[i]` goes to
/// `left[i]`, else `right[i]`, both indices within its tree) or is a leaf (`left[i] = -1`,
/// `value[i]` its output). Tree `t` is nodes `offsets[t]..offsets[t + 1]` and adds to output
/// `t % baseline.len()`.
#[derive(Debug, Clone, PartialEq)]
pub struct Forest {
    pub feature: Vec<i64>,
    pub threshold: Vec<f64>,
    pub left: Vec<i64>,
    pub right: Vec<i64>,
    pub value: Vec<f64>,
    pub offsets: Vec<i64>,
    pub baseline: Vec<f64>,
}

/// A fit: the forest, the iterations run, and the scores (minus the mean loss) before the first
/// and after each iteration, on the training rows and (early stopping) the held-out ones.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    pub forest: Forest,
    pub n_iter: usize,
    pub train_score: Vec<f64>,
    pub validation_score: Vec<f64>,
}

/// scikit-learn's smallest hessian sum of a child.
const MIN_HESSIAN: f64 = 1e-3;
/// Rows sampled to place the bin thresholds (scikit-learn's `subsample`).
const BIN_SAMPLE: usize = 200_000;
/// Bins per feature in a histogram (codes are u8).
const STRIDE: usize = 256;
/// About the operations worth one parallel task.
const TASK: usize = 16_384;

#[derive(Debug, Clone, Copy, Default)]
struct Bin {
    g: f64,
    h: f64,
    n: u64,
}

/// The binned training rows: feature `f`'s codes are `codes[f * n..(f + 1) * n]`.
struct Data<'a> {
    codes: &'a [u8],
    n: usize,
    d: usize,
    nbins: &'a [usize],
}

struct Params {
    min_leaf: usize,
    l2: f64,
    max_leaves: usize,
    max_depth: usize,
    learning_rate: f64,
}

#[derive(Debug, Clone, Copy)]
struct Split {
    gain: f64,
    feature: usize,
    bin: u8,
    gl: f64,
    hl: f64,
    nl: usize,
}

/// A grown tree's node (leaf: `left == -1`); its threshold is the bin's upper edge.
#[derive(Debug, Clone, Copy)]
struct Node {
    feature: usize,
    bin: u8,
    left: i64,
    right: i64,
    value: f64,
}

/// A node that may still be split, with its histogram.
struct Open {
    node: usize,
    start: usize,
    end: usize,
    depth: usize,
    g: f64,
    h: f64,
    split: Split,
    hist: Vec<Bin>,
}

/// One tree's buffers, kept between iterations: the row partition and spare histograms.
struct Workspace {
    rows: Vec<u32>,
    spill: Vec<u32>,
    gathered: Vec<f32>,
    gathered_h: Vec<f32>,
    spare: Vec<Vec<Bin>>,
}

impl Workspace {
    fn hist(&mut self, d: usize) -> Vec<Bin> {
        self.spare.pop().unwrap_or_else(|| vec![Bin::default(); d * STRIDE])
    }
}

#[inline]
fn node_value(g: f64, h: f64, l2: f64) -> f64 {
    -g / (h + l2 + 1e-15)
}

/// The rows' histogram into `hist`: `rows` (or all rows in order when `None`), gradients `g` and
/// hessians `h` (`None`: constant, counted instead).
fn build(data: &Data<'_>, rows: Option<&[u32]>, g: &[f32], h: Option<&[f32]>, ws: &mut Workspace, hist: &mut [Bin]) {
    let n = data.n;
    let (og, oh): (&[f32], Option<&[f32]>) = match rows {
        None => (g, h),
        Some(r) => {
            ws.gathered.clear();
            ws.gathered.extend(r.iter().map(|&i| g[i as usize]));
            if let Some(h) = h {
                ws.gathered_h.clear();
                ws.gathered_h.extend(r.iter().map(|&i| h[i as usize]));
            }
            (&ws.gathered, h.map(|_| ws.gathered_h.as_slice()))
        }
    };
    let m = og.len();
    let per_task = (TASK / m.max(1)).max(1);
    hist.par_chunks_mut(STRIDE).with_min_len(per_task).enumerate().for_each(|(f, hf)| {
        let hf: &mut [Bin; STRIDE] = hf.try_into().expect("STRIDE bins");
        hf.fill(Bin::default());
        let col = &data.codes[f * n..(f + 1) * n];
        match (rows, oh) {
            (None, None) => col.iter().zip(og).for_each(|(&b, &gv)| {
                let e = &mut hf[b as usize];
                e.g += f64::from(gv);
                e.n += 1;
            }),
            (None, Some(oh)) => col.iter().zip(og).zip(oh).for_each(|((&b, &gv), &hv)| {
                let e = &mut hf[b as usize];
                e.g += f64::from(gv);
                e.h += f64::from(hv);
                e.n += 1;
            }),
            (Some(r), None) => r.iter().zip(og).for_each(|(&i, &gv)| {
                let e = &mut hf[col[i as usize] as usize];
                e.g += f64::from(gv);
                e.n += 1;
            }),
            (Some(r), Some(oh)) => r.iter().zip(og).zip(oh).for_each(|((&i, &gv), &hv)| {
                let e = &mut hf[col[i as usize] as usize];
                e.g += f64::from(gv);
                e.h += f64::from(hv);
                e.n += 1;
            }),
        }
        if oh.is_none() {
            hf.iter_mut().for_each(|e| e.h = e.n as f64);
        }
    });
}

/// The best split of a node with sums (`g`, `h`, `n`), or `None` where none gains: features in
/// order and bins left to right, the first of equal gains kept.
fn best_split(data: &Data<'_>, p: &Params, hist: &[Bin], g: f64, h: f64, n: usize) -> Option<Split> {
    let parent_loss = g * node_value(g, h, p.l2);
    let per_feature: Vec<Option<Split>> = hist
        .par_chunks(STRIDE)
        .with_min_len((TASK / STRIDE).max(1))
        .enumerate()
        .map(|(f, hf)| {
            let mut best: Option<Split> = None;
            let (mut gl, mut hl, mut nl) = (0.0, 0.0, 0usize);
            for (b, e) in hf[..data.nbins[f].saturating_sub(1)].iter().enumerate() {
                gl += e.g;
                hl += e.h;
                nl += e.n as usize;
                if nl < p.min_leaf {
                    continue;
                }
                if n - nl < p.min_leaf {
                    break;
                }
                let hr = h - hl;
                if hl < MIN_HESSIAN {
                    continue;
                }
                if hr < MIN_HESSIAN {
                    break;
                }
                let gr = g - gl;
                let gain = parent_loss - gl * node_value(gl, hl, p.l2) - gr * node_value(gr, hr, p.l2);
                if gain > 0.0 && best.is_none_or(|s| gain > s.gain) {
                    best = Some(Split { gain, feature: f, bin: b as u8, gl, hl, nl });
                }
            }
            best
        })
        .collect();
    per_feature.into_iter().flatten().fold(None, |best: Option<Split>, s| match best {
        Some(b) if b.gain >= s.gain => Some(b),
        _ => Some(s),
    })
}

/// Grow one tree on gradients `g` / hessians `h` (`None`: all 1). Returns its nodes (values
/// already times the learning rate) and each leaf's rows as `(start, end, value)` of `ws.rows`.
/// A tree's leaves as `(start, end, value)`: their rows are `rows[start..end]` of the workspace.
type Leaves = Vec<(usize, usize, f64)>;

fn grow(data: &Data<'_>, p: &Params, g: &[f32], h: Option<&[f32]>, ws: &mut Workspace) -> (Vec<Node>, Leaves) {
    let n = data.n;
    ws.rows.clear();
    ws.rows.extend(0..n as u32);
    let sum_g: f64 = g.iter().map(|&v| f64::from(v)).sum();
    let sum_h: f64 = h.map_or(n as f64, |h| h.iter().map(|&v| f64::from(v)).sum());
    let leaf = |value: f64| Node { feature: 0, bin: 0, left: -1, right: -1, value: value * p.learning_rate };
    let mut nodes = vec![leaf(node_value(sum_g, sum_h, p.l2))];
    // each node's rows, ws.rows[start..end], by node
    let mut spans: Vec<(usize, usize)> = vec![(0, n)];
    let mut open: Vec<Open> = Vec::new();
    if n >= 2 * p.min_leaf && sum_h >= 2.0 * MIN_HESSIAN && p.max_leaves > 1 && p.max_depth > 0 {
        let mut hist = ws.hist(data.d);
        build(data, None, g, h, ws, &mut hist);
        match best_split(data, p, &hist, sum_g, sum_h, n) {
            Some(split) => open.push(Open { node: 0, start: 0, end: n, depth: 0, g: sum_g, h: sum_h, split, hist }),
            None => ws.spare.push(hist),
        }
    }
    let mut n_leaves = 1;
    while !open.is_empty() {
        // the most gainful open node; ties to the earlier node
        let at = (0..open.len()).fold(0, |b, i| if open[i].split.gain > open[b].split.gain { i } else { b });
        let Open { node, start, end, depth, g: pg, h: ph, split, hist } = open.swap_remove(at);
        let Split { feature, bin, gl, hl, nl, .. } = split;
        // stable partition of the node's rows: bin <= split bin first
        let col = &data.codes[feature * n..(feature + 1) * n];
        let seg = &mut ws.rows[start..end];
        ws.spill.clear();
        let mut kept = 0;
        for k in 0..seg.len() {
            let r = seg[k];
            if col[r as usize] <= bin {
                seg[kept] = r;
                kept += 1;
            } else {
                ws.spill.push(r);
            }
        }
        seg[kept..].copy_from_slice(&ws.spill);
        debug_assert_eq!(kept, nl);
        let (gr, hr, nr) = (pg - gl, ph - hl, (end - start) - nl);
        let (li, ri) = (nodes.len(), nodes.len() + 1);
        nodes[node] = Node { feature, bin, left: li as i64, right: ri as i64, value: 0.0 };
        nodes.push(leaf(node_value(gl, hl, p.l2)));
        nodes.push(leaf(node_value(gr, hr, p.l2)));
        spans.push((start, start + nl));
        spans.push((start + nl, end));
        n_leaves += 1;
        if n_leaves >= p.max_leaves {
            ws.spare.push(hist);
            ws.spare.extend(open.drain(..).map(|o| o.hist));
            break;
        }
        let deep = depth + 1 >= p.max_depth;
        let can = |nc: usize, hc: f64| !deep && nc >= 2 * p.min_leaf && hc >= 2.0 * MIN_HESSIAN;
        let (split_l, split_r) = (can(nl, hl), can(nr, hr));
        if !(split_l || split_r) {
            ws.spare.push(hist);
            continue;
        }
        // build the smaller child's histogram; the larger one's is the parent's minus it
        let mut small = ws.hist(data.d);
        let mut large = hist;
        let left_smaller = nl < nr;
        let (s0, s1) = if left_smaller { (start, start + nl) } else { (start + nl, end) };
        let rows = std::mem::take(&mut ws.rows);
        build(data, Some(&rows[s0..s1]), g, h, ws, &mut small);
        ws.rows = rows;
        large.par_iter_mut().zip(small.par_iter()).with_min_len(TASK).for_each(|(l, s)| {
            l.g -= s.g;
            l.h -= s.h;
            l.n -= s.n;
        });
        let (hist_l, hist_r) = if left_smaller { (small, large) } else { (large, small) };
        for (ok, child, hist, (cg, ch, cn), (cs, ce)) in [
            (split_l, li, hist_l, (gl, hl, nl), (start, start + nl)),
            (split_r, ri, hist_r, (gr, hr, nr), (start + nl, end)),
        ] {
            match ok.then(|| best_split(data, p, &hist, cg, ch, cn)).flatten() {
                Some(split) => {
                    open.push(Open { node: child, start: cs, end: ce, depth: depth + 1, g: cg, h: ch, split, hist })
                }
                None => ws.spare.push(hist),
            }
        }
    }
    let leaves = nodes.iter().zip(&spans).filter(|(nd, _)| nd.left < 0).map(|(nd, &(s, e))| (s, e, nd.value)).collect();
    (nodes, leaves)
}

/// `ln(1 + e^x)` without overflow.
#[inline]
fn log1pexp(x: f64) -> f64 {
    if x > 0.0 {
        x + (-x).exp().ln_1p()
    } else {
        x.exp().ln_1p()
    }
}

/// Softmax of `row` in place.
#[inline]
fn softmax(row: &mut [f64]) {
    let m = row.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
    let mut s = 0.0;
    row.iter_mut().for_each(|v| {
        *v = (*v - m).exp();
        s += *v;
    });
    row.iter_mut().for_each(|v| *v /= s);
}

/// The mean loss of raw predictions `raw` (rows × `k`) against `y`.
fn mean_loss(loss: Loss, raw: &[f64], y: &[f64]) -> f64 {
    let n = y.len();
    let total: f64 = match loss {
        Loss::SquaredError => raw.iter().zip(y).map(|(r, t)| 0.5 * (t - r) * (t - r)).sum(),
        Loss::LogLoss { classes: 2 } => raw.iter().zip(y).map(|(&r, &t)| log1pexp(r) - t * r).sum(),
        Loss::LogLoss { classes } => raw
            .chunks_exact(classes)
            .zip(y)
            .map(|(row, &t)| {
                let m = row.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
                m + row.iter().map(|v| (v - m).exp()).sum::<f64>().ln() - row[t as usize]
            })
            .sum(),
    };
    total / n as f64
}

/// scikit-learn's starting raw prediction: the mean target, the log-odds of the positive class,
/// or the centred log class frequencies (frequencies clipped to [ε, 1 − ε]).
fn baseline(loss: Loss, y: &[f64]) -> Vec<f64> {
    let n = y.len() as f64;
    let clip = |p: f64| p.clamp(f64::EPSILON, 1.0 - f64::EPSILON);
    match loss {
        Loss::SquaredError => vec![y.iter().sum::<f64>() / n],
        Loss::LogLoss { classes: 2 } => {
            let p = clip(y.iter().sum::<f64>() / n);
            vec![(p / (1.0 - p)).ln()]
        }
        Loss::LogLoss { classes } => {
            let mut counts = vec![0usize; classes];
            y.iter().for_each(|&t| counts[t as usize] += 1);
            let logs: Vec<f64> = counts.iter().map(|&c| clip(c as f64 / n).ln()).collect();
            let mean = logs.iter().sum::<f64>() / classes as f64;
            logs.iter().map(|l| l - mean).collect()
        }
    }
}

/// Gradients and hessians (class-major: output `c`'s are `[c * n..(c + 1) * n]`) of the loss at
/// `raw`; `h` is left empty for the squared error (constant hessian).
fn gradients(loss: Loss, raw: &[f64], y: &[f64], g: &mut [f32], h: &mut [f32], prob: &mut [f64]) {
    const CHUNK: usize = 4096;
    match loss {
        Loss::SquaredError => g.par_chunks_mut(CHUNK).enumerate().for_each(|(c, gc)| {
            let o = c * CHUNK;
            gc.iter_mut().enumerate().for_each(|(i, gv)| *gv = (raw[o + i] - y[o + i]) as f32);
        }),
        Loss::LogLoss { classes: 2 } => {
            g.par_chunks_mut(CHUNK).zip(h.par_chunks_mut(CHUNK)).enumerate().for_each(|(c, (gc, hc))| {
                let o = c * CHUNK;
                for (i, (gv, hv)) in gc.iter_mut().zip(hc.iter_mut()).enumerate() {
                    let p = expit(raw[o + i]);
                    *gv = (p - y[o + i]) as f32;
                    *hv = (p * (1.0 - p)) as f32;
                }
            })
        }
        Loss::LogLoss { classes: k } => {
            let n = y.len();
            prob.copy_from_slice(raw);
            prob.par_chunks_mut(k * 512).for_each(|rows| rows.chunks_exact_mut(k).for_each(softmax));
            g.par_chunks_mut(n).zip(h.par_chunks_mut(n)).enumerate().for_each(|(c, (gc, hc))| {
                for (i, (gv, hv)) in gc.iter_mut().zip(hc.iter_mut()).enumerate() {
                    let p = prob[i * k + c];
                    *gv = (p - if y[i] as usize == c { 1.0 } else { 0.0 }) as f32;
                    *hv = (p * (1.0 - p)) as f32;
                }
            });
        }
    }
}

/// `count` distinct indices of `0..n` drawn by `stream`, and the rest, each sorted.
fn draw(n: usize, count: usize, stream: &mut Stream) -> (Vec<usize>, Vec<usize>) {
    let mut all: Vec<usize> = (0..n).collect();
    for i in 0..count {
        let j = i + stream.below((n - i) as u64) as usize;
        all.swap(i, j);
    }
    let mut rest = all.split_off(count);
    all.sort_unstable();
    rest.sort_unstable();
    (all, rest)
}

/// Walk a grown tree on binned rows (column-major `codes` of `m` rows), adding its leaf values.
fn add_tree_binned(nodes: &[Node], codes: &[u8], m: usize, raw: &mut [f64], k: usize, c: usize) {
    raw.par_chunks_mut(k * 1024).enumerate().for_each(|(b, block)| {
        for (j, row) in block.chunks_exact_mut(k).enumerate() {
            let i = b * 1024 + j;
            let mut at = 0;
            while nodes[at].left >= 0 {
                let nd = &nodes[at];
                at = (if codes[nd.feature * m + i] <= nd.bin { nd.left } else { nd.right }) as usize;
            }
            row[c] += nodes[at].value;
        }
    });
}

fn check_settings(s: &Settings, n: usize) -> Result<()> {
    crate::ensure!(
        s.learning_rate.is_finite() && s.learning_rate > 0.0,
        "learning_rate must be positive and finite, got {}",
        s.learning_rate
    );
    crate::ensure!(s.max_iter >= 1, "max_iter must be at least 1, got {}", s.max_iter);
    if let Some(m) = s.max_leaf_nodes {
        crate::ensure!(m >= 2, "max_leaf_nodes must be at least 2 or None, got {m}");
    }
    if let Some(m) = s.max_depth {
        crate::ensure!(m >= 1, "max_depth must be at least 1 or None, got {m}");
    }
    crate::ensure!(s.min_samples_leaf >= 1, "min_samples_leaf must be at least 1, got {}", s.min_samples_leaf);
    crate::ensure!(
        s.l2_regularization.is_finite() && s.l2_regularization >= 0.0,
        "l2_regularization must be non-negative and finite, got {}",
        s.l2_regularization
    );
    crate::ensure!(
        (2..=binning::MAX_BINS).contains(&s.max_bins),
        "max_bins must be in 2..={}, got {}",
        binning::MAX_BINS,
        s.max_bins
    );
    crate::ensure!(s.n_iter_no_change >= 1, "n_iter_no_change must be at least 1, got {}", s.n_iter_no_change);
    crate::ensure!(s.tol.is_finite(), "tol must be finite, got {}", s.tol);
    if let Some(f) = s.validation_fraction {
        crate::ensure!(f > 0.0 && f < 1.0, "validation_fraction must be in (0, 1) or None, got {f}");
        if s.early_stopping {
            let held = (f * n as f64).ceil() as usize;
            crate::ensure!(
                held >= 1 && held < n,
                "validation_fraction={f} of {n} samples leaves no rows to train or to validate on"
            );
        }
    }
    crate::ensure!(n <= u32::MAX as usize, "at most 2**32 - 1 samples, got {n}");
    Ok(())
}

/// Fit on finite `x` (n × d) and `y` (targets, or class indices 0..classes as floats).
pub fn fit(x: ArrayView2<'_, f64>, y: ArrayView1<'_, f64>, s: &Settings, control: &Control) -> Result<Fit> {
    super::data::check_xy(x, y)?;
    let (n_all, d) = x.dim();
    check_settings(s, n_all)?;
    let k = s.loss.outputs();
    if let Loss::LogLoss { classes } = s.loss {
        crate::ensure!(classes >= 2, "log_loss needs at least 2 classes, got {classes}");
        super::data::classes(y, classes)?;
    }
    // the held-out rows for early stopping
    let (train, held): (Option<Vec<usize>>, Option<Vec<usize>>) = match (s.early_stopping, s.validation_fraction) {
        (true, Some(f)) => {
            let count = (f * n_all as f64).ceil() as usize;
            let (held, train) = draw(n_all, count, &mut Stream::new(s.seed, 0));
            (Some(train), Some(held))
        }
        _ => (None, None),
    };
    let n = train.as_ref().map_or(n_all, Vec::len);
    let yt: Vec<f64> = match &train {
        Some(r) => r.iter().map(|&i| y[i]).collect(),
        None => y.iter().copied().collect(),
    };
    let sample = (n > BIN_SAMPLE).then(|| {
        let (picked, _) = draw(n, BIN_SAMPLE, &mut Stream::new(s.seed, 1));
        match &train {
            Some(r) => picked.iter().map(|&i| r[i]).collect::<Vec<_>>(),
            None => picked,
        }
    });
    let thr = binning::thresholds(x, sample.as_deref().or(train.as_deref()), s.max_bins)?;
    let codes = binning::map(x, train.as_deref(), &thr)?;
    let nbins: Vec<usize> = thr.iter().map(|t| t.len() + 1).collect();
    let data = Data { codes: &codes, n, d, nbins: &nbins };
    let p = Params {
        min_leaf: s.min_samples_leaf,
        l2: s.l2_regularization,
        max_leaves: s.max_leaf_nodes.unwrap_or(usize::MAX),
        max_depth: s.max_depth.unwrap_or(usize::MAX),
        learning_rate: s.learning_rate,
    };
    let base = baseline(s.loss, &yt);
    let mut raw = crate::error::try_with_capacity(n * k, "the raw predictions")?;
    (0..n).for_each(|_| raw.extend_from_slice(&base));
    let mut g = crate::error::try_vec(n * k, 0f32, "the gradients")?;
    let constant_hessian = s.loss == Loss::SquaredError;
    let mut h = crate::error::try_vec(if constant_hessian { 0 } else { n * k }, 0f32, "the hessians")?;
    let mut prob = crate::error::try_vec(if k > 1 { n * k } else { 0 }, 0f64, "the probabilities")?;
    // early stopping's held-out rows, binned, and their raw predictions
    let held_codes = held.as_ref().map(|r| binning::map(x, Some(r.as_slice()), &thr)).transpose()?;
    let yv: Vec<f64> = held.as_ref().map_or_else(Vec::new, |r| r.iter().map(|&i| y[i]).collect());
    let m = yv.len();
    let mut raw_v: Vec<f64> = (0..m).flat_map(|_| base.iter().copied()).collect();

    let mut ws: Vec<Workspace> = (0..k)
        .map(|_| Workspace {
            rows: Vec::new(),
            spill: Vec::new(),
            gathered: Vec::new(),
            gathered_h: Vec::new(),
            spare: Vec::new(),
        })
        .collect();
    let mut trees: Vec<Vec<Node>> = Vec::new();
    let mut train_score = vec![-mean_loss(s.loss, &raw, &yt)];
    let mut validation_score = Vec::new();
    if held.is_some() {
        validation_score.push(-mean_loss(s.loss, &raw_v, &yv));
    }
    let mut n_iter = 0;
    crate::parallel::install(|| -> Result<()> {
        for _ in 0..s.max_iter {
            control.check()?;
            gradients(s.loss, &raw, &yt, &mut g, &mut h, &mut prob);
            let grown: Vec<(Vec<Node>, Leaves)> = ws
                .par_iter_mut()
                .enumerate()
                .map(|(c, w)| {
                    let hc = (!constant_hessian).then(|| &h[c * n..(c + 1) * n]);
                    grow(&data, &p, &g[c * n..(c + 1) * n], hc, w)
                })
                .collect();
            for (c, (nodes, leaves)) in grown.into_iter().enumerate() {
                let rows = &ws[c].rows;
                for (start, end, value) in leaves {
                    rows[start..end].iter().for_each(|&r| raw[r as usize * k + c] += value);
                }
                if let Some(codes) = &held_codes {
                    add_tree_binned(&nodes, codes, m, &mut raw_v, k, c);
                }
                trees.push(nodes);
            }
            n_iter += 1;
            train_score.push(-mean_loss(s.loss, &raw, &yt));
            if s.early_stopping {
                let scores = if held.is_some() {
                    validation_score.push(-mean_loss(s.loss, &raw_v, &yv));
                    &validation_score
                } else {
                    &train_score
                };
                if should_stop(scores, s.n_iter_no_change, s.tol) {
                    break;
                }
            }
        }
        Ok(())
    })??;
    Ok(Fit { forest: flatten(&trees, &thr, base), n_iter, train_score, validation_score })
}

/// No score among the last `patience` beat the one before them by more than `tol`.
fn should_stop(scores: &[f64], patience: usize, tol: f64) -> bool {
    if scores.len() < patience + 1 {
        return false;
    }
    let reference = scores[scores.len() - patience - 1] + tol;
    !scores[scores.len() - patience..].iter().any(|&s| s > reference)
}

fn flatten(trees: &[Vec<Node>], thr: &[Vec<f64>], baseline: Vec<f64>) -> Forest {
    let total: usize = trees.iter().map(Vec::len).sum();
    let mut f = Forest {
        feature: Vec::with_capacity(total),
        threshold: Vec::with_capacity(total),
        left: Vec::with_capacity(total),
        right: Vec::with_capacity(total),
        value: Vec::with_capacity(total),
        offsets: vec![0],
        baseline,
    };
    for t in trees {
        for nd in t {
            let leaf = nd.left < 0;
            f.feature.push(if leaf { -1 } else { nd.feature as i64 });
            f.threshold.push(if leaf { 0.0 } else { thr[nd.feature][nd.bin as usize] });
            f.left.push(nd.left);
            f.right.push(nd.right);
            f.value.push(if leaf { nd.value } else { 0.0 });
        }
        f.offsets.push(f.feature.len() as i64);
    }
    f
}

/// A node for prediction: a leaf has `feature == LEAF` and its output in `threshold`.
#[derive(Debug, Clone, Copy)]
struct Flat {
    threshold: f64,
    feature: u32,
    left: u32,
    right: u32,
}

const LEAF: u32 = u32::MAX;

/// Each tree's root node and the output it adds to.
type Roots = Vec<(usize, usize)>;

impl Forest {
    /// The trees checked (consistent arrays, children after their parent within its tree,
    /// features below `d`) and laid out for prediction, with each tree's (root, output).
    fn compiled(&self, d: usize) -> Result<(Vec<Flat>, Roots)> {
        let total = self.feature.len();
        crate::ensure!(
            [self.threshold.len(), self.left.len(), self.right.len(), self.value.len()].iter().all(|&l| l == total),
            "the forest's node arrays must have one length"
        );
        let k = self.baseline.len();
        crate::ensure!(k >= 1, "the forest needs a baseline");
        let trees = self.offsets.len().saturating_sub(1);
        crate::ensure!(
            self.offsets.first() == Some(&0) && self.offsets.last() == Some(&(total as i64)) && trees.is_multiple_of(k),
            "the forest's offsets must run from 0 to the node count, a whole number of iterations"
        );
        crate::ensure!(total < u32::MAX as usize, "too many nodes: {total}");
        let mut flat = Vec::with_capacity(total);
        let mut roots = Vec::with_capacity(trees);
        for t in 0..trees {
            let (a, b) = (self.offsets[t], self.offsets[t + 1]);
            crate::ensure!(a < b, "tree {t} has no nodes");
            let len = b - a;
            for j in 0..len {
                let i = (a + j) as usize;
                let (l, r) = (self.left[i], self.right[i]);
                if l < 0 {
                    crate::ensure!(self.value[i].is_finite(), "leaf values must be finite");
                    flat.push(Flat { threshold: self.value[i], feature: LEAF, left: 0, right: 0 });
                } else {
                    crate::ensure!(
                        l > j && l < len && r > j && r < len,
                        "node {j} of tree {t} has children outside the tree"
                    );
                    let f = self.feature[i];
                    crate::ensure!(f >= 0 && (f as usize) < d, "node {j} of tree {t} splits on feature {f} of {d}");
                    flat.push(Flat {
                        threshold: self.threshold[i],
                        feature: f as u32,
                        left: (a + l) as u32,
                        right: (a + r) as u32,
                    });
                }
            }
            roots.push((a as usize, t % k));
        }
        Ok((flat, roots))
    }

    /// Raw predictions (rows × outputs): the baseline plus each tree's leaf, trees in order.
    pub fn predict_raw(&self, x: ArrayView2<'_, f64>, control: &Control) -> Result<Array2<f64>> {
        let (m, d) = x.dim();
        super::data::check_x(x, d)?;
        let (flat, roots) = self.compiled(d)?;
        let k = self.baseline.len();
        const BLOCK: usize = 128;
        let mut out = crate::error::try_with_capacity(m * k, "the predictions")?;
        (0..m).for_each(|_| out.extend_from_slice(&self.baseline));
        let rows = x.as_standard_layout();
        let rows = rows.as_slice().expect("standard layout");
        crate::parallel::install(|| {
            out.par_chunks_mut(BLOCK * k).enumerate().try_for_each(|(b, block)| -> Result<()> {
                control.check()?;
                let xb = &rows[b * BLOCK * d..];
                for &(root, c) in &roots {
                    for (j, o) in block.chunks_exact_mut(k).enumerate() {
                        let row = &xb[j * d..(j + 1) * d];
                        let mut nd = flat[root];
                        while nd.feature != LEAF {
                            let next = if row[nd.feature as usize] <= nd.threshold { nd.left } else { nd.right };
                            nd = flat[next as usize];
                        }
                        o[c] += nd.threshold;
                    }
                }
                Ok(())
            })
        })??;
        Ok(Array2::from_shape_vec((m, k), out).expect("k per row"))
    }

    /// Class probabilities (rows × classes) from the raw predictions.
    pub fn predict_proba(&self, x: ArrayView2<'_, f64>, control: &Control) -> Result<Array2<f64>> {
        let raw = self.predict_raw(x, control)?;
        if raw.ncols() == 1 {
            let mut out = Array2::zeros((raw.nrows(), 2));
            for (o, r) in out.rows_mut().into_iter().zip(raw.iter()) {
                let p = expit(*r);
                let mut o = o;
                o[1] = p;
                o[0] = 1.0 - p;
            }
            return Ok(out);
        }
        let k = raw.ncols();
        let mut raw = raw;
        raw.as_slice_mut().expect("standard layout").par_chunks_mut(k * 256).for_each(|rows| {
            rows.chunks_exact_mut(k).for_each(softmax);
        });
        Ok(raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array1;

    fn settings(loss: Loss) -> Settings {
        Settings {
            loss,
            learning_rate: 0.1,
            max_iter: 50,
            max_leaf_nodes: Some(31),
            max_depth: None,
            min_samples_leaf: 5,
            l2_regularization: 0.0,
            max_bins: 255,
            early_stopping: false,
            validation_fraction: Some(0.1),
            n_iter_no_change: 10,
            tol: 1e-7,
            seed: 7,
        }
    }

    fn data(n: usize) -> (Array2<f64>, Array1<f64>) {
        let mut s = Stream::new(3, 0);
        let x = Array2::from_shape_fn((n, 3), |_| s.next_f64() * 4.0 - 2.0);
        let y = x.rows().into_iter().map(|r| (r[0] * 2.0).sin() + r[1] * r[1]).collect();
        (x, y)
    }

    #[test]
    fn regression_fits_and_predicts_its_training_rows_as_grown() {
        let (x, y) = data(400);
        let f = fit(x.view(), y.view(), &settings(Loss::SquaredError), &Control::new()).unwrap();
        assert_eq!(f.n_iter, 50);
        assert!(f.train_score.windows(2).all(|w| w[1] >= w[0]));
        assert!(-f.train_score[50] < 0.1 * -f.train_score[0]);
        let raw = f.forest.predict_raw(x.view(), &Control::new()).unwrap();
        // the training loss from the predicted raw values is the fit's own
        let loss = mean_loss(Loss::SquaredError, raw.as_slice().unwrap(), y.as_slice().unwrap());
        assert!((loss + f.train_score[50]).abs() < 1e-9);
    }

    #[test]
    fn classification_probabilities_sum_to_one_and_early_stopping_stops() {
        let (x, y) = data(600);
        let labels = y.mapv(|v| {
            if v > 1.5 {
                2.0
            } else if v > 0.5 {
                1.0
            } else {
                0.0
            }
        });
        let mut s = settings(Loss::LogLoss { classes: 3 });
        s.max_iter = 500;
        s.early_stopping = true;
        let f = fit(x.view(), labels.view(), &s, &Control::new()).unwrap();
        assert!(f.n_iter < 500 && f.validation_score.len() == f.n_iter + 1);
        assert_eq!(f.forest.offsets.len(), 3 * f.n_iter + 1);
        let p = f.forest.predict_proba(x.view(), &Control::new()).unwrap();
        assert!(p.rows().into_iter().all(|r| (r.sum() - 1.0).abs() < 1e-12));
        let mut hits = 0;
        for (r, t) in p.rows().into_iter().zip(labels.iter()) {
            let best = (0..3).fold(0, |b, i| if r[i] > r[b] { i } else { b });
            hits += usize::from(best == *t as usize);
        }
        assert!(hits > 540, "{hits}");
    }

    #[test]
    fn bad_settings_and_forests_are_refused() {
        let (x, y) = data(50);
        let mut s = settings(Loss::SquaredError);
        s.max_leaf_nodes = Some(1);
        assert!(fit(x.view(), y.view(), &s, &Control::new()).is_err());
        let f = fit(x.view(), y.view(), &settings(Loss::SquaredError), &Control::new()).unwrap();
        let mut bad = f.forest.clone();
        bad.left[0] = 0;
        assert!(bad.predict_raw(x.view(), &Control::new()).is_err());
        assert!(f.forest.predict_raw(x.slice(ndarray::s![.., ..2]), &Control::new()).is_err());
    }
}
