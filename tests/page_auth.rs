//! `Authenticator::authenticate_request` end to end (without a server of
//! its own): resolving handshakes (nonce through the Backend API, or a
//! signed token of each category), refreshing expired sessions through the
//! Backend API, and the server-side failures that are never "signed out".
//! The pure rules are tabled in `src/auth/page/tests.rs`.

use std::sync::LazyLock;

use clerk_backend::auth::{
    AuthStatus, Authenticator, RefreshError, RouteOptions, SignedOutReason, VerifyOptions,
};
use http::{HeaderMap, Method, Uri};
use httpmock::prelude::*;
use serde_json::{Value, json};

#[path = "support/test_key.rs"]
mod test_key;
use test_key::TestKey;

static KEY: LazyLock<TestKey> = LazyLock::new(|| TestKey::generate("ins_page"));
static OTHER: LazyLock<TestKey> = LazyLock::new(|| TestKey::generate("ins_other"));

/// Clerk's test keys: Frontend API `clerk.inspired.puma-74.lcl.dev`, cookie
/// suffix `MqCvchyS` (live key).
const PK_LIVE: &str = "pk_live_Y2xlcmsuaW5zcGlyZWQucHVtYS03NC5sY2wuZGV2JA";
const PK_TEST: &str = "pk_test_Y2xlcmsuaW5zcGlyZWQucHVtYS03NC5sY2wuZGV2JA";
const ISS: &str = "https://clerk.inspired.puma-74.lcl.dev";
const NOW: u64 = 1_700_000_000;

fn session_claims(iat: u64) -> Value {
    json!({"sub": "user_1", "iss": ISS, "sid": "sess_1", "iat": iat, "nbf": iat - 10, "exp": iat + 60})
}

fn fresh_session() -> String {
    KEY.sign(&session_claims(NOW - 5))
}

fn expired_session() -> String {
    KEY.sign(&session_claims(NOW - 3600))
}

fn authenticator(pk: &str, server: Option<&MockServer>) -> Authenticator {
    let options = VerifyOptions::with_pem(&KEY.public_pem)
        .unwrap()
        .fixed_time(NOW);
    let auth = Authenticator::new(options).publishable_key(pk).unwrap();
    match server {
        Some(server) => auth.backend_api(
            clerk_backend::Client::builder("sk_test_page")
                .base_url(server.url("/v1"))
                .http_client(reqwest::Client::new())
                .build()
                .unwrap(),
        ),
        None => auth,
    }
}

/// A browser's page load of `url` with `cookies`.
fn page(url: &str, cookies: &[(&str, &str)]) -> (Method, Uri, HeaderMap) {
    let mut headers = HeaderMap::new();
    headers.insert("host", "example.com".parse().unwrap());
    headers.insert("sec-fetch-dest", "document".parse().unwrap());
    if !cookies.is_empty() {
        let line: Vec<String> = cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
        headers.insert("cookie", line.join("; ").parse().unwrap());
    }
    (Method::GET, url.parse().unwrap(), headers)
}

async fn run(
    auth: &Authenticator,
    request: (Method, Uri, HeaderMap),
) -> clerk_backend::auth::RequestState {
    let (method, uri, headers) = request;
    auth.authenticate_request(&method, &uri, &headers, &RouteOptions::default())
        .await
}

fn lines(headers: &HeaderMap) -> Vec<String> {
    let mut lines: Vec<String> = headers
        .iter()
        .map(|(k, v)| format!("{k}: {}", v.to_str().unwrap()))
        .collect();
    lines.sort();
    lines
}

fn directives(session: &str) -> Vec<String> {
    vec![
        format!("__session={session}; Path=/; Secure; SameSite=Lax"),
        format!("__client_uat={NOW}; Path=/; Secure; SameSite=Strict"),
        "__clerk_handshake=; Path=/; Max-Age=0".to_owned(),
    ]
}

fn handshake_token(header: Value, directives: &[String]) -> String {
    KEY.sign_with_header(&header, &json!({"handshake": directives}))
}

fn header(cat: Option<&str>) -> Value {
    let mut header = json!({"alg": "RS256", "kid": "ins_page", "typ": "JWT"});
    if let Some(cat) = cat {
        header["cat"] = json!(cat);
    }
    header
}

