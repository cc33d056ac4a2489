//! The process-wide GPU handles: a context on device 0, and two NVRTC modules compiled for that
//! device's architecture the first time they are needed and cached (compiling takes a few hundred
//! ms): the annealing kernels of `kernels.cu` ([`gpu`]) and the QAOA kernels of `qaoa.cu`
//! ([`qaoa_gpu`]).

use super::device::describe;
use super::{guard_quiet, status};
use crate::error::{Error, Result};
use cudarc::driver::sys::{CUdevice_attribute, CUfunction_attribute};
use cudarc::driver::{CudaContext, CudaFunction, CudaModule};
use cudarc::nvrtc::{compile_ptx_with_opts, CompileError, CompileOptions, Ptx};
use std::sync::{Arc, OnceLock};

/// The CUDA C source of the annealing kernels.
pub(super) const KERNELS: &str = include_str!("kernels.cu");
/// The CUDA C source of the QAOA statevector kernels.
pub(super) const QAOA_KERNELS: &str = include_str!("qaoa.cu");

/// Device 0: its context and what the kernels' launch shapes depend on.
struct Device {
    ctx: Arc<CudaContext>,
    compute_capability: (i32, i32),
    multiprocessors: usize,
    max_shared_bytes: usize,
}

pub(super) struct Gpu {
    pub ctx: Arc<CudaContext>,
    pub random_spins: CudaFunction,
    pub sparse_block: CudaFunction,
    pub sparse_class: CudaFunction,
    pub dense_block: CudaFunction,
    pub multiprocessors: usize,
    /// Largest dynamic shared memory a block may opt in to.
    pub max_shared_bytes: usize,
}

/// The kernels of `qaoa.cu`.
pub(super) struct QaoaGpu {
    pub ctx: Arc<CudaContext>,
    pub low: CudaFunction,
    pub high: CudaFunction,
    pub sum: CudaFunction,
    pub probabilities: CudaFunction,
}

type Cached<T> = OnceLock<std::result::Result<T, String>>;

static DEVICE: Cached<Device> = OnceLock::new();
static GPU: Cached<Gpu> = OnceLock::new();
static QAOA: Cached<QaoaGpu> = OnceLock::new();

/// `cell`'s value, made by `init` (under [`guard_quiet`]) on first use, or `BackendUnavailable`
/// with the reason it cannot be had.
fn cached<T>(cell: &'static Cached<T>, init: impl FnOnce() -> std::result::Result<T, String>) -> Result<&'static T> {
    let status = status();
    if !status.available {
        return Err(Error::BackendUnavailable(format!("CUDA backend unavailable: {}", status.reason)));
    }
    cell.get_or_init(|| guard_quiet(init).and_then(|r| r))
        .as_ref()
        .map_err(|msg| Error::BackendUnavailable(format!("CUDA backend unavailable: {msg}")))
}

fn device() -> Result<&'static Device> {
    cached(&DEVICE, || {
        let ctx = CudaContext::new(0).map_err(|e| format!("cannot create a context on device 0: {}", describe(e)))?;
        let attr = |a| ctx.attribute(a).map_err(|e| format!("cannot query device 0: {}", describe(e)));
        let compute_capability = (
            attr(CUdevice_attribute::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR)?,
            attr(CUdevice_attribute::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR)?,
        );
        let multiprocessors = attr(CUdevice_attribute::CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT)?.max(1) as usize;
        let max_shared_bytes =
            attr(CUdevice_attribute::CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN)?.max(0) as usize;
        Ok(Device { ctx, compute_capability, multiprocessors, max_shared_bytes })
    })
}

/// The context with the annealing kernels, or `BackendUnavailable` with the reason.
pub(super) fn gpu() -> Result<&'static Gpu> {
    let dev = device()?;
    cached(&GPU, || {
        let module = load(dev, KERNELS, "quantumpanarchy_kernels.cu")?;
        let func = |name: &str| function(&module, name);
        Ok(Gpu {
            random_spins: func("random_spins")?,
            sparse_block: func("sparse_block")?,
            sparse_class: func("sparse_class")?,
            dense_block: func("dense_block")?,
            multiprocessors: dev.multiprocessors,
            max_shared_bytes: dev.max_shared_bytes,
            ctx: dev.ctx.clone(),
        })
    })
}

