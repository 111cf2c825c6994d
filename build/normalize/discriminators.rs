//! Which enums tell the variants of a `oneOf` apart (not a pass: what
//! the inbound passes ask of unions).

use super::openapi::{escape_pointer, resolved};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Which enum properties of a union's variants stay closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Closed {
    /// None: every enum is opened.
    None,
    /// These properties, which tell the variants apart.
    Some(BTreeSet<String>),
    /// Every enum property: nothing was found that tells the variants apart
    /// (so only the enums can).
    All,
}

impl Closed {
    pub fn contains(&self, prop: &str) -> bool {
        match self {
            Closed::None => false,
            Closed::Some(set) => set.contains(prop),
            Closed::All => true,
        }
    }

    /// Both: a schema that is a variant of several unions keeps closed
    /// what any of them needs.
    fn and(self, other: Closed) -> Closed {
        match (self, other) {
            (Closed::All, _) | (_, Closed::All) => Closed::All,
            (Closed::None, x) | (x, Closed::None) => x,
            (Closed::Some(mut a), Closed::Some(b)) => {
                a.extend(b);
                Closed::Some(a)
            }
        }
    }
}

/// The discriminators of a `oneOf`: the string-enum properties that every
/// variant has with value sets no two variants share (`strategy`,
/// `object`). An enum whose values overlap between variants (a `status`)
/// tells nothing apart, so it can be opened like any other.
pub fn discriminators(variants: &[Value], components: &Value) -> Closed {
    if variants.len() < 2 {
        return Closed::None;
    }
    let enums = |v: &Value, prop: &str| -> Option<BTreeSet<String>> {
        let p =
            resolved(v, components).pointer(&format!("/properties/{}", escape_pointer(prop)))?;
        let values = resolved(p, components).get("enum")?.as_array()?;
        Some(values.iter().map(|x| x.to_string()).collect())
    };
    let first = resolved(&variants[0], components);
    let names = first
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect::<Vec<_>>())
        .unwrap_or_default();
    let mut found = BTreeSet::new();
    for prop in names {
        let sets: Option<Vec<BTreeSet<String>>> =
            variants.iter().map(|v| enums(v, &prop)).collect();
        let Some(sets) = sets else { continue };
        let disjoint = sets
            .iter()
            .enumerate()
            .all(|(i, a)| sets[i + 1..].iter().all(|b| a.is_disjoint(b)));
        if disjoint {
            found.insert(prop);
        }
    }
    if found.is_empty() {
        Closed::All
    } else {
        Closed::Some(found)
    }
}

/// For each component schema used as a `oneOf` variant (through `$ref`),
/// the enum properties that must stay closed.
pub fn closed_discriminators(components: &Value) -> BTreeMap<String, Closed> {
    fn walk(v: &Value, components: &Value, out: &mut BTreeMap<String, Closed>) {
        match v {
            Value::Object(m) => {
                if let Some(list) = m.get("oneOf").and_then(Value::as_array) {
                    let closed = discriminators(list, components);
                    for variant in list {
                        if let Some(name) = variant
                            .get("$ref")
                            .and_then(Value::as_str)
                            .and_then(|r| r.strip_prefix("#/components/schemas/"))
                        {
                            let before = out.remove(name).unwrap_or(Closed::None);
                            out.insert(name.to_string(), before.and(closed.clone()));
                        }
                    }
                }
                m.values().for_each(|x| walk(x, components, out));
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, components, out)),
            _ => {}
        }
    }
    let mut out = BTreeMap::new();
    walk(components, components, &mut out);
    out
}
