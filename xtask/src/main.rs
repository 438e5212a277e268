mod bench;
mod mutants;
mod try_new_event;
mod workspace_copy;

use std::process::{Command, ExitCode};

use xtask::{Layout, Mode};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  generate            check schema/ and write the generated files
  generate --check    check schema/ and fail if a generated file is stale (writes nothing)
  fuzz [--cases N] [--seed S] [--threads T] [--reading strict|tolerant|both]
                      differential fuzzing of the generated validators against the reference
                      validator on mutated examples, in the strict reading (schema/), the
                      tolerant one (schema-tolerant/) or both (default both, 1000000 cases, seed
                      from the clock), in an optimized build; with --bytes N, N cases of the
                      raw-bytes mode instead (every payload bytes: numbers, duplicate keys,
                      invalid UTF-8, deep nesting, truncation, malformed JSON)
  validate [--tolerant] [--format text|json] FILE...
                      `audian-events validate` (the cli/ crate): validate event payloads (one
                      event, a JSON array, or NDJSON; `-` is stdin); exit 0 all valid, 1 some
                      invalid, 2 a file could not be read
  try-new-event [--keep]
                      add a synthetic event in a copy of the workspace by the recipe of
                      schema/README.md alone, then generate, build and test the copy
  mutants [--list] [--only NAME]... [--head] [--keep]
                      plant each bug of a fixed list in a copy of the workspace, one at a time,
                      run the tests on it, and report which bugs they caught (all must be; 10 to
                      20 minutes, not run in CI)
  compat [--base REV | --old DIR --new DIR] [--format table|json] [--check-version]
                      what each schema change since REV (default the newest `v*` tag, else HEAD)
                      does to tolerant receivers, strict validators and old payloads, with a
                      counterexample for each breaking verdict, and the version bump it needs
  bench [--no-run]    run the benchmarks against the jsonschema crate, print the table of medians
                      and ratios, write docs/bench.svg

`cargo xtask <command> --help` tells more about fuzz, validate, try-new-event, mutants and compat.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["generate"] => run_generate(Mode::Write),
        ["generate", "--check"] => run_generate(Mode::Check),
        ["fuzz", rest @ ..] => run_check(Profile::Release, ("audian-events-tests", "audian-check"), "fuzz", rest),
        ["validate", rest @ ..] => run_check(Profile::Dev, ("audian-events-cli", "audian-events"), "validate", rest),
        ["bench", rest @ ..] => bench::main(rest),
        ["try-new-event", rest @ ..] => try_new_event::main(rest),
        ["mutants", rest @ ..] => mutants::main(rest),
        ["compat", rest @ ..] => xtask::compat::main(rest),
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

#[derive(Clone, Copy, PartialEq, Eq)]
enum Profile {
    Dev,
    Release,
}

/// Runs a command of a binary of the workspace (`audian-check` in the tests crate, or the
/// `audian-events` command), which needs `audian-events` built: xtask itself must not depend on
/// the crate it generates.
fn run_check(profile: Profile, (package, bin): (&str, &str), command: &str, args: &[&str]) -> ExitCode {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut run = Command::new(cargo);
    run.args(["run", "--quiet", "--package", package, "--bin", bin]);
    if profile == Profile::Release {
        run.arg("--release");
    }
    run.arg("--").arg(command).args(args);
    match run.status() {
        Ok(status) => status.code().and_then(|code| u8::try_from(code).ok()).map_or(ExitCode::FAILURE, ExitCode::from),
        Err(error) => {
            eprintln!("cannot run cargo for `{command}`: {error}");
            ExitCode::from(2)
        }
    }
}
