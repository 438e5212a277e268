//! `cargo xtask compat`: what a change of `schema/` does to each kind of user of the crate,
//! proven with counterexamples, and the version bump it needs.
//!
//! The changes are found by walking the two versions in parallel ([`diff`]); each is applied
//! alone to the old version ([`isolate`]) and judged by the reference validators on payloads
//! generated from both versions ([`sample`], [`witness`]); the rules ([`rules`]) say what to
//! expect, and the output says so loudly where they and the evidence disagree. The verdicts
//! reported are the evidence's.

pub mod api;
pub mod diff;
pub mod git;
pub mod isolate;
pub mod report;
pub mod rules;
pub mod sample;
pub mod semver;
pub mod witness;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use diff::Documents;
use report::{Judged, Report};
use semver::Bump;
use witness::Side;

pub const USAGE: &str = "\
usage: cargo xtask compat [--base REV | --old DIR --new DIR] [--format table|json] [--check-version]
                          [--payloads N] [--seed S]

Compares schema/ at the git revision REV (default: the newest `v*` tag, or HEAD when there is
none) with the working tree, or the schema folder DIR with another. For every change: its file,
JSON Pointer and kind, and a verdict, compatible or breaking, for each audience, found by the
reference validator on generated payloads (at least N, default 1000, each way) with a
counterexample for each breaking one; then the smallest version bump of audian-events.

  --check-version   fail (exit 1) when `version` in Cargo.toml's [workspace.package] is not
                    bumped at least that much from the base revision (not with --old/--new)

exit 0 unless --check-version fails (1) or the schemas at either side do not load (2).";

/// Compares two versions of the schema documents; `budget` payloads at least each way.
pub fn compare(title: &str, old: &Documents, new: &Documents, budget: usize, seed: u64) -> Result<Report, String> {
    let old_side = Side::load(old, "old schema", true)?;
    let old_api = api::Api::of(old);
    Side::load(new, "new schema", false)?;
    let vocabulary = witness::vocabulary(&[old, new]);
    let mut changes = Vec::new();
    let all = diff::diff(old, new);
    // What other changes may need to be there: a definition or a file added, which a `$ref` of
    // this change may point to.
    let additions: Vec<&diff::Change> = all
        .iter()
        .filter(|change| matches!(change.kind, diff::Kind::DefinitionAdded | diff::Kind::SchemaFileAdded))
        .collect();
    for (index, mut change) in all.clone().into_iter().enumerate() {
        if matches!(change.kind, diff::Kind::EnumValueAdded | diff::Kind::EnumValueRemoved)
            && let Some(definition) = change.pointer.strip_suffix("/enum")
        {
            let (unpinned, pinned) = diff::enumeration_uses(old, &change.schema, definition);
            change.context.unpinned_use = unpinned;
            change.context.pinned_values = pinned;
        }
        let isolated = isolate::apply(old, &change);
        let new_side = Side::load(&isolated, "new schema", false).or_else(|alone| {
            // Alone, the change does not load (a `$ref` to a definition added beside it): with
            // the additions it needs, which change no payload by themselves.
            let mut with_additions = isolated.clone();
            for addition in additions.iter().filter(|addition| **addition != &change) {
                with_additions = isolate::apply(&with_additions, addition);
            }
            Side::load(&with_additions, "new schema", false).map_err(|_| alone)
        });
        // Still not: the change needs another that is not an addition (a definition removed
        // with its last `$ref`). Then it is judged as the last change made: the new schemas
        // with it undone, against the new schemas.
        let mut reverted_side = None;
        let new_side = new_side.or_else(|alone| {
            let before =
                Side::load(&isolate::revert(new, old, &change), "old schema", true).map_err(|_| alone.clone())?;
            let side = Side::load(new, "new schema", false).map_err(|_| alone)?;
            change.detail.push_str(" (judged as the last change: alone on the old schemas, they do not load)");
            reverted_side = Some(before);
            Ok::<Side, String>(side)
        });
        let new_side = new_side.map_err(|error| {
            format!(
                "the old schemas with only `{}` at {}#{} do not load: {error}",
                change.kind.name(),
                change.schema,
                change.pointer
            )
        })?;
        let old_side = reverted_side.as_ref().unwrap_or(&old_side);
        let evidence =
            witness::search(&change, old_side, &new_side, &vocabulary, budget, seed.wrapping_add(index as u64));
        let reached = old_side.tolerant_reaches(&change.schema, &change.pointer)
            || new_side.tolerant_reaches(&change.schema, &change.pointer);
        let rule = match change.kind {
            diff::Kind::RefRetargeted => ref_rule(&change, old_side, &new_side, reached),
            _ => rules::expect(&change, reached),
        };
        let before_api = match &reverted_side {
            Some(side) => api::Api::of(&side.documents),
            None => old_api.clone(),
        };
        let api =
            before_api.zip(api::Api::of(&new_side.documents)).map(|(before, after)| api::compare(&before, &after));
        let bump = semver::bump(&change, evidence.verdicts, api.as_ref().map(|(bump, _)| *bump));
        changes.push(Judged { change, rule, evidence, bump, api });
    }
    let semver = changes.iter().map(|judged| judged.bump).max().unwrap_or(Bump::None);
    Ok(Report { title: title.to_owned(), changes, semver })
}

