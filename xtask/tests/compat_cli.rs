//! `cargo xtask compat` as a script sees it: the JSON and table output, the exit codes, the
//! base revision read from git, and `--check-version`.

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};
use xtask::compat::semver::Bump;
use xtask::compat::{self, VersionCheck, git};

fn schema_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema")
}

fn write(documents: &compat::diff::Documents, dir: &Path) {
    for (path, document) in documents {
        let file = dir.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, serde_json::to_string_pretty(document).unwrap()).unwrap();
    }
}

/// The repository's schemas in `old/`, and in `new/` with `edit` applied.
fn folders(edit: impl FnOnce(&mut compat::diff::Documents)) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let old = compat::read_dir(&schema_dir()).unwrap();
    let mut new = old.clone();
    edit(&mut new);
    write(&old, &dir.path().join("old"));
    write(&new, &dir.path().join("new"));
    dir
}

fn compat(dir: &Path, extra: &[&str]) -> (Option<i32>, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("compat")
        .arg("--old")
        .arg(dir.join("old"))
        .arg("--new")
        .arg(dir.join("new"))
        .args(extra)
        .output()
        .unwrap();
    (output.status.code(), String::from_utf8(output.stdout).unwrap(), String::from_utf8(output.stderr).unwrap())
}

fn two_changes(documents: &mut compat::diff::Documents) {
    let common = documents.get_mut("common.json").unwrap();
    common["$defs"]["CallType"]["enum"].as_array_mut().unwrap().push(json!("internal"));
    common["$defs"]["PhoneNumber"]["description"] = json!("A phone number, E.164.");
}

#[test]
fn json_output_gives_each_change_its_place_kind_verdicts_and_counterexample_then_semver() {
    let dir = folders(two_changes);
    let (code, stdout, stderr) = compat(dir.path(), &["--format", "json"]);
    assert_eq!(code, Some(0), "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let changes = report["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 2, "{stdout}");
    for change in changes {
        assert_eq!(change["schema"], "common.json");
        let verdicts = change["verdicts"].as_object().unwrap();
        let keys: Vec<&str> = verdicts.keys().map(String::as_str).collect();
        assert_eq!(keys.len(), 3);
        for audience in ["tolerant_reader", "strict_validator", "old_payloads"] {
            assert!(matches!(verdicts[audience].as_str(), Some("compatible" | "breaking")), "{change}");
        }
        let breaking = verdicts.values().any(|verdict| verdict == "breaking");
        assert_eq!(change.get("counterexample").is_some(), breaking, "{change}");
    }
    let added = changes.iter().find(|change| change["kind"] == "enum_value_added").expect("the enumeration value");
    assert_eq!(added["pointer"], "/$defs/CallType/enum");
    assert_eq!(
        added["verdicts"],
        json!({"tolerant_reader": "compatible", "strict_validator": "breaking", "old_payloads": "compatible"})
    );
    assert_eq!(added["counterexample"]["payload"]["data"]["call_type"], "internal", "{added}");
    assert!(added["counterexample"]["error"].as_str().unwrap().contains("/data/call_type"), "{added}");
    let edited = changes.iter().find(|change| change["kind"] == "annotation_changed").expect("the description");
    assert_eq!(edited["pointer"], "/$defs/PhoneNumber/description");
    assert!(edited.get("counterexample").is_none());
    assert_eq!(report["semver"], "minor");
}

#[test]
fn the_table_ends_with_the_bump_and_says_what_the_audiences_mean() {
    let dir = folders(two_changes);
    let (code, stdout, _) = compat(dir.path(), &[]);
    assert_eq!(code, Some(0));
    assert!(stdout.contains("enum_value_added") && stdout.contains("BREAKING"), "{stdout}");
    assert!(stdout.contains("how urgently users must upgrade"), "{stdout}");
    assert!(stdout.trim_end().ends_with("semver: minor"), "{stdout}");
}

#[test]
fn no_change_needs_no_bump() {
    let dir = folders(|_| {});
    let (code, stdout, _) = compat(dir.path(), &["--format", "json"]);
    assert_eq!(code, Some(0));
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["changes"], json!([]));
    assert_eq!(report["semver"], "none");
}

#[test]
fn schemas_that_do_not_load_exit_2() {
    let dir = folders(|documents| {
        documents.get_mut("common.json").unwrap()["$defs"]["CallId"]["maxLength"] = json!(40);
    });
    let (code, _, stderr) = compat(dir.path(), &["--format", "json"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("maxLength"), "{stderr}");
}

fn git_in(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=compat", "-c", "user.email=compat@example.com"])
        .args(args)
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

fn manifest(version: &str) -> String {
    format!("[workspace]\nmembers = []\n\n[workspace.package]\nversion = \"{version}\"\nedition = \"2024\"\n")
}

#[test]
fn the_base_is_read_from_git_and_the_newest_version_tag_wins() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    git_in(repo, &["init", "-q"]);
    assert_eq!(git::newest_version_tag(repo).ok().flatten(), None);
    let documents = compat::read_dir(&schema_dir()).unwrap();
    write(&documents, &repo.join("schema"));
    std::fs::write(repo.join("Cargo.toml"), manifest("0.1.0")).unwrap();
    git_in(repo, &["add", "schema", "Cargo.toml"]);
    git_in(repo, &["commit", "-q", "-m", "schemas"]);
    git_in(repo, &["tag", "v0.9.0"]);
    git_in(repo, &["tag", "v0.10.0"]);
    assert_eq!(git::newest_version_tag(repo).unwrap().as_deref(), Some("v0.10.0"));
    assert_eq!(git::documents_at(repo, "v0.10.0", "schema").unwrap(), documents);

    std::fs::write(repo.join("Cargo.toml"), manifest("0.1.1")).unwrap();
    assert_eq!(compat::check_version(repo, "HEAD", Bump::Minor).map(|_| ()), Ok(()));
    assert!(matches!(compat::check_version(repo, "HEAD", Bump::Major), Err(VersionCheck::NotBumped(_))));
    std::fs::write(repo.join("Cargo.toml"), manifest("0.2.0")).unwrap();
    assert_eq!(compat::check_version(repo, "HEAD", Bump::Major).map(|_| ()), Ok(()));
    std::fs::write(repo.join("Cargo.toml"), manifest("0.1.0")).unwrap();
    assert_eq!(compat::check_version(repo, "HEAD", Bump::None).map(|_| ()), Ok(()));
    assert!(matches!(compat::check_version(repo, "HEAD", Bump::Patch), Err(VersionCheck::NotBumped(_))));
    assert!(matches!(compat::check_version(repo, "no-such-rev", Bump::Patch), Err(VersionCheck::Unreadable(_))));
}
