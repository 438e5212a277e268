//! The request bodies of the webhook API (`POST /v2/webhooks`, `PATCH /v2/webhooks/{id}`): each
//! generated validator against the reference on the schema of its body, on bodies mutated from
//! the documented examples by the schema-driven engine, and the keyword locations each case
//! breaks alone, counted.
//!
//! The two sides agree on a body when they give the same verdict and, on an invalid one, the
//! same errors: the same keyword locations at the same places of the body. When the reference
//! accepts a body, the typed request reads it, passes its own `validate` and writes it back
//! unchanged.

use std::collections::BTreeSet;
use std::fmt;
use std::ops::Range;
use std::panic::AssertUnwindSafe;

use audian_events::ValidationErrors;
use audian_events::webhooks::{CreateWebhookRequest, UpdateWebhookRequest};
use audian_events_reference::Validator;
use serde_json::Value;

use crate::mutate::{Case, Input};
use crate::schema::SchemaSet;
use crate::schema_engine::{KeywordCounts, SchemaEngine};
use crate::shrink;

/// A request body with a generated validator.
#[derive(Debug, Clone, Copy)]
pub struct RequestBody {
    /// Its schema, relative to `schema/`.
    pub schema: &'static str,
    /// How to name it in a replay: `audian_events_tests::webhooks::CREATE`.
    pub name: &'static str,
    /// The generated validator, which collects every error.
    pub validate: fn(&Value) -> Result<(), ValidationErrors>,
    /// The typed request: read from the body, checked by its own `validate`, written back.
    pub typed: fn(&Value) -> Result<Value, String>,
}

/// The body of `POST /v2/webhooks`.
pub const CREATE: RequestBody = RequestBody {
    schema: "webhooks/create.json",
    name: "CREATE",
    validate: audian_events::validation::validate_create_webhook,
    typed: typed_create,
};

/// The body of `PATCH /v2/webhooks/{id}`.
pub const UPDATE: RequestBody = RequestBody {
    schema: "webhooks/update.json",
    name: "UPDATE",
    validate: audian_events::validation::validate_update_webhook,
    typed: typed_update,
};

/// Every request body with a generated validator.
pub const BODIES: [RequestBody; 2] = [CREATE, UPDATE];

fn typed_create(body: &Value) -> Result<Value, String> {
    let typed: CreateWebhookRequest = serde_json::from_value(body.clone()).map_err(not_read)?;
    typed.validate().map_err(refused)?;
    serde_json::to_value(&typed).map_err(not_written)
}

fn typed_update(body: &Value) -> Result<Value, String> {
    let typed: UpdateWebhookRequest = serde_json::from_value(body.clone()).map_err(not_read)?;
    typed.validate().map_err(refused)?;
    serde_json::to_value(&typed).map_err(not_written)
}

fn not_read(error: serde_json::Error) -> String {
    format!("not read: {error}")
}

fn refused(errors: ValidationErrors) -> String {
    format!("refused by its validate: {errors}")
}

fn not_written(error: serde_json::Error) -> String {
    format!("not written: {error}")
}

/// One error as both sides can say it: where in the body, and which keyword of which schema
/// (`webhooks/create.json#/properties/url/format`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Failure {
    pub instance_path: String,
    pub keyword_location: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.instance_path.is_empty() { "(root)" } else { &self.instance_path };
        write!(f, "{path} (at {})", self.keyword_location)
    }
}

/// What each side says of a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    /// Our errors, one per failure as the generated validator reports it.
    pub ours: Vec<Failure>,
    /// The reference's errors, in its order.
    pub reference: Vec<Failure>,
    /// The typed request's round trip, on a body the reference accepts.
    pub typed: Option<Result<Value, String>>,
}

/// How the two sides disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mismatch {
    Verdict,
    /// Both refuse, for different keywords or at different places.
    Errors,
    /// The reference accepts, and the typed request cannot carry the body unchanged.
    Typed,
    /// A validator, or the typed request, panicked.
    Panic,
}

impl Judgement {
    /// Whether the reference accepts the body.
    pub fn valid(&self) -> bool {
        self.reference.is_empty()
    }

