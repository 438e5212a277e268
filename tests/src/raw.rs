//! The raw-bytes mode of the differential test: every case is bytes, judged by the entry points
//! that take bytes ([`Reading::is_valid_slice`], [`Reading::parse`], and in the strict reading
//! [`audian_events::is_valid_slice`] and [`audian_events::parse_validated`]) against the
//! reference's verdict on the same bytes ([`Reference::is_valid_bytes`]: `serde_json`, a
//! duplicate key refused, then the `jsonschema` crate on the reading's `event.json`).
//!
//! Each case starts as a payload of the mutation engine ([`Engine`]: a documented example, as it
//! is a third of the time, else mutated as values), written as bytes in a random [`Style`] (key
//! order, `data` first included, pretty or compact, escapes in keys and values), then given one
//! [`RawKind`] of byte-level change: a spelling that keeps the value, another number, a
//! duplicate key, invalid UTF-8, nesting around `serde_json`'s limit, truncation, malformed JSON,
//! or the byte-level mutations of the main corpus ([`bytes::mutate`]). Each case also names the
//! finer facts it covers (its facets: where the duplicate key is, whether the nesting is under or
//! over the limit), which the test counts and holds to floors.
//!
//! Case `i` of seed `s` is a function of `(s, i)` and the examples alone, as in the main corpus
//! (with a stream of its own: the same `(s, i)` is not the main corpus's case).

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::panic::AssertUnwindSafe;

use audian_events::Reading;
use serde_json::Value;

use crate::bytes::{self, ExtraMember, KeyOrder, Style};
use crate::mutate::{Engine, Input};
use crate::reference::{Reference, has_duplicate_keys};
use crate::rng::{self, Rng};
use crate::tree::{self, Path, Seg};
use crate::values::{self, Kind};
use crate::{shrink, verdict};

/// The deepest nesting `serde_json` reads (127 arrays or objects inside one another); one more
/// and it refuses the document (its recursion limit of 128).
pub const MAX_DEPTH: usize = 127;

/// Mixed into the seed, so that the raw corpus is not the main corpus's cases written again.
const DOMAIN: u64 = 0x7261_775F_6279_7465;

/// The kind of byte-level change a case is made with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RawKind {
    /// Written in a style (key order, layout, escapes) and left alone: the same value.
    Styled,
    /// Every key and string escaped, or every other one, as `\uXXXX` (astral characters as
    /// surrogate pairs), upper- or lower-case, `\/`, short escapes: the same value.
    Escapes,
    /// JSON whitespace around the document and between its tokens: the same value.
    Whitespace,
    /// A number spelled otherwise (`305.0`, `3.05e2`, `-0`), or replaced by one `f64` cannot
    /// hold (`1e400`), at the edges of `u64` and `i64`, or not JSON (`01`, `+1`, `NaN`).
    Number,
    /// A key twice in one object: one the object has or one the schemas do not name, at the
    /// top level or in `data`, or inside a value the schemas do not describe.
    DuplicateKey,
    /// Bytes that are not UTF-8: in a string value, in a key, in a value the schemas do not
    /// name, or between tokens.
    InvalidUtf8,
    /// Arrays or objects nested just under or just over `serde_json`'s limit ([`MAX_DEPTH`]):
    /// in a property the schemas do not name, in a known field, or around the document.
    DeepNesting,
    /// The document cut short.
    Truncated,
    /// Not JSON, or not an object: a bad string, trailing bytes, a byte-order mark, a byte
    /// inserted or removed, a trailing or missing comma, a comment, an unescaped control
    /// character, a member that is not one, an empty document.
    Malformed,
    /// The byte-level mutations of the main corpus ([`bytes::mutate`]).
    Mixed,
}

/// The kinds and their weights (out of 100).
const KINDS: [(RawKind, u32); 10] = [
    (RawKind::Styled, 18),
    (RawKind::Escapes, 8),
    (RawKind::Whitespace, 6),
    (RawKind::Number, 12),
    (RawKind::DuplicateKey, 10),
    (RawKind::InvalidUtf8, 8),
    (RawKind::DeepNesting, 10),
    (RawKind::Truncated, 6),
    (RawKind::Malformed, 12),
    (RawKind::Mixed, 10),
];

impl RawKind {
    pub const ALL: [RawKind; KINDS.len()] = {
        let mut all = [RawKind::Styled; KINDS.len()];
        let mut at = 0;
        while at < KINDS.len() {
            all[at] = KINDS[at].0;
            at += 1;
        }
        all
    };

    pub fn name(self) -> &'static str {
        match self {
            RawKind::Styled => "styled",
            RawKind::Escapes => "escapes",
            RawKind::Whitespace => "whitespace",
            RawKind::Number => "number",
            RawKind::DuplicateKey => "duplicate key",
            RawKind::InvalidUtf8 => "invalid UTF-8",
            RawKind::DeepNesting => "deep nesting",
            RawKind::Truncated => "truncated",
            RawKind::Malformed => "malformed",
            RawKind::Mixed => "mixed (bytes::mutate)",
        }
    }

    /// Whether the bytes of this kind always read as the value they were written from.
    pub fn keeps_the_value(self) -> bool {
        matches!(self, RawKind::Styled | RawKind::Escapes | RawKind::Whitespace)
    }
}