/// The headers of a resolved handshake with `directives`.
fn resolved_lines(directives: &[String], extra: &[&str]) -> Vec<String> {
    let mut lines = vec![
        "access-control-allow-credentials: true".to_owned(),
        "access-control-allow-origin: null".to_owned(),
    ];
    lines.extend(directives.iter().map(|d| format!("set-cookie: {d}")));
    lines.extend(extra.iter().map(|s| (*s).to_owned()));
    lines.sort();
    lines
}

// ---------------------------------------------------------------------------
// The handshake token
// ---------------------------------------------------------------------------

#[tokio::test]
async fn a_production_handshake_token_sets_the_cookies_and_signs_in() {
    let session = fresh_session();
    let directives = directives(&session);
    // Clerk's handshake tokens have no subject and may have no expiry.
    for cat in [None, Some("cl_B7d4PD111AAA"), Some("cl_I7d4PD111III")] {
        let token = handshake_token(header(cat), &directives);
        let state = run(
            &authenticator(PK_LIVE, None),
            page("/path", &[("__clerk_handshake", &token)]),
        )
        .await;
        assert_eq!(
            state.status(),
            AuthStatus::SignedIn,
            "cat {cat:?}: {state:?}"
        );
        assert_eq!(state.auth().user_id(), Some("user_1"));
        assert_eq!(lines(state.headers()), resolved_lines(&directives, &[]));
        assert!(!state.is_redirect());
    }
}

#[tokio::test]
async fn a_development_handshake_redirects_to_the_clean_url() {
    let directives = directives(&fresh_session());
    let token = handshake_token(header(None), &directives);
    let url = format!("/path?x=1&__clerk_handshake={token}&__clerk_help=1&__clerk_db_jwt=dvb");
    let state = run(&authenticator(PK_TEST, None), page(&url, &[])).await;
    assert_eq!(state.status(), AuthStatus::SignedIn, "{state:?}");
    assert_eq!(
        lines(state.headers()),
        resolved_lines(
            &directives,
            &[
                "cache-control: no-store",
                "location: http://example.com/path?x=1"
            ]
        )
    );
    assert_eq!(state.location(), Some("http://example.com/path?x=1"));
}

#[tokio::test]
async fn a_handshake_token_of_another_kind_or_key_is_ignored_in_production() {
    let directives = directives(&fresh_session());
    let bad = [
        handshake_token(header(Some("cl_B7d4PD222AAA")), &directives), // JWT template
        handshake_token(header(Some("cl_B7d4PD333AAA")), &directives), // M2M
        handshake_token(header(Some("cl_unknown")), &directives),
        handshake_token(
            json!({"alg": "RS256", "kid": "ins_page", "typ": "at+jwt"}),
            &directives,
        ),
        handshake_token(
            json!({"alg": "RS384", "kid": "ins_page", "typ": "JWT"}),
            &directives,
        ),
        OTHER.sign_with_header(&header(None), &json!({"handshake": directives})),
        "not-a-jwt".to_owned(),
    ];
    for token in bad {
        // Production: the normal rules run (here: no session, no uat).
        let state = run(
            &authenticator(PK_LIVE, None),
            page("/path", &[("__clerk_handshake", &token)]),
        )
        .await;
        assert_eq!(state.status(), AuthStatus::SignedOut, "{state:?}");
        assert_eq!(
            state.reason().map(|r| r.as_str()),
            Some("session-token-and-uat-missing")
        );
        assert!(state.set_cookies().next().is_none());
        // Development: switched keys; the request cannot be decided.
        let url = format!("/path?__clerk_handshake={token}");
        let state = run(&authenticator(PK_TEST, None), page(&url, &[])).await;
        assert_eq!(state.status(), AuthStatus::Unavailable, "{state:?}");
    }
}

#[tokio::test]
async fn a_handshake_without_a_session_is_signed_out_with_its_cookies() {
    let directives = vec![
        "__client_uat=0; Path=/".to_owned(),
        "__session=; Path=/; Max-Age=0".to_owned(),
    ];
    let token = handshake_token(header(None), &directives);
    let state = run(
        &authenticator(PK_LIVE, None),
        page("/path", &[("__clerk_handshake", &token)]),
    )
    .await;
    assert_eq!(state.status(), AuthStatus::SignedOut);
    assert_eq!(
        state.reason().map(|r| r.as_str()),
        Some("session-token-missing")
    );
    assert_eq!(
        lines(state.headers()),
        resolved_lines(
            &directives,
            &[
                "x-clerk-auth-reason: session-token-missing",
                "x-clerk-auth-status: signed-out"
            ]
        )
    );
}

