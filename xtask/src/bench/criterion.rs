//! Reading what Criterion wrote: each benchmark's median from
//! `<target>/criterion/<group>/<function>/new/estimates.json`, its throughput from
//! `benchmark.json` next to it, and when it was written, into typed results.

use std::path::Path;
use std::time::{Duration, SystemTime};

use super::benchmarks::{BYTES_EACH_GROUP, BytesPath, Corpus, EACH_GROUP, Function, Reference, SPECS};
use super::results::{EachBytes, EachExample, Measured, PerValidator};

/// Inputs (elements) or bytes per pass, as the benchmark declared them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Throughput {
    Elements(u64),
    Bytes(u64),
}

/// Results written further apart than this are not of one run.
const ONE_RUN: Duration = Duration::from_secs(20 * 60);

/// The median point estimate of an `estimates.json`, in nanoseconds.
pub fn parse_median(estimates: &serde_json::Value) -> Option<f64> {
    estimates["median"]["point_estimate"].as_f64()
}

/// The throughput of a `benchmark.json`; `Err` says whether it is missing or malformed.
pub fn parse_throughput(benchmark: &serde_json::Value) -> Result<Throughput, &'static str> {
    match &benchmark["throughput"] {
        serde_json::Value::Object(map) if map.contains_key("Bytes") => {
            map["Bytes"].as_u64().map(Throughput::Bytes).ok_or("bad throughput")
        }
        serde_json::Value::Object(map) if map.contains_key("Elements") => {
            map["Elements"].as_u64().map(Throughput::Elements).ok_or("bad throughput")
        }
        _ => Err("no throughput in benchmark.json"),
    }
}

/// Reads every benchmark of [`SPECS`]. With `since`, each result must have been written after it
/// (so that all come from the run just made); without, all must come from one run (written
/// within a few minutes of each other). A group that counts inputs must have counted as many
/// as the corpus holds.
pub fn read_results(criterion_dir: &Path, since: Option<SystemTime>, corpus: Corpus) -> Result<Vec<Measured>, String> {
    let mut measured = Vec::new();
    for spec in SPECS {
        let dir = criterion_dir.join(spec.group.name()).join(spec.function.name()).join("new");
        let (median_ns, modified) = read_median(&dir.join("estimates.json"), since)?;
        let benchmark = read_json(&dir.join("benchmark.json"))?;
        let throughput = parse_throughput(&benchmark).map_err(|error| format!("{}: {error}", dir.display()))?;
        if let (Throughput::Elements(elements), Some(count)) = (throughput, corpus.count(spec.group.inputs()))
            && elements != count
        {
            return Err(format!("{}: {elements} inputs per pass, expected {count}", dir.display()));
        }
        measured.push(Measured { spec, median_ns, throughput, modified });
    }
    if since.is_none() {
        check_one_run(measured.iter().map(|m| m.modified))?;
    }
    Ok(measured)
}

/// Fails unless the times span less than [`ONE_RUN`].
pub fn check_one_run(modified: impl Iterator<Item = SystemTime> + Clone) -> Result<(), String> {
    let (Some(oldest), Some(newest)) = (modified.clone().min(), modified.max()) else {
        return Ok(());
    };
    if newest.duration_since(oldest).unwrap_or_default() > ONE_RUN {
        return Err("the results in target/criterion are not all from one run: run `cargo xtask bench`".into());
    }
    Ok(())
}

/// Reads `is_valid_each/<function>/<example>` of the three validators, for every example that
/// ours was timed on: one per documented example.
pub fn read_each_example(
    criterion_dir: &Path,
    since: Option<SystemTime>,
    corpus: Corpus,
) -> Result<Vec<EachExample>, String> {
    let names = example_names(&criterion_dir.join(EACH_GROUP).join(Function::Ours.name()), corpus)?;
    let median = |function: Function, name: &str| {
        let path = criterion_dir.join(EACH_GROUP).join(function.name()).join(name).join("new/estimates.json");
        read_median(&path, since).map(|(median_ns, _)| median_ns)
    };
    let mut each = Vec::new();
    for name in names {
        let median_ns = PerValidator {
            ours: median(Function::Ours, &name)?,
            jsonschema_runtime: median(Reference::Runtime.function(), &name)?,
            jsonschema_macro: median(Reference::Macro.function(), &name)?,
        };
        each.push(EachExample { name, median_ns });
    }
    Ok(each)
}

/// Reads `bytes_each/<function>/<example>` of every path of [`BytesPath::ALL`], for every example
/// that the floor was timed on: one per documented example.
pub fn read_each_bytes(
    criterion_dir: &Path,
    since: Option<SystemTime>,
    corpus: Corpus,
) -> Result<Vec<EachBytes>, String> {
    let group = criterion_dir.join(BYTES_EACH_GROUP);
    let names = example_names(&group.join(BytesPath::Floor.function().name()), corpus)?;
    let mut each = Vec::new();
    for name in names {
        let mut median_ns = [0.0; BytesPath::ALL.len()];
        for (median, path) in median_ns.iter_mut().zip(BytesPath::ALL) {
            let estimates = group.join(path.function().name()).join(&name).join("new/estimates.json");
            *median = read_median(&estimates, since)?.0;
        }
        each.push(EachBytes { name, median_ns });
    }
    Ok(each)
}

