//! Each request runs in a `clerk.request` span with the operation, method,
//! attempt, status and Clerk trace id; the secret key never shows up in the
//! trace output, even at the most verbose level.

use clerk_backend::Client;
use httpmock::MockServer;
use std::io::Write;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn requests_are_traced_without_the_secret_key() {
    let captured = Captured::default();
    let sink = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(move || sink.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/users/count");
            then.status(200)
                .header("x-clerk-trace-id", "trace-xyz")
                .json_body(serde_json::json!({"object": "total_count", "total_count": 1}));
        })
        .await;
    let client = Client::builder("sk_test_topsecretvalue")
        .base_url(server.base_url())
        .build()
        .unwrap();
    client.get_users_count().send().await.unwrap();
    tracing::debug!(client = ?client, "the client itself, logged");

    let out = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(out.contains("clerk.request"), "{out}");
    assert!(out.contains("operation=\"get_users_count\""), "{out}");
    assert!(out.contains("status=200"), "{out}");
    assert!(out.contains("attempt=1"), "{out}");
    assert!(out.contains("trace_id=\"trace-xyz\""), "{out}");
    assert!(
        !out.contains("topsecretvalue"),
        "the key leaked into traces:\n{out}"
    );
}
