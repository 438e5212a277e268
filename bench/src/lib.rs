//! The corpus and the reference validators of the benchmarks in `benches/validation.rs`
//! (`cargo bench -p audian-events-bench`, or `cargo xtask bench` for the table and the chart).
//!
//! - The corpus: the documented examples (compact bytes and parsed `Value`s), an invalid
//!   variant of each with one shallow error (in the envelope) and one with one deep error (inside
//!   `data`), and about 1 MB of NDJSON of valid events with distinct ids.
//! - The references: the `jsonschema` runtime validator (the workspace's version, built once over
//!   every file of `schema/` keyed by `$id`, formats asserted) and the `jsonschema` compile-time
//!   validator macro ([`MacroValidator`], an older version: see `Cargo.toml`).
//!
//! [`assert_same_verdicts`] panics unless every validator agrees on every input; the benchmark
//! calls it before timing anything, and so does this crate's test.

use std::io::Write;

use serde_json::{Map, Value};

/// Version of the `jsonschema` runtime validator measured (the workspace's dependency).
pub const JSONSCHEMA_RUNTIME_VERSION: &str = "0.61.2";
/// Version of the `jsonschema` compile-time validator macro measured (`jsonschema_macros_ref`).
pub const JSONSCHEMA_MACRO_VERSION: &str = "0.60.2";

/// Target size of the NDJSON batch.
pub const NDJSON_TARGET_BYTES: usize = 1 << 20;

// `MacroValidator`: the `jsonschema` compile-time validator of `schema/event.json`, its resources
// listed by `build.rs` from the schema files.
include!(concat!(env!("OUT_DIR"), "/macro_validator.rs"));

/// The macro validator's first error, typed with the pinned crate's own error type: this only
/// compiles if the macro's generated code uses `jsonschema_macros_ref`.
pub fn macro_validate(value: &Value) -> Result<(), jsonschema_macros_ref::ValidationError<'_>> {
    MacroValidator::validate(value)
}

/// One input of the corpus.
#[derive(Debug, Clone)]
pub struct Input {
    /// Such as `call.completed`, `call.completed (shallow: bad id)`.
    pub name: String,
    /// Compact JSON. For the documented examples, keys keep the documented order (`event`
    /// before `data`, as Audian sends them); for the invalid variants, which are only validated
    /// as `Value`s, they are sorted.
    pub bytes: Vec<u8>,
    pub value: Value,
}

impl Input {
    fn new(name: String, value: Value) -> Input {
        let bytes = serde_json::to_vec(&value).expect("a Value serializes");
        Input { name, bytes, value }
    }
}

/// Everything the benchmarks run on.
pub struct Corpus {
    /// The documented examples, in the order of `audian_events::examples::ALL`.
    pub valid: Vec<Input>,
    /// For each example, a variant with one shallow error (in the envelope), then one with one
    /// deep error (inside `data`): two inputs per example.
    pub invalid: Vec<Input>,
    /// About 1 MB of valid events, one per line, cycling through the examples with distinct ids.
    pub ndjson: Vec<u8>,
}

impl Corpus {
    pub fn build() -> Corpus {
        let valid: Vec<Input> = audian_events::examples::ALL
            .iter()
            .map(|(event_type, text)| {
                let value: Value = serde_json::from_str(text).expect("a documented example is JSON");
                let name = value["event"].as_str().map(str::to_owned).unwrap_or_else(|| format!("{event_type:?}"));
                Input { name, bytes: compact(text), value }
            })
            .collect();
        let mut invalid = Vec::with_capacity(2 * valid.len());
        for (index, input) in valid.iter().enumerate() {
            let (what, shallow) = shallow_error(index, &input.value);
            invalid.push(Input::new(format!("{} (shallow: {what})", input.name), shallow));
            let (what, deep) = deep_error(&input.value);
            invalid.push(Input::new(format!("{} (deep: {what})", input.name), deep));
        }
        let ndjson = ndjson_batch(&valid, NDJSON_TARGET_BYTES);
        Corpus { valid, invalid, ndjson }
    }

    /// The lines of the NDJSON batch.
    pub fn ndjson_lines(&self) -> Vec<&[u8]> {
        self.ndjson.split(|&byte| byte == b'\n').filter(|line| !line.is_empty()).collect()
    }