/// The examples a function of an `_each` group was timed on, sorted; as many as the corpus holds.
fn example_names(function_dir: &Path, corpus: Corpus) -> Result<Vec<String>, String> {
    let entries = std::fs::read_dir(function_dir).map_err(|error| {
        format!("cannot read {}: {error} (run `cargo xtask bench` without --no-run)", function_dir.display())
    })?;
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|entry| entry.path().join("new/estimates.json").is_file())
        .filter_map(|entry| entry.file_name().into_string().ok())
        .collect();
    names.sort();
    if names.len() as u64 != corpus.examples {
        return Err(format!("{}: {} examples, expected {}", function_dir.display(), names.len(), corpus.examples));
    }
    Ok(names)
}

/// The median of one benchmark's `estimates.json`, and when it was written. With `since`, it must
/// have been written after it (by the run just made).
fn read_median(estimates_path: &Path, since: Option<SystemTime>) -> Result<(f64, SystemTime), String> {
    let estimates = read_json(estimates_path)?;
    let median_ns =
        parse_median(&estimates).ok_or_else(|| format!("{}: no median point estimate", estimates_path.display()))?;
    let modified = std::fs::metadata(estimates_path)
        .and_then(|metadata| metadata.modified())
        .map_err(|error| format!("{}: {error}", estimates_path.display()))?;
    if since.is_some_and(|since| modified < since) {
        return Err(format!("{} is older than this run: did the benchmark run?", estimates_path.display()));
    }
    Ok((median_ns, modified))
}

