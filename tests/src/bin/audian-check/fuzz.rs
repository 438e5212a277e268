//! `cargo xtask fuzz`: the differential tests of `tests/tests/differential.rs` on many more cases,
//! from any seed, on every core, in either reading or both.

use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use audian_events::Reading;
use audian_events_tests::{Disagreement, Engine, Judge, Reference, Stats, schema_dir_of};

use crate::chunks;

pub const USAGE: &str = "\
usage: cargo xtask fuzz [--cases N] [--seed S] [--threads T] [--reading strict|tolerant|both]
       cargo xtask fuzz --bytes N [--seed S] [--threads T] [--reading strict|tolerant|both]
       cargo xtask fuzz --strategies N [--seed S] [--threads T]

Mutates the documented examples of schema/examples/ at random and checks, on every payload, that
the generated validators of each reading (Reading::is_valid, ::validate, ::validate_value,
::validate_slice, ::parse) give the verdict of the reference validator (the jsonschema crate,
formats asserted) on that reading's event.json: schema/event.json for the strict reading,
schema-tolerant/event.json for the tolerant one. What the tolerant reading accepts must have
drift if and only if the strict reference refuses it. Stops at the first disagreement, shrinks it
and prints it; exits 1.

options:
  --cases N     how many cases (default 1000000); `_` may separate digits
  --seed S      the seed, decimal or 0x-hex (default: from the clock; it is printed)
  --threads T   worker threads (default: the available parallelism); the outcome does not
                depend on it: case i of seed S is the same payload on any machine
  --reading R   strict, tolerant or both (default both: each case is judged in both readings)
  --bytes N     instead, N cases of the raw-bytes mode (tests/tests/raw_bytes.rs): every payload
                is bytes, written in a random style and broken at the byte level (numbers such
                as 1e400 and 305.0, duplicate keys, invalid UTF-8, nesting around serde_json's
                limit, truncation, malformed JSON); Reading::is_valid_slice and ::parse (and in
                the strict reading audian_events::is_valid_slice and parse_validated) must give
                the reference's verdict on the bytes (serde_json, duplicate keys refused, then
                jsonschema). Prints the cases of each kind and each reading's split
  --strategies N
                instead, draw N events from audian_events::testing::any_event() and N payloads
                from invalid_payload() (feature `testing`): each event must be valid under the
                reference and our validators, each payload refused by both, at its pointer

`cargo xtask fuzz` runs this in an optimized build (the first run compiles it, a few minutes).";

struct Options {
    cases: u64,
    seed: Option<u64>,
    threads: Option<usize>,
    readings: Vec<Reading>,
    /// `--strategies N`: draws of the `testing` strategies instead of mutated payloads.
    strategies: Option<u64>,
    /// `--bytes N`: cases of the raw-bytes mode instead.
    bytes: Option<u64>,
}

