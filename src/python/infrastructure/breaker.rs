//! `CircuitBreaker`: the breaker of `infrastructure::breaker` around Python callables, with
//! pybreaker's interface (listeners, excluded errors, manual transitions, decorator).
//!
//! A call through a closed breaker with no listeners is: one atomic load, the call, and one more
//! atomic load after a success. Listeners, exclusions and the clock are only consulted off that
//! path. No lock is held while Python code runs (listeners are told after the state changed).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

use pyo3::exceptions::{PyException, PyTypeError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyString, PyTuple, PyType};

use crate::error::Error;
use crate::infrastructure::breaker::{Admission, Breaker, Refusal, Settings, Snapshot, State, Ticket, Transition};
use crate::infrastructure::monotonic;
use crate::python::args::{self, PyInt as Int};

const HELPERS: &str = "quantumpanarchy._infrastructure.breaker";
const HOOKS: [&str; 4] = ["before_call", "failure", "success", "state_change"];

/// A circuit breaker around calls to a service that may fail (pybreaker's interface).
///
/// Closed, it lets calls through and counts consecutive failures (an exception that is an
/// `Exception` and not excluded); `failure_threshold` of them open it. Open, it refuses calls with
/// CircuitOpenError until `timeout_ms` milliseconds have passed, then lets one trial call through
/// (half-open; calls made while the trial runs are refused). A failed trial opens it again;
/// `success_threshold` successful trials in a row close it. The failure that opens it raises
/// CircuitOpenError (its `__cause__` is the failure) unless `throw_new_error_on_trip` is false.
///
/// exclude: exception classes, or predicates taking the exception, for errors that are not the
/// service's fault (they count as successes, as in pybreaker, and are raised as they are).
/// listeners: objects with pybreaker's hooks `before_call(cb, func, *args, **kwargs)`,
/// `failure(cb, exc)`, `success(cb)` and `state_change(cb, old_state, new_state)` (subclass
/// CircuitBreakerListener). clock: a callable returning seconds (as `time.monotonic`), for tests;
/// None uses a native monotonic clock. `KeyboardInterrupt`, `SystemExit` and
/// `asyncio.CancelledError` pass through without counting.
#[pyclass(module = "quantumpanarchy.infrastructure", name = "CircuitBreaker", frozen)]
pub struct PyCircuitBreaker {
    core: Breaker,
    clock: Option<Py<PyAny>>,
    name: Mutex<Option<Py<PyString>>>,
    listeners: Mutex<Py<PyTuple>>,
    has_listeners: AtomicBool,
    exclude: Mutex<Py<PyTuple>>,
    throw_new_error_on_trip: bool,
}

fn locked<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Only Python references are stored (no invariant a panic could break).
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A tuple of the items of `obj` (any iterable; None is empty).
fn tuple_of<'py>(py: Python<'py>, obj: Option<&Bound<'py, PyAny>>, what: &str) -> PyResult<Bound<'py, PyTuple>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else { return Ok(PyTuple::empty(py)) };
    let items = obj
        .try_iter()
        .map_err(|_| Error::InvalidType(format!("{what} must be an iterable, got {}", args::type_name(obj))))?
        .collect::<PyResult<Vec<_>>>()?;
    PyTuple::new(py, items)
}

fn check_listener(listener: &Bound<'_, PyAny>) -> PyResult<()> {
    for hook in HOOKS {
        if !listener.getattr(hook).is_ok_and(|h| h.is_callable()) {
            return Err(Error::InvalidType(format!(
                "a listener needs the methods {} (subclass CircuitBreakerListener); {} has no {hook}",
                HOOKS.join(", "),
                args::type_name(listener)
            ))
            .into());
        }
    }
    Ok(())
}

fn check_exclusion(exclusion: &Bound<'_, PyAny>) -> PyResult<()> {
    let py = exclusion.py();
    let is_error_class = exclusion
        .cast::<PyType>()
        .is_ok_and(|t| t.is_subclass(&py.get_type::<pyo3::exceptions::PyBaseException>()).unwrap_or(false));
    if is_error_class || (!exclusion.is_instance_of::<PyType>() && exclusion.is_callable()) {
        return Ok(());
    }
    Err(Error::InvalidType(format!(
        "exclude takes exception classes or predicates (callables taking the exception), got {}",
        exclusion.repr().map_or_else(|_| "?".into(), |r| r.to_string())
    ))
    .into())
}

