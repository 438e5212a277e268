//! A copy of the workspace in a temporary directory, for commands that change files to see what
//! the tests make of it (`try-new-event`, `mutants`) without touching the original.
//!
//! The copy shares the original's target directory, so that dependencies already built are
//! reused; its workspace crates get artifacts of their own (see [`WorkspaceCopy::own_artifacts`]).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// The copy of the workspace, and the target directory it shares with the original.
pub struct WorkspaceCopy {
    /// The folder of the copy's own, which holds the copy and what lies beside it.
    pub home: PathBuf,
    /// The copy's workspace root: `home` joined with the original's folder name.
    pub root: PathBuf,
    pub target_dir: PathBuf,
}

/// Which command makes a copy: it names the temporary folder, and gives the copy's workspace
/// crates a profile setting that no other command's copy has (see
/// [`WorkspaceCopy::own_artifacts`]).
#[derive(Clone, Copy)]
pub struct Purpose {
    /// The command, such as `try-new-event`.
    pub command: &'static str,
    /// The `codegen-units` of the copy's workspace crates: distinct for each command.
    pub codegen_units: u32,
}

/// Which state of the workspace a copy takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// The files git knows of (tracked, or new and not ignored), as a fresh clone with the
    /// working tree's changes would have them.
    WorkingTree,
    /// The last commit, without the working tree's changes: for a tree that others are editing.
    Head,
}

/// What lies beside the original workspace that its tests read (`tests/build.rs` reads the JSON
/// Schema Test Suite from `../shared/json-schema-test-suite`), linked beside the copy.
const BESIDE: &[&str] = &["shared"];

impl WorkspaceCopy {
    /// Copies the workspace to `<temp>/audian-<command>-<pid>/<name of the workspace folder>`,
    /// from `source`, and links what lies beside the workspace that the tests read.
    pub fn make(workspace: &Path, purpose: Purpose, source: Source) -> Result<WorkspaceCopy, String> {
        let home = std::env::temp_dir().join(format!("audian-{}-{}", purpose.command, std::process::id()));
        if home.exists() {
            fs::remove_dir_all(&home).map_err(|error| format!("cannot clear {}: {error}", home.display()))?;
        }
        let name = workspace.file_name().map_or_else(|| "workspace".into(), |name| name.to_os_string());
        let root = home.join(name);
        let copied = match source {
            Source::WorkingTree => copy_working_tree(workspace, &root)?,
            Source::Head => extract_head(workspace, &root)?,
        };
        for beside in BESIDE {
            let original = workspace.join("..").join(beside);
            if let Ok(original) = original.canonicalize() {
                link(&original, &home.join(beside))?;
            }
        }
        let target_dir = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| workspace.join("target"), PathBuf::from);
        let copy = WorkspaceCopy { home, root, target_dir };
        copy.own_artifacts(purpose)?;
        println!("{}: copied {copied} files to {}", purpose.command, copy.root.display());
        Ok(copy)
    }

    /// Cargo names a workspace crate's artifacts after its path relative to the workspace, so
    /// the copy's would overwrite the original's in a shared target directory, and be taken for
    /// fresh by it. A profile setting of the copy's own, for each of its workspace crates, gives
    /// them artifacts of their own; dependencies keep theirs and are reused. The setting differs
    /// between commands, so that the copies of two commands run at once stay apart too (two runs
    /// of one command at once would still share theirs: do not). One thing stays shared: every
    /// build copies its binaries to `target/debug/<name>` (`xtask`, `audian-check`), the copy's
    /// as the original's, so a build of the original run at the same moment may briefly find the
    /// copy's there; the next build of the original puts its own back.
    fn own_artifacts(&self, purpose: Purpose) -> Result<(), String> {
        let metadata = output(Command::new(cargo()).current_dir(&self.root).args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ]))?;
        let metadata: Value =
            serde_json::from_str(&metadata).map_err(|error| format!("cannot read `cargo metadata`: {error}"))?;
        let names: Vec<&str> = metadata["packages"]
            .as_array()
            .ok_or("`cargo metadata` lists no packages")?
            .iter()
            .filter_map(|package| package["name"].as_str())
            .collect();
        let mut config =
            format!("\n# Added by `cargo xtask {}`: see `WorkspaceCopy::own_artifacts`.\n", purpose.command);
        for name in names {
            config.push_str(&format!("[profile.dev.package.{name}]\ncodegen-units = {}\n", purpose.codegen_units));
        }
        append(&self.root.join(".cargo/config.toml"), &config)
    }

    /// A `cargo` command run in the copy, with the shared target directory.
    pub fn cargo(&self) -> Command {
        let mut command = Command::new(cargo());
        command.current_dir(&self.root).env("CARGO_TARGET_DIR", &self.target_dir);
        command
    }

    /// Every file of the copy and its contents, by path relative to the root.
    pub fn files(&self) -> Result<BTreeMap<PathBuf, Vec<u8>>, String> {
        let mut files = BTreeMap::new();
        read_tree(&self.root, Path::new(""), &mut files)?;
        Ok(files)
    }

    /// Puts the copy back as `files` has it: rewrites what differs, removes what `files` does
    /// not have, writes back what is missing. Files left as they are keep their times, so cargo
    /// rebuilds only what changed. Returns the paths it touched.
    pub fn restore(&self, files: &BTreeMap<PathBuf, Vec<u8>>) -> Result<Vec<PathBuf>, String> {
        let now = self.files()?;
        let mut touched = Vec::new();
        for (path, contents) in &now {
            let full = self.root.join(path);
            match files.get(path) {
                Some(original) if original == contents => {}
                Some(original) => {
                    fs::write(&full, original).map_err(|error| format!("cannot write {}: {error}", full.display()))?;
                    touched.push(path.clone());
                }
                None => {
                    fs::remove_file(&full).map_err(|error| format!("cannot remove {}: {error}", full.display()))?;
                    touched.push(path.clone());
                }
            }
        }
        for (path, original) in files.iter().filter(|(path, _)| !now.contains_key(*path)) {
            let full = self.root.join(path);
            fs::create_dir_all(full.parent().expect("a file has a parent"))
                .and_then(|()| fs::write(&full, original))
                .map_err(|error| format!("cannot write {}: {error}", full.display()))?;
            touched.push(path.clone());
        }
        Ok(touched)
    }

    /// Removes the copy and what was linked beside it (the links, not their targets).
    pub fn remove(&self) -> Result<(), String> {
        fs::remove_dir_all(&self.home).map_err(|error| format!("cannot remove {}: {error}", self.home.display()))
    }
}

