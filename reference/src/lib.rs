//! The reference validator of the workspace: the `jsonschema` crate on a folder of JSON Schemas
//! (`schema/`, or `schema-tolerant/` derived from it), every `$ref` resolved among the folder's
//! own files by their `$id` (nothing is fetched), formats asserted.
//!
//! `cargo xtask generate` checks the schemas and their examples with it, the differential tests
//! and `cargo xtask fuzz` judge payloads with it, and the benchmarks measure it: it is built in
//! one place so that they all judge alike.
//!
//! ```no_run
//! let schemas = audian_events_reference::Schemas::read(&audian_events_reference::schema_dir())?;
//! let any_event = schemas.validator("event.json")?;
//! # let payload = serde_json::json!({});
//! for error in any_event.iter_errors(&payload) {
//!     println!("{}: {}", error.instance_path().as_str(), audian_events_reference::message(&error));
//! }
//! # Ok::<(), String>(())
//! ```

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

pub use jsonschema::{ReferencingError, Registry, ValidationError, Validator};
use serde_json::Value;

/// Longest error message of the reference validator kept, in characters: its messages quote the
/// instance, which may be a whole payload.
pub const MESSAGE_LIMIT: usize = 240;

/// The repository's `schema/` folder.
pub fn schema_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("schema")
}

/// The repository's `schema-tolerant/` folder, derived from `schema/` by `cargo xtask generate`.
pub fn tolerant_schema_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("schema-tolerant")
}

/// Indexes schema documents by their `$id`, for the `$ref`s among them. Nothing else resolves: a
/// `$ref` to any other URI fails when a validator is built (the workspace's `jsonschema` has no
/// HTTP client).
pub fn registry<'a>(
    resources: impl IntoIterator<Item = (&'a str, &'a Value)>,
) -> Result<Registry<'a>, ReferencingError> {
    Registry::new().extend(resources)?.prepare()
}

/// The reference validator of `schema`, its `$ref`s resolved in `registry`, formats asserted
/// (`date-time`, `uri`: the schemas mean them as constraints, not annotations).
pub fn validator(registry: &Registry<'_>, schema: &Value) -> Result<Validator, ValidationError<'static>> {
    jsonschema::options().with_registry(registry).should_validate_formats(true).build(schema)
}

/// The message of an error of the reference validator, cut at [`MESSAGE_LIMIT`] characters.
pub fn message(error: &ValidationError<'_>) -> String {
    shorten(&error.to_string(), MESSAGE_LIMIT)
}

/// `text` cut to `limit` characters, with `...` when something was cut.
pub fn shorten(text: &str, limit: usize) -> String {
    match text.char_indices().nth(limit) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_owned(),
    }
}

/// A schema file of a folder.
#[derive(Debug, Clone)]
pub struct SchemaFile {
    /// Relative to the folder, `/`-separated: `event.json`, `events/call.held.json`.
    pub path: String,
    /// Its `$id`.
    pub id: String,
    pub document: Value,
}

/// The schema files of a folder: every `.json` file in it and its subfolders, except those of
/// `examples/`, sorted by path.
#[derive(Debug, Clone)]
pub struct Schemas {
    dir: PathBuf,
    files: Vec<SchemaFile>,
}

