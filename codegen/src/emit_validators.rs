//! Emits validators: plain Rust that checks a `serde_json::Value` against a schema, keyword by
//! keyword, with the reference validator's verdict. Each function is generic over the runtime's
//! `Report`, so one body serves the fast path (stop at the first failure, allocate nothing) and
//! the path that collects every error.

use std::collections::BTreeMap;

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;

use crate::diagnostic::{Diagnostics, Location};
use crate::model::{Body, Format, JsonType, Keywords, Model, Reference, Schema, SchemaId};

/// A validator to expose: a public function `name` that checks `schema`.
#[derive(Debug, Clone)]
pub struct Entry {
    pub name: String,
    pub schema: SchemaId,
}

impl Entry {
    /// The validator `name` of `file`'s root schema.
    pub fn root(name: &str, file: &str) -> Entry {
        Entry { name: name.to_owned(), schema: SchemaId::root(file) }
    }
}

/// Emits the validator functions of the given entries and of everything they reference.
/// `runtime` is the path of the validation runtime: [`Runtime::validation`](crate::runtime::Runtime::validation)
/// for `audian-events`, `::audian_events::validation::runtime` from another crate.
/// The code starts with a `use` of it: the validators call it `runtime`, which keeps lines short.
pub fn validators(model: &Model, entries: &[Entry], runtime_path: &TokenStream) -> Result<TokenStream, Diagnostics> {
    let runtime = &quote!(runtime);
    let use_runtime = match runtime_path.clone().into_iter().last() {
        Some(proc_macro2::TokenTree::Ident(last)) if last == "runtime" => quote!(use #runtime_path;),
        _ => quote!(use #runtime_path as runtime;),
    };
    let mut emitter = Emitter {
        model,
        runtime,
        units: BTreeMap::new(),
        uses: BTreeMap::new(),
        pending: Vec::new(),
        patterns: BTreeMap::new(),
        diagnostics: Diagnostics::new(),
    };
    let mut public = Vec::new();
    for entry in entries {
        let unit = emitter.unit_for(&entry.schema);
        let name = format_ident!("{}", entry.name);
        let doc = match entry.schema.pointer.as_str() {
            "" => format!(" Validates `value` against `{}`.", entry.schema.file),
            pointer => format!(" Validates `value` against `{}#{pointer}`.", entry.schema.file),
        };
        public.push(quote! {
            #[doc = #doc]
            #[inline]
            pub fn #name<R: #runtime::Report>(value: &::serde_json::Value, path: &#runtime::InstancePath<'_>, report: &mut R) -> bool {
                #unit(value, path, report)
            }
        });
    }
    while let Some((name, id)) = emitter.pending.pop() {
        let Some(schema) = model.get(&id) else {
            emitter.diagnostics.error(Location::file(&id.file), format!("nothing at {:?}", id.pointer));
            continue;
        };
        let body = emitter.unit_body(schema);
        let doc = format!(" `{}#{}`", id.file, id.pointer);
        emitter.units.insert(name, Some(Unit { doc, body }));
    }
    let uses = &emitter.uses;
    let units = emitter.units.iter().filter_map(|(name, unit)| {
        let Unit { doc, body } = unit.as_ref()?;
        let ident = format_ident!("{name}");
        // A schema checked from several places (an identifier, a timestamp) keeps one copy of
        // its code, shared and so kept in the instruction cache, rather than one inlined at
        // every use: over the 18 examples in turn, that halves `is_valid`'s cache misses.
        let inline = uses.get(name).is_some_and(|&count| count > 1).then(|| quote!(#[inline(never)]));
        Some(quote! {
            #[doc = #doc]
            #inline
            #[allow(unused_variables, unused_mut, clippy::all)]
            fn #ident<R: #runtime::Report>(value: &::serde_json::Value, path: &#runtime::InstancePath<'_>, report: &mut R) -> bool {
                #body
            }
        })
    });
    let patterns = emitter.patterns.values();
    emitter.diagnostics.finish(quote! {
        #use_runtime
        #(#public)*
        #(#units)*
        #(#patterns)*
    })
}

/// The function that checks one referenced schema.
struct Unit {
    doc: String,
    body: TokenStream,
}

struct Emitter<'a> {
    model: &'a Model,
    runtime: &'a TokenStream,
    /// Function name to its unit; `None` while queued.
    units: BTreeMap<String, Option<Unit>>,
    /// Function name to the number of places that call it.
    uses: BTreeMap<String, usize>,
    pending: Vec<(String, SchemaId)>,
    /// The functions that match patterns, by name.
    patterns: BTreeMap<String, TokenStream>,
    diagnostics: Diagnostics,
}

impl Emitter<'_> {
    /// The function that validates a schema, queued for emission the first time.
    fn unit_for(&mut self, id: &SchemaId) -> proc_macro2::Ident {
        let name = unit_name(&id.file, &id.pointer);
        *self.uses.entry(name.clone()).or_default() += 1;
        if !self.units.contains_key(&name) {
            self.units.insert(name.clone(), None);
            self.pending.push((name.clone(), id.clone()));
        }
        format_ident!("{name}")
    }

    /// The body of the function that checks `schema`: its checks, then whether all passed.
    fn unit_body(&mut self, schema: &Schema) -> TokenStream {
        let (value, path) = (quote!(value), quote!(path));
        if let Body::Bool(false) = schema.body {
            let schema_path = self.model.schema_path(&schema.id, None);
            return quote! {
                report.fail(#path, "false", #schema_path, || "no value is allowed here".to_owned());
                false
            };
        }
        let checks = self.schema(schema, &value, &path);
        if checks.is_empty() {
            return quote!(true);
        }
        quote! {
            let mut valid = true;
            #(#checks)*
            valid
        }
    }

    /// The checks of `value` against `schema`: statements that, at each failure, report it and
    /// set `valid` to `false`, and in the fast path return `false` from the enclosing function.
    /// None for a schema that accepts everything.
    fn schema(&mut self, schema: &Schema, value: &TokenStream, path: &TokenStream) -> Vec<TokenStream> {
        let runtime = self.runtime.clone();
        let keywords = match &schema.body {
            Body::Bool(true) => return Vec::new(),
            Body::Bool(false) => {
                let schema_path = self.model.schema_path(&schema.id, None);
                return vec![quote! {
                    valid = false;
                    report.fail(#path, "false", #schema_path, || "no value is allowed here".to_owned());
                    if !R::COLLECT { return false; }
                }];
            }
            Body::Keywords(keywords) => keywords,
        };
        let (model, id) = (self.model, &schema.id);
        let mut checks = Vec::new();
        let fail = |keyword: &str, message: TokenStream, at: &TokenStream| {
            let schema_path = model.schema_path(id, Some(keyword));
            quote! {
                valid = false;
                report.fail(#at, #keyword, #schema_path, || #message);
                if !R::COLLECT { return false; }
            }
        };

        if let Some(reference) = &keywords.reference {
            let unit = self.unit_for(&reference.target);
            checks.push(quote! {
                if !#unit(#value, #path, report) {
                    valid = false;
                    if !R::COLLECT { return false; }
                }
            });
        }

        if let Some(types) = &keywords.types {
            let test = negation(&type_tests(types, value, &runtime));
            let expected = types.iter().map(|t| t.name()).collect::<Vec<_>>().join(" or ");
            let message = message(
                &format!("expected {}, found {{kind}} {{found}}", escape(&expected)),
                &[("kind", quote!(#runtime::type_name(#value))), ("found", quote!(#runtime::describe(#value)))],
            );
            let fail = fail("type", message, path);
            checks.push(quote!(if #test { #fail }));
        }

        if let Some(values) = &keywords.enumeration {
            let listed = values.iter().map(Value::to_string).collect::<Vec<_>>().join(", ");
            let message = message(&format!("{{found}} is not one of {}", escape(&listed)), &[found(value, &runtime)]);
            let fail = fail("enum", message, path);
            checks.push(self.enum_check(values, value, &fail));
        }

        if let Some(constant) = &keywords.constant {
            let expected = constant.to_string();
            let message =
                message(&format!("expected {}, found {{found}}", escape(&expected)), &[found(value, &runtime)]);
            let fail = fail("const", message, path);
            checks.push(self.enum_check(std::slice::from_ref(constant), value, &fail));
        }

        let mut string_checks = Vec::new();
        if let Some(min_length) = keywords.min_length {
            let count = Literal::usize_unsuffixed(usize::try_from(min_length).unwrap_or(usize::MAX));
            let message = message(&format!("{{found}} is shorter than {count} characters"), &[found(value, &runtime)]);
            let fail = fail("minLength", message, path);
            string_checks.push(quote!(if !#runtime::has_at_least_chars(text, #count) { #fail }));
        }
        if let Some(pattern) = &keywords.pattern {
            let function = format_ident!("matches_{}", unit_name(&id.file, &id.pointer).trim_start_matches("check_"));
            if let Some(functions) = pattern.functions(&function, &quote!()) {
                self.patterns.insert(function.to_string(), functions);
            }
            let test = pattern.test(&quote!(text), &quote!(#function));
            let text = match &keywords.title {
                Some(title) => format!("{{found}} is not {}", escape(&with_article(title))),
                None => format!("{{found}} does not match the pattern {}", escape(&format!("{:?}", pattern.source))),
            };
            let message = message(&text, &[found(value, &runtime)]);
            let fail = fail("pattern", message, path);
            string_checks.push(quote!(if !#test { #fail }));
        }
        if let Some(format) = keywords.format {
            let (test, what) = match format {
                Format::DateTime => (quote!(#runtime::is_date_time(text)), "an RFC 3339 date-time"),
                Format::Uri => (quote!(#runtime::is_uri(text)), "a URI"),
            };
            let message = message(&format!("{{found}} is not {what}"), &[found(value, &runtime)]);
            let fail = fail("format", message, path);
            string_checks.push(quote!(if !#test { #fail }));
        }
        if !string_checks.is_empty() {
            checks.push(quote! {
                if let ::serde_json::Value::String(text) = #value {
                    #(#string_checks)*
                }
            });
        }

        let mut number_checks = Vec::new();
        for (keyword, bound, test_fn, relation) in [
            ("minimum", &keywords.minimum, quote!(at_least), "less than the minimum"),
            ("maximum", &keywords.maximum, quote!(at_most), "greater than the maximum"),
        ] {
            if let Some(bound) = bound {
                let bound_tokens = number_bound(bound, &runtime);
                let message = message(&format!("{{found}} is {relation} {bound}"), &[found(value, &runtime)]);
                let fail = fail(keyword, message, path);
                number_checks.push(quote!(if !#runtime::#test_fn(number, #bound_tokens) { #fail }));
            }
        }
        if !number_checks.is_empty() {
            checks.push(quote! {
                if let ::serde_json::Value::Number(number) = #value {
                    #(#number_checks)*
                }
            });
        }

        let object_checks = self.object_checks(keywords, id, path);
        if !object_checks.is_empty() {
            checks.push(quote! {
                if let ::serde_json::Value::Object(object) = #value {
                    #(#object_checks)*
                }
            });
        }

        let mut array_checks = Vec::new();
        if let Some(min_items) = keywords.min_items {
            let count = Literal::usize_unsuffixed(usize::try_from(min_items).unwrap_or(usize::MAX));
            let message = message(
                &format!("expected at least {count} items, found {{found}}"),
                &[("found", quote!(items.len()))],
            );
            let fail = fail("minItems", message, path);
            array_checks.push(quote!(if items.len() < #count { #fail }));
        }
        if let Some(item_schema) = &keywords.items {
            let item_checks = self.schema(item_schema, &quote!(item), &quote!(item_path));
            if !item_checks.is_empty() {
                array_checks.push(quote! {
                    for (index, item) in items.iter().enumerate() {
                        let item_path = &#runtime::InstancePath::Index(#path, index);
                        #(#item_checks)*
                    }
                });
            }
        }
        if !array_checks.is_empty() {
            checks.push(quote! {
                if let ::serde_json::Value::Array(items) = #value {
                    #(#array_checks)*
                }
            });
        }

        if !keywords.one_of.is_empty() {
            checks.push(self.one_of(keywords, id, value, path));
        }

        if let Some(negated) = &keywords.not {
            // Checked by its own function with a report of its own: its failures are what
            // `not` wants, never errors of the payload.
            let unit = self.unit_for(&negated.id);
            let message = message("{found} is valid against the schema of `not`", &[found(value, &runtime)]);
            let fail = fail("not", message, path);
            checks.push(quote!(if #unit(#value, #path, &mut #runtime::FirstFailure) { #fail }));
        }

        checks
    }

    fn object_checks(&mut self, keywords: &Keywords, id: &SchemaId, path: &TokenStream) -> Vec<TokenStream> {
        let runtime = self.runtime.clone();
        let mut checks = Vec::new();
        let missing = |name: &str| {
            let schema_path = self.model.schema_path(id, Some("required"));
            let message = format!("missing required property {name:?}");
            quote! {
                valid = false;
                report.fail(#path, "required", #schema_path, || #message.to_owned());
                if !R::COLLECT { return false; }
            }
        };
        // Required properties that are also listed are counted off in the one pass over the
        // object, rather than looked up; the others (rare) are looked up.
        let tracked: Vec<&String> = keywords
            .required
            .iter()
            .filter(|name| keywords.properties.iter().any(|(property, _)| property == *name))
            .take(64)
            .collect();
        for name in keywords.required.iter().filter(|name| !tracked.contains(name)) {
            let fail = missing(name);
            checks.push(quote!(if !object.contains_key(#name) { #fail }));
        }
        // Bound once per property; a nested object's loop binds its own, after reading this one.
        let property_path = quote!(child_path);
        let mut arms = Vec::new();
        for (name, schema) in &keywords.properties {
            let checks = self.schema(schema, &quote!(child), &property_path);
            let mark_seen = tracked.iter().position(|tracked| *tracked == name).map(|bit| {
                let bit = Literal::u64_unsuffixed(1u64 << bit);
                quote!(seen |= #bit;)
            });
            let pattern = string_pattern(name);
            arms.push(quote!(#pattern => { #mark_seen #(#checks)* }));
        }
        let additional = match &keywords.additional_properties {
            None => None,
            Some(Schema { body: Body::Bool(true), .. }) => None,
            Some(Schema { body: Body::Bool(false), id, .. }) => {
                let schema_path = self.model.schema_path(id, None);
                Some(quote! {{
                    valid = false;
                    report.fail(#property_path, "additionalProperties", #schema_path, || format!("property {key:?} is not allowed"));
                    if !R::COLLECT { return false; }
                }})
            }
            Some(schema) => {
                let checks = self.schema(schema, &quote!(child), &property_path);
                Some(quote!({ #(#checks)* }))
            }
        };
        if arms.is_empty() && additional.is_none() {
            return checks;
        }
        let fallback = additional.unwrap_or_else(|| quote!({}));
        let (declare_seen, check_seen) = if tracked.is_empty() {
            (None, None)
        } else {
            let all = Literal::u64_unsuffixed(if tracked.len() == 64 { u64::MAX } else { (1u64 << tracked.len()) - 1 });
            let each = tracked.iter().enumerate().map(|(bit, name)| {
                let bit = Literal::u64_unsuffixed(1u64 << bit);
                let fail = missing(name);
                quote!(if seen & #bit == 0 { #fail })
            });
            (Some(quote!(let mut seen: u64 = 0;)), Some(quote!(if seen != #all { #(#each)* })))
        };
        checks.push(quote! {
            #declare_seen
            for (key, child) in object {
                let key = key.as_str();
                let child_path = &#runtime::InstancePath::Property(#path, key);
                match (key.len(), key) {
                    #(#arms)*
                    _ => #fallback
                }
            }
            #check_seen
        });
        checks
    }

    fn one_of(&mut self, keywords: &Keywords, id: &SchemaId, value: &TokenStream, path: &TokenStream) -> TokenStream {
        let runtime = self.runtime.clone();
        let schema_path = self.model.schema_path(id, Some("oneOf"));
        if let Some(Discriminated { property, branches, default }) = self.discriminated(&keywords.one_of) {
            let names: Vec<&str> = branches.iter().map(|(name, _)| name.as_str()).collect();
            let listed = names.join(", ");
            let arms = branches.iter().map(|(name, branch)| {
                let unit = self.unit_for(branch);
                let pattern = string_pattern(name);
                quote!(::core::option::Option::Some(#pattern) => #unit(#value, #path, report))
            });
            let arms: Vec<_> = arms.collect();
            let branch_valid = match default {
                // Whatever names none of the tags is the default branch's to judge, including
                // a missing tag or a value that is not an object.
                Some(default) => {
                    let unit = self.unit_for(&default);
                    quote! {
                        match #value.as_object().and_then(|object| object.iter().find_map(|(key, tag)| (key.as_str() == #property).then_some(tag))).and_then(|tag| tag.as_str()).map(|tag| (tag.len(), tag)) {
                            #(#arms,)*
                            _ => #unit(#value, #path, report),
                        }
                    }
                }
                None => {
                    let missing = format!("missing {property:?}: expected one of {listed}");
                    let not_object = message(
                        &format!(
                            "expected an object with {} one of {}, found {{found}}",
                            escape(&format!("{property:?}")),
                            escape(&listed)
                        ),
                        &[found(value, &runtime)],
                    );
                    let unknown = message(
                        &format!("{{found}} is not a known {}: expected one of {}", escape(&property), escape(&listed)),
                        &[found(&quote!(tag), &runtime)],
                    );
                    quote! {
                        match #value.as_object() {
                            ::core::option::Option::None => {
                                report.fail(#path, "oneOf", #schema_path, || #not_object);
                                false
                            }
                            ::core::option::Option::Some(object) => match object.iter().find_map(|(key, tag)| (key.as_str() == #property).then_some(tag)) {
                                ::core::option::Option::None => {
                                    report.fail(#path, "oneOf", #schema_path, || #missing.to_owned());
                                    false
                                }
                                ::core::option::Option::Some(tag) => match tag.as_str().map(|tag| (tag.len(), tag)) {
                                    #(#arms,)*
                                    _ => {
                                        report.fail(&#runtime::InstancePath::Property(#path, #property), "oneOf", #schema_path, || #unknown);
                                        false
                                    }
                                },
                            },
                        }
                    }
                }
            };
            return quote! {
                let branch_valid = #branch_valid;
                if !branch_valid {
                    valid = false;
                    if !R::COLLECT { return false; }
                }
            };
        }
        let units: Vec<_> = keywords.one_of.iter().map(|branch| self.unit_for(&branch.id)).collect();
        let describe = quote!(#runtime::describe(#value));
        quote! {
            let mark = report.mark();
            let mut matched = 0usize;
            #(
                if matched < 2 && #units(#value, #path, &mut #runtime::FirstFailure) {
                    matched += 1;
                }
            )*
            if matched != 1 {
                valid = false;
                report.rollback(mark);
                report.fail(#path, "oneOf", #schema_path, || {
                    let found = #describe;
                    if matched == 0 {
                        format!("{found} is valid under none of the `oneOf` schemas")
                    } else {
                        format!("{found} is valid under more than one of the `oneOf` schemas")
                    }
                });
                if !R::COLLECT { return false; }
            }
        }
    }

    /// A `oneOf` whose branches are all `$ref`s to object schemas that require one property
    /// with a string `const` of their own: at most one branch can match, the one the property
    /// names, so it is checked alone. One more branch may be the default: a `$ref` to a schema
    /// whose value of that property must `not` be any of the other branches' tags (the unknown
    /// event of the tolerant union); it judges everything the tags do not name.
    fn discriminated(&self, branches: &[Schema]) -> Option<Discriminated> {
        let mut property: Option<String> = None;
        let mut tagged = Vec::new();
        let mut defaults = Vec::new();
        for branch in branches {
            let reference = only_reference(branch)?;
            let target = self.model.resolve(reference)?.keywords()?;
            let Some((candidate, tag)) = tag_of(target) else {
                defaults.push((reference, target));
                continue;
            };
            if property.as_ref().is_some_and(|p| *p != candidate) {
                return None;
            }
            property = Some(candidate);
            if tagged.iter().any(|(existing, _): &(String, SchemaId)| *existing == tag) {
                return None;
            }
            tagged.push((tag, reference.target.clone()));
        }
        let property = property?;
        let default = match defaults.as_slice() {
            [] => None,
            [(reference, target)] => {
                let excluded = target
                    .properties
                    .iter()
                    .find(|(name, _)| *name == property)?
                    .1
                    .keywords()?
                    .not
                    .as_ref()?
                    .keywords()?
                    .enumeration
                    .as_ref()?;
                let mut excluded: Vec<&str> = excluded.iter().map(Value::as_str).collect::<Option<_>>()?;
                let mut tags: Vec<&str> = tagged.iter().map(|(tag, _)| tag.as_str()).collect();
                excluded.sort_unstable();
                tags.sort_unstable();
                if excluded != tags {
                    return None;
                }
                Some(reference.target.clone())
            }
            _ => return None,
        };
        Some(Discriminated { property, branches: tagged, default })
    }

    /// The check that `value` equals one of `values`, with JSON Schema's equality, running `fail`
    /// when it does not.
    fn enum_check(&self, values: &[Value], value: &TokenStream, fail: &TokenStream) -> TokenStream {
        let runtime = self.runtime.clone();
        if values.iter().all(Value::is_string) {
            let patterns = values.iter().filter_map(Value::as_str).map(string_pattern);
            return quote! {
                match #value.as_str().map(|text| (text.len(), text)) {
                    ::core::option::Option::Some(#(#patterns)|*) => {}
                    _ => { #fail }
                }
            };
        }
        let tests: Vec<TokenStream> = values
            .iter()
            .map(|expected| match expected {
                Value::Null => quote!(#value.is_null()),
                Value::Bool(flag) => quote!(#value.as_bool() == ::core::option::Option::Some(#flag)),
                Value::String(text) => quote!(#value.as_str() == ::core::option::Option::Some(#text)),
                Value::Number(number) => {
                    let bound = number_bound(number, &runtime);
                    quote!(#value.as_number().is_some_and(|number| #runtime::at_least(number, #bound) && #runtime::at_most(number, #bound)))
                }
                composite => {
                    let json = composite.to_string();
                    quote!({
                        static EXPECTED: ::std::sync::LazyLock<::serde_json::Value> =
                            ::std::sync::LazyLock::new(|| ::serde_json::from_str(#json).expect("generated from valid JSON"));
                        #runtime::json_equal(#value, &EXPECTED)
                    })
                }
            })
            .collect();
        let test = negation(&tests);
        quote!(if #test { #fail })
    }
}

/// A `oneOf` told apart by one property: see [`Emitter::discriminated`].
struct Discriminated {
    property: String,
    /// Each tag with its branch.
    branches: Vec<(String, SchemaId)>,
    default: Option<SchemaId>,
}

/// The `$ref` of a branch that is nothing but a `$ref` (with annotations).
fn only_reference(branch: &Schema) -> Option<&Reference> {
    let keywords = branch.keywords()?;
    let only_ref = keywords.types.is_none()
        && keywords.enumeration.is_none()
        && keywords.constant.is_none()
        && keywords.properties.is_empty()
        && keywords.required.is_empty()
        && keywords.one_of.is_empty()
        && keywords.items.is_none()
        && keywords.additional_properties.is_none()
        && keywords.not.is_none();
    if only_ref { keywords.reference.as_ref() } else { None }
}

/// The required property with a string `const` of an object schema, and that constant.
fn tag_of(target: &Keywords) -> Option<(String, String)> {
    if target.types.as_deref() != Some(&[JsonType::Object]) {
        return None;
    }
    target.required.iter().find_map(|name| {
        let (_, schema) = target.properties.iter().find(|(property, _)| property == name)?;
        let tag = schema.keywords()?.constant.as_ref()?.as_str()?;
        Some((name.clone(), tag.to_owned()))
    })
}

/// The pattern that matches `(text.len(), text)` when `text` is `expected`. Matching the length
/// first turns a chain of string comparisons into one jump on the length, then at most a few
/// comparisons of strings that long.
fn string_pattern(expected: &str) -> TokenStream {
    let length = Literal::usize_unsuffixed(expected.len());
    quote!((#length, #expected))
}

fn type_tests(types: &[JsonType], value: &TokenStream, runtime: &TokenStream) -> Vec<TokenStream> {
    types
        .iter()
        .map(|json_type| match json_type {
            JsonType::Null => quote!(#value.is_null()),
            JsonType::Boolean => quote!(#value.is_boolean()),
            JsonType::Object => quote!(#value.is_object()),
            JsonType::Array => quote!(#value.is_array()),
            JsonType::Number => quote!(#value.is_number()),
            JsonType::String => quote!(#value.is_string()),
            JsonType::Integer => quote!(#value.as_number().is_some_and(#runtime::is_integer)),
        })
        .collect()
}

/// `!test` for a call, `!(test)` for an operation such as `a == b`, `!(a || b)` for several
/// tests, any of which passes.
fn negation(tests: &[TokenStream]) -> TokenStream {
    let is_call = |test: &TokenStream| {
        matches!(syn::parse2::<syn::Expr>(test.clone()), Ok(syn::Expr::MethodCall(_) | syn::Expr::Call(_)))
    };
    match tests {
        [test] if is_call(test) => quote!(!#test),
        tests => quote!(!(#(#tests)||*)),
    }
}

/// A failure message, for the closure `report.fail` calls: the `format!` string `text`, whose
/// `{name}`s are bound first, so that `format!` reads names alone (prettyplease cannot lay out
/// the arguments of a macro, and breaks paths there over lines).
fn message(text: &str, bindings: &[(&str, TokenStream)]) -> TokenStream {
    let names = bindings.iter().map(|(name, _)| format_ident!("{name}"));
    let values = bindings.iter().map(|(_, value)| value);
    quote!({
        #(let #names = #values;)*
        format!(#text)
    })
}

/// The binding `found` of a message: how the value is described.
fn found(value: &TokenStream, runtime: &TokenStream) -> (&'static str, TokenStream) {
    ("found", quote!(#runtime::describe(#value)))
}

/// A constant in a `format!` string.
fn escape(text: &str) -> String {
    text.replace('{', "{{").replace('}', "}}")
}

fn number_bound(number: &serde_json::Number, runtime: &TokenStream) -> TokenStream {
    if let Some(value) = number.as_u64() {
        quote!(#runtime::Bound::Unsigned(#value))
    } else if let Some(value) = number.as_i64() {
        quote!(#runtime::Bound::Signed(#value))
    } else {
        let value = number.as_f64().unwrap_or(f64::NAN);
        let literal = Literal::f64_suffixed(value);
        quote!(#runtime::Bound::Float(#literal))
    }
}

/// A stable function name for the schema at `pointer` in `file`.
fn unit_name(file: &str, pointer: &str) -> String {
    let raw = format!("{}_{}", file.trim_end_matches(".json"), pointer);
    let mut name = String::from("check_");
    let mut last_was_separator = true;
    for c in raw.chars() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase()
                && !last_was_separator
                && name.chars().last().is_some_and(|l| l.is_ascii_lowercase())
            {
                name.push('_');
            }
            name.push(c.to_ascii_lowercase());
            last_was_separator = false;
        } else if !last_was_separator {
            name.push('_');
            last_was_separator = true;
        }
    }
    let name = name.trim_end_matches('_').to_owned();
    // Distinct pointers can sanitize alike (`a.b` and `a_b`): keep them apart with a hash.
    let hash = raw.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    format!("{name}_{:08x}", hash as u32)
}

/// `E.164 phone number` becomes `an E.164 phone number`; `Event ID` becomes `an event ID`.
fn with_article(title: &str) -> String {
    let mut chars = title.chars();
    let first = chars.next().unwrap_or(' ');
    let second = chars.next().unwrap_or(' ');
    let text = if first.is_uppercase() && second.is_lowercase() {
        format!("{}{}", first.to_lowercase(), &title[first.len_utf8()..])
    } else {
        title.to_owned()
    };
    let article = if text.starts_with(|c: char| "aeiouAEIOU".contains(c)) { "an" } else { "a" };
    format!("{article} {text}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_negated_comparison_keeps_its_parentheses() {
        let compare = quote!(value.as_bool() == ::core::option::Option::Some(true));
        assert_eq!(
            negation(&[compare]).to_string(),
            quote!(!(value.as_bool() == ::core::option::Option::Some(true))).to_string()
        );
        let call = quote!(value.is_string());
        assert_eq!(negation(&[call]).to_string(), quote!(!value.is_string()).to_string());
        let either = [quote!(value.is_null()), quote!(value.is_string())];
        assert_eq!(negation(&either).to_string(), quote!(!(value.is_null() || value.is_string())).to_string());
    }
}
