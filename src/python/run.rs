//! Running native work from Python: release the GIL, turn panics into `InternalError`, and for
//! long loops watch for Ctrl-C and drive a progress callback from the calling thread.

use crate::control::Control;
use crate::error::{Error, Result};
use pyo3::prelude::*;
use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

/// How often the calling thread wakes to look for Ctrl-C and report progress.
const POLL: Duration = Duration::from_millis(100);

fn panic_message(payload: Box<dyn Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic with a non-string payload".into())
}

fn guarded<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|p| Err(Error::Internal(panic_message(p))))
}

/// Short native work with the GIL released.
pub fn detach<T: Send>(py: Python<'_>, f: impl FnOnce() -> Result<T> + Send) -> PyResult<T> {
    py.detach(|| guarded(f)).map_err(PyErr::from)
}

/// Native work that must hold the GIL (it reads Python-owned memory) but may run for seconds:
/// `f` calls the check it is given every few milliseconds of work, which looks for Ctrl-C; a
/// pending `KeyboardInterrupt` (or whatever a signal handler raised) ends `f` and is raised.
pub fn with_signals<T>(py: Python<'_>, f: impl FnOnce(&mut dyn FnMut() -> Result<()>) -> Result<T>) -> PyResult<T> {
    let mut raised: Option<PyErr> = None;
    let mut check = || {
        py.check_signals().map_err(|e| {
            raised = Some(e);
            Error::Interrupted
        })
    };
    let result = guarded(|| f(&mut check));
    match raised {
        Some(e) => Err(e),
        None => result.map_err(PyErr::from),
    }
}

/// `Err(CancelledError)` once the task awaiting this thread's work (an `*_async` method) was
/// cancelled: Ctrl-C reaches only the main thread, not the one `asyncio.to_thread` runs us on.
fn async_cancelled(py: Python<'_>) -> PyResult<()> {
    py.import("quantumpanarchy._async")?.getattr("check")?.call0().map(drop)
}

/// Work (in simple operations) below which [`run_sized`] runs it as [`detach`]: some
/// milliseconds, well inside the 100 ms Ctrl-C is answered within. Starting the watcher thread
/// of [`run_long`] costs about 0.1 ms, 7% of a million-bar moving average.
pub const SMALL_WORK: u64 = 1 << 24;

/// [`run_long`] without progress for work of about `units` simple operations, or [`detach`] (with
/// a control nobody cancels) when that is under [`SMALL_WORK`].
pub fn run_sized<T: Send>(py: Python<'_>, units: u64, f: impl FnOnce(&Control) -> Result<T> + Send) -> PyResult<T> {
    if units < SMALL_WORK {
        detach(py, || f(&Control::new()))
    } else {
        run_long(py, None, f)
    }
}

/// Long native work: it runs on a worker thread while this thread, every [`POLL`], checks
/// for Ctrl-C (cancelling the work and re-raising `KeyboardInterrupt`) and calls
/// `progress(done, total)` if given.
pub fn run_long<T: Send>(
    py: Python<'_>,
    progress: Option<&Bound<'_, PyAny>>,
    f: impl FnOnce(&Control) -> Result<T> + Send,
) -> PyResult<T> {
    run_long_until(py, progress, None, f)
}

/// [`run_long`] whose control also says time is up once `deadline` has passed.
pub fn run_long_until<T: Send>(
    py: Python<'_>,
    progress: Option<&Bound<'_, PyAny>>,
    deadline: Option<Instant>,
    f: impl FnOnce(&Control) -> Result<T> + Send,
) -> PyResult<T> {
    run_long_asking(py, progress, deadline, None, |control, _| f(control))
}

/// A question the work asks the calling thread, answered there with the GIL.
pub type Answer<'a> = &'a (dyn Fn(Python<'_>) -> PyResult<bool> + Sync);

/// What the worker thread sends the calling thread: its result, or a question for `answer`.
enum Message<T> {
    Done(Result<T>),
    Ask(mpsc::Sender<bool>),
}

/// [`run_long_until`] whose work can ask the calling thread a question: the function `f` is
/// given blocks until `answer` has run on the calling thread, with the GIL, and returns its
/// result (true without `answer`, or once the work is being cancelled). Python callbacks such as
/// an `interrupt_function` so run on the caller's thread, as the progress callback does. An
/// error from `answer` cancels the work and is raised, as one from the progress callback is.
pub fn run_long_asking<T: Send>(
    py: Python<'_>,
    progress: Option<&Bound<'_, PyAny>>,
    deadline: Option<Instant>,
    answer: Option<Answer<'_>>,
    f: impl FnOnce(&Control, &(dyn Fn() -> bool + Sync)) -> Result<T> + Send,
) -> PyResult<T> {
    let control = Control::with_deadline(deadline);
    let progress: Option<Py<PyAny>> = progress.map(|p| p.clone().unbind());
    let mut raised: Option<PyErr> = None;
    let result = py.detach(|| {
        std::thread::scope(|scope| {
            let (tx, rx) = mpsc::channel();
            let control = &control;
            let asker = tx.clone();
            scope.spawn(move || {
                let ask = move || {
                    let (reply, answered) = mpsc::channel();
                    // The answer may run our parallel work, which may need this thread.
                    asker.send(Message::Ask(reply)).is_err() || crate::parallel::wait_helping(&answered).unwrap_or(true)
                };
                let _ = tx.send(Message::Done(guarded(|| f(control, &ask))));
            });
            let mut polled = Instant::now();
            loop {
                match rx.recv_timeout(POLL) {
                    Ok(Message::Done(r)) => break r,
                    Ok(Message::Ask(reply)) => {
                        let asked = match (&raised, answer) {
                            (None, Some(a)) => Python::attach(a),
                            _ => Ok(true),
                        };
                        let _ = reply.send(asked.unwrap_or_else(|e| {
                            control.cancel();
                            raised = Some(e);
                            true
                        }));
                    }
                    Err(RecvTimeoutError::Timeout) => {}
                    Err(RecvTimeoutError::Disconnected) => {
                        break Err(Error::Internal("the worker thread ended without a result".into()))
                    }
                }
                if polled.elapsed() < POLL || raised.is_some() {
                    continue;
                }
                polled = Instant::now();
                Python::attach(|py| {
                    let polled = py.check_signals().and_then(|()| async_cancelled(py)).and_then(|()| match &progress {
                        Some(cb) => cb.call1(py, control.progress()).map(drop),
                        None => Ok(()),
                    });
                    if let Err(e) = polled {
                        control.cancel();
                        raised = Some(e);
                    }
                });
            }
        })
    });
    if let Some(e) = raised {
        return Err(e);
    }
    if let Some(cb) = &progress {
        cb.call1(py, control.progress())?;
    }
    result.map_err(PyErr::from)
}
