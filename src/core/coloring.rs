//! Graph colouring of the coupling graph: p-bits of one colour share no coupling, so a whole
//! colour class can update at once (the p-computer's parallel scheme, SIMD lanes, GPU threads).

use super::model::Csr;
use std::collections::VecDeque;

/// A colour per node: two colours for bipartite graphs (lattices of even side, trees), otherwise
/// greedy colouring in order of decreasing degree (Welsh–Powell: at most max degree + 1 colours).
pub fn color(n: usize, g: &Csr) -> Vec<u32> {
    two_coloring(n, g).unwrap_or_else(|| greedy(n, g))
}

fn two_coloring(n: usize, g: &Csr) -> Option<Vec<u32>> {
    const UNSET: u32 = u32::MAX;
    let mut colour = vec![UNSET; n];
    let mut queue = VecDeque::new();
    for root in 0..n {
        if colour[root] != UNSET {
            continue;
        }
        colour[root] = 0;
        queue.push_back(root);
        while let Some(v) = queue.pop_front() {
            for &w in g.row(v).0 {
                let w = w as usize;
                if colour[w] == UNSET {
                    colour[w] = 1 - colour[v];
                    queue.push_back(w);
                } else if colour[w] == colour[v] {
                    return None;
                }
            }
        }
    }
    Some(colour)
}

fn greedy(n: usize, g: &Csr) -> Vec<u32> {
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&v| std::cmp::Reverse(g.indptr[v + 1] - g.indptr[v]));
    let mut colour = vec![u32::MAX; n];
    let mut used: Vec<bool> = Vec::new();
    for v in order {
        used.clear();
        for &w in g.row(v).0 {
            let c = colour[w as usize];
            if c != u32::MAX {
                if used.len() <= c as usize {
                    used.resize(c as usize + 1, false);
                }
                used[c as usize] = true;
            }
        }
        colour[v] = used.iter().position(|u| !u).unwrap_or(used.len()) as u32;
    }
    colour
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::{Couplings, IsingModel};

    fn csr(m: &IsingModel) -> &Csr {
        match m.couplings() {
            Couplings::Sparse(c) => c,
            Couplings::Dense(_) => panic!("expected sparse"),
        }
    }

    fn assert_proper(n: usize, g: &Csr, c: &[u32]) {
        for v in 0..n {
            for &w in g.row(v).0 {
                assert_ne!(c[v], c[w as usize], "edge {v}-{w}");
            }
        }
    }

    #[test]
    fn lattice_is_two_coloured_and_odd_ring_three() {
        let l = 8;
        let (mut r, mut c) = (vec![], vec![]);
        for i in 0..l * l {
            let (y, x) = (i / l, i % l);
            r.extend([i as i64, i as i64]);
            c.extend([(y * l + (x + 1) % l) as i64, (((y + 1) % l) * l + x) as i64]);
        }
        let m = IsingModel::from_edges(l * l, &r, &c, &vec![1.0; r.len()], &vec![0.0; l * l]).unwrap();
        let col = color(l * l, csr(&m));
        assert_eq!(col.iter().max(), Some(&1));
        assert_proper(l * l, csr(&m), &col);

        let n = 101;
        let rows: Vec<i64> = (0..n as i64).collect();
        let cols: Vec<i64> = (0..n as i64).map(|i| (i + 1) % n as i64).collect();
        let ring = IsingModel::from_edges(n, &rows, &cols, &vec![1.0; n], &vec![0.0; n]).unwrap();
        let col = color(n, csr(&ring));
        assert_eq!(col.iter().max(), Some(&2));
        assert_proper(n, csr(&ring), &col);
    }
}
