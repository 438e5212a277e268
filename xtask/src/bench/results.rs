//! One run's results, typed, and the ratios between them: how many times faster ours is than a
//! reference, and what validation adds to the unvalidated parse.

use std::time::SystemTime;

use super::benchmarks::{BytesPath, Corpus, Function, Group, Kind, Reference, Spec};
use super::callgrind::InstructionCounts;
use super::criterion::Throughput;
use super::targets::{Figures, Ratio};

/// One benchmark's result.
#[derive(Debug)]
pub struct Measured {
    pub spec: &'static Spec,
    /// Median time of one pass over the group's corpus, in nanoseconds.
    pub median_ns: f64,
    /// Inputs (elements) or bytes per pass, from Criterion's `benchmark.json`.
    pub throughput: Throughput,
    pub modified: SystemTime,
}

/// One figure for each validator of a parsed `Value`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PerValidator {
    pub ours: f64,
    pub jsonschema_runtime: f64,
    pub jsonschema_macro: f64,
}

impl PerValidator {
    pub fn of(&self, reference: Reference) -> f64 {
        match reference {
            Reference::Runtime => self.jsonschema_runtime,
            Reference::Macro => self.jsonschema_macro,
        }
    }

    /// How many times faster ours is than `reference`, where the figures are times.
    pub fn speedup(&self, reference: Reference) -> f64 {
        self.of(reference) / self.ours
    }
}

/// `is_valid` on one example alone.
#[derive(Debug)]
pub struct EachExample {
    pub name: String,
    /// The median time of each validator, in nanoseconds.
    pub median_ns: PerValidator,
}

/// The bytes paths on one example alone.
#[derive(Debug)]
pub struct EachBytes {
    pub name: String,
    /// The median time of each path, in nanoseconds, in the order of [`BytesPath::ALL`].
    pub median_ns: [f64; BytesPath::ALL.len()],
}

impl EachBytes {
    pub fn of(&self, path: BytesPath) -> f64 {
        self.median_ns[path.index()]
    }

    /// How many times longer `path` takes than `over`.
    pub fn ratio(&self, path: BytesPath, over: BytesPath) -> f64 {
        self.of(path) / self.of(over)
    }
}

/// Everything one run measured, and the corpus it ran on.
#[derive(Debug)]
pub struct Results {
    pub corpus: Corpus,
    /// In the order of [`super::benchmarks::SPECS`].
    pub measured: Vec<Measured>,
    /// `is_valid` on each example alone, in the order of the examples' names.
    pub each: Vec<EachExample>,
    /// The bytes paths on each example alone, in the order of the examples' names.
    pub bytes_each: Vec<EachBytes>,
}

impl Results {
    pub fn in_group(&self, group: Group) -> impl Iterator<Item = &Measured> {
        self.measured.iter().filter(move |m| m.spec.group == group)
    }

    fn get(&self, group: Group, function: Function) -> Option<&Measured> {
        self.in_group(group).find(|m| m.spec.function == function)
    }

    /// The first of ours in the group: the one its references and floors are compared with.
    fn ours(&self, group: Group) -> Option<&Measured> {
        self.in_group(group).find(|m| m.spec.kind() == Kind::Ours)
    }

    /// Every one of ours in the group, in the order of the specs.
    pub fn all_ours(&self, group: Group) -> impl Iterator<Item = &Measured> {
        self.in_group(group).filter(|m| m.spec.kind() == Kind::Ours)
    }

    /// Reference median over ours: how many times faster ours is.
    pub fn speedup(&self, group: Group, function: Function) -> Option<f64> {
        Some(self.get(group, function)?.median_ns / self.ours(group)?.median_ns)
    }

    /// How many times longer `measured` takes than the syntax floor of its group,
    /// `from_slice::<IgnoredAny>`; none in a group without it.
    pub fn times_syntax_floor(&self, measured: &Measured) -> Option<f64> {
        Some(measured.median_ns / self.get(measured.spec.group, Function::FloorIgnoredAny)?.median_ns)
    }

    /// The median over the examples, each timed alone, of how many times longer `path` takes
    /// than `over`.
    pub fn each_bytes_ratio(&self, path: BytesPath, over: BytesPath) -> Option<f64> {
        median(self.bytes_each.iter().map(|example| example.ratio(path, over)).collect())
    }

    /// The median over the examples of `path`'s time, each timed alone.
    pub fn each_bytes_median(&self, path: BytesPath) -> Option<f64> {
        median(self.bytes_each.iter().map(|example| example.of(path)).collect())
    }

