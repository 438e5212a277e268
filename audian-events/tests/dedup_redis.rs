//! The Redis dedup store, against a real `redis-server`.
//!
//! The tests use the server at `AUDIAN_TEST_REDIS_URL` when it is set (`.ci/run` starts one),
//! and otherwise start their own `redis-server` (found on `PATH`) on a free loopback port. The
//! restart test always starts its own, to kill and restart it. Without `redis-server`, the tests
//! that need it are reported as ignored, with the reason, and fail where `CI` requires the
//! optional pieces (`support/optional_pieces.rs`). Without `--features redis` there is nothing to
//! test: one ignored test says so.
//!
//! The harness is `libtest-mimic` (`harness = false` in `Cargo.toml`), so that a test can be
//! marked ignored while it runs, instead of returning early and showing as passed.

// Without the feature no test needs a server, so nothing asks what a missing one means.
#[path = "support/optional_pieces.rs"]
#[cfg_attr(not(feature = "redis"), allow(dead_code))]
mod optional_pieces;
#[cfg(feature = "redis")]
#[path = "support/redis_server.rs"]
mod redis_server;

use std::process::ExitCode;

use libtest_mimic::Arguments;

fn main() -> ExitCode {
    let args = Arguments::from_args();
    let mut trials = vec![optional_pieces::policy_trial()];
    trials.extend(against_a_server::trials());
    libtest_mimic::run(&args, trials).exit_code()
}

#[cfg(not(feature = "redis"))]
mod against_a_server {
    use libtest_mimic::{Completion, Trial};

    pub fn trials() -> Vec<Trial> {
        // Not an error even where CI requires the optional pieces: a build without the feature has
        // no Redis store to test.
        vec![Trial::ignorable_test("redis_dedup_store_against_a_real_server", || {
            Ok(Completion::ignored_with("needs --features redis: the Redis dedup store is not compiled in"))
        })]
    }
}

#[cfg(feature = "redis")]
mod against_a_server {
    use std::future::Future;
    use std::path::PathBuf;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::time::{Duration, Instant};

    use audian_events::EventId;
    use audian_events::dedup::{DedupErrorKind, DedupStore, RedisDedupStore};
    use libtest_mimic::{Completion, Failed, Trial};

    use super::optional_pieces;
    use super::redis_server::{
        NO_REDIS_SERVER, NO_REDIS_SERVER_BINARY, RedisServer, free_loopback_port, redis_server_binary, test_server,
        unique_prefix,
    };

    /// A trial named after its test function.
    macro_rules! trial {
        ($make:ident, $test:ident $(, $threads:expr)?) => {
            $make(stringify!($test), $test $(, $threads)?)
        };
    }

    pub fn trials() -> Vec<Trial> {
        vec![
            trial!(
                with_server,
                ten_thousand_events_delivered_three_times_from_eight_threads_are_each_let_through_once,
                8
            ),
            trial!(
                with_server,
                receivers_sharing_a_prefix_recognise_each_others_deliveries_and_other_prefixes_are_apart,
                1
            ),
            trial!(with_server, the_key_is_set_with_the_ttl_and_forget_deletes_it, 1),
            trial!(with_server, an_id_is_let_through_again_after_the_ttl, 1),
            trial!(with_server_binary, the_store_survives_a_redis_restart_with_a_clear_error_during_the_outage),
            trial!(without_server, connecting_to_a_server_that_is_down_fails_clearly),
            trial!(without_server, configuration_mistakes_are_errors_that_say_what_to_fix),
        ]
    }

    /// Runs a test's future on a Tokio runtime of its own: the current thread's, or `threads` workers.
    fn block_on<F: Future<Output = ()>>(threads: usize, test: F) {
        let runtime = if threads > 1 {
            tokio::runtime::Builder::new_multi_thread().worker_threads(threads).enable_all().build()
        } else {
            tokio::runtime::Builder::new_current_thread().enable_all().build()
        };
        runtime.expect("a Tokio runtime").block_on(test);
    }

    /// A test against the server at `AUDIAN_TEST_REDIS_URL`, or else one of its own; ignored (or
    /// failed, where CI requires it) when there is neither.
    fn with_server<F, T>(name: &str, test: T, threads: usize) -> Trial
    where
        T: FnOnce(String) -> F + Send + 'static,
        F: Future<Output = ()>,
    {
        Trial::ignorable_test(name, move || {
            let Some((url, _server)) = test_server() else { return optional_pieces::missing(NO_REDIS_SERVER) };
            block_on(threads, test(url));
            Ok(Completion::Completed)
        })
    }

