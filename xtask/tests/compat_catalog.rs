//! The catalog of schema changes of `cargo xtask compat`: each a small edit of this repository's
//! `schema/`, with the kind, the three verdicts and the version bump it must get. On every entry
//! the tool, the rules and the brute-force witness search must agree with the expectation, each
//! compatible verdict must rest on at least 1,000 payloads, and each counterexample must be
//! valid on its side and refused on the other by the reference validator, read from folders.

use std::path::Path;
use std::time::Instant;

use audian_events_reference::Schemas;
use serde_json::{Value, json};
use xtask::compat::diff::Documents;
use xtask::compat::{self, witness};

/// Compatible, breaking.
const C: bool = false;
const B: bool = true;

struct Entry {
    name: &'static str,
    /// An edit that makes the old version (the repository's schemas otherwise).
    base: fn(&mut Documents),
    /// The change itself, applied to the old version.
    change: fn(&mut Documents),
    kind: &'static str,
    /// tolerant_reader, strict_validator, old_payloads.
    verdicts: [bool; 3],
    semver: &'static str,
}

const COMPLETED: &str = "events/call.completed.json";
const DATA: &str = "/properties/data";
const COMMON: &str = "common.json";

fn at<'a>(documents: &'a mut Documents, file: &str, pointer: &str) -> &'a mut Value {
    documents
        .get_mut(file)
        .unwrap_or_else(|| panic!("no {file}"))
        .pointer_mut(pointer)
        .unwrap_or_else(|| panic!("nothing at {file}#{pointer}"))
}

fn set(documents: &mut Documents, file: &str, parent: &str, key: &str, value: Value) {
    at(documents, file, parent).as_object_mut().expect("an object").insert(key.to_owned(), value);
}

fn remove(documents: &mut Documents, file: &str, parent: &str, key: &str) {
    at(documents, file, parent).as_object_mut().expect("an object").remove(key).expect("the key is there");
}

fn push(documents: &mut Documents, file: &str, pointer: &str, value: Value) {
    at(documents, file, pointer).as_array_mut().expect("an array").push(value);
}

fn pull(documents: &mut Documents, file: &str, pointer: &str, value: &str) {
    let array = at(documents, file, pointer).as_array_mut().expect("an array");
    let before = array.len();
    array.retain(|item| item != value);
    assert_eq!(array.len(), before - 1, "{value} in {file}#{pointer}");
}

fn completed_data(documents: &mut Documents) -> &mut Value {
    at(documents, COMPLETED, DATA)
}

fn add_note(documents: &mut Documents) {
    set(documents, COMPLETED, &format!("{DATA}/properties"), "note", json!({"type": "string"}));
}

fn require_note(documents: &mut Documents) {
    push(documents, COMPLETED, &format!("{DATA}/required"), json!("note"));
}

fn open_data(documents: &mut Documents) {
    remove(documents, COMPLETED, DATA, "additionalProperties");
}

fn completion_reason(documents: &mut Documents) -> &mut Value {
    at(documents, COMPLETED, &format!("{DATA}/properties/completion_reason"))
}

fn def<'a>(documents: &'a mut Documents, name: &str) -> &'a mut Value {
    at(documents, COMMON, &format!("/$defs/{name}"))
}

fn nothing(_: &mut Documents) {}

