//! The rules of each event's strict schema that a payload can break alone, read from the typed
//! model: where in the payload each rule applies, which keyword it is, and what breaks it and
//! nothing else. `audian_events::testing::invalid_payload` breaks them one at a time.

use crate::catalog::EventCatalog;
use crate::diagnostic::{Diagnostics, pointer_push};
use crate::model::{Format, JsonType, Keywords, Model, Schema};
use crate::pattern::{CharSet, Pattern};

/// The property of the union's members that tells the event types apart: changing it breaks the
/// union's `oneOf`, not a `const` of one member.
const DISCRIMINATOR: &str = "event";

/// One rule of an event's schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// Such as `call.completed`.
    pub event: String,
    /// The JSON Pointer, in the payload, of the value that breaks it (the object, for `required`
    /// and `additionalProperties`; the first item, for the rules of `items`).
    pub pointer: String,
    pub keyword: &'static str,
    pub breach: Breach,
}

/// What breaks a rule, and only it.
#[derive(Debug, Clone, PartialEq)]
pub enum Breach {
    /// A value of none of these types.
    Type(Vec<JsonType>),
    /// The property is removed.
    Required(String),
    /// A property the schema does not name is added.
    AdditionalProperties,
    /// A string not in `allowed`: one of `others` where there are some, as another value of
    /// the enumeration beside a `const` (which breaks the `const` and not the enumeration).
    Value { allowed: Vec<String>, others: Vec<String> },
    /// The string's first character (every character, when the pattern is not anchored at the
    /// start) becomes `refused`, which cannot start a match; at least `min_length` characters.
    Pattern { refused: char, anchored_start: bool, min_length: u64 },
    /// This string, which matches the pattern but is one character too short.
    MinLength(String),
    /// A string that is not of the format.
    Format(Format),
    /// The bound minus one.
    Minimum(i128),
    /// The bound plus one.
    Maximum(i128),
    /// The array cut to one item fewer than this.
    MinItems(u64),
    /// The discriminator set to an event type that is not in the union.
    OneOf,
}

/// Every rule of every event of the catalog, in the order of the union and of the schemas.
pub fn rules(model: &Model, catalog: &EventCatalog) -> Result<Vec<Rule>, Diagnostics> {
    let mut diagnostics = Diagnostics::new();
    let mut rules = Vec::new();
    for entry in &catalog.entries {
        let mut walk = Walk { model, event: &entry.name, rules: &mut rules, diagnostics: &mut diagnostics };
        walk.schema(&model.files[&entry.schema_path], "");
    }
    diagnostics.finish(rules)
}

struct Walk<'a> {
    model: &'a Model,
    event: &'a str,
    rules: &'a mut Vec<Rule>,
    diagnostics: &'a mut Diagnostics,
}

