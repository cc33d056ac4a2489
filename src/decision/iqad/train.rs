//! Contrastive divergence (CD-k) and persistent CD for the Gaussian–Bernoulli RBM, one
//! minibatch at a time, with momentum and L2 weight decay (Hinton's practical guide, §§5, 9, 10).
//!
//! A minibatch is cut into chunks of [`CHUNK`] rows. Each chunk draws its p-bit uniforms from its
//! own stream, numbered by (step, chunk), and returns its partial sums; the partial sums are added
//! in chunk order. The chunks are the same whatever the number of threads, so the update is
//! bit-identical on 1 or 64 threads.

use super::rbm::{gaussian_pair, pbit, sigmoid, Rbm};
use crate::control::Control;
use crate::error::Result;
use crate::rng::Stream;
use rayon::prelude::*;

/// Rows per work unit (data rows, and persistent chains).
pub const CHUNK: usize = 16;
/// Below this many multiply-adds a step runs its chunks on the calling thread (same result).
const PAR_WORK: usize = 1 << 16;
/// Chunks whose partial sums are held at once: a large minibatch is reduced group by group (in
/// chunk order, so the sums are the same), which bounds the memory to this many d×m buffers.
const GROUP_CHUNKS: usize = 64;

/// Stream kinds, in the top two bits of a stream id.
#[derive(Debug, Clone, Copy)]
pub enum StreamKind {
    /// A minibatch chunk: the value is `step << 20 | chunk`.
    Step = 0,
    /// An epoch's shuffle: the value is the epoch.
    Shuffle = 1,
    /// Weight initialisation and the persistent chains' starting rows.
    Init = 2,
}

/// Stream `value` of `kind` for `seed`.
pub fn stream(seed: u64, kind: StreamKind, value: u64) -> Stream {
    Stream::new(seed, ((kind as u64) << 62) | (value & ((1u64 << 62) - 1)))
}

/// Most chunks one step may have (the stream id holds the chunk in 20 bits).
pub const MAX_CHUNKS: usize = 1 << 20;

/// The learning hyper-parameters a step needs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepParams {
    pub learning_rate: f64,
    pub momentum: f64,
    pub l2: f64,
    pub cd_steps: usize,
}

/// One work unit of a step: its number, its data rows and its persistent chains (either may be
/// absent).
type Task<'a> = (usize, Option<&'a [f64]>, Option<&'a mut [f64]>);

/// Momentum ("velocity") of every parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Velocity {
    pub weights: Vec<f64>,
    pub visible_bias: Vec<f64>,
    pub hidden_bias: Vec<f64>,
}

impl Velocity {
    pub fn zeros(rbm: &Rbm) -> Self {
        Self {
            weights: vec![0.0; rbm.weights.len()],
            visible_bias: vec![0.0; rbm.n_visible],
            hidden_bias: vec![0.0; rbm.n_hidden],
        }
    }
}

/// One chunk's contribution: ⟨·⟩_data − ⟨·⟩_model terms already divided by their row counts.
struct Partial {
    /// Σ v_i p_j (data) / n_data − Σ v_i p_j (model) / n_model.
    w: Vec<f64>,
    /// Σ v (data) / n_data − Σ v (model) / n_model.
    b: Vec<f64>,
    /// Σ p (data) / n_data − Σ p (model) / n_model.
    c: Vec<f64>,
    /// Σ over the data rows of |v − reconstruction|².
    sq_error: f64,
}

impl Partial {
    fn new(d: usize, m: usize) -> Self {
        Self { w: vec![0.0; d * m], b: vec![0.0; d], c: vec![0.0; m], sq_error: 0.0 }
    }

    /// Adds weight·(v pᵀ, v, p).
    fn add(&mut self, v: &[f64], p: &[f64], weight: f64) {
        let m = p.len();
        for ((row, vi), bi) in self.w.chunks_exact_mut(m).zip(v).zip(self.b.iter_mut()) {
            let a = weight * vi;
            row.iter_mut().zip(p).for_each(|(o, p)| *o += a * p);
            *bi += a;
        }
        self.c.iter_mut().zip(p).for_each(|(o, p)| *o += weight * p);
    }

