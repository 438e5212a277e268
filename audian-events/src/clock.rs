//! Time as the bounded stores see it, so that tests can move it forward.
//!
//! [`MemoryDedupStore`](crate::dedup::MemoryDedupStore) and
//! [`CallTimelines`](crate::timeline::CallTimelines) forget entries after a time-to-live. They read
//! the time from a [`Clock`]: [`SystemClock`] (the default) in production, a [`ManualClock`] in
//! tests that check expiry without sleeping.
//!
//! ```
//! use std::time::Duration;
//! use audian_events::clock::{Clock, ManualClock};
//!
//! let clock = ManualClock::new();
//! let start = clock.now();
//! clock.advance(Duration::from_secs(90));
//! assert_eq!(clock.now() - start, Duration::from_secs(90));
//! ```

#![warn(missing_docs)]

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// A source of monotonic time.
///
/// Implementations must never go backwards: the stores rely on it to keep their entries in
/// expiry order.
pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> Instant;
}

/// The system's monotonic clock, [`Instant::now`].
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
}

/// A clock that moves only when told to, for tests. Clones share the same time, so a test keeps
/// one clone and gives another to the store.
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Arc<Mutex<Instant>>,
}

impl ManualClock {
    /// A clock stopped at the current instant.
    pub fn new() -> Self {
        ManualClock { now: Arc::new(Mutex::new(Instant::now())) }
    }

    /// Moves the clock (and every clone of it) forward by `by`.
    pub fn advance(&self, by: Duration) {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner) += by;
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        ManualClock::new()
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Instant {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<C: Clock + ?Sized> Clock for Arc<C> {
    fn now(&self) -> Instant {
        (**self).now()
    }
}
