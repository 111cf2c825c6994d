//! Machine authentication: API keys, M2M tokens and OAuth access tokens,
//! opaque and JWT, beside session tokens. Every kind and failure, against
//! the fake (`testing`), against a local server answering as Clerk does
//! (404, 401, 5xx, unreachable), and networkless with a test key.

#![cfg(feature = "testing")]

#[path = "support/test_key.rs"]
mod test_key;

use std::sync::LazyLock;
use std::time::Duration;

use clerk_backend::Client;
use clerk_backend::auth::{
    AuthState, Authenticator, MachineError, RouteOptions, SignedOutReason, TokenType, VerifyError,
    VerifyOptions,
};
use clerk_backend::rejection::AuthRejection;
use clerk_backend::testing::{FakeClerk, Fault};
use http::{HeaderMap, HeaderValue, StatusCode, header};
use serde_json::{Value, json};
use test_key::TestKey;

static KEY: LazyLock<TestKey> = LazyLock::new(|| TestKey::generate("ins_machine"));
const NOW: u64 = 1_700_000_000;

fn bearer(token: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let value = HeaderValue::from_str(&format!("Bearer {token}")).unwrap();
    headers.insert(header::AUTHORIZATION, value);
    headers
}

fn cookie(token: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let value = HeaderValue::from_str(&format!("__session={token}")).unwrap();
    headers.insert(header::COOKIE, value);
    headers
}

fn machine_error(state: AuthState) -> MachineError {
    match state {
        AuthState::SignedOut(SignedOutReason::Machine(error)) => error,
        other => panic!("expected a machine-token failure, got {other:?}"),
    }
}

fn mismatch(state: &AuthState) -> TokenType {
    match state {
        AuthState::SignedOut(SignedOutReason::TokenTypeMismatch { token_type }) => *token_type,
        other => panic!("expected a token-type mismatch, got {other:?}"),
    }
}

async fn user(fake: &FakeClerk) -> String {
    let user = fake
        .client()
        .create_user()
        .body_map(|b| b.email_address(vec!["machine@example.com".to_string()]))
        .send()
        .await
        .unwrap();
    user.id.clone()
}

/// An API key of `subject` created through the API: its secret.
async fn api_key(fake: &FakeClerk, subject: &str) -> String {
    let key = fake
        .client()
        .create_api_key()
        .body_map(|b| {
            b.name("ci-key".to_string())
                .subject(subject.to_string())
                .scopes(vec!["read".to_string()])
                .claims(json!({"team": "ops"}))
        })
        .send()
        .await
        .unwrap();
    key.secret.clone()
}

// ---------------------------------------------------------------------------
// Against the fake
// ---------------------------------------------------------------------------

#[tokio::test]
async fn api_keys_verify_through_the_backend_api() {
    let fake = FakeClerk::start().await;
    let user_id = user(&fake).await;
    let secret = api_key(&fake, &user_id).await;
    let auth = fake.authenticator();
    let route = RouteOptions::accepting([TokenType::ApiKey]);

    let state = auth.authenticate(&bearer(&secret), &route).await;
    let machine = state.machine().expect("verified").clone();
    assert_eq!(machine.token_type(), TokenType::ApiKey);
    assert!(machine.id().starts_with("ak_"));
    assert_eq!(machine.subject(), user_id);
    assert_eq!(machine.user_id(), Some(user_id.as_str()));
    assert_eq!((machine.org_id(), machine.machine_id()), (None, None));
    assert_eq!(machine.name(), Some("ci-key"));
    assert_eq!(machine.scopes(), ["read"]);
    assert!(machine.has_scope("read"));
    assert_eq!(machine.claims(), Some(&json!({"team": "ops"})));
    assert_eq!(state.token_type(), Some(TokenType::ApiKey));
    assert!(state.is_authenticated() && !state.is_signed_in());
    assert_eq!(
        fake.requests_of("verifyApiKey")[0].body,
        Some(json!({"secret": secret}))
    );

    // Revoked, then unknown: Clerk's 404, `token-invalid`.
    assert!(fake.revoke_token(&secret));
    let error = machine_error(auth.authenticate(&bearer(&secret), &route).await);
    assert_eq!(
        (error.code(), error.is_server_error()),
        ("token-invalid", false)
    );
    let error = machine_error(auth.authenticate(&bearer("ak_unknown"), &route).await);
    assert_eq!(error.code(), "token-invalid");
    let rejection = AuthRejection::from(SignedOutReason::Machine(error)).response();
    assert_eq!(rejection.status, StatusCode::UNAUTHORIZED);
    let body: Value = serde_json::from_slice(&rejection.body).unwrap();
    assert_eq!(body["reason"], "token_invalid");
    assert_eq!(
        rejection.www_authenticate,
        Some("Bearer error=\"invalid_token\"")
    );
}

