//! RFC 3339 timestamps into `chrono::DateTime<Utc>`, parsed directly from the bytes: the shape
//! the schemas assert (`format: date-time`) is read without chrono's general-purpose parser,
//! which would dominate the cost of parsing an event.

use chrono::{
    DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, SecondsFormat, TimeDelta, Timelike, Utc,
};

/// Parses exactly the RFC 3339 `date-time`s that [`is_date_time`](crate::validation::format::is_date_time)
/// accepts (so `None` for anything else).
pub(crate) fn parse_rfc3339(text: &str) -> Option<DateTime<Utc>> {
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
    let leap = second == 60;
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second.min(59), nanos)?;
    let local = NaiveDateTime::new(date, time);
    let offset_minutes = match bytes[at] {
        b'Z' | b'z' => 0,
        sign => {
            let minutes = i64::from(number(at + 1..at + 3) * 60 + number(at + 4..at + 6));
            if sign == b'+' { minutes } else { -minutes }
        }
    };
    let mut utc = local.checked_sub_signed(TimeDelta::minutes(offset_minutes))?;
    if leap {
        // chrono writes a leap second as second 59 with a nanosecond count of a second or more;
        // the shift above would lose it, so it is put back at 23:59:59 UTC, where it was checked to fall.
        utc = utc.with_nanosecond(1_000_000_000 + nanos)?;
    }
    Some(DateTime::from_naive_utc_and_offset(utc, Utc))
}

/// Serializes a timestamp as RFC 3339: in UTC (`Z`) when its year fits in four digits, which is
/// every real timestamp; otherwise with the largest offset that brings its local year back into
/// 0000..=9999, as the payload it was parsed from must have had (`0000-01-01T00:00:00+01:00` is
/// the year -1 in UTC, which RFC 3339 cannot write).
#[doc(hidden)]
pub fn serialize<S: serde::Serializer>(timestamp: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    const MAX_OFFSET: i32 = 23 * 3600 + 59 * 60;
    let offset = match timestamp.year() {
        0..=9999 => return serde::Serialize::serialize(timestamp, serializer),
        ..0 => FixedOffset::east_opt(MAX_OFFSET),
        _ => FixedOffset::west_opt(MAX_OFFSET),
    };
    let local =
        offset.map(|offset| timestamp.with_timezone(&offset)).filter(|local| (0..=9999).contains(&local.year()));
    match local {
        Some(local) => serializer.collect_str(&local.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
        None => serde::Serialize::serialize(timestamp, serializer),
    }
}

/// A timestamp that serializes with [`serialize`].
pub(crate) struct Rfc3339<'a>(pub &'a DateTime<Utc>);

impl serde::Serialize for Rfc3339<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize(self.0, serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_chrono_on_rfc3339() {
        for text in [
            "2024-01-15T10:30:00Z",
            "2024-01-15t10:30:00z",
            "2024-01-15T10:30:00.123456789Z",
            "2024-01-15T10:30:00.5+02:00",
            "2024-02-29T23:59:59-00:30",
            "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:59-23:59",
        ] {
            assert_eq!(parse_rfc3339(text), DateTime::parse_from_rfc3339(text).ok().map(|t| t.to_utc()), "{text}");
        }
    }

    #[test]
    fn keeps_leap_seconds_and_long_fractions() {
        let leap = parse_rfc3339("1998-12-31T15:59:60.123-08:00").unwrap();
        assert_eq!(leap.to_rfc3339(), "1998-12-31T23:59:60.123+00:00");
        let long = parse_rfc3339("2024-01-15T10:30:00.1234567891234Z").unwrap();
        assert_eq!(long.timestamp_subsec_nanos(), 123_456_789);
    }

    #[test]
    fn years_beyond_four_digits_in_utc_are_written_with_an_offset() {
        for text in ["0000-01-01T00:00:00+01:00", "9999-12-31T23:59:59-23:59", "2024-01-15T10:30:00Z"] {
            let timestamp = parse_rfc3339(text).unwrap();
            let written = serialize(&timestamp, serde_json::value::Serializer).unwrap();
            let written = written.as_str().unwrap();
            assert!(crate::validation::format::is_date_time(written), "{text} written as {written}");
            assert_eq!(parse_rfc3339(written), Some(timestamp), "{text} written as {written}");
        }
    }

    #[test]
    fn refuses_what_is_not_rfc3339() {
        for text in ["2024-01-15 10:30:00Z", "2024-02-30T00:00:00Z", "2024-01-15T10:30:00", ""] {
            assert_eq!(parse_rfc3339(text), None, "{text}");
        }
    }
}
