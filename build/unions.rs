//! `Deserialize` for the untagged unions of the generated types (typify's
//! `#[serde(untagged)] enum X { A(A), B(B), Other(serde_json::Value) }`),
//! written to read the value once into `crate::union::Buffer` and try each
//! variant on it in order, as serde's derive does, but without building a
//! formatted error for every variant that does not fit (`src/runtime/union.rs`).
//!
//! Only enums of newtype variants without `#[serde]` attributes of their
//! own are rewritten (the shape typify gives `oneOf`/`anyOf`); any other
//! untagged enum keeps serde's derive. Open enums (`Known`/`Unknown`) are
//! rewritten before this pass and no longer derive `Deserialize`.

use super::rewrite::{derives, is_untagged, path_names, remove_derive};
use syn::{Fields, Item, Type};

/// Rewrite every untagged union of `items`; returns how many.
pub fn untagged(items: &mut Vec<Item>) -> usize {
    let mut added: Vec<Item> = Vec::new();
    for item in items.iter_mut() {
        let Item::Enum(e) = item else { continue };
        let Some(variants) = union_variants(e) else {
            continue;
        };
        remove_derive(&mut e.attrs, "Deserialize");
        added.push(union_impl(&e.ident, &variants));
    }
    let n = added.len();
    items.extend(added);
    n
}

/// The `(variant, type)` pairs of an untagged enum of newtype variants that
/// derives `Deserialize`; `None` for any other enum.
fn union_variants(e: &syn::ItemEnum) -> Option<Vec<(syn::Ident, Type)>> {
    if !is_untagged(e)
        || !derives(&e.attrs, "Deserialize")
        || !e.generics.params.is_empty()
        || e.variants.is_empty()
    {
        return None;
    }
    e.variants
        .iter()
        .map(|v| {
            let Fields::Unnamed(f) = &v.fields else {
                return None;
            };
            let own_serde = v.attrs.iter().any(|a| a.path().is_ident("serde"));
            match (f.unnamed.len(), own_serde, v.discriminant.is_some()) {
                (1, false, false) => Some((v.ident.clone(), f.unnamed[0].ty.clone())),
                _ => None,
            }
        })
        .collect()
}

/// Whether `ty` is `serde_json::Value` (a union's catch-all).
fn is_json_value(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if path_names(&p.path) == ["serde_json", "Value"])
}

fn union_impl(name: &syn::Ident, variants: &[(syn::Ident, Type)]) -> Item {
    let (last, tried) = variants.split_last().expect("a union has variants");
    let tries = tried.iter().map(|(v, ty)| {
        quote::quote! {
            if let ::std::option::Option::Some(value) = buffer.decode::<#ty>() {
                return ::std::result::Result::Ok(Self::#v(value));
            }
        }
    });
    let (v, ty) = last;
    let end = if is_json_value(ty) {
        quote::quote!(::std::result::Result::Ok(Self::#v(buffer.to_value())))
    } else {
        let text = name.to_string();
        quote::quote! {
            match buffer.decode::<#ty>() {
                ::std::option::Option::Some(value) => ::std::result::Result::Ok(Self::#v(value)),
                ::std::option::Option::None => ::std::result::Result::Err(crate::union::no_variant(#text)),
            }
        }
    };
    syn::parse_quote! {
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                let buffer = crate::union::Buffer::deserialize(deserializer)?;
                #(#tries)*
                #end
            }
        }
    }
}
