//! Glue between the generated list operations and `src/ext.rs`: an
//! implementation of `crate::ext::Paginate` for the builder of every
//! operation that pages with `limit` and `offset` (Clerk's convention) and
//! returns either a bare array or a `{data: [...], total_count}` object.
//!
//! Types are read from the generated code (the return type of each
//! builder's `send()` and the fields of the page type), so the glue follows
//! whatever spec is dropped in.

use super::normalize::METHODS;
use heck::ToPascalCase;
use quote::ToTokens;
use serde_json::Value;
use std::collections::HashMap;
use std::fmt::Write;

fn module<'a>(file: &'a syn::File, name: &str) -> &'a [syn::Item] {
    file.items
        .iter()
        .find_map(|item| match item {
            syn::Item::Mod(m) if m.ident == name => m.content.as_ref().map(|(_, i)| i.as_slice()),
            _ => None,
        })
        .unwrap_or(&[])
}

/// builder struct -> the `T` of `send() -> Result<ResponseValue<T>, _>`.
pub(super) fn send_types(file: &syn::File) -> HashMap<String, syn::Type> {
    let mut out = HashMap::new();
    for item in module(file, "builder") {
        let syn::Item::Impl(imp) = item else { continue };
        let syn::Type::Path(p) = &*imp.self_ty else {
            continue;
        };
        let Some(name) = p.path.segments.last().map(|s| s.ident.to_string()) else {
            continue;
        };
        for it in &imp.items {
            let syn::ImplItem::Fn(f) = it else { continue };
            if f.sig.ident != "send" {
                continue;
            }
            let syn::ReturnType::Type(_, ty) = &f.sig.output else {
                continue;
            };
            if let Some(t) = first_generic(ty).and_then(first_generic) {
                out.insert(name.clone(), t.clone());
            }
        }
    }
    out
}

/// `A<B, ..>` -> `B`.
/// The types `send()` returns, by builder name (the operationId in
/// PascalCase), multipart operations included; raw JSON, `()` and byte
/// streams, which accept any body, left out.
pub(super) fn decoded_types(
    file: &syn::File,
    multipart: &[super::normalize::MultipartOp],
) -> HashMap<String, String> {
    let mut out: HashMap<String, String> = send_types(file)
        .into_iter()
        .map(|(builder, ty)| (builder, tokens(&ty)))
        .filter(|(_, ty)| {
            !(ty.contains("serde_json :: Value") || ty == "()" || ty.contains("ByteStream"))
        })
        .collect();
    for op in multipart {
        if let Some(r) = &op.success_schema {
            let ty = format!("types::{}", super::multipart::type_name(r));
            out.insert(op.operation_id.to_pascal_case(), ty);
        }
    }
    out
}

fn first_generic(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        syn::GenericArgument::Type(t) => Some(t),
        _ => None,
    }
}

fn last_ident(ty: &syn::Type) -> Option<String> {
    let syn::Type::Path(p) = ty else { return None };
    p.path.segments.last().map(|s| s.ident.to_string())
}

/// struct in `mod types` -> (field -> type).
fn struct_fields(file: &syn::File) -> HashMap<String, HashMap<String, syn::Type>> {
    let mut out = HashMap::new();
    for item in module(file, "types") {
        let syn::Item::Struct(s) = item else { continue };
        let fields = s
            .fields
            .iter()
            .filter_map(|f| Some((f.ident.as_ref()?.to_string(), f.ty.clone())))
            .collect();
        out.insert(s.ident.to_string(), fields);
    }
    out
}

pub(super) fn tokens(ty: &syn::Type) -> String {
    ty.to_token_stream().to_string()
}

fn in_types(ty: &syn::Type) -> String {
    // Types inside `mod types` name their siblings without the module.
    let t = tokens(ty);
    if t.starts_with("::") || t.starts_with("types") {
        t
    } else {
        format!("types :: {t}")
    }
}

pub fn generate(spec: &Value, file: &syn::File) -> String {
    let sends = send_types(file);
    let structs = struct_fields(file);
    let mut out = String::new();
    let paths = spec["paths"].as_object().cloned().unwrap_or_default();
    for item in paths.values() {
        for (method, op) in item.as_object().into_iter().flatten() {
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            let params: Vec<(&str, &str)> = op
                .get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|p| {
                    Some((
                        p.get("name")?.as_str()?,
                        p.pointer("/schema/type")?.as_str()?,
                    ))
                })
                .collect();
            let integer = |n: &str| {
                params
                    .iter()
                    .any(|(name, ty)| *name == n && *ty == "integer")
            };
            if !(integer("limit") && integer("offset")) {
                continue;
            }
            let id = op["operationId"].as_str().unwrap_or_default();
            let builder = id.to_pascal_case();
            let Some(page) = sends.get(&builder) else {
                continue;
            };
            let (item, split) = if last_ident(page).as_deref() == Some("Vec") {
                let Some(item) = first_generic(page) else {
                    continue;
                };
                (tokens(item), "(page, None)".to_string())
            } else {
                let Some(fields) = last_ident(page).and_then(|n| structs.get(&n)) else {
                    continue;
                };
                let Some(data) = fields.get("data") else {
                    continue;
                };
                // `data` is `Vec<T>`, or `Option<Vec<T>>` once made null-tolerant.
                let (vec, optional) = match last_ident(data).as_deref() {
                    Some("Option") => (first_generic(data), true),
                    _ => (Some(data), false),
                };
                let Some(item) = vec
                    .filter(|t| last_ident(t).as_deref() == Some("Vec"))
                    .and_then(first_generic)
                else {
                    continue;
                };
                let data = if optional {
                    "page.data.unwrap_or_default()"
                } else {
                    "page.data"
                };
                let total = if fields.contains_key("total_count") {
                    "Some(crate::ext::Count::count(&page.total_count))"
                } else {
                    "None"
                };
                (
                    in_types(item),
                    format!("{{ let total = {total}; ({data}, total) }}"),
                )
            };
            writeln!(
                out,
                "impl<'a> crate::ext::Paginate for builder::{builder}<'a> {{
    type Page = {page};
    type Item = {item};
    fn window(self, limit: u64, offset: u64) -> Self {{ self.limit(limit).offset(offset) }}
    fn fetch(self) -> impl ::std::future::Future<Output = crate::Result<Self::Page>> + Send {{
        async move {{ crate::Error::decoded::<Self::Page>(self.send().await).map(ResponseValue::into_inner) }}
    }}
    fn split(page: Self::Page) -> (::std::vec::Vec<Self::Item>, Option<u64>) {{ {split} }}
}}",
                page = tokens(page),
            )
            .unwrap();
        }
    }
    out
}
