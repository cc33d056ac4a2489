//! CUDA device services, shared by every domain's GPU code: the driver probe ([`status`]), the
//! device and its context ([`device`], [`Device`]), NVRTC compilation of a domain's [`Program`],
//! loaded once per process into the [`KernelCell`] that keeps its kernel handles, memory and
//! launch helpers, driver errors as the crate's errors, the panic guard, and (in tests) the CPU
//! emulation of thread blocks. The kernels live with their domains (`core/cuda/`,
//! `decision/qaoa/cuda/`, ...), which reach the driver through this module alone: nothing here
//! knows a domain.
//!
//! cudarc loads libcuda on first use and *panics* when it is missing, so every entry point runs
//! under [`guarded`]: without a driver this backend reports itself unavailable and never takes the
//! process down. NVRTC is opened by a search of our own (`nvrtc.rs`: CUDA 12 or 13).

mod device;
#[cfg(all(test, target_arch = "x86_64", target_os = "linux"))]
pub(crate) mod emulate;
mod errors;
mod guard;
mod launch;
mod memory;
mod nvrtc;
mod probe;
mod program;
#[cfg(test)]
mod selftest;

// What the domains' GPU code uses; the rest stays inside the backend.
pub use device::{Device, KernelCell};
pub use errors::{driver_error, on_error};
pub use guard::guarded;
pub use launch::{allow_shared, grid_1d, to_u32, MAX_GRID_X, MAX_GRID_Y};
pub use memory::{gib, Memory};
pub use program::{Module, Program};

pub(crate) use nvrtc::set_search_dirs as set_nvrtc_dirs;

/// The driver types kernels' host code works with, so that domains name this module only.
pub use cudarc::driver::{CudaFunction, CudaSlice, CudaStream, CudaViewMut, DriverError, LaunchConfig, PushKernelArg};

use crate::backend::CudaStatus;
use std::sync::OnceLock;

/// Cached probe: driver loaded? devices (name, memory, compute capability, SM count)? NVRTC?
pub fn status() -> CudaStatus {
    static STATUS: OnceLock<CudaStatus> = OnceLock::new();
    STATUS.get_or_init(probe::probe).clone()
}

#[cfg(test)]
pub(crate) use program::assert_compiles;

#[cfg(test)]
mod tests {
    use super::device::device;
    use super::*;

    #[test]
    fn status_is_cached_and_explains_itself() {
        let a = status();
        assert_eq!(a, status());
        assert!(!a.reason.is_empty());
        if a.available {
            assert!(!a.devices.is_empty());
        } else {
            println!("CUDA unavailable: {}", a.reason);
            let err = device().unwrap_err();
            assert!(matches!(&err, crate::Error::BackendUnavailable(m) if m.contains(&a.reason)), "{err:?}");
        }
    }
}
