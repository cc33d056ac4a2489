//! The process-wide GPU handle: a context on device 0 and the kernels of `kernels.cu`, compiled
//! once by NVRTC for that device's architecture and cached (compiling takes a few hundred ms).

use super::device::describe;
use super::{guard_quiet, status};
use crate::error::{Error, Result};
use cudarc::driver::sys::{CUdevice_attribute, CUfunction_attribute};
use cudarc::driver::{CudaContext, CudaFunction, CudaModule};
use cudarc::nvrtc::{compile_ptx_with_opts, CompileError, CompileOptions, Ptx};
use std::sync::{Arc, OnceLock};

/// The CUDA C source of every kernel.
pub(super) const KERNELS: &str = include_str!("kernels.cu");

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

static GPU: OnceLock<std::result::Result<Gpu, String>> = OnceLock::new();

/// The cached handle, or `BackendUnavailable` with the reason it cannot be had.
pub(super) fn gpu() -> Result<&'static Gpu> {
    let status = status();
    if !status.available {
        return Err(Error::BackendUnavailable(format!("CUDA backend unavailable: {}", status.reason)));
    }
    GPU.get_or_init(|| guard_quiet(init).and_then(|r| r))
        .as_ref()
        .map_err(|msg| Error::BackendUnavailable(format!("CUDA backend unavailable: {msg}")))
}

fn init() -> std::result::Result<Gpu, String> {
    let ctx = CudaContext::new(0).map_err(|e| format!("cannot create a context on device 0: {}", describe(e)))?;
    let attr = |a| ctx.attribute(a).map_err(|e| format!("cannot query device 0: {}", describe(e)));
    let (major, minor) = (
        attr(CUdevice_attribute::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR)?,
        attr(CUdevice_attribute::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR)?,
    );
    let multiprocessors = attr(CUdevice_attribute::CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT)?.max(1) as usize;
    let max_shared_bytes =
        attr(CUdevice_attribute::CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN)?.max(0) as usize;
    let module = load(&ctx, major, minor)?;
    let func = |name: &str| {
        module.load_function(name).map_err(|e| format!("kernel {name} missing from the module: {}", describe(e)))
    };
    Ok(Gpu {
        random_spins: func("random_spins")?,
        sparse_block: func("sparse_block")?,
        sparse_class: func("sparse_class")?,
        dense_block: func("dense_block")?,
        multiprocessors,
        max_shared_bytes,
        ctx,
    })
}

/// Compile for the device's own virtual architecture; an NVRTC older than the device does not
/// know it, so fall back to NVRTC's default target, which the driver JIT-compiles forward.
fn load(ctx: &Arc<CudaContext>, major: i32, minor: i32) -> std::result::Result<Arc<CudaModule>, String> {
    let native = compile(Some(format!("--gpu-architecture=compute_{major}{minor}")));
    let ptx = match native {
        Ok(ptx) => ptx,
        Err(first) => compile(None).map_err(|e| {
            format!(
                "NVRTC cannot compile the kernels for compute capability {major}.{minor}: {first}; default target: {e}"
            )
        })?,
    };
    ctx.load_module(ptx).map_err(|e| {
        format!(
            "the driver cannot load the compiled kernels ({}); an NVRTC newer than the driver emits PTX the driver \
             does not understand: update the NVIDIA driver or use an NVRTC no newer than it",
            describe(e)
        )
    })
}

fn compile(arch: Option<String>) -> std::result::Result<Ptx, String> {
    let opts = CompileOptions {
        // Exact IEEE arithmetic: the acceptance test compares against log() thresholds.
        ftz: Some(false),
        prec_div: Some(true),
        prec_sqrt: Some(true),
        options: arch.into_iter().chain(["--std=c++14".to_string()]).collect(),
        name: Some("quantumpanarchy_kernels.cu".into()),
        ..Default::default()
    };
    compile_ptx_with_opts(KERNELS, opts).map_err(|e| match e {
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
