//! A Rocket server authenticated by Clerk: routes that need a signed-in
//! user, one where signing in is optional, and a webhook endpoint. The same
//! app as examples/axum.rs and examples/actix.rs.
//!
//! ```text
//! GET  /                  optional sign-in     (MaybeSignedIn)
//! GET  /api/me            signed-in users only (ClerkAuth)
//! GET  /api/orgs/<id>     signed-in users only, with a path parameter
//! POST /webhooks/clerk    webhook deliveries   (ClerkWebhook)
//! ```
//!
//! The configuration is managed state (`.manage(options)`); the
//! `ClerkFairing` checks it at launch and gives the guards' rejections their
//! JSON answers. Environment variables: as examples/actix.rs (`CLERK_JWT_KEY`
//! or `CLERK_SECRET_KEY`, `CLERK_PUBLISHABLE_KEY`, `CLERK_AUTHORIZED_PARTIES`,
//! `CLERK_WEBHOOK_SIGNING_SECRET`, `PORT`).
//!
//! ```sh
//! CLERK_SECRET_KEY=sk_test_... cargo run --example rocket --features rocket
//! ```
//!
//! Without `CLERK_JWT_KEY` and `CLERK_SECRET_KEY` it runs the self-contained
//! demo of examples/support/demo.rs: it serves the routes on a free local
//! port, calls each with its own tokens and webhook deliveries, prints the
//! exchanges and exits. Add `-- --serve` to keep the demo server running.

use std::net::SocketAddr;

use clerk_backend::auth::VerifyOptions;
use clerk_backend::rocket::{ClerkAuth, ClerkFairing, ClerkWebhook, MaybeSignedIn};
use clerk_backend::webhooks::{EventData, Webhook};
use rocket::fairing::AdHoc;
use rocket::http::{ContentType, Status};
use rocket::{Build, Rocket, get, post, routes};

#[path = "support/demo.rs"]
mod demo;
use demo::{BoxError, Demo};

// ---------------------------------------------------------------------------
// The application
// ---------------------------------------------------------------------------

/// Signing in is optional.
#[get("/")]
fn home(user: MaybeSignedIn) -> String {
    match user.0 {
        Some(claims) => format!("Hello, {}!\n", claims.user_id()),
        None => "Hello, stranger! Sign in to see /api/me.\n".to_owned(),
    }
}

/// Signed-in users only: the session's claims as JSON.
#[get("/me")]
fn me(auth: ClerkAuth) -> (ContentType, String) {
    let json = serde_json::to_string_pretty(&auth.0).expect("claims serialize");
    (ContentType::JSON, json + "\n")
}

/// Signed-in users only, with a path parameter.
#[get("/orgs/<org_id>")]
fn org(org_id: &str, auth: ClerkAuth) -> String {
    demo::role_in(&auth, org_id)
}

/// Webhook deliveries, verified before this runs.
#[post("/webhooks/clerk", data = "<event>")]
fn clerk_webhook(event: ClerkWebhook) -> Status {
    match &event.0.data {
        EventData::UserCreated(user) => println!("webhook: user {} created", user.id),
        EventData::UserDeleted(deleted) => {
            // Clerk's spec does not promise the id of a deleted object.
            println!("webhook: user {:?} deleted", deleted.id)
        }
        _ => println!("webhook: {} (not handled)", event.0.event_type),
    }
    Status::NoContent
}

/// The app on `address`. Everything under /api needs a signed-in user:
/// their `ClerkAuth` guards answer 401.
fn app(address: SocketAddr, options: VerifyOptions, webhook: Option<Webhook>) -> Rocket<Build> {
    let figment = rocket::Config::figment()
        .merge(("address", address.ip()))
        .merge(("port", address.port()))
        .merge(("log_level", "critical"));
    let mut rocket = rocket::custom(figment)
        .manage(options)
        .attach(ClerkFairing::managed())
        .mount("/", routes![home, clerk_webhook])
        .mount("/api", routes![me, org]);
    if let Some(webhook) = webhook {
        rocket = rocket.manage(webhook);
    }
    rocket
}

// ---------------------------------------------------------------------------
// main
// ---------------------------------------------------------------------------

#[rocket::main]
async fn main() -> Result<(), BoxError> {
    if !demo::configured() {
        return run_demo(demo::serve_requested()).await;
    }
    let (options, webhook) = demo::from_env()?;
    let address: SocketAddr = demo::listen_address().parse()?;
    println!("listening on http://{address}");
    app(address, options, webhook).launch().await?;
    Ok(())
}

/// The demo (see examples/support/demo.rs) against this app, on a free
/// local port.
async fn run_demo(serve: bool) -> Result<(), BoxError> {
    let demo = Demo::new()?;
    let (port_tx, port_rx) = tokio::sync::oneshot::channel();
    let port_tx = std::sync::Mutex::new(Some(port_tx));
    let rocket = app(
        SocketAddr::from(([127, 0, 0, 1], 0)),
        demo.options.clone(),
        Some(demo.webhook.clone()),
    )
    .attach(AdHoc::on_liftoff("port", move |rocket| {
        // Rocket reports the port it bound once it has lifted off.
        let port = rocket.config().port;
        Box::pin(async move {
            if let Some(tx) = port_tx.lock().ok().and_then(|mut tx| tx.take()) {
                let _ = tx.send(port);
            }
        })
    }))
    .ignite()
    .await?;
    let shutdown = rocket.shutdown();
    let running = tokio::spawn(rocket.launch());
    let base = format!("http://127.0.0.1:{}", port_rx.await?);
    if serve {
        demo.print_curl(&base);
        running.await??;
        return Ok(());
    }
    demo.run(&base).await?;
    shutdown.notify();
    running.await??;
    Ok(())
}
