//! The `format`s the schemas assert, checked directly on the bytes: RFC 3339 `date-time` and
//! RFC 3986 `uri`.

/// Whether `text` is an RFC 3339 `date-time`: `YYYY-MM-DD`, `T` (or `t`), `HH:MM:SS`, optional
/// fraction, then `Z` (or `z`) or `+HH:MM`/`-HH:MM`. Days are checked against the month and leap
/// years; a leap second (`:60`) is accepted only where it falls at 23:59 UTC.
pub fn is_date_time(text: &str) -> bool {
    let bytes = text.as_bytes();
    // `YYYY-MM-DDTHH:MM:SS` is 19 fixed positions, then at least one byte of offset.
    let Some((fixed, rest)) = bytes.split_first_chunk::<19>() else {
        return false;
    };
    if !fixed_positions_are_valid(fixed) {
        return false;
    }
    // Two digits read as a big-endian `u16` compare as the number they write, so the ranges are
    // checked without converting: `b"01"` stands for 1 and `b"59"` for 59.
    let two = |at: usize| u16::from_be_bytes([fixed[at], fixed[at + 1]]);
    let number = |digits: &[u8; 2]| u16::from_be_bytes(*digits);
    let (month, day, hour, minute, second) = (two(5), two(8), two(11), two(14), two(17));
    if !(number(b"01")..=number(b"12")).contains(&month)
        || !(number(b"01")..=number(b"31")).contains(&day)
        || hour > number(b"23")
        || minute > number(b"59")
        || second > number(b"60")
    {
        return false;
    }
    // Nearly every timestamp is settled here: a day every month has, no leap second, in UTC.
    if day <= number(b"28") && second < number(b"60") && matches!(rest, [b'Z' | b'z']) {
        return true;
    }
    calendar_and_offset_are_valid(fixed, rest)
}

/// The rest of [`is_date_time`], once the fixed positions are known to be digits and separators
/// in range: the day against the month, the fraction and offset, and a leap second. Out of line,
/// so that the common case above stays short.
#[cold]
#[inline(never)]
fn calendar_and_offset_are_valid(fixed: &[u8; 19], rest: &[u8]) -> bool {
    if !day_exists(fixed) {
        return false;
    }
    let Some(offset_minutes) = utc_offset_minutes(rest) else {
        return false;
    };
    if &fixed[17..19] == b"60" {
        let minutes_of_day = (digits_value(&fixed[11..13]) * 60 + digits_value(&fixed[14..16])) as i32;
        return (minutes_of_day - offset_minutes).rem_euclid(24 * 60) == 23 * 60 + 59;
    }
    true
}

/// Whether the day of `YYYY-MM-DD` exists, given its month and (for February) its year.
fn day_exists(fixed: &[u8; 19]) -> bool {
    let year = digits_value(&fixed[..4]);
    let leap_year = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    let days_in_month = match digits_value(&fixed[5..7]) {
        4 | 6 | 9 | 11 => 30,
        2 if leap_year => 29,
        2 => 28,
        _ => 31,
    };
    digits_value(&fixed[8..10]) <= days_in_month
}

/// Minutes east of UTC of what follows the seconds: an optional fraction, then `Z` or
/// `+HH:MM`/`-HH:MM`; `None` if it is neither.
fn utc_offset_minutes(rest: &[u8]) -> Option<i32> {
    let offset = match rest {
        [b'.', fraction @ ..] => {
            let digits = fraction.iter().take_while(|b| b.is_ascii_digit()).count();
            if digits == 0 {
                return None;
            }
            &fraction[digits..]
        }
        _ => rest,
    };
    match *offset {
        [b'Z' | b'z'] => Some(0),
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let hours = two_digits(h1, h2).filter(|&hours| hours <= 23)?;
            let minutes = two_digits(m1, m2).filter(|&minutes| minutes <= 59)?;
            let minutes = (hours * 60 + minutes) as i32;
            Some(if sign == b'+' { minutes } else { -minutes })
        }
        _ => None,
    }
}

/// The value of ASCII digits already known to be digits.
fn digits_value(digits: &[u8]) -> u32 {
    digits.iter().fold(0, |value, &digit| value * 10 + u32::from(digit - b'0'))
}

