//! Two example receivers (`audian-events/examples/receiver.rs`), served on two loopback ports,
//! share one Redis for event ids and call timelines; Redis is killed in the middle of the
//! deliveries and started again. Over real HTTP:
//!
//! - 200 call lifecycles (the `testing` strategies), every event sent twice, each delivery to a
//!   random receiver, shuffled, 48 requests in flight; a delivery answered 5xx (or not at all)
//!   is sent again, to a random receiver, as Audian would;
//! - every event is handled (printed) exactly once across both receivers' logs;
//! - every call's state, read through either receiver's store, is that of in-order delivery to
//!   one receiver, and one of its lines carries its final status and its full event count.
//!
//! The test starts a `redis-server` of its own (found on `PATH`), with the append-only file synced
//! on every write, so that what was recorded survives the kill. Without one, or without
//! `--features redis`, it is reported as ignored with the reason (and fails where `CI` requires
//! the optional pieces).

#[path = "../../audian-events/tests/support/optional_pieces.rs"]
#[cfg_attr(not(feature = "redis"), allow(dead_code))]
mod optional_pieces;

use std::process::ExitCode;

use libtest_mimic::Arguments;

fn main() -> ExitCode {
    let args = Arguments::from_args();
    libtest_mimic::run(&args, vec![optional_pieces::policy_trial(), shared::trial()]).exit_code()
}

const TEST_NAME: &str = "two_receivers_sharing_redis_handle_each_event_once_through_a_redis_restart";

#[cfg(not(feature = "redis"))]
mod shared {
    use libtest_mimic::{Completion, Trial};

    pub fn trial() -> Trial {
        // Not an error even where CI requires the optional pieces: a build without the feature has
        // no Redis store to test.
        Trial::ignorable_test(super::TEST_NAME, || {
            Ok(Completion::ignored_with("needs --features redis: the Redis stores are not compiled in"))
        })
    }
}

#[cfg(feature = "redis")]
#[allow(dead_code)] // the example's `main` and its settings are not used here
#[path = "../../audian-events/examples/receiver.rs"]
mod receiver;

#[cfg(feature = "redis")]
#[allow(dead_code)] // this test starts a server of its own: the shared server's helpers are unused
#[path = "../../audian-events/tests/support/redis_server.rs"]
mod redis_server;

