//! Deserialization in three modes, chosen at compile time by `MODE`: [`LENIENT`], which keeps
//! what is new (unknown fields are skipped, unknown enumeration values and event types kept) and
//! checks nothing more than the types; [`STRICT`], which accepts exactly what the schemas accept;
//! and [`TOLERANT`], which accepts exactly what the tolerant reading accepts (what is new, as
//! leniently, and every constraint, as strictly), noting that it met something new with
//! [`note_drift`]. The last two parse and validate a payload in one pass.
//! Every generated type implements [`Modal`]; strict failures carry no detailed message, because
//! [`parse_validated`](crate::parse_validated) then reports the validator's errors instead.

use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;
use std::marker::PhantomData;

use chrono::{DateTime, FixedOffset};
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, SeqAccess, Unexpected, Visitor};

/// Keeps what is new and checks only the types: `Deserialize`.
pub const LENIENT: u8 = 0;
/// Keeps what is new and checks every constraint: the tolerant reading.
pub const TOLERANT: u8 = 1;
/// Refuses what is new and checks every constraint: the strict reading.
pub const STRICT: u8 = 2;

thread_local! {
    /// Whether a tolerant parse on this thread met something the strict reading refuses.
    ///
    /// A flag on the side rather than state threaded through every seed: it is set only where
    /// something new is met (never for a strictly valid payload), and read once per parse.
    static DRIFTED: Cell<bool> = const { Cell::new(false) };
}

/// Notes, in the tolerant mode, that the payload has something the strict reading refuses.
#[inline]
pub fn note_drift<const MODE: u8>() {
    if MODE == TOLERANT {
        DRIFTED.with(|drifted| drifted.set(true));
    }
}

/// Whether a value of an open enumeration that this version does not know is accepted: not in
/// the strict mode; in the tolerant one, noted as drift; in the lenient one, kept.
#[doc(hidden)]
#[inline]
pub fn takes_unknown_value<const MODE: u8>() -> bool {
    if MODE == STRICT {
        return false;
    }
    note_drift::<MODE>();
    true
}

/// Whether drift was noted since the last call, and clears the note.
pub(crate) fn take_drift() -> bool {
    DRIFTED.with(|drifted| drifted.replace(false))
}

/// The `data` of an event type this version does not know: any object, as a `Value`; in the
/// tolerant mode, only with a non-empty type name, as the tolerant envelope requires.
pub fn unknown_event_data<'de, const MODE: u8, D: Deserializer<'de>>(
    event_type: &str,
    deserializer: D,
) -> Result<serde_json::Value, D::Error> {
    match MODE {
        STRICT => Err(refused("event", "a known event type")),
        TOLERANT => {
            if event_type.is_empty() {
                return Err(refused("event", "a non-empty event type"));
            }
            note_drift::<MODE>();
            let data = serde_json::Value::deserialize(deserializer)?;
            if data.is_object() { Ok(data) } else { Err(refused("data", "an object")) }
        }
        _ => serde_json::Value::deserialize(deserializer),
    }
}

/// A type that deserializes in each of the modes.
#[doc(hidden)]
pub trait Modal<'de>: Sized {
    fn deserialize_in<const MODE: u8, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error>;
}

/// The seed that deserializes a `T` in the mode `MODE`.
#[doc(hidden)]
pub struct Seed<T, const MODE: u8>(PhantomData<T>);

impl<T, const MODE: u8> Seed<T, MODE> {
    pub fn new() -> Self {
        Seed(PhantomData)
    }
}

impl<T, const MODE: u8> Default for Seed<T, MODE> {
    fn default() -> Self {
        Seed::new()
    }
}

impl<'de, T: Modal<'de>, const MODE: u8> DeserializeSeed<'de> for Seed<T, MODE> {
    type Value = T;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        T::deserialize_in::<MODE, D>(deserializer)
    }
}

impl<'de> Modal<'de> for String {
    fn deserialize_in<const MODE: u8, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer)
    }
}

