//! A tree ensemble as the ONNX-ML `TreeEnsembleRegressor` defines it, evaluated row by row:
//! every tree walks from its root to a leaf (a branch goes to its true child when
//! `x[feature] <mode> threshold` holds, or when `x` is NaN and the node tracks missing values to
//! the true side), the leaves' weights are aggregated per target, the base values added and the
//! post-transform applied.

use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Leq,
    Lt,
    Gte,
    Gt,
    Eq,
    Neq,
    Leaf,
}

impl Mode {
    pub fn parse(s: &str) -> Option<Mode> {
        Some(match s {
            "BRANCH_LEQ" => Mode::Leq,
            "BRANCH_LT" => Mode::Lt,
            "BRANCH_GTE" => Mode::Gte,
            "BRANCH_GT" => Mode::Gt,
            "BRANCH_EQ" => Mode::Eq,
            "BRANCH_NEQ" => Mode::Neq,
            "LEAF" => Mode::Leaf,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregate {
    Sum,
    Average,
    Min,
    Max,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostTransform {
    None,
    Logistic,
    Softmax,
}

#[derive(Debug, Clone, PartialEq)]
struct Node {
    mode: Mode,
    feature: usize,
    threshold: f64,
    nan_true: bool,
    true_next: usize,
    false_next: usize,
    /// The range of `Forest::weights` this node adds when it is the leaf reached.
    weights: (usize, usize),
}

/// One node as the operator's parallel attribute arrays give it.
pub struct NodeSpec {
    pub tree: i64,
    pub id: i64,
    pub mode: Mode,
    pub feature: i64,
    pub threshold: f64,
    pub nan_true: bool,
    pub true_id: i64,
    pub false_id: i64,
}

/// One leaf weight: leaf `(tree, node)` adds `weight` to `target`.
pub struct WeightSpec {
    pub tree: i64,
    pub node: i64,
    pub target: i64,
    pub weight: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Forest {
    nodes: Vec<Node>,
    roots: Vec<usize>,
    weights: Vec<(usize, f64)>,
    n_targets: usize,
    n_features: usize,
    aggregate: Aggregate,
    base: Vec<f64>,
    post: PostTransform,
}

// tract compares operators for equality (`Eq`); a forest read from a file holds no NaN
// thresholds that would make the float comparison irreflexive in practice, and a false "unequal"
// only costs tract a missed deduplication.
impl Eq for Forest {}

impl Forest {
    pub fn new(
        nodes: Vec<NodeSpec>,
        mut leaves: Vec<WeightSpec>,
        n_targets: usize,
        aggregate: Aggregate,
        base: Vec<f64>,
        post: PostTransform,
    ) -> Result<Forest> {
        let bad = |m: String| Error::InvalidInput(format!("TreeEnsembleRegressor: {m}"));
        if nodes.is_empty() || n_targets == 0 {
            return Err(bad("needs at least one node and one target".into()));
        }
        if !base.is_empty() && base.len() != n_targets {
            return Err(bad(format!("{} base values for {n_targets} targets", base.len())));
        }
        let mut index = std::collections::HashMap::with_capacity(nodes.len());
        for (k, n) in nodes.iter().enumerate() {
            if index.insert((n.tree, n.id), k).is_some() {
                return Err(bad(format!("node {} of tree {} is given twice", n.id, n.tree)));
            }
        }
        leaves.sort_by_key(|w| (w.tree, w.node));
        let mut weights = Vec::with_capacity(leaves.len());
        let mut ranges = vec![(0usize, 0usize); nodes.len()];
        for w in &leaves {
            let k = *index.get(&(w.tree, w.node)).ok_or_else(|| {
                bad(format!("a weight names node {} of tree {}, which does not exist", w.node, w.tree))
            })?;
            let target = usize::try_from(w.target)
                .ok()
                .filter(|&t| t < n_targets)
                .ok_or_else(|| bad(format!("target id {} outside [0, {n_targets})", w.target)))?;
            if ranges[k].1 == 0 {
                ranges[k] = (weights.len(), weights.len());
            }
            weights.push((target, w.weight));
            ranges[k].1 = weights.len();
        }
        let mut children = vec![false; nodes.len()];
        let mut built = Vec::with_capacity(nodes.len());
        let mut n_features = 0;
        for (k, n) in nodes.iter().enumerate() {
            let (mut true_next, mut false_next) = (k, k);
            if n.mode != Mode::Leaf {
                let child = |id: i64| {
                    index.get(&(n.tree, id)).copied().ok_or_else(|| {
                        bad(format!("node {} of tree {} branches to node {id}, which does not exist", n.id, n.tree))
                    })
                };
                (true_next, false_next) = (child(n.true_id)?, child(n.false_id)?);
                children[true_next] = true;
                children[false_next] = true;
                let feature = usize::try_from(n.feature)
                    .map_err(|_| bad(format!("node {} of tree {} reads feature {}", n.id, n.tree, n.feature)))?;
                n_features = n_features.max(feature + 1);
            }
            built.push(Node {
                mode: n.mode,
                feature: n.feature.max(0) as usize,
                threshold: n.threshold,
                nan_true: n.nan_true,
                true_next,
                false_next,
                weights: ranges[k],
            });
        }
        // A root is a node no branch leads to: one per tree.
        let roots: Vec<usize> = (0..nodes.len()).filter(|&k| !children[k]).collect();
        let mut trees: Vec<i64> = nodes.iter().map(|n| n.tree).collect();
        trees.sort_unstable();
        trees.dedup();
        if roots.len() != trees.len() {
            return Err(bad(format!("{} trees but {} root nodes: the trees are not trees", trees.len(), roots.len())));
        }
        Ok(Forest { nodes: built, roots, weights, n_targets, n_features, aggregate, base, post })
    }

    pub fn n_targets(&self) -> usize {
        self.n_targets
    }

    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// The leaf `root`'s tree sends `x` to. Branch steps are bounded by the node count, so a
    /// cyclic "tree" from a malformed file ends with an error rather than a hang.
    fn leaf(&self, root: usize, x: &[f64]) -> Result<&Node> {
        let mut node = &self.nodes[root];
        for _ in 0..=self.nodes.len() {
            if node.mode == Mode::Leaf {
                return Ok(node);
            }
            let v = x[node.feature];
            let goes_true = match node.mode {
                Mode::Leaf => true,
                Mode::Leq => v <= node.threshold,
                Mode::Lt => v < node.threshold,
                Mode::Gte => v >= node.threshold,
                Mode::Gt => v > node.threshold,
                Mode::Eq => v == node.threshold,
                Mode::Neq => v != node.threshold,
            } || (node.nan_true && v.is_nan());
            node = &self.nodes[if goes_true { node.true_next } else { node.false_next }];
        }
        Err(Error::InvalidInput("TreeEnsembleRegressor: a tree has a cycle".into()))
    }

    /// The scores of one row `x` (at least `n_features` values) into `out` (`n_targets`).
    pub fn eval_row(&self, x: &[f64], out: &mut [f32]) -> Result<()> {
        let mut acc = vec![0.0f64; self.n_targets];
        let mut seen = vec![false; self.n_targets];
        for &root in &self.roots {
            let leaf = self.leaf(root, x)?;
            for &(t, w) in &self.weights[leaf.weights.0..leaf.weights.1] {
                acc[t] = match (self.aggregate, seen[t]) {
                    (Aggregate::Min, true) => acc[t].min(w),
                    (Aggregate::Max, true) => acc[t].max(w),
                    (Aggregate::Min | Aggregate::Max, false) => w,
                    (Aggregate::Sum | Aggregate::Average, _) => acc[t] + w,
                };
                seen[t] = true;
            }
        }
        if self.aggregate == Aggregate::Average {
            acc.iter_mut().for_each(|a| *a /= self.roots.len() as f64);
        }
        for (t, a) in acc.iter_mut().enumerate() {
            *a += self.base.get(t).copied().unwrap_or(0.0);
        }
        match self.post {
            PostTransform::None => {}
            PostTransform::Logistic => acc.iter_mut().for_each(|a| *a = 1.0 / (1.0 + (-*a).exp())),
            PostTransform::Softmax => {
                let m = acc.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                acc.iter_mut().for_each(|a| *a = (*a - m).exp());
                let s: f64 = acc.iter().sum();
                acc.iter_mut().for_each(|a| *a /= s);
            }
        }
        out.iter_mut().zip(&acc).for_each(|(o, a)| *o = *a as f32);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn branch(tree: i64, id: i64, feature: i64, threshold: f64, t: i64, f: i64) -> NodeSpec {
        NodeSpec { tree, id, mode: Mode::Leq, feature, threshold, nan_true: false, true_id: t, false_id: f }
    }

    fn leaf(tree: i64, id: i64) -> NodeSpec {
        NodeSpec { tree, id, mode: Mode::Leaf, feature: 0, threshold: 0.0, nan_true: false, true_id: 0, false_id: 0 }
    }

    fn w(tree: i64, node: i64, weight: f64) -> WeightSpec {
        WeightSpec { tree, node, target: 0, weight }
    }

    /// Two stumps: tree 0 splits x0 at 0.5 (1.0 | 2.0), tree 1 splits x1 at 0 (10 | 20).
    fn stumps(aggregate: Aggregate) -> Forest {
        let nodes = vec![
            branch(0, 0, 0, 0.5, 1, 2),
            leaf(0, 1),
            leaf(0, 2),
            branch(1, 0, 1, 0.0, 1, 2),
            leaf(1, 1),
            leaf(1, 2),
        ];
        let weights = vec![w(0, 1, 1.0), w(0, 2, 2.0), w(1, 1, 10.0), w(1, 2, 20.0)];
        Forest::new(nodes, weights, 1, aggregate, vec![0.5], PostTransform::None).unwrap()
    }

    fn score(f: &Forest, x: [f64; 2]) -> f32 {
        let mut out = [0.0f32];
        f.eval_row(&x, &mut out).unwrap();
        out[0]
    }

    #[test]
    fn aggregates_follow_the_operator_definition() {
        assert_eq!(score(&stumps(Aggregate::Sum), [0.0, 1.0]), 1.0 + 20.0 + 0.5);
        assert_eq!(score(&stumps(Aggregate::Average), [1.0, -1.0]), (2.0 + 10.0) / 2.0 + 0.5);
        assert_eq!(score(&stumps(Aggregate::Min), [1.0, 1.0]), 2.0 + 0.5);
        assert_eq!(score(&stumps(Aggregate::Max), [0.5, 0.0]), 10.0 + 0.5);
        assert_eq!(stumps(Aggregate::Sum).n_features(), 2);
    }

    #[test]
    fn nan_goes_false_unless_the_node_tracks_it_true() {
        let f = stumps(Aggregate::Sum);
        assert_eq!(score(&f, [f64::NAN, 0.0]), 2.0 + 10.0 + 0.5);
        let mut nodes = vec![branch(0, 0, 0, 0.5, 1, 2), leaf(0, 1), leaf(0, 2)];
        nodes[0].nan_true = true;
        let f = Forest::new(nodes, vec![w(0, 1, 1.0), w(0, 2, 2.0)], 1, Aggregate::Sum, vec![], PostTransform::None)
            .unwrap();
        assert_eq!(score(&f, [f64::NAN, 0.0]), 1.0);
    }

    #[test]
    fn malformed_trees_are_errors() {
        let dangling = vec![branch(0, 0, 0, 0.5, 1, 7), leaf(0, 1)];
        let e = Forest::new(dangling, vec![w(0, 1, 1.0)], 1, Aggregate::Sum, vec![], PostTransform::None);
        assert!(e.unwrap_err().to_string().contains("node 7, which does not exist"));
        let cycle = vec![branch(0, 0, 0, 0.5, 1, 1), branch(0, 1, 0, 0.5, 0, 0)];
        assert!(Forest::new(cycle, vec![], 1, Aggregate::Sum, vec![], PostTransform::None).is_err());
        let bad_target = vec![WeightSpec { tree: 0, node: 0, target: 3, weight: 1.0 }];
        assert!(Forest::new(vec![leaf(0, 0)], bad_target, 1, Aggregate::Sum, vec![], PostTransform::None).is_err());
    }
}
