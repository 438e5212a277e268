//! Values of each kind of field: valid variants (the corners of what the schemas accept) and
//! near misses (what they refuse by one character, one digit, one unit).
//!
//! Every generator may return a value of the other side of the line now and then: the verdict is
//! always the reference validator's, never the generator's intent.

use std::sync::LazyLock;

use audian_events::EventType;
use serde_json::{Number, Value, json};

use crate::rng::Rng;

/// What a field holds, by its name, as `schema/README.md` describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    EventId,
    CallId,
    RecordingId,
    MenuId,
    Phone,
    Timestamp,
    /// `duration`, `file_size`, `timeout_duration`: an integer in `0..=u64::MAX`.
    Count,
    /// `reason_code`: an integer in `i64::MIN..=i64::MAX`.
    ReasonCode,
    CallType,
    CallStatus,
    /// `reason` of `call.failed` (and the open string of the same name in `recording.failed`).
    FailureReason,
    EventName,
    Uri,
    /// `options`: an array of strings.
    Options,
    /// `data`: an object.
    Data,
    /// Any string.
    Text,
}

impl Kind {
    pub fn of(key: &str, in_data: bool) -> Kind {
        match (key, in_data) {
            ("id", false) => Kind::EventId,
            ("timestamp", false) => Kind::Timestamp,
            ("event", false) => Kind::EventName,
            ("data", false) => Kind::Data,
            ("call_id", _) => Kind::CallId,
            ("recording_id", _) => Kind::RecordingId,
            ("menu_id", _) => Kind::MenuId,
            ("from" | "to" | "answered_by" | "transfer_from" | "transfer_to", _) => Kind::Phone,
            ("duration" | "file_size" | "timeout_duration", _) => Kind::Count,
            ("reason_code", _) => Kind::ReasonCode,
            ("call_type", _) => Kind::CallType,
            ("status", _) => Kind::CallStatus,
            ("reason", _) => Kind::FailureReason,
            ("download_url", _) => Kind::Uri,
            ("options", _) => Kind::Options,
            (key, _) if key.ends_with("_at") => Kind::Timestamp,
            _ => Kind::Text,
        }
    }
}

/// The documented event types, in the order of the schemas (`EventType::ALL`, generated from
/// `common.json`).
pub fn event_names() -> &'static [&'static str] {
    static TYPES: [EventType; EventType::ALL.len()] = EventType::ALL;
    static NAMES: LazyLock<Vec<&'static str>> = LazyLock::new(|| TYPES.iter().map(EventType::as_str).collect());
    &NAMES
}

const CALL_TYPES: [&str; 2] = ["inbound", "outbound"];
const CALL_STATUSES: [&str; 6] = ["initiated", "ringing", "answered", "completed", "failed", "cancelled"];
const FAILURE_REASONS: [&str; 6] =
    ["no_answer", "declined", "invalid_number", "network_error", "internal_error", "busy"];

/// A valid value of `kind` (valid for the kind: `status` may still be the wrong const).
pub fn valid(kind: Kind, rng: &mut Rng) -> Value {
    match kind {
        Kind::EventId => Value::String(format!("evt_{}", text(rng, 1, 24))),
        Kind::CallId => Value::String(format!("call_{}", text(rng, 1, 24))),
        Kind::RecordingId => Value::String(format!("rec_{}", text(rng, 1, 24))),
        Kind::MenuId => Value::String(text(rng, 1, 16)),
        Kind::Phone => Value::String(valid_phone(rng)),
        Kind::Timestamp => Value::String(valid_date_time(rng)),
        Kind::Count => valid_count(rng),
        Kind::ReasonCode => valid_reason_code(rng),
        Kind::CallType => json!(rng.pick(&CALL_TYPES)),
        Kind::CallStatus => json!(rng.pick(&CALL_STATUSES)),
        Kind::FailureReason => json!(rng.pick(&FAILURE_REASONS)),
        Kind::EventName => json!(rng.pick(event_names())),
        Kind::Uri => Value::String(valid_uri(rng)),
        Kind::Options => {
            let count = rng.below(6) as usize;
            Value::Array((0..count).map(|_| Value::String(text(rng, 0, 6))).collect())
        }
        Kind::Data => json!({}),
        Kind::Text => Value::String(text(rng, 0, 24)),
    }
}

