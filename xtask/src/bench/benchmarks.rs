//! What `bench/benches/validation.rs` measures: its groups, the functions timed in each, and
//! how many inputs a pass over each group's corpus holds, counted from the documented examples
//! of `schema/` so that a new event needs no edit here.

use std::path::Path;

use codegen::{SchemaSet, UNION_FILE};

/// A group of `bench/benches/validation.rs` that times whole passes over a corpus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    IsValid,
    IsValidInvalid,
    AllErrors,
    BytesToEvent,
    Ndjson,
}

impl Group {
    /// In the order of the table and the chart.
    pub const ALL: [Group; 5] =
        [Group::IsValid, Group::IsValidInvalid, Group::AllErrors, Group::BytesToEvent, Group::Ndjson];

    /// Criterion's name of the group, and of its folder.
    pub fn name(self) -> &'static str {
        match self {
            Group::IsValid => "is_valid",
            Group::IsValidInvalid => "is_valid_invalid",
            Group::AllErrors => "all_errors",
            Group::BytesToEvent => "bytes_to_event",
            Group::Ndjson => "ndjson",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Group::IsValid | Group::IsValidInvalid => "Validate a parsed `Value`, boolean",
            Group::AllErrors => "Collect every error",
            Group::BytesToEvent => "Bytes to validated typed event",
            Group::Ndjson => "Bytes to validated typed event, NDJSON",
        }
    }

    pub fn inputs(self) -> Inputs {
        match self {
            Group::IsValid | Group::BytesToEvent => Inputs::ValidExamples,
            Group::IsValidInvalid | Group::AllErrors => Inputs::InvalidVariants,
            Group::Ndjson => Inputs::NdjsonBatch,
        }
    }
}

/// What a group runs on: one of the corpora of `bench/src/lib.rs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inputs {
    /// The documented examples, one per event.
    ValidExamples,
    /// Invalid variants of each documented example.
    InvalidVariants,
    /// About 1 MB of NDJSON, measured in bytes rather than inputs.
    NdjsonBatch,
}

/// The function timed in a benchmark, named as Criterion names its folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    Ours,
    JsonschemaRuntime,
    JsonschemaMacro,
    OursParseValidated,
    ValuePlusJsonschemaRuntime,
    FloorTypedUnvalidated,
    FloorIgnoredAny,
    OursIsValidSlice,
    OursParseTolerant,
    OursIsValidSliceTolerant,
}

impl Function {
    pub fn name(self) -> &'static str {
        match self {
            Function::Ours => "ours",
            Function::JsonschemaRuntime => "jsonschema_runtime",
            Function::JsonschemaMacro => "jsonschema_macro",
            Function::OursParseValidated => "ours_parse_validated",
            Function::ValuePlusJsonschemaRuntime => "value_plus_jsonschema_runtime",
            Function::FloorTypedUnvalidated => "floor_typed_unvalidated",
            Function::FloorIgnoredAny => "floor_ignored_any",
            Function::OursIsValidSlice => "ours_is_valid_slice",
            Function::OursParseTolerant => "ours_parse_tolerant",
            Function::OursIsValidSliceTolerant => "ours_is_valid_slice_tolerant",
        }
    }

    pub fn kind(self) -> Kind {
        match self {
            Function::Ours
            | Function::OursParseValidated
            | Function::OursIsValidSlice
            | Function::OursParseTolerant
            | Function::OursIsValidSliceTolerant => Kind::Ours,
            Function::JsonschemaRuntime | Function::JsonschemaMacro | Function::ValuePlusJsonschemaRuntime => {
                Kind::Reference
            }
            Function::FloorTypedUnvalidated | Function::FloorIgnoredAny => Kind::Floor,
        }
    }
}

/// Whose code a benchmark times: ours, a reference to compare it with, or a floor below which
/// no validating parse can go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Ours,
    Reference,
    Floor,
}

/// One benchmark of `bench/benches/validation.rs`.
#[derive(Debug)]
pub struct Spec {
    pub group: Group,
    pub function: Function,
    pub label: &'static str,
}

impl Spec {
    pub fn kind(&self) -> Kind {
        self.function.kind()
    }
}