    /// Bytes of all valid inputs together (for a throughput figure per corpus pass).
    pub fn valid_bytes(&self) -> usize {
        self.valid.iter().map(|input| input.bytes.len()).sum()
    }
}

/// One error in the envelope, rotating between a bad `id`, a `timestamp` without an offset and
/// an unknown top-level field.
fn shallow_error(index: usize, example: &Value) -> (&'static str, Value) {
    let mut value = example.clone();
    let envelope = value.as_object_mut().expect("an example is an object");
    let what = match index % 3 {
        0 => {
            envelope.insert("id".into(), Value::from("msg_1234567890abcdef"));
            "id without the evt_ prefix"
        }
        1 => {
            envelope.insert("timestamp".into(), Value::from("2024-01-15T10:30:00"));
            "timestamp without an offset"
        }
        _ => {
            envelope.insert("extra".into(), Value::from(true));
            "unknown top-level field"
        }
    };
    (what, value)
}

/// One error inside `data`: a phone number that is not E.164, a negative duration, a recording
/// id without its prefix, or else an hour 25 in the event's own timestamp field.
fn deep_error(example: &Value) -> (&'static str, Value) {
    let mut value = example.clone();
    let data: &mut Map<String, Value> =
        value.get_mut("data").and_then(Value::as_object_mut).expect("an example has a data object");
    for key in ["from", "answered_by", "transfer_to"] {
        if let Some(field) = data.get_mut(key) {
            *field = Value::from("+0155552671");
            return ("phone number not E.164", value);
        }
    }
    for key in ["duration", "timeout_duration"] {
        if let Some(field) = data.get_mut(key) {
            *field = Value::from(-1);
            return ("negative duration", value);
        }
    }
    if let Some(field) = data.get_mut("recording_id") {
        *field = Value::from("recording_abc123");
        return ("recording id without the rec_ prefix", value);
    }
    let key = data.keys().rev().find(|key| key.ends_with("_at")).expect("every event has a time in data").clone();
    data.insert(key, Value::from("2024-01-15T25:30:00Z"));
    ("date-time with hour 25", value)
}