/// The rule of a retargeted `$ref`: the rules of the differences between its two targets, each
/// audience breaking where one of them breaks it.
fn ref_rule(change: &diff::Change, old: &Side, new: &Side, reached: bool) -> Option<rules::Verdicts> {
    let written =
        |side: &Side| side.documents.get(&change.schema)?.pointer(&change.pointer)?.as_str().map(str::to_owned);
    let before = old.resolve(&change.schema, &written(old)?)?;
    let after = new.resolve(&change.schema, &written(new)?)?;
    let targets = |value: serde_json::Value| Documents::from([("target.json".to_owned(), value)]);
    let mut verdicts = rules::Verdicts::COMPATIBLE;
    for difference in diff::diff(&targets(before), &targets(after)) {
        let rule = rules::expect(&difference, reached)?;
        verdicts.tolerant_reader |= rule.tolerant_reader;
        verdicts.strict_validator |= rule.strict_validator;
        verdicts.old_payloads |= rule.old_payloads;
    }
    Some(verdicts)
}

/// Reads a schema folder as documents (examples under `examples/`).
pub fn read_dir(dir: &Path) -> Result<Documents, String> {
    fn walk(root: &Path, dir: &Path, out: &mut Documents) -> Result<(), String> {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|error| format!("cannot list {}: {error}", dir.display()))?
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(root, &path, out)?;
            } else if path.extension().is_some_and(|extension| extension == "json") {
                let value = audian_events_reference::read_json(&path)?;
                let relative = path.strip_prefix(root).expect("under the root");
                let relative: Vec<_> = relative.components().map(|part| part.as_os_str().to_string_lossy()).collect();
                out.insert(relative.join("/"), value);
            }
        }
        Ok(())
    }
    let mut documents = Documents::new();
    walk(dir, dir, &mut documents)?;
    if documents.is_empty() {
        return Err(format!("no schema in {}", dir.display()));
    }
    Ok(documents)
}

/// `version` of `[workspace.package]` in a Cargo.toml's text.
pub fn workspace_version(manifest: &str) -> Option<String> {
    let mut in_section = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_section = line == "[workspace.package]";
        } else if in_section && let Some(rest) = line.strip_prefix("version") {
            let value = rest.trim_start().strip_prefix('=')?.trim();
            return Some(value.trim_matches('"').to_owned());
        }
    }
    None
}

struct Options {
    base: Option<String>,
    old: Option<PathBuf>,
    new: Option<PathBuf>,
    json: bool,
    check_version: bool,
    payloads: usize,
    seed: u64,
}