impl<'de> Modal<'de> for u64 {
    fn deserialize_in<const MODE: u8, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        crate::integer::deserialize_u64(deserializer)
    }
}

impl<'de> Modal<'de> for i64 {
    fn deserialize_in<const MODE: u8, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        crate::integer::deserialize_i64(deserializer)
    }
}

impl<'de> Modal<'de> for serde_json::Value {
    fn deserialize_in<const MODE: u8, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        serde_json::Value::deserialize(deserializer)
    }
}

impl<'de, T: Modal<'de>> Modal<'de> for Vec<T> {
    fn deserialize_in<const MODE: u8, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SeqVisitor<T, const MODE: u8>(PhantomData<T>);
        impl<'de, T: Modal<'de>, const MODE: u8> Visitor<'de> for SeqVisitor<T, MODE> {
            type Value = Vec<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
                while let Some(item) = seq.next_element_seed(Seed::<T, MODE>::new())? {
                    items.push(item);
                }
                Ok(items)
            }
        }
        deserializer.deserialize_seq(SeqVisitor::<T, MODE>(PhantomData))
    }
}

impl<'de> Modal<'de> for DateTime<FixedOffset> {
    fn deserialize_in<const MODE: u8, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TimestampVisitor<const MODE: u8>;
        impl<const MODE: u8> Visitor<'_> for TimestampVisitor<MODE> {
            type Value = DateTime<FixedOffset>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RFC 3339 date-time")
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<DateTime<FixedOffset>, E> {
                if let Some(timestamp) = crate::timestamp::parse_rfc3339(text) {
                    return Ok(timestamp);
                }
                // Lenient: whatever else chrono reads as a date-time with an offset (a space for the
                // `T`, `+0000`...), as `DateTime<Utc>`'s parse did: it is this one, then in UTC.
                let lenient = if MODE == LENIENT { text.parse::<DateTime<FixedOffset>>().ok() } else { None };
                lenient.ok_or_else(|| E::invalid_value(Unexpected::Str(text), &self))
            }
        }
        deserializer.deserialize_str(TimestampVisitor::<MODE>)
    }
}

/// An object key, borrowed from the input when it has no escapes.
#[doc(hidden)]
pub struct Key<'de>(pub Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_borrowed_str<E: de::Error>(self, key: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(key)))
            }
            fn visit_str<E: de::Error>(self, key: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(key.to_owned())))
            }
            fn visit_string<E: de::Error>(self, key: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(key)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// The error for a value the schemas refuse, in the strict and tolerant modes.
#[doc(hidden)]
pub fn refused<E: de::Error>(field: &'static str, expected: &'static str) -> E {
    E::custom(format_args!("`{field}` is not {expected}"))
}

/// A type whose JSON a reading can check without building it: the verdict of the strict or
/// tolerant mode of [`Modal`], allocating nothing for a valid payload. This is what
/// [`Reading::is_valid_slice`](crate::Reading::is_valid_slice) runs.
#[doc(hidden)]
pub trait Checked<'de> {
    /// What a field's own constraints (`const`, `format: uri`, bounds, `minItems`) read of the
    /// value: the text of a string, the number of an integer, the length of an array.
    type Seen<'s>;

    /// Checks the value in the mode `MODE`, and `also` on what was seen of it.
    fn check_in<const MODE: u8, D: Deserializer<'de>>(
        deserializer: D,
        also: impl FnOnce(Self::Seen<'_>) -> bool,
    ) -> Result<(), D::Error>;
}

/// The seed that checks a `T` in the mode `MODE`, and `also` on what was seen of it.
#[doc(hidden)]
pub struct Check<T, const MODE: u8, F>(F, PhantomData<T>);

impl<'de, T: Checked<'de>, const MODE: u8, F: FnOnce(T::Seen<'_>) -> bool> Check<T, MODE, F> {
    pub fn new(also: F) -> Self {
        Check(also, PhantomData)
    }
}

