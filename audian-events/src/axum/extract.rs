//! The [`ValidatedEvent`] extractor: the raw body, limited, checked and parsed.

use std::fmt;
use std::future::poll_fn;
use std::pin::Pin;

use ::axum::body::{Body, HttpBody};
use ::axum::extract::{FromRequest, Request};
use ::axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE, EXPECT};
use ::axum::http::{HeaderMap, HeaderValue, StatusCode};
use ::axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::validation::{Accepted, Drift, Reading};
use crate::{Event, ParseError, PayloadError, ValidationErrors};

/// The most bytes of body that [`ValidatedEvent`] and [`WebhookReceiver`](super::WebhookReceiver)
/// read; a larger body is refused with 413 Payload Too Large.
///
/// The default, 256 KiB, is far above any documented event (the largest is under 1 KiB). For the
/// extractor, set another limit as a request extension (the receiver has
/// [`body_limit`](super::WebhookReceiver::body_limit)):
///
/// ```
/// use axum::routing::post;
/// use axum::{Extension, Router};
/// use audian_events::axum::{BodyLimit, ValidatedEvent};
///
/// async fn webhook(ValidatedEvent(event, _drift): ValidatedEvent) -> &'static str {
///     println!("{} {}", event.id(), event.event_type());
///     "ok"
/// }
///
/// let app: Router = Router::new()
///     .route("/webhooks", post(webhook))
///     .layer(Extension(BodyLimit::bytes(64 * 1024)));
/// ```
///
/// axum's own `DefaultBodyLimit` does not apply: the body is read whole, up to this limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BodyLimit(usize);

impl BodyLimit {
    /// 256 KiB.
    pub const DEFAULT: BodyLimit = BodyLimit(256 * 1024);

    /// A limit of `bytes` bytes.
    pub const fn bytes(bytes: usize) -> Self {
        BodyLimit(bytes)
    }

    /// The limit, in bytes.
    pub const fn get(self) -> usize {
        self.0
    }
}

impl Default for BodyLimit {
    /// [`BodyLimit::DEFAULT`]: 256 KiB.
    fn default() -> Self {
        BodyLimit::DEFAULT
    }
}

/// How a delivery is answered whose envelope is valid but whose content the reading refuses (a
/// type changed, a required field gone, a pattern broken).
///
/// Such a body is an Audian event that this receiver cannot read: usually because Audian changed
/// something this version of the crate does not accept, sometimes because of a bug on either
/// side. A 4xx tells Audian that sending it again will not help, and the event is lost for good;
/// a 5xx has it sent again, which gives you the time to update the crate or fix the bug. So the
/// default is [`Retry`](InvalidContent::Retry).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum InvalidContent {
    /// 500, `"retry": true`: Audian keeps sending the event until the receiver accepts it.
    #[default]
    Retry,
    /// 422, `"retry": false`: the event is refused for good.
    Refuse,
}

/// An axum extractor: the request body as a typed [`Event`] that the reading accepts, with its
/// [`Drift`], or a refusal with a JSON body ([`EventRejection`]) that says why.
///
/// It reads the raw body, at most [`BodyLimit`] bytes (a request extension, 256 KiB if none),
/// and checks and parses it with [`Reading::parse`]: tolerantly, unless a request extension
/// says [`Reading::Strict`]; a body the reading refuses despite a valid envelope is answered as
/// the [`InvalidContent`] extension says (500, retryable, if none). It consumes the body, so it
/// is the last argument of a handler.
///
/// ```
/// use axum::routing::post;
/// use axum::{Extension, Router};
/// use audian_events::axum::ValidatedEvent;
/// use audian_events::{Event, Reading};
///
/// async fn webhook(ValidatedEvent(event, drift): ValidatedEvent) -> &'static str {
///     if !drift.is_empty() {
///         eprintln!("Audian sent what this version does not know: {drift}");
///     }
///     if let Event::CallCompleted(completed) = &event {
///         println!("{} lasted {}s", completed.data.call_id, completed.data.duration);
///     }
///     "ok"
/// }
///
/// let app: Router = Router::new().route("/webhooks", post(webhook));
/// // The strict reading, for a staging endpoint:
/// let staging: Router = Router::new().route("/webhooks", post(webhook)).layer(Extension(Reading::Strict));
/// ```
///
/// It does not drop retries: see [`WebhookReceiver`](super::WebhookReceiver), or the
/// [`dedup`](crate::dedup) module to do it in your handler.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidatedEvent(pub Event, pub Drift);

