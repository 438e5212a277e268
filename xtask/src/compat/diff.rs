//! The changes between two versions of the schema documents: the two walked in parallel, one
//! [`Change`] per logical difference, each with its file, JSON Pointer, named [`Kind`], the facts
//! its rule needs ([`Context`]) and the [`Edit`]s that make it alone (see [`super::isolate`]).

use std::collections::{BTreeMap, BTreeSet};

use codegen::pattern::Pattern;
use serde_json::{Map, Value};

use super::sample::Rng;

/// Schema documents by path relative to the schema folder (`events/call.held.json`); the
/// documented examples under `examples/`.
pub type Documents = BTreeMap<String, Value>;

macro_rules! kinds {
    ($($variant:ident => $name:literal,)*) => {
        /// A named kind of change.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Kind {
            $($variant,)*
        }

        impl Kind {
            pub const ALL: &'static [Kind] = &[$(Kind::$variant,)*];

            pub fn name(self) -> &'static str {
                match self {
                    $(Kind::$variant => $name,)*
                }
            }

            pub fn from_name(name: &str) -> Option<Kind> {
                Kind::ALL.iter().copied().find(|kind| kind.name() == name)
            }
        }
    };
}

kinds! {
    PropertyAdded => "property_added",
    RequiredPropertyAdded => "required_property_added",
    PropertyRemoved => "property_removed",
    PropertyMadeRequired => "property_made_required",
    PropertyMadeOptional => "property_made_optional",
    EventTypeAdded => "event_type_added",
    EventTypeRemoved => "event_type_removed",
    EnumValueAdded => "enum_value_added",
    EnumValueRemoved => "enum_value_removed",
    EnumAdded => "enum_added",
    EnumRemoved => "enum_removed",
    ConstChanged => "const_changed",
    ConstAdded => "const_added",
    ConstRemoved => "const_removed",
    PatternTightened => "pattern_tightened",
    PatternLoosened => "pattern_loosened",
    PatternChanged => "pattern_changed",
    PatternRewritten => "pattern_rewritten",
    FormatAdded => "format_added",
    FormatRemoved => "format_removed",
    FormatChanged => "format_changed",
    MinimumRaised => "minimum_raised",
    MinimumLowered => "minimum_lowered",
    MaximumRaised => "maximum_raised",
    MaximumLowered => "maximum_lowered",
    MinLengthRaised => "min_length_raised",
    MinLengthLowered => "min_length_lowered",
    MinItemsRaised => "min_items_raised",
    MinItemsLowered => "min_items_lowered",
    TypeWidened => "type_widened",
    TypeNarrowed => "type_narrowed",
    TypeChanged => "type_changed",
    AdditionalPropertiesClosed => "additional_properties_closed",
    AdditionalPropertiesOpened => "additional_properties_opened",
    RefRetargeted => "ref_retargeted",
    RefAdded => "ref_added",
    RefRemoved => "ref_removed",
    OneOfBranchAdded => "one_of_branch_added",
    OneOfBranchRemoved => "one_of_branch_removed",
    DefinitionAdded => "definition_added",
    DefinitionRemoved => "definition_removed",
    SchemaFileAdded => "schema_file_added",
    SchemaFileRemoved => "schema_file_removed",
    SchemaReplaced => "schema_replaced",
    AnnotationChanged => "annotation_changed",
    ExampleChanged => "example_changed",
}

/// One edit of the documents; a change is the edits that make it.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    /// Puts `value` at `pointer`, creating the objects on the way.
    Set {
        file: String,
        pointer: String,
        value: Value,
    },
    Remove {
        file: String,
        pointer: String,
    },
    /// Appends `value` to the array at `pointer` (created if missing), unless it is there.
    Push {
        file: String,
        pointer: String,
        value: Value,
    },
    /// Removes `value` from the array at `pointer`.
    Pull {
        file: String,
        pointer: String,
        value: Value,
    },
    AddFile {
        file: String,
        document: Value,
    },
    RemoveFile {
        file: String,
    },
}

