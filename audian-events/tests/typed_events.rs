//! The typed API on the documented examples and on what is new or wrong.

use std::fs;
use std::path::PathBuf;

use audian_events::{CallId, CallStatus, CallType, Event, EventType, FailureReason, PhoneNumber, Reading};
use serde_json::{Value, json};

fn examples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schema/examples")
}

/// The documented examples, by event type name.
fn documented_examples() -> Vec<(String, String)> {
    let mut examples: Vec<(String, String)> = fs::read_dir(examples_dir())
        .expect("schema/examples")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .map(|path| {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            (name, fs::read_to_string(&path).unwrap())
        })
        .collect();
    examples.sort();
    examples
}

/// The names of the event types the crate knows, sorted.
fn known_event_types() -> Vec<String> {
    let mut names: Vec<String> = EventType::ALL.iter().map(|event_type| event_type.as_str().to_owned()).collect();
    names.sort();
    names
}

fn example(name: &str) -> Value {
    serde_json::from_str(&fs::read_to_string(examples_dir().join(format!("{name}.json"))).unwrap()).unwrap()
}

#[test]
fn every_documented_example_parses_into_its_variant_and_round_trips() {
    let examples = documented_examples();
    let documented: Vec<String> = examples.iter().map(|(name, _)| name.clone()).collect();
    assert_eq!(documented, known_event_types(), "one documented example per event type");
    for (name, text) in examples {
        let event = Event::from_slice(text.as_bytes()).unwrap_or_else(|error| panic!("{name}: {error}"));
        assert_eq!(event.event_type().as_str(), name);
        assert!(event.event_type().is_known(), "{name} parsed as unknown");
        assert!(!matches!(event, Event::Unknown(_)), "{name} fell back to Event::Unknown");
        assert_eq!(event.id().as_str(), "evt_1234567890abcdef");
        let original: Value = serde_json::from_str(&text).unwrap();
        // An event type may be about no call.
        assert_eq!(event.call_id().map(CallId::as_str), original["data"]["call_id"].as_str(), "{name}");
        assert_eq!(event.to_json(), original, "{name} does not serialize back to the documented JSON");
        assert_eq!(serde_json::from_str::<Event>(&text).unwrap(), event);
        assert_eq!(text.parse::<Event>().unwrap(), event);
        assert_eq!(event.timestamp().to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true), original["timestamp"]);
    }
}

#[test]
fn call_completed_fields_hold_the_documented_values() {
    let Event::CallCompleted(completed) = serde_json::from_value(example("call.completed")).unwrap() else {
        panic!("expected call.completed");
    };
    assert_eq!(completed.id.as_str(), "evt_1234567890abcdef");
    assert_eq!(completed.timestamp.to_rfc3339(), "2024-01-15T10:35:10+00:00");
    let data = completed.data;
    assert_eq!(data.call_id.as_str(), "call_xyz789");
    assert_eq!(data.duration, 305);
    assert_eq!(data.status, CallStatus::Completed);
    assert_eq!(data.from.as_str(), "+14155552671");
    assert_eq!(&*data.to, "+14155552672");
    assert_eq!(data.ended_at, completed.timestamp);
    assert_eq!(data.completion_reason, "normal");
}

#[test]
fn call_failed_and_initiated_fields_hold_the_documented_values() {
    let Event::CallFailed(failed) = serde_json::from_value(example("call.failed")).unwrap() else { panic!() };
    assert_eq!(failed.data.reason, FailureReason::NoAnswer);
    assert_eq!(failed.data.reason_code, 408);
    assert_eq!(failed.data.status, CallStatus::Failed);
    let Event::CallInitiated(initiated) = serde_json::from_value(example("call.initiated")).unwrap() else { panic!() };
    assert_eq!(initiated.data.call_type, CallType::Outbound);
    let Event::IvrMenuPresented(menu) = serde_json::from_value(example("ivr.menu_presented")).unwrap() else {
        panic!()
    };
    assert_eq!(menu.data.options, ["1", "2", "3"]);
    assert_eq!(menu.data.menu_id.as_str(), "menu_main");
    let Event::RecordingCompleted(recording) = serde_json::from_value(example("recording.completed")).unwrap() else {
        panic!()
    };
    assert_eq!(recording.data.file_size, 1_024_000);
    assert_eq!(recording.data.recording_id.as_str(), "rec_abc123");
}

#[test]
fn an_unknown_event_type_is_kept_and_serializes_back_unchanged() {
    let payload = json!({
        "id": "evt_2",
        "timestamp": "2024-01-15T10:30:00Z",
        "event": "call.parked",
        "data": {"call_id": "call_xyz789", "parked_at": "2024-01-15T10:30:00Z", "slot": 7}
    });
    let event = Event::from_slice(payload.to_string().as_bytes()).unwrap();
    assert_eq!(event.event_type(), EventType::Unknown("call.parked".into()));
    assert!(!event.event_type().is_known());
    let Event::Unknown(unknown) = &event else { panic!("expected Event::Unknown") };
    assert_eq!(unknown.event, "call.parked");
    assert_eq!(unknown.data["slot"], 7);
    assert_eq!(event.to_json(), payload);
}

