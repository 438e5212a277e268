//! What the validators accept, the types parse: every mutated payload that
//! `audian_events::validate` accepts deserializes into a known variant of `audian_events::Event`,
//! from a `serde_json::Value` and from bytes, whatever the order of the keys (`event` before
//! `data` reads `data` straight into its type; after it, `data` is buffered first).

use audian_events::Event;
use audian_events_tests::bytes::{self, KeyOrder, Style};
use audian_events_tests::{Engine, Input};
use serde_json::Value;

const SEEDS: [u64; 4] = [2, 3, 0xD1FF_E4E7_7A1A, 1 << 63];
const CASES_PER_SEED: u64 = 10_000;

/// How a valid payload failed to become a known typed event.
fn check_parses(label: &str, result: Result<Event, impl std::fmt::Display>) -> Result<Event, String> {
    match result {
        Ok(Event::Unknown(unknown)) => Err(format!("{label}: parsed as Event::Unknown ({:?})", unknown.event)),
        Ok(event) if !event.event_type().is_known() => {
            Err(format!("{label}: parsed with an unknown event type {:?}", event.event_type()))
        }
        Ok(event) => Ok(event),
        Err(error) => Err(format!("{label}: {error}")),
    }
}

/// Every way of parsing a valid `value`, which must give the same event.
fn parse_every_way(value: &Value) -> Result<(), String> {
    let from_value = check_parses("serde_json::from_value", serde_json::from_value::<Event>(value.clone()))?;
    let text = value.to_string();
    let from_text = check_parses("Event::from_slice(value.to_string())", Event::from_slice(text.as_bytes()))?;
    let mut others = vec![("from_slice(value.to_string())", from_text)];
    for order in [KeyOrder::EventFirst, KeyOrder::DataFirst] {
        let written = bytes::to_bytes(value, Style { order, pretty: false, escape_one_in: 0 });
        let label = format!("Event::from_slice, keys in {order:?} order");
        others.push(("from_slice, other key order", check_parses(&label, Event::from_slice(&written))?));
    }
    for (label, other) in others {
        if other != from_value {
            return Err(format!("{label} gives another event than from_value:\n{other:?}\nvs\n{from_value:?}"));
        }
    }
    Ok(())
}

#[test]
fn every_valid_payload_parses_into_a_known_event() {
    let engine = Engine::documented();
    let mut valid = 0u64;
    let mut cases = 0u64;
    let mut failures = Vec::new();
    for seed in SEEDS {
        for index in 0..CASES_PER_SEED {
            let case = engine.case(seed, index);
            cases += 1;
            let outcome = match &case.input {
                Input::Value(value) => {
                    if audian_events::validate(value).is_err() {
                        continue;
                    }
                    parse_every_way(value)
                }
                Input::Bytes(raw) => {
                    if audian_events::validate_slice(raw).is_err() {
                        continue;
                    }
                    check_parses("Event::from_slice(bytes)", Event::from_slice(raw))
                        .and_then(|_| check_parses("parse_validated(bytes)", audian_events::parse_validated(raw)))
                        .map(drop)
                }
            };
            valid += 1;
            if let Err(why) = outcome {
                failures.push(format!("seed {seed} case {index}: {why}\npayload: {}", case.input));
            }
        }
    }
    println!("{cases} cases, {valid} valid per audian_events::validate, {} failed to parse", failures.len());
    assert!(
        failures.is_empty(),
        "{} valid payloads do not parse into a known Event; the first ones:\n\n{}",
        failures.len(),
        failures.iter().take(10).cloned().collect::<Vec<_>>().join("\n\n")
    );
    assert!(cases >= 20_000);
    assert!(valid >= cases / 5, "too few valid payloads: {valid} of {cases}");
}

/// The documented examples parse into the variant they name, however written.
#[test]
fn the_documented_examples_parse() {
    for (name, example) in audian_events_tests::examples() {
        parse_every_way(example).unwrap_or_else(|why| panic!("the example of {name}: {why}"));
        let event: Event = serde_json::from_value(example.clone()).unwrap();
        assert_eq!(event.event_type().to_string(), *name);
    }
}
