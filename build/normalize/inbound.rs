//! Which component schemas the inbound passes rewrite (not a pass: what
//! `forward_compatible_responses` and `absent_as_empty` both ask).
//!
//! A schema is inbound when a response or a webhook payload reaches it
//! (through `$ref`s), and outbound when a request body or parameter does.
//! Only schemas that are inbound and not outbound are rewritten: one Rust
//! type serves both directions, and what is sent must stay as strict as
//! the spec says.

use super::WEBHOOK_PAYLOADS;
use super::openapi::{METHODS, reachable};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// The component schemas each direction reaches.
pub struct Uses {
    requests: BTreeSet<String>,
    inbound: BTreeSet<String>,
}

impl Uses {
    /// Walk the operations and the webhook payload roots of `spec`.
    pub fn of(spec: &Value) -> Uses {
        let components = spec.get("components").unwrap_or(&Value::Null);
        let mut request_roots = Vec::new();
        let mut inbound_roots = Vec::new();
        let paths = spec.get("paths").and_then(Value::as_object);
        for item in paths.into_iter().flat_map(|p| p.values()) {
            for (method, op) in item.as_object().into_iter().flatten() {
                if !METHODS.contains(&method.as_str()) {
                    continue;
                }
                request_roots.extend(op.get("requestBody"));
                request_roots.extend(op.get("parameters"));
                inbound_roots.extend(op.get("responses"));
            }
        }
        inbound_roots.extend(spec.get(WEBHOOK_PAYLOADS));
        Uses {
            requests: reachable(components, request_roots),
            inbound: reachable(components, inbound_roots),
        }
    }

    /// A response or webhook payload reaches `name`.
    pub fn is_inbound(&self, name: &str) -> bool {
        self.inbound.contains(name)
    }

    /// A request reaches `name` too: it stays as the spec has it.
    pub fn is_outbound(&self, name: &str) -> bool {
        self.requests.contains(name)
    }

    /// Inbound and not outbound: the inbound passes rewrite it.
    pub fn inbound_only(&self, name: &str) -> bool {
        self.is_inbound(name) && !self.is_outbound(name)
    }
}

/// Every component schema named as a variant of a `oneOf` or `anyOf` of
/// two variants or more anywhere in `components` (the raw-JSON fallback
/// `forward_compatible_responses` adds does not count). Such a schema's
/// required properties tell the union's variants apart when it is decoded
/// (a value lacking one is not that variant), so they stay required. A
/// union of one (`oneOf: [$ref]`, a way to write a reference with a
/// description) has nothing to tell apart.
pub fn union_variants(components: &Value) -> BTreeSet<String> {
    fn walk(v: &Value, out: &mut BTreeSet<String>) {
        match v {
            Value::Object(m) => {
                for key in ["oneOf", "anyOf"] {
                    let list: Vec<&Value> = m
                        .get(key)
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter(|v| !is_fallback(v))
                        .collect();
                    if list.len() < 2 {
                        continue;
                    }
                    for variant in list {
                        if let Some(name) = variant
                            .get("$ref")
                            .and_then(Value::as_str)
                            .and_then(|r| r.strip_prefix("#/components/schemas/"))
                        {
                            out.insert(name.to_string());
                        }
                    }
                }
                m.values().for_each(|x| walk(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    walk(components, &mut out);
    out
}

/// The raw-JSON variant `forward_compatible_responses` appends to unions.
pub fn is_fallback(variant: &Value) -> bool {
    *variant == json!({"title": FALLBACK})
}

/// The title of that variant, which names it `Other` in the generated enum.
pub const FALLBACK: &str = "Other";