impl Schemas {
    /// Reads the schema files of `dir`; each must be JSON with a string `$id`.
    pub fn read(dir: &Path) -> Result<Schemas, String> {
        let mut paths = Vec::new();
        json_files(dir, &dir.join("examples"), &mut paths)?;
        let mut files = Vec::new();
        for path in paths {
            let document = read_json(&path)?;
            let id = document
                .get("$id")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("{} has no string `$id`", path.display()))?
                .to_owned();
            let relative = path.strip_prefix(dir).expect("a file found under the folder");
            let relative: Vec<_> = relative.components().map(|part| part.as_os_str().to_string_lossy()).collect();
            files.push(SchemaFile { path: relative.join("/"), id, document });
        }
        if files.is_empty() {
            return Err(format!("no schema in {}", dir.display()));
        }
        Ok(Schemas { dir: dir.to_path_buf(), files })
    }

    /// The folder read.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn files(&self) -> &[SchemaFile] {
        &self.files
    }

    /// The file at `path` (relative to the folder, `/`-separated).
    pub fn get(&self, path: &str) -> Option<&SchemaFile> {
        self.files.iter().find(|file| file.path == path)
    }

    /// The schemas of the events, one file per event type in `events/`, sorted by path.
    pub fn events(&self) -> impl Iterator<Item = &SchemaFile> {
        self.files.iter().filter(|file| file.path.strip_prefix("events/").is_some_and(|name| !name.contains('/')))
    }

    /// Every file indexed by its `$id`.
    pub fn registry(&self) -> Result<Registry<'_>, String> {
        registry(self.files.iter().map(|file| (file.id.as_str(), &file.document)))
            .map_err(|error| format!("cannot index the schemas of {} by `$id`: {error}", self.dir.display()))
    }

    /// The reference validator of the file at `path`: `event.json` validates any event.
    pub fn validator(&self, path: &str) -> Result<Validator, String> {
        let file = self.get(path).ok_or_else(|| format!("no {path} in {}", self.dir.display()))?;
        self.compile(&self.registry()?, file)
    }

    /// The reference validator of every file, by path.
    pub fn validators(&self) -> Result<BTreeMap<String, Validator>, String> {
        let registry = self.registry()?;
        self.files.iter().map(|file| Ok((file.path.clone(), self.compile(&registry, file)?))).collect()
    }

    fn compile(&self, registry: &Registry<'_>, file: &SchemaFile) -> Result<Validator, String> {
        validator(registry, &file.document).map_err(|error| {
            format!(
                "the reference validator cannot compile {} (at {}): {error}",
                self.dir.join(&file.path).display(),
                error.schema_path().as_str()
            )
        })
    }
}

/// A JSON file, parsed.
pub fn read_json(path: &Path) -> Result<Value, String> {
    let text = fs::read_to_string(path).map_err(|error| format!("cannot read {}: {error}", path.display()))?;
    serde_json::from_str(&text).map_err(|error| format!("{} is not JSON: {error}", path.display()))
}

/// The `.json` files under `dir`, except under `skip`, sorted.
fn json_files(dir: &Path, skip: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = fs::read_dir(dir).map_err(|error| format!("cannot list {}: {error}", dir.display()))?;
    let mut paths = Vec::new();
    for entry in entries {
        paths.push(entry.map_err(|error| format!("cannot list {}: {error}", dir.display()))?.path());
    }
    paths.sort();
    for path in paths {
        if path == skip {
            continue;
        }
        if path.is_dir() {
            json_files(&path, skip, out)?;
        } else if path.extension().is_some_and(|extension| extension == "json") {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_repository_schemas_compile_and_judge_the_documented_examples() {
        let schemas = Schemas::read(&schema_dir()).unwrap_or_else(|error| panic!("{error}"));
        assert!(schemas.get("event.json").is_some() && schemas.get("common.json").is_some());
        assert!(schemas.files().iter().all(|file| !file.path.starts_with("examples/")));
        let validators = schemas.validators().unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(validators.len(), schemas.files().len());
        let mut judged = 0;
        for file in schemas.events() {
            let example = read_json(&schema_dir().join("examples").join(&file.path["events/".len()..])).unwrap();
            assert!(validators[&file.path].is_valid(&example), "{}", file.path);
            assert!(validators["event.json"].is_valid(&example), "{}", file.path);
            let mut broken = example.clone();
            broken["timestamp"] = Value::from("2024-01-15 10:30:00Z");
            let errors: Vec<_> = validators["event.json"].iter_errors(&broken).map(|error| message(&error)).collect();
            assert!(!errors.is_empty(), "{}: a date-time format is asserted", file.path);
            judged += 1;
        }
        assert!(judged > 0, "no event schemas in {}", schema_dir().display());
    }

    #[test]
    fn shorten_cuts_at_a_character_boundary() {
        assert_eq!(shorten("abc", 3), "abc");
        assert_eq!(shorten("abcd", 3), "abc...");
        assert_eq!(shorten("ééé", 2), "éé...");
    }
}
