//! The envelope shared by every event, and deserialization of [`Event`] that dispatches on the
//! `event` field: `data` is read straight into its type when `event` comes first (as Audian sends
//! it), and buffered only when it does not.

use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, Visitor};

use crate::de::{Check, Key, Modal, Seed};
use serde::ser::SerializeStruct;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::generated::EventData;
use crate::{Event, EventId, EventType, Timestamp};

/// The envelope of a documented event, with its typed `data`. The `event` field is implied by
/// the [`Event`] variant that holds it.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct Envelope<D> {
    /// Unique event identifier: a retried delivery carries the same one.
    pub id: EventId,
    /// When the event occurred; events may arrive out of order.
    pub timestamp: Timestamp,
    /// The event-specific payload.
    pub data: D,
}

impl<D: Serialize> Envelope<D> {
    pub(crate) fn serialize_as<S: Serializer>(&self, event: &str, serializer: S) -> Result<S::Ok, S::Error> {
        let mut envelope = serializer.serialize_struct("Event", 4)?;
        envelope.serialize_field("id", &self.id)?;
        envelope.serialize_field("timestamp", &crate::timestamp::Rfc3339(&self.timestamp))?;
        envelope.serialize_field("event", event)?;
        envelope.serialize_field("data", &self.data)?;
        envelope.end()
    }
}

/// An event whose type this version does not know: its envelope, and `data` kept as JSON.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnknownEvent {
    pub id: EventId,
    #[serde(serialize_with = "crate::timestamp::serialize")]
    pub timestamp: Timestamp,
    /// The event type as sent, such as `call.parked`.
    pub event: String,
    pub data: Value,
}

impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Event, D::Error> {
        deserializer.deserialize_map(EventVisitor::<{ crate::de::LENIENT }>)
    }
}

impl<'de> Modal<'de> for Event {
    fn deserialize_in<const MODE: u8, D: Deserializer<'de>>(deserializer: D) -> Result<Event, D::Error> {
        deserializer.deserialize_map(EventVisitor::<MODE>)
    }
}

const FIELDS: &[&str] = &["id", "timestamp", "event", "data"];

struct DataSeed<'a, const MODE: u8>(&'a EventType);

impl<'de, const MODE: u8> DeserializeSeed<'de> for DataSeed<'_, MODE> {
    type Value = EventData;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<EventData, D::Error> {
        EventData::deserialize::<MODE, D>(self.0, deserializer)
    }
}

struct EventVisitor<const MODE: u8>;