fn catalog() -> Vec<Entry> {
    vec![
        Entry {
            name: "optional property added to a closed object",
            base: nothing,
            change: add_note,
            kind: "property_added",
            verdicts: [C, B, C],
            semver: "major",
        },
        Entry {
            name: "required property added to a closed object",
            base: nothing,
            change: |d| {
                add_note(d);
                require_note(d);
            },
            kind: "required_property_added",
            verdicts: [C, B, B],
            semver: "major",
        },
        Entry {
            name: "optional property added to an open object",
            base: open_data,
            change: add_note,
            kind: "property_added",
            verdicts: [C, C, B],
            semver: "major",
        },
        Entry {
            name: "required property added to an open object",
            base: open_data,
            change: |d| {
                add_note(d);
                require_note(d);
            },
            kind: "required_property_added",
            verdicts: [C, C, B],
            semver: "major",
        },
        Entry {
            name: "required property removed from a closed object",
            base: nothing,
            change: |d| {
                remove(d, COMPLETED, &format!("{DATA}/properties"), "completion_reason");
                pull(d, COMPLETED, &format!("{DATA}/required"), "completion_reason");
            },
            kind: "property_removed",
            verdicts: [B, B, B],
            semver: "major",
        },
        Entry {
            name: "optional property removed from a closed object",
            base: add_note,
            change: |d| remove(d, COMPLETED, &format!("{DATA}/properties"), "note"),
            kind: "property_removed",
            verdicts: [C, C, B],
            semver: "major",
        },
        Entry {
            name: "optional property removed from an open object",
            base: |d| {
                open_data(d);
                add_note(d);
            },
            change: |d| remove(d, COMPLETED, &format!("{DATA}/properties"), "note"),
            kind: "property_removed",
            verdicts: [B, B, C],
            semver: "major",
        },
        Entry {
            name: "required property removed from an open object",
            base: open_data,
            change: |d| {
                remove(d, COMPLETED, &format!("{DATA}/properties"), "completion_reason");
                pull(d, COMPLETED, &format!("{DATA}/required"), "completion_reason");
            },
            kind: "property_removed",
            verdicts: [B, B, C],
            semver: "major",
        },
        Entry {
            name: "optional property made required",
            base: |d| pull(d, COMPLETED, &format!("{DATA}/required"), "completion_reason"),
            change: |d| push(d, COMPLETED, &format!("{DATA}/required"), json!("completion_reason")),
            kind: "property_made_required",
            verdicts: [C, C, B],
            semver: "major",
        },
        Entry {
            name: "required property made optional",
            base: nothing,
            change: |d| pull(d, COMPLETED, &format!("{DATA}/required"), "completion_reason"),
            kind: "property_made_optional",
            verdicts: [B, B, C],
            semver: "major",
        },
        Entry {
            name: "event type added",
            base: nothing,
            change: |d| {
                let mut schema = d["events/call.held.json"].clone();
                schema["$id"] = json!("https://audian-events.dev/schema/events/call.parked.json");
                schema["title"] = json!("call.parked");
                schema["properties"]["event"]["const"] = json!("call.parked");
                d.insert("events/call.parked.json".to_owned(), schema);
                let mut example = d["examples/call.held.json"].clone();
                example["event"] = json!("call.parked");
                d.insert("examples/call.parked.json".to_owned(), example);
                push(d, "event.json", "/oneOf", json!({"$ref": "events/call.parked.json"}));
                push(d, COMMON, "/$defs/EventType/enum", json!("call.parked"));
            },
            kind: "event_type_added",
            verdicts: [C, B, C],
            semver: "minor",
        },
        Entry {
            name: "event type removed",
            base: nothing,
            change: |d| {
                d.remove("events/call.muted.json");
                d.remove("examples/call.muted.json");
                let union = at(d, "event.json", "/oneOf").as_array_mut().unwrap();
                union.retain(|branch| branch["$ref"] != "events/call.muted.json");
                pull(d, COMMON, "/$defs/EventType/enum", "call.muted");
            },
            kind: "event_type_removed",
            verdicts: [C, C, B],
            semver: "major",
        },
        Entry {
            name: "value added to an open enumeration (CallType)",
            base: nothing,
            change: |d| push(d, COMMON, "/$defs/CallType/enum", json!("internal")),
            kind: "enum_value_added",
            verdicts: [C, B, C],
            semver: "minor",
        },
        Entry {
            name: "value added to an open enumeration (FailureReason)",
            base: nothing,
            change: |d| push(d, COMMON, "/$defs/FailureReason/enum", json!("rejected_by_carrier")),
            kind: "enum_value_added",
            verdicts: [C, B, C],
            semver: "minor",
        },
        Entry {
            name: "value added to a closed (inline) enumeration",
            base: |d| completion_reason(d)["enum"] = json!(["normal", "hangup"]),
            change: |d| push(d, COMPLETED, &format!("{DATA}/properties/completion_reason/enum"), json!("transfer")),
            kind: "enum_value_added",
            verdicts: [B, B, C],
            semver: "minor",
        },
        Entry {
            name: "value removed from a closed (inline) enumeration",
            base: |d| completion_reason(d)["enum"] = json!(["normal", "hangup"]),
            change: |d| pull(d, COMPLETED, &format!("{DATA}/properties/completion_reason/enum"), "hangup"),
            kind: "enum_value_removed",
            verdicts: [C, C, B],
            semver: "major",
        },
        Entry {
            name: "value added to the subscriptions' EventType, which no receiver reads",
            base: nothing,
            change: |d| push(d, COMMON, "/$defs/EventType/enum", json!("call.parked")),
            kind: "enum_value_added",
            verdicts: [C, B, C],
            semver: "minor",
        },
        Entry {
            name: "value added to an enumeration that every use pins with a const (CallStatus)",
            base: nothing,
            change: |d| push(d, COMMON, "/$defs/CallStatus/enum", json!("queued")),
            kind: "enum_value_added",
            verdicts: [C, C, C],
            semver: "minor",
        },
        Entry {
            name: "value removed from an enumeration, the one a const pins",
            base: nothing,
            change: |d| pull(d, COMMON, "/$defs/CallStatus/enum", "completed"),
            kind: "enum_value_removed",
            verdicts: [C, C, B],
            semver: "major",
        },
        Entry {
            name: "event constant renamed: an unknown event type to the tolerant reading",
            base: nothing,
            change: |d| at(d, COMPLETED, "/properties/event")["const"] = json!("call.finished"),
            kind: "const_changed",
            verdicts: [C, B, B],
            semver: "major",
        },
        Entry {
            name: "value removed from an open enumeration",
            base: nothing,
            change: |d| pull(d, COMMON, "/$defs/CallType/enum", "outbound"),
            kind: "enum_value_removed",
            verdicts: [C, C, B],
            semver: "major",
        },
        Entry {
            name: "const changed",
            base: nothing,
            change: |d| completed_data(d)["properties"]["status"]["const"] = json!("answered"),
            kind: "const_changed",
            verdicts: [B, B, B],
            semver: "major",
        },
        Entry {
            name: "pattern tightened",
            base: nothing,
            change: |d| def(d, "PhoneNumber")["pattern"] = json!("^\\+[1-9][0-9]{1,13}$"),
            kind: "pattern_tightened",
            verdicts: [C, C, B],
            semver: "major",
        },
        Entry {
            name: "pattern loosened",
            base: nothing,
            change: |d| def(d, "PhoneNumber")["pattern"] = json!("^\\+[0-9]{2,15}$"),
            kind: "pattern_loosened",
            verdicts: [B, B, C],
            semver: "minor",
        },
        Entry {
            name: "pattern rewritten to another language",
            base: nothing,
            change: |d| def(d, "EventId")["pattern"] = json!("^ev_"),
            kind: "pattern_changed",
            verdicts: [B, B, B],
            semver: "major",
        },
        Entry {
            name: "pattern rewritten to the same language",
            base: nothing,
            change: |d| def(d, "EventId")["pattern"] = json!("^evt_.*"),
            kind: "pattern_rewritten",
            verdicts: [C, C, C],
            semver: "patch",
        },
        Entry {
            name: "format added",
            base: nothing,
            change: |d| completion_reason(d)["format"] = json!("uri"),
            kind: "format_added",
            verdicts: [C, C, B],
            semver: "major",
        },
        Entry {
            name: "format removed",
            base: nothing,
            change: |d| remove(d, COMMON, "/$defs/Timestamp", "format"),
            kind: "format_removed",
            verdicts: [B, B, C],
            semver: "major",
        },
        Entry {
            name: "minimum raised",
            base: nothing,
            change: |d| def(d, "DurationSeconds")["minimum"] = json!(1),
            kind: "minimum_raised",
            verdicts: [C, C, B],
            semver: "major",
        },
        Entry {
            name: "minimum lowered",
            base: |d| def(d, "DurationSeconds")["minimum"] = json!(5),
            change: |d| def(d, "DurationSeconds")["minimum"] = json!(0),
            kind: "minimum_lowered",
            verdicts: [B, B, C],
            semver: "minor",
        },
        Entry {
            name: "maximum lowered",
            base: nothing,
            change: |d| def(d, "ByteCount")["maximum"] = json!(1_000_000_000u64),
            kind: "maximum_lowered",
            verdicts: [C, C, B],
            semver: "major",
        },
        Entry {
            name: "maximum raised",
            base: |d| def(d, "DurationSeconds")["maximum"] = json!(86_400),
            change: |d| def(d, "DurationSeconds")["maximum"] = json!(100_000),
            kind: "maximum_raised",
            verdicts: [B, B, C],
            semver: "minor",
        },
        Entry {
            name: "minLength raised",
            base: nothing,
            change: |d| def(d, "CallId")["minLength"] = json!(8),
            kind: "min_length_raised",
            verdicts: [C, C, B],
            semver: "major",
        },
        Entry {
            name: "minLength lowered",
            base: nothing,
            change: |d| def(d, "CallId")["minLength"] = json!(5),
            kind: "min_length_lowered",
            verdicts: [B, B, C],
            semver: "minor",
        },
        Entry {
            name: "minLength raised on a string without pattern",
            base: nothing,
            change: |d| def(d, "MenuId")["minLength"] = json!(3),
            kind: "min_length_raised",
            verdicts: [C, C, B],
            semver: "major",
        },
        Entry {
            name: "minItems raised on the subscriptions' events",
            base: nothing,
            change: |d| at(d, "webhooks/create.json", "/properties/events")["minItems"] = json!(2),
            kind: "min_items_raised",
            verdicts: [C, C, B],
            semver: "major",
        },
        Entry {
            name: "type widened with null",
            base: nothing,
            change: |d| completion_reason(d)["type"] = json!(["string", "null"]),
            kind: "type_widened",
            verdicts: [B, B, C],
            semver: "major",
        },
        Entry {
            name: "type widened from integer to number",
            base: nothing,
            change: |d| def(d, "DurationSeconds")["type"] = json!("number"),
            kind: "type_widened",
            verdicts: [B, B, C],
            semver: "major",
        },
        Entry {
            name: "type narrowed",
            base: |d| completion_reason(d)["type"] = json!(["string", "integer"]),
            change: |d| completion_reason(d)["type"] = json!("string"),
            kind: "type_narrowed",
            verdicts: [C, C, B],
            semver: "major",
        },
        Entry {
            name: "type changed",
            base: nothing,
            change: |d| completion_reason(d)["type"] = json!("integer"),
            kind: "type_changed",
            verdicts: [B, B, B],
            semver: "major",
        },
        Entry {
            name: "additionalProperties closed",
            base: open_data,
            change: |d| completed_data(d)["additionalProperties"] = json!(false),
            kind: "additional_properties_closed",
            verdicts: [C, C, B],
            semver: "major",
        },
        Entry {
            name: "additionalProperties opened",
            base: nothing,
            change: open_data,
            kind: "additional_properties_opened",
            verdicts: [C, B, C],
            semver: "minor",
        },
        Entry {
            name: "additionalProperties opened on the envelope",
            base: nothing,
            change: |d| remove(d, COMPLETED, "", "additionalProperties"),
            kind: "additional_properties_opened",
            verdicts: [C, B, C],
            semver: "minor",
        },
        Entry {
            name: "$ref retargeted to an unrelated definition",
            base: nothing,
            change: |d| completed_data(d)["properties"]["from"]["$ref"] = json!("../common.json#/$defs/CallId"),
            kind: "ref_retargeted",
            verdicts: [B, B, B],
            semver: "major",
        },
        Entry {
            name: "$ref retargeted to a looser definition",
            base: nothing,
            change: |d| completed_data(d)["properties"]["call_id"]["$ref"] = json!("../common.json#/$defs/MenuId"),
            kind: "ref_retargeted",
            verdicts: [B, B, C],
            semver: "major",
        },
        Entry {
            name: "$ref retargeted to an equivalent definition",
            base: |d| {
                let mut copy = def(d, "PhoneNumber").clone();
                copy["title"] = json!("Phone number, again");
                set(d, COMMON, "/$defs", "OtherPhoneNumber", copy);
            },
            change: |d| {
                completed_data(d)["properties"]["from"]["$ref"] = json!("../common.json#/$defs/OtherPhoneNumber")
            },
            kind: "ref_retargeted",
            verdicts: [C, C, C],
            semver: "major",
        },
        Entry {
            name: "optional property added to a subscription body",
            base: nothing,
            change: |d| set(d, "webhooks/create.json", "/properties", "label", json!({"type": "string"})),
            kind: "property_added",
            verdicts: [C, B, C],
            semver: "major",
        },
        Entry {
            name: "description edited",
            base: nothing,
            change: |d| at(d, "events/call.held.json", "")["description"] = json!("Fired when a call is put on hold."),
            kind: "annotation_changed",
            verdicts: [C, C, C],
            semver: "patch",
        },
        Entry {
            name: "title of a definition edited",
            base: nothing,
            change: |d| def(d, "PhoneNumber")["title"] = json!("Phone number (E.164)"),
            kind: "annotation_changed",
            verdicts: [C, C, C],
            semver: "patch",
        },
        Entry {
            name: "the union's branches reordered",
            base: nothing,
            change: |d| at(d, "event.json", "/oneOf").as_array_mut().unwrap().swap(0, 1),
            kind: "annotation_changed",
            verdicts: [C, C, C],
            semver: "patch",
        },
        Entry {
            name: "documented example edited",
            base: nothing,
            change: |d| at(d, "examples/call.held.json", "/data")["call_id"] = json!("call_other"),
            kind: "example_changed",
            verdicts: [C, C, C],
            semver: "patch",
        },
    ]
}

