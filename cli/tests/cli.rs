//! The `audian-events` binary, run as a user runs it: each verb, its output and its exit code;
//! `send` and `replay` against receivers on loopback ports.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};

use audian_events::MemoryDedupStore;
use audian_events::timeline::MemoryTimelineStore;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use serde_json::{Value, json};

#[allow(dead_code)] // the example's `main` and its settings are not used here
#[path = "../../audian-events/examples/receiver.rs"]
mod receiver;

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_audian-events")).args(args).output().expect("run audian-events")
}

fn run_with_input(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_audian-events"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run audian-events");
    child.stdin.take().expect("stdin").write_all(input).expect("write stdin");
    child.wait_with_output().expect("wait for audian-events")
}

/// `run` on a blocking thread, so that the test's runtime keeps serving the receivers.
async fn run_async(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run(&args)
    })
    .await
    .expect("the command's thread")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("an exit code, not a signal")
}

fn example(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema/examples").join(format!("{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(path).expect("a documented example")).expect("JSON")
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|arg| (*arg).to_owned()).collect()
}

fn ids_of_ndjson(text: &str) -> Vec<String> {
    text.lines()
        .map(|line| serde_json::from_str::<Value>(line).expect("an NDJSON line")["id"].as_str().unwrap().to_owned())
        .collect()
}

// ---------------------------------------------------------------------------
// example
// ---------------------------------------------------------------------------

