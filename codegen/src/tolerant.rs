//! The tolerant reading: the canonical event schemas with additive evolution allowed and
//! nothing else relaxed, derived as JSON Schema documents (written to `schema-tolerant/`).
//!
//! The transformation, over every file the union `event.json` reaches:
//!
//! 1. `"additionalProperties": false` is removed, at every object level: a property the
//!    schema does not name is allowed.
//! 2. A `$defs` string enumeration whose Rust type keeps unknown values (every one: see
//!    [`shape::Definition::StringEnum`]) becomes `"type": "string"`, its known values kept as
//!    `examples`. A `const` beside a `$ref` to it (an event's own `status`) stays.
//! 3. The union gains one `oneOf` branch, `#/$defs/UnknownEvent`: a valid envelope
//!    (`#/$defs/Envelope`: the events' own `id` and `timestamp` schemas, a non-empty string
//!    `event`, an object `data`) whose `event` is `not` one of the known types. The branches stay
//!    mutually exclusive, so a known event is judged by its own schema alone.
//! 4. `$defs` the union does not reach (the subscription pieces) are left out, and each `$id`
//!    gains a `tolerant/` folder: `.../schema/events/x.json` becomes
//!    `.../schema/tolerant/events/x.json`, so that relative `$ref`s keep their targets.
//!
//! Every place relaxed is recorded as a [`Relaxation`], keyed by the schema path that the
//! *strict* validator reports there, so that a payload the tolerant reading accepts and the
//! strict one refuses can be told apart into its drift: which property, value or event type
//! is new.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::{Map, Value, json};

use crate::catalog::EventCatalog;
use crate::diagnostic::{Diagnostics, Location, pointer_push};
use crate::model::Model;
use crate::shape::{self, Definition};
use crate::source::{SchemaSet, UNION_FILE, for_each_ref};

/// The folder, relative to the workspace, of the derived tolerant schemas.
pub const TOLERANT_DIR: &str = "schema-tolerant";

/// The definitions the transformation adds to the union.
pub const ENVELOPE_DEFINITION: &str = "Envelope";
pub const UNKNOWN_EVENT_DEFINITION: &str = "UnknownEvent";

/// What a relaxed place lets through that the strict reading refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DriftKind {
    /// A property the schema does not name.
    UnknownProperty,
    /// A value of an open enumeration that this version does not know.
    UnknownValue,
    /// An event type that this version does not know.
    UnknownEventType,
}

impl DriftKind {
    /// The name of the variant of `audian_events::validation::DriftKind`.
    pub fn variant(self) -> &'static str {
        match self {
            DriftKind::UnknownProperty => "UnknownProperty",
            DriftKind::UnknownValue => "UnknownValue",
            DriftKind::UnknownEventType => "UnknownEventType",
        }
    }
}

/// One place the tolerant reading relaxes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Relaxation {
    /// The schema path of the strict keyword relaxed, as the strict validator reports it:
    /// `events/call.completed.json#/properties/data/additionalProperties`.
    pub schema_path: String,
    pub kind: DriftKind,
}

/// The tolerant schemas: documents keyed by their path relative to the schema root, and the
/// places relaxed.
#[derive(Debug, Clone)]
pub struct Tolerant {
    pub documents: Vec<(String, Value)>,
    pub relaxations: Vec<Relaxation>,
}

/// Derives the tolerant schemas from the canonical set and loads them as a set of their own,
/// named `schema-tolerant/` in messages.
pub fn derive_set(
    set: &SchemaSet,
    model: &Model,
    catalog: &EventCatalog,
) -> Result<(Tolerant, SchemaSet), Diagnostics> {
    let tolerant = derive(set, model, catalog)?;
    let tolerant_set = SchemaSet::from_documents(Path::new(TOLERANT_DIR), tolerant.documents.clone())?;
    Ok((tolerant, tolerant_set))
}

