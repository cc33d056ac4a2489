//! Kernel programs: CUDA C source compiled at run time by NVRTC for one device and loaded into its
//! context. Each program is loaded once per process by the [`super::KernelCell`] that holds its
//! kernels (compiling takes a few hundred ms).

use super::device::Device;
use super::errors::describe;
use super::nvrtc::{self, Output};
use crate::error::{Error, Result};
use cudarc::driver::{CudaFunction, CudaModule};
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
pub enum Target {
    /// Machine code for compute capability (major, minor): the driver loads it as it is, also
    /// when NVRTC is of a later minor release than the driver.
    Cubin(i32, i32),
    /// PTX for compute capability (major, minor), or NVRTC's default when `None`; the driver
    /// compiles it when loading, which needs a driver at least as new as NVRTC.
    Ptx(Option<(i32, i32)>),
}

/// A compiled program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Compiled {
    Cubin(Vec<u8>),
    Ptx(String),
}

impl Compiled {
    pub fn len(&self) -> usize {
        match self {
            Self::Cubin(bytes) => bytes.len(),
            Self::Ptx(text) => text.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
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
            Target::Cubin(major, minor) => Some(format!("--gpu-architecture=sm_{major}{minor}")),
            Target::Ptx(Some((major, minor))) => Some(format!("--gpu-architecture=compute_{major}{minor}")),
            Target::Ptx(None) => None,
        };
        arch.into_iter().chain(BASE_OPTIONS.iter().chain(self.options).map(|o| o.to_string())).collect()
    }

    /// Compiles for `target` with NVRTC alone (no device needed). `BackendUnavailable` without
    /// NVRTC; a compile error is `Internal` with NVRTC's log.
    pub fn compile(&self, target: Target) -> Result<Compiled> {
        let nvrtc = nvrtc::library()
            .map_err(|why| Error::BackendUnavailable(format!("CUDA backend unavailable: NVRTC not found ({why})")))?;
        let output = if matches!(target, Target::Cubin(..)) { Output::Cubin } else { Output::Ptx };
        let bytes = nvrtc
            .compile(self.source, self.name, &self.options(target), output)
            .map_err(|log| Error::Internal(format!("NVRTC ({}) cannot compile {log}", nvrtc.name())))?;
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

/// `program` compiled for `device` and loaded into its context.
pub(super) fn load(device: &Device, program: &Program) -> Result<Module> {
    let module = compile_and_load(device, program).map_err(|why| {
        Error::BackendUnavailable(format!("CUDA backend unavailable: cannot load {}: {why}", program.name))
    })?;
    Ok(Module { name: program.name, module })
}

/// Machine code for the device itself; where this NVRTC does not know the device (it is older
/// than the GPU), PTX for NVRTC's default architecture, which the driver compiles forward.
fn compile_and_load(device: &Device, program: &Program) -> std::result::Result<Arc<CudaModule>, String> {
    let (major, minor) = device.compute_capability;
    let compiled = match program.compile(Target::Cubin(major, minor)) {
        Ok(cubin) => cubin,
        Err(first) => program.compile(Target::Ptx(None)).map_err(|e| {
            format!("NVRTC cannot compile it for compute capability {major}.{minor} ({first}) nor for its default target ({e})")
        })?,
    };
    let image = match compiled {
        Compiled::Cubin(bytes) => Ptx::from_binary(bytes),
        Compiled::Ptx(text) => Ptx::from_src(text),
    };
    device.context().load_module(image).map_err(|e| {
        format!(
            "the driver rejects the compiled code ({}); PTX from an NVRTC newer than the driver does not load: \
             update the NVIDIA driver or use an NVRTC no newer than it",
            describe(e)
        )
    })
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
    for target in [Target::Cubin(7, 5), Target::Cubin(9, 0), Target::Ptx(Some((7, 5))), Target::Ptx(None)] {
        let compiled = program.compile(target).unwrap_or_else(|e| panic!("{} for {target:?}: {e}", program.name));
        match &compiled {
            Compiled::Cubin(bytes) => assert!(bytes.starts_with(b"\x7fELF"), "{target:?}: not an ELF cubin"),
            Compiled::Ptx(text) => assert!(text.contains(".entry"), "{target:?}: PTX without kernels"),
        }
        println!("{} for {target:?} with {}: {} bytes", program.name, nvrtc.name(), compiled.len());
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
        assert_eq!(p.options(Target::Ptx(Some((7, 5))))[0], "--gpu-architecture=compute_75");
        assert_eq!(p.options(Target::Ptx(None)).len(), BASE_OPTIONS.len() + 1);
    }
}