#[tokio::test]
async fn the_last_session_directive_counts_and_suffixed_ones_do() {
    let stale = KEY.sign(&json!({"sub": "user_old", "iss": ISS, "iat": NOW - 5, "exp": NOW + 60}));
    let directives = vec![
        format!("__session={stale}; Path=/"),
        format!("__session_MqCvchyS={}; Path=/", fresh_session()),
    ];
    let token = handshake_token(header(None), &directives);
    let state = run(
        &authenticator(PK_LIVE, None),
        page("/path", &[("__clerk_handshake", &token)]),
    )
    .await;
    assert_eq!(state.auth().user_id(), Some("user_1"));
}

#[tokio::test]
async fn a_handshake_session_off_the_clock_is_allowed_in_development_only() {
    // The handshake hands over a token issued an hour "ago" by this
    // server's (wrong) clock.
    let directives = directives(&expired_session());
    let token = handshake_token(header(None), &directives);
    let url = format!("/path?__clerk_handshake={token}");
    let dev = run(&authenticator(PK_TEST, None), page(&url, &[])).await;
    assert_eq!(dev.status(), AuthStatus::SignedIn, "{dev:?}");
    // Production: the handshake is dropped and the normal rules run.
    let live = run(
        &authenticator(PK_LIVE, None),
        page("/path", &[("__clerk_handshake", &token)]),
    )
    .await;
    assert_eq!(live.status(), AuthStatus::SignedOut, "{live:?}");
    assert!(live.set_cookies().next().is_none());
}

// ---------------------------------------------------------------------------
// The handshake nonce
// ---------------------------------------------------------------------------

#[tokio::test]
async fn a_nonce_is_exchanged_through_the_backend_api() {
    let server = MockServer::start_async().await;
    let directives = directives(&fresh_session());
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/clients/handshake_payload")
                .query_param("nonce", "nonce_1+/")
                .header("authorization", "Bearer sk_test_page");
            then.status(200)
                .json_body(json!({"directives": directives}));
        })
        .await;
    let auth = authenticator(PK_LIVE, Some(&server));
    // From the cookie, or the query.
    for request in [
        page("/path", &[("__clerk_handshake_nonce", "nonce_1%2B%2F")]),
        page("/path?__clerk_handshake_nonce=nonce_1%2B%2F", &[]),
    ] {
        let state = run(&auth, request).await;
        assert_eq!(state.status(), AuthStatus::SignedIn, "{state:?}");
        assert_eq!(lines(state.headers()), resolved_lines(&directives, &[]));
    }
    assert_eq!(mock.calls_async().await, 2);
}

#[tokio::test]
async fn a_nonce_clerk_refuses_gives_no_session() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/clients/handshake_payload");
            then.status(404)
                .json_body(json!({"errors": [{"code": "resource_not_found", "message": "x"}]}));
        })
        .await;
    let state = run(
        &authenticator(PK_LIVE, Some(&server)),
        page("/path", &[("__clerk_handshake_nonce", "used")]),
    )
    .await;
    assert_eq!(state.status(), AuthStatus::SignedOut);
    assert_eq!(
        state.reason().map(|r| r.as_str()),
        Some("session-token-missing")
    );
}

#[tokio::test]
async fn a_nonce_that_cannot_be_exchanged_is_unavailable_never_signed_out() {
    let server = MockServer::start_async().await;
    let failing = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/clients/handshake_payload");
            then.status(503).json_body(json!({"errors": []}));
        })
        .await;
    let state = run(
        &authenticator(PK_LIVE, Some(&server)),
        page("/path", &[("__clerk_handshake_nonce", "n")]),
    )
    .await;
    assert_eq!(state.status(), AuthStatus::Unavailable, "{state:?}");
    assert!(matches!(
        state.auth().signed_out_reason(),
        Some(SignedOutReason::BackendUnavailable(_))
    ));
    assert_eq!(failing.calls_async().await, 2, "one quick retry");
    // Nothing listening.
    let auth = authenticator(PK_LIVE, None).backend_api(
        clerk_backend::Client::builder("sk_test_page")
            .base_url("http://127.0.0.1:9/v1")
            .build()
            .unwrap(),
    );
    let state = run(&auth, page("/path", &[("__clerk_handshake_nonce", "n")])).await;
    assert_eq!(state.status(), AuthStatus::Unavailable);
    // No Backend API configured.
    let state = run(
        &authenticator(PK_LIVE, None),
        page("/path", &[("__clerk_handshake_nonce", "n")]),
    )
    .await;
    assert_eq!(state.status(), AuthStatus::Unavailable);
}