impl<S: Send + Sync> FromRequest<S> for ValidatedEvent {
    type Rejection = EventRejection;

    async fn from_request(request: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let options = Options {
            limit: request.extensions().get::<BodyLimit>().copied().unwrap_or_default(),
            reading: request.extensions().get::<Reading>().copied().unwrap_or_default(),
            invalid_content: request.extensions().get::<InvalidContent>().copied().unwrap_or_default(),
        };
        read_event(request, options).await.map(|accepted| ValidatedEvent(accepted.event, accepted.drift))
    }
}

/// How a delivery is read.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Options {
    pub(super) limit: BodyLimit,
    pub(super) reading: Reading,
    pub(super) invalid_content: InvalidContent,
}

/// Why [`ValidatedEvent`] refused a request. As a response, it is its [`status`](Self::status)
/// with the JSON body of [`to_json`](Self::to_json).
#[derive(Debug)]
#[non_exhaustive]
pub enum EventRejection {
    /// 415: the `Content-Type` is missing or not JSON.
    UnsupportedMediaType {
        /// The `Content-Type` sent, if any (`None` also when it is not visible ASCII).
        content_type: Option<String>,
    },
    /// 413: the body is larger than the limit.
    PayloadTooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// 400: the body could not be read to its end (the client went away, or sent a broken
    /// chunked encoding).
    UnreadableBody(::axum::Error),
    /// 400: the body is not JSON (a syntax error, invalid UTF-8, a duplicate key, nesting too
    /// deep).
    Malformed(ParseError),
    /// 422: the body is JSON but not an Audian event: no valid envelope (an event `id`, a
    /// date-time `timestamp`, a non-empty string `event`, an object `data`).
    NotAnEvent(ValidationErrors),
    /// 500 when `retry` (the default: see [`InvalidContent`]), 422 otherwise: an Audian event
    /// whose content the reading refuses.
    Invalid {
        /// Every error, with its path.
        errors: ValidationErrors,
        /// Whether the answer asks Audian to send the event again.
        retry: bool,
    },
}

impl EventRejection {
    /// The status code of the answer.
    pub fn status(&self) -> StatusCode {
        match self {
            EventRejection::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            EventRejection::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            EventRejection::UnreadableBody(_) | EventRejection::Malformed(_) => StatusCode::BAD_REQUEST,
            EventRejection::NotAnEvent(_) | EventRejection::Invalid { retry: false, .. } => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            EventRejection::Invalid { retry: true, .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The body of the answer: `error` (a stable code), `message` (for people), and `limit`
    /// (413), `line` and `column` (400, malformed JSON) or `errors` (422 or 500, each with
    /// `path`, `keyword` and `message`, and `retry` for an event whose content is refused).
    pub fn to_json(&self) -> Value {
        let message = self.to_string();
        match self {
            EventRejection::UnsupportedMediaType { .. } => {
                json!({"error": "unsupported_media_type", "message": message})
            }
            EventRejection::PayloadTooLarge { limit } => {
                json!({"error": "payload_too_large", "message": message, "limit": limit})
            }
            EventRejection::UnreadableBody(_) => json!({"error": "unreadable_body", "message": message}),
            EventRejection::Malformed(error) => json!({
                "error": "malformed_json", "message": message, "line": error.line(), "column": error.column(),
            }),
            EventRejection::NotAnEvent(errors) => {
                json!({"error": "not_an_event", "message": message, "errors": error_list(errors)})
            }
            EventRejection::Invalid { errors, retry } => json!({
                "error": "invalid_event", "message": message, "retry": retry, "errors": error_list(errors),
            }),
        }
    }
}

fn error_list(errors: &ValidationErrors) -> Vec<Value> {
    errors
        .iter()
        .map(|error| json!({"path": error.instance_path(), "keyword": error.keyword(), "message": error.message()}))
        .collect()
}

impl fmt::Display for EventRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventRejection::UnsupportedMediaType { content_type: Some(content_type) } => {
                write!(f, "the body must be JSON, sent with `Content-Type: application/json`, not `{content_type}`")
            }
            EventRejection::UnsupportedMediaType { content_type: None } => {
                f.write_str("the body must be JSON, sent with `Content-Type: application/json`")
            }
            EventRejection::PayloadTooLarge { limit } => {
                write!(f, "the body is larger than {limit} bytes, more than any webhook event")
            }
            EventRejection::UnreadableBody(error) => write!(f, "the body could not be read: {error}"),
            EventRejection::Malformed(error) => write!(f, "the body is not JSON: {error}"),
            EventRejection::NotAnEvent(errors) => {
                write!(f, "the body is not an Audian event (no valid envelope): {}", count(errors))
            }
            EventRejection::Invalid { errors, retry: true } => write!(
                f,
                "this receiver cannot accept the event ({}); send it again later: it may be updated to read it",
                count(errors)
            ),
            EventRejection::Invalid { errors, retry: false } => {
                write!(f, "the body is not a valid Audian event: {}", count(errors))
            }
        }
    }
}

