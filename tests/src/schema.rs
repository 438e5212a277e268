//! A schema as the schema-driven engine and the keyword counts see it: its subschemas, each
//! `$ref` followed among the files of a folder (by `$id`, as the reference resolves them), and
//! the place of each keyword written as the generated validators write it
//! (`webhooks/create.json#/properties/url/format`).

use std::collections::BTreeSet;
use std::sync::OnceLock;

use audian_events::Reading;
use audian_events_reference::{SchemaFile, Schemas};
use serde_json::Value;

/// The keywords that assert something of the instance: each may be the one a payload breaks.
const ASSERTIONS: [&str; 22] = [
    "type",
    "enum",
    "const",
    "format",
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
    "uniqueItems",
    "required",
    "minProperties",
    "maxProperties",
    "additionalProperties",
    "oneOf",
    "anyOf",
    "not",
];

/// The keywords that only apply other schemas, or say nothing of the instance.
const OTHERS: [&str; 14] = [
    "$ref",
    "properties",
    "items",
    "allOf",
    "$schema",
    "$id",
    "$defs",
    "$comment",
    "title",
    "description",
    "examples",
    "default",
    "deprecated",
    "readOnly",
];

/// The schema files of a folder, with what is needed to walk them.
#[derive(Debug)]
pub struct SchemaSet {
    schemas: Schemas,
}

impl SchemaSet {
    pub fn read(dir: &std::path::Path) -> Result<SchemaSet, String> {
        Ok(SchemaSet { schemas: Schemas::read(dir)? })
    }

    /// The repository's `schema/`, read once.
    pub fn documented() -> &'static SchemaSet {
        SchemaSet::of(Reading::Strict)
    }

    /// The schemas of a reading: `schema/`, or the derived `schema-tolerant/`; read once.
    pub fn of(reading: Reading) -> &'static SchemaSet {
        static STRICT: OnceLock<SchemaSet> = OnceLock::new();
        static TOLERANT: OnceLock<SchemaSet> = OnceLock::new();
        let cell = match reading {
            Reading::Strict => &STRICT,
            Reading::Tolerant => &TOLERANT,
        };
        cell.get_or_init(|| SchemaSet::read(&crate::schema_dir_of(reading)).unwrap_or_else(|error| panic!("{error}")))
    }

    pub fn schemas(&self) -> &Schemas {
        &self.schemas
    }

    /// The whole schema of the file at `path` (relative to the folder, such as
    /// `webhooks/create.json`).
    pub fn root(&self, path: &str) -> Result<Node<'_>, String> {
        let file = self.schemas.get(path).ok_or_else(|| format!("no {path} in {}", self.schemas.dir().display()))?;
        Ok(Node { set: self, file, pointer: String::new(), schema: &file.document })
    }

    /// The subschema at `pointer` in the file at `path`.
    pub fn node(&self, path: &str, pointer: &str) -> Result<Node<'_>, String> {
        let root = self.root(path)?;
        let schema = root.schema.pointer(pointer).ok_or_else(|| format!("nothing at {path}#{pointer}"))?;
        Ok(Node { set: self, file: root.file, pointer: pointer.to_owned(), schema })
    }

    /// A keyword location of the reference validator
    /// (`https://audian-events.dev/schema/common.json#/$defs/EventSelector/oneOf`), written as
    /// the generated validators write it (`common.json#/$defs/EventSelector/oneOf`).
    pub fn location_of_uri(&self, uri: &str) -> Option<String> {
        let (id, fragment) = uri.split_once('#').unwrap_or((uri, ""));
        let file = self.schemas.files().iter().find(|file| file.id == id)?;
        Some(format!("{}#{}", file.path, percent_decode(fragment)))
    }

    /// The subschema a `$ref` of `from` names.
    fn resolve(&self, from: &Node<'_>, reference: &str) -> Result<Node<'_>, String> {
        let (target, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        let file = if target.is_empty() {
            self.schemas.get(&from.file.path).expect("the file of a node")
        } else {
            let id = join_uri(&from.file.id, target);
            self.schemas.files().iter().find(|file| file.id == id).ok_or_else(|| {
                format!(
                    "{}: `$ref` {reference:?} names {id}, which no file of the folder has as `$id`",
                    from.location()
                )
            })?
        };
        let pointer = percent_decode(fragment);
        let schema = file
            .document
            .pointer(&pointer)
            .ok_or_else(|| format!("{}: `$ref` {reference:?} points at nothing in {}", from.location(), file.path))?;
        Ok(Node { set: self, file, pointer, schema })
    }
}

/// A subschema: where it is, and what it says.
#[derive(Debug, Clone)]
pub struct Node<'a> {
    set: &'a SchemaSet,
    file: &'a SchemaFile,
    /// A JSON Pointer into the file.
    pointer: String,
    schema: &'a Value,
}

