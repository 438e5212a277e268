//! The report printed after a run: the table of medians and ratios (Markdown), each example
//! alone, the targets and the verdicts, the instruction counts, the versions and the machine.

use std::fmt::Write as _;

use super::benchmarks::{BytesPath, Function, Group, Inputs, Kind, Reference};
use super::callgrind::{InstructionCounts, Mode, WORKLOAD_PASSES};
use super::criterion::Throughput;
use super::machine::Environment;
use super::results::{Measured, Results};
use super::targets;

/// One run, and what it ran on.
pub struct Report {
    pub results: Results,
    pub instructions: Option<InstructionCounts>,
    pub environment: Environment,
}

impl Report {
    /// What a pass over a group's corpus holds; `ndjson_unit` follows the size of the batch.
    pub fn inputs(&self, group: Group, ndjson_unit: &str) -> String {
        match (group.inputs(), self.results.ndjson_bytes()) {
            (Inputs::NdjsonBatch, Some(bytes)) => format!("{:.2} MB {ndjson_unit}", bytes as f64 / 1e6),
            (inputs, _) => self.results.corpus.describe(inputs),
        }
    }

    /// The ratio column of a row: in a group with the syntax floor, how many times the floor's
    /// time the row takes; then, for a reference, how much faster each of ours is, and for the
    /// unvalidated parse, what validation adds to it.
    pub fn ratio(&self, measured: &Measured) -> String {
        let results = &self.results;
        let group = measured.spec.group;
        if measured.spec.function == Function::FloorIgnoredAny {
            return "the floor".into();
        }
        let mut parts = Vec::new();
        if let Some(times) = results.times_syntax_floor(measured) {
            parts.push(format!("{} the floor", format_ratio(times)));
        }
        match measured.spec.kind() {
            Kind::Ours => {}
            Kind::Reference => {
                let ours: Vec<&Measured> = results.all_ours(group).collect();
                let faster = |speedup: f64| match speedup {
                    speedup if speedup >= 1.0 => format!("{} faster", format_ratio(speedup)),
                    speedup => format!("{} slower", format_ratio(1.0 / speedup)),
                };
                match ours.as_slice() {
                    [one] => parts.push(format!("ours {}", faster(measured.median_ns / one.median_ns))),
                    several => parts.extend(several.iter().map(|one| {
                        let name = one.spec.label.strip_prefix("ours ").unwrap_or(one.spec.label);
                        format!("{name} {}", faster(measured.median_ns / one.median_ns))
                    })),
                }
            }
            Kind::Floor => {
                if let Some(overhead) = results.overhead(group) {
                    parts.push(format!("validation adds {overhead:+.1}%"));
                }
            }
        }
        parts.join("; ")
    }

