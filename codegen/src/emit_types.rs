//! Emits the Rust types of `audian-events` from the shapes decided in [`crate::shape`], calling
//! the runtime by the paths of a [`Runtime`].

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::events::{EventDef, FieldDef, StrictCheck};
use crate::runtime::Runtime;
use crate::shape::{Definition, FieldType};

/// `#[doc]` attributes for a text, one per line, each with the leading space rustdoc expects.
pub fn doc(text: &str) -> TokenStream {
    let lines = text.lines().map(|line| if line.is_empty() { String::new() } else { format!(" {line}") });
    quote!(#(#[doc = #lines])*)
}

/// The type of a field as Rust tokens, with absolute paths.
pub fn rust_type(field_type: &FieldType) -> TokenStream {
    match field_type {
        FieldType::String => quote!(::std::string::String),
        FieldType::Timestamp => quote!(::chrono::DateTime<::chrono::FixedOffset>),
        FieldType::U64 => quote!(u64),
        FieldType::I64 => quote!(i64),
        FieldType::Named(name) => {
            let ident = format_ident!("{name}");
            quote!(crate::#ident)
        }
        FieldType::Vec(item) => {
            let item = rust_type(item);
            quote!(::std::vec::Vec<#item>)
        }
    }
}

/// The shared types of `common.json`.
pub fn definitions(definitions: &[Definition], runtime: &Runtime) -> TokenStream {
    let items = definitions.iter().map(|definition| match definition {
        Definition::Newtype { name, doc, pattern, min_length } => {
            newtype(name, doc, pattern.as_ref(), *min_length, runtime)
        }
        Definition::StringEnum { name, doc, values } => string_enum(name, doc, values, runtime),
        Definition::Selector { name, doc, choices } => selector(name, doc, choices, runtime),
        Definition::Alias { name, doc: doc_text, target } => {
            let ident = format_ident!("{name}");
            let target = rust_type(target);
            let doc_attrs = doc(doc_text);
            quote! {
                #doc_attrs
                pub type #ident = #target;
            }
        }
    });
    quote!(#(#items)*)
}

fn newtype(
    name: &str,
    doc_text: &str,
    pattern: Option<&crate::pattern::Pattern>,
    min_length: Option<u64>,
    runtime: &Runtime,
) -> TokenStream {
    let ident = format_ident!("{name}");
    let (validation, de, invalid_value) = (runtime.validation(), runtime.de(), runtime.item("InvalidValue"));
    let text = quote!(value);
    let mut checks = Vec::new();
    let mut expectations = Vec::new();
    if let Some(min_length) = min_length {
        let min_length = proc_macro2::Literal::usize_unsuffixed(usize::try_from(min_length).unwrap_or(usize::MAX));
        checks.push(quote!(#validation::has_at_least_chars(#text, #min_length)));
        expectations.push(format!("at least {min_length} characters"));
    }
    let matches_pattern = format_ident!("matches_pattern");
    let pattern_functions = pattern.and_then(|pattern| pattern.functions(&matches_pattern, &quote!(Self::)));
    if let Some(pattern) = pattern {
        checks.push(pattern.test(&text, &quote!(Self::#matches_pattern)));
        expectations.push(format!("matching the pattern `{}`", pattern.source));
    }
    let expected = format!("{} ({})", doc_text.lines().next().unwrap_or(name).to_lowercase(), expectations.join(", "));
    let checks = if checks.is_empty() { quote!(true) } else { quote!(#(#checks)&&*) };
    let doc_is_valid = format!("Whether `value` is {expected}.");
    let doc_attrs = doc(&format!(
        "{doc_text}\n\nDeserialization keeps any string, so that no payload Audian sends is lost; \
         [`FromStr`](::core::str::FromStr) and [`TryFrom`] check it."
    ));
    let doc_is_valid_attrs = doc(&doc_is_valid);
    quote! {
        #doc_attrs
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, ::serde::Serialize, ::serde::Deserialize)]
        #[cfg_attr(feature = "schemars", derive(::schemars::JsonSchema))]
        #[serde(transparent)]
        // Inline up to 23 bytes: parsing an event allocates nothing for its ids.
        pub struct #ident(#[cfg_attr(feature = "schemars", schemars(with = "::std::string::String"))] ::smol_str::SmolStr);

        impl #ident {
            #doc_is_valid_attrs
            pub fn is_valid(#text: &str) -> bool {
                #checks
            }

            #pattern_functions

            /// The value as a string slice.
            pub fn as_str(&self) -> &str {
                self.0.as_str()
            }

            /// The value as an owned string.
            pub fn into_string(self) -> ::std::string::String {
                self.0.into()
            }
        }

        impl ::core::ops::Deref for #ident {
            type Target = str;
            fn deref(&self) -> &str {
                self.0.as_str()
            }
        }

        impl ::core::convert::AsRef<str> for #ident {
            fn as_ref(&self) -> &str {
                self.0.as_str()
            }
        }

        impl ::core::borrow::Borrow<str> for #ident {
            fn borrow(&self) -> &str {
                self.0.as_str()
            }
        }

        impl ::core::fmt::Display for #ident {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.0.as_str())
            }
        }

        impl ::core::str::FromStr for #ident {
            type Err = #invalid_value;
            fn from_str(value: &str) -> ::core::result::Result<Self, #invalid_value> {
                if Self::is_valid(value) {
                    Ok(#ident(::smol_str::SmolStr::new(value)))
                } else {
                    Err(#invalid_value::new(#name, value, #expected))
                }
            }
        }

        impl<'de> #de::Modal<'de> for #ident {
            fn deserialize_in<const MODE: u8, D: ::serde::Deserializer<'de>>(deserializer: D) -> ::core::result::Result<Self, D::Error> {
                let value = <::smol_str::SmolStr as ::serde::Deserialize>::deserialize(deserializer)?;
                if MODE != #de::LENIENT && !Self::is_valid(&value) {
                    return Err(#de::refused(#name, #expected));
                }
                Ok(#ident(value))
            }
        }

        impl<'de> #de::Checked<'de> for #ident {
            type Seen<'s> = &'s str;
            fn check_in<const MODE: u8, D: ::serde::Deserializer<'de>>(deserializer: D, also: impl FnOnce(&str) -> bool) -> ::core::result::Result<(), D::Error> {
                #de::check_str(deserializer, |value| (MODE == #de::LENIENT || Self::is_valid(value)) && also(value), #name)
            }
        }

        impl ::core::convert::TryFrom<&str> for #ident {
            type Error = #invalid_value;
            fn try_from(value: &str) -> ::core::result::Result<Self, #invalid_value> {
                value.parse()
            }
        }

        impl ::core::convert::TryFrom<::std::string::String> for #ident {
            type Error = #invalid_value;
            fn try_from(value: ::std::string::String) -> ::core::result::Result<Self, #invalid_value> {
                if Self::is_valid(&value) {
                    Ok(#ident(::smol_str::SmolStr::from(value)))
                } else {
                    Err(#invalid_value::new(#name, &value, #expected))
                }
            }
        }
    }
}

