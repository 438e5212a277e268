//! `cargo xtask fuzz --strategies N`: the test of the `testing` strategies (tests/tests/strategies.rs)
//! on many more draws: each event from `any_event()` valid under the reference and our validators,
//! and each payload from `invalid_payload()` refused by both, at the pointer it names.

use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use audian_events::testing::{any_event, invalid_payload};
use audian_events_tests::Reference;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

/// A runner whose draws depend on the seed and the worker only.
fn runner(seed: u64, worker: u64) -> TestRunner {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    bytes[8..16].copy_from_slice(&worker.to_le_bytes());
    let config = Config { failure_persistence: None, ..Config::default() };
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes))
}

/// Draws `count` events and `count` invalid payloads on `threads` workers; the first failure
/// stops the run and is printed with its seed, worker and draw.
pub fn run(count: u64, seed: u64, threads: usize) -> ExitCode {
    let reference = match Reference::from_dir(&audian_events_tests::schema_dir()) {
        Ok(reference) => reference,
        Err(error) => {
            eprintln!("fuzz: {error}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!(
        "fuzz: strategies, seed {seed} (replay with --seed {seed}), {count} events and as many invalid payloads, {threads} threads"
    );
    let done = AtomicU64::new(0);
    let started = Instant::now();
    let per_worker = count.div_ceil(threads as u64);
    let failure = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads as u64)
            .map(|worker| {
                let (reference, done) = (&reference, &done);
                scope.spawn(move || -> Result<(), String> {
                    let mut runner = runner(seed, worker);
                    let (events, invalid) = (any_event(), invalid_payload());
                    let draws = per_worker.min(count.saturating_sub(worker * per_worker));
                    for draw in 0..draws {
                        let at = format!("worker {worker}, draw {draw}");
                        let event = events.new_tree(&mut runner).map_err(|error| error.to_string())?.current();
                        let payload = serde_json::to_value(&event).map_err(|error| error.to_string())?;
                        if !reference.is_valid(&payload) {
                            return Err(format!(
                                "{at}: a drawn event is invalid under jsonschema: {:?}\n{payload:#}",
                                reference.errors(&payload)
                            ));
                        }
                        if let Err(errors) = audian_events::validate(&payload) {
                            return Err(format!(
                                "{at}: a drawn event is invalid under our validators: {errors}\n{payload:#}"
                            ));
                        }
                        let (payload, pointer) =
                            invalid.new_tree(&mut runner).map_err(|error| error.to_string())?.current();
                        if reference.is_valid(&payload) {
                            return Err(format!(
                                "{at}: a payload breaking {pointer:?} is valid under jsonschema\n{payload:#}"
                            ));
                        }
                        match audian_events::validate(&payload) {
                            Ok(()) => {
                                return Err(format!(
                                    "{at}: a payload breaking {pointer:?} is valid under our validators\n{payload:#}"
                                ));
                            }
                            Err(errors) if !errors.iter().any(|error| error.instance_path() == pointer) => {
                                return Err(format!("{at}: no error at {pointer:?}, but {errors}\n{payload:#}"));
                            }
                            Err(_) => {}
                        }
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(())
                })
            })
            .collect();
        let mut last = Instant::now();
        while !workers.iter().all(|worker| worker.is_finished()) {
            std::thread::sleep(Duration::from_millis(50));
            if last.elapsed() >= Duration::from_secs(3) {
                last = Instant::now();
                let done = done.load(Ordering::Relaxed);
                eprintln!(
                    "fuzz: {done}/{count} ({:.1}%), {:.0} a second",
                    done as f64 * 100.0 / count.max(1) as f64,
                    done as f64 / started.elapsed().as_secs_f64()
                );
            }
        }
        workers.into_iter().find_map(|worker| worker.join().expect("a fuzz worker").err())
    });
    match failure {
        Some(failure) => {
            eprintln!("fuzz: {failure}\nfuzz: replay with --strategies {count} --seed {seed} --threads {threads}");
            ExitCode::FAILURE
        }
        None => {
            let elapsed = started.elapsed().as_secs_f64();
            println!(
                "fuzz: seed {seed}: {count} events valid and {count} invalid payloads refused at their pointer, in {elapsed:.1}s ({:.0} a second)",
                count as f64 / elapsed.max(1e-9)
            );
            ExitCode::SUCCESS
        }
    }
}
