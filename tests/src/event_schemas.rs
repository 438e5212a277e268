//! The event schemas one at a time, by the schema-driven engine: payloads made from each event's
//! documented example by varying and breaking the keywords of its own schema, in a reading's
//! schemas (`schema/` or `schema-tolerant/`); judged like the event engine's cases ([`Verdicts`]:
//! the reading's generated validators against the reference on the reading's `event.json`); and
//! the keyword locations each case breaks alone, counted with the reference of the event's own
//! schema, since the union's reports only its `oneOf`.
//!
//! The event engine ([`crate::Engine`]) knows the events' fields and the drift Audian may add;
//! this one knows nothing but the schemas, and breaks each of their keywords alone, including
//! those the other cannot isolate (the `type` of a whole event, its `event` constant).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Range;
use std::panic::AssertUnwindSafe;

use audian_events::Reading;
use audian_events_reference::Validator;

use crate::mutate::Case;
use crate::reference::schema_dir;
use crate::schema::SchemaSet;
use crate::schema_engine::{KeywordCounts, SchemaEngine, examples_of};
use crate::{Disagreement, Judge, Stats, Verdicts};

/// How many weight units a keyword location of a single event schema has; one that `n` event
/// schemas share has `1/n` of it, so that the locations of `common.json` (the event ids,
/// timestamps, phone numbers of every event) are not broken eighteen times as often as the others.
const WEIGHT: u32 = 720;

/// The engines of every event schema of a reading.
pub struct EventSchemas {
    judge: Judge<'static>,
    set: &'static SchemaSet,
    events: Vec<EventSchema>,
    /// The event of case `i` is `events[slots[i % slots.len()]]`: each event as often as the
    /// share of the keyword locations its schema has.
    slots: Vec<usize>,
}

struct EventSchema {
    engine: SchemaEngine<'static>,
    /// The reference on the event's own schema, which says which keyword a payload breaks.
    reference: Validator,
}

impl EventSchemas {
    /// The engines of the event schemas of a reading of this repository, over the documented
    /// examples.
    pub fn of(reading: Reading) -> EventSchemas {
        let set = SchemaSet::of(reading);
        let mut validators = set.schemas().validators().unwrap_or_else(|error| panic!("{error}"));
        let mut engines = Vec::new();
        for file in set.schemas().events() {
            let examples = examples_of(&schema_dir(), &file.path).unwrap_or_else(|error| panic!("{error}"));
            let engine = SchemaEngine::new(set, &file.path, examples).unwrap_or_else(|error| panic!("{error}"));
            let reference = validators.remove(&file.path).expect("a validator of every schema file");
            engines.push((engine, reference));
        }
        let mut sharing: BTreeMap<String, u32> = BTreeMap::new();
        for (engine, _) in &engines {
            for location in engine.solitary_keywords() {
                *sharing.entry(location.to_owned()).or_default() += 1;
            }
        }
        let weight = |location: &str| WEIGHT / sharing.get(location).copied().unwrap_or(1);
        let mut slots = Vec::new();
        let mut events = Vec::new();
        for (at, (engine, reference)) in engines.into_iter().enumerate() {
            let share: u32 = engine.solitary_keywords().into_iter().map(weight).sum();
            slots.extend(std::iter::repeat_n(at, share.div_ceil(WEIGHT / 4) as usize));
            events.push(EventSchema { engine: engine.with_weights(weight), reference });
        }
        EventSchemas { judge: Judge::of(reading), set, events, slots }
    }

    pub fn reading(&self) -> Reading {
        self.judge.reading
    }

