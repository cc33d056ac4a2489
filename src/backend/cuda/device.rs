//! The process-wide device handle: a context on device 0 and what launch shapes depend on, and
//! [`KernelCell`], in which a domain keeps its kernels, compiled and loaded once. Both keep what
//! they made and the failures that would recur; a failure that may pass (out of memory, a busy
//! device) is tried again on the next call.

use super::errors::driver_error;
use super::guard::guard_quiet;
use super::memory::Memory;
use super::program::{self, Module, Program};
use crate::error::{Error, Result};
use cudarc::driver::sys::CUdevice_attribute;
use cudarc::driver::CudaContext;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

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

/// A failure to set the device or a program up, by whether trying again could help.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Failure {
    /// Recurs on every try: a compile error, code the driver rejects, a missing kernel or library.
    Lasting(Error),
    /// May pass: out of memory, a busy device, another driver error.
    Transient(Error),
}

/// A value made once per process, like a `OnceLock`'s, and so is a lasting failure; a transient
/// failure is returned without being kept, so that the next call makes it again. One caller makes
/// at a time; reading what was made takes no lock.
struct SetUp<T> {
    made: OnceLock<Result<T>>,
    making: Mutex<()>,
}

impl<T> SetUp<T> {
    const fn new() -> Self {
        Self { made: OnceLock::new(), making: Mutex::new(()) }
    }

    /// What was made, or the lasting failure; `None` before.
    fn get(&self) -> Option<Result<&T>> {
        self.made.get().map(|made| made.as_ref().map_err(Clone::clone))
    }

    fn get_or_make(&self, make: impl FnOnce() -> std::result::Result<T, Failure>) -> Result<&T> {
        let _one_at_a_time = self.making.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(made) = self.get() {
            return made; // made while this caller waited
        }
        let kept = match make() {
            Ok(value) => Ok(value),
            Err(Failure::Lasting(e)) => Err(e),
            Err(Failure::Transient(e)) => return Err(e),
        };
        self.made.get_or_init(|| kept).as_ref().map_err(Clone::clone)
    }
}

/// Device 0 (kernels run there), opened on first use; `BackendUnavailable` with the reason where
/// CUDA cannot be used. Once opened, a call reads the cell alone.
pub(super) fn device() -> Result<&'static Device> {
    static DEVICE: SetUp<Device> = SetUp::new();
    if let Some(opened) = DEVICE.get() {
        return opened;
    }
    crate::backend::require_cuda()?;
    DEVICE.get_or_make(|| quietly(|| Device::open(0)))
}

/// `f` under the quiet panic guard, a panic (cudarc's, for a missing library or symbol) becoming a
/// lasting `BackendUnavailable`.
fn quietly<T>(f: impl FnOnce() -> std::result::Result<T, Failure>) -> std::result::Result<T, Failure> {
    guard_quiet(f).unwrap_or_else(|msg| {
        Err(Failure::Lasting(Error::BackendUnavailable(format!("CUDA backend unavailable: {msg}"))))
    })
}

impl Device {
    /// A context on device `ordinal`. Driver errors are transient (out of memory is
    /// `ResourceLimit`; a device taken by another process may be free on the next call).
    fn open(ordinal: usize) -> std::result::Result<Self, Failure> {
        let fail = |what: &str, e| {
            Failure::Transient(driver_error(
                e,
                &format!("{what} device {ordinal}"),
                "a context takes a few hundred MiB of device memory",
            ))
        };
        let ctx = CudaContext::new(ordinal).map_err(|e| fail("creating a context on", e))?;
        let attr = |a| ctx.attribute(a).map_err(|e| fail("querying", e));
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
    pub(super) fn load(&self, program: &Program) -> std::result::Result<Module, Failure> {
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
/// A lasting failure is kept too (a program that does not compile will not compile on the next
/// call, a kernel missing from it stays missing); a transient one (out of memory while loading)
/// is tried again on the next call.
pub struct KernelCell<T> {
    program: Program,
    take: fn(&'static Device, &Module) -> Result<T>,
    cell: SetUp<T>,
}

impl<T> KernelCell<T> {
    pub const fn new(program: Program, take: fn(&'static Device, &Module) -> Result<T>) -> Self {
        Self { program, take, cell: SetUp::new() }
    }

    pub fn program(&self) -> &Program {
        &self.program
    }

    /// The handles, made on first use (a panic in making them becomes an error);
    /// `BackendUnavailable` with the reason where CUDA or the program cannot be had. Once made,
    /// a call reads the cell alone: no probe, no device lookup.
    pub fn get(&self) -> Result<&T> {
        if let Some(made) = self.cell.get() {
            return made;
        }
        let device = device()?;
        self.cell.get_or_make(|| {
            quietly(|| {
                let module = device.load(&self.program)?;
                (self.take)(device, &module).map_err(Failure::Lasting)
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn oom() -> Error {
        Error::ResourceLimit("out of memory".into())
    }

    #[test]
    fn successes_and_lasting_failures_are_kept() {
        let made = AtomicUsize::new(0);
        let cell: SetUp<usize> = SetUp::new();
        assert!(cell.get().is_none());
        assert_eq!(cell.get_or_make(|| Ok(made.fetch_add(1, Ordering::SeqCst) + 7)), Ok(&7));
        assert_eq!(cell.get_or_make(|| Ok(made.fetch_add(1, Ordering::SeqCst))), Ok(&7));
        assert_eq!(cell.get(), Some(Ok(&7)));
        assert_eq!(made.load(Ordering::SeqCst), 1);

        let broken: SetUp<usize> = SetUp::new();
        let compile_error = Error::Internal("cannot compile".into());
        assert_eq!(broken.get_or_make(|| Err(Failure::Lasting(compile_error.clone()))), Err(compile_error.clone()));
        assert_eq!(broken.get_or_make(|| Ok(1)), Err(compile_error.clone()), "a lasting failure is kept");
        assert_eq!(broken.get(), Some(Err(compile_error)));
    }

    #[test]
    fn transient_failures_are_tried_again() {
        let cell: SetUp<usize> = SetUp::new();
        assert_eq!(cell.get_or_make(|| Err(Failure::Transient(oom()))), Err(oom()));
        assert!(cell.get().is_none(), "a transient failure is not kept");
        assert_eq!(cell.get_or_make(|| Err(Failure::Transient(oom()))), Err(oom()));
        assert_eq!(cell.get_or_make(|| Ok(3)), Ok(&3), "the next try succeeds");
        assert_eq!(cell.get_or_make(|| Err(Failure::Transient(oom()))), Ok(&3));
    }

    #[test]
    fn concurrent_callers_make_it_once() {
        let cell: SetUp<usize> = SetUp::new();
        let calls = AtomicUsize::new(0);
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    let got = cell.get_or_make(|| {
                        std::thread::sleep(std::time::Duration::from_millis(5));
                        Ok(calls.fetch_add(1, Ordering::SeqCst))
                    });
                    assert_eq!(got, Ok(&0));
                });
            }
        });
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_panic_while_setting_up_is_a_lasting_unavailability() {
        let got: std::result::Result<(), Failure> = quietly(|| panic!("libcuda.so: undefined symbol"));
        let Err(Failure::Lasting(Error::BackendUnavailable(m))) = &got else { panic!("{got:?}") };
        assert!(m.contains("undefined symbol"), "{m}");
    }
}