/// What a rule needs to know about the place of a change, in the old version.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Context {
    /// The object that gains or loses a property is closed (`additionalProperties: false`).
    pub closed_object: bool,
    /// The property was required in the old version (for a property removed).
    pub was_required: bool,
    /// The enumeration is a `$defs` string enumeration, which the tolerant reading opens.
    pub open_enumeration: bool,
    /// Old integer bounds that fit `u64` and those that fit only `i64`, and the new ones, for a
    /// bound moved: whether the Rust type of the field changes.
    pub retyped: bool,
    /// For a value of a `$defs` enumeration: whether some `$ref` to it has no `const` beside it
    /// (a payload can carry any of its values there), and the values the others pin.
    pub unpinned_use: bool,
    pub pinned_values: Vec<Value>,
    /// A change of the `event` constant of an event file: the tolerant reading takes the new
    /// name for an event type it does not know.
    pub event_name: bool,
}

/// One logical difference.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// The schema file, relative to the schema folder.
    pub schema: String,
    /// The JSON Pointer in it.
    pub pointer: String,
    pub kind: Kind,
    /// What changed, in a few words.
    pub detail: String,
    pub context: Context,
    pub edits: Vec<Edit>,
}

const ANNOTATIONS: &[&str] = &["title", "description", "examples", "$comment", "$schema", "$id"];

/// Every change from `old` to `new`, by file then pointer.
pub fn diff(old: &Documents, new: &Documents) -> Vec<Change> {
    let mut out = Vec::new();
    let event_types = EventTypes::of(old, new);
    for change in &event_types.changes {
        out.push(change.clone());
    }
    let paths: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    for path in paths {
        if event_types.files.contains(path.as_str()) {
            continue;
        }
        let walker = Walker { file: path, event_types: &event_types };
        match (old.get(path), new.get(path)) {
            (Some(before), Some(after)) if before == after => {}
            (Some(_), Some(after)) if path.starts_with("examples/") => {
                out.push(walker.change("", Kind::ExampleChanged, "example edited", file_edit(path, after)));
            }
            (None, Some(after)) => {
                let kind = if path.starts_with("examples/") { Kind::ExampleChanged } else { Kind::SchemaFileAdded };
                out.push(walker.change(
                    "",
                    kind,
                    "file added",
                    vec![Edit::AddFile { file: path.clone(), document: after.clone() }],
                ));
            }
            (Some(_), None) => {
                let kind = if path.starts_with("examples/") { Kind::ExampleChanged } else { Kind::SchemaFileRemoved };
                out.push(walker.change("", kind, "file removed", vec![Edit::RemoveFile { file: path.clone() }]));
            }
            (Some(before), Some(after)) => walker.schema("", before, after, &mut out),
            (None, None) => {}
        }
    }
    out
}

fn file_edit(path: &str, document: &Value) -> Vec<Edit> {
    vec![
        Edit::RemoveFile { file: path.to_owned() },
        Edit::AddFile { file: path.to_owned(), document: document.clone() },
    ]
}

/// Event types added or removed: an event file, its branch of the union and its name in the
/// `EventType` enumeration, folded into one change.
#[derive(Default)]
struct EventTypes {
    changes: Vec<Change>,
    /// The files folded (the event file and its example).
    files: BTreeSet<String>,
    /// The union's branches folded, as `$ref`s.
    branches: BTreeSet<String>,
    /// The enumeration values folded.
    names: BTreeSet<String>,
}

const EVENT_TYPE_ENUM: (&str, &str) = ("common.json", "/$defs/EventType/enum");

