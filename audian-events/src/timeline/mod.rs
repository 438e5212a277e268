//! The events of a call in the order they happened, and the state they describe.
//!
//! Audian delivers events "in the order they occur, but due to network conditions, they may
//! arrive out of order", and retries arrive again with the same id. A [`CallTimeline`] takes a
//! call's events in any order, ignores repeated ids, and gives back
//!
//! - [`events`](CallTimeline::events) in *timeline order*: by `timestamp`; for equal timestamps,
//!   by lifecycle step (below); then by event id, so that the order is total;
//! - [`state`](CallTimeline::state): a [`CallState`] folded over the events in that order.
//!
//! Both are functions of the *set* of events pushed: every order of arrival, with any number of
//! retries, gives the same `events()` and the same `state()`.
//!
//! ```
//! use audian_events::timeline::CallTimeline;
//! use audian_events::{CallStatus, Event};
//!
//! # fn event(text: &str, id: &str) -> Event {
//! #     let mut value: serde_json::Value = serde_json::from_str(text).unwrap();
//! #     value["id"] = id.into();
//! #     serde_json::from_value(value).unwrap()
//! # }
//! # use audian_events::examples::{CALL_ANSWERED, CALL_COMPLETED, CALL_INITIATED};
//! let initiated = event(CALL_INITIATED, "evt_1");
//! let answered = event(CALL_ANSWERED, "evt_2");
//! let completed = event(CALL_COMPLETED, "evt_3");
//! let mut timeline = CallTimeline::new(initiated.call_id().unwrap().clone());
//! // Delivered out of order, with a retry.
//! for event in [completed, answered.clone(), initiated, answered] {
//!     timeline.push(event)?;
//! }
//! let types: Vec<_> = timeline.events().map(|event| event.event_type().to_string()).collect();
//! assert_eq!(types, ["call.initiated", "call.answered", "call.completed"]);
//! let state = timeline.state();
//! assert_eq!(state.status, Some(CallStatus::Completed));
//! assert_eq!(state.duration, Some(305));
//! assert_eq!(state.answered.unwrap().by.as_str(), "+14155552672");
//! # Ok::<(), audian_events::timeline::TimelineError>(())
//! ```
//!
//! [`CallTimelines`] keeps the timelines of many calls, keyed by call id, bounded in memory.
//! A [`TimelineStore`] keeps them where several receivers can share them:
//! [`MemoryTimelineStore`] in one process, `RedisTimelineStore` (feature `redis`) for receivers
//! behind a load balancer, each giving exactly what a [`CallTimeline`] of all the call's events
//! gives.
//!
//! # Lifecycle steps
//!
//! Events with equal timestamps (Audian's have a precision of one second) are ordered by
//! [`Step`], from [`Step::Initiated`] to [`Step::End`]: `call.initiated` before `call.ringing`
//! before `call.answered`, what happens in the call before what follows it (`recording.started`
//! before `recording.stopped` before `recording.completed`), and the call's end last. Each event
//! type's step is a line of the one hand-written table of the timeline, in `timeline/table.rs`;
//! an event type this version does not know happens [in the call](Step::InCall).
//!
//! # The state machine
//!
//! [`CallState::status`] follows the call's lifecycle, left to right:
//!
//! ```text
//!                call.initiated      call.ringing       call.answered      call.completed
//!  (no status) ────────────────▶ Initiated ───────▶ Ringing ───────▶ Answered ──────────▶ Completed
//!                                    │                 │                │
//!                                    ├─────────────────┼────────────────┴───call.failed────▶ Failed
//!                                    │                 │
//!                                    └─────────────────┴────────────────────call.cancelled─▶ Cancelled
//! ```
//!
//! - The status only moves right, and steps may be skipped: a timeline whose `call.initiated`
//!   has not arrived yet starts at `Ringing`, one made of a lone `call.failed` goes from no
//!   status straight to `Failed`. An event of an earlier step whose timestamp comes
//!   later (clock skew) fills in its fields but does not move the status back.
//! - `Completed`, `Failed` and `Cancelled` are terminal: the first of them in timeline order
//!   stays, whatever arrives after it, late or not.
//!
//! Beside the status, independent parts of the state follow their own events, in timeline order,
//! whatever the status:
//!
//! ```text
//!  hold:        not held ──call.held──▶ on hold ──call.resumed──▶ not held
//!  mute:        not muted ──call.muted──▶ muted ──call.unmuted──▶ not muted
//!  transfers:   each call.transferred appends (from, to, when)
//!  IVR:         each ivr.menu_presented, ivr.input_received and ivr.timeout appends an activity
//!  recordings, one per recording_id:
//!               Started ──recording.stopped──▶ Stopped ──recording.completed──▶ Completed
//!                  │                              │
//!                  └──────────────────────────────┴────recording.failed───────▶ Failed
//!               (a recording's status also only moves right; the first of
//!                Completed and Failed stays)
//! ```

