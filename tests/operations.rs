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
    let kinds = [
        "async fn send_raw(",
        "pub async fn send(",
        "fn into_future(",
    ];
    let mut counts = [0; 3];
    for (i, line) in lines.iter().enumerate() {
        for (kind, count) in kinds.iter().zip(&mut counts) {
            if line.starts_with(kind) || line.contains(&format!(" {kind}")) {
                *count += 1;
                assert_eq!(lines[i - 1], "#[inline]", "not inline: {line}");
            }
        }
    }
    let builders = code
        .matches("impl<'a> ::std::future::IntoFuture for")
        .count();
    assert!(builders > 0);
    assert_eq!(counts, [builders; 3], "send_raw, send, into_future");
}
