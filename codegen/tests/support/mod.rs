//! Helpers shared by the integration tests of the code generator.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

use codegen::{Diagnostics, GeneratedFile, SchemaSet};

/// The fixtures under `tests/fixtures/`, each with a `schema/` folder and its `expected/` output.
pub const FIXTURES: &[&str] = &["calls", "ivr"];

/// The workspace root: the parent of this crate.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("codegen lives in the workspace").to_path_buf()
}

/// `tests/fixtures/` of this crate.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("fixtures")
}

/// Loads a schema folder, named `schema` in messages as in the repository, and generates from it.
pub fn compile(schema_root: &Path) -> Result<Vec<GeneratedFile>, Diagnostics> {
    let set = SchemaSet::load(schema_root, Path::new("schema"))?;
    codegen::generate(&set)
}

/// Generates a fixture's files, failing the test with the diagnostics if there are any.
pub fn generate_fixture(fixture: &str) -> Vec<GeneratedFile> {
    let root = fixtures_dir().join(fixture).join("schema");
    compile(&root).unwrap_or_else(|diagnostics| panic!("fixture {fixture:?} does not generate:\n{diagnostics}"))
}

/// The name a generated file has in a fixture's `expected/` folder: its file name.
pub fn snapshot_name(file: &GeneratedFile) -> &str {
    Path::new(&file.path).file_name().and_then(|name| name.to_str()).expect("a generated path ends with a file name")
}

/// Copies a folder recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap_or_else(|error| panic!("cannot create {}: {error}", to.display()));
    for entry in fs::read_dir(from).unwrap_or_else(|error| panic!("cannot read {}: {error}", from.display())) {
        let entry = entry.expect("directory entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap_or_else(|error| {
                panic!("cannot copy {} to {}: {error}", entry.path().display(), target.display())
            });
        }
    }
}
