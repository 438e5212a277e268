//! Loading `schema/`: the schema files indexed by `$id`, `$ref` resolution among them alone,
//! and the documented examples paired with their schemas.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use fluent_uri::{Uri, UriRef};
use serde_json::Value;

use crate::diagnostic::{Diagnostic, Diagnostics, Location, Position, pointer_push};

/// The only dialect the schemas may declare.
pub const DRAFT_2020_12: &str = "https://json-schema.org/draft/2020-12/schema";

/// The folder of `schema/` that holds the documented examples rather than schemas.
pub const EXAMPLES_DIR: &str = "examples";
/// The folder whose schemas are the events, one file per event type.
pub const EVENTS_DIR: &str = "events";
/// The union of all events, checked against every event example.
pub const UNION_FILE: &str = "event.json";

/// One schema file.
#[derive(Debug, Clone)]
pub struct SchemaFile {
    /// Path relative to the schema root, with `/` separators, such as `events/call.completed.json`.
    pub path: String,
    /// Path as shown in messages, such as `schema/events/call.completed.json`.
    pub display_path: PathBuf,
    /// The absolute `$id`.
    pub id: String,
    pub document: Value,
}

/// One documented example payload.
#[derive(Debug, Clone)]
pub struct Example {
    /// Path relative to the schema root, such as `examples/call.completed.json`.
    pub path: String,
    pub display_path: PathBuf,
    /// The schema file (relative path) this example documents.
    pub schema_path: String,
    pub value: Value,
}

/// What a `$ref` points at.
#[derive(Debug, Clone)]
pub struct Target<'a> {
    pub file: &'a SchemaFile,
    /// JSON Pointer inside `file`.
    pub pointer: String,
    pub schema: &'a Value,
}

/// Every schema and example under one root folder.
#[derive(Debug, Clone)]
pub struct SchemaSet {
    root: PathBuf,
    files: BTreeMap<String, SchemaFile>,
    ids: BTreeMap<String, String>,
    examples: Vec<Example>,
}

impl SchemaSet {
    /// Loads and indexes every `*.json` under `root`; `display_root` is how `root` is named in
    /// messages. Reports every unreadable or malformed file, missing `$schema` or `$id`, duplicate
    /// `$id`, and `$ref` that does not resolve among these files.
    pub fn load(root: &Path, display_root: &Path) -> Result<SchemaSet, Diagnostics> {
        let mut diagnostics = Diagnostics::new();
        let mut paths = Vec::new();
        if let Err(error) = collect_json_files(root, root, &mut paths) {
            let location = Location::file(display_root);
            return Err(Diagnostic::new(location, format!("cannot read the schema folder: {error}")).into());
        }
        paths.sort();

        let mut documents = Vec::new();
        for relative in paths {
            let display_path = display_root.join(&relative);
            let text = match fs::read_to_string(root.join(&relative)) {
                Ok(text) => text,
                Err(error) => {
                    diagnostics.error(Location::file(&display_path), format!("cannot read: {error}"));
                    continue;
                }
            };
            match parse_json(&text, &display_path) {
                Ok(value) => documents.push((relative, value)),
                Err(error) => diagnostics.extend(error),
            }
        }
        match SchemaSet::from_documents(display_root, documents) {
            Ok(set) => diagnostics.finish(set),
            Err(more) => {
                diagnostics.extend(more);
                Err(diagnostics.finish(()).unwrap_err())
            }
        }
    }

    /// Indexes documents already parsed, each with its path relative to the schema root
    /// (`examples/...` for examples); the same checks as [`SchemaSet::load`].
    pub fn from_documents(display_root: &Path, documents: Vec<(String, Value)>) -> Result<SchemaSet, Diagnostics> {
        let mut diagnostics = Diagnostics::new();
        let mut set = SchemaSet {
            root: display_root.to_path_buf(),
            files: BTreeMap::new(),
            ids: BTreeMap::new(),
            examples: Vec::new(),
        };
        for (relative, value) in documents {
            let display_path = display_root.join(&relative);
            if relative.starts_with(&format!("{EXAMPLES_DIR}/")) {
                set.add_example(relative, display_path, value);
            } else {
                set.add_schema(relative, display_path, value, &mut diagnostics);
            }
        }
        set.check_refs(&mut diagnostics);
        diagnostics.finish(set)
    }

    fn add_example(&mut self, path: String, display_path: PathBuf, value: Value) {
        let schema_path = schema_path_of_example(&path);
        self.examples.push(Example { path, display_path, schema_path, value });
    }

