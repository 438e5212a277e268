//! The official JSON Schema Test Suite, draft 2020-12, against the generated validators.
//!
//! `build.rs` compiles every test group whose schema uses only what the code generator supports
//! into a validator; the others are listed as refused, with the reason. Every case of a compiled
//! group goes through both the fast path (stop at the first failure) and the collecting path
//! (valid when no error is recorded), and both verdicts must equal the suite's `valid`.
//!
//! How many groups and cases compile is pinned, exactly, by `json-schema-suite-baseline.json`
//! (beside `Cargo.toml`): the test fails when coverage falls below it, and when it grows beyond it
//! until the baseline is raised. `UPDATE_BASELINE=1` rewrites the baseline, and the paragraph of
//! the README that reports it, from this build's coverage.
//!
//! The suite is read at build time from `../shared/json-schema-test-suite/` (beside the
//! workspace), or the checkout `AUDIAN_JSON_SCHEMA_TEST_SUITE` names. When it is absent, the tests
//! that need it are reported as ignored, with the reason, and fail where `CI` requires the optional
//! pieces (`audian-events/tests/support/optional_pieces.rs`). The harness is `libtest-mimic`
//! (`harness = false`), which can mark a test ignored while it runs.
//! Run with `--nocapture` to see every covered and refused group.

#[path = "../../audian-events/tests/support/optional_pieces.rs"]
mod optional_pieces;
#[path = "../suite_files.rs"]
mod suite_files;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::ExitCode;

use audian_events::validation::runtime::{Collect, FirstFailure, InstancePath};
use libtest_mimic::{Arguments, Completion, Failed, Trial};
use serde_json::Value;

/// The committed coverage.
const BASELINE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/json-schema-suite-baseline.json");
/// The README, whose validation section reports the baseline between these markers.
const README: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md");
const README_START: &str = "<!-- json-schema-suite-coverage: written from tests/json-schema-suite-baseline.json -->";
const README_END: &str = "<!-- /json-schema-suite-coverage -->";
/// The variable that rewrites the baseline and the README's paragraph from this build.
const UPDATE_VARIABLE: &str = "UPDATE_BASELINE";
const UPDATE_COMMAND: &str = "UPDATE_BASELINE=1 cargo test -p audian-events-tests --test json_schema_suite";
/// The dialect `build.rs` reads the groups in.
const DIALECT: &str = "tolerant";

fn main() -> ExitCode {
    let args = Arguments::from_args();
    if std::env::var_os(UPDATE_VARIABLE).is_some_and(|value| value == "1") {
        // Before the trials, which read both files.
        if let Err(message) = update() {
            eprintln!("{message}");
            return ExitCode::FAILURE;
        }
    }
    let verbose = args.nocapture;
    let trials = vec![
        optional_pieces::policy_trial(),
        needs_suite("every_case_of_a_compiled_group_gets_the_suite_verdict_on_both_paths", move || {
            cases_get_the_suite_verdicts(verbose)
        }),
        needs_suite("coverage_is_the_committed_baseline", coverage_is_the_baseline),
        needs_suite("the_suite_on_disk_is_the_one_compiled", the_suite_on_disk_is_the_one_compiled),
        Trial::test("the_readme_reports_the_baseline_coverage", the_readme_reports_the_baseline),
    ];
    libtest_mimic::run(&args, trials).exit_code()
}

/// A test of the suite: ignored (or failed, where CI requires the suite) when it was absent at
/// build time.
fn needs_suite(name: &str, test: impl FnOnce() -> Result<(), Failed> + Send + 'static) -> Trial {
    Trial::ignorable_test(name, move || {
        if !suite::SUITE_PRESENT {
            return optional_pieces::missing(&format!(
                "the JSON Schema Test Suite was missing at {} when this test was built{}: put a checkout of \
                 https://github.com/json-schema-org/JSON-Schema-Test-Suite at ../shared/json-schema-test-suite beside \
                 the workspace, or set AUDIAN_JSON_SCHEMA_TEST_SUITE to one, and run again",
                suite::SUITE_DIR,
                if Path::new(suite::SUITE_DIR).is_dir() { " (it is there now)" } else { "" }
            ));
        }
        test().map(|()| Completion::Completed)
    })
}

