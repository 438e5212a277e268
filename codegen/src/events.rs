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
    /// What strict deserialization checks beyond what the field's type checks.
    pub strict_checks: Vec<StrictCheck>,
}

/// A constraint of a field that its Rust type does not enforce by itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StrictCheck {
    /// `const`: the string value is exactly this.
    Const(String),
    /// `format: uri`.
    Uri,
    /// `minimum`, when above the range of the Rust integer type.
    Minimum(i128),
    /// `maximum`, when below the range of the Rust integer type.
    Maximum(i128),
    /// `minItems`.
    MinItems(u64),
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

impl EventDef {
    /// The field that names the call the event is about: `call_id`, of type `CallId`. An event
    /// type may have none.
    pub fn call_id(&self) -> Option<&FieldDef> {
        self.fields.iter().find(|field| field.json_name == "call_id" && field.ty == FieldType::Named("CallId".into()))
    }
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
        let fields = collect_fields(model, data, definitions, &mut diagnostics);
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

/// A typed request body, from a schema file whose root is an object.
#[derive(Debug, Clone)]
pub struct RequestDef {
    /// Such as `CreateWebhookRequest`, from the schema's title.
    pub rust_name: String,
    pub title: String,
    pub doc: String,
    pub schema_path: String,
    /// The function of `audian_events::validation` that checks it.
    pub validator: String,
    pub fields: Vec<FieldDef>,
    pub example: Option<Value>,
}

/// Reads request bodies: `(schema path, validator function)` pairs.
pub fn collect_requests(
    set: &SchemaSet,
    model: &Model,
    files: &[(&str, &str)],
    definitions: &[Definition],
) -> Result<Vec<RequestDef>, Diagnostics> {
    let mut diagnostics = Diagnostics::new();
    let mut requests = Vec::new();
    for (schema_path, validator) in files {
        let Some(root) = model.files.get(*schema_path) else { continue };
        let Some(keywords) = root.keywords() else {
            diagnostics.error(root.location.clone(), "expected an object schema");
            continue;
        };
        let title = keywords.title.clone().unwrap_or_default();
        let Some(rust_name) = shape::variant_name(&title) else {
            diagnostics.error(root.location.clone(), "a request body needs a `title` to name its Rust type");
            continue;
        };
        let fields = collect_fields(model, keywords, definitions, &mut diagnostics);
        requests.push(RequestDef {
            rust_name,
            title,
            doc: shape::doc_of(keywords),
            schema_path: (*schema_path).to_owned(),
            validator: (*validator).to_owned(),
            fields,
            example: set.examples_of(schema_path).next().map(|example| example.value.clone()),
        });
    }
    diagnostics.finish(requests)
}

/// The typed fields of an object schema, in the order written.
fn collect_fields(
    model: &Model,
    object: &crate::model::Keywords,
    definitions: &[Definition],
    diagnostics: &mut Diagnostics,
) -> Vec<FieldDef> {
    let mut fields = Vec::new();
    for (json_name, schema) in &object.properties {
        let Some(ident) = shape::field_ident(json_name) else {
            diagnostics.error(
                schema.location.clone(),
                format!("the field name {json_name:?} is not a snake_case Rust identifier"),
            );
            continue;
        };
        if !object.required.contains(json_name) {
            diagnostics.error(
                schema.location.clone(),
                "optional fields are not supported yet: every documented field is required",
            );
            continue;
        }
        let Some(ty) = shape::field_type(model, schema, diagnostics) else { continue };
        let representation = resolve_alias(&ty, definitions);
        let keywords = schema.keywords().expect("typed fields are schema objects");
        let strict_checks = match strict_checks(model, schema, &representation, definitions) {
            Ok(checks) => checks,
            Err(message) => {
                diagnostics.error(schema.location.clone(), message);
                continue;
            }
        };
        fields.push(FieldDef {
            json_name: json_name.clone(),
            ident,
            ty,
            representation,
            doc: shape::doc_of(keywords),
            constraints: constraints(model, schema),
            strict_checks,
        });
    }
    fields
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
            out.push(format!("pattern `{}`", pattern.source));
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

/// The checks strict deserialization makes for a field, beyond its type: every keyword on the
/// way from the field through aliases is either enforced by the Rust type or becomes a check;
/// anything else is refused, so that strict parsing accepts exactly what the schema accepts.
fn strict_checks(
    model: &Model,
    schema: &crate::model::Schema,
    representation: &FieldType,
    definitions: &[Definition],
) -> Result<Vec<StrictCheck>, String> {
    let (natural_min, natural_max) = match representation {
        FieldType::U64 => (Some(0), Some(i128::from(u64::MAX))),
        FieldType::I64 => (Some(i128::from(i64::MIN)), Some(i128::from(i64::MAX))),
        _ => (None, None),
    };
    let mut checks = Vec::new();
    let mut current = Some(schema);
    while let Some(schema) = current {
        let keywords = schema.keywords().ok_or("a boolean schema has no Rust type")?;
        let named = keywords.reference.as_ref().map(|reference| reference.name().to_owned());
        // A newtype or an enumeration checks its own pattern, length and values: stop there.
        let is_named_type =
            |name: &str| definitions.iter().any(|d| d.name() == name && !matches!(d, Definition::Alias { .. }));
        if let Some(constant) = &keywords.constant {
            let value = constant.as_str().ok_or("only string `const`s can be checked on a typed field")?;
            checks.push(StrictCheck::Const(value.to_owned()));
        }
        if keywords.format == Some(crate::model::Format::Uri) {
            checks.push(StrictCheck::Uri);
        }
        let bound = |number: &serde_json::Number| {
            number.as_i64().map(i128::from).or(number.as_u64().map(i128::from)).ok_or("integer bounds must be integers")
        };
        if let Some(minimum) = &keywords.minimum {
            let minimum = bound(minimum)?;
            if natural_min.is_none_or(|natural| minimum > natural) {
                checks.push(StrictCheck::Minimum(minimum));
            }
        }
        if let Some(maximum) = &keywords.maximum {
            let maximum = bound(maximum)?;
            if natural_max.is_none_or(|natural| maximum < natural) {
                checks.push(StrictCheck::Maximum(maximum));
            }
        }
        if let Some(min_items) = keywords.min_items {
            checks.push(StrictCheck::MinItems(min_items));
        }
        if let Some(items) = &keywords.items {
            let items = items.keywords().ok_or("a boolean `items` schema has no Rust type")?;
            let plain = items.reference.is_some()
                || (items.enumeration.is_none()
                    && items.constant.is_none()
                    && items.pattern.is_none()
                    && items.format.is_none()
                    && items.min_length.is_none()
                    && items.minimum.is_none()
                    && items.maximum.is_none()
                    && items.items.is_none()
                    && items.min_items.is_none()
                    && items.one_of.is_empty());
            if !plain {
                return Err(
                    "constraints on array items other than `type` or a `$ref` are not supported in typed fields".into(),
                );
            }
        }
        let unchecked = !keywords.properties.is_empty()
            || keywords.additional_properties.is_some()
            || !keywords.one_of.is_empty()
            || (named.is_none()
                && (keywords.pattern.is_some() || keywords.min_length.is_some() || keywords.enumeration.is_some()));
        if unchecked {
            return Err("this field's constraints cannot be checked on its Rust type".into());
        }
        current = match &named {
            Some(name) if is_named_type(name) => None,
            _ => keywords.reference.as_ref().and_then(|reference| model.resolve(reference)),
        };
    }
    Ok(checks)
}
