//! NQO: a hybrid optimiser for continuous and mixed-integer black-box problems.
//!
//! Every round proposes points with the same machinery:
//! - a surrogate, an RBF network (cubic units, linear tail) fitted to evaluated points
//!   ([`surrogate`]);
//! - p-bit annealing: the variables inside a box around a centre are Gray-coded into p-bits, and
//!   parallel chains anneal the surrogate minus a bonus for distance from the evaluated points
//!   ([`encoding`], [`sampler`]);
//! - true evaluation of the best proposals.
//!
//! After an initial design (a maximin Latin hypercube, plus the caller's `x0`), the search
//! alternates two phases:
//! - **descent**: a trust region around its best point, doubled after repeated successes and
//!   halved after repeated failures, with the surrogate fitted to the nearest points. When it
//!   collapses, its best point is refined by a local method ([`local`]: bounded quasi-Newton
//!   with finite differences, or Nelder–Mead).
//! - **hops** (basin hopping) around the best point: each chain moves one variable and the others
//!   keep the centre's values, so trials land in neighbouring basins. Once enough local searches
//!   have ended nearby, the surrogate is fitted to those end points (the bottoms of the basins
//!   found so far): a model of the funnel of local minima instead of the rugged raw values. A
//!   trial that does not beat the centre at once gets a few quasi-Newton steps over the variable
//!   it moved when earlier trials say that this tends to pay; the centre moves to any better
//!   point. When trials stall, the centre is refined and the hop radius halves; when the radius
//!   is tiny, the search restarts with a descent from an exploratory point.
//!
//! The best point is refined near the end of the budget if it has not been. Every call of the
//! objective counts against `maxfun`, which is never exceeded.

pub mod design;
pub mod encoding;
pub mod local;
pub mod sampler;
pub mod space;
pub mod surrogate;

pub use space::Space;

use crate::control::Control;
use crate::core::kernel::Method;
use crate::core::schedule::Schedule;
use crate::error::{Error, Result};
use crate::rng::{mix64, Stream};
use crate::{ensure, invalid};
use design::{initial_design, sq_dist};
use encoding::Encoding;
use local::{BfgsOptions, LocalResult};
use sampler::{ChainSpec, Landscape};
use surrogate::Rbf;

/// How the incumbent is polished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocalMethod {
    /// Projected BFGS with forward-difference gradients.
    Bfgs,
    NelderMead,
    /// No local refinement.
    Off,
}

impl LocalMethod {
    pub fn parse(name: &str) -> Result<Self> {
        match name.to_ascii_lowercase().replace('_', "-").as_str() {
            "bfgs" | "quasi-newton" => Ok(Self::Bfgs),
            "nelder-mead" | "neldermead" => Ok(Self::NelderMead),
            "none" => Ok(Self::Off),
            other => Err(invalid!("local_method must be 'bfgs', 'nelder-mead' or 'none', got {other:?}")),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Bfgs => "bfgs",
            Self::NelderMead => "nelder-mead",
            Self::Off => "none",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Evaluations of the objective, at most.
    pub maxfun: usize,
    /// Points of the initial design (`x0` included); `None`: 2(d + 1), at most `maxfun`.
    pub n_initial: Option<usize>,
    pub seed: u64,
    pub local_method: LocalMethod,
    /// Candidates evaluated per iteration; `None`: chosen from the dimension.
    pub batch_size: Option<usize>,
    /// p-bits per continuous variable.
    pub bits: u32,
    /// Annealing chains per iteration.
    pub num_chains: usize,
    /// Steps of the β schedule (one sweep over every p-bit each).
    pub num_sweeps: usize,
    /// p-bit update rule.
    pub method: Method,
    /// Threads for the annealing chains (`None`: the crate's pool); results do not depend on it.
    pub threads: Option<usize>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            maxfun: 1000,
            n_initial: None,
            seed: 0,
            local_method: LocalMethod::Bfgs,
            batch_size: None,
            bits: 8,
            num_chains: 4,
            num_sweeps: 10,
            method: Method::Gibbs,
            threads: None,
        }
    }
}

/// Trust-region half-widths (unit coordinates): initial, largest, and the collapse threshold.
const R_INIT: f64 = 0.2;
const R_MAX: f64 = 0.4;
const R_MIN: f64 = 1.0 / 256.0;
/// Consecutive successful iterations that double the region.
const SUCCESS_TOLERANCE: usize = 3;
/// Hops: initial and smallest half-width.
const HOP_INIT: f64 = 0.2;
const HOP_MIN: f64 = 1.0 / 128.0;
/// Quasi-Newton iterations of a trial's local search.
const HOP_ITERATIONS: usize = 3;
/// Exploration weights, cycled over the chains: pure exploitation to strong exploration.
const WEIGHTS: [f64; 4] = [0.0, 0.3, 1.0, 3.0];
/// Exploration weights of hop trials.
const HOP_WEIGHTS: [f64; 2] = [0.0, 0.3];
/// The weight of a restart's exploratory proposal.
const RESTART_WEIGHT: f64 = 3.0;
/// Random streams: each use of randomness has its own family, numbered by the archive size (and
/// the chain), so a seed fixes every draw whatever the number of threads.
const SALT_DESIGN: u64 = 0;
const SALT_PROPOSALS: u64 = 0x5EED_0FCA;
const SALT_CHAINS: u64 = 0xC4A1_0000;
const SALT_RANDOM: u64 = 0x0B0B_0B0B;
/// Most chains per round: chain c of a round draws from stream `archive size · 4096 + c`, so more
/// would share streams with the next rounds' chains.
pub const MAX_CHAINS: usize = 4096;
/// Most β steps per annealing (each a sweep over every p-bit of every chain, every round).
pub const MAX_SWEEPS: usize = 1 << 24;
/// β range of the annealing schedule (energies are in standardised surrogate units).
const BETA_RANGE: (f64, f64) = (1.0, 1e4);

