//! A fixed workload whose instructions `cargo xtask bench` counts under
//! `valgrind --tool=callgrind`: counts do not depend on the machine's load, so they resolve what
//! validation adds to parsing more finely than the timings of a shared machine can.
//!
//! usage: workload <parse_validated|from_slice|none> <passes>
//!
//! Each pass parses the 18 documented examples' compact bytes; `none` builds the same corpus and
//! parses nothing, so that its count can be subtracted from the others.

use std::hint::black_box;
use std::process::ExitCode;

use audian_events_bench::Corpus;

const USAGE: &str = "usage: workload <parse_validated|from_slice|none> <passes>";

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
    let parse: fn(&[u8]) -> bool = match mode.as_str() {
        "parse_validated" => |bytes| audian_events::parse_validated(bytes).is_ok(),
        "from_slice" => |bytes| audian_events::Event::from_slice(bytes).is_ok(),
        "none" => |_| true,
        _ => {
            eprintln!("workload: unknown mode {mode:?}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let corpus = Corpus::build();
    for _ in 0..passes {
        for input in &corpus.valid {
            if !black_box(parse(black_box(&input.bytes))) {
                eprintln!("workload: {} did not parse", input.name);
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
