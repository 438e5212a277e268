//! The schema-driven mutation engine: from a documented example of a schema, valid variations
//! and broken keywords, chosen by what the schema says (its `type`, `format`, `enum`, `const`,
//! `oneOf`, `minItems`, `required`, `additionalProperties`...) rather than by field names, so
//! that any schema of the folder is mutated without teaching the engine its fields. The event
//! engine ([`crate::Engine`]) is tuned to the events; this one serves the webhook request bodies
//! and the event schemas one by one.
//!
//! Most cases break exactly one keyword, each keyword location as often as the others, so that
//! every keyword is seen failing alone; the rest are valid, or break several at once.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::fs;
use std::path::Path as FsPath;

use serde_json::{Map, Number, Value, json};

use crate::mutate::{Case, Input};
use crate::reference::schema_dir;
use crate::rng::Rng;
use crate::schema::{Node, SchemaSet};
use crate::tree::{self, Path, Seg};
use crate::values;

/// The formats whose values the engine can make and miss.
const FORMATS: [&str; 2] = ["uri", "date-time"];

/// Property names for `additionalProperties: false` to refuse, besides near misses of the
/// schema's own: what a client might send by mistake or from a later API.
const STRAY_NAMES: [&str; 14] = [
    "extra",
    "",
    "id",
    "webhook_id",
    "secret",
    "description",
    "enabled",
    "metadata",
    "__proto__",
    "$ref",
    "name\u{0}",
    "métadonnées",
    "😀",
    "filter",
];

/// A subschema, with what the engine needs worked out once.
#[derive(Debug, Clone)]
struct Compiled<'a> {
    node: Node<'a>,
    /// The schemas that apply wherever this one does: itself, its `$ref`'s target, its
    /// `allOf`'s, and theirs.
    applicable: Vec<usize>,
    /// Its assertions: each keyword, and the index of its location.
    assertions: Vec<(&'static str, usize)>,
    /// The schema of each property it names, and of the others (`additionalProperties`).
    properties: BTreeMap<String, usize>,
    additional: Option<usize>,
    items: Option<usize>,
    one_of: Vec<usize>,
    any_of: Vec<usize>,
    negated: Option<usize>,
}

/// What was done to make a case, when it is asked for: written out only then.
struct Notes(Option<Vec<String>>);

impl Notes {
    fn note(&mut self, line: impl FnOnce() -> String) {
        if let Some(lines) = &mut self.0 {
            lines.push(line());
        }
    }
}

/// A place in a payload (an index into the walk's steps), the schema the walk reached it by,
/// and one of the schemas that apply there.
#[derive(Debug, Clone, Copy)]
struct Site {
    place: usize,
    entry: usize,
    schema: usize,
}

/// The places of a payload that schemas describe, each a step from its parent (which keeps the
/// walk from copying a path for each).
#[derive(Debug, Default)]
struct Sites<'v> {
    steps: Vec<Step<'v>>,
    sites: Vec<Site>,
}

#[derive(Debug, Clone, Copy)]
enum Step<'v> {
    Root,
    Key(usize, &'v str),
    Index(usize, usize),
}

impl Sites<'_> {
    /// The path of a place.
    fn path(&self, place: usize) -> Path {
        let mut path = Vec::new();
        let mut at = place;
        loop {
            match self.steps[at] {
                Step::Root => break,
                Step::Key(parent, key) => {
                    path.push(Seg::Key(key.to_owned()));
                    at = parent;
                }
                Step::Index(parent, index) => {
                    path.push(Seg::Index(index));
                    at = parent;
                }
            }
        }
        path.reverse();
        path
    }
}

/// Generates cases of one schema from its documented examples.
#[derive(Debug, Clone)]
pub struct SchemaEngine<'a> {
    /// Every subschema reached from the root, the root first.
    schemas: Vec<Compiled<'a>>,
    /// Every keyword location of an assertion, by index.
    locations: Vec<String>,
    /// The locations of the assertions a payload can reach (not those inside a `oneOf`, `anyOf`
    /// or `not`, which the reference reports as the combinator's failure, and so do we).
    reachable: BTreeSet<usize>,
    /// Those of them that a payload can break alone.
    solitary: BTreeSet<usize>,
    /// How often each location is drawn, when a case breaks a keyword, relative to the others
    /// the payload reaches.
    weights: Vec<u32>,
    examples: Vec<(String, Value)>,
}

impl<'a> SchemaEngine<'a> {
    /// An engine over `examples` (name, payload) of the schema at `schema` in `set`; fails if the
    /// schema uses a keyword or a format the engine cannot break, or has no example.
    pub fn new(set: &'a SchemaSet, schema: &str, examples: Vec<(String, Value)>) -> Result<SchemaEngine<'a>, String> {
        SchemaEngine::of_node(set.root(schema)?, examples)
    }

    /// An engine over `examples` of the subschema `root`.
    pub fn of_node(root: Node<'a>, examples: Vec<(String, Value)>) -> Result<SchemaEngine<'a>, String> {
        if examples.is_empty() {
            return Err(format!("no examples of {} to mutate", root.location()));
        }
        let (schemas, locations) = compile(root)?;
        let weights = vec![1; locations.len()];
        let mut engine = SchemaEngine {
            schemas,
            locations,
            reachable: BTreeSet::new(),
            solitary: BTreeSet::new(),
            weights,
            examples,
        };
        engine.find_reachable();
        Ok(engine)
    }

    /// The engine of a schema of `schema/`, over its documented examples.
    pub fn documented(schema: &str) -> SchemaEngine<'static> {
        let examples = examples_of(&schema_dir(), schema).unwrap_or_else(|error| panic!("{error}"));
        SchemaEngine::new(SchemaSet::documented(), schema, examples).unwrap_or_else(|error| panic!("{error}"))
    }

    /// The engine with each keyword location drawn `weight(location)` times as often as one of
    /// weight 1 (as all are by default), when a case breaks a keyword; 0 counts as 1.
    pub fn with_weights(mut self, weight: impl Fn(&str) -> u32) -> SchemaEngine<'a> {
        self.weights = self.locations.iter().map(|location| weight(location).max(1)).collect();
        self
    }

