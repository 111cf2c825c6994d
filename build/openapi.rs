//! Walking an OpenAPI document: its operations, responses and component
//! schemas, the `$ref`s between them. The normalisation passes
//! (`normalize/`) and the generators after progenitor (`optests.rs`,
//! `paginate.rs`, `routes.rs`, `webhooks.rs`, ...) share these.
//!
//! Compiled by `build.rs` and, through `#[path]`, by the unit tests of the
//! passes; it depends on `serde_json` and `std` only.

use serde_json::{Map, Value, json};
use std::collections::BTreeSet;

/// HTTP methods an OpenAPI path item can hold operations for.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Iterate over every operation as (path, method, operation).
pub fn operations_mut(spec: &mut Value) -> Vec<(String, String, &mut Map<String, Value>)> {
    let mut out = Vec::new();
    if let Some(paths) = spec.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            if let Some(item) = item.as_object_mut() {
                for (method, op) in item.iter_mut() {
                    if METHODS.contains(&method.as_str())
                        && let Some(op) = op.as_object_mut()
                    {
                        out.push((path.clone(), method.clone(), op));
                    }
                }
            }
        }
    }
    out
}

/// An operation's `operationId` (empty if it has none).
pub fn operation_id(op: &Map<String, Value>) -> String {
    op.get("operationId")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// The media types of an operation's request body.
pub fn body_media_types(op: &Map<String, Value>) -> Vec<String> {
    op.get("requestBody")
        .and_then(|b| b.get("content"))
        .and_then(Value::as_object)
        .map(|c| c.keys().cloned().collect())
        .unwrap_or_default()
}

pub fn is_json(media_type: &str) -> bool {
    let m = media_type.split(';').next().unwrap_or("").trim();
    m == "application/json" || m.ends_with("+json")
}

/// Follow a schema `$ref` into `#/components/schemas`.
pub fn resolve_schema(schema: &Value, components: &Value) -> Value {
    let mut s = schema.clone();
    for _ in 0..8 {
        let Some(r) = s.get("$ref").and_then(Value::as_str) else {
            break;
        };
        let name = r.trim_start_matches("#/components/schemas/");
        match components.pointer(&format!("/schemas/{}", escape_pointer(name))) {
            Some(t) => s = t.clone(),
            None => break,
        }
    }
    s
}

pub fn escape_pointer(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

pub fn status_class(code: &str) -> Option<u8> {
    code.chars().next()?.to_digit(10).map(|d| d as u8)
}

/// The 1xx/2xx responses of an operation, as (status, response).
pub fn success_responses(op: &Map<String, Value>) -> Vec<(String, Value)> {
    op.get("responses")
        .and_then(Value::as_object)
        .map(|r| {
            r.iter()
                .filter(|(code, _)| matches!(status_class(code), Some(1 | 2)))
                .map(|(c, v)| (c.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// The JSON content schema of a response, if any.
pub fn json_schema(response: &Value) -> Option<&Value> {
    let content = response.get("content")?.as_object()?;
    content
        .iter()
        .find(|(k, _)| is_json(k))
        .and_then(|(_, mt)| mt.get("schema"))
}

pub fn json_schema_ref(response: &Value) -> Option<String> {
    json_schema(response)?
        .get("$ref")?
        .as_str()
        .map(str::to_string)
}

pub fn components_mut(spec: &mut Value) -> &mut Value {
    spec.as_object_mut()
        .expect("checked by check_shape")
        .entry("components")
        .or_insert_with(|| json!({}))
}

/// The date Clerk's v1 line carries in its newer publications
/// (`bapi/2021-02-05.yml` says `version: '2021-02-05'`, older ones `v1`).
/// It names the undated line itself, which Clerk serves without a
/// `Clerk-API-Version` header, so a spec of that line sends none.
pub const V1_LINE: &str = "2021-02-05";

/// `info.version` when it is a date (`2025-11-10`): Clerk's dated API
/// versions, sent as the `Clerk-API-Version` header. `v1`, other labels and
/// the v1 line's own date ([`V1_LINE`]) give `None`.
pub fn api_version_date(spec: &Value) -> Option<String> {
    let v = spec.pointer("/info/version")?.as_str()?.trim();
    if v == V1_LINE {
        return None;
    }
    let b = v.as_bytes();
    let is_date = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    is_date.then(|| v.to_string())
}

/// Names of the component schemas reachable from `roots` through `$ref`s.
pub fn reachable(components: &Value, roots: Vec<&Value>) -> BTreeSet<String> {
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(r) = m.get("$ref").and_then(Value::as_str)
                    && let Some(name) = r.strip_prefix("#/components/schemas/")
                {
                    out.push(name.to_string());
                }
                m.values().for_each(|x| refs(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }
    let mut seen = BTreeSet::new();
    let mut todo = Vec::new();
    roots.into_iter().for_each(|r| refs(r, &mut todo));
    while let Some(name) = todo.pop() {
        if seen.insert(name.clone())
            && let Some(s) = components.pointer(&format!("/schemas/{}", escape_pointer(&name)))
        {
            refs(s, &mut todo);
        }
    }
    seen
}

/// A schema itself, or what its `$ref` points to in `components`.
pub fn resolved<'v>(schema: &'v Value, components: &'v Value) -> &'v Value {
    match schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
    {
        Some(name) => components
            .pointer(&format!("/schemas/{}", escape_pointer(name)))
            .unwrap_or(schema),
        None => schema,
    }
}

/// A name's alphanumeric words, each with its first letter upper-cased,
/// joined (`subscriptionItem.pastDue` -> `SubscriptionItemPastDue`).
pub fn pascal(s: &str) -> String {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The names a schema object lists as `required`.
pub fn required_names(schema: &Map<String, Value>) -> Vec<String> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}
