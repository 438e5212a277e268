//! The envelope shared by every event, and deserialization of [`Event`] that dispatches on the
//! `event` field: `data` is read straight into its type when `event` comes first (as Audian sends
//! it), and buffered only when it does not.

use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::ser::SerializeStruct;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

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
        envelope.serialize_field("timestamp", &self.timestamp)?;
        envelope.serialize_field("event", event)?;
        envelope.serialize_field("data", &self.data)?;
        envelope.end()
    }
}

/// An event whose type this version does not know: its envelope, and `data` kept as JSON.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnknownEvent {
    pub id: EventId,
    pub timestamp: Timestamp,
    /// The event type as sent, such as `call.parked`.
    pub event: String,
    pub data: Value,
}

impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Event, D::Error> {
        deserializer.deserialize_map(EventVisitor)
    }
}

enum Field {
    Id,
    Timestamp,
    Event,
    Data,
    Other,
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Field, D::Error> {
        struct FieldVisitor;
        impl Visitor<'_> for FieldVisitor {
            type Value = Field;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: de::Error>(self, name: &str) -> Result<Field, E> {
                Ok(match name {
                    "id" => Field::Id,
                    "timestamp" => Field::Timestamp,
                    "event" => Field::Event,
                    "data" => Field::Data,
                    _ => Field::Other,
                })
            }
        }
        deserializer.deserialize_identifier(FieldVisitor)
    }
}

struct DataSeed<'a>(&'a EventType);

impl<'de> DeserializeSeed<'de> for DataSeed<'_> {
    type Value = EventData;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<EventData, D::Error> {
        EventData::deserialize(self.0, deserializer)
    }
}

struct EventVisitor;

impl<'de> Visitor<'de> for EventVisitor {
    type Value = Event;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an Audian webhook event: an object with `id`, `timestamp`, `event` and `data`")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Event, A::Error> {
        let mut id = None;
        let mut timestamp = None;
        let mut event_type: Option<EventType> = None;
        let mut data = None;
        let mut buffered_data: Option<Value> = None;
        while let Some(field) = map.next_key::<Field>()? {
            match field {
                Field::Id => set_once(&mut id, "id", map.next_value()?)?,
                Field::Timestamp => set_once(&mut timestamp, "timestamp", map.next_value()?)?,
                Field::Event => set_once(&mut event_type, "event", map.next_value()?)?,
                Field::Data => {
                    if data.is_some() || buffered_data.is_some() {
                        return Err(de::Error::duplicate_field("data"));
                    }
                    match &event_type {
                        Some(event_type) => data = Some(map.next_value_seed(DataSeed(event_type))?),
                        None => buffered_data = Some(map.next_value()?),
                    }
                }
                Field::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let id = id.ok_or_else(|| de::Error::missing_field("id"))?;
        let timestamp = timestamp.ok_or_else(|| de::Error::missing_field("timestamp"))?;
        let event_type = event_type.ok_or_else(|| de::Error::missing_field("event"))?;
        let data = match (data, buffered_data) {
            (Some(data), _) => data,
            (None, Some(value)) => {
                // The outer path ends here, so the inner one goes into the message.
                let mut track = serde_path_to_error::Track::new();
                let deserializer = serde_path_to_error::Deserializer::new(value, &mut track);
                EventData::deserialize(&event_type, deserializer)
                    .map_err(|error| de::Error::custom(format_args!("at `data.{}`: {error}", track.path())))?
            }
            (None, None) => return Err(de::Error::missing_field("data")),
        };
        Ok(Event::from_parts(id, timestamp, event_type, data))
    }
}

fn set_once<T, E: de::Error>(slot: &mut Option<T>, name: &'static str, value: T) -> Result<(), E> {
    if slot.is_some() {
        return Err(E::duplicate_field(name));
    }
    *slot = Some(value);
    Ok(())
}
