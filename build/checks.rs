//! Generates `check_response`: for each operation, a decode check of a
//! success body against the type its `send()` returns. The request hook
//! (`src/hooks.rs`) runs it while it still has the response's status and
//! headers, so a body that does not decode becomes an error naming the
//! type, the JSON path, the HTTP status and Clerk's trace id — facts the
//! generated decoding step no longer has.

use super::normalize::{METHODS, MultipartOp};
use super::paginate::{send_types, tokens};
use heck::{ToPascalCase, ToSnakeCase};
use serde_json::Value;
use std::fmt::Write;

pub fn generate(spec: &Value, multipart: &[MultipartOp], file: &syn::File) -> String {
    let sends = send_types(file);
    let mut arms = String::new();
    let paths = spec["paths"].as_object().cloned().unwrap_or_default();
    for item in paths.values() {
        for (method, op) in item.as_object().into_iter().flatten() {
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            let Some(id) = op.get("operationId").and_then(Value::as_str) else {
                continue;
            };
            let Some(ty) = sends.get(&id.to_pascal_case()).map(tokens) else {
                continue;
            };
            if ty.contains("serde_json :: Value") || ty == "()" || ty.contains("ByteStream") {
                continue; // nothing to check
            }
            writeln!(
                arms,
                "        {:?} => check::<{ty}>(body),",
                id.to_snake_case()
            )
            .unwrap();
        }
    }
    for op in multipart {
        if let Some(r) = &op.success_schema {
            let ty = super::multipart::type_name(r);
            writeln!(
                arms,
                "        {:?} => check::<types::{ty}>(body),",
                op.operation_id.to_snake_case()
            )
            .unwrap();
        }
    }
    format!(
        "/// Whether a success body of `operation_id` decodes as the type its
/// `send()` returns: `None` if it does (or there is nothing to check), else
/// that type's name and serde's error. Used by the request hook.
#[doc(hidden)]
pub fn check_response(operation_id: &str, body: &[u8]) -> Option<(&'static str, ::serde_json::Error)> {{
    fn check<T: ::serde::de::DeserializeOwned>(body: &[u8]) -> Option<(&'static str, ::serde_json::Error)> {{
        ::serde_json::from_slice::<T>(body).err().map(|e| (::std::any::type_name::<T>(), e))
    }}
    match operation_id {{
{arms}        _ => None,
    }}
}}
"
    )
}
