//! The axum integration (`--features axum`): extractors, the tower layer and
//! the webhook extractor, driven through real routers with
//! `tower::ServiceExt::oneshot`. Tokens are signed with RSA keys made here.

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, FromRef, Path};
use axum::http::{HeaderMap, Request, StatusCode, header};
use axum::routing::{get, post};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use clerk_backend::auth::{AuthState, JwksCache, SignedOutReason, VerifyError, VerifyOptions};
use clerk_backend::axum::{
    AuthRejection, ClerkAuth, ClerkLayer, ClerkState, ClerkWebhook, MaybeSignedIn, WebhookRejection,
};
use clerk_backend::webhooks::{EventData, Webhook};
use serde_json::{Value, json};
use tower::ServiceExt as _;

#[path = "support/test_key.rs"]
mod test_key;
use test_key::TestKey;

// ---------------------------------------------------------------------------
// Keys, tokens, requests
// ---------------------------------------------------------------------------

// Key generation is slow in debug builds: once per test binary.
static KEY: LazyLock<TestKey> = LazyLock::new(|| TestKey::generate("ins_test"));
/// A key that is not the instance's.
static OTHER_KEY: LazyLock<TestKey> = LazyLock::new(|| TestKey::generate("ins_test"));

const NOW: u64 = 1_700_000_000;
const ISSUER: &str = "https://clerk.example.com";
const ORIGIN: &str = "https://app.example.com";

