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

use audian_events::axum::WebhookReceiver;
use audian_events::timeline::call_id_of;
use audian_events::{Accepted, CallTimelines, Event, MemoryDedupStore};
use axum::Router;

/// The receiver's router: `POST /webhooks` drops retries (in memory), adds each new event to
/// its call's timeline in `calls`, and writes one line per handled event to `log`.
pub fn app(calls: Arc<Mutex<CallTimelines>>, log: impl Write + Send + 'static) -> Router {
    let log = Arc::new(Mutex::new(log));
    WebhookReceiver::new(MemoryDedupStore::default(), move |accepted: Accepted| {
        let calls = Arc::clone(&calls);
        let log = Arc::clone(&log);
        async move {
            let mut line = handle(&calls, accepted.event);
            if !accepted.drift.is_empty() {
                line = format!("{line} drift={}", accepted.drift.pointers());
            }
            let mut log = log.lock().unwrap_or_else(PoisonError::into_inner);
            writeln!(log, "{line}")?;
            log.flush()
        }
    })
    .on_store_error(|id, error| eprintln!("dedup store error for {id}: {error}"))
    .into_router("/webhooks")
}

/// Adds `event` to its call's timeline; returns the log line.
fn handle(calls: &Mutex<CallTimelines>, event: Event) -> String {
    let head = format!("{} {}", event.id(), event.event_type());
    let Some(call_id) = call_id_of(&event) else {
        return format!("{head} (no call)");
    };
    let mut calls = calls.lock().unwrap_or_else(PoisonError::into_inner);
    if let Err(error) = calls.push(event) {
        return format!("{head} {call_id} not added to its call: {error}");
    }
    let state = calls.state(&call_id).expect("the call was just pushed to");
    let status = state.status.map_or_else(|| "none".to_owned(), |status| status.to_string());
    format!("{head} {call_id} status={status} events={}", state.event_count)
}

/// The port: the first argument, else `PORT`, else 3000.
fn port() -> Result<u16, String> {
    let (text, source) = match (std::env::args().nth(1), std::env::var("PORT")) {
        (Some(argument), _) => (argument, "the first argument"),
        (None, Ok(variable)) => (variable, "PORT"),
        (None, Err(_)) => return Ok(3000),
    };
    text.parse().map_err(|_| format!("{source} is `{text}`, not a port number (0 to 65535)"))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let port = port().unwrap_or_else(|message| {
        eprintln!("{message}\nusage: receiver [PORT]");
        std::process::exit(2);
    });
    // The receiver's warnings (drift) and errors (refused events), on standard error.
    tracing_subscriber::fmt().with_writer(io::stderr).init();
    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await?;
    eprintln!("listening on http://{}/webhooks (Ctrl-C to stop)", listener.local_addr()?);
    let calls = Arc::new(Mutex::new(CallTimelines::default()));
    axum::serve(listener, app(calls, io::stdout()))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
