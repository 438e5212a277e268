//! The typed model of the JSON Schema subset the generator supports, and the parser that builds
//! it from `serde_json::Value`s. A keyword outside the subset is an error naming the file and the
//! JSON Pointer; every such error in every file is reported together.

use std::collections::BTreeMap;

use serde_json::{Map, Number, Value};

use crate::diagnostic::{Diagnostics, Location, pointer_push};
use crate::pattern::Pattern;
use crate::source::{SchemaFile, SchemaSet};

/// Defines [`Keyword`] from one list of variants and names, so that the list of supported
/// keywords in messages and the parser's `match` (exhaustive over [`Keyword`]) cannot disagree.
macro_rules! keywords {
    ($($variant:ident => $name:literal,)*) => {
        /// A keyword the generator understands: the only ones the schemas may use.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Keyword {
            $($variant,)*
        }

        impl Keyword {
            /// Every keyword, in the order of the messages.
            pub const ALL: &'static [Keyword] = &[$(Keyword::$variant,)*];

            pub fn name(self) -> &'static str {
                match self {
                    $(Keyword::$variant => $name,)*
                }
            }

            pub fn from_name(name: &str) -> Option<Keyword> {
                match name {
                    $($name => Some(Keyword::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

keywords! {
    Schema => "$schema",
    Id => "$id",
    Ref => "$ref",
    Defs => "$defs",
    Type => "type",
    Properties => "properties",
    Required => "required",
    AdditionalProperties => "additionalProperties",
    Enum => "enum",
    Const => "const",
    Pattern => "pattern",
    Format => "format",
    Minimum => "minimum",
    Maximum => "maximum",
    MinLength => "minLength",
    MinItems => "minItems",
    Items => "items",
    OneOf => "oneOf",
    Title => "title",
    Description => "description",
    Examples => "examples",
    Comment => "$comment",
    Not => "not",
}

impl Keyword {
    /// Whether the schemas of a dialect may use the keyword: `not` only in the tolerant ones.
    pub fn is_supported_in(self, dialect: Dialect) -> bool {
        self != Keyword::Not || dialect == Dialect::Tolerant
    }
}

/// A JSON type, as named by the `type` keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum JsonType {
    Null,
    Boolean,
    Object,
    Array,
    Number,
    Integer,
    String,
}

impl JsonType {
    pub const ALL: [JsonType; 7] = [
        JsonType::Null,
        JsonType::Boolean,
        JsonType::Object,
        JsonType::Array,
        JsonType::Number,
        JsonType::Integer,
        JsonType::String,
    ];

    fn parse(name: &str) -> Option<JsonType> {
        JsonType::ALL.into_iter().find(|json_type| json_type.name() == name)
    }

    pub fn name(self) -> &'static str {
        match self {
            JsonType::Null => "null",
            JsonType::Boolean => "boolean",
            JsonType::Object => "object",
            JsonType::Array => "array",
            JsonType::Number => "number",
            JsonType::Integer => "integer",
            JsonType::String => "string",
        }
    }
}

/// A `format` the generator supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// RFC 3339 `date-time`.
    DateTime,
    /// RFC 3986 absolute URI.
    Uri,
}

impl Format {
    /// The formats the generator can check and type.
    pub const ALL: [Format; 2] = [Format::DateTime, Format::Uri];

    fn parse(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|format| format.name() == name)
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::DateTime => "date-time",
            Format::Uri => "uri",
        }
    }
}

/// Which schema of the set: a file, by its path relative to the schema root, and a JSON Pointer
/// inside it (`""` for the root). What a `$ref` leads to, and what a validator checks.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SchemaId {
    /// Such as `events/call.completed.json`.
    pub file: String,
    pub pointer: String,
}

impl SchemaId {
    /// The root schema of a file.
    pub fn root(file: &str) -> SchemaId {
        SchemaId { file: file.to_owned(), pointer: String::new() }
    }
}

/// A `$ref`: as written, and the schema it leads to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Reference {
    pub written: String,
    pub target: SchemaId,
}

impl Reference {
    /// The last token of the target's pointer: for `/$defs/CallId`, `CallId`.
    pub fn name(&self) -> &str {
        self.target.pointer.rsplit('/').next().unwrap_or("")
    }
}

/// One schema: a boolean schema, or an object of keywords.
#[derive(Debug, Clone, PartialEq)]
pub struct Schema {
    pub id: SchemaId,
    /// Where diagnostics point: the file as named in messages, and the pointer.
    pub location: Location,
    pub body: Body,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// `true` accepts everything, `false` nothing.
    Bool(bool),
    Keywords(Box<Keywords>),
}

