//! Pass: one media type per request body: the JSON one.

use super::Report;
use super::openapi::{body_media_types, is_json, operations_mut};
use serde_json::Value;

/// Pass: a body offered in several media types (JSON and a form, say) makes
/// progenitor panic; keep the JSON one, which every Clerk endpoint accepts.
pub fn run(spec: &mut Value, report: &mut Report) -> Result<(), String> {
    for (_, _, op) in operations_mut(spec) {
        let types = body_media_types(op);
        if types.len() < 2 {
            continue;
        }
        let keep = types
            .iter()
            .find(|t| is_json(t))
            .or_else(|| types.first())
            .cloned()
            .expect("at least two media types");
        let content = op
            .get_mut("requestBody")
            .and_then(|b| b.get_mut("content"))
            .and_then(Value::as_object_mut)
            .expect("media types came from here");
        content.retain(|k, _| *k == keep);
        report.log.notes.push(format!(
            "{}: request body offered as {}, kept {keep}",
            op["operationId"].as_str().unwrap_or_default(),
            types.join(", ")
        ));
    }
    Ok(())
}
