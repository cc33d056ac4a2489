//! Kernel throughput without Python: `cargo bench --no-default-features --bench kernels`.
//! Prints spin updates per second for single chains at fixed β (hot, critical, cold) and for
//! a full annealing run, on the lattice and SK workloads of `benches/bench_core.py`, and the
//! time of one QAOA expectation. With `--features cuda` and a device, also the time of one QAOA
//! expectation on the GPU at n = 24, 26, 28 against its memory-bandwidth roofline.

use quantumpanarchy::backend::Backend;
use quantumpanarchy::control::Control;
use quantumpanarchy::core::kernel::{Chain, Method};
use quantumpanarchy::core::schedule::Schedule;
use quantumpanarchy::core::{anneal, AnnealParams, Engine, IsingModel};
use quantumpanarchy::decision::qaoa::cost::cost_diagonal;
use quantumpanarchy::decision::qaoa::statevector::Simulator;
use quantumpanarchy::rng::Stream;
use std::time::Instant;

fn lattice(l: usize) -> IsingModel {
    let n = l * l;
    let (mut r, mut c) = (Vec::new(), Vec::new());
    for i in 0..n {
        let (y, x) = (i / l, i % l);
        r.extend([i as i64, i as i64]);
        c.extend([(y * l + (x + 1) % l) as i64, (((y + 1) % l) * l + x) as i64]);
    }
    IsingModel::from_edges(n, &r, &c, &vec![1.0; r.len()], &vec![0.0; n]).unwrap()
}

/// SK couplings ±1/√N (row-major, symmetric, zero diagonal).
fn sk_matrix(n: usize) -> Vec<f64> {
    let mut s = Stream::new(42, 0);
    let mut j = vec![0.0; n * n];
    let scale = 1.0 / (n as f64).sqrt();
    for a in 0..n {
        for b in a + 1..n {
            let w = if s.next_u64() >> 63 == 0 { scale } else { -scale };
            j[a * n + b] = w;
            j[b * n + a] = w;
        }
    }
    j
}

fn sk(n: usize) -> IsingModel {
    IsingModel::from_dense(n, &sk_matrix(n), &vec![0.0; n]).unwrap()
}

/// `KERNELS_CASE` (a substring of a row's label) runs only the matching rows, e.g. for profiling.
fn selected(label: &str) -> bool {
    std::env::var("KERNELS_CASE").map_or(true, |c| label.contains(&c))
}

fn fixed_beta(name: &str, model: &IsingModel, beta: f64, method: Method, sweeps: usize) {
    if !selected(&format!("{name} beta={beta} {}", method.name())) {
        return;
    }
    let engine = Engine::new(model);
    let mut chain = Chain::random(&engine, &mut Stream::new(1, 0));
    chain.sweep(&engine, beta, method, sweeps / 10 + 1);
    let t = Instant::now();
    let flips = chain.sweep(&engine, beta, method, sweeps);
    let dt = t.elapsed().as_secs_f64();
    let updates = (model.n() * sweeps) as f64;
    println!(
        "{name:<28} beta={beta:<5} {:<10} {:>8.1} M updates/s  (acceptance {:.3})",
        method.name(),
        updates / dt / 1e6,
        flips as f64 / updates
    );
}

/// Annealing throughput on one thread and on all of them (`threads = 0`).
fn annealing(name: &str, model: &IsingModel, beta_max: f64, sweeps: usize, reads: usize, threads: usize) {
    if !selected(&format!("{name} anneal {reads} reads")) {
        return;
    }
    let engine = Engine::new(model);
    let params = AnnealParams {
        betas: Schedule::from_beta_range(0.1, beta_max, sweeps, "geometric").unwrap().betas().to_vec(),
        sweeps_per_beta: 1,
        num_reads: reads,
        seed: 1234,
        first_read: 0,
        method: Method::Metropolis,
        initial_states: None,
        randomize_order: false,
    };
    quantumpanarchy::parallel::set_num_threads(threads).unwrap();
    let t = Instant::now();
    let out = anneal(model, &engine, &params, Backend::Cpu, &Control::new(), None).unwrap();
    let dt = t.elapsed().as_secs_f64();
    let best = out.energies.iter().cloned().fold(f64::INFINITY, f64::min) / model.n() as f64;
    println!(
        "{name:<28} anneal {reads:>2} reads, {} threads {:>8.1} M updates/s  best {best:.4}/spin",
        quantumpanarchy::parallel::num_threads(),
        (model.n() * sweeps * reads) as f64 / dt / 1e6
    );
}