fn claims(sub: &str) -> Value {
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

fn token(sub: &str) -> String {
    KEY.sign(&claims(sub))
}

fn options_for(key: &TestKey) -> VerifyOptions {
    VerifyOptions::with_pem(&key.public_pem)
        .unwrap()
        .fixed_time(NOW)
        .issuer(ISSUER)
        .authorized_parties([ORIGIN])
}

fn options() -> VerifyOptions {
    options_for(&KEY)
}

/// Options whose key set cannot be fetched (nothing listens on port 1).
fn unreachable_jwks_options() -> VerifyOptions {
    VerifyOptions::with_jwks(JwksCache::new(
        "http://127.0.0.1:1/v1",
        "sk_test_unreachable",
        reqwest::Client::new(),
    ))
    .fixed_time(NOW)
}

fn get_req(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

fn bearer(uri: &str, token: &str) -> Request<Body> {
    Request::get(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap()
}

fn cookie(uri: &str, token: &str) -> Request<Body> {
    Request::get(uri)
        .header(header::COOKIE, format!("theme=dark; __session={token}"))
        .body(Body::empty())
        .unwrap()
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        assert_eq!(
            self.headers.get(header::CONTENT_TYPE).unwrap(),
            "application/json",
            "{}",
            self.body
        );
        serde_json::from_str(&self.body).unwrap()
    }

    /// Asserts a 401 with this reason.
    fn assert_signed_out(&self, reason: &str) {
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
}

async fn send(app: Router, req: Request<Body>) -> Reply {
    let response = app.oneshot(req).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    Reply {
        status,
        headers,
        body: String::from_utf8(bytes.to_vec()).unwrap(),
    }
}

// ---------------------------------------------------------------------------
// Handlers
// ---------------------------------------------------------------------------

async fn me(ClerkAuth(claims): ClerkAuth) -> String {
    format!(
        "user {} session {}",
        claims.user_id(),
        claims.session_id().unwrap()
    )
}

async fn maybe(MaybeSignedIn(claims): MaybeSignedIn) -> String {
    match claims {
        Some(claims) => format!("user {}", claims.user_id()),
        None => "anonymous".to_owned(),
    }
}

async fn optional_clerk_auth(auth: Option<ClerkAuth>) -> String {
    match auth {
        Some(auth) => format!("user {}", auth.user_id()),
        None => "anonymous".to_owned(),
    }
}

async fn auth_state(auth: AuthState) -> String {
    match auth {
        AuthState::SignedIn(claims) => format!("user {}", claims.user_id()),
        AuthState::SignedOut(SignedOutReason::NoToken) => "signed out: no token".to_owned(),
        AuthState::SignedOut(SignedOutReason::InvalidToken(e)) => format!("signed out: {e}"),
        AuthState::SignedOut(other) => format!("signed out: {other:?}"),
    }
}

/// Routes using every session extractor, with the options in the state.
fn state_app() -> Router {
    Router::new()
        .route("/me", get(me))
        .route("/maybe", get(maybe))
        .route("/option", get(optional_clerk_auth))
        .route("/state", get(auth_state))
        .with_state(ClerkState::from(options()))
}

/// The same routes, for any state (`()` when the options come from a layer).
fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    ClerkState: FromRef<S>,
{
    Router::new()
        .route("/me", get(me))
        .route("/maybe", get(maybe))
        .route("/option", get(optional_clerk_auth))
        .route("/state", get(auth_state))
}

// ---------------------------------------------------------------------------
// Signed in
// ---------------------------------------------------------------------------

#[tokio::test]
async fn signed_in_with_bearer_token() {
    let reply = send(state_app(), bearer("/me", &token("user_bearer"))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body, "user user_bearer session sess_1");
}

#[tokio::test]
async fn signed_in_with_session_cookie() {
    let reply = send(state_app(), cookie("/me", &token("user_cookie"))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body, "user user_cookie session sess_1");
}

// ---------------------------------------------------------------------------
// Signed out, for each reason
// ---------------------------------------------------------------------------

#[tokio::test]
async fn no_token_is_401_no_token() {
    send(state_app(), get_req("/me"))
        .await
        .assert_signed_out("no_token");
    // An Authorization header of another scheme is not a session token.
    let req = Request::get("/me")
        .header(header::AUTHORIZATION, "Basic dXNlcjpwYXNz")
        .body(Body::empty())
        .unwrap();
    send(state_app(), req).await.assert_signed_out("no_token");
}

#[tokio::test]
async fn expired_token_is_401_token_expired() {
    let expired =
        KEY.sign(&json!({"sub": "user_1", "iss": ISSUER, "exp": NOW - 60, "iat": NOW - 120}));
    let reply = send(state_app(), bearer("/me", &expired)).await;
    reply.assert_signed_out("token_expired");
    assert!(
        reply.json()["message"]
            .as_str()
            .unwrap()
            .contains("expired")
    );
    // The cookie path gives the same answer.
    send(state_app(), cookie("/me", &expired))
        .await
        .assert_signed_out("token_expired");
}

#[tokio::test]
async fn bad_signature_is_401_invalid_signature() {
    let forged = OTHER_KEY.sign(&claims("user_1"));
    send(state_app(), bearer("/me", &forged))
        .await
        .assert_signed_out("invalid_signature");

    // A valid token whose payload was swapped for another one.
    let valid = token("user_1");
    let other = token("user_admin");
    let parts: Vec<&str> = valid.split('.').collect();
    let other_payload = other.split('.').nth(1).unwrap();
    let tampered = format!("{}.{}.{}", parts[0], other_payload, parts[2]);
    send(state_app(), bearer("/me", &tampered))
        .await
        .assert_signed_out("invalid_signature");
}

#[tokio::test]
async fn wrong_azp_is_401_unauthorized_party() {
    let token = KEY.sign(
        &json!({"sub": "user_1", "iss": ISSUER, "exp": NOW + 60, "azp": "https://evil.example"}),
    );
    let reply = send(state_app(), bearer("/me", &token)).await;
    reply.assert_signed_out("unauthorized_party");
}

#[tokio::test]
async fn other_invalid_tokens_name_their_reason() {
    let cases = [
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
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .encode(claims("u").to_string().as_bytes())
            ),
            "unsupported_algorithm",
        ),
    ];
    for (token, reason) in cases {
        send(state_app(), bearer("/me", &token))
            .await
            .assert_signed_out(reason);
    }
}

#[tokio::test]
async fn key_fetch_failure_is_503_not_401() {
    let app = routes().with_state(ClerkState::from(unreachable_jwks_options()));
    for path in ["/me", "/maybe", "/option"] {
        let reply = send(app.clone(), bearer(path, &token("user_1"))).await;
        assert_eq!(
            reply.status,
            StatusCode::SERVICE_UNAVAILABLE,
            "{path}: {}",
            reply.body
        );
        assert_eq!(
            reply.json(),
            json!({"error": "auth_unavailable", "reason": "key_fetch_failed"})
        );
        assert!(reply.headers.get(header::WWW_AUTHENTICATE).is_none());
    }
    // The AuthState extractor hands the failure to the handler.
    let reply = send(app.clone(), bearer("/state", &token("user_1"))).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        reply.body.starts_with("signed out: could not fetch"),
        "{}",
        reply.body
    );
    // No token: still a plain 401, no key needed.
    send(app, get_req("/me"))
        .await
        .assert_signed_out("no_token");
}

