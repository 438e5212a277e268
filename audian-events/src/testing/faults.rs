//! What a receiver may see of a sequence of events: Audian retries a delivery (the same event,
//! same id, same body) and delivers out of order.

use proptest::prelude::*;

use crate::Event;

/// How unreliable a delivery may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryFaults {
    /// At most this many retries of each event, each the same event again (same id, same body),
    /// delivered after the first.
    pub max_retries: usize,
    /// At most this many places later than where it was sent that an event or a retry arrives:
    /// 0 keeps the order sent.
    pub max_delay: usize,
}

impl DeliveryFaults {
    /// Every event once, in the order sent.
    pub const NONE: DeliveryFaults = DeliveryFaults { max_retries: 0, max_delay: 0 };
}

impl Default for DeliveryFaults {
    /// Up to two retries of each event, and events up to four places late.
    fn default() -> DeliveryFaults {
        DeliveryFaults { max_retries: 2, max_delay: 4 }
    }
}

/// The events as a receiver may see them with `faults`: every event at least once, some again,
/// some late. Shrinks towards every event once, in the order sent.
///
/// ```
/// use audian_events::testing::{DeliveryFaults, call_lifecycle, delivered};
/// use proptest::prelude::*;
///
/// let sent_and_seen = call_lifecycle().prop_flat_map(|events| {
///     (Just(events.clone()), delivered(events, DeliveryFaults::default()))
/// });
/// proptest!(|((sent, seen) in sent_and_seen)| {
///     prop_assert!(seen.len() >= sent.len());
///     prop_assert!(sent.iter().all(|event| seen.contains(event)));
/// });
/// ```
pub fn delivered(events: Vec<Event>, faults: DeliveryFaults) -> impl Strategy<Value = Vec<Event>> {
    let delays = proptest::collection::vec(0..=faults.max_delay, faults.max_retries + 1);
    let deliveries = proptest::collection::vec((0..=faults.max_retries, delays), events.len());
    deliveries.prop_map(move |deliveries| {
        let mut arrivals: Vec<(usize, usize, usize)> = Vec::new();
        for (sent, (retries, delays)) in deliveries.into_iter().enumerate() {
            // The k-th retry is sent k places after the first delivery, and each is late by its delay.
            arrivals.extend((0..=retries).map(|retry| (sent + retry + delays[retry], sent, retry)));
        }
        arrivals.sort_unstable();
        arrivals.into_iter().map(|(_, sent, _)| events[sent].clone()).collect()
    })
}
