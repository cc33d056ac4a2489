//! Kernel programs: CUDA C source compiled at run time by NVRTC for one device and loaded into its
//! context. Each program is loaded once per process by the [`super::KernelCell`] that holds its
//! kernels (compiling takes a few hundred ms).

use super::device::{Device, Failure};
use super::errors::{describe, driver_error};
use super::nvrtc::{self, Nvrtc, Output};
use crate::error::{Error, Result};
use cudarc::driver::sys::CUresult;
use cudarc::driver::{CudaFunction, CudaModule, DriverError};
use cudarc::nvrtc::Ptx;
use std::sync::Arc;

/// Options every program is compiled with: no flush of denormals to zero and correctly rounded
/// division and square root; C++14. Contraction into fused multiply-adds stays on (NVRTC's default
/// `--fmad=true`), so floating-point results can differ from the CPU reference's in their last
/// bits.
const BASE_OPTIONS: [&str; 4] = ["--ftz=false", "--prec-div=true", "--prec-sqrt=true", "--std=c++14"];

/// A domain's kernels: one CUDA C source, compiled as one module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Program {
    /// The file name NVRTC quotes in its messages.
    pub name: &'static str,
    pub source: &'static str,
    /// NVRTC options besides the base ones and the architecture.
    pub options: &'static [&'static str],
}

/// What to compile a program for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Target {
    /// Machine code for compute capability (major, minor): the driver loads it as it is, also
    /// when NVRTC is of a later minor release than the driver.
    Cubin(i32, i32),
    /// PTX for compute capability (major, minor) and later ones: the driver compiles it for the
    /// device when loading it, which needs a driver at least as new as NVRTC.
    Ptx(i32, i32),
}

impl Target {
    /// What to compile for a device of compute capability `device` with `nvrtc`, which compiles
    /// for `archs` (10 × major + minor, ascending): machine code for the device where NVRTC knows
    /// it; else PTX for the newest architecture NVRTC knows below the device (the newest of all
    /// for a device newer than NVRTC), which the driver compiles forward. A device older than
    /// every architecture NVRTC knows is `BackendUnavailable`, with the NVRTC that would do.
    fn choose(device: (i32, i32), archs: &[i32], nvrtc: &str) -> Result<Self> {
        let (major, minor) = device;
        let arch = 10 * major + minor;
        if archs.contains(&arch) {
            return Ok(Self::Cubin(major, minor));
        }
        if let Some(&below) = archs.iter().rev().find(|&&a| a < arch) {
            return Ok(Self::Ptx(below / 10, below % 10));
        }
        let oldest = archs.first().map_or_else(|| "no architecture".into(), |a| format!("{}.{}", a / 10, a % 10));
        Err(Error::BackendUnavailable(format!(
            "CUDA backend unavailable: {nvrtc} compiles for compute capability {oldest} and newer, and device 0 \
             has compute capability {major}.{minor}: {}",
            older_nvrtc(arch)
        )))
    }
}

/// The oldest architecture each NVRTC major version this backend can open compiles for.
const OLDEST_ARCH: [(i32, i32); 3] = [(13, 75), (12, 50), (11, 35)];

/// Advice for a device of architecture `arch` (10 × major + minor) that the NVRTC found is too new
/// for: the newest NVRTC that still compiles for it. The search prefers the NVRTC matching the
/// driver's version (`nvrtc.rs`), so a newer one must go for an older one to be used.
fn older_nvrtc(arch: i32) -> String {
    match OLDEST_ARCH.iter().find(|&&(_, oldest)| oldest <= arch) {
        Some((12, _)) => "NVRTC 12 compiles for it: install it (`pip install \"quantumpanarchy[cuda12]\"`) and \
                          remove the newer NVRTC, which the search prefers while it is there (pip's: `pip uninstall \
                          nvidia-cuda-nvrtc`)"
            .into(),
        Some((major, _)) => format!(
            "NVRTC {major} compiles for it: put the lib directory of a CUDA {major} toolkit (libnvrtc.so.{major}*) \
             on the loader path and remove the newer NVRTC from it"
        ),
        None => "no NVRTC this backend can use (CUDA 11.2 and newer) compiles for it".into(),
    }
}

/// A compiled program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Compiled {
    Cubin(Vec<u8>),
    Ptx(String),
}

impl Program {
    pub const fn new(name: &'static str, source: &'static str) -> Self {
        Self { name, source, options: &[] }
    }

