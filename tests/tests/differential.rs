//! Differential testing of the generated validators against the reference validator (the
//! `jsonschema` crate on `schema/event.json`, formats asserted), on payloads mutated from the
//! documented examples by the engine of `audian-events-tests`.
//!
//! The fixed seeds below run in every `cargo test`; `cargo xtask fuzz` runs the same engine on
//! many more cases from any seed.

use std::time::Instant;

use audian_events_tests::{Engine, Input, Reference, Stats, Verdicts, run_range};

/// Seeds and cases per seed of the normal test run: 4 × 25,000 = 100,000 cases (about 3 s in a
/// debug build on two cores).
const SEEDS: [u64; 4] = [0, 1, 0x5EED_2024_0115, u64::MAX];
const CASES_PER_SEED: u64 = 25_000;

/// Each verdict must be at least this share of the cases, or the engine tests little.
const MIN_PERCENT: f64 = 15.0;

#[test]
fn generated_validators_agree_with_the_reference() {
    let engine = Engine::documented();
    let reference = Reference::get();
    let started = Instant::now();
    // One thread per seed: the seeds are independent, and the test has the whole machine.
    let results: Vec<(u64, Result<Stats, String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = SEEDS
            .iter()
            .map(|&seed| {
                let engine = &engine;
                scope.spawn(move || {
                    let result = run_range(engine, reference, seed, 0..CASES_PER_SEED, |_| {})
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
                println!("seed {seed}: {stats}");
                total.add(&stats);
            }
            Err(disagreement) => failures.push(disagreement),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    println!("total: {total} in {:.1?}", started.elapsed());
    assert_eq!(total.cases, SEEDS.len() as u64 * CASES_PER_SEED);
    assert!(total.percent(total.valid) >= MIN_PERCENT, "too few valid payloads: {total}");
    assert!(total.percent(total.invalid) >= MIN_PERCENT, "too few invalid payloads: {total}");
    assert!(total.bytes >= total.cases / 20, "too few byte-level cases: {total}");
}

#[test]
fn the_documented_examples_are_valid_to_all() {
    let reference = Reference::get();
    let examples = audian_events_tests::examples();
    assert_eq!(examples.len(), 18, "documented event examples");
    for (name, example) in examples {
        let verdicts = Verdicts::of(example, reference);
        assert!(verdicts.agree() && verdicts.reference, "the example of {name}: {verdicts}");
        let bytes = serde_json::to_vec_pretty(example).expect("an example serializes");
        let verdicts = Verdicts::of_bytes(&bytes, reference);
        assert!(verdicts.agree() && verdicts.reference, "the example of {name}, as bytes: {verdicts}");
        assert_eq!(example["event"], name.as_str(), "examples/{name}.json documents another event");
    }
}

/// A disagreement is reported with its seed, index, verdicts, both payloads and both sides'
/// errors: checked on a payload the two sides agree on, through the same formatting.
#[test]
fn a_disagreement_report_has_everything_to_replay_it() {
    let engine = Engine::documented();
    let reference = Reference::get();
    let case = engine.case(3, 11);
    let verdicts = Verdicts::of_input(&case.input, reference);
    // Pretend the reference said the opposite, so that the shrinker keeps nothing but the
    // verdicts' shape.
    let forged = Verdicts { reference: !verdicts.reference, ..verdicts };
    let report = audian_events_tests::Disagreement::new(3, 11, case, forged, reference).to_string();
    for needle in
        ["seed 3 case 11", "verdicts:", "original payload:", "minimal payload:", "jsonschema iter_errors", "replay:"]
    {
        assert!(report.contains(needle), "{needle:?} missing from:\n{report}");
    }
}

/// Some cases are judged as bytes, and cases replay.
#[test]
fn byte_level_cases_occur_and_replay() {
    let engine = Engine::documented();
    let bytes_cases = (0..2_000).filter(|&index| matches!(engine.case(9, index).input, Input::Bytes(_))).count();
    assert!(bytes_cases > 100, "{bytes_cases} byte-level cases in 2,000");
    assert_eq!(engine.case(9, 1_234).input, engine.case(9, 1_234).input);
}
