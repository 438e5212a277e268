//! The driver both ways of fuzzing share: cases `0..cases` judged in chunks by `threads` workers
//! that take the chunks in order, with a line of progress every few seconds. A chunk that starts
//! after the lowest disagreement found so far is skipped, so the disagreement returned is the one
//! of lowest index, whatever the number of threads.

use std::ops::Range;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Cases a worker takes at a time.
const CHUNK: u64 = 2048;
/// How often progress is printed.
const PROGRESS_EVERY: Duration = Duration::from_secs(3);

/// What is being judged, for the lines of progress.
pub struct Progress<'a> {
    /// Such as `raw cases`.
    pub unit: &'a str,
    /// What has been seen so far, put after the rate in each line.
    pub so_far: &'a (dyn Fn() -> String + Sync),
}

/// Judges cases `0..cases`: `judge` takes a range and says `Ok` (having counted what it saw) or
/// gives its disagreement of lowest index, which `index_of` reads.
pub fn judge_in_chunks<D: Send>(
    cases: u64,
    threads: usize,
    started: Instant,
    progress: Progress<'_>,
    judge: impl Fn(Range<u64>) -> Result<(), D> + Sync,
    index_of: impl Fn(&D) -> u64 + Sync,
) -> Result<(), D> {
    let next_chunk = AtomicU64::new(0);
    let done = AtomicU64::new(0);
    let finished = AtomicBool::new(false);
    let first_disagreement = AtomicU64::new(u64::MAX);
    let found: Mutex<Option<D>> = Mutex::new(None);

    std::thread::scope(|scope| {
        let reporter = scope.spawn(|| {
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
                    "fuzz: {done}/{cases} {} ({:.1}%), {rate:.0} cases/s, about {left:.0}s left ({})",
                    progress.unit,
                    done as f64 * 100.0 / cases.max(1) as f64,
                    (progress.so_far)(),
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
                        match judge(start..end) {
                            Ok(()) => {
                                done.fetch_add(end - start, Ordering::Relaxed);
                            }
                            Err(disagreement) => {
                                let index = index_of(&disagreement);
                                first_disagreement.fetch_min(index, Ordering::Relaxed);
                                let mut found = found.lock().expect("disagreement lock");
                                if found.as_ref().is_none_or(|other| index < index_of(other)) {
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
        reporter.join().expect("the progress thread");
    });
    match found.into_inner().expect("disagreement lock") {
        Some(disagreement) => Err(disagreement),
        None => Ok(()),
    }
}
