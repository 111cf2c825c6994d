//! Operations pinned to an API version, and operations the spec deprecates.
//!
//! A spec may mark an operation with `x-clerk-api-version: YYYY-MM-DD`: that
//! operation is then always sent with that `Clerk-API-Version`, whatever
//! version the rest of the client speaks. It keeps an operation callable
//! after Clerk drops it from a newer version (`VerifySession`, gone from
//! 2026-05-12, is sent as `2021-02-05`, the last version that has it). The
//! request hook (`src/runtime/hooks.rs`) reads the table this writes
//! (`pinned_api_version`); the generated tests expect the pinned header.
//!
//! An operation with `deprecated: true` gets `#[deprecated]` on its client
//! method, with the note of its `x-deprecation-note` (ours) when it has
//! one, so a caller sees the warning where it calls.

use super::names;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write;

/// The extension that pins an operation's API version.
pub const VERSION_EXTENSION: &str = "x-clerk-api-version";
/// The extension with the note of a deprecated operation.
pub const NOTE_EXTENSION: &str = "x-deprecation-note";

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// What the spec says of one operation, by client method name.
#[derive(Debug, Default)]
pub struct OperationMeta {
    /// Method name -> pinned `Clerk-API-Version`.
    pub pinned: BTreeMap<String, String>,
    /// Method name -> deprecation note.
    pub deprecated: BTreeMap<String, String>,
}

/// Reads the pins and deprecations; a pin that is not a date fails the
/// build, naming the operation.
pub fn collect(spec: &Value) -> Result<OperationMeta, String> {
    let mut meta = OperationMeta::default();
    let paths = spec.get("paths").and_then(Value::as_object);
    for (path, item) in paths.into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            let Some(id) = op.get("operationId").and_then(Value::as_str) else {
                continue;
            };
            let name = names::method(id);
            if let Some(pin) = op.get(VERSION_EXTENSION) {
                let date = pin.as_str().filter(|d| is_date(d)).ok_or_else(|| {
                    format!(
                        "operation {id} ({} {path}): {VERSION_EXTENSION} must be a date \
                         (YYYY-MM-DD), found {pin}",
                        method.to_uppercase()
                    )
                })?;
                meta.pinned.insert(name.clone(), date.to_owned());
            }
            if op.get("deprecated").and_then(Value::as_bool) == Some(true) {
                let note = op
                    .get(NOTE_EXTENSION)
                    .and_then(Value::as_str)
                    .unwrap_or("Clerk's API spec marks this operation deprecated");
                meta.deprecated.insert(name, note.to_owned());
            }
        }
    }
    Ok(meta)
}

/// `YYYY-MM-DD`, digits only: what a header value can always carry.
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
}

/// The `pinned_api_version` function of the generated client.
pub fn generate(meta: &OperationMeta) -> String {
    let mut arms = String::new();
    for (op, version) in &meta.pinned {
        writeln!(arms, "        {op:?} => Some({version:?}),").unwrap();
    }
    format!(
        "/// The `Clerk-API-Version` an operation is always sent with, when the spec
/// pins it (`{VERSION_EXTENSION}`). Used by the request hook.
#[doc(hidden)]
#[inline]
pub fn pinned_api_version(operation_id: &str) -> Option<&'static str> {{
    match operation_id {{
{arms}        _ => None,
    }}
}}
"
    )
}

/// Adds `#[deprecated]` to the client methods of deprecated operations;
/// returns how many.
pub fn deprecate(file: &mut syn::File, meta: &OperationMeta) -> usize {
    let mut count = 0;
    for item in &mut file.items {
        let syn::Item::Impl(imp) = item else { continue };
        let is_client = matches!(&*imp.self_ty, syn::Type::Path(p)
            if p.path.is_ident("Client"));
        if !is_client || imp.trait_.is_some() {
            continue;
        }
        for item in &mut imp.items {
            let syn::ImplItem::Fn(f) = item else { continue };
            if let Some(note) = meta.deprecated.get(&f.sig.ident.to_string()) {
                f.attrs.push(syn::parse_quote!(#[deprecated(note = #note)]));
                count += 1;
            }
        }
    }
    count
}
