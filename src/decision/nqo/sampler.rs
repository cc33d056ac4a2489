//! Candidate generation: p-bit annealing over the Gray-coded variables, with the surrogate as the
//! energy.
//!
//! A state is one Gray code per variable (see [`super::encoding`]); its energy is
//!
//! ```text
//! E(u) = s(u) − w · min(dist(u) / ρ, 1)
//! ```
//!
//! where s is the surrogate (standardised units), dist(u) the distance from u to the nearest
//! evaluated point, ρ a reference distance (the trust region's half-width) and w ≥ 0 the chain's
//! exploration weight. The surrogate is not a quadratic function of the bits, so there is no
//! Ising model to build: each p-bit is updated by the heat-bath (p-bit) rule of `core` on the
//! exact energy change of its flip, P(flip) = 1 / (1 + e^{βΔE}) (or Metropolis,
//! min(1, e^{−βΔE})), sweeping every bit once per step of a geometric β schedule. A flip changes
//! one coordinate, so the squared distances to all points are updated in O(points) per proposal.
//! A chain may update only some variables (the others keep given values), and its proposal is the
//! lowest-energy state it visited that keeps a minimum distance from the points and stays out of
//! given exclusion boxes. Chains run in parallel, each on its own random stream: results do not
//! depend on the number of threads.

use super::encoding::Encoding;
use super::surrogate::Rbf;
use crate::control::Control;
use crate::core::kernel::{flip_probability, Method};
use crate::error::Result;
use crate::parallel;
use crate::rng::Stream;
use rayon::prelude::*;

/// What a chain sees.
#[derive(Debug, Clone)]
pub struct Landscape<'a> {
    rbf: &'a Rbf,
    /// The points of the distance term, column-major (coordinate i of point k at `i * m + k`):
    /// a flip of variable i then updates every distance from one contiguous column.
    columns: Vec<f64>,
    m: usize,
    d: usize,
    /// Reference distance of the exploration term.
    rho: f64,
    /// States closer than this to a point are never proposed.
    min_dist: f64,
    /// States within a max-norm distance of these points (row-major, with their radii) are
    /// never proposed: hops must leave the current basin and skip the basins already known.
    exclude: Vec<(Vec<f64>, f64)>,
}

/// One chain's starting codes, exploration weight and random stream.
#[derive(Debug, Clone)]
pub struct ChainSpec {
    pub codes: Vec<u64>,
    pub weight: f64,
    pub stream: Stream,
    /// The variables whose p-bits this chain updates, and the values the others keep (`None`:
    /// every variable moves).
    pub active: Option<(Vec<bool>, Vec<f64>)>,
}

/// A chain's proposal: the lowest-energy state it visited that keeps `min_dist` from every point.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub u: Vec<f64>,
    pub energy: f64,
    /// The surrogate's prediction at `u`.
    pub predicted: f64,
    pub chain: usize,
}

impl<'a> Landscape<'a> {
    /// The surrogate `rbf` plus the distance term over its centres and the `extra` points
    /// (row-major).
    pub fn new(rbf: &'a Rbf, extra: &[f64], d: usize, rho: f64, min_dist: f64) -> Self {
        let rows: Vec<&[f64]> = rbf.centers().chunks(d).chain(extra.chunks(d)).collect();
        let m = rows.len();
        let mut columns = vec![0.0; m * d];
        for (k, p) in rows.iter().enumerate() {
            for i in 0..d {
                columns[i * m + k] = p[i];
            }
        }
        Self { rbf, columns, m, d, rho, min_dist, exclude: Vec::new() }
    }

    /// Never propose states within max-norm distance `radius` of `point`.
    pub fn excluding(mut self, point: &[f64], radius: f64) -> Self {
        self.exclude.push((point.to_vec(), radius));
        self
    }

    /// Whether a state at distance `dist` from the nearest point may be proposed.
    #[inline]
    fn allowed(&self, u: &[f64], dist: f64) -> bool {
        dist >= self.min_dist && self.exclude.iter().all(|(c, r)| u.iter().zip(c).any(|(a, b)| (a - b).abs() >= *r))
    }

