//! `cargo xtask bench`: runs the Criterion benchmarks of `bench/` (`cargo bench -p
//! audian-events-bench`), reads the medians of that run from Criterion's
//! `<target>/criterion/<group>/<function>/new/estimates.json`, prints one table of medians and
//! ratios with the targets of issue 5, the versions and the machine, and writes the same run as a
//! bar chart to `docs/bench.svg`.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant, SystemTime};

use xtask::Layout;

pub const USAGE: &str = "\
usage: cargo xtask bench [--no-run]

Runs `cargo bench -p audian-events-bench` (about 5 minutes of measurement after the build;
Criterion's own output goes to <target>/criterion/cargo-bench.log), then prints one table of
median times and ratios (ours against the jsonschema runtime validator and its compile-time macro
validator), the targets and whether this run meets them, the versions and the machine, and writes
the same run as a bar chart to docs/bench.svg. Where valgrind is installed, it also counts the
instructions per example of each validator's `is_valid` and of parsing with and without
validation (bench/src/bin/workload.rs under callgrind, under a minute), which do not depend on
the machine's load as the timings of a shared machine do.

options:
  --no-run   do not run the benchmarks: report the last run's results (all of one run)";

/// One benchmark of `bench/benches/validation.rs`.
struct Spec {
    group: &'static str,
    function: &'static str,
    label: &'static str,
    kind: Kind,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Ours,
    Reference,
    Floor,
}

const SPECS: &[Spec] = &[
    Spec { group: "is_valid", function: "ours", label: "ours `is_valid`", kind: Kind::Ours },
    Spec {
        group: "is_valid",
        function: "jsonschema_runtime",
        label: "jsonschema runtime `is_valid`",
        kind: Kind::Reference,
    },
    Spec {
        group: "is_valid",
        function: "jsonschema_macro",
        label: "jsonschema macro `is_valid`",
        kind: Kind::Reference,
    },
    Spec { group: "is_valid_invalid", function: "ours", label: "ours `is_valid`", kind: Kind::Ours },
    Spec {
        group: "is_valid_invalid",
        function: "jsonschema_runtime",
        label: "jsonschema runtime `is_valid`",
        kind: Kind::Reference,
    },
    Spec {
        group: "is_valid_invalid",
        function: "jsonschema_macro",
        label: "jsonschema macro `is_valid`",
        kind: Kind::Reference,
    },
    Spec { group: "all_errors", function: "ours", label: "ours `validate(..).unwrap_err().len()`", kind: Kind::Ours },
    Spec {
        group: "all_errors",
        function: "jsonschema_runtime",
        label: "jsonschema runtime `iter_errors(..).count()`",
        kind: Kind::Reference,
    },
    Spec {
        group: "all_errors",
        function: "jsonschema_macro",
        label: "jsonschema macro `iter_errors(..).count()`",
        kind: Kind::Reference,
    },
    Spec {
        group: "bytes_to_event",
        function: "ours_parse_validated",
        label: "ours `parse_validated`",
        kind: Kind::Ours,
    },
    Spec {
        group: "bytes_to_event",
        function: "value_plus_jsonschema_runtime",
        label: "`from_slice::<Value>` + jsonschema runtime `is_valid`",
        kind: Kind::Reference,
    },
    Spec {
        group: "bytes_to_event",
        function: "floor_typed_unvalidated",
        label: "floor: ours `Event::from_slice` (no validation)",
        kind: Kind::Floor,
    },
    Spec {
        group: "bytes_to_event",
        function: "floor_ignored_any",
        label: "floor: `from_slice::<IgnoredAny>` (syntax only)",
        kind: Kind::Floor,
    },
    Spec { group: "ndjson", function: "ours_parse_validated", label: "ours `parse_validated`", kind: Kind::Ours },
    Spec {
        group: "ndjson",
        function: "value_plus_jsonschema_runtime",
        label: "`from_slice::<Value>` + jsonschema runtime `is_valid`",
        kind: Kind::Reference,
    },
    Spec {
        group: "ndjson",
        function: "floor_typed_unvalidated",
        label: "floor: ours `Event::from_slice` (no validation)",
        kind: Kind::Floor,
    },
];

/// What each group runs on.
struct Group {
    name: &'static str,
    title: &'static str,
    inputs: &'static str,
    /// Inputs per pass, where a time per input means something.
    count: Option<u64>,
}

const GROUPS: &[Group] = &[
    Group {
        name: "is_valid",
        title: "Validate a parsed `Value`, boolean",
        inputs: "18 valid examples",
        count: Some(18),
    },
    Group {
        name: "is_valid_invalid",
        title: "Validate a parsed `Value`, boolean",
        inputs: "36 invalid variants",
        count: Some(36),
    },
    Group { name: "all_errors", title: "Collect every error", inputs: "36 invalid variants", count: Some(36) },
    Group {
        name: "bytes_to_event",
        title: "Bytes to validated typed event",
        inputs: "18 valid examples",
        count: Some(18),
    },
    Group { name: "ndjson", title: "Bytes to validated typed event, NDJSON", inputs: "NDJSON batch", count: None },
];

/// One benchmark's result.
struct Measured {
    spec: &'static Spec,
    /// Median time of one pass over the group's corpus, in nanoseconds.
    median_ns: f64,
    /// Inputs (elements) or bytes per pass, from Criterion's `benchmark.json`.
    throughput: Throughput,
    modified: SystemTime,
}

#[derive(Clone, Copy)]
enum Throughput {
    Elements(u64),
    Bytes(u64),
}

pub fn main(args: &[&str]) -> ExitCode {
    let run = match args {
        [] => true,
        ["--no-run"] => false,
        ["--help" | "-h"] => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let layout = Layout::repository();
    let target = target_dir(&layout.workspace);
    let criterion_dir = target.join("criterion");
    let started = Instant::now();
    let started_at = SystemTime::now();
    let mut timings = None;
    if run {
        match run_benchmarks(&layout.workspace, &criterion_dir) {
            Ok(took) => timings = Some(took),
            Err(error) => {
                eprintln!("cargo xtask bench: {error}");
                return ExitCode::FAILURE;
            }
        }
    }
    let measured = match read_results(&criterion_dir, run.then_some(started_at)) {
        Ok(measured) => measured,
        Err(error) => {
            eprintln!("cargo xtask bench: {error}");
            return ExitCode::FAILURE;
        }
    };
    let each = match read_each_example(&criterion_dir, run.then_some(started_at)) {
        Ok(each) => each,
        Err(error) => {
            eprintln!("cargo xtask bench: {error}");
            return ExitCode::FAILURE;
        }
    };
    let instructions_path = criterion_dir.join("instructions.json");
    let instructions = if run {
        match count_instructions(&layout.workspace, &target) {
            Ok(Some(counts)) => {
                let _ = std::fs::write(&instructions_path, counts.to_json());
                Some(counts)
            }
            Ok(None) => {
                let _ = std::fs::remove_file(&instructions_path);
                None
            }
            Err(error) => {
                eprintln!("cargo xtask bench: {error}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        std::fs::read_to_string(&instructions_path).ok().and_then(|text| InstructionCounts::from_json(&text))
    };
    let environment = Environment::probe(&layout.workspace, &measured);
    let report = Report { measured, each, instructions, environment };
    println!();
    println!("{}", report.text());
    let svg_path = layout.workspace.join("docs/bench.svg");
    if let Err(error) = std::fs::write(&svg_path, report.svg()) {
        eprintln!("cargo xtask bench: cannot write {}: {error}", svg_path.display());
        return ExitCode::FAILURE;
    }
    println!("chart of this run written to docs/bench.svg");
    if let Some((built, measured)) = timings {
        println!(
            "`cargo xtask bench` took {} ({} building, {} measuring)",
            format_duration(started.elapsed()),
            format_duration(built),
            format_duration(measured)
        );
    }
    ExitCode::SUCCESS
}

fn target_dir(workspace: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if Path::new(&dir).is_absolute() => PathBuf::from(dir),
        Some(dir) => workspace.join(dir),
        None => workspace.join("target"),
    }
}

/// Runs `cargo bench`: Cargo's build output goes to the terminal, Criterion's report (stdout)
/// and progress (stderr) to a log file, with one line per benchmark measured. Returns how long
/// the build and the measurements took.
fn run_benchmarks(workspace: &Path, criterion_dir: &Path) -> Result<(Duration, Duration), String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    std::fs::create_dir_all(criterion_dir)
        .map_err(|error| format!("cannot create {}: {error}", criterion_dir.display()))?;
    let log_path = criterion_dir.join("cargo-bench.log");
    let log =
        std::fs::File::create(&log_path).map_err(|error| format!("cannot create {}: {error}", log_path.display()))?;
    let log = std::sync::Arc::new(std::sync::Mutex::new(log));
    println!(
        "running `cargo bench -p audian-events-bench --bench validation` (Criterion's output: {})",
        log_path.display()
    );
    let started = Instant::now();
    let mut child = Command::new(cargo)
        .current_dir(workspace)
        .args(["bench", "-p", "audian-events-bench", "--bench", "validation"])
        .env("CRITERION_HOME", criterion_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| format!("cannot run cargo: {error}"))?;
    let stderr = child.stderr.take().expect("stderr is piped");
    let stderr_log = log.clone();
    // Cargo's lines until it runs the benchmark, then Criterion's progress: only to the log.
    let stderr_thread = std::thread::spawn(move || {
        let mut built = None;
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if built.is_none() && line.trim_start().starts_with("Running ") {
                built = Some(started.elapsed());
            }
            if built.is_none() || !line.starts_with("Benchmarking ") {
                eprintln!("{line}");
            }
            let _ = writeln!(stderr_log.lock().expect("the log lock"), "{line}");
        }
        built
    });
    let stdout = child.stdout.take().expect("stdout is piped");
    for line in BufReader::new(stdout).lines() {
        let line = line.map_err(|error| format!("cannot read cargo's output: {error}"))?;
        let _ = writeln!(log.lock().expect("the log lock"), "{line}");
        if let Some(spec) = SPECS.iter().find(|spec| {
            line.strip_prefix(spec.group)
                .and_then(|rest| rest.strip_prefix('/'))
                .and_then(|rest| rest.strip_prefix(spec.function))
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
        }) {
            println!("  measured {}/{}", spec.group, spec.function);
        }
    }
    let status = child.wait().map_err(|error| format!("cannot wait for cargo: {error}"))?;
    let built = stderr_thread.join().ok().flatten().unwrap_or_default();
    if !status.success() {
        return Err(format!("`cargo bench` failed ({status}); see {}", log_path.display()));
    }
    Ok((built, started.elapsed().saturating_sub(built)))
}

/// Passes over the 18 examples that the instruction-counting workload makes.
const WORKLOAD_PASSES: u64 = 2000;
const WORKLOAD_EVENTS: u64 = 18;

/// The modes of `bench/src/bin/workload.rs` whose instructions are counted.
const WORKLOAD_MODES: [&str; 5] =
    ["parse_validated", "from_slice", "is_valid", "jsonschema_runtime", "jsonschema_macro"];

/// Instructions per example of each workload mode over the 18 examples, counted by callgrind:
/// unlike the timings of a shared machine, they do not depend on load, and resolve a difference
/// of a few percent.
struct InstructionCounts {
    /// In the order of [`WORKLOAD_MODES`].
    per_example: [f64; 5],
}

impl InstructionCounts {
    fn get(&self, mode: &str) -> f64 {
        let index = WORKLOAD_MODES.iter().position(|known| *known == mode).expect("a workload mode");
        self.per_example[index]
    }

    /// What validation adds to the unvalidated parse, in percent.
    fn overhead(&self) -> f64 {
        (self.get("parse_validated") / self.get("from_slice") - 1.0) * 100.0
    }

    fn to_json(&self) -> String {
        let map: serde_json::Map<String, serde_json::Value> = WORKLOAD_MODES
            .iter()
            .zip(self.per_example)
            .map(|(mode, count)| ((*mode).to_owned(), count.into()))
            .collect();
        serde_json::Value::Object(map).to_string()
    }

    fn from_json(text: &str) -> Option<InstructionCounts> {
        let value: serde_json::Value = serde_json::from_str(text).ok()?;
        let mut per_example = [0.0; 5];
        for (slot, mode) in per_example.iter_mut().zip(WORKLOAD_MODES) {
            *slot = value[mode].as_f64()?;
        }
        Some(InstructionCounts { per_example })
    }
}

/// Runs `bench/src/bin/workload.rs` under `valgrind --tool=callgrind` once per mode, and
/// subtracts the count of building the corpus alone. `None` when valgrind is not installed.
fn count_instructions(workspace: &Path, target: &Path) -> Result<Option<InstructionCounts>, String> {
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
        stderr
            .lines()
            .find_map(|line| line.split_once("Collected :").map(|(_, count)| count.trim().replace(',', "")))
            .and_then(|count| count.parse().ok())
            .ok_or_else(|| format!("no instruction count in valgrind's output ({mode}):\n{stderr}"))
    };
    let baseline = count("none")?;
    let mut per_example = [0.0; 5];
    for (slot, mode) in per_example.iter_mut().zip(WORKLOAD_MODES) {
        *slot = count(mode)?.saturating_sub(baseline) as f64 / (WORKLOAD_PASSES * WORKLOAD_EVENTS) as f64;
    }
    Ok(Some(InstructionCounts { per_example }))
}

/// Reads every benchmark's median. With `since`, each result must have been written after it
/// (so that all come from the run just made); without, all must come from one run (written
/// within a few minutes of each other).
fn read_results(criterion_dir: &Path, since: Option<SystemTime>) -> Result<Vec<Measured>, String> {
    let mut measured = Vec::new();
    for spec in SPECS {
        let dir = criterion_dir.join(spec.group).join(spec.function).join("new");
        let (median_ns, modified) = read_median(&dir.join("estimates.json"), since)?;
        let benchmark = read_json(&dir.join("benchmark.json"))?;
        let throughput = match &benchmark["throughput"] {
            serde_json::Value::Object(map) if map.contains_key("Bytes") => {
                Throughput::Bytes(map["Bytes"].as_u64().ok_or_else(|| format!("{}: bad throughput", dir.display()))?)
            }
            serde_json::Value::Object(map) if map.contains_key("Elements") => Throughput::Elements(
                map["Elements"].as_u64().ok_or_else(|| format!("{}: bad throughput", dir.display()))?,
            ),
            _ => return Err(format!("{}: no throughput in benchmark.json", dir.display())),
        };
        let count = GROUPS.iter().find(|group| group.name == spec.group).and_then(|group| group.count);
        if let (Throughput::Elements(elements), Some(count)) = (throughput, count)
            && elements != count
        {
            return Err(format!("{}: {elements} inputs per pass, expected {count}", dir.display()));
        }
        measured.push(Measured { spec, median_ns, throughput, modified });
    }
    if since.is_none() {
        let oldest = measured.iter().map(|m| m.modified).min().expect("there are results");
        let newest = measured.iter().map(|m| m.modified).max().expect("there are results");
        if newest.duration_since(oldest).unwrap_or_default() > Duration::from_secs(20 * 60) {
            return Err("the results in target/criterion are not all from one run: run `cargo xtask bench`".into());
        }
    }
    Ok(measured)
}

/// The group that times `is_valid` on one example at a time, and its three functions.
const EACH_GROUP: &str = "is_valid_each";
const EACH_FUNCTIONS: [&str; 3] = ["ours", "jsonschema_runtime", "jsonschema_macro"];
/// One per documented example.
const EACH_EXAMPLES: usize = 18;

/// `is_valid` on one example alone: the median time of each validator, in nanoseconds.
struct EachExample {
    name: String,
    /// In the order of [`EACH_FUNCTIONS`].
    median_ns: [f64; 3],
}

impl EachExample {
    /// How many times faster ours is than `function`, one of [`EACH_FUNCTIONS`].
    fn speedup(&self, function: &str) -> f64 {
        let index = EACH_FUNCTIONS.iter().position(|known| *known == function).expect("one of EACH_FUNCTIONS");
        self.median_ns[index] / self.median_ns[0]
    }
}

/// Reads `is_valid_each/<function>/<example>`, for every example that ours was timed on.
fn read_each_example(criterion_dir: &Path, since: Option<SystemTime>) -> Result<Vec<EachExample>, String> {
    let ours_dir = criterion_dir.join(EACH_GROUP).join(EACH_FUNCTIONS[0]);
    let entries = std::fs::read_dir(&ours_dir).map_err(|error| {
        format!("cannot read {}: {error} (run `cargo xtask bench` without --no-run)", ours_dir.display())
    })?;
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|entry| entry.path().join("new/estimates.json").is_file())
        .filter_map(|entry| entry.file_name().into_string().ok())
        .collect();
    names.sort();
    if names.len() != EACH_EXAMPLES {
        return Err(format!("{}: {} examples, expected {EACH_EXAMPLES}", ours_dir.display(), names.len()));
    }
    let mut each = Vec::new();
    for name in names {
        let mut median_ns = [0.0; 3];
        for (slot, function) in median_ns.iter_mut().zip(EACH_FUNCTIONS) {
            let estimates_path = criterion_dir.join(EACH_GROUP).join(function).join(&name).join("new/estimates.json");
            (*slot, _) = read_median(&estimates_path, since)?;
        }
        each.push(EachExample { name, median_ns });
    }
    Ok(each)
}

