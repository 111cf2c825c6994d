//! Pass: inbound schemas decode what Clerk adds or leaves out.

use super::discriminators::{Closed, closed_discriminators, discriminators};
use super::inbound::{FALLBACK, Uses};
use super::openapi::{components_mut, operations_mut, pascal, required_names};
use super::{CompatCounts, Report};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// Pass: decoding must survive what Clerk adds or leaves out without a
/// version change. For every schema only responses and webhook payloads
/// use (schemas requests also use stay as they are, so request types do
/// not change):
///
/// - a required property that is nullable, an array, a map or an object
///   becomes optional, so `null` or absence decodes (as `None`);
/// - array and map properties are plain collections that decode `null`
///   and absence as empty (`user.email_addresses.iter()`, no `Option`);
/// - a string enum becomes `oneOf: [the enum, any string]`: known values
///   stay typed, an unknown one decodes and keeps its text. The enums that
///   tell a `oneOf`'s variants apart (`strategy`, `object`: every variant
///   has one, no two share a value) stay closed; a variant's other enums
///   (its `status`) are opened like any other;
/// - a `oneOf`/`anyOf` gets a last, raw-JSON variant, so a value matching
///   none of the variants does not fail the enclosing object.
///
/// - value constraints (`pattern`, lengths, bounds) are dropped.
///
/// Unknown fields are already ignored (see `open_objects`); a required
/// scalar that is absent decodes as its empty value (see `absent_as_empty`,
/// which runs next). Webhook payloads are inbound data as responses are,
/// and go through the same rules: the schemas `inbound.rs` selects.
pub fn run(spec: &mut Value, report: &mut Report) -> Result<(), String> {
    let components = spec.get("components").cloned().unwrap_or(Value::Null);
    let uses = Uses::of(spec);
    let closed = closed_discriminators(&components);
    let mut counts = CompatCounts::default();
    let taken = components
        .get("schemas")
        .and_then(Value::as_object)
        .map(|s| s.keys().cloned().collect())
        .unwrap_or_default();
    let mut l = Loosener {
        counts: &mut counts,
        taken,
        added: Vec::new(),
        components: components.clone(),
    };
    if let Some(schemas) = spec
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for (name, schema) in schemas.iter_mut() {
            if !uses.is_inbound(name) {
                continue;
            }
            if uses.is_outbound(name) {
                l.counts.shared_with_requests += 1;
                continue;
            }
            let keep = closed.get(name).cloned().unwrap_or(Closed::None);
            l.loosen(schema, &pascal(name), true, &keep);
        }
    }
    for (_, _, op) in operations_mut(spec) {
        let id = pascal(
            op.get("operationId")
                .and_then(Value::as_str)
                .unwrap_or_default(),
        );
        if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
            for (code, r) in responses.iter_mut() {
                if let Some(content) = r.get_mut("content").and_then(Value::as_object_mut) {
                    for mt in content.values_mut() {
                        if let Some(s) = mt.get_mut("schema") {
                            l.loosen(
                                s,
                                &format!("{id}Response{}", pascal(code)),
                                true,
                                &Closed::None,
                            );
                        }
                    }
                }
            }
        }
    }
    let added = std::mem::take(&mut l.added);
    let schemas = components_mut(spec)
        .as_object_mut()
        .expect("components is an object")
        .entry("schemas")
        .or_insert_with(|| json!({}));
    if let Some(schemas) = schemas.as_object_mut() {
        schemas.extend(added);
    }
    report
        .log
        .notes
        .push(format!("forward compatibility: {counts:?}"));
    report.log.compat = counts;
    Ok(())
}

fn is_collection(schema: &Value) -> bool {
    match schema.get("type").and_then(Value::as_str) {
        Some("array") => true,
        Some("object") => schema.get("properties").is_none(),
        _ => false,
    }
}

/// Keywords that only constrain values, dropped from response schemas.
const VALIDATION_KEYWORDS: [&str; 11] = [
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minItems",
    "maxItems",
    "uniqueItems",
    "multipleOf",
];

/// Where `loosen` puts the closed enums it takes out of schemas.
struct Loosener<'c> {
    counts: &'c mut CompatCounts,
    /// Schema names in use (components, and those added here).
    taken: BTreeSet<String>,
    /// New component schemas: the known values of opened enums.
    added: Vec<(String, Value)>,
    /// The components as the spec has them, to read union variants.
    components: Value,
}

