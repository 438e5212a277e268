//! The in-memory dedup store: each event let through once, bounded memory, expiry.

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Barrier};
use std::task::{Context, Poll, Waker};
use std::thread;
use std::time::{Duration, Instant};

use audian_events::EventId;
use audian_events::clock::ManualClock;
use audian_events::dedup::{DedupStore, MemoryDedupStore};

const DAY: Duration = Duration::from_secs(24 * 3600);

/// Runs a future of the in-memory store, which is ready at once.
fn ready<F: Future>(future: F) -> F::Output {
    match pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("a MemoryDedupStore future was not ready at once"),
    }
}

fn id(n: usize) -> EventId {
    format!("evt_{n:016x}").parse().unwrap()
}

/// Which deliveries each of `threads` threads makes: every event `copies` times, each copy on
/// another thread, at about the same position in each thread's list so that copies race.
fn delivery_plan(events: usize, copies: usize, threads: usize) -> Vec<Vec<usize>> {
    let mut plan = vec![Vec::new(); threads];
    for event in 0..events {
        for copy in 0..copies {
            plan[(event + copy * 3) % threads].push(event);
        }
    }
    plan
}

/// Delivers 10,000 events 3 times each from 8 threads; returns how many times each was let
/// through.
fn deliver_concurrently<S: DedupStore + 'static>(store: Arc<S>) -> Vec<u32> {
    const EVENTS: usize = 10_000;
    let ids: Arc<Vec<EventId>> = Arc::new((0..EVENTS).map(id).collect());
    let passed: Arc<Vec<AtomicU32>> = Arc::new((0..EVENTS).map(|_| AtomicU32::new(0)).collect());
    let start = Arc::new(Barrier::new(8));
    let started = Instant::now();
    let workers: Vec<_> = delivery_plan(EVENTS, 3, 8)
        .into_iter()
        .map(|deliveries| {
            let (store, ids, passed, start) = (store.clone(), ids.clone(), passed.clone(), start.clone());
            thread::spawn(move || {
                start.wait();
                for event in deliveries {
                    if ready(store.first_time(&ids[event])).unwrap() {
                        passed[event].fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    eprintln!("30,000 deliveries from 8 threads in {:?}", started.elapsed());
    passed.iter().map(|count| count.load(Ordering::Relaxed)).collect()
}

#[test]
fn delivery_plan_sends_each_copy_from_another_thread() {
    let plan = delivery_plan(100, 3, 8);
    assert_eq!(plan.iter().map(Vec::len).sum::<usize>(), 300);
    for event in 0..100 {
        let threads = plan.iter().filter(|deliveries| deliveries.contains(&event)).count();
        assert_eq!(threads, 3, "event {event}");
    }
}

#[test]
fn ten_thousand_events_delivered_three_times_from_eight_threads_are_each_let_through_once() {
    let store = Arc::new(MemoryDedupStore::new(100_000, DAY));
    let passed = deliver_concurrently(store.clone());
    let wrong: Vec<_> = passed.iter().enumerate().filter(|(_, count)| **count != 1).collect();
    assert!(
        wrong.is_empty(),
        "events not let through exactly once (event, times): {:?}",
        &wrong[..wrong.len().min(10)]
    );
    assert_eq!(store.len(), 10_000);
}

#[test]
fn after_a_million_distinct_ids_the_store_holds_at_most_its_capacity() {
    const CAPACITY: usize = 10_000;
    const IDS: usize = 1_000_000;
    let store = MemoryDedupStore::new(CAPACITY, DAY);
    let started = Instant::now();
    let mut max_len = 0;
    for n in 0..IDS {
        assert!(store.insert(&format!("evt_{n}")), "id {n} was new");
        if n % 1_000 == 0 {
            max_len = max_len.max(store.len());
        }
    }
    let elapsed = started.elapsed();
    eprintln!("1,000,000 inserts in {elapsed:?}; largest size seen {max_len}");
    assert!(max_len <= CAPACITY);
    assert_eq!(store.len(), CAPACITY);
    // The newest ids are held, the oldest were evicted.
    assert!((IDS - CAPACITY..IDS).all(|n| store.contains(&format!("evt_{n}"))));
    assert!((0..IDS - CAPACITY).step_by(997).all(|n| !store.contains(&format!("evt_{n}"))));
}

#[test]
fn a_full_store_evicts_the_oldest_id_first() {
    let store = MemoryDedupStore::new(3, DAY);
    for n in 1..=3 {
        assert!(store.insert(&format!("evt_{n}")));
    }
    assert!(!store.insert("evt_1"), "a retry does not refresh or evict anything");
    assert!(store.insert("evt_4"));
    assert!(!store.contains("evt_1"));
    assert!(store.contains("evt_2") && store.contains("evt_3") && store.contains("evt_4"));
    // The evicted id is new again.
    assert!(store.insert("evt_1"));
    assert!(!store.contains("evt_2"));
}

#[test]
fn an_id_is_remembered_for_the_ttl_and_then_let_through_again() {
    let clock = ManualClock::new();
    let store = MemoryDedupStore::with_clock(100, Duration::from_secs(60), clock.clone());
    assert!(store.insert("evt_a"));
    clock.advance(Duration::from_secs(59));
    assert!(!store.insert("evt_a"), "retried within the ttl");
    clock.advance(Duration::from_secs(1));
    assert!(store.insert("evt_a"), "retried after the ttl");
}

#[test]
fn expired_ids_are_dropped_without_waiting_for_new_ones() {
    let clock = ManualClock::new();
    let store = MemoryDedupStore::with_clock(100, Duration::from_secs(60), clock.clone());
    for n in 0..50 {
        store.insert(&format!("evt_{n}"));
        clock.advance(Duration::from_secs(1));
    }
    assert_eq!(store.len(), 50);
    clock.advance(Duration::from_secs(19)); // the first 10 are 60 s old or more
    assert_eq!(store.len(), 40);
    clock.advance(Duration::from_secs(3600));
    assert!(store.is_empty());
}

#[test]
fn forget_lets_the_retry_of_a_failed_handling_through() {
    let store = MemoryDedupStore::new(100, DAY);
    let event = id(7);
    assert!(ready(store.first_time(&event)).unwrap());
    assert!(!ready(store.first_time(&event)).unwrap());
    ready(store.forget(&event)).unwrap();
    assert!(ready(store.first_time(&event)).unwrap(), "the retry after forget is a first time");
    ready(store.forget(&id(8))).expect("forgetting an unknown id is not an error");
}

#[test]
fn a_store_works_through_references_arcs_and_boxes() {
    fn first<S: DedupStore>(store: S, event: &EventId) -> bool {
        ready(store.first_time(event)).unwrap()
    }
    let store = Arc::new(MemoryDedupStore::new(100, DAY));
    assert!(first(&*store, &id(1)));
    assert!(!first(store.clone(), &id(1)));
    assert!(!first(Box::new(store.clone()), &id(1)));
    assert!(first(&store, &id(2)));
}

#[test]
fn stores_are_send_and_sync() {
    fn shareable<T: Send + Sync + 'static>() {}
    shareable::<MemoryDedupStore>();
    shareable::<MemoryDedupStore<ManualClock>>();
    shareable::<audian_events::DedupError>();
}

#[test]
#[should_panic(expected = "capacity of at least 1")]
fn a_zero_capacity_is_refused() {
    MemoryDedupStore::new(0, DAY);
}

#[test]
fn clear_forgets_every_id() {
    let store = MemoryDedupStore::default();
    store.insert("evt_a");
    store.clear();
    assert!(store.is_empty());
    assert!(store.insert("evt_a"));
    assert_eq!((store.capacity(), store.ttl()), (100_000, DAY));
}
