//! The list of event types, read from the union schema `event.json`, and its consistency with
//! the event files and the `EventType` enumeration of `common.json`.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::diagnostic::{Diagnostics, Location, pointer_push};
use crate::model::Model;
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
    /// Parses the set's model and reads the catalog from it: see [`EventCatalog::of`], for a
    /// caller that has the model already.
    pub fn read(set: &SchemaSet) -> Result<EventCatalog, Diagnostics> {
        EventCatalog::of(&Model::parse(set)?)
    }

    /// Reads the catalog; the union must be a `oneOf` of `$ref`s, one to each file of `events/`,
    /// each event's `event` property a `const` equal to its file name, and the `EventType`
    /// enumeration must list exactly these names.
    pub fn of(model: &Model) -> Result<EventCatalog, Diagnostics> {
        let mut diagnostics = Diagnostics::new();
        let mut catalog = EventCatalog::default();
        let Some(union) = model.files.get(UNION_FILE) else {
            diagnostics.error(Location::file(UNION_FILE), "the union schema of all events is missing");
            return Err(diagnostics);
        };
        let union_file = &union.location.file;
        let Some(branches) = union.keywords().map(|keywords| &keywords.one_of).filter(|one_of| !one_of.is_empty())
        else {
            diagnostics.error(Location::pointer(union_file, ""), "expected a `oneOf` listing every event schema");
            return Err(diagnostics);
        };
        for (index, branch) in branches.iter().enumerate() {
            let location = Location::pointer(union_file, pointer_push("/oneOf", &index.to_string()));
            let Some(reference) = branch.keywords().and_then(|keywords| keywords.reference.as_ref()) else {
                diagnostics.error(location, "expected `{\"$ref\": \"events/<event-name>.json\"}`");
                continue;
            };
            let target = &reference.target;
            let expected_name =
                target.file.strip_prefix(&format!("{EVENTS_DIR}/")).and_then(|name| name.strip_suffix(".json"));
            let (Some(expected_name), Some(event_file)) =
                (expected_name.filter(|_| target.pointer.is_empty()), model.get(target))
            else {
                let written = &reference.written;
                diagnostics.error(location, format!("`$ref` {written:?} must name a whole file of {EVENTS_DIR}/"));
                continue;
            };
            let event_file_name = &event_file.location.file;
            let event = event_file.at("/properties/event").and_then(|event| event.keywords());
            match event.and_then(|event| event.constant.as_ref()).and_then(Value::as_str) {
                Some(name) if name == expected_name => {
                    catalog.entries.push(CatalogEntry { name: name.to_owned(), schema_path: target.file.clone() })
                }
                Some(name) => diagnostics.error(
                    Location::pointer(event_file_name, "/properties/event/const"),
                    format!("the event type {name:?} differs from the file name {expected_name:?}"),
                ),
                None => diagnostics.error(
                    Location::pointer(event_file_name, "/properties/event"),
                    format!(
                        "expected `\"event\": {{\"const\": \"{expected_name}\"}}`: the union tells events apart by it"
                    ),
                ),
            }
        }

        let listed: BTreeSet<&str> = catalog.entries.iter().map(|entry| entry.schema_path.as_str()).collect();
        if listed.len() != catalog.entries.len() {
            diagnostics.error(Location::pointer(union_file, "/oneOf"), "an event schema is listed twice");
        }
        for (path, file) in model.files.iter().filter(|(path, _)| path.starts_with(&format!("{EVENTS_DIR}/"))) {
            if !listed.contains(path.as_str()) {
                diagnostics.error(
                    Location::pointer(union_file, "/oneOf"),
                    format!("{} is missing from the union", file.location.file.display()),
                );
            }
        }

        let (definitions_file, definition_pointer) = EVENT_TYPE_DEFINITION;
        if let Some(file) = model.files.get(definitions_file) {
            let names: Vec<&str> = file
                .at(definition_pointer)
                .and_then(|definition| definition.keywords()?.enumeration.as_ref())
                .map(|values| values.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let expected: Vec<&str> = catalog.entries.iter().map(|entry| entry.name.as_str()).collect();
            if names != expected {
                diagnostics.error(
                    Location::pointer(&file.location.file, format!("{definition_pointer}/enum")),
                    format!("expected the event types of the union, in its order: {expected:?}; found {names:?}"),
                );
            }
        }
        diagnostics.finish(catalog)
    }
}
