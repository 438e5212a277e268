//! Payloads built to fit a schema set, over the codegen's typed [`Model`] (so that it works on
//! any version of the schemas, not only the one the crate was generated from): constructed, not
//! filtered. Objects get their required properties, some optional ones and, where the object is
//! open, unknown ones named from a vocabulary (the property names of both versions compared, so
//! that a name one version gives a meaning can be met by the other); enumerations and constants
//! give their values; strings follow the pattern's steps ([`codegen::pattern::Pattern`]) and
//! `minLength`; integers fall at and near their bounds. Deterministic: a seeded splitmix64.

use codegen::model::{Body, Format, JsonType, Keywords, Model, Schema};
use codegen::pattern::{CharSet, Pattern};
use serde_json::{Map, Number, Value};

/// splitmix64: small, seeded, and the same on every machine.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    pub fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// How far payloads nest before the generator stops adding optional and unknown parts.
const MAX_DEPTH: usize = 12;

/// Characters drawn for free text: ASCII letters and digits, punctuation that means something
/// elsewhere in the schemas (`+`, `_`, `.`, `:`), a space and a non-ASCII letter.
const FREE_TEXT: &[char] = &[
    'a', 'b', 'z', 'A', 'Q', '0', '1', '5', '9', '+', '_', '.', ':', '-', ' ', 'é', 'x', 'c', 'l', 'r', 'e', 'v', 't',
    'w', 'h', 'm', 'n', 'u',
];

/// Builds payloads that fit the schemas of one [`Model`].
pub struct Generator<'a> {
    model: &'a Model,
    vocabulary: &'a [String],
    pub rng: Rng,
    /// The first payload of a run has the required properties alone: the smallest counterexample.
    minimal: bool,
}