fn string_enum(name: &str, doc_text: &str, values: &[String], runtime: &Runtime) -> TokenStream {
    let ident = format_ident!("{name}");
    let variants: Vec<_> = values
        .iter()
        .map(|value| format_ident!("{}", crate::shape::variant_name(value).expect("checked by shape")))
        .collect();
    let count = proc_macro2::Literal::usize_unsuffixed(values.len());
    let variant_docs_attrs = values.iter().map(|value| doc(&format!("`{value}`")));
    let unknown_doc = format!(
        "A value this version does not know, kept as sent so that a new `{name}` from Audian does not break parsing. \
         Never holds one of the known values when produced by this crate."
    );
    let all_doc = format!("Every known `{name}`, in the order of the schema.");
    let (doc_attrs, unknown_doc_attrs, all_doc_attrs) = (doc(doc_text), doc(&unknown_doc), doc(&all_doc));
    let known = format!("one of {}", values.iter().map(|value| format!("{value:?}")).collect::<Vec<_>>().join(", "));
    let string_impls = string_impls(name, &known, runtime);
    quote! {
        #doc_attrs
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #ident {
            #(
                #variant_docs_attrs
                #variants,
            )*
            #unknown_doc_attrs
            Unknown(::std::string::String),
        }

        impl #ident {
            #all_doc_attrs
            pub const ALL: [#ident; #count] = [#(#ident::#variants),*];

            /// The value as it appears in JSON.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#ident::#variants => #values,)*
                    #ident::Unknown(value) => value,
                }
            }

            /// Whether this is one of the known values.
            pub fn is_known(&self) -> bool {
                !matches!(self, #ident::Unknown(_))
            }
        }

        impl ::core::convert::From<&str> for #ident {
            fn from(value: &str) -> Self {
                match value {
                    #(#values => #ident::#variants,)*
                    unknown => #ident::Unknown(unknown.to_owned()),
                }
            }
        }

        impl ::core::convert::From<::std::string::String> for #ident {
            fn from(value: ::std::string::String) -> Self {
                match value.as_str() {
                    #(#values => #ident::#variants,)*
                    _ => #ident::Unknown(value),
                }
            }
        }

        #string_impls

        #[cfg(feature = "schemars")]
        impl ::schemars::JsonSchema for #ident {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(#name)
            }
            fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                // Unknown values are kept, so any string deserializes; the known ones are listed.
                ::schemars::json_schema!({
                    "type": "string",
                    "description": #doc_text,
                    "examples": [#(#values),*]
                })
            }
        }
    }
}