    /// (energy, prediction, distance to the nearest point) from the squared distances.
    #[inline]
    fn energy(&self, r2: &[f64], u: &[f64], weight: f64) -> (f64, f64, f64) {
        let s = self.rbf.predict_sq(&r2[..self.rbf.len()], u);
        let dist = min_of(r2).max(0.0).sqrt();
        (s - weight * (dist / self.rho).min(1.0), s, dist)
    }

    fn distances(&self, u: &[f64], r2: &mut [f64]) {
        r2.iter_mut().for_each(|r| *r = 0.0);
        for (i, col) in self.columns.chunks(self.m).enumerate() {
            for (r, c) in r2.iter_mut().zip(col) {
                *r += (u[i] - c) * (u[i] - c);
            }
        }
    }
}

/// The smallest value (four running minima, so the loop vectorises).
#[inline]
fn min_of(v: &[f64]) -> f64 {
    let mut acc = [f64::INFINITY; 4];
    let chunks = v.chunks_exact(4);
    let rest = chunks.remainder().iter().copied().fold(f64::INFINITY, f64::min);
    for c in chunks {
        for j in 0..4 {
            acc[j] = if c[j] < acc[j] { c[j] } else { acc[j] };
        }
    }
    acc.iter().copied().fold(rest, f64::min)
}

/// Anneals one chain through `betas` (one sweep over every p-bit per β); stops early, with no
/// proposal, once `control` is cancelled (checked per variable: a sweep may take long).
pub fn run_chain(
    land: &Landscape<'_>,
    enc: &Encoding,
    spec: ChainSpec,
    betas: &[f64],
    method: Method,
    chain: usize,
    control: &Control,
) -> Option<Candidate> {
    let ChainSpec { mut codes, weight, mut stream, active } = spec;
    let (d, m) = (land.d, land.m);
    let mut u = vec![0.0; d];
    enc.decode(&codes, &mut u);
    if let Some((mask, frozen)) = &active {
        for i in (0..d).filter(|&i| !mask[i]) {
            u[i] = frozen[i];
        }
    }
    let mut r2 = vec![0.0; m];
    let mut r2_new = vec![0.0; m];
    land.distances(&u, &mut r2);
    let (mut e, s, dist) = land.energy(&r2, &u, weight);
    let mut best: Option<Candidate> =
        land.allowed(&u, dist).then(|| Candidate { u: u.clone(), energy: e, predicted: s, chain });
    let gibbs = method == Method::Gibbs;
    let accept = |x: f64| -> f32 {
        let x = x.clamp(-1e30, 1e30) as f32;
        if gibbs {
            flip_probability::<true>(x)
        } else {
            flip_probability::<false>(x)
        }
    };
    for &beta in betas {
        // recompute from scratch once per step: no rounding drift from the incremental updates
        land.distances(&u, &mut r2);
        e = land.energy(&r2, &u, weight).0;
        for i in 0..d {
            if control.is_cancelled() {
                return None;
            }
            if active.as_ref().is_some_and(|(a, _)| !a[i]) {
                continue;
            }
            let col = &land.columns[i * m..(i + 1) * m];
            for bit in 0..enc.bits(i) {
                let g = codes[i] ^ (1u64 << bit);
                let (old, new) = (u[i], enc.value(i, g));
                if new == old {
                    // a flip between codes of the same level changes nothing: ΔE = 0
                    if (stream.next_f64() as f32) < accept(0.0) {
                        codes[i] = g;
                    }
                    continue;
                }
                // (new − c)² − (old − c)² = (new − old)(new + old − 2c)
                let (delta, sum) = (new - old, new + old);
                for ((rn, r), c) in r2_new.iter_mut().zip(&r2).zip(col) {
                    *rn = r + delta * (sum - 2.0 * c);
                }
                u[i] = new;
                let (e_new, s_new, dist_new) = land.energy(&r2_new, &u, weight);
                if (stream.next_f64() as f32) < accept(beta * (e_new - e)) {
                    codes[i] = g;
                    e = e_new;
                    std::mem::swap(&mut r2, &mut r2_new);
                    if best.as_ref().is_none_or(|b| e < b.energy) && land.allowed(&u, dist_new) {
                        best = Some(Candidate { u: u.clone(), energy: e, predicted: s_new, chain });
                    }
                } else {
                    u[i] = old;
                }
            }
        }
    }
    best
}