#[test]
fn an_unknown_enum_value_is_kept_and_serializes_back_unchanged() {
    let mut payload = example("call.initiated");
    payload["data"]["call_type"] = json!("conference");
    let event: Event = serde_json::from_value(payload.clone()).unwrap();
    let Event::CallInitiated(initiated) = &event else { panic!() };
    assert_eq!(initiated.data.call_type, CallType::Unknown("conference".into()));
    assert_eq!(initiated.data.call_type.as_str(), "conference");
    assert_eq!(event.to_json(), payload);
}

#[test]
fn integers_written_as_whole_floats_are_accepted() {
    let mut payload = example("call.completed");
    payload["data"]["duration"] = json!(305.0);
    let Event::CallCompleted(completed) = Event::from_slice(payload.to_string().as_bytes()).unwrap() else { panic!() };
    assert_eq!(completed.data.duration, 305);
}

#[test]
fn data_before_event_is_still_dispatched_by_event() {
    let text = r#"{"data": {"call_id": "call_1", "held_at": "2024-01-15T10:33:30Z"},
                   "id": "evt_1", "timestamp": "2024-01-15T10:33:30Z", "event": "call.held"}"#;
    let event: Event = text.parse().unwrap();
    assert!(matches!(event, Event::CallHeld(_)));
}

#[test]
fn a_syntax_error_has_line_and_column() {
    let error = Event::from_slice(b"{\n  \"id\": \"evt_1\",\n  \"timestamp\" \"x\"\n}").unwrap_err();
    assert!(error.is_syntax());
    assert_eq!((error.line(), error.column()), (3, 15));
    assert!(error.to_string().contains("line 3 column 15"), "{error}");
}

#[test]
fn a_type_error_names_the_path_of_the_field() {
    let text = fs::read_to_string(examples_dir().join("call.completed.json")).unwrap().replace("305", "\"305\"");
    let error = Event::from_slice(text.as_bytes()).unwrap_err();
    assert!(!error.is_syntax());
    assert_eq!(error.path(), "data.duration");
    assert!(error.to_string().starts_with("at `data.duration`: invalid type: string \"305\""), "{error}");
}

#[test]
fn a_type_error_in_data_sent_before_event_still_names_the_path() {
    let text = r#"{"data": {"call_id": "call_1", "held_at": 5}, "id": "evt_1",
                   "timestamp": "2024-01-15T10:33:30Z", "event": "call.held"}"#;
    let error = Event::from_slice(text.as_bytes()).unwrap_err();
    assert!(error.to_string().contains("at `data.held_at`: invalid type: integer `5`"), "{error}");
}

#[test]
fn a_missing_field_is_named() {
    let mut payload = example("call.completed");
    payload["data"].as_object_mut().unwrap().remove("to");
    let error = Event::from_slice(payload.to_string().as_bytes()).unwrap_err();
    assert!(error.to_string().contains("missing field `to`"), "{error}");
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let deep = "[".repeat(100_000);
    for input in [&b""[..], b"null", b"[]", b"\"call.completed\"", b"{\"id\": 1}", b"\xff\xfe", deep.as_bytes()] {
        assert!(Event::from_slice(input).is_err(), "{:?}", String::from_utf8_lossy(input));
    }
}

