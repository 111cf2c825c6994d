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

/// `send`, `send_raw` and `into_future` of every builder are `#[inline]`:
/// an application compiles (and instantiates decoders for) only the calls it
/// makes, instead of this crate compiling all of them (a third of its build).
#[test]
fn every_send_is_compiled_where_it_is_called() {
    let code = generated_client();
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

/// Every call builds its URL with one `concat` and sends no `api-version`
/// header (`build/request.rs`): progenitor's `format!` and header map cost
/// a tenth of a small call's client-side work.
#[test]
fn requests_are_built_without_formatting_or_unused_headers() {
    let code = generated_client();
    let calls = code.matches("async fn send_raw(").count();
    assert!(calls > 0);
    let compact: String = code.split_whitespace().collect();
    assert_eq!(
        compact.matches("leturl=[client.baseurl.as_str()").count(),
        calls
    );
    assert!(!code.contains("\"api-version\""));
    assert!(!code.contains(".headers(header_map)") || code.contains("header_map.append("));
}

/// A 4xx and a 5xx arm that decode the same way are one `400..=599` arm
/// (`build/rewrite.rs`): one decode less per operation to compile.
#[test]
fn identical_error_arms_are_merged() {
    let code = generated_client();
    let lines: Vec<&str> = code.lines().map(str::trim).collect();
    let is_arm = |l: &str| l.contains("u16 =>") || l.starts_with("_ =>");
    // Each status arm: its pattern, and its body up to the next arm.
    let mut arms: Vec<(&str, String)> = Vec::new();
    for (i, line) in lines.iter().enumerate().filter(|(_, l)| is_arm(l)) {
        let (pattern, first) = line.split_once(" =>").unwrap();
        let rest = lines[i + 1..].iter().take_while(|l| !is_arm(l));
        arms.push((
            pattern,
            std::iter::once(first).chain(rest.copied()).collect(),
        ));
    }
    let mut merged = 0;
    for pair in arms.windows(2) {
        if let [(a, body_a), (b, body_b)] = pair {
            assert!(
                !(*a == "400u16..=499u16" && *b == "500u16..=599u16" && body_a == body_b),
                "identical 4xx and 5xx arms: {body_a}"
            );
        }
        merged += usize::from(pair[0].0 == "400u16..=599u16");
    }
    assert!(merged > 0, "no merged error arm in the generated client");
}
