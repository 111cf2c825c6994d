//! The spec's operations as a table of `(method, path template, operationId)`,
//! for the fake Clerk of `clerk_backend::testing` (feature `testing`): it
//! maps every request to its operation, and names the operation in its
//! "not implemented" answers.

use serde_json::Value;

use super::openapi::METHODS;

/// Rust source of `OPERATIONS`, sorted by path then method.
pub fn generate(spec: &Value) -> String {
    let mut rows = Vec::new();
    if let Some(paths) = spec.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            let Some(item) = item.as_object() else {
                continue;
            };
            for (method, op) in item {
                if !METHODS.contains(&method.as_str()) {
                    continue;
                }
                let id = op
                    .get("operationId")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                rows.push((path.clone(), method.to_uppercase(), id.to_string()));
            }
        }
    }
    rows.sort();
    let mut out = String::from(
        "/// Every operation of the spec: `(HTTP method, path template, operationId)`.\n\
         pub(crate) const OPERATIONS: &[(&str, &str, &str)] = &[\n",
    );
    for (path, method, id) in rows {
        out.push_str(&format!("    ({method:?}, {path:?}, {id:?}),\n"));
    }
    out.push_str("];\n");
    out
}
