//! The raw-bytes mode of the differential test (`audian_events_tests::raw`): every case is
//! bytes, and in each reading `Reading::is_valid_slice` and `Reading::parse` (in the strict
//! reading also `audian_events::is_valid_slice` and `audian_events::parse_validated`) give the
//! reference's verdict: `serde_json` with duplicate keys refused, then the `jsonschema` crate on
//! the reading's `event.json`.
//!
//! The fixed seeds below run in every `cargo test`; `cargo xtask fuzz --bytes N` runs the same
//! cases on many more from any seed.

use std::time::Instant;

use audian_events::Reading;
use audian_events_tests::digest::{self, Fnv1a};
use audian_events_tests::raw::{
    self, MAX_DEPTH, RawDisagreement, RawEngine, RawJudge, RawKind, RawStats, facet, max_depth, run_range,
};
use audian_events_tests::reference::has_duplicate_keys;
use serde_json::Value;

/// Seeds and cases per seed of the normal test run, each case judged in both readings:
/// 4 × 25,000 = 100,000 cases in each reading.
const SEEDS: [u64; 4] = [0, 1, 0x5EED_2024_0115, u64::MAX];
const CASES_PER_SEED: u64 = 25_000;
const READINGS: [Reading; 2] = [Reading::Strict, Reading::Tolerant];

/// Each reading's valid and invalid cases must each be at least this share, or the mode tests
/// little.
const MIN_PERCENT: f64 = 15.0;

/// The cases each kind must have at least (out of 100,000), and each facet.
const MIN_PER_KIND: u64 = 4_000;
const MIN_PER_FACET: u64 = 100;

/// The cases the kinds that matter most must have at least (out of 100,000): invalid UTF-8,
/// duplicate keys, deep nesting, and on either side of the limit.
const MIN_INVALID_UTF8: u64 = 5_000;
const MIN_DUPLICATE_KEYS: u64 = 5_000;
const MIN_DEEP: u64 = 5_000;
const MIN_DEEP_EACH_SIDE: u64 = 2_000;

