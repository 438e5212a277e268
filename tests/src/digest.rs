//! Digests that pin what the generators produce, so that a change in them (in this crate, or in
//! a dependency they call, such as `serde_json`'s writing of numbers) is a failing test and a
//! visible, deliberate diff of a committed constant, never a silent change that stops printed
//! seeds from replaying.
//!
//! FNV-1a (64 bits), written here: a digest must not change with the Rust version or a
//! dependency, which rules out `std`'s `DefaultHasher`.

use std::ops::Range;

use serde_json::json;

use crate::bytes::{self, KeyOrder, Style};
use crate::mutate::{Engine, Input};

/// The event types as they were when the digests were pinned, in the schemas' order.
const PINNED_EVENT_NAMES: [&str; 18] = [
    "call.initiated",
    "call.ringing",
    "call.answered",
    "call.completed",
    "call.failed",
    "call.cancelled",
    "call.transferred",
    "call.held",
    "call.resumed",
    "call.muted",
    "call.unmuted",
    "recording.started",
    "recording.stopped",
    "recording.completed",
    "recording.failed",
    "ivr.input_received",
    "ivr.menu_presented",
    "ivr.timeout",
];

/// The engine whose cases the digests pin: over four documented examples and the event types,
/// frozen here as they were when pinned. So the digests change with the generators alone (the
/// random numbers, the mutations, the values, the bytes, and what they take from a dependency),
/// not with `schema/`: a new event type or example needs no edit outside the schemas
/// (`schema/README.md`). The documented corpus is the same code run on `schema/examples/` and
/// `EventType::ALL`, whose changes git shows.
pub fn pinned_engine() -> Engine {
    let examples = [
        json!({"id": "evt_1234567890abcdef", "timestamp": "2024-01-15T10:30:00Z", "event": "call.initiated",
            "data": {"call_id": "call_xyz789", "call_type": "outbound", "from": "+14155552671",
                "to": "+14155552672", "initiated_at": "2024-01-15T10:30:00Z"}}),
        json!({"id": "evt_1234567890abcdef", "timestamp": "2024-01-15T10:30:10Z", "event": "call.failed",
            "data": {"call_id": "call_xyz789", "status": "failed", "reason": "no_answer", "reason_code": 408,
                "from": "+14155552671", "to": "+14155552672", "failed_at": "2024-01-15T10:30:10Z"}}),
        json!({"id": "evt_1234567890abcdef", "timestamp": "2024-01-15T10:36:00Z", "event": "recording.completed",
            "data": {"call_id": "call_xyz789", "recording_id": "rec_abc123", "duration": 305,
                "file_size": 1024000, "file_format": "mp3",
                "download_url": "https://api.audian.com:8443/v2/recordings/rec_abc123/download",
                "completed_at": "2024-01-15T10:36:00Z"}}),
        json!({"id": "evt_1234567890abcdef", "timestamp": "2024-01-15T10:30:30Z", "event": "ivr.menu_presented",
            "data": {"call_id": "call_xyz789", "menu_id": "menu_main", "menu_name": "Main Menu",
                "options": ["1", "2", "3"], "presented_at": "2024-01-15T10:30:30Z"}}),
    ];
    let examples = examples.into_iter().map(|example| (example["event"].as_str().unwrap().to_owned(), example));
    Engine::new(examples.collect()).with_event_names(&PINNED_EVENT_NAMES)
}

/// The 64-bit FNV-1a hash of everything written to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fnv1a(u64);

impl Fnv1a {
    const OFFSET_BASIS: u64 = 0xCBF2_9CE4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01B3;

    pub fn new() -> Fnv1a {
        Fnv1a(Fnv1a::OFFSET_BASIS)
    }

