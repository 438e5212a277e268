//! `cargo xtask generate`: check `schema/` and the tolerant schemas derived from it with the
//! reference validator, run the code generator and write (or, with `--check`, compare) the
//! generated files.

pub mod compat;
pub mod reference;

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use codegen::{Diagnostics, GeneratedFile, SchemaSet};

/// Write the generated files, or only compare them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Write,
    Check,
}

/// Where things are: the workspace root and, inside it, the schema folder.
#[derive(Debug, Clone)]
pub struct Layout {
    pub workspace: PathBuf,
    /// Relative to `workspace`.
    pub schema_dir: PathBuf,
}

impl Layout {
    /// The layout of this repository.
    pub fn repository() -> Layout {
        let workspace =
            Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_path_buf();
        Layout { workspace, schema_dir: PathBuf::from("schema") }
    }
}

/// What a successful run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub schemas: usize,
    pub examples: usize,
    pub written: Vec<String>,
    pub unchanged: Vec<String>,
    pub removed: Vec<String>,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} schemas, their tolerant derivations and {} examples checked with the reference validator",
            self.schemas, self.examples
        )?;
        for path in &self.written {
            writeln!(f, "  wrote {path}")?;
        }
        for path in &self.removed {
            writeln!(f, "  removed {path}")?;
        }
        write!(
            f,
            "{} files written, {} removed, {} unchanged",
            self.written.len(),
            self.removed.len(),
            self.unchanged.len()
        )
    }
}

/// Why a run failed.
#[derive(Debug)]
pub enum Failure {
    /// The schemas or examples are wrong.
    Schemas(Diagnostics),
    /// `--check` found generated files that differ from what the generator produces now.
    Stale {
        diffs: Vec<String>,
    },
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Schemas(diagnostics) => {
                writeln!(f, "{diagnostics}")?;
                write!(f, "{} problems found; nothing was written", diagnostics.len())
            }
            Failure::Stale { diffs } => {
                for diff in diffs {
                    writeln!(f, "{diff}")?;
                }
                write!(
                    f,
                    "{} generated files are not up to date: run `cargo xtask generate` and commit the result",
                    diffs.len()
                )
            }
            Failure::Io { path, error } => write!(f, "{}: {error}", path.display()),
        }
    }
}

impl std::error::Error for Failure {}

impl From<Diagnostics> for Failure {
    fn from(diagnostics: Diagnostics) -> Self {
        Failure::Schemas(diagnostics)
    }
}

/// Loads and checks the schemas and examples, and the tolerant schemas derived from them, without
/// generating anything.
pub fn check_schemas(layout: &Layout) -> Result<SchemaSet, Failure> {
    let set = SchemaSet::load(&layout.workspace.join(&layout.schema_dir), &layout.schema_dir)?;
    let mut diagnostics = reference::check_meta_schema(&set);
    diagnostics.extend(set.check_examples_pairing());
    diagnostics.extend(codegen::check_union(&set));
    if !diagnostics.is_empty() {
        return Err(diagnostics.finish(()).unwrap_err().into());
    }
    let validators = reference::ReferenceValidators::build(&set)?;
    validators.check_examples(&set).finish(())?;
    reference::check_tolerant(&set).finish(())?;
    Ok(set)
}

/// The whole of `cargo xtask generate [--check]`.
pub fn generate(layout: &Layout, mode: Mode) -> Result<Summary, Failure> {
    let set = check_schemas(layout)?;
    let files = codegen::generate(&set)?;
    let mut summary = Summary { schemas: set.files().count(), examples: set.examples().len(), ..Summary::default() };
    let mut diffs = Vec::new();

    for file in &files {
        let path = layout.workspace.join(&file.path);
        let current = fs::read_to_string(&path).ok();
        if current.as_deref() == Some(file.contents.as_str()) {
            summary.unchanged.push(file.path.clone());
            continue;
        }
        match mode {
            Mode::Check => diffs.push(unified_diff(&file.path, current.as_deref().unwrap_or(""), &file.contents)),
            Mode::Write => {
                if let Some(parent) = path.parent() {
                    fs::create_dir_all(parent).map_err(|error| Failure::Io { path: parent.to_path_buf(), error })?;
                }
                fs::write(&path, &file.contents).map_err(|error| Failure::Io { path: path.clone(), error })?;
                summary.written.push(file.path.clone());
            }
        }
    }

    // A file left in a generated folder that the generator no longer produces is stale too.
    for dir in codegen::GENERATED_DIRS {
        for leftover in leftover_files(&layout.workspace, dir, &files) {
            match mode {
                Mode::Check => diffs.push(format!("{leftover} is no longer generated and should be removed")),
                Mode::Write => {
                    let path = layout.workspace.join(&leftover);
                    fs::remove_file(&path).map_err(|error| Failure::Io { path, error })?;
                    summary.removed.push(leftover);
                }
            }
        }
    }

    if diffs.is_empty() { Ok(summary) } else { Err(Failure::Stale { diffs }) }
}

fn leftover_files(workspace: &Path, dir: &str, generated: &[GeneratedFile]) -> Vec<String> {
    let Ok(entries) = fs::read_dir(workspace.join(dir)) else { return Vec::new() };
    let mut leftovers: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_ok_and(|kind| kind.is_file()))
        .map(|entry| format!("{dir}/{}", entry.file_name().to_string_lossy()))
        .filter(|path| !generated.iter().any(|file| &file.path == path))
        .collect();
    leftovers.sort();
    leftovers
}

fn unified_diff(path: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}
