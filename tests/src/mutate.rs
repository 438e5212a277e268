//! The mutation engine: from a documented example, a stack of random mutations; now and then
//! the result is written as bytes and mutated further at that level.

use std::fmt;

use serde_json::{Value, json};

use crate::bytes;
use crate::rng::Rng;
use crate::tree::{self, Path, Seg};
use crate::values::{self, Kind};

/// A payload to judge: a JSON value, or raw bytes (which may not be JSON at all).
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    Value(Value),
    Bytes(Vec<u8>),
}

impl Input {
    /// The bytes as a readable string: invalid UTF-8 as `\xNN`.
    pub fn display_bytes(bytes: &[u8]) -> String {
        let mut out = String::new();
        for chunk in bytes.utf8_chunks() {
            out.push_str(chunk.valid());
            for byte in chunk.invalid() {
                out.push_str(&format!("\\x{byte:02X}"));
            }
        }
        out
    }
}

impl fmt::Display for Input {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Input::Value(value) => {
                let text = serde_json::to_string_pretty(value).map_err(|_| fmt::Error)?;
                write!(f, "{text}")
            }
            Input::Bytes(bytes) => {
                write!(f, "bytes ({} long, invalid UTF-8 shown as \\xNN): {}", bytes.len(), Input::display_bytes(bytes))
            }
        }
    }
}

/// One generated payload and what was done to make it.
#[derive(Debug, Clone)]
pub struct Case {
    /// The documented example it started from.
    pub example: String,
    /// The mutations, in order.
    pub notes: Vec<String>,
    pub input: Input,
}

/// The kinds of mutation, with their weights.
#[derive(Debug, Clone, Copy)]
enum Op {
    /// A field set to another valid value of its kind.
    FieldValid,
    /// A field set to a near miss of its kind.
    FieldNearMiss,
    Drop,
    Add,
    ChangeType,
    Boundary,
    Empty,
    NonAscii,
    Garbage,
    Swap,
    Rename,
    Root,
    /// What a later version of Audian may add: the tolerant reading accepts it, the strict one
    /// refuses it.
    Addition,
}

const OPS: [(Op, u32); 13] = [
    (Op::FieldValid, 46),
    (Op::FieldNearMiss, 14),
    (Op::Drop, 6),
    (Op::Add, 6),
    (Op::ChangeType, 5),
    (Op::Boundary, 6),
    (Op::Empty, 3),
    (Op::NonAscii, 5),
    (Op::Garbage, 3),
    (Op::Swap, 4),
    (Op::Rename, 3),
    (Op::Root, 1),
    (Op::Addition, 8),
];

/// Property names no event has, for additions: what a later version of Audian could add.
const NEW_PROPERTY_NAMES: [&str; 10] = [
    "carrier",
    "region",
    "tags",
    "sip_headers",
    "account_id",
    "x-trace-id",
    "schema_version",
    "transcription",
    "cost",
    "queue",
];

/// Event types this version does not know, for additions.
const NEW_EVENT_NAMES: [&str; 8] = [
    "call.transcribed",
    "call.queued",
    "recording.transcribed",
    "sms.received",
    "voicemail.left",
    "ivr.completed",
    "conference.joined",
    "call.completed.v2",
];

/// Values of the open enumerations (`call_type`, `reason` of `call.failed`) this version does
/// not know, for additions.
const NEW_ENUM_VALUES: [&str; 8] =
    ["internal", "forwarded", "click_to_call", "carrier_error", "rejected", "spam_blocked", "x", "Inbound"];

/// Names no event has, for fields added at random.
const UNKNOWN_NAMES: [&str; 14] = [
    "extra",
    "",
    "ID",
    "Data",
    "data ",
    "__proto__",
    "$ref",
    "id\u{0}",
    "caller_name",
    "métadonnées",
    "event_type",
    "metadata",
    "callId",
    "😀",
];

/// Generates cases from the documented examples.
#[derive(Debug, Clone)]
pub struct Engine {
    examples: Vec<(String, Value)>,
    /// Every field name of the examples, envelope and `data`, sorted.
    field_names: Vec<String>,
    /// How often each example is the start of a case: more often with more fields of the
    /// kinds [`interest`] favours.
    example_weights: Vec<u32>,
    /// The event names valid values of `event` are drawn from.
    event_names: &'static [&'static str],
}

