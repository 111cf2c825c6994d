//! Fixtures shared by the web-framework integration tests (tests/axum.rs,
//! tests/actix.rs), so that both drive the same cases with the same keys,
//! tokens, deliveries and handlers, and check the answers with the same
//! assertions.
//! Include with `#[path = "support/fixtures.rs"] mod fixtures;`, next to
//! `#[path = "support/test_key.rs"] mod test_key;`.

#![allow(dead_code)]

use std::sync::LazyLock;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use clerk_backend::auth::{AuthState, JwksCache, SignedOutReason, VerifyOptions};
use clerk_backend::webhooks::Webhook;
use http::{HeaderMap, StatusCode, header};
use serde_json::{Value, json};

use crate::test_key::TestKey;
use crate::{ClerkAuth, MaybeSignedIn};

// ---------------------------------------------------------------------------
// Keys, tokens, options
// ---------------------------------------------------------------------------

// Key generation is slow in debug builds: once per test binary.
pub static KEY: LazyLock<TestKey> = LazyLock::new(|| TestKey::generate("ins_test"));
/// A key that is not the instance's.
pub static OTHER_KEY: LazyLock<TestKey> = LazyLock::new(|| TestKey::generate("ins_test"));

pub const NOW: u64 = 1_700_000_000;
pub const ISSUER: &str = "https://clerk.example.com";
pub const ORIGIN: &str = "https://app.example.com";

pub fn claims(sub: &str) -> Value {
    json!({
        "sub": sub,
        "sid": "sess_1",
        "iss": ISSUER,
        "azp": ORIGIN,
        "exp": NOW + 60,
        "iat": NOW,
        "nbf": NOW - 10,
    })
}

/// A valid token for `sub`.
pub fn token(sub: &str) -> String {
    KEY.sign(&claims(sub))
}

/// A token that expired a minute before [`NOW`].
pub fn expired_token() -> String {
    KEY.sign(&json!({"sub": "user_1", "iss": ISSUER, "exp": NOW - 60, "iat": NOW - 120}))
}

/// A token for another authorized party than [`ORIGIN`].
pub fn wrong_azp_token() -> String {
    KEY.sign(
        &json!({"sub": "user_1", "iss": ISSUER, "exp": NOW + 60, "azp": "https://evil.example"}),
    )
}

/// A valid token whose payload was swapped for another valid token's.
pub fn tampered_token() -> String {
    let valid = token("user_1");
    let other = token("user_admin");
    let parts: Vec<&str> = valid.split('.').collect();
    let other_payload = other.split('.').nth(1).unwrap();
    format!("{}.{}.{}", parts[0], other_payload, parts[2])
}

/// Tokens rejected for other reasons, with the `reason` of each.
pub fn other_invalid_tokens() -> Vec<(String, &'static str)> {
    vec![
        ("not-a-jwt".to_owned(), "malformed_token"),
        (
            KEY.sign(&json!({"sub": "u", "iss": "https://other.example.com", "exp": NOW + 60})),
            "invalid_issuer",
        ),
        (
            KEY.sign(&json!({"sub": "u", "iss": ISSUER, "exp": NOW + 600, "nbf": NOW + 300})),
            "token_not_yet_valid",
        ),
        (
            // {"alg":"none"}
            format!(
                "eyJhbGciOiJub25lIn0.{}.",
                URL_SAFE_NO_PAD.encode(claims("u").to_string().as_bytes())
            ),
            "unsupported_algorithm",
        ),
        (
            // Clerk signs RS256 only; the same key under RS384 is refused.
            KEY.sign_with_header(&header_with("alg", json!("RS384")), &claims("u")),
            "unsupported_algorithm",
        ),
        (
            // A JWT-template token: same key, not a session.
            KEY.sign_with_header(&header_with("cat", json!("cl_B7d4PD222AAA")), &claims("u")),
            "not_a_session_token",
        ),
        (
            KEY.sign_with_header(&header_with("cat", json!("cl_B7d4PD333AAA")), &claims("u")),
            "not_a_session_token",
        ),
        (
            KEY.sign_with_header(&header_with("typ", json!("at+jwt")), &claims("u")),
            "oauth_access_token",
        ),
        (
            KEY.sign_with_header(&header_with("typ", json!("JOSE")), &claims("u")),
            "unsupported_token_type",
        ),
        (KEY.sign(&claims("mch_machine")), "machine_token"),
        (
            // Parties are configured: leaving azp out does not bypass them.
            KEY.sign(&json!({"sub": "user_1", "iss": ISSUER, "exp": NOW + 60})),
            "unauthorized_party",
        ),
    ]
}

/// The header [`TestKey::sign`] writes, with `key` set to `value`.
fn header_with(key: &str, value: Value) -> Value {
    let mut header = json!({"alg": "RS256", "kid": KEY.kid, "typ": "JWT"});
    header[key] = value;
    header
}

/// A valid token as a cookie may carry it: every dot percent-encoded.
pub fn percent_encoded_token(sub: &str) -> String {
    token(sub).replace('.', "%2E")
}

