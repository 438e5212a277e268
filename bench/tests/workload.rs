//! The instruction-counting workload that `cargo xtask bench` runs under callgrind: each mode
//! parses or validates every example, and bad arguments are refused with the usage.

use std::process::Command;

fn workload(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_workload")).args(args).output().expect("the workload runs")
}

#[test]
fn every_mode_parses_every_example() {
    for mode in [
        "none",
        "from_slice",
        "parse_validated",
        "is_valid",
        "jsonschema_runtime",
        "jsonschema_macro",
        "parse_tolerant",
        "is_valid_tolerant",
        "parse_tolerant_drifting",
        "is_valid_slice",
        "is_valid_slice_tolerant",
        "floor_ignored_any",
    ] {
        let output = workload(&[mode, "2"]);
        assert!(output.status.success(), "{mode}: {}", String::from_utf8_lossy(&output.stderr));
    }
}

#[test]
fn bad_arguments_are_refused_with_the_usage() {
    for args in [&[][..], &["from_slice"], &["from_slice", "many"], &["validate", "1"], &["none", "1", "2"]] {
        let output = workload(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&output.stderr).contains("usage: workload"), "{args:?}");
    }
}
