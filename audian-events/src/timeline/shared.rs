//! [`TimelineStore`]: call timelines that several receivers can share, with the in-memory store.

use std::error::Error;
use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use super::{CallState, CallTimeline, CallTimelines, Pushed, TimelineError, call_id_of};
use crate::Event;
use crate::clock::{Clock, SystemClock};

/// The timelines of many calls, kept where every receiver of a webhook can reach them.
///
/// [`CallTimelines`] lives in one process: with two receivers behind a load balancer, each would
/// hold about half of every call's events. A `TimelineStore` is the same record made shareable:
///
/// - [`MemoryTimelineStore`]: [`CallTimelines`] behind a lock, for one receiver process;
/// - `RedisTimelineStore` (feature `redis`): the calls in Redis, for several receivers.
///
/// Every store gives the same answers for the same events: [`push`](TimelineStore::push) says
/// what [`CallTimeline::push`] says, and [`timeline`](TimelineStore::timeline) is the
/// [`CallTimeline`] of the events pushed, so its [`events`](CallTimeline::events) and
/// [`state`](CallTimeline::state) are those of one process that received them all, whatever the
/// order, the retries and the receiver each reached.
///
/// A call holds at most a fixed number of events (a new event past it is refused with
/// [`TimelineStoreErrorKind::CallFull`]), and a finished call (one that holds a `call.completed`,
/// `call.failed` or `call.cancelled`) is dropped a time-to-live after its ending event arrived;
/// an event that arrives later starts a new timeline with only that event.
pub trait TimelineStore: Send + Sync {
    /// Adds `event` to the timeline of its call, atomically: of concurrent pushes of the same id
    /// (from any process), exactly one gets [`Pushed::Added`].
    ///
    /// Fails if the event names no call ([`TimelineStoreErrorKind::NoCall`]), if its call is full
    /// ([`TimelineStoreErrorKind::CallFull`]), or if the store cannot answer (whether the event
    /// was recorded is then unknown; pushing it again is safe).
    fn push(&self, event: Event) -> impl Future<Output = Result<Pushed, TimelineStoreError>> + Send;

    /// The timeline of call `call_id`, read at one instant (never half of a push), or `None` if
    /// the store holds no event of it.
    fn timeline(&self, call_id: &str) -> impl Future<Output = Result<Option<CallTimeline>, TimelineStoreError>> + Send;

    /// The state of call `call_id`, as [`CallTimeline::state`] computes it, or `None` if the
    /// store holds no event of it.
    fn state(&self, call_id: &str) -> impl Future<Output = Result<Option<CallState>, TimelineStoreError>> + Send {
        let timeline = self.timeline(call_id);
        async move { Ok(timeline.await?.map(|timeline| timeline.state())) }
    }

    /// The events of call `call_id` in timeline order, as [`CallTimeline::events`] gives them
    /// (none if the store holds no event of it).
    fn events(&self, call_id: &str) -> impl Future<Output = Result<Vec<Event>, TimelineStoreError>> + Send {
        let timeline = self.timeline(call_id);
        async move { Ok(timeline.await?.map_or_else(Vec::new, |timeline| timeline.events().cloned().collect())) }
    }
}

impl<S: TimelineStore + ?Sized> TimelineStore for &S {
    fn push(&self, event: Event) -> impl Future<Output = Result<Pushed, TimelineStoreError>> + Send {
        (**self).push(event)
    }

    fn timeline(&self, call_id: &str) -> impl Future<Output = Result<Option<CallTimeline>, TimelineStoreError>> + Send {
        (**self).timeline(call_id)
    }
}

impl<S: TimelineStore + ?Sized> TimelineStore for Arc<S> {
    fn push(&self, event: Event) -> impl Future<Output = Result<Pushed, TimelineStoreError>> + Send {
        (**self).push(event)
    }

    fn timeline(&self, call_id: &str) -> impl Future<Output = Result<Option<CallTimeline>, TimelineStoreError>> + Send {
        (**self).timeline(call_id)
    }
}

