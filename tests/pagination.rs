//! Pagination streams against httpmock: the list shapes (bare array,
//! `{data, total_count}`, `{m2m_tokens, total_count}`), cursor and offset
//! paging, the end conditions, and a failure mid-way.

#[path = "support/records.rs"]
mod records;

use clerk_backend::{Client, Error, Paginate};
use futures::{StreamExt, TryStreamExt};
use httpmock::MockServer;
use serde_json::{Value, json};

fn client(server: &MockServer) -> Client {
    Client::builder("sk_test_pages")
        .base_url(server.base_url())
        .no_retries()
        .build()
        .unwrap()
}

fn user(n: usize) -> Value {
    records::user(&format!("user_{n}"), json!({}))
}

fn org(n: usize) -> Value {
    records::organization(
        &format!("org_{n}"),
        json!({"name": format!("Org {n}"), "slug": format!("org-{n}")}),
    )
}

/// Serve `total` users as bare-array pages of `size`, as Clerk does: a
/// page starting at `offset` is what a request with that offset (and no
/// cursor) gets, and what a request with the cursor `starting_after` the
/// user before it (and offset 0) gets. Two mocks a page, paired.
async fn users(server: &MockServer, total: usize, size: usize) -> Vec<[httpmock::Mock<'_>; 2]> {
    let mut mocks = Vec::new();
    let mut offset = 0;
    loop {
        let page: Vec<Value> = (offset..total.min(offset + size)).map(user).collect();
        let len = page.len();
        let body = Value::Array(page);
        let by_offset = server
            .mock_async(|when, then| {
                when.method("GET")
                    .path("/users")
                    .query_param("limit", size.to_string())
                    .query_param("offset", offset.to_string())
                    .query_param_missing("starting_after");
                then.status(200).json_body(body.clone());
            })
            .await;
        let cursor = offset.checked_sub(1).map(|n| format!("user_{n}"));
        let by_cursor = server
            .mock_async(|when, then| {
                when.method("GET")
                    .path("/users")
                    .query_param("limit", size.to_string())
                    .query_param("offset", "0")
                    .query_param("starting_after", cursor.unwrap_or_else(|| "none".into()));
                then.status(200).json_body(body);
            })
            .await;
        mocks.push([by_offset, by_cursor]);
        offset += size;
        if len < size {
            break;
        }
    }
    mocks
}