/// The impls every string-valued enum shares, given its `From<&str>`, `as_str` and `is_known`:
/// parsing, display, serde (keeping unknown values), and strict deserialization (refusing them).
fn string_impls(name: &str, known: &str, runtime: &Runtime) -> TokenStream {
    let ident = format_ident!("{name}");
    let (de, string_enum) = (runtime.de(), runtime.string_enum());
    quote! {
        impl ::core::str::FromStr for #ident {
            type Err = ::core::convert::Infallible;
            fn from_str(value: &str) -> ::core::result::Result<Self, Self::Err> {
                Ok(#ident::from(value))
            }
        }

        impl ::core::fmt::Display for #ident {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for #ident {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #ident {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::core::result::Result<Self, D::Error> {
                deserializer.deserialize_str(#string_enum::Visitor::<#ident>::new(#name))
            }
        }

        impl<'de> #de::Modal<'de> for #ident {
            fn deserialize_in<const MODE: u8, D: ::serde::Deserializer<'de>>(deserializer: D) -> ::core::result::Result<Self, D::Error> {
                let value = <Self as ::serde::Deserialize>::deserialize(deserializer)?;
                if !value.is_known() && !#de::takes_unknown_value::<MODE>() {
                    return Err(#de::refused(#name, #known));
                }
                Ok(value)
            }
        }

        impl<'de> #de::Checked<'de> for #ident {
            type Seen<'s> = &'s str;
            fn check_in<const MODE: u8, D: ::serde::Deserializer<'de>>(deserializer: D, also: impl FnOnce(&str) -> bool) -> ::core::result::Result<(), D::Error> {
                #de::check_str(deserializer, |value| {
                    // Only an unknown value is kept, as `Unknown`: a known one builds nothing.
                    (#ident::from(value).is_known() || #de::takes_unknown_value::<MODE>()) && also(value)
                }, #name)
            }
        }
    }
}

