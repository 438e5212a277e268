//! `audian-events validate [FILE...]`: checks event payloads with the strict or the tolerant reading.
//!
//! A file holds one event, a JSON array of events, or NDJSON (one event per line). The shape is
//! told from the content: a file that is one JSON value is one event, or a list of events if that
//! value is an array; a file that is not one JSON value but whose first line is, is NDJSON (so
//! is any `.ndjson` or `.jsonl` file).

use std::fmt::Write as _;
use std::io::{IsTerminal, Read, Write};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use audian_events::{PayloadError, Reading};
use serde_json::{Value, json};

use crate::Format;

/// Where a payload is in its file.
#[derive(Debug, Clone, Copy)]
enum Place {
    /// The whole file.
    Whole,
    /// An item of a top-level array, and the line it starts on.
    Item { index: usize, line: usize },
    /// A line of an NDJSON file.
    Line(usize),
}

#[derive(Debug)]
enum Outcome {
    Valid,
    Invalid(Vec<audian_events::ValidationError>),
    /// Not JSON (or a duplicate key, or nesting too deep): the message and the position in the
    /// file, 1-based.
    Malformed {
        message: String,
        line: usize,
        column: usize,
    },
}

#[derive(Debug)]
struct Payload {
    place: Place,
    /// The `event` field, when it is a string.
    event: Option<String>,
    outcome: Outcome,
    /// With `--tolerant`, what a valid payload has that the strict reading refuses: each
    /// addition's JSON Pointer and kind.
    drift: Vec<(String, &'static str)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Single,
    Array,
    Ndjson,
}

impl Shape {
    fn name(self) -> &'static str {
        match self {
            Shape::Single => "single",
            Shape::Array => "array",
            Shape::Ndjson => "ndjson",
        }
    }
}

#[derive(Debug)]
struct FileReport {
    name: String,
    /// `Err` when the file could not be read.
    result: Result<(Shape, Vec<Payload>), String>,
}

/// What `validate` checks, from its command line.
pub struct Options<'a> {
    pub files: &'a [String],
    pub reading: Reading,
    pub format: Format,
}