/// One QAOA expectation on `n` qubits at depth 2 (the SK couplings as Q), with one thread and
/// all of them.
fn qaoa(n: usize) {
    if !selected(&format!("qaoa n={n}")) {
        return;
    }
    let cost = cost_diagonal(&sk_matrix(n), n).unwrap();
    let mut sim = Simulator::new(&cost[..]).unwrap();
    let (gammas, betas) = ([0.1, 0.2], [0.3, 0.4]);
    for threads in [1, 0] {
        quantumpanarchy::parallel::set_num_threads(threads).unwrap();
        sim.expectation(&gammas, &betas).unwrap();
        let reps = scale(10);
        let t = Instant::now();
        for _ in 0..reps {
            sim.expectation(&gammas, &betas).unwrap();
        }
        println!(
            "qaoa n={n} p=2 expectation, {} threads {:>8.2} ms",
            quantumpanarchy::parallel::num_threads(),
            t.elapsed().as_secs_f64() * 1e3 / reps as f64
        );
    }
}

/// One QAOA expectation on the GPU, the workload of [`qaoa`] (depth 2, SK couplings as Q): ms per
/// evaluation, and the bytes it moves (qaoa.cu's count) per second against the device's peak
/// memory bandwidth; "x roofline" is the time over the time those bytes take at the peak.
#[cfg(feature = "cuda")]
fn qaoa_cuda(n: usize) {
    use quantumpanarchy::decision::qaoa::cuda::{qaoa_bytes_per_evaluation, QaoaSimulator};
    if !selected(&format!("qaoa cuda n={n}")) {
        return;
    }
    let status = quantumpanarchy::backend::cuda_status();
    if !status.available {
        println!("qaoa cuda n={n}: skipped ({})", status.reason);
        return;
    }
    let cost = cost_diagonal(&sk_matrix(n), n).unwrap();
    let mut sim = match QaoaSimulator::new(&cost) {
        Ok(sim) => sim,
        Err(e) => {
            println!("qaoa cuda n={n}: skipped ({e})");
            return;
        }
    };
    let (gammas, betas) = ([0.1, 0.2], [0.3, 0.4]);
    sim.expectation(&gammas, &betas).unwrap();
    let reps = scale(20);
    let t = Instant::now();
    for _ in 0..reps {
        sim.expectation(&gammas, &betas).unwrap();
    }
    let secs = t.elapsed().as_secs_f64() / reps as f64;
    let achieved = qaoa_bytes_per_evaluation(n, gammas.len()) as f64 / secs;
    let roofline = match sim.peak_bandwidth() {
        Some(peak) => format!("peak {:>6.0} GB/s, {:.2}x roofline", peak / 1e9, peak / achieved),
        None => "peak bandwidth not reported".into(),
    };
    println!("qaoa cuda n={n} p=2 expectation {:>8.2} ms  {:>6.0} GB/s moved, {roofline}", secs * 1e3, achieved / 1e9);
}

/// `KERNELS_SCALE` (default 1) scales every sweep count, e.g. 0.05 for a run under callgrind,
/// whose instruction counts do not depend on what else the machine is doing.
fn scale(sweeps: usize) -> usize {
    let s: f64 = std::env::var("KERNELS_SCALE").ok().and_then(|v| v.parse().ok()).unwrap_or(1.0);
    ((sweeps as f64 * s) as usize).max(1)
}

fn main() {
    let lat = lattice(64);
    let skm = sk(1024);
    for beta in [0.1, 0.44, 3.0] {
        fixed_beta("lattice L=64", &lat, beta, Method::Metropolis, scale(2000));
        fixed_beta("lattice L=64", &lat, beta, Method::Gibbs, scale(2000));
    }
    for beta in [0.1, 1.0, 10.0] {
        fixed_beta("SK N=1024", &skm, beta, Method::Metropolis, scale(200));
    }
    let big = lattice(512);
    for threads in [1, 0] {
        annealing("lattice L=64", &lat, 3.0, scale(1000), 10, threads);
        annealing("lattice L=64", &lat, 3.0, scale(1000), 16, threads);
        annealing("SK N=1024", &skm, 10.0, scale(1000), 10, threads);
        annealing("lattice L=512", &big, 3.0, scale(100), 4, threads);
    }
    qaoa(20);
    qaoa(22);
    #[cfg(feature = "cuda")]
    for n in [24, 26, 28] {
        qaoa_cuda(n);
    }
}