    pub fn text(&self) -> String {
        let mut out = String::new();
        let results = &self.results;
        let env = &self.environment;
        let _ = writeln!(out, "| what | inputs | implementation | median per pass | per input | throughput | ratio |");
        let _ = writeln!(out, "|---|---|---|--:|--:|--:|---|");
        for group in Group::ALL {
            let inputs = self.inputs(group, "NDJSON");
            for (index, measured) in results.in_group(group).enumerate() {
                let (title, inputs) = if index == 0 { (group.title(), inputs.as_str()) } else { ("", "") };
                let _ = writeln!(
                    out,
                    "| {title} | {inputs} | {} | {} | {} | {} | {} |",
                    measured.spec.label,
                    format_ns(measured.median_ns),
                    results.per_input(measured).map(format_ns).unwrap_or_else(|| "-".into()),
                    throughput(measured),
                    self.ratio(measured)
                );
            }
        }
        let _ = writeln!(out);
        let _ = writeln!(out, "`is_valid` on each example alone (median time of each; ratios are ours against each):");
        let _ = writeln!(out);
        let _ = writeln!(out, "| example | ours | jsonschema runtime | jsonschema macro | vs runtime | vs macro |");
        let _ = writeln!(out, "|---|--:|--:|--:|--:|--:|");
        for example in &results.each {
            let median_ns = &example.median_ns;
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                example.name,
                format_ns(median_ns.ours),
                format_ns(median_ns.jsonschema_runtime),
                format_ns(median_ns.jsonschema_macro),
                format_ratio(median_ns.speedup(Reference::Runtime)),
                format_ratio(median_ns.speedup(Reference::Macro))
            );
        }
        if let (Some(runtime), Some(macro_validator)) =
            (results.each_speedup(Reference::Runtime), results.each_speedup(Reference::Macro))
        {
            let _ = writeln!(
                out,
                "| median of the ratios | | | | {} | {} |",
                format_ratio(runtime),
                format_ratio(macro_validator)
            );
        }
        self.bytes_each_table(&mut out);
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "Targets (issue 16; each judged on the median over the examples of each one's ratio, this run):"
        );
        for target in targets::judge(&results.figures(self.instructions.as_ref())) {
            let _ = writeln!(out, "  [{}] {}: {}", target.verdict.label(), target.what, target.value);
        }
        let _ = writeln!(
            out,
            "  (4. guard: zero allocations is a test, not a timing: `cargo test -p audian-events --test no_alloc`)"
        );
        let floor = BytesPath::Floor;
        if let (Some(value_vs_floor), Some(parse), Some(slice)) = (
            results.each_bytes_ratio(BytesPath::ValuePlusRuntime, floor),
            results.each_bytes_ratio(BytesPath::ValuePlusRuntime, BytesPath::ParseValidated),
            results.each_bytes_ratio(BytesPath::ValuePlusRuntime, BytesPath::IsValidSlice),
        ) {
            let _ = writeln!(
                out,
                "  (`from_slice::<Value>` + jsonschema runtime `is_valid` takes {} the floor; `parse_validated` is \
                 {} faster than it and `is_valid_slice` {}: medians of the examples' ratios; targets 1 and 2 \
                 would make these at least 2.8x and 3.5x)",
                format_ratio(value_vs_floor),
                format_ratio(parse),
                format_ratio(slice)
            );
        }
        for group in [Group::BytesToEvent, Group::Ndjson] {
            if let Some(overhead) = results.overhead(group) {
                let _ = writeln!(
                    out,
                    "  (in time, validation adds {overhead:+.1}% to the unvalidated typed parse over a pass of \
                     the {})",
                    self.inputs(group, "NDJSON batch")
                );
            }
        }
        if let Some(counts) = &self.instructions {
            self.instructions_table(&mut out, counts);
        }
        let versions = &env.versions;
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "Versions: {}; jsonschema {} (runtime validator), jsonschema {} (compile-time macro validator); \
             serde_json {}; criterion {}",
            env.rustc, versions.jsonschema_runtime, versions.jsonschema_macro, versions.serde_json, versions.criterion
        );
        let _ = writeln!(
            out,
            "Machine: {} ({} cores available), {} of memory, {}",
            env.cpu,
            env.cores,
            env.memory,
            std::env::consts::OS
        );
        let _ = write!(out, "Command: cargo xtask bench (runs `cargo bench -p audian-events-bench`)");
        out
    }
}