// ---------------------------------------------------------------------------
// Refresh
// ---------------------------------------------------------------------------

fn expired_with_refresh() -> (Method, Uri, HeaderMap) {
    let mut request = page(
        "/path",
        &[
            ("__client_uat", "12345"),
            ("__session", &expired_session()),
            ("__refresh_MqCvchyS", "refresh_1"),
            ("__refresh", "not_this_one"),
        ],
    );
    request
        .2
        .insert("origin", "https://example.com".parse().unwrap());
    request
}

#[tokio::test]
async fn an_expired_session_is_refreshed_in_place() {
    let server = MockServer::start_async().await;
    let fresh = fresh_session();
    let cookie = format!("__session_MqCvchyS={fresh}; Path=/; Secure; SameSite=Lax");
    let expired = expired_session();
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/sessions/sess_1/refresh")
                .header("authorization", "Bearer sk_test_page")
                .json_body_includes(
                    json!({
                        "format": "cookie",
                        "suffixed_cookies": false,
                        "expired_token": expired,
                        "refresh_token": "refresh_1",
                        "request_origin": "http://example.com",
                    })
                    .to_string(),
                )
                .json_body_includes(
                    json!({"request_headers": {"sec-fetch-dest": ["document"]}}).to_string(),
                );
            then.status(200)
                .json_body(json!({"object": "cookies", "cookies": [cookie]}));
        })
        .await;
    let state = run(
        &authenticator(PK_LIVE, Some(&server)),
        expired_with_refresh(),
    )
    .await;
    assert_eq!(state.status(), AuthStatus::SignedIn, "{state:?}");
    assert_eq!(state.auth().user_id(), Some("user_1"));
    assert_eq!(lines(state.headers()), [format!("set-cookie: {cookie}")]);
    assert!(!state.is_redirect());
    assert_eq!(mock.calls_async().await, 1);
}

/// The refresh answered `status` with `body`: the handshake's reason.
async fn refresh_failure(status: u16, body: Value) -> String {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/sessions/sess_1/refresh");
            then.status(status).json_body(body);
        })
        .await;
    let state = run(
        &authenticator(PK_LIVE, Some(&server)),
        expired_with_refresh(),
    )
    .await;
    assert_eq!(state.status(), AuthStatus::Handshake, "{state:?}");
    let location = state.location().unwrap().to_owned();
    let reason = state.reason().unwrap().as_str().to_owned();
    assert!(
        location.contains(&format!("__clerk_hs_reason={reason}")),
        "{location}"
    );
    reason
}

#[tokio::test]
async fn a_failed_refresh_falls_back_to_the_handshake_saying_why() {
    let prefix = "session-token-expired-refresh-";
    let errors = |code: &str| json!({"errors": [{"code": code, "message": "m"}]});
    assert_eq!(
        refresh_failure(401, errors("refresh_token_invalid")).await,
        format!("{prefix}refresh_token_invalid")
    );
    assert_eq!(
        refresh_failure(500, errors("unexpected_error")).await,
        format!("{prefix}fetch-error")
    );
    assert_eq!(
        refresh_failure(400, json!({"nothing": true})).await,
        format!("{prefix}unexpected-bapi-error")
    );
    assert_eq!(
        refresh_failure(200, json!({"object": "cookies", "cookies": []})).await,
        format!("{prefix}unexpected-sdk-error")
    );
    let not_verifying = OTHER.sign(&session_claims(NOW - 5));
    assert_eq!(
        refresh_failure(
            200,
            json!({"object": "cookies", "cookies": [format!("__session={not_verifying}; Path=/")]})
        )
        .await,
        format!("{prefix}invalid-session-token")
    );
}

