//! The kernels against the CPU engine: bit for bit under the CPU emulation (always, with g++), and
//! on a real GPU when there is one.

use super::super::{engine, Distribution, Linear, Model};
use super::*;
use crate::backend::cuda::status;

fn model(d: usize, student: bool, seed: u64) -> Model {
    // a covariance with correlations, and a redundant asset when d ≥ 3 (rank d − 1)
    let mut cov = vec![0.0; d * d];
    for i in 0..d {
        for j in 0..d {
            cov[i * d + j] = 0.0004
                * (0.3 + 0.7 * (i == j) as u8 as f64)
                * (1.0 + 0.1 * i as f64).sqrt()
                * (1.0 + 0.1 * j as f64).sqrt();
        }
    }
    if d >= 3 {
        for j in 0..d {
            let v = cov[j] + cov[d + j];
            cov[(d - 1) * d + j] = v;
            cov[j * d + d - 1] = v;
        }
        cov[d * d - 1] = cov[0] + 2.0 * cov[1] + cov[d + 1];
    }
    let mean: Vec<f64> = (0..d).map(|i| 0.0003 * i as f64 - 0.001).collect();
    let dist = if student { Distribution::StudentT { dof: 4.5 } } else { Distribution::Normal };
    Model::new(&mean, &cov, 5.0, dist, seed).unwrap()
}

fn weights(d: usize) -> Linear {
    Linear::new(&(0..d).map(|i| 1.0 / d as f64 + 0.01 * i as f64).collect::<Vec<_>>(), d).unwrap()
}

#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
#[test]
fn kernels_match_the_cpu_engine_under_emulation() {
    use crate::backend::cuda::emulate;
    for (d, student, count) in [(7usize, false, 300usize), (5, true, 200), (1, false, 50), (4, true, 64)] {
        let m = model(d, student, 20_251_207 + d as u64);
        let w = weights(d);
        let (losses, x) = engine::simulate(&m, &w, count, true, &Control::new()).unwrap();
        let x = x.unwrap();
        let mut bytes: Vec<u8> = Vec::new();
        let header = [d as u64, m.rank as u64, student as u64, count as u64, 0, m.key[0] as u64, m.key[1] as u64, 1];
        header.iter().for_each(|v| bytes.extend(v.to_le_bytes()));
        let (_, nu, gd, gc) = student_consts(&m);
        [nu, gd, gc].iter().chain(&m.mean_h).chain(&m.rows).for_each(|v| bytes.extend(v.to_le_bytes()));
        m.len.iter().for_each(|v| bytes.extend(v.to_le_bytes()));
        w.weights.iter().chain(&losses).chain(&x).for_each(|v| bytes.extend(v.to_le_bytes()));
        let path = std::env::temp_dir().join(format!("qp-mc-check-{}-{d}.bin", std::process::id()));
        std::fs::write(&path, bytes).unwrap();
        let check = emulate::Check {
            kernel_file: "mc_emulated.cu",
            kernels: KERNELS.program().source,
            program: include_str!("mc_check.cpp"),
        };
        emulate::assert_passes(&check, &[path.as_path()]);
        std::fs::remove_file(&path).ok();
    }
}

fn student_consts(m: &Model) -> (i32, f64, f64, f64) {
    student(m)
}

#[test]
fn kernels_compile_with_nvrtc() {
    crate::backend::cuda::assert_compiles(KERNELS.program());
}

/// Needs a GPU: the device's losses and scenarios are the CPU engine's, bit for bit, across
/// several launches.
#[test]
fn gpu_matches_the_cpu_engine() {
    if !status().available {
        println!("no GPU: skipped");
        return;
    }
    for student in [false, true] {
        let m = model(20, student, 77);
        let w = weights(20);
        let n = LAUNCH + 12_345;
        let (cpu, _) = engine::simulate(&m, &w, n, false, &Control::new()).unwrap();
        let (gpu, _) = simulate(&m, &w, n, false, &Control::new()).unwrap();
        let same = cpu.iter().zip(&gpu).filter(|(a, b)| a.to_bits() == b.to_bits()).count();
        assert_eq!(same, n, "student={student}: {} of {n} losses differ", n - same);
        let (cpu_l, cpu_x) = engine::simulate(&m, &w, 5000, true, &Control::new()).unwrap();
        let (gpu_l, gpu_x) = simulate(&m, &w, 5000, true, &Control::new()).unwrap();
        assert_eq!(cpu_l, gpu_l);
        assert_eq!(cpu_x, gpu_x);
    }
}
