//! RFC 3339 timestamps into `chrono::DateTime<FixedOffset>`, parsed directly from the bytes: the
//! shape the schemas assert (`format: date-time`) is read without chrono's general-purpose parser,
//! which would dominate the cost of parsing an event. The offset is kept as written, so that an
//! event serializes back with the timestamps it was sent with; equality and order compare the
//! instants.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, SecondsFormat};

/// Parses exactly the RFC 3339 `date-time`s that [`is_date_time`](crate::validation::format::is_date_time)
/// accepts (so `None` for anything else), keeping the offset as written (`Z`, `z`, `+00:00` and
/// `-00:00` are all the offset zero).
pub(crate) fn parse_rfc3339(text: &str) -> Option<DateTime<FixedOffset>> {
    if !crate::validation::format::is_date_time(text) {
        return None;
    }
    let bytes = text.as_bytes();
    let number = |range: std::ops::Range<usize>| -> u32 {
        bytes[range].iter().fold(0, |value, &b| value * 10 + u32::from(b - b'0'))
    };
    let date = NaiveDate::from_ymd_opt(number(0..4) as i32, number(5..7), number(8..10))?;
    let (hour, minute, second) = (number(11..13), number(14..16), number(17..19));
    let mut at = 19;
    let mut nanos = 0u32;
    if bytes[at] == b'.' {
        let digits = bytes[at + 1..].iter().take_while(|b| b.is_ascii_digit()).count();
        // Beyond nanoseconds, digits are dropped: chrono holds no more.
        for (place, &b) in bytes[at + 1..at + 1 + digits.min(9)].iter().enumerate() {
            nanos += u32::from(b - b'0') * 10u32.pow(8 - place as u32);
        }
        at += 1 + digits;
    }
    // chrono writes a leap second as second 59 with a nanosecond count of a second or more, and
    // keeps it through the shift by the offset, so that it is written back as the local `:60`.
    let time = match second {
        60 => NaiveTime::from_hms_nano_opt(hour, minute, 59, 1_000_000_000 + nanos)?,
        _ => NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?,
    };
    let offset_seconds = match bytes[at] {
        b'Z' | b'z' => 0,
        sign => {
            let seconds = (number(at + 1..at + 3) * 60 + number(at + 4..at + 6)) as i32 * 60;
            if sign == b'+' { seconds } else { -seconds }
        }
    };
    let offset = FixedOffset::east_opt(offset_seconds)?;
    NaiveDateTime::new(date, time).and_local_timezone(offset).single()
}

/// Serializes a timestamp as RFC 3339 in its own offset, `Z` when the offset is zero (chrono's
/// `to_rfc3339_opts(SecondsFormat::AutoSi, true)`), which gives back the text of every timestamp
/// parsed by [`parse_rfc3339`] but for its fraction of a second (written with 0, 3, 6 or 9
/// digits), a lowercase `t` or `z`, and the offsets `+00:00` and `-00:00` (written `Z`).
///
/// A timestamp whose local year does not fit in four digits, which only a value built in Rust can
/// have, is written in UTC if its year fits there, else with the largest offset that brings its
/// local year back into 0000..=9999 (the year -1 in UTC at 23:30 is `0000-01-01T23:29:00+23:59`),
/// else as chrono writes it.
#[doc(hidden)]
pub fn serialize<S: serde::Serializer>(timestamp: &DateTime<FixedOffset>, serializer: S) -> Result<S::Ok, S::Error> {
    const MAX_OFFSET: i32 = 23 * 3600 + 59 * 60;
    let in_range = |local: &DateTime<FixedOffset>| (0..=9999).contains(&local.year());
    if in_range(timestamp) {
        // chrono's `Serialize` is `to_rfc3339_opts(SecondsFormat::AutoSi, true)`, without the String.
        return serde::Serialize::serialize(timestamp, serializer);
    }
    let utc = FixedOffset::east_opt(0).expect("the offset zero");
    let largest = if timestamp.to_utc().year() < 0 { MAX_OFFSET } else { -MAX_OFFSET };
    let local = [utc, FixedOffset::east_opt(largest).expect("an offset within a day")]
        .into_iter()
        .map(|offset| timestamp.with_timezone(&offset))
        .find(in_range);
    match local {
        Some(local) => serializer.collect_str(&local.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
        None => serde::Serialize::serialize(timestamp, serializer),
    }
}

/// A timestamp that serializes with [`serialize`].
pub(crate) struct Rfc3339<'a>(pub &'a DateTime<FixedOffset>);

