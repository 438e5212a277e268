//! `send` and `replay`: events posted to a receiver as Audian posts them (`POST`,
//! `Content-Type: application/json`), with the faults a receiver must survive, and a summary.

use std::collections::{BTreeMap, VecDeque};
use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::Args;
use http_body_util::{BodyExt, Full};
use hyper::Uri;
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tokio::net::TcpStream;

use crate::events::{self, Fake, Outgoing};
use crate::{Failure, Sources};

#[derive(Args, Debug)]
pub struct SendArgs {
    #[command(flatten)]
    pub sources: Sources,
    /// Each event is sent again with this probability (0 to 1): same `id`, same body, as
    /// Audian's retries are.
    #[arg(long, value_name = "P", default_value_t = 0.0, value_parser = probability)]
    pub duplicates: f64,
    /// Deliver in a random order.
    #[arg(long, conflicts_with = "reorder_window")]
    pub shuffle: bool,
    /// Deliver each event up to K places later than in order.
    #[arg(long, value_name = "K")]
    pub reorder_window: Option<usize>,
    /// The seed of the fake events, the duplicates and the order: the same seed sends the same
    /// deliveries. Without it, one from the clock, printed on standard error.
    #[arg(long)]
    pub seed: Option<u64>,
    #[command(flatten)]
    pub delivery: Delivery,
}

/// How deliveries are made, shared by `send` and `replay`.
#[derive(Args, Debug, Clone)]
pub struct Delivery {
    /// The receiver's URL, such as `http://127.0.0.1:3000/webhooks` (plain HTTP).
    #[arg(long, value_name = "URL")]
    pub to: String,
    /// How many deliveries are in flight at once.
    #[arg(long, value_name = "C", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..))]
    pub concurrency: u16,
    /// At most this many deliveries started per second.
    #[arg(long, value_name = "R", value_parser = positive)]
    pub rate: Option<f64>,
    /// Retry a delivery answered 5xx (or not answered: connection error, timeout), as a
    /// webhook sender does: after a backoff that doubles each time, up to `--attempts` in all.
    #[arg(long)]
    pub retry: bool,
    /// With `--retry`, the most attempts of one delivery.
    #[arg(long, value_name = "N", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    pub attempts: u32,
    /// With `--retry`, the first backoff in milliseconds (then 2x, 4x..., at most 10 s).
    #[arg(long, value_name = "MS", default_value_t = 200)]
    pub backoff: u64,
    /// Seconds to wait for an answer to one attempt.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0, value_parser = positive)]
    pub timeout: f64,
}

fn probability(text: &str) -> Result<f64, String> {
    let p: f64 = text.parse().map_err(|_| format!("`{text}` is not a number"))?;
    if (0.0..=1.0).contains(&p) { Ok(p) } else { Err(format!("{p} is not a probability (0 to 1)")) }
}

fn positive(text: &str) -> Result<f64, String> {
    let x: f64 = text.parse().map_err(|_| format!("`{text}` is not a number"))?;
    if x > 0.0 && x.is_finite() { Ok(x) } else { Err(format!("{x} is not a positive number")) }
}

/// A small deterministic generator (SplitMix64): the order and duplicates depend on the seed alone.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64) / ((1u64 << 53) as f64) < p
    }
}

