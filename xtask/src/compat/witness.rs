//! The evidence: each audience's question asked of the reference validators, on payloads
//! generated from one version and judged by the other.
//!
//! - `old_payloads`: a payload valid under the old strict schemas that the new ones refuse.
//! - `strict_validator`: a payload valid under the new strict schemas that the old ones refuse.
//! - `tolerant_reader`: a payload valid under the new strict schemas that the old *tolerant*
//!   schemas refuse (derived from the old set by `codegen::tolerant`, as `cargo xtask generate`
//!   does).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use audian_events_reference::{Validator, message, registry, validator};
use codegen::model::{Body, Model, Schema, SchemaId};
use codegen::{EventCatalog, SchemaSet, UNION_FILE};
use serde_json::Value;

use super::diff::{Change, Documents};
use super::rules::Verdicts;
use super::sample::Generator;

/// One version of the schemas, loaded and with its reference validators.
pub struct Side {
    pub documents: Documents,
    set: SchemaSet,
    pub model: Model,
    /// Strict validators of the payload roots, by path.
    strict: BTreeMap<String, Validator>,
    /// The tolerant reading's `event.json`, for the old side.
    tolerant: Option<Validator>,
    /// Each event file's own validator, strict and (old side) tolerant, by path: the union only
    /// says that no branch matched, the event's own schema says where.
    events: BTreeMap<String, Validator>,
    tolerant_events: BTreeMap<String, Validator>,
}

impl Side {
    /// Loads `documents` (`schema/` as it is named in messages); `with_tolerant` also derives
    /// the tolerant reading.
    pub fn load(documents: &Documents, name: &str, with_tolerant: bool) -> Result<Side, String> {
        let listed: Vec<(String, Value)> =
            documents.iter().map(|(path, value)| (path.clone(), value.clone())).collect();
        let set = SchemaSet::from_documents(Path::new(name), listed).map_err(|diagnostics| diagnostics.to_string())?;
        let model = Model::parse(&set).map_err(|diagnostics| diagnostics.to_string())?;
        // Owned, so that the registry does not borrow the set, which the side keeps.
        let schemas: Vec<(String, Value)> =
            set.files().map(|file| (file.id.clone(), file.document.clone())).collect::<Vec<_>>();
        let strict_registry = registry(schemas.iter().map(|(id, document)| (id.as_str(), document)))
            .map_err(|error| format!("{name}: cannot index the schemas by `$id`: {error}"))?;
        let mut strict = BTreeMap::new();
        for file in set.files().filter(|file| is_judge_root(&file.path) && !SchemaSet::is_definitions_only(file)) {
            let compiled = validator(&strict_registry, &file.document)
                .map_err(|error| format!("{name}/{}: the reference validator cannot compile it: {error}", file.path))?;
            strict.insert(file.path.clone(), compiled);
        }
        let mut events = BTreeMap::new();
        for file in set.files().filter(|file| is_event(&file.path)) {
            if let Ok(compiled) = validator(&strict_registry, &file.document) {
                events.insert(file.path.clone(), compiled);
            }
        }
        let mut tolerant_events = BTreeMap::new();
        let tolerant = if with_tolerant && set.file(UNION_FILE).is_some() {
            // A version whose `EventType` list disagrees with its union still has a tolerant
            // reading: its union's events, as read from the union alone.
            let catalog = EventCatalog::of(&model).unwrap_or_else(|_| union_catalog(&set));
            let derived =
                codegen::tolerant::derive(&set, &model, &catalog).map_err(|diagnostics| diagnostics.to_string())?;
            let ids: Vec<(String, &Value)> = derived
                .documents
                .iter()
                .filter_map(|(_, document)| Some((document.get("$id")?.as_str()?.to_owned(), document)))
                .collect();
            let tolerant_registry = registry(ids.iter().map(|(id, document)| (id.as_str(), *document)))
                .map_err(|error| format!("{name}, tolerant reading: {error}"))?;
            let union = derived.documents.iter().find(|(path, _)| path == UNION_FILE).map(|(_, document)| document);
            for (path, document) in derived.documents.iter().filter(|(path, _)| is_event(path)) {
                if let Ok(compiled) = validator(&tolerant_registry, document) {
                    tolerant_events.insert(path.clone(), compiled);
                }
            }
            match union {
                Some(union) => Some(
                    validator(&tolerant_registry, union)
                        .map_err(|error| format!("{name}, tolerant reading of event.json: {error}"))?,
                ),
                None => None,
            }
        } else {
            None
        };
        Ok(Side { documents: documents.clone(), set, model, strict, tolerant, events, tolerant_events })
    }

