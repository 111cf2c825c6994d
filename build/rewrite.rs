//! Rewrites of the generated syntax tree: the call surface and decoding
//! that progenitor's output does not give, applied by shape to every
//! operation and type (never by name), before the code is printed.
//!
//! - Builders (`mod builder`, `mod multipart`): progenitor's `send()`
//!   becomes the private `send_raw()`, its decoding step calls
//!   `crate::decode::response` (one decode, with the status and trace id at
//!   hand), and a new `send()` returns `clerk_backend::Result`. Each builder
//!   also implements `IntoFuture`, so `.await` on a builder sends it.
//!   `send_raw`, `send` and `into_future` are `#[inline]`: each is compiled
//!   (with the decoder it instantiates) in the application that calls it,
//!   not for every operation when this crate is built. An optional query
//!   parameter left out adds nothing to the URL (`optional_query`); the URL
//!   and headers are built with less work (`request.rs`).
//! - Open enums (`enum X { Known(XKnown), Unknown(String) }`, made by
//!   `normalize::forward_compatible_responses`): decoded from the string
//!   through `crate::decode::open_enum` instead of serde's buffering
//!   untagged decoding, and given `as_str`, `is_known`, `known` and
//!   comparisons with the known value and with strings.
//! - Structs: `Deserialize` written as one map visitor instead of serde's
//!   derive (`deserialize.rs`).
//! - String enums: `Deserialize` through one generic function given their
//!   texts (`string_enums.rs`).
//! - Untagged unions: `Deserialize` that reads the value once and tries
//!   each variant without building an error per miss (`unions.rs`).
//! - `#[cfg_attr(feature = "schemars", derive(JsonSchema))]` on every type.
//! - Type builders: only those a request body can use are kept
//!   (`prune.rs`).
//! - Collections (`Vec` and map fields with `#[serde(default)]`): decode
//!   `null` as empty through `crate::decode::null_as_empty`.
//! - Types only responses use serialise every field, empty or null
//!   (`serialize.rs`); request types still skip what the caller left out.

use super::walk;
use quote::ToTokens;
use std::collections::HashMap;
use syn::{Fields, ImplItem, Item, Type};

/// What was rewritten, for the build's notes.
#[derive(Debug, Default)]
pub struct Counts {
    pub builders: usize,
    pub open_enums: usize,
    pub unions: usize,
    pub collections: usize,
    pub dropped_type_builders: usize,
    pub struct_deserializers: usize,
    pub response_fields_kept: usize,
    pub string_enums: usize,
}

/// Rewrite `file` (the generated client, or the multipart builders) in place.
pub fn rewrite(file: &mut syn::File) -> Counts {
    let mut counts = Counts::default();
    let requests = super::prune::request_types(file);
    counts.dropped_type_builders += super::prune::unused_type_builders(file);
    for item in &mut file.items {
        let Item::Mod(m) = item else { continue };
        let Some((_, items)) = &mut m.content else {
            continue;
        };
        match m.ident.to_string().as_str() {
            "builder" | "multipart" => {
                counts.builders += builders(items);
                items.push(syn::parse_quote!(
                    #[allow(unused_imports)]
                    use crate::hooks::OptionalQuery as _;
                ));
            }
            "types" => {
                counts.open_enums += open_enums(items);
                counts.unions += super::unions::untagged(items);
                counts.collections += collections(items);
                counts.response_fields_kept +=
                    super::serialize::response_fields_kept(items, &requests);
                counts.struct_deserializers += super::deserialize::struct_impls(items);
                counts.string_enums += super::string_enums::string_enums(items);
                json_schemas(items);
            }
            _ => {}
        }
    }
    counts
}

/// `ResponseValue::from_response(r)` -> `crate::decode::response(r)`, and
/// adjacent status ranges with the same arm merged into one
/// (`400..=499 => x, 500..=599 => x` -> `400..=599 => x`): one decode
/// (one `.await`) less to check and compile in every operation.
struct DecodeOnce;

