//! `cargo xtask fuzz --bytes N`: the raw-bytes mode of tests/tests/raw_bytes.rs on many more
//! cases: every case bytes, judged by the entry points on bytes of each reading against the
//! reference's verdict on the same bytes.

use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use audian_events::Reading;
use audian_events_tests::raw::{self, RawDisagreement, RawEngine, RawJudge, RawStats};
use audian_events_tests::{Engine, Reference, schema_dir_of};

/// Cases a worker takes at a time.
const CHUNK: u64 = 2048;
/// How often progress is printed.
const PROGRESS_EVERY: Duration = Duration::from_secs(3);

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

/// Workers take chunks of cases in order; a chunk that starts after the lowest disagreement
/// found so far is skipped.
fn run_parallel(
    engine: &RawEngine,
    judge: &RawJudge<'_>,
    readings: &[Reading],
    seed: u64,
    cases: u64,
    threads: usize,
    started: Instant,
) -> Result<RawStats, Box<RawDisagreement>> {
    let next_chunk = AtomicU64::new(0);
    let done = AtomicU64::new(0);
    let finished = AtomicBool::new(false);
    let first_disagreement = AtomicU64::new(u64::MAX);
    let found: Mutex<Option<Box<RawDisagreement>>> = Mutex::new(None);
    let total = Mutex::new(RawStats::default());

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
                let summary = total.lock().expect("stats lock").summary();
                eprintln!(
                    "fuzz: {done}/{cases} raw cases ({:.1}%), {rate:.0} cases/s, about {left:.0}s left ({summary})",
                    done as f64 * 100.0 / cases.max(1) as f64,
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
                        match raw::run_range(engine, judge, readings, seed, start..end, |_| {}) {
                            Ok(stats) => {
                                done.fetch_add(end - start, Ordering::Relaxed);
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
        Some(disagreement) => Err(disagreement),
        None => Ok(total.into_inner().expect("stats lock")),
    }
}