fn selector(name: &str, doc_text: &str, choices: &[crate::shape::Choice], runtime: &Runtime) -> TokenStream {
    use crate::shape::Choice;
    let ident = format_ident!("{name}");
    let doc_attrs = doc(doc_text);
    let variants = choices.iter().map(|choice| match choice {
        Choice::Constant { variant, doc: text, value } => {
            let variant = format_ident!("{variant}");
            let attrs = doc(&format!("`{value}`: {text}"));
            quote!(#attrs #variant,)
        }
        Choice::Enumeration { variant, doc: text, type_name } => {
            let (variant, type_ident) = (format_ident!("{variant}"), format_ident!("{type_name}"));
            let attrs = doc(text);
            quote!(#attrs #variant(crate::#type_ident),)
        }
    });
    let as_str_arms = choices.iter().map(|choice| match choice {
        Choice::Constant { variant, value, .. } => {
            let variant = format_ident!("{variant}");
            quote!(#ident::#variant => #value)
        }
        Choice::Enumeration { variant, .. } => {
            let variant = format_ident!("{variant}");
            quote!(#ident::#variant(value) => value.as_str())
        }
    });
    let known_arms = choices.iter().map(|choice| match choice {
        Choice::Constant { variant, .. } => {
            let variant = format_ident!("{variant}");
            quote!(#ident::#variant => true)
        }
        Choice::Enumeration { variant, .. } => {
            let variant = format_ident!("{variant}");
            quote!(#ident::#variant(value) => value.is_known())
        }
    });
    let constants = choices.iter().filter_map(|choice| match choice {
        Choice::Constant { variant, value, .. } => {
            let variant = format_ident!("{variant}");
            Some(quote!(#value => #ident::#variant,))
        }
        Choice::Enumeration { .. } => None,
    });
    // Anything else is read as the enumeration, which keeps unknown values.
    let fallback = choices
        .iter()
        .find_map(|choice| match choice {
            Choice::Enumeration { variant, type_name, .. } => {
                let (variant, type_ident) = (format_ident!("{variant}"), format_ident!("{type_name}"));
                Some(quote!(other => #ident::#variant(crate::#type_ident::from(other))))
            }
            Choice::Constant { .. } => None,
        })
        .expect("a selector has an enumeration");
    let string_impls = string_impls(name, "a known value", runtime);
    quote! {
        #doc_attrs
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum #ident {
            #(#variants)*
        }

        impl #ident {
            /// The value as it appears in JSON.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#as_str_arms,)*
                }
            }

            /// Whether this is one of the known values.
            pub fn is_known(&self) -> bool {
                match self {
                    #(#known_arms,)*
                }
            }
        }

        impl ::core::convert::From<&str> for #ident {
            fn from(value: &str) -> Self {
                match value {
                    #(#constants)*
                    #fallback,
                }
            }
        }

        impl ::core::convert::From<::std::string::String> for #ident {
            fn from(value: ::std::string::String) -> Self {
                #ident::from(value.as_str())
            }
        }

        #string_impls

        #[cfg(feature = "schemars")]
        impl ::schemars::JsonSchema for #ident {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(#name)
            }
            fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                ::schemars::json_schema!({ "type": "string", "description": #doc_text })
            }
        }
    }
}

/// The data structs, one per event, and the `Event` enum that dispatches on `event`.
pub fn events(events: &[EventDef], runtime: &Runtime) -> TokenStream {
    let (de, envelope, unknown_event) = (runtime.de(), runtime.item("Envelope"), runtime.item("UnknownEvent"));
    let has_call_id = events.iter().any(|event| event.call_id().is_some());
    let structs = events.iter().map(|event| data_struct(event, has_call_id, runtime));
    let variants: Vec<_> = events.iter().map(|event| format_ident!("{}", event.rust_name)).collect();
    let names: Vec<_> = events.iter().map(|event| event.name.as_str()).collect();
    let variant_docs_attrs = events.iter().map(|event| doc(&format!("`{}`: {}", event.name, event.description)));
    // `Event::call_id` exists when some event has a call: an event without one answers `None`.
    let call_id_method = events.iter().any(|event| event.call_id().is_some()).then(|| {
        let arms = events.iter().map(|event| {
            let variant = format_ident!("{}", event.rust_name);
            match event.call_id() {
                Some(field) => {
                    let ident = &field.ident;
                    quote!(Event::#variant(envelope) => ::core::option::Option::Some(&envelope.data.#ident))
                }
                None => quote!(Event::#variant(_) => ::core::option::Option::None),
            }
        });
        quote! {
            /// The call the event is about; `None` for an event type that is about no call, and
            /// for an unknown event type.
            pub fn call_id(&self) -> ::core::option::Option<&crate::CallId> {
                match self {
                    #(#arms,)*
                    Event::Unknown(_) => ::core::option::Option::None,
                }
            }
        }
    });
    quote! {
        #(#structs)*

        /// An Audian webhook event: one variant per documented event type, each holding the
        /// envelope (`id`, `timestamp`) and that event's typed `data`, and [`Event::Unknown`] for
        /// event types this version does not know.
        ///
        /// Deserialization dispatches on the `event` field directly.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum Event {
            #(
                #variant_docs_attrs
                #variants(#envelope<#variants>),
            )*
            /// An event type not in the schemas of this version, kept whole.
            Unknown(#unknown_event),
        }

        /// The `data` of an event, before it is joined with its envelope.
        pub(crate) enum EventData {
            #(#variants(#variants),)*
            Unknown(::serde_json::Value),
        }

        impl EventData {
            /// Deserializes `data` into the type `event_type` names; strictly, an unknown event
            /// type is refused.
            pub(crate) fn deserialize<'de, const MODE: u8, D: ::serde::Deserializer<'de>>(
                event_type: &crate::EventType,
                deserializer: D,
            ) -> ::core::result::Result<Self, D::Error> {
                match event_type {
                    #(crate::EventType::#variants => <#variants as #de::Modal>::deserialize_in::<MODE, D>(deserializer).map(EventData::#variants),)*
                    crate::EventType::Unknown(name) => #de::unknown_event_data::<MODE, D>(name, deserializer).map(EventData::Unknown),
                }
            }
        }

        impl EventData {
            /// Checks `data` as the type `event_type` names, building nothing but the data of an
            /// unknown event type (kept by the tolerant mode).
            pub(crate) fn check<'de, const MODE: u8, D: ::serde::Deserializer<'de>>(
                event_type: &crate::EventType,
                deserializer: D,
            ) -> ::core::result::Result<(), D::Error> {
                match event_type {
                    #(crate::EventType::#variants => #de::check::<#variants, MODE, D>(deserializer),)*
                    crate::EventType::Unknown(name) => #de::unknown_event_data::<MODE, D>(name, deserializer).map(drop),
                }
            }
        }

        impl Event {
            /// Joins an envelope and its data; `event_type` is the type `data` was read as.
            pub(crate) fn from_parts(
                id: crate::EventId,
                timestamp: crate::Timestamp,
                event_type: crate::EventType,
                data: EventData,
            ) -> Event {
                match data {
                    #(EventData::#variants(data) => Event::#variants(#envelope { id, timestamp, data }),)*
                    EventData::Unknown(data) => Event::Unknown(#unknown_event {
                        id,
                        timestamp,
                        event: event_type.as_str().to_owned(),
                        data,
                    }),
                }
            }

            /// The event type, from the `event` field.
            pub fn event_type(&self) -> crate::EventType {
                match self {
                    #(Event::#variants(_) => crate::EventType::#variants,)*
                    Event::Unknown(event) => crate::EventType::from(event.event.as_str()),
                }
            }

            /// The event id: a retried delivery has the same one.
            pub fn id(&self) -> &crate::EventId {
                match self {
                    #(Event::#variants(envelope) => &envelope.id,)*
                    Event::Unknown(event) => &event.id,
                }
            }

            /// When the event occurred.
            pub fn timestamp(&self) -> crate::Timestamp {
                match self {
                    #(Event::#variants(envelope) => envelope.timestamp,)*
                    Event::Unknown(event) => event.timestamp,
                }
            }

            #call_id_method
        }

        impl ::serde::Serialize for Event {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error> {
                match self {
                    #(Event::#variants(envelope) => envelope.serialize_as(#names, serializer),)*
                    Event::Unknown(event) => ::serde::Serialize::serialize(event, serializer),
                }
            }
        }
    }
}

/// `has_call_id`: whether `Event::call_id` exists, and so whether the example asserts it.
fn data_struct(event: &EventDef, has_call_id: bool, runtime: &Runtime) -> TokenStream {
    let example_doc = event.example.as_ref().map(|example| {
        let json = serde_json::to_string_pretty(example).expect("a JSON value serializes");
        format!(
            "\n\n# Example\n\nThe documented payload:\n\n```\nlet payload = r#\"\n{json}\n\"#;\n{}```",
            example_assertions(event, example, has_call_id)
        )
    });
    let doc_text = format!("The `data` of `{}`: {}{}", event.name, event.description, example_doc.unwrap_or_default());
    record(&event.rust_name, &doc_text, &format!("the data of `{}`", event.name), &event.fields, runtime)
}

/// The lines of an event's doctest after its payload: it parses as its own variant, with its
/// event type, its call (or none) and its first field of a string or integer type as documented.
fn example_assertions(event: &EventDef, example: &serde_json::Value, has_call_id: bool) -> String {
    let variant = &event.rust_name;
    let mut lines = vec![
        "let event: audian_events::Event = payload.parse().unwrap();".to_owned(),
        format!("assert_eq!(event.event_type(), audian_events::EventType::{variant});"),
    ];
    if has_call_id {
        let call_id = event.call_id().and_then(|field| example.get("data")?.get(&field.json_name)?.as_str());
        lines.push(match call_id {
            Some(call_id) => format!("assert_eq!(event.call_id().map(|id| id.as_str()), Some({call_id:?}));"),
            None => "assert_eq!(event.call_id(), None);".to_owned(),
        });
    }
    lines.push(format!(
        "let audian_events::Event::{variant}(envelope) = event else {{ panic!(\"expected {}\") }};",
        event.name
    ));
    let first = event.fields.iter().find_map(|field| {
        let value = example.get("data")?.get(&field.json_name)?;
        let ident = &field.ident;
        match (&field.representation, value) {
            (FieldType::String | FieldType::Named(_), serde_json::Value::String(text)) => {
                Some(format!("assert_eq!(envelope.data.{ident}.as_str(), {text:?});"))
            }
            (FieldType::U64 | FieldType::I64, serde_json::Value::Number(number)) => {
                Some(format!("assert_eq!(envelope.data.{ident}, {number});"))
            }
            _ => None,
        }
    });
    lines.extend(first);
    lines.iter().map(|line| format!("{line}\n")).collect()
}

/// A struct with its two-mode deserialization.
fn record(rust_name: &str, doc_text: &str, expecting: &str, fields: &[FieldDef], runtime: &Runtime) -> TokenStream {
    let ident = format_ident!("{rust_name}");
    let doc_attrs = doc(doc_text);
    let field_items = fields.iter().map(|item| field(item, runtime));
    let deserialize = record_deserialize(rust_name, expecting, fields, runtime);
    quote! {
        #doc_attrs
        #[derive(Debug, Clone, PartialEq, ::serde::Serialize)]
        #[cfg_attr(feature = "schemars", derive(::schemars::JsonSchema))]
        pub struct #ident {
            #(#field_items)*
        }

        #deserialize
    }
}

/// The typed webhook request bodies.
pub fn requests(requests: &[crate::events::RequestDef], runtime: &Runtime) -> TokenStream {
    let validation_errors = runtime.item("ValidationErrors");
    let items = requests.iter().map(|request| {
        let ident = format_ident!("{}", request.rust_name);
        let validator = runtime.validation_item(&request.validator);
        let example_doc = request.example.as_ref().map(|example| {
            let json = serde_json::to_string(example).expect("a JSON value serializes");
            format!(
                "\n\n# Example\n\nThe documented body:\n\n```\nlet body: audian_events::webhooks::{} = serde_json::from_str(r#\"{json}\"#).unwrap();\n\
                 assert!(body.validate().is_ok());\n```",
                request.rust_name
            )
        });
        let doc_text = format!("{}{}", request.doc, example_doc.unwrap_or_default());
        let record = record(&request.rust_name, &doc_text, &format!("a {}", request.title.to_lowercase()), &request.fields, runtime);
        let validate_doc = format!(" Checks the body against `{}`, with every error.", request.schema_path);
        quote! {
            #record

            impl #ident {
                #[doc = #validate_doc]
                pub fn validate(&self) -> ::core::result::Result<(), #validation_errors> {
                    #validator(&::serde_json::to_value(self).expect("a request body serializes to JSON"))
                }
            }
        }
    });
    quote!(#(#items)*)
}

/// `Deserialize` and the modal deserialization of a struct: one visitor, `MODE` deciding
/// whether unknown fields are skipped or refused and whether values are checked.
fn record_deserialize(rust_name: &str, expecting: &str, fields: &[FieldDef], runtime: &Runtime) -> TokenStream {
    let ident = format_ident!("{rust_name}");
    let de = runtime.de();
    let visitor = format_ident!("{rust_name}Visitor");
    let checker = format_ident!("{rust_name}Checker");
    let checker_doc = doc(&format!("Checks what `{rust_name}Visitor` reads, in the same mode, building nothing."));
    let field_checks: Vec<TokenStream> = fields.iter().map(|field| field_check(field, runtime)).collect();
    let names: Vec<&str> = fields.iter().map(|field| field.json_name.as_str()).collect();
    let idents: Vec<&proc_macro2::Ident> = fields.iter().map(|field| &field.ident).collect();
    let types: Vec<TokenStream> = fields.iter().map(|field| rust_type(&field.ty)).collect();
    let checks: Vec<TokenStream> = fields
        .iter()
        .flat_map(|field| field.strict_checks.iter().map(move |check| strict_check(field, check, runtime)))
        .collect();
    let strict_checks = quote!(#(#checks)*);
    quote! {
        impl<'de> ::serde::Deserialize<'de> for #ident {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::core::result::Result<Self, D::Error> {
                deserializer.deserialize_map(#visitor::<{ #de::LENIENT }>)
            }
        }

        impl<'de> #de::Modal<'de> for #ident {
            fn deserialize_in<const MODE: u8, D: ::serde::Deserializer<'de>>(deserializer: D) -> ::core::result::Result<Self, D::Error> {
                deserializer.deserialize_map(#visitor::<MODE>)
            }
        }

        struct #visitor<const MODE: u8>;

        impl<'de, const MODE: u8> ::serde::de::Visitor<'de> for #visitor<MODE> {
            type Value = #ident;

            fn expecting(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(#expecting)
            }

            fn visit_map<A: ::serde::de::MapAccess<'de>>(self, mut map: A) -> ::core::result::Result<#ident, A::Error> {
                const FIELDS: &[&str] = &[#(#names),*];
                #(let mut #idents: ::core::option::Option<#types> = ::core::option::Option::None;)*
                while let ::core::option::Option::Some(#de::Key(key)) = map.next_key::<#de::Key<'de>>()? {
                    match key.as_ref() {
                        #(
                            #names => {
                                if #idents.is_some() {
                                    return Err(::serde::de::Error::duplicate_field(#names));
                                }
                                #idents = ::core::option::Option::Some(map.next_value_seed(#de::Seed::<#types, MODE>::new())?);
                            }
                        )*
                        other if MODE == #de::STRICT => return Err(::serde::de::Error::unknown_field(other, FIELDS)),
                        _ => {
                            #de::note_drift::<MODE>();
                            map.next_value::<::serde::de::IgnoredAny>()?;
                        }
                    }
                }
                #(let #idents = #idents.ok_or_else(|| ::serde::de::Error::missing_field(#names))?;)*
                #strict_checks
                Ok(#ident { #(#idents),* })
            }
        }

        impl<'de> #de::Checked<'de> for #ident {
            type Seen<'s> = ();
            fn check_in<const MODE: u8, D: ::serde::Deserializer<'de>>(deserializer: D, also: impl FnOnce(()) -> bool) -> ::core::result::Result<(), D::Error> {
                deserializer.deserialize_map(#checker::<MODE>)?;
                #de::checked(also(()), #rust_name)
            }
        }

        #checker_doc
        struct #checker<const MODE: u8>;

        impl<'de, const MODE: u8> ::serde::de::Visitor<'de> for #checker<MODE> {
            type Value = ();

            fn expecting(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(#expecting)
            }

            fn visit_map<A: ::serde::de::MapAccess<'de>>(self, mut map: A) -> ::core::result::Result<(), A::Error> {
                const FIELDS: &[&str] = &[#(#names),*];
                #(let mut #idents = false;)*
                while let ::core::option::Option::Some(#de::Key(key)) = map.next_key::<#de::Key<'de>>()? {
                    match key.as_ref() {
                        #(
                            #names => {
                                if #idents {
                                    return Err(::serde::de::Error::duplicate_field(#names));
                                }
                                #idents = true;
                                map.next_value_seed(#field_checks)?;
                            }
                        )*
                        other if MODE == #de::STRICT => return Err(::serde::de::Error::unknown_field(other, FIELDS)),
                        _ => {
                            #de::note_drift::<MODE>();
                            map.next_value::<::serde::de::IgnoredAny>()?;
                        }
                    }
                }
                #(
                    if !#idents {
                        return Err(::serde::de::Error::missing_field(#names));
                    }
                )*
                Ok(())
            }
        }
    }
}