fn repository() -> Documents {
    compat::read_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema")).expect("the repository's schemas")
}

fn write(documents: &Documents, dir: &Path) {
    for (path, document) in documents {
        let file = dir.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, serde_json::to_string_pretty(document).unwrap()).unwrap();
    }
}

/// The tolerant reading of `documents`, derived as `cargo xtask generate` does.
fn tolerant(documents: &Documents) -> Documents {
    let listed = documents.iter().map(|(path, value)| (path.clone(), value.clone())).collect();
    let set = codegen::SchemaSet::from_documents(Path::new("schema"), listed).unwrap();
    let model = codegen::model::Model::parse(&set).unwrap();
    let catalog = codegen::EventCatalog::of(&model).unwrap();
    codegen::tolerant::derive(&set, &model, &catalog).unwrap().documents.into_iter().collect()
}

#[test]
fn the_catalog_of_changes_gets_its_expected_verdicts_rules_evidence_and_semver() {
    let catalog = catalog();
    assert!(catalog.len() >= 40, "{} entries", catalog.len());
    let started = Instant::now();
    let mut failures = Vec::new();
    let (mut api_compared, mut api_refused) = (0, Vec::new());
    for (index, entry) in catalog.iter().enumerate() {
        let mut old = repository();
        (entry.base)(&mut old);
        let mut new = old.clone();
        (entry.change)(&mut new);
        let report = compat::compare(entry.name, &old, &new, witness::PAYLOADS, index as u64)
            .unwrap_or_else(|error| panic!("{}: {error}", entry.name));
        let [tolerant_reader, strict_validator, old_payloads] = entry.verdicts;
        let expected = compat::rules::Verdicts { tolerant_reader, strict_validator, old_payloads };
        if report.changes.len() != 1 {
            failures.push(format!(
                "{}: {} changes, one expected\n{}",
                entry.name,
                report.changes.len(),
                report.table()
            ));
            continue;
        }
        let judged = &report.changes[0];
        let mut wrong = Vec::new();
        if judged.change.kind.name() != entry.kind {
            wrong.push(format!("kind {}, {} expected", judged.change.kind.name(), entry.kind));
        }
        if judged.evidence.verdicts != expected {
            wrong.push(format!("evidence {:?}, {expected:?} expected", judged.evidence.verdicts));
        }
        if judged.rule != Some(expected) {
            wrong.push(format!("rule {:?}, {expected:?} expected", judged.rule));
        }
        if report.semver.name() != entry.semver {
            wrong.push(format!("semver {}, {} expected", report.semver, entry.semver));
        }
        if !old_payloads && judged.evidence.old_checked < witness::PAYLOADS {
            wrong.push(format!("old_payloads compatible on {} payloads", judged.evidence.old_checked));
        }
        if !(strict_validator && tolerant_reader) && judged.evidence.new_checked < witness::PAYLOADS {
            wrong.push(format!("new payloads compatible on {} payloads", judged.evidence.new_checked));
        }
        let breaking = [tolerant_reader, strict_validator, old_payloads].iter().filter(|b| **b).count();
        if judged.evidence.counterexamples.len() != breaking {
            wrong.push(format!(
                "{} counterexamples for {breaking} breaking verdicts",
                judged.evidence.counterexamples.len()
            ));
        }
        if judged.api_disagrees() {
            wrong.push(format!("the generated API ({:?}) and the rule of the kind disagree", judged.api));
        }
        if judged.api.is_some() {
            api_compared += 1;
        } else {
            api_refused.push(entry.name);
        }
        if !judged.evidence.counterexamples.is_empty() {
            check_counterexamples(entry.name, &old, &new, judged, &mut wrong);
        }
        if !wrong.is_empty() {
            failures.push(format!("{}: {}\n{}", entry.name, wrong.join("; "), report.table()));
        }
    }
    eprintln!(
        "{} catalog entries judged in {:.1?}; the generated Rust API compared on {api_compared}, the generator refuses a version of: {api_refused:?}",
        catalog.len(),
        started.elapsed()
    );
    assert!(failures.is_empty(), "{} of {} entries wrong:\n\n{}", failures.len(), catalog.len(), failures.join("\n\n"));
}

