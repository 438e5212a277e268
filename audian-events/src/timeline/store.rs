//! [`CallTimelines`]: the timelines of many calls, bounded in memory.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::time::{Duration, Instant};

use super::{CallState, CallTimeline, Pushed, TimelineError, call_id_of};
use crate::clock::{Clock, SystemClock};
use crate::{CallId, Event};

/// The [`CallTimeline`]s of many calls, keyed by call id, bounded like
/// [`MemoryDedupStore`](crate::dedup::MemoryDedupStore): at most `capacity` calls, and a
/// finished call is dropped `finished_ttl` after its ending event (`call.completed`,
/// `call.failed` or `call.cancelled`) arrived.
///
/// The time after the end leaves room for the events that follow it, such as
/// `recording.completed` (which the reference shows 50 seconds after `call.completed`). An event
/// that arrives for a call already dropped starts a new timeline with only that event.
///
/// When a new call arrives and the store is full, it drops the call that finished first; if no
/// call has finished, the call whose first event arrived first. Calls that never finish (their
/// ending event was lost) leave only that way, or by [`remove`](CallTimelines::remove).
/// Expired calls are dropped by [`push`](CallTimelines::push) and
/// [`evict_expired`](CallTimelines::evict_expired); every operation is O(1) amortized besides
/// the timeline's own work.
///
/// Methods take `&mut self`: to share the store between tasks, put it in a `Mutex`.
///
/// ```
/// use std::time::Duration;
/// use audian_events::timeline::CallTimelines;
/// use audian_events::{CallStatus, Event};
///
/// let mut calls = CallTimelines::new(10_000, Duration::from_secs(600));
/// let event: Event = audian_events::examples::CALL_FAILED.parse()?;
/// calls.push(event)?;
/// let state = calls.state("call_xyz789").expect("the call is held");
/// assert_eq!(state.status, Some(CallStatus::Failed));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct CallTimelines<C: Clock = SystemClock> {
    capacity: usize,
    finished_ttl: Duration,
    clock: C,
    calls: HashMap<CallId, Slot>,
    /// Calls by arrival of their first event, oldest first. Entries whose call was dropped (or
    /// dropped and started again, with a new sequence number) are stale, skipped at the front
    /// and compacted away when they make the queue twice the capacity.
    arrivals: VecDeque<(u64, CallId)>,
    /// Finished calls by arrival of their ending event, oldest first; stale entries likewise.
    finishes: VecDeque<(Instant, u64, CallId)>,
    next_seq: u64,
}

struct Slot {
    seq: u64,
    timeline: CallTimeline,
    finished_at: Option<Instant>,
}

impl CallTimelines<SystemClock> {
    /// A store of at most `capacity` calls, each kept `finished_ttl` after it ends.
    ///
    /// # Panics
    ///
    /// If `capacity` is zero.
    pub fn new(capacity: usize, finished_ttl: Duration) -> Self {
        CallTimelines::with_clock(capacity, finished_ttl, SystemClock)
    }
}

impl Default for CallTimelines<SystemClock> {
    /// 10,000 calls, each kept 10 minutes after it ends.
    fn default() -> Self {
        CallTimelines::new(10_000, Duration::from_secs(10 * 60))
    }
}

impl<C: Clock> CallTimelines<C> {
    /// A store that reads the time from `clock`, such as a
    /// [`ManualClock`](crate::clock::ManualClock) in tests.
    ///
    /// # Panics
    ///
    /// If `capacity` is zero.
    pub fn with_clock(capacity: usize, finished_ttl: Duration, clock: C) -> Self {
        assert!(capacity > 0, "CallTimelines needs a capacity of at least 1 call");
        CallTimelines {
            capacity,
            finished_ttl,
            clock,
            calls: HashMap::new(),
            arrivals: VecDeque::new(),
            finishes: VecDeque::new(),
            next_seq: 0,
        }
    }

    /// The most calls the store holds.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// How long a finished call is kept after its ending event arrived.
    pub fn finished_ttl(&self) -> Duration {
        self.finished_ttl
    }

    /// Adds an event to the timeline of its call, starting one if needed; see
    /// [`CallTimeline::push`]. Drops expired calls first, and the oldest call if the store is
    /// full and the call is new.
    ///
    /// Fails if the event names no call (an event type this version does not know, without
    /// `data.call_id`).
    pub fn push(&mut self, event: Event) -> Result<Pushed, TimelineError> {
        let Some(call_id) = call_id_of(&event) else {
            return Err(TimelineError::NoCall { event_id: event.id().clone(), event_type: event.event_type() });
        };
        let now = self.clock.now();
        self.evict_expired_at(now);
        let slot = match self.calls.get_mut(&call_id) {
            Some(slot) => slot,
            None => {
                while self.calls.len() >= self.capacity && self.evict_one() {}
                let seq = self.next_seq;
                self.next_seq += 1;
                self.arrivals.push_back((seq, call_id.clone()));
                self.compact();
                let slot = Slot { seq, timeline: CallTimeline::new(call_id.clone()), finished_at: None };
                self.calls.entry(call_id.clone()).or_insert(slot)
            }
        };
        let pushed = slot.timeline.push(event)?;
        if slot.finished_at.is_none() && slot.timeline.is_finished() {
            slot.finished_at = Some(now);
            self.finishes.push_back((now, slot.seq, call_id));
            self.compact();
        }
        Ok(pushed)
    }