#[test]
fn example_prints_the_documented_example() {
    let output = run(&["example", "call.completed"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let printed: Value = serde_json::from_str(&stdout(&output)).expect("the example is JSON");
    assert_eq!(printed, example("call.completed"));
}

#[test]
fn example_list_prints_the_18_event_types() {
    let output = run(&["example", "--list"]);
    assert_eq!(code(&output), 0);
    let types: Vec<String> = stdout(&output).lines().map(str::to_owned).collect();
    assert_eq!(types.len(), 18, "{types:?}");
    assert!(types.contains(&"call.completed".to_owned()) && types.contains(&"ivr.timeout".to_owned()));
    for event_type in &types {
        assert_eq!(code(&run(&["example", event_type])), 0, "{event_type}");
    }
}

#[test]
fn example_of_an_unknown_type_names_the_known_ones_and_exits_2() {
    let output = run(&["example", "call.exploded"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("unknown event type `call.exploded`"), "{}", stderr(&output));
    assert!(stderr(&output).contains("call.completed"), "{}", stderr(&output));
}

// ---------------------------------------------------------------------------
// fake
// ---------------------------------------------------------------------------

#[test]
fn fake_with_the_same_seed_prints_the_same_events_and_another_seed_others() {
    let first = run(&["fake", "--any", "--count", "50", "--seed", "3"]);
    let again = run(&["fake", "--any", "--count", "50", "--seed", "3"]);
    let other = run(&["fake", "--any", "--count", "50", "--seed", "4"]);
    assert_eq!(code(&first), 0, "{}", stderr(&first));
    assert_eq!(stdout(&first).lines().count(), 50);
    assert_eq!(stdout(&first), stdout(&again));
    assert_ne!(stdout(&first), stdout(&other));
}

#[test]
fn fake_events_are_valid_and_unique() {
    let output = run(&["fake", "--any", "--count", "300", "--seed", "7"]);
    let text = stdout(&output);
    let ids: BTreeSet<String> = ids_of_ndjson(&text).into_iter().collect();
    assert_eq!(ids.len(), 300);
    let types: BTreeSet<String> = text
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap()["event"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(types.len(), 18, "--any draws every type: {types:?}");
    let checked = run_with_input(&["validate", "-"], text.as_bytes());
    assert_eq!(code(&checked), 0, "{}", stdout(&checked));
    assert!(stdout(&checked).contains("300 payloads (ndjson): 300 valid, 0 invalid"), "{}", stdout(&checked));
}

#[test]
fn fake_of_one_type_prints_only_that_type() {
    let output = run(&["fake", "recording.completed", "--count", "20", "--seed", "1"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    for line in stdout(&output).lines() {
        assert_eq!(serde_json::from_str::<Value>(line).unwrap()["event"], "recording.completed");
    }
    assert_eq!(code(&run(&["fake", "call.exploded"])), 2);
    assert_eq!(code(&run(&["fake"])), 2, "an event type, --any or --lifecycle is needed");
}

#[test]
fn fake_lifecycles_are_whole_calls_each_with_its_own_call_id() {
    let output = run(&["fake", "--lifecycle", "--count", "10", "--seed", "5"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let mut calls: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in stdout(&output).lines() {
        let value: Value = serde_json::from_str(line).unwrap();
        let call = value["data"]["call_id"].as_str().expect("a call id").to_owned();
        calls.entry(call).or_default().push(value["event"].as_str().unwrap().to_owned());
    }
    assert_eq!(calls.len(), 10);
    for events in calls.values() {
        assert_eq!(events[0], "call.initiated", "{events:?}");
    }
    let checked = run_with_input(&["validate", "-"], stdout(&output).as_bytes());
    assert_eq!(code(&checked), 0, "{}", stdout(&checked));
}

// ---------------------------------------------------------------------------
// validate
// ---------------------------------------------------------------------------

#[test]
fn validate_reports_the_line_and_pointer_of_each_error_and_exits_1() {
    let mut bad = example("call.completed");
    bad["data"]["duration"] = json!(-1);
    let text = format!("{}\n{}\n", example("call.ringing"), bad);
    let output = run_with_input(&["validate"], text.as_bytes());
    assert_eq!(code(&output), 1);
    assert!(stdout(&output).contains("<stdin>:2: /data/duration: "), "{}", stdout(&output));
    assert!(stdout(&output).contains("2 payloads (ndjson): 1 valid, 1 invalid"), "{}", stdout(&output));

    let array = json!([example("call.ringing"), bad]).to_string();
    let output = run_with_input(&["validate", "--format", "json", "-"], array.as_bytes());
    assert_eq!(code(&output), 1);
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let payload = &report["files"][0]["payloads"][1];
    assert_eq!(payload["index"], 1);
    assert_eq!(payload["errors"][0]["path"], "/data/duration");
    assert_eq!(report["summary"]["invalid"], 1);
}

#[test]
fn validate_tolerant_accepts_an_added_property_the_strict_reading_refuses() {
    let mut added = example("call.completed");
    added["data"]["carrier"] = json!("att");
    let text = added.to_string();
    let strict = run_with_input(&["validate"], text.as_bytes());
    assert_eq!(code(&strict), 1, "{}", stdout(&strict));
    assert!(stdout(&strict).contains("/data"), "{}", stdout(&strict));
    let tolerant = run_with_input(&["validate", "--tolerant"], text.as_bytes());
    assert_eq!(code(&tolerant), 0, "{}", stdout(&tolerant));
    assert!(
        stdout(&tolerant).contains("<stdin>: /data/carrier: accepted by the tolerant reading only [unknown_property]"),
        "{}",
        stdout(&tolerant)
    );
    let report = run_with_input(&["validate", "--tolerant", "--format", "json"], text.as_bytes());
    let report: Value = serde_json::from_slice(&report.stdout).expect("JSON");
    assert_eq!(
        report["files"][0]["payloads"][0]["drift"],
        json!([{ "path": "/data/carrier", "kind": "unknown_property" }])
    );
}

#[test]
fn validate_a_missing_file_exits_2_naming_it() {
    let output = run(&["validate", "/nonexistent/events.ndjson"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("cannot read /nonexistent/events.ndjson"), "{}", stderr(&output));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(code(&run(&["validate", "--format", "yaml"])), 2);
    assert_eq!(code(&run(&["frobnicate"])), 2);
    let help = run(&["send", "--help"]);
    assert_eq!(code(&help), 0);
    assert!(stdout(&help).contains("--duplicates") && stdout(&help).contains("Exit status"), "{}", stdout(&help));
}

// ---------------------------------------------------------------------------
// send and replay
// ---------------------------------------------------------------------------

/// The example receiver's output, shared with the test.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl Write for Log {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Log {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

async fn serve(app: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await.expect("a loopback port");
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    address
}

async fn example_receiver() -> (SocketAddr, Log) {
    let log = Log::default();
    let app = receiver::app(MemoryDedupStore::default(), MemoryTimelineStore::default(), log.clone());
    (serve(app).await, log)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_lifecycles_with_duplicates_shuffled_prints_every_event_once() {
    let (address, log) = example_receiver().await;
    let url = format!("http://{address}/webhooks");
    let output = run_async(args(&[
        "send",
        "--to",
        &url,
        "--lifecycles",
        "50",
        "--duplicates",
        "0.5",
        "--shuffle",
        "--concurrency",
        "8",
        "--seed",
        "11",
    ]))
    .await;
    assert_eq!(code(&output), 0, "{}\n{}", stdout(&output), stderr(&output));
    // `send --seed 11` draws its lifecycles as `fake --lifecycle --seed 12` does.
    let expected = ids_of_ndjson(&stdout(&run(&["fake", "--lifecycle", "--count", "50", "--seed", "12"])));
    let mut printed: BTreeMap<String, usize> = BTreeMap::new();
    for line in log.text().lines() {
        *printed.entry(line.split(' ').next().unwrap().to_owned()).or_default() += 1;
    }
    assert_eq!(printed.len(), expected.len(), "{}", log.text());
    for id in &expected {
        assert_eq!(printed.get(id), Some(&1), "{id} printed once");
    }
    let summary = stdout(&output);
    let deliveries: usize = summary.split(' ').next().unwrap().parse().expect("the delivery count");
    assert!(deliveries > expected.len() * 5 / 4, "about half sent twice: {summary}");
    assert!(summary.contains(&format!("attempts by status: 200: {deliveries}")), "{summary}");
    assert!(summary.contains("latency: p50 ") && summary.contains("refused: 0, unanswered: 0"), "{summary}");
}

/// A server that answers 503 to the first attempt of each event id and 200 to the next, and
/// counts the attempts of each id.
async fn flaky_server() -> (SocketAddr, Arc<Mutex<BTreeMap<String, usize>>>) {
    let attempts: Arc<Mutex<BTreeMap<String, usize>>> = Arc::default();
    async fn handle(State(attempts): State<Arc<Mutex<BTreeMap<String, usize>>>>, body: Bytes) -> StatusCode {
        let value: Value = serde_json::from_slice(&body).expect("a JSON body");
        let id = value["id"].as_str().expect("an id").to_owned();
        let mut attempts = attempts.lock().unwrap();
        let count = attempts.entry(id).or_default();
        *count += 1;
        if *count == 1 { StatusCode::SERVICE_UNAVAILABLE } else { StatusCode::OK }
    }
    let app = Router::new().route("/hook", post(handle)).with_state(attempts.clone());
    (serve(app).await, attempts)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_retry_sends_again_after_a_5xx_and_succeeds() {
    let (address, attempts) = flaky_server().await;
    let url = format!("http://{address}/hook");
    let output = run_async(args(&[
        "send",
        "--to",
        &url,
        "--fake",
        "call.ringing",
        "--count",
        "6",
        "--seed",
        "2",
        "--retry",
        "--backoff",
        "20",
        "--concurrency",
        "3",
    ]))
    .await;
    assert_eq!(code(&output), 0, "{}\n{}", stdout(&output), stderr(&output));
    let attempts = attempts.lock().unwrap().clone();
    assert_eq!(attempts.len(), 6);
    assert!(attempts.values().all(|&n| n == 2), "{attempts:?}");
    let summary = stdout(&output);
    assert!(summary.contains("attempts by status: 200: 6, 503: 6"), "{summary}");
    assert!(summary.contains("retries: 6"), "{summary}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_without_retry_exits_1_when_an_event_is_refused() {
    let (address, _) = flaky_server().await;
    let url = format!("http://{address}/hook");
    let output = run_async(args(&["send", "--to", &url, "--example", "call.completed"])).await;
    assert_eq!(code(&output), 1, "{}", stdout(&output));
    assert!(stderr(&output).contains("evt_1234567890abcdef refused with 503"), "{}", stderr(&output));
    assert!(stdout(&output).contains("refused: 1, unanswered: 0"), "{}", stdout(&output));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_a_body_over_the_receivers_limit_exits_1_with_413() {
    let (address, log) = example_receiver().await;
    let mut big = example("call.completed");
    big["data"]["padding"] = json!("x".repeat(300 * 1024));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.json");
    std::fs::write(&file, big.to_string()).unwrap();
    let url = format!("http://{address}/webhooks");
    let output = run_async(args(&["send", "--to", &url, file.to_str().unwrap()])).await;
    assert_eq!(code(&output), 1, "{}\n{}", stdout(&output), stderr(&output));
    assert!(stdout(&output).contains("attempts by status: 413: 1"), "{}", stdout(&output));
    assert!(stderr(&output).contains("refused with 413"), "{}", stderr(&output));
    assert!(log.text().is_empty());
}

#[test]
fn send_to_a_port_with_nothing_listening_exits_2() {
    let port = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}/webhooks");
    let output = run(&["send", "--to", &url, "--example", "call.completed", "--timeout", "5"]);
    assert_eq!(code(&output), 2, "{}", stdout(&output));
    assert!(stderr(&output).contains("had no answer"), "{}", stderr(&output));
    assert!(stderr(&output).contains("not answered"), "{}", stderr(&output));
}

#[test]
fn send_bad_inputs_exit_2_with_a_clear_message() {
    let output = run(&["send", "--to", "not a url", "--example", "call.completed"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("--to `not a url` is not a URL"), "{}", stderr(&output));
    let output = run(&["send", "--to", "ftp://127.0.0.1/x", "--example", "call.completed"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("is not an http:// URL"), "{}", stderr(&output));
    let output = run(&["send", "--to", "http://127.0.0.1:9/webhooks", "/nonexistent/events.ndjson"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("cannot read /nonexistent/events.ndjson"), "{}", stderr(&output));
    let output = run(&["send", "--to", "http://127.0.0.1:9/webhooks"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("no events to send"), "{}", stderr(&output));
    let output = run(&["send", "--to", "http://127.0.0.1:9/webhooks", "--example", "x", "--duplicates", "2"]);
    assert_eq!(code(&output), 2);
    assert!(!stderr(&output).contains("panicked"), "{}", stderr(&output));
}

/// A server that records the ids it receives, in order.
async fn recording_server() -> (SocketAddr, Arc<Mutex<Vec<String>>>) {
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    async fn handle(State(seen): State<Arc<Mutex<Vec<String>>>>, body: Bytes) -> StatusCode {
        let value: Value = serde_json::from_slice(&body).expect("a JSON body");
        seen.lock().unwrap().push(value["id"].as_str().expect("an id").to_owned());
        StatusCode::OK
    }
    let app = Router::new().route("/hook", post(handle)).with_state(seen.clone());
    (serve(app).await, seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_sends_in_timestamp_order_or_as_captured() {
    let event = |id: &str, timestamp: &str| {
        let mut value = example("call.ringing");
        value["id"] = json!(id);
        value["timestamp"] = json!(timestamp);
        value.to_string()
    };
    // The second is earliest once offsets are read: 10:00+02:00 is 08:00Z.
    let captured = [
        event("evt_c", "2024-01-15T10:35:12Z"),
        event("evt_a", "2024-01-15T10:00:00+02:00"),
        event("evt_b", "2024-01-15T10:35:11Z"),
    ]
    .join("\n");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("captured.ndjson");
    std::fs::write(&file, captured).unwrap();
    let file = file.to_str().unwrap().to_owned();

    let (address, seen) = recording_server().await;
    let url = format!("http://{address}/hook");
    let output = run_async(args(&["replay", &file, "--to", &url])).await;
    assert_eq!(code(&output), 0, "{}\n{}", stdout(&output), stderr(&output));
    assert_eq!(*seen.lock().unwrap(), ["evt_a", "evt_b", "evt_c"]);

    seen.lock().unwrap().clear();
    let output = run_async(args(&["replay", &file, "--to", &url, "--as-captured"])).await;
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(*seen.lock().unwrap(), ["evt_c", "evt_a", "evt_b"]);

    let output = run(&["replay", "/nonexistent/captured.ndjson", "--to", &url]);
    assert_eq!(code(&output), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_reads_ndjson_from_standard_input_with_a_rate() {
    let (address, seen) = recording_server().await;
    let url = format!("http://{address}/hook");
    let events = stdout(&run(&["fake", "--any", "--count", "10", "--seed", "9"]));
    let sent = ids_of_ndjson(&events);
    let output = tokio::task::spawn_blocking(move || {
        run_with_input(
            &["send", "--to", &url, "-", "--rate", "50", "--reorder-window", "2", "--seed", "1"],
            events.as_bytes(),
        )
    })
    .await
    .unwrap();
    assert_eq!(code(&output), 0, "{}\n{}", stdout(&output), stderr(&output));
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 10);
    // One in flight (the default), so the order received is the order sent: each event at most
    // two places later than in the input, and not all in place.
    assert_ne!(seen, sent, "--reorder-window 2 reorders");
    for (index, id) in sent.iter().enumerate() {
        let position = seen.iter().position(|seen| seen == id).expect("every event received");
        assert!(position <= index + 2, "{id} is {position}th, was {index}th: {seen:?}");
    }
    let summary = stdout(&output);
    let seconds: f64 = summary.split(" in ").nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();
    assert!(seconds >= 0.17, "10 starts at 50 per second take at least 9 intervals: {summary}");
}