/// What kind of failure a [`TimelineStoreError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimelineStoreErrorKind {
    /// The store could not be reached or did not answer in time (Redis down, restarting, network
    /// cut). Usually transient: the store reconnects by itself.
    Unavailable,
    /// The store's configuration is wrong (a malformed URL, a zero time-to-live): fix it.
    Config,
    /// The store answered with an error, or holds data it cannot read.
    Store,
    /// The event's call already holds the most events a call may hold.
    CallFull,
    /// The event names no call, so no timeline can hold it (see [`TimelineError::NoCall`]).
    NoCall,
}

/// A [`TimelineStore`] that could not do what was asked.
#[derive(Debug)]
pub struct TimelineStoreError {
    kind: TimelineStoreErrorKind,
    message: String,
    source: Option<Box<dyn Error + Send + Sync>>,
}

impl TimelineStoreError {
    /// An error of `kind` with a message that names the store and what it was doing.
    pub fn new(kind: TimelineStoreErrorKind, message: impl Into<String>) -> Self {
        TimelineStoreError { kind, message: message.into(), source: None }
    }

    /// Attaches the underlying error, reported by [`Error::source`] (and not repeated in the
    /// message).
    pub fn with_source(mut self, source: impl Into<Box<dyn Error + Send + Sync>>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> TimelineStoreErrorKind {
        self.kind
    }

    /// Whether trying again later may succeed: true for [`TimelineStoreErrorKind::Unavailable`].
    pub fn is_transient(&self) -> bool {
        self.kind == TimelineStoreErrorKind::Unavailable
    }

    pub(crate) fn call_full(call_id: &str, max_events: usize) -> Self {
        TimelineStoreError::new(
            TimelineStoreErrorKind::CallFull,
            format!("call {call_id} already holds {max_events} events, the most the timeline store keeps for a call"),
        )
    }
}

impl From<TimelineError> for TimelineStoreError {
    fn from(error: TimelineError) -> Self {
        let kind = match &error {
            TimelineError::NoCall { .. } => TimelineStoreErrorKind::NoCall,
            // A store picks the timeline by the event's own call: it never pushes to another.
            TimelineError::OtherCall { .. } => TimelineStoreErrorKind::Store,
        };
        TimelineStoreError::new(kind, error.to_string())
    }
}

impl fmt::Display for TimelineStoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The source is not repeated here: error reporters print the chain.
        f.write_str(&self.message)?;
        match self.kind {
            TimelineStoreErrorKind::Unavailable => f.write_str(
                ". Whether the event was recorded is unknown, and pushing it again is safe: answer the delivery \
                 with a 5xx status (such as 503) so that Audian retries it, and check that the store is running \
                 and reachable",
            ),
            TimelineStoreErrorKind::Config => f.write_str(". Fix the timeline store's configuration"),
            TimelineStoreErrorKind::Store => f.write_str(". Check the store's logs"),
            TimelineStoreErrorKind::CallFull => f.write_str(
                ". Raise the store's bound if calls this long are expected; otherwise the call's events are \
                 unusual (the same call id reused?)",
            ),
            TimelineStoreErrorKind::NoCall => Ok(()),
        }
    }
}

impl Error for TimelineStoreError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.source.as_ref().map(|source| &**source as &(dyn Error + 'static))
    }
}

/// A [`TimelineStore`] in memory: [`CallTimelines`] behind a lock, for one receiver process,
/// with at most [`max_events_per_call`](MemoryTimelineStore::max_events_per_call) events a call.
///
/// Its futures are ready at once. Cloning is cheap and clones share the calls.
///
/// ```
/// use audian_events::timeline::{MemoryTimelineStore, TimelineStore};
/// use audian_events::{CallStatus, Event};
///
/// # let mut context = std::task::Context::from_waker(std::task::Waker::noop());
/// # let run = async {
/// let store = MemoryTimelineStore::default();
/// let event: Event = audian_events::examples::CALL_FAILED.parse()?;
/// assert!(store.push(event.clone()).await?.is_added());
/// assert!(!store.push(event).await?.is_added(), "a retry");
/// let state = store.state("call_xyz789").await?.expect("the call is held");
/// assert_eq!(state.status, Some(CallStatus::Failed));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # };
/// # let std::task::Poll::Ready(result) = std::pin::pin!(run).poll(&mut context) else { unreachable!() };
/// # result.unwrap();
/// ```
#[derive(Clone)]
pub struct MemoryTimelineStore<C: Clock = SystemClock> {
    calls: Arc<Mutex<CallTimelines<C>>>,
    max_events_per_call: usize,
}

