//! The CUDA backend: simulated annealing of many reads on one GPU (`kernels.cu`) and the QAOA
//! statevector simulator (`qaoa.cu`), with kernels compiled at run time by NVRTC.
//!
//! cudarc loads libcuda and libnvrtc on first use and *panics* when they are missing, so every
//! entry point runs under [`guard`], which turns a panic into an error message: without a driver
//! this backend reports itself unavailable and never takes the process down.

mod anneal;
mod device;
mod module;
mod qaoa;

pub use qaoa::{qaoa_bytes_per_evaluation, QaoaSimulator};

use crate::backend::CudaStatus;
use crate::control::Control;
use crate::core::{AnnealParams, Engine};
use crate::error::{Error, Result};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, OnceLock};

/// Cached probe: driver loaded? devices (name, memory, compute capability, SM count)? NVRTC?
pub fn status() -> CudaStatus {
    static STATUS: OnceLock<CudaStatus> = OnceLock::new();
    STATUS.get_or_init(device::probe).clone()
}

/// Anneal all reads on the GPU. Returns the final states of the reads that ran, concatenated
/// (`reads × n`) in engine order. Reads not started when the control's deadline passes are
/// skipped, as on the CPU.
pub fn anneal(engine: &Engine, params: &AnnealParams, control: &Control) -> Result<Vec<i8>> {
    guarded(|| anneal::run(engine, params, control))
}

/// Run a fallible entry point under [`guard`]: a panic becomes `Error::Internal`.
fn guarded<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    guard(f).unwrap_or_else(|msg| Err(Error::Internal(format!("the CUDA backend panicked: {msg}"))))
}

/// Run `f`, turning a panic (cudarc's loader panics when a library or symbol is missing) into
/// `Err(message)`.
fn guard<T>(f: impl FnOnce() -> T) -> std::result::Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into())
    })
}

