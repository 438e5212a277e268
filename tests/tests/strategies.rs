//! The strategies of `audian_events::testing` (feature `testing`) against the reference: every
//! event drawn is valid under the `jsonschema` crate on `schema/` (formats asserted) and under
//! our validators; the draws cover every event type, every enumeration value and every shape of
//! timestamp; lifecycles are whole calls whose timeline is the same however they are delivered;
//! invalid payloads break the rule they name; and a failing property shrinks to the documented
//! example.

use std::collections::{BTreeMap, BTreeSet};

use audian_events::testing::{
    DeliveryFaults, any_event, call_completed, call_lifecycle, delivered, invalid_payload, rules,
};
use audian_events::timeline::CallTimeline;
use audian_events::{Event, EventType};
use audian_events_tests::reference::{Reference, schema_dir};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestError, TestRng, TestRunner};
use serde_json::Value;

/// A runner with a fixed seed: the same draws on every run, so that a failure replays.
fn runner() -> TestRunner {
    let seed = *b"audian-events testing strategies";
    TestRunner::new_with_rng(
        Config { failure_persistence: None, ..Config::default() },
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed),
    )
}

/// `count` values of a strategy.
fn draw<S: Strategy>(strategy: &S, count: usize) -> Vec<S::Value> {
    let mut runner = runner();
    (0..count).map(|_| strategy.new_tree(&mut runner).expect("a strategy that never rejects").current()).collect()
}

const EVENTS: usize = 100_000;

#[test]
fn every_event_drawn_is_valid_under_the_reference_and_our_validators_and_the_draws_cover_the_schemas() {
    let reference = Reference::get();
    let mut types: BTreeMap<String, usize> = BTreeMap::new();
    let mut seen: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut timestamps = Shapes::default();
    let mut runner = runner();
    let strategy = any_event();
    for index in 0..EVENTS {
        let event = strategy.new_tree(&mut runner).expect("no rejection").current();
        let payload = serde_json::to_value(&event).expect("an event serializes");
        assert!(
            reference.is_valid(&payload),
            "draw {index} is invalid under jsonschema: {:?}\n{payload:#}",
            reference.errors(&payload)
        );
        if let Err(errors) = audian_events::validate(&payload) {
            panic!("draw {index} is invalid under our validators: {errors}\n{payload:#}");
        }
        let bytes = serde_json::to_vec(&event).expect("an event serializes");
        let parsed =
            audian_events::parse_validated(&bytes).unwrap_or_else(|error| panic!("draw {index}: {error}\n{payload:#}"));
        assert_eq!(parsed, event, "draw {index} does not read back as itself");
        *types.entry(event.event_type().to_string()).or_default() += 1;
        for (pointer, value) in strings(&payload) {
            seen.entry(format!("{}{pointer}", event.event_type())).or_default().insert(value.clone());
            if pointer == "/timestamp" || pointer.ends_with("_at") {
                timestamps.count(&value);
            }
        }
    }

    for event_type in EventType::ALL {
        let count = types.get(event_type.as_str()).copied().unwrap_or(0);
        assert!(count * 100 >= EVENTS, "{event_type} is {count} of {EVENTS} draws: less than 1%");
    }
    for (place, values) in enumerations() {
        let drawn = seen.get(&place).cloned().unwrap_or_default();
        let missing: Vec<&String> = values.iter().filter(|value| !drawn.contains(*value)).collect();
        assert!(missing.is_empty(), "{place}: the values {missing:?} of its enumeration were never drawn");
    }
    println!("timestamps drawn: {timestamps:?}");
    for (shape, count) in [
        ("in UTC (Z)", timestamps.utc),
        ("at another offset", timestamps.offset),
        ("with a fraction of a second", timestamps.fraction),
        ("without a fraction", timestamps.whole),
        ("at a leap second", timestamps.leap),
        ("on February 29", timestamps.leap_day),
        ("in year 0000 or 9999", timestamps.edge_year),
    ] {
        assert!(count > 0, "no timestamp {shape} in {EVENTS} draws: {timestamps:?}");
    }
}

