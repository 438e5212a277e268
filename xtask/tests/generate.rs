//! `cargo xtask generate` on the repository and on broken copies of `schema/`: every kind of
//! mistake is reported with the file and the place in it.

use std::fs;
use std::path::Path;

use xtask::{Failure, Layout, Mode};

/// A copy of the repository's `schema/` in a temporary workspace, to break on purpose.
struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        let dir = tempfile::tempdir().expect("temporary directory");
        copy_dir(&Layout::repository().workspace.join("schema"), &dir.path().join("schema"));
        Sandbox { dir }
    }

    fn path(&self, relative: &str) -> std::path::PathBuf {
        self.dir.path().join(relative)
    }

    fn edit(&self, relative: &str, edit: impl FnOnce(String) -> String) {
        let path = self.path(relative);
        let text = fs::read_to_string(&path).expect("fixture file");
        let edited = edit(text.clone());
        assert_ne!(text, edited, "the edit of {relative} changed nothing");
        fs::write(path, edited).expect("write fixture");
    }

    fn layout(&self) -> Layout {
        Layout { workspace: self.dir.path().to_path_buf(), schema_dir: "schema".into() }
    }

    /// The message of a failing schema check.
    fn errors(&self) -> String {
        match xtask::check_schemas(&self.layout()) {
            Ok(_) => panic!("the broken schemas were accepted"),
            Err(failure) => failure.to_string(),
        }
    }
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn generated_files_are_fresh() {
    if let Err(failure) = xtask::generate(&Layout::repository(), Mode::Check) {
        panic!("{failure}");
    }
}

#[test]
fn the_repository_schemas_pass_every_check() {
    let set = xtask::check_schemas(&Layout::repository()).unwrap_or_else(|failure| panic!("{failure}"));
    // One file of `events/` per branch of the union, each with one example.
    let mut branches: Vec<&str> = set.file("event.json").expect("the union").document["oneOf"]
        .as_array()
        .expect("a oneOf")
        .iter()
        .map(|branch| branch["$ref"].as_str().expect("a $ref"))
        .collect();
    let mut events: Vec<&str> =
        set.files().map(|file| file.path.as_str()).filter(|path| path.starts_with("events/")).collect();
    branches.sort_unstable();
    events.sort_unstable();
    assert!(!events.is_empty());
    assert_eq!(branches, events);
    for event in &events {
        assert_eq!(set.examples_of(event).count(), 1, "{event}");
    }
    assert_eq!(set.examples().len(), events.len() + 3, "the events' and the three subscription bodies'");
}

#[test]
fn malformed_schema_json_names_file_line_and_column() {
    let sandbox = Sandbox::new();
    sandbox
        .edit("schema/events/call.held.json", |text| text.replacen("\"type\": \"object\",", "\"type\": \"object\"", 1));
    let errors = sandbox.errors();
    assert!(errors.contains("schema/events/call.held.json:7:3: malformed JSON"), "{errors}");
}

#[test]
fn a_schema_that_breaks_the_meta_schema_is_named_with_its_pointer() {
    let sandbox = Sandbox::new();
    sandbox
        .edit("schema/events/call.held.json", |text| text.replacen("\"type\": \"object\"", "\"type\": \"objekt\"", 1));
    let errors = sandbox.errors();
    assert!(errors.contains("schema/events/call.held.json at /type: not a valid draft 2020-12 schema"), "{errors}");
}

#[test]
fn a_failing_example_reports_every_failing_path() {
    let sandbox = Sandbox::new();
    sandbox.edit("schema/examples/call.completed.json", |text| {
        text.replace("\"+14155552671\"", "\"4155552671\"").replace("\"duration\": 305", "\"duration\": -1")
    });
    let errors = sandbox.errors();
    assert!(
        errors.contains(
            "schema/examples/call.completed.json at /data/from: does not match schema/events/call.completed.json"
        ),
        "{errors}"
    );
    assert!(
        errors.contains(
            "schema/examples/call.completed.json at /data/duration: does not match schema/events/call.completed.json"
        ),
        "{errors}"
    );
    assert!(
        errors.contains("schema/examples/call.completed.json at the root: does not match schema/event.json"),
        "{errors}"
    );
}

