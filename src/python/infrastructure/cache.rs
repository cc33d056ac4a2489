//! `DecisionCache`: the priority LRU cache of `infrastructure::cache` for Python keys and values.
//!
//! Thread safety: one mutex guards the cache, and **no Python code runs while it is held**:
//! keys are hashed before it is taken; removed keys and values are dropped after it is released
//! (a value's `__del__` may use the cache); no Python object is allocated under it (an allocation
//! may start the garbage collector, which runs finalizers); keys are compared under it only when
//! both are of builtin types whose comparison is C code (`str`, `int`, `float`, `bool`, `None` and
//! tuples of them). Any other pair of keys with equal hashes is compared with the lock released:
//! the cache notes its version, compares the stored keys it found, and retakes the lock to act on
//! the equal key by identity, starting again if the cache changed meanwhile. The holder of the
//! lock therefore never waits for anything, and a thread that waits for it (holding the GIL, or
//! attached on a free-threaded build) waits only for a few plain memory operations.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

use pyo3::exceptions::{PyKeyError, PyOverflowError, PyTypeError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple, PyType};

use crate::error::{try_with_capacity, Error};
use crate::infrastructure::cache::{check_ttl, Meta, PriorityCache, Stats, Step, Stop, LEVELS};
use crate::infrastructure::monotonic;
use crate::python::args::{self, PyInt as Int};

/// `CachePriority.High`: what `insert` and `cache[key] = value` store at unless told.
const DEFAULT_LEVEL: usize = 2;
/// How often an operation on a key compared outside the lock starts again because the cache
/// changed meanwhile, before it acts on its last comparison.
const RETRIES: u32 = 8;

/// A stored key: the object and whether it may be compared under the lock.
pub struct Key {
    obj: Py<PyAny>,
    plain: bool,
}

type Cache = PriorityCache<Key, Py<PyAny>>;
type Removed = Vec<(Key, Py<PyAny>)>;
type Eq<'a> = dyn FnMut(&Key) -> Option<bool> + 'a;
type Now<'a> = dyn FnMut() -> Option<f64> + 'a;

/// Whether comparing `obj` with another such key runs no Python code: exact `str`, `int`,
/// `float`, `bool`, `None`, and tuples of them (four levels deep at most). `bytes` is left out:
/// comparing it with `str` can warn (`python -b`), and warnings run Python code.
fn is_plain(obj: &Bound<'_, PyAny>, depth: u32) -> bool {
    obj.is_exact_instance_of::<PyString>()
        || obj.is_exact_instance_of::<PyInt>()
        || obj.is_exact_instance_of::<PyFloat>()
        || obj.is_exact_instance_of::<PyBool>()
        || obj.is_none()
        || (depth < 4 && obj.cast_exact::<PyTuple>().is_ok_and(|t| t.iter().all(|x| is_plain(&x, depth + 1))))
}

/// The comparison made under the lock: identity, or C-level equality of two plain keys; `None`
/// (compare outside) for anything else. A failed comparison (memory) is kept in `error`, to be
/// dropped after the lock is released, and also answers `None`.
fn compare_plain(stored: &Key, key: &Bound<'_, PyAny>, plain: bool, error: &mut Option<PyErr>) -> Option<bool> {
    if stored.obj.as_ptr() == key.as_ptr() {
        return Some(true);
    }
    if !(plain && stored.plain) {
        return None;
    }
    // SAFETY: both pointers are live objects (the caller's key, and a stored key owned by the
    // cache), and the calling thread is attached to the interpreter.
    match unsafe { ffi::PyObject_RichCompareBool(stored.obj.as_ptr(), key.as_ptr(), ffi::Py_EQ) } {
        1 => Some(true),
        0 => Some(false),
        _ => {
            *error = PyErr::take(key.py());
            None
        }
    }
}

