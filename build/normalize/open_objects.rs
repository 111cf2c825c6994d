//! Pass: objects accept fields they do not declare.

use super::Report;
use super::openapi::components_mut;
use serde_json::Value;

/// Pass: `additionalProperties: false` makes the generated type reject any
/// field it does not know, so the first field Clerk adds would break
/// decoding. Remove it everywhere: unknown fields are ignored instead.
pub fn run(spec: &mut Value, _report: &mut Report) -> Result<(), String> {
    fn walk(v: &mut Value) {
        match v {
            Value::Object(map) => {
                if map.get("additionalProperties") == Some(&Value::Bool(false)) {
                    map.remove("additionalProperties");
                }
                map.values_mut().for_each(walk);
            }
            Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    walk(components_mut(spec));
    if let Some(paths) = spec.get_mut("paths") {
        walk(paths);
    }
    Ok(())
}
