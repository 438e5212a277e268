//! Validation on the documented examples and on typical mistakes: what the messages say.

use std::fs;
use std::path::PathBuf;

use audian_events::{Event, EventType, PayloadError, is_valid, parse_validated, validate, validate_slice};
use serde_json::{Value, json};

fn example(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../schema/examples/{name}.json"));
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

fn errors(value: &Value) -> Vec<String> {
    assert!(!is_valid(value), "is_valid accepted {value}");
    validate(value).unwrap_err().iter().map(ToString::to_string).collect()
}

#[test]
fn every_documented_example_is_valid() {
    for event_type in audian_events::EventType::ALL {
        let value = example(event_type.as_str());
        assert!(is_valid(&value), "{event_type}");
        assert_eq!(validate(&value), Ok(()), "{event_type}");
        audian_events::assert_valid(&value);
        let event = parse_validated(value.to_string().as_bytes()).unwrap();
        assert_eq!(event.event_type(), event_type);
    }
}

#[test]
fn a_bad_phone_number_names_its_path() {
    let mut value = example("call.completed");
    value["data"]["from"] = json!("4155552671");
    assert_eq!(errors(&value), [r#"/data/from: "4155552671" is not an E.164 phone number"#]);
    let error = validate(&value).unwrap_err().into_iter().next().unwrap();
    assert_eq!(error.instance_path(), "/data/from");
    assert_eq!(error.keyword(), "pattern");
    assert_eq!(error.schema_path(), "common.json#/$defs/PhoneNumber/pattern");
}

#[test]
fn every_error_is_collected() {
    let mut value = example("call.completed");
    value["data"]["from"] = json!("4155552671");
    value["data"]["duration"] = json!(-1);
    value["data"]["status"] = json!("failed");
    value["data"]["extra"] = json!(1);
    value["timestamp"] = json!("yesterday");
    value["data"].as_object_mut().unwrap().remove("to");
    let found = errors(&value);
    let expected = [
        r#"/timestamp: "yesterday" is not an RFC 3339 date-time"#,
        r#"/data: missing required property "to""#,
        "/data/duration: -1 is less than the minimum 0",
        r#"/data/status: expected "completed", found "failed""#,
        r#"/data/from: "4155552671" is not an E.164 phone number"#,
        r#"/data/extra: property "extra" is not allowed"#,
    ];
    for message in expected {
        assert!(found.iter().any(|error| error == message), "missing {message:?} in {found:#?}");
    }
    assert_eq!(found.len(), expected.len(), "{found:#?}");
}

#[test]
fn a_missing_or_unknown_event_is_one_error_listing_the_known_types() {
    let mut value = example("call.held");
    value["event"] = json!("call.parked");
    let found = errors(&value);
    assert_eq!(found.len(), 1, "{found:?}");
    let known = EventType::ALL;
    let (first, last) = (&known[0], &known[known.len() - 1]);
    assert!(
        found[0].starts_with(&format!(r#"/event: "call.parked" is not a known event: expected one of {first}, "#)),
        "{}",
        found[0]
    );
    value.as_object_mut().unwrap().remove("event");
    let found = errors(&value);
    assert_eq!(found.len(), 1);
    assert!(found[0].starts_with(&format!(r#"(root): missing "event": expected one of {first},"#)), "{}", found[0]);
    assert!(found[0].ends_with(last.as_str()), "{}", found[0]);
}

#[test]
fn long_values_are_cut_in_messages() {
    let mut value = example("call.held");
    value["data"]["call_id"] = json!("x".repeat(10_000));
    let found = errors(&value);
    assert!(found[0].len() < 300, "{}", found[0]);
    assert!(found[0].contains("..."), "{}", found[0]);
}

#[test]
fn malformed_json_has_line_and_column() {
    let Err(PayloadError::Malformed(error)) = validate_slice(b"{\"id\": \"evt_1\",\n  \"event\": }") else { panic!() };
    assert_eq!((error.line(), error.column()), (2, 12));
}

#[test]
fn duplicate_keys_are_refused() {
    let body =
        br#"{"id": "evt_1", "id": "evt_2", "timestamp": "2024-01-15T10:30:00Z", "event": "call.held", "data": {}}"#;
    let Err(PayloadError::Malformed(error)) = validate_slice(body) else { panic!() };
    assert!(error.to_string().contains("duplicate key \"id\""), "{error}");
}

#[test]
fn the_receivers_call_parses_only_valid_events() {
    let valid = example("call.failed").to_string();
    assert!(matches!(parse_validated(valid.as_bytes()), Ok(Event::CallFailed(_))));
    let mut invalid = example("call.failed");
    invalid["data"]["reason"] = json!("timeout");
    let Err(PayloadError::Invalid(errors)) = parse_validated(invalid.to_string().as_bytes()) else { panic!() };
    assert_eq!(
        errors.to_string(),
        r#"/data/reason: "timeout" is not one of "no_answer", "declined", "invalid_number", "network_error", "internal_error", "busy""#
    );
}

#[test]
fn subscription_bodies_are_validated() {
    let create = json!({"url": "https://your-domain.com/webhooks", "events": ["*"]});
    assert_eq!(audian_events::validation::validate_create_webhook(&create), Ok(()));
    let bad = json!({"url": "https://your-domain.com/webhooks", "events": []});
    assert!(audian_events::validation::validate_create_webhook(&bad).is_err());
    let update = json!({"events": ["call.completed", "call.complete"]});
    let errors = audian_events::validation::validate_update_webhook(&update).unwrap_err();
    assert_eq!(errors.iter().next().unwrap().instance_path(), "/events/1");
}
