//! The driver probe behind [`super::status`]: is libcuda loadable, how many devices, what are they,
//! and is NVRTC there to compile the kernels. Queries devices without creating contexts, so the
//! probe is cheap and allocates nothing on the GPUs.

use super::guard_quiet;
use crate::backend::{CudaStatus, DeviceInfo};
use cudarc::driver::result::{self, DriverError};
use cudarc::driver::sys::{self, CUdevice_attribute};

fn unavailable(reason: impl Into<String>, driver_version: Option<i32>, devices: Vec<DeviceInfo>) -> CudaStatus {
    CudaStatus { available: false, reason: reason.into(), driver_version, devices }
}

/// The probe, with every panic of the dynamic loader turned into an "unavailable" status.
pub(super) fn probe() -> CudaStatus {
    guard_quiet(probe_unguarded)
        .unwrap_or_else(|msg| unavailable(format!("loading the CUDA driver failed: {msg}"), None, Vec::new()))
}

fn probe_unguarded() -> CudaStatus {
    // SAFETY: only dlopen()s the candidate library names (and closes them again).
    if !unsafe { sys::is_culib_present() } {
        return unavailable(
            "the NVIDIA driver library (libcuda) was not found: no NVIDIA driver is installed, or it is not on the loader path",
            None,
            Vec::new(),
        );
    }
    let mut version = 0i32;
    // SAFETY: writes one int through a valid pointer; needs no prior cuInit.
    let driver_version = unsafe { sys::cuDriverGetVersion(&mut version) }.result().ok().map(|_| version);
    if let Err(e) = result::init() {
        return unavailable(
            format!("the CUDA driver failed to initialise (cuInit): {}", describe(e)),
            driver_version,
            Vec::new(),
        );
    }
    let count = match result::device::get_count() {
        Ok(c) => c,
        Err(e) => {
            return unavailable(format!("cannot count CUDA devices: {}", describe(e)), driver_version, Vec::new())
        }
    };
    if count <= 0 {
        return unavailable("the CUDA driver reports no device", driver_version, Vec::new());
    }
    let mut devices = Vec::with_capacity(count as usize);
    for ordinal in 0..count {
        match device_info(ordinal) {
            Ok(d) => devices.push(d),
            Err(e) => {
                return unavailable(
                    format!("cannot query CUDA device {ordinal}: {}", describe(e)),
                    driver_version,
                    devices,
                )
            }
        }
    }
    // SAFETY: only dlopen()s the candidate library names (and closes them again).
    if !unsafe { cudarc::nvrtc::sys::is_culib_present() } {
        return unavailable(
            "NVRTC (libnvrtc), which compiles the CUDA kernels, was not found: install the extra \
             `pip install quantumpanarchy[cuda]` or a CUDA toolkit and put its lib directory on the loader path",
            driver_version,
            devices,
        );
    }
    let (mut major, mut minor) = (0i32, 0i32);
    // SAFETY: writes two ints through valid pointers.
    let nvrtc = unsafe { cudarc::nvrtc::sys::nvrtcVersion(&mut major, &mut minor) };
    let nvrtc =
        if nvrtc == cudarc::nvrtc::sys::nvrtcResult::NVRTC_SUCCESS { format!("{major}.{minor}") } else { "?".into() };
    let reason = format!(
        "CUDA driver {}, NVRTC {nvrtc}, {} device(s); kernels run on device 0 ({})",
        driver_version.map(format_version).unwrap_or_else(|| "?".into()),
        devices.len(),
        devices[0].name
    );
    CudaStatus { available: true, reason, driver_version, devices }
}

fn device_info(ordinal: i32) -> Result<DeviceInfo, DriverError> {
    let dev = result::device::get(ordinal)?;
    // SAFETY: `dev` was just returned by cuDeviceGet.
    let attr = |a: CUdevice_attribute| unsafe { result::device::get_attribute(dev, a) };
    Ok(DeviceInfo {
        ordinal: ordinal as usize,
        name: result::device::get_name(dev)?,
        // SAFETY: `dev` was just returned by cuDeviceGet.
        memory_bytes: unsafe { result::device::total_mem(dev) }? as u64,
        compute_capability: (
            attr(CUdevice_attribute::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR)?,
            attr(CUdevice_attribute::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR)?,
        ),
        multiprocessors: attr(CUdevice_attribute::CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT)?,
    })
}

/// 12040 -> "12.4".
pub(super) fn format_version(v: i32) -> String {
    format!("{}.{}", v / 1000, (v % 1000) / 10)
}

/// A driver error met while doing `what`, as the crate's error: no memory is a resource limit
/// (quoting `estimate`, the memory the run needs), a lost or missing device is unavailability,
/// anything else a bug.
pub(super) fn driver_error(e: DriverError, what: &str, estimate: &str) -> crate::error::Error {
    use crate::error::Error;
    use sys::CUresult;
    match e.0 {
        CUresult::CUDA_ERROR_OUT_OF_MEMORY => {
            Error::ResourceLimit(format!("the GPU ran out of memory while {what} ({estimate})"))
        }
        CUresult::CUDA_ERROR_NO_DEVICE
        | CUresult::CUDA_ERROR_INVALID_DEVICE
        | CUresult::CUDA_ERROR_NOT_INITIALIZED
        | CUresult::CUDA_ERROR_DEINITIALIZED
        | CUresult::CUDA_ERROR_STUB_LIBRARY
        | CUresult::CUDA_ERROR_SYSTEM_DRIVER_MISMATCH
        | CUresult::CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE
        | CUresult::CUDA_ERROR_DEVICE_NOT_LICENSED
        | CUresult::CUDA_ERROR_DEVICE_UNAVAILABLE => {
            Error::BackendUnavailable(format!("the CUDA device failed while {what}: {}", describe(e)))
        }
        _ => Error::Internal(format!("CUDA error while {what}: {}", describe(e))),
    }
}

/// A driver error as "CUDA_ERROR_NAME: description".
pub(super) fn describe(e: DriverError) -> String {
    let text = e.error_string().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    format!("{:?}: {text}", e.0)
}
