//! The actix-web integration (`--features actix`): extractors, the
//! middleware and the webhook extractor, driven through real apps with
//! `actix_web::test`. The cases follow `tests/axum.rs`: both integrations
//! must answer alike. Tokens are signed with RSA keys made here.

use std::sync::atomic::{AtomicUsize, Ordering};

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::header;
use actix_web::test::{self, TestRequest};
use actix_web::{App, HttpMessage, HttpRequest, HttpResponse, web};
use clerk_backend::actix::{ClerkAuth, ClerkMiddleware, ClerkWebhook, MaybeSignedIn};
use clerk_backend::auth::{AuthState, SignedOutReason};
use clerk_backend::webhooks::Webhook;
use http::StatusCode;
use serde_json::json;

#[path = "support/fixtures.rs"]
mod fixtures;
#[path = "support/test_key.rs"]
mod test_key;
use fixtures::*;

// ---------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------

fn get_req(uri: &str) -> TestRequest {
    TestRequest::get().uri(uri)
}

fn bearer(uri: &str, token: &str) -> TestRequest {
    get_req(uri).insert_header((header::AUTHORIZATION, format!("Bearer {token}")))
}

fn cookie(uri: &str, token: &str) -> TestRequest {
    get_req(uri).insert_header((header::COOKIE, format!("theme=dark; __session={token}")))
}

/// Sends `req` (a `TestRequest::to_request()`) to `app`.
async fn send<S, R, B>(app: &S, req: R) -> Reply
where
    S: Service<R, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let response = test::call_service(app, req).await;
    // actix-web 4 is built on `http` 0.2; the shared assertions use `http` 1.
    let status = StatusCode::from_u16(response.status().as_u16()).unwrap();
    let mut headers = http::HeaderMap::new();
    for (name, value) in response.headers() {
        headers.append(
            http::HeaderName::from_bytes(name.as_str().as_bytes()).unwrap(),
            http::HeaderValue::from_bytes(value.as_bytes()).unwrap(),
        );
    }
    let bytes = test::read_body(response).await;
    Reply {
        status,
        headers,
        body: String::from_utf8(bytes.to_vec()).unwrap(),
    }
}

/// Routes using every session extractor.
fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/me", web::get().to(me))
        .route("/maybe", web::get().to(maybe))
        .route("/option", web::get().to(optional_clerk_auth))
        .route("/state", web::get().to(auth_state));
}

/// The routes, with the options in the app data.
macro_rules! state_app {
    () => {
        test::init_service(
            App::new()
                .app_data(web::Data::new(options()))
                .configure(routes),
        )
        .await
    };
}

// ---------------------------------------------------------------------------
// The table every integration passes (tests/support/fixtures.rs)
// ---------------------------------------------------------------------------

#[actix_web::test]
async fn the_shared_cases() {
    let cases = shared_cases();
    for app in fixtures::App::ALL {
        let options = app.options();
        // The shared routes, configured through the app data.
        let service = test::init_service(
            App::new()
                .app_data(web::Data::new(options))
                .app_data(web::Data::new(webhook()))
                .configure(routes)
                .route("/webhooks/clerk", web::post().to(on_event)),
        )
        .await;
        for case in cases.iter().filter(|case| case.app == app) {
            let method = case.request.method.as_str().as_bytes();
            let mut req = TestRequest::default()
                .method(actix_web::http::Method::from_bytes(method).unwrap())
                .uri(case.request.path);
            for (name, value) in &case.request.headers {
                req = req.insert_header((*name, value.as_str()));
            }
            let req = req.set_payload(case.request.body.clone()).to_request();
            case.check(&send(&service, req).await);
        }
    }
}

// ---------------------------------------------------------------------------
// Signed in
// ---------------------------------------------------------------------------

#[actix_web::test]
async fn signed_in_with_bearer_token() {
    let app = state_app!();
    let reply = send(&app, bearer("/me", &token("user_bearer")).to_request()).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body, "user user_bearer session sess_1");
}