#[tokio::test]
async fn an_organization_api_key_names_the_organization() {
    let fake = FakeClerk::start().await;
    let user_id = user(&fake).await;
    let org = fake
        .client()
        .create_organization()
        .body_map(|b| b.name("Acme".to_string()).created_by(user_id.clone()))
        .send()
        .await
        .unwrap();
    let secret = api_key(&fake, &org.id).await;
    let state = fake
        .authenticator()
        .authenticate(&bearer(&secret), &RouteOptions::machine())
        .await;
    let machine = state.machine().unwrap();
    assert_eq!(machine.org_id(), Some(org.id.as_str()));
    assert_eq!(machine.user_id(), None);
}

#[tokio::test]
async fn opaque_m2m_tokens_verify_with_the_machine_secret_key() {
    let fake = FakeClerk::start().await;
    let caller = fake.create_machine();
    let callee = fake.create_machine();
    let token = fake.create_m2m_token(&caller.id, &[&callee.id], Some(Duration::from_secs(3600)));
    let route = RouteOptions::accepting([TokenType::M2mToken]);

    // With the instance's secret key.
    let state = fake
        .authenticator()
        .authenticate(&bearer(&token), &route)
        .await;
    let machine = state.machine().expect("verified");
    assert_eq!(machine.token_type(), TokenType::M2mToken);
    assert_eq!(machine.machine_id(), Some(caller.id.as_str()));
    assert_eq!(machine.scopes(), std::slice::from_ref(&callee.id));
    assert!(machine.id().starts_with("mt_"));
    assert!(machine.expires_at().is_some());

    // With the callee's machine secret key, as Clerk recommends.
    let auth = fake
        .authenticator()
        .machine_secret_key(callee.secret_key.clone());
    assert!(
        auth.authenticate(&bearer(&token), &route)
            .await
            .machine()
            .is_some()
    );

    // A machine secret key Clerk does not know: 401, `secret-key-invalid`,
    // a server-side problem (500), not a signed-out caller.
    let auth = fake.authenticator().machine_secret_key("ak_not_a_machine");
    let error = machine_error(auth.authenticate(&bearer(&token), &route).await);
    assert_eq!(
        (error.code(), error.is_server_error()),
        ("secret-key-invalid", true)
    );
    let rejection = AuthRejection::from(SignedOutReason::Machine(error)).response();
    assert_eq!(rejection.status, StatusCode::INTERNAL_SERVER_ERROR);
    let body: Value = serde_json::from_slice(&rejection.body).unwrap();
    assert_eq!(
        (body["error"].as_str(), body["reason"].as_str()),
        (Some("auth_misconfigured"), Some("secret_key_invalid"))
    );

    // An expired one is unknown to Clerk.
    let expired = fake.create_m2m_token(&caller.id, &[], Some(Duration::ZERO));
    let error = machine_error(
        fake.authenticator()
            .authenticate(&bearer(&expired), &route)
            .await,
    );
    assert_eq!(error.code(), "token-invalid");
}