#[tokio::test]
async fn missing_configuration_is_500() {
    // No state and no layer.
    let app = routes::<()>();
    for path in ["/me", "/maybe", "/state"] {
        let reply = send(app.clone(), bearer(path, &token("user_1"))).await;
        assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR, "{path}");
        assert_eq!(
            reply.json(),
            json!({"error": "auth_misconfigured", "reason": "not_configured"})
        );
    }
}

// ---------------------------------------------------------------------------
// Optional sign-in
// ---------------------------------------------------------------------------

#[tokio::test]
async fn maybe_signed_in_both_ways() {
    let signed_in = send(state_app(), bearer("/maybe", &token("user_opt"))).await;
    assert_eq!(signed_in.status, StatusCode::OK);
    assert_eq!(signed_in.body, "user user_opt");

    let cookie_in = send(state_app(), cookie("/maybe", &token("user_opt"))).await;
    assert_eq!(cookie_in.body, "user user_opt");

    let anonymous = send(state_app(), get_req("/maybe")).await;
    assert_eq!(anonymous.status, StatusCode::OK);
    assert_eq!(anonymous.body, "anonymous");

    // An expired or forged token is treated as signed out, not rejected.
    let expired = KEY.sign(&json!({"sub": "u", "iss": ISSUER, "exp": NOW - 60}));
    let forged = OTHER_KEY.sign(&claims("user_opt"));
    for token in [expired, forged] {
        let reply = send(state_app(), bearer("/maybe", &token)).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.body, "anonymous");
    }
}

#[tokio::test]
async fn option_of_clerk_auth_both_ways() {
    let reply = send(state_app(), bearer("/option", &token("user_o"))).await;
    assert_eq!(reply.body, "user user_o");
    let reply = send(state_app(), get_req("/option")).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body, "anonymous");
}

#[tokio::test]
async fn auth_state_extractor_never_rejects_a_signed_out_request() {
    let reply = send(state_app(), bearer("/state", &token("user_s"))).await;
    assert_eq!(reply.body, "user user_s");
    let reply = send(state_app(), get_req("/state")).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body, "signed out: no token");
}

// ---------------------------------------------------------------------------
// Where the options come from
// ---------------------------------------------------------------------------

#[tokio::test]
async fn layer_provides_the_auth_state_without_router_state() {
    let app = routes::<()>().layer(ClerkLayer::new(options()));
    let reply = send(app.clone(), bearer("/me", &token("user_layer"))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body, "user user_layer session sess_1");

    // `ClerkLayer::new` does not reject; the extractor does.
    send(app.clone(), get_req("/me"))
        .await
        .assert_signed_out("no_token");
    let expired = KEY.sign(&json!({"sub": "u", "iss": ISSUER, "exp": NOW - 60}));
    send(app.clone(), cookie("/me", &expired))
        .await
        .assert_signed_out("token_expired");
    let reply = send(app.clone(), get_req("/maybe")).await;
    assert_eq!(reply.body, "anonymous");
    let reply = send(app, cookie("/maybe", &token("user_layer"))).await;
    assert_eq!(reply.body, "user user_layer");
}