#[actix_web::test]
async fn signed_in_with_session_cookie() {
    let app = state_app!();
    let reply = send(&app, cookie("/me", &token("user_cookie")).to_request()).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body, "user user_cookie session sess_1");
}

#[actix_web::test]
async fn signed_in_with_a_percent_encoded_session_cookie() {
    let app = state_app!();
    let reply = send(
        &app,
        cookie("/me", &percent_encoded_token("user_cookie")).to_request(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body, "user user_cookie session sess_1");
}

// ---------------------------------------------------------------------------
// Signed out, for each reason
// ---------------------------------------------------------------------------

#[actix_web::test]
async fn no_token_is_401_no_token() {
    let app = state_app!();
    send(&app, get_req("/me").to_request())
        .await
        .assert_signed_out("no_token");
    // An Authorization header of another scheme is not a session token.
    let req = get_req("/me").insert_header((header::AUTHORIZATION, "Basic dXNlcjpwYXNz"));
    send(&app, req.to_request())
        .await
        .assert_signed_out("no_token");
}

#[actix_web::test]
async fn expired_token_is_401_token_expired() {
    let app = state_app!();
    let expired = expired_token();
    let reply = send(&app, bearer("/me", &expired).to_request()).await;
    reply.assert_signed_out("token_expired");
    assert!(
        reply.json()["message"]
            .as_str()
            .unwrap()
            .contains("expired")
    );
    // The cookie path gives the same answer.
    send(&app, cookie("/me", &expired).to_request())
        .await
        .assert_signed_out("token_expired");
}

#[actix_web::test]
async fn bad_signature_is_401_invalid_signature() {
    let app = state_app!();
    let forged = OTHER_KEY.sign(&claims("user_1"));
    send(&app, bearer("/me", &forged).to_request())
        .await
        .assert_signed_out("invalid_signature");

    // A valid token whose payload was swapped for another one.
    send(&app, bearer("/me", &tampered_token()).to_request())
        .await
        .assert_signed_out("invalid_signature");
}

#[actix_web::test]
async fn wrong_azp_is_401_unauthorized_party() {
    let app = state_app!();
    let token = wrong_azp_token();
    send(&app, bearer("/me", &token).to_request())
        .await
        .assert_signed_out("unauthorized_party");
    // The cookie path checks it too.
    send(&app, cookie("/me", &token).to_request())
        .await
        .assert_signed_out("unauthorized_party");
}

#[actix_web::test]
async fn other_invalid_tokens_name_their_reason() {
    let app = state_app!();
    let cases = other_invalid_tokens();
    for (token, reason) in cases {
        send(&app, bearer("/me", &token).to_request())
            .await
            .assert_signed_out(reason);
    }
}

#[actix_web::test]
async fn key_fetch_failure_is_503_not_401() {
    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(unreachable_jwks_options()))
            .configure(routes),
    )
    .await;
    for path in ["/me", "/maybe"] {
        let reply = send(&app, bearer(path, &token("user_1")).to_request()).await;
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
        assert!(reply.headers.get(http::header::WWW_AUTHENTICATE).is_none());
    }
    // actix-web's own `Option<T>` extractor turns every error into `None`
    // (documented on the module): an outage looks signed out there.
    let reply = send(&app, bearer("/option", &token("user_1")).to_request()).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body, "anonymous");
    // The AuthState extractor hands the failure to the handler.
    let reply = send(&app, bearer("/state", &token("user_1")).to_request()).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        reply.body.starts_with("signed out: could not fetch"),
        "{}",
        reply.body
    );
    // No token: still a plain 401, no key needed.
    send(&app, get_req("/me").to_request())
        .await
        .assert_signed_out("no_token");
}

