//! What the generated validators call: the instance path, the two ways of reporting (stop at the
//! first failure, or collect every error), and JSON Schema's comparisons of numbers and values.
//! No schema is interpreted here.

use serde_json::{Number, Value};

pub use super::format::{is_date_time, is_uri};
use super::{QUOTE_LIMIT, ValidationError};

/// Where in the instance a check is, as a list linked through the stack: building it costs
/// nothing, and it becomes a JSON Pointer only when an error is reported.
#[derive(Clone, Copy)]
pub enum InstancePath<'a> {
    Root,
    Property(&'a InstancePath<'a>, &'a str),
    Index(&'a InstancePath<'a>, usize),
}

impl InstancePath<'_> {
    pub fn to_pointer(&self) -> String {
        let mut pointer = String::new();
        self.write(&mut pointer);
        pointer
    }

    fn write(&self, out: &mut String) {
        match self {
            InstancePath::Root => {}
            InstancePath::Property(parent, name) => {
                parent.write(out);
                out.push('/');
                for c in name.chars() {
                    match c {
                        '~' => out.push_str("~0"),
                        '/' => out.push_str("~1"),
                        c => out.push(c),
                    }
                }
            }
            InstancePath::Index(parent, index) => {
                parent.write(out);
                out.push('/');
                out.push_str(&index.to_string());
            }
        }
    }
}

/// How failures are handled: [`FirstFailure`] stops at once, [`Collect`] records each error.
pub trait Report {
    /// Whether to go on checking after a failure.
    const COLLECT: bool;
    /// Records a failure; `message` is only called when the error is kept.
    fn fail(
        &mut self,
        path: &InstancePath<'_>,
        keyword: &'static str,
        schema_path: &'static str,
        message: impl FnOnce() -> String,
    );
    /// Starts a speculative check (a `oneOf` branch) whose errors may be dropped.
    fn mark(&self) -> usize;
    /// Drops the errors recorded since `mark`.
    fn rollback(&mut self, mark: usize);
}

/// Stops at the first failure, records nothing, allocates nothing.
pub struct FirstFailure;

