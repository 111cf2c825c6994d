//! Glue between the generated list operations and `src/paginate.rs`: an
//! implementation of `crate::paginate::Paginate` (named by its earlier path, `crate::ext`) for the builder of every
//! operation that pages with `limit` and `offset` (Clerk's convention) and
//! returns either a bare array or a `{data: [...], total_count}` object.
//!
//! Types are read from the generated code (the return type of each
//! builder's `send()` and the fields of the page type), so the glue follows
//! whatever spec is dropped in.

use super::names;
use super::openapi::METHODS;
use super::syntax::{first_generic, last_ident, send_types, struct_fields, tokens};
use serde_json::Value;
use std::fmt::Write;

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
            let builder = names::type_name(id);
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
                // `data` is `Vec<T>` (or `Option<Vec<T>>` in a type left strict).
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
        async move {{ self.send().await.map(ResponseValue::into_inner) }}
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
