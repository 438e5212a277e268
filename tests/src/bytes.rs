//! Payloads as bytes: a JSON writer that chooses the key order, the layout and the escaping, and
//! the mutations only bytes can carry (numbers `serde_json::Value` cannot hold, such as `1e400`,
//! other spellings of the same number, escapes, invalid UTF-8, nesting past the parser's limit,
//! a byte-order mark, trailing bytes, truncation).

use serde_json::Value;

use crate::rng::Rng;
use crate::tree::{self, Path, Seg};
use crate::values::{self, Kind};

/// The order of the keys of each object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyOrder {
    /// By key.
    Sorted,
    /// By key, reversed.
    Reversed,
    /// `id`, `timestamp`, `event`, `data`, then the rest by key: as Audian sends events, and
    /// the order in which `Event` reads `data` straight into its type.
    EventFirst,
    /// `data` first, then the rest by key: `Event` has to buffer `data`.
    DataFirst,
    /// At random (only with a generator).
    Random,
}

/// How to write a payload.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub order: KeyOrder,
    pub pretty: bool,
    /// Escape each string (or key) as `\uXXXX` with a chance of one in this (0: never).
    pub escape_one_in: u64,
}

impl Style {
    pub const COMPACT_EVENT_FIRST: Style = Style { order: KeyOrder::EventFirst, pretty: false, escape_one_in: 0 };
}

/// Writes `value` in `style`; `KeyOrder::Random` and escapes need no generator here: they are
/// taken from a fixed seed.
pub fn to_bytes(value: &Value, style: Style) -> Vec<u8> {
    let mut rng = Rng::new(0);
    let mut writer = Writer { rng: &mut rng, style, overrides: &[], extra_members: &[], out: Vec::new() };
    writer.value(value, &mut Vec::new(), 0);
    writer.out
}

/// Writes `value` in `style` with the node at each path of `overrides` written as the raw bytes
/// beside it, and the extra members written into their objects; `rng` orders keys at random
/// and chooses the strings to escape, when the style asks for it.
pub fn write(
    value: &Value,
    style: Style,
    overrides: &[(Path, Vec<u8>)],
    extra_members: &[ExtraMember],
    rng: &mut Rng,
) -> Vec<u8> {
    let mut writer = Writer { rng, style, overrides, extra_members, out: Vec::new() };
    writer.value(value, &mut Vec::new(), 0);
    writer.out
}

/// A member written into an object besides its own: a second spelling of one of its keys, or
/// one it does not have.
#[derive(Debug, Clone)]
pub struct ExtraMember {
    /// The object.
    pub object: Path,
    /// The member, `"key":value`, as written.
    pub raw: Vec<u8>,
    /// Before the object's own members, or after them.
    pub first: bool,
}

struct Writer<'a> {
    rng: &'a mut Rng,
    style: Style,
    /// Raw bytes written instead of the node at a path.
    overrides: &'a [(Path, Vec<u8>)],
    extra_members: &'a [ExtraMember],
    out: Vec<u8>,
}

impl Writer<'_> {
    fn newline(&mut self, depth: usize) {
        if self.style.pretty {
            self.out.push(b'\n');
            self.out.extend(std::iter::repeat_n(b' ', depth * 2));
        }
    }

    /// A comma unless this is the first member, then the indentation of a member.
    fn separator(&mut self, members: &mut usize, depth: usize) {
        if *members > 0 {
            self.out.push(b',');
        }
        *members += 1;
        self.newline(depth + 1);
    }

    fn value(&mut self, value: &Value, path: &mut Path, depth: usize) {
        if let Some((_, raw)) = self.overrides.iter().find(|(at, _)| at == path) {
            self.out.extend_from_slice(raw);
            return;
        }
        match value {
            Value::Object(map) => {
                let keys = self.order(tree::sorted_keys(map));
                let extras: Vec<&ExtraMember> =
                    self.extra_members.iter().filter(|extra| extra.object == *path).collect();
                self.out.push(b'{');
                let mut members = 0;
                for extra in extras.iter().filter(|extra| extra.first) {
                    self.separator(&mut members, depth);
                    self.out.extend_from_slice(&extra.raw);
                }
                for key in &keys {
                    self.separator(&mut members, depth);
                    self.string(key);
                    self.out.push(b':');
                    if self.style.pretty {
                        self.out.push(b' ');
                    }
                    path.push(Seg::Key(key.clone()));
                    self.value(&map[key], path, depth + 1);
                    path.pop();
                }
                for extra in extras.iter().filter(|extra| !extra.first) {
                    self.separator(&mut members, depth);
                    self.out.extend_from_slice(&extra.raw);
                }
                if members > 0 {
                    self.newline(depth);
                }
                self.out.push(b'}');
            }
            Value::Array(items) => {
                self.out.push(b'[');
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        self.out.push(b',');
                    }
                    self.newline(depth + 1);
                    path.push(Seg::Index(index));
                    self.value(item, path, depth + 1);
                    path.pop();
                }
                if !items.is_empty() {
                    self.newline(depth);
                }
                self.out.push(b']');
            }
            Value::String(text) => self.string(text),
            scalar => self.out.extend_from_slice(scalar.to_string().as_bytes()),
        }
    }

    fn order(&mut self, mut keys: Vec<String>) -> Vec<String> {
        const ENVELOPE: [&str; 4] = ["id", "timestamp", "event", "data"];
        match self.style.order {
            KeyOrder::Sorted => {}
            KeyOrder::Reversed => keys.reverse(),
            KeyOrder::EventFirst => {
                keys.sort_by_key(|key| (ENVELOPE.iter().position(|k| k == key).unwrap_or(ENVELOPE.len()), key.clone()))
            }
            KeyOrder::DataFirst => keys.sort_by_key(|key| (key != "data", key.clone())),
            KeyOrder::Random => {
                for index in (1..keys.len()).rev() {
                    let other = self.rng.index(index + 1);
                    keys.swap(index, other);
                }
            }
        }
        keys
    }

    fn string(&mut self, text: &str) {
        if self.style.escape_one_in == 0 || !self.rng.chance(1, self.style.escape_one_in) {
            self.out.extend_from_slice(Value::from(text).to_string().as_bytes());
            return;
        }
        // Every character as `\uXXXX` (astral ones as a surrogate pair), or every other one.
        let all = self.rng.chance(1, 2);
        self.out.push(b'"');
        for (index, c) in text.chars().enumerate() {
            if all || index % 2 == 0 || c == '"' || c == '\\' || c < ' ' {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    self.out.extend_from_slice(format!("\\u{unit:04x}").as_bytes());
                }
            } else {
                let mut buffer = [0u8; 4];
                self.out.extend_from_slice(c.encode_utf8(&mut buffer).as_bytes());
            }
        }
        self.out.push(b'"');
    }
}

