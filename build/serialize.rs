//! Response types serialise every field they have.
//!
//! typify marks optional fields `skip_serializing_if` (`Option::is_none`,
//! `Vec::is_empty`, `Map::is_empty`): right for a request body, which should
//! carry only what the caller set, but a decoded response serialised again
//! (an application forwarding a `User` to its frontend) would lose the keys
//! of its empty lists and null fields, which the frontend may index. So the
//! types only responses use drop those attributes: `[]`, `{}` and `null`
//! come out as they came in. Types a request can carry
//! (`prune::request_types`) keep them, so request bodies are unchanged.
//!
//! The price: a field Clerk left out comes out as `null` (an `Option` cannot
//! tell absent from `null`); Clerk's servers send their fields, `null` or
//! not, so this is the closer of the two to what came.

use quote::ToTokens;
use std::collections::BTreeSet;
use syn::punctuated::Punctuated;
use syn::{Item, Meta, Token};

/// Drop `skip_serializing_if` from the fields of every struct in `items`
/// not named in `requests`; returns how many fields changed.
pub fn response_fields_kept(items: &mut [Item], requests: &BTreeSet<String>) -> usize {
    let mut n = 0;
    for item in items.iter_mut() {
        let Item::Struct(s) = item else { continue };
        if requests.contains(&s.ident.to_string()) {
            continue;
        }
        for field in s.fields.iter_mut() {
            let mut changed = false;
            field.attrs.retain_mut(|attr| match without_skip(attr) {
                Some(Some(kept)) => {
                    *attr = kept;
                    changed = true;
                    true
                }
                Some(None) => {
                    changed = true;
                    false
                }
                None => true,
            });
            n += usize::from(changed);
        }
    }
    n
}

/// For a `#[serde(..)]` attribute with `skip_serializing_if`: the attribute
/// without it (`Some(None)` when nothing else is left). `None` when there
/// is nothing to drop (or the attribute is not one this pass reads).
fn without_skip(attr: &syn::Attribute) -> Option<Option<syn::Attribute>> {
    if !attr.path().is_ident("serde") {
        return None;
    }
    let metas = attr
        .parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated)
        .ok()?;
    let is_skip = |m: &Meta| m.path().is_ident("skip_serializing_if");
    if !metas.iter().any(is_skip) {
        return None;
    }
    let kept: Punctuated<Meta, Token![,]> = metas.into_iter().filter(|m| !is_skip(m)).collect();
    if kept.is_empty() {
        return Some(None);
    }
    let tokens = kept.to_token_stream();
    Some(Some(syn::parse_quote!(#[serde(#tokens)])))
}
