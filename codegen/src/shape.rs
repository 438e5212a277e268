//! From schemas to Rust shapes: which Rust type each schema becomes. The emitters only print
//! what this module decided; a schema it cannot type is an error that names where it is.

use quote::format_ident;
use serde_json::Value;

use crate::diagnostic::{Diagnostics, Location};
use crate::model::{Format, JsonType, Keywords, Model, Schema};
use crate::pattern::Pattern;

/// The Rust type of a field.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldType {
    String,
    /// `chrono::DateTime<FixedOffset>`, for `format: date-time`: the instant and the offset it was written with.
    Timestamp,
    /// `u64`: an integer whose bounds fit it.
    U64,
    /// `i64`: an integer whose bounds fit it.
    I64,
    /// A named type from `$defs`, by its Rust name.
    Named(String),
    Vec(Box<FieldType>),
}

/// A named type generated from a `$defs` entry.
#[derive(Debug, Clone, PartialEq)]
pub enum Definition {
    /// A string checked by a pattern and a minimum length: a newtype.
    Newtype { name: String, doc: String, pattern: Option<Pattern>, min_length: Option<u64> },
    /// A closed list of strings: an enum that also keeps unknown values.
    StringEnum { name: String, doc: String, values: Vec<String> },
    /// Another name for a field type, such as `Timestamp` for `chrono::DateTime<FixedOffset>`.
    Alias { name: String, doc: String, target: FieldType },
    /// A `oneOf` of string constants and string enumerations: an enum with a unit variant per
    /// constant and a newtype variant per enumeration, such as `*` or an event type.
    Selector { name: String, doc: String, choices: Vec<Choice> },
}

impl Definition {
    pub fn name(&self) -> &str {
        match self {
            Definition::Newtype { name, .. }
            | Definition::StringEnum { name, .. }
            | Definition::Alias { name, .. }
            | Definition::Selector { name, .. } => name,
        }
    }
}

/// One branch of a [`Definition::Selector`].
#[derive(Debug, Clone, PartialEq)]
pub enum Choice {
    /// A string constant, such as `*`, as a unit variant.
    Constant { variant: String, doc: String, value: String },
    /// A string enumeration defined elsewhere, as a newtype variant holding it.
    Enumeration { variant: String, doc: String, type_name: String },
}

/// The documentation of a schema: its title and description.
pub fn doc_of(keywords: &Keywords) -> String {
    match (&keywords.title, &keywords.description) {
        (Some(title), Some(description)) => format!("{title}\n\n{description}"),
        (Some(text), None) | (None, Some(text)) => text.clone(),
        (None, None) => String::new(),
    }
}

/// Decides the named type of one `$defs` entry.
pub fn definition(model: &Model, name: &str, schema: &Schema, diagnostics: &mut Diagnostics) -> Option<Definition> {
    let location = &schema.location;
    let Some(keywords) = schema.keywords() else {
        diagnostics.error(location.clone(), "a boolean schema has no Rust type");
        return None;
    };
    let doc = doc_of(keywords);
    let name = name.to_owned();
    if !keywords.one_of.is_empty() {
        let choices =
            keywords.one_of.iter().map(|branch| choice(model, branch, diagnostics)).collect::<Option<Vec<_>>>()?;
        return Some(Definition::Selector { name, doc, choices });
    }
    if let Some(values) = &keywords.enumeration {
        let strings: Option<Vec<String>> = values.iter().map(|value| value.as_str().map(str::to_owned)).collect();
        let Some(values) = strings else {
            diagnostics.error(location.clone(), "only enumerations of strings have a Rust type");
            return None;
        };
        for value in &values {
            if variant_name(value).is_none() {
                diagnostics
                    .error(location.clone(), format!("the enumeration value {value:?} has no Rust variant name"));
            }
        }
        return Some(Definition::StringEnum { name, doc, values });
    }
    match field_type_of_keywords(keywords, location, diagnostics)? {
        FieldType::String if keywords.pattern.is_some() || keywords.min_length.is_some() => {
            Some(Definition::Newtype { name, doc, pattern: keywords.pattern.clone(), min_length: keywords.min_length })
        }
        target => Some(Definition::Alias { name, doc, target }),
    }
}

/// A `oneOf` branch of a selector: a titled string `const`, or a `$ref` to a string enumeration.
fn choice(model: &Model, branch: &Schema, diagnostics: &mut Diagnostics) -> Option<Choice> {
    let refuse = |diagnostics: &mut Diagnostics| {
        diagnostics.error(
            branch.location.clone(),
            "a `oneOf` branch of a typed definition must be a titled string `const` or a `$ref` to a string enumeration",
        );
        None
    };
    let Some(keywords) = branch.keywords() else { return refuse(diagnostics) };
    let doc = doc_of(keywords);
    if let (Some(value), Some(title), None) = (const_string(keywords), &keywords.title, &keywords.reference) {
        let Some(variant) = variant_name(title) else { return refuse(diagnostics) };
        return Some(Choice::Constant { variant, doc, value: value.to_owned() });
    }
    let Some(reference) = &keywords.reference else { return refuse(diagnostics) };
    let is_string_enum = model
        .resolve(reference)
        .and_then(Schema::keywords)
        .and_then(|target| target.enumeration.as_ref())
        .is_some_and(|values| values.iter().all(Value::is_string));
    if !is_string_enum || keywords.constant.is_some() {
        return refuse(diagnostics);
    }
    let type_name = reference.name().to_owned();
    Some(Choice::Enumeration { variant: type_name.clone(), doc, type_name })
}

