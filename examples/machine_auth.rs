//! Machine authentication with axum: routes called by other services with
//! API keys, M2M tokens and OAuth access tokens, beside a route for
//! signed-in users.
//!
//! ```text
//! GET /api/reports     API keys and M2M tokens   (ClerkMachine, narrowed by the state's RouteOptions)
//! GET /api/whoami      any token                 (Authenticated)
//! GET /me              signed-in users only      (ClerkAuth)
//! ```
//!
//! It runs against a local fake of Clerk (`clerk_backend::testing`), so it
//! needs no Clerk account: it creates a user, an API key, a machine with an
//! M2M token (opaque and JWT), serves the routes on a free local port,
//! calls them with each credential, prints the answers and exits.
//!
//! ```sh
//! cargo run --example machine_auth --features axum,testing
//! ```
//!
//! Against a real instance, build the [`Authenticator`] with
//! `Authenticator::from_env()` (`CLERK_SECRET_KEY`, optionally
//! `CLERK_MACHINE_SECRET_KEY` and `CLERK_PUBLISHABLE_KEY`) instead of the
//! fake's.

use std::time::Duration;

use axum::Router;
use axum::routing::get;
use clerk_backend::auth::{Authenticator, RouteOptions, TokenType};
use clerk_backend::axum::{Authenticated, ClerkAuth, ClerkConfig, ClerkMachine};
use clerk_backend::testing::FakeClerk;

async fn reports(ClerkMachine(machine): ClerkMachine) -> String {
    format!(
        "reports for {} ({}, scopes {:?})",
        machine.subject(),
        machine.token_type(),
        machine.scopes()
    )
}

async fn whoami(auth: Authenticated) -> String {
    match auth {
        Authenticated::Session(claims) => format!("user {}", claims.user_id()),
        Authenticated::Machine(machine) => {
            format!("{} {}", machine.token_type(), machine.subject())
        }
    }
}

async fn me(ClerkAuth(claims): ClerkAuth) -> String {
    format!("hello {}", claims.user_id())
}

/// The application: its routes and what each accepts.
fn app(auth: Authenticator) -> Router {
    let machines = ClerkConfig::from(auth.clone()).with_route_options(RouteOptions::accepting([
        TokenType::ApiKey,
        TokenType::M2mToken,
    ]));
    Router::new()
        .route("/api/reports", get(reports).with_state(machines))
        .route("/api/whoami", get(whoami))
        .route("/me", get(me))
        .with_state(ClerkConfig::from(auth))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let fake = FakeClerk::start().await;
    let client = fake.client();

    // The credentials a real instance would have issued.
    let user = client
        .create_user()
        .body_map(|b| b.email_address(vec!["ada@example.com".to_string()]))
        .send()
        .await?;
    let api_key = client
        .create_api_key()
        .body_map(|b| {
            b.name("reporting".to_string())
                .subject(user.id.clone())
                .scopes(vec!["reports:read".to_string()])
        })
        .send()
        .await?;
    let machine = fake.create_machine();
    let m2m = fake.create_m2m_token(&machine.id, &[], Some(Duration::from_secs(3600)));
    let m2m_jwt = fake.m2m_jwt(&machine.id, &[], Duration::from_secs(3600));
    let oauth = fake.create_oauth_access_token(&user.id, "client_demo", &["profile"], None);
    let session = fake.sign_in(&user.id);

    // The application, authenticating with the fake's instance settings
    // (with a real one: `Authenticator::from_env()?`).
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let server = tokio::spawn(async move {
        axum::serve(listener, app(fake.authenticator())).await.ok();
        drop(fake);
    });

    let http = reqwest::Client::new();
    let calls = [
        ("/api/reports", "an API key", api_key.secret.as_str()),
        ("/api/reports", "an opaque M2M token", m2m.as_str()),
        ("/api/reports", "an M2M JWT", m2m_jwt.as_str()),
        (
            "/api/reports",
            "an OAuth token (not accepted)",
            oauth.as_str(),
        ),
        ("/api/reports", "a session (not accepted)", session.as_str()),
        ("/api/reports", "an unknown API key", "ak_unknown"),
        ("/api/whoami", "an OAuth token", oauth.as_str()),
        ("/api/whoami", "a session", session.as_str()),
        ("/me", "an API key (not accepted)", api_key.secret.as_str()),
    ];
    for (path, what, token) in calls {
        let response = http
            .get(format!("{base}{path}"))
            .bearer_auth(token)
            .send()
            .await?;
        let status = response.status();
        println!(
            "GET {path} with {what}: {status} {}",
            response.text().await?
        );
    }
    server.abort();
    Ok(())
}
