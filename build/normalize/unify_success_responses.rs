//! Pass: one type for all the success responses of an operation.

use super::Report;
use super::openapi::{json_schema, operations_mut, success_responses};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// Pass: progenitor needs all success responses of an operation to share
/// one type (it asserts so). Where they differ (a 200 with a body and a
/// 204 without, or two bodies), the body-less ones get the body of the
/// others if there is exactly one; otherwise every success response is
/// typed as raw JSON.
pub fn run(spec: &mut Value, report: &mut Report) -> Result<(), String> {
    for (_, _, op) in operations_mut(spec) {
        let successes = success_responses(op);
        let schemas: BTreeSet<String> = successes
            .iter()
            .map(|(_, r)| json_schema(r).map(|s| s.to_string()).unwrap_or_default())
            .collect();
        if schemas.len() <= 1 {
            continue;
        }
        let typed: Vec<&Value> = successes
            .iter()
            .filter_map(|(_, r)| json_schema(r))
            .collect();
        let distinct: BTreeSet<String> = typed.iter().map(|s| s.to_string()).collect();
        let schema = if distinct.len() == 1 {
            typed[0].clone()
        } else {
            json!({})
        };
        let responses = op["responses"].as_object_mut().expect("has responses");
        for (code, _) in &successes {
            if code == "204" || code == "205" || code == "101" {
                // These can never carry a body: drop them, the rest decode.
                responses.remove(code);
                continue;
            }
            let r = responses.get_mut(code).expect("listed above");
            let description = r.get("description").cloned().unwrap_or(json!(""));
            *r = json!({
                "description": description,
                "content": {"application/json": {"schema": schema.clone()}}
            });
        }
        report.log.notes.push(format!(
            "{}: success responses of different types, unified",
            op["operationId"].as_str().unwrap_or_default()
        ));
    }
    Ok(())
}
