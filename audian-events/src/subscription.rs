//! Which events a webhook receives: the `events` list of a subscription, as a filter.
//!
//! A webhook subscribes to a list of event names, or to `"*"` for all of them (the reference's
//! "Subscribing to Events"). [`EventFilter`] parses that list, refusing a misspelt name with the
//! closest known one, and answers whether an event or an event type is selected:
//!
//! ```
//! use audian_events::subscription::EventFilter;
//! use audian_events::{Event, EventType};
//!
//! let filter = EventFilter::new(["call.initiated", "call.completed", "recording.completed"])?;
//! assert!(filter.matches_type(&EventType::CallCompleted));
//! assert!(!filter.matches_type(&EventType::CallHeld));
//! let event: Event = audian_events::examples::RECORDING_COMPLETED.parse()?;
//! assert!(filter.matches(&event));
//!
//! let error = EventFilter::new(["call.complete"]).unwrap_err();
//! assert_eq!(error.to_string(), "unknown event name `call.complete`: did you mean `call.completed`?");
//!
//! assert!(EventFilter::new(["*"])?.matches_type(&EventType::IvrTimeout));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The reference documents no signature on webhook deliveries, so this crate verifies none.

#![warn(missing_docs)]

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde::de::{self, Deserializer};
use serde::ser::{SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};

use crate::{Event, EventSelector, EventType};

/// The selector that subscribes to every event type, present and future.
pub const ALL_EVENTS: &str = "*";

/// A set of event types a webhook is subscribed to, or all of them.
///
/// Built from the names of a subscription's `events` list with [`EventFilter::new`] (or parsed
/// from a comma-separated list with [`FromStr`], or deserialized from a JSON array); it
/// serializes back to the list Audian expects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventFilter {
    selection: Selection,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Selection {
    All,
    Only(BTreeSet<EventType>),
}

impl EventFilter {
    /// The filter of `"*"`: every event, including types this version does not know.
    pub fn all() -> Self {
        EventFilter { selection: Selection::All }
    }

    /// The filter of a subscription's `events` list: event names such as `call.completed`, or
    /// `"*"` for all events (which wins over any name beside it). Names are exact: lower case,
    /// as the reference writes them.
    ///
    /// Fails on an empty list, and on a name that is not a documented event type, with the
    /// closest known name when there is one.
    pub fn new<I>(names: I) -> Result<Self, FilterError>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let mut types = BTreeSet::new();
        let mut all = false;
        let mut empty = true;
        for name in names {
            empty = false;
            let name = name.as_ref();
            if name == ALL_EVENTS {
                all = true;
                continue;
            }
            match EventType::from(name) {
                EventType::Unknown(_) if name.contains('*') => {
                    return Err(FilterError::PartialWildcard { name: name.to_owned() });
                }
                EventType::Unknown(_) => {
                    return Err(FilterError::UnknownEvent { name: name.to_owned(), suggestion: closest_known(name) });
                }
                known => {
                    types.insert(known);
                }
            }
        }
        if empty {
            return Err(FilterError::Empty);
        }
        Ok(EventFilter { selection: if all { Selection::All } else { Selection::Only(types) } })
    }

    /// The filter of the `events` of a typed request body, such as
    /// [`UpdateWebhookRequest::events`](crate::webhooks::UpdateWebhookRequest::events); checked
    /// like [`EventFilter::new`].
    pub fn from_selectors<'a>(selectors: impl IntoIterator<Item = &'a EventSelector>) -> Result<Self, FilterError> {
        EventFilter::new(selectors.into_iter().map(EventSelector::as_str))
    }

    /// A filter of the given types, unchecked: unlike [`EventFilter::new`], it accepts
    /// [`EventType::Unknown`], to select an event type newer than this version (it then matches
    /// the [`Event::Unknown`] events of that type). An empty list selects nothing.
    pub fn only(types: impl IntoIterator<Item = EventType>) -> Self {
        EventFilter { selection: Selection::Only(types.into_iter().collect()) }
    }

    /// Whether the filter selects every event (`"*"`).
    pub fn is_all(&self) -> bool {
        matches!(self.selection, Selection::All)
    }

    /// Whether the filter selects events of type `event_type`.
    pub fn matches_type(&self, event_type: &EventType) -> bool {
        match &self.selection {
            Selection::All => true,
            Selection::Only(types) => types.contains(event_type),
        }
    }

    /// Whether the filter selects `event`. An event of a type this version does not know
    /// matches `"*"`, and a filter made with [`EventFilter::only`] that names its type.
    pub fn matches(&self, event: &Event) -> bool {
        self.matches_type(&event.event_type())
    }

    /// The selected event types, in the schema's order; `None` for `"*"`, which selects types
    /// that no version of this crate knows yet.
    pub fn event_types(&self) -> Option<impl Iterator<Item = &EventType>> {
        match &self.selection {
            Selection::All => None,
            Selection::Only(types) => Some(types.iter()),
        }
    }

    /// The `events` of a typed request body, such as
    /// [`UpdateWebhookRequest`](crate::webhooks::UpdateWebhookRequest): `[AllEvents]`, or one
    /// selector per selected type.
    pub fn selectors(&self) -> Vec<EventSelector> {
        match &self.selection {
            Selection::All => vec![EventSelector::AllEvents],
            Selection::Only(types) => types.iter().cloned().map(EventSelector::EventType).collect(),
        }
    }

    /// The `events` list to send to Audian: `["*"]`, or the names of the selected types.
    pub fn names(&self) -> Vec<&str> {
        match &self.selection {
            Selection::All => vec![ALL_EVENTS],
            Selection::Only(types) => types.iter().map(EventType::as_str).collect(),
        }
    }
}

