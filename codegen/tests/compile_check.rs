//! The committed snapshots compile: each fixture's expected Rust files (`common.rs`, `events.rs`,
//! `mod.rs`, ...), put in place of `src/generated/` in a copy of the runtime of `audian-events` (the
//! hand-written modules the generated code calls; not the helpers written against the Audian
//! events themselves, such as the call timelines), pass `cargo check`, and their doctests (each
//! event's documented example) pass. The copy is a standalone package, named `audian_events` as a
//! library so that the doctests read as they do in the real crate, in a temporary directory that
//! reuses the workspace's `Cargo.lock` (offline) and builds into `target/snapshot-check`.

mod support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use support::{FIXTURES, fixtures_dir, workspace_root};

/// The runtime dependencies of `audian-events`, taken from `[workspace.dependencies]`.
const DEPENDENCIES: &[&str] = &["serde", "serde_json", "serde_path_to_error", "chrono", "smol_str"];
/// Optional, behind the `schemars` feature as in `audian-events`.
const OPTIONAL_DEPENDENCY: &str = "schemars";

/// The line `name = ...` of the workspace's `[workspace.dependencies]`.
fn workspace_dependency(manifest: &str, name: &str) -> String {
    let section = manifest
        .split("\n[")
        .find(|section| section.starts_with("workspace.dependencies]"))
        .expect("the workspace Cargo.toml has [workspace.dependencies]");
    let line = section
        .lines()
        .find(|line| line.split_once('=').is_some_and(|(key, _)| key.trim() == name))
        .unwrap_or_else(|| panic!("[workspace.dependencies] has no `{name} = ...` line"));
    let value = line.split_once('=').expect("a key = value line").1.trim();
    assert!(
        value.starts_with('"') || (value.starts_with('{') && value.ends_with('}')),
        "`{line}`: only one-line dependency specifications are understood here"
    );
    value.to_owned()
}

/// The same specification, made optional.
fn optional(value: &str) -> String {
    match value.strip_prefix('{') {
        Some(rest) => format!("{{ optional = true,{rest}"),
        None => format!("{{ version = {value}, optional = true }}"),
    }
}

/// The manifest of the snapshot crate of a fixture. Each fixture has its own package name, so that
/// the checks of two fixtures, which may run at the same time, never share build artifacts.
fn manifest(fixture: &str) -> String {
    let workspace_manifest =
        fs::read_to_string(workspace_root().join("Cargo.toml")).expect("read the workspace Cargo.toml");
    let mut dependencies: String = DEPENDENCIES
        .iter()
        .map(|name| format!("{name} = {}\n", workspace_dependency(&workspace_manifest, name)))
        .collect();
    dependencies.push_str(&format!(
        "{OPTIONAL_DEPENDENCY} = {}\n",
        optional(&workspace_dependency(&workspace_manifest, OPTIONAL_DEPENDENCY))
    ));
    format!(
        "[package]\n\
         name = \"snapshot-check-{fixture}\"\n\
         version = \"0.0.0\"\n\
         edition = \"2024\"\n\
         publish = false\n\
         \n\
         [lib]\n\
         name = \"audian_events\"\n\
         \n\
         [dependencies]\n\
         {dependencies}\
         \n\
         [features]\n\
         schemars = [\"dep:schemars\"]\n\
         # Declared so that the generated module of its strategies is a known cfg; not built here.\n\
         testing = []\n\
         \n\
         # Not a member of the workspace above the temporary directory, if any.\n\
         [workspace]\n"
    )
}

/// The modules of `audian-events/src` that generated code relies on, as declared in its `lib.rs`.
const RUNTIME_MODULES: &[&str] = &[
    "#[doc(hidden)] pub mod de;",
    "mod envelope;",
    "mod error;",
    "#[doc(hidden)] pub mod integer;",
    "mod parse;",
    "#[doc(hidden)] pub mod string_enum;",
    "mod timestamp;",
    "pub mod validation;",
];
/// The modules written against the Audian events themselves, left out of the snapshot crate.
const HELPER_MODULES: &[&str] = &["axum", "clock", "dedup", "subscription", "testing", "timeline"];
/// The re-exports of the runtime, as in `lib.rs`.
const RUNTIME_EXPORTS: &str = "pub use envelope::{Envelope, UnknownEvent};
pub use error::{InvalidValue, ParseError};
pub use generated::*;
pub use validation::{PayloadError, ValidationError, ValidationErrors, is_valid, parse_validated, validate};
";

fn module_name(declaration: &str) -> &str {
    declaration.trim_end_matches(';').rsplit(' ').next().expect("a module declaration")
}

/// Copies the runtime modules of `audian-events/src` and writes a `lib.rs` that declares them.
fn copy_runtime(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create the source folder");
    let mut lib = String::from("#![allow(dead_code)]\n");
    for declaration in RUNTIME_MODULES {
        let name = module_name(declaration);
        let file = from.join(format!("{name}.rs"));
        if file.exists() {
            fs::copy(&file, to.join(format!("{name}.rs"))).expect("copy a source file");
        } else {
            copy_dir(&from.join(name), &to.join(name));
        }
        lib.push_str(declaration);
        lib.push('\n');
    }
    lib.push_str("#[rustfmt::skip]\nmod generated;\n");
    lib.push_str(RUNTIME_EXPORTS);
    fs::write(to.join("lib.rs"), lib).expect("write lib.rs");
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create a source folder");
    for entry in fs::read_dir(from).expect("read a source folder") {
        let path = entry.expect("directory entry").path();
        fs::copy(&path, to.join(path.file_name().expect("a file name"))).expect("copy a source file");
    }
}

