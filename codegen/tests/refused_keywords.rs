//! Keywords outside the supported subset are refused, each with the file and the JSON Pointer of
//! the keyword: one keyword is injected into a copy of the repository's `schema/`.

mod support;

use std::fs;
use std::path::Path;

use codegen::Diagnostics;
use serde_json::{Value, json};
use support::{compile, copy_dir, workspace_root};

/// A copy of the repository's `schema/`, to break on purpose.
struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        let dir = tempfile::tempdir().expect("temporary directory");
        copy_dir(&workspace_root().join("schema"), dir.path());
        Sandbox { dir }
    }

    /// Adds `"keyword": value` to the schema object at `pointer` in `file`.
    fn inject(&self, file: &str, pointer: &str, keyword: &str, value: Value) -> &Sandbox {
        let path = self.dir.path().join(file);
        let text = fs::read_to_string(&path).unwrap_or_else(|error| panic!("cannot read {file}: {error}"));
        let mut document: Value = serde_json::from_str(&text).expect("a schema file is JSON");
        let object = document
            .pointer_mut(pointer)
            .and_then(Value::as_object_mut)
            .unwrap_or_else(|| panic!("{file} has no object at {pointer:?}"));
        assert!(object.insert(keyword.to_owned(), value).is_none(), "{file} already has {keyword} at {pointer:?}");
        fs::write(&path, serde_json::to_string_pretty(&document).expect("JSON serializes")).expect("write");
        self
    }

    fn generate(&self) -> Result<Vec<codegen::GeneratedFile>, Diagnostics> {
        compile(self.dir.path())
    }

    /// The diagnostics of a run that must fail.
    fn diagnostics(&self) -> Diagnostics {
        match self.generate() {
            Ok(_) => panic!("the schemas with an unsupported keyword were accepted"),
            Err(diagnostics) => diagnostics,
        }
    }
}

/// Checks that exactly the given places are reported, each `(file, pointer, part of the message)`,
/// as `error: schema/<file> at <pointer>: ...` lines.
fn assert_reported(diagnostics: &Diagnostics, expected: &[(&str, &str, &str)]) {
    let lines: Vec<String> = diagnostics.to_string().lines().map(str::to_owned).collect();
    for (file, pointer, message) in expected {
        let prefix = format!("error: schema/{file} at {pointer}: ");
        assert!(
            lines.iter().any(|line| line.starts_with(&prefix) && line[prefix.len()..].contains(message)),
            "expected a line starting with {prefix:?} and containing {message:?}; got:\n{diagnostics}"
        );
    }
    assert_eq!(diagnostics.len(), expected.len(), "expected {} errors; got:\n{diagnostics}", expected.len());
}

const HELD: &str = "events/call.held.json";
const HELD_CALL_ID: &str = "/properties/data/properties/call_id";
const HELD_DATA: &str = "/properties/data";
const COMPLETED: &str = "events/call.completed.json";
const COMPLETED_DURATION: &str = "/properties/data/properties/duration";
const CREATE: &str = "webhooks/create.json";
const CREATE_EVENTS: &str = "/properties/events";

/// Injects one unsupported keyword and checks the one error it causes.
fn assert_refused(file: &str, at: &str, keyword: &str, value: Value) {
    let sandbox = Sandbox::new();
    sandbox.inject(file, at, keyword, value);
    let message = format!("unsupported keyword `{keyword}`");
    assert_reported(&sandbox.diagnostics(), &[(file, &format!("{at}/{keyword}"), &message)]);
}

#[test]
fn the_unmodified_copy_generates() {
    if let Err(diagnostics) = Sandbox::new().generate() {
        panic!("the copy of schema/ does not generate:\n{diagnostics}");
    }
}

#[test]
fn refuses_all_of() {
    assert_refused(HELD, HELD_CALL_ID, "allOf", json!([{"type": "string"}]));
}

#[test]
fn refuses_any_of() {
    assert_refused(HELD, HELD_CALL_ID, "anyOf", json!([{"type": "string"}, {"type": "null"}]));
}

#[test]
fn refuses_not() {
    assert_refused(HELD, HELD_CALL_ID, "not", json!({"const": "call_0"}));
}

#[test]
fn refuses_if_then_else_each() {
    let sandbox = Sandbox::new();
    sandbox
        .inject(HELD, HELD_CALL_ID, "if", json!({"minLength": 10}))
        .inject(HELD, HELD_CALL_ID, "then", json!({"pattern": "^call_"}))
        .inject(HELD, HELD_CALL_ID, "else", json!(false));
    assert_reported(
        &sandbox.diagnostics(),
        &[
            (HELD, &format!("{HELD_CALL_ID}/if"), "unsupported keyword `if`"),
            (HELD, &format!("{HELD_CALL_ID}/then"), "unsupported keyword `then`"),
            (HELD, &format!("{HELD_CALL_ID}/else"), "unsupported keyword `else`"),
        ],
    );
}

#[test]
fn refuses_pattern_properties() {
    assert_refused(HELD, HELD_DATA, "patternProperties", json!({"^x_": {"type": "string"}}));
}

#[test]
fn refuses_unevaluated_properties() {
    assert_refused(HELD, HELD_DATA, "unevaluatedProperties", json!(false));
}

#[test]
fn refuses_dependent_required() {
    assert_refused(HELD, HELD_DATA, "dependentRequired", json!({"held_at": ["call_id"]}));
}

#[test]
fn refuses_property_names_at_the_root() {
    assert_refused(HELD, "", "propertyNames", json!({"pattern": "^[a-z]+$"}));
}

#[test]
fn refuses_max_length() {
    assert_refused(HELD, HELD_CALL_ID, "maxLength", json!(64));
}