/// Derives the tolerant schemas from the canonical set.
pub fn derive(set: &SchemaSet, model: &Model, catalog: &EventCatalog) -> Result<Tolerant, Diagnostics> {
    let mut diagnostics = Diagnostics::new();
    let reached = reached_definitions(set);
    let open_enumerations = open_enumerations(model);
    let mut relaxations = Vec::new();
    let mut documents = Vec::new();
    for file in set.files() {
        if !reached.files.contains(&file.path) {
            continue;
        }
        let mut document = file.document.clone();
        let Some(object) = document.as_object_mut() else { continue };
        if let Some(Value::Object(defs)) = object.get_mut("$defs") {
            defs.retain(|name, _| reached.definitions.contains(&(file.path.clone(), pointer_push("/$defs", name))));
            if defs.is_empty() {
                object.remove("$defs");
            }
        }
        match tolerant_id(&file.id, &file.path) {
            Some(id) => {
                object.insert("$id".into(), Value::String(id));
            }
            None => diagnostics.error(
                Location::pointer(&file.display_path, "/$id"),
                format!(
                    "expected the `$id` to end with the file's path, {:?}, to derive the tolerant schema's",
                    file.path
                ),
            ),
        }
        let context = Context { file: &file.path, open_enumerations: &open_enumerations };
        relax(&mut document, "", &context, &mut relaxations);
        if file.path == UNION_FILE {
            if let Err(message) = add_unknown_event(&mut document, set, catalog) {
                diagnostics.error(Location::pointer(&file.display_path, ""), message);
            }
            relaxations
                .push(Relaxation { schema_path: format!("{UNION_FILE}#/oneOf"), kind: DriftKind::UnknownEventType });
        }
        mark_derived(&mut document, &file.path);
        documents.push((file.path.clone(), document));
    }
    relaxations.sort();
    diagnostics.finish(Tolerant { documents, relaxations })
}

/// The files and `$defs` entries the union reaches through `$ref`s.
struct Reached {
    files: BTreeSet<String>,
    definitions: BTreeSet<(String, String)>,
}

fn reached_definitions(set: &SchemaSet) -> Reached {
    let mut reached = Reached { files: BTreeSet::new(), definitions: BTreeSet::new() };
    let mut pending: Vec<(String, String)> = vec![(UNION_FILE.to_owned(), String::new())];
    let mut visited = BTreeSet::new();
    while let Some((path, pointer)) = pending.pop() {
        if !visited.insert((path.clone(), pointer.clone())) {
            continue;
        }
        let Some(file) = set.file(&path) else { continue };
        reached.files.insert(path.clone());
        if pointer.starts_with("/$defs/") {
            reached.definitions.insert((path.clone(), pointer.clone()));
        }
        let Some(schema) = file.document.pointer(&pointer) else { continue };
        for_each_ref(schema, &pointer, &mut |_, reference| {
            if let Ok(target) = set.resolve(file, reference) {
                pending.push((target.file.path.clone(), target.pointer.clone()));
            }
        });
    }
    reached
}

/// The `$defs` entries, by file and pointer, whose Rust type keeps unknown values.
fn open_enumerations(model: &Model) -> BTreeSet<(String, String)> {
    let mut open = BTreeSet::new();
    for (path, schema) in &model.files {
        let Some(keywords) = schema.keywords() else { continue };
        for (name, definition) in &keywords.defs {
            // Errors here are the main generator's to report.
            let mut ignored = Diagnostics::new();
            if let Some(Definition::StringEnum { .. }) = shape::definition(model, name, definition, &mut ignored) {
                open.insert((path.clone(), pointer_push("/$defs", name)));
            }
        }
    }
    open
}

struct Context<'a> {
    file: &'a str,
    open_enumerations: &'a BTreeSet<(String, String)>,
}

/// Relaxes one schema and, recursively, its subschemas.
fn relax(schema: &mut Value, pointer: &str, context: &Context<'_>, relaxations: &mut Vec<Relaxation>) {
    let Some(object) = schema.as_object_mut() else { return };
    if object.get("additionalProperties") == Some(&Value::Bool(false)) {
        object.remove("additionalProperties");
        relaxations.push(Relaxation {
            schema_path: format!("{}#{}", context.file, pointer_push(pointer, "additionalProperties")),
            kind: DriftKind::UnknownProperty,
        });
    }
    if context.open_enumerations.contains(&(context.file.to_owned(), pointer.to_owned()))
        && let Some(values) = object.remove("enum")
    {
        object.entry("type").or_insert_with(|| json!("string"));
        object.entry("examples").or_insert(values);
        relaxations.push(Relaxation {
            schema_path: format!("{}#{}", context.file, pointer_push(pointer, "enum")),
            kind: DriftKind::UnknownValue,
        });
    }
    for (keyword, value) in object.iter_mut() {
        let here = pointer_push(pointer, keyword);
        match (keyword.as_str(), value) {
            ("properties" | "$defs", Value::Object(schemas)) => {
                for (name, subschema) in schemas.iter_mut() {
                    relax(subschema, &pointer_push(&here, name), context, relaxations);
                }
            }
            ("oneOf", Value::Array(branches)) => {
                for (index, branch) in branches.iter_mut().enumerate() {
                    relax(branch, &pointer_push(&here, &index.to_string()), context, relaxations);
                }
            }
            ("items" | "additionalProperties", subschema) => relax(subschema, &here, context, relaxations),
            _ => {}
        }
    }
}

