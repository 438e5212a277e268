//! Where the generated code finds the hand-written runtime of `audian-events`: every emitter takes
//! the paths it calls from one [`Runtime`], so that no emitter spells them out itself. The
//! generated items (the types of `schema/`) are named `crate::...` wherever they are used: the
//! generated modules are glob re-exported at the root of the crate.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// The paths of the runtime, all under one crate path.
#[derive(Debug, Clone)]
pub struct Runtime {
    krate: TokenStream,
}

impl Runtime {
    /// The runtime as seen from code generated into `audian-events` itself: `crate`.
    pub fn in_crate() -> Runtime {
        Runtime { krate: quote!(crate) }
    }

    /// An item at the root of the crate, such as `InvalidValue`.
    pub fn item(&self, name: &str) -> TokenStream {
        let (krate, name) = (&self.krate, format_ident!("{name}"));
        quote!(#krate::#name)
    }

    /// An item of `validation`, such as `validate_create_webhook`.
    pub fn validation_item(&self, name: &str) -> TokenStream {
        let (krate, name) = (&self.krate, format_ident!("{name}"));
        quote!(#krate::validation::#name)
    }

    /// `validation::runtime`: what the validators call.
    pub fn validation(&self) -> TokenStream {
        let krate = &self.krate;
        quote!(#krate::validation::runtime)
    }

    /// `de`: the modal deserialization of the typed events.
    pub fn de(&self) -> TokenStream {
        let krate = &self.krate;
        quote!(#krate::de)
    }

    /// `string_enum`: the deserialization of string enumerations that keep unknown values.
    pub fn string_enum(&self) -> TokenStream {
        let krate = &self.krate;
        quote!(#krate::string_enum)
    }

    /// `testing::values`: what the generated strategies are made of.
    pub fn testing(&self) -> TokenStream {
        let krate = &self.krate;
        quote!(#krate::testing::values)
    }

    /// The function that serializes a timestamp, as the string serde's `serialize_with` takes.
    pub fn serialize_timestamp(&self) -> String {
        let krate = &self.krate;
        quote!(#krate::timestamp::serialize).to_string().replace(' ', "")
    }
}
