//! Generates `check_response`: for each operation, a decode check of a
//! success body against the type its `send()` returns. The request hook
//! (`src/hooks.rs`) runs it while it still has the response's status and
//! headers, so a body that does not decode becomes an error naming the
//! type, the JSON path, the HTTP status and Clerk's trace id — facts the
//! generated decoding step no longer has.

use super::names;
use super::normalize::MultipartOp;
use super::syntax::decoded_types;
use std::fmt::Write;

pub fn generate(multipart: &[MultipartOp], file: &syn::File) -> String {
    let mut types: Vec<(String, String)> = decoded_types(file, multipart).into_iter().collect();
    types.sort();
    let mut arms = String::new();
    for (builder, ty) in types {
        writeln!(
            arms,
            "        {:?} => check::<{ty}>(body),",
            names::method(&builder)
        )
        .unwrap();
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