    fn merge(&mut self, other: &Self) {
        for (a, b) in [(&mut self.w, &other.w), (&mut self.b, &other.b), (&mut self.c, &other.c)] {
            a.iter_mut().zip(b).for_each(|(a, b)| *a += b);
        }
        self.sq_error += other.sq_error;
    }
}

/// Scratch vectors for one chain.
struct Scratch {
    x: Vec<f64>,
    p: Vec<f64>,
    h: Vec<f64>,
    v: Vec<f64>,
}

impl Scratch {
    fn new(d: usize, m: usize) -> Self {
        Self { x: vec![0.0; m], p: vec![0.0; m], h: vec![0.0; m], v: vec![0.0; d] }
    }
}

fn sample_hidden(x: &[f64], h: &mut [f64], stream: &mut Stream) {
    h.iter_mut().zip(x).for_each(|(h, &x)| *h = pbit(x, stream.next_f64()));
}

fn probabilities(x: &[f64], p: &mut [f64]) {
    p.iter_mut().zip(x).for_each(|(p, &x)| *p = sigmoid(x));
}

/// The data rows of one chunk: positive statistics, the one-step reconstruction error and, for
/// CD-k, the negative statistics of a k-step chain started at the row (mean-field visible
/// reconstructions, as the guide recommends for Gaussian visible units).
fn data_chunk(
    rbm: &Rbm,
    rows: &[f64],
    cd: Option<usize>,
    w_data: f64,
    out: &mut Partial,
    stream: &mut Stream,
    control: &Control,
) -> Result<()> {
    let (d, m) = (rbm.n_visible, rbm.n_hidden);
    let mut s = Scratch::new(d, m);
    for v0 in rows.chunks_exact(d) {
        rbm.hidden_input(v0, &mut s.x);
        probabilities(&s.x, &mut s.p);
        out.add(v0, &s.p, w_data);
        sample_hidden(&s.x, &mut s.h, stream);
        rbm.visible_mean(&s.h, &mut s.v);
        out.sq_error += v0.iter().zip(&s.v).map(|(a, b)| (a - b) * (a - b)).sum::<f64>();
        if let Some(k) = cd {
            for step in 1..=k {
                // a Gibbs step is O(d·m): checking each one keeps a huge cd_steps interruptible
                control.check()?;
                if step > 1 {
                    sample_hidden(&s.x, &mut s.h, stream);
                    rbm.visible_mean(&s.h, &mut s.v);
                }
                rbm.hidden_input(&s.v, &mut s.x);
            }
            probabilities(&s.x, &mut s.p);
            out.add(&s.v, &s.p, -w_data);
        }
    }
    Ok(())
}

/// Persistent chains of one chunk: k full Gibbs steps each (visible units sampled with their
/// Gaussian noise, so each chain is a proper Markov chain of the model), negative statistics
/// from where they end.
fn chain_chunk(
    rbm: &Rbm,
    chains: &mut [f64],
    k: usize,
    w_model: f64,
    out: &mut Partial,
    stream: &mut Stream,
    control: &Control,
) -> Result<()> {
    let (d, m) = (rbm.n_visible, rbm.n_hidden);
    let mut s = Scratch::new(d, m);
    for v in chains.chunks_exact_mut(d) {
        rbm.hidden_input(v, &mut s.x);
        for _ in 0..k {
            control.check()?;
            sample_hidden(&s.x, &mut s.h, stream);
            rbm.visible_mean(&s.h, v);
            for pair in v.chunks_mut(2) {
                let (a, b) = gaussian_pair(stream);
                pair[0] += rbm.sigma * a;
                if let Some(x) = pair.get_mut(1) {
                    *x += rbm.sigma * b;
                }
            }
            rbm.hidden_input(v, &mut s.x);
        }
        probabilities(&s.x, &mut s.p);
        out.add(v, &s.p, -w_model);
    }
    Ok(())
}

