//! Pass: the document must be an OpenAPI 3.0 document with operations.

use super::Report;
use serde_json::Value;

/// The document must be an OpenAPI 3.0 object with `paths`: say so plainly
/// instead of letting a later step fail on a missing key.
pub fn run(spec: &mut Value, _report: &mut Report) -> Result<(), String> {
    let version = spec.get("openapi").and_then(Value::as_str).unwrap_or("");
    if !version.starts_with("3.0") {
        return Err(format!(
            "the spec declares `openapi: {version}`; progenitor takes OpenAPI 3.0.x documents"
        ));
    }
    if !spec.get("paths").is_some_and(Value::is_object) {
        return Err("the spec has no `paths` object".into());
    }
    Ok(())
}
