//! The verdicts compared on every input, in either reading of the schemas.

use std::fmt;

use audian_events::validation::second_reads;
use audian_events::{PayloadError, Reading};
use serde_json::Value;

use crate::bytes::{self, Style};
use crate::mutate::Input;
use crate::reference::Reference;

/// A reading of the schemas and the reference validators that judge it: the reference of the
/// reading itself, and the strict one, which says whether an accepted payload has drift.
#[derive(Clone, Copy)]
pub struct Judge<'a> {
    pub reading: Reading,
    pub reference: &'a Reference,
    /// The reference of the strict reading (the same as `reference` in the strict reading).
    pub strict: &'a Reference,
}

impl Judge<'static> {
    /// A reading judged by the references of this repository's schemas.
    pub fn of(reading: Reading) -> Judge<'static> {
        Judge { reading, reference: Reference::of(reading), strict: Reference::of(Reading::Strict) }
    }
}

impl fmt::Debug for Judge<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Judge").field("reading", &self.reading).finish_non_exhaustive()
    }
}

/// The verdicts of a reading's generated validators and of the references on one input.
///
/// On a [`Input::Value`]: `is_valid` is [`Reading::is_valid`], `validate` is
/// [`Reading::validate`]`.is_ok()` (every error collected), `drift` is what
/// [`Reading::validate_value`] says. On [`Input::Bytes`]: `is_valid` is
/// [`Reading::validate_slice`]`.is_ok()`, `validate` is [`Reading::parse`]`.is_ok()` (which also
/// parses the typed [`audian_events::Event`]), and `drift` is what both say, when they say the
/// same. `reference` is the `jsonschema` crate on the reading's `event.json`, formats asserted
/// (bytes that `serde_json` cannot read are invalid to it); `strict_reference` the same on
/// `schema/event.json`. `parse` is how [`Reading::parse`] took the input (a `Value` the
/// reference accepts is written as bytes for it), which no verdict shows: the one pass, or a
/// second read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdicts {
    pub reading: Reading,
    pub bytes: bool,
    pub is_valid: bool,
    pub validate: bool,
    pub reference: bool,
    pub strict_reference: bool,
    pub drift: DriftVerdict,
    pub parse: ParsePath,
}

/// What the reading reports as drift on an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DriftVerdict {
    /// Refused: no drift to report.
    Refused,
    /// Accepted, strictly valid.
    None,
    /// Accepted, with drift.
    Some,
    /// The entry points on bytes disagree on the drift ([`Reading::validate_slice`] and
    /// [`Reading::parse`]).
    Inconsistent,
}

impl DriftVerdict {
    fn of(result: &Result<audian_events::Drift, PayloadError>) -> DriftVerdict {
        match result {
            Err(_) => DriftVerdict::Refused,
            Ok(drift) if drift.is_empty() => DriftVerdict::None,
            Ok(_) => DriftVerdict::Some,
        }
    }
}

/// How [`Reading::parse`] took an input. Its verdict is the same whichever way (a payload the one
/// pass refuses is read again by the validator, which may accept it after all), so only this
/// shows that the one pass accepts what it should.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParsePath {
    /// Not parsed: a `Value` the reference refuses is judged by the validators alone.
    NotParsed,
    /// Settled by the one pass alone.
    OnePass,
    /// Accepted by the one pass, then read again to say where its drift is.
    OnePassThenDrift,
    /// Refused by the one pass, then read again by the validator.
    Fallback,
}

impl ParsePath {
    /// Parses `bytes` in `reading` and says which way it went.
    pub fn parse(reading: Reading, bytes: &[u8]) -> (Result<audian_events::Drift, PayloadError>, ParsePath) {
        let before = second_reads::so_far();
        let parsed = reading.parse(bytes).map(|accepted| accepted.drift);
        let after = second_reads::so_far();
        let path = if after.fallbacks > before.fallbacks {
            ParsePath::Fallback
        } else if after.for_drift > before.for_drift {
            ParsePath::OnePassThenDrift
        } else {
            ParsePath::OnePass
        };
        (parsed, path)
    }

    /// Whether the one pass settled the input, besides a read for its drift.
    pub fn is_one_pass(self) -> bool {
        matches!(self, ParsePath::OnePass | ParsePath::OnePassThenDrift)
    }

    fn describe(self) -> &'static str {
        match self {
            ParsePath::NotParsed => "not parsed",
            ParsePath::OnePass => "one pass",
            ParsePath::OnePassThenDrift => "one pass, then read again for drift",
            ParsePath::Fallback => "fell back to the validator",
        }
    }
}

impl Verdicts {
    pub fn of(value: &Value, judge: &Judge<'_>) -> Verdicts {
        let reading = judge.reading;
        let reference = judge.reference.is_valid(value);
        let parse = if reference {
            ParsePath::parse(reading, &bytes::to_bytes(value, Style::COMPACT_EVENT_FIRST)).1
        } else {
            ParsePath::NotParsed
        };
        Verdicts {
            reading,
            bytes: false,
            is_valid: reading.is_valid(value),
            validate: reading.validate(value).is_ok(),
            reference,
            strict_reference: judge.strict.is_valid(value),
            drift: DriftVerdict::of(&reading.validate_value(value)),
            parse,
        }
    }