/// How many timestamps of each shape were drawn.
#[derive(Debug, Default)]
struct Shapes {
    utc: usize,
    offset: usize,
    fraction: usize,
    whole: usize,
    leap: usize,
    leap_day: usize,
    edge_year: usize,
}

impl Shapes {
    fn count(&mut self, text: &str) {
        if text.ends_with('Z') {
            self.utc += 1
        } else {
            self.offset += 1
        }
        if text.as_bytes().get(19) == Some(&b'.') {
            self.fraction += 1
        } else {
            self.whole += 1
        }
        self.leap += usize::from(text.get(17..19) == Some("60"));
        self.leap_day += usize::from(text.get(5..10) == Some("02-29"));
        self.edge_year += usize::from(matches!(text.get(..4), Some("0000" | "9999")));
    }
}

/// Every string of a payload, with its JSON Pointer.
fn strings(value: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![(String::new(), value)];
    while let Some((pointer, value)) = stack.pop() {
        match value {
            Value::String(text) => out.push((pointer, text.clone())),
            Value::Object(object) => {
                stack.extend(object.iter().map(|(key, value)| (format!("{pointer}/{key}"), value)))
            }
            Value::Array(items) => {
                stack.extend(items.iter().enumerate().map(|(i, value)| (format!("{pointer}/{i}"), value)))
            }
            _ => {}
        }
    }
    out
}

/// Each place of an event's `data` whose value is one of an enumeration (and not fixed by a
/// `const`), as `call.initiated/data/call_type`, with the enumeration's values: read from the
/// schema files.
fn enumerations() -> BTreeMap<String, Vec<String>> {
    let read = |path: std::path::PathBuf| -> Value {
        serde_json::from_str(
            &std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display())),
        )
        .expect("a schema is JSON")
    };
    let common = read(schema_dir().join("common.json"));
    let mut places = BTreeMap::new();
    for event_type in EventType::ALL {
        let schema = read(schema_dir().join(format!("events/{event_type}.json")));
        let properties =
            schema.pointer("/properties/data/properties").and_then(Value::as_object).expect("data has properties");
        for (name, property) in properties {
            if property.get("const").is_some() {
                continue;
            }
            let Some(definition) =
                property.get("$ref").and_then(Value::as_str).and_then(|target| target.split_once("#"))
            else {
                continue;
            };
            if let Some(values) =
                common.pointer(definition.1).and_then(|definition| definition.get("enum")).and_then(Value::as_array)
            {
                let values = values.iter().filter_map(Value::as_str).map(str::to_owned).collect();
                places.insert(format!("{event_type}/data/{name}"), values);
            }
        }
    }
    assert!(!places.is_empty(), "the event schemas have enumerations in their data");
    places
}

#[test]
fn a_lifecycle_is_one_valid_call_in_timeline_order_and_its_timeline_is_the_same_however_it_is_delivered() {
    let reference = Reference::get();
    let with_faults = call_lifecycle().prop_flat_map(|events| {
        let variants = proptest::collection::vec(delivered(events.clone(), DeliveryFaults::default()), 3);
        (proptest::strategy::Just(events), variants)
    });
    let mut lengths = BTreeMap::<usize, usize>::new();
    let mut types = BTreeSet::new();
    for (index, (events, deliveries)) in draw(&with_faults, 2_000).into_iter().enumerate() {
        *lengths.entry(events.len()).or_default() += 1;
        assert!(events.len() >= 3, "lifecycle {index} is too short for a call: {events:?}");
        let call_id = events[0].call_id().expect("a call starts with an event about it").clone();
        for (position, event) in events.iter().enumerate() {
            types.insert(event.event_type().to_string());
            let payload = serde_json::to_value(event).expect("an event serializes");
            assert!(
                reference.is_valid(&payload),
                "lifecycle {index}, event {position}: {:?}\n{payload:#}",
                reference.errors(&payload)
            );
            assert!(
                audian_events::is_valid(&payload),
                "lifecycle {index}, event {position} is refused by our validators"
            );
            assert_eq!(event.call_id(), Some(&call_id), "lifecycle {index}, event {position} is about another call");
            if position > 0 {
                assert!(
                    event.timestamp() >= events[position - 1].timestamp(),
                    "lifecycle {index}: time goes back at {position}"
                );
            }
        }
        let ids: BTreeSet<String> = events.iter().map(|event| event.id().to_string()).collect();
        assert_eq!(ids.len(), events.len(), "lifecycle {index}: two events share an id");

        let in_order = timeline(&call_id, &events);
        assert!(in_order.events().eq(events.iter()), "lifecycle {index} is not in timeline order");
        for delivery in deliveries {
            let seen = timeline(&call_id, &delivery);
            assert_eq!(
                seen.state(),
                in_order.state(),
                "lifecycle {index}: the state depends on the delivery {delivery:?}"
            );
            assert!(seen.events().eq(in_order.events()), "lifecycle {index}: the events depend on the delivery");
        }
    }
    println!("lifecycle lengths: {lengths:?}");
    let about_a_call: Vec<&str> = EventType::ALL
        .iter()
        .map(EventType::as_str)
        .filter(|name| {
            let example =
                audian_events::examples::example(&EventType::from(*name)).expect("every event type has its example");
            example.parse::<Event>().expect("the example parses").call_id().is_some()
        })
        .collect();
    let missing: Vec<&&str> = about_a_call.iter().filter(|name| !types.contains(**name)).collect();
    assert!(missing.is_empty(), "event types about a call never in a lifecycle: {missing:?}");
}