    /// A test that starts (and kills) a `redis-server` of its own; ignored (or failed, where CI
    /// requires it) without one on `PATH`.
    fn with_server_binary<F, T>(name: &str, test: T) -> Trial
    where
        T: FnOnce(PathBuf) -> F + Send + 'static,
        F: Future<Output = ()>,
    {
        Trial::ignorable_test(name, move || {
            let Some(binary) = redis_server_binary() else {
                return optional_pieces::missing(NO_REDIS_SERVER_BINARY);
            };
            block_on(1, test(binary));
            Ok(Completion::Completed)
        })
    }

    /// A test that needs no server.
    fn without_server<F, T>(name: &str, test: T) -> Trial
    where
        T: FnOnce() -> F + Send + 'static,
        F: Future<Output = ()>,
    {
        Trial::test(name, move || -> Result<(), Failed> {
            block_on(1, test());
            Ok(())
        })
    }

    fn id(n: usize) -> EventId {
        format!("evt_{n:016x}").parse().unwrap()
    }

    async fn ten_thousand_events_delivered_three_times_from_eight_threads_are_each_let_through_once(url: String) {
        const EVENTS: usize = 10_000;
        let prefix = unique_prefix("concurrent");
        // Two receivers behind a load balancer: a retry may reach either.
        let receivers = [
            RedisDedupStore::builder(&url).key_prefix(&prefix).connect().await.unwrap(),
            RedisDedupStore::builder(&url).key_prefix(&prefix).connect().await.unwrap(),
        ];
        let ids: Arc<Vec<EventId>> = Arc::new((0..EVENTS).map(id).collect());
        let passed: Arc<Vec<AtomicU32>> = Arc::new((0..EVENTS).map(|_| AtomicU32::new(0)).collect());
        let start = Arc::new(tokio::sync::Barrier::new(8));
        let started = Instant::now();
        let mut tasks = Vec::new();
        for task in 0..8 {
            // Each event's 3 copies go to 3 different tasks, at about the same position.
            let deliveries: Vec<usize> =
                (0..EVENTS).filter(|event| (0..3).any(|copy| (event + copy * 3) % 8 == task)).collect();
            let store = receivers[task % 2].clone();
            let (ids, passed, start) = (ids.clone(), passed.clone(), start.clone());
            tasks.push(tokio::spawn(async move {
                start.wait().await;
                for event in deliveries {
                    if store.first_time(&ids[event]).await.unwrap() {
                        passed[event].fetch_add(1, Ordering::Relaxed);
                    }
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        eprintln!("30,000 deliveries through Redis from 8 tasks on 8 threads in {:?}", started.elapsed());
        let wrong: Vec<_> = passed
            .iter()
            .enumerate()
            .map(|(event, count)| (event, count.load(Ordering::Relaxed)))
            .filter(|(_, count)| *count != 1)
            .collect();
        assert!(
            wrong.is_empty(),
            "events not let through exactly once (event, times): {:?}",
            &wrong[..wrong.len().min(10)]
        );
    }

    async fn receivers_sharing_a_prefix_recognise_each_others_deliveries_and_other_prefixes_are_apart(url: String) {
        let prefix = unique_prefix("shared");
        let first = RedisDedupStore::builder(&url).key_prefix(&prefix).connect().await.unwrap();
        let second = RedisDedupStore::builder(&url).key_prefix(&prefix).connect().await.unwrap();
        let other = RedisDedupStore::builder(&url).key_prefix(unique_prefix("other")).connect().await.unwrap();
        assert!(first.first_time(&id(1)).await.unwrap());
        assert!(!second.first_time(&id(1)).await.unwrap(), "the retry reached the other receiver");
        assert!(other.first_time(&id(1)).await.unwrap(), "another prefix is another store");
        assert_eq!(first.key("evt_1"), format!("{prefix}evt_1"));
    }

    async fn the_key_is_set_with_the_ttl_and_forget_deletes_it(url: String) {
        let store = RedisDedupStore::builder(&url)
            .key_prefix(unique_prefix("ttl"))
            .ttl(Duration::from_secs(3600))
            .connect()
            .await
            .unwrap();
        let event = id(1);
        assert!(store.first_time(&event).await.unwrap());

        let client = redis::Client::open(url.as_str()).unwrap();
        let mut connection = client.get_multiplexed_async_connection().await.unwrap();
        let ttl: i64 = redis::cmd("PTTL").arg(store.key(&event)).query_async(&mut connection).await.unwrap();
        assert!((3_590_000..=3_600_000).contains(&ttl), "PTTL {ttl}");

        store.forget(&event).await.unwrap();
        let exists: bool = redis::cmd("EXISTS").arg(store.key(&event)).query_async(&mut connection).await.unwrap();
        assert!(!exists);
        assert!(store.first_time(&event).await.unwrap(), "the retry after forget is a first time");
        store.forget(&id(2)).await.expect("forgetting an unknown id is not an error");
    }

    async fn an_id_is_let_through_again_after_the_ttl(url: String) {
        let store = RedisDedupStore::builder(&url)
            .key_prefix(unique_prefix("expiry"))
            .ttl(Duration::from_millis(200))
            .connect()
            .await
            .unwrap();
        assert!(store.first_time(&id(1)).await.unwrap());
        assert!(!store.first_time(&id(1)).await.unwrap());
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert!(store.first_time(&id(1)).await.unwrap());
    }

    async fn the_store_survives_a_redis_restart_with_a_clear_error_during_the_outage(binary: PathBuf) {
        let mut server = RedisServer::start(binary, true);
        let store = RedisDedupStore::builder(server.url()).key_prefix("restart:").connect().await.unwrap();
        assert!(store.first_time(&id(1)).await.unwrap());
        assert!(!store.first_time(&id(1)).await.unwrap());

        server.kill();
        let outage = Instant::now();
        for attempt in 0..5 {
            let started = Instant::now();
            let error = store.first_time(&id(2)).await.expect_err("Redis is down");
            let took = started.elapsed();
            let message = error.to_string();
            if attempt == 0 {
                eprintln!("during the outage ({took:?}): {message}");
            }
            assert_eq!(error.kind(), DedupErrorKind::Unavailable, "{message}");
            assert!(error.is_transient());
            assert!(message.contains(&format!("Redis at 127.0.0.1:{}", server.port)), "{message}");
            assert!(message.contains("5xx"), "the message says what to do: {message}");
            assert!(std::error::Error::source(&error).is_some());
            assert!(took < Duration::from_secs(3), "an operation during the outage took {took:?}");
        }
        store.forget(&id(1)).await.expect_err("Redis is down");

        server.restart();
        let restarted = Instant::now();
        let first = loop {
            match store.first_time(&id(2)).await {
                Ok(first) => break first,
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
        assert!(first, "evt 2 was never recorded");
        assert!(!store.first_time(&id(2)).await.unwrap());
        assert!(
            !store.first_time(&id(1)).await.unwrap(),
            "ids recorded before the restart are kept (append-only file)"
        );
        assert!(store.first_time(&id(3)).await.unwrap());
    }

    async fn connecting_to_a_server_that_is_down_fails_clearly() {
        let port = free_loopback_port(); // nothing listens there
        let started = Instant::now();
        let error =
            RedisDedupStore::builder(format!("redis://127.0.0.1:{port}/")).connect().await.expect_err("no server");
        let message = error.to_string();
        eprintln!("{message} (after {:?})", started.elapsed());
        assert_eq!(error.kind(), DedupErrorKind::Unavailable);
        assert!(message.starts_with(&format!("Redis at 127.0.0.1:{port} refused the connection")), "{message}");
        assert!(message.contains("cannot start without it"), "{message}");
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    async fn configuration_mistakes_are_errors_that_say_what_to_fix() {
        let error =
            RedisDedupStore::builder("redis://127.0.0.1:6379/").ttl(Duration::ZERO).connect().await.unwrap_err();
        assert_eq!(error.kind(), DedupErrorKind::Config);
        assert!(error.to_string().contains("at least 1 ms"), "{error}");

        let error = RedisDedupStore::connect("http://:hunter2@example.com/").await.unwrap_err();
        assert_eq!(error.kind(), DedupErrorKind::Config);
        let message = error.to_string();
        assert!(message.contains("redis://[:password@]host[:port][/db]"), "{message}");
        assert!(!message.contains("hunter2"), "the password leaked: {message}");
        assert!(!format!("{:?}", RedisDedupStore::builder("redis://:hunter2@host/")).contains("hunter2"));
    }
}
