//! Run-time support for the generated client: code that generated code
//! calls, and nothing else does. Each file pairs with the part of `build/`
//! that writes the calls into it, so a change to one side is read with the
//! other:
//!
//! | here | called by code from | what it does |
//! |---|---|---|
//! | `hooks.rs` | progenitor's hooks (`build/mod.rs`), `build/query.rs`, `build/rewrite.rs` (optional query), `build/request.rs` | authentication, headers, `Clerk-API-Version`, array queries, retries, tracing |
//! | `decode.rs` | `build/rewrite.rs` (`send()` and open enums), `build/deserialize.rs` (struct `Deserialize` impls) | one decode per response, and the serde helpers of the generated types |
//! | `send.rs` | `build/send.rs` (every builder's `send()`) | the exchange: hooks, request, status table, decode |
//! | `union.rs` | `build/unions.rs` | untagged unions decoded from one buffered copy |
//! | `form.rs` | `build/multipart.rs` | `multipart/form-data` bodies of the uploads (`multipart::Part`) |
//!
//! The generated code names these modules by their old paths
//! (`crate::hooks`, `crate::decode`, `crate::union`), which `lib.rs` keeps.

pub(crate) mod decode;
// The upload builders' bodies; a spec or API-area selection may have none.
#[allow(dead_code)]
pub(crate) mod form;
pub(crate) mod hooks;
// An API-area selection may call no JSON, or no empty, operation.
#[allow(dead_code)]
pub(crate) mod send;
// Used by the generated unions; an API-area selection may compile none.
#[allow(dead_code)]
pub(crate) mod union;
