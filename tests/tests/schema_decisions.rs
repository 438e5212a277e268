//! The canonical JSON Schemas in `schema/` encode the documented decisions.
//!
//! Every test is a table of cases. A case is a description, a payload (almost
//! always one of the documented examples in `schema/examples/` with a single
//! mutation applied) and the verdict the schemas must give. The validator is
//! the `jsonschema` crate with format assertion switched on, so `date-time`
//! and `uri` are enforced, not merely annotated.
//!
//! Event payloads are checked against `event.json`, the union of all events,
//! and also against the schema of the event they name, when there is one.
//! Subscription bodies are checked against `webhooks/create.json` or
//! `webhooks/update.json`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use audian_events_reference::Validator;
use serde_json::{Value, json};

use Verdict::{Invalid, Valid};

const SCHEMA_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../schema");
const ID_BASE: &str = "https://audian-events.dev/schema/";

// ---------------------------------------------------------------------------
// Cases and verdicts
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verdict {
    Valid,
    Invalid,
}

struct Case {
    description: String,
    payload: Value,
    verdict: Verdict,
}

fn case(description: impl Into<String>, payload: Value, verdict: Verdict) -> Case {
    Case { description: description.into(), payload, verdict }
}

/// A variant of a field value: what it is, the value, and its verdict.
type Variant = (&'static str, Value, Verdict);

/// A JSON value from its text, for numbers `json!` cannot spell (`305.0`,
/// `18446744073709551616`).
fn raw(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|error| panic!("{text:?} is not JSON: {error}"))
}

// ---------------------------------------------------------------------------
// Schemas and examples
// ---------------------------------------------------------------------------

struct Schemas {
    /// Validators keyed by the schema's path under `schema/`, e.g. `event.json`.
    validators: BTreeMap<String, Validator>,
    /// Schema documents keyed the same way.
    documents: BTreeMap<String, Value>,
    /// Documented examples keyed by path under `schema/examples/`.
    examples: BTreeMap<String, Value>,
}

fn schemas() -> &'static Schemas {
    static SCHEMAS: OnceLock<Schemas> = OnceLock::new();
    SCHEMAS.get_or_init(load)
}

fn load() -> Schemas {
    let root = Path::new(SCHEMA_DIR);
    let schemas = audian_events_reference::Schemas::read(root).unwrap_or_else(|error| panic!("{error}"));
    let mut documents = BTreeMap::new();
    for file in schemas.files() {
        assert_eq!(file.id, format!("{ID_BASE}{}", file.path), "$id of schema/{}", file.path);
        documents.insert(file.path.clone(), file.document.clone());
    }
    let validators = schemas.validators().unwrap_or_else(|error| panic!("{error}"));

    let examples_dir = root.join("examples");
    let mut files = Vec::new();
    json_files(&examples_dir, &mut files);
    let mut examples = BTreeMap::new();
    for path in files {
        let example = audian_events_reference::read_json(&path).unwrap_or_else(|error| panic!("{error}"));
        examples.insert(relative(&path, &examples_dir), example);
    }
    Schemas { validators, documents, examples }
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = fs::read_dir(dir).unwrap_or_else(|error| panic!("cannot list {}: {error}", dir.display()));
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            json_files(&path, out);
        } else if path.extension().is_some_and(|extension| extension == "json") {
            out.push(path);
        }
    }
}

fn relative(path: &Path, base: &Path) -> String {
    let relative = path.strip_prefix(base).expect("a path under its base");
    relative.components().map(|component| component.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

/// The documented event examples, by event name.
fn events() -> Vec<(&'static str, &'static Value)> {
    let events: Vec<_> = schemas()
        .examples
        .iter()
        .filter(|(path, _)| !path.contains('/'))
        .map(|(path, example)| {
            let name = path.strip_suffix(".json").expect("a .json file");
            (name, example)
        })
        .collect();
    let documented: Vec<&str> = events.iter().map(|(name, _)| *name).collect();
    let schemas: Vec<&str> = event_schemas().map(|(name, _)| name).collect();
    assert!(!schemas.is_empty(), "no schema in schema/events/");
    assert_eq!(documented, schemas, "one documented example examples/<event>.json per schema events/<event>.json");
    events
}

/// The event schemas, `events/<event>.json`, by event name.
fn event_schemas() -> impl Iterator<Item = (&'static str, &'static Value)> {
    schemas().documents.iter().filter_map(|(path, document)| {
        let name = path.strip_prefix("events/")?.strip_suffix(".json")?;
        (!name.contains('/')).then_some((name, document))
    })
}

/// How many fields the event schemas declare, in the envelope and in `data`, for which
/// `select(field name, field schema)` holds: counted in the schemas, to check that the fields
/// the examples show (which the tables mutate) are all of them.
fn schema_fields_where(select: impl Fn(&str, &Value) -> bool) -> usize {
    event_schemas()
        .flat_map(|(event, schema)| {
            let envelope = schema["properties"].as_object().unwrap_or_else(|| panic!("events/{event}.json properties"));
            let data = schema["properties"]["data"]["properties"]
                .as_object()
                .unwrap_or_else(|| panic!("events/{event}.json data properties"));
            envelope.iter().chain(data)
        })
        .filter(|(name, schema)| select(name, schema))
        .count()
}

/// Whether a field's schema is the definition `name` of `common.json`.
fn is_a(schema: &Value, name: &str) -> bool {
    schema["$ref"].as_str().is_some_and(|target| target.ends_with(&format!("common.json#/$defs/{name}")))
}

fn example(event: &str) -> &'static Value {
    schemas().examples.get(&format!("{event}.json")).unwrap_or_else(|| panic!("no example for {event}"))
}

fn webhook_example(name: &str) -> &'static Value {
    schemas().examples.get(&format!("webhooks/{name}.json")).unwrap_or_else(|| panic!("no webhook example {name}"))
}