impl fmt::Display for RawKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Facets: the finer facts a case covers, counted by the tests.
pub mod facet {
    pub const DATA_FIRST: &str = "style: data first";
    pub const PRETTY: &str = "style: pretty";
    pub const ESCAPED_KEYS_AND_VALUES: &str = "escapes: keys and strings as \\uXXXX";
    pub const ESCAPE_VARIETY: &str = "escapes: upper-case hex, \\/ and short escapes in a string";
    pub const WHITESPACE_AROUND: &str = "whitespace: around the document";
    pub const WHITESPACE_BETWEEN: &str = "whitespace: between tokens";
    pub const NUMBER_SAME_VALUE: &str = "number: the same value, spelled otherwise";
    pub const NUMBER_REPLACED: &str = "number: a known field's number replaced";
    pub const NUMBER_UNKNOWN: &str = "number: in a property the schemas do not name";
    pub const NUMBER_OUT_OF_RANGE: &str = "number: beyond f64's range (1e400)";
    pub const NUMBER_NEGATIVE_ZERO: &str = "number: negative zero";
    pub const NUMBER_EXPONENT: &str = "number: with an exponent";
    pub const NUMBER_FRACTION: &str = "number: with a fraction part";
    pub const DUPLICATE_TOP: &str = "duplicate key: at the top level";
    pub const DUPLICATE_DATA: &str = "duplicate key: in data";
    pub const DUPLICATE_KNOWN: &str = "duplicate key: a member the object has";
    pub const DUPLICATE_UNKNOWN: &str = "duplicate key: a member the schemas do not name";
    pub const DUPLICATE_INSIDE_UNKNOWN: &str = "duplicate key: inside a value the schemas do not describe";
    pub const DUPLICATE_ESCAPED: &str = "duplicate key: spelled with escapes";
    pub const UTF8_STRING: &str = "invalid UTF-8: in a string value";
    pub const UTF8_KEY: &str = "invalid UTF-8: in a key";
    pub const UTF8_UNKNOWN: &str = "invalid UTF-8: in a value the schemas do not name";
    pub const UTF8_BETWEEN: &str = "invalid UTF-8: between tokens";
    pub const DEEP_UNDER: &str = "deep nesting: under serde_json's limit";
    pub const DEEP_OVER: &str = "deep nesting: over serde_json's limit";
    pub const DEEP_AT_THE_EDGE: &str = "deep nesting: at the limit or one past it";
    pub const DEEP_UNKNOWN: &str = "deep nesting: in a property the schemas do not name";
    pub const DEEP_KNOWN: &str = "deep nesting: in a known field";
    pub const DEEP_AROUND: &str = "deep nesting: around the document";
    pub const TRUNCATED_NEAR_END: &str = "truncated: by one to three bytes";
    pub const TRUNCATED_ANYWHERE: &str = "truncated: anywhere";
    pub const MALFORMED_STRING: &str = "malformed: a string that may not be JSON";
    pub const MALFORMED_TRAILING: &str = "malformed: bytes after the document";
    pub const MALFORMED_BOM: &str = "malformed: a byte-order mark";
    pub const MALFORMED_INSERTED: &str = "malformed: a byte inserted";
    pub const MALFORMED_REMOVED: &str = "malformed: a byte removed";
    pub const MALFORMED_TRAILING_COMMA: &str = "malformed: a trailing comma";
    pub const MALFORMED_MISSING_COMMA: &str = "malformed: a comma removed";
    pub const MALFORMED_COMMENT: &str = "malformed: a comment";
    pub const MALFORMED_CONTROL: &str = "malformed: an unescaped control character in a string";
    pub const MALFORMED_MEMBER: &str = "malformed: a member that is not JSON";
    pub const MALFORMED_NOT_OBJECT: &str = "malformed: not an object";
    pub const MALFORMED_EMPTY: &str = "malformed: empty or whitespace only";

    /// Every facet the generator records (beside the style's), each of which the test of
    /// `cargo test` must see.
    pub const ALL: [&str; 41] = [
        ESCAPED_KEYS_AND_VALUES,
        ESCAPE_VARIETY,
        WHITESPACE_AROUND,
        WHITESPACE_BETWEEN,
        NUMBER_SAME_VALUE,
        NUMBER_REPLACED,
        NUMBER_UNKNOWN,
        NUMBER_OUT_OF_RANGE,
        NUMBER_NEGATIVE_ZERO,
        NUMBER_EXPONENT,
        NUMBER_FRACTION,
        DUPLICATE_TOP,
        DUPLICATE_DATA,
        DUPLICATE_KNOWN,
        DUPLICATE_UNKNOWN,
        DUPLICATE_INSIDE_UNKNOWN,
        DUPLICATE_ESCAPED,
        UTF8_STRING,
        UTF8_KEY,
        UTF8_UNKNOWN,
        UTF8_BETWEEN,
        DEEP_UNDER,
        DEEP_OVER,
        DEEP_AT_THE_EDGE,
        DEEP_UNKNOWN,
        DEEP_KNOWN,
        DEEP_AROUND,
        TRUNCATED_NEAR_END,
        TRUNCATED_ANYWHERE,
        MALFORMED_STRING,
        MALFORMED_TRAILING,
        MALFORMED_BOM,
        MALFORMED_INSERTED,
        MALFORMED_REMOVED,
        MALFORMED_TRAILING_COMMA,
        MALFORMED_MISSING_COMMA,
        MALFORMED_COMMENT,
        MALFORMED_CONTROL,
        MALFORMED_MEMBER,
        MALFORMED_NOT_OBJECT,
        MALFORMED_EMPTY,
    ];
}

/// Names of properties the schemas do not name, for members added at the byte level.
const UNKNOWN_KEYS: [&str; 6] = ["carrier", "tags", "x-trace-id", "cost", "region", "métadonnées"];

/// Numbers worth trying anywhere: beyond `f64`, negative zero, integers with a fraction or an
/// exponent.
const NOTABLE_NUMBERS: [&str; 12] =
    ["1e400", "-1e400", "-0", "-0.0", "305.0", "1E2", "1e2", "100.0", "1.0e2", "0.0", "3.05e2", "-0e0"];

/// Sequences that are not UTF-8: a stray continuation byte, bytes never used, overlong forms, a
/// sequence cut short, an encoded surrogate, a code point past U+10FFFF, a five-byte form.
pub const INVALID_UTF8: [&[u8]; 11] = [
    b"\x80",
    b"\xbf",
    b"\xff",
    b"\xfe",
    b"\xc0\x80",
    b"\xc1\xbf",
    b"\xe0\x80\xaf",
    b"\xe2\x82",
    b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80",
    b"\xf8\x88\x80\x80\x80",
];

/// One generated raw case and what was done to make it.
#[derive(Debug, Clone)]
pub struct RawCase {
    /// The documented example it started from.
    pub example: String,
    pub kind: RawKind,
    /// The finer facts it covers (see [`facet`]).
    pub facets: Vec<&'static str>,
    /// The mutations, in order: the value stage's, then the bytes'.
    pub notes: Vec<String>,
    /// The payload before it was written as bytes.
    pub value: Value,
    pub bytes: Vec<u8>,
}

/// Generates raw cases from the mutation engine's payloads.
#[derive(Debug, Clone)]
pub struct RawEngine {
    engine: Engine,
}

impl RawEngine {
    pub fn new(engine: Engine) -> RawEngine {
        RawEngine { engine }
    }

    /// Over the documented examples of `schema/examples/`.
    pub fn documented() -> RawEngine {
        RawEngine::new(Engine::documented())
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Case `index` of the raw corpus of `seed`: a function of the two numbers alone.
    pub fn case(&self, seed: u64, index: u64) -> RawCase {
        let mut rng = Rng::for_case(rng::mix64(seed ^ DOMAIN), index);
        let mut notes = Vec::new();
        let (name, mut value) = if rng.chance(1, 3) {
            let (name, example) = self.engine.pick_example(&mut rng);
            notes.push("the documented example, as it is".to_owned());
            (name.to_owned(), example.clone())
        } else {
            let (name, value) = self.engine.mutated_example(&mut rng, &mut notes);
            (name.to_owned(), value)
        };
        let weights: Vec<u32> = KINDS.iter().map(|(_, weight)| *weight).collect();
        let kind = KINDS[rng.weighted(&weights)].0;
        let needs_object =
            matches!(kind, RawKind::DuplicateKey | RawKind::DeepNesting | RawKind::InvalidUtf8 | RawKind::Truncated);
        if !value.is_object() && needs_object {
            // These write members into objects, or (truncation) need a document that no prefix
            // of is JSON: back to the example, whose root is an object.
            value = self.engine.examples().iter().find(|(other, _)| *other == name).expect("its example").1.clone();
            notes.push("the value stage undone: the root must be an object".to_owned());
        }
        let mut style = Style::random(&mut rng);
        if kind == RawKind::Escapes {
            style.escape_one_in = *rng.pick(&[1, 1, 2]);
        }
        let mut facets = Vec::new();
        if kind != RawKind::Mixed {
            notes.push(format!("bytes: {style:?}"));
            if style.order == KeyOrder::DataFirst {
                facets.push(facet::DATA_FIRST);
            }
            if style.pretty {
                facets.push(facet::PRETTY);
            }
        }
        let mut build =
            Build { rng: &mut rng, notes: &mut notes, facets: &mut facets, value: &value, style, engine: &self.engine };
        let bytes = build.bytes(kind);
        facets.sort_unstable();
        facets.dedup();
        RawCase { example: name, kind, facets, notes, value, bytes }
    }
}

/// What a case is built with.
struct Build<'a> {
    rng: &'a mut Rng,
    notes: &'a mut Vec<String>,
    facets: &'a mut Vec<&'static str>,
    value: &'a Value,
    style: Style,
    engine: &'a Engine,
}