pub fn main(options: Options<'_>) -> ExitCode {
    let files: Vec<&str> =
        if options.files.is_empty() { vec!["-"] } else { options.files.iter().map(String::as_str).collect() };
    let mut progress = Progress::new();
    let reports: Vec<FileReport> = files
        .iter()
        .map(|&file| {
            let name = if file == "-" { "<stdin>".to_owned() } else { file.to_owned() };
            let result =
                read(file).map(|bytes| check_file(&name, Path::new(file), &bytes, options.reading, &mut progress));
            let result = result.map_err(|error| format!("cannot read {name}: {error}"));
            FileReport { name, result }
        })
        .collect();
    progress.finish();

    let output = match options.format {
        Format::Text => text_report(&reports),
        Format::Json => serde_json::to_string_pretty(&json_report(&reports)).expect("a report serializes") + "\n",
    };
    // A closed pipe (`| head`) is not an error worth a panic.
    let _ = std::io::stdout().lock().write_all(output.as_bytes());
    for report in &reports {
        if let Err(error) = &report.result {
            eprintln!("audian-events validate: {error}");
        }
    }
    let unreadable = reports.iter().any(|report| report.result.is_err());
    let invalid = reports
        .iter()
        .filter_map(|report| report.result.as_ref().ok())
        .any(|(_, payloads)| payloads.iter().any(|payload| !matches!(payload.outcome, Outcome::Valid)));
    if unreadable {
        ExitCode::from(2)
    } else if invalid {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn read(file: &str) -> std::io::Result<Vec<u8>> {
    if file == "-" {
        if std::io::stdin().is_terminal() {
            eprintln!("audian-events validate: reading events from standard input (end with Ctrl-D)");
        }
        let mut bytes = Vec::new();
        std::io::stdin().lock().read_to_end(&mut bytes)?;
        Ok(bytes)
    } else {
        std::fs::read(file)
    }
}

// ---------------------------------------------------------------------------
// Checking
// ---------------------------------------------------------------------------

fn check_file(
    name: &str,
    path: &Path,
    bytes: &[u8],
    reading: Reading,
    progress: &mut Progress,
) -> (Shape, Vec<Payload>) {
    let ndjson_extension =
        path.extension().and_then(|extension| extension.to_str()).is_some_and(|ext| matches!(ext, "ndjson" | "jsonl"));
    if !ndjson_extension {
        match serde_json::from_slice::<Value>(bytes) {
            Ok(_) => {
                let start = skip_whitespace(bytes, 0);
                if bytes.get(start) == Some(&b'[') {
                    return (Shape::Array, check_array(name, bytes, start, reading, progress));
                }
                return (Shape::Single, vec![check_payload(bytes, Place::Whole, Position::START, reading)]);
            }
            Err(_) if !first_line_is_json(bytes) => {
                return (Shape::Single, vec![check_payload(bytes, Place::Whole, Position::START, reading)]);
            }
            Err(_) => {}
        }
    }
    (Shape::Ndjson, check_ndjson(name, bytes, reading, progress))
}

/// Whether the file has more than one non-blank line and the first is a JSON value on its own.
fn first_line_is_json(bytes: &[u8]) -> bool {
    let mut lines = bytes.split(|&b| b == b'\n').filter(|line| !line.trim_ascii().is_empty());
    let first = lines.next();
    first.is_some_and(|line| serde_json::from_slice::<Value>(line).is_ok()) && lines.next().is_some()
}

fn check_ndjson(name: &str, bytes: &[u8], reading: Reading, progress: &mut Progress) -> Vec<Payload> {
    let mut payloads = Vec::new();
    let mut offset = 0;
    for (index, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let start = offset;
        offset += line.len() + 1;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.trim_ascii().is_empty() {
            continue;
        }
        let number = index + 1;
        payloads.push(check_payload(line, Place::Line(number), Position { line: number, column: 1 }, reading));
        progress.tick(name, start, bytes.len(), payloads.len());
    }
    payloads
}

/// Checks each item of a top-level array; `bytes` is known to be valid JSON.
fn check_array(name: &str, bytes: &[u8], open: usize, reading: Reading, progress: &mut Progress) -> Vec<Payload> {
    let mut payloads = Vec::new();
    let mut at = open + 1;
    let mut position = Position::START.advance(bytes, 0, at);
    loop {
        let start = skip_whitespace(bytes, at);
        if bytes.get(start) == Some(&b']') || start >= bytes.len() {
            return payloads;
        }
        let end = value_end(bytes, start);
        position = position.advance(bytes, at, start);
        let index = payloads.len();
        payloads.push(check_payload(&bytes[start..end], Place::Item { index, line: position.line }, position, reading));
        progress.tick(name, start, bytes.len(), payloads.len());
        position = position.advance(bytes, start, end);
        // Past the comma, or onto the closing bracket.
        let next = skip_whitespace(bytes, end);
        at = if bytes.get(next) == Some(&b',') { next + 1 } else { next };
        position = position.advance(bytes, end, at);
    }
}

fn skip_whitespace(bytes: &[u8], mut at: usize) -> usize {
    while bytes.get(at).is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r')) {
        at += 1;
    }
    at
}

/// The end of the JSON value starting at `start`, in valid JSON: the first `,`, `]` or `}` at
/// its own depth, outside strings.
fn value_end(bytes: &[u8], start: usize) -> usize {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut at = start;
    while let Some(&b) = bytes.get(at) {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else {
            match b {
                b'"' => in_string = true,
                b'[' | b'{' => depth += 1,
                b']' | b'}' if depth == 0 => return trim_end(bytes, start, at),
                b']' | b'}' => depth -= 1,
                b',' if depth == 0 => return trim_end(bytes, start, at),
                _ => {}
            }
        }
        at += 1;
    }
    trim_end(bytes, start, at)
}

fn trim_end(bytes: &[u8], start: usize, mut end: usize) -> usize {
    while end > start && matches!(bytes[end - 1], b' ' | b'\t' | b'\n' | b'\r') {
        end -= 1;
    }
    end
}

/// A 1-based line and column (in bytes) in a file.
#[derive(Debug, Clone, Copy)]
struct Position {
    line: usize,
    column: usize,
}

impl Position {
    const START: Position = Position { line: 1, column: 1 };

    /// The position after `bytes[from..to]`, from this one at `from`.
    fn advance(self, bytes: &[u8], from: usize, to: usize) -> Position {
        let mut position = self;
        for &b in &bytes[from..to] {
            if b == b'\n' {
                position.line += 1;
                position.column = 1;
            } else {
                position.column += 1;
            }
        }
        position
    }

    /// A position inside a payload that starts here, as a position in the file.
    fn offset(self, line: usize, column: usize) -> Position {
        if line <= 1 {
            Position { line: self.line, column: self.column + column.saturating_sub(1) }
        } else {
            Position { line: self.line + line - 1, column }
        }
    }
}

fn check_payload(bytes: &[u8], place: Place, start: Position, reading: Reading) -> Payload {
    let event = event_name(bytes);
    let mut drift = Vec::new();
    let outcome = match reading.validate_slice(bytes) {
        Ok(found) => {
            drift =
                found.iter().map(|difference| (difference.pointer().to_owned(), difference.kind().as_str())).collect();
            Outcome::Valid
        }
        // A body without a valid envelope is, to this tool, one more invalid payload.
        Err(PayloadError::NotAnEvent(errors) | PayloadError::Invalid(errors)) => {
            Outcome::Invalid(errors.into_iter().collect())
        }
        Err(PayloadError::Malformed(error)) => {
            // serde_json counts the line and column where it stopped; an empty input stops at 0.
            let at = start.offset(error.line().max(1), error.column().max(1));
            Outcome::Malformed { message: without_position(&error.to_string()), line: at.line, column: at.column }
        }
    };
    Payload { place, event, outcome, drift }
}

/// A `serde_json` message without its ` at line L column C`, which counts from the start of the
/// payload, not of the file.
fn without_position(message: &str) -> String {
    if let Some(at) = message.rfind(" at line ") {
        let rest = &message[at + " at line ".len()..];
        let is_position = rest.split_once(" column ").is_some_and(|(line, column)| {
            [line, column].iter().all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        });
        if is_position {
            return message[..at].to_owned();
        }
    }
    message.to_owned()
}

/// `count` and `noun`, plural unless one.
fn count(count: usize, noun: &str) -> String {
    if count == 1 { format!("1 {noun}") } else { format!("{count} {noun}s") }
}

/// The `event` field of a payload, if it is JSON with a string there.
fn event_name(bytes: &[u8]) -> Option<String> {
    let value: Value = serde_json::from_slice(bytes).ok()?;
    value.get("event")?.as_str().map(str::to_owned)
}

// ---------------------------------------------------------------------------
// Progress
// ---------------------------------------------------------------------------

/// Progress through a file on standard error, once a run has taken more than a second (indicatif
/// draws nothing where standard error is not a terminal).
struct Progress {
    started: Instant,
    bar: Option<ProgressBar>,
}

impl Progress {
    const DELAY: Duration = Duration::from_secs(1);

    fn new() -> Progress {
        Progress { started: Instant::now(), bar: None }
    }

    fn tick(&mut self, name: &str, offset: usize, total: usize, payloads: usize) {
        if !payloads.is_multiple_of(64) || self.started.elapsed() < Self::DELAY {
            return;
        }
        let bar = self.bar.get_or_insert_with(|| {
            let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template("{bar:30} {bytes}/{total_bytes} of {prefix}: {msg}")
                .expect("a valid template");
            bar.set_style(style);
            bar
        });
        if bar.length() != Some(total as u64) {
            bar.set_length(total as u64);
        }
        bar.set_prefix(name.to_owned());
        bar.set_position(offset as u64);
        bar.set_message(format!("{} checked", count(payloads, "payload")));
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

// ---------------------------------------------------------------------------
// Reports
// ---------------------------------------------------------------------------

fn location(file: &str, place: Place) -> String {
    match place {
        Place::Whole => file.to_owned(),
        Place::Item { index, line } => format!("{file}[{index}] (line {line})"),
        Place::Line(line) => format!("{file}:{line}"),
    }
}

fn display_path(path: &str) -> &str {
    if path.is_empty() { "(root)" } else { path }
}

fn text_report(reports: &[FileReport]) -> String {
    let mut out = String::new();
    let (mut payload_count, mut valid_count, mut unreadable) = (0, 0, 0);
    for report in reports {
        let (shape, payloads) = match &report.result {
            Ok(result) => result,
            Err(error) => {
                unreadable += 1;
                let _ = writeln!(out, "{}: error: {error}", report.name);
                continue;
            }
        };
        for payload in payloads {
            let at = location(&report.name, payload.place);
            match &payload.outcome {
                Outcome::Valid => {
                    for (pointer, kind) in &payload.drift {
                        let _ = writeln!(out, "{at}: {pointer}: accepted by the tolerant reading only [{kind}]");
                    }
                }
                Outcome::Invalid(errors) => {
                    for error in errors {
                        let _ = writeln!(
                            out,
                            "{at}: {}: {} [{}]",
                            display_path(error.instance_path()),
                            error.message(),
                            error.keyword()
                        );
                    }
                }
                Outcome::Malformed { message, line, column } => {
                    let _ = writeln!(out, "{at}: malformed JSON at line {line}, column {column}: {message}");
                }
            }
        }
        let valid = payloads.iter().filter(|payload| matches!(payload.outcome, Outcome::Valid)).count();
        payload_count += payloads.len();
        valid_count += valid;
        match (shape, payloads.as_slice()) {
            (Shape::Single, [payload]) => {
                let event = payload.event.as_deref().map(|event| format!(" ({event})")).unwrap_or_default();
                let verdict = match &payload.outcome {
                    Outcome::Valid => "valid".to_owned(),
                    Outcome::Invalid(errors) => format!("invalid, {}", count(errors.len(), "error")),
                    Outcome::Malformed { .. } => "invalid, malformed JSON".to_owned(),
                };
                let _ = writeln!(out, "{}: {verdict}{event}", report.name);
            }
            _ => {
                let _ = writeln!(
                    out,
                    "{}: {} ({}): {valid} valid, {} invalid",
                    report.name,
                    count(payloads.len(), "payload"),
                    shape.name(),
                    payloads.len() - valid
                );
            }
        }
    }
    if reports.len() > 1 {
        let _ = writeln!(
            out,
            "{}, {}: {valid_count} valid, {} invalid{}",
            count(reports.len(), "file"),
            count(payload_count, "payload"),
            payload_count - valid_count,
            if unreadable > 0 { format!(", {} unreadable", count(unreadable, "file")) } else { String::new() }
        );
    }
    out
}

fn json_report(reports: &[FileReport]) -> Value {
    let (mut payload_count, mut valid_count, mut unreadable) = (0, 0, 0);
    let files: Vec<Value> = reports
        .iter()
        .map(|report| {
            let (shape, payloads) = match &report.result {
                Ok(result) => result,
                Err(error) => {
                    unreadable += 1;
                    return json!({ "file": report.name, "error": error });
                }
            };
            let valid = payloads.iter().filter(|payload| matches!(payload.outcome, Outcome::Valid)).count();
            payload_count += payloads.len();
            valid_count += valid;
            let results: Vec<Value> = payloads.iter().map(payload_json).collect();
            json!({
                "file": report.name,
                "shape": shape.name(),
                "valid": valid == payloads.len(),
                "payloads": results,
            })
        })
        .collect();
    json!({
        "valid": unreadable == 0 && valid_count == payload_count,
        "summary": {
            "files": reports.len(),
            "unreadable": unreadable,
            "payloads": payload_count,
            "valid": valid_count,
            "invalid": payload_count - valid_count,
        },
        "files": files,
    })
}

fn payload_json(payload: &Payload) -> Value {
    let mut object = serde_json::Map::new();
    match payload.place {
        Place::Whole => {}
        Place::Item { index, line } => {
            object.insert("index".to_owned(), json!(index));
            object.insert("line".to_owned(), json!(line));
        }
        Place::Line(line) => {
            object.insert("line".to_owned(), json!(line));
        }
    }
    object.insert("event".to_owned(), json!(payload.event));
    object.insert("valid".to_owned(), json!(matches!(payload.outcome, Outcome::Valid)));
    let errors: Vec<Value> = match &payload.outcome {
        Outcome::Valid => Vec::new(),
        Outcome::Invalid(errors) => errors
            .iter()
            .map(|error| {
                json!({
                    "path": error.instance_path(),
                    "keyword": error.keyword(),
                    "schema_path": error.schema_path(),
                    "message": error.message(),
                })
            })
            .collect(),
        Outcome::Malformed { message, line, column } => {
            object.insert("malformed".to_owned(), json!({ "message": message, "line": line, "column": column }));
            Vec::new()
        }
    };
    object.insert("errors".to_owned(), Value::Array(errors));
    let drift: Vec<Value> =
        payload.drift.iter().map(|(pointer, kind)| json!({ "path": pointer, "kind": kind })).collect();
    // Only where there is some (under `--tolerant`), so that a strict report is unchanged.
    if !drift.is_empty() {
        object.insert("drift".to_owned(), Value::Array(drift));
    }
    Value::Object(object)
}
