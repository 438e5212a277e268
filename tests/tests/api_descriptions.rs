//! The generated API descriptions, `docs/openapi.json` (OpenAPI 3.1) and `docs/asyncapi.json`
//! (AsyncAPI 3.0), read as a consumer in another language would read them:
//!
//! - each is valid against its official meta-schema, read from
//!   `../shared/api-description-schemas/` beside the workspace, or the folder
//!   `AUDIAN_API_DESCRIPTION_SCHEMAS` names (when that folder is absent the two
//!   tests are reported as ignored, with the reason, and fail where `CI` requires the optional
//!   pieces: `audian-events/tests/support/optional_pieces.rs`);
//! - every example embedded in either is valid against the schema beside it (and against the
//!   tolerant schema named beside it), its `$ref`s resolved inside the document alone;
//! - every event's payload schema, taken back out of either document, accepts and refuses the same
//!   payloads as `schema/` (and its tolerant schema as `schema-tolerant/`) on the mutation corpus of
//!   `audian-events-tests`.
//!
//! The validator is the reference one (`audian-events-reference`: the `jsonschema` crate, formats
//! asserted, nothing fetched). The harness is `libtest-mimic` (`harness = false`), which can mark
//! a test ignored while it runs.

#[path = "../../audian-events/tests/support/optional_pieces.rs"]
mod optional_pieces;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use audian_events_reference::{Registry, Schemas, Validator, message, registry, validator};
use audian_events_tests::{Engine, Input};
use libtest_mimic::{Arguments, Completion, Failed, Trial};
use serde_json::{Value, json};

/// The URIs the documents are registered under, so that their `#/...` references resolve.
const OPENAPI_URI: &str = "https://audian-events.dev/docs/openapi.json";
const ASYNCAPI_URI: &str = "https://audian-events.dev/docs/asyncapi.json";

/// The mutation corpus: cases `0..CASES` of each seed.
const SEEDS: [u64; 2] = [0, 0x5EED_2024_0115];
const CASES: u64 = 4_000;
/// Each verdict must be at least this share of the judged payloads of each reading.
const MIN_PERCENT: f64 = 10.0;

fn main() -> ExitCode {
    let args = Arguments::from_args();
    let trials = vec![
        optional_pieces::policy_trial(),
        needs_meta_schemas("openapi_json_is_valid_against_the_openapi_3_1_meta_schema", || {
            valid_against_meta_schema(
                &read_document("openapi.json")?,
                &meta_schema_dir().join("openapi-3.1/schema.json"),
            )
        }),
        needs_meta_schemas("asyncapi_json_is_valid_against_the_asyncapi_3_0_meta_schema", || {
            valid_against_meta_schema(
                &read_document("asyncapi.json")?,
                &meta_schema_dir().join("asyncapi-3.0/asyncapi-3.0.0.json"),
            )
        }),
        Trial::test("every_embedded_example_is_valid_against_the_schema_beside_it", every_example_is_valid),
        Trial::test(
            "every_extracted_payload_schema_gives_the_verdicts_of_schema_on_the_mutation_corpus",
            extracted_schemas_agree_with_the_schema_folder,
        ),
    ];
    libtest_mimic::run(&args, trials).exit_code()
}

/// The variable that names another folder of meta-schemas.
const META_SCHEMAS_VARIABLE: &str = "AUDIAN_API_DESCRIPTION_SCHEMAS";

/// `../shared/api-description-schemas/`, beside the workspace, or the folder
/// `AUDIAN_API_DESCRIPTION_SCHEMAS` names.
fn meta_schema_dir() -> PathBuf {
    std::env::var_os(META_SCHEMAS_VARIABLE)
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/api-description-schemas"))
}

