//! Simulated annealing of many reads on one GPU: the kernels (`anneal.cu`), their host code
//! (`anneal.rs`) and their CPU-emulation check (`anneal_check.cpp`). The device, NVRTC and the
//! emulation harness come from `backend::cuda`.

mod anneal;

use crate::backend::cuda::guarded;
use crate::control::Control;
use crate::core::{AnnealParams, Engine};
use crate::error::Result;

/// Anneal all reads on the GPU. Returns the final states of the reads that ran, concatenated
/// (`reads × n`) in engine order. Reads not started when the control's deadline passes are
/// skipped, as on the CPU.
pub fn anneal(engine: &Engine, params: &AnnealParams, control: &Control) -> Result<Vec<i8>> {
    guarded(|| anneal::run(engine, params, control))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::cuda::status;
    use crate::core::kernel::Method;
    use crate::core::model::IsingModel;
    use crate::error::Error;

    pub(super) fn ring(n: usize) -> IsingModel {
        let rows: Vec<i64> = (0..n as i64).collect();
        let cols: Vec<i64> = (0..n as i64).map(|i| (i + 1) % n as i64).collect();
        IsingModel::from_edges(n, &rows, &cols, &vec![1.0; n], &vec![0.0; n]).unwrap()
    }

    pub(super) fn params(reads: usize, method: Method) -> AnnealParams {
        let betas = (0..100).map(|k| 0.1 + 0.05 * k as f64).collect();
        AnnealParams {
            betas,
            sweeps_per_beta: 2,
            num_reads: reads,
            seed: 9,
            first_read: 0,
            method,
            initial_states: None,
            randomize_order: false,
        }
    }

    /// Runs the real kernel source on the CPU under the fiber emulation of `anneal_check.cpp`
    /// (Philox known answers, exact Boltzmann distributions, agreement between kernels and
    /// launch shapes). Needs g++; skipped without it.
    #[test]
    #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
    fn kernels_pass_the_cpu_emulation() {
        use crate::backend::cuda::emulate::{assert_passes, Check};
        let check = Check {
            kernel_file: "anneal_emulated.cu",
            kernels: anneal::KERNELS.program().source,
            program: include_str!("anneal_check.cpp"),
        };
        assert_passes(&check, &[]);
    }

    /// NVRTC alone, no device needed: the kernels compile (skipped without NVRTC).
    #[test]
    fn kernels_compile_with_nvrtc() {
        crate::backend::cuda::assert_compiles(anneal::KERNELS.program());
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