#[tokio::test]
async fn a_refresh_without_a_backend_api_or_a_session_id_says_so() {
    let state = run(&authenticator(PK_LIVE, None), expired_with_refresh()).await;
    assert_eq!(
        state.reason().map(|r| r.as_str()),
        Some("session-token-expired-refresh-missing-api-client")
    );
    let server = MockServer::start_async().await;
    let no_sid =
        KEY.sign(&json!({"sub": "user_1", "iss": ISS, "iat": NOW - 3600, "exp": NOW - 3540}));
    let request = page(
        "/path",
        &[
            ("__client_uat", "12345"),
            ("__session", &no_sid),
            ("__refresh_MqCvchyS", "r"),
        ],
    );
    let state = run(&authenticator(PK_LIVE, Some(&server)), request).await;
    match state.reason() {
        Some(clerk_backend::auth::AuthReason::SessionTokenExpired(expired)) => {
            assert_eq!(
                expired.why(),
                &RefreshError::ExpiredSessionTokenMissingSidClaim
            );
        }
        other => panic!("{other:?}"),
    }
    // Clerk unreachable: the handshake, which goes through the browser.
    let auth = authenticator(PK_LIVE, None).backend_api(
        clerk_backend::Client::builder("sk_test_page")
            .base_url("http://127.0.0.1:9/v1")
            .build()
            .unwrap(),
    );
    let state = run(&auth, expired_with_refresh()).await;
    assert_eq!(state.status(), AuthStatus::Handshake);
    assert_eq!(
        state.reason().map(|r| r.as_str()),
        Some("session-token-expired-refresh-fetch-error")
    );
}

// ---------------------------------------------------------------------------
// Configuration and other tokens
// ---------------------------------------------------------------------------

#[tokio::test]
async fn without_a_publishable_key_the_rules_cannot_run() {
    let auth = Authenticator::new(VerifyOptions::with_pem(&KEY.public_pem).unwrap());
    let state = run(&auth, page("/path", &[])).await;
    assert_eq!(state.status(), AuthStatus::Unavailable);
    assert!(state.auth().signed_out_reason().unwrap().is_server_error());
    // A satellite without a domain or proxy URL is a configuration error.
    let state = run(
        &authenticator(PK_LIVE, None).satellite(true),
        page("/path", &[]),
    )
    .await;
    assert_eq!(state.status(), AuthStatus::Unavailable);
}

#[tokio::test]
async fn a_fresh_cookie_session_signs_in_without_headers() {
    let state = run(
        &authenticator(PK_LIVE, None),
        page(
            "/path",
            &[("__client_uat", "12345"), ("__session", &fresh_session())],
        ),
    )
    .await;
    assert_eq!(state.status(), AuthStatus::SignedIn);
    assert!(state.headers().is_empty());
}

#[tokio::test]
async fn machine_tokens_are_verified_as_by_authenticate() {
    let mut request = page("/api", &[]);
    request
        .2
        .insert("authorization", "Bearer ak_live_123".parse().unwrap());
    // A session-only route refuses it.
    let state = run(&authenticator(PK_LIVE, None), request.clone()).await;
    assert_eq!(state.status(), AuthStatus::SignedOut);
    assert_eq!(
        state.reason().map(|r| r.as_str()),
        Some("token-type-mismatch")
    );
    // A machine route without a Backend API cannot check it: a server error.
    let (method, uri, headers) = request;
    let state = authenticator(PK_LIVE, None)
        .authenticate_request(&method, &uri, &headers, &RouteOptions::machine())
        .await;
    assert_eq!(state.status(), AuthStatus::Unavailable, "{state:?}");
}

#[tokio::test]
async fn satellite_settings_come_from_the_environment() {
    let env = |name: &str| -> Option<String> {
        match name {
            "CLERK_JWT_KEY" => Some(KEY.public_pem.clone()),
            "CLERK_PUBLISHABLE_KEY" => Some(PK_LIVE.to_owned()),
            "CLERK_IS_SATELLITE" => Some("true".to_owned()),
            "CLERK_DOMAIN" => Some("satellite.dev".to_owned()),
            _ => None,
        }
    };
    let auth = Authenticator::from_env_with(env).unwrap();
    assert!(auth.has_page_rules());
    let state = run(&auth, page("/path", &[("__client_uat", "12345")])).await;
    assert_eq!(state.status(), AuthStatus::Handshake);
    assert!(
        state
            .location()
            .unwrap()
            .starts_with("https://clerk.satellite.dev/v1/client/handshake?"),
        "{state:?}"
    );
    // No publishable key: no page rules.
    let plain = Authenticator::from_env_with(|name: &str| {
        (name == "CLERK_JWT_KEY").then(|| KEY.public_pem.clone())
    })
    .unwrap();
    assert!(!plain.has_page_rules());
}
