//! The `format`s the schemas assert, checked directly on the bytes: RFC 3339 `date-time` and
//! RFC 3986 `uri`.

/// Whether `text` is an RFC 3339 `date-time`: `YYYY-MM-DD`, `T` (or `t`), `HH:MM:SS`, optional
/// fraction, then `Z` (or `z`) or `+HH:MM`/`-HH:MM`. Days are checked against the month and leap
/// years; a leap second (`:60`) is accepted only where it falls at 23:59 UTC.
pub fn is_date_time(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.len() < 20 || !matches!(bytes[10], b'T' | b't') {
        return false;
    }
    is_full_date(&bytes[..10]) && is_full_time(&bytes[11..])
}

fn is_full_date(bytes: &[u8]) -> bool {
    if bytes[4] != b'-' || bytes[7] != b'-' {
        return false;
    }
    let (Some(year), Some(month), Some(day)) = (digits(&bytes[..4]), digits(&bytes[5..7]), digits(&bytes[8..10]))
    else {
        return false;
    };
    let leap_year = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap_year => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days_in_month).contains(&day)
}

fn is_full_time(bytes: &[u8]) -> bool {
    if bytes.len() < 9 || bytes[2] != b':' || bytes[5] != b':' {
        return false;
    }
    let (Some(hour), Some(minute), Some(second)) = (digits(&bytes[..2]), digits(&bytes[3..5]), digits(&bytes[6..8]))
    else {
        return false;
    };
    if hour > 23 || minute > 59 || second > 60 {
        return false;
    }
    let mut at = 8;
    if bytes[at] == b'.' {
        let fraction = bytes[at + 1..].iter().take_while(|b| b.is_ascii_digit()).count();
        if fraction == 0 {
            return false;
        }
        at += 1 + fraction;
    }
    let offset = &bytes[at..];
    // Minutes east of UTC.
    let offset_minutes: i32 = match offset {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let (Some(hours), Some(minutes)) = (digits(&[*h1, *h2]), digits(&[*m1, *m2])) else {
                return false;
            };
            if hours > 23 || minutes > 59 {
                return false;
            }
            let minutes = (hours * 60 + minutes) as i32;
            if *sign == b'+' { minutes } else { -minutes }
        }
        _ => return false,
    };
    if second == 60 {
        let utc = ((hour * 60 + minute) as i32 - offset_minutes).rem_euclid(24 * 60);
        return utc == 23 * 60 + 59;
    }
    true
}

/// The value of a run of ASCII digits.
fn digits(bytes: &[u8]) -> Option<u32> {
    bytes.iter().try_fold(0u32, |value, &b| b.is_ascii_digit().then(|| value * 10 + u32::from(b - b'0')))
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
        let end =
            bytes[start..].iter().position(|b| matches!(b, b'/' | b'?' | b'#')).map_or(bytes.len(), |n| start + n);
        if !is_authority(&bytes[start..end]) {
            return false;
        }
        at = end;
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
    while let Some(&b) = bytes.get(at) {
        let found = CLASSES[usize::from(b)];
        if found & class != 0 {
            at += 1;
        } else if found == PERCENT {
            if !bytes.get(at + 1..at + 3)?.iter().all(u8::is_ascii_hexdigit) {
                return None;
            }
            at += 3;
        } else {
            break;
        }
    }
    Some(at)
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
    is_ipv6(bytes)
}

/// RFC 3986 `IPv6address`: eight groups of 1-4 hex digits, `::` once for a run of zero groups,
/// the last two groups optionally an IPv4 address with no leading zeros.
fn is_ipv6(bytes: &[u8]) -> bool {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(_) => return false,
    };
    let (head, tail, compressed) = match text.split_once("::") {
        Some((head, tail)) => (head, tail, true),
        None => (text, "", false),
    };
    let mut groups = 0;
    let parts = |part: &str| -> Option<Vec<String>> {
        if part.is_empty() { Some(Vec::new()) } else { Some(part.split(':').map(str::to_owned).collect()) }
    };
    let (Some(head), Some(tail)) = (parts(head), parts(tail)) else { return false };
    let all: Vec<&String> = head.iter().chain(tail.iter()).collect();
    for (index, group) in all.iter().enumerate() {
        let last = index + 1 == all.len();
        if last && group.contains('.') {
            if !is_ipv4(group) {
                return false;
            }
            groups += 2;
        } else if (1..=4).contains(&group.len()) && group.bytes().all(|b| b.is_ascii_hexdigit()) {
            groups += 1;
        } else {
            return false;
        }
    }
    if compressed { groups <= 7 } else { groups == 8 }
}

/// RFC 3986 `IPv4address`: four decimal octets, no leading zeros.
fn is_ipv4(text: &str) -> bool {
    let octets: Vec<&str> = text.split('.').collect();
    octets.len() == 4
        && octets.iter().all(|octet| {
            !octet.is_empty()
                && octet.len() <= 3
                && octet.bytes().all(|b| b.is_ascii_digit())
                && (octet.len() == 1 || !octet.starts_with('0'))
                && octet.parse::<u16>().is_ok_and(|value| value <= 255)
        })
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

    #[test]
    fn uris() {
        for valid in [
            "https://api.audian.com:8443/v2/recordings/rec_abc123/download",
            "urn:isbn:0451450523",
            "http://[::1]:80/x?y#z",
            "http://[v1.fe]/",
            "mailto:a@b.c",
            "http://user:pw@host/%20",
            "a:",
        ] {
            assert!(is_uri(valid), "{valid}");
        }
        for invalid in
            ["/v2/x", "not a uri", "http://a b", "http://host:80x/", "http://[::1", "http://%zz/", "1http://a", ""]
        {
            assert!(!is_uri(invalid), "{invalid}");
        }
    }
}
