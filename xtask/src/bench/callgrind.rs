//! Instructions per example counted by callgrind: `bench/src/bin/workload.rs` run under
//! `valgrind --tool=callgrind` once per mode. Unlike the timings of a shared machine, the counts
//! do not depend on load, and resolve a difference of a few percent.

use std::path::Path;
use std::process::{Command, Stdio};

/// Passes over the documented examples that the workload makes in each mode.
pub const WORKLOAD_PASSES: u64 = 2000;

/// The workload's mode that builds the corpus and validators and does nothing with them: its
/// count is subtracted from the others'.
const BASELINE: &str = "none";

/// The modes of `bench/src/bin/workload.rs` whose instructions are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    ParseValidated,
    FromSlice,
    IsValid,
    JsonschemaRuntime,
    JsonschemaMacro,
    FloorIgnoredAny,
    IsValidSlice,
    ParseTolerant,
    IsValidSliceTolerant,
}

impl Mode {
    pub const ALL: [Mode; 9] = [
        Mode::ParseValidated,
        Mode::FromSlice,
        Mode::IsValid,
        Mode::JsonschemaRuntime,
        Mode::JsonschemaMacro,
        Mode::FloorIgnoredAny,
        Mode::IsValidSlice,
        Mode::ParseTolerant,
        Mode::IsValidSliceTolerant,
    ];

    /// The modes on the compact bytes, the floor first, in the order of the report.
    pub const BYTES: [Mode; 6] = [
        Mode::FloorIgnoredAny,
        Mode::ParseValidated,
        Mode::FromSlice,
        Mode::IsValidSlice,
        Mode::ParseTolerant,
        Mode::IsValidSliceTolerant,
    ];

    /// The workload's argument, and the key in `instructions.json`.
    pub fn name(self) -> &'static str {
        match self {
            Mode::ParseValidated => "parse_validated",
            Mode::FromSlice => "from_slice",
            Mode::IsValid => "is_valid",
            Mode::JsonschemaRuntime => "jsonschema_runtime",
            Mode::JsonschemaMacro => "jsonschema_macro",
            Mode::FloorIgnoredAny => "floor_ignored_any",
            Mode::IsValidSlice => "is_valid_slice",
            Mode::ParseTolerant => "parse_tolerant",
            Mode::IsValidSliceTolerant => "is_valid_slice_tolerant",
        }
    }

    /// As the report names it.
    pub fn label(self) -> &'static str {
        match self {
            Mode::ParseValidated => "`parse_validated`",
            Mode::FromSlice => "`Event::from_slice` (no validation)",
            Mode::IsValid => "our `is_valid`",
            Mode::JsonschemaRuntime => "jsonschema runtime `is_valid`",
            Mode::JsonschemaMacro => "jsonschema macro `is_valid`",
            Mode::FloorIgnoredAny => "floor: `from_slice::<IgnoredAny>`",
            Mode::IsValidSlice => "`is_valid_slice`",
            Mode::ParseTolerant => "tolerant `parse`",
            Mode::IsValidSliceTolerant => "tolerant `is_valid_slice`",
        }
    }
}

/// Instructions per example of each mode.
#[derive(Debug, Clone, PartialEq)]
pub struct InstructionCounts {
    /// `audian_events::parse_validated` on the compact bytes.
    pub parse_validated: f64,
    /// `Event::from_slice`, without validation.
    pub from_slice: f64,
    /// Our `is_valid` on the parsed `Value`.
    pub is_valid: f64,
    pub jsonschema_runtime: f64,
    pub jsonschema_macro: f64,
    /// `serde_json::from_slice::<IgnoredAny>`: the syntax alone.
    pub floor_ignored_any: f64,
    /// `audian_events::is_valid_slice` on the compact bytes.
    pub is_valid_slice: f64,
    /// `Reading::Tolerant.parse`.
    pub parse_tolerant: f64,
    /// `Reading::Tolerant.is_valid_slice`.
    pub is_valid_slice_tolerant: f64,
}