#[cfg(feature = "redis")]
mod shared {
    use std::collections::HashMap;
    use std::io::{self, Write};
    use std::net::{Ipv4Addr, SocketAddr};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    use audian_events::Event;
    use audian_events::dedup::RedisDedupStore;
    use audian_events::testing::call_lifecycle;
    use audian_events::timeline::{CallTimeline, RedisTimelineStore, TimelineStore, call_id_of};
    use libtest_mimic::{Completion, Trial};
    use proptest::strategy::{Strategy, ValueTree};
    use proptest::test_runner::TestRunner;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};

    use super::optional_pieces;
    use super::receiver;
    use super::redis_server::{self, RedisServer};

    const CALLS: usize = 200;
    const IN_FLIGHT: usize = 48;

    pub fn trial() -> Trial {
        Trial::ignorable_test(super::TEST_NAME, || {
            let Some(binary) = redis_server::redis_server_binary() else {
                return optional_pieces::missing(redis_server::NO_REDIS_SERVER_BINARY);
            };
            let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(4).enable_all().build().unwrap();
            runtime.block_on(two_receivers(RedisServer::start(binary, true)));
            Ok(Completion::Completed)
        })
    }

    /// A receiver's standard output, shared with the test.
    #[derive(Clone, Default)]
    struct Log(Arc<Mutex<Vec<u8>>>);

    impl Write for Log {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Log {
        fn lines(&self) -> Vec<String> {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap().lines().map(str::to_owned).collect()
        }
    }

    /// A small deterministic generator (xorshift), for the order and the receivers.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    /// `POST /webhooks`, one connection per request: the status and the body's `status`.
    async fn post(address: SocketAddr, body: &[u8]) -> io::Result<(u16, String)> {
        let mut stream = TcpStream::connect(address).await?;
        let head = format!(
            "POST /webhooks HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(body).await?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await?;
        let text = String::from_utf8_lossy(&raw);
        let status = text
            .strip_prefix("HTTP/1.1 ")
            .and_then(|rest| rest.get(..3)?.parse().ok())
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, format!("no status line: {text:?}")))?;
        let body = text.split_once("\r\n\r\n").map_or("", |(_, body)| body);
        let json: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
        Ok((status, json["status"].as_str().unwrap_or_default().to_owned()))
    }

    /// `count` call lifecycles, each moved to a call and ids of its own.
    fn lifecycles(count: usize) -> Vec<Vec<Event>> {
        let mut runner = TestRunner::deterministic();
        (0..count)
            .map(|n| {
                call_lifecycle()
                    .new_tree(&mut runner)
                    .unwrap()
                    .current()
                    .into_iter()
                    .enumerate()
                    .map(|(k, event)| {
                        // Ids of our own: the generated ones may hold spaces, which the log's
                        // lines separate fields with.
                        let mut value = serde_json::to_value(&event).unwrap();
                        value["id"] = format!("evt_shared_{n}_{k}").into();
                        value["data"]["call_id"] = format!("call_shared_{n}").into();
                        serde_json::from_value(value).unwrap()
                    })
                    .collect()
            })
            .collect()
    }

    async fn two_receivers(server: RedisServer) {
        let url = server.url();
        let prefix = redis_server::unique_prefix("two-receivers");
        let mut addresses = Vec::new();
        let mut logs = Vec::new();
        let mut stores = Vec::new();
        for _ in 0..2 {
            let dedup = RedisDedupStore::builder(&url).key_prefix(format!("{prefix}dedup:")).connect().await.unwrap();
            let calls =
                RedisTimelineStore::builder(&url).key_prefix(format!("{prefix}calls:")).connect().await.unwrap();
            let log = Log::default();
            let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
            addresses.push(listener.local_addr().unwrap());
            let app = receiver::app(dedup, calls.clone(), log.clone());
            tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
            logs.push(log);
            stores.push(calls);
        }

        let calls = lifecycles(CALLS);
        let mut deliveries: Vec<(String, Vec<u8>)> = calls
            .iter()
            .flatten()
            .flat_map(|event| [event, event])
            .map(|event| (event.id().to_string(), serde_json::to_vec(event).unwrap()))
            .collect();
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for index in (1..deliveries.len()).rev() {
            deliveries.swap(index, (rng.next() % (index as u64 + 1)) as usize);
        }
        let total = deliveries.len();

        let done = Arc::new(AtomicUsize::new(0));
        let refused = Arc::new(AtomicUsize::new(0));
        // Redis is killed once a third of the deliveries are answered, and started again 1.5 s later.
        let outage = {
            let (done, mut server) = (Arc::clone(&done), server);
            tokio::spawn(async move {
                while done.load(Ordering::Relaxed) < total / 3 {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                let server = tokio::task::spawn_blocking(move || {
                    server.kill();
                    server
                })
                .await
                .unwrap();
                let killed = Instant::now();
                tokio::time::sleep(Duration::from_millis(1500)).await;
                let mut server = server;
                let server = tokio::task::spawn_blocking(move || {
                    server.restart();
                    server
                })
                .await
                .unwrap();
                (server, killed.elapsed())
            })
        };

        let started = Instant::now();
        let slots = Arc::new(tokio::sync::Semaphore::new(IN_FLIGHT));
        let addresses = Arc::new(addresses);
        let mut sending = Vec::new();
        for (n, (id, body)) in deliveries.into_iter().enumerate() {
            let (slots, addresses, done, refused) =
                (Arc::clone(&slots), Arc::clone(&addresses), Arc::clone(&done), Arc::clone(&refused));
            sending.push(tokio::spawn(async move {
                let _slot = slots.acquire_owned().await.unwrap();
                let mut rng = Rng(n as u64 * 2 + 1);
                let first = Instant::now();
                loop {
                    let address = addresses[(rng.next() % 2) as usize];
                    match post(address, &body).await {
                        Ok((200, status)) => {
                            done.fetch_add(1, Ordering::Relaxed);
                            return (id, status);
                        }
                        Ok((status, _)) => {
                            assert!(status >= 500, "{id} answered {status}");
                            refused.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(_) => {
                            refused.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    assert!(first.elapsed() < Duration::from_secs(60), "{id} not accepted in 60 s");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }));
        }
        let mut answers: HashMap<String, Vec<String>> = HashMap::new();
        for sent in sending {
            let (id, status) = sent.await.unwrap();
            answers.entry(id).or_default().push(status);
        }
        let elapsed = started.elapsed();
        let (_server, outage) = outage.await.unwrap();
        let refused = refused.load(Ordering::Relaxed);
        eprintln!(
            "{total} deliveries of {} events of {CALLS} calls through 2 receivers in {elapsed:?}; Redis down for \
             {outage:?}, {refused} deliveries answered 5xx (or cut) and sent again",
            answers.len()
        );
        assert!(refused > 0, "the outage reached no delivery");

        // Both deliveries of every event accepted in the end (a delivery that found the event
        // added by the other is answered `handled` too, and prints nothing); every event handled
        // (printed) exactly once, across both receivers.
        for (id, statuses) in &answers {
            assert_eq!(statuses.len(), 2, "{id} answered {statuses:?}");
            assert!(statuses.iter().all(|status| status == "handled" || status == "duplicate"), "{id}: {statuses:?}");
        }
        let lines: Vec<String> = logs.iter().flat_map(Log::lines).collect();
        let mut printed: HashMap<&str, usize> = HashMap::new();
        for line in &lines {
            *printed.entry(line.split(' ').next().unwrap()).or_default() += 1;
        }
        for id in answers.keys() {
            assert_eq!(printed.get(id.as_str()), Some(&1), "{id} printed once");
        }
        assert_eq!(lines.len(), answers.len(), "one line per event");

        // Every call as delivered in order to one receiver, read through either.
        for sent in &calls {
            let call_id = call_id_of(&sent[0]).unwrap();
            let mut in_order = CallTimeline::new(call_id.clone());
            for event in sent {
                in_order.push(event.clone()).unwrap();
            }
            let expected = in_order.state();
            for store in &stores {
                assert_eq!(store.state(&call_id).await.unwrap().as_ref(), Some(&expected), "{call_id}");
            }
            let status = expected.status.map_or_else(|| "none".to_owned(), |status| status.to_string());
            let full = format!(" {call_id} status={status} events={}", expected.event_count);
            assert!(lines.iter().any(|line| line.ends_with(&full)), "no line of {call_id} ends with `{full}`");
        }
    }
}