impl Build<'_> {
    fn write(&mut self, value: &Value, overrides: &[(Path, Vec<u8>)], extra_members: &[ExtraMember]) -> Vec<u8> {
        bytes::write(value, self.style, overrides, extra_members, self.rng)
    }

    fn plain(&mut self) -> Vec<u8> {
        self.write(self.value, &[], &[])
    }

    fn note(&mut self, what: impl fmt::Display, bytes: &[u8]) {
        self.notes.push(format!("bytes: {what}: {}", Input::display_bytes(bytes)));
    }

    fn bytes(&mut self, kind: RawKind) -> Vec<u8> {
        match kind {
            RawKind::Styled => self.plain(),
            RawKind::Escapes => self.escapes(),
            RawKind::Whitespace => self.whitespace(),
            RawKind::Number => self.number(),
            RawKind::DuplicateKey => self.duplicate_key(),
            RawKind::InvalidUtf8 => self.invalid_utf8(),
            RawKind::DeepNesting => self.deep_nesting(),
            RawKind::Truncated => self.truncated(),
            RawKind::Malformed => self.malformed(),
            RawKind::Mixed => {
                let value = self.value;
                bytes::mutate(value, self.engine.event_names(), self.rng, self.notes)
            }
        }
    }

    /// The object members are added to: the top level, or `data` when it is an object (half the
    /// time); and whether it is `data`.
    fn member_object(&mut self) -> (Path, bool) {
        let data_is_object = self.value.get("data").is_some_and(Value::is_object);
        if data_is_object && self.rng.chance(1, 2) {
            (vec![Seg::Key("data".to_owned())], true)
        } else {
            (Vec::new(), false)
        }
    }

    /// The paths of the nodes for which `keep` holds, the root excluded.
    fn nodes_where(&self, keep: impl Fn(&Value) -> bool) -> Vec<Path> {
        tree::nodes(self.value)
            .into_iter()
            .filter(|path| !path.is_empty() && tree::get(self.value, path).is_some_and(&keep))
            .collect()
    }

    fn escapes(&mut self) -> Vec<u8> {
        if self.style.escape_one_in == 1 {
            self.facets.push(facet::ESCAPED_KEYS_AND_VALUES);
        }
        let strings = self.nodes_where(Value::is_string);
        let mut overrides = Vec::new();
        if !strings.is_empty() && (self.style.escape_one_in != 1 || self.rng.chance(1, 2)) {
            let path = self.rng.pick(&strings).clone();
            let text = tree::get(self.value, &path).and_then(Value::as_str).unwrap_or_default().to_owned();
            let raw = escape_variety(&text, self.rng);
            self.note(format_args!("{} written as", tree::pointer(&path)), &raw);
            self.facets.push(facet::ESCAPE_VARIETY);
            overrides.push((path, raw));
        }
        let value = self.value;
        self.write(value, &overrides, &[])
    }

    fn whitespace(&mut self) -> Vec<u8> {
        const SPACE: &[u8] = b" \n\t\r";
        let mut out = self.plain();
        let between = self.rng.chance(1, 2);
        if between {
            let places: Vec<usize> = structural(&out).into_iter().map(|(at, _)| at + 1).collect();
            for at in places.into_iter().rev() {
                if self.rng.chance(1, 2) {
                    let space = *self.rng.pick(SPACE);
                    out.insert(at, space);
                }
            }
            self.facets.push(facet::WHITESPACE_BETWEEN);
        }
        if !between || self.rng.chance(1, 2) {
            let (lead, mut trail) = (self.rng.below(4) as usize, self.rng.below(4) as usize);
            if lead + trail == 0 {
                trail = 1;
            }
            let lead: Vec<u8> = (0..lead).map(|_| *self.rng.pick(SPACE)).collect();
            let trail: Vec<u8> = (0..trail).map(|_| *self.rng.pick(SPACE)).collect();
            out = [&lead[..], &out, &trail].concat();
            self.facets.push(facet::WHITESPACE_AROUND);
        }
        self.note("with whitespace", &out);
        out
    }

    fn number(&mut self) -> Vec<u8> {
        let numbers = self.nodes_where(Value::is_number);
        let choice = self.rng.below(4);
        let (spelling, bytes) = if choice < 3 && !numbers.is_empty() {
            let path = self.rng.pick(&numbers).clone();
            let spelling = if choice < 2 {
                let number = tree::get(self.value, &path).and_then(Value::as_number).expect("a number").clone();
                self.facets.push(facet::NUMBER_SAME_VALUE);
                same_value(&number, self.rng)
            } else {
                self.facets.push(facet::NUMBER_REPLACED);
                self.any_number()
            };
            self.notes.push(format!("bytes: {} written as {spelling}", tree::pointer(&path)));
            let value = self.value;
            let bytes = self.write(value, &[(path, spelling.clone().into_bytes())], &[]);
            (spelling, bytes)
        } else {
            let (object, _) = self.member_object();
            let key = *self.rng.pick(&UNKNOWN_KEYS);
            let spelling = self.any_number();
            let raw = format!("{}:{spelling}", Value::from(key)).into_bytes();
            self.note(format_args!("a member in {}", pointer_or_root(&object)), &raw);
            self.facets.push(facet::NUMBER_UNKNOWN);
            let first = self.rng.chance(1, 2);
            let value = self.value;
            let bytes = self.write(value, &[], &[ExtraMember { object, raw, first }]);
            (spelling, bytes)
        };
        let is_number = spelling.parse::<f64>().is_ok();
        if spelling.parse::<f64>().is_ok_and(f64::is_infinite) {
            self.facets.push(facet::NUMBER_OUT_OF_RANGE);
        }
        if spelling.starts_with("-0") && !spelling.bytes().any(|byte| matches!(byte, b'1'..=b'9')) {
            self.facets.push(facet::NUMBER_NEGATIVE_ZERO);
        }
        if is_number && spelling.contains(['e', 'E']) {
            self.facets.push(facet::NUMBER_EXPONENT);
        }
        if is_number && spelling.contains('.') {
            self.facets.push(facet::NUMBER_FRACTION);
        }
        bytes
    }

    /// A notable number half the time, else any spelling of the main corpus's.
    fn any_number(&mut self) -> String {
        if self.rng.chance(1, 2) { *self.rng.pick(&NOTABLE_NUMBERS) } else { *self.rng.pick(&bytes::RAW_NUMBERS) }
            .to_owned()
    }

    /// A small value for a member the schemas do not name.
    fn small_value(&mut self) -> Vec<u8> {
        let value = match self.rng.below(5) {
            0 => Value::from(values::text(self.rng, 0, 8)),
            1 => Value::from(self.rng.below(1000)),
            2 => Value::Null,
            3 => serde_json::json!([1, "two"]),
            _ => serde_json::json!({"level": 2}),
        };
        bytes::to_bytes(&value, Style { order: KeyOrder::Sorted, pretty: false, escape_one_in: 0 })
    }

    /// A key spelled as it is, or escaped (and then noted).
    fn spell(&mut self, key: &str) -> String {
        if self.rng.chance(1, 2) {
            Value::from(key).to_string()
        } else {
            self.facets.push(facet::DUPLICATE_ESCAPED);
            bytes::escaped(key)
        }
    }

    fn duplicate_key(&mut self) -> Vec<u8> {
        let (object, in_data) = self.member_object();
        self.facets.push(if in_data { facet::DUPLICATE_DATA } else { facet::DUPLICATE_TOP });
        let map = tree::get(self.value, &object).and_then(Value::as_object).expect("an object").clone();
        let mut extras = Vec::new();
        match self.rng.below(3) {
            0 if !map.is_empty() => {
                let key = self.rng.pick(&tree::sorted_keys(&map)).clone();
                let spelled = self.spell(&key);
                let member_value = if self.rng.chance(1, 2) {
                    map[&key].clone()
                } else {
                    match Kind::of(&key, in_data) {
                        Kind::EventName => Value::from(*self.rng.pick(self.engine.event_names())),
                        kind => values::valid(kind, self.rng),
                    }
                };
                let mut raw = format!("{spelled}:").into_bytes();
                raw.extend(bytes::to_bytes(
                    &member_value,
                    Style { order: KeyOrder::Sorted, pretty: false, escape_one_in: 0 },
                ));
                self.note(format_args!("{key} twice in {}", pointer_or_root(&object)), &raw);
                self.facets.push(facet::DUPLICATE_KNOWN);
                extras.push(ExtraMember { object, raw, first: self.rng.chance(1, 2) });
            }
            1 => {
                let key = *self.rng.pick(&UNKNOWN_KEYS);
                for _ in 0..2 {
                    let spelled = self.spell(key);
                    let mut raw = format!("{spelled}:").into_bytes();
                    raw.extend(self.small_value());
                    self.note(format_args!("a member in {}", pointer_or_root(&object)), &raw);
                    extras.push(ExtraMember { object: object.clone(), raw, first: self.rng.chance(1, 2) });
                }
                self.facets.push(facet::DUPLICATE_UNKNOWN);
            }
            _ => {
                const INSIDE: [&str; 6] = [
                    r#"{"k":1,"k":2}"#,
                    r#"{"k":null,"k":null}"#,
                    r#"[{"a":{"b":true,"b":true}}]"#,
                    r#"{"a":1,"b":[],"\u0061":3}"#,
                    r#"{"nested":{"level":2,"deeper":{"x":"y","x":"z"}}}"#,
                    r#"[[],{"id":"evt_1","id":"evt_1"}]"#,
                ];
                let key = *self.rng.pick(&UNKNOWN_KEYS);
                let raw = format!("{}:{}", Value::from(key), self.rng.pick(&INSIDE)).into_bytes();
                self.note(format_args!("a member in {}", pointer_or_root(&object)), &raw);
                self.facets.push(facet::DUPLICATE_INSIDE_UNKNOWN);
                extras.push(ExtraMember { object, raw, first: self.rng.chance(1, 2) });
            }
        }
        let value = self.value;
        self.write(value, &[], &extras)
    }

    fn invalid_utf8(&mut self) -> Vec<u8> {
        let bad = *self.rng.pick(&INVALID_UTF8);
        let strings = self.nodes_where(Value::is_string);
        match self.rng.below(4) {
            0 if !strings.is_empty() => {
                let path = self.rng.pick(&strings).clone();
                let text = tree::get(self.value, &path).and_then(Value::as_str).unwrap_or_default().to_owned();
                let raw = broken_string(&text, bad, self.rng);
                self.note(format_args!("{} written as", tree::pointer(&path)), &raw);
                self.facets.push(facet::UTF8_STRING);
                let value = self.value;
                self.write(value, &[(path, raw)], &[])
            }
            1 => {
                // A key of the object, written again broken in place of its own, or a new one.
                let (object, _) = self.member_object();
                let map = tree::get(self.value, &object).and_then(Value::as_object).expect("an object");
                let mut value = self.value.clone();
                let (key, member_value) = if !map.is_empty() && self.rng.chance(1, 2) {
                    let key = self.rng.pick(&tree::sorted_keys(map)).clone();
                    let member_value = map[&key].clone();
                    let mut path = object.clone();
                    path.push(Seg::Key(key.clone()));
                    tree::remove(&mut value, &path);
                    (key, member_value)
                } else {
                    (self.rng.pick(&UNKNOWN_KEYS).to_string(), Value::from(1))
                };
                let mut raw = broken_string(&key, bad, self.rng);
                raw.push(b':');
                raw.extend(bytes::to_bytes(
                    &member_value,
                    Style { order: KeyOrder::Sorted, pretty: false, escape_one_in: 0 },
                ));
                self.note(format_args!("a member of {} written as", pointer_or_root(&object)), &raw);
                self.facets.push(facet::UTF8_KEY);
                let first = self.rng.chance(1, 2);
                self.write(&value, &[], &[ExtraMember { object, raw, first }])
            }
            2 => {
                let (object, _) = self.member_object();
                let key = *self.rng.pick(&UNKNOWN_KEYS);
                let text = values::text(self.rng, 0, 8);
                let mut raw = format!("{}:", Value::from(key)).into_bytes();
                raw.extend(broken_string(&text, bad, self.rng));
                self.note(format_args!("a member in {}", pointer_or_root(&object)), &raw);
                self.facets.push(facet::UTF8_UNKNOWN);
                let first = self.rng.chance(1, 2);
                let value = self.value;
                self.write(value, &[], &[ExtraMember { object, raw, first }])
            }
            _ => {
                let mut out = self.plain();
                let places: Vec<usize> = structural(&out).into_iter().map(|(at, _)| at + 1).collect();
                let at = if places.is_empty() { 0 } else { *self.rng.pick(&places) };
                out.splice(at..at, bad.iter().copied());
                self.notes.push(format!("bytes: {} at byte {at}", Input::display_bytes(bad)));
                self.facets.push(facet::UTF8_BETWEEN);
                out
            }
        }
    }

    fn deep_nesting(&mut self) -> Vec<u8> {
        // Mostly within four levels of the limit either side; now and then much further.
        let target = if self.rng.chance(4, 5) {
            self.rng.between(MAX_DEPTH as u64 - 3, MAX_DEPTH as u64 + 4)
        } else {
            self.rng.between(64, 256)
        } as usize;
        let known = self.nodes_where(|_| true);
        let out = match self.rng.below(5) {
            0 | 1 => {
                let (object, _) = self.member_object();
                let key = *self.rng.pick(&UNKNOWN_KEYS);
                let levels = target.saturating_sub(object.len() + 1).max(1);
                let mut raw = format!("{}:", Value::from(key)).into_bytes();
                raw.extend(nest(levels, self.rng));
                self.notes
                    .push(format!("bytes: a member {key:?} of {} nested {levels} deep", pointer_or_root(&object)));
                self.facets.push(facet::DEEP_UNKNOWN);
                let first = self.rng.chance(1, 2);
                let value = self.value;
                self.write(value, &[], &[ExtraMember { object, raw, first }])
            }
            2 | 3 if !known.is_empty() => {
                let path = self.rng.pick(&known).clone();
                let levels = target.saturating_sub(path.len()).max(1);
                self.notes.push(format!("bytes: {} nested {levels} deep", tree::pointer(&path)));
                self.facets.push(facet::DEEP_KNOWN);
                let raw = nest(levels, self.rng);
                let value = self.value;
                self.write(value, &[(path, raw)], &[])
            }
            _ => {
                let out = self.plain();
                let levels = target.saturating_sub(max_depth(&out)).max(1);
                self.notes.push(format!("bytes: the document inside {levels} arrays"));
                self.facets.push(facet::DEEP_AROUND);
                [vec![b'['; levels], out, vec![b']'; levels]].concat()
            }
        };
        let depth = max_depth(&out);
        self.facets.push(if depth <= MAX_DEPTH { facet::DEEP_UNDER } else { facet::DEEP_OVER });
        if depth == MAX_DEPTH || depth == MAX_DEPTH + 1 {
            self.facets.push(facet::DEEP_AT_THE_EDGE);
        }
        out
    }

    fn truncated(&mut self) -> Vec<u8> {
        let mut out = self.plain();
        let keep = if self.rng.chance(1, 2) {
            self.facets.push(facet::TRUNCATED_NEAR_END);
            out.len().saturating_sub(self.rng.between(1, 3) as usize)
        } else {
            self.facets.push(facet::TRUNCATED_ANYWHERE);
            self.rng.below(out.len() as u64) as usize
        };
        self.notes.push(format!("bytes: cut to {keep} of {} bytes", out.len()));
        out.truncate(keep);
        out
    }

    fn malformed(&mut self) -> Vec<u8> {
        let strings = self.nodes_where(Value::is_string);
        let change = self.rng.below(13);
        let (what, out) = match change {
            0 if !strings.is_empty() => {
                let path = self.rng.pick(&strings).clone();
                let raw = self.rng.pick(&bytes::RAW_STRINGS).to_vec();
                self.note(format_args!("{} written as", tree::pointer(&path)), &raw);
                let value = self.value;
                (facet::MALFORMED_STRING, self.write(value, &[(path, raw)], &[]))
            }
            1 => {
                const TAILS: [&[u8]; 9] = [b"x", b",", b"}", b"{}", b"\0", b"//", b"\x0c", b"\xc2\xa0", b" {\"id\":1}"];
                let tail = *self.rng.pick(&TAILS);
                self.note("after the document", tail);
                (facet::MALFORMED_TRAILING, [self.plain(), tail.to_vec()].concat())
            }
            2 => (facet::MALFORMED_BOM, [b"\xef\xbb\xbf".to_vec(), self.plain()].concat()),
            3 => {
                let mut out = self.plain();
                let at = self.rng.index(out.len() + 1);
                let byte = *self.rng.pick(b" \n\r\t,:{}[]\"\\a0");
                self.notes.push(format!("bytes: {:?} inserted at byte {at}", char::from(byte)));
                out.insert(at, byte);
                (facet::MALFORMED_INSERTED, out)
            }
            4 => {
                let mut out = self.plain();
                let at = self.rng.index(out.len());
                self.notes.push(format!("bytes: byte {at} removed"));
                out.remove(at);
                (facet::MALFORMED_REMOVED, out)
            }
            5 => {
                let mut out = self.plain();
                let closes: Vec<usize> = structural(&out)
                    .into_iter()
                    .filter(|(_, byte)| matches!(byte, b'}' | b']'))
                    .map(|(at, _)| at)
                    .collect();
                let at = if closes.is_empty() { out.len() } else { *self.rng.pick(&closes) };
                self.notes.push(format!("bytes: a comma before byte {at}"));
                out.insert(at, b',');
                (facet::MALFORMED_TRAILING_COMMA, out)
            }
            6 => {
                let mut out = self.plain();
                let commas: Vec<usize> =
                    structural(&out).into_iter().filter(|(_, byte)| *byte == b',').map(|(at, _)| at).collect();
                if let Some(&at) = (!commas.is_empty()).then(|| self.rng.pick(&commas)) {
                    self.notes.push(format!("bytes: the comma at byte {at} removed"));
                    out.remove(at);
                } else {
                    self.notes.push("bytes: no comma to remove".to_owned());
                }
                (facet::MALFORMED_MISSING_COMMA, out)
            }
            7 => {
                let mut out = self.plain();
                let places: Vec<usize> = structural(&out).into_iter().map(|(at, _)| at + 1).collect();
                let at = if places.is_empty() { 0 } else { *self.rng.pick(&places) };
                const COMMENTS: [&[u8]; 3] = [b"/* a comment */", b"// a comment\n", b"#\n"];
                let comment = *self.rng.pick(&COMMENTS);
                self.note(format_args!("at byte {at}"), comment);
                out.splice(at..at, comment.iter().copied());
                (facet::MALFORMED_COMMENT, out)
            }
            8 if !strings.is_empty() => {
                let path = self.rng.pick(&strings).clone();
                let text = tree::get(self.value, &path).and_then(Value::as_str).unwrap_or_default().to_owned();
                let control = *self.rng.pick(b"\x00\x01\t\n\r\x1f");
                let at = self.rng.index(text.chars().count() + 1);
                let mut raw = Vec::new();
                for (index, c) in text.chars().enumerate() {
                    if index == at {
                        raw.push(control);
                    }
                    let escaped = Value::from(c.to_string()).to_string();
                    raw.extend_from_slice(&escaped.as_bytes()[1..escaped.len() - 1]);
                }
                if at == text.chars().count() {
                    raw.push(control);
                }
                let raw = [&b"\""[..], &raw, b"\""].concat();
                self.note(format_args!("{} written as", tree::pointer(&path)), &raw);
                let value = self.value;
                (facet::MALFORMED_CONTROL, self.write(value, &[(path, raw)], &[]))
            }
            9 => {
                const MEMBERS: [&str; 7] = [
                    "carrier:1",
                    "'carrier':1",
                    "\"carrier\" 1",
                    "\"carrier\":",
                    "\"carrier\"",
                    ":1",
                    "\"carrier\"::1",
                ];
                let (object, _) = self.member_object();
                let raw = self.rng.pick(&MEMBERS).as_bytes().to_vec();
                self.note(format_args!("a member in {}", pointer_or_root(&object)), &raw);
                let first = self.rng.chance(1, 2);
                let value = self.value;
                (facet::MALFORMED_MEMBER, self.write(value, &[], &[ExtraMember { object, raw, first }]))
            }
            10 => {
                let out = match self.rng.below(4) {
                    0 => [&b"["[..], &self.plain(), b"]"].concat(),
                    1 => b"null".to_vec(),
                    2 => b"[]".to_vec(),
                    _ => b"\"call.completed\"".to_vec(),
                };
                self.note("the document", &out);
                (facet::MALFORMED_NOT_OBJECT, out)
            }
            11 => {
                let out = self.rng.pick(&[&b""[..], b" ", b"\n\r\t ", b"{}"]).to_vec();
                self.note("the document", &out);
                (facet::MALFORMED_EMPTY, out)
            }
            _ => {
                // Two documents, one after the other.
                let first = self.plain();
                let second = self.plain();
                let out = [first, b"\n".to_vec(), second].concat();
                self.notes.push("bytes: the document twice".to_owned());
                (facet::MALFORMED_TRAILING, out)
            }
        };
        self.facets.push(what);
        out
    }
}

