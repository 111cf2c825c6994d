//! Pass: error responses as raw JSON, for `clerk_backend::Error`.

use super::Report;
use super::openapi::{operations_mut, status_class};
use serde_json::{Value, json};

/// Pass: Clerk answers every error with one body (`{errors: [...]}`), but
/// specs list error statuses unevenly: some with that schema, some with
/// none, many not at all. progenitor asserts that error responses share a
/// type, and turns unlisted statuses into an opaque "unexpected response".
/// So every operation's listed error responses are replaced by two ranges,
/// `4XX` and `5XX`, whose body is raw JSON. `clerk_backend::Error` reads
/// Clerk's error fields from it leniently, so an error body that lacks a
/// field (or a newer spec's different error schema) still yields the
/// status, codes and messages instead of a decoding failure.
pub fn run(spec: &mut Value, report: &mut Report) -> Result<(), String> {
    let error = json!({
        "description": "Error",
        "content": {"application/json": {"schema": {}}}
    });
    for (_, _, op) in operations_mut(spec) {
        let responses = op.entry("responses").or_insert_with(|| json!({}));
        let Some(responses) = responses.as_object_mut() else {
            continue;
        };
        responses.retain(|code, _| matches!(status_class(code), Some(1..=3)));
        responses.insert("4XX".into(), error.clone());
        responses.insert("5XX".into(), error.clone());
    }
    report
        .log
        .notes
        .push("error responses typed as raw JSON, for `clerk_backend::Error`".into());
    Ok(())
}
