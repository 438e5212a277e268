//! `audian-events validate` (and `cargo xtask validate`, which runs it) on temporary files: the
//! three input shapes, both output formats, and the exit codes.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::{Value, json};

fn example(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema/examples").join(format!("{name}.json"));
    serde_json::from_str(&fs::read_to_string(&path).expect("a documented example")).expect("JSON")
}

/// `call.completed` with a bad phone number and a negative duration.
fn invalid_event() -> Value {
    let mut event = example("call.completed");
    event["data"]["from"] = json!("14155552671");
    event["data"]["duration"] = json!(-1);
    event
}

struct Dir(tempfile::TempDir);

impl Dir {
    fn new() -> Dir {
        Dir(tempfile::tempdir().expect("a temporary directory"))
    }

    fn file(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.0.path().join(name);
        fs::write(&path, contents).expect("write a fixture");
        path
    }
}

fn audian_events(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_audian-events")).args(args).output().expect("run audian-events")
}

fn validate(paths: &[&Path], extra: &[&str]) -> Output {
    let mut args = vec!["validate"];
    args.extend_from_slice(extra);
    let paths: Vec<String> = paths.iter().map(|path| path.display().to_string()).collect();
    args.extend(paths.iter().map(String::as_str));
    audian_events(&args)
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("an exit code")
}

fn report(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("--format json printed no JSON ({error}):\n{}", stdout(output)))
}

#[test]
fn one_valid_event_exits_0() {
    let dir = Dir::new();
    let file = dir.file("completed.json", serde_json::to_vec_pretty(&example("call.completed")).unwrap());
    let output = validate(&[&file], &[]);
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    assert!(stdout(&output).contains("valid (call.completed)"), "{}", stdout(&output));
}

#[test]
fn one_invalid_event_prints_each_error_with_its_path_and_exits_1() {
    let dir = Dir::new();
    let file = dir.file("bad.json", serde_json::to_vec_pretty(&invalid_event()).unwrap());
    let output = validate(&[&file], &[]);
    assert_eq!(code(&output), 1);
    let text = stdout(&output);
    let name = file.display().to_string();
    assert!(text.contains(&format!("{name}: /data/from: ")), "{text}");
    assert!(text.contains(&format!("{name}: /data/duration: ")), "{text}");
    assert!(text.contains("invalid, 2 errors"), "{text}");
}

#[test]
fn an_array_reports_the_index_of_each_invalid_event() {
    let dir = Dir::new();
    let events = json!([example("call.initiated"), invalid_event(), example("ivr.timeout")]);
    let pretty = serde_json::to_string_pretty(&events).unwrap();
    // The line the second item starts on.
    let second_item_line =
        pretty.match_indices("\n  {").nth(1).map(|(at, _)| pretty[..at].lines().count() + 1).unwrap();
    let file = dir.file("events.json", &pretty);
    let output = validate(&[&file], &[]);
    assert_eq!(code(&output), 1);
    let text = stdout(&output);
    let name = file.display().to_string();
    assert!(text.contains(&format!("{name}[1] (line {second_item_line}): /data/from: ")), "{text}");
    assert!(!text.contains(&format!("{name}[0]")) && !text.contains(&format!("{name}[2]")), "{text}");
    assert!(text.contains("3 payloads (array): 2 valid, 1 invalid"), "{text}");

    let all_valid =
        dir.file("valid.json", serde_json::to_vec(&json!([example("call.held"), example("call.muted")])).unwrap());
    assert_eq!(code(&validate(&[&all_valid], &[])), 0);
    let empty = dir.file("empty-array.json", "[]");
    assert_eq!(code(&validate(&[&empty], &[])), 0);
}

#[test]
fn ndjson_reports_the_line_of_each_invalid_event() {
    let dir = Dir::new();
    let lines = [
        example("call.ringing").to_string(),
        String::new(),
        invalid_event().to_string(),
        "{\"id\": \"evt_1\",".to_owned(),
        example("recording.started").to_string(),
    ];
    let file = dir.file("events.txt", lines.join("\n") + "\n");
    let output = validate(&[&file], &[]);
    assert_eq!(code(&output), 1);
    let text = stdout(&output);
    let name = file.display().to_string();
    assert!(text.contains(&format!("{name}:3: /data/from: ")), "{text}");
    assert!(text.contains(&format!("{name}:4: malformed JSON at line 4, column ")), "{text}");
    assert!(text.contains("4 payloads (ndjson): 2 valid, 2 invalid"), "{text}");

    let valid = dir.file("valid.ndjson", format!("{}\r\n{}\r\n", example("call.held"), example("call.muted")));
    let output = validate(&[&valid], &[]);
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    // One event per line is NDJSON by its extension, even when there is one line.
    let one = dir.file("one.jsonl", example("call.held").to_string());
    assert!(stdout(&validate(&[&one], &[])).contains("1 payload (ndjson): 1 valid"));
}