/// The median of some numbers (the mean of the middle two of an even count).
fn median(mut values: Vec<f64>) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    match values.len() {
        0 => None,
        n if n % 2 == 1 => Some(values[middle]),
        _ => Some((values[middle - 1] + values[middle]) / 2.0),
    }
}

/// The median of one benchmark's `estimates.json`, and when it was written. With `since`, it must
/// have been written after it (by the run just made).
fn read_median(estimates_path: &Path, since: Option<SystemTime>) -> Result<(f64, SystemTime), String> {
    let estimates = read_json(estimates_path)?;
    let median_ns = estimates["median"]["point_estimate"]
        .as_f64()
        .ok_or_else(|| format!("{}: no median point estimate", estimates_path.display()))?;
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

/// The versions and the machine.
struct Environment {
    rustc: String,
    jsonschema_runtime: String,
    jsonschema_macro: String,
    serde_json: String,
    criterion: String,
    cpu: String,
    cores: usize,
    memory: String,
    ndjson_bytes: Option<u64>,
}

impl Environment {
    fn probe(workspace: &Path, measured: &[Measured]) -> Environment {
        let rustc_path = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
        let rustc = Command::new(rustc_path)
            .arg("-V")
            .output()
            .ok()
            .and_then(|output| String::from_utf8(output.stdout).ok())
            .map(|text| text.trim().to_owned())
            .unwrap_or_else(|| "rustc (unknown version)".into());
        let lock = std::fs::read_to_string(workspace.join("Cargo.lock")).unwrap_or_default();
        let packages = lock_packages(&lock);
        let version_of = |name: &str, with_dependency: Option<&str>, without_dependency: Option<&str>| {
            packages
                .iter()
                .filter(|package| package.name == name)
                .filter(|package| with_dependency.is_none_or(|d| package.dependencies.iter().any(|x| x == d)))
                .filter(|package| without_dependency.is_none_or(|d| !package.dependencies.iter().any(|x| x == d)))
                .map(|package| package.version.clone())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find_map(|line| {
                line.strip_prefix("model name").and_then(|rest| rest.split_once(':')).map(|(_, v)| v.trim())
            })
            .unwrap_or("unknown CPU")
            .to_owned();
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let memory = meminfo
            .lines()
            .find_map(|line| line.strip_prefix("MemTotal:"))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map(|kib| format!("{:.0} GiB", kib as f64 / (1024.0 * 1024.0)))
            .unwrap_or_else(|| "unknown".into());
        let ndjson_bytes = measured.iter().find(|m| m.spec.group == "ndjson").and_then(|m| match m.throughput {
            Throughput::Bytes(bytes) => Some(bytes),
            Throughput::Elements(_) => None,
        });
        Environment {
            rustc,
            jsonschema_runtime: version_of("jsonschema", None, Some("jsonschema-macros")),
            jsonschema_macro: version_of("jsonschema", Some("jsonschema-macros"), None),
            serde_json: version_of("serde_json", None, None),
            criterion: version_of("criterion", None, None),
            cpu,
            cores: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
            memory,
            ndjson_bytes,
        }
    }
}

struct LockPackage {
    name: String,
    version: String,
    dependencies: Vec<String>,
}

/// The `[[package]]` entries of `Cargo.lock`: names, versions and dependency names.
fn lock_packages(lock: &str) -> Vec<LockPackage> {
    let mut packages = Vec::new();
    for block in lock.split("[[package]]").skip(1) {
        let field = |key: &str| {
            block
                .lines()
                .find_map(|line| line.strip_prefix(key).and_then(|rest| rest.trim().strip_prefix('=')))
                .map(|value| value.trim().trim_matches('"').to_owned())
                .unwrap_or_default()
        };
        let mut dependencies = Vec::new();
        if let Some((_, rest)) = block.split_once("dependencies = [") {
            let list = rest.split(']').next().unwrap_or_default();
            for item in list.split(',') {
                let item = item.trim().trim_matches('"');
                if let Some(name) = item.split_whitespace().next() {
                    dependencies.push(name.to_owned());
                }
            }
        }
        packages.push(LockPackage { name: field("name "), version: field("version "), dependencies });
    }
    packages
}

struct Report {
    measured: Vec<Measured>,
    each: Vec<EachExample>,
    instructions: Option<InstructionCounts>,
    environment: Environment,
}

/// One target of issue 5.
struct Target {
    what: &'static str,
    value: String,
    met: Option<bool>,
}

impl Report {
    fn get(&self, group: &str, function: &str) -> Option<&Measured> {
        self.measured.iter().find(|m| m.spec.group == group && m.spec.function == function)
    }

    fn ours(&self, group: &str) -> Option<&Measured> {
        self.measured.iter().find(|m| m.spec.group == group && m.spec.kind == Kind::Ours)
    }

    /// Reference median over ours: how many times faster ours is.
    fn speedup(&self, group: &str, function: &str) -> Option<f64> {
        Some(self.get(group, function)?.median_ns / self.ours(group)?.median_ns)
    }

    /// How much longer ours takes than the unvalidated typed parse, in percent.
    fn overhead(&self, group: &str) -> Option<f64> {
        Some((self.ours(group)?.median_ns / self.get(group, "floor_typed_unvalidated")?.median_ns - 1.0) * 100.0)
    }

    /// The median over the examples of how many times faster ours is than `function`, one of
    /// [`EACH_FUNCTIONS`], each example timed alone.
    fn each_speedup(&self, function: &str) -> Option<f64> {
        median(self.each.iter().map(|example| example.speedup(function)).collect())
    }

    fn targets(&self) -> Vec<Target> {
        let at_least = |what, value: Option<f64>, goal: f64| Target {
            what,
            value: value.map_or_else(|| "not measured".into(), |v| format!("{v:.2}x")),
            met: value.map(|v| v >= goal),
        };
        // Met only if met both over a pass of the whole corpus and, as the median of the 18
        // examples' ratios, on each example alone.
        let is_valid_target = |what, function: &str, goal: f64| {
            let pass = self.speedup("is_valid", function);
            let each = self.each_speedup(function);
            let shown = |value: Option<f64>| value.map_or_else(|| "not measured".into(), |v| format!("{v:.2}x"));
            Target {
                what,
                value: format!(
                    "{} over a pass of the corpus, {} on each example alone (median)",
                    shown(pass),
                    shown(each)
                ),
                met: pass.zip(each).map(|(pass, each)| pass >= goal && each >= goal),
            }
        };
        let overhead = self.overhead("bytes_to_event");
        vec![
            is_valid_target(
                "`is_valid` at least 3x faster than the jsonschema macro validator",
                "jsonschema_macro",
                3.0,
            ),
            is_valid_target(
                "`is_valid` at least 6x faster than the jsonschema runtime validator",
                "jsonschema_runtime",
                6.0,
            ),
            at_least(
                "bytes to validated typed event at least 3x faster than `Value` + jsonschema runtime",
                self.speedup("bytes_to_event", "value_plus_jsonschema_runtime"),
                3.0,
            ),
            Target {
                what: "validation adds at most 15% to our unvalidated typed parse",
                value: overhead.map_or_else(|| "not measured".into(), |v| format!("{v:+.1}%")),
                met: overhead.map(|v| v <= 15.0),
            },
        ]
    }

    /// The ratio column of a row.
    fn ratio(&self, measured: &Measured) -> String {
        let group = measured.spec.group;
        match measured.spec.kind {
            Kind::Ours => String::new(),
            Kind::Reference => match self.speedup(group, measured.spec.function) {
                Some(speedup) if speedup >= 1.0 => format!("ours {} faster", format_ratio(speedup)),
                Some(speedup) => format!("ours {} slower", format_ratio(1.0 / speedup)),
                None => String::new(),
            },
            Kind::Floor if measured.spec.function == "floor_typed_unvalidated" => {
                self.overhead(group).map(|v| format!("validation adds {v:+.1}%")).unwrap_or_default()
            }
            Kind::Floor => self
                .ours(group)
                .map(|ours| format!("ours takes {} this", format_ratio(ours.median_ns / measured.median_ns)))
                .unwrap_or_default(),
        }
    }

    fn text(&self) -> String {
        let mut out = String::new();
        let env = &self.environment;
        let _ = writeln!(out, "| what | inputs | implementation | median per pass | per input | throughput | ratio |");
        let _ = writeln!(out, "|---|---|---|--:|--:|--:|---|");
        for group in GROUPS {
            for (index, measured) in self.measured.iter().filter(|m| m.spec.group == group.name).enumerate() {
                let inputs = match (group.name, env.ndjson_bytes) {
                    ("ndjson", Some(bytes)) => format!("{:.2} MB NDJSON", bytes as f64 / 1e6),
                    _ => group.inputs.to_owned(),
                };
                let (title, inputs) = if index == 0 { (group.title, inputs.as_str()) } else { ("", "") };
                let _ = writeln!(
                    out,
                    "| {title} | {inputs} | {} | {} | {} | {} | {} |",
                    measured.spec.label,
                    format_ns(measured.median_ns),
                    per_input(measured).map(format_ns).unwrap_or_else(|| "-".into()),
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
        for example in &self.each {
            let [ours, runtime, macro_validator] = example.median_ns;
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                example.name,
                format_ns(ours),
                format_ns(runtime),
                format_ns(macro_validator),
                format_ratio(example.speedup("jsonschema_runtime")),
                format_ratio(example.speedup("jsonschema_macro"))
            );
        }
        if let (Some(runtime), Some(macro_validator)) =
            (self.each_speedup("jsonschema_runtime"), self.each_speedup("jsonschema_macro"))
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
        for target in self.targets() {
            let verdict = match target.met {
                Some(true) => "met    ",
                Some(false) => "NOT MET",
                None => "unknown",
            };
            let _ = writeln!(out, "  [{verdict}] {}: {}", target.what, target.value);
        }
        if let Some(overhead) = self.overhead("ndjson") {
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
                counts.get("parse_validated"),
                counts.get("from_slice"),
            );
            let ours = counts.get("is_valid");
            let _ = writeln!(out);
            let _ = writeln!(
                out,
                "Instructions per example of `is_valid` (callgrind, {WORKLOAD_PASSES} passes over the 18 examples): \
                 ours {ours:.0}; jsonschema runtime {:.0} ({} ours); jsonschema macro {:.0} ({} ours)",
                counts.get("jsonschema_runtime"),
                format_ratio(counts.get("jsonschema_runtime") / ours),
                counts.get("jsonschema_macro"),
                format_ratio(counts.get("jsonschema_macro") / ours),
            );
        }
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "Versions: {}; jsonschema {} (runtime validator), jsonschema {} (compile-time macro validator); \
             serde_json {}; criterion {}",
            env.rustc, env.jsonschema_runtime, env.jsonschema_macro, env.serde_json, env.criterion
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

    fn svg(&self) -> String {
        const WIDTH: f64 = 1120.0;
        const LABEL_WIDTH: f64 = 370.0;
        const BAR_WIDTH: f64 = 360.0;
        const ROW: f64 = 22.0;
        const HEADER: f64 = 30.0;
        let rows = self.measured.len() as f64;
        let height = 70.0 + GROUPS.len() as f64 * (HEADER + 8.0) + rows * ROW + 50.0;
        let mut svg = String::new();
        let _ = writeln!(
            svg,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="Helvetica, Arial, sans-serif" font-size="13">"#
        );
        let _ = writeln!(svg, r##"<rect width="100%" height="100%" fill="#ffffff"/>"##);
        let _ = writeln!(
            svg,
            r##"<text x="12" y="26" font-size="17" font-weight="bold" fill="#222">audian-events vs the jsonschema crate: median time per input (shorter is faster)</text>"##
        );
        let _ = writeln!(
            svg,
            r##"<text x="12" y="46" fill="#555">One run of `cargo xtask bench`; bars are scaled within each group. Blue: ours; orange: jsonschema; grey: floors.</text>"##
        );
        let mut y = 70.0;
        for group in GROUPS {
            let members: Vec<&Measured> = self.measured.iter().filter(|m| m.spec.group == group.name).collect();
            let inputs = match (group.name, self.environment.ndjson_bytes) {
                ("ndjson", Some(bytes)) => format!("{:.2} MB NDJSON, line by line", bytes as f64 / 1e6),
                _ => group.inputs.to_owned(),
            };
            let _ = writeln!(
                svg,
                r##"<text x="12" y="{:.1}" font-weight="bold" fill="#222">{} ({})</text>"##,
                y + 18.0,
                escape(&group.title.replace('`', "")),
                escape(&inputs)
            );
            y += HEADER;
            let longest = members.iter().map(|m| per_input(m).unwrap_or(m.median_ns)).fold(0.0_f64, f64::max);
            for measured in members {
                let per = per_input(measured).unwrap_or(measured.median_ns);
                let length = if longest > 0.0 { (per / longest * BAR_WIDTH).max(2.0) } else { 2.0 };
                let color = match measured.spec.kind {
                    Kind::Ours => "#2b6cb0",
                    Kind::Reference => "#dd6b20",
                    Kind::Floor => "#a0aec0",
                };
                let mut value = match per_input(measured) {
                    Some(per) => format!("{}/input", format_ns(per)),
                    None => format!("{} per batch", format_ns(per)),
                };
                let ratio = self.ratio(measured);
                if !ratio.is_empty() {
                    let _ = write!(value, " · {ratio}");
                }
                let throughput = throughput(measured);
                if throughput.ends_with("MB/s") {
                    let _ = write!(value, " · {throughput}");
                }
                let _ = writeln!(
                    svg,
                    r##"<text x="{:.1}" y="{:.1}" text-anchor="end" fill="#222">{}</text>"##,
                    LABEL_WIDTH - 8.0,
                    y + 15.0,
                    escape(&measured.spec.label.replace('`', ""))
                );
                let _ = writeln!(
                    svg,
                    r##"<rect x="{LABEL_WIDTH}" y="{:.1}" width="{length:.1}" height="{:.1}" fill="{color}"/>"##,
                    y + 3.0,
                    ROW - 6.0
                );
                let _ = writeln!(
                    svg,
                    r##"<text x="{:.1}" y="{:.1}" fill="#222">{}</text>"##,
                    LABEL_WIDTH + length + 6.0,
                    y + 15.0,
                    escape(&value)
                );
                y += ROW;
            }
            y += 8.0;
        }
        let env = &self.environment;
        let _ = writeln!(
            svg,
            r##"<text x="12" y="{:.1}" fill="#555" font-size="12">{}</text>"##,
            y + 16.0,
            escape(&format!(
                "{}; jsonschema {} (runtime), {} (macro); serde_json {}",
                env.rustc, env.jsonschema_runtime, env.jsonschema_macro, env.serde_json
            ))
        );
        let _ = writeln!(
            svg,
            r##"<text x="12" y="{:.1}" fill="#555" font-size="12">{}</text>"##,
            y + 34.0,
            escape(&format!("{}, {} cores, {} of memory", env.cpu, env.cores, env.memory))
        );
        svg.push_str("</svg>\n");
        svg
    }
}

/// Median time per input of the group's corpus; none for the NDJSON batch, measured in MB/s.
fn per_input(measured: &Measured) -> Option<f64> {
    let group = GROUPS.iter().find(|group| group.name == measured.spec.group)?;
    Some(measured.median_ns / group.count? as f64)
}

/// MB/s (1 MB = 10^6 bytes) where the group measures bytes; `-` where it counts inputs.
fn throughput(measured: &Measured) -> String {
    match measured.throughput {
        Throughput::Bytes(bytes) => format!("{:.0} MB/s", bytes as f64 / measured.median_ns * 1e3),
        Throughput::Elements(_) => "-".into(),
    }
}

fn format_ns(ns: f64) -> String {
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

fn format_ratio(ratio: f64) -> String {
    if ratio >= 10.0 { format!("{ratio:.0}x") } else { format!("{ratio:.2}x") }
}

fn format_duration(duration: Duration) -> String {
    let seconds = duration.as_secs();
    format!("{}m {:02}s", seconds / 60, seconds % 60)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