impl FromStr for EventFilter {
    type Err = FilterError;

    /// Parses a comma-separated list such as `call.completed, call.failed` or `*`, as found in
    /// configuration files and environment variables. Spaces around names are ignored.
    fn from_str(list: &str) -> Result<Self, FilterError> {
        EventFilter::new(list.split(',').map(str::trim).filter(|name| !name.is_empty()))
    }
}

impl fmt::Display for EventFilter {
    /// The comma-separated list that [`FromStr`] reads back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.names().join(", "))
    }
}

impl Serialize for EventFilter {
    /// The `events` array of the subscription request.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let names = self.names();
        let mut seq = serializer.serialize_seq(Some(names.len()))?;
        for name in names {
            seq.serialize_element(name)?;
        }
        seq.end()
    }
}

impl<'de> Deserialize<'de> for EventFilter {
    /// An `events` array, checked like [`EventFilter::new`].
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let names = Vec::<String>::deserialize(deserializer)?;
        EventFilter::new(names).map_err(de::Error::custom)
    }
}

/// A subscription list that does not name documented events.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FilterError {
    /// The list is empty; Audian requires at least one name.
    Empty,
    /// A name that is not a documented event type.
    UnknownEvent {
        /// The name as given.
        name: String,
        /// The closest known name, if one is close enough to be a likely typo.
        suggestion: Option<EventType>,
    },
    /// A name with a wildcard other than `"*"` on its own, such as `call.*`.
    PartialWildcard {
        /// The name as given.
        name: String,
    },
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FilterError::Empty => f.write_str(
                "the list of events is empty: name at least one event, such as `call.completed`, \
                 or `*` for every event",
            ),
            FilterError::UnknownEvent { name, suggestion: Some(suggestion) } => {
                write!(f, "unknown event name `{name}`: did you mean `{suggestion}`?")
            }
            FilterError::UnknownEvent { name, suggestion: None } => {
                write!(f, "unknown event name `{name}`: the events are ")?;
                for (index, event_type) in EventType::ALL.iter().enumerate() {
                    let separator = if index == 0 { "" } else { ", " };
                    write!(f, "{separator}`{event_type}`")?;
                }
                write!(f, ", or `{ALL_EVENTS}` for every event")
            }
            FilterError::PartialWildcard { name } => write!(
                f,
                "`{name}` is not an event name: Audian accepts the wildcard only on its own, `{ALL_EVENTS}` \
                 for every event; list the events you want one by one, such as `call.initiated`, `call.completed`"
            ),
        }
    }
}

impl std::error::Error for FilterError {}

/// The known event type closest to `name`, if it is a plausible typo of it: at most a third of
/// its characters (and at least one) differ. Case is ignored, so `Call.Completed` suggests
/// `call.completed`.
fn closest_known(name: &str) -> Option<EventType> {
    let name = name.to_lowercase();
    let limit = (name.chars().count() / 3).max(1);
    EventType::ALL
        .iter()
        .map(|known| (edit_distance(&name, known.as_str()), known))
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, known)| known.clone())
}

/// The Levenshtein distance between `a` and `b`, in characters.
///
/// Hand-written rather than taken from `strsim`: the runtime dependencies of this crate are kept
/// to the few it cannot do without, and this is only used to word an error about names of
/// about 20 characters, where the simple quadratic algorithm is instant.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    // `row[j]` is the distance between the prefix of `a` read so far and `b[..j]`.
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, a_char) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, b_char) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(a_char != *b_char);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::edit_distance;

    #[test]
    fn edit_distance_counts_insertions_deletions_and_substitutions() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("call.complete", "call.completed"), 1);
        assert_eq!(edit_distance("call_completed", "call.completed"), 1);
        assert_eq!(edit_distance("call.compelted", "call.completed"), 2);
        assert_eq!(edit_distance("ivr.timout", "ivr.timeout"), 1);
        assert_eq!(edit_distance("héllo", "hello"), 1);
    }
}
