//! `cargo xtask mutants`: plants a fixed list of bugs in a copy of the workspace, one at a time,
//! runs the tests on each, and reports which bugs the tests caught. Every one must be.
//!
//! A fixed list of our own rather than `cargo-mutants`: that tool would need installing, and it
//! mutates every function it finds, which on a machine of two cores takes hours; these bugs are
//! the ones that matter here (a format check, the pattern compiler, a required property, duplicate
//! keys, the one-pass parse, the timeline's tie-break, dedup expiry, the receiver's forgetting,
//! the drift of the tolerant reading), each named and explained.
//!
//! A bug in the code generator (`codegen/src/`) is planted, then `cargo xtask generate` is run in
//! the copy, so that the tests see the code the broken generator writes.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use xtask::Layout;

use crate::workspace_copy::{Purpose, Source, WorkspaceCopy};

const PURPOSE: Purpose = Purpose { command: "mutants", codegen_units: 254 };

/// What the tests of each mutant run: the tests of the published crate (unit, integration and
/// doc tests) and the cross-crate tests (the differential test against `jsonschema`, the JSON
/// Schema Test Suite, the receiver over HTTP...), a part of the README's
/// `cargo test --workspace --all-features`, which therefore catches whatever this catches.
/// Left out: the code generator's snapshot tests and xtask's freshness test, which fail on any
/// change of the generated code, and so would say nothing of whether its behaviour is tested.
const TEST_ARGS: &[&str] =
    &["test", "--all-features", "--package", "audian-events", "--package", "audian-events-tests"];

/// One bug: `from`, which must occur exactly once in `file`, is replaced by `to`.
#[derive(Debug)]
struct Mutant {
    /// A short name, for `--only`.
    name: &'static str,
    /// Relative to the workspace root.
    file: &'static str,
    from: &'static str,
    to: &'static str,
    /// What the bug breaks, in one line.
    breaks: &'static str,
}

impl Mutant {
    /// Whether the bug is in the code generator, whose output must be generated again.
    fn regenerates(&self) -> bool {
        self.file.starts_with("codegen/src/")
    }

    /// `text` with the bug planted; an error if `from` is not there exactly once (the list is
    /// then stale: the code it names has changed).
    fn plant(&self, text: &str) -> Result<String, String> {
        match text.matches(self.from).count() {
            1 => Ok(text.replacen(self.from, self.to, 1)),
            found => Err(format!(
                "mutant `{}` is stale: its `from` text occurs {found} times in {}, not once; update it in \
                 xtask/src/mutants.rs to plant the same bug in today's code",
                self.name, self.file
            )),
        }
    }
}