/// The key's hash; an unhashable key is `InvalidTypeError` (a `TypeError`, as a dict raises),
/// with the original error as its cause.
fn hash_of(key: &Bound<'_, PyAny>) -> PyResult<u64> {
    let py = key.py();
    key.hash().map(|h| h as u64).map_err(|e| {
        if !e.is_instance_of::<PyTypeError>(py) {
            return e;
        }
        let err: PyErr =
            Error::InvalidType(format!("a cache key must be hashable, got {}", args::type_name(key))).into();
        err.set_cause(py, Some(e));
        err
    })
}

/// A time to live from Python: `None`, or positive and finite seconds.
fn ttl_arg(ttl: Option<f64>) -> PyResult<Option<f64>> {
    Ok(ttl.map(|t| check_ttl(t, "ttl")).transpose()?)
}

/// A priority: a `CachePriority` or an integer (anything with `__index__`, not a bool) in 0..4;
/// `None` is the default, High.
fn level_arg(obj: Option<&Bound<'_, PyAny>>) -> PyResult<usize> {
    let Some(obj) = obj else { return Ok(DEFAULT_LEVEL) };
    let out_of_range = || {
        let shown = obj.repr().map_or_else(|_| "?".into(), |r| r.to_string());
        Error::InvalidInput(format!(
            "priority must be a CachePriority (Low=0, Normal=1, High=2, Critical=3), got {shown}"
        ))
    };
    if obj.is_instance_of::<PyBool>() {
        return Err(Error::InvalidType(format!("priority must be a CachePriority, got the bool {obj}")).into());
    }
    match obj.extract::<i64>() {
        Ok(v) if (0..LEVELS as i64).contains(&v) => Ok(v as usize),
        Ok(_) => Err(out_of_range().into()),
        Err(e) if e.is_instance_of::<PyOverflowError>(obj.py()) => Err(out_of_range().into()),
        Err(_) => {
            Err(Error::InvalidType(format!("priority must be a CachePriority, got {}", args::type_name(obj))).into())
        }
    }
}

/// Any argument, `None` included, as given (`None` only when it was left out).
fn given(obj: &Bound<'_, PyAny>) -> PyResult<Option<Py<PyAny>>> {
    Ok(Some(obj.clone().unbind()))
}

/// A thread-safe priority LRU cache with per-entry time to live, for any hashable key and any
/// Python object; cachetools' mapping interface.
///
/// capacity: the most entries it holds (an int >= 1). ttl: seconds each entry lives unless
/// `insert` says otherwise (None: entries never expire). timer: a callable returning seconds (as
/// `time.monotonic`, which cachetools' TTLCache takes), for tests; None uses a native monotonic clock.
///
/// When full, a new key evicts the entry of the lowest priority (CachePriority.Low < Normal <
/// High < Critical) and, among those, the least recently used one. `cache[key] = value` stores at
/// CachePriority.High with the cache's ttl, as `insert(key, value)` does. Expired entries are
/// never returned; they are removed (and counted in `stats().expirations`) by the next operation.
/// Lookups (`cache[key]`, `get`, `setdefault`) count hits and misses; `in`, `pop` and iteration
/// do not, and do not change recency. Iteration, `keys()`, `values()` and `items()` are snapshots
/// in eviction order: lowest priority first, least recently used first within a priority.
#[pyclass(module = "quantumpanarchy.infrastructure", name = "DecisionCache", frozen, mapping)]
pub struct PyDecisionCache {
    inner: Mutex<Cache>,
    ttl: Option<f64>,
    /// The caller's clock; `None` reads [`monotonic`] (under the lock, where needed).
    timer: Option<Py<PyAny>>,
    /// Whether an entry has an expiry (as the cache said when last unlocked): with a Python
    /// timer, the time is read before the lock is taken when it may be needed.
    expiring: AtomicBool,
}

