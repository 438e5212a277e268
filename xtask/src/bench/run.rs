//! Running `cargo bench`: Cargo's build output goes to the terminal, Criterion's report (stdout)
//! and progress (stderr) to a log file, with one line per benchmark measured.

use std::io::{BufRead, BufReader, Write as _};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::benchmarks::{SPECS, Spec};

/// Runs the benchmarks; returns how long the build and the measurements took.
pub fn run_benchmarks(workspace: &Path, criterion_dir: &Path) -> Result<(Duration, Duration), String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    std::fs::create_dir_all(criterion_dir)
        .map_err(|error| format!("cannot create {}: {error}", criterion_dir.display()))?;
    let log_path = criterion_dir.join("cargo-bench.log");
    let log =
        std::fs::File::create(&log_path).map_err(|error| format!("cannot create {}: {error}", log_path.display()))?;
    let log = std::sync::Arc::new(std::sync::Mutex::new(log));
    println!(
        "running `cargo bench -p audian-events-bench --bench validation` (Criterion's output: {})",
        log_path.display()
    );
    let started = Instant::now();
    let mut child = Command::new(cargo)
        .current_dir(workspace)
        .args(["bench", "-p", "audian-events-bench", "--bench", "validation"])
        .env("CRITERION_HOME", criterion_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| format!("cannot run cargo: {error}"))?;
    let stderr = child.stderr.take().expect("stderr is piped");
    let stderr_log = log.clone();
    // Cargo's lines until it runs the benchmark, then Criterion's progress: only to the log.
    let stderr_thread = std::thread::spawn(move || {
        let mut built = None;
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if built.is_none() && line.trim_start().starts_with("Running ") {
                built = Some(started.elapsed());
            }
            if built.is_none() || !line.starts_with("Benchmarking ") {
                eprintln!("{line}");
            }
            let _ = writeln!(stderr_log.lock().expect("the log lock"), "{line}");
        }
        built
    });
    let stdout = child.stdout.take().expect("stdout is piped");
    for line in BufReader::new(stdout).lines() {
        let line = line.map_err(|error| format!("cannot read cargo's output: {error}"))?;
        let _ = writeln!(log.lock().expect("the log lock"), "{line}");
        if let Some(spec) = reported(&line) {
            println!("  measured {}/{}", spec.group.name(), spec.function.name());
        }
    }
    let status = child.wait().map_err(|error| format!("cannot wait for cargo: {error}"))?;
    let built = stderr_thread.join().ok().flatten().unwrap_or_default();
    if !status.success() {
        return Err(format!("`cargo bench` failed ({status}); see {}", log_path.display()));
    }
    Ok((built, started.elapsed().saturating_sub(built)))
}

/// The benchmark whose result a line of Criterion's report starts (`is_valid/ours  time: [...]`).
fn reported(line: &str) -> Option<&'static Spec> {
    SPECS.iter().find(|spec| {
        line.strip_prefix(spec.group.name())
            .and_then(|rest| rest.strip_prefix('/'))
            .and_then(|rest| rest.strip_prefix(spec.function.name()))
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
    })
}

#[cfg(test)]
mod tests {
    use super::super::benchmarks::{Function, Group};
    use super::*;

    #[test]
    fn a_result_line_names_its_benchmark_exactly() {
        let spec =
            reported("is_valid/jsonschema_macro                time:   [2.2437 µs 2.2501 µs 2.2570 µs]").unwrap();
        assert_eq!((spec.group, spec.function), (Group::IsValid, Function::JsonschemaMacro));
        let spec = reported("ndjson/ours_parse_validated").unwrap();
        assert_eq!((spec.group, spec.function), (Group::Ndjson, Function::OursParseValidated));
        assert!(reported("is_valid_each/ours/call.completed  time: [40 ns 41 ns 42 ns]").is_none());
        assert!(reported("is_valid/ours_parse_validated time: [1 ns 1 ns 1 ns]").is_none());
        assert!(reported("                        change: [-1.2% +0.3% +1.9%]").is_none());
    }
}