    pub fn mismatch(&self, body: &Value) -> Option<Mismatch> {
        if self.ours.is_empty() != self.reference.is_empty() {
            return Some(Mismatch::Verdict);
        }
        let ours: BTreeSet<Failure> = self.ours.iter().map(as_the_reference_places_it).collect();
        let reference: BTreeSet<Failure> = self.reference.iter().cloned().collect();
        if ours != reference {
            return Some(Mismatch::Errors);
        }
        match &self.typed {
            Some(Ok(written)) if written == body => None,
            Some(_) => Some(Mismatch::Typed),
            None => None,
        }
    }
}

/// Our failure where the reference puts it: a property that `additionalProperties: false`
/// refuses is reported at the property by us, at its object (naming every such property) by the
/// reference.
fn as_the_reference_places_it(failure: &Failure) -> Failure {
    let mut failure = failure.clone();
    if failure.keyword_location.ends_with("/additionalProperties") {
        let parent = failure.instance_path.rsplit_once('/').map_or("", |(parent, _)| parent);
        failure.instance_path = parent.to_owned();
    }
    failure
}

/// A request body's generated validator, its reference and its engine.
pub struct BodyJudge {
    pub body: RequestBody,
    set: &'static SchemaSet,
    reference: Validator,
    engine: SchemaEngine<'static>,
}

impl BodyJudge {
    /// The judge of a body of this repository: its schema in `schema/`, its documented examples.
    pub fn of(body: RequestBody) -> BodyJudge {
        let set = SchemaSet::documented();
        let reference = set.schemas().validator(body.schema).unwrap_or_else(|error| panic!("{error}"));
        let engine = SchemaEngine::documented(body.schema);
        BodyJudge { body, set, reference, engine }
    }

    /// The engine of the body's schema, which also knows its keyword locations.
    pub fn engine(&self) -> &SchemaEngine<'static> {
        &self.engine
    }

    pub fn judge(&self, body: &Value) -> Judgement {
        let ours = match (self.body.validate)(body) {
            Ok(()) => Vec::new(),
            Err(errors) => errors
                .iter()
                .map(|error| Failure {
                    instance_path: error.instance_path().to_owned(),
                    keyword_location: error.schema_path().to_owned(),
                })
                .collect(),
        };
        let reference: Vec<Failure> = self
            .reference
            .iter_errors(body)
            .map(|error| {
                let uri = error.absolute_keyword_location().map(|uri| uri.as_str().to_owned());
                Failure {
                    instance_path: error.instance_path().as_str().to_owned(),
                    keyword_location: uri
                        .as_deref()
                        .and_then(|uri| self.set.location_of_uri(uri))
                        .unwrap_or_else(|| format!("(outside the schema files: {uri:?})")),
                }
            })
            .collect();
        let typed = reference.is_empty().then(|| (self.body.typed)(body));
        Judgement { ours, reference, typed }
    }

    /// Judges the cases `range` of `seed`; the first disagreement ends the run.
    pub fn run_range(&self, seed: u64, range: Range<u64>) -> Result<BodyStats, Box<BodyDisagreement>> {
        let mut stats = BodyStats::default();
        for index in range {
            let body = &self.engine.payload(seed, index);
            let judgement = match std::panic::catch_unwind(AssertUnwindSafe(|| self.judge(body))) {
                Ok(judgement) => judgement,
                Err(panic) => {
                    let message = panic
                        .downcast_ref::<&str>()
                        .map(|text| text.to_string())
                        .or_else(|| panic.downcast_ref::<String>().cloned())
                        .unwrap_or_else(|| "(a panic without a message)".to_owned());
                    let case = self.engine.case(seed, index);
                    return Err(Box::new(BodyDisagreement::panicked(self.body, seed, index, case, message)));
                }
            };
            if let Some(mismatch) = judgement.mismatch(body) {
                let case = self.engine.case(seed, index);
                return Err(Box::new(BodyDisagreement::new(self, seed, index, case, mismatch)));
            }
            stats.record(&judgement);
        }
        Ok(stats)
    }
}

/// How many bodies a run judged, and which keyword locations failed alone how often.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BodyStats {
    pub cases: u64,
    pub valid: u64,
    pub invalid: u64,
    pub keywords: KeywordCounts,
}

impl BodyStats {
    fn record(&mut self, judgement: &Judgement) {
        self.cases += 1;
        if judgement.valid() {
            self.valid += 1;
        } else {
            self.invalid += 1;
        }
        let locations: Vec<String> =
            judgement.reference.iter().map(|failure| failure.keyword_location.clone()).collect();
        self.keywords.record(&locations);
    }

