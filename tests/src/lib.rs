//! Cross-crate integration tests live in `tests/`; this library is what they share with
//! `cargo xtask fuzz`: a deterministic mutation engine over the documented examples, the
//! reference validators (the `jsonschema` crate on `schema/event.json` for the strict reading and
//! on `schema-tolerant/event.json` for the tolerant one, formats asserted), the comparison of
//! their verdicts with a reading's generated validators on every mutated payload, and a shrinker
//! for the payloads on which they disagree.
//!
//! ```no_run
//! use audian_events::Reading;
//!
//! match audian_events_tests::run(Reading::Tolerant, 42, 10_000) {
//!     Ok(stats) => println!("{stats}"),
//!     Err(disagreement) => panic!("{disagreement}"),
//! }
//! ```
//!
//! Case `i` of seed `s` is a function of `(s, i)` and the examples alone ([`Engine::case`]): a
//! printed seed and index replay the same payload on any machine, in any build, with any number
//! of threads, after any dependency update (as long as this engine and `schema/examples/` do not
//! change). It is the same payload in either reading. Committed digests pin this ([`digest`]):
//! of the generator's stream (`rng`), of the engine's first cases (`mutate`) and of the first
//! cases of each seed of the differential test's corpus; a change in the generators, or in what
//! they take from a dependency, fails those tests until the digests are deliberately updated.
//!
//! Beside it, a second engine knows nothing but the schemas ([`schema_engine`]): it varies and
//! breaks the keywords of any schema, each keyword location as often as the others, and counts
//! the locations each case breaks alone. The webhook request bodies ([`webhooks`]) and each event
//! schema of each reading ([`event_schemas`]) are judged with it. Its cases replay from
//! `(s, i)`, the schemas and their examples in the same way; no digest pins them.
//!
//! A third mode judges nothing but bytes ([`raw`]): the engine's payloads written in every
//! style and broken at the byte level (numbers, duplicate keys, invalid UTF-8, nesting around
//! `serde_json`'s limit, truncation, malformed JSON), each kind of change counted, against the
//! entry points that take bytes. Its cases replay from `(s, i)` too, and a digest pins them.

pub mod bytes;
pub mod digest;
pub mod event_schemas;
pub mod mutate;
pub mod raw;
pub mod reference;
pub mod rng;
pub mod schema;
pub mod schema_engine;
pub mod shrink;
pub mod tree;
pub mod values;
pub mod verdict;
pub mod webhooks;

use std::fmt;
use std::ops::Range;
use std::panic::AssertUnwindSafe;

use audian_events::Reading;

pub use mutate::{Case, Engine, Input};
pub use reference::{Reference, examples, schema_dir, schema_dir_of};
pub use verdict::{Judge, Verdicts};

/// How many cases a run judged, and how the reference of the reading judged them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    pub cases: u64,
    pub valid: u64,
    pub invalid: u64,
    /// Valid cases that the strict reference refuses: drift, which only a reading other than the
    /// strict one has.
    pub drift: u64,
    /// Cases judged as raw bytes rather than as a `serde_json::Value`.
    pub bytes: u64,
    /// Valid cases that the one pass of `Reading::parse` accepted alone, with no fallback to the
    /// validator: all of them, or the run has found a disagreement ([`Verdicts::agree`]).
    pub one_pass: u64,
    /// Cases on which `Reading::parse` fell back to the validator: only invalid ones.
    pub fallbacks: u64,
}

impl Stats {
    pub fn add(&mut self, other: &Stats) {
        self.cases += other.cases;
        self.valid += other.valid;
        self.invalid += other.invalid;
        self.drift += other.drift;
        self.bytes += other.bytes;
        self.one_pass += other.one_pass;
        self.fallbacks += other.fallbacks;
    }