/// Every benchmark read, ours first in each group.
pub const SPECS: &[Spec] = &[
    Spec { group: Group::IsValid, function: Function::Ours, label: "ours `is_valid`" },
    Spec { group: Group::IsValid, function: Function::JsonschemaRuntime, label: "jsonschema runtime `is_valid`" },
    Spec { group: Group::IsValid, function: Function::JsonschemaMacro, label: "jsonschema macro `is_valid`" },
    Spec { group: Group::IsValidInvalid, function: Function::Ours, label: "ours `is_valid`" },
    Spec {
        group: Group::IsValidInvalid,
        function: Function::JsonschemaRuntime,
        label: "jsonschema runtime `is_valid`",
    },
    Spec { group: Group::IsValidInvalid, function: Function::JsonschemaMacro, label: "jsonschema macro `is_valid`" },
    Spec { group: Group::AllErrors, function: Function::Ours, label: "ours `validate(..).unwrap_err().len()`" },
    Spec {
        group: Group::AllErrors,
        function: Function::JsonschemaRuntime,
        label: "jsonschema runtime `iter_errors(..).count()`",
    },
    Spec {
        group: Group::AllErrors,
        function: Function::JsonschemaMacro,
        label: "jsonschema macro `iter_errors(..).count()`",
    },
    Spec { group: Group::BytesToEvent, function: Function::OursParseValidated, label: "ours `parse_validated`" },
    Spec { group: Group::BytesToEvent, function: Function::OursIsValidSlice, label: "ours `is_valid_slice`" },
    Spec {
        group: Group::BytesToEvent,
        function: Function::ValuePlusJsonschemaRuntime,
        label: "`from_slice::<Value>` + jsonschema runtime `is_valid`",
    },
    Spec {
        group: Group::BytesToEvent,
        function: Function::FloorTypedUnvalidated,
        label: "floor: ours `Event::from_slice` (no validation)",
    },
    Spec {
        group: Group::BytesToEvent,
        function: Function::FloorIgnoredAny,
        label: "floor: `from_slice::<IgnoredAny>` (syntax only)",
    },
    Spec { group: Group::Ndjson, function: Function::OursParseValidated, label: "ours `parse_validated`" },
    Spec {
        group: Group::Ndjson,
        function: Function::ValuePlusJsonschemaRuntime,
        label: "`from_slice::<Value>` + jsonschema runtime `is_valid`",
    },
    Spec {
        group: Group::Ndjson,
        function: Function::FloorTypedUnvalidated,
        label: "floor: ours `Event::from_slice` (no validation)",
    },
];

/// The group that times `is_valid` on one example at a time, one benchmark per example and
/// validator ([`Function::Ours`], [`Function::JsonschemaRuntime`], [`Function::JsonschemaMacro`]).
pub const EACH_GROUP: &str = "is_valid_each";

/// The group that times the bytes paths on one example at a time, one benchmark per example and
/// path of [`BytesPath::ALL`].
pub const BYTES_EACH_GROUP: &str = "bytes_each";

/// What `bytes_each` times on each example's compact bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BytesPath {
    /// `serde_json::from_slice::<IgnoredAny>`: the syntax alone, the floor of every other.
    Floor,
    /// `audian_events::parse_validated`.
    ParseValidated,
    /// `audian_events::is_valid_slice`.
    IsValidSlice,
    /// `Reading::Tolerant.parse`.
    ParseTolerant,
    /// `Reading::Tolerant.is_valid_slice`.
    IsValidSliceTolerant,
    /// `from_slice::<Value>` + the jsonschema runtime validator's `is_valid`.
    ValuePlusRuntime,
}

impl BytesPath {
    /// In the order of the table's columns, the floor first.
    pub const ALL: [BytesPath; 6] = [
        BytesPath::Floor,
        BytesPath::ParseValidated,
        BytesPath::IsValidSlice,
        BytesPath::ParseTolerant,
        BytesPath::IsValidSliceTolerant,
        BytesPath::ValuePlusRuntime,
    ];