fn count(value: Int, name: &str) -> PyResult<u64> {
    Ok(args::count(value, name, 1)? as u64)
}

fn timeout_seconds(ms: f64) -> PyResult<f64> {
    if !(ms.is_finite() && ms >= 0.0) {
        return Err(Error::InvalidInput(format!("timeout_ms must be a finite, non-negative number, got {ms}")).into());
    }
    Ok(ms / 1e3)
}

/// The name as given, for messages.
fn label(name: &Option<Py<PyString>>, py: Python<'_>) -> String {
    match name {
        Some(n) => format!("circuit breaker {}", n.bind(py).repr().map_or_else(|_| "?".into(), |r| r.to_string())),
        None => "circuit breaker".into(),
    }
}

impl PyCircuitBreaker {
    fn now(&self, py: Python<'_>) -> PyResult<f64> {
        let Some(clock) = &self.clock else { return Ok(monotonic()) };
        let value = clock.call0(py)?;
        match value.extract::<f64>(py) {
            Ok(t) if t.is_finite() => Ok(t),
            _ => Err(Error::InvalidInput(format!(
                "clock() must return a finite number of seconds, got {}",
                value.bind(py).repr().map_or_else(|_| "?".into(), |r| r.to_string())
            ))
            .into()),
        }
    }

    fn label(&self, py: Python<'_>) -> String {
        label(&locked(&self.name), py)
    }