/// Runs every seed in both readings, one thread per seed; panics with every disagreement.
fn run_every_seed() -> RawStats {
    let engine = RawEngine::documented();
    let judge = RawJudge::documented();
    let started = Instant::now();
    let results: Vec<(u64, Result<RawStats, Box<RawDisagreement>>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = SEEDS
            .iter()
            .map(|&seed| {
                let (engine, judge) = (&engine, &judge);
                scope.spawn(move || (seed, run_range(engine, judge, &READINGS, seed, 0..CASES_PER_SEED, |_| {})))
            })
            .collect();
        handles.into_iter().map(|handle| handle.join().expect("a seed's thread")).collect()
    });
    let mut total = RawStats::default();
    let mut failures = Vec::new();
    for (seed, result) in results {
        match result {
            Ok(stats) => {
                println!("seed {seed}: {}", stats.summary());
                total.add(&stats);
            }
            Err(disagreement) => failures.push(disagreement.to_string()),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    println!("total, in {:.1?}: {total}", started.elapsed());
    total
}

#[test]
fn every_entry_point_on_bytes_gives_the_reference_verdict_in_both_readings() {
    let total = run_every_seed();
    let cases = SEEDS.len() as u64 * CASES_PER_SEED;
    assert_eq!(total.cases, cases);
    assert_eq!(total.judged, [cases, cases], "each case is judged in both readings");
    for reading in READINGS {
        let percent = total.valid_percent(reading);
        assert!(percent >= MIN_PERCENT, "{reading:?}: too few valid cases ({percent:.1}%): {}", total.summary());
        assert!(
            100.0 - percent >= MIN_PERCENT,
            "{reading:?}: too few invalid cases ({percent:.1}% valid): {}",
            total.summary()
        );
    }
    for kind in RawKind::ALL {
        assert!(total.kind(kind) >= MIN_PER_KIND, "{kind}: {} cases\n{total}", total.kind(kind));
    }
    for facet in facet::ALL {
        assert!(total.facet(facet) >= MIN_PER_FACET, "{facet}: {} cases\n{total}", total.facet(facet));
    }
    assert!(total.kind(RawKind::InvalidUtf8) >= MIN_INVALID_UTF8, "{total}");
    assert!(total.kind(RawKind::DuplicateKey) >= MIN_DUPLICATE_KEYS, "{total}");
    assert!(total.kind(RawKind::DeepNesting) >= MIN_DEEP, "{total}");
    for side in [facet::DEEP_UNDER, facet::DEEP_OVER] {
        assert!(total.facet(side) >= MIN_DEEP_EACH_SIDE, "{side}: {}\n{total}", total.facet(side));
    }
    // Both verdicts occur where a kind allows both: the spellings that keep the value, the
    // numbers, and nesting under the limit in a property the tolerant reading lets through.
    let valid = |kind: RawKind, reading: Reading| total.kinds[&kind].valid[raw::slot(reading)];
    for kind in [RawKind::Styled, RawKind::Escapes, RawKind::Whitespace, RawKind::Number, RawKind::Mixed] {
        for reading in READINGS {
            let (valid, cases) = (valid(kind, reading), total.kind(kind));
            assert!(valid >= 100 && cases - valid >= 100, "{kind}, {reading:?}: {valid} valid of {cases}");
        }
    }
    assert!(valid(RawKind::DeepNesting, Reading::Tolerant) >= 100, "{total}");
    // Never valid, to the reference: a check of the generator as much as of the reference.
    for kind in [RawKind::DuplicateKey, RawKind::InvalidUtf8, RawKind::Truncated] {
        for reading in READINGS {
            assert_eq!(valid(kind, reading), 0, "{kind} valid in the {reading:?} reading");
        }
    }
}

/// `serde_json` reads 127 arrays inside one another and refuses 128: the limit the nesting of
/// [`RawKind::DeepNesting`] is placed around.
#[test]
fn serde_json_reads_nesting_up_to_the_limit() {
    let nested = |levels: usize| [vec![b'['; levels], vec![b']'; levels]].concat();
    assert!(serde_json::from_slice::<Value>(&nested(MAX_DEPTH)).is_ok());
    let error = serde_json::from_slice::<Value>(&nested(MAX_DEPTH + 1)).unwrap_err();
    assert!(error.to_string().contains("recursion limit"), "{error}");
    let object = |levels: usize| [b"{\"a\":".repeat(levels - 1), b"{}".to_vec(), vec![b'}'; levels - 1]].concat();
    assert_eq!(max_depth(&object(MAX_DEPTH)), MAX_DEPTH);
    assert!(serde_json::from_slice::<Value>(&object(MAX_DEPTH)).is_ok());
    assert!(serde_json::from_slice::<Value>(&object(MAX_DEPTH + 1)).is_err());
    // Brackets inside strings do not nest.
    assert_eq!(max_depth(br#"{"a":"[[[{{\"[","b":[{}]}"#), 3);
}

/// Each kind makes what it says, checked on the bytes themselves with `serde_json` and the test
/// library's own scanner, not with the code under test.
#[test]
fn each_kind_makes_what_it_says() {
    let engine = RawEngine::documented();
    let mut seen = std::collections::BTreeMap::<RawKind, u64>::new();
    for index in 0..4_000 {
        let case = engine.case(5, index);
        *seen.entry(case.kind).or_default() += 1;
        let bytes = &case.bytes;
        let at = format!("seed 5 case {index} ({}): {}", case.kind, raw::literal(bytes));
        let parsed = serde_json::from_slice::<Value>(bytes);
        match case.kind {
            kind if kind.keeps_the_value() => {
                assert_eq!(parsed.as_ref().ok(), Some(&case.value), "{at}");
                assert!(!has_duplicate_keys(bytes), "{at}");
            }
            RawKind::InvalidUtf8 => {
                assert!(std::str::from_utf8(bytes).is_err(), "{at}");
                assert!(parsed.is_err(), "{at}");
            }
            RawKind::DuplicateKey => {
                assert!(parsed.is_ok(), "{at}: {parsed:?}");
                assert!(has_duplicate_keys(bytes), "{at}");
            }
            RawKind::DeepNesting => {
                let over = max_depth(bytes) > MAX_DEPTH;
                assert_eq!(case.facets.contains(&facet::DEEP_OVER), over, "{at}");
                assert_eq!(case.facets.contains(&facet::DEEP_UNDER), !over, "{at}");
                match parsed {
                    Ok(_) => assert!(!over, "{at}"),
                    Err(error) => assert!(over && error.to_string().contains("recursion limit"), "{at}: {error}"),
                }
            }
            RawKind::Truncated => assert!(parsed.is_err(), "{at}"),
            RawKind::Number if case.facets.contains(&facet::NUMBER_SAME_VALUE) => {
                let parsed = parsed.unwrap_or_else(|error| panic!("{at}: {error}"));
                assert!(same_numbers(&parsed, &case.value), "{at}");
            }
            _ => {}
        }
    }
    println!("kinds in 4,000 cases: {seen:?}");
    for kind in RawKind::ALL {
        assert!(seen.get(&kind).copied().unwrap_or(0) >= 100, "{kind}: {seen:?}");
    }
}

/// The same values, numbers compared as `f64` (`305.0` and `305` are the same number).
fn same_numbers(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (Value::Array(a), Value::Array(b)) => a.len() == b.len() && a.iter().zip(b).all(|(a, b)| same_numbers(a, b)),
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len() && a.iter().all(|(key, a)| b.get(key).is_some_and(|b| same_numbers(a, b)))
        }
        (a, b) => a == b,
    }
}

/// The reference verdicts the run shares between the readings are those of
/// `Reference::is_valid_bytes`, reading by reading.
#[test]
fn the_shared_reference_verdicts_are_the_reference_verdicts() {
    let engine = RawEngine::documented();
    let judge = RawJudge::documented();
    for index in 0..500 {
        let bytes = engine.case(6, index).bytes;
        let each = READINGS.map(|reading| judge.reference(reading).is_valid_bytes(&bytes));
        assert_eq!(judge.references(&bytes), each, "seed 6 case {index}: {}", raw::literal(&bytes));
    }
}

/// A disagreement is reported with its seed, index, kind, verdicts, bytes (as a literal to
/// paste), the minimal bytes, both sides' errors and how to replay it: checked on a case the two
/// sides agree on, through the same formatting.
#[test]
fn a_raw_disagreement_report_has_everything_to_replay_it() {
    let engine = RawEngine::documented();
    let judge = RawJudge::documented();
    for reading in READINGS {
        let case = engine.case(3, 11);
        let verdicts = judge.verdicts(reading, &case.bytes);
        assert!(verdicts.agree(), "{verdicts}");
        let forged = raw::RawVerdicts { reference: !verdicts.reference, ..verdicts };
        let report = RawDisagreement::new(3, 11, case, forged, &judge).to_string();
        for needle in [
            "seed 3 case 11 (kind: ",
            "verdicts: ",
            "Reading::",
            "mutations:",
            "as a literal: b\"",
            "minimal bytes (",
            "reference errors",
            "replay: audian_events_tests::raw::RawEngine::documented().case(3, 11)",
            "cargo xtask fuzz --bytes 12 --seed 3",
        ] {
            assert!(report.contains(needle), "{needle:?} missing from:\n{report}");
        }
    }
}

/// The digests of the first 1,000 raw cases of each seed of [`SEEDS`], made by the pinned
/// engine (`digest::pinned_engine`, frozen examples and event types), committed.
const EXPECTED_RAW_CORPUS: [u64; SEEDS.len()] =
    [0xCC36_7F50_9366_357A, 0x2A00_58D5_68EF_ED64, 0x7855_33E8_4A2A_DE1F, 0xDE8B_3C42_CFF5_93A7];

/// The seeds of this test make the raw corpus they made when it was pinned: a seed and index
/// printed by a disagreement replay, until the generators change and the digests with them.
#[test]
fn the_raw_corpus_of_each_seed_is_pinned() {
    let engine = RawEngine::new(digest::pinned_engine());
    let digests = SEEDS.map(|seed| {
        let mut hash = Fnv1a::new();
        for index in 0..1_000 {
            hash.write_part(&engine.case(seed, index).bytes);
        }
        hash.finish()
    });
    digest::assert_pinned("raw cases 0..1000 of each seed", &digests, &EXPECTED_RAW_CORPUS, "EXPECTED_RAW_CORPUS");
}

/// The comparison is not vacuous: judged against the other reading's reference (so that the
/// drift the tolerant reading accepts is refused, and the other way round), the run stops at a
/// disagreement within a few hundred cases, in each reading, and reports it with its replay.
#[test]
fn a_wrong_reference_is_caught() {
    let engine = RawEngine::documented();
    let right = RawJudge::documented();
    let swapped = RawJudge { strict: right.tolerant, tolerant: right.strict };
    for reading in READINGS {
        let disagreement = run_range(&engine, &swapped, &[reading], 0, 0..2_000, |_| {})
            .expect_err("the references of the two readings differ on some case");
        assert!(disagreement.index < 500, "found only at case {}", disagreement.index);
        assert_eq!(disagreement.verdicts.reading, reading);
        assert!(!disagreement.verdicts.agree(), "{disagreement}");
        assert!(!disagreement.minimal_verdicts.agree(), "the minimal bytes still disagree: {disagreement}");
        println!("{disagreement}\n");
    }
}