    fn record(&mut self, verdicts: &Verdicts) {
        self.cases += 1;
        if verdicts.reference {
            self.valid += 1;
        } else {
            self.invalid += 1;
        }
        if verdicts.is_drift() {
            self.drift += 1;
        }
        if verdicts.bytes {
            self.bytes += 1;
        }
        if verdicts.reference && verdicts.parse.is_one_pass() {
            self.one_pass += 1;
        }
        if verdicts.parse == verdict::ParsePath::Fallback {
            self.fallbacks += 1;
        }
    }

    /// `part` as a percentage of the cases.
    pub fn percent(&self, part: u64) -> f64 {
        if self.cases == 0 { 0.0 } else { part as f64 * 100.0 / self.cases as f64 }
    }
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} cases: {} valid ({:.1}%), {} invalid ({:.1}%), {} as raw bytes, {} valid parsed by the one pass \
             alone, {} parses fell back",
            self.cases,
            self.valid,
            self.percent(self.valid),
            self.invalid,
            self.percent(self.invalid),
            self.bytes,
            self.one_pass,
            self.fallbacks
        )?;
        if self.drift > 0 {
            write!(f, ", {} valid only with drift ({:.1}%)", self.drift, self.percent(self.drift))?;
        }
        Ok(())
    }
}

/// A payload on which a reading's generated validators and the reference disagree.
#[derive(Debug, Clone)]
pub struct Disagreement {
    pub reading: Reading,
    pub seed: u64,
    pub index: u64,
    pub verdicts: Verdicts,
    /// The generated case, as it was.
    pub case: Box<Case>,
    /// The case shrunk while the same verdicts persist.
    pub minimal: Box<Minimal>,
    /// The panic message, when a validator panicked instead of giving a verdict (the case is
    /// then not shrunk, and `verdicts` are all `false`).
    pub panic: Option<String>,
    /// How to replay the case: by default from the engine of the documented examples.
    pub replay: String,
}

/// A shrunk disagreement and the errors each side gives for it.
#[derive(Debug, Clone)]
pub struct Minimal {
    pub input: Input,
    pub verdicts: Verdicts,
    pub audian_errors: Vec<String>,
    pub reference_errors: Vec<String>,
    /// The strict reference's errors, in a reading other than the strict one (else empty).
    pub strict_errors: Vec<String>,
}

impl Disagreement {
    /// Shrinks a disagreeing case and collects the errors of the minimal payload.
    pub fn new(seed: u64, index: u64, case: Case, verdicts: Verdicts, judge: &Judge<'_>) -> Disagreement {
        let input = shrink::shrink(&case.input, |input| Verdicts::of_input(input, judge) == verdicts);
        let strict_errors =
            if judge.reading == Reading::Strict { Vec::new() } else { verdict::reference_errors(&input, judge.strict) };
        let minimal = Minimal {
            verdicts: Verdicts::of_input(&input, judge),
            audian_errors: verdict::audian_errors(&input, judge.reading),
            reference_errors: verdict::reference_errors(&input, judge.reference),
            strict_errors,
            input,
        };
        Disagreement {
            reading: judge.reading,
            seed,
            index,
            verdicts,
            case: Box::new(case),
            minimal: Box::new(minimal),
            panic: None,
            replay: documented_replay(judge.reading, seed, index),
        }
    }

    /// A case on which a validator panicked.
    pub fn panicked(reading: Reading, seed: u64, index: u64, case: Case, message: String) -> Disagreement {
        let verdicts = Verdicts {
            reading,
            bytes: matches!(case.input, Input::Bytes(_)),
            is_valid: false,
            validate: false,
            reference: false,
            strict_reference: false,
            drift: verdict::DriftVerdict::Refused,
            parse: verdict::ParsePath::NotParsed,
        };
        let minimal = Minimal {
            input: case.input.clone(),
            verdicts,
            audian_errors: Vec::new(),
            reference_errors: Vec::new(),
            strict_errors: Vec::new(),
        };
        Disagreement {
            reading,
            seed,
            index,
            verdicts,
            case: Box::new(case),
            minimal: Box::new(minimal),
            panic: Some(message),
            replay: documented_replay(reading, seed, index),
        }
    }
}

