//! Spec normalisation: the passes that turn any Clerk Backend API document
//! (ours, or one of Clerk's official files dropped in) with the webhook
//! payloads merged in (`build/webhooks.rs`) into one progenitor can
//! generate.
//!
//! Every pass works on the *shape* of the document, never on an operation
//! or schema name, so a newer spec goes through the same code. Each pass is
//! a file of this folder whose `run` is documented with the shape it fixes
//! and why, listed in [`PASSES`] with its scope (document, operations,
//! schemas) and direction (inbound: responses and webhook payloads;
//! outbound: requests); each has a unit test on a small fragment in
//! `tests/normalize.rs`. What the passes find for the generators after
//! progenitor, and what the build says about it, is the [`Report`].
//!
//! The folder is compiled twice: by `build.rs` (through `build/mod.rs`) and
//! by the tests above (through `#[path]`, beside `build/openapi.rs`). It
//! therefore depends on `serde_json` and `std` only.

mod absent_as_empty;
mod check_shape;
pub mod dedupe_parameters;
mod discriminators;
mod drop_format_constraints;
mod ensure_operation_ids;
mod extract_multipart;
mod forward_compatible_responses;
mod inbound;
mod inline_refs;
mod integral_number_parameters;
mod open_objects;
mod prefer_json_bodies;
mod query_styles;
mod report;
mod unify_error_responses;
mod unify_success_responses;
mod unset_request_defaults;

use super::openapi;
use serde_json::Value;

pub use extract_multipart::MultipartOp;
pub use inline_refs::inline_refs;
pub use query_styles::QueryStyle;
pub use report::{CompatCounts, Report};

/// Top-level key under which `build/webhooks.rs` records each webhook
/// event's payload schema (`{"user.created": {"$ref": ...}}`): inbound data,
/// like responses, for the inbound passes.
pub const WEBHOOK_PAYLOADS: &str = "x-clerk-webhook-payloads";

/// What part of the document a pass reads and rewrites.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The document as a whole (its shape, its `$ref`s).
    Document,
    /// Operations: their ids, parameters, request bodies and responses.
    Operations,
    /// Schemas (`components.schemas` and those inline in operations),
    /// whoever uses them: the client's responses and requests, and the
    /// webhook payloads `build/webhooks.rs` merges in (which therefore go
    /// through these passes, not through code of their own).
    Schemas,
}

/// Which data a pass is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// What the crate decodes: responses and webhook payloads.
    Inbound,
    /// What the crate sends: parameters and request bodies.
    Outbound,
    /// Both.
    Both,
}

/// One normalisation pass, as [`PASSES`] lists them.
pub struct Pass {
    /// Its file in this folder, where `run`'s doc comment says what it
    /// fixes.
    pub name: &'static str,
    pub scope: Scope,
    pub direction: Direction,
    pub run: fn(&mut Value, &mut Report) -> Result<(), String>,
}

/// A [`Pass`] entry named after its module.
macro_rules! pass {
    ($module:ident, $scope:ident, $direction:ident) => {
        Pass {
            name: stringify!($module),
            scope: Scope::$scope,
            direction: Direction::$direction,
            run: $module::run,
        }
    };
}

/// Every pass, in the order [`normalize`] runs them: the shape check and
/// `$ref` inlining first, operations next (multipart extraction before
/// anything reads request bodies), then schemas (forward compatibility
/// after closed objects and constraints are gone, absent values after it,
/// request defaults after them, since forward compatibility decides which
/// schemas requests share), query styles last.
pub const PASSES: &[Pass] = &[
    pass!(check_shape, Document, Both),
    pass!(ensure_operation_ids, Operations, Both),
    pass!(inline_refs, Document, Both),
    pass!(extract_multipart, Operations, Outbound),
    pass!(prefer_json_bodies, Operations, Outbound),
    pass!(unify_success_responses, Operations, Inbound),
    pass!(unify_error_responses, Operations, Inbound),
    pass!(dedupe_parameters, Operations, Outbound),
    pass!(integral_number_parameters, Operations, Outbound),
    pass!(open_objects, Schemas, Both),
    pass!(drop_format_constraints, Schemas, Both),
    pass!(forward_compatible_responses, Schemas, Inbound),
    pass!(absent_as_empty, Schemas, Inbound),
    pass!(unset_request_defaults, Schemas, Outbound),
    pass!(query_styles, Operations, Outbound),
];

/// Run every pass of [`PASSES`], in order, on `spec`.
pub fn normalize(spec: &mut Value) -> Result<Report, String> {
    let mut report = Report::default();
    for pass in PASSES {
        (pass.run)(spec, &mut report)?;
    }
    Ok(report)
}
