//! `cargo xtask try-new-event`: follows the recipe "Adding an event" of `schema/README.md` in a
//! copy of the workspace, for a synthetic event, and proves that nothing else needs an edit: the
//! copy must generate, build, and pass the tests of `audian-events`, the differential test
//! against `jsonschema` and the API descriptions' test (`docs/openapi.json`, `docs/asyncapi.json`).
//!
//! The event is `number.released`, about a phone number and not a call, so it also proves that
//! an event without `call_id` is supported end to end.

use std::fs;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use serde_json::{Value, json};

use xtask::Layout;

use crate::workspace_copy::{Purpose, Source, WorkspaceCopy};

/// The synthetic event's name.
const NAME: &str = "number.released";

/// The neighbour its schema is copied from, as the recipe says.
const NEIGHBOUR: &str = "call.held";

const PURPOSE: Purpose = Purpose { command: "try-new-event", codegen_units: 255 };

const USAGE: &str = "\
usage: cargo xtask try-new-event [--keep]

Copies the workspace to a temporary directory, adds the event `number.released` there exactly as
schema/README.md says, runs `cargo xtask generate`, builds the workspace, and runs the tests of
audian-events, the differential test against jsonschema and the API descriptions' test (but for
its meta-schema checks). The copy builds its workspace crates apart from yours but reuses the
dependencies already built in your target directory.

  --keep    keep the copy (it is kept anyway when a step fails)";

