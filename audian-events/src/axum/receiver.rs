//! [`WebhookReceiver`]: validation, dedup and the user's callback, as one `POST` route.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use ::axum::Router;
use ::axum::extract::Request;
use ::axum::http::StatusCode;
use ::axum::response::{IntoResponse, Response};
use ::axum::routing::{MethodRouter, post};
use serde_json::json;

use super::extract::{BodyLimit, json_response, read_event};
use crate::dedup::{DedupError, DedupStore};
use crate::{Event, EventId};

type StoreErrorHook = dyn Fn(&EventId, &DedupError) + Send + Sync;

/// A ready webhook endpoint: validates each delivery, drops retries of events already handled,
/// and hands each new event to an async callback.
///
/// For each `POST`:
///
/// 1. the body is read and checked as by [`ValidatedEvent`](super::ValidatedEvent) (4xx if it is
///    not a valid event, at most [`body_limit`](Self::body_limit) bytes);
/// 2. the [`DedupStore`] is asked whether the event's id is new. A retry of an event already
///    handled (or being handled) is answered 200 without calling the callback; a store that
///    cannot answer gives 503, so that Audian sends the event again later;
/// 3. the callback is called with the [`Event`]. `Ok` answers 200. `Err` answers 500 and the
///    id is [forgotten](DedupStore::forget), so that Audian's retry is handled instead of being
///    dropped as a duplicate. The same holds if the handling is cut short: should the callback
///    panic, or the connection be dropped while it runs, the id is forgotten in the background.
///
/// The callback's error is not sent back (it may hold internal details): log it in the
/// callback. Store errors are not sent back either; see
/// [`on_store_error`](Self::on_store_error). The module documentation lists every
/// [answer](super#answers).
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicUsize, Ordering};
///
/// use axum::Router;
/// use audian_events::axum::WebhookReceiver;
/// use audian_events::{Event, MemoryDedupStore};
///
/// #[derive(Debug)]
/// struct Unavailable;
///
/// let handled = Arc::new(AtomicUsize::new(0));
/// let counter = Arc::clone(&handled);
/// let receiver = WebhookReceiver::new(MemoryDedupStore::default(), move |event: Event| {
///     let counter = Arc::clone(&counter);
///     async move {
///         if let Event::CallCompleted(completed) = &event {
///             println!("call {} lasted {}s", completed.data.call_id, completed.data.duration);
///         }
///         // An error (say, the database is down) answers 500: Audian retries.
///         counter.fetch_add(1, Ordering::Relaxed);
///         Ok::<(), Unavailable>(())
///     }
/// })
/// .body_limit(64 * 1024)
/// .on_store_error(|id, error| eprintln!("cannot tell whether {id} is a retry: {error}"));
///
/// // A router of its own, or a route of yours (with any state):
/// let app: Router = Router::new().route("/audian/webhooks", receiver.into_method_router());
/// ```
pub struct WebhookReceiver<S, F> {
    store: S,
    callback: F,
    limit: BodyLimit,
    on_store_error: Option<Box<StoreErrorHook>>,
}