const MUTANTS: &[Mutant] = &[
    Mutant {
        name: "date-time-century-leap-year",
        file: "audian-events/src/validation/format.rs",
        from: "let leap_year = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);",
        to: "let leap_year = year.is_multiple_of(4);",
        breaks: "format date-time: February 29 of 1900 or 2100 passes",
    },
    Mutant {
        name: "date-time-leap-second-anytime",
        file: "audian-events/src/validation/format.rs",
        from: "if day <= number(b\"28\") && second < number(b\"60\") && matches!(rest, [b'Z' | b'z']) {",
        to: "if day <= number(b\"28\") && second <= number(b\"60\") && matches!(rest, [b'Z' | b'z']) {",
        breaks: "format date-time: a leap second (:60) passes at any time of day, not only at 23:59 UTC",
    },
    Mutant {
        name: "pattern-bound-plus-one",
        file: "codegen/src/pattern.rs",
        from: "quote!(rest.len() <= #max)",
        to: "quote!(rest.len() <= #max + 1)",
        breaks: "pattern compiler: the last atom takes one more than its bound, so a 16-digit E.164 number passes",
    },
    Mutant {
        name: "pattern-prefix-unanchored",
        file: "codegen/src/pattern.rs",
        from: "Some(prefix) => quote!(#text.starts_with(#prefix)),",
        to: "Some(prefix) => quote!(#text.contains(#prefix)),",
        breaks: "pattern compiler: `^evt_` is searched anywhere, so `xevt_1` passes as an event id",
    },
    Mutant {
        name: "required-first-unchecked",
        file: "codegen/src/emit_validators.rs",
        from: "let each = tracked.iter().enumerate().map(|(bit, name)| {",
        to: "let each = tracked.iter().enumerate().skip(1).map(|(bit, name)| {",
        breaks: "validators: an object without the first of its required properties passes",
    },
    Mutant {
        name: "additional-properties-ignored",
        file: "codegen/src/emit_validators.rs",
        from: "let fallback = additional.unwrap_or_else(|| quote!({}));",
        to: "let fallback = quote!({});",
        breaks: "validators: `additionalProperties` is not checked, so a property the schemas do not name passes",
    },
    Mutant {
        name: "duplicate-key-kept",
        file: "audian-events/src/validation/strict_json.rs",
        from: "if object.contains_key(&key) {",
        to: "if false && object.contains_key(&key) {",
        breaks: "strict JSON: a duplicate key is resolved silently (the last one wins) instead of refused",
    },
    Mutant {
        name: "number-maximum-exclusive",
        file: "audian-events/src/validation/runtime.rs",
        from: "compare(number, bound).is_some_and(|ordering| ordering.is_le())",
        to: "compare(number, bound).is_some_and(|ordering| ordering.is_lt())",
        breaks: "validators: a number equal to its `maximum` fails, as if the bound were exclusive",
    },
    Mutant {
        name: "integer-two-pow-64",
        file: "audian-events/src/integer.rs",
        from: "if value.fract() == 0.0 && value >= low && value < high {",
        to: "if value.fract() == 0.0 && value >= low && value <= high {",
        breaks: "typed parse: 2^64 written as a float is read into a u64 (saturated) instead of refused",
    },
    Mutant {
        name: "one-pass-strict-dead",
        file: "audian-events/src/validation/mod.rs",
        from: "Event::from_slice_in::<{ crate::de::STRICT }>(bytes)",
        to: "Event::from_slice_in::<{ crate::de::STRICT }>(b\"\")",
        breaks: "one pass: the strict parse always fails, so every payload silently takes the slow fallback",
    },
    Mutant {
        name: "strict-takes-unknown-value",
        file: "audian-events/src/de.rs",
        from: "    if MODE == STRICT {\n        return false;",
        to: "    if false && MODE == STRICT {\n        return false;",
        breaks: "one pass: the strict parse accepts a value of an enumeration it does not know (a new call_type)",
    },
    Mutant {
        name: "data-before-event-untyped",
        file: "audian-events/src/envelope.rs",
        from: "(None, Some(raw)) => parse_buffered_data::<MODE>(&event_type, raw.get())",
        to: "(None, Some(raw)) => parse_buffered_data::<MODE>(&EventType::Unknown(event_type.as_str().into()), raw.get())",
        breaks: "event dispatch: `data` sent before `event` is read as the data of an unknown event type",
    },
    Mutant {
        name: "timeline-tie-break-by-id",
        file: "audian-events/src/timeline/mod.rs",
        from: "    step: Step,\n    id: EventId,\n}",
        to: "    id: EventId,\n    step: Step,\n}",
        breaks: "timeline: events with equal timestamps are ordered by id instead of lifecycle step",
    },
    Mutant {
        name: "timeline-answered-before-ringing",
        file: "audian-events/src/timeline/table.rs",
        from: "    Ringing,\n    /// The call is answered (`call.answered`).\n    Answered,",
        to: "    Answered,\n    /// The call is answered (`call.answered`).\n    Ringing,",
        breaks: "timeline: at equal timestamps, call.answered comes before call.ringing",
    },
    Mutant {
        name: "dedup-expiry-late",
        file: "audian-events/src/dedup/memory.rs",
        from: "if now.saturating_duration_since(front.at) < ttl {",
        to: "if now.saturating_duration_since(front.at) <= ttl {",
        breaks: "dedup: an id is still held when its time-to-live has passed, so that retry is dropped",
    },
    Mutant {
        name: "receiver-keeps-failed-id",
        file: "audian-events/src/axum/receiver.rs",
        from: "let forgotten = self.forget_patiently(&id).await;",
        to: "let forgotten: Result<(), DedupError> = Ok(());",
        breaks: "receiver: after a failed callback the id is not forgotten, so Audian's retry is dropped",
    },
    Mutant {
        name: "receiver-keeps-panicked-id",
        file: "audian-events/src/axum/receiver.rs",
        from: "let Some(id) = self.id.take() else { return };",
        to: "let Some(id) = self.id.take().filter(|_| false) else { return };",
        breaks: "receiver: after a callback panics the id is not forgotten, so Audian's retry is dropped",
    },
    Mutant {
        name: "drift-never-noted",
        file: "audian-events/src/de.rs",
        from: "    if MODE == TOLERANT {\n        DRIFTED",
        to: "    if MODE == STRICT {\n        DRIFTED",
        breaks: "tolerant reading: the one pass never notes drift, so a new field is accepted without a word",
    },
    Mutant {
        name: "drift-kind-lost",
        file: "audian-events/src/validation/drift.rs",
        from: "Some(kind) => drift.differences.push(Difference { pointer: error.instance_path, kind }),",
        to: "Some(_) => drift.differences.push(Difference { pointer: error.instance_path, kind: DriftKind::UnknownProperty }),",
        breaks: "tolerant reading: every drift is called an unknown property, even a new event type or value",
    },
];

