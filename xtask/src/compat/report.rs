//! The output: a table for people, `--format json` for scripts (`changes` with `schema`,
//! `pointer`, `kind`, `verdicts` and, where a verdict is breaking, `counterexample`; `semver`).

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::diff::Change;
use super::rules::Verdicts;
use super::semver::{self, Bump};
use super::witness::Evidence;

/// One change, judged.
#[derive(Debug, Clone)]
pub struct Judged {
    pub change: Change,
    /// What the rules expect; `None` for a kind they leave to the evidence.
    pub rule: Option<Verdicts>,
    pub evidence: Evidence,
    pub bump: Bump,
    /// The generated Rust API compared: its bump and what breaks it; `None` when the generator
    /// refuses either version.
    pub api: Option<(Bump, Vec<String>)>,
}

impl Judged {
    /// The rules and the evidence disagree.
    pub fn disagrees(&self) -> bool {
        self.rule.is_some_and(|rule| rule != self.evidence.verdicts)
    }

    /// What breaks the generated Rust API: the generated code compared, or the rule of the
    /// change's kind when the generator refuses a version.
    pub fn api_breaks(&self) -> Vec<String> {
        match &self.api {
            Some((_, reasons)) => reasons.clone(),
            None => semver::api_break(&self.change)
                .map(|reason| format!("{reason} (by the rule of the kind: the generator refuses a version)"))
                .into_iter()
                .collect(),
        }
    }

    /// The rule of the kind and the generated code disagree on whether the API breaks.
    pub fn api_disagrees(&self) -> bool {
        self.api.as_ref().is_some_and(|(bump, _)| (*bump == Bump::Major) != semver::api_break(&self.change).is_some())
    }
}

/// The whole comparison.
#[derive(Debug, Clone)]
pub struct Report {
    /// What was compared: `schema/ at v0.1.0 -> working tree`.
    pub title: String,
    pub changes: Vec<Judged>,
    pub semver: Bump,
}

const AUDIENCES: &str = "\
tolerant_reader: receivers on the previous release reading tolerantly: do the new version's payloads still reach them?
strict_validator: tests and producers validating with the previous schemas: does the new version's valid payload still pass?
old_payloads: fixtures and stored payloads made for the previous version: are they still valid?";

const SEMVER_NOTE: &str = "\
semver is about users who upgrade the crate: major when old payloads break or the generated Rust API changes \
incompatibly, minor for compatible additions, patch for descriptions and examples alone. The tolerant_reader and \
strict_validator verdicts say what deployed receivers and validators on the previous release see once Audian ships \
the change: how urgently users must upgrade, not which number the crate takes.";

impl Report {
    pub fn json(&self) -> Value {
        let changes: Vec<Value> = self
            .changes
            .iter()
            .map(|judged| {
                let verdicts = judged.evidence.verdicts;
                let mut object = json!({
                    "schema": judged.change.schema,
                    "pointer": judged.change.pointer,
                    "kind": judged.change.kind.name(),
                    "detail": judged.change.detail,
                    "verdicts": {
                        "tolerant_reader": Verdicts::word(verdicts.tolerant_reader),
                        "strict_validator": Verdicts::word(verdicts.strict_validator),
                        "old_payloads": Verdicts::word(verdicts.old_payloads),
                    },
                    "payloads_checked": {
                        "old": judged.evidence.old_checked,
                        "new": judged.evidence.new_checked,
                    },
                    "semver": judged.bump.name(),
                });
                if let Some(first) = judged.evidence.counterexamples.first() {
                    object["counterexample"] = counterexample_json(first);
                    object["counterexamples"] =
                        judged.evidence.counterexamples.iter().map(counterexample_json).collect::<Vec<_>>().into();
                }
                let breaks = judged.api_breaks();
                if !breaks.is_empty() {
                    object["api_break"] = Value::from(breaks.join("; "));
                }
                if judged.api_disagrees() {
                    object["api_rule_disagrees"] = Value::Bool(true);
                }
                if let Some(rule) = judged.rule {
                    object["rule_verdicts"] = json!({
                        "tolerant_reader": Verdicts::word(rule.tolerant_reader),
                        "strict_validator": Verdicts::word(rule.strict_validator),
                        "old_payloads": Verdicts::word(rule.old_payloads),
                    });
                    object["rules_agree"] = Value::Bool(!judged.disagrees());
                }
                object
            })
            .collect();
        json!({
            "compared": self.title,
            "rules_disagree": self.changes.iter().filter(|judged| judged.disagrees()).count(),
            "changes": changes,
            "semver": self.semver.name(),
            "semver_note": SEMVER_NOTE,
        })
    }

