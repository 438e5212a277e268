//! The strategies the generated ones are made of: strings of a pattern and a length, RFC 3339
//! timestamps, URIs, bounded integers and lists; each draws valid values only (it builds them to
//! fit rather than filtering), and [`toward`] makes a strategy shrink to a documented example.

use std::borrow::Cow;
use std::ops::RangeInclusive;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime};
use proptest::prelude::*;

pub(crate) use super::invalid::{Breach, JsonType, Rule};
pub(crate) use super::lifecycle::{Bind, Scene};
pub(crate) use super::toward::toward;

/// The strings of a schema: a pattern (if any) and a minimum length in characters.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Text {
    pub pattern: Option<Pattern>,
    pub min_length: usize,
}

impl Text {
    /// Any string.
    pub const ANY: Text = Text { pattern: None, min_length: 0 };
}

/// A pattern as the generator compiled it: steps of one character set each, repeated.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pattern {
    pub anchored_start: bool,
    pub anchored_end: bool,
    pub steps: &'static [Step],
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Step {
    /// These characters, once.
    Literal(&'static str),
    /// Characters of a set, repeated.
    Repeat {
        chars: Chars,
        min: u32,
        /// `None` for unbounded.
        max: Option<u32>,
    },
}

#[derive(Debug, Clone, Copy)]
#[allow(dead_code, reason = "`.` is in the pattern subset, though no schema uses it today")]
pub(crate) enum Chars {
    Ranges(&'static [RangeInclusive<char>]),
    /// ECMA-262 `.`.
    AnyButLineTerminator,
}

/// How many more times than its minimum an unbounded step repeats, at most.
const UNBOUNDED_EXTRA: u32 = 8;

fn is_line_terminator(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
}

/// A character of free text: mostly letters and digits, as identifiers and names are, and
/// sometimes any character at all (an escape, a non-ASCII letter, an emoji).
fn free_char() -> impl Strategy<Value = char> + Clone {
    prop_oneof![
        6 => proptest::char::ranges(Cow::Borrowed(&['a'..='z', '0'..='9', 'A'..='Z', '_'..='_'])),
        2 => proptest::char::range(' ', '~'),
        1 => proptest::char::any(),
    ]
}

fn step_chars(step: &Step) -> BoxedStrategy<String> {
    let (chars, min, max) = match *step {
        Step::Literal(text) => return Just(text.to_owned()).boxed(),
        Step::Repeat { chars, min, max } => (chars, min, max),
    };
    let count = min as usize..=max.unwrap_or(min + UNBOUNDED_EXTRA) as usize;
    let chars = match chars {
        Chars::Ranges(ranges) => proptest::char::ranges(Cow::Borrowed(ranges)).boxed(),
        Chars::AnyButLineTerminator => free_char().prop_map(|c| if is_line_terminator(c) { ' ' } else { c }).boxed(),
    };
    proptest::collection::vec(chars, count).prop_map(String::from_iter).boxed()
}

/// Strings of `text`'s pattern and length.
pub(crate) fn text(text: Text) -> impl Strategy<Value = String> {
    let free = || proptest::collection::vec(free_char(), 0..=6).prop_map(String::from_iter);
    let steps: Vec<BoxedStrategy<String>> =
        text.pattern.iter().flat_map(|pattern| pattern.steps).map(step_chars).collect();
    let padding = proptest::collection::vec(free_char(), text.min_length);
    (free(), steps, free(), padding).prop_map(move |(before, steps, after, padding)| {
        let Some(pattern) = text.pattern else {
            return fill(after, text.min_length, &padding, true);
        };
        let mut matched: String = steps.concat();
        if !pattern.anchored_start {
            matched.insert_str(0, &before);
        }
        if !pattern.anchored_end {
            matched.push_str(&after);
        }
        match (pattern.anchored_start, pattern.anchored_end) {
            (_, false) => fill(matched, text.min_length, &padding, true),
            (false, true) => fill(matched, text.min_length, &padding, false),
            (true, true) => lengthen(matched, &pattern, text.min_length),
        }
    })
}

/// `text` made `min_length` characters long with `padding`, at its end or its start.
fn fill(mut text: String, min_length: usize, padding: &[char], at_end: bool) -> String {
    let missing = min_length.saturating_sub(text.chars().count());
    let padding: String = padding[..missing].iter().collect();
    if at_end {
        text.push_str(&padding);
    } else {
        text.insert_str(0, &padding);
    }
    text
}

/// A match of a pattern anchored at both ends, lengthened by repeating the steps that can
/// repeat more, each with the first character of its set, until it is `min_length` long.
fn lengthen(matched: String, pattern: &Pattern, min_length: usize) -> String {
    let mut missing = min_length.saturating_sub(matched.chars().count());
    if missing == 0 {
        return matched;
    }
    let mut extra = String::new();
    for step in pattern.steps {
        let Step::Repeat { chars, min, max } = *step else { continue };
        let room = max.map_or(usize::MAX, |max| (max - min) as usize);
        let c = match chars {
            Chars::Ranges(ranges) => *ranges[0].start(),
            Chars::AnyButLineTerminator => 'a',
        };
        let added = room.min(missing);
        extra.extend(std::iter::repeat_n(c, added));
        missing -= added;
    }
    // Each step's extra characters go at the end of the match: right for a pattern whose last
    // step is the one that repeats (all of the schemas'); the newtype's check in `valid` would
    // say otherwise.
    matched + &extra
}

/// The events of a type: an envelope of any id and time around `data`, shrinking towards the
/// documented example's `id` and `timestamp`.
pub(crate) fn envelope<D: Strategy>(
    id: &str,
    timestamp: &str,
    data: D,
) -> impl Strategy<Value = crate::Envelope<D::Value>> {
    let id = toward(valid(id), crate::testing::event_id());
    let timestamp = toward(timestamp_at(timestamp), crate::testing::timestamp());
    (id, timestamp, data).prop_map(|(id, timestamp, data)| crate::Envelope { id, timestamp, data })
}

/// A value of a type from a string the generator made for it, which its `FromStr` accepts.
pub(crate) fn valid<T: std::str::FromStr<Err: std::fmt::Debug>>(text: &str) -> T {
    text.parse().unwrap_or_else(|error| panic!("the testing strategies made {text:?}, which is refused: {error:?}"))
}

/// A documented timestamp.
pub(crate) fn timestamp_at(text: &str) -> crate::Timestamp {
    crate::timestamp::parse_rfc3339(text)
        .unwrap_or_else(|| panic!("the documented timestamp {text:?} is not an RFC 3339 date-time"))
}

/// The largest offset RFC 3339 writes: 23:59.
const MAX_OFFSET_MINUTES: i32 = 23 * 60 + 59;

/// RFC 3339 timestamps: mostly of recent years, and the edges of the calendar (years 0000 and
/// 9999, the last day of each month, February 29 of leap years, leap seconds), with and without
/// fractions of a second (up to nanoseconds), in UTC (`Z`) or at any offset.
pub(crate) fn timestamp() -> impl Strategy<Value = crate::Timestamp> {
    let year = prop_oneof![8 => 1970..=2100i32, 1 => 0..=9999i32, 1 => prop_oneof![Just(0), Just(9999)]];
    let day = prop_oneof![4 => 1..=28u32, 1 => Just(31u32)];
    let time = (0..24u32, 0..60u32, 0..60u32);
    let nanos = prop_oneof![
        3 => Just(0u32),
        1 => (0..1000u32).prop_map(|millis| millis * 1_000_000),
        1 => 0..1_000_000_000u32,
    ];
    let offset = prop_oneof![2 => Just(0), 1 => -MAX_OFFSET_MINUTES..=MAX_OFFSET_MINUTES, 1 => (-12..=14i32).prop_map(|hours| hours * 60)];
    let leap = prop::bool::weighted(0.05);
    (year, 1..=12u32, day, time, nanos, offset, leap).prop_map(
        |(year, month, day, (hour, minute, second), nanos, offset, leap)| {
            let date = last_valid_day(year, month, day);
            let offset = FixedOffset::east_opt(offset * 60).expect("offsets are within a day");
            if leap {
                return leap_second(date, nanos, offset);
            }
            let local =
                NaiveDateTime::new(date, NaiveTime::from_hms_nano_opt(hour, minute, second, nanos).expect("in range"));
            in_four_digit_years(local.and_local_timezone(offset).single().expect("a fixed offset is unambiguous"))
        },
    )
}

/// The day of the month, or the month's last day if it has fewer.
fn last_valid_day(year: i32, month: u32, day: u32) -> NaiveDate {
    (0..4).find_map(|back| NaiveDate::from_ymd_opt(year, month, day - back)).expect("every month has 28 days")
}

/// The leap second at the end of `date` in UTC (RFC 3339 allows one only at 23:59:60 UTC),
/// written at `offset`.
fn leap_second(date: NaiveDate, nanos: u32, offset: FixedOffset) -> crate::Timestamp {
    let time = NaiveTime::from_hms_nano_opt(23, 59, 59, 1_000_000_000 + nanos).expect("a leap second");
    in_four_digit_years(DateTime::from_naive_utc_and_offset(NaiveDateTime::new(date, time), offset))
}

/// RFC 3339 writes years 0000 to 9999: an offset that takes the local time out of them is
/// dropped for UTC.
fn in_four_digit_years(timestamp: crate::Timestamp) -> crate::Timestamp {
    if (0..=9999).contains(&timestamp.year()) && (0..=9999).contains(&timestamp.naive_utc().year()) {
        timestamp
    } else {
        timestamp.with_timezone(&FixedOffset::east_opt(0).expect("zero"))
    }
}

/// Absolute URIs (RFC 3986): a scheme, an authority with an optional port, a path of
/// unreserved and percent-encoded characters, and an optional query and fragment.
pub(crate) fn uri() -> impl Strategy<Value = String> {
    let word = |chars: &'static [RangeInclusive<char>], length: RangeInclusive<usize>| {
        proptest::collection::vec(proptest::char::ranges(Cow::Borrowed(chars)), length).prop_map(String::from_iter)
    };
    const LOWER: &[RangeInclusive<char>] = &['a'..='z'];
    const UNRESERVED: &[RangeInclusive<char>] = &['a'..='z', 'A'..='Z', '0'..='9', '-'..='.', '_'..='_', '~'..='~'];
    let scheme = prop_oneof![3 => Just("https".to_owned()), 1 => Just("http".to_owned()), 1 => word(LOWER, 1..=6)];
    let host = proptest::collection::vec(word(LOWER, 1..=10), 1..=3).prop_map(|labels| labels.join("."));
    let port = proptest::option::of(0..=65535u32);
    let segment = prop_oneof![4 => word(UNRESERVED, 0..=12), 1 => any::<u8>().prop_map(|byte| format!("%{byte:02X}"))];
    let path = proptest::collection::vec(segment, 0..=4);
    let query = proptest::option::of(word(UNRESERVED, 0..=10));
    (scheme, host, port, path, query).prop_map(|(scheme, host, port, path, query)| {
        let mut uri = format!("{scheme}://{host}");
        if let Some(port) = port {
            uri += &format!(":{port}");
        }
        for segment in path {
            uri += &format!("/{segment}");
        }
        if let Some(query) = query {
            uri += &format!("?{query}");
        }
        uri
    })
}

/// Integers of a range: mostly small ones from its start, as counts and durations are, and
/// sometimes its bounds or anything in it; shrinking towards its start.
pub(crate) fn integer<T>(range: RangeInclusive<T>) -> impl Strategy<Value = T>
where
    T: Copy + std::fmt::Debug + PartialOrd + TryFrom<i128> + Into<i128> + 'static,
    RangeInclusive<T>: Strategy<Value = T>,
{
    let (low, high) = (*range.start(), *range.end());
    let small_high = T::try_from(low.into().saturating_add(10_000).min(high.into())).unwrap_or(high);
    prop_oneof![6 => low..=small_high, 1 => range, 1 => prop_oneof![Just(low), Just(high)]]
}

/// Lists of `item`s, at least `min_items` long.
pub(crate) fn list<S: Strategy>(item: S, min_items: usize) -> impl Strategy<Value = Vec<S::Value>> {
    proptest::collection::vec(item, min_items..=min_items + 5)
}