    pub fn add(&mut self, other: &BodyStats) {
        self.cases += other.cases;
        self.valid += other.valid;
        self.invalid += other.invalid;
        self.keywords.add(&other.keywords);
    }

    pub fn percent(&self, part: u64) -> f64 {
        if self.cases == 0 { 0.0 } else { part as f64 * 100.0 / self.cases as f64 }
    }
}

impl fmt::Display for BodyStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} cases: {} valid ({:.1}%), {} invalid ({:.1}%); {}",
            self.cases,
            self.valid,
            self.percent(self.valid),
            self.invalid,
            self.percent(self.invalid),
            self.keywords
        )
    }
}

/// A body on which a generated validator and the reference disagree.
#[derive(Debug, Clone)]
pub struct BodyDisagreement {
    pub body: RequestBody,
    pub seed: u64,
    pub index: u64,
    pub mismatch: Mismatch,
    pub case: Case,
    /// The body shrunk while the same mismatch persists.
    pub minimal: Value,
    pub judgement: Judgement,
    /// The panic message, for [`Mismatch::Panic`] (the body is then not shrunk).
    pub panic: Option<String>,
}

impl BodyDisagreement {
    pub fn new(judge: &BodyJudge, seed: u64, index: u64, case: Case, mismatch: Mismatch) -> BodyDisagreement {
        let Input::Value(body) = &case.input else { unreachable!("the schema-driven engine makes values") };
        let minimal =
            shrink::shrink_value(body, |candidate| judge.judge(candidate).mismatch(candidate) == Some(mismatch));
        let judgement = judge.judge(&minimal);
        BodyDisagreement { body: judge.body, seed, index, mismatch, case, minimal, judgement, panic: None }
    }

    /// A body on which a validator, or the typed request, panicked.
    pub fn panicked(body: RequestBody, seed: u64, index: u64, case: Case, message: String) -> BodyDisagreement {
        let Input::Value(minimal) = case.input.clone() else { unreachable!("the schema-driven engine makes values") };
        let judgement = Judgement { ours: Vec::new(), reference: Vec::new(), typed: None };
        BodyDisagreement {
            body,
            seed,
            index,
            mismatch: Mismatch::Panic,
            case,
            minimal,
            judgement,
            panic: Some(message),
        }
    }
}

impl BodyDisagreement {
    /// How to replay the case.
    fn replay(&self) -> String {
        format!(
            "audian_events_tests::webhooks::BodyJudge::of(audian_events_tests::webhooks::{}).engine().case({}, {})",
            self.body.name, self.seed, self.index
        )
    }
}

impl fmt::Display for BodyDisagreement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |f: &mut fmt::Formatter<'_>, failures: &[Failure]| -> fmt::Result {
            if failures.is_empty() {
                return writeln!(f, "  (none: valid)");
            }
            failures.iter().try_for_each(|failure| writeln!(f, "  {failure}"))
        };
        let what = match self.mismatch {
            Mismatch::Verdict => "the verdicts differ",
            Mismatch::Errors => "both refuse, with different errors",
            Mismatch::Typed => "the reference accepts it, and the typed request does not carry it unchanged",
            Mismatch::Panic => "a validator panicked",
        };
        writeln!(f, "{} and the reference disagree on a body: {what}", self.body.schema)?;
        writeln!(f, "seed {} case {} (from the example {})", self.seed, self.index, self.case.example)?;
        writeln!(f, "mutations: {}", self.case.notes.join("; "))?;
        writeln!(f, "original body:\n{}", self.case.input)?;
        if let Some(message) = &self.panic {
            writeln!(f, "panic: {message}")?;
            return write!(f, "replay: {}", self.replay());
        }
        writeln!(f, "minimal body:\n{}", serde_json::to_string_pretty(&self.minimal).map_err(|_| fmt::Error)?)?;
        writeln!(f, "audian-events ({}):", self.body.schema)?;
        list(f, &self.judgement.ours)?;
        writeln!(f, "jsonschema iter_errors (reference):")?;
        list(f, &self.judgement.reference)?;
        if let Some(typed) = &self.judgement.typed {
            writeln!(f, "typed request: {typed:?}")?;
        }
        write!(f, "replay: {}", self.replay())
    }
}