impl PyDecisionCache {
    /// The lock. A poisoned one is used as it is: the cache is left consistent before anything
    /// that could panic.
    fn lock(&self) -> MutexGuard<'_, Cache> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn read_timer(&self, py: Python<'_>) -> PyResult<Option<f64>> {
        let Some(timer) = &self.timer else { return Ok(None) };
        let value = timer.call0(py)?;
        match value.extract::<f64>(py) {
            Ok(t) if t.is_finite() => Ok(Some(t)),
            _ => Err(Error::InvalidInput(format!(
                "timer() must return a finite number of seconds, got {}",
                value.bind(py).repr().map_or_else(|_| "?".into(), |r| r.to_string())
            ))
            .into()),
        }
    }

    /// The Python timer's reading when an operation may need it (its new entry expires, or some
    /// entry does); `None` otherwise and for the native clock.
    fn early_time(&self, py: Python<'_>, expiring_entry: bool) -> PyResult<Option<f64>> {
        if self.timer.is_some() && (expiring_entry || self.expiring.load(Ordering::Relaxed)) {
            return self.read_timer(py);
        }
        Ok(None)
    }

    /// Runs `op` under the lock, reading the time if it asks for it, and comparing outside the
    /// lock (see the module documentation) if it meets a key it cannot compare there.
    fn with_key<R>(
        &self,
        key: &Bound<'_, PyAny>,
        expiring_entry: bool,
        mut op: impl FnMut(&mut Cache, u64, &mut Eq<'_>, &mut Now<'_>, &mut Removed) -> Step<R>,
    ) -> PyResult<R> {
        let py = key.py();
        let hash = hash_of(key)?;
        let plain = is_plain(key, 0);
        let mut removed = Removed::new();
        let mut failed: Option<PyErr> = None;
        let mut time = self.early_time(py, expiring_entry)?;
        let native = self.timer.is_none();
        loop {
            let step = {
                let mut cache = self.lock();
                let mut now = || time.or_else(|| native.then(monotonic));
                let mut eq = |k: &Key| compare_plain(k, key, plain, &mut failed);
                let step = op(&mut cache, hash, &mut eq, &mut now, &mut removed);
                self.expiring.store(cache.has_expiring(), Ordering::Relaxed);
                step
            };
            match step {
                Ok(r) => return Ok(r),
                Err(Stop::NeedsTime) => time = self.read_timer(py)?,
                Err(Stop::Unsure) => return self.compared_outside(key, hash, time, op, &mut removed),
                Err(Stop::Failed(e)) => return Err(e.into()),
            }
        }
    }

    /// [`Self::with_key`] for a key that met a stored key of the same hash that only Python can
    /// compare with it.
    fn compared_outside<R>(
        &self,
        key: &Bound<'_, PyAny>,
        hash: u64,
        mut time: Option<f64>,
        mut op: impl FnMut(&mut Cache, u64, &mut Eq<'_>, &mut Now<'_>, &mut Removed) -> Step<R>,
        removed: &mut Removed,
    ) -> PyResult<R> {
        let py = key.py();
        let native = self.timer.is_none();
        let mut retries = 0;
        loop {
            let (candidates, version) = {
                let cache = self.lock();
                let mut candidates: Vec<Py<PyAny>> = Vec::new();
                cache.candidates(hash, |k| candidates.push(k.obj.clone_ref(py)));
                (candidates, cache.version())
            };
            // the stored key equal to `key` (dict's order of comparison: stored == given)
            let mut equal: Option<Py<PyAny>> = None;
            for candidate in candidates {
                let c = candidate.bind(py);
                if c.is(key) || c.eq(key)? {
                    equal = Some(candidate);
                    break;
                }
            }
            let target = equal.as_ref().map(|k| k.as_ptr());
            loop {
                let step = {
                    let mut cache = self.lock();
                    if cache.version() != version && retries < RETRIES {
                        None
                    } else {
                        let mut now = || time.or_else(|| native.then(monotonic));
                        let mut eq = |k: &Key| Some(Some(k.obj.as_ptr()) == target);
                        let step = op(&mut cache, hash, &mut eq, &mut now, removed);
                        self.expiring.store(cache.has_expiring(), Ordering::Relaxed);
                        Some(step)
                    }
                };
                match step {
                    None => {
                        retries += 1;
                        break;
                    }
                    Some(Ok(r)) => return Ok(r),
                    Some(Err(Stop::NeedsTime)) => time = self.read_timer(py)?,
                    Some(Err(Stop::Unsure)) => {
                        return Err(Error::Internal("a comparison by identity was unsure".into()).into())
                    }
                    Some(Err(Stop::Failed(e))) => return Err(e.into()),
                }
            }
        }
    }

    /// Runs a keyless `op` under the lock, reading the time if it asks for it.
    fn without_key<R>(
        &self,
        py: Python<'_>,
        mut op: impl FnMut(&mut Cache, &mut Now<'_>, &mut Removed) -> Step<R>,
    ) -> PyResult<(R, Removed)> {
        let mut removed = Removed::new();
        let mut time = self.early_time(py, false)?;
        let native = self.timer.is_none();
        loop {
            let step = {
                let mut cache = self.lock();
                let mut now = || time.or_else(|| native.then(monotonic));
                let step = op(&mut cache, &mut now, &mut removed);
                self.expiring.store(cache.has_expiring(), Ordering::Relaxed);
                step
            };
            match step {
                Ok(r) => return Ok((r, removed)),
                Err(Stop::NeedsTime) => time = self.read_timer(py)?,
                Err(Stop::Unsure) => return Err(Error::Internal("a keyless operation compared keys".into()).into()),
                Err(Stop::Failed(e)) => return Err(e.into()),
            }
        }
    }

    /// The live value of `key`, counting a hit or a miss.
    fn lookup(&self, key: &Bound<'_, PyAny>) -> PyResult<Option<Py<PyAny>>> {
        let py = key.py();
        self.with_key(key, false, |c, hash, eq, now, out| Ok(c.get(hash, eq, now, out)?.map(|v| v.clone_ref(py))))
    }

    fn store(&self, key: &Bound<'_, PyAny>, value: &Bound<'_, PyAny>, level: usize, ttl: Option<f64>) -> PyResult<()> {
        let plain = is_plain(key, 0);
        let ttl = ttl.or(self.ttl);
        self.with_key(key, ttl.is_some(), |c, hash, eq, now, out| {
            let make = || (Key { obj: key.clone().unbind(), plain }, value.clone().unbind());
            c.insert(hash, eq, make, level, ttl, now, out)
        })
    }

    fn remove(&self, key: &Bound<'_, PyAny>) -> PyResult<Option<(Key, Py<PyAny>)>> {
        self.with_key(key, false, |c, hash, eq, now, out| c.remove(hash, eq, now, out))
    }

    /// Every live entry in eviction order, with its level and remaining time to live.
    #[allow(clippy::type_complexity)]
    fn snapshot(&self, py: Python<'_>) -> PyResult<Vec<(Py<PyAny>, Py<PyAny>, Meta)>> {
        let (entries, _removed) = self.without_key(py, |c, now, out| {
            let n = c.stored();
            let mut entries = try_with_capacity(n, "a snapshot of the cache")?;
            c.entries(now, out, |k, v, meta| entries.push((k.obj.clone_ref(py), v.clone_ref(py), meta)))?;
            Ok(entries)
        })?;
        Ok(entries)
    }
}

