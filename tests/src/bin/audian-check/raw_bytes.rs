//! `cargo xtask fuzz --bytes N`: the raw-bytes mode of tests/tests/raw_bytes.rs on many more
//! cases: every case bytes, judged by the entry points on bytes of each reading against the
//! reference's verdict on the same bytes.

use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Instant;

use audian_events::Reading;
use audian_events_tests::raw::{self, RawDisagreement, RawEngine, RawJudge, RawStats};
use audian_events_tests::{Engine, Reference, schema_dir_of};

use crate::chunks;

/// Judges raw cases `0..count` of `seed` in `readings` on `threads` workers; prints what was
/// covered, or the disagreement of lowest index (whatever the number of threads) and how to
/// replay it, and exits 1.
pub fn run(count: u64, seed: u64, origin: &str, threads: usize, readings: &[Reading]) -> ExitCode {
    let names: Vec<&str> =
        readings.iter().map(|&reading| audian_events_tests::verdict::reading_name(reading)).collect();
    eprintln!(
        "fuzz: raw bytes, seed {seed} ({origin}; replay with --seed {seed}), {count} cases, {} reading{}, {threads} threads{}",
        names.join(" and "),
        if names.len() > 1 { "s" } else { "" },
        if cfg!(debug_assertions) { " (unoptimized build: `cargo xtask fuzz` runs an optimized one)" } else { "" },
    );
    let built = Reference::from_dir(&schema_dir_of(Reading::Strict)).and_then(|strict| {
        let tolerant = Reference::from_dir(&schema_dir_of(Reading::Tolerant))?;
        let examples =
            audian_events_tests::reference::load_examples(&audian_events_tests::schema_dir().join("examples"))?;
        Ok((strict, tolerant, examples))
    });
    let (strict, tolerant, examples) = match built {
        Ok(built) => built,
        Err(error) => {
            eprintln!("fuzz: {error}");
            return ExitCode::FAILURE;
        }
    };
    let judge = RawJudge { strict: &strict, tolerant: &tolerant };
    let engine = RawEngine::new(Engine::new(examples));
    let started = Instant::now();
    match run_parallel(&engine, &judge, readings, seed, count, threads, started) {
        Ok(stats) => {
            let elapsed = started.elapsed().as_secs_f64();
            println!("fuzz: seed {seed}, raw bytes: {stats}");
            println!(
                "fuzz: seed {seed}: no disagreement on raw bytes, in {elapsed:.1}s ({:.0} cases/s)",
                count as f64 / elapsed.max(1e-9)
            );
            ExitCode::SUCCESS
        }
        Err(disagreement) => {
            eprintln!("fuzz: {disagreement}");
            eprintln!(
                "fuzz: disagreement after {:.1}s; replay with --bytes {} --seed {seed}",
                started.elapsed().as_secs_f64(),
                disagreement.index + 1
            );
            ExitCode::FAILURE
        }
    }
}

/// The raw cases of `seed` in `readings`, in chunks on `threads` workers (see `chunks`).
fn run_parallel(
    engine: &RawEngine,
    judge: &RawJudge<'_>,
    readings: &[Reading],
    seed: u64,
    cases: u64,
    threads: usize,
    started: Instant,
) -> Result<RawStats, Box<RawDisagreement>> {
    let total = Mutex::new(RawStats::default());
    let so_far = || total.lock().expect("stats lock").summary();
    chunks::judge_in_chunks::<Box<RawDisagreement>>(
        cases,
        threads,
        started,
        chunks::Progress { unit: "raw cases", so_far: &so_far },
        |range| {
            let stats = raw::run_range(engine, judge, readings, seed, range, |_| {})?;
            total.lock().expect("stats lock").add(&stats);
            Ok(())
        },
        |disagreement| disagreement.index,
    )?;
    Ok(total.into_inner().expect("stats lock"))
}