/// The keywords of one schema object, each parsed into its typed form.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Keywords {
    pub title: Option<String>,
    pub description: Option<String>,
    pub examples: Vec<Value>,
    pub reference: Option<Reference>,
    pub defs: Vec<(String, Schema)>,
    /// `None` when `type` is absent; otherwise the allowed types, without duplicates.
    pub types: Option<Vec<JsonType>>,
    pub enumeration: Option<Vec<Value>>,
    pub constant: Option<Value>,
    /// Compiled when parsed: a pattern outside the supported subset is refused there.
    pub pattern: Option<Pattern>,
    pub format: Option<Format>,
    pub min_length: Option<u64>,
    pub minimum: Option<Number>,
    pub maximum: Option<Number>,
    /// In the order written, which is the order of the generated fields.
    pub properties: Vec<(String, Schema)>,
    pub required: Vec<String>,
    pub additional_properties: Option<Schema>,
    pub items: Option<Schema>,
    pub min_items: Option<u64>,
    pub one_of: Vec<Schema>,
    /// `not`: only in the derived tolerant schemas (see [`Dialect`]).
    pub not: Option<Schema>,
}

impl Schema {
    pub fn keywords(&self) -> Option<&Keywords> {
        match &self.body {
            Body::Keywords(keywords) => Some(keywords),
            Body::Bool(_) => None,
        }
    }

    /// The subschema at a JSON Pointer relative to this schema, through the keywords that hold
    /// subschemas.
    pub fn at(&self, pointer: &str) -> Option<&Schema> {
        let mut tokens = pointer.split('/').skip(1).map(|token| token.replace("~1", "/").replace("~0", "~"));
        let mut schema = self;
        while let Some(keyword) = tokens.next() {
            let keywords = schema.keywords()?;
            schema = match keyword.as_str() {
                "$defs" => {
                    let name = tokens.next()?;
                    &keywords.defs.iter().find(|(key, _)| *key == name)?.1
                }
                "properties" => {
                    let name = tokens.next()?;
                    &keywords.properties.iter().find(|(key, _)| *key == name)?.1
                }
                "oneOf" => keywords.one_of.get(tokens.next()?.parse::<usize>().ok()?)?,
                "items" => keywords.items.as_ref()?,
                "additionalProperties" => keywords.additional_properties.as_ref()?,
                "not" => keywords.not.as_ref()?,
                _ => return None,
            };
        }
        Some(schema)
    }
}

/// Which schemas a model may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// The canonical schemas of `schema/`: every keyword must be enforced by the generated
    /// validators *and* by the one-pass typed deserializers, which cannot enforce `not`.
    Canonical,
    /// The tolerant schemas the generator derives (see [`crate::tolerant`]): only validators
    /// are generated from them, so `not` is allowed.
    Tolerant,
}

impl Dialect {
    /// The keywords its schemas may use.
    pub fn keywords(self) -> impl Iterator<Item = Keyword> {
        Keyword::ALL.iter().copied().filter(move |keyword| keyword.is_supported_in(self))
    }
}

/// Every file of the set, parsed.
#[derive(Debug, Clone, Default)]
pub struct Model {
    /// Keyed by the file's path relative to the schema root.
    pub files: BTreeMap<String, Schema>,
    /// What the schema paths of validation errors put before a file's path: nothing for the
    /// canonical schemas, so that `common.json#/$defs/PhoneNumber/pattern` reads as the `$ref`s
    /// do; see [`Model::with_schema_path_prefix`].
    pub schema_path_prefix: String,
}

impl Model {
    /// Parses every schema file; reports every unsupported keyword or malformed value.
    pub fn parse(set: &SchemaSet) -> Result<Model, Diagnostics> {
        Model::parse_dialect(set, Dialect::Canonical)
    }

    /// Parses every file of a set in the given dialect.
    pub fn parse_dialect(set: &SchemaSet, dialect: Dialect) -> Result<Model, Diagnostics> {
        let mut diagnostics = Diagnostics::new();
        let mut model = Model::default();
        for file in set.files() {
            let parser = Parser { set, file, dialect, diagnostics: &mut diagnostics };
            let schema = parser.parse_root();
            model.files.insert(file.path.clone(), schema);
        }
        diagnostics.finish(model)
    }

    /// The model with schema paths that name its files under `prefix`, such as
    /// `schema-tolerant/`, to tell its validators' errors apart from those of another model's.
    pub fn with_schema_path_prefix(self, prefix: &str) -> Model {
        Model { schema_path_prefix: prefix.to_owned(), ..self }
    }

    /// The schema a reference leads to.
    pub fn resolve(&self, reference: &Reference) -> Option<&Schema> {
        self.get(&reference.target)
    }