#[actix_web::test]
async fn missing_configuration_is_500() {
    // No app data and no middleware.
    let app = test::init_service(App::new().configure(routes)).await;
    for path in ["/me", "/maybe", "/state"] {
        let reply = send(&app, bearer(path, &token("user_1")).to_request()).await;
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

#[actix_web::test]
async fn maybe_signed_in_both_ways() {
    let app = state_app!();
    let signed_in = send(&app, bearer("/maybe", &token("user_opt")).to_request()).await;
    assert_eq!(signed_in.status, StatusCode::OK);
    assert_eq!(signed_in.body, "user user_opt");

    let cookie_in = send(&app, cookie("/maybe", &token("user_opt")).to_request()).await;
    assert_eq!(cookie_in.body, "user user_opt");

    let anonymous = send(&app, get_req("/maybe").to_request()).await;
    assert_eq!(anonymous.status, StatusCode::OK);
    assert_eq!(anonymous.body, "anonymous");

    // An expired or forged token is treated as signed out, not rejected.
    let expired = KEY.sign(&json!({"sub": "u", "iss": ISSUER, "exp": NOW - 60}));
    let forged = OTHER_KEY.sign(&claims("user_opt"));
    for token in [expired, forged] {
        let reply = send(&app, bearer("/maybe", &token).to_request()).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.body, "anonymous");
    }
}

#[actix_web::test]
async fn option_of_clerk_auth_both_ways() {
    let app = state_app!();
    let reply = send(&app, bearer("/option", &token("user_o")).to_request()).await;
    assert_eq!(reply.body, "user user_o");
    let reply = send(&app, get_req("/option").to_request()).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body, "anonymous");
}

#[actix_web::test]
async fn auth_state_extractor_never_rejects_a_signed_out_request() {
    let app = state_app!();
    let reply = send(&app, bearer("/state", &token("user_s")).to_request()).await;
    assert_eq!(reply.body, "user user_s");
    let reply = send(&app, get_req("/state").to_request()).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body, "signed out: no token");
}

// ---------------------------------------------------------------------------
// Where the options come from
// ---------------------------------------------------------------------------

#[actix_web::test]
async fn middleware_provides_the_auth_state_without_app_data() {
    let app = test::init_service(
        App::new()
            .configure(routes)
            .wrap(ClerkMiddleware::new(options())),
    )
    .await;
    let reply = send(&app, bearer("/me", &token("user_mw")).to_request()).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body, "user user_mw session sess_1");

    // `ClerkMiddleware::new` does not reject; the extractor does.
    send(&app, get_req("/me").to_request())
        .await
        .assert_signed_out("no_token");
    let expired = KEY.sign(&json!({"sub": "u", "iss": ISSUER, "exp": NOW - 60}));
    send(&app, cookie("/me", &expired).to_request())
        .await
        .assert_signed_out("token_expired");
    let reply = send(&app, get_req("/maybe").to_request()).await;
    assert_eq!(reply.body, "anonymous");
    let reply = send(&app, cookie("/maybe", &token("user_mw")).to_request()).await;
    assert_eq!(reply.body, "user user_mw");
}

#[actix_web::test]
async fn middleware_reports_server_errors_through_the_extractors() {
    let app = test::init_service(
        App::new()
            .configure(routes)
            .wrap(ClerkMiddleware::new(unreachable_jwks_options())),
    )
    .await;
    let reply = send(&app, bearer("/me", &token("u")).to_request()).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    let reply = send(&app, bearer("/maybe", &token("u")).to_request()).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reply.json()["reason"], "key_fetch_failed");
}

static PRIVATE_CALLS: AtomicUsize = AtomicUsize::new(0);

async fn private(auth: AuthState) -> String {
    PRIVATE_CALLS.fetch_add(1, Ordering::SeqCst);
    format!("user {}", auth.user_id().unwrap_or("?"))
}

