//! Emits the proptest strategies of `audian_events::testing` (feature `testing`): one for each
//! named type of `common.json` and for each event type, built from the schemas' constraints so
//! that every value they draw is valid (nothing is filtered), each shrinking towards the
//! documented example's value; what a call lifecycle shares between its events; and the rules a
//! payload can break alone.

use std::collections::BTreeMap;

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;

use crate::diagnostic::{Diagnostics, Location};
use crate::events::{EventDef, FieldDef, StrictCheck};
use crate::model::{Format, Keywords, Model};
use crate::pattern::{CharSet, Pattern};
use crate::runtime::Runtime;
use crate::shape::{Choice, Definition, FieldType, variant_name};
use crate::violations::{Breach, Rule};

/// What the strategies are made from.
pub struct Input<'a> {
    pub model: &'a Model,
    pub definitions: &'a [Definition],
    pub events: &'a [EventDef],
    pub rules: &'a [Rule],
}

pub fn strategies(input: &Input<'_>, runtime: &Runtime) -> Result<TokenStream, Diagnostics> {
    let keywords = definition_keywords(input.model);
    let examples = keywords
        .iter()
        .filter_map(|(name, keywords)| Some((name.clone(), keywords.examples.first()?.clone())))
        .collect();
    let emitter = Emitter { input, values: quote!(values), examples, keywords };
    let values_path = runtime.testing();
    emitter.check_names()?;
    let definitions = input.definitions.iter().map(|definition| emitter.definition(definition));
    let events = input.events.iter().map(|event| emitter.event(event));
    let binds = input.events.iter().map(|event| emitter.bind(event));
    let bind_event = emitter.bind_event();
    let of_type = emitter.event_of_type();
    let about_a_call = input.events.iter().filter(|event| event.call_id().is_some()).map(|event| &event.name);
    let rules = input.rules.iter().map(|rule| emitter.rule(rule));
    let values = &emitter.values;
    Ok(quote! {
        //! Strategies generated from `schema/`: a value drawn from one is valid under the
        //! schemas, and shrinks towards the documented example.

        use ::proptest::strategy::Strategy;

        use #values_path;

        #(#definitions)*
        #(#events)*
        #of_type

        /// The event types about a call: those whose `data` has a `call_id`.
        pub(crate) const ABOUT_A_CALL: &[&str] = &[#(#about_a_call),*];

        #(#binds)*
        #bind_event

        /// Each rule of the strict event schemas that a payload can break alone: the event type,
        /// where in the payload, the keyword, and what breaks it.
        pub(crate) const RULES: &[#values::Rule] = &[#(#rules),*];
    })
}

struct Emitter<'a> {
    input: &'a Input<'a>,
    /// `testing::values`: the hand-written strategies these are made of.
    values: TokenStream,
    /// The first of the `examples` of each named type.
    examples: BTreeMap<String, Value>,
    /// The keywords of each named type.
    keywords: BTreeMap<String, &'a Keywords>,
}

/// `EventId` becomes `event_id`, `call.completed` becomes `call_completed`.
fn snake_case(name: &str) -> String {
    let mut out = String::new();
    for (index, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if index > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
        } else {
            out.push('_');
        }
    }
    out
}

/// The keywords of every `$defs` entry, by name.
fn definition_keywords(model: &Model) -> BTreeMap<String, &Keywords> {
    let mut definitions = BTreeMap::new();
    for schema in model.files.values() {
        for (name, definition) in schema.keywords().map(|keywords| keywords.defs.as_slice()).unwrap_or_default() {
            if let Some(keywords) = definition.keywords() {
                definitions.insert(name.clone(), keywords);
            }
        }
    }
    definitions
}