impl Loosener<'_> {
    /// A schema name not yet taken, starting from `base`.
    fn fresh(&mut self, base: &str) -> String {
        let mut name = base.to_string();
        let mut n = 2;
        while !self.taken.insert(name.clone()) {
            name = format!("{base}{n}");
            n += 1;
        }
        name
    }

    /// Apply the forward-compatibility rules to one schema, recursively (not
    /// through `$ref`s: referenced schemas are handled as components).
    /// `name` is the schema's path as a type name (`UserObject` for the
    /// `object` property of `User`), used to name the enums it opens.
    /// `open_enums` says whether this schema, if a string enum, is opened;
    /// `closed` names the properties whose enums stay closed (a union
    /// variant's discriminators).
    fn loosen(&mut self, schema: &mut Value, name: &str, open_enums: bool, closed: &Closed) {
        let Some(map) = schema.as_object_mut() else {
            return;
        };
        // Validation is the server's job: a pattern or bound the client
        // checks would reject the first value Clerk sends outside it (and
        // typify turns them into constrained newtypes).
        for key in VALIDATION_KEYWORDS {
            if map.remove(key).is_some() {
                self.counts.validations_dropped += 1;
            }
        }
        if open_enums
            && map.get("type").and_then(Value::as_str) == Some("string")
            && map.contains_key("enum")
        {
            // `{enum}` becomes `oneOf: [$ref Known, string]`. The names make
            // typify generate `enum XObject { Known(XObjectKnown), Unknown(String) }`
            // (variant names are the references' names less their common prefix).
            let nullable = map.remove("nullable");
            let description = map.get("description").cloned();
            let mut closed = std::mem::take(map);
            if let Some(Value::Array(values)) = closed.get_mut("enum") {
                values.retain(|v| !v.is_null());
            }
            let known = self.fresh(&format!("{name}Known"));
            let unknown = format!("{}Unknown", &known[..known.len() - "Known".len()]);
            self.added.push((known.clone(), Value::Object(closed)));
            map.insert(
                "oneOf".into(),
                json!([
                    {"$ref": format!("#/components/schemas/{known}")},
                    {"type": "string", "title": unknown}
                ]),
            );
            if let Some(d) = description {
                map.insert("description".into(), d);
            }
            if let Some(n) = nullable {
                map.insert("nullable".into(), n);
            }
            self.counts.open_enums += 1;
            return;
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(list) = map.get_mut(key).and_then(Value::as_array_mut) {
                // `oneOf` variants are told apart by their discriminators:
                // keep those closed. `anyOf` variants may overlap: open all.
                let keep = if key == "oneOf" {
                    discriminators(list, &self.components)
                } else {
                    Closed::None
                };
                for (i, variant) in list.iter_mut().enumerate() {
                    self.loosen(variant, &format!("{name}Variant{i}"), true, &keep);
                }
                if !list
                    .iter()
                    .any(|v| v.get("title").and_then(Value::as_str) == Some(FALLBACK))
                {
                    // Named `Other(serde_json::Value)` in the generated enum.
                    list.push(json!({"title": FALLBACK}));
                    self.counts.union_fallbacks += 1;
                }
            }
        }
        if let Some(list) = map.get_mut("allOf").and_then(Value::as_array_mut) {
            for part in list.iter_mut() {
                self.loosen(part, name, open_enums, closed);
            }
        }
        if let Some(inner) = map.get_mut("items").filter(|v| v.is_object()) {
            self.loosen(inner, &format!("{name}Item"), true, &Closed::None);
        }
        if let Some(inner) = map
            .get_mut("additionalProperties")
            .filter(|v| v.is_object())
        {
            self.loosen(inner, &format!("{name}Value"), true, &Closed::None);
        }
        let required = required_names(map);
        let mut keep = Vec::new();
        if let Some(props) = map.get_mut("properties").and_then(Value::as_object_mut) {
            for (prop_name, prop) in props.iter_mut() {
                let nullable = prop.get("nullable").and_then(Value::as_bool) == Some(true);
                let collection = is_collection(prop);
                let object = ["$ref", "properties", "allOf", "oneOf", "anyOf"]
                    .iter()
                    .any(|k| prop.get(*k).is_some());
                let open = !closed.contains(prop_name);
                self.loosen(
                    prop,
                    &format!("{name}{}", pascal(prop_name)),
                    open,
                    &Closed::None,
                );
                if collection {
                    // Not nullable and not required: typify then makes it a
                    // plain `Vec`/map with `#[serde(default)]`, and the
                    // generated code's rewrite (`build/rewrite.rs`) lets it
                    // decode `null` as empty too.
                    prop.as_object_mut()
                        .expect("properties are objects")
                        .remove("nullable");
                    self.counts.nullable_collections += 1;
                }
                let is_required = required.contains(prop_name);
                if is_required && (nullable || collection || object) {
                    self.counts.relaxed_required += 1;
                } else if is_required {
                    keep.push(Value::String(prop_name.clone()));
                }
            }
        }
        if map.contains_key("required") {
            if keep.is_empty() {
                map.remove("required");
            } else {
                map.insert("required".into(), Value::Array(keep));
            }
        }
    }
}