#[tokio::test]
async fn opaque_oauth_access_tokens_name_the_user_and_the_application() {
    let fake = FakeClerk::start().await;
    let user_id = user(&fake).await;
    let token = fake.create_oauth_access_token(&user_id, "client_app", &["profile", "email"], None);
    let route = RouteOptions::accepting([TokenType::OAuthToken]);
    let state = fake
        .authenticator()
        .authenticate(&bearer(&token), &route)
        .await;
    let machine = state.machine().expect("verified");
    assert_eq!(machine.token_type(), TokenType::OAuthToken);
    assert_eq!(machine.user_id(), Some(user_id.as_str()));
    assert_eq!(machine.client_id(), Some("client_app"));
    assert_eq!(machine.scopes(), ["profile", "email"]);
    assert_eq!(
        fake.requests_of("verifyOAuthAccessToken")[0].body,
        Some(json!({"access_token": token}))
    );
    fake.revoke_token(&token);
    let error = machine_error(
        fake.authenticator()
            .authenticate(&bearer(&token), &route)
            .await,
    );
    assert_eq!(error.code(), "token-invalid");
}

#[tokio::test]
async fn jwt_machine_tokens_verify_without_the_backend_api() {
    let fake = FakeClerk::start().await;
    let machine = fake.create_machine();
    let auth = fake.authenticator();
    let m2m = fake.m2m_jwt(&machine.id, &["mch_other"], Duration::from_secs(600));
    assert_eq!(TokenType::of(&m2m), TokenType::M2mToken);
    let state = auth
        .authenticate(&bearer(&m2m), &RouteOptions::machine())
        .await;
    let verified = state.machine().expect("verified");
    assert_eq!(verified.machine_id(), Some(machine.id.as_str()));
    assert_eq!(verified.scopes(), ["mch_other"]);
    assert_eq!(verified.claims().unwrap()["sub"], machine.id.as_str());

    let oauth = fake.oauth_jwt(
        "user_1",
        "client_app",
        &["read", "write"],
        Duration::from_secs(600),
    );
    assert_eq!(TokenType::of(&oauth), TokenType::OAuthToken);
    let state = auth
        .authenticate(&bearer(&oauth), &RouteOptions::any())
        .await;
    let verified = state.machine().expect("verified");
    assert_eq!(verified.client_id(), Some("client_app"));
    assert_eq!(verified.user_id(), Some("user_1"));
    assert_eq!(verified.scopes(), ["read", "write"]);
    // No verify endpoint was called (only the key set was fetched).
    assert!(fake.requests_of("verifyM2MToken").is_empty());
    assert!(fake.requests_of("verifyOAuthAccessToken").is_empty());

    // An expired M2M JWT (an hour later): `token-verification-failed`.
    let later = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 3600;
    let auth = Authenticator::new(fake.verify_options().fixed_time(later));
    let error = machine_error(
        auth.authenticate(&bearer(&m2m), &RouteOptions::machine())
            .await,
    );
    assert_eq!(error.code(), "token-verification-failed");
    assert!(matches!(
        error,
        MachineError::VerificationFailed {
            error: VerifyError::Expired { .. },
            ..
        }
    ));
    let body: Value = serde_json::from_slice(
        &AuthRejection::from(SignedOutReason::Machine(error))
            .response()
            .body,
    )
    .unwrap();
    assert_eq!(body["reason"], "token_verification_failed");
}

