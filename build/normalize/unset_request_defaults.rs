//! Pass: request defaults are the server's: sent only when set.

use super::Report;
use super::openapi::{operation_id, operations_mut, reachable};
use serde_json::Value;

/// Pass: a `default` in a request schema says what the *server* does when
/// the field is absent. typify turns it into a value the client always
/// sends, so a PATCH that sets one field would also reset every defaulted
/// one (`restricted_to_allowlist: false` on every instance update). Every
/// `default` in request bodies, in the component schemas they reach and in
/// parameters is removed: the field becomes an `Option` sent only when the
/// caller sets it. Response schemas keep theirs (a schema shared by both
/// loses it too: sending what the caller did not set is the worse fault).
pub fn run(spec: &mut Value, report: &mut Report) -> Result<(), String> {
    let components = spec.get("components").cloned().unwrap_or(Value::Null);
    let mut roots = Vec::new();
    for (_, _, op) in operations_mut(spec) {
        let id = operation_id(op);
        if let Some(content) = op
            .get_mut("requestBody")
            .and_then(|b| b.get_mut("content"))
            .and_then(Value::as_object_mut)
        {
            for media in content.values_mut() {
                if let Some(schema) = media.get_mut("schema") {
                    roots.push(schema.clone());
                    strip_defaults(schema, "body", &id, &mut report.log.unset_defaults);
                }
            }
        }
        for p in op
            .get_mut("parameters")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            let name = p.get("name").and_then(Value::as_str).unwrap_or("?");
            let place = format!(
                "{} {name}",
                p.get("in").and_then(Value::as_str).unwrap_or("?")
            );
            let schema = p.get("schema").cloned().unwrap_or(Value::Null);
            roots.push(schema);
            if let Some(schema) = p.get_mut("schema") {
                strip_defaults(schema, &place, &id, &mut report.log.unset_defaults);
            }
        }
    }
    let used = reachable(&components, roots.iter().collect());
    if let Some(schemas) = spec
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for (name, schema) in schemas.iter_mut() {
            if used.contains(name) {
                strip_defaults(schema, "", name, &mut report.log.unset_defaults);
            }
        }
    }
    for (owner, field, default) in &report.log.unset_defaults {
        report.log.notes.push(format!(
            "{owner}: `{field}` (spec default {default}) is sent only when set"
        ));
    }
    Ok(())
}

/// Remove `default` from `schema` and the schemas nested in it (not through
/// `$ref`s), recording each as (owner, JSON path of the field, value).
fn strip_defaults(
    schema: &mut Value,
    at: &str,
    owner: &str,
    out: &mut Vec<(String, String, Value)>,
) {
    let Some(map) = schema.as_object_mut() else {
        return;
    };
    if let Some(d) = map.remove("default") {
        out.push((owner.to_string(), at.to_string(), d));
    }
    let join = |k: &str| {
        if at.is_empty() {
            k.to_string()
        } else {
            format!("{at}.{k}")
        }
    };
    if let Some(props) = map.get_mut("properties").and_then(Value::as_object_mut) {
        for (k, v) in props.iter_mut() {
            strip_defaults(v, &join(k), owner, out);
        }
    }
    if let Some(items) = map.get_mut("items") {
        strip_defaults(items, &format!("{at}[]"), owner, out);
    }
    if let Some(extra) = map.get_mut("additionalProperties") {
        strip_defaults(extra, &format!("{at}{{}}"), owner, out);
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        for v in map
            .get_mut(key)
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            strip_defaults(v, at, owner, out);
        }
    }
}
