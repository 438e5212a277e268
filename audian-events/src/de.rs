//! Deserialization in two modes, chosen at compile time by `STRICT`: lenient, which keeps what is
//! new (unknown fields are skipped, unknown enumeration values kept), and strict, which accepts
//! exactly what the schemas accept, so that a payload is parsed and validated in one pass.
//! Every generated type implements [`Modal`]; strict failures carry no detailed message, because
//! [`parse_validated`](crate::parse_validated) then reports the validator's errors instead.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, SeqAccess, Unexpected, Visitor};

/// A type that deserializes leniently or strictly.
#[doc(hidden)]
pub trait Modal<'de>: Sized {
    fn deserialize_in<const STRICT: bool, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error>;
}

/// The seed that deserializes a `T` in the mode `STRICT`.
#[doc(hidden)]
pub struct Seed<T, const STRICT: bool>(PhantomData<T>);

impl<T, const STRICT: bool> Seed<T, STRICT> {
    pub fn new() -> Self {
        Seed(PhantomData)
    }
}

impl<T, const STRICT: bool> Default for Seed<T, STRICT> {
    fn default() -> Self {
        Seed::new()
    }
}

impl<'de, T: Modal<'de>, const STRICT: bool> DeserializeSeed<'de> for Seed<T, STRICT> {
    type Value = T;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        T::deserialize_in::<STRICT, D>(deserializer)
    }
}

impl<'de> Modal<'de> for String {
    fn deserialize_in<const STRICT: bool, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer)
    }
}

impl<'de> Modal<'de> for u64 {
    fn deserialize_in<const STRICT: bool, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        crate::integer::deserialize_u64(deserializer)
    }
}

impl<'de> Modal<'de> for i64 {
    fn deserialize_in<const STRICT: bool, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        crate::integer::deserialize_i64(deserializer)
    }
}

impl<'de> Modal<'de> for serde_json::Value {
    fn deserialize_in<const STRICT: bool, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        serde_json::Value::deserialize(deserializer)
    }
}

impl<'de, T: Modal<'de>> Modal<'de> for Vec<T> {
    fn deserialize_in<const STRICT: bool, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SeqVisitor<T, const STRICT: bool>(PhantomData<T>);
        impl<'de, T: Modal<'de>, const STRICT: bool> Visitor<'de> for SeqVisitor<T, STRICT> {
            type Value = Vec<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
                while let Some(item) = seq.next_element_seed(Seed::<T, STRICT>::new())? {
                    items.push(item);
                }
                Ok(items)
            }
        }
        deserializer.deserialize_seq(SeqVisitor::<T, STRICT>(PhantomData))
    }
}

impl<'de> Modal<'de> for DateTime<Utc> {
    fn deserialize_in<const STRICT: bool, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TimestampVisitor<const STRICT: bool>;
        impl<const STRICT: bool> Visitor<'_> for TimestampVisitor<STRICT> {
            type Value = DateTime<Utc>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RFC 3339 date-time")
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<DateTime<Utc>, E> {
                if let Some(timestamp) = crate::timestamp::parse_rfc3339(text) {
                    return Ok(timestamp);
                }
                // Lenient: whatever else chrono reads as a date-time with an offset.
                let lenient = if STRICT { None } else { text.parse::<DateTime<Utc>>().ok() };
                lenient.ok_or_else(|| E::invalid_value(Unexpected::Str(text), &self))
            }
        }
        deserializer.deserialize_str(TimestampVisitor::<STRICT>)
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

/// The error for a value the schemas refuse, in strict mode.
#[doc(hidden)]
pub fn refused<E: de::Error>(field: &'static str, expected: &'static str) -> E {
    E::custom(format_args!("`{field}` is not {expected}"))
}