/// One test group of the suite, as compiled by `build.rs`.
struct Group {
    /// Path relative to the suite's `draft2020-12/` folder.
    file: &'static str,
    /// Position of the group in its file.
    index: usize,
    description: &'static str,
    outcome: Outcome,
    cases: &'static [Case],
}

// Constructed only by the generated table, which is empty when the suite is absent.
#[allow(dead_code)]
enum Outcome {
    /// The generator accepted the schema: the validator, monomorphized for each way of reporting.
    Compiled {
        fast: fn(&Value, &InstancePath<'_>, &mut FirstFailure) -> bool,
        collect: fn(&Value, &InstancePath<'_>, &mut Collect) -> bool,
    },
    /// The generator does not support the schema: why.
    Refused(&'static str),
    /// The generator accepted the schema but emitted code that does not parse.
    GeneratorBug(&'static str),
}

struct Case {
    description: &'static str,
    /// The instance as JSON text.
    instance: &'static str,
    valid: bool,
}

#[allow(clippy::all, clippy::pedantic, clippy::nursery, warnings)]
mod suite {
    use super::{Case, Group, Outcome};

    include!(concat!(env!("OUT_DIR"), "/suite.rs"));
}

impl Group {
    fn name(&self) -> String {
        format!("{} #{} {:?}", self.file, self.index, self.description)
    }
}

/// A refusal reason without what varies from group to group: the location, the pattern, the list
/// of supported keywords.
fn reason_kind(reason: &str) -> String {
    // `draft2020-12/type.json/3 at /items: message`: drop the location.
    let message = match reason.split_once(": ") {
        Some((location, message)) if location.starts_with("draft2020-12/") => message,
        _ => reason,
    };
    let message = message.split(": the code generator supports only").next().unwrap_or(message);
    let message = message.split(" (and ").next().unwrap_or(message);
    if let Some(rest) = message.strip_prefix("unsupported `pattern` ") {
        // `unsupported `pattern` "^a*$": why`: keep why.
        if let Some(index) = rest.rfind("\": ") {
            return format!("unsupported `pattern`: {}", &rest[index + 3..]);
        }
    }
    if message.starts_with("`$ref` ") && message.contains("which is the `$id` of no file") {
        return "`$ref` to a document outside the group (remote, the metaschema, or under a nested `$id`)".to_owned();
    }
    message.to_owned()
}

/// Every case of every compiled group, through both paths; with `verbose`, every covered and
/// refused group and the reasons.
fn cases_get_the_suite_verdicts(verbose: bool) -> Result<(), Failed> {
    let mut failures = Vec::new();
    let mut covered = Vec::new();
    let mut refused: Vec<(&Group, &str)> = Vec::new();
    let mut cases_passed = 0;
    let mut cases_run = 0;
    let mut cases_refused = 0;
    for group in suite::GROUPS {
        let (fast, collect) = match group.outcome {
            Outcome::Compiled { fast, collect } => (fast, collect),
            Outcome::Refused(reason) => {
                refused.push((group, reason));
                cases_refused += group.cases.len();
                continue;
            }
            Outcome::GeneratorBug(message) => {
                failures.push(format!("{}: the generator accepted the schema but {message}", group.name()));
                continue;
            }
        };
        covered.push(group);
        for case in group.cases {
            cases_run += 1;
            let instance: Value = serde_json::from_str(case.instance).expect("the build script wrote valid JSON");
            let fast_verdict = fast(&instance, &InstancePath::Root, &mut FirstFailure);
            let mut report = Collect::default();
            let collect_returned = collect(&instance, &InstancePath::Root, &mut report);
            let collect_verdict = report.errors.is_empty();
            let mut problems = Vec::new();
            if fast_verdict != case.valid {
                problems.push(format!("fast path says valid={fast_verdict}"));
            }
            if collect_verdict != case.valid {
                let errors: Vec<String> = report.errors.iter().map(ToString::to_string).collect();
                problems.push(format!("collecting path says valid={collect_verdict} (errors: {errors:?})"));
            }
            if collect_returned != collect_verdict {
                problems.push(format!(
                    "collecting path returned {collect_returned} but recorded {} errors",
                    report.errors.len()
                ));
            }
            if problems.is_empty() {
                cases_passed += 1;
            } else {
                failures.push(format!(
                    "{} / case {:?}\n    instance: {}\n    expected valid={}; {}",
                    group.name(),
                    case.description,
                    case.instance,
                    case.valid,
                    problems.join("; ")
                ));
            }
        }
    }

    if !verbose {
        return report_failures(&failures);
    }
    println!("JSON Schema Test Suite, draft 2020-12, from {}", suite::SUITE_DIR);
    println!("\ncovered groups ({}):", covered.len());
    for group in &covered {
        println!("  {} ({} cases)", group.name(), group.cases.len());
    }
    println!("\nrefused groups ({}):", refused.len());
    for (group, reason) in &refused {
        println!("  {}\n      {reason}", group.name());
    }
    let mut by_reason: BTreeMap<String, usize> = BTreeMap::new();
    for (_, reason) in &refused {
        *by_reason.entry(reason_kind(reason)).or_default() += 1;
    }
    let mut by_reason: Vec<(String, usize)> = by_reason.into_iter().collect();
    by_reason.sort_by(|(a_reason, a_count), (b_reason, b_count)| b_count.cmp(a_count).then(a_reason.cmp(b_reason)));
    println!("\nrefusal reasons:");
    for (reason, count) in &by_reason {
        println!("  {count:4}  {reason}");
    }
    println!(
        "\nsummary: {} groups covered, {} refused, of {}; {cases_passed} of {cases_run} cases passed (both paths); \
         {cases_refused} cases in refused groups",
        covered.len(),
        refused.len(),
        suite::GROUPS.len(),
    );

    report_failures(&failures)
}

fn report_failures(failures: &[String]) -> Result<(), Failed> {
    if failures.is_empty() {
        return Ok(());
    }
    Err(format!("{} failure(s) in the JSON Schema Test Suite:\n{}", failures.len(), failures.join("\n")).into())
}

/// How much of one suite file compiles.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct FileCoverage {
    /// The groups and cases of the file.
    groups: usize,
    cases: usize,
    /// The positions of the groups the generator compiles, and their cases.
    compiled: BTreeSet<usize>,
    compiled_cases: usize,
}

/// How much of the suite compiles, by file (relative to the suite folder).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Coverage {
    files: BTreeMap<String, FileCoverage>,
}

impl Coverage {
    /// The coverage of this build.
    fn of_build() -> Coverage {
        let mut coverage = Coverage::default();
        for group in suite::GROUPS {
            let file = coverage.files.entry(group.file.to_owned()).or_default();
            file.groups += 1;
            file.cases += group.cases.len();
            if matches!(group.outcome, Outcome::Compiled { .. }) {
                file.compiled.insert(group.index);
                file.compiled_cases += group.cases.len();
            }
        }
        coverage
    }

    fn groups(&self) -> usize {
        self.files.values().map(|file| file.groups).sum()
    }

    fn cases(&self) -> usize {
        self.files.values().map(|file| file.cases).sum()
    }

    fn compiled_groups(&self) -> usize {
        self.files.values().map(|file| file.compiled.len()).sum()
    }

    fn compiled_cases(&self) -> usize {
        self.files.values().map(|file| file.compiled_cases).sum()
    }

    /// The committed baseline.
    fn read_baseline() -> Result<Coverage, String> {
        let text = std::fs::read_to_string(BASELINE).map_err(|error| format!("cannot read {BASELINE}: {error}"))?;
        let document: Value =
            serde_json::from_str(&text).map_err(|error| format!("{BASELINE} is not JSON: {error}"))?;
        if document["dialect"] != DIALECT {
            return Err(format!("{BASELINE}: the dialect is {}, not {DIALECT:?} as in build.rs", document["dialect"]));
        }
        let files = document["files"].as_object().ok_or_else(|| format!("{BASELINE}: no object `files`"))?;
        let mut coverage = Coverage::default();
        for (name, file) in files {
            let count = |key: &str| {
                file[key].as_u64().map(|n| n as usize).ok_or_else(|| format!("{BASELINE}: {name}: no count `{key}`"))
            };
            let compiled = file["compiled"]
                .as_array()
                .and_then(|indices| indices.iter().map(|index| index.as_u64().map(|n| n as usize)).collect())
                .ok_or_else(|| format!("{BASELINE}: {name}: `compiled` is not a list of group positions"))?;
            coverage.files.insert(
                name.clone(),
                FileCoverage {
                    groups: count("groups")?,
                    cases: count("cases")?,
                    compiled,
                    compiled_cases: count("compiled_cases")?,
                },
            );
        }
        Ok(coverage)
    }

    /// The baseline file of this coverage: JSON, one line a suite file.
    fn to_baseline(&self) -> String {
        let mut text = format!(
            "{{\n  \"about\": \"What tests/tests/json_schema_suite.rs compiles of the JSON Schema Test Suite (draft \
             2020-12): for each file read, its groups and cases, the positions of the groups the code generator \
             compiles, read in the {DIALECT} dialect, and their cases. Exact: the test fails when coverage falls \
             below it or grows beyond it. Written by {UPDATE_COMMAND}.\",\n  \"dialect\": \"{DIALECT}\",\n  \
             \"files\": {{\n"
        );
        let lines: Vec<String> = self
            .files
            .iter()
            .map(|(name, file)| {
                let compiled: Vec<String> = file.compiled.iter().map(ToString::to_string).collect();
                format!(
                    "    {}: {{ \"groups\": {}, \"cases\": {}, \"compiled\": [{}], \"compiled_cases\": {} }}",
                    Value::from(name.as_str()),
                    file.groups,
                    file.cases,
                    compiled.join(", "),
                    file.compiled_cases
                )
            })
            .collect();
        text.push_str(&lines.join(",\n"));
        text.push_str("\n  }\n}\n");
        text
    }

    /// The README's paragraph about this coverage, wrapped at 100 columns.
    fn to_readme(&self) -> String {
        let keyword = |name: &str| name.trim_end_matches(".json").to_owned();
        let mut covered = Vec::new();
        let mut formats = Vec::new();
        let mut uncovered = Vec::new();
        for (name, file) in &self.files {
            let entry = format!(
                "`{}` {}/{},",
                keyword(name.rsplit('/').next().unwrap_or(name)),
                file.compiled.len(),
                file.groups
            );
            if name.starts_with("optional/format/") {
                formats.push(entry);
            } else if file.compiled.is_empty() {
                uncovered.push(format!("`{}`,", keyword(name)));
            } else {
                covered.push(entry);
            }
        }
        let last = |list: &mut Vec<String>, end: &str| {
            if let Some(item) = list.last_mut() {
                item.pop();
                item.push_str(end);
            }
        };
        last(&mut covered, ";");
        last(&mut formats, ".");
        last(&mut uncovered, ".");
        let text = format!(
            "The generated validators also pass the official [JSON Schema Test \
             Suite](https://github.com/json-schema-org/JSON-Schema-Test-Suite) (draft 2020-12) on every group whose \
             schema the generator accepts, read in the {DIALECT} dialect: {} of its {} groups, {} of its {} cases, each \
             on the fast and the collecting path. `tests/json-schema-suite-baseline.json` pins these numbers: \
             `tests/tests/json_schema_suite.rs` fails when coverage falls, and when it grows until `{UPDATE_COMMAND}` \
             raises the baseline (and rewrites this paragraph). Groups compiled, by keyword: {} formats asserted \
             (`optional/format/`): {} None compiles of: {}",
            self.compiled_groups(),
            self.groups(),
            self.compiled_cases(),
            self.cases(),
            covered.join(" "),
            formats.join(" "),
            uncovered.join(" "),
        );
        wrap(&text, 100)
    }
}

/// `text` with its words put on lines of at most `width` columns (longer words alone).
fn wrap(text: &str, width: usize) -> String {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split(' ') {
        match lines.last_mut() {
            Some(line) if line.len() + 1 + word.len() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_owned()),
        }
    }
    lines.join("\n")
}

/// A group of the build by file and position, for messages.
fn describe(file: &str, index: usize) -> String {
    match suite::GROUPS.iter().find(|group| group.file == file && group.index == index) {
        None => format!("{file} #{index} (no longer in the suite)"),
        Some(group) => match group.outcome {
            Outcome::Compiled { .. } => group.name(),
            Outcome::Refused(reason) => format!("{} (now refused: {reason})", group.name()),
            Outcome::GeneratorBug(message) => format!("{} (now a generator bug: {message})", group.name()),
        },
    }
}

fn coverage_is_the_baseline() -> Result<(), Failed> {
    let baseline = Coverage::read_baseline()?;
    let now = Coverage::of_build();
    if now == baseline {
        return Ok(());
    }
    let empty = FileCoverage::default();
    let names: BTreeSet<&String> = baseline.files.keys().chain(now.files.keys()).collect();
    let (mut lost, mut gained, mut suite_changed) = (Vec::new(), Vec::new(), Vec::new());
    for name in names {
        let before = baseline.files.get(name).unwrap_or(&empty);
        let after = now.files.get(name).unwrap_or(&empty);
        lost.extend(before.compiled.difference(&after.compiled).map(|&index| describe(name, index)));
        gained.extend(after.compiled.difference(&before.compiled).map(|&index| describe(name, index)));
        if (before.groups, before.cases) != (after.groups, after.cases)
            || (before.compiled == after.compiled && before.compiled_cases != after.compiled_cases)
        {
            suite_changed.push(format!(
                "{name}: {} groups, {} cases ({} compiled) in the baseline; {} groups, {} cases ({} compiled) now",
                before.groups, before.cases, before.compiled_cases, after.groups, after.cases, after.compiled_cases
            ));
        }
    }
    let mut message = format!(
        "the generator compiles {} groups of the JSON Schema Test Suite, with {} cases; the baseline \
         (tests/json-schema-suite-baseline.json) says {} groups, {} cases",
        now.compiled_groups(),
        now.compiled_cases(),
        baseline.compiled_groups(),
        baseline.compiled_cases()
    );
    let list = |message: &mut String, title: &str, items: &[String]| {
        if !items.is_empty() {
            message.push_str(&format!("\n{title} ({}):\n  {}", items.len(), items.join("\n  ")));
        }
    };
    list(&mut message, "groups no longer compiled", &lost);
    list(&mut message, "groups newly compiled", &gained);
    list(&mut message, "files of the suite that changed", &suite_changed);
    let fell = !lost.is_empty()
        || now.compiled_groups() < baseline.compiled_groups()
        || now.compiled_cases() < baseline.compiled_cases();
    if fell {
        message.push_str(&format!(
            "\nCoverage fell below the baseline: fix the generator, or, if the loss is intended, lower the baseline \
             with `{UPDATE_COMMAND}` and commit tests/json-schema-suite-baseline.json and README.md"
        ));
    } else if !gained.is_empty() {
        message.push_str(&format!(
            "\nCoverage grew beyond the baseline: raise the baseline to {} groups and {} cases with \
             `{UPDATE_COMMAND}` and commit tests/json-schema-suite-baseline.json and README.md",
            now.compiled_groups(),
            now.compiled_cases()
        ));
    } else {
        message.push_str(&format!(
            "\nThe suite is not the one the baseline was taken from: check the changes, then `{UPDATE_COMMAND}` and \
             commit tests/json-schema-suite-baseline.json and README.md"
        ));
    }
    Err(message.into())
}

/// The README's paragraph between the markers.
fn readme_paragraph(readme: &str) -> Option<(usize, usize)> {
    let start = readme.find(README_START)? + README_START.len();
    let end = start + readme[start..].find(README_END)?;
    Some((start, end))
}

fn the_readme_reports_the_baseline() -> Result<(), Failed> {
    let expected = Coverage::read_baseline()?.to_readme();
    let readme = std::fs::read_to_string(README).map_err(|error| format!("cannot read {README}: {error}"))?;
    let (start, end) = readme_paragraph(&readme)
        .ok_or_else(|| format!("README.md has no paragraph between {README_START} and {README_END}"))?;
    if readme[start..end].trim() == expected {
        return Ok(());
    }
    Err(format!(
        "README.md's paragraph on the JSON Schema Test Suite does not report tests/json-schema-suite-baseline.json: \
         `{UPDATE_COMMAND}` rewrites it. It should read:\n{expected}"
    )
    .into())
}

/// `UPDATE_BASELINE=1`: the baseline and the README's paragraph, rewritten from this build.
fn update() -> Result<(), String> {
    if !suite::SUITE_PRESENT {
        return Err(format!(
            "{UPDATE_VARIABLE}=1: the JSON Schema Test Suite was missing at {} when this test was built, so there is \
             no coverage to write",
            suite::SUITE_DIR
        ));
    }
    let coverage = Coverage::of_build();
    std::fs::write(BASELINE, coverage.to_baseline()).map_err(|error| format!("cannot write {BASELINE}: {error}"))?;
    let readme = std::fs::read_to_string(README).map_err(|error| format!("cannot read {README}: {error}"))?;
    let (start, end) = readme_paragraph(&readme)
        .ok_or_else(|| format!("README.md has no paragraph between {README_START} and {README_END}: add them"))?;
    let readme = format!("{}\n{}\n{}", &readme[..start], coverage.to_readme(), &readme[end..]);
    std::fs::write(README, readme).map_err(|error| format!("cannot write {README}: {error}"))?;
    eprintln!(
        "{UPDATE_VARIABLE}=1: wrote {} groups and {} cases to tests/json-schema-suite-baseline.json and README.md; \
         review the diff and commit both",
        coverage.compiled_groups(),
        coverage.compiled_cases()
    );
    Ok(())
}

/// Whether the suite files on disk are those the build compiled, by their digests.
fn the_suite_on_disk_is_the_one_compiled() -> Result<(), Failed> {
    let dir = Path::new(suite::SUITE_DIR);
    let on_disk = suite_files::list(dir).map_err(|error| format!("cannot list {}: {error}", dir.display()))?;
    let compiled: BTreeMap<&str, u64> = suite::FILES.iter().copied().collect();
    let mut changes = Vec::new();
    for file in &on_disk {
        match (compiled.get(file.as_str()), std::fs::read(dir.join(file))) {
            (None, _) => changes.push(format!("{file} is new")),
            (Some(_), Err(error)) => changes.push(format!("{file} cannot be read: {error}")),
            (Some(&digest), Ok(bytes)) if suite_files::digest(&bytes) != digest => {
                changes.push(format!("{file} has changed"))
            }
            (Some(_), Ok(_)) => {}
        }
    }
    changes.extend(
        compiled.keys().filter(|file| !on_disk.iter().any(|name| name == *file)).map(|file| format!("{file} is gone")),
    );
    if changes.is_empty() {
        return Ok(());
    }
    Err(format!(
        "the JSON Schema Test Suite at {} is not the one this build compiled: {}. Cargo reruns tests/build.rs when a \
         file of the suite is newer than its last run, and a copy that keeps older modification times (cp -p, rsync -t, \
         tar x) is not: `touch tests/build.rs` and run again",
        dir.display(),
        changes.join("; ")
    )
    .into())
}
