//! Differential testing of the generated validators against the reference validator (the
//! `jsonschema` crate, formats asserted), in both readings: the strict one on
//! `schema/event.json`, the tolerant one on the derived `schema-tolerant/event.json`, on payloads
//! mutated from the documented examples by the engine of `audian-events-tests`.
//!
//! The fixed seeds below run in every `cargo test`; `cargo xtask fuzz` runs the same engine on
//! many more cases from any seed.

use std::collections::BTreeMap;
use std::time::Instant;

use audian_events::Reading;
use audian_events::validation::{Difference, DriftKind};
use audian_events_tests::{Engine, Input, Judge, Stats, Verdicts, run_range};

/// The event schemas one at a time, by the schema-driven engine.
#[path = "differential/event_schemas.rs"]
mod event_schemas;

/// The webhook request bodies, by the schema-driven engine.
#[path = "differential/webhooks.rs"]
mod webhooks;

/// Seeds and cases per seed of the normal test run, in each reading: 4 × 25,000 = 100,000 cases
/// (about 3 s in a debug build on two cores).
const SEEDS: [u64; 4] = [0, 1, 0x5EED_2024_0115, u64::MAX];
const CASES_PER_SEED: u64 = 25_000;

/// Each verdict must be at least this share of the cases, or the engine tests little.
const MIN_PERCENT: f64 = 15.0;

/// In the tolerant reading, the payloads it accepts and the strict reading refuses (drift) must
/// be at least this share of the cases, or the relaxed places are barely tested.
const MIN_DRIFT_PERCENT: f64 = 10.0;