/// Whether `YYYY-MM-DDTHH:MM:SS` has a digit at each digit position and the right separators
/// between them. It is the hot part of every timestamp check, so it tests eight bytes at a
/// time: the 19 bytes are read as three overlapping little-endian words.
fn fixed_positions_are_valid(fixed: &[u8; 19]) -> bool {
    /// One word: which of its bytes are digits, and what the others must be.
    struct Shape {
        digits: u64,
        separators: u64,
        /// Bits set in the input before comparing separators: `T` and `t` are both allowed.
        fold_case: u64,
    }
    const fn shape(layout: &[u8; 8]) -> Shape {
        let (mut digits, mut separators, mut fold_case) = (0u64, 0u64, 0u64);
        let mut at = 0;
        while at < 8 {
            let shift = 8 * at;
            match layout[at] {
                b'9' => digits |= 0xFF << shift,
                b'T' => {
                    separators |= (b't' as u64) << shift;
                    fold_case |= 0x20 << shift;
                }
                separator => separators |= (separator as u64) << shift,
            }
            at += 1;
        }
        Shape { digits, separators, fold_case }
    }
    const WORDS: [(usize, Shape); 3] = [(0, shape(b"9999-99-")), (8, shape(b"99T99:99")), (11, shape(b"99:99:99"))];
    const BYTES: u64 = 0x0101_0101_0101_0101;
    let mut wrong = 0;
    for (at, shape) in &WORDS {
        let word = u64::from_le_bytes(*fixed[*at..].first_chunk::<8>().expect("19 bytes hold 8 from 11"));
        // A digit byte minus `0` is 0..=9: its high nibble is clear, and adding 6 does not
        // carry into bit 4. Any other byte fails one of the two.
        let value = (word & shape.digits) ^ ((0x30 * BYTES) & shape.digits);
        wrong |= value & ((0xF0 * BYTES) & shape.digits);
        wrong |= value.wrapping_add((0x06 * BYTES) & shape.digits) & ((0x10 * BYTES) & shape.digits);
        wrong |= ((word | shape.fold_case) & !shape.digits) ^ shape.separators;
    }
    wrong == 0
}

/// The value of two ASCII digits.
fn two_digits(tens: u8, units: u8) -> Option<u32> {
    (tens.is_ascii_digit() && units.is_ascii_digit()).then(|| u32::from(tens - b'0') * 10 + u32::from(units - b'0'))
}

// RFC 3986 character classes.
const UNRESERVED_OR_SUB_DELIM: u8 = 1;
const COLON: u8 = 2;
const AT: u8 = 4;
const SLASH: u8 = 8;
const QUESTION: u8 = 16;
const PERCENT: u8 = 32;
const PCHAR: u8 = UNRESERVED_OR_SUB_DELIM | COLON | AT;
const PATH: u8 = PCHAR | SLASH;
const QUERY_OR_FRAGMENT: u8 = PATH | QUESTION;
const USERINFO: u8 = UNRESERVED_OR_SUB_DELIM | COLON;

const CLASSES: [u8; 256] = {
    let mut table = [0; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        table[b] = match byte {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => UNRESERVED_OR_SUB_DELIM,
            b'-' | b'.' | b'_' | b'~' => UNRESERVED_OR_SUB_DELIM,
            b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'=' => UNRESERVED_OR_SUB_DELIM,
            b':' => COLON,
            b'@' => AT,
            b'/' => SLASH,
            b'?' => QUESTION,
            b'%' => PERCENT,
            _ => 0,
        };
        b += 1;
    }
    table
};

/// Whether `text` is an RFC 3986 URI: a scheme, then a hierarchical part, an optional query and
/// an optional fragment (relative references are not URIs).
pub fn is_uri(text: &str) -> bool {
    let bytes = text.as_bytes();
    let Some(scheme) = scheme_length(bytes) else { return false };
    let mut at = scheme + 1;
    if bytes[at..].starts_with(b"//") {
        let start = at + 2;
        // Most authorities are a host name and perhaps a port, read in one pass: a run of
        // unreserved characters, then `:` and digits. Anything else is parsed in full below.
        let mut end = bytes[start..]
            .iter()
            .position(|&b| CLASSES[usize::from(b)] & UNRESERVED_OR_SUB_DELIM == 0)
            .map_or(bytes.len(), |n| start + n);
        if bytes.get(end) == Some(&b':') {
            end += 1 + bytes[end + 1..].iter().take_while(|b| b.is_ascii_digit()).count();
        }
        at = if matches!(bytes.get(end), None | Some(b'/' | b'?' | b'#')) {
            end
        } else {
            let end =
                bytes[start..].iter().position(|b| matches!(b, b'/' | b'?' | b'#')).map_or(bytes.len(), |n| start + n);
            if !is_authority(&bytes[start..end]) {
                return false;
            }
            end
        };
    }
    let Some(end) = scan(bytes, at, PATH) else { return false };
    at = end;
    if bytes.get(at) == Some(&b'?') {
        let Some(end) = scan(bytes, at + 1, QUERY_OR_FRAGMENT) else { return false };
        at = end;
    }
    if bytes.get(at) == Some(&b'#') {
        let Some(end) = scan(bytes, at + 1, QUERY_OR_FRAGMENT) else { return false };
        at = end;
    }
    at == bytes.len()
}