    fn listeners<'py>(&self, py: Python<'py>) -> Bound<'py, PyTuple> {
        locked(&self.listeners).bind(py).clone()
    }

    /// Replaces a tuple setting with `f(current)`; the new tuple is built with no lock held (it
    /// is a Python allocation) and installed only if no one changed the setting meanwhile.
    fn update_tuple<'py>(
        &self,
        py: Python<'py>,
        cell: &Mutex<Py<PyTuple>>,
        f: impl Fn(&Bound<'py, PyTuple>) -> PyResult<Bound<'py, PyTuple>>,
    ) -> PyResult<()> {
        loop {
            let current = locked(cell).bind(py).clone();
            let new = f(&current)?;
            let old = {
                let mut slot = locked(cell);
                if !slot.bind(py).is(&current) {
                    continue;
                }
                std::mem::replace(&mut *slot, new.unbind())
            };
            if std::ptr::eq(cell, &self.listeners) {
                self.has_listeners.store(!self.listeners(py).is_empty(), Ordering::Relaxed);
            }
            drop(old);
            return Ok(());
        }
    }

    fn state_object<'py>(py: Python<'py>, state: State) -> PyResult<Bound<'py, PyAny>> {
        static CIRCUIT_STATE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
        CIRCUIT_STATE.import(py, HELPERS, "CircuitState")?.call1((state.name(),))
    }

    fn notify_change(&self, slf: &Bound<'_, Self>, change: Transition) -> PyResult<()> {
        let py = slf.py();
        let listeners = self.listeners(py);
        if listeners.is_empty() {
            return Ok(());
        }
        let (from, to) = (Self::state_object(py, change.from)?, Self::state_object(py, change.to)?);
        for listener in listeners.iter() {
            listener.call_method1("state_change", (slf, &from, &to))?;
        }
        Ok(())
    }

    /// Admits a call (asking for the time only when the breaker is not closed) and tells the
    /// listeners; a refusal is CircuitOpenError.
    fn admit(
        &self,
        slf: &Bound<'_, Self>,
        func: &Bound<'_, PyAny>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Ticket> {
        let py = slf.py();
        let mut now = None;
        let (ticket, change) = loop {
            match self.core.admit(now) {
                Admission::Admitted(ticket, change) => break (ticket, change),
                Admission::NeedsTime => now = Some(self.now(py)?),
                Admission::Refused(refusal) => {
                    let why = match refusal {
                        Refusal::Open { remaining } => format!("is open: a trial call is allowed in {remaining:.3} s"),
                        Refusal::TrialRunning => "is half-open and its trial call is still running".into(),
                    };
                    return Err(Error::CircuitOpen(format!("{} {why}", self.label(py))).into());
                }
            }
        };
        if self.has_listeners.load(Ordering::Relaxed) {
            let told = change.map_or(Ok(()), |c| self.notify_change(slf, c)).and_then(|()| {
                let listeners = self.listeners(py);
                if listeners.is_empty() {
                    return Ok(());
                }
                let mut call_args = vec![slf.clone().into_any(), func.clone()];
                call_args.extend(args.iter());
                let call_args = PyTuple::new(py, call_args)?;
                for listener in listeners.iter() {
                    listener.getattr("before_call")?.call(&call_args, kwargs)?;
                }
                Ok(())
            });
            if let Err(e) = told {
                self.core.released(ticket);
                return Err(e);
            }
        }
        Ok(ticket)
    }

    /// Records a success (or an excluded error) and tells the listeners.
    fn succeeded(&self, slf: &Bound<'_, Self>, ticket: Ticket) -> PyResult<()> {
        let change = self.core.succeeded(ticket);
        if self.has_listeners.load(Ordering::Relaxed) {
            if let Some(change) = change {
                self.notify_change(slf, change)?;
            }
            for listener in self.listeners(slf.py()).iter() {
                listener.call_method1("success", (slf,))?;
            }
        }
        Ok(())
    }

    /// Records the call's error and returns what to raise: the error itself, CircuitOpenError
    /// from it when it opened the breaker, or whatever a listener or a predicate raised.
    fn failed(&self, slf: &Bound<'_, Self>, ticket: Ticket, err: PyErr) -> PyErr {
        let py = slf.py();
        let exc = err.value(py).clone();
        if !exc.is_instance_of::<PyException>() {
            self.core.released(ticket);
            return err;
        }
        match self.is_system_error(py, exc.as_any()) {
            Err(e) => {
                self.core.released(ticket);
                return e;
            }
            Ok(false) => {
                return match self.succeeded(slf, ticket) {
                    Ok(()) => err,
                    Err(e) => e,
                }
            }
            Ok(true) => {}
        }
        let change = match self.core.failed(ticket, None) {
            Ok(change) => change,
            Err(()) => match self.now(py) {
                Ok(now) => self.core.failed(ticket, Some(now)).unwrap_or(None),
                Err(e) => {
                    self.core.released(ticket);
                    return e;
                }
            },
        };
        if self.has_listeners.load(Ordering::Relaxed) {
            let told = self.listeners(py).iter().try_for_each(|l| l.call_method1("failure", (slf, &exc)).map(drop));
            if let Err(e) = told.and_then(|()| change.map_or(Ok(()), |c| self.notify_change(slf, c))) {
                return e;
            }
        }
        match change {
            Some(c) if c.to == State::Open && self.throw_new_error_on_trip => {
                let why = match c.from {
                    State::HalfOpen => "opened: its trial call failed",
                    _ => "opened: the failure threshold was reached",
                };
                let trip: PyErr = Error::CircuitOpen(format!("{} {why}", self.label(py))).into();
                trip.set_cause(py, Some(err));
                trip
            }
            _ => err,
        }
    }

    fn is_system_error(&self, py: Python<'_>, exc: &Bound<'_, PyAny>) -> PyResult<bool> {
        let exclude = locked(&self.exclude).bind(py).clone();
        for exclusion in exclude.iter() {
            let excluded = match exclusion.cast::<PyType>() {
                Ok(class) => exc.get_type().is_subclass(class)?,
                Err(_) => exclusion.call1((exc,))?.is_truthy()?,
            };
            if excluded {
                return Ok(false);
            }
        }
        Ok(true)
    }

    fn transition(&self, slf: &Bound<'_, Self>, change: Transition) -> PyResult<()> {
        if self.has_listeners.load(Ordering::Relaxed) {
            self.notify_change(slf, change)?;
        }
        Ok(())
    }
}

