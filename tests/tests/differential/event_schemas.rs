//! Differential testing of the generated event validators of each reading on payloads made by the
//! schema-driven engine from each event schema of the reading: every keyword location of the
//! event schemas is the only error (of the event's own schema) of at least [`MIN_ALONE`]
//! payloads, and on each the reading's validators give the reference's verdict.

use std::time::Instant;

use audian_events::Reading;
use audian_events_tests::event_schemas::{EventSchemaStats, EventSchemas};
use audian_events_tests::{Disagreement, Verdicts};

/// Seeds, and cases per seed in each reading: 4 × 14,000 = 56,000 cases in the strict reading,
/// whose schemas have more keywords (`additionalProperties`, enumerations), and 4 × 11,000 =
/// 44,000 in the tolerant one; each keyword location is then the only error of 130 payloads or
/// more.
const SEEDS: [u64; 4] = [0, 1, 0x5EED_2024_0115, u64::MAX];

fn cases_per_seed(reading: Reading) -> u64 {
    match reading {
        Reading::Strict => 14_000,
        Reading::Tolerant => 11_000,
    }
}

/// The fewest payloads on which each keyword location of the event schemas must be the only
/// error.
const MIN_ALONE: u64 = 100;

/// Each verdict must be at least this share of the cases.
const MIN_PERCENT: f64 = 15.0;

/// Runs every seed of a reading, one thread per seed; panics with every disagreement found, and
/// when a keyword location fails alone too seldom.
fn run_every_seed(reading: Reading) -> EventSchemaStats {
    let schemas = EventSchemas::of(reading);
    let started = Instant::now();
    let results: Vec<Result<EventSchemaStats, Box<Disagreement>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = SEEDS
            .iter()
            .map(|&seed| {
                let schemas = &schemas;
                scope.spawn(move || schemas.run_range(seed, 0..cases_per_seed(reading)))
            })
            .collect();
        handles.into_iter().map(|handle| handle.join().expect("a seed's thread")).collect()
    });
    let mut total = EventSchemaStats::default();
    let mut failures = Vec::new();
    for result in results {
        match result {
            Ok(stats) => total.add(&stats),
            Err(disagreement) => failures.push(disagreement.to_string()),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    let solitary = schemas.solitary_keywords();
    let fewest: Vec<String> = total
        .keywords
        .fewest(solitary.iter().copied(), 5)
        .into_iter()
        .map(|(count, location)| format!("{count} {location}"))
        .collect();
    println!(
        "{reading:?} reading, event schemas, {} seeds: {}\n{} keyword locations; failing alone the fewest times: {} \
         (in {:.1?})",
        SEEDS.len(),
        total,
        solitary.len(),
        fewest.join(", "),
        started.elapsed()
    );
    let verdicts = &total.verdicts;
    assert_eq!(verdicts.cases, SEEDS.len() as u64 * cases_per_seed(reading));
    assert!(verdicts.percent(verdicts.valid) >= MIN_PERCENT, "too few valid payloads: {verdicts}");
    assert!(verdicts.percent(verdicts.invalid) >= MIN_PERCENT, "too few invalid payloads: {verdicts}");
    let unknown = total.keywords.unknown(&schemas.keywords());
    assert!(unknown.is_empty(), "keyword locations reported that the engine does not know: {unknown:?}");
    let under = total.keywords.under(solitary.iter().copied(), MIN_ALONE);
    assert!(
        under.is_empty(),
        "{reading:?} reading: keyword locations that were the only error of fewer than {MIN_ALONE} payloads: {}",
        under.join(", ")
    );
    total
}

#[test]
fn tolerant_validators_agree_on_every_keyword_of_the_event_schemas() {
    run_every_seed(Reading::Tolerant);
}

#[test]
fn strict_validators_agree_on_every_keyword_of_the_event_schemas() {
    let total = run_every_seed(Reading::Strict);
    assert_eq!(total.verdicts.drift, 0, "the strict reading has no drift: {}", total.verdicts);
}

/// A disagreement is reported with its seed, index, payloads, both sides' errors and how to
/// replay it from this engine: checked on a payload the two sides agree on, said to disagree.
#[test]
fn an_event_schema_disagreement_report_has_everything_to_replay_it() {
    let schemas = EventSchemas::of(Reading::Tolerant);
    let verdicts = Verdicts::of(&schemas.payload(3, 11), schemas.judge());
    let forged = Verdicts { reference: !verdicts.reference, ..verdicts };
    let report = schemas.disagreement(3, 11, forged).to_string();
    for needle in [
        "seed 3 case 11",
        "original payload:",
        "minimal payload:",
        "jsonschema iter_errors",
        "replay: audian_events_tests::event_schemas::EventSchemas::of(audian_events::Reading::Tolerant).case(3, 11)",
    ] {
        assert!(report.contains(needle), "{needle:?} missing from:\n{report}");
    }
}
