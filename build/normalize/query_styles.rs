//! Pass: query parameters progenitor does not serialise as the spec asks.

use super::Report;
use super::openapi::METHODS;
use serde_json::Value;

/// How one query parameter of one operation is put on the wire, when that
/// is not progenitor's way (`name=a&name=b`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryStyle {
    pub operation_id: String,
    pub name: String,
    /// The separator that joins an array's items into one value: `,` for
    /// `form` with `explode: false`, ` ` for `spaceDelimited`, `|` for
    /// `pipeDelimited`.
    pub separator: char,
}

/// Pass (read-only): progenitor sends every array query parameter as
/// `name=a&name=b`, OpenAPI's default (`style: form`, `explode: true`).
/// Parameters the spec serialises otherwise are listed for the request
/// hook, which joins their values: `form` with `explode: false` as `a,b`,
/// `spaceDelimited` as `a b`, `pipeDelimited` as `a|b`. Styles nothing here
/// can produce (`deepObject`, an unexploded object) are reported as build
/// warnings saying how the parameter is sent instead.
pub fn run(spec: &mut Value, report: &mut Report) -> Result<(), String> {
    let paths = spec.get("paths").and_then(Value::as_object);
    for item in paths.into_iter().flat_map(|p| p.values()) {
        for (method, op) in item.as_object().into_iter().flatten() {
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            let id = op.get("operationId").and_then(Value::as_str).unwrap_or("?");
            for p in op
                .get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if p.get("in").and_then(Value::as_str) != Some("query") {
                    continue;
                }
                let name = p.get("name").and_then(Value::as_str).unwrap_or("?");
                let style = p.get("style").and_then(Value::as_str).unwrap_or("form");
                let explode = p
                    .get("explode")
                    .and_then(Value::as_bool)
                    .unwrap_or(style == "form");
                let ty = p.pointer("/schema/type").and_then(Value::as_str);
                let object = ty == Some("object") || p.pointer("/schema/properties").is_some();
                let separator = match (style, explode) {
                    _ if ty != Some("array") && !object => continue,
                    ("form", true) => continue,
                    ("spaceDelimited" | "pipeDelimited", true) if !object => continue,
                    ("form", false) if !object => ',',
                    ("spaceDelimited", false) if !object => ' ',
                    ("pipeDelimited", false) if !object => '|',
                    _ => {
                        report.log.warnings.push(format!(
                            "operation `{id}`: query parameter `{name}` has `style: {style}`, \
                             `explode: {explode}`, which this client cannot produce; it is sent \
                             as `form`, exploded ({})",
                            if object {
                                "each property as `key=value`"
                            } else {
                                "`name=a&name=b`"
                            }
                        ));
                        continue;
                    }
                };
                report.found.query_styles.push(QueryStyle {
                    operation_id: id.to_string(),
                    name: name.to_string(),
                    separator,
                });
            }
        }
    }
    Ok(())
}