#[test]
fn refuses_exclusive_minimum() {
    assert_refused(COMPLETED, COMPLETED_DURATION, "exclusiveMinimum", json!(0));
}

#[test]
fn refuses_multiple_of() {
    assert_refused(COMPLETED, COMPLETED_DURATION, "multipleOf", json!(5));
}

#[test]
fn refuses_unique_items() {
    assert_refused(CREATE, CREATE_EVENTS, "uniqueItems", json!(true));
}

#[test]
fn refuses_prefix_items() {
    assert_refused(CREATE, CREATE_EVENTS, "prefixItems", json!([{"const": "*"}]));
}

#[test]
fn refuses_contains() {
    assert_refused(CREATE, CREATE_EVENTS, "contains", json!({"const": "call.completed"}));
}

#[test]
fn refuses_max_items() {
    assert_refused(CREATE, CREATE_EVENTS, "maxItems", json!(18));
}

#[test]
fn refuses_dynamic_ref_inside_one_of() {
    assert_refused("common.json", "/$defs/EventSelector/oneOf/1", "$dynamicRef", json!("#meta"));
}

#[test]
fn refuses_anchor_inside_defs() {
    assert_refused("common.json", "/$defs/CallId", "$anchor", json!("call-id"));
}

#[test]
fn refuses_draft_7_definitions() {
    assert_refused("common.json", "", "definitions", json!({"Old": {"type": "string"}}));
}

#[test]
fn refuses_default_inside_the_union() {
    assert_refused("event.json", "/oneOf/0", "default", json!({}));
}

#[test]
fn refuses_a_nested_id() {
    let sandbox = Sandbox::new();
    sandbox.inject(HELD, HELD_CALL_ID, "$id", json!("https://audian-events.dev/schema/call-id.json"));
    let pointer = format!("{HELD_CALL_ID}/$id");
    assert_reported(&sandbox.diagnostics(), &[(HELD, &pointer, "`$id` is supported only at the root of a file")]);
}

#[test]
fn refuses_a_nested_schema_dialect() {
    let sandbox = Sandbox::new();
    sandbox.inject(HELD, HELD_CALL_ID, "$schema", json!("https://json-schema.org/draft/2020-12/schema"));
    let pointer = format!("{HELD_CALL_ID}/$schema");
    assert_reported(&sandbox.diagnostics(), &[(HELD, &pointer, "`$schema` is supported only at the root of a file")]);
}

#[test]
fn refuses_an_unsupported_format() {
    let sandbox = Sandbox::new();
    let at = "/properties/data/properties/completion_reason";
    sandbox.inject(COMPLETED, at, "format", json!("email"));
    assert_reported(&sandbox.diagnostics(), &[(COMPLETED, &format!("{at}/format"), "unsupported `format` \"email\"")]);
}

#[test]
fn refuses_a_pattern_that_needs_backtracking() {
    let sandbox = Sandbox::new();
    sandbox.inject("common.json", "/$defs/MenuId", "pattern", json!("a*a"));
    assert_reported(
        &sandbox.diagnostics(),
        &[("common.json", "/$defs/MenuId/pattern", "unsupported `pattern` \"a*a\": a repeated atom may match")],
    );
}

#[test]
fn refuses_a_pattern_with_groups() {
    let sandbox = Sandbox::new();
    sandbox.inject("common.json", "/$defs/MenuId", "pattern", json!("^(menu|ivr)_"));
    assert_reported(&sandbox.diagnostics(), &[("common.json", "/$defs/MenuId/pattern", "unsupported `pattern`")]);
}

#[test]
fn unsupported_keywords_in_two_files_are_both_reported() {
    let sandbox = Sandbox::new();
    sandbox.inject(HELD, HELD_CALL_ID, "allOf", json!([{"type": "string"}])).inject(
        "common.json",
        "/$defs/PhoneNumber",
        "maxLength",
        json!(16),
    );
    assert_reported(
        &sandbox.diagnostics(),
        &[
            ("common.json", "/$defs/PhoneNumber/maxLength", "unsupported keyword `maxLength`"),
            (HELD, &format!("{HELD_CALL_ID}/allOf"), "unsupported keyword `allOf`"),
        ],
    );
}

#[test]
fn pointer_tokens_are_escaped() {
    let sandbox = Sandbox::new();
    sandbox.inject(CREATE, "/properties", "a/b~c", json!({"type": "string", "anyOf": []}));
    assert_reported(&sandbox.diagnostics(), &[(CREATE, "/properties/a~1b~0c/anyOf", "unsupported keyword `anyOf`")]);
}

#[test]
fn keyword_names_in_data_or_as_property_names_are_not_refused() {
    let sandbox = Sandbox::new();
    sandbox.inject(HELD, HELD_CALL_ID, "examples", json!([{"allOf": [], "not": {}}])).inject(
        "common.json",
        "/$defs",
        "not",
        json!({"title": "A definition named like a keyword", "type": "string"}),
    );
    if let Err(diagnostics) = sandbox.generate() {
        panic!("keyword names outside keyword positions were refused:\n{diagnostics}");
    }
}

#[test]
fn the_display_root_names_the_files() {
    let sandbox = Sandbox::new();
    sandbox.inject(HELD, HELD_CALL_ID, "allOf", json!([]));
    let set = codegen::SchemaSet::load(sandbox.dir.path(), Path::new("somewhere/else")).expect("the copy loads");
    let diagnostics = codegen::generate(&set).expect_err("allOf is refused");
    let text = diagnostics.to_string();
    assert!(text.starts_with(&format!("error: somewhere/else/{HELD} at {HELD_CALL_ID}/allOf: ")), "{text}");
}