#[pymethods]
impl PyCircuitBreaker {
    #[new]
    #[pyo3(signature = (
        failure_threshold = 5, timeout_ms = 30000.0, success_threshold = 1, exclude = None, listeners = None,
        name = None, clock = None, throw_new_error_on_trip = true,
    ))]
    #[pyo3(
        text_signature = "(failure_threshold=5, timeout_ms=30000, success_threshold=1, exclude=(), listeners=(), name=None, clock=None, throw_new_error_on_trip=True)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        #[pyo3(from_py_with = args::int)] failure_threshold: Int,
        #[pyo3(from_py_with = args::real)] timeout_ms: f64,
        #[pyo3(from_py_with = args::int)] success_threshold: Int,
        exclude: Option<&Bound<'_, PyAny>>,
        listeners: Option<&Bound<'_, PyAny>>,
        name: Option<&Bound<'_, PyAny>>,
        clock: Option<&Bound<'_, PyAny>>,
        throw_new_error_on_trip: bool,
    ) -> PyResult<Self> {
        let settings = Settings::new(
            count(failure_threshold, "failure_threshold")?,
            count(success_threshold, "success_threshold")?,
            timeout_seconds(timeout_ms)?,
        )?;
        let exclude = tuple_of(py, exclude, "exclude")?;
        exclude.iter().try_for_each(|e| check_exclusion(&e))?;
        let listeners = tuple_of(py, listeners, "listeners")?;
        listeners.iter().try_for_each(|l| check_listener(&l))?;
        let name = match name.filter(|n| !n.is_none()) {
            None => None,
            Some(n) => Some(
                n.cast::<PyString>()
                    .map_err(|_| Error::InvalidType(format!("name must be a str or None, got {}", args::type_name(n))))?
                    .clone()
                    .unbind(),
            ),
        };
        if let Some(c) = clock.filter(|c| !c.is_none() && !c.is_callable()) {
            return Err(Error::InvalidType(format!("clock must be callable, got {}", args::type_name(c))).into());
        }
        Ok(Self {
            core: Breaker::new(settings),
            clock: clock.filter(|c| !c.is_none()).map(|c| c.clone().unbind()),
            name: Mutex::new(name),
            has_listeners: AtomicBool::new(!listeners.is_empty()),
            listeners: Mutex::new(listeners.unbind()),
            exclude: Mutex::new(exclude.unbind()),
            throw_new_error_on_trip,
        })
    }

    /// `call(func, *args, **kwargs)`: call `func` through the breaker and return its result
    /// (CircuitOpenError when the breaker refuses).
    #[pyo3(signature = (func, *args, **kwargs))]
    fn call<'py>(
        slf: &Bound<'py, Self>,
        func: &Bound<'py, PyAny>,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let this = slf.get();
        let ticket = this.admit(slf, func, args, kwargs)?;
        let result = if args.is_empty() && kwargs.is_none() { func.call0() } else { func.call(args, kwargs) };
        match result {
            Ok(value) => {
                this.succeeded(slf, ticket)?;
                Ok(value)
            }
            Err(err) => Err(this.failed(slf, ticket, err)),
        }
    }

    /// `execute(func, *args, **kwargs)`: the same as `call`.
    #[pyo3(signature = (func, *args, **kwargs))]
    fn execute<'py>(
        slf: &Bound<'py, Self>,
        func: &Bound<'py, PyAny>,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        Self::call(slf, func, args, kwargs)
    }

    /// `call_async(func, *args, **kwargs)`: a coroutine that awaits `func(*args, **kwargs)`
    /// through the breaker.
    #[pyo3(signature = (func, *args, **kwargs))]
    fn call_async<'py>(
        slf: &Bound<'py, Self>,
        func: &Bound<'py, PyAny>,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let kwargs = kwargs.map_or_else(|| PyDict::new(py), Bound::clone);
        py.import(HELPERS)?.getattr("call_async")?.call1((slf, func, args, kwargs))
    }

    /// `breaker(func)`: `func` wrapped so that every call goes through the breaker (a coroutine
    /// function stays one). `@breaker` and `@breaker()` both decorate.
    #[pyo3(signature = (*args, **kwargs))]
    fn __call__<'py>(
        slf: &Bound<'py, Self>,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let helpers = py.import(HELPERS)?;
        if kwargs.is_some_and(|k| !k.is_empty()) {
            return Err(PyTypeError::new_err(
                "CircuitBreaker() got an unexpected keyword argument: it decorates a function",
            ));
        }
        match args.len() {
            0 => helpers.getattr("decorator")?.call1((slf,)),
            1 => helpers.getattr("decorate")?.call1((slf, args.get_item(0)?)),
            n => Err(PyTypeError::new_err(format!(
                "CircuitBreaker() takes at most 1 positional argument ({n} given): it decorates a function"
            ))),
        }
    }

    /// `with breaker.calling(): ...`: the block runs as a call through the breaker.
    fn calling<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        slf.py().import(HELPERS)?.getattr("calling")?.call1((slf,))
    }

    /// Admit a call (for the asynchronous and `with` forms): its ticket.
    #[pyo3(signature = (func, args, kwargs))]
    fn _admit(
        slf: &Bound<'_, Self>,
        func: &Bound<'_, PyAny>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<u64> {
        Ok(slf.get().admit(slf, func, args, kwargs)?.to_bits())
    }

    /// Record the success of the call admitted with `ticket`.
    fn _succeeded(slf: &Bound<'_, Self>, ticket: u64) -> PyResult<()> {
        slf.get().succeeded(slf, Ticket::from_bits(ticket))
    }

    /// Record the failure `exc` of the call admitted with `ticket`, and raise what the caller
    /// should see.
    fn _failed(slf: &Bound<'_, Self>, ticket: u64, exc: &Bound<'_, PyAny>) -> PyResult<()> {
        Err(slf.get().failed(slf, Ticket::from_bits(ticket), PyErr::from_value(exc.clone())))
    }

    /// The state: 'closed', 'open' or 'half-open' (pybreaker's strings).
    #[getter]
    fn current_state(&self) -> &'static str {
        self.core.state().name()
    }

    /// Consecutive failures counted (pybreaker's name).
    #[getter]
    fn fail_counter(&self) -> u64 {
        self.core.fail_counter()
    }

    /// Consecutive successful trials in the half-open state (pybreaker's name).
    #[getter]
    fn success_counter(&self) -> u64 {
        self.core.success_counter()
    }

    /// Failures that open the breaker.
    #[getter]
    fn failure_threshold(&self) -> u64 {
        self.core.settings().failure_threshold
    }

    #[setter]
    fn set_failure_threshold(&self, #[pyo3(from_py_with = args::int)] n: Int) -> PyResult<()> {
        Ok(self.core.set_failure_threshold(count(n, "failure_threshold")?)?)
    }

    /// pybreaker's name for `failure_threshold`.
    #[getter]
    fn fail_max(&self) -> u64 {
        self.failure_threshold()
    }

    #[setter]
    fn set_fail_max(&self, #[pyo3(from_py_with = args::int)] n: Int) -> PyResult<()> {
        self.set_failure_threshold(n)
    }

    /// Successful trials in a row that close a half-open breaker.
    #[getter]
    fn success_threshold(&self) -> u64 {
        self.core.settings().success_threshold
    }

    #[setter]
    fn set_success_threshold(&self, #[pyo3(from_py_with = args::int)] n: Int) -> PyResult<()> {
        Ok(self.core.set_success_threshold(count(n, "success_threshold")?)?)
    }

    /// Milliseconds an open breaker waits before a trial call.
    #[getter]
    fn timeout_ms(&self) -> f64 {
        self.core.settings().timeout * 1e3
    }

    #[setter]
    fn set_timeout_ms(&self, #[pyo3(from_py_with = args::real)] ms: f64) -> PyResult<()> {
        Ok(self.core.set_timeout(timeout_seconds(ms)?)?)
    }

    /// pybreaker's `reset_timeout`: the same wait, in seconds.
    #[getter]
    fn reset_timeout(&self) -> f64 {
        self.core.settings().timeout
    }

    #[setter]
    fn set_reset_timeout(&self, #[pyo3(from_py_with = args::real)] seconds: f64) -> PyResult<()> {
        self.set_timeout_ms(seconds * 1e3)
    }

    /// The name given (None when none was), for messages and logs.
    #[getter]
    fn name(&self, py: Python<'_>) -> Option<Py<PyString>> {
        locked(&self.name).as_ref().map(|n| n.clone_ref(py))
    }

    #[setter]
    fn set_name(&self, name: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let name = match name.filter(|n| !n.is_none()) {
            None => None,
            Some(n) => Some(
                n.cast::<PyString>()
                    .map_err(|_| Error::InvalidType(format!("name must be a str or None, got {}", args::type_name(n))))?
                    .clone()
                    .unbind(),
            ),
        };
        let old = std::mem::replace(&mut *locked(&self.name), name);
        drop(old);
        Ok(())
    }

    /// The clock given (None: the native monotonic clock).
    #[getter]
    fn clock(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        self.clock.as_ref().map(|c| c.clone_ref(py))
    }

    /// The registered listeners, as a tuple.
    #[getter(listeners)]
    fn get_listeners<'py>(&self, py: Python<'py>) -> Bound<'py, PyTuple> {
        self.listeners(py)
    }

    /// The excluded exception classes and predicates, as a tuple.
    #[getter]
    fn excluded_exceptions<'py>(&self, py: Python<'py>) -> Bound<'py, PyTuple> {
        locked(&self.exclude).bind(py).clone()
    }

    fn add_listener(&self, py: Python<'_>, listener: &Bound<'_, PyAny>) -> PyResult<()> {
        check_listener(listener)?;
        self.update_tuple(py, &self.listeners, |t| with(t, listener))
    }

    #[pyo3(signature = (*listeners))]
    fn add_listeners(&self, py: Python<'_>, listeners: &Bound<'_, PyTuple>) -> PyResult<()> {
        listeners.iter().try_for_each(|l| self.add_listener(py, &l))
    }

    /// Unregister a listener (InvalidInputError, a ValueError as from `list.remove`, when it is
    /// not registered).
    fn remove_listener(&self, py: Python<'_>, listener: &Bound<'_, PyAny>) -> PyResult<()> {
        self.update_tuple(py, &self.listeners, |t| without(t, listener, "listener"))
    }

    fn add_excluded_exception(&self, py: Python<'_>, exception: &Bound<'_, PyAny>) -> PyResult<()> {
        check_exclusion(exception)?;
        self.update_tuple(py, &self.exclude, |t| with(t, exception))
    }

    #[pyo3(signature = (*exceptions))]
    fn add_excluded_exceptions(&self, py: Python<'_>, exceptions: &Bound<'_, PyTuple>) -> PyResult<()> {
        exceptions.iter().try_for_each(|e| self.add_excluded_exception(py, &e))
    }

    /// Remove an exclusion (InvalidInputError, a ValueError as from `list.remove`, when it is
    /// not there).
    fn remove_excluded_exception(&self, py: Python<'_>, exception: &Bound<'_, PyAny>) -> PyResult<()> {
        self.update_tuple(py, &self.exclude, |t| without(t, exception, "exclusion"))
    }

    /// Whether `exception` counts as a failure of the service: not an instance of an excluded
    /// class and no excluding predicate says so (pybreaker's rule).
    #[pyo3(name = "is_system_error")]
    fn py_is_system_error(&self, exception: &Bound<'_, PyAny>) -> PyResult<bool> {
        self.is_system_error(exception.py(), exception)
    }

    /// Open the breaker now: calls are refused for the timeout (listeners are told).
    fn open(slf: &Bound<'_, Self>) -> PyResult<()> {
        let this = slf.get();
        let now = this.now(slf.py())?;
        this.transition(slf, this.core.open(now))
    }

    /// Half-open the breaker: the next call is a trial.
    fn half_open(slf: &Bound<'_, Self>) -> PyResult<()> {
        let this = slf.get();
        this.transition(slf, this.core.half_open())
    }

    /// Close the breaker and reset its counters.
    fn close(slf: &Bound<'_, Self>) -> PyResult<()> {
        let this = slf.get();
        this.transition(slf, this.core.close())
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let s = self.core.settings();
        let name = locked(&self.name)
            .as_ref()
            .map(|n| format!("name={}, ", n.bind(py).repr().map_or_else(|_| "?".into(), |r| r.to_string())))
            .unwrap_or_default();
        format!(
            "CircuitBreaker({name}state='{}', fail_counter={}, failure_threshold={}, timeout_ms={:?}, success_threshold={})",
            self.core.state().name(),
            self.core.fail_counter(),
            s.failure_threshold,
            s.timeout * 1e3,
            s.success_threshold
        )
    }

    /// Pickling: the settings, listeners, exclusions and clock (which must pickle), then the
    /// state, the counters and how long it has been open.
    #[allow(clippy::type_complexity)]
    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>, (&'static str, u64, u64, f64))> {
        let py = slf.py();
        let this = slf.get();
        let s = this.core.settings();
        let snap = this.core.snapshot(this.now(py)?);
        let args = (
            s.failure_threshold,
            s.timeout * 1e3,
            s.success_threshold,
            this.excluded_exceptions(py),
            this.listeners(py),
            this.name(py),
            this.clock(py),
            this.throw_new_error_on_trip,
        )
            .into_pyobject(py)?;
        Ok((
            py.get_type::<Self>().into_any(),
            args,
            (snap.state.name(), snap.fail_counter, snap.success_counter, snap.open_for),
        ))
    }

    fn __setstate__(&self, py: Python<'_>, state: (String, u64, u64, f64)) -> PyResult<()> {
        let (name, fail_counter, success_counter, open_for) = state;
        let snap = Snapshot { state: State::parse(&name)?, fail_counter, success_counter, open_for };
        self.core.restore(snap, self.now(py)?);
        Ok(())
    }
}