fn count(errors: &ValidationErrors) -> String {
    match errors.len() {
        1 => "1 error".to_owned(),
        count => format!("{count} errors"),
    }
}

impl std::error::Error for EventRejection {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            EventRejection::UnreadableBody(error) => Some(error),
            EventRejection::Malformed(error) => Some(error),
            EventRejection::NotAnEvent(errors) | EventRejection::Invalid { errors, .. } => Some(errors),
            _ => None,
        }
    }
}

impl IntoResponse for EventRejection {
    fn into_response(self) -> Response {
        json_response(self.status(), &self.to_json())
    }
}

/// A response with a JSON body.
pub(super) fn json_response(status: StatusCode, body: &Value) -> Response {
    let body = serde_json::to_vec(body).expect("a JSON value serializes");
    (status, [(CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response()
}

/// Reads, checks and parses the body of a delivery; logs a refusal of an event's content.
pub(super) async fn read_event(request: Request, options: Options) -> Result<Accepted, EventRejection> {
    let (parts, body) = request.into_parts();
    check_content_type(&parts.headers)?;
    let bytes = read_body(&parts.headers, body, options.limit.get()).await?;

    // ── Signature check ───────────────────────────────────────────────────────────────────
    // The Audian reference documents no webhook signature (no header, no secret, no
    // algorithm), so none is checked. Should Audian publish one, verify it here: on the raw
    // `bytes`, exactly as received, with `parts.headers`; before parsing, and before the dedup
    // store records the id, so that a forged request can neither reach the callback nor mark a
    // real event's id as seen. Refuse a missing or wrong signature with 401.
    // ──────────────────────────────────────────────────────────────────────────────────────

    options.reading.parse(&bytes).map_err(|error| match error {
        PayloadError::Malformed(error) => EventRejection::Malformed(error),
        PayloadError::NotAnEvent(errors) => EventRejection::NotAnEvent(errors),
        PayloadError::Invalid(errors) => {
            let retry = options.invalid_content == InvalidContent::Retry;
            super::log::refused(&bytes, &errors, retry);
            EventRejection::Invalid { errors, retry }
        }
    })
}

fn check_content_type(headers: &HeaderMap) -> Result<(), EventRejection> {
    match headers.get(CONTENT_TYPE) {
        Some(value) if value.to_str().is_ok_and(is_json) => Ok(()),
        Some(value) => {
            Err(EventRejection::UnsupportedMediaType { content_type: value.to_str().ok().map(str::to_owned) })
        }
        None => Err(EventRejection::UnsupportedMediaType { content_type: None }),
    }
}

/// Whether a `Content-Type` is JSON: `application/json` or `application/<anything>+json`, in
/// any case, with any parameters.
fn is_json(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    let Some(subtype) = essence.strip_prefix("application/") else {
        return false;
    };
    subtype == "json" || subtype.strip_suffix("+json").is_some_and(is_token)
}

/// A non-empty RFC 9110 token.
fn is_token(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte))
}

/// Reads the whole body, refusing it once it passes `limit` bytes.
async fn read_body(headers: &HeaderMap, mut body: Body, limit: usize) -> Result<Vec<u8>, EventRejection> {
    let too_large = EventRejection::PayloadTooLarge { limit };
    let declared = headers.get(CONTENT_LENGTH).and_then(|value| value.to_str().ok()?.parse::<u64>().ok());
    if let Some(declared) = declared
        && declared > limit as u64
    {
        // A client that waits for `100 Continue` sends nothing more: answer at once, and hyper
        // skips the `100 Continue`. Otherwise the body is on its way.
        let waits = headers.get(EXPECT).is_some_and(|value| value.as_bytes().eq_ignore_ascii_case(b"100-continue"));
        if !waits && declared <= drain_limit(limit) as u64 {
            drain(&mut body, drain_limit(limit)).await;
        }
        return Err(too_large);
    }
    let mut bytes = Vec::with_capacity(declared.map_or(0, |declared| declared as usize));
    while let Some(frame) = poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        let Ok(data) = frame.map_err(EventRejection::UnreadableBody)?.into_data() else {
            continue; // trailers
        };
        if data.len() > limit - bytes.len() {
            drain(&mut body, drain_limit(limit).saturating_sub(bytes.len() + data.len())).await;
            return Err(too_large);
        }
        bytes.extend_from_slice(&data);
    }
    Ok(bytes)
}