    pub fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0 ^ u64::from(byte)).wrapping_mul(Fnv1a::PRIME);
        }
    }

    pub fn write_u64(&mut self, value: u64) {
        self.write(&value.to_le_bytes());
    }

    /// Bytes preceded by their length, so that no two sequences of parts hash as one.
    pub fn write_part(&mut self, bytes: &[u8]) {
        self.write_u64(bytes.len() as u64);
        self.write(bytes);
    }

    pub fn finish(&self) -> u64 {
        self.0
    }
}

impl Default for Fnv1a {
    fn default() -> Fnv1a {
        Fnv1a::new()
    }
}

/// The canonical text of an input: a value as compact JSON with its keys sorted (whatever order
/// `serde_json::Map` keeps, which differs between builds), bytes as they are; each tagged.
pub fn canonical(input: &Input) -> Vec<u8> {
    let (tag, mut text) = match input {
        Input::Value(value) => {
            (b'V', bytes::to_bytes(value, Style { order: KeyOrder::Sorted, pretty: false, escape_one_in: 0 }))
        }
        Input::Bytes(raw) => (b'B', raw.clone()),
    };
    text.insert(0, tag);
    text
}

/// The digest of the inputs of cases `range` of `seed`: what is judged, not the notes that
/// describe it (rewording them changes no payload).
pub fn cases(engine: &Engine, seed: u64, range: Range<u64>) -> u64 {
    let mut hash = Fnv1a::new();
    for index in range {
        hash.write_part(&canonical(&engine.case(seed, index).input));
    }
    hash.finish()
}

/// Panics unless the digests `actual` are the committed `expected` ones, saying which constant to
/// update, and to what, if the change is deliberate.
#[track_caller]
pub fn assert_pinned(what: &str, actual: &[u64], expected: &[u64], constant: &str) {
    let literals = |digests: &[u64]| match digests {
        [one] => literal(*one),
        many => format!("[{}]", many.iter().map(|&digest| literal(digest)).collect::<Vec<_>>().join(", ")),
    };
    assert!(
        actual == expected,
        "{what}: digest {}, committed {}. The generators changed, and seeds printed before no longer replay \
         the same payloads: if deliberate, update {constant} to {}",
        literals(actual),
        literals(expected),
        literals(actual)
    );
}

/// A digest as a Rust literal, such as `0x0DBB_171A_8F90_1667`.
fn literal(digest: u64) -> String {
    let hex = format!("{digest:016X}");
    format!("0x{}_{}_{}_{}", &hex[0..4], &hex[4..8], &hex[8..12], &hex[12..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference values of FNV-1a 64 (Fowler, Noll and Vo's test vectors).
    #[test]
    fn fnv1a_gives_the_published_values() {
        let hash = |text: &str| {
            let mut hash = Fnv1a::new();
            hash.write(text.as_bytes());
            hash.finish()
        };
        assert_eq!(hash(""), 0xCBF2_9CE4_8422_2325);
        assert_eq!(hash("a"), 0xAF63_DC4C_8601_EC8C);
        assert_eq!(hash("foobar"), 0x8594_4171_F739_67E8);
    }

    #[test]
    fn a_digest_is_written_as_a_literal_to_paste() {
        assert_eq!(literal(0x0DBB_171A_8F90_1667), "0x0DBB_171A_8F90_1667");
        assert_eq!(literal(7), "0x0000_0000_0000_0007");
    }

    #[test]
    fn parts_are_delimited() {
        let digest = |parts: &[&str]| {
            let mut hash = Fnv1a::new();
            for part in parts {
                hash.write_part(part.as_bytes());
            }
            hash.finish()
        };
        assert_ne!(digest(&["ab", "c"]), digest(&["a", "bc"]));
    }

    #[test]
    fn a_value_and_its_bytes_differ() {
        let value = serde_json::json!({"b": 1, "a": [true, null]});
        assert_eq!(canonical(&Input::Value(value.clone())), b"V{\"a\":[true,null],\"b\":1}");
        assert_ne!(canonical(&Input::Value(value)), canonical(&Input::Bytes(b"{\"a\":[true,null],\"b\":1}".to_vec())));
    }
}