/// `ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )` before the first `:`.
fn scheme_length(bytes: &[u8]) -> Option<usize> {
    if !bytes.first()?.is_ascii_alphabetic() {
        return None;
    }
    let length = bytes.iter().position(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')))?;
    (bytes[length] == b':').then_some(length)
}

/// The end of the run of bytes in `class`, percent-encodings included; `None` on a broken one.
fn scan(bytes: &[u8], mut at: usize, class: u8) -> Option<usize> {
    loop {
        // The plain bytes up to the next one outside the class, in one tight loop.
        let run = bytes[at..].iter().position(|&b| CLASSES[usize::from(b)] & class == 0);
        let Some(run) = run else { return Some(bytes.len()) };
        at += run;
        if CLASSES[usize::from(bytes[at])] != PERCENT {
            return Some(at);
        }
        if !bytes.get(at + 1..at + 3)?.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        at += 3;
    }
}

/// `[ userinfo "@" ] host [ ":" port ]`.
fn is_authority(bytes: &[u8]) -> bool {
    let host_and_port = match bytes.iter().rposition(|&b| b == b'@') {
        Some(at) => {
            let userinfo = &bytes[..at];
            if scan(userinfo, 0, USERINFO) != Some(userinfo.len()) {
                return false;
            }
            &bytes[at + 1..]
        }
        None => bytes,
    };
    let (host, port) = if host_and_port.first() == Some(&b'[') {
        let Some(close) = host_and_port.iter().position(|&b| b == b']') else { return false };
        if !is_ip_literal(&host_and_port[1..close]) {
            return false;
        }
        match &host_and_port[close + 1..] {
            [] => return true,
            [b':', port @ ..] => (None, port),
            _ => return false,
        }
    } else {
        match host_and_port.iter().position(|&b| b == b':') {
            Some(colon) => (Some(&host_and_port[..colon]), &host_and_port[colon + 1..]),
            None => (Some(host_and_port), &[][..]),
        }
    };
    // A reg-name (which includes IPv4 addresses): unreserved, sub-delims and percent-encodings.
    let host_is_valid = host.is_none_or(|host| scan(host, 0, UNRESERVED_OR_SUB_DELIM) == Some(host.len()));
    host_is_valid && port.iter().all(u8::is_ascii_digit)
}

/// `IPv6address / IPvFuture`, between the brackets.
fn is_ip_literal(bytes: &[u8]) -> bool {
    if let [b'v' | b'V', rest @ ..] = bytes {
        let Some(dot) = rest.iter().position(|&b| b == b'.') else { return false };
        let (version, address) = (&rest[..dot], &rest[dot + 1..]);
        return !version.is_empty()
            && version.iter().all(u8::is_ascii_hexdigit)
            && !address.is_empty()
            && address.iter().all(|&b| CLASSES[usize::from(b)] & (UNRESERVED_OR_SUB_DELIM | COLON) != 0);
    }
    // RFC 3986 `IPv6address` is the grammar the standard library reads: eight groups of one to
    // four hex digits, `::` once for one or more zero groups, the last two groups optionally an
    // IPv4 address without leading zeros. It allocates nothing.
    std::str::from_utf8(bytes).is_ok_and(|text| text.parse::<std::net::Ipv6Addr>().is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_times() {
        for valid in [
            "2024-01-15T10:30:00Z",
            "2024-01-15t10:30:00z",
            "2024-01-15T10:30:00.123456789012Z",
            "2024-02-29T00:00:00+14:00",
            "1998-12-31T23:59:60Z",
            "1998-12-31T15:59:60.123-08:00",
            "0000-01-01T00:00:00Z",
        ] {
            assert!(is_date_time(valid), "{valid}");
        }
        for invalid in [
            "2024-01-15",
            "2024-01-15 10:30:00Z",
            "2023-02-29T00:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-01-15T10:30:00",
            "2024-01-15T10:30:00.Z",
            "2024-01-15T24:00:00Z",
            "1998-12-31T22:59:60Z",
            "2024-01-15T10:30:00+0100",
            "2024-01-15T10:30:00+24:00",
            "2024-01-15T10:30:00Z ",
            "２024-01-15T10:30:00Z",
        ] {
            assert!(!is_date_time(invalid), "{invalid}");
        }
    }

    /// Every day number of every month, in common, leap and century years, against chrono's
    /// calendar; and every hour, minute and second number, with both kinds of offset.
    #[test]
    fn calendar_and_clock_ranges_agree_with_chrono() {
        for year in [1900, 1999, 2000, 2023, 2024, 2100, 0, 9999] {
            for month in 0..=13 {
                for day in 0..=32 {
                    let text = format!("{year:04}-{month:02}-{day:02}T12:00:00Z");
                    let exists = chrono::NaiveDate::from_ymd_opt(year, month, day).is_some();
                    assert_eq!(is_date_time(&text), exists, "{text}");
                }
            }
        }
        for (hour, minute, second) in
            (0..=25).flat_map(|h| (0..=61).flat_map(move |m| [0, 59, 60, 61].map(|s| (h, m, s))))
        {
            for offset in ["Z", "+00:00", ".5-00:30"] {
                let text = format!("2024-06-30T{hour:02}:{minute:02}:{second:02}{offset}");
                let in_range = hour <= 23 && minute <= 59 && second <= 60;
                // A leap second is allowed only at 23:59:60 UTC.
                let leap_second_ok = second != 60
                    || (offset != ".5-00:30" && hour == 23 && minute == 59)
                    || (offset == ".5-00:30" && hour == 23 && minute == 29);
                assert_eq!(is_date_time(&text), in_range && leap_second_ok, "{text}");
            }
        }
    }

    /// The word-at-a-time shape test against the plain reading of each position, for every byte
    /// value at every position of a valid timestamp, alone and in pairs of positions.
    #[test]
    fn fixed_positions_agree_with_a_byte_by_byte_reading() {
        const LAYOUT: &[u8; 19] = b"9999-99-99T99:99:99";
        let byte_is_valid = |at: usize, byte: u8| match LAYOUT[at] {
            b'9' => byte.is_ascii_digit(),
            b'T' => matches!(byte, b'T' | b't'),
            separator => byte == separator,
        };
        let base = *b"2024-01-15T10:30:00";
        assert!(fixed_positions_are_valid(&base));
        let mut checked = 0;
        for at in 0..19 {
            for byte in 0..=255u8 {
                let mut input = base;
                input[at] = byte;
                assert_eq!(fixed_positions_are_valid(&input), byte_is_valid(at, byte), "{:?}", input.escape_ascii());
                // A second position changed too, with a byte near the digit range, where the
                // arithmetic would carry if it could.
                for (other, other_byte) in [(0, b'/'), (5, b':'), (12, 0xFF), (18, 0x3A), (8, b'0')] {
                    let mut input = input;
                    input[other] = other_byte;
                    let expected = (0..19).all(|position| byte_is_valid(position, input[position]));
                    assert_eq!(fixed_positions_are_valid(&input), expected, "{:?}", input.escape_ascii());
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 19 * 256 * 5);
    }

    #[test]
    fn uris() {
        for valid in [
            "https://api.audian.com:8443/v2/recordings/rec_abc123/download",
            "urn:isbn:0451450523",
            "http://[::1]:80/x?y#z",
            "http://[::1.2.3.4]/",
            "http://[1:2:3:4:5:6:7:8]/",
            "http://[::]/",
            "http://[v1.fe]/",
            "http:///no-host",
            "http://host:/",
            "http://a.b-c_d~e!$&'()*+,;=f/",
            "mailto:a@b.c",
            "http://user:pw@host/%20",
            "a:",
        ] {
            assert!(is_uri(valid), "{valid}");
        }
        for invalid in [
            "/v2/x",
            "not a uri",
            "http://a b",
            "http://host:80x/",
            "http://[::1",
            "http://%zz/",
            "1http://a",
            "",
            // Each refused by the reference validator too: an IPv4 part only at the end, without
            // leading zeros, and `::` for at least one group.
            "http://[1.2.3.4::]/",
            "http://[::ffff:01.2.3.4]/",
            "http://[1:2:3:4:5:6:7::8]/",
            "http://[1::2::3]/",
            "http://[1.2.3.4]/",
            "http://ho^st/",
        ] {
            assert!(!is_uri(invalid), "{invalid}");
        }
    }
}
