//! Locks on objects that Python threads share.
//!
//! A thread must never wait for a lock while it holds the GIL: the holder may need the GIL
//! before it lets go (argument validation runs Python code, and the interpreter hands the GIL
//! to other threads in between), and the two would wait for each other forever. So a contended
//! acquisition waits with the GIL released, then tries again.

use pyo3::prelude::*;
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard, TryLockError};

/// A shared guard, waiting (if it must) with the GIL released. A poisoned lock is still used:
/// every writer leaves the data consistent before anything that can panic.
pub fn read<'a, T: Send + Sync>(py: Python<'_>, lock: &'a RwLock<T>) -> RwLockReadGuard<'a, T> {
    loop {
        match lock.try_read() {
            Ok(g) => return g,
            Err(TryLockError::Poisoned(e)) => return e.into_inner(),
            Err(TryLockError::WouldBlock) => py.detach(|| drop(lock.read())),
        }
    }
}

/// An exclusive guard, waiting (if it must) with the GIL released.
pub fn write<'a, T: Send + Sync>(py: Python<'_>, lock: &'a RwLock<T>) -> RwLockWriteGuard<'a, T> {
    loop {
        match lock.try_write() {
            Ok(g) => return g,
            Err(TryLockError::Poisoned(e)) => return e.into_inner(),
            Err(TryLockError::WouldBlock) => py.detach(|| drop(lock.write())),
        }
    }
}
