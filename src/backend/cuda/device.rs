//! The process-wide device handle: a context on device 0 and what launch shapes depend on, and
//! [`KernelCell`], in which a domain keeps its kernels, compiled and loaded once.

use super::errors::describe;
use super::guard::guard_quiet;
use super::memory::Memory;
use super::program::{self, Module, Program};
use crate::error::{Error, Result};
use cudarc::driver::sys::CUdevice_attribute;
use cudarc::driver::CudaContext;
use std::sync::{Arc, OnceLock};

/// A CUDA device with its context.
#[derive(Debug)]
pub struct Device {
    pub ordinal: usize,
    pub compute_capability: (i32, i32),
    pub multiprocessors: usize,
    /// Largest dynamic shared memory a block may opt in to.
    pub max_shared_bytes: usize,
    ctx: Arc<CudaContext>,
}

/// Device 0 (kernels run there), opened on first use; `BackendUnavailable` with the reason where
/// CUDA cannot be used.
pub fn device() -> Result<&'static Device> {
    static DEVICE: OnceLock<Result<Device>> = OnceLock::new();
    crate::backend::require_cuda()?;
    DEVICE.get_or_init(|| quietly(|| Device::open(0))).as_ref().map_err(Clone::clone)
}

/// `f` under the quiet panic guard, a panic becoming `BackendUnavailable`.
fn quietly<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    guard_quiet(f).unwrap_or_else(|msg| Err(Error::BackendUnavailable(format!("CUDA backend unavailable: {msg}"))))
}

impl Device {
    fn open(ordinal: usize) -> Result<Self> {
        let unusable = |what: &str, e| {
            Error::BackendUnavailable(format!(
                "CUDA backend unavailable: cannot {what} device {ordinal}: {}",
                describe(e)
            ))
        };
        let ctx = CudaContext::new(ordinal).map_err(|e| unusable("create a context on", e))?;
        let attr = |a| ctx.attribute(a).map_err(|e| unusable("query", e));
        let compute_capability = (
            attr(CUdevice_attribute::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR)?,
            attr(CUdevice_attribute::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR)?,
        );
        let multiprocessors = attr(CUdevice_attribute::CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT)?.max(1) as usize;
        let max_shared_bytes =
            attr(CUdevice_attribute::CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN)?.max(0) as usize;
        Ok(Self { ordinal, compute_capability, multiprocessors, max_shared_bytes, ctx })
    }

    /// The device's context: streams, allocations and launches start here.
    pub fn context(&self) -> &Arc<CudaContext> {
        &self.ctx
    }

    /// `program` compiled for this device and loaded (each call compiles: a [`KernelCell`] keeps
    /// what it needs of the module).
    pub fn load(&self, program: &Program) -> Result<Module> {
        quietly(|| program::load(self, program))
    }

    /// Free and total memory now.
    pub fn memory(&self) -> Result<Memory> {
        Memory::of(&self.ctx)
    }

    /// Theoretical peak memory bandwidth in bytes/s (2 × memory clock × bus width), when the
    /// driver reports it.
    pub fn peak_bandwidth(&self) -> Option<f64> {
        let attr = |a| self.ctx.attribute(a).ok().filter(|&v| v > 0);
        let clock_khz = attr(CUdevice_attribute::CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE)?;
        let bus_bits = attr(CUdevice_attribute::CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH)?;
        Some(2.0 * clock_khz as f64 * 1e3 * bus_bits as f64 / 8.0)
    }
}

/// A domain's kernels on device 0: its program, compiled and loaded on first use, and the handles
/// `take` gets from the module (a struct with one `CudaFunction` per kernel, typically):
///
/// ```ignore
/// static KERNELS: KernelCell<Kernels> = KernelCell::new(PROGRAM, |device, module| {
///     Ok(Kernels { device, step: module.function("step")? })
/// });
/// let kernels = KERNELS.get()?;
/// ```
///
/// A failure is kept too: a program that does not compile will not compile on the next call.
pub struct KernelCell<T> {
    program: Program,
    take: fn(&'static Device, &Module) -> Result<T>,
    cell: OnceLock<Result<T>>,
}

impl<T> KernelCell<T> {
    pub const fn new(program: Program, take: fn(&'static Device, &Module) -> Result<T>) -> Self {
        Self { program, take, cell: OnceLock::new() }
    }

    pub fn program(&self) -> &Program {
        &self.program
    }

    /// The handles, made on first use (a panic in making them becomes an error);
    /// `BackendUnavailable` with the reason where CUDA or the program cannot be had. Once made,
    /// a call reads the cell alone: no probe, no device lookup.
    pub fn get(&self) -> Result<&T> {
        if let Some(made) = self.cell.get() {
            return made.as_ref().map_err(Clone::clone);
        }
        let device = device()?;
        let made = self.cell.get_or_init(|| quietly(|| (self.take)(device, &device.load(&self.program)?)));
        made.as_ref().map_err(Clone::clone)
    }
}