impl Walk<'_> {
    fn push(&mut self, pointer: &str, keyword: &'static str, breach: Breach) {
        self.rules.push(Rule { event: self.event.to_owned(), pointer: pointer.to_owned(), keyword, breach });
    }

    /// The rules of the value at `pointer`: those of the schema and of the schemas its `$ref`s
    /// lead to, which apply to the same value.
    fn schema(&mut self, schema: &Schema, pointer: &str) {
        let mut chain: Vec<&Keywords> = Vec::new();
        let mut current = Some(schema);
        while let Some(schema) = current {
            let Some(keywords) = schema.keywords() else {
                self.diagnostics.error(schema.location.clone(), "a boolean schema has no rule to break");
                return;
            };
            chain.push(keywords);
            current = keywords.reference.as_ref().and_then(|reference| self.model.resolve(reference));
        }
        if let Some(types) = chain.iter().find_map(|keywords| keywords.types.as_ref()) {
            self.push(pointer, "type", Breach::Type(types.clone()));
        }
        self.values(schema, &chain, pointer);
        let pattern = chain.iter().find_map(|keywords| keywords.pattern.as_ref());
        let min_length = chain.iter().find_map(|keywords| keywords.min_length);
        if let Some(pattern) = pattern {
            match pattern_breach(pattern, min_length.unwrap_or(0)) {
                Some(breach) => self.push(pointer, "pattern", breach),
                None => self.diagnostics.error(
                    schema.location.clone(),
                    format!("the pattern {:?} matches an empty string: no string breaks it", pattern.source),
                ),
            }
        }
        if let Some(min_length) = min_length.filter(|&length| length > 0)
            && let Some(short) = too_short(pattern, min_length)
        {
            self.push(pointer, "minLength", Breach::MinLength(short));
        }
        if let Some(format) = chain.iter().find_map(|keywords| keywords.format) {
            self.push(pointer, "format", Breach::Format(format));
        }
        let bound = |number: &serde_json::Number| number.as_i64().map(i128::from).or(number.as_u64().map(i128::from));
        if let Some(minimum) = chain.iter().find_map(|keywords| keywords.minimum.as_ref()).and_then(bound) {
            self.push(pointer, "minimum", Breach::Minimum(minimum));
        }
        if let Some(maximum) = chain.iter().find_map(|keywords| keywords.maximum.as_ref()).and_then(bound) {
            self.push(pointer, "maximum", Breach::Maximum(maximum));
        }
        if let Some(min_items) = chain.iter().find_map(|keywords| keywords.min_items).filter(|&items| items > 0) {
            self.push(pointer, "minItems", Breach::MinItems(min_items));
        }
        for keywords in &chain {
            self.object(keywords, pointer);
            if let Some(items) = &keywords.items {
                self.schema(items, &pointer_push(pointer, "0"));
            }
            if !keywords.one_of.is_empty() {
                self.diagnostics.error(schema.location.clone(), "a `oneOf` inside an event has no rule to break");
            }
        }
    }

    /// `const` and `enum`: a `const` beside an enumeration is broken by another of its values.
    fn values(&mut self, schema: &Schema, chain: &[&Keywords], pointer: &str) {
        let strings = |values: &[serde_json::Value]| -> Option<Vec<String>> {
            values.iter().map(|value| value.as_str().map(str::to_owned)).collect()
        };
        let constant = chain.iter().find_map(|keywords| keywords.constant.as_ref());
        let enumeration = chain.iter().find_map(|keywords| keywords.enumeration.as_deref());
        let (constant, enumeration) =
            match (constant.map(|c| strings(std::slice::from_ref(c))), enumeration.map(strings)) {
                (Some(None), _) | (_, Some(None)) => {
                    self.diagnostics.error(schema.location.clone(), "only string `const`s and `enum`s can be broken");
                    return;
                }
                (constant, enumeration) => (constant.flatten(), enumeration.flatten()),
            };
        match (constant, enumeration) {
            (Some(allowed), enumeration) => {
                let others = enumeration.unwrap_or_default().into_iter().filter(|value| !allowed.contains(value));
                self.push(pointer, "const", Breach::Value { others: others.collect(), allowed });
            }
            (None, Some(allowed)) => self.push(pointer, "enum", Breach::Value { allowed, others: Vec::new() }),
            (None, None) => {}
        }
    }

    fn object(&mut self, keywords: &Keywords, pointer: &str) {
        for name in &keywords.required {
            self.push(pointer, "required", Breach::Required(name.clone()));
        }
        if let Some(additional) = &keywords.additional_properties {
            match additional.body {
                crate::model::Body::Bool(false) => {
                    self.push(pointer, "additionalProperties", Breach::AdditionalProperties)
                }
                _ => self
                    .diagnostics
                    .error(additional.location.clone(), "only `additionalProperties: false` has a rule to break"),
            }
        }
        for (name, property) in &keywords.properties {
            if pointer.is_empty() && name == DISCRIMINATOR {
                self.push(&pointer_push(pointer, name), "oneOf", Breach::OneOf);
                continue;
            }
            self.schema(property, &pointer_push(pointer, name));
        }
    }
}

/// A character that cannot start a match of the pattern, if its first step must match one.
fn pattern_breach(pattern: &Pattern, min_length: u64) -> Option<Breach> {
    let first = pattern.steps.first().filter(|step| step.min > 0)?;
    let refused = ['x', '#', '0', 'A', '~'].into_iter().find(|&c| !first.set.contains(c))?;
    Some(Breach::Pattern { refused, anchored_start: pattern.anchored_start, min_length })
}

/// A string of `min_length - 1` characters that the pattern (if any) matches, if there is one
/// the shortest match gives.
fn too_short(pattern: Option<&Pattern>, min_length: u64) -> Option<String> {
    let length = usize::try_from(min_length - 1).ok()?;
    let Some(pattern) = pattern else { return Some("a".repeat(length)) };
    let mut shortest = String::new();
    for step in &pattern.steps {
        let c = match &step.set {
            CharSet::Ranges(ranges) => ranges.first()?.0,
            CharSet::AnyButLineTerminator => 'a',
        };
        shortest.extend(std::iter::repeat_n(c, step.min as usize));
    }
    let missing = length.checked_sub(shortest.chars().count())?;
    // Characters outside the match are free where the pattern is not anchored.
    if !pattern.anchored_end {
        shortest.extend(std::iter::repeat_n('a', missing));
    } else if !pattern.anchored_start {
        shortest.insert_str(0, &"a".repeat(missing));
    } else if missing > 0 {
        return None;
    }
    Some(shortest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefix_pattern_is_broken_by_its_first_character() {
        let pattern = Pattern::parse("^evt_").unwrap();
        assert_eq!(
            pattern_breach(&pattern, 5),
            Some(Breach::Pattern { refused: 'x', anchored_start: true, min_length: 5 })
        );
        assert_eq!(too_short(Some(&pattern), 5).as_deref(), Some("evt_"));
        assert_eq!(too_short(Some(&pattern), 7).as_deref(), Some("evt_aa"));
        assert_eq!(too_short(Some(&pattern), 4), None, "no match is shorter than the prefix");
        assert_eq!(too_short(None, 1).as_deref(), Some(""));
    }

    #[test]
    fn a_pattern_that_matches_nothing_at_its_start_cannot_be_broken_by_it() {
        assert_eq!(pattern_breach(&Pattern::parse("^x*").unwrap(), 0), None);
        let e164 = Pattern::parse("^\\+[1-9][0-9]{1,14}$").unwrap();
        assert_eq!(
            pattern_breach(&e164, 0),
            Some(Breach::Pattern { refused: 'x', anchored_start: true, min_length: 0 })
        );
        assert_eq!(too_short(Some(&e164), 3), None, "anchored at both ends, the shortest match is +10");
    }
}
