//! `cargo xtask fuzz`: the differential test of `tests/tests/differential.rs` on many more cases,
//! from any seed, on every core.

use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use audian_events_tests::{Disagreement, Engine, Reference, Stats};

pub const USAGE: &str = "\
usage: cargo xtask fuzz [--cases N] [--seed S] [--threads T]

Mutates the documented examples of schema/examples/ at random and checks that the generated
validators (audian_events::is_valid, ::validate, ::validate_slice, ::parse_validated) give the
verdict of the reference validator (the jsonschema crate on schema/event.json, formats asserted)
on every payload. Stops at the first disagreement, shrinks it and prints it; exits 1.

options:
  --cases N     how many cases (default 1000000); `_` may separate digits
  --seed S      the seed, decimal or 0x-hex (default: from the clock; it is printed)
  --threads T   worker threads (default: the available parallelism); the outcome does not
                depend on it: case i of seed S is the same payload on any machine

`cargo xtask fuzz` runs this in an optimized build (the first run compiles it, a few minutes).";

/// Cases a worker takes at a time.
const CHUNK: u64 = 2048;
/// How often progress is printed.
const PROGRESS_EVERY: Duration = Duration::from_secs(3);

struct Options {
    cases: u64,
    seed: Option<u64>,
    threads: Option<usize>,
}

fn parse_number(flag: &str, text: Option<&str>) -> Result<u64, String> {
    let text = text.ok_or_else(|| format!("{flag} needs a value"))?;
    let digits = text.replace('_', "");
    let parsed = match digits.strip_prefix("0x").or_else(|| digits.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => digits.parse(),
    };
    parsed.map_err(|_| format!("{flag}: {text:?} is not a number from 0 to {}", u64::MAX))
}

fn parse(args: &[&str]) -> Result<Options, String> {
    let mut options = Options { cases: 1_000_000, seed: None, threads: None };
    let mut args = args.iter().copied();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) => (flag, Some(value)),
            None => (arg, None),
        };
        let mut value = || inline.or_else(|| args.next());
        match flag {
            "--cases" => options.cases = parse_number(flag, value())?,
            "--seed" => options.seed = Some(parse_number(flag, value())?),
            "--threads" => {
                let threads = parse_number(flag, value())?;
                if threads == 0 {
                    return Err("--threads must be at least 1".to_owned());
                }
                options.threads = Some(threads as usize);
            }
            _ => return Err(format!("unknown argument {arg:?}")),
        }
    }
    Ok(options)
}

fn seed_from_clock() -> u64 {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    audian_events_tests::rng::mix64(now.as_nanos() as u64 ^ u64::from(std::process::id()).rotate_left(32))
}

pub fn main(args: &[&str]) -> ExitCode {
    if args.iter().any(|arg| matches!(*arg, "--help" | "-h" | "help")) {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let options = match parse(args) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("fuzz: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let (seed, origin) = match options.seed {
        Some(seed) => (seed, "given"),
        None => (seed_from_clock(), "from the clock"),
    };
    let threads = options.threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let optimized = if cfg!(debug_assertions) {
        " (unoptimized build: `cargo xtask fuzz` runs an optimized one, much faster)"
    } else {
        ""
    };
    eprintln!(
        "fuzz: seed {seed} ({origin}; replay with --seed {seed}), {} cases, {threads} threads{optimized}",
        options.cases
    );

    let reference = match Reference::from_dir(&audian_events_tests::schema_dir()) {
        Ok(reference) => reference,
        Err(error) => {
            eprintln!("fuzz: {error}");
            return ExitCode::FAILURE;
        }
    };
    let examples =
        match audian_events_tests::reference::load_examples(&audian_events_tests::schema_dir().join("examples")) {
            Ok(examples) => examples,
            Err(error) => {
                eprintln!("fuzz: {error}");
                return ExitCode::FAILURE;
            }
        };
    let engine = Engine::new(examples);
    let started = Instant::now();
    match run_parallel(&engine, &reference, seed, options.cases, threads, started) {
        Ok(stats) => {
            let elapsed = started.elapsed();
            println!(
                "fuzz: seed {seed}: {stats}; no disagreement, in {:.1}s ({:.0} cases/s)",
                elapsed.as_secs_f64(),
                stats.cases as f64 / elapsed.as_secs_f64().max(1e-9)
            );
            ExitCode::SUCCESS
        }
        Err(disagreement) => {
            eprintln!("fuzz: {disagreement}");
            eprintln!("fuzz: disagreement after {:.1}s; replay with --seed {seed}", started.elapsed().as_secs_f64());
            ExitCode::FAILURE
        }
    }
}

/// Runs cases `0..cases` on `threads` workers, each taking chunks in order. Reports the
/// disagreement of lowest index, whatever the number of threads.
fn run_parallel(
    engine: &Engine,
    reference: &Reference,
    seed: u64,
    cases: u64,
    threads: usize,
    started: Instant,
) -> Result<Stats, Box<Disagreement>> {
    let next_chunk = AtomicU64::new(0);
    let done = AtomicU64::new(0);
    let valid = AtomicU64::new(0);
    let finished = AtomicBool::new(false);
    // The index of the first disagreement found so far: chunks that start after it are skipped.
    let first_disagreement = AtomicU64::new(u64::MAX);
    let found: Mutex<Option<Disagreement>> = Mutex::new(None);
    let total = Mutex::new(Stats::default());

    std::thread::scope(|scope| {
        let progress = scope.spawn(|| {
            let mut last = Instant::now();
            while !finished.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(50));
                if last.elapsed() < PROGRESS_EVERY || finished.load(Ordering::Relaxed) {
                    continue;
                }
                last = Instant::now();
                let done = done.load(Ordering::Relaxed);
                let rate = done as f64 / started.elapsed().as_secs_f64().max(1e-9);
                let left = cases.saturating_sub(done) as f64 / rate.max(1e-9);
                eprintln!(
                    "fuzz: {done}/{cases} cases ({:.1}%), {} valid, {rate:.0} cases/s, about {left:.0}s left",
                    done as f64 * 100.0 / cases.max(1) as f64,
                    valid.load(Ordering::Relaxed),
                );
                if first_disagreement.load(Ordering::Relaxed) != u64::MAX {
                    eprintln!("fuzz: a disagreement was found; shrinking it");
                }
            }
        });
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    loop {
                        let start = next_chunk.fetch_add(CHUNK, Ordering::Relaxed);
                        if start >= cases || start > first_disagreement.load(Ordering::Relaxed) {
                            break;
                        }
                        let end = (start + CHUNK).min(cases);
                        match audian_events_tests::run_range(engine, reference, seed, start..end, |_| {}) {
                            Ok(stats) => {
                                done.fetch_add(stats.cases, Ordering::Relaxed);
                                valid.fetch_add(stats.valid, Ordering::Relaxed);
                                total.lock().expect("stats lock").add(&stats);
                            }
                            Err(disagreement) => {
                                first_disagreement.fetch_min(disagreement.index, Ordering::Relaxed);
                                let mut found = found.lock().expect("disagreement lock");
                                if found.as_ref().is_none_or(|other| disagreement.index < other.index) {
                                    *found = Some(disagreement);
                                }
                                break;
                            }
                        }
                    }
                })
            })
            .collect();
        for worker in workers {
            worker.join().expect("a fuzz worker");
        }
        finished.store(true, Ordering::Relaxed);
        progress.join().expect("the progress thread");
    });
    match found.into_inner().expect("disagreement lock") {
        Some(disagreement) => Err(Box::new(disagreement)),
        None => Ok(total.into_inner().expect("stats lock")),
    }
}