#[tokio::test]
async fn kinds_a_route_does_not_accept_are_mismatches_both_ways() {
    let fake = FakeClerk::start().await;
    let user_id = user(&fake).await;
    let session = fake.sign_in(&user_id);
    let secret = api_key(&fake, &user_id).await;
    let machine = fake.create_machine();
    let m2m_jwt = fake.m2m_jwt(&machine.id, &[], Duration::from_secs(60));
    let oauth_jwt = fake.oauth_jwt(&user_id, "app", &[], Duration::from_secs(60));
    let auth = fake.authenticator();
    let sessions = RouteOptions::default();

    // Machine tokens where only sessions are accepted (also through the
    // cookie), without any Backend API call.
    fake.clear_requests();
    for (token, kind) in [
        (secret.as_str(), TokenType::ApiKey),
        ("mt_whatever", TokenType::M2mToken),
        ("oat_whatever", TokenType::OAuthToken),
        (m2m_jwt.as_str(), TokenType::M2mToken),
        (oauth_jwt.as_str(), TokenType::OAuthToken),
    ] {
        assert_eq!(
            mismatch(&auth.authenticate(&bearer(token), &sessions).await),
            kind
        );
    }
    assert!(
        fake.requests()
            .iter()
            .all(|r| r.operation == Some("GetJWKS"))
    );
    assert_eq!(
        mismatch(&auth.authenticate(&cookie(&secret), &sessions).await),
        TokenType::ApiKey
    );

    // A session where only machines are accepted, and a machine kind the
    // route does not list.
    let machines = RouteOptions::machine();
    assert_eq!(
        mismatch(&auth.authenticate(&bearer(&session), &machines).await),
        TokenType::SessionToken
    );
    let api_keys_only = RouteOptions::accepting([TokenType::ApiKey]);
    assert_eq!(
        mismatch(&auth.authenticate(&bearer(&m2m_jwt), &api_keys_only).await),
        TokenType::M2mToken
    );
    let rejection = AuthRejection::from(SignedOutReason::TokenTypeMismatch {
        token_type: TokenType::SessionToken,
    })
    .response();
    assert_eq!(rejection.status, StatusCode::UNAUTHORIZED);
    let body: Value = serde_json::from_slice(&rejection.body).unwrap();
    assert_eq!(body["reason"], "token_type_mismatch");
    assert_eq!(body["message"], "a session token is not accepted here");

    // Sessions still sign in where accepted, from the header or the cookie;
    // a machine-only route never reads cookies.
    assert!(
        auth.authenticate(&bearer(&session), &sessions)
            .await
            .is_signed_in()
    );
    assert!(
        auth.authenticate(&cookie(&session), &RouteOptions::any())
            .await
            .is_signed_in()
    );
    let state = auth.authenticate(&cookie(&session), &machines).await;
    assert!(matches!(
        state,
        AuthState::SignedOut(SignedOutReason::NoToken)
    ));
    let state = auth
        .authenticate(&HeaderMap::new(), &RouteOptions::any())
        .await;
    assert!(matches!(
        state,
        AuthState::SignedOut(SignedOutReason::NoToken)
    ));
    // A route accepting nothing refuses everything.
    let nothing = RouteOptions::accepting([]);
    assert_eq!(
        mismatch(&auth.authenticate(&bearer(&session), &nothing).await),
        TokenType::SessionToken
    );
}

#[tokio::test]
async fn verified_opaque_tokens_may_be_cached_briefly() {
    let fake = FakeClerk::start().await;
    let user_id = user(&fake).await;
    let secret = api_key(&fake, &user_id).await;
    let route = RouteOptions::machine();

    // Off by default: every request asks Clerk.
    let auth = fake.authenticator();
    for _ in 0..2 {
        assert!(
            auth.authenticate(&bearer(&secret), &route)
                .await
                .machine()
                .is_some()
        );
    }
    assert_eq!(fake.requests_of("verifyApiKey").len(), 2);

    // On: once per TTL, shared by clones; failures are not cached.
    fake.clear_requests();
    let cached = fake.authenticator().machine_cache(Duration::from_secs(30));
    let clone = cached.clone();
    assert!(
        cached
            .authenticate(&bearer(&secret), &route)
            .await
            .machine()
            .is_some()
    );
    assert!(
        clone
            .authenticate(&bearer(&secret), &route)
            .await
            .machine()
            .is_some()
    );
    assert_eq!(fake.requests_of("verifyApiKey").len(), 1);
    for _ in 0..2 {
        let error = machine_error(cached.authenticate(&bearer("ak_nope"), &route).await);
        assert_eq!(error.code(), "token-invalid");
    }
    assert_eq!(fake.requests_of("verifyApiKey").len(), 3);
}