fn pointer_or_root(path: &[Seg]) -> String {
    if path.is_empty() { "(root)".to_owned() } else { tree::pointer(path) }
}

/// Other spellings of the same number: with a fraction part, an exponent, negative zero.
fn same_value(number: &serde_json::Number, rng: &mut Rng) -> String {
    if let Some(integer) = number.as_i64().map(i128::from).or_else(|| number.as_u64().map(i128::from)) {
        let digits = integer.unsigned_abs().to_string();
        let sign = if integer < 0 { "-" } else { "" };
        let mut spellings = vec![
            format!("{integer}.0"),
            format!("{integer}.000"),
            format!("{integer}E0"),
            format!("{integer}e+0"),
            format!("{integer}0e-1"),
            format!("{integer}00E-2"),
            // 305 as 3.05e2.
            format!(
                "{sign}{}.{}e{}",
                &digits[..1],
                if digits.len() > 1 { &digits[1..] } else { "0" },
                digits.len() - 1
            ),
        ];
        if integer == 0 {
            spellings.extend(["-0", "-0.0", "0e7", "-0E-3", "0.0"].map(str::to_owned));
        }
        if integer != 0 && integer % 100 == 0 {
            spellings.push(format!("{}E2", integer / 100));
        }
        if integer != 0 && integer % 10 == 0 {
            spellings.push(format!("{}e1", integer / 10));
        }
        return rng.pick(&spellings).clone();
    }
    let float = number.as_f64().unwrap_or_default();
    // A zero after the last digit of the fraction, where there is no exponent to follow it.
    let padded = match format!("{float:?}") {
        debug if debug.contains(['e', 'E']) => format!("{float:e}"),
        debug => format!("{debug}0"),
    };
    rng.pick(&[format!("{float:e}"), format!("{float:E}"), padded]).clone()
}