#[tokio::test]
async fn layer_reports_server_errors_through_the_extractors() {
    let app = routes::<()>().layer(ClerkLayer::new(unreachable_jwks_options()));
    let reply = send(app.clone(), bearer("/me", &token("u"))).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    let reply = send(app, bearer("/maybe", &token("u"))).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn require_auth_layer_rejects_before_the_handler() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let app = Router::new()
        .route(
            "/private",
            get(move |auth: AuthState| {
                counter.fetch_add(1, Ordering::SeqCst);
                async move { format!("user {}", auth.user_id().unwrap()) }
            }),
        )
        .route_layer(ClerkLayer::require_auth(options()));

    let reply = send(app.clone(), bearer("/private", &token("user_req"))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body, "user user_req");
    assert_eq!(calls.load(Ordering::SeqCst), 1);

    send(app.clone(), get_req("/private"))
        .await
        .assert_signed_out("no_token");
    let forged = OTHER_KEY.sign(&claims("user_req"));
    send(app.clone(), cookie("/private", &forged))
        .await
        .assert_signed_out("invalid_signature");
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "handler ran for a rejected request"
    );

    // route_layer: unknown paths are still 404.
    let reply = send(app, get_req("/nowhere")).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn require_auth_layer_answers_503_when_keys_cannot_be_fetched() {
    let app = Router::new()
        .route("/private", get(|| async { "secret" }))
        .layer(ClerkLayer::require_auth(unreachable_jwks_options()));
    let reply = send(app, bearer("/private", &token("u"))).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reply.json()["reason"], "key_fetch_failed");
}

#[tokio::test]
async fn extensions_take_precedence_over_state() {
    // The state's options would reject every token of KEY; the layer's
    // accept them, and the layer's AuthState is what the extractor uses.
    let app = routes()
        .layer(ClerkLayer::new(options()))
        .with_state(ClerkState::from(options_for(&OTHER_KEY)));
    let reply = send(app, bearer("/me", &token("user_ext"))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body, "user user_ext session sess_1");
}

#[tokio::test]
async fn clerk_state_in_an_extension() {
    let app = routes::<()>().layer(axum::Extension(ClerkState::from(options())));
    let reply = send(app.clone(), bearer("/me", &token("user_x"))).await;
    assert_eq!(reply.body, "user user_x session sess_1");
    send(app, get_req("/me"))
        .await
        .assert_signed_out("no_token");
}

#[tokio::test]
async fn verify_options_as_the_router_state() {
    let app = Router::new().route("/me", get(me)).with_state(options());
    let reply = send(app, cookie("/me", &token("user_vo"))).await;
    assert_eq!(reply.body, "user user_vo session sess_1");
}

#[derive(Clone)]
struct AppState {
    clerk: ClerkState,
    greeting: &'static str,
}

impl FromRef<AppState> for ClerkState {
    fn from_ref(state: &AppState) -> Self {
        state.clerk.clone()
    }
}

#[tokio::test]
async fn clerk_state_inside_the_app_state() {
    async fn greet(
        axum::extract::State(state): axum::extract::State<AppState>,
        ClerkAuth(claims): ClerkAuth,
    ) -> String {
        format!("{} {}", state.greeting, claims.user_id())
    }
    let app = Router::new()
        .route("/greet", get(greet))
        .with_state(AppState {
            clerk: ClerkState::new().with_verify_options(options()),
            greeting: "hi",
        });
    let reply = send(app.clone(), bearer("/greet", &token("user_app"))).await;
    assert_eq!(reply.body, "hi user_app");
    send(app, get_req("/greet"))
        .await
        .assert_signed_out("no_token");
}