impl EventTypes {
    fn of(old: &Documents, new: &Documents) -> EventTypes {
        let mut found = EventTypes::default();
        let is_event = |path: &str| path.strip_prefix("events/").is_some_and(|name| !name.contains('/'));
        for (path, document, other, kind) in old
            .iter()
            .filter(|(path, _)| !new.contains_key(*path))
            .map(|(path, document)| (path, document, new, Kind::EventTypeRemoved))
            .chain(
                new.iter()
                    .filter(|(path, _)| !old.contains_key(*path))
                    .map(|(path, document)| (path, document, old, Kind::EventTypeAdded)),
            )
        {
            if !is_event(path) {
                continue;
            }
            let added = kind == Kind::EventTypeAdded;
            let reference = path.clone();
            let name = document.pointer("/properties/event/const").and_then(Value::as_str).map(str::to_owned);
            let mut edits = vec![if added {
                Edit::AddFile { file: path.clone(), document: document.clone() }
            } else {
                Edit::RemoveFile { file: path.clone() }
            }];
            let branch = serde_json::json!({ "$ref": reference });
            let side = if added { new } else { old };
            let in_union = side
                .get("event.json")
                .and_then(|union| union.get("oneOf"))
                .and_then(Value::as_array)
                .is_some_and(|branches| branches.contains(&branch));
            if in_union {
                edits.push(array_edit(added, "event.json", "/oneOf", branch));
                found.branches.insert(reference.clone());
            }
            if let Some(name) = &name {
                let listed = side
                    .get(EVENT_TYPE_ENUM.0)
                    .and_then(|common| common.pointer(EVENT_TYPE_ENUM.1))
                    .and_then(Value::as_array)
                    .is_some_and(|names| names.contains(&Value::from(name.as_str())));
                let listed_before = other
                    .get(EVENT_TYPE_ENUM.0)
                    .and_then(|common| common.pointer(EVENT_TYPE_ENUM.1))
                    .and_then(Value::as_array)
                    .is_some_and(|names| names.contains(&Value::from(name.as_str())));
                if listed && !listed_before {
                    edits.push(array_edit(added, EVENT_TYPE_ENUM.0, EVENT_TYPE_ENUM.1, Value::from(name.as_str())));
                    found.names.insert(name.clone());
                }
            }
            let example = format!("examples/{}", &path["events/".len()..]);
            let example_side = if added { new.get(&example) } else { old.get(&example) };
            if let Some(document) = example_side {
                found.files.insert(example.clone());
                edits.push(if added {
                    Edit::AddFile { file: example, document: document.clone() }
                } else {
                    Edit::RemoveFile { file: example }
                });
            }
            found.files.insert(path.clone());
            let detail =
                format!("event type {} {}", name.as_deref().unwrap_or(path), if added { "added" } else { "removed" });
            found.changes.push(Change {
                schema: path.clone(),
                pointer: String::new(),
                kind,
                detail,
                context: Context::default(),
                edits,
            });
        }
        found
    }
}

fn array_edit(push: bool, file: &str, pointer: &str, value: Value) -> Edit {
    let (file, pointer) = (file.to_owned(), pointer.to_owned());
    if push { Edit::Push { file, pointer, value } } else { Edit::Pull { file, pointer, value } }
}

struct Walker<'a> {
    file: &'a str,
    event_types: &'a EventTypes,
}

fn push(pointer: &str, token: &str) -> String {
    codegen::diagnostic::pointer_push(pointer, token)
}

