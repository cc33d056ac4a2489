//! Driver errors as the crate's error: what failed, and what the user can do about it.

use super::guard::guard_quiet;
use crate::error::Error;
use cudarc::driver::sys::CUresult;
use cudarc::driver::DriverError;

/// A driver error met while doing `what`, as the crate's error: no memory is a resource limit
/// (quoting `estimate`, the memory the work needs), a lost or missing device is unavailability,
/// anything else a bug.
pub fn driver_error(e: DriverError, what: &str, estimate: &str) -> Error {
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

/// `map_err` adapter: `stream.alloc_zeros(n).map_err(on_error("allocating the state", &estimate))`.
pub fn on_error<'a>(what: &'a str, estimate: &'a str) -> impl Fn(DriverError) -> Error + 'a {
    move |e| driver_error(e, what, estimate)
}

/// A driver error as "CUDA_ERROR_NAME: description" (the name alone where the driver cannot
/// describe it).
pub(super) fn describe(e: DriverError) -> String {
    let text = guard_quiet(|| e.error_string().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default());
    match text {
        Ok(text) if !text.is_empty() => format!("{:?}: {text}", e.0),
        _ => format!("{:?}", e.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn driver_errors_map_to_what_the_user_can_do() {
        let err = |code| driver_error(DriverError(code), "allocating the state", "about 2 GiB");
        let oom = err(CUresult::CUDA_ERROR_OUT_OF_MEMORY);
        assert!(matches!(&oom, Error::ResourceLimit(m) if m.contains("about 2 GiB") && m.contains("allocating")));
        let gone = err(CUresult::CUDA_ERROR_DEVICE_UNAVAILABLE);
        assert!(matches!(&gone, Error::BackendUnavailable(m) if m.contains("CUDA_ERROR_DEVICE_UNAVAILABLE")));
        assert!(matches!(err(CUresult::CUDA_ERROR_ILLEGAL_ADDRESS), Error::Internal(_)));
        assert_eq!(
            on_error("x", "y")(DriverError(CUresult::CUDA_ERROR_OUT_OF_MEMORY)),
            driver_error(DriverError(CUresult::CUDA_ERROR_OUT_OF_MEMORY), "x", "y")
        );
    }
}
