//! Drift: what a payload has that the strict reading refuses and the tolerant one accepts,
//! because Audian added it. Each difference says where and what kind of addition it is.

use std::fmt;

use super::ValidationError;

/// What kind of addition a [`Difference`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum DriftKind {
    /// A property the schemas do not name, such as a new `data` field.
    UnknownProperty,
    /// A value of an open enumeration this version does not know, such as a new `call_type`.
    UnknownValue,
    /// An event type this version does not know (its envelope is valid).
    UnknownEventType,
}

impl DriftKind {
    /// A stable name: `unknown_property`, `unknown_value` or `unknown_event_type`.
    pub fn as_str(self) -> &'static str {
        match self {
            DriftKind::UnknownProperty => "unknown_property",
            DriftKind::UnknownValue => "unknown_value",
            DriftKind::UnknownEventType => "unknown_event_type",
        }
    }
}

impl fmt::Display for DriftKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One addition: where it is, as a JSON Pointer (`/data/carrier`; `/event` for an unknown event
/// type), and its kind.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Difference {
    pointer: String,
    kind: DriftKind,
}

impl Difference {
    /// Where the addition is, as a JSON Pointer.
    pub fn pointer(&self) -> &str {
        &self.pointer
    }

    pub fn kind(&self) -> DriftKind {
        self.kind
    }
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.pointer, self.kind)
    }
}

/// Every difference between a payload and the strict reading, in the order of their pointers;
/// empty when the payload is strictly valid.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Drift {
    differences: Vec<Difference>,
}

impl Drift {
    /// No drift: the payload is exactly what the schemas describe.
    pub const NONE: Drift = Drift { differences: Vec::new() };

    pub fn is_empty(&self) -> bool {
        self.differences.is_empty()
    }

    pub fn len(&self) -> usize {
        self.differences.len()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Difference> {
        self.differences.iter()
    }

    /// The pointers, comma-separated: `/data/carrier,/data/region`.
    pub fn pointers(&self) -> String {
        self.differences.iter().map(Difference::pointer).collect::<Vec<_>>().join(",")
    }

    /// Splits the strict errors of a payload that the tolerant reading accepts into its drift
    /// and the errors that are no addition at all (none, unless the two readings disagree).
    pub(crate) fn from_strict_errors(
        errors: impl IntoIterator<Item = ValidationError>,
    ) -> (Drift, Vec<ValidationError>) {
        let mut drift = Drift::default();
        let mut unexplained = Vec::new();
        for error in errors {
            let relaxed = crate::generated::tolerant::RELAXATIONS
                .iter()
                .find(|(schema_path, _)| *schema_path == error.schema_path)
                .map(|(_, kind)| *kind);
            match relaxed {
                Some(kind) => drift.differences.push(Difference { pointer: error.instance_path, kind }),
                None => unexplained.push(error),
            }
        }
        // Whatever order the validator met them in (that of the keys in the payload), one order.
        drift.differences.sort();
        (drift, unexplained)
    }
}

impl fmt::Display for Drift {
    /// `/data/carrier (unknown_property), /event (unknown_event_type)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, difference) in self.differences.iter().enumerate() {
            if index > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{difference}")?;
        }
        Ok(())
    }
}

impl<'a> IntoIterator for &'a Drift {
    type Item = &'a Difference;
    type IntoIter = std::slice::Iter<'a, Difference>;
    fn into_iter(self) -> Self::IntoIter {
        self.differences.iter()
    }
}
