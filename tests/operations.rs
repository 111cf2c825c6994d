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

/// The generated client's source, as build.rs wrote it.
fn generated_client() -> String {
    std::fs::read_to_string(concat!(env!("OUT_DIR"), "/codegen.rs")).unwrap()
}

/// Every builder's `send` hands a request built by a plain `fn request` to
/// the runtime's one generic exchange (`build/send.rs`); `request`, `send`
/// and `into_future` are `#[inline]`: an application compiles (and
/// instantiates decoders for) only the calls it makes. A builder whose
/// shape `build/send.rs` does not read keeps progenitor's `send_raw`.
#[test]
fn every_send_is_compiled_where_it_is_called() {
    let code = generated_client();
    let lines: Vec<&str> = code.lines().map(str::trim).collect();
    let kinds = [
        "fn request(",
        "async fn send_raw(",
        "pub fn send(",
        "pub async fn send(",
        "fn into_future(",
    ];
    let mut counts = [0; 5];
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
    let [request, send_raw, send, async_send, into_future] = counts;
    assert_eq!(request + send_raw, builders, "request or send_raw");
    assert_eq!((request, send_raw), (send, async_send), "send per shape");
    assert_eq!(into_future, builders, "into_future");
    // Clerk's spec has one shape: every operation goes through the runtime.
    if clerk_backend::generated::SPEC_PATH == "openapi/clerk.yaml" {
        assert_eq!(send_raw, 0, "a builder kept progenitor's exchange");
    }
}

/// Every function of the generated client is `#[inline]` (`build/inline.rs`):
/// an application compiles the ones it calls, not all of Clerk's API.
#[test]
fn every_generated_function_is_compiled_where_it_is_called() {
    let code = generated_client();
    let lines: Vec<&str> = code.lines().map(str::trim).collect();
    let mut functions = 0;
    for (i, line) in lines.iter().enumerate() {
        let signature = ["pub ", "pub(crate) ", "pub(super) ", "const ", "async "]
            .iter()
            .fold(*line, |l, prefix| l.strip_prefix(prefix).unwrap_or(l));
        if !signature.starts_with("fn ") || line.ends_with(';') {
            continue;
        }
        functions += 1;
        let attrs = lines[..i].iter().rev().take_while(|l| l.starts_with("#["));
        assert!(
            attrs.clone().any(|a| a.starts_with("#[inline")),
            "not inline: {line}"
        );
    }
    assert!(functions > 1000, "{functions} functions");
}

/// Every call builds its URL with one `concat` and sends no `api-version`
/// header (`build/request.rs`): progenitor's `format!` and header map cost
/// a tenth of a small call's client-side work.
#[test]
fn requests_are_built_without_formatting_or_unused_headers() {
    let code = generated_client();
    let calls = code.matches("fn request(").count() + code.matches("async fn send_raw(").count();
    assert!(calls > 0);
    let compact: String = code.split_whitespace().collect();
    assert_eq!(
        compact.matches("leturl=[client.baseurl.as_str()").count(),
        calls
    );
    assert!(!code.contains("\"api-version\""));
    assert!(!code.contains(".headers(header_map)") || code.contains("header_map.append("));
}

/// A 4xx and a 5xx arm that decode the same way are one `400..=599`
/// entry of the status table (`build/rewrite.rs`, `build/send.rs`).
#[test]
fn identical_error_arms_are_merged() {
    let compact: String = generated_client().split_whitespace().collect();
    let entry =
        |lo: &str, hi: &str| format!("({lo}u16,{hi}u16,crate::runtime::send::Outcome::Error)");
    assert!(
        !compact.contains(&format!("{},{}", entry("400", "499"), entry("500", "599"))),
        "identical 4xx and 5xx entries"
    );
    assert!(
        compact.contains(&entry("400", "599")),
        "no merged error entry in the generated client"
    );
}
