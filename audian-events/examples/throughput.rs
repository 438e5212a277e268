//! Events per second through the example receiver: one receiver with ids and calls in memory,
//! against two receivers sharing them in Redis, in one run on this machine.
//!
//! ```sh
//! cargo run --release -p audian-events --example throughput --features axum,redis,testing -- [CALLS]
//! ```
//!
//! It starts a `redis-server` of its own (from `PATH`, without persistence) on a free loopback
//! port, serves the receivers of `receiver.rs` on loopback ports, and posts the events of `CALLS`
//! call lifecycles (500 by default, drawn from the `testing` strategies), each event once, in
//! shuffled order, 64 requests in flight, one connection per request, to the one receiver, then
//! to the two (each delivery to either, in turn). Client and servers share the machine's cores.

#[allow(dead_code)] // its `main` and settings are the example receiver's
#[path = "receiver.rs"]
mod receiver;

#[allow(dead_code)] // only the server of its own is used
#[path = "../tests/support/redis_server.rs"]
mod redis_server;

use std::error::Error;
use std::io::{self, Write};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use audian_events::MemoryDedupStore;
use audian_events::dedup::RedisDedupStore;
use audian_events::testing::call_lifecycle;
use audian_events::timeline::{MemoryTimelineStore, RedisTimelineStore};
use axum::Router;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const IN_FLIGHT: usize = 64;

/// Discards the receiver's lines (they would cost the same in both setups).
struct Sink;

impl Write for Sink {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

async fn serve(app: Router) -> SocketAddr {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await.expect("a loopback port");
    let address = listener.local_addr().expect("its address");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    address
}

/// `POST /webhooks` on a connection of its own; the status.
async fn post(address: SocketAddr, body: &[u8]) -> io::Result<u16> {
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
    let status = raw.get(9..12).and_then(|code| std::str::from_utf8(code).ok()?.parse().ok());
    status.ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "no status line"))
}

/// The bodies of `calls` lifecycles, each event once, with ids and calls of their own, shuffled.
fn bodies(calls: usize) -> Vec<Vec<u8>> {
    let mut runner = TestRunner::deterministic();
    let mut bodies: Vec<Vec<u8>> = (0..calls)
        .flat_map(|n| {
            let events = call_lifecycle().new_tree(&mut runner).unwrap().current();
            events.into_iter().enumerate().map(move |(k, event)| {
                let mut value = serde_json::to_value(&event).unwrap();
                value["id"] = format!("evt_bench_{n}_{k}").into();
                value["data"]["call_id"] = format!("call_bench_{n}").into();
                serde_json::to_vec(&value).unwrap()
            })
        })
        .collect();
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    for index in (1..bodies.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        bodies.swap(index, (state % (index as u64 + 1)) as usize);
    }
    bodies
}

/// Posts every body, `IN_FLIGHT` at a time, the n-th to `addresses[n % len]`; the time taken.
async fn run(addresses: &[SocketAddr], bodies: &Arc<Vec<Vec<u8>>>) -> Duration {
    let slots = Arc::new(tokio::sync::Semaphore::new(IN_FLIGHT));
    let started = Instant::now();
    let mut sending = Vec::with_capacity(bodies.len());
    for n in 0..bodies.len() {
        let (slots, bodies, address) = (Arc::clone(&slots), Arc::clone(bodies), addresses[n % addresses.len()]);
        sending.push(tokio::spawn(async move {
            let _slot = slots.acquire_owned().await.unwrap();
            let status = post(address, &bodies[n]).await.expect("an answer");
            assert_eq!(status, 200, "delivery {n}");
        }));
    }
    for sent in sending {
        sent.await.unwrap();
    }
    started.elapsed()
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let calls: usize = std::env::args().nth(1).map_or(Ok(500), |text| text.parse())?;
    let binary = redis_server::redis_server_binary().ok_or(redis_server::NO_REDIS_SERVER_BINARY)?;
    let server = redis_server::RedisServer::start(binary, false);
    let bodies = Arc::new(bodies(calls));
    let events = bodies.len();

    let memory = serve(receiver::app(MemoryDedupStore::default(), MemoryTimelineStore::default(), Sink)).await;
    let mut shared = Vec::new();
    let prefix = redis_server::unique_prefix("throughput");
    for _ in 0..2 {
        let dedup = RedisDedupStore::builder(server.url()).key_prefix(format!("{prefix}dedup:")).connect().await?;
        let calls = RedisTimelineStore::builder(server.url()).key_prefix(format!("{prefix}calls:")).connect().await?;
        shared.push(serve(receiver::app(dedup, calls, Sink)).await);
    }

    let in_memory = run(&[memory], &bodies).await;
    let in_redis = run(&shared, &bodies).await;
    let rate = |took: Duration| events as f64 / took.as_secs_f64();
    println!("{events} events of {calls} calls, {IN_FLIGHT} in flight, one connection per request:");
    println!("  one receiver, in memory:        {in_memory:>10.2?}  {:>8.0} events/s", rate(in_memory));
    println!("  two receivers sharing Redis:    {in_redis:>10.2?}  {:>8.0} events/s", rate(in_redis));
    println!("  ratio (Redis / memory):         {:.2}", rate(in_redis) / rate(in_memory));
    Ok(())
}
