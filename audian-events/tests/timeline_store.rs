//! One conformance suite for every `TimelineStore`: the same tests, with the same expected
//! results, run against `MemoryTimelineStore` and `RedisTimelineStore` (feature `redis`), and
//! the expected results are those of `CallTimeline`, the one-process reference.
//!
//! The Redis runs use the server at `AUDIAN_TEST_REDIS_URL` when it is set (`.ci/run` starts
//! one), and otherwise start their own `redis-server` (found on `PATH`); without one they are
//! reported as ignored, with the reason, and fail where `CI` requires the optional pieces
//! (`support/optional_pieces.rs`). Without `--features redis`, one ignored test says the feature
//! is needed. The lifecycles come from the `testing` feature's strategies (required by this
//! target).

#[path = "support/optional_pieces.rs"]
#[cfg_attr(not(feature = "redis"), allow(dead_code))]
mod optional_pieces;
#[cfg(feature = "redis")]
#[path = "support/redis_server.rs"]
mod redis_server;

use std::collections::HashMap;
use std::future::Future;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use audian_events::testing::{DeliveryFaults, call_lifecycle, delivered};
use audian_events::timeline::{
    CallTimeline, MemoryTimelineStore, Pushed, TimelineStore, TimelineStoreError, TimelineStoreErrorKind, call_id_of,
};
use audian_events::{CallTimelines, Event, examples};
use libtest_mimic::{Arguments, Completion, Trial};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;

fn main() -> ExitCode {
    let args = Arguments::from_args();
    let mut trials = vec![optional_pieces::policy_trial()];
    for backend in [Backend::Memory, Backend::Redis] {
        trials.extend(conformance(backend));
    }
    trials.extend(redis_only::trials());
    libtest_mimic::run(&args, trials).exit_code()
}

/// A trial named after its test function.
macro_rules! conformance_trials {
    ($backend:expr, $($test:ident),* $(,)?) => {
        vec![$(trial($backend, stringify!($test), |stores| Box::pin($test(stores)))),*]
    };
}

/// The conformance tests, each against `backend`.
fn conformance(backend: Backend) -> Vec<Trial> {
    conformance_trials!(
        backend,
        lifecycles_delivered_with_retries_and_disorder_give_what_call_timeline_gives,
        concurrent_pushes_from_two_receivers_add_each_event_once_and_lose_none,
        a_different_event_with_the_same_id_is_settled_as_call_timeline_settles_it,
        a_call_holds_at_most_its_bound_of_events,
        a_finished_call_is_dropped_its_ttl_after_its_end_and_others_stay,
        an_event_that_names_no_call_is_refused_and_an_unknown_type_with_a_call_id_is_kept,
    )
}

// ---------------------------------------------------------------------------------------------
// The stores under test.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Backend {
    Memory,
    Redis,
}

/// The settings a test asks of its store.
#[derive(Clone, Copy)]
struct Settings {
    finished_ttl: Duration,
    max_events_per_call: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { finished_ttl: Duration::from_secs(600), max_events_per_call: 1_000 }
    }
}

/// One store, of either kind.
#[derive(Clone)]
enum Store {
    Memory(MemoryTimelineStore),
    #[cfg(feature = "redis")]
    Redis(audian_events::timeline::RedisTimelineStore),
}

impl TimelineStore for Store {
    async fn push(&self, event: Event) -> Result<Pushed, TimelineStoreError> {
        match self {
            Store::Memory(store) => store.push(event).await,
            #[cfg(feature = "redis")]
            Store::Redis(store) => store.push(event).await,
        }
    }

    async fn timeline(&self, call_id: &str) -> Result<Option<CallTimeline>, TimelineStoreError> {
        match self {
            Store::Memory(store) => store.timeline(call_id).await,
            #[cfg(feature = "redis")]
            Store::Redis(store) => store.timeline(call_id).await,
        }
    }
}

/// Makes stores for one test: each call of [`Stores::open`] gives stores that share their calls
/// with one another (two receivers of one webhook), and not with other tests.
struct Stores {
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    url: Option<String>,
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    test: &'static str,
    opened: usize,
}

