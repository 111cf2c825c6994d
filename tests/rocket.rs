//! The Rocket integration (`--features rocket`): request guards, the data
//! guard for webhooks and the fairing, driven through real Rocket
//! instances with Rocket's local client. The shared table
//! (`fixtures::shared_cases`) is the one tests/axum.rs, tests/actix.rs and
//! tests/poem.rs pass; the tests after it are Rocket's own idiom (managed
//! state, fairings, launch checks).

use std::sync::atomic::{AtomicUsize, Ordering};

use clerk_backend::auth::{AuthState, SignedOutReason};
use clerk_backend::rocket::{
    AuthRejection, ClerkAuth, ClerkConfig, ClerkFairing, ClerkWebhook, MaybeSignedIn,
};
use http::StatusCode;
use rocket::error::ErrorKind;
use rocket::http::{Header, Method};
use rocket::local::asynchronous::{Client, LocalRequest};
use rocket::{Build, Rocket, get, post, routes};
use serde_json::json;

#[path = "support/fixtures.rs"]
mod fixtures;
#[path = "support/test_key.rs"]
mod test_key;
use fixtures::*;

// ---------------------------------------------------------------------------
// Routes and requests
// ---------------------------------------------------------------------------

// The shared handlers, as Rocket routes.

#[get("/me")]
async fn me_route(auth: ClerkAuth) -> String {
    me(auth).await
}

#[get("/maybe")]
async fn maybe_route(user: MaybeSignedIn) -> String {
    maybe(user).await
}

#[get("/option")]
async fn option_route(auth: Option<ClerkAuth>) -> String {
    optional_clerk_auth(auth).await
}

#[get("/state")]
async fn state_route(auth: AuthState) -> String {
    auth_state(auth).await
}

#[post("/webhooks/clerk", data = "<event>")]
async fn webhook_route(event: ClerkWebhook) -> String {
    on_event(event).await
}

/// A quiet Rocket with the shared routes, to configure further.
fn base() -> Rocket<Build> {
    let figment = rocket::Config::figment().merge(("log_level", "off"));
    rocket::custom(figment).mount(
        "/",
        routes![
            me_route,
            maybe_route,
            option_route,
            state_route,
            webhook_route
        ],
    )
}

async fn launch(rocket: Rocket<Build>) -> Client {
    Client::untracked(rocket).await.expect("a valid rocket")
}

fn get_req<'c>(client: &'c Client, path: &'static str) -> LocalRequest<'c> {
    client.get(path)
}

fn bearer<'c>(client: &'c Client, path: &'static str, token: &str) -> LocalRequest<'c> {
    client
        .get(path)
        .header(Header::new("authorization", format!("Bearer {token}")))
}

async fn send(req: LocalRequest<'_>) -> Reply {
    let response = req.dispatch().await;
    let status = StatusCode::from_u16(response.status().code).unwrap();
    let mut headers = http::HeaderMap::new();
    for header in response.headers().iter() {
        headers.append(
            http::HeaderName::from_bytes(header.name().as_str().as_bytes()).unwrap(),
            http::HeaderValue::from_str(header.value()).unwrap(),
        );
    }
    let body = response.into_string().await.unwrap_or_default();
    Reply {
        status,
        headers,
        body,
    }
}

// ---------------------------------------------------------------------------
// The table every integration passes (tests/support/fixtures.rs)
// ---------------------------------------------------------------------------

#[rocket::async_test]
async fn the_shared_cases() {
    let cases = shared_cases();
    for app in App::ALL {
        let options = app.options();
        // The shared routes, configured through the managed state.
        let client = launch(
            base()
                .manage(options)
                .manage(webhook())
                .attach(ClerkFairing::managed()),
        )
        .await;
        for case in cases.iter().filter(|case| case.app == app) {
            let method: Method = case.request.method.as_str().parse().unwrap();
            let mut req = client.req(method, case.request.path);
            for (name, value) in &case.request.headers {
                req.add_header(Header::new(*name, value.clone()));
            }
            case.check(&send(req.body(&case.request.body)).await);
        }
    }
}

// ---------------------------------------------------------------------------
// Where the configuration comes from
// ---------------------------------------------------------------------------

#[rocket::async_test]
async fn a_managed_clerk_config() {
    let config = ClerkConfig::from(options()).with_webhook(webhook());
    let client = launch(base().manage(config).attach(ClerkFairing::managed())).await;
    let reply = send(bearer(&client, "/me", &token("user_cfg"))).await;
    assert_eq!(reply.body, "user user_cfg session sess_1");
    send(get_req(&client, "/me"))
        .await
        .assert_signed_out("no_token");
}

#[rocket::async_test]
async fn the_fairing_verifies_for_the_guards() {
    // The managed options would reject every token of KEY; the fairing's
    // accept them, and its AuthState is what the guards use.
    let client = launch(
        base()
            .manage(options_for(&OTHER_KEY))
            .attach(ClerkFairing::new(options())),
    )
    .await;
    let reply = send(bearer(&client, "/me", &token("user_f"))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body, "user user_f session sess_1");

    // `ClerkFairing::new` does not reject; the guard does, with the JSON
    // answer.
    send(get_req(&client, "/me"))
        .await
        .assert_signed_out("no_token");
    let reply = send(get_req(&client, "/maybe")).await;
    assert_eq!(reply.body, "anonymous");
}