    /// The timeline of call `call_id`, if held.
    pub fn get(&self, call_id: &str) -> Option<&CallTimeline> {
        self.calls.get(call_id).map(|slot| &slot.timeline)
    }

    /// The state of call `call_id`, if held; see [`CallTimeline::state`].
    pub fn state(&self, call_id: &str) -> Option<CallState> {
        self.get(call_id).map(CallTimeline::state)
    }

    /// Drops the timeline of call `call_id` and returns it, if held.
    pub fn remove(&mut self, call_id: &str) -> Option<CallTimeline> {
        self.calls.remove(call_id).map(|slot| slot.timeline)
    }

    /// Whether call `call_id` is held.
    pub fn contains(&self, call_id: &str) -> bool {
        self.calls.contains_key(call_id)
    }

    /// How many calls are held, including finished calls past their time that the next
    /// [`push`](CallTimelines::push) or [`evict_expired`](CallTimelines::evict_expired) drops.
    pub fn len(&self) -> usize {
        self.calls.len()
    }

    /// Whether no call is held.
    pub fn is_empty(&self) -> bool {
        self.calls.is_empty()
    }

    /// The timelines held, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = &CallTimeline> {
        self.calls.values().map(|slot| &slot.timeline)
    }

    /// Drops the calls that finished `finished_ttl` ago or more, and returns how many.
    pub fn evict_expired(&mut self) -> usize {
        let now = self.clock.now();
        let before = self.calls.len();
        self.evict_expired_at(now);
        before - self.calls.len()
    }

    fn is_live(&self, seq: u64, call_id: &CallId) -> bool {
        self.calls.get(call_id).is_some_and(|slot| slot.seq == seq)
    }

    fn evict_expired_at(&mut self, now: Instant) {
        while let Some((finished_at, seq, call_id)) = self.finishes.front() {
            if self.is_live(*seq, call_id) {
                if now.saturating_duration_since(*finished_at) < self.finished_ttl {
                    break;
                }
                self.calls.remove(call_id);
            }
            self.finishes.pop_front();
        }
    }

    /// Drops the call that finished first, or else the oldest call; false if none is held.
    fn evict_one(&mut self) -> bool {
        while let Some((_, seq, call_id)) = self.finishes.pop_front() {
            if self.is_live(seq, &call_id) {
                self.calls.remove(&call_id);
                return true;
            }
        }
        while let Some((seq, call_id)) = self.arrivals.pop_front() {
            if self.is_live(seq, &call_id) {
                self.calls.remove(&call_id);
                return true;
            }
        }
        false
    }

    /// Drops stale queue entries once they make a queue twice the capacity: amortized O(1).
    fn compact(&mut self) {
        let calls = &self.calls;
        let live = |seq: u64, call_id: &CallId| calls.get(call_id).is_some_and(|slot| slot.seq == seq);
        if self.arrivals.len() > 2 * self.capacity {
            self.arrivals.retain(|(seq, call_id)| live(*seq, call_id));
        }
        if self.finishes.len() > 2 * self.capacity {
            self.finishes.retain(|(_, seq, call_id)| live(*seq, call_id));
        }
    }

    /// Queue lengths, live and stale entries: at most twice the capacity (plus one).
    #[cfg(test)]
    fn queue_lens(&self) -> (usize, usize) {
        (self.arrivals.len(), self.finishes.len())
    }
}

impl<C: Clock> fmt::Debug for CallTimelines<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallTimelines")
            .field("capacity", &self.capacity)
            .field("finished_ttl", &self.finished_ttl)
            .field("len", &self.calls.len())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(event_type: &str, call: usize, n: usize) -> Event {
        let data = match event_type {
            "call.ringing" => {
                serde_json::json!({"call_id": format!("call_{call}"), "ringing_at": "2024-01-15T10:30:02Z"})
            }
            _ => serde_json::json!({"call_id": format!("call_{call}"), "status": "cancelled",
                "cancelled_at": "2024-01-15T10:30:08Z", "cancelled_by": "caller"}),
        };
        serde_json::from_value(serde_json::json!({
            "id": format!("evt_{call}_{n}"), "timestamp": "2024-01-15T10:30:02Z", "event": event_type, "data": data,
        }))
        .unwrap()
    }

    #[test]
    fn removing_and_restarting_calls_keeps_the_queues_within_twice_the_capacity() {
        let mut calls = CallTimelines::new(50, Duration::from_secs(3600));
        for n in 0..20_000 {
            let call = n % 80;
            let event_type = if n % 7 == 0 { "call.cancelled" } else { "call.ringing" };
            calls.push(event(event_type, call, n)).unwrap();
            if n % 5 == 0 {
                calls.remove(&format!("call_{call}"));
            }
            assert!(calls.len() <= 50);
            let (arrivals, finishes) = calls.queue_lens();
            assert!(arrivals <= 101 && finishes <= 101, "queues grew to {arrivals} and {finishes}");
        }
    }
}