impl Stores {
    /// `count` stores sharing their calls: clones of one memory store, or `count` connections to
    /// Redis with one key prefix (as receivers in `count` processes).
    async fn open(&mut self, count: usize, settings: Settings) -> Vec<Store> {
        self.opened += 1;
        match &self.url {
            None => {
                let store = MemoryTimelineStore::from_timelines(CallTimelines::new(100_000, settings.finished_ttl))
                    .with_max_events_per_call(settings.max_events_per_call);
                vec![Store::Memory(store); count]
            }
            #[cfg(feature = "redis")]
            Some(url) => {
                let prefix = redis_server::unique_prefix(&format!("{}:{}", self.test, self.opened));
                let mut stores = Vec::new();
                for _ in 0..count {
                    let store = audian_events::timeline::RedisTimelineStore::builder(url)
                        .key_prefix(&prefix)
                        .finished_ttl(settings.finished_ttl)
                        .max_events_per_call(settings.max_events_per_call)
                        .connect()
                        .await
                        .unwrap();
                    stores.push(Store::Redis(store));
                }
                stores
            }
            #[cfg(not(feature = "redis"))]
            Some(_) => unreachable!("no Redis store without the feature"),
        }
    }

    async fn one(&mut self, settings: Settings) -> Store {
        self.open(1, settings).await.pop().unwrap()
    }
}

type Test = fn(Stores) -> std::pin::Pin<Box<dyn Future<Output = ()>>>;

fn trial(backend: Backend, name: &'static str, test: Test) -> Trial {
    let full_name = format!("{}::{name}", if backend == Backend::Memory { "memory" } else { "redis" });
    Trial::ignorable_test(full_name, move || {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(4).enable_all().build().unwrap();
        match backend {
            Backend::Memory => runtime.block_on(test(Stores { url: None, test: name, opened: 0 })),
            Backend::Redis => {
                #[cfg(feature = "redis")]
                {
                    let Some((url, _server)) = redis_server::test_server() else {
                        return optional_pieces::missing(redis_server::NO_REDIS_SERVER);
                    };
                    runtime.block_on(test(Stores { url: Some(url), test: name, opened: 0 }));
                }
                #[cfg(not(feature = "redis"))]
                {
                    // Not an error even where CI requires the optional pieces: a build without the
                    // feature has no Redis store to test.
                    return Ok(Completion::ignored_with(
                        "needs --features redis: the Redis timeline store is not compiled in",
                    ));
                }
            }
        }
        Ok(Completion::Completed)
    })
}

// ---------------------------------------------------------------------------------------------
// Events.

/// `text` (an event's JSON) with another id, call and, if given, timestamp.
fn event(text: &str, id: &str, call_id: &str, timestamp: Option<&str>) -> Event {
    let mut value: serde_json::Value = serde_json::from_str(text).unwrap();
    value["id"] = id.into();
    if let Some(timestamp) = timestamp {
        value["timestamp"] = timestamp.into();
    }
    if value["data"].get("call_id").is_some() {
        value["data"]["call_id"] = call_id.into();
    }
    serde_json::from_value(value).unwrap()
}

/// `count` call lifecycles drawn from the `testing` strategies (the same ones on every run), each
/// moved to a call of its own (`call_<tag>_<n>`), with what a receiver may see of each: retries
/// and disorder.
fn lifecycles(count: usize, tag: &str) -> Vec<(Vec<Event>, Vec<Event>)> {
    let mut runner = TestRunner::deterministic();
    (0..count)
        .map(|n| {
            let call_id = format!("call_{tag}_{n}");
            let sent: Vec<Event> = call_lifecycle()
                .new_tree(&mut runner)
                .unwrap()
                .current()
                .into_iter()
                .map(|event| {
                    let text = serde_json::to_string(&event).unwrap();
                    let id = event.id().to_string();
                    self::event(&text, &format!("{id}_{tag}_{n}"), &call_id, None)
                })
                .collect();
            let faults = DeliveryFaults { max_retries: 2, max_delay: 6 };
            let seen = delivered(sent.clone(), faults).new_tree(&mut runner).unwrap().current();
            (sent, seen)
        })
        .collect()
}

