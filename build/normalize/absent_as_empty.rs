//! Pass: a required scalar that Clerk leaves out decodes as its empty value.

use super::Report;
use super::inbound::{Uses, union_variants};
use super::openapi::{operations_mut, required_names, resolved};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// Pass: `required` says what Clerk promises to send, and Clerk does not
/// always keep the promise: its webhook examples leave out required
/// strings, integers, booleans and enums (an `invoice_id`, a `created_at`,
/// an `is_creator_eligible`, a subscription item's `interval`), and a
/// response of a newer or older deployment can do the same. Failing the
/// whole object for one absent field turns a delivery into raw JSON and a
/// response into an error, while the field's type says what "nothing" is.
///
/// So in every schema `inbound.rs` selects (responses and webhook payloads,
/// not requests), a required property that is not nullable and whose type
/// has an empty value stops being required and gets that value as its
/// `default`: `""` for a string, `0` for an integer or number, `false` for
/// a boolean, and `""` for an open enum (`oneOf` with a plain string
/// variant, as `forward_compatible_responses` makes them), which decodes
/// as its unknown variant. The Rust field keeps its type (typify makes a
/// property with its type's own default a plain field with
/// `#[serde(default)]`, and other defaults a `default = "..."` function),
/// so the API's types stay as typed as the spec has them; only absence
/// stops being an error. A value of the wrong type still is one.
///
/// Left required: closed enums (no value of theirs means "nothing"; these
/// are the discriminators of unions), strings typify gives a type of their
/// own (`date`, `date-time`, `uuid`, `ip*`), properties that already have a
/// `default`, every property of a schema that is a variant of a union,
/// where a required property that is absent tells the decoder the value is
/// another variant, and a property two parts of an `allOf` declare (see
/// `merged_required`). Nullable, array, map and object properties
/// were already made optional by `forward_compatible_responses`.
pub fn run(spec: &mut Value, report: &mut Report) -> Result<(), String> {
    let uses = Uses::of(spec);
    let components = spec.get("components").cloned().unwrap_or(Value::Null);
    let variants = union_variants(&components);
    let mut n = 0;
    if let Some(schemas) = spec
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for (name, schema) in schemas.iter_mut() {
            if uses.inbound_only(name) && !variants.contains(name) {
                n += fill(schema, &components);
            }
        }
    }
    for (_, _, op) in operations_mut(spec) {
        let responses = op.get_mut("responses").and_then(Value::as_object_mut);
        for response in responses.into_iter().flat_map(|r| r.values_mut()) {
            let content = response.get_mut("content").and_then(Value::as_object_mut);
            for media in content.into_iter().flat_map(|c| c.values_mut()) {
                if let Some(schema) = media.get_mut("schema") {
                    n += fill(schema, &components);
                }
            }
        }
    }
    report.log.compat.absent_as_empty += n;
    report
        .log
        .notes
        .push(format!("{n} required properties decode absence as empty"));
    Ok(())
}

/// Apply the rule to `schema` and the object schemas inline in it (its
/// properties, items, map values, `allOf` parts; not a union's variants).
/// Returns how many properties it changed.
fn fill(schema: &mut Value, components: &Value) -> usize {
    let Some(map) = schema.as_object_mut() else {
        return 0;
    };
    let mut n = 0;
    for key in ["items", "additionalProperties"] {
        if let Some(inner) = map.get_mut(key) {
            n += fill(inner, components);
        }
    }
    if let Some(parts) = map.get_mut("allOf").and_then(Value::as_array_mut) {
        let merged = merged_required(parts, components);
        for part in parts.iter_mut() {
            n += fill(part, components);
        }
        require(parts, merged);
    }
    let required = required_names(map);
    let mut relaxed = Vec::new();
    for (name, prop) in map
        .get_mut("properties")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flatten()
    {
        n += fill(prop, components);
        if required.contains(name)
            && let Some(empty) = empty_value(prop, components)
            && let Some(prop) = prop.as_object_mut()
        {
            prop.insert("default".into(), empty);
            relaxed.push(name.clone());
        }
    }
    if !relaxed.is_empty() {
        let keep: Vec<Value> = required
            .into_iter()
            .filter(|r| !relaxed.contains(r))
            .map(Value::String)
            .collect();
        if keep.is_empty() {
            map.remove("required");
        } else {
            map.insert("required".into(), Value::Array(keep));
        }
    }
    n + relaxed.len()
}

/// The properties of an `allOf` that two of its parts declare and one
/// requires (as the spec has them, before this pass). typify merges the
/// parts' declarations of such a property into one schema and drops their
/// `default`s, so taking it out of `required` would make its field an
/// `Option`: it stays required, and its type as it was.
fn merged_required(parts: &[Value], components: &Value) -> Vec<String> {
    let mut declared: BTreeMap<String, usize> = BTreeMap::new();
    let mut required = BTreeSet::new();
    for part in parts {
        let (props, req) = declarations(part, components);
        for p in props {
            *declared.entry(p).or_default() += 1;
        }
        required.extend(req);
    }
    declared
        .into_iter()
        .filter(|(p, count)| *count > 1 && required.contains(p))
        .map(|(p, _)| p)
        .collect()
}

/// The properties a schema declares and those it requires, through `$ref`s
/// and nested `allOf`s.
fn declarations(schema: &Value, components: &Value) -> (Vec<String>, Vec<String>) {
    let schema = resolved(schema, components);
    let mut props: Vec<String> = schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    let mut required = schema.as_object().map(required_names).unwrap_or_default();
    for part in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let (p, r) = declarations(part, components);
        props.extend(p);
        required.extend(r);
    }
    (props, required)
}

/// Require `names` of the whole `allOf`: on its first inline object part,
/// or on a part added for them.
fn require(parts: &mut Vec<Value>, names: Vec<String>) {
    if names.is_empty() {
        return;
    }
    let inline = parts
        .iter_mut()
        .filter_map(Value::as_object_mut)
        .find(|p| !p.contains_key("$ref"));
    let Some(part) = inline else {
        parts.push(json!({"type": "object", "required": names}));
        return;
    };
    let mut required = required_names(part);
    for name in names {
        if !required.contains(&name) {
            required.push(name);
        }
    }
    part.insert("required".into(), json!(required));
}

/// The value a property decodes to when absent, if its type has one (see
/// [`run`]).
fn empty_value(prop: &Value, components: &Value) -> Option<Value> {
    let own = prop.as_object()?;
    if own.contains_key("default") || own.get("nullable") == Some(&json!(true)) {
        return None;
    }
    let target = resolved(prop, components);
    if target.get("nullable") == Some(&json!(true)) {
        return None;
    }
    if let Some(variants) = target.get("oneOf").and_then(Value::as_array) {
        return variants.iter().any(is_plain_string).then(|| json!(""));
    }
    if target.get("enum").is_some() {
        return None;
    }
    match target.get("type").and_then(Value::as_str)? {
        "string" if is_plain_string(target) => Some(json!("")),
        "integer" => Some(json!(0)),
        "number" => Some(json!(0.0)),
        "boolean" => Some(json!(false)),
        _ => None,
    }
}

/// A string schema with no enum and no format typify turns into a type of
/// its own: any text decodes into it, the empty one too.
fn is_plain_string(schema: &Value) -> bool {
    const TYPED_FORMATS: [&str; 6] = ["date", "date-time", "uuid", "ip", "ipv4", "ipv6"];
    schema.get("type").and_then(Value::as_str) == Some("string")
        && schema.get("enum").is_none()
        && !schema
            .get("format")
            .and_then(Value::as_str)
            .is_some_and(|f| TYPED_FORMATS.contains(&f))
}