fn read_json(path: &Path) -> Result<serde_json::Value, String> {
    let text = std::fs::read_to_string(path).map_err(|error| {
        format!("cannot read {}: {error} (run `cargo xtask bench` without --no-run)", path.display())
    })?;
    serde_json::from_str(&text).map_err(|error| format!("{} is not JSON: {error}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As Criterion 0.8 writes it (`readings/parse_strict`, shortened).
    const ESTIMATES: &str = r#"{
        "mean":{"confidence_interval":{"confidence_level":0.95,"lower_bound":22588.5,"upper_bound":22697.7},"point_estimate":22639.0,"standard_error":27.9},
        "median":{"confidence_interval":{"confidence_level":0.95,"lower_bound":22566.2,"upper_bound":22605.5},"point_estimate":22580.973744292234,"standard_error":10.0},
        "median_abs_dev":{"confidence_interval":{"confidence_level":0.95,"lower_bound":46.7,"upper_bound":116.8},"point_estimate":86.6,"standard_error":17.8},
        "slope":{"confidence_interval":{"confidence_level":0.95,"lower_bound":22581.6,"upper_bound":22720.8},"point_estimate":22644.4,"standard_error":35.6},
        "std_dev":{"confidence_interval":{"confidence_level":0.95,"lower_bound":130.9,"upper_bound":296.8},"point_estimate":219.1,"standard_error":42.9}
    }"#;

    const BENCHMARK: &str = r#"{"group_id":"readings","function_id":"parse_strict","value_str":null,
        "throughput":{"Elements":18},"full_id":"readings/parse_strict","directory_name":"readings/parse_strict",
        "title":"readings/parse_strict"}"#;

    fn json(text: &str) -> serde_json::Value {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn the_median_is_the_median_point_estimate_not_the_mean_or_slope() {
        assert_eq!(parse_median(&json(ESTIMATES)), Some(22580.973744292234));
        assert_eq!(parse_median(&json(r#"{"mean":{"point_estimate":1.0}}"#)), None);
    }

    #[test]
    fn throughput_is_elements_or_bytes() {
        assert_eq!(parse_throughput(&json(BENCHMARK)), Ok(Throughput::Elements(18)));
        assert_eq!(parse_throughput(&json(r#"{"throughput":{"Bytes":1048700}}"#)), Ok(Throughput::Bytes(1048700)));
        assert_eq!(parse_throughput(&json(r#"{"throughput":{"Bytes":-1}}"#)), Err("bad throughput"));
        assert_eq!(parse_throughput(&json(r#"{"throughput":null}"#)), Err("no throughput in benchmark.json"));
    }

    #[test]
    fn results_more_than_twenty_minutes_apart_are_not_one_run() {
        let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let within = [start, start + Duration::from_secs(19 * 60)];
        assert!(check_one_run(within.into_iter()).is_ok());
        let apart = [start + Duration::from_secs(21 * 60), start];
        assert!(check_one_run(apart.into_iter()).unwrap_err().contains("not all from one run"));
    }

    /// Writes one benchmark's files as Criterion does.
    fn write_benchmark(dir: &Path, median_ns: f64, throughput: &str) {
        let new = dir.join("new");
        std::fs::create_dir_all(&new).unwrap();
        let estimates = ESTIMATES.replace("22580.973744292234", &median_ns.to_string());
        std::fs::write(new.join("estimates.json"), estimates).unwrap();
        std::fs::write(new.join("benchmark.json"), format!(r#"{{"throughput":{throughput}}}"#)).unwrap();
    }

    fn write_all(criterion_dir: &Path, examples: u64, names: &[&str]) {
        let corpus = Corpus { examples };
        for spec in SPECS {
            let throughput = match corpus.count(spec.group.inputs()) {
                Some(count) => format!(r#"{{"Elements":{count}}}"#),
                None => r#"{"Bytes":1048700}"#.to_owned(),
            };
            let median = 1000.0 + SPECS.iter().position(|s| std::ptr::eq(s, spec)).unwrap() as f64;
            write_benchmark(&criterion_dir.join(spec.group.name()).join(spec.function.name()), median, &throughput);
        }
        for name in names {
            for (function, median) in [("ours", 40.0), ("jsonschema_runtime", 160.0), ("jsonschema_macro", 80.0)] {
                write_benchmark(&criterion_dir.join(EACH_GROUP).join(function).join(name), median, "null");
            }
            for (index, path) in BytesPath::ALL.iter().enumerate() {
                let dir = criterion_dir.join(BYTES_EACH_GROUP).join(path.function().name()).join(name);
                write_benchmark(&dir, 100.0 * (index + 1) as f64, "null");
            }
        }
    }

    #[test]
    fn reads_every_benchmark_of_a_run_in_the_order_of_the_specs() {
        let dir = tempfile::tempdir().unwrap();
        write_all(dir.path(), 2, &["call.answered", "call.completed"]);
        let corpus = Corpus { examples: 2 };
        let measured = read_results(dir.path(), None, corpus).unwrap();
        assert_eq!(measured.len(), SPECS.len());
        assert_eq!(measured[0].median_ns, 1000.0);
        assert_eq!(measured[0].throughput, Throughput::Elements(2));
        assert_eq!(measured.last().unwrap().throughput, Throughput::Bytes(1048700));
        let each = read_each_example(dir.path(), None, corpus).unwrap();
        assert_eq!(each.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), ["call.answered", "call.completed"]);
        assert_eq!(each[0].median_ns, PerValidator { ours: 40.0, jsonschema_runtime: 160.0, jsonschema_macro: 80.0 });
        let bytes = read_each_bytes(dir.path(), None, corpus).unwrap();
        assert_eq!(bytes.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), ["call.answered", "call.completed"]);
        assert_eq!(bytes[1].median_ns, [100.0, 200.0, 300.0, 400.0, 500.0, 600.0]);
        assert_eq!(bytes[1].of(BytesPath::IsValidSlice), 300.0);
    }

    #[test]
    fn bytes_each_needs_every_path_of_every_example() {
        let dir = tempfile::tempdir().unwrap();
        write_all(dir.path(), 2, &["call.answered", "call.completed"]);
        let missing = dir.path().join(BYTES_EACH_GROUP).join("ours_is_valid_slice_tolerant/call.completed");
        std::fs::remove_dir_all(&missing).unwrap();
        let error = read_each_bytes(dir.path(), None, Corpus { examples: 2 }).unwrap_err();
        assert!(error.starts_with(&format!("cannot read {}", missing.display())), "{error}");
    }

    #[test]
    fn a_pass_over_another_number_of_examples_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        write_all(dir.path(), 2, &["call.answered", "call.completed"]);
        let corpus = Corpus { examples: 3 };
        let error = read_results(dir.path(), None, corpus).unwrap_err();
        assert!(error.ends_with("2 inputs per pass, expected 3"), "{error}");
        let error = read_each_example(dir.path(), None, corpus).unwrap_err();
        assert!(error.ends_with("2 examples, expected 3"), "{error}");
        let error = read_each_bytes(dir.path(), None, corpus).unwrap_err();
        assert!(error.ends_with("2 examples, expected 3"), "{error}");
    }

    #[test]
    fn results_older_than_the_run_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        write_all(dir.path(), 1, &["call.answered"]);
        let later = SystemTime::now() + Duration::from_secs(60);
        let error = read_results(dir.path(), Some(later), Corpus { examples: 1 }).unwrap_err();
        assert!(error.ends_with("is older than this run: did the benchmark run?"), "{error}");
    }

    #[test]
    fn missing_results_say_to_run_the_benchmarks() {
        let dir = tempfile::tempdir().unwrap();
        let error = read_results(dir.path(), None, Corpus { examples: 1 }).unwrap_err();
        assert!(error.starts_with("cannot read ") && error.ends_with("(run `cargo xtask bench` without --no-run)"));
    }
}
