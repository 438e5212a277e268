//! The in-memory dedup store.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::future::{Future, ready};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use super::{DedupError, DedupStore};
use crate::EventId;
use crate::clock::{Clock, SystemClock};

/// A [`DedupStore`] in the memory of one process: bounded, `Send + Sync`, safe to share between
/// any number of threads and tasks (behind an [`Arc`] or a reference).
///
/// It holds at most `capacity` ids, each for at most `ttl`. When it is full, a new id evicts the
/// oldest one; an id older than `ttl` is forgotten. Either way, a retry of a forgotten id is let
/// through again, so choose the capacity above the number of events you receive during the
/// time-to-live. Every operation is O(1) (amortized) under one short-held mutex.
///
/// It remembers nothing across restarts and is not shared between processes: with several
/// receivers behind a load balancer, use `RedisDedupStore` (feature `redis`).
///
/// ```
/// use std::time::Duration;
/// use audian_events::dedup::MemoryDedupStore;
///
/// let store = MemoryDedupStore::new(100_000, Duration::from_secs(24 * 3600));
/// assert!(store.insert("evt_1234567890abcdef")); // first delivery: handle it
/// assert!(!store.insert("evt_1234567890abcdef")); // a retry: acknowledge it, do nothing
/// assert_eq!(store.len(), 1);
/// ```
pub struct MemoryDedupStore<C: Clock = SystemClock> {
    capacity: usize,
    ttl: Duration,
    clock: C,
    inner: Mutex<Inner>,
}

/// The ids, and their order of arrival for eviction and expiry.
///
/// `seen` maps each id held to the sequence number of its insertion. `order` lists insertions
/// oldest first; since every insertion reads the clock under the lock and the clock never goes
/// backwards, it is also in expiry order. An entry of `order` whose id was removed (or removed
/// and inserted again, with a new sequence number) is stale: it is skipped when it reaches the
/// front, and `order` is compacted when stale entries make it twice the capacity, so memory stays
/// bounded by the capacity and every operation is amortized O(1).
struct Inner {
    seen: HashMap<Arc<str>, u64>,
    order: VecDeque<Insertion>,
    next_seq: u64,
}

struct Insertion {
    id: Arc<str>,
    seq: u64,
    at: Instant,
}

impl Inner {
    fn is_live(&self, insertion: &Insertion) -> bool {
        self.seen.get(&insertion.id) == Some(&insertion.seq)
    }

    /// Drops the expired ids and the stale entries at the front of `order`.
    fn purge(&mut self, now: Instant, ttl: Duration) {
        while let Some(front) = self.order.front() {
            if self.is_live(front) {
                if now.saturating_duration_since(front.at) < ttl {
                    break;
                }
                self.seen.remove(&front.id);
            }
            self.order.pop_front();
        }
    }

    /// Drops the oldest id held; false if there is none.
    fn evict_oldest(&mut self) -> bool {
        while let Some(front) = self.order.pop_front() {
            if self.is_live(&front) {
                self.seen.remove(&front.id);
                return true;
            }
        }
        false
    }
}

impl MemoryDedupStore<SystemClock> {
    /// A store that holds at most `capacity` ids, each for `ttl`.
    ///
    /// # Panics
    ///
    /// If `capacity` is zero: a store that holds nothing would let every retry through.
    pub fn new(capacity: usize, ttl: Duration) -> Self {
        MemoryDedupStore::with_clock(capacity, ttl, SystemClock)
    }
}

impl Default for MemoryDedupStore<SystemClock> {
    /// 100,000 ids for 24 hours: a few megabytes at most.
    fn default() -> Self {
        MemoryDedupStore::new(100_000, Duration::from_secs(24 * 60 * 60))
    }
}

impl<C: Clock> MemoryDedupStore<C> {
    /// A store that reads the time from `clock`, such as a
    /// [`ManualClock`](crate::clock::ManualClock) in tests.
    ///
    /// # Panics
    ///
    /// If `capacity` is zero.
    pub fn with_clock(capacity: usize, ttl: Duration, clock: C) -> Self {
        assert!(capacity > 0, "a MemoryDedupStore needs a capacity of at least 1 id");
        MemoryDedupStore {
            capacity,
            ttl,
            clock,
            inner: Mutex::new(Inner { seen: HashMap::new(), order: VecDeque::new(), next_seq: 0 }),
        }
    }