impl Report {
    /// The bytes paths on each example alone: each one's time and its ratio to the floor's, and
    /// the medians of the ratios.
    fn bytes_each_table(&self, out: &mut String) {
        let results = &self.results;
        if results.bytes_each.is_empty() {
            return;
        }
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "The bytes paths on each example alone (median time of each; in brackets, its ratio to the floor's):"
        );
        let _ = writeln!(out);
        let labels: Vec<&str> = BytesPath::ALL.iter().map(|path| path.label()).collect();
        let _ = writeln!(out, "| example | {} |", labels.join(" | "));
        let _ = writeln!(out, "|---|{}", "--:|".repeat(BytesPath::ALL.len()));
        for example in &results.bytes_each {
            let cells: Vec<String> = BytesPath::ALL
                .iter()
                .map(|&path| match path {
                    BytesPath::Floor => format_ns(example.of(path)),
                    _ => format!(
                        "{} ({})",
                        format_ns(example.of(path)),
                        format_ratio(example.ratio(path, BytesPath::Floor))
                    ),
                })
                .collect();
            let _ = writeln!(out, "| {} | {} |", example.name, cells.join(" | "));
        }
        let medians: Vec<String> = BytesPath::ALL
            .iter()
            .map(|&path| results.each_bytes_ratio(path, BytesPath::Floor).map(format_ratio).unwrap_or_default())
            .collect();
        let _ = writeln!(out, "| median of the ratios to the floor | {} |", medians.join(" | "));
    }

    /// Instructions per example of each mode counted: the bytes paths against the floor's, and
    /// `is_valid` against the jsonschema validators.
    fn instructions_table(&self, out: &mut String, counts: &InstructionCounts) {
        let examples = self.results.corpus.examples;
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "Instructions per example (callgrind, {WORKLOAD_PASSES} passes over the {examples} examples; they do not \
             depend on the machine's load):"
        );
        let _ = writeln!(out);
        let _ = writeln!(out, "| on the compact bytes | instructions | against the floor |");
        let _ = writeln!(out, "|---|--:|--:|");
        for mode in Mode::BYTES {
            let _ = writeln!(
                out,
                "| {} | {:.0} | {} |",
                mode.label(),
                counts.get(mode),
                format_ratio(counts.times_floor(mode))
            );
        }
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "In instructions, validation adds {:+.1}% to the unvalidated typed parse; the tolerant reading takes \
             {} strict's for `parse` and {} for `is_valid_slice`.",
            counts.overhead(),
            format_ratio(counts.parse_tolerant / counts.parse_validated),
            format_ratio(counts.is_valid_slice_tolerant / counts.is_valid_slice),
        );
        let ours = counts.is_valid;
        let _ = writeln!(
            out,
            "`is_valid` on a parsed `Value`: ours {ours:.0}; jsonschema runtime {:.0} ({} ours); jsonschema macro \
             {:.0} ({} ours)",
            counts.jsonschema_runtime,
            format_ratio(counts.jsonschema_runtime / ours),
            counts.jsonschema_macro,
            format_ratio(counts.jsonschema_macro / ours),
        );
    }
}

/// MB/s (1 MB = 10^6 bytes) where the group measures bytes; `-` where it counts inputs.
pub fn throughput(measured: &Measured) -> String {
    match measured.throughput {
        Throughput::Bytes(bytes) => format!("{:.0} MB/s", bytes as f64 / measured.median_ns * 1e3),
        Throughput::Elements(_) => "-".into(),
    }
}

