//! The list of event types, read from the union schema `event.json`, and its consistency with
//! the event files and the `EventType` enumeration of `common.json`.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::diagnostic::{Diagnostics, Location, pointer_push};
use crate::source::{EVENTS_DIR, SchemaSet, UNION_FILE};

/// The definition in `common.json` that lists the event type names, for subscriptions.
pub const EVENT_TYPE_DEFINITION: (&str, &str) = ("common.json", "/$defs/EventType");

/// One event type of the union.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogEntry {
    /// The `event` field's value, such as `call.completed`.
    pub name: String,
    /// The schema file, such as `events/call.completed.json`.
    pub schema_path: String,
}

/// The event types, in the union's order.
#[derive(Debug, Clone, Default)]
pub struct EventCatalog {
    pub entries: Vec<CatalogEntry>,
}

impl EventCatalog {
    /// Reads the catalog; the union must be a `oneOf` of `$ref`s, one to each file of `events/`,
    /// each event's `event` property a `const` equal to its file name, and the `EventType`
    /// enumeration must list exactly these names.
    pub fn read(set: &SchemaSet) -> Result<EventCatalog, Diagnostics> {
        let mut diagnostics = Diagnostics::new();
        let mut catalog = EventCatalog::default();
        let Some(union) = set.file(UNION_FILE) else {
            diagnostics.error(Location::file(UNION_FILE), "the union schema of all events is missing");
            return Err(diagnostics);
        };
        let Some(branches) = union.document.get("oneOf").and_then(Value::as_array) else {
            diagnostics
                .error(Location::pointer(&union.display_path, ""), "expected a `oneOf` listing every event schema");
            return Err(diagnostics);
        };
        for (index, branch) in branches.iter().enumerate() {
            let pointer = pointer_push("/oneOf", &index.to_string());
            let location = Location::pointer(&union.display_path, &pointer);
            let Some(reference) = branch.get("$ref").and_then(Value::as_str) else {
                diagnostics.error(location, "expected `{\"$ref\": \"events/<event-name>.json\"}`");
                continue;
            };
            let target = match set.resolve(union, reference) {
                Ok(target) => target,
                Err(message) => {
                    diagnostics.error(location, message);
                    continue;
                }
            };
            let expected_name =
                target.file.path.strip_prefix(&format!("{EVENTS_DIR}/")).and_then(|name| name.strip_suffix(".json"));
            let Some(expected_name) = expected_name.filter(|_| target.pointer.is_empty()) else {
                diagnostics.error(location, format!("`$ref` {reference:?} must name a whole file of {EVENTS_DIR}/"));
                continue;
            };
            match target.schema.pointer("/properties/event/const").and_then(Value::as_str) {
                Some(name) if name == expected_name => {
                    catalog.entries.push(CatalogEntry { name: name.to_owned(), schema_path: target.file.path.clone() })
                }
                Some(name) => diagnostics.error(
                    Location::pointer(&target.file.display_path, "/properties/event/const"),
                    format!("the event type {name:?} differs from the file name {expected_name:?}"),
                ),
                None => diagnostics.error(
                    Location::pointer(&target.file.display_path, "/properties/event"),
                    format!(
                        "expected `\"event\": {{\"const\": \"{expected_name}\"}}`: the union tells events apart by it"
                    ),
                ),
            }
        }

        let listed: BTreeSet<&str> = catalog.entries.iter().map(|entry| entry.schema_path.as_str()).collect();
        if listed.len() != catalog.entries.len() {
            diagnostics.error(Location::pointer(&union.display_path, "/oneOf"), "an event schema is listed twice");
        }
        for file in set.files().filter(|file| file.path.starts_with(&format!("{EVENTS_DIR}/"))) {
            if !listed.contains(file.path.as_str()) {
                diagnostics.error(
                    Location::pointer(&union.display_path, "/oneOf"),
                    format!("{} is missing from the union", file.display_path.display()),
                );
            }
        }

        let (definitions_file, definition_pointer) = EVENT_TYPE_DEFINITION;
        if let Some(file) = set.file(definitions_file) {
            let enum_pointer = format!("{definition_pointer}/enum");
            let names: Vec<&str> = file
                .document
                .pointer(&enum_pointer)
                .and_then(Value::as_array)
                .map(|values| values.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let expected: Vec<&str> = catalog.entries.iter().map(|entry| entry.name.as_str()).collect();
            if names != expected {
                diagnostics.error(
                    Location::pointer(&file.display_path, enum_pointer),
                    format!("expected the event types of the union, in its order: {expected:?}; found {names:?}"),
                );
            }
        }
        diagnostics.finish(catalog)
    }
}
