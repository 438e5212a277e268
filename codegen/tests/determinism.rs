//! `codegen::generate` on the repository's `schema/` is deterministic, independent of where the
//! folder is, and emits Rust that parses.

mod support;

use std::path::Path;

use codegen::GeneratedFile;
use support::{compile, copy_dir, workspace_root};

fn generate_real() -> Vec<GeneratedFile> {
    compile(&workspace_root().join("schema"))
        .unwrap_or_else(|diagnostics| panic!("schema/ does not generate:\n{diagnostics}"))
}

/// Fails with the first differing line of the first differing file.
fn assert_same_files(first: &[GeneratedFile], second: &[GeneratedFile], what: &str) {
    let paths = |files: &[GeneratedFile]| files.iter().map(|file| file.path.clone()).collect::<Vec<_>>();
    assert_eq!(paths(first), paths(second), "{what}: the generated paths differ");
    for (a, b) in first.iter().zip(second) {
        if a.contents != b.contents {
            let diff = similar::TextDiff::from_lines(&a.contents, &b.contents)
                .unified_diff()
                .context_radius(2)
                .header("first run", "second run")
                .to_string();
            panic!("{what}: {} differs:\n{diff}", a.path);
        }
    }
}

#[test]
fn two_runs_on_the_real_schema_are_identical() {
    let first = generate_real();
    let second = generate_real();
    assert_same_files(&first, &second, "two loads and runs");

    let set = codegen::SchemaSet::load(&workspace_root().join("schema"), Path::new("schema")).expect("schema/ loads");
    let third = codegen::generate(&set).expect("schema/ generates");
    let fourth = codegen::generate(&set).expect("schema/ generates");
    assert_same_files(&third, &fourth, "two runs on one loaded set");
    assert_same_files(&first, &third, "a fresh load and a reused one");
}

#[test]
fn the_output_does_not_depend_on_where_the_schemas_are() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let copy = dir.path().join("elsewhere").join("schema");
    copy_dir(&workspace_root().join("schema"), &copy);
    let moved = compile(&copy).unwrap_or_else(|diagnostics| panic!("the copy does not generate:\n{diagnostics}"));
    assert_same_files(&generate_real(), &moved, "schema/ and a copy of it elsewhere");
    let location = dir.path().to_string_lossy().into_owned();
    for file in &moved {
        assert!(!file.contents.contains(&location), "{} names the folder it was generated from", file.path);
    }
}

#[test]
fn the_real_schema_generates_rust_that_parses() {
    let files = generate_real();
    let rust: Vec<&GeneratedFile> = files.iter().filter(|file| file.path.ends_with(".rs")).collect();
    assert!(rust.len() >= 3, "expected the Rust files mod.rs, common.rs and events.rs; got {:?}", files);
    for file in rust {
        assert!(file.path.starts_with("audian-events/src/generated/"), "{} is outside the generated folder", file.path);
        assert!(file.contents.starts_with(codegen::RUST_HEADER), "{} lacks the generated-file header", file.path);
        if let Err(error) = syn::parse_file(&file.contents) {
            panic!("{} is not valid Rust: {error}", file.path);
        }
    }
    for file in &files {
        assert!(
            codegen::GENERATED_DIRS.iter().any(|dir| file.path.starts_with(&format!("{dir}/")))
                || file.path == "docs/events.md"
                || file.path == codegen::emit_api::OPENAPI_PATH
                || file.path == codegen::emit_api::ASYNCAPI_PATH,
            "{} is written outside the generated folders",
            file.path
        );
    }
    for path in [codegen::emit_api::OPENAPI_PATH, codegen::emit_api::ASYNCAPI_PATH] {
        let file = files.iter().find(|file| file.path == path).unwrap_or_else(|| panic!("{path} is not generated"));
        let document: serde_json::Value = serde_json::from_str(&file.contents).expect("an API description is JSON");
        assert_eq!(document["x-generated"], codegen::emit_api::GENERATED_NOTE, "{path} is not marked generated");
    }
}
