//! A webhook receiver on `127.0.0.1`: `POST /webhooks`, retries dropped, each call's state kept.
//!
//! ```sh
//! cargo run -p audian-events --example receiver --features axum -- 3000    # or PORT=3000
//! curl -i -X POST http://127.0.0.1:3000/webhooks -H 'Content-Type: application/json' \
//!     --data @schema/examples/call.completed.json
//! ```
//!
//! It writes one line to standard output per event handled (not for a retry, nor a refused
//! request): the event's id and type, its call, and the call's state so far, such as
//!
//! ```text
//! evt_1234567890abcdef call.completed call_xyz789 status=completed events=1
//! ```
//!
//! It keeps event ids and calls in memory. With `--redis URL` (or `AUDIAN_REDIS_URL`, and the
//! feature `redis`), it keeps both in Redis instead, so that several receivers behind a load
//! balancer share them: each event is handled by one of them, and `status=` and `events=` are
//! then those of the call's events received by all of them.
//!
//! ```sh
//! cargo run -p audian-events --example receiver --features axum,redis -- 3000 --redis redis://127.0.0.1:6379/
//! ```
//!
//! If the calls cannot be updated (Redis is down), it tries again for 5 seconds, then answers
//! 500 and forgets the id, so that Audian's retry is handled; a delivery the dedup store cannot
//! answer about is answered 503 and its id forgotten too. Each event is printed once: by the
//! delivery whose push added it to its call.
//!
//! It reads tolerantly, as a production receiver should: an event with something Audian added
//! is handled, and its line ends with ` drift=` and the JSON Pointers of what the strict reading
//! refused (`drift=/data/carrier`; `drift=/event` for an event type this version does not know).
//! An Audian event whose content it refuses is answered 500, so that Audian sends it again.
//!
//! The integration tests (`tests/tests/receiver_http.rs`) serve this file's [`app`] over HTTP.

use std::error::Error;
use std::io::{self, Write};
use std::net::Ipv4Addr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use audian_events::axum::WebhookReceiver;
use audian_events::dedup::DedupStore;
use audian_events::timeline::{
    MemoryTimelineStore, Pushed, TimelineStore, TimelineStoreError, TimelineStoreErrorKind, call_id_of,
};
use audian_events::{Accepted, Event, MemoryDedupStore};
use axum::Router;

