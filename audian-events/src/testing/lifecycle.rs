//! Whole calls: the events of one call in timeline order, drawn from the per-event strategies
//! and bound together (one `call_id`, one pair of parties, time going forward), following what
//! each event type follows in the timeline's table.

use std::any::Any;
use std::collections::HashSet;

use chrono::{DateTime, FixedOffset, TimeDelta};
use proptest::prelude::*;
use proptest::sample::Index;

use crate::generated::strategies::{ABOUT_A_CALL, event_of_type};
use crate::timeline::{Step, TIMELINE_TABLE};
use crate::{Envelope, Event, EventId, EventType, Timestamp, UnknownEvent};

/// What the events of one call share. Each event binds its fields to it in turn: the first
/// field of a name (`call_id`, `from`, `recording_id`) gives the value that every later field
/// of that name and type takes, and every timestamp is the event's time.
pub(crate) struct Scene {
    at: Timestamp,
    shared: Vec<(&'static str, Box<dyn Any>)>,
    /// How many of `shared` belong to the whole call; the rest to the current episode (one
    /// recording, one menu), forgotten when the next begins.
    call_scope: usize,
    /// The event ids given so far.
    ids: HashSet<String>,
}

impl Scene {
    fn new(at: Timestamp) -> Scene {
        Scene { at, shared: Vec::new(), call_scope: 0, ids: HashSet::new() }
    }

    /// The field named `name` takes the value shared under that name, or gives it.
    pub(crate) fn share<T: Clone + 'static>(&mut self, name: &'static str, slot: &mut T) {
        let shared = self.shared.iter().find_map(|(key, value)| (*key == name).then(|| value.downcast_ref::<T>())?);
        match shared {
            Some(value) => *slot = value.clone(),
            None => self.shared.push((name, Box::new(slot.clone()))),
        }
    }

    /// Every event of the call gets an id of its own, as Audian's do (drawn ids rarely meet).
    fn identify(&mut self, id: &mut EventId) {
        if !self.ids.insert(id.to_string()) {
            let unique = format!("{id}_{}", self.ids.len());
            *id = super::values::valid(&unique);
            self.ids.insert(unique);
        }
    }

    /// The timestamp is the event's time.
    pub(crate) fn stamp(&self, slot: &mut Timestamp) {
        *slot = self.at;
    }
}

/// A value whose fields take what a [`Scene`] shares.
pub(crate) trait Bind {
    fn bind(&mut self, scene: &mut Scene);
}

impl<D: Bind> Bind for Envelope<D> {
    fn bind(&mut self, scene: &mut Scene) {
        scene.identify(&mut self.id);
        scene.stamp(&mut self.timestamp);
        self.data.bind(scene);
    }
}

impl Bind for UnknownEvent {
    fn bind(&mut self, scene: &mut Scene) {
        scene.identify(&mut self.id);
        scene.stamp(&mut self.timestamp);
    }
}

/// At most this many episodes (a hold, a recording, a menu...) while a call is answered.
const MAX_EPISODES: usize = 6;
/// The choices one walk may make; a walk that needs more starts again from the first.
const CHOICES: usize = 32;
/// At most this many seconds between two events of a call.
const MAX_GAP_SECONDS: i64 = 90;

/// The events of one plausible call, in timeline order: `call.initiated`, then `call.ringing`,
/// then `call.answered`, `call.failed` or `call.cancelled`; while answered, episodes of what
/// happens in a call (a hold and its resume, a mute, a transfer, a recording from start to its
/// outcome, an IVR menu and its answer), then an ending. What follows what is the timeline's
/// table (`timeline/table.rs`), for the event types about a call.
///
/// The events share one `call_id` and one pair of parties (`from`, `to`); each recording and
/// menu has its id across its episode; every event has its own id. Timestamps never go back,
/// each in an offset of its own, and two events share one only when the second's
/// [lifecycle step](crate::timeline::Step) is later, so that the list is in timeline order.
///
/// ```
/// use audian_events::testing::call_lifecycle;
/// use audian_events::timeline::CallTimeline;
/// use proptest::prelude::*;
///
/// proptest!(|(events in call_lifecycle())| {
///     let mut timeline = CallTimeline::new(events[0].call_id().unwrap().clone());
///     for event in events.iter().rev() {
///         timeline.push(event.clone()).unwrap();
///     }
///     prop_assert!(timeline.events().eq(events.iter()));
/// });
/// ```
pub fn call_lifecycle() -> impl Strategy<Value = Vec<Event>> {
    let shape = (0..=MAX_EPISODES, proptest::collection::vec(any::<Index>(), CHOICES));
    shape
        .prop_flat_map(|(episodes, choices)| {
            let lines = walk(&choices, episodes);
            let events: Vec<BoxedStrategy<Event>> = lines
                .iter()
                .map(|line| {
                    event_of_type(&EventType::from(line.name)).expect("the table's lines are known event types")
                })
                .collect();
            let count = lines.len();
            let offsets = proptest::collection::vec(offset_minutes(), count);
            (Just(lines), events, start(), proptest::collection::vec(0..=MAX_GAP_SECONDS, count), offsets)
        })
        .prop_map(|(lines, mut events, start, gaps, offsets)| {
            let mut at = start;
            let mut scene = Scene::new(at);
            for (index, event) in events.iter_mut().enumerate() {
                if index > 0 {
                    let gap = if lines[index].step > lines[index - 1].step { gaps[index] } else { gaps[index].max(1) };
                    at += TimeDelta::seconds(gap);
                }
                let offset = FixedOffset::east_opt(offsets[index] * 60).expect("offsets are within a day");
                scene.at = at.with_timezone(&offset);
                if lines[index].starts_episode {
                    scene.shared.truncate(scene.call_scope);
                }
                event.bind(&mut scene);
                if index == 0 {
                    scene.call_scope = scene.shared.len();
                }
            }
            events
        })
}

