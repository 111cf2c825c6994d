//! Smoke test of a client generated from a newer Clerk spec: Clerk's v1 line
//! as published in August 2026 (`../shared/clerk/reference/`). Compiled only
//! when `tests/regenerate.rs` builds the crate from that spec (it sets
//! `--cfg clerk_regen_smoke`): the calls below do not exist in our v1 spec.

#![cfg(clerk_regen_smoke)]

use clerk_backend::{Client, Error, Paginate};
use futures::TryStreamExt;
use httpmock::MockServer;
use serde_json::json;

fn client(server: &MockServer) -> Client {
    Client::builder("sk_test_regen")
        .base_url(server.base_url())
        .no_retries()
        .build()
        .unwrap()
}

#[test]
fn the_v1_line_is_undated_so_requests_carry_no_version() {
    assert_eq!(clerk_backend::generated::CLERK_API_VERSION, None);
}

#[tokio::test]
async fn an_operation_only_the_newer_spec_has_pages_through_waitlist_entries() {
    let server = MockServer::start_async().await;
    let entry = |n: u32| {
        json!({"object": "waitlist_entry", "id": format!("wle_{n}"), "email_address": format!("w{n}@example.com"),
                                "status": if n == 0 { "pending" } else { "status_from_the_future" }, "created_at": 1, "updated_at": 1})
    };
    let mock = server
        .mock_async(|when, then| {
            when.method("GET")
                .path("/waitlist_entries")
                .header_missing("clerk-api-version")
                .header("authorization", "Bearer sk_test_regen");
            then.status(200)
                .json_body(json!({"data": [entry(0), entry(1)], "total_count": 2}));
        })
        .await;
    let entries: Vec<_> = client(&server)
        .list_waitlist_entries()
        .into_paginator()
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(entries.len(), 2);
    mock.assert_async().await;
    // The unknown status decoded, keeping its text.
    let text = serde_json::to_string(&entries[1]).unwrap();
    assert!(text.contains("status_from_the_future"), "{text}");
}

#[tokio::test]
async fn a_list_call_and_an_error() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method("GET").path("/users").query_param("limit", "2");
            then.status(200)
                // The scalars the spec requires; every collection, nullable
                // and object field left out (optional once normalised).
                .json_body(json!([{
                    "id": "user_1", "object": "user", "has_image": false, "password_enabled": true,
                    "two_factor_enabled": false, "totp_enabled": false, "backup_code_enabled": false,
                    "banned": false, "locked": false, "created_at": 1, "updated_at": 1,
                    "delete_self_enabled": true, "create_organization_enabled": true
                }]));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method("GET").path("/users/user_missing");
            then.status(404).json_body(json!({"errors": [{"code": "resource_not_found", "message": "not found"}], "clerk_trace_id": "t1"}));
        })
        .await;
    let c = client(&server);
    let users = c.get_user_list().limit(2).send().await.unwrap();
    assert_eq!(users.len(), 1);
    let e: Error = c
        .get_user()
        .user_id("user_missing")
        .send()
        .await
        .unwrap_err();
    assert!(e.is_not_found());
    assert_eq!(e.code(), Some("resource_not_found"));
    assert_eq!(e.trace_id(), Some("t1"));
}