pub fn main(args: &[&str]) -> ExitCode {
    let keep = match args {
        [] => false,
        ["--keep"] => true,
        ["--help" | "-h"] => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let started = Instant::now();
    let copy = match WorkspaceCopy::make(&Layout::repository().workspace, PURPOSE, Source::WorkingTree) {
        Ok(copy) => copy,
        Err(error) => {
            eprintln!("try-new-event: {error}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = follow_the_recipe(&copy.root).and_then(|()| prove(&copy));
    match outcome {
        Ok(()) => {
            println!(
                "try-new-event: `{NAME}` added by the recipe alone: generated, built and tested in {:.0?}",
                started.elapsed()
            );
            if keep {
                println!("the copy is kept in {}", copy.root.display());
            } else if let Err(error) = copy.remove() {
                eprintln!("try-new-event: {error}");
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("try-new-event: {error}");
            eprintln!("the copy is kept in {} for a look", copy.root.display());
            ExitCode::FAILURE
        }
    }
}

/// The recipe of `schema/README.md`, "Adding an event", step by step.
fn follow_the_recipe(root: &Path) -> Result<(), String> {
    let schema = root.join("schema");

    // 1. Add `events/<event-name>.json` (copy a neighbour; set `$id`, `title`, `description`,
    //    the `event` const and `data`), and its documented example as `examples/<event-name>.json`.
    let mut event = read_json(&schema.join(format!("events/{NEIGHBOUR}.json")))?;
    event["$id"] = json!(format!("https://audian-events.dev/schema/events/{NAME}.json"));
    event["title"] = json!(NAME);
    event["description"] = json!("Fired when a phone number is released from the account.");
    event["properties"]["event"]["const"] = json!(NAME);
    event["properties"]["data"] = json!({
        "title": format!("{NAME} data"),
        "description": format!("Payload of `{NAME}`."),
        "type": "object",
        "required": ["phone_number", "reason", "released_at"],
        "additionalProperties": false,
        "properties": {
            "phone_number": {
                "$ref": "../common.json#/$defs/PhoneNumber",
                "title": "Phone number",
                "description": "The number released, in E.164 format."
            },
            "reason": {
                "type": "string",
                "title": "Reason",
                "description": "Why the number was released.",
                "examples": ["ported_out"]
            },
            "released_at": {
                "$ref": "../common.json#/$defs/Timestamp",
                "title": "Released at",
                "description": "Time the number was released. RFC 3339 date-time."
            }
        }
    });
    write_json(&schema.join(format!("events/{NAME}.json")), &event)?;
    write_json(
        &schema.join(format!("examples/{NAME}.json")),
        &json!({
            "id": "evt_1234567890abcdef",
            "timestamp": "2024-01-15T11:00:00Z",
            "event": NAME,
            "data": {
                "phone_number": "+14155552671",
                "reason": "ported_out",
                "released_at": "2024-01-15T11:00:00Z"
            }
        }),
    )?;

    // 2. Add a `{"$ref": "events/<event-name>.json"}` branch to `event.json` and the name to
    //    `common.json#/$defs/EventType`.
    let union_path = schema.join("event.json");
    let mut union = read_json(&union_path)?;
    push(&mut union, "/oneOf", json!({"$ref": format!("events/{NAME}.json")}), &union_path)?;
    write_json(&union_path, &union)?;
    let common_path = schema.join("common.json");
    let mut common = read_json(&common_path)?;
    push(&mut common, "/$defs/EventType/enum", json!(NAME), &common_path)?;
    write_json(&common_path, &common)?;

    // 3. Add the event's line to the timeline's table, `audian-events/src/timeline/table.rs`.
    let table_path = root.join("audian-events/src/timeline/table.rs");
    let table =
        fs::read_to_string(&table_path).map_err(|error| format!("cannot read {}: {error}", table_path.display()))?;
    let start = table
        .find("const TIMELINE_TABLE")
        .ok_or_else(|| format!("{} has no `const TIMELINE_TABLE`", table_path.display()))?;
    let end = start
        + table[start..]
            .find("\n];")
            .ok_or_else(|| format!("`TIMELINE_TABLE` in {} has no end", table_path.display()))?;
    let line = format!("\n    (\"{NAME}\", InCall, Counted, &[]),");
    fs::write(&table_path, format!("{}{line}{}", &table[..end], &table[end..]))
        .map_err(|error| format!("cannot write {}: {error}", table_path.display()))?;
    println!("try-new-event: added `{NAME}` to the schemas, its example, and its line to the timeline's table");
    Ok(())
}

/// Generates, builds and tests the copy.
fn prove(copy: &WorkspaceCopy) -> Result<(), String> {
    let steps: [(&str, &[&str]); 5] = [
        ("generate", &["xtask", "generate"]),
        ("build the workspace", &["build", "--workspace", "--all-features", "--all-targets"]),
        ("test audian-events", &["test", "--all-features", "--package", "audian-events"]),
        (
            "the differential test against jsonschema",
            &["test", "--all-features", "--package", "audian-events-tests", "--test", "differential"],
        ),
        // The meta-schemas are read from beside the workspace, which the copy is not.
        (
            "the API descriptions' examples and payload schemas",
            &[
                "test",
                "--all-features",
                "--package",
                "audian-events-tests",
                "--test",
                "api_descriptions",
                "--",
                "--skip",
                "meta_schema",
            ],
        ),
    ];
    for (what, args) in steps {
        let started = Instant::now();
        println!("try-new-event: {what}: cargo {}", args.join(" "));
        let status = copy.cargo().args(args).status().map_err(|error| format!("cannot run cargo: {error}"))?;
        if !status.success() {
            return Err(format!("`{what}` failed in the copy ({status}): the recipe is not enough"));
        }
        println!("try-new-event: {what}: ok in {:.0?}", started.elapsed());
    }
    Ok(())
}

fn read_json(path: &Path) -> Result<Value, String> {
    let text = fs::read_to_string(path).map_err(|error| format!("cannot read {}: {error}", path.display()))?;
    serde_json::from_str(&text).map_err(|error| format!("{} is not JSON: {error}", path.display()))
}

fn write_json(path: &Path, value: &Value) -> Result<(), String> {
    let text = serde_json::to_string_pretty(value).expect("a JSON value serializes") + "\n";
    fs::write(path, text).map_err(|error| format!("cannot write {}: {error}", path.display()))
}

fn push(document: &mut Value, pointer: &str, item: Value, path: &Path) -> Result<(), String> {
    document
        .pointer_mut(pointer)
        .and_then(Value::as_array_mut)
        .ok_or_else(|| format!("{} has no array at {pointer}", path.display()))?
        .push(item);
    Ok(())
}