impl Walker<'_> {
    fn change(&self, pointer: &str, kind: Kind, detail: impl Into<String>, edits: Vec<Edit>) -> Change {
        Change {
            schema: self.file.to_owned(),
            pointer: pointer.to_owned(),
            kind,
            detail: detail.into(),
            context: Context::default(),
            edits,
        }
    }

    fn set(&self, pointer: &str, value: Option<&Value>) -> Edit {
        match value {
            Some(value) => Edit::Set { file: self.file.to_owned(), pointer: pointer.to_owned(), value: value.clone() },
            None => Edit::Remove { file: self.file.to_owned(), pointer: pointer.to_owned() },
        }
    }

    /// Two versions of the schema at `pointer`.
    fn schema(&self, pointer: &str, old: &Value, new: &Value, out: &mut Vec<Change>) {
        if old == new {
            return;
        }
        let (Some(before), Some(after)) = (old.as_object(), new.as_object()) else {
            out.push(self.change(
                pointer,
                Kind::SchemaReplaced,
                format!("{old} became {new}"),
                vec![self.set(pointer, Some(new))],
            ));
            return;
        };
        self.properties(pointer, before, after, out);
        let keys: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
        for key in keys {
            let (old_value, new_value) = (before.get(key), after.get(key));
            if old_value == new_value {
                continue;
            }
            let at = push(pointer, key);
            match key.as_str() {
                "properties" | "required" => {}
                "$defs" => self.defs(&at, old_value, new_value, out),
                "enum" => self.enumeration(&at, before, old_value, new_value, out),
                "const" => {
                    let kind = match (old_value, new_value) {
                        (None, _) => Kind::ConstAdded,
                        (_, None) => Kind::ConstRemoved,
                        _ => Kind::ConstChanged,
                    };
                    let mut change =
                        self.change(&at, kind, describe(old_value, new_value), vec![self.set(&at, new_value)]);
                    change.context.event_name = self.file.starts_with("events/") && at == "/properties/event/const";
                    out.push(change);
                }
                "pattern" => {
                    let kind = pattern_kind(old_value, new_value);
                    out.push(self.change(&at, kind, describe(old_value, new_value), vec![self.set(&at, new_value)]));
                }
                "format" => {
                    let kind = match (old_value, new_value) {
                        (None, _) => Kind::FormatAdded,
                        (_, None) => Kind::FormatRemoved,
                        _ => Kind::FormatChanged,
                    };
                    let mut change =
                        self.change(&at, kind, describe(old_value, new_value), vec![self.set(&at, new_value)]);
                    // A date-time is typed as a timestamp; a URI stays a string.
                    let date_time = Some(&Value::from("date-time"));
                    change.context.retyped = old_value == date_time || new_value == date_time;
                    out.push(change);
                }
                "minimum" | "maximum" | "minLength" | "minItems" => {
                    let (raised, lowered) = match key.as_str() {
                        "minimum" => (Kind::MinimumRaised, Kind::MinimumLowered),
                        "maximum" => (Kind::MaximumRaised, Kind::MaximumLowered),
                        "minLength" => (Kind::MinLengthRaised, Kind::MinLengthLowered),
                        _ => (Kind::MinItemsRaised, Kind::MinItemsLowered),
                    };
                    let number = |value: Option<&Value>| value.and_then(Value::as_f64);
                    let up = match (number(old_value), number(new_value)) {
                        (Some(before), Some(after)) => after > before,
                        // A lower bound added raises it; an upper bound added lowers it.
                        (None, _) => key != "maximum",
                        (_, None) => key == "maximum",
                    };
                    let mut change = self.change(
                        &at,
                        if up { raised } else { lowered },
                        describe(old_value, new_value),
                        vec![self.set(&at, new_value)],
                    );
                    change.context.retyped = integer_retyped(before, after);
                    out.push(change);
                }
                "type" => {
                    let kind = type_kind(old_value, new_value);
                    out.push(self.change(&at, kind, describe(old_value, new_value), vec![self.set(&at, new_value)]));
                }
                "additionalProperties" => {
                    let closed = |value: Option<&Value>| value == Some(&Value::Bool(false));
                    let schema_like = |value: Option<&Value>| value.is_some_and(Value::is_object);
                    if schema_like(old_value) && schema_like(new_value) {
                        self.schema(&at, old_value.unwrap(), new_value.unwrap(), out);
                    } else {
                        let kind = if closed(new_value) && !closed(old_value) {
                            Kind::AdditionalPropertiesClosed
                        } else if closed(old_value) && !closed(new_value) {
                            Kind::AdditionalPropertiesOpened
                        } else {
                            Kind::SchemaReplaced
                        };
                        out.push(self.change(
                            &at,
                            kind,
                            describe(old_value, new_value),
                            vec![self.set(&at, new_value)],
                        ));
                    }
                }
                "$ref" => {
                    let kind = match (old_value, new_value) {
                        (None, _) => Kind::RefAdded,
                        (_, None) => Kind::RefRemoved,
                        _ => Kind::RefRetargeted,
                    };
                    out.push(self.change(&at, kind, describe(old_value, new_value), vec![self.set(&at, new_value)]));
                }
                "items" | "not" | "additionalItems" => match (old_value, new_value) {
                    (Some(before), Some(after)) => self.schema(&at, before, after, out),
                    _ => out.push(self.change(
                        &at,
                        Kind::SchemaReplaced,
                        describe(old_value, new_value),
                        vec![self.set(&at, new_value)],
                    )),
                },
                "oneOf" => self.one_of(&at, old_value, new_value, out),
                _ if ANNOTATIONS.contains(&key.as_str()) => {
                    out.push(self.change(
                        &at,
                        Kind::AnnotationChanged,
                        format!("`{key}` edited"),
                        vec![self.set(&at, new_value)],
                    ));
                }
                _ => out.push(self.change(
                    &at,
                    Kind::SchemaReplaced,
                    describe(old_value, new_value),
                    vec![self.set(&at, new_value)],
                )),
            }
        }
    }

    fn properties(
        &self,
        pointer: &str,
        before: &Map<String, Value>,
        after: &Map<String, Value>,
        out: &mut Vec<Change>,
    ) {
        let empty = Map::new();
        let old_properties = before.get("properties").and_then(Value::as_object).unwrap_or(&empty);
        let new_properties = after.get("properties").and_then(Value::as_object).unwrap_or(&empty);
        let names = |object: &Map<String, Value>| -> BTreeSet<String> {
            object
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        };
        let (old_required, new_required) = (names(before), names(after));
        let closed = before.get("additionalProperties") == Some(&Value::Bool(false));
        let required_at = push(pointer, "required");
        let all: BTreeSet<&String> = old_properties.keys().chain(new_properties.keys()).collect();
        for name in all {
            let at = push(&push(pointer, "properties"), name);
            match (old_properties.get(name), new_properties.get(name)) {
                (None, Some(schema)) => {
                    let required = new_required.contains(name);
                    let mut edits = vec![self.set(&at, Some(schema))];
                    if required && !old_required.contains(name) {
                        edits.push(array_edit(true, self.file, &required_at, Value::from(name.as_str())));
                    }
                    let kind = if required { Kind::RequiredPropertyAdded } else { Kind::PropertyAdded };
                    let mut change = self.change(&at, kind, format!("property `{name}` added"), edits);
                    change.context.closed_object = closed;
                    out.push(change);
                }
                (Some(_), None) => {
                    let mut edits = vec![self.set(&at, None)];
                    if old_required.contains(name) && !new_required.contains(name) {
                        edits.push(array_edit(false, self.file, &required_at, Value::from(name.as_str())));
                    }
                    let mut change =
                        self.change(&at, Kind::PropertyRemoved, format!("property `{name}` removed"), edits);
                    change.context.closed_object = closed;
                    change.context.was_required = old_required.contains(name);
                    out.push(change);
                }
                (Some(before), Some(after)) => self.schema(&at, before, after, out),
                (None, None) => {}
            }
        }
        let folded = |name: &String| old_properties.contains_key(name) != new_properties.contains_key(name);
        for name in new_required.difference(&old_required).filter(|name| !folded(name)) {
            out.push(self.change(
                &required_at,
                Kind::PropertyMadeRequired,
                format!("`{name}` made required"),
                vec![array_edit(true, self.file, &required_at, Value::from(name.as_str()))],
            ));
        }
        for name in old_required.difference(&new_required).filter(|name| !folded(name)) {
            out.push(self.change(
                &required_at,
                Kind::PropertyMadeOptional,
                format!("`{name}` made optional"),
                vec![array_edit(false, self.file, &required_at, Value::from(name.as_str()))],
            ));
        }
    }

    fn defs(&self, pointer: &str, old: Option<&Value>, new: Option<&Value>, out: &mut Vec<Change>) {
        let empty = Map::new();
        let before = old.and_then(Value::as_object).unwrap_or(&empty);
        let after = new.and_then(Value::as_object).unwrap_or(&empty);
        let names: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
        for name in names {
            let at = push(pointer, name);
            match (before.get(name), after.get(name)) {
                (Some(old), Some(new)) => self.schema(&at, old, new, out),
                (None, Some(new)) => {
                    out.push(self.change(
                        &at,
                        Kind::DefinitionAdded,
                        format!("definition `{name}` added"),
                        vec![self.set(&at, Some(new))],
                    ));
                }
                (Some(_), None) => {
                    out.push(self.change(
                        &at,
                        Kind::DefinitionRemoved,
                        format!("definition `{name}` removed"),
                        vec![self.set(&at, None)],
                    ));
                }
                (None, None) => {}
            }
        }
    }

    fn enumeration(
        &self,
        pointer: &str,
        schema: &Map<String, Value>,
        old: Option<&Value>,
        new: Option<&Value>,
        out: &mut Vec<Change>,
    ) {
        let (Some(before), Some(after)) = (old.and_then(Value::as_array), new.and_then(Value::as_array)) else {
            let kind = if old.is_none() { Kind::EnumAdded } else { Kind::EnumRemoved };
            out.push(self.change(pointer, kind, describe(old, new), vec![self.set(pointer, new)]));
            return;
        };
        let folded = |value: &Value| {
            (self.file, pointer) == EVENT_TYPE_ENUM
                && value.as_str().is_some_and(|name| self.event_types.names.contains(name))
        };
        // A `$defs` enumeration of strings is opened by the tolerant reading.
        let open = pointer.starts_with("/$defs/")
            && pointer.matches('/').count() == 3
            && before.iter().all(Value::is_string)
            && schema.get("const").is_none();
        for value in after.iter().filter(|value| !before.contains(value) && !folded(value)) {
            let mut change = self.change(
                pointer,
                Kind::EnumValueAdded,
                format!("{value} added"),
                vec![array_edit(true, self.file, pointer, value.clone())],
            );
            change.context.open_enumeration = open;
            out.push(change);
        }
        for value in before.iter().filter(|value| !after.contains(value) && !folded(value)) {
            let mut change = self.change(
                pointer,
                Kind::EnumValueRemoved,
                format!("{value} removed"),
                vec![array_edit(false, self.file, pointer, value.clone())],
            );
            change.context.open_enumeration = open;
            out.push(change);
        }
    }

    fn one_of(&self, pointer: &str, old: Option<&Value>, new: Option<&Value>, out: &mut Vec<Change>) {
        let empty = Vec::new();
        let before = old.and_then(Value::as_array).unwrap_or(&empty);
        let after = new.and_then(Value::as_array).unwrap_or(&empty);
        let folded = |branch: &Value| {
            self.file == "event.json"
                && pointer == "/oneOf"
                && branch
                    .get("$ref")
                    .and_then(Value::as_str)
                    .is_some_and(|target| self.event_types.branches.contains(target))
        };
        let before: Vec<&Value> = before.iter().filter(|branch| !folded(branch)).collect();
        let after: Vec<&Value> = after.iter().filter(|branch| !folded(branch)).collect();
        let same_branches = before.len() == after.len()
            && before.iter().all(|branch| after.contains(branch))
            && after.iter().all(|branch| before.contains(branch));
        if same_branches {
            // The order of `oneOf` means nothing to validation.
            if before != after {
                out.push(self.change(
                    pointer,
                    Kind::AnnotationChanged,
                    "branches reordered",
                    vec![self.set(pointer, new)],
                ));
            }
            return;
        }
        if before.len() == after.len() {
            for (index, (old, new)) in before.iter().zip(&after).enumerate() {
                self.schema(&push(pointer, &index.to_string()), old, new, out);
            }
            return;
        }
        for branch in after.iter().filter(|branch| !before.contains(branch)) {
            out.push(self.change(
                pointer,
                Kind::OneOfBranchAdded,
                format!("branch {branch} added"),
                vec![array_edit(true, self.file, pointer, (*branch).clone())],
            ));
        }
        for branch in before.iter().filter(|branch| !after.contains(branch)) {
            out.push(self.change(
                pointer,
                Kind::OneOfBranchRemoved,
                format!("branch {branch} removed"),
                vec![array_edit(false, self.file, pointer, (*branch).clone())],
            ));
        }
    }
}

