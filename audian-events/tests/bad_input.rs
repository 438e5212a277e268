//! Bad input gets a clear error and never a panic: every public entry point, on hostile bytes.

use audian_events::{Event, PayloadError, examples, is_valid, parse_validated, validate, validate_slice, validate_str};
use proptest::prelude::*;
use serde_json::{Value, json};

fn malformed(bytes: &[u8]) -> String {
    match validate_slice(bytes) {
        Err(PayloadError::Malformed(error)) => error.to_string(),
        other => panic!("expected malformed JSON, got {other:?}"),
    }
}

fn invalid(bytes: &[u8]) -> Vec<String> {
    match validate_slice(bytes) {
        Err(PayloadError::Invalid(errors)) => errors.iter().map(ToString::to_string).collect(),
        other => panic!("expected an invalid event, got {other:?}"),
    }
}

fn not_an_event(bytes: &[u8]) -> Vec<String> {
    match validate_slice(bytes) {
        Err(PayloadError::NotAnEvent(errors)) => errors.iter().map(ToString::to_string).collect(),
        other => panic!("expected a body without a valid envelope, got {other:?}"),
    }
}

#[test]
fn thousands_of_nesting_levels_are_refused_without_overflowing_the_stack() {
    for depth in [1_000, 100_000] {
        let deep = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        assert!(malformed(deep.as_bytes()).contains("recursion limit exceeded"));
        assert!(parse_validated(deep.as_bytes()).is_err());
        assert!(Event::from_slice(deep.as_bytes()).is_err());
        let deep_data = format!(
            r#"{{"id": "evt_1", "timestamp": "2024-01-15T10:30:00Z", "event": "call.held", "data": {}1{}}}"#,
            "{\"a\":".repeat(depth),
            "}".repeat(depth)
        );
        assert!(malformed(deep_data.as_bytes()).contains("recursion limit exceeded"));
        assert!(Event::from_slice(deep_data.as_bytes()).is_err());
    }
}

#[test]
fn megabyte_strings_are_checked_and_cut_in_messages() {
    let mut value: Value = serde_json::from_str(examples::CALL_HELD).unwrap();
    value["data"]["call_id"] = json!(format!("call_{}", "x".repeat(8 << 20)));
    assert!(is_valid(&value));
    value["data"]["call_id"] = json!("y".repeat(8 << 20));
    let errors = validate(&value).unwrap_err();
    let message = errors.to_string();
    assert!(message.len() < 400, "{} bytes", message.len());
    let bytes = serde_json::to_vec(&value).unwrap();
    assert!(matches!(parse_validated(&bytes), Err(PayloadError::Invalid(_))));
}

#[test]
fn invalid_utf8_is_malformed_with_a_position() {
    let mut bytes = examples::CALL_HELD.as_bytes().to_vec();
    let at = bytes.iter().position(|&b| b == b'x').unwrap();
    bytes[at] = 0xff;
    let message = malformed(&bytes);
    assert!(message.contains("line"), "{message}");
    assert!(Event::from_slice(&bytes).is_err());
}

#[test]
fn numbers_beyond_u64_and_f64() {
    let text = examples::CALL_COMPLETED.replace("305", "1e400");
    assert!(malformed(text.as_bytes()).contains("number out of range"));
    let text = examples::CALL_COMPLETED.replace("305", "99999999999999999999999");
    let errors = invalid(text.as_bytes());
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("/data/duration: 1e+23 is greater than the maximum 18446744073709551615"),
        "{errors:?}"
    );
    assert!(Event::from_slice(text.as_bytes()).is_err());
    // Beyond i64, serde_json reads an integer as the nearest f64: here exactly -2^63, i64::MIN,
    // which the schema accepts and the type holds. (No arbitrary precision: a documented limit.)
    let text = examples::CALL_FAILED.replace("408", "-9223372036854775809");
    assert_eq!(validate_str(&text).ok(), Some(()));
    let Ok(Event::CallFailed(failed)) = Event::from_slice(text.as_bytes()) else { panic!() };
    assert_eq!(failed.data.reason_code, i64::MIN);
}

#[test]
fn duplicate_keys_are_malformed() {
    let text = examples::CALL_HELD.replacen("\"call_id\"", "\"call_id\": \"call_1\", \"call_id\"", 1);
    assert!(malformed(text.as_bytes()).contains("duplicate key \"call_id\""));
    assert!(Event::from_slice(text.as_bytes()).is_err());
}

#[test]
fn a_top_level_array_null_or_scalar_is_one_clear_error() {
    for (body, found) in [("[]", "[]"), ("null", "null"), ("\"call.held\"", "\"call.held\""), ("42", "42")] {
        let errors = not_an_event(body.as_bytes());
        assert_eq!(errors.len(), 1, "{errors:?}");
        // The envelope's error: what is wrong with the body as an Audian event.
        assert!(errors[0].starts_with("(root): expected object, found "), "{errors:?}");
        assert!(errors[0].ends_with(&format!(" {found}")), "{errors:?}");
        assert!(Event::from_slice(body.as_bytes()).is_err());
    }
    assert!(malformed(b"").contains("EOF"));
}

fn every_entry_point(bytes: &[u8]) {
    let _ = validate_slice(bytes);
    let _ = parse_validated(bytes);
    let _ = Event::from_slice(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        let _ = validate_str(text);
        let _ = text.parse::<Event>();
    }
    if let Ok(value) = serde_json::from_slice::<Value>(bytes) {
        assert_eq!(is_valid(&value), validate(&value).is_ok());
        let _ = serde_json::from_value::<Event>(value);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        every_entry_point(&bytes);
    }

    #[test]
    fn corrupted_examples_never_panic(
        index in 0..examples::ALL.len(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
    ) {
        let mut bytes = examples::ALL[index].1.as_bytes().to_vec();
        for (at, byte) in edits {
            let at = at.index(bytes.len());
            bytes[at] = byte;
        }
        every_entry_point(&bytes);
    }

    #[test]
    fn truncated_examples_never_panic(index in 0..examples::ALL.len(), cut in any::<prop::sample::Index>()) {
        let text = examples::ALL[index].1.as_bytes();
        every_entry_point(&text[..cut.index(text.len())]);
    }
}
