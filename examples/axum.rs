//! An axum server authenticated by Clerk: a route that needs a signed-in
//! user, one that also asks the Backend API about them, one where signing
//! in is optional, and a webhook endpoint.
//!
//! ```text
//! GET  /                  optional sign-in     (MaybeSignedIn)
//! GET  /api/me            signed-in users only (ClerkLayer::require_auth + ClerkAuth)
//! GET  /api/profile       signed-in users only; fetches the user from the Backend API
//! GET  /api/orgs/{id}     signed-in users only, with a path parameter
//! POST /webhooks/clerk    webhook deliveries   (ClerkWebhook)
//! ```
//!
//! `tests/testing_axum.rs` drives this app end to end through
//! `clerk_backend::testing::FakeClerk`.
//!
//! Environment variables:
//!
//! * `CLERK_JWT_KEY` (the dashboard's JWT public key, PEM) to verify session
//!   tokens without network access, or `CLERK_SECRET_KEY` (and optionally
//!   `CLERK_API_URL`) to verify them with the instance's fetched key set;
//! * `CLERK_PUBLISHABLE_KEY` (optional): pins the expected issuer;
//! * `CLERK_AUTHORIZED_PARTIES` (optional, this example's own): the
//!   comma-separated origins of your frontends, e.g.
//!   `https://app.example.com`;
//! * `CLERK_WEBHOOK_SIGNING_SECRET` (optional, `whsec_...`): enables the
//!   webhook endpoint (it answers 500 without it);
//! * `PORT` (optional, default 3000).
//!
//! ```sh
//! CLERK_SECRET_KEY=sk_test_... cargo run --example axum --features axum
//! ```
//!
//! Without `CLERK_JWT_KEY` and `CLERK_SECRET_KEY` it runs a self-contained
//! demo instead: it starts a local fake of Clerk
//! (`clerk_backend::testing::FakeClerk`) with a demo user, serves the same
//! routes on a free local port, calls each of them with the fake's session
//! tokens and a webhook delivery it signs itself, prints the exchanges and
//! exits. Add `-- --serve` to keep the demo server running and get `curl`
//! commands to try.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::{FromRef, Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use clerk_backend::Client;
use clerk_backend::auth::{JWT_KEY_ENV, SECRET_KEY_ENV, VerifyOptions};
use clerk_backend::axum::{ClerkAuth, ClerkConfig, ClerkLayer, ClerkWebhook, MaybeSignedIn};
use clerk_backend::testing::FakeClerk;
use clerk_backend::webhooks::{EventData, SIGNING_SECRET_ENV, Webhook};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

// ---------------------------------------------------------------------------
// The application
// ---------------------------------------------------------------------------

/// Signing in is optional.
async fn home(MaybeSignedIn(claims): MaybeSignedIn) -> String {
    match claims {
        Some(claims) => format!("Hello, {}!\n", claims.user_id()),
        None => "Hello, stranger! Sign in to see /api/me.\n".to_owned(),
    }
}

/// Signed-in users only: the session's claims as JSON.
async fn me(ClerkAuth(claims): ClerkAuth) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::to_string_pretty(&claims).expect("claims serialize") + "\n",
    )
}

/// Signed-in users only: the user as the Backend API has them.
async fn profile(State(state): State<AppState>, ClerkAuth(claims): ClerkAuth) -> impl IntoResponse {
    let Some(client) = &state.client else {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            "no Backend API client\n".to_owned(),
        );
    };
    match client.get_user().user_id(claims.user_id()).send().await {
        Ok(user) => {
            let body = serde_json::json!({
                "id": user.id,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "email": primary_email(&user),
            });
            (StatusCode::OK, format!("{body:#}\n"))
        }
        Err(error) => {
            let status = if error.is_not_found() {
                StatusCode::NOT_FOUND
            } else {
                StatusCode::BAD_GATEWAY
            };
            (status, format!("{error}\n"))
        }
    }
}

/// The user's primary email address.
fn primary_email(user: &clerk_backend::types::User) -> Option<String> {
    user.email_addresses
        .iter()
        .find(|e| e.id == user.primary_email_address_id)
        .map(|e| e.email_address.clone())
}