impl<'a> Node<'a> {
    /// `file#pointer`.
    pub fn location(&self) -> String {
        format!("{}#{}", self.file.path, self.pointer)
    }

    /// Where a keyword of this schema is.
    pub fn keyword_location(&self, keyword: &str) -> String {
        format!("{}#{}/{}", self.file.path, self.pointer, escape(keyword))
    }

    pub fn schema(&self) -> &'a Value {
        self.schema
    }

    pub fn get(&self, keyword: &str) -> Option<&'a Value> {
        self.schema.get(keyword)
    }

    fn at(&self, segments: &[&str]) -> Option<Node<'a>> {
        let mut pointer = self.pointer.clone();
        let mut schema = self.schema;
        for segment in segments {
            schema = match schema {
                Value::Object(map) => map.get(*segment)?,
                Value::Array(items) => items.get(segment.parse::<usize>().ok()?)?,
                _ => return None,
            };
            pointer.push('/');
            pointer.push_str(&escape(segment));
        }
        Some(Node { set: self.set, file: self.file, pointer, schema })
    }

    /// The target of this schema's `$ref`, if it has one.
    pub fn reference(&self) -> Result<Option<Node<'a>>, String> {
        match self.get("$ref") {
            None => Ok(None),
            Some(Value::String(reference)) => self.set.resolve(self, reference).map(Some),
            Some(other) => Err(format!("{}: `$ref` is {other}, not a string", self.location())),
        }
    }

    /// This schema and every schema that applies wherever it does: its `$ref`'s target and the
    /// schemas of its `allOf`, and theirs.
    pub fn applicable(&self) -> Vec<Node<'a>> {
        let mut out = Vec::new();
        let mut seen = BTreeSet::new();
        self.collect_applicable(&mut out, &mut seen);
        out
    }

    fn collect_applicable(&self, out: &mut Vec<Node<'a>>, seen: &mut BTreeSet<String>) {
        if !seen.insert(self.location()) {
            return;
        }
        out.push(self.clone());
        if let Ok(Some(target)) = self.reference() {
            target.collect_applicable(out, seen);
        }
        for branch in self.branches("allOf") {
            branch.collect_applicable(out, seen);
        }
    }

    /// The schema of the property `name`: from `properties`, else `additionalProperties` if it
    /// is a schema (`None` if the property is not allowed or not described).
    pub fn property(&self, name: &str) -> Option<Node<'a>> {
        if self.get("properties").and_then(|properties| properties.get(name)).is_some() {
            return self.at(&["properties", name]);
        }
        self.additional()
    }

    /// `additionalProperties`, if it is a schema rather than `false`.
    pub fn additional(&self) -> Option<Node<'a>> {
        self.get("additionalProperties").filter(|schema| schema.is_object()).and(self.at(&["additionalProperties"]))
    }

    /// The names in `properties`, sorted: the same in every build, whichever order
    /// `serde_json::Map` keeps (the engine's cases must replay in all of them).
    pub fn property_names(&self) -> Vec<&'a str> {
        let mut names: Vec<&str> = match self.get("properties") {
            Some(Value::Object(map)) => map.keys().map(String::as_str).collect(),
            _ => Vec::new(),
        };
        names.sort_unstable();
        names
    }

    /// The names in `required`.
    pub fn required(&self) -> Vec<&'a str> {
        match self.get("required") {
            Some(Value::Array(names)) => names.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        }
    }

    /// Whether `additionalProperties` is `false`.
    pub fn is_closed(&self) -> bool {
        self.get("additionalProperties") == Some(&Value::Bool(false))
    }

    /// The schema of every item (`items`), if there is one.
    pub fn items(&self) -> Option<Node<'a>> {
        self.get("items").and(self.at(&["items"]))
    }

    /// The schemas of `oneOf`, `anyOf` or `allOf`.
    pub fn branches(&self, keyword: &str) -> Vec<Node<'a>> {
        let count = self.get(keyword).and_then(Value::as_array).map_or(0, Vec::len);
        (0..count).filter_map(|index| self.at(&[keyword, &index.to_string()])).collect()
    }

    /// The `not` schema.
    pub fn negated(&self) -> Option<Node<'a>> {
        self.get("not").and(self.at(&["not"]))
    }

    /// The JSON types of `type`, if it says.
    pub fn types(&self) -> Vec<&'a str> {
        match self.get("type") {
            Some(Value::String(name)) => vec![name.as_str()],
            Some(Value::Array(names)) => names.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        }
    }

    /// The keywords of this very schema (not its `$ref`'s) that assert something.
    pub fn assertions(&self) -> Vec<&'static str> {
        match self.schema {
            Value::Object(map) => ASSERTIONS
                .iter()
                .copied()
                .filter(|keyword| map.contains_key(*keyword))
                // `additionalProperties` as a schema applies it; only `false` refuses by itself.
                .filter(|&keyword| keyword != "additionalProperties" || self.is_closed())
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The keywords of this schema that neither the engine nor the counts know: a schema that
    /// starts using one must teach them first.
    pub fn unknown_keywords(&self) -> Vec<String> {
        match self.schema {
            Value::Object(map) => map
                .keys()
                .filter(|keyword| !ASSERTIONS.contains(&keyword.as_str()) && !OTHERS.contains(&keyword.as_str()))
                .map(|keyword| self.keyword_location(keyword))
                .collect(),
            Value::Bool(true) => Vec::new(),
            other => vec![format!("{}: the schema {other}", self.location())],
        }
    }
}

