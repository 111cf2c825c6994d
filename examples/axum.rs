//! An axum server authenticated by Clerk: a route that needs a signed-in
//! user, one where signing in is optional, and a webhook endpoint.
//!
//! ```text
//! GET  /                  optional sign-in     (MaybeSignedIn)
//! GET  /api/me            signed-in users only (ClerkLayer::require_auth + ClerkAuth)
//! GET  /api/orgs/{id}     signed-in users only, with a path parameter
//! POST /webhooks/clerk    webhook deliveries   (ClerkWebhook)
//! ```
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
//! demo instead: it makes its own signing key, serves the same routes on a
//! free local port, calls each of them with a token and a webhook delivery
//! it signs itself, prints the exchanges and exits. Add `-- --serve` to keep
//! the demo server running and get `curl` commands to try.

use axum::Router;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use clerk_backend::auth::VerifyOptions;
use clerk_backend::axum::{ClerkAuth, ClerkLayer, ClerkState, ClerkWebhook, MaybeSignedIn};
use clerk_backend::webhooks::{EventData, Webhook};

#[path = "support/demo.rs"]
mod demo;
use demo::{BoxError, Demo};

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

/// Signed-in users only, with a path parameter.
async fn org(Path(org_id): Path<String>, ClerkAuth(claims): ClerkAuth) -> String {
    demo::role_in(&claims, &org_id)
}

/// Webhook deliveries, verified before this runs.
async fn clerk_webhook(ClerkWebhook(event): ClerkWebhook) -> StatusCode {
    match &event.data {
        EventData::UserCreated(user) => println!("webhook: user {} created", user.id),
        EventData::UserDeleted(user) => println!("webhook: user {} deleted", user.id),
        _ => println!("webhook: {} (not handled)", event.event_type),
    }
    StatusCode::NO_CONTENT
}

fn app(options: VerifyOptions, webhook: Option<Webhook>) -> Router {
    let mut state = ClerkState::from(options.clone());
    if let Some(webhook) = webhook {
        state = state.with_webhook(webhook);
    }
    // Everything under /api needs a signed-in user: the layer answers 401
    // itself, and the handlers' extractors reuse its result.
    let api = Router::new()
        .route("/me", get(me))
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
    if !demo::configured() {
        return run_demo(demo::serve_requested()).await;
    }
    let (options, webhook) = demo::from_env()?;
    let listener = tokio::net::TcpListener::bind(demo::listen_address()).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app(options, webhook)).await?;
    Ok(())
}

/// The demo (see examples/support/demo.rs) against this app, on a free
/// local port.
async fn run_demo(serve: bool) -> Result<(), BoxError> {
    let demo = Demo::new()?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let app = app(demo.options.clone(), Some(demo.webhook.clone()));
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    if serve {
        demo.print_curl(&base);
        server.await??;
        return Ok(());
    }
    demo.run(&base).await?;
    server.abort();
    Ok(())
}