/// Each counterexample, judged by the reference validator on schema folders written to disk:
/// valid on its side, refused on the other.
fn check_counterexamples(
    name: &str,
    old: &Documents,
    new: &Documents,
    judged: &compat::report::Judged,
    wrong: &mut Vec<String>,
) {
    let dir = tempfile::tempdir().unwrap();
    let (old_dir, new_dir, tolerant_dir) =
        (dir.path().join("old"), dir.path().join("new"), dir.path().join("tolerant"));
    write(old, &old_dir);
    write(new, &new_dir);
    write(&tolerant(old), &tolerant_dir);
    let read = |dir: &Path| Schemas::read(dir).unwrap_or_else(|error| panic!("{name}: {error}"));
    let (old_schemas, new_schemas, tolerant_schemas) = (read(&old_dir), read(&new_dir), read(&tolerant_dir));
    for example in &judged.evidence.counterexamples {
        let (_, file) = example.refused_by.split_once('/').expect("side/file");
        let (valid_side, refusing_side) = match (example.valid_under, example.audience) {
            ("old", _) => (&old_schemas, &new_schemas),
            (_, "tolerant_reader") => (&new_schemas, &tolerant_schemas),
            _ => (&new_schemas, &old_schemas),
        };
        let valid = valid_side.validator(file).unwrap().is_valid(&example.payload);
        let refused = !refusing_side.validator(file).unwrap().is_valid(&example.payload);
        if !valid || !refused || example.error.is_empty() {
            wrong.push(format!(
                "the {} counterexample is {} under the {} schemas and {} by {} ({}): {}",
                example.audience,
                if valid { "valid" } else { "INVALID" },
                example.valid_under,
                if refused { "refused" } else { "ACCEPTED" },
                example.refused_by,
                example.error,
                example.payload
            ));
        }
    }
}

