//! Machine tokens through the web integrations (axum, actix-web, Rocket and
//! Poem), against the fake: a route can require a session, a machine token of
//! given kinds, or either; rejections carry the shared JSON body and
//! `WWW-Authenticate`.

use std::time::Duration;

use clerk_backend::auth::{RouteOptions, TokenType};
use clerk_backend::testing::FakeClerk;
use serde_json::{Value, json};

/// The credentials of one fake: a session, an API key, an opaque M2M token
/// and an M2M JWT.
struct Tokens {
    session: String,
    api_key: String,
    m2m: String,
    m2m_jwt: String,
}

async fn tokens(fake: &FakeClerk) -> Tokens {
    let client = fake.client();
    let user = client
        .create_user()
        .body_map(|b| b.email_address(vec!["web@example.com".to_string()]))
        .send()
        .await
        .unwrap();
    let key = client
        .create_api_key()
        .body_map(|b| b.name("web-key".to_string()).subject(user.id.clone()))
        .send()
        .await
        .unwrap();
    let machine = fake.create_machine();
    Tokens {
        session: fake.sign_in(&user.id),
        api_key: key.secret.clone(),
        m2m: fake.create_m2m_token(&machine.id, &[], None),
        m2m_jwt: fake.m2m_jwt(&machine.id, &[], Duration::from_secs(600)),
    }
}

/// `(status, www-authenticate, JSON body or text)` of a reply.
type Seen = (u16, Option<String>, Value);

fn body(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into_owned()))
}

