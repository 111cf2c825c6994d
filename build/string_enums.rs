//! String enums (unit variants, each one wire text): `Deserialize` through
//! one generic function of the runtime (`crate::decode::string_enum`) given
//! the enum's texts and values, instead of serde's derive, which writes a
//! field enum, two visitors and five `visit_*` methods for every enum (some
//! 230 of them, a tenth of the generated types' compile time). What they
//! accept is serde's: the enum protocol of any format (a JSON string, a
//! variant index), with serde's messages for an unknown value.
//!
//! An enum with serde attributes of its own, or a variant with any but
//! `rename`, keeps the derive: its reading is not only its texts.

use super::deserialize::has_serde_attrs;
use super::rewrite::{derives, remove_derive, string_values};
use syn::Item;

/// Rewrite the string enums among `items`; returns how many.
pub fn string_enums(items: &mut Vec<Item>) -> usize {
    let mut added: Vec<Item> = Vec::new();
    for item in items.iter_mut() {
        let Item::Enum(e) = item else { continue };
        if !plain(e) {
            continue;
        }
        let Some(values) = string_values(e) else {
            continue;
        };
        remove_derive(&mut e.attrs, "Deserialize");
        let name = &e.ident;
        let text = name.to_string();
        let idents = values.iter().map(|(i, _)| i);
        let texts = values.iter().map(|(_, t)| t);
        added.push(syn::parse_quote! {
            impl<'de> ::serde::Deserialize<'de> for #name {
                fn deserialize<D: ::serde::Deserializer<'de>>(
                    deserializer: D,
                ) -> ::std::result::Result<Self, D::Error> {
                    crate::decode::string_enum(deserializer, #text, &[#(#texts),*], &[#(Self::#idents),*])
                }
            }
        });
    }
    let n = added.len();
    items.extend(added);
    n
}

/// Derives `Deserialize` and `Copy`, has no generics and no serde
/// attribute of its own, and its variants none but `rename`.
fn plain(e: &syn::ItemEnum) -> bool {
    derives(&e.attrs, "Deserialize")
        && derives(&e.attrs, "Copy")
        && e.generics.params.is_empty()
        && !has_serde_attrs(&e.attrs)
        && e.variants.iter().all(|v| {
            v.attrs
                .iter()
                .filter(|a| a.path().is_ident("serde"))
                .all(only_rename)
        })
}

/// `#[serde(rename = "..")]` and nothing else.
fn only_rename(attr: &syn::Attribute) -> bool {
    let mut only = true;
    let parsed = attr.parse_nested_meta(|meta| {
        only &= meta.path.is_ident("rename");
        if meta.input.peek(syn::Token![=]) {
            let _: syn::Expr = meta.value()?.parse()?;
        } else if !meta.input.is_empty() && !meta.input.peek(syn::Token![,]) {
            only = false;
            let _: proc_macro2::TokenStream = meta.input.parse()?;
        }
        Ok(())
    });
    only && parsed.is_ok()
}
