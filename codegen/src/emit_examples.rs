//! Emits the documented examples as constants, so that users' tests can use them.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::events::EventDef;

pub fn examples(events: &[EventDef]) -> TokenStream {
    let with_example: Vec<&EventDef> = events.iter().filter(|event| event.example.is_some()).collect();
    let constants: Vec<_> =
        with_example.iter().map(|event| format_ident!("{}", screaming_snake(&event.name))).collect();
    let variants = with_example.iter().map(|event| format_ident!("{}", event.rust_name));
    let texts = with_example.iter().map(|event| {
        serde_json::to_string_pretty(event.example.as_ref().expect("filtered")).expect("a JSON value serializes")
    });
    let docs = with_example
        .iter()
        .map(|event| format!(" The documented example of `{}`, as in the API reference.", event.name));
    let count = proc_macro2::Literal::usize_unsuffixed(with_example.len());
    quote! {
        #(
            #[doc = #docs]
            pub const #constants: &str = #texts;
        )*

        /// Every documented example, with its event type, in the order of the schemas.
        pub const ALL: [(crate::EventType, &str); #count] = [#((crate::EventType::#variants, #constants)),*];

        /// The documented example of an event type, if it has one.
        pub fn example(event_type: &crate::EventType) -> ::core::option::Option<&'static str> {
            ALL.iter().find(|(known, _)| known == event_type).map(|(_, text)| *text)
        }
    }
}

fn screaming_snake(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' }).collect()
}
