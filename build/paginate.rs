//! Glue between the generated list operations and `src/paginate.rs`: an
//! implementation of `crate::paginate::Paginate` (named by its earlier path,
//! `crate::ext`) for the builder of every operation that pages with `limit`
//! and `offset` (Clerk's convention) and returns a bare array or an
//! envelope with `total_count`: `{data: [...], total_count}`, or another
//! single array beside it (`{m2m_tokens: [...], total_count}`).
//!
//! An operation that also takes a `starting_after` cursor (a string) and
//! whose items have an `id` pages by cursor instead, whenever its ordering
//! allows (`crate::paginate::cursor_ordering` on the builder's `order_by`):
//! a stream over a list that changes meanwhile then neither skips nor
//! repeats an item. The glue reads the builder's private `order_by` field,
//! so it is placed inside the generated `builder` module.
//!
//! Types are read from the generated code (the return type of each
//! builder's `send()` and the fields of the page type), so the glue follows
//! whatever spec is dropped in.

use super::names;
use super::openapi::METHODS;
use super::syntax::{first_generic, last_ident, send_types, setter_types, struct_fields, tokens};
use serde_json::Value;
use std::collections::HashMap;
use std::fmt::Write;

type Fields = HashMap<String, syn::Type>;

fn in_types(ty: &syn::Type) -> String {
    // Types inside `mod types` name their siblings without the module.
    let t = tokens(ty);
    if t.starts_with("::") || t.starts_with("types") {
        t
    } else {
        format!("types :: {t}")
    }
}

/// The glue, as items for the generated `builder` module.
pub fn generate(spec: &Value, file: &syn::File) -> String {
    let sends = send_types(file);
    let setters = setter_types(file);
    let structs = struct_fields(file);
    let mut out = String::new();
    let paths = spec["paths"].as_object().cloned().unwrap_or_default();
    for item in paths.values() {
        for (method, op) in item.as_object().into_iter().flatten() {
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            let params = parameter_types(op);
            let integer = |n: &str| params.get(n).is_some_and(|t| *t == "integer");
            if !(integer("limit") && integer("offset")) {
                continue;
            }
            let builder = names::type_name(op["operationId"].as_str().unwrap_or_default());
            let Some(page) = sends.get(&builder) else {
                continue;
            };
            let Some((item, split)) = page_shape(page, &structs) else {
                continue;
            };
            let cursor = (params.get("starting_after") == Some(&"string"))
                .then(|| {
                    after(
                        &item,
                        &structs,
                        setters.contains_key(&(builder.clone(), "order_by".into())),
                    )
                })
                .flatten()
                .unwrap_or_default();
            writeln!(
                out,
                "impl<'a> crate::ext::Paginate for {builder}<'a> {{
    type Page = {page};
    type Item = {item};
    fn window(self, limit: u64, offset: u64) -> Self {{ self.limit(limit).offset(offset) }}
    fn fetch(self) -> impl ::std::future::Future<Output = crate::Result<Self::Page>> + Send {{
        async move {{ self.send().await.map(ResponseValue::into_inner) }}
    }}
    fn split(page: Self::Page) -> (::std::vec::Vec<Self::Item>, Option<u64>) {{ {split} }}
    {cursor}
}}",
                page = tokens(page),
                item = in_types(&item),
            )
            .unwrap();
        }
    }
    out
}

/// Query parameter name -> its schema type (`integer`, `string`, ...).
fn parameter_types(op: &Value) -> HashMap<&str, &str> {
    op.get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| {
            Some((
                p.get("name")?.as_str()?,
                p.pointer("/schema/type")?.as_str()?,
            ))
        })
        .collect()
}

/// A page's item type and the body of `split`, for a list or an envelope
/// with one list (`data`, else the only list beside `total_count`).
fn page_shape(page: &syn::Type, structs: &HashMap<String, Fields>) -> Option<(syn::Type, String)> {
    if let Some((item, items)) = list(page, "page", structs) {
        return Some((item, format!("({items}, None)")));
    }
    let fields = structs.get(&last_ident(page)?)?;
    let (item, items) = envelope_list(fields, structs)?;
    let total = if fields.contains_key("total_count") {
        "Some(crate::ext::Count::count(&page.total_count))"
    } else {
        "None"
    };
    Some((item, format!("{{ let total = {total}; ({items}, total) }}")))
}

/// When `ty` holds a list, its item type and the expression turning
/// `expr` (of type `ty`) into a `Vec` of items: a `Vec<T>`, an
/// `Option` of a list (a type left strict), or a named list (typify's
/// newtype `struct Xs(pub Vec<X>)`).
fn list(
    ty: &syn::Type,
    expr: &str,
    structs: &HashMap<String, Fields>,
) -> Option<(syn::Type, String)> {
    match last_ident(ty)?.as_str() {
        "Vec" => Some((first_generic(ty)?.clone(), expr.to_string())),
        "Option" => {
            let (item, inner) = list(first_generic(ty)?, "v", structs)?;
            Some((item, format!("{expr}.map(|v| {inner}).unwrap_or_default()")))
        }
        name => {
            let fields = structs.get(name)?;
            (fields.len() == 1).then_some(())?;
            list(fields.get("0")?, &format!("{expr}.0"), structs)
        }
    }
}

/// An envelope's items: its `data` list, or else, beside a `total_count`,
/// its one list field.
fn envelope_list(
    fields: &Fields,
    structs: &HashMap<String, Fields>,
) -> Option<(syn::Type, String)> {
    if let Some(data) = fields.get("data") {
        return list(data, "page.data", structs);
    }
    fields.get("total_count")?;
    let mut lists = fields
        .iter()
        .filter_map(|(name, ty)| list(ty, &format!("page.{name}"), structs));
    let found = lists.next()?;
    lists.next().is_none().then_some(found)
}

/// `Paginate::after` for an operation with a `starting_after` cursor, when
/// its items have an `id` (a `String`, or an `Option<String>`).
fn after(item: &syn::Type, structs: &HashMap<String, Fields>, ordered: bool) -> Option<String> {
    let id = structs.get(&last_ident(item)?)?.get("id")?;
    let id = match tokens(id).as_str() {
        t if t.ends_with("String") => "last.id.clone()",
        t if t.starts_with("Option") || t.contains(":: Option <") => "last.id.clone()?",
        _ => return None,
    };
    let allowed = if ordered {
        "matches!(&self.order_by, Ok(order) if crate::ext::cursor_ordering(order.as_deref()))"
    } else {
        "true"
    };
    Some(format!(
        "fn after(self, last: &Self::Item) -> Option<Self> {{
        if !({allowed}) {{ return None; }}
        Some(self.starting_after({id}))
    }}"
    ))
}
