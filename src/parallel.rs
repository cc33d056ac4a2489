//! The crate's own rayon pool, resizable at run time by `performance.set_num_threads`.
//!
//! Work is always split into units that own their random streams (see `rng`), so the pool size
//! changes speed, never results.

use crate::error::{Error, Result};
use std::sync::{Arc, Mutex, RwLock};

static POOL: RwLock<Option<Arc<rayon::ThreadPool>>> = RwLock::new(None);

fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn build(n: usize) -> Result<Arc<rayon::ThreadPool>> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .thread_name(|i| format!("quantumpanarchy-{i}"))
        .build()
        .map(Arc::new)
        .map_err(|e| Error::Internal(format!("cannot start the thread pool: {e}")))
}

fn pool() -> Result<Arc<rayon::ThreadPool>> {
    if let Some(p) = POOL.read().map_err(poisoned)?.as_ref() {
        return Ok(p.clone());
    }
    let mut guard = POOL.write().map_err(poisoned)?;
    if guard.is_none() {
        *guard = Some(build(default_threads())?);
    }
    Ok(guard.as_ref().expect("pool was just set").clone())
}

fn poisoned<T>(_: T) -> Error {
    Error::Internal("thread-pool lock poisoned".into())
}

/// Resize the pool; `0` restores the default (all available cores).
pub fn set_num_threads(n: usize) -> Result<()> {
    let n = if n == 0 { default_threads() } else { n };
    crate::ensure!(n <= 4096, "num_threads must be at most 4096, got {n}");
    let new = build(n)?;
    *POOL.write().map_err(poisoned)? = Some(new);
    Ok(())
}

pub fn num_threads() -> usize {
    pool().map_or(1, |p| p.current_num_threads())
}

/// Run `f` inside the pool (rayon calls within use it); inside a pool already (see
/// [`with_threads`]), in that one.
pub fn install<R: Send>(f: impl FnOnce() -> R + Send) -> Result<R> {
    if rayon::current_thread_index().is_some() {
        return Ok(f());
    }
    Ok(pool()?.install(f))
}

/// The last pool of a size other than the default, kept for the next call of that size.
static SIZED: Mutex<Option<(usize, Arc<rayon::ThreadPool>)>> = Mutex::new(None);

/// Run `f` with `threads` threads (for one call's `num_threads`), or in the default pool.
pub fn with_threads<R: Send>(threads: Option<usize>, f: impl FnOnce() -> R + Send) -> Result<R> {
    let Some(n) = threads else { return install(f) };
    crate::ensure!((1..=4096).contains(&n), "num_threads must be between 1 and 4096, got {n}");
    let pool = {
        let mut sized = SIZED.lock().map_err(poisoned)?;
        match sized.as_ref() {
            Some((size, p)) if *size == n => p.clone(),
            _ => sized.insert((n, build(n)?)).1.clone(),
        }
    };
    Ok(pool.install(f))
}

/// Wait for `rx`'s message (`None` if its sender is gone) on a thread that may belong to a pool,
/// running the pool's pending work meanwhile: what the message waits for may need the pool's
/// threads, and a blocked thread of a one-thread pool would wait for ever.
pub fn wait_helping<T>(rx: &std::sync::mpsc::Receiver<T>) -> Option<T> {
    use std::sync::mpsc::RecvTimeoutError;
    loop {
        if rayon::yield_now() != Some(rayon::Yield::Executed) {
            match rx.recv_timeout(std::time::Duration::from_micros(200)) {
                Ok(message) => return Some(message),
                Err(RecvTimeoutError::Disconnected) => return None,
                Err(RecvTimeoutError::Timeout) => {}
            }
        } else if let Ok(message) = rx.try_recv() {
            return Some(message);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resize_pool() {
        set_num_threads(2).unwrap();
        assert_eq!(num_threads(), 2);
        assert_eq!(install(rayon::current_num_threads).unwrap(), 2);
        assert!(set_num_threads(100_000).is_err());
        set_num_threads(0).unwrap();
        assert!(num_threads() >= 1);
        assert_eq!(with_threads(Some(3), || install(rayon::current_num_threads)).unwrap().unwrap(), 3);
        assert!(with_threads(Some(0), || ()).is_err());
    }

    #[test]
    fn a_waiting_thread_runs_the_work_it_waits_for() {
        // one thread: the job this thread waits for can only run on it
        let (tx, rx) = std::sync::mpsc::channel();
        let got = with_threads(Some(1), move || {
            let pool = rayon::current_num_threads();
            std::thread::scope(|s| {
                s.spawn(|| with_threads(Some(1), || tx.send(rayon::current_num_threads() * 10)).unwrap().unwrap());
                wait_helping(&rx)
            })
            .map(|v| v + pool)
        })
        .unwrap();
        assert_eq!(got, Some(11));
    }
}
