//! Typed webhook events, generated from a webhook spec
//! (`openapi/webhooks.yaml`, or the file `CLERK_WEBHOOK_SPEC` names).
//!
//! A webhook spec is an OpenAPI document whose `x-webhooks` (or 3.1's
//! `webhooks`) map each event name (`user.created`) to an operation whose
//! JSON body is Clerk's envelope with the event's payload in `data`. The
//! payload schemas are merged into the Backend API document *before* it is
//! normalised, so that the very passes that make responses forward-compatible
//! (`normalize/`: open objects and enums, union fallbacks, optional
//! required fields) run on them too, as inbound data, and progenitor
//! generates them beside the client's types in one pass.
//!
//! A payload schema that is the API's own schema of the same name, field for
//! field (descriptions and examples aside, and through every schema it
//! refers to), is not added again: the event decodes into the API's type,
//! so a `User` from `user.created` and from `get_user` are one Rust type.
//! Every other payload schema is added as `Webhook<Name>`, so no webhook
//! type can collide with an API type and the names do not depend on which
//! API spec the crate is built from. The generated `EventData` enum names
//! the types; `webhooks::payloads` re-exports each under its spec name.

use heck::ToUpperCamelCase;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

pub const DEFAULT_SPEC: &str = "openapi/webhooks.yaml";
pub const SPEC_ENV: &str = "CLERK_WEBHOOK_SPEC";

const SCHEMA_PREFIX: &str = "#/components/schemas/";

/// One event of the webhook spec.
#[derive(Debug, Clone)]
pub struct Event {
    /// The wire name, such as `subscriptionItem.pastDue`.
    pub name: String,
    /// The `EventData` variant, such as `SubscriptionItemPastDue`.
    pub variant: String,
    /// The payload's component schema in the merged document.
    pub schema: String,
    pub description: Option<String>,
}

/// What the merge did, for generating the events and for the build's notes.
#[derive(Debug, Default)]
pub struct Merged {
    pub events: Vec<Event>,
    /// (name in the webhook spec, component in the merged document), for
    /// every payload schema the events reach.
    pub payloads: BTreeMap<String, String>,
    /// Payload schemas that are the API's own and decode into its types.
    pub shared: BTreeSet<String>,
}

/// The variant name of an event: its words in upper camel case
/// (`subscriptionItem.pastDue` -> `SubscriptionItemPastDue`).
pub fn variant(event: &str) -> String {
    super::openapi::pascal(event)
}

/// The Rust name typify gives a component schema (heck's upper camel case).
pub fn rust_name(component: &str) -> String {
    component
        .replace(|c: char| !(c.is_alphanumeric() || c == '_'), "-")
        .to_upper_camel_case()
}

fn err(event: &str, what: impl std::fmt::Display) -> String {
    format!("webhook event `{event}`: {what}")
}

/// The schema of `data` in an event's body: the body's own `data`
/// property, or that of one of its `allOf` parts (the envelope is one part,
/// the event's `data` another, as Clerk writes it).
fn data_schema<'v>(event: &str, body: &'v Value) -> Result<&'v Value, String> {
    if let Some(d) = body.pointer("/properties/data") {
        return Ok(d);
    }
    let parts = body.get("allOf").and_then(Value::as_array);
    parts
        .into_iter()
        .flatten()
        .find_map(|p| p.pointer("/properties/data"))
        .ok_or_else(|| {
            err(
                event,
                "its JSON body schema has no `data` property (expected `properties.data`, or \
                 `allOf: [{$ref: <envelope>}, {properties: {data: ...}}]`)",
            )
        })
}

/// Every `$ref` under `v`.
fn refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            if let Some(r) = m.get("$ref").and_then(Value::as_str) {
                out.push(r.to_string());
            }
            m.values().for_each(|x| refs(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
        _ => {}
    }
}

/// Replace every `$ref` to a component schema by `rename`'s.
fn rename_refs(v: &mut Value, rename: &BTreeMap<String, String>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(r)) = m.get_mut("$ref")
                && let Some(to) = r.strip_prefix(SCHEMA_PREFIX).and_then(|n| rename.get(n))
            {
                *r = format!("{SCHEMA_PREFIX}{to}");
            }
            m.values_mut().for_each(|x| rename_refs(x, rename));
        }
        Value::Array(a) => a.iter_mut().for_each(|x| rename_refs(x, rename)),
        _ => {}
    }
}

/// A schema without what only documents it (descriptions, examples,
/// titles, `deprecated`, `x-` extensions): what is compared to decide
/// whether a webhook schema is the API's. A property *named* `description`
/// stays (it is a key of `properties`).
fn wire(v: &Value) -> Value {
    fn walk(v: &Value, in_properties: bool) -> Value {
        match v {
            Value::Object(m) => Value::Object(
                m.iter()
                    .filter(|(k, _)| {
                        in_properties
                            || !(matches!(
                                k.as_str(),
                                "description" | "example" | "examples" | "title" | "deprecated"
                            ) || k.starts_with("x-"))
                    })
                    .map(|(k, x)| (k.clone(), walk(x, !in_properties && k == "properties")))
                    .collect(),
            ),
            Value::Array(a) => Value::Array(a.iter().map(|x| walk(x, false)).collect()),
            other => other.clone(),
        }
    }
    walk(v, false)
}