    pub fn root(&self) -> &Node<'a> {
        &self.schemas[0].node
    }

    pub fn examples(&self) -> &[(String, Value)] {
        &self.examples
    }

    /// Every keyword location that the reference can report on a payload of this schema,
    /// written as the generated validators write it (`webhooks/create.json#/required`).
    pub fn keywords(&self) -> BTreeSet<&str> {
        self.reachable.iter().map(|&at| self.locations[at].as_str()).collect()
    }

    /// Those that a payload can break alone. Not the others, at a place that also has a `const`
    /// or an `enum`: whatever breaks them breaks that too (the `type` of a `status` whose value
    /// is a `const`); unless the place is also reached without one.
    pub fn solitary_keywords(&self) -> BTreeSet<&str> {
        self.solitary.iter().map(|&at| self.locations[at].as_str()).collect()
    }

    /// Works out [`keywords`](Self::keywords) and
    /// [`solitary_keywords`](Self::solitary_keywords): every schema a payload reaches is an entry
    /// (the root, a property's, an item's), with the schemas that apply there.
    fn find_reachable(&mut self) {
        let mut entries = vec![0];
        let mut seen = BTreeSet::new();
        while let Some(entry) = entries.pop() {
            if !seen.insert(entry) {
                continue;
            }
            let applicable = &self.schemas[entry].applicable;
            let pinned =
                |keyword: &str| applicable.iter().any(|&schema| self.schemas[schema].node.get(keyword).is_some());
            let shadow = if pinned("const") {
                Some("const")
            } else if pinned("enum") {
                Some("enum")
            } else {
                None
            };
            for &schema in applicable {
                let compiled = &self.schemas[schema];
                for &(keyword, location) in &compiled.assertions {
                    self.reachable.insert(location);
                    if shadow.is_none_or(|shadow| shadow == keyword) {
                        self.solitary.insert(location);
                    }
                }
                entries.extend(compiled.properties.values().copied());
                entries.extend(compiled.additional);
                entries.extend(compiled.items);
            }
        }
    }

    /// Case `index` of the run from `seed`: a function of the two numbers, the schema and the
    /// examples alone.
    pub fn case(&self, seed: u64, index: u64) -> Case {
        let mut notes = Notes(Some(Vec::new()));
        let (example, value) = self.make(seed, index, &mut notes);
        Case { example, notes: notes.0.unwrap_or_default(), input: Input::Value(value) }
    }

    /// The payload of [`case`](Self::case) alone, without the notes of what was done to make it
    /// (which cost more than the rest).
    pub fn payload(&self, seed: u64, index: u64) -> Value {
        self.make(seed, index, &mut Notes(None)).1
    }

    fn make(&self, seed: u64, index: u64, notes: &mut Notes) -> (String, Value) {
        let mut rng = Rng::for_case(seed, index);
        let (name, example) = rng.pick(&self.examples);
        let mut value = example.clone();
        let variations = match rng.below(10) {
            0..=2 => 0,
            3..=6 => 1,
            7..=8 => 2,
            _ => 3,
        };
        let breaks = match rng.below(100) {
            0..=24 => 0,
            25..=89 => 1,
            90..=96 => 2,
            _ => 3,
        };
        for _ in 0..variations {
            self.vary(&mut value, &mut rng, notes);
        }
        for _ in 0..breaks {
            if rng.chance(1, 10) {
                self.wreck(&mut value, &mut rng, notes);
            } else {
                self.break_a_keyword(&mut value, &mut rng, notes);
            }
        }
        (name.clone(), value)
    }

    /// Every place of `value` that a schema describes, with each schema that applies there
    /// (its `$ref`'s and `allOf`'s included), parents first, keys sorted.
    fn sites<'v>(&self, value: &'v Value) -> Sites<'v> {
        let mut sites = Sites::default();
        self.walk(0, value, Step::Root, &mut sites);
        sites
    }

    fn walk<'v>(&self, entry: usize, value: &'v Value, step: Step<'v>, out: &mut Sites<'v>) {
        out.steps.push(step);
        let place = out.steps.len() - 1;
        for &schema in &self.schemas[entry].applicable {
            out.sites.push(Site { place, entry, schema });
            let compiled = &self.schemas[schema];
            match value {
                Value::Object(map) => {
                    // Sorted, whatever order the map keeps.
                    let mut keys: Vec<&String> = map.keys().collect();
                    keys.sort_unstable();
                    for key in keys {
                        if let Some(child) = compiled.properties.get(key).copied().or(compiled.additional) {
                            self.walk(child, &map[key], Step::Key(place, key), out);
                        }
                    }
                }
                Value::Array(items) => {
                    if let Some(child) = compiled.items {
                        for (index, item) in items.iter().enumerate() {
                            self.walk(child, item, Step::Index(place, index), out);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// A change the schema allows: a value made for a place, an optional property added or
    /// dropped, an item added, dropped, repeated or moved.
    fn vary(&self, value: &mut Value, rng: &mut Rng, notes: &mut Notes) {
        let sites = self.sites(value);
        let site = *rng.pick(&sites.sites);
        let path = &sites.path(site.place);
        let Some(current) = tree::get(value, path) else { return };
        let compiled = &self.schemas[site.schema];
        let node = &compiled.node;
        match (rng.below(2), current) {
            (0, Value::Object(map)) => {
                let absent: Vec<(&String, usize)> = compiled
                    .properties
                    .iter()
                    .filter(|(name, _)| !map.contains_key(*name))
                    .map(|(name, &schema)| (name, schema))
                    .collect();
                let required = node.required();
                let optional: Vec<String> =
                    tree::sorted_keys(map).into_iter().filter(|key| !required.contains(&key.as_str())).collect();
                if !absent.is_empty() && (optional.is_empty() || rng.chance(1, 2)) {
                    let (name, schema) = *rng.pick(&absent);
                    let new = self.valid(schema, rng, 0);
                    let mut child = path.clone();
                    child.push(Seg::Key(name.clone()));
                    notes.note(|| format!("valid: add {} = {}", tree::pointer(&child), short(&new)));
                    if let Some(Value::Object(map)) = tree::get_mut(value, path) {
                        map.insert(name.clone(), new);
                    }
                } else if !optional.is_empty() {
                    let mut child = path.clone();
                    child.push(Seg::Key(rng.pick(&optional).clone()));
                    notes.note(|| format!("valid: drop {}", tree::pointer(&child)));
                    tree::remove(value, &child);
                }
            }
            (0, Value::Array(items)) => {
                let mut items = items.clone();
                let min = bound(node, "minItems").unwrap_or(0);
                let max = bound(node, "maxItems").unwrap_or(u64::MAX);
                let unique = node.get("uniqueItems") == Some(&Value::Bool(true));
                let what = match rng.below(4) {
                    0 if (items.len() as u64) < max => {
                        let new = compiled.items.map_or(Value::Null, |schema| self.valid(schema, rng, 0));
                        let at = rng.index(items.len() + 1);
                        items.insert(at, new);
                        format!("insert at {at}")
                    }
                    1 if items.len() as u64 > min => {
                        let at = rng.index(items.len());
                        items.remove(at);
                        format!("remove {at}")
                    }
                    2 if !items.is_empty() && !unique && (items.len() as u64) < max => {
                        let from = rng.index(items.len());
                        let copy = items[from].clone();
                        items.push(copy);
                        format!("repeat {from}")
                    }
                    _ if items.len() > 1 => {
                        let (a, b) = (rng.index(items.len()), rng.index(items.len()));
                        items.swap(a, b);
                        format!("swap {a} and {b}")
                    }
                    _ => return,
                };
                notes.note(|| format!("valid: {what} in {}", pointer_or_root(path)));
                set(value, path, Value::Array(items));
            }
            _ => {
                // Made for every schema that applies there, not only this one.
                let new = self.valid(site.entry, rng, 0);
                notes.note(|| format!("valid: {} = {}", pointer_or_root(path), short(&new)));
                set(value, path, new);
            }
        }
    }

    /// Breaks one keyword: a keyword location is drawn first among those the payload reaches,
    /// each as often as its weight says (all alike by default), then one of the places it
    /// applies to.
    fn break_a_keyword(&self, value: &mut Value, rng: &mut Rng, notes: &mut Notes) {
        let sites = self.sites(value);
        let assertions = || {
            sites.sites.iter().flat_map(|&site| {
                self.schemas[site.schema].assertions.iter().map(move |&(keyword, location)| (location, site, keyword))
            })
        };
        let mut locations: Vec<usize> = assertions().map(|(location, _, _)| location).collect();
        locations.sort_unstable();
        locations.dedup();
        if locations.is_empty() {
            return;
        }
        let weights: Vec<u32> = locations.iter().map(|&location| self.weights[location]).collect();
        let location = locations[rng.weighted(&weights)];
        let places: Vec<(Site, &'static str)> =
            assertions().filter(|(at, _, _)| *at == location).map(|(_, site, keyword)| (site, keyword)).collect();
        let (site, keyword) = *rng.pick(&places);
        let path = &sites.path(site.place);
        let Some(current) = tree::get(value, path) else { return };
        let Some(new) = self.breaking(site, keyword, current, rng) else { return };
        notes.note(|| format!("break {}: {} = {}", self.locations[location], pointer_or_root(path), short(&new)));
        set(value, path, new);
    }

    /// A blunter blow: a property renamed to a near miss of its name, or a place replaced by
    /// deep garbage.
    fn wreck(&self, value: &mut Value, rng: &mut Rng, notes: &mut Notes) {
        let nodes = tree::nodes(value);
        let keyed: Vec<&Path> = nodes.iter().filter(|path| matches!(path.last(), Some(Seg::Key(_)))).collect();
        if !keyed.is_empty() && rng.chance(1, 2) {
            let path = (*rng.pick(&keyed)).clone();
            let Some((Seg::Key(key), parent)) = path.split_last() else { return };
            let new_name = values::near_miss_word(key, rng);
            if let Some(Value::Object(map)) = tree::get_mut(value, parent)
                && let Some(moved) = map.remove(key)
            {
                notes.note(|| format!("rename {} to {new_name:?}", tree::pointer(&path)));
                map.insert(new_name, moved);
            }
        } else {
            let path = rng.pick(&nodes).clone();
            let depth = if rng.chance(1, 16) { rng.between(32, 100) } else { rng.between(1, 8) } as usize;
            let garbage = values::garbage(rng, depth);
            notes.note(|| format!("garbage: {} = {}", pointer_or_root(&path), short(&garbage)));
            set(value, &path, garbage);
        }
    }

    /// A value that breaks `keyword` of the site's schema, made from `current` where it can be,
    /// and keeping to the other schemas of the place where it can (a `const` is missed by
    /// another member of the `enum` beside it). `None` if the keyword cannot be broken there
    /// (`required` with every required property already absent).
    fn breaking(&self, site: Site, keyword: &str, current: &Value, rng: &mut Rng) -> Option<Value> {
        let compiled = &self.schemas[site.schema];
        let node = &compiled.node;
        let schema = node.schema();
        Some(match keyword {
            "type" => other_type(&node.types(), current, rng),
            "enum" => {
                let members = schema["enum"].as_array().filter(|members| !members.is_empty())?;
                miss_member(members, rng)
            }
            "const" => {
                let others: Vec<&Value> = self.schemas[site.entry]
                    .applicable
                    .iter()
                    .filter_map(|&other| self.schemas[other].node.get("enum").and_then(Value::as_array))
                    .flatten()
                    .filter(|member| **member != schema["const"])
                    .collect();
                if !others.is_empty() && rng.chance(3, 4) {
                    (*rng.pick(&others)).clone()
                } else {
                    miss_member(std::slice::from_ref(&schema["const"]), rng)
                }
            }
            "format" => match schema["format"].as_str()? {
                "uri" => Value::String(values::near_miss_uri(rng)),
                "date-time" => Value::String(values::near_miss_date_time(rng)),
                _ => return None,
            },
            "pattern" => Value::String(miss_pattern(schema["pattern"].as_str()?, current.as_str(), rng)),
            "minLength" => {
                let min = bound(node, "minLength")? as usize;
                let text = current.as_str().map_or_else(|| values::text(rng, min, min + 8), str::to_owned);
                // One character short, most often: what is left still meets a pattern's prefix.
                let keep = if rng.chance(3, 4) { min.saturating_sub(1) } else { rng.index(min.max(1)) };
                Value::String(text.chars().take(keep).collect())
            }
            "maxLength" => {
                let max = bound(node, "maxLength")? as usize;
                let text = current.as_str().unwrap_or_default();
                let extra = max + 1 + rng.index(4);
                Value::String(
                    text.chars().chain(std::iter::repeat('a')).take(extra.max(text.chars().count())).collect(),
                )
            }
            "minimum" | "exclusiveMinimum" | "maximum" | "exclusiveMaximum" => {
                let integer = self.schemas[site.entry]
                    .applicable
                    .iter()
                    .any(|&other| self.schemas[other].node.types().contains(&"integer"));
                let exclusive = keyword.starts_with("exclusive");
                beyond(&schema[keyword], exclusive, keyword.ends_with("aximum"), integer, rng)?
            }
            "multipleOf" => {
                let step = schema["multipleOf"].as_f64()?;
                float(step * rng.between(0, 100) as f64 + step / 2.0)
            }
            "minItems" => {
                let min = bound(node, "minItems")? as usize;
                let mut items = current.as_array().cloned().unwrap_or_default();
                let keep = rng.index(min.max(1));
                while items.len() > keep {
                    items.remove(rng.index(items.len()));
                }
                Value::Array(items)
            }
            "maxItems" => {
                let max = bound(node, "maxItems")? as usize;
                let mut items = current.as_array().cloned().unwrap_or_default();
                while items.len() <= max {
                    items.push(compiled.items.map_or(Value::Null, |schema| self.valid(schema, rng, 0)));
                }
                Value::Array(items)
            }
            "uniqueItems" => {
                let mut items = current.as_array().cloned().unwrap_or_default();
                if items.is_empty() {
                    items.push(compiled.items.map_or(Value::Null, |schema| self.valid(schema, rng, 0)));
                }
                let copy = items[rng.index(items.len())].clone();
                items.insert(rng.index(items.len() + 1), copy);
                Value::Array(items)
            }
            "required" => {
                let mut map = current.as_object()?.clone();
                let present: Vec<&str> = node.required().into_iter().filter(|name| map.contains_key(*name)).collect();
                if present.is_empty() {
                    return None;
                }
                map.remove(*rng.pick(&present));
                Value::Object(map)
            }
            "minProperties" => {
                let mut map = current.as_object()?.clone();
                let min = bound(node, "minProperties")? as usize;
                let keep = rng.index(min.max(1));
                for key in tree::sorted_keys(&map).into_iter().skip(keep) {
                    map.remove(&key);
                }
                Value::Object(map)
            }
            "maxProperties" => {
                let mut map = current.as_object()?.clone();
                let max = bound(node, "maxProperties")? as usize;
                while map.len() <= max {
                    map.insert(stray_name(node, rng), Value::Null);
                }
                Value::Object(map)
            }
            "additionalProperties" => {
                let mut map = current.as_object()?.clone();
                let name = stray_name(node, rng);
                if compiled.properties.contains_key(&name) {
                    return None;
                }
                let stray = match rng.below(5) {
                    0 => Value::Null,
                    1 => json!(rng.chance(1, 2)),
                    2 => json!(rng.below(1000)),
                    3 => tree::sorted_keys(&map).first().map_or(Value::Null, |key| map[key].clone()),
                    _ => Value::String(values::text(rng, 0, 12)),
                };
                map.insert(name, stray);
                Value::Object(map)
            }
            "oneOf" | "anyOf" => {
                // Valid under none: a branch's value, broken there.
                let branches = if keyword == "oneOf" { &compiled.one_of } else { &compiled.any_of };
                if branches.is_empty() || rng.chance(1, 6) {
                    return Some(values::other_type(current, rng));
                }
                let branch = *rng.pick(branches);
                let made = self.valid(branch, rng, 0);
                let inside: Vec<(Site, &'static str)> = self.schemas[branch]
                    .applicable
                    .iter()
                    .flat_map(|&schema| {
                        let site = Site { place: site.place, entry: branch, schema };
                        self.schemas[schema].assertions.iter().map(move |&(keyword, _)| (site, keyword))
                    })
                    .collect();
                if inside.is_empty() {
                    return None;
                }
                let (inner, keyword) = *rng.pick(&inside);
                self.breaking(inner, keyword, &made, rng)?
            }
            "not" => self.valid(compiled.negated?, rng, 0),
            _ => return None,
        })
    }

    /// A value valid against the schema at `entry` and those that apply with it, built to fit
    /// rather than drawn and filtered: the corners of each keyword now and then (the shortest
    /// string, the bounds, `minItems` items).
    fn valid(&self, entry: usize, rng: &mut Rng, depth: usize) -> Value {
        if depth > 12 {
            return Value::Null;
        }
        let schemas: Vec<&Compiled<'a>> = self.schemas[entry].applicable.iter().map(|&at| &self.schemas[at]).collect();
        let find = |keyword: &str| schemas.iter().copied().find(|schema| schema.node.get(keyword).is_some());
        if let Some(schema) = find("const") {
            return schema.node.schema()["const"].clone();
        }
        if let Some(members) = find("enum").and_then(|schema| schema.node.get("enum")).and_then(Value::as_array)
            && !members.is_empty()
        {
            return rng.pick(members).clone();
        }
        if let Some(schema) = schemas.iter().find(|schema| !schema.one_of.is_empty() || !schema.any_of.is_empty()) {
            let branches = if schema.one_of.is_empty() { &schema.any_of } else { &schema.one_of };
            return self.valid(*rng.pick(branches), rng, depth + 1);
        }
        let types: Vec<&str> = find("type").map(|schema| schema.node.types()).unwrap_or_default();
        let kind = if types.is_empty() {
            if schemas.iter().any(|schema| !schema.properties.is_empty()) || find("required").is_some() {
                "object"
            } else if schemas.iter().any(|schema| schema.items.is_some()) {
                "array"
            } else {
                "string"
            }
        } else {
            rng.pick(&types)
        };
        let nodes: Vec<&Node<'a>> = schemas.iter().map(|schema| &schema.node).collect();
        match kind {
            "object" => {
                let mut map = Map::new();
                for schema in &schemas {
                    let required = schema.node.required();
                    for (name, &child) in &schema.properties {
                        if required.contains(&name.as_str()) || rng.chance(1, 2) {
                            map.insert(name.clone(), self.valid(child, rng, depth + 1));
                        }
                    }
                }
                Value::Object(map)
            }
            "array" => {
                let min = nodes.iter().find_map(|node| bound(node, "minItems")).unwrap_or(0);
                let max = nodes.iter().find_map(|node| bound(node, "maxItems")).unwrap_or(u64::MAX);
                let count = if rng.chance(1, 4) { min } else { rng.between(min, max.min(min + 4)) };
                let items = schemas.iter().find_map(|schema| schema.items);
                Value::Array(
                    (0..count).map(|_| items.map_or(Value::Null, |items| self.valid(items, rng, depth + 1))).collect(),
                )
            }
            "string" => Value::String(valid_string(&nodes, rng)),
            "integer" | "number" => valid_number(&nodes, kind == "integer", rng),
            "boolean" => json!(rng.chance(1, 2)),
            _ => Value::Null,
        }
    }
}

/// Every subschema reached from `root` through `$ref`, `allOf`, `properties`,
/// `additionalProperties`, `items`, `oneOf`, `anyOf` and `not`, the root first, and the keyword
/// locations of their assertions. Fails with the keywords and formats the engine does not know,
/// and with a `$ref` that points nowhere.
fn compile<'a>(root: Node<'a>) -> Result<(Vec<Compiled<'a>>, Vec<String>), String> {
    fn intern<'a>(node: Node<'a>, index: &mut BTreeMap<String, usize>, nodes: &mut Vec<Node<'a>>) -> usize {
        *index.entry(node.location()).or_insert_with(|| {
            nodes.push(node);
            nodes.len() - 1
        })
    }
    let root_location = root.location();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    let mut nodes: Vec<Node<'a>> = Vec::new();
    let mut compiled: Vec<Compiled<'a>> = Vec::new();
    let mut locations: Vec<String> = Vec::new();
    let mut problems: Vec<String> = Vec::new();
    // What applies directly wherever each node does: its `$ref`'s target and `allOf`'s schemas.
    let mut applied: Vec<Vec<usize>> = Vec::new();
    intern(root, &mut index, &mut nodes);
    while compiled.len() < nodes.len() {
        let node = nodes[compiled.len()].clone();
        problems.extend(node.unknown_keywords());
        if let Some(format) = node.get("format").and_then(Value::as_str)
            && !FORMATS.contains(&format)
        {
            problems.push(format!("{}: the format {format:?}", node.keyword_location("format")));
        }
        let mut direct = Vec::new();
        match node.reference() {
            Ok(Some(target)) => direct.push(intern(target, &mut index, &mut nodes)),
            Ok(None) => {}
            Err(problem) => problems.push(problem),
        }
        let mut branches = |keyword: &str| -> Vec<usize> {
            node.branches(keyword).into_iter().map(|branch| intern(branch, &mut index, &mut nodes)).collect()
        };
        direct.extend(branches("allOf"));
        let (one_of, any_of) = (branches("oneOf"), branches("anyOf"));
        let mut properties = BTreeMap::new();
        for name in node.property_names() {
            if let Some(child) = node.property(name) {
                properties.insert(name.to_owned(), intern(child, &mut index, &mut nodes));
            }
        }
        let additional = node.additional().map(|child| intern(child, &mut index, &mut nodes));
        let items = node.items().map(|child| intern(child, &mut index, &mut nodes));
        let negated = node.negated().map(|child| intern(child, &mut index, &mut nodes));
        let assertions = node
            .assertions()
            .into_iter()
            .map(|keyword| {
                locations.push(node.keyword_location(keyword));
                (keyword, locations.len() - 1)
            })
            .collect();
        applied.push(direct);
        compiled.push(Compiled {
            node,
            applicable: Vec::new(),
            assertions,
            properties,
            additional,
            items,
            one_of,
            any_of,
            negated,
        });
    }
    if !problems.is_empty() {
        return Err(format!(
            "the schema-driven engine cannot make or break every keyword of {root_location}:\n{}",
            problems.join("\n")
        ));
    }
    for (at, schema) in compiled.iter_mut().enumerate() {
        let mut stack = vec![at];
        while let Some(next) = stack.pop() {
            if !schema.applicable.contains(&next) {
                schema.applicable.push(next);
                stack.extend(applied[next].iter().rev());
            }
        }
    }
    Ok((compiled, locations))
}

/// The keyword locations a reference reported on the cases of a run, and how often each was its
/// only error: the measure of what a run tests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeywordCounts {
    /// Per keyword location, the cases on which it was the reference's only error.
    pub alone: BTreeMap<String, u64>,
    /// Every keyword location the reference reported.
    pub reported: BTreeSet<String>,
}

impl KeywordCounts {
    /// Records the keyword locations of the reference's errors on one case.
    pub fn record(&mut self, locations: &[String]) {
        if let [only] = locations {
            *self.alone.entry(only.clone()).or_default() += 1;
        }
        self.reported.extend(locations.iter().cloned());
    }

    pub fn add(&mut self, other: &KeywordCounts) {
        for (location, count) in &other.alone {
            *self.alone.entry(location.clone()).or_default() += count;
        }
        self.reported.extend(other.reported.iter().cloned());
    }

    /// How often `location` was the only error.
    pub fn alone_count(&self, location: &str) -> u64 {
        self.alone.get(location).copied().unwrap_or(0)
    }

    /// The locations of `solitary` that were the only error of fewer than `floor` cases, each
    /// with its count.
    pub fn under<'s>(&self, solitary: impl IntoIterator<Item = &'s str>, floor: u64) -> Vec<String> {
        solitary
            .into_iter()
            .map(|location| (location, self.alone_count(location)))
            .filter(|(_, count)| *count < floor)
            .map(|(location, count)| format!("{location} ({count})"))
            .collect()
    }

    /// The reported locations that `known` does not list: a walk of the schema that misses
    /// something.
    pub fn unknown(&self, known: &BTreeSet<&str>) -> Vec<&str> {
        self.reported.iter().map(String::as_str).filter(|location| !known.contains(location)).collect()
    }

    /// The `count` locations of `solitary` that were the only error of the fewest cases, fewest
    /// first, with their counts.
    pub fn fewest<'s>(&self, solitary: impl IntoIterator<Item = &'s str>, count: usize) -> Vec<(u64, &'s str)> {
        let mut counts: Vec<(u64, &str)> =
            solitary.into_iter().map(|location| (self.alone_count(location), location)).collect();
        counts.sort_unstable();
        counts.truncate(count);
        counts
    }
}

impl fmt::Display for KeywordCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "keyword locations failing alone:")?;
        for (location, count) in &self.alone {
            write!(f, "\n  {count:>6} {location}")?;
        }
        Ok(())
    }
}

