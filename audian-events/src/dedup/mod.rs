//! Processing each event once: Audian retries a delivery with the same event `id`.
//!
//! The reference says: "If you receive the same event id multiple times, it's a retry - process
//! it only once." A [`DedupStore`] answers, atomically, "is this the first time I see this id?":
//!
//! - [`MemoryDedupStore`]: bounded in memory (a capacity and a time-to-live), for one receiver
//!   process;
//! - `RedisDedupStore` (feature `redis`): one `SET key NX PX ttl` per event, for several
//!   receivers behind a load balancer, where a retry can reach another instance.
//!
//! # Using a store in a receiver
//!
//! Ask the store before handling the event, and [`forget`](DedupStore::forget) the id if the
//! handling fails, so that Audian's retry is handled instead of being dropped as a duplicate:
//!
//! ```
//! use audian_events::dedup::{DedupError, DedupStore, MemoryDedupStore};
//! use audian_events::Event;
//!
//! async fn receive<S: DedupStore>(store: &S, event: Event) -> Result<u16, DedupError> {
//!     if !store.first_time(event.id()).await? {
//!         return Ok(200); // a retry of an event already handled: acknowledge it, do nothing
//!     }
//!     match handle(&event) {
//!         Ok(()) => Ok(200),
//!         Err(_) => {
//!             // Not handled: let Audian's retry through.
//!             store.forget(event.id()).await?;
//!             Ok(500)
//!         }
//!     }
//! }
//! # fn handle(_: &Event) -> Result<(), ()> { Ok(()) }
//! # let store = MemoryDedupStore::new(10_000, std::time::Duration::from_secs(24 * 3600));
//! # let event: Event = audian_events::examples::CALL_COMPLETED.parse().unwrap();
//! # let mut context = std::task::Context::from_waker(std::task::Waker::noop());
//! # let mut first = std::pin::pin!(receive(&store, event.clone()));
//! # assert!(matches!(first.as_mut().poll(&mut context), std::task::Poll::Ready(Ok(200))));
//! # assert!(!store.insert(event.id()));
//! ```
//!
//! When the store itself fails (Redis is down), [`DedupError`] says so: answer the delivery with
//! a 5xx status so that Audian sends it again, rather than handling it without protection or
//! dropping it.
//!
//! # Choosing the time-to-live
//!
//! An id is remembered for the time-to-live and then forgotten: a retry that comes later is let
//! through again. The reference does not say for how long Audian retries, so pick a time-to-live
//! comfortably longer than your longest outage plus Audian's retry window; the defaults keep ids
//! for 24 hours.
//!
//! # Why an `async` trait
//!
//! A Redis store does network I/O, and receivers call the store from async handlers, so the
//! operations return futures (`Send`, so that they can run on a multi-threaded runtime). The
//! in-memory store's futures are ready at once; its [`insert`](MemoryDedupStore::insert) and
//! [`remove`](MemoryDedupStore::remove) are the same operations without the future.

#![warn(missing_docs)]

use std::error::Error;
use std::fmt;
use std::future::Future;
use std::sync::Arc;

use crate::EventId;

mod memory;
#[cfg(feature = "redis")]
pub(crate) mod redis;

pub use memory::MemoryDedupStore;
#[cfg(feature = "redis")]
pub use redis::{RedisDedupStore, RedisDedupStoreBuilder};

/// A record of the event ids already seen, shared by every task of a receiver.
///
/// Both operations are atomic: of several concurrent [`first_time`](DedupStore::first_time)
/// calls with the same id, exactly one gets `true`.
pub trait DedupStore: Send + Sync {
    /// Records `id` and answers whether this is the first time the store sees it (within its
    /// time-to-live): `Ok(true)` for a new event, to be handled; `Ok(false)` for a retry of an
    /// event already let through, to be acknowledged and not handled again.
    ///
    /// An error means the store could not answer; whether the id was recorded is then unknown.
    fn first_time(&self, id: &EventId) -> impl Future<Output = Result<bool, DedupError>> + Send;

