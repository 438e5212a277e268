//! The one pass of `Reading::parse` (typed parse and validation together, before any fallback to
//! the validator) accepts alone what the reference accepts, and gives the event the lenient parse
//! gives; it never lets through a payload the schemas refuse. Its verdicts would be the same if it
//! refused everything (the fallback would accept the valid payloads, more slowly), so the tests
//! look at the path taken: `second_reads::one_pass` is the one pass alone, and
//! `second_reads::so_far` counts the second reads of `Reading::parse`. Checked on every documented
//! example in several layouts, and on mutated payloads written with `event` before `data` (read
//! straight into its type) and after it (buffered as raw JSON). The differential test checks the
//! same on every valid case of its corpus (`Verdicts::agree`).

use audian_events::validation::second_reads::{self, SecondReads};
use audian_events::{Event, PayloadError, Reading, examples};
use audian_events_tests::bytes::{self, KeyOrder, Style};
use audian_events_tests::{Engine, Input, Reference};

const SEEDS: [u64; 3] = [11, 0x5EED_F0DE, 1 << 40];
const CASES_PER_SEED: u64 = 7_000;

/// `Reading::parse` of `bytes`, and the second reads it made.
fn parse_counting(reading: Reading, bytes: &[u8]) -> (Result<audian_events::Accepted, PayloadError>, SecondReads) {
    let before = second_reads::so_far();
    let parsed = reading.parse(bytes);
    let after = second_reads::so_far();
    let reads =
        SecondReads { fallbacks: after.fallbacks - before.fallbacks, for_drift: after.for_drift - before.for_drift };
    (parsed, reads)
}

#[test]
fn the_one_pass_alone_accepts_every_documented_example_in_every_layout() {
    let layouts = [
        Style { order: KeyOrder::EventFirst, pretty: false, escape_one_in: 0 },
        Style { order: KeyOrder::DataFirst, pretty: false, escape_one_in: 0 },
        Style { order: KeyOrder::Sorted, pretty: true, escape_one_in: 0 },
        Style { order: KeyOrder::Reversed, pretty: false, escape_one_in: 1 },
    ];
    let mut checked = 0;
    for (event_type, text) in examples::ALL {
        let example: serde_json::Value = serde_json::from_str(text).expect("an example is JSON");
        let lenient: Event = serde_json::from_value(example.clone()).expect("an example parses");
        let written = layouts.iter().map(|&style| bytes::to_bytes(&example, style));
        for payload in std::iter::once(text.as_bytes().to_vec()).chain(written) {
            let shown = String::from_utf8_lossy(&payload);
            for reading in [Reading::Strict, Reading::Tolerant] {
                let one_pass = second_reads::one_pass(reading, &payload);
                assert_eq!(one_pass, Some((lenient.clone(), false)), "{reading:?} one pass of {event_type:?}: {shown}");
                let (parsed, reads) = parse_counting(reading, &payload);
                assert_eq!(parsed.map(Event::from).ok().as_ref(), Some(&lenient), "{reading:?}.parse of {shown}");
                assert_eq!(reads, SecondReads::default(), "{reading:?}.parse read {event_type:?} again: {shown}");
                checked += 1;
            }
            let before = second_reads::so_far();
            assert_eq!(audian_events::parse_validated(&payload).ok().as_ref(), Some(&lenient), "{shown}");
            assert_eq!(second_reads::so_far(), before, "parse_validated read {event_type:?} again: {shown}");
        }
    }
    assert_eq!(checked, examples::ALL.len() * (layouts.len() + 1) * 2);
}

/// What the strict reading refuses goes to the fallback, which says why: the counter counts.
#[test]
fn a_refused_payload_falls_back_and_is_counted() {
    let (_, text) = examples::ALL[0];
    let mut example: serde_json::Value = serde_json::from_str(text).unwrap();
    example["data"]["carrier"] = serde_json::json!("att");
    let payload = serde_json::to_vec(&example).unwrap();
    assert_eq!(second_reads::one_pass(Reading::Strict, &payload), None);
    let (parsed, reads) = parse_counting(Reading::Strict, &payload);
    assert!(matches!(parsed, Err(PayloadError::Invalid(_))), "{parsed:?}");
    assert_eq!(reads, SecondReads { fallbacks: 1, for_drift: 0 });
    let (parsed, reads) = parse_counting(Reading::Tolerant, &payload);
    assert_eq!(parsed.expect("the tolerant reading takes an addition").drift.pointers(), "/data/carrier");
    assert_eq!(reads, SecondReads { fallbacks: 0, for_drift: 1 });
}

#[test]
fn parse_validated_agrees_with_the_reference_in_both_key_orders_by_the_one_pass_alone() {
    let engine = Engine::documented();
    let reference = Reference::get();
    let (mut valid, mut invalid, mut checked) = (0u64, 0u64, 0u64);
    let mut disagreements = Vec::new();
    for seed in SEEDS {
        for index in 0..CASES_PER_SEED {
            let case = engine.case(seed, index);
            let Input::Value(value) = &case.input else { continue };
            let expected = reference.is_valid(value);
            if expected {
                valid += 1
            } else {
                invalid += 1
            }
            for order in [KeyOrder::EventFirst, KeyOrder::DataFirst] {
                checked += 1;
                let written = bytes::to_bytes(value, Style { order, pretty: false, escape_one_in: 0 });
                let one_pass = second_reads::one_pass(Reading::Strict, &written);
                let before = second_reads::so_far();
                let parsed = audian_events::parse_validated(&written);
                let fell_back = second_reads::so_far().fallbacks > before.fallbacks;
                let agrees = match (&parsed, expected) {
                    (Ok(event), true) => {
                        !fell_back
                            && serde_json::from_value::<Event>(value.clone()).ok().as_ref() == Some(event)
                            && one_pass.as_ref() == Some(&(event.clone(), false))
                    }
                    (
                        Err(PayloadError::Invalid(_) | PayloadError::NotAnEvent(_) | PayloadError::Malformed(_)),
                        false,
                    ) => one_pass.is_none(),
                    _ => false,
                };
                if !agrees && disagreements.len() < 5 {
                    disagreements.push(format!(
                        "seed {seed}, case {index}, {order:?}: reference says {}, parse_validated gives {:?} \
                         (fell back: {fell_back}), the one pass alone {:?}\npayload: {}",
                        if expected { "valid" } else { "invalid" },
                        parsed.as_ref().map(Event::event_type),
                        one_pass.as_ref().map(|(event, _)| event.event_type()),
                        String::from_utf8_lossy(&written)
                    ));
                }
            }
        }
    }
    println!("{checked} byte payloads checked: {valid} valid and {invalid} invalid values");
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n\n"));
    assert!(valid * 10 > checked / 2 && invalid * 10 > checked / 2, "too one-sided: {valid} valid, {invalid} invalid");
}