fn needs_meta_schemas(name: &str, test: impl FnOnce() -> Result<(), Failed> + Send + 'static) -> Trial {
    Trial::ignorable_test(name, move || {
        let dir = meta_schema_dir();
        if !dir.is_dir() {
            return optional_pieces::missing(&format!(
                "the official meta-schemas were missing at {}: put the OpenAPI 3.1 schema at \
                 openapi-3.1/schema.json and the AsyncAPI 3.0.0 schema at asyncapi-3.0/asyncapi-3.0.0.json \
                 there (../shared/api-description-schemas beside the workspace, or the folder \
                 {META_SCHEMAS_VARIABLE} names) and run again",
                dir.display()
            ));
        }
        test().map(|()| Completion::Completed)
    })
}

fn read_json(path: &Path) -> Result<Value, Failed> {
    let text = std::fs::read_to_string(path).map_err(|error| format!("cannot read {}: {error}", path.display()))?;
    Ok(serde_json::from_str(&text).map_err(|error| format!("{} is not JSON: {error}", path.display()))?)
}

/// A generated description, `docs/<name>`.
fn read_document(name: &str) -> Result<Value, Failed> {
    read_json(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs").join(name))
}

/// The meta-schema is self-contained (the AsyncAPI one bundles its definitions under their
/// `$id`s) but for its own `$schema`, a draft the `jsonschema` crate knows: nothing is fetched.
/// The meta-schema must also refuse the document without its required `info`: a validator that
/// accepts anything would pass the first check.
fn valid_against_meta_schema(document: &Value, meta_schema_path: &Path) -> Result<(), Failed> {
    let meta_schema = read_json(meta_schema_path)?;
    let registry = registry([]).map_err(|error| error.to_string())?;
    let validator = validator(&registry, &meta_schema)
        .map_err(|error| format!("{}: cannot build a validator: {error}", meta_schema_path.display()))?;
    let mut without_info = document.clone();
    without_info.as_object_mut().and_then(|object| object.remove("info"));
    if validator.is_valid(&without_info) {
        return Err(format!("{} accepts the document without `info`", meta_schema_path.display()).into());
    }
    let errors: Vec<String> = validator
        .iter_errors(document)
        .map(|error| format!("{}: {}", error.instance_path().as_str(), message(&error)))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!("{} errors against {}:\n{}", errors.len(), meta_schema_path.display(), errors.join("\n")).into())
    }
}