#![warn(missing_docs)]

#[cfg(feature = "redis")]
mod redis;
mod shared;
mod state;
mod store;
mod table;

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};
use std::fmt;

#[cfg(feature = "redis")]
pub use redis::{RedisTimelineStore, RedisTimelineStoreBuilder};
pub use shared::{MemoryTimelineStore, TimelineStore, TimelineStoreError, TimelineStoreErrorKind};
pub use state::{
    Answer, CallEnd, CallState, IvrActivity, Recording, RecordingFailure, RecordingFile, RecordingStatus, Transfer,
};
pub use store::CallTimelines;
pub use table::Step;
#[cfg(feature = "testing")]
pub(crate) use table::TIMELINE_TABLE;

use crate::{CallId, Event, EventId, EventType, Timestamp};

/// The events of one call, in timeline order, without repeats.
#[derive(Debug, Clone, PartialEq)]
pub struct CallTimeline {
    call_id: CallId,
    events: BTreeMap<SortKey, Event>,
    keys: HashMap<EventId, SortKey>,
}

/// What [`CallTimeline::push`] did with an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pushed {
    /// The event is new: its id was not in the timeline.
    Added,
    /// The same event is already in the timeline: a retry. Nothing changed, but for the text of
    /// the event held when the retry wrote its times in other offsets (the same instants): the
    /// one first by JSON text is kept, as for a conflict.
    Duplicate,
    /// A different event with the same id is already in the timeline. The timeline keeps the
    /// one that comes first in timeline order (then by JSON text), so that the result does not
    /// depend on which arrived first. Audian gives each event its own id, so this points to
    /// reused ids, such as events copied from the documentation (which all share one id).
    Conflict,
}

impl Pushed {
    /// Whether the event was new to the timeline.
    pub fn is_added(self) -> bool {
        self == Pushed::Added
    }
}

/// The position of an event in timeline order. Ids are unique within a timeline, so the order
/// is total.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct SortKey {
    timestamp: Timestamp,
    step: Step,
    id: EventId,
}

impl SortKey {
    fn of(event: &Event) -> SortKey {
        SortKey { timestamp: event.timestamp(), step: lifecycle_step(&event.event_type()), id: event.id().clone() }
    }
}

/// The step of an event type in a call's lifecycle, which orders events with equal timestamps;
/// see the [module documentation](self).
pub fn lifecycle_step(event_type: &EventType) -> Step {
    table::step_of(event_type)
}

/// Compares two events in timeline order: by timestamp, then [lifecycle step](lifecycle_step),
/// then event id, then (for two different events with the same id) JSON text. Sorting any list
/// of events with it gives the same order whatever the list's initial order.
pub fn timeline_order(a: &Event, b: &Event) -> Ordering {
    SortKey::of(a).cmp(&SortKey::of(b)).then_with(|| json_text(a).cmp(&json_text(b)))
}

fn json_text(event: &Event) -> String {
    serde_json::to_string(event).expect("an event serializes to JSON")
}

/// The call an event is about: `data.call_id`, also for an event type this version does not
/// know when its `data` has a string `call_id`.
pub fn call_id_of(event: &Event) -> Option<CallId> {
    match event {
        Event::Unknown(unknown) => match unknown.data.get("call_id") {
            Some(serde_json::Value::String(call_id)) => {
                serde_json::from_value(serde_json::Value::String(call_id.clone())).ok()
            }
            _ => None,
        },
        event => event.call_id().cloned(),
    }
}

