//! The schema compiler of audian-events: reads `schema/`, checks it, and turns it into Rust.
//!
//! It works like a small compiler: [`source`] loads the files and resolves `$ref`s among them
//! alone; later passes build a typed model and emit code. Nothing here writes files: callers
//! (the `xtask` binary) decide what to do with the contents returned.

pub mod diagnostic;
pub mod source;

pub use diagnostic::{Diagnostic, Diagnostics, Location, Position};
pub use source::{Example, SchemaFile, SchemaSet};
pub mod catalog;

pub use catalog::EventCatalog;

/// The folders the generator owns: a file there that it does not produce is stale.
pub const GENERATED_DIRS: &[&str] = &["audian-events/src/generated"];

/// One generated file: its path relative to the workspace root, and its contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    pub path: String,
    pub contents: String,
}

/// Checks that the union schema, the event files and the `EventType` enumeration agree.
pub fn check_union(set: &SchemaSet) -> Diagnostics {
    EventCatalog::read(set).err().unwrap_or_default()
}

/// Generates every file from the schemas. Pure: no I/O.
pub fn generate(set: &SchemaSet) -> Result<Vec<GeneratedFile>, Diagnostics> {
    let _catalog = EventCatalog::read(set)?;
    Ok(Vec::new())
}