impl Engine {
    /// An engine over `examples` (event name, payload), which must not be empty.
    pub fn new(examples: Vec<(String, Value)>) -> Engine {
        assert!(!examples.is_empty(), "no examples to mutate");
        let mut field_names: Vec<String> = Vec::new();
        for (_, example) in &examples {
            for object in [Some(example), example.get("data")].into_iter().flatten() {
                if let Some(map) = object.as_object() {
                    field_names.extend(map.keys().cloned());
                }
            }
        }
        field_names.sort();
        field_names.dedup();
        let example_weights = examples
            .iter()
            .map(|(_, example)| 2 + fields(example).iter().filter(|(_, kind)| interest(*kind) >= 3).count() as u32)
            .collect();
        Engine { examples, field_names, example_weights, event_names: values::event_names() }
    }

    /// The engine with valid values of `event` drawn from `names` instead of the documented event
    /// types (`EventType::ALL`), which change when an event is added.
    pub fn with_event_names(self, names: &'static [&'static str]) -> Engine {
        assert!(!names.is_empty(), "no event names to draw from");
        Engine { event_names: names, ..self }
    }

    /// The engine over the documented examples of `schema/examples/`.
    pub fn documented() -> Engine {
        Engine::new(crate::reference::examples().to_vec())
    }

    pub fn examples(&self) -> &[(String, Value)] {
        &self.examples
    }

    /// Case `index` of the run from `seed`: a function of the two numbers alone.
    pub fn case(&self, seed: u64, index: u64) -> Case {
        let mut rng = Rng::for_case(seed, index);
        let mut notes = Vec::new();
        let (name, value) = self.mutated_example(&mut rng, &mut notes);
        let input = if rng.chance(1, 8) {
            Input::Bytes(bytes::mutate(&value, self.event_names, &mut rng, &mut notes))
        } else {
            Input::Value(value)
        };
        Case { example: name.to_owned(), notes, input }
    }

    /// A documented example (favouring those with more interesting fields) and its name.
    pub fn pick_example(&self, rng: &mut Rng) -> (&str, &Value) {
        let (name, example) = &self.examples[rng.weighted(&self.example_weights)];
        (name, example)
    }

    /// The value stage of a case: an example, then from none to seven random mutations (one or
    /// two mostly).
    pub fn mutated_example(&self, rng: &mut Rng, notes: &mut Vec<String>) -> (&str, Value) {
        let (name, example) = self.pick_example(rng);
        let mut value = example.clone();
        let count = match rng.below(100) {
            0..=1 => 0,
            2..=46 => 1,
            47..=76 => 2,
            77..=90 => 3,
            _ => rng.between(4, 7),
        };
        for _ in 0..count {
            self.mutate(&mut value, rng, notes);
        }
        (name, value)
    }

    /// The valid values of `event` this engine draws from.
    pub fn event_names(&self) -> &'static [&'static str] {
        self.event_names
    }

    /// Applies one random mutation.
    pub fn mutate(&self, value: &mut Value, rng: &mut Rng, notes: &mut Vec<String>) {
        let weights: Vec<u32> = OPS.iter().map(|(_, weight)| *weight).collect();
        let op = OPS[rng.weighted(&weights)].0;
        match op {
            Op::FieldValid | Op::FieldNearMiss => {
                let fields = fields(value);
                if fields.is_empty() {
                    return self.replace_any(value, rng, notes, "change type", values::other_type);
                }
                // Fields with formats, patterns and ranges are where validators differ: favour them.
                let weights: Vec<u32> = fields.iter().map(|(_, kind)| interest(*kind)).collect();
                let (path, kind) = fields[rng.weighted(&weights)].clone();
                let new = if matches!(op, Op::FieldNearMiss) {
                    self.near_miss(kind, rng)
                } else {
                    match kind {
                        Kind::EventName | Kind::Data => return self.transplant(value, rng, notes),
                        Kind::CallStatus if rng.chance(3, 4) => match implied_status(value) {
                            Some(status) => json!(status),
                            None => self.valid(kind, rng),
                        },
                        _ => self.valid(kind, rng),
                    }
                };
                set(value, &path, new, notes, if matches!(op, Op::FieldValid) { "valid" } else { "near miss" });
            }
            Op::Drop => {
                let path = if rng.chance(3, 4) {
                    let fields = fields(value);
                    if fields.is_empty() {
                        return;
                    }
                    rng.pick(&fields).0.clone()
                } else {
                    let nodes = tree::nodes(value);
                    if nodes.len() < 2 {
                        return;
                    }
                    nodes[1 + rng.index(nodes.len() - 1)].clone()
                };
                tree::remove(value, &path);
                notes.push(format!("drop {}", tree::pointer(&path)));
            }
            Op::Add => {
                let parent: Path = match rng.below(3) {
                    0 => Vec::new(),
                    1 => vec![Seg::Key("data".to_owned())],
                    _ => {
                        let objects: Vec<Path> = tree::nodes(value)
                            .into_iter()
                            .filter(|path| tree::get(value, path).is_some_and(Value::is_object))
                            .collect();
                        if objects.is_empty() {
                            return;
                        }
                        rng.pick(&objects).clone()
                    }
                };
                let name = if rng.chance(1, 2) {
                    rng.pick(&UNKNOWN_NAMES).to_string()
                } else {
                    rng.pick(&self.field_names).clone()
                };
                let new = self.valid(Kind::of(&name, !parent.is_empty()), rng);
                let Some(Value::Object(map)) = tree::get_mut(value, &parent) else { return };
                notes.push(format!("add {}/{name:?} = {}", tree::pointer(&parent), short(&new)));
                map.insert(name, new);
            }
            Op::ChangeType => self.replace_any(value, rng, notes, "change type", values::other_type),
            Op::Boundary => {
                let numeric: Vec<Path> = fields(value)
                    .into_iter()
                    .filter(|(_, kind)| matches!(kind, Kind::Count | Kind::ReasonCode))
                    .map(|(path, _)| path)
                    .collect();
                if !numeric.is_empty() && rng.chance(2, 3) {
                    let path = rng.pick(&numeric).clone();
                    set(value, &path, values::boundary_number(rng), notes, "boundary");
                } else {
                    self.replace_any(value, rng, notes, "boundary", |_, rng| values::boundary_number(rng));
                }
            }
            Op::Empty => self.replace_string(value, rng, notes, "empty", |_, _| String::new()),
            Op::NonAscii => self.replace_string(value, rng, notes, "non-ASCII", |text, rng| {
                let special = values::special_char(rng);
                match rng.below(3) {
                    0 => special.to_string(),
                    1 => format!("{text}{special}"),
                    _ => {
                        let boundaries: Vec<usize> = (0..=text.len()).filter(|&i| text.is_char_boundary(i)).collect();
                        let at = *rng.pick(&boundaries);
                        format!("{}{special}{}", &text[..at], &text[at..])
                    }
                }
            }),
            Op::Garbage => {
                let depth = if rng.chance(1, 4) { rng.between(32, 100) } else { rng.between(1, 8) } as usize;
                let garbage = values::garbage(rng, depth);
                if rng.chance(1, 2) {
                    self.replace_any(value, rng, notes, "garbage", move |_, _| garbage.clone());
                } else if let Some(Value::Object(map)) =
                    if rng.chance(1, 2) { value.get_mut("data") } else { Some(value) }
                {
                    notes.push(format!("add garbage field, depth {depth}"));
                    map.insert(rng.pick(&self.field_names).clone(), garbage);
                }
            }
            Op::Swap => {
                let (other_name, other) = rng.pick(&self.examples);
                let Some(map) = value.as_object_mut() else { return };
                if rng.chance(1, 2) {
                    notes.push(format!("event = {other_name:?} (data kept)"));
                    map.insert("event".to_owned(), json!(other_name));
                } else {
                    notes.push(format!("data of {other_name} (event kept)"));
                    map.insert("data".to_owned(), other["data"].clone());
                }
            }
            Op::Rename => {
                let fields = fields(value);
                if fields.is_empty() {
                    return;
                }
                let (path, _) = rng.pick(&fields).clone();
                let Some((Seg::Key(key), parent)) = path.split_last() else { return };
                let new_name = if rng.chance(1, 2) {
                    values::near_miss_word(key, rng)
                } else {
                    rng.pick(&self.field_names).clone()
                };
                let Some(Value::Object(map)) = tree::get_mut(value, parent) else { return };
                if let Some(moved) = map.remove(key) {
                    notes.push(format!("rename {} to {new_name:?}", tree::pointer(&path)));
                    map.insert(new_name, moved);
                }
            }
            Op::Root => {
                let old = value.take();
                *value = match rng.below(6) {
                    0 => json!([old]),
                    1 => Value::Null,
                    2 => json!(""),
                    3 => json!({}),
                    4 => old.get("data").cloned().unwrap_or(Value::Null),
                    _ => json!([old, rng.pick(&self.examples).1]),
                };
                notes.push(format!("root = {}", short(value)));
            }
            Op::Addition => self.addition(value, rng, notes),
        }
    }

    /// An addition Audian may make in a later version: a property the schemas do not name (at
    /// the root or in `data`), an event type this version does not know (the envelope kept), or
    /// a new value of an open enumeration (after making the event one that has such a field, if
    /// it has none).
    fn addition(&self, value: &mut Value, rng: &mut Rng, notes: &mut Vec<String>) {
        match rng.below(3) {
            0 => {
                let name = *rng.pick(&NEW_PROPERTY_NAMES);
                let new = match rng.below(6) {
                    0 => Value::String(values::text(rng, 0, 12)),
                    1 => json!(rng.below(1_000_000)),
                    2 => json!({"name": values::text(rng, 0, 8), "nested": {"level": 2}}),
                    3 => json!([values::text(rng, 0, 8), 1, null]),
                    4 => Value::Null,
                    _ => json!(rng.chance(1, 2)),
                };
                let in_data = rng.chance(1, 2);
                let Some(Value::Object(map)) = (if in_data { value.get_mut("data") } else { Some(value) }) else {
                    return;
                };
                notes.push(format!("addition: {}/{name} = {}", if in_data { "/data" } else { "" }, short(&new)));
                map.insert(name.to_owned(), new);
            }
            1 => {
                let name = *rng.pick(&NEW_EVENT_NAMES);
                let Some(map) = value.as_object_mut() else { return };
                notes.push(format!("addition: event = {name:?}"));
                map.insert("event".to_owned(), json!(name));
            }
            _ => {
                let open = |value: &Value| -> Vec<Path> {
                    fields(value)
                        .into_iter()
                        .filter(|(_, kind)| matches!(kind, Kind::CallType | Kind::FailureReason))
                        .map(|(path, _)| path)
                        .collect()
                };
                let mut paths = open(value);
                if paths.is_empty() {
                    let with_open: Vec<&(String, Value)> =
                        self.examples.iter().filter(|(_, example)| !open(example).is_empty()).collect();
                    if with_open.is_empty() || !value.is_object() {
                        return;
                    }
                    let (name, other) = *rng.pick(&with_open);
                    if let Some(map) = value.as_object_mut() {
                        map.insert("event".to_owned(), other["event"].clone());
                        map.insert("data".to_owned(), other["data"].clone());
                        notes.push(format!("event and data of {name}"));
                    }
                    paths = open(value);
                }
                let path = rng.pick(&paths).clone();
                set(value, &path, json!(rng.pick(&NEW_ENUM_VALUES)), notes, "addition");
            }
        }
    }

    /// A valid value of `kind`, an event name among this engine's.
    fn valid(&self, kind: Kind, rng: &mut Rng) -> Value {
        match kind {
            Kind::EventName => json!(rng.pick(self.event_names)),
            _ => values::valid(kind, rng),
        }
    }

    /// A value of `kind` that misses by little; for `event`, near one of this engine's names.
    fn near_miss(&self, kind: Kind, rng: &mut Rng) -> Value {
        match kind {
            Kind::EventName => Value::String(values::near_miss_event_name(self.event_names, rng)),
            _ => values::near_miss(kind, rng),
        }
    }

    /// The envelope made another event: `event` and `data` from another example, `id` and
    /// `timestamp` kept.
    fn transplant(&self, value: &mut Value, rng: &mut Rng, notes: &mut Vec<String>) {
        let (name, other) = rng.pick(&self.examples);
        if let Some(map) = value.as_object_mut() {
            map.insert("event".to_owned(), other["event"].clone());
            map.insert("data".to_owned(), other["data"].clone());
            notes.push(format!("event and data of {name}"));
        }
    }

    /// Replaces a random node (the root included) with `make(node)`.
    fn replace_any(
        &self,
        value: &mut Value,
        rng: &mut Rng,
        notes: &mut Vec<String>,
        what: &str,
        make: impl FnOnce(&Value, &mut Rng) -> Value,
    ) {
        let nodes = tree::nodes(value);
        // The root rarely: most of the interest is inside.
        let path = if nodes.len() > 1 && !rng.chance(1, 20) {
            nodes[1 + rng.index(nodes.len() - 1)].clone()
        } else {
            Vec::new()
        };
        let node = tree::get(value, &path).expect("a node of the value").clone();
        let new = make(&node, rng);
        set(value, &path, new, notes, what);
    }

    /// Replaces a random string node with `make(string)`.
    fn replace_string(
        &self,
        value: &mut Value,
        rng: &mut Rng,
        notes: &mut Vec<String>,
        what: &str,
        make: impl FnOnce(&str, &mut Rng) -> String,
    ) {
        let strings: Vec<Path> = tree::nodes(value)
            .into_iter()
            .filter(|path| tree::get(value, path).is_some_and(Value::is_string))
            .collect();
        if strings.is_empty() {
            return;
        }
        let path = rng.pick(&strings).clone();
        let old = tree::get(value, &path).and_then(Value::as_str).unwrap_or_default().to_owned();
        let new = make(&old, rng);
        set(value, &path, Value::String(new), notes, what);
    }
}

