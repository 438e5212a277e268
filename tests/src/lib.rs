//! Cross-crate integration tests live in `tests/`; this library is what they share with
//! `cargo xtask fuzz`: a deterministic mutation engine over the documented examples, the
//! reference validator (the `jsonschema` crate on `schema/event.json`, formats asserted), the
//! comparison of its verdict with the generated validators' on every mutated payload, and a
//! shrinker for the payloads on which they disagree.
//!
//! ```no_run
//! match audian_events_tests::run(42, 10_000) {
//!     Ok(stats) => println!("{stats}"),
//!     Err(disagreement) => panic!("{disagreement}"),
//! }
//! ```
//!
//! Case `i` of seed `s` is a function of `(s, i)` and the examples alone ([`Engine::case`]): a
//! printed seed and index replay the same payload on any machine, in any build, with any number
//! of threads, after any dependency update (as long as this engine and `schema/examples/` do not
//! change).

pub mod bytes;
pub mod mutate;
pub mod reference;
pub mod rng;
pub mod shrink;
pub mod tree;
pub mod values;
pub mod verdict;

use std::fmt;
use std::ops::Range;
use std::panic::AssertUnwindSafe;

pub use mutate::{Case, Engine, Input};
pub use reference::{Reference, examples, schema_dir};
pub use verdict::Verdicts;

/// How many cases a run judged, and how the reference judged them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    pub cases: u64,
    pub valid: u64,
    pub invalid: u64,
    /// Cases judged as raw bytes rather than as a `serde_json::Value`.
    pub bytes: u64,
}

impl Stats {
    pub fn add(&mut self, other: &Stats) {
        self.cases += other.cases;
        self.valid += other.valid;
        self.invalid += other.invalid;
        self.bytes += other.bytes;
    }

    fn record(&mut self, input: &Input, valid: bool) {
        self.cases += 1;
        if valid {
            self.valid += 1;
        } else {
            self.invalid += 1;
        }
        if matches!(input, Input::Bytes(_)) {
            self.bytes += 1;
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
            "{} cases: {} valid ({:.1}%), {} invalid ({:.1}%), {} as raw bytes",
            self.cases,
            self.valid,
            self.percent(self.valid),
            self.invalid,
            self.percent(self.invalid),
            self.bytes
        )
    }
}

/// A payload on which the generated validators and the reference disagree.
#[derive(Debug, Clone)]
pub struct Disagreement {
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
}

/// A shrunk disagreement and the errors each side gives for it.
#[derive(Debug, Clone)]
pub struct Minimal {
    pub input: Input,
    pub verdicts: Verdicts,
    pub audian_errors: Vec<String>,
    pub reference_errors: Vec<String>,
}

impl Disagreement {
    /// Shrinks a disagreeing case and collects the errors of the minimal payload.
    pub fn new(seed: u64, index: u64, case: Case, verdicts: Verdicts, reference: &Reference) -> Disagreement {
        let input = shrink::shrink(&case.input, |input| Verdicts::of_input(input, reference) == verdicts);
        let minimal = Minimal {
            verdicts: Verdicts::of_input(&input, reference),
            audian_errors: verdict::audian_errors(&input),
            reference_errors: verdict::reference_errors(&input, reference),
            input,
        };
        Disagreement { seed, index, verdicts, case: Box::new(case), minimal: Box::new(minimal), panic: None }
    }

    /// A case on which a validator panicked.
    pub fn panicked(seed: u64, index: u64, case: Case, message: String) -> Disagreement {
        let verdicts = Verdicts {
            bytes: matches!(case.input, Input::Bytes(_)),
            is_valid: false,
            validate: false,
            reference: false,
        };
        let minimal =
            Minimal { input: case.input.clone(), verdicts, audian_errors: Vec::new(), reference_errors: Vec::new() };
        Disagreement { seed, index, verdicts, case: Box::new(case), minimal: Box::new(minimal), panic: Some(message) }
    }
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
        if let Some(message) = &self.panic {
            writeln!(f, "a validator panicked: {message}")?;
            writeln!(f, "seed {} case {} (from the example of {})", self.seed, self.index, self.case.example)?;
            writeln!(f, "mutations:")?;
            list(f, &self.case.notes)?;
            writeln!(f, "payload:\n{}", self.case.input)?;
            return write!(f, "replay: audian_events_tests::Engine::documented().case({}, {})", self.seed, self.index);
        }
        writeln!(f, "the generated validators and the reference disagree")?;
        writeln!(f, "seed {} case {} (from the example of {})", self.seed, self.index, self.case.example)?;
        writeln!(f, "verdicts: {}", self.verdicts)?;
        writeln!(f, "mutations:")?;
        list(f, &self.case.notes)?;
        writeln!(f, "original payload:\n{}", self.case.input)?;
        writeln!(f, "minimal payload:\n{}", self.minimal.input)?;
        writeln!(f, "verdicts on the minimal payload: {}", self.minimal.verdicts)?;
        writeln!(f, "audian_events errors on the minimal payload:")?;
        list(f, &self.minimal.audian_errors)?;
        writeln!(f, "jsonschema iter_errors on the minimal payload:")?;
        list(f, &self.minimal.reference_errors)?;
        write!(f, "replay: audian_events_tests::Engine::documented().case({}, {})", self.seed, self.index)
    }
}

impl std::error::Error for Disagreement {}

/// Judges cases `0..cases` of `seed` with the documented examples and the repository's schemas;
/// stops at the first disagreement, shrunk.
pub fn run(seed: u64, cases: u64) -> Result<Stats, Disagreement> {
    run_range(&Engine::documented(), Reference::get(), seed, 0..cases, |_| {})
}

/// Judges cases `range` of `seed`; `progress` is called every 256 cases with the counts so far.
/// A validator that panics is reported as a disagreement too.
pub fn run_range(
    engine: &Engine,
    reference: &Reference,
    seed: u64,
    range: Range<u64>,
    mut progress: impl FnMut(&Stats),
) -> Result<Stats, Disagreement> {
    let mut stats = Stats::default();
    for index in range {
        let case = engine.case(seed, index);
        let judged = std::panic::catch_unwind(AssertUnwindSafe(|| Verdicts::of_input(&case.input, reference)));
        let verdicts = match judged {
            Ok(verdicts) => verdicts,
            Err(panic) => {
                let message = panic
                    .downcast_ref::<&str>()
                    .map(|text| text.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "(a panic without a message)".to_owned());
                return Err(Disagreement::panicked(seed, index, case, message));
            }
        };
        if !verdicts.agree() {
            return Err(Disagreement::new(seed, index, case, verdicts, reference));
        }
        stats.record(&case.input, verdicts.reference);
        if stats.cases.is_multiple_of(256) {
            progress(&stats);
        }
    }
    Ok(stats)
}
