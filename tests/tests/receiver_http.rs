//! The axum webhook receiver over real HTTP: each test serves a router on a loopback port chosen
//! by the system and talks to it with a plain HTTP/1.1 client over TCP. Nothing is mocked.
//!
//! The main router is the example receiver's own (`audian-events/examples/receiver.rs`), so that
//! what the README tells users to run is what is tested.

#[allow(dead_code)] // its `main` and `port` are the example's, not used here
#[path = "../../audian-events/examples/receiver.rs"]
mod receiver;

use std::collections::HashMap;
use std::io::{self, Write};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use audian_events::axum::{BodyLimit, InvalidContent, ValidatedEvent, WebhookReceiver};
use audian_events::dedup::{DedupError, DedupErrorKind, DedupStore};
use audian_events::timeline::{MemoryTimelineStore, RecordingStatus};
use audian_events::{Accepted, CallStatus, CallTimeline, Event, EventId, MemoryDedupStore, Reading, examples};
use axum::routing::post;
use axum::{Extension, Router};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

// ---------------------------------------------------------------------------------------------
// The server and the client.

/// Serves `app` on `127.0.0.1`, on a port chosen by the system, until the test's runtime ends.
async fn serve(app: Router) -> SocketAddr {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await.expect("bind a loopback port");
    let address = listener.local_addr().expect("the bound address");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    address
}

/// How the request body is framed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Framing {
    ContentLength,
    Chunked,
}

/// An HTTP answer.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str())
    }

    /// The body as JSON, which every answer of the receiver has.
    fn json(&self) -> Value {
        assert_eq!(self.header("content-type"), Some("application/json"), "{self:?}");
        serde_json::from_slice(&self.body).unwrap_or_else(|error| panic!("{error}: {self:?}"))
    }
}

/// `POST /webhooks` with a `Content-Length`.
async fn post_event(address: SocketAddr, content_type: Option<&str>, body: impl Into<Vec<u8>>) -> io::Result<Answer> {
    request(address, "POST", "/webhooks", content_type, body.into(), Framing::ContentLength).await
}