impl Emitter<'_> {
    /// The strategy functions of types and events share one namespace; each event's strategy
    /// shrinks towards its documented example, which it needs.
    fn check_names(&self) -> Result<(), Diagnostics> {
        let mut diagnostics = Diagnostics::new();
        for event in self.input.events {
            let envelope =
                ["id", "timestamp"].map(|property| event.example.as_ref().and_then(|e| e.get(property)?.as_str()));
            if envelope.iter().any(Option::is_none) {
                diagnostics.error(
                    Location::file(&event.schema_path),
                    "the event needs a documented example with a string `id` and `timestamp`: its test-data strategy shrinks towards it",
                );
            }
        }
        let mut seen = BTreeMap::new();
        let names = self.input.definitions.iter().map(|definition| snake_case(definition.name())).chain(
            self.input
                .events
                .iter()
                .flat_map(|event| [snake_case(&event.name), format!("{}_data", snake_case(&event.name))]),
        );
        for name in names {
            if seen.insert(name.clone(), ()).is_some() {
                diagnostics.error(
                    Location::file("common.json"),
                    format!("two strategies would be named `{name}`: rename a definition or an event type"),
                );
            }
        }
        diagnostics.finish(())
    }

    fn definition(&self, definition: &Definition) -> TokenStream {
        let values = &self.values;
        let name = definition.name();
        let function = format_ident!("{}", snake_case(name));
        let ty = format_ident!("{name}");
        let (any, summary) = match definition {
            Definition::Newtype { pattern, min_length, .. } => {
                let text = self.text_spec(pattern.as_ref(), min_length.unwrap_or(0));
                (quote!(#values::text(#text).prop_map(|text| #values::valid(&text))), "any valid value")
            }
            Definition::StringEnum { values: variants, .. } => {
                let variants = variants.iter().map(|value| self.variant(name, value));
                (quote!(::proptest::sample::select(::std::vec::Vec::from([#(#variants),*]))), "each of its values")
            }
            Definition::Alias { target, .. } => (self.base(target, &self.bounds(name)), "any valid value"),
            Definition::Selector { choices, .. } => {
                let arms = choices.iter().map(|choice| match choice {
                    Choice::Constant { variant, .. } => {
                        let variant = format_ident!("{variant}");
                        quote!(::proptest::strategy::Just(crate::#ty::#variant).boxed())
                    }
                    Choice::Enumeration { variant, type_name, .. } => {
                        let (variant, inner) = (format_ident!("{variant}"), format_ident!("{}", snake_case(type_name)));
                        quote!(#inner().prop_map(crate::#ty::#variant).boxed())
                    }
                });
                (quote!(::proptest::strategy::Union::new([#(#arms),*])), "each of its choices")
            }
        };
        let example = self.examples.get(name).map(|example| self.value(&FieldType::Named(name.to_owned()), example));
        let (body, shrinks) = match example {
            Some(example) => {
                (quote!(#values::toward(#example, #any)), format!(", shrinking towards `{}`", self.examples[name]))
            }
            None => (any, String::new()),
        };
        let doc = format!(" `{name}`: {summary}{shrinks}.");
        quote! {
            #[doc = #doc]
            pub fn #function() -> impl Strategy<Value = crate::#ty> {
                #body
            }
        }
    }

    /// The hand-written description of the strings of a pattern and a minimum length.
    fn text_spec(&self, pattern: Option<&Pattern>, min_length: u64) -> TokenStream {
        let values = &self.values;
        let min_length = Literal::usize_unsuffixed(min_length as usize);
        let pattern = match pattern {
            None => quote!(::core::option::Option::None),
            Some(pattern) => {
                let (anchored_start, anchored_end) = (pattern.anchored_start, pattern.anchored_end);
                let steps = pattern_steps(pattern).into_iter().map(|step| match step {
                    PatternStep::Literal(text) => quote!(#values::Step::Literal(#text)),
                    PatternStep::Repeat(step) => {
                        let chars = match &step.set {
                            CharSet::Ranges(ranges) => {
                                let ranges = ranges.iter().map(|&(low, high)| quote!(#low..=#high));
                                quote!(#values::Chars::Ranges(&[#(#ranges),*]))
                            }
                            CharSet::AnyButLineTerminator => quote!(#values::Chars::AnyButLineTerminator),
                        };
                        let min = Literal::u32_unsuffixed(step.min);
                        let max = match step.max.map(Literal::u32_unsuffixed) {
                            Some(max) => quote!(::core::option::Option::Some(#max)),
                            None => quote!(::core::option::Option::None),
                        };
                        quote!(#values::Step::Repeat { chars: #chars, min: #min, max: #max })
                    }
                });
                quote! {
                    ::core::option::Option::Some(#values::Pattern {
                        anchored_start: #anchored_start,
                        anchored_end: #anchored_end,
                        steps: &[#(#steps),*],
                    })
                }
            }
        };
        quote!(#values::Text { pattern: #pattern, min_length: #min_length })
    }

    fn variant(&self, type_name: &str, value: &str) -> TokenStream {
        let ty = format_ident!("{type_name}");
        let variant = format_ident!("{}", variant_name(value).expect("enumeration values were named by shape"));
        quote!(crate::#ty::#variant)
    }

    /// The bounds of a named integer type, as checks.
    fn bounds(&self, name: &str) -> Vec<StrictCheck> {
        let bound = |number: &serde_json::Number| number.as_i64().map(i128::from).or(number.as_u64().map(i128::from));
        let Some(keywords) = self.keywords.get(name) else { return Vec::new() };
        let minimum = keywords.minimum.as_ref().and_then(bound).map(StrictCheck::Minimum);
        let maximum = keywords.maximum.as_ref().and_then(bound).map(StrictCheck::Maximum);
        minimum.into_iter().chain(maximum).collect()
    }

    fn definition_named(&self, name: &str) -> Option<&Definition> {
        self.input.definitions.iter().find(|definition| definition.name() == name)
    }

    /// The strategy of any valid value of a field type with its checks.
    fn base(&self, field_type: &FieldType, checks: &[StrictCheck]) -> TokenStream {
        let values = &self.values;
        let constant = checks.iter().find_map(|check| match check {
            StrictCheck::Const(value) => Some(value),
            _ => None,
        });
        if let Some(constant) = constant {
            let value = self.value(field_type, &Value::String(constant.clone()));
            return quote!(::proptest::strategy::Just(#value));
        }
        match field_type {
            FieldType::String if checks.contains(&StrictCheck::Uri) => quote!(#values::uri()),
            FieldType::String => quote!(#values::text(#values::Text::ANY)),
            FieldType::Timestamp => quote!(#values::timestamp()),
            FieldType::U64 | FieldType::I64 => {
                let (mut low, mut high) = match field_type {
                    FieldType::U64 => (0, i128::from(u64::MAX)),
                    _ => (i128::from(i64::MIN), i128::from(i64::MAX)),
                };
                for check in checks {
                    match check {
                        StrictCheck::Minimum(minimum) => low = *minimum,
                        StrictCheck::Maximum(maximum) => high = *maximum,
                        _ => {}
                    }
                }
                let (low, high) = match field_type {
                    FieldType::U64 => (bound(low, "u64", 0, u64::MAX.into()), bound(high, "u64", 0, u64::MAX.into())),
                    _ => (
                        bound(low, "i64", i64::MIN.into(), i64::MAX.into()),
                        bound(high, "i64", i64::MIN.into(), i64::MAX.into()),
                    ),
                };
                quote!(#values::integer(#low..=#high))
            }
            FieldType::Named(name) => {
                let function = format_ident!("{}", snake_case(name));
                quote!(#function())
            }
            FieldType::Vec(item) => {
                let item = self.base(item, &[]);
                let min_items = checks
                    .iter()
                    .find_map(|check| match check {
                        StrictCheck::MinItems(min) => Some(*min as usize),
                        _ => None,
                    })
                    .unwrap_or(0);
                quote!(#values::list(#item, #min_items))
            }
        }
    }

    /// A valid value of a field type, as a Rust expression: a documented example.
    fn value(&self, field_type: &FieldType, value: &Value) -> TokenStream {
        let values = &self.values;
        match (field_type, value) {
            (FieldType::String, Value::String(text)) => quote!(#text.to_owned()),
            (FieldType::Timestamp, Value::String(text)) => quote!(#values::timestamp_at(#text)),
            (FieldType::U64, Value::Number(number)) => {
                let number = Literal::u64_suffixed(number.as_u64().expect("a valid u64 example"));
                quote!(#number)
            }
            (FieldType::I64, Value::Number(number)) => {
                let number = Literal::i64_suffixed(number.as_i64().expect("a valid i64 example"));
                quote!(#number)
            }
            (FieldType::Vec(item), Value::Array(items)) => {
                let items = items.iter().map(|element| self.value(item, element));
                quote!(::std::vec::Vec::from([#(#items),*]))
            }
            (FieldType::Named(name), _) => match self.definition_named(name) {
                Some(Definition::Alias { target, .. }) => self.value(target, value),
                Some(Definition::StringEnum { .. }) => self.variant(name, value.as_str().unwrap_or_default()),
                _ => {
                    let ty = format_ident!("{name}");
                    let text = value.as_str().unwrap_or_default();
                    quote!(#values::valid::<crate::#ty>(#text))
                }
            },
            (_, other) => {
                panic!("the documented example {other} does not fit {field_type:?}: the schemas' checks let it through")
            }
        }
    }

    /// A field's strategy: any valid value, shrinking towards the documented example's.
    fn field(&self, field_type: &FieldType, checks: &[StrictCheck], example: Option<&Value>) -> TokenStream {
        let values = &self.values;
        let base = self.base(field_type, checks);
        let is_constant = checks.iter().any(|check| matches!(check, StrictCheck::Const(_)));
        match example {
            Some(example) if !is_constant => {
                let example = self.value(field_type, example);
                quote!(#values::toward(#example, #base))
            }
            _ => base,
        }
    }

    fn event(&self, event: &EventDef) -> TokenStream {
        let values = &self.values;
        let function = format_ident!("{}", snake_case(&event.name));
        let data_function = format_ident!("{}_data", snake_case(&event.name));
        let ty = format_ident!("{}", event.rust_name);
        let example = event.example.as_ref();
        let text = |property: &str| example.and_then(|example| example.get(property)?.as_str());
        let (id, timestamp) = (text("id").unwrap_or_default(), text("timestamp").unwrap_or_default());
        let data = example.and_then(|example| example.get("data"));
        let fields = event.fields.iter().map(|field| self.data_field(field, data));
        let idents: Vec<_> = event.fields.iter().map(|field| &field.ident).collect();
        let (tuple, pattern) = tuples(&idents, fields.collect());
        let doc = format!(" `{}` events, shrinking towards the documented example.", event.name);
        let data_doc = format!(" The `data` of `{}` events.", event.name);
        quote! {
            #[doc = #doc]
            pub fn #function() -> impl Strategy<Value = crate::Envelope<crate::#ty>> {
                #values::envelope(#id, #timestamp, #data_function())
            }

            #[doc = #data_doc]
            pub fn #data_function() -> impl Strategy<Value = crate::#ty> {
                #tuple.prop_map(|#pattern| crate::#ty { #(#idents),* })
            }
        }
    }

    fn data_field(&self, field: &FieldDef, data: Option<&Value>) -> TokenStream {
        let example = data.and_then(|data| data.get(&field.json_name));
        // An alias's own strategy would not know the field's checks: its representation does.
        let is_alias = matches!(&field.ty, FieldType::Named(name) if matches!(self.definition_named(name), Some(Definition::Alias { .. })));
        let field_type = if is_alias { &field.representation } else { &field.ty };
        self.field(field_type, &field.strict_checks, example)
    }

    /// The events of one type, as `Event`s.
    fn event_of_type(&self) -> TokenStream {
        let arms = self.input.events.iter().map(|event| {
            let variant = format_ident!("{}", event.rust_name);
            let function = format_ident!("{}", snake_case(&event.name));
            quote!(crate::EventType::#variant => ::core::option::Option::Some(#function().prop_map(crate::Event::#variant).boxed()))
        });
        quote! {
            /// The strategy of the events of a type; `None` for a type this version does not know.
            pub fn event_of_type(
                event_type: &crate::EventType,
            ) -> ::core::option::Option<::proptest::strategy::BoxedStrategy<crate::Event>> {
                match event_type {
                    #(#arms,)*
                    crate::EventType::Unknown(_) => ::core::option::Option::None,
                }
            }
        }
    }

    /// What an event shares with the others of its call: each field of a named string type
    /// (an identifier, a phone number) is the call's, by field name; each timestamp is the
    /// event's time.
    fn bind(&self, event: &EventDef) -> TokenStream {
        let values = &self.values;
        let ty = format_ident!("{}", event.rust_name);
        let statements: Vec<TokenStream> = event
            .fields
            .iter()
            .filter_map(|field| {
                let (ident, name) = (&field.ident, &field.json_name);
                match (&field.ty, &field.representation) {
                    (_, FieldType::Timestamp) => Some(quote!(scene.stamp(&mut self.#ident);)),
                    (FieldType::Named(type_name), _)
                        if matches!(self.definition_named(type_name), Some(Definition::Newtype { .. })) =>
                    {
                        Some(quote!(scene.share(#name, &mut self.#ident);))
                    }
                    _ => None,
                }
            })
            .collect();
        let scene = if statements.is_empty() { format_ident!("_scene") } else { format_ident!("scene") };
        quote! {
            impl #values::Bind for crate::#ty {
                fn bind(&mut self, #scene: &mut #values::Scene) {
                    #(#statements)*
                }
            }
        }
    }

    fn bind_event(&self) -> TokenStream {
        let values = &self.values;
        let variants = self.input.events.iter().map(|event| format_ident!("{}", event.rust_name));
        quote! {
            impl #values::Bind for crate::Event {
                fn bind(&mut self, scene: &mut #values::Scene) {
                    match self {
                        #(crate::Event::#variants(envelope) => envelope.bind(scene),)*
                        crate::Event::Unknown(unknown) => unknown.bind(scene),
                    }
                }
            }
        }
    }

    fn rule(&self, rule: &Rule) -> TokenStream {
        let values = &self.values;
        let Rule { event, pointer, keyword, breach } = rule;
        let strings = |items: &[String]| quote!(&[#(#items),*]);
        let breach = match breach {
            Breach::Type(types) => {
                let types = types.iter().map(|json_type| {
                    let variant = format_ident!("{}", variant_name(json_type.name()).expect("JSON types have names"));
                    quote!(#values::JsonType::#variant)
                });
                quote!(Type(&[#(#types),*]))
            }
            Breach::Required(name) => quote!(Required(#name)),
            Breach::AdditionalProperties => quote!(AdditionalProperties),
            Breach::Value { allowed, others } => {
                let (allowed, others) = (strings(allowed), strings(others));
                quote!(Value { allowed: #allowed, others: #others })
            }
            Breach::Pattern { refused, anchored_start, min_length } => {
                let min_length = Literal::usize_unsuffixed(*min_length as usize);
                quote!(Pattern { refused: #refused, anchored_start: #anchored_start, min_length: #min_length })
            }
            Breach::MinLength(short) => quote!(MinLength(#short)),
            Breach::Format(Format::DateTime) => quote!(DateTime),
            Breach::Format(Format::Uri) => quote!(Uri),
            Breach::Minimum(bound) => {
                let bound = Literal::i128_unsuffixed(*bound);
                quote!(Minimum(#bound))
            }
            Breach::Maximum(bound) => {
                let bound = Literal::i128_unsuffixed(*bound);
                quote!(Maximum(#bound))
            }
            Breach::MinItems(min) => {
                let min = Literal::usize_unsuffixed(*min as usize);
                quote!(MinItems(#min))
            }
            Breach::OneOf => quote!(OneOf),
        };
        quote!(#values::Rule { event: #event, pointer: #pointer, keyword: #keyword, breach: #values::Breach::#breach })
    }
}

/// A bound of an integer type, by its name where it is the type's own (`u64::MAX`).
fn bound(value: i128, ty: &str, min: i128, max: i128) -> TokenStream {
    let ty = format_ident!("{ty}");
    if value == max {
        quote!(#ty::MAX)
    } else if value == min && min != 0 {
        quote!(#ty::MIN)
    } else {
        let literal = Literal::i128_unsuffixed(value);
        quote!(#literal)
    }
}

/// One step of a pattern as the strategies see it: runs of single characters are one literal.
enum PatternStep<'a> {
    Literal(String),
    Repeat(&'a crate::pattern::Step),
}

fn pattern_steps(pattern: &Pattern) -> Vec<PatternStep<'_>> {
    let mut steps = Vec::new();
    for step in &pattern.steps {
        let single = match &step.set {
            CharSet::Ranges(ranges) if step.min == 1 && step.max == Some(1) => match ranges.as_slice() {
                [(low, high)] if low == high => Some(*low),
                _ => None,
            },
            _ => None,
        };
        match (single, steps.last_mut()) {
            (Some(c), Some(PatternStep::Literal(text))) => text.push(c),
            (Some(c), _) => steps.push(PatternStep::Literal(c.to_string())),
            (None, _) => steps.push(PatternStep::Repeat(step)),
        }
    }
    steps
}

/// The tuple of field strategies, nested by twelves (the largest tuple that is a strategy), and
/// the pattern that takes it apart.
fn tuples(idents: &[&proc_macro2::Ident], strategies: Vec<TokenStream>) -> (TokenStream, TokenStream) {
    if strategies.len() <= 12 {
        return (quote!((#(#strategies,)*)), quote!((#(#idents,)*)));
    }
    let (tuple, pattern): (Vec<_>, Vec<_>) = idents
        .chunks(12)
        .zip(strategies.chunks(12))
        .map(|(idents, strategies)| tuples(idents, strategies.to_vec()))
        .unzip();
    (quote!((#(#tuple,)*)), quote!((#(#pattern,)*)))
}