fn parse_readings(text: Option<&str>) -> Result<Vec<Reading>, String> {
    match text.ok_or("--reading needs a value")? {
        "strict" => Ok(vec![Reading::Strict]),
        "tolerant" => Ok(vec![Reading::Tolerant]),
        "both" => Ok(vec![Reading::Strict, Reading::Tolerant]),
        other => Err(format!("--reading: {other:?} is not strict, tolerant or both")),
    }
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
    let mut options = Options {
        cases: 1_000_000,
        seed: None,
        threads: None,
        readings: vec![Reading::Strict, Reading::Tolerant],
        strategies: None,
        bytes: None,
    };
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
            "--reading" => options.readings = parse_readings(value())?,
            "--strategies" => options.strategies = Some(parse_number(flag, value())?),
            "--bytes" => options.bytes = Some(parse_number(flag, value())?),
            _ => return Err(format!("unknown argument {arg:?}")),
        }
    }
    if options.bytes.is_some() && options.strategies.is_some() {
        return Err("--bytes and --strategies are two modes: give one".to_owned());
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
    if let Some(count) = options.strategies {
        return crate::strategies::run(count, seed, threads);
    }
    if let Some(count) = options.bytes {
        return crate::raw_bytes::run(count, seed, origin, threads, &options.readings);
    }
    let reading_names: Vec<&str> = options.readings.iter().map(|&reading| reading_name(reading)).collect();
    eprintln!(
        "fuzz: seed {seed} ({origin}; replay with --seed {seed}), {} cases, {} reading{}, {threads} threads{optimized}",
        options.cases,
        reading_names.join(" and "),
        if reading_names.len() > 1 { "s" } else { "" },
    );

    let references = match (Reference::from_dir(&schema_dir_of(Reading::Strict)), tolerant_reference(&options)) {
        (Ok(strict), Ok(tolerant)) => (strict, tolerant),
        (Err(error), _) | (_, Err(error)) => {
            eprintln!("fuzz: {error}");
            return ExitCode::FAILURE;
        }
    };
    let judges: Vec<Judge<'_>> = options
        .readings
        .iter()
        .map(|&reading| Judge {
            reading,
            reference: match reading {
                Reading::Strict => &references.0,
                Reading::Tolerant => references.1.as_ref().expect("built for the tolerant reading"),
            },
            strict: &references.0,
        })
        .collect();
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
    match run_parallel(&engine, &judges, seed, options.cases, threads, started) {
        Ok(stats) => {
            let elapsed = started.elapsed();
            for (judge, stats) in judges.iter().zip(&stats) {
                println!("fuzz: seed {seed}, {} reading: {stats}", reading_name(judge.reading));
            }
            println!(
                "fuzz: seed {seed}: no disagreement, in {:.1}s ({:.0} cases/s)",
                elapsed.as_secs_f64(),
                options.cases as f64 / elapsed.as_secs_f64().max(1e-9)
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

/// The reference of the tolerant reading, if it is fuzzed.
fn tolerant_reference(options: &Options) -> Result<Option<Reference>, String> {
    if options.readings.contains(&Reading::Tolerant) {
        Reference::from_dir(&schema_dir_of(Reading::Tolerant)).map(Some)
    } else {
        Ok(None)
    }
}

fn reading_name(reading: Reading) -> &'static str {
    audian_events_tests::verdict::reading_name(reading)
}

/// Runs cases `0..cases` on `threads` workers (see `chunks`), judging each chunk in every
/// reading. Reports the disagreement of lowest index (of the first reading, on a tie), whatever
/// the number of threads; otherwise the counts of each reading, in the order of `judges`.
fn run_parallel(
    engine: &Engine,
    judges: &[Judge<'_>],
    seed: u64,
    cases: u64,
    threads: usize,
    started: Instant,
) -> Result<Vec<Stats>, Box<Disagreement>> {
    let valid = AtomicU64::new(0);
    let totals = Mutex::new(vec![Stats::default(); judges.len()]);
    let so_far = || format!("{} valid in the first reading", valid.load(Ordering::Relaxed));
    chunks::judge_in_chunks::<Box<Disagreement>>(
        cases,
        threads,
        started,
        chunks::Progress { unit: "cases", so_far: &so_far },
        |range| {
            let mut chunk = Vec::with_capacity(judges.len());
            let mut lowest: Option<Disagreement> = None;
            for judge in judges {
                match audian_events_tests::run_range(engine, judge, seed, range.clone(), |_| {}) {
                    Ok(stats) => chunk.push(stats),
                    // Readings are judged in order: on a tie, the first one's stays.
                    Err(disagreement) => {
                        if lowest.as_ref().is_none_or(|other| disagreement.index < other.index) {
                            lowest = Some(disagreement);
                        }
                    }
                }
            }
            if let Some(disagreement) = lowest {
                return Err(Box::new(disagreement));
            }
            valid.fetch_add(chunk[0].valid, Ordering::Relaxed);
            let mut totals = totals.lock().expect("stats lock");
            for (total, stats) in totals.iter_mut().zip(&chunk) {
                total.add(stats);
            }
            Ok(())
        },
        |disagreement| disagreement.index,
    )?;
    Ok(totals.into_inner().expect("stats lock"))
}
