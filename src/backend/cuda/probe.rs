//! The probe behind [`super::status`]: is libcuda loadable, how many devices, what are they, and
//! is NVRTC there to compile kernels. Queries devices without creating contexts, so the probe is
//! cheap and allocates nothing on the GPUs.

use super::errors::describe;
use super::guard::guard_quiet;
use super::nvrtc;
use crate::backend::{cuda_version_text, CudaStatus, DeviceInfo};
use cudarc::driver::result::{self, DriverError};
use cudarc::driver::sys::{self, CUdevice_attribute};
use std::sync::OnceLock;

fn unavailable(reason: impl Into<String>, driver_version: Option<i32>, devices: Vec<DeviceInfo>) -> CudaStatus {
    CudaStatus { available: false, reason: reason.into(), driver_version, nvrtc_version: None, devices }
}

/// The probe, with every panic of the dynamic loader turned into an "unavailable" status.
pub(super) fn probe() -> CudaStatus {
    guard_quiet(probe_unguarded)
        .unwrap_or_else(|msg| unavailable(format!("loading the CUDA driver failed: {msg}"), None, Vec::new()))
}

/// The driver's CUDA version (12040 for 12.4), or `None` without a loadable libcuda. Needs no
/// cuInit; cached, as loading the driver is slow.
pub(super) fn driver_version() -> Option<i32> {
    static VERSION: OnceLock<Option<i32>> = OnceLock::new();
    *VERSION.get_or_init(|| {
        guard_quiet(|| {
            // SAFETY: only dlopen()s the candidate library names (and closes them again).
            if !unsafe { sys::is_culib_present() } {
                return None;
            }
            let mut version = 0i32;
            // SAFETY: writes one int through a valid pointer; needs no prior cuInit.
            unsafe { sys::cuDriverGetVersion(&mut version) }.result().ok().map(|_| version)
        })
        .ok()
        .flatten()
    })
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
    let driver_version = driver_version();
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
    let nvrtc = match nvrtc::library() {
        Ok(lib) => lib,
        Err(why) => {
            return unavailable(
                format!(
                    "NVRTC, which compiles the CUDA kernels, was not found ({why}): install the extra \
                     `pip install quantumpanarchy[cuda]` or a CUDA toolkit and put its lib directory on the loader path"
                ),
                driver_version,
                devices,
            )
        }
    };
    let nvrtc_version = nvrtc.version();
    let reason = format!(
        "CUDA driver {}, NVRTC {} ({}), {} device(s); kernels run on device 0 ({})",
        driver_version.map(cuda_version_text).unwrap_or_else(|| "?".into()),
        nvrtc_version.map(|(major, minor)| format!("{major}.{minor}")).unwrap_or_else(|| "?".into()),
        nvrtc.name(),
        devices.len(),
        devices[0].name
    );
    CudaStatus { available: true, reason, driver_version, nvrtc_version, devices }
}

fn device_info(ordinal: i32) -> Result<DeviceInfo, DriverError> {
    let dev = result::device::get(ordinal)?;
    // SAFETY: `dev` was just returned by cuDeviceGet.
    let attr = |a: CUdevice_attribute| unsafe { result::device::get_attribute(dev, a) };
    let name = result::device::get_name(dev)?;
    let visible = std::env::var("CUDA_VISIBLE_DEVICES").unwrap_or_default();
    Ok(DeviceInfo {
        ordinal: ordinal as usize,
        mig: is_mig(&name, &visible),
        name,
        // SAFETY: `dev` was just returned by cuDeviceGet.
        memory_bytes: unsafe { result::device::total_mem(dev) }? as u64,
        compute_capability: (
            attr(CUdevice_attribute::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR)?,
            attr(CUdevice_attribute::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR)?,
        ),
        multiprocessors: attr(CUdevice_attribute::CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT)?,
    })
}

/// Whether a device is a MIG slice: the driver names slices `<GPU> MIG <profile>` (for example
/// `NVIDIA A100-SXM4-40GB MIG 1g.5gb`), and a process confined to a slice names it `MIG-<uuid>`
/// in `CUDA_VISIBLE_DEVICES`.
fn is_mig(name: &str, visible_devices: &str) -> bool {
    name.split_whitespace().any(|word| word == "MIG")
        || visible_devices.split(',').any(|d| d.trim_start().starts_with("MIG-"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_read_as_major_dot_minor() {
        assert_eq!(cuda_version_text(12040), "12.4");
        assert_eq!(cuda_version_text(13000), "13.0");
        assert_eq!(cuda_version_text(12090), "12.9");
    }

    #[test]
    fn mig_slices_are_recognised_by_name_or_visible_devices() {
        assert!(is_mig("NVIDIA A100-SXM4-40GB MIG 1g.5gb", ""));
        assert!(is_mig("NVIDIA H100 80GB HBM3", "MIG-2f5ab8c4-0f54-5a5e-9d9b-2d4e5c6b7a81"));
        assert!(!is_mig("NVIDIA H100 80GB HBM3", "0,1"));
        assert!(!is_mig("NVIDIA MIGHTY 9000", ""));
    }
}