fn describe(old: Option<&Value>, new: Option<&Value>) -> String {
    let show = |value: Option<&Value>| value.map_or_else(|| "(none)".to_owned(), Value::to_string);
    format!("{} -> {}", show(old), show(new))
}

/// Whether the integer's Rust type (`u64` when its bounds fit, else `i64`) changes.
fn integer_retyped(before: &Map<String, Value>, after: &Map<String, Value>) -> bool {
    let unsigned =
        |schema: &Map<String, Value>| schema.get("minimum").and_then(Value::as_f64).is_some_and(|low| low >= 0.0);
    let integer = |schema: &Map<String, Value>| schema.get("type") == Some(&Value::from("integer"));
    integer(before) && integer(after) && unsigned(before) != unsigned(after)
}

/// The types a `type` keyword allows; all of them when absent.
fn type_set(value: Option<&Value>) -> BTreeSet<String> {
    let all = ["null", "boolean", "object", "array", "number", "integer", "string"];
    let mut types: BTreeSet<String> = match value {
        None => all.iter().map(|name| (*name).to_owned()).collect(),
        Some(Value::String(name)) => [name.clone()].into(),
        Some(Value::Array(names)) => names.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        Some(_) => BTreeSet::new(),
    };
    if types.contains("number") {
        types.insert("integer".to_owned());
    }
    types
}

