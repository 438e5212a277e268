//! Validation against the schemas, by code generated from them: no schema is interpreted at
//! run time. The verdict is the reference validator's (the `jsonschema` crate, formats asserted)
//! on `schema/event.json` for the strict reading, and on the derived
//! `schema-tolerant/event.json` for the tolerant one (see [`Reading`]).

mod drift;
pub mod format;
#[doc(hidden)]
pub mod runtime;
pub(crate) mod strict_json;

use std::fmt;

use serde_json::Value;

use crate::{Event, ParseError};

pub use drift::{Difference, Drift, DriftKind};

/// Longest JSON value quoted in a message of validation, in characters.
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

/// Why a webhook body was refused: it is not JSON, it is JSON but not an Audian event at all, or
/// it is an Audian event whose content the reading refuses.
#[derive(Debug)]
pub enum PayloadError {
    /// Not one JSON value: a syntax error, invalid UTF-8, a duplicate key, or nesting too deep.
    Malformed(ParseError),
    /// JSON without a valid envelope: not an object with an event `id`, a date-time
    /// `timestamp`, a non-empty string `event` and an object `data`. No version of Audian sends
    /// this.
    NotAnEvent(ValidationErrors),
    /// An event with a valid envelope whose content the reading refuses: a type changed, a
    /// required field gone, a pattern, format or bound broken (and, in the strict reading, any
    /// addition). A receiver that cannot read it should have it sent again once it can.
    Invalid(ValidationErrors),
}

impl PayloadError {
    /// The validation errors, unless the body is not JSON.
    pub fn errors(&self) -> Option<&ValidationErrors> {
        match self {
            PayloadError::Malformed(_) => None,
            PayloadError::NotAnEvent(errors) | PayloadError::Invalid(errors) => Some(errors),
        }
    }
}

impl fmt::Display for PayloadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PayloadError::Malformed(error) => write!(f, "malformed JSON: {error}"),
            PayloadError::NotAnEvent(errors) => write!(f, "not an Audian event envelope:\n{errors}"),
            PayloadError::Invalid(errors) => write!(f, "invalid event:\n{errors}"),
        }
    }
}

impl std::error::Error for PayloadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PayloadError::Malformed(error) => Some(error),
            PayloadError::NotAnEvent(errors) | PayloadError::Invalid(errors) => Some(errors),
        }
    }
}

/// Which reading of the schemas a check uses. Both are generated from `schema/`.
///
/// | the payload has | [`Strict`](Reading::Strict) | [`Tolerant`](Reading::Tolerant) |
/// |---|---|---|
/// | a property the schemas do not name, at any level | refused | accepted, drift [`UnknownProperty`](DriftKind::UnknownProperty) |
/// | an event type this version does not know, with a valid envelope | refused | accepted as [`Event::Unknown`], drift [`UnknownEventType`](DriftKind::UnknownEventType) |
/// | a new value of an open enumeration (`call_type`, `reason`, ...) | refused | accepted as `Unknown(..)`, drift [`UnknownValue`](DriftKind::UnknownValue) |
/// | a wrong type, a missing required field, a broken pattern, format, bound or `const` | refused | refused |
///
/// ```
/// use audian_events::{Event, Reading};
///
/// // `call.completed` with a field Audian added after this version was generated.
/// let body = br#"{"id": "evt_1", "timestamp": "2024-01-15T10:35:10Z", "event": "call.completed",
///   "data": {"call_id": "call_xyz789", "duration": 305, "status": "completed", "from": "+14155552671",
///   "to": "+14155552672", "ended_at": "2024-01-15T10:35:10Z", "completion_reason": "normal",
///   "carrier": "att"}}"#;
/// assert!(Reading::Strict.parse(body).is_err());
/// let accepted = Reading::Tolerant.parse(body)?;
/// assert!(matches!(accepted.event, Event::CallCompleted(_)));
/// assert_eq!(accepted.drift.pointers(), "/data/carrier");
/// # Ok::<(), audian_events::PayloadError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Reading {
    /// Exactly the schemas: for tests, fixtures and producers.
    Strict,
    /// The schemas with additive evolution allowed (new properties at every level, new event
    /// types with a valid envelope, new values of open enumerations) and nothing else relaxed:
    /// for production receivers, so that no event is lost because Audian added something.
    /// What it accepts and the strict reading refuses is reported as [`Drift`].
    #[default]
    Tolerant,
}

