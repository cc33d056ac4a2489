//! Tests of the device services with the backend's own kernels (`selftest.cu`): the emulation
//! harness, NVRTC compilation, and on a GPU the kernel cell and the launch helpers.

use super::device::device;
use super::program::Target;
use super::*;
use crate::error::Error;

const SELFTEST: Program = Program::new("quantumpanarchy_selftest.cu", include_str!("selftest.cu"));

#[test]
#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
fn selftest_kernels_pass_the_cpu_emulation() {
    let check = emulate::Check {
        kernel_file: "selftest_emulated.cu",
        kernels: SELFTEST.source,
        program: include_str!("selftest_check.cpp"),
    };
    emulate::assert_passes(&check, &[]);
}

/// The harness reports a failing check as failed, with what it printed.
#[test]
#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
fn the_emulation_reports_failures() {
    let program = r#"
        #include "emulator.h"
        alignas(16) double partial[8];
        #include "selftest_emulated.cu"
        int main() {
            double x[4] = {1, 2, 3, 4}, out[1] = {0};
            emu::launch(dim3{1, 1, 1}, dim3{4, 1, 1}, [&] { block_sum(x, 4, out); });
            CHECK(out[0] == 11.0, "sum %g", out[0]);
            return failures ? 1 : 0;
        }
    "#;
    let check = emulate::Check { kernel_file: "selftest_emulated.cu", kernels: SELFTEST.source, program };
    if let Some(report) = emulate::emulate(&check, &[]) {
        assert!(!report.passed, "{}", report.output);
        assert!(report.output.contains("FAIL") && report.output.contains("sum 10"), "{}", report.output);
    }
}

#[test]
fn selftest_compiles_with_nvrtc() {
    assert_compiles(&SELFTEST);
}

/// A compile error is an internal error quoting NVRTC's log (needs NVRTC; skipped without).
#[test]
fn compile_errors_quote_the_log() {
    if nvrtc::library().is_err() {
        println!("NVRTC not found: compile-error check skipped");
        return;
    }
    let broken = Program::new("broken.cu", "extern \"C\" __global__ void f() { undeclared_name = 1; }");
    let err = broken.compile(Target::Ptx(7, 5)).unwrap_err();
    assert!(matches!(&err, Error::Internal(m) if m.contains("broken.cu") && m.contains("undeclared_name")), "{err:?}");
}

/// The selftest's kernels as a domain keeps them.
struct Kernels {
    axpy: CudaFunction,
}

static KERNELS: KernelCell<Kernels> =
    KernelCell::new(SELFTEST, |_, module| Ok(Kernels { axpy: module.function("axpy")? }));

/// Needs a GPU: a kernel cell loads its program once, and grid_1d, allow_shared and the memory
/// report work with real launches.
#[test]
fn gpu_runs_the_selftest_kernels() {
    if !status().available {
        return;
    }
    let kernels = KERNELS.get().unwrap();
    assert!(std::ptr::eq(kernels, KERNELS.get().unwrap()), "the second get made the kernels again");
    let dev = device().unwrap();
    let module = dev.load(&SELFTEST).unwrap();
    assert!(matches!(module.function("no_such_kernel"), Err(Error::Internal(_))));
    let memory = dev.memory().unwrap();
    assert!(memory.free <= memory.total && memory.usable() < memory.free);

    let stream = dev.context().new_stream().unwrap();
    let n = 100_003usize;
    let x: Vec<f64> = (0..n).map(|i| (i % 1000) as f64).collect();
    let y: Vec<f64> = (0..n).map(|i| (i % 7) as f64).collect();
    let x_dev = stream.clone_htod(&x).unwrap();
    let mut y_dev = stream.clone_htod(&y).unwrap();
    let (a, n64) = (3.0f64, n as u64);
    let mut b = stream.launch_builder(&kernels.axpy);
    b.arg(&a).arg(&x_dev).arg(&mut y_dev).arg(&n64);
    // SAFETY: the arguments match `axpy(double, const double*, double*, u64)`; both arrays hold n.
    unsafe { b.launch(grid_1d(n, 256)) }.unwrap();
    let got = stream.clone_dtoh(&y_dev).unwrap();
    assert!(got.iter().enumerate().all(|(i, &v)| v == 3.0 * x[i] + y[i]));

    // block sums with more dynamic shared memory than the default, which needs the opt-in
    let block = 512u32;
    let blocks = n.div_ceil(block as usize);
    let mut out = stream.alloc_zeros::<f64>(blocks).unwrap();
    let sum = module.function("block_sum").unwrap();
    let shared = (64 * 1024).min(dev.max_shared_bytes.saturating_sub(1024));
    allow_shared(&sum, shared).unwrap();
    let cfg = LaunchConfig { shared_mem_bytes: shared as u32, ..grid_1d(n, block) };
    let mut b = stream.launch_builder(&sum);
    b.arg(&x_dev).arg(&n64).arg(&mut out);
    // SAFETY: the arguments match `block_sum(const double*, u64, double*)`; out holds one value per
    // block and the shared memory covers the block's 512 doubles.
    unsafe { b.launch(cfg) }.unwrap();
    let sums = stream.clone_dtoh(&out).unwrap();
    for (k, s) in sums.iter().enumerate() {
        let want: f64 = x[k * block as usize..((k + 1) * block as usize).min(n)].iter().sum();
        assert_eq!(*s, want, "block {k}");
    }
}
