//! `audian-check`: the command that exercises the published crate, behind `cargo xtask fuzz`. It
//! lives here, not in `xtask`, so that `cargo xtask generate` never needs the crate it generates
//! to compile. (`cargo xtask validate` runs `audian-events validate`, of the `cli/` crate.)

mod chunks;
mod fuzz;
mod raw_bytes;
mod strategies;

use std::process::ExitCode;

const USAGE: &str = "usage: audian-check fuzz [ARGS...]  (see `cargo xtask help`)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["fuzz", rest @ ..] => fuzz::main(rest),
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}