#[actix_web::test]
async fn require_auth_middleware_rejects_before_the_handler() {
    let app = test::init_service(
        App::new().service(
            web::resource("/private")
                .wrap(ClerkMiddleware::require_auth(options()))
                .route(web::get().to(private)),
        ),
    )
    .await;

    let reply = send(&app, bearer("/private", &token("user_req")).to_request()).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body, "user user_req");
    assert_eq!(PRIVATE_CALLS.load(Ordering::SeqCst), 1);

    send(&app, get_req("/private").to_request())
        .await
        .assert_signed_out("no_token");
    let forged = OTHER_KEY.sign(&claims("user_req"));
    send(&app, cookie("/private", &forged).to_request())
        .await
        .assert_signed_out("invalid_signature");
    assert_eq!(
        PRIVATE_CALLS.load(Ordering::SeqCst),
        1,
        "handler ran for a rejected request"
    );

    // Wrapping a resource: other paths are still 404.
    let reply = send(&app, get_req("/nowhere").to_request()).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn require_auth_middleware_answers_503_when_keys_cannot_be_fetched() {
    let app = test::init_service(
        App::new()
            .route("/private", web::get().to(|| async { "secret" }))
            .wrap(ClerkMiddleware::require_auth(unreachable_jwks_options())),
    )
    .await;
    let reply = send(&app, bearer("/private", &token("u")).to_request()).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reply.json()["reason"], "key_fetch_failed");
    assert!(!reply.body.contains("secret"));
}

#[actix_web::test]
async fn require_auth_middleware_on_a_scope() {
    async fn member(path: web::Path<(String, String)>, ClerkAuth(claims): ClerkAuth) -> String {
        let (org_id, member_id) = path.into_inner();
        format!("{} looks at {member_id} in {org_id}", claims.user_id())
    }
    async fn public_org(path: web::Path<String>, MaybeSignedIn(claims): MaybeSignedIn) -> String {
        format!(
            "{} seen by {}",
            path.into_inner(),
            claims.map_or("anonymous".to_owned(), |c| c.sub)
        )
    }

    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(options()))
            .service(
                web::scope("/orgs/{org_id}")
                    .wrap(ClerkMiddleware::require_auth(options()))
                    .route("/members/{member_id}", web::get().to(member)),
            )
            .route("/public/{org_id}", web::get().to(public_org)),
    )
    .await;

    let reply = send(
        &app,
        bearer("/orgs/org_42/members/user_7", &token("user_nested")).to_request(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body, "user_nested looks at user_7 in org_42");
    send(&app, get_req("/orgs/org_42/members/user_7").to_request())
        .await
        .assert_signed_out("no_token");

    let reply = send(&app, get_req("/public/org_9").to_request()).await;
    assert_eq!(reply.body, "org_9 seen by anonymous");
    let reply = send(&app, cookie("/public/org_9", &token("user_p")).to_request()).await;
    assert_eq!(reply.body, "org_9 seen by user_p");
}

#[actix_web::test]
async fn extensions_take_precedence_over_app_data() {
    // The app data's options would reject every token of KEY; the
    // middleware's accept them, and its AuthState is what the extractor uses.
    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(options_for(&OTHER_KEY)))
            .configure(routes)
            .wrap(ClerkMiddleware::new(options())),
    )
    .await;
    let reply = send(&app, bearer("/me", &token("user_ext")).to_request()).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body, "user user_ext session sess_1");
}

#[actix_web::test]
async fn plain_verify_options_as_app_data() {
    // `app_data(options)` without `web::Data`, on a scope.
    let app = test::init_service(
        App::new().service(web::scope("/api").app_data(options()).configure(routes)),
    )
    .await;
    let reply = send(&app, cookie("/api/me", &token("user_vo")).to_request()).await;
    assert_eq!(reply.body, "user user_vo session sess_1");
    send(&app, get_req("/api/me").to_request())
        .await
        .assert_signed_out("no_token");
}

