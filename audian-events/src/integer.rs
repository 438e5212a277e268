//! Integers as JSON Schema counts them: `305.0` is the integer 305, so the typed parse accepts
//! whatever the schema accepts as an integer within the Rust type's range.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserializer;
use serde::de::{self, Unexpected, Visitor};

/// 2^63 and 2^64 as `f64`: both are exact.
const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
const TWO_POW_64: f64 = 18_446_744_073_709_551_616.0;

trait Integer: Sized + TryFrom<u64> + TryFrom<i64> {
    const MIN: i128;
    const MAX: i128;
    /// The half-open range of `f64` values that convert exactly.
    const FLOAT_RANGE: (f64, f64);
    fn from_whole_f64(value: f64) -> Self;
}

impl Integer for u64 {
    const MIN: i128 = 0;
    const MAX: i128 = u64::MAX as i128;
    const FLOAT_RANGE: (f64, f64) = (0.0, TWO_POW_64);
    fn from_whole_f64(value: f64) -> Self {
        value as u64
    }
}

impl Integer for i64 {
    const MIN: i128 = i64::MIN as i128;
    const MAX: i128 = i64::MAX as i128;
    const FLOAT_RANGE: (f64, f64) = (-TWO_POW_63, TWO_POW_63);
    fn from_whole_f64(value: f64) -> Self {
        value as i64
    }
}

struct IntegerVisitor<T>(PhantomData<T>);

impl<T: Integer> Visitor<'_> for IntegerVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an integer from {} to {}", T::MIN, T::MAX)
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<T, E> {
        T::try_from(value).map_err(|_| E::invalid_value(Unexpected::Unsigned(value), &self))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<T, E> {
        T::try_from(value).map_err(|_| E::invalid_value(Unexpected::Signed(value), &self))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<T, E> {
        let (low, high) = T::FLOAT_RANGE;
        if value.fract() == 0.0 && value >= low && value < high {
            Ok(T::from_whole_f64(value))
        } else {
            Err(E::invalid_value(Unexpected::Float(value), &self))
        }
    }
}

#[doc(hidden)]
pub fn deserialize_u64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    deserializer.deserialize_any(IntegerVisitor::<u64>(PhantomData))
}

#[doc(hidden)]
pub fn deserialize_i64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    deserializer.deserialize_any(IntegerVisitor::<i64>(PhantomData))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    fn u64_of(value: serde_json::Value) -> Option<u64> {
        super::deserialize_u64(value).ok()
    }

    fn i64_of(value: serde_json::Value) -> Option<i64> {
        super::deserialize_i64(value).ok()
    }

    #[test]
    fn whole_floats_are_integers() {
        assert_eq!(u64_of(json!(305.0)), Some(305));
        assert_eq!(i64_of(json!(-408.0)), Some(-408));
        assert_eq!(u64_of(json!(18446744073709549568.0)), Some(18446744073709549568));
        assert_eq!(i64_of(json!(-9223372036854775808.0)), Some(i64::MIN));
    }

    #[test]
    fn fractions_and_out_of_range_values_are_refused() {
        assert_eq!(u64_of(json!(1.5)), None);
        assert_eq!(u64_of(json!(-1)), None);
        assert_eq!(u64_of(json!(18446744073709551616.0)), None);
        assert_eq!(i64_of(json!(9223372036854775808u64)), None);
        assert_eq!(i64_of(json!(9223372036854775808.0)), None);
        assert_eq!(u64_of(json!("305")), None);
    }
}