/// `text` as a JSON string, each character plain or escaped in one of the ways JSON allows:
/// `\uXXXX` in upper or lower case, `\/`, the short escapes.
fn escape_variety(text: &str, rng: &mut Rng) -> Vec<u8> {
    let mut out = String::from("\"");
    for c in text.chars() {
        let short = match c {
            '"' => Some("\\\""),
            '\\' => Some("\\\\"),
            '/' => Some("\\/"),
            '\n' => Some("\\n"),
            '\t' => Some("\\t"),
            '\r' => Some("\\r"),
            '\u{8}' => Some("\\b"),
            '\u{c}' => Some("\\f"),
            _ => None,
        };
        match (short, rng.below(3)) {
            (Some(short), _) if c < ' ' || c == '"' || c == '\\' || rng.chance(1, 2) => out.push_str(short),
            (_, 0) => c.encode_utf16(&mut [0; 2]).iter().for_each(|unit| out.push_str(&format!("\\u{unit:04X}"))),
            (_, 1) => c.encode_utf16(&mut [0; 2]).iter().for_each(|unit| out.push_str(&format!("\\u{unit:04x}"))),
            _ if c < ' ' => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            _ => out.push(c),
        }
    }
    out.push('"');
    out.into_bytes()
}

/// `text` as a JSON string with `bad` inserted between two of its characters (never inside an
/// escape).
fn broken_string(text: &str, bad: &[u8], rng: &mut Rng) -> Vec<u8> {
    let json = Value::from(text).to_string().into_bytes();
    let places: Vec<usize> = (1..json.len())
        .filter(|&at| (json[at] & 0xC0) != 0x80 && json[at - 1] != b'\\' && !in_unicode_escape(&json, at))
        .collect();
    let at = *rng.pick(&places);
    let mut out = json;
    out.splice(at..at, bad.iter().copied());
    out
}