    /// The most ids the store holds.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// How long an id is remembered.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // No operation panics half-way through an update, so a poisoned lock holds
        // consistent data.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records `id` and returns whether it was new, like [`HashSet::insert`]: `true` the first
    /// time (within the time-to-live), `false` for a retry. This is
    /// [`DedupStore::first_time`] without the future.
    ///
    /// [`HashSet::insert`]: std::collections::HashSet::insert
    pub fn insert(&self, id: &str) -> bool {
        let mut inner = self.lock();
        let now = self.clock.now();
        inner.purge(now, self.ttl);
        if inner.seen.contains_key(id) {
            return false;
        }
        while inner.seen.len() >= self.capacity && inner.evict_oldest() {}
        let id: Arc<str> = Arc::from(id);
        let seq = inner.next_seq;
        inner.next_seq += 1;
        inner.seen.insert(Arc::clone(&id), seq);
        inner.order.push_back(Insertion { id, seq, at: now });
        if inner.order.len() > 2 * self.capacity {
            let Inner { seen, order, .. } = &mut *inner;
            order.retain(|insertion| seen.get(&insertion.id) == Some(&insertion.seq));
        }
        true
    }

    /// Forgets `id` and returns whether it was held. This is [`DedupStore::forget`] without
    /// the future.
    pub fn remove(&self, id: &str) -> bool {
        let mut inner = self.lock();
        let now = self.clock.now();
        inner.purge(now, self.ttl);
        inner.seen.remove(id).is_some()
    }

    /// Whether `id` is held (seen within the time-to-live), without recording it.
    pub fn contains(&self, id: &str) -> bool {
        let mut inner = self.lock();
        let now = self.clock.now();
        inner.purge(now, self.ttl);
        inner.seen.contains_key(id)
    }

    /// How many ids are held: never more than the capacity.
    pub fn len(&self) -> usize {
        let mut inner = self.lock();
        let now = self.clock.now();
        inner.purge(now, self.ttl);
        inner.seen.len()
    }

    /// Whether no id is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets every id.
    pub fn clear(&self) {
        let mut inner = self.lock();
        inner.seen.clear();
        inner.order.clear();
    }

    /// Bookkeeping entries, live and stale: at most twice the capacity.
    #[cfg(test)]
    fn order_len(&self) -> usize {
        self.lock().order.len()
    }
}

impl<C: Clock> DedupStore for MemoryDedupStore<C> {
    fn first_time(&self, id: &EventId) -> impl Future<Output = Result<bool, DedupError>> + Send {
        ready(Ok(self.insert(id)))
    }

    fn forget(&self, id: &EventId) -> impl Future<Output = Result<(), DedupError>> + Send {
        self.remove(id);
        ready(Ok(()))
    }
}

impl<C: Clock> fmt::Debug for MemoryDedupStore<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryDedupStore")
            .field("capacity", &self.capacity)
            .field("ttl", &self.ttl)
            .field("len", &self.lock().seen.len())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;

    #[test]
    fn forgetting_and_reinserting_keeps_bookkeeping_within_twice_the_capacity() {
        let store = MemoryDedupStore::new(100, Duration::from_secs(60));
        for round in 0..10_000 {
            let id = format!("evt_{}", round % 150);
            store.insert(&id);
            if round % 3 == 0 {
                store.remove(&id);
            }
            assert!(store.len() <= 100);
            assert!(store.order_len() <= 200, "order grew to {}", store.order_len());
        }
    }

    #[test]
    fn a_stale_entry_does_not_expire_a_reinserted_id() {
        let clock = ManualClock::new();
        let store = MemoryDedupStore::with_clock(10, Duration::from_secs(60), clock.clone());
        assert!(store.insert("evt_a"));
        clock.advance(Duration::from_secs(30));
        assert!(store.remove("evt_a"));
        assert!(store.insert("evt_a"));
        // The first insertion's entry expires now; the second one must stay.
        clock.advance(Duration::from_secs(45));
        assert!(store.contains("evt_a"));
        clock.advance(Duration::from_secs(15));
        assert!(!store.contains("evt_a"));
        assert_eq!(store.order_len(), 0);
    }

    #[test]
    fn eviction_skips_stale_entries_and_drops_the_oldest_live_id() {
        let store = MemoryDedupStore::new(3, Duration::from_secs(60));
        for id in ["evt_a", "evt_b", "evt_c"] {
            assert!(store.insert(id));
        }
        store.remove("evt_a");
        assert!(store.insert("evt_d"));
        assert!(store.insert("evt_e")); // evicts evt_b, the oldest held
        assert!(!store.contains("evt_b"));
        assert!(store.contains("evt_c") && store.contains("evt_d") && store.contains("evt_e"));
    }
}