/// The context with the QAOA kernels, or `BackendUnavailable` with the reason.
pub(super) fn qaoa_gpu() -> Result<&'static QaoaGpu> {
    let dev = device()?;
    cached(&QAOA, || {
        let module = load(dev, QAOA_KERNELS, "quantumpanarchy_qaoa.cu")?;
        let func = |name: &str| function(&module, name);
        Ok(QaoaGpu {
            low: func("qaoa_low")?,
            high: func("qaoa_high")?,
            sum: func("qaoa_sum")?,
            probabilities: func("qaoa_probabilities")?,
            ctx: dev.ctx.clone(),
        })
    })
}

fn function(module: &Arc<CudaModule>, name: &str) -> std::result::Result<CudaFunction, String> {
    module.load_function(name).map_err(|e| format!("kernel {name} missing from the module: {}", describe(e)))
}

/// Compile for the device's own virtual architecture; an NVRTC older than the device does not
/// know it, so fall back to NVRTC's default target, which the driver JIT-compiles forward.
fn load(dev: &Device, source: &str, name: &str) -> std::result::Result<Arc<CudaModule>, String> {
    let (major, minor) = dev.compute_capability;
    let native = compile(source, name, Some(format!("--gpu-architecture=compute_{major}{minor}")));
    let ptx = match native {
        Ok(ptx) => ptx,
        Err(first) => compile(source, name, None).map_err(|e| {
            format!("NVRTC cannot compile {name} for compute capability {major}.{minor}: {first}; default target: {e}")
        })?,
    };
    dev.ctx.load_module(ptx).map_err(|e| {
        format!(
            "the driver cannot load the compiled {name} ({}); an NVRTC newer than the driver emits PTX the driver \
             does not understand: update the NVIDIA driver or use an NVRTC no newer than it",
            describe(e)
        )
    })
}

fn compile(source: &str, name: &str, arch: Option<String>) -> std::result::Result<Ptx, String> {
    let opts = CompileOptions {
        // Exact IEEE arithmetic: the annealing acceptance test compares against log() thresholds.
        ftz: Some(false),
        prec_div: Some(true),
        prec_sqrt: Some(true),
        options: arch.into_iter().chain(["--std=c++14".to_string()]).collect(),
        name: Some(name.into()),
        ..Default::default()
    };
    compile_ptx_with_opts(source, opts).map_err(|e| match e {
        CompileError::CompileError { log, .. } => format!("compile error:\n{}", log.to_string_lossy()),
        other => other.to_string(),
    })
}

impl Gpu {
    /// Allow `bytes` of dynamic shared memory for `func` (needed above the default 48 KiB).
    pub(super) fn allow_shared(&self, func: &CudaFunction, bytes: usize) -> Result<()> {
        if bytes > 48 * 1024 {
            func.set_attribute(CUfunction_attribute::CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, bytes as i32)
                .map_err(|e| {
                    Error::Internal(format!("cannot raise the shared-memory limit to {bytes} B: {}", describe(e)))
                })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// NVRTC alone, no device needed: both modules compile for the oldest and the newest
    /// architecture of the backend. Skipped where libnvrtc cannot be loaded (the `cuda` extra
    /// installs it; point the loader path at it to run this check).
    #[test]
    fn kernels_compile_with_nvrtc() {
        // SAFETY: only dlopen()s the candidate library names (and closes them again).
        let present = guard_quiet(|| unsafe { cudarc::nvrtc::sys::is_culib_present() }).unwrap_or(false);
        if !present {
            println!("NVRTC not found: compile check skipped");
            return;
        }
        for (source, name) in [(KERNELS, "kernels.cu"), (QAOA_KERNELS, "qaoa.cu")] {
            for arch in ["compute_75", "compute_90"] {
                let ptx = compile(source, name, Some(format!("--gpu-architecture={arch}")))
                    .unwrap_or_else(|e| panic!("{name} for {arch}: {e}"));
                println!("{name} for {arch}: {} bytes of PTX", ptx.to_src().len());
            }
        }
    }
}
