//! Retries, with tokio's paused clock: the waits are measured exactly and
//! the tests take no real time.

#[path = "support/mini_server.rs"]
mod mini_server;

use clerk_backend::{Client, Error, RetryPolicy};
use mini_server::script;
use std::time::Duration;
use tokio::time::Instant;

const COUNT: &str = r#"{"object": "total_count", "total_count": 7}"#;
const FAILED: &str = r#"{"errors": [{"code": "unavailable", "message": "try later"}]}"#;
const USER: &str = r#"{"id": "user_1", "object": "user"}"#;

/// A client without reqwest timeouts (a paused clock would fire them while
/// waiting on the socket) and with the given policy.
fn client(url: &str, policy: RetryPolicy) -> Client {
    Client::builder("sk_test_retry")
        .base_url(url)
        .http_client(reqwest::Client::new())
        .retry(policy)
        .build()
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn rate_limited_then_ok_waits_for_retry_after() {
    let server = script(vec![
        (429, vec![("retry-after", "2")], FAILED),
        (200, vec![], COUNT),
    ])
    .await;
    let start = Instant::now();
    let count = client(&server.url, RetryPolicy::default())
        .get_users_count()
        .send()
        .await
        .unwrap();
    assert_eq!(count.total_count, 7);
    assert_eq!(server.hits(), 2);
    assert_eq!(start.elapsed().as_secs(), 2, "waited {:?}", start.elapsed());
}

#[tokio::test(start_paused = true)]
async fn unavailable_three_times_then_ok() {
    let server = script(vec![
        (503, vec![], FAILED),
        (503, vec![], FAILED),
        (503, vec![], FAILED),
        (200, vec![], COUNT),
    ])
    .await;
    let start = Instant::now();
    let policy = RetryPolicy::default().max_attempts(4);
    let count = client(&server.url, policy)
        .get_users_count()
        .send()
        .await
        .unwrap();
    assert_eq!(count.total_count, 7);
    assert_eq!(server.hits(), 4);
    // Backoff 0.5, 1, 2 s, each with up to half taken off by jitter.
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_millis(1750) && waited <= Duration::from_millis(3500),
        "{waited:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn post_is_not_retried_on_a_server_error() {
    for status in [500, 503] {
        let server = script(vec![(status, vec![], FAILED), (200, vec![], USER)]).await;
        let e: Error = client(&server.url, RetryPolicy::default())
            .revoke_session()
            .session_id("sess_1")
            .send()
            .await
            .unwrap_err();
        assert_eq!(e.status().unwrap().as_u16(), status);
        assert_eq!(server.hits(), 1, "POST retried on {status}");
    }
}

#[tokio::test(start_paused = true)]
async fn post_is_retried_on_rate_limit() {
    let server = script(vec![(429, vec![("retry-after", "1")], FAILED), (200, vec![], r#"{"id": "sess_1", "object": "session", "client_id": "c", "user_id": "u", "status": "revoked", "last_active_at": 1, "expire_at": 1, "abandon_at": 1, "updated_at": 1, "created_at": 1}"#)]).await;
    let session = client(&server.url, RetryPolicy::default())
        .revoke_session()
        .session_id("sess_1")
        .send()
        .await;
    assert!(session.is_ok(), "{:?}", session.err());
    assert_eq!(server.hits(), 2);
}

#[tokio::test(start_paused = true)]
async fn exhausted_budget_returns_the_last_error() {
    let server = script(vec![(503, vec![("retry-after", "4")], FAILED)]).await;
    let start = Instant::now();
    let policy = RetryPolicy::default()
        .max_attempts(10)
        .budget(Duration::from_secs(10));
    let e: Error = client(&server.url, policy)
        .get_users_count()
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.status().unwrap().as_u16(), 503);
    assert_eq!(e.code(), Some("unavailable"));
    // Attempts at 0, 4 and 8 s; a fourth at 12 s would pass the 10 s budget.
    assert_eq!(server.hits(), 3);
    assert_eq!(start.elapsed().as_secs(), 8);
    assert_eq!(e.retry_after(), Some(Duration::from_secs(4)));
}

#[tokio::test(start_paused = true)]
async fn disabled_retries_send_once() {
    let server = script(vec![(503, vec![], FAILED), (200, vec![], COUNT)]).await;
    let e: Error = client(&server.url, RetryPolicy::disabled())
        .get_users_count()
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.status().unwrap().as_u16(), 503);
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn a_refused_connection_is_retried_then_reported_as_transport() {
    // Bind and drop a listener to get a port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let policy = RetryPolicy::default()
        .initial_backoff(Duration::from_millis(1))
        .max_attempts(2);
    let e: Error = client(&format!("http://127.0.0.1:{port}"), policy)
        .create_user()
        .body(clerk_backend::types::CreateUserBody::default())
        .send()
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Transport(_)), "{e:?}");
}

#[tokio::test(start_paused = true)]
async fn an_upload_is_retried_like_any_request() {
    // The multipart body is built in memory, so a rate-limited upload is
    // sent again (a streamed body could not be replayed).
    let server = script(vec![
        (429, vec![("retry-after", "1")], FAILED),
        (200, vec![], USER),
    ])
    .await;
    let part = clerk_backend::multipart::Part::bytes(b"PNGDATA".to_vec())
        .file_name("x.png")
        .mime_str("image/png")
        .unwrap();
    let user = client(&server.url, RetryPolicy::default())
        .set_user_profile_image()
        .user_id("user_1")
        .file(part)
        .send()
        .await;
    assert!(user.is_ok(), "{:?}", user.err());
    assert_eq!(server.hits(), 2);
}