fn timeline(call_id: &audian_events::CallId, events: &[Event]) -> CallTimeline {
    let mut timeline = CallTimeline::new(call_id.clone());
    for event in events {
        timeline.push(event.clone()).expect("an event of the call");
    }
    timeline
}

#[test]
fn an_invalid_payload_is_refused_by_the_reference_and_by_our_validators_at_the_pointer_it_names() {
    let reference = Reference::get();
    let mut keywords = BTreeMap::<&str, usize>::new();
    let all_rules: Vec<_> = rules().collect();
    for (index, (payload, pointer)) in draw(&invalid_payload(), 5_000).into_iter().enumerate() {
        assert!(
            !reference.is_valid(&payload),
            "payload {index} (breaking {pointer:?}) is valid under jsonschema:\n{payload:#}"
        );
        let errors = audian_events::validate(&payload)
            .err()
            .unwrap_or_else(|| panic!("payload {index} is valid under our validators:\n{payload:#}"));
        let at_pointer: Vec<_> = errors.iter().filter(|error| error.instance_path() == pointer).collect();
        assert!(!at_pointer.is_empty(), "payload {index}: no error at {pointer:?}, but {errors}\n{payload:#}");
        let event = payload.get("event").and_then(Value::as_str).unwrap_or_default();
        for error in at_pointer {
            // An unexpected property is reported at itself, its rule at the object.
            let object = if error.keyword() == "additionalProperties" {
                pointer.rsplit_once('/').map_or("", |(object, _)| object)
            } else {
                pointer.as_str()
            };
            if all_rules.iter().any(|(rule_event, rule_pointer, keyword)| {
                *rule_event == event && *rule_pointer == object && *keyword == error.keyword()
            }) || error.keyword() == "oneOf"
            {
                *keywords.entry(error.keyword()).or_default() += 1;
            }
        }
    }
    println!("keywords broken: {keywords:?}");
    let kinds: BTreeSet<&str> = all_rules.iter().map(|(.., keyword)| *keyword).collect();
    for kind in kinds {
        assert!(keywords.get(kind).copied().unwrap_or(0) > 0, "no payload broke a `{kind}` rule");
    }
}

#[test]
fn a_failing_property_shrinks_to_the_documented_example_but_for_what_fails() {
    let result = runner().run(&call_completed(), |completed| {
        proptest::prop_assert!(completed.data.duration <= 1000);
        Ok(())
    });
    let Err(TestError::Fail(_, shrunk)) = result else { panic!("a duration above 1000 is drawn: {result:?}") };
    let example: Event = audian_events::examples::CALL_COMPLETED.parse().expect("the example parses");
    let Event::CallCompleted(mut expected) = example else { panic!("the example is a call.completed") };
    expected.data.duration = 1001;
    assert_eq!(shrunk, expected, "the shrunk event differs from the documented example in more than its duration");
}