impl<'de, const MODE: u8> Visitor<'de> for EventVisitor<MODE> {
    type Value = Event;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an Audian webhook event: an object with `id`, `timestamp`, `event` and `data`")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Event, A::Error> {
        let mut id = None;
        let mut timestamp = None;
        let mut event_type: Option<EventType> = None;
        let mut data = None;
        // `data` before `event` is kept as raw JSON text and parsed once the type is known.
        let mut buffered_data: Option<Box<RawValue>> = None;
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            match key.as_ref() {
                "id" => set_once(&mut id, "id", map.next_value_seed(Seed::<EventId, MODE>::new())?)?,
                "timestamp" => {
                    set_once(&mut timestamp, "timestamp", map.next_value_seed(Seed::<Timestamp, MODE>::new())?)?
                }
                "event" => set_once(&mut event_type, "event", map.next_value_seed(Seed::<EventType, MODE>::new())?)?,
                "data" => {
                    if data.is_some() || buffered_data.is_some() {
                        return Err(de::Error::duplicate_field("data"));
                    }
                    match &event_type {
                        Some(event_type) => data = Some(map.next_value_seed(DataSeed::<MODE>(event_type))?),
                        None => buffered_data = Some(map.next_value()?),
                    }
                }
                other if MODE == crate::de::STRICT => return Err(de::Error::unknown_field(other, FIELDS)),
                _ => {
                    crate::de::note_drift::<MODE>();
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let id = id.ok_or_else(|| de::Error::missing_field("id"))?;
        let timestamp = timestamp.ok_or_else(|| de::Error::missing_field("timestamp"))?;
        let event_type = event_type.ok_or_else(|| de::Error::missing_field("event"))?;
        let data = match (data, buffered_data) {
            (Some(data), _) => data,
            (None, Some(raw)) => parse_buffered_data::<MODE>(&event_type, raw.get()).map_err(de::Error::custom)?,
            (None, None) => return Err(de::Error::missing_field("data")),
        };
        Ok(Event::from_parts(id, timestamp, event_type, data))
    }
}

/// Checks an event as [`EventVisitor`] reads it, in the same mode, building nothing: what
/// [`Reading::is_valid_slice`](crate::Reading::is_valid_slice) runs. `data` before `event` is
/// borrowed from the input, which must be text, and checked once the type is known.
pub(crate) struct EventChecker<const MODE: u8>;

impl<'de, const MODE: u8> Visitor<'de> for EventChecker<MODE> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an Audian webhook event: an object with `id`, `timestamp`, `event` and `data`")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let (mut id, mut timestamp, mut data) = (false, false, false);
        let mut event_type: Option<EventType> = None;
        let mut buffered_data: Option<&'de RawValue> = None;
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            match key.as_ref() {
                "id" => {
                    check_once(&mut id, "id")?;
                    map.next_value_seed(Check::<EventId, MODE, _>::new(|_| true))?;
                }
                "timestamp" => {
                    check_once(&mut timestamp, "timestamp")?;
                    map.next_value_seed(Check::<Timestamp, MODE, _>::new(|_| true))?;
                }
                "event" => set_once(&mut event_type, "event", map.next_value_seed(Seed::<EventType, MODE>::new())?)?,
                "data" => {
                    check_once(&mut data, "data")?;
                    match &event_type {
                        Some(event_type) => map.next_value_seed(DataChecker::<MODE>(event_type))?,
                        None => buffered_data = Some(map.next_value()?),
                    }
                }
                other if MODE == crate::de::STRICT => return Err(de::Error::unknown_field(other, FIELDS)),
                _ => {
                    crate::de::note_drift::<MODE>();
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        for (seen, name) in [(id, "id"), (timestamp, "timestamp"), (event_type.is_some(), "event"), (data, "data")] {
            if !seen {
                return Err(de::Error::missing_field(name));
            }
        }
        match (event_type, buffered_data) {
            (Some(event_type), Some(raw)) => {
                let mut deserializer = serde_json::Deserializer::from_str(raw.get());
                EventData::check::<MODE, _>(&event_type, &mut deserializer).map_err(de::Error::custom)
            }
            _ => Ok(()),
        }
    }
}

struct DataChecker<'a, const MODE: u8>(&'a EventType);

impl<'de, const MODE: u8> DeserializeSeed<'de> for DataChecker<'_, MODE> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        EventData::check::<MODE, D>(self.0, deserializer)
    }
}

fn check_once<E: de::Error>(seen: &mut bool, name: &'static str) -> Result<(), E> {
    if std::mem::replace(seen, true) {
        return Err(E::duplicate_field(name));
    }
    Ok(())
}

/// Parses `data` that came before `event`. The outer path ends at the envelope, so on failure the
/// inner one is found (by parsing again with the path tracked) and put into the message.
fn parse_buffered_data<const MODE: u8>(event_type: &EventType, json: &str) -> Result<EventData, String> {
    let error = match EventData::deserialize::<MODE, _>(event_type, &mut serde_json::Deserializer::from_str(json)) {
        Ok(data) => return Ok(data),
        Err(error) => error,
    };
    let mut track = serde_path_to_error::Track::new();
    let mut again = serde_json::Deserializer::from_str(json);
    let tracked = serde_path_to_error::Deserializer::new(&mut again, &mut track);
    let _ = EventData::deserialize::<MODE, _>(event_type, tracked);
    Err(format!("at `data.{}`: {error}", track.path()))
}

fn set_once<T, E: de::Error>(slot: &mut Option<T>, name: &'static str, value: T) -> Result<(), E> {
    if slot.is_some() {
        return Err(E::duplicate_field(name));
    }
    *slot = Some(value);
    Ok(())
}