    /// How much longer ours takes than the unvalidated typed parse, in percent.
    pub fn overhead(&self, group: Group) -> Option<f64> {
        Some((self.ours(group)?.median_ns / self.get(group, Function::FloorTypedUnvalidated)?.median_ns - 1.0) * 100.0)
    }

    /// The median over the examples of how many times faster ours is than `reference`, each
    /// example timed alone.
    pub fn each_speedup(&self, reference: Reference) -> Option<f64> {
        median(self.each.iter().map(|example| example.median_ns.speedup(reference)).collect())
    }

    /// Median time per input of the group's corpus; none for the NDJSON batch, measured in MB/s.
    pub fn per_input(&self, measured: &Measured) -> Option<f64> {
        Some(measured.median_ns / self.corpus.count(measured.spec.group.inputs())? as f64)
    }

    /// The size of the NDJSON batch.
    pub fn ndjson_bytes(&self) -> Option<u64> {
        self.in_group(Group::Ndjson).find_map(|m| match m.throughput {
            Throughput::Bytes(bytes) => Some(bytes),
            Throughput::Elements(_) => None,
        })
    }

    /// The figures the targets are judged on, with the instruction counts where counted.
    pub fn figures(&self, instructions: Option<&InstructionCounts>) -> Figures {
        let is_valid = |reference: Reference| Ratio {
            over_a_pass: self.speedup(Group::IsValid, reference.function()),
            each_example_median: self.each_speedup(reference),
        };
        let times_floor = |path: BytesPath| Ratio {
            over_a_pass: self.get(Group::BytesToEvent, path.function()).and_then(|m| self.times_syntax_floor(m)),
            each_example_median: self.each_bytes_ratio(path, BytesPath::Floor),
        };
        Figures {
            parse_validated_vs_floor: times_floor(BytesPath::ParseValidated),
            is_valid_slice_vs_floor: times_floor(BytesPath::IsValidSlice),
            parse_tolerant_vs_strict: self.each_bytes_ratio(BytesPath::ParseTolerant, BytesPath::ParseValidated),
            is_valid_slice_tolerant_vs_strict: self
                .each_bytes_ratio(BytesPath::IsValidSliceTolerant, BytesPath::IsValidSlice),
            is_valid_vs_macro: is_valid(Reference::Macro),
            is_valid_vs_runtime: is_valid(Reference::Runtime),
            validation_overhead_in_instructions: instructions.map(InstructionCounts::overhead),
        }
    }
}