#[test]
fn event_type_lists_parses_and_displays_every_known_type() {
    let events_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schema/events");
    let mut schemas: Vec<String> = fs::read_dir(events_dir)
        .expect("schema/events")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .map(|path| path.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    schemas.sort();
    assert_eq!(known_event_types(), schemas, "one event type per schema of schema/events/");
    for event_type in EventType::ALL {
        let name = event_type.to_string();
        assert_eq!(name.parse::<EventType>().unwrap(), event_type);
        assert_eq!(name, event_type.as_str());
    }
    assert_eq!("call.parked".parse::<EventType>().unwrap(), EventType::Unknown("call.parked".into()));
}

#[test]
fn newtypes_check_the_schema_pattern_when_built_from_strings() {
    assert!("+14155552671".parse::<PhoneNumber>().is_ok());
    let error = "4155552671".parse::<PhoneNumber>().unwrap_err();
    assert_eq!(error.type_name(), "PhoneNumber");
    assert!(error.to_string().starts_with("\"4155552671\" is not a valid PhoneNumber"), "{error}");
    assert!(PhoneNumber::try_from("+1").is_err());
    assert!(CallId::try_from("call_".to_string()).is_err());
    assert!(CallId::try_from("call_x").is_ok());
    assert!(audian_events::EventId::is_valid("evt_1"));
    assert!(!audian_events::EventId::is_valid("evt_"));
    assert!(audian_events::MenuId::try_from("").is_err());
}

#[test]
fn timestamps_at_the_edges_of_rfc3339_serialize_back_to_valid_payloads() {
    for timestamp in ["0000-01-01T00:00:00+01:00", "9999-12-31T23:59:59-23:59", "1998-12-31T15:59:60.123-08:00"] {
        let mut payload = example("call.held");
        payload["timestamp"] = json!(timestamp);
        payload["data"]["held_at"] = json!(timestamp);
        audian_events::assert_valid(&payload);
        let event = Event::from_slice(payload.to_string().as_bytes()).unwrap();
        let written = event.to_json();
        audian_events::assert_valid(&written);
        assert_eq!(serde_json::from_value::<Event>(written).unwrap(), event, "{timestamp}");
    }
}

/// The documented examples' `Z` and any other offset: the envelope's timestamp and those in
/// `data` are written back as they were sent (a fraction of a second in 3, 6 or 9 digits).
#[test]
fn timestamps_serialize_back_with_the_offset_they_were_sent_with() {
    for timestamp in ["2024-01-15T12:30:00.500+02:00", "1998-12-31T15:59:60.123-08:00", "2024-01-15T10:30:00Z"] {
        let mut payload = example("call.held");
        payload["timestamp"] = json!(timestamp);
        payload["data"]["held_at"] = json!(timestamp);
        let text = payload.to_string();
        let parsed = [
            Event::from_slice(text.as_bytes()).unwrap(),
            serde_json::from_str::<Event>(&text).unwrap(),
            Reading::Strict.parse(text.as_bytes()).unwrap().event,
            Reading::Tolerant.parse(text.as_bytes()).unwrap().event,
        ];
        for event in parsed {
            let written = serde_json::to_string(&event).unwrap();
            assert!(written.contains(&format!(r#""timestamp":"{timestamp}""#)), "{written}");
            assert!(written.contains(&format!(r#""held_at":"{timestamp}""#)), "{written}");
            assert_eq!(serde_json::from_str::<Value>(&written).unwrap(), payload, "{timestamp}");
            assert_eq!(event.to_json(), payload, "{timestamp}");
        }
        // An event type this version does not know keeps the offset of its envelope too.
        payload["event"] = json!("call.parked");
        let unknown = Event::from_slice(payload.to_string().as_bytes()).unwrap();
        assert!(matches!(unknown, Event::Unknown(_)), "{unknown:?}");
        assert!(serde_json::to_string(&unknown).unwrap().contains(&format!(r#""timestamp":"{timestamp}""#)));
    }
}

#[test]
fn timestamps_of_one_instant_in_two_offsets_are_equal_and_order_by_instant() {
    let at = |timestamp: &str| {
        let mut payload = example("call.held");
        payload["timestamp"] = json!(timestamp);
        Event::from_slice(payload.to_string().as_bytes()).unwrap()
    };
    let (in_paris, in_utc) = (at("2024-01-15T12:30:00+02:00"), at("2024-01-15T10:30:00Z"));
    // A second earlier, though its local clock reads later.
    let in_tokyo = at("2024-01-15T19:29:59+09:00");
    assert_eq!(in_paris.timestamp(), in_utc.timestamp());
    assert_eq!(in_paris, in_utc, "events that differ only in the offsets of their times are equal");
    assert_ne!(in_paris.to_json(), in_utc.to_json());
    assert!(in_tokyo.timestamp() < in_utc.timestamp() && in_tokyo.timestamp() < in_paris.timestamp());
    let mut timestamps = [in_utc.timestamp(), in_tokyo.timestamp(), in_paris.timestamp()];
    timestamps.sort();
    let offsets = timestamps.map(|timestamp| timestamp.offset().local_minus_utc() / 3600);
    assert_eq!(offsets, [9, 0, 2], "by instant, and a stable sort keeps equal instants in their order");
}

#[test]
fn the_lenient_parse_reads_what_chrono_reads_and_keeps_its_offset() {
    let mut payload = example("call.held");
    payload["timestamp"] = json!("2024-01-15 12:30:00+0200");
    let event: Event = serde_json::from_value(payload.clone()).unwrap();
    assert_eq!(event.to_json()["timestamp"], "2024-01-15T12:30:00+02:00");
    assert_eq!(Event::from_slice(payload.to_string().as_bytes()).unwrap(), event);
    for reading in [Reading::Strict, Reading::Tolerant] {
        assert!(reading.parse(payload.to_string().as_bytes()).is_err(), "{reading:?} reads RFC 3339 only");
    }
}