impl walk::Rewrite for DecodeOnce {
    fn expr(&mut self, expr: &mut syn::Expr) {
        match expr {
            syn::Expr::Match(m) => merge_adjacent_ranges(&mut m.arms),
            syn::Expr::Call(call) => {
                if let syn::Expr::Path(p) = &*call.func
                    && p.path.segments.len() == 2
                    && p.path.segments[0].ident == "ResponseValue"
                    && p.path.segments[1].ident == "from_response"
                {
                    *call.func = syn::parse_quote!(crate::decode::response);
                }
            }
            _ => {}
        }
    }
}

/// Each builder's fields holding an optional value
/// (`Result<Option<_>, String>`): the parameters a call may leave out.
fn optional_fields(items: &[Item]) -> HashMap<syn::Ident, Vec<String>> {
    let optional = |s: &syn::ItemStruct| -> Vec<String> {
        s.fields
            .iter()
            .filter(|f| {
                first_generic(&f.ty)
                    .and_then(last_segment)
                    .is_some_and(|seg| seg.ident == "Option")
            })
            .filter_map(|f| f.ident.as_ref().map(|i| i.to_string()))
            .collect()
    };
    items
        .iter()
        .filter_map(|i| match i {
            Item::Struct(s) => Some((s.ident.clone(), optional(s))),
            _ => None,
        })
        .collect()
}

/// `.query(&progenitor_client::QueryParam::new("n", &v))` with `v` an
/// optional parameter -> `.optional_query("n", &v)`, which adds nothing when
/// `v` is `None` (reqwest re-serialises the URL's query on every `.query`
/// call, even one that adds nothing) and the same pair as before otherwise.
struct SkipAbsentQuery<'a>(&'a [String]);

impl walk::Rewrite for SkipAbsentQuery<'_> {
    fn expr(&mut self, expr: &mut syn::Expr) {
        let syn::Expr::MethodCall(call) = expr else {
            return;
        };
        if call.method != "query" || call.args.len() != 1 {
            return;
        }
        let syn::Expr::Reference(arg) = &call.args[0] else {
            return;
        };
        let syn::Expr::Call(new) = &*arg.expr else {
            return;
        };
        let syn::Expr::Path(f) = &*new.func else {
            return;
        };
        if path_names(&f.path) != ["progenitor_client", "QueryParam", "new"] || new.args.len() != 2
        {
            return;
        }
        let syn::Expr::Reference(value) = &new.args[1] else {
            return;
        };
        let syn::Expr::Path(v) = &*value.expr else {
            return;
        };
        if !v
            .path
            .get_ident()
            .is_some_and(|i| self.0.contains(&i.to_string()))
        {
            return;
        }
        let (name, value) = (new.args[0].clone(), new.args[1].clone());
        call.method = syn::parse_quote!(optional_query);
        call.args = syn::parse_quote!(#name, #value);
    }
}

/// Merge each arm `a..=b => x` into the arm before it when that one is
/// `c..=(a - 1) => x` with the same `x` and no guards.
fn merge_adjacent_ranges(arms: &mut Vec<syn::Arm>) {
    let mut merged: Vec<syn::Arm> = Vec::with_capacity(arms.len());
    for arm in arms.drain(..) {
        if let Some(prev) = merged.last_mut()
            && let (Some((lo, _, end)), Some((start, hi, _))) = (int_range(prev), int_range(&arm))
            && end.checked_add(1) == start.base10_parse().ok()
            && prev.body.to_token_stream().to_string() == arm.body.to_token_stream().to_string()
        {
            prev.pat = syn::parse_quote!(#lo..=#hi);
            continue;
        }
        merged.push(arm);
    }
    *arms = merged;
}

/// The bounds of an unguarded arm `start..=end` whose bounds are integer
/// literals of one type, and the end's value.
fn int_range(arm: &syn::Arm) -> Option<(syn::LitInt, syn::LitInt, u64)> {
    let syn::Pat::Range(range) = &arm.pat else {
        return None;
    };
    // (A guarded arm's pattern is not a `Pat::Range` in syn 3.)
    if !matches!(range.limits, syn::RangeLimits::Closed(_)) {
        return None;
    }
    let lit = |e: &Option<Box<syn::Expr>>| match e.as_deref() {
        Some(syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(i),
            ..
        })) => Some(i.clone()),
        _ => None,
    };
    let (start, end) = (lit(&range.start)?, lit(&range.end)?);
    (start.suffix() == end.suffix()).then_some(())?;
    let value = end.base10_parse().ok()?;
    Some((start, end, value))
}

