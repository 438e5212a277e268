//! Test data for receivers of Audian webhooks (feature `testing`): [proptest] strategies of
//! valid events, generated from the schemas, whole calls, delivery faults, and payloads that
//! break one rule.
//!
//! - [`any_event`] draws events of every known type, and each type has its own strategy
//!   ([`call_completed`], [`call_completed_data`]...), as has each named type of the schemas
//!   ([`event_id`], [`timestamp`], [`phone_number`]...). Every value drawn is valid under the
//!   strict reading of the schemas: it is built to fit their patterns, lengths, formats,
//!   bounds, enumerations and constants, never filtered. A failing property shrinks towards the
//!   documented example of the event type, so that it ends on an event that differs from the
//!   API reference's only where it must.
//! - [`call_lifecycle`] draws the events of one call, in timeline order.
//! - [`delivered`] turns events into what a receiver may see: retries and disorder.
//! - [`invalid_payload`] draws payloads that break exactly one rule, with where.
//!
//! ```
//! use audian_events::testing::any_event;
//! use proptest::prelude::*;
//!
//! proptest!(|(event in any_event())| {
//!     let body = serde_json::to_vec(&event).unwrap();
//!     prop_assert_eq!(audian_events::parse_validated(&body).unwrap(), event);
//! });
//! ```

mod faults;
mod invalid;
mod lifecycle;
mod toward;
pub(crate) mod values;

use proptest::strategy::{BoxedStrategy, Strategy, Union};

pub use crate::generated::strategies::*;
pub use faults::{DeliveryFaults, delivered};
pub use invalid::invalid_payload;
#[doc(hidden)]
pub use invalid::rules;
pub use lifecycle::call_lifecycle;

use crate::{Event, EventType};

/// The README's examples, among them "Testing your receiver", run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct Readme;

/// Events of every event type of the schemas, each type as often as the others; shrinks
/// towards the first type's documented example.
pub fn any_event() -> impl Strategy<Value = Event> {
    let each_type: Vec<BoxedStrategy<Event>> = EventType::ALL.iter().filter_map(event_of_type).collect();
    Union::new(each_type)
}