pub fn send(args: SendArgs) -> Result<(), Failure> {
    let target = Target::parse(&args.delivery.to)?;
    let sources = &args.sources;
    let seed = if sources.fake.is_some()
        || sources.lifecycles.is_some()
        || args.duplicates > 0.0
        || args.shuffle
        || args.reorder_window.is_some()
    {
        events::seed_or_clock(args.seed)
    } else {
        args.seed.unwrap_or_default()
    };
    let mut outgoing: Vec<Outgoing> = Vec::new();
    for file in &sources.files {
        outgoing.extend(events::read_values(file)?.iter().map(Outgoing::from_value));
    }
    for name in &sources.examples {
        let value = serde_json::from_str(events::example_text(name)?).expect("a documented example is JSON");
        outgoing.push(Outgoing::from_value(&value));
    }
    if let Some(name) = &sources.fake {
        let kind = if name == "any" { Fake::Any } else { Fake::Type(events::event_type(name)?) };
        outgoing.extend(events::fake(&kind, sources.count, seed)?.iter().map(Outgoing::from_value));
    }
    if let Some(n) = sources.lifecycles {
        // Another stream than --fake's, so that their ids differ.
        let values = events::fake(&Fake::Lifecycles, n, seed.wrapping_add(1))?;
        outgoing.extend(values.iter().map(Outgoing::from_value));
    }
    if outgoing.is_empty() {
        return Err(Failure::usage(
            "no events to send: give FILE..., `-` (standard input), --example EVENT, --fake EVENT or --lifecycles N",
        ));
    }

    let events = outgoing.len();
    let mut rng = Rng(seed ^ 0x5eed);
    let mut deliveries: Vec<Outgoing> = Vec::new();
    for event in outgoing {
        let again = rng.chance(args.duplicates);
        if again {
            deliveries.push(event.clone());
        }
        deliveries.push(event);
    }
    if args.shuffle {
        for index in (1..deliveries.len()).rev() {
            deliveries.swap(index, rng.below(index + 1));
        }
    } else if let Some(window) = args.reorder_window {
        let mut keyed: Vec<(usize, Outgoing)> =
            deliveries.into_iter().enumerate().map(|(index, event)| (index + rng.below(window + 1), event)).collect();
        keyed.sort_by_key(|(key, _)| *key);
        deliveries = keyed.into_iter().map(|(_, event)| event).collect();
    }
    deliver(target, deliveries, events, &args.delivery)
}

pub fn replay(file: &str, as_captured: bool, delivery: Delivery) -> Result<(), Failure> {
    let target = Target::parse(&delivery.to)?;
    let mut outgoing: Vec<Outgoing> =
        events::read_values(std::path::Path::new(file))?.iter().map(Outgoing::from_value).collect();
    if outgoing.is_empty() {
        return Err(Failure::usage(format!("{file} holds no events")));
    }
    if !as_captured {
        // By instant (offsets compared as instants); an event without a readable timestamp
        // keeps its place after those with one. The sort is stable: ties stay as captured.
        let instant = |event: &Outgoing| {
            event.timestamp.as_deref().and_then(|text| chrono::DateTime::parse_from_rfc3339(text).ok())
        };
        outgoing.sort_by_key(|event| (instant(event).is_none(), instant(event)));
    }
    let events = outgoing.len();
    deliver(target, outgoing, events, &delivery)
}

/// Where deliveries go: a plain-HTTP URL, resolved once.
#[derive(Debug, Clone)]
struct Target {
    uri: Uri,
    host: String,
    address: SocketAddr,
}

impl Target {
    fn parse(url: &str) -> Result<Target, Failure> {
        let uri: Uri = url.parse().map_err(|error| Failure::usage(format!("--to `{url}` is not a URL: {error}")))?;
        match uri.scheme_str() {
            Some("http") => {}
            Some("https") => {
                return Err(Failure::usage(format!(
                    "--to `{url}`: https is not supported; send to a plain http:// receiver (or a TLS proxy in front of it)"
                )));
            }
            _ => return Err(Failure::usage(format!("--to `{url}` is not an http:// URL"))),
        }
        let authority = uri.authority().ok_or_else(|| Failure::usage(format!("--to `{url}` has no host")))?;
        let port = authority.port_u16().unwrap_or(80);
        let host = authority.host().trim_start_matches('[').trim_end_matches(']').to_owned();
        use std::net::ToSocketAddrs;
        let address = (host.as_str(), port)
            .to_socket_addrs()
            .map_err(|error| Failure::usage(format!("--to `{url}`: cannot resolve {host}: {error}")))?
            .next()
            .ok_or_else(|| Failure::usage(format!("--to `{url}`: {host} has no address")))?;
        let host = authority.as_str().to_owned();
        Ok(Target { uri, host, address })
    }
}