#[actix_web::test]
async fn the_auth_state_is_in_the_request_extensions() {
    async fn hello(req: HttpRequest) -> String {
        let extensions = req.extensions();
        match extensions.get::<AuthState>() {
            Some(AuthState::SignedIn(claims)) => format!("hello {}", claims.sub),
            Some(AuthState::SignedOut(reason)) => format!("signed out: {reason:?}"),
            Some(AuthState::Machine(machine)) => format!("machine {}", machine.subject()),
            None => "no auth state".to_owned(),
        }
    }
    let app = test::init_service(
        App::new()
            .route("/hello", web::get().to(hello))
            .wrap(ClerkMiddleware::new(options())),
    )
    .await;
    let reply = send(&app, bearer("/hello", &token("user_plain")).to_request()).await;
    assert_eq!(reply.body, "hello user_plain");
    let reply = send(&app, get_req("/hello").to_request()).await;
    assert_eq!(reply.body, "signed out: NoToken");
}

#[actix_web::test]
async fn a_request_is_verified_once() {
    static VERIFICATIONS: AtomicUsize = AtomicUsize::new(0);
    // The clock is read once per verification.
    let counted = options().clock(|| {
        VERIFICATIONS.fetch_add(1, Ordering::SeqCst);
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

    // Options in the app data: the first extractor verifies, the others reuse.
    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(counted.clone()))
            .route("/both", web::get().to(both)),
    )
    .await;
    let reply = send(&app, bearer("/both", &token("user_once")).to_request()).await;
    assert_eq!(reply.body, "user_once");
    assert_eq!(VERIFICATIONS.swap(0, Ordering::SeqCst), 1);

    // A middleware: it verifies, the extractors reuse its result.
    let app = test::init_service(
        App::new()
            .route("/both", web::get().to(both))
            .wrap(ClerkMiddleware::new(counted)),
    )
    .await;
    let reply = send(&app, bearer("/both", &token("user_once")).to_request()).await;
    assert_eq!(reply.body, "user_once");
    assert_eq!(VERIFICATIONS.load(Ordering::SeqCst), 1);
}

// ---------------------------------------------------------------------------
// Webhooks
// ---------------------------------------------------------------------------

/// A delivery of `body` signed with `signer` at `timestamp`.
fn delivery(signer: &Webhook, timestamp: i64, body: Vec<u8>) -> TestRequest {
    let mut req = TestRequest::post()
        .uri("/webhooks/clerk")
        .insert_header((header::CONTENT_TYPE, "application/json"));
    for header in delivery_headers(signer, timestamp, &body) {
        req = req.insert_header(header);
    }
    req.set_payload(body)
}

macro_rules! webhook_app {
    () => {
        test::init_service(
            App::new()
                .app_data(web::Data::new(webhook()))
                .route("/webhooks/clerk", web::post().to(on_event)),
        )
        .await
    };
}

#[actix_web::test]
async fn webhook_accepted() {
    let app = webhook_app!();
    let reply = send(
        &app,
        delivery(&webhook(), unix_now(), user_created()).to_request(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body, "user.created user_hook");

    // Unknown event types are delivered too.
    let body = serde_json::to_vec(&json!({"type": "brand.new", "data": {"x": 1}})).unwrap();
    let reply = send(&app, delivery(&webhook(), unix_now(), body).to_request()).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body, "brand.new true");
}

#[actix_web::test]
async fn webhook_as_plain_app_data() {
    let app = test::init_service(
        App::new().service(
            web::resource("/webhooks/clerk")
                .app_data(webhook())
                .route(web::post().to(on_event)),
        ),
    )
    .await;
    let reply = send(
        &app,
        delivery(&webhook(), unix_now(), user_created()).to_request(),
    )
    .await;
    assert_eq!(reply.body, "user.created user_hook");
}