/// `t` with `item` appended.
fn with<'py>(t: &Bound<'py, PyTuple>, item: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyTuple>> {
    PyTuple::new(t.py(), t.iter().chain([item.clone()]).collect::<Vec<_>>())
}

/// `t` without its first item equal to `item`; InvalidInputError when there is none.
fn without<'py>(t: &Bound<'py, PyTuple>, item: &Bound<'py, PyAny>, what: &str) -> PyResult<Bound<'py, PyTuple>> {
    let mut items: Vec<Bound<'py, PyAny>> = t.iter().collect();
    let mut found = None;
    for (k, x) in items.iter().enumerate() {
        if x.is(item) || x.eq(item)? {
            found = Some(k);
            break;
        }
    }
    match found {
        Some(k) => {
            items.remove(k);
            PyTuple::new(t.py(), items)
        }
        None => Err(Error::InvalidInput(format!("this {what} is not registered")).into()),
    }
}

/// A function decorated with a `CircuitBreaker`: every call goes through the breaker (a native
/// callable, so the decorated call costs what `breaker.call(func)` costs). It carries the
/// function's name, docstring and `__wrapped__` (`functools.update_wrapper`), and binds as a
/// method when it decorates one.
#[pyclass(module = "quantumpanarchy.infrastructure", name = "GuardedFunction", frozen, dict, weakref)]
pub struct PyGuardedFunction {
    breaker: Py<PyCircuitBreaker>,
    func: Py<PyAny>,
}