impl InstructionCounts {
    /// The counts of every mode, each from `count`; the first error stops.
    fn try_from_fn<E>(mut count: impl FnMut(Mode) -> Result<f64, E>) -> Result<InstructionCounts, E> {
        Ok(InstructionCounts {
            parse_validated: count(Mode::ParseValidated)?,
            from_slice: count(Mode::FromSlice)?,
            is_valid: count(Mode::IsValid)?,
            jsonschema_runtime: count(Mode::JsonschemaRuntime)?,
            jsonschema_macro: count(Mode::JsonschemaMacro)?,
            floor_ignored_any: count(Mode::FloorIgnoredAny)?,
            is_valid_slice: count(Mode::IsValidSlice)?,
            parse_tolerant: count(Mode::ParseTolerant)?,
            is_valid_slice_tolerant: count(Mode::IsValidSliceTolerant)?,
        })
    }

    pub fn get(&self, mode: Mode) -> f64 {
        match mode {
            Mode::ParseValidated => self.parse_validated,
            Mode::FromSlice => self.from_slice,
            Mode::IsValid => self.is_valid,
            Mode::JsonschemaRuntime => self.jsonschema_runtime,
            Mode::JsonschemaMacro => self.jsonschema_macro,
            Mode::FloorIgnoredAny => self.floor_ignored_any,
            Mode::IsValidSlice => self.is_valid_slice,
            Mode::ParseTolerant => self.parse_tolerant,
            Mode::IsValidSliceTolerant => self.is_valid_slice_tolerant,
        }
    }

    /// What validation adds to the unvalidated parse, in percent.
    pub fn overhead(&self) -> f64 {
        (self.parse_validated / self.from_slice - 1.0) * 100.0
    }

    /// How many times the floor's instructions a mode executes.
    pub fn times_floor(&self, mode: Mode) -> f64 {
        self.get(mode) / self.floor_ignored_any
    }

    /// As `instructions.json` keeps them, keyed by mode, for `--no-run`.
    pub fn to_json(&self) -> String {
        let map: serde_json::Map<String, serde_json::Value> =
            Mode::ALL.iter().map(|mode| (mode.name().to_owned(), self.get(*mode).into())).collect();
        serde_json::Value::Object(map).to_string()
    }

    pub fn from_json(text: &str) -> Option<InstructionCounts> {
        let value: serde_json::Value = serde_json::from_str(text).ok()?;
        InstructionCounts::try_from_fn(|mode| value[mode.name()].as_f64().ok_or(())).ok()
    }
}

/// The total of instructions that callgrind reports on stderr (`==1== Collected : 126637`).
pub fn collected(stderr: &str) -> Option<u64> {
    stderr
        .lines()
        .find_map(|line| line.split_once("Collected :").map(|(_, count)| count.trim().replace(',', "")))
        .and_then(|count| count.parse().ok())
}

/// Instructions per example of a mode's count, less the baseline's.
pub fn per_example(count: u64, baseline: u64, examples: u64) -> f64 {
    count.saturating_sub(baseline) as f64 / (WORKLOAD_PASSES * examples) as f64
}