/// Signed-in users only, with a path parameter.
async fn org(Path(org_id): Path<String>, ClerkAuth(claims): ClerkAuth) -> String {
    let role = match claims.org_id() {
        Some(active) if active == org_id => claims
            .org_role()
            .map_or_else(|| "member".to_owned(), |role| role.into_owned()),
        _ => "not the active organization".to_owned(),
    };
    format!("{} in {org_id}: {role}\n", claims.user_id())
}

/// Webhook deliveries, verified before this runs.
async fn clerk_webhook(ClerkWebhook(event): ClerkWebhook) -> StatusCode {
    match &event.data {
        EventData::UserCreated(user) => println!("webhook: user {} created", user.id),
        EventData::UserDeleted(deleted) => {
            // Clerk's spec does not promise the id of a deleted object.
            println!("webhook: user {:?} deleted", deleted.id)
        }
        _ => println!("webhook: {} (not handled)", event.event_type),
    }
    StatusCode::NO_CONTENT
}

/// The router's state: Clerk's (for the extractors) and a Backend API
/// client (for `/api/profile`).
#[derive(Clone)]
struct AppState {
    clerk: ClerkConfig,
    client: Option<Client>,
}

impl FromRef<AppState> for ClerkConfig {
    fn from_ref(state: &AppState) -> ClerkConfig {
        state.clerk.clone()
    }
}

pub fn app(options: VerifyOptions, webhook: Option<Webhook>, client: Option<Client>) -> Router {
    let mut clerk = ClerkConfig::from(options.clone());
    if let Some(webhook) = webhook {
        clerk = clerk.with_webhook(webhook);
    }
    let state = AppState { clerk, client };
    // Everything under /api needs a signed-in user: the layer answers 401
    // itself, and the handlers' extractors reuse its result.
    let api = Router::new()
        .route("/me", get(me))
        .route("/profile", get(profile))
        .route("/orgs/{org_id}", get(org))
        .route_layer(ClerkLayer::require_auth(options));
    Router::new()
        .route("/", get(home))
        .route("/webhooks/clerk", post(clerk_webhook))
        .nest("/api", api)
        .with_state(state)
}

// ---------------------------------------------------------------------------
// main
// ---------------------------------------------------------------------------

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let configured = [JWT_KEY_ENV, SECRET_KEY_ENV]
        .iter()
        .any(|name| std::env::var(name).is_ok_and(|v| !v.trim().is_empty()));
    if !configured {
        let serve = std::env::args().any(|arg| arg == "--serve");
        return demo(serve).await;
    }

    let mut options = VerifyOptions::from_env()?;
    if let Ok(parties) = std::env::var("CLERK_AUTHORIZED_PARTIES") {
        options = options.authorized_parties(parties.split(',').map(str::trim));
    }
    let webhook = match Webhook::from_env() {
        Ok(webhook) => Some(webhook),
        Err(error) => {
            println!("{error}: POST /webhooks/clerk will answer 500");
            None
        }
    };
    let client = match Client::from_env() {
        Ok(client) => Some(client),
        Err(error) => {
            println!("{error}: GET /api/profile will answer 500");
            None
        }
    };
    let port = std::env::var("PORT").unwrap_or_else(|_| "3000".to_owned());
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}")).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app(options, webhook, client)).await?;
    Ok(())
}

// ---------------------------------------------------------------------------
// Demo mode: a fake Clerk, its tokens, our own webhook deliveries
// ---------------------------------------------------------------------------

