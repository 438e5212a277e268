//! `audian-check`: the commands that exercise the published crate, behind `cargo xtask fuzz` and
//! `cargo xtask validate`. They live here, not in `xtask`, so that `cargo xtask generate` never
//! needs the crate it generates to compile.

mod fuzz;
mod strategies;
mod validate;

use std::process::ExitCode;

const USAGE: &str = "usage: audian-check fuzz|validate [ARGS...]  (see `cargo xtask help`)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["fuzz", rest @ ..] => fuzz::main(rest),
        ["validate", rest @ ..] => validate::main(rest),
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}