    /// Forgets `id`, so that the next delivery of it is a first time again. Call it when the
    /// handling of an event failed, so that Audian's retry is not dropped as a duplicate.
    /// Forgetting an id the store does not hold is not an error.
    fn forget(&self, id: &EventId) -> impl Future<Output = Result<(), DedupError>> + Send;
}

impl<S: DedupStore + ?Sized> DedupStore for &S {
    fn first_time(&self, id: &EventId) -> impl Future<Output = Result<bool, DedupError>> + Send {
        (**self).first_time(id)
    }

    fn forget(&self, id: &EventId) -> impl Future<Output = Result<(), DedupError>> + Send {
        (**self).forget(id)
    }
}

impl<S: DedupStore + ?Sized> DedupStore for Arc<S> {
    fn first_time(&self, id: &EventId) -> impl Future<Output = Result<bool, DedupError>> + Send {
        (**self).first_time(id)
    }

    fn forget(&self, id: &EventId) -> impl Future<Output = Result<(), DedupError>> + Send {
        (**self).forget(id)
    }
}

impl<S: DedupStore + ?Sized> DedupStore for Box<S> {
    fn first_time(&self, id: &EventId) -> impl Future<Output = Result<bool, DedupError>> + Send {
        (**self).first_time(id)
    }

    fn forget(&self, id: &EventId) -> impl Future<Output = Result<(), DedupError>> + Send {
        (**self).forget(id)
    }
}

/// What kind of failure a [`DedupError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DedupErrorKind {
    /// The store could not be reached or did not answer in time (Redis down, restarting, network
    /// cut). Usually transient: the store reconnects by itself.
    Unavailable,
    /// The store's configuration is wrong (a malformed URL, a zero time-to-live): fix it.
    Config,
    /// The store answered with an error (such as a Redis replica refusing writes).
    Store,
}

/// A dedup store that could not tell whether an event is new.
///
/// The message says what failed and what to do; [`kind`](DedupError::kind) tells a transient
/// outage from a configuration mistake.
#[derive(Debug)]
pub struct DedupError {
    kind: DedupErrorKind,
    message: String,
    source: Option<Box<dyn Error + Send + Sync>>,
    /// Whether the store failed to start (rather than to answer about an event).
    at_start: bool,
}

impl DedupError {
    /// An error of `kind` with a message that names the store and what it was doing, such as
    /// ``Redis at 127.0.0.1:6379 did not answer `SET audian-events:dedup:evt_1 NX PX 86400000` ``.
    pub fn new(kind: DedupErrorKind, message: impl Into<String>) -> Self {
        DedupError { kind, message: message.into(), source: None, at_start: false }
    }

    /// Marks an error of setting the store up, so that the advice is not about an event.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub(crate) fn at_start(mut self) -> Self {
        self.at_start = true;
        self
    }

    /// Attaches the underlying error, reported by [`Error::source`] (and not repeated in the
    /// message).
    pub fn with_source(mut self, source: impl Into<Box<dyn Error + Send + Sync>>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> DedupErrorKind {
        self.kind
    }

    /// Whether trying again later may succeed: true for [`DedupErrorKind::Unavailable`].
    pub fn is_transient(&self) -> bool {
        self.kind == DedupErrorKind::Unavailable
    }
}

impl fmt::Display for DedupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The source is not repeated here: error reporters print the chain.
        f.write_str(&self.message)?;
        match self.kind {
            DedupErrorKind::Config => f.write_str(". Fix the dedup store's configuration"),
            _ if self.at_start => f.write_str(
                ". The store cannot start without it: check that the server is running and reachable at that \
                 address, and its logs",
            ),
            DedupErrorKind::Unavailable => f.write_str(
                ". Whether the event was already seen is unknown: answer the delivery with a 5xx status \
                 (such as 503) so that Audian retries it, and check that the store is running and reachable",
            ),
            DedupErrorKind::Store => f.write_str(
                ". Whether the event was already seen is unknown: answer the delivery with a 5xx status \
                 so that Audian retries it, and check the store's logs",
            ),
        }
    }
}

impl Error for DedupError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.source.as_ref().map(|source| &**source as &(dyn Error + 'static))
    }
}
