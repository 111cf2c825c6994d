//! One test per operation of the spec, generated at build time by
//! `build/optests.rs` from the same spec as the client: each checks the
//! method, path, `Authorization` header, query and JSON body the call
//! sends, and that a response built from the spec's schema decodes.

use clerk_backend::{Client, types};

/// A client for the mock server, with retries off so a mismatch fails fast.
fn client_for(server: &httpmock::MockServer) -> Client {
    Client::builder("sk_test_operations")
        .base_url(server.base_url())
        .no_retries()
        .build()
        .expect("client")
}

/// A parameter or body value of the type the generated setter takes.
fn value<T: serde::de::DeserializeOwned>(json: serde_json::Value) -> T {
    serde_json::from_value(json).expect("sample value fits the generated type")
}

include!(concat!(env!("OUT_DIR"), "/operation_tests.rs"));

/// `send`, `send_raw` and `into_future` of every builder are `#[inline]`:
/// an application compiles (and instantiates decoders for) only the calls it
/// makes, instead of this crate compiling all of them (a third of its build).
#[test]
fn every_send_is_compiled_where_it_is_called() {
    let code = std::fs::read_to_string(concat!(env!("OUT_DIR"), "/codegen.rs")).unwrap();
    let lines: Vec<&str> = code.lines().map(str::trim).collect();
    let mut sends = 0;
    for (i, line) in lines.iter().enumerate() {
        let is_send = [
            "async fn send_raw(",
            "pub async fn send(",
            "fn into_future(",
        ]
        .iter()
        .any(|f| line.starts_with(f) || line.contains(&format!(" {f}")));
        if is_send {
            sends += 1;
            assert_eq!(lines[i - 1], "#[inline]", "not inline: {line}");
        }
    }
    assert!(sends > 300, "only {sends} send functions found");
}
