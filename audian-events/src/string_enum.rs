//! Deserialization shared by the generated string enums: borrow the string when the
//! deserializer allows, and keep unknown values.

use std::fmt;
use std::marker::PhantomData;

use serde::de;

#[doc(hidden)]
pub struct Visitor<T> {
    name: &'static str,
    marker: PhantomData<T>,
}

impl<T> Visitor<T> {
    pub fn new(name: &'static str) -> Self {
        Visitor { name, marker: PhantomData }
    }
}

impl<T: for<'a> From<&'a str> + From<String>> de::Visitor<'_> for Visitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a string ({})", self.name)
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<T, E> {
        Ok(T::from(value))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<T, E> {
        Ok(T::from(value))
    }
}