/// One request on its own connection (`Connection: close`), the answer read to the end.
async fn request(
    address: SocketAddr,
    method: &str,
    path: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
    framing: Framing,
) -> io::Result<Answer> {
    let stream = TcpStream::connect(address).await?;
    let (mut reader, mut writer) = stream.into_split();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n");
    match framing {
        Framing::ContentLength => head.push_str(&format!("Content-Length: {}\r\n", body.len())),
        Framing::Chunked => head.push_str("Transfer-Encoding: chunked\r\n"),
    }
    if let Some(content_type) = content_type {
        head.push_str(&format!("Content-Type: {content_type}\r\n"));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    match framing {
        Framing::ContentLength => bytes.extend_from_slice(&body),
        Framing::Chunked => {
            for chunk in body.chunks(16 * 1024) {
                bytes.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
                bytes.extend_from_slice(chunk);
                bytes.extend_from_slice(b"\r\n");
            }
            bytes.extend_from_slice(b"0\r\n\r\n");
        }
    }
    // Written while the answer is read, as a client does: the server may answer before it has
    // read the whole body. The writing half is kept open until the answer is in.
    let writing = tokio::spawn(async move {
        let written = writer.write_all(&bytes).await;
        (writer, written)
    });
    let mut raw = Vec::new();
    reader.read_to_end(&mut raw).await?;
    let _ = writing.await; // a write cut short by the server's answer is fine: the answer counts
    parse_answer(&raw)
}

fn parse_answer(raw: &[u8]) -> io::Result<Answer> {
    let invalid =
        |what: &str| io::Error::new(io::ErrorKind::InvalidData, format!("{what}: {:?}", String::from_utf8_lossy(raw)));
    let end = raw.windows(4).position(|window| window == b"\r\n\r\n").ok_or_else(|| invalid("no complete head"))?;
    let head = std::str::from_utf8(&raw[..end]).map_err(|_| invalid("a head that is not UTF-8"))?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3)?.parse().ok())
        .ok_or_else(|| invalid("no HTTP/1.1 status line"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
        .collect();
    let mut answer = Answer { status, headers, body: raw[end + 4..].to_vec() };
    assert!(answer.header("transfer-encoding").is_none(), "the receiver's answers have a known length: {answer:?}");
    if let Some(length) = answer.header("content-length") {
        let length: usize = length.parse().map_err(|_| invalid("a bad Content-Length"))?;
        if answer.body.len() < length {
            return Err(invalid("a body shorter than its Content-Length"));
        }
        answer.body.truncate(length);
    }
    Ok(answer)
}

// ---------------------------------------------------------------------------------------------
// The events.

/// The example receiver's log, shared with the test.
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

/// An example with another id (and, if given, another call).
fn example(text: &str, id: &str, call_id: Option<&str>) -> Value {
    let mut value: Value = serde_json::from_str(text).unwrap();
    value["id"] = id.into();
    if let Some(call_id) = call_id {
        value["data"]["call_id"] = call_id.into();
    }
    value
}

/// The documented examples, each with its own id (they all share one in the documentation),
/// all of call `call_xyz789`.
fn documented_events() -> Vec<Value> {
    examples::ALL
        .iter()
        .enumerate()
        .map(|(index, (_, text))| example(text, &format!("evt_doc_{index:02}"), None))
        .collect()
}

/// A call that ends normally, `call_done`: initiated, ringing, answered, completed.
fn completed_call() -> Vec<Value> {
    [examples::CALL_INITIATED, examples::CALL_RINGING, examples::CALL_ANSWERED, examples::CALL_COMPLETED]
        .iter()
        .enumerate()
        .map(|(index, text)| example(text, &format!("evt_done_{index}"), Some("call_done")))
        .collect()
}

fn timeline_of(events: &[Value]) -> CallTimeline {
    let events: Vec<Event> = events.iter().map(|value| serde_json::from_value(value.clone()).unwrap()).collect();
    let mut timeline = CallTimeline::new(events[0].call_id().unwrap().clone());
    for event in events {
        timeline.push(event).unwrap();
    }
    timeline
}

/// A seeded shuffle (splitmix64 and Fisher-Yates); the seed is printed, and taken from
/// `AUDIAN_TEST_SEED` if set, to replay a failure.
fn shuffle<T>(items: &mut [T]) {
    let mut seed = std::env::var("AUDIAN_TEST_SEED")
        .ok()
        .and_then(|seed| seed.parse().ok())
        .unwrap_or_else(|| SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos() as u64);
    println!("shuffle seed: AUDIAN_TEST_SEED={seed}");
    let mut next = move || {
        seed = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = seed;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    for index in (1..items.len()).rev() {
        items.swap(index, (next() % (index as u64 + 1)) as usize);
    }
}

/// The example receiver, served: its address, its calls and its log.
async fn example_receiver() -> (SocketAddr, MemoryTimelineStore, Log) {
    let calls = MemoryTimelineStore::default();
    let log = Log::default();
    let address = serve(receiver::app(MemoryDedupStore::default(), calls.clone(), log.clone())).await;
    (address, calls, log)
}

// ---------------------------------------------------------------------------------------------
// The example receiver.

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_documented_event_sent_three_times_at_once_in_shuffled_order_is_handled_once() {
    let (address, calls, log) = example_receiver().await;
    let documented = documented_events();
    let done = completed_call();
    let events: Vec<&Value> = documented.iter().chain(&done).collect();
    let mut deliveries: Vec<&Value> = events.iter().flat_map(|event| [*event; 3]).collect();
    shuffle(&mut deliveries);

    let sending: Vec<_> = deliveries
        .into_iter()
        .map(|event| {
            let id = event["id"].as_str().unwrap().to_owned();
            let body = serde_json::to_vec_pretty(event).unwrap();
            tokio::spawn(async move { (id, post_event(address, Some("application/json"), body).await) })
        })
        .collect();
    let mut outcomes: HashMap<String, Vec<String>> = HashMap::new();
    for sent in sending {
        let (id, answer) = sent.await.unwrap();
        let answer = answer.unwrap_or_else(|error| panic!("{id}: {error}"));
        assert_eq!(answer.status, 200, "{id}: {answer:?}");
        let body = answer.json();
        assert_eq!(body["id"], id.as_str());
        outcomes.entry(id).or_default().push(body["status"].as_str().unwrap().to_owned());
    }

    assert_eq!(outcomes.len(), events.len());
    for (id, mut statuses) in outcomes {
        statuses.sort();
        assert_eq!(statuses, ["duplicate", "duplicate", "handled"], "the deliveries of {id}");
    }
    // One log line per event, with its id and type.
    let lines = log.lines();
    assert_eq!(lines.len(), events.len(), "{lines:#?}");
    for event in &events {
        let (id, event_type) = (event["id"].as_str().unwrap(), event["event"].as_str().unwrap());
        let of_event: Vec<_> = lines.iter().filter(|line| line.split(' ').next() == Some(id)).collect();
        assert_eq!(of_event.len(), 1, "{id} is logged once: {lines:#?}");
        assert!(of_event[0].starts_with(&format!("{id} {event_type} ")), "{}", of_event[0]);
    }

    // The calls' states are those of their events, whatever the order of arrival.
    let calls = calls.lock();
    assert_eq!(calls.len(), 2);
    // The call holds every documented event about a call (an event type may be about none).
    let of_the_call: Vec<Value> =
        documented.iter().filter(|event| event["data"].get("call_id").is_some()).cloned().collect();
    let documented_call = calls.state("call_xyz789").expect("call_xyz789 is held");
    assert_eq!(documented_call, timeline_of(&of_the_call).state());
    assert_eq!(documented_call.event_count, of_the_call.len());
    // Of the three endings, `call.cancelled` (10:30:08) comes first in timeline order and stays.
    assert_eq!(documented_call.status, Some(CallStatus::Cancelled));
    assert!(!documented_call.on_hold && !documented_call.muted, "held then resumed, muted then unmuted");
    assert_eq!(documented_call.transfers.len(), 1);
    assert_eq!(documented_call.ivr.len(), 3);
    assert_eq!(documented_call.recordings.len(), 1);
    assert_eq!(documented_call.recordings[0].recording_id.as_str(), "rec_abc123");
    assert!(matches!(documented_call.recordings[0].status, RecordingStatus::Completed | RecordingStatus::Failed));

    let done_call = calls.state("call_done").expect("call_done is held");
    assert_eq!(done_call, timeline_of(&done).state());
    assert_eq!(done_call.status, Some(CallStatus::Completed));
    assert_eq!(done_call.duration, Some(305));
    assert_eq!(done_call.answered.as_ref().map(|answer| answer.by.as_str()), Some("+14155552672"));
    assert_eq!(done_call.event_count, 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_their_status_codes_and_never_reach_the_callback() {
    let (address, calls, log) = example_receiver().await;
    let limit = BodyLimit::DEFAULT.get();
    let valid = serde_json::to_vec(&example(examples::CALL_INITIATED, "evt_bad_0", None)).unwrap();
    let padded = |size: usize| {
        let mut body = valid.clone();
        body.resize(size, b' ');
        body
    };

    // Too large: 400 kB, with a Content-Length and chunked (read up to the limit).
    for framing in [Framing::ContentLength, Framing::Chunked] {
        let answer =
            request(address, "POST", "/webhooks", Some("application/json"), padded(400_000), framing).await.unwrap();
        assert_eq!(answer.status, 413, "{answer:?}");
        let body = answer.json();
        assert_eq!((body["error"].as_str(), body["limit"].as_u64()), (Some("payload_too_large"), Some(262_144)));
    }
    let answer = post_event(address, Some("application/json"), padded(limit + 1)).await.unwrap();
    assert_eq!(answer.status, 413, "one byte over the limit: {answer:?}");

    // Not JSON by its content type, or none.
    let answer = post_event(address, Some("text/plain"), valid.clone()).await.unwrap();
    assert_eq!(answer.status, 415, "{answer:?}");
    assert_eq!(answer.json()["error"], "unsupported_media_type");
    assert!(answer.json()["message"].as_str().unwrap().contains("text/plain"));
    let answer = post_event(address, None, valid.clone()).await.unwrap();
    assert_eq!(answer.status, 415, "{answer:?}");

    // Malformed JSON: where it breaks.
    let answer =
        post_event(address, Some("application/json"), "{\n  \"id\": \"evt_bad_1\",\n  \"event\": }").await.unwrap();
    assert_eq!(answer.status, 400, "{answer:?}");
    let body = answer.json();
    assert_eq!(body["error"], "malformed_json");
    assert_eq!((body["line"].as_u64(), body["column"].as_u64()), (Some(3), Some(12)), "{body:#}");

    // Valid JSON, not an event: no valid envelope.
    let answer =
        post_event(address, Some("application/json"), r#"{"id": "evt_bad_3", "event": "call.held"}"#).await.unwrap();
    assert_eq!(answer.status, 422, "{answer:?}");
    assert_eq!(answer.json()["error"], "not_an_event");

    // An event whose content is invalid: a phone number that is not one. Retryable.
    let mut bad_phone = example(examples::CALL_INITIATED, "evt_bad_2", None);
    bad_phone["data"]["from"] = "555-0100".into();
    let answer = post_event(address, Some("application/json"), serde_json::to_vec(&bad_phone).unwrap()).await.unwrap();
    assert_eq!(answer.status, 500, "{answer:?}");
    let body = answer.json();
    assert_eq!((&body["error"], &body["retry"]), (&Value::from("invalid_event"), &Value::from(true)));
    let errors = body["errors"].as_array().unwrap();
    assert!(errors.iter().any(|error| error["path"] == "/data/from" && error["keyword"] == "pattern"), "{body:#}");
    assert!(errors.iter().all(|error| error["message"].as_str().is_some_and(|message| !message.is_empty())));

    // Only POST.
    let answer = request(address, "GET", "/webhooks", None, Vec::new(), Framing::ContentLength).await.unwrap();
    assert_eq!(answer.status, 405, "{answer:?}");

    assert!(log.lines().is_empty(), "nothing handled: {:#?}", log.lines());
    assert!(calls.lock().is_empty());

    // The same event, well sent: exactly at the limit, with parameters in the content type.
    let answer = post_event(address, Some("application/json; charset=utf-8"), padded(limit)).await.unwrap();
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.json()["status"], "handled");
    assert_eq!(log.lines().len(), 1);
    // A refused delivery did not count: the id `evt_bad_0` was first seen just now.
    let answer = post_event(address, Some("application/json"), valid).await.unwrap();
    assert_eq!(answer.json()["status"], "duplicate");
}

// ---------------------------------------------------------------------------------------------
// Failures in the callback and in the store.

/// A receiver whose callback counts its calls and fails (or panics) on the first call of each
/// id.
fn flaky_receiver(panics: bool) -> (Router, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = Arc::new(Mutex::new(Vec::<EventId>::new()));
    let counter = Arc::clone(&calls);
    let router = WebhookReceiver::new(MemoryDedupStore::default(), move |event: Event| {
        let (counter, seen) = (Arc::clone(&counter), Arc::clone(&seen));
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            let first = {
                let mut seen = seen.lock().unwrap();
                let first = !seen.contains(event.id());
                seen.push(event.id().clone());
                first
            };
            // An await point, as real handling has, before the failure.
            tokio::time::sleep(Duration::from_millis(5)).await;
            match (first, panics) {
                (true, true) => panic!("the callback panics on {} (as this test wants)", event.id()),
                (true, false) => Err("the database is down"),
                (false, _) => Ok(()),
            }
        }
    })
    .into_router("/webhooks");
    (router, calls)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_callback_error_answers_500_and_the_retry_is_handled_not_dropped() {
    let (router, attempts) = flaky_receiver(false);
    let address = serve(router).await;
    let body = serde_json::to_vec(&example(examples::CALL_COMPLETED, "evt_flaky", None)).unwrap();

    let answer = post_event(address, Some("application/json"), body.clone()).await.unwrap();
    assert_eq!(answer.status, 500, "{answer:?}");
    let json = answer.json();
    assert_eq!((json["error"].as_str(), json["id"].as_str()), (Some("handler_failed"), Some("evt_flaky")));
    assert!(!json["message"].as_str().unwrap().contains("database"), "the callback's error is not sent back");

    let answer = post_event(address, Some("application/json"), body.clone()).await.unwrap();
    assert_eq!((answer.status, answer.json()["status"].as_str().map(str::to_owned)), (200, Some("handled".into())));
    let answer = post_event(address, Some("application/json"), body).await.unwrap();
    assert_eq!((answer.status, answer.json()["status"].as_str().map(str::to_owned)), (200, Some("duplicate".into())));
    assert_eq!(attempts.load(Ordering::SeqCst), 2, "the callback ran for the failure and the retry only");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_callback_that_panics_leaves_no_answer_and_its_retry_is_handled() {
    let (router, attempts) = flaky_receiver(true);
    let address = serve(router).await;
    let body = serde_json::to_vec(&example(examples::CALL_COMPLETED, "evt_panics", None)).unwrap();

    // The connection closes without an answer: to the sender, a failed delivery.
    let first = post_event(address, Some("application/json"), body.clone()).await;
    assert!(first.is_err(), "no answer after a panic: {first:?}");
    // The id is forgotten in the background; the retry is handled once it is.
    let mut statuses = Vec::new();
    for _ in 0..100 {
        let answer = post_event(address, Some("application/json"), body.clone()).await.unwrap();
        let status = answer.json()["status"].as_str().unwrap().to_owned();
        statuses.push(status.clone());
        if status == "handled" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(statuses.last().map(String::as_str), Some("handled"), "{statuses:?}");
    assert_eq!(attempts.load(Ordering::SeqCst), 2);
}

/// A store that cannot be reached.
struct DownStore;

impl DedupStore for DownStore {
    async fn first_time(&self, id: &EventId) -> Result<bool, DedupError> {
        Err(DedupError::new(DedupErrorKind::Unavailable, format!("the test store is down (asked about {id})")))
    }

    async fn forget(&self, _: &EventId) -> Result<(), DedupError> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_that_cannot_answer_gives_503_and_the_callback_is_not_called() {
    let attempts = Arc::new(AtomicUsize::new(0));
    let reported = Arc::new(Mutex::new(Vec::new()));
    let (counter, report) = (Arc::clone(&attempts), Arc::clone(&reported));
    let router = WebhookReceiver::new(DownStore, move |_: Event| {
        counter.fetch_add(1, Ordering::SeqCst);
        async { Ok::<(), io::Error>(()) }
    })
    .on_store_error(move |id, error| report.lock().unwrap().push(format!("{id}: {error}")))
    .into_router("/webhooks");
    let address = serve(router).await;

    let body = serde_json::to_vec(&example(examples::CALL_RINGING, "evt_store_down", None)).unwrap();
    let answer = post_event(address, Some("application/json"), body).await.unwrap();
    assert_eq!(answer.status, 503, "{answer:?}");
    let json = answer.json();
    assert_eq!(
        (json["error"].as_str(), json["id"].as_str()),
        (Some("dedup_store_unavailable"), Some("evt_store_down"))
    );
    assert!(!json["message"].as_str().unwrap().contains("test store"), "the store's error is not sent back");
    assert_eq!(attempts.load(Ordering::SeqCst), 0);
    let reported = reported.lock().unwrap();
    assert_eq!(reported.len(), 1);
    assert!(reported[0].starts_with("evt_store_down: the test store is down"), "{reported:?}");
}

/// A store that records each id, but whose answer about the first delivery of each is lost (as
/// when Redis writes the key and goes down before replying); and whose `forget` fails the first
/// `forget_failures` times, as while Redis restarts.
#[derive(Default)]
struct LossyStore {
    /// The ids recorded, and whether an answer about each was lost already.
    seen: Mutex<HashMap<EventId, bool>>,
    lost: Mutex<Vec<EventId>>,
    forget_failures: AtomicUsize,
}

impl DedupStore for LossyStore {
    async fn first_time(&self, id: &EventId) -> Result<bool, DedupError> {
        let mut seen = self.seen.lock().unwrap();
        if seen.insert(id.clone(), true).is_some() {
            return Ok(false);
        }
        let mut lost = self.lost.lock().unwrap();
        if lost.contains(id) {
            return Ok(true);
        }
        lost.push(id.clone());
        Err(DedupError::new(DedupErrorKind::Unavailable, "the answer was lost"))
    }

    async fn forget(&self, id: &EventId) -> Result<(), DedupError> {
        let left = self.forget_failures.load(Ordering::SeqCst);
        if left > 0 {
            self.forget_failures.store(left - 1, Ordering::SeqCst);
            return Err(DedupError::new(DedupErrorKind::Unavailable, "restarting"));
        }
        self.seen.lock().unwrap().remove(id);
        Ok(())
    }
}

/// Posts the same event until it is answered 200: the statuses, and how many calls the callback had.
async fn lossy_receiver_statuses(unsure: bool) -> (Vec<u16>, usize) {
    let attempts = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&attempts);
    let store = LossyStore { forget_failures: AtomicUsize::new(3), ..LossyStore::default() };
    let router = WebhookReceiver::new(store, move |_: Event| {
        counter.fetch_add(1, Ordering::SeqCst);
        async { Ok::<(), io::Error>(()) }
    })
    .forget_when_unsure(unsure)
    .into_router("/webhooks");
    let address = serve(router).await;
    let body = serde_json::to_vec(&example(examples::CALL_RINGING, "evt_lossy", None)).unwrap();
    let mut statuses = Vec::new();
    while statuses.last() != Some(&200) && statuses.len() < 5 {
        statuses.push(post_event(address, Some("application/json"), body.clone()).await.unwrap().status);
    }
    (statuses, attempts.load(Ordering::SeqCst))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_id_recorded_before_the_store_lost_its_answer_is_forgotten_when_unsure_and_the_retry_handled() {
    // Forgetting fails three times (tried again every 100 ms), then succeeds before the 503.
    let (statuses, handled) = lossy_receiver_statuses(true).await;
    assert_eq!((statuses, handled), (vec![503, 200], 1), "the retry is handled");
    // By default the recorded id stays, and the retry is taken for a duplicate: the event is lost.
    let (statuses, handled) = lossy_receiver_statuses(false).await;
    assert_eq!((statuses, handled), (vec![503, 200], 0), "the retry is dropped");
}

// ---------------------------------------------------------------------------------------------
// The extractor in a handler of one's own.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_extractor_in_a_handler_of_ones_own_takes_its_limit_from_an_extension() {
    async fn webhook(ValidatedEvent(event, _): ValidatedEvent) -> String {
        format!("{} {}", event.id(), event.event_type())
    }
    let app = Router::new().route("/webhooks", post(webhook)).layer(Extension(BodyLimit::bytes(1024)));
    let address = serve(app).await;

    let body = serde_json::to_vec(&example(examples::CALL_HELD, "evt_own", None)).unwrap();
    let answer = post_event(address, Some("application/json"), body.clone()).await.unwrap();
    assert_eq!((answer.status, answer.body.as_slice()), (200, b"evt_own call.held".as_slice()), "{answer:?}");

    let mut large = body;
    large.resize(1025, b' ');
    let answer = post_event(address, Some("application/json"), large).await.unwrap();
    assert_eq!(answer.status, 413, "{answer:?}");
    assert_eq!(answer.json()["limit"], 1024);
}

// ---------------------------------------------------------------------------------------------
// When Audian changes: the tolerant reading.

/// A string value that no schema knows.
const NEW_VALUE: &str = "satellite";

/// Each additive change of one documented example, with the pointer its drift must name: a new
/// envelope field, a new `data` field, a new event type with the example's envelope, and a new
/// value in each field of an open enumeration (found as the string fields where the tolerant
/// reading accepts a new value and the strict one refuses it).
fn additive_changes(example: &Value) -> Vec<(Value, &'static str, String)> {
    let mut changes = Vec::new();
    let mut root = example.clone();
    root["api_version"] = "2025-01".into();
    changes.push((root, "envelope field", "/api_version".to_owned()));
    let mut data = example.clone();
    data["data"]["carrier"] = "att".into();
    changes.push((data, "data field", "/data/carrier".to_owned()));
    let mut event_type = example.clone();
    event_type["event"] = "call.parked".into();
    changes.push((event_type, "event type", "/event".to_owned()));
    for (field, value) in example["data"].as_object().unwrap() {
        if !value.is_string() {
            continue;
        }
        let mut changed = example.clone();
        changed["data"][field] = NEW_VALUE.into();
        if Reading::Tolerant.is_valid(&changed) && !Reading::Strict.is_valid(&changed) {
            changes.push((changed, "enumeration value", format!("/data/{field}")));
        }
    }
    changes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn future_payloads_are_answered_200_handled_once_and_their_drift_named() {
    let (address, _, log) = example_receiver().await;
    let mut expected = Vec::new();
    let mut enumeration_changes = 0;
    for (index, (_, text)) in examples::ALL.iter().enumerate() {
        let original: Value = serde_json::from_str(text).unwrap();
        for (change, (mut payload, kind, pointer)) in additive_changes(&original).into_iter().enumerate() {
            enumeration_changes += usize::from(kind == "enumeration value");
            let id = format!("evt_next_{index:02}_{change}");
            payload["id"] = id.as_str().into();
            let body = serde_json::to_vec(&payload).unwrap();
            for delivery in ["handled", "duplicate"] {
                let answer = post_event(address, Some("application/json"), body.clone()).await.unwrap();
                assert_eq!(answer.status, 200, "{id} ({kind}): {answer:?}");
                assert_eq!(answer.json()["status"], delivery, "{id} ({kind})");
            }
            expected.push((id, payload["event"].as_str().unwrap().to_owned(), pointer));
        }
    }
    assert!(enumeration_changes >= 2, "call_type and reason at least: {enumeration_changes}");
    let lines = log.lines();
    assert_eq!(lines.len(), expected.len(), "one line per event: {lines:#?}");
    for (id, event_type, pointer) in &expected {
        let of_event: Vec<_> = lines.iter().filter(|line| line.split(' ').next() == Some(id)).collect();
        assert_eq!(of_event.len(), 1, "{id} is printed once: {lines:#?}");
        assert!(of_event[0].starts_with(&format!("{id} {event_type} ")), "{}", of_event[0]);
        assert!(of_event[0].ends_with(&format!(" drift={pointer}")), "{}", of_event[0]);
    }

    // The documented examples, each with a fresh id: no drift.
    for (index, event) in documented_events().iter().enumerate() {
        let answer = post_event(address, Some("application/json"), serde_json::to_vec(event).unwrap()).await.unwrap();
        assert_eq!(answer.status, 200, "example {index}: {answer:?}");
        let line = log.lines().pop().unwrap();
        assert!(!line.contains("drift="), "{line}");
    }
}

/// A receiver that counts its calls and keeps the drift it was given.
fn counting_receiver(
    configure: impl FnOnce(
        WebhookReceiver<MemoryDedupStore, CountingCallback, Accepted>,
    ) -> WebhookReceiver<MemoryDedupStore, CountingCallback, Accepted>,
) -> (Router, Arc<Mutex<Vec<Accepted>>>) {
    let received = Arc::new(Mutex::new(Vec::new()));
    let callback: CountingCallback = Box::new({
        let received = Arc::clone(&received);
        move |accepted: Accepted| {
            received.lock().unwrap().push(accepted);
            Box::pin(async { Ok(()) })
        }
    });
    (configure(WebhookReceiver::new(MemoryDedupStore::default(), callback)).into_router("/webhooks"), received)
}

type CountingCallback =
    Box<dyn Fn(Accepted) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), ()>> + Send>> + Send + Sync>;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_content_with_a_valid_envelope_is_retryable_500_by_default_and_422_with_the_option() {
    let mut broken = example(examples::CALL_COMPLETED, "evt_broken", None);
    broken["data"]["from"] = "anonymous".into();
    let mut missing = example(examples::CALL_COMPLETED, "evt_missing", None);
    missing["data"].as_object_mut().unwrap().remove("duration");
    let mut retyped = example(examples::CALL_COMPLETED, "evt_retyped", None);
    retyped["data"]["duration"] = "305".into();
    for (option, status) in [(None, 500), (Some(InvalidContent::Retry), 500), (Some(InvalidContent::Refuse), 422)] {
        let (router, received) = counting_receiver(|receiver| match option {
            Some(answer) => receiver.invalid_content(answer),
            None => receiver,
        });
        let address = serve(router).await;
        for (payload, path) in [(&broken, "/data/from"), (&missing, "/data"), (&retyped, "/data/duration")] {
            let answer = post_event(address, Some("application/json"), serde_json::to_vec(payload).unwrap()).await;
            let answer = answer.unwrap();
            assert_eq!(answer.status, status, "{option:?}: {answer:?}");
            let body = answer.json();
            assert_eq!((&body["error"], &body["retry"]), (&Value::from("invalid_event"), &Value::from(status == 500)));
            let errors = body["errors"].as_array().unwrap();
            assert!(errors.iter().any(|error| error["path"] == path), "{path} in {body:#}");
        }
        assert!(received.lock().unwrap().is_empty(), "nothing refused reaches the callback");
        // The refused id was not recorded: once fixed, the same event is handled.
        let fixed = example(examples::CALL_COMPLETED, "evt_broken", None);
        let answer = post_event(address, Some("application/json"), serde_json::to_vec(&fixed).unwrap()).await.unwrap();
        assert_eq!((answer.status, answer.json()["status"].as_str()), (200, Some("handled")));
        assert_eq!(received.lock().unwrap().len(), 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_callback_gets_an_unknown_event_type_and_the_drift() {
    let (router, received) = counting_receiver(|receiver| receiver);
    let address = serve(router).await;
    let mut parked = example(examples::CALL_HELD, "evt_parked", None);
    parked["event"] = "call.parked".into();
    parked["data"]["lot"] = 7.into();
    let answer = post_event(address, Some("application/json"), serde_json::to_vec(&parked).unwrap()).await.unwrap();
    assert_eq!(answer.status, 200, "{answer:?}");
    let received = received.lock().unwrap();
    let [accepted] = received.as_slice() else { panic!("one call: {received:?}") };
    let Event::Unknown(unknown) = &accepted.event else { panic!("{:?}", accepted.event) };
    assert_eq!((unknown.event.as_str(), &unknown.data["lot"]), ("call.parked", &Value::from(7)));
    assert_eq!(accepted.drift.pointers(), "/event");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_strict_reading_refuses_what_it_always_refused() {
    let (router, received) = counting_receiver(|receiver| receiver.reading(Reading::Strict));
    let address = serve(router).await;
    let original: Value = serde_json::from_str(examples::CALL_INITIATED).unwrap();
    for (index, (mut payload, kind, pointer)) in additive_changes(&original).into_iter().enumerate() {
        payload["id"] = format!("evt_strict_{index}").into();
        let answer = post_event(address, Some("application/json"), serde_json::to_vec(&payload).unwrap()).await;
        let answer = answer.unwrap();
        assert_eq!(answer.status, 500, "{kind}: {answer:?}");
        let body = answer.json();
        let errors = body["errors"].as_array().unwrap();
        assert!(errors.iter().any(|error| error["path"] == pointer.as_str()), "{pointer} in {body:#}");
    }
    assert!(received.lock().unwrap().is_empty());
    for (index, event) in documented_events().iter().enumerate() {
        let answer = post_event(address, Some("application/json"), serde_json::to_vec(event).unwrap()).await.unwrap();
        assert_eq!(answer.status, 200, "example {index}: {answer:?}");
    }
    assert!(received.lock().unwrap().iter().all(|accepted| accepted.drift.is_empty()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_extractor_reads_tolerantly_unless_an_extension_says_strict() {
    async fn webhook(ValidatedEvent(event, drift): ValidatedEvent) -> String {
        format!("{} drift={}", event.id(), drift.pointers())
    }
    let mut added = example(examples::CALL_HELD, "evt_added", None);
    added["data"]["music"] = "jazz".into();
    let body = serde_json::to_vec(&added).unwrap();

    let tolerant = serve(Router::new().route("/webhooks", post(webhook))).await;
    let answer = post_event(tolerant, Some("application/json"), body.clone()).await.unwrap();
    assert_eq!((answer.status, answer.body.as_slice()), (200, b"evt_added drift=/data/music".as_slice()));

    let strict = serve(Router::new().route("/webhooks", post(webhook)).layer(Extension(Reading::Strict))).await;
    let answer = post_event(strict, Some("application/json"), body.clone()).await.unwrap();
    assert_eq!(answer.status, 500, "{answer:?}");
    let refuse = Router::new()
        .route("/webhooks", post(webhook))
        .layer(Extension(Reading::Strict))
        .layer(Extension(InvalidContent::Refuse));
    let answer = post_event(serve(refuse).await, Some("application/json"), body).await.unwrap();
    assert_eq!(answer.status, 422, "{answer:?}");
}
