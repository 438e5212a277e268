//! [`WebhookReceiver`]: validation, dedup and the user's callback, as one `POST` route.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ::axum::Router;
use ::axum::extract::Request;
use ::axum::http::StatusCode;
use ::axum::response::{IntoResponse, Response};
use ::axum::routing::{MethodRouter, post};
use serde_json::json;

use super::extract::{BodyLimit, InvalidContent, Options, json_response, read_event};
use super::log::DriftLog;
use crate::dedup::{DedupError, DedupStore};
use crate::validation::{Accepted, Reading};
use crate::{Event, EventId};

type StoreErrorHook = dyn Fn(&EventId, &DedupError) + Send + Sync;

/// A ready webhook endpoint: validates each delivery, drops retries of events already handled,
/// and hands each new event to an async callback.
///
/// For each `POST`:
///
/// 1. the body is read and checked as by [`ValidatedEvent`](super::ValidatedEvent), at most
///    [`body_limit`](Self::body_limit) bytes, in the [tolerant reading](Reading::Tolerant)
///    unless [`reading`](Self::reading) says otherwise. A body that is not JSON is answered 400,
///    JSON that is not an Audian event envelope 422, and an event whose content the reading
///    refuses 500 (retryable; see [`invalid_content`](Self::invalid_content)), logged as an
///    error. An event the tolerant reading accepts with [drift](crate::validation::Drift) is
///    logged as a warning, at most once a minute for each distinct drift;
/// 2. the [`DedupStore`] is asked whether the event's id is new. A retry of an event already
///    handled (or being handled) is answered 200 without calling the callback; a store that
///    cannot answer gives 503, so that Audian sends the event again later;
/// 3. the callback is called with the [`Event`], or with the [`Accepted`] event and its drift if
///    it takes one. An event type this version does not know reaches it as
///    [`Event::Unknown`]: ignoring it is the callback's choice. `Ok` answers 200. `Err` answers 500 and the
///    id is [forgotten](DedupStore::forget), so that Audian's retry is handled instead of being
///    dropped as a duplicate (tried again while the store is unavailable, for the
///    [`forget_patience`](Self::forget_patience)). The same holds if the handling is cut short:
///    should the callback panic, or the connection be dropped while it runs, the id is forgotten
///    in the background.
///
/// A [`TimelineStore`](crate::timeline::TimelineStore) is updated in the callback: push the
/// event, and return the store's error, so that a store that cannot answer gives 500 and the
/// retry is handled (`audian-events/examples/receiver.rs` does it, with Redis or in memory):
///
/// ```ignore
/// calls.push(event).await?;                // TimelineStoreError: answered 500, id forgotten
/// let state = calls.state(&call_id).await?;
/// ```
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
///
/// The callback takes an [`Event`], or an [`Accepted`] to see the drift too:
///
/// ```
/// use std::convert::Infallible;
///
/// use audian_events::axum::WebhookReceiver;
/// use audian_events::{Accepted, MemoryDedupStore};
///
/// let receiver = WebhookReceiver::new(MemoryDedupStore::default(), |accepted: Accepted| async move {
///     if !accepted.drift.is_empty() {
///         println!("{} has fields this version does not know: {}", accepted.event.id(), accepted.drift.pointers());
///     }
///     Ok::<(), Infallible>(())
/// });
/// ```
pub struct WebhookReceiver<S, F, A = Event> {
    store: S,
    callback: F,
    options: Options,
    drift_log: DriftLog,
    on_store_error: Option<Box<StoreErrorHook>>,
    forget_patience: Duration,
    forget_when_unsure: bool,
    argument: PhantomData<fn(A)>,
}

/// How long forgetting an id is retried while the store is unavailable, unless
/// [`WebhookReceiver::forget_patience`] sets another.
const DEFAULT_FORGET_PATIENCE: Duration = Duration::from_secs(5);