    /// The function's name under `bytes_each/`.
    pub fn function(self) -> Function {
        match self {
            BytesPath::Floor => Function::FloorIgnoredAny,
            BytesPath::ParseValidated => Function::OursParseValidated,
            BytesPath::IsValidSlice => Function::OursIsValidSlice,
            BytesPath::ParseTolerant => Function::OursParseTolerant,
            BytesPath::IsValidSliceTolerant => Function::OursIsValidSliceTolerant,
            BytesPath::ValuePlusRuntime => Function::ValuePlusJsonschemaRuntime,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            BytesPath::Floor => "floor: `from_slice::<IgnoredAny>`",
            BytesPath::ParseValidated => "ours `parse_validated`",
            BytesPath::IsValidSlice => "ours `is_valid_slice`",
            BytesPath::ParseTolerant => "ours tolerant `parse`",
            BytesPath::IsValidSliceTolerant => "ours tolerant `is_valid_slice`",
            BytesPath::ValuePlusRuntime => "`from_slice::<Value>` + jsonschema runtime `is_valid`",
        }
    }

    /// Its index in [`BytesPath::ALL`].
    pub fn index(self) -> usize {
        BytesPath::ALL.iter().position(|path| *path == self).expect("every path is in ALL")
    }
}

/// A jsonschema validator that ours is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reference {
    Runtime,
    Macro,
}

impl Reference {
    pub fn function(self) -> Function {
        match self {
            Reference::Runtime => Function::JsonschemaRuntime,
            Reference::Macro => Function::JsonschemaMacro,
        }
    }
}

/// `bench/src/lib.rs` makes one variant with a shallow error and one with a deep error of each
/// documented example.
const INVALID_VARIANTS_PER_EXAMPLE: u64 = 2;

/// The size of the corpus of `bench/src/lib.rs`, whose valid inputs are the documented examples
/// (`audian_events::examples::ALL`, one per event that has an example).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Corpus {
    pub examples: u64,
}

impl Corpus {
    /// Counts the documented examples of events under `schema_dir` (relative to `workspace`),
    /// as the generator pairs them with the event schemas.
    pub fn from_schemas(workspace: &Path, schema_dir: &Path) -> Result<Corpus, String> {
        let set = SchemaSet::load(&workspace.join(schema_dir), schema_dir)
            .map_err(|diagnostics| format!("cannot count the documented examples:\n{diagnostics}"))?;
        Ok(Corpus { examples: set.examples_of(UNION_FILE).count() as u64 })
    }

    /// Inputs per pass over a group's corpus, where a time per input means something.
    pub fn count(self, inputs: Inputs) -> Option<u64> {
        match inputs {
            Inputs::ValidExamples => Some(self.examples),
            Inputs::InvalidVariants => Some(self.examples * INVALID_VARIANTS_PER_EXAMPLE),
            Inputs::NdjsonBatch => None,
        }
    }

    /// What a pass over a group's corpus holds, as the table names it.
    pub fn describe(self, inputs: Inputs) -> String {
        match (inputs, self.count(inputs)) {
            (Inputs::ValidExamples, Some(count)) => format!("{count} valid examples"),
            (Inputs::InvalidVariants, Some(count)) => format!("{count} invalid variants"),
            _ => "NDJSON batch".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_group_has_its_benchmarks_together_ours_first() {
        let mut order = Vec::new();
        for spec in SPECS {
            if order.last() != Some(&spec.group) {
                assert!(!order.contains(&spec.group), "{:?} is split", spec.group);
                assert_eq!(spec.kind(), Kind::Ours, "{:?} does not start with ours", spec.group);
                order.push(spec.group);
            }
        }
        assert_eq!(order, Group::ALL);
    }

    #[test]
    fn corpus_sizes_follow_the_number_of_examples() {
        let corpus = Corpus { examples: 19 };
        assert_eq!(corpus.count(Inputs::ValidExamples), Some(19));
        assert_eq!(corpus.count(Inputs::InvalidVariants), Some(38));
        assert_eq!(corpus.count(Inputs::NdjsonBatch), None);
        assert_eq!(corpus.describe(Group::IsValid.inputs()), "19 valid examples");
        assert_eq!(corpus.describe(Group::AllErrors.inputs()), "38 invalid variants");
        assert_eq!(corpus.describe(Group::Ndjson.inputs()), "NDJSON batch");
    }

    #[test]
    fn the_corpus_has_one_example_per_event_schema() {
        let layout = xtask::Layout::repository();
        let corpus = Corpus::from_schemas(&layout.workspace, &layout.schema_dir).unwrap();
        let events = std::fs::read_dir(layout.workspace.join(&layout.schema_dir).join("events")).unwrap().count();
        assert_eq!(corpus.examples, events as u64);
    }
}
