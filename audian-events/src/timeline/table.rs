//! The one hand-written table of the timeline: what each event type of the schemas means to a
//! call, which the schemas cannot say.
//!
//! An event type added to the schemas needs its line in [`TIMELINE_TABLE`]; until it has one,
//! the test `every_event_type_has_one_line_in_the_timeline_table` fails and names this table.

use crate::EventType;

/// Where an event falls in a call's lifecycle. Events with equal timestamps (Audian's have a
/// precision of one second) are put in timeline order by step, earliest step first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Step {
    /// The call starts (`call.initiated`).
    Initiated,
    /// The destination rings (`call.ringing`).
    Ringing,
    /// The call is answered (`call.answered`).
    Answered,
    /// Something happens in the call (such as `call.held` or `recording.started`). Event types
    /// this version does not know are here too.
    InCall,
    /// What follows an in-call event about the same thing (such as `recording.stopped` after
    /// `recording.started`).
    FollowUp,
    /// The outcome of what an in-call event began (such as `recording.completed`).
    Outcome,
    /// The call ends (such as `call.completed`).
    End,
}

/// What the fold of [`CallState`](super::CallState) takes from an event, beside counting it
/// (`event_count`, `last_event_at`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InState {
    /// The fold in `state.rs` has an arm for the event type, which reads its data.
    Folded,
    /// Nothing: the event counts as an event of the call and tells nothing more.
    #[allow(dead_code, reason = "every documented event type is folded; this is for the lines of new ones")]
    Counted,
}

// Every variant, so that the line of a new event type needs no import.
use InState::*;
use Step::*;

/// The event types an event type follows in a call's lifecycle, one of which comes before it
/// (`call.resumed` follows `call.held`); none for one that starts something (`call.initiated`,
/// `call.held`). This is what `testing::call_lifecycle` draws calls from.
pub(crate) type Follows = &'static [&'static str];

/// One line per event type of the schemas: its name, its lifecycle [`Step`], what the fold of
/// the call's state takes from it, and what it [follows](Follows). A new event type is `Counted`
/// unless its arm is also written in the fold (`state.rs`).
pub(crate) const TIMELINE_TABLE: &[(&str, Step, InState, Follows)] = &[
    ("call.initiated", Initiated, Folded, &[]),
    ("call.ringing", Ringing, Folded, &["call.initiated"]),
    ("call.answered", Answered, Folded, &["call.ringing"]),
    ("call.completed", End, Folded, &["call.answered"]),
    ("call.failed", End, Folded, &["call.ringing", "call.answered"]),
    ("call.cancelled", End, Folded, &["call.ringing"]),
    ("call.transferred", InCall, Folded, &[]),
    ("call.held", InCall, Folded, &[]),
    ("call.resumed", InCall, Folded, &["call.held"]),
    ("call.muted", InCall, Folded, &[]),
    ("call.unmuted", InCall, Folded, &["call.muted"]),
    ("recording.started", InCall, Folded, &[]),
    ("recording.stopped", FollowUp, Folded, &["recording.started"]),
    ("recording.completed", Outcome, Folded, &["recording.stopped"]),
    ("recording.failed", Outcome, Folded, &["recording.started", "recording.stopped"]),
    ("ivr.menu_presented", InCall, Folded, &[]),
    ("ivr.input_received", FollowUp, Folded, &["ivr.menu_presented"]),
    ("ivr.timeout", FollowUp, Folded, &["ivr.menu_presented"]),
];

/// The table's line of `event_type`; `None` for an event type this version does not know, and
/// (until the test above is made to pass) for one the table misses.
fn line_of(event_type: &EventType) -> Option<&'static (&'static str, Step, InState, Follows)> {
    match event_type {
        EventType::Unknown(_) => None,
        known => TIMELINE_TABLE.iter().find(|(name, ..)| *name == known.as_str()),
    }
}

/// The lifecycle step of `event_type`; [`Step::InCall`] for an event type this version does
/// not know, which can be anything that happens in a call.
pub(crate) fn step_of(event_type: &EventType) -> Step {
    line_of(event_type).map_or(Step::InCall, |&(_, step, ..)| step)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timeline::state;
    use crate::{CallId, Event};

    /// What the fold takes from `event_type`; [`InState::Counted`] for an event type this
    /// version does not know, whose data it cannot read.
    fn in_state(event_type: &EventType) -> InState {
        line_of(event_type).map_or(InState::Counted, |&(_, _, in_state, _)| in_state)
    }

    #[test]
    fn every_event_type_has_one_line_in_the_timeline_table() {
        let missing: Vec<&str> = EventType::ALL
            .iter()
            .map(EventType::as_str)
            .filter(|name| TIMELINE_TABLE.iter().filter(|(line, ..)| line == name).count() != 1)
            .collect();
        assert!(
            missing.is_empty(),
            "event types without exactly one line in TIMELINE_TABLE (audian-events/src/timeline/table.rs): \
             {missing:?}; add one line per event type, such as `(\"{}\", InCall, Counted, &[])`",
            missing.first().unwrap_or(&""),
        );
        let strangers: Vec<&str> = TIMELINE_TABLE
            .iter()
            .map(|(name, ..)| *name)
            .filter(|name| !EventType::ALL.iter().any(|known| known.as_str() == *name))
            .collect();
        assert!(
            strangers.is_empty(),
            "lines of TIMELINE_TABLE (audian-events/src/timeline/table.rs) for event types the schemas do not \
             have: {strangers:?}; remove them"
        );
    }

    /// The fold has an arm exactly for the event types the table says it folds, so that the
    /// arm for the others decides nothing the table does not say.
    #[test]
    fn the_fold_reads_exactly_the_event_types_the_table_says() {
        for (name, example) in crate::examples::ALL {
            let event: Event = serde_json::from_str(example).unwrap();
            let call_id: CallId = "call_1".parse().unwrap();
            let mut state = state::CallState::empty(&call_id);
            let folded = state::apply(&mut state, &event);
            assert_eq!(
                folded,
                in_state(&event.event_type()) == InState::Folded,
                "`{name}`: TIMELINE_TABLE (audian-events/src/timeline/table.rs) says {:?}, but the fold in \
                 state.rs {} an arm for it",
                in_state(&event.event_type()),
                if folded { "has" } else { "has no" },
            );
        }
    }

    #[test]
    fn what_an_event_type_follows_is_an_event_type_of_the_schemas_and_never_itself_again() {
        for (name, .., follows) in TIMELINE_TABLE {
            for earlier in *follows {
                assert!(
                    EventType::ALL.iter().any(|known| known.as_str() == *earlier),
                    "TIMELINE_TABLE (audian-events/src/timeline/table.rs): `{name}` follows `{earlier}`, which the \
                     schemas do not have"
                );
            }
            // What an event type follows, and what that follows, and so on, never leads back to it.
            let mut reached: Vec<&str> = follows.to_vec();
            while let Some(earlier) = reached.pop() {
                assert_ne!(earlier, *name, "TIMELINE_TABLE: `{name}` follows itself, through what it follows");
                let line = TIMELINE_TABLE.iter().find(|(line, ..)| *line == earlier);
                reached.extend(line.map_or(&[][..], |(.., follows)| follows).iter().copied());
            }
        }
    }

    #[test]
    fn an_unknown_event_type_happens_in_the_call_and_tells_nothing() {
        let unknown = EventType::Unknown("conference.started".into());
        assert_eq!(step_of(&unknown), Step::InCall);
        assert_eq!(in_state(&unknown), InState::Counted);
    }
}