    fn add_schema(&mut self, path: String, display_path: PathBuf, document: Value, diagnostics: &mut Diagnostics) {
        let Some(object) = document.as_object() else {
            diagnostics.error(Location::pointer(&display_path, ""), "expected a schema object at the root");
            return;
        };
        match object.get("$schema") {
            Some(Value::String(dialect)) if dialect == DRAFT_2020_12 => {}
            Some(other) => diagnostics.error(
                Location::pointer(&display_path, "/$schema"),
                format!("expected `$schema` to be \"{DRAFT_2020_12}\", found {other}"),
            ),
            None => diagnostics.error(
                Location::pointer(&display_path, ""),
                format!("missing `$schema`: every schema declares \"{DRAFT_2020_12}\""),
            ),
        }
        let id = match object.get("$id") {
            Some(Value::String(id)) => match Uri::parse(id.as_str()) {
                Ok(uri) if uri.fragment().is_none() => id.clone(),
                Ok(_) => {
                    diagnostics.error(
                        Location::pointer(&display_path, "/$id"),
                        format!("`$id` {id:?} must not have a fragment"),
                    );
                    return;
                }
                Err(error) => {
                    diagnostics.error(
                        Location::pointer(&display_path, "/$id"),
                        format!("`$id` {id:?} is not an absolute URI ({error}); every schema has an absolute `$id`"),
                    );
                    return;
                }
            },
            Some(other) => {
                diagnostics.error(
                    Location::pointer(&display_path, "/$id"),
                    format!("expected `$id` to be a string, found {other}"),
                );
                return;
            }
            None => {
                diagnostics
                    .error(Location::pointer(&display_path, ""), "missing `$id`: every schema has an absolute `$id`");
                return;
            }
        };
        if let Some(previous) = self.ids.get(&id) {
            diagnostics.error(
                Location::pointer(&display_path, "/$id"),
                format!("`$id` {id:?} is already used by {}", self.root.join(previous).display()),
            );
            return;
        }
        self.ids.insert(id.clone(), path.clone());
        self.files.insert(path.clone(), SchemaFile { path, display_path, id, document });
    }

    fn check_refs(&self, diagnostics: &mut Diagnostics) {
        for file in self.files.values() {
            for_each_ref(&file.document, "", &mut |pointer, reference| {
                if let Err(message) = self.resolve(file, reference) {
                    diagnostics.error(Location::pointer(&file.display_path, pointer_push(pointer, "$ref")), message);
                }
            });
        }
    }

    /// Resolves `reference`, written in `file`, among the loaded files alone.
    pub fn resolve<'a>(&'a self, file: &SchemaFile, reference: &str) -> Result<Target<'a>, String> {
        let base = Uri::parse(file.id.as_str()).map_err(|error| format!("bad base URI {:?}: {error}", file.id))?;
        let relative = UriRef::parse(reference)
            .map_err(|error| format!("`$ref` {reference:?} is not a URI reference: {error}"))?;
        let absolute = relative
            .resolve_against(&base)
            .map_err(|error| format!("`$ref` {reference:?} cannot be resolved against {:?}: {error}", file.id))?;
        let fragment = absolute.fragment().map(|f| f.decode().to_string_lossy().into_owned()).unwrap_or_default();
        let document_uri = absolute.strip_fragment().as_str().to_owned();
        let Some(target_path) = self.ids.get(&document_uri) else {
            return Err(format!(
                "`$ref` {reference:?} resolves to {document_uri:?}, which is the `$id` of no file in {}",
                self.root.display()
            ));
        };
        let target = &self.files[target_path];
        if !fragment.is_empty() && !fragment.starts_with('/') {
            return Err(format!(
                "`$ref` {reference:?} uses the plain-name fragment {fragment:?}; use a JSON Pointer fragment"
            ));
        }
        let (pointer, schema) = match target.document.pointer(&fragment) {
            Some(schema) => (fragment, schema),
            None => {
                return Err(format!(
                    "`$ref` {reference:?}: {} has nothing at the JSON Pointer {fragment:?}",
                    target.display_path.display()
                ));
            }
        };
        Ok(Target { file: target, pointer, schema })
    }

    /// The schema files, in path order.
    pub fn files(&self) -> impl Iterator<Item = &SchemaFile> {
        self.files.values()
    }

    pub fn file(&self, path: &str) -> Option<&SchemaFile> {
        self.files.get(path)
    }

    /// The examples, in path order.
    pub fn examples(&self) -> &[Example] {
        &self.examples
    }

    /// The examples a schema file is checked against: its own, or for the union every event's.
    pub fn examples_of<'a>(&'a self, schema_path: &'a str) -> impl Iterator<Item = &'a Example> + 'a {
        self.examples.iter().filter(move |example| {
            example.schema_path == schema_path
                || (schema_path == UNION_FILE && example.schema_path.starts_with(&format!("{EVENTS_DIR}/")))
        })
    }

    /// Whether a schema describes a payload (and so needs an example) rather than only holding
    /// `$defs` for other schemas to reference.
    pub fn is_definitions_only(file: &SchemaFile) -> bool {
        file.document.as_object().is_some_and(|object| {
            object
                .keys()
                .all(|key| matches!(key.as_str(), "$schema" | "$id" | "$comment" | "title" | "description" | "$defs"))
        })
    }

    /// Every schema has an example and every example has a schema.
    pub fn check_examples_pairing(&self) -> Diagnostics {
        let mut diagnostics = Diagnostics::new();
        for example in &self.examples {
            if !self.files.contains_key(&example.schema_path) {
                diagnostics.error(
                    Location::file(&example.display_path),
                    format!("this example has no schema: expected {}", self.root.join(&example.schema_path).display()),
                );
            }
        }
        for file in self.files.values() {
            if Self::is_definitions_only(file) {
                continue;
            }
            if self.examples_of(&file.path).next().is_none() {
                diagnostics.error(
                    Location::file(&file.display_path),
                    format!(
                        "this schema has no example: add one as {}",
                        self.root.join(example_path_of_schema(&file.path)).display()
                    ),
                );
            }
        }
        diagnostics
    }
}

