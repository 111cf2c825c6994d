//! A Poem server authenticated by Clerk: routes that need a signed-in user,
//! one where signing in is optional, and a webhook endpoint. The same app
//! as examples/axum.rs and examples/actix.rs.
//!
//! ```text
//! GET  /                  optional sign-in     (MaybeSignedIn)
//! GET  /api/me            signed-in users only (ClerkMiddleware::require_auth + ClerkAuth)
//! GET  /api/orgs/:id      signed-in users only, with a path parameter
//! POST /webhooks/clerk    webhook deliveries   (ClerkWebhook)
//! ```
//!
//! Environment variables: as examples/actix.rs (`CLERK_JWT_KEY` or
//! `CLERK_SECRET_KEY`, `CLERK_PUBLISHABLE_KEY`, `CLERK_AUTHORIZED_PARTIES`,
//! `CLERK_WEBHOOK_SIGNING_SECRET`, `PORT`).
//!
//! ```sh
//! CLERK_SECRET_KEY=sk_test_... cargo run --example poem --features poem
//! ```
//!
//! Without `CLERK_JWT_KEY` and `CLERK_SECRET_KEY` it runs the self-contained
//! demo of examples/support/demo.rs: it serves the routes on a free local
//! port, calls each with its own tokens and webhook deliveries, prints the
//! exchanges and exits. Add `-- --serve` to keep the demo server running.

use clerk_backend::auth::VerifyOptions;
use clerk_backend::poem::{ClerkAuth, ClerkConfig, ClerkMiddleware, ClerkWebhook, MaybeSignedIn};
use clerk_backend::webhooks::{EventData, Webhook};
use poem::http::StatusCode;
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::web::Path;
use poem::{Endpoint, EndpointExt, Response, Route, Server, get, handler, post};

#[path = "support/demo.rs"]
mod demo;
use demo::{BoxError, Demo};

// ---------------------------------------------------------------------------
// The application
// ---------------------------------------------------------------------------

/// Signing in is optional.
#[handler]
fn home(MaybeSignedIn(claims): MaybeSignedIn) -> String {
    match claims {
        Some(claims) => format!("Hello, {}!\n", claims.user_id()),
        None => "Hello, stranger! Sign in to see /api/me.\n".to_owned(),
    }
}

/// Signed-in users only: the session's claims as JSON.
#[handler]
fn me(ClerkAuth(claims): ClerkAuth) -> Response {
    let json = serde_json::to_string_pretty(&claims).expect("claims serialize");
    Response::builder()
        .content_type("application/json")
        .body(json + "\n")
}

/// Signed-in users only, with a path parameter.
#[handler]
fn org(Path(org_id): Path<String>, ClerkAuth(claims): ClerkAuth) -> String {
    demo::role_in(&claims, &org_id)
}

/// Webhook deliveries, verified before this runs.
#[handler]
fn clerk_webhook(ClerkWebhook(event): ClerkWebhook) -> StatusCode {
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

/// The app. The configuration is the endpoint's data, for the extractors
/// outside /api; everything under /api needs a signed-in user: the
/// middleware answers 401 itself, and the handlers' extractors reuse its
/// result.
fn app(options: VerifyOptions, webhook: Option<Webhook>) -> impl Endpoint {
    let mut clerk = ClerkConfig::from(options.clone());
    if let Some(webhook) = webhook {
        clerk = clerk.with_webhook(webhook);
    }
    let api = Route::new()
        .at("/me", get(me))
        .at("/orgs/:org_id", get(org))
        .with(ClerkMiddleware::require_auth(options));
    Route::new()
        .at("/", get(home))
        .at("/webhooks/clerk", post(clerk_webhook))
        .nest("/api", api)
        .data(clerk)
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
    let address = demo::listen_address();
    println!("listening on http://{address}");
    Server::new(TcpListener::bind(address))
        .run(app(options, webhook))
        .await?;
    Ok(())
}

/// The demo (see examples/support/demo.rs) against this app, on a free
/// local port.
async fn run_demo(serve: bool) -> Result<(), BoxError> {
    let demo = Demo::new()?;
    let acceptor = TcpListener::bind("127.0.0.1:0").into_acceptor().await?;
    let address = acceptor
        .local_addr()
        .first()
        .and_then(|addr| addr.as_socket_addr().copied())
        .ok_or("no local address")?;
    let base = format!("http://{address}");
    let app = app(demo.options.clone(), Some(demo.webhook.clone()));
    let server = tokio::spawn(Server::new_with_acceptor(acceptor).run(app));
    if serve {
        demo.print_curl(&base);
        server.await??;
        return Ok(());
    }
    demo.run(&base).await?;
    server.abort();
    Ok(())
}
