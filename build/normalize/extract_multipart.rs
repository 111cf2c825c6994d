//! Pass: multipart-only operations, taken out for `build/multipart.rs`.

use super::Report;
use super::openapi::{
    METHODS, body_media_types, is_json, json_schema_ref, operations_mut, resolve_schema,
    success_responses,
};
use serde_json::Value;
use std::collections::BTreeSet;

/// An operation sending `multipart/form-data`, described just enough to
/// generate a builder for it.
#[derive(Debug, Clone)]
pub struct MultipartOp {
    pub operation_id: String,
    pub method: String,
    pub path: String,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub deprecated: bool,
    /// Path parameters, in the order they appear in the path.
    pub path_params: Vec<String>,
    /// Form fields: (name, is a file, required).
    pub fields: Vec<(String, bool, bool)>,
    /// `$ref` of the success response's schema, if it has JSON content.
    pub success_schema: Option<String>,
}

/// Pass: operations whose body can only be `multipart/form-data` (profile
/// images, logos) are removed from the document and described in the
/// report. progenitor 0.15 refuses multipart bodies; `build/multipart.rs`
/// generates their builders on top of reqwest's multipart support.
pub fn run(spec: &mut Value, report: &mut Report) -> Result<(), String> {
    let components = spec.get("components").cloned().unwrap_or(Value::Null);
    let mut removed = Vec::new();
    for (path, method, op) in operations_mut(spec) {
        let types = body_media_types(op);
        let only_multipart = !types.is_empty()
            && !types.iter().any(|t| is_json(t))
            && types.iter().any(|t| t.starts_with("multipart/form-data"));
        if !only_multipart {
            continue;
        }
        let id = op["operationId"].as_str().unwrap_or_default().to_string();
        let schema = op
            .get("requestBody")
            .and_then(|b| b.get("content"))
            .and_then(Value::as_object)
            .and_then(|c| c.iter().find(|(k, _)| k.starts_with("multipart/form-data")))
            .and_then(|(_, mt)| mt.get("schema"))
            .map(|s| resolve_schema(s, &components))
            .unwrap_or(Value::Null);
        let required: BTreeSet<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let fields = schema
            .get("properties")
            .and_then(Value::as_object)
            .map(|props| {
                props
                    .iter()
                    .map(|(name, prop)| {
                        let prop = resolve_schema(prop, &components);
                        let is_file = prop.get("format").and_then(Value::as_str) == Some("binary")
                            || prop.pointer("/items/format").and_then(Value::as_str)
                                == Some("binary");
                        (name.clone(), is_file, required.contains(name.as_str()))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let path_params = path
            .split('{')
            .skip(1)
            .filter_map(|s| s.split('}').next())
            .map(str::to_string)
            .collect();
        let success_schema = success_responses(op)
            .into_iter()
            .find_map(|(_, r)| json_schema_ref(&r));
        let text = |k: &str| op.get(k).and_then(Value::as_str).map(str::to_string);
        report.found.multipart.push(MultipartOp {
            operation_id: id.clone(),
            method: method.clone(),
            path: path.clone(),
            summary: text("summary"),
            description: text("description"),
            deprecated: op.get("deprecated").and_then(Value::as_bool) == Some(true),
            path_params,
            fields,
            success_schema,
        });
        report.log.notes.push(format!(
            "{id}: multipart body, generated outside progenitor"
        ));
        removed.push((path, method));
    }
    let paths = spec["paths"]
        .as_object_mut()
        .expect("checked by check_shape");
    for (path, method) in removed {
        if let Some(item) = paths.get_mut(&path).and_then(Value::as_object_mut) {
            item.remove(&method);
        }
        let empty = paths[&path]
            .as_object()
            .is_some_and(|item| !item.keys().any(|k| METHODS.contains(&k.as_str())));
        if empty {
            paths.remove(&path);
        }
    }
    Ok(())
}