#[tokio::test]
async fn clerk_failing_is_a_server_side_failure() {
    let fake = FakeClerk::start().await;
    let user_id = user(&fake).await;
    let secret = api_key(&fake, &user_id).await;
    let auth = fake.authenticator();
    let route = RouteOptions::machine();
    for fault in [
        Fault::status(503).operation("verifyApiKey").times(2),
        Fault::drop_connection().times(2),
    ] {
        fake.inject(fault);
        let error = machine_error(auth.authenticate(&bearer(&secret), &route).await);
        assert_eq!(
            (error.code(), error.is_server_error()),
            ("unexpected-error", true)
        );
        let rejection = AuthRejection::from(SignedOutReason::Machine(error)).response();
        assert_eq!(rejection.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(rejection.www_authenticate, None);
        fake.clear_faults();
    }
    // No Backend API client: opaque tokens cannot be checked (500).
    let networkless = Authenticator::new(fake.verify_options());
    let error = machine_error(networkless.authenticate(&bearer(&secret), &route).await);
    assert!(matches!(
        error,
        MachineError::NotConfigured {
            token_type: TokenType::ApiKey
        }
    ));
    assert_eq!(
        AuthRejection::from(SignedOutReason::Machine(error))
            .response()
            .status,
        StatusCode::INTERNAL_SERVER_ERROR
    );
}

// ---------------------------------------------------------------------------
// Against a server answering as Clerk does
// ---------------------------------------------------------------------------

fn authenticator_for(url: &str) -> Authenticator {
    let client = Client::builder("sk_test_mock")
        .base_url(url)
        .build()
        .unwrap();
    Authenticator::new(VerifyOptions::with_pem(&KEY.public_pem).unwrap()).backend_api(client)
}

#[tokio::test]
async fn clerk_answers_map_to_clerk_codes() {
    let server = httpmock::MockServer::start_async().await;
    let ok = server.mock(|when, then| {
        when.method("POST")
            .path("/v1/api_keys/verify")
            .header("authorization", "Bearer sk_test_mock")
            .json_body(json!({"secret": "ak_good"}));
        then.status(200).json_body(json!({
            "object": "api_key", "id": "ak_0123", "type": "api_key", "subject": "user_1",
            "name": "k", "claims": null, "scopes": [], "revoked": false,
            "revocation_reason": null, "expired": false, "expiration": null,
            "created_by": null, "last_used_at": null, "created_at": 1, "updated_at": 1
        }));
    });
    let cases = [
        ("ak_unknown", 404, "token-invalid", StatusCode::UNAUTHORIZED),
        (
            "ak_badkey",
            401,
            "secret-key-invalid",
            StatusCode::INTERNAL_SERVER_ERROR,
        ),
        (
            "ak_boom",
            500,
            "unexpected-error",
            StatusCode::SERVICE_UNAVAILABLE,
        ),
        (
            "ak_busy",
            503,
            "unexpected-error",
            StatusCode::SERVICE_UNAVAILABLE,
        ),
    ];
    for (secret, status, _, _) in cases {
        server.mock(|when, then| {
            when.method("POST")
                .path("/v1/api_keys/verify")
                .json_body(json!({"secret": secret}));
            then.status(status)
                .json_body(json!({"errors": [{"message": "m", "long_message": "l", "code": "c"}]}));
        });
    }
    let auth = authenticator_for(&server.url("/v1"));
    let route = RouteOptions::machine();
    assert!(
        auth.authenticate(&bearer("ak_good"), &route)
            .await
            .machine()
            .is_some()
    );
    ok.assert();
    for (secret, _, code, answer) in cases {
        let error = machine_error(auth.authenticate(&bearer(secret), &route).await);
        assert_eq!(error.code(), code, "{secret}");
        assert_eq!(
            AuthRejection::from(SignedOutReason::Machine(error)).status(),
            answer
        );
    }
}

#[tokio::test]
async fn m2m_and_oauth_endpoints_get_their_own_bodies_and_keys() {
    let server = httpmock::MockServer::start_async().await;
    let m2m = server.mock(|when, then| {
        when.method("POST")
            .path("/v1/m2m_tokens/verify")
            .header("authorization", "Bearer ak_machine_secret")
            .json_body(json!({"token": "mt_1"}));
        then.status(200).json_body(json!({
            "object": "machine_to_machine_token", "id": "mt_0123", "subject": "mch_1",
            "claims": {"k": 1}, "scopes": ["mch_2"], "revoked": false, "revocation_reason": null,
            "expired": false, "expiration": 4_000_000_000_000_i64, "last_used_at": null,
            "created_at": 1, "updated_at": 1
        }));
    });
    let oauth = server.mock(|when, then| {
        when.method("POST")
            .path("/v1/oauth_applications/access_tokens/verify")
            .header("authorization", "Bearer sk_test_mock")
            .json_body(json!({"access_token": "oat_1"}));
        then.status(200).json_body(json!({"active": false}));
    });
    let auth = authenticator_for(&server.url("/v1")).machine_secret_key("ak_machine_secret");
    let state = auth
        .authenticate(&bearer("mt_1"), &RouteOptions::any())
        .await;
    let machine = state.machine().expect("verified");
    assert_eq!(machine.machine_id(), Some("mch_1"));
    assert_eq!(machine.claims(), Some(&json!({"k": 1})));
    assert_eq!(machine.expires_at(), Some(4_000_000_000));
    m2m.assert();
    let error = machine_error(
        auth.authenticate(&bearer("oat_1"), &RouteOptions::any())
            .await,
    );
    assert_eq!(error.code(), "token-invalid");
    oauth.assert();
    // The secret keys are never in Debug output.
    let debug = format!("{auth:?}");
    assert!(
        !debug.contains("sk_test_mock") && !debug.contains("ak_machine_secret"),
        "{debug}"
    );
}

#[tokio::test]
async fn clerk_unreachable_is_unavailable_quickly() {
    // A port nothing listens on.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    drop(listener);
    let auth = authenticator_for(&url);
    let started = std::time::Instant::now();
    let error = machine_error(
        auth.authenticate(&bearer("ak_1"), &RouteOptions::machine())
            .await,
    );
    assert!(
        matches!(error, MachineError::Unavailable { .. }),
        "{error:?}"
    );
    assert!(error.is_server_error());
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the hot-path policy is short"
    );
    assert!(!error.to_string().contains("sk_test_mock"));
}