fn in_order(events: &[Event]) -> CallTimeline {
    let mut timeline = CallTimeline::new(call_id_of(&events[0]).unwrap());
    for event in events {
        timeline.push(event.clone()).unwrap();
    }
    timeline
}

/// Asserts that the store's timeline of `expected`'s call is `expected`: the same events in the
/// same order, and the same state.
async fn assert_holds(store: &Store, expected: &CallTimeline) {
    let call_id = expected.call_id().as_str();
    let events = store.events(call_id).await.unwrap();
    let expected_events: Vec<Event> = expected.events().cloned().collect();
    assert_eq!(events, expected_events, "the events of {call_id}");
    assert_eq!(store.state(call_id).await.unwrap(), Some(expected.state()), "the state of {call_id}");
    assert_eq!(store.timeline(call_id).await.unwrap().as_ref(), Some(expected), "the timeline of {call_id}");
}

// ---------------------------------------------------------------------------------------------
// The conformance tests.

async fn lifecycles_delivered_with_retries_and_disorder_give_what_call_timeline_gives(mut stores: Stores) {
    let store = stores.one(Settings::default()).await;
    let mut pushes = 0;
    for (sent, seen) in lifecycles(60, "faults") {
        let mut reference = CallTimeline::new(call_id_of(&sent[0]).unwrap());
        for event in seen {
            let expected = reference.push(event.clone()).unwrap();
            assert_eq!(store.push(event.clone()).await.unwrap(), expected, "pushing {}", event.id());
            pushes += 1;
        }
        assert_eq!(reference, in_order(&sent), "the reference itself ends as in-order delivery");
        assert_holds(&store, &reference).await;
    }
    assert!(pushes > 60 * 3, "only {pushes} pushes");
    assert_eq!(store.state("call_never_seen").await.unwrap(), None);
    assert!(store.events("call_never_seen").await.unwrap().is_empty());
}