/// The `T` of `Result<ResponseValue<T>, _>`.
fn response_type(output: &syn::ReturnType) -> Option<Type> {
    let syn::ReturnType::Type(_, ty) = output else {
        return None;
    };
    let value = first_generic(ty)?;
    let last = last_segment(value)?;
    (last.ident == "ResponseValue").then(|| first_generic(value).cloned())?
}

/// The names of a path's segments: `["serde_json", "Value"]`.
pub(super) fn path_names(path: &syn::Path) -> Vec<String> {
    path.segments.iter().map(|s| s.ident.to_string()).collect()
}

pub(super) fn last_segment(ty: &Type) -> Option<&syn::PathSegment> {
    match ty {
        Type::Path(p) => p.path.segments.last(),
        _ => None,
    }
}

fn first_generic(ty: &Type) -> Option<&Type> {
    match &last_segment(ty)?.arguments {
        syn::PathArguments::AngleBracketed(a) => a.args.iter().find_map(|g| match g {
            syn::GenericArgument::Type(t) => Some(t),
            _ => None,
        }),
        _ => None,
    }
}

fn builders(items: &mut Vec<Item>) -> usize {
    let optional = optional_fields(items);
    let mut futures = Vec::new();
    for item in items.iter_mut() {
        let Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() {
            continue;
        }
        let Some(pos) = imp.items.iter().position(
            |i| matches!(i, ImplItem::Fn(f) if f.sig.ident == "send" && f.sig.asyncness.is_some()),
        ) else {
            continue;
        };
        let ImplItem::Fn(raw) = &mut imp.items[pos] else {
            unreachable!()
        };
        let Some(value) = response_type(&raw.sig.output) else {
            continue;
        };
        raw.attrs.retain(|a| !a.path().is_ident("doc"));
        raw.sig.ident = syn::parse_quote!(send_raw);
        raw.vis = syn::Visibility::Inherited;
        raw.attrs.push(syn::parse_quote!(#[inline]));
        walk::block(&mut raw.block, &mut DecodeOnce);
        super::request::rewrite(&mut raw.block);
        if let Some(fields) = last_segment(&imp.self_ty).and_then(|s| optional.get(&s.ident)) {
            walk::block(&mut raw.block, &mut SkipAbsentQuery(fields));
        }
        if let Some(split) = super::send::split(raw, &value) {
            imp.items[pos] = ImplItem::Fn(split.request);
            imp.items.push(ImplItem::Fn(split.send));
            let send: syn::Expr = syn::parse_quote!(self.send());
            futures.push((imp.self_ty.clone(), imp.generics.clone(), value, send));
            continue;
        }
        imp.items.push(syn::parse_quote! {
            /// Send the request.
            ///
            /// Errors are [`clerk_backend::Error`](crate::Error): Clerk's own
            /// (status, code, trace id), decoding, timeouts and transport.
            /// Awaiting the builder itself does the same.
            #[inline]
            pub async fn send(self) -> crate::Result<ResponseValue<#value>> {
                self.send_raw().await.map_err(crate::Error::from)
            }
        });
        // An async `send`'s future boxed into the same `ResponseFuture`.
        let send: syn::Expr = syn::parse_quote!(::std::boxed::Box::pin(self.send()));
        futures.push((imp.self_ty.clone(), imp.generics.clone(), value, send));
    }
    let n = futures.len();
    for (ty, generics, value, send) in futures {
        items.push(syn::parse_quote! {
            impl #generics ::std::future::IntoFuture for #ty {
                type Output = crate::Result<ResponseValue<#value>>;
                type IntoFuture = crate::ResponseFuture<'a, #value>;
                /// Send the request, as [`send`](Self::send).
                #[inline]
                fn into_future(self) -> Self::IntoFuture {
                    #send
                }
            }
        });
    }
    n
}

