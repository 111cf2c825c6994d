//! Pass: response, parameter and request-body `$ref`s replaced by what they name.

use super::Report;
use super::openapi::METHODS;
use serde_json::Value;

/// Pass: replace `$ref`s to `#/components/responses`, `parameters` and
/// `requestBodies` by what they name, so the following passes (and the
/// generated tests) see each operation's real content. Schemas stay
/// `$ref`s: those become named Rust types.
pub fn inline_refs(spec: &mut Value) {
    let components = spec.get("components").cloned().unwrap_or(Value::Null);
    let resolve = |v: &mut Value| {
        // Follow chains of references, but never loop.
        for _ in 0..8 {
            let Some(target) = v.get("$ref").and_then(Value::as_str) else {
                break;
            };
            let Some(rest) = target.strip_prefix("#/components/") else {
                break;
            };
            if rest.starts_with("schemas/") {
                break;
            }
            match components.pointer(&format!("/{rest}")) {
                Some(t) => *v = t.clone(),
                None => break,
            }
        }
    };
    let Some(paths) = spec.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (key, op) in item.iter_mut() {
            if key == "parameters" {
                op.as_array_mut().into_iter().flatten().for_each(resolve);
                continue;
            }
            if !METHODS.contains(&key.as_str()) {
                continue;
            }
            if let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) {
                params.iter_mut().for_each(resolve);
            }
            if let Some(body) = op.get_mut("requestBody") {
                resolve(body);
            }
            if let Some(map) = op.get_mut("responses").and_then(Value::as_object_mut) {
                map.values_mut().for_each(resolve);
            }
        }
    }
}

/// The pass: [`inline_refs`] on the document being normalised.
pub fn run(spec: &mut Value, _report: &mut Report) -> Result<(), String> {
    inline_refs(spec);
    Ok(())
}
