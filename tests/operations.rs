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