/// The seed that checks a field without building it: its type's constraints, and its own
/// (`const`, `format: uri`, bounds, `minItems`) on what is seen of the value.
fn field_check(field: &FieldDef, runtime: &Runtime) -> TokenStream {
    let (validation, de) = (runtime.validation(), runtime.de());
    let ty = rust_type(&field.ty);
    if field.strict_checks.is_empty() {
        return quote!(#de::Check::<#ty, MODE, _>::new(|_| true));
    }
    let seen = match &field.representation {
        FieldType::String | FieldType::Named(_) => quote!(&str),
        FieldType::U64 => quote!(u64),
        FieldType::I64 => quote!(i64),
        FieldType::Vec(_) => quote!(usize),
        FieldType::Timestamp => quote!(()),
    };
    let holds = field.strict_checks.iter().map(|check| match check {
        StrictCheck::Const(value) => quote!(seen == #value),
        StrictCheck::Uri => quote!(#validation::is_uri(seen)),
        StrictCheck::Minimum(minimum) => {
            let minimum = proc_macro2::Literal::i128_unsuffixed(*minimum);
            quote!(i128::from(seen) >= #minimum)
        }
        StrictCheck::Maximum(maximum) => {
            let maximum = proc_macro2::Literal::i128_unsuffixed(*maximum);
            quote!(i128::from(seen) <= #maximum)
        }
        StrictCheck::MinItems(count) => {
            let count = proc_macro2::Literal::u64_unsuffixed(*count);
            quote!(seen as u64 >= #count)
        }
    });
    // The lenient mode checks nothing beyond the types, as `strict_check` does.
    quote!(#de::Check::<#ty, MODE, _>::new(|seen: #seen| MODE == #de::LENIENT || (#(#holds)&&*)))
}

/// A check that strict deserialization makes beyond what the field's type checks.
fn strict_check(field: &FieldDef, check: &StrictCheck, runtime: &Runtime) -> TokenStream {
    let (validation, de) = (runtime.validation(), runtime.de());
    let ident = &field.ident;
    let name = field.json_name.as_str();
    // Each test is written as the failure, so that it reads without a negation.
    let (refused, expected) = match check {
        StrictCheck::Const(value) => (quote!(#ident.as_str() != #value), format!("{value:?}")),
        StrictCheck::Uri => (quote!(!#validation::is_uri(&#ident)), "a URI".to_owned()),
        StrictCheck::Minimum(minimum) => {
            let minimum = proc_macro2::Literal::i128_unsuffixed(*minimum);
            (quote!(i128::from(#ident) < #minimum), format!("at least {minimum}"))
        }
        StrictCheck::Maximum(maximum) => {
            let maximum = proc_macro2::Literal::i128_unsuffixed(*maximum);
            (quote!(i128::from(#ident) > #maximum), format!("at most {maximum}"))
        }
        StrictCheck::MinItems(count) => {
            let count = proc_macro2::Literal::u64_unsuffixed(*count);
            (quote!((#ident.len() as u64) < #count), format!("at least {count} items"))
        }
    };
    quote! {
        if MODE != #de::LENIENT && #refused {
            return Err(#de::refused(#name, #expected));
        }
    }
}

fn field(field: &FieldDef, runtime: &Runtime) -> TokenStream {
    let ident = &field.ident;
    let ty = rust_type(&field.ty);
    let doc_attrs = doc(&field.doc);
    // A timestamp is written back in the offset it came with, `Z` for offset zero, and one whose
    // local year has five digits with an offset that brings it back into four.
    let serialize_with = (field.representation == FieldType::Timestamp).then(|| {
        let serialize = runtime.serialize_timestamp();
        quote! {
            #[serde(serialize_with = #serialize)]
            #[cfg_attr(feature = "schemars", schemars(with = "::chrono::DateTime<::chrono::FixedOffset>"))]
        }
    });
    quote! {
        #doc_attrs
        #serialize_with
        pub #ident: #ty,
    }
}