/// Whether `at` falls inside a `\uXXXX` escape of `json`.
fn in_unicode_escape(json: &[u8], at: usize) -> bool {
    (at.saturating_sub(5)..at.saturating_sub(1)).any(|start| json[start] == b'\\' && json[start + 1] == b'u')
}

/// Arrays or objects nested exactly `levels` deep (at least one), the innermost empty or
/// holding a scalar.
fn nest(levels: usize, rng: &mut Rng) -> Vec<u8> {
    let shape = rng.below(3);
    let scalar: Option<&[u8]> =
        if rng.chance(1, 2) { Some(*rng.pick(&[&b"0"[..], b"null", b"\"x\"", b"true", b"-0", b"1e2"])) } else { None };
    let (mut open, mut close) = (Vec::new(), Vec::new());
    for level in 0..levels {
        let array = match shape {
            0 => true,
            1 => false,
            _ => level % 2 == 0,
        };
        let last = level + 1 == levels;
        if array {
            open.push(b'[');
            close.push(b']');
        } else {
            if last && scalar.is_none() {
                open.push(b'{');
            } else {
                open.extend_from_slice(b"{\"a\":");
            }
            close.push(b'}');
        }
    }
    if let Some(scalar) = scalar {
        open.extend_from_slice(scalar);
    }
    close.reverse();
    open.extend(close);
    open
}

/// The structural bytes of `bytes` outside strings (`{}[],:`), with their offsets.
pub fn structural(bytes: &[u8]) -> Vec<(usize, u8)> {
    let mut out = Vec::new();
    let mut in_string = false;
    let mut at = 0;
    while at < bytes.len() {
        match (in_string, bytes[at]) {
            (true, b'\\') => at += 1,
            (_, b'"') => in_string = !in_string,
            (false, byte @ (b'{' | b'}' | b'[' | b']' | b',' | b':')) => out.push((at, byte)),
            _ => {}
        }
        at += 1;
    }
    out
}

/// How deep arrays and objects nest in `bytes`, counted outside strings.
pub fn max_depth(bytes: &[u8]) -> usize {
    let (mut depth, mut deepest) = (0_usize, 0);
    for (_, byte) in structural(bytes) {
        match byte {
            b'{' | b'[' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// The references of both readings.
#[derive(Clone, Copy)]
pub struct RawJudge<'a> {
    pub strict: &'a Reference,
    pub tolerant: &'a Reference,
}

impl RawJudge<'static> {
    /// The references of this repository's schemas.
    pub fn documented() -> RawJudge<'static> {
        RawJudge { strict: Reference::of(Reading::Strict), tolerant: Reference::of(Reading::Tolerant) }
    }
}