/// The webhook schemas that are the API's own: same name, same wire shape,
/// and every schema they refer to is shared too (a fixed point, so a
/// `User` whose `EmailAddress` differs is not shared either).
fn shared(webhook: &Map<String, Value>, api: &Map<String, Value>) -> BTreeSet<String> {
    let mut same: BTreeSet<String> = webhook
        .iter()
        .filter(|(name, schema)| api.get(*name).is_some_and(|a| wire(a) == wire(schema)))
        .map(|(name, _)| name.clone())
        .collect();
    loop {
        let before = same.len();
        let snapshot = same.clone();
        same.retain(|name| {
            let mut out = Vec::new();
            refs(&webhook[name], &mut out);
            out.iter().all(|r| {
                r.strip_prefix(SCHEMA_PREFIX)
                    .is_some_and(|n| snapshot.contains(n))
            })
        });
        if same.len() == before {
            return same;
        }
    }
}

/// Check the webhook spec and merge its payload schemas into `api` (the
/// Backend API document, before normalisation). The payload roots are
/// recorded under [`super::normalize::WEBHOOK_PAYLOADS`], where feature
/// pruning and the forward-compatibility pass find them.
pub fn merge(api: &mut Value, spec: &Value) -> Result<Merged, String> {
    let events = spec
        .get("x-webhooks")
        .or_else(|| spec.get("webhooks"))
        .and_then(Value::as_object)
        .ok_or("the webhook spec has no `x-webhooks` (or `webhooks`) map of events")?;
    let empty = Map::new();
    let schemas = spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let api_schemas = api
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();

    // Each event's payload: a component schema, or an inline one named
    // after the event.
    let mut inline: BTreeMap<String, Value> = BTreeMap::new();
    let mut roots: Vec<(String, String, Option<String>)> = Vec::new();
    let mut variants: BTreeMap<String, String> = BTreeMap::new();
    for (name, item) in events {
        let ops: Vec<(&String, &Value)> = item
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(k, _)| super::openapi::METHODS.contains(&k.as_str()))
            .collect();
        let [(_, op)] = ops.as_slice() else {
            return Err(err(
                name,
                format!(
                    "expected exactly one operation (Clerk's use `post`), found {}",
                    ops.len()
                ),
            ));
        };
        let body = op
            .pointer("/requestBody/content/application~1json/schema")
            .ok_or_else(|| err(name, "no `requestBody.content.application/json.schema`"))?;
        let data = data_schema(name, body)?;
        let schema = match data.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let target = r.strip_prefix(SCHEMA_PREFIX).ok_or_else(|| {
                    err(
                        name,
                        format!("`data` refers to `{r}`, not to a component schema"),
                    )
                })?;
                if !schemas.contains_key(target) {
                    return Err(err(
                        name,
                        format!(
                            "`data` refers to `{r}`, which `components.schemas` does not define"
                        ),
                    ));
                }
                target.to_string()
            }
            None if data.is_object() => {
                let n = format!("{}Payload", variant(name));
                inline.insert(n.clone(), data.clone());
                n
            }
            None => return Err(err(name, "`data` is not a schema object")),
        };
        let v = variant(name);
        if v.is_empty() || v == "Unknown" || !v.starts_with(|c: char| c.is_ascii_alphabetic()) {
            return Err(err(
                name,
                format!(
                    "its name makes the variant `{v}`, which is not usable (`EventData::Unknown` is taken)"
                ),
            ));
        }
        if let Some(other) = variants.insert(v.clone(), name.clone()) {
            return Err(err(
                name,
                format!("its variant `{v}` is also the variant of `{other}`"),
            ));
        }
        let description = op
            .get("description")
            .or_else(|| op.get("summary"))
            .and_then(Value::as_str)
            .map(str::to_string);
        roots.push((name.clone(), schema, description));
    }

    // The schemas the payloads reach.
    let mut all: Map<String, Value> = schemas.clone();
    for (n, s) in &inline {
        if all.contains_key(n) {
            return Err(format!(
                "the webhook spec defines a component schema `{n}`, the name its inline payload \
                 for an event needs"
            ));
        }
        all.insert(n.clone(), s.clone());
    }
    let mut reached = BTreeSet::new();
    let mut todo: Vec<String> = roots.iter().map(|(_, s, _)| s.clone()).collect();
    while let Some(n) = todo.pop() {
        if !reached.insert(n.clone()) {
            continue;
        }
        let mut out = Vec::new();
        refs(&all[&n], &mut out);
        for r in out {
            match r.strip_prefix(SCHEMA_PREFIX) {
                Some(t) if all.contains_key(t) => todo.push(t.to_string()),
                _ => {
                    let event = roots
                        .iter()
                        .find(|(_, s, _)| *s == n)
                        .map(|(e, _, _)| e.as_str())
                        .unwrap_or("(via another schema)");
                    return Err(err(
                        event,
                        format!(
                            "schema `{n}` refers to `{r}`, which is not a component schema of \
                             the webhook spec"
                        ),
                    ));
                }
            }
        }
    }
    let reached: Map<String, Value> = all
        .into_iter()
        .filter(|(n, _)| reached.contains(n))
        .collect();

    let shared = shared(&reached, &api_schemas);
    let mut taken: BTreeSet<String> = api_schemas.keys().map(|k| rust_name(k)).collect();
    let mut rename = BTreeMap::new();
    for n in reached.keys() {
        if shared.contains(n) {
            rename.insert(n.clone(), n.clone());
            continue;
        }
        let base = rust_name(&format!("Webhook-{n}"));
        let mut fresh = base.clone();
        let mut i = 2;
        while !taken.insert(fresh.clone()) {
            fresh = format!("{base}{i}");
            i += 1;
        }
        rename.insert(n.clone(), fresh);
    }
    let components = api
        .as_object_mut()
        .ok_or("the OpenAPI spec is not an object")?
        .entry("components")
        .or_insert_with(|| json!({}));
    let target = components
        .as_object_mut()
        .ok_or("`components` is not an object")?
        .entry("schemas")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .ok_or("`components.schemas` is not an object")?;
    for (n, schema) in &reached {
        if shared.contains(n) {
            continue;
        }
        let mut schema = schema.clone();
        rename_refs(&mut schema, &rename);
        target.insert(rename[n].clone(), schema);
    }
    let mut payload_roots = Map::new();
    let mut merged = Merged {
        shared,
        ..Merged::default()
    };
    for (name, schema, description) in roots {
        let component = rename[&schema].clone();
        payload_roots.insert(
            name.clone(),
            json!({"$ref": format!("{SCHEMA_PREFIX}{component}")}),
        );
        merged.events.push(Event {
            variant: variant(&name),
            name,
            schema: component,
            description,
        });
    }
    merged.payloads = rename;
    api[super::normalize::WEBHOOK_PAYLOADS] = Value::Object(payload_roots);
    Ok(merged)
}

