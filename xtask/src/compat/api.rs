//! The generated Rust API of a version of the schemas, as users compile against it: the public
//! structs with their fields and the public enums with their variants of the files that
//! `codegen::generate` writes for the types (`common.rs`, `events.rs`, `webhooks.rs`), each
//! type written as tokens. Two versions compared give the bump the API needs.

use std::collections::BTreeMap;
use std::path::Path;

use codegen::SchemaSet;
use quote::ToTokens;

use super::diff::Documents;
use super::semver::Bump;

/// The generated files whose public items are the crate's data types.
const TYPE_FILES: &[&str] = &[
    "audian-events/src/generated/common.rs",
    "audian-events/src/generated/events.rs",
    "audian-events/src/generated/webhooks.rs",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// Fields by name (`0` for a tuple struct's), each with its type.
    Struct { non_exhaustive: bool, fields: BTreeMap<String, String> },
    /// Variants by name, each with its fields written out.
    Enum { non_exhaustive: bool, variants: BTreeMap<String, String> },
    /// Anything else public: a type alias, a constant, written out.
    Other(String),
}

/// The public items by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Api {
    pub items: BTreeMap<String, Item>,
}

impl Api {
    /// The API generated from `documents`; `None` when the generator refuses them (the API is
    /// then judged by the rules of the change's kind).
    pub fn of(documents: &Documents) -> Option<Api> {
        let listed = documents.iter().map(|(path, value)| (path.clone(), value.clone())).collect();
        let set = SchemaSet::from_documents(Path::new("schema"), listed).ok()?;
        // The generator refuses what it cannot type with an error; a panic on a schema it was
        // never meant to see is a refusal too, not the end of the comparison.
        let files = std::panic::catch_unwind(|| codegen::generate(&set)).ok()?.ok()?;
        let mut api = Api::default();
        for file in files.iter().filter(|file| TYPE_FILES.contains(&file.path.as_str())) {
            let parsed: syn::File = syn::parse_file(&file.contents).ok()?;
            for item in parsed.items {
                api.add(item);
            }
        }
        Some(api)
    }

    fn add(&mut self, item: syn::Item) {
        let public = |visibility: &syn::Visibility| matches!(visibility, syn::Visibility::Public(_));
        let non_exhaustive = |attributes: &[syn::Attribute]| {
            attributes.iter().any(|attribute| attribute.path().is_ident("non_exhaustive"))
        };
        match item {
            syn::Item::Struct(item) if public(&item.vis) => {
                let fields = item
                    .fields
                    .iter()
                    .enumerate()
                    .filter(|(_, field)| public(&field.vis))
                    .map(|(index, field)| {
                        let name = field.ident.as_ref().map_or_else(|| index.to_string(), ToString::to_string);
                        (name, field.ty.to_token_stream().to_string())
                    })
                    .collect();
                let private_fields = item.fields.iter().any(|field| !public(&field.vis));
                self.items.insert(
                    item.ident.to_string(),
                    // A struct with a private field cannot be built by users either.
                    Item::Struct { non_exhaustive: non_exhaustive(&item.attrs) || private_fields, fields },
                );
            }
            syn::Item::Enum(item) if public(&item.vis) => {
                let variants = item
                    .variants
                    .iter()
                    .map(|variant| (variant.ident.to_string(), variant.fields.to_token_stream().to_string()))
                    .collect();
                self.items.insert(
                    item.ident.to_string(),
                    Item::Enum { non_exhaustive: non_exhaustive(&item.attrs), variants },
                );
            }
            syn::Item::Type(item) if public(&item.vis) => {
                self.items.insert(item.ident.to_string(), Item::Other(item.ty.to_token_stream().to_string()));
            }
            syn::Item::Const(item) if public(&item.vis) => {
                self.items.insert(item.ident.to_string(), Item::Other(item.ty.to_token_stream().to_string()));
            }
            _ => {}
        }
    }
}

/// The bump from `old` to `new`, and why: what was removed, retyped, or added where users build
/// or match exhaustively is major; anything else added is minor.
pub fn compare(old: &Api, new: &Api) -> (Bump, Vec<String>) {
    let mut bump = Bump::None;
    let mut reasons = Vec::new();
    let mut note = |level: Bump, reason: String| {
        if level > bump {
            bump = level;
        }
        if level == Bump::Major {
            reasons.push(reason);
        }
    };
    for (name, before) in &old.items {
        let Some(after) = new.items.get(name) else {
            note(Bump::Major, format!("`{name}` removed"));
            continue;
        };
        match (before, after) {
            (
                Item::Struct { fields: old_fields, non_exhaustive: old_closed },
                Item::Struct { fields: new_fields, non_exhaustive: new_closed },
            ) => {
                for (field, ty) in old_fields {
                    match new_fields.get(field) {
                        None => note(Bump::Major, format!("field `{name}::{field}` removed")),
                        Some(new_ty) if new_ty != ty => {
                            note(Bump::Major, format!("field `{name}::{field}` retyped: `{ty}` -> `{new_ty}`"))
                        }
                        Some(_) => {}
                    }
                }
                for field in new_fields.keys().filter(|field| !old_fields.contains_key(*field)) {
                    if *old_closed {
                        note(Bump::Minor, String::new());
                    } else {
                        note(Bump::Major, format!("field `{name}::{field}` added to a struct users can build"));
                    }
                }
                if *new_closed && !*old_closed {
                    note(Bump::Major, format!("`{name}` made non-exhaustive"));
                }
            }
            (
                Item::Enum { variants: old_variants, non_exhaustive: old_open },
                Item::Enum { variants: new_variants, non_exhaustive: new_open },
            ) => {
                for (variant, fields) in old_variants {
                    match new_variants.get(variant) {
                        None => note(Bump::Major, format!("variant `{name}::{variant}` removed")),
                        Some(new_fields) if new_fields != fields => {
                            note(Bump::Major, format!("variant `{name}::{variant}` retyped"))
                        }
                        Some(_) => {}
                    }
                }
                for variant in new_variants.keys().filter(|variant| !old_variants.contains_key(*variant)) {
                    if *old_open {
                        note(Bump::Minor, String::new());
                    } else {
                        note(Bump::Major, format!("variant `{name}::{variant}` added to an exhaustive enum"));
                    }
                }
                if *new_open && !*old_open {
                    note(Bump::Major, format!("`{name}` made non-exhaustive"));
                }
            }
            (before, after) if before != after => note(Bump::Major, format!("`{name}` changed kind or type")),
            _ => {}
        }
    }
    if new.items.keys().any(|name| !old.items.contains_key(name)) {
        note(Bump::Minor, String::new());
    }
    (bump, reasons)
}