const USAGE: &str = "\
usage: cargo xtask mutants [--list] [--only NAME]... [--head] [--keep]

Plants each bug of a fixed list in a copy of the workspace, one at a time, and runs the tests of
audian-events and audian-events-tests (part of the README's test command) on it: every bug must
make a test fail. A bug in codegen/ is followed by `cargo xtask generate` in the copy. First the
tests run once with no bug, and must pass. Not run in CI: it takes 10 to 20 minutes on two cores.

  --list        list the bugs, and check that each still applies to the working tree
  --only NAME   plant only this bug (repeatable)
  --head        copy the last commit instead of the working tree (tracked files with their
                changes, and new files not ignored), when others are editing it
  --keep        keep the copy and the logs (they are kept anyway when a bug survives)

Exit status: 0 every bug caught; 1 a bug survived or did not build; 2 the run could not be made.";

pub fn main(args: &[&str]) -> ExitCode {
    let mut list = false;
    let mut keep = false;
    let mut source = Source::WorkingTree;
    let mut only = Vec::new();
    let mut rest = args;
    while let [first, tail @ ..] = rest {
        rest = tail;
        match *first {
            "--list" => list = true,
            "--keep" => keep = true,
            "--head" => source = Source::Head,
            "--only" => match tail {
                [name, tail @ ..] => {
                    only.push(*name);
                    rest = tail;
                }
                [] => return usage_error("--only needs a name"),
            },
            "--help" | "-h" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => return usage_error(&format!("unknown argument `{other}`")),
        }
    }
    let selected: Vec<&Mutant> = if only.is_empty() {
        MUTANTS.iter().collect()
    } else {
        let unknown: Vec<&str> =
            only.iter().copied().filter(|name| !MUTANTS.iter().any(|mutant| mutant.name == *name)).collect();
        if !unknown.is_empty() {
            let names: Vec<&str> = MUTANTS.iter().map(|mutant| mutant.name).collect();
            return usage_error(&format!("no mutant named {unknown:?}; the mutants are {}", names.join(", ")));
        }
        MUTANTS.iter().filter(|mutant| only.contains(&mutant.name)).collect()
    };
    let workspace = Layout::repository().workspace;
    if list {
        let stale = stale_mutants(&workspace, &selected);
        for mutant in &selected {
            let state = if stale.iter().any(|(name, _)| *name == mutant.name) { "  STALE" } else { "" };
            println!("{:<34} {}{state}\n{:<34} {}", mutant.name, mutant.file, "", mutant.breaks);
        }
        for (_, error) in &stale {
            eprintln!("mutants: {error}");
        }
        return if stale.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(2) };
    }
    match run(&workspace, source, &selected, keep) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("mutants: {error}");
            ExitCode::from(2)
        }
    }
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("mutants: {message}\n\n{USAGE}");
    ExitCode::from(2)
}

/// The mutants that no longer apply to the files of `root`, each with why.
fn stale_mutants(root: &Path, mutants: &[&Mutant]) -> Vec<(&'static str, String)> {
    mutants
        .iter()
        .filter_map(|mutant| {
            let path = root.join(mutant.file);
            let error = match fs::read_to_string(&path) {
                Ok(text) => mutant.plant(&text).err()?,
                Err(error) => format!("mutant `{}`: cannot read {}: {error}", mutant.name, path.display()),
            };
            Some((mutant.name, error))
        })
        .collect()
}

/// How one bug fared.
enum Verdict {
    /// A test failed (or `cargo xtask generate` refused the broken generator's output); `by` says
    /// which.
    Caught { by: String },
    /// Every test passed.
    Survived,
    /// The copy did not build with the bug: the list is wrong, not the tests.
    DoesNotBuild,
}

struct Outcome {
    name: &'static str,
    verdict: Verdict,
    build: Duration,
    tests: Duration,
}

