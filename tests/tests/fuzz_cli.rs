//! `cargo xtask fuzz` (the `audian-check` program it runs): its help, and a short run.

use std::process::{Command, Output};

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_audian-check")).args(args).output().expect("run audian-check")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("an exit code")
}

#[test]
fn fuzz_help_says_it_runs_optimized() {
    let output = xtask(&["fuzz", "--help"]);
    assert_eq!(code(&output), 0);
    assert!(stdout(&output).contains("`cargo xtask fuzz` runs this in an optimized build"));
}

#[test]
fn fuzz_runs_a_few_cases() {
    let output = xtask(&["fuzz", "--cases", "2000", "--seed", "0x2a", "--threads", "2"]);
    assert_eq!(code(&output), 0, "{}{}", stdout(&output), String::from_utf8_lossy(&output.stderr));
    for reading in ["strict", "tolerant"] {
        let summary = format!("seed 42, {reading} reading: 2000 cases");
        assert!(stdout(&output).contains(&summary), "{summary} in {}", stdout(&output));
    }
    assert!(stdout(&output).contains("no disagreement"), "{}", stdout(&output));
    assert_eq!(code(&xtask(&["fuzz", "--cases", "many"])), 2);
}

#[test]
fn fuzz_runs_a_few_raw_byte_cases() {
    let output = xtask(&["fuzz", "--bytes", "3000", "--seed", "7", "--threads", "2"]);
    assert_eq!(code(&output), 0, "{}{}", stdout(&output), String::from_utf8_lossy(&output.stderr));
    for needle in ["seed 7, raw bytes: 3000 raw cases; strict: ", "; tolerant: ", "invalid UTF-8", "no disagreement"] {
        assert!(stdout(&output).contains(needle), "{needle} in {}", stdout(&output));
    }
    let strict_only = xtask(&["fuzz", "--bytes", "500", "--seed", "7", "--reading", "strict"]);
    assert_eq!(code(&strict_only), 0, "{}", String::from_utf8_lossy(&strict_only.stderr));
    assert!(!stdout(&strict_only).contains("tolerant:"), "{}", stdout(&strict_only));
    assert_eq!(code(&xtask(&["fuzz", "--bytes", "10", "--strategies", "10"])), 2);
}