/// The tolerant schemas are checked too: a failing example is reported against the derived
/// `schema-tolerant/` file (the strict checks, which would stop it first, are skipped here).
#[test]
fn the_tolerant_schemas_are_checked_against_the_meta_schema_and_the_examples() {
    let repository = codegen::SchemaSet::load(&Layout::repository().workspace.join("schema"), Path::new("schema"))
        .unwrap_or_else(|diagnostics| panic!("{diagnostics}"));
    let diagnostics = xtask::reference::check_tolerant(&repository);
    assert!(diagnostics.is_empty(), "{diagnostics}");

    let sandbox = Sandbox::new();
    sandbox.edit("schema/examples/call.completed.json", |text| text.replace("\"duration\": 305", "\"duration\": -1"));
    let set = codegen::SchemaSet::load(&sandbox.path("schema"), Path::new("schema"))
        .unwrap_or_else(|diagnostics| panic!("{diagnostics}"));
    let errors = xtask::reference::check_tolerant(&set).to_string();
    for schema in ["schema-tolerant/events/call.completed.json", "schema-tolerant/event.json"] {
        assert!(
            errors.contains(&format!("schema/examples/call.completed.json at /data/duration: does not match {schema}"))
                || errors
                    .contains(&format!("schema/examples/call.completed.json at the root: does not match {schema}")),
            "{errors}"
        );
    }
}

#[test]
fn formats_are_asserted_on_examples() {
    let sandbox = Sandbox::new();
    sandbox
        .edit("schema/examples/call.ringing.json", |text| text.replace("2024-01-15T10:30:02Z", "2024-01-15 10:30:02"));
    let errors = sandbox.errors();
    assert!(errors.contains("schema/examples/call.ringing.json at /timestamp"), "{errors}");
    assert!(errors.contains("is not a \"date-time\""), "{errors}");
}

#[test]
fn an_unresolvable_ref_names_the_file_and_pointer() {
    let sandbox = Sandbox::new();
    sandbox.edit("schema/events/call.held.json", |text| text.replace("#/$defs/CallId", "#/$defs/CallIdentifier"));
    let errors = sandbox.errors();
    assert!(errors.contains("schema/events/call.held.json at /properties/data/properties/call_id/$ref"), "{errors}");
    assert!(errors.contains("has nothing at the JSON Pointer \"/$defs/CallIdentifier\""), "{errors}");
}

#[test]
fn a_ref_to_an_unknown_file_is_refused_without_fetching_it() {
    let sandbox = Sandbox::new();
    sandbox.edit("schema/events/call.held.json", |text| {
        text.replacen("../common.json#/$defs/CallId", "https://example.com/call-id.json", 1)
    });
    let errors = sandbox.errors();
    assert!(errors.contains("which is the `$id` of no file in schema"), "{errors}");
}

#[test]
fn an_example_without_a_schema_is_reported() {
    let sandbox = Sandbox::new();
    fs::copy(sandbox.path("schema/examples/call.held.json"), sandbox.path("schema/examples/call.parked.json")).unwrap();
    let errors = sandbox.errors();
    assert!(
        errors.contains(
            "schema/examples/call.parked.json: this example has no schema: expected schema/events/call.parked.json"
        ),
        "{errors}"
    );
}

#[test]
fn a_schema_without_an_example_is_reported() {
    let sandbox = Sandbox::new();
    fs::remove_file(sandbox.path("schema/examples/webhooks/update.json")).unwrap();
    let errors = sandbox.errors();
    assert!(
        errors.contains(
            "schema/webhooks/update.json: this schema has no example: add one as schema/examples/webhooks/update.json"
        ),
        "{errors}"
    );
}

#[test]
fn an_event_missing_from_the_union_is_reported() {
    let sandbox = Sandbox::new();
    sandbox.edit("schema/event.json", |text| {
        text.replace("    {\n      \"$ref\": \"events/call.held.json\"\n    },\n", "")
    });
    let errors = sandbox.errors();
    assert!(errors.contains("schema/events/call.held.json is missing from the union"), "{errors}");
}

#[test]
fn a_missing_id_is_reported() {
    let sandbox = Sandbox::new();
    sandbox.edit("schema/events/call.held.json", |text| {
        text.replace("  \"$id\": \"https://audian-events.dev/schema/events/call.held.json\",\n", "")
    });
    let errors = sandbox.errors();
    assert!(errors.contains("schema/events/call.held.json at the root: missing `$id`"), "{errors}");
}

#[test]
fn check_mode_reports_a_stale_file_with_a_diff_and_the_fix() {
    let sandbox = Sandbox::new();
    let layout = sandbox.layout();
    let summary = xtask::generate(&layout, Mode::Write).unwrap_or_else(|failure| panic!("{failure}"));
    let Some(first) = summary.written.first() else {
        // Until the generator produces files there is nothing to go stale.
        return;
    };
    fs::write(sandbox.path(first), "// edited by hand\n").unwrap();
    match xtask::generate(&layout, Mode::Check) {
        Err(Failure::Stale { .. }) => {}
        other => panic!("expected a stale-file failure, got {other:?}"),
    }
    let message = xtask::generate(&layout, Mode::Check).unwrap_err().to_string();
    assert!(message.contains(&format!("--- a/{first}")), "{message}");
    assert!(message.contains("run `cargo xtask generate` and commit"), "{message}");
}