#[test]
fn malformed_json_is_invalid_with_line_and_column() {
    let dir = Dir::new();
    let file = dir.file("broken.json", "{\n  \"id\": \"evt_1\",\n  \"event\": call.held\n}\n");
    let output = validate(&[&file], &[]);
    assert_eq!(code(&output), 1);
    assert!(stdout(&output).contains("malformed JSON at line 3, column "), "{}", stdout(&output));
    // A duplicate key is refused too.
    let mut duplicated = serde_json::to_string(&example("call.held")).unwrap();
    duplicated.insert_str(1, "\"id\":\"evt_other\",");
    let file = dir.file("duplicate.json", duplicated);
    let output = validate(&[&file], &["--format", "json"]);
    assert_eq!(code(&output), 1);
    let malformed = &report(&output)["files"][0]["payloads"][0]["malformed"];
    assert!(malformed["message"].as_str().unwrap().contains("duplicate key"), "{malformed}");
    assert_eq!(malformed["line"], 1);
    let empty = dir.file("empty.json", "");
    assert_eq!(code(&validate(&[&empty], &[])), 1);
}

#[test]
fn json_format_gives_per_file_per_payload_results() {
    let dir = Dir::new();
    let single = dir.file("single.json", example("call.answered").to_string());
    let array =
        dir.file("array.json", serde_json::to_vec_pretty(&json!([invalid_event(), example("call.held")])).unwrap());
    let ndjson = dir.file("lines.ndjson", format!("{}\nnot json\n", example("ivr.timeout")));
    let output = validate(&[&single, &array, &ndjson], &["--format", "json"]);
    assert_eq!(code(&output), 1);
    let report = report(&output);
    assert_eq!(report["valid"], false);
    assert_eq!(report["summary"], json!({"files": 3, "unreadable": 0, "payloads": 5, "valid": 3, "invalid": 2}));

    let files = report["files"].as_array().unwrap();
    assert_eq!(files[0]["file"], single.display().to_string());
    assert_eq!(files[0]["shape"], "single");
    assert_eq!(files[0]["payloads"], json!([{"event": "call.answered", "valid": true, "errors": []}]));

    assert_eq!(files[1]["shape"], "array");
    let first = &files[1]["payloads"][0];
    assert_eq!(
        (first["index"].clone(), first["line"].clone(), first["valid"].clone()),
        (json!(0), json!(2), json!(false))
    );
    let mut paths: Vec<&str> =
        first["errors"].as_array().unwrap().iter().map(|error| error["path"].as_str().unwrap()).collect();
    paths.sort();
    assert_eq!(paths, ["/data/duration", "/data/from"], "{first}");
    for error in first["errors"].as_array().unwrap() {
        for field in ["keyword", "schema_path", "message"] {
            assert!(error[field].as_str().is_some_and(|text| !text.is_empty()), "{field} of {error}");
        }
    }
    assert_eq!(files[1]["payloads"][1]["valid"], true);

    assert_eq!(files[2]["shape"], "ndjson");
    let bad_line = &files[2]["payloads"][1];
    assert_eq!(bad_line["line"], 2);
    assert_eq!(bad_line["valid"], false);
    assert_eq!(bad_line["malformed"]["line"], 2);
    assert_eq!(bad_line["malformed"]["column"], 2);
}

#[test]
fn an_unreadable_file_exits_2_and_the_others_are_still_checked() {
    let dir = Dir::new();
    let valid = dir.file("valid.json", example("call.held").to_string());
    let missing = dir.0.path().join("missing.json");
    let output = validate(&[&valid, &missing], &[]);
    assert_eq!(code(&output), 2);
    let text = stdout(&output);
    assert!(text.contains("valid (call.held)") && text.contains("missing.json: error: cannot read"), "{text}");

    let output = validate(&[&missing], &["--format", "json"]);
    assert_eq!(code(&output), 2);
    assert!(report(&output)["files"][0]["error"].as_str().unwrap().contains("cannot read"));

    // So do wrong arguments.
    assert_eq!(code(&audian_events(&["validate", "--no-such-option", "x.json"])), 2);
    assert_eq!(code(&audian_events(&["validate", "--format", "xml", "x.json"])), 2);
}

#[test]
fn standard_input_is_read_for_a_dash() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_audian-events"))
        .args(["validate", "--format", "json", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run audian-events");
    let input = format!("{}\n{}\n", example("call.held"), invalid_event());
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(code(&output), 1);
    let report = report(&output);
    assert_eq!(report["files"][0]["file"], "<stdin>");
    assert_eq!(report["files"][0]["shape"], "ndjson");
    assert_eq!(report["summary"]["invalid"], 1);
}