/// One gradient step on `batch` (row-major rows of the visible layer): CD-k when `chains` is
/// `None`, persistent CD with those chains (updated in place) otherwise. Returns the summed
/// squared one-step reconstruction error of the batch. Draws come from the streams of `step`.
/// `Err(Interrupted)` (the model unchanged) once `control` is cancelled.
#[allow(clippy::too_many_arguments)]
pub fn step(
    rbm: &mut Rbm,
    velocity: &mut Velocity,
    chains: Option<&mut [f64]>,
    batch: &[f64],
    params: &StepParams,
    seed: u64,
    step: u64,
    control: &Control,
) -> Result<f64> {
    let (d, m) = (rbm.n_visible, rbm.n_hidden);
    let n_data = batch.len() / d;
    if n_data == 0 {
        return Ok(0.0);
    }
    let n_chains = chains.as_ref().map_or(0, |c| c.len() / d);
    let w_data = 1.0 / n_data as f64;
    let w_model = if n_chains > 0 { 1.0 / n_chains as f64 } else { w_data };
    let cd = if chains.is_some() { None } else { Some(params.cd_steps) };
    let mut tasks: Vec<Task<'_>> = Vec::new();
    let mut data = batch.chunks(CHUNK * d);
    let mut chain_it = chains.into_iter().flat_map(|c| c.chunks_mut(CHUNK * d));
    for k in 0.. {
        match (data.next(), chain_it.next()) {
            (None, None) => break,
            (rows, ch) => tasks.push((k, rows, ch)),
        }
    }
    let model: &Rbm = rbm;
    let run = |(k, rows, ch): Task<'_>| {
        let mut out = Partial::new(d, m);
        let mut s = stream(seed, StreamKind::Step, (step << 20) | k as u64);
        if let Some(rows) = rows {
            data_chunk(model, rows, cd, w_data, &mut out, &mut s, control)?;
        }
        if let Some(ch) = ch {
            chain_chunk(model, ch, params.cd_steps, w_model, &mut out, &mut s, control)?;
        }
        Ok(out)
    };
    let work = (n_data + n_chains).saturating_mul(d * m).saturating_mul(params.cd_steps.saturating_add(2));
    let serial = work < PAR_WORK || tasks.len() == 1;
    let mut total = Partial::new(d, m);
    let mut tasks = tasks.into_iter();
    loop {
        let group: Vec<Task<'_>> = tasks.by_ref().take(GROUP_CHUNKS).collect();
        if group.is_empty() {
            break;
        }
        let partials: Vec<Partial> = if serial {
            group.into_iter().map(run).collect::<Result<_>>()?
        } else {
            group.into_par_iter().map(run).collect::<Result<_>>()?
        };
        partials.iter().for_each(|p| total.merge(p));
    }
    apply(rbm, velocity, &total, params);
    Ok(total.sq_error)
}

