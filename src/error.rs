//! The crate's one error type, and (with the `python` feature) its one mapping to the Python
//! exception hierarchy defined in `python/quantumpanarchy/exceptions.py`.

/// Every failure the domain code reports. Expected failures are values of this type; a panic is a
/// bug and is reported to Python as `InternalError`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// Bad arguments: NaN/inf, wrong shape, out-of-range values, asymmetric couplings, ...
    #[error("{0}")]
    InvalidInput(String),
    /// A backend was asked for that this build or this machine cannot provide.
    #[error("{0}")]
    BackendUnavailable(String),
    /// The problem would not fit in memory (or exceeds a documented size limit).
    #[error("{0}")]
    ResourceLimit(String),
    /// The caller cancelled the run (Ctrl-C).
    #[error("interrupted")]
    Interrupted,
    /// A broken invariant inside the library: always a bug.
    #[error("internal error (a bug in quantumpanarchy, please report it): {0}")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// `invalid!("x must be > 0, got {x}")` builds an [`Error::InvalidInput`].
#[macro_export]
macro_rules! invalid {
    ($($arg:tt)*) => { $crate::error::Error::InvalidInput(format!($($arg)*)) };
}

/// Returns `Err(InvalidInput)` with the message unless `cond` holds.
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $($arg:tt)*) => {
        match $cond {
            true => {}
            false => return Err($crate::invalid!($($arg)*)),
        }
    };
}

/// `Err(InvalidInput)` naming the first non-finite value of `values` (`what` names them).
pub fn check_finite(values: &[f64], what: &str) -> Result<()> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(k) => Err(Error::InvalidInput(format!("{what} must be finite, found {} at position {k}", values[k]))),
        None => Ok(()),
    }
}

/// `Err(InvalidInput)` unless the row-major n×n `m` is symmetric within `rtol` of its largest
/// entry.
pub fn check_symmetric(m: &[f64], n: usize, rtol: f64, what: &str) -> Result<()> {
    let scale = m.iter().fold(0.0f64, |a, v| a.max(v.abs()));
    for i in 0..n {
        for j in 0..i {
            let (a, b) = (m[i * n + j], m[j * n + i]);
            if (a - b).abs() > rtol * scale {
                return Err(Error::InvalidInput(format!(
                    "{what} must be symmetric: [{i},{j}] = {a} but [{j},{i}] = {b}"
                )));
            }
        }
    }
    Ok(())
}

/// `Err(ResourceLimit)` unless `count` values of `T` can be allocated. Called before allocating
/// any size a caller chose, so an impossible request raises instead of aborting the process.
pub fn check_alloc<T>(count: u128, what: &str) -> Result<()> {
    let bytes = count.saturating_mul(std::mem::size_of::<T>() as u128);
    let fits = usize::try_from(count).ok().filter(|_| bytes <= isize::MAX as u128);
    match fits.map(|c| Vec::<T>::new().try_reserve_exact(c)) {
        Some(Ok(())) => Ok(()),
        _ => Err(Error::ResourceLimit(format!(
            "{what} needs {:.1} GiB of memory, more than can be allocated here",
            bytes as f64 / (1u64 << 30) as f64
        ))),
    }
}

#[cfg(feature = "python")]
mod python_mapping {
    use super::Error;
    use pyo3::exceptions::PyKeyboardInterrupt;
    use pyo3::PyErr;

    pyo3::import_exception!(quantumpanarchy.exceptions, InvalidInputError);
    pyo3::import_exception!(quantumpanarchy.exceptions, BackendUnavailableError);
    pyo3::import_exception!(quantumpanarchy.exceptions, ResourceLimitError);
    pyo3::import_exception!(quantumpanarchy.exceptions, InternalError);

    impl From<Error> for PyErr {
        fn from(err: Error) -> PyErr {
            let msg = err.to_string();
            match err {
                Error::InvalidInput(_) => InvalidInputError::new_err(msg),
                Error::BackendUnavailable(_) => BackendUnavailableError::new_err(msg),
                Error::ResourceLimit(_) => ResourceLimitError::new_err(msg),
                Error::Interrupted => PyKeyboardInterrupt::new_err(msg),
                Error::Internal(_) => InternalError::new_err(msg),
            }
        }
    }
}
