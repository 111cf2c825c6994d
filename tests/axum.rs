//! The axum integration (`--features axum`): extractors, the tower layer and
//! the webhook extractor, driven through real routers with
//! `tower::ServiceExt::oneshot`. Tokens are signed with RSA keys made here.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, FromRef, Path};
use axum::http::{Request, StatusCode, header};
use axum::routing::{get, post};
use clerk_backend::auth::{AuthState, SignedOutReason, VerifyError};
use clerk_backend::axum::{
    AuthRejection, ClerkAuth, ClerkConfig, ClerkLayer, ClerkWebhook, MaybeSignedIn,
    WebhookRejection,
};
use clerk_backend::webhooks::Webhook;
use serde_json::json;
use tower::ServiceExt as _;

#[path = "support/fixtures.rs"]
mod fixtures;
#[path = "support/test_key.rs"]
mod test_key;
use fixtures::*;

// ---------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------

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

/// Routes using every session extractor, with the options in the state.
fn state_app() -> Router {
    Router::new()
        .route("/me", get(me))
        .route("/maybe", get(maybe))
        .route("/option", get(optional_clerk_auth))
        .route("/state", get(auth_state))
        .with_state(ClerkConfig::from(options()))
}

/// The same routes, for any state (`()` when the options come from a layer).
fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    ClerkConfig: FromRef<S>,
{
    Router::new()
        .route("/me", get(me))
        .route("/maybe", get(maybe))
        .route("/option", get(optional_clerk_auth))
        .route("/state", get(auth_state))
}

// ---------------------------------------------------------------------------
// The table every integration passes (tests/support/fixtures.rs)
// ---------------------------------------------------------------------------

/// The shared routes, configured through the router state.
fn shared_app(app: fixtures::App) -> Router {
    routes()
        .route("/webhooks/clerk", post(on_event))
        .with_state(ClerkConfig::from(app.options()).with_webhook(webhook()))
}

fn case_request(case: &CaseRequest) -> Request<Body> {
    let mut req = Request::builder()
        .method(case.method.clone())
        .uri(case.path);
    for (name, value) in &case.headers {
        req = req.header(*name, value);
    }
    req.body(Body::from(case.body.clone())).unwrap()
}

#[tokio::test]
async fn the_shared_cases() {
    for case in shared_cases() {
        let reply = send(shared_app(case.app), case_request(&case.request)).await;
        case.check(&reply);
    }
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

#[tokio::test]
async fn signed_in_with_a_percent_encoded_session_cookie() {
    let reply = send(
        state_app(),
        cookie("/me", &percent_encoded_token("user_cookie")),
    )
    .await;
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
    let expired = expired_token();
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
    send(state_app(), bearer("/me", &tampered_token()))
        .await
        .assert_signed_out("invalid_signature");
}

#[tokio::test]
async fn wrong_azp_is_401_unauthorized_party() {
    let reply = send(state_app(), bearer("/me", &wrong_azp_token())).await;
    reply.assert_signed_out("unauthorized_party");
}

#[tokio::test]
async fn other_invalid_tokens_name_their_reason() {
    let cases = other_invalid_tokens();
    for (token, reason) in cases {
        send(state_app(), bearer("/me", &token))
            .await
            .assert_signed_out(reason);
    }
}

#[tokio::test]
async fn key_fetch_failure_is_503_not_401() {
    let app = routes().with_state(ClerkConfig::from(unreachable_jwks_options()));
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
        .with_state(ClerkConfig::from(options_for(&OTHER_KEY)));
    let reply = send(app, bearer("/me", &token("user_ext"))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body, "user user_ext session sess_1");
}

#[tokio::test]
async fn clerk_config_in_an_extension() {
    let app = routes::<()>().layer(axum::Extension(ClerkConfig::from(options())));
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

#[tokio::test]
#[allow(deprecated)]
async fn the_earlier_name_clerk_state_still_works() {
    use clerk_backend::axum::ClerkState;
    let app = routes().with_state(ClerkState::from(options()));
    let reply = send(app, cookie("/me", &token("user_old"))).await;
    assert_eq!(reply.body, "user user_old session sess_1");
}

#[derive(Clone)]
struct AppState {
    clerk: ClerkConfig,
    greeting: &'static str,
}

impl FromRef<AppState> for ClerkConfig {
    fn from_ref(state: &AppState) -> Self {
        state.clerk.clone()
    }
}

#[tokio::test]
async fn clerk_config_inside_the_app_state() {
    async fn greet(
        axum::extract::State(state): axum::extract::State<AppState>,
        ClerkAuth(claims): ClerkAuth,
    ) -> String {
        format!("{} {}", state.greeting, claims.user_id())
    }
    let app = Router::new()
        .route("/greet", get(greet))
        .with_state(AppState {
            clerk: ClerkConfig::new().with_verify_options(options()),
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
        .with_state(ClerkConfig::from(counted.clone()));
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
        .with_state(ClerkConfig::from(options()));

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
            Some(AuthState::Machine(machine)) => format!("machine {}", machine.subject()),
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

/// A delivery of `body` signed with `signer` at `timestamp`.
fn delivery(signer: &Webhook, timestamp: i64, body: Vec<u8>) -> Request<Body> {
    let mut req = Request::post("/webhooks/clerk").header(header::CONTENT_TYPE, "application/json");
    for (name, value) in delivery_headers(signer, timestamp, &body) {
        req = req.header(name, value);
    }
    req.body(Body::from(body)).unwrap()
}

fn webhook_app() -> Router {
    Router::new()
        .route("/webhooks/clerk", post(on_event))
        .with_state(ClerkConfig::from(webhook()))
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
        .layer(axum::Extension(ClerkConfig::from(webhook())));
    let reply = send(app, delivery(&webhook(), unix_now(), user_created())).await;
    assert_eq!(reply.body, "user.created user_hook");
}

#[tokio::test]
async fn webhook_with_a_bad_signature_is_rejected() {
    let reply = send(
        webhook_app(),
        delivery(&impostor(), unix_now(), user_created()),
    )
    .await;
    reply.assert_invalid_webhook("invalid_signature");

    // Correctly signed, then altered.
    let mut req = delivery(&webhook(), unix_now(), user_created());
    *req.body_mut() = Body::from(altered_user_created());
    let reply = send(webhook_app(), req).await;
    reply.assert_invalid_webhook("invalid_signature");
}

#[tokio::test]
async fn webhook_with_a_stale_timestamp_is_rejected() {
    let reply = send(
        webhook_app(),
        delivery(&webhook(), unix_now() - 10 * 60, user_created()),
    )
    .await;
    reply.assert_invalid_webhook("timestamp_too_old");

    let reply = send(
        webhook_app(),
        delivery(&webhook(), unix_now() + 10 * 60, user_created()),
    )
    .await;
    reply.assert_invalid_webhook("timestamp_too_new");
}

#[tokio::test]
async fn webhook_with_a_missing_header_is_rejected() {
    for missing in ["svix-id", "svix-timestamp", "svix-signature"] {
        let mut req = delivery(&webhook(), unix_now(), user_created());
        req.headers_mut().remove(missing);
        let reply = send(webhook_app(), req).await;
        let body = reply.assert_invalid_webhook("missing_header");
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
    reply.assert_invalid_webhook("invalid_payload");
}

#[tokio::test]
async fn webhook_body_limit_is_respected() {
    let app = Router::new()
        .route("/webhooks/clerk", post(on_event))
        .layer(DefaultBodyLimit::max(64))
        .with_state(ClerkConfig::from(webhook()));
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
        .with_state(ClerkConfig::from(options()));
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
