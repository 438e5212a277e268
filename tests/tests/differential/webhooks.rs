//! Differential testing of the generated validators of the webhook request bodies
//! (`validate_create_webhook`, `validate_update_webhook`) against the reference on
//! `schema/webhooks/create.json` and `update.json`, on bodies mutated from the documented
//! examples by the schema-driven engine: the same verdict, the same errors at the same places,
//! and every keyword location of each schema the only error of at least [`MIN_ALONE`] bodies.

use std::time::Instant;

use audian_events::ValidationErrors;
use audian_events::validation::validate_create_webhook;
use audian_events_tests::schema::SchemaSet;
use audian_events_tests::schema_engine::examples_of;
use audian_events_tests::webhooks::{BODIES, BodyDisagreement, BodyJudge, BodyStats, CREATE, Mismatch, RequestBody};
use serde_json::{Value, json};

/// Seeds and cases per seed of each body: 4 × 2,000 = 8,000 cases a body, which make each keyword
/// location the only error of 570 bodies or more, over five times the floor.
const SEEDS: [u64; 4] = [0, 1, 0x5EED_2024_0115, u64::MAX];
const CASES_PER_SEED: u64 = 2_000;

/// The fewest bodies on which each keyword location of a body's schema must be the only error.
const MIN_ALONE: u64 = 100;

/// Each verdict must be at least this share of the cases.
const MIN_PERCENT: f64 = 15.0;