/// Runs the whole check; `Ok(true)` if every bug was caught.
fn run(workspace: &Path, source: Source, mutants: &[&Mutant], keep: bool) -> Result<bool, String> {
    let started = Instant::now();
    let copy = WorkspaceCopy::make(workspace, PURPOSE, source)?;
    let stale = stale_mutants(&copy.root, mutants);
    if !stale.is_empty() {
        copy.remove()?;
        return Err(stale.into_iter().map(|(_, error)| error).collect::<Vec<_>>().join("\nmutants: "));
    }
    let logs = copy.home.join("logs");
    fs::create_dir_all(&logs).map_err(|error| format!("cannot create {}: {error}", logs.display()))?;
    println!("mutants: the logs of each step go to {}", logs.display());
    let kept = |why: &str| format!("{why}; the copy is kept in {}", copy.root.display());

    if mutants.iter().any(|mutant| mutant.regenerates()) {
        let log = logs.join("baseline-generate.log");
        if let Finished::Failed = run_logged(copy.cargo().args(["xtask", "generate", "--check"]), &log, None)? {
            println!(
                "mutants: the generated files of the working tree are stale; the copy generates them afresh \
                 (see {})",
                log.display()
            );
            let log = logs.join("baseline-generate-write.log");
            if let Finished::Failed = run_logged(copy.cargo().args(["xtask", "generate"]), &log, None)? {
                return Err(kept(&format!(
                    "`cargo xtask generate` fails in the copy with no bug planted: see {}",
                    log.display()
                )));
            }
        }
    }
    let pristine = copy.files()?;

    println!("mutants: the tests with no bug planted: cargo {}", TEST_ARGS.join(" "));
    let log = logs.join("baseline.log");
    let build_started = Instant::now();
    if let Finished::Failed = run_logged(copy.cargo().args(TEST_ARGS).arg("--no-run"), &log, None)? {
        return Err(kept(&format!("the copy does not build with no bug planted: see {}", log.display())));
    }
    let build = build_started.elapsed();
    let tests_started = Instant::now();
    if let Finished::Failed = run_logged(copy.cargo().args(TEST_ARGS), &log, None)? {
        let failed = first_failure(&fs::read_to_string(&log).unwrap_or_default());
        return Err(kept(&format!("the tests fail with no bug planted ({failed}): see {}", log.display())));
    }
    let baseline = tests_started.elapsed();
    copy.restore(&pristine)?;
    // A bug that makes the tests loop forever is caught by the time limit.
    let limit = baseline * 3 + Duration::from_secs(120);
    println!(
        "mutants: no bug: built in {build:.0?}, tests passed in {baseline:.0?}; a bug's tests stop after {limit:.0?}"
    );

    let mut outcomes = Vec::new();
    for (index, mutant) in mutants.iter().enumerate() {
        println!("[{}/{}] {}: {}", index + 1, mutants.len(), mutant.name, mutant.breaks);
        let outcome = try_mutant(&copy, mutant, &logs, limit);
        copy.restore(&pristine)?;
        let outcome = outcome?;
        println!(
            "[{}/{}] {}: {} (build {:.0?}, tests {:.0?})",
            index + 1,
            mutants.len(),
            mutant.name,
            match &outcome.verdict {
                Verdict::Caught { by } => format!("caught by {by}"),
                Verdict::Survived => "SURVIVED: every test passed".to_owned(),
                Verdict::DoesNotBuild => "DOES NOT BUILD: fix the mutant".to_owned(),
            },
            outcome.build,
            outcome.tests
        );
        outcomes.push(outcome);
    }

    println!("\n{}", table(&outcomes));
    let all_caught = outcomes.iter().all(|outcome| matches!(outcome.verdict, Verdict::Caught { .. }));
    let caught = outcomes.iter().filter(|outcome| matches!(outcome.verdict, Verdict::Caught { .. })).count();
    println!("mutants: {caught} of {} bugs caught in {:.0?}", outcomes.len(), started.elapsed());
    if keep || !all_caught {
        println!("the copy and the logs are kept in {}", copy.home.display());
    } else {
        copy.remove()?;
    }
    Ok(all_caught)
}

