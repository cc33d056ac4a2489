//! The device layer: run-time backend selection (`cpu`, rayon, always; `cuda` when the crate was
//! built with the `cuda` feature *and* a driver and device are found at run time; `auto` prefers
//! CUDA for work large enough to pay for the transfers), CPU feature detection, and the CUDA
//! device services in [`cuda`]. Domains build on this module; it uses none of them (checked by
//! the `layering` test).

pub mod cpu_features;
#[cfg(feature = "cuda")]
pub mod cuda;
#[cfg(test)]
mod layering;

use crate::error::{Error, Result};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU8, Ordering};

/// Whether this build contains the CUDA backend (the `cuda` Cargo feature).
pub const HAS_CUDA: bool = cfg!(feature = "cuda");

/// What the caller asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    Cpu,
    Cuda,
    Auto,
}

impl Choice {
    pub fn parse(name: &str) -> Result<Self> {
        match name.to_ascii_lowercase().as_str() {
            "cpu" => Ok(Self::Cpu),
            "cuda" | "gpu" => Ok(Self::Cuda),
            "auto" => Ok(Self::Auto),
            "rocm" | "hip" | "metal" | "mps" => {
                let key = if matches!(name.to_ascii_lowercase().as_str(), "rocm" | "hip") { "rocm" } else { "metal" };
                let reason = UNSUPPORTED.iter().find(|(k, _)| *k == key).map_or("", |(_, r)| r);
                Err(crate::invalid!("backend must be 'cpu', 'cuda' or 'auto', got {name:?}: {reason}"))
            }
            other => Err(crate::invalid!("backend must be 'cpu', 'cuda' or 'auto', got {other:?}")),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Cpu => "cpu",
            Self::Cuda => "cuda",
            Self::Auto => "auto",
        }
    }
}

/// Where work actually runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Cpu,
    Cuda,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Self::Cpu => "cpu",
            Self::Cuda => "cuda",
        }
    }
}

/// One CUDA device as the driver reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceInfo {
    pub ordinal: usize,
    pub name: String,
    pub memory_bytes: u64,
    pub compute_capability: (i32, i32),
    pub multiprocessors: i32,
    /// Whether this device is a MIG (Multi-Instance GPU) slice. The driver API has no attribute
    /// for it: a slice is recognised by its name (`... MIG 1g.10gb`) or by a `MIG-` identifier
    /// in `CUDA_VISIBLE_DEVICES`.
    pub mig: bool,
}

/// Whether CUDA can be used here, and why not when it cannot.
#[derive(Debug, Clone, PartialEq)]
pub struct CudaStatus {
    pub available: bool,
    pub reason: String,
    pub driver_version: Option<i32>,
    /// The NVRTC version (major, minor): the CUDA runtime piece the kernels are compiled with
    /// (the backend does not use libcudart).
    pub nvrtc_version: Option<(i32, i32)>,
    pub devices: Vec<DeviceInfo>,
}

/// Backends this crate does not have, with the reason reported for them (by
/// `performance.backend_info()` and `HardwareManager.unavailable()`).
pub const UNSUPPORTED: [(&str, &str); 2] = [
    ("rocm", "not supported: quantumpanarchy has no ROCm/HIP backend, so AMD GPUs are not used (work runs on the CPU)"),
    ("metal", "not supported: quantumpanarchy has no Metal backend, so Apple GPUs are not used (work runs on the CPU)"),
];

/// A CUDA version number as the driver gives it (12040) in words ("12.4").
pub fn cuda_version_text(v: i32) -> String {
    format!("{}.{}", v / 1000, (v % 1000) / 10)
}

/// Probe the driver (cached after the first call: loading the driver is slow).
pub fn cuda_status() -> CudaStatus {
    #[cfg(feature = "cuda")]
    {
        cuda::status()
    }
    #[cfg(not(feature = "cuda"))]
    {
        CudaStatus {
            available: false,
            reason: "this build of quantumpanarchy has no CUDA backend (built without the `cuda` feature)".into(),
            driver_version: None,
            nvrtc_version: None,
            devices: Vec::new(),
        }
    }
}

