//! The next version of Audian: every documented example changed the ways a new version may
//! change it. An additive change (a new property at any level, a new value of an open
//! enumeration, a new event type with a valid envelope) is accepted by the tolerant reading as
//! the same typed event, with drift naming exactly the change, and refused by the strict one.
//! Anything else (a field removed, a type, pattern, format, bound or `const` broken) is refused
//! by both; a body without a valid envelope is not an event at all, and broken JSON is
//! malformed.
//!
//! The fields each change applies to are found from the examples and the validators' verdicts,
//! not listed by hand.

use std::collections::BTreeSet;

use audian_events::validation::DriftKind;
use audian_events::{
    CallType, Event, EventType, FailureReason, PayloadError, Reading, ValidationError, ValidationErrors, examples,
};
use serde_json::{Value, json};

/// A new value, for a string field, that no version of the schemas has listed.
const NEW_VALUE: &str = "satellite";

struct Example {
    name: String,
    value: Value,
    event: Event,
}

fn documented() -> Vec<Example> {
    examples::ALL
        .iter()
        .map(|(event_type, text)| Example {
            name: event_type.as_str().to_owned(),
            value: serde_json::from_str(text).unwrap(),
            event: Event::from_slice(text.as_bytes()).unwrap(),
        })
        .collect()
}

/// The example with the value at `pointer` (whose parent exists) set or added.
fn with(example: &Value, pointer: &str, new: Value) -> Value {
    let mut value = example.clone();
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    value.pointer_mut(parent).unwrap().as_object_mut().unwrap().insert(key.to_owned(), new);
    value
}

fn without(example: &Value, pointer: &str) -> Value {
    let mut value = example.clone();
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    value.pointer_mut(parent).unwrap().as_object_mut().unwrap().remove(key).unwrap();
    value
}

/// The `data` fields of an example, as pointers with their values.
fn data_fields(example: &Value) -> Vec<(String, Value)> {
    example["data"].as_object().unwrap().iter().map(|(key, value)| (format!("/data/{key}"), value.clone())).collect()
}

fn strict_errors(value: &Value) -> Vec<ValidationError> {
    Reading::Strict.validate(value).err().map(|errors| errors.into_iter().collect()).unwrap_or_default()
}

/// The keywords of the strict errors at `pointer`.
fn strict_keywords_at(value: &Value, pointer: &str) -> BTreeSet<&'static str> {
    strict_errors(value).iter().filter(|error| error.instance_path() == pointer).map(|error| error.keyword()).collect()
}

/// Checks that the tolerant reading accepts `value`, every entry point agreeing, with exactly
/// this drift, and that the strict reading refuses it as an invalid event; returns the event.
#[track_caller]
fn accepted_with_drift(value: &Value, expected: &[(&str, DriftKind)], what: &str) -> Event {
    let bytes = serde_json::to_vec(value).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    let accepted = Reading::Tolerant.parse(&bytes).unwrap_or_else(|error| panic!("{what}: tolerant refused: {error}"));
    let drift: Vec<(&str, DriftKind)> =
        accepted.drift.iter().map(|difference| (difference.pointer(), difference.kind())).collect();
    assert_eq!(drift, expected, "{what}: drift");
    assert_eq!(accepted.drift.pointers(), expected.iter().map(|(pointer, _)| *pointer).collect::<Vec<_>>().join(","));

    assert!(Reading::Tolerant.is_valid(value), "{what}: tolerant is_valid");
    assert_eq!(Reading::Tolerant.validate(value), Ok(()), "{what}: tolerant validate");
    assert_eq!(Reading::Tolerant.validate_value(value).ok().as_ref(), Some(&accepted.drift), "{what}: validate_value");
    assert_eq!(Reading::Tolerant.validate_slice(&bytes).ok().as_ref(), Some(&accepted.drift), "{what}: validate_slice");
    assert_eq!(Reading::Tolerant.validate_str(&text).ok().as_ref(), Some(&accepted.drift), "{what}: validate_str");
    // The lenient parse, which validates nothing, reads the same event.
    assert_eq!(Event::from_slice(&bytes).ok().as_ref(), Some(&accepted.event), "{what}: lenient parse");

    assert!(!Reading::Strict.is_valid(value), "{what}: strict is_valid");
    assert!(Reading::Strict.validate(value).is_err(), "{what}: strict validate");
    assert!(matches!(Reading::Strict.validate_slice(&bytes), Err(PayloadError::Invalid(_))), "{what}: strict slice");
    assert!(matches!(Reading::Strict.parse(&bytes), Err(PayloadError::Invalid(_))), "{what}: strict parse");
    assert!(matches!(audian_events::parse_validated(&bytes), Err(PayloadError::Invalid(_))), "{what}");
    accepted.event
}

