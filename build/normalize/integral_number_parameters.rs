//! Pass: whole-number parameters typed as integers.

use super::Report;
use super::openapi::{operation_id, operations_mut};
use serde_json::{Value, json};

/// Pass: a parameter declared `type: number` (no float format) whose
/// `default`, `minimum` and `maximum` are all whole numbers is a count, as
/// Clerk's `limit` and `offset` are. As a float it would be sent as
/// `limit=10.0`, which a server parsing integers rejects; as an integer it
/// is sent as `limit=10`, and the builder takes integers in every spec
/// version (newer specs already declare some of these integers). A positive
/// `minimum` is lowered to 0: typify would make `minimum: 1` a `NonZeroU64`,
/// which `.limit(10)` cannot convert into; the server still checks bounds.
pub fn run(spec: &mut Value, report: &mut Report) -> Result<(), String> {
    for (_, _, op) in operations_mut(spec) {
        let id = operation_id(op);
        let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) else {
            continue;
        };
        for p in params {
            let name = p
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let Some(schema) = p.get_mut("schema").and_then(Value::as_object_mut) else {
                continue;
            };
            let is_float_format = matches!(
                schema.get("format").and_then(Value::as_str),
                Some("float" | "double")
            );
            let ty = schema.get("type").and_then(Value::as_str);
            if ty == Some("integer") {
                // Already whole: only lower a positive minimum (see above).
                if schema
                    .get("minimum")
                    .and_then(Value::as_i64)
                    .is_some_and(|m| m > 0)
                {
                    schema.insert("minimum".into(), json!(0));
                }
                continue;
            }
            if ty != Some("number") || is_float_format {
                continue;
            }
            let bounds: Vec<&Value> = ["default", "minimum", "maximum"]
                .iter()
                .filter_map(|k| schema.get(*k))
                .collect();
            let integral = |v: &&Value| v.as_f64().is_some_and(|f| f.fract() == 0.0);
            if !bounds.is_empty() && bounds.iter().all(integral) {
                schema.insert("type".into(), json!("integer"));
                for k in ["default", "minimum", "maximum"] {
                    if let Some(f) = schema.get(k).and_then(Value::as_f64) {
                        schema.insert(k.into(), json!(f as i64));
                    }
                }
                if schema
                    .get("minimum")
                    .and_then(Value::as_i64)
                    .is_some_and(|m| m > 0)
                {
                    schema.insert("minimum".into(), json!(0));
                }
                report.log.notes.push(format!(
                    "{id}: parameter `{name}` is a whole number, typed integer"
                ));
            }
        }
    }
    Ok(())
}