impl CallTimeline {
    /// An empty timeline of the call `call_id`.
    pub fn new(call_id: CallId) -> Self {
        CallTimeline { call_id, events: BTreeMap::new(), keys: HashMap::new() }
    }

    /// The call this timeline is about.
    pub fn call_id(&self) -> &CallId {
        &self.call_id
    }

    /// Adds an event of this call, in any order. An event whose id is already in the timeline
    /// changes nothing (a retry, [`Pushed::Duplicate`]); see [`Pushed::Conflict`] for a
    /// different event with the same id.
    ///
    /// Fails if the event is about another call, or names no call (its type has no `call_id`, or
    /// is one this version does not know and has no string `data.call_id`); the timeline is then
    /// unchanged.
    pub fn push(&mut self, event: Event) -> Result<Pushed, TimelineError> {
        let Some(call_id) = call_id_of(&event) else {
            return Err(TimelineError::NoCall { event_id: event.id().clone(), event_type: event.event_type() });
        };
        if call_id != self.call_id {
            return Err(TimelineError::OtherCall {
                timeline: self.call_id.clone(),
                event_call: call_id,
                event_id: event.id().clone(),
            });
        }
        let key = SortKey::of(&event);
        let Some(held_key) = self.keys.get(event.id()) else {
            self.keys.insert(event.id().clone(), key.clone());
            self.events.insert(key, event);
            return Ok(Pushed::Added);
        };
        let held = &self.events[held_key];
        let pushed = if *held == event { Pushed::Duplicate } else { Pushed::Conflict };
        // A retry may write its times in other offsets (equal events, the same instants): the
        // one first by JSON text is kept then, as of two different events.
        if timeline_order(&event, held) == Ordering::Less {
            let held_key = held_key.clone();
            self.events.remove(&held_key);
            self.keys.insert(event.id().clone(), key.clone());
            self.events.insert(key, event);
        }
        Ok(pushed)
    }

    /// The events in timeline order: by timestamp, then lifecycle step, then id.
    pub fn events(&self) -> impl DoubleEndedIterator<Item = &Event> + ExactSizeIterator {
        self.events.values()
    }

    /// The event with id `id`, if the timeline holds it.
    pub fn get(&self, id: &str) -> Option<&Event> {
        self.keys.get(id).map(|key| &self.events[key])
    }

    /// How many events (distinct ids) the timeline holds.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Whether the timeline holds no event.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Whether the call has ended: the timeline holds a `call.completed`, `call.failed` or
    /// `call.cancelled`. Events may still arrive after it (such as `recording.completed`).
    pub fn is_finished(&self) -> bool {
        self.events.keys().any(|key| key.step == Step::End)
    }

    /// The state of the call, folded over [`events`](CallTimeline::events) in timeline order.
    pub fn state(&self) -> CallState {
        state::fold(&self.call_id, self.events())
    }
}

/// An event that a [`CallTimeline`] cannot place.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum TimelineError {
    /// The event is about another call than the timeline's.
    OtherCall {
        /// The timeline's call.
        timeline: CallId,
        /// The event's call.
        event_call: CallId,
        /// The event.
        event_id: EventId,
    },
    /// The event names no call: its type has no `call_id`, or is one this version does not know
    /// and has no string `data.call_id`.
    NoCall {
        /// The event.
        event_id: EventId,
        /// Its type, as sent.
        event_type: EventType,
    },
}

impl fmt::Display for TimelineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimelineError::OtherCall { timeline, event_call, event_id } => write!(
                f,
                "event {event_id} is about call {event_call}, not {timeline}: push it to the timeline of \
                 {event_call} (CallTimelines picks the timeline by call id)"
            ),
            TimelineError::NoCall { event_id, event_type } => write!(
                f,
                "event {event_id} of type `{event_type}` names no call (its data has no string `call_id`), \
                 so no call timeline can hold it; handle it apart from call timelines"
            ),
        }
    }
}

impl std::error::Error for TimelineError {}