/// `text` as a JSON string with every character escaped as `\uXXXX`.
pub fn escaped(text: &str) -> String {
    let mut out = String::from("\"");
    for unit in text.encode_utf16() {
        out.push_str(&format!("\\u{unit:04x}"));
    }
    out.push('"');
    out
}

/// Spellings of numbers: of the same value as a plain one, out of `f64`'s range, at the edges of
/// `u64` and `i64`, and not JSON at all.
pub const RAW_NUMBERS: [&str; 42] = [
    "1e400",
    "-1e400",
    "1e-400",
    "305.0",
    "3.05e2",
    "3050e-1",
    "305E+0",
    "-0",
    "-0.0",
    "0e0",
    "0.0e-0",
    "18446744073709551616",
    "18446744073709551615",
    "18446744073709551615.0",
    "1.8446744073709551615e19",
    "184467440737095516150",
    "-9223372036854775809",
    "-9223372036854775808",
    "-9223372036854775808.0",
    "9223372036854775807",
    "9223372036854775808",
    "123456789012345678901234567890",
    "1e19",
    "1E19",
    "1.5",
    "408",
    "00",
    "01",
    "+1",
    ".5",
    "5.",
    "1e",
    "1e+",
    "NaN",
    "Infinity",
    "-Infinity",
    "0x10",
    "1_000",
    "\u{2212}1",
    "30\u{ff15}",
    "1.0000000000000000000000000000001",
    "4.0e-1000",
];

/// Strings that are not JSON (or are, with surprising escapes).
pub const RAW_STRINGS: [&[u8]; 14] = [
    b"\"\\ud800\"",
    b"\"\\udc00x\"",
    b"\"\\ud83d\\ude00\"",
    b"\"\\u0000\"",
    b"\"\\x41\"",
    b"\"\\u12\"",
    b"\"a\tb\"",
    b"\"\xff\"",
    b"\"\xc0\x80\"",
    b"\"\xe2\x82\"",
    b"\"\\/\"",
    b"\"unterminated",
    b"'single'",
    b"\"evt_\\u0031\"",
];

impl Style {
    /// A style drawn from `rng`: any key order, pretty one time in three, and one string in
    /// three escaped one time in four.
    pub fn random(rng: &mut Rng) -> Style {
        Style {
            order: *rng.pick(&[
                KeyOrder::Sorted,
                KeyOrder::Reversed,
                KeyOrder::EventFirst,
                KeyOrder::DataFirst,
                KeyOrder::Random,
            ]),
            pretty: rng.chance(1, 3),
            escape_one_in: if rng.chance(1, 4) { 3 } else { 0 },
        }
    }
}

