//! Pagination streams against httpmock: both list shapes, the end
//! conditions, and a failure mid-way.

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

/// Serve `total` users as bare-array pages of `size`.
async fn users(server: &MockServer, total: usize, size: usize) -> Vec<httpmock::Mock<'_>> {
    let mut mocks = Vec::new();
    let mut offset = 0;
    loop {
        let page: Vec<Value> = (offset..total.min(offset + size)).map(user).collect();
        let len = page.len();
        mocks.push(
            server
                .mock_async(|when, then| {
                    when.method("GET")
                        .path("/users")
                        .query_param("limit", size.to_string())
                        .query_param("offset", offset.to_string());
                    then.status(200).json_body(Value::Array(page));
                })
                .await,
        );
        offset += size;
        if len < size {
            break;
        }
    }
    mocks
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
    assert_eq!(mocks.len(), 3);
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
    mocks[0].assert_calls_async(1).await;
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
    assert_eq!(mocks.len(), 3);
    for m in &mocks {
        m.assert_calls_async(1).await;
    }
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
            when.path("/users").query_param("offset", "0");
            then.status(200).json_body(json!([user(0), user(1)]));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/users").query_param("offset", "2");
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
}