/// What the check of a reading that builds nothing says of bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SliceCheck {
    Accepted,
    /// Accepted, with something the strict reading refuses, which a second read confirms (a
    /// duplicate key in a skipped value is refused) and locates.
    Drifted,
    Refused,
}

/// An event a reading accepted, and how it departs from the strict reading (nothing, when it is
/// strictly valid).
#[derive(Debug, Clone, PartialEq)]
pub struct Accepted {
    pub event: Event,
    pub drift: Drift,
}

impl From<Accepted> for Event {
    fn from(accepted: Accepted) -> Event {
        accepted.event
    }
}

impl Reading {
    fn check<R: runtime::Report>(self) -> Check<R> {
        match self {
            Reading::Strict => crate::generated::validators::event,
            Reading::Tolerant => crate::generated::tolerant::event,
        }
    }

    /// Checks a payload and collects every error.
    pub fn validate(self, value: &Value) -> Result<(), ValidationErrors> {
        collect_errors(self.check(), value)
    }

    /// Whether a payload is valid: the fast path, which stops at the first failure and
    /// allocates nothing.
    pub fn is_valid(self, value: &Value) -> bool {
        self.check()(value, &runtime::InstancePath::Root, &mut runtime::FirstFailure)
    }

    /// Whether raw bytes are one event this reading accepts: the verdict of [`parse`](Self::parse)
    /// (and of the reference validator on the same bytes), without building the event or saying
    /// why. Malformed JSON, invalid UTF-8 and duplicate keys are refused like any other failure.
    ///
    /// ```
    /// use audian_events::Reading;
    ///
    /// let body = audian_events::examples::CALL_COMPLETED.as_bytes();
    /// assert!(Reading::Strict.is_valid_slice(body));
    /// assert!(!Reading::Strict.is_valid_slice(&body[..body.len() - 1]));
    /// ```
    ///
    /// It checks while scanning, as the one pass of [`parse`](Self::parse) does, and builds and
    /// allocates nothing for an event without drift. Drift (tolerant only) is confirmed as `parse`
    /// confirms it: the payload is read again, to refuse a duplicate key in what was skipped.
    pub fn is_valid_slice(self, bytes: &[u8]) -> bool {
        match self.check_slice(bytes) {
            SliceCheck::Accepted => true,
            SliceCheck::Drifted => drift_in(bytes).is_ok(),
            SliceCheck::Refused => false,
        }
    }

    fn check_slice(self, bytes: &[u8]) -> SliceCheck {
        let (accepted, drifted) = match self {
            Reading::Strict => (Event::check_slice_in::<{ crate::de::STRICT }>(bytes), false),
            Reading::Tolerant => {
                crate::de::take_drift();
                let accepted = Event::check_slice_in::<{ crate::de::TOLERANT }>(bytes);
                (accepted, crate::de::take_drift())
            }
        };
        match (accepted, drifted) {
            (true, false) => SliceCheck::Accepted,
            (true, true) => SliceCheck::Drifted,
            (false, _) => SliceCheck::Refused,
        }
    }

    /// Checks a payload; for one it accepts, says how it departs from the strict reading.
    pub fn validate_value(self, value: &Value) -> Result<Drift, PayloadError> {
        if let Err(errors) = self.validate(value) {
            return Err(refusal(value, errors));
        }
        match self {
            Reading::Strict => Ok(Drift::NONE),
            Reading::Tolerant => drift_of(value),
        }
    }

    /// Parses and checks raw bytes; see [`validate_value`](Self::validate_value).
    ///
    /// A payload the reading accepts without drift (every payload, until Audian adds something)
    /// is settled by the check of [`is_valid_slice`](Self::is_valid_slice), which builds
    /// nothing; only the others are read as a `Value`, to say why or where the drift is.
    pub fn validate_slice(self, bytes: &[u8]) -> Result<Drift, PayloadError> {
        match self.check_slice(bytes) {
            SliceCheck::Accepted => Ok(Drift::NONE),
            SliceCheck::Drifted => drift_in(bytes),
            SliceCheck::Refused => self.validate_value(&read_value(bytes)?),
        }
    }

