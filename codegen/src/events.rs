//! The events of the union, each with its data fields typed: what the emitters print.

use proc_macro2::Ident;
use serde_json::Value;

use crate::catalog::EventCatalog;
use crate::diagnostic::Diagnostics;
use crate::model::Model;
use crate::shape::{self, Definition, FieldType};
use crate::source::SchemaSet;

/// One field of an event's `data`.
#[derive(Debug, Clone)]
pub struct FieldDef {
    pub json_name: String,
    pub ident: Ident,
    /// The type as written in the struct (an alias stays an alias).
    pub ty: FieldType,
    /// The type behind aliases, which decides how the field deserializes.
    pub representation: FieldType,
    pub doc: String,
    /// How the field is constrained, for the docs.
    pub constraints: Vec<String>,
}

/// One event type.
#[derive(Debug, Clone)]
pub struct EventDef {
    /// Such as `call.completed`.
    pub name: String,
    /// Such as `CallCompleted`.
    pub rust_name: String,
    pub description: String,
    pub schema_path: String,
    pub fields: Vec<FieldDef>,
    /// The documented example.
    pub example: Option<Value>,
}

/// Reads every event of the catalog into an [`EventDef`].
pub fn collect(
    set: &SchemaSet,
    model: &Model,
    catalog: &EventCatalog,
    definitions: &[Definition],
) -> Result<Vec<EventDef>, Diagnostics> {
    let mut diagnostics = Diagnostics::new();
    let mut events = Vec::new();
    for entry in &catalog.entries {
        let root = &model.files[&entry.schema_path];
        let Some(rust_name) = shape::variant_name(&entry.name) else {
            diagnostics.error(root.location.clone(), format!("the event type {:?} has no Rust name", entry.name));
            continue;
        };
        let description = root.keywords().and_then(|k| k.description.clone()).unwrap_or_default();
        let Some(data) = root.at("/properties/data").and_then(|data| data.keywords()) else {
            diagnostics.error(root.location.clone(), "expected a `data` property with a schema object");
            continue;
        };
        let mut fields = Vec::new();
        for (json_name, schema) in &data.properties {
            let Some(ident) = shape::field_ident(json_name) else {
                diagnostics.error(
                    schema.location.clone(),
                    format!("the field name {json_name:?} is not a snake_case Rust identifier"),
                );
                continue;
            };
            if !data.required.contains(json_name) {
                diagnostics.error(
                    schema.location.clone(),
                    "optional fields are not supported yet: every documented field is required",
                );
                continue;
            }
            let Some(ty) = shape::field_type(model, schema, &mut diagnostics) else { continue };
            let representation = resolve_alias(&ty, definitions);
            let keywords = schema.keywords().expect("typed fields are schema objects");
            fields.push(FieldDef {
                json_name: json_name.clone(),
                ident,
                ty,
                representation,
                doc: shape::doc_of(keywords),
                constraints: constraints(model, schema),
            });
        }
        let example = set.examples_of(&entry.schema_path).next().map(|example| example.value.clone());
        events.push(EventDef {
            name: entry.name.clone(),
            rust_name,
            description,
            schema_path: entry.schema_path.clone(),
            fields,
            example,
        });
    }
    diagnostics.finish(events)
}

fn resolve_alias(ty: &FieldType, definitions: &[Definition]) -> FieldType {
    match ty {
        FieldType::Named(name) => match definitions.iter().find(|definition| definition.name() == name) {
            Some(Definition::Alias { target, .. }) => resolve_alias(target, definitions),
            _ => ty.clone(),
        },
        FieldType::Vec(item) => FieldType::Vec(Box::new(resolve_alias(item, definitions))),
        other => other.clone(),
    }
}

/// The constraints of a field, in words, following `$ref`s.
fn constraints(model: &Model, schema: &crate::model::Schema) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = Some(schema);
    while let Some(schema) = current {
        let Some(keywords) = schema.keywords() else { break };
        if let Some(types) = &keywords.types {
            out.push(format!("type {}", types.iter().map(|t| t.name()).collect::<Vec<_>>().join(" or ")));
        }
        if let Some(constant) = &keywords.constant {
            out.push(format!("always `{constant}`"));
        }
        if let Some(values) = &keywords.enumeration {
            out.push(format!("one of {}", values.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", ")));
        }
        if let Some(pattern) = &keywords.pattern {
            out.push(format!("pattern `{pattern}`"));
        }
        if let Some(format) = keywords.format {
            out.push(format!("format `{}`", format.name()));
        }
        if let Some(min_length) = keywords.min_length {
            out.push(format!("at least {min_length} characters"));
        }
        if let Some(minimum) = &keywords.minimum {
            out.push(format!("minimum {minimum}"));
        }
        if let Some(maximum) = &keywords.maximum {
            out.push(format!("maximum {maximum}"));
        }
        if let Some(min_items) = keywords.min_items {
            out.push(format!("at least {min_items} items"));
        }
        if let Some(types) = keywords.items.as_ref().and_then(|items| items.keywords()?.types.as_ref()) {
            out.push(format!("items of type {}", types.iter().map(|t| t.name()).collect::<Vec<_>>().join(" or ")));
        }
        if !keywords.examples.is_empty() {
            out.push(format!(
                "for example {}",
                keywords.examples.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", ")
            ));
        }
        current = keywords.reference.as_ref().and_then(|reference| model.resolve(reference));
    }
    out
}