/// The outcome of one attempt.
#[derive(Debug)]
enum Answer {
    Status(u16, Vec<u8>),
    /// No answer: the connection failed or timed out.
    Unanswered(String),
}

async fn attempt(target: &Target, body: &[u8], timeout: Duration) -> Answer {
    let request = async {
        let stream = TcpStream::connect(target.address).await.map_err(|error| error.to_string())?;
        let _ = stream.set_nodelay(true);
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.map_err(|error| error.to_string())?;
        tokio::spawn(async move {
            let _ = connection.await;
        });
        let request = hyper::Request::post(target.uri.clone())
            .header(hyper::header::HOST, &target.host)
            .header(hyper::header::CONTENT_TYPE, "application/json")
            .header(hyper::header::USER_AGENT, concat!("audian-events/", env!("CARGO_PKG_VERSION")))
            .body(Full::new(Bytes::copy_from_slice(body)))
            .expect("a request from a parsed URL");
        let response = sender.send_request(request).await.map_err(|error| error.to_string())?;
        let status = response.status().as_u16();
        let body = response.into_body().collect().await.map(|body| body.to_bytes().to_vec()).unwrap_or_default();
        Ok::<_, String>(Answer::Status(status, body))
    };
    match tokio::time::timeout(timeout, request).await {
        Ok(Ok(answer)) => answer,
        Ok(Err(error)) => Answer::Unanswered(error),
        Err(_) => Answer::Unanswered(format!("no answer within {} s", timeout.as_secs_f64())),
    }
}

/// What became of one delivery, after its retries.
#[derive(Debug)]
struct Delivered {
    id: String,
    answer: Answer,
    retries: u32,
}

#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    statuses: BTreeMap<String, usize>,
    retries: u32,
    done: Vec<Delivered>,
}

fn deliver(target: Target, deliveries: Vec<Outgoing>, events: usize, delivery: &Delivery) -> Result<(), Failure> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| Failure::usage(format!("cannot start the HTTP client: {error}")))?;
    let total = deliveries.len();
    let started = Instant::now();
    let tally = runtime.block_on(run(target.clone(), deliveries, delivery.clone()));
    let elapsed = started.elapsed();
    summarize(&target, &tally, events, total, elapsed)
}

async fn run(target: Target, deliveries: Vec<Outgoing>, delivery: Delivery) -> Tally {
    let total = deliveries.len();
    let queue = Arc::new(Mutex::new(VecDeque::from(deliveries)));
    let tally = Arc::new(Mutex::new(Tally::default()));
    let progress = progress_bar(total);
    let interval = delivery.rate.map(|rate| Duration::from_secs_f64(1.0 / rate));
    let next_start = Arc::new(Mutex::new(tokio::time::Instant::now()));
    let target = Arc::new(target);
    let mut workers = Vec::new();
    for _ in 0..delivery.concurrency {
        let (queue, tally, progress, next_start, target, delivery) =
            (queue.clone(), tally.clone(), progress.clone(), next_start.clone(), target.clone(), delivery.clone());
        workers.push(tokio::spawn(async move {
            loop {
                let Some(event) = queue.lock().expect("queue").pop_front() else { break };
                if let Some(interval) = interval {
                    // Each start takes the next slot of the rate, shared by every worker.
                    let slot = {
                        let mut next = next_start.lock().expect("rate");
                        let slot = (*next).max(tokio::time::Instant::now());
                        *next = slot + interval;
                        slot
                    };
                    tokio::time::sleep_until(slot).await;
                }
                let delivered = deliver_one(&target, &event, &delivery, &tally).await;
                tally.lock().expect("tally").done.push(delivered);
                progress.inc(1);
            }
        }));
    }
    for worker in workers {
        let _ = worker.await;
    }
    progress.finish_and_clear();
    Arc::try_unwrap(tally).ok().expect("every worker is done").into_inner().expect("tally")
}