#[pymethods]
impl PyDecisionCache {
    #[new]
    #[pyo3(signature = (capacity, ttl = None, timer = None))]
    fn new(
        #[pyo3(from_py_with = args::int)] capacity: Int,
        #[pyo3(from_py_with = args::opt_real)] ttl: Option<f64>,
        timer: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let capacity = args::count(capacity, "capacity", 1)?;
        let ttl = ttl_arg(ttl)?;
        if let Some(t) = timer.filter(|t| !t.is_callable()) {
            return Err(Error::InvalidType(format!("timer must be callable, got {}", args::type_name(t))).into());
        }
        Ok(Self {
            inner: Mutex::new(Cache::new(capacity)?),
            ttl,
            timer: timer.map(|t| t.clone().unbind()),
            expiring: AtomicBool::new(false),
        })
    }

    /// Generic alias support: `DecisionCache[str, float]` in annotations.
    #[classmethod]
    fn __class_getitem__<'py>(cls: &Bound<'py, PyType>, item: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        cls.py().import("types")?.getattr("GenericAlias")?.call1((cls, item))
    }

    /// The most entries the cache holds (cachetools' name; the `capacity` it was made with).
    #[getter]
    fn maxsize(&self) -> usize {
        self.lock().capacity()
    }

    /// The number of live entries (cachetools' name; the same as `len(cache)`).
    #[getter]
    fn currsize(&self, py: Python<'_>) -> PyResult<usize> {
        self.__len__(py)
    }

    /// Seconds an entry lives unless `insert` says otherwise (None: forever).
    #[getter]
    fn ttl(&self) -> Option<f64> {
        self.ttl
    }

    /// The clock given as `timer` (None: the native monotonic clock).
    #[getter]
    fn timer(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        self.timer.as_ref().map(|t| t.clone_ref(py))
    }

    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        Ok(self.without_key(py, |c, now, out| c.len(now, out))?.0)
    }

    fn __contains__(&self, key: &Bound<'_, PyAny>) -> PyResult<bool> {
        self.with_key(key, false, |c, hash, eq, now, out| c.contains(hash, eq, now, out))
    }

    /// `cache[key]`: the value (KeyError when missing or expired); a hit or a miss.
    fn __getitem__(&self, key: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.lookup(key)?.ok_or_else(|| PyKeyError::new_err(key.clone().unbind()))
    }

    /// `cache[key] = value`: `insert(key, value)` at CachePriority.High with the cache's ttl.
    fn __setitem__(&self, key: &Bound<'_, PyAny>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.store(key, value, DEFAULT_LEVEL, None)
    }

    /// `del cache[key]` (KeyError when missing or expired).
    fn __delitem__(&self, key: &Bound<'_, PyAny>) -> PyResult<()> {
        match self.remove(key)? {
            Some(entry) => {
                drop(entry);
                Ok(())
            }
            None => Err(PyKeyError::new_err(key.clone().unbind())),
        }
    }

    /// The keys, a snapshot in eviction order.
    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.keys(py)?.into_any().try_iter().map(Bound::into_any)
    }

    /// `get(key, default=None)`: the value, or `default` when missing or expired; a hit or a miss.
    #[pyo3(signature = (key, default = None))]
    fn get(&self, py: Python<'_>, key: &Bound<'_, PyAny>, default: Option<Py<PyAny>>) -> PyResult<Py<PyAny>> {
        Ok(self.lookup(key)?.or(default).unwrap_or_else(|| py.None()))
    }

    /// `insert(key, value, priority=CachePriority.High, ttl=None)`: store at `priority`, living
    /// `ttl` seconds (None: the cache's ttl). An existing key gets the new value, priority and
    /// expiry, and becomes the most recently used.
    #[pyo3(signature = (key, value, priority = None, ttl = None))]
    #[pyo3(text_signature = "(self, key, value, priority=quantumpanarchy.infrastructure.CachePriority.High, ttl=None)")]
    fn insert(
        &self,
        key: &Bound<'_, PyAny>,
        value: &Bound<'_, PyAny>,
        priority: Option<&Bound<'_, PyAny>>,
        #[pyo3(from_py_with = args::opt_real)] ttl: Option<f64>,
    ) -> PyResult<()> {
        let level = level_arg(priority)?;
        self.store(key, value, level, ttl_arg(ttl)?)
    }

    /// `pop(key[, default])`: remove the key and return its value; `default` when missing or
    /// expired, KeyError if no default was given. No hit or miss is counted.
    #[pyo3(signature = (key, default = None))]
    #[pyo3(text_signature = "(self, key, default=...)")]
    fn pop(
        &self,
        key: &Bound<'_, PyAny>,
        #[pyo3(from_py_with = given)] default: Option<Py<PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        match (self.remove(key)?, default) {
            (Some((_key, value)), _) => Ok(value),
            (None, Some(default)) => Ok(default),
            (None, None) => Err(PyKeyError::new_err(key.clone().unbind())),
        }
    }

    /// Remove and return the `(key, value)` pair that would be evicted next (KeyError when empty).
    fn popitem(&self, py: Python<'_>) -> PyResult<(Py<PyAny>, Py<PyAny>)> {
        let (item, _removed) = self.without_key(py, |c, now, out| c.pop_next(now, out))?;
        match item {
            Some((key, value)) => Ok((key.obj, value)),
            None => Err(PyKeyError::new_err("DecisionCache is empty")),
        }
    }

    /// `setdefault(key, default=None)`: the key's live value (a hit), or else store `default` (at
    /// CachePriority.High with the cache's ttl) and return it (a miss).
    #[pyo3(signature = (key, default = None))]
    fn setdefault(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        default: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let none = py.None().into_bound(py);
        let value = default.unwrap_or(&none);
        let plain = is_plain(key, 0);
        let found = self.with_key(key, self.ttl.is_some(), |c, hash, eq, now, out| {
            let make = || (Key { obj: key.clone().unbind(), plain }, value.clone().unbind());
            Ok(c.get_or_insert(hash, eq, make, DEFAULT_LEVEL, self.ttl, now, out)?.map(|v| v.clone_ref(py)))
        })?;
        Ok(found.unwrap_or_else(|| value.clone().unbind()))
    }

    /// `update(other=(), /, **kwargs)`: store every pair of a mapping or an iterable of pairs,
    /// then the keyword arguments, as `cache[key] = value` does.
    #[pyo3(signature = (other = None, /, **kwargs))]
    fn update(&self, other: Option<&Bound<'_, PyAny>>, kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<()> {
        if let Some(other) = other {
            if other.hasattr("keys")? {
                for key in other.call_method0("keys")?.try_iter()? {
                    let key = key?;
                    self.__setitem__(&key, &other.get_item(&key)?)?;
                }
            } else {
                for pair in other.try_iter()? {
                    let (key, value): (Bound<'_, PyAny>, Bound<'_, PyAny>) = pair?.extract()?;
                    self.__setitem__(&key, &value)?;
                }
            }
        }
        if let Some(kwargs) = kwargs {
            for (key, value) in kwargs.iter() {
                self.__setitem__(&key, &value)?;
            }
        }
        Ok(())
    }

    /// Remove every entry (the statistics are kept).
    fn clear(&self) {
        let cleared = self.lock().clear();
        self.expiring.store(false, Ordering::Relaxed);
        drop(cleared);
    }

    /// The keys, a list in eviction order (a snapshot: later changes do not show in it).
    fn keys<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.snapshot(py)?.into_iter().map(|(k, _, _)| k))
    }

    /// The values, a list in eviction order (a snapshot).
    fn values<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.snapshot(py)?.into_iter().map(|(_, v, _)| v))
    }

    /// The `(key, value)` pairs, a list in eviction order (a snapshot).
    fn items<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.snapshot(py)?.into_iter().map(|(k, v, _)| (k, v)))
    }

    /// Remove the entries that have expired and return them as `(key, value)` pairs, soonest
    /// expiry first (cachetools' `TTLCache.expire`). `time`: the time to expire at (default: now).
    #[pyo3(signature = (time = None))]
    fn expire<'py>(
        &self,
        py: Python<'py>,
        #[pyo3(from_py_with = args::opt_real)] time: Option<f64>,
    ) -> PyResult<Bound<'py, PyList>> {
        if time.is_some_and(|t| !t.is_finite()) {
            return Err(Error::InvalidInput(format!("time must be finite, got {time:?}")).into());
        }
        let native = self.timer.is_none();
        let mut at = match time {
            Some(t) => Some(t),
            None => self.read_timer(py)?,
        };
        let removed = loop {
            let mut removed = Removed::new();
            let step = {
                let mut cache = self.lock();
                let step = cache.expire(|| at.or_else(|| native.then(monotonic)), &mut removed);
                self.expiring.store(cache.has_expiring(), Ordering::Relaxed);
                step
            };
            match step {
                Ok(()) => break removed,
                Err(Stop::NeedsTime) => at = self.read_timer(py)?,
                Err(Stop::Failed(e)) => return Err(e.into()),
                Err(Stop::Unsure) => return Err(Error::Internal("expire compared keys".into()).into()),
            }
        };
        PyList::new(py, removed.into_iter().map(|(k, v)| (k.obj, v)))
    }

    /// Hits, misses, evictions and expirations so far, with the current and maximum size.
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let ((len, s, capacity), _removed) =
            self.without_key(py, |c, now, out| Ok((c.len(now, out)?, c.stats(), c.capacity())))?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("hits", s.hits)?;
        kwargs.set_item("misses", s.misses)?;
        kwargs.set_item("evictions", s.evictions)?;
        kwargs.set_item("expirations", s.expirations)?;
        kwargs.set_item("currsize", len)?;
        kwargs.set_item("maxsize", capacity)?;
        args::make(py, "quantumpanarchy._infrastructure.cache", "CacheStats", &kwargs)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let len = self.__len__(py)?;
        let capacity = self.lock().capacity();
        let ttl = self.ttl.map_or_else(|| "None".to_string(), |t| format!("{t:?}"));
        Ok(format!("DecisionCache(capacity={capacity}, ttl={ttl}, currsize={len})"))
    }

    /// Pickling: the settings, then the live entries in eviction order with their priority and
    /// remaining time to live, and the statistics.
    #[allow(clippy::type_complexity)]
    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, (usize, Option<f64>, Option<Py<PyAny>>), (Bound<'py, PyList>, [u64; 4]))> {
        let py = slf.py();
        let this = slf.get();
        let entries = this.snapshot(py)?;
        let entries = PyList::new(py, entries.into_iter().map(|(k, v, meta)| (k, v, meta.level, meta.remaining)))?;
        let (s, capacity) = {
            let cache = this.lock();
            (cache.stats(), cache.capacity())
        };
        let stats = [s.hits, s.misses, s.evictions, s.expirations];
        Ok((py.get_type::<Self>().into_any(), (capacity, this.ttl, this.timer(py)), (entries, stats)))
    }

    #[allow(clippy::type_complexity)]
    fn __setstate__(
        &self,
        state: (Vec<(Bound<'_, PyAny>, Bound<'_, PyAny>, usize, Option<f64>)>, [u64; 4]),
    ) -> PyResult<()> {
        let (entries, [hits, misses, evictions, expirations]) = state;
        for (key, value, level, remaining) in entries {
            let level = if level < LEVELS { level } else { DEFAULT_LEVEL };
            let plain = is_plain(&key, 0);
            let remaining = ttl_arg(remaining)?;
            self.with_key(&key, remaining.is_some(), |c, hash, eq, now, out| {
                let make = || (Key { obj: key.clone().unbind(), plain }, value.clone().unbind());
                c.insert(hash, eq, make, level, remaining, now, out)
            })?;
        }
        self.lock().set_stats(Stats { hits, misses, evictions, expirations });
        Ok(())
    }
}
