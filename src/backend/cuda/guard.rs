//! The panic guard. cudarc loads libcuda on first use and *panics* when the library or one of its
//! symbols is missing; every entry point of the CUDA code runs under [`guarded`], so a machine
//! without a driver gets an error, never a crash.

use crate::error::{Error, Result};
use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe, PanicHookInfo};
use std::sync::Once;

/// Run a fallible entry point under [`guard`]: a panic becomes `Error::Internal`.
pub fn guarded<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    guard(f).unwrap_or_else(|msg| Err(Error::Internal(format!("the CUDA backend panicked: {msg}"))))
}

/// Run `f`, turning a panic into `Err(message)`.
pub(super) fn guard<T>(f: impl FnOnce() -> T) -> std::result::Result<T, String> {
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
pub(super) fn guard_quiet<T>(f: impl FnOnce() -> T) -> std::result::Result<T, String> {
    install_quiet_hook();
    let _quiet = Quiet::enter();
    guard(f)
}

thread_local! {
    /// How many [`guard_quiet`] calls this thread is inside (they nest).
    static QUIET: Cell<usize> = const { Cell::new(0) };
}

/// Whether this thread's panics are kept quiet now (not during the thread's teardown, when its
/// locals are gone).
fn is_quiet() -> bool {
    QUIET.try_with(|q| q.get() > 0).unwrap_or(false)
}

/// This thread inside [`guard_quiet`], until dropped.
struct Quiet;

impl Quiet {
    fn enter() -> Self {
        QUIET.with(|q| q.set(q.get() + 1));
        Self
    }
}

impl Drop for Quiet {
    fn drop(&mut self) {
        QUIET.with(|q| q.set(q.get() - 1));
    }
}

type Hook = Box<dyn Fn(&PanicHookInfo<'_>) + Sync + Send + 'static>;

/// The hook that stays silent on a thread inside [`guard_quiet`] and passes every other panic on
/// to `previous`.
fn quiet_unless_asked(previous: Hook) -> Hook {
    Box::new(move |info| {
        if !is_quiet() {
            previous(info)
        }
    })
}

/// Puts [`quiet_unless_asked`] around the process's panic hook, once: the hook is never swapped
/// per call, so threads entering and leaving [`guard_quiet`] at once cannot leave one another's
/// hook installed.
fn install_quiet_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| std::panic::set_hook(quiet_unless_asked(std::panic::take_hook())));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Barrier, Mutex};

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

    /// The panic message, for the recording hook below.
    fn message(info: &PanicHookInfo<'_>) -> Option<String> {
        let payload = info.payload();
        payload.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| payload.downcast_ref::<String>().cloned())
    }

    /// Two threads in and out of `guard_quiet` at once, one leaving while the other is inside
    /// (where swapping the hook per call left the first thread silenced for good): only a thread
    /// inside is silenced, nested calls included, and the hook the process had before still gets
    /// every other panic.
    #[test]
    fn quiet_threads_silence_themselves_only() {
        // The process hook is in place before this test wraps a recorder the same way (other
        // tests' panics pass through the recorder to the hook that was there).
        install_quiet_hook();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let outer: Arc<Hook> = Arc::new(std::panic::take_hook());
        {
            let (seen, outer) = (Arc::clone(&seen), Arc::clone(&outer));
            std::panic::set_hook(quiet_unless_asked(Box::new(move |info| match message(info) {
                Some(m) if m.starts_with("two threads: ") => seen.lock().unwrap().push(m),
                _ => outer(info),
            })));
        }
        let step = Barrier::new(2);
        let loud = |what: &str| guard(|| -> () { panic!("two threads: {what}") }).unwrap_err();
        std::thread::scope(|s| {
            let a = s.spawn(|| {
                let inside = guard_quiet(|| {
                    step.wait(); // 1: b panics while a is quiet
                    step.wait(); // 2: b is inside too
                    let inner = guard_quiet(|| -> () { panic!("two threads: a, inner, quiet") });
                    assert!(inner.is_err() && is_quiet(), "still inside the outer guard_quiet");
                    panic!("two threads: a, quiet")
                });
                assert!(!is_quiet());
                step.wait(); // 3: a has left, b is still inside
                step.wait(); // 4: b has left
                (inside, loud("a, after"))
            });
            let b = s.spawn(|| {
                step.wait(); // 1
                assert!(!is_quiet());
                let before = loud("b, while a is quiet");
                let inside = guard_quiet(|| {
                    step.wait(); // 2
                    step.wait(); // 3
                    panic!("two threads: b, quiet")
                });
                step.wait(); // 4
                (before, inside, loud("b, after"))
            });
            let (inside, _) = a.join().unwrap();
            assert_eq!(inside, Err("two threads: a, quiet".to_string()));
            let (_, inside, _) = b.join().unwrap();
            assert_eq!(inside, Err("two threads: b, quiet".to_string()));
        });
        drop(std::panic::take_hook()); // the recorder, and its share of `outer`
        match Arc::try_unwrap(outer) {
            Ok(hook) => std::panic::set_hook(hook),
            Err(shared) => std::panic::set_hook(Box::new(move |info| shared(info))),
        }
        let mut seen = seen.lock().unwrap().clone();
        assert_eq!(seen[0], "two threads: b, while a is quiet", "{seen:?}");
        seen.sort();
        assert_eq!(seen, ["two threads: a, after", "two threads: b, after", "two threads: b, while a is quiet"]);
    }
}
