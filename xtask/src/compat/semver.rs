//! The smallest version bump of `audian-events` a change needs. Semver is about the users who
//! upgrade the crate: what they parse (`old_payloads`) and the generated Rust API they compile
//! against. The other two audiences say what deployed receivers and validators see once Audian
//! ships the change, that is how urgently users must upgrade, not which number the crate takes.

use std::fmt;

use super::diff::{Change, Kind};
use super::rules::Verdicts;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Bump {
    None,
    Patch,
    Minor,
    Major,
}

impl Bump {
    pub fn name(self) -> &'static str {
        match self {
            Bump::None => "none",
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        }
    }

    pub fn from_name(name: &str) -> Option<Bump> {
        [Bump::None, Bump::Patch, Bump::Minor, Bump::Major].into_iter().find(|bump| bump.name() == name)
    }
}

impl fmt::Display for Bump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a change breaks the generated Rust API, if it does: the data structs are plain `pub`
/// structs that users can construct, so a field added breaks them as a field removed does; the
/// enumerations and `Event` are `#[non_exhaustive]`, so a variant added does not.
pub fn api_break(change: &Change) -> Option<&'static str> {
    Some(match change.kind {
        Kind::PropertyAdded | Kind::RequiredPropertyAdded => "a field added to a struct users can construct",
        Kind::PropertyRemoved => "a field removed",
        Kind::PropertyMadeRequired | Kind::PropertyMadeOptional => "a field retyped (`Option` or not)",
        Kind::TypeWidened | Kind::TypeNarrowed | Kind::TypeChanged => "a field retyped",
        Kind::FormatAdded | Kind::FormatRemoved | Kind::FormatChanged if change.context.retyped => {
            "a field retyped (a date-time is a timestamp, not a string)"
        }
        Kind::RefRetargeted | Kind::RefAdded | Kind::RefRemoved => "a field retyped (its type is named by the `$ref`)",
        Kind::EnumAdded | Kind::EnumRemoved => "a field retyped (an enumeration is a Rust enum)",
        Kind::EnumValueRemoved => "an enum variant removed",
        Kind::EventTypeRemoved => "an event type and its variant removed",
        Kind::DefinitionRemoved | Kind::SchemaFileRemoved => "a type removed",
        Kind::OneOfBranchAdded | Kind::OneOfBranchRemoved | Kind::SchemaReplaced => "a type reshaped",
        Kind::MinimumRaised | Kind::MinimumLowered | Kind::MaximumRaised | Kind::MaximumLowered
            if change.context.retyped =>
        {
            "an integer field retyped (u64 and i64)"
        }
        _ => return None,
    })
}

/// The bump of one change, given its evidence: `api`, the bump of the generated Rust API
/// compared (see [`super::api`]), or `None` when the generator refuses a version, and then the
/// rule of the change's kind ([`api_break`]) says.
pub fn bump(change: &Change, evidence: Verdicts, api: Option<Bump>) -> Bump {
    let api = api.unwrap_or(if api_break(change).is_some() { Bump::Major } else { Bump::None });
    let least = if matches!(change.kind, Kind::AnnotationChanged | Kind::ExampleChanged | Kind::PatternRewritten) {
        Bump::Patch
    } else {
        Bump::Minor
    };
    if evidence.old_payloads { Bump::Major } else { api.max(least) }
}

/// `(major, minor, patch)` of a version such as `0.1.0`.
pub fn parse_version(version: &str) -> Option<(u64, u64, u64)> {
    let core = version.split(['-', '+']).next()?;
    let mut parts = core.split('.').map(|part| part.parse::<u64>().ok());
    Some((parts.next()??, parts.next()??, parts.next()??))
}

/// The bump from `base` to `current`, in Cargo's reading of semver: below 1.0.0 the minor
/// number is the major one (`0.1.0` to `0.2.0` is breaking) and the patch number the minor one.
pub fn bump_between(base: (u64, u64, u64), current: (u64, u64, u64)) -> Bump {
    if current <= base {
        return Bump::None;
    }
    let (major, minor, patch) = (current.0 > base.0, current.0 == base.0 && current.1 > base.1, current.2 > base.2);
    if base.0 == 0 {
        if major || minor {
            Bump::Major
        } else if patch {
            Bump::Minor
        } else {
            Bump::None
        }
    } else if major {
        Bump::Major
    } else if minor {
        Bump::Minor
    } else {
        Bump::Patch
    }
}