fn event_names() -> Vec<&'static str> {
    events().into_iter().map(|(name, _)| name).collect()
}

// ---------------------------------------------------------------------------
// Mutations
// ---------------------------------------------------------------------------

/// `base` with the field at JSON pointer `pointer` set to `value`.
fn with(base: &Value, pointer: &str, value: Value) -> Value {
    let mut payload = base.clone();
    let (parent, key) = pointer.rsplit_once('/').expect("a JSON pointer");
    payload
        .pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .unwrap_or_else(|| panic!("no object at {parent:?} in {base}"))
        .insert(key.to_owned(), value);
    payload
}

/// `base` without the field at JSON pointer `pointer`.
fn without(base: &Value, pointer: &str) -> Value {
    let mut payload = base.clone();
    let (parent, key) = pointer.rsplit_once('/').expect("a JSON pointer");
    payload
        .pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .and_then(|object| object.remove(key))
        .unwrap_or_else(|| panic!("no field at {pointer:?} in {base}"));
    payload
}

/// JSON pointers to every field of an event: the envelope's, then `data`'s.
fn fields(event: &Value) -> Vec<String> {
    let envelope = event.as_object().expect("an event object");
    let data = event["data"].as_object().expect("a data object");
    envelope.keys().map(|key| format!("/{key}")).chain(data.keys().map(|key| format!("/data/{key}"))).collect()
}

/// A field of a documented example: event name, example, JSON pointer.
type Target = (&'static str, &'static Value, String);

/// Every field of every example for which `select(event, field name)` holds.
fn fields_where(select: impl Fn(&str, &str) -> bool) -> Vec<Target> {
    let mut targets = Vec::new();
    for (event, example) in events() {
        for pointer in fields(example) {
            let name = pointer.rsplit('/').next().expect("a field name");
            if select(event, name) {
                targets.push((event, example, pointer));
            }
        }
    }
    targets
}

/// Every field of every example whose schema satisfies `select`, whatever its name.
fn fields_of_type(select: impl Fn(&Value) -> bool) -> Vec<Target> {
    let mut targets = Vec::new();
    for (event, example) in events() {
        let schema = &schemas().documents[&format!("events/{event}.json")];
        for pointer in fields(example) {
            let field = match pointer.strip_prefix("/data/") {
                Some(name) => &schema["properties"]["data"]["properties"][name],
                None => &schema["properties"][&pointer[1..]],
            };
            if select(field) {
                targets.push((event, example, pointer));
            }
        }
    }
    targets
}

/// One case per target field and variant: the example with that field set
/// to the variant's value.
fn variant_cases(targets: &[Target], variants: &[Variant]) -> Vec<Case> {
    let mut cases = Vec::new();
    for (event, example, pointer) in targets {
        for (what, value, verdict) in variants {
            cases.push(case(format!("{event}: {pointer} = {what}"), with(example, pointer, value.clone()), *verdict));
        }
    }
    cases
}

// ---------------------------------------------------------------------------
// Checking
// ---------------------------------------------------------------------------

