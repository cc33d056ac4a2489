//! The panic guard. cudarc loads libcuda on first use and *panics* when the library or one of its
//! symbols is missing; every entry point of the CUDA code runs under [`guarded`], so a machine
//! without a driver gets an error, never a crash.

use crate::error::{Error, Result};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

/// Run a fallible entry point under [`guard`]: a panic becomes `Error::Internal`.
pub fn guarded<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    guard(f).unwrap_or_else(|msg| Err(Error::Internal(format!("the CUDA backend panicked: {msg}"))))
}

/// Run `f`, turning a panic into `Err(message)`.
pub fn guard<T>(f: impl FnOnce() -> T) -> std::result::Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into())
    })
}

/// [`guard`] that also keeps this thread's panic message off stderr: a missing driver is an
/// expected condition, reported through the status, not a crash report. Panics of other threads
/// in the meantime still reach the previous hook.
pub fn guard_quiet<T>(f: impl FnOnce() -> T) -> std::result::Result<T, String> {
    let me = std::thread::current().id();
    let previous = Arc::new(std::panic::take_hook());
    let forward = Arc::clone(&previous);
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().id() != me {
            forward(info);
        }
    }));
    let result = guard(f);
    drop(std::panic::take_hook());
    match Arc::try_unwrap(previous) {
        Ok(hook) => std::panic::set_hook(hook),
        Err(shared) => std::panic::set_hook(Box::new(move |info| shared(info))),
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guard_turns_panics_into_messages() {
        assert_eq!(guard(|| 3), Ok(3));
        let err = guard_quiet(|| -> i32 { panic!("no libcuda here") });
        assert_eq!(err, Err("no libcuda here".to_string()));
        assert_eq!(guard_quiet(|| 4), Ok(4));
        let owned = guard_quiet(|| -> i32 { panic!("{}", String::from("formatted")) });
        assert_eq!(owned, Err("formatted".to_string()));
        let err = guarded(|| -> Result<()> { panic!("boom") }).unwrap_err();
        assert!(matches!(&err, Error::Internal(m) if m.contains("boom")), "{err:?}");
    }
}
