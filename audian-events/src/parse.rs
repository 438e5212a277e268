//! Parsing bytes or text into an [`Event`].

use crate::{Event, ParseError, de};

impl Event {
    /// Parses an event from the raw bytes of a webhook body.
    ///
    /// Errors carry the line and column of malformed JSON, or the path of the field of the wrong
    /// type (such as `data.duration`).
    pub fn from_slice(bytes: &[u8]) -> Result<Event, ParseError> {
        // Read as text when it is text; see `as_text`. Invalid UTF-8 is left to the byte reader,
        // which refuses it too, and says where.
        if let Some(text) = as_text(bytes) {
            return text.parse();
        }
        let mut deserializer = serde_json::Deserializer::from_slice(bytes);
        parse_then_explain(&mut deserializer, || serde_json::Deserializer::from_slice(bytes))
    }

    /// Parses and validates in one pass, in the strict or tolerant mode of [`de`]: `Ok` only for
    /// payloads that reading accepts. A refusal carries no useful message; callers re-check with
    /// the validator to explain it.
    pub(crate) fn from_slice_in<const MODE: u8>(bytes: &[u8]) -> Result<Event, serde_json::Error> {
        match as_text(bytes) {
            Some(text) => parse_in::<MODE, _>(&mut serde_json::Deserializer::from_str(text)),
            None => parse_in::<MODE, _>(&mut serde_json::Deserializer::from_slice(bytes)),
        }
    }

    /// Checks bytes in the strict or tolerant mode of [`de`] as [`from_slice_in`](Self::from_slice_in)
    /// reads them, building nothing: `true` for the payloads that reading accepts. Not text is
    /// refused: JSON is UTF-8.
    pub(crate) fn check_slice_in<const MODE: u8>(bytes: &[u8]) -> bool {
        let Some(text) = as_text(bytes) else { return false };
        let mut deserializer = serde_json::Deserializer::from_str(text);
        serde::Deserializer::deserialize_map(&mut deserializer, crate::envelope::EventChecker::<MODE>).is_ok()
            && deserializer.end().is_ok()
    }

    /// Serializes the event back to JSON, in the envelope form Audian sends.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("an event serializes to JSON")
    }
}

impl std::str::FromStr for Event {
    type Err = ParseError;

    /// Parses an event from a JSON string; see [`Event::from_slice`].
    fn from_str(text: &str) -> Result<Event, ParseError> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        parse_then_explain(&mut deserializer, || serde_json::Deserializer::from_str(text))
    }
}

/// `bytes` as text, if they are UTF-8.
///
/// Reading bytes, serde_json checks the UTF-8 of each string as it meets it, which for a webhook
/// (some thirty short strings) costs more than checking the whole body at once; reading text, it
/// checks nothing more. Both accept the same documents: outside strings, JSON is ASCII.
pub(crate) fn as_text(bytes: &[u8]) -> Option<&str> {
    std::str::from_utf8(bytes).ok()
}

fn parse_in<'de, const MODE: u8, R: serde_json::de::Read<'de>>(
    deserializer: &mut serde_json::Deserializer<R>,
) -> Result<Event, serde_json::Error> {
    let event = de::Modal::deserialize_in::<MODE, _>(&mut *deserializer)?;
    deserializer.end()?;
    Ok(event)
}