/// Runs every seed in a reading, one thread per seed (the seeds are independent, and the test has
/// the whole machine); panics with every disagreement found.
fn run_every_seed(reading: Reading) -> Stats {
    let engine = Engine::documented();
    let judge = Judge::of(reading);
    let started = Instant::now();
    let results: Vec<(u64, Result<Stats, String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = SEEDS
            .iter()
            .map(|&seed| {
                let (engine, judge) = (&engine, &judge);
                scope.spawn(move || {
                    let result = run_range(engine, judge, seed, 0..CASES_PER_SEED, |_| {})
                        .map_err(|disagreement| disagreement.to_string());
                    (seed, result)
                })
            })
            .collect();
        handles.into_iter().map(|handle| handle.join().expect("a seed's thread")).collect()
    });
    let mut total = Stats::default();
    let mut failures = Vec::new();
    for (seed, result) in results {
        match result {
            Ok(stats) => {
                println!("{reading:?} reading, seed {seed}: {stats}");
                total.add(&stats);
            }
            Err(disagreement) => failures.push(disagreement),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    println!("{reading:?} reading, total: {total} in {:.1?}", started.elapsed());
    assert_eq!(total.cases, SEEDS.len() as u64 * CASES_PER_SEED);
    assert!(total.percent(total.valid) >= MIN_PERCENT, "too few valid payloads: {total}");
    assert!(total.percent(total.invalid) >= MIN_PERCENT, "too few invalid payloads: {total}");
    assert!(total.bytes >= total.cases / 20, "too few byte-level cases: {total}");
    // A valid case that needs the fallback is a disagreement; this says that each was parsed.
    assert_eq!(total.one_pass, total.valid, "valid cases not parsed by the one pass alone: {total}");
    total
}

#[test]
fn generated_validators_agree_with_the_reference() {
    let total = run_every_seed(Reading::Strict);
    assert_eq!(total.drift, 0, "the strict reading has no drift: {total}");
}

/// The tolerant reading's `is_valid`, `validate`, `validate_slice` and `parse` give the verdict
/// of the reference on `schema-tolerant/event.json`, and what they accept has drift if and only
/// if the strict reference refuses it.
#[test]
fn tolerant_validators_agree_with_the_reference() {
    let total = run_every_seed(Reading::Tolerant);
    println!(
        "Tolerant reading: {} of {} cases valid only with drift ({:.1}%)",
        total.drift,
        total.cases,
        total.percent(total.drift)
    );
    assert!(total.percent(total.drift) >= MIN_DRIFT_PERCENT, "too few payloads with drift: {total}");
    assert!(total.percent(total.valid - total.drift) >= MIN_PERCENT, "too few strictly valid payloads: {total}");
}

/// Each kind of drift is a real share of the cases the tolerant reading accepts with drift: new
/// properties, new event types, new values of open enumerations.
#[test]
fn every_kind_of_drift_occurs() {
    let engine = Engine::documented();
    let cases = 20_000;
    let mut with_drift = 0_u64;
    let mut kinds = BTreeMap::<&str, u64>::new();
    for index in 0..cases {
        let Input::Value(value) = engine.case(SEEDS[0], index).input else { continue };
        let Ok(drift) = Reading::Tolerant.validate_value(&value) else { continue };
        if drift.is_empty() {
            continue;
        }
        with_drift += 1;
        let mut seen: Vec<DriftKind> = drift.iter().map(Difference::kind).collect();
        seen.sort();
        seen.dedup();
        for kind in seen {
            *kinds.entry(kind.as_str()).or_default() += 1;
        }
    }
    println!("{with_drift} of {cases} cases with drift, by kind: {kinds:?}");
    for kind in [DriftKind::UnknownProperty, DriftKind::UnknownEventType, DriftKind::UnknownValue] {
        let count = kinds.get(kind.as_str()).copied().unwrap_or(0);
        assert!(count * 100 >= with_drift * 5, "{kind} in {count} of the {with_drift} cases with drift: {kinds:?}");
    }
}

#[test]
fn the_documented_examples_are_valid_to_all() {
    let examples = audian_events_tests::examples();
    let mut event_types = audian_events_tests::values::event_names().to_vec();
    event_types.sort_unstable();
    let documented: Vec<&str> = examples.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(documented, event_types, "one documented example per event type");
    for reading in [Reading::Strict, Reading::Tolerant] {
        let judge = Judge::of(reading);
        for (name, example) in examples {
            let verdicts = Verdicts::of(example, &judge);
            assert!(
                verdicts.agree() && verdicts.reference && !verdicts.is_drift(),
                "the example of {name}: {verdicts}"
            );
            let bytes = serde_json::to_vec_pretty(example).expect("an example serializes");
            let verdicts = Verdicts::of_bytes(&bytes, &judge);
            assert!(
                verdicts.agree() && verdicts.reference && !verdicts.is_drift(),
                "the example of {name}, as bytes: {verdicts}"
            );
            assert_eq!(example["event"], name.as_str(), "examples/{name}.json documents another event");
        }
    }
}

/// A disagreement is reported with its seed, index, verdicts, both payloads and both sides'
/// errors: checked on a payload the two sides agree on, through the same formatting.
#[test]
fn a_disagreement_report_has_everything_to_replay_it() {
    let engine = Engine::documented();
    for reading in [Reading::Strict, Reading::Tolerant] {
        let judge = Judge::of(reading);
        let case = engine.case(3, 11);
        let verdicts = Verdicts::of_input(&case.input, &judge);
        // Pretend the reference said the opposite, so that the shrinker keeps nothing but the
        // verdicts' shape.
        let forged = Verdicts { reference: !verdicts.reference, ..verdicts };
        let report = audian_events_tests::Disagreement::new(3, 11, case, forged, &judge).to_string();
        for needle in [
            "seed 3 case 11",
            "verdicts:",
            "original payload:",
            "minimal payload:",
            "jsonschema iter_errors",
            "replay:",
            &format!("Reading::{reading:?}"),
        ] {
            assert!(report.contains(needle), "{needle:?} missing from:\n{report}");
        }
    }
}

/// Some cases are judged as bytes.
#[test]
fn byte_level_cases_occur() {
    let engine = Engine::documented();
    let bytes_cases = (0..2_000).filter(|&index| matches!(engine.case(9, index).input, Input::Bytes(_))).count();
    assert!(bytes_cases > 100, "{bytes_cases} byte-level cases in 2,000");
}

/// The digests of the first 1,000 cases of each seed of [`SEEDS`], made by the pinned engine
/// (`digest::pinned_engine`, frozen examples and event types), committed.
const EXPECTED_CORPUS: [u64; SEEDS.len()] =
    [0x3418_6DA4_CCFF_7B36, 0x0015_C4AC_861F_8F36, 0x135E_94C3_D8C1_8EBF, 0x761C_3F16_A668_71D2];

/// The seeds of this test make the corpus they made when it was pinned: a seed printed by a
/// disagreement replays, whatever the build or the dependencies' versions, until the generators
/// change and the digests with them. (The corpus of the tests above is the same code run on the
/// documented examples and event types, which change only with `schema/`.)
#[test]
fn the_corpus_of_each_seed_is_pinned() {
    use audian_events_tests::digest;
    let engine = digest::pinned_engine();
    let digests = SEEDS.map(|seed| digest::cases(&engine, seed, 0..1_000));
    digest::assert_pinned("cases 0..1000 of each seed", &digests, &EXPECTED_CORPUS, "EXPECTED_CORPUS");
}
