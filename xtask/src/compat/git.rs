//! The schema documents at a git revision, read with `git ls-tree` and `git show` (nothing is
//! checked out), and the newest `v*` tag.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use super::diff::Documents;

fn git(workspace: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(workspace)
        .args(args)
        .output()
        .map_err(|error| format!("cannot run git: {error}"))?;
    if !output.status.success() {
        return Err(format!("git {} failed: {}", args.join(" "), String::from_utf8_lossy(&output.stderr).trim()));
    }
    Ok(output.stdout)
}

/// The newest tag named `v*`, by version order; none when there is none.
pub fn newest_version_tag(workspace: &Path) -> Result<Option<String>, String> {
    let tags = git(workspace, &["tag", "--list", "v*", "--sort=-v:refname"])?;
    Ok(String::from_utf8_lossy(&tags).lines().next().map(str::to_owned))
}

/// The `.json` files of `dir` (relative to the repository root) at `revision`.
pub fn documents_at(workspace: &Path, revision: &str, dir: &str) -> Result<Documents, String> {
    let listing = git(workspace, &["ls-tree", "-r", "--name-only", revision, "--", &format!("{dir}/")])?;
    let mut documents = Documents::new();
    for path in String::from_utf8_lossy(&listing).lines().filter(|path| path.ends_with(".json")) {
        let text = git(workspace, &["show", &format!("{revision}:{path}")])?;
        let value: Value =
            serde_json::from_slice(&text).map_err(|error| format!("{path} at {revision} is not JSON: {error}"))?;
        let relative = path.strip_prefix(&format!("{dir}/")).unwrap_or(path).to_owned();
        documents.insert(relative, value);
    }
    if documents.is_empty() {
        return Err(format!("no schema in {dir}/ at {revision}"));
    }
    Ok(documents)
}

/// A file at `revision`, as text.
pub fn file_at(workspace: &Path, revision: &str, path: &str) -> Result<String, String> {
    git(workspace, &["show", &format!("{revision}:{path}")]).map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
}