/// [`guard`] that also keeps this thread's panic message off stderr: a missing driver is an
/// expected condition, reported through the status, not a crash report. Panics of other threads
/// in the meantime still reach the previous hook.
fn guard_quiet<T>(f: impl FnOnce() -> T) -> std::result::Result<T, String> {
    let me = std::thread::current().id();
    let previous = Arc::new(std::panic::take_hook());
    let forward = Arc::clone(&previous);
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().id() != me {
            forward(info);
        }
    }));
    let result = guard(f);
    drop(std::panic::take_hook());
    match Arc::try_unwrap(previous) {
        Ok(hook) => std::panic::set_hook(hook),
        Err(shared) => std::panic::set_hook(Box::new(move |info| shared(info))),
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::kernel::Method;
    use crate::core::model::IsingModel;

    #[test]
    fn status_is_cached_and_explains_itself() {
        let a = status();
        assert_eq!(a, status());
        assert!(!a.reason.is_empty());
        if a.available {
            assert!(!a.devices.is_empty());
        } else {
            println!("CUDA unavailable: {}", a.reason);
        }
    }

    #[test]
    fn guard_turns_panics_into_messages() {
        assert_eq!(guard(|| 3), Ok(3));
        let err = guard_quiet(|| -> i32 { panic!("no libcuda here") });
        assert_eq!(err, Err("no libcuda here".to_string()));
        assert_eq!(guard_quiet(|| 4), Ok(4));
    }

    fn ring(n: usize) -> IsingModel {
        let rows: Vec<i64> = (0..n as i64).collect();
        let cols: Vec<i64> = (0..n as i64).map(|i| (i + 1) % n as i64).collect();
        IsingModel::from_edges(n, &rows, &cols, &vec![1.0; n], &vec![0.0; n]).unwrap()
    }

    fn params(reads: usize, method: Method) -> AnnealParams {
        let betas = (0..100).map(|k| 0.1 + 0.05 * k as f64).collect();
        AnnealParams {
            betas,
            sweeps_per_beta: 2,
            num_reads: reads,
            seed: 9,
            method,
            initial_states: None,
            randomize_order: false,
        }
    }

    /// Builds the CPU check `check` (a C++ file that includes `emulator.h` and `kernel_file`) with
    /// g++, `kernel_file` being `kernels` with `extern __shared__` made `extern` (the checks give
    /// dynamic shared memory a plain global array), and runs it with `args`. Returns its report
    /// and whether it passed, or `None` without g++.
    #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
    pub(super) fn emulate(
        check: &str,
        kernel_file: &str,
        kernels: &str,
        args: &[&std::path::Path],
    ) -> Option<(String, bool)> {
        use std::process::Command;
        let name = kernel_file.trim_end_matches(".cu");
        let dir = std::env::temp_dir().join(format!("quantumpanarchy-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(kernel_file), kernels.replace("extern __shared__", "extern")).unwrap();
        std::fs::write(dir.join("emulator.h"), include_str!("emulator.h")).unwrap();
        std::fs::write(dir.join("check.cpp"), check).unwrap();
        let exe = dir.join("check");
        let built = Command::new("g++")
            .args(["-std=c++17", "-O2", "-Wno-unknown-pragmas", "-o"])
            .arg(&exe)
            .arg(dir.join("check.cpp"))
            .output();
        let Ok(built) = built else {
            println!("g++ not found: kernel emulation skipped");
            return None;
        };
        assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
        let ran = Command::new(&exe).args(args).output().unwrap();
        std::fs::remove_dir_all(&dir).ok();
        let report = format!("{}{}", String::from_utf8_lossy(&ran.stdout), String::from_utf8_lossy(&ran.stderr));
        Some((report, ran.status.success()))
    }

    /// Runs the real kernel source on the CPU under the fiber emulation of `kernel_check.cpp`
    /// (Philox known answers, exact Boltzmann distributions, agreement between kernels and
    /// launch shapes). Needs g++; skipped without it.
    #[test]
    #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
    fn kernels_pass_the_cpu_emulation() {
        if let Some((report, passed)) =
            emulate(include_str!("kernel_check.cpp"), "kernels_emulated.cu", module::KERNELS, &[])
        {
            println!("{report}");
            assert!(passed, "{report}");
        }
    }

    #[test]
    fn anneal_without_a_device_is_unavailable_not_a_panic() {
        if status().available {
            return;
        }
        let model = ring(16);
        let engine = Engine::new(&model);
        let err = anneal(&engine, &params(2, Method::Gibbs), &Control::new()).unwrap_err();
        assert!(matches!(err, Error::BackendUnavailable(_)), "{err:?}");
    }

    /// Needs a GPU: the kernels compile, a ferromagnetic ring and a dense model reach their ground
    /// states, and the same seed gives the same states.
    #[test]
    fn gpu_anneals_to_ground_states() {
        if !status().available {
            return;
        }
        let sparse = ring(64);
        let n = 40;
        let mut j = vec![0.0; n * n];
        for a in 0..n {
            for b in 0..n {
                if a != b {
                    j[a * n + b] = 1.0 / n as f64;
                }
            }
        }
        let dense = IsingModel::from_dense(n, &j, &vec![0.0; n]).unwrap();
        assert!(dense.is_dense());
        for (model, ground) in [(&sparse, -64.0), (&dense, -0.5 * (n - 1) as f64)] {
            let engine = Engine::new(model);
            for method in [Method::Metropolis, Method::Gibbs] {
                let p = params(8, method);
                let control = Control::new();
                let a = anneal(&engine, &p, &control).unwrap();
                assert_eq!(a.len(), 8 * model.n());
                assert_eq!(control.progress().0, p.total_sweeps());
                assert_eq!(a, anneal(&engine, &p, &Control::new()).unwrap());
                let best = a
                    .chunks(model.n())
                    .map(|s| {
                        let mut m = vec![0i8; model.n()];
                        engine.to_model(s, &mut m);
                        model.energy(&m)
                    })
                    .fold(f64::INFINITY, f64::min);
                assert!(best <= ground + 1e-9, "{method:?}: best {best}, ground {ground}");
            }
        }
    }

    /// Needs a GPU: every launch mode gives the same states as the default one, bit for bit
    /// (same random numbers per (sweep, spin, read), same summation order).
    #[test]
    fn gpu_modes_agree() {
        use anneal::Mode;
        if !status().available {
            return;
        }
        let ring = ring(200);
        let n = 70;
        let j: Vec<f64> =
            (0..n * n).map(|k| if k / n == k % n { 0.0 } else { ((k / n + k % n) % 7) as f64 / 8.0 - 0.4 }).collect();
        let dense = IsingModel::from_dense(n, &j, &vec![0.1; n]).unwrap();
        let cases = [
            (ring, vec![Mode::SparseBlock { shared: true }, Mode::SparseBlock { shared: false }, Mode::SparseClass]),
            (dense, vec![Mode::DenseBlock { shared: true }, Mode::DenseBlock { shared: false }]),
        ];
        for (model, modes) in cases {
            let engine = Engine::new(&model);
            let p = params(5, Method::Gibbs);
            let reference = anneal(&engine, &p, &Control::new()).unwrap();
            for mode in modes {
                let got = anneal::run_with(&engine, &p, &Control::new(), Some(mode)).unwrap();
                assert_eq!(got, reference, "{mode:?}");
            }
        }
    }

    #[test]
    fn cancelled_runs_report_interrupted() {
        if !status().available {
            return;
        }
        let model = ring(32);
        let engine = Engine::new(&model);
        let control = Control::new();
        control.cancel();
        assert_eq!(anneal(&engine, &params(2, Method::Gibbs), &control), Err(Error::Interrupted));
    }
}