/// Adds the unknown-event branch and the envelope to the union.
fn add_unknown_event(union: &mut Value, set: &SchemaSet, catalog: &EventCatalog) -> Result<(), String> {
    let known: Vec<&str> = catalog.entries.iter().map(|entry| entry.name.as_str()).collect();
    let id = shared_property_reference(set, catalog, "id")?;
    let timestamp = shared_property_reference(set, catalog, "timestamp")?;
    let envelope = json!({
        "title": "Envelope",
        "description": "What every Audian event has, whatever its type: an event id, a date-time `timestamp`, a non-empty `event` type and an object `data`.",
        "type": "object",
        "required": ["id", "timestamp", "event", "data"],
        "properties": {
            "id": {"$ref": id},
            "timestamp": {"$ref": timestamp},
            "event": {"type": "string", "minLength": 1},
            "data": {"type": "object"}
        }
    });
    let unknown_event = json!({
        "title": "Unknown event",
        "description": "An event type this version does not know, with a valid envelope.",
        "$ref": format!("#/$defs/{ENVELOPE_DEFINITION}"),
        "properties": {
            "event": {"not": {"enum": known}}
        }
    });
    let object = union.as_object_mut().ok_or("expected the union to be an object")?;
    let defs = object.entry("$defs").or_insert_with(|| Value::Object(Map::new()));
    let defs = defs.as_object_mut().ok_or("expected `$defs` to be an object")?;
    defs.insert(ENVELOPE_DEFINITION.into(), envelope);
    defs.insert(UNKNOWN_EVENT_DEFINITION.into(), unknown_event);
    let branches = object.get_mut("oneOf").and_then(Value::as_array_mut).ok_or("expected a `oneOf`")?;
    branches.push(json!({"$ref": format!("#/$defs/{UNKNOWN_EVENT_DEFINITION}")}));
    Ok(())
}

/// The `$ref` that every event gives its envelope property `name`, relative to the union.
fn shared_property_reference(set: &SchemaSet, catalog: &EventCatalog, name: &str) -> Result<String, String> {
    let mut targets = BTreeMap::new();
    for entry in &catalog.entries {
        let file = set.file(&entry.schema_path).ok_or_else(|| format!("{} is missing", entry.schema_path))?;
        let reference = file
            .document
            .pointer(&format!("/properties/{name}/$ref"))
            .and_then(Value::as_str)
            .ok_or_else(|| format!("{}: the envelope property {name:?} must be a `$ref`", entry.schema_path))?;
        let target = set.resolve(file, reference)?;
        targets.insert(format!("{}#{}", target.file.path, target.pointer), entry.schema_path.clone());
    }
    match targets.len() {
        1 => Ok(targets.into_keys().next().expect("one")),
        _ => Err(format!(
            "the events disagree on the schema of the envelope property {name:?} ({}): the tolerant envelope needs one",
            targets.keys().cloned().collect::<Vec<_>>().join(", ")
        )),
    }
}

/// `https://audian-events.dev/schema/events/x.json` becomes `.../schema/tolerant/events/x.json`.
fn tolerant_id(id: &str, path: &str) -> Option<String> {
    let base = id.strip_suffix(path)?;
    Some(format!("{base}tolerant/{path}"))
}

fn mark_derived(document: &mut Value, path: &str) {
    if let Some(object) = document.as_object_mut() {
        object.insert(
            "$comment".into(),
            Value::String(format!(
                "@generated by `cargo xtask generate` from schema/{path}: the tolerant reading (schema/README.md). Do not edit."
            )),
        );
    }
}
