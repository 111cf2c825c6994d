//! Pass: patterns, lengths and item counts are the server's to check.

use super::Report;
use super::openapi::components_mut;
use serde_json::Value;

/// Pass: `pattern`, length and item-count constraints become constrained
/// newtypes in typify's output, which reject values at the client: an ID
/// whose format Clerk changes, a country code in lower case. They are the
/// server's to check, so they are dropped everywhere (request parameters
/// then take plain strings), as are `anyOf`/`oneOf` lists that only name
/// required fields. Numeric bounds stay on requests, where they
/// choose the integer type (see `integral_number_parameters`).
pub fn run(spec: &mut Value, report: &mut Report) -> Result<(), String> {
    const KEYS: [&str; 6] = [
        "pattern",
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "uniqueItems",
    ];
    fn walk(v: &mut Value, n: &mut usize) {
        match v {
            Value::Object(map) => {
                // Only schema objects carry these (a property *named*
                // `pattern` is a key of `properties`, whose value is an object).
                for k in KEYS {
                    if map.get(k).is_some_and(|x| !x.is_object()) {
                        map.remove(k);
                        *n += 1;
                    }
                }
                // `anyOf: [{required: [a]}, {required: [b]}]` only says which
                // fields must be present: a check, not a shape. typify would
                // make an enum of near-identical structs of it.
                for k in ["anyOf", "oneOf"] {
                    let only_required = map.get(k).and_then(Value::as_array).is_some_and(|l| {
                        l.iter().all(|v| {
                            v.as_object().is_some_and(|o| {
                                o.keys()
                                    .all(|key| key == "required" || key == "description")
                            })
                        })
                    });
                    if only_required && map.contains_key("properties") {
                        map.remove(k);
                        *n += 1;
                    }
                }
                map.values_mut().for_each(|x| walk(x, n));
            }
            Value::Array(items) => items.iter_mut().for_each(|x| walk(x, n)),
            _ => {}
        }
    }
    let mut n = 0;
    walk(components_mut(spec), &mut n);
    if let Some(paths) = spec.get_mut("paths") {
        walk(paths, &mut n);
    }
    report
        .log
        .notes
        .push(format!("{n} pattern/length constraints dropped"));
    Ok(())
}