/// A value of `kind` that misses by little.
pub fn near_miss(kind: Kind, rng: &mut Rng) -> Value {
    match kind {
        Kind::EventId => Value::String(near_miss_id("evt_", rng)),
        Kind::CallId => Value::String(near_miss_id("call_", rng)),
        Kind::RecordingId => Value::String(near_miss_id("rec_", rng)),
        Kind::MenuId => {
            if rng.chance(1, 2) {
                json!("")
            } else {
                other_type(&json!("menu_main"), rng)
            }
        }
        Kind::Phone => Value::String(near_miss_phone(rng)),
        Kind::Timestamp => Value::String(near_miss_date_time(rng)),
        Kind::Count | Kind::ReasonCode => boundary_number(rng),
        Kind::CallType => {
            let word = *rng.pick(&CALL_TYPES);
            Value::String(near_miss_word(word, rng))
        }
        Kind::CallStatus => {
            let word = *rng.pick(&CALL_STATUSES);
            Value::String(near_miss_word(word, rng))
        }
        Kind::FailureReason => {
            let word = *rng.pick(&FAILURE_REASONS);
            Value::String(near_miss_word(word, rng))
        }
        Kind::EventName => Value::String(near_miss_event_name(event_names(), rng)),
        Kind::Uri => Value::String(near_miss_uri(rng)),
        Kind::Options => match rng.below(4) {
            0 => json!(["1", 2, "3"]),
            1 => json!("1,2,3"),
            2 => json!([["1"], "2"]),
            _ => json!([null]),
        },
        Kind::Data => other_type(&json!({}), rng),
        Kind::Text => other_type(&json!(""), rng),
    }
}

// ---------------------------------------------------------------------------
// Text
// ---------------------------------------------------------------------------

/// Characters other than printable ASCII that are worth meeting in a string: controls, NUL,
/// non-ASCII letters, digits of other scripts, zero-width and direction marks, astral planes.
const SPECIAL_CHARS: [char; 26] = [
    ' ',
    '\n',
    '\t',
    '\r',
    '\0',
    '\u{7f}',
    '\u{85}',
    'é',
    'ß',
    'İ',
    'ı',
    'Σ',
    '中',
    '😀',
    '\u{200b}',
    '\u{feff}',
    '\u{202e}',
    '\u{301}',
    '\u{ffff}',
    '\u{10ffff}',
    '٣',
    '０',
    '५',
    '\u{2028}',
    '"',
    '\\',
];

/// A random string of `min..=max` characters, mostly ASCII.
pub fn text(rng: &mut Rng, min: usize, max: usize) -> String {
    let length = rng.between(min as u64, max as u64) as usize;
    (0..length).map(|_| random_char(rng)).collect()
}

fn random_char(rng: &mut Rng) -> char {
    const ASCII: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.:/+ ";
    if rng.chance(1, 8) {
        *rng.pick(&SPECIAL_CHARS)
    } else if rng.chance(1, 16) {
        char::from(rng.between(0x20, 0x7e) as u8)
    } else {
        char::from(*rng.pick(ASCII))
    }
}

/// A non-ASCII (or control) character.
pub fn special_char(rng: &mut Rng) -> char {
    *rng.pick(&SPECIAL_CHARS)
}

