//! Fixtures shared by the web-framework integration tests (tests/axum.rs,
//! tests/actix.rs, tests/rocket.rs, tests/poem.rs), so that all drive the
//! same cases with the same keys, tokens, deliveries and handlers, and check
//! the answers with the same assertions. [`shared_cases`] is the table every
//! integration must pass, request for request.
//! Include with `#[path = "support/fixtures.rs"] mod fixtures;`, next to
//! `#[path = "support/test_key.rs"] mod test_key;`.

#![allow(dead_code)]

#[path = "records.rs"]
mod records;

use std::sync::LazyLock;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use clerk_backend::auth::{AuthState, JwksCache, SignedOutReason, VerifyOptions};
use clerk_backend::webhooks::Webhook;
use http::{HeaderMap, Method, StatusCode, header};
use serde_json::{Value, json};

use crate::test_key::TestKey;
use crate::{ClerkAuth, ClerkWebhook, MaybeSignedIn};
use clerk_backend::webhooks::EventData;

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
        // Machine tokens where sessions are expected: a kind the route does
        // not accept, whatever their form.
        (
            KEY.sign_with_header(&header_with("cat", json!("cl_B7d4PD333AAA")), &claims("u")),
            "token_type_mismatch",
        ),
        (
            KEY.sign_with_header(&header_with("typ", json!("at+jwt")), &claims("u")),
            "token_type_mismatch",
        ),
        ("ak_an_api_key".to_owned(), "token_type_mismatch"),
        ("mt_an_m2m_token".to_owned(), "token_type_mismatch"),
        ("oat_an_oauth_token".to_owned(), "token_type_mismatch"),
        (
            KEY.sign_with_header(&header_with("typ", json!("JOSE")), &claims("u")),
            "unsupported_token_type",
        ),
        (KEY.sign(&claims("mch_machine")), "token_type_mismatch"),
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

