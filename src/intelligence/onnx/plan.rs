//! The optimised plans of one model, one per input signature (element types and concrete
//! shapes), the most recently used [`CAPACITY`] kept. Shared by all threads calling the model: a
//! lookup holds the lock for a scan of a few keys; a plan is built outside it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tract_onnx::prelude::*;

pub type Plan = Arc<TypedRunnableModel>;
/// Each input's element type and shape, in the graph's input order.
pub type Signature = Vec<(DatumType, TVec<usize>)>;

/// Enough for a few batch sizes of a model with one or two inputs; each plan holds its own
/// packed weights, so an unbounded cache would grow with every new batch size a caller tries.
pub const CAPACITY: usize = 8;

struct Slot {
    key: Signature,
    plan: Plan,
    used: u64,
}

#[derive(Default)]
pub struct Plans {
    slots: Mutex<Vec<Slot>>,
    clock: AtomicU64,
}

impl Plans {
    fn slots(&self) -> std::sync::MutexGuard<'_, Vec<Slot>> {
        // A panic while the lock was held cannot leave the list half-changed (every change is
        // one push, one removal or one counter store), so a poisoned lock is still a good list.
        self.slots.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The plan for the signature `key` describes (`matches` compares it without building it),
    /// from the cache or from `build`.
    pub fn get_or_build<E>(
        &self,
        matches: impl Fn(&Signature) -> bool,
        key: impl FnOnce() -> Signature,
        build: impl FnOnce(&Signature) -> Result<Plan, E>,
    ) -> Result<Plan, E> {
        let now = self.clock.fetch_add(1, Ordering::Relaxed);
        if let Some(slot) = self.slots().iter_mut().find(|s| matches(&s.key)) {
            slot.used = now;
            return Ok(slot.plan.clone());
        }
        let key = key();
        let plan = build(&key)?;
        let mut slots = self.slots();
        if !slots.iter().any(|s| s.key == key) {
            if slots.len() >= CAPACITY {
                let oldest = (0..slots.len()).min_by_key(|&i| slots[i].used).unwrap_or(0);
                slots.swap_remove(oldest);
            }
            slots.push(Slot { key, plan: plan.clone(), used: now });
        }
        Ok(plan)
    }

    pub fn len(&self) -> usize {
        self.slots().len()
    }
}
