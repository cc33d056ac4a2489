//! Graph colouring of the coupling graph: p-bits of one colour share no coupling, so a whole
//! colour class can update at once (the p-computer's parallel scheme, SIMD lanes, GPU threads).

use super::model::Csr;
use crate::control::Control;
use crate::error::Result;
use std::collections::VecDeque;

/// Couplings visited between two looks for Ctrl-C (a few milliseconds of work).
const CHECK_EVERY: usize = 1 << 20;

/// Counts work and checks `control` once every [`CHECK_EVERY`] units of it.
struct Ticker<'a> {
    control: &'a Control,
    unchecked: usize,
}

impl Ticker<'_> {
    fn tick(&mut self, units: usize) -> Result<()> {
        self.unchecked += units;
        if self.unchecked >= CHECK_EVERY {
            self.unchecked = 0;
            self.control.check()?;
        }
        Ok(())
    }
}

/// A colour per node: two colours for bipartite graphs (lattices of even side, trees), otherwise
/// greedy colouring in order of decreasing degree (Welsh–Powell: at most max degree + 1 colours).
/// `Err(Interrupted)` soon after `control` is cancelled.
pub fn color(n: usize, g: &Csr, control: &Control) -> Result<Vec<u32>> {
    match two_coloring(n, g, control)? {
        Some(colour) => Ok(colour),
        None => greedy(n, g, control),
    }
}

fn two_coloring(n: usize, g: &Csr, control: &Control) -> Result<Option<Vec<u32>>> {
    let mut ticker = Ticker { control, unchecked: 0 };
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
            ticker.tick(g.row(v).0.len() + 1)?;
            for &w in g.row(v).0 {
                let w = w as usize;
                if colour[w] == UNSET {
                    colour[w] = 1 - colour[v];
                    queue.push_back(w);
                } else if colour[w] == colour[v] {
                    return Ok(None);
                }
            }
        }
    }
    Ok(Some(colour))
}

fn greedy(n: usize, g: &Csr, control: &Control) -> Result<Vec<u32>> {
    let mut ticker = Ticker { control, unchecked: 0 };
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&v| std::cmp::Reverse(g.indptr[v + 1] - g.indptr[v]));
    control.check()?;
    let mut colour = vec![u32::MAX; n];
    let mut used: Vec<bool> = Vec::new();
    for v in order {
        ticker.tick(g.row(v).0.len() + 1)?;
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
    Ok(colour)
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
        let col = color(l * l, csr(&m), &Control::new()).unwrap();
        assert_eq!(col.iter().max(), Some(&1));
        assert_proper(l * l, csr(&m), &col);

        let n = 101;
        let rows: Vec<i64> = (0..n as i64).collect();
        let cols: Vec<i64> = (0..n as i64).map(|i| (i + 1) % n as i64).collect();
        let ring = IsingModel::from_edges(n, &rows, &cols, &vec![1.0; n], &vec![0.0; n]).unwrap();
        let col = color(n, csr(&ring), &Control::new()).unwrap();
        assert_eq!(col.iter().max(), Some(&2));
        assert_proper(n, csr(&ring), &col);
    }
}