/// The median of some numbers (the mean of the middle two of an even count).
pub fn median(mut values: Vec<f64>) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    match values.len() {
        0 => None,
        n if n % 2 == 1 => Some(values[middle]),
        _ => Some((values[middle - 1] + values[middle]) / 2.0),
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::benchmarks::SPECS;
    use super::*;

    /// A run whose pass medians are given in the order of [`SPECS`], on a corpus of two
    /// examples, with the NDJSON batch of 1 MB.
    pub fn results(medians: [f64; 17], each: Vec<EachExample>, bytes_each: Vec<EachBytes>) -> Results {
        let corpus = Corpus { examples: 2 };
        let measured = SPECS
            .iter()
            .zip(medians)
            .map(|(spec, median_ns)| Measured {
                spec,
                median_ns,
                throughput: match (spec.group, corpus.count(spec.group.inputs())) {
                    (Group::BytesToEvent, _) => Throughput::Bytes(2_000),
                    (_, Some(count)) => Throughput::Elements(count),
                    (_, None) => Throughput::Bytes(1_000_000),
                },
                modified: SystemTime::UNIX_EPOCH,
            })
            .collect();
        Results { corpus, measured, each, bytes_each }
    }

    pub fn example(name: &str, ours: f64, jsonschema_runtime: f64, jsonschema_macro: f64) -> EachExample {
        EachExample { name: name.into(), median_ns: PerValidator { ours, jsonschema_runtime, jsonschema_macro } }
    }

    /// Times in the order of [`BytesPath::ALL`]: floor, `parse_validated`, `is_valid_slice`,
    /// tolerant `parse`, tolerant `is_valid_slice`, `Value` + runtime.
    pub fn bytes(name: &str, median_ns: [f64; 6]) -> EachBytes {
        EachBytes { name: name.into(), median_ns }
    }

    /// Pass medians in nanoseconds, in the order of [`SPECS`].
    #[rustfmt::skip]
    pub const MEDIANS: [f64; 17] = [
        100.0, 500.0, 250.0,                    // is_valid: ours, runtime, macro
        80.0, 240.0, 120.0,                     // is_valid_invalid
        400.0, 40_000.0, 30_000.0,              // all_errors
        1_100.0, 440.0, 2_200.0, 1_000.0, 275.0, // bytes_to_event: parse_validated, is_valid_slice, `Value` + runtime, typed floor, syntax floor
        1_200_000.0, 2_400_000.0, 1_000_000.0,  // ndjson: ours, `Value` + runtime, typed floor
    ];

    #[test]
    fn speedups_are_reference_over_ours_within_a_group() {
        let results = results(MEDIANS, Vec::new(), Vec::new());
        assert_eq!(results.speedup(Group::IsValid, Function::JsonschemaRuntime), Some(5.0));
        assert_eq!(results.speedup(Group::IsValid, Function::JsonschemaMacro), Some(2.5));
        assert_eq!(results.speedup(Group::AllErrors, Function::JsonschemaRuntime), Some(100.0));
        assert_eq!(results.speedup(Group::IsValid, Function::FloorIgnoredAny), None);
    }

    #[test]
    fn overhead_is_ours_against_the_typed_floor_in_percent() {
        let results = results(MEDIANS, Vec::new(), Vec::new());
        assert!((results.overhead(Group::BytesToEvent).unwrap() - 10.0).abs() < 1e-9);
        assert!((results.overhead(Group::Ndjson).unwrap() - 20.0).abs() < 1e-9);
        assert_eq!(results.overhead(Group::IsValid), None);
    }

    #[test]
    fn per_input_divides_by_the_corpus_except_for_ndjson() {
        let results = results(MEDIANS, Vec::new(), Vec::new());
        let per_input: Vec<Option<f64>> = results.measured.iter().map(|m| results.per_input(m)).collect();
        assert_eq!(per_input[0], Some(50.0));
        assert_eq!(per_input[3], Some(20.0), "36 invalid variants for 18 examples: 4 for 2");
        assert_eq!(per_input[14], None);
        assert_eq!(results.ndjson_bytes(), Some(1_000_000));
    }

    #[test]
    fn each_speedup_is_the_median_of_the_examples_ratios() {
        let each = vec![example("a", 10.0, 20.0, 15.0), example("b", 10.0, 60.0, 30.0), example("c", 10.0, 40.0, 10.0)];
        let results = results(MEDIANS, each, Vec::new());
        assert_eq!(results.each_speedup(Reference::Runtime), Some(4.0));
        assert_eq!(results.each_speedup(Reference::Macro), Some(1.5));
    }

    #[test]
    fn the_syntax_floor_is_that_of_the_group() {
        let results = results(MEDIANS, Vec::new(), Vec::new());
        let ratios: Vec<Option<f64>> = results.measured.iter().map(|m| results.times_syntax_floor(m)).collect();
        assert_eq!(ratios[9], Some(4.0), "parse_validated");
        assert_eq!(ratios[10], Some(1.6), "is_valid_slice");
        assert_eq!(ratios[13], Some(1.0), "the floor itself");
        assert_eq!(ratios[0], None, "is_valid has no syntax floor");
        assert_eq!(ratios[14], None, "nor has the NDJSON batch");
        let ours: Vec<Function> = results.all_ours(Group::BytesToEvent).map(|m| m.spec.function).collect();
        assert_eq!(ours, [Function::OursParseValidated, Function::OursIsValidSlice]);
    }

    #[test]
    fn bytes_ratios_are_medians_of_each_examples_ratio_not_ratios_of_medians() {
        let bytes_each = vec![
            bytes("a", [100.0, 300.0, 120.0, 330.0, 120.0, 600.0]),
            bytes("b", [200.0, 400.0, 300.0, 400.0, 330.0, 1_000.0]),
            bytes("c", [400.0, 1_000.0, 600.0, 1_200.0, 600.0, 2_400.0]),
        ];
        let results = results(MEDIANS, Vec::new(), bytes_each);
        assert_eq!(results.each_bytes_ratio(BytesPath::ParseValidated, BytesPath::Floor), Some(2.5));
        assert_eq!(results.each_bytes_ratio(BytesPath::IsValidSlice, BytesPath::Floor), Some(1.5));
        assert_eq!(results.each_bytes_ratio(BytesPath::ParseTolerant, BytesPath::ParseValidated), Some(1.1));
        assert_eq!(results.each_bytes_median(BytesPath::ParseValidated), Some(400.0));
        // The ratio of the medians would be 400 / 200 = 2.0.
        let figures = results.figures(None);
        assert_eq!(figures.parse_validated_vs_floor.each_example_median, Some(2.5));
        assert_eq!(figures.parse_validated_vs_floor.over_a_pass, Some(4.0));
        assert_eq!(figures.is_valid_slice_vs_floor.over_a_pass, Some(1.6));
        assert_eq!(figures.validation_overhead_in_instructions, None);
    }

    #[test]
    fn median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), Some(2.5));
    }
}