/// Parses without tracking the path, which costs more than the parse; on failure parses again
/// with the path tracked, to say where.
fn parse_then_explain<'de, R: serde_json::de::Read<'de>>(
    deserializer: &mut serde_json::Deserializer<R>,
    again: impl FnOnce() -> serde_json::Deserializer<R>,
) -> Result<Event, ParseError> {
    let parsed =
        serde::Deserialize::deserialize(&mut *deserializer).and_then(|event| deserializer.end().map(|()| event));
    match parsed {
        Ok(event) => Ok(event),
        Err(error) => {
            let mut deserializer = again();
            match serde_path_to_error::deserialize::<_, Event>(&mut deserializer) {
                Err(explained) => Err(explained.into()),
                // Only trailing characters remain to explain.
                Ok(_) => Err(error.into()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::de::{STRICT, TOLERANT, take_drift};
    use crate::{Event, examples};

    /// The check that builds nothing gives the one pass's verdict, on the same payloads as
    /// below and on their truncations.
    #[test]
    fn the_check_gives_the_verdict_of_the_one_pass() {
        let mut payloads: Vec<Vec<u8>> = Vec::new();
        for (_, text) in examples::ALL {
            let example: Value = serde_json::from_str(text).unwrap();
            let mut variants = vec![example.clone(); 6];
            variants[0]["api_version"] = json!("2025-01");
            variants[1]["data"]["carrier"] = json!("att");
            variants[2]["event"] = json!("call.parked");
            variants[3]["event"] = json!("");
            variants[4]["data"]["call_id"] = json!("cal_1");
            variants[5]["timestamp"] = json!("2024-02-30T00:00:00Z");
            payloads.push(text.as_bytes().to_vec());
            payloads.extend(variants.iter().map(|variant| serde_json::to_vec(variant).unwrap()));
            payloads.extend((0..text.len()).step_by(7).map(|end| text.as_bytes()[..end].to_vec()));
            payloads.push(text.replacen("call_", r"call\u005f", 1).into_bytes());
            payloads.push([text.as_bytes(), b" x"].concat());
            payloads.push(text.replacen("evt_", r"evt_\u00e9", 1).into_bytes());
        }
        let (mut accepted, mut refused) = (0, 0);
        for bytes in &payloads {
            for (mode, check, parse) in [
                ("strict", Event::check_slice_in::<STRICT>(bytes), Event::from_slice_in::<STRICT>(bytes).is_ok()),
                ("tolerant", Event::check_slice_in::<TOLERANT>(bytes), Event::from_slice_in::<TOLERANT>(bytes).is_ok()),
            ] {
                assert_eq!(check, parse, "{mode}: {}", String::from_utf8_lossy(bytes));
                if check { accepted += 1 } else { refused += 1 }
            }
        }
        assert!(accepted >= 4 * examples::ALL.len() && refused >= 20 * examples::ALL.len(), "{accepted} / {refused}");
        let mut invalid_utf8 = examples::ALL[0].1.as_bytes().to_vec();
        let at = invalid_utf8.iter().position(|&b| b == b'x').unwrap();
        invalid_utf8[at] = 0xff;
        assert!(!Event::check_slice_in::<STRICT>(&invalid_utf8) && !Event::check_slice_in::<TOLERANT>(&invalid_utf8));
    }

    /// The one pass itself, not the fallback behind `Reading::parse` (which would hide a one
    /// pass that refuses too much): every documented example, and each with one addition.
    #[test]
    fn the_one_pass_accepts_each_reading_and_notes_drift_only_when_there_is_some() {
        for (event_type, text) in examples::ALL {
            let example: Value = serde_json::from_str(text).unwrap();
            take_drift();
            assert!(Event::from_slice_in::<STRICT>(text.as_bytes()).is_ok(), "{event_type:?}");
            assert!(Event::from_slice_in::<TOLERANT>(text.as_bytes()).is_ok(), "{event_type:?}");
            assert!(!take_drift(), "{event_type:?}: no drift in a documented example");

            let mut additions = vec![example.clone(), example.clone(), example.clone()];
            additions[0]["api_version"] = json!("2025-01");
            additions[1]["data"]["carrier"] = json!("att");
            additions[2]["event"] = json!("call.parked");
            for added in additions {
                let bytes = serde_json::to_vec(&added).unwrap();
                assert!(Event::from_slice_in::<STRICT>(&bytes).is_err(), "{event_type:?}: strict refuses {added}");
                take_drift();
                assert!(Event::from_slice_in::<TOLERANT>(&bytes).is_ok(), "{event_type:?}: tolerant takes {added}");
                assert!(take_drift(), "{event_type:?}: drift noted for {added}");
            }
        }
    }
}