impl Config {
    pub fn validate(&self) -> Result<()> {
        ensure!(self.maxfun >= 1, "maxfun must be at least 1, got {}", self.maxfun);
        if let Some(n) = self.n_initial {
            ensure!(n >= 1, "n_initial must be at least 1, got {n}");
            ensure!(
                n <= self.maxfun,
                "n_initial ({n}) must not exceed maxfun ({}): the initial design alone would overrun the budget",
                self.maxfun
            );
        }
        if let Some(q) = self.batch_size {
            ensure!(q >= 1, "batch_size must be at least 1, got {q}");
        }
        ensure!((1..=30).contains(&self.bits), "bits must be between 1 and 30, got {}", self.bits);
        ensure!(
            (1..=MAX_CHAINS).contains(&self.num_chains),
            "num_chains must be between 1 and {MAX_CHAINS}, got {}",
            self.num_chains
        );
        ensure!(
            (1..=MAX_SWEEPS).contains(&self.num_sweeps),
            "num_sweeps must be between 1 and {MAX_SWEEPS}, got {}",
            self.num_sweeps
        );
        if let Some(t) = self.threads {
            ensure!((1..=4096).contains(&t), "num_threads must be between 1 and 4096, got {t}");
        }
        Ok(())
    }

    fn initial_points(&self, d: usize) -> usize {
        self.n_initial.unwrap_or(2 * (d + 1)).min(self.maxfun)
    }

    fn batch(&self, d: usize) -> usize {
        self.batch_size.unwrap_or(1 + d / 5)
    }
}

/// The function being minimised, as the optimiser sees it.
pub trait Objective {
    /// Values at the rows of `xs` (row-major m × d, real coordinates, inside the bounds): exactly
    /// one value per row.
    fn evaluate(&mut self, xs: &[f64], d: usize) -> Result<Vec<f64>>;

    /// Called when the best value improves; `Ok(true)` stops the run.
    fn improved(&mut self, _x: &[f64], _f: f64) -> Result<bool> {
        Ok(false)
    }
}

impl<F: FnMut(&[f64]) -> Result<f64>> Objective for F {
    fn evaluate(&mut self, xs: &[f64], d: usize) -> Result<Vec<f64>> {
        xs.chunks(d).map(self).collect()
    }
}

/// How a run went.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub x: Vec<f64>,
    pub fun: f64,
    pub nfev: usize,
    /// Iterations: surrogate rounds plus local refinements.
    pub nit: usize,
    pub success: bool,
    pub message: String,
    /// Best value after each evaluation.
    pub history: Vec<f64>,
    /// Evaluations where the objective returned NaN (counted as +inf).
    pub nan_count: usize,
    pub local_searches: usize,
    pub restarts: usize,
}

/// Every evaluated point and its value, and the budget.
struct Archive<'a, O: Objective> {
    space: &'a Space,
    obj: &'a mut O,
    control: &'a Control,
    d: usize,
    maxfun: usize,
    /// Unit coordinates, row-major.
    u: Vec<f64>,
    /// The real coordinates `fun` was called with, row-major.
    x: Vec<f64>,
    f: Vec<f64>,
    history: Vec<f64>,
    best: Option<usize>,
    nan_count: usize,
    stopped: bool,
}

impl<O: Objective> Archive<'_, O> {
    fn len(&self) -> usize {
        self.f.len()
    }

    fn remaining(&self) -> usize {
        if self.stopped {
            0
        } else {
            self.maxfun - self.len()
        }
    }

    fn point(&self, k: usize) -> &[f64] {
        &self.u[k * self.d..(k + 1) * self.d]
    }

    fn best_f(&self) -> f64 {
        self.best.map_or(f64::INFINITY, |b| self.f[b])
    }

    /// Evaluates the unit points `us` (snapped to the integer grids), as many as the budget
    /// allows; returns their values (NaN becomes +inf).
    fn eval(&mut self, us: &[f64]) -> Result<Vec<f64>> {
        self.eval_exact(us, None)
    }

    /// [`Archive::eval`], with the first point called at the real coordinates `first` (the
    /// caller's `x0`, exactly as given) instead of its unit point mapped back.
    fn eval_exact(&mut self, us: &[f64], first: Option<&[f64]>) -> Result<Vec<f64>> {
        self.control.check()?;
        let d = self.d;
        let m = (us.len() / d).min(self.remaining());
        if m == 0 {
            return Ok(Vec::new());
        }
        let mut snapped = us[..m * d].to_vec();
        let mut xs = vec![0.0; m * d];
        for (u, x) in snapped.chunks_mut(d).zip(xs.chunks_mut(d)) {
            self.space.snap(u);
            self.space.to_real(u, x);
        }
        if let Some(x0) = first {
            xs[..d].copy_from_slice(x0);
        }
        let values = self.obj.evaluate(&xs, d)?;
        if values.len() != m {
            return Err(Error::Internal(format!("the objective returned {} values for {m} points", values.len())));
        }
        let before = self.best_f();
        let mut out = Vec::with_capacity(m);
        for (k, v) in values.into_iter().enumerate() {
            let v = if v.is_nan() {
                self.nan_count += 1;
                f64::INFINITY
            } else if v == f64::NEG_INFINITY {
                return Err(invalid!(
                    "fun returned -inf at x = {:?}; it must return a real number",
                    &xs[k * d..(k + 1) * d]
                ));
            } else {
                v
            };
            self.u.extend_from_slice(&snapped[k * d..(k + 1) * d]);
            self.x.extend_from_slice(&xs[k * d..(k + 1) * d]);
            self.f.push(v);
            if v < self.best_f() {
                self.best = Some(self.f.len() - 1);
            }
            self.history.push(self.best_f());
            out.push(v);
        }
        self.control.advance(m as u64);
        if self.best_f() < before {
            let b = self.best.expect("improved");
            let x = self.x[b * d..(b + 1) * d].to_vec();
            if self.obj.improved(&x, self.f[b])? {
                self.stopped = true;
            }
        }
        Ok(out)
    }

    /// Distance from `u` to the nearest evaluated point.
    fn nearest(&self, u: &[f64]) -> f64 {
        self.u.chunks(self.d).map(|p| sq_dist(p, u)).fold(f64::INFINITY, f64::min).sqrt()
    }
}