async fn demo(serve: bool) -> Result<(), BoxError> {
    println!(
        "Neither {JWT_KEY_ENV} nor {SECRET_KEY_ENV} is set, so this is a demo against a local \
         fake of Clerk (clerk_backend::testing::FakeClerk).\nTo verify real Clerk session \
         tokens, set {JWT_KEY_ENV} (the JWT public key from the Clerk dashboard) or \
         {SECRET_KEY_ENV}; set {SIGNING_SECRET_ENV} for webhooks.\n"
    );

    // A fake Clerk with a demo user who is admin of a demo organization.
    let fake = FakeClerk::start().await;
    let clerk = fake.client();
    let user = clerk
        .create_user()
        .body_map(|b| {
            b.email_address(vec!["demo@example.com".to_owned()])
                .first_name("Demo".to_owned())
                .last_name("User".to_owned())
        })
        .send()
        .await?;
    let user_id = user.id.clone();
    let org = clerk
        .create_organization()
        .body_map(|b| b.name("Demo".to_owned()).created_by(user_id.clone()))
        .send()
        .await?;
    let org_id = org.id.clone();

    let options = fake.verify_options();
    let mut secret = [0u8; 24];
    aws_lc_rs::rand::fill(&mut secret).map_err(|_| "no randomness")?;
    let webhook = Webhook::new(format!("whsec_{}", STANDARD.encode(secret)))?;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let app = app(options, Some(webhook.clone()), Some(clerk));
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
    let token = fake
        .session(&user_id)
        .organization(&org_id)
        .lifetime(Duration::from_secs(3600))
        .sign_in()
        .token;
    let expired = fake
        .session(&user_id)
        .issued_at(SystemTime::now() - Duration::from_secs(660))
        .sign_in()
        .token;

    if serve {
        println!("Demo server on {base} (Ctrl-C to stop). Try:\n");
        println!("  curl -i {base}/");
        println!("  curl -i {base}/api/me");
        println!("  curl -i -H 'Authorization: Bearer {token}' {base}/api/me");
        println!("  curl -i -H 'Authorization: Bearer {token}' {base}/api/profile");
        println!("  curl -i -b '__session={token}' {base}/api/orgs/{org_id}");
        println!("  curl -i -H 'Authorization: Bearer {expired}' {base}/api/me");
        server.await??;
        return Ok(());
    }

    let client = reqwest::Client::new();
    let show = |label: &str, response: reqwest::Response| {
        let label = label.to_owned();
        async move {
            let status = response.status();
            let body = response.text().await.unwrap_or_default();
            println!(
                "{label}\n  -> {status} {}\n",
                body.trim_end().replace('\n', "\n     ")
            );
        }
    };

    show(
        "GET / (no token)",
        client.get(format!("{base}/")).send().await?,
    )
    .await;
    show(
        "GET / (bearer token)",
        client
            .get(format!("{base}/"))
            .bearer_auth(&token)
            .send()
            .await?,
    )
    .await;
    show(
        "GET /api/me (no token)",
        client.get(format!("{base}/api/me")).send().await?,
    )
    .await;
    show(
        "GET /api/me (expired token)",
        client
            .get(format!("{base}/api/me"))
            .bearer_auth(&expired)
            .send()
            .await?,
    )
    .await;
    show(
        &format!("GET /api/orgs/{org_id} (__session cookie)"),
        client
            .get(format!("{base}/api/orgs/{org_id}"))
            .header(header::COOKIE, format!("__session={token}"))
            .send()
            .await?,
    )
    .await;
    show(
        "GET /api/me (bearer token)",
        client
            .get(format!("{base}/api/me"))
            .bearer_auth(&token)
            .send()
            .await?,
    )
    .await;
    show(
        "GET /api/profile (bearer token; the handler asks the Backend API)",
        client
            .get(format!("{base}/api/profile"))
            .bearer_auth(&token)
            .send()
            .await?,
    )
    .await;

    let body = serde_json::to_vec(&serde_json::json!({
        "type": "user.created",
        "object": "event",
        "data": {"id": user_id, "object": "user", "first_name": "Demo"},
    }))?;
    let timestamp = i64::try_from(now)?;
    let signature = webhook.sign("msg_demo", timestamp, &body);
    let deliver = |signature: String| {
        client
            .post(format!("{base}/webhooks/clerk"))
            .header("svix-id", "msg_demo")
            .header("svix-timestamp", timestamp.to_string())
            .header("svix-signature", signature)
            .body(body.clone())
            .send()
    };
    show("POST /webhooks/clerk (signed)", deliver(signature).await?).await;
    show(
        "POST /webhooks/clerk (bad signature)",
        deliver("v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=".to_owned()).await?,
    )
    .await;

    println!("Run with `-- --serve` to keep the demo server running.");
    server.abort();
    Ok(())
}