/// The expectations every integration meets, given a way to send a bearer
/// token (or none) to a path.
async fn check_routes<F, Fut>(tokens: &Tokens, send: F)
where
    F: Fn(&'static str, Option<String>) -> Fut,
    Fut: std::future::Future<Output = Seen>,
{
    let ok = |seen: Seen, text: &str| {
        assert_eq!(seen.0, 200, "{seen:?}");
        assert!(seen.2.as_str().unwrap().starts_with(text), "{seen:?}");
    };
    let refused = |seen: Seen, reason: &str| {
        assert_eq!(seen.0, 401, "{seen:?}");
        assert_eq!(seen.2["error"], "signed_out", "{seen:?}");
        assert_eq!(seen.2["reason"], reason, "{seen:?}");
        assert!(seen.1.unwrap().starts_with("Bearer"));
    };
    let t = |s: &str| Some(s.to_owned());

    // A machine route (every machine kind).
    ok(send("/machine", t(&tokens.api_key)).await, "api_key user_");
    ok(send("/machine", t(&tokens.m2m)).await, "m2m_token mch_");
    ok(send("/machine", t(&tokens.m2m_jwt)).await, "m2m_token mch_");
    refused(
        send("/machine", t(&tokens.session)).await,
        "token_type_mismatch",
    );
    refused(send("/machine", t("ak_unknown")).await, "token_invalid");
    refused(send("/machine", None).await, "no_token");

    // A session route refuses machines, and the reverse.
    ok(send("/session", t(&tokens.session)).await, "user user_");
    refused(
        send("/session", t(&tokens.api_key)).await,
        "token_type_mismatch",
    );
    refused(
        send("/session", t(&tokens.m2m_jwt)).await,
        "token_type_mismatch",
    );

    // Either.
    ok(send("/any", t(&tokens.session)).await, "session user_");
    ok(send("/any", t(&tokens.api_key)).await, "machine api_key");
}

/// A layer, middleware or fairing narrowing `/keys/only` to API keys.
async fn check_narrowed<F, Fut>(tokens: &Tokens, send: F)
where
    F: Fn(&'static str, Option<String>) -> Fut,
    Fut: std::future::Future<Output = Seen>,
{
    let ok = |seen: Seen, text: &str| {
        assert_eq!(seen.0, 200, "{seen:?}");
        assert!(seen.2.as_str().unwrap().starts_with(text), "{seen:?}");
    };
    let refused = |seen: Seen, reason: &str| {
        assert_eq!(seen.0, 401, "{seen:?}");
        assert_eq!(seen.2["reason"], reason, "{seen:?}");
    };
    let t = |s: &str| Some(s.to_owned());
    ok(send("/keys/only", t(&tokens.api_key)).await, "api_key");
    refused(
        send("/keys/only", t(&tokens.m2m)).await,
        "token_type_mismatch",
    );
    refused(
        send("/keys/only", t(&tokens.session)).await,
        "token_type_mismatch",
    );
}

fn api_keys_only() -> RouteOptions {
    RouteOptions::accepting([TokenType::ApiKey])
}

// The handlers: the extractor types are the same in every integration.
use clerk_backend::axum::{Authenticated, ClerkAuth, ClerkMachine};

async fn machine(ClerkMachine(m): ClerkMachine) -> String {
    format!("{} {}", m.token_type(), m.subject())
}

async fn session(ClerkAuth(claims): ClerkAuth) -> String {
    format!("user {}", claims.user_id())
}

async fn any(auth: Authenticated) -> String {
    match auth {
        Authenticated::Session(c) => format!("session {}", c.user_id()),
        Authenticated::Machine(m) => format!("machine {} {}", m.token_type(), m.subject()),
    }
}

#[cfg(feature = "axum")]
mod axum_routes {
    use super::*;
    use axum::Router;
    use axum::body::Body;
    use axum::routing::get;
    use clerk_backend::axum::{ClerkConfig, ClerkLayer};
    use tower::ServiceExt as _;

    #[tokio::test]
    async fn axum_routes_require_what_they_name() {
        let fake = FakeClerk::start().await;
        let tokens = tokens(&fake).await;
        let auth = fake.authenticator();
        let keys = Router::new()
            .route("/only", get(machine))
            .route_layer(ClerkLayer::require_auth(auth.clone()).accepting(api_keys_only()));
        let app = Router::new()
            .route("/machine", get(machine))
            .route("/session", get(session))
            .route("/any", get(any))
            .nest("/keys", keys)
            .with_state(ClerkConfig::from(auth));
        let send = |path, token: Option<String>| {
            let app = app.clone();
            async move {
                let mut req = http::Request::get(path);
                if let Some(token) = token {
                    req = req.header("authorization", format!("Bearer {token}"));
                }
                let response = app.oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
                let status = response.status().as_u16();
                let challenge = response
                    .headers()
                    .get("www-authenticate")
                    .map(|v| v.to_str().unwrap().to_owned());
                let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
                    .await
                    .unwrap();
                (status, challenge, body(&bytes))
            }
        };
        check_routes(&tokens, &send).await;
        check_narrowed(&tokens, &send).await;
        // Clerk unreachable: 503, never 401.
        fake.inject(
            clerk_backend::testing::Fault::status(503)
                .operation("verifyApiKey")
                .times(2),
        );
        let req = http::Request::get("/machine")
            .header("authorization", format!("Bearer {}", tokens.api_key))
            .body(Body::empty())
            .unwrap();
        let response = app.oneshot(req).await.unwrap();
        assert_eq!(response.status(), 503);
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        assert_eq!(
            body(&bytes),
            json!({"error": "auth_unavailable", "reason": "unexpected_error"})
        );
    }
}

#[cfg(feature = "actix")]
mod actix_routes {
    use super::*;
    use actix_web::test::{self, TestRequest};
    use actix_web::{App, web};
    use clerk_backend::actix::{ClerkConfig, ClerkMiddleware};

    #[actix_web::test]
    async fn actix_routes_require_what_they_name() {
        let fake = FakeClerk::start().await;
        let tokens = tokens(&fake).await;
        let auth = fake.authenticator();
        let app = test::init_service(
            App::new()
                .app_data(web::Data::new(ClerkConfig::from(auth.clone())))
                .route("/machine", web::get().to(machine))
                .route("/session", web::get().to(session))
                .route("/any", web::get().to(any))
                .service(
                    web::scope("/keys")
                        .wrap(ClerkMiddleware::require_auth(auth).accepting(api_keys_only()))
                        .route("/only", web::get().to(machine)),
                ),
        )
        .await;
        let app = &app;
        let send = |path, token: Option<String>| async move {
            let mut req = TestRequest::get().uri(path);
            if let Some(token) = token {
                req = req.insert_header(("authorization", format!("Bearer {token}")));
            }
            let response = test::call_service(app, req.to_request()).await;
            let status = response.status().as_u16();
            let challenge = response
                .headers()
                .get("www-authenticate")
                .map(|v| v.to_str().unwrap().to_owned());
            let bytes = test::read_body(response).await;
            (status, challenge, body(&bytes))
        };
        check_routes(&tokens, &send).await;
        check_narrowed(&tokens, &send).await;
    }
}

#[cfg(feature = "rocket")]
mod rocket_routes {
    use super::*;
    use clerk_backend::rocket::{ClerkConfig, ClerkFairing};
    use rocket::http::Header;
    use rocket::local::asynchronous::Client;
    use rocket::{Build, Rocket, get, routes};

    #[get("/machine")]
    async fn machine_route(m: ClerkMachine) -> String {
        machine(m).await
    }

    #[get("/session")]
    async fn session_route(auth: ClerkAuth) -> String {
        session(auth).await
    }

    #[get("/any")]
    async fn any_route(auth: Authenticated) -> String {
        any(auth).await
    }

    #[get("/only")]
    async fn only_route(m: ClerkMachine) -> String {
        machine(m).await
    }

    fn quiet() -> Rocket<Build> {
        rocket::custom(rocket::Config::figment().merge(("log_level", "off")))
    }

    async fn send(client: &Client, path: &'static str, token: Option<String>) -> Seen {
        let mut req = client.get(path);
        if let Some(token) = token {
            req = req.header(Header::new("authorization", format!("Bearer {token}")));
        }
        let response = req.dispatch().await;
        let status = response.status().code;
        let challenge = response
            .headers()
            .get_one("www-authenticate")
            .map(str::to_owned);
        let bytes = response.into_bytes().await.unwrap_or_default();
        (status, challenge, body(&bytes))
    }

    #[rocket::async_test]
    async fn rocket_routes_require_what_they_name() {
        let fake = FakeClerk::start().await;
        let tokens = tokens(&fake).await;
        let auth = fake.authenticator();
        // Guards configured by the managed state.
        let app = quiet()
            .manage(ClerkConfig::from(auth.clone()))
            .mount("/", routes![machine_route, session_route, any_route])
            .attach(ClerkFairing::managed());
        let client = Client::untracked(app).await.unwrap();
        check_routes(&tokens, |path, token| send(&client, path, token)).await;
        // A fairing is the whole application's: a second one narrowed to
        // API keys.
        let keys = quiet()
            .mount("/keys", routes![only_route])
            .attach(ClerkFairing::require_auth(auth).accepting(api_keys_only()));
        let client = Client::untracked(keys).await.unwrap();
        check_narrowed(&tokens, |path, token| send(&client, path, token)).await;
    }
}

#[cfg(feature = "poem")]
mod poem_routes {
    use super::*;
    use clerk_backend::poem::{ClerkConfig, ClerkMiddleware};
    use poem::{Endpoint, EndpointExt, Request, Route, get, handler};

    #[handler]
    async fn machine_ep(m: ClerkMachine) -> String {
        machine(m).await
    }

    #[handler]
    async fn session_ep(auth: ClerkAuth) -> String {
        session(auth).await
    }

    #[handler]
    async fn any_ep(auth: Authenticated) -> String {
        any(auth).await
    }

    #[tokio::test]
    async fn poem_routes_require_what_they_name() {
        let fake = FakeClerk::start().await;
        let tokens = tokens(&fake).await;
        let auth = fake.authenticator();
        let keys = Route::new()
            .at("/only", get(machine_ep))
            .with(ClerkMiddleware::require_auth(auth.clone()).accepting(api_keys_only()));
        let app = Route::new()
            .at("/machine", get(machine_ep))
            .at("/session", get(session_ep))
            .at("/any", get(any_ep))
            .nest("/keys", keys)
            .data(ClerkConfig::from(auth));
        let app = &app;
        let send = |path, token: Option<String>| async move {
            let mut req = Request::builder().uri_str(path);
            if let Some(token) = token {
                req = req.header("authorization", format!("Bearer {token}"));
            }
            let response = app.get_response(req.finish()).await;
            let status = response.status().as_u16();
            let challenge = response
                .headers()
                .get("www-authenticate")
                .map(|v| v.to_str().unwrap().to_owned());
            let bytes = response.into_body().into_vec().await.unwrap();
            (status, challenge, body(&bytes))
        };
        check_routes(&tokens, &send).await;
        check_narrowed(&tokens, &send).await;
    }
}