/// The most events a call holds in a [`MemoryTimelineStore`] unless
/// [`with_max_events_per_call`](MemoryTimelineStore::with_max_events_per_call) sets another.
pub const DEFAULT_MAX_EVENTS_PER_CALL: usize = 1_000;

impl MemoryTimelineStore<SystemClock> {
    /// A store of at most `capacity` calls, each kept `finished_ttl` after it ends (see
    /// [`CallTimelines::new`]).
    ///
    /// # Panics
    ///
    /// If `capacity` is zero.
    pub fn new(capacity: usize, finished_ttl: Duration) -> Self {
        MemoryTimelineStore::from_timelines(CallTimelines::new(capacity, finished_ttl))
    }
}

impl Default for MemoryTimelineStore<SystemClock> {
    /// [`CallTimelines::default`]: 10,000 calls, each kept 10 minutes after it ends.
    fn default() -> Self {
        MemoryTimelineStore::from_timelines(CallTimelines::default())
    }
}

impl<C: Clock> MemoryTimelineStore<C> {
    /// A store over `calls` (which may already hold calls).
    pub fn from_timelines(calls: CallTimelines<C>) -> Self {
        MemoryTimelineStore { calls: Arc::new(Mutex::new(calls)), max_events_per_call: DEFAULT_MAX_EVENTS_PER_CALL }
    }

    /// At most `max` events a call (at least 1).
    pub fn with_max_events_per_call(mut self, max: usize) -> Self {
        self.max_events_per_call = max.max(1);
        self
    }

    /// The most events a call holds.
    pub fn max_events_per_call(&self) -> usize {
        self.max_events_per_call
    }

    /// The calls held, locked: to read or change them directly (a [`CallTimelines`]). Other
    /// pushes wait until the guard is dropped.
    pub fn lock(&self) -> MutexGuard<'_, CallTimelines<C>> {
        self.calls.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn push_now(&self, event: Event) -> Result<Pushed, TimelineStoreError> {
        let Some(call_id) = call_id_of(&event) else {
            return Err(TimelineError::NoCall { event_id: event.id().clone(), event_type: event.event_type() }.into());
        };
        let mut calls = self.lock();
        // Expired calls first, so that a full call past its time-to-live makes room, as in Redis.
        calls.evict_expired();
        if let Some(timeline) = calls.get(&call_id)
            && timeline.len() >= self.max_events_per_call
            && timeline.get(event.id()).is_none()
        {
            return Err(TimelineStoreError::call_full(&call_id, self.max_events_per_call));
        }
        Ok(calls.push(event)?)
    }

    fn timeline_now(&self, call_id: &str) -> Option<CallTimeline> {
        let mut calls = self.lock();
        calls.evict_expired();
        calls.get(call_id).cloned()
    }
}

impl<C: Clock + 'static> TimelineStore for MemoryTimelineStore<C> {
    fn push(&self, event: Event) -> impl Future<Output = Result<Pushed, TimelineStoreError>> + Send {
        std::future::ready(self.push_now(event))
    }

    fn timeline(&self, call_id: &str) -> impl Future<Output = Result<Option<CallTimeline>, TimelineStoreError>> + Send {
        std::future::ready(Ok(self.timeline_now(call_id)))
    }
}

impl<C: Clock> fmt::Debug for MemoryTimelineStore<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let calls = self.lock();
        f.debug_struct("MemoryTimelineStore")
            .field("calls", &*calls)
            .field("max_events_per_call", &self.max_events_per_call)
            .finish()
    }
}