/// A `user.created` delivery of a whole user, as Clerk's API sends one.
pub fn user_created() -> Vec<u8> {
    serde_json::to_vec(&json!({
        "type": "user.created",
        "object": "event",
        "timestamp": 1_700_000_000_000_i64,
        "instance_id": "ins_1",
        "data": records::user("user_hook", json!({"first_name": "Ada"})),
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
        AuthState::Machine(machine) => format!("{} {}", machine.token_type(), machine.subject()),
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

// ---------------------------------------------------------------------------
// The shared table of cases
// ---------------------------------------------------------------------------

/// Which app of the framework's test a case is sent to. Each test file
/// builds both the way its framework is configured (state, app data,
/// managed state, Poem data), with these routes:
///
/// * `GET /me` ([`me`]), `GET /maybe` ([`maybe`]), `GET /state`
///   ([`auth_state`]);
/// * `POST /webhooks/clerk`: the [`webhook`] verifier, the handler answering
///   `"{event type} {user id}"` for `user.created` ([`on_event`] below).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum App {
    /// Verifies with [`options`], webhooks with [`webhook`], the
    /// framework's default body limit.
    Main,
    /// Verifies with [`unreachable_jwks_options`]: every key lookup fails.
    Outage,
}

impl App {
    pub const ALL: [App; 2] = [App::Main, App::Outage];

    /// The app's session-token options.
    pub fn options(self) -> VerifyOptions {
        match self {
            App::Main => options(),
            App::Outage => unreachable_jwks_options(),
        }
    }
}

/// A request of the table, framework-neutral.
#[derive(Clone, Debug)]
pub struct CaseRequest {
    pub method: Method,
    pub path: &'static str,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl CaseRequest {
    fn get(path: &'static str) -> Self {
        CaseRequest {
            method: Method::GET,
            path,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    fn bearer(path: &'static str, token: &str) -> Self {
        Self::get(path).header("authorization", format!("Bearer {token}"))
    }

    fn cookie(path: &'static str, token: &str) -> Self {
        Self::get(path).header("cookie", format!("theme=dark; __session={token}"))
    }

    /// A webhook delivery of `body`, signed by `signer` at `timestamp`.
    fn delivery(signer: &Webhook, timestamp: i64, body: Vec<u8>) -> Self {
        let mut req = CaseRequest {
            method: Method::POST,
            path: "/webhooks/clerk",
            headers: vec![("content-type", "application/json".to_owned())],
            body: Vec::new(),
        };
        for (name, value) in delivery_headers(signer, timestamp, &body) {
            req = req.header(name, value);
        }
        req.body = body;
        req
    }

    fn without(mut self, name: &str) -> Self {
        self.headers.retain(|(n, _)| *n != name);
        self
    }
}

/// What the answer must be.
#[derive(Clone, Debug)]
pub enum Expect {
    /// `200` with this body.
    Ok(String),
    /// `200` with a body starting with this.
    OkStartingWith(&'static str),
    /// `401` with this reason ([`Reply::assert_signed_out`]).
    SignedOut(&'static str),
    /// `400` for a webhook with this reason ([`Reply::assert_invalid_webhook`]).
    InvalidWebhook(&'static str),
    /// This status and exactly this JSON body, without `WWW-Authenticate`.
    Json(StatusCode, Value),
    /// `413` for a webhook over the body limit (the message is the
    /// framework's).
    BodyTooLarge,
}

/// One row of the table.
#[derive(Clone, Debug)]
pub struct Case {
    pub name: String,
    pub app: App,
    pub request: CaseRequest,
    pub expect: Expect,
}

impl Case {
    fn new(name: impl Into<String>, app: App, request: CaseRequest, expect: Expect) -> Self {
        Case {
            name: name.into(),
            app,
            request,
            expect,
        }
    }

    /// Asserts that `reply` is the expected answer.
    pub fn check(&self, reply: &Reply) {
        let name = &self.name;
        match &self.expect {
            Expect::Ok(body) => {
                assert_eq!(reply.status, StatusCode::OK, "{name}: {}", reply.body);
                assert_eq!(&reply.body, body, "{name}");
            }
            Expect::OkStartingWith(prefix) => {
                assert_eq!(reply.status, StatusCode::OK, "{name}: {}", reply.body);
                assert!(reply.body.starts_with(prefix), "{name}: {}", reply.body);
            }
            Expect::SignedOut(reason) => reply.assert_signed_out(reason),
            Expect::InvalidWebhook(reason) => {
                let body = reply.assert_invalid_webhook(reason);
                if *reason == "missing_header" {
                    assert!(body["header"].is_string(), "{name}: {body}");
                }
            }
            Expect::BodyTooLarge => {
                assert_eq!(
                    reply.status,
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "{name}: {}",
                    reply.body
                );
                let body = reply.json();
                assert_eq!(body["error"], "invalid_webhook", "{name}");
                assert_eq!(body["reason"], "body_too_large", "{name}");
                assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
            }
            Expect::Json(status, json) => {
                assert_eq!(reply.status, *status, "{name}: {}", reply.body);
                assert_eq!(&reply.json(), json, "{name}");
                assert!(
                    reply.headers.get(header::WWW_AUTHENTICATE).is_none(),
                    "{name}"
                );
            }
        }
    }
}

/// A webhook body larger than every framework's default limit (axum's
/// 2 MB, actix-web's 256 KiB, Rocket's and the Poem extractor's 1 MiB).
pub fn oversized_delivery() -> Vec<u8> {
    let padding = "x".repeat(3 << 20);
    serde_json::to_vec(&json!({
        "type": "user.created",
        "data": {"id": "user_big", "object": "user", "padding": padding},
    }))
    .unwrap()
}

/// The table every integration passes: session tokens (valid, expired,
/// wrong party, missing, forged, every other reason), optional sign-in,
/// webhooks (valid, bad signature, stale, missing headers, not an event,
/// oversized) and the server-side key failure (`503`, never `401`).
pub fn shared_cases() -> Vec<Case> {
    use App::{Main, Outage};
    use Expect::*;
    let me = |user: &str| Ok(format!("user {user} session sess_1"));
    let anonymous = || Ok("anonymous".to_owned());
    let mut cases = vec![
        // Signed in.
        Case::new(
            "bearer",
            Main,
            CaseRequest::bearer("/me", &token("user_b")),
            me("user_b"),
        ),
        Case::new(
            "cookie",
            Main,
            CaseRequest::cookie("/me", &token("user_c")),
            me("user_c"),
        ),
        Case::new(
            "percent-encoded cookie",
            Main,
            CaseRequest::cookie("/me", &percent_encoded_token("user_p")),
            me("user_p"),
        ),
        // Signed out, for each reason.
        Case::new(
            "missing token",
            Main,
            CaseRequest::get("/me"),
            SignedOut("no_token"),
        ),
        Case::new(
            "another Authorization scheme",
            Main,
            CaseRequest::get("/me").header("authorization", "Basic dXNlcjpwYXNz"),
            SignedOut("no_token"),
        ),
        Case::new(
            "expired",
            Main,
            CaseRequest::bearer("/me", &expired_token()),
            SignedOut("token_expired"),
        ),
        Case::new(
            "expired cookie",
            Main,
            CaseRequest::cookie("/me", &expired_token()),
            SignedOut("token_expired"),
        ),
        Case::new(
            "wrong party",
            Main,
            CaseRequest::bearer("/me", &wrong_azp_token()),
            SignedOut("unauthorized_party"),
        ),
        Case::new(
            "wrong party cookie",
            Main,
            CaseRequest::cookie("/me", &wrong_azp_token()),
            SignedOut("unauthorized_party"),
        ),
        Case::new(
            "another key",
            Main,
            CaseRequest::bearer("/me", &OTHER_KEY.sign(&claims("user_1"))),
            SignedOut("invalid_signature"),
        ),
        Case::new(
            "tampered",
            Main,
            CaseRequest::bearer("/me", &tampered_token()),
            SignedOut("invalid_signature"),
        ),
        // Optional sign-in, and the AuthState.
        Case::new(
            "maybe signed in",
            Main,
            CaseRequest::bearer("/maybe", &token("user_m")),
            Ok("user user_m".into()),
        ),
        Case::new(
            "maybe anonymous",
            Main,
            CaseRequest::get("/maybe"),
            anonymous(),
        ),
        Case::new(
            "maybe expired",
            Main,
            CaseRequest::bearer("/maybe", &expired_token()),
            anonymous(),
        ),
        Case::new(
            "maybe forged",
            Main,
            CaseRequest::bearer("/maybe", &OTHER_KEY.sign(&claims("user_m"))),
            anonymous(),
        ),
        Case::new(
            "state signed in",
            Main,
            CaseRequest::cookie("/state", &token("user_s")),
            Ok("user user_s".into()),
        ),
        Case::new(
            "state signed out",
            Main,
            CaseRequest::get("/state"),
            Ok("signed out: no token".into()),
        ),
        // Server-side key failure: 503, never 401.
        Case::new(
            "outage",
            Outage,
            CaseRequest::bearer("/me", &token("user_1")),
            Json(
                StatusCode::SERVICE_UNAVAILABLE,
                json!({"error": "auth_unavailable", "reason": "key_fetch_failed"}),
            ),
        ),
        Case::new(
            "outage, optional sign-in",
            Outage,
            CaseRequest::bearer("/maybe", &token("user_1")),
            Json(
                StatusCode::SERVICE_UNAVAILABLE,
                json!({"error": "auth_unavailable", "reason": "key_fetch_failed"}),
            ),
        ),
        Case::new(
            "outage, AuthState",
            Outage,
            CaseRequest::bearer("/state", &token("user_1")),
            OkStartingWith("signed out: could not fetch"),
        ),
        Case::new(
            "outage, no token",
            Outage,
            CaseRequest::get("/me"),
            SignedOut("no_token"),
        ),
        // Webhooks.
        Case::new(
            "webhook",
            Main,
            CaseRequest::delivery(&webhook(), unix_now(), user_created()),
            Ok("user.created user_hook".into()),
        ),
        Case::new(
            "webhook of an unknown type",
            Main,
            CaseRequest::delivery(
                &webhook(),
                unix_now(),
                serde_json::to_vec(&json!({"type": "brand.new", "data": {"x": 1}})).unwrap(),
            ),
            Ok("brand.new true".into()),
        ),
        Case::new(
            "webhook with a bad signature",
            Main,
            CaseRequest::delivery(&impostor(), unix_now(), user_created()),
            InvalidWebhook("invalid_signature"),
        ),
        Case::new(
            "webhook altered after signing",
            Main,
            CaseRequest {
                body: altered_user_created(),
                ..CaseRequest::delivery(&webhook(), unix_now(), user_created())
            },
            InvalidWebhook("invalid_signature"),
        ),
        Case::new(
            "webhook too old",
            Main,
            CaseRequest::delivery(&webhook(), unix_now() - 10 * 60, user_created()),
            InvalidWebhook("timestamp_too_old"),
        ),
        Case::new(
            "webhook too new",
            Main,
            CaseRequest::delivery(&webhook(), unix_now() + 10 * 60, user_created()),
            InvalidWebhook("timestamp_too_new"),
        ),
        Case::new(
            "webhook signed, not an event",
            Main,
            CaseRequest::delivery(&webhook(), unix_now(), b"[1, 2, 3]".to_vec()),
            InvalidWebhook("invalid_payload"),
        ),
    ];
    for missing in ["svix-id", "svix-timestamp", "svix-signature"] {
        cases.push(Case::new(
            format!("webhook without {missing}"),
            Main,
            CaseRequest::delivery(&webhook(), unix_now(), user_created()).without(missing),
            InvalidWebhook("missing_header"),
        ));
    }
    cases.push(Case::new(
        "webhook over the body limit",
        Main,
        CaseRequest::delivery(&webhook(), unix_now(), oversized_delivery()),
        BodyTooLarge,
    ));
    for (token, reason) in other_invalid_tokens() {
        cases.push(Case::new(
            format!("invalid token: {reason}"),
            Main,
            CaseRequest::bearer("/me", &token),
            SignedOut(reason),
        ));
    }
    cases
}

/// The handler of `POST /webhooks/clerk` in the shared apps.
pub async fn on_event(ClerkWebhook(event): ClerkWebhook) -> String {
    match event.data {
        EventData::UserCreated(user) => format!("{} {}", event.event_type, user.id),
        other => format!("{} {:?}", event.event_type, other.is_unknown()),
    }
}