impl<'a> Generator<'a> {
    pub fn new(model: &'a Model, vocabulary: &'a [String], seed: u64) -> Generator<'a> {
        Generator { model, vocabulary, rng: Rng::new(seed), minimal: false }
    }

    /// A payload for the schema `root` of the file `file`; `minimal` leaves out every optional
    /// and unknown property.
    pub fn payload(&mut self, file: &str, minimal: bool) -> Option<Value> {
        self.minimal = minimal;
        let schema = self.model.files.get(file)?;
        Some(self.value(schema, 0))
    }

    fn value(&mut self, schema: &Schema, depth: usize) -> Value {
        // A schema that requires itself has no finite payload: give up there, and let the
        // reference validator refuse the payload.
        if depth > 4 * MAX_DEPTH {
            return Value::Null;
        }
        match &schema.body {
            Body::Bool(_) => self.any(depth),
            Body::Keywords(keywords) => {
                let merged = self.merged(keywords, 0);
                self.of_keywords(&merged, depth)
            }
        }
    }

    /// The keywords of a schema with those of its `$ref` target under them: a `$ref` beside other
    /// keywords means both apply, and in this subset a sibling only narrows or annotates.
    fn merged(&self, keywords: &Keywords, hops: usize) -> Keywords {
        let Some(reference) = &keywords.reference else { return keywords.clone() };
        let target = match self.model.resolve(reference).and_then(Schema::keywords) {
            Some(target) if hops < 16 => self.merged(target, hops + 1),
            _ => return keywords.clone(),
        };
        let own = keywords.clone();
        Keywords {
            reference: None,
            types: own.types.or(target.types),
            enumeration: own.enumeration.or(target.enumeration),
            constant: own.constant.or(target.constant),
            pattern: own.pattern.or(target.pattern),
            format: own.format.or(target.format),
            min_length: own.min_length.max(target.min_length),
            minimum: own.minimum.or(target.minimum),
            maximum: own.maximum.or(target.maximum),
            properties: if own.properties.is_empty() { target.properties } else { own.properties },
            required: if own.required.is_empty() { target.required } else { own.required },
            additional_properties: own.additional_properties.or(target.additional_properties),
            items: own.items.or(target.items),
            min_items: own.min_items.or(target.min_items),
            one_of: if own.one_of.is_empty() { target.one_of } else { own.one_of },
            examples: if own.examples.is_empty() { target.examples } else { own.examples },
            ..own
        }
    }

    fn of_keywords(&mut self, keywords: &Keywords, depth: usize) -> Value {
        if let Some(constant) = &keywords.constant {
            return constant.clone();
        }
        if let Some(values) = keywords.enumeration.as_ref().filter(|values| !values.is_empty()) {
            return self.rng.pick(values).clone();
        }
        if !keywords.one_of.is_empty() {
            let branch = self.rng.below(keywords.one_of.len());
            return self.value(&keywords.one_of[branch].clone(), depth);
        }
        let json_type = match &keywords.types {
            Some(types) if !types.is_empty() => *self.rng.pick(types),
            _ => implied_type(keywords),
        };
        match json_type {
            JsonType::Null => Value::Null,
            JsonType::Boolean => Value::Bool(self.rng.chance(2)),
            JsonType::Object => self.object(keywords, depth),
            JsonType::Array => self.array(keywords, depth),
            JsonType::Integer => self.integer(keywords),
            JsonType::Number => self.number(keywords),
            JsonType::String => Value::String(self.string(keywords)),
        }
    }

    fn object(&mut self, keywords: &Keywords, depth: usize) -> Value {
        let mut object = Map::new();
        for (name, schema) in &keywords.properties {
            let required = keywords.required.contains(name);
            if required || (!self.minimal && depth < MAX_DEPTH && self.rng.chance(2)) {
                object.insert(name.clone(), self.value(schema, depth + 1));
            }
        }
        for name in &keywords.required {
            if !object.contains_key(name) {
                let value = self.any(depth + 1);
                object.insert(name.clone(), value);
            }
        }
        let open = match &keywords.additional_properties {
            None => Some(None),
            Some(schema) => match &schema.body {
                Body::Bool(false) => None,
                Body::Bool(true) => Some(None),
                Body::Keywords(_) => Some(Some(schema.clone())),
            },
        };
        if let Some(schema) = open
            && !self.minimal
            && depth < MAX_DEPTH
            && self.rng.chance(2)
        {
            for _ in 0..1 + self.rng.below(2) {
                let name = if !self.vocabulary.is_empty() && self.rng.chance(2) {
                    self.rng.pick(self.vocabulary).clone()
                } else {
                    format!("x_unknown_{}", self.rng.below(100))
                };
                if keywords.properties.iter().any(|(known, _)| *known == name) || object.contains_key(&name) {
                    continue;
                }
                let value = match &schema {
                    Some(schema) => self.value(schema, depth + 1),
                    None => self.any(depth + 1),
                };
                object.insert(name, value);
            }
        }
        Value::Object(object)
    }

    fn array(&mut self, keywords: &Keywords, depth: usize) -> Value {
        let min = keywords.min_items.unwrap_or(0) as usize;
        let extra = if self.minimal || depth >= MAX_DEPTH { 0 } else { self.rng.below(3) };
        let items = keywords.items.clone();
        let values = (0..min.max(usize::from(!self.minimal && min == 0 && self.rng.chance(2))) + extra)
            .map(|_| match &items {
                Some(schema) => self.value(schema, depth + 1),
                None => self.any(depth + 1),
            })
            .collect();
        Value::Array(values)
    }

    fn integer(&mut self, keywords: &Keywords) -> Value {
        let low = keywords.minimum.as_ref().and_then(as_i128);
        let high = keywords.maximum.as_ref().and_then(as_i128);
        let (low_or, high_or) = (low.unwrap_or(-1_000_000), high.unwrap_or(1_000_000));
        let (low_or, high_or) = if low_or > high_or { (low_or, low_or) } else { (low_or, high_or) };
        let span = high_or.saturating_sub(low_or);
        let candidates = [
            low_or,
            low_or.saturating_add(1).min(high_or),
            high_or,
            high_or.saturating_sub(1).max(low_or),
            0.clamp(low_or, high_or),
            1.clamp(low_or, high_or),
            -1.clamp(low_or, high_or),
            low_or + (u128::from(self.rng.next_u64()) % (span as u128 + 1).max(1)) as i128,
            (low_or + (self.rng.below(1000) as i128)).min(high_or),
        ];
        let value = *self.rng.pick(&candidates);
        // As everywhere in JSON Schema, `305.0` is an integer: now and then it is written so.
        if self.rng.chance(16) && value.unsigned_abs() < (1 << 52) {
            return Number::from_f64(value as f64).map_or(Value::Null, Value::Number);
        }
        number_of(value)
    }

    fn number(&mut self, keywords: &Keywords) -> Value {
        let low = keywords.minimum.as_ref().and_then(Number::as_f64);
        let high = keywords.maximum.as_ref().and_then(Number::as_f64);
        let (low_or, high_or) = (low.unwrap_or(-1e6), high.unwrap_or(1e6));
        let fraction = (self.rng.below(1000) as f64) / 1000.0;
        let candidates = [low_or, high_or, low_or + (high_or - low_or) * fraction, 0.5f64.clamp(low_or, high_or)];
        let value = *self.rng.pick(&candidates);
        Number::from_f64(value).map_or(Value::Null, Value::Number)
    }

    /// A string that fits the string keywords of `keywords`.
    pub fn string_of(&mut self, keywords: &Keywords) -> String {
        self.string(keywords)
    }

    fn string(&mut self, keywords: &Keywords) -> String {
        let min_length = keywords.min_length.unwrap_or(0) as usize;
        let mut best = String::new();
        for attempt in 0..24 {
            let candidate = if !keywords.examples.is_empty() && attempt == 0 && self.rng.chance(3) {
                keywords.examples[self.rng.below(keywords.examples.len())].as_str().unwrap_or("").to_owned()
            } else {
                match keywords.format {
                    Some(Format::DateTime) => self.date_time(),
                    Some(Format::Uri) => self.uri(),
                    None => match &keywords.pattern {
                        Some(pattern) => self.of_pattern(pattern, min_length, attempt),
                        None => self.free_text(min_length),
                    },
                }
            };
            let fits = candidate.chars().count() >= min_length
                && keywords.pattern.as_ref().is_none_or(|pattern| pattern.is_match(&candidate));
            if fits {
                return candidate;
            }
            best = candidate;
        }
        best
    }

    fn free_text(&mut self, min_length: usize) -> String {
        let length = min_length + if self.rng.chance(3) { 0 } else { self.rng.below(12) };
        (0..length).map(|_| *self.rng.pick(FREE_TEXT)).collect()
    }

    /// A string that the pattern's steps accept: each atom repeated between its bounds (longer
    /// on later attempts, to reach a `minLength`), free text around an unanchored side.
    fn of_pattern(&mut self, pattern: &Pattern, min_length: usize, attempt: usize) -> String {
        let mut text = String::new();
        if !pattern.anchored_start && self.rng.chance(3) {
            text.push_str(&self.free_text(0));
            // Free text must not be taken for the pattern's start when the pattern is anchored
            // later; unanchored, any prefix keeps the match.
        }
        let stretch = attempt / 4;
        for step in &pattern.steps {
            let spare = match step.max {
                Some(max) => (max - step.min) as usize,
                None => 3 + stretch * 4 + min_length,
            };
            let count = step.min as usize + if spare == 0 { 0 } else { self.rng.below(spare + 1) };
            for _ in 0..count {
                text.push(self.of_set(&step.set));
            }
        }
        if !pattern.anchored_end && (self.rng.chance(3) || text.chars().count() < min_length) {
            let missing = min_length.saturating_sub(text.chars().count());
            text.push_str(&self.free_text(missing));
        }
        text
    }

    fn of_set(&mut self, set: &CharSet) -> char {
        match set {
            CharSet::Ranges(ranges) => {
                let &(low, high) = self.rng.pick(ranges);
                let span = high as u32 - low as u32;
                let offset = if span == 0 { 0 } else { self.rng.below(span as usize + 1) as u32 };
                char::from_u32(low as u32 + offset).unwrap_or(low)
            }
            CharSet::AnyButLineTerminator => *self.rng.pick(FREE_TEXT),
        }
    }

    fn date_time(&mut self) -> String {
        let year = 1970 + self.rng.below(80);
        let (month, day) = (1 + self.rng.below(12), 1 + self.rng.below(28));
        let (hour, minute, second) = (self.rng.below(24), self.rng.below(60), self.rng.below(60));
        let fraction = match self.rng.below(3) {
            0 => String::new(),
            1 => format!(".{}", self.rng.below(10)),
            _ => format!(".{:06}", self.rng.below(1_000_000)),
        };
        let offset = match self.rng.below(3) {
            0 => "Z".to_owned(),
            1 => "+02:00".to_owned(),
            _ => "-05:30".to_owned(),
        };
        format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}{fraction}{offset}")
    }

    fn uri(&mut self) -> String {
        let hosts = ["https://example.com", "http://audian.test:8080", "https://recordings.audian.com"];
        let host = self.rng.pick(&hosts);
        format!("{host}/r/{}?v={}", self.rng.below(10_000), self.rng.below(10))
    }

    /// Any JSON value, for what a schema leaves unconstrained: mostly scalars of every type.
    pub fn any(&mut self, depth: usize) -> Value {
        match self.rng.below(if depth >= MAX_DEPTH { 5 } else { 7 }) {
            0 => Value::Null,
            1 => Value::Bool(self.rng.chance(2)),
            2 => number_of(self.rng.below(2000) as i128 - 1000),
            3 => Value::String(self.free_text(0)),
            4 => Number::from_f64(self.rng.below(1000) as f64 / 8.0).map_or(Value::Null, Value::Number),
            5 => Value::Array(vec![Value::String(self.free_text(1))]),
            _ => {
                let mut object = Map::new();
                object.insert("k".to_owned(), Value::from(self.rng.below(10)));
                Value::Object(object)
            }
        }
    }
}

/// The type a schema without `type` implies by its keywords; a string when nothing tells.
fn implied_type(keywords: &Keywords) -> JsonType {
    if !keywords.properties.is_empty() || !keywords.required.is_empty() || keywords.additional_properties.is_some() {
        JsonType::Object
    } else if keywords.items.is_some() || keywords.min_items.is_some() {
        JsonType::Array
    } else if keywords.minimum.is_some() || keywords.maximum.is_some() {
        JsonType::Integer
    } else {
        JsonType::String
    }
}

fn as_i128(number: &Number) -> Option<i128> {
    number
        .as_i64()
        .map(i128::from)
        .or(number.as_u64().map(i128::from))
        .or(number.as_f64().map(|float| float.ceil() as i128))
}

fn number_of(value: i128) -> Value {
    if let Ok(value) = i64::try_from(value) {
        Value::from(value)
    } else if let Ok(value) = u64::try_from(value) {
        Value::from(value)
    } else {
        Value::Null
    }
}