    /// Parses and checks a string; see [`validate_value`](Self::validate_value).
    pub fn validate_str(self, text: &str) -> Result<Drift, PayloadError> {
        let value = strict_json::from_str(text).map_err(|error| PayloadError::Malformed(error.into()))?;
        self.validate_value(&value)
    }

    /// The receiver's one call: raw bytes to a typed [`Event`] if, and only if, this reading
    /// accepts them, with the drift; otherwise every error.
    ///
    /// Both readings parse and validate in one pass. A payload with drift is then read a second
    /// time, as a `Value`, to say where the drift is (and to refuse a duplicate key in what the
    /// one pass skipped); a strictly valid one (every payload, until Audian adds something) is
    /// not, and its drift costs nothing. A refused payload is read again to say why.
    pub fn parse(self, bytes: &[u8]) -> Result<Accepted, PayloadError> {
        match self.one_pass(bytes) {
            Some((event, false)) => Ok(Accepted { event, drift: Drift::NONE }),
            Some((event, true)) => {
                // The one pass has validated it: only the drift is left to find.
                second_reads::note(|reads| reads.for_drift += 1);
                Ok(Accepted { event, drift: drift_in(bytes)? })
            }
            None => self.after_refusal(bytes),
        }
    }

    /// [`parse`](Self::parse) of a payload the one pass refused: the validator reads it again, to
    /// say why (or, should the two ever disagree, to accept it after all).
    #[cold]
    fn after_refusal(self, bytes: &[u8]) -> Result<Accepted, PayloadError> {
        // Counted for the tests, which hold that no valid payload comes here: a thread-local
        // costs nothing beside the validation below.
        second_reads::note(|reads| reads.fallbacks += 1);
        let value = read_value(bytes)?;
        let drift = self.validate_value(&value)?;
        // What a reading accepts fits the lenient types (a test holds this for every input), so
        // this only fails if that promise is broken; it is reported, never unwrapped.
        let event = serde_path_to_error::deserialize(&value).map_err(|error| PayloadError::Malformed(error.into()))?;
        Ok(Accepted { event, drift })
    }

    /// The one pass of [`parse`](Self::parse): the event, and whether drift was met, if this
    /// reading accepts the payload; `None` if it refuses it.
    #[inline]
    fn one_pass(self, bytes: &[u8]) -> Option<(Event, bool)> {
        match self {
            Reading::Strict => strict_one_pass(bytes).ok().map(|event| (event, false)),
            Reading::Tolerant => {
                crate::de::take_drift();
                let parsed = Event::from_slice_in::<{ crate::de::TOLERANT }>(bytes);
                parsed.ok().map(|event| (event, crate::de::take_drift()))
            }
        }
    }
}

/// The one pass of the strict reading, which [`Reading::parse`] and [`parse_validated`] take first.
#[inline]
fn strict_one_pass(bytes: &[u8]) -> Result<Event, serde_json::Error> {
    Event::from_slice_in::<{ crate::de::STRICT }>(bytes)
}

/// What [`Reading::parse`] cannot see from outside: whether the one pass settled a payload, or
/// it was read a second time. For this repository's tests (which must fail if the one pass stops
/// accepting what it should, though the fallback would hide it from every verdict); not part of
/// the API.
#[doc(hidden)]
pub mod second_reads {
    use std::cell::Cell;

    use super::Reading;
    use crate::Event;

    /// How many payloads [`Reading::parse`] has read a second time, as a `Value`, on this thread.
    #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
    pub struct SecondReads {
        /// The one pass refused the payload, so the validator read it again: to say why, or, if
        /// the two disagree, to accept it after all.
        pub fallbacks: u64,
        /// The tolerant one pass accepted the payload and met drift, so it was read again to say
        /// where.
        pub for_drift: u64,
    }

    thread_local! {
        // Per thread, so that tests running side by side do not count each other's reads.
        static SECOND_READS: Cell<SecondReads> = const { Cell::new(SecondReads { fallbacks: 0, for_drift: 0 }) };
    }

    /// The second reads on this thread so far.
    pub fn so_far() -> SecondReads {
        SECOND_READS.with(Cell::get)
    }