// ---------------------------------------------------------------------------
// Networkless, with a test key
// ---------------------------------------------------------------------------

fn checks() -> Authenticator {
    Authenticator::new(
        VerifyOptions::with_pem(&KEY.public_pem)
            .unwrap()
            .fixed_time(NOW),
    )
}

fn m2m_claims(sub: &str) -> Value {
    json!({"sub": sub, "exp": NOW + 60, "iat": NOW, "jti": "mt_1", "scopes": "mch_a mch_b"})
}

#[tokio::test]
async fn the_m2m_jwt_rule_follows_clerks() {
    let auth = checks();
    let route = RouteOptions::machine();
    let header = |cat: Option<&str>| {
        let mut h = json!({"alg": "RS256", "kid": "ins_machine", "typ": "JWT"});
        if let Some(cat) = cat {
            h["cat"] = json!(cat);
        }
        h
    };
    // `cat` absent or the M2M category; `scopes` as a fallback for `aud`.
    for cat in [None, Some("cl_B7d4PD333AAA")] {
        let token = KEY.sign_with_header(&header(cat), &m2m_claims("mch_1"));
        let state = auth.authenticate(&bearer(&token), &route).await;
        let machine = state
            .machine()
            .unwrap_or_else(|| panic!("{cat:?}: {state:?}"));
        assert_eq!(machine.scopes(), ["mch_a", "mch_b"]);
        assert_eq!(machine.id(), "mt_1");
    }
    // A machine subject under another category: `token-invalid`.
    for cat in ["cl_B7d4PD111AAA", "cl_B7d4PD222AAA"] {
        let token = KEY.sign_with_header(&header(Some(cat)), &m2m_claims("mch_1"));
        let error = machine_error(auth.authenticate(&bearer(&token), &route).await);
        assert_eq!(error.code(), "token-invalid", "{cat}");
    }
    // The M2M category on a user's subject: not an M2M token either.
    let token = KEY.sign_with_header(&header(Some("cl_B7d4PD333AAA")), &m2m_claims("user_1"));
    assert_eq!(TokenType::of(&token), TokenType::M2mToken);
    let error = machine_error(auth.authenticate(&bearer(&token), &route).await);
    assert_eq!(error.code(), "token-invalid");
    // Signed by another key: `token-verification-failed`.
    let other = TestKey::generate("ins_machine");
    let token = other.sign_with_header(&header(None), &m2m_claims("mch_1"));
    let error = machine_error(auth.authenticate(&bearer(&token), &route).await);
    assert!(matches!(
        error,
        MachineError::VerificationFailed {
            error: VerifyError::BadSignature,
            ..
        }
    ));
}