impl fmt::Debug for RawJudge<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawJudge").finish_non_exhaustive()
    }
}

impl RawJudge<'_> {
    pub fn reference(&self, reading: Reading) -> &Reference {
        match reading {
            Reading::Strict => self.strict,
            Reading::Tolerant => self.tolerant,
        }
    }

    /// The reference's verdict in each reading (strict, tolerant): that of
    /// [`Reference::is_valid_bytes`], with the bytes read once for both.
    pub fn references(&self, bytes: &[u8]) -> [bool; 2] {
        let value = serde_json::from_slice::<Value>(bytes).ok().filter(|_| !has_duplicate_keys(bytes));
        [self.strict, self.tolerant].map(|reference| value.as_ref().is_some_and(|value| reference.is_valid(value)))
    }

    /// The verdicts of a reading on `bytes`, the reference's given.
    pub fn verdicts_with(&self, reading: Reading, bytes: &[u8], reference: bool) -> RawVerdicts {
        let strict = reading == Reading::Strict;
        RawVerdicts {
            reading,
            reference,
            is_valid_slice: reading.is_valid_slice(bytes),
            parse: reading.parse(bytes).is_ok(),
            crate_is_valid_slice: strict.then(|| audian_events::is_valid_slice(bytes)),
            parse_validated: strict.then(|| audian_events::parse_validated(bytes).is_ok()),
        }
    }

    /// The verdicts of a reading on `bytes`.
    pub fn verdicts(&self, reading: Reading, bytes: &[u8]) -> RawVerdicts {
        self.verdicts_with(reading, bytes, self.reference(reading).is_valid_bytes(bytes))
    }
}

/// What the entry points on bytes of a reading, and the reference, say of one input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawVerdicts {
    pub reading: Reading,
    /// The reference's verdict ([`Reference::is_valid_bytes`] on the reading's schemas).
    pub reference: bool,
    /// [`Reading::is_valid_slice`].
    pub is_valid_slice: bool,
    /// [`Reading::parse`]`.is_ok()`.
    pub parse: bool,
    /// In the strict reading: [`audian_events::is_valid_slice`].
    pub crate_is_valid_slice: Option<bool>,
    /// In the strict reading: [`audian_events::parse_validated`]`.is_ok()`.
    pub parse_validated: Option<bool>,
}

impl RawVerdicts {
    /// Whether every entry point gives the reference's verdict.
    pub fn agree(&self) -> bool {
        [Some(self.is_valid_slice), Some(self.parse), self.crate_is_valid_slice, self.parse_validated]
            .into_iter()
            .flatten()
            .all(|verdict| verdict == self.reference)
    }
}

impl fmt::Display for RawVerdicts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let word = |valid: bool| if valid { "valid" } else { "invalid" };
        let reading = self.reading;
        write!(f, "Reading::{reading:?}.is_valid_slice: {}", word(self.is_valid_slice))?;
        write!(f, ", Reading::{reading:?}.parse: {}", word(self.parse))?;
        if let Some(verdict) = self.crate_is_valid_slice {
            write!(f, ", audian_events::is_valid_slice: {}", word(verdict))?;
        }
        if let Some(verdict) = self.parse_validated {
            write!(f, ", audian_events::parse_validated: {}", word(verdict))?;
        }
        write!(
            f,
            ", reference (serde_json, duplicate keys refused, then jsonschema, {}): {}",
            verdict::reading_name(reading),
            word(self.reference)
        )
    }
}

/// The index of a reading in per-reading counts: strict 0, tolerant 1.
pub fn slot(reading: Reading) -> usize {
    match reading {
        Reading::Strict => 0,
        Reading::Tolerant => 1,
    }
}

/// How many cases of a kind, and how many of them each reading's reference accepted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KindStats {
    pub cases: u64,
    pub valid: [u64; 2],
}

/// What a raw run covered: the cases, each reading's split of valid and invalid, the cases of
/// each kind and of each facet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawStats {
    pub cases: u64,
    /// Per reading ([`slot`]): the cases judged in it, and those its reference accepted.
    pub judged: [u64; 2],
    pub valid: [u64; 2],
    pub kinds: BTreeMap<RawKind, KindStats>,
    pub facets: BTreeMap<&'static str, u64>,
}

impl RawStats {
    pub fn add(&mut self, other: &RawStats) {
        self.cases += other.cases;
        for slot in 0..2 {
            self.judged[slot] += other.judged[slot];
            self.valid[slot] += other.valid[slot];
        }
        for (kind, stats) in &other.kinds {
            let mine = self.kinds.entry(*kind).or_default();
            mine.cases += stats.cases;
            mine.valid[0] += stats.valid[0];
            mine.valid[1] += stats.valid[1];
        }
        for (facet, count) in &other.facets {
            *self.facets.entry(*facet).or_default() += count;
        }
    }

    fn record(&mut self, case: &RawCase, verdicts: &[RawVerdicts]) {
        self.cases += 1;
        let kind = self.kinds.entry(case.kind).or_default();
        kind.cases += 1;
        for verdicts in verdicts {
            let slot = slot(verdicts.reading);
            self.judged[slot] += 1;
            if verdicts.reference {
                self.valid[slot] += 1;
                kind.valid[slot] += 1;
            }
        }
        for facet in &case.facets {
            *self.facets.entry(*facet).or_default() += 1;
        }
    }

    pub fn kind(&self, kind: RawKind) -> u64 {
        self.kinds.get(&kind).map_or(0, |stats| stats.cases)
    }

    pub fn facet(&self, facet: &str) -> u64 {
        self.facets.get(facet).copied().unwrap_or(0)
    }

    /// The share of a reading's cases its reference accepted, in percent.
    pub fn valid_percent(&self, reading: Reading) -> f64 {
        let slot = slot(reading);
        if self.judged[slot] == 0 { 0.0 } else { self.valid[slot] as f64 * 100.0 / self.judged[slot] as f64 }
    }

    /// One line: the cases and each reading's split.
    pub fn summary(&self) -> String {
        let mut line = format!("{} raw cases", self.cases);
        for reading in [Reading::Strict, Reading::Tolerant] {
            let slot = slot(reading);
            if self.judged[slot] > 0 {
                let valid = self.valid[slot];
                let percent = self.valid_percent(reading);
                line.push_str(&format!(
                    "; {}: {valid} valid ({percent:.1}%), {} invalid ({:.1}%)",
                    verdict::reading_name(reading),
                    self.judged[slot] - valid,
                    100.0 - percent
                ));
            }
        }
        line
    }
}