    pub const fn with_options(self, options: &'static [&'static str]) -> Self {
        Self { options, ..self }
    }

    /// The full NVRTC option list for `target`.
    fn options(&self, target: Target) -> Vec<String> {
        let arch = match target {
            Target::Cubin(major, minor) => format!("--gpu-architecture=sm_{major}{minor}"),
            Target::Ptx(major, minor) => format!("--gpu-architecture=compute_{major}{minor}"),
        };
        std::iter::once(arch).chain(BASE_OPTIONS.iter().chain(self.options).map(|o| o.to_string())).collect()
    }

    /// For tests: compiles for `target` with NVRTC alone (no device needed). `BackendUnavailable`
    /// without NVRTC; a compile error is `Internal` with NVRTC's log.
    #[cfg(test)]
    pub(super) fn compile(&self, target: Target) -> Result<Compiled> {
        self.compile_with(nvrtc()?, target)
    }

    fn compile_with(&self, nvrtc: &Nvrtc, target: Target) -> Result<Compiled> {
        let output = if matches!(target, Target::Cubin(..)) { Output::Cubin } else { Output::Ptx };
        let bytes = nvrtc
            .compile(self.source, self.name, &self.options(target), output)
            .map_err(|log| Error::Internal(format!("{} cannot compile {log}", nvrtc.label())))?;
        Ok(match output {
            Output::Cubin => Compiled::Cubin(bytes),
            Output::Ptx => Compiled::Ptx(String::from_utf8_lossy(&bytes).into_owned()),
        })
    }
}

/// A program loaded on a device: look its kernels up by name.
#[derive(Debug, Clone)]
pub struct Module {
    name: &'static str,
    module: Arc<CudaModule>,
}

impl Module {
    /// The kernel `name` (an `extern "C" __global__` function of the program).
    pub fn function(&self, name: &str) -> Result<CudaFunction> {
        self.module
            .load_function(name)
            .map_err(|e| Error::Internal(format!("kernel {name} missing from {}: {}", self.name, describe(e))))
    }
}

/// NVRTC, or `BackendUnavailable` saying why it cannot be opened.
fn nvrtc() -> Result<&'static Nvrtc> {
    nvrtc::library()
        .map_err(|why| Error::BackendUnavailable(format!("CUDA backend unavailable: NVRTC not found ({why})")))
}

/// `program` compiled for `device` ([`Target::choose`]) and loaded into its context. A compile
/// error of our source is `Internal`; code the driver rejects is `BackendUnavailable` with what to
/// change (the driver or NVRTC); these recur, as does a missing NVRTC. Other driver errors are
/// mapped by [`driver_error`] and may pass (out of memory is `ResourceLimit`).
pub(super) fn load(device: &Device, program: &Program) -> std::result::Result<Module, Failure> {
    let nvrtc = nvrtc().map_err(Failure::Lasting)?;
    let target = Target::choose(device.compute_capability, nvrtc.archs(), &nvrtc.label()).map_err(Failure::Lasting)?;
    let image = match program.compile_with(nvrtc, target).map_err(Failure::Lasting)? {
        Compiled::Cubin(bytes) => Ptx::from_binary(bytes),
        Compiled::Ptx(text) => Ptx::from_src(text),
    };
    let module = device
        .context()
        .load_module(image)
        .map_err(|e| load_failure(e, program.name, target, &nvrtc.label(), super::probe::driver_version()))?;
    Ok(Module { name: program.name, module })
}

/// The driver's error `e` loading `program`, compiled by `nvrtc` for `target`, under a driver of
/// CUDA version `driver`: code it rejects is a lasting unavailability with a hint ([`rejected`]),
/// anything else a transient [`driver_error`].
fn load_failure(e: DriverError, program: &str, target: Target, nvrtc: &str, driver: Option<i32>) -> Failure {
    if rejects_code(e.0) {
        Failure::Lasting(Error::BackendUnavailable(format!(
            "CUDA backend unavailable: cannot load {program}: {}",
            rejected(target, nvrtc, driver, &describe(e))
        )))
    } else {
        Failure::Transient(driver_error(e, &format!("loading {program}"), "a module of a few hundred KiB"))
    }
}

/// Driver errors that say the code itself cannot be loaded (so loading it again fails again).
fn rejects_code(code: CUresult) -> bool {
    matches!(
        code,
        CUresult::CUDA_ERROR_NO_BINARY_FOR_GPU
            | CUresult::CUDA_ERROR_INVALID_IMAGE
            | CUresult::CUDA_ERROR_INVALID_PTX
            | CUresult::CUDA_ERROR_UNSUPPORTED_PTX_VERSION
            | CUresult::CUDA_ERROR_JIT_COMPILER_NOT_FOUND
            | CUresult::CUDA_ERROR_JIT_COMPILATION_DISABLED
    )
}