impl serde::Serialize for Rfc3339<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize(self.0, serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text a timestamp serializes to.
    fn written(timestamp: &DateTime<FixedOffset>) -> String {
        let written = serialize(timestamp, serde_json::value::Serializer).unwrap();
        written.as_str().unwrap().to_owned()
    }

    #[test]
    fn agrees_with_chrono_on_rfc3339_and_keeps_the_offset() {
        for text in [
            "2024-01-15T10:30:00Z",
            "2024-01-15t10:30:00z",
            "2024-01-15T10:30:00.123456789Z",
            "2024-01-15T10:30:00.5+02:00",
            "2024-02-29T23:59:59-00:30",
            "2024-02-29T23:59:59+00:00",
            "2024-02-29T23:59:59-00:00",
            "0000-01-01T00:00:00Z",
            "0000-01-01T00:00:00+01:00",
            "9999-12-31T23:59:59-23:59",
            "1998-12-31T23:59:60Z",
            "1998-12-31T15:59:60.123-08:00",
            "1999-01-01T09:29:60+09:30",
        ] {
            let ours = parse_rfc3339(text).unwrap_or_else(|| panic!("{text}"));
            let chrono = DateTime::parse_from_rfc3339(text).unwrap();
            // `==` compares instants only.
            assert_eq!((ours, ours.offset()), (chrono, chrono.offset()), "{text}");
            assert_eq!(ours.naive_local(), chrono.naive_local(), "{text}");
        }
    }

    /// The instant and offset read, against chrono's parser, on every day of
    /// years at the calendar's edges (leap and common, 0000 and 9999, around the epoch) in offsets
    /// that move the instant across a day, a year and the year 0.
    #[test]
    fn agrees_with_chrono_on_every_day_of_the_edge_years_in_every_kind_of_offset() {
        let mut compared = 0;
        for year in [0, 1, 4, 99, 100, 400, 1900, 1969, 1970, 1972, 2000, 2024, 2100, 9999] {
            for month in 1..=12 {
                for day in 1..=31 {
                    for (time, offset) in [
                        ("00:00:00", "Z"),
                        ("23:59:59.999999999", "-23:59"),
                        ("00:00:00.5", "+23:59"),
                        ("12:30:15", "+05:30"),
                        ("23:59:60", "Z"),
                        ("23:29:60.25", "-00:30"),
                        ("00:29:60", "-00:30"),
                    ] {
                        let text = format!("{year:04}-{month:02}-{day:02}T{time}{offset}");
                        let ours = parse_rfc3339(&text);
                        if !crate::validation::format::is_date_time(&text) {
                            // Not a day of the month, or a leap second that is not 23:59:60 in UTC.
                            assert_eq!(ours, None, "{text}");
                            continue;
                        }
                        let chrono = DateTime::parse_from_rfc3339(&text).ok();
                        let seen = |t: DateTime<FixedOffset>| (t, t.offset().local_minus_utc(), t.naive_local());
                        assert_eq!(ours.map(seen), chrono.map(seen), "{text}");
                        compared += 1;
                    }
                }
            }
        }
        // Every day of 14 years in 6 of the 7 forms (the 7th is never a leap second in UTC).
        assert!(compared >= 14 * 365 * 6, "{compared} timestamps compared");
    }

    #[test]
    fn the_offset_zero_is_written_in_four_ways_and_read_as_one() {
        for text in
            ["2024-01-15T10:30:00Z", "2024-01-15T10:30:00z", "2024-01-15T10:30:00+00:00", "2024-01-15T10:30:00-00:00"]
        {
            let timestamp = parse_rfc3339(text).unwrap();
            assert_eq!(timestamp.offset().local_minus_utc(), 0, "{text}");
            assert_eq!(written(&timestamp), "2024-01-15T10:30:00Z", "{text}");
        }
    }

    #[test]
    fn keeps_leap_seconds_in_their_offset_and_long_fractions() {
        let leap = parse_rfc3339("1998-12-31T15:59:60.123-08:00").unwrap();
        assert_eq!(leap.to_rfc3339(), "1998-12-31T15:59:60.123-08:00");
        assert_eq!(written(&leap), "1998-12-31T15:59:60.123-08:00");
        // The same instant as the leap second written in UTC, which chrono holds as 23:59:59 UTC
        // with a nanosecond count of a second or more.
        let in_utc = parse_rfc3339("1998-12-31T23:59:60.123Z").unwrap();
        assert_eq!(leap, in_utc);
        assert_eq!(leap.naive_utc(), in_utc.naive_utc());
        assert_eq!(in_utc.naive_utc().and_utc().timestamp_subsec_nanos(), 1_123_000_000);
        assert_eq!(leap.with_timezone(&chrono::Utc).to_rfc3339(), "1998-12-31T23:59:60.123+00:00");
        assert_eq!(written(&parse_rfc3339("1999-01-01T09:29:60+09:30").unwrap()), "1999-01-01T09:29:60+09:30");
        let long = parse_rfc3339("2024-01-15T10:30:00.1234567891234Z").unwrap();
        assert_eq!(long.timestamp_subsec_nanos(), 123_456_789);
    }

    #[test]
    fn serializes_in_its_own_offset_as_chrono_writes_rfc3339() {
        for text in [
            "2024-01-15T10:30:00Z",
            "2024-01-15T10:30:00.500+02:00",
            "2024-01-15T10:30:00.123456-05:30",
            "2024-01-15T10:30:00.123456789+14:00",
            "1998-12-31T15:59:60.123-08:00",
            "0000-01-01T00:00:00+01:00",
            "9999-12-31T23:59:59-23:59",
        ] {
            let timestamp = parse_rfc3339(text).unwrap();
            assert_eq!(written(&timestamp), text);
            assert_eq!(written(&timestamp), timestamp.to_rfc3339_opts(SecondsFormat::AutoSi, true));
        }
    }

    #[test]
    fn years_beyond_four_digits_in_their_offset_are_written_with_another() {
        let offset = |hours: i32| FixedOffset::east_opt(hours * 3600).unwrap();
        let utc = |year: i32, month: u32, day: u32, hour: u32, minute: u32| {
            NaiveDate::from_ymd_opt(year, month, day).unwrap().and_hms_opt(hour, minute, 0).unwrap().and_utc()
        };
        for (timestamp, expected) in [
            // The year -1 in UTC: 0000 only with an offset east of it.
            (utc(-1, 12, 31, 23, 30).fixed_offset(), "0000-01-01T23:29:00+23:59"),
            // The year 10000 in UTC: 9999 only with an offset west of it.
            (utc(10000, 1, 1, 0, 30).fixed_offset(), "9999-12-31T00:31:00-23:59"),
            // Out of range in its own offset, in range in UTC.
            (utc(9999, 12, 31, 20, 0).with_timezone(&offset(5)), "9999-12-31T20:00:00Z"),
            (utc(0, 1, 1, 3, 0).with_timezone(&offset(-5)), "0000-01-01T03:00:00Z"),
        ] {
            assert_eq!(written(&timestamp), expected);
            assert_eq!(parse_rfc3339(expected), Some(timestamp), "{expected}");
        }
        for text in ["0000-01-01T00:00:00+01:00", "9999-12-31T23:59:59-23:59", "2024-01-15T10:30:00Z"] {
            let timestamp = parse_rfc3339(text).unwrap();
            assert_eq!(written(&timestamp), text);
        }
        // Beyond what any offset brings back, chrono's own writing.
        let far = utc(10001, 6, 1, 0, 0).fixed_offset();
        assert_eq!(written(&far), far.to_rfc3339_opts(SecondsFormat::AutoSi, true));
    }

    #[test]
    fn the_same_instant_in_two_offsets_is_equal_and_ordered_by_instant() {
        let in_paris = parse_rfc3339("2024-01-15T12:30:00+02:00").unwrap();
        let in_utc = parse_rfc3339("2024-01-15T10:30:00Z").unwrap();
        let earlier_in_tokyo = parse_rfc3339("2024-01-15T19:29:59+09:00").unwrap();
        assert_eq!(in_paris, in_utc);
        assert_eq!(in_paris.cmp(&in_utc), std::cmp::Ordering::Equal);
        assert_ne!(written(&in_paris), written(&in_utc));
        // Earlier as an instant, though its local clock reads later.
        assert!(earlier_in_tokyo < in_paris && earlier_in_tokyo < in_utc);
        assert!(earlier_in_tokyo.naive_local() > in_paris.naive_local());
    }

    #[test]
    fn refuses_what_is_not_rfc3339() {
        for text in
            ["2024-01-15 10:30:00Z", "2024-02-30T00:00:00Z", "2024-01-15T10:30:00", "1998-12-31T23:59:60+01:00", ""]
        {
            assert_eq!(parse_rfc3339(text), None, "{text}");
        }
    }
}