    pub fn table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "{}", self.title);
        if self.changes.is_empty() {
            let _ = writeln!(out, "no change");
        }
        let short = |breaking: bool| if breaking { "BREAKING" } else { "ok" };
        let _ = writeln!(
            out,
            "{:<36} {:<44} {:<30} {:<9} {:<9} {:<9} semver",
            "schema", "pointer", "kind", "tolerant", "strict", "old"
        );
        for judged in &self.changes {
            let verdicts = judged.evidence.verdicts;
            let _ = writeln!(
                out,
                "{:<36} {:<44} {:<30} {:<9} {:<9} {:<9} {}",
                judged.change.schema,
                if judged.change.pointer.is_empty() { "(root)" } else { &judged.change.pointer },
                judged.change.kind.name(),
                short(verdicts.tolerant_reader),
                short(verdicts.strict_validator),
                short(verdicts.old_payloads),
                judged.bump
            );
            let _ = writeln!(
                out,
                "    {} ({} old and {} new payloads checked)",
                judged.change.detail, judged.evidence.old_checked, judged.evidence.new_checked
            );
            for reason in judged.api_breaks() {
                let _ = writeln!(out, "    Rust API: {reason}");
            }
            if judged.api_disagrees() {
                let _ = writeln!(
                    out,
                    "    !!! THE RULE OF THE KIND AND THE GENERATED CODE DISAGREE on the Rust API: the rule says {}; the bump is the generated code's",
                    semver::api_break(&judged.change).unwrap_or("no break")
                );
            }
            let thin = |checked: usize| checked < super::witness::PAYLOADS;
            if (!verdicts.old_payloads && thin(judged.evidence.old_checked))
                || (!(verdicts.strict_validator && verdicts.tolerant_reader) && thin(judged.evidence.new_checked))
            {
                let _ = writeln!(
                    out,
                    "    !!! a compatible verdict rests on fewer than {} payloads: the generator could not make more valid ones",
                    super::witness::PAYLOADS
                );
            }
            for example in &judged.evidence.counterexamples {
                let _ = writeln!(
                    out,
                    "    {}: valid under the {} schemas, refused by {}: {}\n      {}",
                    example.audience, example.valid_under, example.refused_by, example.error, example.payload
                );
            }
            if judged.disagrees() {
                let rule = judged.rule.expect("a disagreement has a rule");
                let _ = writeln!(
                    out,
                    "    !!! THE RULES AND THE EVIDENCE DISAGREE: the rules say tolerant_reader {}, strict_validator {}, old_payloads {}; the verdicts above are the evidence's",
                    Verdicts::word(rule.tolerant_reader),
                    Verdicts::word(rule.strict_validator),
                    Verdicts::word(rule.old_payloads)
                );
            }
        }
        let disagreements = self.changes.iter().filter(|judged| judged.disagrees()).count();
        if disagreements > 0 {
            let _ = writeln!(
                out,
                "\n!!! THE RULES AND THE EVIDENCE DISAGREE ON {disagreements} CHANGES (marked above): the verdicts are the evidence's; the rules of xtask/src/compat/rules.rs need a look"
            );
        }
        let _ = writeln!(out, "\n{AUDIENCES}\n");
        let _ = writeln!(out, "{SEMVER_NOTE}\n");
        let _ = write!(out, "semver: {}", self.semver);
        out
    }
}

fn counterexample_json(example: &super::witness::Counterexample) -> Value {
    json!({
        "audience": example.audience,
        "payload": example.payload,
        "valid_under": example.valid_under,
        "refused_by": example.refused_by,
        "error": example.error,
    })
}