/// Momentum update: Δθ ← μΔθ + ε(∇θ − λθ for weights), θ ← θ + Δθ.
fn apply(rbm: &mut Rbm, vel: &mut Velocity, g: &Partial, p: &StepParams) {
    let (mu, lr) = (p.momentum, p.learning_rate);
    let inv_sigma = 1.0 / rbm.sigma;
    let inv_var = inv_sigma * inv_sigma;
    for ((w, dw), g) in rbm.weights.iter_mut().zip(vel.weights.iter_mut()).zip(&g.w) {
        *dw = mu * *dw + lr * (g * inv_sigma - p.l2 * *w);
        *w += *dw;
    }
    for ((b, db), g) in rbm.visible_bias.iter_mut().zip(vel.visible_bias.iter_mut()).zip(&g.b) {
        *db = mu * *db + lr * g * inv_var;
        *b += *db;
    }
    for ((c, dc), g) in rbm.hidden_bias.iter_mut().zip(vel.hidden_bias.iter_mut()).zip(&g.c) {
        *dc = mu * *dc + lr * g;
        *c += *dc;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy(seed: u64) -> (Rbm, Vec<f64>) {
        let mut s = Stream::new(seed, 0);
        let rbm = Rbm::init(6, 0.5, vec![0.0; 4], &mut s);
        let batch: Vec<f64> = (0..4 * 50).map(|_| s.next_f64() * 2.0 - 1.0).collect();
        (rbm, batch)
    }

    const P: StepParams = StepParams { learning_rate: 0.01, momentum: 0.5, l2: 1e-4, cd_steps: 2 };

    #[test]
    fn a_step_is_the_same_on_any_thread_count() {
        for persistent in [false, true] {
            let mut results = Vec::new();
            for threads in [1, 3] {
                let (mut rbm, batch) = toy(1);
                let mut vel = Velocity::zeros(&rbm);
                let mut chains = batch[..4 * 40].to_vec();
                let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
                let err = pool.install(|| {
                    let ch = persistent.then_some(chains.as_mut_slice());
                    step(&mut rbm, &mut vel, ch, &batch, &P, 7, 3, &Control::new()).unwrap()
                });
                results.push((rbm, vel.weights, chains, err));
            }
            assert_eq!(results[0], results[1]);
        }
    }

    /// The CD-1 visible-bias update from zero momentum is ε/σ²·(mean(v0) − mean(v1)), v1 the
    /// mean-field reconstruction from the hidden p-bits drawn with the step's own streams.
    #[test]
    #[allow(clippy::needless_range_loop)] // index loops mirror the update's formula
    fn visible_bias_update_is_the_cd_difference() {
        let (mut rbm, batch) = toy(2);
        let before = rbm.clone();
        let mut vel = Velocity::zeros(&rbm);
        let params = StepParams { cd_steps: 1, momentum: 0.0, ..P };
        step(&mut rbm, &mut vel, None, &batch, &params, 3, 0, &Control::new()).unwrap();
        // recompute the reconstructions with the same streams
        let (d, m) = (4, 6);
        let mut mean_diff = [0.0; 4];
        for (k, rows) in batch.chunks(CHUNK * d).enumerate() {
            let mut s = stream(3, StreamKind::Step, k as u64);
            let mut x = vec![0.0; m];
            let mut h = vec![0.0; m];
            let mut v = vec![0.0; d];
            for v0 in rows.chunks_exact(d) {
                before.hidden_input(v0, &mut x);
                sample_hidden(&x, &mut h, &mut s);
                before.visible_mean(&h, &mut v);
                for i in 0..d {
                    mean_diff[i] += (v0[i] - v[i]) / 50.0;
                }
            }
        }
        for i in 0..d {
            let want = before.visible_bias[i] + 0.01 * mean_diff[i] / 0.25;
            assert!((rbm.visible_bias[i] - want).abs() < 1e-12);
        }
    }

    #[test]
    fn training_lowers_the_free_energy_of_the_data() {
        // two clusters; CD should make their rows more probable than far-away points
        let mut s = Stream::new(5, 0);
        let d = 3;
        let data: Vec<f64> = (0..400)
            .flat_map(|r| {
                let centre = if r % 2 == 0 { 1.0 } else { -1.0 };
                (0..d).map(|_| centre + 0.3 * (s.next_f64() - 0.5)).collect::<Vec<_>>()
            })
            .collect();
        let mut rbm = Rbm::init(8, 0.5, vec![0.0; d], &mut s);
        let mut vel = Velocity::zeros(&rbm);
        let params = StepParams { learning_rate: 0.01, momentum: 0.9, l2: 1e-4, cd_steps: 1 };
        let mut scratch = vec![0.0; 8];
        let gap = |rbm: &Rbm, scratch: &mut [f64]| {
            rbm.free_energy(&[0.0, 0.0, 0.0], scratch) - rbm.free_energy(&[1.0, 1.0, 1.0], scratch)
        };
        let before = gap(&rbm, &mut scratch);
        for t in 0..300 {
            let b = (t % 12) * 32 * d;
            step(&mut rbm, &mut vel, None, &data[b..b + 32 * d], &params, 1, t as u64, &Control::new()).unwrap();
        }
        // untrained, the origin (between the clusters) is the most probable point
        assert!(before < 0.0);
        assert!(gap(&rbm, &mut scratch) > 0.0, "the centre between the clusters should become unlikely");
    }
}
