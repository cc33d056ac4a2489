//! The initial design: a Latin hypercube in the unit cube, the best of a few by the maximin
//! criterion (largest smallest pairwise distance), seeded.

use crate::rng::Stream;

/// Latin hypercubes tried; the most spread-out one is kept.
const TRIES: usize = 8;
/// Above this many points only one hypercube is drawn (the maximin test is O(n²)).
const MAXIMIN_LIMIT: usize = 512;

/// One Latin hypercube of `n` points in `[0, 1]^d` (row-major n × d): in every coordinate each of
/// the `n` strata [k/n, (k+1)/n) holds exactly one point, at a uniform position inside it.
fn latin_hypercube(n: usize, d: usize, rng: &mut Stream) -> Vec<f64> {
    let mut pts = vec![0.0; n * d];
    let mut perm: Vec<usize> = (0..n).collect();
    for j in 0..d {
        for k in (1..n).rev() {
            perm.swap(k, rng.below(k as u64 + 1) as usize);
        }
        for (i, &p) in perm.iter().enumerate() {
            pts[i * d + j] = (p as f64 + rng.next_f64()) / n as f64;
        }
    }
    pts
}

fn min_sq_distance(pts: &[f64], d: usize) -> f64 {
    let n = pts.len() / d;
    let mut best = f64::INFINITY;
    for a in 0..n {
        for b in a + 1..n {
            let r2 = sq_dist(&pts[a * d..(a + 1) * d], &pts[b * d..(b + 1) * d]);
            best = best.min(r2);
        }
    }
    best
}

pub fn sq_dist(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// `n` design points in `[0, 1]^d`, row-major: the most spread-out of a few Latin hypercubes.
pub fn initial_design(n: usize, d: usize, seed: u64) -> Vec<f64> {
    let mut rng = Stream::new(seed, 0);
    let tries = if n <= MAXIMIN_LIMIT { TRIES } else { 1 };
    let mut best = latin_hypercube(n, d, &mut rng);
    if n < 2 {
        return best;
    }
    let mut best_score = min_sq_distance(&best, d);
    for _ in 1..tries {
        let cand = latin_hypercube(n, d, &mut rng);
        let score = min_sq_distance(&cand, d);
        if score > best_score {
            (best, best_score) = (cand, score);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stratum_holds_one_point() {
        let (n, d) = (13, 4);
        let pts = initial_design(n, d, 5);
        assert_eq!(pts.len(), n * d);
        for j in 0..d {
            let mut strata: Vec<usize> = (0..n).map(|i| (pts[i * d + j] * n as f64) as usize).collect();
            strata.sort_unstable();
            assert_eq!(strata, (0..n).collect::<Vec<_>>());
        }
        assert_eq!(pts, initial_design(n, d, 5));
        assert_ne!(pts, initial_design(n, d, 6));
        assert_eq!(initial_design(1, 3, 0).len(), 3);
    }

    #[test]
    fn maximin_beats_a_single_draw_on_average() {
        let (n, d) = (20, 3);
        let mut better = 0;
        for seed in 0..20 {
            let one = latin_hypercube(n, d, &mut Stream::new(seed, 0));
            if min_sq_distance(&initial_design(n, d, seed), d) >= min_sq_distance(&one, d) {
                better += 1;
            }
        }
        assert_eq!(better, 20);
    }
}