impl<S, F, Fut, E, A> WebhookReceiver<S, F, A>
where
    S: DedupStore + 'static,
    F: Fn(A) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), E>> + Send + 'static,
    E: 'static,
    A: From<Accepted> + 'static,
{
    /// A receiver that records ids in `store` and hands each new event to `callback`.
    ///
    /// `store` may be shared with other code (or other receivers) as an `Arc` or a `&'static`
    /// reference: [`DedupStore`] is implemented for both.
    pub fn new(store: S, callback: F) -> Self {
        WebhookReceiver {
            store,
            callback,
            options: Options::default(),
            drift_log: DriftLog::default(),
            on_store_error: None,
            forget_patience: DEFAULT_FORGET_PATIENCE,
            forget_when_unsure: false,
            argument: PhantomData,
        }
    }

    /// Refuses bodies larger than `bytes` with 413 (default: [`BodyLimit::DEFAULT`], 256 KiB).
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.options.limit = BodyLimit::bytes(bytes);
        self
    }

    /// The reading of the schemas: [`Reading::Tolerant`] by default, for production, so that no
    /// event is lost because Audian added a field, an event type or an enumeration value;
    /// [`Reading::Strict`] for staging and tests, to refuse anything the schemas do not say.
    pub fn reading(mut self, reading: Reading) -> Self {
        self.options.reading = reading;
        self
    }

    /// How an event whose content the reading refuses is answered: 500 by default, so that
    /// Audian sends it again (see [`InvalidContent`] for why), or 422.
    pub fn invalid_content(mut self, answer: InvalidContent) -> Self {
        self.options.invalid_content = answer;
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

    /// How long the id of an event whose handling failed is tried to be forgotten while the
    /// dedup store is unavailable, before the delivery is answered (5 seconds by default).
    ///
    /// The callback fails most often because a store shared with the dedup store (the same Redis)
    /// went down; if its id stayed recorded, Audian's retry would be dropped as a duplicate and
    /// the event lost. Audian retries only after the answer, so the receiver keeps trying to
    /// forget, every 100 ms, before answering 500: an outage shorter than this loses nothing.
    pub fn forget_patience(mut self, patience: Duration) -> Self {
        self.forget_patience = patience;
        self
    }

    /// Whether the id of a delivery answered 503 (the dedup store could not say whether it is
    /// new) is forgotten before the answer, tried for the [`forget_patience`](Self::forget_patience);
    /// false by default.
    ///
    /// The store may have recorded the id all the same (Redis wrote it, and went down before its
    /// answer arrived): then every retry is dropped as a duplicate and the event is never handled.
    /// Forgetting the id lets the retry through, at a cost: if another delivery of the same event
    /// was let through meanwhile, the event may be handled twice. Turn it on when the callback is
    /// idempotent, such as a [`TimelineStore`](crate::timeline::TimelineStore) push, which adds each
    /// event once.
    pub fn forget_when_unsure(mut self, forget: bool) -> Self {
        self.forget_when_unsure = forget;
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
        let accepted = match read_event(request, self.options).await {
            Ok(accepted) => accepted,
            Err(rejection) => return rejection.into_response(),
        };
        self.drift_log.warn(&accepted.event, &accepted.drift);
        let id = accepted.event.id().clone();
        match self.store.first_time(&id).await {
            Ok(true) => {}
            Ok(false) => return json_response(StatusCode::OK, &json!({"status": "duplicate", "id": id})),
            Err(error) => {
                self.report(&id, &error);
                if self.forget_when_unsure
                    && let Err(error) = self.forget_patiently(&id).await
                {
                    self.report(&id, &error);
                }
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
        let handled = (self.callback)(A::from(accepted)).await.is_ok();
        if handled {
            guard.disarm();
            return json_response(StatusCode::OK, &json!({"status": "handled", "id": id}));
        }
        let forgotten = self.forget_patiently(&id).await;
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

impl<S: DedupStore, F, A> WebhookReceiver<S, F, A> {
    /// Forgets `id`, trying again while the store is unavailable, for the
    /// [`forget_patience`](Self::forget_patience).
    async fn forget_patiently(&self, id: &EventId) -> Result<(), DedupError> {
        let deadline = Instant::now() + self.forget_patience;
        loop {
            match self.store.forget(id).await {
                Err(error) if error.is_transient() && Instant::now() < deadline => {
                    self.report(id, &error);
                    tokio::time::sleep(FORGET_RETRY_DELAY).await;
                }
                forgotten => return forgotten,
            }
        }
    }
}

/// The time between two tries of forgetting an id.
const FORGET_RETRY_DELAY: Duration = Duration::from_millis(100);

impl<S, F, A> WebhookReceiver<S, F, A> {
    fn report(&self, id: &EventId, error: &DedupError) {
        if let Some(hook) = &self.on_store_error {
            hook(id, error);
        }
    }
}

impl<S, F, A> fmt::Debug for WebhookReceiver<S, F, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookReceiver")
            .field("body_limit", &self.options.limit.get())
            .field("reading", &self.options.reading)
            .field("invalid_content", &self.options.invalid_content)
            .field("on_store_error", &self.on_store_error.is_some())
            .field("forget_patience", &self.forget_patience)
            .field("forget_when_unsure", &self.forget_when_unsure)
            .finish_non_exhaustive()
    }
}

/// Forgets the id of an event whose handling did not finish (a panic in the callback, or the
/// request's future dropped when the client went away), so that Audian's retry is handled.
struct ForgetOnDrop<S: DedupStore + 'static, F: Send + Sync + 'static, A: 'static> {
    receiver: Arc<WebhookReceiver<S, F, A>>,
    id: Option<EventId>,
}

impl<S: DedupStore + 'static, F: Send + Sync + 'static, A: 'static> ForgetOnDrop<S, F, A> {
    fn disarm(mut self) {
        self.id = None;
    }
}

impl<S: DedupStore + 'static, F: Send + Sync + 'static, A: 'static> Drop for ForgetOnDrop<S, F, A> {
    fn drop(&mut self) {
        let Some(id) = self.id.take() else { return };
        // The future is gone, so forgetting is spawned. axum serves on Tokio; without a runtime
        // (not under axum) there is nowhere to run it, and the id stays until its time-to-live.
        let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
        let receiver = Arc::clone(&self.receiver);
        runtime.spawn(async move {
            if let Err(error) = receiver.forget_patiently(&id).await {
                receiver.report(&id, &error);
            }
        });
    }
}
