//! The three verdicts compared on every input.

use std::fmt;

use serde_json::Value;

use crate::mutate::Input;
use crate::reference::Reference;

/// The verdicts of the generated validators and of the reference on one input.
///
/// On a [`Input::Value`]: `is_valid` is [`audian_events::is_valid`], `validate` is
/// [`audian_events::validate`]`.is_ok()`. On [`Input::Bytes`]: `is_valid` is
/// [`audian_events::validate_slice`]`.is_ok()`, `validate` is [`audian_events::parse_validated`]`
/// .is_ok()` (which also parses the typed [`audian_events::Event`]). `reference` is the
/// `jsonschema` crate on `event.json`, formats asserted (bytes that `serde_json` cannot read are
/// invalid to it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdicts {
    pub bytes: bool,
    pub is_valid: bool,
    pub validate: bool,
    pub reference: bool,
}

impl Verdicts {
    pub fn of(value: &Value, reference: &Reference) -> Verdicts {
        Verdicts {
            bytes: false,
            is_valid: audian_events::is_valid(value),
            validate: audian_events::validate(value).is_ok(),
            reference: reference.is_valid(value),
        }
    }

    pub fn of_bytes(bytes: &[u8], reference: &Reference) -> Verdicts {
        Verdicts {
            bytes: true,
            is_valid: audian_events::validate_slice(bytes).is_ok(),
            validate: audian_events::parse_validated(bytes).is_ok(),
            reference: reference.is_valid_bytes(bytes),
        }
    }

    pub fn of_input(input: &Input, reference: &Reference) -> Verdicts {
        match input {
            Input::Value(value) => Verdicts::of(value, reference),
            Input::Bytes(bytes) => Verdicts::of_bytes(bytes, reference),
        }
    }

    /// Whether all three say the same.
    pub fn agree(&self) -> bool {
        self.is_valid == self.validate && self.validate == self.reference
    }
}

impl fmt::Display for Verdicts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let word = |valid: bool| if valid { "valid" } else { "invalid" };
        let (first, second) = if self.bytes {
            ("audian_events::validate_slice", "audian_events::parse_validated")
        } else {
            ("audian_events::is_valid", "audian_events::validate")
        };
        write!(
            f,
            "{first}: {}, {second}: {}, jsonschema (reference): {}",
            word(self.is_valid),
            word(self.validate),
            word(self.reference)
        )
    }
}

/// The errors `audian_events` gives for an input, one per line.
pub fn audian_errors(input: &Input) -> Vec<String> {
    match input {
        Input::Value(value) => match audian_events::validate(value) {
            Ok(()) => Vec::new(),
            Err(errors) => errors
                .iter()
                .map(|error| {
                    format!(
                        "{}: {} (keyword {} at {})",
                        if error.instance_path().is_empty() { "(root)" } else { error.instance_path() },
                        error.message(),
                        error.keyword(),
                        error.schema_path()
                    )
                })
                .collect(),
        },
        Input::Bytes(bytes) => {
            let mut lines = Vec::new();
            if let Err(error) = audian_events::validate_slice(bytes) {
                lines.push(format!("validate_slice: {error}"));
            }
            if let Err(error) = audian_events::parse_validated(bytes) {
                lines.push(format!("parse_validated: {error}"));
            }
            lines
        }
    }
}

/// The errors the reference gives for an input, one per line.
pub fn reference_errors(input: &Input, reference: &Reference) -> Vec<String> {
    match input {
        Input::Value(value) => reference.errors(value),
        Input::Bytes(bytes) => reference.errors_bytes(bytes),
    }
}