/// How much of an oversized body is read (and dropped) before answering 413.
///
/// Answering with bytes of the body unread closes the connection with them unread, which makes
/// the server's TCP send a reset; a client that sends its whole body before it reads the answer
/// (most do, without `Expect: 100-continue`) may then lose the 413 and see only the reset.
/// Reading a bounded amount more avoids that for bodies up to a few times the limit; past this,
/// the connection is closed with the body unread.
fn drain_limit(limit: usize) -> usize {
    limit.saturating_mul(4).max(1024 * 1024)
}

/// Reads and drops at most `budget` more bytes of `body`, stopping at its end or an error.
async fn drain(body: &mut Body, mut budget: usize) {
    while let Some(Ok(frame)) = poll_fn(|cx| Pin::new(&mut *body).poll_frame(cx)).await {
        let Some(data) = frame.data_ref() else { continue };
        match budget.checked_sub(data.len()) {
            Some(left) => budget = left,
            None => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_content_types_are_application_json_and_json_suffixes_with_any_parameters() {
        for accepted in [
            "application/json",
            "application/json; charset=utf-8",
            "Application/JSON;charset=UTF-8",
            " application/json ",
            "application/vnd.audian.event+json",
            "application/cloudevents+json; charset=utf-8",
        ] {
            assert!(is_json(accepted), "{accepted:?} is JSON");
        }
        for refused in [
            "",
            "text/plain",
            "text/json",
            "application/jsonp",
            "application/x-www-form-urlencoded",
            "application/+json",
            "application/json-seq",
            "multipart/form-data; boundary=x",
            "json",
        ] {
            assert!(!is_json(refused), "{refused:?} is not JSON");
        }
    }

    #[test]
    fn the_default_limit_is_256_kib() {
        assert_eq!(BodyLimit::default().get(), 262_144);
        assert_eq!(BodyLimit::bytes(10).get(), 10);
    }

    #[test]
    fn a_rejection_for_an_invalid_event_lists_each_error_with_its_path_and_keyword() {
        let mut value: Value = serde_json::from_str(crate::examples::CALL_INITIATED).unwrap();
        value["data"]["from"] = "not a phone number".into();
        for (retry, status) in [(true, StatusCode::INTERNAL_SERVER_ERROR), (false, StatusCode::UNPROCESSABLE_ENTITY)] {
            let errors = crate::validate(&value).unwrap_err();
            let rejection = EventRejection::Invalid { errors, retry };
            assert_eq!(rejection.status(), status);
            let body = rejection.to_json();
            assert_eq!((&body["error"], &body["retry"]), (&json!("invalid_event"), &json!(retry)));
            let errors = body["errors"].as_array().unwrap();
            assert!(
                errors.iter().any(|error| error["path"] == "/data/from" && error["keyword"] == "pattern"),
                "{body:#}"
            );
            assert!(errors.iter().all(|error| error["message"].as_str().is_some_and(|message| !message.is_empty())));
        }
    }

    #[test]
    fn a_body_without_a_valid_envelope_is_422_not_an_event() {
        let error = Reading::Tolerant.parse(br#"{"id": "evt_1", "event": "call.parked", "data": {}}"#).unwrap_err();
        let PayloadError::NotAnEvent(errors) = error else { panic!("not an event: {error:?}") };
        let rejection = EventRejection::NotAnEvent(errors);
        assert_eq!(rejection.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(rejection.to_json()["error"], "not_an_event");
    }

    #[test]
    fn a_rejection_for_malformed_json_gives_the_line_and_column() {
        let PayloadError::Malformed(error) = Reading::Tolerant.parse(b"{\n  \"id\": }").unwrap_err() else {
            panic!("malformed");
        };
        let body = EventRejection::Malformed(error).to_json();
        assert_eq!(
            (body["error"].as_str(), body["line"].as_u64(), body["column"].as_u64()),
            (Some("malformed_json"), Some(2), Some(9))
        );
    }
}
