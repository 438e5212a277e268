//! The official JSON Schema Test Suite, draft 2020-12, against the generated validators.
//!
//! `build.rs` compiles every test group whose schema uses only what the code generator supports
//! into a validator; the others are listed as refused, with the reason. Every case of a compiled
//! group goes through both the fast path (stop at the first failure) and the collecting path
//! (valid when no error is recorded), and both verdicts must equal the suite's `valid`.
//!
//! The suite is read at build time from `../shared/json-schema-test-suite/` (beside the
//! workspace); when it is absent this test is skipped with a loud message, and fails when
//! `CI=true`, where a missing suite is an error, not a pass.
//! Run with `--nocapture` to see every covered and refused group.

use std::collections::BTreeMap;

use audian_events::validation::runtime::{Collect, FirstFailure, InstancePath};
use serde_json::Value;

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

#[test]
fn json_schema_test_suite_draft2020_12() {
    if !suite::SUITE_PRESENT {
        let message = format!(
            "\n\n!!! The JSON Schema Test Suite is MISSING: expected it at {}.\n!!! Nothing of it was tested. \
             Clone https://github.com/json-schema-org/JSON-Schema-Test-Suite there and rebuild.\n\n",
            suite::SUITE_DIR
        );
        if std::env::var("CI").is_ok_and(|ci| ci == "true") {
            panic!("{message}(CI=true: a missing suite fails the run)");
        }
        // Written to the real standard error, past the harness's capture: a skip must be seen.
        let _ = std::io::Write::write_all(&mut std::io::stderr(), format!("{message}SKIPPED\n").as_bytes());
        return;
    }

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

    assert!(
        failures.is_empty(),
        "{} failure(s) in the JSON Schema Test Suite:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(!covered.is_empty(), "no group of the suite was compiled: the generator refused everything");
}