/// Checks that both readings refuse `value` as an invalid event (its envelope is valid), every
/// entry point agreeing, each with an error that `names_the_change` picks out.
#[track_caller]
fn refused_by_both(value: &Value, names_the_change: impl Fn(&ValidationError) -> bool, what: &str) {
    let bytes = serde_json::to_vec(value).unwrap();
    for reading in [Reading::Strict, Reading::Tolerant] {
        let errors: ValidationErrors = match reading.parse(&bytes) {
            Err(PayloadError::Invalid(errors)) => errors,
            other => panic!("{what}: {reading:?} should refuse it as invalid, got {other:?}"),
        };
        assert!(errors.iter().any(&names_the_change), "{what}: {reading:?} errors do not name the change:\n{errors}");
        assert!(!reading.is_valid(value), "{what}: {reading:?} is_valid");
        assert_eq!(reading.validate(value).err().as_ref(), Some(&errors), "{what}: {reading:?} validate");
        assert!(matches!(reading.validate_slice(&bytes), Err(PayloadError::Invalid(_))), "{what}: {reading:?}");
        assert!(matches!(reading.validate_value(value), Err(PayloadError::Invalid(_))), "{what}: {reading:?}");
    }
}

/// Whether one of the errors is at `pointer`, or says that its property is missing.
fn names(errors: &ValidationErrors, pointer: &str) -> bool {
    let (parent, key) = pointer.rsplit_once('/').unwrap_or(("", ""));
    errors.iter().any(|error| {
        error.instance_path() == pointer
            || (error.instance_path() == parent && error.message().contains(&format!("missing {key:?}")))
            || (error.instance_path() == parent && error.message().contains(&format!("property {key:?}")))
    })
}

/// Checks that both readings say the body is not an event at all, and that the errors of each
/// reading in `naming` name the envelope field at `pointer`.
#[track_caller]
fn not_an_event(bytes: &[u8], pointer: &str, naming: &[Reading], what: &str) {
    for reading in [Reading::Strict, Reading::Tolerant] {
        let errors = match reading.parse(bytes) {
            Err(PayloadError::NotAnEvent(errors)) => errors,
            other => panic!("{what}: {reading:?} should say it is not an event, got {other:?}"),
        };
        if naming.contains(&reading) {
            assert!(names(&errors, pointer), "{what}: {reading:?} errors do not name {pointer:?}:\n{errors}");
        }
        assert!(matches!(reading.validate_slice(bytes), Err(PayloadError::NotAnEvent(_))), "{what}: {reading:?}");
        let value: Value = serde_json::from_slice(bytes).unwrap();
        assert!(matches!(reading.validate_value(&value), Err(PayloadError::NotAnEvent(_))), "{what}: {reading:?}");
        assert!(!reading.is_valid(&value), "{what}: {reading:?} is_valid");
        assert!(reading.validate(&value).is_err(), "{what}: {reading:?} validate");
        // The errors are the envelope's, whatever the reading: they say why it is no event.
        let envelope = ["", "/id", "/timestamp", "/event", "/data"];
        assert!(errors.iter().all(|error| envelope.contains(&error.instance_path())), "{what}: {reading:?}:\n{errors}");
    }
}

/// Whether the event, with the value at `pointer` put back as the example has it, is the
/// example's event: the change touched nothing else.
fn same_but_at(event: &Event, example: &Example, pointer: &str) -> bool {
    let mut value = serde_json::to_value(event).unwrap();
    *value.pointer_mut(pointer).unwrap() = example.value.pointer(pointer).unwrap().clone();
    serde_json::from_value::<Event>(value).unwrap() == example.event
}

#[test]
fn every_documented_example_is_accepted_without_drift() {
    for example in documented() {
        let bytes = serde_json::to_vec(&example.value).unwrap();
        let accepted = Reading::Tolerant.parse(&bytes).unwrap();
        assert!(accepted.drift.is_empty(), "{}: {}", example.name, accepted.drift);
        assert_eq!(accepted.event, example.event, "{}", example.name);
        assert_eq!(Reading::Tolerant.validate_slice(&bytes).ok(), Some(audian_events::Drift::NONE));
        assert_eq!(Reading::Strict.parse(&bytes).ok().map(Event::from), Some(example.event));
    }
}

#[test]
fn a_new_envelope_field_is_drift_at_the_root() {
    for example in documented() {
        let changed = with(&example.value, "/api_version", json!("2025-01"));
        let event = accepted_with_drift(&changed, &[("/api_version", DriftKind::UnknownProperty)], &example.name);
        assert_eq!(event, example.event, "{}", example.name);
    }
}