/// Runs every chain in parallel (on `threads` threads, or the crate's pool) and returns their
/// proposals in chain order; `Err(Interrupted)` once `control` is cancelled.
pub fn run_chains(
    land: &Landscape<'_>,
    enc: &Encoding,
    specs: Vec<ChainSpec>,
    betas: &[f64],
    method: Method,
    threads: Option<usize>,
    control: &Control,
) -> Result<Vec<Candidate>> {
    let out: Vec<Option<Candidate>> = parallel::with_threads(threads, || {
        specs
            .into_par_iter()
            .enumerate()
            .map(|(c, spec)| run_chain(land, enc, spec, betas, method, c, control))
            .collect()
    })?;
    control.check()?;
    Ok(out.into_iter().flatten().collect())
}

#[cfg(test)]
mod tests {
    use super::super::design::initial_design;
    use super::super::design::sq_dist;
    use super::super::space::Space;
    use super::*;
    use crate::core::schedule::Schedule;

    fn setup() -> (Space, Rbf, Vec<f64>) {
        let d = 3;
        let space = Space::new(&[0.0; 3], &[1.0; 3], &[false; 3]).unwrap();
        let pts = initial_design(40, d, 11);
        let bowl = |u: &[f64]| (u[0] - 0.62).powi(2) + (u[1] - 0.35).powi(2) + (u[2] - 0.5).powi(2);
        let values: Vec<f64> = pts.chunks(d).map(bowl).collect();
        let rbf = Rbf::fit(pts.clone(), &values, d).unwrap();
        (space, rbf, pts)
    }

    #[test]
    fn annealing_finds_the_surrogate_minimum_and_keeps_its_distance() {
        let (space, rbf, pts) = setup();
        let enc = Encoding::new(&space, &[0.0; 3], &[1.0; 3], 8);
        let land = Landscape::new(&rbf, &[], 3, 0.1, 0.02);
        let betas = Schedule::from_beta_range(1.0, 1e4, 40, "geometric").unwrap().betas().to_vec();
        for method in [Method::Gibbs, Method::Metropolis] {
            let specs: Vec<ChainSpec> = (0..4)
                .map(|c| ChainSpec { codes: vec![0; 3], weight: 0.0, stream: Stream::new(7, c), active: None })
                .collect();
            let cands = run_chains(&land, &enc, specs.clone(), &betas, method, None, &Control::new()).unwrap();
            assert_eq!(cands.len(), 4);
            for c in &cands {
                let dist = pts.chunks(3).map(|p| sq_dist(p, &c.u)).fold(f64::INFINITY, f64::min).sqrt();
                assert!(dist >= 0.02 - 1e-12, "{dist}");
                assert!((c.u[0] - 0.62).abs() < 0.1 && (c.u[1] - 0.35).abs() < 0.1, "{method:?} {c:?}");
                assert!((c.energy - rbf.predict(&c.u)).abs() < 1e-9);
            }
            // same streams, same proposals, whatever the pool size
            let again = run_chains(&land, &enc, specs, &betas, method, Some(1), &Control::new()).unwrap();
            assert_eq!(cands, again);
        }
    }

    #[test]
    fn exploration_weight_pushes_away_from_points() {
        let (space, rbf, pts) = setup();
        let enc = Encoding::new(&space, &[0.0; 3], &[1.0; 3], 8);
        let land = Landscape::new(&rbf, &[], 3, 0.3, 0.0);
        let betas = Schedule::from_beta_range(1.0, 1e4, 40, "geometric").unwrap().betas().to_vec();
        let spec = |w: f64| ChainSpec { codes: vec![0; 3], weight: w, stream: Stream::new(3, 0), active: None };
        let near = run_chain(&land, &enc, spec(0.0), &betas, Method::Gibbs, 0, &Control::new()).unwrap();
        let far = run_chain(&land, &enc, spec(50.0), &betas, Method::Gibbs, 0, &Control::new()).unwrap();
        let dist = |u: &[f64]| pts.chunks(3).map(|p| sq_dist(p, u)).fold(f64::INFINITY, f64::min).sqrt();
        assert!(dist(&far.u) > dist(&near.u), "{far:?} {near:?}");
    }
}
