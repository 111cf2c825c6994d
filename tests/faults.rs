//! Paging through a server that injects every kind of network fault, with
//! the client's default settings: nothing lost, nothing duplicated, order
//! kept; and when a page keeps failing past the retry budget, the stream
//! ends with the error after every item before it. Real time (the backoff
//! waits are real, a few seconds in all): a paused clock would also fire
//! reqwest's timeouts while it waits on the sockets.

#[path = "support/mini_server.rs"]
mod mini_server;

#[path = "support/records.rs"]
mod records;

use clerk_backend::{Client, Error, Paginate};
use futures::StreamExt;
use mini_server::{Delivery, Request, Response, serve};
use serde_json::json;

const TOTAL: u64 = 10_000;
const PAGE: u64 = 100;

fn user(n: u64) -> String {
    let email = records::email_address(&format!("idn_{n}"), &format!("u{n}@example.com"));
    records::user(
        &format!("user_{n:05}"),
        json!({"first_name": format!("First{n}"), "email_addresses": [email], "public_metadata": {"n": n}}),
    )
    .to_string()
}

/// The page the request asks for, in full.
fn page(req: &Request) -> Response {
    Response::page(req, TOTAL, user)
}

/// Fault number `k` (of six kinds), in place of the page.
fn fault(k: usize, req: &Request) -> Response {
    match k % 6 {
        0 => Response::json(
            429,
            r#"{"errors":[{"code":"too_many_requests","message":"slow down"}]}"#,
        )
        .header("retry-after", "0"),
        1 => Response::json(
            503,
            r#"{"errors":[{"code":"unavailable","message":"try later"}]}"#,
        ),
        2 => Response::json(502, "<html><body><h1>502 Bad Gateway</h1></body></html>")
            .header("content-type", "text/html"),
        3 => page(req).delivered(Delivery::CloseBeforeResponse),
        4 => page(req).delivered(Delivery::CutShort),
        _ => page(req).delivered(Delivery::ResetMidBody),
    }
}

fn client(url: &str) -> Client {
    Client::builder("sk_test_faults")
        .base_url(url)
        .build()
        .unwrap()
}

fn expected_id(n: u64) -> String {
    format!("user_{n:05}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paging_10000_users_survives_a_fault_in_every_fifth_request() {
    // Requests 4, 9, 14, ... fail, cycling through the six fault kinds.
    let server = serve(|req, n| {
        if n % 5 == 4 {
            fault(n / 5, req)
        } else {
            page(req)
        }
    })
    .await;
    let client = client(&server.url);
    let mut items = client
        .get_user_list()
        .into_paginator()
        .page_size(PAGE)
        .items();
    let mut seen = 0u64;
    while let Some(item) = items.next().await {
        let user = item.unwrap_or_else(|e| panic!("error after {seen} users: {e}"));
        assert_eq!(
            Some(user.id.as_str()),
            Some(expected_id(seen).as_str()),
            "order"
        );
        assert_eq!(user.email_addresses.len(), 1);
        seen += 1;
    }
    assert_eq!(seen, TOTAL, "no user lost or duplicated");
    let requests = server.hits() as u64;
    // 101 pages (the last one empty) plus one retry per fault.
    assert!(
        requests > TOTAL / PAGE + 20,
        "faults were injected: {requests} requests"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_failing_past_the_retry_budget_ends_the_stream_after_the_items_before_it() {
    const BAD_OFFSET: u64 = 5_000;
    let server = serve(|req, _| {
        if req.query("offset") == Some(&BAD_OFFSET.to_string()) {
            page(req).delivered(Delivery::CutShort)
        } else {
            page(req)
        }
    })
    .await;
    let client = client(&server.url);
    let results: Vec<_> = client
        .get_user_list()
        .into_paginator()
        .page_size(PAGE)
        .items()
        .collect()
        .await;
    assert_eq!(
        results.len() as u64,
        BAD_OFFSET + 1,
        "every item before, then the error"
    );
    for (n, r) in results[..BAD_OFFSET as usize].iter().enumerate() {
        assert_eq!(
            Some(r.as_ref().unwrap().id.as_str()),
            Some(expected_id(n as u64).as_str())
        );
    }
    let e = results.last().unwrap().as_ref().unwrap_err();
    let Error::Incomplete(incomplete) = e else {
        panic!("expected Error::Incomplete, got {e:?}");
    };
    assert_eq!(incomplete.attempts, 4, "the default policy's attempts");
    assert!(incomplete.received > 0);
    let text = e.to_string();
    assert!(
        text.starts_with("the response from Clerk was cut off after "),
        "{text}"
    );
    assert!(
        !text.contains("decoding") && !text.contains("could not reach"),
        "{text}"
    );
    assert_eq!(e.status().map(|s| s.as_u16()), Some(200));
}

#[tokio::test]
async fn a_post_whose_response_breaks_off_is_not_retried_and_says_why() {
    for delivery in [Delivery::CutShort, Delivery::ResetMidBody] {
        let server = serve(move |_, _| Response::json(200, user(1)).delivered(delivery)).await;
        let e = client(&server.url)
            .create_user()
            .body(clerk_backend::types::CreateUserBody::default())
            .send()
            .await
            .unwrap_err();
        assert_eq!(server.hits(), 1, "{delivery:?}: a POST is sent once");
        let text = e.to_string();
        assert!(
            matches!(e, Error::Incomplete(_))
                && text.contains("cut off after")
                && text.contains("POST is not retried"),
            "{delivery:?}: {text}"
        );
    }
}

#[tokio::test]
async fn a_get_whose_body_is_cut_short_once_is_retried_transparently() {
    let server = serve(|req, n| {
        let r = Response::json(200, user(7));
        let _ = req;
        if n == 0 {
            r.delivered(Delivery::CutShort)
        } else {
            r
        }
    })
    .await;
    let user = client(&server.url)
        .get_user()
        .user_id("user_00007")
        .await
        .unwrap();
    assert_eq!(Some(user.id.as_str()), Some("user_00007"));
    assert_eq!(server.hits(), 2);
}
