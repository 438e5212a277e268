//! Snapshot tests: each fixture under `tests/fixtures/<fixture>/schema/` generates exactly the
//! files committed under `tests/fixtures/<fixture>/expected/`, one per generated file, named by
//! its file name. Run with `UPDATE_SNAPSHOTS=1` to rewrite the expected files after an intended
//! change, then review the diff.

mod support;

use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::path::Path;

use codegen::SchemaSet;
use codegen::model::{Dialect, Format};
use serde_json::Value;
use support::{FIXTURES, fixtures_dir, generate_fixture, snapshot_name};

const UPDATE_VARIABLE: &str = "UPDATE_SNAPSHOTS";

fn updating() -> bool {
    std::env::var_os(UPDATE_VARIABLE).is_some_and(|value| value == "1")
}

/// Prints to the real standard error: unlike `eprintln!`, not captured by the test harness.
fn say(message: &str) {
    let _ = writeln!(std::io::stderr(), "{message}");
}

/// Compares a fixture's generated files with its `expected/` folder, or rewrites the folder when
/// `UPDATE_SNAPSHOTS=1`.
fn check_snapshot(fixture: &str) {
    let files = generate_fixture(fixture);
    let expected_dir = fixtures_dir().join(fixture).join("expected");
    let names: BTreeSet<&str> = files.iter().map(snapshot_name).collect();
    assert_eq!(names.len(), files.len(), "two generated files share a file name: {names:?}");

    if updating() {
        fs::create_dir_all(&expected_dir).expect("create the expected folder");
        for file in &files {
            let path = expected_dir.join(snapshot_name(file));
            if fs::read_to_string(&path).ok().as_deref() != Some(file.contents.as_str()) {
                fs::write(&path, &file.contents).expect("write the snapshot");
                say(&format!("{UPDATE_VARIABLE}=1: updated {}", path.display()));
            }
        }
        for stale in stale_files(&expected_dir, &names) {
            fs::remove_file(expected_dir.join(&stale)).expect("remove a stale snapshot");
            say(&format!("{UPDATE_VARIABLE}=1: removed {}", expected_dir.join(stale).display()));
        }
        return;
    }

    let mut failures = Vec::new();
    for file in &files {
        let name = snapshot_name(file);
        let path = expected_dir.join(name);
        match fs::read_to_string(&path) {
            Ok(expected) if expected == file.contents => {}
            Ok(expected) => failures.push(format!(
                "{} differs from the generated {}:\n{}",
                path.display(),
                file.path,
                similar::TextDiff::from_lines(&expected, &file.contents)
                    .unified_diff()
                    .context_radius(3)
                    .header(&format!("expected/{name}"), &format!("generated {}", file.path))
            )),
            Err(error) => failures.push(format!("{} cannot be read ({error}): no snapshot yet?", path.display())),
        }
    }
    for stale in stale_files(&expected_dir, &names) {
        failures.push(format!("{} is not generated any more", expected_dir.join(stale).display()));
    }
    assert!(
        failures.is_empty(),
        "the snapshot of fixture {fixture:?} is out of date:\n\n{}\n\nIf the change is intended, run \
         `{UPDATE_VARIABLE}=1 cargo test -p audian-events-codegen --test snapshots` and review the diff of \
         codegen/tests/fixtures/{fixture}/expected/.",
        failures.join("\n")
    );
}

/// The files of the expected folder that no generated file has the name of.
fn stale_files(expected_dir: &Path, names: &BTreeSet<&str>) -> Vec<String> {
    let Ok(entries) = fs::read_dir(expected_dir) else { return Vec::new() };
    let mut stale: Vec<String> = entries
        .map(|entry| entry.expect("directory entry").file_name().to_string_lossy().into_owned())
        .filter(|name| !names.contains(name.as_str()))
        .collect();
    stale.sort();
    stale
}

#[test]
fn calls_fixture_matches_its_snapshot() {
    check_snapshot("calls");
}

#[test]
fn ivr_fixture_matches_its_snapshot() {
    check_snapshot("ivr");
}

#[test]
fn every_fixture_folder_is_a_known_fixture() {
    let mut found: Vec<String> = fs::read_dir(fixtures_dir())
        .expect("tests/fixtures/")
        .map(|entry| entry.expect("directory entry").file_name().to_string_lossy().into_owned())
        .collect();
    found.sort();
    let mut known: Vec<&str> = FIXTURES.to_vec();
    known.sort();
    assert_eq!(found, known, "add a test for each fixture folder, and list it in tests/support/mod.rs");
}

#[test]
fn fixtures_follow_the_layout_rules() {
    for fixture in FIXTURES {
        let root = fixtures_dir().join(fixture).join("schema");
        let set = SchemaSet::load(&root, Path::new("schema"))
            .unwrap_or_else(|diagnostics| panic!("fixture {fixture:?} does not load:\n{diagnostics}"));
        let mut diagnostics = set.check_examples_pairing();
        diagnostics.extend(codegen::check_union(&set));
        assert!(diagnostics.is_empty(), "fixture {fixture:?} breaks the layout rules:\n{diagnostics}");
        let events = set.files().filter(|file| file.path.starts_with("events/")).count();
        assert!((2..=3).contains(&events), "fixture {fixture:?} has {events} events: keep fixtures small");
    }
}

/// Records the keywords of a schema and of its subschemas, and the formats it names.
fn collect_keywords(schema: &Value, keywords: &mut BTreeSet<String>, formats: &mut BTreeSet<String>) {
    let Value::Object(object) = schema else { return };
    for (keyword, value) in object {
        keywords.insert(keyword.clone());
        match (keyword.as_str(), value) {
            ("properties" | "$defs", Value::Object(schemas)) => {
                schemas.values().for_each(|schema| collect_keywords(schema, keywords, formats))
            }
            ("items" | "additionalProperties", schema) => collect_keywords(schema, keywords, formats),
            ("oneOf", Value::Array(schemas)) => {
                schemas.iter().for_each(|schema| collect_keywords(schema, keywords, formats))
            }
            ("format", Value::String(format)) => {
                formats.insert(format.clone());
            }
            _ => {}
        }
    }
}

#[test]
fn fixtures_together_use_every_supported_keyword_and_format() {
    let (mut keywords, mut formats) = (BTreeSet::new(), BTreeSet::new());
    for fixture in FIXTURES {
        let root = fixtures_dir().join(fixture).join("schema");
        let set = SchemaSet::load(&root, Path::new("schema"))
            .unwrap_or_else(|diagnostics| panic!("fixture {fixture:?} does not load:\n{diagnostics}"));
        for file in set.files() {
            collect_keywords(&file.document, &mut keywords, &mut formats);
        }
    }
    let missing: Vec<&str> =
        Dialect::Canonical.keywords().map(|keyword| keyword.name()).filter(|name| !keywords.contains(*name)).collect();
    assert!(missing.is_empty(), "no fixture uses the supported keywords {missing:?}");
    let missing: Vec<&str> =
        Format::ALL.iter().map(|format| format.name()).filter(|name| !formats.contains(*name)).collect();
    assert!(missing.is_empty(), "no fixture uses the supported formats {missing:?}");
}