/// The envelope's fields and `data`'s, with their kinds, keys sorted; the items of `options`.
fn fields(value: &Value) -> Vec<(Path, Kind)> {
    let mut out = Vec::new();
    let Some(envelope) = value.as_object() else { return out };
    for key in tree::sorted_keys(envelope) {
        out.push((vec![Seg::Key(key.clone())], Kind::of(&key, false)));
    }
    if let Some(data) = envelope.get("data").and_then(Value::as_object) {
        for key in tree::sorted_keys(data) {
            let path = vec![Seg::Key("data".to_owned()), Seg::Key(key.clone())];
            if let Some(items) = data[&key].as_array().filter(|_| key == "options") {
                for index in 0..items.len() {
                    let mut item = path.clone();
                    item.push(Seg::Index(index));
                    out.push((item, Kind::Text));
                }
            }
            out.push((path, Kind::of(&key, true)));
        }
    }
    out
}

/// How often a field of `kind` is picked, relative to the others.
fn interest(kind: Kind) -> u32 {
    match kind {
        Kind::Uri => 8,
        Kind::Phone | Kind::Count | Kind::ReasonCode => 3,
        Kind::Timestamp => 2,
        _ => 1,
    }
}

/// The `status` the event's name implies, if it has one.
fn implied_status(value: &Value) -> Option<&'static str> {
    match value.get("event")?.as_str()? {
        "call.completed" => Some("completed"),
        "call.failed" => Some("failed"),
        "call.cancelled" => Some("cancelled"),
        _ => None,
    }
}

