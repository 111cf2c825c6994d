//! Pass: every operation gets a unique `operationId`.

use super::Report;
use super::openapi::operations_mut;
use serde_json::Value;
use std::collections::BTreeSet;

/// Pass: every operation needs a unique `operationId`, since method names
/// come from it. A missing one is made from the method and path
/// (`get /users/{user_id}` -> `get_users_user_id`); a repeated one gets a
/// numeric suffix.
pub fn run(spec: &mut Value, report: &mut Report) -> Result<(), String> {
    let mut seen = BTreeSet::new();
    for (path, method, op) in operations_mut(spec) {
        let id = match op.get("operationId").and_then(Value::as_str) {
            Some(id) if !id.trim().is_empty() => id.to_string(),
            _ => {
                let words: Vec<String> = path
                    .split(|c: char| !c.is_ascii_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .map(str::to_string)
                    .collect();
                let id = format!("{method}_{}", words.join("_"));
                report
                    .log
                    .notes
                    .push(format!("{method} {path}: no operationId, named it `{id}`"));
                id
            }
        };
        let mut unique = id.clone();
        let mut n = 2;
        while !seen.insert(unique.to_lowercase()) {
            unique = format!("{id}{n}");
            n += 1;
        }
        if unique != id {
            report.log.notes.push(format!(
                "{method} {path}: duplicate operationId `{id}`, renamed `{unique}`"
            ));
        }
        op.insert("operationId".into(), Value::String(unique));
    }
    Ok(())
}