    pub fn judge(&self) -> &Judge<'static> {
        &self.judge
    }

    /// Case `index` of the run from `seed`.
    pub fn case(&self, seed: u64, index: u64) -> Case {
        self.event_of(index).engine.case(seed, index)
    }

    /// The payload of [`case`](Self::case) alone.
    pub fn payload(&self, seed: u64, index: u64) -> serde_json::Value {
        self.event_of(index).engine.payload(seed, index)
    }

    fn event_of(&self, index: u64) -> &EventSchema {
        &self.events[self.slots[(index % self.slots.len() as u64) as usize]]
    }

    /// Every keyword location the references of the event schemas can report.
    pub fn keywords(&self) -> BTreeSet<&str> {
        self.events.iter().flat_map(|event| event.engine.keywords()).collect()
    }

    /// Those that a payload can break alone.
    pub fn solitary_keywords(&self) -> BTreeSet<&str> {
        self.events.iter().flat_map(|event| event.engine.solitary_keywords()).collect()
    }

    /// Judges the cases `range` of `seed`; the first disagreement ends the run, shrunk.
    pub fn run_range(&self, seed: u64, range: Range<u64>) -> Result<EventSchemaStats, Box<Disagreement>> {
        let mut stats = EventSchemaStats::default();
        for index in range {
            let event = self.event_of(index);
            let value = &event.engine.payload(seed, index);
            let verdicts = match std::panic::catch_unwind(AssertUnwindSafe(|| Verdicts::of(value, &self.judge))) {
                Ok(verdicts) => verdicts,
                Err(panic) => {
                    let message = panic
                        .downcast_ref::<&str>()
                        .map(|text| text.to_string())
                        .or_else(|| panic.downcast_ref::<String>().cloned())
                        .unwrap_or_else(|| "(a panic without a message)".to_owned());
                    let case = self.case(seed, index);
                    let mut disagreement = Disagreement::panicked(self.reading(), seed, index, case, message);
                    disagreement.replay = self.replay(seed, index);
                    return Err(Box::new(disagreement));
                }
            };
            if !verdicts.agree() {
                return Err(Box::new(self.disagreement(seed, index, verdicts)));
            }
            stats.verdicts.record(&verdicts);
            let locations: Vec<String> = event
                .reference
                .iter_errors(value)
                .map(|error| {
                    let uri = error.absolute_keyword_location().map(|uri| uri.as_str().to_owned());
                    uri.as_deref()
                        .and_then(|uri| self.set.location_of_uri(uri))
                        .unwrap_or_else(|| format!("(outside the schema files: {uri:?})"))
                })
                .collect();
            stats.keywords.record(&locations);
        }
        Ok(stats)
    }

    /// The report of case `index` of `seed`, on which the verdicts disagree: shrunk, with the
    /// errors of each side and how to replay it.
    pub fn disagreement(&self, seed: u64, index: u64, verdicts: Verdicts) -> Disagreement {
        let mut disagreement = Disagreement::new(seed, index, self.case(seed, index), verdicts, &self.judge);
        disagreement.replay = self.replay(seed, index);
        disagreement
    }

    fn replay(&self, seed: u64, index: u64) -> String {
        let reading = self.reading();
        format!(
            "audian_events_tests::event_schemas::EventSchemas::of(audian_events::Reading::{reading:?}).case({seed}, \
             {index}), judged by audian_events_tests::Judge::of(audian_events::Reading::{reading:?})"
        )
    }
}

/// The verdicts of a run, and the keyword locations of the event schemas it broke alone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventSchemaStats {
    pub verdicts: Stats,
    pub keywords: KeywordCounts,
}

impl EventSchemaStats {
    pub fn add(&mut self, other: &EventSchemaStats) {
        self.verdicts.add(&other.verdicts);
        self.keywords.add(&other.keywords);
    }
}

impl fmt::Display for EventSchemaStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}; {}", self.verdicts, self.keywords)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every event is drawn, those with more keywords of their own more often.
    #[test]
    fn every_event_has_its_share_of_the_cases() {
        let schemas = EventSchemas::of(Reading::Tolerant);
        let drawn: BTreeSet<usize> = schemas.slots.iter().copied().collect();
        assert_eq!(drawn.len(), schemas.events.len());
        let count = |path: &str| {
            let at = schemas.events.iter().position(|event| event.engine.root().location() == path).unwrap();
            schemas.slots.iter().filter(|&&slot| slot == at).count()
        };
        assert!(count("events/recording.completed.json#") > count("events/call.held.json#"));
    }
}
