//! Errors of the typed API.

use std::fmt;

/// Longest value quoted in a message, in characters.
const QUOTE_LIMIT: usize = 64;

/// A string that is not a valid value of a checked type, such as a phone number without `+`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidValue {
    type_name: &'static str,
    value: String,
    expected: &'static str,
}

impl InvalidValue {
    #[doc(hidden)]
    pub fn new(type_name: &'static str, value: &str, expected: &'static str) -> Self {
        InvalidValue { type_name, value: quote(value), expected }
    }

    /// The Rust type that refused the value, such as `PhoneNumber`.
    pub fn type_name(&self) -> &'static str {
        self.type_name
    }

    /// What a valid value looks like.
    pub fn expected(&self) -> &'static str {
        self.expected
    }
}

impl fmt::Display for InvalidValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} is not a valid {}: expected {}", self.value, self.type_name, self.expected)
    }
}

impl std::error::Error for InvalidValue {}

/// A payload that could not be parsed into an [`Event`](crate::Event): malformed JSON (with its
/// line and column) or a value of the wrong type (with the path of the field).
#[derive(Debug)]
pub struct ParseError {
    path: String,
    inner: serde_json::Error,
}

impl ParseError {
    /// The path of the field where parsing failed, such as `data.duration`; empty at the root or
    /// for a syntax error.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The 1-based line of the input where parsing failed.
    pub fn line(&self) -> usize {
        self.inner.line()
    }

    /// The 1-based column of the input where parsing failed.
    pub fn column(&self) -> usize {
        self.inner.column()
    }

    /// Whether the input was not JSON at all (or was cut short), rather than JSON of the wrong shape.
    pub fn is_syntax(&self) -> bool {
        matches!(self.inner.classify(), serde_json::error::Category::Syntax | serde_json::error::Category::Eof)
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() || self.path == "." || self.is_syntax() {
            write!(f, "{}", self.inner)
        } else {
            write!(f, "at `{}`: {}", self.path, self.inner)
        }
    }
}

impl std::error::Error for ParseError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.inner)
    }
}

impl From<serde_path_to_error::Error<serde_json::Error>> for ParseError {
    fn from(error: serde_path_to_error::Error<serde_json::Error>) -> Self {
        ParseError { path: error.path().to_string(), inner: error.into_inner() }
    }
}

impl From<serde_json::Error> for ParseError {
    fn from(inner: serde_json::Error) -> Self {
        ParseError { path: String::new(), inner }
    }
}

/// A value quoted for a message, cut at [`QUOTE_LIMIT`] characters.
pub(crate) fn quote(value: &str) -> String {
    let (kept, cut) = cut(value, QUOTE_LIMIT);
    format!("{kept:?}{}", if cut { "..." } else { "" })
}

/// A text for a message, cut at `limit` characters.
pub(crate) fn shorten(text: &str, limit: usize) -> String {
    let (kept, cut) = cut(text, limit);
    if cut { format!("{kept}...") } else { kept.to_owned() }
}

/// The first `limit` characters of `text`, and whether anything was cut: where every message of
/// the crate is cut.
fn cut(text: &str, limit: usize) -> (&str, bool) {
    match text.char_indices().nth(limit) {
        Some((end, _)) => (&text[..end], true),
        None => (text, false),
    }
}
