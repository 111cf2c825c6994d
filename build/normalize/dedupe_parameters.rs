//! Pass: parameters that would become one Rust name, kept once.

use super::Report;
use super::openapi::METHODS;
use serde_json::Value;

/// Snake-case a name the way the generated builder methods are named, to
/// find parameters that would collide (`frontendApi` and `frontend_api`).
pub fn snake(name: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            if prev_lower {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
            prev_lower = false;
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        } else {
            if !out.ends_with('_') && !out.is_empty() {
                out.push('_');
            }
            prev_lower = false;
        }
    }
    out.trim_end_matches('_').to_string()
}

/// Pass: parameters whose names become the same Rust identifier once
/// snake-cased (`frontendApi` and `frontend_api`, two spellings of one
/// query parameter) would generate one builder method twice. Keep one:
/// the one not marked deprecated, else the one already in snake case.
/// Path-level parameters are merged into the operation first, so both
/// lists are seen.
pub fn run(spec: &mut Value, report: &mut Report) -> Result<(), String> {
    let Some(paths) = spec.get_mut("paths").and_then(Value::as_object_mut) else {
        return Ok(());
    };
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        let shared = item
            .remove("parameters")
            .and_then(|p| p.as_array().cloned())
            .unwrap_or_default();
        for (method, op) in item.iter_mut() {
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            let Some(op) = op.as_object_mut() else {
                continue;
            };
            let mut params: Vec<Value> = op
                .get("parameters")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            // Operation-level parameters override path-level ones.
            for p in &shared {
                let key = (p.get("name"), p.get("in"));
                if !params.iter().any(|q| (q.get("name"), q.get("in")) == key) {
                    params.push(p.clone());
                }
            }
            let mut keep: Vec<Value> = Vec::new();
            for p in params {
                let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
                let clash = keep.iter().position(|q| {
                    snake(q.get("name").and_then(Value::as_str).unwrap_or_default()) == snake(name)
                });
                match clash {
                    None => keep.push(p),
                    Some(i) => {
                        let rank = |v: &Value| {
                            let n = v.get("name").and_then(Value::as_str).unwrap_or_default();
                            let deprecated =
                                v.get("deprecated").and_then(Value::as_bool) == Some(true);
                            (!deprecated, n == snake(n))
                        };
                        let dropped = if rank(&p) > rank(&keep[i]) {
                            std::mem::replace(&mut keep[i], p)
                        } else {
                            p
                        };
                        report.log.notes.push(format!(
                            "{}: parameter `{}` collides with another once snake-cased; dropped",
                            op.get("operationId")
                                .and_then(Value::as_str)
                                .unwrap_or_default(),
                            dropped
                                .get("name")
                                .and_then(Value::as_str)
                                .unwrap_or_default()
                        ));
                    }
                }
            }
            if !keep.is_empty() {
                op.insert("parameters".into(), Value::Array(keep));
            }
        }
    }
    Ok(())
}