fn type_kind(old: Option<&Value>, new: Option<&Value>) -> Kind {
    let (before, after) = (type_set(old), type_set(new));
    let number_widened = !old.is_some_and(|value| value.to_string().contains("number"))
        && new.is_some_and(|value| value.to_string().contains("number"));
    if before == after && !number_widened {
        Kind::AnnotationChanged
    } else if after.is_superset(&before) {
        Kind::TypeWidened
    } else if after.is_subset(&before) {
        Kind::TypeNarrowed
    } else {
        Kind::TypeChanged
    }
}

/// Tightened when every string the new pattern yields matches the old one and some string of the
/// old one does not match the new; loosened the other way round; changed when both fail;
/// rewritten when neither does (the same language, by 400 strings each way). A pattern added
/// tightens, one removed loosens.
fn pattern_kind(old: Option<&Value>, new: Option<&Value>) -> Kind {
    let parse = |value: Option<&Value>| value.and_then(Value::as_str).and_then(|source| Pattern::parse(source).ok());
    match (old, new) {
        (None, _) => return Kind::PatternTightened,
        (_, None) => return Kind::PatternLoosened,
        _ => {}
    }
    let (Some(before), Some(after)) = (parse(old), parse(new)) else { return Kind::PatternChanged };
    let escapes = |from: &Pattern, to: &Pattern| -> bool {
        let model = codegen::model::Model::default();
        let mut generator = super::sample::Generator::new(&model, &[], 0x5eed);
        generator.rng = Rng::new(0x5eed);
        let keywords = codegen::model::Keywords { pattern: Some(from.clone()), ..Default::default() };
        (0..400).any(|_| !to.is_match(&generator.string_of(&keywords)))
    };
    match (escapes(&after, &before), escapes(&before, &after)) {
        (false, true) => Kind::PatternTightened,
        (true, false) => Kind::PatternLoosened,
        (true, true) => Kind::PatternChanged,
        (false, false) => Kind::PatternRewritten,
    }
}