#[pymethods]
impl PyGuardedFunction {
    #[new]
    fn new(breaker: Py<PyCircuitBreaker>, func: &Bound<'_, PyAny>) -> PyResult<Self> {
        if !func.is_callable() {
            return Err(
                Error::InvalidType(format!("a breaker guards a callable, got {}", args::type_name(func))).into()
            );
        }
        Ok(Self { breaker, func: func.clone().unbind() })
    }

    #[pyo3(signature = (*args, **kwargs))]
    fn __call__<'py>(
        &self,
        py: Python<'py>,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        PyCircuitBreaker::call(self.breaker.bind(py), self.func.bind(py), args, kwargs)
    }

    /// Binds to an instance as a function does (a decorated method gets its `self`).
    fn __get__<'py>(
        slf: &Bound<'py, Self>,
        instance: Option<&Bound<'py, PyAny>>,
        _owner: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        match instance.filter(|i| !i.is_none()) {
            None => Ok(slf.clone().into_any()),
            Some(instance) => slf.py().import("types")?.getattr("MethodType")?.call1((slf, instance)),
        }
    }

    /// The breaker the calls go through.
    #[getter]
    fn breaker(&self, py: Python<'_>) -> Py<PyCircuitBreaker> {
        self.breaker.clone_ref(py)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let func = self.func.bind(py);
        let name = match func.getattr("__qualname__") {
            Ok(name) => name.str()?.to_string(),
            Err(_) => func.repr()?.to_string(),
        };
        Ok(format!("<function {name} guarded by a CircuitBreaker>"))
    }

    /// Pickled by reference to its module and qualified name, as a function is (the decorated
    /// function is what that name refers to).
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        slf.getattr("__qualname__")
    }
}