/// `examples/call.completed.json` documents `events/call.completed.json`;
/// `examples/webhooks/create.all-events.json` documents `webhooks/create.json`.
pub fn schema_path_of_example(example_path: &str) -> String {
    let inner = example_path.strip_prefix(&format!("{EXAMPLES_DIR}/")).unwrap_or(example_path);
    let stem = inner.strip_suffix(".json").unwrap_or(inner);
    match stem.rsplit_once('/') {
        // At the top: named after the event, whose name has dots of its own.
        None => format!("{EVENTS_DIR}/{stem}.json"),
        Some((dir, name)) => {
            let schema_name = name.split_once('.').map_or(name, |(schema_name, _variant)| schema_name);
            format!("{dir}/{schema_name}.json")
        }
    }
}

/// Where the first example of a schema goes.
pub fn example_path_of_schema(schema_path: &str) -> String {
    match schema_path.strip_prefix(&format!("{EVENTS_DIR}/")) {
        Some(event) => format!("{EXAMPLES_DIR}/{event}"),
        None => format!("{EXAMPLES_DIR}/{schema_path}"),
    }
}

/// Parses JSON, turning a syntax error into a diagnostic with line and column.
pub fn parse_json(text: &str, display_path: &Path) -> Result<Value, Diagnostics> {
    serde_json::from_str(text).map_err(|error| {
        let location = Location {
            file: display_path.to_path_buf(),
            position: Position::LineColumn { line: error.line(), column: error.column() },
        };
        Diagnostics::from(Diagnostic::new(location, format!("malformed JSON: {error}")))
    })
}

fn collect_json_files(root: &Path, dir: &Path, out: &mut Vec<String>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            collect_json_files(root, &path, out)?;
        } else if path.extension().is_some_and(|ext| ext == "json") {
            let relative = path.strip_prefix(root).expect("walked from root");
            let parts: Vec<_> = relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
            out.push(parts.join("/"));
        }
    }
    Ok(())
}

/// Calls `visit(pointer, reference)` for every `$ref` in a schema document, skipping keywords
/// whose values are data rather than schemas.
pub fn for_each_ref(schema: &Value, pointer: &str, visit: &mut dyn FnMut(&str, &str)) {
    match schema {
        Value::Object(object) => {
            for (key, value) in object {
                match key.as_str() {
                    "$ref" => {
                        if let Value::String(reference) = value {
                            visit(pointer, reference);
                        }
                    }
                    "const" | "enum" | "examples" | "default" => {}
                    _ => for_each_ref(value, &pointer_push(pointer, key), visit),
                }
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                for_each_ref(item, &pointer_push(pointer, &index.to_string()), visit);
            }
        }
        _ => {}
    }
}