/// The JSON text of each unit variant of a string enum (its
/// `#[serde(rename)]`, else its name), or `None` if it is not one.
pub(super) fn string_values(e: &syn::ItemEnum) -> Option<Vec<(syn::Ident, String)>> {
    e.variants
        .iter()
        .map(|v| {
            if !matches!(v.fields, Fields::Unit) {
                return None;
            }
            let mut text = v.ident.to_string();
            for attr in v.attrs.iter().filter(|a| a.path().is_ident("serde")) {
                let _ = attr.parse_nested_meta(|meta| {
                    if meta.path.is_ident("rename") {
                        let s: syn::LitStr = meta.value()?.parse()?;
                        text = s.value();
                    } else if meta.input.peek(syn::Token![=]) {
                        let _: syn::Expr = meta.value()?.parse()?;
                    }
                    Ok(())
                });
            }
            Some((v.ident.clone(), text))
        })
        .collect()
}

/// Whether `e` is `#[serde(untagged)]`.
pub(super) fn is_untagged(e: &syn::ItemEnum) -> bool {
    e.attrs.iter().any(|a| {
        let mut untagged = false;
        if a.path().is_ident("serde") {
            let _ = a.parse_nested_meta(|m| {
                untagged |= m.path.is_ident("untagged");
                Ok(())
            });
        }
        untagged
    })
}

/// `enum X { Known(K), Unknown(String) }` with `#[serde(untagged)]`: the
/// names of X and K.
fn open_enum_shape(e: &syn::ItemEnum) -> Option<(syn::Ident, Type)> {
    if !is_untagged(e) || e.variants.len() != 2 {
        return None;
    }
    let one = |i: usize, name: &str| -> Option<Type> {
        let v = &e.variants[i];
        let Fields::Unnamed(f) = &v.fields else {
            return None;
        };
        (v.ident == name && f.unnamed.len() == 1).then(|| f.unnamed[0].ty.clone())
    };
    let known = one(0, "Known")?;
    let unknown = one(1, "Unknown")?;
    (last_segment(&unknown)?.ident == "String").then(|| (e.ident.clone(), known))
}

fn open_enums(items: &mut Vec<Item>) -> usize {
    let values: std::collections::HashMap<String, Vec<(syn::Ident, String)>> = items
        .iter()
        .filter_map(|i| match i {
            Item::Enum(e) => Some((e.ident.to_string(), string_values(e)?)),
            _ => None,
        })
        .collect();
    let mut added: Vec<Item> = Vec::new();
    let mut opened = 0;
    let mut with_as_str = std::collections::HashSet::new();
    for item in items.iter_mut() {
        let Item::Enum(e) = item else { continue };
        let Some((name, known)) = open_enum_shape(e) else {
            continue;
        };
        remove_derive(&mut e.attrs, "Deserialize");
        opened += 1;
        added.push(syn::parse_quote! {
            impl<'de> ::serde::Deserialize<'de> for #name {
                fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                    Ok(match crate::decode::open_enum::<D, #known>(d)? {
                        Ok(known) => Self::Known(known),
                        Err(raw) => Self::Unknown(raw),
                    })
                }
            }
        });
        let known_name = last_segment(&known).map(|s| s.ident.to_string());
        // The helpers need the known values' texts.
        let Some(variants) = known_name.as_ref().and_then(|k| values.get(k)) else {
            continue;
        };
        let idents = variants.iter().map(|(i, _)| i);
        let texts = variants.iter().map(|(_, t)| t);
        // A known type can serve several open enums: one `as_str` for it.
        if with_as_str.insert(known_name.clone()) {
            added.push(syn::parse_quote! {
                impl #known {
                    /// The value as it is on the wire.
                pub fn as_str(&self) -> &'static str {
                        match self { #(Self::#idents => #texts,)* }
                    }
                }
            });
        }
        added.push(syn::parse_quote! {
            impl #name {
                /// The value as Clerk sent it, known or not.
                pub fn as_str(&self) -> &str {
                    match self { Self::Known(k) => k.as_str(), Self::Unknown(raw) => raw }
                }
                /// Whether this version of the crate knows the value.
                pub fn is_known(&self) -> bool {
                    matches!(self, Self::Known(_))
                }
                /// The known value, if it is one.
                pub fn known(&self) -> ::std::option::Option<&#known> {
                    match self { Self::Known(k) => Some(k), Self::Unknown(_) => None }
                }
            }
        });
        added.push(syn::parse_quote! {
            impl ::std::cmp::PartialEq<#known> for #name {
                fn eq(&self, other: &#known) -> bool {
                    matches!(self, Self::Known(k) if k == other)
                }
            }
        });
        added.push(syn::parse_quote! {
            impl ::std::cmp::PartialEq<str> for #name {
                fn eq(&self, other: &str) -> bool {
                    self.as_str() == other
                }
            }
        });
        added.push(syn::parse_quote! {
            impl ::std::cmp::PartialEq<&str> for #name {
                fn eq(&self, other: &&str) -> bool {
                    self.as_str() == *other
                }
            }
        });
    }
    let n = opened;
    // typify's `TryFrom<&str>`, `TryFrom<&String>` and `TryFrom<String>`
    // on the known halves: they serve builder setters, and these types only
    // come in responses (`FromStr` stays). Each such impl costs about 20 ms
    // of the crate's compile time.
    let known: std::collections::HashSet<String> = with_as_str.into_iter().flatten().collect();
    items.retain(|item| !is_try_from_impl_for(item, &known));
    items.extend(added);
    n
}