/// `~` and `/` escaped, for a JSON Pointer.
fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// `%XX` decoded (the reference writes `$defs` as `%24defs` in a URI).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'%'
            && let Some(byte) = text.get(at + 1..at + 3).and_then(|hex| u8::from_str_radix(hex, 16).ok())
        {
            out.push(byte);
            at += 3;
        } else {
            out.push(bytes[at]);
            at += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `reference` resolved against `base`, for the relative paths the schemas use (`../common.json`,
/// `events/call.held.json`) and absolute URIs.
fn join_uri(base: &str, reference: &str) -> String {
    if reference.contains("://") {
        return reference.to_owned();
    }
    let (origin, path) =
        match base.find("://").and_then(|scheme| base[scheme + 3..].find('/').map(|at| scheme + 3 + at)) {
            Some(at) => (&base[..at], &base[at..]),
            None => ("", base),
        };
    let mut segments: Vec<&str> = path.split('/').collect();
    segments.pop();
    for segment in reference.split('/') {
        match segment {
            "." => {}
            ".." => {
                if segments.len() > 1 {
                    segments.pop();
                }
            }
            _ => segments.push(segment),
        }
    }
    format!("{origin}{}", segments.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_references_resolve_as_uris() {
        let base = "https://audian-events.dev/schema/webhooks/create.json";
        assert_eq!(join_uri(base, "../common.json"), "https://audian-events.dev/schema/common.json");
        assert_eq!(join_uri(base, "update.json"), "https://audian-events.dev/schema/webhooks/update.json");
        assert_eq!(
            join_uri("https://audian-events.dev/schema/event.json", "events/call.held.json"),
            "https://audian-events.dev/schema/events/call.held.json"
        );
        assert_eq!(percent_decode("/%24defs/EventSelector/oneOf"), "/$defs/EventSelector/oneOf");
    }
}
