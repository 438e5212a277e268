//! The layout of generated Rust: prettyplease, with a blank line between top-level items and
//! between the items of an `impl`, which prettyplease does not put and a reviewer of the diffs
//! of generated files reads by.

use syn::{Attribute, ImplItem, Item};

/// An attribute that stands for a blank line: put on an item, prettyplease prints it on a line
/// of its own, which then becomes empty.
const BLANK_LINE: &str = "__codegen_blank_line__";

/// Formats a file: every item but the first (and the first too after the file's `//!` docs) and
/// every item of an `impl` but its first gets a blank line before it, except a `use` after a
/// `use`.
pub fn unparse(mut file: syn::File) -> String {
    let has_inner_docs = !file.attrs.is_empty();
    let mut after_use = false;
    for (index, item) in file.items.iter_mut().enumerate() {
        // Imports stay together, as rustfmt keeps them.
        let is_use = matches!(item, Item::Use(_));
        if (index > 0 || has_inner_docs) && !(is_use && after_use) {
            mark(item_attrs(item));
        }
        after_use = is_use;
        if let Item::Impl(block) = item {
            for impl_item in block.items.iter_mut().skip(1) {
                mark(impl_item_attrs(impl_item));
            }
        }
    }
    let marker = format!("#[{BLANK_LINE}]");
    prettyplease::unparse(&file)
        .lines()
        .map(|line| if line.trim() == marker { "" } else { line })
        .flat_map(|line| [line, "\n"])
        .collect()
}

fn mark(attrs: Option<&mut Vec<Attribute>>) {
    if let Some(attrs) = attrs {
        let ident = syn::Ident::new(BLANK_LINE, proc_macro2::Span::call_site());
        attrs.insert(0, syn::parse_quote!(#[#ident]));
    }
}

fn item_attrs(item: &mut Item) -> Option<&mut Vec<Attribute>> {
    Some(match item {
        Item::Const(item) => &mut item.attrs,
        Item::Enum(item) => &mut item.attrs,
        Item::ExternCrate(item) => &mut item.attrs,
        Item::Fn(item) => &mut item.attrs,
        Item::ForeignMod(item) => &mut item.attrs,
        Item::Impl(item) => &mut item.attrs,
        Item::Macro(item) => &mut item.attrs,
        Item::Mod(item) => &mut item.attrs,
        Item::Static(item) => &mut item.attrs,
        Item::Struct(item) => &mut item.attrs,
        Item::Trait(item) => &mut item.attrs,
        Item::TraitAlias(item) => &mut item.attrs,
        Item::Type(item) => &mut item.attrs,
        Item::Union(item) => &mut item.attrs,
        Item::Use(item) => &mut item.attrs,
        _ => return None,
    })
}

fn impl_item_attrs(item: &mut ImplItem) -> Option<&mut Vec<Attribute>> {
    Some(match item {
        ImplItem::Const(item) => &mut item.attrs,
        ImplItem::Fn(item) => &mut item.attrs,
        ImplItem::Type(item) => &mut item.attrs,
        ImplItem::Macro(item) => &mut item.attrs,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_and_impl_items_are_apart() {
        let file: syn::File = syn::parse_quote! {
            /// A.
            struct A;
            impl A {
                const N: u8 = 1;
                /// Doc.
                fn f() {}
            }
            fn g() {}
        };
        let expected =
            "/// A.\nstruct A;\n\nimpl A {\n    const N: u8 = 1;\n\n    /// Doc.\n    fn f() {}\n}\n\nfn g() {}\n";
        assert_eq!(unparse(file), expected);
    }

    #[test]
    fn a_string_that_looks_like_the_marker_is_kept() {
        let file: syn::File = syn::parse_quote! {
            const S: &str = "#[__codegen_blank_line__]";
        };
        assert!(unparse(file).contains("\"#[__codegen_blank_line__]\""));
    }
}