/// Builds the workload and counts each mode's instructions over passes of the `examples`
/// documented examples, less those of building the corpus alone. `None` when valgrind is not
/// installed.
pub fn count_instructions(workspace: &Path, target: &Path, examples: u64) -> Result<Option<InstructionCounts>, String> {
    let valgrind_found = Command::new("valgrind")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !valgrind_found {
        println!("valgrind is not installed: instructions are not counted");
        return Ok(None);
    }
    println!("counting instructions with `valgrind --tool=callgrind` (bench/src/bin/workload.rs)");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(workspace)
        .args(["build", "--release", "-p", "audian-events-bench", "--bin", "workload"])
        .status()
        .map_err(|error| format!("cannot run cargo: {error}"))?;
    if !status.success() {
        return Err(format!("building the instruction-counting workload failed ({status})"));
    }
    let binary = target.join("release").join(format!("workload{}", std::env::consts::EXE_SUFFIX));
    let count = |mode: &str| -> Result<u64, String> {
        let output = Command::new("valgrind")
            .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
            .arg(&binary)
            .args([mode, &WORKLOAD_PASSES.to_string()])
            .output()
            .map_err(|error| format!("cannot run valgrind: {error}"))?;
        let stderr = String::from_utf8_lossy(&output.stderr);
        if !output.status.success() {
            return Err(format!("valgrind on the workload ({mode}) failed ({}):\n{stderr}", output.status));
        }
        collected(&stderr).ok_or_else(|| format!("no instruction count in valgrind's output ({mode}):\n{stderr}"))
    };
    let baseline = count(BASELINE)?;
    InstructionCounts::try_from_fn(|mode| Ok(per_example(count(mode.name())?, baseline, examples))).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The end of `valgrind --tool=callgrind --callgrind-out-file=/dev/null /bin/true`'s stderr.
    const CALLGRIND_STDERR: &str = "\
==15434== Command: /bin/true
==15434==\x20
==15434== For interactive control, run 'callgrind_control -h'.
==15434==\x20
==15434== Events    : Ir
==15434== Collected : 126637
==15434==\x20
==15434== I   refs:      126,637
";

    #[test]
    fn reads_the_collected_total() {
        assert_eq!(collected(CALLGRIND_STDERR), Some(126_637));
        assert_eq!(collected("==1== Collected : 1,234,567\n"), Some(1_234_567));
        assert_eq!(collected("==1== I   refs:      126,637\n"), None);
    }

    #[test]
    fn per_example_subtracts_the_baseline_and_divides_by_every_pass_over_every_example() {
        let examples = 18;
        let baseline = 5_000_000;
        let count = baseline + 904 * WORKLOAD_PASSES * examples;
        assert_eq!(per_example(count, baseline, examples), 904.0);
        assert_eq!(per_example(count, baseline, 19), 904.0 * 18.0 / 19.0);
        assert_eq!(per_example(1, baseline, examples), 0.0);
    }

    const COUNTS: InstructionCounts = InstructionCounts {
        parse_validated: 5991.5,
        from_slice: 5714.0,
        is_valid: 904.25,
        jsonschema_runtime: 2994.0,
        jsonschema_macro: 1634.0,
        floor_ignored_any: 1500.0,
        is_valid_slice: 2250.0,
        parse_tolerant: 6100.0,
        is_valid_slice_tolerant: 2300.0,
    };

    #[test]
    fn counts_keep_across_runs_keyed_by_mode() {
        let json = COUNTS.to_json();
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["is_valid"], 904.25);
        assert_eq!(value["from_slice"], 5714.0);
        assert_eq!(value["floor_ignored_any"], 1500.0);
        assert_eq!(value["is_valid_slice_tolerant"], 2300.0);
        assert_eq!(InstructionCounts::from_json(&json), Some(COUNTS));
    }

    #[test]
    fn counts_missing_a_mode_are_not_read() {
        assert_eq!(InstructionCounts::from_json(r#"{"parse_validated": 1.0, "from_slice": 1.0}"#), None);
        assert_eq!(InstructionCounts::from_json("not JSON"), None);
        // Those of a run before the bytes modes were counted.
        let older = r#"{"parse_validated": 1.0, "from_slice": 1.0, "is_valid": 1.0, "jsonschema_runtime": 1.0,
            "jsonschema_macro": 1.0}"#;
        assert_eq!(InstructionCounts::from_json(older), None);
    }

    #[test]
    fn overhead_is_the_validated_parse_against_the_unvalidated_one() {
        let counts = InstructionCounts { parse_validated: 105.0, from_slice: 100.0, ..COUNTS };
        assert!((counts.overhead() - 5.0).abs() < 1e-9);
    }

    #[test]
    fn the_bytes_modes_are_set_against_the_floor() {
        assert_eq!(COUNTS.times_floor(Mode::IsValidSlice), 1.5);
        assert_eq!(COUNTS.times_floor(Mode::FloorIgnoredAny), 1.0);
        assert_eq!(Mode::BYTES[0], Mode::FloorIgnoredAny);
        assert!(Mode::BYTES.iter().all(|mode| Mode::ALL.contains(mode)));
    }
}