fn add_carrier(documents: &mut Documents) {
    set(documents, COMMON, "/$defs", "Carrier", json!({"type": "string", "minLength": 1}));
    set(
        documents,
        COMPLETED,
        &format!("{DATA}/properties"),
        "carrier",
        json!({"$ref": "../common.json#/$defs/Carrier"}),
    );
}

/// `(kind, [tolerant_reader, strict_validator, old_payloads])` of each change reported.
fn judged(old: &Documents, new: &Documents) -> Vec<(String, [bool; 3], bool)> {
    let report = compat::compare("pair", old, new, witness::PAYLOADS, 7).unwrap_or_else(|error| panic!("{error}"));
    report
        .changes
        .iter()
        .map(|judged| {
            let verdicts = judged.evidence.verdicts;
            (
                judged.change.kind.name().to_owned(),
                [verdicts.tolerant_reader, verdicts.strict_validator, verdicts.old_payloads],
                judged.disagrees(),
            )
        })
        .collect()
}

#[test]
fn a_property_and_the_definition_it_refers_to_are_each_judged_alone() {
    let old = repository();
    let mut new = old.clone();
    add_carrier(&mut new);
    assert_eq!(
        judged(&old, &new),
        vec![("definition_added".to_owned(), [C, C, C], false), ("property_added".to_owned(), [C, B, C], false),]
    );
}

#[test]
fn a_definition_removed_with_its_last_reference_is_judged_as_the_last_change() {
    let mut old = repository();
    add_carrier(&mut old);
    let new = repository();
    assert_eq!(
        judged(&old, &new),
        vec![("definition_removed".to_owned(), [C, C, C], false), ("property_removed".to_owned(), [C, C, B], false),]
    );
}

#[test]
fn an_old_version_whose_event_type_list_disagrees_with_its_union_is_still_read_tolerantly() {
    let mut old = repository();
    push(&mut old, COMMON, "/$defs/EventType/enum", json!("call.parked"));
    let mut new = old.clone();
    push(&mut new, COMMON, "/$defs/CallType/enum", json!("internal"));
    assert_eq!(judged(&old, &new), vec![("enum_value_added".to_owned(), [C, B, C], false)]);
}
