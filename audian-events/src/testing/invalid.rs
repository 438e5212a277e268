//! Payloads that break exactly one rule of the strict schemas: a valid event, then one rule of
//! its schema (from the generated table of rules) broken, and nothing else.

use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{Map, Number, Value, json};

use crate::EventType;
use crate::generated::strategies::RULES;

/// A rule of an event type's schema: where it applies in the payload, and what breaks it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rule {
    pub event: &'static str,
    /// The JSON Pointer of the value that breaks it (the first item, for the rules of `items`).
    pub pointer: &'static str,
    /// The schema keyword.
    pub keyword: &'static str,
    pub breach: Breach,
}

/// What breaks a rule, and no other.
#[derive(Debug, Clone, Copy)]
#[allow(dead_code, reason = "each kind of rule the generator supports, whether the schemas use it today or not")]
pub(crate) enum Breach {
    /// A value of none of these types.
    Type(&'static [JsonType]),
    /// The property removed.
    Required(&'static str),
    /// A property the schema does not name, added.
    AdditionalProperties,
    /// A string not in `allowed`: one of `others` where there are some.
    Value { allowed: &'static [&'static str], others: &'static [&'static str] },
    /// The first character (every one, unless anchored at the start) made `refused`, at least
    /// `min_length` characters.
    Pattern { refused: char, anchored_start: bool, min_length: usize },
    /// A string that matches the pattern, one character too short.
    MinLength(&'static str),
    /// Not an RFC 3339 date-time.
    DateTime,
    /// Not an absolute URI.
    Uri,
    /// Below the bound.
    Minimum(i128),
    /// Above the bound.
    Maximum(i128),
    /// One item fewer than this.
    MinItems(usize),
    /// The event type made one the union does not have.
    OneOf,
}

/// A JSON type, as named by `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(dead_code, reason = "every JSON type, whether the schemas use it today or not")]
pub(crate) enum JsonType {
    Null,
    Boolean,
    Object,
    Array,
    Number,
    Integer,
    String,
}

impl JsonType {
    fn admits(self, value: &Value) -> bool {
        match (self, value) {
            (JsonType::Null, Value::Null)
            | (JsonType::Boolean, Value::Bool(_))
            | (JsonType::Object, Value::Object(_))
            | (JsonType::Array, Value::Array(_))
            | (JsonType::Number, Value::Number(_))
            | (JsonType::String, Value::String(_)) => true,
            (JsonType::Integer, Value::Number(number)) => {
                number.is_i64() || number.is_u64() || number.as_f64().is_some_and(|float| float.fract() == 0.0)
            }
            _ => false,
        }
    }
}

/// A payload that breaks exactly one rule of the strict schemas, with the JSON Pointer of the
/// value that breaks it, where validation reports it: `/data/duration` for a negative duration,
/// the object for a missing property, the property for an unexpected one, `/event` for an event
/// type the schemas do not have. Every kind of rule
/// the event schemas use is drawn: `type`, `required`, `additionalProperties`, `const`, `enum`,
/// `pattern`, `minLength`, `format`, `minimum`, `maximum`, and the union's `oneOf`.
///
/// ```
/// use audian_events::testing::invalid_payload;
/// use proptest::prelude::*;
///
/// proptest!(|((payload, pointer) in invalid_payload())| {
///     let errors = audian_events::validate(&payload).unwrap_err();
///     prop_assert!(errors.iter().any(|error| error.instance_path() == pointer));
/// });
/// ```
pub fn invalid_payload() -> impl Strategy<Value = (Value, String)> {
    (super::any_event(), any::<Index>(), any::<Index>()).prop_map(|(event, rule, variant)| {
        let mut payload = serde_json::to_value(&event).expect("an event serializes");
        let rule = pick_rule(&event.event_type(), rule);
        let pointer = rule.breach.apply(&mut payload, rule.pointer, variant);
        (payload, pointer)
    })
}

fn pick_rule(event_type: &EventType, index: Index) -> &'static Rule {
    let rules: Vec<&'static Rule> = RULES.iter().filter(|rule| rule.event == event_type.as_str()).collect();
    assert!(!rules.is_empty(), "the generated RULES have none for `{event_type}`");
    rules[index.index(rules.len())]
}

/// The rules of the strict schemas, for tests of the generator.
#[doc(hidden)]
pub fn rules() -> impl Iterator<Item = (&'static str, &'static str, &'static str)> {
    RULES.iter().map(|rule| (rule.event, rule.pointer, rule.keyword))
}

