//! Receiving Audian webhooks with [axum](https://docs.rs/axum/0.8) (feature `axum`).
//!
//! Two levels, pick one:
//!
//! - [`WebhookReceiver`]: a ready `POST` route. It validates each delivery, drops retries of
//!   events already handled through any [`DedupStore`](crate::dedup::DedupStore), and hands each
//!   new [`Event`](crate::Event) to your async callback. A callback error answers 500, so that
//!   Audian sends the event again, and that retry is handled rather than dropped as a duplicate.
//!   It reads tolerantly by default: see [When Audian changes](#when-audian-changes).
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
//! | 422 | the body is JSON but not an Audian event: no valid envelope (an event `id`, a date-time `timestamp`, a non-empty string `event`, an object `data`) | `{"error": "not_an_event", "message": ..., "errors": [{"path": "/id", "keyword": "required", "message": ...}]}` |
//! | 500 | an Audian event whose content the [reading](crate::Reading) refuses (a type changed, a required field gone, a pattern broken); logged as an error | `{"error": "invalid_event", "message": ..., "retry": true, "errors": [{"path": "/data/from", "keyword": "pattern", "message": ...}]}` |
//! | 422 | the same, with [`InvalidContent::Refuse`] | the same, with `"retry": false` |
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
//!
//! # When Audian changes
//!
//! Both levels read [tolerantly](crate::Reading::Tolerant) by default: a field, an event type
//! or an enumeration value that Audian adds is accepted (an unknown event type reaches you as
//! [`Event::Unknown`](crate::Event::Unknown), answered 200 once your callback returns `Ok`) and
//! reported as [drift](crate::validation::Drift), which the receiver logs through `tracing` as
//! a warning, once a minute for each distinct drift. Anything else the schemas refuse keeps
//! being refused; since such a delivery is still an Audian event, it is answered 500 by default
//! so that Audian retries it until you have updated the crate or fixed the bug, rather than
//! dropping it for good. The id of a refused event is not recorded, so the retry is handled.
//! [`WebhookReceiver::reading`] with [`Reading::Strict`](crate::Reading::Strict) (or the
//! `Reading` request extension, for [`ValidatedEvent`]) refuses anything new, for staging and
//! tests.
//!
//! # Signatures
//!
//! The Audian reference documents no webhook signature, so none is checked. The place where
//! one would be checked is marked in the source of the body reading: on the raw bytes, before
//! they are parsed and before the dedup store records the id. Until then, anyone who can reach
//! the endpoint can post events to it: keep its address private and restrict who can reach it.

#![warn(missing_docs)]

mod extract;
mod log;
mod receiver;

pub use extract::{BodyLimit, EventRejection, InvalidContent, ValidatedEvent};
pub use receiver::WebhookReceiver;