/// `word` with its case changed, a character swapped for a look-alike, or an edit.
pub fn near_miss_word(word: &str, rng: &mut Rng) -> String {
    match rng.below(11) {
        0 => word.to_uppercase(),
        1 => {
            let mut chars = word.chars();
            chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
        }
        2 => flip_one_case(word, rng),
        3 => format!("{word} "),
        4 => format!(" {word}"),
        5 => format!("{word}\n"),
        6 => word.replace('_', "-").replace('.', "_"),
        // Cyrillic look-alikes.
        7 => word.replacen('a', "а", 1).replacen('e', "е", 1).replacen('o', "о", 1),
        8 => {
            let mut shorter = word.to_owned();
            shorter.pop();
            shorter
        }
        9 => rng.pick(&["", "unknown", "canceled", "complete", "no-answer", "timeout", "sideways", "null"]).to_string(),
        _ => format!("{word}{}", special_char(rng)),
    }
}

fn flip_one_case(word: &str, rng: &mut Rng) -> String {
    let letters: Vec<usize> = word.char_indices().filter(|(_, c)| c.is_ascii_alphabetic()).map(|(i, _)| i).collect();
    if letters.is_empty() {
        return word.to_uppercase();
    }
    let at = *rng.pick(&letters);
    let mut out = String::with_capacity(word.len());
    for (index, c) in word.char_indices() {
        if index == at {
            out.push(if c.is_ascii_lowercase() { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() });
        } else {
            out.push(c);
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Identifiers and phone numbers
// ---------------------------------------------------------------------------

fn near_miss_id(prefix: &str, rng: &mut Rng) -> String {
    let suffix = text(rng, 1, 12);
    match rng.below(12) {
        0 => prefix.to_owned(),
        1 => format!("{}{suffix}", prefix.to_uppercase()),
        2 => format!("x{prefix}{suffix}"),
        3 => format!("{}{suffix}", prefix.trim_end_matches('_')),
        4 => format!("{}{suffix}", rng.pick(&["evt_", "call_", "rec_", "wh_"])),
        5 => format!(" {prefix}{suffix}"),
        6 => String::new(),
        7 => prefix[..prefix.len() - 1].to_owned(),
        8 => format!("{}{suffix}", prefix.replacen('e', "е", 1).replacen('c', "с", 1)),
        9 => format!("{}＿{suffix}", prefix.trim_end_matches('_')),
        10 => format!("{prefix}{}", special_char(rng)),
        _ => format!("{}{suffix}", flip_one_case(prefix, rng)),
    }
}

fn digits(rng: &mut Rng, count: usize) -> String {
    (0..count).map(|_| char::from(b'0' + rng.below(10) as u8)).collect()
}

/// Between `min` and `max` ASCII digits.
fn some_digits(rng: &mut Rng, min: u64, max: u64) -> String {
    let count = rng.between(min, max) as usize;
    digits(rng, count)
}

/// `+`, a digit 1-9, then 1 to 14 digits.
pub fn valid_phone(rng: &mut Rng) -> String {
    let rest = if rng.chance(1, 3) { *rng.pick(&[1, 14]) } else { rng.between(1, 14) as usize };
    format!("+{}{}", rng.between(1, 9), digits(rng, rest))
}

fn near_miss_phone(rng: &mut Rng) -> String {
    let valid = valid_phone(rng);
    match rng.below(16) {
        0 => format!("+{}", rng.between(1, 9)),
        1 => format!("+{}{}", rng.between(1, 9), digits(rng, 15)),
        2 => format!("+0{}", some_digits(rng, 1, 14)),
        3 => valid[1..].to_owned(),
        4 => format!("{valid}\n"),
        5 => format!("{valid} "),
        6 => format!(" {valid}"),
        7 => format!("+{valid}"),
        8 => valid.replacen('+', "＋", 1),
        // A digit of another script where `[0-9]` expects ASCII.
        9 => {
            let digit = *rng.pick(&['０', '٣', '५', '߃', '𝟘']);
            let at = rng.between(2, valid.len() as u64 - 1) as usize;
            format!("{}{digit}{}", &valid[..at], &valid[at + 1..])
        }
        10 => format!("{}-{}", &valid[..3], &valid[3..]),
        11 => String::new(),
        12 => "+".to_owned(),
        13 => format!("{valid}x"),
        14 => format!("+{}{}", rng.between(1, 9), some_digits(rng, 15, 20)),
        _ => format!("00{}", &valid[1..]),
    }
}

// ---------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------

fn float(value: f64) -> Value {
    Value::Number(Number::from_f64(value).expect("a finite float"))
}

/// 2^63 and 2^64 as floats (both exact).
const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
const TWO_POW_64: f64 = 18_446_744_073_709_551_616.0;

fn valid_count(rng: &mut Rng) -> Value {
    match rng.below(10) {
        0 => json!(0),
        1 => json!(u64::MAX),
        2 => json!(rng.next_u64()),
        3 => json!(1u64 << rng.below(64)),
        4 => float(rng.below(1 << 20) as f64),
        // The largest float below 2^64, and other large whole floats.
        5 => float(*rng.pick(&[18_446_744_073_709_549_568.0, 1e19, TWO_POW_63, 9_007_199_254_740_993.0, -0.0])),
        _ => json!(rng.below(100_000)),
    }
}

fn valid_reason_code(rng: &mut Rng) -> Value {
    match rng.below(8) {
        0 => json!(i64::MIN),
        1 => json!(i64::MAX),
        2 => json!(rng.next_u64() as i64),
        3 => float(*rng.pick(&[-TWO_POW_63, 9_223_372_036_854_774_784.0, -1.0, 0.0, -0.0, 408.0])),
        4 => json!(-(rng.below(1000) as i64)),
        _ => json!(rng.between(100, 699)),
    }
}

/// Numbers at and across the edges: of the ranges, of `i64`/`u64`/`f64`, of integer-ness.
pub fn boundary_number(rng: &mut Rng) -> Value {
    match rng.below(30) {
        0 => json!(-1),
        1 => json!(0),
        2 => float(1.0),
        3 => float(1.5),
        4 => json!(1u64 << 63),
        5 => float(TWO_POW_63),
        6 => float(TWO_POW_64),
        7 => json!(u64::MAX),
        8 => json!(i64::MIN),
        9 => json!(i64::MAX),
        10 => float(1e300),
        11 => float(-1e300),
        12 => float(f64::MAX),
        13 => float(f64::MIN),
        14 => float(5e-324),
        15 => float(-0.0),
        16 => float(-0.5),
        17 => float(0.1),
        18 => float(-TWO_POW_63),
        19 => float(-9_223_372_036_854_777_856.0),
        20 => float(18_446_744_073_709_549_568.0),
        21 => float(305.0),
        22 => float(305.000_000_000_1),
        23 => float(1e20),
        24 => json!(-(rng.below(1 << 40) as i64) - 1),
        25 => float(4_503_599_627_370_495.5),
        26 => float(9_223_372_036_854_774_784.0),
        27 => float(-1.0),
        28 => json!(rng.next_u64()),
        _ => float(f64::from_bits(rng.next_u64() & !(0x7ff << 52) | (u64::from(rng.between(0, 0x7fe) as u16) << 52))),
    }
}

// ---------------------------------------------------------------------------
// Date-times
// ---------------------------------------------------------------------------

fn is_leap(year: u32) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

fn days_in(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(year) => 29,
        _ => 28,
    }
}

/// The parts of a date-time, written out by `render`.
struct DateTime {
    year: String,
    month: String,
    day: String,
    separator: String,
    hour: String,
    minute: String,
    second: String,
    fraction: String,
    offset: String,
}

impl DateTime {
    fn render(&self) -> String {
        format!(
            "{}-{}-{}{}{}:{}:{}{}{}",
            self.year,
            self.month,
            self.day,
            self.separator,
            self.hour,
            self.minute,
            self.second,
            self.fraction,
            self.offset
        )
    }
}

fn random_valid_parts(rng: &mut Rng) -> DateTime {
    let year = match rng.below(8) {
        0 => *rng.pick(&[0, 1, 1900, 1970, 2000, 2100, 9999, 1582]),
        1 => rng.between(0, 9999) as u32,
        _ => rng.between(1990, 2040) as u32,
    };
    let month = rng.between(1, 12) as u32;
    let day =
        if rng.chance(1, 4) { days_in(year, month) } else { rng.between(1, u64::from(days_in(year, month))) as u32 };
    let offset_minutes: i32 = match rng.below(6) {
        0..=2 => 0,
        3 => *rng.pick(&[60, -60, 330, -210, 840, -720, 23 * 60 + 59, -(23 * 60 + 59)]),
        _ => rng.between(0, 2 * (23 * 60 + 59)) as i32 - (23 * 60 + 59),
    };
    let offset = if offset_minutes == 0 && rng.chance(3, 4) {
        (if rng.chance(1, 5) { "z" } else { "Z" }).to_owned()
    } else {
        let sign = if offset_minutes < 0 || (offset_minutes == 0 && rng.chance(1, 2)) { '-' } else { '+' };
        format!("{sign}{:02}:{:02}", offset_minutes.abs() / 60, offset_minutes.abs() % 60)
    };
    let (hour, minute, second) = if rng.chance(1, 10) {
        // A leap second: 23:59:60 in UTC, whatever the local time.
        let local = (23 * 60 + 59 + offset_minutes).rem_euclid(24 * 60);
        (local / 60, local % 60, 60)
    } else {
        (rng.below(24) as i32, rng.below(60) as i32, rng.below(60) as i32)
    };
    let fraction = match rng.below(6) {
        0 => format!(".{}", some_digits(rng, 1, 3)),
        1 => format!(".{}", some_digits(rng, 4, 20)),
        _ => String::new(),
    };
    DateTime {
        year: format!("{year:04}"),
        month: format!("{month:02}"),
        day: format!("{day:02}"),
        separator: (if rng.chance(1, 6) { "t" } else { "T" }).to_owned(),
        hour: format!("{hour:02}"),
        minute: format!("{minute:02}"),
        second: format!("{second:02}"),
        fraction,
        offset,
    }
}

/// An RFC 3339 date-time, often at a corner: leap days, leap seconds, offsets, long fractions,
/// lower-case `t` and `z`, years 0000 and 9999.
pub fn valid_date_time(rng: &mut Rng) -> String {
    if rng.chance(1, 16) {
        // The edges of the range (where a conversion to UTC leaves years 0000-9999) and leap
        // seconds at the minute that is 23:59 in UTC.
        return rng
            .pick(&[
                "0000-01-01T00:00:00+23:59",
                "0000-01-01T00:00:00Z",
                "0000-02-29T12:00:00Z",
                "9999-12-31T23:59:60Z",
                "9999-12-31T23:59:59.999999999999-23:59",
                "1972-06-30T23:59:60Z",
                "1969-12-31T23:59:60.5+00:00",
                "2024-01-15T00:00:60+00:01",
                "2024-01-15T23:58:60-00:01",
                "2000-02-29T23:59:60z",
                "1970-01-01T00:00:00-00:00",
                "2024-01-15T10:30:00.000000000000000000000000001Z",
            ])
            .to_string();
    }
    random_valid_parts(rng).render()
}

/// A near miss of an RFC 3339 date-time: a part out of range, a wrong separator, a leap second or
/// an offset out of place.
pub fn near_miss_date_time(rng: &mut Rng) -> String {
    let mut parts = random_valid_parts(rng);
    match rng.below(26) {
        0 => parts.month = rng.pick(&["00", "13", "1", "99"]).to_string(),
        1 => parts.day = rng.pick(&["00", "32", "1", "31"]).to_string(),
        2 => {
            // The day after the last of the month.
            let year = rng.between(1900, 2100) as u32;
            let month = rng.between(1, 12) as u32;
            parts.year = format!("{year:04}");
            parts.month = format!("{month:02}");
            parts.day = format!("{:02}", days_in(year, month) + 1);
        }
        3 => {
            // 29 February of a year that is not (or is) leap.
            parts.year = rng.pick(&["1900", "2100", "2023", "2000", "2024", "0000"]).to_string();
            parts.month = "02".to_owned();
            parts.day = "29".to_owned();
        }
        4 => parts.hour = rng.pick(&["24", "25", "99", "1"]).to_string(),
        5 => parts.minute = rng.pick(&["60", "99", "5"]).to_string(),
        6 => parts.second = rng.pick(&["60", "61", "99", "5"]).to_string(),
        7 => {
            // A leap second away from 23:59 UTC, or at 23:59 local time with an offset.
            parts.second = "60".to_owned();
            parts.hour = rng.pick(&["23", "22", "00", "12"]).to_string();
            parts.minute = rng.pick(&["59", "58", "00"]).to_string();
            parts.offset = rng.pick(&["Z", "+01:00", "-01:00", "+00:01", "-00:01", "+00:00"]).to_string();
        }
        8 => {
            parts.offset = rng
                .pick(&["+24:00", "-24:00", "+05:60", "+0530", "+05", "05:30", "", "UTC", "GMT", "+5:30", " Z"])
                .to_string()
        }
        9 => parts.offset = rng.pick(&["Zz", "ZZ", "+01:00Z", "Z\n", "z ", "+01:00:00"]).to_string(),
        10 => parts.separator = rng.pick(&[" ", "_", "", "TT", "\t", "Ｔ"]).to_string(),
        11 => parts.fraction = rng.pick(&[".", ",5", ".5.5", ".Z", ".a", ". 5"]).to_string(),
        12 => parts.year = rng.pick(&["24", "02024", "+2024", "-2024", "２０２４", "20２4", "1e3"]).to_string(),
        13 => parts.hour = "٠١".to_owned(),
        14 => return format!("{}-{}-{}", parts.year, parts.month, parts.day),
        15 => return format!("{}:{}:{}{}", parts.hour, parts.minute, parts.second, parts.offset),
        16 => return format!("{}\n", parts.render()),
        17 => return format!(" {}", parts.render()),
        18 => return parts.render().to_lowercase().replace('t', "x"),
        19 => return parts.render().replace('-', "/"),
        20 => return parts.render().replace(':', ""),
        21 => {
            parts.minute = "".to_owned();
            return format!(
                "{}-{}-{}T{}:{}{}",
                parts.year, parts.month, parts.day, parts.hour, parts.second, parts.offset
            );
        }
        22 => return format!("{}{}", parts.render(), special_char(rng)),
        23 => return "2024-01-15T10:30:00Z".chars().rev().collect(),
        24 => parts.offset = format!("{}{}", parts.offset, parts.offset),
        _ => parts.year = format!("{:04}", rng.between(0, 9999)),
    }
    parts.render()
}

// ---------------------------------------------------------------------------
// URIs
// ---------------------------------------------------------------------------

const PCHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@";

fn pchars(rng: &mut Rng, min: usize, max: usize) -> String {
    let length = rng.between(min as u64, max as u64) as usize;
    let mut out = String::new();
    for _ in 0..length {
        if rng.chance(1, 12) {
            out.push_str(&format!("%{:02X}", rng.below(256)));
        } else {
            out.push(char::from(*rng.pick(PCHARS)));
        }
    }
    out
}

fn valid_ipv6(rng: &mut Rng) -> String {
    let group = |rng: &mut Rng| format!("{:x}", rng.below(0x10000));
    match rng.below(8) {
        0 => (0..8).map(|_| group(rng)).collect::<Vec<_>>().join(":"),
        1 => "::".to_owned(),
        2 => "::1".to_owned(),
        3 => format!("fe80::{}", group(rng)),
        4 => format!("::ffff:{}.{}.{}.{}", rng.below(256), rng.below(256), rng.below(256), rng.below(256)),
        5 => format!("{}::", group(rng)),
        6 => format!("2001:db8::{}:{}", group(rng), group(rng)),
        _ => {
            let head = rng.below(7) as usize;
            let tail = rng.below(7 - head as u64) as usize;
            let head: Vec<String> = (0..head).map(|_| group(rng)).collect();
            let tail: Vec<String> = (0..tail).map(|_| group(rng)).collect();
            format!("{}::{}", head.join(":"), tail.join(":"))
        }
    }
}

fn valid_host(rng: &mut Rng) -> String {
    match rng.below(8) {
        0 => format!("[{}]", valid_ipv6(rng)),
        1 => format!("{}.{}.{}.{}", rng.below(256), rng.below(256), rng.below(256), rng.below(256)),
        2 => format!("[v{:x}.{}]", rng.below(16), pchars(rng, 1, 6).replace(['%', '@'], "a")),
        3 => String::new(),
        4 => pchars(rng, 1, 12).replace([':', '@'], "-"),
        _ => rng.pick(&["api.audian.com", "localhost", "EXAMPLE.com", "a.b-c.d", "xn--bcher-kva.example"]).to_string(),
    }
}

/// An RFC 3986 URI: a scheme, an optional authority (user info, reg-name, IPv4, IPv6 or IPvFuture
/// host, port of any length), a path, an optional query and fragment.
pub fn valid_uri(rng: &mut Rng) -> String {
    if rng.chance(1, 4) {
        return rng
            .pick(&[
                "https://api.audian.com:8443/v2/recordings/rec_abc123/download",
                "urn:isbn:0451450523",
                "mailto:a@b.c",
                "a:",
                "http://[::1]:80/x?y#z",
                "http://[v1.fe]/",
                "http://user:pw@host/%20",
                "file:///tmp/x",
                "http://host:/",
                "http://h?#",
                "s3://bucket/key%2Fwith%2Fslashes",
                "HTTP://EXAMPLE.COM/",
                "x-y+z.w:rest",
                "http://[::ffff:192.0.2.1]/",
                "http://h/a/../b/./c",
                "http://h/?a=1&b=[2]",
            ])
            .to_string();
    }
    let scheme = rng.pick(&["http", "https", "ftp", "urn", "a", "x-y+z.w", "S3", "ws"]).to_string();
    let mut uri = format!("{scheme}:");
    if rng.chance(3, 4) {
        uri.push_str("//");
        if rng.chance(1, 5) {
            uri.push_str(&pchars(rng, 0, 6).replace(['@', '/', '?', '#'], "u"));
            uri.push('@');
        }
        uri.push_str(&valid_host(rng));
        if rng.chance(1, 3) {
            uri.push(':');
            uri.push_str(&some_digits(rng, 0, 6));
        }
        for _ in 0..rng.below(4) {
            uri.push('/');
            uri.push_str(&pchars(rng, 0, 8));
        }
    } else {
        uri.push_str(&pchars(rng, 0, 10));
        for _ in 0..rng.below(3) {
            uri.push('/');
            uri.push_str(&pchars(rng, 0, 8));
        }
    }
    if rng.chance(1, 4) {
        uri.push('?');
        uri.push_str(&pchars(rng, 0, 8));
        if rng.chance(1, 3) {
            uri.push_str("/?");
        }
    }
    if rng.chance(1, 5) {
        uri.push('#');
        uri.push_str(&pchars(rng, 0, 8));
    }
    uri
}

/// A near miss of an RFC 3986 URI: a relative reference, a character out of place, a broken IP
/// literal, port or percent-escape.
pub fn near_miss_uri(rng: &mut Rng) -> String {
    if rng.chance(1, 2) {
        return rng
            .pick(&[
                "/v2/recordings/rec_abc123/download",
                "v2/recordings",
                "//api.audian.com/x",
                "api.audian.com/x",
                "https://api.audian.com/a b",
                "https://api audian.com/",
                "https://api.audian.com/%zz",
                "https://api.audian.com/%4",
                "https://api.audian.com/%",
                "http://[::1",
                "http://::1/",
                "http://[::g]/",
                "http://[1:2:3:4:5:6:7:8:9]/",
                "http://[1:2:3:4:5:6:7]/",
                "http://[1::2::3]/",
                "http://[12345::1]/",
                "http://[::ffff:1.2.3.256]/",
                "http://[::ffff:01.2.3.4]/",
                "http://[::1.2.3.4.5]/",
                "http://[1.2.3.4::]/",
                "http://[1:2:1.2.3.4::]/",
                "http://[1.2.3.4::1]/",
                "http://[1:2:3:4:5:6:7::8]/",
                "http://[1.2.3.4]/",
                "http://[fe80::1%25eth0]/",
                "http://[fe80::1%eth0]/",
                "http://[::1]x/",
                "http://[v.x]/",
                "http://[vg.x]/",
                "http://[v1.]/",
                "http://h:80x/",
                "http://h:-1/",
                "http://h:80:90/",
                "http://a@b@c/",
                "1http://a",
                ":no-scheme",
                "",
                "http://h/é",
                "http://h/\\x",
                "http://h/<x>",
                "http://h/{x}",
                "http://h/a|b",
                "http://h/^",
                "http://h/`",
                "http://h/\"",
                "http://h/#a#b",
                "http://h/[x]",
                "http://h/\n",
                "https://api.audian.com:8443/v2\n",
                " https://api.audian.com/",
                "ht tp://h/",
                "http//h/",
                "http:\\\\h\\",
                "_http://h/",
                "http://h%/",
                "http://h%41/",
            ])
            .to_string();
    }
    let valid = valid_uri(rng);
    let at = rng.between(0, valid.len() as u64) as usize;
    let at = (0..=at).rev().find(|&i| valid.is_char_boundary(i)).unwrap_or(0);
    let insert = *rng.pick(&[" ", "%", "%g0", "[", "]", "\\", "é", "\"", "<", "#", "^", "{", "\n", "%00", ":", "@"]);
    format!("{}{insert}{}", &valid[..at], &valid[at..])
}

// ---------------------------------------------------------------------------
// Event names and types
// ---------------------------------------------------------------------------

/// A string that is not one of the event names `names` by little, or a name of no event.
pub fn near_miss_event_name(names: &[&str], rng: &mut Rng) -> String {
    let name = *rng.pick(names);
    match rng.below(5) {
        0 => rng
            .pick(&["call.parked", "call.*", "*", "call.", "ivr", "recording.paused", "webhook.created", "call..held"])
            .to_string(),
        _ => near_miss_word(name, rng),
    }
}

/// A value of another JSON type than `value`.
pub fn other_type(value: &Value, rng: &mut Rng) -> Value {
    let candidates = [
        Value::Null,
        json!(true),
        json!(false),
        json!(0),
        json!(-1),
        float(1.5),
        json!(""),
        json!("string"),
        json!([]),
        json!({}),
        json!([value]),
        json!({ "value": value }),
        json!("305"),
        json!("true"),
        json!("null"),
    ];
    loop {
        let candidate = rng.pick(&candidates);
        if !same_type(candidate, value) || rng.chance(1, 8) {
            return candidate.clone();
        }
    }
}

fn same_type(a: &Value, b: &Value) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

/// Nested arrays and objects, `depth` levels deep.
pub fn garbage(rng: &mut Rng, depth: usize) -> Value {
    let mut value = match rng.below(4) {
        0 => Value::Null,
        1 => json!(0),
        2 => json!("x"),
        _ => json!([]),
    };
    for _ in 0..depth {
        value = match rng.below(4) {
            0 => json!({ "a": value }),
            1 => json!([value, 1, "b"]),
            2 => json!({ "": value, "x": null }),
            _ => json!([value]),
        };
    }
    value
}

#[cfg(test)]
mod tests {
    /// The names drawn from are those of the documented examples, every one.
    #[test]
    fn event_names_are_those_of_the_documented_examples() {
        let mut names = super::event_names().to_vec();
        names.sort_unstable();
        let documented: Vec<&str> = crate::reference::examples().iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, documented);
    }
}