impl<'de, T: Checked<'de>, const MODE: u8, F: FnOnce(T::Seen<'_>) -> bool> DeserializeSeed<'de> for Check<T, MODE, F> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        T::check_in::<MODE, D>(deserializer, self.0)
    }
}

/// Checks a `T` with nothing more than its type's constraints.
#[doc(hidden)]
pub fn check<'de, T: Checked<'de>, const MODE: u8, D: Deserializer<'de>>(deserializer: D) -> Result<(), D::Error> {
    T::check_in::<MODE, D>(deserializer, |_| true)
}

/// Checks the string the deserializer holds with `holds`, without copying it; `what` names it in
/// the error.
#[doc(hidden)]
pub fn check_str<'de, D: Deserializer<'de>>(
    deserializer: D,
    holds: impl FnOnce(&str) -> bool,
    what: &'static str,
) -> Result<(), D::Error> {
    struct StrCheck<F>(F, &'static str);
    impl<F: FnOnce(&str) -> bool> Visitor<'_> for StrCheck<F> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "a string ({})", self.1)
        }
        fn visit_str<E: de::Error>(self, text: &str) -> Result<(), E> {
            if (self.0)(text) { Ok(()) } else { Err(refused(self.1, "valid")) }
        }
    }
    deserializer.deserialize_str(StrCheck(holds, what))
}

/// The error of a value whose own constraints (`also`) fail.
#[doc(hidden)]
pub fn checked<E: de::Error>(holds: bool, what: &'static str) -> Result<(), E> {
    if holds { Ok(()) } else { Err(refused(what, "within its constraints")) }
}

impl<'de> Checked<'de> for String {
    type Seen<'s> = &'s str;
    fn check_in<const MODE: u8, D: Deserializer<'de>>(
        deserializer: D,
        also: impl FnOnce(&str) -> bool,
    ) -> Result<(), D::Error> {
        check_str(deserializer, also, "string")
    }
}

impl<'de> Checked<'de> for u64 {
    type Seen<'s> = u64;
    fn check_in<const MODE: u8, D: Deserializer<'de>>(
        deserializer: D,
        also: impl FnOnce(u64) -> bool,
    ) -> Result<(), D::Error> {
        let value = crate::integer::deserialize_u64(deserializer)?;
        checked(also(value), "integer")
    }
}

impl<'de> Checked<'de> for i64 {
    type Seen<'s> = i64;
    fn check_in<const MODE: u8, D: Deserializer<'de>>(
        deserializer: D,
        also: impl FnOnce(i64) -> bool,
    ) -> Result<(), D::Error> {
        let value = crate::integer::deserialize_i64(deserializer)?;
        checked(also(value), "integer")
    }
}

impl<'de> Checked<'de> for DateTime<FixedOffset> {
    type Seen<'s> = ();
    fn check_in<const MODE: u8, D: Deserializer<'de>>(
        deserializer: D,
        also: impl FnOnce(()) -> bool,
    ) -> Result<(), D::Error> {
        check_str(deserializer, |text| crate::validation::format::is_date_time(text) && also(()), "date-time")
    }
}

impl<'de, T: Checked<'de>> Checked<'de> for Vec<T> {
    type Seen<'s> = usize;
    fn check_in<const MODE: u8, D: Deserializer<'de>>(
        deserializer: D,
        also: impl FnOnce(usize) -> bool,
    ) -> Result<(), D::Error> {
        struct SeqCheck<T, const MODE: u8>(PhantomData<T>);
        impl<'de, T: Checked<'de>, const MODE: u8> Visitor<'de> for SeqCheck<T, MODE> {
            type Value = usize;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<usize, A::Error> {
                let mut count = 0;
                while seq.next_element_seed(Check::<T, MODE, _>::new(|_| true))?.is_some() {
                    count += 1;
                }
                Ok(count)
            }
        }
        let count = deserializer.deserialize_seq(SeqCheck::<T, MODE>(PhantomData))?;
        checked(also(count), "array")
    }
}
