//! The one-pass path of `audian_events::parse_validated` (typed parse and validation together,
//! before any fallback to the validator) gives the reference's verdict: it never lets through a
//! payload the schemas refuse, and it gives the event the lenient parse gives. Checked on mutated
//! payloads written with `event` before `data` (read straight into its type) and after it
//! (buffered as raw JSON).

use audian_events::{Event, PayloadError};
use audian_events_tests::bytes::{self, KeyOrder, Style};
use audian_events_tests::{Engine, Input, Reference};

const SEEDS: [u64; 3] = [11, 0x5EED_F0DE, 1 << 40];
const CASES_PER_SEED: u64 = 7_000;

#[test]
fn parse_validated_agrees_with_the_reference_in_both_key_orders() {
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
                let parsed = audian_events::parse_validated(&written);
                let agrees = match (&parsed, expected) {
                    (Ok(event), true) => serde_json::from_value::<Event>(value.clone()).ok().as_ref() == Some(event),
                    (
                        Err(PayloadError::Invalid(_) | PayloadError::NotAnEvent(_) | PayloadError::Malformed(_)),
                        false,
                    ) => true,
                    _ => false,
                };
                if !agrees && disagreements.len() < 5 {
                    disagreements.push(format!(
                        "seed {seed}, case {index}, {order:?}: reference says {}, parse_validated gives {:?}\npayload: {}",
                        if expected { "valid" } else { "invalid" },
                        parsed.as_ref().map(Event::event_type),
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