    pub(super) fn note(count: impl FnOnce(&mut SecondReads)) {
        SECOND_READS.with(|reads| {
            let mut now = reads.get();
            count(&mut now);
            reads.set(now);
        });
    }

    /// The one pass of `reading` alone, as [`Reading::parse`] takes it first: the event, and
    /// whether it met drift, if it accepts the payload.
    pub fn one_pass(reading: Reading, bytes: &[u8]) -> Option<(Event, bool)> {
        reading.one_pass(bytes)
    }
}

/// `bytes` as one JSON value, refusing duplicate keys anywhere.
fn read_value(bytes: &[u8]) -> Result<Value, PayloadError> {
    strict_json::from_slice(bytes).map_err(|error| PayloadError::Malformed(error.into()))
}

/// The drift of bytes that a one pass (or its check) accepted with drift: they are read again
/// as a `Value`, which also refuses a duplicate key in what the one pass skipped.
fn drift_in(bytes: &[u8]) -> Result<Drift, PayloadError> {
    drift_of(&read_value(bytes)?)
}

/// The drift of a payload the tolerant reading accepts: the strict reading's errors, each at a
/// place the tolerant reading relaxes. An error anywhere else would mean the two readings
/// disagree; the payload is then refused rather than accepted on a guess.
fn drift_of(value: &Value) -> Result<Drift, PayloadError> {
    let Err(strict) = validate(value) else { return Ok(Drift::NONE) };
    match Drift::from_strict_errors(strict) {
        (drift, unexplained) if unexplained.is_empty() => Ok(drift),
        (_, unexplained) => Err(PayloadError::Invalid(ValidationErrors { errors: unexplained })),
    }
}

/// The refusal of a payload with these errors: [`PayloadError::Invalid`] when its envelope is
/// valid; otherwise [`PayloadError::NotAnEvent`], with the envelope's own errors, which name the
/// cause (`/id`) where a reading's may only say that the `event` is none it knows.
fn refusal(value: &Value, errors: ValidationErrors) -> PayloadError {
    match collect_errors(crate::generated::tolerant::envelope, value) {
        Ok(()) => PayloadError::Invalid(errors),
        Err(envelope_errors) => PayloadError::NotAnEvent(envelope_errors),
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

/// Whether raw bytes are one valid event in the strict reading; see [`Reading::is_valid_slice`].
///
/// ```
/// let body = audian_events::examples::CALL_INITIATED.as_bytes();
/// assert!(audian_events::is_valid_slice(body));
/// assert!(!audian_events::is_valid_slice(b"{\"id\": \"evt_1\"}"));
/// ```
pub fn is_valid_slice(bytes: &[u8]) -> bool {
    Reading::Strict.is_valid_slice(bytes)
}

/// Parses and validates raw bytes, in the strict reading.
pub fn validate_slice(bytes: &[u8]) -> Result<(), PayloadError> {
    Reading::Strict.validate_slice(bytes).map(drop)
}

/// Parses and validates a string, in the strict reading.
pub fn validate_str(text: &str) -> Result<(), PayloadError> {
    Reading::Strict.validate_str(text).map(drop)
}

/// Parses raw bytes into a typed [`Event`] if, and only if, they are a valid event in the
/// strict reading; otherwise says why, with every error. A production receiver wants
/// [`Reading::Tolerant`]'s [`parse`](Reading::parse) instead, which accepts what Audian adds.
pub fn parse_validated(bytes: &[u8]) -> Result<Event, PayloadError> {
    // `Reading::Strict.parse`, with the event of the one pass returned as it is rather than
    // wrapped in an `Accepted` and taken out again: a copy less of the event on the path every
    // valid payload takes.
    match strict_one_pass(bytes) {
        Ok(event) => Ok(event),
        Err(_) => Reading::Strict.after_refusal(bytes).map(|accepted| accepted.event),
    }
}

/// Panics, listing every error, unless `value` is a valid event. For tests of code that builds
/// or stores payloads.
#[track_caller]
pub fn assert_valid(value: &Value) {
    if let Err(errors) = validate(value) {
        panic!("the payload is not a valid Audian event:\n{errors}\npayload: {}", runtime::describe(value));
    }
}