/// The `$ref`s to the definition at `(file, pointer)` in `documents`: whether one has no `const`
/// beside it, and the constants of the others.
pub fn enumeration_uses(documents: &Documents, file: &str, pointer: &str) -> (bool, Vec<Value>) {
    let (mut unpinned, mut pinned) = (false, Vec::new());
    for (path, document) in documents.iter().filter(|(path, _)| !path.starts_with("examples/")) {
        visit_refs(document, &mut |object| {
            let Some(reference) = object.get("$ref").and_then(Value::as_str) else { return };
            let (target_file, fragment) = reference.split_once('#').unwrap_or((reference, ""));
            let target_file = if target_file.is_empty() { path.clone() } else { join_relative(path, target_file) };
            if target_file == file && fragment == pointer {
                match object.get("const") {
                    Some(constant) => pinned.push(constant.clone()),
                    None => unpinned = true,
                }
            }
        });
    }
    (unpinned, pinned)
}

fn visit_refs(value: &Value, visit: &mut dyn FnMut(&Map<String, Value>)) {
    match value {
        Value::Object(object) => {
            visit(object);
            object.values().for_each(|child| visit_refs(child, visit));
        }
        Value::Array(items) => items.iter().for_each(|child| visit_refs(child, visit)),
        _ => {}
    }
}

/// `relative` resolved against the folder of `path`: `../common.json` from `events/x.json` is
/// `common.json`.
fn join_relative(path: &str, relative: &str) -> String {
    let mut parts: Vec<&str> = path.split('/').collect();
    parts.pop();
    for part in relative.split('/') {
        match part {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            part => parts.push(part),
        }
    }
    parts.join("/")
}