#[tokio::test]
async fn a_request_is_verified_once() {
    let verifications = Arc::new(AtomicUsize::new(0));
    let counter = verifications.clone();
    // The clock is read once per verification.
    let counted = options().clock(move || {
        counter.fetch_add(1, Ordering::SeqCst);
        NOW
    });
    async fn both(
        ClerkAuth(claims): ClerkAuth,
        MaybeSignedIn(again): MaybeSignedIn,
        state: AuthState,
    ) -> String {
        assert_eq!(Some(&claims), again.as_ref());
        assert!(state.is_signed_in());
        claims.sub
    }

    // Options in the state: the first extractor verifies, the others reuse.
    let app = Router::new()
        .route("/both", get(both))
        .with_state(ClerkState::from(counted.clone()));
    let reply = send(app, bearer("/both", &token("user_once"))).await;
    assert_eq!(reply.body, "user_once");
    assert_eq!(verifications.swap(0, Ordering::SeqCst), 1);

    // A layer: it verifies, the extractors reuse its result.
    let app = Router::new()
        .route("/both", get(both))
        .layer(ClerkLayer::new(counted));
    let reply = send(app, bearer("/both", &token("user_once"))).await;
    assert_eq!(reply.body, "user_once");
    assert_eq!(verifications.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn nested_routers_with_path_parameters() {
    async fn member(
        Path((org_id, member_id)): Path<(String, String)>,
        ClerkAuth(claims): ClerkAuth,
    ) -> String {
        format!("{} looks at {member_id} in {org_id}", claims.user_id())
    }
    async fn public_org(
        Path(org_id): Path<String>,
        MaybeSignedIn(claims): MaybeSignedIn,
    ) -> String {
        format!(
            "{org_id} seen by {}",
            claims.map_or("anonymous".to_owned(), |c| c.sub)
        )
    }

    let orgs = Router::new()
        .route("/members/{member_id}", get(member))
        .route_layer(ClerkLayer::require_auth(options()));
    let app = Router::new()
        .nest("/orgs/{org_id}", orgs)
        .route("/public/{org_id}", get(public_org))
        .nest(
            "/v2",
            Router::new().route("/orgs/{org_id}/members/{member_id}", get(member)),
        )
        .with_state(ClerkState::from(options()));

    let reply = send(
        app.clone(),
        bearer("/orgs/org_42/members/user_7", &token("user_nested")),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body, "user_nested looks at user_7 in org_42");
    send(app.clone(), get_req("/orgs/org_42/members/user_7"))
        .await
        .assert_signed_out("no_token");

    let reply = send(
        app.clone(),
        cookie("/v2/orgs/org_1/members/user_2", &token("user_v2")),
    )
    .await;
    assert_eq!(reply.body, "user_v2 looks at user_2 in org_1");
    send(app.clone(), get_req("/v2/orgs/org_1/members/user_2"))
        .await
        .assert_signed_out("no_token");

    let reply = send(app.clone(), get_req("/public/org_9")).await;
    assert_eq!(reply.body, "org_9 seen by anonymous");
    let reply = send(app.clone(), bearer("/public/org_9", &token("user_p"))).await;
    assert_eq!(reply.body, "org_9 seen by user_p");

    assert_eq!(
        send(app, get_req("/orgs/org_42/nothing")).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn layer_works_as_a_plain_tower_middleware() {
    use tower::{Layer as _, service_fn};

    let inner = service_fn(|req: Request<String>| async move {
        let auth = req.extensions().get::<AuthState>().cloned();
        let text = match auth {
            Some(AuthState::SignedIn(claims)) => format!("{} read {}", claims.sub, req.body()),
            Some(AuthState::SignedOut(reason)) => format!("signed out: {reason:?}"),
            None => "no auth state".to_owned(),
        };
        Ok::<_, Infallible>(http::Response::new(text))
    });

    let service = ClerkLayer::new(options()).layer(inner);
    let req = Request::get("/")
        .header(
            header::AUTHORIZATION,
            format!("Bearer {}", token("user_tower")),
        )
        .body("the body".to_owned())
        .unwrap();
    let response = service.clone().oneshot(req).await.unwrap();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    assert_eq!(&body[..], b"user_tower read the body");

    let response = service
        .oneshot(Request::get("/").body(String::new()).unwrap())
        .await
        .unwrap();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    assert_eq!(&body[..], b"signed out: NoToken");

    let strict = ClerkLayer::require_auth(options()).layer(inner);
    let response = strict
        .oneshot(Request::get("/").body(String::new()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[test]
fn rejection_status_and_reason() {
    let expired = AuthRejection::from(SignedOutReason::InvalidToken(VerifyError::Expired {
        exp: 1,
        now: 2,
    }));
    assert_eq!(expired.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(expired.error(), "signed_out");
    assert_eq!(expired.reason(), "token_expired");

    let fetch = AuthRejection::from(SignedOutReason::InvalidToken(VerifyError::KeyFetch(
        "boom".into(),
    )));
    assert_eq!(fetch.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(fetch.error(), "auth_unavailable");

    let config = AuthRejection::from(SignedOutReason::InvalidToken(VerifyError::InvalidConfig(
        "x".into(),
    )));
    assert_eq!(config.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(config.reason(), "invalid_config");
    assert_eq!(AuthRejection::NotConfigured.error(), "auth_misconfigured");
}

// ---------------------------------------------------------------------------
// Webhooks
// ---------------------------------------------------------------------------

fn webhook_secret() -> String {
    format!(
        "whsec_{}",
        STANDARD.encode(b"clerk-backend axum webhook key!!")
    )
}

fn webhook() -> Webhook {
    Webhook::new(webhook_secret()).unwrap()
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn user_created() -> Vec<u8> {
    serde_json::to_vec(&json!({
        "type": "user.created",
        "object": "event",
        "timestamp": 1_700_000_000_000_i64,
        "instance_id": "ins_1",
        "data": {"id": "user_hook", "object": "user", "first_name": "Ada"},
    }))
    .unwrap()
}

/// A delivery of `body` signed with `signer` at `timestamp`.
fn delivery(signer: &Webhook, timestamp: i64, body: Vec<u8>) -> Request<Body> {
    let id = "msg_test_1";
    Request::post("/webhooks/clerk")
        .header("svix-id", id)
        .header("svix-timestamp", timestamp.to_string())
        .header("svix-signature", signer.sign(id, timestamp, &body))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .unwrap()
}

async fn on_event(ClerkWebhook(event): ClerkWebhook) -> String {
    match event.data {
        EventData::UserCreated(user) => format!("{} {}", event.event_type, user.id),
        other => format!("{} {:?}", event.event_type, other.is_unknown()),
    }
}

fn webhook_app() -> Router {
    Router::new()
        .route("/webhooks/clerk", post(on_event))
        .with_state(ClerkState::from(webhook()))
}

fn assert_invalid_webhook(reply: &Reply, reason: &str) -> Value {
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    let body = reply.json();
    assert_eq!(body["error"], "invalid_webhook");
    assert_eq!(body["reason"], reason);
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    body
}

#[tokio::test]
async fn webhook_accepted() {
    let reply = send(
        webhook_app(),
        delivery(&webhook(), unix_now(), user_created()),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body, "user.created user_hook");

    // Unknown event types are delivered too.
    let body = serde_json::to_vec(&json!({"type": "brand.new", "data": {"x": 1}})).unwrap();
    let reply = send(webhook_app(), delivery(&webhook(), unix_now(), body)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body, "brand.new true");
}

#[tokio::test]
async fn webhook_with_the_webhook_as_state_or_in_an_extension() {
    let app = Router::new()
        .route("/webhooks/clerk", post(on_event))
        .with_state(webhook());
    let reply = send(app, delivery(&webhook(), unix_now(), user_created())).await;
    assert_eq!(reply.body, "user.created user_hook");

    let app = Router::new()
        .route("/webhooks/clerk", post(on_event))
        .layer(axum::Extension(ClerkState::from(webhook())));
    let reply = send(app, delivery(&webhook(), unix_now(), user_created())).await;
    assert_eq!(reply.body, "user.created user_hook");
}

#[tokio::test]
async fn webhook_with_a_bad_signature_is_rejected() {
    let impostor =
        Webhook::new(format!("whsec_{}", STANDARD.encode(b"not the signing key"))).unwrap();
    let reply = send(
        webhook_app(),
        delivery(&impostor, unix_now(), user_created()),
    )
    .await;
    assert_invalid_webhook(&reply, "invalid_signature");

    // Correctly signed, then altered.
    let mut req = delivery(&webhook(), unix_now(), user_created());
    let altered = String::from_utf8(user_created())
        .unwrap()
        .replace("user_hook", "user_evil");
    *req.body_mut() = Body::from(altered);
    let reply = send(webhook_app(), req).await;
    assert_invalid_webhook(&reply, "invalid_signature");
}

#[tokio::test]
async fn webhook_with_a_stale_timestamp_is_rejected() {
    let reply = send(
        webhook_app(),
        delivery(&webhook(), unix_now() - 10 * 60, user_created()),
    )
    .await;
    assert_invalid_webhook(&reply, "timestamp_too_old");

    let reply = send(
        webhook_app(),
        delivery(&webhook(), unix_now() + 10 * 60, user_created()),
    )
    .await;
    assert_invalid_webhook(&reply, "timestamp_too_new");
}

#[tokio::test]
async fn webhook_with_a_missing_header_is_rejected() {
    for missing in ["svix-id", "svix-timestamp", "svix-signature"] {
        let mut req = delivery(&webhook(), unix_now(), user_created());
        req.headers_mut().remove(missing);
        let reply = send(webhook_app(), req).await;
        let body = assert_invalid_webhook(&reply, "missing_header");
        assert_eq!(body["header"], missing);
    }
}

#[tokio::test]
async fn webhook_that_is_signed_but_not_an_event_is_rejected() {
    let reply = send(
        webhook_app(),
        delivery(&webhook(), unix_now(), b"[1, 2, 3]".to_vec()),
    )
    .await;
    assert_invalid_webhook(&reply, "invalid_payload");
}

#[tokio::test]
async fn webhook_body_limit_is_respected() {
    let app = Router::new()
        .route("/webhooks/clerk", post(on_event))
        .layer(DefaultBodyLimit::max(64))
        .with_state(ClerkState::from(webhook()));
    let reply = send(app, delivery(&webhook(), unix_now(), user_created())).await;
    assert_eq!(
        reply.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        reply.body
    );
    let body = reply.json();
    assert_eq!(body["error"], "invalid_webhook");
    assert_eq!(body["reason"], "body_too_large");
}

#[tokio::test]
async fn webhook_without_configuration_is_500() {
    // Session options only: no webhook.
    let app = Router::new()
        .route("/webhooks/clerk", post(on_event))
        .with_state(ClerkState::from(options()));
    let reply = send(app, delivery(&webhook(), unix_now(), user_created())).await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        reply.json(),
        json!({"error": "webhook_misconfigured", "reason": "not_configured"})
    );
}

#[test]
fn webhook_rejection_reasons() {
    let rejection =
        WebhookRejection::Invalid(clerk_backend::webhooks::WebhookError::TimestampTooOld);
    assert_eq!(rejection.status(), StatusCode::BAD_REQUEST);
    assert_eq!(rejection.reason(), "timestamp_too_old");
    assert_eq!(
        WebhookRejection::NotConfigured.status(),
        StatusCode::INTERNAL_SERVER_ERROR
    );
}
