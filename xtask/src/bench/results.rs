//! One run's results, typed, and the ratios between them: how many times faster ours is than a
//! reference, and what validation adds to the unvalidated parse.

use std::time::SystemTime;

use super::benchmarks::{Corpus, Function, Group, Kind, Reference, Spec};
use super::criterion::Throughput;
use super::targets::{Figures, Speedup};

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

/// Everything one run measured, and the corpus it ran on.
#[derive(Debug)]
pub struct Results {
    pub corpus: Corpus,
    /// In the order of [`super::benchmarks::SPECS`].
    pub measured: Vec<Measured>,
    /// In the order of the examples' names.
    pub each: Vec<EachExample>,
}

impl Results {
    pub fn in_group(&self, group: Group) -> impl Iterator<Item = &Measured> {
        self.measured.iter().filter(move |m| m.spec.group == group)
    }

    fn get(&self, group: Group, function: Function) -> Option<&Measured> {
        self.in_group(group).find(|m| m.spec.function == function)
    }

    fn ours(&self, group: Group) -> Option<&Measured> {
        self.in_group(group).find(|m| m.spec.kind() == Kind::Ours)
    }

    /// Reference median over ours: how many times faster ours is.
    pub fn speedup(&self, group: Group, function: Function) -> Option<f64> {
        Some(self.get(group, function)?.median_ns / self.ours(group)?.median_ns)
    }

    /// How much longer ours takes than the unvalidated typed parse, in percent.
    pub fn overhead(&self, group: Group) -> Option<f64> {
        Some((self.ours(group)?.median_ns / self.get(group, Function::FloorTypedUnvalidated)?.median_ns - 1.0) * 100.0)
    }

    /// How many times longer ours takes than `measured`, a floor of its group.
    pub fn times_floor(&self, measured: &Measured) -> Option<f64> {
        Some(self.ours(measured.spec.group)?.median_ns / measured.median_ns)
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

    /// The figures the targets are judged on.
    pub fn figures(&self) -> Figures {
        let is_valid = |reference: Reference| Speedup {
            over_a_pass: self.speedup(Group::IsValid, reference.function()),
            each_example_median: self.each_speedup(reference),
        };
        Figures {
            is_valid_vs_macro: is_valid(Reference::Macro),
            is_valid_vs_runtime: is_valid(Reference::Runtime),
            bytes_to_event_vs_runtime: self.speedup(Group::BytesToEvent, Function::ValuePlusJsonschemaRuntime),
            validation_overhead: self.overhead(Group::BytesToEvent),
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
    pub fn results(medians: [f64; 16], each: Vec<EachExample>) -> Results {
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
        Results { corpus, measured, each }
    }

    pub fn example(name: &str, ours: f64, jsonschema_runtime: f64, jsonschema_macro: f64) -> EachExample {
        EachExample { name: name.into(), median_ns: PerValidator { ours, jsonschema_runtime, jsonschema_macro } }
    }

    /// Pass medians in nanoseconds, in the order of [`SPECS`].
    #[rustfmt::skip]
    pub const MEDIANS: [f64; 16] = [
        100.0, 500.0, 250.0,                   // is_valid: ours, runtime, macro
        80.0, 240.0, 120.0,                    // is_valid_invalid
        400.0, 40_000.0, 30_000.0,             // all_errors
        1_100.0, 2_200.0, 1_000.0, 275.0,      // bytes_to_event: ours, `Value` + runtime, typed floor, syntax floor
        1_200_000.0, 2_400_000.0, 1_000_000.0, // ndjson: ours, `Value` + runtime, typed floor
    ];

    #[test]
    fn speedups_are_reference_over_ours_within_a_group() {
        let results = results(MEDIANS, Vec::new());
        assert_eq!(results.speedup(Group::IsValid, Function::JsonschemaRuntime), Some(5.0));
        assert_eq!(results.speedup(Group::IsValid, Function::JsonschemaMacro), Some(2.5));
        assert_eq!(results.speedup(Group::AllErrors, Function::JsonschemaRuntime), Some(100.0));
        assert_eq!(results.speedup(Group::IsValid, Function::FloorIgnoredAny), None);
    }

    #[test]
    fn overhead_is_ours_against_the_typed_floor_in_percent() {
        let results = results(MEDIANS, Vec::new());
        assert!((results.overhead(Group::BytesToEvent).unwrap() - 10.0).abs() < 1e-9);
        assert!((results.overhead(Group::Ndjson).unwrap() - 20.0).abs() < 1e-9);
        assert_eq!(results.overhead(Group::IsValid), None);
    }

    #[test]
    fn per_input_divides_by_the_corpus_except_for_ndjson() {
        let results = results(MEDIANS, Vec::new());
        let per_input: Vec<Option<f64>> = results.measured.iter().map(|m| results.per_input(m)).collect();
        assert_eq!(per_input[0], Some(50.0));
        assert_eq!(per_input[3], Some(20.0), "36 invalid variants for 18 examples: 4 for 2");
        assert_eq!(per_input[13], None);
        assert_eq!(results.ndjson_bytes(), Some(1_000_000));
    }

    #[test]
    fn each_speedup_is_the_median_of_the_examples_ratios() {
        let each = vec![example("a", 10.0, 20.0, 15.0), example("b", 10.0, 60.0, 30.0), example("c", 10.0, 40.0, 10.0)];
        let results = results(MEDIANS, each);
        assert_eq!(results.each_speedup(Reference::Runtime), Some(4.0));
        assert_eq!(results.each_speedup(Reference::Macro), Some(1.5));
    }

    #[test]
    fn median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), Some(2.5));
    }
}
