//! Random forests and extra trees: `n_estimators` trees (`tree::grow`), each on a bootstrap
//! sample (draw counts as integer weights, no copy) or on all samples, grown in parallel. Tree `t`
//! draws everything from its own stream `Stream::new(seed, t)`, so a forest is the same bits
//! whatever the thread count; the trees are concatenated in order.

use super::tree::{grow, Data, Params, Tree};
use crate::control::Control;
use crate::error::{try_vec, try_with_capacity, Result};
use crate::rng::Stream;
use rayon::prelude::*;

/// How each tree samples the training rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sampling {
    pub n_estimators: usize,
    /// Rows drawn with replacement per tree, or None for every row once.
    pub bootstrap: Option<usize>,
}

/// A fitted forest: the trees' nodes concatenated (children indices global), each tree's first
/// node in `offsets` (plus the total at the end), and the impurity-based feature importances.
#[derive(Debug, Clone, PartialEq)]
pub struct Forest {
    pub nodes: Tree,
    pub offsets: Vec<i64>,
    pub importances: Vec<f64>,
}

pub fn fit(data: &Data, params: &Params, sampling: Sampling, seed: u64, control: &Control) -> Result<Forest> {
    params.check(data.d)?;
    let trees = sampling.n_estimators;
    crate::ensure!(trees >= 1, "n_estimators must be at least 1, got {trees}");
    if let Some(draws) = sampling.bootstrap {
        crate::ensure!(draws >= 1, "a bootstrap sample needs at least one draw, got {draws}");
    }
    let mut grown: Vec<Result<Tree>> = try_with_capacity(trees, &format!("{trees} trees"))?;
    crate::parallel::install(|| {
        (0..trees)
            .into_par_iter()
            .map(|t| {
                control.check()?;
                let mut rng = Stream::new(seed, t as u64);
                let weights = match sampling.bootstrap {
                    None => try_vec(data.n, 1u32, "the sample weights of a tree")?,
                    Some(draws) => {
                        let mut w = try_vec(data.n, 0u32, "the bootstrap counts of a tree")?;
                        for _ in 0..draws {
                            w[rng.below(data.n as u64) as usize] += 1;
                        }
                        w
                    }
                };
                grow(data, &weights, params, &mut rng, control)
            })
            .collect_into_vec(&mut grown)
    })?;
    let grown: Vec<Tree> = grown.into_iter().collect::<Result<_>>()?;
    Ok(concatenate(grown, data.d))
}

/// The trees one after another, children renumbered; importances averaged over the trees that
/// split at least once, then normalised (scikit-learn's rule).
fn concatenate(grown: Vec<Tree>, d: usize) -> Forest {
    let mut nodes = Tree::default();
    let mut offsets = Vec::with_capacity(grown.len() + 1);
    let mut importances = vec![0.0; d];
    for tree in grown {
        let base = nodes.len() as i64;
        offsets.push(base);
        if tree.len() > 1 {
            importances.iter_mut().zip(tree.importances(d)).for_each(|(a, v)| *a += v);
        }
        let shift = |c: i64| if c < 0 { c } else { c + base };
        nodes.left.extend(tree.left.iter().map(|&c| shift(c)));
        nodes.right.extend(tree.right.iter().map(|&c| shift(c)));
        nodes.feature.extend(tree.feature);
        nodes.threshold.extend(tree.threshold);
        nodes.value.extend(tree.value);
        nodes.n_node_samples.extend(tree.n_node_samples);
        nodes.weighted_n_node_samples.extend(tree.weighted_n_node_samples);
        nodes.impurity.extend(tree.impurity);
    }
    offsets.push(nodes.len() as i64);
    let total: f64 = importances.iter().sum();
    if total > 0.0 {
        importances.iter_mut().for_each(|v| *v /= total);
    }
    Forest { nodes, offsets, importances }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::automl::tree::{Criterion, Nodes, Splitter};
    use ndarray::{Array1, Array2};

    #[test]
    fn forests_are_the_same_bits_on_any_thread_count() {
        let mut s = Stream::new(9, 0);
        let x = Array2::from_shape_fn((300, 5), |_| s.next_f64());
        let y: Array1<f64> = x.rows().into_iter().map(|r| if r[0] + r[1] > 1.0 { 1.0 } else { 0.0 }).collect();
        let data = Data::new(x.view(), y.view(), 2).unwrap();
        let params = Params {
            criterion: Criterion::Gini,
            splitter: Splitter::Random,
            max_depth: usize::MAX,
            min_samples_split: 2,
            min_samples_leaf: 1,
            min_impurity_decrease: 0.0,
            max_features: 2,
        };
        let sampling = Sampling { n_estimators: 12, bootstrap: Some(300) };
        let fits: Vec<Forest> = [1, 3]
            .into_iter()
            .map(|t| {
                crate::parallel::with_threads(Some(t), || fit(&data, &params, sampling, 5, &Control::new()))
                    .unwrap()
                    .unwrap()
            })
            .collect();
        assert_eq!(fits[0], fits[1]);
        let f = &fits[0];
        assert_eq!(f.offsets.len(), 13);
        assert!((f.importances.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(f.importances[0] > f.importances[4] && f.importances[1] > f.importances[3]);
        let value = Array2::from_shape_vec((f.nodes.len(), 2), f.nodes.value.clone()).unwrap();
        let nodes = Nodes {
            offsets: &f.offsets,
            left: &f.nodes.left,
            right: &f.nodes.right,
            feature: &f.nodes.feature,
            threshold: &f.nodes.threshold,
            value: value.view(),
        };
        let proba = nodes.predict(x.view(), &Control::new()).unwrap();
        let right = proba.rows().into_iter().zip(&y).filter(|(p, &c)| (p[1] > 0.5) == (c == 1.0)).count();
        assert!(right > 290, "{right}");
    }
}
