//! The Poem integration (`--features poem`): extractors, the middleware and
//! the webhook extractor, driven through real endpoints with
//! `Endpoint::get_response`. The shared table (`fixtures::shared_cases`) is
//! the one tests/axum.rs, tests/actix.rs and tests/rocket.rs pass; the
//! tests after it are Poem's own idiom (data, middleware).

use std::sync::atomic::{AtomicUsize, Ordering};

use clerk_backend::auth::AuthState;
use clerk_backend::poem::{
    ClerkAuth, ClerkConfig, ClerkMiddleware, ClerkWebhook, MaybeSignedIn, WebhookBodyLimit,
};
use http::StatusCode;
use poem::{Endpoint, EndpointExt, Request, Route, get, handler, post};
use serde_json::json;

#[path = "support/fixtures.rs"]
mod fixtures;
#[path = "support/test_key.rs"]
mod test_key;
use fixtures::*;

// ---------------------------------------------------------------------------
// Routes and requests
// ---------------------------------------------------------------------------

// The shared handlers, as Poem endpoints.

#[handler]
async fn me_ep(auth: ClerkAuth) -> String {
    me(auth).await
}

#[handler]
async fn maybe_ep(user: MaybeSignedIn) -> String {
    maybe(user).await
}

#[handler]
async fn option_ep(auth: Option<ClerkAuth>) -> String {
    optional_clerk_auth(auth).await
}

#[handler]
async fn state_ep(auth: AuthState) -> String {
    auth_state(auth).await
}

#[handler]
async fn webhook_ep(event: ClerkWebhook) -> String {
    on_event(event).await
}

/// The shared routes, to configure further.
fn routes() -> Route {
    Route::new()
        .at("/me", get(me_ep))
        .at("/maybe", get(maybe_ep))
        .at("/option", get(option_ep))
        .at("/state", get(state_ep))
        .at("/webhooks/clerk", post(webhook_ep))
}

fn get_req(path: &str) -> Request {
    Request::builder().uri_str(path).finish()
}

fn bearer(path: &str, token: &str) -> Request {
    Request::builder()
        .uri_str(path)
        .header("authorization", format!("Bearer {token}"))
        .finish()
}

async fn send(endpoint: &impl Endpoint, req: Request) -> Reply {
    let response = endpoint.get_response(req).await;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().into_string().await.unwrap();
    Reply {
        status,
        headers,
        body,
    }
}

// ---------------------------------------------------------------------------
// The table every integration passes (tests/support/fixtures.rs)
// ---------------------------------------------------------------------------

#[tokio::test]
async fn the_shared_cases() {
    let cases = shared_cases();
    for app in App::ALL {
        let options = app.options();
        // The shared routes, configured through the endpoint's data.
        let endpoint = routes().data(options).data(webhook());
        for case in cases.iter().filter(|case| case.app == app) {
            let mut req = Request::builder()
                .method(case.request.method.clone())
                .uri_str(case.request.path);
            for (name, value) in &case.request.headers {
                req = req.header(*name, value);
            }
            let req = req.body(case.request.body.clone());
            case.check(&send(&endpoint, req).await);
        }
    }
}

// ---------------------------------------------------------------------------
// Where the configuration comes from
// ---------------------------------------------------------------------------

#[tokio::test]
async fn a_clerk_config_as_data() {
    let endpoint = routes().data(ClerkConfig::from(options()).with_webhook(webhook()));
    let reply = send(&endpoint, bearer("/me", &token("user_cfg"))).await;
    assert_eq!(reply.body, "user user_cfg session sess_1");
    send(&endpoint, get_req("/me"))
        .await
        .assert_signed_out("no_token");
}

#[tokio::test]
async fn the_middleware_verifies_for_the_extractors() {
    // The data's options would reject every token of KEY; the middleware's
    // accept them, and its AuthState is what the extractors use.
    let endpoint = routes()
        .with(ClerkMiddleware::new(options()))
        .data(options_for(&OTHER_KEY));
    let reply = send(&endpoint, bearer("/me", &token("user_mw"))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body, "user user_mw session sess_1");

    // `ClerkMiddleware::new` does not reject; the extractor does.
    send(&endpoint, get_req("/me"))
        .await
        .assert_signed_out("no_token");
    let reply = send(&endpoint, get_req("/maybe")).await;
    assert_eq!(reply.body, "anonymous");
}

static PRIVATE_CALLS: AtomicUsize = AtomicUsize::new(0);