/// How to replay case `index` of `seed` of the engine of the documented examples.
fn documented_replay(reading: Reading, seed: u64, index: u64) -> String {
    format!(
        "audian_events_tests::Engine::documented().case({seed}, {index}), judged by \
         audian_events_tests::Judge::of(audian_events::Reading::{reading:?})"
    )
}

impl fmt::Display for Disagreement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |f: &mut fmt::Formatter<'_>, lines: &[String]| -> fmt::Result {
            if lines.is_empty() {
                return writeln!(f, "  (none: valid)");
            }
            for line in lines {
                writeln!(f, "  {line}")?;
            }
            Ok(())
        };
        let reading = verdict::reading_name(self.reading);
        if let Some(message) = &self.panic {
            writeln!(f, "a validator of the {reading} reading panicked: {message}")?;
            writeln!(f, "seed {} case {} (from the example of {})", self.seed, self.index, self.case.example)?;
            writeln!(f, "mutations:")?;
            list(f, &self.case.notes)?;
            writeln!(f, "payload:\n{}", self.case.input)?;
            return write!(f, "replay: {}", self.replay);
        }
        writeln!(f, "the generated validators of the {reading} reading and the reference disagree")?;
        writeln!(f, "seed {} case {} (from the example of {})", self.seed, self.index, self.case.example)?;
        writeln!(f, "verdicts: {}", self.verdicts)?;
        writeln!(f, "mutations:")?;
        list(f, &self.case.notes)?;
        writeln!(f, "original payload:\n{}", self.case.input)?;
        writeln!(f, "minimal payload:\n{}", self.minimal.input)?;
        writeln!(f, "verdicts on the minimal payload: {}", self.minimal.verdicts)?;
        writeln!(f, "audian_events errors on the minimal payload:")?;
        list(f, &self.minimal.audian_errors)?;
        writeln!(f, "jsonschema iter_errors ({reading}) on the minimal payload:")?;
        list(f, &self.minimal.reference_errors)?;
        if self.reading != Reading::Strict {
            writeln!(f, "jsonschema iter_errors (strict) on the minimal payload:")?;
            list(f, &self.minimal.strict_errors)?;
        }
        write!(f, "replay: {}", self.replay)
    }
}

impl std::error::Error for Disagreement {}

/// Judges cases `0..cases` of `seed` in a reading, with the documented examples and the
/// repository's schemas; stops at the first disagreement, shrunk.
pub fn run(reading: Reading, seed: u64, cases: u64) -> Result<Stats, Disagreement> {
    run_range(&Engine::documented(), &Judge::of(reading), seed, 0..cases, |_| {})
}

/// Judges cases `range` of `seed` in the judge's reading; `progress` is called every 256 cases
/// with the counts so far. A validator that panics is reported as a disagreement too.
pub fn run_range(
    engine: &Engine,
    judge: &Judge<'_>,
    seed: u64,
    range: Range<u64>,
    mut progress: impl FnMut(&Stats),
) -> Result<Stats, Disagreement> {
    let mut stats = Stats::default();
    for index in range {
        let case = engine.case(seed, index);
        let judged = std::panic::catch_unwind(AssertUnwindSafe(|| Verdicts::of_input(&case.input, judge)));
        let verdicts = match judged {
            Ok(verdicts) => verdicts,
            Err(panic) => {
                let message = panic
                    .downcast_ref::<&str>()
                    .map(|text| text.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "(a panic without a message)".to_owned());
                return Err(Disagreement::panicked(judge.reading, seed, index, case, message));
            }
        };
        if !verdicts.agree() {
            return Err(Disagreement::new(seed, index, case, verdicts, judge));
        }
        stats.record(&verdicts);
        if stats.cases.is_multiple_of(256) {
            progress(&stats);
        }
    }
    Ok(stats)
}