#[test]
fn a_new_data_field_is_drift_in_data() {
    for example in documented() {
        let changed = with(&example.value, "/data/carrier", json!("att"));
        let event = accepted_with_drift(&changed, &[("/data/carrier", DriftKind::UnknownProperty)], &example.name);
        assert_eq!(event, example.event, "{}", example.name);
    }
}

#[test]
fn new_fields_at_both_levels_are_each_drift() {
    for example in documented() {
        let changed = with(&with(&example.value, "/api_version", json!("2025-01")), "/data/carrier", json!("att"));
        let event = accepted_with_drift(
            &changed,
            &[("/api_version", DriftKind::UnknownProperty), ("/data/carrier", DriftKind::UnknownProperty)],
            &example.name,
        );
        assert_eq!(event, example.event, "{}", example.name);
    }
}

#[test]
fn a_new_value_of_an_open_enumeration_is_drift_and_an_unknown_variant() {
    let mut open = BTreeSet::new();
    for example in documented() {
        for (pointer, value) in data_fields(&example.value) {
            if !value.is_string() {
                continue;
            }
            let changed = with(&example.value, &pointer, json!(NEW_VALUE));
            // An open enumeration: the strict reading lists its values, the tolerant one takes
            // any string. A `const` field, or a free string, is not one.
            let open_enumeration = Reading::Tolerant.is_valid(&changed) && !Reading::Strict.is_valid(&changed);
            if !open_enumeration {
                continue;
            }
            let what = format!("{} with {pointer} = {NEW_VALUE:?}", example.name);
            assert_eq!(strict_keywords_at(&changed, &pointer), BTreeSet::from(["enum"]), "{what}");
            let event = accepted_with_drift(&changed, &[(pointer.as_str(), DriftKind::UnknownValue)], &what);
            assert!(format!("{event:?}").contains(&format!("Unknown({NEW_VALUE:?})")), "{what}: {event:?}");
            assert!(same_but_at(&event, &example, &pointer), "{what}: {event:?}");
            open.insert((example.name.clone(), pointer));
        }
    }
    for known in [("call.initiated", "/data/call_type"), ("call.failed", "/data/reason")] {
        assert!(open.contains(&(known.0.to_owned(), known.1.to_owned())), "{known:?} not found in {open:?}");
    }
}

#[test]
fn a_new_call_type_and_failure_reason_are_their_enums_unknown() {
    let initiated = with(&serde_json::from_str(examples::CALL_INITIATED).unwrap(), "/data/call_type", json!(NEW_VALUE));
    let Ok(accepted) = Reading::Tolerant.parse(initiated.to_string().as_bytes()) else { panic!() };
    let Event::CallInitiated(event) = accepted.event else { panic!("{:?}", accepted.event) };
    assert_eq!(event.data.call_type, CallType::Unknown(NEW_VALUE.to_owned()));

    let failed = with(&serde_json::from_str(examples::CALL_FAILED).unwrap(), "/data/reason", json!(NEW_VALUE));
    let Ok(accepted) = Reading::Tolerant.parse(failed.to_string().as_bytes()) else { panic!() };
    let Event::CallFailed(event) = accepted.event else { panic!("{:?}", accepted.event) };
    assert_eq!(event.data.reason, FailureReason::Unknown(NEW_VALUE.to_owned()));
}

#[test]
fn a_new_event_type_with_a_valid_envelope_is_an_unknown_event() {
    assert!(!EventType::from("call.parked").is_known());
    for example in documented() {
        let changed = with(&example.value, "/event", json!("call.parked"));
        let event = accepted_with_drift(&changed, &[("/event", DriftKind::UnknownEventType)], &example.name);
        let Event::Unknown(unknown) = &event else { panic!("{}: {event:?}", example.name) };
        assert_eq!(unknown.event, "call.parked");
        assert_eq!(&unknown.id, example.event.id());
        assert_eq!(unknown.timestamp, example.event.timestamp());
        assert_eq!(unknown.data, example.value["data"]);
    }
}

#[test]
fn a_new_event_type_with_new_fields_is_one_difference() {
    // The unknown event's own content is not judged, so its new fields are no further drift.
    for example in documented() {
        let changed = with(&with(&example.value, "/event", json!("call.parked")), "/data/carrier", json!("att"));
        let event = accepted_with_drift(&changed, &[("/event", DriftKind::UnknownEventType)], &example.name);
        assert!(matches!(event, Event::Unknown(_)), "{}: {event:?}", example.name);
    }
}