/// The names of the types progenitor generated (`types::*`).
fn generated_types(file: &syn::File) -> BTreeSet<String> {
    super::syntax::module(file, "types")
        .iter()
        .filter_map(|item| match item {
            syn::Item::Struct(s) => Some(s.ident.to_string()),
            syn::Item::Enum(e) => Some(e.ident.to_string()),
            syn::Item::Type(t) => Some(t.ident.to_string()),
            _ => None,
        })
        .collect()
}

/// The `event_data!` invocation (`src/webhooks/events.rs` defines the
/// macro) and the `payloads` module, for `OUT_DIR/webhook_events.rs`.
pub fn generate(merged: &Merged, file: &syn::File) -> Result<String, String> {
    let types = generated_types(file);
    let ty = |component: &str| -> Result<String, String> {
        let name = rust_name(component);
        if types.contains(&name) {
            Ok(format!("crate::types::{name}"))
        } else {
            Err(format!(
                "the webhook payload schema `{component}` did not become a type `{name}` in the \
                 generated client; this is a bug in build/webhooks.rs"
            ))
        }
    };
    let mut out = String::from("event_data! {\n");
    for e in &merged.events {
        let doc = e
            .description
            .as_deref()
            .unwrap_or("An event of the webhook spec.");
        for line in doc.lines() {
            writeln!(out, "    #[doc = {:?}]", line).unwrap();
        }
        let payload = ty(&e.schema).map_err(|m| err(&e.name, m))?;
        writeln!(out, "    {}({payload}) = {:?},", e.variant, e.name).unwrap();
    }
    out.push_str("}\n\n");
    out.push_str(
        "/// The webhook payload types under their names in the webhook spec. Each is a\n\
         /// generated type of [`crate::types`]: the API's own where the schema is the same,\n\
         /// `Webhook<Name>` where the webhook spec's differs or is its alone.\n\
         pub mod payloads {\n",
    );
    let mut exported = BTreeSet::new();
    for (spec_name, component) in &merged.payloads {
        let alias = rust_name(spec_name);
        let path = ty(component)?;
        if alias.is_empty() || !exported.insert(alias.clone()) {
            continue;
        }
        if path == format!("crate::types::{alias}") {
            writeln!(out, "    pub use {path};").unwrap();
        } else {
            writeln!(out, "    pub use {path} as {alias};").unwrap();
        }
    }
    out.push_str("}\n");
    Ok(out)
}