/// Runs every seed of a body, one thread per seed; panics with every disagreement found.
fn run_every_seed(body: RequestBody) -> (BodyJudge, BodyStats) {
    let judge = BodyJudge::of(body);
    let started = Instant::now();
    let results: Vec<Result<BodyStats, Box<BodyDisagreement>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = SEEDS
            .iter()
            .map(|&seed| {
                let judge = &judge;
                scope.spawn(move || judge.run_range(seed, 0..CASES_PER_SEED))
            })
            .collect();
        handles.into_iter().map(|handle| handle.join().expect("a seed's thread")).collect()
    });
    let mut total = BodyStats::default();
    let mut failures = Vec::new();
    for result in results {
        match result {
            Ok(stats) => total.add(&stats),
            Err(disagreement) => failures.push(disagreement.to_string()),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    println!("{}, {} seeds: {total}\nin {:.1?}", body.schema, SEEDS.len(), started.elapsed());
    (judge, total)
}

/// The generated validator of each body gives the reference's verdict and errors on every
/// mutated body, and each keyword location of its schema fails alone often enough to be tested.
#[test]
fn webhook_validators_agree_with_the_reference() {
    for body in BODIES {
        let (judge, total) = run_every_seed(body);
        assert_eq!(total.cases, SEEDS.len() as u64 * CASES_PER_SEED);
        assert!(total.percent(total.valid) >= MIN_PERCENT, "{}: too few valid bodies: {total}", body.schema);
        assert!(total.percent(total.invalid) >= MIN_PERCENT, "{}: too few invalid bodies: {total}", body.schema);
        let unknown = total.keywords.unknown(&judge.engine().keywords());
        assert!(
            unknown.is_empty(),
            "{}: the reference reported keyword locations that the engine does not know it can break: {unknown:?}",
            body.schema
        );
        let under = total.keywords.under(judge.engine().solitary_keywords(), MIN_ALONE);
        assert!(
            under.is_empty(),
            "{}: keyword locations that were the only error of fewer than {MIN_ALONE} bodies: {}",
            body.schema,
            under.join(", ")
        );
    }
}

/// Every schema that is not an event's (or `common.json`, whose definitions the others use) is
/// a request body with a generated validator, judged here.
#[test]
fn every_request_body_is_judged() {
    let set = SchemaSet::documented();
    let bodies: Vec<&str> = set
        .schemas()
        .files()
        .iter()
        .map(|file| file.path.as_str())
        .filter(|path| *path != "event.json" && *path != "common.json" && !path.starts_with("events/"))
        .collect();
    let judged: Vec<&str> = BODIES.iter().map(|body| body.schema).collect();
    assert_eq!(bodies, judged, "the request bodies of schema/ and those the differential test judges");
}

#[test]
fn the_documented_bodies_are_valid_to_all() {
    for body in BODIES {
        let judge = BodyJudge::of(body);
        let examples = examples_of(&audian_events_tests::schema_dir(), body.schema).unwrap();
        assert!(!examples.is_empty(), "no documented example of {}", body.schema);
        for (name, example) in examples {
            let judgement = judge.judge(&example);
            assert!(judgement.valid() && judgement.mismatch(&example).is_none(), "{name}: {judgement:?}");
        }
    }
}

/// A disagreement is reported with its seed, index, bodies, both sides' errors and how to
/// replay it: checked on a body the two sides agree on, said to disagree.
#[test]
fn a_body_disagreement_report_has_everything_to_replay_it() {
    let judge = BodyJudge::of(CREATE);
    let case = judge.engine().case(3, 11);
    let report = BodyDisagreement::new(&judge, 3, 11, case, Mismatch::Verdict).to_string();
    for needle in [
        "webhooks/create.json and the reference disagree",
        "seed 3 case 11",
        "original body:",
        "minimal body:",
        "jsonschema iter_errors",
        "replay: audian_events_tests::webhooks::BodyJudge::of(audian_events_tests::webhooks::CREATE).engine().case(3, 11)",
    ] {
        assert!(report.contains(needle), "{needle:?} missing from:\n{report}");
    }
}

/// Bugs planted in a copy of the create body's validator (or its typed request) are found
/// within the cases of one seed, each as the mismatch it makes.
#[test]
fn planted_bugs_are_found() {
    fn events_of(body: &Value) -> Option<&Vec<Value>> {
        body.get("events").and_then(Value::as_array)
    }
    fn min_items_unchecked(body: &Value) -> Result<(), ValidationErrors> {
        let mut body = body.clone();
        if events_of(&body).is_some_and(Vec::is_empty) {
            body["events"] = json!(["*"]);
        }
        validate_create_webhook(&body)
    }
    fn uri_unchecked(body: &Value) -> Result<(), ValidationErrors> {
        let mut body = body.clone();
        if body.get("url").is_some_and(Value::is_string) {
            body["url"] = json!("https://example.com/");
        }
        validate_create_webhook(&body)
    }
    fn any_name_selects(body: &Value) -> Result<(), ValidationErrors> {
        let mut body = body.clone();
        if let Some(events) = body.get_mut("events").and_then(Value::as_array_mut) {
            events.iter_mut().filter(|item| item.is_string()).for_each(|item| *item = json!("*"));
        }
        validate_create_webhook(&body)
    }
    fn errors_at_mirrored_items(body: &Value) -> Result<(), ValidationErrors> {
        let mut body = body.clone();
        if let Some(events) = body.get_mut("events").and_then(Value::as_array_mut) {
            events.reverse();
        }
        validate_create_webhook(&body)
    }
    fn panics_on_no_events(body: &Value) -> Result<(), ValidationErrors> {
        assert!(!events_of(body).is_some_and(Vec::is_empty), "a planted panic");
        validate_create_webhook(body)
    }
    fn typed_sorts_events(body: &Value) -> Result<Value, String> {
        let mut written = (CREATE.typed)(body)?;
        if let Some(events) = written.get_mut("events").and_then(Value::as_array_mut) {
            events.sort_by_key(Value::to_string);
        }
        Ok(written)
    }
    // A check left out is a wrong verdict where its error is alone, missing errors elsewhere.
    let missed = [Mismatch::Verdict, Mismatch::Errors];
    let plants: [(&str, RequestBody, &[Mismatch]); 6] = [
        ("minItems unchecked", RequestBody { validate: min_items_unchecked, ..CREATE }, &missed),
        ("format uri unchecked", RequestBody { validate: uri_unchecked, ..CREATE }, &missed),
        ("any string selects all events", RequestBody { validate: any_name_selects, ..CREATE }, &missed),
        (
            "errors of an item at another index",
            RequestBody { validate: errors_at_mirrored_items, ..CREATE },
            &[Mismatch::Errors],
        ),
        ("a panic on an empty list", RequestBody { validate: panics_on_no_events, ..CREATE }, &[Mismatch::Panic]),
        ("the typed request reorders events", RequestBody { typed: typed_sorts_events, ..CREATE }, &[Mismatch::Typed]),
    ];
    for (bug, body, expected) in plants {
        match BodyJudge::of(body).run_range(SEEDS[0], 0..CASES_PER_SEED) {
            Ok(stats) => panic!("{bug}: not found in {stats}"),
            Err(disagreement) => assert!(expected.contains(&disagreement.mismatch), "{bug}: {disagreement}"),
        }
    }
}