impl Breach {
    /// Breaks the rule at `pointer` in `payload`; returns the pointer of the value that breaks
    /// it, which is `pointer` but for an unexpected property, which is reported where it is.
    fn apply(self, payload: &mut Value, pointer: &str, variant: Index) -> String {
        let target = target(payload, pointer);
        match self {
            Breach::Type(types) => {
                let others: Vec<Value> =
                    [json!(null), json!(true), json!(7), json!(2.5), json!("7"), json!([]), json!({})]
                        .into_iter()
                        .filter(|candidate| !types.iter().any(|json_type| json_type.admits(candidate)))
                        .collect();
                *target = variant.get(&others).clone();
            }
            Breach::Required(name) => {
                target.as_object_mut().expect("required applies to objects").remove(name);
            }
            Breach::AdditionalProperties => {
                let object = target.as_object_mut().expect("additionalProperties applies to objects");
                let value = variant.get(&[json!("x"), json!(1), json!(null), json!({})]).clone();
                let name = unused_name(object);
                object.insert(name.clone(), value);
                return format!("{pointer}/{name}");
            }
            Breach::Value { allowed, others } => {
                let replacement = if others.is_empty() {
                    let first = allowed.first().copied().unwrap_or_default();
                    let candidates = [
                        "unknown".to_owned(),
                        String::new(),
                        first.to_uppercase(),
                        format!("{first} "),
                        format!("{first}_v2"),
                    ];
                    let candidates: Vec<String> =
                        candidates.into_iter().filter(|candidate| !allowed.contains(&candidate.as_str())).collect();
                    variant.get(&candidates).clone()
                } else {
                    variant.get(others).to_string()
                };
                *target = Value::String(replacement);
            }
            Breach::Pattern { refused, anchored_start, min_length } => {
                let text = target.as_str().unwrap_or_default();
                let mut broken: String = if anchored_start {
                    std::iter::once(refused).chain(text.chars().skip(1)).collect()
                } else {
                    text.chars().map(|_| refused).collect()
                };
                while broken.chars().count() < min_length.max(1) {
                    broken.push(refused);
                }
                *target = Value::String(broken);
            }
            Breach::MinLength(short) => *target = Value::String(short.to_owned()),
            Breach::DateTime => {
                let text = target.as_str().unwrap_or("2024-01-15T10:30:00Z").to_owned();
                *target = Value::String(not_a_date_time(&text, variant));
            }
            Breach::Uri => {
                let candidates =
                    ["recordings/rec_abc123/download", "//api.audian.com/v2", "https://api audian.com/", ""];
                *target = Value::String(variant.get(&candidates).to_string());
            }
            Breach::Minimum(bound) => *target = beyond(bound, -1),
            Breach::Maximum(bound) => *target = beyond(bound, 1),
            Breach::MinItems(min_items) => {
                target.as_array_mut().expect("minItems applies to arrays").truncate(min_items - 1);
            }
            Breach::OneOf => {
                let candidates = ["call.parked", "conference.started", "call"];
                let unknown: Vec<&str> = candidates
                    .into_iter()
                    .filter(|name| !EventType::ALL.iter().any(|known| known.as_str() == *name))
                    .collect();
                payload["event"] = Value::String(variant.get(&unknown).to_string());
            }
        }
        pointer.to_owned()
    }
}

/// The value at `pointer`; the first item of an empty array is added, so that the rules of
/// `items` have one to break.
fn target<'a>(payload: &'a mut Value, pointer: &str) -> &'a mut Value {
    if payload.pointer(pointer).is_none()
        && let Some((parent, _)) = pointer.rsplit_once('/')
        && let Some(Value::Array(items)) = payload.pointer_mut(parent)
    {
        items.push(Value::String("1".to_owned()));
    }
    payload.pointer_mut(pointer).unwrap_or_else(|| panic!("a generated event has no value at {pointer:?}"))
}

fn unused_name(object: &Map<String, Value>) -> String {
    (0..).map(|n| format!("unexpected_{n}")).find(|name| !object.contains_key(name)).expect("a name is free")
}

/// The integer one `step` (-1 or 1) beyond `bound`, as JSON: exact where it fits 64 bits;
/// beyond, the nearest float that is still beyond the bound (`2^64`, or `-2^63 - 2048`: the
/// float nearest to `-2^63 - 1` is `-2^63` itself).
fn beyond(bound: i128, step: i128) -> Value {
    let exact = bound + step;
    if let Ok(small) = i64::try_from(exact) {
        return Value::from(small);
    }
    if let Ok(large) = u64::try_from(exact) {
        return Value::from(large);
    }
    let mut float = exact as f64;
    while (float as i128 - bound) * step <= 0 {
        // The next float away from zero, where the bound is.
        float = f64::from_bits(float.to_bits() + 1);
    }
    Number::from_f64(float).map_or(Value::Null, Value::Number)
}

/// A string shaped like `text` (an RFC 3339 date-time) that is not one: a month, day, hour or
/// minute out of range, February 30, a leap second away from the end of a UTC day, no offset.
fn not_a_date_time(text: &str, variant: Index) -> String {
    let (date, time) = (&text[..10], &text[11..]);
    let offset = &time[time.find(['Z', 'z', '+', '-']).unwrap_or(time.len())..];
    let candidates = [
        format!("{}-13{}", &date[..4], &text[7..]),
        format!("{}-32{}", &date[..7], &text[10..]),
        format!("{date}T24{}", &text[13..]),
        format!("{date}T{}:60{}", &text[11..13], &text[16..]),
        format!("{}-02-30{}", &date[..4], &text[10..]),
        format!("{date}T12:30:60Z"),
        text[..text.len() - offset.len()].to_owned(),
    ];
    variant.get(&candidates).clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bound_beyond_64_bits_is_broken_by_the_nearest_float_beyond_it() {
        assert_eq!(beyond(0, -1), json!(-1));
        assert_eq!(beyond(i128::from(u64::MAX), 1), json!(18446744073709551616.0));
        let below = beyond(i128::from(i64::MIN), -1).as_f64().unwrap();
        assert!((below as i128) < i128::from(i64::MIN), "{below}");
    }
}