    pub fn get(&self, id: &SchemaId) -> Option<&Schema> {
        self.files.get(&id.file)?.at(&id.pointer)
    }

    /// `common.json#/$defs/PhoneNumber`, the schema path of a schema, or with a keyword
    /// `common.json#/$defs/PhoneNumber/pattern`, that of one of its keywords.
    pub fn schema_path(&self, id: &SchemaId, keyword: Option<&str>) -> String {
        let SchemaId { file, pointer } = id;
        match keyword {
            Some(keyword) => format!("{}{file}#{}", self.schema_path_prefix, pointer_push(pointer, keyword)),
            None => format!("{}{file}#{pointer}", self.schema_path_prefix),
        }
    }
}

struct Parser<'a> {
    set: &'a SchemaSet,
    file: &'a SchemaFile,
    dialect: Dialect,
    diagnostics: &'a mut Diagnostics,
}

impl Parser<'_> {
    fn parse_root(mut self) -> Schema {
        let document = &self.file.document;
        self.parse(document, "", true)
    }

    fn error(&mut self, pointer: &str, message: impl Into<String>) {
        self.diagnostics.error(Location::pointer(&self.file.display_path, pointer), message);
    }

    fn parse(&mut self, value: &Value, pointer: &str, is_root: bool) -> Schema {
        let id = SchemaId { file: self.file.path.clone(), pointer: pointer.to_owned() };
        let location = Location::pointer(&self.file.display_path, pointer);
        let object = match value {
            Value::Bool(accepts) => return Schema { id, location, body: Body::Bool(*accepts) },
            Value::Object(object) => object,
            other => {
                self.error(pointer, format!("expected a schema (an object or a boolean), found {other}"));
                return Schema { id, location, body: Body::Bool(false) };
            }
        };
        let mut keywords = Keywords::default();
        for (keyword, value) in object {
            let here = pointer_push(pointer, keyword);
            self.keyword(&mut keywords, keyword, value, &here, is_root);
        }
        self.check_required_are_properties(&keywords, pointer, object);
        Schema { id, location, body: Body::Keywords(Box::new(keywords)) }
    }

    fn keyword(&mut self, keywords: &mut Keywords, name: &str, value: &Value, here: &str, is_root: bool) {
        let Some(keyword) = Keyword::from_name(name) else {
            let supported: Vec<String> =
                self.dialect.keywords().map(|keyword| format!("`{}`", keyword.name())).collect();
            self.error(
                here,
                format!("unsupported keyword `{name}`: the code generator supports only {}", supported.join(", ")),
            );
            return;
        };
        match keyword {
            Keyword::Schema | Keyword::Id if is_root => {}
            Keyword::Schema | Keyword::Id => self.error(
                here,
                format!("`{name}` is supported only at the root of a file; move this schema to a file of its own"),
            ),
            Keyword::Title => keywords.title = self.string(value, here),
            // A note for schema authors, with no effect on validation or types.
            Keyword::Comment => {
                self.string(value, here);
            }
            Keyword::Description => keywords.description = self.string(value, here),
            Keyword::Examples => match value {
                Value::Array(values) => keywords.examples = values.clone(),
                other => self.error(here, format!("expected `examples` to be an array, found {other}")),
            },
            Keyword::Ref => {
                if let Some(written) = self.string(value, here) {
                    match self.set.resolve(self.file, &written) {
                        Ok(target) => {
                            let target = SchemaId { file: target.file.path.clone(), pointer: target.pointer };
                            keywords.reference = Some(Reference { written, target })
                        }
                        Err(message) => self.error(here, message),
                    }
                }
            }
            Keyword::Defs => keywords.defs = self.schema_map(value, here),
            Keyword::Type => keywords.types = self.types(value, here),
            Keyword::Enum => match value {
                Value::Array(values) if !values.is_empty() => keywords.enumeration = Some(values.clone()),
                other => self.error(here, format!("expected `enum` to be a non-empty array, found {other}")),
            },
            Keyword::Const => keywords.constant = Some(value.clone()),
            Keyword::Pattern => {
                if let Some(source) = self.string(value, here) {
                    match Pattern::parse(&source) {
                        Ok(pattern) => keywords.pattern = Some(pattern),
                        Err(message) => self.error(here, format!("unsupported `pattern` {source:?}: {message}")),
                    }
                }
            }
            Keyword::Format => {
                keywords.format = match self.string(value, here) {
                    Some(name) => {
                        let format = Format::parse(&name);
                        if format.is_none() {
                            let supported: Vec<&str> = Format::ALL.iter().map(|format| format.name()).collect();
                            self.error(
                                here,
                                format!("unsupported `format` {name:?}: the supported formats are {supported:?}"),
                            );
                        }
                        format
                    }
                    None => None,
                }
            }
            Keyword::MinLength => keywords.min_length = self.count(value, here),
            Keyword::MinItems => keywords.min_items = self.count(value, here),
            Keyword::Minimum => keywords.minimum = self.number(value, here),
            Keyword::Maximum => keywords.maximum = self.number(value, here),
            Keyword::Properties => keywords.properties = self.schema_map(value, here),
            Keyword::Required => keywords.required = self.string_list(value, here),
            Keyword::AdditionalProperties => keywords.additional_properties = Some(self.parse(value, here, false)),
            Keyword::Items => keywords.items = Some(self.parse(value, here, false)),
            Keyword::OneOf => match value {
                Value::Array(branches) if !branches.is_empty() => {
                    keywords.one_of = branches
                        .iter()
                        .enumerate()
                        .map(|(index, branch)| self.parse(branch, &pointer_push(here, &index.to_string()), false))
                        .collect()
                }
                other => {
                    self.error(here, format!("expected `oneOf` to be a non-empty array of schemas, found {other}"))
                }
            },
            Keyword::Not if keyword.is_supported_in(self.dialect) => {
                keywords.not = Some(self.parse(value, here, false))
            }
            Keyword::Not => self.error(
                here,
                "unsupported keyword `not` in the canonical schemas: the one-pass typed deserializers cannot enforce \
                 it (the generator uses it only in the tolerant schemas it derives)",
            ),
        }
    }

    fn check_required_are_properties(&mut self, keywords: &Keywords, pointer: &str, object: &Map<String, Value>) {
        let closed =
            matches!(keywords.additional_properties.as_ref().map(|schema| &schema.body), Some(Body::Bool(false)));
        if !closed || !object.contains_key("required") {
            return;
        }
        for name in &keywords.required {
            if !keywords.properties.iter().any(|(property, _)| property == name) {
                self.error(
                    &pointer_push(pointer, "required"),
                    format!(
                        "{name:?} is required but not among `properties` of a closed object: no payload could be valid"
                    ),
                );
            }
        }
    }

    fn string(&mut self, value: &Value, here: &str) -> Option<String> {
        match value {
            Value::String(text) => Some(text.clone()),
            other => {
                self.error(here, format!("expected a string, found {other}"));
                None
            }
        }
    }

    fn string_list(&mut self, value: &Value, here: &str) -> Vec<String> {
        let Value::Array(values) = value else {
            self.error(here, format!("expected an array of strings, found {value}"));
            return Vec::new();
        };
        values
            .iter()
            .enumerate()
            .filter_map(|(i, value)| self.string(value, &pointer_push(here, &i.to_string())))
            .collect()
    }

    fn count(&mut self, value: &Value, here: &str) -> Option<u64> {
        match value
            .as_u64()
            .or_else(|| value.as_f64().filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f < 1.8e19).map(|f| f as u64))
        {
            Some(count) => Some(count),
            None => {
                self.error(here, format!("expected a non-negative integer, found {value}"));
                None
            }
        }
    }

    fn number(&mut self, value: &Value, here: &str) -> Option<Number> {
        match value {
            Value::Number(number) => Some(number.clone()),
            other => {
                self.error(here, format!("expected a number, found {other}"));
                None
            }
        }
    }

    fn types(&mut self, value: &Value, here: &str) -> Option<Vec<JsonType>> {
        let names: Vec<(String, String)> = match value {
            Value::String(name) => vec![(name.clone(), here.to_owned())],
            Value::Array(names) => names
                .iter()
                .enumerate()
                .filter_map(|(i, name)| {
                    let at = pointer_push(here, &i.to_string());
                    self.string(name, &at).map(|name| (name, at))
                })
                .collect(),
            other => {
                self.error(here, format!("expected `type` to be a type name or an array of them, found {other}"));
                return None;
            }
        };
        let mut types = Vec::new();
        if names.is_empty() {
            self.error(here, "expected at least one type");
            return None;
        }
        for (name, at) in names {
            match JsonType::parse(&name) {
                Some(json_type) if !types.contains(&json_type) => types.push(json_type),
                Some(_) => self.error(&at, format!("type {name:?} is listed twice")),
                None => self.error(&at, format!("unknown type {name:?}")),
            }
        }
        Some(types)
    }

    fn schema_map(&mut self, value: &Value, here: &str) -> Vec<(String, Schema)> {
        let Value::Object(object) = value else {
            self.error(here, format!("expected an object of schemas, found {value}"));
            return Vec::new();
        };
        object
            .iter()
            .map(|(name, schema)| (name.clone(), self.parse(schema, &pointer_push(here, name), false)))
            .collect()
    }
}