/// Why the driver (CUDA version `driver`) rejected the code `nvrtc` made for `target`, and what to
/// do: PTX is compiled by the driver, which takes PTX no newer than itself; machine code is loaded
/// as it is, by a driver of NVRTC's CUDA major version or newer.
fn rejected(target: Target, nvrtc: &str, driver: Option<i32>, why: &str) -> String {
    let driver =
        driver.map_or_else(|| "the driver".into(), |v| format!("the driver (CUDA {}.{})", v / 1000, v % 1000 / 10));
    match target {
        Target::Ptx(major, minor) => format!(
            "{driver} rejects the PTX for compute_{major}{minor} from {nvrtc} ({why}); PTX from an NVRTC newer than the \
             driver does not load: update the NVIDIA driver, or use an NVRTC no newer than it"
        ),
        Target::Cubin(major, minor) => format!(
            "{driver} rejects the machine code for sm_{major}{minor} from {nvrtc} ({why}); machine code loads on a \
             driver of NVRTC's CUDA major version or newer: use the NVRTC of the driver's major version, or update \
             the NVIDIA driver"
        ),
    }
}

/// For a domain's tests: `program` compiles with NVRTC alone for the oldest and a recent
/// architecture the backend serves, as machine code and as PTX. Skipped where NVRTC cannot be
/// loaded (the `cuda` extra installs it; put its lib directory on the loader path to run this).
#[cfg(test)]
pub(crate) fn assert_compiles(program: &Program) {
    let nvrtc = match nvrtc::library() {
        Ok(nvrtc) => nvrtc,
        Err(why) => {
            println!("NVRTC not found ({why}): compile check of {} skipped", program.name);
            return;
        }
    };
    let newest = *nvrtc.archs().last().expect("NVRTC lists its architectures");
    for target in [Target::Cubin(7, 5), Target::Cubin(9, 0), Target::Ptx(7, 5), Target::Ptx(newest / 10, newest % 10)] {
        let compiled = program.compile(target).unwrap_or_else(|e| panic!("{} for {target:?}: {e}", program.name));
        let size = match &compiled {
            Compiled::Cubin(bytes) => {
                assert!(bytes.starts_with(b"\x7fELF"), "{target:?}: not an ELF cubin");
                bytes.len()
            }
            Compiled::Ptx(text) => {
                assert!(text.contains(".entry"), "{target:?}: PTX without kernels");
                text.len()
            }
        };
        println!("{} for {target:?} with {}: {size} bytes", program.name, nvrtc.name());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_name_the_target_then_the_base_then_the_programs() {
        let p = Program::new("k.cu", "").with_options(&["-DTILE=32"]);
        assert_eq!(
            p.options(Target::Cubin(9, 0)),
            [
                "--gpu-architecture=sm_90",
                "--ftz=false",
                "--prec-div=true",
                "--prec-sqrt=true",
                "--std=c++14",
                "-DTILE=32"
            ]
        );
        assert_eq!(p.options(Target::Ptx(7, 5))[0], "--gpu-architecture=compute_75");
        assert_eq!(p.options(Target::Ptx(12, 0))[0], "--gpu-architecture=compute_120");
        assert_eq!(p.options(Target::Ptx(7, 5)).len(), BASE_OPTIONS.len() + 2);
    }

    /// The lists of NVRTC 12.9 and 13.5 (CUDA 13 dropped Maxwell, Pascal and Volta).
    const CUDA12: [i32; 19] = [50, 52, 53, 60, 61, 62, 70, 72, 75, 80, 86, 87, 89, 90, 100, 101, 103, 120, 121];
    const CUDA13: [i32; 13] = [75, 80, 86, 87, 88, 89, 90, 100, 103, 107, 110, 120, 121];

    #[test]
    fn a_device_nvrtc_knows_gets_its_machine_code() {
        assert_eq!(Target::choose((9, 0), &CUDA12, "NVRTC 12.9"), Ok(Target::Cubin(9, 0)));
        assert_eq!(Target::choose((7, 5), &CUDA13, "NVRTC 13.5"), Ok(Target::Cubin(7, 5)));
        assert_eq!(Target::choose((5, 0), &CUDA12, "NVRTC 12.9"), Ok(Target::Cubin(5, 0)));
        assert_eq!(Target::choose((12, 1), &CUDA13, "NVRTC 13.5"), Ok(Target::Cubin(12, 1)));
    }

    #[test]
    fn a_device_newer_than_nvrtc_gets_ptx_for_the_newest_below_it() {
        // newer than everything NVRTC knows: PTX for its newest architecture
        assert_eq!(Target::choose((13, 0), &CUDA12, "NVRTC 12.9"), Ok(Target::Ptx(12, 1)));
        assert_eq!(Target::choose((15, 0), &CUDA13, "NVRTC 13.5"), Ok(Target::Ptx(12, 1)));
        assert_eq!(Target::choose((10, 3), &CUDA12[..15], "NVRTC 12.8"), Ok(Target::Ptx(10, 0)));
        // between two that NVRTC knows: PTX for the one below
        assert_eq!(Target::choose((7, 3), &CUDA12, "NVRTC 12.9"), Ok(Target::Ptx(7, 2)));
        assert_eq!(Target::choose((10, 1), &CUDA13, "NVRTC 13.5"), Ok(Target::Ptx(10, 0)));
    }

    #[test]
    fn a_device_older_than_nvrtc_is_unavailable_with_the_nvrtc_that_would_do() {
        let volta = Target::choose((7, 0), &CUDA13, "NVRTC 13.5 (libnvrtc.so.13)").unwrap_err();
        let Error::BackendUnavailable(m) = &volta else { panic!("{volta:?}") };
        assert!(m.contains("NVRTC 13.5 (libnvrtc.so.13) compiles for compute capability 7.5 and newer"), "{m}");
        assert!(m.contains("compute capability 7.0") && m.contains("NVRTC 12") && m.contains("cuda12"), "{m}");
        let kepler = Target::choose((3, 7), &CUDA12, "NVRTC 12.9").unwrap_err();
        assert!(
            matches!(&kepler, Error::BackendUnavailable(m) if m.contains("5.0 and newer") && m.contains("NVRTC 11 "))
        );
        let fermi = Target::choose((2, 1), &CUDA12, "NVRTC 12.9").unwrap_err();
        assert!(matches!(&fermi, Error::BackendUnavailable(m) if m.contains("no NVRTC this backend can use")));
    }

    #[test]
    fn the_load_hint_follows_what_was_loaded() {
        let ptx = rejected(Target::Ptx(12, 0), "NVRTC 12.9", Some(12040), "CUDA_ERROR_UNSUPPORTED_PTX_VERSION");
        assert!(ptx.starts_with("the driver (CUDA 12.4) rejects the PTX for compute_120 from NVRTC 12.9"), "{ptx}");
        assert!(ptx.contains("UNSUPPORTED_PTX_VERSION") && ptx.contains("update the NVIDIA driver"), "{ptx}");
        let cubin = rejected(Target::Cubin(9, 0), "NVRTC 13.5", None, "CUDA_ERROR_NO_BINARY_FOR_GPU");
        assert!(cubin.starts_with("the driver rejects the machine code for sm_90 from NVRTC 13.5"), "{cubin}");
        assert!(cubin.contains("NVRTC of the driver's major version") && !cubin.contains("PTX"), "{cubin}");
        assert!(rejects_code(CUresult::CUDA_ERROR_NO_BINARY_FOR_GPU));
        assert!(rejects_code(CUresult::CUDA_ERROR_UNSUPPORTED_PTX_VERSION));
        assert!(!rejects_code(CUresult::CUDA_ERROR_OUT_OF_MEMORY), "out of memory is no verdict on the code");
    }

    #[test]
    fn rejected_code_lasts_and_out_of_memory_passes() {
        let fail = |code| load_failure(DriverError(code), "k.cu", Target::Cubin(9, 0), "NVRTC 12.9", Some(12040));
        let rejected = fail(CUresult::CUDA_ERROR_NO_BINARY_FOR_GPU);
        assert!(
            matches!(&rejected, Failure::Lasting(Error::BackendUnavailable(m)) if m.contains("cannot load k.cu") && m.contains("sm_90")),
            "{rejected:?}"
        );
        let oom = fail(CUresult::CUDA_ERROR_OUT_OF_MEMORY);
        assert!(matches!(&oom, Failure::Transient(Error::ResourceLimit(m)) if m.contains("loading k.cu")), "{oom:?}");
        assert!(matches!(
            fail(CUresult::CUDA_ERROR_DEVICE_UNAVAILABLE),
            Failure::Transient(Error::BackendUnavailable(_))
        ));
    }
}