#[test]
fn a_required_data_field_removed_is_invalid_in_both_readings() {
    for example in documented() {
        let mut removed = 0;
        for (pointer, _) in data_fields(&example.value) {
            let changed = without(&example.value, &pointer);
            if Reading::Strict.is_valid(&changed) {
                continue; // an optional field
            }
            let key = pointer.trim_start_matches("/data/");
            let what = format!("{} without {pointer}", example.name);
            refused_by_both(
                &changed,
                |error| {
                    error.instance_path() == "/data"
                        && error.keyword() == "required"
                        && error.message().contains(&format!("{key:?}"))
                },
                &what,
            );
            removed += 1;
        }
        assert!(removed > 0, "{}: no required data field", example.name);
    }
}

#[test]
fn a_string_field_turned_into_a_number_is_invalid_in_both_readings() {
    for example in documented() {
        let mut changed_fields = 0;
        for (pointer, value) in data_fields(&example.value) {
            if !value.is_string() {
                continue;
            }
            let changed = with(&example.value, &pointer, json!(12345));
            let what = format!("{} with {pointer} = 12345", example.name);
            // The strict reading may say `enum` (a closed list of strings takes no number); the
            // tolerant one, which only knows the field is a string, says `type`.
            let tolerant = Reading::Tolerant.validate(&changed).unwrap_err();
            assert!(
                tolerant.iter().any(|error| error.instance_path() == pointer && error.keyword() == "type"),
                "{what}: {tolerant}"
            );
            refused_by_both(&changed, |error| error.instance_path() == pointer, &what);
            changed_fields += 1;
        }
        assert!(changed_fields > 0, "{}: no string data field", example.name);
    }
}

/// Replaces each string `data` field of every example with `new` and, where the strict
/// validator refuses it by `keyword` at that field, checks that both readings refuse it there.
/// Returns the (event, pointer) pairs so changed.
fn broken_by(keyword: &str, new: &Value) -> BTreeSet<(String, String)> {
    let mut broken = BTreeSet::new();
    for example in documented() {
        for (pointer, value) in data_fields(&example.value) {
            if !value.is_string() || value == *new {
                continue;
            }
            let changed = with(&example.value, &pointer, new.clone());
            if !strict_keywords_at(&changed, &pointer).contains(keyword) {
                continue;
            }
            let what = format!("{} with {pointer} = {new}", example.name);
            refused_by_both(&changed, |error| error.instance_path() == pointer && error.keyword() == keyword, &what);
            broken.insert((example.name.clone(), pointer));
        }
    }
    broken
}

fn pair(event: &str, pointer: &str) -> (String, String) {
    (event.to_owned(), pointer.to_owned())
}

#[test]
fn a_broken_pattern_is_invalid_in_both_readings() {
    let broken = broken_by("pattern", &json!("anonymous"));
    for example in documented() {
        // Every phone number and identifier of the examples has a pattern.
        for (pointer, value) in data_fields(&example.value) {
            let text = value.as_str().unwrap_or_default();
            if text.starts_with('+') || text.starts_with("call_") || text.starts_with("rec_") {
                assert!(broken.contains(&pair(&example.name, &pointer)), "{} {pointer}", example.name);
            }
        }
    }
    assert!(broken.contains(&pair("call.completed", "/data/from")), "{broken:?}");
}

#[test]
fn a_broken_format_is_invalid_in_both_readings() {
    let broken = broken_by("format", &json!("yesterday"));
    for example in documented() {
        // Every date-time of the examples has a format.
        for (pointer, value) in data_fields(&example.value) {
            if value.is_string() && value == example.value["timestamp"] {
                assert!(broken.contains(&pair(&example.name, &pointer)), "{} {pointer}", example.name);
            }
        }
    }
    assert!(broken.contains(&pair("call.completed", "/data/ended_at")), "{broken:?}");
    assert!(broken.contains(&pair("recording.completed", "/data/download_url")), "{broken:?}");
}

#[test]
fn a_broken_bound_is_invalid_in_both_readings() {
    let mut broken = BTreeSet::new();
    for example in documented() {
        for (pointer, value) in data_fields(&example.value) {
            if !value.is_u64() {
                continue;
            }
            let changed = with(&example.value, &pointer, json!(-1));
            if !strict_keywords_at(&changed, &pointer).contains("minimum") {
                continue; // a signed integer
            }
            let what = format!("{} with {pointer} = -1", example.name);
            refused_by_both(&changed, |error| error.instance_path() == pointer && error.keyword() == "minimum", &what);
            broken.insert(pair(&example.name, &pointer));
        }
    }
    assert!(broken.contains(&pair("call.completed", "/data/duration")), "{broken:?}");
    assert!(broken.contains(&pair("recording.completed", "/data/file_size")), "{broken:?}");
}