pub fn options_for(key: &TestKey) -> VerifyOptions {
    VerifyOptions::with_pem(&key.public_pem)
        .unwrap()
        .fixed_time(NOW)
        .issuer(ISSUER)
        .authorized_parties([ORIGIN])
}

pub fn options() -> VerifyOptions {
    options_for(&KEY)
}

/// Options whose key set cannot be fetched (nothing listens on port 1).
pub fn unreachable_jwks_options() -> VerifyOptions {
    VerifyOptions::with_jwks(JwksCache::new(
        "http://127.0.0.1:1/v1",
        "sk_test_unreachable",
        reqwest::Client::new(),
    ))
    .fixed_time(NOW)
}

// ---------------------------------------------------------------------------
// Webhooks
// ---------------------------------------------------------------------------

pub fn webhook() -> Webhook {
    Webhook::new(format!(
        "whsec_{}",
        STANDARD.encode(b"clerk-backend web test webhook!!")
    ))
    .unwrap()
}

/// A verifier with another secret.
pub fn impostor() -> Webhook {
    Webhook::new(format!("whsec_{}", STANDARD.encode(b"not the signing key"))).unwrap()
}

pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

pub fn user_created() -> Vec<u8> {
    serde_json::to_vec(&json!({
        "type": "user.created",
        "object": "event",
        "timestamp": 1_700_000_000_000_i64,
        "instance_id": "ins_1",
        "data": {"id": "user_hook", "object": "user", "first_name": "Ada"},
    }))
    .unwrap()
}

/// [`user_created`] with another user ID, as an attacker would alter it.
pub fn altered_user_created() -> Vec<u8> {
    String::from_utf8(user_created())
        .unwrap()
        .replace("user_hook", "user_evil")
        .into_bytes()
}

/// The `svix-*` headers of a delivery of `body` signed by `signer` at
/// `timestamp`.
pub fn delivery_headers(
    signer: &Webhook,
    timestamp: i64,
    body: &[u8],
) -> [(&'static str, String); 3] {
    let id = "msg_test_1";
    [
        ("svix-id", id.to_owned()),
        ("svix-timestamp", timestamp.to_string()),
        ("svix-signature", signer.sign(id, timestamp, body)),
    ]
}

// ---------------------------------------------------------------------------
// Handlers
// ---------------------------------------------------------------------------

// The extractor types are the same in both integrations, so these handlers
// serve both test suites: the including file imports `ClerkAuth` and
// `MaybeSignedIn` from `clerk_backend::axum` or `clerk_backend::actix`.

pub async fn me(ClerkAuth(claims): ClerkAuth) -> String {
    format!(
        "user {} session {}",
        claims.user_id(),
        claims.session_id().unwrap()
    )
}

pub async fn maybe(MaybeSignedIn(claims): MaybeSignedIn) -> String {
    match claims {
        Some(claims) => format!("user {}", claims.user_id()),
        None => "anonymous".to_owned(),
    }
}

pub async fn optional_clerk_auth(auth: Option<ClerkAuth>) -> String {
    match auth {
        Some(auth) => format!("user {}", auth.user_id()),
        None => "anonymous".to_owned(),
    }
}

pub async fn auth_state(auth: AuthState) -> String {
    match auth {
        AuthState::SignedIn(claims) => format!("user {}", claims.user_id()),
        AuthState::SignedOut(SignedOutReason::NoToken) => "signed out: no token".to_owned(),
        AuthState::SignedOut(SignedOutReason::InvalidToken(e)) => format!("signed out: {e}"),
        AuthState::SignedOut(other) => format!("signed out: {other:?}"),
    }
}

// ---------------------------------------------------------------------------
// Replies
// ---------------------------------------------------------------------------

/// A response, read whole.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    /// The JSON body; asserts the content type.
    pub fn json(&self) -> Value {
        assert_eq!(
            self.headers.get(header::CONTENT_TYPE).unwrap(),
            "application/json",
            "{}",
            self.body
        );
        serde_json::from_str(&self.body).unwrap()
    }

    /// Asserts a 401 with this reason.
    pub fn assert_signed_out(&self, reason: &str) {
        assert_eq!(self.status, StatusCode::UNAUTHORIZED, "{}", self.body);
        let body = self.json();
        assert_eq!(body["error"], "signed_out");
        assert_eq!(body["reason"], reason);
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
        let challenge = self.headers.get(header::WWW_AUTHENTICATE).unwrap();
        if reason == "no_token" {
            assert_eq!(challenge, "Bearer");
        } else {
            assert_eq!(challenge, "Bearer error=\"invalid_token\"");
        }
    }

    /// Asserts a 400 for a webhook delivery with this reason; the body.
    pub fn assert_invalid_webhook(&self, reason: &str) -> Value {
        assert_eq!(self.status, StatusCode::BAD_REQUEST, "{}", self.body);
        let body = self.json();
        assert_eq!(body["error"], "invalid_webhook");
        assert_eq!(body["reason"], reason);
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
        body
    }
}