impl<S, F, Fut, E> WebhookReceiver<S, F>
where
    S: DedupStore + 'static,
    F: Fn(Event) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), E>> + Send + 'static,
    E: 'static,
{
    /// A receiver that records ids in `store` and hands each new event to `callback`.
    ///
    /// `store` may be shared with other code (or other receivers) as an `Arc` or a `&'static`
    /// reference: [`DedupStore`] is implemented for both.
    pub fn new(store: S, callback: F) -> Self {
        WebhookReceiver { store, callback, limit: BodyLimit::DEFAULT, on_store_error: None }
    }

    /// Refuses bodies larger than `bytes` with 413 (default: [`BodyLimit::DEFAULT`], 256 KiB).
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.limit = BodyLimit::bytes(bytes);
        self
    }

    /// Calls `hook` when the dedup store fails, with the event's id and the error: when it
    /// cannot tell whether an event is new (the delivery is answered 503), and when it cannot
    /// forget the id of an event whose handling failed (a retry within the store's time-to-live
    /// is then dropped as a duplicate). Use it to log the error.
    pub fn on_store_error(mut self, hook: impl Fn(&EventId, &DedupError) + Send + Sync + 'static) -> Self {
        self.on_store_error = Some(Box::new(hook));
        self
    }

    /// A router with one route: `POST path`. Other methods on `path` are answered
    /// 405 Method Not Allowed, other paths 404.
    ///
    /// # Panics
    ///
    /// If `path` is not a valid axum route path (it must start with `/`).
    pub fn into_router<T: Clone + Send + Sync + 'static>(self, path: &str) -> Router<T> {
        Router::new().route(path, self.into_method_router())
    }

    /// The `POST` route alone, to mount in a router of yours with
    /// [`Router::route`](::axum::Router::route), whatever its state.
    pub fn into_method_router<T: Clone + Send + Sync + 'static>(self) -> MethodRouter<T> {
        let receiver = Arc::new(self);
        post(move |request: Request| Arc::clone(&receiver).handle(request))
    }

    async fn handle(self: Arc<Self>, request: Request) -> Response {
        let event = match read_event(request, self.limit).await {
            Ok(event) => event,
            Err(rejection) => return rejection.into_response(),
        };
        let id = event.id().clone();
        match self.store.first_time(&id).await {
            Ok(true) => {}
            Ok(false) => return json_response(StatusCode::OK, &json!({"status": "duplicate", "id": id})),
            Err(error) => {
                self.report(&id, &error);
                return json_response(
                    StatusCode::SERVICE_UNAVAILABLE,
                    &json!({
                        "error": "dedup_store_unavailable",
                        "id": id,
                        "message": "the receiver cannot tell whether this event was already handled; send it again later",
                    }),
                );
            }
        }

        // From here until the outcome is settled, a panic or a dropped future forgets the id.
        let guard = ForgetOnDrop { receiver: Arc::clone(&self), id: Some(id.clone()) };
        let handled = (self.callback)(event).await.is_ok();
        if handled {
            guard.disarm();
            return json_response(StatusCode::OK, &json!({"status": "handled", "id": id}));
        }
        let forgotten = self.store.forget(&id).await;
        guard.disarm();
        let message = match forgotten {
            Ok(()) => "the event was not handled; send it again",
            Err(error) => {
                self.report(&id, &error);
                "the event was not handled, and the receiver could not forget it: a retry may be dropped as a duplicate"
            }
        };
        json_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            &json!({"error": "handler_failed", "id": id, "message": message}),
        )
    }
}

impl<S, F> WebhookReceiver<S, F> {
    fn report(&self, id: &EventId, error: &DedupError) {
        if let Some(hook) = &self.on_store_error {
            hook(id, error);
        }
    }
}

impl<S, F> fmt::Debug for WebhookReceiver<S, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookReceiver")
            .field("body_limit", &self.limit.get())
            .field("on_store_error", &self.on_store_error.is_some())
            .finish_non_exhaustive()
    }
}

/// Forgets the id of an event whose handling did not finish (a panic in the callback, or the
/// request's future dropped when the client went away), so that Audian's retry is handled.
struct ForgetOnDrop<S: DedupStore + 'static, F: Send + Sync + 'static> {
    receiver: Arc<WebhookReceiver<S, F>>,
    id: Option<EventId>,
}

impl<S: DedupStore + 'static, F: Send + Sync + 'static> ForgetOnDrop<S, F> {
    fn disarm(mut self) {
        self.id = None;
    }
}

impl<S: DedupStore + 'static, F: Send + Sync + 'static> Drop for ForgetOnDrop<S, F> {
    fn drop(&mut self) {
        let Some(id) = self.id.take() else { return };
        // The future is gone, so forgetting is spawned. axum serves on Tokio; without a runtime
        // (not under axum) there is nowhere to run it, and the id stays until its time-to-live.
        let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
        let receiver = Arc::clone(&self.receiver);
        runtime.spawn(async move {
            if let Err(error) = receiver.store.forget(&id).await {
                receiver.report(&id, &error);
            }
        });
    }
}