pub fn format_ns(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e4 {
        format!("{:.1} µs", ns / 1e3)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

pub fn format_ratio(ratio: f64) -> String {
    if ratio >= 10.0 { format!("{ratio:.0}x") } else { format!("{ratio:.2}x") }
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::machine::Versions;
    use super::super::results::tests::{MEDIANS, bytes, example, results};
    use super::*;

    pub fn report(instructions: Option<InstructionCounts>) -> Report {
        let each = vec![example("call.answered", 40.0, 160.0, 80.0), example("call.completed", 60.0, 300.0, 90.0)];
        let bytes_each = vec![
            bytes("call.answered", [100.0, 250.0, 140.0, 260.0, 150.0, 600.0]),
            bytes("call.completed", [200.0, 420.0, 280.0, 450.0, 300.0, 1_300.0]),
        ];
        Report {
            results: results(MEDIANS, each, bytes_each),
            instructions,
            environment: Environment {
                rustc: "rustc 1.95.0".into(),
                versions: Versions {
                    jsonschema_runtime: "0.61.2".into(),
                    jsonschema_macro: "0.60.2".into(),
                    serde_json: "1.0.154".into(),
                    criterion: "0.8.2".into(),
                },
                cpu: "AMD EPYC".into(),
                cores: 2,
                memory: "24 GiB".into(),
            },
        }
    }

    pub const COUNTS: InstructionCounts = InstructionCounts {
        parse_validated: 6300.0,
        from_slice: 6000.0,
        is_valid: 1000.0,
        jsonschema_runtime: 3000.0,
        jsonschema_macro: 1800.0,
        floor_ignored_any: 2000.0,
        is_valid_slice: 3100.0,
        parse_tolerant: 6615.0,
        is_valid_slice_tolerant: 3255.0,
    };

    #[test]
    fn the_table_has_one_row_per_benchmark_titled_once_per_group() {
        let text = report(None).text();
        let table: Vec<&str> = text.lines().take_while(|line| !line.is_empty()).collect();
        assert_eq!(table.len(), 2 + 17);
        assert_eq!(table[0], "| what | inputs | implementation | median per pass | per input | throughput | ratio |");
        assert_eq!(
            table[2],
            "| Validate a parsed `Value`, boolean | 2 valid examples | ours `is_valid` | 100 ns | 50 ns | - |  |"
        );
        assert_eq!(table[3], "|  |  | jsonschema runtime `is_valid` | 500 ns | 250 ns | - | ours 5.00x faster |");
        assert_eq!(
            table[5],
            "| Validate a parsed `Value`, boolean | 4 invalid variants | ours `is_valid` | 80 ns | 20 ns | - |  |"
        );
        assert_eq!(
            table[9],
            "|  |  | jsonschema runtime `iter_errors(..).count()` | 40.0 µs | 10.0 µs | - | ours 100x faster |"
        );
        assert_eq!(
            table[11],
            "| Bytes to validated typed event | 2 valid examples | ours `parse_validated` | 1.10 µs | 550 ns | 1818 MB/s | 4.00x the floor |"
        );
        assert_eq!(table[12], "|  |  | ours `is_valid_slice` | 440 ns | 220 ns | 4545 MB/s | 1.60x the floor |");
        assert_eq!(
            table[13],
            "|  |  | `from_slice::<Value>` + jsonschema runtime `is_valid` | 2.20 µs | 1.10 µs | 909 MB/s | \
             8.00x the floor; `parse_validated` 2.00x faster; `is_valid_slice` 5.00x faster |"
        );
        assert_eq!(
            table[14],
            "|  |  | floor: ours `Event::from_slice` (no validation) | 1.00 µs | 500 ns | 2000 MB/s | \
             3.64x the floor; validation adds +10.0% |"
        );
        assert_eq!(
            table[15],
            "|  |  | floor: `from_slice::<IgnoredAny>` (syntax only) | 275 ns | 138 ns | 7273 MB/s | the floor |"
        );
        assert_eq!(
            table[16],
            "| Bytes to validated typed event, NDJSON | 1.00 MB NDJSON | ours `parse_validated` | 1.20 ms | - | 833 MB/s |  |"
        );
        assert_eq!(
            table[17],
            "|  |  | `from_slice::<Value>` + jsonschema runtime `is_valid` | 2.40 ms | - | 417 MB/s | ours 2.00x faster |"
        );
    }

    #[test]
    fn each_example_has_a_row_and_the_median_of_the_ratios_ends_the_table() {
        let text = report(None).text();
        assert!(text.contains("| call.answered | 40 ns | 160 ns | 80 ns | 4.00x | 2.00x |\n"));
        assert!(text.contains("| call.completed | 60 ns | 300 ns | 90 ns | 5.00x | 1.50x |\n"));
        assert!(text.contains("| median of the ratios | | | | 4.50x | 1.75x |\n"));
    }

    #[test]
    fn the_bytes_paths_of_each_example_are_set_against_its_floor() {
        let text = report(None).text();
        assert!(text.contains(
            "| example | floor: `from_slice::<IgnoredAny>` | ours `parse_validated` | ours `is_valid_slice` | \
             ours tolerant `parse` | ours tolerant `is_valid_slice` | `from_slice::<Value>` + jsonschema runtime \
             `is_valid` |\n|---|--:|--:|--:|--:|--:|--:|\n"
        ));
        assert!(text.contains(
            "| call.answered | 100 ns | 250 ns (2.50x) | 140 ns (1.40x) | 260 ns (2.60x) | 150 ns (1.50x) | 600 ns \
             (6.00x) |\n"
        ));
        // parse_validated: 2.5 and 2.1; Value + runtime: 6.0 and 6.5.
        assert!(
            text.contains("| median of the ratios to the floor | 1.00x | 2.30x | 1.40x | 2.42x | 1.50x | 6.25x |\n")
        );
        assert!(!report_without_bytes_each().text().contains("The bytes paths on each example alone"));
    }

    fn report_without_bytes_each() -> Report {
        let mut report = report(None);
        report.results.bytes_each.clear();
        report
    }

    #[test]
    fn targets_show_their_verdicts() {
        let text = report(None).text();
        assert!(text.contains(
            "  [NOT MET] 1. `parse_validated` within 2.0x the floor `from_slice::<IgnoredAny>`: 2.30x the floor on \
             each example alone (median), 4.00x the floor over a pass of the corpus\n"
        ));
        assert!(text.contains(
            "  [met    ] 2. `is_valid_slice` within 1.5x the floor: 1.40x the floor on each example alone (median), \
             1.60x the floor over a pass of the corpus\n"
        ));
        assert!(text.contains(
            "  [met    ] 3. tolerant `parse` within 10% of `parse_validated`: 1.06x strict (+5.6%) on each example \
             alone (median)\n"
        ));
        assert!(text.contains(
            "  [met    ] 4. guard: `is_valid` at least 1.6x faster than the jsonschema macro validator: 1.75x on \
             each example alone (median), 2.50x over a pass of the corpus\n"
        ));
        assert!(text.contains(
            "  [unknown] 4. guard: validation adds at most 15% to our unvalidated typed parse, in instructions: \
             not counted\n"
        ));
        assert!(text.contains(
            "  (`from_slice::<Value>` + jsonschema runtime `is_valid` takes 6.25x the floor; `parse_validated` is \
             2.75x faster than it and `is_valid_slice` 4.46x"
        ));
        assert!(text.contains(
            "  (in time, validation adds +20.0% to the unvalidated typed parse over a pass of the 1.00 MB NDJSON \
             batch)\n"
        ));
        let counted = report(Some(COUNTS)).text();
        assert!(counted.contains(
            "  [met    ] 4. guard: validation adds at most 15% to our unvalidated typed parse, in instructions: +5.0%\n"
        ));
    }

    #[test]
    fn instruction_counts_are_reported_over_the_corpus_examples_when_counted() {
        assert!(!report(None).text().contains("callgrind"));
        let text = report(Some(COUNTS)).text();
        assert!(text.contains(
            "| on the compact bytes | instructions | against the floor |\n|---|--:|--:|\n\
             | floor: `from_slice::<IgnoredAny>` | 2000 | 1.00x |\n\
             | `parse_validated` | 6300 | 3.15x |\n\
             | `Event::from_slice` (no validation) | 6000 | 3.00x |\n\
             | `is_valid_slice` | 3100 | 1.55x |\n\
             | tolerant `parse` | 6615 | 3.31x |\n\
             | tolerant `is_valid_slice` | 3255 | 1.63x |\n"
        ));
        assert!(text.contains(
            "In instructions, validation adds +5.0% to the unvalidated typed parse; the tolerant reading takes 1.05x \
             strict's for `parse` and 1.05x for `is_valid_slice`.\n"
        ));
        assert!(text.contains(
            "`is_valid` on a parsed `Value`: ours 1000; jsonschema runtime 3000 (3.00x ours); jsonschema macro 1800 \
             (1.80x ours)\n"
        ));
    }

    #[test]
    fn versions_machine_and_command_close_the_report() {
        let text = report(None).text();
        let tail: Vec<&str> = text.lines().rev().take(3).collect();
        assert_eq!(tail[0], "Command: cargo xtask bench (runs `cargo bench -p audian-events-bench`)");
        assert_eq!(
            tail[1],
            format!("Machine: AMD EPYC (2 cores available), 24 GiB of memory, {}", std::env::consts::OS)
        );
        assert_eq!(
            tail[2],
            "Versions: rustc 1.95.0; jsonschema 0.61.2 (runtime validator), jsonschema 0.60.2 (compile-time macro \
             validator); serde_json 1.0.154; criterion 0.8.2"
        );
    }

    #[test]
    fn times_read_in_their_unit() {
        assert_eq!(format_ns(68.4), "68 ns");
        assert_eq!(format_ns(1234.0), "1.23 µs");
        assert_eq!(format_ns(50_900.0), "50.9 µs");
        assert_eq!(format_ns(1_830_000.0), "1.83 ms");
        assert_eq!(format_ratio(4.084), "4.08x");
        assert_eq!(format_ratio(191.2), "191x");
    }
}
