//! A fixed workload whose instructions `cargo xtask bench` counts under
//! `valgrind --tool=callgrind`: counts do not depend on the machine's load, so they resolve what
//! validation adds to parsing more finely than the timings of a shared machine can.
//!
//! usage: workload <mode> <passes>
//!
//! Each pass goes over the documented examples: `parse_validated` and `from_slice` parse their
//! compact bytes; `is_valid`, `jsonschema_runtime` and `jsonschema_macro` validate their parsed
//! `Value`s; `parse_tolerant` and `is_valid_tolerant` do the same in the tolerant reading, and
//! `parse_tolerant_drifting` parses each example with one field Audian might add
//! (`data.carrier`). `is_valid_slice` and `is_valid_slice_tolerant` give the verdict on the
//! compact bytes in either reading, and `floor_ignored_any` only checks their syntax
//! (`serde_json::from_slice::<IgnoredAny>`, the floor). `none` builds the same corpus and
//! validators and does nothing with them, so that its count can be subtracted from the others.

use std::hint::black_box;
use std::process::ExitCode;

use audian_events::Reading;
use audian_events_bench::{Corpus, Input, MacroValidator, runtime_validator};

const USAGE: &str = "usage: workload <parse_validated|from_slice|is_valid|jsonschema_runtime|jsonschema_macro|\
                     parse_tolerant|is_valid_tolerant|parse_tolerant_drifting|is_valid_slice|is_valid_slice_tolerant|floor_ignored_any|none> <passes>";

/// What a mode does with the example at an index of the corpus.
type Work<'a> = dyn Fn(usize, &Input) -> bool + 'a;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [mode, passes] = args.as_slice() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let Ok(passes) = passes.parse::<usize>() else {
        eprintln!("workload: {passes:?} is not a number of passes\n{USAGE}");
        return ExitCode::from(2);
    };
    let corpus = Corpus::build();
    // Built outside the counted work in every mode, `none` included.
    let runtime = runtime_validator();
    let drifting: Vec<Vec<u8>> = corpus
        .valid
        .iter()
        .map(|input| {
            let mut value = input.value.clone();
            value["data"]["carrier"] = "att".into();
            serde_json::to_vec(&value).expect("JSON")
        })
        .collect();
    let work: Box<Work<'_>> = match mode.as_str() {
        "parse_validated" => Box::new(|_, input| audian_events::parse_validated(&input.bytes).is_ok()),
        "from_slice" => Box::new(|_, input| audian_events::Event::from_slice(&input.bytes).is_ok()),
        "is_valid" => Box::new(|_, input| audian_events::is_valid(&input.value)),
        "jsonschema_runtime" => Box::new(|_, input| runtime.is_valid(&input.value)),
        "jsonschema_macro" => Box::new(|_, input| MacroValidator::is_valid(&input.value)),
        "parse_tolerant" => Box::new(|_, input| Reading::Tolerant.parse(&input.bytes).is_ok()),
        "is_valid_tolerant" => Box::new(|_, input| Reading::Tolerant.is_valid(&input.value)),
        "parse_tolerant_drifting" => Box::new(|index, _| {
            Reading::Tolerant.parse(&drifting[index]).is_ok_and(|accepted| !accepted.drift.is_empty())
        }),
        "is_valid_slice" => Box::new(|_, input| audian_events::is_valid_slice(&input.bytes)),
        "is_valid_slice_tolerant" => Box::new(|_, input| Reading::Tolerant.is_valid_slice(&input.bytes)),
        "floor_ignored_any" => {
            Box::new(|_, input| serde_json::from_slice::<serde::de::IgnoredAny>(&input.bytes).is_ok())
        }
        "none" => Box::new(|_, _| true),
        _ => {
            eprintln!("workload: unknown mode {mode:?}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    for _ in 0..passes {
        for (index, input) in corpus.valid.iter().enumerate() {
            if !black_box(work(index, black_box(input))) {
                eprintln!("workload: {} ({mode}) failed", input.name);
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