static PRIVATE_CALLS: AtomicUsize = AtomicUsize::new(0);

#[get("/private")]
fn private(auth: AuthState) -> String {
    PRIVATE_CALLS.fetch_add(1, Ordering::SeqCst);
    format!("user {}", auth.user_id().unwrap_or("?"))
}

#[rocket::async_test]
async fn require_auth_fairing_answers_before_the_route() {
    let client = launch(
        base()
            .mount("/", routes![private])
            .attach(ClerkFairing::require_auth(options())),
    )
    .await;
    let reply = send(bearer(&client, "/private", &token("user_req"))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body, "user user_req");
    assert_eq!(PRIVATE_CALLS.load(Ordering::SeqCst), 1);

    send(get_req(&client, "/private"))
        .await
        .assert_signed_out("no_token");
    let forged = OTHER_KEY.sign(&claims("user_req"));
    send(bearer(&client, "/private", &forged))
        .await
        .assert_signed_out("invalid_signature");
    // A POST is answered the same way (the fairing reroutes any method).
    send(client.post("/private"))
        .await
        .assert_signed_out("no_token");
    assert_eq!(
        PRIVATE_CALLS.load(Ordering::SeqCst),
        1,
        "the route ran for a rejected request"
    );
    // The answer route is not reachable from outside.
    let reply = send(bearer(&client, "/__clerk_backend/answer", &token("u"))).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
}

#[rocket::async_test]
async fn require_auth_fairing_answers_503_when_keys_cannot_be_fetched() {
    let client = launch(
        base()
            .mount("/", routes![private])
            .attach(ClerkFairing::require_auth(unreachable_jwks_options())),
    )
    .await;
    let reply = send(bearer(&client, "/private", &token("u"))).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reply.json()["reason"], "key_fetch_failed");
}

#[rocket::async_test]
async fn missing_configuration_is_refused_at_launch_or_500() {
    // With the fairing: refused at ignition (the fairing logs why).
    let error = base()
        .attach(ClerkFairing::managed())
        .ignite()
        .await
        .unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::FailedFairings(failed) if failed[0].name == "Clerk"),
        "{error:?}"
    );

    // Without it: each guard answers 500 (Rocket's catcher writes the body).
    let client = launch(base()).await;
    for path in ["/me", "/maybe", "/state"] {
        let reply = send(bearer(&client, path, &token("user_1"))).await;
        assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR, "{path}");
    }

    // Session options only, with the fairing: the webhook guard's JSON 500.
    let client = launch(base().manage(options()).attach(ClerkFairing::managed())).await;
    let body = user_created();
    let mut req = client.post("/webhooks/clerk").body(&body);
    for (name, value) in delivery_headers(&webhook(), unix_now(), &body) {
        req.add_header(Header::new(name, value));
    }
    let reply = send(req).await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        reply.json(),
        json!({"error": "webhook_misconfigured", "reason": "not_configured"})
    );
}

#[rocket::async_test]
async fn option_of_clerk_auth_is_none_when_signed_out() {
    let client = launch(base().manage(options()).attach(ClerkFairing::managed())).await;
    let reply = send(bearer(&client, "/option", &token("user_o"))).await;
    assert_eq!(reply.body, "user user_o");
    let reply = send(get_req(&client, "/option")).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body, "anonymous");
}

#[get("/both")]
fn both(auth: ClerkAuth, again: MaybeSignedIn, state: AuthState) -> String {
    assert_eq!(Some(&auth.0), again.0.as_ref());
    assert!(state.is_signed_in());
    auth.0.sub
}

#[rocket::async_test]
async fn a_request_is_verified_once() {
    static VERIFICATIONS: AtomicUsize = AtomicUsize::new(0);
    // The clock is read once per verification.
    let counted = options().clock(|| {
        VERIFICATIONS.fetch_add(1, Ordering::SeqCst);
        NOW
    });

    // Managed options: the first guard verifies, the others reuse.
    let client = launch(base().manage(counted.clone()).mount("/", routes![both])).await;
    let reply = send(bearer(&client, "/both", &token("user_once"))).await;
    assert_eq!(reply.body, "user_once");
    assert_eq!(VERIFICATIONS.swap(0, Ordering::SeqCst), 1);

    // A fairing: it verifies, the guards reuse its result.
    let client = launch(
        base()
            .attach(ClerkFairing::new(counted))
            .mount("/", routes![both]),
    )
    .await;
    let reply = send(bearer(&client, "/both", &token("user_once"))).await;
    assert_eq!(reply.body, "user_once");
    assert_eq!(VERIFICATIONS.load(Ordering::SeqCst), 1);
}

#[get("/strict")]
fn strict(auth: AuthState) -> Result<String, AuthRejection> {
    let claims = auth
        .into_claims()
        .ok_or(AuthRejection::SignedOut(SignedOutReason::NoToken))?;
    Ok(claims.sub)
}

#[rocket::async_test]
async fn rejections_are_responders() {
    // No fairing: the handler answers with the rejection itself.
    let client = launch(base().manage(options()).mount("/", routes![strict])).await;
    let reply = send(bearer(&client, "/strict", &token("user_q"))).await;
    assert_eq!(reply.body, "user_q");
    send(get_req(&client, "/strict"))
        .await
        .assert_signed_out("no_token");
}