fn set(value: &mut Value, path: &[Seg], new: Value, notes: &mut Vec<String>, what: &str) {
    notes.push(format!("{what}: {} = {}", pointer_or_root(path), short(&new)));
    if let Some(node) = tree::get_mut(value, path) {
        *node = new;
    }
}

fn pointer_or_root(path: &[Seg]) -> String {
    if path.is_empty() { "(root)".to_owned() } else { tree::pointer(path) }
}

/// A value in a note: compact, cut at 100 characters.
fn short(value: &Value) -> String {
    audian_events_reference::shorten(&value.to_string(), 100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest;

    /// The digest of the first cases of a seed (`digest::cases`), committed.
    const EXPECTED_FIRST_CASES: u64 = 0xE76B_9541_A64F_587A;

    /// The engine's first cases are those committed: a seed printed before replays.
    #[test]
    fn the_first_cases_are_pinned() {
        let digest = digest::cases(&digest::pinned_engine(), 7, 0..500);
        digest::assert_pinned("cases 0..500 of seed 7", &[digest], &[EXPECTED_FIRST_CASES], "EXPECTED_FIRST_CASES");
    }

    /// A case is a function of its seed and index alone: the same whatever ran before it.
    #[test]
    fn cases_replay_in_any_order() {
        let engine = Engine::documented();
        let forward: Vec<Case> = (0..200).map(|index| engine.case(7, index)).collect();
        for index in (0..200).rev() {
            let again = engine.case(7, index);
            assert_eq!(again.input, forward[index as usize].input, "case {index}");
            assert_eq!(again.notes, forward[index as usize].notes, "case {index}");
        }
        assert_ne!(engine.case(7, 0).notes, engine.case(8, 0).notes);
    }

    /// Valid values of `event` come from the engine's names, as the pinned engine needs.
    #[test]
    fn event_names_come_from_the_engine() {
        static NAMES: [&str; 1] = ["call.parked"];
        let engine = Engine::documented().with_event_names(&NAMES);
        let mut rng = Rng::new(3);
        for _ in 0..20 {
            assert_eq!(engine.valid(Kind::EventName, &mut rng), json!("call.parked"));
        }
    }

    /// Additions are additions: no documented event has these names.
    #[test]
    fn additions_are_new_to_every_event() {
        let engine = Engine::documented();
        for name in NEW_PROPERTY_NAMES {
            assert!(!engine.field_names.iter().any(|known| known == name), "{name} is a documented field");
        }
        for name in NEW_EVENT_NAMES {
            assert!(!values::event_names().contains(&name), "{name} is a documented event");
        }
    }
}