impl Report for FirstFailure {
    const COLLECT: bool = false;
    fn fail(&mut self, _: &InstancePath<'_>, _: &'static str, _: &'static str, _: impl FnOnce() -> String) {}
    fn mark(&self) -> usize {
        0
    }
    fn rollback(&mut self, _: usize) {}
}

/// Records every failure.
#[derive(Default)]
pub struct Collect {
    pub errors: Vec<ValidationError>,
}

impl Report for Collect {
    const COLLECT: bool = true;
    fn fail(
        &mut self,
        path: &InstancePath<'_>,
        keyword: &'static str,
        schema_path: &'static str,
        message: impl FnOnce() -> String,
    ) {
        self.errors.push(ValidationError {
            instance_path: path.to_pointer(),
            keyword,
            schema_path,
            message: message(),
        });
    }
    fn mark(&self) -> usize {
        self.errors.len()
    }
    fn rollback(&mut self, mark: usize) {
        self.errors.truncate(mark);
    }
}

/// JSON Schema's `integer`: any number with no fractional part, `1.0` included.
#[inline]
pub fn is_integer(number: &Number) -> bool {
    number.is_i64() || number.is_u64() || number.as_f64().is_some_and(|value| value.fract() == 0.0)
}

/// A number as the schema wrote it, for exact comparisons.
#[derive(Clone, Copy)]
pub enum Bound {
    Unsigned(u64),
    Signed(i64),
    Float(f64),
}

/// `number >= bound`, exactly, whatever the representations.
#[inline]
pub fn at_least(number: &Number, bound: Bound) -> bool {
    compare(number, bound).is_some_and(|ordering| ordering.is_ge())
}

/// `number <= bound`, exactly, whatever the representations.
#[inline]
pub fn at_most(number: &Number, bound: Bound) -> bool {
    compare(number, bound).is_some_and(|ordering| ordering.is_le())
}

#[inline]
fn compare(number: &Number, bound: Bound) -> Option<std::cmp::Ordering> {
    // The common case, inlined so that a constant bound folds away (`>= 0` on a `u64` is true).
    if let (Some(value), Bound::Unsigned(bound)) = (number.as_u64(), bound) {
        return Some(value.cmp(&bound));
    }
    compare_exactly(number, bound)
}

fn compare_exactly(number: &Number, bound: Bound) -> Option<std::cmp::Ordering> {
    if let Some(value) = number.as_u64() {
        return Some(compare_i128_with(i128::from(value), bound));
    }
    if let Some(value) = number.as_i64() {
        return Some(compare_i128_with(i128::from(value), bound));
    }
    let value = number.as_f64()?;
    Some(match bound {
        Bound::Float(bound) => value.partial_cmp(&bound)?,
        Bound::Unsigned(bound) => compare_i128_with(i128::from(bound), Bound::Float(value)).reverse(),
        Bound::Signed(bound) => compare_i128_with(i128::from(bound), Bound::Float(value)).reverse(),
    })
}

/// Compares an integer with a bound exactly (no rounding of the integer to `f64`).
fn compare_i128_with(value: i128, bound: Bound) -> std::cmp::Ordering {
    match bound {
        Bound::Unsigned(bound) => value.cmp(&i128::from(bound)),
        Bound::Signed(bound) => value.cmp(&i128::from(bound)),
        Bound::Float(bound) => {
            if bound.is_nan() {
                return std::cmp::Ordering::Less;
            }
            // Every i128 we hold fits in ±2^64, so comparing with the floor of the bound is exact.
            if bound >= 1.9e19 {
                return std::cmp::Ordering::Less;
            }
            if bound <= -1.9e19 {
                return std::cmp::Ordering::Greater;
            }
            let floor = bound.floor();
            let floor_int = floor as i128;
            match value.cmp(&floor_int) {
                std::cmp::Ordering::Equal if bound > floor => std::cmp::Ordering::Less,
                ordering => ordering,
            }
        }
    }
}

/// JSON Schema equality, for `enum` and `const`: numbers compare by value (`1` equals `1.0`),
/// objects regardless of key order.
pub fn json_equal(left: &Value, right: &Value) -> bool {
    match (left, right) {
        (Value::Number(left), Value::Number(right)) => numbers_equal(left, right),
        (Value::Array(left), Value::Array(right)) => {
            left.len() == right.len() && left.iter().zip(right).all(|(left, right)| json_equal(left, right))
        }
        (Value::Object(left), Value::Object(right)) => {
            left.len() == right.len()
                && left.iter().all(|(key, value)| right.get(key).is_some_and(|other| json_equal(value, other)))
        }
        _ => left == right,
    }
}

fn numbers_equal(left: &Number, right: &Number) -> bool {
    let bound = if let Some(value) = right.as_u64() {
        Bound::Unsigned(value)
    } else if let Some(value) = right.as_i64() {
        Bound::Signed(value)
    } else if let Some(value) = right.as_f64() {
        Bound::Float(value)
    } else {
        return false;
    };
    compare(left, bound).is_some_and(|ordering| ordering.is_eq())
}

/// Whether `text` has at least `count` characters (code points), without decoding them.
#[inline]
pub fn has_at_least_chars(text: &str, count: usize) -> bool {
    // A character takes at least one byte, so a short string is ruled out without decoding it.
    // One that has four bytes per character it needs is long enough without decoding either, and
    // so is one of ASCII (as identifiers are), with a byte per character. Otherwise, characters
    // are the bytes that do not continue a UTF-8 sequence.
    text.len() >= count && (text.len() >= count.saturating_mul(4) || text.is_ascii() || count_chars(text) >= count)
}

/// Characters are the bytes that do not continue a UTF-8 sequence. Kept out of line: it is rarely
/// reached, and inlined at every `minLength` it would crowd the code that is.
#[inline(never)]
fn count_chars(text: &str) -> usize {
    text.bytes().filter(|&byte| byte & 0b1100_0000 != 0b1000_0000).count()
}

/// A JSON value, cut for a message.
pub fn describe(value: &Value) -> String {
    crate::error::shorten(&value.to_string(), QUOTE_LIMIT)
}

/// The JSON type name of a value, for messages.
pub fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(number) if is_integer(number) => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::has_at_least_chars;

    #[test]
    fn counts_characters_not_bytes() {
        // ASCII, two-, three- and four-byte characters, alone and mixed, on both sides of every
        // shortcut (shorter than `count` bytes, ASCII, four bytes per character needed).
        let pieces = ["a", "é", "€", "𝄞"];
        let mut texts = vec![String::new()];
        for length in 1..=6 {
            for combination in 0..pieces.len().pow(length) {
                let mut text = String::new();
                let mut rest = combination;
                for _ in 0..length {
                    text.push_str(pieces[rest % pieces.len()]);
                    rest /= pieces.len();
                }
                texts.push(text);
            }
        }
        for text in &texts {
            let chars = text.chars().count();
            for count in 0..=8 {
                assert_eq!(has_at_least_chars(text, count), chars >= count, "{text:?} against {count}");
            }
        }
    }
}
