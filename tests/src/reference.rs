//! The schemas, the documented examples and the reference validators: the `jsonschema` crate on
//! `schema/event.json` (the strict reading) or on the derived `schema-tolerant/event.json` (the
//! tolerant reading), every `$ref` resolved among the files of the folder by their `$id`,
//! formats asserted.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use audian_events::Reading;
use audian_events_reference::{Schemas, Validator, read_json};
use serde_json::Value;

/// The repository's `schema/` folder.
pub fn schema_dir() -> PathBuf {
    audian_events_reference::schema_dir()
}

/// The folder of the schemas of a reading: `schema/`, or `schema-tolerant/` (derived from it by
/// `cargo xtask generate`).
pub fn schema_dir_of(reading: Reading) -> PathBuf {
    match reading {
        Reading::Strict => schema_dir(),
        Reading::Tolerant => audian_events_reference::tolerant_schema_dir(),
    }
}

/// The reference validator of an event payload.
pub struct Reference {
    validator: Validator,
}

impl Reference {
    /// Builds the validator of `event.json` from the schemas in `dir`.
    pub fn from_dir(dir: &Path) -> Result<Reference, String> {
        Ok(Reference { validator: Schemas::read(dir)?.validator("event.json")? })
    }

    /// The reference validator of this repository's schemas (the strict reading), built once.
    pub fn get() -> &'static Reference {
        Reference::of(Reading::Strict)
    }

    /// The reference validator of a reading of this repository's schemas, built once.
    pub fn of(reading: Reading) -> &'static Reference {
        static STRICT: OnceLock<Reference> = OnceLock::new();
        static TOLERANT: OnceLock<Reference> = OnceLock::new();
        let cell = match reading {
            Reading::Strict => &STRICT,
            Reading::Tolerant => &TOLERANT,
        };
        cell.get_or_init(|| Reference::from_dir(&schema_dir_of(reading)).unwrap_or_else(|error| panic!("{error}")))
    }

    pub fn validator(&self) -> &Validator {
        &self.validator
    }

    pub fn is_valid(&self, value: &Value) -> bool {
        self.validator.is_valid(value)
    }

    /// The verdict on raw bytes: JSON that `serde_json` cannot read is invalid, and so is JSON
    /// with a duplicate key (`audian_events` documents that it refuses them, where
    /// `serde_json::Value` would keep the last).
    pub fn is_valid_bytes(&self, bytes: &[u8]) -> bool {
        serde_json::from_slice::<Value>(bytes).is_ok_and(|value| !has_duplicate_keys(bytes) && self.is_valid(&value))
    }

    /// Every error, one line each: `path: message (keyword at schema path)`.
    pub fn errors(&self, value: &Value) -> Vec<String> {
        self.validator
            .iter_errors(value)
            .map(|error| {
                let path = error.instance_path().as_str().to_owned();
                let path = if path.is_empty() { "(root)".to_owned() } else { path };
                format!("{path}: {} (at {})", audian_events_reference::message(&error), error.schema_path().as_str())
            })
            .collect()
    }

    /// Every error on raw bytes, or why they are not JSON.
    pub fn errors_bytes(&self, bytes: &[u8]) -> Vec<String> {
        match serde_json::from_slice::<Value>(bytes) {
            Ok(_) if has_duplicate_keys(bytes) => {
                vec!["a duplicate key (found by the test library's scanner)".to_owned()]
            }
            Ok(value) => self.errors(&value),
            Err(error) => vec![format!("not JSON: {error}")],
        }
    }
}

/// Whether an object of `bytes`, which must be valid JSON, has the same key twice (after
/// unescaping: `"id"` and `"\u0069d"` are the same key). Written apart from `audian_events`'s
/// own check, so that the two can be compared.
pub fn has_duplicate_keys(bytes: &[u8]) -> bool {
    use std::collections::HashSet;
    enum Frame {
        Object { keys: HashSet<String>, expecting_key: bool },
        Array,
    }
    let mut stack: Vec<Frame> = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b'"' => {
                let start = at;
                at += 1;
                while at < bytes.len() && bytes[at] != b'"' {
                    at += if bytes[at] == b'\\' { 2 } else { 1 };
                }
                if let Some(Frame::Object { keys, expecting_key }) = stack.last_mut()
                    && *expecting_key
                {
                    *expecting_key = false;
                    let Some(token) = bytes.get(start..=at) else { return false };
                    let Ok(key) = serde_json::from_slice::<String>(token) else { return false };
                    if !keys.insert(key) {
                        return true;
                    }
                }
            }
            b'{' => stack.push(Frame::Object { keys: HashSet::new(), expecting_key: true }),
            b'[' => stack.push(Frame::Array),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => {
                if let Some(Frame::Object { expecting_key, .. }) = stack.last_mut() {
                    *expecting_key = true;
                }
            }
            _ => {}
        }
        at += 1;
    }
    false
}

/// The documented event examples, `schema/examples/<event>.json`, sorted by event name.
pub fn examples() -> &'static [(String, Value)] {
    static EXAMPLES: OnceLock<Vec<(String, Value)>> = OnceLock::new();
    EXAMPLES.get_or_init(|| load_examples(&schema_dir().join("examples")).unwrap_or_else(|error| panic!("{error}")))
}

/// Reads the event examples of a folder (not its subfolders, which hold other schemas' examples).
pub fn load_examples(dir: &Path) -> Result<Vec<(String, Value)>, String> {
    let entries = fs::read_dir(dir).map_err(|error| format!("cannot list {}: {error}", dir.display()))?;
    let mut examples = Vec::new();
    for entry in entries {
        let path = entry.map_err(|error| format!("cannot list {}: {error}", dir.display()))?.path();
        let Some(name) = path.file_name().and_then(|name| name.to_str()).and_then(|name| name.strip_suffix(".json"))
        else {
            continue;
        };
        if path.is_file() {
            examples.push((name.to_owned(), read_json(&path)?));
        }
    }
    examples.sort_by(|a, b| a.0.cmp(&b.0));
    if examples.is_empty() {
        return Err(format!("no examples in {}", dir.display()));
    }
    Ok(examples)
}

#[cfg(test)]
mod tests {
    use super::has_duplicate_keys;

    #[test]
    fn duplicate_keys() {
        for (json, duplicate) in [
            (r#"{"a": 1, "b": {"a": 2}}"#, false),
            (r#"{"a": 1, "a": 2}"#, true),
            (r#"{"id": 1, "\u0069d": 2}"#, true),
            (r#"[{"a": "a"}, {"a": ["a", {"a": 1}]}]"#, false),
            (r#"{"x": {"k": 1, "k\"": 2, "k": 3}}"#, true),
            (r#"{"a\\": 1, "a": 2}"#, false),
        ] {
            assert_eq!(has_duplicate_keys(json.as_bytes()), duplicate, "{json}");
        }
    }
}
