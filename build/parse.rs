//! Reading the normalised spec as progenitor's input, `openapiv3::OpenAPI`,
//! with an error that says where the document is wrong.
//!
//! serde says what is wrong ("missing field `in`") but not where. openapiv3
//! buffers most of a document on the way (`#[serde(flatten)]` and untagged
//! enums), which also hides the place from path-tracking deserializer
//! wrappers, and such a wrapper compiled a second copy of every openapiv3
//! deserializer into the build script, in every application's cold build.
//! So the document is read once, plainly; only when that fails does
//! [`locate`] find the entry at fault, by reading documents that hold one
//! entry each with the same deserializer.

use serde::Deserialize;
use serde_json::{Map, Value};

/// Deserialise `spec`; on failure, the message names the entry at fault
/// (`paths./users.get.parameters[0]`, `components.schemas.User`) when one
/// alone fails.
pub fn read(spec: &Value) -> Result<openapiv3::OpenAPI, String> {
    openapiv3::OpenAPI::deserialize(spec).map_err(|e| {
        let fails = |doc: &Value| openapiv3::OpenAPI::deserialize(doc).is_err();
        match locate(spec, &fails) {
            Some(at) => format!("the spec does not match the OpenAPI 3.0 schema at `{at}`: {e}"),
            None => format!("the spec does not match the OpenAPI 3.0 schema: {e}"),
        }
    })
}

/// The first entry of `spec` that `fails` on its own: a component, an
/// operation (or another key of a path item), and within an operation one
/// parameter, one response or one other field. `None` when the document's
/// top level itself fails, or no single entry does.
pub fn locate(spec: &Value, fails: &dyn Fn(&Value) -> bool) -> Option<String> {
    let top = spec.as_object()?;
    let mut skeleton: Map<String, Value> = top
        .iter()
        .filter(|(k, _)| *k != "paths" && *k != "components")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    skeleton.insert("paths".into(), Value::Object(Map::new()));
    let with = |key: &str, value: Value| {
        let mut doc = skeleton.clone();
        doc.insert(key.into(), value);
        Value::Object(doc)
    };
    if fails(&Value::Object(skeleton.clone())) {
        return None;
    }
    for (kind, group) in entries(top.get("components")) {
        for (name, entry) in entries(Some(group)) {
            if fails(&with("components", one(kind, one(name, entry.clone())))) {
                return Some(format!("components.{kind}.{name}"));
            }
        }
    }
    for (path, item) in entries(top.get("paths")) {
        for (key, part) in entries(Some(item)) {
            let doc = |part: Value| with("paths", one(path, one(key, part)));
            if fails(&doc(part.clone())) {
                let at = format!("paths.{path}.{key}");
                return Some(match within_operation(part, &|op| fails(&doc(op))) {
                    Some(inner) => format!("{at}.{inner}"),
                    None => at,
                });
            }
        }
    }
    None
}

/// Within a failing operation: the one parameter, response or other field
/// that fails beside nothing but an empty `responses`.
fn within_operation(op: &Value, fails: &dyn Fn(Value) -> bool) -> Option<String> {
    let op = op.as_object()?;
    let bare = |key: &str, value: Value| {
        let mut doc = Map::new();
        doc.insert("responses".into(), Value::Object(Map::new()));
        doc.insert(key.into(), value);
        Value::Object(doc)
    };
    if fails(bare("responses", Value::Object(Map::new()))) {
        return None;
    }
    for (field, value) in op {
        match (field.as_str(), value) {
            ("parameters", Value::Array(params)) => {
                for (i, p) in params.iter().enumerate() {
                    if fails(bare(field, Value::Array(vec![p.clone()]))) {
                        return Some(format!("parameters[{i}]"));
                    }
                }
            }
            ("responses", Value::Object(responses)) => {
                for (code, r) in responses {
                    if fails(bare(field, one(code, r.clone()))) {
                        return Some(format!("responses.{code}"));
                    }
                }
            }
            _ => {
                if fails(bare(field, value.clone())) {
                    return Some(field.clone());
                }
            }
        }
    }
    None
}

/// The entries of an object (none for anything else).
fn entries(value: Option<&Value>) -> impl Iterator<Item = (&String, &Value)> {
    value.and_then(Value::as_object).into_iter().flatten()
}

fn one(key: &str, value: Value) -> Value {
    let mut map = Map::new();
    map.insert(key.into(), value);
    Value::Object(map)
}