/// One event of a walk: its table line's name and step, and whether it begins an episode.
#[derive(Debug, Clone, Copy)]
struct Line {
    name: &'static str,
    step: Step,
    starts_episode: bool,
}

/// The event types of one call, chosen by `choices`: from the event type that starts a call,
/// each next one among those that follow it, with `episodes` episodes after the answer.
fn walk(choices: &[Index], episodes: usize) -> Vec<Line> {
    // The table's lines of the event types about a call: name, step, what it follows.
    let lines: Vec<(&'static str, Step, &[&str])> = TIMELINE_TABLE
        .iter()
        .filter(|(name, ..)| ABOUT_A_CALL.contains(name))
        .map(|&(name, step, _, follows)| (name, step, follows))
        .collect();
    let following = |earlier: &str| -> Vec<(&'static str, Step)> {
        lines.iter().filter(|(.., follows)| follows.contains(&earlier)).map(|&(name, step, _)| (name, step)).collect()
    };
    let episode_starts: Vec<(&'static str, Step)> = lines
        .iter()
        .filter(|(_, step, follows)| *step == Step::InCall && follows.is_empty())
        .map(|&(name, step, _)| (name, step))
        .collect();
    let mut choices = choices.iter().cycle();
    let mut choose = |count: usize| choices.next().expect("cycled").index(count);

    let Some(&(first, step, _)) =
        lines.iter().find(|(_, step, follows)| *step == Step::Initiated && follows.is_empty())
    else {
        return Vec::new();
    };
    let mut walked = vec![Line { name: first, step, starts_episode: false }];
    let mut current = first;
    loop {
        if step_of_last(&walked) == Step::Answered && !episode_starts.is_empty() {
            for _ in 0..episodes {
                let (start, step) = episode_starts[choose(episode_starts.len())];
                walked.push(Line { name: start, step, starts_episode: true });
                let mut within = start;
                // The table's test proves that what follows never leads back: this ends.
                loop {
                    let next = following(within);
                    if next.is_empty() {
                        break;
                    }
                    let (name, step) = next[choose(next.len())];
                    walked.push(Line { name, step, starts_episode: false });
                    within = name;
                }
            }
        }
        let next = following(current);
        if next.is_empty() {
            return walked;
        }
        // Most calls go on rather than end where they could (answered, rather than failed or
        // cancelled while ringing): three times in four, when both are possible.
        let (going_on, ending): (Vec<_>, Vec<_>) = next.iter().partition(|(_, step)| *step != Step::End);
        let next = match (going_on.is_empty(), ending.is_empty()) {
            (false, false) if choose(4) < 3 => going_on,
            (false, false) => ending,
            _ => next,
        };
        let (name, step) = next[choose(next.len())];
        walked.push(Line { name, step, starts_episode: false });
        current = name;
    }
}

/// The step of the last event of the main line or of an episode walked so far.
fn step_of_last(walked: &[Line]) -> Step {
    walked.last().map_or(Step::Initiated, |line| line.step)
}

/// The first event's time: a second of this century.
fn start() -> impl Strategy<Value = DateTime<FixedOffset>> {
    (946_684_800i64..4_102_444_800, 0..1_000_000_000u32)
        .prop_map(|(seconds, nanos)| DateTime::from_timestamp(seconds, nanos).expect("in range").fixed_offset())
}

/// Offsets in minutes: UTC most often, whole hours, and any other RFC 3339 allows.
fn offset_minutes() -> impl Strategy<Value = i32> {
    prop_oneof![3 => Just(0), 2 => (-12..=14i32).prop_map(|hours| hours * 60), 1 => -(23 * 60 + 59)..=23 * 60 + 59]
}