#[test]
fn every_module_of_the_crate_is_either_runtime_or_helper() {
    let lib = fs::read_to_string(workspace_root().join("audian-events/src/lib.rs")).expect("lib.rs");
    for line in lib.lines().map(str::trim).filter(|line| line.starts_with("mod ") || line.starts_with("pub mod ")) {
        let name = module_name(line);
        let known = name == "generated"
            || HELPER_MODULES.contains(&name)
            || RUNTIME_MODULES.iter().any(|declaration| module_name(declaration) == name);
        assert!(known, "audian-events/src/lib.rs declares `{name}`: add it to RUNTIME_MODULES or HELPER_MODULES here");
    }
}

/// Builds the crate of a fixture's snapshot in a temporary directory.
fn snapshot_crate(fixture: &str) -> tempfile::TempDir {
    let workspace = workspace_root();
    let dir = tempfile::Builder::new().prefix("snapshot-check-").tempdir().expect("temporary directory");
    let root = dir.path();
    fs::write(root.join("Cargo.toml"), manifest(fixture)).expect("write Cargo.toml");
    fs::copy(workspace.join("Cargo.lock"), root.join("Cargo.lock")).expect("copy Cargo.lock");
    copy_runtime(&workspace.join("audian-events").join("src"), &root.join("src"));

    let expected = fixtures_dir().join(fixture).join("expected");
    let generated = root.join("src").join("generated");
    fs::create_dir_all(&generated).expect("create src/generated");
    let mut copied = Vec::new();
    for entry in fs::read_dir(&expected).expect("the fixture's expected/ folder") {
        let path = entry.expect("directory entry").path();
        if path.extension().is_some_and(|extension| extension == "rs") {
            fs::copy(&path, generated.join(path.file_name().expect("a file name"))).expect("copy a snapshot");
            copied.push(path.file_name().expect("a file name").to_string_lossy().into_owned());
        }
    }
    copied.sort();
    for needed in ["common.rs", "events.rs", "mod.rs"] {
        assert!(copied.iter().any(|name| name == needed), "{} has no {needed}: {copied:?}", expected.display());
    }
    dir
}

/// Runs `cargo check` on the snapshot crate, with extra arguments; returns its stderr.
fn cargo_check(root: &Path, extra: &[&str]) -> String {
    cargo(root, &[&["check", "--offline", "--quiet"], extra].concat()).1
}

/// Runs the doctests of the generated modules of the snapshot crate (the runtime's own doctests
/// are about the real events); returns how many ran.
fn generated_doctests(root: &Path) -> usize {
    let (stdout, _) = cargo(root, &["test", "--offline", "--quiet", "--doc", "--", "src/generated/"]);
    stdout
        .lines()
        .filter_map(|line| line.strip_prefix("test result: ok. "))
        .filter_map(|rest| rest.split(' ').next()?.parse::<usize>().ok())
        .sum()
}

/// Runs cargo on the snapshot crate, failing the test if it fails; returns its stdout and stderr.
fn cargo(root: &Path, args: &[&str]) -> (String, String) {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let target_dir: PathBuf = workspace_root().join("target").join("snapshot-check");
    let output = Command::new(&cargo)
        .args(args)
        .current_dir(root)
        .env("CARGO_TARGET_DIR", &target_dir)
        .output()
        .unwrap_or_else(|error| panic!("cannot run {}: {error}", Path::new(&cargo).display()));
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "`cargo {}` failed on the snapshot crate in {} ({}):\n{stdout}\n{stderr}",
        args.join(" "),
        root.display(),
        output.status
    );
    (stdout, stderr)
}

/// Checks a fixture's snapshot crate without and with the `schemars` feature, and runs the
/// doctests of its generated modules; returns what the compiler printed (its warnings).
fn check_fixture(fixture: &str) -> String {
    let started = Instant::now();
    let dir = snapshot_crate(fixture);
    let mut output = cargo_check(dir.path(), &[]);
    output.push_str(&cargo_check(dir.path(), &["--features", "schemars"]));
    let events = fs::read_dir(fixtures_dir().join(fixture).join("schema").join("events")).expect("events/").count();
    let doctests = generated_doctests(dir.path());
    assert!(doctests >= events, "the snapshot of {fixture:?} ran {doctests} doctests, expected one per event at least");
    println!("the snapshot of {fixture:?} was checked, and its {doctests} doctests run, in {:.1?}", started.elapsed());
    if output.contains("warning") {
        println!("warnings of the snapshot crate of {fixture:?}:\n{output}");
    }
    output
}

/// One test for every fixture: their crates share a target folder, so cargo would build them one
/// after the other anyway.
#[test]
fn snapshots_compile_without_warnings_and_pass_their_doctests() {
    for fixture in FIXTURES {
        let output = check_fixture(fixture);
        assert!(!output.contains("warning"), "the snapshot of {fixture:?} compiles with warnings:\n{output}");
    }
}
