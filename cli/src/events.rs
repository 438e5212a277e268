//! Where events come from: the documented examples, the test-data generators, and files.

use std::io::{Read, Write};
use std::path::Path;

use audian_events::testing::{any_event, call_lifecycle, event_of_type};
use audian_events::{Event, EventType};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::Value;

use crate::Failure;

/// One event to deliver: its id (for the summary) and its body, sent as is.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub id: String,
    /// The `timestamp` field, for `replay`'s order.
    pub timestamp: Option<String>,
    pub body: Vec<u8>,
}

impl Outgoing {
    pub fn from_value(value: &Value) -> Outgoing {
        let field = |name: &str| value.get(name).and_then(Value::as_str).map(str::to_owned);
        Outgoing {
            id: field("id").unwrap_or_else(|| "(no id)".to_owned()),
            timestamp: field("timestamp"),
            body: serde_json::to_vec(value).expect("a JSON value serializes"),
        }
    }
}

/// A known event type, or a usage error listing them.
pub fn event_type(name: &str) -> Result<EventType, Failure> {
    EventType::ALL.iter().find(|known| known.as_str() == name).cloned().ok_or_else(|| {
        let known: Vec<&str> = EventType::ALL.iter().map(EventType::as_str).collect();
        Failure::usage(format!("unknown event type `{name}`; the event types are: {}", known.join(", ")))
    })
}

/// The documented example of an event type.
pub fn example_text(name: &str) -> Result<&'static str, Failure> {
    let event_type = event_type(name)?;
    audian_events::examples::example(&event_type)
        .ok_or_else(|| Failure::usage(format!("`{name}` has no documented example")))
}

/// `example EVENT` and `example --list`.
pub fn example(event: Option<&str>, list: bool) -> Result<(), Failure> {
    let mut out = String::new();
    if list {
        for event_type in EventType::ALL.iter() {
            out.push_str(event_type.as_str());
            out.push('\n');
        }
    } else {
        out.push_str(example_text(event.unwrap_or_default())?.trim_end());
        out.push('\n');
    }
    let _ = std::io::stdout().lock().write_all(out.as_bytes());
    Ok(())
}

/// The seed given, or one from the clock (said on standard error, to run the same again).
pub fn seed_or_clock(seed: Option<u64>) -> u64 {
    seed.unwrap_or_else(|| {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|elapsed| elapsed.as_nanos() as u64)
            .unwrap_or_default();
        eprintln!("audian-events: --seed {nanos}");
        nanos
    })
}

/// What `fake` makes.
#[derive(Debug, Clone)]
pub enum Fake {
    Type(EventType),
    Any,
    Lifecycles,
}

/// A runner whose random numbers depend on `seed` alone.
fn runner(seed: u64) -> TestRunner {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    TestRunner::new_with_rng(Config::default(), TestRng::from_seed(RngAlgorithm::ChaCha, &bytes))
}

fn draw<S: Strategy>(strategy: &S, runner: &mut TestRunner) -> Result<S::Value, Failure> {
    strategy
        .new_tree(runner)
        .map(|tree| tree.current())
        .map_err(|reason| Failure::usage(format!("the generator gave up: {reason}")))
}

/// The events as JSON, with ids of our own: unique per seed, and readable (the generated ones
/// may hold spaces, which a receiver's log separates fields with).
pub fn fake(kind: &Fake, count: usize, seed: u64) -> Result<Vec<Value>, Failure> {
    let mut runner = runner(seed);
    let mut values = Vec::new();
    let with_id = |event: &Event, id: String| {
        let mut value = serde_json::to_value(event).expect("an event serializes");
        value["id"] = id.into();
        value
    };
    match kind {
        Fake::Type(event_type) => {
            let strategy =
                event_of_type(event_type).ok_or_else(|| Failure::usage(format!("no generator for `{event_type}`")))?;
            for n in 0..count {
                values.push(with_id(&draw(&strategy, &mut runner)?, format!("evt_{seed:x}_{n}")));
            }
        }
        Fake::Any => {
            let strategy = any_event();
            for n in 0..count {
                values.push(with_id(&draw(&strategy, &mut runner)?, format!("evt_{seed:x}_{n}")));
            }
        }
        Fake::Lifecycles => {
            let strategy = call_lifecycle();
            for n in 0..count {
                for (k, event) in draw(&strategy, &mut runner)?.iter().enumerate() {
                    let mut value = with_id(event, format!("evt_{seed:x}_{n}_{k}"));
                    if value["data"].get("call_id").is_some() {
                        value["data"]["call_id"] = format!("call_{seed:x}_{n}").into();
                    }
                    values.push(value);
                }
            }
        }
    }
    Ok(values)
}

/// `fake`: the events as NDJSON on standard output.
pub fn print_fake(kind: Fake, count: usize, seed: u64) -> Result<(), Failure> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for value in fake(&kind, count, seed)? {
        let line = serde_json::to_string(&value).expect("an event serializes");
        // A closed pipe (`| head`) ends the output, not with a panic.
        if writeln!(out, "{line}").is_err() {
            return Ok(());
        }
    }
    let _ = out.flush();
    Ok(())
}

/// The JSON values of a file (`-` for standard input): one value, the items of an array, or
/// NDJSON lines. Malformed JSON is a usage error naming the file and the line.
pub fn read_values(path: &Path) -> Result<Vec<Value>, Failure> {
    let name = path.display().to_string();
    let bytes = if name == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut bytes)
            .map_err(|error| Failure::usage(format!("cannot read standard input: {error}")))?;
        bytes
    } else {
        std::fs::read(path).map_err(|error| Failure::usage(format!("cannot read {name}: {error}")))?
    };
    if let Ok(value) = serde_json::from_slice::<Value>(&bytes) {
        return Ok(match value {
            Value::Array(items) => items,
            value => vec![value],
        });
    }
    let mut values = Vec::new();
    for (index, line) in bytes.split(|&b| b == b'\n').enumerate() {
        if line.trim_ascii().is_empty() {
            continue;
        }
        let value = serde_json::from_slice(line)
            .map_err(|error| Failure::usage(format!("{name}:{}: not JSON: {error}", index + 1)))?;
        values.push(value);
    }
    Ok(values)
}