    /// The schema that the `$ref` `reference`, written in `file`, leads to.
    pub fn resolve(&self, file: &str, reference: &str) -> Option<Value> {
        let file = self.set.file(file)?;
        self.set.resolve(file, reference).ok().map(|target| target.schema.clone())
    }

    /// The documented example of a root: `examples/call.held.json` for `events/call.held.json`,
    /// the first of `examples/webhooks/create.<variant>.json` for `webhooks/create.json`.
    fn example(&self, root: &str) -> Option<&Value> {
        let name = root.strip_prefix("events/").unwrap_or(root);
        if let Some(example) = self.documents.get(&format!("examples/{name}")) {
            return Some(example);
        }
        let stem = format!("examples/{}.", name.strip_suffix(".json")?);
        self.documents.iter().find(|(path, _)| path.starts_with(&stem)).map(|(_, example)| example)
    }

    /// The payload roots: the files that describe a payload, not only `$defs`.
    fn roots(&self) -> Vec<String> {
        self.strict.keys().cloned().chain(self.model.files.keys().filter(|path| is_event(path)).cloned()).collect()
    }

    /// The roots whose payloads pass through the place `(file, pointer)`.
    fn roots_reaching(&self, file: &str, pointer: &str) -> Vec<String> {
        let mut reaching = Vec::new();
        for root in self.roots() {
            let Some(schema) = self.model.files.get(&root) else { continue };
            let mut visited = BTreeSet::new();
            reach(&self.model, schema, &mut visited);
            if visited
                .iter()
                .any(|id| id.file == file && (prefix(&id.pointer, pointer) || prefix(pointer, &id.pointer)))
            {
                reaching.push(root);
            }
        }
        // The union's payloads are the events': generated from each event's file, they come
        // out evenly.
        if reaching.iter().any(|root| is_event(root)) {
            reaching.retain(|root| root != UNION_FILE);
        }
        reaching
    }

    /// Whether the tolerant reading reads the place at all: some event reaches it.
    pub fn tolerant_reaches(&self, file: &str, pointer: &str) -> bool {
        self.roots_reaching(file, pointer).iter().any(|root| is_event(root) || root == UNION_FILE)
    }

    fn judge(&self, root: &str) -> Option<&Validator> {
        self.strict.get(judge_of(root))
    }
}

