//! The rule-based verdict of each kind of change, in its context: the expectation that the
//! evidence of [`super::witness`] confirms or refutes.

use super::diff::{Change, Kind};

/// Compatible or breaking, for each audience.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Verdicts {
    /// Receivers on the previous release reading tolerantly: do new payloads still reach them?
    pub tolerant_reader: bool,
    /// Tests and producers validating with the previous schemas: do new valid payloads pass?
    pub strict_validator: bool,
    /// Fixtures and stored payloads of the previous version: are they still valid?
    pub old_payloads: bool,
}

impl Verdicts {
    pub const COMPATIBLE: Verdicts = Verdicts { tolerant_reader: false, strict_validator: false, old_payloads: false };

    fn new(tolerant_reader: bool, strict_validator: bool, old_payloads: bool) -> Verdicts {
        Verdicts { tolerant_reader, strict_validator, old_payloads }
    }

    pub fn any_breaking(self) -> bool {
        self.tolerant_reader || self.strict_validator || self.old_payloads
    }

    /// `compatible` or `breaking`.
    pub fn word(breaking: bool) -> &'static str {
        if breaking { "breaking" } else { "compatible" }
    }
}

/// What the rules expect of `change`; `None` for a kind they cannot judge alone (the evidence
/// decides). `tolerant_reached`: whether the place is read by the tolerant reading at all (the
/// subscription bodies have none, and their changes reach no receiver).
pub fn expect(change: &Change, tolerant_reached: bool) -> Option<Verdicts> {
    let context = &change.context;
    // Loosening: new payloads may be refused by the old schemas, old payloads stay valid.
    let loosened = Verdicts::new(true, true, false);
    // Tightening: old payloads may be refused, new ones were valid before.
    let tightened = Verdicts::new(false, false, true);
    let all = Verdicts::new(true, true, true);
    let verdicts = match change.kind {
        Kind::PropertyAdded if context.closed_object => Verdicts::new(false, true, false),
        // An old payload may already carry the name as an unknown property, with another value.
        Kind::PropertyAdded => Verdicts::new(false, false, true),
        Kind::RequiredPropertyAdded if context.closed_object => Verdicts::new(false, true, true),
        Kind::RequiredPropertyAdded => Verdicts::new(false, false, true),
        Kind::PropertyRemoved if context.closed_object => {
            Verdicts::new(context.was_required, context.was_required, true)
        }
        // The new, open object lets the name through with any value; the old one judged it.
        Kind::PropertyRemoved => Verdicts::new(true, true, false),
        Kind::PropertyMadeRequired => tightened,
        Kind::PropertyMadeOptional => loosened,
        Kind::EventTypeAdded => Verdicts::new(false, true, false),
        Kind::EventTypeRemoved => tightened,
        // Every use pins one value with a `const`: no payload can carry the new one.
        Kind::EnumValueAdded if !context.unpinned_use && !context.pinned_values.is_empty() => Verdicts::COMPATIBLE,
        Kind::EnumValueAdded => Verdicts::new(!context.open_enumeration, true, false),
        Kind::EnumValueRemoved
            if !context.unpinned_use
                && !context.pinned_values.is_empty()
                && !removed_values(change).any(|value| context.pinned_values.contains(value)) =>
        {
            Verdicts::COMPATIBLE
        }
        Kind::EnumValueRemoved | Kind::EnumAdded => tightened,
        // The old tolerant reading takes an event under a name it does not know for an unknown
        // event type; the strict readings refuse it.
        Kind::ConstChanged if context.event_name => Verdicts::new(false, true, true),
        Kind::EnumRemoved => loosened,
        Kind::ConstChanged | Kind::PatternChanged | Kind::FormatChanged | Kind::TypeChanged => all,
        Kind::ConstAdded => tightened,
        Kind::ConstRemoved => loosened,
        Kind::PatternTightened | Kind::FormatAdded | Kind::MinimumRaised | Kind::MaximumLowered => tightened,
        Kind::MinLengthRaised | Kind::MinItemsRaised | Kind::TypeNarrowed => tightened,
        Kind::PatternLoosened | Kind::FormatRemoved | Kind::MinimumLowered | Kind::MaximumRaised => loosened,
        Kind::MinLengthLowered | Kind::MinItemsLowered | Kind::TypeWidened => loosened,
        Kind::AdditionalPropertiesClosed => tightened,
        // The tolerant reading had opened the object already.
        Kind::AdditionalPropertiesOpened => Verdicts::new(false, true, false),
        Kind::PatternRewritten
        | Kind::AnnotationChanged
        | Kind::ExampleChanged
        | Kind::DefinitionAdded
        | Kind::DefinitionRemoved => Verdicts::COMPATIBLE,
        // What a retargeted `$ref` does depends on the two targets: the evidence decides.
        Kind::RefRetargeted
        | Kind::RefAdded
        | Kind::RefRemoved
        | Kind::OneOfBranchAdded
        | Kind::OneOfBranchRemoved
        | Kind::SchemaFileAdded
        | Kind::SchemaFileRemoved
        | Kind::SchemaReplaced => return None,
    };
    Some(if tolerant_reached { verdicts } else { Verdicts { tolerant_reader: false, ..verdicts } })
}

/// The values a change removes from an enumeration.
fn removed_values(change: &Change) -> impl Iterator<Item = &serde_json::Value> {
    change.edits.iter().filter_map(|edit| match edit {
        super::diff::Edit::Pull { value, .. } => Some(value),
        _ => None,
    })
}
