//! Client configuration: headers on every request, secrets kept out of
//! Debug output, configuration errors, and error bodies as Clerk sends them.

use clerk_backend::{Client, ConfigError, Error};
use httpmock::MockServer;

fn client(server: &MockServer) -> clerk_backend::ClientBuilder {
    Client::builder("sk_test_secret123")
        .base_url(server.base_url())
        .no_retries()
}

#[tokio::test]
async fn every_request_carries_auth_user_agent_and_the_api_version() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            let when = when
                .method("GET")
                .path("/users/count")
                .header("authorization", "Bearer sk_test_secret123")
                .header(
                    "user-agent",
                    format!("clerk-backend-rust/{}", env!("CARGO_PKG_VERSION")),
                )
                .header("x-extra", "1")
                .header_missing("api-version");
            // The version the vendored spec describes; an undated spec
            // (the v1 line) sends none.
            match clerk_backend::generated::CLERK_API_VERSION {
                Some(version) => when.header("clerk-api-version", version),
                None => when.header_missing("clerk-api-version"),
            };
            then.status(200)
                .json_body(serde_json::json!({"object": "total_count", "total_count": 3}));
        })
        .await;
    let c = client(&server).header("x-extra", "1").build().unwrap();
    let count = c.get_users_count().send().await.unwrap();
    assert_eq!(count.total_count, 3);
    mock.assert_async().await;
}

#[tokio::test]
async fn api_version_header_when_configured() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.path("/jwks").header("clerk-api-version", "2025-11-10");
            then.status(200).json_body(serde_json::json!({"keys": []}));
        })
        .await;
    let c = client(&server).api_version("2025-11-10").build().unwrap();
    c.get_jwks().send().await.unwrap();
    mock.assert_async().await;
}

#[test]
fn debug_output_never_shows_the_secret_key() {
    let c = Client::new("sk_live_verysecretvalue");
    let debug = format!("{c:?}");
    assert!(!debug.contains("verysecretvalue"), "{debug}");
    assert!(debug.contains("sk_live_<redacted>"), "{debug}");
    let builder = Client::builder("sk_test_anothersecret");
    assert!(!format!("{builder:?}").contains("anothersecret"));
}

#[test]
fn configuration_errors_are_reported() {
    assert!(matches!(
        Client::builder("sk_test_x")
            .base_url("api.clerk.com")
            .build(),
        Err(ConfigError::InvalidUrl(_))
    ));
    assert!(matches!(
        Client::builder("sk_test_\nx").build(),
        Err(ConfigError::InvalidSecretKey)
    ));
    assert!(matches!(
        Client::builder("sk_test_x")
            .header("bad header", "v")
            .build(),
        Err(ConfigError::InvalidHeader(_))
    ));
    let e = Client::builder("sk_test_\nzzhidden")
        .build()
        .unwrap_err()
        .to_string();
    assert!(!e.contains("zzhidden"), "{e}");
}

#[tokio::test]
async fn clerk_errors_decode_with_status_code_and_trace_id() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/users/user_1");
            then.status(422)
                .header("x-clerk-trace-id", "trace-from-header")
                .json_body(serde_json::json!({"errors": [{"code": "form_param_invalid", "message": "is invalid"}]}));
        })
        .await;
    let c = client(&server).build().unwrap();
    let e: Error = c.get_user().user_id("user_1").send().await.unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(422));
    assert_eq!(e.code(), Some("form_param_invalid"));
    assert_eq!(e.trace_id(), Some("trace-from-header"));
    assert_eq!(
        e.to_string(),
        "Clerk API error: HTTP 422 Unprocessable Entity form_param_invalid: is invalid (trace id trace-from-header)"
    );
}

#[tokio::test]
async fn an_html_error_page_still_gives_the_status() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/users/user_1");
            then.status(502)
                .header("content-type", "text/html")
                .body("<html>Bad gateway</html>");
        })
        .await;
    let c = client(&server).build().unwrap();
    let e: Error = c.get_user().user_id("user_1").send().await.unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(502));
    assert_eq!(e.code(), Some("http_502"));
    assert!(e.to_string().contains("<html>Bad gateway</html>"), "{e}");
}