/// A byte-level case built from `value`: written in a random style, with up to two nodes
/// written as raw bytes and sometimes a change to the whole document. A member written twice may
/// have another value, an event name among `event_names` for `event`.
pub fn mutate(value: &Value, event_names: &[&str], rng: &mut Rng, notes: &mut Vec<String>) -> Vec<u8> {
    let style = Style::random(rng);
    notes.push(format!("bytes: {style:?}"));
    let nodes = tree::nodes(value);
    let mut overrides: Vec<(Path, Vec<u8>)> = Vec::new();
    for _ in 0..rng.below(3) {
        if nodes.len() < 2 {
            break;
        }
        let path = nodes[1 + rng.index(nodes.len() - 1)].clone();
        let node = tree::get(value, &path).expect("a node of the value");
        let raw: Vec<u8> = match (node, rng.below(8)) {
            (_, 0) => {
                let depth = if rng.chance(1, 2) { rng.between(129, 400) } else { rng.between(1, 128) } as usize;
                let mut nested = "[".repeat(depth).into_bytes();
                nested.extend(std::iter::repeat_n(b']', depth));
                nested
            }
            (Value::String(_), 1..=3) => rng.pick(&RAW_STRINGS).to_vec(),
            _ => rng.pick(&RAW_NUMBERS).as_bytes().to_vec(),
        };
        notes.push(format!("bytes: {} written as {}", tree::pointer(&path), String::from_utf8_lossy(&raw)));
        overrides.retain(|(at, _)| !at.starts_with(&path) && !path.starts_with(at));
        overrides.push((path, raw));
    }
    let mut extra_members = Vec::new();
    if rng.chance(1, 6) {
        // A key twice: the same spelling or an escaped one, the same value or another.
        let objects: Vec<&Path> = nodes
            .iter()
            .filter(|path| tree::get(value, path).and_then(Value::as_object).is_some_and(|map| !map.is_empty()))
            .collect();
        if !objects.is_empty() {
            // The envelope or `data` (the first two objects in pre-order) mostly.
            let among = if rng.chance(3, 4) { objects.len().min(2) } else { objects.len() };
            let object = objects[rng.index(among)].clone();
            let map = tree::get(value, &object).and_then(Value::as_object).expect("an object");
            let keys = tree::sorted_keys(map);
            let key = rng.pick(&keys).clone();
            let spelled = if rng.chance(1, 2) { Value::from(key.as_str()).to_string() } else { escaped(&key) };
            let member_value = if rng.chance(1, 2) {
                map[&key].clone()
            } else {
                match Kind::of(&key, !object.is_empty()) {
                    Kind::EventName => Value::from(*rng.pick(event_names)),
                    kind => values::valid(kind, rng),
                }
            };
            // Written by this writer, keys sorted: `Value`'s own `Display` keeps the order of
            // `serde_json::Map`, which differs between builds (the `preserve_order` feature).
            let mut raw = format!("{spelled}:").into_bytes();
            raw.extend(to_bytes(&member_value, Style { order: KeyOrder::Sorted, pretty: false, escape_one_in: 0 }));
            notes.push(format!(
                "bytes: {} twice in {}: {}",
                key,
                tree::pointer(&object),
                String::from_utf8_lossy(&raw)
            ));
            extra_members.push(ExtraMember { object, raw, first: rng.chance(1, 2) });
        }
    }
    let mut writer =
        Writer { rng: &mut *rng, style, overrides: &overrides, extra_members: &extra_members, out: Vec::new() };
    writer.value(value, &mut Vec::new(), 0);
    let mut bytes = writer.out;
    if rng.chance(1, 4) {
        let change = rng.below(9);
        match change {
            0 => bytes = [&b"\xef\xbb\xbf"[..], &bytes].concat(),
            1 => bytes = [&b" \n\t\r"[..], &bytes].concat(),
            2 => bytes.extend_from_slice(b" \n\t\r"),
            3 => {
                const TAILS: [&[u8]; 7] = [b"x", b",", b"}", b"{}", b"\0", b"//", b"\x0c"];
                let tail = *rng.pick(&TAILS);
                bytes.extend_from_slice(tail);
            }
            4 => bytes.truncate(rng.below(bytes.len() as u64) as usize),
            5 => bytes.insert(rng.index(bytes.len() + 1), *rng.pick(b" \n\r\t,:{}[]\"\\a0")),
            6 => bytes.extend_from_slice(b"\n"),
            7 => {
                bytes.remove(rng.index(bytes.len()));
            }
            _ => bytes = [b"[", &bytes[..], b"]"].concat(),
        }
        notes.push(format!("bytes: document change {change}"));
    }
    bytes
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn styles_write_the_same_value() {
        let value = json!({"data": {"b": [1, 2.5, "x\u{1F600}\"\\"], "a": null}, "event": "e", "id": "i", "zz": true});
        for order in [KeyOrder::Sorted, KeyOrder::Reversed, KeyOrder::EventFirst, KeyOrder::DataFirst, KeyOrder::Random]
        {
            for pretty in [false, true] {
                for escape_one_in in [0, 1, 2] {
                    let bytes = to_bytes(&value, Style { order, pretty, escape_one_in });
                    let back: Value = serde_json::from_slice(&bytes).unwrap();
                    assert_eq!(back, value, "{}", String::from_utf8_lossy(&bytes));
                }
            }
        }
        let event_first = to_bytes(&value, Style::COMPACT_EVENT_FIRST);
        assert!(
            event_first.starts_with(br#"{"id":"i","event":"e","data":"#),
            "{}",
            String::from_utf8_lossy(&event_first)
        );
    }
}
