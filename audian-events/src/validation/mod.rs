//! Validation against the schemas, by code generated from them: no schema is interpreted at
//! run time. The verdict is the reference validator's (the `jsonschema` crate, formats asserted)
//! on `schema/event.json`.

pub mod format;
#[doc(hidden)]
pub mod runtime;
pub(crate) mod strict_json;

use std::fmt;

use serde_json::Value;

use crate::{Event, ParseError};

/// Longest value quoted in a message, in characters.
const QUOTE_LIMIT: usize = 80;

/// One way a payload breaks the schemas.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    pub(crate) instance_path: String,
    pub(crate) keyword: &'static str,
    pub(crate) schema_path: &'static str,
    pub(crate) message: String,
}

impl ValidationError {
    /// Where in the payload, as a JSON Pointer such as `/data/from` (`""` for the whole payload).
    pub fn instance_path(&self) -> &str {
        &self.instance_path
    }

    /// The schema keyword that failed, such as `pattern`.
    pub fn keyword(&self) -> &'static str {
        self.keyword
    }

    /// Where that keyword is: the schema file and a JSON Pointer into it, such as
    /// `common.json#/$defs/PhoneNumber/pattern`.
    pub fn schema_path(&self) -> &'static str {
        self.schema_path
    }

    /// What was expected and what was found.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.instance_path.is_empty() { "(root)" } else { &self.instance_path };
        write!(f, "{path}: {}", self.message)
    }
}

impl std::error::Error for ValidationError {}

/// Every way a payload breaks the schemas; never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationErrors {
    errors: Vec<ValidationError>,
}

impl ValidationErrors {
    pub fn iter(&self) -> std::slice::Iter<'_, ValidationError> {
        self.errors.iter()
    }

    pub fn len(&self) -> usize {
        self.errors.len()
    }

    /// Always `false`: there is at least one error.
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, error) in self.errors.iter().enumerate() {
            if index > 0 {
                writeln!(f)?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

impl IntoIterator for ValidationErrors {
    type Item = ValidationError;
    type IntoIter = std::vec::IntoIter<ValidationError>;
    fn into_iter(self) -> Self::IntoIter {
        self.errors.into_iter()
    }
}

impl<'a> IntoIterator for &'a ValidationErrors {
    type Item = &'a ValidationError;
    type IntoIter = std::slice::Iter<'a, ValidationError>;
    fn into_iter(self) -> Self::IntoIter {
        self.errors.iter()
    }
}

/// Why a webhook body was refused: it is not JSON, or it is JSON that breaks the schemas.
#[derive(Debug)]
pub enum PayloadError {
    /// Not one JSON value: a syntax error, invalid UTF-8, a duplicate key, or nesting too deep.
    Malformed(ParseError),
    /// Valid JSON that is not a valid event.
    Invalid(ValidationErrors),
}

impl fmt::Display for PayloadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PayloadError::Malformed(error) => write!(f, "malformed JSON: {error}"),
            PayloadError::Invalid(errors) => write!(f, "invalid event:\n{errors}"),
        }
    }
}

impl std::error::Error for PayloadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PayloadError::Malformed(error) => Some(error),
            PayloadError::Invalid(errors) => Some(errors),
        }
    }
}

/// A generated validator, generic over how failures are reported.
type Check<R> = fn(&Value, &runtime::InstancePath<'_>, &mut R) -> bool;

fn collect_errors(check: Check<runtime::Collect>, value: &Value) -> Result<(), ValidationErrors> {
    let mut report = runtime::Collect::default();
    check(value, &runtime::InstancePath::Root, &mut report);
    if report.errors.is_empty() { Ok(()) } else { Err(ValidationErrors { errors: report.errors }) }
}

/// Checks a payload against the schemas and collects every error.
///
/// A missing or unknown `event` is one error that lists the known event types.
pub fn validate(value: &Value) -> Result<(), ValidationErrors> {
    collect_errors(crate::generated::validators::event, value)
}

/// Checks the body of a create-webhook request (`POST /v2/webhooks`).
pub fn validate_create_webhook(value: &Value) -> Result<(), ValidationErrors> {
    collect_errors(crate::generated::validators::webhooks_create, value)
}

/// Checks the body of an update-webhook request (`PATCH /v2/webhooks/{id}`).
pub fn validate_update_webhook(value: &Value) -> Result<(), ValidationErrors> {
    collect_errors(crate::generated::validators::webhooks_update, value)
}

/// Whether a payload is valid: the fast path, which stops at the first failure and allocates
/// nothing.
pub fn is_valid(value: &Value) -> bool {
    crate::generated::validators::event(value, &runtime::InstancePath::Root, &mut runtime::FirstFailure)
}

/// Parses and validates raw bytes.
pub fn validate_slice(bytes: &[u8]) -> Result<(), PayloadError> {
    let value = strict_json::from_slice(bytes).map_err(|error| PayloadError::Malformed(error.into()))?;
    validate(&value).map_err(PayloadError::Invalid)
}

/// Parses and validates a string.
pub fn validate_str(text: &str) -> Result<(), PayloadError> {
    let value = strict_json::from_str(text).map_err(|error| PayloadError::Malformed(error.into()))?;
    validate(&value).map_err(PayloadError::Invalid)
}

/// The receiver's one call: parses raw bytes into a typed [`Event`] if, and only if, they are a
/// valid event; otherwise says why, with every error.
pub fn parse_validated(bytes: &[u8]) -> Result<Event, PayloadError> {
    // The fast path: typed and validated in one pass. Anything it refuses is re-read by the
    // validator, which says why (or, should the two ever disagree, accepts it after all).
    if let Ok(event) = Event::from_slice_strict(bytes) {
        return Ok(event);
    }
    let value = strict_json::from_slice(bytes).map_err(|error| PayloadError::Malformed(error.into()))?;
    validate(&value).map_err(PayloadError::Invalid)?;
    // Valid payloads always fit the types (a test holds this for every input), so this only
    // fails if that promise is broken; it is reported, never unwrapped.
    serde_path_to_error::deserialize(&value).map_err(|error| PayloadError::Malformed(error.into()))
}

/// Panics, listing every error, unless `value` is a valid event. For tests of code that builds
/// or stores payloads.
#[track_caller]
pub fn assert_valid(value: &Value) {
    if let Err(errors) = validate(value) {
        panic!("the payload is not a valid Audian event:\n{errors}\npayload: {}", shorten(&value.to_string()));
    }
}

/// A text cut for a message.
pub(crate) fn shorten(text: &str) -> String {
    match text.char_indices().nth(QUOTE_LIMIT) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_owned(),
    }
}