#[tokio::test]
async fn oauth_jwts_are_told_by_their_typ() {
    let auth = checks();
    let claims = json!({"sub": "user_1", "exp": NOW + 60, "client_id": "app", "scp": ["a", "b"]});
    for typ in ["at+jwt", "application/at+jwt"] {
        let header = json!({"alg": "RS256", "kid": "ins_machine", "typ": typ});
        let token = KEY.sign_with_header(&header, &claims);
        assert_eq!(TokenType::of(&token), TokenType::OAuthToken);
        let state = auth
            .authenticate(&bearer(&token), &RouteOptions::any())
            .await;
        assert_eq!(state.machine().expect(typ).scopes(), ["a", "b"]);
        // And a session route refuses it as a mismatch.
        let state = auth
            .authenticate(&bearer(&token), &RouteOptions::session())
            .await;
        assert_eq!(mismatch(&state), TokenType::OAuthToken);
    }
    // An `alg` other than RS256 fails verification.
    let header = json!({"alg": "RS512", "kid": "ins_machine", "typ": "at+jwt"});
    let token = KEY.sign_with_header(&header, &claims);
    let error = machine_error(
        auth.authenticate(&bearer(&token), &RouteOptions::any())
            .await,
    );
    assert!(matches!(
        error,
        MachineError::VerificationFailed {
            error: VerifyError::UnsupportedAlgorithm { .. },
            ..
        }
    ));
}

#[test]
fn token_types_have_clerks_names_and_prefixes() {
    let names: Vec<&str> = TokenType::ALL.iter().map(|t| t.as_str()).collect();
    assert_eq!(
        names,
        ["session_token", "api_key", "m2m_token", "oauth_token"]
    );
    assert_eq!(TokenType::of("ak_x"), TokenType::ApiKey);
    assert_eq!(TokenType::of("mt_x"), TokenType::M2mToken);
    assert_eq!(TokenType::of("oat_x"), TokenType::OAuthToken);
    assert_eq!(TokenType::of("a.b.c"), TokenType::SessionToken);
    assert_eq!(
        SignedOutReason::TokenTypeMismatch {
            token_type: TokenType::ApiKey
        }
        .clerk_reason(),
        Some("token-type-mismatch")
    );
}

#[test]
fn machine_settings_come_from_the_environment() {
    let env = |name: &str| match name {
        "CLERK_SECRET_KEY" => Some("sk_test_env".to_owned()),
        "CLERK_API_URL" => Some("http://127.0.0.1:9/v1".to_owned()),
        "CLERK_MACHINE_SECRET_KEY" => Some("ak_env_machine".to_owned()),
        _ => None,
    };
    let auth = Authenticator::from_env_with(env).unwrap();
    let debug = format!("{auth:?}");
    assert!(debug.contains("http://127.0.0.1:9/v1"), "{debug}");
    assert!(debug.contains("machine_secret_key: Some("), "{debug}");
    assert!(
        !debug.contains("ak_env_machine") && !debug.contains("sk_test_env"),
        "{debug}"
    );
    assert!(Authenticator::from_env_with(|_| None).is_err());
}