fn parse(args: &[&str]) -> Result<Options, String> {
    let mut options = Options {
        base: None,
        old: None,
        new: None,
        json: false,
        check_version: false,
        payloads: witness::PAYLOADS,
        seed: 15,
    };
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let mut value = || rest.next().map(|value| (*value).to_owned()).ok_or(format!("{arg} needs a value"));
        match *arg {
            "--base" => options.base = Some(value()?),
            "--old" => options.old = Some(PathBuf::from(value()?)),
            "--new" => options.new = Some(PathBuf::from(value()?)),
            "--format" => match value()?.as_str() {
                "json" => options.json = true,
                "table" | "text" => options.json = false,
                other => return Err(format!("unknown format {other:?}: table or json")),
            },
            "--check-version" => options.check_version = true,
            "--payloads" => {
                options.payloads = value()?.parse().map_err(|_| "--payloads takes a number".to_owned())?;
                if options.payloads < witness::PAYLOADS {
                    return Err(format!("--payloads is at least {}", witness::PAYLOADS));
                }
            }
            "--seed" => options.seed = value()?.parse().map_err(|_| "--seed takes a number".to_owned())?,
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if options.old.is_some() != options.new.is_some() {
        return Err("--old and --new go together".to_owned());
    }
    if options.old.is_some() && (options.base.is_some() || options.check_version) {
        return Err("--old/--new compare folders: no --base, no --check-version".to_owned());
    }
    Ok(options)
}

pub fn main(args: &[&str]) -> ExitCode {
    if args.iter().any(|arg| matches!(*arg, "--help" | "-h")) {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let options = match parse(args) {
        Ok(options) => options,
        Err(error) => {
            eprintln!("{error}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let workspace = crate::Layout::repository().workspace;
    let loaded = match (&options.old, &options.new) {
        (Some(old), Some(new)) => read_dir(old).and_then(|before| {
            let after = read_dir(new)?;
            Ok((format!("{} -> {}", old.display(), new.display()), before, after, None))
        }),
        _ => (|| {
            let base = match &options.base {
                Some(base) => base.clone(),
                None => git::newest_version_tag(&workspace)?.unwrap_or_else(|| "HEAD".to_owned()),
            };
            let before = git::documents_at(&workspace, &base, "schema")?;
            let after = read_dir(&workspace.join("schema"))?;
            Ok((format!("schema/ at {base} -> working tree"), before, after, Some(base)))
        })(),
    };
    let (title, old, new, base) = match loaded {
        Ok(loaded) => loaded,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::from(2);
        }
    };
    let report = match compare(&title, &old, &new, options.payloads, options.seed) {
        Ok(report) => report,
        Err(error) => {
            eprintln!("the schemas do not load: {error}");
            return ExitCode::from(2);
        }
    };
    if options.json {
        println!("{}", serde_json::to_string_pretty(&report.json()).expect("JSON serializes"));
    } else {
        println!("{}", report.table());
    }
    if options.check_version {
        let base = base.expect("--check-version compares with a base revision");
        return match check_version(&workspace, &base, report.semver) {
            Ok(summary) => {
                eprintln!("{summary}");
                ExitCode::SUCCESS
            }
            Err(VersionCheck::NotBumped(message)) => {
                eprintln!("{message}");
                ExitCode::FAILURE
            }
            Err(VersionCheck::Unreadable(message)) => {
                eprintln!("{message}");
                ExitCode::from(2)
            }
        };
    }
    ExitCode::SUCCESS
}

/// Why `--check-version` failed.
#[derive(Debug, PartialEq, Eq)]
pub enum VersionCheck {
    /// The version is not bumped enough (exit 1).
    NotBumped(String),
    /// The versions cannot be read (exit 2).
    Unreadable(String),
}

/// Compares `version` of `[workspace.package]` in `Cargo.toml` at `base` with the working tree's:
/// `Ok` with a summary when it is bumped at least `needed` (in Cargo's reading of semver, where
/// below 1.0.0 the minor number is the breaking one).
pub fn check_version(workspace: &Path, base: &str, needed: Bump) -> Result<String, VersionCheck> {
    let old = git::file_at(workspace, base, "Cargo.toml").map_err(VersionCheck::Unreadable)?;
    let current = std::fs::read_to_string(workspace.join("Cargo.toml"))
        .map_err(|error| VersionCheck::Unreadable(format!("Cargo.toml: {error}")))?;
    let read = |text: &str, at: &str| {
        workspace_version(text).ok_or_else(|| {
            VersionCheck::Unreadable(format!("no `version` in [workspace.package] of Cargo.toml at {at}"))
        })
    };
    let (old, current) = (read(&old, base)?, read(&current, "the working tree")?);
    let (Some(from), Some(to)) = (semver::parse_version(&old), semver::parse_version(&current)) else {
        return Err(VersionCheck::Unreadable(format!("cannot read the versions {old:?} and {current:?}")));
    };
    let made = semver::bump_between(from, to);
    if made >= needed {
        Ok(format!("version {old} at {base} -> {current}: a {made} bump, and the changes need {needed}: ok"))
    } else {
        Err(VersionCheck::NotBumped(format!(
            "version {old} at {base} -> {current}: a {made} bump, but the changes need {needed}: bump `version` in Cargo.toml's [workspace.package]"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workspace_version_is_read_from_its_section_only() {
        let manifest = "[package]\nversion = \"9.9.9\"\n[workspace.package]\nedition = \"2024\"\nversion = \"0.3.1\"\n";
        assert_eq!(workspace_version(manifest).as_deref(), Some("0.3.1"));
        assert_eq!(workspace_version("[workspace]\nmembers = []\n"), None);
    }

    #[test]
    fn below_one_the_minor_number_is_the_breaking_one() {
        assert_eq!(semver::bump_between((0, 1, 0), (0, 2, 0)), Bump::Major);
        assert_eq!(semver::bump_between((0, 1, 0), (0, 1, 1)), Bump::Minor);
        assert_eq!(semver::bump_between((0, 1, 0), (0, 1, 0)), Bump::None);
        assert_eq!(semver::bump_between((1, 2, 3), (2, 0, 0)), Bump::Major);
        assert_eq!(semver::bump_between((1, 2, 3), (1, 3, 0)), Bump::Minor);
        assert_eq!(semver::bump_between((1, 2, 3), (1, 2, 4)), Bump::Patch);
        assert_eq!(semver::bump_between((1, 2, 3), (1, 2, 2)), Bump::None);
        assert_eq!(semver::parse_version("1.2.3-rc.1"), Some((1, 2, 3)));
    }
}
