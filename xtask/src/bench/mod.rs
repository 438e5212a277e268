//! `cargo xtask bench`: runs the Criterion benchmarks of `bench/` (`cargo bench -p
//! audian-events-bench`), reads the medians of that run from Criterion's
//! `<target>/criterion/<group>/<function>/new/estimates.json`, prints one table of medians and
//! ratios with the targets of issue 16, the versions and the machine, and writes the same run as a
//! bar chart to `docs/bench.svg`.

mod benchmarks;
mod callgrind;
mod chart;
mod criterion;
mod machine;
mod report;
mod results;
mod run;
mod targets;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime};

use xtask::Layout;

use benchmarks::Corpus;
use callgrind::InstructionCounts;
use machine::Environment;
use report::Report;
use results::Results;

pub const USAGE: &str = "\
usage: cargo xtask bench [--no-run]

Runs `cargo bench -p audian-events-bench` (about 8 minutes of measurement after the build;
Criterion's own output goes to <target>/criterion/cargo-bench.log), then prints one table of
median times and ratios (ours against the jsonschema runtime validator and its compile-time macro
validator, and the bytes paths against the floor, `from_slice::<IgnoredAny>`), each example
alone, the targets and whether this run meets them, the versions and the machine, and writes
the same run as a bar chart to docs/bench.svg. Where valgrind is installed, it also counts the
instructions per example of each validator's `is_valid`, of the bytes paths and of the floor
(bench/src/bin/workload.rs under callgrind, about a minute), which do not depend on the
machine's load as the timings of a shared machine do, and judges the validation guard on them.

options:
  --no-run   do not run the benchmarks: report the last run's results (all of one run)";

pub fn main(args: &[&str]) -> ExitCode {
    let run = match args {
        [] => true,
        ["--no-run"] => false,
        ["--help" | "-h"] => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match bench(run) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("cargo xtask bench: {error}");
            ExitCode::FAILURE
        }
    }
}

fn bench(run: bool) -> Result<(), String> {
    let layout = Layout::repository();
    let corpus = Corpus::from_schemas(&layout.workspace, &layout.schema_dir)?;
    let target = target_dir(&layout.workspace);
    let criterion_dir = target.join("criterion");
    let started = Instant::now();
    let started_at = SystemTime::now();
    let timings = if run { Some(run::run_benchmarks(&layout.workspace, &criterion_dir)?) } else { None };
    let since = run.then_some(started_at);
    let measured = criterion::read_results(&criterion_dir, since, corpus)?;
    let each = criterion::read_each_example(&criterion_dir, since, corpus)?;
    let bytes_each = criterion::read_each_bytes(&criterion_dir, since, corpus)?;
    let instructions_path = criterion_dir.join("instructions.json");
    let instructions = if run {
        let counts = callgrind::count_instructions(&layout.workspace, &target, corpus.examples)?;
        // Kept for `--no-run`; a run that could not count leaves none from an older run.
        let _ = match &counts {
            Some(counts) => std::fs::write(&instructions_path, counts.to_json()),
            None => std::fs::remove_file(&instructions_path),
        };
        counts
    } else {
        std::fs::read_to_string(&instructions_path).ok().and_then(|text| InstructionCounts::from_json(&text))
    };
    let environment = Environment::probe(&layout.workspace);
    let report = Report { results: Results { corpus, measured, each, bytes_each }, instructions, environment };
    println!();
    println!("{}", report.text());
    let svg_path = layout.workspace.join("docs/bench.svg");
    std::fs::write(&svg_path, chart::svg(&report))
        .map_err(|error| format!("cannot write {}: {error}", svg_path.display()))?;
    println!("chart of this run written to docs/bench.svg");
    if let Some((built, measured)) = timings {
        println!(
            "`cargo xtask bench` took {} ({} building, {} measuring)",
            format_duration(started.elapsed()),
            format_duration(built),
            format_duration(measured)
        );
    }
    Ok(())
}

fn target_dir(workspace: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if Path::new(&dir).is_absolute() => PathBuf::from(dir),
        Some(dir) => workspace.join(dir),
        None => workspace.join("target"),
    }
}

fn format_duration(duration: Duration) -> String {
    let seconds = duration.as_secs();
    format!("{}m {:02}s", seconds / 60, seconds % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_in_minutes_and_seconds() {
        assert_eq!(format_duration(Duration::from_millis(5_999)), "0m 05s");
        assert_eq!(format_duration(Duration::from_secs(6 * 60 + 42)), "6m 42s");
    }
}
