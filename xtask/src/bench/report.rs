//! The report printed after a run: the table of medians and ratios (Markdown), each example
//! alone, the targets and the verdicts, the instruction counts, the versions and the machine.

use std::fmt::Write as _;

use super::benchmarks::{Function, Group, Inputs, Kind, Reference};
use super::callgrind::{InstructionCounts, WORKLOAD_PASSES};
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

    /// The ratio column of a row.
    pub fn ratio(&self, measured: &Measured) -> String {
        let results = &self.results;
        let group = measured.spec.group;
        match measured.spec.kind() {
            Kind::Ours => String::new(),
            Kind::Reference => match results.speedup(group, measured.spec.function) {
                Some(speedup) if speedup >= 1.0 => format!("ours {} faster", format_ratio(speedup)),
                Some(speedup) => format!("ours {} slower", format_ratio(1.0 / speedup)),
                None => String::new(),
            },
            Kind::Floor if measured.spec.function == Function::FloorTypedUnvalidated => {
                results.overhead(group).map(|v| format!("validation adds {v:+.1}%")).unwrap_or_default()
            }
            Kind::Floor => results
                .times_floor(measured)
                .map(|times| format!("ours takes {} this", format_ratio(times)))
                .unwrap_or_default(),
        }
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
        let _ = writeln!(out);
        let _ = writeln!(out, "Targets (medians over the corpus, this run):");
        for target in targets::judge(&results.figures()) {
            let _ = writeln!(out, "  [{}] {}: {}", target.verdict.label(), target.what, target.value);
        }
        if let Some(overhead) = results.overhead(Group::Ndjson) {
            let _ = writeln!(
                out,
                "  (on the NDJSON batch, validation adds {overhead:+.1}% to the unvalidated typed parse)"
            );
        }
        if let Some(counts) = &self.instructions {
            let _ = writeln!(
                out,
                "  (in instructions, which do not depend on the machine's load: validation adds {:+.1}%; \
                 `parse_validated` {:.0} and `Event::from_slice` {:.0} per example)",
                counts.overhead(),
                counts.parse_validated,
                counts.from_slice,
            );
            let ours = counts.is_valid;
            let _ = writeln!(out);
            let _ = writeln!(
                out,
                "Instructions per example of `is_valid` (callgrind, {WORKLOAD_PASSES} passes over the {} examples): \
                 ours {ours:.0}; jsonschema runtime {:.0} ({} ours); jsonschema macro {:.0} ({} ours)",
                results.corpus.examples,
                counts.jsonschema_runtime,
                format_ratio(counts.jsonschema_runtime / ours),
                counts.jsonschema_macro,
                format_ratio(counts.jsonschema_macro / ours),
            );
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
    use super::super::results::tests::{MEDIANS, example, results};
    use super::*;

    pub fn report(instructions: Option<InstructionCounts>) -> Report {
        let each = vec![example("call.answered", 40.0, 160.0, 80.0), example("call.completed", 60.0, 300.0, 90.0)];
        Report {
            results: results(MEDIANS, each),
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

    #[test]
    fn the_table_has_one_row_per_benchmark_titled_once_per_group() {
        let text = report(None).text();
        let table: Vec<&str> = text.lines().take_while(|line| !line.is_empty()).collect();
        assert_eq!(table.len(), 2 + 16);
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
            "| Bytes to validated typed event | 2 valid examples | ours `parse_validated` | 1.10 µs | 550 ns | 1818 MB/s |  |"
        );
        assert_eq!(
            table[13],
            "|  |  | floor: ours `Event::from_slice` (no validation) | 1.00 µs | 500 ns | 2000 MB/s | validation adds +10.0% |"
        );
        assert_eq!(
            table[14],
            "|  |  | floor: `from_slice::<IgnoredAny>` (syntax only) | 275 ns | 138 ns | 7273 MB/s | ours takes 4.00x this |"
        );
        assert_eq!(
            table[15],
            "| Bytes to validated typed event, NDJSON | 1.00 MB NDJSON | ours `parse_validated` | 1.20 ms | - | 833 MB/s |  |"
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
    fn targets_show_their_verdicts() {
        let text = report(None).text();
        assert!(text.contains(
            "  [NOT MET] `is_valid` at least 3x faster than the jsonschema macro validator: \
             2.50x over a pass of the corpus, 1.75x on each example alone (median)\n"
        ));
        assert!(text.contains("  [met    ] validation adds at most 15% to our unvalidated typed parse: +10.0%\n"));
        assert!(text.contains("  (on the NDJSON batch, validation adds +20.0% to the unvalidated typed parse)\n"));
    }

    #[test]
    fn instruction_counts_are_reported_over_the_corpus_examples_when_counted() {
        assert!(!report(None).text().contains("callgrind"));
        let counts = InstructionCounts {
            parse_validated: 6300.0,
            from_slice: 6000.0,
            is_valid: 1000.0,
            jsonschema_runtime: 3000.0,
            jsonschema_macro: 1800.0,
        };
        let text = report(Some(counts)).text();
        assert!(
            text.contains("validation adds +5.0%; `parse_validated` 6300 and `Event::from_slice` 6000 per example)\n")
        );
        assert!(text.contains(
            "Instructions per example of `is_valid` (callgrind, 2000 passes over the 2 examples): ours 1000; \
             jsonschema runtime 3000 (3.00x ours); jsonschema macro 1800 (1.80x ours)\n"
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
