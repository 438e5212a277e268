use std::process::ExitCode;

use xtask::{Layout, Mode};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  generate            check schema/ and write the generated files
  generate --check    check schema/ and fail if a generated file is stale (writes nothing)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["generate"] => run_generate(Mode::Write),
        ["generate", "--check"] => run_generate(Mode::Check),
        ["help" | "--help" | "-h"] => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn run_generate(mode: Mode) -> ExitCode {
    match xtask::generate(&Layout::repository(), mode) {
        Ok(summary) => {
            println!("{summary}");
            ExitCode::SUCCESS
        }
        Err(failure) => {
            eprintln!("{failure}");
            ExitCode::FAILURE
        }
    }
}