/// The field type of a property schema.
pub fn field_type(model: &Model, schema: &Schema, diagnostics: &mut Diagnostics) -> Option<FieldType> {
    let Some(keywords) = schema.keywords() else {
        diagnostics.error(schema.location.clone(), "a boolean schema has no Rust type");
        return None;
    };
    if let Some(reference) = &keywords.reference {
        if model.resolve(reference).is_none() {
            diagnostics.error(schema.location.clone(), format!("`$ref` {:?} does not resolve", reference.written));
            return None;
        }
        return Some(FieldType::Named(reference.name().to_owned()));
    }
    if keywords.enumeration.is_some() || keywords.pattern.is_some() || keywords.min_length.is_some() {
        diagnostics.error(
            schema.location.clone(),
            "an inline enumeration or constrained string has no name for its Rust type: define it under `$defs` and `$ref` it",
        );
        return None;
    }
    field_type_of_keywords(keywords, &schema.location, diagnostics)
}

fn field_type_of_keywords(
    keywords: &Keywords,
    location: &Location,
    diagnostics: &mut Diagnostics,
) -> Option<FieldType> {
    let single_type = match keywords.types.as_deref() {
        Some([single]) => *single,
        _ => {
            diagnostics.error(location.clone(), "a field needs exactly one `type` to have a Rust type");
            return None;
        }
    };
    match single_type {
        JsonType::String => Some(match keywords.format {
            Some(Format::DateTime) => FieldType::Timestamp,
            Some(Format::Uri) | None => FieldType::String,
        }),
        JsonType::Integer => integer_type(keywords, location, diagnostics),
        JsonType::Array => {
            let Some(items) = &keywords.items else {
                diagnostics.error(location.clone(), "an array needs `items` to have a Rust type");
                return None;
            };
            let item_keywords = items.keywords()?;
            if item_keywords.reference.is_some() {
                return Some(FieldType::Vec(Box::new(FieldType::Named(
                    item_keywords.reference.as_ref()?.name().to_owned(),
                ))));
            }
            Some(FieldType::Vec(Box::new(field_type_of_keywords(item_keywords, &items.location, diagnostics)?)))
        }
        other => {
            diagnostics.error(location.clone(), format!("fields of type {:?} are not supported", other.name()));
            None
        }
    }
}

fn integer_type(keywords: &Keywords, location: &Location, diagnostics: &mut Diagnostics) -> Option<FieldType> {
    let minimum = keywords.minimum.as_ref().and_then(|n| n.as_i64().map(i128::from).or(n.as_u64().map(i128::from)));
    let maximum = keywords.maximum.as_ref().and_then(|n| n.as_i64().map(i128::from).or(n.as_u64().map(i128::from)));
    match (minimum, maximum) {
        (Some(min), Some(max)) if min >= 0 && max <= i128::from(u64::MAX) => Some(FieldType::U64),
        (Some(min), Some(max)) if min >= i128::from(i64::MIN) && max <= i128::from(i64::MAX) => Some(FieldType::I64),
        _ => {
            diagnostics.error(
                location.clone(),
                "an integer needs integer `minimum` and `maximum` within the range of u64 or i64, so that every valid value fits its Rust type",
            );
            None
        }
    }
}

/// `call.completed` becomes `CallCompleted`, `no_answer` becomes `NoAnswer`.
pub fn variant_name(value: &str) -> Option<String> {
    let name: String = value
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(|word| {
            let mut chars = word.chars();
            let first = chars.next().map(|c| c.to_ascii_uppercase());
            first.into_iter().chain(chars).collect::<String>()
        })
        .collect();
    let valid = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
    (valid && syn::parse_str::<syn::Ident>(&name).is_ok()).then_some(name)
}

/// A field name as a Rust identifier, raw when it is a keyword.
pub fn field_ident(name: &str) -> Option<proc_macro2::Ident> {
    let valid = name.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !valid {
        return None;
    }
    Some(if syn::parse_str::<syn::Ident>(name).is_ok() { format_ident!("{name}") } else { format_ident!("r#{name}") })
}

/// The value of a `const` as a string, if it is one.
pub fn const_string(keywords: &Keywords) -> Option<&str> {
    keywords.constant.as_ref().and_then(Value::as_str)
}