/// Valid events, one compact JSON per line, cycling through the examples, each with its own id,
/// until the batch reaches `target` bytes.
fn ndjson_batch(valid: &[Input], target: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(target + 1024);
    let mut serial: u64 = 0;
    while out.len() < target {
        let example = &valid[serial as usize % valid.len()];
        let id = example.value["id"].as_str().expect("every example has an id");
        // The id leads each documented example, so the new one replaces it in place.
        let old_start = format!(r#"{{"id":"{id}""#);
        let rest = example.bytes.strip_prefix(old_start.as_bytes()).expect("each example starts with its id");
        write!(out, r#"{{"id":"evt_{serial:016x}""#).expect("writing to a Vec");
        out.extend_from_slice(rest);
        out.push(b'\n');
        serial += 1;
    }
    out
}

/// `text` without the whitespace between tokens, keys in the order written.
fn compact(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    for &byte in text.as_bytes() {
        if in_string {
            out.push(byte);
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
        } else if !byte.is_ascii_whitespace() {
            in_string = byte == b'"';
            out.push(byte);
        }
    }
    out
}

/// The `jsonschema` runtime validator of `schema/event.json`, as the rest of the workspace builds
/// it (`audian-events-reference`: every schema file registered under its `$id`, formats
/// asserted): built once, outside any timed loop.
pub fn runtime_validator() -> jsonschema::Validator {
    audian_events_reference::Schemas::read(&audian_events_reference::schema_dir())
        .and_then(|schemas| schemas.validator("event.json"))
        .unwrap_or_else(|error| panic!("{error}"))
}

/// Panics unless every validator gives the expected verdict on every input of the corpus: the
/// valid examples and NDJSON lines valid for all, the invalid variants invalid for all, with at
/// least one error each; and the typed parse without validation succeeds on every valid input.
pub fn assert_same_verdicts(corpus: &Corpus, runtime: &jsonschema::Validator) {
    let mut disagreements = Vec::new();
    let mut check = |name: &str, bytes: &[u8], value: &Value, expected: bool| {
        let verdicts = [
            ("audian_events::is_valid", audian_events::is_valid(value)),
            ("audian_events::validate", audian_events::validate(value).is_ok()),
            ("audian_events::parse_validated", audian_events::parse_validated(bytes).is_ok()),
            ("jsonschema runtime is_valid", runtime.is_valid(value)),
            ("jsonschema runtime iter_errors", runtime.iter_errors(value).next().is_none()),
            ("jsonschema macro is_valid", MacroValidator::is_valid(value)),
            ("jsonschema macro iter_errors", MacroValidator::iter_errors(value).next().is_none()),
            ("jsonschema macro validate", macro_validate(value).is_ok()),
        ];
        for (validator, verdict) in verdicts {
            if verdict != expected {
                disagreements.push(format!(
                    "{name}: {validator} says {}, expected {}",
                    if verdict { "valid" } else { "invalid" },
                    if expected { "valid" } else { "invalid" }
                ));
            }
        }
        if expected && let Err(error) = audian_events::Event::from_slice(bytes) {
            disagreements.push(format!("{name}: Event::from_slice fails on a valid input: {error}"));
        }
        if !expected && let Err(errors) = audian_events::validate(value) {
            assert!(!errors.is_empty(), "{name}: validate returned an empty error list");
        }
    };
    for input in &corpus.valid {
        check(&input.name, &input.bytes, &input.value, true);
    }
    for input in &corpus.invalid {
        check(&input.name, &input.bytes, &input.value, false);
    }
    for (line_number, line) in corpus.ndjson_lines().into_iter().enumerate() {
        let value: Value = serde_json::from_slice(line).expect("an NDJSON line is JSON");
        check(&format!("NDJSON line {}", line_number + 1), line, &value, true);
    }
    assert!(
        disagreements.is_empty(),
        "the validators disagree on {} verdicts; nothing is timed:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_validator_agrees_on_every_input() {
        let corpus = Corpus::build();
        // One example per event schema of `schema/events/`, and two invalid variants of each.
        let schemas = audian_events_reference::Schemas::read(&audian_events_reference::schema_dir()).unwrap();
        let mut events: Vec<&str> =
            schemas.events().map(|file| file.document["properties"]["event"]["const"].as_str().unwrap()).collect();
        let mut names: Vec<&str> = corpus.valid.iter().map(|input| input.name.as_str()).collect();
        events.sort_unstable();
        names.sort_unstable();
        assert_eq!(names, events);
        assert_eq!(corpus.invalid.len(), 2 * corpus.valid.len());
        assert!(corpus.ndjson.len() >= NDJSON_TARGET_BYTES);
        assert_same_verdicts(&corpus, &runtime_validator());
    }

    #[test]
    fn example_bytes_are_the_documented_examples_compacted_in_their_order() {
        let corpus = Corpus::build();
        for (input, (_, text)) in corpus.valid.iter().zip(audian_events::examples::ALL) {
            let reparsed: Value = serde_json::from_slice(&input.bytes).unwrap();
            assert_eq!(reparsed, serde_json::from_str::<Value>(text).unwrap(), "{}", input.name);
            // As long as serde_json's own compact form: no whitespace is left between tokens.
            assert_eq!(input.bytes.len(), serde_json::to_vec(&reparsed).unwrap().len(), "{}", input.name);
            let position = |key: &str| input.bytes.windows(key.len()).position(|window| window == key.as_bytes());
            assert!(position(r#""event":"#) < position(r#""data":"#), "{}", input.name);
        }
        for line in corpus.ndjson_lines() {
            assert!(line.starts_with(br#"{"id":"evt_"#));
            assert!(audian_events::is_valid(&serde_json::from_slice(line).unwrap()));
        }
    }

    #[test]
    fn ndjson_ids_are_distinct() {
        let corpus = Corpus::build();
        let lines = corpus.ndjson_lines();
        let mut ids: Vec<String> = lines
            .iter()
            .map(|line| serde_json::from_slice::<Value>(line).unwrap()["id"].as_str().unwrap().to_owned())
            .collect();
        let count = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), count);
    }

    #[test]
    fn each_invalid_variant_breaks_one_field() {
        let corpus = Corpus::build();
        for input in &corpus.invalid {
            let errors = audian_events::validate(&input.value).expect_err(&input.name);
            assert_eq!(errors.len(), 1, "{}: {errors}", input.name);
        }
    }
}