    pub fn of_bytes(bytes: &[u8], judge: &Judge<'_>) -> Verdicts {
        let reading = judge.reading;
        let slice = reading.validate_slice(bytes);
        let (parsed, parse) = ParsePath::parse(reading, bytes);
        let drift = match (DriftVerdict::of(&slice), DriftVerdict::of(&parsed)) {
            (slice, parsed) if slice == parsed => slice,
            // One refused and the other accepted: `is_valid` and `validate` already say so.
            (DriftVerdict::Refused, _) | (_, DriftVerdict::Refused) => DriftVerdict::Refused,
            _ => DriftVerdict::Inconsistent,
        };
        Verdicts {
            reading,
            bytes: true,
            is_valid: slice.is_ok(),
            validate: parsed.is_ok(),
            reference: judge.reference.is_valid_bytes(bytes),
            strict_reference: judge.strict.is_valid_bytes(bytes),
            drift,
            parse,
        }
    }

    pub fn of_input(input: &Input, judge: &Judge<'_>) -> Verdicts {
        match input {
            Input::Value(value) => Verdicts::of(value, judge),
            Input::Bytes(bytes) => Verdicts::of_bytes(bytes, judge),
        }
    }

    /// Whether the generated validators give the reference's verdict and, on a payload the
    /// reading accepts, report drift if and only if the strict reference refuses it, and the one
    /// pass of [`Reading::parse`] accepts it alone: with no fallback, and with no second read
    /// unless it has drift.
    pub fn agree(&self) -> bool {
        let (expected_drift, expected_parse) = match (self.reference, self.strict_reference) {
            (false, _) => (DriftVerdict::Refused, self.parse),
            (true, true) => (DriftVerdict::None, ParsePath::OnePass),
            (true, false) => (DriftVerdict::Some, ParsePath::OnePassThenDrift),
        };
        self.is_valid == self.reference
            && self.validate == self.reference
            && self.drift == expected_drift
            && self.parse == expected_parse
    }

    /// Valid in the reading, invalid in the strict one: what the tolerant reading calls drift.
    pub fn is_drift(&self) -> bool {
        self.reference && !self.strict_reference
    }

    /// The names of the entry points compared: `(is_valid, validate, drift)`.
    fn names(&self) -> [&'static str; 3] {
        match (self.reading, self.bytes) {
            (Reading::Strict, false) => {
                ["Reading::Strict.is_valid", "Reading::Strict.validate", "Reading::Strict.validate_value"]
            }
            (Reading::Strict, true) => {
                ["Reading::Strict.validate_slice", "Reading::Strict.parse", "validate_slice and parse"]
            }
            (Reading::Tolerant, false) => {
                ["Reading::Tolerant.is_valid", "Reading::Tolerant.validate", "Reading::Tolerant.validate_value"]
            }
            (Reading::Tolerant, true) => {
                ["Reading::Tolerant.validate_slice", "Reading::Tolerant.parse", "validate_slice and parse"]
            }
        }
    }
}

impl fmt::Display for Verdicts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let word = |valid: bool| if valid { "valid" } else { "invalid" };
        let [first, second, third] = self.names();
        let drift = match self.drift {
            DriftVerdict::Refused => "refused",
            DriftVerdict::None => "accepted, no drift",
            DriftVerdict::Some => "accepted with drift",
            DriftVerdict::Inconsistent => "different drifts",
        };
        write!(
            f,
            "{first}: {}, {second}: {}, {third}: {drift}, jsonschema (reference, {}): {}",
            word(self.is_valid),
            word(self.validate),
            reading_name(self.reading),
            word(self.reference)
        )?;
        if self.reading != Reading::Strict {
            write!(f, ", jsonschema (reference, strict): {}", word(self.strict_reference))?;
        }
        if self.parse != ParsePath::NotParsed {
            let bytes = if self.bytes { "" } else { " (of the value written as bytes)" };
            write!(f, ", Reading::{:?}.parse{bytes}: {}", self.reading, self.parse.describe())?;
        }
        Ok(())
    }
}

/// `strict` or `tolerant`.
pub fn reading_name(reading: Reading) -> &'static str {
    match reading {
        Reading::Strict => "strict",
        Reading::Tolerant => "tolerant",
    }
}

/// The errors a reading of `audian_events` gives for an input, one per line, and the drift it
/// reports when it accepts it.
pub fn audian_errors(input: &Input, reading: Reading) -> Vec<String> {
    match input {
        Input::Value(value) => {
            let mut lines: Vec<String> = match reading.validate(value) {
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
            };
            match reading.validate_value(value) {
                Ok(drift) if !drift.is_empty() => lines.push(format!("validate_value: accepted, drift {drift}")),
                Ok(_) => {}
                Err(error) => lines.push(format!("validate_value: {error}")),
            }
            lines
        }
        Input::Bytes(bytes) => {
            let mut lines = Vec::new();
            match reading.validate_slice(bytes) {
                Ok(drift) if !drift.is_empty() => lines.push(format!("validate_slice: accepted, drift {drift}")),
                Ok(_) => {}
                Err(error) => lines.push(format!("validate_slice: {error}")),
            }
            match reading.parse(bytes) {
                Ok(accepted) if !accepted.drift.is_empty() => {
                    lines.push(format!("parse: accepted, drift {}", accepted.drift));
                }
                Ok(_) => {}
                Err(error) => lines.push(format!("parse: {error}")),
            }
            lines
        }
    }
}

/// The errors a reference gives for an input, one per line.
pub fn reference_errors(input: &Input, reference: &Reference) -> Vec<String> {
    match input {
        Input::Value(value) => reference.errors(value),
        Input::Bytes(bytes) => reference.errors_bytes(bytes),
    }
}
