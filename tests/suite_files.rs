//! The files of the JSON Schema Test Suite's draft 2020-12 folder that are compiled, and the
//! digest that tells when one has changed. Shared (by `#[path]`) by `build.rs`, which compiles
//! them, and `tests/json_schema_suite.rs`, which checks that the files on disk are still those
//! compiled: cargo reruns a build script only when a file's modification time is newer than its
//! last run, which a copy that keeps the times of its source (`cp -p`, `rsync -t`, `tar x`) defeats.

use std::io;
use std::path::Path;

/// The files of `optional/` that are read besides the top level: the formats the generator asserts.
pub const OPTIONAL_FILES: &[&str] = &["optional/format/date-time.json", "optional/format/uri.json"];

/// The files compiled, relative to the suite folder: every `.json` file of its top level, sorted,
/// then [`OPTIONAL_FILES`].
pub fn list(suite_dir: &Path) -> io::Result<Vec<String>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(suite_dir)? {
        let path = entry?.path();
        if path.is_file() && path.extension().is_some_and(|extension| extension == "json") {
            files.push(path.file_name().expect("a file has a name").to_string_lossy().into_owned());
        }
    }
    files.sort();
    files.extend(OPTIONAL_FILES.iter().map(|&file| file.to_owned()));
    Ok(files)
}

/// FNV-1a, 64 bits: the same on every machine and toolchain, which `std`'s hasher does not promise.
pub fn digest(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3))
}
