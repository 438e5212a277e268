//! Errors that point at a place in a schema file.

use std::fmt;
use std::path::PathBuf;

/// Where a problem is: a file, and inside it a line and column or a JSON Pointer.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    pub file: PathBuf,
    pub position: Position,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Position {
    /// The whole file.
    File,
    /// A line and column, 1-based, for syntax errors.
    LineColumn { line: usize, column: usize },
    /// A JSON Pointer (RFC 6901) into the document; `""` is the root.
    Pointer(String),
}

impl Location {
    pub fn file(file: impl Into<PathBuf>) -> Self {
        Location { file: file.into(), position: Position::File }
    }

    pub fn pointer(file: impl Into<PathBuf>, pointer: impl Into<String>) -> Self {
        Location { file: file.into(), position: Position::Pointer(pointer.into()) }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = self.file.display();
        match &self.position {
            Position::File => write!(f, "{file}"),
            Position::LineColumn { line, column } => write!(f, "{file}:{line}:{column}"),
            Position::Pointer(pointer) if pointer.is_empty() => write!(f, "{file} at the root"),
            Position::Pointer(pointer) => write!(f, "{file} at {pointer}"),
        }
    }
}

/// One problem found in the schemas, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    pub location: Location,
    pub message: String,
}

impl Diagnostic {
    pub fn new(location: Location, message: impl Into<String>) -> Self {
        Diagnostic { location, message: message.into() }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// Every problem found in one pass, reported together and in a stable order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(Vec<Diagnostic>);

impl Diagnostics {
    pub fn new() -> Self {
        Diagnostics(Vec::new())
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    pub fn error(&mut self, location: Location, message: impl Into<String>) {
        self.push(Diagnostic::new(location, message));
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    /// `Ok(value)` when nothing was reported, the sorted diagnostics otherwise.
    pub fn finish<T>(mut self, value: T) -> Result<T, Diagnostics> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            self.0.sort();
            self.0.dedup();
            Err(self)
        }
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, diagnostic) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "error: {diagnostic}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

impl From<Diagnostic> for Diagnostics {
    fn from(diagnostic: Diagnostic) -> Self {
        Diagnostics(vec![diagnostic])
    }
}

/// Appends one reference token to a JSON Pointer, escaping `~` and `/` (RFC 6901).
pub fn pointer_push(pointer: &str, token: &str) -> String {
    let escaped = token.replace('~', "~0").replace('/', "~1");
    format!("{pointer}/{escaped}")
}