#[actix_web::test]
async fn webhook_with_a_bad_signature_is_rejected() {
    let app = webhook_app!();
    let reply = send(
        &app,
        delivery(&impostor(), unix_now(), user_created()).to_request(),
    )
    .await;
    reply.assert_invalid_webhook("invalid_signature");

    // Correctly signed, then altered.
    let req = delivery(&webhook(), unix_now(), user_created()).set_payload(altered_user_created());
    let reply = send(&app, req.to_request()).await;
    reply.assert_invalid_webhook("invalid_signature");
}

#[actix_web::test]
async fn webhook_with_a_stale_timestamp_is_rejected() {
    let app = webhook_app!();
    let reply = send(
        &app,
        delivery(&webhook(), unix_now() - 10 * 60, user_created()).to_request(),
    )
    .await;
    reply.assert_invalid_webhook("timestamp_too_old");

    let reply = send(
        &app,
        delivery(&webhook(), unix_now() + 10 * 60, user_created()).to_request(),
    )
    .await;
    reply.assert_invalid_webhook("timestamp_too_new");
}

#[actix_web::test]
async fn webhook_with_a_missing_header_is_rejected() {
    let app = webhook_app!();
    for missing in ["svix-id", "svix-timestamp", "svix-signature"] {
        let mut req = delivery(&webhook(), unix_now(), user_created()).to_request();
        req.headers_mut().remove(missing);
        let reply = send(&app, req).await;
        let body = reply.assert_invalid_webhook("missing_header");
        assert_eq!(body["header"], missing);
    }
}

#[actix_web::test]
async fn webhook_that_is_signed_but_not_an_event_is_rejected() {
    let app = webhook_app!();
    let reply = send(
        &app,
        delivery(&webhook(), unix_now(), b"[1, 2, 3]".to_vec()).to_request(),
    )
    .await;
    reply.assert_invalid_webhook("invalid_payload");
}

#[actix_web::test]
async fn webhook_body_limit_is_respected() {
    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(webhook()))
            .app_data(web::PayloadConfig::new(64))
            .route("/webhooks/clerk", web::post().to(on_event)),
    )
    .await;
    let reply = send(
        &app,
        delivery(&webhook(), unix_now(), user_created()).to_request(),
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        reply.body
    );
    let body = reply.json();
    assert_eq!(body["error"], "invalid_webhook");
    assert_eq!(body["reason"], "body_too_large");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));

    // A small delivery still passes under that limit.
    let small = serde_json::to_vec(&json!({"type": "x.y", "data": {}})).unwrap();
    assert!(small.len() <= 64);
    let reply = send(&app, delivery(&webhook(), unix_now(), small).to_request()).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

#[actix_web::test]
async fn webhook_without_configuration_is_500() {
    // Session options only: no webhook.
    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(options()))
            .route("/webhooks/clerk", web::post().to(on_event)),
    )
    .await;
    let reply = send(
        &app,
        delivery(&webhook(), unix_now(), user_created()).to_request(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        reply.json(),
        json!({"error": "webhook_misconfigured", "reason": "not_configured"})
    );
}

#[actix_web::test]
async fn rejections_convert_into_actix_errors() {
    use clerk_backend::actix::{AuthRejection, WebhookRejection};

    // A handler can return them with `?` as actix_web::Error.
    async fn strict(auth: AuthState) -> actix_web::Result<HttpResponse> {
        let claims = auth
            .into_claims()
            .ok_or(AuthRejection::SignedOut(SignedOutReason::NoToken))?;
        Ok(HttpResponse::Ok().body(claims.sub))
    }
    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(options()))
            .route("/strict", web::get().to(strict)),
    )
    .await;
    let reply = send(&app, bearer("/strict", &token("user_q")).to_request()).await;
    assert_eq!(reply.body, "user_q");
    send(&app, get_req("/strict").to_request())
        .await
        .assert_signed_out("no_token");

    let error = actix_web::Error::from(WebhookRejection::Invalid(
        clerk_backend::webhooks::WebhookError::TimestampTooOld,
    ));
    assert_eq!(error.as_response_error().status_code().as_u16(), 400);
}