/// The trust region: a box of half-width `r` around `center` (an archive index, the best point
/// of the region so far).
#[derive(Debug, Clone)]
struct Region {
    center: usize,
    r: f64,
    successes: usize,
    failures: usize,
}

impl Region {
    fn new(center: usize, r: f64) -> Self {
        Self { center, r, successes: 0, failures: 0 }
    }
}

/// What the search is doing.
#[derive(Debug, Clone)]
enum Phase {
    /// Trust-region descent on the surrogate.
    Descent(Region),
    /// Basin hopping around the region's centre, the best point found.
    Hop(Region),
}

/// How candidates are proposed.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode {
    /// All variables move; surrogate on the nearest points.
    Descent,
    /// One variable per chain moves (the rest keep the centre's values); the surrogate is
    /// fitted to the bottoms of the basins found nearby when there are enough of them (else to
    /// the best point of each small neighbourhood), a model of the funnel of local minima.
    Hop,
    /// One exploratory proposal over the whole box.
    Explore,
}

struct Run<'a, O: Objective> {
    archive: Archive<'a, O>,
    space: &'a Space,
    cfg: &'a Config,
    betas: Vec<f64>,
    iterations: usize,
    local_searches: usize,
    restarts: usize,
    /// Archive indices of the points refinements started from or ended at.
    refined: Vec<usize>,
    /// The last BFGS inverse Hessian: the next refinement starts from it.
    hessian: Option<Vec<f64>>,
    /// How much trials' short local searches lowered their values.
    gains: Vec<f64>,
    /// Archive indices of the end points of local searches (full or over a few variables):
    /// the bottoms of the basins seen so far.
    minima: Vec<usize>,
    /// The archive size when a restart last found no new point to evaluate.
    stalled_at: Option<usize>,
    /// A whole cycle (hops, then a restart over the box) found no new point: the search,
    /// seeded by the archive size, would only repeat itself.
    exhausted: bool,
}