/// A copy of `schema` whose in-document `$ref`s (`#/...`) name the document by its URI.
fn absolute(schema: &Value, uri: &str) -> Value {
    match schema {
        Value::Object(object) => Value::Object(
            object
                .iter()
                .map(|(key, value)| match (key.as_str(), value) {
                    ("$ref", Value::String(reference)) if reference.starts_with('#') => {
                        (key.clone(), Value::String(format!("{uri}{reference}")))
                    }
                    _ => (key.clone(), absolute(value, uri)),
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|item| absolute(item, uri)).collect()),
        other => other.clone(),
    }
}

/// A schema found in a document, with where it was found.
struct Extracted {
    /// Such as `webhooks/call.held/post/.../schema`.
    place: String,
    /// The event type, where the schema is an event's payload.
    event: Option<String>,
    strict: Value,
    tolerant: Option<Value>,
    examples: Vec<(String, Value)>,
}

/// What the OpenAPI description says of each request body: the schema, the tolerant schema and
/// the examples beside it.
fn openapi_bodies(document: &Value) -> Result<Vec<Extracted>, Failed> {
    let mut bodies = Vec::new();
    let operations = |group: &str| -> Vec<(String, String, Value)> {
        document[group]
            .as_object()
            .into_iter()
            .flatten()
            .flat_map(|(key, item)| {
                item.as_object()
                    .into_iter()
                    .flatten()
                    .filter(|(method, _)| method.as_str() != "parameters")
                    .map(move |(method, operation)| (key.clone(), method.clone(), operation.clone()))
            })
            .collect()
    };
    for (group, is_event) in [("webhooks", true), ("paths", false)] {
        for (key, method, operation) in operations(group) {
            let place = format!("{group}/{key}/{method}/requestBody/content/application~1json");
            let media = &operation["requestBody"]["content"]["application/json"];
            let Some(schema) = media.get("schema") else { return Err(format!("{place} has no schema").into()) };
            let examples = media["examples"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(name, example)| (name.clone(), example["value"].clone()))
                .collect();
            bodies.push(Extracted {
                place,
                event: is_event.then(|| key.clone()),
                strict: schema.clone(),
                tolerant: media.get("x-audian-tolerant-schema").cloned(),
                examples,
            });
        }
    }
    Ok(bodies)
}

/// What the AsyncAPI description says of each message: its payload schema (a multi-format schema
/// object, draft 2020-12), the tolerant schema and the examples.
fn asyncapi_messages(document: &Value) -> Result<Vec<Extracted>, Failed> {
    let mut messages = Vec::new();
    for (name, message) in document["components"]["messages"].as_object().into_iter().flatten() {
        let place = format!("components/messages/{name}/payload");
        let payload = &message["payload"];
        if payload["schemaFormat"] != "application/schema+json;version=draft-2020-12" {
            return Err(format!(
                "{place}: expected the schemaFormat of draft 2020-12, found {}",
                payload["schemaFormat"]
            )
            .into());
        }
        // A reference to a multi-format schema object: its schema.
        let tolerant = message
            .get("x-audian-tolerant-schema")
            .map(|reference| json!({ "$ref": format!("{}/schema", reference["$ref"].as_str().unwrap_or("")) }));
        let examples = message["examples"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|example| (example["name"].as_str().unwrap_or("").to_owned(), example["payload"].clone()))
            .collect();
        messages.push(Extracted {
            place,
            event: Some(message["name"].as_str().unwrap_or(name).to_owned()),
            strict: payload["schema"].clone(),
            tolerant,
            examples,
        });
    }
    Ok(messages)
}

/// A description: its file name, the URI it is registered under, itself, and what it holds.
type Description = (&'static str, &'static str, Value, Vec<Extracted>);

/// Both descriptions.
fn documents() -> Result<Vec<Description>, Failed> {
    let openapi = read_document("openapi.json")?;
    let asyncapi = read_document("asyncapi.json")?;
    let bodies = openapi_bodies(&openapi)?;
    let messages = asyncapi_messages(&asyncapi)?;
    Ok(vec![("openapi.json", OPENAPI_URI, openapi, bodies), ("asyncapi.json", ASYNCAPI_URI, asyncapi, messages)])
}

fn build(registry: &Registry<'_>, schema: &Value, uri: &str, place: &str) -> Result<Validator, Failed> {
    validator(registry, &absolute(schema, uri))
        .map_err(|error| format!("{place}: cannot build a validator: {error}").into())
}

fn every_example_is_valid() -> Result<(), Failed> {
    let mut failures = Vec::new();
    let mut checked = 0;
    let event_files = Schemas::read(&audian_events_reference::schema_dir())?.events().count();
    for (name, uri, document, extracted) in documents()? {
        let registry = registry([(uri, &document)]).map_err(|error| error.to_string())?;
        let events = extracted.iter().filter(|found| found.event.is_some()).count();
        let with_examples = extracted.iter().filter(|found| !found.examples.is_empty()).count();
        if events != event_files || with_examples != extracted.len() {
            failures.push(format!(
                "{name}: {} schemas, {events} of events (schema/events/ has {event_files}), {with_examples} with an \
                 example: every event must be there, and every schema have an example",
                extracted.len()
            ));
        }
        for found in &extracted {
            let readings = [Some(&found.strict), found.tolerant.as_ref()];
            for schema in readings.into_iter().flatten() {
                let validator = build(&registry, schema, uri, &found.place)?;
                for (example, value) in &found.examples {
                    checked += 1;
                    let errors: Vec<String> = validator.iter_errors(value).map(|error| message(&error)).collect();
                    if !errors.is_empty() {
                        failures
                            .push(format!("{name} {}: example {example:?} against {schema}: {errors:?}", found.place));
                    }
                }
            }
        }
    }
    println!("{checked} example checks");
    if failures.is_empty() { Ok(()) } else { Err(failures.join("\n").into()) }
}

/// Verdict counts of one reading.
#[derive(Default)]
struct Counts {
    valid: u64,
    invalid: u64,
}

fn extracted_schemas_agree_with_the_schema_folder() -> Result<(), Failed> {
    let started = Instant::now();
    let strict = Schemas::read(&audian_events_reference::schema_dir())?;
    let tolerant = Schemas::read(&audian_events_reference::tolerant_schema_dir())?;
    let engine = Engine::documented();
    let cases: Vec<(String, Value)> = SEEDS
        .iter()
        .flat_map(|&seed| (0..CASES).map(move |index| (seed, index)))
        .filter_map(|(seed, index)| {
            let case = engine.case(seed, index);
            let value = match case.input {
                Input::Value(value) => value,
                Input::Bytes(bytes) => serde_json::from_slice(&bytes).ok()?,
            };
            Some((case.example, value))
        })
        .collect();
    let mut failures = Vec::new();
    let (mut strict_counts, mut tolerant_counts) = (Counts::default(), Counts::default());
    let mut judged = 0u64;
    for (name, uri, document, extracted) in documents()? {
        let registry = registry([(uri, &document)]).map_err(|error| error.to_string())?;
        let events: Vec<&Extracted> = extracted.iter().filter(|found| found.event.is_some()).collect();
        for found in events {
            let event = found.event.as_deref().unwrap_or_default();
            let file = format!("events/{event}.json");
            let Some(tolerant_schema) = &found.tolerant else {
                failures.push(format!("{name} {}: no x-audian-tolerant-schema", found.place));
                continue;
            };
            let pairs = [
                (strict.validator(&file)?, build(&registry, &found.strict, uri, &found.place)?, &mut strict_counts),
                (
                    tolerant.validator(&file)?,
                    build(&registry, tolerant_schema, uri, &found.place)?,
                    &mut tolerant_counts,
                ),
            ];
            for (reference, extracted, counts) in pairs {
                // The cases mutated from this event's example, and a share of the others (which
                // the event's schema mostly refuses).
                for (index, (example, value)) in cases.iter().enumerate() {
                    if example != event && index % 32 != 0 {
                        continue;
                    }
                    judged += 1;
                    let expected = reference.is_valid(value);
                    if expected {
                        counts.valid += 1;
                    } else {
                        counts.invalid += 1;
                    }
                    if extracted.is_valid(value) != expected && failures.len() < 20 {
                        failures.push(format!(
                            "{name} {}: schema/{file} says valid={expected}, the document's schema the opposite, on {value}",
                            found.place
                        ));
                    }
                }
            }
        }
    }
    println!(
        "{} cases, {judged} verdicts compared in {:.1?}: strict {} valid, {} invalid; tolerant {} valid, {} invalid",
        cases.len(),
        started.elapsed(),
        strict_counts.valid,
        strict_counts.invalid,
        tolerant_counts.valid,
        tolerant_counts.invalid
    );
    for (reading, counts) in [("strict", &strict_counts), ("tolerant", &tolerant_counts)] {
        let total = (counts.valid + counts.invalid) as f64;
        for (verdict, count) in [("valid", counts.valid), ("invalid", counts.invalid)] {
            if (count as f64) * 100.0 / total < MIN_PERCENT {
                failures.push(format!(
                    "{reading}: too few {verdict} payloads ({count} of {total}): the corpus tests little"
                ));
            }
        }
    }
    if failures.is_empty() { Ok(()) } else { Err(failures.join("\n").into()) }
}