async fn deliver_one(target: &Target, event: &Outgoing, delivery: &Delivery, tally: &Mutex<Tally>) -> Delivered {
    let timeout = Duration::from_secs_f64(delivery.timeout);
    let mut retries = 0;
    loop {
        let started = Instant::now();
        let answer = attempt(target, &event.body, timeout).await;
        let latency = started.elapsed();
        let key = match &answer {
            Answer::Status(status, _) => status.to_string(),
            Answer::Unanswered(_) => "no answer".to_owned(),
        };
        {
            let mut tally = tally.lock().expect("tally");
            tally.latencies.push(latency);
            *tally.statuses.entry(key).or_default() += 1;
        }
        let retryable = matches!(answer, Answer::Unanswered(_) | Answer::Status(500..=599, _));
        if !(delivery.retry && retryable && retries + 1 < delivery.attempts) {
            return Delivered { id: event.id.clone(), answer, retries };
        }
        let backoff =
            Duration::from_millis(delivery.backoff.saturating_mul(1 << retries.min(16))).min(Duration::from_secs(10));
        tokio::time::sleep(backoff).await;
        retries += 1;
        tally.lock().expect("tally").retries += 1;
    }
}

/// A progress bar of the deliveries on standard error; indicatif draws nothing where standard
/// error is not a terminal, so piped and captured runs print only the summary.
fn progress_bar(total: usize) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template("{bar:30} {pos}/{len} deliveries, {per_sec}, {eta} left")
        .expect("a valid template");
    bar.set_style(style);
    bar
}

fn plural(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn millis(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
}

/// Prints the summary; fails with 1 when a receiver finally refused an event, 2 when one was
/// never answered.
fn summarize(target: &Target, tally: &Tally, events: usize, total: usize, elapsed: Duration) -> Result<(), Failure> {
    let mut latencies = tally.latencies.clone();
    latencies.sort_unstable();
    let statuses: Vec<String> = tally.statuses.iter().map(|(status, n)| format!("{status}: {n}")).collect();
    let refused: Vec<&Delivered> =
        tally.done.iter().filter(|done| matches!(done.answer, Answer::Status(status, _) if status >= 300)).collect();
    let unanswered: Vec<&Delivered> =
        tally.done.iter().filter(|done| matches!(done.answer, Answer::Unanswered(_))).collect();
    let mut out = String::new();
    use std::fmt::Write as _;
    let _ = writeln!(
        out,
        "{} of {} to {} in {:.2} s",
        plural(total, "delivery", "deliveries"),
        plural(events, "event", "events"),
        target.uri,
        elapsed.as_secs_f64()
    );
    let _ = writeln!(out, "attempts by status: {}", statuses.join(", "));
    let _ = writeln!(out, "retries: {}", tally.retries);
    let _ = writeln!(
        out,
        "latency: p50 {}, p90 {}, p99 {}, max {}",
        millis(percentile(&latencies, 0.50)),
        millis(percentile(&latencies, 0.90)),
        millis(percentile(&latencies, 0.99)),
        millis(latencies.last().copied().unwrap_or_default())
    );
    let _ = writeln!(out, "refused: {}, unanswered: {}", refused.len(), unanswered.len());
    let _ = std::io::stdout().lock().write_all(out.as_bytes());
    // The first few failures, each with its reason.
    for done in refused.iter().chain(&unanswered).take(5) {
        match &done.answer {
            Answer::Status(status, body) => {
                let body = String::from_utf8_lossy(body);
                let body: String = body.chars().take(200).collect();
                eprintln!("audian-events: {} refused with {status} (after {} retries): {body}", done.id, done.retries);
            }
            Answer::Unanswered(error) => {
                eprintln!("audian-events: {} not answered (after {} retries): {error}", done.id, done.retries);
            }
        }
    }
    if !unanswered.is_empty() {
        Err(Failure {
            code: 2,
            message: format!("{} of {total} deliveries had no answer from {}", unanswered.len(), target.uri),
        })
    } else if !refused.is_empty() {
        Err(Failure { code: 1, message: format!("{} of {total} deliveries were refused", refused.len()) })
    } else {
        Ok(())
    }
}