impl<O: Objective> Run<'_, O> {
    /// The box of half-width `r` around unit point `c`, per variable (integer variables: at
    /// least one step each way).
    fn bounds(&self, c: &[f64], r: f64) -> (Vec<f64>, Vec<f64>) {
        let d = self.space.dim();
        let (mut lo, mut hi) = (vec![0.0; d], vec![0.0; d]);
        for i in 0..d {
            let r = match self.space.steps(i) {
                Some(w) if w > 0 => r.max(1.0 / w as f64),
                _ => r,
            };
            lo[i] = (c[i] - r).max(0.0);
            hi[i] = (c[i] + r).min(1.0);
        }
        (lo, hi)
    }

    /// The surrogate's data for a region (centres and values, at most `kmax`), and the points
    /// inside it where the objective was not finite (the distance term keeps proposals away
    /// from them too).
    fn neighbourhood(
        &self,
        center: &[f64],
        r: f64,
        lo: &[f64],
        hi: &[f64],
        mode: Mode,
    ) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let d = self.space.dim();
        let n = self.archive.len();
        let kmax = (5 * (d + 1)).clamp(30, 200);
        let inside = |p: &[f64]| (0..d).all(|i| p[i] >= lo[i] - r && p[i] <= hi[i] + r);
        let basins: Vec<usize> = match mode {
            Mode::Hop => self.minima.iter().copied().filter(|&k| inside(self.archive.point(k))).collect(),
            _ => Vec::new(),
        };
        let mut order: Vec<(f64, usize)> = match mode {
            // nearest first
            Mode::Descent | Mode::Explore => (0..n).map(|k| (sq_dist(self.archive.point(k), center), k)).collect(),
            // the basins' bottoms when there are enough of them: a surrogate of the funnel
            Mode::Hop if basins.len() > d + 1 => basins.iter().map(|&k| (self.archive.f[k], k)).collect(),
            // best first, among the points of the (extended) region
            Mode::Hop => (0..n).filter(|&k| inside(self.archive.point(k))).map(|k| (self.archive.f[k], k)).collect(),
        };
        order.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let sep2 = match mode {
            Mode::Hop => (r / 16.0).powi(2),
            _ => (1e-3 * r).powi(2),
        };
        let (mut centers, mut values, mut others) = (Vec::new(), Vec::new(), Vec::new());
        for &(_, k) in &order {
            let p = self.archive.point(k);
            let fv = self.archive.f[k];
            let is_inside = inside(p);
            if values.len() < kmax && fv.is_finite() && centers.chunks(d).all(|c| sq_dist(c, p) > sep2) {
                centers.extend_from_slice(p);
                values.push(fv);
            } else if !fv.is_finite() && is_inside && others.len() < kmax * d / 2 {
                others.extend_from_slice(p);
            } else if values.len() >= kmax {
                // nearest (or best) first: the rest is farther (or worse)
                break;
            }
        }
        if mode == Mode::Hop && values.len() < 2 * (d + 1) {
            // too few points inside: fall back to the nearest ones
            return self.neighbourhood(center, r, lo, hi, Mode::Descent);
        }
        (centers, values, others)
    }

    /// Up to `q` new unit points around `center` (unit coordinates) within half-width `r`:
    /// surrogate fit, annealing, selection.
    fn propose(&mut self, center: &[f64], r: f64, q: usize, mode: Mode) -> Result<Vec<f64>> {
        let d = self.space.dim();
        let (lo, hi) = self.bounds(center, r);
        let min_dist = (1e-3 * r).max(1e-9);
        let (centers, values, others) = self.neighbourhood(center, r, &lo, &hi, mode);
        let mut rng = Stream::new(mix64(self.cfg.seed ^ SALT_PROPOSALS), self.archive.len() as u64);
        let enc = Encoding::new(self.space, &lo, &hi, self.cfg.bits);
        let random_codes = |rng: &mut Stream| -> Vec<u64> {
            (0..d).map(|i| if enc.bits(i) == 0 { 0 } else { rng.below(1u64 << enc.bits(i)) }).collect()
        };
        let home: Vec<u64> = (0..d).map(|i| enc.code_near(i, center[i])).collect();
        let mut chosen: Vec<f64> = Vec::with_capacity(q * d);
        let far_enough = |chosen: &[f64], u: &[f64], archive: &Archive<'_, O>| {
            archive.nearest(u) >= min_dist && chosen.chunks(d).all(|c| sq_dist(c, u).sqrt() >= min_dist)
        };
        let weights: &[f64] = match mode {
            Mode::Explore => &[RESTART_WEIGHT],
            Mode::Hop => &HOP_WEIGHTS,
            Mode::Descent => &WEIGHTS,
        };
        // the variables hop trials move, in a random order
        let mut perm: Vec<usize> = (0..d).collect();
        for k in (1..d).rev() {
            perm.swap(k, rng.below(k as u64 + 1) as usize);
        }
        // a surrogate that cannot be fitted (a degenerate layout) leaves random proposals
        if let Some(rbf) = (values.len() >= 2).then(|| Rbf::fit(centers, &values, d).ok()).flatten() {
            let mut land = Landscape::new(&rbf, &others, d, r, min_dist);
            if mode == Mode::Hop {
                // leave the centre's basin, and do not land again in a basin already explored
                land = land.excluding(center, r / 4.0);
                for &k in &self.minima {
                    let p = self.archive.point(k);
                    if p != center && (0..d).all(|i| p[i] >= lo[i] && p[i] <= hi[i]) {
                        land = land.excluding(p, r / 8.0);
                    }
                }
            }
            // hops screen every variable (once per weight): one short chain each
            let chains =
                if mode == Mode::Hop { self.cfg.num_chains.max(d * weights.len()) } else { self.cfg.num_chains };
            crate::error::check_alloc::<u64>(
                chains as u128 * (2 * d as u128 + 8),
                &format!("{chains} annealing chains over {d} variables"),
            )?;
            let specs: Vec<ChainSpec> = (0..chains)
                .map(|c| {
                    let mut stream =
                        Stream::new(mix64(self.cfg.seed ^ SALT_CHAINS), (self.archive.len() * 4096 + c) as u64);
                    let (codes, active) = match mode {
                        Mode::Descent if c % 2 == 0 => (home.clone(), None),
                        Mode::Descent | Mode::Explore => (random_codes(&mut stream), None),
                        Mode::Hop => {
                            // one variable per chain
                            let mut a = vec![false; d];
                            a[perm[(c / weights.len()) % d]] = true;
                            (home.clone(), Some((a, center.to_vec())))
                        }
                    };
                    ChainSpec { codes, weight: weights[c % weights.len()], stream, active }
                })
                .collect();
            let mut cands = sampler::run_chains(
                &land,
                &enc,
                specs,
                &self.betas,
                self.cfg.method,
                self.cfg.threads,
                self.archive.control,
            )?;
            // energies of different exploration weights do not compare: take the best of each
            // weight in turn, exploitation first
            let nw = weights.len();
            cands.sort_by(|a, b| a.energy.total_cmp(&b.energy).then(a.chain.cmp(&b.chain)));
            let mut rank = vec![0usize; nw];
            let mut keyed: Vec<(usize, usize, sampler::Candidate)> = cands
                .into_iter()
                .map(|c| {
                    let w = c.chain % nw;
                    rank[w] += 1;
                    (rank[w], w, c)
                })
                .collect();
            keyed.sort_by_key(|k| (k.0, k.1));
            for (_, _, c) in keyed {
                if chosen.len() / d >= q {
                    break;
                }
                let mut u = c.u;
                self.space.snap(&mut u);
                if far_enough(&chosen, &u, &self.archive) {
                    chosen.extend_from_slice(&u);
                }
            }
        }
        // top up with random points of the region (too few data, or every proposal too close);
        // hops move one variable
        let mut tries = 0;
        while chosen.len() / d < q && tries < 100 * q {
            self.archive.control.check()?;
            tries += 1;
            let codes = random_codes(&mut rng);
            let mut u = vec![0.0; d];
            enc.decode(&codes, &mut u);
            if mode == Mode::Hop {
                let keep = rng.below(d as u64) as usize;
                for i in (0..d).filter(|&i| i != keep) {
                    u[i] = center[i];
                }
            }
            self.space.snap(&mut u);
            if far_enough(&chosen, &u, &self.archive) {
                chosen.extend_from_slice(&u);
            }
        }
        Ok(chosen)
    }

    /// Evaluates `q` proposals around archive point `center`; returns the best new point's index
    /// (`None` when nothing could be evaluated).
    fn step(&mut self, center: usize, r: f64, q: usize, mode: Mode) -> Result<Option<usize>> {
        self.iterations += 1;
        let c = self.archive.point(center).to_vec();
        let cands = self.propose(&c, r, q.min(self.archive.remaining()), mode)?;
        let start = self.archive.len();
        self.archive.eval(&cands)?;
        Ok((start..self.archive.len()).min_by(|&a, &b| self.archive.f[a].total_cmp(&self.archive.f[b])))
    }

    /// Local refinement from archive point `start` over all continuous variables.
    fn refine(&mut self, start: usize) -> Result<usize> {
        self.refined.push(start);
        let free = self.space.continuous();
        let end = self.local_search(start, &free, usize::MAX)?;
        self.refined.push(end);
        Ok(end)
    }

    /// A local search from archive point `start` over the variables `free` (continuous ones),
    /// for at most `max_iter` iterations; returns the index of its best point.
    fn local_search(&mut self, start: usize, free: &[usize], max_iter: usize) -> Result<usize> {
        let idle = free.is_empty() || self.cfg.local_method == LocalMethod::Off;
        if idle || self.archive.remaining() == 0 || !self.archive.f[start].is_finite() {
            return Ok(start);
        }
        // the local methods hold n × n matrices over the n free variables (BFGS: the inverse
        // Hessian, a copy, the gradient's points; Nelder–Mead: its simplex)
        let n = free.len() as u128;
        let method = self.cfg.local_method.name();
        crate::error::check_alloc::<f64>(
            4 * n * n,
            &format!("local_method='{method}' over {n} continuous variables (use local_method='none')"),
        )?;
        let full = free.len() == self.space.continuous().len();
        if full {
            self.local_searches += 1;
        }
        self.iterations += 1;
        let base = self.archive.point(start).to_vec();
        let f0 = self.archive.f[start];
        let z0: Vec<f64> = free.iter().map(|&i| base[i]).collect();
        let mut x = vec![0.0; base.len()];
        self.space.to_real(&base, &mut x);
        // steps of about √ε relative to |x| in real units (1e-8 absolute near 0, as in scipy)
        let h: Vec<f64> = free.iter().map(|&i| 1.49e-8 * x[i].abs().max(1.0) / self.space.width(i)).collect();
        // the last full refinement's curvature, restricted to these variables
        let warm: Option<Vec<f64>> = self.hessian.as_ref().map(|hs| {
            let all = self.space.continuous();
            let pos: Vec<usize> = free.iter().map(|i| all.iter().position(|j| j == i).expect("continuous")).collect();
            let n = all.len();
            pos.iter().flat_map(|&a| pos.iter().map(move |&b| hs[a * n + b])).collect()
        });
        let budget = if max_iter == usize::MAX {
            self.archive.remaining()
        } else {
            (max_iter * 4 * (free.len() + 1)).min(self.archive.remaining())
        };
        let n_before = self.archive.len();
        let archive = &mut self.archive;
        let d = base.len();
        let eval = |zs: &[f64], m: usize| -> Result<Vec<f64>> {
            let mut us = Vec::with_capacity(m * d);
            for z in zs.chunks(free.len()).take(m) {
                let mut u = base.clone();
                for (&i, &v) in free.iter().zip(z) {
                    u[i] = v;
                }
                us.extend_from_slice(&u);
            }
            archive.eval(&us)
        };
        let opts = BfgsOptions { max_iter, ..BfgsOptions::default() };
        let res: LocalResult = match self.cfg.local_method {
            LocalMethod::Bfgs => local::bfgs(eval, &z0, f0, &h, warm.as_deref(), &opts)?,
            LocalMethod::NelderMead => local::nelder_mead(eval, &z0, 0.05, budget)?,
            LocalMethod::Off => unreachable!("checked above"),
        };
        if full && res.inverse_hessian.is_some() {
            self.hessian = res.inverse_hessian.clone();
        }
        let end = (n_before..self.archive.len())
            .fold(start, |b, k| if self.archive.f[k] < self.archive.f[b] { k } else { b });
        if !self.minima.contains(&end) {
            self.minima.push(end);
        }
        Ok(end)
    }

    /// Whether a trial of value `f` might, once refined, beat `target`: the gains of the last
    /// few trials' local searches (their upper quartile) say how much refining tends to help.
    fn promising(&self, f: f64, target: f64) -> bool {
        const RECENT: usize = 16;
        if self.gains.len() < 4 {
            return true;
        }
        let mut recent: Vec<f64> = self.gains[self.gains.len().saturating_sub(RECENT)..].to_vec();
        recent.sort_by(f64::total_cmp);
        f - recent[recent.len() * 3 / 4] < target
    }

    fn is_refined(&self, k: usize) -> bool {
        self.refined.contains(&k)
    }

    /// A new descent region away from the explored ones, around one exploratory proposal over
    /// the whole box (evaluated); `None` when the budget is spent.
    fn restart(&mut self) -> Result<Option<Region>> {
        self.restarts += 1;
        let d = self.space.dim();
        self.iterations += 1;
        let cands = self.propose(&vec![0.5; d], 0.5, 1.min(self.archive.remaining()), Mode::Explore)?;
        let start = self.archive.len();
        self.archive.eval(&cands)?;
        Ok((start < self.archive.len()).then(|| Region::new(start, R_INIT)))
    }

    /// One trust-region iteration; the next phase.
    fn descend(&mut self, mut reg: Region, q: usize, tolerance: usize) -> Result<Phase> {
        let fc = self.archive.f[reg.center];
        let got = self.step(reg.center, reg.r, q, Mode::Descent)?;
        let vbest = got.map_or(f64::INFINITY, |k| self.archive.f[k]);
        if vbest < fc - 1e-3 * fc.abs() {
            reg.successes += 1;
            reg.failures = 0;
        } else {
            reg.successes = 0;
            reg.failures += 1;
        }
        if let Some(k) = got.filter(|_| vbest < fc) {
            reg.center = k;
        }
        if reg.successes >= SUCCESS_TOLERANCE {
            reg.r = (2.0 * reg.r).min(R_MAX);
            reg.successes = 0;
        } else if reg.failures >= tolerance {
            reg.r /= 2.0;
            reg.failures = 0;
        }
        if reg.r >= R_MIN {
            return Ok(Phase::Descent(reg));
        }
        // converged: polish the region's best, then hop around the best point overall
        if !self.is_refined(reg.center) {
            self.refine(reg.center)?;
        }
        let best = self.archive.best.expect("a region has a finite centre");
        Ok(Phase::Hop(Region::new(best, HOP_INIT)))
    }

    /// One round of hop trials; the next phase.
    fn hop(&mut self, mut reg: Region, q: usize, tolerance: usize) -> Result<Phase> {
        let before = self.archive.f[reg.center];
        let mut got = self.step(reg.center, reg.r, q, Mode::Hop)?;
        if let Some(k) = got.filter(|&k| self.archive.f[k] >= before && self.promising(self.archive.f[k], before)) {
            // a trial lands anywhere in its basin: a few quasi-Newton steps over the variable it
            // moved tell how deep that basin is
            let (c, t) = (self.archive.point(reg.center), self.archive.point(k));
            let moved: Vec<usize> = self.space.continuous().into_iter().filter(|&i| c[i] != t[i]).collect();
            let end = self.local_search(k, &moved, HOP_ITERATIONS)?;
            self.gains.push(self.archive.f[k] - self.archive.f[end]);
            got = Some(end);
        }
        if let Some(k) = got.filter(|&k| self.archive.f[k] < before) {
            // a better basin: hop on from there (it is refined once the trials stall)
            reg.center = k;
            reg.failures = 0;
        } else {
            reg.failures += 1;
            if reg.failures >= tolerance {
                reg.failures = 0;
                if !self.space.continuous().is_empty() && !self.is_refined(reg.center) {
                    self.refine(reg.center)?;
                    reg.center = self.archive.best.expect("finite");
                } else {
                    reg.r /= 2.0;
                }
            }
        }
        if reg.r >= HOP_MIN {
            return Ok(Phase::Hop(reg));
        }
        Ok(match self.restart()? {
            Some(region) => Phase::Descent(region),
            None => {
                if self.archive.remaining() > 0 {
                    self.exhausted = self.stalled_at == Some(self.archive.len());
                    self.stalled_at = Some(self.archive.len());
                }
                Phase::Hop(Region::new(self.archive.best.expect("finite"), HOP_INIT))
            }
        })
    }
}