/// The receiver's router: `POST /webhooks` drops retries through `dedup`, adds each new event to
/// its call's timeline in `calls`, and writes one line per handled event to `log`. An error of
/// `calls` that may pass (Redis down) answers 500 and forgets the id, so that the retry is handled.
pub fn app<D, T>(dedup: D, calls: T, log: impl Write + Send + 'static) -> Router
where
    D: DedupStore + 'static,
    T: TimelineStore + Clone + 'static,
{
    let log = Arc::new(Mutex::new(log));
    WebhookReceiver::new(dedup, move |accepted: Accepted| {
        let calls = calls.clone();
        let log = Arc::clone(&log);
        async move {
            let line = handle(&calls, accepted.event).await.map_err(|error| {
                eprintln!("timeline store error: {error}");
                io::Error::other(error)
            })?;
            let Some(mut line) = line else { return Ok(()) };
            if !accepted.drift.is_empty() {
                line = format!("{line} drift={}", accepted.drift.pointers());
            }
            let mut log = log.lock().unwrap_or_else(PoisonError::into_inner);
            writeln!(log, "{line}")?;
            log.flush()
        }
    })
    // A delivery the dedup store could not answer about may have been recorded all the same (the
    // answer lost as Redis went down): its id is forgotten, so that the retry is handled. A
    // delivery of the same event being handled meanwhile is then settled by the timeline
    // store's push, which adds each event once.
    .forget_when_unsure(true)
    .on_store_error(|id, error| eprintln!("dedup store error for {id}: {error}"))
    .into_router("/webhooks")
}

/// How long the calls are tried again while their store is unavailable, before the delivery is
/// answered 500 (and its id forgotten, so that Audian's retry is handled).
const PATIENCE: Duration = Duration::from_secs(5);

/// Adds `event` to its call's timeline; returns the log line (none if another delivery of the
/// event added it), or the store's error when the event should be sent again.
async fn handle(calls: &impl TimelineStore, event: Event) -> Result<Option<String>, TimelineStoreError> {
    let head = format!("{} {}", event.id(), event.event_type());
    let Some(call_id) = call_id_of(&event) else {
        return Ok(Some(format!("{head} (no call)")));
    };
    let deadline = Instant::now() + PATIENCE;
    // Whether an earlier try of this delivery may have added the event, its answer lost.
    let mut unsure = false;
    let pushed = loop {
        match calls.push(event.clone()).await {
            Ok(pushed) => break pushed,
            // Sending the event again does not help these.
            Err(error) if matches!(error.kind(), TimelineStoreErrorKind::CallFull | TimelineStoreErrorKind::NoCall) => {
                return Ok(Some(format!("{head} {call_id} not added to its call: {error}")));
            }
            Err(error) if error.is_transient() && Instant::now() < deadline => {
                unsure = true;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(error) => return Err(error),
        }
    };
    if pushed == Pushed::Duplicate && !unsure {
        return Ok(None);
    }
    let state = loop {
        match calls.state(&call_id).await {
            Ok(state) => break state,
            Err(error) if error.is_transient() && Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(error) => return Err(error),
        }
    };
    let Some(state) = state else {
        return Ok(Some(format!("{head} {call_id} not added to its call: it expired at once")));
    };
    let status = state.status.map_or_else(|| "none".to_owned(), |status| status.to_string());
    Ok(Some(format!("{head} {call_id} status={status} events={}", state.event_count)))
}

/// What the command line and the environment ask for.
struct Settings {
    port: u16,
    redis: Option<String>,
}

const USAGE: &str = "usage: receiver [PORT] [--redis URL]";

/// The port: the first argument, else `PORT`, else 3000. Redis: `--redis URL`, else
/// `AUDIAN_REDIS_URL`, else none (memory).
fn settings() -> Result<Settings, String> {
    let mut port = None;
    let mut redis = None;
    let mut args = std::env::args().skip(1);
    while let Some(argument) = args.next() {
        if argument == "--redis" {
            redis = Some(args.next().ok_or("--redis needs a URL, such as redis://127.0.0.1:6379/")?);
        } else if let Some(url) = argument.strip_prefix("--redis=") {
            redis = Some(url.to_owned());
        } else if port.is_none() && !argument.starts_with('-') {
            port = Some((argument, "the first argument"));
        } else {
            return Err(format!("`{argument}` is not an argument this receiver takes"));
        }
    }
    let port = match port.or_else(|| std::env::var("PORT").ok().map(|variable| (variable, "PORT"))) {
        Some((text, source)) => {
            text.parse().map_err(|_| format!("{source} is `{text}`, not a port number (0 to 65535)"))?
        }
        None => 3000,
    };
    let redis = redis.or_else(|| std::env::var("AUDIAN_REDIS_URL").ok().filter(|url| !url.is_empty()));
    Ok(Settings { port, redis })
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let settings = settings().unwrap_or_else(|message| {
        eprintln!("{message}\n{USAGE}");
        std::process::exit(2);
    });
    // The receiver's warnings (drift) and errors (refused events), on standard error.
    tracing_subscriber::fmt().with_writer(io::stderr).init();
    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, settings.port)).await?;
    let app = match &settings.redis {
        None => app(MemoryDedupStore::default(), MemoryTimelineStore::default(), io::stdout()),
        Some(url) => redis_app(url).await?,
    };
    eprintln!("listening on http://{}/webhooks (Ctrl-C to stop)", listener.local_addr()?);
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

/// The router with event ids and calls in the Redis server at `url`.
#[cfg(feature = "redis")]
async fn redis_app(url: &str) -> Result<Router, Box<dyn Error>> {
    use audian_events::dedup::RedisDedupStore;
    use audian_events::timeline::RedisTimelineStore;

    let dedup = RedisDedupStore::connect(url).await?;
    let calls = RedisTimelineStore::connect(url).await?;
    eprintln!("event ids and calls in Redis at {}", redis_server(url));
    Ok(app(dedup, calls, io::stdout()))
}

#[cfg(not(feature = "redis"))]
async fn redis_app(_: &str) -> Result<Router, Box<dyn Error>> {
    Err("--redis (or AUDIAN_REDIS_URL) needs the feature `redis`: cargo run --example receiver --features axum,redis"
        .into())
}

/// `host:port` of a Redis URL, without credentials.
#[cfg(feature = "redis")]
fn redis_server(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split('/').next().unwrap_or(rest);
    authority.rsplit_once('@').map_or(authority, |(_, host)| host)
}