/// Folders in which to look for NVRTC before the loader's own search, in order: the lib folders
/// of pip's NVIDIA wheels, which the loader does not search (the Python package finds them at
/// import). Takes effect before CUDA is first used; without the `cuda` feature, does nothing.
pub fn set_nvrtc_dirs(dirs: Vec<PathBuf>) {
    #[cfg(feature = "cuda")]
    cuda::set_nvrtc_dirs(dirs);
    #[cfg(not(feature = "cuda"))]
    drop(dirs);
}

static CHOICE: AtomicU8 = AtomicU8::new(2);

fn encode(c: Choice) -> u8 {
    match c {
        Choice::Cpu => 0,
        Choice::Cuda => 1,
        Choice::Auto => 2,
    }
}

/// The process-wide default choice (`auto` unless changed).
pub fn current_choice() -> Choice {
    match CHOICE.load(Ordering::Relaxed) {
        0 => Choice::Cpu,
        1 => Choice::Cuda,
        _ => Choice::Auto,
    }
}

/// Set the process-wide default; asking for CUDA where it is unavailable fails with the reason.
pub fn set_choice(choice: Choice) -> Result<()> {
    if choice == Choice::Cuda {
        require_cuda()?;
    }
    CHOICE.store(encode(choice), Ordering::Relaxed);
    Ok(())
}

/// `Ok` where CUDA can be used, else `BackendUnavailable` with the reason.
pub(crate) fn require_cuda() -> Result<()> {
    let status = cuda_status();
    if status.available {
        Ok(())
    } else {
        Err(Error::BackendUnavailable(format!("CUDA backend unavailable: {}", status.reason)))
    }
}

pub fn available() -> Vec<Backend> {
    let mut v = vec![Backend::Cpu];
    if cuda_status().available {
        v.push(Backend::Cuda);
    }
    v
}

/// Resolve a per-call request (or the process default) to a backend. `work` is the number of
/// elementary updates the call will do; `auto` sends only work of at least `auto_threshold`
/// units to the GPU, since smaller jobs are dominated by launch and transfer costs.
pub fn resolve(requested: Option<Choice>, work: f64, auto_threshold: f64) -> Result<Backend> {
    match requested.unwrap_or_else(current_choice) {
        Choice::Cpu => Ok(Backend::Cpu),
        Choice::Cuda => require_cuda().map(|_| Backend::Cuda),
        Choice::Auto => {
            if work < auto_threshold {
                return Ok(Backend::Cpu);
            }
            let status = cuda_status();
            if status.available {
                return Ok(Backend::Cuda);
            }
            if HAS_CUDA {
                log::info!("backend 'auto': running on the CPU because CUDA is unavailable: {}", status.reason);
            }
            Ok(Backend::Cpu)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_resolve() {
        assert_eq!(Choice::parse("CPU").unwrap(), Choice::Cpu);
        assert!(Choice::parse("tpu").is_err());
        let rocm = Choice::parse("ROCm").unwrap_err().to_string();
        assert!(rocm.contains("no ROCm/HIP backend"), "{rocm}");
        assert!(Choice::parse("metal").unwrap_err().to_string().contains("no Metal backend"));
        assert_eq!(cuda_version_text(12040), "12.4");
        assert_eq!(cuda_version_text(13000), "13.0");
        assert_eq!(resolve(Some(Choice::Cpu), 1e12, 0.0).unwrap(), Backend::Cpu);
        assert_eq!(resolve(Some(Choice::Auto), 1.0, 1e9).unwrap(), Backend::Cpu);
        if !cuda_status().available {
            let err = resolve(Some(Choice::Cuda), 1.0, 0.0).unwrap_err();
            assert!(matches!(err, Error::BackendUnavailable(_)));
            assert!(set_choice(Choice::Cuda).is_err());
        }
    }
}
