//! An actix-web server authenticated by Clerk: a route that needs a
//! signed-in user, one where signing in is optional, and a webhook endpoint.
//! The same app as examples/axum.rs.
//!
//! ```text
//! GET  /                  optional sign-in     (MaybeSignedIn)
//! GET  /api/me            signed-in users only (ClerkMiddleware::require_auth + ClerkAuth)
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
//! CLERK_SECRET_KEY=sk_test_... cargo run --example actix --features actix
//! ```
//!
//! Without `CLERK_JWT_KEY` and `CLERK_SECRET_KEY` it runs a self-contained
//! demo instead: it makes its own signing key, serves the same routes on a
//! free local port, calls each of them with a token and a webhook delivery
//! it signs itself, prints the exchanges and exits. Add `-- --serve` to keep
//! the demo server running and get `curl` commands to try.

use actix_web::http::header::ContentType;
use actix_web::{App, HttpResponse, HttpServer, web};
use clerk_backend::actix::{ClerkAuth, ClerkMiddleware, ClerkWebhook, MaybeSignedIn};
use clerk_backend::auth::VerifyOptions;
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
async fn me(ClerkAuth(claims): ClerkAuth) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(ContentType::json())
        .body(serde_json::to_string_pretty(&claims).expect("claims serialize") + "\n")
}

/// Signed-in users only, with a path parameter.
async fn org(org_id: web::Path<String>, ClerkAuth(claims): ClerkAuth) -> String {
    demo::role_in(&claims, &org_id.into_inner())
}

/// Webhook deliveries, verified before this runs.
async fn clerk_webhook(ClerkWebhook(event): ClerkWebhook) -> HttpResponse {
    match &event.data {
        EventData::UserCreated(user) => println!("webhook: user {} created", user.id),
        EventData::UserDeleted(deleted) => {
            // Clerk's spec does not promise the id of a deleted object.
            println!("webhook: user {:?} deleted", deleted.id)
        }
        _ => println!("webhook: {} (not handled)", event.event_type),
    }
    HttpResponse::NoContent().finish()
}

/// The routes. The options are app data for the extractors outside /api;
/// everything under /api needs a signed-in user: the middleware answers
/// 401 itself, and the handlers' extractors reuse its result.
fn routes(cfg: &mut web::ServiceConfig, options: &VerifyOptions, webhook: Option<&Webhook>) {
    if let Some(webhook) = webhook {
        cfg.app_data(web::Data::new(webhook.clone()));
    }
    cfg.app_data(web::Data::new(options.clone()))
        .route("/", web::get().to(home))
        .route("/webhooks/clerk", web::post().to(clerk_webhook))
        .service(
            web::scope("/api")
                .wrap(ClerkMiddleware::require_auth(options.clone()))
                .route("/me", web::get().to(me))
                .route("/orgs/{org_id}", web::get().to(org)),
        );
}

/// A server for the routes on `listener`.
fn server(
    listener: std::net::TcpListener,
    options: VerifyOptions,
    webhook: Option<Webhook>,
) -> std::io::Result<actix_web::dev::Server> {
    Ok(
        HttpServer::new(move || {
            App::new().configure(|cfg| routes(cfg, &options, webhook.as_ref()))
        })
        .workers(1)
        .listen(listener)?
        .run(),
    )
}

// ---------------------------------------------------------------------------
// main
// ---------------------------------------------------------------------------

#[actix_web::main]
async fn main() -> Result<(), BoxError> {
    if !demo::configured() {
        return run_demo(demo::serve_requested()).await;
    }
    let (options, webhook) = demo::from_env()?;
    let listener = std::net::TcpListener::bind(demo::listen_address())?;
    println!("listening on http://{}", listener.local_addr()?);
    server(listener, options, webhook)?.await?;
    Ok(())
}

/// The demo (see examples/support/demo.rs) against this app, on a free
/// local port.
async fn run_demo(serve: bool) -> Result<(), BoxError> {
    let demo = Demo::new()?;
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let base = format!("http://{}", listener.local_addr()?);
    let server = server(listener, demo.options.clone(), Some(demo.webhook.clone()))?;
    let handle = server.handle();
    let running = actix_web::rt::spawn(server);
    if serve {
        demo.print_curl(&base);
        running.await??;
        return Ok(());
    }
    demo.run(&base).await?;
    handle.stop(true).await;
    Ok(())
}