impl fmt::Display for RawStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.summary())?;
        writeln!(f, "  by kind: cases (share), valid to the strict reference, valid to the tolerant one")?;
        for (kind, stats) in &self.kinds {
            let share = stats.cases as f64 * 100.0 / self.cases.max(1) as f64;
            let valid = |slot: usize| {
                if self.judged[slot] == 0 { "-".to_owned() } else { stats.valid[slot].to_string() }
            };
            writeln!(
                f,
                "    {:<22} {:>9} ({share:>4.1}%)  {:>8}  {:>8}",
                kind.name(),
                stats.cases,
                valid(0),
                valid(1)
            )?;
        }
        write!(f, "  by facet:")?;
        for (facet, count) in &self.facets {
            write!(f, "\n    {facet:<62} {count:>9}")?;
        }
        Ok(())
    }
}

/// A raw case on which an entry point of a reading and the reference disagree.
#[derive(Debug, Clone)]
pub struct RawDisagreement {
    pub seed: u64,
    pub index: u64,
    pub case: Box<RawCase>,
    pub verdicts: RawVerdicts,
    /// The bytes shrunk while the same verdicts persist (the case's own, after a panic).
    pub minimal: Vec<u8>,
    pub minimal_verdicts: RawVerdicts,
    pub audian_errors: Vec<String>,
    pub reference_errors: Vec<String>,
    /// The panic message, when an entry point panicked instead of giving a verdict.
    pub panic: Option<String>,
}

impl RawDisagreement {
    /// Shrinks a disagreeing case and collects the errors each side gives for the minimal bytes.
    pub fn new(seed: u64, index: u64, case: RawCase, verdicts: RawVerdicts, judge: &RawJudge<'_>) -> RawDisagreement {
        let reading = verdicts.reading;
        let minimal = shrink::shrink_bytes(&case.bytes, |candidate| {
            std::panic::catch_unwind(AssertUnwindSafe(|| judge.verdicts(reading, candidate)))
                .is_ok_and(|other| other == verdicts)
        });
        let minimal_verdicts = judge.verdicts(reading, &minimal);
        let input = Input::Bytes(minimal.clone());
        RawDisagreement {
            seed,
            index,
            audian_errors: verdict::audian_errors(&input, reading),
            reference_errors: verdict::reference_errors(&input, judge.reference(reading)),
            case: Box::new(case),
            verdicts,
            minimal,
            minimal_verdicts,
            panic: None,
        }
    }

    /// A case on which an entry point (or the reference) panicked.
    pub fn panicked(seed: u64, index: u64, reading: Reading, case: RawCase, message: String) -> RawDisagreement {
        let verdicts = RawVerdicts {
            reading,
            reference: false,
            is_valid_slice: false,
            parse: false,
            crate_is_valid_slice: None,
            parse_validated: None,
        };
        RawDisagreement {
            seed,
            index,
            minimal: case.bytes.clone(),
            case: Box::new(case),
            verdicts,
            minimal_verdicts: verdicts,
            audian_errors: Vec::new(),
            reference_errors: Vec::new(),
            panic: Some(message),
        }
    }

    /// How to replay the case.
    pub fn replay(&self) -> String {
        format!(
            "audian_events_tests::raw::RawEngine::documented().case({seed}, {index}).bytes, judged by \
             audian_events_tests::raw::RawJudge::documented().verdicts(audian_events::Reading::{:?}, &bytes); \
             or `cargo xtask fuzz --bytes {} --seed {seed} --reading {}`",
            self.verdicts.reading,
            self.index + 1,
            verdict::reading_name(self.verdicts.reading),
            seed = self.seed,
            index = self.index,
        )
    }
}

/// Bytes as a Rust byte-string literal, to paste into a test.
pub fn literal(bytes: &[u8]) -> String {
    format!("b\"{}\"", bytes.escape_ascii())
}

impl fmt::Display for RawDisagreement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |f: &mut fmt::Formatter<'_>, lines: &[String]| -> fmt::Result {
            if lines.is_empty() {
                return writeln!(f, "  (none: valid)");
            }
            for line in lines {
                writeln!(f, "  {line}")?;
            }
            Ok(())
        };
        let reading = verdict::reading_name(self.verdicts.reading);
        match &self.panic {
            Some(message) => writeln!(f, "raw bytes: an entry point of the {reading} reading panicked: {message}")?,
            None => writeln!(f, "raw bytes: the entry points of the {reading} reading and the reference disagree")?,
        }
        writeln!(
            f,
            "seed {} case {} (kind: {}, from the example of {})",
            self.seed, self.index, self.case.kind, self.case.example
        )?;
        if self.panic.is_none() {
            writeln!(f, "verdicts: {}", self.verdicts)?;
        }
        writeln!(f, "facets: {}", self.case.facets.join(", "))?;
        writeln!(f, "mutations:")?;
        list(f, &self.case.notes)?;
        writeln!(
            f,
            "bytes ({} long, invalid UTF-8 as \\xNN):\n{}",
            self.case.bytes.len(),
            Input::display_bytes(&self.case.bytes)
        )?;
        writeln!(f, "as a literal: {}", literal(&self.case.bytes))?;
        if self.panic.is_none() {
            writeln!(f, "minimal bytes ({} long): {}", self.minimal.len(), literal(&self.minimal))?;
            writeln!(f, "verdicts on the minimal bytes: {}", self.minimal_verdicts)?;
            writeln!(f, "audian_events errors on the minimal bytes:")?;
            list(f, &self.audian_errors)?;
            writeln!(f, "reference errors ({reading}) on the minimal bytes:")?;
            list(f, &self.reference_errors)?;
        }
        write!(f, "replay: {}", self.replay())
    }
}

impl std::error::Error for RawDisagreement {}

/// Judges raw cases `range` of `seed` in each of `readings`; stops at the first disagreement
/// (of the first reading, on one case), shrunk. `progress` is called every 256 cases.
pub fn run_range(
    engine: &RawEngine,
    judge: &RawJudge<'_>,
    readings: &[Reading],
    seed: u64,
    range: Range<u64>,
    mut progress: impl FnMut(&RawStats),
) -> Result<RawStats, Box<RawDisagreement>> {
    let mut stats = RawStats::default();
    let mut verdicts = Vec::with_capacity(readings.len());
    for index in range {
        let case = engine.case(seed, index);
        verdicts.clear();
        let references = match std::panic::catch_unwind(AssertUnwindSafe(|| judge.references(&case.bytes))) {
            Ok(references) => references,
            Err(panic) => {
                let reading = readings.first().copied().unwrap_or(Reading::Strict);
                let message = format!("the reference: {}", panic_message(panic.as_ref()));
                return Err(Box::new(RawDisagreement::panicked(seed, index, reading, case, message)));
            }
        };
        for &reading in readings {
            let judged = std::panic::catch_unwind(AssertUnwindSafe(|| {
                judge.verdicts_with(reading, &case.bytes, references[slot(reading)])
            }));
            match judged {
                Ok(judged) if judged.agree() => verdicts.push(judged),
                Ok(judged) => return Err(Box::new(RawDisagreement::new(seed, index, case, judged, judge))),
                Err(panic) => {
                    let message = panic_message(panic.as_ref());
                    return Err(Box::new(RawDisagreement::panicked(seed, index, reading, case, message)));
                }
            }
        }
        stats.record(&case, &verdicts);
        if stats.cases.is_multiple_of(256) {
            progress(&stats);
        }
    }
    Ok(stats)
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|text| text.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(a panic without a message)".to_owned())
}
