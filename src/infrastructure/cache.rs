//! A bounded cache that evicts the lowest priority first and, within a priority, the least recently
//! used entry; entries may carry an expiry time. The engine of `DecisionCache`.
//!
//! Generic over keys and values: the caller hashes its keys and compares them (a closure that may
//! answer "cannot tell here", [`Stop::Unsure`]), and supplies the time (a closure that may answer
//! "not available here", [`Stop::NeedsTime`]). Either answer stops the operation *before* it changes
//! anything, so the caller can get what was missing and call again. The Python binding uses this
//! to run no Python code while it holds the cache's lock.
//!
//! Removed entries are never dropped here: they go to the caller's `out` vector (dropping a
//! Python object can run arbitrary code, which must happen after the lock is released).
//!
//! Layout: entries live in a slab (`slots`, reused through a free list); an open-addressing index
//! (linear probing, load ≤ 1/2, deletion by backward shift) maps hashes to slot ids; each priority
//! level has a doubly linked recency list through the slots; entries with an expiry sit in a
//! binary min-heap by expiry time. A hit is a probe, a comparison and a move to the front of its
//! list: O(1) and no allocation. Expired entries are removed (and counted) by the first operation
//! that finds the clock past their expiry; an entry is alive while `now < expires` (as cachetools'
//! `TTLCache` has it).

use crate::error::{too_big, try_vec, Error, Result};

/// The number of priority levels (0 = lowest, evicted first).
pub const LEVELS: usize = 4;
/// The most entries a cache can hold (slot ids are `u32`, and one value marks "none").
pub const MAX_ENTRIES: usize = u32::MAX as usize - 1;

const NIL: u32 = u32::MAX;
const MIN_TABLE: usize = 8;

/// Lookups that found a live entry (hits) or not (misses), entries evicted to make room, and
/// entries removed because they expired.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    pub hits: u64,
    pub misses: u64,
    pub evictions: u64,
    pub expirations: u64,
}

/// Why an operation returned without doing anything.
#[derive(Debug, PartialEq)]
pub enum Stop {
    /// An entry with an expiry is involved and `now` gave no time: call again with the time.
    NeedsTime,
    /// A stored key with the same hash could not be compared (`eq` answered `None`): compare it
    /// elsewhere and call again with an `eq` that answers.
    Unsure,
    /// A real error (a bad argument, or memory).
    Failed(Error),
}

impl From<Error> for Stop {
    fn from(e: Error) -> Self {
        Stop::Failed(e)
    }
}

/// What an operation's result is, unless it stopped.
pub type Step<T> = std::result::Result<T, Stop>;

/// One entry as [`PriorityCache::entries`] reports it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Meta {
    /// Its priority level, `0..LEVELS`.
    pub level: usize,
    /// Seconds it has left (`None`: it never expires).
    pub remaining: Option<f64>,
}

struct Slot<K, V> {
    hash: u64,
    item: Option<(K, V)>,
    /// Neighbours in the recency list of its level (towards the most / least recently used);
    /// `next` links the free list while the slot is free.
    prev: u32,
    next: u32,
    level: u8,
    /// Position in the expiry heap, `NIL` when it never expires.
    heap: u32,
    expires: f64,
}

#[derive(Clone, Copy)]
struct Ends {
    /// Most recently used.
    head: u32,
    /// Least recently used.
    tail: u32,
}

const EMPTY_LIST: Ends = Ends { head: NIL, tail: NIL };