/// Plants `mutant` in the copy, generates if it is in the generator, builds and runs the tests.
/// The caller puts the copy back.
fn try_mutant(copy: &WorkspaceCopy, mutant: &Mutant, logs: &Path, limit: Duration) -> Result<Outcome, String> {
    let path = copy.root.join(mutant.file);
    let text = fs::read_to_string(&path).map_err(|error| format!("cannot read {}: {error}", path.display()))?;
    fs::write(&path, mutant.plant(&text)?).map_err(|error| format!("cannot write {}: {error}", path.display()))?;
    let log = logs.join(format!("{}.log", mutant.name));
    let outcome = |verdict, build, tests| Outcome { name: mutant.name, verdict, build, tests };

    let build_started = Instant::now();
    if mutant.regenerates()
        && let Finished::Failed = run_logged(copy.cargo().args(["xtask", "generate"]), &log, None)?
    {
        let by = "`cargo xtask generate` (the generator's own checks)".to_owned();
        return Ok(outcome(Verdict::Caught { by }, build_started.elapsed(), Duration::ZERO));
    }
    if let Finished::Failed = run_logged(copy.cargo().args(TEST_ARGS).arg("--no-run"), &log, None)? {
        return Ok(outcome(Verdict::DoesNotBuild, build_started.elapsed(), Duration::ZERO));
    }
    let build = build_started.elapsed();
    let tests_started = Instant::now();
    let verdict = match run_logged(copy.cargo().args(TEST_ARGS), &log, Some(limit))? {
        Finished::Passed => Verdict::Survived,
        Finished::Failed => Verdict::Caught { by: first_failure(&fs::read_to_string(&log).unwrap_or_default()) },
        Finished::TimedOut => Verdict::Caught { by: format!("the time limit: the tests ran over {limit:.0?}") },
    };
    Ok(outcome(verdict, build, tests_started.elapsed()))
}

enum Finished {
    Passed,
    Failed,
    TimedOut,
}

