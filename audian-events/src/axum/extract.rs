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

use crate::{Event, ParseError, PayloadError, ValidationErrors, parse_validated};

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
/// async fn webhook(ValidatedEvent(event): ValidatedEvent) -> &'static str {
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

/// An axum extractor: the request body as a valid [`Event`], or a refusal with a JSON body
/// ([`EventRejection`]) that says why.
///
/// It reads the raw body, at most [`BodyLimit`] bytes (a request extension, 256 KiB if none),
/// and checks and parses it in one pass with [`parse_validated`]. It consumes the body, so it
/// is the last argument of a handler.
///
/// ```
/// use axum::routing::post;
/// use axum::Router;
/// use audian_events::axum::ValidatedEvent;
/// use audian_events::Event;
///
/// async fn webhook(ValidatedEvent(event): ValidatedEvent) -> &'static str {
///     if let Event::CallCompleted(completed) = &event {
///         println!("{} lasted {}s", completed.data.call_id, completed.data.duration);
///     }
///     "ok"
/// }
///
/// let app: Router = Router::new().route("/webhooks", post(webhook));
/// ```
///
/// It does not drop retries: see [`WebhookReceiver`](super::WebhookReceiver), or the
/// [`dedup`](crate::dedup) module to do it in your handler.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidatedEvent(pub Event);

impl<S: Send + Sync> FromRequest<S> for ValidatedEvent {
    type Rejection = EventRejection;

    async fn from_request(request: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let limit = request.extensions().get::<BodyLimit>().copied().unwrap_or_default();
        read_event(request, limit).await.map(ValidatedEvent)
    }
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
    /// 422: the body is JSON but not a valid event.
    Invalid(ValidationErrors),
}

impl EventRejection {
    /// The status code of the answer.
    pub fn status(&self) -> StatusCode {
        match self {
            EventRejection::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            EventRejection::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            EventRejection::UnreadableBody(_) | EventRejection::Malformed(_) => StatusCode::BAD_REQUEST,
            EventRejection::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        }
    }

    /// The body of the answer: `error` (a stable code), `message` (for people), and `limit`
    /// (413), `line` and `column` (400, malformed JSON) or `errors` (422, each with `path`,
    /// `keyword` and `message`).
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
            EventRejection::Invalid(errors) => {
                let list: Vec<Value> = errors
                    .iter()
                    .map(|error| {
                        json!({"path": error.instance_path(), "keyword": error.keyword(), "message": error.message()})
                    })
                    .collect();
                json!({"error": "invalid_event", "message": message, "errors": list})
            }
        }
    }
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
            EventRejection::Invalid(errors) => match errors.len() {
                1 => f.write_str("the body is not a valid Audian event: 1 error"),
                count => write!(f, "the body is not a valid Audian event: {count} errors"),
            },
        }
    }
}

impl std::error::Error for EventRejection {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            EventRejection::UnreadableBody(error) => Some(error),
            EventRejection::Malformed(error) => Some(error),
            EventRejection::Invalid(errors) => Some(errors),
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

/// Reads, checks and parses the body of a delivery.
pub(super) async fn read_event(request: Request, limit: BodyLimit) -> Result<Event, EventRejection> {
    let (parts, body) = request.into_parts();
    check_content_type(&parts.headers)?;
    let bytes = read_body(&parts.headers, body, limit.get()).await?;

    // ── Signature check ───────────────────────────────────────────────────────────────────
    // The Audian reference documents no webhook signature (no header, no secret, no
    // algorithm), so none is checked. Should Audian publish one, verify it here: on the raw
    // `bytes`, exactly as received, with `parts.headers`; before parsing, and before the dedup
    // store records the id, so that a forged request can neither reach the callback nor mark a
    // real event's id as seen. Refuse a missing or wrong signature with 401.
    // ──────────────────────────────────────────────────────────────────────────────────────

    parse_validated(&bytes).map_err(|error| match error {
        PayloadError::Malformed(error) => EventRejection::Malformed(error),
        PayloadError::Invalid(errors) => EventRejection::Invalid(errors),
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
        let errors = crate::validate(&value).unwrap_err();
        let rejection = EventRejection::Invalid(errors);
        assert_eq!(rejection.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = rejection.to_json();
        assert_eq!(body["error"], "invalid_event");
        let errors = body["errors"].as_array().unwrap();
        assert!(errors.iter().any(|error| error["path"] == "/data/from" && error["keyword"] == "pattern"), "{body:#}");
        assert!(errors.iter().all(|error| error["message"].as_str().is_some_and(|message| !message.is_empty())));
    }

    #[test]
    fn a_rejection_for_malformed_json_gives_the_line_and_column() {
        let PayloadError::Malformed(error) = parse_validated(b"{\n  \"id\": }").unwrap_err() else {
            panic!("malformed");
        };
        let body = EventRejection::Malformed(error).to_json();
        assert_eq!(
            (body["error"].as_str(), body["line"].as_u64(), body["column"].as_u64()),
            (Some("malformed_json"), Some(2), Some(9))
        );
    }
}
