//! Typed webhook events of the Audian telephony API.
//!
//! Audian POSTs each event as a JSON envelope `{id, timestamp, event, data}`. This crate turns
//! the raw bytes into an [`Event`] with one variant per documented event type, each holding the
//! envelope and a typed `data` struct. The types are generated from the JSON Schemas in the
//! repository's `schema/` folder.
//!
//! ```
//! use audian_events::{CallStatus, Event};
//!
//! # let body: &[u8] = br#"{"id": "evt_1", "timestamp": "2024-01-15T10:35:10Z", "event": "call.completed",
//! #   "data": {"call_id": "call_xyz789", "duration": 305, "status": "completed", "from": "+14155552671",
//! #   "to": "+14155552672", "ended_at": "2024-01-15T10:35:10Z", "completion_reason": "normal"}}"#;
//! // `body` is the raw request body of the webhook.
//! let event = Event::from_slice(body)?;
//! match &event {
//!     Event::CallCompleted(completed) => {
//!         assert_eq!(completed.data.duration, 305);
//!         assert_eq!(completed.data.status, CallStatus::Completed);
//!     }
//!     Event::CallFailed(failed) => println!("call failed: {}", failed.data.reason),
//!     // A type this version does not know is kept, not refused.
//!     Event::Unknown(unknown) => println!("new event type {}", unknown.event),
//!     _ => {}
//! }
//! // Retries carry the same id; `timestamp` orders events that arrive out of order.
//! println!("{} at {}", event.id(), event.timestamp());
//! # Ok::<(), audian_events::ParseError>(())
//! ```
//!
//! Parsing is lenient to what is new: an unknown event type becomes [`Event::Unknown`] and an
//! unknown enumeration value (such as a new `call_type`) becomes that enum's `Unknown` variant,
//! so that a new Audian event cannot crash a receiver. Identifier and phone number newtypes keep
//! whatever string was sent; their `FromStr` checks the schema's pattern.
//!
//! Validation has two readings of the schemas, both generated from them ([`Reading`]): *strict*,
//! exactly the schemas, for tests, fixtures and producers ([`validate`], [`is_valid`],
//! [`parse_validated`]); and *tolerant*, which also accepts what Audian may add (new fields, new
//! event types, new enumeration values) and reports it as [`Drift`], for production receivers:
//!
//! ```
//! use audian_events::{Event, Reading};
//!
//! # let body: &[u8] = br#"{"id": "evt_2", "timestamp": "2024-01-15T10:35:10Z", "event": "call.parked",
//! #   "data": {"call_id": "call_xyz789", "lot": 7}}"#;
//! let accepted = Reading::Tolerant.parse(body)?;
//! assert!(matches!(&accepted.event, Event::Unknown(unknown) if unknown.event == "call.parked"));
//! assert_eq!(accepted.drift.pointers(), "/event");
//! # Ok::<(), audian_events::PayloadError>(())
//! ```
//!
//! # Features
//!
//! - `schemars`: derives `schemars::JsonSchema` for the event types.
//! - `redis`: `dedup::RedisDedupStore`, a dedup store shared by several receivers (on Tokio).
//! - `axum`: `axum::WebhookReceiver` and the `axum::ValidatedEvent` extractor, to receive webhooks
//!   with axum 0.8.
//! - `testing`: `testing`, proptest strategies of valid events, whole calls, delivery faults and
//!   payloads that break one rule, generated from the schemas, for the tests of a receiver.

#[cfg(feature = "axum")]
pub mod axum;
pub mod clock;
mod de;
pub mod dedup;
mod envelope;
mod error;
#[rustfmt::skip]
mod generated;
mod integer;
mod parse;
mod string_enum;
pub mod subscription;
#[cfg(feature = "testing")]
pub mod testing;
pub mod timeline;
mod timestamp;
pub mod validation;

pub use dedup::{DedupError, DedupStore, MemoryDedupStore};
pub use envelope::{Envelope, UnknownEvent};
pub use error::{InvalidValue, ParseError};
pub use generated::*;
pub use subscription::{EventFilter, FilterError};
pub use timeline::{CallState, CallTimeline, CallTimelines};
pub use validation::{
    Accepted, Drift, PayloadError, Reading, ValidationError, ValidationErrors, assert_valid, is_valid, is_valid_slice,
    parse_validated, validate, validate_slice, validate_str,
};