/// Runs `command` with its output appended to `log`; kills it (and what it started) after
/// `limit`.
fn run_logged(command: &mut Command, log: &Path, limit: Option<Duration>) -> Result<Finished, String> {
    let mut file = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .map_err(|error| format!("cannot open {}: {error}", log.display()))?;
    let shown = format!("{command:?}");
    std::io::Write::write_all(&mut file, format!("\n$ {shown}\n").as_bytes())
        .map_err(|error| format!("cannot write {}: {error}", log.display()))?;
    let stderr = file.try_clone().map_err(|error| format!("cannot write {}: {error}", log.display()))?;
    command.stdin(Stdio::null()).stdout(file).stderr(stderr);
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(command, 0);
    let mut child = command.spawn().map_err(|error| format!("cannot run {shown}: {error}"))?;
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().map_err(|error| format!("cannot wait for {shown}: {error}"))? {
            return Ok(if status.success() { Finished::Passed } else { Finished::Failed });
        }
        if limit.is_some_and(|limit| started.elapsed() > limit) {
            kill_group(&mut child);
            return Ok(Finished::TimedOut);
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Kills `child` and the processes it started (cargo and the test binaries it runs), which share
/// its process group.
fn kill_group(child: &mut std::process::Child) {
    #[cfg(unix)]
    {
        let _ = Command::new("kill").args(["-KILL", "--", &format!("-{}", child.id())]).status();
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// The first test that failed in a log of `cargo test`, and where it is
/// (`a_test_name (-p audian-events --test dedup)`); what cargo said otherwise.
fn first_failure(log: &str) -> String {
    let test = log.lines().find_map(|line| line.strip_prefix("test ")?.strip_suffix(" ... FAILED"));
    let target = log.lines().find_map(|line| {
        let (_, rest) = line.split_once(", to rerun pass `")?;
        rest.split_once('`').map(|(target, _)| target)
    });
    match (test, target) {
        (Some(test), Some(target)) => format!("{test} ({target})"),
        (Some(test), None) => test.to_owned(),
        (None, Some(target)) => format!("a test of {target}"),
        (None, None) => log
            .lines()
            .find(|line| line.starts_with("error"))
            .map_or_else(|| "cargo test failed (see the log)".to_owned(), str::to_owned),
    }
}

/// The report: one line per bug.
fn table(outcomes: &[Outcome]) -> String {
    let rows: Vec<[String; 5]> = outcomes
        .iter()
        .map(|outcome| {
            let (caught, by) = match &outcome.verdict {
                Verdict::Caught { by } => ("yes", by.clone()),
                Verdict::Survived => ("NO", "every test passed".to_owned()),
                Verdict::DoesNotBuild => ("NO", "the bug does not build: fix the mutant".to_owned()),
            };
            let seconds = |duration: Duration| format!("{:.0}s", duration.as_secs_f64());
            [outcome.name.to_owned(), caught.to_owned(), seconds(outcome.build), seconds(outcome.tests), by]
        })
        .collect();
    let header = ["mutant", "caught", "build", "tests", "by"].map(str::to_owned);
    let mut widths = [0; 5];
    for row in std::iter::once(&header).chain(&rows) {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut text = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let line = row
            .iter()
            .zip(widths)
            .enumerate()
            .map(|(column, (cell, width))| match column {
                2 | 3 => format!("{cell:>width$}"),
                4 => cell.clone(),
                _ => format!("{cell:<width$}"),
            })
            .collect::<Vec<_>>()
            .join("  ");
        let _ = writeln!(text, "{line}");
    }
    text.trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// The list is kept up to date with the code: a mutant whose `from` text is gone (or
    /// doubled) would plant nothing, or the wrong thing.
    #[test]
    fn every_mutant_applies_to_the_repository_exactly_once() {
        let all: Vec<&Mutant> = MUTANTS.iter().collect();
        let stale = stale_mutants(&Layout::repository().workspace, &all);
        assert!(stale.is_empty(), "{}", stale.into_iter().map(|(_, error)| error).collect::<Vec<_>>().join("\n"));
    }

    #[test]
    fn mutants_have_distinct_names_and_change_something() {
        let names: BTreeSet<&str> = MUTANTS.iter().map(|mutant| mutant.name).collect();
        assert_eq!(names.len(), MUTANTS.len(), "two mutants share a name");
        for mutant in MUTANTS {
            assert_ne!(mutant.from, mutant.to, "{}", mutant.name);
            assert!(!mutant.breaks.contains('\n'), "{}: one line", mutant.name);
        }
    }

    #[test]
    fn the_list_covers_what_issue_20_asks_for() {
        let files: Vec<&str> = MUTANTS.iter().map(|mutant| mutant.file).collect();
        for file in [
            "audian-events/src/validation/format.rs",
            "codegen/src/pattern.rs",
            "codegen/src/emit_validators.rs",
            "audian-events/src/validation/strict_json.rs",
            "audian-events/src/validation/mod.rs",
            "audian-events/src/timeline/mod.rs",
            "audian-events/src/dedup/memory.rs",
            "audian-events/src/axum/receiver.rs",
            "audian-events/src/validation/drift.rs",
        ] {
            assert!(files.contains(&file), "no mutant in {file}");
        }
    }

    #[test]
    fn planting_replaces_the_one_occurrence_and_refuses_none_or_two() {
        let mutant = Mutant { name: "m", file: "f.rs", from: "a < b", to: "a <= b", breaks: "" };
        assert_eq!(mutant.plant("if a < b {}").unwrap(), "if a <= b {}");
        assert!(mutant.plant("if a > b {}").unwrap_err().contains("occurs 0 times in f.rs"));
        assert!(mutant.plant("a < b && a < b").unwrap_err().contains("occurs 2 times"));
    }

    #[test]
    fn the_first_failure_names_the_test_and_its_target() {
        let log = "running 3 tests\ntest dedup::a ... ok\ntest dedup::ttl ... FAILED\ntest c ... FAILED\n\
                   error: test failed, to rerun pass `-p audian-events --test dedup`\n";
        assert_eq!(first_failure(log), "dedup::ttl (-p audian-events --test dedup)");
        let doc =
            "test src/lib.rs - (line 3) ... FAILED\nerror: doctest failed, to rerun pass `-p audian-events --doc`";
        assert_eq!(first_failure(doc), "src/lib.rs - (line 3) (-p audian-events --doc)");
        assert_eq!(first_failure("error[E0308]: mismatched types\n"), "error[E0308]: mismatched types");
        assert_eq!(first_failure(""), "cargo test failed (see the log)");
    }

    #[test]
    fn the_table_has_a_row_per_mutant() {
        let outcomes = [
            Outcome {
                name: "a",
                verdict: Verdict::Caught { by: "t (x)".into() },
                build: Duration::from_secs(3),
                tests: Duration::from_secs(12),
            },
            Outcome { name: "longer", verdict: Verdict::Survived, build: Duration::ZERO, tests: Duration::ZERO },
        ];
        assert_eq!(
            table(&outcomes),
            "mutant  caught  build  tests  by\n\
             a       yes        3s    12s  t (x)\n\
             longer  NO         0s     0s  every test passed"
        );
    }
}