/// The entries a [`PriorityCache::clear`] took out, to be dropped where the caller chooses.
pub struct Cleared<K, V>(#[allow(dead_code)] Vec<Slot<K, V>>);

/// A priority LRU cache with per-entry expiry (see the module documentation).
pub struct PriorityCache<K, V> {
    slots: Vec<Slot<K, V>>,
    free: u32,
    /// Slot ids (`NIL` where vacant); its length is a power of two.
    table: Vec<u32>,
    /// `64 - log2(table.len())`: a hash's home position is the top bits of `hash * φ`.
    shift: u32,
    lists: [Ends; LEVELS],
    heap: Vec<u32>,
    len: usize,
    capacity: usize,
    stats: Stats,
    version: u64,
}

fn home(hash: u64, shift: u32) -> usize {
    // Fibonacci hashing: the multiplication spreads hashes that differ only in their low bits
    // (Python's hashes of small ints are the ints themselves) over the whole table.
    (hash.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> shift) as usize
}

/// A time to live in seconds, checked: finite and positive.
pub fn check_ttl(ttl: f64, name: &str) -> Result<f64> {
    if ttl.is_finite() && ttl > 0.0 {
        Ok(ttl)
    } else {
        Err(Error::InvalidInput(format!("{name} must be a positive, finite number of seconds, got {ttl}")))
    }
}

impl<K, V> PriorityCache<K, V> {
    /// An empty cache that holds at most `capacity` entries (at least 1; storage grows as
    /// entries arrive, so a huge capacity costs nothing until it is used).
    pub fn new(capacity: usize) -> Result<Self> {
        if capacity == 0 {
            return Err(Error::InvalidInput("capacity must be at least 1".into()));
        }
        Ok(Self {
            slots: Vec::new(),
            free: NIL,
            table: vec![NIL; MIN_TABLE],
            shift: 64 - MIN_TABLE.trailing_zeros(),
            lists: [EMPTY_LIST; LEVELS],
            heap: Vec::new(),
            len: 0,
            capacity,
            stats: Stats::default(),
            version: 0,
        })
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// The number of entries, expired ones not yet removed included (see [`Self::len`]).
    pub fn stored(&self) -> usize {
        self.len
    }

    /// Whether some entry has an expiry (operations then need the time).
    pub fn has_expiring(&self) -> bool {
        !self.heap.is_empty()
    }

    /// Changes whenever an entry is added or removed: a caller that compared keys outside can
    /// tell whether what it compared is still what is stored.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Calls `f` with every stored key whose hash is `hash`.
    pub fn candidates(&self, hash: u64, mut f: impl FnMut(&K)) {
        self.probe(hash, |slot| {
            if let Some((k, _)) = &slot.item {
                f(k);
            }
            false
        });
    }

    /// The entry for the key, if any, that `eq` says is equal; removes expired entries first.
    /// Counts a hit or a miss and makes a found entry the most recently used of its level.
    pub fn get(
        &mut self,
        hash: u64,
        mut eq: impl FnMut(&K) -> Option<bool>,
        mut now: impl FnMut() -> Option<f64>,
        out: &mut Vec<(K, V)>,
    ) -> Step<Option<&V>> {
        let t = self.time(false, &mut now)?;
        let found = self.find(hash, &mut eq)?;
        let found = self.after_purge(found, t, out);
        match found {
            Some(id) => {
                self.stats.hits += 1;
                self.touch(id);
                Ok(self.slots[id as usize].item.as_ref().map(|(_, v)| v))
            }
            None => {
                self.stats.misses += 1;
                Ok(None)
            }
        }
    }

    /// Whether a live entry has the key (no hit or miss counted, recency unchanged).
    pub fn contains(
        &mut self,
        hash: u64,
        mut eq: impl FnMut(&K) -> Option<bool>,
        mut now: impl FnMut() -> Option<f64>,
        out: &mut Vec<(K, V)>,
    ) -> Step<bool> {
        let t = self.time(false, &mut now)?;
        let found = self.find(hash, &mut eq)?;
        Ok(self.after_purge(found, t, out).is_some())
    }

    /// Removes the key's entry and returns it (no hit or miss counted).
    pub fn remove(
        &mut self,
        hash: u64,
        mut eq: impl FnMut(&K) -> Option<bool>,
        mut now: impl FnMut() -> Option<f64>,
        out: &mut Vec<(K, V)>,
    ) -> Step<Option<(K, V)>> {
        let t = self.time(false, &mut now)?;
        let found = self.find(hash, &mut eq)?;
        Ok(self.after_purge(found, t, out).and_then(|id| self.take(id)))
    }

    /// Stores `make()`'s key and value at priority `level` (`0..LEVELS`), expiring `ttl` seconds
    /// from now (never when `None`). An existing equal key keeps its key object and gets the new
    /// value, level and expiry (the new key and the old value go to `out`); a new key evicts the
    /// lowest-priority least recently used entry when the cache is full (after expired entries
    /// are removed, which are not counted as evictions).
    #[allow(clippy::too_many_arguments)]
    pub fn insert(
        &mut self,
        hash: u64,
        mut eq: impl FnMut(&K) -> Option<bool>,
        make: impl FnOnce() -> (K, V),
        level: usize,
        ttl: Option<f64>,
        mut now: impl FnMut() -> Option<f64>,
        out: &mut Vec<(K, V)>,
    ) -> Step<()> {
        let (found, level, expires) = self.prepare_store(hash, &mut eq, level, ttl, &mut now, out)?;
        self.store(hash, found, make, level, expires, out);
        Ok(())
    }

    /// The live value of the key (a hit), or else `make()` stored as [`Self::insert`] stores it
    /// (a miss): `Ok(Some(value))` for a hit, `Ok(None)` when it stored.
    #[allow(clippy::too_many_arguments)]
    pub fn get_or_insert(
        &mut self,
        hash: u64,
        mut eq: impl FnMut(&K) -> Option<bool>,
        make: impl FnOnce() -> (K, V),
        level: usize,
        ttl: Option<f64>,
        mut now: impl FnMut() -> Option<f64>,
        out: &mut Vec<(K, V)>,
    ) -> Step<Option<&V>> {
        match self.prepare_store(hash, &mut eq, level, ttl, &mut now, out)? {
            (Some(id), _, _) => {
                self.stats.hits += 1;
                self.touch(id);
                Ok(self.slots[id as usize].item.as_ref().map(|(_, v)| v))
            }
            (None, level, expires) => {
                self.stats.misses += 1;
                self.store(hash, None, make, level, expires, out);
                Ok(None)
            }
        }
    }

    /// Removes and returns the entry that would be evicted next (lowest priority, least recently
    /// used), after removing expired entries.
    pub fn pop_next(&mut self, mut now: impl FnMut() -> Option<f64>, out: &mut Vec<(K, V)>) -> Step<Option<(K, V)>> {
        let t = self.time(false, &mut now)?;
        if let Some(t) = t {
            self.purge(t, out);
        }
        Ok(self.victim().and_then(|id| self.take(id)))
    }

    /// The number of live entries (expired ones are removed first).
    pub fn len(&mut self, mut now: impl FnMut() -> Option<f64>, out: &mut Vec<(K, V)>) -> Step<usize> {
        if let Some(t) = self.time(false, &mut now)? {
            self.purge(t, out);
        }
        Ok(self.len)
    }

    /// Removes the entries that have expired (they go to `out`, soonest expiry first).
    pub fn expire(&mut self, mut now: impl FnMut() -> Option<f64>, out: &mut Vec<(K, V)>) -> Step<()> {
        self.len(&mut now, out).map(drop)
    }

    /// Calls `f` with every live entry in eviction order: the lowest priority first and, within
    /// a priority, the least recently used first (expired entries are removed first).
    pub fn entries(
        &mut self,
        mut now: impl FnMut() -> Option<f64>,
        out: &mut Vec<(K, V)>,
        mut f: impl FnMut(&K, &V, Meta),
    ) -> Step<()> {
        let t = self.time(false, &mut now)?;
        if let Some(t) = t {
            self.purge(t, out);
        }
        for level in 0..LEVELS {
            let mut id = self.lists[level].tail;
            while id != NIL {
                let slot = &self.slots[id as usize];
                if let Some((k, v)) = &slot.item {
                    let remaining = match t {
                        Some(t) if slot.heap != NIL => Some(slot.expires - t),
                        _ => None,
                    };
                    f(k, v, Meta { level, remaining });
                }
                id = slot.prev;
            }
        }
        Ok(())
    }

    /// Removes every entry (statistics are kept) and hands them back for the caller to drop.
    pub fn clear(&mut self) -> Cleared<K, V> {
        let slots = std::mem::take(&mut self.slots);
        self.table = vec![NIL; MIN_TABLE];
        self.shift = 64 - MIN_TABLE.trailing_zeros();
        self.free = NIL;
        self.lists = [EMPTY_LIST; LEVELS];
        self.heap = Vec::new();
        self.len = 0;
        self.version += 1;
        Cleared(slots)
    }

    /// Sets the statistics (a cache restored from a pickle carries on counting).
    pub fn set_stats(&mut self, stats: Stats) {
        self.stats = stats;
    }

    /// What storing an entry needs before it changes anything: the arguments checked, the time
    /// (when an entry expires), the key's slot if stored, and room for one more entry; then
    /// expired entries are removed. Returns the live slot of the key, the level, and the expiry.
    fn prepare_store(
        &mut self,
        hash: u64,
        eq: &mut impl FnMut(&K) -> Option<bool>,
        level: usize,
        ttl: Option<f64>,
        now: &mut impl FnMut() -> Option<f64>,
        out: &mut Vec<(K, V)>,
    ) -> Step<(Option<u32>, usize, f64)> {
        if level >= LEVELS {
            return Err(Error::InvalidInput(format!("priority must be in 0..{LEVELS}, got {level}")).into());
        }
        let ttl = ttl.map(|t| check_ttl(t, "ttl")).transpose()?;
        let t = self.time(ttl.is_some(), now)?;
        let found = self.find(hash, eq)?;
        self.reserve_one(ttl.is_some())?;
        let expires = match (ttl, t) {
            (Some(ttl), Some(t)) => t + ttl,
            _ => f64::INFINITY,
        };
        Ok((self.after_purge(found, t, out), level, expires))
    }

    /// The time, read once, when this operation needs it: when some entry expires or the new
    /// one will.
    fn time(&self, always: bool, now: &mut impl FnMut() -> Option<f64>) -> Step<Option<f64>> {
        if !always && self.heap.is_empty() {
            return Ok(None);
        }
        match now() {
            Some(t) => Ok(Some(t)),
            None => Err(Stop::NeedsTime),
        }
    }

    /// Walks the probe sequence of `hash`, calling `visit` with each slot of that hash until it
    /// answers true; returns that slot's id.
    fn probe(&self, hash: u64, mut visit: impl FnMut(&Slot<K, V>) -> bool) -> Option<u32> {
        let mask = self.table.len() - 1;
        let mut i = home(hash, self.shift);
        loop {
            let id = self.table[i];
            if id == NIL {
                return None;
            }
            let slot = &self.slots[id as usize];
            if slot.hash == hash && visit(slot) {
                return Some(id);
            }
            i = (i + 1) & mask;
        }
    }

    /// The slot whose key `eq` says is equal. A key `eq` cannot compare stops the search
    /// ([`Stop::Unsure`]) unless another key compares equal.
    fn find(&self, hash: u64, eq: &mut impl FnMut(&K) -> Option<bool>) -> Step<Option<u32>> {
        if self.len == 0 {
            return Ok(None);
        }
        let mut unsure = false;
        let found = self.probe(hash, |slot| match slot.item.as_ref().map(|(k, _)| eq(k)) {
            Some(Some(equal)) => equal,
            Some(None) => {
                unsure = true;
                false
            }
            None => false,
        });
        match (found, unsure) {
            (Some(id), _) => Ok(Some(id)),
            (None, true) => Err(Stop::Unsure),
            (None, false) => Ok(None),
        }
    }

    /// Removes expired entries when the operation read the time, and says whether `found` is
    /// still there (it may have been one of them).
    fn after_purge(&mut self, found: Option<u32>, t: Option<f64>, out: &mut Vec<(K, V)>) -> Option<u32> {
        if let Some(t) = t {
            self.purge(t, out);
        }
        found.filter(|&id| self.slots[id as usize].item.is_some())
    }

    fn purge(&mut self, now: f64, out: &mut Vec<(K, V)>) {
        while let Some(&id) = self.heap.first() {
            if now < self.slots[id as usize].expires {
                break;
            }
            if let Some(item) = self.take(id) {
                out.push(item);
            }
            self.stats.expirations += 1;
        }
    }

    /// Room for one more entry in the index, the slab and (for an expiring entry) the heap,
    /// allocated fallibly before anything changes.
    fn reserve_one(&mut self, expiring: bool) -> Result<()> {
        if (self.len + 1) * 2 > self.table.len() {
            self.grow()?;
        }
        if self.free == NIL && self.slots.len() == self.slots.capacity() {
            if self.slots.len() >= MAX_ENTRIES {
                return Err(Error::ResourceLimit(format!("a cache holds at most {MAX_ENTRIES} entries")));
            }
            let more = self.slots.len() as u128 + 1;
            self.slots.try_reserve(1).map_err(|_| too_big::<Slot<K, V>>(more, "the cache's entries"))?;
        }
        if expiring {
            let more = self.heap.len() as u128 + 1;
            self.heap.try_reserve(1).map_err(|_| too_big::<u32>(more, "the cache's expiry heap"))?;
        }
        Ok(())
    }

    fn grow(&mut self) -> Result<()> {
        let size = self.table.len() * 2;
        let mut table = try_vec(size, NIL, "the cache's index")?;
        let shift = 64 - size.trailing_zeros();
        let mask = size - 1;
        for (id, slot) in self.slots.iter().enumerate() {
            if slot.item.is_some() {
                let mut i = home(slot.hash, shift);
                while table[i] != NIL {
                    i = (i + 1) & mask;
                }
                table[i] = id as u32;
            }
        }
        self.table = table;
        self.shift = shift;
        Ok(())
    }

    /// Writes the entry: into `found` (an existing key) or a new slot, evicting first when full.
    /// Room was reserved by [`Self::reserve_one`].
    fn store(
        &mut self,
        hash: u64,
        found: Option<u32>,
        make: impl FnOnce() -> (K, V),
        level: usize,
        expires: f64,
        out: &mut Vec<(K, V)>,
    ) {
        let (key, value) = make();
        if let Some(id) = found {
            let slot = &mut self.slots[id as usize];
            if let Some((_, old)) = slot.item.as_mut() {
                out.push((key, std::mem::replace(old, value)));
            }
            self.unlink(id);
            self.slots[id as usize].level = level as u8;
            self.link_front(id);
            self.set_expiry(id, expires);
            return;
        }
        if self.len >= self.capacity {
            if let Some(item) = self.victim().and_then(|id| self.take(id)) {
                out.push(item);
                self.stats.evictions += 1;
            }
        }
        let slot =
            Slot { hash, item: Some((key, value)), prev: NIL, next: NIL, level: level as u8, heap: NIL, expires };
        let id = if self.free != NIL {
            let id = self.free;
            self.free = self.slots[id as usize].next;
            self.slots[id as usize] = slot;
            id
        } else {
            self.slots.push(slot);
            (self.slots.len() - 1) as u32
        };
        let mask = self.table.len() - 1;
        let mut i = home(hash, self.shift);
        while self.table[i] != NIL {
            i = (i + 1) & mask;
        }
        self.table[i] = id;
        self.link_front(id);
        if expires.is_finite() {
            self.heap_push(id);
        }
        self.len += 1;
        self.version += 1;
    }

    /// The next entry to evict: the least recently used of the lowest non-empty level.
    fn victim(&self) -> Option<u32> {
        self.lists.iter().map(|l| l.tail).find(|&id| id != NIL)
    }

    /// Removes slot `id` from the index, its list and the heap, and frees it.
    fn take(&mut self, id: u32) -> Option<(K, V)> {
        self.unindex(id);
        self.unlink(id);
        self.heap_remove(id);
        let slot = &mut self.slots[id as usize];
        let item = slot.item.take();
        slot.expires = f64::INFINITY;
        slot.next = self.free;
        self.free = id;
        self.len -= 1;
        self.version += 1;
        item
    }

    fn unindex(&mut self, id: u32) {
        let mask = self.table.len() - 1;
        let mut i = home(self.slots[id as usize].hash, self.shift);
        loop {
            match self.table[i] {
                x if x == id => break,
                NIL => return,
                _ => i = (i + 1) & mask,
            }
        }
        // Backward-shift deletion: move later entries of the run into the hole when their home
        // lies at or before it (cyclically), so every probe sequence stays unbroken.
        let mut hole = i;
        let mut j = i;
        loop {
            j = (j + 1) & mask;
            let other = self.table[j];
            if other == NIL {
                break;
            }
            let h = home(self.slots[other as usize].hash, self.shift);
            if (j.wrapping_sub(h) & mask) >= (j.wrapping_sub(hole) & mask) {
                self.table[hole] = other;
                hole = j;
            }
        }
        self.table[hole] = NIL;
    }

    fn link_front(&mut self, id: u32) {
        let level = self.slots[id as usize].level as usize;
        let head = self.lists[level].head;
        let slot = &mut self.slots[id as usize];
        slot.prev = NIL;
        slot.next = head;
        if head != NIL {
            self.slots[head as usize].prev = id;
        } else {
            self.lists[level].tail = id;
        }
        self.lists[level].head = id;
    }

    fn unlink(&mut self, id: u32) {
        let Slot { prev, next, level, .. } = self.slots[id as usize];
        let list = &mut self.lists[level as usize];
        if prev != NIL {
            self.slots[prev as usize].next = next;
        } else {
            list.head = next;
        }
        if next != NIL {
            self.slots[next as usize].prev = prev;
        } else {
            list.tail = prev;
        }
    }

    fn touch(&mut self, id: u32) {
        let level = self.slots[id as usize].level as usize;
        if self.lists[level].head != id {
            self.unlink(id);
            self.link_front(id);
        }
    }

    fn set_expiry(&mut self, id: u32, expires: f64) {
        self.slots[id as usize].expires = expires;
        match (self.slots[id as usize].heap, expires.is_finite()) {
            (NIL, true) => self.heap_push(id),
            (NIL, false) => {}
            (_, false) => self.heap_remove(id),
            (pos, true) => {
                let pos = self.sift_up(pos as usize);
                self.sift_down(pos);
            }
        }
    }

    fn heap_push(&mut self, id: u32) {
        self.heap.push(id);
        let pos = self.heap.len() - 1;
        self.slots[id as usize].heap = pos as u32;
        self.sift_up(pos);
    }

    fn heap_remove(&mut self, id: u32) {
        let pos = self.slots[id as usize].heap;
        if pos == NIL {
            return;
        }
        self.slots[id as usize].heap = NIL;
        let Some(last) = self.heap.pop() else { return };
        let pos = pos as usize;
        if pos < self.heap.len() {
            self.heap[pos] = last;
            self.slots[last as usize].heap = pos as u32;
            let pos = self.sift_up(pos);
            self.sift_down(pos);
        }
    }

    fn expires_at(&self, pos: usize) -> f64 {
        self.slots[self.heap[pos] as usize].expires
    }

    fn swap_heap(&mut self, a: usize, b: usize) {
        self.heap.swap(a, b);
        self.slots[self.heap[a] as usize].heap = a as u32;
        self.slots[self.heap[b] as usize].heap = b as u32;
    }

    fn sift_up(&mut self, mut pos: usize) -> usize {
        while pos > 0 {
            let parent = (pos - 1) / 2;
            if self.expires_at(pos) >= self.expires_at(parent) {
                break;
            }
            self.swap_heap(pos, parent);
            pos = parent;
        }
        pos
    }

    fn sift_down(&mut self, mut pos: usize) {
        loop {
            let (l, r) = (2 * pos + 1, 2 * pos + 2);
            let mut least = pos;
            if l < self.heap.len() && self.expires_at(l) < self.expires_at(least) {
                least = l;
            }
            if r < self.heap.len() && self.expires_at(r) < self.expires_at(least) {
                least = r;
            }
            if least == pos {
                return;
            }
            self.swap_heap(pos, least);
            pos = least;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    type Cache = PriorityCache<u64, u64>;

    /// Keys are their own identity; `hash` maps them to few hashes so probe runs and collisions
    /// are common.
    fn hash(k: u64) -> u64 {
        k % 7
    }

    fn eq(k: u64) -> impl FnMut(&u64) -> Option<bool> {
        move |s| Some(*s == k)
    }

    fn no_time() -> Option<f64> {
        None
    }

    fn get(c: &mut Cache, k: u64) -> Option<u64> {
        c.get(hash(k), eq(k), no_time, &mut Vec::new()).unwrap().copied()
    }

    fn put(c: &mut Cache, k: u64, v: u64, level: usize) -> Vec<(u64, u64)> {
        let mut out = Vec::new();
        c.insert(hash(k), eq(k), || (k, v), level, None, no_time, &mut out).unwrap();
        out
    }

    fn order(c: &mut Cache) -> Vec<u64> {
        let mut keys = Vec::new();
        c.entries(no_time, &mut Vec::new(), |k, _, _| keys.push(*k)).unwrap();
        keys
    }

    #[test]
    fn lru_within_a_level_and_lowest_level_first() {
        let mut c = Cache::new(3).unwrap();
        put(&mut c, 1, 10, 2);
        put(&mut c, 2, 20, 2);
        put(&mut c, 3, 30, 0);
        assert_eq!(order(&mut c), [3, 1, 2]);
        // full: the low-priority entry goes first, although it is the most recent
        assert_eq!(put(&mut c, 4, 40, 2), [(3, 30)]);
        assert_eq!(get(&mut c, 1), Some(10)); // 1 becomes more recent than 2 and 4
        assert_eq!(put(&mut c, 5, 50, 3), [(2, 20)]);
        assert_eq!(order(&mut c), [4, 1, 5]);
        assert_eq!(c.stats(), Stats { hits: 1, misses: 0, evictions: 2, expirations: 0 });
        assert_eq!(get(&mut c, 2), None);
        assert_eq!(c.stats().misses, 1);
    }

    #[test]
    fn overwriting_keeps_the_key_and_moves_the_entry_to_its_new_level() {
        let mut c = Cache::new(2).unwrap();
        put(&mut c, 1, 10, 0);
        put(&mut c, 2, 20, 1);
        assert_eq!(put(&mut c, 1, 11, 3), [(1, 10)]); // the new key object and the old value come back
        assert_eq!(order(&mut c), [2, 1]);
        assert_eq!(put(&mut c, 3, 30, 1), [(2, 20)]);
        assert_eq!(get(&mut c, 1), Some(11));
    }

    #[test]
    fn entries_expire_at_their_time_and_are_counted() {
        let mut c = Cache::new(10).unwrap();
        let mut out = Vec::new();
        let at = |t: f64| move || Some(t);
        c.insert(hash(1), eq(1), || (1, 10), 2, Some(5.0), at(100.0), &mut out).unwrap();
        c.insert(hash(2), eq(2), || (2, 20), 2, Some(1.0), at(100.0), &mut out).unwrap();
        c.insert(hash(3), eq(3), || (3, 30), 2, None, at(100.0), &mut out).unwrap();
        assert_eq!(c.get(hash(1), eq(1), no_time, &mut out), Err(Stop::NeedsTime));
        assert_eq!(c.stats(), Stats::default());
        assert_eq!(c.get(hash(2), eq(2), at(100.999), &mut out).unwrap(), Some(&20));
        // alive while now < expires: at exactly 101 it has expired
        assert_eq!(c.get(hash(2), eq(2), at(101.0), &mut out).unwrap(), None);
        assert_eq!(out, [(2, 20)]);
        assert_eq!(c.len(at(101.0), &mut out).unwrap(), 2);
        let mut seen = Vec::new();
        c.entries(at(102.0), &mut out, |k, _, m| seen.push((*k, m))).unwrap();
        assert_eq!(seen, [(1, Meta { level: 2, remaining: Some(3.0) }), (3, Meta { level: 2, remaining: None })]);
        c.expire(at(105.0), &mut out).unwrap();
        assert_eq!(out, [(2, 20), (1, 10)]);
        assert_eq!(c.stats(), Stats { hits: 1, misses: 1, evictions: 0, expirations: 2 });
        // only the entry without expiry is left, so no time is needed any more
        assert_eq!(c.len(no_time, &mut out).unwrap(), 1);
    }

    #[test]
    fn expired_entries_make_room_before_anything_is_evicted() {
        let mut c = Cache::new(2).unwrap();
        let mut out = Vec::new();
        c.insert(hash(1), eq(1), || (1, 10), 3, Some(1.0), || Some(0.0), &mut out).unwrap();
        c.insert(hash(2), eq(2), || (2, 20), 0, None, || Some(0.0), &mut out).unwrap();
        c.insert(hash(3), eq(3), || (3, 30), 0, None, || Some(2.0), &mut out).unwrap();
        assert_eq!(out, [(1, 10)]);
        assert_eq!(c.stats(), Stats { hits: 0, misses: 0, evictions: 0, expirations: 1 });
    }

    #[test]
    fn an_unsure_comparison_stops_before_anything_changes() {
        let mut c = Cache::new(1).unwrap();
        put(&mut c, 1, 10, 0);
        let mut out = Vec::new();
        let unsure = |_: &u64| None;
        assert_eq!(c.get(hash(8), unsure, no_time, &mut out), Err(Stop::Unsure));
        assert_eq!(c.insert(hash(8), unsure, || (8, 80), 0, None, no_time, &mut out), Err(Stop::Unsure));
        assert_eq!(c.stats(), Stats::default());
        assert_eq!(order(&mut c), [1]);
        // a definite match wins over keys it cannot compare
        let mut seen = Vec::new();
        c.candidates(hash(1), |k| seen.push(*k));
        assert_eq!(seen, [1]);
        assert_eq!(c.get(hash(1), |k| (*k == 1).then_some(true), no_time, &mut out).unwrap(), Some(&10));
    }

    #[test]
    fn bad_levels_and_ttls_are_refused() {
        let mut c = Cache::new(1).unwrap();
        let mut out = Vec::new();
        for ttl in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let r = c.insert(1, eq(1), || (1, 1), 0, Some(ttl), || Some(0.0), &mut out);
            assert!(matches!(r, Err(Stop::Failed(Error::InvalidInput(_)))), "{ttl}");
        }
        let r = c.insert(1, eq(1), || (1, 1), LEVELS, None, no_time, &mut out);
        assert!(matches!(r, Err(Stop::Failed(Error::InvalidInput(_)))));
        assert!(Cache::new(0).is_err());
        assert_eq!(c.len(no_time, &mut out).unwrap(), 0);
    }

    /// Random operations against a simple model (a map and a recency counter per key).
    #[test]
    fn random_operations_match_a_model() {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut rand = move |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        let capacity = 37;
        let mut c = Cache::new(capacity).unwrap();
        // key -> (value, level, last use)
        let mut model: HashMap<u64, (u64, usize, u64)> = HashMap::new();
        let mut clock = 0u64;
        let mut evictions = 0;
        for step in 0..200_000u64 {
            clock += 1;
            let k = rand(100);
            match rand(10) {
                0..=3 => {
                    let level = rand(LEVELS as u64) as usize;
                    let out = put(&mut c, k, step, level);
                    if model.contains_key(&k) {
                        assert_eq!(out.len(), 1);
                    } else if model.len() == capacity {
                        let (&victim, _) = model.iter().min_by_key(|(_, &(_, l, used))| (l, used)).unwrap();
                        assert_eq!(out, [(victim, model[&victim].0)]);
                        model.remove(&victim);
                        evictions += 1;
                    } else {
                        assert!(out.is_empty());
                    }
                    model.insert(k, (step, level, clock));
                }
                4..=7 => {
                    let want = model.get_mut(&k).map(|e| {
                        e.2 = clock;
                        e.0
                    });
                    assert_eq!(get(&mut c, k), want);
                }
                8 => {
                    let got = c.remove(hash(k), eq(k), no_time, &mut Vec::new()).unwrap();
                    assert_eq!(got, model.remove(&k).map(|e| (k, e.0)));
                }
                _ => {
                    let got = c.pop_next(no_time, &mut Vec::new()).unwrap();
                    let want = model.iter().min_by_key(|(_, &(_, l, used))| (l, used)).map(|(&k, e)| (k, e.0));
                    assert_eq!(got, want);
                    if let Some((k, _)) = want {
                        model.remove(&k);
                    }
                }
            }
            assert_eq!(c.stored(), model.len());
        }
        assert_eq!(c.stats().evictions, evictions);
        let cleared = c.clear();
        drop(cleared);
        assert_eq!(c.len(no_time, &mut Vec::new()).unwrap(), 0);
        assert_eq!(get(&mut c, 1), None);
    }

    /// Many keys of one hash, removed in every order: the backward-shift deletion keeps every
    /// remaining key findable.
    #[test]
    fn colliding_keys_stay_findable_through_removals_and_growth() {
        let mut c = PriorityCache::<u64, u64>::new(1000).unwrap();
        let same = |_: u64| 42u64;
        let mut out = Vec::new();
        for k in 0..300 {
            c.insert(same(k), eq(k), || (k, k), 1, None, no_time, &mut out).unwrap();
        }
        for k in (0..300).step_by(3) {
            assert_eq!(c.remove(same(k), eq(k), no_time, &mut out).unwrap(), Some((k, k)));
        }
        for k in 0..300 {
            let want = (k % 3 != 0).then_some(k);
            assert_eq!(c.get(same(k), eq(k), no_time, &mut out).unwrap().copied(), want);
        }
    }
}