#[tokio::test]
async fn a_missing_required_parameter_is_an_invalid_request() {
    let server = MockServer::start_async().await;
    let c = client(&server).build().unwrap();
    let e: Error = c.get_user().send().await.unwrap_err();
    assert!(matches!(e, Error::InvalidRequest(_)), "{e:?}");
}

#[tokio::test]
async fn an_undecodable_response_names_the_json_path() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/users/count");
            then.status(200)
                .json_body(serde_json::json!({"object": "total_count", "total_count": "many"}));
        })
        .await;
    let c = client(&server).build().unwrap();
    let e: Error = c.get_users_count().send().await.unwrap_err();
    let Error::Decode(d) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(d.path, "$.total_count");
    assert!(e.to_string().contains("$.total_count"), "{e}");
}

#[tokio::test]
async fn a_patch_sends_only_the_field_the_caller_set() {
    // The spec documents `restricted_to_allowlist` as defaulting to false:
    // that is what the server does when the field is absent, so the client
    // must not send it (it would switch off the allow-list restriction).
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method("PATCH")
                .path("/beta_features/instance_settings")
                .json_body(serde_json::json!({"test_mode": true}));
            then.status(200)
                .json_body(serde_json::json!({"object": "instance_settings", "test_mode": true}));
        })
        .await;
    let c = client(&server).build().unwrap();
    c.update_instance_auth_config()
        .body_map(|b| b.test_mode(true))
        .await
        .unwrap();
    let body = clerk_backend::types::UpdateInstanceAuthConfigBody {
        test_mode: Some(true),
        ..Default::default()
    };
    c.update_instance_auth_config()
        .body(body)
        .send()
        .await
        .unwrap();
    mock.assert_calls_async(2).await;
}

#[tokio::test]
async fn awaiting_a_builder_sends_it_and_errors_read_directly() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/users/user_gone");
            then.status(404).json_body(serde_json::json!({
                "errors": [{"code": "resource_not_found", "message": "not found"}],
                "clerk_trace_id": "t-404"
            }));
        })
        .await;
    let c = client(&server).build().unwrap();
    let e = c.get_user().user_id("user_gone").await.unwrap_err();
    assert!(e.is_not_found());
    assert_eq!(e.code(), Some("resource_not_found"));
    assert_eq!(e.trace_id(), Some("t-404"));
    // `?` into any error type that takes std errors.
    async fn boxed(c: &Client) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        c.get_user().user_id("user_gone").send().await?;
        Ok(())
    }
    let e = boxed(&c).await.unwrap_err();
    assert!(e.to_string().contains("resource_not_found"), "{e}");
}

/// A status the operation documents neither as success nor as error (the
/// user count answers 200) is an unexpected response carrying its status,
/// whatever its body; a documented error status still decodes Clerk's body.
#[tokio::test]
async fn an_undocumented_status_is_an_unexpected_response() {
    for status in [201, 204, 304] {
        let server = MockServer::start_async().await;
        server
            .mock_async(|when, then| {
                when.path("/users/count");
                then.status(status)
                    .json_body(serde_json::json!({"object": "total_count", "total_count": 1}));
            })
            .await;
        let c = client(&server).build().unwrap();
        let e: Error = c.get_users_count().send().await.unwrap_err();
        assert!(
            matches!(e, Error::UnexpectedResponse { .. }),
            "{status}: {e:?}"
        );
        assert_eq!(e.status().map(|s| s.as_u16()), Some(status));
    }
    // 204 where the operation documents it: an empty success.
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method("PATCH").path("/instance");
            then.status(204);
        })
        .await;
    let c = client(&server).build().unwrap();
    let updated = c.update_instance().await.unwrap();
    assert_eq!(updated.status().as_u16(), 204);
}