/// Minimises `obj` over `space`.
pub fn minimize<O: Objective>(
    space: &Space,
    cfg: &Config,
    x0: Option<&[f64]>,
    obj: &mut O,
    control: &Control,
) -> Result<Outcome> {
    cfg.validate()?;
    let d = space.dim();
    let u0 = x0.map(|x| space.to_unit(x, "x0")).transpose()?;
    crate::error::check_alloc::<f64>(
        cfg.maxfun as u128 * (d as u128 + 2),
        &format!("an archive of {} points", cfg.maxfun),
    )?;
    control.add_total(cfg.maxfun as u64);
    let betas = Schedule::from_beta_range(BETA_RANGE.0, BETA_RANGE.1, cfg.num_sweeps, "geometric")?.betas().to_vec();
    let archive = Archive {
        space,
        obj,
        control,
        d,
        maxfun: cfg.maxfun,
        u: Vec::new(),
        x: Vec::new(),
        f: Vec::new(),
        history: Vec::new(),
        best: None,
        nan_count: 0,
        stopped: false,
    };
    let mut run = Run {
        archive,
        space,
        cfg,
        betas,
        iterations: 0,
        local_searches: 0,
        restarts: 0,
        refined: Vec::new(),
        hessian: None,
        gains: Vec::new(),
        minima: Vec::new(),
        stalled_at: None,
        exhausted: false,
    };

    // 1. the initial design, x0 first (called exactly as given, integers rounded), without
    //    duplicate grid points
    let n0 = cfg.initial_points(d);
    let mut pts: Vec<f64> = Vec::with_capacity(n0 * d);
    if let Some(u) = &u0 {
        pts.extend_from_slice(u);
    }
    let lhs = initial_design(n0, d, mix64(cfg.seed ^ SALT_DESIGN));
    // grid points already taken, by their bits: a linear pass, not a quadratic one
    let key = |u: &[f64]| u.iter().map(|v| v.to_bits()).collect::<Vec<u64>>();
    let mut taken: std::collections::HashSet<Vec<u64>> = pts.chunks(d).map(key).collect();
    for p in lhs.chunks(d) {
        if pts.len() / d >= n0 {
            break;
        }
        control.check()?;
        let mut u = p.to_vec();
        space.snap(&mut u);
        if taken.insert(key(&u)) {
            pts.extend_from_slice(&u);
        }
    }
    drop(taken);
    let x0_exact: Option<Vec<f64>> = x0.zip(u0.as_ref()).map(|(x, u)| {
        let mut exact = vec![0.0; d];
        space.to_real(u, &mut exact);
        for i in space.continuous() {
            exact[i] = x[i];
        }
        exact
    });
    run.archive.eval_exact(&pts, x0_exact.as_deref())?;

    let q = cfg.batch(d);
    let descent_tolerance = d.max(4).div_ceil(q);
    let hop_tolerance = (2 * d).max(4).div_ceil(q);
    let has_continuous = !space.continuous().is_empty();
    // the final polish of the best point gets this much of the budget
    let reserve = if cfg.local_method == LocalMethod::Off { 0 } else { (cfg.maxfun / 10).min(20 * (d + 1)) };
    let grid_size: Option<f64> =
        (0..d).map(|i| space.steps(i).map(|w| w as f64 + 1.0)).try_fold(1.0, |acc, s| s.map(|s| acc * s));
    let mut phase: Option<Phase> = None;
    let mut exhausted_grid = false;
    while run.archive.remaining() > 0 && !run.exhausted {
        if grid_size.is_some_and(|g| run.archive.len() as f64 >= g) {
            exhausted_grid = true;
            break;
        }
        let Some(best) = run.archive.best else {
            // nothing finite yet: sample the whole box at random
            let mut rng = Stream::new(mix64(cfg.seed ^ SALT_RANDOM), run.archive.len() as u64);
            let u: Vec<f64> = (0..d).map(|_| rng.next_f64()).collect();
            run.archive.eval(&u)?;
            continue;
        };
        if has_continuous && run.archive.remaining() <= reserve && !run.is_refined(best) {
            run.refine(best)?;
            continue;
        }
        phase = Some(match phase.take().unwrap_or_else(|| Phase::Descent(Region::new(best, R_INIT))) {
            Phase::Descent(reg) => run.descend(reg, q, descent_tolerance)?,
            Phase::Hop(reg) => run.hop(reg, q, hop_tolerance)?,
        });
    }
    log::debug!(
        "NQO: {} evaluations, {} iterations, {} local searches, {} restarts",
        run.archive.len(),
        run.iterations,
        run.local_searches,
        run.restarts
    );

    let archive = run.archive;
    let nfev = archive.len();
    // every value +inf (or NaN): the first point
    let b = archive.best.unwrap_or(0);
    let (x, fun) = (archive.x[b * d..(b + 1) * d].to_vec(), archive.best_f());
    let (success, message) = if !fun.is_finite() {
        (false, "fun was not finite at any evaluated point".to_string())
    } else if archive.stopped {
        (false, "stopped by the callback".to_string())
    } else if exhausted_grid {
        (true, "every point of the integer grid has been evaluated".to_string())
    } else if run.exhausted {
        let why = "every point the search can propose has been evaluated";
        (true, format!("no new point to evaluate: {why} (a larger `bits` refines the grid of proposals)"))
    } else {
        (true, format!("maximum number of function evaluations reached (maxfun = {})", cfg.maxfun))
    };
    Ok(Outcome {
        x,
        fun,
        nfev,
        nit: run.iterations,
        success,
        message,
        history: archive.history,
        nan_count: archive.nan_count,
        local_searches: run.local_searches,
        restarts: run.restarts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    fn rastrigin(x: &[f64]) -> f64 {
        10.0 * x.len() as f64 + x.iter().map(|v| v * v - 10.0 * (2.0 * PI * v).cos()).sum::<f64>()
    }

    fn boxed(d: usize, lo: f64, hi: f64) -> Space {
        Space::new(&vec![lo; d], &vec![hi; d], &vec![false; d]).unwrap()
    }

    fn run(space: &Space, cfg: &Config, f: impl Fn(&[f64]) -> f64) -> Outcome {
        let mut obj = |x: &[f64]| -> Result<f64> { Ok(f(x)) };
        minimize(space, cfg, None, &mut obj, &Control::new()).unwrap()
    }

    #[test]
    fn a_search_with_nothing_left_to_propose_stops() {
        // with 1 or 2 bits every proposal lands on points already evaluated long before maxfun
        let space = boxed(1, -1.0, 1.0);
        for bits in [1, 2] {
            let out = run(&space, &Config { maxfun: 500, bits, seed: 1, ..Config::default() }, |x| x[0] * x[0]);
            assert!(out.nfev < 500, "bits = {bits}: {} evaluations", out.nfev);
            assert!(out.success && out.message.starts_with("no new point"), "{}", out.message);
            assert!(out.fun < 1e-6);
        }
    }

    #[test]
    fn the_budget_is_strict_and_the_history_tracks_the_best() {
        let space = boxed(3, -2.0, 2.0);
        for maxfun in [1, 5, 9, 77, 400] {
            let calls = std::cell::Cell::new(0usize);
            let cfg = Config { maxfun, seed: 3, ..Config::default() };
            let out = run(&space, &cfg, |x| {
                calls.set(calls.get() + 1);
                x.iter().map(|v| (v - 0.5).powi(2)).sum()
            });
            assert_eq!(out.nfev, calls.get());
            assert_eq!(out.nfev, maxfun, "a continuous space uses the whole budget");
            assert_eq!(out.history.len(), out.nfev);
            assert!(out.history.windows(2).all(|w| w[1] <= w[0]));
            assert_eq!(*out.history.last().unwrap(), out.fun);
            assert!(out.success, "{}", out.message);
        }
    }

    #[test]
    fn smooth_and_multimodal_minima_are_found() {
        let space = boxed(4, -3.0, 5.0);
        let c = [1.5, -0.7, 2.2, 0.1];
        let out = run(&space, &Config { maxfun: 400, seed: 1, ..Config::default() }, |x| {
            x.iter().zip(&c).enumerate().map(|(i, (v, c))| (i + 1) as f64 * (v - c).powi(2)).sum()
        });
        assert!(out.fun < 1e-9, "{out:?}");
        assert!(out.x.iter().zip(&c).all(|(a, b)| (a - b).abs() < 1e-4));
        // Rastrigin in 2-D: the global minimum from most seeds with 600 evaluations
        let space = boxed(2, -5.12, 5.12);
        let hits = (0..6)
            .filter(|&seed| run(&space, &Config { maxfun: 600, seed, ..Config::default() }, rastrigin).fun < 1e-6)
            .count();
        assert!(hits >= 5, "{hits}/6");
    }

    #[test]
    fn a_seed_fixes_the_result_whatever_the_threads() {
        let space = boxed(5, -5.12, 5.12);
        let cfg = Config { maxfun: 500, seed: 42, ..Config::default() };
        let a = run(&space, &cfg, rastrigin);
        let b = run(&space, &Config { threads: Some(1), ..cfg.clone() }, rastrigin);
        let c = run(&space, &Config { threads: Some(3), ..cfg.clone() }, rastrigin);
        assert_eq!(a, b);
        assert_eq!(a, c);
        let other = run(&space, &Config { seed: 43, ..cfg }, rastrigin);
        assert_ne!(a.history, other.history);
    }

    #[test]
    fn integer_variables_take_whole_values() {
        // x1 ∈ {0..10} integer, x0 continuous: optimum (2.3, 3)
        let space = Space::new(&[0.0, -0.4], &[5.0, 10.2], &[false, true]).unwrap();
        let seen = std::cell::RefCell::new(Vec::new());
        let out = run(&space, &Config { maxfun: 300, seed: 7, ..Config::default() }, |x| {
            seen.borrow_mut().push(x[1]);
            (x[0] - 2.3).powi(2) + (x[1] - 3.2).powi(2)
        });
        assert!(seen.borrow().iter().all(|v| v.fract() == 0.0 && (0.0..=10.0).contains(v)));
        assert_eq!(out.x[1], 3.0);
        assert!((out.x[0] - 2.3).abs() < 1e-5, "{out:?}");
        // all-integer: a 3 × 4 grid is enumerated once and the run stops there
        let space = Space::new(&[0.0, 1.0], &[2.0, 4.0], &[true, true]).unwrap();
        let out = run(&space, &Config { maxfun: 100, seed: 1, ..Config::default() }, |x| {
            (x[0] - 1.0).powi(2) + (x[1] - 3.0).powi(2)
        });
        assert_eq!(out.x, vec![1.0, 3.0]);
        assert!(out.nfev <= 12, "{}", out.nfev);
        if out.nfev == 12 {
            assert!(out.message.contains("integer grid"), "{}", out.message);
        }
    }

    #[test]
    fn nan_counts_as_infinity_and_minus_infinity_is_refused() {
        let space = boxed(2, -1.0, 1.0);
        let out = run(&space, &Config { maxfun: 200, seed: 2, ..Config::default() }, |x| {
            if x[0] > 0.2 {
                f64::NAN
            } else {
                (x[0] - 0.1).powi(2) + x[1] * x[1]
            }
        });
        assert!(out.nan_count > 0 && out.fun.is_finite() && out.fun < 1e-6, "{out:?}");
        let all_nan = run(&space, &Config { maxfun: 20, ..Config::default() }, |_| f64::NAN);
        assert!(!all_nan.success && all_nan.fun == f64::INFINITY && all_nan.nan_count == 20);
        let mut obj = |_: &[f64]| -> Result<f64> { Ok(f64::NEG_INFINITY) };
        let err = minimize(&space, &Config::default(), None, &mut obj, &Control::new()).unwrap_err();
        assert!(err.to_string().contains("-inf"), "{err}");
    }

    #[test]
    fn errors_stop_the_run_and_the_callback_can_stop_it() {
        let space = boxed(2, -1.0, 1.0);
        let mut calls = 0;
        let mut failing = |_: &[f64]| -> Result<f64> {
            calls += 1;
            if calls == 30 {
                Err(Error::Interrupted)
            } else {
                Ok(1.0)
            }
        };
        assert_eq!(minimize(&space, &Config::default(), None, &mut failing, &Control::new()), Err(Error::Interrupted));
        assert_eq!(calls, 30);

        struct StopAtOne(usize);
        impl Objective for StopAtOne {
            fn evaluate(&mut self, xs: &[f64], d: usize) -> Result<Vec<f64>> {
                self.0 += xs.len() / d;
                Ok(xs.chunks(d).map(|x| x[0] * x[0] + x[1] * x[1]).collect())
            }
            fn improved(&mut self, _x: &[f64], f: f64) -> Result<bool> {
                Ok(f < 0.1)
            }
        }
        let mut stop = StopAtOne(0);
        let out =
            minimize(&space, &Config { maxfun: 500, ..Config::default() }, None, &mut stop, &Control::new()).unwrap();
        assert!(!out.success && out.message.contains("callback") && out.fun < 0.1, "{out:?}");
        assert!(out.nfev < 500 && out.nfev == stop.0);
        let control = Control::new();
        control.cancel();
        let mut obj = |x: &[f64]| -> Result<f64> { Ok(x[0]) };
        assert_eq!(minimize(&space, &Config::default(), None, &mut obj, &control), Err(Error::Interrupted));
    }

    #[test]
    fn x0_comes_first_and_bad_settings_are_refused() {
        let space = boxed(2, -1.0, 1.0);
        let first = std::cell::RefCell::new(None);
        let mut obj = |x: &[f64]| -> Result<f64> {
            first.borrow_mut().get_or_insert(x.to_vec());
            Ok(x[0] + x[1])
        };
        minimize(&space, &Config { maxfun: 10, ..Config::default() }, Some(&[0.1, -0.7]), &mut obj, &Control::new())
            .unwrap();
        assert_eq!(first.borrow().clone(), Some(vec![0.1, -0.7]), "x0 is called exactly as given");
        let mut obj = |x: &[f64]| -> Result<f64> { Ok(x[0]) };
        let c = Control::new();
        for (cfg, what) in [
            (Config { maxfun: 0, ..Config::default() }, "maxfun"),
            (Config { maxfun: 10, n_initial: Some(11), ..Config::default() }, "n_initial"),
            (Config { bits: 0, ..Config::default() }, "bits"),
            (Config { num_chains: 0, ..Config::default() }, "num_chains"),
            (Config { batch_size: Some(0), ..Config::default() }, "batch_size"),
        ] {
            let err = minimize(&space, &cfg, None, &mut obj, &c).unwrap_err();
            assert!(err.to_string().contains(what), "{err}");
        }
        let err = minimize(&space, &Config::default(), Some(&[0.0]), &mut obj, &c).unwrap_err();
        assert!(err.to_string().contains("x0"), "{err}");
        let err = minimize(&space, &Config::default(), Some(&[2.0, 0.0]), &mut obj, &c).unwrap_err();
        assert!(err.to_string().contains("outside"), "{err}");
    }

    #[test]
    fn every_local_method_polishes_the_answer() {
        let space = boxed(3, -2.0, 2.0);
        let f = |x: &[f64]| (x[0] - 0.3).powi(2) + 2.0 * (x[1] + 0.4).powi(2) + 3.0 * (x[2] - 1.1).powi(2);
        for (method, tol) in [(LocalMethod::Bfgs, 1e-10), (LocalMethod::NelderMead, 1e-8), (LocalMethod::Off, 1e-2)] {
            let out = run(&space, &Config { maxfun: 400, seed: 5, local_method: method, ..Config::default() }, f);
            assert!(out.fun < tol, "{method:?}: {out:?}");
            assert_eq!(out.local_searches == 0, method == LocalMethod::Off);
        }
        assert_eq!(LocalMethod::parse("Nelder_Mead").unwrap(), LocalMethod::NelderMead);
        assert!(LocalMethod::parse("powell").is_err());
    }
}
