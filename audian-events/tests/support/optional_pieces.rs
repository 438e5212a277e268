//! What a test does when an optional piece it needs (a `redis-server`, the JSON Schema Test
//! Suite) is missing: it is reported as ignored, with the reason, and never as passed; where the
//! environment variable `CI` says this is a CI run, it fails instead.
//!
//! The one place that reads `CI`: the test targets of `audian-events` include this file as a
//! module, and so does `tests/tests/json_schema_suite.rs` of `audian-events-tests` (by path).
//! Their harness is `libtest-mimic`, which can mark a test ignored while it runs.

use std::ffi::OsStr;

use libtest_mimic::{Completion, Failed, Trial};

/// Whether a value of `CI` requires the optional pieces: any value but none, the empty one,
/// `false` (in any case) and `0`. So `true`, `1`, `yes` or a CI system's name all require them.
pub fn required_by(ci: Option<&OsStr>) -> bool {
    ci.is_some_and(|ci| !ci.is_empty() && ci != "0" && !ci.eq_ignore_ascii_case("false"))
}

/// Whether this run requires the optional pieces, by its `CI` variable.
pub fn required() -> bool {
    required_by(std::env::var_os("CI").as_deref())
}

/// The outcome of a test whose optional piece is missing (`reason` says which, where it was
/// looked for and how to get it): ignored with the reason, or failed where `CI` requires it.
pub fn missing(reason: &str) -> Result<Completion, Failed> {
    if required() {
        let ci = std::env::var_os("CI").unwrap_or_default();
        Err(format!(
            "{reason}. CI={ci:?} requires every optional piece: only an unset or empty CI, CI=false or CI=0 \
             lets this test be skipped"
        )
        .into())
    } else {
        Ok(Completion::ignored_with(reason))
    }
}

/// The unit test of [`required_by`], as a trial of the including test target.
pub fn policy_trial() -> Trial {
    Trial::test("optional_pieces_are_required_when_ci_is_anything_but_unset_empty_false_or_0", || {
        let cases: &[(Option<&str>, bool)] = &[
            (None, false),
            (Some(""), false),
            (Some("false"), false),
            (Some("False"), false),
            (Some("FALSE"), false),
            (Some("0"), false),
            (Some("true"), true),
            (Some("TRUE"), true),
            (Some("1"), true),
            (Some("yes"), true),
            (Some("github-actions"), true),
            (Some("00"), true),
            (Some(" "), true),
        ];
        let wrong: Vec<String> = cases
            .iter()
            .filter(|(ci, expected)| required_by(ci.map(OsStr::new)) != *expected)
            .map(|(ci, expected)| format!("CI={ci:?}: expected required={expected}"))
            .collect();
        if wrong.is_empty() { Ok(()) } else { Err(wrong.join("; ").into()) }
    })
}