/// Runs every case against the schemas `schemas_for` names for its payload
/// and panics, listing every case that got the wrong verdict.
fn verify(cases: &[Case], schemas_for: impl Fn(&Value) -> Vec<String>) {
    assert!(!cases.is_empty(), "a table without cases");
    let mut failures = Vec::new();
    for case in cases {
        for schema in schemas_for(&case.payload) {
            let validator = &schemas().validators[&schema];
            let verdict = if validator.is_valid(&case.payload) { Valid } else { Invalid };
            if verdict != case.verdict {
                let errors: Vec<String> = validator
                    .iter_errors(&case.payload)
                    .map(|error| format!("{} at {}", error, error.instance_path()))
                    .collect();
                failures.push(format!(
                    "{}\n  schema:   schema/{schema}\n  expected: {:?}, got {verdict:?}\n  \
                     payload:  {}\n  errors:   {errors:?}",
                    case.description, case.verdict, case.payload,
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases got the wrong verdict:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n"),
    );
}

/// Checks event payloads against `event.json` and against the schema of the
/// event named in their `event` field, if that is a known event.
fn check_events(cases: &[Case]) {
    verify(cases, |payload| {
        let mut names = vec!["event.json".to_owned()];
        let own = payload
            .get("event")
            .and_then(Value::as_str)
            .map(|event| format!("events/{event}.json"))
            .filter(|path| schemas().validators.contains_key(path));
        names.extend(own);
        names
    });
}

/// Checks subscription bodies against `webhooks/{schema}.json`.
fn check_subscriptions(schema: &str, cases: &[Case]) {
    verify(cases, |_| vec![format!("webhooks/{schema}.json")]);
}

// ---------------------------------------------------------------------------
// Examples
// ---------------------------------------------------------------------------

#[test]
fn the_examples_cover_exactly_the_documented_event_types() {
    let documented: BTreeSet<&str> = event_names().into_iter().collect();
    let schemas = schemas();

    let enumerated: BTreeSet<&str> = schemas.documents["common.json"]["$defs"]["EventType"]["enum"]
        .as_array()
        .expect("EventType is an enum")
        .iter()
        .map(|name| name.as_str().expect("event names are strings"))
        .collect();
    assert_eq!(enumerated, documented, "common.json EventType");

    let refs: Vec<&str> = schemas.documents["event.json"]["oneOf"]
        .as_array()
        .expect("event.json is a oneOf")
        .iter()
        .map(|branch| branch["$ref"].as_str().expect("each branch is a $ref"))
        .collect();
    let referenced: BTreeSet<&str> = refs
        .iter()
        .map(|r| r.strip_prefix("events/").and_then(|r| r.strip_suffix(".json")).expect("a ref to events/*.json"))
        .collect();
    assert_eq!(refs.len(), documented.len(), "event.json branches, each event once");
    assert_eq!(referenced, documented, "event.json branches");

    for (event, example) in events() {
        assert_eq!(example["event"], json!(event), "examples/{event}.json");
    }
}

#[test]
fn every_documented_example_is_valid_against_event_json_and_its_own_schema() {
    let cases: Vec<Case> = events()
        .into_iter()
        .map(|(event, example)| case(format!("the {event} example"), example.clone(), Valid))
        .collect();
    check_events(&cases);

    let create = ["create.all-events", "create.specific-events"]
        .map(|name| case(format!("the {name} example"), webhook_example(name).clone(), Valid));
    check_subscriptions("create", &create);
    check_subscriptions("update", &[case("the update example", webhook_example("update").clone(), Valid)]);
}

// ---------------------------------------------------------------------------
// Closed objects and required fields
// ---------------------------------------------------------------------------

#[test]
fn objects_are_closed_an_extra_property_on_the_envelope_is_invalid() {
    let extras: [(&str, Value); 6] = [
        ("extra", json!("x")),
        ("Id", json!("evt_1234567890abcdef")),
        ("type", json!("call")),
        ("version", json!(2)),
        ("webhook_id", json!("wh_1234567890abcdef")),
        ("call_id", json!("call_xyz789")),
    ];
    let mut cases = Vec::new();
    for (event, example) in events() {
        for (key, value) in &extras {
            cases.push(case(
                format!("{event}: an extra envelope property {key:?}"),
                with(example, &format!("/{key}"), value.clone()),
                Invalid,
            ));
        }
    }
    check_events(&cases);
}

#[test]
fn objects_are_closed_an_extra_property_inside_data_is_invalid() {
    let extras: [(&str, Value); 4] = [
        ("extra", json!("x")),
        ("CALL_ID", json!("call_xyz789")),
        ("metadata", json!({})),
        ("event", json!("call.initiated")),
    ];
    let mut cases = Vec::new();
    for (event, example) in events() {
        for (key, value) in &extras {
            cases.push(case(
                format!("{event}: an extra data property {key:?}"),
                with(example, &format!("/data/{key}"), value.clone()),
                Invalid,
            ));
        }
    }
    check_events(&cases);
}

#[test]
fn objects_are_closed_a_field_of_another_event_is_invalid_in_data() {
    // Every data field any example shows, with the value it shows.
    let mut borrowed: BTreeMap<&str, &Value> = BTreeMap::new();
    for (_, example) in events() {
        for (key, value) in example["data"].as_object().expect("a data object") {
            borrowed.entry(key).or_insert(value);
        }
    }
    let mut cases = Vec::new();
    for (event, example) in events() {
        let own = example["data"].as_object().expect("a data object");
        for (key, value) in &borrowed {
            if !own.contains_key(*key) {
                cases.push(case(
                    format!("{event}: data with another event's field {key:?}"),
                    with(example, &format!("/data/{key}"), (*value).clone()),
                    Invalid,
                ));
            }
        }
    }
    check_events(&cases);
}

#[test]
fn every_field_shown_in_an_example_is_required() {
    let mut cases = Vec::new();
    for (event, example) in events() {
        for pointer in fields(example) {
            cases.push(case(format!("{event} without {pointer}"), without(example, &pointer), Invalid));
        }
    }
    assert_eq!(cases.len(), schema_fields_where(|_, _| true), "envelope and data fields of the event schemas");
    check_events(&cases);
}

#[test]
fn no_field_is_nullable() {
    let mut cases = Vec::new();
    for (event, example) in events() {
        for pointer in fields(example) {
            cases.push(case(format!("{event} with {pointer} = null"), with(example, &pointer, Value::Null), Invalid));
        }
    }
    check_events(&cases);
}

#[test]
fn data_is_an_object_with_the_event_fields() {
    let variants: [Variant; 5] = [
        ("an empty object", json!({}), Invalid),
        ("an empty array", json!([]), Invalid),
        ("a string", json!("call_xyz789"), Invalid),
        ("a number", json!(1), Invalid),
        ("true", json!(true), Invalid),
    ];
    let mut cases = variant_cases(&fields_where(|_, name| name == "data"), &variants);
    for (event, example) in events() {
        cases.push(case(
            format!("{event}: /data wrapped in an array"),
            with(example, "/data", json!([example["data"]])),
            Invalid,
        ));
        cases.push(case(format!("{event}: /data fields spread onto the envelope"), flattened(example), Invalid));
    }
    check_events(&cases);
}

/// The event with its `data` fields moved onto the envelope.
fn flattened(event: &Value) -> Value {
    let mut payload = without(event, "/data");
    for (key, value) in event["data"].as_object().expect("a data object") {
        payload = with(&payload, &format!("/{key}"), value.clone());
    }
    payload
}

// ---------------------------------------------------------------------------
// Timestamps
// ---------------------------------------------------------------------------

#[test]
fn timestamp_and_every_at_field_is_an_rfc3339_date_time() {
    let variants: Vec<Variant> = vec![
        ("the documented form, UTC with Z", json!("2024-01-15T10:30:00Z"), Valid),
        ("with milliseconds", json!("2024-01-15T10:30:00.123Z"), Valid),
        ("with one fractional digit", json!("2024-01-15T10:30:00.1Z"), Valid),
        ("with nanoseconds", json!("2024-01-15T10:30:00.123456789Z"), Valid),
        ("with a +02:00 offset", json!("2024-01-15T10:30:00+02:00"), Valid),
        ("with a -05:30 offset", json!("2024-01-15T10:30:00-05:30"), Valid),
        ("with a +00:00 offset", json!("2024-01-15T10:30:00+00:00"), Valid),
        ("with a -00:00 offset", json!("2024-01-15T10:30:00-00:00"), Valid),
        ("with lowercase t and z", json!("2024-01-15t10:30:00z"), Valid),
        ("with a lowercase t", json!("2024-01-15t10:30:00Z"), Valid),
        ("on a leap day", json!("2024-02-29T00:00:00Z"), Valid),
        ("at the last second of a day", json!("2024-12-31T23:59:59Z"), Valid),
        ("on a leap second", json!("2016-12-31T23:59:60Z"), Valid),
        ("a date only", json!("2024-01-15"), Invalid),
        ("a time only", json!("10:30:00Z"), Invalid),
        ("with a space for T", json!("2024-01-15 10:30:00Z"), Invalid),
        ("in month 13", json!("2024-13-01T00:00:00Z"), Invalid),
        ("in month 0", json!("2024-00-10T00:00:00Z"), Invalid),
        ("on February 30", json!("2024-02-30T00:00:00Z"), Invalid),
        ("on February 29 of a common year", json!("2023-02-29T00:00:00Z"), Invalid),
        ("on day 0", json!("2024-01-00T00:00:00Z"), Invalid),
        ("at hour 24", json!("2024-01-15T24:00:00Z"), Invalid),
        ("at minute 60", json!("2024-01-15T10:60:00Z"), Invalid),
        ("past a leap second", json!("2016-12-31T23:59:61Z"), Invalid),
        ("without an offset", json!("2024-01-15T10:30:00"), Invalid),
        ("without seconds", json!("2024-01-15T10:30Z"), Invalid),
        ("with an offset without colon", json!("2024-01-15T10:30:00+0200"), Invalid),
        ("with an hours-only offset", json!("2024-01-15T10:30:00+02"), Invalid),
        ("with an empty fraction", json!("2024-01-15T10:30:00.Z"), Invalid),
        ("with a one-digit month", json!("2024-1-15T10:30:00Z"), Invalid),
        ("with a trailing space", json!("2024-01-15T10:30:00Z "), Invalid),
        ("with a trailing newline", json!("2024-01-15T10:30:00Z\n"), Invalid),
        ("with full-width digits", json!("２０２４-01-15T10:30:00Z"), Invalid),
        ("as a Unix time string", json!("1705314600"), Invalid),
        ("an empty string", json!(""), Invalid),
        ("a number (Unix time)", json!(1_705_314_600), Invalid),
    ];
    let targets = fields_where(|_, name| name == "timestamp" || name.ends_with("_at"));
    assert_eq!(targets.len(), schema_fields_where(|_, schema| is_a(schema, "Timestamp")), "timestamp and *_at fields");
    check_events(&variant_cases(&targets, &variants));
}

// ---------------------------------------------------------------------------
// Identifiers
// ---------------------------------------------------------------------------

/// Values for an identifier made of `prefix` (such as `evt_`) and a suffix.
fn id_variants(prefix: &'static str, documented: &'static str) -> Vec<Variant> {
    let bare = prefix.trim_end_matches('_');
    let others = ["evt_1234567890abcdef", "call_xyz789", "rec_abc123"]
        .into_iter()
        .filter(move |other| !other.starts_with(prefix));
    let mut variants: Vec<Variant> = vec![
        ("the documented id", json!(documented), Valid),
        ("the prefix and one character", json!(format!("{prefix}x")), Valid),
        ("the prefix and one digit", json!(format!("{prefix}0")), Valid),
        ("the prefix and an underscore", json!(format!("{prefix}_")), Valid),
        ("the prefix and a UUID", json!(format!("{prefix}6f1c2a9e-1b7d-4e0a-9c55-0d6b7f3e2a10")), Valid),
        ("the prefix alone", json!(prefix), Invalid),
        ("the uppercase prefix", json!(format!("{}x", prefix.to_uppercase())), Invalid),
        ("the prefix after another character", json!(format!("x{prefix}1")), Invalid),
        ("the prefix after a space", json!(format!(" {prefix}1")), Invalid),
        ("the prefix after a newline", json!(format!("\n{prefix}1")), Invalid),
        ("the prefix without its underscore", json!(format!("{bare}1")), Invalid),
        ("the prefix with a hyphen for underscore", json!(format!("{bare}-1")), Invalid),
        ("the prefix without underscore or suffix", json!(bare), Invalid),
        ("an empty string", json!(""), Invalid),
        ("a number", json!(1), Invalid),
    ];
    variants.extend(others.map(|other| ("an id of another kind", json!(other), Invalid)));
    variants
}

#[test]
fn event_ids_are_evt_and_at_least_one_more_character() {
    let targets = fields_where(|_, name| name == "id");
    assert_eq!(targets.len(), schema_fields_where(|_, schema| is_a(schema, "EventId")));
    let variants = id_variants("evt_", "evt_1234567890abcdef");
    check_events(&variant_cases(&targets, &variants));
}

#[test]
fn call_ids_are_call_and_at_least_one_more_character() {
    let targets = fields_where(|_, name| name == "call_id");
    assert_eq!(targets.len(), schema_fields_where(|_, schema| is_a(schema, "CallId")));
    let variants = id_variants("call_", "call_xyz789");
    check_events(&variant_cases(&targets, &variants));
}

#[test]
fn recording_ids_are_rec_and_at_least_one_more_character() {
    let targets = fields_where(|_, name| name == "recording_id");
    assert_eq!(targets.len(), schema_fields_where(|_, schema| is_a(schema, "RecordingId")));
    let variants = id_variants("rec_", "rec_abc123");
    check_events(&variant_cases(&targets, &variants));
}

#[test]
fn menu_id_is_a_non_empty_string() {
    let variants: [Variant; 8] = [
        ("the documented id", json!("menu_main"), Valid),
        ("one character", json!("x"), Valid),
        ("a digit string", json!("1"), Valid),
        ("without a menu_ prefix", json!("main"), Valid),
        ("a single space", json!(" "), Valid),
        ("an empty string", json!(""), Invalid),
        ("a number", json!(1), Invalid),
        ("an array", json!(["menu_main"]), Invalid),
    ];
    let targets = fields_where(|_, name| name == "menu_id");
    assert_eq!(targets.len(), schema_fields_where(|_, schema| is_a(schema, "MenuId")));
    check_events(&variant_cases(&targets, &variants));
}

// ---------------------------------------------------------------------------
// Phone numbers
// ---------------------------------------------------------------------------

#[test]
fn phone_numbers_are_e164() {
    let variants: [Variant; 24] = [
        ("the documented number", json!("+14155552671"), Valid),
        ("+ and 2 digits, the shortest", json!("+12"), Valid),
        ("+ and 15 digits, the longest", json!("+123456789012345"), Valid),
        ("a UK number", json!("+442071838750"), Valid),
        ("starting with 9", json!("+919876543210"), Valid),
        ("+ and 1 digit", json!("+1"), Invalid),
        ("+ and 16 digits", json!("+1234567890123456"), Invalid),
        ("starting with 0", json!("+0123"), Invalid),
        ("without +", json!("14155552671"), Invalid),
        ("with spaces", json!("+1 415 555 2671"), Invalid),
        ("with hyphens", json!("+1-415-555-2671"), Invalid),
        ("in national format", json!("(415) 555-2671"), Invalid),
        ("with a letter", json!("+1415555267a"), Invalid),
        ("with a trailing newline", json!("+14155552671\n"), Invalid),
        ("with a leading newline", json!("\n+14155552671"), Invalid),
        ("with a trailing space", json!("+14155552671 "), Invalid),
        ("with Arabic-Indic digits", json!("+١٤١٥٥٥٥٢٦٧١"), Invalid),
        ("with full-width digits", json!("+１４１５５５５２６７１"), Invalid),
        ("with a full-width plus", json!("＋14155552671"), Invalid),
        ("with a doubled plus", json!("++14155552671"), Invalid),
        ("with an extension", json!("+14155552671;ext=1"), Invalid),
        ("+ alone", json!("+"), Invalid),
        ("an empty string", json!(""), Invalid),
        ("a number", json!(14_155_552_671_u64), Invalid),
    ];
    let phone = |schema: &Value| is_a(schema, "PhoneNumber");
    let targets = fields_of_type(phone);
    assert_eq!(targets.len(), schema_fields_where(|_, schema| phone(schema)), "every phone number field, shown");
    check_events(&variant_cases(&targets, &variants));
}

// ---------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------

#[test]
fn durations_and_sizes_are_unsigned_64_bit_integers() {
    let variants: [Variant; 16] = [
        ("0", raw("0"), Valid),
        ("305", raw("305"), Valid),
        ("305.0, an integer in JSON Schema", raw("305.0"), Valid),
        ("1e3, an integer in JSON Schema", raw("1e3"), Valid),
        ("u64::MAX", raw("18446744073709551615"), Valid),
        ("u64::MAX + 1", raw("18446744073709551616"), Invalid),
        ("1e20", raw("1e20"), Invalid),
        ("-1", raw("-1"), Invalid),
        ("i64::MIN", raw("-9223372036854775808"), Invalid),
        ("1.5", raw("1.5"), Invalid),
        ("0.5", raw("0.5"), Invalid),
        ("-0.5", raw("-0.5"), Invalid),
        ("the string \"305\"", json!("305"), Invalid),
        ("the string \"PT5M5S\"", json!("PT5M5S"), Invalid),
        ("true", json!(true), Invalid),
        ("[305]", json!([305]), Invalid),
    ];
    let unsigned = |schema: &Value| is_a(schema, "DurationSeconds") || is_a(schema, "ByteCount");
    let targets = fields_of_type(unsigned);
    assert_eq!(
        targets.len(),
        schema_fields_where(|_, schema| unsigned(schema)),
        "every duration and size field, shown"
    );
    check_events(&variant_cases(&targets, &variants));
}

#[test]
fn reason_code_is_a_signed_64_bit_integer() {
    let variants: [Variant; 12] = [
        ("408", raw("408"), Valid),
        ("0", raw("0"), Valid),
        ("-1, negative codes are allowed", raw("-1"), Valid),
        ("i64::MIN", raw("-9223372036854775808"), Valid),
        ("i64::MAX", raw("9223372036854775807"), Valid),
        ("408.0, an integer in JSON Schema", raw("408.0"), Valid),
        ("i64::MAX + 1", raw("9223372036854775808"), Invalid),
        ("1.5", raw("1.5"), Invalid),
        ("-1.5", raw("-1.5"), Invalid),
        ("the string \"408\"", json!("408"), Invalid),
        ("true", json!(true), Invalid),
        ("[408]", json!([408]), Invalid),
    ];
    let targets = fields_where(|_, name| name == "reason_code");
    assert_eq!(targets.len(), schema_fields_where(|name, _| name == "reason_code"));
    check_events(&variant_cases(&targets, &variants));
}

// ---------------------------------------------------------------------------
// Enumerations
// ---------------------------------------------------------------------------

#[test]
fn call_type_is_inbound_or_outbound() {
    let variants: [Variant; 11] = [
        ("inbound", json!("inbound"), Valid),
        ("outbound", json!("outbound"), Valid),
        ("Inbound", json!("Inbound"), Invalid),
        ("OUTBOUND", json!("OUTBOUND"), Invalid),
        ("in", json!("in"), Invalid),
        ("internal", json!("internal"), Invalid),
        ("inbound with a space", json!("inbound "), Invalid),
        ("both", json!("both"), Invalid),
        ("an empty string", json!(""), Invalid),
        ("a number", json!(0), Invalid),
        ("an array", json!(["inbound"]), Invalid),
    ];
    let targets = fields_where(|_, name| name == "call_type");
    assert_eq!(targets.len(), schema_fields_where(|_, schema| is_a(schema, "CallType")));
    check_events(&variant_cases(&targets, &variants));
}

#[test]
fn status_is_fixed_by_the_event() {
    let statuses = ["initiated", "ringing", "answered", "completed", "failed", "cancelled"];
    let targets = fields_where(|_, name| name == "status");
    assert_eq!(targets.len(), schema_fields_where(|_, schema| is_a(schema, "CallStatus")), "every status field");
    let mut cases = Vec::new();
    for (event, example, pointer) in &targets {
        // call.completed carries "completed", call.failed "failed", call.cancelled "cancelled".
        let own = event.strip_prefix("call.").expect("a call event");
        assert_eq!(example.pointer(pointer), Some(&json!(own)), "the documented {event} status");
        for status in statuses {
            let verdict = if status == own { Valid } else { Invalid };
            cases.push(case(
                format!("{event}: {pointer} = {status:?}"),
                with(example, pointer, json!(status)),
                verdict,
            ));
        }
        let others = [
            ("capitalised", json!(capitalise(own))),
            ("uppercase", json!(own.to_uppercase())),
            ("with a trailing space", json!(format!("{own} "))),
            ("an empty string", json!("")),
            ("a number", json!(3)),
        ];
        for (what, value) in others {
            cases.push(case(format!("{event}: {pointer} = {what}"), with(example, pointer, value), Invalid));
        }
    }
    check_events(&cases);
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

#[test]
fn call_failed_reason_is_one_of_the_six_documented_reasons() {
    let variants: [Variant; 17] = [
        ("no_answer", json!("no_answer"), Valid),
        ("declined", json!("declined"), Valid),
        ("invalid_number", json!("invalid_number"), Valid),
        ("network_error", json!("network_error"), Valid),
        ("internal_error", json!("internal_error"), Valid),
        ("busy", json!("busy"), Valid),
        ("No_Answer", json!("No_Answer"), Invalid),
        ("NO_ANSWER", json!("NO_ANSWER"), Invalid),
        ("no-answer", json!("no-answer"), Invalid),
        ("no answer", json!("no answer"), Invalid),
        ("busy with a trailing space", json!("busy "), Invalid),
        ("timeout", json!("timeout"), Invalid),
        ("storage_error, a recording reason", json!("storage_error"), Invalid),
        ("unknown", json!("unknown"), Invalid),
        ("an empty string", json!(""), Invalid),
        ("the reason code 408", json!(408), Invalid),
        ("an array", json!(["busy"]), Invalid),
    ];
    let targets = fields_where(|event, name| event == "call.failed" && name == "reason");
    assert_eq!(targets.len(), 1);
    check_events(&variant_cases(&targets, &variants));
}

#[test]
fn open_strings_accept_any_string_but_not_other_types() {
    let variants: [Variant; 10] = [
        ("an empty string", json!(""), Valid),
        ("a new value", json!("something_new"), Valid),
        ("a call.failed reason", json!("no_answer"), Valid),
        ("text with spaces and accents", json!("Hors ligne – réessayer"), Valid),
        ("a digit string", json!("1"), Valid),
        ("a number", json!(1), Invalid),
        ("true", json!(true), Invalid),
        ("an array", json!(["normal"]), Invalid),
        ("an object", json!({"value": "normal"}), Invalid),
        ("null", Value::Null, Invalid),
    ];
    let open = [
        ("call.completed", "completion_reason"),
        ("call.cancelled", "cancelled_by"),
        ("ivr.input_received", "input_type"),
        ("ivr.input_received", "input"),
        ("ivr.menu_presented", "menu_name"),
        ("recording.completed", "file_format"),
        ("recording.failed", "reason"),
    ];
    let targets = fields_where(|event, name| open.contains(&(event, name)));
    assert_eq!(targets.len(), open.len());
    // The documented value of each field is valid too.
    let mut cases = variant_cases(&targets, &variants);
    for (event, example, pointer) in &targets {
        let documented = example.pointer(pointer).expect("the field").clone();
        cases.push(case(
            format!("{event}: {pointer} = the documented {documented}"),
            with(example, pointer, documented),
            Valid,
        ));
    }
    check_events(&cases);
}

// ---------------------------------------------------------------------------
// download_url and options
// ---------------------------------------------------------------------------

#[test]
fn download_url_is_an_absolute_uri() {
    let variants: [Variant; 17] = [
        ("the documented URL", json!("https://api.audian.com:8443/v2/recordings/rec_abc123/download"), Valid),
        ("an https URL", json!("https://example.com"), Valid),
        ("an http URL with a port", json!("http://localhost:8080/r.mp3"), Valid),
        ("a URL with query and fragment", json!("https://cdn.example.com/r.mp3?sig=a%2Fb&exp=1#t"), Valid),
        ("an s3 URI", json!("s3://bucket/recordings/rec_abc123.mp3"), Valid),
        ("a URN", json!("urn:uuid:6f1c2a9e-1b7d-4e0a-9c55-0d6b7f3e2a10"), Valid),
        ("an IPv6 host", json!("https://[2001:db8::1]:8443/r"), Valid),
        ("not a uri", json!("not a uri"), Invalid),
        ("a relative path /v2/x", json!("/v2/x"), Invalid),
        ("a relative path without slash", json!("v2/recordings/rec_abc123/download"), Invalid),
        ("a network-path reference", json!("//api.audian.com/v2/x"), Invalid),
        ("a space in the host", json!("https://exa mple.com/x"), Invalid),
        ("a bad percent escape", json!("https://example.com/%zz"), Invalid),
        ("an unclosed IPv6 host", json!("https://[2001:db8::1/r"), Invalid),
        ("an empty string", json!(""), Invalid),
        ("a number", json!(1), Invalid),
        ("an object", json!({"href": "https://example.com"}), Invalid),
    ];
    let targets = fields_where(|_, name| name == "download_url");
    assert_eq!(targets.len(), schema_fields_where(|_, schema| schema["format"] == "uri"));
    check_events(&variant_cases(&targets, &variants));
}

#[test]
fn ivr_options_is_an_array_of_strings() {
    let variants: [Variant; 11] = [
        ("the documented options", json!(["1", "2", "3"]), Valid),
        ("an empty array", json!([]), Valid),
        ("one option", json!(["0"]), Valid),
        ("keypad symbols", json!(["*", "#"]), Valid),
        ("spoken options", json!(["sales", "support"]), Valid),
        ("[1]", json!([1]), Invalid),
        ("a string and a number", json!(["1", 2]), Invalid),
        ("[null]", json!([null]), Invalid),
        ("a nested array", json!([["1"]]), Invalid),
        ("a comma-separated string", json!("1,2,3"), Invalid),
        ("an object", json!({"0": "1"}), Invalid),
    ];
    let targets = fields_where(|_, name| name == "options");
    assert_eq!(targets.len(), schema_fields_where(|_, schema| schema["type"] == "array"));
    check_events(&variant_cases(&targets, &variants));
}

// ---------------------------------------------------------------------------
// The union of events
// ---------------------------------------------------------------------------

#[test]
fn the_union_accepts_exactly_the_documented_events() {
    let mut cases = Vec::new();
    for (event, example) in events() {
        let unknown = [
            ("an unknown event call.parked", json!("call.parked")),
            ("a misspelt event call.complete", json!("call.complete")),
            ("the event name in uppercase", json!(event.to_uppercase())),
            ("the event name with a space", json!(format!("{event} "))),
            ("the wildcard *", json!("*")),
            ("an empty event name", json!("")),
            ("a number", json!(1)),
        ];
        for (what, value) in unknown {
            cases.push(case(format!("{event}: /event = {what}"), with(example, "/event", value), Invalid));
        }
        cases.push(case(format!("{event} without /event"), without(example, "/event"), Invalid));
    }
    check_events(&cases);
}

#[test]
fn a_payload_of_one_event_with_another_events_name_is_invalid() {
    let mut cases = Vec::new();
    for (event, example) in events() {
        for other in event_names() {
            if other != event {
                cases.push(case(
                    format!("the {event} payload named {other}"),
                    with(example, "/event", json!(other)),
                    Invalid,
                ));
            }
        }
    }
    let events = event_names().len();
    assert_eq!(cases.len(), events * (events - 1));
    check_events(&cases);
}

#[test]
fn the_top_level_is_an_event_object() {
    let initiated = example("call.initiated");
    let cases = [
        case("an array of one event", json!([initiated]), Invalid),
        case("an empty array", json!([]), Invalid),
        case("null", Value::Null, Invalid),
        case("a string", json!("call.initiated"), Invalid),
        case("the event serialised as a string", json!(initiated.to_string()), Invalid),
        case("a number", json!(1), Invalid),
        case("true", json!(true), Invalid),
        case("an empty object", json!({}), Invalid),
        case("only an event name", json!({"event": "call.initiated"}), Invalid),
        case("the data alone", initiated["data"].clone(), Invalid),
        case("an event wrapped in an object", json!({"event": initiated}), Invalid),
    ];
    check_events(&cases);
}

// ---------------------------------------------------------------------------
// Subscriptions
// ---------------------------------------------------------------------------

/// Values for `events` in a subscription body.
fn event_selections() -> Vec<(String, Value, Verdict)> {
    let names = event_names();
    let mut selections: Vec<(String, Value, Verdict)> =
        names.iter().map(|name| (format!("[{name:?}]"), json!([name]), Valid)).collect();
    let fixed: [(&str, Value, Verdict); 16] = [
        ("[\"*\"], every event", json!(["*"]), Valid),
        ("\"*\" mixed with a name", json!(["*", "call.completed"]), Valid),
        ("every documented name", json!(names), Valid),
        ("the documented three", json!(["call.completed", "call.failed", "recording.completed"]), Valid),
        ("an empty list", json!([]), Invalid),
        ("a misspelt name call.complete", json!(["call.complete"]), Invalid),
        ("a valid name and a misspelt one", json!(["call.completed", "call.complete"]), Invalid),
        ("an uppercase name", json!(["CALL.COMPLETED"]), Invalid),
        ("a family wildcard call.*", json!(["call.*"]), Invalid),
        ("a doubled wildcard **", json!(["**"]), Invalid),
        ("the word all", json!(["all"]), Invalid),
        ("an empty name", json!([""]), Invalid),
        ("a number", json!([1]), Invalid),
        ("null in the list", json!([null]), Invalid),
        ("a bare \"*\" string", json!("*"), Invalid),
        ("a bare name string", json!("call.completed"), Invalid),
    ];
    selections.extend(fixed.into_iter().map(|(what, value, verdict)| (what.to_owned(), value, verdict)));
    selections
}

#[test]
fn creating_a_subscription_needs_a_uri_and_a_non_empty_event_selection() {
    let base = webhook_example("create.specific-events");
    let mut cases: Vec<Case> = event_selections()
        .into_iter()
        .map(|(what, value, verdict)| {
            case(format!("create with events = {what}"), with(base, "/events", value), verdict)
        })
        .collect();
    let urls: [Variant; 11] = [
        ("the documented URL", json!("https://your-domain.com/webhooks"), Valid),
        ("a URL with a port", json!("http://localhost:3000/hooks"), Valid),
        ("a URL with a query", json!("https://example.com:8443/a/b?c=d"), Valid),
        ("a host and path without scheme", json!("your-domain.com/webhooks"), Invalid),
        ("a relative path", json!("/webhooks"), Invalid),
        ("not a uri", json!("not a uri"), Invalid),
        ("a space in the path", json!("https://example.com/web hooks"), Invalid),
        ("an empty string", json!(""), Invalid),
        ("a number", json!(1), Invalid),
        ("null", Value::Null, Invalid),
        ("an array", json!(["https://your-domain.com/webhooks"]), Invalid),
    ];
    for (what, value, verdict) in urls {
        cases.push(case(format!("create with url = {what}"), with(base, "/url", value), verdict));
    }
    cases.extend([
        case("create without url", without(base, "/url"), Invalid),
        case("create without events", without(base, "/events"), Invalid),
        case("an empty create body", json!({}), Invalid),
        case("a create body in an array", json!([base]), Invalid),
        case("create with an extra property secret", with(base, "/secret", json!("s3cr3t")), Invalid),
        case("create with an extra property description", with(base, "/description", json!("prod")), Invalid),
        case(
            "create with Events for events",
            with(&without(base, "/events"), "/Events", base["events"].clone()),
            Invalid,
        ),
    ]);
    check_subscriptions("create", &cases);
}

#[test]
fn updating_a_subscription_needs_a_non_empty_event_selection() {
    let base = webhook_example("update");
    let mut cases: Vec<Case> = event_selections()
        .into_iter()
        .map(|(what, value, verdict)| {
            case(format!("update with events = {what}"), with(base, "/events", value), verdict)
        })
        .collect();
    cases.extend([
        case("update without events", without(base, "/events"), Invalid),
        case("an empty update body", json!({}), Invalid),
        case("an update body in an array", json!([base]), Invalid),
        case(
            "update with a url, which only create takes",
            with(base, "/url", json!("https://your-domain.com/webhooks")),
            Invalid,
        ),
        case("update with an extra property active", with(base, "/active", json!(true)), Invalid),
        case("update with events = null", with(base, "/events", Value::Null), Invalid),
    ]);
    check_subscriptions("update", &cases);
}