/// The events of the union `event.json`: each `$ref` of its `oneOf` to an event file, named by
/// that file's `event` constant.
fn union_catalog(set: &SchemaSet) -> EventCatalog {
    let branches = set
        .file(UNION_FILE)
        .and_then(|union| union.document.get("oneOf"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let entries = branches
        .iter()
        .filter_map(|branch| {
            let schema_path = branch.get("$ref")?.as_str()?.to_owned();
            let name = set.file(&schema_path)?.document.pointer("/properties/event/const")?.as_str()?.to_owned();
            Some(codegen::catalog::CatalogEntry { name, schema_path })
        })
        .collect();
    EventCatalog { entries }
}

fn is_event(path: &str) -> bool {
    path.strip_prefix("events/").is_some_and(|name| !name.contains('/'))
}

/// Events are judged by the union, as a receiver does; other payloads by their own file.
fn judge_of(root: &str) -> &str {
    if is_event(root) { UNION_FILE } else { root }
}

fn is_judge_root(path: &str) -> bool {
    !is_event(path) && !path.starts_with("examples/")
}

/// Whether `a` is `b` or one of its ancestors, token by token.
fn prefix(a: &str, b: &str) -> bool {
    b == a || b.strip_prefix(a).is_some_and(|rest| rest.starts_with('/'))
}

fn reach(model: &Model, schema: &Schema, visited: &mut BTreeSet<SchemaId>) {
    if !visited.insert(schema.id.clone()) {
        return;
    }
    let Body::Keywords(keywords) = &schema.body else { return };
    if let Some(target) = keywords.reference.as_ref().and_then(|reference| model.resolve(reference)) {
        reach(model, target, visited);
    }
    for (_, property) in &keywords.properties {
        reach(model, property, visited);
    }
    for child in
        keywords.additional_properties.iter().chain(&keywords.items).chain(&keywords.one_of).chain(&keywords.not)
    {
        reach(model, child, visited);
    }
}

/// A payload valid under one version and refused by the other.
#[derive(Debug, Clone, PartialEq)]
pub struct Counterexample {
    /// `old_payloads`, `strict_validator` or `tolerant_reader`.
    pub audience: &'static str,
    pub payload: Value,
    /// `old` or `new`: the version under which the payload is valid (strict).
    pub valid_under: &'static str,
    /// The schema that refuses it: `old schema/event.json`, `old schema-tolerant/event.json`...
    pub refused_by: String,
    /// The refusing side's first error: its instance path and message.
    pub error: String,
}

/// The evidence of one change.
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    pub verdicts: Verdicts,
    pub counterexamples: Vec<Counterexample>,
    /// Payloads valid under the old strict schemas judged by the new (the `old_payloads` search).
    pub old_checked: usize,
    /// Payloads valid under the new strict schemas judged by the old strict and tolerant ones.
    pub new_checked: usize,
}

/// Payloads judged for each change and direction, at least.
pub const PAYLOADS: usize = 1000;

/// Searches for counterexamples of `change` between `old` and `new` (the old documents with the
/// change alone), on at least `budget` valid payloads in each direction (fewer only when one is
/// found). `vocabulary`: property names of both versions, for the unknown properties of open
/// objects.
pub fn search(change: &Change, old: &Side, new: &Side, vocabulary: &[String], budget: usize, seed: u64) -> Evidence {
    let mut evidence = Evidence::default();
    // old_payloads: generated from the old version, judged by the new one.
    let roots = direction_roots(old, change);
    let mut generator = Generator::new(&old.model, vocabulary, seed);
    let mut attempts = 0;
    while evidence.old_checked < budget && attempts < budget * 4 && !roots.is_empty() {
        let root = &roots[attempts % roots.len()];
        let minimal = attempts < roots.len();
        attempts += 1;
        let Some(payload) = generator.payload(root, minimal) else { continue };
        let Some(own) = old.judge(root) else { continue };
        if !own.is_valid(&payload) {
            continue;
        }
        evidence.old_checked += 1;
        let Some(other) = new.judge(root) else { continue };
        if !other.is_valid(&payload) {
            let payload =
                shrink(payload, old.example(root), &|candidate| own.is_valid(candidate) && !other.is_valid(candidate));
            evidence.verdicts.old_payloads = true;
            evidence.counterexamples.push(counterexample(
                "old_payloads",
                payload,
                "old",
                judge_of(root),
                "new schema",
                other,
                new.events.get(root.as_str()),
            ));
            break;
        }
    }
    // strict_validator and tolerant_reader: generated from the new version, judged by the old.
    let roots = direction_roots(new, change);
    let mut generator = Generator::new(&new.model, vocabulary, seed ^ 0xA5A5_5A5A);
    let mut attempts = 0;
    let (mut strict_found, mut tolerant_found) = (false, false);
    while evidence.new_checked < budget
        && attempts < budget * 4
        && !roots.is_empty()
        && !(strict_found && tolerant_found)
    {
        let root = &roots[attempts % roots.len()];
        let minimal = attempts < roots.len();
        attempts += 1;
        let Some(payload) = generator.payload(root, minimal) else { continue };
        let Some(own) = new.judge(root) else { continue };
        if !own.is_valid(&payload) {
            continue;
        }
        evidence.new_checked += 1;
        if !strict_found {
            let refused = match old.judge(root) {
                Some(other) => (!other.is_valid(&payload)).then_some(other),
                // The old version has no such payload at all: an event file added without its
                // union branch, say. Its union judges it.
                None => old.strict.get(UNION_FILE).filter(|union| !union.is_valid(&payload)),
            };
            if let Some(other) = refused {
                let payload = shrink(payload.clone(), new.example(root), &|candidate| {
                    own.is_valid(candidate) && !other.is_valid(candidate)
                });
                strict_found = true;
                evidence.verdicts.strict_validator = true;
                let judged = if old.judge(root).is_some() { judge_of(root) } else { UNION_FILE };
                evidence.counterexamples.push(counterexample(
                    "strict_validator",
                    payload.clone(),
                    "new",
                    judged,
                    "old schema",
                    other,
                    old.events.get(root.as_str()),
                ));
            }
        }
        if !tolerant_found
            && (is_event(root) || root == UNION_FILE)
            && let Some(tolerant) = &old.tolerant
            && !tolerant.is_valid(&payload)
        {
            tolerant_found = true;
            let payload = shrink(payload, new.example(root), &|candidate| {
                own.is_valid(candidate) && !tolerant.is_valid(candidate)
            });
            evidence.verdicts.tolerant_reader = true;
            evidence.counterexamples.push(counterexample(
                "tolerant_reader",
                payload,
                "new",
                UNION_FILE,
                "old schema-tolerant",
                tolerant,
                old.tolerant_events.get(root.as_str()),
            ));
        }
    }
    evidence
}

/// The roots whose payloads the change may concern, on one side; the union (or every root) when
/// none reaches the place there (it exists only on the other side).
fn direction_roots(side: &Side, change: &Change) -> Vec<String> {
    let mut roots = side.roots_reaching(&change.schema, &change.pointer);
    if roots.is_empty() {
        roots = if side.model.files.contains_key(UNION_FILE) && change.schema.starts_with("events/") {
            side.model.files.keys().filter(|path| is_event(path)).cloned().collect()
        } else {
            side.roots().into_iter().filter(|root| root != UNION_FILE).collect()
        };
    }
    roots
}

fn counterexample(
    audience: &'static str,
    payload: Value,
    valid_under: &'static str,
    judged: &str,
    refusing: &str,
    validator: &Validator,
    own: Option<&Validator>,
) -> Counterexample {
    let first = |validator: &Validator| {
        validator.iter_errors(&payload).next().map(|error| {
            let path = error.instance_path().as_str().to_owned();
            format!("at {}: {}", if path.is_empty() { "/" } else { &path }, message(&error))
        })
    };
    let error = own.and_then(first).or_else(|| first(validator)).unwrap_or_default();
    Counterexample { audience, payload, valid_under, refused_by: format!("{refusing}/{judged}"), error }
}

/// Every property name of the documents, for unknown properties of open objects.
pub fn vocabulary(documents: &[&Documents]) -> Vec<String> {
    let mut names = BTreeSet::new();
    for set in documents {
        for (path, document) in set.iter() {
            if !path.starts_with("examples/") {
                collect_names(document, &mut names);
            }
        }
    }
    names.into_iter().collect()
}

fn collect_names(value: &Value, names: &mut BTreeSet<String>) {
    match value {
        Value::Object(object) => {
            if let Some(Value::Object(properties)) = object.get("properties") {
                names.extend(properties.keys().cloned());
            }
            object.values().for_each(|child| collect_names(child, names));
        }
        Value::Array(items) => items.iter().for_each(|child| collect_names(child, names)),
        _ => {}
    }
}

/// Shrinks a counterexample towards something a person recognises while `keeps` holds: object
/// members dropped, then each value replaced by the documented example's at the same pointer.
fn shrink(mut payload: Value, example: Option<&Value>, keeps: &dyn Fn(&Value) -> bool) -> Value {
    let mut budget = 400;
    'dropping: loop {
        for pointer in member_pointers(&payload, "") {
            if budget == 0 {
                break 'dropping;
            }
            budget -= 1;
            let mut smaller = payload.clone();
            remove_at(&mut smaller, &pointer);
            if keeps(&smaller) {
                payload = smaller;
                continue 'dropping;
            }
        }
        break;
    }
    if let Some(example) = example {
        for pointer in leaf_pointers(&payload, "") {
            let Some(documented) = example.pointer(&pointer) else { continue };
            if payload.pointer(&pointer) == Some(documented) || budget == 0 {
                continue;
            }
            budget -= 1;
            let mut familiar = payload.clone();
            if let Some(slot) = familiar.pointer_mut(&pointer) {
                *slot = documented.clone();
            }
            if keeps(&familiar) {
                payload = familiar;
            }
        }
    }
    payload
}

fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// The pointers of every object member, deepest first.
fn member_pointers(value: &Value, at: &str) -> Vec<String> {
    let mut pointers = Vec::new();
    if let Value::Object(object) = value {
        for (key, child) in object {
            let pointer = format!("{at}/{}", escape(key));
            pointers.extend(member_pointers(child, &pointer));
            pointers.push(pointer);
        }
    }
    pointers
}

/// The pointers of every scalar and array.
fn leaf_pointers(value: &Value, at: &str) -> Vec<String> {
    match value {
        Value::Object(object) => {
            object.iter().flat_map(|(key, child)| leaf_pointers(child, &format!("{at}/{}", escape(key)))).collect()
        }
        _ => vec![at.to_owned()],
    }
}

fn remove_at(value: &mut Value, pointer: &str) {
    let Some((parent, last)) = pointer.rsplit_once('/') else { return };
    let key = last.replace("~1", "/").replace("~0", "~");
    if let Some(Value::Object(object)) = value.pointer_mut(parent) {
        object.remove(&key);
    }
}