#[handler]
fn private(auth: AuthState) -> String {
    PRIVATE_CALLS.fetch_add(1, Ordering::SeqCst);
    format!("user {}", auth.user_id().unwrap_or("?"))
}

#[tokio::test]
async fn require_auth_middleware_answers_before_the_endpoint() {
    let endpoint = Route::new()
        .nest(
            "/api",
            Route::new()
                .at("/private", get(private))
                .with(ClerkMiddleware::require_auth(options())),
        )
        .at("/public", get(maybe_ep))
        .data(options());

    let reply = send(&endpoint, bearer("/api/private", &token("user_req"))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body, "user user_req");
    assert_eq!(PRIVATE_CALLS.load(Ordering::SeqCst), 1);

    send(&endpoint, get_req("/api/private"))
        .await
        .assert_signed_out("no_token");
    let forged = OTHER_KEY.sign(&claims("user_req"));
    send(&endpoint, bearer("/api/private", &forged))
        .await
        .assert_signed_out("invalid_signature");
    assert_eq!(
        PRIVATE_CALLS.load(Ordering::SeqCst),
        1,
        "the endpoint ran for a rejected request"
    );
    // Outside the nested route, signing in stays optional.
    let reply = send(&endpoint, get_req("/public")).await;
    assert_eq!(reply.body, "anonymous");
}

#[tokio::test]
async fn require_auth_middleware_answers_503_when_keys_cannot_be_fetched() {
    let endpoint = Route::new()
        .at("/private", get(private))
        .with(ClerkMiddleware::require_auth(unreachable_jwks_options()));
    let reply = send(&endpoint, bearer("/private", &token("u"))).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reply.json()["reason"], "key_fetch_failed");
}

#[tokio::test]
async fn missing_configuration_is_500() {
    let endpoint = routes();
    for path in ["/me", "/maybe", "/state"] {
        let reply = send(&endpoint, bearer(path, &token("user_1"))).await;
        assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR, "{path}");
        assert_eq!(
            reply.json(),
            json!({"error": "auth_misconfigured", "reason": "not_configured"})
        );
    }
    // Session options only: no webhook.
    let endpoint = routes().data(options());
    let body = user_created();
    let mut req = Request::builder()
        .method(http::Method::POST)
        .uri_str("/webhooks/clerk");
    for (name, value) in delivery_headers(&webhook(), unix_now(), &body) {
        req = req.header(name, value);
    }
    let reply = send(&endpoint, req.body(body)).await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        reply.json(),
        json!({"error": "webhook_misconfigured", "reason": "not_configured"})
    );
}

#[tokio::test]
async fn webhook_body_limit_from_the_data() {
    let endpoint = routes().data(webhook()).data(WebhookBodyLimit(64));
    let body = user_created();
    let mut req = Request::builder()
        .method(http::Method::POST)
        .uri_str("/webhooks/clerk");
    for (name, value) in delivery_headers(&webhook(), unix_now(), &body) {
        req = req.header(name, value);
    }
    let reply = send(&endpoint, req.body(body)).await;
    assert_eq!(
        reply.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        reply.body
    );
    assert_eq!(reply.json()["reason"], "body_too_large");
}

#[tokio::test]
async fn option_of_clerk_auth_is_none_when_signed_out() {
    let endpoint = routes().data(options());
    let reply = send(&endpoint, bearer("/option", &token("user_o"))).await;
    assert_eq!(reply.body, "user user_o");
    let reply = send(&endpoint, get_req("/option")).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body, "anonymous");
}

#[tokio::test]
async fn the_middleware_verifies_a_request_once() {
    static VERIFICATIONS: AtomicUsize = AtomicUsize::new(0);
    // The clock is read once per verification.
    let counted = options().clock(|| {
        VERIFICATIONS.fetch_add(1, Ordering::SeqCst);
        NOW
    });
    #[handler]
    fn both(auth: ClerkAuth, again: MaybeSignedIn, state: AuthState) -> String {
        assert_eq!(Some(&auth.0), again.0.as_ref());
        assert!(state.is_signed_in());
        auth.0.sub
    }
    let endpoint = Route::new()
        .at("/both", get(both))
        .with(ClerkMiddleware::new(counted));
    let reply = send(&endpoint, bearer("/both", &token("user_once"))).await;
    assert_eq!(reply.body, "user_once");
    assert_eq!(VERIFICATIONS.load(Ordering::SeqCst), 1);
}