/// `impl TryFrom<..> for X` with `X` in `types`.
fn is_try_from_impl_for(item: &Item, types: &std::collections::HashSet<String>) -> bool {
    let Item::Impl(imp) = item else { return false };
    let is_try_from = imp
        .trait_
        .as_ref()
        .and_then(|(path, _)| path.segments.last())
        .is_some_and(|s| s.ident == "TryFrom");
    is_try_from && last_segment(&imp.self_ty).is_some_and(|s| types.contains(&s.ident.to_string()))
}

/// With the crate's `schemars` feature, every type derives
/// `schemars::JsonSchema` (the JSON Schema of what the type accepts).
fn json_schemas(items: &mut [Item]) {
    for item in items.iter_mut() {
        if let Item::Struct(syn::ItemStruct { attrs, .. })
        | Item::Enum(syn::ItemEnum { attrs, .. }) = item
        {
            attrs.push(syn::parse_quote!(
                #[cfg_attr(feature = "schemars", derive(::schemars::JsonSchema))]
            ));
        }
    }
}

/// Drop `name` from `#[derive(...)]` lists.
pub(super) fn remove_derive(attrs: &mut [syn::Attribute], name: &str) {
    for attr in attrs.iter_mut() {
        let Some(paths) = derive_list(attr) else {
            continue;
        };
        let kept = paths
            .into_iter()
            .filter(|p| p.segments.last().is_none_or(|s| s.ident != name));
        *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
    }
}

/// Whether a `#[derive(...)]` among `attrs` names `name`.
pub(super) fn derives(attrs: &[syn::Attribute], name: &str) -> bool {
    attrs.iter().filter_map(derive_list).any(|paths| {
        paths
            .iter()
            .any(|p| p.segments.last().is_some_and(|s| s.ident == name))
    })
}

/// The paths of a `#[derive(...)]` attribute; `None` for other attributes.
fn derive_list(
    attr: &syn::Attribute,
) -> Option<syn::punctuated::Punctuated<syn::Path, syn::Token![,]>> {
    if !attr.path().is_ident("derive") {
        return None;
    }
    attr.parse_args_with(syn::punctuated::Punctuated::parse_terminated)
        .ok()
}

fn is_collection(ty: &Type) -> bool {
    last_segment(ty).is_some_and(|s| {
        matches!(
            s.ident.to_string().as_str(),
            "Vec" | "Map" | "HashMap" | "BTreeMap"
        )
    })
}

fn collections(items: &mut [Item]) -> usize {
    let mut n = 0;
    for item in items.iter_mut() {
        let Item::Struct(s) = item else { continue };
        for field in s.fields.iter_mut() {
            let defaulted = field.attrs.iter().any(|a| {
                a.path().is_ident("serde") && a.to_token_stream().to_string().contains("default")
            });
            if defaulted && is_collection(&field.ty) {
                field.attrs.push(syn::parse_quote!(
                    #[serde(deserialize_with = "crate::decode::null_as_empty")]
                ));
                n += 1;
            }
        }
    }
    n
}