/// Requests each page's mocks answered: (by offset, by cursor).
async fn calls(mocks: &[[httpmock::Mock<'_>; 2]]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for [offset, cursor] in mocks {
        out.push((offset.calls_async().await, cursor.calls_async().await));
    }
    out
}

async fn ids<R: Paginate>(p: clerk_backend::Paginator<R>) -> Vec<R::Item> {
    p.items().try_collect().await.unwrap()
}

#[tokio::test]
async fn three_pages_of_a_bare_array() {
    let server = MockServer::start_async().await;
    let mocks = users(&server, 5, 2).await;
    let c = client(&server);
    let got = ids(c
        .get_user_list()
        .order_by("-created_at")
        .into_paginator()
        .page_size(2))
    .await;
    let names: Vec<_> = got.iter().map(|u| u.id.clone()).collect();
    assert_eq!(names, ["user_0", "user_1", "user_2", "user_3", "user_4"]);
    // The first page by offset, the next two by cursor (`-created_at`).
    assert_eq!(calls(&mocks).await, [(1, 0), (0, 1), (0, 1)]);
}

#[tokio::test]
async fn other_orderings_page_by_offset() {
    let server = MockServer::start_async().await;
    let mocks = users(&server, 5, 2).await;
    for order in ["email_address", "-last_sign_in_at", "+updated_at"] {
        let got = ids(client(&server)
            .get_user_list()
            .order_by(order)
            .into_paginator()
            .page_size(2))
        .await;
        assert_eq!(got.len(), 5, "{order}");
    }
    assert_eq!(calls(&mocks).await, [(3, 0), (3, 0), (3, 0)]);
    // The created_at orderings, and Clerk's default, take the cursor.
    let c = client(&server);
    for order in [
        Some("created_at"),
        Some("+created_at"),
        Some("-created_at"),
        None,
    ] {
        let mut request = c.get_user_list();
        if let Some(order) = order {
            request = request.order_by(order);
        }
        assert_eq!(ids(request.into_paginator().page_size(2)).await.len(), 5);
    }
    assert_eq!(calls(&mocks).await, [(7, 0), (3, 4), (3, 4)]);
}

#[tokio::test]
async fn the_m2m_token_envelope_pages() {
    let server = MockServer::start_async().await;
    let token = |n: usize| {
        json!({
            "object": "machine_to_machine_token", "id": format!("mt_{n}"),
            "subject": "mch_1", "scopes": [], "claims": null, "revoked": false,
            "revocation_reason": null, "expired": false, "expiration": null,
            "created_at": 1, "updated_at": 1
        })
    };
    let mut mocks = Vec::new();
    for (offset, items) in [(0, vec![token(0), token(1)]), (2, vec![token(2)])] {
        mocks.push(
            server
                .mock_async(|when, then| {
                    when.path("/m2m_tokens")
                        .query_param("offset", offset.to_string());
                    then.status(200)
                        .json_body(json!({"m2m_tokens": items, "total_count": 3}));
                })
                .await,
        );
    }
    let got = ids(client(&server)
        .get_m2m_tokens()
        .subject("mch_1")
        .into_paginator()
        .page_size(2))
    .await;
    let names: Vec<_> = got.iter().map(|t| t.id.clone()).collect();
    assert_eq!(names, ["mt_0", "mt_1", "mt_2"]);
    for m in &mocks {
        m.assert_calls_async(1).await;
    }
}

#[tokio::test]
async fn an_empty_list_is_one_request_and_no_items() {
    let server = MockServer::start_async().await;
    let mocks = users(&server, 0, 500).await;
    let got = ids(client(&server).get_user_list().into_paginator()).await;
    assert!(got.is_empty());
    assert_eq!(calls(&mocks).await, [(1, 0)]);
}

#[tokio::test]
async fn a_last_page_exactly_full_ends_on_the_empty_page_after_it() {
    let server = MockServer::start_async().await;
    let mocks = users(&server, 4, 2).await; // pages: 2, 2, 0
    let got = ids(client(&server)
        .get_user_list()
        .into_paginator()
        .page_size(2))
    .await;
    assert_eq!(got.len(), 4);
    assert_eq!(calls(&mocks).await, [(1, 0), (0, 1), (0, 1)]);
}

#[tokio::test]
async fn total_count_ends_the_stream_without_an_extra_request() {
    let server = MockServer::start_async().await;
    let mut mocks = Vec::new();
    for (offset, items) in [(0, vec![org(0), org(1)]), (2, vec![org(2), org(3)])] {
        mocks.push(
            server
                .mock_async(|when, then| {
                    when.path("/organizations")
                        .query_param("offset", offset.to_string());
                    then.status(200)
                        .json_body(json!({"data": items, "total_count": 4}));
                })
                .await,
        );
    }
    let got = ids(client(&server)
        .list_organizations()
        .into_paginator()
        .page_size(2))
    .await;
    let names: Vec<_> = got.iter().map(|o| o.id.clone()).collect();
    assert_eq!(names, ["org_0", "org_1", "org_2", "org_3"]);
    for m in &mocks {
        m.assert_calls_async(1).await; // no third request: total_count was reached
    }
}

#[tokio::test]
async fn a_failure_on_page_two_is_the_last_item() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/users")
                .query_param("offset", "0")
                .query_param_missing("starting_after");
            then.status(200).json_body(json!([user(0), user(1)]));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/users").query_param("starting_after", "user_1");
            then.status(500)
                .json_body(json!({"errors": [{"code": "internal", "message": "boom"}]}));
        })
        .await;
    let items: Vec<_> = client(&server)
        .get_user_list()
        .into_paginator()
        .page_size(2)
        .items()
        .collect()
        .await;
    assert_eq!(items.len(), 3, "two users, then the error");
    assert!(items[0].is_ok() && items[1].is_ok());
    let Err(Error::Api(e)) = &items[2] else {
        panic!("{:?}", items[2])
    };
    assert_eq!(e.status.as_u16(), 500);
}

#[tokio::test]
async fn pages_stream_yields_whole_pages_and_start_at_skips() {
    let server = MockServer::start_async().await;
    let _mocks = users(&server, 7, 3).await;
    let pages: Vec<Vec<_>> = client(&server)
        .get_user_list()
        .into_paginator()
        .page_size(3)
        .pages()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [3, 3, 1]);
    let skipped = ids(client(&server)
        .get_user_list()
        .into_paginator()
        .page_size(3)
        .start_at(3))
    .await;
    assert_eq!(skipped.len(), 4);
    // Pages: [0..3) and [3..6) by offset once each, then by cursor: the
    // first stream's last two pages, the second stream's last one.
    assert_eq!(calls(&_mocks).await, [(1, 0), (1, 1), (0, 2)]);
}