/// Copies the files git knows of; returns how many.
fn copy_working_tree(workspace: &Path, root: &Path) -> Result<usize, String> {
    let listed = output(Command::new("git").current_dir(workspace).args([
        "ls-files",
        "--cached",
        "--others",
        "--exclude-standard",
        "-z",
    ]))?;
    let mut copied = 0;
    for relative in listed.split('\0').filter(|path| !path.is_empty()) {
        let from = workspace.join(relative);
        if !from.is_file() {
            continue; // deleted in the working tree
        }
        let to = root.join(relative);
        fs::create_dir_all(to.parent().expect("a file has a parent"))
            .and_then(|()| fs::copy(&from, &to))
            .map_err(|error| format!("cannot copy {relative} to {}: {error}", to.display()))?;
        copied += 1;
    }
    Ok(copied)
}

/// Writes the files of the last commit, with `git archive`; returns how many.
fn extract_head(workspace: &Path, root: &Path) -> Result<usize, String> {
    fs::create_dir_all(root).map_err(|error| format!("cannot create {}: {error}", root.display()))?;
    let archive = root.join(".head.tar");
    output(
        Command::new("git").current_dir(workspace).args(["archive", "--format=tar", "-o"]).arg(&archive).arg("HEAD"),
    )?;
    // `-m`: the files are dated now, not at the commit. Cargo judges freshness by date, and an
    // earlier copy's artifacts (of the same names, in the shared target directory) are newer
    // than the commit: they would be taken for this copy's.
    let extracted = output(Command::new("tar").current_dir(root).args(["-x", "-m", "-v", "-f"]).arg(&archive));
    fs::remove_file(&archive).map_err(|error| format!("cannot remove {}: {error}", archive.display()))?;
    Ok(extracted?.lines().filter(|line| !line.ends_with('/')).count())
}

fn read_tree(root: &Path, relative: &Path, files: &mut BTreeMap<PathBuf, Vec<u8>>) -> Result<(), String> {
    let dir = root.join(relative);
    let entries = fs::read_dir(&dir).map_err(|error| format!("cannot list {}: {error}", dir.display()))?;
    for entry in entries {
        let entry = entry.map_err(|error| format!("cannot list {}: {error}", dir.display()))?;
        let path = relative.join(entry.file_name());
        let kind = entry.file_type().map_err(|error| format!("cannot read {}: {error}", path.display()))?;
        if kind.is_dir() {
            read_tree(root, &path, files)?;
        } else {
            let full = root.join(&path);
            let contents = fs::read(&full).map_err(|error| format!("cannot read {}: {error}", full.display()))?;
            files.insert(path, contents);
        }
    }
    Ok(())
}

#[cfg(unix)]
fn link(original: &Path, link: &Path) -> Result<(), String> {
    std::os::unix::fs::symlink(original, link)
        .map_err(|error| format!("cannot link {} to {}: {error}", link.display(), original.display()))
}

#[cfg(not(unix))]
fn link(_: &Path, _: &Path) -> Result<(), String> {
    // Without symbolic links the copy's tests skip what lies beside the workspace, and say so.
    Ok(())
}

/// The cargo that runs xtask, or the one on `PATH`.
pub fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

/// The standard output of a command that must succeed.
pub fn output(command: &mut Command) -> Result<String, String> {
    let shown = format!("{command:?}");
    let output = command.output().map_err(|error| format!("cannot run {shown}: {error}"))?;
    if !output.status.success() {
        return Err(format!("{shown} failed: {}", String::from_utf8_lossy(&output.stderr)));
    }
    String::from_utf8(output.stdout).map_err(|error| format!("{shown} printed invalid UTF-8: {error}"))
}

fn append(path: &Path, text: &str) -> Result<(), String> {
    let existing = fs::read_to_string(path).unwrap_or_default();
    fs::write(path, existing + text).map_err(|error| format!("cannot write {}: {error}", path.display()))
}