/// The examples of a schema in `dir/examples/`, named by their path without `.json`, sorted:
/// for `webhooks/create.json`, `examples/webhooks/create.json` and every
/// `examples/webhooks/create.<variant>.json` (`webhooks/create.all-events`); for an event's
/// `events/call.held.json`, `examples/call.held.json` (`call.held`).
pub fn examples_of(dir: &FsPath, schema: &str) -> Result<Vec<(String, Value)>, String> {
    let stem = schema.strip_suffix(".json").unwrap_or(schema);
    let (folder, name, variants) = match stem.strip_prefix("events/") {
        // Named after the event, whose name has dots of its own.
        Some(event) => ("", event, false),
        None => {
            let (folder, name) = stem.rsplit_once('/').unwrap_or(("", stem));
            (folder, name, true)
        }
    };
    let examples_dir = dir.join("examples").join(folder);
    let entries =
        fs::read_dir(&examples_dir).map_err(|error| format!("cannot list {}: {error}", examples_dir.display()))?;
    let mut out = Vec::new();
    for entry in entries {
        let path = entry.map_err(|error| format!("cannot list {}: {error}", examples_dir.display()))?.path();
        let Some(file_stem) =
            path.file_name().and_then(|file| file.to_str()).and_then(|file| file.strip_suffix(".json"))
        else {
            continue;
        };
        let documents = file_stem == name
            || variants && file_stem.split_once('.').is_some_and(|(schema_name, _)| schema_name == name);
        if path.is_file() && documents {
            let label = if folder.is_empty() { file_stem.to_owned() } else { format!("{folder}/{file_stem}") };
            out.push((label, audian_events_reference::read_json(&path)?));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

fn valid_string(schemas: &[&Node<'_>], rng: &mut Rng) -> String {
    let find = |keyword: &str| schemas.iter().find_map(|schema| schema.get(keyword));
    let examples: Vec<&str> = find("examples")
        .and_then(Value::as_array)
        .map(|all| all.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let min = schemas.iter().find_map(|schema| bound(schema, "minLength")).unwrap_or(0) as usize;
    let max = schemas.iter().find_map(|schema| bound(schema, "maxLength")).unwrap_or(64) as usize;
    let text = match (find("format").and_then(Value::as_str), find("pattern").and_then(Value::as_str)) {
        (Some("uri"), _) => values::valid_uri(rng),
        (Some("date-time"), _) => values::valid_date_time(rng),
        (_, Some(pattern)) => match literal_prefix(pattern) {
            Some(prefix) if examples.is_empty() || !rng.chance(1, 3) => {
                format!("{prefix}{}", values::text(rng, 0, 16))
            }
            _ if !examples.is_empty() => rng.pick(&examples).to_string(),
            // Nothing to make a match from: the verdict is the reference's anyway.
            _ => values::text(rng, min, max.min(min + 24)),
        },
        _ if !examples.is_empty() && rng.chance(1, 3) => rng.pick(&examples).to_string(),
        _ => values::text(rng, min, max.min(min + 24)),
    };
    let padding = min.saturating_sub(text.chars().count());
    format!("{text}{}", "x".repeat(padding))
}

fn valid_number(schemas: &[&Node<'_>], integer: bool, rng: &mut Rng) -> Value {
    let find = |keyword: &str| schemas.iter().find_map(|schema| schema.get(keyword)).filter(|bound| bound.is_number());
    let (minimum, maximum) = (find("minimum"), find("maximum"));
    match rng.below(4) {
        0 if minimum.is_some() => minimum.cloned().unwrap_or_default(),
        1 if maximum.is_some() => maximum.cloned().unwrap_or_default(),
        _ => {
            let low = minimum.and_then(Value::as_f64).unwrap_or(-1000.0);
            let high = maximum.and_then(Value::as_f64).unwrap_or(low + 100_000.0).min(low + 100_000.0);
            let whole = low.ceil() as i64 + rng.below((high - low).max(0.0) as u64 + 1) as i64;
            if integer || rng.chance(1, 2) || whole as f64 + 0.5 > high {
                json!(whole)
            } else {
                float(whole as f64 + 0.5)
            }
        }
    }
}

/// A value of another JSON type than `types` allow (any other, if none is said).
fn other_type(types: &[&str], current: &Value, rng: &mut Rng) -> Value {
    for _ in 0..32 {
        let candidate = if rng.chance(1, 8) {
            let depth = rng.between(1, 4) as usize;
            values::garbage(rng, depth)
        } else {
            values::other_type(current, rng)
        };
        if !types.iter().any(|name| has_type(&candidate, name)) {
            return candidate;
        }
    }
    Value::Null
}

/// Whether `value` is of the JSON Schema type `name`.
fn has_type(value: &Value, name: &str) -> bool {
    match (name, value) {
        ("null", Value::Null) | ("boolean", Value::Bool(_)) | ("string", Value::String(_)) => true,
        ("array", Value::Array(_)) | ("object", Value::Object(_)) | ("number", Value::Number(_)) => true,
        ("integer", Value::Number(number)) => {
            number.is_i64() || number.is_u64() || number.as_f64().is_some_and(|float| float.fract() == 0.0)
        }
        _ => false,
    }
}

/// A value that is none of `members`: a string near one of them (a case, a character, a
/// wildcard, two members spliced into a name none has), or another value.
fn miss_member(members: &[Value], rng: &mut Rng) -> Value {
    let strings: Vec<&str> = members.iter().filter_map(Value::as_str).collect();
    if strings.is_empty() || rng.chance(1, 10) {
        return values::other_type(rng.pick(members), rng);
    }
    let word = *rng.pick(&strings);
    let missed = match rng.below(4) {
        // `call.` and `timeout` of two members: `call.timeout`.
        0 => {
            let other = *rng.pick(&strings);
            let head = word.find(['.', '_', '-']).map_or(word, |at| &word[..=at]);
            let tail = other.rfind(['.', '_', '-']).map_or(other, |at| &other[at + 1..]);
            format!("{head}{tail}")
        }
        // A wildcard where a name is wanted: `call.*`, `**`.
        1 => match word.rfind(['.', '_', '-']) {
            Some(at) => format!("{}*", &word[..=at]),
            None => format!("{word}*"),
        },
        _ => values::near_miss_word(word, rng),
    };
    Value::String(missed)
}

/// A string that misses `pattern`: for a literal prefix (`^wh_`), the prefix dropped, cut,
/// changed in case or for look-alikes; otherwise a near miss of the current string.
fn miss_pattern(pattern: &str, current: Option<&str>, rng: &mut Rng) -> String {
    let rest = values::text(rng, 1, 12);
    match literal_prefix(pattern) {
        Some(prefix) => {
            let cut = prefix.chars().count() - 1;
            match rng.below(6) {
                0 => rest,
                1 => format!("{}{rest}", prefix.chars().take(cut).collect::<String>()),
                2 => format!("{}{rest}", prefix.to_uppercase()),
                3 => format!(" {prefix}{rest}"),
                4 => format!("{}{rest}", prefix.replacen('e', "е", 1).replacen('_', "-", 1)),
                _ => values::near_miss_word(prefix, rng) + &rest,
            }
        }
        _ => {
            let current = current.unwrap_or(&rest);
            let chars: Vec<char> = current.chars().collect();
            let at = rng.index(chars.len() + 1);
            match rng.below(6) {
                0 => chars.iter().skip(1).collect(),
                1 => chars.first().map_or_else(String::new, |first| format!("{first}{current}")),
                2 => format!("{current}x"),
                3 => {
                    let special = values::special_char(rng);
                    chars[..at].iter().chain([special].iter()).chain(&chars[at..]).collect()
                }
                _ => values::near_miss_word(current, rng),
            }
        }
    }
}

/// The prefix a pattern asks for, if it asks for nothing else (`^wh_`).
fn literal_prefix(pattern: &str) -> Option<&str> {
    let body = pattern.strip_prefix('^')?;
    let literal = !body.is_empty() && body.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    literal.then_some(body)
}

/// A number on the wrong side of `limit`: below a minimum, above a maximum (or at it, when it is
/// exclusive); as an integer when it can be one, and always when the schema wants an integer.
fn beyond(limit: &Value, exclusive: bool, above: bool, integer: bool, rng: &mut Rng) -> Option<Value> {
    let limit_f = limit.as_f64()?;
    let step: i64 = if exclusive && rng.chance(1, 2) { 0 } else { 1 + rng.below(3) as i64 };
    let as_int = match (limit.as_i64(), limit.as_u64()) {
        (Some(low), _) if !above => low.checked_sub(step).map(|n| json!(n)),
        (Some(high), _) if above => high.checked_add(step).map(|n| json!(n)),
        (None, Some(high)) if above => high.checked_add(step as u64).map(|n| json!(n)),
        _ => None,
    };
    Some(match (as_int, rng.below(3)) {
        (Some(value), 0 | 1) => value,
        (Some(value), _) if integer => value,
        _ => {
            let offset = if step == 0 { 0.0 } else { limit_f.abs().max(1.0) * f64::EPSILON * 4.0 + 0.5 };
            float(if above { limit_f + offset } else { limit_f - offset })
        }
    })
}

/// A property name the schema does not name: a near miss of one of its names, or a stray.
fn stray_name(node: &Node<'_>, rng: &mut Rng) -> String {
    let names = node.property_names();
    if !names.is_empty() && rng.chance(1, 2) {
        let name = *rng.pick(&names);
        values::near_miss_word(name, rng)
    } else {
        rng.pick(&STRAY_NAMES).to_string()
    }
}

/// A non-negative integer keyword of `node` (`minItems`, `maxLength`...).
fn bound(node: &Node<'_>, keyword: &str) -> Option<u64> {
    node.get(keyword).and_then(Value::as_u64)
}

fn float(value: f64) -> Value {
    Number::from_f64(value).map_or(Value::Null, Value::Number)
}

fn set(value: &mut Value, path: &[Seg], new: Value) {
    if let Some(node) = tree::get_mut(value, path) {
        *node = new;
    }
}

fn pointer_or_root(path: &[Seg]) -> String {
    if path.is_empty() { "(root)".to_owned() } else { tree::pointer(path) }
}

/// A value in a note: compact, cut at 100 characters (without writing out the rest, which may be
/// a hundred levels of garbage).
fn short(value: &Value) -> String {
    /// Takes what is written until it has more than enough, then refuses the rest.
    struct Head(Vec<u8>);
    impl std::io::Write for Head {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            if self.0.len() > 4 * 100 {
                return Err(std::io::ErrorKind::WriteZero.into());
            }
            self.0.extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut head = Head(Vec::new());
    // Cut short on purpose when the value is long: what was written is kept.
    let _ = serde_json::to_writer(&mut head, value);
    audian_events_reference::shorten(&String::from_utf8_lossy(&head.0), 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_webhook_bodies_have_their_documented_examples() {
        let create = SchemaEngine::documented("webhooks/create.json");
        let names: Vec<&str> = create.examples().iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, ["webhooks/create.all-events", "webhooks/create.specific-events"]);
        let update = SchemaEngine::documented("webhooks/update.json");
        assert_eq!(update.examples().len(), 1);
        let held = examples_of(&schema_dir(), "events/call.held.json").unwrap();
        assert_eq!(held.iter().map(|(name, _)| name.as_str()).collect::<Vec<_>>(), ["call.held"]);
    }

    #[test]
    fn the_create_body_has_its_keywords_and_those_of_the_event_selector() {
        let engine = SchemaEngine::documented("webhooks/create.json");
        let expected = [
            "common.json#/$defs/EventSelector/oneOf",
            "webhooks/create.json#/additionalProperties",
            "webhooks/create.json#/properties/events/minItems",
            "webhooks/create.json#/properties/events/type",
            "webhooks/create.json#/properties/url/format",
            "webhooks/create.json#/properties/url/type",
            "webhooks/create.json#/required",
            "webhooks/create.json#/type",
        ];
        assert_eq!(engine.keywords().into_iter().collect::<Vec<_>>(), expected);
        assert_eq!(engine.solitary_keywords(), engine.keywords());
    }

    /// Beside a `const`, only the `const` can fail alone: the `status` of `call.failed`.
    #[test]
    fn keywords_beside_a_const_cannot_fail_alone() {
        let engine = SchemaEngine::documented("events/call.failed.json");
        let status = "events/call.failed.json#/properties/data/properties/status/const";
        assert!(engine.solitary_keywords().contains(status));
        assert!(engine.keywords().contains("common.json#/$defs/CallStatus/enum"));
        assert!(!engine.solitary_keywords().contains("common.json#/$defs/CallStatus/enum"));
    }

    /// Made values are valid to the reference: the webhook bodies, and each definition of
    /// `common.json`. Only a format may be missed, which the borrowed generators of
    /// [`values`] do now and then on purpose.
    #[test]
    fn made_values_are_valid() {
        let set = SchemaSet::documented();
        let registry = set.schemas().registry().unwrap();
        let anything = || vec![("anything".to_owned(), Value::Null)];
        let mut targets: Vec<(SchemaEngine<'_>, Value)> = Vec::new();
        for schema in ["webhooks/create.json", "webhooks/update.json"] {
            let document = set.schemas().get(schema).unwrap().document.clone();
            targets.push((SchemaEngine::new(set, schema, anything()).unwrap(), document));
        }
        let common = set.schemas().get("common.json").unwrap();
        for name in common.document["$defs"].as_object().unwrap().keys() {
            let node = set.node("common.json", &format!("/$defs/{name}")).unwrap();
            let reference = json!({"$ref": format!("{}#/$defs/{name}", common.id)});
            targets.push((SchemaEngine::of_node(node, anything()).unwrap(), reference));
        }
        let mut rng = Rng::new(3);
        for (engine, schema) in targets {
            let reference = audian_events_reference::validator(&registry, &schema).unwrap();
            let mut format_misses = 0;
            for _ in 0..300 {
                let made = engine.valid(0, &mut rng, 0);
                let keywords: Vec<String> =
                    reference.iter_errors(&made).map(|error| error.kind().keyword().to_owned()).collect();
                let location = engine.root().location();
                assert!(keywords.iter().all(|keyword| keyword == "format"), "{location}: {made}: {keywords:?}");
                format_misses += usize::from(!keywords.is_empty());
            }
            assert!(format_misses < 30, "{}: {format_misses} of 300 miss their format", engine.root().location());
        }
    }
}
