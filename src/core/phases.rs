//! Work in phases, shared with idle pool threads: one owner thread runs a sequence of phases,
//! each a set of independent blocks that must all finish before the next phase starts, and pool
//! threads with nothing else to do claim blocks of the current phase.
//!
//! Rayon tasks are too coarse for this: a colour class of a sparse sweep can take a few
//! microseconds, about what it costs to wake a sleeping pool thread, so a `par_iter` per phase
//! runs no faster than one thread. Here helpers stay awake (spinning, then yielding) for the
//! owner's whole run, and the owner never waits for a helper to start: it claims blocks itself,
//! so a phase ends as soon as its blocks are done, helped or not. Which thread runs a block never
//! changes what the block computes.

use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;

/// Spin this many times before yielding the CPU while waiting for the next phase.
const SPINS: u32 = 1 << 12;

/// The most blocks one phase can have.
pub const MAX_BLOCKS: usize = u16::MAX as usize;

/// The phase shared by the owner and its helpers; `P` is what every block of a phase needs.
pub struct Phases<'a, P> {
    work: &'a (dyn Fn(&P, usize) + Sync),
    /// The current phase's generation (bits 32..64) and its unclaimed blocks, `front..back`
    /// (bits 0..16 and 16..32). Only the owner starts a generation, and claims are
    /// compare-and-swaps of the whole word, so a helper still looking at an old phase never
    /// claims a block of a new one. The owner claims from the front and helpers from the back:
    /// with two threads each keeps to its end of the class, and the spins it wrote in the last
    /// phase, whose neighbours it reads next, stay in its own cache.
    claim: AtomicU64,
    /// Blocks of the current phase completed.
    done: AtomicUsize,
    finished: AtomicBool,
    /// No helpers: phases run on the owner's thread without any synchronisation.
    alone: bool,
    /// The current phase: generation, parameters, blocks.
    current: Mutex<Option<(u32, P, Range<usize>)>>,
}

impl<'a, P: Copy + Send + Sync> Phases<'a, P> {
    /// Run `owner` with a [`Phases`] whose block `b`, in a phase with parameters `p`, runs as
    /// `work(&p, b)`; up to `helpers` threads of the current rayon pool help when idle.
    pub fn run<R: Send>(
        helpers: usize,
        work: &'a (dyn Fn(&P, usize) + Sync),
        owner: impl FnOnce(&Self) -> R + Send,
    ) -> R {
        let phases = Phases {
            work,
            claim: AtomicU64::new(0),
            done: AtomicUsize::new(0),
            finished: AtomicBool::new(false),
            alone: helpers == 0,
            current: Mutex::new(None),
        };
        if helpers == 0 {
            return owner(&phases);
        }
        /// Tells the helpers to stop when the owner returns or unwinds.
        struct Finish<'f>(&'f AtomicBool);
        impl Drop for Finish<'_> {
            fn drop(&mut self) {
                self.0.store(true, Ordering::Release);
            }
        }
        let phases = &phases;
        rayon::scope(move |scope| {
            for _ in 0..helpers {
                scope.spawn(move |_| phases.help());
            }
            let _finish = Finish(&phases.finished);
            owner(phases)
        })
    }

    /// Run every block of `blocks` with parameters `p`, helped by idle helpers; returns when
    /// all are done. Only the owner calls this. Panics on more than [`MAX_BLOCKS`] blocks.
    pub fn phase(&self, p: P, blocks: Range<usize>) {
        if self.alone {
            return blocks.for_each(|b| (self.work)(&p, b));
        }
        assert!(blocks.len() <= MAX_BLOCKS, "a phase of {} blocks", blocks.len());
        let generation = ((self.claim.load(Ordering::Relaxed) >> 32) as u32).wrapping_add(1);
        *self.current.lock().unwrap_or_else(|e| e.into_inner()) = Some((generation, p, blocks.clone()));
        // Every block of the last phase is done (see below), so nobody touches `done` now.
        self.done.store(0, Ordering::Relaxed);
        self.claim.store((generation as u64) << 32 | (blocks.len() as u64) << 16, Ordering::Release);
        self.drain::<true>(generation, &p, &blocks);
        while self.done.load(Ordering::Acquire) < blocks.len() {
            std::hint::spin_loop();
        }
    }

    /// Claim and run blocks of phase `generation` until none is left, from the front for the
    /// owner (`FRONT`) and from the back for a helper.
    fn drain<const FRONT: bool>(&self, generation: u32, p: &P, blocks: &Range<usize>) {
        let mut x = self.claim.load(Ordering::Acquire);
        loop {
            let (front, back) = (x & 0xFFFF, (x >> 16) & 0xFFFF);
            if (x >> 32) as u32 != generation || front >= back {
                return;
            }
            let (claimed, block) = if FRONT { (x + 1, front) } else { (x - (1 << 16), back - 1) };
            match self.claim.compare_exchange_weak(x, claimed, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) => {
                    (self.work)(p, blocks.start + block as usize);
                    self.done.fetch_add(1, Ordering::Release);
                    x = self.claim.load(Ordering::Acquire);
                }
                Err(now) => x = now,
            }
        }
    }

    /// A helper: join each new phase until the owner finishes.
    fn help(&self) {
        let (mut seen, mut idle) = (0u32, 0u32);
        while !self.finished.load(Ordering::Acquire) {
            let generation = (self.claim.load(Ordering::Acquire) >> 32) as u32;
            if generation != seen {
                let current = self.current.lock().unwrap_or_else(|e| e.into_inner()).clone();
                if let Some((g, p, blocks)) = current {
                    self.drain::<false>(g, &p, &blocks);
                }
                // (if `current` is already a newer phase, the next look at `claim` finds it)
                seen = generation;
                idle = 0;
            } else if idle < SPINS {
                idle += 1;
                std::hint::spin_loop();
            } else {
                std::thread::yield_now();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_block_of_every_phase_runs_once_in_order_of_phases() {
        let hits: Vec<AtomicUsize> = (0..64).map(|_| AtomicUsize::new(0)).collect();
        let work = |p: &usize, b: usize| {
            // a block of phase p sees every block of the phases before it done, and runs once
            assert!(hits.iter().all(|h| h.load(Ordering::Acquire) >= *p));
            assert_eq!(hits[b].fetch_add(1, Ordering::AcqRel), *p);
        };
        let pool = rayon::ThreadPoolBuilder::new().num_threads(4).build().unwrap();
        pool.install(|| {
            Phases::run(3, &work, |phases| {
                for p in 0..200 {
                    phases.phase(p, 0..64);
                }
            })
        });
        assert!(hits.iter().all(|h| h.load(Ordering::Relaxed) == 200));
        Phases::run(0, &work, |phases| phases.phase(200, 0..64));
        assert!(hits.iter().all(|h| h.load(Ordering::Relaxed) == 201));
    }
}