#[test]
fn an_events_own_status_stays_fixed_in_both_readings() {
    // A `const` field: any other value, a new one or a known one, is refused by the strict
    // reading with `const`.
    let mut fixed = BTreeSet::new();
    for example in documented() {
        for (pointer, value) in data_fields(&example.value) {
            if !value.is_string() {
                continue;
            }
            let new_value = with(&example.value, &pointer, json!(NEW_VALUE));
            if !strict_keywords_at(&new_value, &pointer).contains("const") {
                continue;
            }
            let what = format!("{} with {pointer} = {NEW_VALUE:?}", example.name);
            refused_by_both(&new_value, |error| error.instance_path() == pointer && error.keyword() == "const", &what);
            for other in examples::ALL.iter().map(|(_, text)| serde_json::from_str::<Value>(text).unwrap()) {
                let Some(known) = other.pointer(&pointer).filter(|known| *known != &value) else { continue };
                let changed = with(&example.value, &pointer, known.clone());
                let what = format!("{} with {pointer} = {known}", example.name);
                refused_by_both(
                    &changed,
                    |error| error.instance_path() == pointer && error.keyword() == "const",
                    &what,
                );
            }
            fixed.insert(pair(&example.name, &pointer));
        }
    }
    assert!(fixed.contains(&pair("call.completed", "/data/status")), "{fixed:?}");
    let completed = with(&serde_json::from_str(examples::CALL_COMPLETED).unwrap(), "/data/status", json!("ringing"));
    refused_by_both(&completed, |error| error.instance_path() == "/data/status", "call.completed, status ringing");
}

#[test]
fn a_body_without_a_valid_envelope_is_not_an_event_in_either_reading() {
    for example in documented() {
        let value = &example.value;
        let cases = [
            ("without id", "/id", without(value, "/id")),
            ("with an id not starting with evt_", "/id", with(value, "/id", json!("abc_1234567890abcdef"))),
            ("with the id prefix alone", "/id", with(value, "/id", json!("evt_"))),
            ("with an id that is a number", "/id", with(value, "/id", json!(1))),
            ("without timestamp", "/timestamp", without(value, "/timestamp")),
            ("with a timestamp that is no date-time", "/timestamp", with(value, "/timestamp", json!("yesterday"))),
            ("without event", "/event", without(value, "/event")),
            ("with an empty event", "/event", with(value, "/event", json!(""))),
            ("with an event that is a number", "/event", with(value, "/event", json!(1))),
            ("without data", "/data", without(value, "/data")),
            ("with data a string", "/data", with(value, "/data", json!("x"))),
            ("with data an array", "/data", with(value, "/data", json!([value["data"].clone()]))),
            ("as an array", "", json!([value.clone()])),
        ];
        for (what, pointer, body) in cases {
            let what = format!("{} {what}", example.name);
            let bytes = serde_json::to_vec(&body).unwrap();
            not_an_event(&bytes, pointer, &[Reading::Strict, Reading::Tolerant], &what);
            // A new event type does not make a broken envelope an event.
            if let Some(object) = body.as_object().filter(|object| object.contains_key("event") && pointer != "/event")
            {
                let mut unknown = object.clone();
                unknown.insert("event".into(), json!("call.parked"));
                let bytes = serde_json::to_vec(&unknown).unwrap();
                not_an_event(
                    &bytes,
                    pointer,
                    &[Reading::Strict, Reading::Tolerant],
                    &format!("{what}, as call.parked"),
                );
            }
        }
    }
    for body in ["[]", "{}", "null", "42", "\"call.held\""] {
        not_an_event(body.as_bytes(), "", &[Reading::Strict, Reading::Tolerant], body);
    }
}

#[test]
fn malformed_json_is_malformed_in_either_reading() {
    let example = examples::CALL_COMPLETED;
    let truncated = &example.as_bytes()[..example.len() / 2];
    let duplicate = example.replacen("\"call_id\"", "\"call_id\": \"call_1\", \"call_id\"", 1);
    for (what, bytes) in [("truncated", truncated), ("a duplicate key", duplicate.as_bytes()), ("empty", b"")] {
        for reading in [Reading::Strict, Reading::Tolerant] {
            assert!(matches!(reading.parse(bytes), Err(PayloadError::Malformed(_))), "{what}: {reading:?}");
            assert!(matches!(reading.validate_slice(bytes), Err(PayloadError::Malformed(_))), "{what}: {reading:?}");
        }
    }
}
