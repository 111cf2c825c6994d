//! Cargo features per API area: the spec's operation tags ("Users",
//! "Organizations", ...) become features (`users`, `organizations`, ...),
//! all on by default (`all-apis`). An application that enables only some
//! compiles only their operations and the schemas those reach, besides the
//! webhook payloads (`webhooks.rs`), which are always compiled.
//!
//! The selection is made on the spec, before anything else reads it, so the
//! client, its pagination glue, the generated tests and the fake's routes all
//! describe the same operations.
//!
//! A tag with no feature in [`FEATURES`] (a newer spec's new area) is always
//! built: dropping in a spec never loses operations. An untagged operation
//! is always built too. With every feature on,
//! the spec is left untouched.

use serde_json::Value;
use std::collections::HashSet;

/// The features `Cargo.toml` declares for API areas: the slugs of the tags
/// of Clerk's specs (2024-10 to 2026-08, and the dated 2026-05-12). `tests/tags.rs` checks that
/// `Cargo.toml` declares each of these, and that `all-apis` enables them all.
pub const FEATURES: &[&str] = &[
    "actor-tokens",
    "admin-portal-link-tokens",
    "agent-tasks",
    "allow-list-block-list",
    "api-keys",
    "beta-features",
    "billing",
    "clients",
    "commerce",
    "directories",
    "domains",
    "email-addresses",
    "email-sms-templates",
    "enterprise-connections",
    "instance-settings",
    "invitations",
    "jwks",
    "jwt-templates",
    "m2m-tokens",
    "machines",
    "miscellaneous",
    "oauth-access-tokens",
    "oauth-applications",
    "organization-domains",
    "organization-invitations",
    "organization-memberships",
    "organization-permissions",
    "organization-roles",
    "organizations",
    "phone-numbers",
    "proxy-checks",
    "redirect-urls",
    "role-sets",
    "saml-connections",
    "scim-directories",
    "sessions",
    "sign-in-tokens",
    "sign-ups",
    "testing-tokens",
    "users",
    "waitlist-entries",
    "webhooks",
];

/// What the selection kept and dropped.
#[derive(Debug, Default, PartialEq)]
pub struct Selection {
    pub kept_operations: usize,
    pub dropped_operations: usize,
    pub dropped_components: usize,
}

/// The feature name of a tag: lowercase words joined by `-`
/// ("Allow-list / Block-list" -> `allow-list-block-list`).
pub fn slug(tag: &str) -> String {
    let mut out = String::new();
    for word in tag
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&word.to_ascii_lowercase());
    }
    out
}

/// The environment variable Cargo sets for an enabled feature.
pub fn feature_env(feature: &str) -> String {
    format!(
        "CARGO_FEATURE_{}",
        feature.to_ascii_uppercase().replace('-', "_")
    )
}

/// Drop the operations whose tags all have features and none of them is
/// enabled, then (if any was dropped) the components nothing kept reaches.
pub fn select(spec: &mut Value, enabled: impl Fn(&str) -> bool) -> Selection {
    let mut selection = Selection::default();
    let Some(paths) = spec.get_mut("paths").and_then(Value::as_object_mut) else {
        return selection;
    };
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        item.retain(|method, op| {
            if !is_method(method) {
                return true;
            }
            let keep = wanted(op, &enabled);
            if keep {
                selection.kept_operations += 1;
            } else {
                selection.dropped_operations += 1;
            }
            keep
        });
    }
    if selection.dropped_operations > 0 {
        paths.retain(|_, item| {
            item.as_object()
                .is_none_or(|i| i.keys().any(|k| is_method(k)))
        });
        selection.dropped_components = drop_unreached_components(spec);
    }
    selection
}

fn is_method(key: &str) -> bool {
    matches!(
        key,
        "get" | "put" | "post" | "delete" | "options" | "head" | "patch" | "trace"
    )
}

/// The feature of a tag, if it has one. A singular tag names its plural's
/// area (Clerk's 2024 specs tag one operation "Organization Domain").
pub fn feature_of(tag: &str) -> Option<&'static str> {
    let slug = slug(tag);
    let plural = format!("{slug}s");
    FEATURES
        .iter()
        .find(|f| **f == slug || **f == plural)
        .copied()
}

/// Kept unless every tag has a feature and none of those is enabled.
fn wanted(op: &Value, enabled: &impl Fn(&str) -> bool) -> bool {
    let tags: Vec<&str> = op
        .get("tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    tags.is_empty() || tags.iter().any(|tag| feature_of(tag).is_none_or(enabled))
}

/// Remove every `components` entry no `$ref` reaches from outside
/// `components` (`paths`, and the webhook payloads `build/webhooks.rs`
/// records at the top level, which are compiled whatever the features),
/// directly or through other components; returns how many.
fn drop_unreached_components(spec: &mut Value) -> usize {
    let mut reached: HashSet<String> = HashSet::new();
    let mut pending = Vec::new();
    for (key, value) in spec.as_object().into_iter().flatten() {
        if key != "components" {
            collect_refs(value, &mut pending);
        }
    }
    while let Some(reference) = pending.pop() {
        if !reached.insert(reference.clone()) {
            continue;
        }
        if let Some(target) = reference.strip_prefix('#').and_then(|p| spec.pointer(p)) {
            collect_refs(target, &mut pending);
        }
    }
    let mut dropped = 0;
    if let Some(components) = spec.get_mut("components").and_then(Value::as_object_mut) {
        for (kind, entries) in components.iter_mut() {
            // Security schemes are named by `security`, not reached by `$ref`.
            let Some(entries) = entries
                .as_object_mut()
                .filter(|_| kind != "securitySchemes")
            else {
                continue;
            };
            let before = entries.len();
            entries.retain(|name, _| {
                reached.contains(&format!("#/components/{kind}/{}", escape(name)))
            });
            dropped += before - entries.len();
        }
    }
    dropped
}

/// A JSON-pointer segment (`~` -> `~0`, `/` -> `~1`).
fn escape(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r.clone()),
                    _ => collect_refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}