async fn concurrent_pushes_from_two_receivers_add_each_event_once_and_lose_none(mut stores: Stores) {
    const TASKS: usize = 8;
    let receivers = stores.open(2, Settings::default()).await;
    let calls = lifecycles(40, "concurrent");
    // Every event twice (and its retries), each copy to another task, the tasks' lists shuffled
    // by a fixed rotation so that copies of one event race.
    let mut deliveries: Vec<Vec<Event>> = vec![Vec::new(); TASKS];
    let mut copy = 0;
    for (_, seen) in &calls {
        for event in seen {
            for _ in 0..2 {
                deliveries[copy % TASKS].push(event.clone());
                copy += 1;
            }
        }
    }
    let added: Arc<std::sync::Mutex<HashMap<String, usize>>> = Arc::default();
    let start = Arc::new(tokio::sync::Barrier::new(TASKS));
    let mut tasks = Vec::new();
    for (task, mut list) in deliveries.into_iter().enumerate() {
        let turn = task * list.len() / TASKS;
        list.rotate_left(turn);
        let store = receivers[task % 2].clone();
        let (added, start) = (Arc::clone(&added), Arc::clone(&start));
        tasks.push(tokio::spawn(async move {
            start.wait().await;
            for event in list {
                if store.push(event.clone()).await.unwrap() == Pushed::Added {
                    *added.lock().unwrap().entry(event.id().to_string()).or_default() += 1;
                }
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let added = std::mem::take(&mut *added.lock().unwrap());
    let events: usize = calls.iter().map(|(sent, _)| sent.len()).sum();
    assert_eq!(added.len(), events, "every event added");
    assert!(added.values().all(|&times| times == 1), "an event added twice: {added:?}");
    for (sent, _) in &calls {
        for store in &receivers {
            assert_holds(store, &in_order(sent)).await;
        }
    }
}

async fn a_different_event_with_the_same_id_is_settled_as_call_timeline_settles_it(mut stores: Stores) {
    let answered = |call: &str| event(examples::CALL_ANSWERED, "evt_same", call, None);
    let held = |call: &str| event(examples::CALL_HELD, "evt_same", call, None);
    // The same event, its times written in another offset: a retry, not a conflict.
    let answered_z = |call: &str| event(examples::CALL_ANSWERED, "evt_z", call, None);
    let answered_offset = |call: &str| {
        let mut value: serde_json::Value = serde_json::to_value(answered_z(call)).unwrap();
        let instant: chrono::DateTime<chrono::FixedOffset> = value["timestamp"].as_str().unwrap().parse().unwrap();
        let offset = instant.with_timezone(&chrono::FixedOffset::east_opt(2 * 3600).unwrap());
        value["timestamp"] = offset.to_rfc3339().into();
        serde_json::from_value::<Event>(value).unwrap()
    };
    let store = stores.one(Settings::default()).await;
    for (call, order) in
        [("call_ab", [answered("call_ab"), held("call_ab")]), ("call_ba", [held("call_ba"), answered("call_ba")])]
    {
        let mut reference = CallTimeline::new(call.parse().unwrap());
        for (index, event) in order.into_iter().enumerate() {
            let expected = reference.push(event.clone()).unwrap();
            assert_eq!(expected, if index == 0 { Pushed::Added } else { Pushed::Conflict });
            assert_eq!(store.push(event).await.unwrap(), expected, "{call}");
        }
        assert_holds(&store, &reference).await;
    }
    assert_eq!(
        store.events("call_ab").await.unwrap().iter().map(|e| e.event_type().to_string()).collect::<Vec<_>>(),
        store.events("call_ba").await.unwrap().iter().map(|e| e.event_type().to_string()).collect::<Vec<_>>(),
        "whichever came first"
    );
    for (call, order) in [
        ("call_zo", [answered_z("call_zo"), answered_offset("call_zo")]),
        ("call_oz", [answered_offset("call_oz"), answered_z("call_oz")]),
    ] {
        let mut reference = CallTimeline::new(call.parse().unwrap());
        for event in order {
            let expected = reference.push(event.clone()).unwrap();
            assert_eq!(store.push(event).await.unwrap(), expected, "{call}");
        }
        assert_holds(&store, &reference).await;
    }
    let kept = |call: &'static str| {
        let store = store.clone();
        async move { serde_json::to_string(&store.events(call).await.unwrap()[0]).unwrap().replace(call, "call") }
    };
    assert_eq!(kept("call_zo").await, kept("call_oz").await, "the same text is kept whichever came first");
}

async fn a_call_holds_at_most_its_bound_of_events(mut stores: Stores) {
    let store = stores.one(Settings { max_events_per_call: 3, ..Settings::default() }).await;
    let texts = [examples::CALL_INITIATED, examples::CALL_RINGING, examples::CALL_ANSWERED, examples::CALL_HELD];
    let events: Vec<Event> =
        texts.iter().enumerate().map(|(n, text)| event(text, &format!("evt_bound_{n}"), "call_bound", None)).collect();
    for event in &events[..3] {
        assert_eq!(store.push(event.clone()).await.unwrap(), Pushed::Added);
    }
    let error = store.push(events[3].clone()).await.expect_err("the call is full");
    assert_eq!(error.kind(), TimelineStoreErrorKind::CallFull, "{error}");
    assert!(!error.is_transient());
    let message = error.to_string();
    assert!(message.contains("call_bound") && message.contains('3'), "{message}");
    assert_eq!(store.push(events[0].clone()).await.unwrap(), Pushed::Duplicate, "a retry of a held event");
    assert_holds(&store, &in_order(&events[..3])).await;
    let other = event(examples::CALL_INITIATED, "evt_bound_other", "call_bound_other", None);
    assert_eq!(store.push(other).await.unwrap(), Pushed::Added, "the bound is per call");
}

async fn a_finished_call_is_dropped_its_ttl_after_its_end_and_others_stay(mut stores: Stores) {
    const TTL: Duration = Duration::from_millis(600);
    let store = stores.one(Settings { finished_ttl: TTL, ..Settings::default() }).await;
    let initiated = event(examples::CALL_INITIATED, "evt_ttl_1", "call_ttl", None);
    let completed = event(examples::CALL_COMPLETED, "evt_ttl_2", "call_ttl", None);
    let late = event(examples::RECORDING_COMPLETED, "evt_ttl_3", "call_ttl", None);
    let open = event(examples::CALL_INITIATED, "evt_ttl_4", "call_ttl_open", None);
    store.push(initiated.clone()).await.unwrap();
    store.push(open.clone()).await.unwrap();
    store.push(completed.clone()).await.unwrap();
    let ended = Instant::now();
    tokio::time::sleep(TTL / 3).await;
    // An event after the end is kept, and does not keep the call longer.
    assert_eq!(store.push(late.clone()).await.unwrap(), Pushed::Added);
    assert_holds(&store, &in_order(&[initiated, completed, late.clone()])).await;
    tokio::time::sleep((TTL + TTL / 3).saturating_sub(ended.elapsed())).await;
    assert_eq!(store.state("call_ttl").await.unwrap(), None, "dropped {:?} after its end", ended.elapsed());
    assert_holds(&store, &in_order(&[open])).await;
    // A retry after the call was dropped starts a new timeline with only that event.
    assert_eq!(store.push(late.clone()).await.unwrap(), Pushed::Added);
    assert_holds(&store, &in_order(&[late])).await;
}

async fn an_event_that_names_no_call_is_refused_and_an_unknown_type_with_a_call_id_is_kept(mut stores: Stores) {
    let store = stores.one(Settings::default()).await;
    let unknown: Event = r#"{"id": "evt_new_1", "timestamp": "2024-01-15T10:30:05Z", "event": "call.transcribed",
        "data": {"call_id": "call_new", "text": "hello"}}"#
        .parse()
        .unwrap();
    let initiated = event(examples::CALL_INITIATED, "evt_new_0", "call_new", None);
    assert_eq!(store.push(unknown.clone()).await.unwrap(), Pushed::Added);
    assert_eq!(store.push(initiated.clone()).await.unwrap(), Pushed::Added);
    assert_holds(&store, &in_order(&[unknown, initiated])).await;

    let no_call: Event =
        r#"{"id": "evt_new_2", "timestamp": "2024-01-15T10:30:05Z", "event": "account.updated", "data": {}}"#
            .parse()
            .unwrap();
    let error = store.push(no_call).await.expect_err("no call");
    assert_eq!(error.kind(), TimelineStoreErrorKind::NoCall, "{error}");
    assert!(error.to_string().contains("evt_new_2"), "{error}");
}

// ---------------------------------------------------------------------------------------------
// What only the Redis store has: keys with a time-to-live, and outages.

#[cfg(not(feature = "redis"))]
mod redis_only {
    pub fn trials() -> Vec<libtest_mimic::Trial> {
        Vec::new()
    }
}

#[cfg(feature = "redis")]
mod redis_only {
    use std::time::{Duration, Instant};

    use audian_events::timeline::{Pushed, RedisTimelineStore, TimelineStore, TimelineStoreErrorKind};
    use audian_events::{CallStatus, examples};
    use libtest_mimic::{Completion, Trial};

    use super::redis_server::{self, RedisServer};
    use super::{event, optional_pieces};

    pub fn trials() -> Vec<Trial> {
        vec![
            Trial::ignorable_test(
                "redis::the_call_keys_expire_unfinished_after_a_day_and_finished_after_the_ttl",
                || {
                    let Some((url, _server)) = redis_server::test_server() else {
                        return optional_pieces::missing(redis_server::NO_REDIS_SERVER);
                    };
                    runtime().block_on(keys_expire(url));
                    Ok(Completion::Completed)
                },
            ),
            Trial::ignorable_test(
                "redis::the_store_survives_a_redis_restart_with_a_clear_transient_error_during_the_outage",
                || {
                    let Some(binary) = redis_server::redis_server_binary() else {
                        return optional_pieces::missing(redis_server::NO_REDIS_SERVER_BINARY);
                    };
                    runtime().block_on(restart(RedisServer::start(binary, true)));
                    Ok(Completion::Completed)
                },
            ),
        ]
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
    }

    async fn pttl(url: &str, key: &str) -> i64 {
        let client = redis::Client::open(url).unwrap();
        let mut connection = client.get_multiplexed_async_connection().await.unwrap();
        redis::cmd("PTTL").arg(key).query_async(&mut connection).await.unwrap()
    }

    async fn keys_expire(url: String) {
        let store = RedisTimelineStore::builder(&url)
            .key_prefix(redis_server::unique_prefix("keys"))
            .finished_ttl(Duration::from_secs(60))
            .connect()
            .await
            .unwrap();
        store.push(event(examples::CALL_INITIATED, "evt_k1", "call_k", None)).await.unwrap();
        let unfinished = pttl(&url, &store.events_key("call_k")).await;
        assert!((86_390_000..=86_400_000).contains(&unfinished), "PTTL {unfinished}");
        store.push(event(examples::CALL_COMPLETED, "evt_k2", "call_k", None)).await.unwrap();
        for key in [store.events_key("call_k"), store.finished_key("call_k")] {
            let finished = pttl(&url, &key).await;
            assert!((59_000..=60_000).contains(&finished), "PTTL of {key}: {finished}");
        }
        store.push(event(examples::RECORDING_COMPLETED, "evt_k3", "call_k", None)).await.unwrap();
        let after = pttl(&url, &store.events_key("call_k")).await;
        assert!((58_000..=60_000).contains(&after), "an event after the end keeps the end's expiry: {after}");
    }

    async fn restart(mut server: RedisServer) {
        let store = RedisTimelineStore::builder(server.url()).key_prefix("restart:").connect().await.unwrap();
        let initiated = event(examples::CALL_INITIATED, "evt_r1", "call_r", None);
        let answered = event(examples::CALL_ANSWERED, "evt_r2", "call_r", None);
        let completed = event(examples::CALL_COMPLETED, "evt_r3", "call_r", None);
        assert_eq!(store.push(initiated).await.unwrap(), Pushed::Added);

        server.kill();
        let outage = Instant::now();
        for attempt in 0..3 {
            let started = Instant::now();
            let error = store.push(answered.clone()).await.expect_err("Redis is down");
            let took = started.elapsed();
            let message = error.to_string();
            if attempt == 0 {
                eprintln!("during the outage ({took:?}): {message}");
            }
            assert_eq!(error.kind(), TimelineStoreErrorKind::Unavailable, "{message}");
            assert!(error.is_transient());
            assert!(message.contains(&format!("Redis at 127.0.0.1:{}", server.port)), "{message}");
            assert!(message.contains("5xx"), "the message says what to do: {message}");
            assert!(std::error::Error::source(&error).is_some());
            assert!(took < Duration::from_secs(3), "an operation during the outage took {took:?}");
            let error = store.state("call_r").await.expect_err("Redis is down");
            assert_eq!(error.kind(), TimelineStoreErrorKind::Unavailable, "{error}");
        }

        server.restart();
        let restarted = Instant::now();
        let pushed = loop {
            match store.push(answered.clone()).await {
                Ok(pushed) => break pushed,
                Err(error) => {
                    assert!(
                        restarted.elapsed() < Duration::from_secs(10),
                        "not recovered 10 s after the restart: {error}"
                    );
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        };
        eprintln!("outage of {:?}; recovered {:?} after the restart", restarted - outage, restarted.elapsed());
        assert_eq!(pushed, Pushed::Added);
        assert_eq!(store.push(completed).await.unwrap(), Pushed::Added);
        let state = store.state("call_r").await.unwrap().expect("the call survived the restart");
        assert_eq!(state.status, Some(CallStatus::Completed));
        assert_eq!(state.event_count, 3, "the event pushed before the restart is kept (append-only file)");
    }
}
