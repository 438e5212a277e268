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
//! # Features
//!
//! - `schemars`: derives `schemars::JsonSchema` for the event types.
//! - `redis`: [`dedup::RedisDedupStore`], a dedup store shared by several receivers (on Tokio).

pub mod clock;
#[doc(hidden)]
pub mod de;
pub mod dedup;
mod envelope;
mod error;
#[rustfmt::skip]
mod generated;
#[doc(hidden)]
pub mod integer;
#[doc(hidden)]
pub mod string_enum;
pub mod subscription;
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
    PayloadError, ValidationError, ValidationErrors, assert_valid, is_valid, parse_validated, validate, validate_slice,
    validate_str,
};

impl Event {
    /// Parses an event from the raw bytes of a webhook body.
    ///
    /// Errors carry the line and column of malformed JSON, or the path of the field of the wrong
    /// type (such as `data.duration`).
    pub fn from_slice(bytes: &[u8]) -> Result<Event, ParseError> {
        let mut deserializer = serde_json::Deserializer::from_slice(bytes);
        parse_then_explain(&mut deserializer, || serde_json::Deserializer::from_slice(bytes))
    }

    /// Parses and validates in one pass: `Ok` only for payloads the schemas accept. A refusal
    /// carries no useful message; callers re-check with the validator to explain it.
    pub(crate) fn from_slice_strict(bytes: &[u8]) -> Result<Event, serde_json::Error> {
        let mut deserializer = serde_json::Deserializer::from_slice(bytes);
        let event = de::Modal::deserialize_in::<true, _>(&mut deserializer)?;
        deserializer.end()?;
        Ok(event)
    }

    /// Serializes the event back to JSON, in the envelope form Audian sends.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("an event serializes to JSON")
    }
}

impl std::str::FromStr for Event {
    type Err = ParseError;

    /// Parses an event from a JSON string; see [`Event::from_slice`].
    fn from_str(text: &str) -> Result<Event, ParseError> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        parse_then_explain(&mut deserializer, || serde_json::Deserializer::from_str(text))
    }
}

/// Parses without tracking the path, which costs more than the parse; on failure parses again
/// with the path tracked, to say where.
fn parse_then_explain<'de, R: serde_json::de::Read<'de>>(
    deserializer: &mut serde_json::Deserializer<R>,
    again: impl FnOnce() -> serde_json::Deserializer<R>,
) -> Result<Event, ParseError> {
    let parsed =
        serde::Deserialize::deserialize(&mut *deserializer).and_then(|event| deserializer.end().map(|()| event));
    match parsed {
        Ok(event) => Ok(event),
        Err(error) => {
            let mut deserializer = again();
            match serde_path_to_error::deserialize::<_, Event>(&mut deserializer) {
                Err(explained) => Err(explained.into()),
                // Only trailing characters remain to explain.
                Ok(_) => Err(error.into()),
            }
        }
    }
}
