//! Receiving Audian webhooks with [axum](https://docs.rs/axum/0.8) (feature `axum`).
//!
//! Two levels, pick one:
//!
//! - [`WebhookReceiver`]: a ready `POST` route. It validates each delivery, drops retries of
//!   events already handled through any [`DedupStore`](crate::dedup::DedupStore), and hands each
//!   new [`Event`](crate::Event) to your async callback. A callback error answers 500, so that
//!   Audian sends the event again, and that retry is handled rather than dropped as a duplicate.
//! - [`ValidatedEvent`]: the extractor underneath, for your own handlers. It reads the raw body
//!   (at most [`BodyLimit`], 256 KiB by default) and refuses what is not a valid event.
//!
//! ```no_run
//! use std::convert::Infallible;
//! use std::sync::{Arc, Mutex};
//!
//! use audian_events::axum::WebhookReceiver;
//! use audian_events::{CallTimelines, Event, MemoryDedupStore};
//!
//! # async fn run() -> std::io::Result<()> {
//! let calls = Arc::new(Mutex::new(CallTimelines::default()));
//! let app = WebhookReceiver::new(MemoryDedupStore::default(), move |event: Event| {
//!     let calls = Arc::clone(&calls);
//!     async move {
//!         println!("{} {}", event.id(), event.event_type());
//!         if event.call_id().is_some() {
//!             calls.lock().unwrap().push(event).expect("the event names its call");
//!         }
//!         Ok::<(), Infallible>(())
//!     }
//! })
//! .into_router("/webhooks");
//!
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//! axum::serve(listener, app).await
//! # }
//! ```
//!
//! # Answers
//!
//! Every answer to a `POST` has a JSON body. A delivery is refused, before your callback sees
//! it, with
//!
//! | status | when | body |
//! |---|---|---|
//! | 415 | the `Content-Type` is not JSON (`application/json`, with or without parameters such as `; charset=utf-8`, or an `application/*+json` type) | `{"error": "unsupported_media_type", "message": ...}` |
//! | 413 | the body is larger than the [`BodyLimit`] | `{"error": "payload_too_large", "message": ..., "limit": 262144}` |
//! | 400 | the body is not JSON | `{"error": "malformed_json", "message": ..., "line": 1, "column": 8}` |
//! | 422 | the body is JSON but not a valid event | `{"error": "invalid_event", "message": ..., "errors": [{"path": "/data/from", "keyword": "pattern", "message": ...}]}` |
//!
//! and [`WebhookReceiver`] then answers
//!
//! | status | when | body |
//! |---|---|---|
//! | 200 | your callback handled the event | `{"status": "handled", "id": "evt_..."}` |
//! | 200 | the event was already handled (a retry): your callback is not called | `{"status": "duplicate", "id": "evt_..."}` |
//! | 500 | your callback failed: the id is forgotten, so Audian's retry is handled | `{"error": "handler_failed", "id": "evt_...", "message": ...}` |
//! | 503 | the dedup store could not answer: your callback is not called | `{"error": "dedup_store_unavailable", "id": "evt_...", "message": ...}` |
//!
//! A 4xx tells the sender that sending the same body again will not help; a 5xx that it may.
//! An event type this version of the crate does not know fails validation (422): update the
//! crate when Audian adds one.
//!
//! # Signatures
//!
//! The Audian reference documents no webhook signature, so none is checked. The place where
//! one would be checked is marked in the source of the body reading: on the raw bytes, before
//! they are parsed and before the dedup store records the id. Until then, anyone who can reach
//! the endpoint can post events to it: keep its address private and restrict who can reach it.

#![warn(missing_docs)]

mod extract;
mod receiver;

pub use extract::{BodyLimit, EventRejection, ValidatedEvent};
pub use receiver::WebhookReceiver;
